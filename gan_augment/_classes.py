"""Matching class names given by a user (possibly as strings, e.g. from the command line) to labels."""

from __future__ import annotations

import codecs
import datetime
import difflib
import re
import reprlib
import unicodedata
from typing import Optional

import numpy as np

# A leading zero followed by a digit marks a code (zip code 02139, id 007): as a number it would
# lose its zeros and could merge with another code (007 and 7).
ZERO_PADDED = r"[+-]?0[0-9]"


def resolve_class(value, classes):
    """Return the element of ``classes`` that ``value`` names.

    An exact match wins; otherwise the string forms are compared, so ``"1"`` names the label ``1``.
    An unknown name is a ValueError that lists the classes and suggests the closest one.
    """
    for label in classes:
        if same_label(label, value):
            return label
    by_text = [label for label in classes if str(label) == str(value)]
    if len(by_text) == 1:
        return by_text[0]
    # A date's ISO text, or a date of another type, names it: "2022-01-01" and the
    # "2022-01-01 00:00:00" that tables and messages show name numpy's 2022-01-01T00:00:00.000000.
    by_time = [label for label in classes if _same_time(label, value)]
    if len(by_time) == 1:
        return by_time[0]
    number = _number(value)
    # "2" names the label 2.0 (a float target column read from a file) and "2.0"; a zero-padded
    # code only by its text, so "1" never names "01"; and a zero-padded text names a number label
    # only, so "07" names the label 7 but not the text "7" (beside "007", a class of its own).
    padded = isinstance(value, str) and re.match(ZERO_PADDED, value.strip()) is not None
    by_value = [label for label in classes if number is not None and _number(label) == number
                and not (isinstance(label, str) and (padded or re.match(ZERO_PADDED, label.strip())))]
    if len(by_value) == 1:
        return by_value[0]
    # The same characters in another Unicode form ("é" as one code point or as e + accent, as
    # macOS file names and some editors write it) name the same class.
    by_form = [label for label in classes if _canonical(label) == _canonical(value)]
    if len(by_form) == 1:
        return by_form[0]
    # A name copied from a message that writes it as Python does ('CORP\\alice' for CORP\alice,
    # '\t' for a tab) into a shell, where the escapes stay as typed: read them as Python would.
    unescaped = _python_escapes_read(value)
    by_escapes = [label for label in classes if unescaped is not None and str(label) == unescaped]
    if len(by_escapes) == 1:
        return by_escapes[0]
    shown = _listed([time_text(plain_label(label)) for label in classes])  # dates as the text that names them
    if not _one_value(value):
        # The start of the list or array, not its every element (300 labels filled a screen).
        start = reprlib.repr(value.tolist() if hasattr(value, "tolist") else value)
        raise ValueError(f"Unknown class {start}: a class is one label, not a list or array of them; "
                         f"the classes are {shown}.")
    raise ValueError(f"Unknown class {value!r}; the classes are {shown}.{_suggestion(value, classes)}")


def _listed(shown: list) -> str:
    """The classes as a message lists them: every one up to 20, else the first 10 and a count (150
    classes made a message of 9,000 characters, its "Did you mean" at the end)."""
    if len(shown) <= 20:
        return repr(shown)
    return "[" + ", ".join(map(repr, shown[:10])) + f", ... and {len(shown) - 10} more]"


def _python_escapes_read(value) -> Optional[str]:
    """The text a string holding backslash escapes (``CORP\\\\alice``) spells in Python, or None."""
    if not isinstance(value, str) or "\\" not in value:
        return None
    try:  # other characters as escapes first, so that only the escapes written are read
        read = codecs.decode(value.encode("latin-1", "backslashreplace"), "unicode_escape")
    except UnicodeDecodeError:  # a lone backslash at the end, a \x without its digits
        return None
    return read if read != value else None


def plain_label(value):
    """A numpy scalar label as the Python value it holds (for messages and JSON); others as they are.

    A date or duration of a unit finer than microseconds (``datetime64[ns]``, pandas 2's default)
    has no ``datetime`` to hold it (numpy's ``item()`` gives its count of nanoseconds): it is
    pandas' Timestamp / Timedelta, which are ``datetime`` / ``timedelta`` and compare equal to it;
    one with nanoseconds of its own stays numpy's scalar (numpy reads a Timestamp back through
    ``datetime``, which would drop them)."""
    if not isinstance(value, np.generic):
        return value
    plain = value.item()
    if isinstance(value, (np.datetime64, np.timedelta64)) and isinstance(plain, int):
        import pandas as pd

        if value.astype(f"{value.dtype.kind}8[us]") != value:
            return value  # nanoseconds that datetime (hence numpy's conversions of Timestamp) would drop
        return pd.Timestamp(value) if isinstance(value, np.datetime64) else pd.Timedelta(value)
    return plain


