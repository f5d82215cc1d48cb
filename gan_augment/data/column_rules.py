"""The rules a table obeys on every real row, found so that synthetic rows obey them too.

* One-hot groups: 0/1 columns with exactly one 1 per row (what a OneHotEncoder or
  ``pd.get_dummies`` writes). :class:`~gan_augment.data.tabular.TabularEncoder` models each group as
  ONE categorical and decodes it back into its columns.
* Binary columns: other 0/1 columns, modelled as two-valued categories (never 0.47).
* Missingness links: "column A is missing exactly when column B = v (or is missing)", kept by
  deriving A's missingness from B's decoded value.
* Columns set by another: "C takes one value for each value of categorical column B" (a code and
  its name, education and education-num), kept by reading C off B's decoded value.
* Values implied by another: "where B = b, C = c" for some values of B, on every one of many real
  rows (relationship Husband, sex Male), kept by setting C where B's decoded value is b.

A one-hot group takes part in the last two as the categorical it stands for (``pd.get_dummies`` of
education sets education-num as education does): named by its first member's position, its value
on a row is the position of the member holding the 1 (see :func:`group_codes`).

Functions here find the rules and tell which rows break them; the encoder owns how they are
modelled. Positions are column positions in the table.
"""

from __future__ import annotations

import decimal
import numbers
from collections import Counter

import numpy as np
import pandas as pd

from gan_augment.data._dtypes import hashable, json_scalar
from gan_augment.exceptions import DataValidationError

# A missingness link must hold on every real row and be seen on at least this many rows on each
# side (missing and present): five rows that happen to line up are not yet a rule.
_MIN_LINK_ROWS = 5
# Rows per block when counting co-occurrences of 0/1 columns (bounds memory on tall tables).
_COOCCURRENCE_BLOCK = 65536
# Dead ends the search for a column's one-hot group may back out of (a group written side by side
# is found with none), per column and in all: they keep a table of many sparse 0/1 columns, where
# a search can wander, to about a second.
_GROUP_DEAD_ENDS = 32
_GROUP_DEAD_ENDS_TOTAL = 500
# Column pairs the search for columns set by another checks at most (each is one pass over the rows
# in the parent's order): about a second on a 10,000-row table.
_DERIVED_PAIRS_TOTAL = 20_000
# "Where B = b, C = c" is a rule only where b is held by this many real rows or more, every one with
# c, and that many rows agreeing by chance would be this unlikely were B and C unrelated: a one in
# a million chance (c's share of the rows to the power of b's rows). Rarer agreements, on a few
# rows or with a value nearly every row holds, say nothing beyond the rows themselves.
_IMPLIED_MIN_ROWS = 20
_IMPLIED_CHANCE = 1e-6


def as_numbers(series: pd.Series) -> np.ndarray:
    """float64 values of a column of numbers or booleans; NaN where missing or not a number."""
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
        # A category column's values are its categories' (0 and 1 of a one-hot column made
        # categorical): binary_columns takes it, so its 1s must be read here too.
        return np.array([float(v) if isinstance(v, (numbers.Real, np.bool_, decimal.Decimal)) and not pd.isna(v)
                         else np.nan for v in series.to_numpy(dtype=object)], dtype=np.float64)
    if getattr(series.dtype, "kind", "O") in "biuf":
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.full(len(series), np.nan)


def _factorize(column: pd.Series, **kwargs):
    """``pd.factorize(column)``, also of an Arrow float16 column (:func:`hashable`)."""
    return pd.factorize(hashable(column), **kwargs)


def binary_columns(frame: pd.DataFrame) -> dict[int, tuple[list, bool]]:
    """Columns holding exactly the two values 0 and 1 (or False and True), missing values aside.

    Returns ``{position: ([zero, one] as the column holds them, has missing values)}``.
    """
    found = {}
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        kind = getattr(series.dtype, "kind", "O")
        if kind not in "biufO":
            continue
        missing = series.isna().to_numpy(dtype=bool)
        if kind == "O":
            # Two distinct values at most (hashing is cheap; text columns stop here), then which.
            held = pd.unique(series.to_numpy()[~missing])
            if len(held) != 2:
                continue
            values = as_numbers(pd.Series(held, dtype=object))
            pair: list = [held[np.argmin(values)], held[np.argmax(values)]]
        else:
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)[~missing]
            pair = [False, True] if kind == "b" else [0.0, 1.0] if kind == "f" else [0, 1]
        is_one = values == 1
        if not is_one.any() or is_one.all() or not (is_one | (values == 0)).all():
            continue  # a NaN in `values` is text in an object column: not binary either
        found[position] = ([rule_scalar(v) for v in pair], bool(missing.any()))
    return found


