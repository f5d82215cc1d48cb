"""The figures of the HTML report, as base64 PNG: differences from none, per-class metrics, training
losses, and real vs added rows (marginals) or images (grids)."""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import pandas as pd

from gan_augment._listing import first_few
from gan_augment.data.layout import check_image_shape, from_nchw, to_nchw
from gan_augment.evaluation._prep import as_text, is_numeric, observed_floats
from gan_augment.evaluation._text import METRIC_NAMES, percent, rows_text, show
from gan_augment.evaluation._types import CLASS_METRICS, MIN_ROWS
from gan_augment.planner import plain_label


MAX_CLASS_PANELS = 12  # per-class panels of the per-class figure
MAX_MARGINAL_CLASSES = 8  # rows of the marginals / image grids
MAX_MARGINAL_COLUMNS = 12  # columns of the marginals figure
MAX_MARGINAL_PANELS = 36  # classes x columns drawn (each panel costs ~0.2-0.5 s to draw on a small CPU)
#: Characters of a user's text (a category, a class or column name) drawn in a figure: the figure is
#: cropped to what it draws, and a cell of 6,000 characters made a 6,466-pixel image of its tick labels.
MAX_LABEL_CHARS = 40


def render_figures(report) -> list:
    """``[(title, caption, base64 PNG)]`` of an :class:`~.report.AugmentationReport`; matplotlib is imported here.

    Figures are made with ``matplotlib.figure.Figure``, never pyplot, so they are drawn by the Agg
    renderer whatever the user's backend is, no window opens, and pyplot's global state is untouched.
    A figure that cannot show every class or column says in its caption what it left out and where
    the rest is.
    """
    import logging
    import warnings

    from gan_augment._warnings import catching_warnings

    # matplotlib's own notes are not the report's: a config folder it cannot write (it uses a temporary
    # one, said in two raw log lines, -q or not), a class name's character its font lacks (drawn as a
    # box, said once per figure, and under warnings-as-errors it lost a finished evaluation).
    logger = logging.getLogger("matplotlib")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        import matplotlib
        from matplotlib.figure import Figure

        # Labels are shown as written: matplotlib would read "$0-$25k" as mathematics (and fail on "x$_$y").
        with matplotlib.rc_context({"text.parse_math": False}), catching_warnings(record=True) as said:
            warnings.filterwarnings("ignore", category=UserWarning, message="Glyph .* missing from font")
            figures = _render_figures(Figure, report)
    finally:
        logger.setLevel(level)
    for warning in said:  # any other
        warnings.warn(warning.message, warning.category, stacklevel=2)
    return figures


def _render_figures(Figure, report) -> list:
    figures = []
    figures.append(("Differences from none", f"Paired differences from none with their "
                    f"{percent(report.settings['confidence'])} intervals (Nadeau-Bengio corrected t, clipped to "
                    "[-1, 1]); every metric, and the recall of every topped-up class.",
                    _png(_fig_deltas(Figure, report))))
    figure, note = _fig_per_class(Figure, report)
    figures.append(("Per-class metrics", "Mean precision, recall and F1 per class and method, with intervals "
                    f"(clipped to [0, 1]). {note}", _png(figure)))
    if report.histories:
        figures.append(("Training losses", "Discriminator and generator losses per epoch, one line per fold.",
                        _png(_fig_losses(Figure, report))))
    if report._marginals and report.settings.get("image_shape"):
        figure, note = _fig_images(Figure, report)
        figures.append(("Real vs synthetic images", "Real (top) and added (bottom) images of each topped-up class "
                        f"(first training fold). {note}", _png(figure)))
    elif report._marginals:
        figure, note = _fig_marginals(Figure, report)
        figures.append(("Real vs synthetic marginals", "Columns of the real and synthetic rows of each topped-up "
                        f"class (first training fold). {note}", _png(figure)))
    return figures


def _clipped(text) -> str:
    """``text`` (a user's category, class or column name) cut to :data:`MAX_LABEL_CHARS` for a figure."""
    text = str(text)
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "\u2026"


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def shown_note(what: str, shown: list, everything: list, where: str) -> str:
    """"Shown: all 5 classes." or "Shown: 8 of 12 classes; left out: 'a', 'b', ... (in ...)"."""
    if len(shown) >= len(everything):
        return f"Shown: all {what} ({len(everything)})."
    left = [show(item) for item in everything if item not in shown]
    return f"Shown: {len(shown)} of {len(everything)} {what}; left out: {first_few(left, 10)} ({where})."


