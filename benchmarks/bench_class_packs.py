"""PacGAN packs of one class against packs of mixed classes: which top-up helps the classifier more?

The tabular critic judges ``pac`` rows together (PacGAN), so that it can see a generator that
repeats itself. Drawn class by class, a pack of 8 rows held one or two rows of any class; a rare
class's repeats then went unseen. The trainer now fills each pack with one class
(``TabularDiscriminator.packs_of_one_class``); this measures the change.

Per panel scenario (benchmarks/bench_panel.py: the same loading, 70/30 split, classifiers, scores)
and seed: two default GANAugmenter fits with the same seed, one per packing, both sampled without
the label gate (so that the rows compared are the generators' own); their top-ups at 25/50/100% of
the gap to the majority, beside none, class weights, random oversampling and SMOTE(-NC) at the
same amounts. The two fits of a seed are
paired.

    OMP_NUM_THREADS=1 python benchmarks/bench_class_packs.py --scenarios glass ecoli --seeds 3
    OMP_NUM_THREADS=1 python benchmarks/bench_class_packs.py --merge part1.json part2.json
    OMP_NUM_THREADS=1 python benchmarks/bench_class_packs.py --report-only
    OMP_NUM_THREADS=1 python benchmarks/bench_class_packs.py --add-baselines  # arms a record lacks, no GAN fits
    OMP_NUM_THREADS=1 python benchmarks/bench_class_packs.py --gated --scenarios glass --seeds 2 \
        --out benchmarks/CLASS_PACKS_GATED.md --json benchmarks/class_packs_gated_results.json

Results: benchmarks/CLASS_PACKS.md and benchmarks/class_packs_results.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _adult import machine_info, recorded_command
from _reports import write_keeping_reading
from bench_panel import AMOUNTS, CLASSIFIERS, DEFAULT_DATA, SCENARIOS, arm_data, check_tables, classifier, scores, \
    split

HERE = Path(__file__).resolve().parent
PACKINGS = ("mixed", "one class")
#: What a practitioner would do anyway, beside the two GAN top-ups.
BASE = ["none", "class_weight"] + [f"{method}@{a:g}" for method in ("random", "smote") for a in AMOUNTS]


def fit_gan(seed, X_train, y_train, *, one_class: bool, gated: bool = False):
    """The panel's default GANAugmenter, fitted with packs of one class or of mixed classes (and
    sampling through its label gate, as the library does by default, where ``gated``)."""
    from gan_augment import GANAugmenter
    from gan_augment.models.tabular import TabularDiscriminator

    default = TabularDiscriminator.packs_of_one_class
    TabularDiscriminator.packs_of_one_class = one_class
    try:
        return GANAugmenter(random_state=seed, n_threads=1, label_gate="auto" if gated else False).fit(X_train, y_train)
    finally:
        TabularDiscriminator.packs_of_one_class = default


def run_one(name, seed, data_dir, gated=False, arms=None):
    """Records of scenario ``name`` and ``seed``: ``arms`` (default: the baselines and both GAN
    top-ups at every amount); the two GANs are fitted only when a GAN arm is asked for."""
    from gan_augment.planner import plan_top_up

    X_tr, X_te, y_tr, y_te, note = split(name, seed, data_dir)
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]
    plan = plan_top_up(y_tr)
    arms = arms or [(arm, None) for arm in BASE] + [(f"gan@{a:g}", p) for a in AMOUNTS for p in PACKINGS]
    rows, fit_s = {}, {}
    for packing in PACKINGS if any(packing for _, packing in arms) else ():
        started = time.process_time()
        gan = fit_gan(seed, X_tr, y_tr, one_class=packing == "one class", gated=gated)
        fit_s[packing] = time.process_time() - started
        rows[packing] = {c: gan.sample(n, c) for c, n in plan.items() if n > 0}
    records = []
    for clf_name in CLASSIFIERS:
        for arm, packing in arms:
            gan_rows = {"gan": rows[packing]} if packing else {}
            X_fit, y_fit, _ = arm_data(arm, X_tr, y_tr, plan, seed, gan_rows, clf_name, seed)
            model = classifier(clf_name, X_tr, seed, balanced=arm == "class_weight").fit(X_fit, y_fit)
            records.append({"scenario": name, "seed": seed, "classifier": clf_name, "arm": arm,
                            "packing": packing or "-", "rare": str(rare), **scores(model, X_te, y_te, rare)})
    return records, note, fit_s


def report(saved) -> str:
    frame = pd.DataFrame(saved["records"])
    frame["method"] = frame["arm"].str.split("@").str[0]
    seeds = sorted(int(s) for s in frame["seed"].unique())
    lines = ["# PacGAN packs of one class against packs of mixed classes (issue 11)", "",
             f"Command: `{saved['command']}` (OMP_NUM_THREADS=1), {saved['context']}; {saved['wall_s']:.0f} s wall"
             f"{'' if saved['complete'] else ' (INCOMPLETE run)'}.", "",
             f"Scenarios: {frame['scenario'].nunique()}; seeds {seeds}. Two default `GANAugmenter` fits per scenario "
             "and seed (the same seed), with packs of mixed classes (as before) and of one class (now the default), "
             + ("both sampled through the label gate (`label_gate='auto'`, the tables' default)" if saved.get("gated")
                else "both sampled without the label gate") + "; amounts 25/50/100% of the gap to the majority.", ""]
    for metric in ("macro_f1", "rare_recall"):
        cells = frame.pivot_table(index=["scenario", "classifier"], columns=["arm", "packing"], values=metric)
        smote = cells[[c for c in cells.columns if c[0].startswith("smote")]].max(axis=1)
        random = cells[[c for c in cells.columns if c[0].startswith("random")]].max(axis=1)
        weights = cells[("class_weight", "-")] if ("class_weight", "-") in cells else smote * np.nan
        best = {p: cells[[c for c in cells.columns if c[0].startswith("gan") and c[1] == p]].max(axis=1)
                for p in PACKINGS}
        lines += [f"## {metric} (mean over seeds)", "",
                  "| scenario | clf | none | class weights | random best | SMOTE best | GAN best, mixed packs | "
                  "GAN best, one-class packs |", "|---|---|---|---|---|---|---|---|"]
        for key in cells.index:
            lines.append(f"| {key[0]} | {key[1]} | {cells.loc[key, ('none', '-')]:.3f} | {weights[key]:.3f} | "
                         f"{random[key]:.3f} | {smote[key]:.3f} | {best['mixed'][key]:.3f} | "
                         f"{best['one class'][key]:.3f} |")
        lines.append("")
        lines += [f"- GAN (best amount) >= SMOTE (best amount): mixed packs in {int((best['mixed'] >= smote).sum())}, "
                  f"one-class packs in {int((best['one class'] >= smote).sum())} of {len(smote)} cells; mean of the "
                  f"best amounts {best['mixed'].mean():.4f} and {best['one class'].mean():.4f} "
                  f"(SMOTE {smote.mean():.4f}, random {random.mean():.4f}, class weights {weights.mean():.4f}, "
                  f"none {cells[('none', '-')].mean():.4f})."]
        paired = frame[frame["method"] == "gan"].pivot_table(index=["scenario", "classifier", "arm", "seed"],
                                                             columns="packing", values=metric)
        d = paired["one class"] - paired["mixed"]
        lines.append(f"- One-class minus mixed packs, paired by seed over every GAN amount: {d.mean():+.4f} "
                     f"(standard error {d.std(ddof=1) / np.sqrt(len(d)):.4f}; higher in {int((d > 0).sum())}, "
                     f"lower in {int((d < 0).sum())} of {len(d)}). By scenario: "
                     + ", ".join(f"{k} {v:+.3f}" for k, v in d.groupby(level=0).mean().items()) + ".")
        lines.append("")
    lines += ["GAN fit CPU s (mean over seeds, mixed / one class): " + ", ".join(
        f"{k} {np.mean(v['mixed']):.0f} / {np.mean(v['one class']):.0f}" for k, v in saved["fit_s"].items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "CLASS_PACKS.md")
    parser.add_argument("--json", type=Path, default=HERE / "class_packs_results.json")
    parser.add_argument("--gated", action="store_true",
                        help="sample through the label gate (label_gate='auto', the tables' default)")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="PART",
                        help="merge the JSON of parts run side by side into --json and write the report")
    parser.add_argument("--command", help="with --merge: the command line to record (default: the first part's)")
    parser.add_argument("--add-baselines", action="store_true",
                        help="score the baseline arms missing from --json on its scenarios and seeds (no GAN fits), "
                             "add them and rewrite the report")
    args = parser.parse_args(argv)
    if args.add_baselines:
        saved = json.loads(args.json.read_text())
        have = {(r["scenario"], r["seed"], r["arm"]) for r in saved["records"]}
        for name, seed in sorted({(r["scenario"], r["seed"]) for r in saved["records"]}):
            missing = [(arm, None) for arm in BASE if (name, seed, arm) not in have]
            if missing:
                saved["records"] += run_one(name, seed, args.data_dir, arms=missing)[0]
        args.json.write_text(json.dumps(saved, indent=1))
        write_keeping_reading(args.out, report(saved))
        return
    if args.report_only:
        write_keeping_reading(args.out, report(json.loads(args.json.read_text())))
        return
    if args.merge:
        parts = [json.loads(p.read_text()) for p in args.merge]
        saved = {"command": args.command or parts[0]["command"], "context": parts[0]["context"],
                 "gated": parts[0].get("gated", False),
                 "records": [r for p in parts for r in p["records"]], "notes": {}, "fit_s": {},
                 "wall_s": max(p["wall_s"] for p in parts), "complete": all(p["complete"] for p in parts)}
        for part in parts:
            saved["notes"].update(part["notes"])
            for name, by_packing in part["fit_s"].items():
                for packing, values in by_packing.items():
                    saved["fit_s"].setdefault(name, {}).setdefault(packing, []).extend(values)
        args.json.write_text(json.dumps(saved, indent=1))
        write_keeping_reading(args.out, report(saved))
        return
    check_tables(args.data_dir, args.scenarios)
    import torch

    torch.set_num_threads(1)
    info = machine_info()
    saved = {"command": recorded_command("bench_class_packs.py", argv if argv is not None else sys.argv[1:]),
             "context": f"library at {info['git_commit']} ({time.strftime('%Y-%m-%d')}, {info['nproc']} cores of an "
                        f"{info['cpu']})", "gated": args.gated, "records": [], "notes": {}, "fit_s": {}, "wall_s": 0.0,
             "complete": False}
    started = time.perf_counter()
    for name in args.scenarios:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            records, note, fit_s = run_one(name, seed, args.data_dir, gated=args.gated)
            saved["records"] += records
            saved["notes"][name] = note
            for packing, seconds in fit_s.items():
                saved["fit_s"].setdefault(name, {}).setdefault(packing, []).append(seconds)
            saved["wall_s"] = time.perf_counter() - started
            args.json.write_text(json.dumps(saved, indent=1))  # kept as it goes: a long run can be cut short
            print(f"{name} seed {seed}: done ({saved['wall_s']:.0f} s)", flush=True)
    saved["complete"] = True
    args.json.write_text(json.dumps(saved, indent=1))
    write_keeping_reading(args.out, report(saved))


if __name__ == "__main__":
    main()
