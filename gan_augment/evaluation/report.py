"""AugmentationReport: the numbers, a verdict in plain words, and Markdown / HTML / JSON renderings.

matplotlib is imported only when an HTML report is rendered, with the Agg backend (no display).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from gan_augment._fs import atomic_path, check_parent_writable, refuse_linked_file
from gan_augment._sampler import removes_rows
from gan_augment.evaluation._figures import render_figures
from gan_augment.evaluation._text import (METRIC_NAMES, caveat, fmt_frame, html_table, jsonable, markdown_table,
                                          markdown_text, percent, pivot, records, settings_text, show,
                                          significance, with_caveats)
from gan_augment.evaluation._types import (AUGMENTER, CLASS_METRICS, MIN_ROWS, OVERALL_METRICS,
                                           EvaluationPlan, FoldResult, added_nothing, class_behind)
from gan_augment.evaluation._verdict import class_comparisons, compare_with_none, make_verdict
from gan_augment.evaluation.stats import LEVEL, METHOD_NAME, corrected_interval
from gan_augment.planner import plain_label

# Re-exported: the figures and the verdict had their home here before.
__all__ = ["METRIC_NAMES", "AugmentationReport", "build_report", "make_verdict", "method_names", "render_figures"]


class AugmentationReport:
    """The result of :func:`gan_augment.evaluate_augmentation`.

    Attributes
    ----------
    summary : DataFrame
        One row per (method, metric): ``mean`` over folds with its interval (``mean_low``,
        ``mean_high``, within [0, 1]; augment_time_s, a cost in seconds: at least 0, and compared
        with nothing), the paired difference from "none" (``delta``, ``ci_low``, ``ci_high``, within
        [-1, 1]), its p-value (``p_value``) and the p-value Holm-adjusted across
        the methods (``p_holm``); ``primary`` marks the metric the verdict decides on; ``n_rows``
        (test rows per fold; for pr_auc, the positive class's) and ``caveat`` (set below 30 rows).
        Metrics: accuracy, balanced_accuracy, macro_f1, pr_auc (binary targets), augment_time_s
        (seconds spent fitting the augmenter / baseline and resampling, per fold).
    per_class : DataFrame
        The same for precision, recall and F1 of every class, ``p_holm`` adjusted across the
        classes (per method and metric); ``n_rows`` is the class's test rows per fold. A fold where
        a method predicts the class for no row has no precision (NaN, left out of the mean and of
        the comparison; NaN in every fold: NaN).
    folds : DataFrame
        The raw per-fold scores of every method.
    fidelity : DataFrame
        Per (method, class), on the first training fold: C2ST AUC (0.5 is ideal), mean and worst
        per-column distance (KS / total variation), correlation difference; ``caveat`` where they
        rest on fewer than 30 real or synthetic rows (as do ``privacy`` and ``image_quality``).
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
        At most three sentences: the answer for the augmenter on the primary metric, what to use,
        and the supporting evidence -- by the decision rule of :mod:`gan_augment.evaluation._verdict`.
    settings : dict
        How the evaluation was run (folds, repeats, estimator, classes, primary metric, significance
        level, interval method).
    histories : list of list of dict
        The augmenter's per-epoch training records (``history_``), one list per fold.
    diversity : DataFrame
        Per topped-up class: the GAN's mode-collapse check on the first training fold (distinct,
        spread, coverage, collapsed; :mod:`gan_augment.diversity`).
    rules : DataFrame
        Per (method, rule): the share of the rows the method added to the first training fold that
        break a rule every real row obeys (one-hot groups, 0/1 columns, missing-value links, columns
        read off another, implied values; empty when the augmenter found none).
    """

    def __init__(self, *, summary, per_class, folds, fidelity, column_distances, privacy, verdict, settings,
                 histories, marginals=None, image_quality=None, rules=None, diversity=None):
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
        self.rules = rules if rules is not None else pd.DataFrame()
        self.diversity = diversity if diversity is not None else pd.DataFrame()
        self._marginals = marginals or {}

    def __repr__(self):
        return f"AugmentationReport({self.verdict!r})"

    def __str__(self):
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        """What a Jupyter notebook shows for the report at the end of a cell: its Markdown, rendered
        (the figures are in :meth:`to_html`)."""
        return self.to_markdown()

    # ------------------------------------------------------------------ renderings
    def to_markdown(self, path=None, *, force=False) -> str:
        """The report as Markdown: verdict, settings and tables; written atomically to ``path``
        when given (an existing file only with ``force=True``)."""
        lines = ["# Augmentation report", "", f"**Verdict.** {markdown_text(self.verdict)}", "",
                 markdown_text(settings_text(self.settings)), ""]
        for title, note, table in self._tables():
            lines += [f"## {title}", "", note, "", markdown_table(table), ""]
        text = "\n".join(lines).rstrip() + "\n"
        if path is not None:
            _write_text(path, text, force)
        return text

    def to_json(self, path=None, *, indent=2, force=False) -> str:
        """The report as JSON (NaN as null); written atomically to ``path`` when given (an existing
        file only with ``force=True``)."""
        document = {
            "verdict": self.verdict,
            "settings": jsonable(self.settings),
            "summary": records(self.summary),
            "per_class": records(self.per_class),
            "fidelity": records(self.fidelity),
            "column_distances": records(self.column_distances),
            "privacy": records(self.privacy),
            "image_quality": records(self.image_quality),
            "rules": records(self.rules),
            "diversity": records(self.diversity),
            "folds": records(self.folds),
            "histories": jsonable(self.histories),
        }
        text = json.dumps(document, indent=indent, allow_nan=False)
        if path is not None:
            _write_text(path, text, force)
        return text

    def to_html(self, path=None, *, force=False) -> str:
        """A self-contained HTML page (plots embedded as base64 PNG); written atomically to ``path``
        (an existing file only with ``force=True``)."""
        figures = render_figures(self)
        parts = [
            "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<title>gan-augment: augmentation report</title>", f"<style>{_CSS}</style>", "</head><body>",
            "<h1>Augmentation report</h1>",
            f"<p class=\"verdict\"><strong>Verdict.</strong> {html.escape(self.verdict)}</p>",
            f"<p class=\"settings\">{html.escape(settings_text(self.settings))}</p>",
        ]
        for title, caption, png in figures:
            parts += [f"<h2>{html.escape(title)}</h2>",
                      f"<figure><img alt=\"{html.escape(title)}\" src=\"data:image/png;base64,{png}\">"
                      f"<figcaption>{html.escape(caption)}</figcaption></figure>"]
        for title, note, table in self._tables():
            parts += [f"<h2>{html.escape(title)}</h2>", f"<p>{html.escape(note)}</p>", html_table(table)]
        parts += ["</body></html>"]
        text = "\n".join(parts) + "\n"
        if path is not None:
            _write_text(path, text, force)
        return text

    # ------------------------------------------------------------------ tables
    def _tables(self):
        conf = percent(self.settings['confidence'])
        alpha = self.settings.get("alpha", 1 - self.settings["confidence"])
        primary = METRIC_NAMES.get(self.settings.get("metric", ""), "")
        star = (f"* marks a difference whose Holm-adjusted p is below {significance(alpha)}; scores computed on "
                f"fewer than {MIN_ROWS} rows carry a caveat.")
        tables = [
            ("Summary", f"Mean over folds; for each method but none, the paired difference from none and its "
                        f"{conf} interval (unadjusted) in brackets. The verdict decides on {primary} (primary) alone; Holm "
                        f"across the methods, per metric. {star}",
             pivot(self.summary, ["method"], alpha=alpha, primary=self.settings.get("metric"))),
            ("Per class", "Precision, recall and F1 of every class (supporting evidence); difference from none and "
                          f"unadjusted interval in brackets; Holm across the classes, per method and metric. {star} "
                          "Precision is averaged over the folds where the method predicted the class at all, and "
                          "compared over the folds where both did; - where it predicted the class in no fold.",
             pivot(self.per_class, ["method", "class"], alpha=alpha)),
        ]
        if len(self.fidelity):
            table = self.fidelity[[c for c in ("method", "class", "n_real", "n_synthetic", "c2st_auc",
                                               "mean_column_distance", "worst_column", "worst_column_distance",
                                               "correlation_difference", "caveat") if c in self.fidelity]]
            tables.append(("Fidelity of the added rows (first training fold)",
                           "C2ST AUC: a random forest telling real from added rows of the class (0.5 = "
                           "indistinguishable, 1.0 = always told apart; well below 0.5 means copies of real rows). Column distance: Kolmogorov-Smirnov "
                           "(numeric) or total variation (categorical), 0 is ideal. Correlation difference: mean "
                           "absolute difference of the numeric columns' correlations.", fmt_frame(table)))
        if len(self.image_quality):
            tables.append(("Quality of the added images (first training fold)",
                           "Judged by a CNN trained on the real training images. Label fidelity: share of the "
                           "added images of the class that it assigns to the class. Frechet distance to the test "
                           "images of the class in its features, next to that of real training images (the "
                           "floor) and of blurred ones (a poor generator). k-NN precision (added images inside "
                           "the real manifold) and recall (real images inside the added manifold).",
                           fmt_frame(self.image_quality)))
        if len(self.diversity):
            tables.append(("Diversity of the GAN's samples (first training fold)",
                           "The GAN's own check after training: 500 samples of each topped-up class against its "
                           "real training rows. Distinct: distinct samples over what as many draws from the real "
                           "rows would give; spread: synthetic over real standard deviation, median over features; "
                           "coverage: share of real rows with a sample among their 5 nearest neighbours; "
                           "relative coverage: the coverage of half the real rows by as many samples over their "
                           "coverage by the other half (1: as good as real data; below 0.5 the samples miss much "
                           "of the class); "
                           "disagreement (generator ensembles): 0 when the members' samples are interchangeable, "
                           "near 1 when each covers its own region; collapsed members: generators whose own "
                           "samples collapsed. Collapsed: spread < 0.25 or distinct < 0.1 (of the class's samples "
                           "or of a member's).",
                           fmt_frame(self.diversity)))
        if len(self.rules):
            tables.append(("Rules of the table broken by the added rows (first training fold)",
                           "Rules every real training row obeys (found as the GAN's encoder found them): a one-hot "
                           "group holds exactly one 1, a 0/1 column only 0 and 1, a missing-value link holds both "
                           "ways, a column set by another holds the value it sets, an implied value follows. Share of "
                           "each method's added rows that break the rule; 'any rule' last.",
                           self.rules.pivot(index="rule", columns="method", values="broken")
                           .reindex(index=list(dict.fromkeys(self.rules["rule"])),
                                    columns=list(dict.fromkeys(self.rules["method"])))
                           .reset_index().pipe(fmt_frame)))
        if len(self.privacy):
            tables.append(("Privacy of the added rows (first training fold)",
                           "Distance to the closest training record (DCR) of the added rows and of held-out real "
                           "rows of the class. Near copies: added rows closer to a training row than 95% of the "
                           "class's held-out real rows that are no copies are (new rows give about 0.05, plus the "
                           "share of exact copies among held-out rows, holdout_exact_share; about 1/(n+1), an upper "
                           "bound, for a class of n < 20 held-out rows); exact copies: DCR = 0 (new rows of data with "
                           "duplicates give holdout_exact_share).",
                           fmt_frame(self.privacy)))
        return tables


# ============================================================================ building
Key = Callable[[FoldResult, str], float]  # a fold's score of a method


def build_report(plan: EvaluationPlan, results: list[FoldResult]) -> AugmentationReport:
    results = sorted(results, key=lambda r: r.index)
    names = method_names(plan)
    first = results[0]
    fidelity = with_caveats(pd.DataFrame(first.fidelity), ("n_real", "real"), ("n_synthetic", "synthetic"))
    columns = pd.DataFrame(first.columns)
    privacy = with_caveats(pd.DataFrame(first.privacy), ("n_synthetic", "synthetic"), ("n_holdout", "held-out"))
    image_quality = with_caveats(pd.DataFrame(first.image_quality), ("n_synthetic", "synthetic"),
                                 ("n_holdout", "held-out"))
    rules = pd.DataFrame(first.rules)
    diversity = with_caveats(pd.DataFrame(first.diversity), ("n_real", "real"))
    for frame in (fidelity, columns, privacy, rules):
        if len(frame):
            frame["method"] = frame["method"].map(names)
    return AugmentationReport(summary=_summary(plan, results, names), per_class=_per_class(plan, results, names),
                              folds=_fold_table(plan, results, names), fidelity=fidelity, column_distances=columns,
                              privacy=privacy, verdict=make_verdict(plan, results, names),
                              settings=_settings(plan, results, names),
                              histories=[fold.history for fold in results if fold.history],
                              marginals=first.marginals, image_quality=image_quality, rules=rules,
                              diversity=diversity)


def _fold_table(plan: EvaluationPlan, results: list[FoldResult], names: dict) -> pd.DataFrame:
    return pd.DataFrame([{"repeat": fold.repeat, "fold": fold.fold, "method": names[method], **fold.scores[method],
                          "augment_time_s": fold.augment_time_s[method], "fit_time_s": fold.fit_time_s[method],
                          "n_added": fold.n_added[method], "n_test": fold.n_test}
                         for fold in results for method in plan.methods])


def _summary(plan: EvaluationPlan, results: list[FoldResult], names: dict) -> pd.DataFrame:
    """One row per (method, metric); p-values Holm-adjusted across the methods, per metric."""
    metrics = [m for m in OVERALL_METRICS if m != "pr_auc" or plan.binary]
    n_test = float(np.mean([fold.n_test for fold in results]))
    rows_behind = {}
    # A secondary PR-AUC the estimator gives no scores for: empty, and said why (not "few rows").
    unmeasured = {metric for metric in metrics
                  if all(math.isnan(fold.scores[method].get(metric, math.nan))
                         for fold in results for method in plan.methods)}
    for metric in metrics:
        if metric in unmeasured:
            scores = hasattr(plan.estimator, "predict_proba") or hasattr(plan.estimator, "decision_function")
            why = ("its scores could not be read in any fold" if scores
                   else "gives no scores (neither predict_proba nor decision_function)")
            rows_behind[metric] = (math.nan, f"not computed: {plan.estimator_name} {why}")
            continue
        behind = class_behind(results, metric, plan.positive)
        if behind is None:
            rows_behind[metric] = (n_test, caveat({"test rows per fold": n_test}))
        elif metric == "pr_auc":  # its positive class's test rows alone
            what = f"test rows of class {show(behind[0])} per fold, behind PR-AUC"
            rows_behind[metric] = (behind[1], caveat({what: behind[1]}))
        else:  # an average of per-class scores: the rarest class's few rows weigh as much
            what = f"test rows of class {show(behind[0])} per fold, behind its share of {METRIC_NAMES[metric]}"
            rows_behind[metric] = (n_test, caveat({"test rows per fold": n_test, what: behind[1]}))
    tests = {metric: compare_with_none(results, plan.methods, metric, test_train_ratio=plan.test_train_ratio,
                                       confidence=plan.confidence) for metric in metrics}
    rows = []
    for method in plan.methods:
        for metric in metrics:
            difference = _difference(method, tests[metric].get(method))
            if metric in unmeasured:  # no difference from "none" either
                difference["delta"] = math.nan
            rows.append({"method": names[method], "metric": metric, "primary": metric == plan.metric,
                         **_level(plan, results, method, _overall(metric), LEVEL),
                         **difference, "n_rows": rows_behind[metric][0], "caveat": rows_behind[metric][1]})
        # A cost, not a score: no paired comparison.
        rows.append({"method": names[method], "metric": "augment_time_s", "primary": False,
                     **_level(plan, results, method, _augment_time, (0.0, math.inf)),
                     **_difference(method, None, compare=False), "n_rows": math.nan, "caveat": ""})
    return pd.DataFrame(rows)


def _per_class(plan: EvaluationPlan, results: list[FoldResult], names: dict) -> pd.DataFrame:
    """One row per (method, class, metric); p-values Holm-adjusted across the classes, per method and metric."""
    support = {label: float(np.mean([fold.class_scores["none"][label]["support"] for fold in results]))
               for label in plan.labels}
    rows = []
    for method in plan.methods:
        tests = {metric: ({} if method == "none" else
                          class_comparisons(results, method, plan.labels, metric,
                                            test_train_ratio=plan.test_train_ratio, confidence=plan.confidence))
                 for metric in CLASS_METRICS}
        rows += [{"method": names[method], "class": label, "metric": metric,
                  **_level(plan, results, method, _by_class(label, metric), LEVEL),
                  **_difference(method, tests[metric].get(label)), "n_rows": support[label],
                  "caveat": caveat({"test rows of the class per fold": support[label]})}
                 for label in plan.labels for metric in CLASS_METRICS]
    return pd.DataFrame(rows)


def _overall(metric: str) -> Key:
    return lambda fold, method: fold.scores[method].get(metric, math.nan)


def _augment_time(fold: FoldResult, method: str) -> float:
    return fold.augment_time_s[method]


def _by_class(label, metric: str) -> Key:
    return lambda fold, method: fold.class_scores[method][label][metric]


def _level(plan: EvaluationPlan, results: list[FoldResult], method: str, key: Key, bounds) -> dict:
    """Mean over folds with its interval, clipped to the metric's range."""
    mean, low, high = corrected_interval([key(fold, method) for fold in results], plan.test_train_ratio,
                                         plan.confidence, bounds)
    return {"mean": mean, "mean_low": low, "mean_high": high}


