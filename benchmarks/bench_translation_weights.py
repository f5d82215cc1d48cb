"""How strong the cycle and identity terms of TranslationAugmenter may be: 8x8 digits, a rare digit of 10.

    python benchmarks/bench_translation_weights.py       # benchmarks/TRANSLATION_WEIGHTS.md (+ .json)

scikit-learn's 8x8 digits: four common digits and a rare one cut to 10 images (rare 3 from 0, 1, 5, 8;
rare 7 from 2, 4, 6, 9). For each (cycle_weight, identity_weight), ``TranslationAugmenter`` is fitted
for ``--steps`` updates of 64 images (other settings at their defaults) and judged on the rare
digit: the label gate's acceptance (its CNN judge, trained on the real training images), the share
of 500 ungated translations that a logistic regression trained on all 1,797 real digits labels as
the rare digit, and the diversity check's spread and coverage. One thread per process.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from gan_augment import TranslationAugmenter

HERE = Path(__file__).resolve().parent
SCENARIOS = {3: (0, 1, 5, 8), 7: (2, 4, 6, 9)}
WEIGHTS = ((10.0, 5.0), (10.0, 0.0), (0.5, 0.0), (0.2, 0.0))


def measure(rare: int, common: tuple, cycle: float, identity: float, steps: int) -> dict:
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, common) | ((y == rare) & (np.cumsum(y == rare) <= 10))
    X_fit, y_fit = X[keep], y[keep]
    epochs = max(1, round(steps / -(-len(y_fit) // 64)))
    started, cpu = time.perf_counter(), time.process_time()
    augmenter = TranslationAugmenter(image_shape=(1, 8, 8), classes=[rare], batch_size=64, epochs=epochs,
                                     cycle_weight=cycle, identity_weight=identity, n_threads=1,
                                     random_state=0).fit(X_fit, y_fit)
    fit_s, fit_cpu = time.perf_counter() - started, time.process_time() - cpu
    digits = np.isin(y, (rare, *common))
    judge = LogisticRegression(max_iter=2000).fit(X[digits], y[digits])
    translations = augmenter.set_params(label_gate=False).sample(500, rare)
    index = int(np.flatnonzero(augmenter.classes_ == rare)[0])
    diversity = augmenter.diversity_[rare]
    return {"rare": rare, "common": list(common), "cycle_weight": cycle, "identity_weight": identity,
            "updates": epochs * -(-len(y_fit) // 64), "fit_s": fit_s, "fit_cpu_s": fit_cpu,
            "gate_acceptance": augmenter.label_gate_.acceptance[index],
            "judged_rare": float(np.mean(judge.predict(translations) == rare)),
            "spread": diversity.spread, "coverage": diversity.coverage}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--out", default=str(HERE / "translation_weights.json"))
    parser.add_argument("--markdown", default=str(HERE / "TRANSLATION_WEIGHTS.md"))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    command = "python benchmarks/bench_translation_weights.py " + " ".join(sys.argv[1:] if argv is None else argv)
    rows = []
    for rare, common in SCENARIOS.items():
        for cycle, identity in WEIGHTS:
            rows.append(measure(rare, common, cycle, identity, args.steps))
            print(json.dumps(rows[-1]), flush=True)
            Path(args.out).write_text(json.dumps({"command": command, "rows": rows}, indent=1))
    lines = ["# How strong the translator's cycle and identity terms may be", "",
             f"Command: `{command.strip()}` (one thread; {rows[0]['updates']} updates of 64 images per fit). "
             "scikit-learn's 8x8 digits, a rare digit cut to 10 images translated from four common ones; "
             "other settings at TranslationAugmenter's defaults.", "",
             "| rare (from) | cycle weight | identity weight | gate acceptance | judged as the rare digit | "
             "spread | coverage | fit CPU s |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['rare']} ({', '.join(map(str, r['common']))}) | {r['cycle_weight']:g} | "
                     f"{r['identity_weight']:g} | {r['gate_acceptance']:.3f} | {r['judged_rare']:.3f} | "
                     f"{r['spread']:.2f} | {r['coverage']:.2f} | {r['fit_cpu_s']:.0f} |")
    lines += ["", "Gate acceptance: the share of the rare digit's translations that the label gate's CNN "
              "(trained on the real training images) assigns to it. Judged: the same for 500 ungated "
              "translations and a logistic regression trained on all 1,797 real digits. Spread and coverage: "
              "the diversity check (synthetic / real standard deviation; k-NN coverage of the 10 real images).", ""]
    Path(args.markdown).write_text("\n".join(lines))


if __name__ == "__main__":
    main()
