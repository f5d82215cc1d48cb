"""Columns read off another (Adult's education-num, one number per education; values another column
implies, such as sex where relationship is Husband or Wife): the rules kept or not, per seed.

On the cut Adult task of bench_adult.py (stratified 80/20, the training split's ``>50K`` rows cut to
5%), each seed fits one default ``GANAugmenter(classes=['>50K'])`` and draws the top-up rows three
times from the same model with the same seed: as the library decodes them (each column a rule sets
read off its parent), without the implied values (``encoder_.implied_`` emptied, as before they
were kept) and with no such rule (``encoder_.derived_`` emptied too: those columns decoded from the
generator's own blocks). Every other column of the draws is the same (checked) where the label gate
is off; where it is on, its judge reads the rules' columns as decoded in each draw (as before the
rules did, the generator's blocks) and may pass other rows. Reported: per rule, the share of top-up
rows that break it (pair the columns unlike every real row), for each draw and for SMOTE-NC's added
rows beside them, and LR / HGB scored on the untouched test split, paired by seed, beside what a
practitioner would do without the GAN on the same split (no augmentation, class weights, random
oversampling, SMOTE-NC). ``--task demo``: the same on the 2,000-row slice of Adult that
`gan-augment demo` uses (bundled with the package), at the demo's settings (200 epochs, batch
500). ``--task demo-onehot``:
that slice with its categorical columns one-hot encoded as a scikit-learn pipeline hands them on
(``OneHotEncoder``, a missing value its own column), so each is a one-hot group the rules read as
the categorical it stands for; "all forgotten" is then what the library did before groups took
part in rules, and the SMOTE baseline plain SMOTE (every column a number).

Usage: OMP_NUM_THREADS=1 python benchmarks/bench_derived_columns.py [--seeds 3] [--data-dir DIR]
       [--task demo|demo-onehot]
Results: benchmarks/DERIVED_COLUMNS.md (--task demo: DERIVED_COLUMNS_DEMO.md; demo-onehot:
DERIVED_COLUMNS_DEMO_ONEHOT.md)
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _adult import (COMMON, RARE, adult_path, column_kinds, cut_task, evaluate_arm, limit_threads, load_adult,
                    machine_info, mean_std, recorded_command, resample_ros, resample_smotenc)
from imblearn.over_sampling import SMOTE
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder
from _reports import write_keeping_reading

from gan_augment import GANAugmenter
from gan_augment.cli import demo

#: rule_violations' share of rows breaking at least one rule.
ANY_RULE = "any rule"
#: Each arm and the encoder's rules it forgets (of those that read a column off another).
ARMS = {"rules kept (now)": (), "implied values forgotten": ("implied_",), "all forgotten": ("implied_", "derived_")}


def one_hot(X: pd.DataFrame) -> pd.DataFrame:
    """``X`` as a scikit-learn pipeline hands it on: each categorical column one-hot encoded (a
    missing value its own column, as OneHotEncoder does), the numeric columns passed through."""
    categorical = column_kinds(X)[1]
    encoder = ColumnTransformer([("onehot", OneHotEncoder(sparse_output=False), categorical)],
                                remainder="passthrough", verbose_feature_names_out=False)
    return encoder.set_output(transform="pandas").fit_transform(X.astype({c: object for c in categorical}))


def members_of(encoder, position: int) -> list[int]:
    """The columns a rule on ``position`` sets: a one-hot group's members, or the column itself."""
    spec = encoder.columns_[position]
    return encoder.groups_[spec["group"]] if spec["kind"] == "onehot" else [position]


def one_seed(X, y, seed: int, settings: dict) -> dict:
    X_train, y_train, X_test, y_test = cut_task(X, y, seed)
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter = GANAugmenter(classes=[RARE], random_state=seed, n_threads=1, **settings).fit(X_train, y_train)
    fit_cpu = time.process_time() - started
    encoder = augmenter.encoder_
    rules = [text for text in encoder.describe_rules() if text.startswith(("set by another", "implied values"))]
    assert any("education-num" in text for text in rules), encoder.describe_rules()
    set_columns = [encoder.columns_[member]["name"] for rule in encoder.derived_ + encoder.implied_
                   for member in members_of(encoder, rule["column"])]
    needed = int((y_train == COMMON).sum() - (y_train == RARE).sum())
    drawn = {}
    for arm, forgotten in ARMS.items():
        saved = {key: getattr(encoder, key) for key in forgotten}
        try:
            for key in forgotten:
                setattr(encoder, key, [])
            drawn[arm] = augmenter.sample(needed, RARE, random_state=seed)
        finally:
            for key, value in saved.items():
                setattr(encoder, key, value)
        if augmenter.label_gate_ is None:  # a gate's judge reads the rules' columns as decoded: it may pass other rows
            pd.testing.assert_frame_equal(drawn[arm].drop(columns=set_columns),
                                          next(iter(drawn.values())).drop(columns=set_columns))
    X_smote, y_smote = resample_smotenc(X_train, y_train, seed) if column_kinds(X_train)[1] else \
        SMOTE(random_state=seed).fit_resample(X_train, y_train)
    smote_added = X_smote.iloc[len(X_train):]
    # Beside each rule, every rule the encoder found at once (one-hot groups and binary columns too):
    # SMOTE's rows between two dummied rows hold no 1 in the group and break no pairing, but no
    # real row is like them.
    record = {"seed": seed, "fit_cpu_s": fit_cpu, "rows": needed, "rules": [*rules, ANY_RULE], "broken": {},
              "scores": {}}
    for arm, rows in drawn.items():
        record["broken"][arm] = {rule: encoder.rule_violations(rows)[rule] for rule in record["rules"]}
        X_aug = pd.concat([X_train, rows], ignore_index=True)
        y_aug = np.concatenate([y_train, np.full(len(rows), RARE, dtype=object)])
        record["scores"][arm] = evaluate_arm(X_aug, y_aug, X_test, y_test, seed)
    # What a practitioner would do without the GAN, on the same split.
    record["baselines"] = {"no augmentation": evaluate_arm(X_train, y_train, X_test, y_test, seed),
                           "class weights": evaluate_arm(X_train, y_train, X_test, y_test, seed, balanced=True),
                           "random oversampling": evaluate_arm(*resample_ros(X_train, y_train, seed), X_test, y_test,
                                                               seed),
                           "SMOTE(-NC)": evaluate_arm(X_smote, y_smote, X_test, y_test, seed)}
    smote_broken = encoder.rule_violations(smote_added.astype(X_train.dtypes.to_dict()))
    record["broken"]["SMOTE(-NC)"] = {rule: smote_broken[rule] for rule in record["rules"]}
    print(f"seed {seed}: fit {fit_cpu:.0f} CPU s; broken {record['broken']}; "
          f"{ {arm: record['scores'][arm]['LR']['macro_f1'] for arm in ARMS} }", flush=True)
    return record


