"""Snapshot selection (issues 11 and 15): does picking the generator snapshot that a training-data
fidelity score rates best, or stopping when that score stops improving, beat the last snapshot?

One default fit per task and seed, rated about ``--ratings`` times (evenly over the run) by
``gan_augment.selection.c2st_scorer`` (mean |C2ST AUC - 0.5| of the topped-up classes' synthetic
rows against their real training rows) and by the collapse check's relative coverage; every rated
snapshot of the EMA generator is kept. Afterwards each snapshot tops up the training split and LR
and HGB are scored on the untouched test split. The report compares, over seeds:

- ``last``: the last snapshot (what a default fit samples from today);
- ``c2st best``: the snapshot with the best score (``SnapshotSelection`` without patience);
- ``c2st patience P``: training stopped once P ratings in a row did not improve, best snapshot so far
  (simulated on the ratings of the full run: the same snapshots a stopped run would have had);
- ``coverage best``: the snapshot with the highest relative coverage;
- ``oracle``: the snapshot with the best test macro-F1 of HGB (not a method: an upper bound).

Tasks: ``adult`` (the cut-Adult task of RESULTS.md: ``>50K`` cut to 5% of the training split, topped
up to the majority) and any scenario of ``bench_panel.py`` (its 70/30 split, the default plan).

    OMP_NUM_THREADS=1 python benchmarks/bench_snapshots.py --task adult --seeds 0 1 2 3 4
    python benchmarks/bench_snapshots.py --merge part0.json part1.json   # seeds run in parallel
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent
PATIENCES = (3, 5)


# ===================================================================================== tasks
def adult_task(seed, data_dir):
    from _adult import RARE, adult_path, cut_task, evaluate_arm, load_adult

    X, y = load_adult(adult_path(data_dir.parent if data_dir.name == "tabular" else data_dir))  # the folder above
    X_tr, y_tr, X_te, y_te = cut_task(X, y, seed)

    def evaluate(X_fit, y_fit):
        return evaluate_arm(X_fit, y_fit, X_te, y_te, seed)

    return X_tr, y_tr, {"classes": [RARE]}, RARE, evaluate


def panel_task(name, seed, data_dir):
    from sklearn.model_selection import train_test_split

    import bench_panel

    X, y, _ = bench_panel.load(name, data_dir, seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    X_tr, X_te = X_tr.reset_index(drop=True), X_te.reset_index(drop=True)
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]

    def evaluate(X_fit, y_fit):
        out = {}
        for clf, key in (("logreg", "LR"), ("hgb", "HGB")):
            model = bench_panel.classifier(clf, X_tr, seed).fit(X_fit, y_fit)
            out[key] = bench_panel.scores(model, X_te, y_te, rare)
        return out

    return X_tr, y_tr, {}, rare, evaluate


# ===================================================================================== one seed
def run_seed(task, seed, n_ratings, data_dir, epochs="auto") -> dict:
    from gan_augment import GANAugmenter
    from gan_augment.diversity import measure_class
    from gan_augment.selection import c2st_scorer
    from gan_augment.training import SnapshotSelection
    from gan_augment.training.trainer import generate

    if task == "adult":
        X_tr, y_tr, params, rare, evaluate = adult_task(seed, data_dir)
    else:
        X_tr, y_tr, params, rare, evaluate = panel_task(task, seed, data_dir)
    # The full run, every snapshot kept: the rules are applied to its ratings afterwards.
    augmenter = GANAugmenter(random_state=seed, n_threads=1, epochs=epochs, early_stopping=False, **params)
    plan = augmenter._resolve_sampling_strategy(X_tr, y_tr)
    labels = np.unique(np.asarray(y_tr))
    y_index = np.searchsorted(labels, np.asarray(y_tr))
    topped = [int(np.searchsorted(labels, label)) for label, n in plan.items() if n > 0]
    rare_index = int(np.searchsorted(labels, rare))
    rare_real = X_tr.iloc[np.flatnonzero(y_index == rare_index)]
    ratings, snapshots, rating_cpu, scorer = [], {}, [0.0], []

    def score(generator):
        started = time.process_time()
        if not scorer:  # the codec exists once fit has begun
            scorer.append(c2st_scorer(augmenter.kind_, augmenter.encoder_, X_tr, y_index, topped, seed=seed))
        value = scorer[0](generator)
        # The collapse check's relative coverage of the rarest class, as a second criterion.
        encoded = generate(generator, max(200, len(rare_real)), rare_index, seed=seed + 1)
        synthetic = augmenter.kind_.decode(augmenter.encoder_, encoded, seed=seed + 1)
        diversity = measure_class(*augmenter.kind_.diversity_features(augmenter.encoder_, rare_real, synthetic))
        ratings.append({"c2st": value, "relative_coverage": diversity.relative_coverage,
                        "coverage": diversity.coverage})
        snapshots[len(ratings) - 1] = {k: v.detach().clone() for k, v in generator.state_dict().items()}
        rating_cpu[0] += time.process_time() - started
        return value

    class Every(SnapshotSelection):
        def on_train_begin(self, trainer):
            self.every = max(1, trainer.n_epochs_ // n_ratings)
            super().on_train_begin(trainer)

    selection = Every(score)
    augmenter.set_params(callbacks=[selection])
    c0, w0 = time.process_time(), time.perf_counter()
    augmenter.fit(X_tr, y_tr)
    fit_cpu, fit_wall = time.process_time() - c0, time.perf_counter() - w0
    n_epochs = len(augmenter.history_)
    for i, (epoch, _) in enumerate(selection.scores_):
        ratings[i]["epoch"] = epoch
    generator = augmenter.generator_
    for i, rating in enumerate(ratings):
        generator.load_state_dict(snapshots[i])
        parts, ys = [X_tr], [np.asarray(y_tr, dtype=object)]
        for label, n in plan.items():
            if n > 0:
                parts.append(augmenter.sample(n, label, random_state=seed))
                ys.append(np.full(n, label, dtype=object))
        X_fit = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)
        rating["scores"] = evaluate(X_fit, np.concatenate(ys))
        print(f"{task} seed {seed}: snapshot {i + 1}/{len(ratings)} (epoch {rating['epoch']}) "
              f"c2st {rating['c2st']:.3f} HGB macro-F1 {rating['scores']['HGB']['macro_f1']:.3f}", flush=True)
    return {"task": task, "seed": seed, "n_epochs": n_epochs, "fit_cpu_s": fit_cpu, "fit_wall_s": fit_wall,
            "rating_cpu_s": rating_cpu[0], "ratings": ratings}


# ===================================================================================== report
def choices(run: dict) -> dict:
    """Which rating each rule picks, and the share of the run's epochs it trained for."""
    ratings = run["ratings"]
    c2st = [r["c2st"] for r in ratings]
    out = {"last": (len(ratings) - 1, 1.0), "c2st best": (int(np.nanargmin(c2st)), 1.0)}
    for patience in PATIENCES:
        best, best_i, wait, stop = np.inf, 0, 0, len(ratings) - 1
        for i, value in enumerate(c2st):
            if value < best:
                best, best_i, wait = value, i, 0
            else:
                wait += 1
                if wait >= patience:
                    stop = i
                    break
        out[f"c2st patience {patience}"] = (best_i, ratings[stop]["epoch"] / run["n_epochs"])
    coverage = np.array([r["relative_coverage"] for r in ratings], dtype=float)
    if np.isfinite(coverage).any():
        out["coverage best"] = (int(np.nanargmax(coverage)), 1.0)
    out["oracle (test HGB)"] = (int(np.argmax([r["scores"]["HGB"]["macro_f1"] for r in ratings])), 1.0)
    return out


