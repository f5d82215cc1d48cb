"""The judge: did augmentation make the downstream model better, on which classes, by how much?

:func:`evaluate_augmentation` cross-validates an estimator trained on the real rows alone ("none"),
with cheap baselines (random oversampling, SMOTE / SMOTE-NC, class weights) and with the augmenter
under test, each fitted inside the training folds only, and returns an :class:`AugmentationReport`.

:func:`image_quality` judges synthetic images per class in the features of a small CNN trained on
the real ones: label fidelity, Frechet distance with baselines, k-NN precision/recall.
"""

from __future__ import annotations

from gan_augment.evaluation._types import BASELINES, EvaluationPlan
from gan_augment.evaluation.images import image_quality
from gan_augment.evaluation.plan import plan_evaluation
from gan_augment.evaluation.report import AugmentationReport
from gan_augment.evaluation.utility import run_evaluation

__all__ = ["AugmentationReport", "EvaluationPlan", "evaluate_augmentation", "image_quality", "BASELINES",
           "plan_evaluation", "run_evaluation"]


def evaluate_augmentation(X, y, augmenter=None, *, estimator=None, classes=None, cv=5, repeats=3,
                          baselines="auto", n_jobs=None, random_state=None,
                          confidence=0.95, metric="macro_f1", progress=False, fidelity=True,
                          privacy=True) -> AugmentationReport:
    """Cross-validate the effect of augmentation on a downstream classifier.

    Repeated stratified k-fold cross-validation (``cv`` folds x ``repeats``). In each training fold
    every method is fitted on that fold only -- the augmenter under test, and the baselines -- and
    a fresh clone of ``estimator`` is trained on the resampled fold; the test fold stays 100% real.
    Each method's per-fold scores are compared with those of "none" on the same fold; the interval
    is a Student t interval on these paired differences with the Nadeau-Bengio corrected variance
    ``(1/J + n_test/n_train) * s^2`` (J = cv x repeats folds, Nadeau & Bengio 2003; Bouckaert &
    Frank 2004), which allows for the overlap of the training sets, clipped to the metric's range
    ([0, 1] for a score, [-1, 1] for a difference).

    The verdict applies one decision rule (stated in :mod:`gan_augment.evaluation._verdict`): the
    primary ``metric`` alone decides, with p-values Holm-adjusted across the methods compared with
    "none"; secondary and per-class metrics are supporting evidence only.

    Parameters
    ----------
    X : DataFrame or 2-D array
    y : array-like of class labels
    augmenter : GANAugmenter or any imbalanced-learn style sampler, default=None
        The augmenter under test; ``None`` means ``GANAugmenter()`` with its defaults.
    estimator : {"logreg", "hgb", "rf", "cnn"} or a scikit-learn classifier, default=None ("logreg")
        "logreg": logistic regression on median-imputed, standardised numbers and one-hot
        categories; "hgb": HistGradientBoostingClassifier (native categories and missing values);
        "rf": a random forest; "cnn" (images: an augmenter with ``image_shape``): a small CNN
        (:class:`~gan_augment.evaluation.cnn.CNNClassifier`), as the image benchmarks train. A
        classifier of yours gets the rows as they are (an array as an array, a DataFrame as a
        DataFrame): put its preprocessing in a Pipeline.
    classes : label or list of labels, default=None
        The classes to top up to the majority count of each training fold (every method). Without
        it, the augmenter's own ``classes`` / ``sampling_strategy`` decides, and the baselines use
        the same ``sampling_strategy``.
    cv : int, a cross-validation splitter or a list of (train, test) index pairs, default=5
        A splitter's folds must each hold every class. A group splitter needs its groups: pass its
        folds, ``cv=list(GroupKFold(5).split(X, y, groups))``. A splitter that shuffles without a
        seed of its own is seeded from ``random_state`` (a copy; yours is not changed). Folds may be
        row numbers or boolean masks.
    repeats : int, default=3
        Repetitions of ``cv``-fold cross-validation with different shuffles (when ``cv`` is an int).
    baselines : "auto" or iterable of {"none", "random", "smote", "class_weight", "classic"}, default="auto"
        "auto": none, random, smote, class_weight when the estimator has a ``class_weight``
        parameter (the built-in ones do), and classic for images (an augmenter with
        ``image_shape``) when albumentations is installed. "random": random oversampling; "smote":
        SMOTE, SMOTE-NC when there are categorical columns (SMOTE-N if all are), on a training fold
        whose missing values are imputed for the interpolation only; "class_weight": the estimator
        with ``class_weight="balanced"``; "classic": the images of the classes to top up repeated,
        each repeat moved a little by albumentations (:class:`~gan_augment.baselines.ClassicOversampler`).
        "none" is always included: it is the reference.
    n_jobs : int, default=None
        Folds run in parallel with joblib.
    random_state : int, RandomState, Generator or None
        Seeds the folds, the estimator and every augmenter; the same int gives the same report.
    confidence : float, default=0.95
        Of the intervals; the verdict's significance level is ``1 - confidence``.
    metric : {"macro_f1", "balanced_accuracy", "accuracy", "pr_auc"}, default="macro_f1"
        The primary metric, chosen before anything runs: the verdict decides on it alone. "pr_auc"
        (of the rarer or topped-up class) only for a binary target.
    progress : bool, default=False
        A rich progress bar over folds (on stderr).
    fidelity, privacy : bool, default=True
        Measure the added rows of the first training fold: C2ST AUC, per-column distances and
        correlation difference (and for images the judge's image quality); distances to the closest
        training record vs held-out real rows. The GAN's own collapse check and the rules it keeps
        are reported where either is on.

    Returns
    -------
    AugmentationReport
        ``.summary``, ``.per_class``, ``.verdict``, ``.to_markdown()``, ``.to_html(path)``, ``.to_json()``.

    Raises
    ------
    ValueError, TypeError, DataValidationError
        Before anything is fitted: a class with fewer rows than ``cv``, an unknown class, an
        estimator that is not a classifier, an unknown baseline.
    """
    plan = plan_evaluation(X, y, augmenter, estimator=estimator, classes=classes, cv=cv, repeats=repeats,
                           baselines=baselines, n_jobs=n_jobs, random_state=random_state, confidence=confidence,
                           metric=metric, progress=progress, fidelity=fidelity, privacy=privacy)
    return run_evaluation(plan)
