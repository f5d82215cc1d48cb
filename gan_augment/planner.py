"""The one top-up planner: ``sampling_strategy`` / ``classes`` -> ``{class: rows to add}``.

Every door (GANAugmenter, AugmentedDataset, the command line, the evaluator) asks this module how
many rows of which class to add, so they cannot disagree. The grammar is imbalanced-learn's
(:func:`imblearn.utils.check_sampling_strategy`, whose rules -- including which class is "the
majority" when several tie -- are followed exactly), plus ``classes``: "top these classes up to
the majority count", where a class may be named by its label or by the label's text (``"1"``
names the label ``1``, as typed on a command line).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from typing import Optional

import numpy as np
import pandas as pd
from imblearn.utils import check_sampling_strategy

from gan_augment._classes import plain_label, resolve_class, same_label
from gan_augment._listing import CLASSES_NAMED, first_few
from gan_augment._warnings import catching_warnings, user_stacklevel, warn
from gan_augment.exceptions import NothingToAddWarning

__all__ = ["FEW_ROWS", "InEveryClass", "check_class_sizes", "class_counts", "majority_class", "plan_top_up",
           "stratified_training_rows", "wanted_classes"]

#: A class topped up from fewer real samples than this gets a SmallClassWarning: a generator can
#: only vary a little around one or two samples, so thousands of them are mostly near copies.
FEW_ROWS = 3

BOTH_GIVEN = ("Give either classes or sampling_strategy, not both: classes=[...] already means "
              "'top these classes up to the majority count'.")


def class_counts(y) -> dict:
    """``{label: rows}`` in sorted label order (the order imbalanced-learn counts in)."""
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    return {plain_label(label): int(count) for label, count in zip(labels, counts)}


def majority_class(y):
    """The class imbalanced-learn treats as the majority: the most frequent, and among ties the
    first in sorted order."""
    counts = class_counts(y)
    return max(counts, key=counts.get)


#: What one class label is, as opposed to a list of them (``np.generic``: numpy scalars that are
#: not numbers, e.g. np.str_).
_ONE_LABEL = (str, numbers.Number, np.generic)
#: The ``classes`` parameter of the samplers (sklearn's parameter validation): one label, a list of
#: them, or None.
CLASSES_CONSTRAINT = ["array-like", *_ONE_LABEL, None]


def wanted_classes(classes) -> list:
    """``classes`` as a list: one label (str or number) or an iterable of them."""
    if isinstance(classes, _ONE_LABEL):
        return [classes]
    if isinstance(classes, Mapping):  # its counts would be dropped silently: every class to the majority's
        shown = dict(list(classes.items())[:3])
        raise ValueError(f"classes={shown!r}{'...' if len(classes) > 3 else ''} is a dict; classes takes the "
                         "labels of the classes to top up to the majority's count. For counts of your own, pass "
                         f"sampling_strategy={shown!r} instead (without classes).")
    if getattr(classes, "ndim", None) == 0 and hasattr(classes, "item"):
        # A 0-d tensor or array (ds.targets[i]) is one label, not a list of them.
        return [classes.item()]
    return list(classes)


def stratified_training_rows(n: int, n_folds: int) -> int:
    """The rows of a class of ``n`` that every training part of ``n_folds`` stratified folds keeps:
    each fold tests up to ceil(n / n_folds) of them (none kept for fewer than 2 folds)."""
    return n - math.ceil(n / n_folds) if n_folds >= 2 else 0


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
    _check_strategy_type(sampling_strategy)
    y = np.asarray(y)
    counts = class_counts(y)
    if classes is None:
        auto = is_auto(sampling_strategy)
        if callable(sampling_strategy):
            sampling_strategy = _called_strategy(sampling_strategy, y)
        if isinstance(sampling_strategy, dict):
            _check_strategy_keys(sampling_strategy, list(counts))
            check_strategy_counts(sampling_strategy, counts)
        try:
            plan = check_sampling_strategy(sampling_strategy, y, "over-sampling")
        except ValueError:
            _check_ratio(sampling_strategy, counts)  # imbalanced-learn's words name neither it nor the counts
            raise
        # Keyed by y's own labels: a key equal to one but of another type (a day-unit datetime64
        # for a nanosecond label) failed every later lookup with a bare KeyError.
        plan = {next((have for have in counts if same_label(have, label)), plain_label(label)): int(n)
                for label, n in plan.items()}
        if auto:  # a class tied with the majority gets nothing
            _warn_full_classes(plan)
        return plan
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
    plan = {label: majority - counts[label] for label in labels if label in resolved}
    _warn_full_classes(plan)
    return plan


def _check_ratio(ratio, counts: dict) -> None:
    """Refuse a binary ratio (minority / majority wanted) below the one ``counts`` have already."""
    if not isinstance(ratio, numbers.Real) or isinstance(ratio, bool):
        return
    if not (math.isfinite(ratio) and 0 < ratio <= 1):  # NaN and inf failed in int()
        raise ValueError(f"sampling_strategy={ratio!r}: a float is the ratio of rows of the minority class to the "
                         "majority's wanted after the top-up, in (0, 1] (1.0 balances the classes).")
    if len(counts) != 2:
        return
    (minority, n_minority), (majority, n_majority) = sorted(counts.items(), key=lambda item: item[1])
    if int(n_majority * ratio - n_minority) >= 1:  # imbalanced-learn's own count of the rows to add
        return
    # (as "(1 2, 0 60)" the labels and counts read as four numbers)
    have = (f"y has {n_minority / n_majority:.3g} already (class {plain_label(minority)!r}: {n_minority:,} rows, "
            f"class {plain_label(majority)!r}: {n_majority:,})")
    if n_minority == n_majority:
        raise ValueError(f"sampling_strategy={ratio!r} asks for a ratio of rows of the minority class to the "
                         f"majority's, and {have}: the classes are balanced, and no ratio adds a row.")
    least = math.ceil((n_minority + 1) / n_majority * 1000) / 1000
    while int(n_majority * least - n_minority) < 1:  # float products just under a whole number
        least += 0.001
    raise ValueError(f"sampling_strategy={ratio!r} asks for {float(ratio):.3g} rows of the minority class per row of "
                     f"the majority, and {have}: a top-up adds rows, so give a ratio of at least {min(least, 1):g} "
                     "(1.0 balances the classes).")


class InEveryClass:
    """A ``sampling_strategy`` that puts synthetic samples in every class, not in the rare ones alone.

    ``sampling_strategy`` / ``classes`` plan a top-up (the grammar of :func:`plan_top_up`), and
    every class gets as many synthetic samples as its largest: the class with the largest gap
    reaches the count that plan gives it, the others go past theirs. Where only the rare classes
    hold synthetic samples, "looks synthetic" marks them, and a downstream model can learn the
    generator's traces instead of the class: on MNIST (``benchmarks/IMAGE_SHORTCUT.md``) the same
    GAN's images of a digit with 7 real ones gave it a recall of 0.22 in that digit alone and 0.80
    in every digit. Where the synthetic samples are good enough not to mark their class it dilutes
    the real ones instead: on 8x8 digits rare recall fell from 0.915 to 0.846
    (``benchmarks/IMAGE_SHORTCUT_DIGITS.md``), and on tables it was 0.02-0.03 lower at the same
    macro-F1 (``benchmarks/TABLE_SHORTCUT.md``). Measure it on your data
    (:func:`gan_augment.evaluate_augmentation` with and without it). The training set grows by the
    largest top-up times the number of classes.

    Pass it wherever a ``sampling_strategy`` goes (``GANAugmenter``, ``AugmentedDataset``,
    ``augment_loader``); it is evaluated on each fit's labels, so inside cross-validation on each
    fold's. A saved model keeps it (other callables are not saved).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        The top-up to plan first, in ``GANAugmenter``'s grammar.
    classes : label or list of labels, default=None
        Shorthand for "top these classes up to the majority count", as ``GANAugmenter`` takes it.

    Examples
    --------
    >>> import numpy as np
    >>> InEveryClass(classes=["rare"])(np.array(["common"] * 8 + ["rare"] * 2))
    {'common': 14, 'rare': 8}
    """

    def __init__(self, sampling_strategy="auto", classes=None):
        self.sampling_strategy = sampling_strategy
        self.classes = classes

    def __call__(self, y) -> dict:
        """``{class: wanted count}`` for the labels ``y``, as imbalanced-learn's callables return."""
        if isinstance(self.sampling_strategy, InEveryClass):
            raise ValueError(f"{self!r} places the rows in every class twice over; pass the inner one alone: "
                             f"{self.sampling_strategy!r}.")
        with catching_warnings(record=True) as said:  # one thread at a time: see catching_warnings
            warnings.simplefilter("always")
            largest = max(plan_top_up(y, self.sampling_strategy, self.classes).values(), default=0)
        for warning in said:  # "nothing will be added" is true only when nothing is added anywhere
            if largest == 0 or not issubclass(warning.category, NothingToAddWarning):
                warnings.warn(warning.message, stacklevel=user_stacklevel())
        labels, counts = np.unique(np.asarray(y), return_counts=True)
        # Keyed by y's own values where their plain ones would not match them: imbalanced-learn looks
        # the keys up among np.unique(y), where a datetime.date is no datetime64[D].
        keys = labels if labels.dtype.kind in "mM" else [plain_label(label) for label in labels]
        return {key: int(count) + largest for key, count in zip(keys, counts)}

    def _settings(self) -> dict:
        return {name: value for name, value in (("sampling_strategy", self.sampling_strategy),
                                                ("classes", self.classes))
                if not (name == "sampling_strategy" and is_auto(value)) and value is not None}

    def __repr__(self) -> str:
        return f"InEveryClass({', '.join(f'{name}={value!r}' for name, value in self._settings().items())})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and repr(other) == repr(self)

    def __hash__(self) -> int:
        return hash(repr(self))


