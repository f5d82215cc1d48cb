"""Image generator architectures side by side (issue 12): DCGAN, residual, style-based, and an ensemble.

    python benchmarks/bench_architectures.py --data digits --rare-counts 10 --image-size 8 --cnn-epochs 10 \
        --seeds 0 1 2 --architectures dcgan resnet stylegan
    python benchmarks/bench_architectures.py --data mnist --rare-counts 25 --image-size 16 --seeds 0 \
        --architectures dcgan stylegan --out architectures_mnist.json --markdown ARCHITECTURES_MNIST.md
    python benchmarks/bench_architectures.py --report-only --merge a.json b.json   # combine parallel runs

The split, the downstream CNN, the judge and the baselines are those of benchmarks/bench_images.py
(``--data mnist``: the MNIST test images split 50/50, digit 3 cut to ``--rare-counts`` training
images) or benchmarks/bench_label_gate.py (``--data digits``: scikit-learn's 8x8 digits), with the
arms a practitioner has without us: none, a class-weighted loss, repeating the rare images, and
repeating them with classic augmentation (albumentations). Per architecture,
``GANAugmenter(classes=[3], architecture=..., image_size=--image-size)`` at its defaults tops digit
3 up to the majority count (``name*K`` in ``--architectures``: an ensemble of K generators); its fit
time, sampling rate, the judge's view of 1,000 rare images (label fidelity, Frechet distance with
the real floor, k-NN precision and recall) and the CNN's rare recall and macro-F1 are recorded.

Writes ``--out`` (JSON) after every step and ``--markdown`` at the end (or with ``--report-only``).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_images import RARE, _git_state, prepare  # noqa: E402
from bench_label_gate import split as digits_split  # noqa: E402
from bench_translation import _mean_sd, merge_parts, top_up  # noqa: E402

from gan_augment import GANAugmenter  # noqa: E402

HERE = Path(__file__).resolve().parent
BASELINES = ("none", "weighted", "repeat", "repeat+classic")
TITLES = {"none": "none", "weighted": "class-weighted", "repeat": "repeat", "repeat+classic": "repeat + classic"}


def parse_architecture(name: str) -> tuple[str, int]:
    """``"stylegan*3"`` -> ("stylegan", 3): an ensemble of three."""
    architecture, _, members = name.partition("*")
    return architecture, int(members or 1)


def run_architecture(name, prepared, seed, args) -> dict:
    architecture, members = parse_architecture(name)
    augmenter = GANAugmenter(classes=[RARE], architecture=architecture, n_generators=members,
                             image_size=args.image_size, n_threads=args.threads, random_state=seed)
    # One arm, named by the architecture, sampled as fitted.
    record = top_up(name, augmenter, prepared, seed, args.cnn_epochs, top_ups=[(name, None)])
    started = time.perf_counter()
    augmenter.sample(2000, RARE, random_state=5)
    record["images_per_s"] = 2000 / (time.perf_counter() - started)
    # Generator updates: epochs x ceil(rows / batch) (images are not packed).
    record["steps"] = len(augmenter.history_) * int(np.ceil(len(prepared[0][1]) / augmenter.training_config_.batch_size))
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rare-counts", type=int, nargs="+", default=[10])
    parser.add_argument("--data", choices=("mnist", "digits"), default="digits")
    parser.add_argument("--image-size", type=int, default=8)
    parser.add_argument("--architectures", nargs="+", default=["dcgan", "resnet", "stylegan"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cnn-epochs", type=int, default=10)
    parser.add_argument("--out", default=str(HERE / "architectures.json"))
    parser.add_argument("--markdown", default=str(HERE / "ARCHITECTURES.md"))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--merge", nargs="+", default=None, metavar="JSON")
    args = parser.parse_args(argv)
    if args.report_only:
        if args.merge:
            merge_parts(args.merge, args.out, wall=max)  # the parts ran side by side
        write_markdown(json.loads(Path(args.out).read_text()), Path(args.markdown))
        return
    torch.set_num_threads(args.threads)
    command = "python benchmarks/bench_architectures.py " + " ".join(sys.argv[1:] if argv is None else argv)
    meta = {"command": command, "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "code": _git_state(), "threads": args.threads, "torch": torch.__version__,
            "machine": platform.processor() or platform.machine(), "image_size": args.image_size,
            "cnn_epochs": args.cnn_epochs, "data": args.data}
    data = {"meta": meta, "baselines": [], "runs": []}
    started = time.perf_counter()

    def save():
        meta["wall_s"] = time.perf_counter() - started
        Path(args.out).write_text(json.dumps(data, indent=1))

    for seed in args.seeds:
        for rare_count in args.rare_counts:
            prepared = prepare(seed, rare_count, args.cnn_epochs, split=digits_split if args.data == "digits" else None)
            data["baselines"].append(prepared[1])
            save()
            for name in args.architectures:
                data["runs"].append(run_architecture(name, prepared, seed, args))
                save()
    meta["finished"] = True
    save()
    write_markdown(data, Path(args.markdown))


def write_markdown(data: dict, path: Path) -> None:
    meta = data["meta"]
    names = list(dict.fromkeys(r["method"] for r in data["runs"]))
    arms = list(BASELINES) + names
    data_name = "scikit-learn's 8x8 digits" if meta.get("data") == "digits" else "MNIST"
    lines = [f"# Image generator architectures ({data_name}, {meta['image_size']} px)", "",
             f"Command: `{meta['command']}`, started {meta['started']} (wall time {meta['wall_s'] / 60:.1f} min; "
             f"code {meta['code']}; torch {meta['torch']}, {meta['threads']} thread(s) per process, "
             f"{meta['machine']}).", "",
             f"Split, downstream CNN ({meta['cnn_epochs']} epochs), judge and baselines as in benchmarks/"
             f"{'LABEL_GATE' if meta.get('data') == 'digits' else 'IMAGES'}.md. Digit {RARE} is topped up to the "
             "majority count by `GANAugmenter(architecture=...)` at its defaults (`name*K`: an ensemble of K). "
             "Cells: rare recall / macro-F1 of the CNN on the untouched test half.", ""]
    for rare_count in sorted({b["rare_count"] for b in data["baselines"]}):
        rows: dict = {}
        for b in (b for b in data["baselines"] if b["rare_count"] == rare_count):
            rows.setdefault(b["seed"], {}).update(b["downstream"])
        for r in (r for r in data["runs"] if r["rare_count"] == rare_count):
            rows.setdefault(r["seed"], {}).update(r.get("downstream", {}))
        lines += [f"## {rare_count} training images of digit {RARE}", "",
                  "| seed | " + " | ".join(TITLES.get(a, a) for a in arms) + " |", "|---" * (len(arms) + 1) + "|"]
        for seed, cells in sorted(rows.items()):
            lines.append(f"| {seed} | " + " | ".join(
                f"{cells[a]['rare_recall']:.3f} / {cells[a]['macro_f1']:.4f}" if a in cells else "-" for a in arms)
                + " |")
        lines.append("| mean | " + " | ".join(
            _mean_sd([rows[s][a]["rare_recall"] for s in rows if a in rows[s]]) + " / "
            + _mean_sd([rows[s][a]["macro_f1"] for s in rows if a in rows[s]], ".4f") for a in arms) + " |")
        lines += ["", "| architecture | seed | fit s | updates | images/s | label fidelity | Frechet (real floor) | "
                      "k-NN precision | k-NN recall |", "|---|---|---|---|---|---|---|---|---|"]
        for r in sorted((r for r in data["runs"] if r["rare_count"] == rare_count),
                        key=lambda r: (names.index(r["method"]), r["seed"])):
            q = r.get("quality") or r.get("quality_by_arm", {}).get(r["method"])  # (records before b8c6b61: "quality")
            if q is None:
                lines.append(f"| {r['method']} | {r['seed']} | {r['fit_s']:.0f} | - | - | refused | - | - | - |")
                continue
            lines.append(f"| {r['method']} | {r['seed']} | {r['fit_s']:.0f} | {r.get('steps', '-')} | "
                         f"{r.get('images_per_s', 0):,.0f} | {q['label_fidelity']:.3f} | "
                         f"{q['frechet_distance']:.1f} ({q['frechet_real']:.1f}) | {q['precision']:.3f} | "
                         f"{q['recall']:.3f} |")
        lines.append("")
    path.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
