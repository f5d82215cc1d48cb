"""Cross-validation folds given as they are, a list of ``(train, test)`` pairs, as scikit-learn's
``cv`` takes them (``list(GroupKFold(5).split(X, y, groups))``): the evaluator's ``cv`` and
AutoAugmenter's inner ``cv`` read them here, checked before anything is trained."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd


def is_fold_list(cv) -> bool:
    """Whether ``cv`` is the folds themselves: an iterable that is not a splitter (a str has a
    ``split`` method too, and is no list of folds)."""
    return (isinstance(cv, Iterable) and not isinstance(cv, (str, bytes, Mapping))
            and not hasattr(cv, "split"))


def given_folds(cv, n_rows: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds of ``cv`` (see :func:`is_fold_list`) as row numbers of ``n_rows`` rows; a pair that
    is not one, or rows that are not there, are refused naming the split."""
    try:
        folds = list(cv)
    except TypeError:  # an iterable that is not one after all: a 0-d array
        raise TypeError(f"cv is a {type(cv).__name__} of no folds; give an int, a cross-validation splitter or a "
                        "list of (train, test) pairs of row numbers.") from None
    if not folds:
        raise ValueError("cv holds no (train, test) pair. A generator of folds (KFold(5).split(X, y)) is used up "
                         "by one fit: pass list(...) of it.")
    pairs = []
    for number, fold in enumerate(folds, start=1):
        try:
            train, test = fold
        except (TypeError, ValueError):
            raise TypeError(f"cv split {number} is not a (train, test) pair of row indices; cv as a list holds one "
                            "such pair per fold.") from None
        pairs.append((row_numbers(train, n_rows, number, "training"), row_numbers(test, n_rows, number, "test")))
    return pairs


def row_numbers(rows, n_rows: int, number: int, part: str) -> np.ndarray:
    """Split ``number``'s ``part`` (row numbers, or a True / False mask as scikit-learn also takes
    it) as row numbers in ``0 .. n_rows - 1``."""
    rows = np.asarray(rows)
    if rows.dtype == object and len(rows) and all(isinstance(value, (bool, np.bool_)) for value in rows.ravel()):
        rows = rows.astype(bool)  # a mask held as objects (a pandas Series of object dtype)
    if rows.dtype == object and any(value is pd.NA or value is None for value in rows.ravel()):
        raise ValueError(f"cv split {number}'s {part} part holds missing values; give row numbers, or a mask of "
                         "True / False for every row.")
    if rows.dtype == object and len(rows) and all(isinstance(value, numbers.Integral) for value in rows.ravel()):
        rows = rows.astype(np.int64)  # row numbers held as objects
    if rows.dtype == bool:
        if rows.shape != (n_rows,):
            raise ValueError(f"cv split {number}'s {part} part is a mask of shape {rows.shape} for {n_rows} rows; a "
                             "mask needs one value per row (or give row numbers).")
        return np.flatnonzero(rows)
    if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
        raise TypeError(f"cv split {number}'s {part} part is not a list of row numbers (got {rows.dtype} values of "
                        f"shape {rows.shape}); give whole row numbers (0 to {n_rows - 1}), or a mask of True / False "
                        "for every row.")
    outside = rows[(rows < 0) | (rows >= n_rows)]
    if outside.size:
        raise ValueError(f"cv split {number}'s {part} part holds row {outside[0]}, but the data has {n_rows} rows "
                         f"(numbered 0 to {n_rows - 1}): were its folds made of other data?")
    return rows.astype(np.intp, copy=False)
