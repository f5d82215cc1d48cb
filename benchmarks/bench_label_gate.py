"""Does the label gate help? scikit-learn's 8x8 digits, digit 3 cut to a few training images.

    python benchmarks/bench_label_gate.py                    # seeds 0-2, 10 rare images
    python benchmarks/bench_label_gate.py --seeds 0 --rare-count 5 --markdown gate_quick.md

The bundled digits (1,797 images, no download) split 50/50 by seed; in the training half digit 3
keeps ``--rare-count`` images. Per seed one ``GANAugmenter(classes=[3], label_gate=True)`` is fitted
at its defaults (8 px: the DCGAN); the top-up to the majority count is drawn once through the gate
and once without it (``set_params(label_gate=False)``: the same generator), and a small CNN (the
judge's architecture, as in bench_images.py) is trained on each training set and scored on the
untouched test half, next to the baselines a practitioner would use: nothing, a class-weighted
loss, repeating the rare images, repeating them with classic augmentation (albumentations).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_images import RARE, downstream, repeat_rare  # noqa: E402

from gan_augment import GANAugmenter  # noqa: E402
from gan_augment.planner import plan_top_up  # noqa: E402

ARMS = ("none", "weighted", "repeat", "repeat+classic", "gan", "gan+gate")


def split(seed: int, rare_count: int):
    X, y = load_digits(return_X_y=True)
    images = np.round(X.reshape(-1, 8, 8) * (255 / 16)).astype(np.uint8)
    X_train, X_test, y_train, y_test = train_test_split(images, y, test_size=0.5, stratify=y, random_state=seed)
    rare = np.flatnonzero(y_train == RARE)
    drop = np.random.default_rng(seed).permutation(rare)[rare_count:]
    keep = np.setdiff1d(np.arange(len(y_train)), drop)
    return X_train[keep], y_train[keep], X_test, y_test


def run(seed: int, rare_count: int, cnn_epochs: int) -> dict:
    X_train, y_train, X_test, y_test = split(seed, rare_count)
    n_add = plan_top_up(y_train, classes=[RARE])[RARE]
    X_rep, y_rep = repeat_rare(X_train, y_train, n_add, seed)
    arms = {
        "none": downstream(X_train, y_train, X_test, y_test, seed, epochs=cnn_epochs),
        "weighted": downstream(X_train, y_train, X_test, y_test, seed, weighted=True, epochs=cnn_epochs),
        "repeat": downstream(X_rep, y_rep, X_test, y_test, seed, epochs=cnn_epochs),
        "repeat+classic": downstream(X_rep, y_rep, X_test, y_test, seed, augment=True, epochs=cnn_epochs),
    }
    augmenter = GANAugmenter(classes=[RARE], label_gate=True, random_state=seed)
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X_train, y_train)
    fit_cpu = time.process_time() - started
    rare_index = int(np.flatnonzero(augmenter.classes_ == RARE)[0])
    acceptance = augmenter.label_gate_.acceptance[rare_index]
    tops = {}
    for arm, gated in (("gan+gate", True), ("gan", False)):
        augmenter.set_params(label_gate=gated)
        try:
            tops[arm] = augmenter.sample(n_add, RARE, random_state=3)
        except ValueError as exc:  # the gate refuses a class it almost never accepts
            tops[arm] = None
            print(f"seed {seed}: {arm} refused: {exc}", flush=True)
    for arm, added in tops.items():
        if added is None:
            arms[arm] = None
            continue
        X_top = np.concatenate([X_train, added.astype(np.uint8)])
        y_top = np.concatenate([y_train, np.full(n_add, RARE)])
        arms[arm] = downstream(X_top, y_top, X_test, y_test, seed, epochs=cnn_epochs)
    print(f"seed {seed}: acceptance {acceptance:.2f}, fit {fit_cpu:.0f} CPU s; " + ", ".join(
        f"{a} {r['rare_recall']:.3f}/{r['macro_f1']:.4f}" if r else f"{a} refused" for a, r in arms.items()),
        flush=True)
    return {"seed": seed, "rare_count": rare_count, "n_added": int(n_add), "acceptance": acceptance,
            "fit_cpu_s": fit_cpu, "epochs": len(augmenter.history_), "arms": arms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rare-count", type=int, default=10)
    parser.add_argument("--cnn-epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=str(HERE / "label_gate_results.json"))
    parser.add_argument("--markdown", default=str(HERE / "LABEL_GATE.md"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    runs = [run(seed, args.rare_count, args.cnn_epochs) for seed in args.seeds]
    data = {"command": "python benchmarks/bench_label_gate.py " + " ".join(sys.argv[1:]),
            "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "torch": torch.__version__,
            "threads": args.threads, "wall_s": time.perf_counter() - started, "runs": runs}
    Path(args.out).write_text(json.dumps(data, indent=1))
    lines = ["# The label gate on 8x8 digits", "",
             f"Command: `{data['command']}`, {data['started']}, {data['wall_s'] / 60:.1f} min, torch {data['torch']}, "
             f"{args.threads} thread(s). Digit {RARE} keeps {args.rare_count} training images; every top-up adds "
             f"images of digit {RARE} up to the majority count. Cells: rare recall / macro-F1 on the test half.", "",
             "| seed | gate acceptance | " + " | ".join(ARMS) + " |", "|---" * (len(ARMS) + 2) + "|"]
    for r in runs:
        cells = [f"{r['arms'][a]['rare_recall']:.3f} / {r['arms'][a]['macro_f1']:.4f}" if r["arms"].get(a) else "refused"
                 for a in ARMS]
        lines.append(f"| {r['seed']} | {r['acceptance']:.2f} | " + " | ".join(cells) + " |")
    means = []
    for a in ARMS:
        done = [r["arms"][a] for r in runs if r["arms"].get(a)]
        means.append(f"{np.mean([d['rare_recall'] for d in done]):.3f} / {np.mean([d['macro_f1'] for d in done]):.4f}"
                     if done else "refused")
    lines.append("| mean | | " + " | ".join(means) + " |")
    Path(args.markdown).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
