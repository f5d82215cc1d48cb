"""Lazy gradient penalty on cut Adult (issue 15): does ``penalty_every`` keep the GAN top-up's utility?

The wgan-gp penalty's double backward is about 40% of a tabular step's arithmetic. With
``TrainingConfig.penalty_every = k`` it runs on one critic update in k, weighted by k (lazy
regularisation, Karras et al. 2020). The issue allows it only if 5 seeds show no loss of utility:
this benchmark fits the default GANAugmenter at each k on the cut-Adult task of RESULTS.md (the
`>50K` class cut to 5% of the training split, topped up to the majority count) and scores LR and
HGB on the untouched test split, next to no augmentation, class weights, random oversampling and
SMOTE-NC.

    OMP_NUM_THREADS=1 python benchmarks/bench_penalty_every.py --seeds 0 1 2 3 4 --every 1 2
    python benchmarks/bench_penalty_every.py --every --baselines "class weights" --json part.json  # baselines only
    python benchmarks/bench_penalty_every.py --merge part0.json part1.json   # seeds run in parallel

The arms of a seed run back to back in one process, their order alternating from seed to seed, so
their CPU times (``time.process_time``) compare on a busy machine; wall times are shown beside them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _adult import (DEFAULT_DATA_DIR, adult_path, cut_task, evaluate_arm, limit_threads,  # noqa: E402
                    load_adult, load_average, machine_info, mean_std, resample_gan, resample_ros,
                    resample_smotenc)

HERE = Path(__file__).resolve().parent
BASELINES = {"none": None, "class weights": None, "random oversampling": resample_ros, "SMOTE-NC": resample_smotenc}
METRICS = ("macro_f1", "rare_recall", "balanced_accuracy")


def gan_arm(X, y, seed, every):
    """The default GANAugmenter with the tabular default ``penalty_every`` set to ``every``."""
    import gan_augment.config as config

    with mock.patch.dict(config._KIND_TRAINING_DEFAULTS["tabular"], {"penalty_every": every}):
        c0, w0 = time.process_time(), time.perf_counter()
        X_res, y_res, augmenter = resample_gan(X, y, seed, n_threads=1)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    assert augmenter.training_config_.penalty_every == every
    return X_res, y_res, {"fit_cpu_s": cpu, "fit_wall_s": wall, "epochs": len(augmenter.history_)}


def run(args) -> dict:
    limit_threads(1)
    X_all, y_all = load_adult(adult_path(args.data_dir))
    rows = []
    for i, seed in enumerate(args.seeds):
        X_tr, y_tr, X_te, y_te = cut_task(X_all, y_all, seed)
        for arm in args.baselines:
            resample = BASELINES[arm]
            X_r, y_r = (X_tr, y_tr) if resample is None else resample(X_tr, y_tr, seed)
            rows.append({"seed": seed, "arm": arm, "scores": evaluate_arm(X_r, y_r, X_te, y_te, seed,
                                                                          balanced=arm == "class weights")})
        order = args.every if i % 2 == 0 else args.every[::-1]
        for every in order:
            X_r, y_r, cost = gan_arm(X_tr, y_tr, seed, every)
            rows.append({"seed": seed, "arm": f"GAN, penalty_every={every}", **cost,
                         "scores": evaluate_arm(X_r, y_r, X_te, y_te, seed)})
            print(f"seed {seed} penalty_every={every}: fit {cost['fit_cpu_s']:.0f} CPU-s "
                  f"({cost['fit_wall_s']:.0f} s wall), HGB {rows[-1]['scores']['HGB']}, "
                  f"LR {rows[-1]['scores']['LR']}", flush=True)
    return {"command": "OMP_NUM_THREADS=1 python benchmarks/bench_penalty_every.py " + " ".join(args.argv),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine_info(),
            "load_average_end": load_average(), "rows": rows}


def render(parts: list[dict]) -> str:
    rows = [row for part in parts for row in part["rows"]]
    present = list(dict.fromkeys(row["arm"] for row in rows))
    arms = [arm for arm in BASELINES if arm in present] + [arm for arm in present if arm not in BASELINES]
    seeds = sorted({row["seed"] for row in rows})
    machine = parts[0]["machine"]
    lines = [
        "# Lazy gradient penalty on cut Adult (issue 15)", "",
        "Commands (seeds run as parallel processes, one thread each): " +
        "; ".join(f"`{part['command']}`" for part in parts), "",
        f"Dates (UTC): {', '.join(part['date'] for part in parts)}. Machine: {machine['nproc']} CPUs "
        f"({machine['cpu']}); torch {machine['torch']}, scikit-learn {machine['scikit-learn']}; "
        f"gan-augment @ {machine['git_commit']}.", "",
        "Task as in RESULTS.md: stratified 80/20 split of Adult per seed, the training split's `>50K` "
        "rows cut to 5%, each augmenting arm tops `>50K` up to the majority count; LR and HGB scored on "
        f"the untouched test split. Seeds {seeds}; mean ± std (ddof=1). GAN arms: "
        "`GANAugmenter(classes=['>50K'], random_state=seed, n_threads=1)` with the tabular default "
        "`penalty_every` set to the value shown (1 = the penalty on every critic update, as before).", "",
    ]
    for clf in ("LR", "HGB"):
        lines += [f"## {clf}", "", "| arm | macro-F1 | rare recall | balanced accuracy | fit CPU s | fit wall s |",
                  "|---|---|---|---|---|---|"]
        for arm in arms:
            mine = [row for row in rows if row["arm"] == arm]
            cells = [mean_std([row["scores"][clf][metric] for row in mine]) for metric in METRICS]
            cost = [mean_std([row[key] for row in mine]) if "fit_cpu_s" in mine[0] else "-"
                    for key in ("fit_cpu_s", "fit_wall_s")]
            lines.append(f"| {arm} | " + " | ".join(cells + cost) + " |")
        lines.append("")
    gan = [arm for arm in arms if arm.startswith("GAN")]
    if len(gan) >= 2:
        base = gan[0]
        lines += ["## Paired by seed (against " + base + ")", "",
                  "| arm | CPU ratio (base / arm), per seed | macro-F1 LR diff | macro-F1 HGB diff | "
                  "rare recall LR diff | rare recall HGB diff |", "|---|---|---|---|---|---|"]
        by = {(row["arm"], row["seed"]): row for row in rows}
        for arm in gan[1:]:
            common = [s for s in seeds if (arm, s) in by and (base, s) in by]
            ratio = ", ".join(f"{by[(base, s)]['fit_cpu_s'] / by[(arm, s)]['fit_cpu_s']:.2f}x" for s in common)
            diffs = [mean_std([by[(arm, s)]["scores"][clf][metric] - by[(base, s)]["scores"][clf][metric]
                               for s in common])
                     for metric in ("macro_f1", "rare_recall") for clf in ("LR", "HGB")]
            lines.append(f"| {arm} | {ratio} | " + " | ".join(diffs) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--every", type=int, nargs="*", default=[1, 2],
                        help="penalty_every values to fit (none: the baselines only)")
    parser.add_argument("--baselines", nargs="*", default=list(BASELINES), choices=list(BASELINES),
                        metavar="ARM", help=f"baseline arms to score (default all: {', '.join(BASELINES)})")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--json", default=str(HERE / "penalty_every.json"))
    parser.add_argument("--out", default=str(HERE / "PENALTY_EVERY.md"))
    parser.add_argument("--merge", nargs="+", help="render these JSON parts together instead of running")
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    if args.merge:
        # A part each, or a list of parts (the committed penalty_every.json keeps the three together).
        loaded = [json.loads(Path(p).read_text()) for p in args.merge]
        parts = [part for item in loaded for part in (item if isinstance(item, list) else [item])]
    else:
        parts = [run(args)]
        Path(args.json).write_text(json.dumps(parts[0], indent=1))
    Path(args.out).write_text(render(parts))
    print(render(parts))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
