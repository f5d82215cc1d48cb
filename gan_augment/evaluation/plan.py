"""Check everything before anything is fitted: :func:`plan_evaluation` -> :class:`EvaluationPlan`.

A cross-validation of GANs runs for minutes to hours; a bad class name or a fold too small for
SMOTE must fail at once, not after the first fold. Each step below checks one input, in the order
a user reads the arguments, and raises an error that names what is at fault.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, NamedTuple, Optional

import numpy as np
import pandas as pd
from scipy import sparse

from gan_augment._folds import given_folds, is_fold_list, row_numbers
from gan_augment._memory import check_top_up_fits, value_bytes
from gan_augment._random import SEED_MAX, check_seed, seeded_clone, seeded_splitter
from gan_augment._sampler import refuse_class, removes_rows
from gan_augment._warnings import catching_warnings, user_stacklevel
from gan_augment.baselines import MixedSMOTE, named_categorical, smote_frame, smote_nc_refusal, with_table_categories
from gan_augment.classifier import check_estimator_takes, check_sampler_takes, warn_of_own_samplers
from gan_augment.data.images import check_not_pil_images, check_pixels
from gan_augment.data.tabular import as_pandas_frame, check_columns, check_target, rows_as_array
from gan_augment.evaluation._prep import ESTIMATORS, build_estimator, split_columns
from gan_augment.evaluation._types import AUGMENTER, BASELINES, OVERALL_METRICS, PRIMARY_METRIC, EvaluationPlan
from gan_augment.exceptions import DataValidationError
from gan_augment.kinds.tabular import check_finite
from gan_augment.training.distributed import refuse_folds_in_workers
from gan_augment.planner import InEveryClass, class_counts, plain_label, plan_top_up, stratified_training_rows

__all__ = ["plan_evaluation"]


def plan_evaluation(X, y, augmenter=None, *, estimator=None, classes=None, cv=5, repeats=3,
                    baselines="auto", n_jobs=None, random_state=None,
                    confidence=0.95, metric=PRIMARY_METRIC, progress=False, fidelity=True,
                    privacy=True) -> EvaluationPlan:
    """Validate every input and return the plan of the evaluation; nothing is fitted here.

    ``metric`` is the primary metric the verdict decides on (see :mod:`._verdict`), fixed here,
    before any fold runs.

    Raises ValueError / TypeError (DataValidationError for the data) naming what is at fault.
    """
    refuse_class("augmenter", augmenter)  # (get_params then wanted a self, deep in the plan)
    refuse_class("estimator", estimator)
    X, y, given_as_array = _check_data(X, y)
    counts = class_counts(y)
    _check_text_labels(counts)
    # Said now, of the whole data; the folds' top-ups say them again, which run_evaluation leaves out.
    with catching_warnings(record=True) as said:
        warnings.simplefilter("always")
        targets = _explicit_targets(y, classes, augmenter)
        augmenter = _check_augmenter(augmenter)
        explicit = targets is not None
        baseline_strategy = None  # with explicit classes, per fold: top them up to the fold's majority
        if targets is None:
            if removes_rows(augmenter):
                # Its sampling_strategy names the classes it reduces ('majority', {0: 100}), which read
                # as a top-up's was refused. The baselines top up every class under the majority.
                _check_reduction(augmenter, y, "augmenter's ")
                baseline_strategy = "auto"
            else:
                baseline_strategy = augmenter.get_params(deep=False).get("sampling_strategy", "auto")
            if isinstance(baseline_strategy, InEveryClass):  # the baselines top up what it tops up
                baseline_strategy(y)  # what the fit would refuse (a placement in a placement), refused now
                baseline_strategy = baseline_strategy.sampling_strategy
            targets = _strategy_targets(y, baseline_strategy, counts, X.shape[1], value_bytes(X, image=False))
    for warning in said:
        warnings.warn(warning.message, stacklevel=user_stacklevel())
    _check_augmenter_settings(augmenter, X)
    check_sampler_takes(augmenter, X)
    _check_sources(augmenter, y, targets)
    seed = check_seed(random_state)  # drawn once: the report records it, so that it can be run again
    seeds = _seeds(seed)
    splitter, n_splits, n_repeats = _check_cv(cv, repeats, counts, seeds.cv)
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number in (0, 1), e.g. 0.95; got {confidence!r}.")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0):
        raise ValueError(f"n_jobs (--n-jobs) is the number of folds to run at once: a whole number other than 0 "
                         f"(1, 2, ...; -1 for every core), or None; got {n_jobs!r}.")
    refuse_folds_in_workers(n_jobs, _gan_distributed(augmenter), who="The evaluation")
    binary = len(counts) == 2
    metric = _check_metric(metric, binary)
    image_shape = _image_shape(augmenter)
    # The columns the augmenter is told are categories are categories for the baselines and the
    # classifier too: SMOTE-NC picks a zip code, it does not interpolate it.
    named = named_categorical(augmenter, X)
    theirs = not (estimator is None or isinstance(estimator, str))
    _warn_of_auto_choosing_otherwise(augmenter, estimator, metric, positive_class(targets, counts) if binary else None)
    estimator, estimator_name = _check_estimator(estimator, X, seeds.estimator, image_shape, named)
    if metric == "pr_auc" and not (hasattr(estimator, "predict_proba") or hasattr(estimator, "decision_function")):
        # Found out after every fold otherwise: a NaN verdict.
        raise ValueError(f"metric='pr_auc' ranks the test rows by the estimator's scores, and {estimator_name} has "
                         "neither predict_proba nor decision_function. Choose macro_f1, balanced_accuracy or "
                         "accuracy, or an estimator that scores its predictions.")
    class_weight_key = _class_weight_key(estimator)
    # Weights the caller set are every method's, "none" included; "balanced" in one arm only was
    # then compared with a weighted "none" (or repeated it), without a word.
    own_weights = None if class_weight_key is None else estimator.get_params(deep=True)[class_weight_key]
    if isinstance(baselines, str) and baselines == "auto":
        # What a practitioner would try first; class weights wherever the estimator takes them, and
        # for images the rare images repeated under classic augmentation.
        if own_weights is not None:
            warnings.warn(f"The estimator's {class_weight_key}={own_weights!r} weights every method, 'none' included, "
                          "so the class_weight baseline is left out; set it to None to compare weighting with the "
                          "top-ups.", UserWarning, stacklevel=user_stacklevel())
        baselines = (("none", "random", "smote")
                     + (("class_weight",) if class_weight_key is not None and own_weights is None else ())
                     + (("classic",) if image_shape is not None and _has_albumentations() else ()))
    methods = _check_baselines(baselines)
    if "class_weight" in methods and class_weight_key is None:
        raise ValueError(f"baseline 'class_weight' needs an estimator with a class_weight parameter; "
                         f"{estimator_name} has none. Drop it from baselines.")
    if "class_weight" in methods and own_weights is not None:
        raise ValueError(f"baseline 'class_weight' sets {class_weight_key}='balanced' in its arm only, but the "
                         f"estimator's own {class_weight_key}={own_weights!r} weights every other method, 'none' "
                         f"included. Set it to None (estimator.set_params({class_weight_key}=None)) to compare "
                         "weighting with no weighting, or drop the baseline.")
    if "classic" in methods:
        _check_classic(image_shape)
    if image_shape is not None and X.shape[1] != int(np.prod(image_shape)):  # whatever the baselines
        raise ValueError(f"image_shape={image_shape} holds {int(np.prod(image_shape))} pixels, but the rows of X "
                         f"have {X.shape[1]} columns; give the augmenter the (C, H, W) of the images.")
    if image_shape is not None:
        check_pixels(X)  # a NaN, or values past float32: refused by the first fold's fit, its baselines trained
    elif "smote" in methods or estimator_name == ESTIMATORS["logreg"]:
        # Infinities and magnitudes past 1e150, named now: in the first fold SMOTE refused them after
        # 'none' had trained, and the logistic regression's standardising overflowed to NaN ("Input X
        # contains NaN", with advice to impute).
        check_finite(X, limit="SMOTE can interpolate without overflowing" if "smote" in methods
                     else "the logistic regression can standardise without overflowing")
    if "smote" in methods and n_splits is not None:
        _check_smote_folds(targets, counts, n_splits, methods, "rows" if image_shape is None else "images")
    numeric, categorical = split_columns(X, named)
    splits = _check_splits(splitter, X, y)
    if "smote" in methods and n_splits is None:
        _check_smote_splits(targets, y, splits, methods)
    _check_augmenter_folds(augmenter, targets, y, splits, counts, n_splits)
    _check_fold_plans(augmenter, y, targets, explicit, baseline_strategy, splits)
    if image_shape is None:
        _check_smote_memory(X, y, numeric, categorical, targets, baseline_strategy, splits, methods, augmenter)
    return EvaluationPlan(
        X=X, y=y, labels=list(counts), counts=counts, numeric=numeric, categorical=categorical, binary=binary,
        positive=positive_class(targets, counts) if binary else None,
        targets=targets, explicit_classes=explicit, baseline_strategy=baseline_strategy,
        methods=(*methods, AUGMENTER), augmenter=augmenter, augmenter_name=_augmenter_name(augmenter),
        augmenter_seed=seeds.augmenter, random_state=seed, smote_name=_smote_name(numeric, categorical),
        image_shape=image_shape,
        estimator=estimator, estimator_name=estimator_name, class_weight_key=class_weight_key,
        # A classifier of the caller's gets rows as X came (a function of columns by position failed on
        # the plan's frame); the built-in ones read the frame's columns.
        estimator_reads_array=given_as_array and theirs,
        splits=splits, n_splits=n_splits, n_repeats=n_repeats,
        test_train_ratio=float(np.mean([len(test) / len(train) for train, test in splits])),
        confidence=float(confidence), metric=metric, n_jobs=None if n_jobs is None else int(n_jobs),
        progress=bool(progress), fidelity=bool(fidelity), privacy=bool(privacy),
        said=tuple((warning.category, str(warning.message)) for warning in said),
    )


# ============================================================================ the data
def _check_data(X, y) -> tuple[pd.DataFrame, np.ndarray, bool]:
    """``X`` as a DataFrame with a fresh index, ``y`` as a 1-D array of as many labels, and whether
    X came as an array (rows) rather than a table."""
    check_not_pil_images(X, rows=True)  # before the advice on image arrays, which a list cannot follow
    X = as_pandas_frame(X)
    if sparse.issparse(X):
        raise DataValidationError("evaluate_augmentation does not accept sparse input: its samplers read dense rows. "
                                  "Pass a dense array (X.toarray()) or DataFrame.")
    given_as_array = not isinstance(X, pd.DataFrame)
    if not given_as_array:
        check_columns(X)
        X = X.reset_index(drop=True)
    else:
        array = np.asarray(rows_as_array(X))
        if array.ndim != 2:
            raise DataValidationError(f"X must be 2-D (rows x columns); got an array of shape {array.shape}."
                                      f"{_image_rows_advice(array.shape)}")
        # infer_objects: an object array's columns of numbers are numbers (as the GAN reads them),
        # not categories, to the estimator and SMOTE.
        X = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])]).infer_objects()
        check_columns(X)  # no columns: refused by the first fold's estimator otherwise
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise DataValidationError(f"y must be 1-D; got shape {labels.shape}.")
    if len(labels) != len(X):
        raise DataValidationError(f"X has {len(X)} rows but y has {len(labels)}; they must match.")
    # Missing labels, labels of two kinds (1 and "b") that cannot be sorted into classes, and a
    # regression-like target, named as the samplers name them.
    check_target(labels)
    if len(np.unique(labels)) < 2:
        raise DataValidationError("y holds a single class; there is nothing to compare.")
    return X, labels, given_as_array


def _image_rows_advice(shape: tuple) -> str:
    """How to pass an image batch of ``shape`` to the evaluator; empty when it is no image batch."""
    from gan_augment.data.layout import flattening

    found = flattening(shape)
    if found is None:
        return ""
    code, image_shape = found
    return (f" The evaluator reads images as rows of pixels in (C, H, W) order: pass {code}, and an augmenter "
            f"that reads them so, e.g. GANAugmenter(image_shape={image_shape}).")


def _check_text_labels(labels) -> None:
    """A class must be text pandas can hold: a folder name of bytes that are not UTF-8 is read with
    lone surrogates ('caf\\udce9'), which failed the report's tables once the folds had trained."""
    for label in labels:
        if isinstance(label, str):
            try:
                label.encode("utf-8")
            except UnicodeEncodeError:
                raw = label.encode("utf-8", "surrogateescape")
                raise DataValidationError(
                    f"Class {label!r} is not UTF-8 text (the bytes {raw!r}, e.g. a folder named in another "
                    "encoding), which the evaluation's tables cannot hold. Rename it in UTF-8 (a folder: "
                    f"{raw.decode('latin-1')!r} if it was Latin-1).") from None


