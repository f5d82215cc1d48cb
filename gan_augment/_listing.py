"""Naming the first few of a long list in a message."""

from __future__ import annotations

from collections.abc import Iterable


def first_few(names: Iterable, limit: int = 3) -> str:
    """``"a, b, c and 4 more"``: the first ``limit`` of ``names`` (as they are to be shown), then
    how many are left out."""
    names = [str(name) for name in names]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
