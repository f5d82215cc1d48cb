"""TabularEncoder: tables <-> the float matrix the GAN works on, with an exact round trip of form.

Numeric columns use mode-specific normalisation (Xu et al. 2019, "Modeling Tabular Data using
Conditional GAN", section 4.2): a Bayesian Gaussian mixture is fitted per column; a value is
represented by the one-hot of a mixture mode drawn from its posterior plus a scalar
``alpha = (x - mu_k) / (4 sigma_k)``. Multi-modal and skewed columns become easy for a generator
with a ``tanh`` output. Missing numeric values are one more "mode", so the generator reproduces
their rate. Categorical columns are one-hot (generated through Gumbel-softmax), with missing as one
more category.

The decoded output has the container, column order, names and dtypes of the data the encoder was
fitted on; integers stay integers, and by default values stay inside the observed range and are
rounded to the decimals observed in each column.

The encoder also keeps the rules the table itself obeys on every real row, so that synthetic rows
obey them too: a group of 0/1 columns with exactly one 1 per row (what a OneHotEncoder or
``pd.get_dummies`` writes) is modelled as ONE categorical and decoded back into its columns; other
0/1 columns are two-valued categories (never 0.47); "column A is missing exactly when column B
takes value v (or is missing)" is kept by deriving A's missingness from B's decoded value; and a
column that takes one value for each value of a categorical column (a code and its name) is read
off that column's decoded value.
:meth:`TabularEncoder.describe_rules` says which rules were found and
:meth:`TabularEncoder.rule_violations` measures how often a table breaks them.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import numbers
import operator
import re
import shlex
import unicodedata
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture

from gan_augment._classes import ZERO_PADDED, plain_label
from gan_augment._listing import CLASSES_NAMED, column_suggestion, first_few
from gan_augment._memory import gib, physical_memory
from gan_augment._warnings import catching_warnings, recording, user_stacklevel, warn
from gan_augment.data import column_rules
from gan_augment.data._dtypes import INFINITY_WORDS, MISSING_WORDS, NUMBER_TEXT, as_decimals, check_storable, \
    date_kind, decimal_places, dtype_from_json, dtype_to_json, hashable, json_scalar, refuse_complex, refuse_dates, \
    stored_dtype
from gan_augment.exceptions import DataValidationError, LabelSpellingWarning, ModelFileError

# Components of the Bayesian mixture whose weight falls below this are dropped (they explain
# almost no rows and would waste output units).
_MIN_MODE_WEIGHT = 0.005
# Mixture fitting is the slow part of encoding; its parameters are stable long before 5,000 rows.
_GMM_MAX_ROWS = 5000
# A column whose variance is this many times what its interquartile range implies is a bulk with a
# few extreme values (_bulk_priors). The real tables of the benchmarks reach 4,500 (page-blocks'
# mean_tr, a heavy tail) and keep scikit-learn's priors; one 1e5 among values of 0..10 gives 3e6, a
# missing-value code 9999 in 1% of them 7e4 (in 3%, 2e5: the bulk was one mode 56 wide).
_OUTLIER_VARIANCE_RATIO = 1e4
#: Columns whose largest magnitude lies outside this range are fitted in units of it (see _fit_mixture).
_MIXTURE_SCALE_RANGE = (1e-100, 1e100)
_ALPHA_CLIP = 0.99
# A single value holding at least this share of a numeric column gets an exact mode of its own.
_POINT_MASS_SHARE = 0.05
# A float column whose values need more decimals than this to be written exactly (0.46997202843...)
# has no precision of its own to keep: its synthetic values are not rounded.
_MAX_DECIMALS = 10


@dataclass(frozen=True)
class OutputSpan:
    """A block of the encoded matrix and the activation the generator applies to it."""

    start: int
    size: int
    activation: str  # "tanh" or "softmax"


class TabularEncoder:
    """Encode a table (DataFrame or 2-D array) for the GAN and decode generated rows back.

    Parameters
    ----------
    categorical_columns : list of column names (DataFrame) or indices (array), default=None
        Columns to treat as categorical in addition to those detected from their dtype
        (object, string, category, bool). Use it for integer codes.
    max_modes : int, default=10
        Upper bound on mixture modes per numeric column (at most 200 are fitted: a mode below 0.5%
        of the rows is dropped); fitted with classes, up to as many again for classes those modes do
        not serve (a rare class in a range of its own, or mostly one value).
    max_categories : int, default=100
        Categories beyond this many (the rarest ones) share one "other" slot; a decoded "other"
        becomes one of them, drawn by their observed frequency. A warning names the column.
    clip_to_range : bool, default=True
        Clip decoded numeric values into the range observed at fit time.
    round_to_observed : bool, default=True
        Round decoded values of each float column to the most decimals any of its real values needs
        to be written exactly (``12.5``, ``0.25`` -> 2 decimals), so a 2-decimal column does not come
        back as 0.46997202843030206. Columns needing more than 10 decimals are left as generated.
    detect_rules : bool, default=True
        Find and keep the table's own rules (see :meth:`describe_rules`): one-hot groups of 0/1
        columns, 0/1 columns as two-valued categories, exact missingness links, columns set by a
        categorical column, values implied by another column's.
    random_state : int or None
        Seeds the mixture fits and the posterior mode draws.

    Attributes
    ----------
    columns_ : list of dict
        What was learned of each column, in column order (saved in model files).
    groups_ : list of list of int
        Positions of the columns of each one-hot group.
    links_ : list of dict
        Missingness links: ``{"column": a, "parent": b, "when": "equals" or "missing", "value": v}``
        (positions): column ``a`` is missing exactly when column ``b`` = ``v`` (or is missing); with
        ``"sets": w``, column ``a`` (no missing values) = ``w`` exactly when ``b`` = ``v``.
    derived_ : list of dict
        Columns set by a categorical column: ``{"column": c, "parent": b, "pairs": [[v, w], ...]}``
        (positions): column ``c`` is ``w`` wherever column ``b`` is ``v`` (None: missing); decoded
        rows take ``c`` from ``b``'s decoded value. A one-hot group as ``b`` is named by its first
        member, and its ``v`` is the position of the member holding the 1.
    implied_ : list of dict
        Values implied by a categorical column, ``{"column": c, "parent": b, "pairs": [[v, w], ...]}``
        as in ``derived_`` but for some of ``b``'s values only: decoded rows whose ``b`` is ``v`` take
        ``w``, the others keep the generator's ``c``
        (:func:`~gan_augment.data.column_rules.find_implied_values`). ``b`` or ``c`` may be a one-hot
        group, written as in ``derived_``.
    """

    def __init__(self, *, categorical_columns=None, max_modes=10, max_categories=100,
                 clip_to_range=True, round_to_observed=True, detect_rules=True, random_state=None):
        self.categorical_columns = categorical_columns
        self.max_modes = max_modes
        self.max_categories = max_categories
        self.clip_to_range = clip_to_range
        self.round_to_observed = round_to_observed
        self.detect_rules = detect_rules
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def check_values(self, X) -> None:
        """Raise what :meth:`fit` would raise of ``X``'s values, without fitting: dates, durations and
        complex numbers, categories a model file cannot keep (a date object, bytes), or Python takes
        as one but written differently (1 and 1.0). For callers that fit a GAN only after other
        work: the evaluator's and AutoAugmenter's folds trained baselines and classifiers first."""
        frame, _, forced = self._frame_and_forced(X)
        for position, name in enumerate(frame.columns):
            series = frame[name]
            if _column_kind(series, forced=position in forced, name=name) == "categorical" \
                    and not isinstance(series.dtype, pd.StringDtype):
                values = series.dropna().astype(object)
                first_of_type: dict = {}  # a value of each type, as it first comes (fit reads them all)
                for value in values:
                    first_of_type.setdefault(type(value), value)
                for value in first_of_type.values():
                    json_scalar(value, column=name)
                texts = [value for value in pd.unique(values) if isinstance(value, str)]
                try:  # one pass for all: text with a lone surrogate anywhere, not only first
                    "".join(texts).encode("utf-8")
                except UnicodeEncodeError:
                    for value in texts:
                        json_scalar(value, column=name)

    def fit(self, X, y=None):
        """Learn each column's encoding from ``X``; ``y`` (optional, one class index per row, from
        0): the rare values sharing a categorical column's "other" slot are then decoded by their
        frequency within each class, so a class gets only the rare values it has."""
        frame, self.container_, forced = self._frame_and_forced(X)
        y = None if y is None else np.asarray(y, dtype=np.int64)
        seed = np.random.SeedSequence(self.random_state if self.random_state is not None else None)
        column_seeds = seed.spawn(frame.shape[1])
        binary = column_rules.binary_columns(frame) if self.detect_rules else {}
        self.groups_ = column_rules.find_onehot_groups(
            frame, [position for position, (_, has_missing) in binary.items() if not has_missing])
        group_of = {position: index for index, members in enumerate(self.groups_) for position in members}

        def fit_column(position, name) -> dict:
            series = frame[name]
            if position in group_of:
                spec = {"kind": "onehot", "group": group_of[position], "values": binary[position][0]}
                _keep_decimal_places(spec, series.dropna())  # 0/1 decimals: held as floats (rule_scalar)
            else:
                kind = _column_kind(series, forced=position in forced, name=name)
                # (a 0/1 column of decimals stays a number: categories of decimals have no model file form)
                if kind == "numeric" and position in binary and decimal_places(series.dropna()) is None:
                    # A 0/1 column is a yes/no answer: as a two-valued category it decodes to exactly
                    # 0 or 1 and costs one softmax pair instead of a scalar plus modes.
                    spec = _fit_categorical(series, self.max_categories, y=y)
                    spec["binary"] = True
                elif kind == "numeric":
                    _warn_if_identifier(series, name)
                    spec = _fit_numeric(series, self.max_modes, column_seeds[position], y=y)
                else:
                    # One piece of advice a column: dates want converting to numbers, an ID dropping, and
                    # neither max_categories raised to model every value.
                    dates = _warn_if_dates(series, name)
                    numbers = position not in forced and not dates and _warn_if_numbers_as_text(series, name)
                    identifier = (position not in forced and not (dates or numbers)
                                  and _warn_if_identifier(series, name))
                    spec = _fit_categorical(series, self.max_categories,
                                            advise_more=not (identifier or dates or numbers), y=y)
            spec["name"] = json_scalar(name, what="X has a column named")
            spec["dtype"] = dtype_to_json(series.dtype)
            return spec

        columns, raised = [], []
        try:
            for position, name in enumerate(frame.columns):
                spec, said = recording(fit_column, position, name)
                columns.append(spec)
                raised.append((name, said))
        except BaseException:
            with contextlib.suppress(Warning):  # under warnings as errors, the failure is what is raised
                _say_grouped_by_column(raised)  # what the columns before it said, not lost with the fit
            raise
        _say_grouped_by_column(raised)
        self.columns_ = columns
        self.links_, self.derived_, self.implied_ = [], [], []
        if self.detect_rules:
            links = column_rules.find_missing_links(frame, self.columns_)
            derived = column_rules.find_derived_columns(frame, self.columns_, self.groups_, links)
            self.links_, self.derived_ = column_rules.kept_together(links, derived)
            self.implied_ = column_rules.find_implied_values(frame, self.columns_, self.groups_, self.links_,
                                                             self.derived_)
        return self

    def _frame_and_forced(self, X) -> tuple[pd.DataFrame, dict, set[int]]:
        """``X`` as a frame, its container, and the positions named categorical; every dtype
        checked storable before any column is read."""
        frame, container = _to_frame(X)
        for name, dtype in frame.dtypes.items():
            check_storable(dtype, name)
        return frame, container, self._resolve_categorical_columns(frame, container)

    def _resolve_categorical_columns(self, frame, container: dict) -> set[int]:
        return resolve_categorical_columns(frame, self.categorical_columns, array=container["kind"] == "ndarray")

    # ------------------------------------------------------------ layout
    def _layout(self) -> list[int]:
        """Where each column's block starts in the encoded matrix.

        A one-hot group has a single block, at its first member; the other members point at it too.
        """
        starts, start = [], 0
        for position, spec in enumerate(self.columns_):
            if spec["kind"] == "onehot":
                members = self.groups_[spec["group"]]
                if position == members[0]:
                    starts.append(start)
                    start += len(members)
                else:
                    starts.append(starts[members[0]])
                continue
            starts.append(start)
            start += _block_width(spec)
        return starts

    @property
    def output_spans(self) -> list[OutputSpan]:
        spans, start = [], 0
        for position, spec in enumerate(self.columns_):
            if spec["kind"] == "onehot":
                members = self.groups_[spec["group"]]
                if position == members[0]:
                    spans.append(OutputSpan(start, len(members), "softmax"))
                    start += len(members)
                continue
            if spec["kind"] == "numeric":
                spans.append(OutputSpan(start, 1, "tanh"))
                start += 1
            spans.append(OutputSpan(start, _n_slots(spec), "softmax"))
            start += _n_slots(spec)
        return spans

    def text_columns(self) -> list:
        """The columns whose values are text (what a tensor of numbers cannot hold)."""
        return [spec["name"] for spec in self.columns_ if _value_kind(dtype_from_json(spec["dtype"])) == "text"]

    def check_like_fitted(self, X, *, source: str = "X", na_values=()) -> None:
        """Refuse a table whose columns hold another kind of value than the one this codec was
        fitted on (text where it learnt numbers, numbers where it learnt text, ...), naming the
        column; warn where an integer column now holds fractions. For new data given to a fitted
        model (``gan-augment augment --model``): its real rows are written beside synthetic rows
        made the fitted way, and a column should not mix the two. Names are checked by the caller.
        ``na_values``: the texts ``X`` was read with as missing, kept in the advice to name more."""
        frame, _ = _to_frame(X)
        for spec, name in zip(self.columns_, frame.columns):
            if frame[name].isna().all():
                continue  # no value to be of another kind (an empty column reads as float64)
            # An object column by its values (a CSV's True/False column with empty cells holds
            # booleans, not text); a numeric one learnt numbers whatever its dtype.
            known = spec.get("categories", []) + spec.get("other", [])
            fitted = {"numbers"} if spec["kind"] == "numeric" else _held_kinds(dtype_from_json(spec["dtype"]), known)
            held = hashable(frame[name]).dropna().unique().tolist()
            given = _held_kinds(frame[name].dtype, held)
            if not given <= fitted:
                shown = ", ".join(map(repr, frame[name].dropna().iloc[:3].tolist()))
                raise DataValidationError(
                    f"Column {str(name)!r} of {source} holds {' and '.join(sorted(given))} ({shown}, ...), but the "
                    f"model was fitted on {' and '.join(sorted(fitted))} in it: its synthetic rows would not match the "
                    "real ones. Fit a model on this data, or give the column the model's kind of values."
                    + (_missing_word_hint(frame[name], na_values) if fitted == {"numbers"} else ""))
            if spec["kind"] == "categorical":
                _warn_of_unseen_values(name, held, known, source)
            if spec["kind"] == "numeric" and spec.get("is_integer") and given == {"numbers"}:
                values = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
                if np.any(np.mod(values[~np.isnan(values)], 1) != 0):
                    warnings.warn(f"Column {str(name)!r} of {source} holds fractions, but the model learnt whole "
                                  "numbers in it: its synthetic values are whole numbers.",
                                  stacklevel=user_stacklevel())

    def numeric_blocks(self) -> list[tuple[int, list[float], list[float]]]:
        """Where each numeric column's value sits in an encoded row: ``(start, means, stds)``.

        At ``start`` is the column's alpha, then one slot per mode (then its missing slot, if any);
        a row whose mode slot ``k`` is set holds ``means[k] + 4 * stds[k] * clip(alpha, -1, 1)``, the
        value :meth:`inverse_transform` decodes before clipping and rounding. Columns whose every
        value was missing are left out (they hold no value)."""
        return [(start, list(spec["means"]), list(spec["stds"]))
                for spec, start in zip(self.columns_, self._layout())
                if spec["kind"] == "numeric" and not spec.get("all_missing")]

    def unread_positions(self) -> list[int]:
        """Positions of the encoded row that decoding never reads: the blocks of the columns set
        by another column's value (see :meth:`describe_rules`), which the parent's value replaces.
        A judge of encoded rows must not read them either: it would pass or refuse a row for a
        value the decoded row does not hold."""
        starts, unread = self._layout(), []
        for rule in self.derived_:
            start = starts[rule["column"]]
            unread += range(start, start + _block_width(self.columns_[rule["column"]]))
        return unread

    def decoded_view(self):
        """For a judge of encoded rows (the label gate's): a function of a batch of encoded rows
        (a tensor) that re-encodes, from the rows as decoded, the blocks of the columns whose value
        decoding sets from another column where a rule holds (implied values, missing links); None
        where there are none. Without it the judge passed or refused a row for a value or a gap the
        returned row does not hold. (The blocks of columns read off another are not read at all:
        :meth:`unread_positions`.)"""
        children = sorted({rule["column"] for rule in self.links_ + self.implied_})
        if not children:
            return None
        # Only these columns are decoded, with those they are decoded from (a one-hot group whole).
        sources, wanted = self._rule_sources(), set()
        for position in children:
            while position is not None:
                wanted.add(position)
                position = sources.get(position)
        wanted |= {self.groups_[self.columns_[p]["group"]][0] for p in wanted if self.columns_[p]["kind"] == "onehot"}
        return functools.partial(self._as_decoded, children, frozenset(wanted))

    def _as_decoded(self, children: list[int], wanted: frozenset, rows):
        import torch

        # Seeded: the view of a batch is a function of the batch (a rare category or a mixture mode
        # drawn in decoding or encoding the same each time).
        rng, starts, out = np.random.default_rng(0), self._layout(), rows.clone()
        drawn, sources = {}, self._rule_sources()
        columns = self._decoded_columns(rows.detach().cpu().numpy(), rng, wanted, drawn)
        for position in children:
            # Where the value the rule follows was drawn from the rare ones (the "other" slot), here
            # or up its chain of rules, decoding draws it again: those rows keep the generator's block.
            chance, ancestor = np.zeros(len(rows), dtype=bool), sources[position]
            while ancestor is not None:
                chance |= drawn.get(ancestor, False)
                ancestor = sources.get(ancestor)
            spec = self.columns_[position]
            if spec["kind"] == "onehot":
                members = self.groups_[spec["group"]]
                ones = pd.concat([columns[self.columns_[member]["name"]] for member in members], axis=1,
                                 ignore_index=True)
                blocks = [column_rules.encode_group(ones, list(range(len(members))))]
            elif spec["kind"] == "numeric":
                blocks = _encode_numeric(columns[spec["name"]], spec, rng)
            else:
                blocks = [_encode_categorical(columns[spec["name"]], spec)]
            block = torch.from_numpy(np.concatenate(blocks, axis=1).astype(np.float32)).to(out.device)
            settled = torch.from_numpy(~chance).to(out.device)
            span = slice(starts[position], starts[position] + block.shape[1])
            out[:, span] = torch.where(settled[:, None], block, out[:, span])
        return out

    @property
    def output_dim(self) -> int:
        return sum(span.size for span in self.output_spans)

    # ------------------------------------------------------------ encode
    def transform(self, X, random_state=None) -> np.ndarray:
        """Encode rows into a float32 matrix; mixture modes are drawn from their posterior."""
        frame = self._frame_of(X)
        rng = np.random.default_rng(random_state)
        self._check_encoding_fits(frame)
        try:
            # Each column's block is written into the float32 result as it is made: the float64 blocks
            # concatenated, then cast, peaked at about 5x the result (2.4 GB for 1M x 107).
            out = np.empty((len(frame), self.output_dim), dtype=np.float32)
            at = 0
            for position, (spec, name) in enumerate(zip(self.columns_, frame.columns)):
                series = frame[name]
                if spec["kind"] == "onehot":
                    members = self.groups_[spec["group"]]
                    blocks = [column_rules.encode_group(frame, members)] if position == members[0] else []
                elif spec["kind"] == "numeric":
                    blocks = _encode_numeric(series, spec, rng)
                else:
                    blocks = [_encode_categorical(series, spec)]
                for block in blocks:
                    out[:, at:at + block.shape[1]] = block
                    at += block.shape[1]
        except MemoryError as exc:  # a process memory limit (ulimit) below the machine's memory
            raise DataValidationError(self._encoding_too_large(frame, "more than this process could get")) from exc
        assert at == self.output_dim, (at, self.output_dim)
        return out

    def _blocks(self, frame: pd.DataFrame) -> list[tuple[str, int]]:
        """Each block of the encoding as ``(what it encodes, width)``: a column's categories or modes,
        or a group of 0/1 columns read as one categorical (a get_dummies of many values)."""
        blocks = []
        for position, (spec, name) in enumerate(zip(self.columns_, frame.columns)):
            if spec["kind"] == "onehot":
                members = self.groups_[spec["group"]]
                if position == members[0]:
                    blocks.append((f"the group of {len(members)} 0/1 columns from {name!r} on, one per column",
                                   len(members)))
            else:
                unit = "mode" if spec["kind"] == "numeric" else "category"
                blocks.append((f"column {name!r}, one per {unit}", _n_slots(spec)))
        return blocks

    def _encoding_bytes(self, frame: pd.DataFrame) -> int:
        """The float32 matrix and its widest block, both held while encoding."""
        widest = max((width for _, width in self._blocks(frame)), default=0)
        return len(frame) * (self.output_dim + widest) * 4

    def _check_encoding_fits(self, frame: pd.DataFrame) -> None:
        """Refuse, before allocating, an encoding larger than this machine's memory (the allocation
        itself is lazy: the machine would swap, or the process be killed, as the matrix filled)."""
        physical = physical_memory()
        if physical is not None and self._encoding_bytes(frame) > physical:
            raise DataValidationError(self._encoding_too_large(frame, f"more than this machine's {gib(physical)}"))

    def _encoding_too_large(self, frame: pd.DataFrame, limit: str) -> str:
        """What the encoding of ``frame`` needs, its widest block, and what to do."""
        what, width = max(self._blocks(frame), key=lambda block: block[1], default=("", 0))
        where = f", {width:,} of them for {what}" if width else ""
        needed = gib(self._encoding_bytes(frame))
        return (f"Encoding {len(frame):,} rows for the GAN needs {needed} ({self.output_dim:,} values a row{where}), "
                f"{limit}. Lower max_categories (command line: --max-categories) so that "
                "rare categories share one slot, drop the widest columns, or fit on fewer rows.")

    def _frame_of(self, X) -> pd.DataFrame:
        frame, _ = _to_frame(X)
        if frame.shape[1] != len(self.columns_):
            raise DataValidationError(
                f"X has {frame.shape[1]} columns; the encoder was fitted on {len(self.columns_)}."
            )
        if self.container_["kind"] == "dataframe" and isinstance(X, pd.DataFrame):
            # The rules and blocks are read by position: a frame's columns in another order or under
            # other names would be read as the wrong columns, without a word.
            self._check_column_names(list(frame.columns))
        return frame

    def _check_column_names(self, names: list) -> None:
        want = [spec["name"] for spec in self.columns_]
        have = [json_scalar(name) if isinstance(name, np.generic) else name for name in names]
        detail = column_difference(want, have, same=_same_name, owner="the fit")
        if detail is not None:
            raise DataValidationError(f"X does not have the columns the encoder was fitted on: {detail}. Give X "
                                      f"the fitted columns in their order ({first_few(map(repr, want), 5)}).")

    # ------------------------------------------------------------ decode
    def inverse_transform(self, Z, random_state=None, classes=None):
        """Decode generated rows into the container, columns and dtypes seen in :meth:`fit`;
        ``classes``: the class index of the rows (one for all, or one per row), for the rare values
        of the "other" slot (see :meth:`fit`)."""
        Z = np.asarray(Z)
        if Z.dtype.kind != "f":
            Z = Z.astype(np.float64)
        # A float32 matrix is read as it is: argmax does not care, and each scalar column is widened
        # on its own (copying the whole matrix to float64 was a large part of sampling time).
        columns = self._decoded_columns(Z, np.random.default_rng(random_state), classes=classes)
        typed = {self.columns_[rule["column"]]["name"] for rule in self.derived_}
        return _from_columns(columns, self.columns_, self.container_, n_rows=Z.shape[0], typed=typed)

    def _decoded_columns(self, Z: np.ndarray, rng: np.random.Generator, wanted=None, drawn=None,
                         classes=None) -> dict:
        """``{name: values}`` of the columns decoded from ``Z``, before their dtypes are restored
        (those read off another excepted); ``wanted``: the positions to decode (with every column
        they are decoded from), None for all; ``drawn``: a dict that gets, for each categorical
        column with rare values, the rows whose value was drawn from them (the "other" slot)."""
        starts, links = self._layout(), self._links_by_column()
        derived = {rule["column"]: rule for rule in self.derived_}
        implied = {rule["column"]: rule for rule in self.implied_}
        parents = {rule["parent"] for rule in self.derived_ + self.implied_}
        columns, table_codes = {}, {}
        for position in self._decoding_order():
            if wanted is not None and position not in wanted:
                continue
            spec, offset = self.columns_[position], starts[position]
            if position in derived:
                # The generator's own block for the column is not read: the parent's value sets it.
                rule = derived[position]
                columns[spec["name"]] = self._derived_values(rule, table_codes[rule["parent"]])
                continue
            if spec["kind"] == "onehot":
                members = self.groups_[spec["group"]]
                if position == members[0]:
                    chosen = self._ruled_codes(position, Z[:, offset: offset + len(members)].argmax(axis=1),
                                               implied, parents, table_codes)
                    for index, member in enumerate(members):
                        member_spec = self.columns_[member]
                        columns[member_spec["name"]] = _decode_binary(chosen == index, member_spec)
                continue
            width = _n_slots(spec)
            block = Z[:, offset + 1: offset + 1 + width] if spec["kind"] == "numeric" else Z[:, offset: offset + width]
            if position in links:
                # The parent as its column's type holds it: a float32 column's 0.3 decodes as 0.30000001
                # at 8 decimals, which is 0.3 again once a float32.
                parent = self.columns_[links[position]["parent"]]
                restored = {parent["name"]: columns[parent["name"]] if links[position]["parent"] in derived
                            else _restore_dtype(columns[parent["name"]], parent)}
                holds = self._link_holds(links[position], restored)
                if "sets" in links[position]:
                    # The linked value exactly where the link holds; elsewhere the likeliest other one.
                    linked = spec["categories"].index(links[position]["sets"])
                    others = block.copy()
                    others[:, linked] = -np.inf
                    slot = np.where(holds, linked, others.argmax(axis=1))
                else:
                    # The missing slot is never chosen by the generator here: missingness is the link's.
                    slot = block[:, :width - 1].argmax(axis=1)
                    slot[holds] = width - 1
            else:
                slot = block.argmax(axis=1)
            if spec["kind"] == "numeric":
                alpha = Z[:, offset].astype(np.float64)
                columns[spec["name"]] = _decode_numeric(alpha, slot, spec, self.clip_to_range,
                                                        self.round_to_observed)
            else:
                if drawn is not None and spec["other"]:
                    drawn[position] = slot == len(spec["categories"])
                codes = self._ruled_codes(position, _categorical_codes(slot, spec, rng, classes), implied, parents,
                                          table_codes)
                columns[spec["name"]] = _categorical_values(codes, spec)
        return columns

    def _ruled_codes(self, position: int, codes: np.ndarray, implied: dict, parents: set,
                     table_codes: dict) -> np.ndarray:
        """Decoded ``codes`` of column (or group) ``position``, entries of its :meth:`_rule_table`,
        with the values an implied-values rule sets from its parent's codes in ``table_codes``; kept
        there too where a rule follows this column."""
        if position in implied:
            rule = implied[position]
            sets = self._implied_codes(rule)[table_codes[rule["parent"]]]
            codes = np.where(sets >= 0, sets, codes)
        if position in parents:
            table_codes[position] = codes
        return codes

    def _decoding_order(self) -> list[int]:
        """Column positions, each after the column its missingness follows or it is read off: the
        others first, in order, then those following them, and so on (for a table without columns
        read off another: its links, after all the others)."""
        source = self._rule_sources()
        order, done, pending = [], set(), list(range(len(self.columns_)))
        while pending:
            ready = [p for p in pending if p not in source or source[p] in done]
            if not ready:  # (kept_together leaves no loop; a model file edited by hand might)
                raise ModelFileError(f"The column rules wait on one another in a loop ({source}): the encoder's "
                                     "rules were edited. Fit again.")
            order += ready
            done.update(ready)
            pending = [p for p in pending if p not in done]
        return order

    def _derived_values(self, rule: dict, parent_codes: np.ndarray) -> pd.Series:
        """Column ``rule["column"]`` read off its parent's values, given as indices into the parent's
        :meth:`_rule_table`: the real values as the pairs hold them, in the column's dtype (not
        through float64: 10**17 + 1 stays itself)."""
        spec = self.columns_[rule["column"]]
        sets = dict(map(tuple, rule["pairs"]))
        by_entry = [sets[value] for value in self._rule_table(rule["parent"])]
        missing = _MISSING_VALUES[spec.get("missing_value", "nan")]
        table = pd.Series([missing if value is None else value for value in by_entry], dtype=object)
        return _as_decimals_of(table.astype(dtype_from_json(spec["dtype"])), spec).take(parent_codes) \
            .reset_index(drop=True)

    def _rule_sources(self) -> dict[int, int]:
        """Each column a rule decodes from another's value -> that column."""
        return column_rules.rule_sources(self.links_, self.derived_ + self.implied_, self.groups_)

    def _implied_codes(self, rule: dict) -> np.ndarray:
        """For each entry of the parent's decode table (see :meth:`_rule_table`), the child's entry
        ``rule`` sets there; -1 where it sets none (and at the end, for a code of -1)."""
        parent_table, child_table = self._rule_table(rule["parent"]), self._rule_table(rule["column"])
        sets = np.full(len(parent_table) + 1, -1, dtype=np.int64)
        for value, implied in rule["pairs"]:
            sets[parent_table.index(value)] = child_table.index(implied)
        return sets

    def _rule_table(self, position: int) -> list:
        """The values of column ``position`` a rule pairs, in the order of its decoded codes: a
        categorical's categories, rare values, then None where it has missing values (see
        :func:`_table_codes`); a one-hot group's (named by its first member) member positions, the
        member holding the 1 (see :func:`~gan_augment.data.column_rules.group_codes`)."""
        spec = self.columns_[position]
        if spec["kind"] == "onehot":
            return list(self.groups_[spec["group"]])
        return spec["categories"] + spec["other"] + ([None] if spec["has_missing"] else [])

    def _rule_codes(self, frame: pd.DataFrame, position: int) -> np.ndarray:
        """Each row's entry of :meth:`_rule_table` for column ``position`` of ``frame`` (rows given
        to check); -1 for a value the column never held (a group's row without exactly one 1)."""
        spec = self.columns_[position]
        if spec["kind"] == "onehot":
            return column_rules.group_codes(frame, self.groups_[spec["group"]])
        return _table_codes(_as_fitted(frame.iloc[:, position], spec), spec)

    def _links_by_column(self) -> dict[int, dict]:
        return {link["column"]: link for link in self.links_}

    def _link_holds(self, link: dict, columns) -> np.ndarray:
        """Rows where ``link``'s column must be missing: its parent holds the value (or is missing).

        ``columns`` maps column names to values (the parent's at least).
        """
        values = columns[self.columns_[link["parent"]]["name"]]
        if link["when"] == "missing":
            return values.isna().to_numpy(dtype=bool)
        return values.isin(self._link_values(link)).to_numpy(dtype=bool)

    @property
    def sample_shape(self) -> tuple[int]:
        """``(n_columns,)``: the shape of one row as the user gave it (and gets it back)."""
        return (len(self.columns_),)

    def describe_columns(self) -> list[tuple[str, str]]:
        """``[(column name, what the encoder learned of it)]``, in column order, for people."""
        return [(str(spec["name"]), _describe_column(spec, self.groups_)) for spec in self.columns_]

    # ------------------------------------------------------------ rules
    def describe_rules(self) -> list[str]:
        """One line per rule found in the real rows and kept in synthetic ones, for people."""
        return [text for text, _ in self._rules()]

    def rule_violations(self, X) -> dict[str, float]:
        """Share of the rows of ``X`` (e.g. synthetic rows) that break each rule of :meth:`describe_rules`.

        Returns ``{rule: rate}`` with the texts of :meth:`describe_rules` as keys, in that order,
        followed by ``"any rule"``: the share of rows breaking at least one (absent when no rule was
        found). A one-hot group is broken by a row without exactly one 1 (or with a value other than
        0 and 1), a binary column by a value other than 0 and 1 (or a missing value where the real
        column had none), a missingness link by a row where the column is missing while the other
        does not hold the value, or the reverse; a column read off another by a value other than the
        one its parent's value sets, an implied value by a row whose parent's value implies another.
        """
        frame = self._frame_of(X)
        rates, any_broken = {}, np.zeros(len(frame), dtype=bool)
        for text, broken_rows in self._rules():
            broken = broken_rows(frame)
            rates[text] = float(broken.mean()) if len(frame) else 0.0
            any_broken |= broken
        if rates:
            rates["any rule"] = float(any_broken.mean()) if len(frame) else 0.0
        return rates

    def _rules(self) -> list[tuple[str, Callable[[pd.DataFrame], np.ndarray]]]:
        """``[(description, rows -> mask of the rows breaking the rule)]``."""
        specs, name = self.columns_, self._display_name
        rules: list[tuple[str, Callable[[pd.DataFrame], np.ndarray]]] = []
        for members in self.groups_:
            rules.append((f"one-hot group of {len(members)} columns ({_names([name(p) for p in members])}): "
                          "exactly one is 1 in every row; modelled as one category",
                          functools.partial(_group_rows_broken, members=members)))
        binary = [p for p, spec in enumerate(specs) if spec.get("binary")]
        if binary:
            rules.append((f"binary: {_names([name(p) for p in binary])} hold{'s' if len(binary) == 1 else ''} "
                          "only 0 and 1; modelled as two-valued categories",
                          functools.partial(_binary_rows_broken, positions=binary, specs=specs)))
        for link in self.links_:
            when = "is missing" if link["when"] == "missing" else f"= {self._link_value_text(link)}"
            then = f"= {self._value_text(link['sets'], link['column'])}" if "sets" in link else "is missing"
            kind = "linked value" if "sets" in link else "missing link"
            rules.append((f"{kind}: {name(link['column'])} {then} exactly when {name(link['parent'])} {when}",
                          functools.partial(self._link_broken, link=link)))
        for rule in self.derived_:
            rules.append((f"set by another column: {name(rule['column'])} takes one value for each value of "
                          f"{self._rule_name(rule['parent'])} ({len(rule['pairs'])} pairs); read off it",
                          functools.partial(self._derived_broken, rule=rule)))
        for rule in self.implied_:
            said = ", ".join(f"{self._rule_value_text(value, rule['parent'])} -> "
                             f"{self._rule_value_text(implied, rule['column'])}"
                             for value, implied in rule["pairs"][:3])
            more = f" and {len(rule['pairs']) - 3} more" if len(rule["pairs"]) > 3 else ""
            rules.append((f"implied values: {self._rule_name(rule['column'])} follows "
                          f"{self._rule_name(rule['parent'])} on some of its values ({said}{more}); set from it there",
                          functools.partial(self._implied_broken, rule=rule)))
        return rules

    def _link_value_text(self, link: dict) -> str:
        return self._value_text(link["value"], link["parent"])

    def _link_values(self, link: dict) -> list:
        """The parent's values the link follows (see :meth:`_written_values`)."""
        return self._written_values(link["value"], link["parent"])

    def _value_text(self, value, position: int) -> str:
        """``value`` (as a model file holds it) as column ``position`` writes it: 0.1 for a float32
        0.1, not 0.10000000149011612."""
        return str(self._written_values(value, position)[-1]) if isinstance(value, float) else repr(value)

    def _rule_value_text(self, value, position: int) -> str:
        """A value a rule pairs for column ``position`` (see :meth:`_rule_table`): a one-hot group's
        (a member's position) as the member holding the 1."""
        if self.columns_[position]["kind"] == "onehot":
            return f"{self._display_name(value)} = 1"
        return self._value_text(value, position)

    def _rule_name(self, position: int) -> str:
        """Column ``position`` as a rule names it: a one-hot group (named by its first member) by its
        members."""
        spec = self.columns_[position]
        if spec["kind"] != "onehot":
            return self._display_name(position)
        members = self.groups_[spec["group"]]
        return f"the one-hot group of {_names([self._display_name(p) for p in members], limit=3)}"

    def _written_values(self, value, position: int) -> list:
        """``value`` of column ``position``, and for a float32 (float16) column also that value as
        written (0.1 for 0.10000000149011612), as rows read back from a file hold it."""
        dtype = dtype_from_json(self.columns_[position]["dtype"])
        dtype = getattr(dtype, "numpy_dtype", dtype)  # Float32 -> float32
        if isinstance(value, float) and isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8:
            return [value, float(str(dtype.type(value)))]
        places = self.columns_[position].get("object_decimals")
        if isinstance(value, float) and places is not None:  # a decimal, held as a float (rule_scalar)
            return [value, *as_decimals([value], places)]
        return [value]

    def _display_name(self, position: int) -> str:
        """A column as people name it: its name in a DataFrame, "column 3" in an array; quoted
        where the rule texts would lose or misread it bare (``''``, ``' num'``, ``'a, b'``, ``'x = 1'``)."""
        if self.container_["kind"] == "ndarray":
            return f"column {position}"
        name = str(self.columns_[position]["name"])
        if not name or name != name.strip() or not name.isprintable() or ", " in name or " = " in name:
            return repr(name)
        return name

    def _link_broken(self, frame: pd.DataFrame, link: dict) -> np.ndarray:
        by_name = {self.columns_[p]["name"]: frame.iloc[:, p] for p in (link["column"], link["parent"])}
        column = frame.iloc[:, link["column"]]
        linked = column.isin(self._written_values(link["sets"], link["column"])) if "sets" in link else column.isna()
        return linked.to_numpy(dtype=bool) != self._link_holds(link, by_name)

    def _derived_broken(self, frame: pd.DataFrame, rule: dict) -> np.ndarray:
        """Rows whose column differs from what the real rows pair with its parent's value (a parent
        value the real rows never held breaks nothing: no pair says what goes with it)."""
        codes = self._rule_codes(frame, rule["parent"])
        known = (codes >= 0) & (codes < len(self._rule_table(rule["parent"])))
        expected = self._derived_values(rule, np.where(known, codes, 0))
        actual = _as_fitted(frame.iloc[:, rule["column"]].reset_index(drop=True), self.columns_[rule["column"]])
        actual_missing, expected_missing = actual.isna().to_numpy(), expected.isna().to_numpy()
        both = ~actual_missing & ~expected_missing
        equal = actual_missing & expected_missing
        # As objects, cell by cell: a categorical of other categories, or pd.NA, cannot be compared whole.
        equal[both] = actual.to_numpy(dtype=object)[both] == expected.to_numpy(dtype=object)[both]
        return known & ~equal

    def _implied_broken(self, frame: pd.DataFrame, rule: dict) -> np.ndarray:
        """Rows whose parent holds a value of the rule and whose column is not the value it implies."""
        sets = self._implied_codes(rule)
        parent_codes = self._rule_codes(frame, rule["parent"])
        expected = np.where(parent_codes >= 0, sets[np.maximum(parent_codes, 0)], -1)
        return (expected >= 0) & (self._rule_codes(frame, rule["column"]) != expected)

    # ------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        return {
            "params": {
                "max_modes": int(self.max_modes),  # a numpy integer is no JSON
                "max_categories": int(self.max_categories),
                "clip_to_range": bool(self.clip_to_range),  # nor a numpy bool
                "round_to_observed": bool(self.round_to_observed),
                "detect_rules": bool(self.detect_rules),
            },
            "container": self.container_,
            "columns": self.columns_,
            "groups": self.groups_,
            "links": self.links_,
            # Only where there are some: a checkpoint's fingerprint hashes this, and checkpoints
            # written before columns could be read off another still resume.
            **({"derived": self.derived_} if self.derived_ else {}),
            **({"implied": self.implied_} if self.implied_ else {}),
        }

    def training_dict(self) -> dict:
        """:meth:`to_dict` less what only decoding reads (the rare values' frequencies per class):
        what a checkpoint's fingerprint hashes, so that checkpoints written before it still resume."""
        data = self.to_dict()
        data["columns"] = [{key: value for key, value in spec.items() if key not in _DECODING_ONLY}
                           for spec in data["columns"]]
        # The name and kind of the column axis, which only the sampled frame's columns carry.
        data["container"] = {key: value for key, value in data["container"].items()
                             if key not in ("columns_name", "columns_range", "columns_dtype")}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "TabularEncoder":
        encoder = cls(**data["params"])
        encoder.container_ = data["container"]
        encoder.columns_ = data["columns"]
        if encoder.container_.get("kind") == "ndarray":  # the array samples are written into
            stored_dtype(encoder.container_["dtype"], [value for spec in encoder.columns_
                                                       for value in spec.get("categories", []) + spec.get("other", [])],
                         what="the encoder's container dtype")
        # Model files written before the column rules existed hold none (and their numeric
        # columns no "decimals": nothing is rounded).
        encoder.groups_ = [list(members) for members in data.get("groups", [])]
        encoder.links_ = list(data.get("links", []))
        encoder.derived_ = list(data.get("derived", []))  # model files before it: no column set by another
        encoder.implied_ = list(data.get("implied", []))
        encoder._check_rules()
        return encoder

    def _check_rules(self) -> None:
        """Raise ValueError where a rule of a model file cannot be applied (a hand-edited file without
        the checksum): it names a column position the table does not have, pairs values its columns
        do not hold, sets a column another rule sets, or waits on another rule in a loop. Sampling
        failed on each, naming no file, or ignored a rule."""
        n_columns = len(self.columns_)
        named = [p for members in self.groups_ for p in members]
        named += [rule[key] for rule in self.links_ + self.derived_ + self.implied_ for key in ("column", "parent")]
        wrong = [p for p in named if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < n_columns]
        if wrong:
            raise ValueError(f"the column rules name column {wrong[0]!r}, but the table has {n_columns} columns")
        grouped = {p for members in self.groups_ for p in members}
        in_group = [link["column"] for link in self.links_ if link["column"] in grouped]
        if in_group:  # a group's members are decoded with it: the link was ignored
            raise ValueError(f"a missingness link sets column {in_group[0]}, a member of a one-hot group")
        never_missing = [link["column"] for link in self.links_
                         if "sets" not in link and not self.columns_[link["column"]].get("has_missing")]
        if never_missing:  # decoding has no missing slot to set: the link was listed, and ignored
            raise ValueError(f"a missingness link makes column {never_missing[0]} missing, which the column never is")

        def pairable(position: int, *, missing: bool = True) -> list:
            """What a rule may pair for the column: [] for a kind no rule reads, or a one-hot group
            named by another member than its first (decoding reads a group at its first)."""
            spec = self.columns_[position]
            if spec["kind"] == "onehot" and self.groups_[spec["group"]][0] == position \
                    or spec["kind"] == "categorical":
                return [value for value in self._rule_table(position) if missing or value is not None]
            return []

        def held(value, position: int, table: list) -> bool:
            # A group's value is a member's position: 7.0 equals 7, and loaded, then failed as a name.
            return value in table and (self.columns_[position]["kind"] != "onehot" or type(value) is int)

        for rule in self.implied_:
            tables = [pairable(rule["parent"], missing=False), pairable(rule["column"], missing=False)]
            for pair in rule["pairs"]:
                if not (isinstance(pair, list) and len(pair) == 2
                        and all(held(value, position, table)
                                for value, position, table in zip(pair, (rule["parent"], rule["column"]), tables))):
                    raise ValueError(f"an implied-values rule pairs {pair!r}, not two values columns {rule['parent']} "
                                     f"and {rule['column']} hold")
        for rule in self.derived_:
            pairs = rule["pairs"] if isinstance(rule["pairs"], list) else []
            keys = [pair[0] for pair in pairs if isinstance(pair, list) and len(pair) == 2]
            entries = pairable(rule["parent"]) if self.columns_[rule["column"]]["kind"] != "onehot" else []
            unset = [value for value in entries if value not in keys]
            if not entries or len(keys) != len(pairs) or unset \
                    or not all(held(key, rule["parent"], entries) for key in keys):
                what = f"no value for {unset[0]!r}" if unset else f"pairs {rule['pairs']!r}"
                raise ValueError(f"the rule setting column {rule['column']} from column {rule['parent']} has {what}, "
                                 f"not a value for each of column {rule['parent']}'s categories")
        ruled = [rule["column"] for rule in self.links_ + self.derived_ + self.implied_]
        twice = sorted({p for p in ruled if ruled.count(p) > 1})
        if twice:  # decoding would apply one of them and ignore the others
            raise ValueError(f"the column rules set column {twice[0]} more than once")
        cycle = column_rules.loop(self._rule_sources())
        if cycle:
            raise ValueError(f"the column rules wait on one another in a loop (columns {cycle})")

    def __setstate__(self, state):
        # An encoder pickled (inside a fitted pipeline) by the version before the column rules:
        # no rules, and its numeric columns hold no "decimals", so nothing is rounded.
        state.setdefault("round_to_observed", True)
        state.setdefault("detect_rules", True)
        if "columns_" in state:
            state.setdefault("groups_", [])
            state.setdefault("links_", [])
            state.setdefault("derived_", [])
            state.setdefault("implied_", [])
        self.__dict__.update(state)


