"""The evaluator's verdict on four imbalanced tables: GAN top-up vs SMOTE vs random oversampling vs none.

For each data set, ``gan_augment.evaluate_augmentation`` cross-validates a downstream classifier
(logistic regression by default) trained on the real rows alone ("none"), with random oversampling,
with SMOTE / SMOTE-NC and with ``GANAugmenter()`` at its defaults, every augmenter fitted inside the
training folds only; the test folds stay 100% real. It reports, per method, the mean over folds and
the paired difference from "none" with a Nadeau-Bengio corrected t interval, and a verdict in words.

Data sets (files under ``<data-dir>/tabular/``, see ../shared/data/SOURCES.md):

* ``adult``       -- UCI Adult (``adult.csv``), with the ``>50K`` class **cut to 5% of its rows in the
  data before the evaluation** (392 of 7,841 kept, chosen at random with ``--seed``), so every fold
  sees the same ~1.6% minority. Topped up: ``>50K``.
* ``yeast``       -- KEEL yeast (1,484 rows, 8 numeric, 10 classes). Topped up: the four smallest
  classes ERL (5 rows), POX (20), VAC (30), EXC (35).
* ``page-blocks`` -- KEEL page-blocks (5,473 rows, 10 numeric, 5 classes). Topped up: graphic (28),
  vert. line (88), picture (115).
* ``thyroid``     -- KEEL thyroid / UCI ann-thyroid (7,200 rows, 6 continuous + 15 binary, 3 classes).
  Topped up: A (166), B (368).

Every method tops the named classes up to the majority count of each training fold.

    .venv/bin/python benchmarks/bench_evaluator.py            # full run, ~35-40 min on 2 cores
    .venv/bin/python benchmarks/bench_evaluator.py --quick    # smoke run, ~30 s

Writes benchmarks/EVALUATOR_RESULTS.md and benchmarks/evaluator_results.json; ``--quick`` writes
EVALUATOR_RESULTS_quick.md / evaluator_results_quick.json instead, and an estimator other than
logreg adds its name (EVALUATOR_RESULTS_hgb.md), so a smoke run or a second estimator never
overwrites the real results.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _adult as A  # noqa: E402
from _reports import write_keeping_reading  # noqa: E402

HERE = Path(__file__).resolve().parent
QUICK_ADULT_ROWS = 3000
QUICK_EPOCHS = 2

# name -> (file under <data-dir>/tabular, classes topped up, description)
DATASETS = {
    "adult": ("adult.csv", [A.RARE],
              f"UCI Adult, `{A.RARE}` cut to {A.KEEP_RARE:.0%} of its rows before the evaluation"),
    "yeast": ("keel_yeast.csv", ["ERL", "POX", "VAC", "EXC"], "KEEL yeast"),
    "page-blocks": ("keel_page-blocks.csv", ["graphic", "vert. line", "picture"], "KEEL page-blocks"),
    "thyroid": ("keel_thyroid.csv", ["A", "B"], "KEEL thyroid (UCI ann-thyroid)"),
}
# Method order of the tables; keys are the evaluator's method names (SMOTE is SMOTE-NC on mixed columns).
ORDER = ["GAN top-up", "SMOTE", "random oversampling", "none"]
SHORT = {"GAN top-up": "GAN", "random oversampling": "random", "none": "none"}


# =================================================================================== data
def data_paths(data_dir, names) -> dict:
    """``{name: path}`` for the chosen data sets; exits with a clear message when a file is missing."""
    root = Path(data_dir) if data_dir is not None else A.DEFAULT_DATA_DIR
    if not root.is_dir():
        sys.exit(f"error: data folder {root} does not exist.\nPass --data-dir DIR, where DIR/tabular/ holds "
                 f"{', '.join(DATASETS[n][0] for n in names)}; the default is {A.DEFAULT_DATA_DIR} "
                 "(../shared/data from the repository root).")
    paths, missing = {}, []
    for name in names:
        if name == "adult":
            paths[name] = A.adult_path(root)  # exits with its own clear message
            continue
        path = root / "tabular" / DATASETS[name][0]
        if path.is_file():
            paths[name] = path
        else:
            missing.append(str(path))
    if missing:
        sys.exit("error: data file(s) not found:\n  " + "\n  ".join(missing) +
                 f"\nPass --data-dir DIR (default {A.DEFAULT_DATA_DIR}) or leave these out with --datasets.")
    return paths


def load_keel(path) -> tuple[pd.DataFrame, np.ndarray]:
    """A KEEL csv as ``(X, y)``: header row, last column = label; some files start with a UTF-8 BOM."""
    df = pd.read_csv(path, encoding="utf-8-sig")
    y = df.iloc[:, -1].astype(str).str.strip().to_numpy(dtype=object)
    return df.iloc[:, :-1], y


def cut_adult(X, y, seed: int, keep: float = A.KEEP_RARE):
    """Keep only ``keep`` of the ``>50K`` rows of the whole table (random, seeded); all other rows stay."""
    rng = np.random.RandomState(seed)
    rare_rows = np.flatnonzero(y == A.RARE)
    kept = rng.choice(rare_rows, size=max(1, int(round(keep * len(rare_rows)))), replace=False)
    mask = y != A.RARE
    mask[kept] = True
    info = {"rare_rows_before": int(len(rare_rows)), "rare_rows_kept": int(len(kept))}
    return X[mask].reset_index(drop=True), y[mask], info


def load_dataset(name, path, args):
    """``(X, y, note)`` of data set ``name``; the note says plainly what was done to the data."""
    if name == "adult":
        X, y = A.load_adult(path)
        X, y, cut = cut_adult(X, y, args.seed)
        note = (f"`{A.RARE}` cut in the data before the evaluation: {cut['rare_rows_kept']:,} of its "
                f"{cut['rare_rows_before']:,} rows kept ({A.KEEP_RARE:.0%}, random with seed {args.seed}); "
                f"all {int((y != A.RARE).sum()):,} `{A.COMMON}` rows kept")
        if args.quick:
            from sklearn.model_selection import train_test_split

            X, _, y, _ = train_test_split(X, y, train_size=QUICK_ADULT_ROWS, stratify=y, random_state=args.seed)
            X = X.reset_index(drop=True)
            note += f"; then (--quick) a stratified subsample of {len(y):,} rows"
        return X, y, note + "."
    X, y = load_keel(path)
    return X, y, "The table as it is in the file (no rows removed)."


# =================================================================================== run
def evaluate(name, X, y, args):
    from gan_augment import GANAugmenter, evaluate_augmentation

    params = {"epochs": QUICK_EPOCHS} if args.quick else {}
    return evaluate_augmentation(
        X, y, GANAugmenter(**params), estimator=args.estimator, classes=DATASETS[name][1], cv=args.cv,
        repeats=args.repeats, baselines=("none", "random", "smote"), n_jobs=1, random_state=args.seed,
        fidelity=not args.no_extras, privacy=not args.no_extras)


def report_record(report) -> dict:
    """The report as a JSON-able dict, without the per-epoch training histories (only their lengths)."""
    document = json.loads(report.to_json())
    histories = document.pop("histories")
    document["history_epochs_per_fold"] = [len(h) for h in histories]
    document["history_last_epoch_per_fold"] = [h[-1] if h else None for h in histories]
    return document


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help=f"folder holding tabular/*.csv (default: ../shared/data from the repo root, "
                             f"{A.DEFAULT_DATA_DIR})")
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS),
                        help="which data sets to run (default: all four)")
    parser.add_argument("--estimator", choices=["logreg", "hgb", "rf"], default="logreg",
                        help="downstream classifier (default logreg; hgb = HistGradientBoosting)")
    parser.add_argument("--cv", type=int, default=None, help="folds (default 5; 2 with --quick)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="repetitions of the cross-validation (default 1: 5 folds x 1 fits the ~40 min budget)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the Adult cut, the folds, the estimator and the GAN (default 0)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch / OpenMP / BLAS threads (default 1; see 'Timing hygiene' in README.md)")
    parser.add_argument("--no-extras", action="store_true",
                        help="skip the evaluator's fidelity and privacy measurements (first fold)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: Adult subsampled to {QUICK_ADULT_ROWS:,} rows, GAN epochs={QUICK_EPOCHS}, cv=2; "
                             "writes EVALUATOR_RESULTS_quick.md")
    parser.add_argument("--out", default=None, help="markdown report (default benchmarks/EVALUATOR_RESULTS.md)")
    parser.add_argument("--json", default=None, help="raw results (default benchmarks/evaluator_results.json)")
    args = parser.parse_args(argv)
    if args.cv is None:
        args.cv = 2 if args.quick else 5
    args.datasets = list(dict.fromkeys(args.datasets))
    suffix = ("_quick" if args.quick else "") + ("" if args.estimator == "logreg" else f"_{args.estimator}")
    args.out = Path(args.out or HERE / f"EVALUATOR_RESULTS{suffix}.md")
    args.json = Path(args.json or HERE / f"evaluator_results{suffix}.json")
    return args


def main(argv=None):
    args = parse_args(argv)
    paths = data_paths(args.data_dir, args.datasets)  # exits with a clear message when something is missing
    import torch

    torch.set_num_threads(args.threads)
    A.limit_threads(args.threads)
    env = " ".join(f"{k}={os.environ[k]}" for k in ("OMP_NUM_THREADS",) if k in os.environ)
    command = shlex.join([".venv/bin/python", "benchmarks/bench_evaluator.py",
                          *(sys.argv[1:] if argv is None else argv)])
    results = {
        "command": (env + " " if env else "") + command,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {**A.machine_info(), "env_OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")},
        "load_average_start": A.load_average(),
        "quick": args.quick,
        "settings": {k: (os.path.relpath(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "datasets": [],
    }
    started = time.perf_counter()

    def save():
        results["total_s"] = time.perf_counter() - started
        results["load_average_end"] = A.load_average()
        args.json.write_text(json.dumps(results, indent=1, default=str, allow_nan=False))
        write_keeping_reading(args.out, render(results))

    for name in args.datasets:
        t0 = time.perf_counter()
        load_start = A.load_average()
        X, y, note = load_dataset(name, paths[name], args)
        counts = pd.Series(y).value_counts()
        print(f"== {name}: {len(y):,} rows x {X.shape[1]} columns; classes topped up: {DATASETS[name][1]} "
              f"({', '.join(f'{c} {counts[c]}' for c in DATASETS[name][1])})", flush=True)
        report = evaluate(name, X, y, args)
        wall = time.perf_counter() - t0
        record = {"name": name, "file": DATASETS[name][0], "description": DATASETS[name][2], "data_note": note,
                  "n_rows": int(len(y)), "n_columns": int(X.shape[1]),
                  "class_counts": {str(k): int(v) for k, v in counts.items()},
                  "classes": DATASETS[name][1], "wall_s": wall, "load_average_start": load_start,
                  "load_average_end": A.load_average(), "table": table_rows(report, DATASETS[name][1]),
                  "report": report_record(report), "report_markdown": report.to_markdown()}
        results["datasets"].append(record)
        print(f"   {wall:.0f} s. Verdict: {report.verdict}", flush=True)
        save()
    save()
    print(f"wrote {args.out} and {args.json} in {results['total_s'] / 60:.1f} min", flush=True)


# =================================================================================== report
def _method_key(name: str) -> str:
    return "SMOTE" if name.startswith("SMOTE") else name


def _cell(record) -> str:
    """"mean (+delta [low, high])", the same text as the evaluator's own Markdown tables."""
    mean = record["mean"]
    text = "-" if mean is None or not np.isfinite(mean) else f"{mean:.3f}"
    if record["method"] != "none":
        text += f" ({record['delta']:+.3f}"
        text += f" [{record['ci_low']:+.3f}, {record['ci_high']:+.3f}])" if np.isfinite(record["ci_low"]) else ")"
    return text


