"""AugmentationReport: the numbers, a verdict in plain words, and Markdown / HTML / JSON renderings.

matplotlib is imported only when an HTML report is rendered, with the Agg backend (no display).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from gan_augment._fs import atomic_path
from gan_augment.evaluation.stats import METHOD_NAME, corrected_interval
from gan_augment.evaluation.utility import AUGMENTER, CLASS_METRICS, OVERALL_METRICS

METRIC_NAMES = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "macro_f1": "macro-F1",
                "pr_auc": "PR-AUC", "augment_time_s": "augment time (s)", "precision": "precision",
                "recall": "recall", "f1": "F1"}


class AugmentationReport:
    """The result of :func:`gan_augment.evaluate_augmentation`.

    Attributes
    ----------
    summary : DataFrame
        One row per (method, metric): ``mean`` over folds with its interval (``mean_low``,
        ``mean_high``), and the paired difference from "none" (``delta``, ``ci_low``, ``ci_high``).
        Metrics: accuracy, balanced_accuracy, macro_f1, pr_auc (binary targets), augment_time_s
        (seconds spent fitting the augmenter / baseline and resampling, per fold).
    per_class : DataFrame
        The same for precision, recall and F1 of every class.
    folds : DataFrame
        The raw per-fold scores of every method.
    fidelity : DataFrame
        Per (method, class), on the first training fold: C2ST AUC (0.5 is ideal), mean and worst
        per-column distance (KS / total variation), correlation difference.
    column_distances : DataFrame
        The per-column distances behind ``fidelity``.
    image_quality : DataFrame
        Images only (an augmenter fitted with ``image_shape``): per class, on the first training
        fold, the added images judged by a CNN trained on the real training images -- label
        fidelity, Frechet distance to the test images with its real and blurred references, k-NN
        precision and recall (see :func:`gan_augment.image_quality`). Empty for tables.
    privacy : DataFrame
        Per (method, class): median distance to the closest training record of the synthetic rows
        and of held-out real rows, the share of near copies and of exact copies.
    verdict : str
        The answer in plain words; when the augmenter under test did not help, that comes first.
    settings : dict
        How the evaluation was run (folds, repeats, estimator, classes, interval method).
    histories : list of list of dict
        The augmenter's per-epoch training records (``history_``), one list per fold.
    """

    def __init__(self, *, summary, per_class, folds, fidelity, column_distances, privacy, verdict, settings,
                 histories, marginals=None, image_quality=None):
        self.summary = summary
        self.per_class = per_class
        self.folds = folds
        self.fidelity = fidelity
        self.column_distances = column_distances
        self.privacy = privacy
        self.verdict = verdict
        self.settings = settings
        self.histories = histories
        self.image_quality = image_quality if image_quality is not None else pd.DataFrame()
        self._marginals = marginals or {}

    def __repr__(self):
        return f"AugmentationReport({self.verdict!r})"

    def __str__(self):
        return self.to_markdown()

    # ------------------------------------------------------------------ renderings
    def to_markdown(self) -> str:
        """The report as Markdown: verdict, settings and tables."""
        lines = ["# Augmentation report", "", f"**Verdict.** {self.verdict}", "", _settings_text(self.settings), ""]
        for title, note, table in self._tables():
            lines += [f"## {title}", "", note, "", _markdown_table(table), ""]
        return "\n".join(lines).rstrip() + "\n"

    def to_json(self, path=None, *, indent=2) -> str:
        """The report as JSON (NaN as null); written atomically to ``path`` when given."""
        document = {
            "verdict": self.verdict,
            "settings": _jsonable(self.settings),
            "summary": _records(self.summary),
            "per_class": _records(self.per_class),
            "fidelity": _records(self.fidelity),
            "column_distances": _records(self.column_distances),
            "privacy": _records(self.privacy),
            "image_quality": _records(self.image_quality),
            "folds": _records(self.folds),
            "histories": _jsonable(self.histories),
        }
        text = json.dumps(document, indent=indent, allow_nan=False)
        if path is not None:
            _write_text(path, text)
        return text

    def to_html(self, path=None) -> str:
        """A self-contained HTML page (plots embedded as base64 PNG); written atomically to ``path``."""
        figures = render_figures(self)
        parts = [
            "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<title>gan-augment: augmentation report</title>", f"<style>{_CSS}</style>", "</head><body>",
            "<h1>Augmentation report</h1>",
            f"<p class=\"verdict\"><strong>Verdict.</strong> {html.escape(self.verdict)}</p>",
            f"<p class=\"settings\">{html.escape(_settings_text(self.settings))}</p>",
        ]
        for title, caption, png in figures:
            parts += [f"<h2>{html.escape(title)}</h2>",
                      f"<figure><img alt=\"{html.escape(title)}\" src=\"data:image/png;base64,{png}\">"
                      f"<figcaption>{html.escape(caption)}</figcaption></figure>"]
        for title, note, table in self._tables():
            parts += [f"<h2>{html.escape(title)}</h2>", f"<p>{html.escape(note)}</p>", _html_table(table)]
        parts += ["</body></html>"]
        text = "\n".join(parts) + "\n"
        if path is not None:
            _write_text(path, text)
        return text

    # ------------------------------------------------------------------ tables
    def _tables(self):
        conf = f"{self.settings['confidence']:.0%}"
        tables = [
            ("Summary", f"Mean over folds; for each method but none, the paired difference from none and its "
                        f"{conf} interval in brackets.", _pivot(self.summary, ["method"])),
            ("Per class", "Precision, recall and F1 of every class; difference from none and interval in brackets.",
             _pivot(self.per_class, ["method", "class"])),
        ]
        if len(self.fidelity):
            table = self.fidelity[["method", "class", "n_real", "n_synthetic", "c2st_auc", "mean_column_distance",
                                   "worst_column", "worst_column_distance", "correlation_difference"]]
            tables.append(("Fidelity of the added rows (first training fold)",
                           "C2ST AUC: a random forest telling real from added rows of the class (0.5 = "
                           "indistinguishable, 1.0 = always told apart; well below 0.5 means copies of real rows). Column distance: Kolmogorov-Smirnov "
                           "(numeric) or total variation (categorical), 0 is ideal. Correlation difference: mean "
                           "absolute difference of the numeric columns' correlations.", _fmt_frame(table)))
        if len(self.image_quality):
            tables.append(("Quality of the added images (first training fold)",
                           "Judged by a CNN trained on the real training images. Label fidelity: share of the "
                           "added images of the class that it assigns to the class. Frechet distance to the test "
                           "images of the class in its features, next to that of real training images (the "
                           "floor) and of blurred ones (a poor generator). k-NN precision (added images inside "
                           "the real manifold) and recall (real images inside the added manifold).",
                           _fmt_frame(self.image_quality)))
        if len(self.privacy):
            tables.append(("Privacy of the added rows (first training fold)",
                           "Distance to the closest training record (DCR) of the added rows and of held-out real "
                           "rows of the class. Near copies: added rows closer to a training row than 95% of "
                           "held-out real rows are (about 0.05 expected for new rows); exact copies: DCR = 0.",
                           _fmt_frame(self.privacy)))
        return tables


# ============================================================================ building
def build_report(plan, results) -> AugmentationReport:
    from gan_augment.evaluation.utility import paired

    results = sorted(results, key=lambda r: r["index"])
    names = method_names(plan)
    rows = []
    for fold in results:
        for method in plan.methods:
            rows.append({"repeat": fold["repeat"], "fold": fold["fold"], "method": names[method],
                         **fold["scores"][method], "augment_time_s": fold["augment_time_s"][method],
                         "fit_time_s": fold["fit_time_s"][method], "n_added": fold["n_added"][method]})
    folds = pd.DataFrame(rows)
    metrics = [m for m in OVERALL_METRICS if m != "pr_auc" or plan.binary] + ["augment_time_s"]
    summary_rows, class_rows = [], []

    def overall(metric):
        if metric == "augment_time_s":
            def key(fold, method):
                return fold["augment_time_s"][method]
            key.timing = True
            return key
        return lambda fold, method: fold["scores"][method][metric]

    def by_class(label, metric):
        return lambda fold, method: fold["class_scores"][method][label][metric]

    for method in plan.methods:
        for metric in metrics:
            summary_rows.append({"method": names[method], "metric": metric,
                                 **_stats(plan, results, method, overall(metric), paired)})
        for label in plan.labels:
            for metric in CLASS_METRICS:
                class_rows.append({"method": names[method], "class": label, "metric": metric,
                                   **_stats(plan, results, method, by_class(label, metric), paired)})
    summary = pd.DataFrame(summary_rows)
    per_class = pd.DataFrame(class_rows)
    first = results[0]
    fidelity = pd.DataFrame(first["fidelity"])
    columns = pd.DataFrame(first["columns"])
    privacy = pd.DataFrame(first["privacy"])
    for frame in (fidelity, columns, privacy):
        if len(frame):
            frame["method"] = frame["method"].map(names)
    verdict = make_verdict(plan, results, names, paired)
    n_folds = len(results)
    settings = {
        "n_rows": int(len(plan.y)),
        "class_counts": {_plain(k): int(v) for k, v in plan.counts.items()},
        "classes": [_plain(c) for c in plan.targets],
        "estimator": plan.estimator_name,
        "augmenter": plan.augmenter_name,
        "methods": [names[m] for m in plan.methods],
        "cv": plan.n_splits, "repeats": plan.n_repeats, "n_folds": n_folds,
        "confidence": plan.confidence,
        "interval": METHOD_NAME,
        "test_train_ratio": plan.test_train_ratio,
        "positive_class": _plain(plan.positive) if plan.binary else None,
        "image_shape": _image_shape(plan.augmenter),
    }
    histories = [fold["history"] for fold in results if fold["history"]]
    return AugmentationReport(summary=summary, per_class=per_class, folds=folds, fidelity=fidelity,
                              column_distances=columns, privacy=privacy, verdict=verdict, settings=settings,
                              histories=histories, marginals=first["marginals"],
                              image_quality=pd.DataFrame(first.get("image_quality", [])))


def _image_shape(augmenter):
    shape = getattr(augmenter, "image_shape", None) if augmenter is not None else None
    return [int(v) for v in shape] if shape is not None else None


def method_names(plan) -> dict:
    return {"none": "none", "random": "random oversampling", "smote": plan.smote_name,
            "class_weight": "class_weight='balanced'", AUGMENTER: plan.augmenter_name}


def _stats(plan, results, method, key, paired) -> dict:
    values = [key(fold, method) for fold in results]
    mean, low, high = corrected_interval(values, plan.test_train_ratio, plan.confidence)
    if method == "none":
        delta, d_low, d_high = 0.0, math.nan, math.nan
    elif getattr(key, "timing", False):  # a cost, not a score: no paired comparison
        delta, d_low, d_high = math.nan, math.nan, math.nan
    else:
        delta, d_low, d_high = paired(plan, results, method, "none", key)
    return {"mean": mean, "mean_low": low, "mean_high": high, "delta": delta, "ci_low": d_low, "ci_high": d_high}


# ============================================================================ verdict
def make_verdict(plan, results, names, paired) -> str:
    def overall(metric):
        return lambda fold, method: fold["scores"][method][metric]

    def recall(label):
        return lambda fold, method: fold["class_scores"][method][label]["recall"]

    targets = plan.targets
    effects = {}
    for method in plan.methods:
        if method == "none":
            continue
        effects[method] = {
            "recall": [(label, paired(plan, results, method, "none", recall(label))) for label in targets],
            "macro_f1": paired(plan, results, method, "none", overall("macro_f1")),
        }

    def significant(interval, sign):
        # A zero-width interval means every fold gave the same difference, which with few test
        # rows of a class (recall moving in steps of 1/n) is chance, not certainty: not evidence.
        _, low, high = interval
        return bool(np.isfinite(low)) and high > low and (low > 0 if sign > 0 else high < 0)

    def recall_up(method):
        return any(significant(interval, +1) for _, interval in effects[method]["recall"])

    def helped(method):
        e = effects[method]
        return significant(e["macro_f1"], +1) or (recall_up(method) and not significant(e["macro_f1"], -1))

    def trade_off(method):
        return recall_up(method) and significant(effects[method]["macro_f1"], -1)

    def hurt(method):
        e = effects[method]
        recalls = [interval for _, interval in e["recall"]]
        return significant(e["macro_f1"], -1) or (bool(recalls) and all(significant(i, -1) for i in recalls))

    def effect_text(method):
        e = effects[method]
        pieces = [f"recall of class {_show(label)} {_change(interval)}" for label, interval in e["recall"]]
        pieces.append(f"macro-F1 {_change(e['macro_f1'])}")
        return ", ".join(pieces)

    name = names[AUGMENTER]
    if helped(AUGMENTER):
        first = f"{name} helped: {effect_text(AUGMENTER)} versus none."
    elif trade_off(AUGMENTER):
        first = (f"{name} traded precision for recall, not a clear gain: {effect_text(AUGMENTER)} versus none "
                 "(recall up, macro-F1 down).")
    elif hurt(AUGMENTER):
        first = f"{name} made the model worse: {effect_text(AUGMENTER)} versus none."
    else:
        first = f"{name} did not clearly help: {effect_text(AUGMENTER)} versus none (intervals include 0)."
    sentences = [first]
    for method in plan.methods:
        if method in ("none", AUGMENTER):
            continue
        sentences.append(f"{names[method]}: {effect_text(method)}.")
    candidates = [m for m in effects if helped(m)]
    if not candidates:
        sentences.append("No method clearly improved on none: prefer no augmentation here.")
    else:
        best = max(candidates, key=lambda m: (effects[m]["macro_f1"][0],
                                              np.mean([i[0] for _, i in effects[m]["recall"]] or [0])))
        if best == AUGMENTER:
            cheaper = []
            for method in candidates:
                if method == AUGMENTER:
                    continue
                _, low, _ = paired(plan, results, AUGMENTER, method, overall("macro_f1"))
                if not (np.isfinite(low) and low > 0):
                    cheaper.append(method)
            if cheaper:
                alt = max(cheaper, key=lambda m: effects[m]["macro_f1"][0])
                sentences.append(f"{name} is not clearly better than {names[alt]} on macro-F1, and "
                                 f"{names[alt]} is cheaper: prefer {names[alt]} here.")
            else:
                sentences.append(f"Prefer {name} here: it beat every other method that helped on macro-F1.")
        else:
            sentences.append(f"Prefer {names[best]} here: the best macro-F1 of the methods that clearly helped.")
    folds = len(results)
    how = (f"{plan.n_splits}-fold stratified CV x {plan.n_repeats} repeat{'s' if plan.n_repeats != 1 else ''}"
           if plan.n_splits else "the given CV splitter")
    sentences.append(f"Intervals: {plan.confidence:.0%} t intervals over {folds} paired folds ({how}) with the "
                     "Nadeau-Bengio corrected variance; the estimator was " f"{plan.estimator_name}.")
    return " ".join(sentences)


def _change(interval) -> str:
    mean, low, high = interval
    if not np.isfinite(low):
        return f"{mean:+.3f}"
    return f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"


# ============================================================================ figures
def render_figures(report: AugmentationReport) -> list:
    """``[(title, caption, base64 PNG)]``; matplotlib is imported here.

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
    rows += [(f"{r['method']}: recall of {_show(r['class'])}", r["delta"], r["ci_low"], r["ci_high"])
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
        ax.set_title(f"class {_show(label)}", fontsize=9)
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
    channels, height, width = report.settings["image_shape"]
    items = list(report._marginals.items())[:3]
    figure = Figure(figsize=(per_row * 0.9, 2 * 0.9 * len(items) + 0.3))
    axes = np.array(figure.subplots(2 * len(items), per_row, squeeze=False))
    for row, (label, pair) in enumerate(items):
        for offset, (kind, rows) in enumerate(zip(("real", "synthetic"), pair)):
            pixels = rows.to_numpy(dtype=float)[:per_row]
            low, high = np.nanmin(pixels), np.nanmax(pixels)
            for col in range(per_row):
                ax = axes[2 * row + offset, col]
                ax.axis("off")
                if col < len(pixels):
                    image = ((pixels[col] - low) / (high - low or 1)).reshape(channels, height, width).transpose(1, 2, 0)
                    ax.imshow(image[..., 0] if channels == 1 else image, cmap="gray", vmin=0, vmax=1)
            axes[2 * row + offset, 0].set_title(f"{kind} {_show(label)}", fontsize=7, loc="left")
    figure.tight_layout()
    return figure


def _fig_marginals(Figure, report):
    from gan_augment.evaluation._prep import as_text, is_numeric

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
            ax.set_title(f"{column} ({_show(label)})", fontsize=8)
            ax.tick_params(labelsize=6)
        axes[row, 0].legend(fontsize=6)
    figure.tight_layout()
    return figure


# ============================================================================ tables and text
def _pivot(frame: pd.DataFrame, keys) -> pd.DataFrame:
    """One row per ``keys``, one column per metric: "mean (+delta [low, high])"."""
    rows = {}
    for record in frame.to_dict(orient="records"):
        key = tuple(record[k] for k in keys)
        cell = _fmt(record["mean"])
        if record["method"] != "none" and record["metric"] != "augment_time_s":
            cell += f" ({record['delta']:+.3f}" + (f" [{record['ci_low']:+.3f}, {record['ci_high']:+.3f}])"
                                                   if np.isfinite(record["ci_low"]) else ")")
        rows.setdefault(key, {})[METRIC_NAMES.get(record["metric"], record["metric"])] = cell
    out = pd.DataFrame([{**dict(zip(keys, (_show_cell(k) for k in key))), **cells} for key, cells in rows.items()])
    return out


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return f"{value:.3f}"


def _fmt_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        out[column] = [(_fmt(v) if isinstance(v, (float, np.floating)) else _show_cell(v)) for v in out[column]]
    return out


def _show_cell(value) -> str:
    value = _plain(value)
    return "-" if value is None else str(value)


def _markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(none)"
    header = [str(c) for c in frame.columns]
    escape = lambda text: str(text).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(escape(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(escape(v) for v in row) + " |")
    return "\n".join(lines)


def _html_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p>(none)</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _settings_text(settings: dict) -> str:
    counts = ", ".join(f"{_show(k)} {v:,}" for k, v in settings["class_counts"].items())
    how = (f"{settings['cv']}-fold stratified cross-validation x {settings['repeats']} "
           f"repeat{'s' if settings['repeats'] != 1 else ''}"
           if settings.get("cv") else f"{settings['n_folds']} folds of the given splitter")
    return (f"{settings['n_rows']:,} rows ({counts}); classes topped up: "
            f"{', '.join(_show(c) for c in settings['classes'])}; estimator: {settings['estimator']}; {how}; "
            f"methods: {', '.join(settings['methods'])}. Every augmenter was fitted inside each training fold only; "
            f"test folds are 100% real. Intervals: {settings['confidence']:.0%} {settings['interval']}.")


def _show(label) -> str:
    label = _plain(label)
    return repr(label) if isinstance(label, str) else str(label)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _jsonable(value):
    if isinstance(value, dict):
        return {str(_plain(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    value = _plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _records(frame: pd.DataFrame) -> list:
    return [_jsonable(record) for record in frame.to_dict(orient="records")]


def _write_text(path, text: str) -> Path:
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return Path(path)


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
.verdict { font-size: 1.1em; background: #f3f6fa; padding: 0.8em 1em; border-left: 4px solid #3b6ea5; }
.settings { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.85em; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f0f0f0; }
figure { margin: 0 0 1.5em 0; } img { max-width: 100%; }
figcaption { color: #555; font-size: 0.85em; }
"""
