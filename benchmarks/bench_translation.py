"""Translation benchmark: a rare MNIST digit topped up by translating the other digits into it.

    python benchmarks/bench_translation.py                        # rare counts 7 and 25, seeds 0-2, 16 px
    python benchmarks/bench_translation.py --rare-counts 7 --seeds 0 --source 5 8   # from related digits only
    python benchmarks/bench_translation.py --report-only --merge a.json b.json  # combine parallel runs
    python benchmarks/bench_translation.py --data digits --rare-counts 10 --image-size 8 --cnn-epochs 10 \
        --seeds 0 1 2 3 4 --out translation_digits.json --markdown TRANSLATION_DIGITS.md

The split, the downstream CNN and the baselines are those of benchmarks/bench_images.py (imported):
the 10,000 MNIST test images split 50/50, digit 3 cut to ``--rare-counts`` training images, a small
CNN scored on the untouched half (``--data digits``: scikit-learn's 8x8 digits split as in
benchmarks/bench_label_gate.py); arms none, class-weighted loss, repeat, repeat + classic
augmentation (albumentations). Added here, all topping digit 3 up to the majority count:

* ``translate``: ``TranslationAugmenter(classes=[3], image_size=--image-size)`` at its defaults
  (label gate on), sources all other digits or ``--source``; ``translate+classic``: with classic
  augmentation on the CNN's batches;
* ``gan``: ``GANAugmenter(classes=[3], image_size=--image-size)`` at its defaults, the same working
  size, so that the two generators are compared at equal resolution; ``gan+classic``: with classic
  augmentation on the CNN's batches (``--methods gan`` runs the GAN alone);
* ``gan-gate``: one ``GANAugmenter(label_gate=True)`` fit, topped up twice: without the gate (the
  ``gan`` arms: ``set_params(label_gate=False)``, the same model) and through it (``gan+gate``,
  ``gan+gate+classic``); a class the gate refuses scores nothing through it;
* for all: fit time, the gate's acceptance, and the judge's view of 1,000 rare images
  (label fidelity, Frechet distance against the real floor, k-NN precision and recall).

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
from bench_images import RARE, _git_state, downstream, prepare  # noqa: E402
from _sampling_variants import write_keeping_reading  # noqa: E402
from bench_label_gate import split as digits_split  # noqa: E402

from gan_augment import GANAugmenter, TranslationAugmenter  # noqa: E402
from gan_augment.evaluation.images import image_quality, to_model_range  # noqa: E402

HERE = Path(__file__).resolve().parent
N_JUDGED = 1000
METHODS = ("translate", "gan", "gan-gate")
ARMS = ("none", "weighted", "repeat", "repeat+classic", "gan", "gan+classic", "gan+gate", "gan+gate+classic",
        "translate", "translate+classic")
TITLES = {"none": "none", "weighted": "class-weighted", "repeat": "repeat", "repeat+classic": "repeat + classic",
          "gan": "GAN top-up", "gan+classic": "GAN + classic", "gan+gate": "gated GAN",
          "gan+gate+classic": "gated GAN + classic", "translate": "translation top-up",
          "translate+classic": "translation + classic"}
#: Per method, its top-ups from the one fit: (arm name, label_gate to sample with; None: as fitted).
TOP_UPS = {"translate": [("translate", None)], "gan": [("gan", None)],
           "gan-gate": [("gan", False), ("gan+gate", True)]}
QUALITY = ("label_fidelity", "frechet_distance", "frechet_real", "precision", "recall")


def top_up(method, augmenter, prepared, seed, cnn_epochs, top_ups=None) -> dict:
    """Fit ``augmenter`` on the training half, judge its rare images, train the CNN on the top-up
    (``top_ups``: its arms, as in :data:`TOP_UPS`; default: ``TOP_UPS[method]``)."""
    (X_train, y_train, X_test, y_test), baseline, judge = prepared
    started = time.perf_counter()
    augmenter.fit(X_train, y_train)
    fit_s = time.perf_counter() - started
    n_add = augmenter.sampling_strategy_[RARE]
    assert n_add == baseline["n_added"], "the arms would add different numbers of images"
    record = {"method": method, "seed": seed, "rare_count": baseline["rare_count"], "fit_s": fit_s,
              "epochs": len(augmenter.history_)}
    gate = getattr(augmenter, "label_gate_", None)
    if gate is not None:
        record["acceptance"] = gate.acceptance[int(np.flatnonzero(augmenter.classes_ == RARE)[0])]
    record["downstream"], record["quality_by_arm"] = {}, {}
    for arm, label_gate in TOP_UPS[method] if top_ups is None else top_ups:
        if label_gate is not None:
            augmenter.set_params(label_gate=label_gate)
        try:
            judged = augmenter.sample(N_JUDGED, RARE, random_state=2)
            added = augmenter.sample(n_add, RARE, random_state=3)
        except ValueError as refused:  # the gate refuses a class it hardly ever accepts: say so, score nothing
            record.setdefault("refused_arms", {})[arm] = str(refused)
            print(f"seed {seed}, {baseline['rare_count']} rare, {arm}: refused ({refused})", flush=True)
            continue
        quality = image_quality(to_model_range(X_train), y_train, to_model_range(X_test), y_test,
                                to_model_range(judged), np.full(N_JUDGED, RARE), classifier=judge, random_state=seed)
        record["quality_by_arm"][arm] = {key: float(quality.loc[RARE, key]) for key in QUALITY}
        X_top, y_top = np.concatenate([X_train, added]), np.concatenate([y_train, np.full(n_add, RARE)])
        record["downstream"][arm] = downstream(X_top, y_top, X_test, y_test, seed, epochs=cnn_epochs)
        record["downstream"][f"{arm}+classic"] = downstream(X_top, y_top, X_test, y_test, seed, augment=True,
                                                            epochs=cnn_epochs)
        print(f"seed {seed}, {baseline['rare_count']} rare, {arm}: fit {fit_s:.0f}s, acceptance "
              f"{record.get('acceptance')}, quality {record['quality_by_arm'][arm]}, downstream "
              f"{ {k: v for k, v in record['downstream'].items() if k.startswith(arm)} }", flush=True)
    return record


def _quality_by_arm(run: dict) -> dict:
    """A run's judged quality per top-up arm (runs recorded before ``gan-gate`` had one, as "quality")."""
    if "quality_by_arm" in run:
        return run["quality_by_arm"]
    return {run["method"]: run["quality"]} if run.get("quality") else {}


