"""The label gate's row judge on a tall table: training CPU time and held-out balanced accuracy.

Synthetic rows (20 normal columns; a rare class of 2% shifted by 2 in the first), trained with
``train_row_classifier`` as the gate does, scored on 20,000 fresh rows of both classes in equal
numbers. Compare versions by running it against each (e.g. PYTHONPATH=<a worktree> from outside the
repository).

Usage: OMP_NUM_THREADS=1 python benchmarks/bench_judge_rows.py [--rows 300000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from gan_augment.evaluation.judge import train_row_classifier


def _rows(n: int, rare: float, rng) -> tuple[torch.Tensor, np.ndarray]:
    labels = (rng.random(n) < rare).astype(np.int64)
    rows = rng.normal(size=(n, 20)).astype(np.float32)
    rows[labels == 1, 0] += 2
    return torch.from_numpy(rows), labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows, labels = _rows(args.rows, 0.02, rng)
    started = time.process_time()
    judge = train_row_classifier(rows, labels, n_classes=2, random_state=0)
    seconds = time.process_time() - started
    test, truth = _rows(20_000, 0.5, rng)
    with torch.no_grad():
        predicted = judge(test).argmax(1).numpy()
    accuracy = np.mean([(predicted[truth == c] == c).mean() for c in (0, 1)])
    print(f"row judge on {args.rows:,} rows: {seconds:.1f} CPU s; held-out balanced accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
