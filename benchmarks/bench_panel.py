"""The panel: does a top-up beat what a practitioner would do anyway, and how much should be added?

For each scenario (a public imbalanced table, natural or with a class cut to a few dozen rows) and
each seed: a stratified 70/30 split; every arm resamples the training split only; logistic
regression and gradient boosting (the evaluator's pipelines) are trained on the result and scored
on the untouched test split (macro-F1, recall of the rarest training class, balanced accuracy).

Arms: none; class_weight="balanced"; random oversampling, SMOTE(-NC/-N) and the GAN at 25%, 50%
and 100% of the gap to the majority ("auto" plan: every class but the majority); AutoAugmenter
choosing among none / random / SMOTE ("auto-base", cheap) or also the GAN ("auto"), with the same
classifier as its inner judge; the GAN's rows through its label gate ("gated": a judge trained on
the real training rows keeps only rows it assigns to their class). The GAN is fitted once per
scenario and seed (gated and ungated rows come from the same fit); its rows for smaller amounts are
prefixes of the largest amount's.

    python benchmarks/bench_panel.py                       # baselines and AutoAugmenter without the GAN
    python benchmarks/bench_panel.py --arms gan --seeds 2  # plus the GAN at 25/50/100% (one fit per table and seed)
    python benchmarks/bench_panel.py --arms gate --seeds 3 # the GAN at 25/50/100%, ungated and gated (no auto-base)
    python benchmarks/bench_panel.py --arms all --seeds 3  # plus AutoAugmenter with the GAN (hours on 2 cores)

Results: benchmarks/PANEL.md and benchmarks/panel_results.json (the command is written into both).
Run with OMP_NUM_THREADS=1 on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _reports import write_keeping_reading  # benchmarks/ is on sys.path when run as a script

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


def tabular_dir(data_dir: Path) -> Path:
    """The folder of the panel's tables: ``--data-dir`` is the shared data folder (as for the Adult
    scripts) or its ``tabular`` folder itself (as these scripts took it before)."""
    data_dir = Path(data_dir)
    return data_dir / "tabular" if (data_dir / "tabular").is_dir() else data_dir
AMOUNTS = (0.25, 0.5, 1.0)
MIN_CLASS_ROWS = 6  # classes with fewer rows are dropped: a 70/30 split cannot give both sides two rows

#: name -> (file, how to read it, cut: (class, rows kept in the whole table) or None)
SCENARIOS = {
    "yeast": ("keel_yeast.csv", "keel", None),
    "page-blocks": ("keel_page-blocks.csv", "keel", None),
    "thyroid": ("keel_thyroid.csv", "keel", None),
    "ecoli": ("keel_ecoli.csv", "keel", None),
    "winequality-red": ("keel_winequality-red.csv", "keel", None),
    "shuttle": ("keel_shuttle.csv", "keel", None),
    "glass": ("keel_glass.csv", "keel", None),
    "new-thyroid": ("keel_new-thyroid.csv", "keel", None),
    "car": ("keel_car.csv", "keel", None),
    "dermatology": ("keel_dermatology.csv", "keel", None),
    "mammography": ("mammography.csv", "noheader", None),
    "abalone-19": ("abalone.csv", "abalone19", None),
    "credit-g cut": ("weka_credit-g.csv", "header", ("bad", 40)),
    "credit-g": ("weka_credit-g.csv", "header", None),  # natural: 300 of 1,000 rows are "bad"
    "hypothyroid": ("weka_hypothyroid.csv", "header", None),
    "dermatology cut": ("keel_dermatology.csv", "keel", ("F", 12)),
    "winequality-white": ("winequality-white.csv", "noheader", None),
    # scikit-learn's bundled tables (no file): small enough that a batch holds the whole training split
    "breast-cancer cut": ("load_breast_cancer", "sklearn", ("malignant", 20)),
    "wine cut": ("load_wine", "sklearn", ("class_2", 10)),
}
BASE_ARMS = ["none", "class_weight"] + [f"{m}@{a:g}" for m in ("random", "smote") for a in AMOUNTS] + ["auto-base"]
GAN_ARMS = [f"gan@{a:g}" for a in AMOUNTS] + ["auto"]
GATED_ARMS = [f"gated@{a:g}" for a in AMOUNTS]
CLASSIFIERS = ("logreg", "hgb")


# ===================================================================================== data
def check_tables(data_dir: Path, scenarios) -> None:
    """Stop, naming it, where ``data_dir`` or a scenario's table is not there: before any fit, not
    hours in."""
    if not Path(data_dir).is_dir():
        sys.exit(f"error: {data_dir} does not exist; pass --data-dir (../shared/data by default).")
    for name in scenarios:
        file, how, _ = SCENARIOS[name]
        path = tabular_dir(data_dir) / file
        if how != "sklearn" and not path.is_file():
            sys.exit(f"error: {path} does not exist; pass --data-dir, the shared data folder (../shared/data by "
                     "default), whose tabular/ folder holds the panel's tables.")


def cut_class(X: pd.DataFrame, y: np.ndarray, label, keep: int, seed: int):
    """``(X, y, the class's rows before)`` with class ``label`` cut to ``keep`` of its rows (seeded)."""
    rows = np.flatnonzero(y == label)
    kept = np.random.RandomState(seed).choice(rows, size=keep, replace=False)
    mask = y != label
    mask[kept] = True
    return X[mask].reset_index(drop=True), y[mask], len(rows)


def load(name: str, data_dir: Path, seed: int):
    """``(X, y, note)`` of scenario ``name``."""
    file, how, cut = SCENARIOS[name]
    path = tabular_dir(data_dir) / file
    check_tables(data_dir, [name])
    if how == "sklearn":
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, file)(as_frame=True)
        frame = bunch.frame.assign(target=np.asarray(bunch.target_names)[bunch.target.to_numpy()])
    elif how == "keel":
        frame = pd.read_csv(path, encoding="utf-8-sig")
    elif how == "header":
        frame = pd.read_csv(path)
    else:
        frame = pd.read_csv(path, header=None)
    if how == "abalone19":
        y = np.where(frame.iloc[:, -1] == 19, "19", "rest").astype(object)
    else:
        y = frame.iloc[:, -1].astype(str).str.strip().str.strip("'").to_numpy(dtype=object)
    X = frame.iloc[:, :-1].copy()
    X.columns = [str(c) for c in X.columns]
    notes = []
    if cut is not None:
        X, y, n_rows = cut_class(X, y, *cut, seed)
        notes.append(f"{cut[0]!r} cut to {cut[1]} of {n_rows} rows (seeded)")
    labels, counts = np.unique(y, return_counts=True)
    small = labels[counts < MIN_CLASS_ROWS]
    if len(small):
        mask = ~np.isin(y, small)
        X, y = X[mask].reset_index(drop=True), y[mask]
        notes.append(f"dropped classes with < {MIN_CLASS_ROWS} rows: {', '.join(map(str, small))}")
    return X, y, "; ".join(notes) or "as in the file"


