"""How many of the rows the tables' label gate returns its own judge accepts once they are decoded.

The gate judges the generator's encoded rows; decoding then applies the column rules (a column
read off another, implied values, missing links), which can change what a row says. This script
fits one default ``GANAugmenter`` (label gate on, as tables' default) on a table whose last column
is the class, samples ``--n`` rows of each gated class through the gate, encodes them again and
reports the share the judge assigns to their class ("judged as decoded"; the rest: rows whose
decoded values the judge would have refused, or values decoding rounds or clips).

    OMP_NUM_THREADS=1 python benchmarks/bench_gate_as_decoded.py ../shared/data/tabular/weka_hypothyroid.csv

Run it on two checkouts (PYTHONPATH) to compare library versions: GATE_READ_OFF.md.

``--utility``: instead, per seed a stratified 70/30 split; one fit on the training part; every class
but the largest topped up to its count through the gate with the judge reading the rows as decoded
(``as decoded``, the library's way since 6575851) and as generated (``as generated``, before it);
macro-F1 and the rarest class's recall of the evaluator's logistic regression and gradient boosting
on the test part. Both arms share the fit: only the gate's view differs. ``--baselines`` (with
``--utility``): the same splits, classifiers and amounts without a GAN: no augmentation, class
weights (``class_weight="balanced"``), random oversampling and SMOTE(-NC) (``MixedSMOTE``).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", help="a CSV whose last column is the class ('?' read as missing)")
    parser.add_argument("--n", type=int, default=5000, help="rows sampled per class")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--utility", type=int, nargs="+", default=None, metavar="SEED",
                        help="compare the two views downstream, on these seeds")
    parser.add_argument("--min-rows", type=int, default=10, help="--utility: classes with fewer rows are left out")
    parser.add_argument("--baselines", action="store_true", help="--utility: the arms without a GAN instead")
    args = parser.parse_args(argv)
    if args.utility:
        return utility(args.table, args.utility, args.min_rows, args.baselines)
    import gan_augment
    from gan_augment import GANAugmenter

    torch.set_num_threads(1)
    frame = pd.read_csv(args.table, skipinitialspace=True, na_values="?")
    X, y = frame.iloc[:, :-1], frame.iloc[:, -1].astype(str).to_numpy()
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GANAugmenter(random_state=args.seed, n_threads=1).fit(X, y)
    print(f"gan-augment {gan_augment.__version__} from {gan_augment.__file__}; fit {time.process_time() - started:.0f} "
          f"CPU s; rules: {len(model.encoder_.describe_rules())}")
    for index, label in enumerate(model.classes_):
        if not model.label_gate_.serves(index):
            print(f"{label}: not gated")
            continue
        rows = model.sample(args.n, label, random_state=args.seed + 1)
        encoded = torch.as_tensor(model.encoder_.transform(rows, random_state=args.seed), dtype=torch.float32)
        share = float(model.label_gate_.accepts(encoded, index).float().mean())
        print(f"{label} ({int(np.sum(y == label))} real rows): judged as decoded {share:.4f}")


def utility(table: str, seeds: list[int], min_rows: int, baselines: bool = False) -> None:
    from sklearn.metrics import f1_score, recall_score
    from sklearn.model_selection import train_test_split

    from gan_augment import GANAugmenter
    from gan_augment.baselines import baseline_sampler
    from gan_augment.evaluation._prep import build_estimator
    from gan_augment.kinds.tabular import TabularKind

    torch.set_num_threads(1)
    frame = pd.read_csv(table, skipinitialspace=True, na_values="?")
    X, y = frame.iloc[:, :-1], frame.iloc[:, -1].astype(str).to_numpy()
    labels, counts = np.unique(y, return_counts=True)
    kept = np.isin(y, labels[counts >= min_rows])
    X, y = X[kept].reset_index(drop=True), y[kept]
    view = TabularKind.judged_view
    print("| seed | view | LR macro-F1 | LR rare recall | HGB macro-F1 | HGB rare recall |\n|---|---|---|---|---|---|")
    for seed in seeds:
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
        X_tr, X_te = X_tr.reset_index(drop=True), X_te.reset_index(drop=True)
        labels, counts = np.unique(y_tr, return_counts=True)
        rare = labels[np.argmin(counts)]

        def scores(X_r, y_r, balanced=False):
            cells = []
            for estimator in ("logreg", "hgb"):
                model = build_estimator(estimator, X_tr, random_state=seed)
                if balanced:
                    model.set_params(**{f"{model.steps[-1][0]}__class_weight": "balanced"})
                predicted = model.fit(X_r, y_r).predict(X_te)
                cells += [f1_score(y_te, predicted, average="macro"),
                          recall_score(y_te, predicted, labels=[rare], average="macro")]
            return " | ".join(f"{c:.4f}" for c in cells)

        if baselines:
            print(f"| {seed} | none | {scores(X_tr, y_tr)} |\n| {seed} | class weights | "
                  f"{scores(X_tr, y_tr, balanced=True)} |", flush=True)
            for method in ("random", "smote"):
                resampled = baseline_sampler(method, random_state=seed).fit_resample(X_tr, y_tr)
                print(f"| {seed} | {method} | {scores(*resampled)} |", flush=True)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = GANAugmenter(random_state=seed, n_threads=1).fit(X_tr, y_tr)
        for name, judged in (("as decoded", view), ("as generated", lambda self, codec: None)):
            TabularKind.judged_view = judged
            try:
                parts = [model.sample(counts.max() - n, label, random_state=seed) for label, n in zip(labels, counts)
                         if n < counts.max()]
            finally:
                TabularKind.judged_view = view
            X_r = pd.concat([X_tr, *parts], ignore_index=True)
            y_r = np.concatenate([y_tr, *[np.full(counts.max() - n, label) for label, n in zip(labels, counts)
                                          if n < counts.max()]])
            print(f"| {seed} | {name} | {scores(X_r, y_r)} |", flush=True)


if __name__ == "__main__":
    main()
