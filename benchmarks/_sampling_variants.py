"""Paired sampling variants of one GAN fit on the panel: the harness behind bench_truncation.py and
bench_gate_strictness.py.

Per panel scenario (benchmarks/bench_panel.py: the same loading, 70/30 split, classifiers, scores)
and seed: one default GANAugmenter fit; each *variant* draws that fit's top-up in its own way
(``variant(gan, plan, X_train, y_train, seed) -> {class: rows}``), scored at 25/50/100% of the gap
to the majority beside none, class weights, random oversampling and SMOTE at the same amounts. The
variants of one fit are paired: their differences carry no fit-to-fit noise. The first variant is
the reference the others are compared with.
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
from _reports import write_keeping_reading  # noqa: F401 (the variant scripts' writer)
from bench_panel import (AMOUNTS, CLASSIFIERS, DEFAULT_DATA, SCENARIOS, arm_data, check_tables, classifier, scores,
                         split)

#: PANEL_GATE.md's 12 tables, named: scenarios added to bench_panel.py later (held out, small, bundled)
#: do not join the variant benchmarks' default.
PANEL = ["yeast", "page-blocks", "thyroid", "ecoli", "winequality-red", "glass", "new-thyroid", "car",
         "mammography", "abalone-19", "credit-g cut", "dermatology cut"]

BASE = ["none", "class_weight"] + [f"{m}@{a:g}" for m in ("random", "smote") for a in AMOUNTS]


#: The description of the library's own fit and top-up, the reference of the epoch variants.
LIBRARY_FIT = "`gated`: the library's default fit and top-up (`epochs='auto'`: about 3,000 generator updates)"


def panel_gan(seed, X_train, y_train, **params):
    """The panel's GANAugmenter (defaults, one thread, ``seed``), with ``params`` changed, fitted."""
    from gan_augment import GANAugmenter

    return GANAugmenter(random_state=seed, n_threads=1, **params).fit(X_train, y_train)


def arms_of(variants) -> list[str]:
    return BASE + [f"{name}@{a:g}" for name in variants for a in AMOUNTS]


def run_one(name, seed, data_dir, variants, arms):
    """Records of ``arms`` on scenario ``name`` and ``seed``; the GAN is fitted only when an arm needs it."""
    from gan_augment.planner import plan_top_up

    X_tr, X_te, y_tr, y_te, note = split(name, seed, data_dir)
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]
    plan = plan_top_up(y_tr)
    gan_rows, fit_s, acceptance = {}, None, None
    if any(arm.split("@")[0] in variants for arm in arms):
        started = time.process_time()
        gan = panel_gan(seed, X_tr, y_tr)
        fit_s = time.process_time() - started
        if gan.label_gate_ is not None:  # the share of the rarest class's rows the library's gate keeps
            acceptance = gan.label_gate_.acceptance[int(np.flatnonzero(gan.classes_ == rare)[0])]
        for variant, draw in variants.items():
            gan_rows[variant] = draw(gan, plan, X_tr, y_tr, seed)
    records = []
    for clf_name in CLASSIFIERS:
        for arm in arms:
            X_fit, y_fit, _ = arm_data(arm, X_tr, y_tr, plan, seed, gan_rows, clf_name, seed)
            model = classifier(clf_name, X_tr, seed, balanced=arm == "class_weight").fit(X_fit, y_fit)
            records.append({"scenario": name, "seed": seed, "classifier": clf_name, "arm": arm, "rare": str(rare),
                            "gate_rare_acceptance": acceptance, **scores(model, X_te, y_te, rare)})
    return records, note, fit_s