def merge_parts(paths, out, *, wall=sum) -> None:
    """Join the JSON files of runs made as separate processes (their baselines, where they have
    them, and runs) into ``out``; ``wall`` combines their wall times (``sum`` for runs one after
    another, ``max`` for runs side by side)."""
    parts = [json.loads(Path(p).read_text()) for p in paths]
    merged = {"meta": parts[0]["meta"]}
    if any("baselines" in p for p in parts):
        merged["baselines"] = [b for p in parts for b in p.get("baselines", [])]
    merged["runs"] = [r for p in parts for r in p["runs"]]
    merged["meta"]["command"] = " ; ".join(dict.fromkeys(p["meta"]["command"] for p in parts))
    merged["meta"]["wall_s"] = wall(p["meta"]["wall_s"] for p in parts)
    Path(out).write_text(json.dumps(merged, indent=1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rare-counts", type=int, nargs="+", default=[7, 25])
    parser.add_argument("--data", choices=("mnist", "digits"), default="mnist")
    parser.add_argument("--image-size", type=int, default=16, help="working size of both generators")
    parser.add_argument("--source", type=int, nargs="+", default=None, help="digits to translate from (default: all)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=["translate", "gan"],
                        help="top-ups to run (default: both)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cnn-epochs", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "translation_results.json"))
    parser.add_argument("--markdown", default=str(HERE / "TRANSLATION.md"))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--merge", nargs="+", default=None, metavar="JSON")
    args = parser.parse_args(argv)
    if args.report_only:
        if args.merge:
            merge_parts(args.merge, args.out)
        write_markdown(json.loads(Path(args.out).read_text()), Path(args.markdown))
        return
    torch.set_num_threads(args.threads)
    command = "python benchmarks/bench_translation.py " + " ".join(sys.argv[1:] if argv is None else argv)
    meta = {"command": command, "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "code": _git_state(), "threads": args.threads, "torch": torch.__version__,
            "machine": platform.processor() or platform.machine(), "image_size": args.image_size,
            "source": args.source, "cnn_epochs": args.cnn_epochs, "data": args.data, "methods": args.methods}
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
            common = dict(classes=[RARE], image_size=args.image_size, n_threads=args.threads, random_state=seed)
            for method in (m for m in METHODS if m in args.methods):
                augmenter = (TranslationAugmenter(source=args.source, **common) if method == "translate"
                             else GANAugmenter(label_gate=True if method == "gan-gate" else "auto", **common))
                data["runs"].append(top_up(method, augmenter, prepared, seed, args.cnn_epochs))
                save()
    meta["finished"] = True
    save()
    write_markdown(data, Path(args.markdown))


def _mean_sd(values, fmt=".3f") -> str:
    values = np.asarray([v for v in values if v is not None], dtype=float)
    if len(values) == 0:
        return "-"
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{format(values.mean(), fmt)} ± {format(values.std(ddof=1), fmt)}"


def write_markdown(data: dict, path: Path) -> None:
    meta = data["meta"]
    source = "all other digits" if not meta["source"] else "digits " + ", ".join(map(str, meta["source"]))
    data_name = "scikit-learn's 8x8 digits" if meta.get("data") == "digits" else "MNIST"
    methods = meta.get("methods", ("translate", "gan"))  # runs recorded before the methods were
    makers = {"translate": f"`TranslationAugmenter` (sources: {source}; label gate on)", "gan": "`GANAugmenter`",
              "gan-gate": "`GANAugmenter(label_gate=True)` (topped up without and through its gate)"}
    title = ("Translation benchmark", "a rare digit made from the other digits") if "translate" in methods else \
        ("GAN top-up benchmark", "a rare digit")
    lines = [f"# {title[0]} ({data_name}): {title[1]}", "",
             f"Command: `{meta['command']}`, started {meta['started']} (wall time {meta['wall_s'] / 60:.1f} min; "
             f"code {meta['code']}; torch {meta['torch']}, {meta['threads']} thread(s), {meta['machine']}).", "",
             f"Split, downstream CNN ({meta['cnn_epochs']} epochs) and baselines as in benchmarks/"
             f"{'LABEL_GATE' if meta.get('data') == 'digits' else 'IMAGES'}.md. Digit "
             f"{RARE} is topped up to the majority count by " + " and by ".join(makers[m] for m in METHODS if m in methods)
             + f", {'both ' if len(methods) > 1 else ''}at {'their' if len(methods) > 1 else 'its'} defaults with a "
             f"{meta['image_size']} px working size. Cells: rare recall / macro-F1 on the untouched test half.", ""]
    for rare_count in sorted({b["rare_count"] for b in data["baselines"]}):
        rows = {}
        for b in (b for b in data["baselines"] if b["rare_count"] == rare_count):
            rows.setdefault(b["seed"], {}).update(b["downstream"])
        for r in (r for r in data["runs"] if r["rare_count"] == rare_count):
            rows.setdefault(r["seed"], {}).update(r.get("downstream", {}))
        shown = [a for a in ARMS if any(a in arms for arms in rows.values())]
        lines += [f"## {rare_count} training images of digit {RARE}", "",
                  "| seed | " + " | ".join(TITLES[a] for a in shown) + " |", "|---" * (len(shown) + 1) + "|"]
        for seed, arms in sorted(rows.items()):
            lines.append(f"| {seed} | " + " | ".join(
                f"{arms[a]['rare_recall']:.3f} / {arms[a]['macro_f1']:.4f}" if a in arms else "-" for a in shown) + " |")
        lines.append("| mean | " + " | ".join(
            _mean_sd([rows[s][a]["rare_recall"] for s in rows if a in rows[s]]) + " / "
            + _mean_sd([rows[s][a]["macro_f1"] for s in rows if a in rows[s]], ".4f") for a in shown) + " |")
        lines += ["", "| method | seed | fit s | gate acceptance | label fidelity | Frechet (real floor) | "
                      "k-NN precision | k-NN recall |", "|---|---|---|---|---|---|---|---|"]
        for r in sorted((r for r in data["runs"] if r["rare_count"] == rare_count),
                        key=lambda r: (r["method"], r["seed"])):
            acceptance = f"{r['acceptance']:.3f}" if r.get("acceptance") is not None else "-"
            judged = _quality_by_arm(r)
            for arm, _ in TOP_UPS[r["method"]]:
                q = judged.get(arm)
                quality = (f"{q['label_fidelity']:.3f} | {q['frechet_distance']:.1f} ({q['frechet_real']:.1f}) | "
                           f"{q['precision']:.3f} | {q['recall']:.3f}") if q else "refused | | |"
                lines.append(f"| {arm} | {r['seed']} | {r['fit_s']:.0f} | {acceptance} | {quality} |")
        lines.append("")
    write_keeping_reading(path, "\n".join(lines))


if __name__ == "__main__":
    main()
