"""What a practitioner would do without us: the resampling baselines, in one place.

The evaluator compares the GAN top-up with these, and :class:`~gan_augment.AutoAugmenter` chooses
among them; both build them here so that a baseline means the same thing everywhere.

* ``"random"``: imbalanced-learn's RandomOverSampler (repeat rare rows).
* ``"smote"``: :class:`MixedSMOTE`, SMOTE on numeric tables, SMOTE-NC on mixed ones and SMOTE-N on
  categorical ones, accepting missing values -- what a careful practitioner would set up by hand.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC, RandomOverSampler
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils.validation import validate_data

from gan_augment._compat import Interval, check_X_frame
from gan_augment._sampler import TableSamplerMixin
from gan_augment.planner import plain_label

__all__ = ["BASELINE_SAMPLERS", "MixedSMOTE", "baseline_sampler", "is_numeric", "split_columns"]

#: Resampling baselines by the name the evaluator and AutoAugmenter use.
BASELINE_SAMPLERS = ("random", "smote")
_MISSING = "(missing)"


def is_numeric(series: pd.Series) -> bool:
    """Numbers SMOTE may interpolate; booleans count as categories."""
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def split_columns(X: pd.DataFrame) -> tuple[list, list]:
    """``(numeric columns, categorical columns)`` of ``X``."""
    numeric = [c for c in X.columns if is_numeric(X[c])]
    return numeric, [c for c in X.columns if c not in numeric]


def baseline_sampler(method: str, sampling_strategy="auto", random_state=None):
    """A fresh, unfitted imbalanced-learn sampler for the baseline ``method``."""
    if method == "random":
        return RandomOverSampler(sampling_strategy=sampling_strategy, random_state=random_state)
    if method == "smote":
        return MixedSMOTE(sampling_strategy=sampling_strategy, random_state=random_state)
    raise ValueError(f"Unknown baseline {method!r}; expected one of {list(BASELINE_SAMPLERS)}.")


class MixedSMOTE(TableSamplerMixin, BaseOverSampler):
    """SMOTE for any table: SMOTE, SMOTE-NC or SMOTE-N chosen by the columns' types.

    Missing values are imputed (median / most frequent) for the interpolation only: the real rows
    are returned as they were, followed by the new rows, cast to the input's column dtypes. The
    number of neighbours shrinks to what the smallest class to top up allows (at least 1).

    Parameters
    ----------
    sampling_strategy : as in imbalanced-learn
    k_neighbors : int, default=5
        The most neighbours to interpolate between.
    random_state : int, RandomState instance or None
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", k_neighbors=5, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.k_neighbors = k_neighbors
        self.random_state = random_state

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = check_X_frame(X)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        frame = X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        counts = dict(zip(*np.unique(y, return_counts=True)))
        to_add = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        if not to_add:
            return X, y
        single = [label for label in to_add if counts[label] < 2]
        if single:
            shown = ", ".join(repr(plain_label(label)) for label in single)
            raise ValueError(f"SMOTE cannot top up class {shown}: it has a single row, and SMOTE interpolates "
                             "between two rows of a class. Top it up with random oversampling or the GAN, or "
                             "leave it out.")
        smallest = min(counts[label] for label in to_add)
        k = min(self.k_neighbors, smallest - 1)
        numeric, categorical = split_columns(frame)
        imputed = _impute(frame, numeric, categorical)
        target = {label: counts[label] + n for label, n in to_add.items()}
        if categorical and numeric:
            sampler = SMOTENC(categorical_features=[frame.columns.get_loc(c) for c in categorical],
                              sampling_strategy=target, k_neighbors=k, random_state=self.random_state)
        elif categorical:
            sampler = SMOTEN(sampling_strategy=target, k_neighbors=k, random_state=self.random_state)
        else:
            sampler = SMOTE(sampling_strategy=target, k_neighbors=k, random_state=self.random_state)
        X_res, y_res = sampler.fit_resample(imputed, y)
        new = pd.DataFrame(np.asarray(X_res, dtype=object)[len(frame):], columns=frame.columns)
        combined = pd.concat([frame, _cast_like(new, frame)], ignore_index=True)
        if isinstance(X, pd.DataFrame):
            return combined, np.asarray(y_res)
        return combined.to_numpy(dtype=np.asarray(X).dtype), np.asarray(y_res)


def _impute(frame: pd.DataFrame, numeric: list, categorical: list) -> pd.DataFrame:
    imputed = frame.copy()
    for column in numeric:
        values = pd.to_numeric(imputed[column], errors="coerce").astype(float)
        imputed[column] = values.fillna(values.median() if values.notna().any() else 0.0)
    for column in categorical:
        text = imputed[column].astype(object)
        mode = text.dropna().mode()
        imputed[column] = text.where(text.notna(), mode.iloc[0] if len(mode) else _MISSING).astype(str)
    return imputed


def _cast_like(new: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """New rows in the dtypes of ``like`` (SMOTE-N/NC hand categories back as strings)."""
    new = new.copy()
    for column in like.columns:
        dtype = like[column].dtype
        try:
            if pd.api.types.is_bool_dtype(dtype):
                new[column] = new[column].astype(str).map({"True": True, "False": False}).astype(dtype)
            elif pd.api.types.is_integer_dtype(dtype):
                new[column] = pd.to_numeric(new[column]).round().astype(dtype)
            elif isinstance(dtype, pd.CategoricalDtype):
                categories = {str(c): c for c in dtype.categories}
                new[column] = pd.Categorical(new[column].astype(str).map(categories), dtype=dtype)
            elif dtype == object:
                originals = {str(v): v for v in like[column].dropna().unique()}
                new[column] = new[column].map(lambda v: originals.get(str(v), v))
            else:
                new[column] = new[column].astype(dtype)
        except (TypeError, ValueError):
            pass  # keep the values as the sampler returned them
    return new