def _group_rows_broken(frame: pd.DataFrame, *, members: list[int]) -> np.ndarray:
    return column_rules.group_broken(frame, members)


def _binary_rows_broken(frame: pd.DataFrame, *, positions: list[int], specs: list[dict]) -> np.ndarray:
    return column_rules.binary_broken(frame, positions, specs)


# ======================================================================= the target
# A numeric target with more distinct values than this share of its rows would give most classes
# a single row: it is a quantity, not classes (see _check_not_continuous).
_REGRESSION_UNIQUE_SHARE = 0.5
_REGRESSION_MIN_DISTINCT = 20


def _value_kind(dtype) -> str:
    """What a column of ``dtype`` holds, as :meth:`TabularEncoder.check_like_fitted` compares it."""
    if pd.api.types.is_bool_dtype(dtype):
        return "booleans"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numbers"
    if isinstance(dtype, pd.CategoricalDtype):
        return _value_kind(dtype.categories.dtype)
    # Not text: a model fitted on a file's date text would have its synthetic "05/04/2021" parsed
    # into such a column month first (4 May), beside the real dates.
    return date_kind(dtype) or "text"


def _missing_word_hint(column: pd.Series, na_values=()) -> str:
    """Where a column the model learnt numbers in holds mostly numbers written as text beside a
    few words (``MISSING``, ``?``): those are likely how the file spells a missing cell, which
    ``--na-values`` names (a model fitted before it kept its ``--na-values`` cannot say). The
    advice repeats the texts already read as missing (``na_values``), for a new list replaces them."""
    from gan_augment.data.io import _INFINITY_WORDS, _NUMBER_PATTERN, _too_large  # as the CSV reader reads

    texts = set(column.dropna().tolist())
    words = {text for text in texts if not (isinstance(text, str) and _NUMBER_PATTERN.fullmatch(text))}
    words -= _INFINITY_WORDS | _too_large(words)  # infinite numbers: the reader says what to do with them
    numbers = texts - words - _INFINITY_WORDS
    # Not for booleans, words beside fewer distinct numbers (a column of words), or numbers the reader
    # keeps as text (1_000, 1,5): those are no missing cells. A word may fill most cells (a sparse column).
    if not words or len(words) > 3 or not all(isinstance(word, str) for word in words) \
            or words <= {"True", "False"} or any(any(c.isdigit() for c in word) for word in words) \
            or len(words) >= len(numbers):
        return ""
    words = sorted(words)
    texts = [text for text in dict.fromkeys([*na_values, *words]) if text != ""]
    options = " ".join(f"--na-values {shlex.quote(text)}" for text in texts)
    return (f" If {', '.join(map(repr, words))} mark{'s' if len(words) == 1 else ''} missing cells, pass {options} "
            "(na_values= in Python).")


