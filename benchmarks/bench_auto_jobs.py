"""AutoAugmenter's inner folds one after another and in parallel (``n_jobs``): wall time, CPU time,
and whether the choice and the rows are the same.

Per panel scenario (bench_panel.py's tables and 70/30 split, seed 0), one ``AutoAugmenter`` with
the default candidates (none, random, SMOTE, the GAN at 25/50/100% of the gap; 3 inner folds;
logistic regression) is run with ``n_jobs=1`` and then ``n_jobs=J``, the GAN at ``n_threads=1`` in
both so that the runs must agree bit for bit. Wall time is the whole ``fit_resample``; CPU time is
this process's plus its finished children's (joblib's worker processes).

    python benchmarks/bench_auto_jobs.py --jobs 3 --scenarios new-thyroid glass

Results: benchmarks/AUTO_JOBS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _reports import write_keeping_reading
from bench_panel import DEFAULT_DATA, SCENARIOS, check_tables, split

HERE = Path(__file__).resolve().parent


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (joblib's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _run(X, y, n_jobs: int, seed: int):
    from gan_augment import AutoAugmenter, GANAugmenter

    auto = AutoAugmenter(augmenter=GANAugmenter(n_threads=1), n_jobs=n_jobs, random_state=seed)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    X_res, y_res = auto.fit_resample(X, y)
    # Workers of a loky pool outlive the call: their CPU is counted once they are shut down.
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)
    return auto, X_res, y_res, time.perf_counter() - wall, _cpu_seconds() - cpu


def _markdown(table: pd.DataFrame) -> str:
    """A Markdown table (pandas' to_markdown needs tabulate, which the project does not install)."""
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=3, help="n_jobs of the parallel run (default 3)")
    parser.add_argument("--scenarios", nargs="+", default=["new-thyroid", "glass"], choices=list(SCENARIOS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "AUTO_JOBS.md")
    args = parser.parse_args(argv)
    check_tables(args.data_dir, args.scenarios)
    rows = []
    for name in args.scenarios:
        X, _, y, _, _ = split(name, args.seed, args.data_dir)
        runs = {}
        for n_jobs in (1, args.jobs):
            runs[n_jobs] = _run(X, y, n_jobs, args.seed)
            auto, _, _, wall, cpu = runs[n_jobs]
            print(f"{name}: n_jobs={n_jobs} chose {auto.chosen_}, wall {wall:.1f} s, CPU {cpu:.1f} s", flush=True)
        (one, X1, y1, wall1, cpu1), (many, Xj, yj, wallj, cpuj) = runs[1], runs[args.jobs]
        same = (one.chosen_ == many.chosen_ and X1.equals(Xj) and np.array_equal(y1, yj)
                and all(np.array_equal(one.cv_results_[k], many.cv_results_[k], equal_nan=True)
                        for k in one.cv_results_ if k.startswith("split")))
        rows.append({"scenario": name, "training rows": len(y), "chosen": f"{one.chosen_['method']} "
                     f"{one.chosen_['amount']:.0%}", "wall s, n_jobs=1": round(wall1, 1),
                     f"wall s, n_jobs={args.jobs}": round(wallj, 1), "wall ratio": round(wall1 / wallj, 2),
                     "CPU s, n_jobs=1": round(cpu1, 1), f"CPU s, n_jobs={args.jobs}": round(cpuj, 1),
                     "same choice, scores and rows": "yes" if same else "NO"})
    table = pd.DataFrame(rows)
    command = "python benchmarks/bench_auto_jobs.py " + " ".join(sys.argv[1:] if argv is None else argv)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    text = (f"# AutoAugmenter: inner folds in parallel (`n_jobs`)\n\nCommand: `{command}`  \n"
            f"Machine: {os.cpu_count()} CPUs; load average at the end {load}.\n\n{__doc__.split(chr(10) + chr(10))[1]}\n\n"
            + _markdown(table) + "\n")
    write_keeping_reading(args.out, text)
    print(text)


if __name__ == "__main__":
    main()
