"""Matching class names given by a user (possibly as strings, e.g. from the command line) to labels."""

from __future__ import annotations

import difflib

import numpy as np


def resolve_class(value, classes):
    """Return the element of ``classes`` that ``value`` names.

    An exact match wins; otherwise the string forms are compared, so ``"1"`` names the label ``1``.
    An unknown name is a ValueError that lists the classes and suggests the closest one.
    """
    for label in classes:
        if _same(label, value):
            return label
    by_text = [label for label in classes if str(label) == str(value)]
    if len(by_text) == 1:
        return by_text[0]
    number = _number(value)
    by_value = [label for label in classes if number is not None and _number(label) == number]
    if len(by_value) == 1:  # "2" names the label 2.0 (a float target column read from a file)
        return by_value[0]
    names = [str(label) for label in classes]
    close = difflib.get_close_matches(str(value), names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"Unknown class {value!r}; the classes are {names}.{hint}")


def _number(value):
    """``value`` as a float when it is a number or a number's text (not a boolean), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _same(label, value) -> bool:
    # True == 1 in Python; a boolean label is named only by a boolean.
    if isinstance(label, (bool, np.bool_)) != isinstance(value, (bool, np.bool_)):
        return False
    try:
        return bool(label == value)
    except (TypeError, ValueError):
        return False