# ============================================================================ what is topped up
def _explicit_targets(y, classes, augmenter) -> Optional[list]:
    """The classes named by ``classes=``, else by the augmenter's own ``classes`` (or its
    ``InEveryClass``'s); None when none names any (the augmenter's ``sampling_strategy`` then decides)."""
    params = augmenter.get_params(deep=False) if hasattr(augmenter, "get_params") else {}
    strategy = params.get("sampling_strategy")
    if classes is not None:
        where, named = "", classes
        if augmenter is not None and not {"classes", "sampling_strategy"} & set(params):
            # The baselines topped up the classes named, and the augmenter what it tops up by itself.
            steps = "; or set it on its sampler step (augmenter.set_params(<step>__sampling_strategy=...))" if (
                "steps" in params) else ""
            raise ValueError(f"classes= is set, but the augmenter {type(augmenter).__name__} has neither classes nor "
                             f"sampling_strategy to take it, so it would top up other classes than the baselines. "
                             f"Leave classes= out to compare on what it tops up by itself{steps}.")
    elif augmenter is not None and getattr(augmenter, "classes", None) is not None:
        where, named = "augmenter.classes: ", augmenter.classes
    elif isinstance(strategy, InEveryClass) and strategy.classes is not None:
        where, named = "augmenter's InEveryClass(classes=...): ", strategy.classes
    else:
        return None
    try:
        # Held back until the plan is known: when it adds nothing, the error below says so once.
        with catching_warnings(record=True) as said:
            warnings.simplefilter("always")
            plan = plan_top_up(y, classes=named)
    except ValueError as exc:
        raise DataValidationError(f"{where}{exc}") from None
    if any(n > 0 for n in plan.values()):
        for warning in said:
            warnings.warn(warning.message)  # to the caller's record (plan_evaluation's)
    else:
        # Every fold's top-up would add nothing, and the verdict would compare a model with itself.
        raise DataValidationError(
            f"{where}{', '.join(map(repr, plan))} already ha{'s' if len(plan) == 1 else 've'} the majority count: "
            "the top-up adds nothing to evaluate. Name a rarer class (classes=, --classes).")
    return list(plan)


