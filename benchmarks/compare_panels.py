"""Two runs of ``bench_panel.py`` (the library before and after a change) compared, paired on the
same scenario, seed and classifier:

    python benchmarks/compare_panels.py before.json after.json --out COMPARISON.md

For each GAN arm and amount: the mean macro-F1 and rare recall of each run over the cells they
share, and the mean paired difference with its standard error; then, per run, the panel's goals of
issue 11 (the gated GAN's best amount at least SMOTE's best, per table x classifier cell, on
macro-F1 and on rare recall) and the tables where the change moved the gated top-up most. The
baseline arms do not use the GAN: their records must be equal in both runs, which is checked (a
difference means the runs are not comparable: other data, seeds or libraries).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = ["scenario", "seed", "classifier"]
GAN_PREFIXES = ("gated@", "gan@")


def load(path: Path) -> pd.DataFrame:
    return pd.DataFrame(json.loads(path.read_text())["records"])


def paired(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per (scenario, seed, classifier, arm) in both runs, with each run's scores."""
    return before.merge(after, on=KEYS + ["arm"], suffixes=("_before", "_after"))


def check_baselines(both: pd.DataFrame) -> str:
    base = both[~both["arm"].str.startswith(GAN_PREFIXES)]
    equal = np.isclose(base["macro_f1_before"], base["macro_f1_after"], rtol=0, atol=1e-12)
    if not equal.all():
        raise SystemExit(f"{int((~equal).sum())} of {len(base)} baseline records differ: the runs are not comparable")
    return f"the baseline arms' records are equal in both runs ({len(base)} of {len(base)})"


def arm_table(both: pd.DataFrame) -> list[str]:
    lines = ["| arm | macro-F1 before | macro-F1 after | difference | rare recall before | rare recall after | "
             "difference |", "|---|---|---|---|---|---|---|"]
    arms = [arm for arm in dict.fromkeys(both["arm"]) if arm.startswith(GAN_PREFIXES)]
    for arm in sorted(arms, key=lambda a: (not a.startswith("gated"), float(a.split("@")[1]))):
        rows = both[both["arm"] == arm]
        cells = []
        for metric in ("macro_f1", "rare_recall"):
            diff = rows[f"{metric}_after"] - rows[f"{metric}_before"]
            se = diff.std(ddof=1) / np.sqrt(len(diff))
            cells += [f"{rows[f'{metric}_before'].mean():.4f}", f"{rows[f'{metric}_after'].mean():.4f}",
                      f"{diff.mean():+.4f} ± {se:.4f}"]
        lines.append(f"| {arm} (n = {len(rows)}) | " + " | ".join(cells) + " |")
    return lines


def goals(records: pd.DataFrame, prefix: str = "gated@") -> str:
    """Cells (table x classifier) where the best amount of ``prefix`` is at least SMOTE's best."""
    means = records.pivot_table(index=["scenario", "classifier"], columns="arm",
                                values=["macro_f1", "rare_recall"], aggfunc="mean")
    counts = []
    for metric in ("macro_f1", "rare_recall"):
        table = means[metric]
        gan = table[[c for c in table.columns if c.startswith(prefix)]].max(axis=1)
        smote = table[[c for c in table.columns if c.startswith("smote@")]].max(axis=1)
        counts.append(f"{int((gan >= smote - 1e-12).sum())} of {len(table)}")
    return f"macro-F1 in {counts[0]} cells, rare recall in {counts[1]}"


def moved_most(both: pd.DataFrame, prefix: str = "gated@", n: int = 6) -> list[str]:
    rows = both[both["arm"].str.startswith(prefix)].assign(diff=lambda f: f["macro_f1_after"] - f["macro_f1_before"])
    by_cell = rows.groupby(["scenario", "classifier"])["diff"].agg(["mean", "std", "count"])
    by_cell["se"] = by_cell["std"] / np.sqrt(by_cell["count"])
    order = by_cell["mean"].abs().sort_values(ascending=False).index[:n]
    return [f"- {scenario} / {clf}: {by_cell.loc[(scenario, clf), 'mean']:+.4f} ± "
            f"{by_cell.loc[(scenario, clf), 'se']:.4f} (all gated amounts and seeds)" for scenario, clf in order]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--title", default="Panel before and after a change")
    args = parser.parse_args(argv)
    before, after = load(args.before), load(args.after)
    both = paired(before, after)
    shared = both[KEYS].drop_duplicates()
    before, after = (records.merge(shared, on=KEYS) for records in (before, after))  # the runs both finished
    lines = [f"# {args.title}", "",
             f"Command: `python benchmarks/compare_panels.py {args.before.name} {args.after.name} --out "
             f"{args.out.name}`", "",
             f"Paired on {len(shared)} runs (scenario x seed x classifier); {check_baselines(both)}.", "",
             "## GAN arms, paired (after - before; mean ± standard error over the runs)", "",
             *arm_table(both), "",
             "## Issue 11's panel goals: the best amount at least SMOTE's best (cells of table x classifier, "
             "means over seeds)", "",
             f"- before, gated: {goals(before)}", f"- after, gated: {goals(after)}",
             f"- before, ungated: {goals(before, 'gan@')}", f"- after, ungated: {goals(after, 'gan@')}", "",
             "## Where the gated top-up's macro-F1 moved most", "", *moved_most(both), ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
