"""The image generator's mode-seeking term, form by form (issues 11, 12): does it wreck 32 px fits?

    python benchmarks/bench_mode_seeking.py --seeds 1 --rare-count 7 --forms reciprocal off
    python benchmarks/bench_mode_seeking.py --report-only --merge a.json b.json   # combine parallel runs

An image GAN at 32 px on MNIST (digit 3 cut to ``--rare-count`` training images, benchmarks/_mnist.py)
is fitted by ``GANAugmenter(classes=[3], architecture=--architecture, image_size=32)`` at its
defaults, except for the form of the generator's mode-seeking term
(``TrainingConfig.mode_seeking_weight``, Mao et al. 2019), swapped in for the run through
``gan_augment.losses``:

* ``reciprocal``: ``w / (ratio + 1e-5)``, Mao et al.'s form (the library's until the capped
  reciprocal below);
* ``capped-reciprocal``: the library's term as it is, ``w / (min(ratio, cap) + 1e-5)`` with the
  cap the real training images' ratio at the working size (``losses.real_mode_seeking_ratio``):
  the reciprocal's pull out of collapse, no push beyond the real spread;
* ``off``: no term;
* ``log``: ``-w * log(ratio + 1e-5)``: the same push towards spread-out samples, with a gradient
  ``w / ratio`` instead of ``w / ratio^2`` where the samples of a class draw together;
* ``capped``: ``-w * min(ratio, tau) / tau`` (Yang et al. 2019's diversity-sensitive form), ``tau``
  the real images' own ratio, the within-class mean pixel distance over the noise's mean distance.

Per fit: the per-epoch losses, the judge's label fidelity, Frechet distance and k-NN
precision / recall for 1,000 rare and 1,000 common (digit 5) images, and the fitted model's
diversity check (spread, relative coverage). No downstream CNN: this asks whether the GAN trains.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _mnist import cut_split  # noqa: E402
from bench_images import RARE, _git_state  # noqa: E402
from bench_translation import merge_parts  # noqa: E402

import gan_augment.losses as losses  # noqa: E402
from gan_augment import config  # noqa: E402
from gan_augment import GANAugmenter  # noqa: E402
from gan_augment.evaluation.images import image_quality, to_model_range, train_image_classifier  # noqa: E402

HERE = Path(__file__).resolve().parent
COMMON = 5
N_JUDGED = 1000
EPS = 1e-5
#: E|a - b| for independent standard normal a and b: the mean distance per noise coordinate.
NOISE_DISTANCE = 2 / np.sqrt(np.pi)


def real_ratio(images: np.ndarray, labels: np.ndarray) -> float:
    """The real images' mode-seeking ratio: within-class mean per-pixel L1 distance (images in
    [-1, 1]) over the noise's mean per-coordinate distance, averaged over the classes (the first
    200 images of each)."""
    x = torch.as_tensor(to_model_range(images), dtype=torch.float32).flatten(1)
    ratios = []
    for label in np.unique(labels):
        rows = x[torch.as_tensor(labels == label)][:200]
        distances = torch.cdist(rows, rows, p=1) / rows.shape[1]
        ratios.append(float(distances.sum() / (len(rows) * (len(rows) - 1))) / NOISE_DISTANCE)
    return float(np.mean(ratios))


@contextlib.contextmanager
def mode_seeking_form(form: str, tau: float):
    """Within the block, image fits use the mode-seeking term of ``form`` (weight from the config;
    ``off`` sets the image defaults' weight to 0, which leaves the term out)."""

    def build(weight: float, cap=None):
        def penalty(fake, z, y):
            ratio = losses.mode_seeking_ratio(fake, z, y)
            if form == "reciprocal":
                return weight / (ratio + EPS)
            if form == "log":
                return -weight * torch.log(ratio + EPS)
            return -weight * torch.clamp(ratio, max=tau) / tau

        return penalty

    library_form, saved_weight = losses._mode_seeking, config.IMAGE_TRAINING["mode_seeking_weight"]
    if form != "capped-reciprocal":  # that one is the library's own
        losses._mode_seeking = build
    if form == "off":
        config.IMAGE_TRAINING["mode_seeking_weight"] = 0.0
    try:
        yield
    finally:
        losses._mode_seeking, config.IMAGE_TRAINING["mode_seeking_weight"] = library_form, saved_weight


def run(seed: int, form: str, data, judge, tau: float, args) -> dict:
    X_train, y_train, X_test, y_test = data
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)
    augmenter = GANAugmenter(classes=[RARE], architecture=args.architecture, image_size=32, epochs=epochs,
                             random_state=seed, n_threads=args.threads)
    started = time.perf_counter()
    with mode_seeking_form(form, tau):
        augmenter.fit(X_train, y_train)
    record = {"form": form, "seed": seed, "architecture": args.architecture, "rare_count": args.rare_count,
              "device": str(next(augmenter.generator_.parameters()).device),
              "fit_s": time.perf_counter() - started, "tau": tau,
              "history": [dict(epoch) for epoch in augmenter.history_]}
    for name, label in (("rare", RARE), ("common", COMMON)):
        judged = augmenter.sample(N_JUDGED, label, random_state=2)
        quality = image_quality(to_model_range(X_train), y_train, to_model_range(X_test), y_test,
                                to_model_range(judged), np.full(N_JUDGED, label), classifier=judge,
                                random_state=seed)
        record[name] = {key: float(quality.loc[label, key]) for key in
                        ("label_fidelity", "frechet_distance", "frechet_real", "precision", "recall")}
        diversity = augmenter.diversity_.get(label)
        if diversity is not None:
            record[name].update(spread=diversity.spread, relative_coverage=diversity.relative_coverage)
    print(f"seed {seed} {form}: {record['fit_s']:.0f}s rare {record['rare']} common {record['common']}", flush=True)
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--forms", nargs="+", default=["reciprocal", "off", "log", "capped"],
                        choices=("reciprocal", "off", "log", "capped", "capped-reciprocal"))
    parser.add_argument("--epochs", default="auto", help="GAN epochs (a number for a smoke test)")
    parser.add_argument("--architecture", default="dcgan")
    parser.add_argument("--rare-count", type=int, default=25)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(HERE / "mode_seeking.json"))
    parser.add_argument("--markdown", default=str(HERE / "MODE_SEEKING.md"))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--merge", nargs="+", default=None, metavar="JSON")
    args = parser.parse_args(argv)
    if args.report_only:
        if args.merge:
            merge_parts(args.merge, args.out, wall=max)  # the parts ran side by side
        write_markdown(json.loads(Path(args.out).read_text()), Path(args.markdown))
        return
    torch.set_num_threads(args.threads)
    command = "python benchmarks/bench_mode_seeking.py " + " ".join(sys.argv[1:] if argv is None else argv)
    data = {"meta": {"command": command, "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                     "code": _git_state(), "torch": torch.__version__,
                     "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"},
            "runs": []}
    started = time.perf_counter()
    for seed in args.seeds:
        split = cut_split(RARE, seed, rare_count=args.rare_count)
        X_train, y_train = split[0], split[1]
        judge = train_image_classifier(to_model_range(X_train), y_train, n_classes=10, epochs=10,
                                       device="cuda" if torch.cuda.is_available() else "cpu", random_state=seed)
        tau = real_ratio(X_train, y_train)
        for form in args.forms:
            data["runs"].append(run(seed, form, split, judge, tau, args))
            data["meta"]["wall_s"] = time.perf_counter() - started
            Path(args.out).write_text(json.dumps(data, indent=1))
    write_markdown(data, Path(args.markdown))