def _strategy_targets(y, strategy, counts: dict, width: int, bytes_per_value: float = 8) -> list:
    """The classes the augmenter's ``sampling_strategy`` adds rows to (when it adds none, every class
    but the largest: the report still compares the methods on them); a top-up of rows of ``width``
    values that no fold could hold is refused before the folds (the baselines' allocated it)."""
    try:
        plan = plan_top_up(y, strategy)
    except (ValueError, TypeError) as exc:
        said = str(exc)  # named in the words of a ratio's refusal
        raise ValueError(f"augmenter's {said}" if said.startswith("sampling_strategy=") else
                         f"augmenter's sampling_strategy={strategy!r}: {said}") from None
    check_top_up_fits(plan, width, "rows", value_bytes=bytes_per_value,
                      what=f"augmenter's sampling_strategy={strategy!r}: the top-up's ")
    majority = max(counts.values())
    targets = [label for label, n in plan.items() if n > 0] or [label for label, n in counts.items() if n < majority]
    if not targets:
        # Every class ties for the majority: each fold's top-up would add a row or none, and the
        # verdict would compare a model with itself (the PR-AUC class the first of a tie).
        raise DataValidationError(
            f"Every class has {majority:,} rows: with no class rarer than another, the top-up adds nothing to "
            "evaluate. Name a class to top up (classes=, --classes) with a sampling_strategy that adds to it, or "
            "evaluate on data where a class is rare.")
    return targets


def positive_class(targets: list, counts: dict):
    """The class PR-AUC is measured for on a binary target: the one topped up, else the rarer."""
    return targets[0] if len(targets) == 1 else min(counts, key=counts.__getitem__)


# ============================================================================ the augmenter
def _check_augmenter(augmenter):
    """An unfitted clone of ``augmenter`` (``GANAugmenter()`` for None)."""
    from sklearn.base import clone

    if augmenter is None:
        from gan_augment.augmenter import GANAugmenter

        augmenter = GANAugmenter()
    if not hasattr(augmenter, "fit_resample"):
        raise TypeError(f"augmenter={augmenter!r} has no fit_resample method; pass a GANAugmenter or any "
                        "imbalanced-learn style sampler.")
    checkpoint_dir = augmenter.get_params(deep=False).get("checkpoint_dir") if hasattr(augmenter, "get_params") \
        else None
    if checkpoint_dir is not None:
        # Every fold's GAN would train into the one folder, and the second would refuse the first's
        # checkpoint as "other data", after a whole fit.
        raise ValueError(f"The augmenter's checkpoint_dir={checkpoint_dir!r} cannot serve the evaluation, which "
                         "fits a GAN per fold; set it to None (augmenter.set_params(checkpoint_dir=None)), or fit "
                         "the GAN on its own to checkpoint it.")
    return clone(augmenter)


def _check_reduction(sampler, y, where: str) -> None:
    """An under-sampler's ``sampling_strategy`` against the counts of ``y``, by imbalanced-learn's own
    check (which its fit runs, after the baselines had trained); refused as a DataValidationError
    that starts with ``where``."""
    from imblearn.utils import check_sampling_strategy

    strategy = sampler.get_params(deep=False).get("sampling_strategy", "auto")
    try:
        check_sampling_strategy(strategy, y, sampler._sampling_type)
    except ValueError as exc:
        raise DataValidationError(
            f"{where}{type(sampler).__name__}(sampling_strategy={strategy!r}): {exc} An under-sampler's "
            "sampling_strategy names the classes it reduces, and to how many rows; ask for counts every training "
            "fold holds, or use other folds (cv=, --cv).") from None


