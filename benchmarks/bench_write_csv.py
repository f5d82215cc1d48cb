"""Writing tables: gan-augment's CSV writers against pandas' to_csv of the same frame, CPU seconds.

``write_augmented_table`` (what `gan-augment augment` writes) copies the real rows' bytes and writes
the synthetic rows as the source spells its own (separator and its space, quoting, decimals);
``write_table`` (what `gan-augment sample` writes) quotes every text cell where one holds a bare CR.
pandas' ``to_csv`` of the same rows is the floor. The real rows are the 2,000-row slice of UCI Adult
bundled with the package (spaced after its commas, as the UCI file is); the synthetic rows are
real rows drawn with replacement (seeded): what is measured is writing, not generating.

Usage: OMP_NUM_THREADS=1 python benchmarks/bench_write_csv.py [--rows 200000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from importlib import resources
from pathlib import Path

import pandas as pd

from gan_augment.data.io import read_table_source, write_augmented_table, write_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _taking_turns import cpu_seconds_taking_turns  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="synthetic rows to write")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with resources.as_file(resources.files("gan_augment.data").joinpath("bundled", "adult_sample.csv")) as path:
        real, source = read_table_source(path, target="income")
    synthetic = real.sample(args.rows, replace=True, random_state=0).reset_index(drop=True)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        writers = {
            "pandas to_csv (real + synthetic)": lambda: pd.concat([real, synthetic]).to_csv(out / "a.csv", index=False),
            "write_augmented_table (augment)": lambda: write_augmented_table(real, synthetic, out / "b.csv",
                                                                             source=source, force=True),
            "pandas to_csv (synthetic)": lambda: synthetic.to_csv(out / "c.csv", index=False),
            "write_table (sample)": lambda: write_table(synthetic, out / "d.csv", force=True),
        }
        times = cpu_seconds_taking_turns(writers, args.rounds)
    print(f"{args.rows:,} synthetic rows of {real.shape[1]} columns; CPU seconds, median of {args.rounds}:")
    for name, seconds in times.items():
        print(f"  {name:<36} {statistics.median(seconds):6.2f}")


if __name__ == "__main__":
    main()
