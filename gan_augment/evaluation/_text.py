"""The report's words and tables: number formats, Markdown / HTML tables, the settings sentence,
and JSON-safe values. Shared by the report, its verdict and its figures."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd

from gan_augment.evaluation._types import MIN_ROWS
from gan_augment.planner import plain_label

METRIC_NAMES = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "macro_f1": "macro-F1",
                "pr_auc": "PR-AUC", "augment_time_s": "augment time (s)", "precision": "precision",
                "recall": "recall", "f1": "F1"}


def pivot(frame: pd.DataFrame, keys, *, alpha: float = 0.05, primary=None) -> pd.DataFrame:
    """One row per ``keys``, one column per metric: "mean (+delta [low, high])", a * when the
    Holm-adjusted p is below ``alpha``; the primary metric's column says so; then the rows each
    score rests on, and a caveat where they are few."""
    rows: dict[tuple, dict[str, str]] = {}
    counts: dict[tuple, dict[str, str]] = {}
    for record in frame.to_dict(orient="records"):
        key = tuple(record[k] for k in keys)
        name = METRIC_NAMES.get(record["metric"], record["metric"])
        if record["metric"] == primary:
            name += " (primary)"
        rows.setdefault(key, {})[name] = fmt(record["mean"]) + _delta_cell(record, alpha)
        counted = "n_rows" in record and np.isfinite(record["n_rows"])
        note = record.get("caveat") or ""
        if counted or note:  # (a metric not computed has a note and no rows)
            # The rows of the key's first metric; the caveats of all of them (PR-AUC's are its positives).
            entry = counts.setdefault(key, {"rows": "", "caveat": ""})
            if counted and not entry["rows"]:
                entry["rows"] = rows_text(record["n_rows"])
            if note and note not in entry["caveat"]:
                entry["caveat"] = "; ".join(filter(None, (entry["caveat"], note)))
    return pd.DataFrame([{**dict(zip(keys, (show_cell(k, label=True) for k in key))), **cells, **counts.get(key, {})}
                         for key, cells in rows.items()])


def _delta_cell(record: dict, alpha: float) -> str:
    if record["method"] == "none" or record["metric"] == "augment_time_s" or not np.isfinite(record["delta"]):
        return ""  # (nothing to compare where a metric could not be computed, e.g. PR-AUC without scores)
    star = "*" if np.isfinite(record.get("p_holm", math.nan)) and record["p_holm"] < alpha else ""
    interval = (f" [{record['ci_low']:+.3f}, {record['ci_high']:+.3f}]" if np.isfinite(record["ci_low"]) else "")
    return f" ({record['delta']:+.3f}{interval}){star}"


def caveat(counts: dict) -> str:
    """"few rows: 5 synthetic (< 30)" for the counts below :data:`MIN_ROWS`; "" when there are none."""
    few = [counted(n, what) for what, n in counts.items() if n is not None and np.isfinite(n) and n < MIN_ROWS]
    return f"few rows: {', '.join(few)} (< {MIN_ROWS})" if few else ""


def with_caveats(frame: pd.DataFrame, *columns: tuple[str, str]) -> pd.DataFrame:
    """``frame`` with a ``caveat`` column from its row counts (``(column, what)`` pairs)."""
    if frame.empty:
        return frame
    out = frame.copy()
    present = [(column, what) for column, what in columns if column in out.columns]
    out["caveat"] = [caveat({what: float(row[column]) for column, what in present})
                     for row in out.to_dict(orient="records")]
    return out


def counted(n, what: str) -> str:
    """``"5 test rows per fold"``, and ``"1 test row per fold"`` (it read "1 test rows")."""
    text = rows_text(n)
    if text == "1":
        what = re.sub(r"\brows\b", "row", what, count=1)
    return f"{text} {what}"


def rows_text(n) -> str:
    """A mean count of rows, as every table, note and figure gives it: whole when it is whole, else
    to one decimal (two below 10), with more where rounding would make it whole: 29.96 beside
    "< 30" reads 29.96, not 30.0."""
    n = float(n)
    if n == round(n):
        return f"{n:.0f}"
    decimals = 2 if abs(n) < 10 else 1
    text = f"{n:.{decimals}f}"
    while float(text) == round(float(text)) and decimals < 6:
        decimals += 1
        text = f"{n:.{decimals}f}"
    return text.rstrip("0")


def fmt(value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return f"{value:.3f}"


def fmt_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if column in ("class", "column", "worst_column"):  # a label, as written: a class 1.0 is not a score of 1.000
            out[column] = [show_cell(v, label=True) for v in out[column]]
            continue
        if column == "caveat":  # prose, never a name to tell apart
            out[column] = [show_cell(v) for v in out[column]]
            continue
        # A count (n_synthetic, ...) made float by a missing cell beside it is still a count: 11, not 11.000.
        count = str(column).startswith("n_")
        out[column] = [(rows_text(v) if count and isinstance(v, (float, np.floating)) and np.isfinite(v) else
                        fmt(v) if isinstance(v, (float, np.floating)) else show_cell(v, label=True))
                       for v in out[column]]
    return out


def show_cell(value, *, label: bool = False) -> str:
    """A table cell's text, as written. A ``label`` is quoted where its blanks are part of what
    tells it from another (" a b", "a  b", a tab; or no text at all): Markdown collapses and trims
    them (the sentences quote every label). A line break is kept: Markdown tables write it ``<br>``."""
    value = plain_label(value)
    if label and isinstance(value, str) and (value.strip() != value or _SPACES_THAT_COLLAPSE.search(value)
                                             or not value):
        return repr(value)
    return "-" if value is None else str(value)


_SPACES_THAT_COLLAPSE = re.compile(r"[^\S\n\r]{2}|[^\S \n\r]")  # two blanks in a row, or a tab (any blank but a space)


def markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(none)"
    header = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(_markdown_cell(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_markdown_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _markdown_cell(value) -> str:
    """A cell's text that cannot break its table row (a ``|`` would end the cell, a line break the
    row) and reads as written (:func:`markdown_text`)."""
    text = markdown_text(str(value)).replace("|", "\\|")
    return "<br>".join(text.splitlines()) if "\n" in text or "\r" in text else text


# What Markdown would read as formatting in a label or column name: a backslash, code, emphasis,
# a link's or image's brackets, strikethrough, the start of an HTML tag or entity; an underscore
# only at a word's edge (snake_case names stay as they are), a "<" only before what opens a tag
# (Adult's "<=50K" stays as it is).
_MARKDOWN_SPECIAL = re.compile(r"[\\`*&\[\]~]|<(?=[A-Za-z/!?])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def markdown_text(text: str) -> str:
    """``text`` backslash-escaped where Markdown would format it: a class ``_rare_`` or ``<other>``
    shows as written, not as emphasis or a (hidden) HTML tag."""
    return _MARKDOWN_SPECIAL.sub(lambda found: "\\" + found.group(), text)


def html_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def settings_text(settings: dict) -> str:
    counts = ", ".join(f"{show(k)} {v:,}" for k, v in settings["class_counts"].items())
    how = (f"{settings['cv']}-fold stratified cross-validation x {settings['repeats']} "
           f"repeat{'s' if settings['repeats'] != 1 else ''}"
           if settings.get("cv") else f"{settings['n_folds']} folds of the given splitter")
    # An under-sampler (RandomUnderSampler) reduces the other classes: the baselines top these up.
    removes = (f" (by the baselines; {settings['augmenter']} removes rows instead)"
               if settings.get("augmenter_removes_rows") else "")
    return (f"{settings['n_rows']:,} rows ({counts}); classes topped up: "
            f"{', '.join(show(c) for c in settings['classes'])}{removes}; estimator: {settings['estimator']}; {how}; "
            f"methods: {', '.join(settings['methods'])}. Every augmenter was fitted inside each training fold only; "
            f"test folds are 100% real. Decision rule: {METRIC_NAMES.get(str(settings.get('metric')), '?')} is the "
            f"primary metric, chosen before the run; significance at {significance(settings.get('alpha', 0.05))} "
            f"after Holm correction; other metrics are supporting evidence. Intervals: "
            f"{percent(settings['confidence'])} {settings['interval']}."
            + (f" Seed: random_state={settings['random_state']} (--seed)."
               if settings.get("random_state") is not None else "")
            + (f" {settings['augmenter']} added no rows to any training fold: its scores are those of none."
               if settings.get("augmenter_added_nothing") else "")
            + (f" Fidelity and privacy not measured for {', '.join(settings['not_inspected'])}: "
               f"{'each' if len(settings['not_inspected']) > 1 else 'it'} changed or removed training rows, so the "
               "added rows cannot be told from the real ones."
               if settings.get("not_inspected") else ""))


def percent(level: float) -> str:
    """A confidence level as a percentage with the digits it has: 95%, 97.5%, 99.9% (``:.0%``
    showed 0.999 as 100%, and ``.4g`` 0.99995)."""
    digits = 4
    while float(f"{100 * float(level):.{digits}g}") >= 100 > 100 * float(level):
        digits += 1  # 0.99995 is not a 100% interval
    return f"{100 * float(level):.{digits}g}%"


def significance(alpha: float) -> str:
    """The significance level with the digits it has, as :func:`percent` says the confidence
    (``:.2g`` showed 0.0475 as 0.048, while the rule tested 0.0475)."""
    return f"{float(alpha):.4g}"


def show(label) -> str:
    label = plain_label(label)
    return repr(label) if isinstance(label, str) else str(label)




def jsonable(value):
    if isinstance(value, dict):
        return {str(plain_label(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    value = plain_label(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def records(frame: pd.DataFrame) -> list:
    return [jsonable(record) for record in frame.to_dict(orient="records")]
