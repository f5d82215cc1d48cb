"""The evaluator under a true null: how often does it call two identical methods different?

``gan_augment.evaluate_augmentation`` is given an augmenter whose top-up is distributed exactly as
one of its own baselines: the library's ``RowOversampler`` (the sampler behind the "random"
baseline) or ``MixedSMOTE`` (the one behind "smote"), with a ``random_state`` of its own, while the
evaluator runs the baseline of the same name with its per-fold seeds. The two methods then differ
by their random draws alone: every true difference between them is 0. Each run is one whole
evaluation with its own ``random_state`` (other folds, other draws) and the evaluator's defaults
(cv=5, repeats=3, baselines="auto": none, random, smote, class_weight), fidelity and privacy off.

Counted over the runs, per data set x estimator x pair:

* the augmenter against its identical baseline, tested as the evaluator tests one method against
  another (its verdict compares the augmenter with a cheaper baseline by ``compare_with_none(...,
  reference=baseline)``; per class, ``class_comparisons`` on the folds with the baseline in the
  place of "none", Holm across the classes): how often a difference is significant, per metric,
  and how often the 95% interval of the difference holds 0 (its true value);
* the verdict: how often it recommends the augmenter, or the baseline where the augmenter did not
  help (a preference between identical methods), read off the evaluator's own decision;
* each of the two against "none", as the report shows it (``report.summary`` / ``report.per_class``,
  ``p_holm`` below alpha, the tables' star): how often each is significant, and how often exactly
  one of them is (a difference a reader would see between identical methods).

Data: scikit-learn's bundled tables with a class cut (the default), and tables of the shared data
folder where it is there (../shared/data/tabular, see ../shared/data/SOURCES.md; left out with a
note where it is not).

    OMP_NUM_THREADS=1 python benchmarks/bench_evaluator_null.py --seeds 2 --datasets wine-cut \
        --out null_smoke.md --out-json null_smoke.json                                  # smoke, ~1 min
    OMP_NUM_THREADS=1 python benchmarks/bench_evaluator_null.py --seeds 40 --workers 2  # ~30 min on 2 cores
    python benchmarks/bench_evaluator_null.py --report-only      # the Markdown again from the json

Writes benchmarks/EVALUATOR_NULL.md and benchmarks/evaluator_null_results.json (the records are
saved after every run, so an interrupted run can be reported with --report-only).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _adult as A  # noqa: E402
import bench_panel as P  # noqa: E402
from _reports import write_keeping_reading  # noqa: E402

HERE = Path(__file__).resolve().parent
CUT_SEED = 0  # the rows a cut keeps: fixed, so that every run evaluates the same table
AUGMENTER_SEED = 1_000_003  # the augmenter's random_state in run s is AUGMENTER_SEED + s

#: name -> (source, loader or panel scenario, (class, rows kept) or None, classes 0-9 kept for digits)
DATASETS = {
    "breast-cancer-cut": ("sklearn", "load_breast_cancer", ("malignant", 40)),
    "wine-cut": ("sklearn", "load_wine", ("class_2", 10)),
    "digits4-cut": ("sklearn", "load_digits", ("3", 15)),
    "new-thyroid": ("shared", "new-thyroid", None),
    "glass": ("shared", "glass", None),
    "dermatology-cut": ("shared", "dermatology cut", None),
}
DIGITS_KEPT = ("0", "1", "2", "3")
#: The default run: the scikit-learn tables, and two shared ones where the data folder has them.
DEFAULT_DATASETS = ("breast-cancer-cut", "wine-cut", "digits4-cut", "new-thyroid", "glass")
#: HistGradientBoosting costs 10-50 s a run here (75 fits), logistic regression 2-7 s: by default it
#: runs on the two tables where it is cheapest.
DEFAULT_HGB_DATASETS = ("wine-cut", "new-thyroid")
#: pair -> (the augmenter's class in gan_augment.baselines, the baseline it is identical to)
PAIRS = {"random": ("RowOversampler", "random"), "smote": ("MixedSMOTE", "smote")}
ESTIMATORS = ("logreg", "hgb")
CLASS_METRICS = ("precision", "recall", "f1")


# =================================================================================== data
def shared_available(data_dir: Path, name: str) -> bool:
    return (P.tabular_dir(data_dir) / P.SCENARIOS[DATASETS[name][1]][0]).is_file()


def load(name: str, data_dir: Path):
    """``(X, y, classes topped up, note)`` of data set ``name``: the same table in every run."""
    source, loader, cut = DATASETS[name]
    if source == "shared":
        X, y, note = P.load(loader, data_dir, CUT_SEED)
        labels, counts = np.unique(y, return_counts=True)
        rarest = labels[np.argmin(counts)]
        return X, y, [rarest], f"../shared/data/tabular/{P.SCENARIOS[loader][0]}: {note}; topped up: the rarest class"
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, loader)(as_frame=True)
    X = bunch.frame.drop(columns="target")
    y = np.asarray(bunch.target_names, dtype=str)[bunch.target.to_numpy()].astype(object)
    notes = [f"sklearn.datasets.{loader}()"]
    if loader == "load_digits":
        keep = np.isin(y, DIGITS_KEPT)
        X, y = X[keep].reset_index(drop=True), y[keep]
        notes.append(f"digits {', '.join(DIGITS_KEPT)} only")
    label, kept = cut
    X, y, n_rows = P.cut_class(X, y, label, kept, CUT_SEED)
    notes.append(f"{label!r} cut to {kept} of {n_rows} rows (seed {CUT_SEED}); topped up: {label!r}")
    return X, y, [label], "; ".join(notes)


# =================================================================================== one run
def _rounded(value, digits: int = 4):
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _test(c) -> list:
    """A comparison as ``[mean, low, high, p, p_holm]``."""
    return [_rounded(c.mean), _rounded(c.low), _rounded(c.high), _rounded(c.p), _rounded(c.p_holm)]


def _rebased(fold, baseline: str, augmenter: str):
    """The fold with the baseline's scores where "none"'s were: the evaluator's per-class test of a
    method against "none" then tests the augmenter against the baseline."""
    view = copy.copy(fold)
    view.scores = {"none": fold.scores[baseline], augmenter: fold.scores[augmenter]}
    view.class_scores = {"none": fold.class_scores[baseline], augmenter: fold.class_scores[augmenter]}
    return view


def run_one(task: dict) -> dict:
    """One evaluation (data set, estimator, pair, seed): what the tables of the report count."""
    import gan_augment.baselines as B
    from gan_augment.evaluation import plan_evaluation
    from gan_augment.evaluation._types import AUGMENTER, OVERALL_METRICS
    from gan_augment.evaluation._verdict import class_comparisons, compare_with_none, decide
    from gan_augment.evaluation.report import build_report, method_names
    from gan_augment.evaluation.utility import _run_fold

    A.limit_threads(1)
    cpu, wall = time.process_time(), time.perf_counter()
    X, y, classes, _ = load(task["dataset"], Path(task["data_dir"]))
    sampler, baseline = PAIRS[task["pair"]]
    augmenter = getattr(B, sampler)(random_state=AUGMENTER_SEED + task["seed"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the few-rows caveats of small folds, said in every run
        plan = plan_evaluation(X, y, augmenter, estimator=task["estimator"], classes=classes, cv=task["cv"],
                               repeats=task["repeats"], baselines="auto", n_jobs=1, random_state=task["seed"],
                               fidelity=False, privacy=False)
        # run_evaluation's loop, keeping the folds: the report is built from them as it builds it.
        folds = [_run_fold(plan, index, train, test) for index, (train, test) in enumerate(plan.splits)]
        report = build_report(plan, folds)
    names = method_names(plan)
    roles = {AUGMENTER: "augmenter", baseline: "baseline"}
    kw = dict(test_train_ratio=plan.test_train_ratio, confidence=plan.confidence)
    metrics = [m for m in OVERALL_METRICS if m != "pr_auc" or plan.binary]
    # The augmenter against its identical baseline, as the verdict compares the augmenter with a baseline.
    pairwise = {m: _test(compare_with_none(folds, [AUGMENTER, baseline], m, reference=baseline, **kw)[AUGMENTER])
                for m in metrics}
    rebased = [_rebased(fold, baseline, AUGMENTER) for fold in folds]
    pairwise_class = {m: {str(label): _test(c) for label, c in
                          class_comparisons(rebased, AUGMENTER, plan.labels, m, **kw).items()}
                      for m in CLASS_METRICS}
    decision = decide(folds, plan.methods, metric=plan.metric, labels=plan.labels, names=names,
                      positive=plan.positive, **kw)
    if decision.text != report.verdict:  # the decision read here is the report's
        raise RuntimeError(f"decision and verdict differ:\n{decision.text}\n{report.verdict}")
    # Each of the two against none, as the report's tables show it.
    summary = report.summary.set_index(["method", "metric"])
    per_class = report.per_class.set_index(["method", "class", "metric"])
    vs_none, vs_none_class = {}, {}
    for key, role in roles.items():
        vs_none[role] = {m: [_rounded(summary.loc[(names[key], m), c]) for c in ("delta", "p_holm")]
                         for m in metrics}
        vs_none_class[role] = {m: {str(label): [_rounded(per_class.loc[(names[key], label, m), c])
                                                for c in ("delta", "p_holm")] for label in plan.labels}
                               for m in CLASS_METRICS}
    primary = [fold.scores[AUGMENTER][plan.metric] - fold.scores[baseline][plan.metric] for fold in folds]
    return {
        "dataset": task["dataset"], "estimator": task["estimator"], "pair": task["pair"], "seed": task["seed"],
        "augmenter": f"{sampler}(random_state={AUGMENTER_SEED + task['seed']})", "baseline": baseline,
        "n_folds": len(folds), "alpha": round(1.0 - plan.confidence, 10), "metric": plan.metric,
        "topped_up": [str(c) for c in plan.targets], "labels": [str(c) for c in plan.labels],
        "test_train_ratio": plan.test_train_ratio,
        "primary_fold_differences": [_rounded(d, 6) for d in primary],
        "pairwise": pairwise, "pairwise_class": pairwise_class, "vs_none": vs_none, "vs_none_class": vs_none_class,
        "verdict": report.verdict, "choice": roles.get(decision.choice, decision.choice),
        "helped": [roles.get(m, m) for m in decision.helped], "hurt": [roles.get(m, m) for m in decision.hurt],
        "cpu_s": round(time.process_time() - cpu, 3), "wall_s": round(time.perf_counter() - wall, 3),
    }


# =================================================================================== counting
def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score 95% interval of a proportion k / n."""
    from scipy.stats import binomtest

    if n == 0:
        return math.nan, math.nan
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return ci.low, ci.high


