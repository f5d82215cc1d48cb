"""The items of a torch Dataset as the torch door reads and serves them.

A base dataset yields ``(x, label)`` pairs. This module says what ``x`` is (:class:`ItemSpec`:
container, item layout, shape, dtype), reads the whole base once (:func:`read_base`), turns labels
into plain values and back, and makes an item of the base's type from a numpy array
(:func:`as_item`). Which axis holds the channels is decided by :mod:`gan_augment.data.layout`;
what the values mean (value range, pixels) is the augmenter's codec's business, not this module's.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch

from gan_augment.data._dtypes import round_to_dtype
from gan_augment.data.layout import alpha_advice, from_nchw, infer_item_layout, infer_layout, item_image_shape, \
    items_to_batch_layout, to_nchw
from gan_augment.data.tabular import check_label_kinds
from gan_augment.exceptions import DataValidationError

__all__ = ["ItemSpec", "as_item", "cast_values", "copy_label", "item_spec", "read_base", "sort_key", "split_item"]

_PIL_MODES = ("L", "RGB")
#: How PIL images of grey modes besides "L" become "L" (1-bit, grey with alpha; Pillow converts
#: premultiplied "La" to "L" only by way of "LA").
_TO_GREY = {"1": "image.convert('L')", "LA": "image.convert('L')", "La": "image.convert('LA').convert('L')"}


@dataclass(frozen=True)
class ItemSpec:
    """What the ``x`` of every base item is: container, layout, shape, dtype (and PIL mode)."""

    container: str  # "tensor", "numpy" or "pil"
    layout: str  # an item layout of gan_augment.data.layout: "chw", "hw", "hwc" or "row"
    shape: tuple
    dtype: Any  # torch.dtype for tensors, np.dtype for arrays and PIL images
    mode: str | None = None  # PIL mode

    @property
    def is_image(self) -> bool:
        return self.layout != "row"

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return item_image_shape(self.layout, self.shape)

    @property
    def numpy_dtype(self) -> np.dtype:
        if self.container == "tensor":
            if self.dtype in (torch.bfloat16, torch.float16):
                return np.dtype(np.float32)
            return torch.empty(0, dtype=self.dtype).numpy().dtype
        return np.dtype(self.dtype)

    def describe(self) -> str:
        if self.container == "pil":
            return f"PIL image (mode {self.mode!r}) of size {self.shape[1]}x{self.shape[0]}"
        kind = f"{self.dtype} tensor" if self.container == "tensor" else f"{self.dtype} array"
        return f"{kind} of shape {self.shape}"


class ValueSummary(NamedTuple):
    """The smallest and largest value of a base's images, and the share of its values outside a
    fitted range widened by a tenth of its span each side (None without a fitted range)."""

    low: float
    high: float
    outside: float | None


def read_base(base, *, stack: bool, fitted_range: tuple | None = None):
    """One pass over ``base``: ``(spec, y, label_objects, X, values)``: the item spec, the plain
    labels, one label object per class, when ``stack`` the stacked ``x`` in a layout GANAugmenter
    reads unambiguously (else None), and a :class:`ValueSummary` of the images' ``x`` (None for
    rows, unless a ``fitted_range`` of images is given: rows then hold flattened images)."""
    n = len(base)
    if n == 0:
        raise ValueError("The base dataset is empty.")
    spec, labels, label_objects, xs = None, [], {}, []
    low, high = np.inf, -np.inf
    outside = total = 0
    if fitted_range is not None:
        margin = (fitted_range[1] - fitted_range[0]) / 10
        wide_low, wide_high = fitted_range[0] - margin, fitted_range[1] + margin
    for i in range(n):
        x, label = split_item(base[i], i)
        this = item_spec(x, i)
        if spec is None:
            spec = this
        elif this != spec:
            raise ValueError(
                f"Item {i} of the base dataset is a {this.describe()}, but item 0 is a {spec.describe()}; "
                "every x must have one type, shape and dtype (resize or convert them in the base dataset)."
            )
        plain = _plain_label(label, i)
        if plain not in label_objects:
            label_objects[plain] = copy_label(label)
        labels.append(plain)
        measure = spec.is_image or fitted_range is not None
        if stack or measure:
            values = _as_numpy(x, spec)
            # Rows may miss values (a table's are modelled); an image's pixels are named here, by item.
            if spec.is_image and values.dtype.kind == "f" and not np.isfinite(values).all():
                raise ValueError(f"Item {i} of the base dataset holds {int((~np.isfinite(values)).sum())} NaN or "
                                 "infinite pixel values; images must be complete (fill or drop them in the base "
                                 "dataset).")
            largest = float(np.abs(values).max()) if spec.is_image and values.dtype.kind == "f" and values.size else 0
            if largest > float(np.finfo(np.float32).max):  # a Python float: numpy would cast largest to float32
                raise ValueError(f"Item {i} of the base dataset holds pixel values up to {largest:.3g}, past float32's "
                                 "largest number (about 3.4e38), in which images are worked on; rescale them in the "
                                 "base dataset (e.g. to 0..1).")
            if measure and values.size:
                low, high = min(low, float(values.min())), max(high, float(values.max()))
                if fitted_range is not None:
                    outside += int(np.count_nonzero((values < wide_low) | (values > wide_high)))
                    total += values.size
            if stack:
                xs.append(values)
    assert spec is not None  # the base holds at least one item
    # True == 1 in Python: label_objects would merge the two into one class, as it would 1 and 1.0;
    # refused as the samplers refuse them (before the labels are reduced to label_objects' keys).
    # Strings beside numbers too: numpy turns [0, "0"] into strings, not objects, and the two
    # would become one class.
    check_label_kinds(labels, "The base dataset", one_type="give every item's label the same type")
    missing = [i for i, label in enumerate(labels) if isinstance(label, float) and math.isnan(label)]
    if missing:
        # Checked here for every door: a fitted or saved augmenter never sees the labels as a
        # target, and each NaN (not equal to itself) became a class of its own.
        raise DataValidationError(
            f"The base dataset has {len(missing)} item{'s' if len(missing) != 1 else ''} of {n} whose label is NaN "
            f"(item{'s' if len(missing) != 1 else ''} {', '.join(map(str, missing[:5]))}"
            f"{', ...' if len(missing) > 5 else ''}); a class cannot be missing: leave those items out (a Subset of "
            "the others) or give them their class.")
    y = np.asarray(labels)
    if y.dtype.kind == "f" and all(isinstance(label, int) and not isinstance(label, bool) for label in labels):
        # Integers beyond int64 (uint64 labels): numpy made them floats, which lose their last digits
        # and read as a regression target; uint64 holds them exactly.
        y = np.asarray(labels, dtype=np.uint64) if min(labels) >= 0 else np.asarray(labels, dtype=object)
    if y.dtype == object:
        raise ValueError(
            "The base dataset's labels mix types (e.g. ints and strs); give every item the same kind of label."
        )
    summary = None
    if np.isfinite(low) and np.isfinite(high):
        summary = ValueSummary(low, high, outside / total if fitted_range is not None and total else None)
    return spec, y, label_objects, _stack(xs, spec) if stack else None, summary


def _stack(xs: list, spec: ItemSpec) -> np.ndarray:
    X = np.stack(xs)
    if not spec.is_image:
        return X
    batch_layout = items_to_batch_layout(spec.layout)
    if infer_layout(X.shape)[0] != batch_layout:
        # (N, C, H, 1 or 3) would be read as channel-last: hand it over channel-last, which is unambiguous.
        X = np.ascontiguousarray(from_nchw(to_nchw(X, batch_layout, spec.image_shape), "nhwc"))
    return X


def split_item(item, index):
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        if isinstance(item, (tuple, list)):
            what = f"a {type(item).__name__} of {len(item)} elements"
        elif isinstance(item, dict):
            what = f"a dict with keys {list(item)[:6]}"
        else:
            what = _short(item)
        raise ValueError(
            f"Item {index} of the base dataset is {what}; AugmentedDataset needs (x, label) pairs. Wrap the "
            "dataset in one whose __getitem__ returns (x, label), e.g. (item['image'], item['label'])."
        )
    return item[0], item[1]


def item_spec(x, index) -> ItemSpec:
    """The spec of one ``x``, or a clear error saying what is accepted."""
    if isinstance(x, torch.Tensor):
        shape = tuple(x.shape)
        layout = infer_item_layout(shape, channel_first=True)
        if layout is None or layout == "hwc":  # torch images are channel-first
            raise ValueError(
                f"Item {index}: x is a tensor of shape {shape}; AugmentedDataset takes image tensors (C, H, W) with "
                "C = 1 or 3, or (H, W), and table rows (F,)."
                + alpha_advice(shape, "x", batch=False, channel_last=False)
            )
        if x.is_complex():
            raise ValueError(f"Item {index}: x is a complex tensor; images and rows must be real numbers.")
        return ItemSpec("tensor", layout, shape, x.dtype)
    if is_pil_image(x):
        if x.mode not in _PIL_MODES:
            # PIL's convert() clips 16- and 32-bit values at 255 (a near-white image): those need scaling.
            wide = x.mode.startswith("I") or x.mode == "F"
            # Grey ones stay grey: 'RGB' would triple the channels of a mask or a scan.
            conversion = _TO_GREY.get(x.mode, "image.convert('RGB')")
            how = ("scale them to 8 bits in the base dataset, e.g. Image.fromarray((np.asarray(image) / 257)"
                   ".round().astype(np.uint8)) for 16-bit ones (image.convert('L') would clip every value above "
                   "255), or give tensors" if wide else f"convert them in the base dataset, e.g. {conversion}")
            raise ValueError(f"Item {index}: a PIL image of mode {x.mode!r}; AugmentedDataset models 'L' and 'RGB' "
                             f"images ({how}).")
        width, height = x.size
        shape = (height, width) if x.mode == "L" else (height, width, 3)
        return ItemSpec("pil", "hw" if x.mode == "L" else "hwc", shape, np.dtype(np.uint8), x.mode)
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "biuf":
            raise ValueError(f"Item {index}: x is an array of dtype {x.dtype}; images and rows must be numeric.")
        layout = infer_item_layout(x.shape, channel_first=False)
        if layout is None:
            raise ValueError(
                f"Item {index}: x is an array of shape {x.shape}; AugmentedDataset takes images (H, W), (H, W, C) or "
                "(C, H, W) with C = 1 or 3, and table rows (F,)." + alpha_advice(x.shape, "x", batch=False)
            )
        return ItemSpec("numpy", layout, tuple(x.shape), x.dtype)
    raise TypeError(
        f"Item {index}: x is a {type(x).__name__}; AugmentedDataset takes torch tensors, numpy arrays and PIL "
        "images (convert lists and other containers in the base dataset)."
    )


def as_item(values: np.ndarray, spec: ItemSpec):
    """One item of the base's type made from ``values`` (an array in the item's layout); always a
    new object, so a cache the values come from is never handed out."""
    if spec.container == "pil":
        from PIL import Image

        image = Image.fromarray(cast_values(values, np.dtype(np.uint8)))
        return image if image.mode == spec.mode else image.convert(spec.mode)
    values = cast_values(values, spec.numpy_dtype)
    if spec.container == "tensor":
        tensor = torch.from_numpy(values)
        return tensor if tensor.dtype == spec.dtype else tensor.to(spec.dtype)
    return values


def _as_numpy(x, spec: ItemSpec) -> np.ndarray:
    if spec.container == "tensor":
        x = x.detach().cpu()
        if x.dtype == torch.bfloat16:
            x = x.float()  # no numpy twin; other floats keep their values (float64 past float32's range is named)
        return x.numpy()
    return np.asarray(x)


def cast_values(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A copy of ``values`` as ``dtype``, rounded and clipped when going from floats to integers or
    booleans (a plain cast cuts 2.9 to 2 and makes 0.2 True)."""
    if dtype.kind in "biu" and values.dtype.kind == "f":
        return round_to_dtype(values, dtype)
    return np.array(values, dtype=dtype, copy=True)


