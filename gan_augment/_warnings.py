"""Warnings of repeated fits (cross-validation folds) said once each, with how many raised them.

Every fold fits the same samplers on similar data, so a warning of one fold is usually a warning
of all: printed as raised, 15 folds showed it 15 times (and folds run in other processes, not at
all). Each fold's warnings are recorded instead (in the main thread: see :func:`recording`), and
said once after the last fold. A warning whose figures differ from fit to fit (an acceptance rate,
a coverage) is raised by :func:`warn` with its gist, the same warning without them: folds that
raised it are counted together, and it is said once as its gist. Messages are never merged by
stripping figures from them, since a class named ``2`` is not a class named ``3``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings
from collections import Counter
from typing import Callable, Collection, Optional, Sequence, TypeVar

from gan_augment.exceptions import LabelSpellingWarning

T = TypeVar("T")
Raised = list[tuple[type, str, Optional[str]]]  # (category, message, gist or None) in the order raised

#: Warnings about the data as a whole (its labels), said when all of it is checked, before any part
#: of it is fitted: the parts' fits (folds, a final fit) say no more of them.
SAID_OF_THE_WHOLE = (LabelSpellingWarning,)


#: Before Python 3.14, ``warnings.catch_warnings`` saves the process's filters on entry and puts
#: them back on exit: two threads' blocks interleaved left one's filters in place for good (fits
#: from a thread pool left ConvergenceWarning ignored process-wide). Short blocks that run no
#: caller's code and start no threads take turns on this lock.
_CATCHING = threading.RLock()


@contextlib.contextmanager
def catching_warnings(**kwargs):
    """``warnings.catch_warnings(**kwargs)``, one thread at a time (see ``_CATCHING``)."""
    with _CATCHING, warnings.catch_warnings(**kwargs) as caught:
        yield caught


@contextlib.contextmanager
def filters_kept():
    """The process's warning filters and display as they were before the block, put back after it:
    for a block whose threads run other libraries' ``catch_warnings`` blocks beside each other
    (scikit-learn's ``type_of_target``, in every classifier's fit, adds an error filter in one),
    which interleaved leave one thread's filters in place for good. In the main thread only, where
    the block's threads all start and end inside it; elsewhere this would be one more such block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    block = warnings.catch_warnings()
    with _CATCHING:
        block.__enter__()
    try:
        yield
    finally:
        with _CATCHING:
            block.__exit__(None, None, None)


def user_stacklevel() -> int:
    """The ``stacklevel`` with which this function's caller's ``warnings.warn`` names the first frame
    outside gan-augment and the libraries its public calls run through (scikit-learn's fit wrapper,
    imbalanced-learn's fit_resample, joblib's cache and loops): the user's line, however deep the
    call. Fixed levels named library lines (``plan = plan_top_up(...)``), so that a
    ``module="sklearn"`` filter silenced this library's warnings and ``module="gan_augment"`` did
    not reach them. (Python 3.12's ``skip_file_prefixes`` does this; 3.11 is supported.)"""
    frame, level = sys._getframe(1), 1
    inside = _library_prefixes()
    while frame.f_back is not None and frame.f_code.co_filename.startswith(inside):
        frame, level = frame.f_back, level + 1
    return level


def _library_prefixes() -> tuple[str, ...]:
    """The source folders of gan-augment and of the libraries that call into it, as loaded."""
    names = ("gan_augment", "sklearn", "imblearn", "joblib")  # joblib: the Pipelines' Memory, Parallel
    return tuple(os.path.dirname(module.__file__) + os.sep for module in map(sys.modules.get, names)
                 if module is not None and getattr(module, "__file__", None))


def warn(message: str, category: type[Warning], *, gist: str) -> None:
    """``warnings.warn(message, category)`` at the user's line, carrying ``gist``: the same warning
    without the figures of this fit, which :func:`say_once` says for the folds whose figures differ."""
    warning = category(message)
    warning.gist = gist  # type: ignore[attr-defined]
    warnings.warn(warning, stacklevel=user_stacklevel())


def recording(fn: Callable[..., T], *args, **kwargs) -> tuple[T, Raised]:
    """``fn(*args, **kwargs)`` and the warnings it raised, which are not shown; in the main thread
    only (each process's: joblib's worker processes run folds in theirs). Elsewhere ``fn``'s
    warnings are shown as raised and none is returned: folds run by joblib's threading backend,
    or evaluations from a thread pool, recorded at once beside each other's (and other libraries')
    ``catch_warnings`` blocks, and interleaved, those left the process's filters and warning display
    changed for good. ``fn`` (a whole fold, the caller's estimator, threads it starts) runs outside
    ``_CATCHING``, which only the block's entry and exit take, so that this library's short blocks
    in other threads cannot span them."""
    if threading.current_thread() is not threading.main_thread():
        return fn(*args, **kwargs), []
    block = warnings.catch_warnings(record=True)
    with _CATCHING:
        caught = block.__enter__()
        warnings.simplefilter("always")
    try:
        result = fn(*args, **kwargs)
    except BaseException:
        with _CATCHING:
            block.__exit__(None, None, None)
        with contextlib.suppress(Warning):  # under warnings as errors, the failure is what is raised
            say_once([_raised(caught)])  # what it said before it failed, not lost with its result
        raise
    with _CATCHING:
        block.__exit__(None, None, None)
    return result, _raised(caught)


def _raised(caught) -> Raised:
    return [(w.category, str(w.message), getattr(w.message, "gist", None)) for w in caught]


def say_once(raised: Sequence[Raised], *, unit: str = "folds",
             already_said: Collection[tuple[type, str]] = ()) -> set[tuple[type, str]]:
    """Each distinct warning of ``raised`` (one list per fold) once, with the number of folds that
    raised it when there were several: as raised when every fold said it alike, else its gist.
    Warnings whose (category, message) or (category, gist) is in ``already_said`` (said of the
    whole data before the folds ran, or of the folds before a final fit) are left out, as are those
    about the data as a whole (``SAID_OF_THE_WHOLE``). Returns the (category, gist or message) of
    each warning said."""
    raised = [[warning for warning in fold if warning[:2] not in already_said
               and (warning[0], warning[2]) not in already_said and not issubclass(warning[0], SAID_OF_THE_WHOLE)]
              for fold in raised]
    said: dict[tuple[type, str], set[str]] = {}  # (category, gist or message) -> the messages
    counts: Counter = Counter()
    for fold in raised:
        keys: dict[tuple[type, str], list[str]] = {}
        for category, message, gist in fold:
            keys.setdefault((category, gist or message), []).append(message)
        for key, messages in keys.items():
            said.setdefault(key, set()).update(messages)
            counts[key] += 1
    for (category, gist), texts in said.items():
        where = f" (in {counts[category, gist]} of {len(raised)} {unit})" if len(raised) > 1 else ""
        text = next(iter(texts)) if len(texts) == 1 else gist
        warnings.warn(text + where, category, stacklevel=user_stacklevel())
    return set(said)
