"""GAN rows and SMOTE rows mixed in one top-up: does the mix beat either alone?

Issue 11 lists "mixing synthetic with classic augmentation" among the things to try. For tables,
the classic augmentation a practitioner uses is SMOTE(-NC). On the panel the GAN's top-up and
SMOTE's are close, and their rows differ in kind: SMOTE's lie on segments between real rows of
the class, the GAN's anywhere its class-conditional model puts mass. A top-up of half of each
gives the classifier both; this measures whether that helps.

Per panel scenario (benchmarks/bench_panel.py: the same loading, 70/30 split, classifiers, scores)
and seed: one default GANAugmenter fit (label_gate="auto"). `gated` is its top-up as the library
samples it; `mix` the same rows and SMOTE(-NC)'s (the library's `MixedSMOTE`, seeded like the
panel's SMOTE arm) taken alternately, so that every amount (25/50/100% of the gap to the majority)
is half GAN, half SMOTE. Beside them: none, class weights, random oversampling and SMOTE at the
same amounts. The arms of one fit are paired.

    OMP_NUM_THREADS=1 python benchmarks/bench_gan_smote_mix.py --seeds 3
    OMP_NUM_THREADS=1 python benchmarks/bench_gan_smote_mix.py --report-only

Results: benchmarks/GAN_SMOTE_MIX.md and benchmarks/gan_smote_mix_results.json.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _sampling_variants import main as run_variants
from bench_gate_strictness import _as_library_samples

from gan_augment.baselines import baseline_sampler

HERE = Path(__file__).resolve().parent


def _smote_rows(plan, X_train, y_train, seed) -> dict:
    """SMOTE(-NC)'s new rows of each class to top up, the whole gap (the panel's SMOTE arm at 100%)."""
    counts = dict(zip(*np.unique(y_train, return_counts=True)))
    target = {c: int(counts[c]) + n for c, n in plan.items() if n > 0}
    X_res, y_res = baseline_sampler("smote", target, random_state=seed).fit_resample(X_train, y_train)
    new_X, new_y = X_res.iloc[len(X_train):], np.asarray(y_res)[len(X_train):]
    return {c: new_X[new_y == c].reset_index(drop=True) for c in target}


def _alternate(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``first`` and ``second`` taken in turn (first[0], second[0], first[1], ...), so that
    every prefix is half of each; as many rows as the longer of the two."""
    both = pd.concat([first.reset_index(drop=True), second.reset_index(drop=True)], ignore_index=True)
    turn = np.concatenate([np.arange(len(first)) * 2, np.arange(len(second)) * 2 + 1])
    return both.iloc[np.argsort(turn, kind="stable")].reset_index(drop=True)


def _mixed(gan, plan, X_train, y_train, seed):
    gan_rows = _as_library_samples(gan, plan, X_train, y_train, seed)
    smote_rows = _smote_rows(plan, X_train, y_train, seed)
    return {c: _alternate(gan_rows[c], smote_rows[c]) for c in gan_rows}


VARIANTS = {"gated": _as_library_samples, "mix": _mixed}
DESCRIPTION = ("One default `GANAugmenter` fit per scenario and seed; `gated` is its top-up as the library samples it "
               "(through the label gate, `label_gate='auto'`); `mix` takes those rows and SMOTE(-NC)'s in turn, so "
               "that each amount is half GAN, half SMOTE. Mean over seeds; amounts 25/50/100% of the gap.")


def main(argv=None):
    run_variants(argv, script="bench_gan_smote_mix.py", doc=__doc__, variants=VARIANTS,
                 title="GAN and SMOTE rows mixed in one top-up (issue 11)", description=DESCRIPTION,
                 out=HERE / "GAN_SMOTE_MIX.md", json_path=HERE / "gan_smote_mix_results.json")


if __name__ == "__main__":
    main()
