"""Is the image top-up's low rare recall a shortcut? Synthetic images in one class only.

    python benchmarks/bench_image_shortcut.py --seed 0 --rare-counts 7 25 --out shortcut_s0.json
    python benchmarks/bench_image_shortcut.py --report shortcut_s0.json shortcut_s1.json ...
    python benchmarks/bench_image_shortcut.py --data digits --rare-counts 10 --cnn-epochs 10 --seed 0 ...

The GAN top-up adds synthetic images to the rare digit alone, so in the training set "looks
synthetic" goes with "is the rare digit": a downstream CNN can learn the generator's traces as the
class and miss the real test images of it. This benchmark keeps the GAN and changes only where its
images go. Split, downstream CNN and classic augmentation as in bench_images.py (MNIST test set,
digit 3 cut to ``--rare-counts`` training images; the GAN is ``GANAugmenter(classes=[3])`` at its
defaults, fitted once per seed and rare count). ``--data digits``: scikit-learn's bundled 8x8 digits
instead, split as in bench_label_gate.py (where the GAN top-up narrowly led repeat + classic). Arms
(rare recall and macro-F1 on the test half):

* ``repeat+classic``: the baseline (the rare images repeated to the majority count, classic
  augmentation on every batch);
* ``gan``: the rare digit topped up to the majority count with the GAN's images (the default top-up);
* ``gan-all``: the same, and every other digit gets as many synthetic images (from the same GAN:
  ``InEveryClass``'s placement);
  ``gan-all+classic``: the same with classic augmentation;
* ``half-all+classic``: half of the rare top-up repeats the real rare images and half is synthetic,
  every other digit gets as many synthetic images as the rare one, classic augmentation on.

Writes ``--out`` after every arm, so an interrupted run keeps what it measured; ``--report``
merges results files into ``--markdown``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _mnist import cut_split  # noqa: E402
from bench_images import RARE, _git_state, _mean_std, downstream, repeat_rare  # noqa: E402

from gan_augment import GANAugmenter  # noqa: E402
from gan_augment.planner import plan_top_up  # noqa: E402

HERE = Path(__file__).resolve().parent
ARMS = {"repeat+classic": "repeat + classic", "gan": "GAN top-up (rare digit only)",
        "gan-all": "GAN in every class", "gan-all+classic": "GAN in every class + classic",
        "half-all+classic": "half GAN, half repeat, GAN in every class + classic"}


def synthetic_for_others(augmenter, n, labels, seed):
    """``n`` synthetic images of every label but the rare one, from the fitted GAN."""
    others = [c for c in labels if c != RARE]
    images = [augmenter.sample(n, c, random_state=seed + 10 + i) for i, c in enumerate(others)]
    return np.concatenate(images), np.repeat(others, n)


def run(seed, rare_count, *, cnn_epochs, epochs, record, save, data="mnist"):
    if data == "digits":
        from bench_label_gate import split

        X_train, y_train, X_test, y_test = split(seed, rare_count)
    else:
        X_train, y_train, X_test, y_test = cut_split(RARE, seed, rare_count=rare_count)
    n_add = plan_top_up(y_train, classes=[RARE])[RARE]
    labels = np.unique(y_train)
    record.update(seed=seed, rare_count=rare_count, n_added=int(n_add), arms={})

    def arm(name, X, y, augment):
        started = time.perf_counter()
        record["arms"][name] = downstream(X, y, X_test, y_test, seed, augment=augment, epochs=cnn_epochs)
        record["arms"][name]["n_train"] = int(len(y))
        record["arms"][name]["s"] = time.perf_counter() - started
        save()

    arm("repeat+classic", *repeat_rare(X_train, y_train, n_add, seed), augment=True)
    augmenter = GANAugmenter(classes=[RARE], epochs=epochs, random_state=seed)
    started = time.perf_counter()
    augmenter.fit(X_train, y_train)
    record["fit_s"] = time.perf_counter() - started
    rare_synthetic = augmenter.sample(n_add, RARE, random_state=3)
    X_gan = np.concatenate([X_train, rare_synthetic])
    y_gan = np.concatenate([y_train, np.full(n_add, RARE)])
    arm("gan", X_gan, y_gan, augment=False)
    X_other, y_other = synthetic_for_others(augmenter, n_add, labels, seed)
    X_all, y_all = np.concatenate([X_gan, X_other]), np.concatenate([y_gan, y_other])
    arm("gan-all", X_all, y_all, augment=False)
    arm("gan-all+classic", X_all, y_all, augment=True)
    n_gan = n_add // 2
    X_half, y_half = repeat_rare(X_train, y_train, n_add - n_gan, seed)
    # The first n_gan of each other digit's block: as many synthetic images as the rare digit gets.
    first = np.concatenate([np.flatnonzero(y_other == c)[:n_gan] for c in np.unique(y_other)])
    X_half = np.concatenate([X_half, rare_synthetic[:n_gan], X_other[first]])
    y_half = np.concatenate([y_half, np.full(n_gan, RARE), y_other[first]])
    arm("half-all+classic", X_half, y_half, augment=True)
    print(f"seed {seed}, {rare_count} rare: fit {record['fit_s']:.0f} s, " + ", ".join(
        f"{k} {v['rare_recall']:.3f}/{v['macro_f1']:.4f}" for k, v in record["arms"].items()), flush=True)


def _as_list(data):
    return data if isinstance(data, list) else [data]


def write_markdown(parts, path: Path, note=None) -> None:
    records = [r for part in parts for r in part["records"] if r.get("arms")]
    meta = parts[0]["meta"]
    commands = " ; ".join(dict.fromkeys(part["meta"]["command"] for part in parts))
    lines = ["# Image top-up: synthetic images in one class only (a shortcut test)", "",
             f"Command: `{commands}` (merged with `--report`), started {meta['started']}; "
             f"code {' / '.join(dict.fromkeys(p['meta']['code'] for p in parts))}; torch {meta['torch']}, "
             f"{meta['threads']} thread(s) per process, {meta['machine']}; GANs on {meta['gan_device']}, "
             f"downstream CNNs ({meta['cnn_epochs']} epochs) on the CPU; data: "
             f"{'8x8 digits' if meta.get('data') == 'digits' else 'MNIST'}. Cells: digit {RARE} recall / macro-F1 "
             "(10 classes) on the test half; arms as in the script's docstring.", ""] + ([note, ""] if note else [])
    for rare_count in sorted({r["rare_count"] for r in records}):
        rows = sorted((r for r in records if r["rare_count"] == rare_count), key=lambda r: r["seed"])
        arms = [a for a in ARMS if all(a in r["arms"] for r in rows)]
        lines += [f"## {rare_count} training images of digit {RARE}", "",
                  "| seed | GAN fit (s) | " + " | ".join(ARMS[a] for a in arms) + " |",
                  "|---|---|" + "---|" * len(arms)]
        for r in rows:
            lines.append(f"| {r['seed']} | {r.get('fit_s', float('nan')):.0f} | " + " | ".join(
                f"{r['arms'][a]['rare_recall']:.3f} / {r['arms'][a]['macro_f1']:.4f}" for a in arms) + " |")
        lines.append("| mean | | " + " | ".join(
            _mean_std([r["arms"][a]["rare_recall"] for r in rows]) + " / "
            + _mean_std([r["arms"][a]["macro_f1"] for r in rows], ".4f") for a in arms) + " |")
        lines.append("")
        lines += [_against_baseline(rows, arm, rare_count) for arm in arms if arm != "repeat+classic"] + [""]
    path.write_text("\n".join(lines))


def _against_baseline(rows, arm, rare_count) -> str:
    """One line: ``arm`` against repeat + classic on rare recall and macro-F1, seed by seed."""
    recall = np.array([r["arms"][arm]["rare_recall"] - r["arms"]["repeat+classic"]["rare_recall"] for r in rows])
    f1 = np.array([r["arms"][arm]["macro_f1"] - r["arms"]["repeat+classic"]["macro_f1"] for r in rows])
    return (f"* {ARMS[arm]} against repeat + classic ({rare_count} rare images): rare recall higher on "
            f"{int((recall > 0).sum())} of {len(rows)} seeds (mean difference {recall.mean():+.3f}), macro-F1 "
            f"{f1.mean():+.4f}.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", choices=("mnist", "digits"), default="mnist",
                        help="MNIST's test set (../shared/data/mnist) or scikit-learn's 8x8 digits")
    parser.add_argument("--rare-counts", type=int, nargs="+", default=[7, 25])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cnn-epochs", type=int, default=5)
    parser.add_argument("--epochs", default="auto", help="GAN epochs ('auto' is the default setting)")
    parser.add_argument("--out", default="image_shortcut.json")
    parser.add_argument("--report", nargs="+", default=None, metavar="JSON", help="only write --markdown from these")
    parser.add_argument("--markdown", default=str(HERE / "IMAGE_SHORTCUT.md"))
    parser.add_argument("--merged", default=None, help="with --report: also write the runs into one JSON file")
    parser.add_argument("--note", default=None, help="with --report: a paragraph on the run's conditions")
    args = parser.parse_args(argv)
    if args.report:
        # A results file holds one run, or a list of runs (what --merged writes).
        parts = [part for p in args.report for part in _as_list(json.loads(Path(p).read_text()))]
        if args.merged:
            Path(args.merged).write_text(json.dumps(parts, indent=1))
        write_markdown(parts, Path(args.markdown), note=args.note)
        return
    torch.set_num_threads(args.threads)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)
    meta = {"command": "python benchmarks/bench_image_shortcut.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "code": _git_state(),
            "threads": args.threads, "torch": torch.__version__, "machine": platform.processor() or platform.machine(),
            "gan_device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
            "cnn_epochs": args.cnn_epochs, "data": args.data}
    data = {"meta": meta, "records": []}
    for rare_count in args.rare_counts:
        record = {}
        data["records"].append(record)
        run(args.seed, rare_count, cnn_epochs=args.cnn_epochs, epochs=epochs, record=record,
            save=lambda: Path(args.out).write_text(json.dumps(data, indent=1)), data=args.data)


if __name__ == "__main__":
    main()