def rate(flags) -> str:
    """"k/n = x% [low, high]" of the true values among ``flags`` (None: not defined, left out)."""
    flags = [bool(f) for f in flags if f is not None]
    k, n = sum(flags), len(flags)
    if n == 0:
        return "-"
    low, high = wilson(k, n)
    return f"{k}/{n} ({100 * low:.1f}-{100 * high:.1f}%)"


def significant(test, alpha: float):
    """``[..., p_holm]`` (or ``[delta, p_holm]``) below alpha; None where the test had no p."""
    p = test[-1]
    return None if p is None else p < alpha


def covers_zero(test):
    """The interval ``[mean, low, high, ...]`` holds 0 (None where it has no bounds)."""
    low, high = test[1], test[2]
    return None if low is None or high is None else low <= 0.0 <= high


def any_class(tests: dict, alpha: float):
    """Any class of the family (Holm across classes) significant; None where no class had a p."""
    flags = [significant(t, alpha) for t in tests.values()]
    flags = [f for f in flags if f is not None]
    return any(flags) if flags else None


def cells(records: list[dict]) -> dict:
    """``{(dataset, estimator, pair): [records]}`` in the order of DATASETS, ESTIMATORS and PAIRS."""
    grouped: dict = {}
    order = {name: i for i, name in enumerate([*DATASETS, *ESTIMATORS, *PAIRS])}
    for record in sorted(records, key=lambda r: (order[r["dataset"]], order[r["estimator"]], order[r["pair"]],
                                                 r["seed"])):
        grouped.setdefault((record["dataset"], record["estimator"], record["pair"]), []).append(record)
    return grouped


