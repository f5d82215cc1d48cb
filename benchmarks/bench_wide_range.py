"""Columns over orders of magnitude: the panel with their spread modes fitted on a logarithmic scale
(``log``, the library as it is) or in the column's own units (``linear``, as before), one command each.

The tabular codec fits a non-negative column whose largest value is at least 100 times its median
positive value on ``asinh(value / scale)`` (``_wide_range_scale`` in gan_augment/data/tabular.py).
Of the panel's tables only page-blocks (6 columns) and thyroid (1) have such columns; the other
scenarios encode exactly as before. This runs ``bench_panel.py`` with the other arguments passed on:

    OMP_NUM_THREADS=1 python benchmarks/bench_wide_range.py linear --arms gate \\
        --scenarios page-blocks thyroid --seeds 5 --out linear.md --json linear.json
    OMP_NUM_THREADS=1 python benchmarks/bench_wide_range.py log --arms gate \\
        --scenarios page-blocks thyroid --seeds 5 --out log.md --json log.json

``marginals`` fits the default gated ``GANAugmenter`` both ways, in one process (same seeds), and
compares the rarest class's synthetic values of each column fitted on a log scale with the class's
real training values: the two-sample Kolmogorov-Smirnov distance, and the shares below the real
values' 10th and above their 90th percentiles (10% each, where the synthetic values follow them).
Scenario ``amounts`` is a generated table (``generated_amounts``), the others the panel's:

    OMP_NUM_THREADS=1 python benchmarks/bench_wide_range.py marginals --scenarios page-blocks thyroid \\
        --seeds 2 --out marginals.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import gan_augment.data.tabular as tabular  # noqa: E402

ON_LOG_SCALE = tabular._wide_range_scale


@contextlib.contextmanager
def scale(arm: str):
    """The codec as it is (``log``), or with every column fitted in its own units (``linear``)."""
    tabular._wide_range_scale = ON_LOG_SCALE if arm == "log" else (lambda observed: None)
    try:
        yield
    finally:
        tabular._wide_range_scale = ON_LOG_SCALE


def generated_amounts(seed: int, n: int = 3000):
    """``amounts``: a table generated from ``seed``, not read: 10% of its rows in a rare class, an
    amount over about eight orders of magnitude (log-normal, sigma 3; the rare class's ten times
    larger in median), 5% of the amounts 0, and a normal column the classes share."""
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.1, "rare", "common").astype(object)
    amount = np.round(np.exp(rng.normal(np.where(y == "rare", 5.3, 3.0), 3.0)), 2)
    amount[rng.random(n) < 0.05] = 0.0
    return pd.DataFrame({"amount": amount, "score": np.round(rng.normal(0, 1, n), 3)}), y


def marginals(argv) -> None:
    from scipy.stats import ks_2samp

    import bench_panel
    from gan_augment import GANAugmenter

    parser = argparse.ArgumentParser(prog="bench_wide_range.py marginals")
    parser.add_argument("--scenarios", nargs="+", default=["page-blocks", "thyroid"])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=2000, help="synthetic rows of the rarest class per fit")
    parser.add_argument("--data-dir", type=Path, default=bench_panel.DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    started, records = time.perf_counter(), []
    for name in args.scenarios:
        for seed in range(args.seeds):
            if name == "amounts":
                X_tr, y_tr = generated_amounts(seed)
            else:
                X_tr, _, y_tr, _, _ = bench_panel.split(name, seed, args.data_dir)
            labels, counts = np.unique(y_tr, return_counts=True)
            rare = labels[np.argmin(counts)]
            real = X_tr[y_tr == rare]
            fits = {}
            for arm in ("linear", "log"):  # interleaved, one process: the same seeds and machine load
                with scale(arm):
                    cpu = time.process_time()
                    gan = GANAugmenter(random_state=seed).fit(X_tr, y_tr)
                    fits[arm] = (gan, gan.sample(args.rows, rare), time.process_time() - cpu)
            for spec in fits["log"][0].encoder_.columns_:
                if "scale" not in spec:
                    continue
                column = spec["name"]
                truth = real[column].to_numpy(dtype=np.float64)
                low, high = np.quantile(truth, [0.1, 0.9])
                for arm, (_, rows, cpu) in fits.items():
                    values = rows[column].to_numpy(dtype=np.float64)
                    records.append({"scenario": name, "seed": seed, "rare": str(rare), "n_rare": len(truth),
                                    "column": column, "arm": arm, "ks": ks_2samp(truth, values).statistic,
                                    "below_p10": float(np.mean(values < low)),
                                    "above_p90": float(np.mean(values > high)), "fit_cpu_s": cpu})
            print(f"{name} seed {seed}: done ({time.perf_counter() - started:.0f} s)", flush=True)
    frame = pd.DataFrame(records)
    table = frame.pivot_table(index=["scenario", "column"], columns="arm", values=["ks", "below_p10", "above_p90"],
                              aggfunc="mean")
    lines = [f"Command: `python benchmarks/bench_wide_range.py marginals {' '.join(argv)}` (OMP_NUM_THREADS=1), "
             f"{time.perf_counter() - started:.0f} s wall, {platform.processor() or platform.machine()}.", "",
             "Mean over seeds; the rarest class's synthetic values against its real training values "
             "(KS: lower is closer; below p10 / above p90: 0.10 each where they follow the real values).", "",
             "| scenario | column | KS linear | KS log | below p10 linear | below p10 log | above p90 linear "
             "| above p90 log |", "|---|---|---|---|---|---|---|---|"]
    for (name, column), row in table.iterrows():
        lines.append(f"| {name} | {column} | {row[('ks', 'linear')]:.3f} | {row[('ks', 'log')]:.3f} | "
                     f"{row[('below_p10', 'linear')]:.3f} | {row[('below_p10', 'log')]:.3f} | "
                     f"{row[('above_p90', 'linear')]:.3f} | {row[('above_p90', 'log')]:.3f} |")
    means = frame.groupby("arm")[["ks", "fit_cpu_s"]].mean()
    lines += ["", f"Mean KS: linear {means.loc['linear', 'ks']:.3f}, log {means.loc['log', 'ks']:.3f}; "
              f"closer on the log scale in {int((table[('ks', 'log')] < table[('ks', 'linear')]).sum())} of "
              f"{len(table)} columns. Mean fit CPU seconds: linear {means.loc['linear', 'fit_cpu_s']:.0f}, "
              f"log {means.loc['log', 'fit_cpu_s']:.0f}."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("linear", "log", "marginals"):
        sys.exit("usage: bench_wide_range.py linear|log [bench_panel.py arguments] | marginals [--help]")
    if sys.argv[1] == "marginals":
        marginals(sys.argv[2:])
    else:
        import bench_panel  # noqa: E402

        with scale(sys.argv[1]):
            bench_panel.main(sys.argv[2:])