def find_onehot_groups(frame: pd.DataFrame, candidates: list[int]) -> list[list[int]]:
    """Disjoint groups (positions, ascending) of 0/1 columns with exactly one 1 in every row.

    Columns of one group are never 1 in the same row, and their counts of 1s add up to the number
    of rows. The co-occurrence matrix of all candidates (one matrix product, in row blocks) tells
    which columns exclude each other; then a group is searched from each column not yet taken
    (:func:`_group_containing`). Every group found is checked on the rows themselves. Cost:
    O(rows x candidates^2) for the product, and a bounded search per candidate.
    """
    n_rows = len(frame)
    if len(candidates) < 2 or n_rows == 0:
        return []
    ones = group_ones(frame, candidates)
    n_columns = ones.shape[1]
    together = np.zeros((n_columns, n_columns))
    for start in range(0, n_rows, _COOCCURRENCE_BLOCK):  # float32 counts stay exact below 2**24 rows per block
        block = ones[start:start + _COOCCURRENCE_BLOCK].astype(np.float32)
        together += block.T @ block
    exclusive = together == 0  # the diagonal is False: every candidate is 1 somewhere
    by_column = np.ascontiguousarray(ones.T)
    free = np.ones(n_columns, dtype=bool)
    groups, dead_ends_left = [], _GROUP_DEAD_ENDS_TOTAL
    for first in range(n_columns):
        if not free[first]:
            continue
        members, dead_ends = _group_containing(first, ones, by_column, exclusive & free,
                                               min(_GROUP_DEAD_ENDS, dead_ends_left))
        dead_ends_left -= dead_ends
        if members is not None and (ones[:, members].sum(axis=1) == 1).all():
            free[members] = False
            groups.append(sorted(candidates[i] for i in members))
    return sorted(groups)


def _group_containing(first: int, ones: np.ndarray, by_column: np.ndarray, exclusive: np.ndarray,
                      max_dead_ends: int) -> tuple[list[int] | None, int]:
    """Columns (indices of ``ones``) that with ``first`` have exactly one 1 in every row, or None;
    and the number of dead ends met. ``by_column`` is ``ones.T``, contiguous.

    A depth-first exact-cover search: the first row no member covers yet must be covered by a
    column that is 1 there and excludes every member so far; those are tried nearest-after
    ``first`` first (a OneHotEncoder writes a group side by side, so on such tables the first
    path is the answer). The search stops at the dead end after ``max_dead_ends``.
    """
    n_rows, n_columns = ones.shape
    nearness = (np.arange(n_columns) - first) % n_columns

    def choices(allowed, covered):
        row = int(np.argmin(covered))
        found = np.flatnonzero(allowed & ones[row])
        return iter(found[np.argsort(nearness[found], kind="stable")].tolist())

    covered = by_column[first].copy()
    stack = [([first], exclusive[first], covered, int(covered.sum()), choices(exclusive[first], covered))]
    dead_ends = 0
    while stack:
        members, allowed, covered, total, options = stack[-1]
        other = next(options, None)
        if other is None:
            stack.pop()
            dead_ends += 1
            if dead_ends > max_dead_ends:
                break
            continue
        allowed, covered = allowed & exclusive[other], covered | by_column[other]
        total += int(np.count_nonzero(by_column[other]))  # exclusive columns: their 1s never overlap
        if total == n_rows:
            return members + [other], dead_ends
        stack.append((members + [other], allowed, covered, total, choices(allowed, covered)))
    return None, dead_ends


def group_ones(frame: pd.DataFrame, members: list[int]) -> np.ndarray:
    """(rows, members) booleans: where each of the columns at positions ``members`` holds a 1."""
    return np.column_stack([as_numbers(frame.iloc[:, p]) == 1 for p in members])


def group_codes(frame: pd.DataFrame, members: list[int]) -> np.ndarray:
    """Each row's value of the group as a categorical: the index (in ``members``) of the member
    holding the row's 1; -1 where the row holds no 1 or several (a row no real row is like)."""
    ones = group_ones(frame, members)
    return np.where(ones.sum(axis=1) == 1, ones.argmax(axis=1), -1)