# ===================================================================================== arms
def classifier(name, X, seed, balanced=False):
    from gan_augment.evaluation._prep import build_estimator

    model = build_estimator(name, X, random_state=seed)
    if balanced:
        model.set_params(model__class_weight="balanced")
    return model


def scores(model, X_test, y_test, rare):
    from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score

    predicted = model.predict(X_test)
    return {
        "macro_f1": float(f1_score(y_test, predicted, average="macro", zero_division=0)),
        "rare_recall": float(recall_score(y_test, predicted, labels=[rare], average="macro", zero_division=0)),
        "balanced_accuracy": float(balanced_accuracy_score(y_test, predicted)),
    }


def arm_data(arm, X, y, plan, seed, gan_rows, clf_name, clf_seed, memory=None, selection=None):
    """The training data of ``arm`` (and the fitted AutoAugmenter, where it ran; its GAN fits kept
    in ``memory``, so that the second classifier reuses the first's; ``selection`` its rule, None
    for the library's default)."""
    from gan_augment import AutoAugmenter
    from gan_augment.auto import _append, _scaled
    from gan_augment.baselines import baseline_sampler

    if arm in ("none", "class_weight"):
        return X, y, None
    if arm.startswith("auto"):
        methods = ("random", "smote") if arm == "auto-base" else ("random", "smote", "gan")
        auto = AutoAugmenter(methods=methods, estimator=clf_name, memory=memory, random_state=seed)
        if selection is not None:
            auto.set_params(selection=selection)
        X_res, y_res = auto.fit_resample(X, y)
        return X_res, y_res, auto
    method, amount = arm.split("@")
    strategy = _scaled(plan, float(amount))
    if method in gan_rows:  # "gan", "gated"
        rows = gan_rows[method]  # a class the gate refused has none: it is left as it is
        return (*_append(X, y, rows, {c: min(n, len(rows[c])) if n > 0 else 0 for c, n in strategy.items()}), None)
    counts = dict(zip(*np.unique(y, return_counts=True)))
    target = {c: int(counts[c]) + n for c, n in strategy.items() if n > 0}
    if not target:
        return X, y, None
    X_res, y_res = baseline_sampler(method, target, random_state=seed).fit_resample(X, y)
    return X_res, y_res, None