def _held_kinds(dtype, values: list) -> set:
    """The kinds of value a column holds: its dtype's, or for an object column those of its
    ``values`` (text, numbers, booleans, ...)."""
    if dtype == object:
        return set(_value_kinds(values)) or {"text"}
    return {_value_kind(dtype)}


def plain_labels(y):
    """``y`` with a pandas nullable dtype (``Int64``, ``boolean``) or categories of integers or
    booleans, and no missing value, as numpy's own (int64, bool); anything else as it is.
    scikit-learn's checks turn such labels into floats (``classes_`` 3.0 and 7.0 for 3 and 7), and
    a class named 7 or True was then not found. A one-hot list of lists as an array: imbalanced-learn
    reads one with ``y.sum``."""
    if isinstance(y, (list, tuple)) and np.ndim(y) == 2:
        return np.asarray(y)
    dtype = getattr(y, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        # Categories of booleans: scikit-learn's checks made the labels 0.0 and 1.0, which
        # imbalanced-learn then put back as categories that do not exist: every label was NaN.
        numpy_dtype = getattr(dtype.categories.dtype, "numpy_dtype", dtype.categories.dtype)
    else:
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
    # A Series, or the bare array of one (df["flag"].array, pd.array(...)): an ndarray back.
    if isinstance(y, (pd.Series, pd.api.extensions.ExtensionArray)) \
            and isinstance(dtype, pd.api.extensions.ExtensionDtype) and numpy_dtype is not None \
            and numpy_dtype.kind in "iub" and not y.isna().any():
        return y.astype(numpy_dtype)
    return y


#: Cell values that are not one value (a table cell is a number, text or missing).
_CONTAINERS = (list, tuple, dict, set, np.ndarray)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def concat_rows(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``parts`` (the columns of the first, in its order) one after another, under a
    fresh index, every cell as its part holds it: pandas 2's ``concat`` rewrote an object column's
    missing markers where a part holds only missing ones (``[None, nan, <NA>]`` came back
    ``[None, None, None]``: a real row changed)."""
    columns = parts[0].columns
    parts = [part if part.columns.equals(columns) else part[columns] for part in parts]
    out = pd.concat([part.reset_index(drop=True) for part in parts], ignore_index=True)
    for position, dtype in enumerate(out.dtypes):
        if dtype == object:  # (a bare array of text would be read as pandas 3's "str" columns, None as NaN)
            cells = np.concatenate([part.iloc[:, position].to_numpy(dtype=object) for part in parts])
            out.isetitem(position, pd.Series(cells, index=out.index, dtype=object))
    return out


#: Data frames of other libraries, read through their own ``to_pandas()``: imbalanced-learn hands
#: rows back in the input's container, which it cannot build for polars (a TypeError after the
#: whole fit) and makes an object array of for pyarrow (every number a Python object, names lost).
_OTHER_FRAMES = {("polars", "DataFrame"), ("pyarrow", "Table"), ("pyarrow", "RecordBatch")}


def as_pandas_frame(X):
    """A polars DataFrame or a pyarrow Table / RecordBatch as the pandas DataFrame of the same
    columns (names and dtypes as their ``to_pandas()`` gives them); anything else as it is. A dict
    of columns and a polars LazyFrame are refused with the call that makes them a table."""
    kind = (type(X).__module__.partition(".")[0], type(X).__name__)
    if kind in _OTHER_FRAMES:
        return X.to_pandas()
    if kind == ("polars", "LazyFrame"):
        raise TypeError("X is a polars LazyFrame, a query not yet run: pass X.collect().")
    if isinstance(X, Mapping):
        raise TypeError(f"X is a dict of {len(X)} entries (keys {first_few(map(repr, X), 5)}), not a table. If they "
                        "are columns, pass pandas.DataFrame(X).")
    return X


def rows_as_array(X):
    """A table given as a list of rows (or another sequence) as NumPy holds it, except that rows
    mixing text and numbers stay Python objects: ``numpy.asarray`` would make every cell text
    (``'1.5'`` beside ``'x'``), and the numbers would be modelled, and come back, as categories.
    Arrays, DataFrames and sparse matrices are returned as they are; a list of dicts (records) is
    refused with the way to a table that keeps their keys."""
    check_not_bfloat16(X)
    if isinstance(X, (np.ndarray, pd.DataFrame)) or sparse.issparse(X) or not isinstance(X, Sequence):
        return X
    if len(X) and isinstance(X[0], Mapping):
        raise TypeError(f"X is a list of {len(X)} dicts (records; keys {first_few(map(repr, X[0]), 5)}), not a table "
                        "of rows. Pass pandas.DataFrame(X), which makes the keys column names.")
    try:
        array = np.asarray(X)
    except ValueError:  # numpy's "inhomogeneous shape": name the item that differs
        check_same_shapes(X)
        raise

    if array.dtype.kind in "US":
        cells = np.array(X, dtype=object)
        if cells.shape == array.shape and any(not isinstance(cell, (str, bytes)) for cell in cells.ravel()):
            return cells
    return array


def check_not_bfloat16(X) -> None:
    """Refuse a bfloat16 tensor, or a list of them, with the conversion to make: NumPy has no
    bfloat16, and torch's own error ("unsupported ScalarType BFloat16") names neither."""
    first = X[0] if isinstance(X, (list, tuple)) and len(X) else X
    if str(getattr(first, "dtype", "")) == "torch.bfloat16":
        what = "is a bfloat16 tensor" if first is X else "holds bfloat16 tensors"
        raise DataValidationError(f"X {what}, which NumPy cannot hold: pass X.float() (torch.stack(X).float() for "
                                  "a list); the synthetic data then come back as float32.")


def check_same_shapes(items: Sequence) -> None:
    """Refuse a list whose items (rows, images) are not all of one shape, naming the first that
    differs from the first item."""
    first = np.shape(items[0])
    for i, item in enumerate(items):
        shape = np.shape(item) if not isinstance(item, (str, bytes)) else ()
        if shape != first:
            raise DataValidationError(
                f"X's items are not all of one shape: item {i} has shape {shape}, item 0 {first}. Rows of a "
                "table need one value per column each, and images one size (resize them to one first).")


def check_columns(X, *, modelled: bool = True) -> None:
    """Refuse a table that has no columns, repeats a column name, names a column with several
    levels (a MultiIndex), mixes name types (scikit-learn refuses ``5`` beside ``"x"``) or holds
    cells that are containers (lists, dicts): each with the column named and what to do, before
    scikit-learn's or pandas' own errors. Not ``modelled`` (rows resampled as they are, with no
    model to save: SMOTE), names of any one type and cells of tuples pass: only what no sampler
    can take (unhashable cells, no columns, repeated or mixed names) is refused."""
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 2:
        X = pd.DataFrame(X)  # its cells are checked below, its columns named by position
    elif not isinstance(X, pd.DataFrame):
        return  # other arrays: scikit-learn's validation names their faults
    if X.shape[1] == 0:  # in scikit-learn's words, which its estimator checks expect
        raise DataValidationError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is "
                                  "required: the table X has no columns; it needs at least one feature column "
                                  "besides the target.")
    repeated = X.columns[X.columns.duplicated()].unique().tolist()
    if repeated:
        raise DataValidationError(f"X repeats the column name{'s' if len(repeated) > 1 else ''} "
                                  f"{', '.join(map(repr, repeated))}; give each column its own name.")
    # A MultiIndex yields its names as tuples.
    name = next((name for name in X.columns if isinstance(name, _CONTAINERS)), None) if modelled else None
    if name is not None:
        raise DataValidationError(f"X has a column named {name!r}, a {type(name).__name__} (columns of several "
                                  "levels); a model keeps one name per column. Flatten the names, e.g. "
                                  "X.columns = ['_'.join(map(str, c)) for c in X.columns].")
    name = next((name for name in X.columns if not isinstance(name.item() if isinstance(name, np.generic) else name,
                                                               (str, numbers.Real))), None) if modelled else None
    if name is not None:  # a Timestamp, bytes, ...: a model file keeps text and numbers
        raise DataValidationError(f"X has a column named {name!r}, a {type(name).__name__}; a model keeps column "
                                  "names as text or numbers. Rename the columns, e.g. X.columns = "
                                  "X.columns.astype(str).")
    kinds = {type(name).__name__: name for name in X.columns}
    if len(kinds) > 1 and "str" in kinds:
        shown = ", ".join(f"{kind} ({name!r})" for kind, name in kinds.items())
        raise DataValidationError(f"X's column names mix types: {shown}. Make them all text, e.g. "
                                  "X.columns = X.columns.astype(str).")
    for name in X.columns:
        column = X[name]
        if column.dtype != object:
            continue
        values = column.tolist()
        types = set(map(type, values))  # types first: one C-level pass
        if modelled and any(issubclass(t, _CONTAINERS) for t in types):
            row = next(i for i, v in enumerate(values) if isinstance(v, _CONTAINERS))
        elif not modelled and any(t.__hash__ is None or issubclass(t, (tuple, frozenset)) for t in types):
            # A tuple is a category when all it holds is (a list inside one made pandas fail).
            row = next((i for i, v in enumerate(values) if not _hashable(v)), None)
        else:
            row = None
        if row is not None:
            value = values[row]
            raise DataValidationError(
                f"Column {name!r} holds {type(value).__name__} values (position {row}: {value!r:.60}); a table "
                "cell is a number, text or missing: spread it over columns or make it text first.")


def check_target(y, *, name=None, source=None, one_hot=True, spellings=True) -> None:
    """Refuse a target that cannot be a set of classes, before anything is trained.

    Raises :class:`DataValidationError`, naming the target (column ``name`` of ``source`` when
    read from a file) and saying what to do, when it holds missing labels (NaN / None), labels of
    different types that read the same as text (``1`` and ``"1"``: model files and the command line
    name classes by their text), numbers with a fractional part, or so many distinct numbers that
    it looks like a regression target, and a target of several columns that is not one-hot. A
    column vector (N, 1) is checked as its one column; imbalanced-learn's one-vs-all encoding (one
    1 per row of 0/1 columns) is left to its own checks; with ``one_hot=False`` it is refused too.
    A sparse matrix is refused. Text labels that differ only in spaces or case get a
    :class:`LabelSpellingWarning` unless ``spellings=False`` (a second check of the same labels).
    """
    if sparse.issparse(y):  # numpy reads it as one object: no check ran, and a GAN fit failed in training
        raise DataValidationError(
            f"{_target_name(name, source)} is a sparse matrix of shape {y.shape}: pass one label per row as a 1-D "
            "array (of a one-hot matrix: np.asarray(y.argmax(axis=1)).ravel()).")
    if isinstance(y, pd.DataFrame) and y.shape[1] > 1 and one_hot and _one_hot(y):
        # imbalanced-learn reads a one-hot target with y.argmax, which a DataFrame lacks.
        raise DataValidationError(
            f"{_target_name(name, source)} is a one-hot DataFrame (columns {first_few(list(y.columns))}): pass "
            "y.to_numpy() to get a one-hot array back, or y.idxmax(axis=1) for the class of each row.")
    if not isinstance(y, (pd.Series, np.ndarray, list, tuple)):
        y = np.asarray(y)  # other array-likes (they may refuse numpy's functions, as scikit-learn's checks do)
    if isinstance(y, np.matrix):  # imbalanced-learn refuses it, saying to pass np.asarray(y)
        return
    if np.ndim(y) == 2 and np.shape(y)[1] == 1:
        # A column vector: scikit-learn flattens it, after the checks below would have named y.
        y = y[:, 0] if isinstance(y, np.ndarray) else [row[0] for row in y]  # a DataFrame is an array by now
    if np.ndim(y) != 1:
        shape = np.shape(y)
        if not one_hot and len(shape) == 2 and shape[1] > 1 and _one_hot(y):
            raise DataValidationError(
                f"{_target_name(name, source)} is one-hot ({shape[1]} columns of 0/1, one 1 per row): pass the "
                "class of each row instead, e.g. y.argmax(axis=1) or the labels its columns stand for.")
        if len(shape) >= 2 and not (len(shape) == 2 and one_hot and _one_hot(y)):
            # scikit-learn's checks would sort the cells of all columns together: labels of two
            # types fail in numpy's sort with "'<' not supported", not naming the target.
            raise DataValidationError(
                f"{_target_name(name, source)} has shape {shape}: one label per row is needed (a 1-D "
                "target). The classes of several targets cannot be topped up at once: pass one column, "
                "e.g. y['label'], or combine them into one label per row.")
        return
    labels = y if isinstance(y, pd.Series) else pd.Series(list(y), dtype=object)
    what = _target_name(name, source)
    _check_no_boxed_labels(labels, what)
    _check_no_missing_labels(labels, what, from_file=source is not None)
    _check_no_complex_labels(labels, what)
    values = labels.astype(object) if isinstance(labels.dtype, pd.CategoricalDtype) else labels
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):  # text: its Unicode forms too
        check_label_kinds(values, what)
        _check_no_trailing_nul(values, what)
        if spellings:  # (off where the same labels were checked a moment before, so as not to warn twice)
            _warn_of_labels_spelt_two_ways(values)
    if isinstance(y, (list, tuple)):
        _check_list_number_types(labels, what)
    _check_not_continuous(labels, what, from_file=source is not None)
    if (isinstance(y, (pd.Series, np.ndarray)) and (y.dtype == object or _not_classes_to_sklearn(y.dtype))
            or not isinstance(y, (pd.Series, np.ndarray)) and _beyond_int64(pd.unique(labels))):
        # A list only where it holds whole numbers beyond int64 (numpy makes them objects or
        # float64, losing digits): scikit-learn reads the others.
        _check_object_numbers(labels.astype(object), what)


