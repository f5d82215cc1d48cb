"""The tables' label gate and a column read off another (Adult's education-num), before and after.

Decoding sets a column read off another (education-num, one value for each education) from its
parent and never reads the generator's own block for it. The gate's judge used to read that block:
it passed or refused a row for a value the decoded row does not hold. Since 1fb9082 it leaves the
block out. Both judges are trained in the same fit (the GAN is the same: the judge has its own
seeded stream), so the arms differ only in the judge:

- ``reads block``: the judge before 1fb9082, reading every encoded position;
- ``leaves it out``: the library's judge now.

Per seed: cut Adult as in bench_adult.py (stratified 80/20 split, the >50K class cut to 5% of the
training split), one default ``GANAugmenter(classes=['>50K'], random_state=seed)`` fit, the top-up
to the majority count drawn through each gate with the same random_state, then LR and HGB scored on
the untouched test split (macro-F1, rare recall). Also: the share of the rows each gate returns that
its own judge accepts once they are decoded and encoded again ("judged as decoded").

    OMP_NUM_THREADS=1 python benchmarks/bench_gate_read_off.py --seeds 0 1 2 3 4 [--out FILE.json]
    python benchmarks/bench_gate_read_off.py --report FILE.json [FILE.json ...]   # merged Markdown
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _adult as A  # noqa: E402

ARMS = ("reads block", "leaves it out")


def run_seed(X_all, y_all, seed: int) -> list[dict]:
    from gan_augment import GANAugmenter
    from gan_augment.label_gate import LabelGate

    X_tr, y_tr, X_te, y_te = A.cut_task(X_all, y_all, seed)
    train = LabelGate.train.__func__
    reading = []

    def train_both(cls, kind, real, labels, n_classes, *, seed, codec=None):
        # The judge before 1fb9082: the same data and seed, every encoded position read.
        whole = copy.copy(codec)
        whole.unread_positions = lambda: []
        reading.append(train(cls, kind, real, labels, n_classes, seed=seed, codec=whole))
        return train(cls, kind, real, labels, n_classes, seed=seed, codec=codec)

    LabelGate.train = classmethod(train_both)
    try:
        started = time.process_time()
        model = GANAugmenter(classes=[A.RARE], random_state=seed).fit(X_tr, y_tr)
        fit_cpu_s = time.process_time() - started
    finally:
        LabelGate.train = classmethod(train)
    gates = {"leaves it out": model.label_gate_, "reads block": reading[0]}
    index = list(model.classes_).index(A.RARE)
    gates["reads block"].acceptance = list(model.label_gate_.acceptance)  # only sizes the rounds
    needed = int((y_tr != A.RARE).sum() - (y_tr == A.RARE).sum())
    rows = []
    for arm in ARMS:
        model.label_gate_ = gates[arm]
        synthetic = model.sample(needed, A.RARE, random_state=seed)
        encoded = torch.as_tensor(model.encoder_.transform(synthetic, random_state=seed), dtype=torch.float32)
        as_decoded = float(gates[arm].accepts(encoded, index).float().mean())
        X_r = pd.concat([X_tr, synthetic[X_tr.columns]], ignore_index=True)
        y_r = np.concatenate([y_tr, np.full(len(synthetic), A.RARE, dtype=y_tr.dtype)])
        metrics = A.evaluate_arm(X_r, y_r, X_te, y_te, seed)
        row = {"seed": seed, "arm": arm, "fit_cpu_s": fit_cpu_s, "judged_as_decoded": as_decoded,
               **A.flat_metrics(metrics)}
        rows.append(row)
        print(f"seed {seed} {arm:<14} judged as decoded {as_decoded:.4f}  macro-F1 LR {row['LR_macro_f1']:.4f} "
              f"HGB {row['HGB_macro_f1']:.4f}  rare recall LR {row['LR_rare_recall']:.4f} "
              f"HGB {row['HGB_rare_recall']:.4f}", flush=True)
    return rows


def report(rows: list[dict], command: str) -> str:
    seeds = sorted({r["seed"] for r in rows})
    by = {(r["seed"], r["arm"]): r for r in rows}
    keys = [("judged_as_decoded", "judged as decoded")] + [
        (f"{clf}_{m}", f"{clf} {name}") for clf in ("LR", "HGB") for m, name in
        (("macro_f1", "macro-F1"), ("rare_recall", "rare recall"))]
    lines = ["# The tables' gate and a column read off another (Adult's education-num)", "",
             f"Command: `{command}`; {len(seeds)} seeds {seeds}. See the script's docstring for the arms.", "",
             "| measure | " + " | ".join(ARMS) + " | paired difference (now - before), mean (SE) | higher / lower |",
             "|---|" + "---|" * (len(ARMS) + 2)]
    for key, name in keys:
        means = [statistics.mean(by[s, arm][key] for s in seeds) for arm in ARMS]
        diffs = [by[s, "leaves it out"][key] - by[s, "reads block"][key] for s in seeds]
        se = statistics.stdev(diffs) / len(diffs) ** 0.5 if len(diffs) > 1 else float("nan")
        lines.append(f"| {name} | " + " | ".join(f"{m:.4f}" for m in means)
                     + f" | {statistics.mean(diffs):+.4f} ({se:.4f}) | "
                     f"{sum(d > 0 for d in diffs)} / {sum(d < 0 for d in diffs)} |")
    fit = statistics.mean(by[s, "leaves it out"]["fit_cpu_s"] for s in seeds)
    lines += ["", f"Mean CPU time of a fit (both judges trained): {fit:.0f} s."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default=None, help="JSON of the rows (default: none)")
    parser.add_argument("--report", nargs="+", default=None, help="JSON files to merge into Markdown")
    parser.add_argument("--command", default="python benchmarks/bench_gate_read_off.py --seeds 0 1 2 3 4")
    args = parser.parse_args(argv)
    if args.report:
        rows = [row for path in args.report for row in json.loads(Path(path).read_text())]
        print(report(rows, args.command), end="")
        return
    torch.set_num_threads(1)
    X_all, y_all = A.load_adult(A.adult_path(args.data_dir))
    rows = [row for seed in args.seeds for row in run_seed(X_all, y_all, seed)]
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1))
    print(report(rows, args.command), end="")


if __name__ == "__main__":
    main()
