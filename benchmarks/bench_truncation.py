"""The truncation trick for the tables' top-up: do more typical GAN rows help the downstream model?

BigGAN's truncation trick (Brock et al. 2019): at sampling time, noise entries beyond +-psi are
redrawn, so samples come from the generator's denser, more typical region (more fidelity, less
variety). SMOTE's rows stay between real rows of their class; truncated GAN rows move the GAN
top-up in that direction without changing the model. The library does not offer it yet: this
benchmark patches the tabular generator's eval-mode forward (only the noise, redrawn from the same
seeded stream, so the rows stay deterministic).

Per panel scenario (benchmarks/bench_panel.py: the same loading, 70/30 split, classifiers, scores)
and seed: one default GANAugmenter fit (label_gate="auto"); its top-up through the gate sampled
at psi = none (the library's rows), 1.0 and 0.5, each at 25/50/100% of the gap to the majority;
beside them none, class weights, random oversampling and SMOTE at the same amounts. The arms of one fit
are paired.

    OMP_NUM_THREADS=1 python benchmarks/bench_truncation.py --seeds 3
    OMP_NUM_THREADS=1 python benchmarks/bench_truncation.py --report-only

Results: benchmarks/TRUNCATION.md and benchmarks/truncation_results.json.
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
from _adult import recorded_command
from bench_panel import AMOUNTS, CLASSIFIERS, DEFAULT_DATA, SCENARIOS, arm_data, classifier, scores, split

from gan_augment.models.tabular import TabularGenerator

HERE = Path(__file__).resolve().parent
PANEL = [s for s in SCENARIOS if s not in ("shuttle", "dermatology", "hypothyroid")]  # PANEL_GATE.md's 12
PSIS = {"gated": None, "trunc1": 1.0, "trunc05": 0.5}
BASE = ["none", "class_weight"] + [f"{m}@{a:g}" for m in ("random", "smote") for a in AMOUNTS]
ARMS = BASE + [f"{name}@{a:g}" for name in PSIS for a in AMOUNTS]

_forward = TabularGenerator.forward
_psi = None


def _truncated_forward(self, z, y):
    if not self.training and _psi is not None:
        z = z.clone()
        outside = z.abs() > _psi
        while outside.any():  # redraw from the (seeded) stream the noise came from
            z[outside] = torch.randn(int(outside.sum()), dtype=z.dtype, device=z.device)
            outside = z.abs() > _psi
    return _forward(self, z, y)


def run_one(name, seed, data_dir, arms=ARMS):
    """Records of ``arms`` on scenario ``name`` and ``seed``; the GAN is fitted only when an arm needs it."""
    global _psi
    from gan_augment import GANAugmenter
    from gan_augment.planner import plan_top_up

    X_tr, X_te, y_tr, y_te, note = split(name, seed, data_dir)
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]
    plan = plan_top_up(y_tr)
    gan_rows, fit_s = {}, None
    if any(arm.split("@")[0] in PSIS for arm in arms):
        started = time.process_time()
        gan = GANAugmenter(random_state=seed, n_threads=1).fit(X_tr, y_tr)
        fit_s = time.process_time() - started
        for arm, psi in PSIS.items():
            _psi = psi
            try:
                gan_rows[arm] = {c: gan.sample(n, c) for c, n in plan.items() if n > 0}
            finally:
                _psi = None
    records = []
    for clf_name in CLASSIFIERS:
        for arm in arms:
            X_fit, y_fit, _ = arm_data(arm, X_tr, y_tr, plan, seed, gan_rows, clf_name, seed)
            model = classifier(clf_name, X_tr, seed, balanced=arm == "class_weight").fit(X_fit, y_fit)
            records.append({"scenario": name, "seed": seed, "classifier": clf_name, "arm": arm, "rare": str(rare),
                            **scores(model, X_te, y_te, rare)})
    return records, note, fit_s


def report(saved) -> str:
    frame = pd.DataFrame(saved["records"])
    lines = ["# The truncation trick for the tables' GAN top-up (issue 11)", "",
             f"Command: `{saved['command']}` (OMP_NUM_THREADS=1); {saved['wall_s']:.0f} s wall"
             f"{'' if saved['complete'] else ' (INCOMPLETE run)'}.", ""]
    seeds = sorted(int(s) for s in frame["seed"].unique())
    lines += [f"Scenarios: {frame['scenario'].nunique()}; seeds {seeds}. One default `GANAugmenter` fit per "
              "scenario and seed; `gated` is its top-up as the library samples it (through the label gate, "
              "`label_gate='auto'`); `trunc1` / `trunc05` the same fit's top-up with every noise entry beyond "
              "+-1.0 / +-0.5 redrawn (truncation trick). Mean over seeds; amounts 25/50/100% of the gap.", ""]
    for metric in ("macro_f1", "rare_recall"):
        table = frame.pivot_table(index=["scenario", "classifier"], columns="arm", values=metric, aggfunc="mean")
        lines += [f"## {metric} (mean over seeds)", "", "| scenario | clf | " + " | ".join(ARMS) + " |",
                  "|---|---|" + "---|" * len(ARMS)]
        for (scenario, clf), row in table.iterrows():
            lines.append(f"| {scenario} | {clf} | " + " | ".join(f"{row[a]:.3f}" for a in ARMS) + " |")
        lines.append("")
        means = table.mean()
        lines.append("Mean over cells: " + ", ".join(f"{a} {means[a]:.3f}" for a in ARMS) + ".")
        lines.append("")
        smote_best = table[[f"smote@{a:g}" for a in AMOUNTS]].max(axis=1)
        for arm in PSIS:
            best = table[[f"{arm}@{a:g}" for a in AMOUNTS]].max(axis=1)
            lines.append(f"- {arm} (best amount) >= SMOTE (best amount) in {int((best >= smote_best).sum())} of "
                         f"{len(table)} cells.")
        lines.append("")
    paired = frame.pivot_table(index=["scenario", "classifier", "seed"], columns="arm", values="macro_f1")
    lines += ["## Paired differences in macro-F1 (same fit, same seed): truncated minus gated", "",
              "| amount | trunc1 - gated: mean (SE), higher / lower cells x seeds | trunc05 - gated |", "|---|---|---|"]
    for a in AMOUNTS:
        cells = []
        for arm in ("trunc1", "trunc05"):
            d = paired[f"{arm}@{a:g}"] - paired[f"gated@{a:g}"]
            cells.append(f"{d.mean():+.4f} ({d.std(ddof=1) / np.sqrt(len(d)):.4f}), "
                         f"{int((d > 0).sum())} / {int((d < 0).sum())} of {len(d)}")
        lines.append(f"| {a:g} | " + " | ".join(cells) + " |")
    lines += ["", "GAN fit CPU s (mean over seeds): " + ", ".join(
        f"{k} {np.mean(v):.0f}" for k, v in saved["fit_s"].items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=PANEL, choices=list(SCENARIOS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "TRUNCATION.md")
    parser.add_argument("--json", type=Path, default=HERE / "truncation_results.json")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--add-baselines", action="store_true",
                        help="score the baseline arms missing from --json on its scenarios and seeds (no GAN fits), "
                             "add them and rewrite the report")
    args = parser.parse_args(argv)
    if args.report_only:
        args.out.write_text(report(json.loads(args.json.read_text())))
        return
    if args.add_baselines:
        saved = json.loads(args.json.read_text())
        have = {(r["scenario"], r["seed"], r["arm"]) for r in saved["records"]}
        for name, seed in sorted({(r["scenario"], r["seed"]) for r in saved["records"]}):
            missing = [arm for arm in BASE if (name, seed, arm) not in have]
            if missing:
                saved["records"] += run_one(name, seed, args.data_dir, missing)[0]
        args.json.write_text(json.dumps(saved, indent=1))
        args.out.write_text(report(saved))
        return
    torch.set_num_threads(1)
    TabularGenerator.forward = _truncated_forward
    command = recorded_command("bench_truncation.py", argv if argv is not None else sys.argv[1:])
    saved = {"command": command, "records": [], "notes": {}, "fit_s": {}, "wall_s": 0.0, "complete": False}
    started = time.perf_counter()
    for name in args.scenarios:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            rows, saved["notes"][name], fit_s = run_one(name, seed, args.data_dir)
            saved["records"] += rows
            saved["fit_s"].setdefault(name, []).append(fit_s)
            saved["wall_s"] = time.perf_counter() - started
            args.json.write_text(json.dumps(saved, indent=1))
            print(f"{name} seed {seed}: done ({saved['wall_s']:.0f} s)", flush=True)
    saved["complete"] = True
    args.json.write_text(json.dumps(saved, indent=1))
    args.out.write_text(report(saved))
    print(f"wrote {args.out} and {args.json}")


if __name__ == "__main__":
    main()
