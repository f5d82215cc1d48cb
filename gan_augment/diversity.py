"""Mode-collapse check: are a class's synthetic samples as varied as its real ones?

A collapsed generator returns normally and passes every shape and label check: every synthetic
row of a class is the same row (or one of two), or every image is one picture with a little noise.
Fidelity scores do not see it (each sample looks real), and topping a class up with copies of one
sample is worse than repeating the real ones. So after training, :func:`measure_diversity` draws
samples of each class and compares them with the real class on three numbers:

``distinct``
    Distinct synthetic samples, as a fraction of the distinct samples that as many draws *with
    replacement from the real class* would give (capped at 1). Drawing from the real rows is the
    fair reference: a class whose real rows hold 3 distinct values cannot be asked for 500.
``spread``
    Median over features of (synthetic std / real std), on features that vary in the real class.
    1 means as varied as the real class; 0 means one point.
``coverage``
    The share of real samples whose k-nearest-neighbour ball (k = 5, among the real samples of
    the class) holds a synthetic one (Naeem et al., 2020, "Reliable Fidelity and Diversity
    Metrics for Generative Models"). It falls both with collapse and with samples off the data,
    so it is reported, not used to decide.
``disagreement`` (generator ensembles only)
    How much the members' samples keep apart: 1 - (the share of synthetic samples whose nearest
    other synthetic sample comes from another member) / (that share if the members were one
    distribution). 0: the members are interchangeable; near 1: each covers its own region (they
    disagree, and the mixture is wider than any member).

A class is *collapsed* when ``spread < SPREAD_COLLAPSED`` or ``distinct < DISTINCT_COLLAPSED``.
Both bounds sit far below what any trained or untrained generator gives on real data (healthy and
under-trained tabular generators measured 0.8-5 spread and distinct 1.0 on iris and wine; a
collapsed one 0.00 and 0.02), so the check only fires on genuine collapse.

Features come from the data kind (:meth:`DataKind.diversity_features`): standardised columns with
one-hot categories and missing-value flags for tables, pixels for images.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping

import numpy as np
from sklearn.neighbors import NearestNeighbors

from gan_augment.exceptions import ModeCollapseWarning

__all__ = ["DISTINCT_COLLAPSED", "SAMPLES_PER_CLASS", "SPREAD_COLLAPSED", "ClassDiversity", "ModeCollapseWarning",
           "measure_class", "real_subset", "warn_if_collapsed"]

#: Synthetic samples drawn per class for the check.
SAMPLES_PER_CLASS = 500
#: Real samples of a class compared at most (a seeded subset beyond that): the cost stays flat.
MAX_REAL = 1000
#: Neighbours for coverage (Naeem et al. use k = 5).
COVERAGE_K = 5
SPREAD_COLLAPSED = 0.25
DISTINCT_COLLAPSED = 0.1
# Features whose real std is below this share of the largest real std are left out of spread:
# a near-constant pixel or column would turn noise into a huge or tiny ratio.
_MIN_RELATIVE_STD = 0.01


@dataclasses.dataclass(frozen=True)
class ClassDiversity:
    """How varied one class's synthetic samples are against its real ones (see the module docs)."""

    n_real: int
    n_synthetic: int
    distinct_synthetic: int
    distinct: float
    spread: float
    coverage: float
    disagreement: float | None = None  # generator ensembles only

    @property
    def collapsed(self) -> bool:
        return self.spread < SPREAD_COLLAPSED or self.distinct < DISTINCT_COLLAPSED

    def to_dict(self) -> dict:
        # NaN (a class of one real sample has no spread) is saved as null: model.json stays strict JSON.
        # disagreement is left out for one generator (nothing to disagree), kept (maybe null) for ensembles.
        return {key: (None if isinstance(value, float) and math.isnan(value) else value)
                for key, value in dataclasses.asdict(self).items()
                if not (key == "disagreement" and value is None)}

    @classmethod
    def from_dict(cls, data: Mapping) -> ClassDiversity:
        def score(name: str) -> float:
            return float("nan") if data.get(name) is None else float(data[name])

        return cls(n_real=int(data["n_real"]), n_synthetic=int(data["n_synthetic"]),
                   distinct_synthetic=int(data["distinct_synthetic"]), distinct=score("distinct"),
                   spread=score("spread"), coverage=score("coverage"),
                   disagreement=None if "disagreement" not in data else score("disagreement"))