def _as_categoricals(frame: pd.DataFrame, groups: list[list[int]]) -> tuple[dict, dict]:
    """Each one-hot group as a categorical for the rules: ``{first member: codes}`` (see
    :func:`group_codes`; on real rows never -1) and ``{first member: the members' positions}``,
    the values those codes stand for."""
    return ({members[0]: group_codes(frame, members) for members in groups},
            {members[0]: list(members) for members in groups})


def encode_group(frame: pd.DataFrame, members: list[int]) -> np.ndarray:
    ones = group_ones(frame, members)
    onehot = np.zeros(ones.shape, dtype=np.float32)  # 0/1, as the encoded matrix holds them
    onehot[np.arange(len(ones)), ones.argmax(axis=1)] = 1.0  # a row without a 1 (unseen data) -> the first
    return onehot


def group_broken(frame: pd.DataFrame, members: list[int]) -> np.ndarray:
    values = np.column_stack([as_numbers(frame.iloc[:, p]) for p in members])
    zero_or_one = ((values == 0) | (values == 1)).all(axis=1)
    return ~zero_or_one | ((values == 1).sum(axis=1) != 1)


def binary_broken(frame: pd.DataFrame, positions: list[int], specs: list[dict]) -> np.ndarray:
    broken = np.zeros(len(frame), dtype=bool)
    for position in positions:
        series = frame.iloc[:, position]
        values = as_numbers(series)
        allowed_missing = series.isna().to_numpy(dtype=bool) & bool(specs[position]["has_missing"])
        broken |= ~((values == 0) | (values == 1) | allowed_missing)
    return broken


def find_missing_links(frame: pd.DataFrame, specs: list[dict]) -> list[dict]:
    """Exact links "column A is missing exactly when column B = v", or "... when B is missing", and
    "column C = w exactly when column B = v" for the other flags of the same rows.

    Columns with the same missing rows form a class. A class follows a column without missing
    values that takes one value exactly on those rows (``T3 measured = 'f'`` when ``T3`` is
    missing; a one-hot group's member before other columns, of larger groups first); failing that,
    every member but the first follows the first one's missingness. Another categorical column
    without missing values that also takes one value exactly on those rows (a second flag,
    identical to the first on every real row) follows the same column by value: generated on its
    own it broke the link on a third of hypothyroid's rows. The followed columns never follow
    another, so decoding needs one pass for them, one for the rest. Both sides need
    ``_MIN_LINK_ROWS`` rows.
    """
    n_rows = len(frame)
    missing = [frame.iloc[:, p].isna().to_numpy(dtype=bool) for p in range(frame.shape[1])]
    classes: dict[bytes, list[int]] = {}
    for position, spec in enumerate(specs):
        count = int(missing[position].sum())
        if spec["kind"] in ("numeric", "categorical") and _MIN_LINK_ROWS <= count <= n_rows - _MIN_LINK_ROWS:
            classes.setdefault(np.packbits(missing[position]).tobytes(), []).append(position)
    if not classes:
        return []
    # One-hot members first, of the largest groups first (then column order): a column missing
    # exactly where a dummy is 1 follows the dummy (and so is read off its group, see
    # find_derived_columns) rather than another flag of those rows, plain or dummied, that comes
    # before the group (grad = 'yes' beside education_Masters broke education-num on 56% of rows).
    # Other columns keep column order: a plain categorical marking the rows is then a twin ("sets"),
    # which find_derived_columns reads a column off too. (Preferring the categorical of most values
    # broke links a flag or a number kept before: a dummied flag can be no twin, nor a number.)
    sizes = Counter(spec["group"] for spec in specs if spec["kind"] == "onehot")
    parents = sorted((p for p in range(len(specs)) if not missing[p].any()),
                     key=lambda p: -sizes[specs[p]["group"]] if specs[p]["kind"] == "onehot" else 0)
    codes, code_counts = {}, {}

    def value_on(parent: int, mask: np.ndarray, first_row: int, count: int):
        """The value ``parent`` takes exactly on the rows of ``mask`` (whose first is ``first_row``,
        ``count`` rows in all) as JSON holds it, or None (a parent has no missing value, so None is
        no value of it). Called for every class and parent: the count rules out most in O(1)."""
        if parent not in codes:
            codes[parent] = _factorize(frame.iloc[:, parent])[0]
            code_counts[parent] = np.bincount(codes[parent])
        code = codes[parent][first_row]
        if code_counts[parent][code] != count or not np.array_equal(codes[parent] == code, mask):
            return None
        try:
            return rule_scalar(frame.iloc[first_row, parent])
        except DataValidationError:
            return None

    links, followed = [], []
    for members in classes.values():
        mask = missing[members[0]]
        first_row, count = int(np.argmax(mask)), int(mask.sum())
        for parent in parents:
            value = value_on(parent, mask, first_row, count)
            if value is not None and _decodes_exactly(specs[parent], value):
                links += [{"column": p, "parent": parent, "when": "equals", "value": value} for p in members]
                followed.append((parent, value, mask, first_row, count))  # one column may mark several classes
                break
        else:
            links += [{"column": p, "parent": members[0], "when": "missing", "value": None} for p in members[1:]]
    # A followed column follows none, and a column follows one other.
    taken = {parent for parent, *_ in followed} | {link["column"] for link in links}
    for parent, value, mask, first_row, count in followed:
        for twin in parents:
            if twin in taken or specs[twin]["kind"] != "categorical":
                continue
            linked = value_on(twin, mask, first_row, count)
            if linked is not None and linked in specs[twin]["categories"]:
                links.append({"column": twin, "parent": parent, "when": "equals", "value": value, "sets": linked})
                taken.add(twin)
    return sorted(links, key=lambda link: link["column"])


