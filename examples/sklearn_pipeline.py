"""GANAugmenter inside an imbalanced-learn Pipeline, scored under cross-validation against what
you would do without it: nothing, class weights, random oversampling and SMOTE-NC.

Uses the slice of UCI Adult bundled with gan-augment, with the ">50K" class cut to 5% of its rows
so that it is rare. Every sampler sits in the pipeline, so added rows are made from each training
fold only and every test fold stays 100% real.

    python examples/sklearn_pipeline.py            # 6-8 minutes on 2 CPU cores: 3 GAN fits of ~3,000 updates
    python examples/sklearn_pipeline.py --epochs 2 --folds 2   # a smoke run
"""

from __future__ import annotations

import argparse
from importlib import resources

import numpy as np
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, recall_score
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from gan_augment import GANAugmenter
from gan_augment.baselines import MixedSMOTE
from gan_augment.data.io import load_dataset

RARE = ">50K"


def load_rare_adult(keep_fraction=0.05, seed=0):
    with resources.as_file(resources.files("gan_augment.data") / "bundled" / "adult_sample.csv") as path:
        X, y, _ = load_dataset(path, target="income")
    rare_rows = np.flatnonzero(y.to_numpy() == RARE)
    rng = np.random.default_rng(seed)
    dropped = rng.choice(rare_rows, size=len(rare_rows) - int(keep_fraction * len(rare_rows)), replace=False)
    keep = np.setdiff1d(np.arange(len(y)), dropped)
    return X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)


def make_model(augmenter, class_weight=None):
    features = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), make_column_selector(dtype_include="number")),
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
         make_column_selector(dtype_exclude="number")),
    )
    steps = [("augment", augmenter)] if augmenter is not None else []
    model = LogisticRegression(max_iter=1000, class_weight=class_weight)
    return Pipeline(steps + [("features", features), ("model", model)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--epochs", default="auto", help='GAN epochs (default "auto")')
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    X, y = load_rare_adult(seed=args.seed)
    print(f"Adult slice: {len(y)} rows, {int((y == RARE).sum())} of them {RARE!r}")
    scoring = {"macro_f1": "f1_macro", "balanced_accuracy": "balanced_accuracy",
               "rare_recall": make_scorer(recall_score, pos_label=RARE)}
    cv = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    results = {}
    arms = {
        "no augmentation": make_model(None),
        "class weights": make_model(None, class_weight="balanced"),
        "random oversampling": make_model(RandomOverSampler(random_state=args.seed)),
        # SMOTE-NC for the categorical columns (MixedSMOTE imputes the missing cells to interpolate).
        "SMOTE-NC": make_model(MixedSMOTE(random_state=args.seed)),
        "GAN top-up": make_model(GANAugmenter(classes=[RARE], epochs=epochs, random_state=args.seed)),
    }
    for name, model in arms.items():
        scores = cross_validate(model, X, y, cv=cv, scoring=scoring)
        results[name] = {metric: scores[f"test_{metric}"] for metric in scoring}
        summary = "  ".join(f"{metric} {values.mean():.3f} ± {values.std():.3f}" for metric, values in results[name].items())
        print(f"{name:>19}: {summary}")
    return results


if __name__ == "__main__":
    main()
