"""Does rejecting synthetic rows that look unreal help the top-up? Discriminator rejection sampling on the panel.

The label gate keeps a synthetic row of class c when a judge of the real rows assigns it to c; it
says nothing about whether the row looks like a real row of c. A GAN's rows of a rare class spread
where its few real rows are not (the thyroid cells with boosting: the gated top-up lowers rare recall
below no augmentation, where SMOTE's interpolations between real rows do not). Rejection sampling
with a density-ratio estimate corrects a generator towards the data (Azadi et al. 2019,
"Discriminator Rejection Sampling"; Grover et al. 2019, "Bias Correction of Learned Generative
Models using Likelihood-Free Importance Weighting"): after the fit, a classifier learns to tell each
class's real training rows from the generator's rows of that class; a candidate of class c is kept
with probability min(1, r_c(x) / M_c), r_c = p(real, c | x) / p(synthetic, c | x), M_c a high
quantile of r_c over fresh synthetic rows of c. Variants of one fit's top-up:

- ``gated``: the library's rows at the commit the run names (``label_gate="auto"``);
- ``drs``: the library's gate, then the realness rejection (M_c: 95th percentile);
- ``drs50``: the same with M_c at the median, a milder rejection: every candidate whose ratio is
  above the class's median is kept, the rest with probability r_c / M_c.

The realness judge is the library's row judge (``train_row_classifier``: RowFeatures, class-balanced,
so the ratio of its two outputs of class c estimates the density ratio) on 2 x K labels, trained on
the training rows as the codec encodes them and on as many synthetic rows per class as the class has
real rows (at least 500, at most 5,000). A diagnostic: nothing here is in the library yet.

    OMP_NUM_THREADS=1 python benchmarks/bench_rejection.py --seeds 3

Results: benchmarks/REJECTION.md and benchmarks/rejection_results.json. The harness (fits, arms,
report, merging parts run side by side): benchmarks/_sampling_variants.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from _sampling_variants import main as run_variants
from bench_gate_strictness import _as_library_samples, samples_through

from gan_augment.evaluation.judge import train_row_classifier
from gan_augment.label_gate import LabelGate
from gan_augment.training.trainer import generate

HERE = Path(__file__).resolve().parent
#: Synthetic rows per class to train the realness judge on: the class's real count, within these.
_FAKES = (500, 5000)
#: Fresh synthetic rows per class to set the ceiling M_c from.
_CEILING_SAMPLES = 1000


class RealnessGate(LabelGate):
    """The library's label gate, then a candidate of class c kept with probability
    min(1, r_c(x) / M_c) (``log_ceiling[c] = log M_c``), drawn from its own seeded stream."""

    def __init__(self, base: LabelGate, realness, log_ceiling, *, seed: int):
        super().__init__(base.judge, list(base.acceptance), unit=base.unit, prior_shift=base.prior_shift)
        self.realness = realness.eval().requires_grad_(False)
        self.log_ceiling = log_ceiling
        self.stream = torch.Generator().manual_seed(seed)

    @torch.no_grad()
    def log_ratio(self, samples: torch.Tensor, class_index: int) -> torch.Tensor:
        logits = self.realness(samples)
        return logits[:, 2 * class_index] - logits[:, 2 * class_index + 1]

    @torch.no_grad()
    def accepts(self, samples: torch.Tensor, class_index: int) -> torch.Tensor:
        keep = super().accepts(samples, class_index)
        chance = (self.log_ratio(samples, class_index) - self.log_ceiling[class_index]).exp().clamp(max=1)
        return keep & (torch.rand(len(samples), generator=self.stream) < chance)


def _realness_judge(gan, X_train, y_train, seed):
    """A judge of 2 x K labels: 2c the real rows of class c, 2c + 1 the generator's rows of c."""
    codec = gan.encoder_
    real = torch.from_numpy(codec.transform(X_train, random_state=seed)).float()
    y_index = np.searchsorted(gan.classes_, np.asarray(y_train))
    rows, labels = [real], [2 * y_index]
    for c in range(len(gan.classes_)):
        n = int(np.clip(np.sum(y_index == c), *_FAKES))
        rows.append(generate(gan.generator_, n, c, seed=seed * 7919 + c))
        labels.append(np.full(n, 2 * c + 1))
    return train_row_classifier(torch.cat(rows).float(), np.concatenate(labels), n_classes=2 * len(gan.classes_),
                                numeric_blocks=codec.numeric_blocks() or None, random_state=seed)


def _with_rejection(quantile):
    def draw(gan, plan, X_train, y_train, seed):
        library_gate = gan.label_gate_
        realness = _realness_judge(gan, X_train, y_train, seed)
        probe = RealnessGate(library_gate, realness, [0.0] * len(gan.classes_), seed=seed)
        log_ceiling = []
        for c in range(len(gan.classes_)):
            fresh = generate(gan.generator_, _CEILING_SAMPLES, c, seed=seed * 7919 + 1000 + c)
            log_ceiling.append(float(torch.quantile(probe.log_ratio(fresh, c), quantile)))
        gate = RealnessGate(library_gate, realness, log_ceiling, seed=seed)
        gate.measure_acceptance(gan.generator_, seed=seed)
        print(f"  drs@{quantile:g}: the gate keeps {[f'{a:.0%}' for a in gate.acceptance]} "
              f"(label gate alone {[f'{a:.0%}' for a in library_gate.acceptance]})", flush=True)
        return samples_through(gate, gan, plan)
    return draw


VARIANTS = {"gated": _as_library_samples, "drs": _with_rejection(0.95), "drs50": _with_rejection(0.5)}
DESCRIPTION = {
    "gated": "`gated`: the library's top-up (through its label gate, `label_gate='auto'`) at the commit above",
    "drs": "`drs`: the library's gate, then candidates kept with probability min(1, r/M), r the realness judge's "
           "density ratio, M its 95th percentile over fresh synthetic rows of the class",
    "drs50": "`drs50`: the same with M at the median (milder: a candidate above it is always kept)",
}


def main(argv=None):
    run_variants(argv, script="bench_rejection.py", doc=__doc__, variants=VARIANTS,
                 title="Discriminator rejection sampling for the tables' top-up (issue 11)", description=DESCRIPTION,
                 out=HERE / "REJECTION.md", json_path=HERE / "rejection_results.json")


if __name__ == "__main__":
    main()
