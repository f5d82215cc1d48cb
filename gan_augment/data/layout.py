"""The one home of image-layout rules: where the channel axis is, and moving it.

Batches (what ``GANAugmenter`` / ``ImageCodec`` take):

* ``"flat"``: 2-D ``(N, C*H*W)`` rows, as scikit-learn holds images, folded by ``image_shape``;
* ``"nhw"``: ``(N, H, W)`` grayscale;
* ``"nhwc"``: ``(N, H, W, C)`` channel-last (numpy, PIL, albumentations, image folders);
* ``"nchw"``: ``(N, C, H, W)`` channel-first (torch, the models).

Single items (what a torch Dataset yields): ``"hw"``, ``"hwc"``, ``"chw"`` and ``"row"`` (a
table row, not an image). C is 1 (grayscale) or 3 (RGB). When both the first and the last axis
could hold channels, numpy arrays are read channel-last (numpy / PIL order) and torch tensors
channel-first (torch order). Functions here work on numpy arrays and torch tensors alike.
"""

from __future__ import annotations

import numbers

import numpy as np

from gan_augment.exceptions import DataValidationError

__all__ = ["BATCH_LAYOUTS", "CHANNELS", "ITEM_LAYOUTS", "check_image_shape", "from_nchw", "infer_layout",
           "infer_item_layout", "item_image_shape", "items_from_nchw", "items_to_batch_layout", "to_nchw"]

CHANNELS = (1, 3)
BATCH_LAYOUTS = ("flat", "nhw", "nhwc", "nchw")
ITEM_LAYOUTS = ("hw", "hwc", "chw", "row")


def check_image_shape(image_shape) -> tuple[int, int, int]:
    """``image_shape`` as a ``(C, H, W)`` tuple of ints, C = 1 or 3; ValueError otherwise."""
    try:
        values = list(image_shape)
    except TypeError:
        values = []
    # Whole numbers only: int() would read 8.9 as 8 and True as 1 without a word.
    if len(values) != 3 or not all(_whole(v) for v in values):
        raise ValueError(f"image_shape must be (C, H, W), three whole numbers, got {image_shape!r}.")
    c, h, w = (int(v) for v in values)
    if c not in CHANNELS or h < 1 or w < 1:
        raise ValueError(f"image_shape must be (C, H, W) with C = 1 or 3 and H, W >= 1, got {image_shape!r}.")
    return c, h, w


def _whole(value) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and float(value).is_integer())


def shape_of(X) -> tuple:
    """``X``'s shape, read from its ``shape`` where it has one (sparse matrices, arrays) and through
    ``numpy.asarray`` otherwise: ``numpy.shape`` would call numpy's array functions, which some
    array-likes refuse."""
    shape = getattr(X, "shape", None)
    return tuple(shape) if shape is not None else np.asarray(X).shape


def flattening(shape: tuple) -> tuple[str, tuple[int, int, int]] | None:
    """``(code, (C, H, W))``: the numpy code that turns a batch of images of ``shape`` into rows of
    pixels in (C, H, W) order, and the ``image_shape`` that reads them back; None when ``shape`` is
    no batch of images (for messages that say what to pass instead)."""
    try:
        layout, image_shape = infer_layout(shape)
    except (DataValidationError, ValueError):
        return None
    return ("X.transpose(0, 3, 1, 2).reshape(len(X), -1)" if layout == "nhwc" else "X.reshape(len(X), -1)",
            image_shape)


def alpha_advice(shape: tuple, name: str = "X", *, batch: bool = True, channel_last: bool = True) -> str:
    """What to do with images of ``shape`` that carry an alpha channel (np.asarray of an RGBA or LA
    PNG): drop it, as the image-folder reader does; '' for other channel counts. ``batch``: the
    first axis counts images; ``channel_last``: the last axis may hold the channels (not in torch)."""
    first = 1 if batch else 0
    axes = ([(len(shape) - 1, f"{name}[..., {{}}]", "last")] if channel_last else []) + \
        [(first, f"{name}[:, {{}}]" if batch else f"{name}[{{}}]", "first")]
    for axis, index, where in axes:
        keep = {4: ":3", 2: ":1"}.get(shape[axis]) if len(shape) == first + 3 else None
        if keep is not None:
            kind = "RGBA" if shape[axis] == 4 else "grey + alpha"
            return (f" If these are {kind} images ({shape[axis]} channels {where}), drop the alpha channel: "
                    f"{index.format(keep)}.")
    return ""