def _difference(method: str, comparison, *, compare: bool = True) -> dict:
    """The paired difference from "none", its interval (within [-1, 1]) and p-values (raw and Holm-adjusted)."""
    if method == "none":
        return {"delta": 0.0, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan, "p_holm": math.nan}
    if not compare or comparison is None:
        return {"delta": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan, "p_holm": math.nan}
    return {"delta": comparison.mean, "ci_low": comparison.low, "ci_high": comparison.high,
            "p_value": comparison.p, "p_holm": comparison.p_holm}


def _settings(plan: EvaluationPlan, results: list[FoldResult], names: dict) -> dict:
    return {
        "n_rows": int(len(plan.y)),
        "class_counts": {plain_label(k): int(v) for k, v in plan.counts.items()},
        "classes": [plain_label(c) for c in plan.targets],
        "estimator": plan.estimator_name,
        "augmenter": names[AUGMENTER],
        "augmenter_removes_rows": removes_rows(plan.augmenter),
        "augmenter_added_nothing": added_nothing(results),
        # Methods whose added rows could not be told from the real ones (SMOTEENN): not in the fidelity
        # and privacy tables, and the saved report says why.
        "not_inspected": [names[method] for method in results[0].not_inspected] if results else [],
        # What it takes to run the evaluation again: the augmenter's settings and the seed.
        "augmenter_params": jsonable(plan.augmenter.get_params(deep=False)),
        "random_state": plan.random_state,
        "methods": [names[m] for m in plan.methods],
        "cv": plan.n_splits, "repeats": plan.n_repeats, "n_folds": len(results),
        "confidence": plan.confidence,
        "metric": plan.metric,
        "alpha": round(1.0 - plan.confidence, 10),
        "interval": METHOD_NAME,
        "test_train_ratio": plan.test_train_ratio,
        "positive_class": plain_label(plan.positive) if plan.binary else None,
        "image_shape": list(plan.image_shape) if plan.image_shape is not None else None,
    }


