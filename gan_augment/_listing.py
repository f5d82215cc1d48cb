"""Naming the first few of a long list in a message; names padded into the columns of a report."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def display_width(text: str) -> int:
    """The terminal columns ``text`` takes: East Asian wide and full-width characters two,
    combining marks none (``len`` put a table's figures beside a Chinese class name off its heading)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` terminal columns (``f"{text:<{width}}"`` counts characters)."""
    return text + " " * max(0, width - display_width(text))


def first_few(names: Iterable, limit: int = 3, *, sep: str = ", ") -> str:
    """``"a, b, c and 4 more"``: the first ``limit`` of ``names`` (as they are to be shown), joined
    by ``sep``, then how many are left out."""
    names = [str(name) for name in names]
    return sep.join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


#: How many classes a warning names before it counts the rest (150 classes made warnings of
#: 10,000 characters).
CLASSES_NAMED = 10


def column_suggestion(name, names) -> str:
    """`` Did you mean 'x'?`` for the column of ``names`` closest to ``name`` as text (one that
    differs only in case among them), shown as the column is (``30`` for an integer name), or nothing."""
    columns = list(names)
    texts = [str(column) for column in columns]
    close = difflib.get_close_matches(str(name), texts, n=1, cutoff=0.6)
    if not close:  # a difference of case only
        close = [text for text in texts if text.casefold() == str(name).casefold()][:1]
    return f" Did you mean {columns[texts.index(close[0])]!r}?" if close else ""