def _check_sources(augmenter, y, targets: list) -> None:
    """A translator's ``source=`` against the classes and the top-up, before any fold: its fit
    refused a class y does not hold after the first fold's baselines and CNNs had trained (each
    fold's own top-up: :func:`_check_fold_plans`)."""
    from sklearn.base import clone

    from gan_augment.translation import TranslationAugmenter

    if isinstance(augmenter, TranslationAugmenter) and augmenter.source is not None:
        probe = clone(augmenter)
        probe.classes_ = np.unique(np.asarray(y))
        every = isinstance(augmenter.sampling_strategy, InEveryClass)  # it tops up every class
        probe.sampling_strategy_ = {plain_label(label): 1 for label in (probe.classes_ if every else targets)}
        probe._allowed_sources()


def fold_strategy(targets: list, baseline_strategy, y_train):
    """The baselines' ``sampling_strategy`` in a training fold: the augmenter's own, or with explicit
    classes, those classes up to this fold's majority count (a dict of wanted counts, imblearn's form)."""
    if baseline_strategy is not None:
        return baseline_strategy
    majority = max(class_counts(y_train).values())
    values = np.asarray(y_train)
    if values.dtype.kind in "mM":  # keyed by the fold's own dates: a day's equals its datetime.date, hashed otherwise
        fold = np.unique(values)
        targets = [next((value for value in fold if value == label), label) for label in targets]
    return {label: majority for label in targets}


def fold_augmenter(augmenter, targets: list, explicit_classes: bool, baseline_strategy, fold_strategy):
    """An unfitted clone of ``augmenter`` set to top up what the baselines top up in a fold:
    ``fold_strategy`` is theirs there (the wanted counts of explicit ``targets``)."""
    from sklearn.base import clone

    sampler = clone(augmenter)
    params = sampler.get_params(deep=False)
    if removes_rows(sampler):
        return sampler  # its strategy names the classes it reduces, not the ones topped up
    if isinstance(params.get("sampling_strategy"), InEveryClass):
        # Its rows in every class, around the top-up the baselines make.
        base = {"classes": list(targets)} if explicit_classes else {"sampling_strategy": baseline_strategy}
        sampler.set_params(sampling_strategy=InEveryClass(**base), **({"classes": None} if "classes" in params else {}))
    elif explicit_classes:
        if "classes" in params:
            sampler.set_params(classes=list(targets))
            if "sampling_strategy" in params:
                sampler.set_params(sampling_strategy="auto")
        elif "sampling_strategy" in params:
            sampler.set_params(sampling_strategy=fold_strategy)
    return sampler


def _check_fold_plans(augmenter, y, targets: list, explicit: bool, baseline_strategy, splits: list) -> None:
    """Each training fold's top-up, planned before any fold runs, as the fold will plan it: a
    fold's counts differ from the whole data's, so a ratio the whole data meets can ask a fold to
    remove rows (imbalanced-learn's refusal, after the folds before had trained), and a class tied
    for the majority can be a fold's class to top up, from no source a translator's ``source=``
    allows (refused in the middle of the run)."""
    from gan_augment.translation import TranslationAugmenter

    translator = isinstance(augmenter, TranslationAugmenter) and augmenter.source is not None
    for number, (train, _) in enumerate(splits, start=1):
        y_train = y[train]
        fold = {label: int(n) for label, n in class_counts(y_train).items()}
        strategy = fold_strategy(targets, baseline_strategy, y_train)
        sampler = fold_augmenter(augmenter, targets, explicit, baseline_strategy, strategy)
        params = sampler.get_params(deep=False)
        said = (f"cv split {number} of {len(splits)} trains on other counts than the whole data ("
                + ", ".join(f"{_show(label)} {n}" for label, n in fold.items()) + "), and its top-up is refused there")
        with catching_warnings(record=True):  # the whole data's plan said them already
            try:
                plan_top_up(y_train, strategy)
                plan = None if removes_rows(sampler) else plan_top_up(y_train, params.get("sampling_strategy", "auto"),
                                                                      params.get("classes"))
            except ValueError as exc:  # (its words name sampling_strategy)
                raise DataValidationError(f"{said}: {exc} Use a top-up every training fold can follow, or other folds "
                                          "(cv=, --cv).") from None
        if plan is None:
            _check_reduction(sampler, y_train, said.replace("its top-up", "its under-sampling") + ": ")
        if translator:
            sampler.classes_ = np.unique(y_train)
            sampler.sampling_strategy_ = plan
            try:
                sampler._allowed_sources()
            except ValueError as exc:
                raise DataValidationError(f"{said}: {str(exc).rstrip('.')} (a fold may top up a class tied with the "
                                          "largest), or use other folds (cv=, --cv).") from None


def _check_augmenter_settings(augmenter, X) -> None:
    """The augmenter's parameters (a GAN's settings for ``X`` too), checked before any fold: they were
    refused by the first fold's fit, after the baselines had trained (a bad generator_dims 39 s into
    cut Adult; an AutoAugmenter's cv=1 or MixedSMOTE's k_neighbors=0 alike)."""
    from gan_augment.augmenter import GANAugmenter
    from gan_augment.auto import AutoAugmenter

    if hasattr(augmenter, "_parameter_constraints") and hasattr(augmenter, "_validate_params"):
        # scikit-learn's own check, which fit runs first
        augmenter._validate_params()
    if isinstance(augmenter, AutoAugmenter):
        methods, _ = augmenter._check_candidates()  # its methods and amounts
        if "gan" in methods:  # its GAN's settings for X too (the default GAN's, where it has none)
            _check_augmenter_settings(augmenter.augmenter if augmenter.augmenter is not None else GANAugmenter(), X)
    if isinstance(augmenter, GANAugmenter):
        # A date column, a translator given a table: refused by the first fold's fit.
        augmenter._refuse_settings_for(X)


def _gan_distributed(augmenter):
    """The ``distributed`` setting of the GAN the augmenter fits (an AutoAugmenter's, its default
    GAN's "auto"); False where it fits none."""
    from gan_augment.augmenter import GANAugmenter
    from gan_augment.auto import AutoAugmenter

    if isinstance(augmenter, AutoAugmenter):
        return augmenter._gan_distributed()
    return augmenter.distributed if isinstance(augmenter, GANAugmenter) else False


