"""Defaults sweep for GANAugmenter on the cut-Adult utility task (gan-augment only).

Grid: loss in {wgan-gp (n_critic 1 and 2), hinge, non-saturating} x training length in
{epochs="auto", 2x that}, all at lr 2e-4; then lr 1e-3 for the best loss. Parameters not set in
``GRID`` are the library's defaults *at the time of the run*, and so is the length "auto" resolves to
(DEFAULTS_SWEEP.md records the commit; the first sweep ran with "auto" = ~1,500 generator steps,
since raised to 3,000, so a re-run now compares 3,000 with 6,000).
Each configuration is fitted once per seed at 2x length; the "auto" result is the EMA generator
snapshotted at the epoch "auto" resolves to. With ``lr_schedule=None`` (the default) the learning
rate does not depend on the planned length, so that snapshot is the model a separate
``epochs="auto"`` fit with the same seed would give (``--check-snapshot`` verifies it on a
subsample). Its fit time is the wall time from the start of ``fit_resample`` to the snapshot, plus
sampling.

    .venv/bin/python benchmarks/sweep_defaults.py --seeds 0 1
"""

from __future__ import annotations

import argparse
import copy
import json
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _adult as A  # noqa: E402
from gan_augment.training import Callback  # noqa: E402

HERE = Path(__file__).resolve().parent

# Explicit values, so that re-running the sweep measures the same grid whatever the library's
# defaults are by then (the first sweep ran when these were the defaults: lr 2e-4, n_critic 1).
_BASE = {"n_critic": 1, "lr_g": 2e-4, "lr_d": 2e-4}
GRID = [
    ("wgan-gp, n_critic=1", {**_BASE, "loss": "wgan-gp"}),
    ("wgan-gp, n_critic=2", {**_BASE, "loss": "wgan-gp", "n_critic": 2}),
    ("hinge", {**_BASE, "loss": "hinge"}),
    ("non-saturating", {**_BASE, "loss": "non-saturating"}),
]


class Snapshot(Callback):
    """Callback: keep a copy of the sampling generator after epoch ``at`` and when it was taken."""

    def __init__(self, at: int, clock_start: list):
        self.at, self.clock_start = at, clock_start
        self.generator, self.elapsed = None, None

    def on_epoch_end(self, trainer, record):
        if record["epoch"] == self.at:
            self.generator = copy.deepcopy(trainer.sampling_generator).eval().requires_grad_(False)
            self.elapsed = time.perf_counter() - self.clock_start[0]


def fit_with_snapshot(X, y, seed, params, snapshot_epoch, total_epochs):
    """One fit at ``total_epochs``; returns {"auto": (X_res, y_res, seconds), "2x": (...)}."""
    from gan_augment import GANAugmenter

    clock = [0.0]
    snap = Snapshot(snapshot_epoch, clock)
    augmenter = GANAugmenter(classes=[A.RARE], random_state=seed, epochs=total_epochs, callbacks=[snap], **params)
    clock[0] = time.perf_counter()
    X_long, y_long = augmenter.fit_resample(X, y)
    long_s = time.perf_counter() - clock[0]
    # Draw the "auto" rows from the snapshot exactly as fit_resample draws them.
    final_generator = augmenter.generator_
    augmenter.generator_ = snap.generator
    t = time.perf_counter()
    n_new = augmenter.sampling_strategy_[A.RARE]
    rows = augmenter.sample(n_new, A.RARE)
    sample_s = time.perf_counter() - t
    augmenter.generator_ = final_generator
    X_auto = pd.concat([X.reset_index(drop=True), rows.reset_index(drop=True)], ignore_index=True)
    y_auto = np.concatenate([np.asarray(y, dtype=object), np.full(n_new, A.RARE, dtype=object)])
    return {"auto": (X_auto, y_auto, snap.elapsed + sample_s), "2x": (X_long, y_long, long_s)}