def _fig_deltas(Figure, report):
    summary = report.summary[(report.summary["method"] != "none") & (report.summary["metric"] != "augment_time_s")]
    per_class = report.per_class[(report.per_class["method"] != "none") & (report.per_class["metric"] == "recall")
                                 & report.per_class["class"].isin(report.settings["classes"])]
    rows = [(f"{r['method']}: {METRIC_NAMES[r['metric']]}{' (primary)' if r.get('primary') else ''}", r["delta"],
             r["ci_low"], r["ci_high"]) for r in summary.to_dict(orient="records")]
    rows += [(f"{r['method']}: recall of {_clipped(show(r['class']))}", r["delta"], r["ci_low"], r["ci_high"])
             for r in per_class.to_dict(orient="records")]
    figure = Figure(figsize=(7, 0.35 * len(rows) + 1.2))
    ax = figure.subplots()
    for i, (_, delta, low, high) in enumerate(rows):
        if np.isfinite(low):
            ax.plot([low, high], [i, i], color="tab:blue", lw=2)
        ax.plot([delta], [i], "o", color="tab:blue")
    ax.axvline(0, color="grey", lw=1, ls="--")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    reach = max([abs(v) for _, *values in rows for v in values if np.isfinite(v)] + [0.05])
    ax.set_xlim(-min(1.0, reach) * 1.08, min(1.0, reach) * 1.08)  # a difference of rates lies in [-1, 1]
    ax.set_xlabel("difference from none")
    return figure