def _augmenter_name(augmenter) -> str:
    """The augmenter's name in the report: a GAN's by its loss and generator, a pipeline's by its
    steps (``Pipeline(SimpleImputer, SMOTE)``: "Pipeline" alone told two of them apart from nothing)."""
    from gan_augment.augmenter import GANAugmenter

    if isinstance(augmenter, GANAugmenter):
        return augmenter._top_up_name
    steps = getattr(augmenter, "steps", None)
    if isinstance(steps, list) and steps and all(isinstance(step, tuple) and len(step) >= 2 for step in steps):
        shown = [_augmenter_name(step[1]) for step in steps if step[1] not in (None, "passthrough")]
        return f"{type(augmenter).__name__}({', '.join(shown)})"
    return type(augmenter).__name__


class _Seeds(NamedTuple):
    cv: int
    estimator: int
    augmenter: int


def _seeds(random_state) -> _Seeds:
    """Independent seeds for the folds, the estimator and the augmenters, all from ``random_state``."""
    # Four states, of which the fourth is unused: the first three are what earlier versions drew,
    # so the same seed still gives the same report.
    states = np.random.SeedSequence(check_seed(random_state)).generate_state(4)
    return _Seeds(*(int(s) % SEED_MAX for s in states[:3]))


# ============================================================================ cross-validation
def _check_cv(cv, repeats, counts: dict, seed: int) -> tuple[Any, Optional[int], Optional[int]]:
    """``(splitter, n_splits, n_repeats)``; for a splitter of the caller's n_splits is None, and
    n_repeats None unless it says how many times it repeats its folds."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    if hasattr(cv, "split") and not isinstance(cv, str):  # str has a split method too
        # scikit-learn's repeated splitters say how many times they repeat their folds.
        n_repeats = getattr(cv, "n_repeats", None)
        return (seeded_splitter(cv, seed), None,
                n_repeats if isinstance(n_repeats, numbers.Integral) and n_repeats >= 1 else None)
    if is_fold_list(cv):
        # The folds themselves, as scikit-learn takes them (e.g. a group splitter's:
        # list(GroupKFold(5).split(X, y, groups))); each class's presence checked in _check_splits.
        from sklearn.model_selection import check_cv

        return check_cv(given_folds(cv, sum(counts.values()))), None, None
    if not isinstance(cv, numbers.Integral) or isinstance(cv, bool):
        shown = repr(cv) if len(repr(cv)) <= 80 else f"a {type(cv).__name__}"
        raise TypeError(f"cv must be an int (number of folds), a cross-validation splitter or a list of (train, "
                        f"test) index pairs; got {shown}.")
    n_splits = int(cv)
    if n_splits < 2:
        raise ValueError(f"cv must be at least 2 folds; got {cv}.")
    if not isinstance(repeats, numbers.Integral) or isinstance(repeats, bool) or repeats < 1:
        raise ValueError(f"repeats must be a positive int; got {repeats!r}.")
    _check_fold_sizes(counts, n_splits)
    return RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=int(repeats), random_state=seed), n_splits, int(repeats)


def _check_fold_sizes(counts: dict, cv: int) -> None:
    """Stratified k-fold needs k rows of every class; name the smallest class that has fewer."""
    small = [(label, n) for label, n in counts.items() if n < cv]
    if not small:
        return
    label, n = min(small, key=lambda item: item[1])
    if n < 2:
        raise DataValidationError(
            f"Class {_show(label)} has 1 row; stratified cross-validation needs at least 2 rows of "
            f"every class (and {cv} for cv={cv}). Drop the class or collect more rows.")
    # Two rows in 2 folds leave one to train on, too few for SMOTE's interpolation: say so now,
    # rather than after the user has lowered cv.
    smote = ("; 2-fold cross-validation then leaves SMOTE 1 row of it to interpolate from, so leave 'smote' out "
             "of the baselines too (baselines=, --baseline)" if n == 2 else "")
    raise DataValidationError(
        f"Class {_show(label)} has {n} rows; {cv}-fold stratified cross-validation needs at least {cv} rows "
        f"of every class. Lower cv (--cv) to at most {n}{smote}, or drop the class.")


def _without_smote(methods: list) -> str:
    """How to run the same baselines less SMOTE, in Python and on the command line: naming only
    'none' and 'random' would drop class weights and classic augmentation as well."""
    kept = [m for m in methods if m != "smote"]
    return f"baselines={tuple(kept)!r}; --baseline {','.join(kept)} on the command line"


def _check_smote_folds(targets: list, counts: dict, n_splits: int, methods: list, unit: str = "rows") -> None:
    """SMOTE interpolates between 2 rows of a class: every training fold must hold 2 of each target
    (``unit``: what the rows are, images of an image folder)."""
    for label in targets:
        count, n_train = counts[label], stratified_training_rows(counts[label], n_splits)
        if n_train < 2:
            raise DataValidationError(
                f"Class {_show(label)} has {count} {unit}: a training fold holds only {n_train}, and SMOTE "
                f"needs at least 2 to interpolate. {_more_folds(targets, counts, n_splits)}, or leave 'smote' "
                f"out of the baselines ({_without_smote(methods)}).")


def _more_folds(classes: list, counts: dict, n_splits: Optional[int], need: int = 2) -> str:
    """What to do where a training fold leaves one of ``classes`` under ``need`` rows: more folds
    leave more rows for training, up to the smallest class's count (stratified k-fold needs k rows of
    every class), so the first k that leaves ``need`` of each; where no k can, the classes too small
    for any (a class of n rows trains on n - 1 at most) are named, to drop, and what the others then
    need; folds of the caller's, other folds."""
    if n_splits is None:
        return "Use folds that leave more of its rows for training"

    def fewest_folds(named: list, start: int) -> Optional[int]:  # with the classes not named as they are
        kept = [n for label, n in counts.items() if label in named or label not in classes]
        return next((k for k in range(start, min(kept) + 1)
                     if all(stratified_training_rows(counts[label], k) >= need for label in named)), None)

    enough = fewest_folds(classes, n_splits + 1)
    if enough:
        return f"Raise cv (--cv) to {enough} (more folds leave more rows for training)"
    too_small = [label for label in classes if counts[label] <= need]
    if not too_small:
        return f"No number of folds leaves every class {need} rows to train on: drop the class"
    # (the first class's message named a class that more folds would serve, and dropping it did not help)
    rest = [label for label in classes if label not in too_small]
    then = fewest_folds(rest, n_splits) if rest else n_splits
    listed = ", ".join(_show(label) for label in too_small)
    return (f"No number of folds leaves class{'es' if len(too_small) > 1 else ''} {listed} {need} rows to train on "
            f"(a class needs {need + 1}: {need} to train, 1 to test): drop {'them' if len(too_small) > 1 else 'it'}"
            + (f", then raise cv (--cv) to {then}" if then and then != n_splits else ""))


