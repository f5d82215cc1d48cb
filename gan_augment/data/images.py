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
and dtype. The value range is 0..255 for uint8 and the range seen in training otherwise (0..16
for ``load_digits``, 0..1 for a float image array).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from gan_augment.exceptions import DataValidationError
from gan_augment.models.image import RESOLUTIONS

LAYOUTS = ("flat", "nhw", "nhwc", "nchw")


def infer_layout(shape: tuple, image_shape=None) -> tuple[str, tuple[int, int, int]]:
    """``(layout, (C, H, W))`` of an array of ``shape``; ``image_shape`` settles ambiguous cases."""
    if image_shape is not None:
        image_shape = _check_image_shape(image_shape)
    c, h, w = image_shape or (None, None, None)
    if len(shape) == 2:
        if image_shape is None:
            raise DataValidationError(
                f"X has shape {shape}: 2-D rows are images only with image_shape=(C, H, W), "
                "e.g. image_shape=(1, 8, 8) for scikit-learn's digits."
            )
        if shape[1] != c * h * w:
            raise DataValidationError(
                f"X has {shape[1]} columns but image_shape={image_shape} holds {c * h * w} pixels; "
                "give the shape the rows were flattened from."
            )
        return "flat", image_shape
    if len(shape) == 3:
        found = (1, shape[1], shape[2])
        layout = "nhw"
    elif len(shape) == 4:
        channel_last, channel_first = shape[3] in (1, 3), shape[1] in (1, 3)
        if image_shape is not None:
            if channel_last and (shape[3], shape[1], shape[2]) == image_shape:
                return "nhwc", image_shape
            if channel_first and tuple(shape[1:]) == image_shape:
                return "nchw", image_shape
            found, layout = None, None
        elif channel_last:
            found, layout = (shape[3], shape[1], shape[2]), "nhwc"  # numpy/PIL order wins a tie
        elif channel_first:
            found, layout = tuple(shape[1:]), "nchw"
        else:
            raise DataValidationError(
                f"X has shape {shape}: neither its last axis (channel-last) nor its second "
                "(channel-first) has 1 or 3 channels; gan-augment models grayscale and RGB images."
            )
    else:
        raise DataValidationError(
            f"X has shape {shape}; images are (N, H, W), (N, H, W, C), (N, C, H, W), or 2-D rows "
            "with image_shape=(C, H, W)."
        )
    if image_shape is not None and found != image_shape:
        raise DataValidationError(f"X has shape {shape}, which does not hold images of image_shape={image_shape}.")
    return layout, found


def _check_image_shape(image_shape) -> tuple[int, int, int]:
    try:
        c, h, w = (int(v) for v in image_shape)
    except (TypeError, ValueError):
        raise ValueError(f"image_shape must be (C, H, W), got {image_shape!r}.") from None
    if c not in (1, 3) or h < 1 or w < 1:
        raise ValueError(f"image_shape must be (C, H, W) with C = 1 or 3 and H, W >= 1, got {image_shape!r}.")
    return c, h, w


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
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise DataValidationError(f"Image arrays must be numeric; got dtype {X.dtype}.")
        if X.dtype.kind == "f" and not np.isfinite(X).all():
            raise DataValidationError(
                f"X holds {int((~np.isfinite(X)).sum())} NaN or infinite pixel values; images must "
                "be complete (fill or drop those images)."
            )
        self.layout_, self.image_shape_ = infer_layout(X.shape, self.image_shape)
        self.dtype_ = X.dtype
        if X.dtype == np.uint8:
            low, high = 0.0, 255.0
        else:
            low, high = float(X.min()), float(X.max())
        if high <= low:
            raise DataValidationError(f"Every pixel of X has the value {low}; there is no image to learn.")
        self.value_range_ = (low, high)
        self.resolution_ = working_resolution(*self.image_shape_[1:], self.image_size)
        return self

    @property
    def channels(self) -> int:
        return self.image_shape_[0]

    def transform(self, X) -> torch.Tensor:
        """``X`` in the fitted layout -> float32 tensor (N, C, R, R) in [-1, 1]."""
        low, high = self.value_range_
        images = ((self._as_nchw(X) - low) / (high - low) * 2 - 1).clamp_(-1, 1)
        return self._resize(images, (self.resolution_, self.resolution_))

    def to_pixels(self, X) -> np.ndarray:
        """``X`` in the fitted layout -> (N, H, W, C) uint8: what PNG files and grids hold."""
        low, high = self.value_range_
        images = ((self._as_nchw(X) - low) / (high - low) * 255).round_().clamp_(0, 255)
        return images.to(torch.uint8).permute(0, 2, 3, 1).numpy()

    def _as_nchw(self, X) -> torch.Tensor:
        X = np.asarray(X)
        layout, shape = infer_layout(X.shape, self.image_shape_)
        if layout != self.layout_:
            raise DataValidationError(f"X is laid out as {layout!r}, but the codec was fitted on {self.layout_!r}.")
        images = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
        if layout == "flat":
            images = images.reshape(-1, *shape)
        elif layout == "nhw":
            images = images.unsqueeze(1)
        elif layout == "nhwc":
            images = images.permute(0, 3, 1, 2)
        return images.contiguous()

    def inverse_transform(self, images: torch.Tensor) -> np.ndarray:
        """Model tensors (N, C, R, R) in [-1, 1] -> an array like the one fitted on."""
        c, h, w = self.image_shape_
        images = self._resize(images.float().clamp(-1, 1), (h, w))
        low, high = self.value_range_
        values = ((images + 1) / 2 * (high - low) + low).clamp_(low, high)
        if self.layout_ == "flat":
            values = values.reshape(values.shape[0], -1)
        elif self.layout_ == "nhw":
            values = values[:, 0]
        elif self.layout_ == "nhwc":
            values = values.permute(0, 2, 3, 1)
        out = values.numpy()
        if self.dtype_.kind in "biu":
            out = np.rint(out)
        return np.ascontiguousarray(out.astype(self.dtype_))

    @staticmethod
    def _resize(images: torch.Tensor, size) -> torch.Tensor:
        if tuple(images.shape[-2:]) == tuple(size):
            return images
        # antialias: shrinking (64 -> 32) without it aliases fine strokes away.
        return F.interpolate(images, size=size, mode="bilinear", align_corners=False, antialias=True)

    def to_dict(self) -> dict:
        return {
            "image_shape": list(self.image_shape_), "image_size": self.image_size, "layout": self.layout_,
            "dtype": self.dtype_.str, "value_range": list(self.value_range_), "resolution": self.resolution_,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImageCodec":
        codec = cls(image_shape=tuple(data["image_shape"]), image_size=data["image_size"])
        codec.layout_ = data["layout"]
        codec.image_shape_ = tuple(data["image_shape"])
        codec.dtype_ = np.dtype(data["dtype"])
        codec.value_range_ = tuple(data["value_range"])
        codec.resolution_ = data["resolution"]
        return codec
