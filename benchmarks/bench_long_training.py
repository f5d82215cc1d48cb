"""Larger tables and ``epochs="auto"``: would twice, or half, the ~3,000 generator updates do? (issues 11, 15)

``epochs="auto"`` aims at about 3,000 generator updates whatever the table's size
(benchmarks/DEFAULTS_SWEEP.md chose it on cut Adult). On the small tables, holding them to those
updates paid (benchmarks/SMALL_TABLES.md). This asks the converse on the panel's larger tables
(over 1,000 rows, where the gated top-up lost to SMOTE in most cells of benchmarks/PANEL_GATE.md):
is the generator short of training there? And the question of issue 15 (a one-minute Adult fit):
does it need all of them? Variants, per panel scenario and seed:

- ``gated``: the library's default fit and top-up (``epochs="auto"``);
- ``long``: a GANAugmenter of the same data and seed fitted for twice the epochs "auto" planned,
  sampled through its label gate as the library does;
- ``short``: the same with half the epochs "auto" planned (about 1,500 updates).

The pairs share the split and the seed but not the fit. A ``long`` fit costs twice the default's,
a ``short`` one half.

    OMP_NUM_THREADS=1 python benchmarks/bench_long_training.py --seeds 3 --variants gated long
    OMP_NUM_THREADS=1 python benchmarks/bench_long_training.py --seeds 3 --variants gated short \
        --out benchmarks/SHORT_TRAINING.md --json benchmarks/short_training_results.json

Results: benchmarks/LONG_TRAINING.md and benchmarks/long_training_results.json, SHORT_TRAINING.md and
short_training_results.json (harness:
benchmarks/_sampling_variants.py).
"""

from __future__ import annotations

import time
from pathlib import Path

from _sampling_variants import LIBRARY_FIT, panel_gan
from _sampling_variants import main as run_variants
from bench_gate_strictness import _as_library_samples

HERE = Path(__file__).resolve().parent
#: The panel's tables with more than 1,000 rows (the ones bench_small_tables.py leaves out).
LARGE = ["thyroid", "page-blocks", "mammography", "car", "abalone-19", "yeast", "winequality-red"]


def _refit(factor: float):
    """A variant that refits the same data and seed for ``factor`` times the epochs "auto" planned."""
    def draw(gan, plan, X_train, y_train, seed):
        epochs = max(1, round(factor * len(gan.history_)))  # history_ holds one record per epoch
        started = time.process_time()
        refitted = panel_gan(seed, X_train, y_train, epochs=epochs)
        print(f"  refit at {factor:g}x: {epochs} epochs, {time.process_time() - started:.0f} CPU s", flush=True)
        return _as_library_samples(refitted, plan, X_train, y_train, seed)
    return draw


VARIANTS = {"gated": _as_library_samples, "long": _refit(2.0), "short": _refit(0.5)}
DESCRIPTION = {
    "gated": LIBRARY_FIT,
    "long": "`long`: the same data and seed fitted for twice the epochs 'auto' planned (about 6,000 updates)",
    "short": "`short`: the same data and seed fitted for half the epochs 'auto' planned (about 1,500 updates)",
}


def main(argv=None):
    run_variants(argv, script="bench_long_training.py", doc=__doc__, variants=VARIANTS,
                 title="Larger tables: epochs='auto' against more or fewer generator updates",
                 description=DESCRIPTION, out=HERE / "LONG_TRAINING.md", json_path=HERE / "long_training_results.json",
                 scenarios=LARGE)


if __name__ == "__main__":
    main()
