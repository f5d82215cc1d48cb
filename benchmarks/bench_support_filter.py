"""Keep only the GAN's rows that lie where real rows of their class lie: does it close the gap to SMOTE?

On the panel the gated GAN's top-up loses to SMOTE(-NC) on macro-F1 mostly with HGB on clean tables
(car, thyroid, page-blocks, mammography): a tree fits every synthetic row, and a GAN row off the
class's support is label noise to it. SMOTE's rows never leave the support: each lies on a segment
from a real row to one of its 5 nearest neighbours of the same class, so within that row's 5-NN
radius. Two filters in data space, applied to the library's (label-gated) rows:

- ``support``: a candidate of class c is kept if it lies within the 5-NN radius of some real row of
  c (the precision criterion of Kynkaanniemi et al. 2019 / Naeem et al. 2020, per class);
- ``near``: a candidate of class c is kept if one of its 5 nearest real training rows (any class)
  is of class c (a mild, edited-nearest-neighbour style label check).

Distances: the evaluator's logistic-regression preprocessing fitted on the training split (numbers
imputed and standardised, categories one-hot). Candidates are drawn in rounds of twice the need (at
most 10 rounds); a class whose filter keeps too few is filled with the candidates ranked best by
the filter's own score (the distance relative to the radius; the share of class-c neighbours), so
every arm gets its full amount. Arms, classifiers, split and scores as in bench_panel.py.

    OMP_NUM_THREADS=1 python benchmarks/bench_support_filter.py --seeds 3
    OMP_NUM_THREADS=1 python benchmarks/bench_support_filter.py --report-only

Results: benchmarks/SUPPORT_FILTER.md and benchmarks/support_filter_results.json.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _sampling_variants import main as run_variants
from bench_gate_strictness import _as_library_samples
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors

HERE = Path(__file__).resolve().parent
K = 5
ROUNDS = 10


def _space(X_train):
    """The distance space: the evaluator's logistic-regression preprocessing, fitted on ``X_train``."""
    from gan_augment.evaluation._prep import build_estimator

    prep = build_estimator("logreg", X_train).steps[0][1]
    prep.fit(X_train)

    def embed(X):
        out = prep.transform(X)
        return np.asarray(out.toarray() if hasattr(out, "toarray") else out, dtype=np.float64)
    return embed


def _support_score(real_c):
    """Score of a candidate: its smallest distance to a real row of the class relative to that row's
    5-NN radius (<= 1: inside the class's support)."""
    k = min(K, len(real_c) - 1)
    radius = NearestNeighbors(n_neighbors=k + 1).fit(real_c).kneighbors(real_c)[0][:, -1]
    radius = np.maximum(radius, 1e-12)

    def score(points):
        return (pairwise_distances(points, real_c) / radius).min(axis=1)
    return score


def _filtered(make_score, keep_below):
    def draw(gan, plan, X_train, y_train, seed):
        embed = _space(X_train)
        real = embed(X_train)
        y = np.asarray(y_train)
        rows = {}
        for c, n in plan.items():
            if n <= 0:
                continue
            score = make_score(real, y, c)
            kept, pool, pool_scores = [], [], []
            for round_ in range(ROUNDS):
                candidates = gan.sample(2 * n, c, random_state=seed * 1000 + round_)
                s = score(embed(candidates))
                kept.append(candidates[s <= keep_below])
                pool.append(candidates)
                pool_scores.append(s)
                if sum(len(k) for k in kept) >= n:
                    break
            have = pd.concat(kept, ignore_index=True)
            drawn = sum(len(p) for p in pool)
            name = make_score.__name__.strip('_')
            print(f"  {name} class {c!r}: kept {len(have)} of {drawn} ({len(have) / drawn:.0%})",
                  flush=True)
            if len(have) < n:  # fill with the best-scored of the rest, in their order of drawing
                rest = pd.concat(pool, ignore_index=True)
                scores = np.concatenate(pool_scores)
                rest, scores = rest[scores > keep_below], scores[scores > keep_below]
                best = np.sort(np.argsort(scores, kind="stable")[:n - len(have)])
                have = pd.concat([have, rest.iloc[best]], ignore_index=True)
            rows[c] = have.iloc[:n].reset_index(drop=True)
        return rows
    return draw


def _support(real, y, c):
    return _support_score(real[y == c])


def _near(real, y, c):
    nn = NearestNeighbors(n_neighbors=K).fit(real)

    def score(points):  # 1 - the share of class-c rows among the K nearest: below 1 when one is c
        idx = nn.kneighbors(points, return_distance=False)
        return 1.0 - (y[idx] == c).mean(axis=1)
    return score


VARIANTS = {"gated": _as_library_samples, "support": _filtered(_support, 1.0),
            "near": _filtered(_near, 1.0 - 1.0 / K)}
DESCRIPTION = ("One default `GANAugmenter` fit per scenario and seed; `gated` is its top-up as the library samples it "
               "(through the label gate, `label_gate='auto'`); `support` keeps of those rows the ones within the "
               "5-NN radius of a real row of their class; `near` the ones with a real row of their class among "
               "their 5 nearest real training rows (distances in the evaluator's logistic-regression space; "
               "short classes filled with the best-scored rest). Mean over seeds; amounts 25/50/100% of the gap.")


def main(argv=None):
    run_variants(argv, script="bench_support_filter.py", doc=__doc__, variants=VARIANTS,
                 title="The GAN's rows filtered to their class's support (issue 11)", description=DESCRIPTION,
                 out=HERE / "SUPPORT_FILTER.md", json_path=HERE / "support_filter_results.json")


if __name__ == "__main__":
    main()
