"""Sampling settings A/B on Adult: one default fit, then 100,000 rows in the training class
proportions drawn under each variant, the variants alternated in one process (forward, then
backward order) so that drift in the machine's load favours none; median rows per CPU-second and
per wall-second.

A variant is ``gate:chunk:headroom``: ``label_gate`` ("auto", the tables' default, or False; or
"plain": "auto" through the gate as it was before RowFeatures and the prior shift, a judge of the
same rows and seed reading them as encoded, its argmax unshifted), the
rows per generator forward pass (``gan_augment.training.trainer._SAMPLE_CHUNK``) and the label
gate's candidates per round relative to the expected need (``gan_augment.label_gate._HEADROOM``).
The last two are module constants, set here between calls; the rows a seed gives depend on both.

Usage: OMP_NUM_THREADS=1 python benchmarks/ab_sampling.py [--data-dir ../shared/data] [--repeats 5]
           [--variants auto:4096:1.05 False:4096:1.05] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch
from _adult import adult_path, load_adult  # benchmarks/ is on sys.path when run as a script

from gan_augment import GANAugmenter, label_gate
from gan_augment._random import derive_seed
from gan_augment.augmenter import _GATE_STREAM
from gan_augment.training import trainer


def parse_variant(text: str) -> tuple:
    gate, chunk, headroom = text.split(":")
    return {"auto": "auto", "plain": "plain", "False": False, "True": True}[gate], int(chunk), float(headroom)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="n_threads of the fit and of sampling")
    parser.add_argument("--variants", nargs="+", default=[f"auto:{trainer._SAMPLE_CHUNK}:{label_gate._HEADROOM}",
                                                          f"False:{trainer._SAMPLE_CHUNK}:{label_gate._HEADROOM}"])
    args = parser.parse_args()
    variants = {text: parse_variant(text) for text in args.variants}
    X, y = load_adult(adult_path(args.data_dir))
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GANAugmenter(random_state=0, n_threads=args.threads).fit(X, y)
    print(f"default fit: {time.process_time() - started:.0f} CPU s; the gate keeps "
          + ", ".join(f"{label} {rate:.1%}" for label, rate in zip(model.classes_, model.label_gate_.acceptance)))
    gates = {"auto": model.label_gate_}
    if any(gate == "plain" for gate, _, _ in variants.values()):
        # The judge's inputs as the fit gave them: the encoded rows and labels (the judge's seed is
        # any fixed one: the rate depends on its acceptance, not on which judge of the two it is).
        y_index = np.searchsorted(model.classes_, y)
        encoded = torch.from_numpy(model.encoder_.transform(X, random_state=0))
        gates["plain"] = label_gate.LabelGate.fit(model.kind_, encoded, y_index, model.generator_,
                                                  seed=derive_seed(0, _GATE_STREAM))
        gates["plain"].prior_shift = None
        gates["plain"].measure_acceptance(model.generator_, seed=derive_seed(0, _GATE_STREAM))  # unshifted now
        print("the plain gate keeps " + ", ".join(f"{label} {rate:.1%}" for label, rate in
                                                   zip(model.classes_, gates["plain"].acceptance)))
    shares = pd.Series(y).value_counts(normalize=True)
    times: dict = {text: [] for text in variants}
    for repeat in range(args.repeats):
        for text in list(variants) if repeat % 2 == 0 else list(variants)[::-1]:
            gate, trainer._SAMPLE_CHUNK, label_gate._HEADROOM = variants[text]
            model.label_gate_ = gates.get(gate, gates["auto"])
            model.set_params(label_gate="auto" if gate == "plain" else gate)
            cpu, wall = time.process_time(), time.perf_counter()
            for label, share in shares.items():
                model.sample(int(round(args.rows * share)), label, random_state=repeat)
            times[text].append((time.process_time() - cpu, time.perf_counter() - wall))
    for text, runs in times.items():
        cpu, wall = np.median(runs, axis=0)
        print(f"{text:<22} {args.rows / cpu:>9,.0f} rows per CPU-second, {args.rows / wall:>9,.0f} rows per "
              f"wall-second (median of {args.repeats})")


if __name__ == "__main__":
    main()
