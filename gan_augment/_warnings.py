"""Warnings of repeated fits (cross-validation folds) said once each, with how many raised them.

Every fold fits the same samplers on similar data, so a warning of one fold is usually a warning
of all: printed as raised, 15 folds showed it 15 times (and folds run in other processes, not at
all). Each fold's warnings are recorded instead, and said once after the last fold.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
Raised = list[tuple[type, str]]  # (category, message) in the order raised


def recording(fn: Callable[..., T], *args, **kwargs) -> tuple[T, Raised]:
    """``fn(*args, **kwargs)`` and the warnings it raised, which are not shown."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, [(w.category, str(w.message)) for w in caught]


def say_once(raised: Sequence[Raised], *, unit: str = "folds", stacklevel: int = 3) -> None:
    """Each distinct warning of ``raised`` (one list per fold) once, with the number of folds that
    raised it when there were several."""
    counts = Counter(warning for fold in raised for warning in dict.fromkeys(fold))
    for (category, message), n in counts.items():
        where = f" (in {n} of {len(raised)} {unit})" if len(raised) > 1 else ""
        warnings.warn(message + where, category, stacklevel=stacklevel + 1)
