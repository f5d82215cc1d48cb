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
                   min_variance: float = 0.0, *, difference: bool = False) -> Test:
    """Mean of ``values`` (per-fold scores or paired differences), its interval and the p-value of mean = 0.

    NaN values (a metric undefined on a fold) are dropped. With fewer than two finite values the
    bounds and p are NaN. ``min_variance`` is a floor on the values' sample variance (:func:`paired`
    sets it where the folds' differences are the same whole rows, whose spread says nothing). With
    no spread at all the interval is the point itself and p is 1 (it still counts as one of the
    hypotheses tested when a family is corrected). ``bounds=(lo, hi)`` clips the interval to the
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
    # A spread in the last digits only (-0.3 and -0.30000000000000004: the same score reached by
    # other sums) is none: a t statistic on it is huge.
    spread = float(values.max() - values.min())
    variance = 0.0 if spread <= _FLOAT_NOISE * max(1.0, float(np.abs(values).max())) else float(values.var(ddof=1))
    scale = math.sqrt((1.0 / values.size + float(test_train_ratio)) * max(variance, float(min_variance)))
    if scale == 0.0:
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


def _tally_steps(folds: Sequence, method: str, reference: str, tallies: Callable[[Any, str], Optional[tuple]],
                 differences: Sequence[float], steady: bool) -> Optional[list]:
    """Each fold's step, the difference one count less would make (``|difference| / its largest
    count change``), where the counts of ``tallies`` change by the same whole numbers in every fold
    or (``steady``: the difference is the same in every fold) by some in each; None otherwise
    (counts that do not move explain no difference in the score)."""
    changes = []
    for fold in folds:
        ours, theirs = tallies(fold, method), tallies(fold, reference)
        if ours is None or theirs is None:
            return None
        changes.append(tuple(round(a - b) for a, b in zip(ours, theirs)))
    largest = [max(map(abs, change), default=0) for change in changes]
    if min(largest) == 0 or not (steady or len(set(changes)) == 1):
        return None
    return [abs(d) / n for d, n in zip(differences, largest)]


def _one_step_less_variance(differences: Sequence[float], steps: Sequence[float]) -> float:
    """The least sample variance of ``differences`` with one fold moved one of its ``steps`` toward
    0 (not past it): the least spread that whole steps can show. Taken over every fold, so that no
    difference of one step less in one fold is stronger evidence than the same in every fold."""
    values = np.asarray(differences, dtype=float)
    least = math.inf
    for fold, step in enumerate(steps):
        moved = values.copy()
        moved[fold] -= math.copysign(min(abs(moved[fold]), step), moved[fold])
        least = min(least, float(moved.var(ddof=1)))
    return least


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

    Where every fold's difference is the same whole number of test rows (3 of 72 and 3 of 71 rows:
    ``rows(fold)`` is the count a score rests on, the fold's own test rows by default, a class's
    for a per-class score), their spread is rounding: a t statistic on it is huge, and none at all
    would be no evidence, though a change found in every fold is the steadiest there is. Such a
    difference is tested as if one fold had moved one row less (its variance is the floor): the
    evidence grows with the folds and the size of the change, and a change the same in every fold
    is never weaker evidence than one that varies (one more rare row found in each of 15 folds had
    p = 1 where 14 of 15 had p < 0.001). A score that is no multiple of one count (macro-F1,
    balanced accuracy: averages over classes of different sizes) gives ``tallies(fold, method)``,
    the counts it is made of (each class's true and false positives), or None where they cannot be
    read: the same change of every count in every fold is whole steps too, of its largest count,
    and so is the same difference made by other counts in each fold (one rare row of one class, then
    of another). The same difference in every fold that is no same number of rows (the same share
    of folds of other sizes) is whole steps of each fold's rows. The floor is the least variance of
    one step less in any one fold (a step weighs more in a smaller fold). Any other spread is tested
    as it is."""
    differences = [key(fold, method) - key(fold, reference) for fold in folds]
    # A fold whose score is undefined (a precision where a method called no row the class) is left
    # out here as corrected_test leaves it out: the floor is read off the folds that are tested.
    defined = [(fold, d) for fold, d in zip(folds, differences) if math.isfinite(d)]
    floor = 0.0
    if len(defined) > 1:
        kept, kept_differences = [fold for fold, _ in defined], [d for _, d in defined]
        steps = _whole_steps(kept, method, reference, kept_differences, rows, tallies)
        if steps is not None:
            floor = _one_step_less_variance(kept_differences, steps)
    return corrected_test(differences, plan.test_train_ratio, plan.confidence, bounds, floor, difference=True)


def _whole_steps(folds: Sequence, method: str, reference: str, differences: Sequence[float],
                 rows: Optional[Callable[[Any], int]], tallies) -> Optional[list]:
    """Each fold's step (one row, or one count of ``tallies``, as a difference of the score) where
    the folds' differences are whole steps whose spread says nothing: the same number of rows in
    every fold, the same difference in every fold (the same share of folds of other sizes), or the
    same counts changed; None where the spread is to be tested as it is."""
    sizes = [(rows(fold) if rows is not None else getattr(fold, "n_test", 0)) or 0 for fold in folds]
    values = np.asarray(differences, dtype=float)
    steady = bool(values[0] != 0 and np.ptp(values) <= _FLOAT_NOISE * max(1.0, float(np.abs(values).max())))
    if all(n > 0 for n in sizes):
        lost = values * np.asarray(sizes, dtype=float)  # in rows
        whole = np.abs(lost - np.round(lost)) <= 1e-6
        same_rows = bool(whole.all() and np.ptp(lost) <= 1e-9 * max(1.0, float(np.abs(lost).max()))
                         and round(abs(lost[0])) > 0)
        if same_rows or steady:
            return [1.0 / n for n in sizes]
    if tallies is not None:
        return _tally_steps(folds, method, reference, tallies, differences, steady)
    return None
