"""Reading a wide CSV of numbers: gan-augment's reader against pandas.read_csv, CPU seconds.

gan-augment types every column from its text (numbers, zero-padded codes, booleans), counts the
decimals written in each float column and checks for a missing header; pandas parses only. The
table is generated (seeded) in a temporary folder: ``rows`` x ``columns`` normal numbers written
with 4 decimals, plus a two-class label.

Usage: OMP_NUM_THREADS=1 python benchmarks/bench_read_csv.py [--rows 2000] [--columns 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from gan_augment.data.io import read_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _taking_turns import cpu_seconds_taking_turns  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--columns", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(args.rows, args.columns)).round(4),
                         columns=[f"f{i}" for i in range(args.columns)])
    frame["label"] = rng.choice(["a", "b"], size=args.rows, p=[0.9, 0.1])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.csv"
        frame.to_csv(path, index=False)
        times = cpu_seconds_taking_turns({"pandas.read_csv": lambda: pd.read_csv(path),
                                          "gan_augment read_table": lambda: read_table(path)}, args.rounds)
    print(f"{args.rows:,} rows x {args.columns:,} columns of numbers (+ a label)")
    for name, values in times.items():
        print(f"{name:>24}: median {statistics.median(values):.2f} CPU s over {args.rounds} rounds")


if __name__ == "__main__":
    main()
