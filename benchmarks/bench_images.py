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
    parser.add_argument("--report-only", action="store_true", help="only rewrite IMAGES.md from --out")
    args = parser.parse_args(argv)
    if args.report_only:
        write_markdown(json.loads(Path(args.out).read_text()), HERE / "IMAGES.md")
        return
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
    write_markdown({"meta": meta, "runs": results}, HERE / "IMAGES.md")


def _mean_std(values, fmt=".3f") -> str:
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return format(values.mean(), fmt)
    return f"{format(values.mean(), fmt)} ± {format(values.std(ddof=1), fmt)}"


def write_markdown(data: dict, path: Path) -> None:
    """The results table, per architecture, mean ± std over seeds with every seed listed too."""
    meta, runs = data["meta"], data["runs"]
    rare, common = str(meta["rare_digit"]), str(meta["common_digit"])
    lines = [
        "# Image benchmark: a rare MNIST digit",
        "",
        f"Command: `{meta['command']}` (wall time {meta['wall_s'] / 60:.1f} min; torch {meta['torch']}, "
        f"{meta['threads']} threads, {meta['machine']}).",
        "",
        "Data: the 10,000 MNIST test images (../shared/data/mnist), split 50/50 stratified by seed; in the "
        f"training half digit {rare} keeps 25 of its ~500 images (5% of them, 0.55% of the half: the issue's "
        "'1% ... (about 25)' cannot both hold, the explicit count was kept). GAN at its default settings "
        "(`GANAugmenter(classes=[3], architecture=...)`, `epochs='auto'` = ~2,000 generator updates) with each "
        "architecture named; on a CPU `architecture='auto'` is the DCGAN. "
        "The judge is the CNN of `gan_augment.image_quality` trained on the real training half; quality is "
        f"measured on 1,000 synthetic images of digit {rare} (rare) and {common} (common) against the test half.",
        "",
    ]
    by_arch = {}
    for run in runs:
        by_arch.setdefault(run["architecture"], []).append(run)
    lines += ["## Fit, sampling, quality", "",
              "| architecture | seeds | fit (s) | images/s | rare label fidelity | common label fidelity | "
              "rare FD (floor / blurred) | common FD (floor / blurred) | rare precision / recall |",
              "|---|---|---|---|---|---|---|---|---|"]
    for arch, group in by_arch.items():
        q = lambda c, key: [r["quality"][c][key] for r in group]  # noqa: E731
        lines.append(
            f"| {arch} | {', '.join(str(r['seed']) for r in group)} | {_mean_std([r['fit_s'] for r in group], '.0f')} | "
            f"{np.mean([r['sample_images_per_s'] for r in group]):,.0f} | {_mean_std(q(rare, 'label_fidelity'))} | "
            f"{_mean_std(q(common, 'label_fidelity'))} | {np.mean(q(rare, 'frechet_distance')):.1f} "
            f"({np.mean(q(rare, 'frechet_real')):.1f} / {np.mean(q(rare, 'frechet_blurred')):.1f}) | "
            f"{np.mean(q(common, 'frechet_distance')):.1f} ({np.mean(q(common, 'frechet_real')):.1f} / "
            f"{np.mean(q(common, 'frechet_blurred')):.1f}) | {np.mean(q(rare, 'precision')):.2f} / "
            f"{np.mean(q(rare, 'recall')):.2f} |")
    lines += ["", f"## Downstream: a small CNN on the test half (digit {rare} recall / accuracy)", "",
              "| architecture | seed | none | classic (albumentations) | GAN top-up | both | GAN beats none on recall |",
              "|---|---|---|---|---|---|---|"]
    for arch, group in by_arch.items():
        for r in group:
            d = r["downstream"]
            cells = [f"{d[k]['rare_recall']:.3f} / {d[k]['accuracy']:.4f}" for k in ("none", "classic", "gan", "gan+classic")]
            beats = "yes" if d["gan"]["rare_recall"] > d["none"]["rare_recall"] else "no"
            lines.append(f"| {arch} | {r['seed']} | " + " | ".join(cells) + f" | {beats} |")
        means = {k: (np.mean([r["downstream"][k]["rare_recall"] for r in group]),
                     np.mean([r["downstream"][k]["accuracy"] for r in group]))
                 for k in ("none", "classic", "gan", "gan+classic")}
        lines.append(f"| {arch} | mean | " + " | ".join(f"{a:.3f} / {b:.4f}" for a, b in means.values()) + " | |")
    lines += ["", "Targets (issue): rare label fidelity >= 0.90; GAN top-up beats no augmentation on rare recall "
              "on every seed; fit under 10 minutes on 2 cores at the default setting.", ""]
    if meta.get("note"):
        lines += [meta["note"], ""]
    path.write_text("\n".join(lines))

if __name__ == "__main__":
    main()