def _check_no_boxed_labels(labels: pd.Series, what: str) -> None:
    """Refuse labels that are each a tensor or an array (``[ds[i][1] for i in ...]`` of a torch
    Dataset): they compare and hash by identity, so every ``tensor(0)`` was a class of its own, said
    as labels "that differ only in type"."""
    if labels.dtype != object:
        return
    boxed = next((label for label in labels if hasattr(label, "ndim") and hasattr(label, "item")
                  and not isinstance(label, np.generic)), None)
    if boxed is not None:
        raise DataValidationError(
            f"{what} holds labels that are each a {type(boxed).__module__.partition('.')[0]} "
            f"{type(boxed).__name__} (e.g. {boxed!r}), not plain values. Pass the values: "
            "[label.item() for label in y], or one array of them (torch.stack(y).numpy()).")


def _not_classes_to_sklearn(dtype) -> bool:
    """pandas dtypes whose values scikit-learn reads no classes from ("Unknown label type"): the
    intervals of ``pandas.cut``, dates with a time zone, periods (also as categories)."""
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    return isinstance(dtype, (pd.DatetimeTZDtype, pd.PeriodDtype, pd.IntervalDtype))


def _beyond_int64(labels) -> bool:
    return any(isinstance(label, numbers.Integral) and not isinstance(label, (bool, np.bool_))
               and not -2 ** 63 <= label < 2 ** 63 for label in labels)


def _warn_of_unseen_values(name, held: list, known: list, source: str) -> None:
    """Warn where the values ``held`` in category column ``name`` include some the model never saw
    (PARIS where it learnt Paris, ``known``): its synthetic rows hold only the model's, and the
    column would mix the two, telling real rows from synthetic ones."""
    try:
        seen = set(known)
        unseen = [value for value in held if value not in seen]
    except TypeError:  # values that do not hash: the kind check named them
        return
    if unseen:
        warnings.warn(f"Column {str(name)!r} of {source} holds {len(unseen)} of its {len(held)} distinct values "
                      f"that the model never saw ({first_few(map(repr, unseen))}), and its synthetic rows hold only "
                      f"the model's ({first_few(map(repr, known))}): the column would mix the two. Spell the values "
                      "as the model does, or fit a model on this data.", stacklevel=user_stacklevel())


def _check_no_complex_labels(labels: pd.Series, what: str) -> None:
    """Complex numbers: scikit-learn's "Complex data not supported" printed every label, and a torch
    door failed sorting them."""
    if pd.api.types.is_complex_dtype(labels.dtype):
        example = labels.iloc[0]
    else:
        example = next((label for label in labels if isinstance(label, numbers.Complex)
                        and not isinstance(label, numbers.Real)), None)
        if example is None:
            return
    # ("Complex data not supported": scikit-learn's words, which its estimator checks look for)
    raise DataValidationError(f"{what} holds complex numbers (e.g. {complex(example)!r}): Complex data not supported "
                              "as classes; class labels are whole numbers or text (e.g. y.real.astype(int) where the "
                              "imaginary parts are 0).")


def _check_no_trailing_nul(labels: pd.Series, what: str) -> None:
    """Text ending in NUL characters: numpy's strings drop them, so 'b\\x00' became 'b' (from a list)
    or a class no lookup found (after the fit, from an object array)."""
    label = next((label for label in pd.unique(labels) if isinstance(label, str) and label.endswith("\x00")), None)
    if label is not None:
        raise DataValidationError(f"{what} holds the label {label!r}, which ends in a NUL character that numpy's text "
                                  "drops, so it would come back as another label; strip it first "
                                  "(e.g. y.str.rstrip('\\x00')).")


def _check_list_number_types(labels: pd.Series, what: str) -> None:
    """A list of whole numbers written as ints and floats (1 and 2.0): numpy reads them all as
    floats, and every label came back as 1.0 where 1 was written."""
    kinds = {type(label) for label in labels if isinstance(label, (int, float)) and not isinstance(label, bool)}
    if int in kinds and float in kinds:
        example = next(label for label in labels if isinstance(label, float))
        raise DataValidationError(f"{what} is a list of ints and floats (e.g. {example!r}); numpy reads them all as "
                                  "floats, so the labels written as ints would come back as floats. Give them one "
                                  "type first (e.g. [int(label) for label in y]).")