def _check_smote_splits(targets: list, y: np.ndarray, splits: list, methods: list) -> None:
    """The same for a caller's folds, before the first fold rather than inside it."""
    for number, (train, _) in enumerate(splits, start=1):
        for label in targets:
            n_train = int(np.sum(y[train] == label))
            if n_train < 2:
                raise DataValidationError(
                    f"cv split {number} of {len(splits)} leaves class {_show(label)} {n_train} training row"
                    f"{'' if n_train == 1 else 's'}, and SMOTE needs at least 2 to interpolate. Use folds that leave "
                    "more of its rows for training, or leave 'smote' out of the baselines "
                    f"({_without_smote(methods)}).")


def _check_smote_memory(X, y: np.ndarray, numeric: list, categorical: list, targets: list, baseline_strategy,
                        splits: list, methods: list, augmenter) -> None:
    """SMOTE-NC's top-up of every training fold fits in memory, checked before the first fold (a
    column of IDs made it fail with numpy's bare MemoryError, ending the whole run): the 'smote'
    baseline's, and a :class:`MixedSMOTE` under test's (with its own neighbours and columns), whose
    top-up is the baselines' (:func:`fold_augmenter`)."""
    from sklearn.base import clone

    if "smote" not in methods and not isinstance(augmenter, MixedSMOTE):
        return
    frame = smote_frame(X)
    # (numeric columns, categorical columns, k_neighbors, what to do instead): the augmenter first,
    # for leaving the baseline out would not let the run go on without it.
    users = []
    if isinstance(augmenter, MixedSMOTE):
        # As the folds will run it: told the table's categorical columns where it was left to find them.
        kinds = with_table_categories(clone(augmenter), categorical, frame)._column_kinds(frame)
        users.append((*kinds, augmenter.k_neighbors, "or evaluate another augmenter (a GANAugmenter, say)"))
    if "smote" in methods:
        users.append((numeric, categorical, MixedSMOTE().k_neighbors,
                      f"or leave 'smote' out of the baselines ({_without_smote(methods)})"))
    for number, (train, _) in enumerate(splits, start=1):
        y_train = y[train]
        counts = class_counts(y_train)
        with catching_warnings(record=True):  # the whole data's plan said them already
            to_add = plan_top_up(y_train, fold_strategy(targets, baseline_strategy, y_train))
        for numeric_columns, categorical_columns, k_neighbors, instead in users:
            refusal = smote_nc_refusal(frame.iloc[train], numeric_columns, categorical_columns, counts, to_add,
                                       k_neighbors)
            if refusal:
                raise DataValidationError(f"cv split {number} of {len(splits)}: {refusal}, {instead}.")


def _check_augmenter_folds(augmenter, targets: list, y: np.ndarray, splits: list, counts: dict,
                           n_splits: Optional[int]) -> None:
    """An augmenter under test that needs 2 rows of a class in every training fold, as SMOTE does:
    refused inside the first fold it failed in, after the baselines had run, in words that counted
    the fold's rows as the class's ("a single row" of a class of 2)."""
    from gan_augment.auto import AutoAugmenter

    need, smaller_k = 2, False
    params = augmenter.get_params(deep=False) if hasattr(augmenter, "get_params") else {}
    min_class_size = params.get("min_class_size")
    if isinstance(augmenter, AutoAugmenter):
        classes, why = list(np.unique(y)), "AutoAugmenter's inner cross-validation needs 2 rows of every class"
    elif isinstance(augmenter, MixedSMOTE):
        classes, why = targets, "MixedSMOTE needs 2 to interpolate"
    elif (neighbours := _neighbours(augmenter)) is not None:
        # imbalanced-learn's SMOTE family: its nearest-neighbour search failed in the first fold with
        # scikit-learn's "Expected n_neighbors <= n_samples_fit", naming no class.
        (setting, k), name = neighbours, type(augmenter).__name__
        classes, need = targets, k + 1
        why = f"{name}({setting}={k}) interpolates between a row and its {k} nearest of the class, so it needs {k + 1}"
        fewest = min(int(np.sum(y[train] == label)) for train, _ in splits for label in targets)
        smaller_k = fewest >= 2
        if smaller_k:  # every fold can serve a smaller k: the first thing to try
            why += f"; {name}({setting}={fewest - 1}) fits every training fold"
    elif isinstance(min_class_size, numbers.Integral) and not isinstance(min_class_size, bool):
        # The augmenter's own guard, checked on each training fold as its fit will check it (on
        # every class where an InEveryClass adds to all).
        every = isinstance(params.get("sampling_strategy"), InEveryClass)
        classes, need = (list(np.unique(y)) if every else targets), int(min_class_size)
        why = (f"the augmenter's min_class_size={need} refuses a class to top up with fewer; lower min_class_size "
               "or leave it None")
    else:
        return
    for number, (train, _) in enumerate(splits, start=1):
        for label in classes:
            n_train = int(np.sum(y[train] == label))
            if n_train < need:
                folds = _more_folds(classes, counts, n_splits, need)
                if smaller_k and not folds.startswith("Raise"):
                    folds = ""  # (dropping a class that a smaller k serves is no advice)
                raise DataValidationError(
                    f"cv split {number} of {len(splits)} leaves class {_show(label)} {n_train} training row"
                    f"{'' if n_train == 1 else 's'} of its {counts[label]}, and {why}."
                    + (f" {folds}." if folds else ""))


def _neighbours(augmenter) -> Optional[tuple[str, int]]:
    """``(setting, k)`` of one of imbalanced-learn's over-samplers that interpolates between a row
    and its k nearest neighbours of the class (SMOTE's ``k_neighbors``, ADASYN's ``n_neighbors``);
    None for any other sampler, or a neighbour search given as an object."""
    if not type(augmenter).__module__.startswith("imblearn.over_sampling"):
        return None
    params = augmenter.get_params(deep=False)
    for setting in ("k_neighbors", "n_neighbors"):
        k = params.get(setting)
        if isinstance(k, numbers.Integral) and not isinstance(k, bool):
            return setting, int(k)
    return None