def measure_class(real: np.ndarray, synthetic: np.ndarray, members: np.ndarray | None = None) -> ClassDiversity:
    """Diversity of ``synthetic`` against ``real``: two 2-D float arrays of the same features;
    ``members``: which generator of an ensemble made each synthetic sample."""
    distinct_synthetic = len(np.unique(synthetic, axis=0)) if len(synthetic) else 0
    return ClassDiversity(
        n_real=len(real), n_synthetic=len(synthetic), distinct_synthetic=distinct_synthetic,
        distinct=_distinct_ratio(real, distinct_synthetic, len(synthetic)),
        spread=_spread(real, synthetic), coverage=_coverage(real, synthetic),
        disagreement=_disagreement(synthetic, members) if members is not None else None,
    )


def _distinct_ratio(real: np.ndarray, distinct_synthetic: int, n_synthetic: int) -> float:
    """Distinct synthetic samples over the distinct samples expected in ``n_synthetic`` draws with
    replacement from ``real``: sum over distinct real rows of 1 - (1 - p)^n."""
    if n_synthetic == 0 or len(real) == 0:
        return float("nan")
    _, counts = np.unique(real, axis=0, return_counts=True)
    expected = float(np.sum(1.0 - (1.0 - counts / counts.sum()) ** n_synthetic))
    return min(1.0, distinct_synthetic / expected)


def _spread(real: np.ndarray, synthetic: np.ndarray) -> float:
    if len(real) < 2 or len(synthetic) < 2:
        return float("nan")
    real_std, synthetic_std = real.std(axis=0), synthetic.std(axis=0)
    varies = real_std > _MIN_RELATIVE_STD * real_std.max() if real_std.max() > 0 else np.zeros_like(real_std, bool)
    if not varies.any():
        return float("nan")  # every real sample of the class is the same: nothing to compare with
    return float(np.median(synthetic_std[varies] / real_std[varies]))


def _coverage(real: np.ndarray, synthetic: np.ndarray) -> float:
    k = min(COVERAGE_K, len(real) - 1)
    if k < 1 or len(synthetic) == 0:
        return float("nan")
    # Each real sample's ball reaches its k-th nearest real neighbour (column 0 is itself).
    radius = NearestNeighbors(n_neighbors=k + 1).fit(real).kneighbors(real)[0][:, -1]
    nearest = NearestNeighbors(n_neighbors=1).fit(synthetic).kneighbors(real)[0][:, 0]
    return float(np.mean(nearest <= radius))


def _disagreement(synthetic: np.ndarray, members: np.ndarray) -> float:
    members = np.asarray(members)
    n = len(synthetic)
    if n < 3 or len(np.unique(members)) < 2:
        return float("nan")
    nearest = NearestNeighbors(n_neighbors=2).fit(synthetic).kneighbors(synthetic)[1][:, 1]  # column 0: itself
    observed = np.mean(members[nearest] != members)
    sizes = np.bincount(members)[members]
    expected = np.mean((n - sizes) / (n - 1))  # a random other sample's chance of another member
    return float(np.clip(1.0 - observed / expected, 0.0, 1.0))


def real_subset(n_real: int, seed: int) -> np.ndarray:
    """Indices of at most ``MAX_REAL`` of ``n_real`` real samples (all of them when fewer)."""
    if n_real <= MAX_REAL:
        return np.arange(n_real)
    return np.sort(np.random.default_rng(seed).choice(n_real, MAX_REAL, replace=False))


def describe(label_text: str, diversity: ClassDiversity, unit: str) -> str:
    return (f"class {label_text}: {diversity.distinct_synthetic} distinct of {diversity.n_synthetic} synthetic "
            f"{unit}, spread {diversity.spread:.2f} of the real class's")


def warn_if_collapsed(diversity: Mapping, unit: str) -> None:
    """One :class:`ModeCollapseWarning` naming every collapsed class (``{label: ClassDiversity}``)."""
    collapsed = [describe(repr(label) if isinstance(label, str) else str(label), d, unit)
                 for label, d in diversity.items() if d.collapsed]
    if collapsed:
        warnings.warn(
            f"The generator collapsed ({'; '.join(collapsed)}): the synthetic {unit} of "
            f"{'this class are' if len(collapsed) == 1 else 'these classes are'} near copies of one "
            "another, and topping up with them adds little. Fit again with lower learning rates (lr_g, "
            "lr_d), another loss or more epochs, or top these classes up with SMOTE or random "
            "oversampling. The check is in diversity_ and in `gan-augment info`.",
            ModeCollapseWarning, stacklevel=3,
        )