def report(runs: list[dict], command: str, wall_s: float | None) -> str:
    from scipy.stats import spearmanr

    tasks = sorted({r["task"] for r in runs})
    lines = ["# Snapshot selection by a training-data fidelity score (issues 11 and 15)", "",
             f"Command: `{command}` (OMP_NUM_THREADS=1)"
             + (f", {wall_s / 60:.0f} min wall." if wall_s is not None else "."), "",
             "One default GANAugmenter fit per task and seed, rated about 20 times; every rated EMA snapshot "
             "tops up the training split and LR / HGB are scored on the untouched test split. Rules as in "
             "the script's docstring; `epochs used` is the share of the full run a rule trains for. "
             "Mean ± std over seeds.", ""]
    for task in tasks:
        task_runs = [r for r in runs if r["task"] == task]
        lines += [f"## {task} ({len(task_runs)} seeds: {', '.join(str(r['seed']) for r in task_runs)})", "",
                  "Fit CPU s (with the ratings): " + ", ".join(f"{r['fit_cpu_s']:.0f}" for r in task_runs)
                  + "; of which rating: " + ", ".join(f"{r['rating_cpu_s']:.0f}" for r in task_runs) + ".", "",
                  "| rule | epochs used | LR macro-F1 | LR rare recall | HGB macro-F1 | HGB rare recall |",
                  "|---|---|---|---|---|---|"]
        picks = [choices(r) for r in task_runs]
        for rule in picks[0]:
            if not all(rule in p for p in picks):
                continue
            cells = [np.mean([p[rule][1] for p in picks])]
            row = [f"{cells[0]:.2f}"]
            for clf in ("LR", "HGB"):
                for metric in ("macro_f1", "rare_recall"):
                    values = [r["ratings"][p[rule][0]]["scores"][clf][metric] for r, p in zip(task_runs, picks)]
                    row.append(f"{np.mean(values):.3f} ± {np.std(values, ddof=1) if len(values) > 1 else 0:.3f}")
            lines.append(f"| {rule} | " + " | ".join(row) + " |")
        rho = [spearmanr([x["c2st"] for x in r["ratings"]],
                         [x["scores"]["HGB"]["macro_f1"] for x in r["ratings"]]).statistic for r in task_runs]
        lines += ["", "Spearman correlation, over one run's snapshots, of the c2st score with HGB macro-F1 (negative "
                  "is what selection needs: lower score, better model): " + ", ".join(f"{v:+.2f}" for v in rho) + ".",
                  "", "Per seed: epoch of each rule's pick (of the run's epochs): " + "; ".join(
                      f"seed {r['seed']}: " + ", ".join(f"{k} {r['ratings'][v[0]]['epoch']}" for k, v in p.items())
                      + f" (of {r['n_epochs']})" for r, p in zip(task_runs, picks)), ""]
    return "\n".join(lines)


