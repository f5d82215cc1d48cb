"""Did augmentation make the downstream model better? Repeated stratified cross-validation.

For each training fold, every method -- no augmentation, the baselines and the augmenter under
test -- is fitted on that fold only, a fresh clone of the same estimator is trained on the result,
and everything is scored on the test fold, which stays 100% real. Scores are compared per fold with
"none" (paired differences) and summarised with a corrected t interval (:mod:`.stats`).
"""

from __future__ import annotations

import math
import numbers
import time
from collections import Counter

import numpy as np
import pandas as pd

from gan_augment.evaluation._prep import ESTIMATORS, build_estimator, split_columns
from gan_augment.evaluation.stats import corrected_interval
from gan_augment.exceptions import DataValidationError

#: Baselines that ``baselines=`` may name.
BASELINES = ("none", "random", "smote", "class_weight")
AUGMENTER = "augmenter"  # the key of the augmenter under test in the results
OVERALL_METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "pr_auc")
CLASS_METRICS = ("precision", "recall", "f1")
_SEED_MAX = 2**31 - 1


class _Plan:
    """Everything checked before any fitting."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


# ============================================================================ validation
def plan_evaluation(X, y, augmenter=None, *, estimator=None, classes=None, cv=5, repeats=3,
                    baselines=("none", "random", "smote"), n_jobs=None, random_state=None,
                    confidence=0.95, progress=False, fidelity=True, privacy=True) -> _Plan:
    """Validate every input and return the plan of the evaluation; nothing is fitted here.

    Raises ValueError / TypeError (DataValidationError for the data) naming what is at fault.
    """
    from sklearn.base import clone, is_classifier
    from sklearn.model_selection import RepeatedStratifiedKFold

    from gan_augment._classes import resolve_class

    # ---- data
    if not isinstance(X, pd.DataFrame):
        array = np.asarray(X)
        if array.ndim != 2:
            raise DataValidationError(f"X must be 2-D (rows x columns); got an array of shape {array.shape}.")
        X = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    else:
        X = X.reset_index(drop=True)
    y_values = np.asarray(y)
    if y_values.ndim == 2 and y_values.shape[1] == 1:
        y_values = y_values[:, 0]
    if y_values.ndim != 1:
        raise DataValidationError(f"y must be 1-D; got shape {y_values.shape}.")
    if len(y_values) != len(X):
        raise DataValidationError(f"X has {len(X)} rows but y has {len(y_values)}; they must match.")
    if pd.isna(pd.Series(y_values)).any():
        raise DataValidationError(f"y has {int(pd.isna(pd.Series(y_values)).sum())} missing labels; drop those rows.")
    counts = Counter(y_values.tolist())
    if len(counts) < 2:
        raise DataValidationError("y holds a single class; there is nothing to compare.")
    labels = sorted(counts, key=lambda v: (str(type(v)), v))

    # ---- classes to top up
    if classes is not None:
        wanted = [classes] if isinstance(classes, (str, numbers.Number)) else list(classes)
        if not wanted:
            raise ValueError("classes is empty; name at least one class or pass classes=None.")
        try:
            targets = [resolve_class(value, labels) for value in wanted]
        except ValueError as exc:
            raise DataValidationError(str(exc)) from None
    elif augmenter is not None and getattr(augmenter, "classes", None) is not None:
        own = augmenter.classes
        own = [own] if isinstance(own, (str, numbers.Number)) else list(own)
        try:
            targets = [resolve_class(value, labels) for value in own]
        except ValueError as exc:
            raise DataValidationError(f"augmenter.classes: {exc}") from None
    else:
        targets = None  # decided by the sampling strategy below

    # ---- the augmenter
    if augmenter is None:
        from gan_augment.augmenter import GANAugmenter

        augmenter = GANAugmenter()
    if not hasattr(augmenter, "fit_resample"):
        raise TypeError(f"augmenter={augmenter!r} has no fit_resample method; pass a GANAugmenter or any "
                        "imbalanced-learn style sampler.")
    augmenter = clone(augmenter)
    params = augmenter.get_params(deep=False)
    strategy = params.get("sampling_strategy", "auto")
    if targets is None:
        from imblearn.utils import check_sampling_strategy

        try:
            plan = check_sampling_strategy(strategy, y_values, "over-sampling")
        except (ValueError, TypeError) as exc:
            raise ValueError(f"augmenter's sampling_strategy={strategy!r}: {exc}") from None
        targets = [label for label, n in plan.items() if n > 0] or \
                  [label for label in labels if counts[label] < max(counts.values())]
        baseline_strategy = strategy
    else:
        baseline_strategy = None  # per fold: top the target classes up to the fold's majority

    seeds = np.random.SeedSequence(_seed_entropy(random_state))
    cv_seed, estimator_seed, augmenter_seed, extra_seed = (int(s) % _SEED_MAX for s in seeds.generate_state(4))

    # ---- cross-validation
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got {cv}.")
        if not isinstance(repeats, numbers.Integral) or isinstance(repeats, bool) or repeats < 1:
            raise ValueError(f"repeats must be a positive int; got {repeats!r}.")
        small = [(label, counts[label]) for label in labels if counts[label] < cv]
        if small:
            label, n = min(small, key=lambda item: item[1])
            raise DataValidationError(
                f"Class {_show(label)} has {n} row{'s' if n != 1 else ''}; {cv}-fold stratified "
                f"cross-validation needs at least {cv} rows of every class. Lower cv (--cv) to at most "
                f"{max(n, 1)} or drop the class." if n >= 2 else
                f"Class {_show(label)} has 1 row; stratified cross-validation needs at least 2 rows of "
                f"every class (and {cv} for cv={cv}). Drop the class or collect more rows.")
        splitter = RepeatedStratifiedKFold(n_splits=int(cv), n_repeats=int(repeats), random_state=cv_seed)
        n_splits, n_repeats = int(cv), int(repeats)
    elif hasattr(cv, "split"):
        splitter = cv
        n_splits, n_repeats = None, None
    else:
        raise TypeError(f"cv must be an int (number of folds) or a cross-validation splitter; got {cv!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1); got {confidence!r}.")

    # ---- baselines
    if isinstance(baselines, str):
        baselines = [baselines]
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown:
        raise ValueError(f"Unknown baseline {unknown[0]!r}; choose from {list(BASELINES)}.")
    methods = ["none"] + [b for b in dict.fromkeys(baselines) if b != "none"]

    # ---- the estimator
    if estimator is None:
        estimator = "logreg"
    if isinstance(estimator, str):
        if estimator not in ESTIMATORS:
            raise ValueError(f"Unknown estimator {estimator!r}; choose from {list(ESTIMATORS)} or pass a "
                             "scikit-learn classifier.")
        estimator_name = ESTIMATORS[estimator]
        estimator = build_estimator(estimator, X, random_state=estimator_seed)
    else:
        if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")) or not is_classifier(estimator):
            raise TypeError(f"estimator={estimator!r} is not a scikit-learn classifier (is_classifier() is False); "
                            f"pass a classifier or one of {list(ESTIMATORS)}.")
        estimator_name = _describe(estimator)
        estimator = clone(estimator)
    class_weight_key = _class_weight_key(estimator)
    if "class_weight" in methods and class_weight_key is None:
        raise ValueError(f"baseline 'class_weight' needs an estimator with a class_weight parameter; "
                         f"{estimator_name} has none. Drop it from baselines.")

    # ---- SMOTE needs at least 2 rows of each topped-up class in every training fold
    if "smote" in methods and n_splits is not None:
        for label in targets:
            n_train = counts[label] - math.ceil(counts[label] / n_splits)
            if n_train < 2:
                raise DataValidationError(
                    f"Class {_show(label)} has {counts[label]} rows: a training fold holds only {n_train}, and SMOTE "
                    "needs at least 2 to interpolate. Lower cv, or drop 'smote' from baselines.")
    numeric, categorical = split_columns(X)
    splits = list(splitter.split(X, y_values))
    if len(splits) < 2:
        raise ValueError(f"cv gave {len(splits)} split; an interval needs at least 2 folds.")
    ratio = float(np.mean([len(test) / len(train) for train, test in splits]))
    binary = len(labels) == 2
    positive = None
    if binary:
        positive = targets[0] if len(targets) == 1 else min(labels, key=lambda v: counts[v])
    return _Plan(
        X=X, y=y_values, labels=labels, counts=counts, targets=targets, augmenter=augmenter,
        augmenter_name=_augmenter_name(augmenter), augmenter_seed=augmenter_seed, explicit_classes=baseline_strategy is None,
        baseline_strategy=baseline_strategy, methods=methods + [AUGMENTER], estimator=estimator,
        estimator_name=estimator_name, class_weight_key=class_weight_key, splits=splits, n_splits=n_splits,
        n_repeats=n_repeats, test_train_ratio=ratio, confidence=float(confidence), n_jobs=n_jobs,
        progress=bool(progress), fidelity=bool(fidelity), privacy=bool(privacy), extra_seed=extra_seed,
        numeric=numeric, categorical=categorical, binary=binary, positive=positive,
        smote_name="SMOTE-NC" if categorical and numeric else ("SMOTE-N" if categorical else "SMOTE"),
    )


# ============================================================================ running
def run_evaluation(plan: _Plan):
    """Run the folds of ``plan`` (in parallel with joblib when ``n_jobs`` says so); the report."""
    from joblib import Parallel, delayed

    from gan_augment.evaluation.report import build_report

    jobs = (delayed(_run_fold)(plan, index, train, test) for index, (train, test) in enumerate(plan.splits))
    results = []
    progress = _progress(plan) if plan.progress else None
    try:
        parallel = Parallel(n_jobs=plan.n_jobs, return_as="generator")
        for result in parallel(jobs):
            results.append(result)
            if progress is not None:
                progress[0].update(progress[1], advance=1)
    finally:
        if progress is not None:
            progress[0].stop()
    return build_report(plan, results)


def _progress(plan):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True))
    bar.start()
    return bar, bar.add_task("Cross-validating", total=len(plan.splits))


def _run_fold(plan: _Plan, index: int, train, test) -> dict:
    from sklearn.base import clone

    X_train, X_test = plan.X.iloc[train].reset_index(drop=True), plan.X.iloc[test].reset_index(drop=True)
    y_train, y_test = plan.y[train], plan.y[test]
    seed = int(np.random.SeedSequence([plan.augmenter_seed, index]).generate_state(1)[0]) % _SEED_MAX
    extras = index == 0 and (plan.fidelity or plan.privacy)
    fold = {"index": index, "repeat": index // plan.n_splits if plan.n_splits else 0,
            "fold": index % plan.n_splits if plan.n_splits else index,
            "n_train": len(train), "n_test": len(test), "scores": {}, "class_scores": {}, "augment_time_s": {},
            "fit_time_s": {}, "n_added": {}, "history": None, "fidelity": [], "columns": [], "privacy": [],
            "image_quality": [], "marginals": {}}
    probe = None
    if extras and plan.privacy:
        from gan_augment.evaluation.privacy import PrivacyProbe

        probe = PrivacyProbe(X_train, X_test)
    for method in plan.methods:
        started = time.perf_counter()
        X_fit, y_fit, fitted = _resample(plan, method, X_train, y_train, seed)
        fold["augment_time_s"][method] = time.perf_counter() - started
        fold["n_added"][method] = int(len(y_fit) - len(y_train))
        model = clone(plan.estimator)
        if method == "class_weight":
            model.set_params(**{plan.class_weight_key: "balanced"})
        started = time.perf_counter()
        model.fit(X_fit, y_fit)
        fold["fit_time_s"][method] = time.perf_counter() - started
        predicted = model.predict(X_test)
        fold["scores"][method], fold["class_scores"][method] = _score(plan, model, X_test, y_test, predicted)
        if method == AUGMENTER and fitted is not None and hasattr(fitted, "history_"):
            fold["history"] = [dict(record) for record in fitted.history_]
        if extras and len(y_fit) > len(y_train):
            _inspect(plan, fold, method, X_train, y_train, X_fit, y_fit, y_test, probe, seed)
            if method == AUGMENTER and plan.fidelity and getattr(fitted, "kind_", None) == "image":
                fold["image_quality"] = _image_quality(fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed)
    return fold


def _fold_strategy(plan: _Plan, y_train):
    if plan.baseline_strategy is not None:
        return plan.baseline_strategy
    counts = Counter(y_train.tolist())
    majority = max(counts.values())
    return {label: majority for label in plan.targets}


def _resample(plan: _Plan, method: str, X_train, y_train, seed):
    """``(X_fit, y_fit, fitted sampler or None)``: the training fold, augmented by ``method``."""
    from sklearn.base import clone

    if method in ("none", "class_weight"):
        return X_train, y_train, None
    strategy = _fold_strategy(plan, y_train)
    if method == "random":
        from imblearn.over_sampling import RandomOverSampler

        sampler = RandomOverSampler(sampling_strategy=strategy, random_state=seed)
        X_res, y_res = sampler.fit_resample(X_train, y_train)
        return _as_frame(X_res, X_train), np.asarray(y_res), sampler
    if method == "smote":
        return _smote(plan, X_train, y_train, strategy, seed)
    sampler = clone(plan.augmenter)
    params = sampler.get_params(deep=False)
    if plan.explicit_classes:
        if "classes" in params:
            sampler.set_params(classes=list(plan.targets))
            if "sampling_strategy" in params:
                sampler.set_params(sampling_strategy="auto")
        elif "sampling_strategy" in params:
            sampler.set_params(sampling_strategy=strategy)
    if "random_state" in params and params["random_state"] is None:
        sampler.set_params(random_state=seed)
    X_res, y_res = sampler.fit_resample(X_train, y_train)
    return _as_frame(X_res, X_train), np.asarray(y_res), sampler


def _smote(plan: _Plan, X_train, y_train, strategy, seed):
    """SMOTE on numbers, SMOTE-NC on mixed columns, SMOTE-N on categories only; missing values are
    imputed (median / most frequent, from the training fold) for the interpolation only: the real
    rows are kept as they were and only the new rows are appended."""
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    counts = Counter(y_train.tolist())
    wanted = strategy if isinstance(strategy, dict) else None
    smallest = min(counts[label] for label in (wanted or plan.targets))
    k = max(1, min(5, smallest - 1))
    imputed = X_train.copy()
    numeric, categorical = plan.numeric, plan.categorical
    for column in numeric:
        values = pd.to_numeric(imputed[column], errors="coerce").astype(float)
        imputed[column] = values.fillna(values.median() if values.notna().any() else 0.0)
    for column in categorical:
        text = imputed[column].astype(object)
        mode = text.dropna().mode()
        imputed[column] = text.where(text.notna(), mode.iloc[0] if len(mode) else "(missing)").astype(str)
    if categorical and numeric:
        sampler = SMOTENC(categorical_features=[imputed.columns.get_loc(c) for c in categorical],
                          sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    elif categorical:
        sampler = SMOTEN(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    else:
        sampler = SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    X_res, y_res = sampler.fit_resample(imputed, y_train)
    new = _as_frame(X_res, X_train).iloc[len(X_train):].reset_index(drop=True)
    new = _cast_like(new, X_train)
    X_fit = pd.concat([X_train, new], ignore_index=True)
    return X_fit, np.asarray(y_res), sampler


def _cast_like(new: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    new = new.copy()
    for column in like.columns:
        dtype = like[column].dtype
        try:
            if pd.api.types.is_bool_dtype(dtype):
                new[column] = new[column].astype(str).map({"True": True, "False": False}).astype(dtype)
            elif pd.api.types.is_integer_dtype(dtype):
                new[column] = pd.to_numeric(new[column]).round().astype(dtype)
            elif isinstance(dtype, pd.CategoricalDtype):
                categories = {str(c): c for c in dtype.categories}
                new[column] = pd.Categorical(new[column].astype(str).map(categories), dtype=dtype)
            else:
                new[column] = new[column].astype(dtype)
        except (TypeError, ValueError):
            pass  # keep the values as the sampler returned them
    return new


def _as_frame(X_res, like: pd.DataFrame) -> pd.DataFrame:
    if isinstance(X_res, pd.DataFrame):
        return X_res.reset_index(drop=True)
    return pd.DataFrame(np.asarray(X_res), columns=like.columns)


def _score(plan: _Plan, model, X_test, y_test, predicted):
    from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score, f1_score,
                                 precision_recall_fscore_support)

    labels = plan.labels
    scores = {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "balanced_accuracy": float(balanced_accuracy_score(y_test, predicted)),
        "macro_f1": float(f1_score(y_test, predicted, labels=labels, average="macro", zero_division=0)),
    }
    if plan.binary:
        scores["pr_auc"] = math.nan
        truth = np.asarray([value == plan.positive for value in y_test])
        try:
            if hasattr(model, "predict_proba"):
                column = list(model.classes_).index(plan.positive)
                scores["pr_auc"] = float(average_precision_score(truth, model.predict_proba(X_test)[:, column]))
            elif hasattr(model, "decision_function"):
                decision = np.asarray(model.decision_function(X_test), float)
                sign = 1.0 if list(model.classes_).index(plan.positive) == 1 else -1.0
                scores["pr_auc"] = float(average_precision_score(truth, sign * decision))
        except (ValueError, AttributeError, IndexError):
            pass
    precision, recall, f1, support = precision_recall_fscore_support(
        y_test, predicted, labels=labels, zero_division=0)
    per_class = {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                 for label, p, r, f, s in zip(labels, precision, recall, f1, support)}
    return scores, per_class


def _inspect(plan, fold, method, X_train, y_train, X_fit, y_fit, y_test, probe, seed):
    """Fidelity and privacy of the rows ``method`` added to the first training fold."""
    from gan_augment.evaluation.fidelity import fidelity

    synthetic_X = X_fit.iloc[len(X_train):].reset_index(drop=True)
    synthetic_y = np.asarray(y_fit)[len(y_train):]
    for label in plan.targets:
        mask = np.asarray([value == label for value in synthetic_y])
        if not mask.any():
            continue
        real_mask = np.asarray([value == label for value in y_train])
        real, synthetic = X_train[real_mask], synthetic_X[mask]
        if plan.fidelity:
            summary, columns = fidelity(real, synthetic, random_state=seed)
            fold["fidelity"].append({"method": method, "class": label, **summary})
            fold["columns"].extend({"method": method, "class": label, **record} for record in columns)
        if probe is not None:
            holdout_mask = np.asarray([value == label for value in y_test])
            fold["privacy"].append({"method": method, "class": label, **probe.score(synthetic, holdout_mask)})
        if method == AUGMENTER:
            cap = 1000
            fold["marginals"][label] = (real.head(cap).reset_index(drop=True),
                                        synthetic.head(cap).reset_index(drop=True))


def _image_quality(fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed) -> list[dict]:
    """Per class, the added images judged by a CNN trained on the real training fold
    (:func:`gan_augment.evaluation.images.image_quality`), at the augmenter's working resolution."""
    from gan_augment.evaluation.images import image_quality

    codec = fitted.encoder_
    position = {label: i for i, label in enumerate(fitted.classes_.tolist())}

    def encode(X):
        return codec.transform(np.asarray(X))

    def indices(labels):
        return np.array([position[label] for label in np.asarray(labels).tolist()])

    added = slice(len(X_train), None)
    frame = image_quality(encode(X_train), indices(y_train), encode(X_test), indices(y_test),
                          encode(X_fit.iloc[added]), indices(np.asarray(y_fit)[added]),
                          class_names=[_plain_label(c) for c in fitted.classes_], random_state=seed)
    return [{"class": label, **{key: _plain_label(value) for key, value in row.items()},
             "judge_accuracy": frame.attrs["judge_accuracy"]} for label, row in frame.iterrows()]


