"""How much the synthetic rows of a class look like the real rows of that class.

* Classifier two-sample test (C2ST): a random forest is cross-validated on real vs synthetic rows
  (equal numbers of each); its ROC AUC is 0.5 when the two cannot be told apart and 1.0 when they
  always can.
* Per-column distance: the Kolmogorov-Smirnov statistic for numeric columns (missing values
  dropped) and the total variation distance for categorical ones (missing is one more category);
  both lie in [0, 1], 0 is ideal.
* Correlation difference: the mean absolute difference between the Pearson correlation matrices of
  the numeric columns (upper triangle), 0 is ideal.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gan_augment.evaluation._prep import TableEncoder, as_floats, as_text, columns_of, observed_floats, split_columns
from gan_augment.planner import plain_label


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov statistic. Only the statistic: scipy's p-value warned
    ("Exact calculation unsuccessful", or a division by zero for one value a side) and, under
    warnings as errors, threw the whole report away."""
    from scipy.stats import ks_2samp

    with np.errstate(all="ignore"):
        return float(ks_2samp(a, b, method="asymp").statistic)


def column_distances(real: pd.DataFrame, synthetic: pd.DataFrame, categorical=()) -> list[dict]:
    """One record per column: ``column``, ``kind`` and ``distance`` (KS or total variation); the
    columns in ``categorical`` are categories whatever they hold (as everywhere in the evaluation)."""
    numeric, categorical = split_columns(real, categorical)
    records = []
    for column in real.columns:
        if column in numeric:
            a, b = observed_floats(real[column]), observed_floats(synthetic[column])
            distance = _ks_statistic(a, b) if len(a) and len(b) else _one_side_empty(a, b)
            kind = "numeric (KS)"
        else:
            a = pd.Series(as_text(columns_of(real, [column]))[:, 0]).value_counts(normalize=True)
            b = pd.Series(as_text(columns_of(synthetic, [column]))[:, 0]).value_counts(normalize=True)
            both = a.index.union(b.index)
            distance = float(0.5 * np.abs(a.reindex(both, fill_value=0) - b.reindex(both, fill_value=0)).sum()) \
                if len(a) and len(b) else _one_side_empty(a, b)
            kind = "categorical (TV)"
        records.append({"column": plain_label(column), "kind": kind, "distance": distance})  # as the user names it
    return records


def _one_side_empty(real_values, synthetic_values) -> float:
    """The distance of a column whose real or synthetic values are all missing: 1 (as far apart as
    two distributions get) when the other side has values, so that synthetic rows that leave a real
    column empty read as its worst column; NaN when neither has any."""
    return 1.0 if len(real_values) or len(synthetic_values) else math.nan


def correlation_difference(real: pd.DataFrame, synthetic: pd.DataFrame, categorical=()) -> float:
    numeric, _ = split_columns(real, categorical)
    if len(numeric) < 2 or len(real) < 3 or len(synthetic) < 3:
        return math.nan
    a = pd.DataFrame(as_floats(columns_of(real, numeric))).corr().to_numpy()
    b = pd.DataFrame(as_floats(columns_of(synthetic, numeric))).corr().to_numpy()
    upper = np.triu_indices(len(numeric), k=1)
    real_pairs, synthetic_pairs = a[upper], b[upper]
    defined = np.isfinite(real_pairs)  # a pair with a constant real column has no correlation to match
    # A synthetic column stuck at one value has no correlation either: it reproduces none (0) of the
    # real one, and must not drop out as if it matched.
    diff = np.abs(real_pairs[defined] - np.nan_to_num(synthetic_pairs[defined], nan=0.0))
    return float(diff.mean()) if diff.size else math.nan


def c2st_auc(real: pd.DataFrame, synthetic: pd.DataFrame, *, random_state=0, max_rows: int = 2000,
             categorical=()) -> float:
    """Cross-validated ROC AUC of a random forest telling real from synthetic rows (0.5 is ideal)."""
    rng = np.random.default_rng(random_state)
    n = min(len(real), len(synthetic), max_rows)
    if n < 4:
        return math.nan
    real = real.iloc[rng.choice(len(real), n, replace=False)]
    synthetic = synthetic.iloc[rng.choice(len(synthetic), n, replace=False)]
    encoder = TableEncoder(categorical).fit(real)
    return two_sample_auc(encoder.transform(real), encoder.transform(synthetic), rng=rng)


def two_sample_auc(real: np.ndarray, synthetic: np.ndarray, *, rng: np.random.Generator) -> float:
    """The C2ST on features: cross-validated ROC AUC of a random forest telling the rows of
    ``real`` from those of ``synthetic`` (two 2-D float arrays; ROC AUC does not depend on their
    proportions). NaN when either side has fewer than 2 rows."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.metrics import roc_auc_score

    if min(len(real), len(synthetic)) < 2:
        return math.nan
    features = np.vstack([real, synthetic])
    labels = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    folds = StratifiedKFold(n_splits=min(5, len(real), len(synthetic)), shuffle=True,
                            random_state=int(rng.integers(2**31 - 1)))
    forest = RandomForestClassifier(n_estimators=50, min_samples_leaf=2, random_state=int(rng.integers(2**31 - 1)),
                                    n_jobs=1)
    scores = cross_val_predict(forest, features, labels, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(labels, scores))


def fidelity(real: pd.DataFrame, synthetic: pd.DataFrame, *, random_state=0, categorical=()):
    """``(summary, per_column)``: a dict of the class-level scores and the per-column records
    (``categorical``: columns taken as categories whatever they hold)."""
    columns = column_distances(real, synthetic, categorical)
    distances = [r["distance"] for r in columns if np.isfinite(r["distance"])]
    worst = max(columns, key=lambda r: -1 if not np.isfinite(r["distance"]) else r["distance"]) if columns else None
    summary = {
        "n_real": int(len(real)),
        "n_synthetic": int(len(synthetic)),
        "c2st_auc": c2st_auc(real, synthetic, random_state=random_state, categorical=categorical),
        "mean_column_distance": float(np.mean(distances)) if distances else math.nan,
        "worst_column": worst["column"] if worst else None,
        "worst_column_distance": worst["distance"] if worst else math.nan,
        "correlation_difference": correlation_difference(real, synthetic, categorical),
    }
    return summary, columns
