"""Does the label gate's judge know the classes it judges? Its recall on the rows it was trained on
against its recall on rows it did not see.

The gate (``gan_augment.label_gate``) refuses to serve a class whose real training rows its judge
assigns to it less than ``MIN_REAL_RECALL`` (25%) of the time: such a judge cannot tell the class
from the others, and what it keeps of the class's synthetic rows is picked by an arbitrary boundary.
That recall is measured on the judge's own training rows, which a judge can memorise. This script
measures, for each scenario of the gated panel (benchmarks/PANEL_GATE.md) and seed, per class:

- the recall the gate records (``label_gate_.real_recall``: the judge of a GANAugmenter fitted as the
  panel fits it, on the same split and seed);
- the cross-fitted recall: the same judge (same data kind, same encoding) trained on 4 of 5
  stratified folds of the encoded training rows and scored on the fifth, pooled over the folds;

and, for the scenario-seeds where a class to top up falls under 25% cross-fitted, what the panel
measured for the gated and the ungated rows of that fit (the arms a cross-fitted check would move
that class between, under the tables' default ``label_gate="auto"``).

    python benchmarks/bench_gate_recall.py             # 12 scenarios x 5 seeds (~15 min on 2 cores)

Results: benchmarks/GATE_RECALL.md and benchmarks/gate_recall_results.json.
Run with OMP_NUM_THREADS=1 on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_panel import DEFAULT_DATA, check_tables, split  # noqa: E402

PANEL_JSON = HERE / "panel_gate_results.json"
FOLDS = 5


def panel_scenarios() -> list[str]:
    return sorted({record["scenario"] for record in json.loads(PANEL_JSON.read_text())["records"]})


def recalls(name: str, seed: int, data_dir: Path) -> list[dict]:
    """One record per class of scenario ``name``'s training split at ``seed``."""
    import torch
    from sklearn.model_selection import StratifiedKFold

    from gan_augment import GANAugmenter
    from gan_augment.label_gate import LabelGate
    from gan_augment.planner import plan_top_up

    X_tr, _, y_tr, _, _ = split(name, seed, data_dir)
    # One epoch (its warnings of a GAN trained too little are no concern here): the judge is trained
    # before the GAN on a seed stream of its own, so it is the judge a full fit of this code trains.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gan = GANAugmenter(epochs=1, random_state=seed, label_gate=True).fit(X_tr, y_tr)
    gate = gan.label_gate_
    index = {label: i for i, label in enumerate(gan.classes_)}
    labels = np.array([index[label] for label in y_tr])
    encoded = torch.from_numpy(gan.encoder_.transform(X_tr, random_state=seed))
    n_classes = len(gan.classes_)
    hits, seen = np.zeros(n_classes), np.zeros(n_classes)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    for fold, (train, held) in enumerate(folds.split(np.zeros(len(labels)), labels)):
        judge = LabelGate.train(gan.kind_, encoded[train], labels[train], n_classes, seed=seed + fold,
                                codec=gan.encoder_)
        for c in range(n_classes):
            rows = held[labels[held] == c]
            hits[c] += float(judge.accepts(encoded[torch.from_numpy(rows)], c).sum())
            seen[c] += len(rows)
    plan = plan_top_up(y_tr)
    counts = np.bincount(labels, minlength=n_classes)
    return [{"scenario": name, "seed": seed, "class": str(label), "rows": int(counts[c]),
             "topped_up": bool(plan.get(label, 0) > 0), "recorded": gate.real_recall[c],
             "cross_fitted": float(hits[c] / seen[c])} for c, label in enumerate(gan.classes_)]