OVERALL = ("macro_f1", "balanced_accuracy", "accuracy", "pr_auc")
SHORT = {"macro_f1": "macro-F1", "balanced_accuracy": "bal. acc.", "accuracy": "accuracy", "pr_auc": "PR-AUC",
         "precision": "precision", "recall": "recall", "f1": "F1"}


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(row) + " |" for row in rows), ""]


def _cell_rows(grouped: dict, values) -> list[list[str]]:
    """One row per cell and one for all cells pooled: ``values(records)`` gives the row's cells."""
    rows = [[d, e, p, str(len(rs)), *values(rs)] for (d, e, p), rs in grouped.items()]
    pooled = [r for rs in grouped.values() for r in rs]
    return rows + [["**all**", "", "", str(len(pooled)), *values(pooled)]]


def false_positive_lines(grouped: dict) -> list[str]:
    def values(rs):
        overall = [rate(significant(r["pairwise"][m], r["alpha"]) if m in r["pairwise"] else None for r in rs)
                   for m in OVERALL]
        per_class = [rate(any_class(r["pairwise_class"][m], r["alpha"]) for r in rs) for m in CLASS_METRICS]
        return overall + per_class

    header = ["data set", "estimator", "pair", "runs", *(SHORT[m] for m in OVERALL),
              *(f"any class: {SHORT[m]}" for m in CLASS_METRICS)]
    return _table(header, _cell_rows(grouped, values))