def _warn_full_classes(plan: Mapping) -> None:
    """Say which classes asked to be topped up to the majority count are there already.

    One warning for them all (a table of many tied classes printed a line each). The message holds
    no counts, so that the same classes named again (each fold of an evaluation) are said once
    under Python's default warning filter."""
    full = [label for label, n_new in plan.items() if n_new <= 0]
    if len(full) == 1:
        warnings.warn(f"class {full[0]!r} already has the majority count; nothing will be added to it.",
                      NothingToAddWarning, stacklevel=user_stacklevel())
    elif full:
        warnings.warn(f"{len(full)} classes already have the majority count ({first_few(map(repr, full), 5)}); "
                      "nothing will be added to them.", NothingToAddWarning, stacklevel=user_stacklevel())


def _real(count: int, unit: str) -> str:
    """``"1 real row"``, ``"12 real rows"`` (``unit`` is plural: rows, images)."""
    return f"{count} real {unit if count != 1 else unit[:-1]}"


def check_class_sizes(plan: Mapping, counts: Mapping, min_class_size=None, *, unit: str = "rows",
                      option: str = "min_class_size", made_from_itself: bool = True,
                      in_every_class: Optional[str] = None, hashes: Optional[np.ndarray] = None, y=None) -> None:
    """Before training: refuse a class to top up with fewer than ``min_class_size`` real samples
    (distinct ones where ``hashes`` are given; DataValidationError naming it and ``option``, as the
    user spelt it), and warn about one with
    fewer than :data:`FEW_ROWS` whose samples are ``made_from_itself`` (a generator's: near copies of
    so few; not a translator's, made from the other classes' images). ``in_every_class``: the name
    of the setting that adds to every class, where one does (it cannot be left out of the top-up).
    ``hashes`` (:func:`sample_hashes` of the samples, whose labels are ``y``), where given: a class
    with fewer than :data:`FEW_ROWS` distinct samples is warned of too (five copies of one row are as
    few as one row), and a class whose samples are mostly copies of other classes' (see
    :func:`_class_samples`)."""
    from gan_augment.exceptions import DataValidationError, SmallClassWarning

    topped_up = [(label, counts[label], n) for label, n in plan.items() if n > 0]
    found = _class_samples(hashes, y, [label for label, _, _ in topped_up]) if hashes is not None else {}
    distinct = {label: n for label, (n, _) in found.items()}
    if min_class_size is not None:
        # Distinct samples count, as for the warning below: five copies of one row are one row.
        small = [(label, have) for label, have, _ in topped_up if min(have, distinct.get(label, have)) < min_class_size]
        if small:
            label, have = small[0]
            copies = f" ({distinct[label]} distinct)" if distinct.get(label, have) < have else ""
            raise DataValidationError(
                f"Class {label!r} has {_real(have, unit)}{copies}, fewer than {option} {min_class_size}"
                + {1: "", 2: " (as does 1 more class)"}.get(len(small), f" (as do {len(small) - 1} more classes)")
                + (f"; collect more, leave it out of the top-up, or lower {option}." if in_every_class is None else
                   f"; {in_every_class} adds to every class: collect more, lower {option}, or leave the class out "
                   "of the data."))
    few = [(label, have, n) for label, have, n in topped_up
           if min(have, distinct.get(label, have)) < FEW_ROWS and made_from_itself]
    if few:
        listed = first_few((f"class {label!r}: {_real(have, unit)}"
                            + (f" ({distinct[label]} distinct)" if distinct.get(label, have) < have else "")
                            + f", {n:,} synthetic to add" for label, have, n in few), CLASSES_NAMED, sep="; ")
        def small(classes: str) -> str:
            return (f"Very small classes ({classes}): a generator can only vary a little around so few {unit}, so "
                    "most synthetic ones will be near copies. Consider random oversampling, or SMOTE once a class "
                    f"has a few more, or add fewer; {_refusing(option)} refuses such classes.")

        # Cross-validation folds hold a row more or less of a class: said once, as its gist.
        warn(small(listed), SmallClassWarning,
             gist=small(first_few((f"class {label!r}: under {FEW_ROWS} distinct real {unit}" for label, _, _ in few),
                                  CLASSES_NAMED, sep="; ")))
    # Not of a translator's classes, which it makes from the others' on purpose.
    copied = {label: shared for label, (_, shared) in found.items() if shared * 2 > counts[label] and made_from_itself}
    if copied:
        def copies(classes: str) -> str:
            return (f"Classes to top up whose real {unit} are mostly copies of other classes' {unit}, as common "
                    f"there or more ({classes}): nothing in the data sets them apart, so their synthetic {unit} will "
                    f"look like the other classes'. Check the labels of those copies, or add what tells the classes "
                    "apart.")

        warn(copies(first_few((f"class {label!r}: {shared} of its {counts[label]} real {unit}"
                               for label, shared in copied.items()), CLASSES_NAMED, sep="; ")), SmallClassWarning,
             gist=copies(first_few((f"class {label!r}" for label in copied), CLASSES_NAMED, sep="; ")))