def write_markdown(data: dict, path: Path) -> None:
    meta = data["meta"]
    lines = ["# The image generator's mode-seeking term, form by form (MNIST at 32 px, a rare digit 3)", "",
             f"Command: `{meta['command']}`, started {meta['started']} (wall time {meta['wall_s'] / 60:.1f} min; "
             f"code {meta['code']}; torch {meta['torch']}).", "",
             "Per fit: label fidelity / Frechet distance (real floor) / k-NN recall of 1,000 images of the rare "
             f"digit {RARE} and of the common digit {COMMON}, in the eyes of a judge CNN trained on the real "
             "training half; spread and relative coverage from the fitted model's diversity check (rare digit); "
             "the generator's loss in the last epoch.", "",
             "| architecture | device | rare images | form | seed | fit s | rare fidelity | rare FD (floor) | "
             "rare k-NN recall | rare spread | rare rel. coverage | common fidelity | common FD (floor) | "
             "last loss_g |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    order = ("architecture", "device", "rare_count", "form", "seed")
    for r in sorted(data["runs"], key=lambda r: tuple(r[key] for key in order)):
        rare, common = r["rare"], r["common"]
        lines.append(f"| {r['architecture']} | {r['device']} | {r['rare_count']} | {r['form']} | {r['seed']} | "
                     f"{r['fit_s']:.0f} | {rare['label_fidelity']:.3f} | "
                     f"{rare['frechet_distance']:.1f} ({rare['frechet_real']:.1f}) | {rare['recall']:.3f} | "
                     f"{rare.get('spread', float('nan')):.2f} | {rare.get('relative_coverage', float('nan')):.2f} | "
                     f"{common['label_fidelity']:.3f} | {common['frechet_distance']:.1f} "
                     f"({common['frechet_real']:.1f}) | {r['history'][-1]['loss_g']:.3f} |")
    lines.append("")
    path.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