def _fig_per_class(Figure, report):
    """Precision, recall and F1 of every class (topped-up classes first), up to MAX_CLASS_PANELS panels."""
    frame = report.per_class
    everything = list(dict.fromkeys(report.settings["classes"] + list(frame["class"])))
    classes = everything[:MAX_CLASS_PANELS]
    methods = list(dict.fromkeys(frame["method"]))
    per_row = min(4, len(classes))
    n_rows = -(-len(classes) // per_row)
    figure = Figure(figsize=(4 * per_row, 3.2 * n_rows))
    axes = np.atleast_1d(figure.subplots(n_rows, per_row, sharey=True, squeeze=False)).ravel()
    width = 0.8 / len(methods)
    for ax, label in zip(axes, classes):
        for j, method in enumerate(methods):
            part = frame[(frame["class"] == label) & (frame["method"] == method)].set_index("metric")
            means = [part.loc[m, "mean"] for m in CLASS_METRICS]
            ax.bar(np.arange(3) + j * width, means, width, yerr=_error_bars(part), capsize=2, label=method)
        ax.set_xticks(np.arange(3) + width * (len(methods) - 1) / 2, [METRIC_NAMES[m] for m in CLASS_METRICS])
        ax.set_title(f"class {_clipped(show(label))}{_rows_note(frame, label)}", fontsize=9)
        ax.set_ylim(0, 1.05)
    for ax in axes[len(classes):]:
        ax.axis("off")
    figure.subplots_adjust(hspace=0.35)
    axes[len(classes) - 1].legend(fontsize=7, loc="lower right")
    return figure, shown_note("classes", classes, everything, "every class is in the Per class table and in the "
                              "JSON report's per_class")


def _rows_note(frame: pd.DataFrame, label) -> str:
    """" (8 test rows/fold: few)" beside a class whose scores rest on fewer than MIN_ROWS rows."""
    if "n_rows" not in frame:
        return ""
    rows = frame.loc[frame["class"] == label, "n_rows"]
    n = float(rows.iloc[0]) if len(rows) else math.nan
    if not np.isfinite(n):
        return ""
    return f" ({rows_text(n)} test rows/fold{': few' if n < MIN_ROWS else ''})"


def _error_bars(part: pd.DataFrame) -> list:
    """``[below, above]`` the means, from intervals already clipped to [0, 1]: the bars stay on the axis."""
    below, above = [], []
    for m in CLASS_METRICS:
        mean, low, high = part.loc[m, "mean"], part.loc[m, "mean_low"], part.loc[m, "mean_high"]
        below.append(max(0.0, mean - max(low, 0.0)) if np.isfinite(low) else 0.0)
        above.append(max(0.0, min(high, 1.0) - mean) if np.isfinite(high) else 0.0)
    return [below, above]


def _fig_losses(Figure, report):
    figure = Figure(figsize=(7, 3))
    ax = figure.subplots()
    for i, history in enumerate(report.histories):
        epochs = [r.get("epoch", k + 1) for k, r in enumerate(history)]
        # Markers where a history is one epoch long: a line of one point draws nothing.
        marker = "o" if len(history) == 1 else None
        ax.plot(epochs, [r.get("loss_d", np.nan) for r in history], color="tab:red", alpha=0.5, marker=marker,
                label="discriminator" if i == 0 else None)
        ax.plot(epochs, [r.get("loss_g", np.nan) for r in history], color="tab:blue", alpha=0.5, marker=marker,
                label="generator" if i == 0 else None)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    return figure


def _marginal_classes(report) -> tuple[list, str]:
    everything = list(report._marginals)
    shown = everything[:MAX_MARGINAL_CLASSES]
    return shown, shown_note("topped-up classes", shown, everything, "their fidelity and per-column distances are "
                             "in the tables and in the JSON report's fidelity and column_distances")


def _fig_images(Figure, report, per_row=8):
    shape = check_image_shape(report.settings["image_shape"])
    channels = shape[0]
    labels, note = _marginal_classes(report)
    items = [(label, report._marginals[label]) for label in labels]
    figure = Figure(figsize=(per_row * 0.9, 2 * 0.9 * len(items) + 0.3))
    axes = np.array(figure.subplots(2 * len(items), per_row, squeeze=False))
    for row, (label, pair) in enumerate(items):
        # One scale for the real and the synthetic row of a class: scaled apart, synthetic images
        # ten times darker than the real ones looked just like them.
        shown = [rows.to_numpy(dtype=float)[:per_row] for rows in pair]
        values = np.concatenate([p.ravel() for p in shown])
        low, high = (np.nanmin(values), np.nanmax(values)) if values.size else (0.0, 1.0)
        for offset, (kind, pixels) in enumerate(zip(("real", "synthetic"), shown)):
            # The evaluator's image rows are flat (N, C*H*W); matplotlib draws (H, W, C).
            images = from_nchw(to_nchw((pixels - low) / (high - low or 1), "flat", shape), "nhwc")
            for col in range(per_row):
                ax = axes[2 * row + offset, col]
                ax.axis("off")
                if col < len(images):
                    image = images[col]
                    ax.imshow(image[..., 0] if channels == 1 else image, cmap="gray", vmin=0, vmax=1)
            axes[2 * row + offset, 0].set_title(f"{kind} {_clipped(show(label))}", fontsize=7, loc="left")
    figure.tight_layout()
    return figure, note


def _marginal_columns(report, columns: list, n_classes: int) -> tuple[list, str]:
    """The columns to draw: the augmenter's worst-matched first (largest distance), up to
    MAX_MARGINAL_COLUMNS and MAX_MARGINAL_PANELS in all (at least 4 a class)."""
    distances = report.column_distances
    if len(distances) and {"method", "column", "distance"} <= set(distances.columns):
        mine = distances[distances["method"] == report.settings.get("augmenter")]
        worst = mine.groupby("column")["distance"].max().to_dict() if len(mine) else {}

        def rank(column) -> float:
            distance = worst.get(plain_label(column), math.nan)
            return -distance if np.isfinite(distance) else math.inf

        columns = sorted(columns, key=rank)
    shown = columns[:max(4, min(MAX_MARGINAL_COLUMNS, MAX_MARGINAL_PANELS // max(n_classes, 1)))]
    note = shown_note("columns", shown, columns, "the best-matched ones; the distance of every column is in the "
                      "JSON report's column_distances")
    if len(shown) < len(columns):
        note += " Columns are drawn worst-matched first."
    return shown, note


def _fig_marginals(Figure, report):
    labels, class_note = _marginal_classes(report)
    items = [(label, report._marginals[label]) for label in labels]
    columns, column_note = _marginal_columns(report, list(max((real.columns for _, (real, _) in items), key=len)),
                                             len(items))
    figure = Figure(figsize=(2.6 * len(columns), 2.3 * len(items)))
    axes = np.array(figure.subplots(len(items), len(columns), squeeze=False))
    for row, (label, (real, synthetic)) in enumerate(items):
        for col, column in enumerate(columns):
            _draw_marginal(axes[row, col], real[column], synthetic[column])
            axes[row, col].set_title(f"{_clipped(column)} ({_clipped(show(label))})", fontsize=8)
        axes[row, 0].legend(fontsize=6)
    figure.subplots_adjust(hspace=0.6, wspace=0.3)  # not tight_layout: it costs a full extra draw
    return figure, f"{class_note} {column_note}"


def _bin_edges(values: np.ndarray) -> np.ndarray:
    """20 equal bins over ``values``; where float64 cannot split their range in 20 at their size
    (16-digit codes 10**16 + 0..3, a constant 1e17: numpy's "Too many bins for data range"), one bin
    a distinct value."""
    if not len(values):
        return np.linspace(0, 1, 11)
    try:
        return np.histogram_bin_edges(values, bins=20)
    except ValueError:
        distinct = np.unique(values)
        return np.append(distinct, np.nextafter(distinct[-1], np.inf))


def _draw_marginal(ax, real: pd.Series, synthetic: pd.Series) -> None:
    if is_numeric(real):
        a, b = observed_floats(real), observed_floats(synthetic)
        bins = _bin_edges(np.concatenate([a, b]))
        for sample, name in ((a, "real"), (b, "synthetic")):
            if len(sample):  # stairs draws one patch where hist draws one a bin: much faster
                # Each bin's share of the rows, not a density: divided by widths of 1e-320 (a column of
                # subnormal numbers, or one bin a value) a density overflowed.
                shares = np.histogram(sample, bins=bins)[0] / len(sample)
                ax.stairs(shares, bins, fill=True, alpha=0.5, label=name)
    else:
        a = pd.Series(as_text(real.to_frame())[:, 0]).value_counts(normalize=True)
        b = pd.Series(as_text(synthetic.to_frame())[:, 0]).value_counts(normalize=True)
        cats = list(a.index.union(b.index))[:10]
        x = np.arange(len(cats))
        ax.bar(x - 0.2, a.reindex(cats, fill_value=0), 0.4, label="real")
        ax.bar(x + 0.2, b.reindex(cats, fill_value=0), 0.4, label="synthetic")
        ax.set_xticks(x, [_clipped(cat) for cat in cats], rotation=45, fontsize=6, ha="right")
    ax.tick_params(labelsize=6)