def sample_hashes(X) -> np.ndarray:
    """A 64-bit hash of each sample (a table's row, an image's pixels): equal samples hash alike,
    missing values as equal, cells compared by value (not by an object's address)."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X).reshape(len(X), -1))
    wide = [i for i, dtype in enumerate(frame.dtypes)
            if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize > 8]
    if wide:  # pandas cannot hash long doubles; the model reads them as float64, so hash those
        frame = frame.copy()
        for i in wide:
            frame.isetitem(i, frame.iloc[:, i].astype(np.float64))
    try:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    except TypeError:  # objects pandas cannot hash as they are: by their text
        return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()


def _class_samples(hashes: np.ndarray, y, labels) -> dict:
    """``{label: (distinct samples, samples copied)}`` of each of ``labels`` (``hashes``:
    :func:`sample_hashes` of the samples, whose labels are ``y``). A sample is copied where other
    classes hold it as often as the class or more: a class of mostly such samples has nothing in the
    columns that sets it apart, and its synthetic ones look like the others' (the label gate's judge,
    weighing the classes alike, even gave it the tied rows and served it); a class whose samples
    another class copies a few times is not one of them."""
    y = np.asarray(y)
    # Each distinct sample once, with its count in all classes: one sort of the whole data, then
    # one of each class's samples (a class at a time against the rest sorted the rest each time).
    _, sample_of, total = np.unique(hashes, return_inverse=True, return_counts=True)
    sample_of = sample_of.reshape(-1)
    found = {}
    for label in labels:
        samples, n_own = np.unique(sample_of[y == label], return_counts=True)
        found[label] = len(samples), int(n_own[total[samples] - n_own >= n_own].sum())
    return found


def _refusing(option: str) -> str:
    # The Python name reaches command-line users too (the folds of `gan-augment evaluate`): name both.
    if option == "min_class_size":
        return "min_class_size=N (--min-class-size N for the command line's fit and augment)"
    return f"{option} N"


def _check_strategy_keys(strategy: dict, labels: list, classes_option: bool = True) -> None:
    """A dict's keys must be the labels themselves, as in imbalanced-learn (which GANAugmenter's
    public ``fit_resample`` asks first); say which key is not, and what it should be (or, where the
    sampler has a ``classes`` parameter, ``classes_option``, how that one names it)."""
    for key in strategy:
        if getattr(key, "ndim", None) == 0 and hasattr(key, "item") and not isinstance(key, np.generic):
            # A 0-d tensor or array (ds.targets[i]) equals its label but hashes by identity:
            # imbalanced-learn then found no such class.
            raise ValueError(f"sampling_strategy names a class by {key!r}, a {type(key).__name__} of one value; write "
                             f"the label itself: {{{key.item()!r}: ...}}.")
        if any(same_label(label, key) for label in labels):
            continue
        try:
            meant = resolve_class(key, labels)
        except ValueError as exc:
            raise ValueError(f"sampling_strategy: {exc}") from None
        raise ValueError(
            f"sampling_strategy names the class {key!r}, but the label is {meant!r} ({type(meant).__name__}); "
            f"write {{{meant!r}: ...}}"
            + (f", or use classes=[{key!r}], which also accepts a label's text." if classes_option else ".")
        )


def check_strategy_values(sampling_strategy, y, *, classes_option: bool = True) -> None:
    """Refuse a dict ``sampling_strategy`` (or what a callable one returns for ``y``) whose keys
    are not labels of ``y`` (saying which label was meant) or whose values are not whole numbers of
    rows, before imbalanced-learn compares them with the class counts (``classes_option``: the
    sampler has a ``classes`` parameter, which the advice may name)."""
    _check_strategy_type(sampling_strategy)
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    # The labels as imbalanced-learn reads them: a one-hot target's are its columns' indices.
    as_read = labels.argmax(axis=1) if labels.ndim == 2 else labels
    if callable(sampling_strategy):
        # Given an array, never the user's list or Series (whose y[0] may be no position).
        sampling_strategy = _called_strategy(sampling_strategy, as_read)
    if isinstance(sampling_strategy, numbers.Real) and not isinstance(sampling_strategy, bool) \
            and math.isfinite(sampling_strategy) and 0 < sampling_strategy <= 1:  # other values: scikit-learn's to name
        # Before imbalanced-learn's words, which name neither the ratio nor the counts.
        _check_ratio(sampling_strategy, class_counts(as_read))
    if isinstance(sampling_strategy, dict):
        counts = None
        if labels.ndim == 1:  # a one-hot target's labels are its columns: imbalanced-learn's to check
            counts = class_counts(labels)
            _check_strategy_keys(sampling_strategy, list(counts), classes_option)
        check_strategy_counts(sampling_strategy, counts)


#: imbalanced-learn's names of over-sampling strategies.
_STRATEGY_NAMES = ("auto", "minority", "not minority", "not majority", "all")


def _check_strategy_type(strategy) -> None:
    """What the samplers' parameter validation refuses, refused as clearly for every door
    (imbalanced-learn returns None for other types, and its refusal of a name lists functions)."""
    if isinstance(strategy, str):
        if strategy not in _STRATEGY_NAMES:
            raise ValueError(f"sampling_strategy={strategy!r} is not one of {', '.join(map(repr, _STRATEGY_NAMES))}.")
    elif isinstance(strategy, Mapping) and not isinstance(strategy, dict):
        # imbalanced-learn reads dicts only ("'NoneType' object has no attribute 'items'").
        raise TypeError(f"sampling_strategy is a {type(strategy).__name__}; give it as a dict: "
                        "sampling_strategy=dict(...).")
    elif not (isinstance(strategy, (numbers.Real, dict)) or callable(strategy)):
        raise TypeError(f"sampling_strategy must be a float, one of {', '.join(map(repr, _STRATEGY_NAMES))}, a dict "
                        f"of class -> wanted number of rows or a callable returning one; got {strategy!r:.80}.")


def _called_strategy(strategy, y) -> dict:
    """What a callable ``sampling_strategy`` returns for ``y``: a dict, as imbalanced-learn requires."""
    plan = strategy(y)
    if not isinstance(plan, dict):
        raise TypeError(f"sampling_strategy={strategy!r} returned {type(plan).__name__} ({plan!r:.80}); a callable "
                        "sampling_strategy must return a dict of class -> wanted number of rows.")
    return plan


def check_strategy_counts(strategy: dict, counts: dict | None = None) -> None:
    """A dict's values are wanted counts: whole numbers (imbalanced-learn would floor 10.5 and
    compare a string or NaN with an integer), and none below the class's count in ``counts``
    (imbalanced-learn's refusal names neither the class nor its key). Worded for rows and images
    alike (an image model's message said rows)."""
    for key, value in strategy.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise ValueError(f"sampling_strategy[{key!r}] must be an int (the count wanted after the "
                             f"top-up), got {value!r} ({type(value).__name__}).")
        if value > np.iinfo(np.int64).max:  # imbalanced-learn's arithmetic overflowed, naming nothing
            raise ValueError(f"sampling_strategy[{key!r}] = {value} is more than a count can hold (at most "
                             f"{np.iinfo(np.int64).max:,}), and more than any machine could make; ask for fewer.")
        have = None if counts is None else next((n for label, n in counts.items() if same_label(label, key)), None)
        if have is not None and value < have:
            raise ValueError(f"sampling_strategy[{key!r}] = {value} is below the {have} that class {key!r} already "
                             "has: the value is the count wanted after the top-up, and a top-up only adds. Ask for at "
                             f"least {have}, or leave the class out.")


def label_to_json(label, dtype: np.dtype):
    """``label``, a class of labels of ``dtype``, as JSON can hold it: :func:`plain_label`, except
    that dates and durations (``datetime64`` / ``timedelta64``) become their count of the dtype's
    unit, since JSON has no dates. :func:`label_from_json` reads it back."""
    if dtype.kind in "mM":
        return int(np.array([label], dtype=dtype).view(np.int64)[0])
    return plain_label(label)


def label_from_json(value, dtype: np.dtype):
    """The label :func:`label_to_json` wrote, as :func:`plain_label` gives it."""
    if dtype.kind in "mM":
        return plain_label(np.array([value], dtype=np.int64).view(dtype)[0])
    return value
