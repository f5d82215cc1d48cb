"""Column kinds, the built-in estimators and a numeric encoding of a table (for distances)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from gan_augment.baselines import is_numeric, split_columns
from gan_augment.data.tabular import column_floats

__all__ = ["ESTIMATORS", "MISSING", "TableEncoder", "as_text", "build_estimator", "is_numeric", "split_columns"]

MISSING = "(missing)"

#: Names accepted by ``estimator=`` (and ``--estimator``), with what they build.
ESTIMATORS = {
    "logreg": "logistic regression (median-imputed, standardised numbers; one-hot categories)",
    "hgb": "HistGradientBoostingClassifier (native categories and missing values)",
    "rf": "a random forest of 200 trees (ordinal-encoded categories)",
}


def columns_of(frame: pd.DataFrame, names) -> pd.DataFrame:
    """The columns ``names`` of ``frame``, by name: ``frame[names]`` reads a list of booleans as a
    mask, so that columns named True and False (which the GAN takes) were not found."""
    return frame.iloc[:, frame.columns.get_indexer(list(names))]


def as_text(X):
    """Categories as plain strings, missing values as their own category (module level: picklable).
    A whole-number float is written as the integer it holds: a code 1 that a sampler working on
    arrays gave back as 1.0 is the category 1 again (as '1.0' it was another: its copies of training
    rows read as new, and the classifier met a category it never saw)."""
    frame = pd.DataFrame(X).copy()
    for column in frame.columns:
        values = frame[column].astype(object)
        if pd.api.types.infer_dtype(values, skipna=True) in ("floating", "mixed-integer-float", "mixed", "decimal",
                                                               "mixed-integer"):
            # As objects: Series.map made [1, NaN] floats again, and 1 was '1.0' beside a NaN only.
            values = pd.Series([_whole_as_int(value) for value in values], index=values.index, dtype=object)
        frame[column] = values.where(values.notna(), MISSING).astype(str)
    return frame.to_numpy(dtype=object)


def _whole_as_int(value):
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    return value


def as_floats(X) -> np.ndarray:
    """Numeric columns as float64, missing values (``None``, ``pd.NA``) as NaN: an object column of
    numbers is numbers, as the GAN's encoder reads it (module level: picklable)."""
    frame = pd.DataFrame(X)
    return np.column_stack([column_floats(frame.iloc[:, i]) for i in range(frame.shape[1])])