def _check_splits(splitter, X: pd.DataFrame, y: np.ndarray) -> list:
    try:
        splits = list(splitter.split(X, y))
    except ValueError as exc:
        if "groups" not in str(exc):
            raise
        name = type(splitter).__name__
        raise ValueError(f"cv={name}(...) splits by groups, which the evaluator is not given: pass its folds "
                         f"instead, cv=list({name}(...).split(X, y, groups)).") from None
    if len(splits) < 2:
        raise ValueError(f"cv gave {len(splits)} split; an interval needs at least 2 folds.")
    # Row masks, as scikit-learn also takes them, become row numbers: the fold sizes (and with
    # them every interval) are counted from them.
    splits = [tuple(row_numbers(rows, len(y), number, part) for rows, part in zip(fold, ("training", "test")))
              for number, fold in enumerate(splits, start=1)]
    labels = np.unique(y)
    k = _stratified_folds(splitter)
    for number, (train, test) in enumerate(splits, start=1):
        # A custom splitter (our own are stratified) can leave a class out of a fold: the augmenters
        # and the classifier would not see it, and the fold would score another task.
        for part, rows in (("training", train), ("test", test)):
            missing = np.setdiff1d(labels, y[rows])
            if not len(missing):
                continue
            lacking = f"cv split {number} of {len(splits)} has no row of class {_show(missing[0])} in its {part} part"
            n_rows = int(np.sum(y == missing[0]))
            if n_rows < 2:
                raise DataValidationError(
                    f"{lacking}: the class has 1 row, and a fold needs one in its training part and one in its test "
                    "part. Drop the class or collect more rows.")
            if k is not None and n_rows < k:
                raise DataValidationError(
                    f"{lacking}: the class has {n_rows} rows, fewer than the splitter's {k} folds, so some test parts "
                    f"go without it. Lower its n_splits to at most {n_rows}.")
            raise DataValidationError(
                f"{lacking} ({len(rows)} rows). Every fold must hold every class: use a stratified splitter (e.g. "
                "StratifiedKFold or RepeatedStratifiedKFold), or an int cv.")
    return splits


def _stratified_folds(splitter) -> Optional[int]:
    """The k of a stratified k-fold splitter (repeated or not), which needs k rows of every class;
    None for other splitters."""
    from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

    if isinstance(splitter, StratifiedKFold):
        return splitter.n_splits
    if isinstance(splitter, RepeatedStratifiedKFold):
        return splitter.cvargs.get("n_splits")
    return None


# ============================================================================ the primary metric
def _check_metric(metric, binary: bool) -> str:
    """The primary metric: one of the overall metrics the evaluator computes (PR-AUC: binary targets only)."""
    if not isinstance(metric, str) or metric not in OVERALL_METRICS:
        raise ValueError(f"Unknown metric {metric!r}; choose one of {list(OVERALL_METRICS)} (default "
                         f"{PRIMARY_METRIC!r}).")
    if metric == "pr_auc" and not binary:
        raise ValueError("metric='pr_auc' (--metric pr_auc) is measured for binary targets only; this target has "
                         "more than 2 classes. Choose macro_f1, balanced_accuracy or accuracy.")
    return metric


# ============================================================================ baselines and estimator
def _check_baselines(baselines) -> list[str]:
    """The methods to run before the augmenter: "none" first, then each baseline once."""
    if isinstance(baselines, str):
        baselines = [baselines]
    if not hasattr(baselines, "__iter__"):
        raise TypeError(f"baselines must be 'auto' or a list of baselines from {list(BASELINES)} (['none'] for "
                        f"none but doing nothing); got {baselines!r}.")
    baselines = list(baselines)  # a generator would be used up by the check below
    unknown = [b for b in baselines if b not in BASELINES]
    if unknown:
        own = (f"; a sampler of your own is the augmenter under test, one per evaluation: evaluate_augmentation(X, y, "
               f"{unknown[0]!r})" if hasattr(unknown[0], "fit_resample") else "")
        raise ValueError(f"Unknown baseline {unknown[0]!r}; choose from {list(BASELINES)}{own}.")
    return ["none"] + [b for b in dict.fromkeys(baselines) if b != "none"]


def _image_shape(augmenter) -> Optional[tuple]:
    """The ``(C, H, W)`` of the images the augmenter reads rows as (AutoAugmenter: its GAN's), or
    None (a table)."""
    from gan_augment.augmenter import GANAugmenter

    shape = getattr(augmenter, "image_shape", None)
    if shape is None and isinstance(getattr(augmenter, "augmenter", None), GANAugmenter):
        shape = augmenter.augmenter.image_shape
    return None if shape is None else tuple(int(v) for v in shape)


def _has_albumentations() -> bool:
    """Whether the "classic" baseline can run. Without albumentations (an optional dependency) the
    default baselines leave it out, with a warning: the comparison then lacks what a practitioner
    with images would try first."""
    # Imported here, not with the module: the adapter turns albumentations' update check off for
    # the process, which a table's evaluation has no reason to touch.
    from gan_augment.data.albumentations_adapter import import_albumentations

    try:
        import_albumentations()
    except ImportError:
        warnings.warn("albumentations is not installed, so the evaluation leaves out the baseline a practitioner "
                      "would try first with images: the rare images repeated under classic augmentation. Install "
                      'it with pip install "gan-augment[albumentations]".', UserWarning, stacklevel=user_stacklevel())
        return False
    return True


def _check_classic(image_shape: Optional[tuple]) -> None:
    if image_shape is None:
        raise ValueError("baseline 'classic' repeats images under classic augmentation, but these rows are not "
                         "images (the augmenter has no image_shape); drop 'classic' from baselines, or give the "
                         "augmenter image_shape=(C, H, W).")
    from gan_augment.data.albumentations_adapter import import_albumentations

    import_albumentations()  # an ImportError that says what to install, before any fold runs


#: Built-in estimators for images (rows of pixels with an image_shape), by name.
IMAGE_ESTIMATORS = {"cnn": "a small CNN (three conv blocks; 10 epochs of Adam)"}