def _check_object_numbers(labels: pd.Series, what: str) -> None:
    """Numbers or booleans held with dtype object: scikit-learn reads no classes from them (its
    "Unknown label type: unknown"), where a list of the same values works."""
    if any(isinstance(label, str) for label in labels):
        return
    other = next((label for label in labels if not isinstance(label, (numbers.Number, np.bool_))), None)
    if other is not None:  # a tuple or another object scikit-learn cannot take as a class
        fix = "pandas.cut(..., labels=False) for the bins' numbers, or y.astype(str)" \
            if isinstance(other, pd.Interval) else "y.map(str)"
        raise DataValidationError(f"{what} holds labels of type {type(other).__name__} (e.g. {other!r}), which "
                                  f"cannot be classes: give each row one label, text or a number (e.g. {fix}).")
    if all(isinstance(label, (bool, np.bool_)) for label in labels):
        kind, fix = "booleans", "y.astype(bool)"
    elif _beyond_int64(labels):
        # Beyond int64 (astype(int) overflows): as text they keep every digit.
        kind, fix = "whole numbers beyond int64", "y.astype(str)"
    else:
        kind, fix = "numbers", "y.astype(int)"
    raise DataValidationError(f"{what} holds {kind} in a container of dtype object, from which scikit-learn reads no "
                              f"classes ('Unknown label type'); convert it first, e.g. {fix}.")


def check_label_kinds(labels, what: str = "The target y",
                      one_type: str = "e.g. y.astype(int) or y.astype(str)") -> None:
    """Refuse object labels that mix kinds (``1`` and ``"b"``), read the same as text (``1`` and
    ``"1"``) or are equal but of two types (``1`` and ``1.0``), naming the target and saying how to
    give them ``one_type`` (DataValidationError)."""
    labels = labels if isinstance(labels, pd.Series) else pd.Series(list(labels), dtype=object)
    _check_labels_distinct_as_text(labels, what)
    _check_one_label_kind(labels, what)
    pair = _equal_but_of_two_types(labels.tolist())
    if pair is not None:
        raise DataValidationError(
            f"{what} holds the labels {pair[0]!r} ({type(pair[0]).__name__}) and {pair[1]!r} "
            f"({type(pair[1]).__name__}), which Python counts as one, so they would merge into one class. Give the "
            f"labels one type first ({one_type}).")


def _one_hot(y) -> bool:
    """Whether a 2-D target is 0/1 columns with exactly one 1 per row."""
    try:
        cells = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return bool(np.isin(cells, (0.0, 1.0)).all() and (cells.sum(axis=1) == 1).all())


def _target_name(name, source) -> str:
    if name is None:
        return "The target y"
    return f"Target column {str(name)!r}" + (f" in {source}" if source is not None else "")


def _check_no_missing_labels(labels: pd.Series, what: str, *, from_file: bool) -> None:
    missing = labels.isna().to_numpy()
    count = int(missing.sum())
    if not count:
        return
    rows = np.flatnonzero(missing)[:5]
    more = ", ..." if count > 5 else ""
    where = (f" (data rows {', '.join(str(r + 1) for r in rows)}{more}; the first row is 1)" if from_file
             else f" (at positions {', '.join(map(str, rows))}{more}; the first is 0)")
    raise DataValidationError(
        f"{what} has {count} missing value{'s' if count != 1 else ''} of {len(labels)} rows{where}; "
        "a class cannot be missing: drop or fill those rows first."
    )


def _check_labels_distinct_as_text(labels: pd.Series, what: str) -> None:
    by_text: dict[str, list] = {}
    for label in pd.unique(labels):
        # In one Unicode form: "é" as one code point and as e + accent look alike everywhere a
        # class is shown or named (resolve_class takes either for the other).
        by_text.setdefault(unicodedata.normalize("NFC", str(label)), []).append(label)
    for text, group in by_text.items():
        if len(group) > 1 and len({str(label) for label in group}) > 1:
            shown = ", ".join(ascii(str(label)) for label in group)
            raise DataValidationError(
                f"{what} holds labels that differ only in their Unicode form: {shown} all read {text!r}, so "
                "they would look like one class in every message and file. Bring them to one form first "
                "(e.g. y.str.normalize('NFC')).")
        if len(group) > 1:
            shown = ", ".join(f"{label!r} ({type(label).__name__})" for label in group)
            raise DataValidationError(
                f"{what} holds labels that differ only in type: {shown} all read {text!r}. Model "
                "files and the command line name classes by their text, so they would become one "
                "class; give the labels one type first (e.g. y.astype(str))."
            )


def _warn_of_labels_spelt_two_ways(labels: pd.Series) -> None:
    """Warn where text labels differ only in spaces or in case ('fraud' and 'fraud ', 'Male' and
    'male'): most often one class exported two ways, which would be counted and topped up as two
    while the user names one. They stay apart, as written: one-letter labels may differ in case on
    purpose (letters as classes), and a space may be part of a label (Adult's ' >50K')."""
    spellings: dict[str, list] = {}
    for label in pd.unique(labels):
        if isinstance(label, str):
            key = " ".join(label.split())
            spellings.setdefault(key.casefold() if len(key) > 1 else key, []).append(label)
    twins = [group for group in spellings.values() if len(group) > 1]
    if not twins:
        return
    counts = labels.value_counts(sort=False)

    def listed(shown) -> str:  # each group's first few spellings, of the first few groups
        return first_few((first_few(map(shown, group), sep=" and ") for group in twins), CLASSES_NAMED, sep="; ")

    def with_count(label) -> str:  # ("samples": rows of a table, images of a folder)
        return f"{plain_label(label)!r} ({counts[label]} sample{'s' if counts[label] != 1 else ''})"

    # Said alike in every door (the command line's image folders have no target column to name).
    said = ("Classes that differ only in spaces or case: {}. They are kept apart as written, as classes of their "
            "own; if a pair is one class, give it one spelling in the data first.")
    warn(said.format(listed(with_count)), LabelSpellingWarning,
         gist=said.format(listed(lambda label: repr(plain_label(label)))))


def _kind_of(value_type: type) -> str:
    if issubclass(value_type, (bool, np.bool_)):
        return "booleans"
    if issubclass(value_type, numbers.Number):
        return "numbers"
    return "text" if issubclass(value_type, str) else value_type.__name__


def _value_kinds(values: list) -> dict:
    """``{kind: its first value}`` of the kinds (text, numbers, booleans, other types) among
    ``values``, read off every value: ``pd.unique`` would already have merged True and 1. Types
    are gathered first, so values are walked one by one only when kinds are mixed."""
    kinds = {_kind_of(t) for t in set(map(type, values))}
    if len(kinds) < 2:
        return dict.fromkeys(kinds)
    examples: dict = {}
    for value in values:
        examples.setdefault(_kind_of(type(value)), value)
    return examples


def _check_one_label_kind(labels: pd.Series, what: str) -> None:
    """Refuse labels that mix text, numbers and booleans (``1`` and ``"b"``, ``True`` and ``1``).

    scikit-learn calls such a target "unknown" and suggests it is a regression target, and Python
    takes ``True == 1``: the two would merge into one class, or a label would come back as another
    type than the one given."""
    examples = _value_kinds(labels.tolist())
    if len(examples) > 1:
        shown = ", ".join(f"{kind} ({example!r})" for kind, example in examples.items())
        raise DataValidationError(
            f"{what} mixes labels of different kinds: {shown}. Give the labels one type first "
            "(e.g. y.astype(str)), so that each class comes back as it was given."
        )


def _check_not_continuous(labels: pd.Series, what: str, *, from_file: bool) -> None:
    if pd.api.types.is_bool_dtype(labels.dtype):
        return
    as_text = False
    if pd.api.types.is_numeric_dtype(labels.dtype):
        values = labels.to_numpy(dtype=np.float64, na_value=np.nan)
    elif all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in labels):
        values = labels.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        # Numbers kept as text (a CSV column written as 1.10, 2.50 is read as text so that it comes
        # back as written) are still a regression target when they are mostly distinct.
        values = pd.to_numeric(labels.astype(object), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(values).any():
            return
        as_text = True
    finite = values[np.isfinite(values)]
    fractional = finite[np.mod(finite, 1) != 0]
    distinct = len(np.unique(values))
    # Mostly distinct values are a quantity: decimals at any size, whole numbers once there are
    # many of them (a handful of integer classes in a tiny table is plausible).
    if distinct > _REGRESSION_UNIQUE_SHARE * len(values) and (len(fractional) or distinct > _REGRESSION_MIN_DISTINCT):
        name_it = " (--target on the command line, target= in Python)" if from_file else ""
        raise DataValidationError(
            f"{what} looks like a regression target: {distinct} distinct numbers in {len(values)} "
            f"rows (e.g. {', '.join(f'{v:g}' for v in values[:3])}), so most classes would hold a "
            "single row. gan-augment tops up the classes of a classification target: bin the values "
            f"into classes first (e.g. pandas.cut), or name the column that holds the classes{name_it}."
        )
    if len(fractional) and not as_text:  # text such as "0.5" is a fine class name
        raise DataValidationError(
            f"{what} holds numbers with a fractional part as labels (e.g. {_num(fractional[0])}); class "
            "labels must be whole numbers or text. Convert class codes to text first "
            "(y.astype(str)), or bin measurements into classes (pandas.cut)."
        )


# ======================================================================= helpers: dates
# Text that is a date, optionally with a time: ISO 8601 (2021-03-04, 2021-03-04T10:30:00Z),
# 2021/3/4, 4/3/2021 and 4.3.2021.
_DATE_PATTERN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4}"
)
# Enough values to tell a date column from one that holds a date now and then.
_DATE_SAMPLE = 200


#: A column of distinct integers is taken for an identifier from this many rows on (below, a
#: distinct value per row is common for any integer feature).
_IDENTIFIER_MIN_ROWS = 50


def _warn_if_identifier(series: pd.Series, name) -> bool:
    """Warn, naming the column, when it looks like a row number or an ID, and say whether it did:
    a different integer in every row spanning about as many values as rows (1, 2, 3, ... or a
    shuffled range), or a different text in every row. Modelled as a number or a category, its
    synthetic values repeat real rows' IDs, and a classifier learns nothing from it."""
    values = series.dropna()
    # Mostly missing: free text written now and then (comments), not something that names rows.
    if len(values) < _IDENTIFIER_MIN_ROWS or 2 * len(values) < len(series):
        return False
    # The kind first, uniqueness second: pyarrow 21 and older have no `unique` for an Arrow float16
    # column (which is no identifier anyway), and fitting one crashed here.
    if pd.api.types.is_integer_dtype(values.dtype):
        what = "integer"
    elif pd.api.types.infer_dtype(values.cat.remove_unused_categories().cat.categories
                                  if isinstance(values.dtype, pd.CategoricalDtype) else values) == "string":
        what = "text"  # every value a str (infer_dtype, not a loop over them: 10% of a fit on Adult)
    else:
        return False
    if not values.is_unique or what == "text" and _amounts(values.astype(object).str.strip()):
        return False
    if what == "integer":
        low, high = int(values.min()), int(values.max())
        # A saved index (pandas' "Unnamed: 0") is row numbers however sparse: a sample's of its table.
        if high - low + 1 > 2 * len(values) and not re.fullmatch(r"Unnamed: \d+", str(name)):
            return False
        figures = f" ({low} to {high})"
    else:
        figures = f" (e.g. {values.iloc[0]!r})"
    # Sentences (notes, comments) are as distinct as IDs, and want other advice.
    prose = what == "text" and values.astype(object).str.strip().str.count(r"\s+").ge(2).mean() >= 0.5

    def message(shown: str) -> str:
        rows = "every row" if len(values) == len(series) else \
            f"every row that has one ({len(values)} of {len(series)})"
        if prose:
            return (f"Column {name!r} holds free text, a different one in {rows}{shown}: each is a category of its "
                    "own, which a classifier learns nothing from and synthetic rows copy from real ones. Drop it "
                    "before fitting, or turn it into features of its own (its length, words it holds) first.")
        return (f"Column {name!r} holds a different {what} in {rows}{shown}: a row number or an ID? Synthetic "
                "rows get IDs that real rows have. Drop it before fitting if it identifies rows: it carries "
                "nothing a classifier should learn.")

    # The gist leaves the figures out: each cross-validation fold has its own.
    warn(message(figures), UserWarning, gist=message(""))
    return True


#: A number as reports and spreadsheets write it: a currency sign, thousands grouped by commas,
#: points, spaces or apostrophes, a decimal point or comma, a percent sign, a minus or accounting
#: brackets ($1,234.50, 12.671,00 €, 12%, (45.00), 1'200).
_CURRENCY_SIGNS = "$€£¥₹₩₽"
_DECORATED_NUMBER = re.compile(
    rf"\(?[-+]?[{_CURRENCY_SIGNS}]?\s?[-+]?(?:[0-9]{{1,3}}(?:[,.'\u00a0\u202f ][0-9]{{3}})+|[0-9]+)(?:[.,][0-9]+)?"
    rf"\s?[%{_CURRENCY_SIGNS}]?\)?")
_PLAIN_NUMBER = re.compile(NUMBER_TEXT)
#: Cells that stand for no number among numbers: empty, and the words the reader hints at as missing
#: or infinite values.
_NO_NUMBER_WORDS = {""} | MISSING_WORDS | INFINITY_WORDS
_SPREADSHEET_ERRORS = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


def _amounts(texts: pd.Series) -> bool:
    """Whether every text of ``texts`` is a number with a decimal mark, separators or signs around
    it (an amount, not a code: no zero-padded or bare digits only), which is no identifier."""
    texts = texts[~texts.isin(_NO_NUMBER_WORDS)]
    return bool(len(texts)) and bool(texts.str.fullmatch(_DECORATED_NUMBER).all()) \
        and not texts.str.match(ZERO_PADDED).any() and bool(texts.str.contains(r"[^0-9]").all())


def _decorated_value(text: str) -> str:
    """The number ``text`` writes, in plain notation (``'(1,234.50)'`` -> ``'-1234.50'``): the last
    of a point and a comma is the decimal mark; one alone is a decimal mark unless it is a comma
    followed by three digits (``'1,234'``: grouped thousands, as spreadsheets in English write them)."""
    negative = text.startswith("(") and text.endswith(")") or "-" in text
    digits = re.sub(r"[^0-9.,]", "", text)
    point, comma = digits.rfind("."), digits.rfind(",")
    if point >= 0 and comma >= 0:
        mark = max(point, comma)
    elif point >= 0 and digits.count(".") == 1:
        mark = point
    elif comma >= 0 and digits.count(",") == 1 and len(digits) - comma - 1 != 3:
        mark = comma
    else:
        mark = len(digits)
    whole = re.sub(r"[.,]", "", digits[:mark]).lstrip("0") or "0"
    fraction = digits[mark + 1:]
    return ("-" if negative else "") + whole + (f".{fraction}" if fraction else "")


def _warn_if_numbers_as_text(series: pd.Series, name) -> bool:
    """Warn, naming the column, when its text is numbers: written with a currency or percent sign,
    or negatives in accounting brackets ('$1,234.50', '12%', '(45.00)'), or plain numbers but for
    a few cells (a typo such as '1O', a spreadsheet's '#DIV/0!'). Modelled as categories, each value
    is one of its own and synthetic rows only repeat real values; converted, it is a number.
    Numbers with separators alone ('1,234.50', '86,95') are the CSV reader's to say (with the
    pandas option that reads them), missing and infinite words too; a column of codes (zero-padded,
    or given as a pandas category) is left alone. Whether the column is numbers, said so here or by
    the reader: no other advice for it (raising max_categories, dropping an ID) is right then."""
    values = series.dropna()
    if not len(values) or isinstance(values.dtype, pd.CategoricalDtype) \
            or pd.api.types.infer_dtype(values) != "string":
        return False
    texts = pd.Series(pd.unique(values.to_numpy(dtype=object)), dtype=object).str.strip()
    words = texts.isin(_NO_NUMBER_WORDS)
    texts = texts[~words].reset_index(drop=True)
    plain = texts.str.fullmatch(_PLAIN_NUMBER)
    if not len(texts) or texts[plain].str.match(ZERO_PADDED).any():  # zip codes (02139) and the like
        return False
    decorated = ~plain & texts.str.fullmatch(_DECORATED_NUMBER) & texts.str.contains(r"[0-9]")
    bracketed = texts.str.fullmatch(r"\(.*\)")
    # Brackets beside numbers without them are negatives; around every value ('(1)', '(2)') labels.
    signs = decorated & (texts.str.contains(f"[%{_CURRENCY_SIGNS}]") | (bracketed & bool((~bracketed).any())))
    if (plain | decorated).all() and signs.any():
        example = texts[signs & bracketed].iloc[0] if (signs & bracketed).any() else texts[signs].iloc[0]
        shown = f" (e.g. {example!r})"

        def message(figures: str) -> str:  # the example's conversion with its figures: a fold has its own
            how = f" ({example!r} as {_decorated_value(example)})" if figures else ""
            return (f"Column {name!r} holds numbers written as text{figures}: modelled as categories, each value "
                    "one of its own, so its synthetic values only repeat real ones. Convert it to numbers before "
                    f"fitting{how}, or name it categorical if its values are codes.")
    elif (plain | decorated).all() and (words.any() or decorated.any() or texts[plain].str.contains("[.eE]").any()):
        # Numbers but for missing-value words ('?') or separators ('86,95'), which the CSV reader
        # names with the option that reads them (and pandas read them so from a DataFrame's file).
        return True
    else:
        others = texts[~plain]
        # A column of numbers (many of them) with a few cells that are not: not a column of codes.
        if not len(others) or len(others) > 5 or plain.sum() < 20:
            return False
        rows = int(values.astype(object).astype(str).str.strip().isin(set(others)).sum())
        if rows > 0.05 * len(values):
            return False
        them = "them" if len(others) > 1 else "it"
        missing = f"mark {them} missing (pandas.to_numeric(..., errors='coerce'); on the command line --na-values)"
        fix = (f"{missing} or replace {them} with the value meant" if set(others) <= _SPREADSHEET_ERRORS
               else f"correct {them}, or {missing}")
        shown = (f" but for {len(others)} value{'s' if len(others) > 1 else ''} in {rows} "
                 f"row{'s' if rows > 1 else ''} ({', '.join(map(repr, others))})")

        def message(figures: str) -> str:
            return (f"Column {name!r} holds numbers{figures}: it is modelled as categories, each value one of its "
                    f"own. To model it as numbers, {fix}, before fitting; or name it categorical if its values "
                    "are codes.")
    # The gist leaves the figures out: each cross-validation fold has its own.
    warn(message(shown), UserWarning, gist=message(""))
    return True


