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
The two that follow ask the same of judges a saved model could carry, trained when the gate is
(on the encoded real rows the library's judge is trained on) and reading what that judge's
:class:`~gan_augment.evaluation.judge.RowFeatures` reads of a row (each number's value as the codec
decodes it, the categories' one-hot slots), AND-ed with the library's judge at every round of
candidates (acceptance measured again on 500 candidates per class; a class kept under 5% goes
without the gate, as under ``label_gate="auto"``):

- ``hgbfeat``: a class-balanced HistGradientBoostingClassifier (scikit-learn's defaults);
- ``et256``: ExtraTreesClassifier, 100 trees of at most 256 leaves, ``class_weight=
  "balanced_subsample"`` (trees scikit-learn exposes as arrays, so a saved model could hold them).

    OMP_NUM_THREADS=1 python benchmarks/bench_two_judges.py --seeds 3 --variants gated hgbfeat et256 --out benchmarks/TWO_JUDGES_SAVED.md --json benchmarks/two_judges_saved_results.json

    OMP_NUM_THREADS=1 python benchmarks/bench_two_judges.py --seeds 3

Results: benchmarks/TWO_JUDGES.md and benchmarks/two_judges_results.json (harness:
benchmarks/_sampling_variants.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from _sampling_variants import main as run_variants
from bench_gate_strictness import _as_library_samples, _gate_inputs, _tree_judged, agreed_rows, record_gate_inputs, \
    samples_through
from bench_panel import classifier

from gan_augment.evaluation.judge import RowFeatures
from gan_augment.label_gate import LabelGate

HERE = Path(__file__).resolve().parent


class _AndGate(LabelGate):
    """The library's gate, keeping only the candidates ``second`` (encoded rows -> class indices) agrees on."""

    def __init__(self, base: LabelGate, second):
        super().__init__(base.judge, base.acceptance, unit=base.unit, prior_shift=base.prior_shift)
        self.second = second

    def accepts(self, samples, class_index):
        return super().accepts(samples, class_index) & torch.from_numpy(self.second(samples) == class_index)


def _feature_judged(make_model):
    def draw(gan, plan, X_train, y_train, seed):
        real, codec = _gate_inputs["real"].float(), _gate_inputs["codec"]
        blocks = codec.numeric_blocks()
        features = RowFeatures.fit(blocks, real) if blocks else None

        def inputs(rows):
            if features is None:
                return rows.numpy()
            values, _ = features.values(rows.float())
            return torch.cat([values, rows[:, features.passthrough]], dim=1).numpy()

        model = make_model(seed).fit(inputs(real), np.asarray(_gate_inputs["labels"]))
        gate = _AndGate(gan.label_gate_, lambda rows: model.predict(inputs(rows.cpu())))
        gate.measure_acceptance(gan.generator_, seed=_gate_inputs["seed"])
        return samples_through(gate, gan, plan)
    return draw


def _hgb(seed):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(class_weight="balanced", random_state=seed)


def _extra_trees(seed):
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(n_estimators=100, max_leaf_nodes=256, class_weight="balanced_subsample",
                                random_state=seed, n_jobs=1)


def _both_judged(gan, plan, X_train, y_train, seed):
    """The library's gated rows, kept where a class-balanced HGB of the training rows agrees."""
    return agreed_rows(gan, plan, classifier("hgb", X_train, seed, balanced=True).fit(X_train, y_train), seed)


VARIANTS = {"gated": _as_library_samples, "treejudge": _tree_judged, "bothjudges": _both_judged,
            "hgbfeat": _feature_judged(_hgb), "et256": _feature_judged(_extra_trees)}
DESCRIPTION = {
    "gated": "`gated`: the library's top-up (through its label gate, `label_gate='auto'`) at the commit above",
    "treejudge": "`treejudge`: the ungated rows kept where a class-balanced HGB of the real training rows agrees "
                 "(a diagnostic)",
    "bothjudges": "`bothjudges`: the library's gated rows kept where that HGB agrees too (a diagnostic)",
    "hgbfeat": "`hgbfeat`: the library's gate AND a class-balanced HGB of the encoded real rows read as its judge's "
               "RowFeatures read them",
    "et256": "`et256`: the library's gate AND extra trees (100, at most 256 leaves, balanced_subsample) of the same",
}


def main(argv=None):
    record_gate_inputs()
    run_variants(argv, script="bench_two_judges.py", doc=__doc__, variants=VARIANTS,
                 title="Two judges at the gate: perceptron and trees (issue 11)", description=DESCRIPTION,
                 out=HERE / "TWO_JUDGES.md", json_path=HERE / "two_judges_results.json")


if __name__ == "__main__":
    main()