def report(saved, *, title: str, description: str, variants) -> str:
    """The Markdown report of ``saved`` (the JSON record of :func:`main`)."""
    arms = arms_of(variants)
    reference, *others = variants
    frame = pd.DataFrame(saved["records"])
    lines = [f"# {title}", "",
             f"Command: `{saved['command']}` (OMP_NUM_THREADS=1)"
             + (f", {saved['context']}" if saved.get("context") else "") + f"; {saved['wall_s']:.0f} s wall"
             f"{'' if saved['complete'] else ' (INCOMPLETE run)'}.", ""]
    seeds = sorted(int(s) for s in frame["seed"].unique())
    if isinstance(description, dict):  # a sentence per variant; those of the variants reported
        shown = [text for name, text in description.items() if name in variants]
        description = "One default `GANAugmenter` fit per scenario and seed; " + "; ".join(shown) + \
            ". Mean over seeds; amounts 25/50/100% of the gap."
    lines += [f"Scenarios: {frame['scenario'].nunique()}; seeds {seeds}. {description}", ""]
    for metric in ("macro_f1", "rare_recall"):
        table = frame.pivot_table(index=["scenario", "classifier"], columns="arm", values=metric, aggfunc="mean")
        lines += [f"## {metric} (mean over seeds)", "", "| scenario | clf | " + " | ".join(arms) + " |",
                  "|---|---|" + "---|" * len(arms)]
        for (scenario, clf), row in table.iterrows():
            lines.append(f"| {scenario} | {clf} | " + " | ".join(f"{row[a]:.3f}" for a in arms) + " |")
        lines.append("")
        means = table.mean()
        lines.append("Mean over cells: " + ", ".join(f"{a} {means[a]:.3f}" for a in arms) + ".")
        lines.append("")
        smote_best = table[[f"smote@{a:g}" for a in AMOUNTS]].max(axis=1)
        for arm in variants:
            best = table[[f"{arm}@{a:g}" for a in AMOUNTS]].max(axis=1)
            lines.append(f"- {arm} (best amount) >= SMOTE (best amount) in {int((best >= smote_best).sum())} of "
                         f"{len(table)} cells.")
        lines.append("")
    for metric in ("macro_f1", "rare_recall"):
        paired = frame.pivot_table(index=["scenario", "classifier", "seed"], columns="arm", values=metric)
        lines += [f"## Paired differences in {metric} (same fit, same seed) from {reference}: mean (standard error), "
                  "higher / lower in cells x seeds", "",
                  "| amount | " + " | ".join(f"{arm} - {reference}" for arm in others) + " |",
                  "|---|" + "---|" * len(others)]
        for a in AMOUNTS:
            cells = []
            for arm in others:
                d = paired[f"{arm}@{a:g}"] - paired[f"{reference}@{a:g}"]
                cells.append(f"{d.mean():+.4f} ({d.std(ddof=1) / np.sqrt(len(d)):.4f}), "
                             f"{int((d > 0).sum())} / {int((d < 0).sum())} of {len(d)}")
            lines.append(f"| {a:g} | " + " | ".join(cells) + " |")
        lines.append("")
    if "gate_rare_acceptance" in frame and frame["gate_rare_acceptance"].notna().any():
        shares = frame.dropna(subset=["gate_rare_acceptance"]).groupby("scenario")["gate_rare_acceptance"].mean()
        lines += ["The library's gate keeps of the rarest class's rows (mean over the seeds that recorded it): "
                  + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()) + ".", ""]
    lines += ["GAN fit CPU s (mean over seeds): " + ", ".join(
        f"{k} {np.mean(v):.0f}" for k, v in saved["fit_s"].items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv, *, script: str, doc: str, variants, title: str, description: str, out: Path, json_path: Path,
         scenarios=None):
    """The command line shared by the variant benchmarks: run, ``--report-only``, ``--merge`` of
    parts run in parallel, ``--add-baselines`` (baseline arms missing from ``--json``).
    ``scenarios``: the default of ``--scenarios`` (the panel's 12)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=scenarios or PANEL, choices=list(SCENARIOS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--json", type=Path, default=json_path)
    parser.add_argument("--variants", nargs="+", choices=list(variants),
                        help="the variants to run or report (the first is the reference); default: all to run, "
                             "those in --json, in its order, to report")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="PART",
                        help="merge the JSON records of parts run side by side into --json (wall time: the "
                             "longest part's) and write the report")
    parser.add_argument("--command", help="with --merge: the command line to record (default: the first part's)")
    parser.add_argument("--add-baselines", action="store_true",
                        help="score the baseline arms missing from --json on its scenarios and seeds (no GAN fits), "
                             "add them and rewrite the report")
    args = parser.parse_args(argv)
    known = variants

    def write(saved, *, record=True):
        if record:
            args.json.write_text(json.dumps(saved, indent=1))
        # A report of the variants asked for, or else of those the records hold, in the order run.
        order = args.variants or saved.get("variants") or list(
            dict.fromkeys(r["arm"].split("@")[0] for r in saved["records"]))
        text = report(saved, title=title, description=description,
                      variants={name: known[name] for name in order if name in known})
        write_keeping_reading(args.out, text)

    if args.report_only:
        write(json.loads(args.json.read_text()), record=False)
        return
    if args.merge:
        parts = [json.loads(p.read_text()) for p in args.merge]
        saved = {"command": args.command or parts[0]["command"], "context": parts[0].get("context"), "records": [], "notes": {}, "fit_s": {},
                 "wall_s": max(p["wall_s"] for p in parts), "complete": all(p["complete"] for p in parts)}
        for part in parts:
            saved["records"] += part["records"]
            saved["notes"].update(part["notes"])
            for name, values in part["fit_s"].items():
                saved["fit_s"].setdefault(name, []).extend(values)
        write(saved)
        return
    if args.add_baselines:
        saved = json.loads(args.json.read_text())
        check_tables(args.data_dir, sorted({r["scenario"] for r in saved["records"]}))
        have = {(r["scenario"], r["seed"], r["arm"]) for r in saved["records"]}
        for name, seed in sorted({(r["scenario"], r["seed"]) for r in saved["records"]}):
            missing = [arm for arm in BASE if (name, seed, arm) not in have]
            if missing:
                saved["records"] += run_one(name, seed, args.data_dir, variants, missing)[0]
        write(saved)
        return
    check_tables(args.data_dir, args.scenarios)
    torch.set_num_threads(1)
    variants = {name: known[name] for name in args.variants or known}
    command = recorded_command(script, argv if argv is not None else sys.argv[1:])
    info = machine_info()
    saved = {"command": command, "context": f"library at {info['git_commit']} ({time.strftime('%Y-%m-%d')}, "
             f"{info['nproc']} cores of an {info['cpu']})", "records": [], "notes": {}, "fit_s": {}, "wall_s": 0.0,
             "complete": False, "variants": list(variants)}
    started = time.perf_counter()
    for name in args.scenarios:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            rows, saved["notes"][name], fit_s = run_one(name, seed, args.data_dir, variants, arms_of(variants))
            saved["records"] += rows
            saved["fit_s"].setdefault(name, []).append(fit_s)
            saved["wall_s"] = time.perf_counter() - started
            args.json.write_text(json.dumps(saved, indent=1))
            print(f"{name} seed {seed}: done ({saved['wall_s']:.0f} s)", flush=True)
    saved["complete"] = True
    write(saved)
    print(f"wrote {args.out} and {args.json}")