def infer_layout(shape: tuple, image_shape=None) -> tuple[str, tuple[int, int, int]]:
    """``(layout, (C, H, W))`` of a batch of ``shape``; ``image_shape`` settles ambiguous cases."""
    shape = tuple(shape)
    if image_shape is not None:
        image_shape = check_image_shape(image_shape)
    if len(shape) == 2:
        return "flat", _check_flat(shape, image_shape)
    found: tuple[int, int, int] | None
    if len(shape) == 3:
        found, layout = (1, shape[1], shape[2]), "nhw"
    elif len(shape) == 4:
        channel_last, channel_first = shape[3] in CHANNELS, shape[1] in CHANNELS
        if image_shape is not None:
            if channel_last and (shape[3], shape[1], shape[2]) == image_shape:
                return "nhwc", image_shape
            if channel_first and shape[1:] == image_shape:
                return "nchw", image_shape
            raise DataValidationError(
                f"X has shape {shape}, which does not hold images of image_shape={image_shape}.")
        elif channel_last:
            found, layout = (shape[3], shape[1], shape[2]), "nhwc"  # numpy/PIL order wins a tie
        elif channel_first:
            found, layout = (shape[1], shape[2], shape[3]), "nchw"
        else:
            raise DataValidationError(
                f"X has shape {shape}: neither its last axis (channel-last) nor its second "
                "(channel-first) has 1 or 3 channels; gan-augment models grayscale and RGB images."
                + alpha_advice(shape))
    else:
        raise DataValidationError(
            f"X has shape {shape}; images are (N, H, W), (N, H, W, C), (N, C, H, W), or 2-D rows "
            "with image_shape=(C, H, W)."
        )
    if image_shape is not None and found != image_shape:
        raise DataValidationError(f"X has shape {shape}, which does not hold images of image_shape={image_shape}.")
    if min(found[1:]) < 1:  # image_shape= is checked so (check_image_shape); a shape read off X was not
        raise DataValidationError(f"X has shape {shape}: images {found[1]} x {found[2]} pixels; an image needs at "
                                  "least one pixel a side.")
    return layout, found


def _check_flat(shape, image_shape):
    if image_shape is None:
        raise DataValidationError(
            f"X has shape {shape}: 2-D rows are images only with image_shape=(C, H, W), "
            "e.g. image_shape=(1, 8, 8) for scikit-learn's digits."
        )
    c, h, w = image_shape
    if shape[1] != c * h * w:
        raise DataValidationError(
            f"X has {shape[1]} columns but image_shape={image_shape} holds {c * h * w} pixels; "
            "give the shape the rows were flattened from."
        )
    return image_shape


def to_nchw(images, layout: str, image_shape: tuple[int, int, int]):
    """A batch in ``layout`` -> ``(N, C, H, W)`` (a view where the layout allows)."""
    if layout == "flat":
        return images.reshape(-1, *image_shape)
    if layout == "nhw":
        return images[:, None]
    if layout == "nhwc":
        return _permute(images, (0, 3, 1, 2))
    if layout == "nchw":
        return images
    raise ValueError(f"Unknown layout {layout!r}; expected one of {BATCH_LAYOUTS}.")


def from_nchw(images, layout: str):
    """``(N, C, H, W)`` -> a batch in ``layout`` (the inverse of :func:`to_nchw`)."""
    if layout == "flat":
        n, c, h, w = images.shape
        return images.reshape(n, c * h * w)  # not (n, -1): ambiguous for a batch of none
    if layout == "nhw":
        return images[:, 0]
    if layout == "nhwc":
        return _permute(images, (0, 2, 3, 1))
    if layout == "nchw":
        return images
    raise ValueError(f"Unknown layout {layout!r}; expected one of {BATCH_LAYOUTS}.")


def infer_item_layout(shape: tuple, *, channel_first: bool) -> str | None:
    """The layout of one item of ``shape``, or None if it is neither an image nor a row.

    ``channel_first``: how to read a 3-D item whose first and last axes could both hold channels
    (True for torch tensors, False for numpy arrays)."""
    ndim = len(shape)
    if ndim == 1:
        return "row"
    if ndim == 2:
        return "hw"
    if ndim == 3:
        first, last = shape[0] in CHANNELS, shape[2] in CHANNELS
        if first and (channel_first or not last):
            return "chw"
        if last:
            return "hwc"
    return None


def item_image_shape(layout: str, shape: tuple) -> tuple[int, int, int]:
    """``(C, H, W)`` of one image item of ``shape`` in ``layout``."""
    if layout == "chw":
        return tuple(shape)
    if layout == "hw":
        return (1, *shape)
    if layout == "hwc":
        return (shape[2], shape[0], shape[1])
    raise ValueError(f"An item of layout {layout!r} is not an image.")


def items_from_nchw(images, layout: str):
    """``(N, C, H, W)`` -> a stack of items in item ``layout`` (``"row"``: flattened)."""
    if layout == "chw":
        return images
    if layout == "hw":
        return images[:, 0]
    if layout == "hwc":
        return _permute(images, (0, 2, 3, 1))
    if layout == "row":
        return images.reshape(images.shape[0], -1)
    raise ValueError(f"Unknown item layout {layout!r}; expected one of {ITEM_LAYOUTS}.")


def items_to_batch_layout(layout: str) -> str:
    """The batch layout a stack of items of ``layout`` is in."""
    return {"chw": "nchw", "hw": "nhw", "hwc": "nhwc", "row": "flat"}[layout]


def _permute(images, axes):
    if isinstance(images, np.ndarray):
        return images.transpose(axes)
    return images.permute(*axes)