def arm_name(params) -> str:
    """The arm of AutoAugmenter's candidate ``{"method": ..., "amount": ...}``."""
    return "none" if params["method"] == "none" else f"{params['method']}@{params['amount']:g}"


def split(name, seed, data_dir):
    """``(X_train, X_test, y_train, y_test, note)``: scenario ``name``'s stratified 70/30 split."""
    from sklearn.model_selection import train_test_split

    X, y, note = load(name, data_dir, seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    return X_tr.reset_index(drop=True), X_te.reset_index(drop=True), y_tr, y_te, note


def run_one(name, seed, arms, data_dir, selection=None):
    from gan_augment import GANAugmenter
    from gan_augment.planner import plan_top_up

    X_tr, X_te, y_tr, y_te, note = split(name, seed, data_dir)
    labels, counts = np.unique(y_tr, return_counts=True)
    rare = labels[np.argmin(counts)]
    plan = plan_top_up(y_tr)
    gan_rows, gan_seconds, acceptance = {}, None, {}
    if any(a.startswith("gan@") for a in arms):
        gated = any(a.startswith("gated@") for a in arms)
        started = time.process_time()
        # The gate's judge is trained after the GAN, on a seed stream of its own: the GAN and its
        # ungated rows are those of label_gate=False.
        gan = GANAugmenter(random_state=seed, label_gate=gated).fit(X_tr, y_tr)
        gan_seconds = time.process_time() - started
        gan.set_params(label_gate=False)
        gan_rows["gan"] = {c: gan.sample(n, c) for c, n in plan.items() if n > 0}
        if gated:
            # As the tables' default samples: a class the gate keeps under 5% of goes without it.
            gan.set_params(label_gate="auto")
            acceptance = {str(c): a for c, a in zip(gan.classes_, gan.label_gate_.acceptance)}
            gan_rows["gated"] = {c: gan.sample(n, c) for c, n in plan.items() if n > 0}
    records = []
    memory = tempfile.TemporaryDirectory(prefix="panel_gan_fits_")
    for clf_name in CLASSIFIERS:
        for arm in arms:
            started = time.process_time()
            X_fit, y_fit, auto = arm_data(arm, X_tr, y_tr, plan, seed, gan_rows, clf_name, seed, memory.name,
                                          selection)
            model = classifier(clf_name, X_tr, seed, balanced=arm == "class_weight").fit(X_fit, y_fit)
            record = {"scenario": name, "seed": seed, "classifier": clf_name, "arm": arm, "rare": str(rare),
                      "n_train": int(len(y_tr)), "n_rare_train": int(counts.min()),
                      "cpu_s": time.process_time() - started, **scores(model, X_te, y_te, rare)}
            if arm.startswith("gated@"):
                record["rare_acceptance"] = acceptance.get(str(rare))
            if auto is not None:
                record["chosen"] = arm_name(auto.chosen_)
                # Every candidate's inner fold scores, for selection rules applied afterwards.
                folds = [key for key in auto.cv_results_ if key.startswith("split")]
                record["inner"] = {arm_name(params): [float(auto.cv_results_[key][i]) for key in folds]
                                   for i, params in enumerate(auto.cv_results_["params"])}
            records.append(record)
    memory.cleanup()
    return records, note, gan_seconds


# ===================================================================================== report
def summarise(frame: pd.DataFrame, arms) -> list[str]:
    lines = []
    for metric in ("macro_f1", "rare_recall"):
        lines += [f"### {metric} (mean over seeds; best arm per row in bold)", ""]
        pivot = frame.pivot_table(index=["scenario", "classifier"], columns="arm", values=metric, aggfunc="mean")
        pivot = pivot[[a for a in arms if a in pivot.columns]]
        lines.append("| scenario | clf | " + " | ".join(pivot.columns) + " |")
        lines.append("|---|---|" + "---|" * len(pivot.columns))
        for (scenario, clf), row in pivot.iterrows():
            best = row.max()
            cells = [f"**{v:.3f}**" if v == best else f"{v:.3f}" for v in row]
            lines.append(f"| {scenario} | {clf} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def significantly_below(diff: pd.Series) -> list[str]:
    """The cells (``scenario / classifier``) whose seed differences ``diff`` (indexed by scenario,
    classifier, seed) lie below zero by more than two standard errors of their mean."""
    grouped = diff.groupby(level=[0, 1])
    high = grouped.mean() + 2 * grouped.std(ddof=1) / np.sqrt(grouped.count())
    return [f"{s} / {c}" for (s, c), v in high.items() if v < 0]


def selection_rules(frame: pd.DataFrame) -> list[str]:
    """AutoAugmenter's recorded inner scores read again under other selection rules. Each rule's
    choice is scored as the panel's arm of that method and amount on the same scenario, seed and
    classifier, whose resampling seed (and GAN fit) differ from AutoAugmenter's own: a guide only.
    On the 5-seed panel that noise decided several cells (benchmarks/PANEL_ONE_SE.md), so a rule
    is judged as run (``--selection``)."""
    from gan_augment.auto import _simplest, one_standard_error

    if "inner" not in frame.columns:
        return []

    def paired(results):  # within one standard error of the fold-by-fold differences from the best
        splits = np.column_stack([results[k] for k in results if k.startswith("split")])
        gap = splits[int(np.argmax(results["mean_test_score"]))] - splits
        return _simplest(results, gap.mean(axis=1) <= gap.std(axis=1, ddof=1) / np.sqrt(splits.shape[1]))

    rules = {"best": lambda r: int(np.argmax(r["mean_test_score"])), "one_se": one_standard_error,
             "one_se paired": paired}
    test = frame.set_index(["scenario", "classifier", "seed", "arm"])
    rows = []
    for record in frame.dropna(subset=["inner"]).itertuples():
        arms = list(record.inner)
        splits = np.array([record.inner[a] for a in arms])
        results = {"params": arms, "param_method": np.array([a.split("@")[0] for a in arms], dtype=object),
                   "param_amount": np.array([float(a.split("@")[1]) if "@" in a else 0.0 for a in arms]),
                   "mean_test_score": splits.mean(axis=1),
                   **{f"split{k}_test_score": splits[:, k] for k in range(splits.shape[1])}}
        for rule, pick in rules.items():
            arm = arms[pick(results)]
            # AutoAugmenter's GAN is the default one, whose rows go through the label gate.
            key = (record.scenario, record.classifier, record.seed, arm.replace("gan@", "gated@"))
            if key not in test.index:  # --arms all: the panel's GAN rows are ungated, not AutoAugmenter's
                continue
            scored = test.loc[key]
            rows.append({"scenario": record.scenario, "classifier": record.classifier, "seed": record.seed,
                         "auto": record.arm, "rule": rule, "chosen": arm, "macro_f1": scored["macro_f1"],
                         "rare_recall": scored["rare_recall"], "none": test.loc[(record.scenario, record.classifier,
                                                                                  record.seed, "none"), "macro_f1"]})
    if not rows:
        return []
    chosen = pd.DataFrame(rows)
    lines = ["### Selection rules, applied afterwards to the recorded inner scores", "",
             "Each choice is scored as the panel's arm of its method and amount (another resampling seed, and for "
             "the GAN another fit, than AutoAugmenter's own): a guide only; run a rule with --selection to judge it.",
             "",
             "| AutoAugmenter | rule | mean macro-F1 | mean rare recall | cells >= none | cells significantly "
             "below none | chose none |", "|---|---|---|---|---|---|---|"]
    for (auto, rule), group in chosen.groupby(["auto", "rule"], sort=False):
        cells = group.groupby(["scenario", "classifier"])[["macro_f1", "rare_recall", "none"]].mean()
        diff = group.set_index(["scenario", "classifier", "seed"])
        worse = significantly_below(diff["macro_f1"] - diff["none"])
        lines.append(f"| {auto} | {rule} | {cells['macro_f1'].mean():.3f} | {cells['rare_recall'].mean():.3f} | "
                     f"{int((cells['macro_f1'] >= cells['none']).sum())} of {len(cells)} | "
                     f"{', '.join(worse) or 'none'} | {int((group['chosen'] == 'none').sum())} of {len(group)} |")
    return lines + [""]


def verdicts(frame: pd.DataFrame) -> list[str]:
    """The issue's targets, computed from the cells (scenario x classifier, means over seeds)."""
    cells = frame.pivot_table(index=["scenario", "classifier"], columns="arm", values="macro_f1", aggfunc="mean")
    per_seed = frame.pivot_table(index=["scenario", "classifier", "seed"], columns="arm", values="macro_f1")
    lines = ["### Targets", ""]
    # Every baseline arm at every amount: a quarter of the gap often beats full balancing.
    baselines = [a for a in cells.columns if a in ("none", "class_weight") or a.startswith(("random@", "smote@"))]
    best_baseline = cells[baselines].mean().idxmax()
    for auto in ("auto-base", "auto"):
        if auto not in cells.columns:
            continue
        worse = significantly_below(per_seed[auto] - per_seed["none"])
        lines.append(f"- {auto}: mean macro-F1 {cells[auto].mean():.3f} vs none {cells['none'].mean():.3f} and the "
                     f"best single baseline on average ({best_baseline}) {cells[best_baseline].mean():.3f}; cells "
                     f"significantly below none (mean - 2 s.e. of the seed differences entirely < 0): "
                     f"{', '.join(worse) or 'none'}.")
    for method in ("smote", "random", "gan", "gated"):
        columns = [f"{method}@{a:g}" for a in AMOUNTS if f"{method}@{a:g}" in cells.columns]
        if not columns:
            continue
        counts = cells[columns].idxmax(axis=1).value_counts()
        best = counts.sort_index(key=lambda arms: [(-counts[a], a) for a in arms])  # ties by name
        lines.append(f"- {method}: best amount per cell (oracle, on the test split) " +
                     ", ".join(f"{k} in {v}" for k, v in best.items()) +
                     f"; full balancing ({method}@1) below none in "
                     f"{int((cells[f'{method}@1'] < cells['none']).sum())} of {len(cells)} cells.")
    recall = frame.pivot_table(index=["scenario", "classifier"], columns="arm", values="rare_recall")

    def best(table, method):
        return table[[f"{method}@{a:g}" for a in AMOUNTS]].max(axis=1)

    def at_least(table, method, unit=""):
        """'k of n cells' where the method's best amount reaches SMOTE's, and how many of them are
        ties (rare recall moves in steps of one test row and often ties)."""
        ours, smote = best(table, method), best(table, "smote")
        tied = int((ours == smote).sum())
        return f"{int((ours >= smote).sum())} of {len(table)}{unit}" + (f", {tied} of them tied" if tied else "")

    for method, name in (("gan", "GAN"), ("gated", "GAN through its label gate")):
        if f"{method}@1" in cells.columns and "smote@1" in cells.columns:
            lines.append(f"- {name} (best amount) >= SMOTE (best amount) on macro-F1 in "
                         f"{at_least(cells, method, ' cells')} (target 60%); rare recall in "
                         f"{at_least(recall, method)} (target 75%).")
    if "gated@1" in cells.columns:
        lines.append(f"- Gated against ungated GAN (best amount each): macro-F1 higher in "
                     f"{int((best(cells, 'gated') > best(cells, 'gan')).sum())}, lower in "
                     f"{int((best(cells, 'gated') < best(cells, 'gan')).sum())} of {len(cells)} cells (mean "
                     f"{best(cells, 'gated').mean():.3f} vs {best(cells, 'gan').mean():.3f}); rare recall higher in "
                     f"{int((best(recall, 'gated') > best(recall, 'gan')).sum())}, lower in "
                     f"{int((best(recall, 'gated') < best(recall, 'gan')).sum())}.")
    if "rare_acceptance" in frame.columns:
        rates = frame.dropna(subset=["rare_acceptance"]).groupby("scenario")["rare_acceptance"].mean()
        lines.append("- The gate's acceptance of the rarest class (mean over seeds): "
                     + ", ".join(f"{k} {v:.0%}" for k, v in rates.items()) + ".")
    return lines + [""]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="run seeds first-seed .. first-seed + seeds - 1 (to add seeds to a run: merge the JSON "
                             "records, then --report-only)")
    parser.add_argument("--arms", choices=("base", "gan", "gate", "auto", "all"), default="base",
                        help="base: no GAN (minutes); gan: plus the GAN at each amount (one GAN fit per "
                             "scenario and seed); gate: the GAN's rows ungated and through its label gate "
                             "(no AutoAugmenter); "
                             "auto: the gated GAN at each amount and AutoAugmenter with the GAN, its "
                             "choices under every selection rule scored as those arms (hours); "
                             "all: base and gan plus AutoAugmenter with the GAN (hours).")
    parser.add_argument("--selection", choices=("best", "one_se"), default=None,
                        help="AutoAugmenter's selection rule for the auto arms (default: the library's)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=HERE / "PANEL.md")
    parser.add_argument("--json", type=Path, default=HERE / "panel_results.json")
    parser.add_argument("--report-only", action="store_true",
                        help="Write the Markdown from the records already in --json (e.g. of an interrupted run).")
    args = parser.parse_args(argv)
    if args.report_only:
        saved = json.loads(args.json.read_text())
        frame = pd.DataFrame(saved["records"])
        arms = [a for a in BASE_ARMS + GAN_ARMS + GATED_ARMS if a in set(frame["arm"])]
        write_report(args.out, frame, arms, saved["command"], saved["notes"], saved.get("gan_times", {}),
                     saved.get("wall_s"), complete=saved.get("complete", False))
        return
    check_tables(args.data_dir, args.scenarios)
    import torch

    torch.set_num_threads(1)
    arms = {"base": BASE_ARMS, "gan": BASE_ARMS + GAN_ARMS[:-1], "all": BASE_ARMS + GAN_ARMS,
            # AutoAugmenter left out: the question is the gate's, and it is the costliest base arm.
            "gate": BASE_ARMS[:-1] + GAN_ARMS[:-1] + GATED_ARMS,
            "auto": BASE_ARMS + GAN_ARMS[:-1] + GATED_ARMS + GAN_ARMS[-1:]}[args.arms]
    command = "python benchmarks/bench_panel.py " + " ".join(argv if argv is not None else sys.argv[1:])
    records, notes, gan_times = [], {}, {}
    started = time.perf_counter()
    for name in args.scenarios:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            rows, notes[name], gan_seconds = run_one(name, seed, arms, args.data_dir, args.selection)
            records += rows
            if gan_seconds is not None:
                gan_times.setdefault(name, []).append(gan_seconds)
            print(f"{name} seed {seed}: done ({time.perf_counter() - started:.0f} s)", flush=True)
            save_json(args.json, command, records, notes, gan_times, time.perf_counter() - started, complete=False)
    save_json(args.json, command, records, notes, gan_times, time.perf_counter() - started, complete=True)
    write_report(args.out, pd.DataFrame(records), arms, command, notes, gan_times, time.perf_counter() - started,
                 complete=True)
    print(f"wrote {args.out} and {args.json}")


def save_json(path, command, records, notes, gan_times, wall_s, *, complete):
    path.write_text(json.dumps({"command": command, "records": records, "notes": notes, "gan_times": gan_times,
                                "wall_s": wall_s, "complete": complete}, indent=1))


def write_report(path, frame, arms, command, notes, gan_times, wall_s, *, complete):
    seeds = frame.groupby("scenario")["seed"].nunique()
    lines = [f"# Panel: {frame['scenario'].nunique()} scenarios x {len(CLASSIFIERS)} classifiers", "",
             f"Command: `{command.strip()}` (OMP_NUM_THREADS=1), {wall_s or 0:.0f} s wall"
             + ("" if complete else " (interrupted: the tables hold the seeds that finished)") + ".", "",
             "Seeds per scenario: " + ", ".join(f"{k} {v}" for k, v in seeds.items()) + ".", "",
             "Scenarios: " + "; ".join(f"{k}: {v}" for k, v in notes.items()) + ".", ""]
    if gan_times:
        lines += ["GAN fit CPU seconds (mean over seeds): " +
                  ", ".join(f"{k} {np.mean(v):.0f}" for k, v in gan_times.items()) + ".", ""]
    lines += verdicts(frame) + selection_rules(frame) + summarise(frame, arms)
    if "chosen" in frame.columns:
        chosen = frame.dropna(subset=["chosen"]).groupby(["arm", "classifier"])["chosen"].value_counts()
        # Ties in the order of the arms' names, so that the report is written the same every time.
        chosen = chosen.reset_index().sort_values(["arm", "classifier", "count", "chosen"],
                                                  ascending=[True, True, False, True])
        chosen = chosen.set_index(["arm", "classifier", "chosen"])["count"]
        lines += ["### What AutoAugmenter chose (count of scenario x seed)", "", "```", chosen.to_string(), "```", ""]
    write_keeping_reading(path, "\n".join(lines))


if __name__ == "__main__":
    main()
