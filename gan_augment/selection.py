"""Rate a generator during training by how well its samples pass for the real ones, class by class.

:func:`c2st_scorer` builds the ``score(generator)`` that
:class:`gan_augment.training.SnapshotSelection` calls: for each class to be topped up, a classifier
two-sample test (the evaluator's random forest, :func:`gan_augment.evaluation.fidelity.two_sample_auc`)
between the class's real training rows and synthetic rows of the class, in the features the
collapse check compares (:meth:`kind.diversity_features`); the score is the mean over the classes
of ``|AUC - 0.5|`` (0: the forest cannot tell them apart).

Only training rows are used: holding rows back would take them from the classes that have fewest.
Every rating draws the same noise and the same forest seeds (common random numbers), so two
snapshots differ in score because their samples differ, not because the draws did.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from gan_augment._random import derive_seed
from gan_augment.diversity import real_subset
from gan_augment.evaluation.fidelity import two_sample_auc
from gan_augment.training.trainer import generate

#: Synthetic samples per class and rating: at least this many, and at least as many as the real
#: ones rated (at most ``diversity.MAX_REAL``), so that small classes are not rated on a handful.
MIN_SYNTHETIC = 200


def c2st_scorer(kind, codec, X, y_index: np.ndarray, class_indices, *, seed: int) -> Callable[[torch.nn.Module], float]:
    """``score(generator)``: mean ``|C2ST AUC - 0.5|`` over ``class_indices`` (see the module)."""
    reals = {}  # class index -> (its real rows, the seed of all its draws)
    for index in class_indices:
        class_seed = derive_seed(seed, index)
        rows = np.flatnonzero(y_index == index)
        rows = rows[real_subset(len(rows), class_seed)]
        reals[index] = (X.iloc[rows] if hasattr(X, "iloc") else X[rows]), class_seed

    def score(generator) -> float:
        gaps = []
        for index, (real, class_seed) in reals.items():
            encoded = generate(generator, max(MIN_SYNTHETIC, len(real)), index, seed=class_seed)
            synthetic = kind.decode(codec, encoded, seed=class_seed, class_index=index)
            real_features, synthetic_features, _ = kind.diversity_features(codec, real, synthetic)
            auc = two_sample_auc(real_features, synthetic_features, rng=np.random.default_rng(class_seed))
            gaps.append(abs(auc - 0.5))
        return float(np.mean(gaps))

    return score
