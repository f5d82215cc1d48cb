"""How strict should the tables' label gate be? The judge's prior, and a tree judge, on the panel.

The label gate keeps a synthetic row of class c when its judge assigns it to c. The judge is trained
class-balanced, so its argmax is the decision of a classifier that thinks every class equally
likely: in the region where a rare class overlaps a common one it says "rare", and the gate keeps
rows there that a classifier of the real data would call common. Those rows are where a top-up
trades precision for recall. This benchmark asks whether a stricter gate pays:

- ``gated``: the library's rows (``label_gate="auto"``);
- ``prior1`` / ``prior05``: the same judge with ``tau * log(class share in the training split)``
  added to its logits (tau = 1: the natural-prior posterior's argmax; 0.5: half-way), its
  acceptance measured again on 500 candidates per class as the gate does after training (a class
  it keeps under 5% of goes without the gate, as under "auto");
- ``plainjudge``: the gate's judge trained on the rows as encoded (the judge before
  :class:`~gan_augment.evaluation.judge.RowFeatures`, which reads numeric values in quantile bins);
- ``treejudge`` (a diagnostic, not something a saved model could carry: it needs the training rows
  at sampling time): the GAN's rows kept only where a class-balanced gradient-boosting classifier
  of the real training rows (the panel's HGB) agrees, in place of the MLP judge. It says whether a
  better judge would help.

    OMP_NUM_THREADS=1 python benchmarks/bench_gate_strictness.py --seeds 3
    OMP_NUM_THREADS=1 python benchmarks/bench_gate_strictness.py --report-only

Results: benchmarks/GATE_STRICTNESS.md and benchmarks/gate_strictness_results.json. The harness
(fits, arms, report, merging parts run side by side): benchmarks/_sampling_variants.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _sampling_variants import main as run_variants
from bench_panel import classifier

from gan_augment.label_gate import ACCEPTANCE_SAMPLES, MIN_ACCEPTANCE, LabelGate
from gan_augment.training.trainer import generate

HERE = Path(__file__).resolve().parent
# Rounds of ungated candidates the tree judge may look through for one class before giving up on
# the gate for it (as "auto" does for a class the gate keeps too few of).
_TREE_ROUNDS = 20


def _as_library_samples(gan, plan, X_train, y_train, seed):
    return {c: gan.sample(n, c) for c, n in plan.items() if n > 0}


class _PriorShifted(torch.nn.Module):
    """The judge with a constant added to its logits: ``tau * log prior``."""

    def __init__(self, judge, shift):
        super().__init__()
        self.judge = judge
        self.register_buffer("shift", shift)

    def forward(self, x):
        return self.judge(x) + self.shift


def _with_prior(tau):
    def draw(gan, plan, X_train, y_train, seed):
        library_gate = gan.label_gate_
        counts = np.array([np.sum(y_train == label) for label in gan.classes_], dtype=np.float64)
        shift = torch.as_tensor(tau * np.log(counts / counts.sum()), dtype=torch.float32)
        gate = LabelGate(_PriorShifted(library_gate.judge, shift), [math.nan] * len(counts), unit=library_gate.unit)
        for index in range(len(counts)):
            candidates = generate(gan.generator_, ACCEPTANCE_SAMPLES, index, seed=seed + index)
            gate.acceptance[index] = float(gate.accepts(candidates, index).float().mean())
        gan.label_gate_ = gate
        try:
            return _as_library_samples(gan, plan, X_train, y_train, seed)
        finally:
            gan.label_gate_ = library_gate
    return draw


_fit_gate = LabelGate.fit.__func__
_gate_inputs: dict = {}


def _recording_fit_gate(cls, kind, real, labels, generator, *, seed, codec=None):
    """LabelGate.fit, keeping what the library trained its judge on (the encoded rows, the seed)."""
    _gate_inputs.update(kind=kind, real=real, labels=labels, generator=generator, seed=seed)
    return _fit_gate(cls, kind, real, labels, generator, seed=seed, codec=codec)


def _plain_judged(gan, plan, X_train, y_train, seed):
    library_gate = gan.label_gate_
    # The same rows, labels and seed as the library's judge; only the codec (and so RowFeatures) is left out.
    gan.label_gate_ = _fit_gate(LabelGate, **_gate_inputs)
    try:
        return _as_library_samples(gan, plan, X_train, y_train, seed)
    finally:
        gan.label_gate_ = library_gate


def _tree_judged(gan, plan, X_train, y_train, seed):
    judge = classifier("hgb", X_train, seed, balanced=True).fit(X_train, y_train)
    gan.set_params(label_gate=False)
    rows = {}
    try:
        for c, n in plan.items():
            if n <= 0:
                continue
            kept, have = [], 0
            for round_ in range(_TREE_ROUNDS):
                candidates = gan.sample(2 * n, c, random_state=seed * 1000 + round_)
                keep = candidates[judge.predict(candidates) == c]
                kept.append(keep)
                have += len(keep)
                if have >= n:
                    break
            share = have / (2 * n * (round_ + 1))
            if have < n and share < MIN_ACCEPTANCE:
                rows[c] = gan.sample(n, c)  # as "auto" does for a class the gate keeps too few of
            else:
                rows[c] = pd.concat(kept, ignore_index=True).iloc[:n] if isinstance(kept[0], pd.DataFrame) \
                    else np.concatenate(kept)[:n]
    finally:
        gan.set_params(label_gate="auto")
    return rows


VARIANTS = {"gated": _as_library_samples, "prior1": _with_prior(1.0), "prior05": _with_prior(0.5),
            "plainjudge": _plain_judged, "treejudge": _tree_judged}
DESCRIPTION = ("One default `GANAugmenter` fit per scenario and seed; `gated` is its top-up as the library samples it "
               "(through the label gate, `label_gate='auto'`); `prior1` / `prior05` the same fit's rows through the "
               "same judge with 1.0 / 0.5 x log(class share) added to its logits (a stricter gate for rare classes); "
               "`plainjudge` its rows through a judge of the rows as encoded (no RowFeatures); `treejudge` its ungated rows kept where a class-balanced HGB of the real training rows agrees (a "
               "diagnostic). Mean over seeds; amounts 25/50/100% of the gap.")


def main(argv=None):
    LabelGate.fit = classmethod(_recording_fit_gate)
    run_variants(argv, script="bench_gate_strictness.py", doc=__doc__, variants=VARIANTS,
                 title="How strict should the tables' label gate be? (issue 11)", description=DESCRIPTION,
                 out=HERE / "GATE_STRICTNESS.md", json_path=HERE / "gate_strictness_results.json")


if __name__ == "__main__":
    main()