def coverage_lines(grouped: dict) -> list[str]:
    def values(rs):
        overall = [rate(covers_zero(r["pairwise"][m]) if m in r["pairwise"] else None for r in rs) for m in OVERALL]
        per_class = [rate(covers_zero(t) for r in rs for t in r["pairwise_class"][m].values())
                     for m in CLASS_METRICS]
        return overall + per_class

    header = ["data set", "estimator", "pair", "runs", *(SHORT[m] for m in OVERALL),
              *(f"{SHORT[m]} (every class)" for m in CLASS_METRICS)]
    return _table(header, _cell_rows(grouped, values))


def p_value_lines(grouped: dict) -> list[str]:
    """The unadjusted p of the primary metric against its uniform law under the null, and a plain
    paired t test (no Nadeau-Bengio correction) on the same per-fold differences."""
    from scipy import stats

    def naive_p(r):
        d = np.asarray([v for v in r["primary_fold_differences"] if v is not None], dtype=float)
        if len(d) < 2 or d.std(ddof=1) == 0:
            return None
        return float(2 * stats.t.sf(abs(d.mean()) / (d.std(ddof=1) / math.sqrt(len(d))), len(d) - 1))

    def values(rs):
        ps = [r["pairwise"][r["metric"]][3] for r in rs]
        naive = [naive_p(r) for r in rs]
        out = [rate(None if p is None else p < level for p in ps) for level in (0.05, 0.2, 0.5)]
        out += [rate(None if p is None else p < level for p in naive) for level in (0.05, 0.5)]
        zero = sum(all(v == 0 for v in r["primary_fold_differences"]) for r in rs)
        return out + [f"{zero}/{len(rs)}", variance_ratio(rs)]

    header = ["data set", "estimator", "pair", "runs", "p < 0.05", "p < 0.2", "p < 0.5",
              "plain t: p < 0.05", "plain t: p < 0.5", "all folds' differences 0", "variance ratio"]
    return _table(header, _cell_rows(grouped, values))


def variance_ratio(rs: list[dict]) -> str:
    """The variance of a run's mean per-fold difference across the runs (other folds of the same
    table), over the mean of ``s^2 / J`` within a run: 1 where the folds' differences are
    independent; the Nadeau-Bengio variance takes it to be ``1 + J n_test / n_train``."""
    folds = [np.asarray([v for v in r["primary_fold_differences"] if v is not None], dtype=float) for r in rs]
    within = np.mean([d.var(ddof=1) / len(d) for d in folds if len(d) > 1]) if folds else math.nan
    across = np.var([d.mean() for d in folds], ddof=1) if len(folds) > 1 else math.nan
    if not within > 0 or not np.isfinite(across):
        return "-"
    assumed = 1 + len(folds[0]) * rs[0]["test_train_ratio"]
    return f"{across / within:.2f} (NB: {assumed:.2f})"


