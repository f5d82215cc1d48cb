"""Precision: does bf16 autocast keep the GAN top-up's utility? float32 vs bf16, paired by seed.

Issue 15: the default of ``GANAugmenter(precision=...)`` is to be chosen by utility over 5 seeds on
Adult and two KEEL sets, not by speed alone. Per task and seed, the GAN is fitted twice with the
same ``random_state`` (the seed), once with ``precision="float32"`` and once with
``precision="bf16"``, all else at the library's defaults (``label_gate="auto"``), one after the
other so that machine load hits both alike. Tasks:

- ``adult``: the cut Adult task of ``bench_adult.py`` (``_adult.cut_task``: stratified 80/20
  split, the training split's >50K rows cut to 5%); the top-up is ``_adult.resample_gan``
  (``GANAugmenter(classes=['>50K'], random_state=seed).fit_resample``); LR and HGB of
  ``_adult.evaluate_arm``.
- ``yeast``, ``page-blocks``: the KEEL scenarios of ``bench_panel.py`` (its ``load``, its stratified
  70/30 split per seed, its classifiers and scores); the top-up is the panel's GAN at 100% of the
  gap to the majority through the label gate as the library samples by default
  (``label_gate="auto"``), i.e. the panel's ``gated@1`` arm.

Per arm: LR and HGB macro-F1 and recall of the rare class (the rarest training class) on the
untouched test split; wall and CPU time (``time.process_time``) of the GAN (fit, and fit plus
drawing the top-up rows); the final generator / critic losses.

    python benchmarks/bench_precision.py                        # 3 tasks x 5 seeds x 2 precisions
    python benchmarks/bench_precision.py --tasks yeast --seeds 0 --epochs 3 --json smoke.json --out smoke.md
    python benchmarks/bench_precision.py --report-only          # the Markdown from the JSON alone

Writes benchmarks/PRECISION.md and benchmarks/precision_results.json (the JSON after every seed, so
an interrupted run keeps what finished; ``--resume`` skips the arms already in the JSON).
Run with OMP_NUM_THREADS=1: one thread for torch, BLAS/OpenMP (HGB) and the augmenter.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _adult as A  # noqa: E402
import bench_panel as P  # noqa: E402

TASKS = ("adult", "yeast", "page-blocks")
PRECISIONS = ("float32", "bf16")
METRICS = ("LR_macro_f1", "LR_rare_recall", "HGB_macro_f1", "HGB_rare_recall")
METRIC_NAMES = {"LR_macro_f1": "LR macro-F1", "LR_rare_recall": "LR rare recall",
                "HGB_macro_f1": "HGB macro-F1", "HGB_rare_recall": "HGB rare recall"}
PANEL_CLASSIFIERS = {"logreg": "LR", "hgb": "HGB"}  # bench_panel's names -> this report's


# ===================================================================================== one arm
def _gan_params(precision, seed, args):
    params = {"random_state": seed, "precision": precision, "n_threads": 1}
    if args.epochs is not None:  # smoke runs only
        params["epochs"] = args.epochs
    return params


def _losses(augmenter) -> dict:
    history = augmenter.history_
    tail = history[max(0, len(history) - max(1, len(history) // 10)):]
    return {"epochs": len(history), "loss_g_final": float(history[-1]["loss_g"]),
            "loss_d_final": float(history[-1]["loss_d"]),
            "loss_g_last10pct": float(np.mean([r["loss_g"] for r in tail])),
            "loss_d_last10pct": float(np.mean([r["loss_d"] for r in tail])),
            "train_loop_wall_s": float(sum(r["time_s"] for r in history))}


def _gate(augmenter, rare) -> dict:
    gate = getattr(augmenter, "label_gate_", None)
    if gate is None:
        return {"rare_acceptance": None}
    acceptance = dict(zip(map(str, augmenter.classes_), map(float, gate.acceptance)))
    return {"rare_acceptance": acceptance.get(str(rare))}


def run_adult(data, seed, precision, args) -> dict:
    X_tr, y_tr, X_te, y_te = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wall, cpu = time.perf_counter(), time.process_time()
        params = {k: v for k, v in _gan_params(precision, seed, args).items() if k != "random_state"}
        X_res, y_res, augmenter = A.resample_gan(X_tr, y_tr, seed, **params)  # random_state=seed
        gan_cpu, gan_wall = time.process_time() - cpu, time.perf_counter() - wall
    metrics = A.evaluate_arm(X_res, y_res, X_te, y_te, seed)
    record = {"n_train": int(len(y_tr)), "n_rare_train": int((y_tr == A.RARE).sum()), "rare": A.RARE,
              "n_added": int(len(y_res) - len(y_tr)),
              # fit_resample: the fit (GAN and the gate's judge) and drawing the top-up rows together
              "fit_cpu_s": None, "fit_wall_s": None, "gan_cpu_s": gan_cpu, "gan_wall_s": gan_wall,
              **_losses(augmenter), **_gate(augmenter, A.RARE),
              "warnings": sorted({str(w.message)[:200] for w in caught})}
    for clf, values in metrics.items():
        record.update({f"{clf}_macro_f1": values["macro_f1"], f"{clf}_rare_recall": values["rare_recall"]})
    return record


def run_keel(data, seed, precision, args) -> dict:
    """bench_panel's run_one, restricted to its gated@1 arm (rows drawn with label_gate="auto")."""
    from gan_augment import GANAugmenter
    from gan_augment.planner import plan_top_up

    X_tr, y_tr, X_te, y_te = data
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]
    plan = plan_top_up(y_tr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wall, cpu = time.perf_counter(), time.process_time()
        gan = GANAugmenter(**_gan_params(precision, seed, args)).fit(X_tr, y_tr)
        fit_cpu, fit_wall = time.process_time() - cpu, time.perf_counter() - wall
        rows = {c: gan.sample(n, c) for c, n in plan.items() if n > 0}
        gan_cpu, gan_wall = time.process_time() - cpu, time.perf_counter() - wall
    record = {"n_train": int(len(y_tr)), "n_rare_train": int(counts.min()), "rare": str(rare),
              "n_added": int(sum(len(r) for r in rows.values())),
              "fit_cpu_s": fit_cpu, "fit_wall_s": fit_wall, "gan_cpu_s": gan_cpu, "gan_wall_s": gan_wall,
              **_losses(gan), **_gate(gan, rare), "warnings": sorted({str(w.message)[:200] for w in caught})}
    for clf_name, short in PANEL_CLASSIFIERS.items():
        X_fit, y_fit, _ = P.arm_data("gated@1", X_tr, y_tr, plan, seed, {"gated": rows}, clf_name, seed)
        model = P.classifier(clf_name, X_tr, seed).fit(X_fit, y_fit)
        values = P.scores(model, X_te, y_te, rare)
        record.update({f"{short}_macro_f1": values["macro_f1"], f"{short}_rare_recall": values["rare_recall"]})
    return record


class Tasks:
    """The train/test splits per task and seed, built once."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._adult = None
        self.notes = {}

    def split(self, task, seed):
        if task == "adult":
            if self._adult is None:
                self._adult = A.load_adult(A.adult_path(self.data_dir))
            self.notes[task] = "cut Adult (bench_adult.py): stratified 80/20, training >50K rows cut to 5%"
            return A.cut_task(*self._adult, seed)
        X_tr, X_te, y_tr, y_te, note = P.split(task, seed, self.data_dir / "tabular")
        self.notes[task] = f"KEEL (bench_panel.py), stratified 70/30; {note}"
        return X_tr, y_tr, X_te, y_te


# ===================================================================================== main
def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--data-dir", type=Path, default=A.DEFAULT_DATA_DIR,
                        help="folder holding tabular/adult.csv and tabular/keel_*.csv (default: ../shared/data "
                             "from the repo root)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="smoke runs only: override the GAN's epochs (default: the library's 'auto')")
    parser.add_argument("--out", type=Path, default=HERE / "PRECISION.md")
    parser.add_argument("--json", type=Path, default=HERE / "precision_results.json")
    parser.add_argument("--resume", action="store_true",
                        help="keep the records already in --json and skip the (task, seed, precision) they cover")
    parser.add_argument("--report-only", action="store_true", help="write --out from the records in --json")
    args = parser.parse_args(argv)
    if args.report_only:
        write_report(args.out, json.loads(args.json.read_text()))
        print(f"wrote {args.out}")
        return
    if not (args.data_dir / "tabular").is_dir():
        sys.exit(f"error: {args.data_dir / 'tabular'} does not exist; pass --data-dir (the folder holding tabular/).")

    import torch

    torch.set_num_threads(1)
    A.limit_threads(1)
    command = A.recorded_command("bench_precision.py", argv)
    saved = json.loads(args.json.read_text()) if args.resume and args.json.is_file() else {"records": [], "runs": []}
    done = {(r["task"], r["seed"], r["precision"]) for r in saved["records"]}
    run = {"command": command, "data_dir_given": "--data-dir" in " ".join(argv), "epochs_override": args.epochs,
           "started_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": A.machine_info(),
           "wall_s": 0.0, "complete": False}
    saved["runs"].append(run)
    tasks = Tasks(args.data_dir)
    started = time.perf_counter()
    for seed in args.seeds:
        for task in args.tasks:
            if all((task, seed, p) in done for p in PRECISIONS):
                continue
            data = tasks.split(task, seed)
            for precision in PRECISIONS:  # interleaved: float32 then bf16, same seed, same split
                if (task, seed, precision) in done:
                    continue
                load = A.load_average()
                if task == "adult":
                    record = run_adult(data, seed, precision, args)
                else:
                    record = run_keel(data, seed, precision, args)
                record = {"task": task, "seed": seed, "precision": precision, "load_before": load,
                          "epochs_override": args.epochs, **record}
                saved["records"].append(record)
                print(f"{task:<12} seed {seed} {precision:<8} GAN {record['gan_cpu_s']:6.1f} CPU-s "
                      f"{record['gan_wall_s']:6.1f} wall-s  LR F1 {record['LR_macro_f1']:.3f} rec "
                      f"{record['LR_rare_recall']:.3f}  HGB F1 {record['HGB_macro_f1']:.3f} rec "
                      f"{record['HGB_rare_recall']:.3f}  loss_g {record['loss_g_final']:.3f} "
                      f"loss_d {record['loss_d_final']:.3f}  ({time.perf_counter() - started:.0f} s)", flush=True)
        saved["notes"] = {**saved.get("notes", {}), **tasks.notes}
        run["wall_s"] = time.perf_counter() - started
        args.json.write_text(json.dumps(saved, indent=1))
    run["wall_s"], run["complete"] = time.perf_counter() - started, True
    saved["notes"] = {**saved.get("notes", {}), **tasks.notes}
    args.json.write_text(json.dumps(saved, indent=1))
    write_report(args.out, saved)
    print(f"wrote {args.out} and {args.json} ({run['wall_s']:.0f} s)")


# ===================================================================================== report
def paired(frame: pd.DataFrame, task: str) -> pd.DataFrame:
    """Per seed, bf16 minus float32, for the seeds that have both arms."""
    sub = frame[frame["task"] == task]
    wide = sub.pivot_table(index="seed", columns="precision", values=list(METRICS) + ["gan_cpu_s", "fit_cpu_s"])
    out = pd.DataFrame(index=wide.index)
    for metric in METRICS:
        out[metric] = wide[(metric, "bf16")] - wide[(metric, "float32")]
    out["cpu_ratio"] = wide[("gan_cpu_s", "float32")] / wide[("gan_cpu_s", "bf16")]
    return out.dropna()


def _paired_p(d) -> float:
    """Two-sided p-value of a paired t-test (bf16 - float32 = 0); nan when undefined."""
    from scipy import stats

    if len(d) < 2 or np.allclose(d, d[0]):
        return float("nan")
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def verdict(frame: pd.DataFrame, tasks) -> tuple[list[str], dict]:
    """Per task and metric: |mean paired difference| <= float32's seed std, and the difference's SE."""
    rows, summary = [], {"within": 0, "cells": 0, "outside": [], "significant": []}
    for task in tasks:
        diffs = paired(frame, task)
        base = frame[(frame["task"] == task) & (frame["precision"] == "float32")]
        for metric in METRICS:
            d = diffs[metric].to_numpy()
            sd = float(base[metric].std(ddof=1)) if len(base) > 1 else float("nan")
            mean = float(d.mean()) if len(d) else float("nan")
            se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("nan")
            within = bool(abs(mean) <= sd) if np.isfinite(sd) else None
            p_value = _paired_p(d)
            summary["cells"] += 1
            summary["within"] += bool(within)
            if within is False:
                summary["outside"].append(f"{task} {METRIC_NAMES[metric]}")
            if np.isfinite(se) and abs(mean) > 2 * se:
                summary["significant"].append(
                    f"{task} {METRIC_NAMES[metric]} ({mean:+.3f}, SE {se:.3f}, lower in {int((d < 0).sum())} and "
                    f"higher in {int((d > 0).sum())} of {len(d)} seeds, paired t-test p = {p_value:.2f}, "
                    f"{abs(mean) / sd:.2f} of float32's seed std)")
            rows.append((task, metric, mean, se, sd, within, p_value))
    return rows, summary


def write_report(path: Path, saved: dict) -> None:
    frame = pd.DataFrame(saved["records"])
    runs = saved["runs"]
    machine = runs[-1]["machine"]
    tasks = [t for t in TASKS if t in set(frame["task"])]
    smoke = frame["epochs_override"].notna().any()
    wall = sum(r["wall_s"] for r in runs)
    lines = ["# Precision: float32 vs bf16 autocast, utility over seeds (issue 15)", ""]
    if smoke:
        lines += ["> **Smoke run** (`--epochs` override): not the study.", ""]
    for r in runs:
        lines += [f"    OMP_NUM_THREADS=1 {r['command']}", ""]
    lines += [
        f"Commit {machine['git_commit']} (run from a clean worktree of that commit"
        + (", `--data-dir` pointing at the shared data folder that holds `tabular/`" if runs[-1].get("data_dir_given")
           else "") + f"); {wall:.0f} s wall ({wall / 60:.0f} min) in all"
        + ("" if all(r["complete"] for r in runs) else " (a run was interrupted: the tables hold what finished)")
        + f"; started {runs[0]['started_utc']}.", "",
        f"Machine: {machine['cpu']} (with `avx512_bf16`), {machine['nproc']} cores shared with other jobs, one thread "
        f"per process (`OMP_NUM_THREADS=1`, `torch.set_num_threads(1)`, `n_threads=1`); torch {machine['torch']}, "
        f"scikit-learn {machine['scikit-learn']}, Python {machine['python']}. 1-minute load average before each fit: "
        f"{min(float(v.split()[0]) for v in frame['load_before']):.2f}-"
        f"{max(float(v.split()[0]) for v in frame['load_before']):.2f}.", "",
        "Per task and seed the GAN is fitted twice with the same `random_state` (the seed) and the same split, "
        "`precision=\"float32\"` then `precision=\"bf16\"`, everything else at the library's defaults "
        "(`epochs=\"auto\"`, `label_gate=\"auto\"`). bf16: forward passes under bfloat16 autocast; weights, "
        "optimizer state and losses in float32; sampling always float32.", "",
        "Tasks: " + "; ".join(f"**{k}**: {v}" for k, v in saved.get("notes", {}).items() if k in tasks) + ". "
        "Adult's top-up is `GANAugmenter(classes=['>50K'], random_state=seed, precision=..., n_threads=1)"
        ".fit_resample` (bench_adult.py's gan-augment arm) with its LR / HGB; the KEEL top-ups are bench_panel.py's "
        "`gated@1` arm (every class but the majority up to the majority's count, rows drawn with "
        "`label_gate=\"auto\"`) with the panel's logistic regression / gradient boosting. Scores on the untouched "
        "test split; rare = the rarest training class. \"GAN CPU s\" / \"GAN wall s\": the fit (the GAN and the label "
        "gate's judge) plus drawing the top-up rows (for Adult, the whole `fit_resample`); `time.process_time` for "
        "CPU. The KEEL test splits hold few rare rows (yeast POX 6, page-blocks graphic 8), so their rare recall "
        "moves in steps of 1/6 and 1/8.", "",
        "Seeds: " + ", ".join(f"{t} {sorted(frame[frame['task'] == t]['seed'].unique().tolist())}" for t in tasks)
        + ".", "",
    ]
    for task in tasks:
        sub = frame[frame["task"] == task]
        first = sub.iloc[0]
        lines += [f"## {task}", "",
                  f"{int(first['n_train'])} training rows, rare class `{first['rare']}` with "
                  f"{int(first['n_rare_train'])} (seed {int(first['seed'])}); {int(first['epochs'])} epochs.", "",
                  "| precision | LR macro-F1 | LR rare recall | HGB macro-F1 | HGB rare recall | GAN CPU s "
                  "| GAN wall s | final loss G / D |", "|---|---|---|---|---|---|---|---|"]
        for precision in PRECISIONS:
            arm = sub[sub["precision"] == precision]
            if arm.empty:
                continue
            lines.append(f"| {precision} | " + " | ".join(A.mean_std(arm[m]) for m in METRICS)
                         + f" | {A.mean_std(arm['gan_cpu_s'], 0)} | {A.mean_std(arm['gan_wall_s'], 0)} | "
                         f"{arm['loss_g_final'].mean():.3f} / {arm['loss_d_final'].mean():.3f} |")
        diffs = paired(frame, task)
        if len(diffs):
            base = sub[sub["precision"] == "float32"]
            lines += ["", "Paired per seed, bf16 − float32 (mean ± standard error over seeds; float32's seed std "
                      "for scale):", "",
                      "| seed | " + " | ".join(METRIC_NAMES[m] for m in METRICS) + " | GAN CPU ratio float32 / bf16 |",
                      "|---|" + "---|" * (len(METRICS) + 1)]
            for seed, row in diffs.iterrows():
                lines.append(f"| {seed} | " + " | ".join(f"{row[m]:+.3f}" for m in METRICS)
                             + f" | {row['cpu_ratio']:.2f}x |")
            se = diffs.std(ddof=1) / np.sqrt(len(diffs)) if len(diffs) > 1 else diffs.std() * np.nan
            lines.append("| **mean ± SE** | "
                         + " | ".join(f"**{diffs[m].mean():+.3f} ± {se[m]:.3f}**" for m in METRICS)
                         + f" | **{diffs['cpu_ratio'].mean():.2f}x** |")
            lines.append("| float32 std | " + " | ".join(f"{base[m].std(ddof=1):.3f}" for m in METRICS) + " | |")
        fit_cpu = sub.dropna(subset=["fit_cpu_s"])
        if not fit_cpu.empty:
            per = fit_cpu.groupby("precision")["fit_cpu_s"].mean()
            lines += ["", f"Fit alone (GAN and the gate's judge, without drawing rows), CPU s: float32 "
                      f"{per.get('float32', float('nan')):.0f}, bf16 {per.get('bf16', float('nan')):.0f}."]
        acc = sub.dropna(subset=["rare_acceptance"]).groupby("precision")["rare_acceptance"].mean()
        if len(acc):
            lines += ["", "The label gate's acceptance of the rare class (mean over seeds): "
                      + ", ".join(f"{k} {v:.1%}" for k, v in acc.items()) + "."]
        kinds = {}  # a warning's opening words -> fits (precision, seed) that raised it
        for _, r in sub.iterrows():
            for w in {w.split(" (")[0][:100] for w in r["warnings"]}:
                kinds.setdefault(w, []).append(r["precision"])
        if kinds:
            lines += ["", "Warnings during the fits (opening words; fits that raised it): " + "; ".join(
                f"`{w}…` float32 {v.count('float32')}, bf16 {v.count('bf16')}"
                for w, v in sorted(kinds.items())) + "."]
        lines.append("")

    rows, summary = verdict(frame, tasks)
    totals = frame.pivot_table(index=["task", "seed"], columns="precision", values="gan_cpu_s").dropna()
    walls = frame.pivot_table(index=["task", "seed"], columns="precision", values="gan_wall_s").dropna()
    lines += ["## Conclusion", ""]
    if len(totals):
        ratio_cpu = totals["float32"].sum() / totals["bf16"].sum()
        ratio_wall = walls["float32"].sum() / walls["bf16"].sum()
        per_task = ", ".join(f"{t} {totals.loc[t, 'float32'].sum() / totals.loc[t, 'bf16'].sum():.2f}x"
                             for t in tasks if t in totals.index.get_level_values(0))
        speed = (f"On fits, bf16 took {1 / ratio_cpu:.2f} of float32's CPU time over all paired fits ({ratio_cpu:.2f}x "
                 f"faster; {per_task}) and {1 / ratio_wall:.2f} of its wall time ({ratio_wall:.2f}x).")
    else:
        speed = "No paired fits."
    outside = ", ".join(summary["outside"]) or "none"
    significant = ", ".join(summary["significant"]) or "none"
    lines += [
        f"bf16 minus float32, mean over paired seeds, within float32's own seed std (|mean difference| <= std) in "
        f"{summary['within']} of {summary['cells']} cells (task x metric); outside: {outside}. Differences beyond "
        f"2 standard errors of the paired mean: {significant}. {speed}", "",
        "| task | metric | mean bf16 − float32 | SE | paired t-test p | float32 std | within 1 std |",
        "|---|---|---|---|---|---|---|"]
    for task, metric, mean, se, sd, within, p_value in rows:
        p_text = f"{p_value:.2f}" if np.isfinite(p_value) else "n/a (no difference)"
        lines.append(f"| {task} | {METRIC_NAMES[metric]} | {mean:+.3f} | {se:.3f} | {p_text} | {sd:.3f} | "
                     f"{'yes' if within else 'no' if within is not None else 'n/a'} |")
    everywhere = summary["within"] == summary["cells"]
    worst = max(rows, key=lambda r: abs(r[2]) / r[4] if r[4] > 0 else 0.0)
    lines += ["", "In plain words: " + (
        "yes, bf16 stays within one standard deviation of float32's seed spread on every metric and task"
        if everywhere else f"no, bf16 moves {len(summary['outside'])} of {summary['cells']} cells by more than "
                           "float32's seed spread") +
        f" ({summary['within']} of {summary['cells']}); the largest shift relative to that spread is {worst[0]} "
        f"{METRIC_NAMES[worst[1]]} ({worst[2]:+.3f}, {abs(worst[2]) / worst[4]:.2f} std). " + speed +
        " The speed-up is this CPU's (AVX-512 with bf16 instructions); on a CPU without them bf16 autocast made a "
        "step 5.8x slower (SPEED.md, \"Precision\"), so bf16 is only worth asking for where the hardware has it.", ""]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
