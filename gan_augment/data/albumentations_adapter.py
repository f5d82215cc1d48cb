"""albumentations behind a small adapter: a picklable callable ``x -> x`` for torch datasets.

albumentations is optional (``pip install "gan-augment[albumentations]"``, pinned below 2.1, the
last MIT-licensed line) and imported lazily, with its network update check turned off
(``NO_ALBUMENTATIONS_UPDATE=1``). Global seeds do not reach it: the seed goes into
``A.Compose(seed=...)``.
"""

from __future__ import annotations

import copy
import os

import numpy as np

from gan_augment._random import check_seed
from gan_augment.data.layout import (infer_item_layout, item_image_shape, items_from_nchw, items_to_batch_layout,
                                     to_nchw)

# Set on import of this module, before albumentations can be imported by anything here or by
# unpickling an adapter in a DataLoader worker (pickle imports this module before the Compose).
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

__all__ = ["AlbumentationsTransform", "import_albumentations"]

_INSTALL_HINT = ('This needs albumentations, which is not installed; install it with '
                 'pip install "gan-augment[albumentations]".')


def import_albumentations():
    """``import albumentations`` with the update check off, or an ImportError that says what to install."""
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    try:
        import albumentations
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return albumentations


class AlbumentationsTransform:
    """Run an albumentations pipeline on one image, given and returned as the same type.

    Parameters
    ----------
    transform : albumentations Compose, a single transform, or a list of transforms
        A list (or a single transform) is put into ``A.Compose(transforms, seed=seed)``; a Compose
        is used as is but reseeded when ``seed`` is given. Either way the adapter works on its own
        copy (transforms hold their random state; the objects passed in are left as they were).
    seed : int or None, default=None
        Seeds the pipeline's own random state: two adapters with the same seed transform the
        same sequence of images identically.
    name : str, default="transform"
        The parameter the caller took ``transform`` as, named in its errors (ClassicOversampler
        passes ``"augmentation="``).

    Notes
    -----
    Calling it with an image returns the transformed image as the same type: a numpy ``(H, W)``,
    ``(H, W, C)`` or ``(C, H, W)`` array of the same dtype and layout (a 3-D array is read as
    ``AugmentedDataset`` reads its items: channel-first where only its first axis holds 1 or 3), a
    ``(C, H, W)`` or ``(H, W)`` torch tensor of the same dtype, or a PIL image of the same mode (a
    palette image is transformed in its colours and comes back RGB, or RGBA where it has
    transparency; a CMYK, YCbCr, HSV or LAB image is moved in its own bands, and seen in RGB by
    transforms that change pixel values, which read bands as RGB). albumentations works on channel-last numpy
    arrays: uint8 in 0..255 or float32, which several of its colour transforms expect in 0..1
    (geometric ones take any range). Images of other dtypes (16-bit, int16, masks of bools) are
    given to it as float32 in their own values and come back in their dtype: fine for geometric
    transforms, but colour transforms clip those floats to 0..1 (a brightness change of a 16-bit
    image makes it all 1s), so give such images to them as floats in 0..1 (``image / 65535``).
    Two ends of a pipeline are kept as albumentations gives them: floats that a transform makes
    of uint8 pixels (``Normalize``, ``ToFloat``) come back float32 in the image's array or tensor
    (a PIL image cannot hold them: that is refused), and the tensor of a pipeline ending in
    ``ToTensorV2`` comes back as it is, ``(C, H, W)``.

    In DataLoader workers every worker would otherwise start from the same random state (and,
    without persistent workers, from the same state every epoch): there the pipeline is reseeded
    from ``seed`` and the worker's torch seed, which differs per worker and per epoch and follows
    the loader's ``generator``. The adapter is picklable.
    """

    def __init__(self, transform, *, seed=None, name: str = "transform"):
        if seed is not None:  # albumentations' own refusals of 1.5 or "0" named no parameter; True passed
            seed = check_seed(seed, name="seed")
        A = import_albumentations()
        if isinstance(transform, (list, tuple)):
            # An item that is no transform failed inside albumentations ("has no attribute
            # 'available_keys'"); ``name``: the parameter the caller took it as.
            for item in transform:
                if not isinstance(item, (A.BaseCompose, A.BasicTransform)):
                    raise TypeError(f"{name} must list albumentations transforms; it holds a "
                                    f"{type(item).__name__}: {item!r}.")
        if isinstance(transform, A.BaseCompose):
            compose = copy.deepcopy(transform)
            if seed is not None:
                compose.set_random_seed(seed)
        elif isinstance(transform, A.BasicTransform):
            compose = A.Compose([copy.deepcopy(transform)], seed=seed)
        elif isinstance(transform, (list, tuple)):
            # Copied: transforms carry their own random state, which two Composes must not share.
            compose = A.Compose(copy.deepcopy(list(transform)), seed=seed)
        else:
            raise TypeError(
                f"{name} must be an albumentations Compose, transform, or list of transforms; "
                f"got {type(transform).__name__}."
            )
        self.transform = compose
        self.seed = seed if seed is not None else getattr(compose, "seed", None)
        self._worker = None

    def __call__(self, image):
        self._reseed_in_worker()
        import torch

        restore, array = _to_hwc(image, self.transform)
        out = self.transform(image=array)["image"]
        if isinstance(out, torch.Tensor):  # ToTensorV2's (C, H, W): read as channel-last, it was scrambled
            return out.to(image.device) if isinstance(image, torch.Tensor) else out
        return restore(out)

    def __repr__(self) -> str:
        return f"AlbumentationsTransform({self.transform!r}, seed={self.seed!r})"

    def _reseed_in_worker(self):
        from torch.utils.data import get_worker_info

        info = get_worker_info()
        if info is None:
            return
        key = (info.id, info.seed)
        if self._worker == key:
            return
        self._worker = key
        entropy = [int(info.seed) % 2**63] if self.seed is None else [int(self.seed), int(info.seed) % 2**63]
        self.transform.set_random_seed(int(np.random.SeedSequence(entropy).generate_state(1)[0]))