def _warn_if_dates(series: pd.Series, name) -> bool:
    """Warn, naming the column, that text dates are modelled as categories (not as a time axis);
    whether it did."""
    values = series.dropna()
    if not len(values):
        return False
    sample = pd.unique(values.astype(object))[:_DATE_SAMPLE]
    if all(isinstance(v, str) and _DATE_PATTERN.fullmatch(v.strip()) for v in sample):
        def message(example: str) -> str:
            return (f"Column {name!r} looks like dates{example}; it is modelled as categories, so synthetic rows "
                    "only repeat dates seen in the data, never one in between. To model time as a quantity, "
                    "convert the column to numbers (e.g. days since an origin) before fitting.")

        # The gist leaves the example out: each cross-validation fold has its own first date.
        warn(message(f" (e.g. {sample[0]!r})"), UserWarning, gist=message(""))
        return True
    return False


#: Columns a warning of one kind names one by one; past this, one warning names them all.
_COLUMNS_WARNED_ALONE = 3


def _say_grouped_by_column(raised: list) -> None:
    """The warnings each column raised (``raised``: ``(name, [(category, message, gist), ...])`` in
    the columns' order), said once per kind: a kind raised by more than ``_COLUMNS_WARNED_ALONE``
    columns is said for the first of them, naming the others (an export of 160 awkward columns
    printed 160 paragraphs before training). A kind is the warning with its column's name left out
    and its figures as their shape ('$1,234.50' and '$9,870.00' alike, '1.234,50 €' another)."""
    kinds: dict = {}
    for name, said in raised:
        shown = {repr(name), repr(str(name)), repr(plain_label(name))}
        for category, message, gist in said:
            subject = next((s for s in shown if s in message), None)
            key = (category, re.sub(r"[0-9]+", "9", message.replace(subject, "\0", 1) if subject else message))
            kinds.setdefault(key, []).append((subject or repr(str(name)), message, gist))
    for (category, _), columns in kinds.items():
        if len(columns) <= _COLUMNS_WARNED_ALONE:
            for _, message, gist in columns:
                warn(message, category, gist=gist or message)
            continue
        _, message, gist = columns[0]
        others = first_few([subject for subject, _, _ in columns[1:]], 5)
        same = f"The same holds for {len(columns) - 1} more columns: {others}."  # the folds' columns alike
        warn(f"{message} {same}", category, gist=f"{gist or message} {same}")


# ======================================================================= helpers: descriptions
def _describe_column(spec: dict, groups: list[list[int]]) -> str:
    dtype = _dtype_name(spec.get("dtype"))
    missing = ", has missing values" if spec.get("has_missing") else ""
    if spec.get("kind") == "onehot":
        size = len(groups[spec["group"]])
        return f"one-hot      {dtype}, one of {size} columns of one-hot group {spec['group'] + 1} (one category)"
    if spec.get("kind") == "numeric" and spec.get("all_missing"):
        return f"numeric      {dtype}, every value missing (sampled as missing)"
    if spec.get("kind") == "numeric":
        kind = "whole numbers" if spec.get("is_integer") else "real numbers"
        modes = len(spec.get("means", []))
        decimals = spec.get("decimals")
        places = "" if decimals is None else f", {decimals} decimal{'s' if decimals != 1 else ''}"
        low, high = (_num(_in_width(spec.get(end), spec.get("dtype"))) for end in ("min", "max"))
        return (f"numeric      {dtype}, {kind} in [{low}, {high}]{places}, "
                f"{modes} mode{'s' if modes != 1 else ''}{missing}")
    if spec.get("binary"):
        return f"categorical  {dtype}, binary 0/1{missing}"
    n_kept, n_other = len(spec.get("categories", [])), len(spec.get("other", []))
    n_values = n_kept + n_other
    if not n_values:
        return f"categorical  {dtype}, every value missing (sampled as missing)"
    # Past max_categories the rarest share one slot: said, as the fit's warning said it.
    shared = f" ({n_kept} modelled one by one, {n_other} sharing one slot)" if n_other else ""
    return f"categorical  {dtype}, {n_values} value{'s' if n_values != 1 else ''}{shared}{missing}"


def _dtype_name(spec) -> str:
    if isinstance(spec, dict) and "categorical" in spec:
        return "category"
    if isinstance(spec, dict) and "string" in spec:
        return "str" if spec.get("na_value") == "nan" else f"string[{spec['string']}]"
    if isinstance(spec, dict) and "arrow" in spec:
        return f"{spec['arrow']}[pyarrow]"  # as pandas names an ArrowDtype
    return str(spec)


def _name_of(series: pd.Series):
    """A column's name as messages show it: ``X[1].name`` of columns ``np.arange(3)`` is np.int64(1)."""
    return series.name.item() if isinstance(series.name, np.generic) else series.name


def _in_width(value, dtype_spec):
    """A float32 or float16 column's bound (numpy's, pandas' or Arrow's) in its own width: its 0.1
    is 0.10000000149011612 as a float64, and shown as 0.1."""
    if value is None or isinstance(value, numbers.Integral):
        return value
    try:
        dtype = dtype_from_json(dtype_spec)
        width = np.dtype(getattr(dtype, "numpy_dtype", dtype))
    except (TypeError, ValueError, KeyError, ImportError):
        return value
    return width.type(value) if width.kind == "f" and width.itemsize < 8 else value


def _num(value) -> str:
    """A number as messages show it: in full (a range of 1042821..8973154 is not "1.04282e+06"),
    with the fewest digits that read back as the same float, in exponent form only beyond 1e16 or
    below 1e-5 (where plain text would be mostly zeros)."""
    if value is None:
        return "?"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if value == 0:
        return "0"
    if not isinstance(value, np.floating):
        value = np.float64(value)
    if np.isfinite(value) and 1e-5 <= abs(float(value)) < 1e16:  # shortest text in the value's own width
        return np.format_float_positional(value, unique=True, trim="-")
    return np.format_float_scientific(value, unique=True, trim="-") if np.isfinite(value) else str(float(value))


# ======================================================================= helpers: containers
def column_difference(want: list, have: list, *, same=operator.eq, owner: str = "the model") -> str | None:
    """How the column names ``have`` differ from the fitted ``want`` ("it lacks 'age'", "it has 'x',
    which the model does not", "its columns are in another order"), None where they are the same;
    ``same``: when two names are one."""
    if len(have) == len(want) and all(same(a, b) for a, b in zip(have, want)):
        return None
    missing = [name for name in want if not any(same(name, other) for other in have)]
    extra = [name for name in have if not any(same(name, other) for other in want)]
    return (f"it lacks {missing[0]!r}" if missing else f"it has {extra[0]!r}, which {owner} does not"
            if extra else "its columns are in another order")


def _same_name(a, b) -> bool:
    """Column names equal as a model file keeps them (a float NaN name is itself)."""
    return type(a) is type(b) and (a == b or (a != a and b != b))


def _to_frame(X) -> tuple[pd.DataFrame, dict]:
    """A DataFrame view of X plus what is needed to rebuild X's container."""
    if isinstance(X, pd.DataFrame):
        frame = X.reset_index(drop=True)
        if frame.columns.duplicated().any():
            duplicated = frame.columns[frame.columns.duplicated()].tolist()
            raise DataValidationError(f"X has duplicated column names {duplicated}; rename them.")
        container = {"kind": "dataframe"}
        name = frame.columns.name
        name = name.item() if isinstance(name, np.generic) else name
        if isinstance(name, (str, int)) and not isinstance(name, bool):  # what a model file holds as written
            container["columns_name"] = name  # the axis name, which pd.concat with X keeps
        # The column index's own kind, as fit_resample keeps it: rebuilt from the bare names, an
        # object index came back as pandas 3's "str", int32 as int64, a RangeIndex as an Index.
        if isinstance(frame.columns, pd.RangeIndex):
            container["columns_range"] = [int(frame.columns.start), int(frame.columns.step)]
        else:
            container["columns_dtype"] = dtype_to_json(frame.columns.dtype)
        return frame, container
    array = np.asarray(X)
    if array.ndim != 2:
        raise DataValidationError(f"X must be 2-D (rows x columns), got shape {array.shape}.")
    # An object array's columns stay objects: pandas would make a text column its string dtype,
    # with None read as NaN (synthetic rows then said NaN where the real ones say None).
    frame = pd.DataFrame(array, dtype=object) if array.dtype == object else pd.DataFrame(array)
    return frame, {"kind": "ndarray", "dtype": array.dtype.str}


def resolve_categorical_columns(frame: pd.DataFrame, given, *, array: bool = False) -> set[int]:
    """The positions in ``frame`` of the columns ``given`` names categorical (``categorical_features``:
    names, indices where they cannot be names, or a boolean mask; ``array``: ``frame`` holds an
    array's columns, named by position); a :class:`DataValidationError` naming what names no column."""
    if given is None:
        return set()
    given, names, positions = list(given), list(frame.columns), set()
    if given and all(isinstance(column, (bool, np.bool_)) for column in given):
        # A boolean mask, one entry per column, as imbalanced-learn's SMOTENC takes it (True is
        # not the index 1).
        if len(given) != len(names):
            raise DataValidationError(
                f"categorical_features is a boolean mask of {len(given)} entries, but X has {len(names)} "
                "columns: give one True/False per column, or the categorical columns' names or indices.")
        return {position for position, flag in enumerate(given) if flag}
    # Integers are positions where they cannot be names: in an array, or in a frame whose column
    # names are not integers (as imbalanced-learn's SMOTENC reads them).
    positional = array or not any(isinstance(name, numbers.Integral) for name in names)
    for column in given:
        if isinstance(column, (bool, np.bool_)):
            raise DataValidationError(
                f"categorical_features mixes True/False with column names or indices ({given[:10]}): give "
                "a boolean mask of one entry per column, or names / indices only.")
        if column in names:
            positions.add(names.index(column))
        elif positional and isinstance(column, numbers.Integral) and 0 <= int(column) < len(names):
            positions.add(int(column))
        else:
            where = f"a position in X's {len(names)} columns" if positional else \
                "a position (X's column names include integers, so integers are read as names)"
            raise DataValidationError(
                f"categorical_features names {column!r}, which is not a column of X nor {where} "
                f"(columns: {names[:20]}{' ...' if len(names) > 20 else ''}).{column_suggestion(column, names)}"
            )
    return positions


def _from_columns(columns: dict, specs: list[dict], container: dict, n_rows: int, typed=frozenset()):
    """The decoded ``columns`` in the container fitted on; those named in ``typed`` are already in
    their dtype, the others are restored to it."""
    data = {name: columns[name] if name in typed else _restore_dtype(columns[name], spec)
            for name, spec in ((spec["name"], spec) for spec in specs)}
    if container["kind"] == "ndarray":
        out = np.empty((n_rows, len(specs)), dtype=np.dtype(container["dtype"]))
        for position, spec in enumerate(specs):
            out[:, position] = data[spec["name"]].to_numpy()
        return out
    return pd.DataFrame(data, columns=_column_index([spec["name"] for spec in specs], container))


def _column_index(names: list, container: dict) -> pd.Index:
    """The column index of the frame fitted on, of ``names`` (model files before the index's kind
    was recorded: the kind pandas infers, object where the names are of several types)."""
    name = container.get("columns_name")
    if "columns_range" in container:
        start, step = container["columns_range"]
        return pd.RangeIndex(start, start + step * len(names), step, name=name)
    # Names of several types ([0, 1.5, 2]) stay as written: pandas would infer a float index.
    mixed = len({type(column) for column in names}) > 1
    index = pd.Index(names, dtype=object if mixed else None, name=name)
    if "columns_dtype" in container:
        try:
            index = index.astype(dtype_from_json(container["columns_dtype"]))
        except (ImportError, TypeError, ValueError):  # e.g. pyarrow strings where pyarrow is not installed
            pass
    return index


def _restore_dtype(values: pd.Series, spec: dict) -> pd.Series:
    if spec["kind"] != "numeric":
        # Decoded from the column's own values, already in its dtype: a category 2**53 + 1 went
        # through float64 below and came back as 2**53, a value the column never held.
        return values
    dtype = dtype_from_json(spec["dtype"])
    int_range = spec.get("int_range")
    if int_range is None and pd.api.types.is_integer_dtype(dtype):
        # clip_to_range=False: no observed range, but the dtype's own still holds (a uint8 column's
        # 260 failed the cast after the whole fit).
        info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
        int_range = (int(info.min), int(info.max))
    if int_range is not None and (pd.api.types.is_integer_dtype(dtype) or dtype == object):
        # Clipped as integers: through float64, 2**53 + 1 comes back as 2**53, below the range,
        # and 2**63 - 1 as 2**63, beyond int64 (a plain cast would wrap it round to -2**63).
        low, high = int_range
        floats = values.to_numpy(dtype=np.float64, na_value=np.nan)
        fast = None if dtype == object else _clipped_ints(floats, low, high, dtype)
        if fast is not None:
            return fast
        # Python ints, which cannot overflow; a missing cell stays NaN (None for a nullable dtype).
        out = [v if np.isnan(v) else min(max(int(v), low), high) for v in floats.tolist()]
        if dtype != object:
            out = [None if isinstance(v, float) else v for v in out]
        else:  # an object column's numbers of the kind it held, its missing cells as it spelt them
            missing = _MISSING_VALUES[spec.get("missing_value", "nan")]
            as_ints = spec.get("object_ints", True)
            out = [missing if isinstance(v, float) else v if as_ints else float(v) for v in out]
        return pd.Series(out, dtype=dtype)
    if spec["kind"] == "numeric" and dtype == object:
        floats = values.to_numpy(dtype=np.float64)
        out = floats.astype(object)
        observed = ~np.isnan(floats)
        places = spec.get("object_decimals")
        if places is not None:  # decimals, written with the column's most places (318.84, 5.00)
            out[observed] = as_decimals(floats[observed], places, spec.get("decimal_range"))
        # Model files from before "object_ints" held ints here whenever the column was whole.
        elif spec["is_integer"] and spec.get("object_ints", True):
            out[observed] = floats[observed].astype(np.int64)  # stored into an object array: Python ints
        out[~observed] = _MISSING_VALUES[spec.get("missing_value", "nan")]
        return pd.Series(out, dtype=object)
    numpy_dtype = getattr(dtype, "numpy_dtype", dtype)
    if isinstance(numpy_dtype, np.dtype) and numpy_dtype.kind == "f" and numpy_dtype.itemsize < 8:
        # clip_to_range=False: a value beyond a float16 (float32) column's largest became inf.
        largest = float(np.finfo(numpy_dtype).max)
        values = values.clip(-largest, largest)
    return values.astype(dtype)


