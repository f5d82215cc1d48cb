"""Two judges at the gate: the library's perceptron and a tree ensemble, paired on the panel (issue 11).

The label gate keeps a synthetic row of class c when its judge (a multilayer perceptron reading
each number in quantile bins) assigns it to c. On tables whose classes follow thresholds on a few
columns (thyroid, car, page-blocks) a tree ensemble tells the real classes apart better
(benchmarks/JUDGE.md), and a gradient-boosting judge in place of the perceptron gained macro-F1
over the gate of its day (benchmarks/GATE_STRICTNESS.md, ``treejudge``). Elsewhere the perceptron
is the better judge. Does asking both help? Variants of one fit's top-up:

- ``gated``: the library's rows (``label_gate="auto"``);
- ``treejudge``: the GAN's ungated rows kept where a class-balanced HGB of the real training rows
  (the panel's) agrees (bench_gate_strictness.py's diagnostic);
- ``bothjudges``: the library's gated rows kept only where that HGB agrees too.

Both tree variants are diagnostics (the HGB is trained at sampling time on the training rows,
which a saved model does not carry): they say whether a tree judge at the gate is worth building.

    OMP_NUM_THREADS=1 python benchmarks/bench_two_judges.py --seeds 3

Results: benchmarks/TWO_JUDGES.md and benchmarks/two_judges_results.json (harness:
benchmarks/_sampling_variants.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _sampling_variants import main as run_variants
from bench_gate_strictness import _TREE_ROUNDS, _as_library_samples, _tree_judged
from bench_panel import classifier

from gan_augment.label_gate import MIN_ACCEPTANCE

HERE = Path(__file__).resolve().parent


def _both_judged(gan, plan, X_train, y_train, seed):
    """The library's gated rows, kept where a class-balanced HGB of the training rows agrees."""
    judge = classifier("hgb", X_train, seed, balanced=True).fit(X_train, y_train)
    rows = {}
    for c, n in plan.items():
        if n <= 0:
            continue
        kept, have = [], 0
        for round_ in range(_TREE_ROUNDS):
            candidates = gan.sample(2 * n, c, random_state=seed * 1000 + round_)  # through the library's gate
            keep = candidates[judge.predict(candidates) == c]
            kept.append(keep)
            have += len(keep)
            if have >= n:
                break
        share = have / (2 * n * (round_ + 1))
        if have < n and share < MIN_ACCEPTANCE:
            rows[c] = gan.sample(n, c)  # the trees reject almost all: the library's rows alone
        else:
            rows[c] = pd.concat(kept, ignore_index=True).iloc[:n] if isinstance(kept[0], pd.DataFrame) \
                else np.concatenate(kept)[:n]
    return rows


VARIANTS = {"gated": _as_library_samples, "treejudge": _tree_judged, "bothjudges": _both_judged}
DESCRIPTION = {
    "gated": "`gated`: the library's top-up (through its label gate, `label_gate='auto'`) at the commit above",
    "treejudge": "`treejudge`: the ungated rows kept where a class-balanced HGB of the real training rows agrees "
                 "(a diagnostic)",
    "bothjudges": "`bothjudges`: the library's gated rows kept where that HGB agrees too (a diagnostic)",
}


def main(argv=None):
    run_variants(argv, script="bench_two_judges.py", doc=__doc__, variants=VARIANTS,
                 title="Two judges at the gate: perceptron and trees (issue 11)", description=DESCRIPTION,
                 out=HERE / "TWO_JUDGES.md", json_path=HERE / "two_judges_results.json")


if __name__ == "__main__":
    main()
