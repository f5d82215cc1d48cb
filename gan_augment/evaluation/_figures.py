"""The figures of the HTML report, as base64 PNG: differences from none, per-class metrics, training
losses, and real vs added rows (marginals) or images (grids)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd

from gan_augment.data.layout import check_image_shape, from_nchw, to_nchw
from gan_augment.evaluation._prep import as_text, is_numeric
from gan_augment.evaluation._text import METRIC_NAMES, show
from gan_augment.evaluation._types import CLASS_METRICS


def render_figures(report) -> list:
    """``[(title, caption, base64 PNG)]`` of an :class:`~.report.AugmentationReport`; matplotlib is imported here.

    Figures are made with ``matplotlib.figure.Figure``, never pyplot, so they are drawn by the Agg
    renderer whatever the user's backend is, no window opens, and pyplot's global state is untouched.
    """
    from matplotlib.figure import Figure

    figures = []
    figures.append(("Differences from none", f"Paired differences from none with their "
                    f"{report.settings['confidence']:.0%} intervals (Nadeau-Bengio corrected t).",
                    _png(_fig_deltas(Figure, report))))
    figures.append(("Per-class metrics", "Mean precision, recall and F1 per class and method, with intervals.",
                    _png(_fig_per_class(Figure, report))))
    if report.histories:
        figures.append(("Training losses", "Discriminator and generator losses per epoch, one line per fold.",
                        _png(_fig_losses(Figure, report))))
    if report._marginals and report.settings.get("image_shape"):
        figures.append(("Real vs synthetic images", "Real (top) and added (bottom) images of each topped-up class "
                        "(first training fold).", _png(_fig_images(Figure, report))))
    elif report._marginals:
        figures.append(("Real vs synthetic marginals", "Columns of the real and synthetic rows of each topped-up "
                        "class (first training fold).", _png(_fig_marginals(Figure, report))))
    return figures


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _fig_deltas(Figure, report):
    summary = report.summary[(report.summary["method"] != "none") & (report.summary["metric"] != "augment_time_s")]
    per_class = report.per_class[(report.per_class["method"] != "none") & (report.per_class["metric"] == "recall")
                                 & report.per_class["class"].isin(report.settings["classes"])]
    rows = [(f"{r['method']}: {METRIC_NAMES[r['metric']]}", r["delta"], r["ci_low"], r["ci_high"])
            for r in summary.to_dict(orient="records")]
    rows += [(f"{r['method']}: recall of {show(r['class'])}", r["delta"], r["ci_low"], r["ci_high"])
             for r in per_class.to_dict(orient="records")]
    figure = Figure(figsize=(7, 0.35 * len(rows) + 1.2))
    ax = figure.subplots()
    for i, (_, delta, low, high) in enumerate(rows):
        ax.plot([low, high], [i, i], color="tab:blue", lw=2)
        ax.plot([delta], [i], "o", color="tab:blue")
    ax.axvline(0, color="grey", lw=1, ls="--")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("difference from none")
    return figure


def _fig_per_class(Figure, report):
    frame = report.per_class
    classes = list(dict.fromkeys(report.settings["classes"] + list(frame["class"])))[:4]
    methods = list(dict.fromkeys(frame["method"]))
    figure = Figure(figsize=(4 * len(classes), 3.2))
    axes = np.atleast_1d(figure.subplots(1, len(classes), sharey=True))
    width = 0.8 / len(methods)
    for ax, label in zip(axes, classes):
        for j, method in enumerate(methods):
            part = frame[(frame["class"] == label) & (frame["method"] == method)].set_index("metric")
            means = [part.loc[m, "mean"] for m in CLASS_METRICS]
            low = [max(0.0, part.loc[m, "mean"] - part.loc[m, "mean_low"]) if np.isfinite(part.loc[m, "mean_low"])
                   else 0.0 for m in CLASS_METRICS]
            high = [max(0.0, part.loc[m, "mean_high"] - part.loc[m, "mean"]) if np.isfinite(part.loc[m, "mean_high"])
                    else 0.0 for m in CLASS_METRICS]
            ax.bar(np.arange(3) + j * width, means, width, yerr=[low, high], capsize=2, label=method)
        ax.set_xticks(np.arange(3) + width * (len(methods) - 1) / 2, [METRIC_NAMES[m] for m in CLASS_METRICS])
        ax.set_title(f"class {show(label)}", fontsize=9)
        ax.set_ylim(0, 1.05)
    axes[-1].legend(fontsize=7, loc="lower right")
    return figure


def _fig_losses(Figure, report):
    figure = Figure(figsize=(7, 3))
    ax = figure.subplots()
    for i, history in enumerate(report.histories):
        epochs = [r.get("epoch", k + 1) for k, r in enumerate(history)]
        ax.plot(epochs, [r.get("loss_d", np.nan) for r in history], color="tab:red", alpha=0.5,
                label="discriminator" if i == 0 else None)
        ax.plot(epochs, [r.get("loss_g", np.nan) for r in history], color="tab:blue", alpha=0.5,
                label="generator" if i == 0 else None)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    return figure


def _fig_images(Figure, report, per_row=8):
    shape = check_image_shape(report.settings["image_shape"])
    channels = shape[0]
    items = list(report._marginals.items())[:3]
    figure = Figure(figsize=(per_row * 0.9, 2 * 0.9 * len(items) + 0.3))
    axes = np.array(figure.subplots(2 * len(items), per_row, squeeze=False))
    for row, (label, pair) in enumerate(items):
        for offset, (kind, rows) in enumerate(zip(("real", "synthetic"), pair)):
            pixels = rows.to_numpy(dtype=float)[:per_row]
            low, high = np.nanmin(pixels), np.nanmax(pixels)
            # The evaluator's image rows are flat (N, C*H*W); matplotlib draws (H, W, C).
            images = from_nchw(to_nchw((pixels - low) / (high - low or 1), "flat", shape), "nhwc")
            for col in range(per_row):
                ax = axes[2 * row + offset, col]
                ax.axis("off")
                if col < len(images):
                    image = images[col]
                    ax.imshow(image[..., 0] if channels == 1 else image, cmap="gray", vmin=0, vmax=1)
            axes[2 * row + offset, 0].set_title(f"{kind} {show(label)}", fontsize=7, loc="left")
    figure.tight_layout()
    return figure


def _fig_marginals(Figure, report):
    items = list(report._marginals.items())[:3]
    n_columns = min(6, max(len(real.columns) for _, (real, _) in items))
    figure = Figure(figsize=(2.6 * n_columns, 2.3 * len(items)))
    axes = np.array(figure.subplots(len(items), n_columns, squeeze=False))
    for row, (label, (real, synthetic)) in enumerate(items):
        for col, column in enumerate(list(real.columns)[:n_columns]):
            ax = axes[row, col]
            if is_numeric(real[column]):
                a = pd.to_numeric(real[column], errors="coerce").dropna()
                b = pd.to_numeric(synthetic[column], errors="coerce").dropna()
                values = pd.concat([a, b])
                bins = np.histogram_bin_edges(values, bins=20) if len(values) else 10
                ax.hist(a, bins=bins, density=True, alpha=0.5, label="real")
                ax.hist(b, bins=bins, density=True, alpha=0.5, label="synthetic")
            else:
                a = pd.Series(as_text(real[[column]])[:, 0]).value_counts(normalize=True)
                b = pd.Series(as_text(synthetic[[column]])[:, 0]).value_counts(normalize=True)
                cats = list(a.index.union(b.index))[:10]
                x = np.arange(len(cats))
                ax.bar(x - 0.2, a.reindex(cats, fill_value=0), 0.4, label="real")
                ax.bar(x + 0.2, b.reindex(cats, fill_value=0), 0.4, label="synthetic")
                ax.set_xticks(x, cats, rotation=45, fontsize=6, ha="right")
            ax.set_title(f"{column} ({show(label)})", fontsize=8)
            ax.tick_params(labelsize=6)
        axes[row, 0].legend(fontsize=6)
    figure.tight_layout()
    return figure
