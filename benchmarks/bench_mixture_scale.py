"""Numbers in small units: does fitting their mixtures scale-free change the top-up? (issue 11)

A numeric column's modes come from scikit-learn's ``BayesianGaussianMixture``, whose ``reg_covar``
(1e-6) is added to every mode's variance in the column's own unit. On a column whose variance is
itself about 1e-6 (KEEL winequality-red's density, glass's refractive index, thyroid's hormone
ratios) that widens its modes far beyond its data, and the synthetic values spread towards the
observed bounds. The library now uses at most 1e-6 of the column's variance. Variants, per panel
scenario and seed:

- ``gated``: the library's default fit and top-up (the variance-relative ``reg_covar``);
- ``absreg``: the same data and seed fitted with the absolute ``reg_covar=1e-6`` of before,
  sampled through its label gate as the library does.

The pairs share the split and the seed but not the fit; both arms run on the same machine (float
results, and so GAN fits, depend on the CPU's matrix kernels).

    OMP_NUM_THREADS=1 python benchmarks/bench_mixture_scale.py --seeds 2 --variants gated absreg \
        --scenarios thyroid winequality-red

Results: benchmarks/MIXTURE_SCALE.md and benchmarks/mixture_scale_results.json (harness:
benchmarks/_sampling_variants.py).
"""

from __future__ import annotations

import time
from pathlib import Path
from unittest import mock

from _sampling_variants import LIBRARY_FIT, panel_gan
from _sampling_variants import main as run_variants
from bench_gate_strictness import _as_library_samples
from sklearn.mixture import BayesianGaussianMixture

import gan_augment.data.tabular as tabular

HERE = Path(__file__).resolve().parent
#: Panel tables with a numeric column of variance under 1e-3 (the ones the change moves most).
SMALL_UNITS = ["thyroid", "winequality-red", "glass", "ecoli"]


def _absolute_reg_mixture(**params):
    return BayesianGaussianMixture(**{**params, "reg_covar": 1e-6})


def _absolute_reg(gan, plan, X_train, y_train, seed):
    started = time.process_time()
    with mock.patch.object(tabular, "BayesianGaussianMixture", _absolute_reg_mixture):
        refitted = panel_gan(seed, X_train, y_train)
    print(f"  refit with reg_covar=1e-6: {time.process_time() - started:.0f} CPU s", flush=True)
    return _as_library_samples(refitted, plan, X_train, y_train, seed)


VARIANTS = {"gated": _as_library_samples, "absreg": _absolute_reg}
DESCRIPTION = {
    "gated": LIBRARY_FIT + " (mixtures with `reg_covar` at most 1e-6 of the column's variance)",
    "absreg": "`absreg`: the same data and seed fitted with scikit-learn's absolute `reg_covar=1e-6`, as before",
}


def main(argv=None):
    run_variants(argv, script="bench_mixture_scale.py", doc=__doc__, variants=VARIANTS,
                 title="Numbers in small units: variance-relative against absolute mixture regularisation",
                 description=DESCRIPTION, out=HERE / "MIXTURE_SCALE.md", json_path=HERE / "mixture_scale_results.json",
                 scenarios=SMALL_UNITS)


if __name__ == "__main__":
    main()