def _same_time(label, value) -> bool:
    """Whether ``value`` (a date or duration of another type, or its text) is the date or duration
    ``label``. Dates are read from ISO text only (2022-01-01, 2022-01-01 00:00:00): 01/02/2021 is
    January to pandas and February to most of the world."""
    import pandas as pd  # not at the top: the command line's --help imports this module

    if isinstance(label, (np.datetime64, datetime.date)):
        read, kinds = pd.Timestamp, (np.datetime64, datetime.date)
        if isinstance(value, str) and not re.match(r"\s*[+-]?\d{4}-\d{2}-\d{2}", value):
            return False
    elif isinstance(label, (np.timedelta64, datetime.timedelta)):
        read, kinds = pd.Timedelta, (np.timedelta64, datetime.timedelta)
    else:
        return False
    if not isinstance(value, (str, *kinds)):
        return False
    try:
        return bool(read(value.strip() if isinstance(value, str) else value) == read(label))
    except (ValueError, TypeError, OverflowError):
        return False


def time_text(value):
    """A date or duration as the text :func:`resolve_class` reads back (JSON has no dates); other
    values as they are."""
    import pandas as pd

    if isinstance(value, (np.datetime64, datetime.date)):
        return str(pd.Timestamp(value))
    if isinstance(value, (np.timedelta64, datetime.timedelta)):
        return str(pd.Timedelta(value))
    return value


def _canonical(value) -> str:
    return unicodedata.normalize("NFC", str(value))


def _suggestion(value, classes) -> str:
    """`` Did you mean 'x'?`` for the closest class name (case aside), or nothing."""
    texts = [str(label) for label in classes]
    folded = [_canonical(text).casefold() for text in texts]
    given = _canonical(value).casefold()
    # Labels quoted or spaced in the file itself (mammography's '1', Adult's " >50K") are not what
    # a user types: compared without them first (difflib finds '1' too far from "'1'").
    bare = [text.strip(" '\"") for text in folded]
    close = [folded[bare.index(given)]] if given in bare else difflib.get_close_matches(given, folded, n=1)
    if not close:
        return ""
    # Classes that differ only in case ('Seven' and 'seven': a LabelSpellingWarning's twins): the one
    # nearest as typed ('seven ' names 'seven'), or all of them where case is all that tells them apart.
    twins = [text for text, fold in zip(texts, folded) if fold == close[0]]
    if len(twins) > 1:
        likeness = {text: difflib.SequenceMatcher(None, str(value), text).ratio() for text in twins}
        nearest = [text for text in twins if likeness[text] == max(likeness.values())]
        if given.strip() == close[0].strip() and str(value).strip() not in twins or len(nearest) > 1:
            return f" Did you mean {' or '.join(map(repr, twins))}?"
        twins = nearest
    closest, given = twins[0], str(value)
    if _skeleton(closest) == _skeleton(given) or _disguised(closest) or _disguised(given):  # spelt out
        return f" Did you mean {ascii(closest)} (you gave {ascii(given)})?"
    return f" Did you mean {closest!r}?"


#: Characters drawn like others (Cyrillic and Greek letters like Latin ones, spaces that do not
#: break, marks of no width): two names that differ only in them look the same on a screen.
_LOOK_ALIKES = str.maketrans({
    **dict(zip("аеорсухіјѕԁһԛԝАВЕКМНОРСТХІЈЅ", "aeopcyxijsdhqwABEKMHOPCTXIJS")),
    **dict(zip("οαιкνΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "oaikvABEZHIKMNOPTYX")),
    **{space: " " for space in "\u00a0\u2007\u202f\u2009\u200a"},  # not CJK text's own wide space
    **{mark: None for mark in "\u200b\u200c\u200d\u2060\ufeff"},
})


def _skeleton(text: str) -> str:
    """``text`` with each look-alike character as the one it is drawn like."""
    return _canonical(text).translate(_LOOK_ALIKES)


def _disguised(text: str) -> bool:
    """Whether ``text`` holds a character that reads as another: a space that does not break, a mark
    of no width, or a Cyrillic or Greek look-alike among Latin letters (a name in Cyrillic alone,
    or in Chinese, is shown as it is written)."""
    canonical = _canonical(text)
    if any(not ("a" <= c.lower() <= "z") and c.translate(_LOOK_ALIKES) in ("", " ") for c in canonical if c != " "):
        return True
    latin = any("a" <= c.lower() <= "z" for c in canonical)
    return latin and canonical.translate(_LOOK_ALIKES) != canonical


def _number(value):
    """``value`` as a float when it is a number or a number's text (not a boolean), else None."""
    if isinstance(value, (bool, np.bool_)) or not _one_value(value):  # float(np.array([1])) is 1.0
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _one_value(value) -> bool:
    """Whether ``value`` is one value, not a list or array of them (a 0-d array is one)."""
    try:
        return np.ndim(value) == 0
    except ValueError:  # numpy's "inhomogeneous shape" for a ragged list
        return False


def same_label(label, value) -> bool:
    # True == 1 in Python; a boolean label is named only by a boolean.
    if isinstance(label, (bool, np.bool_)) != isinstance(value, (bool, np.bool_)):
        return False
    try:
        # A list or array of one label is no label: np.int64(1) == [1] is array([True]), which is truthy.
        return _one_value(value) and bool(label == value)
    except (TypeError, ValueError):
        return False