def method_names(plan: EvaluationPlan) -> dict:
    """Each method's display name; the augmenter's is told apart from a baseline's of the same name
    (an imblearn ``SMOTE`` given as the augmenter beside the SMOTE baseline)."""
    names = {"none": "none", "random": "random oversampling", "smote": plan.smote_name,
             "class_weight": "class_weight='balanced'", "classic": "repeat + classic augmentation"}
    taken = {name.casefold() for name in names.values()}
    augmenter = plan.augmenter_name
    return {**names, AUGMENTER: f"{augmenter} (augmenter)" if augmenter.casefold() in taken else augmenter}


# ============================================================================ files
def _write_text(path, text: str, force: bool) -> Path:
    """``text`` to ``path``, atomically; an existing file (a report of an earlier run, or anything
    else) is replaced only with ``force``, also when another run writes it meanwhile."""
    path = Path(path)
    check_parent_writable(path)  # a folder on its way that is a link to nothing: mkdir's bare "File exists"
    if path.is_dir():
        raise FileExistsError(f"{path} is a directory; give a file name.")
    refuse_linked_file(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass force=True to replace it (--force on the command line).")
    with atomic_path(path, overwrite=force) as temp:
        temp.write_text(text, encoding="utf-8")
    return path



_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
.verdict { font-size: 1.1em; background: #f3f6fa; padding: 0.8em 1em; border-left: 4px solid #3b6ea5; }
.settings { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.85em; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; white-space: pre-wrap; }
th { background: #f0f0f0; }
figure { margin: 0 0 1.5em 0; } img { max-width: 100%; }
figcaption { color: #555; font-size: 0.85em; }
"""
