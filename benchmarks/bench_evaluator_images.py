"""The evaluator on images, as a user runs it: a small CNN downstream, every baseline a practitioner tries.

scikit-learn's 8x8 digits (bundled: no download) with one digit cut to a few training images
(chosen at random with ``--seed``), then ``gan_augment.evaluate_augmentation`` with
``estimator="cnn"`` and the default baselines: no augmentation, random oversampling, SMOTE on the
pixels, ``class_weight="balanced"`` (a class-weighted loss), repeat + classic augmentation
(albumentations), and ``GANAugmenter(image_shape=(1, 8, 8))`` at its defaults, each fitted inside
the training folds only. The same task as ``benchmarks/LABEL_GATE.md`` (there: one held-out split
per seed), here as the evaluator's repeated cross-validation with intervals and its verdict.

    OMP_NUM_THREADS=1 python benchmarks/bench_evaluator_images.py [--rare 3] [--keep 10] [--cv 5] [--repeats 2]

Writes benchmarks/EVALUATOR_IMAGES.md (the report, under a header with the command and machine).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _adult import machine_info  # noqa: E402
from _sampling_variants import write_keeping_reading  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rare", type=int, default=3, help="the digit to cut")
    parser.add_argument("--keep", type=int, default=10, help="its images kept")
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--estimator", default="cnn")
    parser.add_argument("--out", type=Path, default=HERE / "EVALUATOR_IMAGES.md")
    args = parser.parse_args(argv)

    from gan_augment import GANAugmenter, evaluate_augmentation

    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(args.seed)
    keep = np.r_[np.flatnonzero(y != args.rare), rng.choice(np.flatnonzero(y == args.rare), args.keep, replace=False)]
    X, y = X[keep], y[keep]
    started, wall, cpu = datetime.now(timezone.utc), time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate_augmentation(X, y, GANAugmenter(image_shape=(1, 8, 8), random_state=args.seed),
                                       classes=[args.rare], estimator=args.estimator, cv=args.cv,
                                       repeats=args.repeats, random_state=args.seed)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    machine = machine_info()
    command = "python benchmarks/bench_evaluator_images.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    header = [
        "# The evaluator on images: 8x8 digits, a small CNN downstream",
        "",
        f"    OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')} {command.strip()}",
        "",
        f"Started {started.isoformat(timespec='seconds')}; {wall:.0f} s wall, {cpu:.0f} s CPU. Machine: "
        f"{machine['cpu']}, {machine['nproc']} cores; torch {machine['torch']} ({machine['torch_threads']} "
        f"threads), gan-augment {machine['gan_augment']} @ {machine['git_commit']}.",
        "",
        f"scikit-learn's digits, digit {args.rare} cut to {args.keep} images (seed {args.seed}); "
        f"{len(X):,} images in all. The report below is `report.to_markdown()` as written by the library.",
        "",
    ]
    text = "\n".join(header) + report.to_markdown().replace("# Augmentation report", "## Augmentation report", 1)
    write_keeping_reading(args.out, text)
    print(report.verdict)
    print(f"wrote {args.out} ({wall:.0f} s wall)")


if __name__ == "__main__":
    main()