def _clipped_ints(floats: np.ndarray, low: int, high: int, dtype) -> pd.Series | None:
    """``_restore_dtype``'s integer clip in numpy, where float64 holds every value exactly (a
    Python loop over the values was a third of sampling's CPU time on Adult); None where the values
    need the loop: beyond 2**53 in size, infinite, or missing in a dtype that cannot hold that."""
    missing = np.isnan(floats)
    filled = np.where(missing, 0.0, floats)
    if (not np.all(np.abs(filled) <= _EXACT_FLOAT_INT) or low > _EXACT_FLOAT_INT or high < -_EXACT_FLOAT_INT
            or (missing.any() and not isinstance(dtype, pd.api.extensions.ExtensionDtype))):
        return None
    # Truncated as int() does. Within +-2**53 a bound beyond that range clips nothing, and the
    # bounds used instead are exact in float64.
    whole = np.trunc(filled).clip(max(low, -_EXACT_FLOAT_INT), min(high, _EXACT_FLOAT_INT)).astype(np.int64)
    info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
    if len(whole) and (whole.min() < info.min or whole.max() > info.max):
        return None  # a range wider than the dtype (a damaged model file): the loop's cast refuses it
    out = pd.Series(whole).astype(dtype)  # checked to be within the dtype's range: the cast wraps
    return out.mask(missing) if missing.any() else out


def _as_fitted(values: pd.Series, spec: dict) -> pd.Series:
    """``values`` (rows given to check) in the dtype the column was fitted with, where they convert:
    a file's 0.1 is a float32 column's 0.1. A fraction is no value of a column of whole numbers, and
    is left as it is (the cast cut 13.4 to 13, which passed for the real 13)."""
    dtype = dtype_from_json(spec["dtype"])
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_integer_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        finite = numbers[np.isfinite(numbers)]
        if (finite != np.trunc(finite)).any():
            return values
    try:
        return values.astype(dtype)
    except (TypeError, ValueError, OverflowError):
        return values  # values of another kind or beyond the dtype: they match none of the column's anyway


def _column_kind(series: pd.Series, *, forced: bool, name) -> str:
    dtype = series.dtype
    refuse_dates(dtype, name)
    refuse_complex(dtype, name)
    if forced or pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        # An object column from a numpy array may still hold plain numbers: modelled as numbers.
        numbers = not forced and dtype == object and is_number_column(series)
        if dtype == object:
            _check_no_equal_values_of_two_kinds(series, name, as_categories=not numbers)
        return "numeric" if numbers else "categorical"
    return "numeric"


def is_number_column(series: pd.Series) -> bool:
    """Whether a column is read as numbers, by the GAN's encoder and everything compared with it
    (SMOTE, the evaluator, the collapse check): a numeric dtype other than booleans, or an object
    column of numbers and missing values."""
    if series.dtype == object:
        return bool(series.notna().any()) and holds_only_numbers(series)
    try:
        return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    except NotImplementedError:  # Arrow types pandas cannot inspect: string_view (polars), intervals
        raise DataValidationError(f"Column {_name_of(series)!r} has the dtype {series.dtype}, which pandas cannot "
                                  f"handle; convert it first: X[{_name_of(series)!r}].astype(str).") from None


def holds_only_numbers(column: pd.Series) -> bool:
    """Whether an object column's values, missing ones aside, are all numbers (not booleans; a
    database's or a parquet file's decimals too): then it is modelled as numbers, not categories."""
    return all(isinstance(v, (numbers.Real, decimal.Decimal)) and not isinstance(v, (bool, np.bool_))
               for v in column.dropna())


def _check_no_equal_values_of_two_kinds(series: pd.Series, name, *, as_categories: bool = True) -> None:
    """Refuse an object column mixing values that Python takes as equal but that are written
    differently: ``True == 1`` and ``False == 0.0``, and, in a column modelled ``as_categories``,
    ``1 == 1.0``. They would become one category and come back as whichever came first (numbers
    are modelled as numbers: 1 and 1.0 are one value there)."""
    values = series.dropna().tolist()
    if {"booleans", "numbers"} <= _value_kinds(values).keys():
        raise DataValidationError(
            f"Column {name!r} mixes booleans with numbers; Python counts True as 1 and False as 0, so they "
            "would merge into one category. Give the column one type first (e.g. X[col].astype(str)).")
    pair = _equal_but_of_two_types(values) if as_categories else None
    if pair is not None:
        seen, value = pair
        raise DataValidationError(
            f"Column {name!r} holds {seen!r} ({type(seen).__name__}) and {value!r} ({type(value).__name__}), "
            "which Python counts as one value, so they would merge into one category. Give the column one "
            f"type first (e.g. X[{name!r}].astype(str)).")


def _equal_but_of_two_types(values: list):
    """The first two of ``values`` that Python takes as equal but that are of two types (``1`` and
    ``1.0``; np.int64(1) is the int it stands for), or None."""
    # Types first (np.str_ beside str is one spelling): values are walked only where two can differ.
    if len({_plain_type(value) for value in {type(v): v for v in values}.values()}) < 2:
        return None
    first_of: dict = {}  # a value's first spelling, by equality
    for value in values:
        try:
            seen = first_of.setdefault(value, value)
        except TypeError:  # unhashable: refused elsewhere, with its own message
            return None
        if type(seen) is not type(value) and _plain_type(seen) is not _plain_type(value):
            return seen, value
    return None


def _plain_type(value) -> type:
    """The Python type a numpy scalar stands for (np.int64(1) is an int 1, as written)."""
    return type(value.item()) if isinstance(value, np.generic) else type(value)


# ======================================================================= helpers: numeric
def _block_width(spec: dict) -> int:
    """Positions of a column's block in an encoded row (not a one-hot group's): a number's value
    before its modes' slots, a category's slots."""
    return _n_slots(spec) + int(spec["kind"] == "numeric")


def _n_slots(spec: dict) -> int:
    if spec["kind"] == "numeric":
        return len(spec["means"]) + int(spec["has_missing"])
    return len(spec["categories"]) + int(bool(spec["other"])) + int(spec["has_missing"])


def column_floats(series: pd.Series) -> np.ndarray:
    """A numeric column's values as float64, NaN where missing (or, in an object column, not a number)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        # Directly: pandas.to_numeric fails on Arrow's float16 ("FloatingArray does not support").
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if series.dtype == object:
            # Numbers pandas does not parse (fractions.Fraction) read as NaN: the model made missing
            # values where the column had none.
            unread = np.flatnonzero(np.isnan(values) & series.notna().to_numpy())
            values = values.copy() if len(unread) else values  # pandas may hand back a read-only view
            for i in unread:
                value = series.iloc[i]
                if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
                    values[i] = float(value)
        return values
    except OverflowError:  # a Python int beyond any float (10**400)
        raise DataValidationError(f"Column {_name_of(series)!r} holds a whole number too large for a float (beyond "
                                  "1.8e308); rescale the column, or make it text (.astype(str)) if it is a "
                                  "code.") from None


# The encoder fits Gaussian modes to each number column: sums of squared values, which overflow a
# float64 (about 1.8e308) beyond magnitudes of about 1e154; 1e150 leaves room for many rows.
LARGEST_MAGNITUDE = 1e150


def magnitude_text(value: float) -> str:
    """A magnitude beyond :data:`LARGEST_MAGNITUDE` in 3 digits, or in all it takes to read as beyond
    it (1.0000000000000001e+150 read "1e+150 ... beyond the 1e+150")."""
    text = f"{float(value):.3g}"
    return text if float(text) > LARGEST_MAGNITUDE else repr(float(value))


def _fit_numeric(series: pd.Series, max_modes: int, seed: np.random.SeedSequence, y=None) -> dict:
    values = column_floats(series)
    missing = np.isnan(values)
    observed = values[~missing]
    if np.isinf(observed).any():
        raise DataValidationError(
            f"Column {_name_of(series)!r} holds infinite values; replace them (e.g. by NaN, which is "
            "modelled as missing) before fitting."
        )
    largest = float(np.max(np.abs(observed), initial=0.0))
    if largest > LARGEST_MAGNITUDE:  # the samplers refuse it first; the encoder alone decoded inf
        raise DataValidationError(
            f"Column {_name_of(series)!r} holds values as large as {magnitude_text(largest)} in magnitude, beyond the "
            f"{LARGEST_MAGNITUDE:.0e} the encoder can fit modes to without overflowing; rescale the column "
            "(divide it by a power of ten, or take a logarithm) before fitting.")
    # Whole-number columns (counts, ages, codes) decode to whole numbers even when stored as float
    # (a CSV column with gaps is read as float64).
    is_integer = len(observed) > 0 and bool(np.all(np.mod(observed, 1) == 0))
    spec = {
        "kind": "numeric",
        "is_integer": bool(is_integer),
        "has_missing": bool(missing.any()),
        "min": float(observed.min()) if len(observed) else 0.0,
        "max": float(observed.max()) if len(observed) else 0.0,
        # Nothing was observed: every decoded value is missing, whatever slot the generator picks
        # (its one mode slot would otherwise invent the placeholder 0.0 in some rows).
        "all_missing": not len(observed),
        # Decimals of the real values, kept when decoding (round_to_observed); whole numbers are
        # rounded anyway.
        "decimals": None if is_integer or not len(observed) else _observed_decimals(observed, series.dtype),
    }
    if series.dtype == object:
        # Numbers held as Python objects come back as the kind they were: ints, or floats (1.0 and
        # 2.0 are whole, yet floats), with the column's own missing-value marker.
        spec["object_ints"] = all(isinstance(v, numbers.Integral) for v in series[~missing])
        _keep_decimal_places(spec, series[~missing])
        _keep_object_missing_marker(spec, series, missing)
    # Integers only: a float column's large whole values (energies of 1e20 J) are floats already.
    # (>=: float64 reads 2**53 + 1 as 2**53; the exact ints decide.)
    if is_integer and len(observed) and max(abs(observed.min()), abs(observed.max())) >= _EXACT_FLOAT_INT \
            and not pd.api.types.is_float_dtype(series.dtype) and spec.get("object_ints", True):
        _keep_exact_int_range(spec, series)
    unique = np.unique(observed)
    if len(unique) < 2:
        # Constant (or entirely missing) column: one mode, decoded to the constant.
        spec.update(means=[float(unique[0]) if len(unique) else 0.0], stds=[0.0], weights=[1.0])
        return spec
    # Values that alone make up a large share of the column (capital-gain is 0 for 92% of Adult; an
    # integer score has a few frequent levels) become exact modes with zero spread: they decode
    # back onto the value itself, where a Gaussian mode would smear them over their neighbours.
    uniques, counts = np.unique(observed, return_counts=True)
    frequent = np.argsort(-counts, kind="stable")[:max_modes]
    frequent = frequent[counts[frequent] >= _POINT_MASS_SHARE * len(observed)]
    point_values = uniques[frequent]
    rest = observed[~np.isin(observed, point_values)]
    means, stds, weights = list(point_values), [0.0] * len(point_values), list(counts[frequent] / len(observed))
    if len(np.unique(rest)) >= 2:
        cont_means, cont_stds, cont_weights = _fit_mixture(rest, max_modes, seed, observed.max() - observed.min())
        means += cont_means
        stds += cont_stds
        weights += list(np.asarray(cont_weights) * len(rest) / len(observed))
    elif len(rest):
        means, stds, weights = means + [float(rest[0])], stds + [0.0], weights + [len(rest) / len(observed)]
    if y is not None:
        means, stds, weights = _class_modes(observed, y[~missing], means, stds, weights,
                                            1e-6 * float(observed.max() - observed.min()), max_modes)
    order = np.argsort(means, kind="stable")
    spec.update(means=[float(means[i]) for i in order], stds=[float(stds[i]) for i in order],
                weights=[float(weights[i]) for i in order])
    return spec


def _class_modes(observed: np.ndarray, classes: np.ndarray, means: list, stds: list, weights: list,
                 floor: float, most: int) -> tuple[list, list, list]:
    """The column's modes, with those a class needs that shares of the whole column did not give:
    an exact mode for a value most of a class's rows hold (a rare class all zeros, under the 5% of
    the column that makes a point mass), and one mode over the rows of a class that no mode reaches
    (a class under 0.5% of the rows, in a range of its own, whose mixture mode was dropped as too
    light). Without them, such rows encode onto the edge of another class's mode: the class's real
    rows decode to one wrong value, and the GAN is trained on it. At most ``most`` (max_modes) are
    added, the rarest classes' first; where none is, the modes are returned as they were."""
    means, stds, weights = list(means), list(stds), list(weights)
    given = len(means)
    labels, sizes = np.unique(classes, return_counts=True)
    for label in labels[np.argsort(sizes, kind="stable")]:
        if len(means) - given >= most:
            break
        rows = observed[classes == label]
        values, counts = np.unique(rows, return_counts=True)
        top = int(counts.argmax())
        points = {m for m, s in zip(means, stds) if s == 0}
        # Held by enough of its rows, or by every one of a class of a few (a class of 3 rows all at
        # 7.5 came back anywhere from 3 to 10).
        held = counts[top] >= max(_CLASS_POINT_ROWS, 0.5 * len(rows)) or counts[top] == len(rows) >= 2
        if held and values[top] not in points:
            means, stds, weights = means + [float(values[top])], stds + [0.0], weights + [counts[top] / len(observed)]
            if len(means) - given >= most:
                break
        reached = np.zeros(len(rows), dtype=bool)
        for mean, std in zip(means, stds):  # mode by mode: a (rows x modes) array of a large class is large
            reached |= np.abs(rows - mean) <= 4 * _ALPHA_CLIP * std if std > 0 else rows == mean
        far = rows[~reached]
        if len(far) >= 2 and len(far) >= 0.25 * len(rows):
            spread = float(far.std())
            # Wide enough to reach every one of them (alpha = (v - mean) / (4 std) within the clip).
            reach = float(np.max(np.abs(far - far.mean()))) / (4 * _ALPHA_CLIP)
            means.append(float(far.mean()))
            stds.append(0.0 if spread == 0 else max(spread, reach, floor))
            weights.append(len(far) / len(observed))
    if len(means) == given:
        return means, stds, weights
    total = float(np.sum(weights))
    return means, stds, [w / total for w in weights]


#: A class's value becomes an exact mode of its own when at least this many of its rows (and half
#: of them) hold it.
_CLASS_POINT_ROWS = 5

#: Whole numbers above this in size are not all representable as float64 (2**53).
_EXACT_FLOAT_INT = 2 ** 53


def _keep_exact_int_range(spec: dict, series: pd.Series) -> None:
    """A whole-number column with values beyond 2**53 (identifiers, codes): keep its exact range,
    to clip decoded values to it as integers (through float64 they could fall outside it), and
    say that its synthetic values are only as precise as a float."""
    try:
        observed = [int(v) for v in series.dropna().tolist()]
    except (TypeError, ValueError, OverflowError):
        return
    if max(abs(min(observed)), abs(max(observed))) <= _EXACT_FLOAT_INT:
        return  # every value a float64 holds exactly
    spec["int_range"] = [min(observed), max(observed)]

    def message(example: str) -> str:
        return (f"Column {_name_of(series)!r} holds whole numbers beyond 2**53 in size{example}, which the model "
                "handles as floats: its synthetic values are rounded to a float's precision (kept within the "
                "observed range). If it is an identifier, leave it out of the data; if it is a code, name it in "
                "categorical_features (command line: --categorical) to keep its values exact.")

    # The gist leaves the example out: each cross-validation fold has its own largest value.
    warn(message(f" (e.g. {max(observed, key=abs)})"), UserWarning, gist=message(""))


def _fit_mixture(values: np.ndarray, max_modes: int, seed, value_range: float):
    """Means, spreads and weights of a Bayesian Gaussian mixture on ``values`` (unused modes dropped)."""
    rng = np.random.default_rng(seed)
    fit_values = values if len(values) <= _GMM_MAX_ROWS else rng.choice(values, _GMM_MAX_ROWS, replace=False)
    # Fitted in a unit where the variance neither underflows nor overflows: the variance of values
    # of 1e-160 is 0 in float64, and the mixture's modes came out 1e156 times wider than the data.
    unit = float(np.max(np.abs(fit_values)))
    unit = unit if not _MIXTURE_SCALE_RANGE[0] <= unit <= _MIXTURE_SCALE_RANGE[1] else 1.0
    fit_values = fit_values / unit
    # No more modes than can each weigh _MIN_MODE_WEIGHT: the others would be dropped, after minutes
    # of fitting (max_modes=1000 on one 2,000-row column: 34 s, for 3 modes kept).
    n_components = int(min(max_modes, round(1 / _MIN_MODE_WEIGHT), len(np.unique(fit_values)), len(fit_values)))
    priors = _bulk_priors(fit_values)
    if priors:  # the spreads' floor below is the bulk's too, not a millionth of the way to 1e12
        value_range = min(value_range, 8 * unit * float(np.sqrt(priors["covariance_prior"][0][0])))
    mixture = BayesianGaussianMixture(
        **priors,
        n_components=n_components,
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=1e-3,
        max_iter=100,
        n_init=1,
        # scikit-learn's default 1e-6 is added to every mode's variance whatever the column's unit:
        # a column of lengths in km (variance ~1e-6) got modes twice as wide as its data, and its
        # synthetic values piled up on the observed bounds. At most 1e-6 of the column's variance,
        # so a column in small units is fitted as the same column in larger ones.
        reg_covar=1e-6 * min(1.0, float(np.var(fit_values))) or 1e-6,
        random_state=int(rng.integers(2**31 - 1)),
    )
    with catching_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mixture.fit(fit_values.reshape(-1, 1))
    keep = mixture.weights_ > _MIN_MODE_WEIGHT
    if not keep.any():
        keep[np.argmax(mixture.weights_)] = True
    means, variances = _modes_without_priors(mixture)
    # Floor the spread so a mode collapsed on one repeated value cannot divide by ~0.
    stds = np.maximum(np.sqrt(variances[keep]) * unit, 1e-6 * value_range)
    weights = mixture.weights_[keep] / mixture.weights_[keep].sum()
    return (means[keep] * unit).tolist(), stds.tolist(), weights.tolist()