def vs_none_lines(grouped: dict) -> list[str]:
    def values(rs):
        out = []
        for read in (lambda r, role: r["vs_none"][role]["macro_f1"],
                     lambda r, role: r["vs_none_class"][role]["recall"][r["topped_up"][0]]):
            flags = {role: [significant(read(r, role), r["alpha"]) for r in rs] for role in ("augmenter", "baseline")}
            out += [rate(flags["augmenter"]), rate(flags["baseline"]),
                    rate(None if a is None or b is None else a != b
                         for a, b in zip(flags["augmenter"], flags["baseline"]))]
            # A weaker threshold, for a comparison of the two with more events than the stars give.
            out += [rate(significant(read(r, role), 0.5) for r in rs) for role in ("augmenter", "baseline")]
        return out

    header = ["data set", "estimator", "pair", "runs"]
    for what in ("macro-F1 (primary)", "recall of the topped-up class"):
        header += [f"{what}: augmenter", f"{what}: baseline", f"{what}: exactly one",
                   f"{what}: p_holm < 0.5, augmenter", f"{what}: p_holm < 0.5, baseline"]
    return _table(header, _cell_rows(grouped, values))


def verdict_lines(grouped: dict) -> list[str]:
    def values(rs):
        choice = [r["choice"] for r in rs]
        one_helped = [("augmenter" in r["helped"]) != ("baseline" in r["helped"]) for r in rs]
        prefer_aug = [c == "augmenter" for c in choice]
        prefer_base = [c == "baseline" and "augmenter" not in r["helped"] for c, r in zip(choice, rs)]
        either = [a or b for a, b in zip(prefer_aug, prefer_base)]
        others = pd.Series([c for c in choice if c not in ("augmenter", "baseline")]).value_counts()
        return [rate(either), rate(prefer_aug), rate(prefer_base), rate(one_helped),
                rate(c == "baseline" for c in choice),
                ", ".join(f"{k} {v}" for k, v in others.items()) or "-"]

    header = ["data set", "estimator", "pair", "runs", "prefers one of the pair over the other",
              "recommends the augmenter", "recommends the baseline, augmenter not helped",
              "exactly one of the pair 'helped'", "recommends the baseline (any reason)", "other recommendations"]
    return _table(header, _cell_rows(grouped, values))


