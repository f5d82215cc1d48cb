"""Did augmentation make the downstream model better? Repeated stratified cross-validation.

For each training fold, every method -- no augmentation, the baselines and the augmenter under
test -- is fitted on that fold only, a fresh clone of the same estimator is trained on the result,
and everything is scored on the test fold, which stays 100% real. Scores are compared per fold with
"none" (paired differences) and summarised with a corrected t interval (:mod:`.stats`).

The inputs are checked first, by :func:`~gan_augment.evaluation.plan.plan_evaluation`; this module
runs the folds of its plan.
"""

from __future__ import annotations

import math
import time
import warnings
from collections import Counter

import numpy as np
import pandas as pd

from gan_augment._random import SEED_MAX, derive_seed, seeded_clone
from gan_augment._sampler import check_resampled, frame_like, removes_rows
from gan_augment._warnings import filters_kept, recording, say_once, user_stacklevel
from gan_augment.baselines import BASELINE_SAMPLERS, baseline_sampler, with_table_categories
from gan_augment.evaluation._types import (AUGMENTER, BASELINES, CLASS_METRICS, OVERALL_METRICS, EvaluationPlan,
                                           FoldResult, added_nothing)
from gan_augment.evaluation.plan import fold_augmenter, fold_strategy, plan_evaluation
from gan_augment.evaluation.report import method_names
from gan_augment.planner import plain_label

# Names importable from here before the plan had a module of its own.
__all__ = ["AUGMENTER", "BASELINES", "CLASS_METRICS", "OVERALL_METRICS", "plan_evaluation", "run_evaluation"]


# ============================================================================ running
def run_evaluation(plan: EvaluationPlan):
    """Run the folds of ``plan`` (in parallel with joblib when ``n_jobs`` says so); the report."""
    from joblib import Parallel, delayed

    from gan_augment.evaluation.report import build_report

    jobs = (delayed(_run_fold)(plan, index, train, test) for index, (train, test) in enumerate(plan.splits))
    results = []
    show = _progress(len(plan.splits)) if plan.progress else None
    try:
        with filters_kept():  # folds in threads: see filters_kept
            for result in Parallel(n_jobs=plan.n_jobs, return_as="generator")(jobs):
                results.append(result)
                if show is not None:
                    show(len(results))
    finally:
        if show is not None:
            show(None)
    say_once([fold.warnings for fold in results], already_said=plan.said)
    if added_nothing(results):
        # Its scores are then those of "none", and the verdict compares a model with itself.
        warnings.warn(f"{method_names(plan)[AUGMENTER]} added no rows to any training fold, so it was compared with "
                      "training on the real rows alone; check its sampling_strategy (or classes) against the "
                      "class counts.", UserWarning, stacklevel=user_stacklevel())
    return build_report(plan, results)


def _progress(total: int):
    """``show(folds done)``, ``show(None)`` at the end: a rich bar on a terminal, else plain lines."""
    from gan_augment.training.callbacks import ProgressLines, stderr_is_terminal, stop_drawn

    if not stderr_is_terminal():
        lines = ProgressLines("Cross-validating", total, unit="fold ")
        return lambda done: None if done is None else lines.update(done)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # Not redirected: what the user's estimator prints to stdout stays on stdout.
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), redirect_stdout=False, redirect_stderr=False)
    bar.start()
    task = bar.add_task("Cross-validating", total=total)
    return lambda done: stop_drawn(bar) if done is None else bar.update(task, completed=done)


def _run_fold(plan: EvaluationPlan, index: int, train, test) -> FoldResult:
    fold, raised = recording(_run_fold_quietly, plan, index, train, test)
    fold.warnings = raised
    return fold


