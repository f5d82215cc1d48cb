"""Does mapping the GAN's numeric columns onto each class's real marginals help the downstream model?

An idea for issue 11, measured and not adopted (benchmarks/MARGINAL_CALIBRATION.md). A GAN's rows
of a rare class often spread beyond the class's real values (thyroid's hormone levels, where the
classes sit on either side of sharp thresholds). "calgated" keeps the joint order the GAN drew
(each synthetic value's rank within its class and column) and replaces each value of a numeric
column by the real class's empirical quantile at that rank: the rows then hold the class's real
marginals exactly, with the GAN's dependence between columns (a copula). Categorical columns are
left as drawn.

Arms, on the panel's splits and classifiers (benchmarks/bench_panel.py): none, class_weight,
random oversampling and SMOTE(-NC) at 25/50/100% of the gap to the majority, the gated GAN
("gated", as the library samples) and the same rows calibrated ("calgated"). One GAN fit per
scenario and seed; ``--cache DIR`` keeps its rows (a pickle per scenario and seed) to rescore.

    python benchmarks/bench_marginal_calibration.py --scenarios thyroid glass --seeds 1

Run with OMP_NUM_THREADS=1 on a shared machine.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_panel as panel  # noqa: E402

ARMS = ["none", "class_weight"] + [f"{m}@{a:g}" for m in ("random", "smote", "gated", "calgated")
                                   for a in panel.AMOUNTS]


def calibrate(rows: pd.DataFrame, X: pd.DataFrame, y: np.ndarray, label) -> pd.DataFrame:
    """``rows`` of class ``label`` with each numeric column mapped, rank for rank, onto the class's
    real values in ``X``: linear quantiles for real numbers, real values only for whole ones."""
    out = rows.copy()
    real = X[y == label]
    for column in X.columns:
        if not pd.api.types.is_numeric_dtype(X[column]) or pd.api.types.is_bool_dtype(X[column]):
            continue
        reference = real[column].to_numpy(dtype=float)
        reference = np.sort(reference[~np.isnan(reference)])
        values = np.array(out[column], dtype=float)
        drawn = ~np.isnan(values)
        if not len(reference) or not drawn.any():
            continue
        levels = (pd.Series(values[drawn]).rank(method="first").to_numpy() - 0.5) / drawn.sum()
        whole = bool(np.all(reference == np.round(reference)))
        values[drawn] = np.quantile(reference, levels, method="inverted_cdf" if whole else "linear")
        out[column] = values.astype(out[column].dtype) if whole else values
    return out


def gated_rows(name, seed, data_dir, cache):
    """The split and the gated GAN's rows per class (the panel's plan at 100%), from ``cache``
    when it holds them."""
    from gan_augment import GANAugmenter
    from gan_augment.planner import plan_top_up

    path = cache / f"rows_{name}_{seed}.pkl" if cache else None
    if path is not None and path.exists():
        with open(path, "rb") as file:
            return pickle.load(file)
    X_tr, X_te, y_tr, y_te, _ = panel.split(name, seed, data_dir)
    gan = GANAugmenter(random_state=seed, label_gate="auto").fit(X_tr, y_tr)
    rows = {c: gan.sample(n, c) for c, n in plan_top_up(y_tr).items() if n > 0}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)  # a new --cache folder: made, not an error after the fit
        with open(path, "wb") as file:
            pickle.dump((X_tr, X_te, y_tr, y_te, rows), file)
    return X_tr, X_te, y_tr, y_te, rows


def run_one(name, seed, data_dir, cache) -> list[dict]:
    from gan_augment.planner import plan_top_up

    X_tr, X_te, y_tr, y_te, gated = gated_rows(name, seed, data_dir, cache)
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]
    rows = {"gated": gated, "calgated": {c: calibrate(r, X_tr, y_tr, c) for c, r in gated.items()}}
    records = []
    for clf in panel.CLASSIFIERS:
        for arm in ARMS:
            X_fit, y_fit, _ = panel.arm_data(arm, X_tr, y_tr, plan_top_up(y_tr), seed, rows, clf, seed)
            model = panel.classifier(clf, X_tr, seed, balanced=arm == "class_weight").fit(X_fit, y_fit)
            records.append({"scenario": name, "seed": seed, "classifier": clf, "arm": arm,
                            **panel.scores(model, X_te, y_te, rare)})
    return records


def report(frame: pd.DataFrame, command: str, wall_s: float) -> str:
    lines = ["# Marginal calibration of the GAN's rows (issue 11): measured, not adopted", "",
             f"Command: `{command}` (OMP_NUM_THREADS=1)" + (f", {wall_s:.0f} s wall." if wall_s == wall_s else "."),
             "", f"Seeds per scenario: {frame.groupby('scenario')['seed'].nunique().to_dict()}.", ""]
    for metric in ("macro_f1", "rare_recall"):
        table = frame.pivot_table(index=["scenario", "classifier"], columns="arm", values=metric)[ARMS]

        def best(method):
            return table[[a for a in ARMS if a.startswith(method + "@")]].max(axis=1)

        header = ["scenario", "clf", *ARMS]
        rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        rows += [f"| {name} | {clf} | " + " | ".join(f"{v:.3f}" for v in values) + " |"
                 for (name, clf), values in zip(table.index, table.to_numpy())]
        lines += [f"## {metric} (mean over seeds)", "", *rows, "",
                  f"Best amount per cell: gated >= SMOTE in {(best('gated') >= best('smote')).sum()}, "
                  f"calibrated >= SMOTE in {(best('calgated') >= best('smote')).sum()}, calibrated >= gated in "
                  f"{(best('calgated') >= best('gated')).sum()} of {len(table)} cells; mean of the best amount: "
                  f"SMOTE {best('smote').mean():.3f}, random {best('random').mean():.3f}, gated "
                  f"{best('gated').mean():.3f}, calibrated {best('calgated').mean():.3f}.", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=list(panel.SCENARIOS), choices=list(panel.SCENARIOS))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=panel.DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=None, help="folder keeping each fit's rows, to rescore")
    parser.add_argument("--json", type=Path, default=HERE / "marginal_calibration.json")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown report here")
    parser.add_argument("--merge", type=Path, nargs="+", default=None,
                        help="only report the records of these JSON files (runs in parallel parts)")
    args = parser.parse_args(argv)
    command = "python benchmarks/bench_marginal_calibration.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.merge:
        frame = pd.concat([pd.read_json(path, orient="records") for path in args.merge])
        text = report(frame, command, float("nan"))
        if args.out:
            args.out.write_text(text + "\n")
        return print(text)
    import torch

    torch.set_num_threads(1)
    started, records = time.perf_counter(), []
    for name in args.scenarios:
        for seed in range(args.seeds):
            records += run_one(name, seed, args.data_dir, args.cache)
            print(f"{name} seed {seed} ({time.perf_counter() - started:.0f} s)", flush=True)
            pd.DataFrame(records).to_json(args.json, orient="records")
    text = report(pd.DataFrame(records), command, time.perf_counter() - started)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