def _modes_without_priors(mixture) -> tuple[np.ndarray, np.ndarray]:
    """The means and variances of the fitted one-column ``mixture``'s modes as the rows it assigns
    them have them (the weighted mean and variance of its last update), without its priors' pull.
    The priors pull a mode's mean towards the column's and add about the column's variance over its
    rows to its own: negligible for a mode of many rows, but 20 rows at 1e6 +- 900 beside 280 at
    50 +- 10 got a mode at 952,000 +- 213,000, the real rows encoded into a sliver the generator
    could not hit, and half its synthetic values fell below any of the class. A mode of under two rows'
    weight keeps the priors' values: it has no spread of its own to measure."""
    means, variances = mixture.means_.ravel().copy(), mixture.covariances_.ravel().copy()
    kappa, mean_prior = mixture.mean_precision_prior_, float(np.ravel(mixture.mean_prior_)[0])
    covariance_prior = float(np.ravel(mixture.covariance_prior_)[0])
    rows = mixture.mean_precision_ - kappa  # each mode's share of the rows, in rows
    own = rows >= 2
    # Inverting scikit-learn's update: mean = (kappa m0 + n x) / (kappa + n), and variance times
    # (nu0 + n) = psi0 + n s + n kappa / (kappa + n) (x - m0)^2.
    mean = (mixture.mean_precision_[own] * means[own] - kappa * mean_prior) / rows[own]
    variance = (variances[own] * mixture.degrees_of_freedom_[own] - covariance_prior
                - rows[own] * kappa / mixture.mean_precision_[own] * (mean - mean_prior) ** 2) / rows[own]
    means[own] = mean
    variances[own] = np.maximum(variance, 0.0)  # rounding can leave one repeated value's below 0: the floor's
    return means, variances


def _bulk_priors(values: np.ndarray) -> dict:
    """The mixture's priors where a few extreme values would set them: scikit-learn's are the data's
    mean and variance, and one mistyped 1e12 among values of 0..10 made every mode ~1e9 wide and
    shifted it by ~1e6 (no real or synthetic value stayed in 0..10). Where the variance is over
    ``_OUTLIER_VARIANCE_RATIO`` times what the interquartile range implies for a normal bulk, the
    priors are the bulk's median and that variance; other columns keep scikit-learn's."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    bulk_variance = ((q3 - q1) / 1.349) ** 2  # a normal's variance from its interquartile range
    if bulk_variance > 0 and np.var(values) > _OUTLIER_VARIANCE_RATIO * bulk_variance:
        return {"mean_prior": [median], "covariance_prior": [[bulk_variance]]}
    return {}


def _encode_numeric(series: pd.Series, spec: dict, rng: np.random.Generator) -> list[np.ndarray]:
    values = column_floats(series)
    missing = np.isnan(values)
    means, stds = np.asarray(spec["means"]), np.asarray(spec["stds"])
    filled = np.where(missing, means[0], values)
    is_point = stds == 0
    mode = np.full(len(values), -1)
    for index in np.flatnonzero(is_point):
        mode[filled == means[index]] = index
    loose = mode < 0
    if loose.any():
        if is_point.all():  # a value unseen at fit time with only exact modes: the nearest one
            mode[loose] = np.abs(filled[loose, None] - means).argmin(axis=1)
        else:
            # Posterior over the Gaussian modes, then one draw per row (the paper samples the mode
            # rather than taking the argmax, so rows between modes are spread over both).
            safe = np.where(is_point, 1.0, stds)
            log_post = np.log(np.asarray(spec["weights"])) - np.log(safe) \
                - 0.5 * ((filled[loose, None] - means) / safe) ** 2
            log_post[:, is_point] = -np.inf
            log_post -= log_post.max(axis=1, keepdims=True)
            post = np.exp(log_post)
            post /= post.sum(axis=1, keepdims=True)
            mode[loose] = (post.cumsum(axis=1) > rng.random((int(loose.sum()), 1))).argmax(axis=1)
    alpha = np.where(is_point[mode], 0.0, (filled - means[mode]) / (4 * np.where(is_point, 1.0, stds)[mode]))
    alpha = np.clip(alpha, -_ALPHA_CLIP, _ALPHA_CLIP)
    alpha[missing] = 0.0
    slots = np.zeros((len(values), _n_slots(spec)), dtype=np.float32)  # 0/1, as the encoded matrix holds them
    slots[np.arange(len(values)), mode] = 1.0
    if spec["has_missing"]:
        slots[missing] = 0.0
        slots[missing, -1] = 1.0
    return [alpha[:, None], slots]


def _decode_numeric(alpha: np.ndarray, slot: np.ndarray, spec: dict, clip: bool,
                    round_to_observed: bool = False) -> pd.Series:
    if spec.get("all_missing"):  # absent from model files written before it existed: False
        return pd.Series(np.full(len(alpha), np.nan))
    n_modes = len(spec["means"])
    mode = np.minimum(slot, n_modes - 1)
    values = np.clip(alpha, -1, 1) * 4 * np.asarray(spec["stds"])[mode] + np.asarray(spec["means"])[mode]
    if clip:
        values = np.clip(values, spec["min"], spec["max"])
    # Rounding gives -0.0 for -0.04 (written "-0.0" by to_csv); + 0.0 makes it the zero real rows hold.
    if spec["is_integer"]:
        values = np.round(values) + 0.0
    elif round_to_observed and spec.get("decimals") is not None:  # absent from older model files
        values = np.round(values, spec["decimals"]) + 0.0
        if clip:
            # The range's ends have at most this many decimals, but np.round scales by 10**decimals,
            # inexact beyond 2**53: 2099884981709.4163 rounded to 7 places is ...4165.
            values = np.clip(values, spec["min"], spec["max"])
    values[slot == n_modes] = np.nan  # the missing slot (exists only if has_missing)
    return pd.Series(values)


# ======================================================================= helpers: categorical
def _fit_categorical(series: pd.Series, max_categories: int, *, advise_more: bool = True, y=None) -> dict:
    missing = series.isna().to_numpy()
    counts = series[~missing].astype(object).value_counts(sort=True)
    values = [json_scalar(v, column=_name_of(series)) for v in counts.index]
    kept, other = values[:max_categories], values[max_categories:]
    if other and advise_more:
        def message(counts: str) -> str:
            return (f"Column {_name_of(series)!r} has {counts}; the {max_categories} most frequent are modelled one "
                    f"by one and the others share one slot, decoded by their observed frequency in each class. Raise "
                    "max_categories (--max-categories) to model them all.")

        # The gist, without the counts of this fit's rows: cross-validation folds count other values.
        warn(message(f"{len(values)} distinct values ({len(other)} beyond the {max_categories})"), UserWarning,
             gist=message(f"more than {max_categories} distinct values"))
    other_counts = counts.to_numpy()[max_categories:]
    spec = {
        "kind": "categorical",
        "categories": kept,
        "other": other,
        "other_probs": (other_counts / other_counts.sum()).tolist() if other else [],
        "has_missing": bool(missing.any()),
    }
    if other and y is not None:
        spec["other_probs_by_class"] = _other_probs_by_class(series[~missing].astype(object), y[~missing],
                                                             counts.index[max_categories:])
    _keep_object_missing_marker(spec, series, missing)
    return spec


def _other_probs_by_class(values: pd.Series, y: np.ndarray, rare) -> list:
    """For each class index 0..max(y), ``[positions, frequencies]`` of the ``rare`` values it holds
    (positions in ``rare``'s order), or None for a class that holds none of them (it is then decoded
    by the whole column's). Decoded by one frequency table for all, a rare class's "other" slot got
    mostly values only other classes hold (an ID-like column: every synthetic row another class's
    IDs). Sparse: a class holds few of an ID column's values, and a model file keeps this."""
    in_rare = values.isin(rare).to_numpy()
    position = pd.Series(np.arange(len(rare)), index=pd.Index(rare, dtype=object))
    pairs = pd.DataFrame({"label": y[in_rare], "position": position.reindex(values[in_rare].to_numpy()).to_numpy()})
    by_class: list = [None] * (int(y.max()) + 1 if len(y) else 0)
    for label, group in pairs.groupby("label", sort=True)["position"]:
        counts = group.value_counts(sort=False).sort_index()
        by_class[int(label)] = [counts.index.astype(int).tolist(), (counts.to_numpy() / counts.sum()).tolist()]
    return by_class


def _keep_decimal_places(spec: dict, present: pd.Series) -> None:
    """A column of decimals comes back as decimals: ``spec["object_decimals"]``, the most places
    its values have (:func:`~gan_augment.data._dtypes.decimal_places`), and ``spec["decimal_range"]``,
    its smallest and largest value as text."""
    places = decimal_places(present)
    if places is not None:
        spec["object_decimals"] = places
        # As text: beyond 16 digits a float's own digits went past the real values (a constant
        # 12345678901234567.89 came back as ...568.00), so decimals are clipped to these.
        spec["decimal_range"] = [str(min(present)), str(max(present))]


def _keep_object_missing_marker(spec: dict, series: pd.Series, missing: np.ndarray) -> None:
    """An object column says "missing" in the user's own way (None, pd.NA, NaN): synthetic rows
    say it the same way (``spec["missing_value"]``), the most common one where several are mixed."""
    if missing.any() and series.dtype == object:
        markers = pd.Series([_MISSING_NAMES.get(type(v), "nan") for v in series[missing]])
        spec["missing_value"] = markers.value_counts().index[0]


#: Keys of a column's spec that only decoding reads (left out of checkpoints' fingerprints).
_DECODING_ONLY = ("other_probs_by_class",)

#: How a model file names the missing-value marker of an object column, and back.
_MISSING_NAMES = {type(None): "None", type(pd.NA): "NA", type(pd.NaT): "NaT", decimal.Decimal: "DecimalNaN"}
_MISSING_VALUES = {"None": None, "NA": pd.NA, "NaT": pd.NaT, "nan": np.nan, "DecimalNaN": decimal.Decimal("NaN")}


def _encode_categorical(series: pd.Series, spec: dict) -> np.ndarray:
    n_kept = len(spec["categories"])
    codes = _table_codes(series, spec)
    slot = np.minimum(codes, n_kept)  # the rare values share the "other" slot
    slot[codes < 0] = n_kept if spec["other"] else 0
    slot[codes == n_kept + len(spec["other"])] = _n_slots(spec) - 1 if spec["has_missing"] else 0
    onehot = np.zeros((len(series), _n_slots(spec)), dtype=np.float32)  # as the encoded matrix: half of float64
    onehot[np.arange(len(series)), slot] = 1.0
    return onehot


def _categorical_codes(slot: np.ndarray, spec: dict, rng: np.random.Generator, classes=None) -> np.ndarray:
    """The decoded slots as indices into the column's decode table: its categories, then its rare
    values (the "other" slot becomes one of them, drawn by their observed frequency: within the class
    of the row where ``classes`` is given and the spec has them per class), then missing."""
    n_kept = len(spec["categories"])
    codes = slot.copy()
    if spec["other"]:
        is_other = slot == n_kept
        by_class = spec.get("other_probs_by_class")  # absent from model files before it, and fits without y
        if classes is None or by_class is None:
            codes[is_other] = n_kept + rng.choice(len(spec["other"]), size=int(is_other.sum()), p=spec["other_probs"])
        else:
            classes = np.broadcast_to(np.asarray(classes, dtype=np.int64), slot.shape)
            for label in np.unique(classes[is_other]):
                rows = is_other & (classes == label)
                own = by_class[label] if label < len(by_class) else None
                if own is None:
                    positions, probs = len(spec["other"]), spec["other_probs"]
                elif own and not isinstance(own[0], list):  # dense, as files of a few commits before it kept them
                    positions, probs = len(spec["other"]), own
                else:
                    positions, probs = own
                codes[rows] = n_kept + rng.choice(positions, size=int(rows.sum()), p=probs)
    if spec["has_missing"]:
        codes[slot == _n_slots(spec) - 1] = n_kept + len(spec["other"])
    return codes


def _categorical_values(codes: np.ndarray, spec: dict) -> pd.Series:
    """The values at ``codes`` of the column's decode table, already in the column's dtype.

    The distinct values are converted to the dtype once and the rows are a positional take from
    them: converting one object per row (e.g. to a pyarrow string column) was the slow part of
    sampling. A table longer than the rows (an ID column's thousands of rare values, decoded for a
    few rows of one class) is cut to the entries the rows take first: converting all of it at each
    call took 52 of a 78 s top-up of 300 classes.
    """
    table = spec["categories"] + spec["other"]
    if spec["has_missing"]:
        table = table + [_MISSING_VALUES[spec.get("missing_value", "nan")]]  # absent from older model files
    if len(table) > len(codes):
        used, codes = np.unique(codes, return_inverse=True)
        table = [table[entry] for entry in used.tolist()]
    values = pd.Series(table, dtype=object).astype(dtype_from_json(spec["dtype"]))
    return values.take(codes).reset_index(drop=True)


def _table_codes(series: pd.Series, spec: dict) -> np.ndarray:
    """Each cell of a categorical column as an index into its decode table: its categories, then its
    rare values, then ``len(categories + rare values)`` for a missing cell (the table's missing entry,
    where the column had missing values); -1 for a value the column never held."""
    table = spec["categories"] + spec["other"]
    lookup = {value: entry for entry, value in enumerate(table)}
    # Each distinct value is looked up once, not each cell (a million-row column took 0.3 s a column).
    codes, distinct = pd.factorize(series.astype(object).to_numpy())
    entries = [lookup.get(value.item() if isinstance(value, np.generic) else value, -1) for value in distinct]
    entries.append(len(table))  # code -1, the last: None, NaN, NA
    return np.asarray(entries, dtype=np.int64)[codes]


def _decode_binary(is_one: np.ndarray, spec: dict) -> pd.Series:
    values = _as_decimals_of(pd.Series(spec["values"], dtype=object).astype(dtype_from_json(spec["dtype"])), spec)
    return values.take(is_one.astype(np.int64)).reset_index(drop=True)


def _as_decimals_of(values: pd.Series, spec: dict) -> pd.Series:
    """A rule's values of a column of decimals (held as floats in the model file: rule_scalar) as
    its decimals; others as they are."""
    places = spec.get("object_decimals")
    return values if places is None else decimal_column(values, places, spec.get("decimal_range"))


def decimal_column(values: pd.Series, places: int, bounds=None) -> pd.Series:
    """``values`` (numbers) as an object column of decimals of ``places`` places within ``bounds``
    (:func:`~gan_augment.data._dtypes.as_decimals`), its missing cells as they are."""
    floats = column_floats(values)
    present = ~np.isnan(floats)
    out = values.astype(object).copy()
    out[present] = as_decimals(floats[present], places, bounds)
    return out


# ======================================================================= helpers: precision
def _observed_decimals(values: np.ndarray, dtype) -> int | None:
    """The most decimals any of ``values`` needs to be written exactly; None beyond _MAX_DECIMALS.

    Compared in the column's own precision, so a float32 0.1 needs 1 decimal, not 9 (a float16
    0.1 not 9 either).
    """
    own = getattr(dtype, "numpy_dtype", dtype)  # pandas' Float32 and Arrow's floats: their numpy dtype
    narrow = own if own in (np.float16, np.float32) else np.float64
    remaining: np.ndarray = np.asarray(values, dtype=narrow)
    with np.errstate(over="ignore", invalid="ignore"):  # huge values overflow x * 10**decimals: not rounded
        for decimals in range(_MAX_DECIMALS + 1):
            # Rounded in float64 (float16 arithmetic loses x * 10**decimals above 2048), then
            # compared in the column's own precision.
            rounded = np.round(remaining.astype(np.float64), decimals).astype(narrow)
            inexact: np.ndarray = rounded != remaining
            remaining = remaining[inexact]
            if not len(remaining):
                return decimals
    return None


def _names(names: list, limit: int = 8) -> str:
    shown = ", ".join(str(name) for name in names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")