def check_snapshot(X, y):
    """A snapshot at epoch 2 of a 4-epoch fit equals a separate 2-epoch fit (bit-identical rows)."""
    from gan_augment import GANAugmenter

    Xs, ys = X.iloc[:3000], y[:3000]
    out = fit_with_snapshot(Xs, ys, 0, {}, 2, 4)
    direct, _ = GANAugmenter(classes=[A.RARE], random_state=0, epochs=2).fit_resample(Xs, ys)
    ok = out["auto"][0].equals(direct)
    print(f"snapshot check: snapshot at epoch 2 of 4 {'==' if ok else '!='} separate 2-epoch fit", flush=True)
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help=f"folder holding tabular/adult.csv (default {A.DEFAULT_DATA_DIR})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--lr-loss", default=None, help="grid label to re-run at lr 1e-3 (default: best of the grid)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 seed, 4 epochs instead of auto")
    parser.add_argument("--check-snapshot", action="store_true")
    parser.add_argument("--stage", choices=["all", "grid", "lr", "cost"], default="all",
                        help="grid: baselines + loss/n_critic/length grid; lr: only the lr 1e-3 run (needs --lr-loss); "
                             "all: both, picking the best loss from this run's grid; cost: time every config "
                             "back to back for --cost-epochs epochs, interleaved over --cost-rounds rounds")
    parser.add_argument("--cost-epochs", type=int, default=4)
    parser.add_argument("--cost-rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (use 1 on a shared, loaded machine)")
    parser.add_argument("--out", default=str(HERE / "DEFAULTS_SWEEP.md"))
    parser.add_argument("--json", default=str(HERE / "defaults_sweep.json"))
    parser.add_argument("--notes", help="markdown file appended to --out (findings written by hand)")
    parser.add_argument("--merge", nargs="+", metavar="JSON",
                        help="only merge these JSON files (e.g. one per seed or stage, run in parallel) and write --out")
    args = parser.parse_args(argv)
    command = shlex.join([".venv/bin/python", "benchmarks/sweep_defaults.py",
                          *(sys.argv[1:] if argv is None else argv)])
    if args.merge:
        merged = merge([json.loads(Path(f).read_text()) for f in args.merge])
        merged["merge_command"] = command.strip()
        text = render(merged)
        if args.notes:
            text += "\n" + Path(args.notes).read_text()
        Path(args.out).write_text(text)
        Path(args.json).write_text(json.dumps(merged, indent=1))
        print(f"wrote {args.out} and {args.json}")
        return

    import torch

    torch.set_num_threads(args.threads)
    A.limit_threads(args.threads)
    X_all, y_all = A.load_adult(A.adult_path(args.data_dir))
    seeds = args.seeds[:1] if args.quick else args.seeds
    started = time.perf_counter()
    results = {"command": command.strip(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "machine": A.machine_info(), "rows": []}

    tasks = {seed: A.cut_task(X_all, y_all, seed) for seed in seeds}
    n_rows = len(tasks[seeds[0]][1])
    auto, steps = A.auto_epochs(n_rows)
    if args.quick:
        auto = 2
    results["auto_epochs"], results["steps_per_epoch"], results["n_train_rows"] = auto, steps, n_rows
    from gan_augment import GANAugmenter
    from gan_augment.config import AUTO_TARGET_STEPS

    defaults = GANAugmenter().get_params()
    results["defaults"] = {k: defaults[k] for k in ("loss", "n_critic", "lr_g", "lr_d", "batch_size", "ema_decay", "pac")}
    results["defaults"]["auto_target_steps"] = AUTO_TARGET_STEPS
    print(f"cut training split: {n_rows} rows, {int((tasks[seeds[0]][1] == A.RARE).sum())} of class {A.RARE}; "
          f"epochs='auto' -> {auto} epochs x {steps} steps", flush=True)
    if args.check_snapshot:
        results["snapshot_check"] = check_snapshot(*tasks[seeds[0]][:2])

    def record(label, length, seed, metrics, fit_s, extra=None):
        row = {"config": label, "length": length, "seed": seed, "fit_s": fit_s, **(extra or {}),
               **A.flat_metrics(metrics)}
        results["rows"].append(row)
        print(f"  seed {seed} {label:<28} {length:<5} fit {fit_s:6.1f}s  "
              f"F1 LR {metrics['LR']['macro_f1']:.3f} HGB {metrics['HGB']['macro_f1']:.3f}  "
              f"recall LR {metrics['LR']['rare_recall']:.3f} HGB {metrics['HGB']['rare_recall']:.3f}", flush=True)
        Path(args.json).write_text(json.dumps(results, indent=1))

    # Reference baselines (cheap): none / random oversampling / SMOTE-NC.
    for seed in (seeds if args.stage in ("all", "grid") else []):
        X_tr, y_tr, X_te, y_te = tasks[seed]
        for label, fn in (("none", None), ("random oversampling", A.resample_ros), ("SMOTE-NC", A.resample_smotenc)):
            t = time.perf_counter()
            X_r, y_r = (X_tr, y_tr) if fn is None else fn(X_tr, y_tr, seed)
            fit_s = time.perf_counter() - t
            record(label, "-", seed, A.evaluate_arm(X_r, y_r, X_te, y_te, seed), fit_s)

    def run_config(label, params):
        for seed in seeds:
            X_tr, y_tr, X_te, y_te = tasks[seed]
            out = fit_with_snapshot(X_tr, y_tr, seed, params, auto, 2 * auto)
            for length, (X_r, y_r, fit_s) in out.items():
                record(label, length, seed, A.evaluate_arm(X_r, y_r, X_te, y_te, seed), fit_s,
                       {"params": params, "epochs": auto if length == "auto" else 2 * auto})

    if args.stage == "cost":
        results["cost"] = measure_cost(*tasks[seeds[0]][:2], args.cost_epochs, args.cost_rounds)
        results["total_s"] = time.perf_counter() - started
        Path(args.json).write_text(json.dumps(results, indent=1))
        return

    if args.stage in ("all", "grid"):
        for label, params in GRID:
            run_config(label, params)
    if args.stage in ("all", "lr"):
        # lr 1e-3 for the best loss (by mean of LR and HGB macro-F1 over seeds, best length).
        lr_label = args.lr_loss or best_config(results["rows"])
        if lr_label is None:
            sys.exit("error: --stage lr needs --lr-loss (one of: " + ", ".join(g[0] for g in GRID) + ")")
        params = dict(dict(GRID)[lr_label], lr_g=1e-3, lr_d=1e-3)
        results["lr_config"] = lr_label
        run_config(f"{lr_label}, lr=1e-3", params)

    results["total_s"] = time.perf_counter() - started
    results["load_average_end"] = A.load_average()
    Path(args.json).write_text(json.dumps(results, indent=1))
    Path(args.out).write_text(render(results))
    print(f"wrote {args.out} and {args.json} in {results['total_s'] / 60:.1f} min", flush=True)


def cost_configs():
    configs = list(GRID)
    configs += [(f"{label}, lr=1e-3", dict(params, lr_g=1e-3, lr_d=1e-3)) for label, params in GRID
                if label in ("wgan-gp, n_critic=2", "hinge")]
    return configs


def measure_cost(X, y, epochs, rounds):
    """Seconds per generator step of each config, timed back to back (interleaved rounds, best kept).

    The grid's own fit times were taken hours apart on a shared machine; these are comparable.
    """
    from gan_augment import GANAugmenter

    times = {}
    for _ in range(rounds):
        for label, params in cost_configs():
            augmenter = GANAugmenter(classes=[A.RARE], random_state=0, epochs=epochs, **params).fit(X, y)
            seconds = sum(record["time_s"] for record in augmenter.history_)
            steps = epochs * A.auto_epochs(len(y))[1]
            times[label] = min(times.get(label, float("inf")), seconds / steps)
            print(f"  cost {label:<28} {1000 * seconds / steps:6.1f} ms / generator step", flush=True)
    return [{"config": label, "s_per_step": value} for label, value in times.items()]


def best_config(rows):
    """Grid label with the best mean of LR and HGB macro-F1 over seeds (at its better length)."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return None
    grid = frame[frame["config"].isin([g[0] for g in GRID])]
    if grid.empty:
        return None
    grid = grid.assign(f1=(grid["LR_macro_f1"] + grid["HGB_macro_f1"]) / 2)
    return grid.groupby(["config", "length"])["f1"].mean().idxmax()[0]


def merge(parts):
    """Combine sweep JSONs run in parallel (same task definition, disjoint seeds or stages)."""
    out = dict(parts[0])
    out["rows"] = [row for part in parts for row in part["rows"]]
    out["command"] = " ; ".join(dict.fromkeys(p["command"] for p in parts))
    out["total_s"] = max(p.get("total_s", 0) for p in parts)
    out["part_minutes"] = [round(p.get("total_s", 0) / 60, 1) for p in parts]
    out["date"] = min(p["date"] for p in parts)
    out["cost"] = next((p["cost"] for p in parts if p.get("cost")), None)
    out["load_average_end"] = " | ".join(p.get("load_average_end", "?") for p in parts)
    checks = [p["snapshot_check"] for p in parts if "snapshot_check" in p]
    if checks:
        out["snapshot_check"] = all(checks)
    for key in ("auto_epochs", "steps_per_epoch", "n_train_rows"):
        assert all(p[key] == out[key] for p in parts), f"parts disagree on {key}"
    return out


def render(results) -> str:
    frame = pd.DataFrame(results["rows"])
    m = results["machine"]
    lines = [
        "# GANAugmenter defaults sweep on cut Adult",
        "",
        f"Command: `{results['command']}`  ",
        *([f"Merged with: `{results['merge_command']}`  "] if results.get("merge_command") else []),
        (f"Date (UTC): {results['date']}; parts ran {results['part_minutes']} min (in parallel per seed)  "
         if results.get("part_minutes") else
         f"Date (UTC): {results['date']}; total {results['total_s'] / 60:.1f} min  "),
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM; torch {m['torch']} "
        f"(threads={m['torch_threads']}), scikit-learn {m['scikit-learn']}, imbalanced-learn "
        f"{m['imbalanced-learn']}, pandas {m['pandas']}; gan-augment {m['gan_augment']} @ {m['git_commit']}",
        "",
        f"Task: stratified 80/20 split of Adult per seed; in the training split the `>50K` class is cut to 5% "
        f"of its rows ({results['n_train_rows']} training rows left); each arm tops `>50K` up to the majority "
        f"count; LR and HGB are scored on the untouched test split. Seeds: "
        f"{sorted(frame['seed'].unique().tolist())}; mean ± std (ddof=1) over seeds.",
        "",
        f"Length: `auto` = {results['auto_epochs']} epochs x {results['steps_per_epoch']} steps; `2x` = "
        f"{2 * results['auto_epochs']} epochs. Each config is fitted once at 2x; the `auto` row is the EMA "
        "generator snapshotted at the epoch `auto` resolves to (identical to a separate auto fit when "
        "`lr_schedule=None`), and its fit time is the wall time up to the snapshot plus sampling. "
        "Unlisted parameters are GANAugmenter's defaults at the commit above"
        + (" (" + ", ".join(f"{k}={v}" for k, v in results["defaults"].items()) + ")." if results.get("defaults") else "."),
        "",
    ]
    if "snapshot_check" in results:
        lines += [f"Snapshot check (epoch-2 snapshot of a 4-epoch fit == a separate 2-epoch fit, on 3,000 rows): "
                  f"{'passed' if results['snapshot_check'] else 'FAILED'}.", ""]
    lines += [
        "| config | length | macro-F1 LR | macro-F1 HGB | rare recall LR | rare recall HGB | bal. acc. LR | bal. acc. HGB | fit s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    order = list(dict.fromkeys(frame["config"]))
    for config in order:
        for length in dict.fromkeys(frame.loc[frame["config"] == config, "length"]):
            sub = frame[(frame["config"] == config) & (frame["length"] == length)]
            cells = [A.mean_std(sub[c]) for c in ("LR_macro_f1", "HGB_macro_f1", "LR_rare_recall",
                                                    "HGB_rare_recall", "LR_balanced_accuracy",
                                                    "HGB_balanced_accuracy")]
            fit = f"{sub['fit_s'].mean():.1f}"
            lines.append(f"| {config} | {length} | " + " | ".join(cells) + f" | {fit} |")
    lines += [""]
    if results.get("cost"):
        auto, steps = results["auto_epochs"], results["steps_per_epoch"]
        lines += [
            "Relative cost, timed back to back in one process (training loop only, best of the rounds; the fit "
            "times above were taken at different times on a shared machine and are not comparable across rows):",
            "",
            "| config | ms / generator step | x wgan-gp n_critic=1 | projected auto fit s | projected 2x fit s |",
            "|---|---|---|---|---|",
        ]
        base = next(c["s_per_step"] for c in results["cost"] if c["config"] == "wgan-gp, n_critic=1")
        for c in results["cost"]:
            lines.append(f"| {c['config']} | {1000 * c['s_per_step']:.1f} | {c['s_per_step'] / base:.2f} | "
                         f"{c['s_per_step'] * auto * steps:.0f} | {2 * c['s_per_step'] * auto * steps:.0f} |")
        lines += [""]
    loads = [x for x in str(results.get("load_average_end", "")).split(" | ") if x and x not in ("?", "not recorded")]
    if loads:
        lines += ["Load average (1/5/15 min) at the end of each part (other jobs shared the cores, so fit times "
                  f"are noisy): {' | '.join(loads)}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
