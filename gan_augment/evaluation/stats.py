"""Intervals and tests for paired differences from repeated cross-validation.

Scores of the same method on different folds are not independent (the training sets overlap), so
the naive standard error of their mean is too small and its intervals too narrow. We use the
corrected resampled t statistic of Nadeau & Bengio (2003), as applied to repeated k-fold
cross-validation by Bouckaert & Frank (2004):

    d_j  = score(method, fold j) - score(reference, fold j),   j = 1..J  (J = k folds x r repeats)
    var  = (1/J + n_test/n_train) * s^2(d)
    mean(d) +/- t_{J-1, (1+confidence)/2} * sqrt(var),   p = 2 * P(T_{J-1} > |mean(d)| / sqrt(var))

``n_test/n_train`` is ``1/(k-1)`` for k-fold cross-validation.

Every score the evaluator compares is a rate in [0, 1], so a level lies in [0, 1] and a difference
of two in [-1, 1]; the t interval knows nothing of that, and is clipped to the range (``bounds``).
Clipping changes neither the mean nor the p-value. Several methods (or classes) tested at once are
corrected with Holm's step-down procedure (:func:`holm`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Optional, Protocol

import numpy as np

METHOD_NAME = ("Student t interval on the per-fold paired differences with the Nadeau-Bengio corrected "
               "variance (1/J + n_test/n_train) * s^2 for repeated cross-validation, clipped to the metric's "
               "range ([0, 1] for a score, [-1, 1] for a difference of two); p-values from the same corrected "
               "t statistic, Holm-adjusted across the methods compared with none (per metric) and across "
               "classes (per method and metric)")

LEVEL = (0.0, 1.0)  # the range of a score (a rate)
DIFFERENCE = (-1.0, 1.0)  # the range of a difference of two rates

Bounds = Optional[tuple[float, float]]


class Test(NamedTuple):
    """A corrected t interval and its two-sided p-value (NaN where undefined)."""

    mean: float
    low: float
    high: float
    p: float


def corrected_test(values, test_train_ratio: float, confidence: float = 0.95, bounds: Bounds = None,
                   resolution: float = 0.0, *, difference: bool = False) -> Test:
    """Mean of ``values`` (per-fold scores or paired differences), its interval and the p-value of mean = 0.

    NaN values (a metric undefined on a fold) are dropped. With fewer than two finite values the
    bounds and p are NaN. With no spread the interval is the point itself and p is 1: every fold
    giving the same difference (with few test rows, scores move in steps of 1/n) is not taken as
    evidence, but it still counts as one of the hypotheses tested when a family is corrected. "No
    spread" is a range of values below ``resolution`` (:func:`paired` sets it): folds of 72 and 71
    rows that each lose 3 rows differ by 0.0006, which is no spread, though a t statistic on it is
    huge. ``bounds=(lo, hi)`` clips the interval to the
    metric's range. For a paired ``difference`` with no spread the interval spans 0 and the mean:
    the point alone would exclude 0 beside a p of 1.
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return Test(math.nan, math.nan, math.nan, math.nan)
    mean = float(values.mean())
    if values.size < 2:
        return Test(mean, math.nan, math.nan, math.nan)
    scale = math.sqrt((1.0 / values.size + float(test_train_ratio)) * float(values.var(ddof=1)))
    spread = float(values.max() - values.min())
    # A spread in the last digits only (-0.3 and -0.30000000000000004: the same score reached by
    # other sums) is none: a t statistic on it is huge.
    if scale == 0.0 or spread < resolution or spread <= _FLOAT_NOISE * max(1.0, float(np.abs(values).max())):
        return Test(mean, min(mean, 0.0), max(mean, 0.0), 1.0) if difference else Test(mean, mean, mean, 1.0)
    df = values.size - 1
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df)) * scale
    p = float(2.0 * stats.t.sf(abs(mean) / scale, df))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return Test(mean, low, high, p)


#: Relative spread below which values that differ only by floating-point rounding count as equal.
_FLOAT_NOISE = 1e-12


def corrected_interval(values, test_train_ratio: float, confidence: float = 0.95, bounds: Bounds = None):
    """``(mean, low, high)`` of :func:`corrected_test`."""
    mean, low, high, _ = corrected_test(values, test_train_ratio, confidence, bounds)
    return mean, low, high


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (Holm 1979), in the order given.

    Reject hypothesis i at level alpha when its adjusted p is below alpha: this controls the chance
    of any false "significant" among the family at alpha, whatever their dependence. A NaN p (no
    test possible) stays NaN and does not count in the family.
    """
    p = np.asarray(p_values, dtype=float)
    finite = np.flatnonzero(np.isfinite(p))
    adjusted = np.full(p.shape, math.nan)
    order = finite[np.argsort(p[finite], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(p[i])))
        adjusted[i] = running
    return [float(v) for v in adjusted]


def _same_tally_changes(folds: Sequence, method: str, reference: str,
                        tallies: Callable[[Any, str], Optional[tuple]]) -> bool:
    """Whether ``method`` changes the counts of ``tallies`` by the same whole numbers in every fold,
    not all zero (counts that do not move explain no difference in the score)."""
    changes = set()
    for fold in folds:
        ours, theirs = tallies(fold, method), tallies(fold, reference)
        if ours is None or theirs is None:
            return False
        changes.add(tuple(round(a - b) for a, b in zip(ours, theirs)))
    return len(changes) == 1 and any(changes.pop())


class IntervalSettings(Protocol):
    """What :func:`paired` needs of an evaluation plan."""

    @property
    def test_train_ratio(self) -> float: ...

    @property
    def confidence(self) -> float: ...


def paired(plan: IntervalSettings, folds: Sequence, method: str, reference: str,
           key: Callable[[Any, str], float], bounds: Bounds = DIFFERENCE,
           rows: Optional[Callable[[Any], int]] = None,
           tallies: Optional[Callable[[Any, str], Optional[tuple]]] = None) -> Test:
    """:func:`corrected_test` of per-fold ``key(fold, method) - key(fold, reference)``.

    Differences that are the same number of test rows in every fold (3 of 72 and 3 of 71 rows, for
    folds that say how many they hold) are no spread, though they differ in their last digits and a
    t statistic on that is huge. ``rows(fold)``: the test rows the score rests on, the fold's own
    by default (a class's for a per-class score). A score that is no multiple of one count
    (macro-F1, balanced accuracy: averages over classes of different sizes) gives ``tallies(fold,
    method)``, the counts it is made of (each class's true and false positives), or None where they
    cannot be read: the same change of every count in every fold is no spread either (one more rare
    row found in each fold of 10, 10 and 9 rare rows read as p = 0.003). Any other spread is
    tested: a gain of macro-F1 +0.08 to +0.12 in every fold is evidence, whatever the folds' sizes
    (taking any spread under one test row's worth as none made it p = 1)."""
    differences = [key(fold, method) - key(fold, reference) for fold in folds]
    sizes = [(rows(fold) if rows is not None else getattr(fold, "n_test", 0)) or 0 for fold in folds]
    lost = [d * n for d, n in zip(differences, sizes) if n > 0 and math.isfinite(d)]  # in test rows
    same_rows = bool(lost) and len(lost) == len(differences) and \
        max(lost) - min(lost) <= 1e-9 * max(1.0, *map(abs, lost))
    if not same_rows and tallies is not None:
        same_rows = _same_tally_changes(folds, method, reference, tallies)
    resolution = math.inf if same_rows else 0.0
    return corrected_test(differences, plan.test_train_ratio, plan.confidence, bounds, resolution, difference=True)
