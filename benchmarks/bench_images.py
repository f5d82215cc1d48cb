"""Image benchmark: a rare MNIST digit topped up by the image GAN, on 2 CPU cores.

    python benchmarks/bench_images.py                     # 3 seeds, both architectures
    python benchmarks/bench_images.py --seeds 0 --architectures dcgan

Data: the 10,000 MNIST test images in ../shared/data/mnist, split 50/50 (stratified); in the
training half the rare digit keeps 25 of its ~500 images. Per seed and architecture:

* fit time of ``GANAugmenter`` at its defaults (``epochs="auto"``), and images/s sampled;
* the judge (``gan_augment.evaluation.images``, a CNN trained on the real training half):
  label fidelity, Frechet distance (with the real-floor and blurred baselines) and k-NN
  precision/recall of 1,000 synthetic images of the rare and of a common digit, against the test half;
* downstream: a small CNN (the judge's architecture, plain unweighted cross-entropy, 5 epochs)
  trained on (a) the real training half, (b) it with classic augmentation (albumentations: small
  affine moves), (c) it with the rare digit topped up to the majority count by the GAN, (d) both;
  rare-digit recall and accuracy on the untouched test half.

Writes benchmarks/images_results.json (``--out``); benchmarks/IMAGES.md is written from it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _mnist import cut_split  # noqa: E402

from gan_augment import GANAugmenter  # noqa: E402
from gan_augment.evaluation.images import image_quality, predict_labels, to_model_range, \
    train_image_classifier  # noqa: E402

HERE = Path(__file__).resolve().parent
RARE, COMMON = 3, 1
N_JUDGED = 1000


def classic_augment(seed: int):
    """A batch augmentation for the downstream CNN: albumentations' small affine moves."""
    import albumentations as A

    transform = A.Compose([A.Affine(translate_percent=(-0.08, 0.08), rotate=(-10, 10), scale=(0.9, 1.1), p=0.8)],
                          seed=seed)

    def apply(batch: torch.Tensor) -> torch.Tensor:
        pixels = ((batch.permute(0, 2, 3, 1).numpy() + 1) * 127.5).astype(np.uint8)
        moved = np.stack([transform(image=image)["image"].reshape(image.shape) for image in pixels])
        return torch.from_numpy(moved.astype(np.float32) / 127.5 - 1).permute(0, 3, 1, 2).contiguous()

    return apply


def downstream(X_train, y_train, X_test, y_test, seed, *, augment, epochs):
    model = train_image_classifier(to_model_range(X_train), y_train, n_classes=10, epochs=epochs, class_balanced=False,
                                   augment=classic_augment(seed) if augment else None, random_state=seed)
    predicted = predict_labels(model, to_model_range(X_test))
    return {"rare_recall": float(np.mean(predicted[y_test == RARE] == RARE)),
            "accuracy": float(np.mean(predicted == y_test))}


def prepare_seed(seed, cnn_epochs):
    """The split, the two arms without a GAN, and the judge: shared by the architectures."""
    X_train, y_train, X_test, y_test = cut_split(RARE, seed)
    arms = {name: downstream(X_train, y_train, X_test, y_test, seed, augment=name == "classic", epochs=cnn_epochs)
            for name in ("none", "classic")}
    print(f"seed {seed}: none {arms['none']}, classic {arms['classic']}", flush=True)
    judge = train_image_classifier(to_model_range(X_train), y_train, n_classes=10, random_state=seed)
    return (X_train, y_train, X_test, y_test), arms, judge


def run(seed, architecture, prepared, *, epochs, cnn_epochs):
    (X_train, y_train, X_test, y_test), arms, judge = prepared
    augmenter = GANAugmenter(classes=[RARE], architecture=architecture, epochs=epochs, random_state=seed)
    started = time.perf_counter()
    augmenter.fit(X_train, y_train)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    augmenter.sample(10_000, RARE, random_state=1)
    sample_rate = 10_000 / (time.perf_counter() - started)
    synthetic = np.concatenate([augmenter.sample(N_JUDGED, c, random_state=2) for c in (RARE, COMMON)])
    quality = image_quality(to_model_range(X_train), y_train, to_model_range(X_test), y_test,
                            to_model_range(synthetic), np.repeat([RARE, COMMON], N_JUDGED),
                            classifier=judge, random_state=seed)
    n_add = augmenter.sampling_strategy_[RARE]
    X_top = np.concatenate([X_train, augmenter.sample(n_add, RARE, random_state=3)])
    y_top = np.concatenate([y_train, np.full(n_add, RARE)])
    record = {
        "seed": seed, "architecture": architecture, "fit_s": fit_s, "sample_images_per_s": sample_rate,
        "epochs": len(augmenter.history_), "n_added": int(n_add),
        "final_augment_p": augmenter.history_[-1].get("augment_p"),
        "quality": {str(c): quality.loc[c].to_dict() for c in quality.index},
        "judge_accuracy": quality.attrs["judge_accuracy"],
        "downstream": {**arms,
                       "gan": downstream(X_top, y_top, X_test, y_test, seed, augment=False, epochs=cnn_epochs),
                       "gan+classic": downstream(X_top, y_top, X_test, y_test, seed, augment=True,
                                                 epochs=cnn_epochs)},
    }
    q = record["quality"][str(RARE)]
    print(f"seed {seed} {architecture}: fit {fit_s:.0f}s, {sample_rate:,.0f} img/s, rare fidelity "
          f"{q['label_fidelity']:.3f}, FD {q['frechet_distance']:.1f} (real {q['frechet_real']:.1f}, blurred "
          f"{q['frechet_blurred']:.1f}), downstream {record['downstream']}", flush=True)
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--architectures", nargs="+", default=["dcgan", "resnet"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", default="auto", help="GAN epochs ('auto' is the default setting)")
    parser.add_argument("--cnn-epochs", type=int, default=5, help="epochs of the downstream CNN")
    parser.add_argument("--out", default=str(HERE / "images_results.json"))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)
    command = "python benchmarks/bench_images.py " + " ".join(sys.argv[1:] if argv is None else argv)
    meta = {"command": command, "threads": args.threads, "torch": torch.__version__,
            "machine": platform.processor() or platform.machine(), "rare_digit": RARE, "common_digit": COMMON}
    results, prepared = [], {}
    started = time.perf_counter()
    # Architecture by architecture, so that an interrupted run still holds every seed of the first.
    for architecture in args.architectures:
        for seed in args.seeds:
            if seed not in prepared:
                prepared[seed] = prepare_seed(seed, args.cnn_epochs)
            results.append(run(seed, architecture, prepared[seed], epochs=epochs, cnn_epochs=args.cnn_epochs))
            meta["wall_s"] = time.perf_counter() - started
            Path(args.out).write_text(json.dumps({"meta": meta, "runs": results}, indent=1))
    print(f"done in {meta['wall_s'] / 60:.1f} min")

if __name__ == "__main__":
    main()
