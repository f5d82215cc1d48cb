"""How strict should the tables' label gate be, and how good its judge? Paired variants on the panel.

The label gate keeps a synthetic row of class c when its judge assigns it to c. The judge is trained
class-balanced, so its plain argmax is the decision of a classifier that thinks every class equally
likely: where a rare class overlaps a common one it says "rare", and the gate keeps rows there that
a classifier of the real data would call common. Those rows are where a top-up trades precision for
recall. And a judge that tells the real classes apart poorly keeps the wrong rows. Variants of one
fit's top-up:

- ``gated``: the library's rows at the commit the run names (``label_gate="auto"``);
- ``prior0`` / ``prior05`` / ``prior1``: the library's judge with ``tau * log(class share in the
  training split)`` added to its logits, tau = 0 / 0.5 / 1 (1: the natural-prior posterior's
  argmax), its acceptance measured again on 500 candidates per class as the gate does after
  training (a class it keeps under 5% of goes without the gate, as under "auto");
- ``plainjudge``: the gate as it was before RowFeatures and the prior shift: a judge of the same
  rows and seed reading them as encoded (the codec's mixture modes), its argmax unshifted;
- ``treejudge`` (a diagnostic, not something a saved model could carry: it needs the training rows
  at sampling time): the GAN's ungated rows kept only where a class-balanced gradient-boosting
  classifier of the real training rows (the panel's HGB) agrees. It says whether a better judge
  would help.

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
from _sampling_variants import main as run_variants
from bench_panel import classifier

from gan_augment.label_gate import MIN_ACCEPTANCE, LabelGate

HERE = Path(__file__).resolve().parent
# Rounds of ungated candidates the tree judge may look through for one class before giving up on
# the gate for it (as "auto" does for a class the gate keeps too few of).
_TREE_ROUNDS = 20


def _as_library_samples(gan, plan, X_train, y_train, seed):
    return {c: gan.sample(n, c) for c, n in plan.items() if n > 0}


def samples_through(gate, gan, plan):
    """The library's top-up of ``gan`` with ``gate`` standing in for its label gate, which is put back."""
    library_gate = gan.label_gate_
    gan.label_gate_ = gate
    try:
        return {c: gan.sample(n, c) for c, n in plan.items() if n > 0}
    finally:
        gan.label_gate_ = library_gate


def _with_prior(tau):
    def draw(gan, plan, X_train, y_train, seed):
        library_gate = gan.label_gate_
        counts = np.array([np.sum(y_train == label) for label in gan.classes_], dtype=np.float64)
        gate = LabelGate(library_gate.judge, [math.nan] * len(counts), unit=library_gate.unit,
                         prior_shift=tau * np.log(counts / counts.sum()))
        gate.measure_acceptance(gan.generator_, seed=seed)
        return samples_through(gate, gan, plan)
    return draw


_train_gate = LabelGate.train.__func__
_gate_inputs: dict = {}


def _recording_train_gate(cls, kind, real, labels, n_classes, *, seed, codec=None):
    """LabelGate.train, keeping what the library trained its judge on (the encoded rows, the seed,
    the codec that reads them). Also used by bench_two_judges.py. (The library trains the judge
    with ``train`` before the GAN since d970f61; a hook on ``fit`` recorded nothing after that.)"""
    _gate_inputs.update(kind=kind, real=real, labels=labels, n_classes=n_classes, seed=seed, codec=codec)
    return _train_gate(cls, kind, real, labels, n_classes, seed=seed, codec=codec)


def record_gate_inputs() -> None:
    """Make every LabelGate.train of this process keep its inputs in ``_gate_inputs``."""
    LabelGate.train = classmethod(_recording_train_gate)


def _plain_judged(gan, plan, X_train, y_train, seed):
    # The gate before RowFeatures and the prior shift: a judge of the same rows, labels and seed as
    # the library's, without the codec (so reading the rows as encoded), its argmax unshifted.
    without_codec = {k: v for k, v in _gate_inputs.items() if k != "codec"}
    gate = _train_gate(LabelGate, **without_codec)
    gate.prior_shift = None
    gate.measure_acceptance(gan.generator_, seed=_gate_inputs["seed"])  # fit measured it shifted
    return samples_through(gate, gan, plan)


def agreed_rows(gan, plan, judge, seed):
    """``{class: rows}``: ``gan``'s rows (through whatever gate it samples with) kept where ``judge``
    predicts their class, in rounds of twice the need; a class ``judge`` keeps under
    MIN_ACCEPTANCE of is topped up with ``gan``'s rows alone, as ``label_gate="auto"`` does."""
    rows = {}
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
            rows[c] = gan.sample(n, c)
        else:
            rows[c] = pd.concat(kept, ignore_index=True).iloc[:n] if isinstance(kept[0], pd.DataFrame) \
                else np.concatenate(kept)[:n]
    return rows


def _tree_judged(gan, plan, X_train, y_train, seed):
    judge = classifier("hgb", X_train, seed, balanced=True).fit(X_train, y_train)
    gan.set_params(label_gate=False)
    try:
        return agreed_rows(gan, plan, judge, seed)
    finally:
        gan.set_params(label_gate="auto")


VARIANTS = {"gated": _as_library_samples, "prior0": _with_prior(0.0), "prior1": _with_prior(1.0),
            "prior05": _with_prior(0.5),
            "plainjudge": _plain_judged, "treejudge": _tree_judged}
DESCRIPTION = {
    "gated": "`gated`: the library's top-up (through its label gate, `label_gate='auto'`) at the commit above",
    "prior0": "`prior0`: the library's judge, its argmax unshifted",
    "prior05": "`prior05`: the library's judge with 0.5 x log(class share) added to its logits",
    "prior1": "`prior1`: the library's judge with log(class share) added to its logits (the natural prior)",
    "plainjudge": "`plainjudge`: the gate before RowFeatures and the prior shift (a judge of the rows as encoded, "
                  "argmax unshifted)",
    "treejudge": "`treejudge`: the ungated rows kept where a class-balanced HGB of the real training rows agrees "
                 "(a diagnostic)",
}


def main(argv=None):
    record_gate_inputs()
    run_variants(argv, script="bench_gate_strictness.py", doc=__doc__, variants=VARIANTS,
                 title="How strict should the tables' label gate be? (issue 11)", description=DESCRIPTION,
                 out=HERE / "GATE_STRICTNESS.md", json_path=HERE / "gate_strictness_results.json")


if __name__ == "__main__":
    main()
