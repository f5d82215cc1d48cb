"""Do synthetic rows obey the rules of the real table? With and without rule detection, in one process.

Two generated tables (no ../shared data needed), each topped up by GANAugmenter with
``detect_rules=True, round_to_observed=True`` (the defaults) and with both off (how every column
was modelled before):

* credit-g-like: 1000 rows, 3 categorical columns one-hot encoded by a ColumnTransformer (as in an
  imbalanced-learn Pipeline before a resampler), 4 numeric columns; share of synthetic rows whose
  one-hot groups do not hold exactly one 1; imbalanced-learn's SMOTE on the same matrix beside them
  (what stands in that Pipeline slot without us);
* hypothyroid-like: 1000 rows, ``T3`` missing exactly when ``T3 measured`` is f, ``TSH`` and ``FTI``
  missing together, two 0/1 flags, 2-decimal columns; share of synthetic rows breaking each rule
  (counted by an encoder with rules fitted on the real rows) and of values needing more decimals
  than the real ones.

Usage: OMP_NUM_THREADS=1 python benchmarks/bench_column_rules.py [--epochs N]
Results: benchmarks/COLUMN_RULES.md
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder

from gan_augment import GANAugmenter
from gan_augment.data.tabular import TabularEncoder

SETTINGS = {"rules on (default)": {}, "rules off": {"detect_rules": False, "round_to_observed": False}}


def credit_g_like(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    checking = rng.choice(["<0", "0<=X<200", ">=200", "no checking"], n, p=[0.27, 0.27, 0.06, 0.40])
    purpose = rng.choice(["radio/tv", "new car", "furniture", "used car", "business", "education", "repairs",
                          "domestic", "other", "retraining"], n,
                         p=[0.28, 0.23, 0.18, 0.10, 0.10, 0.05, 0.02, 0.02, 0.01, 0.01])
    savings = rng.choice(["<100", "100<=X<500", "500<=X<1000", ">=1000", "unknown"], n, p=[0.6, 0.1, 0.06, 0.05, 0.19])
    duration, age = rng.integers(4, 72, n), rng.integers(19, 75, n)
    score = (-0.9 * (checking == "<0") + 0.8 * (checking == "no checking") - 0.02 * duration
             + 0.3 * (savings == "unknown") + 0.01 * age + rng.normal(0, 1, n))
    X = pd.DataFrame({"checking_status": checking, "duration": duration, "purpose": purpose,
                      "credit_amount": np.round(np.exp(rng.normal(7.8, 0.75, n))).astype(int),
                      "savings_status": savings, "installment_commitment": rng.integers(1, 5, n), "age": age})
    return X, np.where(score > np.quantile(score, 0.3), "good", "bad")


def hypothyroid_like(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    measured, tsh_measured = rng.random(n) < 0.8, rng.random(n) < 0.9
    y = np.where(rng.random(n) < 0.1, "hypothyroid", "negative")
    sick = y == "hypothyroid"
    X = pd.DataFrame({
        "age": rng.integers(1, 95, n).astype(float),
        "on_thyroxine": (rng.random(n) < 0.15).astype(int),
        "pregnant": (rng.random(n) < 0.05).astype(int),
        "T3 measured": np.where(measured, "t", "f"),
        "T3": np.where(measured, np.round(rng.normal(2.0 - 0.8 * sick, 0.5, n), 1), np.nan),
        "TSH": np.where(tsh_measured, np.round(rng.gamma(2.0, 1.0 + 10 * sick, n), 2), np.nan),
        "FTI": np.where(tsh_measured, np.round(rng.normal(110 - 40 * sick, 15, n)), np.nan),
        "ratio": np.round(rng.uniform(0.5, 1.5, n), 2),
    })
    return X, y


def synthetic_rows(X, y, epochs, settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.process_time()
        X_res, _ = GANAugmenter(epochs=epochs, random_state=0, n_threads=1, **settings).fit_resample(X, y)
    return X_res[len(X):], time.process_time() - started


def smote_rows(X, y):
    from imblearn.over_sampling import SMOTE

    started = time.process_time()
    X_res, _ = SMOTE(random_state=0).fit_resample(X, y)
    return X_res[len(X):], time.process_time() - started


def one_hot_case(epochs):
    X, y = credit_g_like()
    encoder = ColumnTransformer([("onehot", OneHotEncoder(sparse_output=False),
                                  ["checking_status", "purpose", "savings_status"])], remainder="passthrough")
    Xt = encoder.fit_transform(X)
    sizes = [len(c) for c in encoder.named_transformers_["onehot"].categories_]
    starts = np.cumsum([0] + sizes)
    print("\n### credit-g-like table after a OneHotEncoder\n")
    print("| setting | synthetic rows | rows breaking a one-hot group | CPU s |\n|---|---|---|---|")
    runs = {f"GAN, {name}": lambda settings=settings: synthetic_rows(Xt, y, epochs, settings)
            for name, settings in SETTINGS.items()}
    runs["SMOTE (imbalanced-learn)"] = lambda: smote_rows(Xt, y)
    for name, run in runs.items():
        synthetic, cpu = run()
        broken = np.zeros(len(synthetic), dtype=bool)
        for start, size in zip(starts[:-1], sizes):
            block = synthetic[:, start:start + size]
            broken |= ~(np.isin(block, [0.0, 1.0]).all(axis=1) & (block.sum(axis=1) == 1))
        print(f"| {name} | {len(synthetic)} | {broken.mean():.1%} | {cpu:.1f} |")


def links_case(epochs):
    X, y = hypothyroid_like()
    judge = TabularEncoder(random_state=0).fit(X)  # finds the rules of the real rows
    print("\n### hypothyroid-like table\n")
    rules = judge.describe_rules()
    print("| setting | " + " | ".join(rules + ["any rule", "ratio / TSH values with > 2 decimals", "CPU s"]) + " |")
    print("|---" * (len(rules) + 4) + "|")
    for name, settings in SETTINGS.items():
        synthetic, cpu = synthetic_rows(X, y, epochs, settings)
        rates = judge.rule_violations(synthetic)
        decimals = [(synthetic[c].dropna() != synthetic[c].dropna().round(2)).mean() for c in ("ratio", "TSH")]
        print(f"| {name} | " + " | ".join(f"{rates[r]:.1%}" for r in rules + ["any rule"])
              + f" | {decimals[0]:.1%} / {decimals[1]:.1%} | {cpu:.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    print(f"epochs={args.epochs}, random_state=0, one thread")
    one_hot_case(args.epochs)
    links_case(args.epochs)


if __name__ == "__main__":
    main()