def render(results: dict) -> str:
    records = results["records"]
    grouped = cells(records)
    m, s = results["machine"], results["settings"]
    wall, cpu = results.get("wall_s") or 0.0, sum(r["cpu_s"] for r in records)
    lines = [
        "# The evaluator under a true null: an augmenter identical to a baseline", "",
        f"Command: `{results['command']}`  ",
        f"Date (UTC): {results['date']}; library at git commit {m['git_commit']}  ",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}); Python {m['python']}; scikit-learn {m['scikit-learn']}; "
        f"imbalanced-learn {m['imbalanced-learn']}; numpy {m['numpy']}; pandas {m['pandas']}  ",
        f"Time: {wall:.0f} s wall ({wall / 60:.1f} min) with {s['workers']} worker process"
        f"{'es' if s['workers'] != 1 else ''}; {cpu:.0f} s CPU summed over the runs (time.process_time in each "
        f"run; {cpu / max(len(records), 1):.1f} s per run); load average at start {results['load_average_start']}, "
        f"at end {results.get('load_average_end', '?')}"
        + ("" if results.get("complete") else ". **Interrupted: the tables hold the runs that finished.**"), "",
        "## How", "",
        f"Each run is one `evaluate_augmentation(X, y, augmenter, estimator=..., classes=[the topped-up class], "
        f"cv={s['cv']}, repeats={s['repeats']}, baselines='auto', n_jobs=1, random_state=seed, fidelity=False, "
        f"privacy=False)` for seed = {s['first_seed']} .. {s['first_seed'] + s['seeds'] - 1}: other folds and other "
        f"draws in every run, the same table. The augmenter is `RowOversampler(random_state={AUGMENTER_SEED} + seed)` "
        "(pair 'random': the sampler the evaluator's random oversampling baseline runs) or "
        f"`MixedSMOTE(random_state={AUGMENTER_SEED} + seed)` (pair 'smote': the sampler of its SMOTE baseline); "
        "the evaluator runs the baseline of the same name with its own per-fold seeds, so the augmenter and that "
        "baseline differ by their random draws alone and every true difference between them is 0. The other "
        "baselines (none, the other oversampler, class_weight='balanced') run as in any evaluation. Estimators: "
        f"the evaluator's 'logreg' on every table, its 'hgb' on {', '.join(s.get('hgb_datasets', [])) or 'none'} "
        "(HistGradientBoosting costs 10-50 s a run on 2 cores, logistic regression 2-7 s).",
        "",
        "- **False positives (augmenter vs its identical baseline).** The evaluator tests one method against another "
        "where its verdict compares the augmenter with a cheaper baseline: `compare_with_none(folds, [augmenter, "
        "baseline], metric, reference=baseline)`, the corrected t test on the per-fold paired differences "
        "(Nadeau-Bengio variance). Per class: `class_comparisons` on the folds with the baseline's scores in the "
        "place of none's, Holm across the classes, as the report's per-class table is corrected; 'any class' "
        "counts a run where at least one class is significant (the family-wise rate that Holm is meant to hold "
        "at alpha = 0.05). The report itself shows each method against none only: these are the tests it would "
        "give if asked about the pair.",
        "- **Coverage.** The share of the 95% intervals (unadjusted, as the tables print them) of the augmenter's "
        "difference from its baseline that hold 0; per class, pooled over the classes of each run (intervals of "
        "one run are not independent).",
        "- **Against none.** `report.summary` and `report.per_class` as the evaluator returns them: `p_holm` below "
        "alpha (the tables' star), Holm across the methods (overall metrics) or the classes (per class). Both "
        "members of the pair should be starred equally often; 'exactly one' counts the runs where one is starred "
        "and its identical twin is not.",
        "- **Verdict.** The evaluator's decision (`_verdict.decide`, checked equal to `report.verdict` in every run). "
        "'Prefers one of the pair over the other': it recommends the augmenter (which it does only where the "
        "augmenter helped and the baseline did not, or the augmenter beat it significantly), or it recommends the "
        "baseline while saying the augmenter did not help. Recommending the baseline where both helped is the "
        "rule's tie-break (the cheaper method), not a preference between them.",
        "- Intervals on every rate: Wilson 95%.",
        "",
        "| data set | rows | classes (rows) | how |",
        "|---|---|---|---|",
    ]
    for name, info in results["datasets"].items():
        counts = ", ".join(f"`{k}` {v}" for k, v in info["class_counts"].items())
        lines.append(f"| {name} | {info['n_rows']} | {counts} | {info['note']} |")
    lines += [""]
    if results.get("skipped"):
        lines += ["Left out: " + "; ".join(results["skipped"]) + ".", ""]
    lines += ["## 1. False-positive rate: augmenter vs its identical baseline significant (alpha = 0.05)", "",
              "Overall metrics: the corrected t test's p below 0.05 (one comparison). Per class: any class's Holm-"
              "adjusted p below 0.05. PR-AUC: binary targets only.", "",
              *false_positive_lines(grouped),
              "## 2. Coverage of the 95% intervals of the difference (true value 0)", "",
              *coverage_lines(grouped),
              "## 3. Calibration of the primary metric's p-value (macro-F1, unadjusted)", "",
              "Under the null a calibrated p falls below 0.05, 0.2 and 0.5 in 5%, 20% and 50% of the runs. 'Plain "
              "t': the same per-fold differences under the ordinary paired t test, with no Nadeau-Bengio correction "
              "(a diagnostic, not what the evaluator does); runs where every fold's difference is 0 have no plain t. "
              "'Variance ratio': the variance of a run's mean difference across the runs (other folds of the same "
              "table) over the mean of s^2 / J within a run, against the factor 1 + J n_test / n_train by which the "
              "Nadeau-Bengio variance multiplies s^2 / J.",
              "",
              *p_value_lines(grouped),
              "## 4. Each of the pair against none: how often starred (report.summary / report.per_class)", "",
              *vs_none_lines(grouped),
              "## 5. The verdict", "",
              *verdict_lines(grouped)]
    return "\n".join(lines)


