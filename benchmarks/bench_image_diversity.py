"""Within-class diversity of the image GAN (issue 11: "the image GAN collapses within each class").

Three MNIST digits with 300, 300 and 15 training images (from the MNIST test set in
../shared/data/mnist), ``GANAugmenter(random_state=0)`` at default settings unless a variant says
otherwise. For each class, 256 samples are compared with held-out real images of the class:

* pixel std: the mean over pixels of the std across the 256 samples, in 0..255 units (a repeated
  image gives 0); the same for 256 real images of the class as the reference;
* k-NN precision / recall (Kynkaenniemi et al. 2019, k=3) and coverage (Naeem et al. 2020: the
  share of real points whose k-NN ball holds a sample) in the features of a judge CNN trained on
  the real training images (gan_augment.evaluation.images), against 256 held-out real images; the
  same for a disjoint real set of 256 (real-vs-real, the ceiling);
* label fidelity: the share of samples the judge assigns to their class.

Each fit also yields several "sampling variants" of the same trained weights: the EMA generator as
shipped (eval mode after batch-norm calibration), the EMA generator before calibration, the EMA
generator in train mode (batch statistics of a one-class batch), and the raw generator.

Usage::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_image_diversity.py \
        --fit default --fit warmup0 --fit noaug --fit noema [--epochs N] [--random-state N] [--out FILE.json]

``--fit 'key=value;key=value'`` fits with those settings (TrainingConfig fields the door does not
expose, such as ``r1_gamma``, are patched into the kind's training defaults).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _mnist import load_mnist_test  # noqa: E402

from gan_augment.training.callbacks import Callback  # noqa: E402
from gan_augment.training.trainer import seeded_rng  # noqa: E402

DIGITS = (3, 5, 8)
COUNTS = (300, 300, 15)
N_EVAL = 256

#: Fit-level variants: GANAugmenter keyword arguments on top of the defaults.
FITS = {
    "default": {},
    "warmup0": {"condition_warmup": 0.0},
    "noaug": {"augment": None},
    "noema": {"ema_decay": None},
}


def build_sets(seed=0):
    images, labels = load_mnist_test()
    rng = np.random.default_rng(seed)
    train_x, train_y, held, ref = [], [], {}, {}
    for c, (digit, count) in enumerate(zip(DIGITS, COUNTS)):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        train_x.append(images[idx[:count]])
        train_y += [c] * count
        held[c] = images[idx[count:count + N_EVAL]]
        ref[c] = images[idx[count + N_EVAL:count + 2 * N_EVAL]]
    return np.concatenate(train_x), np.asarray(train_y), held, ref


class Grab(Callback):
    """Keeps the trainer and a copy of the EMA generator as it was before batch-norm calibration."""

    def on_train_begin(self, trainer):
        self.trainer = trainer

    def on_epoch_end(self, trainer, record):
        if trainer.epoch_ == trainer.n_epochs_:
            g = trainer.sampling_generator
            self.before_calibration = copy.deepcopy(g)
            self.before_calibration.condition_strength = 1.0


def coverage(real_f, fake_f, k=3):
    from gan_augment.evaluation.images import _knn_radii

    real, fake = torch.as_tensor(real_f), torch.as_tensor(fake_f)
    radii = _knn_radii(real, k)
    d = torch.cdist(real, fake, compute_mode="donot_use_mm_for_euclid_dist")
    return float((d <= radii[:, None]).any(dim=1).float().mean())


@torch.no_grad()
def draw(generator, n, c, *, seed, train_mode=False):
    was = generator.training
    generator.train(train_mode)
    with seeded_rng(seed, torch.device("cpu")):
        z = torch.randn(n, generator.noise_dim)
        out = generator(z, torch.full((n,), c, dtype=torch.long))
    generator.train(was)
    return out.clamp(-1, 1)


def pixel_std(images_pm1):
    return float(((images_pm1 + 1) * 127.5).std(dim=0).mean())


def judge_and_refs(codec, train_x, train_y, held, ref):
    from gan_augment.evaluation.images import (extract_features, knn_precision_recall, predict_labels,
                                               train_image_classifier)

    enc_train = codec.transform(train_x)
    judge = train_image_classifier(enc_train, train_y, n_classes=len(DIGITS), epochs=10, random_state=0)
    enc_held = {c: codec.transform(held[c]) for c in held}
    enc_ref = {c: codec.transform(ref[c]) for c in ref}
    held_f = {c: extract_features(judge, enc_held[c]) for c in held}
    rows = {}
    for c in held:
        ref_f = extract_features(judge, enc_ref[c])
        p, r = knn_precision_recall(held_f[c], ref_f)
        fid = float((predict_labels(judge, enc_ref[c]) == c).mean())
        rows[c] = dict(pixel_std=pixel_std(enc_ref[c]), precision=p, recall=r,
                       coverage=coverage(held_f[c], ref_f), fidelity=fid)
    return judge, held_f, rows


def score(judge, held_f, samples):
    from gan_augment.evaluation.images import extract_features, knn_precision_recall, predict_labels

    rows = {}
    for c, x in samples.items():
        f = extract_features(judge, x)
        p, r = knn_precision_recall(held_f[c], f)
        rows[c] = dict(pixel_std=pixel_std(x), precision=p, recall=r, coverage=coverage(held_f[c], f),
                       fidelity=float((predict_labels(judge, x) == c).mean()))
    return rows


def run_fit(name, extra, train_x, train_y, epochs, random_state=0):
    from gan_augment import GANAugmenter

    grab = Grab()
    kwargs = dict(random_state=random_state, callbacks=[grab], device="cpu")
    kwargs.update({k: v for k, v in extra.items() if k in GANAugmenter().get_params()})
    if epochs:
        kwargs["epochs"] = epochs
    trainer_only = {k: v for k, v in extra.items() if k not in GANAugmenter().get_params()}
    augmenter = GANAugmenter(**kwargs)
    if trainer_only:  # settings the door does not expose: patch the kind's training defaults
        import gan_augment.augmenter as aug_mod
        original = aug_mod.training_config

        def patched(kind, **settings):
            return dataclasses.replace(original(kind, **settings), **trainer_only)
        aug_mod.training_config = patched
    started = time.process_time()
    try:
        augmenter.fit(train_x, train_y)
    finally:
        if trainer_only:
            aug_mod.training_config = original
    cpu = time.process_time() - started
    return augmenter, grab, cpu


def sampling_variants(augmenter, grab):
    trainer = grab.trainer
    out = {"shipped (EMA, eval, calibrated)": lambda c: draw(trainer.sampling_generator, N_EVAL, c, seed=1),
           "EMA eval, not calibrated": lambda c: draw(grab.before_calibration, N_EVAL, c, seed=1),
           "EMA train-mode BN": lambda c: draw(trainer.sampling_generator, N_EVAL, c, seed=1, train_mode=True)}
    if trainer.generator_ema_ is not None:
        raw = trainer.generator
        raw.condition_strength = 1.0
        out["raw G eval (its running stats)"] = lambda c: draw(raw, N_EVAL, c, seed=1)
        out["raw G train-mode BN"] = lambda c: draw(raw, N_EVAL, c, seed=1, train_mode=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--fit", action="append", default=[])
    parser.add_argument("--epochs", type=int, default=0)
    parser.add_argument("--out", default="")
    parser.add_argument("--sampling-variants", action="store_true")
    parser.add_argument("--random-state", type=int, default=0, help="GANAugmenter's random_state")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    train_x, train_y, held, ref = build_sets()
    results = {"command": "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_image_diversity.py "
                          + " ".join(sys.argv[1:]), "fits": []}
    judge = None
    for name in args.fit or ["default"]:
        extra = FITS.get(name)
        if extra is None:  # key=value[;key=value]
            extra = {}
            for part in name.split(";"):
                key, value = part.split("=")
                extra[key] = None if value == "None" else json.loads(value) if value[0] in "0123456789-[" else value
        augmenter, grab, cpu = run_fit(name, extra, train_x, train_y, args.epochs, args.random_state)
        if judge is None:
            judge, held_f, real_rows = judge_and_refs(augmenter.encoder_, train_x, train_y, held, ref)
            results["real_vs_real"] = real_rows
            print("real-vs-real", _fmt(real_rows), flush=True)
        variants = sampling_variants(augmenter, grab) if args.sampling_variants else {
            "shipped (EMA, eval, calibrated)": lambda c: draw(grab.trainer.sampling_generator, N_EVAL, c, seed=1)}
        for label, make in variants.items():
            rows = score(judge, held_f, {c: make(c) for c in range(len(DIGITS))})
            results["fits"].append(dict(fit=name, random_state=args.random_state, sampling=label, cpu_s=cpu,
                                        epochs=grab.trainer.n_epochs_,
                                        steps=grab.trainer.step_, classes=rows))
            print(f"{name:>10} | {label:<34} | cpu {cpu:6.0f}s | {_fmt(rows)}", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))


def _fmt(rows):
    return "  ".join(f"[{DIGITS[c]}] std {r['pixel_std']:5.1f} R {r['recall']:.2f} C {r['coverage']:.2f} "
                     f"P {r['precision']:.2f} F {r['fidelity']:.2f}" for c, r in rows.items())


if __name__ == "__main__":
    main()