def transforms_in(compose) -> list:
    """The transforms of an albumentations pipeline, those inside its OneOf / SomeOf / Sequential too."""
    if hasattr(compose, "transforms"):
        return [leaf for part in compose.transforms for leaf in transforms_in(part)]
    return [compose]


#: Attributes of the value a moving transform writes where it leaves no pixel (a rotation's corners,
#: a dropout's holes): a colour, in RGB (albumentations 2.0 ``fill``; 1.4 ``cval``, ``value``, ``fill_value``).
_FILLS = ("fill", "cval", "fill_value", "value")


def _any_pixel_level(compose) -> bool:
    """Whether the pipeline may write pixel values of its own, not only move the image's: any
    transform that is not an albumentations DualTransform (flips, crops, affine moves), such as
    ``ToGray`` or ``RandomBrightnessContrast``, and any that fills what it uncovers (``Rotate``,
    ``CoarseDropout``), which read and write the bands as RGB."""
    A = import_albumentations()
    return any(not isinstance(transform, A.DualTransform) or any(hasattr(transform, fill) for fill in _FILLS)
               for transform in transforms_in(compose))


#: PIL modes whose bands are no RGB: moved as they are, recoloured in RGB (ToGray of YCbCr bands read
#: as RGB came out coloured).
_COLOUR_SPACES = ("CMYK", "YCbCr", "HSV", "LAB")


