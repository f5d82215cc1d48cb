"""Intervals for paired differences from repeated cross-validation.

Scores of the same method on different folds are not independent (the training sets overlap), so
the naive standard error of their mean is too small and its intervals too narrow. We use the
corrected resampled t interval of Nadeau & Bengio (2003), as applied to repeated k-fold
cross-validation by Bouckaert & Frank (2004):

    d_j  = score(method, fold j) - score(reference, fold j),   j = 1..J  (J = k folds x r repeats)
    var  = (1/J + n_test/n_train) * s^2(d)
    mean(d) +/- t_{J-1, (1+confidence)/2} * sqrt(var)

``n_test/n_train`` is ``1/(k-1)`` for k-fold cross-validation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

METHOD_NAME = ("Student t interval on the per-fold paired differences with the Nadeau-Bengio corrected "
               "variance (1/J + n_test/n_train) * s^2 for repeated cross-validation")


def corrected_interval(values, test_train_ratio: float, confidence: float = 0.95):
    """``(mean, low, high)`` of ``values`` (per-fold scores or paired differences).

    NaN values (a metric undefined on a fold) are dropped. With fewer than two finite values the
    bounds are NaN; with zero spread the interval is the point itself.
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if values.size < 2:
        return mean, math.nan, math.nan
    variance = (1.0 / values.size + float(test_train_ratio)) * float(values.var(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, values.size - 1)) * math.sqrt(variance)
    return mean, mean - half, mean + half


class IntervalSettings(Protocol):
    """What :func:`paired` needs of an evaluation plan."""

    @property
    def test_train_ratio(self) -> float: ...

    @property
    def confidence(self) -> float: ...


def paired(plan: IntervalSettings, folds: Sequence, method: str, reference: str,
           key: Callable[[Any, str], float]):
    """``(mean, low, high)`` of per-fold ``key(fold, method) - key(fold, reference)``."""
    differences = [key(fold, method) - key(fold, reference) for fold in folds]
    return corrected_interval(differences, plan.test_train_ratio, plan.confidence)
