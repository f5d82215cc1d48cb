"""Encoding a large table: CPU time and peak memory of ``TabularEncoder.transform``.

Each measurement runs in a fresh subprocess (``ru_maxrss`` is a process's peak); the peak growth is
measured from just before ``transform`` and compared with the size of the float32 result.

Usage: OMP_NUM_THREADS=1 python benchmarks/bench_encode.py [--rows 1000000] [--numeric 10] [--categorical 0]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

_CHILD = """
import json, resource, sys, time, warnings
import numpy as np, pandas as pd
from gan_augment.data.tabular import TabularEncoder
rows, numeric, categorical = (int(v) for v in sys.argv[1:4])
rng = np.random.default_rng(0)
X = pd.DataFrame({**{f"n{i}": rng.normal(size=rows) for i in range(numeric)},
                  **{f"c{i}": rng.choice([f"v{k}" for k in range(20)], rows) for i in range(categorical)}})
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    encoder = TabularEncoder(random_state=0).fit(X)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
encoded = encoder.transform(X, random_state=0)
seconds = time.process_time() - started
growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps({"result_mb": encoded.nbytes / 2**20, "peak_growth_mb": growth, "cpu_s": seconds,
                  "width": encoded.shape[1]}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--numeric", type=int, default=10)
    parser.add_argument("--categorical", type=int, default=0)
    args = parser.parse_args()
    out = subprocess.run([sys.executable, "-c", _CHILD, str(args.rows), str(args.numeric), str(args.categorical)],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(f"{args.rows:,} rows x ({args.numeric} numeric + {args.categorical} categorical) -> width "
          f"{result['width']}: transform {result['cpu_s']:.2f} CPU s, result {result['result_mb']:.0f} MiB, "
          f"peak growth {result['peak_growth_mb']:.0f} MiB ({result['peak_growth_mb'] / result['result_mb']:.1f}x)")


if __name__ == "__main__":
    main()
