"""How well does the tables' label-gate judge tell the real classes apart? Held-out scores on the panel.

The label gate keeps a synthetic row only where its judge (a perceptron trained on the encoded
real training rows) assigns it to its class; a judge that confuses classes keeps the wrong rows.
Per panel scenario (benchmarks/bench_panel.py: loading, 70/30 split) and seed, the judge is
trained as the gate trains it, on the training split as the codec encodes it, and scored on the
encoded test split, two ways:

- ``plain``: reading the rows as encoded (the judge before RowFeatures);
- ``features``: reading numeric values in quantile bins (``RowFeatures``; the library's judge);

beside the panel's own class-balanced logistic regression and gradient boosting on the raw columns,
for reference. No GAN is fitted.

    OMP_NUM_THREADS=1 python benchmarks/bench_judge.py --seeds 3

Results: benchmarks/JUDGE.md and benchmarks/judge_results.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _adult import machine_info, recorded_command
from _sampling_variants import PANEL
from bench_panel import DEFAULT_DATA, SCENARIOS, check_tables, classifier, split
from sklearn.metrics import balanced_accuracy_score, f1_score

from gan_augment.data.tabular import TabularEncoder
from gan_augment.evaluation.judge import train_row_classifier

HERE = Path(__file__).resolve().parent
JUDGES = ("plain", "features", "logreg", "hgb")


def run_one(name, seed, data_dir):
    X_tr, X_te, y_tr, y_te, _ = split(name, seed, data_dir)
    classes = np.unique(y_tr)
    y_index, y_test_index = np.searchsorted(classes, y_tr), np.searchsorted(classes, y_te)
    encoder = TabularEncoder(random_state=seed).fit(X_tr)
    rows = torch.from_numpy(encoder.transform(X_tr, random_state=seed)).float()
    test_rows = torch.from_numpy(encoder.transform(X_te, random_state=seed)).float()
    records = []
    for judge_name in JUDGES:
        started = time.process_time()
        if judge_name in ("plain", "features"):
            blocks = encoder.numeric_blocks() if judge_name == "features" else None
            judge = train_row_classifier(rows, y_index, n_classes=len(classes), numeric_blocks=blocks,
                                         random_state=seed)
            with torch.no_grad():
                predicted = judge(test_rows).argmax(1).numpy()
        else:
            model = classifier(judge_name, X_tr, seed, balanced=True).fit(X_tr, y_tr)
            predicted = np.searchsorted(classes, model.predict(X_te))
        records.append({"scenario": name, "seed": seed, "judge": judge_name,
                        "balanced_accuracy": float(balanced_accuracy_score(y_test_index, predicted)),
                        "macro_f1": float(f1_score(y_test_index, predicted, average="macro")),
                        "cpu_s": time.process_time() - started})
    return records


def report(saved) -> str:
    frame = pd.DataFrame(saved["records"])
    seeds = sorted(int(s) for s in frame["seed"].unique())
    lines = ["# The tables' label-gate judge: held-out scores (issue 11)", "",
             f"Command: `{saved['command']}` (OMP_NUM_THREADS=1), {saved['context']}; {saved['wall_s']:.0f} s wall.", "",
             f"Scenarios: {frame['scenario'].nunique()}; seeds {seeds}. The gate's judge trained on the encoded "
             "training split, scored on the encoded test split: `plain` reads the rows as encoded, `features` reads "
             "numeric values in quantile bins (RowFeatures, the library's judge); `logreg` / `hgb`: the panel's "
             "class-balanced classifiers on the raw columns, for reference. The judges' argmax without the gate's "
             "prior shift (kind.judge_prior_weight): these are the classifiers' own scores. Mean over seeds.", ""]
    for metric in ("balanced_accuracy", "macro_f1"):
        table = frame.pivot_table(index="scenario", columns="judge", values=metric, aggfunc="mean")[list(JUDGES)]
        lines += [f"## {metric}", "", "| scenario | " + " | ".join(JUDGES) + " |", "|---|" + "---|" * len(JUDGES)]
        for scenario, row in table.iterrows():
            lines.append(f"| {scenario} | " + " | ".join(f"{row[j]:.3f}" for j in JUDGES) + " |")
        means = table.mean()
        lines.append("| **mean** | " + " | ".join(f"**{means[j]:.3f}**" for j in JUDGES) + " |")
        paired = frame.pivot_table(index=["scenario", "seed"], columns="judge", values=metric)
        d = paired["features"] - paired["plain"]
        lines += ["", f"features - plain, per scenario and seed: mean {d.mean():+.3f} (standard error "
                  f"{d.std(ddof=1) / np.sqrt(len(d)):.3f}), higher in {int((d > 0).sum())}, lower in "
                  f"{int((d < 0).sum())} of {len(d)}.", ""]
    cpu = frame.groupby("judge")["cpu_s"].mean()
    lines.append("Training CPU s per judge (mean): " + ", ".join(f"{j} {cpu[j]:.1f}" for j in JUDGES) + ".")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=PANEL, choices=list(SCENARIOS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "JUDGE.md")
    parser.add_argument("--json", type=Path, default=HERE / "judge_results.json")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    if args.report_only:
        args.out.write_text(report(json.loads(args.json.read_text())))
        return
    check_tables(args.data_dir, args.scenarios)
    torch.set_num_threads(1)
    info = machine_info()
    saved = {"command": recorded_command("bench_judge.py", argv if argv is not None else sys.argv[1:]),
             "context": f"library at {info['git_commit']} ({time.strftime('%Y-%m-%d')}, {info['cpu']})",
             "records": [], "wall_s": 0.0}
    started = time.perf_counter()
    for name in args.scenarios:
        for seed in range(args.seeds):
            saved["records"] += run_one(name, seed, args.data_dir)
            saved["wall_s"] = time.perf_counter() - started
            print(f"{name} seed {seed}: done ({saved['wall_s']:.0f} s)", flush=True)
    args.json.write_text(json.dumps(saved, indent=1))
    args.out.write_text(report(saved))
    print(f"wrote {args.out} and {args.json}")


if __name__ == "__main__":
    main()
