"""The one top-up planner: ``sampling_strategy`` / ``classes`` -> ``{class: rows to add}``.

Every door (GANAugmenter, AugmentedDataset, the command line, the evaluator) asks this module how
many rows of which class to add, so they cannot disagree. The grammar is imbalanced-learn's
(:func:`imblearn.utils.check_sampling_strategy`, whose rules -- including which class is "the
majority" when several tie -- are followed exactly), plus ``classes``: "top these classes up to
the majority count", where a class may be named by its label or by the label's text (``"1"``
names the label ``1``, as typed on a command line).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
from imblearn.utils import check_sampling_strategy

from gan_augment._classes import resolve_class

__all__ = ["class_counts", "majority_class", "plan_top_up", "wanted_classes"]

BOTH_GIVEN = ("Give either classes or sampling_strategy, not both: classes=[...] already means "
              "'top these classes up to the majority count'.")


def class_counts(y) -> dict:
    """``{label: rows}`` in sorted label order (the order imbalanced-learn counts in)."""
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    return {_plain(label): int(count) for label, count in zip(labels, counts)}


def majority_class(y):
    """The class imbalanced-learn treats as the majority: the most frequent, and among ties the
    first in sorted order."""
    counts = class_counts(y)
    return max(counts, key=counts.get)


def wanted_classes(classes) -> list:
    """``classes`` as a list: one label (str or number) or an iterable of them."""
    if isinstance(classes, (str, numbers.Number, np.generic)):
        return [classes]
    return list(classes)


def is_auto(sampling_strategy) -> bool:
    return isinstance(sampling_strategy, str) and sampling_strategy == "auto"


def plan_top_up(y, sampling_strategy="auto", classes=None) -> dict:
    """``{label: rows to add}`` for the labels ``y``, in sorted label order.

    Parameters
    ----------
    y : array-like of labels
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's over-sampling grammar; a dict maps labels to wanted counts.
    classes : label, list of labels or None
        Top these classes up to the majority count. Given with a non-"auto" ``sampling_strategy``
        it is an error (one of the two says what to do).

    Raises
    ------
    ValueError
        Both arguments given, an unknown class (the message lists the classes and suggests the
        closest), fewer than two classes, or a strategy imbalanced-learn refuses.
    """
    y = np.asarray(y)
    counts = class_counts(y)
    if classes is None:
        if isinstance(sampling_strategy, dict):
            _check_strategy_keys(sampling_strategy, list(counts))
        plan = check_sampling_strategy(sampling_strategy, y, "over-sampling")
        return {_plain(label): int(n) for label, n in plan.items()}
    if not is_auto(sampling_strategy):
        raise ValueError(BOTH_GIVEN)
    if len(counts) < 2:
        raise ValueError(f"The target 'y' needs to have more than 1 class. Got {len(counts)} class instead")
    wanted = wanted_classes(classes)
    if not wanted:
        raise ValueError("classes is empty; name at least one class, or pass classes=None.")
    labels: Sequence = list(counts)
    majority = max(counts.values())
    resolved = {resolve_class(value, labels) for value in wanted}
    return {label: majority - counts[label] for label in labels if label in resolved}


def _check_strategy_keys(strategy: dict, labels: list) -> None:
    """A dict's keys must be the labels themselves, as in imbalanced-learn (which GANAugmenter's
    public ``fit_resample`` asks first); say which key is not, and what it should be."""
    for key in strategy:
        if any(_same_label(key, label) for label in labels):
            continue
        try:
            meant = resolve_class(key, labels)
        except ValueError as exc:
            raise ValueError(f"sampling_strategy: {exc}") from None
        raise ValueError(
            f"sampling_strategy names the class {key!r}, but the label is {meant!r} ({type(meant).__name__}); "
            f"write {{{meant!r}: ...}}, or use classes=[{key!r}], which also accepts a label's text."
        )


def _same_label(key, label) -> bool:
    try:
        return type(key) is not bool and bool(key == label)
    except (TypeError, ValueError):
        return False


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value