def _run_fold_quietly(plan: EvaluationPlan, index: int, train, test) -> FoldResult:
    X_train, X_test = plan.X.iloc[train].reset_index(drop=True), plan.X.iloc[test].reset_index(drop=True)
    y_train, y_test = plan.y[train], plan.y[test]
    seed = derive_seed(plan.augmenter_seed, index) % SEED_MAX
    # A caller's splitter: one "repeat" of all its folds, unless it says how many times it repeats them.
    per_repeat = plan.n_splits or max(len(plan.splits) // (plan.n_repeats or 1), 1)
    fold = FoldResult(index=index, repeat=index // per_repeat, fold=index % per_repeat,
                      n_train=len(train), n_test=len(test))
    # Fidelity, privacy and image quality are measured on the first fold only: they describe the
    # samples, not the downstream model, and cost as much as the rest of a fold.
    inspect = index == 0 and (plan.fidelity or plan.privacy)
    probe = _privacy_probe(X_train, X_test, plan.categorical, images=plan.image_shape is not None) \
        if inspect and plan.privacy else None
    added = {}  # method -> the rows it added to the first training fold
    for method in plan.methods:
        X_fit, y_fit, fitted = _fit_method(plan, fold, method, X_train, y_train, X_test, y_test, seed)
        # An under-sampler adds no rows: no fidelity or privacy to measure, and nothing to say of it.
        removes_only = method == AUGMENTER and removes_rows(plan.augmenter)
        examined = inspect and len(y_fit) != len(y_train) and not removes_only
        ordered = _training_rows_first(X_train, y_train, X_fit, y_fit) if examined else None
        if examined and ordered is None:
            fold.not_inspected.append(method)  # said in the report too, which outlives the warning
            # (recorded by _run_fold with the fold's other warnings, and said once; named as the tables do)
            warnings.warn(f"{method_names(plan)[method]} changed or removed training rows (as cleaning samplers such "
                          "as SMOTEENN and SMOTETomek do), so the rows it added cannot be told from the real ones: its "
                          "fidelity and privacy are not measured.", UserWarning, stacklevel=user_stacklevel())
        elif examined and len(y_fit) > len(y_train):
            X_fit, y_fit = ordered
            added[method] = X_fit.iloc[len(X_train):]
            _inspect(plan, fold, method, X_train, y_train, X_fit, y_fit, y_test, probe, seed)
            if method == AUGMENTER:
                gan = _fitted_gan(fitted)
                if plan.fidelity:  # (the image judge trains a CNN: fidelity's cost, as the C2ST's)
                    fold.image_quality = _kind_quality(gan, X_train, y_train, X_test, y_test, X_fit, y_fit, seed)
                # The GAN's own checks, read off it: reported with privacy alone too (fidelity=False dropped them).
                fold.rules = _rules_broken(gan, added)
                fold.diversity = _diversity(gan, plan.targets)
    return fold


def _training_rows_first(X_train, y_train, X_fit, y_fit):
    """``(X_fit, y_fit)`` with the training fold first, as it was, and the rows the sampler added
    after it; None where the sampler changed or removed training rows. A sampler that returns its
    rows shuffled (a common last step) is read by matching rows and labels: it was said to have
    changed them, and a memoriser that shuffled went unmeasured."""
    if _kept_training_rows(X_train, y_train, X_fit, y_fit):
        return X_fit, y_fit
    if len(y_fit) <= len(y_train):
        return None
    try:
        left = Counter(_rows_and_labels(X_train, y_train))
        added = []
        for position, key in enumerate(_rows_and_labels(X_fit, y_fit)):
            if left[key] > 0:
                left[key] -= 1
            else:
                added.append(position)
    except TypeError:  # a cell that cannot be hashed (a list): no matching
        return None
    if +left:  # a training row not among the sampler's
        return None
    X_added = X_fit.iloc[added].reset_index(drop=True)
    return (pd.concat([X_train.reset_index(drop=True), X_added], ignore_index=True),
            np.concatenate([np.asarray(y_train), np.asarray(y_fit)[added]]))


def _rows_and_labels(X, y) -> list:
    """Each row's cells and label as a tuple, missing cells alike (None), for matching rows."""
    return list(zip(_missing_alike(X).itertuples(index=False, name=None), (plain_label(v) for v in np.asarray(y))))


def _missing_alike(frame):
    """``frame`` as objects, each missing cell None: imbalanced-learn hands None back as NaN."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


def _kept_training_rows(X_train, y_train, X_fit, y_fit) -> bool:
    """Whether the resampled fold starts with the training fold as it was: the rows after it are
    then the ones the sampler added (a sampler that also removes or moves rows gives no such split)."""
    n = len(y_train)
    if len(y_fit) < n or not np.array_equal(np.asarray(y_fit)[:n], np.asarray(y_train)):
        return False

    try:
        pd.testing.assert_frame_equal(_missing_alike(X_fit.iloc[:n]), _missing_alike(X_train), check_dtype=False,
                                      check_index_type=False, check_column_type=False, check_categorical=False)
    except AssertionError:
        return False
    return True


def _diversity(fitted, targets) -> list[dict]:
    """The GAN's own mode-collapse check (``diversity_``) for the classes it topped up."""
    measured = getattr(fitted, "diversity_", None) or {}
    return [{"class": label, **measured[label].to_dict(), "collapsed": measured[label].collapsed}
            for label in targets if label in measured]


def _rules_broken(fitted, added: dict) -> list[dict]:
    """Share of the rows each method added that break the rules of the real training rows (one-hot
    groups, 0/1 columns, missingness links, columns read off another, implied values), as the
    augmenter's encoder found them on this fold;
    nothing when the augmenter keeps no such rules (images, other samplers, ``detect_rules=False``)."""
    encoder = getattr(fitted, "encoder_", None)
    if encoder is None or not hasattr(encoder, "rule_violations") or not encoder.describe_rules():
        return []
    return [{"method": method, "rule": rule, "broken": rate}
            for method, rows in added.items() for rule, rate in encoder.rule_violations(rows).items()]


def _fit_method(plan: EvaluationPlan, fold: FoldResult, method: str, X_train, y_train, X_test, y_test, seed):
    """Resample the training fold by ``method``, train the estimator on it and score it on the test
    fold, recording into ``fold``; ``(X_fit, y_fit, fitted sampler or None)``."""
    from sklearn.base import clone

    started = time.perf_counter()
    X_fit, y_fit, fitted = _resample(plan, method, X_train, y_train, seed)
    fold.augment_time_s[method] = time.perf_counter() - started
    fold.n_added[method] = int(len(y_fit) - len(y_train))
    model = clone(plan.estimator)
    if method == "class_weight" and plan.class_weight_key is not None:  # the plan made sure it is not
        model.set_params(**{plan.class_weight_key: "balanced"})
    rows, test_rows = (X_fit.to_numpy(), X_test.to_numpy()) if plan.estimator_reads_array else (X_fit, X_test)
    started = time.perf_counter()
    model.fit(rows, y_fit)
    fold.fit_time_s[method] = time.perf_counter() - started
    predicted = model.predict(test_rows)
    fold.scores[method], fold.class_scores[method] = _score(plan, model, test_rows, y_test, predicted)
    history = getattr(_fitted_gan(fitted), "history_", None) if method == AUGMENTER else None
    if history is not None:
        fold.history = [dict(record) for record in history]
    return X_fit, y_fit, fitted


def _fitted_gan(fitted):
    """The fitted GAN whose checks and history the report shows: the augmenter itself, or
    AutoAugmenter's where the GAN won (``augmenter_``; None where another sampler did)."""
    return getattr(fitted, "augmenter_", fitted)


def _privacy_probe(X_train, X_test, categorical=(), *, images=False):
    from gan_augment.evaluation.privacy import PrivacyProbe

    return PrivacyProbe(X_train, X_test, categorical, images=images)


def _kind_quality(fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed) -> list[dict]:
    """The data kind's own judgement of the samples (images: the CNN judge); other imbalanced-learn
    samplers have no ``kind_``, and the generic fidelity scores are all there is for them."""
    from gan_augment.kinds.base import DataKind

    kind = getattr(fitted, "kind_", None)
    if not isinstance(kind, DataKind):
        return []
    return kind.fold_quality(fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed)


def _resample(plan: EvaluationPlan, method: str, X_train, y_train, seed):
    """``(X_fit, y_fit, fitted sampler or None)``: the training fold, augmented by ``method``."""
    if method in ("none", "class_weight"):
        return X_train, y_train, None
    strategy = fold_strategy(plan.targets, plan.baseline_strategy, y_train)
    if method in BASELINE_SAMPLERS:
        # SMOTE's categories as the plan read them on the whole table, not on this fold's rows alone.
        sampler = baseline_sampler(method, strategy, random_state=seed, image_shape=plan.image_shape,
                                   categorical_features=plan.categorical)
        X_res, y_res = sampler.fit_resample(X_train, y_train)
        return frame_like(X_res, X_train), np.asarray(y_res), sampler
    sampler = fold_augmenter(plan.augmenter, plan.targets, plan.explicit_classes, plan.baseline_strategy, strategy)
    # Its unseeded random_states seeded, nested ones too (an imbalanced-learn Pipeline's steps,
    # SMOTEENN's smote=): left unseeded, the same random_state gave another report each run.
    sampler = seeded_clone(sampler, seed)
    X_res, y_res = with_table_categories(sampler, plan.categorical, X_train).fit_resample(X_train, y_train)
    check_resampled(sampler, X_train, y_train, X_res, y_res)
    return frame_like(X_res, X_train), np.asarray(y_res), sampler


def _score(plan: EvaluationPlan, model, X_test, y_test, predicted):
    from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score, f1_score,
                                 precision_recall_fscore_support)

    labels = plan.labels
    kind = np.asarray(y_test).dtype
    if kind.kind in "mM":  # nanosecond dates: scikit-learn would mix their Timestamps with integers
        labels = np.array(labels, dtype=kind)
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
        except (ValueError, AttributeError, IndexError) as exc:
            # A secondary PR-AUC the estimator cannot give stays empty in the tables; the primary
            # metric empty in every fold would read as "no evidence" with a wrong reason.
            if plan.metric == "pr_auc":
                raise ValueError(f"metric='pr_auc' could not be computed from {plan.estimator_name}'s scores "
                                 f"({type(exc).__name__}: {exc}). A classifier needs classes_ and predict_proba "
                                 "or decision_function for it; or choose another metric.") from exc
    # A class the model never predicts has no precision (0 / 0): NaN, which the comparisons drop,
    # not 0, which made "predicts it now" read as a gain in precision. Its F1 is 0 (it is missed).
    precision = precision_recall_fscore_support(y_test, predicted, labels=labels, zero_division=np.nan)[0]
    _, recall, f1, support = precision_recall_fscore_support(y_test, predicted, labels=labels, zero_division=0)
    # Keyed by the plan's labels, as the report reads them: a day's datetime64 equals its
    # datetime.date, but hashes otherwise (every lookup missed, after every fold had trained).
    per_class = {label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                 for label, p, r, f, s in zip(plan.labels, precision, recall, f1, support)}
    return scores, per_class