def main(argv=None):
    from _adult import DEFAULT_DATA_DIR, limit_threads

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="adult", help="adult, or a scenario of bench_panel.py")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--ratings", type=int, default=20)
    parser.add_argument("--epochs", default="auto", help="GANAugmenter epochs (default auto; a number for a smoke run)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--json", type=Path, default=HERE / "snapshots.json")
    parser.add_argument("--out", type=Path, default=HERE / "SNAPSHOTS.md")
    parser.add_argument("--merge", type=Path, nargs="+", help="write the report from these JSON parts")
    parser.add_argument("--command", help="the command to print in the report (with --merge)")
    args = parser.parse_args(argv)
    if args.merge:
        parts = [json.loads(p.read_text()) for p in args.merge]
        runs = [run for part in parts for run in part["runs"]]
        # A merged file is a part too (its wall time kept since; the committed one had none: 67 min).
        walls = [p["wall_s"] for p in parts if p.get("wall_s") is not None]
        wall = max(walls) if walls else None
        command = args.command or parts[0].get("command") or ""
        text = report(runs, command, wall)  # before writing --json, which may be one of the parts read
        args.json.write_text(json.dumps({"command": command, "runs": runs, "wall_s": wall}, indent=1))
        args.out.write_text(text)
        return
    limit_threads(1)
    command = "python benchmarks/bench_snapshots.py " + " ".join(argv if argv is not None else sys.argv[1:])
    started, runs = time.perf_counter(), []
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)
    for seed in args.seeds:
        runs.append(run_seed(args.task, seed, args.ratings, args.data_dir, epochs))
        wall = time.perf_counter() - started
        args.json.write_text(json.dumps({"command": command, "runs": runs, "wall_s": wall}, indent=1))
    args.out.write_text(report(runs, command, time.perf_counter() - started))
    print(f"wrote {args.out} and {args.json}")


if __name__ == "__main__":
    main()