def find_derived_columns(frame: pd.DataFrame, specs: list[dict], groups: list[list[int]],
                         links: list[dict]) -> list[dict]:
    """Columns set by a categorical column: "C takes one value for each value of B" on every real row
    (Adult's ``education-num`` is one number per ``education``: 16 values, 16 numbers).

    Returns ``[{"column": c, "parent": b, "pairs": [[b's value, c's value], ...]}]`` (positions;
    values as JSON holds them, None for missing), one pair per value of B. The rule must be seen to
    vary: at least two of C's values, each on a value of B held by ``_MIN_LINK_ROWS`` rows or more
    (a C that is constant, or differs only on values of B seen once or twice, is no rule). Parents
    with more values are tried first and a column set by another sets none, so C follows its
    parent in one step (when C follows B and D follows C, D follows B too). A one-hot group of
    ``groups`` may be B, as the categorical it stands for (its value: the position of the member
    holding the 1), never C; its members take no part on their own. A column of a missingness
    link (``links``) is read off a parent only where the pairs say more than the link (three values
    or more: a flag, or one value beside missing, is all it says); one whose missingness follows
    another, only where the pairs keep that too: the parent is the column it follows, or is missing
    on the same rows (:func:`kept_together` then settles which links go). The search gives up after
    ``_DERIVED_PAIRS_TOTAL`` column pairs: wide tables keep their other rules within seconds.
    Values a model file cannot hold (a ``Fraction``) make no rule.
    """
    follows = {link["column"]: link for link in links}
    in_links = set(follows) | {link["parent"] for link in links}
    grouped = {position for members in groups for position in members}
    usable = [p for p, spec in enumerate(specs) if p not in grouped and spec["kind"] in ("numeric", "categorical")
              and not spec.get("all_missing")]
    codes = {p: _factorize(frame.iloc[:, p], use_na_sentinel=False)[0] for p in usable}  # missing: a value too
    group_codes_, members_of = _as_categoricals(frame, groups)
    codes.update(group_codes_)
    n_values = {p: int(values.max()) + 1 if len(values) else 0 for p, values in codes.items()}

    def value(position: int, row: int):
        """Column (or group) ``position``'s value on ``row``, as a rule's pairs hold it."""
        if position in members_of:
            return members_of[position][codes[position][row]]
        return _json_value(frame.iloc[row, position])

    first = {member: members[0] for members in groups for member in members}

    def keeps_link(parent: int, child: int) -> bool:
        """Whether ``child``'s link holds in rows whose ``child`` is read off ``parent``."""
        link = follows[child]
        if first.get(link["parent"], link["parent"]) == parent:  # a member's link: the group's pairs keep it
            return True
        # The parent follows the same value of the same column by value (a twin, "sets"): where it
        # takes its linked value the child is missing, in decoded rows as in real ones.
        twin = follows.get(parent)
        if twin is not None and "sets" in twin and (twin["parent"], twin["value"]) == (link["parent"], link["value"]):
            return True
        # Missing on the parent's rows: the parent's own link (or the column it follows) keeps them.
        child_missing = frame.iloc[:, child].isna().to_numpy()
        return "sets" not in link and np.array_equal(child_missing, frame.iloc[:, parent].isna().to_numpy())

    parents = sorted((p for p in [*usable, *members_of] if n_values[p] > 1
                      and (p in members_of or specs[p]["kind"] == "categorical")), key=lambda p: (-n_values[p], p))
    children = [p for p in usable if n_values[p] > 1]
    rules, derived, setting, pairs_tried = [], set(), set(), 0  # setting: the parents of rules found
    for parent in parents:
        if pairs_tried >= _DERIVED_PAIRS_TOTAL:  # not one more parent's sort: columns x columns on wide tables
            break
        if parent in derived:
            continue
        # One run of rows per value of the parent, in the order of its codes (all of 0..n-1).
        order, starts = _runs(codes[parent])
        held = np.diff(np.r_[starts, len(order)])
        for child in children:
            if pairs_tried >= _DERIVED_PAIRS_TOTAL:
                break
            if child == parent or child in derived or child in setting or n_values[child] > n_values[parent]:
                continue
            pairs_tried += 1
            child_of, highest = _least_and_greatest(codes[child], order, starts)
            if np.any(child_of != highest):
                continue
            if len(np.unique(child_of[held >= _MIN_LINK_ROWS])) < 2:
                continue
            if child in in_links and n_values[child] < 3 or child in follows and not keeps_link(parent, child):
                continue
            first_rows = order[starts]
            try:
                pairs = [[value(parent, row), value(child, row)] for row in first_rows.tolist()]
            except DataValidationError:
                continue
            rules.append({"column": child, "parent": parent, "pairs": pairs})
            derived.add(child)
            setting.add(parent)
    return sorted(rules, key=lambda rule: rule["column"])