def _rows_by_label(values) -> dict:
    """``{label: positions of the rows with it}``, in one pass: a comparison per class over every
    row was classes x rows (1.1 s of an evaluation of 200 classes). A dict takes labels as ``==``
    does (1, 1.0 and True alike)."""
    rows: dict = {}
    for position, value in enumerate(np.asarray(values).tolist()):
        rows.setdefault(value, []).append(position)
    return rows


def _inspect(plan: EvaluationPlan, fold: FoldResult, method: str, X_train, y_train, X_fit, y_fit, y_test, probe, seed):
    """Fidelity and privacy of the rows ``method`` added to the first training fold."""
    from gan_augment.evaluation.fidelity import fidelity

    synthetic_X = X_fit.iloc[len(X_train):].reset_index(drop=True)
    synthetic_rows, real_rows, test_rows = (_rows_by_label(values) for values in
                                            (np.asarray(y_fit)[len(y_train):], y_train, y_test))
    for label in plan.targets:
        if label not in synthetic_rows:
            continue
        real, synthetic = X_train.iloc[real_rows.get(label, [])], synthetic_X.iloc[synthetic_rows[label]]
        if plan.fidelity:
            summary, columns = fidelity(real, synthetic, random_state=seed, categorical=plan.categorical)
            fold.fidelity.append({"method": method, "class": label, **summary})
            fold.columns.extend({"method": method, "class": label, **record} for record in columns)
        if probe is not None:
            holdout_mask = np.zeros(len(y_test), dtype=bool)
            holdout_mask[test_rows.get(label, [])] = True
            fold.privacy.append({"method": method, "class": label, **probe.score(synthetic, holdout_mask)})
        if method == AUGMENTER:
            cap = 1000  # rows kept for the report's figures
            fold.marginals[label] = (real.head(cap).reset_index(drop=True),
                                     synthetic.head(cap).reset_index(drop=True))
