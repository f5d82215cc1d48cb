"""What the evaluator's modules share: the method and metric names, the plan, the per-fold record.

This module imports no other module of the evaluator, so that ``plan``, ``utility`` (the runner)
and ``report`` can all depend on it without depending on each other the wrong way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import pandas as pd

from gan_augment._warnings import Raised

#: Baselines that ``baselines=`` may name.
BASELINES = ("none", "random", "smote", "class_weight", "classic")  # "classic": images only
AUGMENTER = "augmenter"  # the key of the augmenter under test in the results
OVERALL_METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "pr_auc")
CLASS_METRICS = ("precision", "recall", "f1")
PRIMARY_METRIC = "macro_f1"  # the default metric the verdict decides on
MIN_ROWS = 30  # a score resting on fewer rows than this gets a caveat beside it
#: Metrics that average per-class scores: each rests on its rarest class's test rows as much as on all.
CLASS_AVERAGED = ("balanced_accuracy", "macro_f1")


@dataclass(frozen=True)
class EvaluationPlan:
    """Everything :func:`~gan_augment.evaluation.plan.plan_evaluation` checked, before any fitting.

    Frozen: the folds run in parallel (joblib may pickle the plan to other processes), and none of
    them may change what the others see.
    """

    # ---- the data
    X: pd.DataFrame
    y: np.ndarray
    labels: list  # every class, in sorted order
    counts: dict  # {label: rows}, sorted label order
    numeric: list  # column names
    categorical: list
    binary: bool
    positive: Any  # the class PR-AUC scores on a binary target; None otherwise
    # ---- what is topped up, and by which methods
    targets: list  # the classes topped up
    explicit_classes: bool  # targets named (classes=...) rather than a sampling_strategy
    baseline_strategy: Any  # the augmenter's sampling_strategy for the baselines; None with explicit classes
    methods: tuple[str, ...]  # "none", the baselines, then AUGMENTER
    augmenter: Any  # an unfitted clone
    augmenter_name: str
    augmenter_seed: int
    random_state: int  # the evaluation's seed (drawn when random_state=None): the report records it
    smote_name: str
    image_shape: Optional[tuple]  # (C, H, W) where the rows are images (the augmenter's image_shape), else None
    # ---- the downstream model
    estimator: Any  # an unfitted clone
    estimator_name: str
    class_weight_key: Optional[str]  # its class_weight parameter (maybe inside a pipeline)
    estimator_reads_array: bool  # a caller's classifier of a caller's array: given X's rows as an array
    # ---- cross-validation and intervals
    splits: list  # [(train indices, test indices)]
    n_splits: Optional[int]  # None for a splitter of the caller's
    n_repeats: Optional[int]  # None for a splitter of the caller's that does not repeat its folds
    test_train_ratio: float
    confidence: float
    metric: str  # the primary metric, one of OVERALL_METRICS: the verdict decides on it alone
    # ---- how to run
    n_jobs: Optional[int]
    progress: bool
    fidelity: bool
    privacy: bool
    said: tuple = ()  # the (category, message) of each warning said while planning, of the whole data


@dataclass
class FoldResult:
    """What one training/test fold gave. ``scores`` etc. are keyed by method ("none", ..., AUGMENTER)."""

    index: int
    repeat: int
    fold: int
    n_train: int
    n_test: int
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # method -> metric -> score
    class_scores: dict[str, dict[Any, dict[str, float]]] = field(default_factory=dict)  # method -> class -> metric
    augment_time_s: dict[str, float] = field(default_factory=dict)
    fit_time_s: dict[str, float] = field(default_factory=dict)
    n_added: dict[str, int] = field(default_factory=dict)
    history: Optional[list[dict]] = None  # the augmenter's history_, where it has one
    # The warnings the fold raised, (category, message, gist) in order; run_evaluation says each once.
    warnings: Raised = field(default_factory=list)
    # Measured on the first fold only (index 0):
    not_inspected: list[str] = field(default_factory=list)  # methods that changed or removed training rows
    fidelity: list[dict] = field(default_factory=list)
    columns: list[dict] = field(default_factory=list)
    privacy: list[dict] = field(default_factory=list)
    image_quality: list[dict] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)  # method, rule, broken: the table's rules broken by added rows
    diversity: list[dict] = field(default_factory=list)  # the augmenter's mode-collapse check, per class
    marginals: dict[Any, tuple[pd.DataFrame, pd.DataFrame]] = field(default_factory=dict)


def class_behind(folds, metric: str, positive=None) -> Optional[tuple[Any, float]]:
    """``(label, mean test rows per fold)`` of the class whose test rows ``metric`` rests on, beyond
    the fold's: the rarest class for the class-averaged metrics (each class weighs alike, so its
    few rows move them most), the positive class for PR-AUC (its rows alone); None for the rest."""
    support = {label: float(np.mean([fold.class_scores["none"][label]["support"] for fold in folds]))
               for label in folds[0].class_scores["none"]}
    if metric in CLASS_AVERAGED:
        label = min(support, key=support.get)
        return label, support[label]
    if metric == "pr_auc" and positive is not None:
        return positive, support[positive]
    return None


def added_nothing(results: list[FoldResult]) -> bool:
    """Whether the augmenter left every training fold as it was (no row added or removed)."""
    return all(fold.n_added[AUGMENTER] == 0 for fold in results)