def find_implied_values(frame: pd.DataFrame, specs: list[dict], groups: list[list[int]], links: list[dict],
                        derived: list[dict]) -> list[dict]:
    """Values of a categorical column C that another categorical column B implies: "where B = b,
    C = c" on every real row with b (``_IMPLIED_MIN_ROWS`` at least, and too many to agree by
    chance: ``_IMPLIED_CHANCE``), for some values of B and not others (UCI Adult's relationship
    Husband and sex Male; Wife and Female; the other relationships say nothing of sex).

    Returns ``[{"column": c, "parent": b, "pairs": [[b's value, c's value], ...]}]`` (positions;
    values as JSON holds them), one rule per C: the parent whose implied values cover the most
    rows. A rule never pairs b with a value C does not hold on a real row with b. A one-hot group of
    ``groups`` takes part as the categorical it stands for, as B or C (relationship and sex as
    ``pd.get_dummies`` writes them; its value: the position of the member holding the 1), its
    members never on their own. Missing values, columns whose missingness a link sets (``links``) and
    columns read off another (``derived``) take no part; a C may set values of another column in
    turn (decoded after it), but no rule makes the columns' decoding wait on one another in a loop.
    """
    read_off = {rule["column"] for rule in derived}
    linked = {link["column"] for link in links}
    grouped = {position for members in groups for position in members}
    usable = [p for p, spec in enumerate(specs) if spec["kind"] == "categorical" and p not in grouped
              and p not in read_off and not spec.get("all_missing")]
    codes, values = {}, {}
    for position in usable:
        codes[position], values[position] = _factorize(frame.iloc[:, position])  # missing: -1
    group_codes_, members_of = _as_categoricals(frame, groups)
    codes.update(group_codes_)
    values.update(members_of)
    usable += list(members_of)
    # A value's share among the rows that hold a value: a follow-up question answered only where the
    # parent allows it would look rarer over all rows, and its agreement less of a coincidence than it is.
    shares = {p: np.bincount(codes[p][codes[p] >= 0], minlength=len(values[p])) / max(1, (codes[p] >= 0).sum())
              for p in usable}
    candidates, pairs_tried = [], 0
    for parent in usable:
        if pairs_tried >= _DERIVED_PAIRS_TOTAL:  # not one more parent's sort: columns x columns on wide tables
            break
        order, starts = _runs(codes[parent])
        values_run = codes[parent][order[starts]]  # each run's value of the parent (-1: missing)
        sizes = np.diff(np.r_[starts, len(order)])
        large = (sizes >= _IMPLIED_MIN_ROWS) & (values_run >= 0)
        if not large.any():
            continue
        for child in usable:
            if pairs_tried >= _DERIVED_PAIRS_TOTAL:
                break
            if child == parent or child in linked or len(values[child]) < 2:
                continue
            pairs_tried += 1
            low, high = _least_and_greatest(codes[child], order, starts)
            # Every row of the value has one value of C (none misses it), and chance would not do that.
            one = large & (low == high) & (low >= 0)
            one[one] = sizes[one] * -np.log(shares[child][low[one]]) >= -np.log(_IMPLIED_CHANCE)
            if one.any():
                pairs = list(zip(values_run[one].tolist(), low[one].tolist()))
                candidates.append((-int(sizes[one].sum()), child, parent, pairs))
    source = rule_sources(links, derived, groups)
    rules, children = [], set()
    for _, child, parent, pairs in sorted(candidates):
        # A chain (B sets C where C sets D) decodes in order, B first; only a loop cannot.
        if child in children or loop({**source, child: parent}):
            continue
        try:
            written = [[_json_value(values[parent][b]), _json_value(values[child][c])] for b, c in pairs]
        except DataValidationError:
            continue
        rules.append({"column": child, "parent": parent, "pairs": written})
        source[child] = parent
        children.add(child)
    return sorted(rules, key=lambda rule: rule["column"])


