"""The tables' label-gate judge trained with its RowFeatures computed in every step (as before
stop 66) or once before training (now), alternated in one process on synthetic mixed tables of
300 and 5,000 rows; median CPU seconds per judge and whether the two judges are bit-identical.

Usage: OMP_NUM_THREADS=1 python benchmarks/ab_judge_features.py [--repeats 4]
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np
import pandas as pd
import torch

from gan_augment import GANAugmenter
from gan_augment.evaluation import judge


def _table(n: int, rng: np.random.Generator):
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.exponential(size=n) * 100, "c": rng.choice(list("xyz"), n),
                      "d": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)), "e": rng.normal(size=n),
                      "f": rng.integers(0, 50, n)})
    y = np.repeat([0, 1, 2], [int(n * 0.7), int(n * 0.2), n - int(n * 0.7) - int(n * 0.2)])
    return X, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print("| rows | features in every step (CPU s) | features once (CPU s) | ratio | bit-identical |")
    print("|---|---|---|---|---|")
    for n in (300, 5000):
        X, y = _table(n, rng)
        encoder = GANAugmenter(epochs=1, random_state=0, n_threads=1, label_gate=False).fit(X, y).encoder_
        rows = torch.as_tensor(encoder.transform(X))
        blocks, unread = encoder.numeric_blocks(), encoder.unread_positions()

        def in_every_step():
            features = judge.RowFeatures.fit(blocks, rows, unread=unread)
            batches = len(judge._batch_bounds(len(rows), 64))
            epochs = min(judge.ROW_JUDGE_MAX_EPOCHS, max(1, math.ceil(judge.ROW_JUDGE_STEPS / batches)))
            return judge.fit_classifier(lambda: judge.RowClassifier(rows.shape[1], 3, features=features),
                                        rows.float(), y, n_classes=3, epochs=epochs, batch_size=64, lr=1e-3,
                                        class_balanced=True, augment=None, device=torch.device("cpu"), seed=0)

        def once():
            return judge.train_row_classifier(rows, y, n_classes=3, numeric_blocks=blocks, unread=unread,
                                              random_state=0)

        times: dict = {in_every_step: [], once: []}
        for repeat in range(args.repeats):
            for variant in (in_every_step, once) if repeat % 2 == 0 else (once, in_every_step):
                start = time.process_time()
                variant()
                times[variant].append(time.process_time() - start)
        identical = all(torch.equal(a, b) for a, b in zip(in_every_step().state_dict().values(),
                                                           once().state_dict().values()))
        before, after = (float(np.median(times[v])) for v in (in_every_step, once))
        print(f"| {n:,} | {before:.3f} | {after:.3f} | {after / before:.3f} | {identical} |")


if __name__ == "__main__":
    main()