def write_report(path: Path, frame: pd.DataFrame, command: str, wall_s: float) -> None:
    panel = pd.DataFrame(json.loads(PANEL_JSON.read_text())["records"])
    lines = ["# Does the label gate's judge know the classes it judges?", "",
             f"Command: `{command}` ({wall_s / 60:.0f} min wall on 2 shared cores, OMP_NUM_THREADS=1).", "",
             "Recall of each class's real training rows by the gate's judge: as the gate records it (the judge's "
             f"own training rows) and cross-fitted ({FOLDS} stratified folds of the same encoded rows, the same "
             "judge trained on four and scored on the fifth). The gate serves a class whose recorded recall is at "
             "least 25%.", ""]
    small = frame[frame["rows"] < 50]
    lines += [f"- Classes with under 50 training rows ({len(small)} class-seeds): recorded recall mean "
              f"{small['recorded'].mean():.2f} (min {small['recorded'].min():.2f}), cross-fitted mean "
              f"{small['cross_fitted'].mean():.2f} (under 25% in {int((small['cross_fitted'] < 0.25).sum())}).",
              f"- Classes with 50 rows or more ({len(frame) - len(small)}): recorded mean "
              f"{frame[frame['rows'] >= 50]['recorded'].mean():.2f}, cross-fitted mean "
              f"{frame[frame['rows'] >= 50]['cross_fitted'].mean():.2f}.", ""]
    lines += ["## Per scenario (mean over seeds; the class with the lowest cross-fitted recall)", "",
              "| scenario | class | training rows | recorded recall | cross-fitted recall | "
              "seeds under 25% cross-fitted |", "|---|---|---|---|---|---|"]
    for name, group in frame.groupby("scenario"):
        per_class = group.groupby("class").agg(rows=("rows", "mean"), recorded=("recorded", "mean"),
                                               cross=("cross_fitted", "mean"),
                                               under=("cross_fitted", lambda s: int((s < 0.25).sum())))
        worst = per_class.sort_values("cross").iloc[0]
        lines.append(f"| {name} | {worst.name} | {worst['rows']:.0f} | {worst['recorded']:.2f} | "
                     f"{worst['cross']:.2f} | {worst['under']:.0f} of {group['seed'].nunique()} |")
    flipped = frame[frame["topped_up"] & (frame["cross_fitted"] < 0.25)][["scenario", "seed"]].drop_duplicates()
    lines += ["", "## Where a cross-fitted check would move a class to ungated rows", "",
              "Scenario-seeds in which a class to top up falls under 25% cross-fitted, and the panel's macro-F1 "
              "(benchmarks/panel_gate_results.json) of the gated and the ungated rows of that fit, mean over "
              "these seeds and the three amounts (only the classes named would go ungated: where a scenario "
              "tops up several classes, the ungated column overstates the change).", "",
              "| scenario | seeds | clf | gated | ungated | ungated - gated |", "|---|---|---|---|---|---|"]
    diffs = []
    for name, group in flipped.groupby("scenario"):
        rows = panel[(panel["scenario"] == name) & panel["seed"].isin(group["seed"])]
        for clf, by_clf in rows.groupby("classifier"):
            gated = by_clf[by_clf["arm"].str.startswith("gated@")]["macro_f1"].mean()
            ungated = by_clf[by_clf["arm"].str.startswith("gan@")]["macro_f1"].mean()
            diffs.append(ungated - gated)
            lines.append(f"| {name} | {len(group)} | {clf} | {gated:.3f} | {ungated:.3f} | {ungated - gated:+.3f} |")
    if diffs:
        lines += ["", f"Mean ungated - gated over these rows: {np.mean(diffs):+.3f} "
                  f"({sum(d > 0 for d in diffs)} of {len(diffs)} higher ungated)."]
    lines += ["", "## Reading", "",
              "The judge memorises small classes: their recorded recall is near 1 while it misses most of their "
              f"rows it did not see (cross-fitted recall under 25% in {(small['cross_fitted'] < 0.25).mean():.0%} "
              "of the small class-seeds), so the gate's check (recorded recall at least 25%) cannot "
              "tell a class the judge knows from one it has learnt by heart. A cross-fitted check would move "
              f"the classes above to ungated rows in {flipped['scenario'].nunique()} of "
              f"{frame['scenario'].nunique()} scenarios; the panel's gated and ungated rows of those fits score "
              "alike on average (the table above), so there is no evidence that such a check would help, and it "
              "would cost the judge's training again per fold. The gate keeps its check on the judge's own rows "
              "(which catches classes the judge cannot separate even there: rows repeated under two labels)."]
    path.write_text("\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=None, help="default: the gated panel's 12")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "GATE_RECALL.md")
    parser.add_argument("--json", type=Path, default=HERE / "gate_recall_results.json")
    parser.add_argument("--report-only", action="store_true", help="write the Markdown from the records in --json")
    args = parser.parse_args(argv)
    if args.report_only:
        saved = json.loads(args.json.read_text())
        write_report(args.out, pd.DataFrame(saved["records"]), saved["command"].strip(), saved["wall_s"])
        return
    check_tables(args.data_dir, args.scenarios or panel_scenarios())
    import torch

    torch.set_num_threads(1)
    command = "python benchmarks/bench_gate_recall.py " + " ".join(argv if argv is not None else sys.argv[1:])
    records, started = [], time.perf_counter()
    for name in args.scenarios or panel_scenarios():
        for seed in range(args.seeds):
            records += recalls(name, seed, args.data_dir)
            print(f"{name} seed {seed}: done ({time.perf_counter() - started:.0f} s)", flush=True)
    wall_s = time.perf_counter() - started
    args.json.write_text(json.dumps({"command": command, "records": records, "wall_s": wall_s}, indent=1))
    write_report(args.out, pd.DataFrame(records), command.strip(), wall_s)
    print(f"wrote {args.out} and {args.json}")


if __name__ == "__main__":
    main()