def rule_sources(links: list[dict], rules: list[dict], groups: list[list[int]]) -> dict[int, int]:
    """Each column a rule decodes from another column's value (``links``; ``rules``: columns read
    off another, implied values) -> the column it waits for. A one-hot group is decoded whole at its
    first member: a link following another member waits for the first (a group whose value is
    implied by the linked column would otherwise wait on it in a loop, unseen)."""
    first = {member: members[0] for members in groups for member in members}
    source = {link["column"]: first.get(link["parent"], link["parent"]) for link in links}
    source.update({rule["column"]: rule["parent"] for rule in rules})
    return source


def _runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows in the order of their ``codes`` (stable), and where each code's run of rows starts."""
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    return order, np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])


def _least_and_greatest(codes: np.ndarray, order: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Over each run of rows (see :func:`_runs`), the least and the greatest of ``codes``: one value
    throughout where the two are equal."""
    in_order = codes[order]
    return np.minimum.reduceat(in_order, starts), np.maximum.reduceat(in_order, starts)


def kept_together(links: list[dict], derived: list[dict]) -> tuple[list[dict], list[dict]]:
    """The missingness links and the columns read off another (see :func:`find_derived_columns`) to
    keep together: a link whose column is read off another, or whose column another is read off
    (within one pair), says what the pairs say and goes; and where links and pairs still loop
    (C read off B, whose missingness follows D, read off E, which follows C: four columns, each
    waiting for the next to be decoded), a pair on the loop goes, its links coming back."""
    derived = list(derived)
    while True:
        read_off = {rule["column"]: rule["parent"] for rule in derived}
        kept = [link for link in links if link["column"] not in read_off
                and read_off.get(link["parent"], link["parent"]) != link["column"]]
        cycle = loop({**{link["column"]: link["parent"] for link in kept}, **read_off})
        if not cycle:
            return kept, derived
        dropped = next(position for position in cycle if position in read_off)
        derived = [rule for rule in derived if rule["column"] != dropped]


def loop(source: dict[int, int]) -> list[int]:
    """Columns on a loop of ``source`` (each column -> the column it waits for), or []."""
    finished: set[int] = set()
    for start in source:
        path, on_path, position = [], set(), start
        while position in source and position not in finished and position not in on_path:
            path.append(position)
            on_path.add(position)
            position = source[position]
        if position in on_path:
            return path[path.index(position):]
        finished.update(path)
    return []


def _json_value(value):
    """A cell as a model file holds it: None where missing."""
    return None if pd.isna(value) else rule_scalar(value)


def rule_scalar(value):
    """A value as a rule holds it in a model file: a decimal as its float (the decoder gives a
    column of decimals its decimals back), anything else as :func:`json_scalar` stores it."""
    return float(value) if isinstance(value, decimal.Decimal) and value.is_finite() else json_scalar(value)


def _decodes_exactly(spec: dict, value) -> bool:
    """Whether decoded rows can hold exactly ``value`` (a numeric column: only at an exact mode)."""
    if spec["kind"] != "numeric":
        return True
    return any(std == 0 and mean == value for mean, std in zip(spec["means"], spec["stds"]))
