"""ImageCodec: user image arrays <-> the (N, C, R, R) float tensors in [-1, 1] the GAN works on.

Accepted layouts (``layout_``):

* ``"flat"``: 2-D ``(N, C*H*W)`` rows, as scikit-learn holds images (``load_digits`` is 8x8),
  with ``image_shape=(C, H, W)`` saying how to fold them;
* ``"nhw"``: ``(N, H, W)`` grayscale;
* ``"nhwc"``: ``(N, H, W, C)`` channel-last (numpy, PIL, image folders), C = 1 or 3;
* ``"nchw"``: ``(N, C, H, W)`` channel-first (torch), C = 1 or 3.

Every image is resized to one square working resolution (a power of two from 8 to 64: G grows
from 4x4 by doublings) and scaled to [-1, 1]; generated images are resized back, rescaled to the
input's value range, rounded when the input held integers, and put back into the input's layout
and dtype. The value range is the range seen in training (0..16 for ``load_digits``, 0..1 for a
float image array, 0..255 for most 8-bit images): generated values stay within it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from gan_augment.data._dtypes import round_to_dtype
from gan_augment.data.layout import BATCH_LAYOUTS, check_image_shape, from_nchw, infer_layout, to_nchw
from gan_augment.data.tabular import check_not_bfloat16, check_same_shapes
from gan_augment.data.torch_items import is_pil_image
from gan_augment.exceptions import DataValidationError
from gan_augment.models.image import RESOLUTIONS

__all__ = ["LAYOUTS", "ImageCodec", "check_pixels", "infer_layout", "working_resolution"]

# The layout rules live in gan_augment.data.layout; re-exported here for existing imports.
LAYOUTS = BATCH_LAYOUTS
#: float32's largest number as a Python float: compared with a numpy float32, a larger float is
#: first cast to float32 (numpy's rule for Python scalars), with an overflow warning.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_not_pil_images(X, *, rows: bool = False) -> None:
    """Refuse a list of PIL images, naming what to pass instead: numpy reads one as an array of the
    values the images store (a palette image's indices, not its colours), and a list comes back
    from a sampler as nested lists of numbers, the real images too. ``rows``: the caller reads
    images as rows of pixels in (C, H, W) order with ``image_shape``, and the advice says so."""
    if not isinstance(X, (list, tuple)):
        return
    first_of_mode = {}
    for i, x in enumerate(X):
        if is_pil_image(x):
            first_of_mode.setdefault(x.mode, i)
    if not first_of_mode:
        return
    first = min(first_of_mode.values())
    odd = next((i for mode, i in first_of_mode.items() if mode not in ("L", "RGB")), None)
    convert, why = "image", ""
    if odd is not None:
        convert = "image.convert('RGB')"
        why = (f" ('L' for grey images; item {odd} is of mode {X[odd].mode!r}: a palette image's values are "
               "indices, and 16-bit ones need scaling to 8 bits first)")
    elif len(first_of_mode) > 1:  # grey beside colour: np.stack needs one shape
        convert = "image.convert('RGB')"
        why = (f" (item {first_of_mode['L']} is grey, item {first_of_mode['RGB']} colour: one mode for all, 'L' "
               "for grey)")
    stacked = f"images = np.stack([np.asarray({convert}) for image in X]){why}"
    how = (f"Make them rows of pixels in (C, H, W) order: {stacked}, then images.transpose(0, 3, 1, 2)"
           ".reshape(len(images), -1) for colour or images.reshape(len(images), -1) for grey, with "
           "image_shape=(C, H, W)" if rows else f"Pass {stacked}")
    raise DataValidationError(
        f"X is a list of PIL images (item {first} is one); this estimator reads images as one array of numbers. "
        f"{how}; or serve the images from a torch Dataset through gan_augment.AugmentedDataset, which reads PIL "
        "images and makes synthetic ones of the same mode.")


def images_as_given(X, X_res):
    """``X_res`` as a list of images like those of ``X`` where ``X`` is a list (or tuple) of images,
    arrays or tensors of one image each (cv2.imread's): imbalanced-learn gives a list back as nested
    lists of numbers, the real images too. Each comes back in the type and dtype of ``X``'s first."""
    if not isinstance(X, (list, tuple)) or not len(X) or not isinstance(X_res, list):
        return X_res
    first = X[0]
    if len(getattr(first, "shape", ())) < 2 or not hasattr(first, "dtype"):  # a table's rows are flat
        return X_res
    if type(first).__module__.startswith("torch"):
        import torch

        return [torch.as_tensor(np.asarray(image), dtype=first.dtype) for image in X_res]
    return [np.asarray(image, dtype=first.dtype) for image in X_res]


def check_pixels(X) -> np.ndarray:
    """``X`` as an array of pixel values: numbers, none of them NaN or infinite (DataValidationError)."""
    frame = X if hasattr(X, "columns") else None
    check_not_bfloat16(X)
    try:
        X = np.asarray(X)
    except ValueError:  # numpy's "inhomogeneous shape" for a list of images of several sizes
        if isinstance(X, (list, tuple)) and X:
            check_same_shapes(X)
        raise
    if X.dtype.kind not in "biuf":
        if frame is not None:  # a DataFrame of pixel columns: name the column at fault
            for name in frame.columns:
                column = np.asarray(frame[name])
                if column.dtype.kind not in "biuf":
                    raise DataValidationError(f"Image pixels must be numbers, but column {name!r} of X holds "
                                              f"{frame[name].dtype} values; convert it (pandas.to_numeric) or drop it.")
        raise DataValidationError(f"Image arrays must be numeric; got dtype {X.dtype}.")
    if frame is not None:
        _check_one_pixel_dtype(frame)
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        raise DataValidationError(
            f"X holds {int((~np.isfinite(X)).sum())} NaN or infinite pixel values; images must "
            "be complete (fill or drop those images)."
        )
    if X.dtype.kind == "f" and X.size:
        # Images are worked on in float32: values, or a range, past its largest number became
        # infinite there, and were refused as NaN or infinite ones X did not hold.
        low, high = float(X.min()), float(X.max())
        if high - low > _FLOAT32_MAX or max(-low, high) > _FLOAT32_MAX:
            raise DataValidationError(
                f"X holds pixel values from {low:.3g} to {high:.3g}: values or a range past float32's largest number "
                "(about 3.4e38), in which images are worked on; rescale them first (e.g. to 0..1: "
                "(X - X.min()) / (X.max() - X.min())).")
    return X


def _check_one_pixel_dtype(frame) -> None:
    """Refuse pixel columns of categories, or of two dtypes, naming a column: one dtype is modelled
    and given back (uint8 pixels fitted as float64 came back truncated, 254.6 -> 254, when
    imbalanced-learn cast each column back; category columns came back as missing values)."""
    dtypes = list(frame.dtypes)
    names = list(frame.columns)  # by position: names may repeat
    category = next((i for i, dtype in enumerate(dtypes) if str(dtype) == "category"), None)
    if category is not None:
        raise DataValidationError(f"Image pixels must be numbers, but column {names[category]!r} of X holds "
                                  "categories; cast the pixels to numbers first (e.g. X.astype('uint8')).")
    common = max(set(dtypes), key=dtypes.count)
    odd = next((i for i, dtype in enumerate(dtypes) if dtype != common), None)
    if odd is not None:
        raise DataValidationError(f"Image pixels must share one dtype, but column {names[odd]!r} of X holds "
                                  f"{dtypes[odd]} values and most columns {common}; cast them to one "
                                  "(X.astype(...)) first.")


def tensor_of(array: np.ndarray) -> torch.Tensor:
    """``array`` as a tensor sharing its memory, or on a copy of a read-only one (np.load(mmap_mode=
    "r"), an Arrow view): for those torch warns of "undefined behavior", though nothing writes here."""
    return torch.from_numpy(array if array.flags.writeable else array.copy())


def working_resolution(height: int, width: int, image_size="auto") -> int:
    """The square size the GAN works at: ``image_size``, or for "auto" the smallest power of two
    that holds the image (28 px MNIST -> 32), kept within 8 to 64."""
    if image_size == "auto":
        size = 1 << max(0, (max(height, width) - 1).bit_length())
        return min(max(size, RESOLUTIONS[0]), RESOLUTIONS[-1])
    if image_size not in RESOLUTIONS:
        raise ValueError(f"image_size must be 'auto' or one of {list(RESOLUTIONS)}, got {image_size!r}.")
    return int(image_size)


class ImageCodec:
    """Fit on an image array; ``transform`` to model tensors, ``inverse_transform`` back.

    Parameters
    ----------
    image_shape : (C, H, W) or None
        Needed for 2-D rows; otherwise read from the array (and checked if given).
    image_size : "auto" or int
        Working resolution (see :func:`working_resolution`).
    """

    def __init__(self, image_shape=None, image_size="auto"):
        self.image_shape = image_shape
        self.image_size = image_size

    def fit(self, X) -> "ImageCodec":
        X = check_pixels(X)
        self.layout_, self.image_shape_ = infer_layout(X.shape, self.image_shape)
        self.dtype_ = X.dtype
        low, high = float(X.min()), float(X.max())
        if high <= low:
            # Said of "every image", not of X: the command line's images are a folder.
            raise DataValidationError(f"Every pixel of every image has the value {X.flat[0].item()!r}: there is no "
                                      "image to learn.")
        # Observed, for uint8 too: a uint8 mask of 0/1 or digits of 0..16 must not come back with 206.
        # (Models saved before took 0..255 for uint8; they keep it.)
        self.value_range_ = (low, high)
        self.resolution_ = working_resolution(*self.image_shape_[1:], self.image_size)
        return self

    @property
    def channels(self) -> int:
        return self.image_shape_[0]

    @property
    def sample_shape(self) -> tuple[int, int, int]:
        """``(C, H, W)`` of one image as the user gave it (and gets it back)."""
        c, h, w = self.image_shape_
        return c, h, w

    def transform(self, X) -> torch.Tensor:
        """``X`` in the fitted layout -> float32 tensor (N, C, R, R) in [-1, 1]."""
        low, high = self.value_range_
        images = ((self.to_nchw(X) - low) / (high - low) * 2 - 1).clamp_(-1, 1)
        return self._resize(images, (self.resolution_, self.resolution_))

    def to_pixels(self, X) -> np.ndarray:
        """``X`` in the fitted layout -> (N, H, W, C) uint8: what PNG files hold. A uint8 array's
        values are pixels already and are kept; other dtypes' fitted value range is mapped onto
        0..255 (:meth:`display_pixels`)."""
        if self.dtype_ != np.uint8:
            return self.display_pixels(X)
        return self._as_pixels(self.to_nchw(X))

    def display_pixels(self, X) -> np.ndarray:
        """``X`` in the fitted layout -> (N, H, W, C) uint8 for looking at (sample grids): the
        fitted value range mapped onto 0..255, so that digits of 0..16 are not black."""
        low, high = self.value_range_
        return self._as_pixels((self.to_nchw(X) - low) / (high - low) * 255)

    def from_pixels(self, pixels) -> np.ndarray:
        """(N, H, W, C) uint8 (as made by :meth:`to_pixels`) -> an array like the one fitted on."""
        pixels = torch.as_tensor(np.asarray(pixels)).permute(0, 3, 1, 2).float()
        low, high = self.value_range_
        if self.dtype_ != np.uint8:
            pixels = pixels * ((high - low) / 255.0) + low
        return self._to_user(pixels.clamp_(low, high))

    @staticmethod
    def _as_pixels(images: torch.Tensor) -> np.ndarray:
        return images.round().clamp_(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()

    def to_nchw(self, X) -> torch.Tensor:
        """``X`` in the fitted layout -> float32 tensor (N, C, H, W) in the user's value range."""
        X = np.asarray(X)
        layout, shape = infer_layout(X.shape, self.image_shape_)
        if layout != self.layout_:
            raise DataValidationError(f"X is laid out as {layout!r}, but the codec was fitted on {self.layout_!r}.")
        images = tensor_of(np.ascontiguousarray(X, dtype=np.float32))
        return to_nchw(images, layout, shape).contiguous()

    def inverse_transform(self, images: torch.Tensor) -> np.ndarray:
        """Model tensors (N, C, R, R) in [-1, 1] -> an array like the one fitted on."""
        c, h, w = self.image_shape_
        images = self._resize(images.float().clamp(-1, 1), (h, w))
        low, high = self.value_range_
        return self._to_user(((images + 1) / 2 * (high - low) + low).clamp_(low, high))

    def _to_user(self, values: torch.Tensor) -> np.ndarray:
        """(N, C, H, W) floats in the user's value range -> the fitted layout and dtype, within the
        observed range exactly: clamped in float32 it was not (0.3 came back as 0.30000001, an
        int32 16777219 as 16777220)."""
        out = from_nchw(values, self.layout_).numpy()
        ends = np.array(self.value_range_, dtype=np.float64)
        if self.dtype_.kind in "biu":  # the ends cast as the values are (2**63 - 1 pinned, not wrapped)
            out, ends = round_to_dtype(out, self.dtype_), round_to_dtype(ends, self.dtype_)
        else:
            out, ends = out.astype(self.dtype_), ends.astype(self.dtype_)
        return np.ascontiguousarray(np.clip(out, *ends, out=out) if self.dtype_.kind != "b" else out)

    @staticmethod
    def _resize(images: torch.Tensor, size) -> torch.Tensor:
        if tuple(images.shape[-2:]) == tuple(size):
            return images
        # antialias: shrinking (64 -> 32) without it aliases fine strokes away.
        return F.interpolate(images, size=size, mode="bilinear", align_corners=False, antialias=True)

    def describe(self) -> str:
        """One line for people: colour, size, layout, dtype and working size."""
        c, h, w = self.image_shape_
        r = self.resolution_
        return (f"{'grayscale' if c == 1 else 'RGB'} {h}x{w} ({self.layout_}, {self.dtype_}), "
                f"worked on at {r}x{r}")

    def to_dict(self) -> dict:
        return {
            # Python numbers: numpy integers given as image_shape= / image_size= are no JSON.
            "image_shape": [int(n) for n in self.image_shape_],
            "image_size": self.image_size if isinstance(self.image_size, str) else int(self.image_size),
            "layout": self.layout_,
            "dtype": self.dtype_.str, "value_range": list(self.value_range_), "resolution": self.resolution_,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImageCodec":
        """The codec :meth:`to_dict` wrote; ValueError for a field no fit writes (an edited model file
        must not make sampling allocate images of whatever size it names, or fail deep inside it)."""
        shape = check_image_shape(data["image_shape"])
        codec = cls(image_shape=shape, image_size=data["image_size"])
        if data["layout"] not in LAYOUTS:
            raise ValueError(f"the image layout is {data['layout']!r}, not one of {list(LAYOUTS)}")
        codec.layout_ = data["layout"]
        codec.image_shape_ = shape
        codec.dtype_ = np.dtype(data["dtype"])
        if codec.dtype_.kind not in "uifb":
            raise ValueError(f"the image dtype is {codec.dtype_}, which no image has")
        low, high = (float(value) for value in data["value_range"])
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"the image value range is {data['value_range']!r}, not two finite values, low to high")
        codec.value_range_ = (low, high)
        if data["resolution"] not in RESOLUTIONS:
            raise ValueError(f"the working resolution is {data['resolution']!r}, not one of {list(RESOLUTIONS)}")
        codec.resolution_ = data["resolution"]
        return codec
