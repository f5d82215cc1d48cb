"""Is the table top-up's effect a shortcut? Synthetic rows in the topped-up classes only, or in every class.

On MNIST (benchmarks/bench_image_shortcut.py) synthetic images in the rare class only let the
downstream CNN learn "looks synthetic" as the class; giving every class as many synthetic images
from the same GAN raised rare recall. This benchmark asks the same of tables, with logistic
regression and gradient boosting (bench_panel.py's split, classifiers and scores).

Per scenario and seed: bench_panel's stratified 70/30 split; ONE
``GANAugmenter(random_state=seed, label_gate=False, n_threads=1)`` fitted on the training split
(its CPU time recorded). Arms, per classifier:

* ``none``, ``smote@0.25``, ``smote@1``: baselines, as in bench_panel.py;
* ``gan@a``: the planned classes (every class but the majority) topped up by ``a`` of their gap to
  the majority with the GAN's rows, exactly as bench_panel's gan arms;
* ``gan-all@a``: the same rows, and every class (the majority included) gets extra synthetic rows
  from the same GAN so that it holds ``max(own top-up, M)`` synthetic rows, ``M`` being the largest
  top-up at amount ``a``. The extra rows are drawn with fixed seeds; those of ``a=0.25`` are
  prefixes of those of ``a=1``.

    python benchmarks/bench_table_shortcut.py --seeds 0 1
    python benchmarks/bench_table_shortcut.py --seeds 2 --scenarios yeast ecoli   # adds to the JSON
    python benchmarks/bench_table_shortcut.py --report-only

Results: benchmarks/TABLE_SHORTCUT.md and benchmarks/table_shortcut_results.json (records are
merged into an existing JSON by (scenario, seed); it is saved after every scenario and seed).
Run with OMP_NUM_THREADS=1 on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_panel import DEFAULT_DATA, SCENARIOS, arm_data, check_tables, classifier, scores, split  # noqa: E402

DEFAULT_SCENARIOS = ["yeast", "page-blocks", "ecoli", "credit-g cut", "dermatology cut", "glass"]
AMOUNTS = (0.25, 1.0)
ARMS = (["none"] + [f"smote@{a:g}" for a in AMOUNTS] + [f"gan@{a:g}" for a in AMOUNTS]
        + [f"gan-all@{a:g}" for a in AMOUNTS])
CLASSIFIERS = ("logreg", "hgb")
EXTRA_SEED = 7919  # the extra rows of class index k, seed s: random_state = EXTRA_SEED + 100 * s + k


def _commit() -> str:
    """The checked-out commit, read from .git (short form), or "unknown"."""
    git = HERE.parent / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            path = git / ref
            if path.exists():
                return path.read_text().strip()[:7]
            for line in (git / "packed-refs").read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0][:7]
            return "unknown"
        return head[:7]
    except OSError:
        return "unknown"


def all_classes_data(X, y, plan, amount, gan_rows, extra_rows):
    """``gan-all@amount``: the gan arm's rows plus extra synthetic rows, so that every class holds
    at least ``M`` (the largest scaled top-up) synthetic rows."""
    from gan_augment.auto import _append, _scaled

    strategy = _scaled(plan, amount)
    top = max(strategy.values())
    X_gan, y_gan = _append(X, y, gan_rows, {c: n for c, n in strategy.items() if n > 0})
    extra = {c: max(top - strategy.get(c, 0), 0) for c in extra_rows}
    return (*_append(X_gan, y_gan, extra_rows, extra), extra)


def run_one(name, seed, data_dir, epochs=None):
    from gan_augment import GANAugmenter
    from gan_augment.auto import _scaled
    from gan_augment.planner import plan_top_up

    X_tr, X_te, y_tr, y_te, note = split(name, seed, data_dir)
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]
    plan = plan_top_up(y_tr)
    params = {"random_state": seed, "label_gate": False, "n_threads": 1}
    if epochs is not None:
        params["epochs"] = epochs
    started = time.process_time()
    gan = GANAugmenter(**params).fit(X_tr, y_tr)
    fit_cpu = time.process_time() - started
    started = time.process_time()
    gan_rows = {"gan": {c: gan.sample(n, c) for c, n in plan.items() if n > 0}}  # as bench_panel's run_one
    # Extra rows per class: enough for the largest amount (smaller amounts take a prefix).
    need = {}
    for amount in AMOUNTS:
        strategy = _scaled(plan, amount)
        top = max(strategy.values())
        for c in labels:
            need[c] = max(need.get(c, 0), top - strategy.get(c, 0))
    classes = list(gan.classes_)
    extra_rows = {c: gan.sample(int(n), c, random_state=EXTRA_SEED + 100 * seed + classes.index(c))
                  for c, n in need.items() if n > 0}
    sample_cpu = time.process_time() - started
    records = []
    for clf_name in CLASSIFIERS:
        for arm in ARMS:
            started = time.process_time()
            extra_added = None
            if arm.startswith("gan-all@"):
                X_fit, y_fit = all_classes_data(X_tr, y_tr, plan, float(arm.split("@")[1]), gan_rows["gan"],
                                                extra_rows)[:2]
                extra_added = int(len(y_fit) - len(arm_data(arm.replace("gan-all", "gan"), X_tr, y_tr, plan, seed,
                                                             gan_rows, clf_name, seed)[1]))
            else:
                X_fit, y_fit, _ = arm_data(arm, X_tr, y_tr, plan, seed, gan_rows, clf_name, seed)
            model = classifier(clf_name, X_tr, seed).fit(X_fit, y_fit)
            records.append({"scenario": name, "seed": seed, "classifier": clf_name, "arm": arm, "rare": str(rare),
                            "n_train": int(len(y_tr)), "n_rare_train": int(counts.min()), "n_fit": int(len(y_fit)),
                            "n_synthetic_all_classes": extra_added, "cpu_s": time.process_time() - started,
                            **scores(model, X_te, y_te, rare)})
    return records, note, {"fit_cpu_s": fit_cpu, "sample_cpu_s": sample_cpu}


# ===================================================================================== report
def _pivot(frame, metric):
    pivot = frame.pivot_table(index=["scenario", "classifier"], columns="arm", values=metric, aggfunc="mean")
    return pivot[[a for a in ARMS if a in pivot.columns]]


def report(saved) -> str:
    frame = pd.DataFrame(saved["records"])
    meta = saved["meta"]
    seeds = frame.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    lines = ["# Tables: the GAN's rows in the topped-up classes only, or in every class", "",
             "Does the top-up's effect on tables come from a shortcut (synthetic rows only in the rare classes), "
             "as on MNIST (benchmarks/bench_image_shortcut.py)? `gan@a`: the planned classes topped up by a of "
             "their gap to the majority with the GAN's rows (as bench_panel.py). `gan-all@a`: the same rows, plus "
             "synthetic rows from the same GAN in every class (majority included) so that each class holds "
             "max(own top-up, M) synthetic rows, M the largest top-up at that amount. One "
             "`GANAugmenter(random_state=seed, label_gate=False, n_threads=1)` per scenario and seed, default "
             "settings" + (f" except epochs={meta['epochs']}" if meta.get("epochs") else "") + ". Split, "
             "classifiers and scores from bench_panel.py (stratified 70/30; rare = the rarest training class).", "",
             "Commands (OMP_NUM_THREADS=1, one process):", ""]
    commits = saved.get("commits", [])
    lines += [f"- `{c}`" + (f" (commit {commits[i]})" if i < len(commits) else "")
              for i, c in enumerate(saved["commands"])]
    lines += [f"- {remark}" for remark in saved.get("remarks", [])]
    lines += ["", f"Date: {meta['date']}; commit of the last command {meta['commit']}; torch {meta['torch']}; threads: "
              f"OMP_NUM_THREADS={meta['omp_threads']}, torch {meta['torch_threads']}, GANAugmenter n_threads=1; "
              f"wall time {sum(saved['wall_s']):.0f} s in all"
              + ("" if saved.get("complete") else " (interrupted: the tables hold the seeds that finished)") + ".",
              "", "Seeds per scenario: " + "; ".join(f"{k} {v}" for k, v in seeds.items()) + ".", "",
              "Scenarios: " + "; ".join(f"{k}: {v}" for k, v in saved["notes"].items()) + ".", ""]
    times = saved["times"]
    lines += ["GAN fit CPU seconds per seed: " + "; ".join(
        f"{k} " + ", ".join(f"{t['fit_cpu_s']:.0f}" for _, t in sorted(v.items())) for k, v in times.items())
        + ". Sampling (all rows of both arms) CPU seconds: " + "; ".join(
        f"{k} " + ", ".join(f"{t['sample_cpu_s']:.1f}" for _, t in sorted(v.items())) for k, v in times.items())
        + ".", ""]

    # Summary: gan-all@a against gan@a, per cell (scenario x classifier, mean over seeds) and per seed.
    lines += ["## gan-all@a against gan@a", "",
              "Cells = scenario x classifier (means over seeds); differences are gan-all@a minus gan@a. "
              "Seed-level: paired differences over every scenario x classifier x seed.", "",
              "| amount | metric | cells gan-all better | worse | tied | mean diff over cells | "
              "seed-level mean diff +- s.e. (n) |", "|---|---|---|---|---|---|---|"]
    per_seed = frame.pivot_table(index=["scenario", "classifier", "seed"], columns="arm",
                                 values=["macro_f1", "rare_recall", "balanced_accuracy"])
    for amount in AMOUNTS:
        a, b = f"gan-all@{amount:g}", f"gan@{amount:g}"
        for metric in ("macro_f1", "rare_recall", "balanced_accuracy"):
            pivot = _pivot(frame, metric)
            if a not in pivot.columns:
                continue
            diff = pivot[a] - pivot[b]
            d = (per_seed[(metric, a)] - per_seed[(metric, b)]).dropna()
            se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
            lines.append(f"| {amount:g} | {metric} | {int((diff > 1e-12).sum())} of {len(diff)} | "
                         f"{int((diff < -1e-12).sum())} | {int((diff.abs() <= 1e-12).sum())} | {diff.mean():+.3f} | "
                         f"{d.mean():+.3f} +- {se:.3f} ({len(d)}) |")
    lines.append("")
    verdict = []
    for amount in AMOUNTS:
        a, b = f"gan-all@{amount:g}", f"gan@{amount:g}"
        for metric in ("macro_f1", "rare_recall"):
            d = (per_seed[(metric, a)] - per_seed[(metric, b)]).dropna()
            se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
            word = ("higher" if d.mean() - 2 * se > 0 else "lower" if d.mean() + 2 * se < 0
                    else "no difference beyond 2 s.e.")
            verdict.append(f"{metric} @{amount:g}: {word} ({d.mean():+.3f} +- {se:.3f})")
    lines += ["Verdict (gan-all@a minus gan@a, seed-level mean +- s.e.; \"higher\"/\"lower\" when the mean "
              "lies more than 2 s.e. from 0): " + "; ".join(verdict) + ".", ""]
    for clf in CLASSIFIERS:
        sub = frame[frame["classifier"] == clf]
        parts = []
        for amount in AMOUNTS:
            for metric in ("macro_f1", "rare_recall"):
                pivot = _pivot(sub, metric)
                diff = pivot[f"gan-all@{amount:g}"] - pivot[f"gan@{amount:g}"]
                parts.append(f"{metric} @{amount:g}: better in {int((diff > 1e-12).sum())} of {len(diff)}, "
                             f"mean {diff.mean():+.3f}")
        lines.append(f"- {clf}: " + "; ".join(parts) + ".")
    lines.append("")

    for metric in ("macro_f1", "rare_recall", "balanced_accuracy"):
        pivot = _pivot(frame, metric)
        lines += [f"## {metric} (mean over seeds; best arm per row in bold)", "",
                  "| scenario | clf | " + " | ".join(pivot.columns) + " |", "|---|---|" + "---|" * len(pivot.columns)]
        for (scenario, clf), row in pivot.iterrows():
            best = row.max()
            cells = [f"**{v:.3f}**" if v == best else f"{v:.3f}" for v in row]
            lines.append(f"| {scenario} | {clf} | " + " | ".join(cells) + " |")
        lines.append("")
    sizes = frame[frame["classifier"] == CLASSIFIERS[0]].pivot_table(index="scenario", columns="arm",
                                                                     values="n_fit", aggfunc="mean")
    sizes = sizes[[a for a in ARMS if a in sizes.columns]]
    lines += ["## Training rows per arm (mean over seeds)", "", "| scenario | " + " | ".join(sizes.columns) + " |",
              "|---|" + "---|" * len(sizes.columns)]
    for scenario, row in sizes.iterrows():
        lines.append(f"| {scenario} | " + " | ".join(f"{v:.0f}" for v in row) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=DEFAULT_SCENARIOS, choices=list(SCENARIOS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--epochs", type=int, default=None, help="GANAugmenter's epochs (default: its own; "
                                                                  "a small value for a smoke run)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, default=HERE / "table_shortcut_results.json")
    parser.add_argument("--out", type=Path, default=HERE / "TABLE_SHORTCUT.md")
    parser.add_argument("--report-only", action="store_true", help="rewrite --out from the records in --json")
    args = parser.parse_args(argv)
    if args.report_only:
        args.out.write_text(report(json.loads(args.json.read_text())))
        print(f"wrote {args.out}")
        return
    check_tables(args.data_dir, args.scenarios)
    import torch

    torch.set_num_threads(1)
    command = "python benchmarks/bench_table_shortcut.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.json.exists():
        saved = json.loads(args.json.read_text())
        if saved["meta"].get("epochs") != args.epochs:
            sys.exit(f"error: {args.json} holds a run with epochs={saved['meta'].get('epochs')}; pass another --json.")
    else:
        saved = {"commands": [], "records": [], "notes": {}, "times": {}, "wall_s": [], "complete": False,
                 "meta": {"epochs": args.epochs}}
    saved["commands"].append(command.strip())
    saved.setdefault("commits", []).append(_commit())
    saved["wall_s"].append(0.0)
    saved["meta"].update(date=datetime.now(timezone.utc).strftime("%Y-%m-%d"), commit=_commit(),
                         torch=torch.__version__, omp_threads=os.environ.get("OMP_NUM_THREADS", "unset"),
                         torch_threads=torch.get_num_threads())
    started = time.perf_counter()
    for name in args.scenarios:
        for seed in args.seeds:
            records, note, times = run_one(name, seed, args.data_dir, args.epochs)
            saved["records"] = [r for r in saved["records"] if (r["scenario"], r["seed"]) != (name, seed)] + records
            saved["notes"][name] = note
            saved["times"].setdefault(name, {})[str(seed)] = times
            saved["wall_s"][-1] = time.perf_counter() - started
            saved["complete"] = False
            args.json.write_text(json.dumps(saved, indent=1))
            print(f"{name} seed {seed}: GAN fit {times['fit_cpu_s']:.0f} CPU s ({time.perf_counter() - started:.0f} s "
                  "wall)", flush=True)
    saved["complete"] = True
    args.json.write_text(json.dumps(saved, indent=1))
    args.out.write_text(report(saved))
    print(f"wrote {args.out} and {args.json}")


if __name__ == "__main__":
    main()
