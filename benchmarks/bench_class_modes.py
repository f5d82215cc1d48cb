"""Class modes of numeric columns (stop 61): the panel with and without them, in one command each.

The tabular codec gives a class the numeric modes the column's shares do not (an exact mode for a
value most of a class's rows hold; one mode over a class's rows no mode reaches: ``_class_modes``
in gan_augment/data/tabular.py). Of the panel's tables only page-blocks (5 columns) and dermatology
(2) get any. This runs ``bench_panel.py`` as it is (``new``) or with the class modes switched off
(``old``), the other arguments passed on:

    OMP_NUM_THREADS=1 python benchmarks/bench_class_modes.py old --arms gate \
        --scenarios page-blocks "dermatology cut" --seeds 2 --out old.md --json old.json
    OMP_NUM_THREADS=1 python benchmarks/bench_class_modes.py new --arms gate \
        --scenarios page-blocks "dermatology cut" --seeds 2 --out new.md --json new.json
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gan_augment.data.tabular as tabular  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("old", "new"):
        sys.exit("usage: bench_class_modes.py old|new [bench_panel.py arguments]")
    if sys.argv[1] == "old":
        tabular._class_modes = lambda observed, classes, means, stds, weights, floor, most: (means, stds, weights)
    import bench_panel  # noqa: E402

    bench_panel.main(sys.argv[2:])