def is_pil_image(x) -> bool:
    """Whether ``x`` is a PIL image (told without importing PIL)."""
    return type(x).__module__.startswith("PIL.") and hasattr(x, "mode") and hasattr(x, "size")


# ---------------------------------------------------------------------- labels
def _plain_label(label, index):
    """A label as a plain hashable value (int, str, float, bool) for the augmenter."""
    plain = _plain_value(label, index)
    if isinstance(plain, numbers.Complex) and not isinstance(plain, numbers.Real):
        # (sorting the classes failed with "'<' not supported between instances of 'complex'")
        raise DataValidationError(f"Item {index}: the label is the complex number {plain!r}; labels must be class ids "
                                  "(whole numbers or text).")
    if isinstance(plain, float) and math.isfinite(plain) and not plain.is_integer():
        # (refused by the augmenter's fit in the words of a y array, which this door has none of)
        raise DataValidationError(f"Item {index}: the label is {plain!r}, a number with a fractional part; labels must "
                                  "be class ids (whole numbers or text): map them to classes first (a "
                                  "target_transform, or a Dataset that returns the class).")
    return plain


def _plain_value(label, index):
    if isinstance(label, torch.Tensor):
        if label.numel() != 1 or label.ndim > 1:
            raise ValueError(
                f"Item {index}: the label is a tensor of shape {tuple(label.shape)}; labels must be class ids "
                "(one-hot or multi-label targets cannot be topped up per class)."
            )
        return label.item()
    if isinstance(label, np.ndarray):
        if label.size != 1:
            raise ValueError(f"Item {index}: the label is an array of shape {label.shape}; labels must be class ids.")
        return label.item()
    if isinstance(label, np.generic):
        return label.item()
    if isinstance(label, (numbers.Number, str)):
        return label
    raise TypeError(f"Item {index}: the label is a {type(label).__name__}; labels must be ints, strs or 0-d tensors.")


def copy_label(label):
    """The label object to hand out: tensors are copied (and detached from a larger storage)."""
    if isinstance(label, torch.Tensor):
        return label.detach().clone()
    if isinstance(label, np.ndarray):
        return label.copy()
    return label


def sort_key(label):
    return (type(label).__name__ == "str", label)


def _short(item) -> str:
    text = repr(item)
    return text if len(text) <= 80 else f"a {type(item).__name__}"