# =================================================================================== main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40, help="runs per data set x estimator x pair (default 40)")
    parser.add_argument("--first-seed", type=int, default=0, help="the first run's random_state (default 0)")
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=None,
                        help="default: the three scikit-learn tables, and new-thyroid and glass where the data folder "
                             "has them")
    parser.add_argument("--estimators", nargs="+", choices=ESTIMATORS, default=list(ESTIMATORS))
    parser.add_argument("--hgb-datasets", nargs="+", choices=[*DATASETS, "all"], default=list(DEFAULT_HGB_DATASETS),
                        help="the data sets hgb runs on, of --datasets (default: wine-cut new-thyroid, where it is "
                             "cheapest; 'all': every one)")
    parser.add_argument("--pairs", nargs="+", choices=list(PAIRS), default=list(PAIRS))
    parser.add_argument("--cv", type=int, default=5, help="folds (default 5, the evaluator's)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats (default 3, the evaluator's)")
    parser.add_argument("--workers", type=int, default=1,
                        help="runs at once, each in a process of its own at one thread (default 1)")
    parser.add_argument("--data-dir", type=Path, default=A.DEFAULT_DATA_DIR,
                        help="the shared data folder (default ../shared/data from the repository root)")
    parser.add_argument("--out", type=Path, default=HERE / "EVALUATOR_NULL.md")
    parser.add_argument("--out-json", type=Path, default=HERE / "evaluator_null_results.json")
    parser.add_argument("--report-only", action="store_true",
                        help="write the Markdown from the records already in --out-json")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.report_only:
        write_keeping_reading(args.out, render(json.loads(args.out_json.read_text())))
        print(f"wrote {args.out}")
        return
    skipped = []
    if args.datasets is None:
        args.datasets = [n for n in DEFAULT_DATASETS
                         if DATASETS[n][0] == "sklearn" or shared_available(args.data_dir, n)]
        skipped = [f"{n} (not in the data folder)" for n in DEFAULT_DATASETS if n not in args.datasets]
    if "all" in args.hgb_datasets:
        args.hgb_datasets = list(args.datasets)
    for name in args.datasets:
        if DATASETS[name][0] == "shared" and not shared_available(args.data_dir, name):
            sys.exit(f"error: {name} needs {P.tabular_dir(args.data_dir) / P.SCENARIOS[DATASETS[name][1]][0]}; "
                     "pass --data-dir (../shared/data by default) or leave it out of --datasets.")
    datasets = {}
    for name in args.datasets:
        X, y, classes, note = load(name, args.data_dir)
        labels, counts = np.unique(y, return_counts=True)
        datasets[name] = {"n_rows": int(len(y)), "n_columns": int(X.shape[1]), "topped_up": [str(c) for c in classes],
                          "class_counts": {str(k): int(v) for k, v in zip(labels, counts)}, "note": note}
    argv = sys.argv[1:] if argv is None else argv
    env = "OMP_NUM_THREADS=" + os.environ["OMP_NUM_THREADS"] + " " if "OMP_NUM_THREADS" in os.environ else ""
    results = {
        "command": env + A.recorded_command("bench_evaluator_null.py", argv),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": A.machine_info(), "load_average_start": A.load_average(),
        "settings": {k: v for k, v in vars(args).items() if k not in ("data_dir", "out", "out_json", "report_only")},
        "datasets": datasets, "skipped": skipped, "records": [], "complete": False,
    }
    # Interleaved, so that an interrupted run holds every cell at a similar number of seeds.
    tasks = [{"dataset": d, "estimator": e, "pair": p, "seed": s, "cv": args.cv, "repeats": args.repeats,
              "data_dir": str(args.data_dir)}
             for s in range(args.first_seed, args.first_seed + args.seeds)
             for d in args.datasets for e in args.estimators for p in args.pairs
             if e != "hgb" or d in args.hgb_datasets]
    started = time.perf_counter()

    def save(complete=False):
        results.update(wall_s=time.perf_counter() - started, load_average_end=A.load_average(), complete=complete)
        args.out_json.write_text(json.dumps(results, separators=(",", ":"), allow_nan=False))

    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for done, record in enumerate(pool.map(run_one, tasks), start=1):
            results["records"].append(record)
            print(f"[{done}/{len(tasks)} {time.perf_counter() - started:.0f} s] {record['dataset']} "
                  f"{record['estimator']} {record['pair']} seed {record['seed']}: {record['cpu_s']:.1f} s CPU; "
                  f"choice {record['choice']}", flush=True)
            if done % 10 == 0:
                save()
    save(complete=True)
    write_keeping_reading(args.out, render(results))
    print(f"wrote {args.out} and {args.out_json} in {(time.perf_counter() - started) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
