"""Training options paired by seed: does a cheaper fit keep the GAN top-up's utility?

Issue 15: a default that makes fits cheaper (``precision``, the loss) is to be chosen by utility
over 5 seeds on Adult and two KEEL sets, not by speed alone. Per task and seed, the GAN is fitted
once per arm with the same ``random_state`` (the seed), the first arm being the reference, all
else at the library's defaults (``label_gate="auto"``), one after the other so that machine load
hits every arm alike. Arms (``--arms``, default ``float32 bf16``: the precision study):

- ``default``: the library's defaults (today ``loss="wgan-gp", n_critic=2, precision="float32"``);
- ``float32``, ``bf16``: ``precision=...`` (everything else the library's default);
- ``hinge``: ``loss="hinge", n_critic=1`` (no gradient penalty, one critic update per generator
  update: about 0.6 of the default step's CPU time);
- ``non-saturating``: ``loss="non-saturating", n_critic=1`` (the same cost);
- ``half-updates``: half the epochs ``epochs="auto"`` plans (about 1,500 generator updates
  instead of 3,000); it needs ``default`` as the reference arm, whose epochs it halves.
- ``penalty-quarter``: the gradient penalty on a quarter of each critic batch's packs
  (``TrainingConfig.penalty_fraction=0.25``, set as the tables' training default for these fits).

Tasks:

- ``adult``: the cut Adult task of ``bench_adult.py`` (``_adult.cut_task``: stratified 80/20
  split, the training split's >50K rows cut to 5%); the top-up is ``_adult.resample_gan``
  (``GANAugmenter(classes=['>50K'], random_state=seed).fit_resample``); LR and HGB of
  ``_adult.evaluate_arm``.
- ``yeast``, ``page-blocks`` (or any other scenario of ``bench_panel.py`` named in ``--tasks``):
  the KEEL scenarios of ``bench_panel.py`` (its ``load``, its stratified
  70/30 split per seed, its classifiers and scores); the top-up is the panel's GAN at 100% of the
  gap to the majority through the label gate as the library samples by default
  (``label_gate="auto"``), i.e. the panel's ``gated@1`` arm.

Per arm: LR and HGB macro-F1 and recall of the rare class (the rarest training class) on the
untouched test split; wall and CPU time (``time.process_time``) of the GAN (fit, and fit plus
drawing the top-up rows); the final generator / critic losses.

    python benchmarks/bench_precision.py                        # 3 tasks x 5 seeds x 2 precisions
    python benchmarks/bench_precision.py --arms default hinge --out benchmarks/LOSS_COST.md --json benchmarks/loss_cost_results.json
    python benchmarks/bench_precision.py --tasks adult --arms default half-updates --out benchmarks/HALF_UPDATES.md --json benchmarks/half_updates_results.json
    python benchmarks/bench_precision.py --tasks yeast --seeds 0 --epochs 3 --json smoke.json --out smoke.md
    python benchmarks/bench_precision.py --report-only          # the Markdown from the JSON alone
    python benchmarks/bench_precision.py --add-baselines --json ... --out ...   # none, class weights, ROS, SMOTE

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
from unittest import mock

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _adult as A  # noqa: E402
import bench_panel as P  # noqa: E402
from _sampling_variants import write_keeping_reading  # noqa: E402

TASKS = ("adult", "yeast", "page-blocks")  # the default; any bench_panel.py scenario may be named too
#: An arm's ``epochs`` that stands for half the epochs the reference arm's ``epochs="auto"`` ran.
HALF_AUTO = "half of the reference's 'auto'"
# Arm name -> GANAugmenter parameters on top of the library's defaults.
ARMS = {"default": {}, "float32": {"precision": "float32"}, "bf16": {"precision": "bf16"},
        "hinge": {"loss": "hinge", "n_critic": 1}, "non-saturating": {"loss": "non-saturating", "n_critic": 1},
        "half-updates": {"epochs": HALF_AUTO}}
# Arm name -> TrainingConfig defaults for tables that GANAugmenter has no parameter for, set for
# that arm's fits only (as a changed library default would be).
TRAINING_DEFAULTS = {"penalty-quarter": {"penalty_fraction": 0.25}}
ARMS.update({arm: {} for arm in TRAINING_DEFAULTS})
METRICS = ("LR_macro_f1", "LR_rare_recall", "HGB_macro_f1", "HGB_rare_recall")
METRIC_NAMES = {"LR_macro_f1": "LR macro-F1", "LR_rare_recall": "LR rare recall",
                "HGB_macro_f1": "HGB macro-F1", "HGB_rare_recall": "HGB rare recall"}
PANEL_CLASSIFIERS = {"logreg": "LR", "hgb": "HGB"}  # bench_panel's names -> this report's


# ===================================================================================== one arm
def _gan_params(arm, seed, args):
    params = {"random_state": seed, "n_threads": 1, **ARMS[arm]}
    if params.get("epochs") == HALF_AUTO:  # the reference arm of this task and seed has run first
        params["epochs"] = max(1, round(args.reference_epochs / 2))
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
            "train_loop_wall_s": float(sum(r["time_s"] for r in history)),
            "penalty_fraction": augmenter.training_config_.penalty_fraction}


def _gate(augmenter, rare) -> dict:
    gate = getattr(augmenter, "label_gate_", None)
    if gate is None:
        return {"rare_acceptance": None}
    acceptance = dict(zip(map(str, augmenter.classes_), map(float, gate.acceptance)))
    return {"rare_acceptance": acceptance.get(str(rare))}


def run_adult(data, seed, arm, args) -> dict:
    X_tr, y_tr, X_te, y_te = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wall, cpu = time.perf_counter(), time.process_time()
        params = {k: v for k, v in _gan_params(arm, seed, args).items() if k != "random_state"}
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


def run_keel(data, seed, arm, args) -> dict:
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
        gan = GANAugmenter(**_gan_params(arm, seed, args)).fit(X_tr, y_tr)
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


#: What a practitioner would do without a GAN, scored on the same splits (``--add-baselines``): the
#: panel's arms for the KEEL tasks (a top-up of every class to the majority's count, as the GAN's),
#: bench_adult.py's for Adult.
BASELINES = {"none": "none", "class weights": "class_weight", "random oversampling": "random@1",
             "SMOTE": "smote@1"}


def run_baselines(task, data, seed) -> list[dict]:
    """One record per baseline of BASELINES, with the LR / HGB scores the GAN arms have."""
    from gan_augment.planner import plan_top_up

    X_tr, y_tr, X_te, y_te = data
    records = []
    for name, panel_arm in BASELINES.items():
        record = {"task": task, "seed": seed, "arm": name}
        if task == "adult":
            resample = {"random oversampling": A.resample_ros, "SMOTE": A.resample_smotenc}.get(name)
            X_fit, y_fit = resample(X_tr, y_tr, seed) if resample else (X_tr, y_tr)
            metrics = A.evaluate_arm(X_fit, y_fit, X_te, y_te, seed, balanced=name == "class weights")
            for clf, values in metrics.items():
                record.update({f"{clf}_macro_f1": values["macro_f1"], f"{clf}_rare_recall": values["rare_recall"]})
        else:
            labels, counts = np.unique(y_tr, return_counts=True)
            rare, plan = labels[np.argmin(counts)], plan_top_up(y_tr)
            for clf_name, short in PANEL_CLASSIFIERS.items():
                X_fit, y_fit, _ = P.arm_data(panel_arm, X_tr, y_tr, plan, seed, {}, clf_name, seed)
                model = P.classifier(clf_name, X_tr, seed, balanced=name == "class weights").fit(X_fit, y_fit)
                values = P.scores(model, X_te, y_te, rare)
                record.update({f"{short}_macro_f1": values["macro_f1"], f"{short}_rare_recall": values["rare_recall"]})
        records.append(record)
    return records


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
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=["adult", *P.SCENARIOS])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--arms", nargs="+", default=["float32", "bf16"], choices=list(ARMS),
                        help="the first is the reference the others are paired with (default: float32 bf16)")
    parser.add_argument("--data-dir", type=Path, default=A.DEFAULT_DATA_DIR,
                        help="folder holding tabular/adult.csv and tabular/keel_*.csv (default: ../shared/data "
                             "from the repo root)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="smoke runs only: override the GAN's epochs (default: the library's 'auto')")
    parser.add_argument("--out", type=Path, default=HERE / "PRECISION.md")
    parser.add_argument("--json", type=Path, default=HERE / "precision_results.json")
    parser.add_argument("--resume", action="store_true",
                        help="keep the records already in --json and skip the (task, seed, arm) they cover")
    parser.add_argument("--report-only", action="store_true", help="write --out from the records in --json")
    parser.add_argument("--add-baselines", action="store_true",
                        help="score no augmentation, class weights, random oversampling and SMOTE(-NC) on every task "
                             "and seed of --json's records, add them to --json and write --out")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="PART",
                        help="join the JSONs of runs made in parallel (e.g. one per task) into --json and --out")
    args = parser.parse_args(argv)
    if len(set(args.arms)) < 2 or len(set(args.arms)) != len(args.arms):
        parser.error("--arms needs at least two different arms, each once")
    if any(ARMS[arm].get("epochs") == HALF_AUTO for arm in args.arms) and "epochs" in ARMS[args.arms[0]]:
        parser.error("an arm of half the 'auto' epochs needs a reference arm (the first) that runs epochs='auto'")
    if args.merge:
        parts = [json.loads(part.read_text()) for part in args.merge]
        merged = {"records": [r for part in parts for r in part["records"]],
                  "runs": [r for part in parts for r in part["runs"]],
                  "notes": {k: v for part in parts for k, v in part.get("notes", {}).items()}}
        args.json.write_text(json.dumps(merged, indent=1))
        write_report(args.out, merged)
        print(f"wrote {args.json} and {args.out}")
        return
    if args.report_only:
        write_report(args.out, json.loads(args.json.read_text()))
        print(f"wrote {args.out}")
        return
    if not (args.data_dir / "tabular").is_dir():
        sys.exit(f"error: {args.data_dir / 'tabular'} does not exist; pass --data-dir (the folder holding tabular/).")
    P.check_tables(args.data_dir, [task for task in args.tasks if task in P.SCENARIOS])
    if args.add_baselines:
        A.limit_threads(1)
        saved = json.loads(args.json.read_text())
        tasks, saved["baselines"] = Tasks(args.data_dir), []
        for task, seed in dict.fromkeys((r["task"], r["seed"]) for r in saved["records"]):
            saved["baselines"] += run_baselines(task, tasks.split(task, seed), seed)
            print(f"baselines: {task} seed {seed}", flush=True)
        saved["baselines_command"] = A.recorded_command("bench_precision.py", argv)
        args.json.write_text(json.dumps(saved, indent=1))
        write_report(args.out, saved)
        print(f"wrote {args.json} and {args.out}")
        return

    import torch

    from gan_augment import config

    torch.set_num_threads(1)
    A.limit_threads(1)
    command = A.recorded_command("bench_precision.py", argv)
    saved = json.loads(args.json.read_text()) if args.resume and args.json.is_file() else {"records": [], "runs": []}
    done = {(r["task"], r["seed"], _arm(r)) for r in saved["records"]}
    run = {"command": command, "data_dir_given": "--data-dir" in " ".join(argv), "epochs_override": args.epochs,
           "arms": args.arms, "started_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "machine": A.machine_info(), "wall_s": 0.0, "complete": False}
    saved["runs"].append(run)
    tasks = Tasks(args.data_dir)
    started = time.perf_counter()
    for seed in args.seeds:
        for task in args.tasks:
            if all((task, seed, arm) in done for arm in args.arms):
                continue
            data = tasks.split(task, seed)
            for arm in args.arms:  # interleaved: every arm on the same seed and split, one after the other
                if (task, seed, arm) in done:
                    continue
                load = A.load_average()
                # The epochs of this task and seed's reference arm (run first here, or in a resumed run).
                args.reference_epochs = next((r["epochs"] for r in saved["records"] if (r["task"], r["seed"], _arm(r))
                                              == (task, seed, args.arms[0])), None)
                with mock.patch.dict(config._KIND_TRAINING_DEFAULTS["tabular"], TRAINING_DEFAULTS.get(arm, {})):
                    record = (run_adult if task == "adult" else run_keel)(data, seed, arm, args)
                params = {**ARMS[arm], **TRAINING_DEFAULTS.get(arm, {})}
                record = {"task": task, "seed": seed, "arm": arm, "params": params, "load_before": load,
                          "epochs_override": args.epochs, **record}
                saved["records"].append(record)
                print(f"{task:<12} seed {seed} {arm:<14} GAN {record['gan_cpu_s']:6.1f} CPU-s "
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


def _arm(record: dict) -> str:
    # Records of the first (precision) study name their arm by its precision alone.
    return record.get("arm") or record["precision"]


# ===================================================================================== report
def paired(frame: pd.DataFrame, task: str, arm: str, base: str) -> pd.DataFrame:
    """Per seed, ``arm`` minus ``base``, for the seeds that have both."""
    sub = frame[frame["task"] == task]
    wide = sub.pivot_table(index="seed", columns="arm", values=list(METRICS) + ["gan_cpu_s"])
    out = pd.DataFrame(index=wide.index)
    for metric in METRICS:
        out[metric] = wide[(metric, arm)] - wide[(metric, base)]
    out["cpu_ratio"] = wide[("gan_cpu_s", base)] / wide[("gan_cpu_s", arm)]
    return out.dropna()


def _paired_p(d) -> float:
    """Two-sided p-value of a paired t-test (difference = 0); nan when undefined."""
    from scipy import stats

    if len(d) < 2 or np.allclose(d, d[0]):
        return float("nan")
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def verdict(frame: pd.DataFrame, tasks, arm: str, base: str) -> tuple[list[str], dict]:
    """Per task and metric: |mean paired difference| <= the reference's seed std, and the difference's SE."""
    rows, summary = [], {"within": 0, "cells": 0, "outside": [], "significant": []}
    for task in tasks:
        diffs = paired(frame, task, arm, base)
        reference = frame[(frame["task"] == task) & (frame["arm"] == base)]
        for metric in METRICS:
            d = diffs[metric].to_numpy()
            sd = float(reference[metric].std(ddof=1)) if len(reference) > 1 else float("nan")
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
                    f"{abs(mean) / sd:.2f} of {base}'s seed std)")
            rows.append((task, metric, mean, se, sd, within, p_value))
    return rows, summary


def _describe(arm: str) -> str:
    settings = {**ARMS[arm], **TRAINING_DEFAULTS.get(arm, {})}
    return ", ".join(f"{k}={v!r}" for k, v in settings.items()) or "the library's defaults"


def write_report(path: Path, saved: dict) -> None:
    frame = pd.DataFrame(saved["records"])
    frame["arm"] = [_arm(r) for r in saved["records"]]
    runs = saved["runs"]
    machine = runs[-1]["machine"]
    arms = list(runs[-1].get("arms") or ("float32", "bf16"))
    base, others = arms[0], arms[1:]
    tasks = list(dict.fromkeys(frame["task"]))  # in the order they ran
    smoke = frame["epochs_override"].notna().any()
    wall = sum(r["wall_s"] for r in runs)
    title = ("Precision: float32 vs bf16 autocast" if arms == ["float32", "bf16"]
             else "Training options: " + " vs ".join(arms))
    lines = [f"# {title}, utility over seeds (issue 15)", ""]
    if smoke:
        lines += ["> **Smoke run** (`--epochs` override): not the study.", ""]
    for r in runs:
        lines += [f"    OMP_NUM_THREADS=1 {r['command']}", ""]
    if saved.get("baselines_command"):
        lines += [f"    {saved['baselines_command']}", "",
                  "The last command adds, on the same splits and seeds, what a practitioner would do without a GAN: "
                  "no augmentation, `class_weight=\"balanced\"`, random oversampling and SMOTE(-NC) topping up as "
                  "the GAN does (the rows without CPU figures in each task's table).", ""]
    lines += [
        f"Commit {machine['git_commit']} (run from a clean worktree of that commit"
        + (", `--data-dir` pointing at the shared data folder that holds `tabular/`" if runs[-1].get("data_dir_given")
           else "") + f"); {wall:.0f} s wall ({wall / 60:.0f} min) in all"
        + ("" if all(r["complete"] for r in runs) else " (a run was interrupted: the tables hold what finished)")
        + f"; started {runs[0]['started_utc']}.", "",
        f"Machine: {machine['cpu']}, {machine['nproc']} cores shared with other jobs, one thread "
        f"per process (`OMP_NUM_THREADS=1`, `torch.set_num_threads(1)`, `n_threads=1`); torch {machine['torch']}, "
        f"scikit-learn {machine['scikit-learn']}, Python {machine['python']}. 1-minute load average before each fit: "
        f"{min(float(v.split()[0]) for v in frame['load_before']):.2f}-"
        f"{max(float(v.split()[0]) for v in frame['load_before']):.2f}.", "",
        "Per task and seed the GAN is fitted once per arm with the same `random_state` (the seed) and the same "
        "split, one arm after the other, everything else at the library's defaults (`epochs=\"auto\"`, "
        "`label_gate=\"auto\"`). Arms: " + "; ".join(f"`{a}`: {_describe(a)}" for a in arms)
        + f". `{base}` is the reference.", "",
        "Tasks: " + "; ".join(f"**{k}**: {v}" for k, v in saved.get("notes", {}).items() if k in tasks) + ". "
        "Adult's top-up is `GANAugmenter(classes=['>50K'], random_state=seed, n_threads=1, <arm>)"
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
                  "| arm | LR macro-F1 | LR rare recall | HGB macro-F1 | HGB rare recall | GAN CPU s "
                  "| GAN wall s | final loss G / D |", "|---|---|---|---|---|---|---|---|"]
        for arm in arms:
            rows = sub[sub["arm"] == arm]
            if rows.empty:
                continue
            lines.append(f"| {arm} | " + " | ".join(A.mean_std(rows[m]) for m in METRICS)
                         + f" | {A.mean_std(rows['gan_cpu_s'], 0)} | {A.mean_std(rows['gan_wall_s'], 0)} | "
                         f"{rows['loss_g_final'].mean():.3f} / {rows['loss_d_final'].mean():.3f} |")
        baselines = pd.DataFrame(saved.get("baselines", []))
        for name in BASELINES:
            rows = baselines[(baselines["task"] == task) & (baselines["arm"] == name)] if len(baselines) else baselines
            if len(rows):
                lines.append(f"| {name} | " + " | ".join(A.mean_std(rows[m]) for m in METRICS) + " | - | - | - |")
        reference = sub[sub["arm"] == base]
        for arm in others:
            diffs = paired(frame, task, arm, base)
            if not len(diffs):
                continue
            lines += ["", f"Paired per seed, {arm} − {base} (mean ± standard error over seeds; {base}'s seed std "
                      "for scale):", "",
                      "| seed | " + " | ".join(METRIC_NAMES[m] for m in METRICS) + f" | GAN CPU ratio {base} / {arm} |",
                      "|---|" + "---|" * (len(METRICS) + 1)]
            for seed, row in diffs.iterrows():
                lines.append(f"| {seed} | " + " | ".join(f"{row[m]:+.3f}" for m in METRICS)
                             + f" | {row['cpu_ratio']:.2f}x |")
            se = diffs.std(ddof=1) / np.sqrt(len(diffs)) if len(diffs) > 1 else diffs.std() * np.nan
            lines.append("| **mean ± SE** | "
                         + " | ".join(f"**{diffs[m].mean():+.3f} ± {se[m]:.3f}**" for m in METRICS)
                         + f" | **{diffs['cpu_ratio'].mean():.2f}x** |")
            lines.append(f"| {base} std | " + " | ".join(f"{reference[m].std(ddof=1):.3f}" for m in METRICS) + " | |")
        fit_cpu = sub.dropna(subset=["fit_cpu_s"])
        if not fit_cpu.empty:
            per = fit_cpu.groupby("arm")["fit_cpu_s"].mean()
            lines += ["", "Fit alone (GAN and the gate's judge, without drawing rows), CPU s: "
                      + ", ".join(f"{a} {per.get(a, float('nan')):.0f}" for a in arms) + "."]
        acc = sub.dropna(subset=["rare_acceptance"]).groupby("arm")["rare_acceptance"].mean()
        if len(acc):
            lines += ["", "The label gate's acceptance of the rare class (mean over seeds): "
                      + ", ".join(f"{k} {v:.1%}" for k, v in acc.items()) + "."]
        kinds = {}  # a warning's opening words -> the arms of the fits that raised it
        for _, r in sub.iterrows():
            for w in {w.split(" (")[0][:100] for w in r["warnings"]}:
                kinds.setdefault(w, []).append(r["arm"])
        if kinds:
            lines += ["", "Warnings during the fits (opening words; fits that raised it): " + "; ".join(
                f"`{w}…` " + ", ".join(f"{a} {v.count(a)}" for a in arms)
                for w, v in sorted(kinds.items())) + "."]
        lines.append("")

    lines += ["## Conclusion", ""]
    totals = frame.pivot_table(index=["task", "seed"], columns="arm", values="gan_cpu_s")
    walls = frame.pivot_table(index=["task", "seed"], columns="arm", values="gan_wall_s")
    for arm in others:
        rows, summary = verdict(frame, tasks, arm, base)
        pair = totals[[base, arm]].dropna() if arm in totals else totals.iloc[:0]
        if len(pair):
            wall_pair = walls[[base, arm]].dropna()
            ratio_cpu = pair[base].sum() / pair[arm].sum()
            ratio_wall = wall_pair[base].sum() / wall_pair[arm].sum()
            per_task = ", ".join(f"{t} {pair.loc[t, base].sum() / pair.loc[t, arm].sum():.2f}x"
                                 for t in tasks if t in pair.index.get_level_values(0))
            speed = (f"On fits, {arm} took {1 / ratio_cpu:.2f} of {base}'s CPU time over all paired fits "
                     f"({ratio_cpu:.2f}x faster; {per_task}) and {1 / ratio_wall:.2f} of its wall time "
                     f"({ratio_wall:.2f}x).")
        else:
            speed = "No paired fits."
        outside = ", ".join(summary["outside"]) or "none"
        significant = ", ".join(summary["significant"]) or "none"
        lines += [
            f"### {arm} − {base}", "",
            f"Mean over paired seeds, within {base}'s own seed std (|mean difference| <= std) in "
            f"{summary['within']} of {summary['cells']} cells (task x metric); outside: {outside}. Differences beyond "
            f"2 standard errors of the paired mean: {significant}. {speed}", "",
            f"| task | metric | mean {arm} − {base} | SE | paired t-test p | {base} std | within 1 std |",
            "|---|---|---|---|---|---|---|"]
        for task, metric, mean, se, sd, within, p_value in rows:
            p_text = f"{p_value:.2f}" if np.isfinite(p_value) else "n/a (no difference)"
            lines.append(f"| {task} | {METRIC_NAMES[metric]} | {mean:+.3f} | {se:.3f} | {p_text} | {sd:.3f} | "
                         f"{'yes' if within else 'no' if within is not None else 'n/a'} |")
        everywhere = summary["within"] == summary["cells"]
        worst = max(rows, key=lambda r: abs(r[2]) / r[4] if r[4] > 0 else 0.0)
        lines += ["", "In plain words: " + (
            f"yes, {arm} stays within one standard deviation of {base}'s seed spread on every metric and task"
            if everywhere else f"no, {arm} moves {len(summary['outside'])} of {summary['cells']} cells by more than "
                               f"{base}'s seed spread") +
            f" ({summary['within']} of {summary['cells']}); the largest shift relative to that spread is {worst[0]} "
            f"{METRIC_NAMES[worst[1]]} ({worst[2]:+.3f}, {abs(worst[2]) / worst[4]:.2f} std). " + speed, ""]
    if "bf16" in arms:
        lines += ["bf16's speed-up is the CPU's (AVX-512 with bf16 instructions); on a CPU without them bf16 autocast "
                  "made a step 5.8x slower (SPEED.md, \"Precision\"), so bf16 is only worth asking for where the "
                  "hardware has it.", ""]
    write_keeping_reading(path, "\n".join(lines))


if __name__ == "__main__":
    main()
