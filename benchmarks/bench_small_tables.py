"""Small tables and ``epochs="auto"``: does holding them to the ~3,000 generator updates pay? (issues 11, 15)

``epochs="auto"`` aims at about 3,000 generator updates (benchmarks/DEFAULTS_SWEEP.md). Until it
was removed, a cap of 1,000 epochs cut that short for every table with at most two batches of
training rows (one or two updates per epoch): 1,000-2,000 updates, on exactly the tables where a
top-up matters most. Variants, per panel scenario and seed:

- ``capped``: a GANAugmenter of the same data and seed fitted for ``min(1,000, planned epochs)``
  epochs, the old rule (the default fit itself where that is no fewer, so no second fit);
- ``gated``: the library's default fit and top-up (``epochs="auto"``, no cap).

A ``capped`` fit with the epochs given is bit-identical to the old library's "auto" fit: nothing
else reads ``epochs``. The pairs share the split and the seed but not the fit.

    OMP_NUM_THREADS=1 python benchmarks/bench_small_tables.py --seeds 5 --variants capped gated

Results: benchmarks/SMALL_TABLES.md and benchmarks/small_tables_results.json (harness:
benchmarks/_sampling_variants.py).
"""

from __future__ import annotations

from pathlib import Path

from _sampling_variants import LIBRARY_FIT, panel_gan
from _sampling_variants import main as run_variants
from bench_gate_strictness import _as_library_samples

HERE = Path(__file__).resolve().parent
#: The old cap on "auto" epochs.
OLD_MAX_EPOCHS = 1000
#: The panel's tables with at most two batches of training rows (the 70% split), the cap's.
SMALL = ["glass", "new-thyroid", "ecoli", "dermatology cut", "credit-g cut", "breast-cancer cut", "wine cut"]


def _capped(gan, plan, X_train, y_train, seed):
    epochs = len(gan.history_)  # one record per epoch: the epochs "auto" planned
    if epochs > OLD_MAX_EPOCHS:
        gan = panel_gan(seed, X_train, y_train, epochs=OLD_MAX_EPOCHS)
    return _as_library_samples(gan, plan, X_train, y_train, seed)


VARIANTS = {"capped": _capped, "gated": _as_library_samples}
DESCRIPTION = {
    "capped": "`capped`: the same data and seed fitted for at most 1,000 epochs (the old auto rule)",
    "gated": LIBRARY_FIT,
}


def main(argv=None):
    run_variants(argv, script="bench_small_tables.py", doc=__doc__, variants=VARIANTS,
                 title="Small tables: epochs='auto' with and without the cap of 1,000 epochs",
                 description=DESCRIPTION, out=HERE / "SMALL_TABLES.md", json_path=HERE / "small_tables_results.json",
                 scenarios=SMALL)


if __name__ == "__main__":
    main()