def _plain_label(value):
    return value.item() if isinstance(value, np.generic) else value


# ============================================================================ summaries
def paired(plan: _Plan, folds, method: str, reference: str, key):
    """``(mean, low, high)`` of per-fold ``key(scores of method) - key(scores of reference)``."""
    differences = [key(fold, method) - key(fold, reference) for fold in folds]
    return corrected_interval(differences, plan.test_train_ratio, plan.confidence)


# ============================================================================ small helpers
def _seed_entropy(random_state):
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(_SEED_MAX))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(_SEED_MAX))
    raise TypeError(f"random_state must be None, an int, a RandomState or a Generator; got {random_state!r}.")


def _class_weight_key(estimator):
    params = estimator.get_params(deep=True)
    if "class_weight" in params:
        return "class_weight"
    keys = [k for k in params if k.endswith("__class_weight")]
    if not keys:
        return None
    # the final step of a pipeline (the classifier)
    steps = getattr(estimator, "steps", None)
    if steps:
        last = f"{steps[-1][0]}__class_weight"
        if last in keys:
            return last
    return keys[-1]


def _describe(estimator) -> str:
    steps = getattr(estimator, "steps", None)
    if steps:
        return f"{type(steps[-1][1]).__name__} (in a {type(estimator).__name__})"
    return type(estimator).__name__


def _augmenter_name(augmenter) -> str:
    from gan_augment.augmenter import GANAugmenter

    return "GAN top-up" if isinstance(augmenter, GANAugmenter) else type(augmenter).__name__


def _show(label) -> str:
    label = label.item() if isinstance(label, np.generic) else label
    return repr(label)
