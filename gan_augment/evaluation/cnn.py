"""A small CNN as a scikit-learn classifier, for the evaluator's image downstream model.

On images the question "did the top-up help?" is asked of a convolutional network, not of a
linear model on pixels: the image benchmarks (``benchmarks/IMAGES*.md``) train one. This wraps the
judge's CNN (:class:`~gan_augment.evaluation.images.ImageClassifier`, trained by
:func:`~gan_augment.evaluation.images.train_image_classifier`) in the scikit-learn protocol, so
that ``evaluate_augmentation(..., estimator="cnn")`` and ``gan-augment evaluate images/
--estimator cnn`` train it in every fold, beside every baseline, with ``class_weight="balanced"``
as the class-weighted-loss baseline.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_is_fitted

__all__ = ["CNNClassifier"]


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """A small CNN on rows of pixels (scikit-learn's classifier protocol).

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` of each row's image; rows hold the pixels in that order (as
        ``GANAugmenter(image_shape=...)`` reads them).
    epochs : int, default=10
    batch_size : int, default=64
    lr : float, default=1e-3
        Adam's initial learning rate, annealed to 0 (cosine).
    class_weight : None or "balanced", default=None
        "balanced": each class's loss weighted by the inverse of its frequency.
    random_state : int or None
        Seeds the weights, shuffling and dropout: the same int gives the same model on the CPU.

    Attributes
    ----------
    classes_ : ndarray
        Class labels, sorted.
    encoder_ : LabelEncoder
        Maps the labels to the network's class indices.
    model_ : torch.nn.Module
        The trained network.
    pixel_range_ : (float, float)
        The training rows' smallest and largest pixel value, mapped to -1 and 1.
    n_features_in_ : int
        Values per row (C x H x W).

    Notes
    -----
    Pixel values are mapped to [-1, 1] by the training rows' own minimum and maximum (uint8 images
    and 0..16 digits alike), and test rows by the same map.
    """

    def __init__(self, image_shape, *, epochs=10, batch_size=64, lr=1e-3, class_weight=None, random_state=None):
        self.image_shape = image_shape
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X, y):
        from gan_augment.data.layout import check_image_shape
        from gan_augment.evaluation.images import train_image_classifier

        shape = check_image_shape(self.image_shape)
        if self.class_weight not in (None, "balanced"):
            raise ValueError(f"class_weight must be None or 'balanced', got {self.class_weight!r}.")
        if not isinstance(self.epochs, numbers.Integral) or self.epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {self.epochs!r}.")
        pixels = self._pixels(X, shape)
        self.encoder_ = LabelEncoder().fit(np.asarray(y))
        self.classes_ = self.encoder_.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"y holds a single class ({self.classes_[0]!r}); a classifier needs at least 2.")
        # The training rows' range, mapped to [-1, 1]; a constant image set maps to 0.
        self.pixel_range_ = (float(pixels.min()), float(pixels.max()))
        self.model_ = train_image_classifier(self._scaled(pixels), self.encoder_.transform(np.asarray(y)),
                                             n_classes=len(self.classes_), epochs=int(self.epochs),
                                             batch_size=int(self.batch_size), lr=self.lr,
                                             class_balanced=self.class_weight == "balanced",
                                             random_state=self.random_state)
        self.n_features_in_ = pixels.shape[1] * pixels.shape[2] * pixels.shape[3]
        return self

    def predict_proba(self, X) -> np.ndarray:
        from gan_augment.evaluation.images import predict_probabilities

        check_is_fitted(self, "model_")
        # In float32 as trained, whatever the caller's autocast or torch defaults.
        return predict_probabilities(self.model_, self._scaled(self._pixels(X, tuple(self.image_shape))))

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def _pixels(self, X, shape) -> np.ndarray:
        from gan_augment.data.images import check_pixels

        # Numbers of any dtypes (a classifier gives labels back, not pixels of one dtype), then checked
        # finite and within float32 before the cast to it made them infinite.
        if hasattr(X, "columns"):
            X = _frame_pixels(X)
        else:
            try:
                array = np.asarray(X) if isinstance(X, (list, tuple, np.ndarray)) else None
            except ValueError:  # ragged: check_pixels names the item
                array = None
            if array is not None and array.dtype == object:
                if not _real_numbers(array.ravel()):
                    raise ValueError("X holds values that are no numbers (text, dates, ...); pixels must be numbers: "
                                     "convert them (X.astype(float)) or drop them.")
                X = array.astype(np.float64)  # None as NaN, named as missing below
        rows = check_pixels(X)  # its words for other containers and dtypes (dates, text, bfloat16, ragged lists)
        c, h, w = (int(v) for v in shape)
        if rows.ndim != 2 or rows.shape[1] != c * h * w:
            raise ValueError(f"image_shape={tuple(shape)} holds {c * h * w} pixels, but X has shape {rows.shape}; "
                             "give rows of pixels in (C, H, W) order.")
        return rows.astype(np.float32).reshape(len(rows), c, h, w)

    def _scaled(self, pixels: np.ndarray) -> np.ndarray:
        low, high = self.pixel_range_
        if high <= low:
            return np.zeros_like(pixels)
        return np.clip((pixels - low) / (high - low) * 2.0 - 1.0, -1.0, 1.0).astype(np.float32)


def _real_numbers(values) -> bool:
    """Whether every value is a real number or a bool (None and NaN: missing, named later)."""
    return all(value is None or isinstance(value, (numbers.Real, np.bool_))
               or (isinstance(value, numbers.Number) and not isinstance(value, numbers.Complex))  # Decimal
               for value in values)


def _frame_pixels(frame) -> np.ndarray:
    """A DataFrame's pixel columns as one float64 array, a column of other values named."""
    import pandas as pd

    for position, name in enumerate(frame.columns):  # by position: names may repeat
        column = frame.iloc[:, position]
        numbers = pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
        if isinstance(column.dtype, pd.CategoricalDtype):  # categories of numbers are numbers
            numbers = pd.api.types.is_numeric_dtype(column.cat.categories)
        if column.dtype == object:
            numbers = _real_numbers(column.dropna())
        if not numbers or pd.api.types.is_complex_dtype(column):
            raise ValueError(f"Pixels must be numbers, but column {name!r} of X holds {column.dtype} values; convert "
                             "it (pandas.to_numeric) or drop it.")
        if column.isna().any():
            raise ValueError(f"Column {name!r} of X holds missing pixel values; images must be complete (fill or "
                             "drop those images).")
    return frame.to_numpy(dtype=np.float64)