def table_rows(report, classes) -> list[dict]:
    """One row per method in ORDER: macro-F1, balanced accuracy, recall of each topped-up class, augment s/fold."""
    summary = report.summary.set_index(["method", "metric"])
    per_class = report.per_class[report.per_class["metric"] == "recall"].set_index(["method", "class"])
    methods = sorted(dict.fromkeys(report.summary["method"]), key=lambda m: ORDER.index(_method_key(m)))
    rows = []
    for method in methods:
        row = {"method": method,
               "macro-F1": _cell({"method": method, **summary.loc[(method, "macro_f1")].to_dict()}),
               "balanced accuracy": _cell({"method": method, **summary.loc[(method, "balanced_accuracy")].to_dict()})}
        for label in classes:
            row[f"recall `{label}`"] = _cell({"method": method, **per_class.loc[(method, label)].to_dict()})
        row["augment s / fold"] = f"{summary.loc[(method, 'augment_time_s'), 'mean']:.1f}"
        rows.append(row)
    return rows


def _markdown_table(rows) -> list[str]:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(row[h]) for h in header) + " |" for row in rows]
    return lines


def _demote(markdown: str) -> str:
    """The evaluator's own Markdown with its headings pushed down three levels (to nest under ours)."""
    return "\n".join("###" + line if line.startswith("#") else line for line in markdown.splitlines())