def _check_estimator(estimator, X: pd.DataFrame, seed: int, image_shape: Optional[tuple],
                     categorical=()) -> tuple[Any, str]:
    """``(unfitted estimator, its name for the report)``; a built-in name is built for ``X``'s columns
    (those in ``categorical`` as categories)."""
    from sklearn.base import is_classifier

    if estimator is None:
        estimator = "logreg"
    if isinstance(estimator, str):
        if estimator in IMAGE_ESTIMATORS:
            if image_shape is None:
                raise ValueError(f"estimator={estimator!r} classifies images, but these rows are a table (the "
                                 f"augmenter has no image_shape); choose one of {list(ESTIMATORS)}.")
            from gan_augment.evaluation.cnn import CNNClassifier

            return CNNClassifier(image_shape, random_state=seed), IMAGE_ESTIMATORS[estimator]
        if estimator not in ESTIMATORS:
            raise ValueError(f"Unknown estimator {estimator!r}; choose from {[*ESTIMATORS, *IMAGE_ESTIMATORS]} or "
                             "pass a scikit-learn classifier.")
        return build_estimator(estimator, X, random_state=seed, categorical=categorical), ESTIMATORS[estimator]
    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")) or not is_classifier(estimator):
        raise TypeError(f"estimator={estimator!r} is not a scikit-learn classifier (is_classifier() is False); "
                        f"pass a classifier or one of {list(ESTIMATORS)}.")
    if not hasattr(estimator, "predict"):  # GridSearchCV(refit=False): found out in the first fold's test
        raise TypeError(f"estimator={estimator!r} has no predict method, and the evaluation tests its predictions "
                        "(a search with refit=False keeps no model to predict with); pass one that predicts.")
    # What its fits would refuse in the first fold, said before it (text: "could not convert string
    # to float: 'Paris'", naming neither the column nor the estimator): 'none' gives it X as it is.
    check_estimator_takes(estimator, None, X)
    warn_of_own_samplers(estimator, _describe(estimator), "the evaluation's")
    # Seeded where the caller left it unseeded, as the built-in ones are: the same random_state
    # then gives the same report, and the arms of a fold differ by their data alone.
    return seeded_clone(estimator, seed), _describe(estimator)


def scoring_of_metric(metric: str, positive: str) -> str:
    """The scikit-learn scoring that measures what the evaluator's ``metric`` does, as Python (PR-AUC:
    the average precision of the class ``positive`` writes, the one topped up or the rarer)."""
    if metric == "pr_auc":
        return (f"make_scorer(average_precision_score, response_method=('decision_function', 'predict_proba'), "
                f"pos_label={positive})")
    return repr({"macro_f1": "f1_macro"}.get(metric, metric))  # balanced_accuracy, accuracy: the same names


def _measures(scoring, metric: str, positive) -> Optional[bool]:
    """Whether AutoAugmenter's ``scoring`` measures the evaluator's ``metric``: by the metric function
    and settings of its scorer; None where that cannot be read (a callable of the caller's own)."""
    from sklearn import metrics
    from sklearn.metrics import get_scorer

    from gan_augment.auto import _score_function

    try:
        scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    except ValueError:
        return False  # not a scorer's name: AutoAugmenter's fit refuses it
    function, kwargs = _score_function(scorer)
    if function is None:
        return None
    wanted, settings = {"macro_f1": (metrics.f1_score, {"average": "macro"}),
                        "balanced_accuracy": (metrics.balanced_accuracy_score, {}),
                        "accuracy": (metrics.accuracy_score, {}),
                        "pr_auc": (metrics.average_precision_score, {"pos_label": positive})}[metric]
    defaults = {"average": "binary", "pos_label": 1}  # f1_score's, average_precision_score's
    return (function is wanted and getattr(scorer, "_sign", 1) > 0
            and all(plain_label(kwargs.get(name, defaults[name])) == plain_label(value)
                    for name, value in settings.items()))


def _warn_of_auto_choosing_otherwise(augmenter, estimator, metric: str, positive) -> None:
    """Warn where the augmenter under test is an AutoAugmenter that chooses its top-up with another
    classifier or score than the evaluation judges it by: it is evaluated as configured (so would it
    choose in the caller's pipeline), which is then a choice made for another model or measure
    (``positive``: the class PR-AUC measures, on a binary target)."""
    from gan_augment.auto import AutoAugmenter

    if not isinstance(augmenter, AutoAugmenter):
        return

    def shown(model):  # a built-in name as the parameter takes it; a classifier as its repr
        return repr("logreg" if model is None else model)

    mine, its = shown(estimator), shown(augmenter.estimator)
    if its != mine or _measures(augmenter.scoring, metric, positive) is False:
        warnings.warn(f"The AutoAugmenter under test chooses its top-up with estimator={its} and scoring="
                      f"{augmenter.scoring!r}, while this evaluation judges estimator={mine} on {metric}: it chooses "
                      f"for another model or measure than the one it is judged by. Pass AutoAugmenter(estimator="
                      f"{mine}, scoring={scoring_of_metric(metric, repr(plain_label(positive)))}) to evaluate the "
                      "choice it would make for this one.", UserWarning, stacklevel=user_stacklevel())


def _class_weight_key(estimator) -> Optional[str]:
    """The parameter that sets the classifier's class_weight: its own, or the last pipeline step's;
    None where the classifier that predicts has none."""
    params = estimator.get_params(deep=True)
    if "class_weight" in params:
        return "class_weight"
    keys = [k for k in params if k.endswith("__class_weight")]
    if not keys:
        return None
    steps = getattr(estimator, "steps", None)
    if steps:
        last = f"{steps[-1][0]}__class_weight"
        if last in keys:
            return last
    # Another step's or member's (a feature selector's model, one voter of several): weighting it
    # would not weight the classifier that predicts.
    return None


def _describe(estimator) -> str:
    steps = getattr(estimator, "steps", None)
    if steps:
        return f"{type(steps[-1][1]).__name__} (in a {type(estimator).__name__})"
    return type(estimator).__name__


def _smote_name(numeric: list, categorical: list) -> str:
    if categorical:
        return "SMOTE-NC" if numeric else "SMOTE-N"
    return "SMOTE"


def _show(label) -> str:
    return repr(plain_label(label))