class EmptyColumnsAsZero(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Numbers passed on as float64 (pandas' nullable Int64 / Float64 with ``pd.NA`` included:
    the trees take NaN, not ``pd.NA``), except columns with no value at all in ``fit``: zeros.

    scikit-learn's HistGradientBoosting fails on a column that is entirely missing ("window shape
    cannot be larger than input array shape" from its binning, sklearn 1.9), which real tables
    have (Weka's hypothyroid never measures TBG) and a cross-validation fold of a sparsely filled
    column can have. Such a column carries nothing to learn from, and as zeros it is a constant the
    trees ignore. Missing values in every other column stay missing: the trees route them natively.
    """

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan")
        self.empty_ = np.isnan(X).all(axis=0)
        return self

    def transform(self, X):
        check_is_fitted(self, "empty_")
        X = validate_data(self, X, reset=False, dtype=np.float64, ensure_all_finite="allow-nan", copy=True)
        X[:, self.empty_] = 0.0
        return X


def build_estimator(name: str, X: pd.DataFrame, random_state=None, categorical=()):
    """The built-in estimator ``name`` as a pipeline that accepts ``X``'s columns as they are, those
    named in ``categorical`` taken as categories."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

    numeric, categorical = split_columns(X, categorical)
    # By position: ColumnTransformer reads integer names as positions and booleans as a mask, and
    # refuses float names; a table with columns named 1 and 0 had its columns swapped.
    numeric, categorical = [X.columns.get_loc(c) for c in numeric], [X.columns.get_loc(c) for c in categorical]
    floats = FunctionTransformer(as_floats, feature_names_out="one-to-one")
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        parts = []
        if numeric:
            parts.append(("num", make_pipeline(floats, SimpleImputer(strategy="median", keep_empty_features=True),
                                               StandardScaler()), numeric))
        if categorical:
            parts.append(("cat", make_pipeline(FunctionTransformer(as_text),
                                               OneHotEncoder(handle_unknown="ignore")), categorical))
        return _default_output(Pipeline([("prep", ColumnTransformer(parts)),
                                          ("model", LogisticRegression(max_iter=2000, random_state=random_state))]))
    # HistGradientBoosting's categories are bins: at most 255 per column (its max_bins), or it fails
    # on a column of zip codes. The rarest levels beyond that share one code (OrdinalEncoder's
    # infrequent category); fewer levels are encoded as before.
    ordinal = make_pipeline(FunctionTransformer(as_text), OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan,
        max_categories=_HGB_LEVELS if name == "hgb" else None))
    parts = ([("cat", ordinal, categorical)] if categorical else []) + \
            ([("num", make_pipeline(floats, EmptyColumnsAsZero()), numeric)] if numeric else [])
    prep = ColumnTransformer(parts)
    if name == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        mask = [True] * len(categorical) + [False] * len(numeric)
        model = HistGradientBoostingClassifier(categorical_features=mask if categorical else None,
                                               random_state=random_state)
    elif name == "rf":
        from sklearn.ensemble import RandomForestClassifier

        model = RandomForestClassifier(n_estimators=200, random_state=random_state, n_jobs=1)
    else:  # pragma: no cover - checked by the caller
        raise ValueError(name)
    return _default_output(Pipeline([("prep", prep), ("model", model)]))


#: The most categories HistGradientBoostingClassifier takes in one column (its default max_bins).
_HGB_LEVELS = 255


def _default_output(pipeline):
    """``pipeline`` with numpy (and sparse) outputs whatever ``sklearn.set_config(transform_output=...)``
    says: under "pandas" the one-hot encoder's sparse output is refused, and the estimators work on arrays."""
    return pipeline.set_output(transform="default")


class TableEncoder:
    """Numbers for distances: standardised numeric columns (median-imputed, plus a missing flag where
    values are missing) and one-hot categories scaled by 1/sqrt(2), so that a different category
    counts as one unit of distance, like one standard deviation of a number."""

    #: One-hot columns beyond which ``transform(..., allow_sparse=True)`` returns a sparse matrix: a
    #: column of ids or zip codes made rows x levels dense floats (16,000 rows of ids: 2 GB).
    DENSE_LEVELS = 256

    def __init__(self, categorical=(), *, one_scale: bool = False):
        self.categorical = tuple(categorical)  # columns taken as categories whatever they hold
        self.one_scale = one_scale  # every number on one scale (an image's pixels), not each on its own

    def fit(self, X: pd.DataFrame):
        self.numeric_, self.categorical_ = split_columns(X, self.categorical)
        self.medians_ = {c: _median(X[c]) for c in self.numeric_}
        self.missing_ = [c for c in self.numeric_ if X[c].isna().any()]
        spreads = {}
        for c in self.numeric_:
            values = _floats(X[c]).fillna(self.medians_[c])
            spreads[c] = float(values.std(ddof=0)) if len(values) else 0.0
        if self.one_scale and spreads:  # the pooled spread: the root of the columns' mean variance
            spreads = dict.fromkeys(spreads, float(np.sqrt(np.mean(np.square(list(spreads.values()))))))
        self.scales_ = {c: spread if spread > 0 else 1.0 for c, spread in spreads.items()}
        self.categories_ = {c: sorted(set(as_text(columns_of(X, [c]))[:, 0])) for c in self.categorical_}
        return self

    def transform(self, X: pd.DataFrame, *, allow_sparse: bool = False):
        """``X`` encoded: a float array, or with ``allow_sparse`` a CSR matrix when the categories
        take more than :attr:`DENSE_LEVELS` one-hot columns (the same values either way)."""
        parts = []
        for c in self.numeric_:
            values = _floats(X[c])
            parts.append(((values.fillna(self.medians_[c]) - self.medians_[c]) / self.scales_[c]).to_numpy()[:, None])
        for c in self.missing_:
            parts.append(X[c].isna().to_numpy(dtype=float)[:, None])
        one_hot = [self._one_hot(columns_of(X, [c]), self.categories_[c]) for c in self.categorical_]
        if allow_sparse and sum(part.shape[1] for part in one_hot) > self.DENSE_LEVELS:
            numbers = np.hstack(parts) if parts else np.zeros((len(X), 0))
            return sparse.hstack([sparse.csr_matrix(numbers), *one_hot], format="csr", dtype=float)
        parts += [part.toarray() for part in one_hot]
        if not parts:
            return np.zeros((len(X), 0))
        return np.hstack(parts).astype(float)

    @staticmethod
    def _one_hot(column: pd.DataFrame, categories: list) -> sparse.csr_matrix:
        """One column's categories one-hot, scaled by 1/sqrt(2); a category not seen in fit: all 0."""
        position = {category: i for i, category in enumerate(categories)}
        codes = np.array([position.get(text, -1) for text in as_text(column)[:, 0]], dtype=np.int64)
        rows = np.flatnonzero(codes >= 0)
        values = np.full(len(rows), 1 / np.sqrt(2.0))
        return sparse.csr_matrix((values, (rows, codes[rows])), shape=(len(codes), len(categories)))


def observed_floats(column: pd.Series) -> np.ndarray:
    """A numeric column's values that are not missing, as float64 (through the encoder's reader:
    pandas.to_numeric fails on Arrow's float16)."""
    values = column_floats(column)
    return values[~np.isnan(values)]


def _floats(series: pd.Series) -> pd.Series:
    return pd.Series(column_floats(series), index=series.index)


def _median(series: pd.Series) -> float:
    values = _floats(series).dropna()
    return float(values.median()) if len(values) else 0.0
