"""What the label gate costs at sampling time on Adult: one default fit, then 100,000 rows in the
training class proportions drawn through the gate (``label_gate="auto"``, the tables' default) and
without it (``False``), alternated in one process; median rows per CPU-second and per wall-second.

Usage: OMP_NUM_THREADS=1 python benchmarks/ab_gate_sampling.py [--data-dir ../shared/data] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from _adult import adult_path, load_adult  # benchmarks/ is on sys.path when run as a script

from gan_augment import GANAugmenter


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    X, y = load_adult(adult_path(args.data_dir))
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GANAugmenter(random_state=0, n_threads=1).fit(X, y)
    print(f"default fit: {time.process_time() - started:.0f} CPU s; the gate keeps "
          + ", ".join(f"{label} {rate:.1%}" for label, rate in zip(model.classes_, model.label_gate_.acceptance)))
    shares = pd.Series(y).value_counts(normalize=True)
    times: dict = {"auto": [], False: []}
    for repeat in range(args.repeats):
        for setting in ("auto", False) if repeat % 2 == 0 else (False, "auto"):  # alternated: no drift favours one
            model.set_params(label_gate=setting)
            cpu, wall = time.process_time(), time.perf_counter()
            for label, share in shares.items():
                model.sample(int(round(args.rows * share)), label, random_state=repeat)
            times[setting].append((time.process_time() - cpu, time.perf_counter() - wall))
    for setting, runs in times.items():
        cpu, wall = np.median(runs, axis=0)
        print(f"label_gate={setting!r}: {args.rows / cpu:,.0f} rows per CPU-second, {args.rows / wall:,.0f} rows per "
              f"wall-second (median of {args.repeats})")


if __name__ == "__main__":
    main()
