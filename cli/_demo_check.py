"""The demo's holdout check: one logistic regression per training set, scored on the real test
split, and a paired bootstrap over test rows for the differences (used by :mod:`cli.demo`).

The scores are computed with numpy, vectorised over the bootstrap resamples, instead of calling
scikit-learn's metrics once per resample.
"""

from __future__ import annotations

N_BOOTSTRAP = 1000


def _prepare(X):
    """Categories as plain objects with missing values as their own category, for one-hot encoding."""
    X = X.copy()
    for column in X.columns:
        if not _is_numeric(X[column]):
            X[column] = X[column].astype(object).where(X[column].notna(), "(missing)").astype(str)
    return X


def _is_numeric(series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def fit_predict(X_fit, y_fit, X_test, *, positive, seed):
    """Predictions (booleans: is it ``positive``?) of a scaled, one-hot logistic regression fitted on X_fit."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X_fit, X_test = _prepare(X_fit), _prepare(X_test)
    numeric = [c for c in X_fit.columns if _is_numeric(X_fit[c])]
    categorical = [c for c in X_fit.columns if c not in numeric]
    model = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), numeric),
                           ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)]),
        LogisticRegression(max_iter=2000, random_state=seed),
    )
    model.fit(X_fit, (y_fit == positive).to_numpy())
    return model.predict(X_test)


def scores(truth, predicted):
    """Macro-F1 over both classes, recall and precision of the rare class (binary, as booleans)."""
    import numpy as np

    batch = _scores_batch(np.asarray(truth, bool)[None, :], np.asarray(predicted, bool)[None, :])
    return tuple(float(values[0]) for values in batch)


def _scores_batch(truth, predicted):
    """Row-wise (macro-F1, recall, precision of the positive class) for boolean 2-D arrays."""
    import numpy as np

    tp = (truth & predicted).sum(axis=1).astype(float)
    fp = (~truth & predicted).sum(axis=1).astype(float)
    fn = (truth & ~predicted).sum(axis=1).astype(float)
    tn = (~truth & ~predicted).sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1_pos = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        f1_neg = np.where(2 * tn + fn + fp > 0, 2 * tn / (2 * tn + fn + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
    return (f1_pos + f1_neg) / 2, recall, precision


def paired_bootstrap(truth, predicted_a, predicted_b, seed):
    """Macro-F1 of a minus b, and a 95% percentile interval from resampling test rows (paired)."""
    import numpy as np

    truth, a, b = np.asarray(truth, bool), np.asarray(predicted_a, bool), np.asarray(predicted_b, bool)
    delta = _scores_batch(truth[None], a[None])[0][0] - _scores_batch(truth[None], b[None])[0][0]
    index = np.random.default_rng(seed).integers(0, len(truth), size=(N_BOOTSTRAP, len(truth)))
    deltas = _scores_batch(truth[index], a[index])[0] - _scores_batch(truth[index], b[index])[0]
    low, high = np.percentile(deltas, [2.5, 97.5])
    return float(delta), float(low), float(high)