def render(results) -> str:
    m, s = results["machine"], results["settings"]
    lines = ["# The evaluator's verdict: GAN top-up vs SMOTE vs random oversampling vs none", ""]
    if results["quick"]:
        lines += [f"> **Smoke run (`--quick`)**: Adult subsampled to {QUICK_ADULT_ROWS:,} rows, GAN at "
                  f"{QUICK_EPOCHS} epochs, {s['cv']}-fold CV. Not the benchmark; the numbers only show that the "
                  "script runs end to end.", ""]
    total = results.get("total_s", 0)
    lines += [
        f"Command: `{results['command']}`  ",
        f"Date (UTC): {results['date']}; the whole run took {total / 60:.1f} min ({total:.0f} s)  ",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM; Python {m['python']}; torch {m['torch']} "
        f"(threads={s['threads']}); scikit-learn {m['scikit-learn']}; imbalanced-learn {m['imbalanced-learn']}; "
        f"numpy {m['numpy']}; pandas {m['pandas']}; gan-augment {m['gan_augment']} @ {m['git_commit']}  ",
        f"Load average (1/5/15 min) at start: {results['load_average_start']}; at end: "
        f"{results.get('load_average_end', '?')}. Wall times are only comparable within one run on an otherwise "
        "idle machine.",
        "",
        "## How",
        "",
        f"`evaluate_augmentation(X, y, GANAugmenter({'epochs=%d' % QUICK_EPOCHS if results['quick'] else ''}), "
        f"estimator={s['estimator']!r}, classes=[...], cv={s['cv']}, repeats={s['repeats']}, "
        f"baselines=('none', 'random', 'smote'), n_jobs=1, random_state={s['seed']}"
        f"{', fidelity=False, privacy=False' if s['no_extras'] else ''})` per data set. "
        f"{s['cv']}-fold stratified cross-validation x {s['repeats']} repeat{'s' if s['repeats'] != 1 else ''}; "
        "in every training fold each method (random oversampling, SMOTE / SMOTE-NC, the GAN) is fitted on that "
        "fold only and tops the listed classes up to the fold's majority count; the test fold stays 100% real.",
        "",
        f"- GAN: `GANAugmenter()` at its defaults (epochs='auto' = ~3,000 generator updates per fit, whatever the "
        f"row count){'; here epochs=%d (--quick)' % QUICK_EPOCHS if results['quick'] else ''}. Its `random_state` "
        f"is left None, so the evaluator seeds it per fold from `random_state={s['seed']}` (different seeds per "
        "fold, the same run every time).",
        f"- Estimator: {s['estimator']} (the evaluator's built-in pipeline; `--estimator hgb` for "
        "HistGradientBoosting).",
        f"- cv={s['cv']}, repeats={s['repeats']}: the defaults of this script (5 x 1) fit a ~40-minute budget on "
        "2 cores, with a GAN fit of ~1-2 min per fold; the evaluator's own default is repeats=3. "
        f"With {s['cv'] * s['repeats']} paired folds the intervals are wide: read 'did not clearly help' as "
        "'not resolved at this budget', not as 'no effect'.",
        "- Cells: mean over folds; for every method but none, the paired difference from none and its 95% "
        "interval in brackets (Student t on the per-fold differences with the Nadeau-Bengio corrected variance), "
        "exactly as the evaluator reports them. 'augment s / fold': mean seconds per fold to fit the augmenter "
        "and resample.",
        "- Verdict: the evaluator's `report.verdict`, quoted verbatim.",
        "",
        "| data set | rows | classes topped up (rows) | wall time |",
        "|---|---|---|---|",
    ]
    for d in results["datasets"]:
        topped = ", ".join(f"`{c}` ({d['class_counts'][c]})" for c in d["classes"])
        lines.append(f"| {d['name']} | {d['n_rows']:,} | {topped} | {d['wall_s']:.0f} s ({d['wall_s'] / 60:.1f} min) |")
    lines += [f"| **total** (incl. loading) | | | {total:.0f} s ({total / 60:.1f} min) |", ""]
    for d in results["datasets"]:
        counts = ", ".join(f"`{k}` {v:,}" for k, v in d["class_counts"].items())
        lines += [
            f"## {d['name']}: {d['description']}",
            "",
            f"{d['n_rows']:,} rows x {d['n_columns']} feature columns; class counts {counts}. {d['data_note']} "
            f"Wall time {d['wall_s']:.0f} s (load average {d['load_average_start']} -> {d['load_average_end']}).",
            "",
            *_markdown_table(d["table"]),
            "",
            "**Verdict (verbatim):**",
            "",
            "> " + d["report"]["verdict"],
            "",
            "<details><summary>The evaluator's full report (per class, fidelity, privacy)</summary>",
            "",
            _demote(d["report_markdown"]),
            "",
            "</details>",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