def _to_hwc(image, compose):
    """``(restore, array)``: the image as an albumentations-ready channel-last array, and the
    function turning albumentations' output back into the input's type (``compose``: the pipeline,
    whose transforms are looked at only for an image in a colour space, not for every item)."""
    import torch

    if isinstance(image, torch.Tensor):
        if image.ndim not in (2, 3):
            raise ValueError(f"Image tensors must be (C, H, W) or (H, W); got shape {tuple(image.shape)}.")
        dtype, device = image.dtype, image.device
        tensor = image.detach().cpu()
        pixels = tensor.float().numpy() if tensor.is_floating_point() else tensor.numpy()
        array, back = _hwc_ready(pixels, "chw" if image.ndim == 3 else "hw")

        def restore(out):
            if _made_floats(array, out):
                return torch.from_numpy(back(out)).to(device=device)
            out = back(out)
            if pixels.dtype.kind in "iub":  # a blend of an int16 or bool image
                out = _rounded_into(out, _limits(pixels.dtype))
            return torch.from_numpy(out).to(device=device, dtype=dtype)

        return restore, array
    if type(image).__module__.startswith("PIL.") and hasattr(image, "mode"):
        from PIL import Image

        if image.mode in ("P", "PA"):
            # Palette indices are no pixels to move or blend (a flip came back in a new, grey palette).
            # (has_transparency_data: also a palette holding alpha, which image.info does not show)
            image = image.convert("RGBA" if image.mode == "PA" or image.has_transparency_data else "RGB")
        mode = image.mode
        if mode in _COLOUR_SPACES and _any_pixel_level(compose):  # back into the mode after, as any RGB image would be
            image = image.convert("RGB")
        pixels = np.asarray(image)
        array, back = _hwc_ready(pixels, "hw" if pixels.ndim == 2 else "hwc")

        def restore(out):
            if _made_floats(array, out):
                raise ValueError(f"A transform made floats of this {mode} PIL image's pixels (Normalize or ToFloat "
                                 "does), which a PIL image cannot hold: end the pipeline with ToTensorV2, or give "
                                 "the images as numpy arrays or tensors.")
            out = back(out)
            if pixels.dtype.kind in "iub":  # PIL's float-to-"L" conversion truncates (250.7 -> 250)
                out = _rounded_into(out, _limits(pixels.dtype)).astype(pixels.dtype)
            if out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == len(image.getbands()) \
                    and image.mode == mode:
                # The bands of the image's own mode: fromarray would take them for RGB(A), and the
                # conversion back would then recolour a CMYK, YCbCr, HSV or LAB image.
                return Image.frombytes(mode, (out.shape[1], out.shape[0]), np.ascontiguousarray(out).tobytes())
            if out.ndim == 3 and out.shape[2] == 1:  # ToGray(num_output_channels=1): one band, as PIL holds it
                out = out[..., 0]
            try:
                out = Image.fromarray(out)
            except TypeError:  # e.g. three bands of 32-bit integers (ToRGB of an "I" image)
                raise ValueError(f"A transform made {out.shape[-1] if out.ndim == 3 else 1} bands of {out.dtype} "
                                 f"of this {mode} PIL image, which PIL cannot hold; leave it out for such images, or "
                                 "give them as numpy arrays or tensors.") from None
            return out if out.mode == mode else out.convert(mode)

        return restore, array
    if isinstance(image, np.ndarray):
        if image.ndim not in (2, 3):
            raise ValueError(f"Image arrays must be (H, W), (H, W, C) or (C, H, W); got shape {image.shape}.")
        dtype = image.dtype
        # A (1, 8, 8) digit read channel-last was an 8-channel image one pixel high: flips went vertical.
        layout = "chw" if infer_item_layout(image.shape, channel_first=False) == "chw" else "hwc"
        array, back = _hwc_ready(image, "hw" if image.ndim == 2 else layout)

        def restore(out):
            if _made_floats(array, out):
                return back(out)
            out = back(out)
            if dtype.kind in "iub":
                out = _rounded_into(out, _limits(dtype))
            return out.astype(dtype, copy=False)

        return restore, array
    raise TypeError(
        f"AlbumentationsTransform takes numpy arrays, torch tensors and PIL images; got {type(image).__name__}."
    )


def _made_floats(given: np.ndarray, out) -> bool:
    """Whether a transform turned the uint8 pixels it was ``given`` into floats (``Normalize``):
    rounded back into 0..255, an image normalised around 0 became one of 0..3. (Any other dtype is
    given to albumentations as float32 by the adapter itself, and goes back to its own.)"""
    return given.dtype == np.uint8 and np.asarray(out).dtype.kind == "f"


def _limits(dtype: np.dtype):
    """An integer dtype's ``iinfo``; None for bool (0 and 1)."""
    return None if dtype.kind == "b" else np.iinfo(dtype)


def _rounded_into(out: np.ndarray, info) -> np.ndarray:
    """Float output of albumentations rounded and clipped into an integer type's range (``info``:
    its ``iinfo``; None: a mask's 0 and 1, where a cast made every nonzero blend True), as the same
    image in any container comes back; integer output as it is."""
    if out.dtype.kind != "f":
        return out
    return np.clip(np.rint(out), 0, 1) if info is None else np.clip(np.rint(out), info.min, info.max)


def _hwc_ready(array: np.ndarray, layout: str):
    """``(hwc, back)``: an image in item ``layout`` as the channel-last array albumentations takes
    (uint8 stays uint8, anything else goes float32, the type its transforms accept), and the
    function that puts albumentations' output back into ``layout``."""
    if array.dtype != np.uint8:
        array = array.astype(np.float32)
    hwc = np.ascontiguousarray(_move(array, layout, "hwc"))

    def back(out):
        out = np.asarray(out)
        if out.ndim == 2:  # a transform that dropped a single channel axis
            out = out[..., None]
        # A transform may add channels (e.g. gray to RGB): a 2-D image can then only come back HWC.
        target = "hwc" if layout == "hw" and out.shape[2] != 1 else layout
        return np.ascontiguousarray(_move(out, "hwc", target))

    return hwc, back


def _move(image, layout: str, target: str):
    """One image from item ``layout`` to item ``target`` (the rules are gan_augment.data.layout's)."""
    nchw = to_nchw(image[None], items_to_batch_layout(layout), item_image_shape(layout, image.shape))
    return items_from_nchw(nchw, target)[0]
