"""The truncation trick for the tables' top-up: do more typical GAN rows help the downstream model?

BigGAN's truncation trick (Brock et al. 2019): at sampling time, noise entries beyond +-psi are
redrawn, so samples come from the generator's denser, more typical region (more fidelity, less
variety). SMOTE's rows stay between real rows of their class; truncated GAN rows move the GAN
top-up in that direction without changing the model. The library does not offer it yet: this
benchmark patches the tabular generator's eval-mode forward (only the noise, redrawn from the same
seeded stream, so the rows stay deterministic).

Per panel scenario (benchmarks/bench_panel.py: the same loading, 70/30 split, classifiers, scores)
and seed: one default GANAugmenter fit (label_gate="auto"); its top-up through the gate sampled
at psi = none (the library's rows), 1.0 and 0.5, each at 25/50/100% of the gap to the majority;
beside them none, class weights, random oversampling and SMOTE at the same amounts. The arms of one fit
are paired.

    OMP_NUM_THREADS=1 python benchmarks/bench_truncation.py --seeds 3
    OMP_NUM_THREADS=1 python benchmarks/bench_truncation.py --report-only

Results: benchmarks/TRUNCATION.md and benchmarks/truncation_results.json.
"""

from __future__ import annotations

from pathlib import Path

import torch
from _sampling_variants import main as run_variants

from gan_augment.models.tabular import TabularGenerator

HERE = Path(__file__).resolve().parent
PSIS = {"gated": None, "trunc1": 1.0, "trunc05": 0.5}

_forward = TabularGenerator.forward
_psi = None


def _truncated_forward(self, z, y):
    if not self.training and _psi is not None:
        z = z.clone()
        outside = z.abs() > _psi
        while outside.any():  # redraw from the (seeded) stream the noise came from
            z[outside] = torch.randn(int(outside.sum()), dtype=z.dtype, device=z.device)
            outside = z.abs() > _psi
    return _forward(self, z, y)


def _at_psi(psi):
    def draw(gan, plan, X_train, y_train, seed):
        global _psi
        _psi = psi
        try:
            return {c: gan.sample(n, c) for c, n in plan.items() if n > 0}
        finally:
            _psi = None
    return draw


VARIANTS = {name: _at_psi(psi) for name, psi in PSIS.items()}
DESCRIPTION = ("One default `GANAugmenter` fit per scenario and seed; `gated` is its top-up as the library samples it "
               "(through the label gate, `label_gate='auto'`); `trunc1` / `trunc05` the same fit's top-up with every "
               "noise entry beyond +-1.0 / +-0.5 redrawn (truncation trick). Mean over seeds; amounts 25/50/100% of "
               "the gap.")


def main(argv=None):
    TabularGenerator.forward = _truncated_forward
    run_variants(argv, script="bench_truncation.py", doc=__doc__, variants=VARIANTS,
                 title="The truncation trick for the tables' GAN top-up (issue 11)", description=DESCRIPTION,
                 out=HERE / "TRUNCATION.md", json_path=HERE / "truncation_results.json")


if __name__ == "__main__":
    main()
