"""In which space should the image coverage check look? Pixels (the library's) against a judge's features.

The fit-time check (`gan_augment.diversity`, issue 12) compares each class's synthetic images with
its real ones by relative coverage: half the real class covered by as many synthetic images, over
its coverage by the other half. For images it works on pixels at the model's resolution. This
benchmark asks whether pixels see what a downstream model sees: per class, the relative coverage
of the same synthetic images in three spaces,

* ``pixels``: the library's (`ImageKind.diversity_features`);
* ``judge``: the 128 penultimate features of a small CNN (`train_image_classifier`, 10 epochs, the
  label gate's judge) trained on the real training images at the model's resolution;
* ``random``: the same CNN untrained (seeded): features without training (Naeem et al. 2020 use
  random embeddings for data unlike ImageNet);

for a short fit (3 epochs: poor samples) and a default fit, and for three controlled cases in place
of the synthetic images: the class's real held-out images (a real-vs-real split: about 1 in any
space), the same cut to 3 of 10 k-means clusters of the class (dropped modes: the check should
warn), and the same with Gaussian pixel noise of std 64 grey levels (digits still plainly readable:
a check that warns here gives false alarms).
MNIST test set, digit 3 cut to 25 training images, 16 px working size.

    OMP_NUM_THREADS=1 python benchmarks/bench_coverage_space.py --seeds 0 1

Writes COVERAGE_SPACE.md + coverage_space_results.json. Needs ../shared/data/mnist.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _mnist import cut_split  # noqa: E402
from _sampling_variants import write_keeping_reading  # noqa: E402
from bench_images import RARE, _git_state  # noqa: E402

from gan_augment import GANAugmenter  # noqa: E402
from gan_augment.diversity import (LowCoverageWarning, ModeCollapseWarning, RELATIVE_COVERAGE_LOW,  # noqa: E402
                                   measure_class)
from gan_augment.evaluation.images import ImageClassifier, train_image_classifier  # noqa: E402

HERE = Path(__file__).resolve().parent
N_SYNTHETIC = 500  # as the library's check (SAMPLES_PER_CLASS)
SPACES = ("pixels", "judge", "random")
ARMS = ("real held-out", "real, 3 of 10 clusters", "real + pixel noise", "short fit (3 epochs)", "default fit")
NOISE_STD = 64  # grey levels (of 255): the digit stays plain to a reader


def _features(network, encoded: torch.Tensor) -> np.ndarray:
    network.eval()
    with torch.no_grad():
        return torch.cat([network.features(part) for part in encoded.split(512)]).numpy().astype(np.float64)


def _controlled(arm: str, images: np.ndarray, rng) -> np.ndarray:
    """Real held-out images as they are, with dropped modes, or with noise: cases whose answer is known."""
    if arm == "real held-out":
        return images
    if arm == "real + pixel noise":  # still the same digits, each plainly readable
        noisy = images.astype(np.float64) + rng.normal(0, NOISE_STD, images.shape)
        return noisy.clip(0, 255).round().astype(images.dtype)
    # Mode dropping: 10 clusters of the class (k-means on pixels, then repeated in each space), the
    # images of 3 kept, drawn up to the same count.
    from sklearn.cluster import KMeans

    flat = images.reshape(len(images), -1).astype(np.float64)
    clusters = KMeans(10, n_init=3, random_state=0).fit_predict(flat)
    kept = np.flatnonzero(np.isin(clusters, rng.choice(10, 3, replace=False)))
    return images[rng.choice(kept, len(images), replace=True)]


def coverage_by_space(augmenter, images_by_class: dict, judge, random_net) -> dict:
    """{class: {space: relative coverage}} of ``images_by_class[c] = (real, candidates)`` (raw images)."""
    codec, kind = augmenter.encoder_, augmenter.kind_
    out = {}
    for label, (real, candidates) in images_by_class.items():
        pixels = kind.diversity_features(codec, real, candidates)[:2]
        encoded = [codec.transform(images) for images in (real, candidates)]
        row = {"pixels": measure_class(*pixels).relative_coverage,
               "judge": measure_class(*(_features(judge, e) for e in encoded)).relative_coverage,
               "random": measure_class(*(_features(random_net, e) for e in encoded)).relative_coverage}
        out[int(label)] = {space: float(value) for space, value in row.items()}
    return out


def run_seed(seed: int, rare_count: int, threads: int) -> list[dict]:
    X_train, y_train, X_test, y_test = cut_split(RARE, seed, rare_count=rare_count)
    classes = sorted(set(y_train.tolist()))
    records = []
    fitted = {}
    for arm, epochs in (("short fit (3 epochs)", 3), ("default fit", "auto")):
        started = time.process_time()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            augmenter = GANAugmenter(classes=[RARE], image_size=16, epochs=epochs, n_threads=threads,
                                     random_state=seed).fit(X_train, y_train)
        warned = sorted({type(w.message).__name__ for w in caught
                         if issubclass(w.category, (LowCoverageWarning, ModeCollapseWarning))})
        fitted[arm] = (augmenter, time.process_time() - started, warned)
    codec = fitted["default fit"][0].encoder_
    started = time.process_time()
    judge = train_image_classifier(codec.transform(X_train), np.searchsorted(classes, y_train),
                                   n_classes=len(classes), epochs=10, random_state=seed)
    judge_s = time.process_time() - started
    torch.manual_seed(seed)
    random_net = ImageClassifier(1, len(classes))
    held_out = {c: X_test[y_test == c][:N_SYNTHETIC] for c in classes}
    real = {c: X_train[y_train == c] for c in classes}
    rng = np.random.default_rng(seed)
    for arm in ARMS:
        if arm.startswith("real"):
            augmenter, fit_s, warned = fitted["default fit"][0], None, []
            pairs = {c: (real[c], _controlled(arm, held_out[c], rng)) for c in classes}
        else:
            augmenter, fit_s, warned = fitted[arm]
            pairs = {c: (real[c], augmenter.preview(N_SYNTHETIC, c, random_state=seed)) for c in classes}
        library = {int(c): float(d.relative_coverage) for c, d in augmenter.diversity_.items()} \
            if fit_s is not None else None
        records.append({"seed": seed, "rare_count": rare_count, "arm": arm, "fit_cpu_s": fit_s,
                        "judge_cpu_s": judge_s, "warnings": warned, "library_pixels": library,
                        "coverage": coverage_by_space(augmenter, pairs, judge, random_net)})
        print(json.dumps({k: v for k, v in records[-1].items() if k != "coverage"}), flush=True)
    return records


def write_markdown(data: dict, path: Path) -> None:
    meta, records = data["meta"], data["records"]
    lines = ["# Image coverage check: pixels against a judge's features", "",
             f"Command: `{meta['command']}` (library at {meta['code']}, {meta['threads']} thread, torch "
             f"{meta['torch']}), {meta['wall_s']:.0f} s wall.", "",
             f"MNIST test set, digit {RARE} cut to {records[0]['rare_count']} training images, 16 px. Relative "
             "coverage of 500 images per class (real held-out ones, or a fit's samples) against the class's "
             f"real training images; below {RELATIVE_COVERAGE_LOW} the library warns. Spaces: pixels (the "
             "library's), judge (a CNN trained 10 epochs on the real training images), random (the same CNN "
             "untrained). Mean over seeds; 'min' is the lowest class.", ""]
    seeds = sorted({r["seed"] for r in records})
    lines += [f"Seeds: {', '.join(map(str, seeds))}.", "",
              "| arm | space | rare class | other classes: mean | other classes: min | classes under the bound |",
              "|---|---|---|---|---|---|"]
    for arm in ARMS:
        rows = [r for r in records if r["arm"] == arm]
        for space in SPACES:
            rare = [v[space] for r in rows for c, v in r["coverage"].items() if int(c) == RARE]
            others = [v[space] for r in rows for c, v in r["coverage"].items() if int(c) != RARE]
            under = [sum(v[space] < RELATIVE_COVERAGE_LOW for v in r["coverage"].values()) for r in rows]
            lines.append(f"| {arm} | {space} | {np.nanmean(rare):.2f} | {np.nanmean(others):.2f} | "
                         f"{np.nanmin(others):.2f} | {' / '.join(map(str, under))} of {len(rows[0]['coverage'])} |")
    lines += ["", "Fits: " + "; ".join(
        f"seed {r['seed']} {r['arm']}: {r['fit_cpu_s']:.0f} CPU s, warned {', '.join(r['warnings']) or 'nothing'}"
        for r in records if r["fit_cpu_s"] is not None) + f". The judge trained in "
        f"{np.mean([r['judge_cpu_s'] for r in records]):.0f} CPU s.", ""]
    write_keeping_reading(path, "\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--rare-count", type=int, default=25)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(HERE / "coverage_space_results.json"))
    parser.add_argument("--markdown", default=str(HERE / "COVERAGE_SPACE.md"))
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    if args.report_only:
        write_markdown(json.loads(Path(args.out).read_text()), Path(args.markdown))
        return
    torch.set_num_threads(args.threads)
    command = "python benchmarks/bench_coverage_space.py " + " ".join(sys.argv[1:] if argv is None else argv)
    meta = {"command": command, "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "code": _git_state(), "threads": args.threads, "torch": torch.__version__,
            "machine": platform.processor() or platform.machine()}
    data = {"meta": meta, "records": []}
    started = time.perf_counter()
    for seed in args.seeds:
        data["records"] += run_seed(seed, args.rare_count, args.threads)
        meta["wall_s"] = time.perf_counter() - started
        Path(args.out).write_text(json.dumps(data, indent=1))
    meta["finished"] = True
    Path(args.out).write_text(json.dumps(data, indent=1))
    write_markdown(data, Path(args.markdown))


if __name__ == "__main__":
    main()