def render(records: list[dict], command: str, info: dict, seconds: float, task: str) -> str:
    where = {"demo": "the demo's slice of Adult", "demo-onehot": "the demo's slice of Adult, one-hot encoded"}.get(
        task, "cut Adult")
    lines = [f"# Columns read off another on {where}", "", f"Command: `{command}`  ",
             f"Machine: {info.get('cpu', '')}; torch {info.get('torch', '')}; {seconds / 60:.1f} min in all.", "",
             __doc__.split("\n\n")[1].replace("\n", " "), "",
             "| seed | rule | top-up rows | GAN fit CPU s | " + " | ".join(f"broken: {arm}" for arm in ARMS)
             + " | broken: SMOTE(-NC)'s added rows |", "|---" * (5 + len(ARMS)) + "|"]
    for r in records:
        for rule in r["rules"]:
            lines.append(f"| {r['seed']} | {rule} | {r['rows']:,} | {r['fit_cpu_s']:.0f} | "
                         + " | ".join(f"{r['broken'][a][rule]:.1%}" for a in (*ARMS, "SMOTE(-NC)")) + " |")
    kept, *others = ARMS
    baselines = list(records[0]["baselines"])
    lines += ["", "| classifier | metric | " + " | ".join(ARMS) + " | "
              + " | ".join(f"kept − {arm} (mean ± SE, per seed)" for arm in others) + " | "
              + " | ".join(baselines) + " |", "|---" * (2 + len(ARMS) + len(others) + len(baselines)) + "|"]
    for clf in ("LR", "HGB"):
        for metric in ("macro_f1", "rare_recall", "balanced_accuracy"):
            values = {arm: np.array([r["scores"][arm][clf][metric] for r in records]) for arm in ARMS}
            values.update({arm: np.array([r["baselines"][arm][clf][metric] for r in records]) for arm in baselines})
            cells = [mean_std(values[arm]) for arm in ARMS]
            for arm in others:
                diff = values[kept] - values[arm]
                se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
                cells.append(f"{diff.mean():+.3f} ± {se:.3f} ({', '.join(f'{d:+.3f}' for d in diff)})")
            cells += [mean_std(values[arm]) for arm in baselines]
            lines.append(f"| {clf} | {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--task", choices=("adult", "demo", "demo-onehot"), default="adult")
    parser.add_argument("--out", default=None, help="default: DERIVED_COLUMNS.md (--task demo: "
                        "DERIVED_COLUMNS_DEMO.md; demo-onehot: DERIVED_COLUMNS_DEMO_ONEHOT.md)")
    args = parser.parse_args(argv)
    limit_threads(1)
    if args.task.startswith("demo"):
        with resources.as_file(demo.bundled_data()) as path:
            X, y = load_adult(path)
        settings = {"epochs": demo.DEFAULT_EPOCHS, "batch_size": demo.BATCH_SIZE}
        if args.task == "demo-onehot":
            X = one_hot(X)
    else:
        X, y = load_adult(adult_path(args.data_dir))
        settings = {}
    suffix = {"demo": "_DEMO", "demo-onehot": "_DEMO_ONEHOT"}.get(args.task, "")
    out = args.out or Path(__file__).with_name(f"DERIVED_COLUMNS{suffix}.md")
    started = time.time()
    records = [one_seed(X, y, seed, settings) for seed in range(args.seeds)]
    text = render(records, recorded_command("bench_derived_columns.py", sys.argv[1:] if argv is None else argv),
                  machine_info(), time.time() - started, args.task)
    write_keeping_reading(Path(out), text)
    print(text)


if __name__ == "__main__":
    main()
