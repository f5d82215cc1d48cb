"""Where the time of GANAugmenter.sample goes on Adult (issue 15's 300k rows/s target).

Fits a 1-epoch model on 3,000 Adult rows (all 14 columns; encoded width 155), warms up, then
profiles one ``sample(N)`` call with cProfile and prints rows per CPU-second and the split between
the generator's forward pass (its linear layers, the Gumbel-max draws), the decode and the label
gate's judge (the default for tables).

Usage: OMP_NUM_THREADS=1 python benchmarks/profile_sampling.py [--n 200000] [--parts]

``--parts`` also times, per 2,048 candidate rows (200 rounds alternating in one process), the
generator call, the judge's features (and their numeric read-back, against the same values read by
two matrix products with the one-hot slots) and the judge's perceptron.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
import warnings

import numpy as np
import torch
from _adult import adult_path, load_adult  # benchmarks/ is on sys.path when run as a script

from gan_augment import GANAugmenter
from gan_augment.training.trainer import generate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--parts", action="store_true", help="also time the gate's parts per 2,048 rows")
    args = parser.parse_args()
    X, y = load_adult(adult_path(None))
    rows = np.random.default_rng(0).choice(len(X), 3000, replace=False)
    X, y = X.iloc[rows].reset_index(drop=True), y[rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter = GANAugmenter(epochs=1, random_state=0, n_threads=1).fit(X, y)
    label = augmenter.classes_[0]
    augmenter.sample(5000, label)  # first-call allocations are not the sample's
    started = time.process_time()
    augmenter.sample(args.n, label)
    seconds = time.process_time() - started
    print(f"{args.n:,} rows in {seconds:.2f} CPU s: {args.n / seconds:,.0f} rows per CPU-second")
    profile = cProfile.Profile()
    profile.runcall(augmenter.sample, args.n, label)
    stats = pstats.Stats(profile)
    total = stats.total_tt
    def seconds_in(test) -> float:
        return max((row[3] for key, row in stats.stats.items() if test(*key)), default=0.0)

    parts = {
        # The generator's forward holds its submodules' time: the largest cumulative time of a
        # forward defined in models/tabular.py is the whole generator's.
        "generator forward": lambda file, line, name: name == "forward" and file.endswith("models/tabular.py"),
        "  linear layers (matmuls)": lambda file, line, name: name == "<built-in method torch._C._nn.linear>",
        "  Gumbel-max draws": lambda file, line, name: name == "_draw_hard",
        "decode (inverse_transform)": lambda file, line, name: name == "inverse_transform",
        "label gate's judge": lambda file, line, name: name == "accepts" and file.endswith("label_gate.py"),
    }
    for name, test in parts.items():
        cumulative = seconds_in(test)
        print(f"{name:<28} {cumulative:6.2f} s  ({cumulative / total:.0%} of {total:.2f} s profiled)")
    if args.parts:
        time_gate_parts(augmenter)


def _values_by_products(features, rows):
    """RowFeatures.values by two matrix products with the one-hot slots instead of gathers: the
    same values for one-hot rows (the alternative measured in SPEED.md)."""
    width, columns = rows.shape[1], torch.arange(features.n_columns)[:, None].expand_as(features.slot_index)
    means, spreads, slots = (torch.zeros(width, features.n_columns) for _ in range(3))
    means.index_put_((features.slot_index, columns), features.means * features.mode_mask, accumulate=True)
    spreads.index_put_((features.slot_index, columns), features.spreads * features.mode_mask, accumulate=True)
    slots.index_put_((features.slot_index, columns), features.mode_mask, accumulate=True)
    alpha = rows[:, features.alpha_index].clamp(-1, 1)
    return rows @ means + alpha * (rows @ spreads), (rows @ slots) > 0.5


@torch.no_grad()
def time_gate_parts(augmenter, rounds: int = 200, size: int = 2048):
    judge = augmenter.label_gate_.judge
    features = judge.features
    candidates = generate(augmenter.generator_, size, 0, seed=1)
    by_products, _ = _values_by_products(features, candidates)
    assert torch.equal(features.values(candidates)[0], by_products)
    parts = {
        "generator call": lambda r: generate(augmenter.generator_, size, 0, seed=r),
        "judge features": lambda r: features(candidates),
        "  numeric read-back (gathers, as shipped)": lambda r: features.values(candidates),
        "  numeric read-back (matrix products)": lambda r: _values_by_products(features, candidates),
        "judge perceptron": lambda r: judge.net(features(candidates)),
    }
    seconds = dict.fromkeys(parts, 0.0)
    for r in range(rounds):
        for name, part in parts.items():
            started = time.process_time()
            part(r)
            seconds[name] += time.process_time() - started
    seconds["judge perceptron"] -= seconds["judge features"]  # it was timed with its input's features
    for name, total in seconds.items():
        print(f"{name:<44} {total / rounds * 1e3:6.2f} CPU ms per {size:,} rows")


if __name__ == "__main__":
    main()
