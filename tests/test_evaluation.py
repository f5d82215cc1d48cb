"""The judge: evaluate_augmentation, AugmentationReport and `gan-augment evaluate`.

Small tables, 2-3 folds and GANs of 2-3 epochs keep the file fast on 2 CPU cores. The statistical
tests use constructions whose answer is known: random oversampling provably moves a logistic
regression's threshold towards the rare class (recall must rise), and provably cannot change a
1-nearest-neighbour classifier or a tree on perfectly separable classes (every difference is 0).
"""

from __future__ import annotations

import datetime
import json
import math
import re
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from gan_augment import AutoAugmenter, GANAugmenter
from gan_augment.baselines import MixedSMOTE
from gan_augment.evaluation import AugmentationReport, evaluate_augmentation
from gan_augment.evaluation._types import FoldResult
from gan_augment.evaluation._verdict import _change, class_comparisons, compare_with_none, decide
from gan_augment.evaluation.stats import corrected_interval, corrected_test, holm
from gan_augment.exceptions import DataValidationError

# The label gate is on (the tables' default) with a short judge: the gate is not these tests' subject.
pytestmark = pytest.mark.usefixtures("quick_row_judge")

FAST = dict(epochs=2, batch_size=64, noise_dim=8, generator_dims=(16,), discriminator_dims=(16,), pac=2,
            max_modes=2, device="cpu")


def two_gaussians(n_major=300, n_minor=20, shift=1.5, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0, 1, (n_major, 2)), rng.normal(shift, 1, (n_minor, 2))])
    y = np.array(["common"] * n_major + ["rare"] * n_minor)
    return pd.DataFrame(X, columns=["a", "b"]), y


def rare_recall(report, label="rare", method=None):
    frame = report.per_class
    frame = frame[(frame["class"] == label) & (frame["metric"] == "recall") & (frame["method"] != "none")]
    if method is not None:
        frame = frame[frame["method"] == method]
    return frame.iloc[0]


@pytest.mark.parametrize("augmenter, match", [
    (lambda: AutoAugmenter(cv=1), r"The 'cv' parameter of AutoAugmenter"),
    (lambda: AutoAugmenter(amounts=(2.0,)), r"amounts must be shares of the full top-up in \(0, 1\]"),
    (lambda: AutoAugmenter(augmenter=GANAugmenter(generator_dims=(-3,))), r"generator_dims"),
    (lambda: MixedSMOTE(k_neighbors=0), r"The 'k_neighbors' parameter of MixedSMOTE"),
    (lambda: AutoAugmenter(methods=("gan",), augmenter=GANAugmenter(augment="translation")),
     r"augment='translation' augments images; these are table rows"),
])
def test_an_augmenter_under_test_with_bad_parameters_is_refused_before_any_fold(augmenter, match):
    # Only a GANAugmenter's were checked up front; these were refused inside the first fold, after
    # the baselines had trained.
    class Untrainable(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("a fold was trained before the settings were checked")

    X, y = two_gaussians()
    with pytest.raises(ValueError, match=match):
        evaluate_augmentation(X, y, augmenter(), estimator=Untrainable(), cv=2, repeats=1)


@pytest.mark.parametrize("column", [
    pd.Series(pd.date_range("2021-03-20", periods=60, freq="6h")),
    pd.Series(pd.period_range("2021-03", periods=60, freq="D")),
    pd.Series([datetime.date(2021, 3, 20), datetime.date(2021, 3, 21)] * 30, dtype=object),
])
@pytest.mark.parametrize("auto", [False, True])
def test_a_column_the_gan_cannot_model_is_refused_before_any_fold(column, auto):
    # Refused by the first fold's GAN fit, after the baselines and classifiers had trained (12 fits).
    class Untrainable(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            raise AssertionError("a fold was trained before the columns were checked")

    X, y = two_gaussians(n_major=40, n_minor=20)
    X = X.assign(when=column.array)
    gan = GANAugmenter(epochs=1)
    augmenter = AutoAugmenter(augmenter=gan, estimator=Untrainable(), cv=2) if auto else gan
    with pytest.raises(DataValidationError, match=r"Column 'when' (has dtype|holds the value)"):
        if auto:
            augmenter.fit_resample(X, y)
        else:
            evaluate_augmentation(X, y, augmenter, estimator=Untrainable(), cv=2, repeats=1)
    # AutoAugmenter under test, with its default GAN (augmenter=None): the evaluator's check skipped it.
    with pytest.raises(DataValidationError, match=r"Column 'when' (has dtype|holds the value)"):
        evaluate_augmentation(X, y, AutoAugmenter(methods=("random", "gan"), cv=2), estimator=Untrainable(), cv=2,
                              repeats=1)


# ============================================================================ no leakage
EVENTS: list[tuple[str, set]] = []


class RecordingGAN(GANAugmenter):
    """A GANAugmenter that records the row ids it is fitted on."""

    def fit_resample(self, X, y):
        EVENTS.append(("fit", set(X["row_id"].tolist())))
        return super().fit_resample(X, y)


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class and records the row ids it is asked to predict."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.majority_ = Counter(np.asarray(y).tolist()).most_common(1)[0][0]
        return self

    def predict(self, X):
        EVENTS.append(("predict", set(X["row_id"].tolist())))
        return np.full(len(X), self.majority_, dtype=object)


def test_augmenter_never_sees_a_test_row(mixed_frame):
    X, y = mixed_frame
    X = X.assign(row_id=np.arange(len(X), dtype=float))
    EVENTS.clear()
    report = evaluate_augmentation(X, y, RecordingGAN(**FAST), estimator=RecordingClassifier(), classes=["rare"],
                                   cv=3, repeats=2, baselines=("none", "random"), random_state=0)
    fits = [i for i, (kind, _) in enumerate(EVENTS) if kind == "fit"]
    assert len(fits) == 6  # one GAN per training fold
    everything = set(range(len(X)))
    for i in fits:
        trained_on = EVENTS[i][1]
        kind, tested_on = EVENTS[i + 1]  # the same fold's test rows, predicted right after
        assert kind == "predict"
        assert trained_on.isdisjoint(tested_on)
        assert trained_on | tested_on == everything
    # every test fold is real: as many rows as a third of the data, ids of real rows only
    tested = [ids for kind, ids in EVENTS if kind == "predict"]
    assert all(ids <= everything and abs(len(ids) - len(X) / 3) <= 1 for ids in tested)
    assert len(report.histories) == 6


def test_an_augmenter_placing_its_rows_in_every_class_is_compared_with_baselines_that_top_up_the_rare_ones(
        mixed_frame):
    # The baselines are what a practitioner does (the rare class topped up); the augmenter keeps its
    # placement in every fold (the explicit-classes path had set its sampling_strategy back to "auto").
    from gan_augment import GANAugmenter, InEveryClass
    from gan_augment.evaluation.plan import plan_evaluation
    from gan_augment.evaluation._types import AUGMENTER
    from gan_augment.evaluation.utility import _resample

    X, y = mixed_frame
    X = X.drop(columns="score")
    for strategy, classes in ((InEveryClass(classes=["rare"]), None), (InEveryClass(), None),
                              (InEveryClass(), ["rare"])):
        plan = plan_evaluation(X, y, GANAugmenter(sampling_strategy=strategy, **FAST), classes=classes, cv=2,
                               repeats=1, baselines=("none", "random"), random_state=0, fidelity=False,
                               privacy=False)
        assert plan.targets == ["rare"]
        train = plan.splits[0][0]
        X_train, y_train = X.iloc[train].reset_index(drop=True), y[train]
        counts = pd.Series(y_train).value_counts()
        gap = counts["common"] - counts["rare"]
        _, y_random, _ = _resample(plan, "random", X_train, y_train, 0)
        assert pd.Series(y_random).value_counts().to_dict() == {"common": counts["common"], "rare": counts["common"]}
        _, y_gan, fitted = _resample(plan, AUGMENTER, X_train, y_train, 0)
        assert isinstance(fitted.sampling_strategy, InEveryClass)
        assert pd.Series(y_gan).value_counts().to_dict() == {"common": counts["common"] + gap,
                                                             "rare": counts["common"]}
    # A placement the fit would refuse is refused before any fold (its baselines had topped up every class).
    with pytest.raises(ValueError, match="twice over"):
        plan_evaluation(X, y, GANAugmenter(sampling_strategy=InEveryClass(InEveryClass()), **FAST))


def test_a_class_that_is_no_utf8_text_is_refused_by_name_before_any_fold():
    # A class folder named in Latin-1 (b"caf\xe9") reads as 'caf\udce9': the evaluation trained a fold and
    # then failed in pandas ("surrogates not allowed"), naming neither the class nor the folder.
    from gan_augment.evaluation.plan import plan_evaluation
    from gan_augment.exceptions import DataValidationError

    X = np.random.default_rng(0).normal(0, 1, (40, 2))
    y = np.array(["big"] * 30 + ["caf\udce9"] * 10, dtype=object)
    with pytest.raises(DataValidationError, match=r"Class 'caf\\udce9' is not UTF-8 text \(the bytes b'caf\\xe9'"):
        plan_evaluation(X, y, GANAugmenter(**FAST))


# ============================================================================ the intervals
@pytest.mark.slow
def test_interval_above_zero_when_oversampling_helps_a_linear_model():
    # 800 vs 40 overlapping rows: the unweighted logistic regression rarely predicts "rare";
    # duplicating rare rows to balance the classes moves its threshold, so rare recall must rise,
    # and with it balanced accuracy -- the primary metric chosen here -- while macro-F1 need not.
    X, y = two_gaussians(n_major=800, n_minor=40)
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=LogisticRegression(),
                                   classes=["rare"], cv=5, repeats=2, baselines=("none",), random_state=0,
                                   fidelity=False, privacy=False, metric="balanced_accuracy")
    row = rare_recall(report)
    assert row["ci_low"] > 0 and row["delta"] > 0.2 and row["p_holm"] < 0.05
    assert report.verdict.startswith("RandomOverSampler helped: balanced accuracy +")
    assert "recall of class 'rare' +" in report.verdict.split(". ")[-1]  # cited as supporting evidence
    assert report.settings["metric"] == "balanced_accuracy"
    assert "Nadeau-Bengio" in report.to_markdown() and "balanced accuracy (primary)" in report.to_markdown()


def test_an_augmenter_named_as_a_baseline_keeps_its_own_row():
    # imblearn's SMOTE given as the augmenter, beside the SMOTE baseline: two rows, told apart.
    from imblearn.over_sampling import SMOTE

    X, y = two_gaussians(n_major=60, n_minor=12)
    report = evaluate_augmentation(X, y, SMOTE(k_neighbors=3, random_state=0), estimator=LogisticRegression(),
                                   classes=["rare"], cv=3, repeats=1, baselines=("smote",), random_state=0,
                                   fidelity=False, privacy=False)
    assert report.settings["methods"][-2:] == ["SMOTE", "SMOTE (augmenter)"]
    assert report.settings["augmenter"] == "SMOTE (augmenter)"
    assert {"SMOTE", "SMOTE (augmenter)"} <= set(report.summary["method"])


@pytest.mark.parametrize("n_classes", [2, 4])
def test_labels_of_days_are_reported(n_classes):
    # A day's datetime64 equals its datetime.date but hashes otherwise: the report's lookups of the
    # classes failed with a KeyError once every fold had trained.
    from imblearn.over_sampling import RandomOverSampler

    X, _ = two_gaussians(n_major=60, n_minor=12)
    days = np.array(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"], dtype="datetime64[D]")
    counts = [60, 12] if n_classes == 2 else [30, 20, 12, 10]
    y = np.repeat(days[:n_classes], counts)
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=LogisticRegression(), cv=2,
                                   repeats=1, baselines=("none",), random_state=0, fidelity=False, privacy=False)
    reported = set(report.per_class["class"])
    assert len(reported) == len(set(y)) and all(np.datetime64(day, "D") in set(y) for day in reported)
    assert report.per_class["mean"].notna().any()
    # Named: the baselines' counts were keyed by the plan's dates, which imbalanced-learn did not find in the fold.
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=LogisticRegression(), cv=2,
                                   repeats=1, classes=[days[1]], baselines=("random",), random_state=0,
                                   fidelity=False, privacy=False)
    assert len(set(report.summary["method"])) == 3 and report.summary["mean"].notna().all()


def test_interval_covers_zero_when_duplicates_cannot_change_the_model():
    # 1-nearest-neighbour: adding exact copies of training rows never changes a prediction.
    X, y = two_gaussians(n_major=120, n_minor=15)
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0),
                                   estimator=KNeighborsClassifier(n_neighbors=1), classes=["rare"], cv=3,
                                   repeats=2, baselines=("none", "random"), random_state=0)
    for frame in (report.summary[report.summary["metric"] != "augment_time_s"], report.per_class):
        changed = frame[frame["method"] != "none"]
        assert (changed["delta"].abs() < 1e-12).all()
        assert (changed["ci_low"] <= 0).all() and (changed["ci_high"] >= 0).all()
    assert report.verdict.startswith("RandomOverSampler did not clearly help")
    assert "prefer no augmentation" in report.verdict


def test_interval_covers_zero_on_perfectly_separable_classes():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": np.r_[rng.uniform(0, 1, 90), rng.uniform(5, 6, 12)], "b": rng.normal(0, 1, 102)})
    y = np.array([0] * 90 + [1] * 12)
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0),
                                   estimator=DecisionTreeClassifier(random_state=0), cv=3, repeats=1,
                                   baselines=("none", "random", "smote"), random_state=0)
    macro = report.summary[report.summary["metric"] == "macro_f1"]
    assert (macro["mean"] == 1.0).all()
    changed = macro[macro["method"] != "none"]
    assert ((changed["ci_low"] <= 0) & (changed["ci_high"] >= 0)).all()
    assert "did not clearly help" in report.verdict.split(".")[0]


def test_corrected_interval_matches_the_formula():
    d = np.array([0.1, 0.3, -0.05, 0.2, 0.15, 0.05])
    mean, low, high = corrected_interval(d, test_train_ratio=0.5, confidence=0.95)
    from scipy import stats

    half = stats.t.ppf(0.975, 5) * math.sqrt((1 / 6 + 0.5) * d.var(ddof=1))
    assert mean == pytest.approx(d.mean()) and high - mean == pytest.approx(half) and mean - low == pytest.approx(half)
    assert corrected_interval([0.2, 0.2, 0.2], 0.5) == pytest.approx((0.2, 0.2, 0.2))


def test_a_variance_floor_replaces_a_spread_of_rounding():
    # Every fold lost 3 test rows (folds of 72, 72 and 71 rows): the differences spread by 0.0006,
    # rounding, on which a t statistic is ~100. The floor stands in for it.
    same_rows = [-3 / 72, -3 / 72, -3 / 71]
    assert corrected_test(same_rows, 0.5).p < 1e-3  # the t-test alone
    floor = np.var([-3 / 72, -3 / 72, -2 / 71], ddof=1)  # one fold one row less
    test = corrected_test(same_rows, 0.5, min_variance=floor)
    assert test.mean == pytest.approx(np.mean(same_rows)) and 0.01 < test.p < 0.05
    from scipy import stats

    half = stats.t.ppf(0.975, 2) * math.sqrt((1 / 3 + 0.5) * floor)
    assert test.high - test.mean == pytest.approx(half)
    # A larger spread than the floor is the spread.
    spread = [-3 / 72, -5 / 72, -1 / 72]
    assert corrected_test(spread, 0.5, min_variance=floor) == corrected_test(spread, 0.5)
    # No spread and no floor: the point, and p = 1; as a paired difference its interval spans 0 and
    # the mean: a point interval away from 0 beside p = 1 read as "-0.042 [-0.042, -0.042], p = 1.000".
    test = corrected_test([0.3 - 0.6, 0.4 - 0.7], 0.5)
    assert test.p == 1.0 and test.low == test.high == pytest.approx(-0.3)
    test = corrected_test([0.3 - 0.6, 0.4 - 0.7], 0.5, difference=True)
    assert test.p == 1.0 and test.low == pytest.approx(-0.3) and test.high == 0.0
    assert corrected_test([0.01, 0.01], 0.5, difference=True)[1:3] == (0.0, pytest.approx(0.01))


def test_paired_folds_take_the_same_rows_as_one_row_less_and_a_consistent_gain_as_one():
    from types import SimpleNamespace

    from gan_augment.evaluation.stats import paired

    plan = SimpleNamespace(test_train_ratio=0.5, confidence=0.95)

    def folds(gains, sizes):
        return [SimpleNamespace(n_test=n, scores={"a": 0.5 + g, "b": 0.5}) for g, n in zip(gains, sizes)]

    def score(fold, method):
        return fold.scores[method]

    # 3 test rows lost in folds of 72, 72 and 71 rows: tested as if one fold had lost 2, so with the
    # spread of that and a larger loss, its p is a little below that one's (and far above the
    # rounding's t-test, p < 0.001).
    same_rows = paired(plan, folds([-3 / 72, -3 / 72, -3 / 71], [72, 72, 71]), "a", "b", score)
    one_less = paired(plan, folds([-3 / 72, -3 / 72, -2 / 71], [72, 72, 71]), "a", "b", score)
    assert same_rows.mean == pytest.approx(-3 / 72, rel=0.01) and 0.7 * one_less.p < same_rows.p < one_less.p
    # Macro-F1 +0.08 to +0.12 in ten folds of 20 rows spreads by less than one row's worth (0.05);
    # it was taken as no spread: p = 1 and "did not clearly help".
    gains = np.random.default_rng(0).uniform(0.08, 0.12, 10)
    consistent = paired(plan, folds(gains, [20] * 10), "a", "b", score)
    assert consistent.p < 1e-3 and consistent.low > 0.05
    # The same in folds of uneven sizes (a group splitter's): a first fix still called it no spread.
    uneven = paired(plan, folds(gains, [40, 30, 20, 40, 30, 20, 100, 60, 40, 20]), "a", "b", score)
    assert uneven.p < 1e-3


def test_a_per_class_difference_the_same_in_every_fold_is_tested_by_the_class_rows():
    # Recall of a class of 10 test rows down 3 rows in both folds read "-0.300 [-0.300, -0.300],
    # p = 1e-16" (the two differences differed in their last digits) and was cited in the verdict;
    # 3 of 9 and 3 of 10 rows were tested by the fold's size, not the class's.
    from types import SimpleNamespace

    from gan_augment.evaluation.stats import paired

    plan = SimpleNamespace(test_train_ratio=0.5, confidence=0.95)
    folds = [SimpleNamespace(n_test=n_test, support=support, scores={"a": 0.9 - 3 / support, "b": 0.9})
             for n_test, support in ((256, 10), (255, 9))]
    by_fold = paired(plan, folds, "a", "b", lambda fold, method: fold.scores[method])
    by_class = paired(plan, folds, "a", "b", lambda fold, method: fold.scores[method], rows=lambda fold: fold.support)
    assert by_fold.p < 0.05 and 0.05 < by_class.p < 1.0


def test_a_steadier_change_is_never_weaker_evidence():
    # One more rare row (of 4) found in each of 15 folds read "did not clearly help, p = 1", while
    # the same in 14 folds and none in one read "helped, p < 0.001"; +2 in every fold read p = 1.
    labels = ["common", "rare"]

    def p_of(extra, metric):
        _, folds = _scored_folds([(4, 1)] * len(extra), extra=extra)
        if metric in ("recall", "f1", "precision"):
            return class_comparisons(folds, "augmenter", labels, metric, test_train_ratio=0.25,
                                     confidence=0.95)["rare"].p
        return decide(folds, ("none", "augmenter"), test_train_ratio=0.25, metric=metric,
                      labels=labels).primary["augmenter"].p

    for metric in ("accuracy", "balanced_accuracy", "macro_f1", "recall", "f1"):
        steady = p_of([1] * 15, metric)
        assert steady <= p_of([1] * 14 + [0], metric), metric
        assert p_of([2] * 15, metric) <= steady < 0.01, metric
    # Few folds stay weak evidence, however steady: one more row in each of 3 folds is not a gain.
    assert p_of([1] * 3, "macro_f1") > 0.05


def test_holm_adjusts_step_down_and_keeps_nan():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.01, 0.2, 0.04]) == pytest.approx([0.5, 0.04, 0.4, 0.12])
    adjusted = holm([0.02, math.nan, 0.03])
    assert adjusted[0] == pytest.approx(0.04) and math.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.04)


def test_no_interval_leaves_the_range_of_a_rate():
    # Differences of recall swinging between -1 and +1 (a class with 1-2 test rows): the t interval
    # alone runs far past +/-1; the reported one stays inside, with the same mean and p-value.
    swings = [1.0, -1.0, 1.0, 1.0, 0.0, 1.0, -1.0, 1.0, 1.0]
    raw = corrected_test(swings, 0.5)
    assert raw.low < -1 and raw.high > 1  # what the issue saw: [-1.125, +1.207]
    clipped = corrected_test(swings, 0.5, bounds=(-1.0, 1.0))
    assert (clipped.mean, clipped.p) == (raw.mean, raw.p) and (clipped.low, clipped.high) == (-1.0, 1.0)
    levels = corrected_interval([1.0, 1.0, 0.9, 0.2, 1.0], 0.5, bounds=(0.0, 1.0))
    assert 0.0 <= levels[1] and levels[2] == 1.0
    # ... and so does every interval of a report, whatever the folds (built with wild swings here).
    folds = fold_scores(["a", "b", "c"], {"random": {("recall", "a"): 0.49 * np.array([1, -1, 1, 1, 1, -1])},
                                          "augmenter": {"macro_f1": 0.49 * np.array([1, 1, -1, 1, 1, 1])}}, n=6)
    for method in ("random", "augmenter"):
        for metric in ("recall", "precision", "f1"):
            for c in class_comparisons(folds, method, ["a", "b", "c"], metric, test_train_ratio=0.5,
                                       confidence=0.95).values():
                assert -1.0 <= c.low <= c.mean <= c.high <= 1.0
    for c in compare_with_none(folds, ["none", "random", "augmenter"], "macro_f1", test_train_ratio=0.5,
                               confidence=0.95).values():
        assert -1.0 <= c.low <= c.high <= 1.0


# ============================================================================ the decision rule
def fold_scores(labels, shifts, n=15, base=0.5):
    """Per-fold scores built directly: "none" scores ``base`` on everything; each method in ``shifts``
    scores ``base`` + its per-fold shift, keyed by an overall metric or by (per-class metric, class)."""
    metrics = ("accuracy", "balanced_accuracy", "macro_f1")
    methods = ["none", *shifts]
    folds = []
    for j in range(n):
        fold = FoldResult(index=j, repeat=j // 5, fold=j % 5, n_train=160, n_test=40)
        for method in methods:
            shift = shifts.get(method, {})
            fold.scores[method] = {m: base + float(np.asarray(shift.get(m, np.zeros(n)))[j]) for m in metrics}
            fold.class_scores[method] = {
                label: {m: base + float(np.asarray(shift.get((m, label), np.zeros(n)))[j]) for m in ("precision",
                                                                                                   "recall", "f1")}
                | {"support": 40 if label == labels[0] else 6} for label in labels}
        folds.append(fold)
    return folds


def unit_noise(seed, n=15):
    """A fixed per-fold pattern of mean 0 and standard deviation 1."""
    z = np.random.default_rng(seed).normal(size=n)
    return (z - z.mean()) / z.std(ddof=1)


METHODS = ("none", "random", "smote", "augmenter")


def test_one_class_improving_by_chance_among_many_is_not_a_gain():
    labels = list(range(10))
    # The augmenter's recall of class 3 rises by 0.1 (raw p = 0.02): among 10 classes, one such
    # "gain" in 5 is expected by chance alone. Macro-F1 and every other class do not move.
    shifts = {"augmenter": {("recall", 3): 0.1 + 0.068 * unit_noise(0), "macro_f1": 0.01 * unit_noise(1)},
              "random": {"macro_f1": 0.01 * unit_noise(2)}, "smote": {"macro_f1": 0.01 * unit_noise(3)}}
    folds = fold_scores(labels, shifts)
    chance = class_comparisons(folds, "augmenter", labels, "recall", test_train_ratio=0.25, confidence=0.95)[3]
    assert chance.low > 0 and chance.p < 0.05  # alone, it looks like a gain: the old rule said "helped"
    assert chance.p_holm >= 0.05  # across the 10 classes it is not
    decision = decide(folds, METHODS, test_train_ratio=0.25, labels=labels, names={"augmenter": "GAN top-up"})
    assert decision.helped == [] and decision.choice == "none"
    assert len(decision.sentences) <= 3
    assert decision.text.startswith("GAN top-up did not clearly help: macro-F1 ")
    assert "prefer no augmentation" in decision.text and "class 3" not in decision.text
    # The same construction with a real macro-F1 gain is a gain: the test above can fail.
    shifts["augmenter"]["macro_f1"] = 0.05 + 0.01 * unit_noise(1)
    decision = decide(fold_scores(labels, shifts), METHODS, test_train_ratio=0.25, labels=labels,
                      names={"augmenter": "GAN top-up"})
    assert decision.helped == ["augmenter"] and decision.text.startswith("GAN top-up helped: macro-F1 +0.050")


def test_a_cheaper_method_the_augmenter_does_not_beat_is_named_beside_it():
    # Random oversampling gains nearly as much as the GAN but misses significance against none by a
    # hair: the verdict recommended the GAN without a word of it, as if it had not helped at all.
    labels = ["common", "rare"]
    names = {"random": "random oversampling", "augmenter": "GAN top-up"}
    shifts = {"augmenter": {"macro_f1": 0.05 + 0.01 * unit_noise(1)},
              "random": {"macro_f1": 0.04 + 0.035 * unit_noise(2)}}
    decision = decide(fold_scores(labels, shifts), ("none", "random", "augmenter"), test_train_ratio=0.25,
                      labels=labels, names=names)
    assert decision.helped == ["augmenter"] and decision.primary["random"].p_holm < 0.1
    assert decision.choice == "augmenter"  # the answer stands: only the GAN is shown to help
    assert decision.sentences[1] == ("Prefer GAN top-up here: no other method improved macro-F1 significantly, though "
                                     f"random oversampling ({_change(decision.primary['random'])}) is not "
                                     "significantly worse than it, and cheaper.")
    # One the GAN beats significantly is not named.
    shifts["random"] = {"macro_f1": 0.01 + 0.01 * unit_noise(2)}
    decision = decide(fold_scores(labels, shifts), ("none", "random", "augmenter"), test_train_ratio=0.25,
                      labels=labels, names=names)
    assert decision.choice == "augmenter" and decision.primary["random"].mean > 0
    assert decision.sentences[1] == "Prefer GAN top-up here: no other method improved macro-F1 significantly."


def _scored_folds(found_by_fold, extra=1, never=0, moved=(), common=90):
    """Folds scored from real predictions: the rare class's (test rows, rows "none" finds) per fold,
    and the augmenter finding ``extra`` more of them in every fold (or fold by fold); ``never`` rows of a third class
    that both arms miss, of which, in the folds ``moved``, the augmenter calls one 'rare', not 'common'."""
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, precision_recall_fscore_support

    labels, folds = ["common", "rare"] + (["never"] if never else []), []
    extras = list(extra) if isinstance(extra, (list, tuple)) else [extra] * len(found_by_fold)
    for j, ((n_rare, found), extra) in enumerate(zip(found_by_fold, extras)):
        y = np.array(["common"] * common + ["rare"] * n_rare + ["never"] * never)
        none = y.copy()
        none[common + found:] = "common"
        augmented = none.copy()
        augmented[common + found:common + found + extra] = "rare"
        if j in moved:
            augmented[-1] = "rare"
        fold = FoldResult(index=j, repeat=0, fold=j, n_train=200, n_test=len(y))
        for method, predicted in (("none", none), ("augmenter", augmented)):
            fold.scores[method] = {"accuracy": accuracy_score(y, predicted),
                                   "balanced_accuracy": balanced_accuracy_score(y, predicted),
                                   "macro_f1": f1_score(y, predicted, average="macro")}
            scores = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
            fold.scores[method]["macro_f1"] = f1_score(y, predicted, average="macro", labels=labels, zero_division=0)
            fold.class_scores[method] = {label: dict(zip(("precision", "recall", "f1", "support"), values))
                                         for label, *values in zip(labels, *scores)}
        folds.append(fold)
    return labels, folds


def test_one_rare_row_gained_is_the_same_evidence_on_every_metric():
    # Folds of 40 test rows, 4 rare: balanced accuracy +0.125 was read as 5 of the fold's rows
    # (0.125 x 40) where one rare row had moved: p = 0.011, "helped", beside accuracy's and
    # macro-F1's p = 0.198 for the same row.
    labels, folds = _scored_folds([(4, 2)] * 3, common=36)
    p = {metric: decide(folds, ("none", "augmenter"), test_train_ratio=0.5, metric=metric,
                        labels=labels).primary["augmenter"].p
         for metric in ("accuracy", "balanced_accuracy", "macro_f1")}
    rare = class_comparisons(folds, "augmenter", labels, "recall", test_train_ratio=0.5, confidence=0.95)["rare"].p
    assert all(value == pytest.approx(rare, rel=1e-6) for value in p.values()), (p, rare)
    assert rare > 0.05


def test_the_same_share_of_folds_of_other_sizes_is_never_weaker_than_a_varying_one():
    # Recall +1.000 in every fold of a class of 20, 20 and 19 test rows read "+1.000 [+0.000, +1.000],
    # p = 1" (no same number of rows, no spread) beside smaller, varying changes cited as significant.
    labels = ["common", "rare"]

    def recall_p(extra):
        _, folds = _scored_folds([(20, 0), (20, 0), (19, 0)], extra=extra)
        return class_comparisons(folds, "augmenter", labels, "recall", test_train_ratio=0.5, confidence=0.95)["rare"]

    steady = recall_p([20, 20, 19])
    assert steady.mean == pytest.approx(1.0) and steady.p < recall_p([20, 19, 19]).p < 0.05


def test_a_steady_change_beats_one_step_less_in_any_fold_of_uneven_sizes():
    # The floor moved the fold of the smallest difference: with rare test rows 4, 4 and 3, +2 rows in
    # every fold read p = 0.10 where +2, +2, +1 read 0.037 (the floor is now the least over folds).
    from types import SimpleNamespace

    def recall_p(gains):
        folds = [SimpleNamespace(class_scores={method: {"rare": {"precision": 1.0, "recall": found / support,
                                                                  "f1": 0.0, "support": support}}
                                               for method, found in (("none", 0), ("augmenter", gain))})
                 for support, gain in zip((4, 4, 3), gains)]
        comparisons = class_comparisons(folds, "augmenter", ["rare"], "recall", test_train_ratio=0.5, confidence=0.95)
        return comparisons["rare"].p

    assert recall_p([2, 2, 2]) < min(recall_p([2, 2, 1]), recall_p([2, 1, 2]), recall_p([1, 2, 2]))


def test_one_rare_row_of_one_class_or_another_in_every_fold_is_evidence_on_balanced_accuracy():
    # One more row found in every fold, of rare class 1 in some folds and of class 2 in others: the
    # same +0.083 of balanced accuracy in every fold read p = 1 (its counts change differently).
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, precision_recall_fscore_support

    labels = [0, 1, 2]
    folds = []
    for j, gained in enumerate([1, 2, 1, 2, 1, 2]):
        y = np.array([0] * 28 + [1] * 4 + [2] * 4)
        none = y.copy()
        none[[28, 29, 32, 33]] = 0
        augmented = none.copy()
        augmented[29 if gained == 1 else 33] = gained
        fold = FoldResult(index=j, repeat=0, fold=j, n_train=72, n_test=36)
        for method, predicted in (("none", none), ("augmenter", augmented)):
            fold.scores[method] = {"accuracy": accuracy_score(y, predicted),
                                   "balanced_accuracy": balanced_accuracy_score(y, predicted),
                                   "macro_f1": f1_score(y, predicted, labels=labels, average="macro")}
            scores = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
            fold.class_scores[method] = {label: dict(zip(("precision", "recall", "f1", "support"), values))
                                         for label, *values in zip(labels, *scores)}
        folds.append(fold)
    p = {metric: compare_with_none(folds, ("none", "augmenter"), metric, test_train_ratio=0.5,
                                   confidence=0.95)["augmenter"].p for metric in ("accuracy", "balanced_accuracy")}
    assert p["balanced_accuracy"] == pytest.approx(p["accuracy"], rel=1e-6) and p["accuracy"] < 0.05


def test_one_more_rare_row_in_each_of_three_folds_is_weak_evidence_on_every_metric():
    # Rare test rows 10, 10 and 9: one more found in each fold was "no spread" (p = 1) for accuracy and
    # recall, but "helped" (p = 0.003) for balanced accuracy and macro-F1, whose steps differ by the
    # class's fold size, and per-class F1 was cited as evidence. Three folds are too few to show a
    # gain, however steady (tested as if one fold had found one row less).
    labels, folds = _scored_folds([(10, 5), (10, 5), (9, 4)])
    for metric in ("accuracy", "balanced_accuracy", "macro_f1"):
        decision = decide(folds, ("none", "augmenter"), test_train_ratio=0.5, metric=metric, labels=labels)
        assert 0.05 < decision.primary["augmenter"].p < 1.0 and decision.helped == [], metric
    for metric in ("recall", "precision", "f1"):
        rare = class_comparisons(folds, "augmenter", labels, metric, test_train_ratio=0.5, confidence=0.95)["rare"]
        assert rare.p > 0.05, metric  # precision does not move: p = 1
    # A class neither arm finds (its false positives unknown, its F1 0 whatever they are) changes
    # nothing: it switched the rule off. Balanced accuracy reads recalls alone: a wrong call moved
    # from one class to another in one fold (a false positive) switched it off too.
    for kw in (dict(never=3), dict(never=3, moved=(0,))):
        labels, folds = _scored_folds([(10, 5), (10, 5), (9, 4)], **kw)
        for metric in ("balanced_accuracy",) + (() if kw.get("moved") else ("macro_f1",)):
            assert decide(folds, ("none", "augmenter"), test_train_ratio=0.5, metric=metric,
                          labels=labels).primary["augmenter"].p > 0.05, (kw, metric)
    # Precision rests on the rows called the class, not on its test rows: a gain of 0.1 and 0.2 in
    # alternate folds whose class holds 10 and 5 test rows was "the same one row" (p = 1).
    folds = fold_scores(["common", "rare"], {"augmenter": {("precision", "rare"): np.tile([0.1, 0.2], 8)[:15]}})
    for fold, rows in zip(folds, np.tile([10, 5], 8)):
        for method in ("none", "augmenter"):
            fold.class_scores[method]["rare"]["support"] = int(rows)
    assert class_comparisons(folds, "augmenter", ["common", "rare"], "precision", test_train_ratio=0.25,
                             confidence=0.95)["rare"].p < 0.05
    # Found rows that differ from fold to fold are tested as before: 2, 3 and 2 more is evidence.
    varied = [_scored_folds([(10, 3)], extra=k)[1][0] for k in (2, 3, 2, 3, 2, 3)]
    assert compare_with_none(varied, ("none", "augmenter"), "macro_f1", test_train_ratio=0.5,
                             confidence=0.95)["augmenter"].p < 0.05


def test_secondary_evidence_in_the_verdict_carries_the_few_rows_caveat_of_its_table_row():
    # The verdict cited "balanced accuracy -0.054" bare where the summary's row said "few rows".
    folds = fold_scores([0, 1], {"augmenter": {"balanced_accuracy": 0.1 + 0.01 * unit_noise(1)}})
    for fold in folds:
        fold.n_test = 12
    text = decide(folds, ("none", "augmenter"), test_train_ratio=0.5, metric="macro_f1", labels=[0, 1]).text
    assert "balanced accuracy +0.100 (few rows: test folds of 12 rows (< 30))" in text


def test_mean_row_counts_read_alike_everywhere_and_never_round_up_to_the_bound():
    from gan_augment.evaluation._text import rows_text

    # 29.96 test rows beside "< 30" read "30" in the verdict and "30.0" in the table.
    assert [rows_text(n) for n in (30, 29.96, 29.6667, 7.5, 9.6667, 100.4, 0.004)] == \
        ["30", "29.96", "29.7", "7.5", "9.67", "100.4", "0.004"]


def test_the_verdict_says_few_rows_as_the_summary_does_for_folds_of_29_7_rows():
    # Rounded to 30 first, the verdict dropped the caveat the summary table gave (29.7 < 30).
    folds = fold_scores([0, 1], {"augmenter": {"accuracy": 0.01 * unit_noise(1, n=3)}}, n=3)
    for fold, n_test in zip(folds, (30, 30, 29)):
        fold.n_test = n_test
    decision = decide(folds, ("none", "augmenter"), test_train_ratio=0.5, metric="accuracy", labels=[0, 1])
    assert "few rows: test folds of 29.7 rows (< 30)" in decision.text
    for fold in folds:
        fold.n_test = 30
    assert "test folds of" not in decide(folds, ("none", "augmenter"), test_train_ratio=0.5, metric="accuracy",
                                         labels=[0, 1]).text


def test_the_evidence_sentence_says_whose_metrics_it_looked_at():
    # Random oversampling moves balanced accuracy and rare recall significantly; the GAN and the
    # choice (none) move nothing. The third sentence speaks for the GAN alone, and must say so.
    labels = ["common", "rare"]
    shifts = {"random": {"balanced_accuracy": 0.08 + 0.01 * unit_noise(1),
                         ("recall", "rare"): 0.2 + 0.01 * unit_noise(2)},
              "augmenter": {"macro_f1": 0.01 * unit_noise(3)}}
    decision = decide(fold_scores(labels, shifts), ("none", "random", "augmenter"), test_train_ratio=0.25,
                      labels=labels, names={"random": "random oversampling", "augmenter": "GAN top-up"})
    assert decision.choice == "none" and decision.evidence == []
    assert decision.sentences[2].startswith("No secondary or per-class metric of GAN top-up changed significantly")
    assert "other methods' included, are in the tables" in decision.sentences[2]


def glass_like():
    """Six classes, five topped up; "none" recalls the majority class 1 well. SMOTE: a significant gain
    in balanced accuracy only. Random oversampling: a large recall gain for class 3 and a loss for the
    majority, with a macro-F1 interval that includes 0. The augmenter: nothing."""
    labels = [1, 2, 3, 5, 6, 7]
    shifts = {
        "random": {"macro_f1": 0.03 + 0.1 * unit_noise(1), "balanced_accuracy": 0.02 + 0.1 * unit_noise(2),
                   ("recall", 3): 0.3 + 0.05 * unit_noise(3), ("recall", 1): -0.1 + 0.02 * unit_noise(4)},
        "smote": {"balanced_accuracy": 0.06 + 0.02 * unit_noise(5), "macro_f1": 0.02 + 0.1 * unit_noise(6)},
        "augmenter": {"macro_f1": 0.01 * unit_noise(7), "balanced_accuracy": 0.01 * unit_noise(8)},
    }
    return labels, fold_scores(labels, shifts)


def test_glass_like_case_names_only_what_the_corrected_rule_supports():
    labels, folds = glass_like()
    names = {"none": "none", "random": "random oversampling", "smote": "SMOTE", "augmenter": "GAN top-up"}
    kw = dict(test_train_ratio=0.25, confidence=0.95)
    primary = compare_with_none(folds, METHODS, "macro_f1", **kw)
    assert primary["random"].low < 0 < primary["random"].high  # macro-F1 interval includes 0 ...
    recall = class_comparisons(folds, "random", labels, "recall", **kw)
    assert recall[3].p_holm < 0.05 and recall[1].p_holm < 0.05  # ... with a real per-class gain and loss
    assert compare_with_none(folds, METHODS, "balanced_accuracy", **kw)["smote"].p_holm < 0.05
    decision = decide(folds, METHODS, labels=labels, names=names, **kw)
    assert decision.helped == [] and decision.hurt == [] and decision.choice == "none"
    assert len(decision.sentences) <= 3
    text = decision.text
    assert text.startswith("GAN top-up did not clearly help: macro-F1 ")
    assert "prefer no augmentation here" in text
    assert "random oversampling" not in text and "SMOTE" not in text  # neither is supported by the rule
    # The rule applied as stated to another primary metric, chosen up front: SMOTE is then the answer.
    decision = decide(folds, METHODS, labels=labels, names=names, metric="balanced_accuracy", **kw)
    assert decision.helped == ["smote"] and decision.choice == "smote"
    assert decision.sentences[1].startswith("Prefer SMOTE here: the largest significant balanced accuracy gain")
    assert "random oversampling" not in decision.text


def test_a_cheaper_baseline_is_preferred_unless_the_augmenter_beats_it():
    labels = [0, 1]
    shifts = {"smote": {"macro_f1": 0.04 + 0.01 * unit_noise(1)},
              "augmenter": {"macro_f1": 0.05 + 0.01 * unit_noise(2)}}
    decision = decide(fold_scores(labels, shifts), ("none", "smote", "augmenter"), test_train_ratio=0.25,
                      names={"smote": "SMOTE", "augmenter": "GAN top-up"})
    assert decision.helped == ["smote", "augmenter"] and decision.choice == "smote"
    assert "not significantly better than SMOTE" in decision.sentences[1]
    shifts["augmenter"]["macro_f1"] = 0.15 + 0.01 * unit_noise(2)
    decision = decide(fold_scores(labels, shifts), ("none", "smote", "augmenter"), test_train_ratio=0.25,
                      names={"smote": "SMOTE", "augmenter": "GAN top-up"})
    assert decision.choice == "augmenter" and decision.sentences[1].startswith("Prefer GAN top-up here")


def test_unknown_or_unfit_primary_metric_is_refused():
    from gan_augment.evaluation import plan_evaluation

    X, y = two_gaussians(n_major=40, n_minor=8)
    with pytest.raises(ValueError, match=r"Unknown metric 'f1'.*macro_f1"):
        plan_evaluation(X, y, ExplodingSampler(), metric="f1", cv=3)
    y3 = y.copy()
    y3[:10] = "third"
    # Named in both doors' words (gan-augment evaluate --metric pr_auc was told of metric='pr_auc' alone).
    with pytest.raises(ValueError, match=r"^metric='pr_auc' \(--metric pr_auc\) is measured for binary targets only"):
        plan_evaluation(X, y3, ExplodingSampler(), metric="pr_auc", cv=3)
    assert plan_evaluation(X, y, ExplodingSampler(), cv=3).metric == "macro_f1"
    # An estimator without scores to rank by: every fold ran, then the verdict was NaN.
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.linear_model import Perceptron

    class Threshold(ClassifierMixin, BaseEstimator):  # labels only, no scores
        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def predict(self, X):
            return self.classes_[(np.asarray(X)[:, 0] > 0).astype(int)]

    with pytest.raises(ValueError, match=r"pr_auc.*Threshold has neither predict_proba nor decision_function"):
        plan_evaluation(X, y, ExplodingSampler(), estimator=Threshold(), metric="pr_auc", cv=3)
    assert plan_evaluation(X, y, ExplodingSampler(), estimator=Perceptron(), metric="pr_auc", cv=3).metric == "pr_auc"


# ============================================================================ six classes, many columns
@pytest.fixture(scope="module")
def six_class_report():
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=260, n_features=14, n_informative=6, n_classes=6, n_clusters_per_class=1,
                               weights=[0.5, 0.2, 0.12, 0.08, 0.06, 0.04], random_state=0)
    X = pd.DataFrame(X, columns=[f"c{i:02d}" for i in range(14)])
    return evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=LogisticRegression(max_iter=300),
                                 cv=3, repeats=1, baselines=("none", "random", "smote"), random_state=0)


def test_six_class_report_respects_ranges_and_states_the_rule(six_class_report):
    report = six_class_report
    assert len(report.settings["classes"]) == 5
    scores = report.summary[report.summary["metric"] != "augment_time_s"]
    for frame in (scores, report.per_class):
        assert frame["mean_low"].between(0, 1).all() and frame["mean_high"].between(0, 1).all()
        changed = frame[frame["method"] != "none"]
        assert changed["ci_low"].between(-1, 1).all() and changed["ci_high"].between(-1, 1).all()
        assert changed["p_holm"].dropna().ge(changed["p_value"].dropna()).all()
    assert report.summary.loc[report.summary["primary"], "metric"].unique().tolist() == ["macro_f1"]
    assert "Holm" in report.settings["interval"] and "clipped" in report.settings["interval"]
    markdown = report.to_markdown()
    assert "Decision rule: macro-F1 is the primary metric" in markdown and "macro-F1 (primary)" in markdown


def test_error_bars_stay_on_the_axis(six_class_report):
    from gan_augment.evaluation._figures import _error_bars
    from gan_augment.evaluation._types import CLASS_METRICS

    frame = six_class_report.per_class
    for (_, _), part in frame.groupby(["method", "class"]):
        part = part.set_index("metric")
        below, above = _error_bars(part)
        means = [part.loc[m, "mean"] for m in CLASS_METRICS]
        assert all(0 <= m - b and m + a <= 1 for m, b, a in zip(means, below, above))


def test_html_shows_every_topped_up_class_or_says_what_is_left_out(six_class_report):
    import html
    import re

    page = six_class_report.to_html()
    captions = [html.unescape(c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", page)]
    marginals = next(c for c in captions if "marginals" in c or "topped-up class" in c and "Columns" in c)
    assert "Shown: all topped-up classes (5)." in marginals
    # 14 columns, 7 drawn for each of 5 classes: the caption names the 7 left out and where every
    # column's distance is
    assert "Shown: 7 of 14 columns; left out:" in marginals and "column_distances" in marginals
    left_out = [name.strip("'") for name in re.search(r"left out: (.*?) \(", marginals).group(1).split(", ")]
    assert len(left_out) == 7 and set(left_out) <= {f"c{i:02d}" for i in range(14)}
    # the columns left out are the best-matched ones (smallest worst-class distance)
    distances = six_class_report.column_distances
    worst = distances[distances["method"] == "RandomOverSampler"].groupby("column")["distance"].max()
    assert worst[left_out].max() <= worst.drop(left_out).min()
    assert any("Shown: all classes (6)." in c for c in captions)
    document = json.loads(six_class_report.to_json())
    pairs = {(r["class"], r["column"]) for r in document["column_distances"] if r["method"] == "RandomOverSampler"}
    assert len(pairs) == 5 * 14  # the rest is in the JSON


def test_small_sample_caveats_sit_beside_the_scores(six_class_report):
    from gan_augment.evaluation._text import with_caveats

    fidelity = six_class_report.fidelity
    few = (fidelity["n_real"] < 30) | (fidelity["n_synthetic"] < 30)
    assert few.any() and fidelity.loc[few, "caveat"].str.startswith("few rows: ").all()
    assert (fidelity.loc[~few, "caveat"] == "").all()
    per_class = six_class_report.per_class
    assert per_class.loc[per_class["n_rows"] < 30, "caveat"].str.contains("test rows of the class per fold").all()
    assert "few rows: " in six_class_report.to_markdown()
    frame = with_caveats(pd.DataFrame({"n_real": [40, 40], "n_synthetic": [5, 300]}), ("n_real", "real"),
                         ("n_synthetic", "synthetic"))
    assert list(frame["caveat"]) == ["few rows: 5 synthetic (< 30)", ""]


def test_verdict_is_three_sentences_leading_with_the_answer(six_class_report):
    verdict = six_class_report.verdict
    assert verdict.startswith("RandomOverSampler ") and "macro-F1" in verdict.split(":")[1]
    assert len(verdict.split(". ")) <= 3 and len(verdict.split()) < 120


# ============================================================================ GAN + report
@pytest.fixture(scope="module")
def gan_report():
    rng = np.random.default_rng(0)
    n_major, n_minor = 100, 18
    n = n_major + n_minor
    y = np.array(["common"] * n_major + ["rare"] * n_minor)
    shift = np.where(y == "rare", 1.0, 0.0)
    X = pd.DataFrame({
        "income": rng.normal(50 + 10 * shift, 5, n),
        "age": rng.integers(18, 70, n) + (shift * 5).astype(int),
        "city": pd.Categorical(rng.choice(["paris", "lyon", "nice"], n)),
        "member": rng.random(n) < 0.3,
        "score": np.where(rng.random(n) < 0.1, np.nan, rng.normal(0, 1, n)),
    })
    return evaluate_augmentation(X, y, GANAugmenter(**FAST), classes=["rare"], cv=3, repeats=1,
                                 baselines=("none", "random", "smote", "class_weight"), random_state=0)


def test_report_holds_every_method_metric_and_class(gan_report):
    assert isinstance(gan_report, AugmentationReport)
    methods = ["none", "random oversampling", "SMOTE-NC", "class_weight='balanced'", "GAN top-up"]
    assert list(dict.fromkeys(gan_report.summary["method"])) == methods
    assert set(gan_report.summary["metric"]) == {"accuracy", "balanced_accuracy", "macro_f1", "pr_auc",
                                                 "augment_time_s"}
    assert set(gan_report.per_class["class"]) == {"common", "rare"}
    assert {"delta", "ci_low", "ci_high", "mean"} <= set(gan_report.summary.columns)
    assert len(gan_report.folds) == 3 * len(methods)
    assert gan_report.verdict.startswith("GAN top-up")
    # fidelity and privacy of the rows each augmenting method added to class "rare"
    assert set(gan_report.fidelity["method"]) == {"random oversampling", "SMOTE-NC", "GAN top-up"}
    assert gan_report.fidelity["c2st_auc"].between(0, 1).all()
    privacy = gan_report.privacy.set_index("method")
    assert privacy.loc["random oversampling", "exact_copy_share"] == 1.0
    assert privacy.loc["GAN top-up", "exact_copy_share"] < 1.0
    assert set(gan_report.column_distances["column"]) == {"income", "age", "city", "member", "score"}
    assert len(gan_report.histories) == 3 and "loss_g" in gan_report.histories[0][0]


def test_a_pr_auc_verdict_says_how_few_positive_rows_it_rests_on():
    # 300 test rows per fold, of which 10 are 'rare': PR-AUC, the primary metric here, rests on those.
    X, y = two_gaussians(n_major=870, n_minor=30)
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=3, repeats=1, random_state=0,
                                   baselines=("none",), metric="pr_auc", fidelity=False, privacy=False)
    assert "few rows: 10 test rows of class 'rare' per fold (< 30)" in report.verdict


def test_pr_auc_counts_the_positive_rows_it_rests_on(gan_report):
    # 118 rows in 3 folds: about 39 test rows per fold, of which about 6 are 'rare', the class
    # PR-AUC scores. Accuracy rests on all of them; PR-AUC on the 6, and says so. Macro-F1 and
    # balanced accuracy average the classes' scores: the 6 rare rows carry half of each, and they
    # say so too (they had no caveat).
    summary = gan_report.summary[gan_report.summary["method"] == "GAN top-up"].set_index("metric")
    assert summary.loc["accuracy", "n_rows"] > 30 and summary.loc["accuracy", "caveat"] == ""
    for metric, name in (("macro_f1", "macro-F1"), ("balanced_accuracy", "balanced accuracy")):
        assert summary.loc[metric, "n_rows"] > 30
        assert f"6 test rows of class 'rare' per fold, behind its share of {name}" in summary.loc[metric, "caveat"]
    assert "few rows: 6 test rows of class 'rare' per fold (< 30)" in gan_report.verdict
    assert summary.loc["pr_auc", "n_rows"] == pytest.approx(18 / 3)
    assert "6 test rows of class 'rare' per fold, behind PR-AUC" in summary.loc["pr_auc", "caveat"]
    markdown = gan_report.to_markdown()
    assert "behind PR-AUC" in markdown and "| 39.3 |" in markdown  # the row's count stays its test rows


def test_report_renders_html_markdown_and_json(gan_report, tmp_path):
    path = tmp_path / "report.html"
    text = gan_report.to_html(path)
    assert path.exists() and path.read_text(encoding="utf-8") == text
    # A file that exists (this report, or the user's data) is replaced only with force=True.
    (tmp_path / "data.csv").write_text("a,label\n1,x\n")
    for write in (gan_report.to_html, gan_report.to_json, gan_report.to_markdown):
        with pytest.raises(FileExistsError, match="already exists; pass force=True"):
            write(tmp_path / "data.csv")
        assert (tmp_path / "data.csv").read_text() == "a,label\n1,x\n"
    assert gan_report.to_markdown(path, force=True) == path.read_text(encoding="utf-8") == str(gan_report)
    assert text.count("<img") >= 4 and "data:image/png;base64," in text
    assert "http://" not in text and "https://" not in text  # self-contained
    markdown = gan_report.to_markdown()
    assert "| method | accuracy |" in markdown and "| GAN top-up |" in markdown
    assert markdown.startswith("# Augmentation report")
    # A notebook shows the report, left at the end of a cell, as this Markdown (it showed the repr's
    # one line); the repr stays one line.
    assert gan_report._repr_markdown_() == markdown and "\n" not in repr(gan_report)
    document = json.loads(gan_report.to_json())
    assert document["verdict"] == gan_report.verdict
    assert document["settings"]["classes"] == ["rare"] and len(document["summary"]) == len(gan_report.summary)


def test_a_confidence_below_one_never_reads_100_percent():
    from gan_augment.evaluation._text import percent

    assert [percent(level) for level in (0.95, 0.975, 0.999, 0.99995, 0.99999)] == \
        ["95%", "97.5%", "99.9%", "99.995%", "99.999%"]  # .4g rounded the last two up to "100%"


def test_labels_show_as_written_in_figures_and_keep_markdown_tables_whole():
    # "x$_$y" made matplotlib fail after every fold (it reads $...$ as mathematics); a line break
    # or a trailing backslash in a label broke the Markdown table's rows; 0.999 read "100%".
    X, y = two_gaussians(n_major=40, n_minor=10)
    labels = np.array(["x$_$y", "back\\", "two\nlines", "a|b"])
    y = labels[np.arange(len(y)) % 4]
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=("none",),
                                   confidence=0.999, random_state=0, privacy=False)
    text = report.to_html()
    assert "x$_$y" in text and "Intervals: 99.9% " in text and "100% intervals" not in text
    markdown = report.to_markdown()
    assert "two<br>lines" in markdown and "back\\\\ |" in markdown and "a\\|b" in markdown

    def cells(line):  # the cells of a table row: split on pipes that are not escaped
        return len(re.findall(r"(?<!\\)\|", line.replace("\\\\", "")))

    tables = [block.splitlines() for block in markdown.split("\n\n") if block.startswith("| ")]
    assert tables
    for table in tables:
        assert {cells(line) for line in table} == {cells(table[0])}, table


def test_a_report_records_what_it_takes_to_run_it_again():
    # random_state=None draws a seed; the report keeps it (and the augmenter's settings), and that
    # seed gives the same report again.
    X, y = two_gaussians(n_major=80, n_minor=12)
    kwargs = dict(estimator=LogisticRegression(), classes=["rare"], cv=3, repeats=1, baselines=("none", "smote"),
                  fidelity=False, privacy=False)
    first = evaluate_augmentation(X, y, RandomOverSampler(shrinkage=0.5), **kwargs)
    seed = first.settings["random_state"]
    assert isinstance(seed, int) and first.settings["augmenter_params"]["shrinkage"] == 0.5
    assert f"Seed: random_state={seed}" in first.to_markdown()
    again = evaluate_augmentation(X, y, RandomOverSampler(shrinkage=0.5), random_state=seed, **kwargs)
    columns = ["method", "metric", "mean", "delta"]
    scores = lambda r: r.summary[r.summary["metric"] != "augment_time_s"][columns]  # noqa: E731 (timings differ)
    pd.testing.assert_frame_equal(scores(first), scores(again))
    assert json.loads(again.to_json())["settings"]["random_state"] == seed


def test_parallel_folds_give_the_same_report():
    X, y = two_gaussians(n_major=80, n_minor=12)
    kwargs = dict(estimator=LogisticRegression(), classes=["rare"], cv=3, repeats=1, baselines=("none", "smote"),
                  random_state=3, fidelity=False, privacy=False)
    one = evaluate_augmentation(X, y, RandomOverSampler(), **kwargs)
    two = evaluate_augmentation(X, y, RandomOverSampler(), n_jobs=2, **kwargs)
    columns = ["method", "metric", "mean", "delta", "ci_low", "ci_high"]
    scores = lambda r: r.summary[r.summary["metric"] != "augment_time_s"][columns]  # noqa: E731
    pd.testing.assert_frame_equal(scores(one), scores(two))
    assert one.verdict == two.verdict


class _WarningOverSampler(RandomOverSampler):
    """Random oversampling that warns on every fit, as a GAN of a tiny class does in every fold."""

    def fit_resample(self, X, y, **params):
        warnings.warn("the same warning from every fold", UserWarning)
        return super().fit_resample(X, y, **params)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_warning_raised_in_every_fold_is_said_once_with_its_count(n_jobs):
    # 5 folds x 2 repeats printed it 10 times (and folds run in other processes not at all).
    X, y = two_gaussians(n_major=60, n_minor=12)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_augmentation(X, y, _WarningOverSampler(random_state=0), estimator=LogisticRegression(),
                              classes=["rare"], cv=3, repeats=2, baselines=("none",), random_state=0,
                              fidelity=False, privacy=False, n_jobs=n_jobs)
    said = [str(w.message) for w in caught if "the same warning" in str(w.message)]
    assert said == ["the same warning from every fold (in 6 of 6 folds)"]


class _FigureWarningOverSampler(RandomOverSampler):
    """Random oversampling warning with a figure of its fit, as the label gate's acceptance rate."""

    def fit_resample(self, X, y, **params):
        from gan_augment._warnings import warn

        share = f"{len(y) % 7}%"  # differs between folds of different sizes
        warn(f"class 'rare' is kept at {share} only", UserWarning, gist="class 'rare' is kept at a low rate")
        return super().fit_resample(X, y, **params)


def test_a_warning_whose_figures_differ_between_folds_is_said_once_as_its_gist():
    X, y = two_gaussians(n_major=61, n_minor=12)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_augmentation(X, y, _FigureWarningOverSampler(random_state=0), estimator=LogisticRegression(),
                              classes=["rare"], cv=3, repeats=1, baselines=("none",), random_state=0,
                              fidelity=False, privacy=False, n_jobs=2)
    said = [str(w.message) for w in caught if "class 'rare' is kept" in str(w.message)]
    assert said == ["class 'rare' is kept at a low rate (in 3 of 3 folds)"]


@pytest.mark.parametrize("classes", [["tied", "rare"], None])
def test_a_warning_said_of_the_whole_data_is_not_said_again_for_its_folds(classes):
    # A class tied with the majority: said before the folds, then again "(in 2 of 2 folds)".
    from gan_augment.exceptions import NothingToAddWarning

    rng = np.random.default_rng(0)
    y = np.array(["common"] * 40 + ["tied"] * 40 + ["rare"] * 10)
    X = pd.DataFrame({"a": rng.normal(size=len(y)) + (y == "rare"), "b": rng.normal(size=len(y))})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        evaluate_augmentation(X, y, GANAugmenter(**FAST, random_state=0), estimator=LogisticRegression(),
                              classes=classes, cv=2, repeats=1, baselines=("none",), random_state=0,
                              fidelity=False, privacy=False)
    said = [str(w.message) for w in caught if issubclass(w.category, NothingToAddWarning)]
    assert said == ["class 'tied' already has the majority count; nothing will be added to it."]


def test_say_once_keeps_a_warning_that_every_fold_said_alike_and_never_merges_other_warnings():
    from gan_augment._warnings import say_once

    folds = [[(UserWarning, "class 2 is small", None), (UserWarning, "gate at 3%", "gate low")],
             [(UserWarning, "class 3 is small", None), (UserWarning, "gate at 3%", "gate low")]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        say_once(folds)
    assert [str(w.message) for w in caught] == [
        "class 2 is small (in 1 of 2 folds)", "gate at 3% (in 2 of 2 folds)", "class 3 is small (in 1 of 2 folds)"]


def test_a_random_state_object_is_drawn_from_once_and_a_bad_one_refused():
    """The judge takes what every door takes (gan_augment._random.check_seed): a RandomState gives
    the report of the int it yields; anything else is a TypeError naming random_state, before fitting."""
    from gan_augment._random import SEED_MAX

    X, y = two_gaussians(n_major=80, n_minor=12)
    kwargs = dict(estimator=LogisticRegression(), classes=["rare"], cv=3, repeats=1, baselines=("none", "random"),
                  fidelity=False, privacy=False)
    drawn = int(np.random.RandomState(0).randint(SEED_MAX))
    from_state = evaluate_augmentation(X, y, RandomOverSampler(), random_state=np.random.RandomState(0), **kwargs)
    from_int = evaluate_augmentation(X, y, RandomOverSampler(), random_state=drawn, **kwargs)
    columns = ["method", "metric", "mean", "delta", "ci_low", "ci_high"]
    scores = lambda r: r.summary[r.summary["metric"] != "augment_time_s"][columns]  # noqa: E731
    pd.testing.assert_frame_equal(scores(from_state), scores(from_int))
    with pytest.raises(TypeError, match="random_state"):
        evaluate_augmentation(X, y, ExplodingSampler(), random_state="zero", **kwargs)


def test_the_plan_is_checked_once_and_frozen():
    import dataclasses

    from gan_augment.evaluation import EvaluationPlan, plan_evaluation

    X, y = two_gaussians(n_major=40, n_minor=8)
    plan = plan_evaluation(X, y, ExplodingSampler(), classes="rare", cv=3, repeats=2, random_state=0)
    assert isinstance(plan, EvaluationPlan)
    assert plan.targets == ["rare"] and plan.labels == ["common", "rare"] and plan.counts == {"common": 40, "rare": 8}
    # The default baselines: class weights too, since logistic regression takes them ...
    assert plan.methods == ("none", "random", "smote", "class_weight", "augmenter") and len(plan.splits) == 6
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.targets = ["common"]  # type: ignore[misc]
    # ... and not for a classifier without a class_weight parameter (asking for them is an error there).
    from sklearn.neighbors import KNeighborsClassifier

    knn = plan_evaluation(X, y, ExplodingSampler(), estimator=KNeighborsClassifier(), classes="rare", cv=3)
    assert knn.methods == ("none", "random", "smote", "augmenter")
    with pytest.raises(ValueError, match="class_weight"):
        plan_evaluation(X, y, ExplodingSampler(), estimator=KNeighborsClassifier(), classes="rare", cv=3,
                        baselines=("none", "class_weight"))
    # Nor where only another step has one: the feature selector's model was weighted, for a KNN.
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    selected = Pipeline([("select", SelectFromModel(LogisticRegression())), ("knn", KNeighborsClassifier())])
    plan = plan_evaluation(X, y, ExplodingSampler(), estimator=selected, classes="rare", cv=3)
    assert "class_weight" not in plan.methods and plan.class_weight_key is None


def test_a_callers_unseeded_estimator_is_seeded_from_random_state():
    # A RandomForestClassifier() gave another report for the same random_state each run.
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.feature_selection import SelectFromModel
    from sklearn.pipeline import Pipeline

    from gan_augment.evaluation import plan_evaluation

    X, y = two_gaussians(n_major=40, n_minor=8)
    forest = Pipeline([("select", SelectFromModel(RandomForestClassifier(n_estimators=5))),
                       ("model", RandomForestClassifier(n_estimators=5, random_state=7))])
    plans = [plan_evaluation(X, y, ExplodingSampler(), estimator=forest, cv=3, random_state=0) for _ in range(2)]
    params = [plan.estimator.get_params() for plan in plans]
    seed = params[0]["select__estimator__random_state"]
    assert isinstance(seed, int) and params[1]["select__estimator__random_state"] == seed
    assert params[0]["model__random_state"] == 7  # the caller's own seed is kept
    assert forest.get_params()["select__estimator__random_state"] is None  # the caller's object untouched


@pytest.mark.parametrize("name", ["logreg", "hgb", "rf"])
def test_built_in_estimators_take_categories_missing_values_and_class_weight(mixed_frame, name):
    X, y = mixed_frame
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=name, cv=2, repeats=1,
                                   baselines=("none", "class_weight"), random_state=0, fidelity=False,
                                   privacy=False)
    assert report.summary["mean"].notna().all()
    assert "class_weight='balanced'" in set(report.summary["method"])


@pytest.mark.parametrize("name", ["logreg", "hgb", "rf"])
def test_built_in_estimators_take_a_category_of_more_levels_than_boosting_has_bins(name):
    # HistGradientBoosting failed on a column of 300 zip codes ("cardinality <= 255"), naming its
    # position among the encoded columns, not the column.
    X, y = two_gaussians(n_major=700, n_minor=100)
    X["zip"] = np.random.default_rng(0).permutation([f"Z{i:05d}" for i in range(400)] * 2)  # 400 seen per fold
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=name, cv=2, repeats=1,
                                   baselines=("none",), random_state=0, fidelity=False, privacy=False)
    assert report.summary["mean"].notna().all()


@pytest.mark.parametrize("name", ["logreg", "hgb", "rf"])
def test_built_in_estimators_take_a_column_that_is_never_filled_in(mixed_frame, name):
    # Weka's hypothyroid never measures TBG: HistGradientBoosting alone fails on such a column.
    # Nullable numbers with gaps (pd.NA) failed in the random forest ("uses pandas.NA").
    X, y = mixed_frame
    gaps = [1, 2, None] * (len(X) // 3) + [4] * (len(X) % 3)
    X = X.assign(never_measured=np.nan, counted=pd.array(gaps, dtype="Int64"),
                 measured=pd.array(gaps, dtype="Float64"))
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=name, cv=2, repeats=1,
                                   random_state=0, fidelity=False, privacy=False)
    assert report.summary["mean"].notna().all()


def test_empty_columns_become_zeros_and_other_missing_values_stay():
    from gan_augment.evaluation._prep import EmptyColumnsAsZero

    train = pd.DataFrame({"empty": [np.nan] * 4, "gappy": [1.0, np.nan, 3.0, 4.0]})
    filler = EmptyColumnsAsZero().fit(train)
    # A value that arrives later in a column that was empty when fitted is zeroed too: the model
    # was fitted on the constant.
    out = filler.transform(pd.DataFrame({"empty": [5.0, np.nan], "gappy": [np.nan, 2.0]}))
    np.testing.assert_array_equal(out, [[0.0, np.nan], [0.0, 2.0]])
    assert list(filler.get_feature_names_out()) == ["empty", "gappy"]
    assert train["empty"].isna().all()  # the caller's table is not changed


# ============================================================================ bad inputs
def test_columns_the_augmenter_names_categorical_are_categories_for_the_baselines_and_classifier():
    # A code written as numbers: the GAN picked codes, SMOTE interpolated them, and the logistic
    # regression scaled them as a number, in one comparison.
    from imblearn.over_sampling import SMOTENC

    from gan_augment.evaluation import plan_evaluation

    X, y = two_gaussians(n_major=40, n_minor=8)
    X = pd.DataFrame(X, columns=["a", "b"]).assign(zip=np.resize([10115, 20095, 80331], len(y)))
    for augmenter, named in ((GANAugmenter(categorical_features=["zip"]), ["zip"]),
                             (GANAugmenter(categorical_features=[False, False, True]), ["zip"]),
                             # (k_neighbors=4: a training fold holds 5 of the 8 rare rows)
                             (SMOTENC(categorical_features=[2], k_neighbors=4), ["zip"]),
                             (SMOTENC(categorical_features="auto", k_neighbors=4), []),
                             (AutoAugmenter(augmenter=GANAugmenter(categorical_features=["zip"])), ["zip"]),
                             (GANAugmenter(), [])):
        plan = plan_evaluation(X, y, augmenter, classes="rare", cv=3, random_state=0)
        assert plan.categorical == named and plan.smote_name == ("SMOTE-NC" if named else "SMOTE")
        cat = [columns for name, _, columns in plan.estimator.named_steps["prep"].transformers if name == "cat"]
        assert cat == ([[2]] if named else [])


def test_the_reports_column_distances_take_the_augmenters_categories_as_categories():
    # SMOTE-NC and the classifier took a code column as categories; the column distances, the
    # correlations and the distance space of the fidelity and privacy checks still as a number.
    X, y = two_gaussians(n_major=60, n_minor=20)
    X = pd.DataFrame(X, columns=["a", "b"]).assign(zip=np.resize([10115, 20095, 80331], len(y)))
    report = evaluate_augmentation(X, y, MixedSMOTE(categorical_features=["zip"], random_state=0), classes="rare",
                                   cv=2, repeats=1, random_state=0)
    kinds = report.column_distances.groupby("column")["kind"].first().to_dict()
    assert kinds == {"a": "numeric (KS)", "b": "numeric (KS)", "zip": "categorical (TV)"}


def test_an_imbalanced_learn_samplers_categorical_features_are_read_as_it_reads_them():
    # Read by the GAN's rules, SMOTENC's [-1] was refused and its [2] named the column *called* 2.
    from imblearn.over_sampling import SMOTENC

    from gan_augment.baselines import named_categorical

    X = pd.DataFrame({2: [0.5], 0: [1.5], 1: [3]})
    assert named_categorical(SMOTENC(categorical_features=[-1]), X) == [1]
    assert named_categorical(SMOTENC(categorical_features=[2]), X) == [1]  # position 2
    assert named_categorical(GANAugmenter(categorical_features=[2]), X) == [2]  # the column named 2
    assert named_categorical(SMOTENC(categorical_features=[False, True, False]), X) == [0]
    from imblearn.pipeline import Pipeline

    assert named_categorical(Pipeline([("smote", SMOTENC(categorical_features=[-1]))]), X) == [1]
    # After a step that may reorder the columns, positions name the columns of its output: not read.
    from sklearn.preprocessing import FunctionTransformer

    reordered = Pipeline([("order", FunctionTransformer(lambda frame: frame[[1, 2, 0]])),
                          ("smote", SMOTENC(categorical_features=[0]))])
    assert named_categorical(reordered, X) == []
    # What names no column is refused before any fold, naming the parameter (after the first fold's
    # baselines, sklearn's own words named neither).
    for bad, words in (([True, False], "is a boolean mask of 2 entries, but X has 3 columns"),
                       ([5], "names the position 5, beyond X's 3 columns"),
                       (["zz"], "names 'zz', which is not a column")):
        with pytest.raises(DataValidationError, match=rf"^The augmenter's categorical_features {words}"):
            named_categorical(SMOTENC(categorical_features=bad), X)


class ExplodingSampler(RandomOverSampler):
    def fit_resample(self, X, y):  # pragma: no cover - must never run
        raise AssertionError("fitted before the inputs were checked")


def test_class_with_one_member_is_refused_before_fitting():
    X, y = two_gaussians(n_major=40, n_minor=8)
    y = y.copy()
    y[0] = "lonely"
    with pytest.raises(DataValidationError, match=r"Class 'lonely' has 1 row.*stratified cross-validation"):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=5)


@pytest.mark.parametrize("labels, message", [
    (lambda y: np.where(y == y[0], 0.5, 1.5), r"numbers with a fractional part|looks like a regression"),
    (lambda y: np.linspace(0, 1, len(y)), r"looks like a regression target"),
    (lambda y: np.where(np.arange(len(y)) == 3, None, y).astype(object), r"missing value"),
])
def test_a_target_that_is_not_classes_is_refused_as_the_samplers_refuse_it(labels, message):
    # The evaluator skipped the target check: a continuous y failed in StratifiedKFold, or as
    # "Class -2.398 has 1 row".
    X, y = two_gaussians(n_major=40, n_minor=8)
    with pytest.raises(DataValidationError, match=message):
        evaluate_augmentation(X, labels(y), ExplodingSampler(), cv=2)


@pytest.mark.parametrize("shape, flatten, image_shape", [
    ((30, 8, 8), "X.reshape(len(X), -1)", "(1, 8, 8)"),
    ((30, 8, 8, 3), "X.transpose(0, 3, 1, 2).reshape(len(X), -1)", "(3, 8, 8)"),
])
def test_an_image_batch_is_refused_with_the_rows_to_pass_instead(shape, flatten, image_shape):
    X = np.zeros(shape, dtype=np.uint8)
    y = np.repeat(["a", "b"], [20, 10])
    with pytest.raises(DataValidationError, match=re.escape(f"pass {flatten}, and an augmenter that reads them so, "
                                                            f"e.g. GANAugmenter(image_shape={image_shape})")):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=2)


@pytest.mark.parametrize("kwargs, message", [
    (dict(cv="3"), r"cv must be an int \(number of folds\), a cross-validation splitter or a list of \(train, test\) "
                    r"index pairs; got '3'"),
    (dict(confidence="0.95"), r"confidence must be a number in \(0, 1\), e.g. 0.95; got '0.95'"),
    (dict(confidence=None), r"confidence must be a number in \(0, 1\)"),
    (dict(baselines=None), r"baselines must be 'auto' or a list of baselines"),
])
def test_arguments_of_the_wrong_type_are_named(kwargs, message):
    # They failed with Python's words ("'<' not supported between 'int' and 'str'", "'NoneType' object is
    # not iterable"; a cv given as text was taken for a splitter, having a split method).
    X, y = two_gaussians(n_major=40, n_minor=8)
    with pytest.raises((TypeError, ValueError), match=message):
        evaluate_augmentation(X, y, ExplodingSampler(), **{"cv": 2, **kwargs})


def test_labels_of_two_kinds_are_named_before_fitting():
    # Was numpy's "'<' not supported between instances of 'str' and 'int'" from sorting the classes.
    X, y = two_gaussians(n_major=40, n_minor=8)
    mixed = np.array([1 if label == y[0] else "b" for label in y], dtype=object)
    with pytest.raises(DataValidationError, match=r"mixes labels of different kinds: numbers \(1\), text \('b'\)"):
        evaluate_augmentation(X, mixed, ExplodingSampler(), cv=2)


def test_too_few_rows_for_cv_names_the_class_and_the_fix():
    X, y = two_gaussians(n_major=40, n_minor=3)
    with pytest.raises(DataValidationError, match=r"Class 'rare' has 3 rows.*Lower cv \(--cv\) to at most 3, or"):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=5)
    # Two rows: the advice to lower cv would lead straight into SMOTE's refusal; it says so at once.
    X, y = two_gaussians(n_major=40, n_minor=2)
    with pytest.raises(DataValidationError, match=r"Lower cv \(--cv\) to at most 2; 2-fold cross-validation then "
                                                  r"leaves SMOTE 1 row of it.*leave 'smote' out of the baselines too"):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=3)


def test_smote_without_two_training_rows_says_whether_more_folds_can_help():
    X, y = two_gaussians(n_major=40, n_minor=3)  # 2 folds leave 1 training row, 3 folds leave 2
    with pytest.raises(DataValidationError, match=r"Class 'rare' has 3 rows: a training fold holds only 1.*"
                                                  r"Raise cv \(--cv\) to 3"):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=2)
    X, y = two_gaussians(n_major=40, n_minor=2)
    # The baselines of this run less SMOTE: "('none', 'random')" dropped class weights too.
    with pytest.raises(DataValidationError, match=r"No number of folds.*leave 'smote' out of the baselines "
                                                  r"\(baselines=\('none', 'random', 'class_weight'\); --baseline "
                                                  r"none,random,class_weight on the command line\)"):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=2)
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, random_state=0,
                                   baselines=("none", "random"), fidelity=False, privacy=False)
    assert report.summary["mean"].notna().all()  # the run goes through without SMOTE


def test_an_augmenter_that_needs_two_training_rows_is_refused_before_any_fold():
    # MixedSMOTE or AutoAugmenter under test failed inside the first fold, after the baselines had run,
    # saying the class of 2 (or 3) rows had "a single row".
    from gan_augment import AutoAugmenter
    from gan_augment.baselines import MixedSMOTE

    settings = dict(cv=2, repeats=1, baselines=("none", "random"), fidelity=False, privacy=False)
    X, y = two_gaussians(n_major=40, n_minor=3)
    inner = "AutoAugmenter's inner cross-validation needs 2 rows of every class"
    for augmenter, why in ((MixedSMOTE(), "MixedSMOTE needs 2 to interpolate"),
                           (AutoAugmenter(methods=("random",)), inner)):
        with pytest.raises(DataValidationError, match=rf"leaves class 'rare' 1 training row of its 3, and {why}\. "
                                                      r"Raise cv \(--cv\) to 3"):
            evaluate_augmentation(X, y, augmenter, **settings)
    report = evaluate_augmentation(X, y, MixedSMOTE(random_state=0), **{**settings, "cv": 3})
    assert report.summary["mean"].notna().all()


def test_an_imbalanced_learn_smote_is_refused_a_class_smaller_than_its_neighbours_before_any_fold():
    # scikit-learn's "Expected n_neighbors <= n_samples_fit, but n_neighbors = 6, n_samples_fit = 3"
    # in the first fold, after the baselines had run, naming no class.
    from imblearn.over_sampling import ADASYN, SMOTE

    X, y = two_gaussians(n_major=60, n_minor=5)
    settings = dict(cv=3, repeats=1, baselines=("none",), random_state=0, fidelity=False, privacy=False)
    for sampler, setting in ((SMOTE(), "k_neighbors"), (ADASYN(), "n_neighbors")):
        name = type(sampler).__name__
        with pytest.raises(DataValidationError, match=rf"leaves class 'rare' 3 training rows of its 5, and "
                                                      rf"{name}\({setting}=5\) interpolates between a row and its 5 "
                                                      rf"nearest of the class, so it needs 6; {name}\({setting}=2\) "
                                                      r"fits every training fold\.$"):
            evaluate_augmentation(X, y, sampler, **settings)
    with pytest.raises(DataValidationError, match=r"SMOTE\(k_neighbors=3\).*Raise cv \(--cv\) to 5"):
        evaluate_augmentation(X, y, SMOTE(k_neighbors=3), **settings)  # more folds serve it too
    report = evaluate_augmentation(X, y, SMOTE(k_neighbors=2, random_state=0), **settings)  # as advised
    assert report.folds.groupby("method")["n_added"].min()["SMOTE (augmenter)"] > 0


def _ids_table(n_major=180, n_minor=20):
    """A number and a column of IDs (a value per row): SMOTE-NC codes the IDs one-hot."""
    rng = np.random.default_rng(0)
    n = n_major + n_minor
    X = pd.DataFrame({"id": [f"u{i:04d}" for i in rng.permutation(n)], "x": rng.normal(size=n)})
    return X, np.array(["common"] * n_major + ["rare"] * n_minor)


def test_smote_nc_beyond_the_machine_s_memory_is_refused_before_any_work(monkeypatch):
    # A column of 60,000 IDs: imbalanced-learn asked numpy for 131 GiB and failed with a bare
    # MemoryError naming no column (at 30,000 rows it held 13 GB of a 23.5 GB machine and ran).
    import gan_augment.baselines as baselines
    from gan_augment.evaluation import plan_evaluation

    X, y = _ids_table()
    # 160 new rows x 5 neighbours, with the class's own 20, x (1 number + 200 IDs) float64s.
    need = (20 + 160 * 5) * (1 + 200) * 8
    monkeypatch.setattr(baselines, "physical_memory", lambda: need - 1)
    with pytest.raises(ValueError, match=r"SMOTE-NC would hold at least 0\.0 GiB.*column 'id' holds 200 values\. "
                                         r"Drop that column.*or top up with random oversampling or the GAN\.$"):
        MixedSMOTE(random_state=0).fit_resample(X, y)
    # A training fold of 2: 80 new rows x 5 neighbours, with the class's own 10, x (1 + 100 IDs).
    monkeypatch.setattr(baselines, "physical_memory", lambda: (10 + 80 * 5) * (1 + 100) * 8 - 1)
    with pytest.raises(DataValidationError, match=r"^cv split 1 of 2: SMOTE-NC would hold.*column 'id' holds 100 "
                                                  r"values.*or leave 'smote' out of the baselines \(baselines="
                                                  r"\('none', 'random'\)"):
        plan_evaluation(X, y, GANAugmenter(epochs=1), cv=2, repeats=1, baselines=("none", "random", "smote"))
    plan_evaluation(X, y, GANAugmenter(epochs=1), cv=2, repeats=1, baselines=("none", "random"))
    assert len(MixedSMOTE(random_state=0).fit_resample(X.drop(columns="id"), y)[1]) == 360  # SMOTE: no one-hot
    monkeypatch.setattr(baselines, "physical_memory", lambda: need)
    assert len(MixedSMOTE(random_state=0).fit_resample(X, y)[1]) == 360
    # Many numbers and a yes/no column: the rows asked for, not the column, make it (it was called an ID).
    wide = pd.DataFrame(np.random.default_rng(0).normal(size=(200, 60))).add_prefix("f").assign(
        smoker=np.tile(["yes", "no"], 100))
    monkeypatch.setattr(baselines, "physical_memory", lambda: (20 + 160 * 5) * 62 * 8 - 1)
    with pytest.raises(ValueError, match=r"\(62 slots in all\)\. Ask for fewer rows, or top up with random"):
        MixedSMOTE(random_state=0).fit_resample(wide, y)


def test_a_mixed_smote_under_test_beyond_the_machine_s_memory_is_refused_before_any_fold(monkeypatch):
    # Refused by its own fit in the first fold, after that fold's baselines had trained; with the
    # 'smote' baseline as well, the advice was to leave that baseline out, which left this one.
    import gan_augment.baselines as baselines
    from gan_augment.evaluation import plan_evaluation

    X, y = _ids_table()
    # A training fold of 2: 80 new rows x 3 neighbours (its own k), with the class's own 10, x (1 + 100 IDs).
    need = (10 + 80 * 3) * (1 + 100) * 8
    monkeypatch.setattr(baselines, "physical_memory", lambda: need - 1)
    for methods in (("none", "random"), ("none", "random", "smote")):
        with pytest.raises(DataValidationError, match=r"^cv split 1 of 2: SMOTE-NC would hold.*column 'id' holds "
                                                      r"100 values.*or evaluate another augmenter"):
            plan_evaluation(X, y, MixedSMOTE(k_neighbors=3), cv=2, repeats=1, baselines=methods)
    # Its own neighbours count: with 3 the top-up fits where the baseline's 5 does not.
    monkeypatch.setattr(baselines, "physical_memory", lambda: need)
    plan_evaluation(X, y, MixedSMOTE(k_neighbors=3), cv=2, repeats=1, baselines=("none", "random"))
    with pytest.raises(DataValidationError, match="or leave 'smote' out of the baselines"):
        plan_evaluation(X, y, MixedSMOTE(k_neighbors=3), cv=2, repeats=1, baselines=("none", "random", "smote"))
    # Its columns as the folds give them: IDs written as numbers are numbers (SMOTE, no one-hot), unless
    # its categorical_features names them.
    X_codes = X.assign(id=X["id"].str[1:].astype(int))
    monkeypatch.setattr(baselines, "physical_memory", lambda: 1)
    plan_evaluation(X_codes, y, MixedSMOTE(), cv=2, repeats=1, baselines=("none", "random"))
    with pytest.raises(DataValidationError, match="or evaluate another augmenter"):
        plan_evaluation(X_codes.assign(kind=np.tile(["a", "b"], 100)), y,
                        MixedSMOTE(categorical_features=["id", "kind"]), cv=2, repeats=1, baselines=("none", "random"))
    # A list it would refuse is refused as its fit refuses it, not as a text column it leaves out.
    with pytest.raises(ValueError, match=r"^categorical_features names 'kode', which is not a column of X"):
        plan_evaluation(X, y, MixedSMOTE(categorical_features=["kode"]), cv=2, repeats=1,
                        baselines=("none", "random"))


def test_a_min_class_size_no_training_fold_meets_is_refused_before_any_fold():
    # GANAugmenter(min_class_size=5) was refused inside the first fold, after its baselines had
    # trained, saying the class of 6 rows "has 4 real rows".
    from gan_augment import GANAugmenter
    from gan_augment.evaluation import plan_evaluation

    X, y = two_gaussians(n_major=40, n_minor=6)
    with pytest.raises(DataValidationError, match=r"cv split 1 of 3 leaves class 'rare' 4 training rows of its 6, "
                                                  r"and the augmenter's min_class_size=5 refuses"):
        plan_evaluation(X, y, GANAugmenter(min_class_size=5, epochs=1), cv=3, repeats=1)
    plan_evaluation(X, y, GANAugmenter(min_class_size=4, epochs=1), cv=3, repeats=1)  # 4 rows in every fold
    # InEveryClass adds to every class, and the guard reads them all: a class not named is counted too.
    from gan_augment.planner import InEveryClass

    y = np.array(["A"] * 40 + ["r"] * 6 + ["s"] * 14)
    X = pd.DataFrame({"a": np.arange(60.0)})
    with pytest.raises(DataValidationError, match=r"leaves class 'r' 4 training rows of its 6"):
        plan_evaluation(X, y, GANAugmenter(min_class_size=5, sampling_strategy=InEveryClass(classes=["s"]), epochs=1),
                        cv=3, repeats=1)


def test_the_gans_collapse_check_is_reported_without_the_fidelity_scores():
    # fidelity=False (C2ST, column distances) dropped report.diversity and report.rules without a word.
    X, y = two_gaussians(n_major=120, n_minor=30)
    report = evaluate_augmentation(X, y, GANAugmenter(**FAST, random_state=0), cv=2, repeats=1, baselines=("none",),
                                   random_state=0, fidelity=False, privacy=True)
    assert report.diversity["class"].tolist() == ["rare"] and len(report.fidelity) == 0
    assert len(report.privacy) > 0


def test_a_ratio_some_training_fold_already_meets_is_refused_before_any_fold():
    # 151 * 0.207 - 30 = 1.3 rows to add on the whole data, none in a fold of 113 and 23: imbalanced-
    # learn refused it there ("Please increase the ratio"), naming neither the parameter nor the fold.
    from gan_augment import GANAugmenter
    from gan_augment.evaluation import plan_evaluation

    X = pd.DataFrame({"a": np.arange(181.0)})
    y = np.array([0] * 151 + [1] * 30)
    with pytest.raises(DataValidationError, match=r"cv split 2 of 4 trains on other counts than the whole data \(0 "
                                                  r"113, 1 23\), and its top-up is refused there: sampling_strategy="
                                                  r"0\.207 asks for 0\.207 rows of the minority class per row of the "
                                                  r"majority, and y has 0\.204 already \(class 1: 23 rows, class 0: "
                                                  r"113\).* Use a top-up "
                                                  r"every training fold can follow, or other folds \(cv=, --cv\)\.$"):
        plan_evaluation(X, y, GANAugmenter(epochs=1, sampling_strategy=0.207), cv=4, repeats=1, random_state=0)
    plan_evaluation(X, y, GANAugmenter(epochs=1, sampling_strategy=0.25), cv=4, repeats=1, random_state=0)


def test_a_callback_without_its_hooks_is_refused_before_any_fold():
    # Refused inside the first fold's GAN fit, after the baselines (or AutoAugmenter's candidates) had trained.
    from gan_augment import AutoAugmenter, GANAugmenter
    from gan_augment.evaluation import plan_evaluation

    class Half:
        def on_epoch_end(self, trainer, record):
            pass

    X, y = two_gaussians(n_major=40, n_minor=10)
    gan = GANAugmenter(epochs=1, callbacks=[Half()])
    hooks = r"callbacks\[0\] \(Half\) has no on_train_begin, on_train_end method"
    with pytest.raises(TypeError, match=hooks):
        plan_evaluation(X, y, gan, cv=2, repeats=1)
    EVENTS.clear()
    with pytest.raises(TypeError, match=hooks):
        AutoAugmenter(augmenter=gan, estimator=RecordingClassifier(), cv=2).fit_resample(X.assign(row_id=0.0), y)
    assert EVENTS == []  # no candidate scored
    # A callback's class has its hooks, as functions: it failed in training, missing their `trainer`.
    from gan_augment.training import ProgressBar

    with pytest.raises(TypeError, match=r"callbacks\[0\] is the class ProgressBar; pass an instance of it"):
        plan_evaluation(X, y, GANAugmenter(epochs=1, callbacks=[ProgressBar]), cv=2, repeats=1)

    class Static:  # hooks that need no instance: a class of them is a callback as it stands
        on_train_begin = on_train_end = staticmethod(lambda trainer: None)
        on_epoch_end = staticmethod(lambda trainer, record: None)

    plan_evaluation(X, y, GANAugmenter(epochs=1, callbacks=[Static]), cv=2, repeats=1)


def test_classes_that_all_tie_leave_nothing_to_evaluate():
    # Without classes=, a balanced target was evaluated: "topping up ." with an empty list of
    # classes, each fold's GAN trained to add one row or none.
    from gan_augment.evaluation import plan_evaluation

    X = pd.DataFrame({"a": np.arange(40.0)})
    y = np.array(["yes", "no"] * 20)
    with pytest.raises(DataValidationError, match=r"Every class has 20 rows: with no class rarer than another, the "
                                                  r"top-up adds nothing to evaluate"):
        plan_evaluation(X, y, RandomOverSampler(), cv=2, repeats=1)
    y[:2] = "no"  # 22 against 18: the rarer class is evaluated
    assert plan_evaluation(X, y, RandomOverSampler(), cv=2, repeats=1).targets == ["yes"]


def test_folds_given_as_pairs_group_splitters_and_repeated_splitters():
    from sklearn.model_selection import GroupKFold, RepeatedStratifiedKFold, StratifiedKFold

    X, y = two_gaussians(n_major=40, n_minor=8)
    settings = dict(baselines=("none", "random"), fidelity=False, privacy=False, random_state=0)
    # The folds themselves, as scikit-learn takes them (they were refused, with every index printed).
    pairs = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    by_pairs = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=pairs, **settings)
    same = evaluate_augmentation(X, y, RandomOverSampler(random_state=0),
                                 cv=StratifiedKFold(3, shuffle=True, random_state=1), **settings)
    pd.testing.assert_frame_equal(by_pairs.folds, same.folds.assign(**{c: by_pairs.folds[c] for c in by_pairs.folds
                                                                      if c.endswith("_time_s")}))
    with pytest.raises(TypeError, match=r"cv split 2 is not a \(train, test\) pair"):
        evaluate_augmentation(X, y, RandomOverSampler(), cv=[pairs[0], 3], **settings)
    with pytest.raises(TypeError, match=r"cv split 1 is not a \(train, test\) pair"):
        evaluate_augmentation(X, y, RandomOverSampler(), cv=np.zeros(1000), **settings)
    # Folds of other data, or rows that are no row numbers: numpy's IndexError from inside the first fold.
    longer = list(StratifiedKFold(3).split(np.zeros(60), np.r_[y, y[:12]]))
    with pytest.raises(ValueError, match=r"cv split 1's training part holds row 4[89], but the data has 48 rows "
                                         r"\(numbered 0 to 47\): were its folds made of other data\?"):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=longer, **settings)
    with pytest.raises(TypeError, match=r"cv split 2's test part is not a list of row numbers \(got float64"):
        evaluate_augmentation(X, y, ExplodingSampler(), cv=[pairs[0], (pairs[1][0], pairs[1][1] + 0.5)], **settings)
    as_objects = [tuple(pd.Series(rows, dtype=object) for rows in pair) for pair in pairs]
    by_objects = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=as_objects, **settings)
    pd.testing.assert_frame_equal(by_objects.folds.drop(columns=[c for c in by_objects.folds if c.endswith("_time_s")]),
                                  by_pairs.folds.drop(columns=[c for c in by_pairs.folds if c.endswith("_time_s")]))
    # A group splitter failed with scikit-learn's "The 'groups' parameter should not be None".
    with pytest.raises(ValueError, match=r"cv=GroupKFold\(\.\.\.\) splits by groups.*cv=list\(GroupKFold"):
        evaluate_augmentation(X, y, RandomOverSampler(), cv=GroupKFold(3), **settings)
    # A caller's folds that leave SMOTE one row of a class: said before the first fold, not inside it.
    few_X, few_y = two_gaussians(n_major=40, n_minor=3)
    with pytest.raises(DataValidationError, match=r"cv split \d of 2 leaves class 'rare' 1 training row, and SMOTE"):
        evaluate_augmentation(few_X, few_y, ExplodingSampler(), cv=StratifiedKFold(2, shuffle=True, random_state=0),
                              baselines=("none", "smote"), fidelity=False, privacy=False)
    # A repeated splitter's folds are numbered per repeat (they were 0, 1, 2, 3 of one repeat).
    repeated = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), **settings,
                                     cv=RepeatedStratifiedKFold(n_splits=2, n_repeats=2, random_state=0))
    assert repeated.folds[["repeat", "fold"]].drop_duplicates().values.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_folds_as_row_masks_count_their_rows_and_an_unseeded_shuffling_splitter_is_seeded():
    from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

    X, y = two_gaussians(n_major=40, n_minor=8)
    settings = dict(baselines=("none", "random"), fidelity=False, privacy=False, random_state=0)

    def without_times(report):
        return report.folds.drop(columns=[c for c in report.folds if c.endswith("_time_s")])

    # Masks were taken as they are, each fold's size read as every row's (intervals widened).
    pairs = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    masks = [tuple(np.isin(np.arange(len(y)), rows) for rows in pair) for pair in pairs]
    by_masks = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=masks, **settings)
    by_pairs = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=pairs, **settings)
    pd.testing.assert_frame_equal(without_times(by_masks), without_times(by_pairs))
    untimed = [summary[summary["metric"] != "augment_time_s"] for summary in (by_masks.summary, by_pairs.summary)]
    pd.testing.assert_frame_equal(*untimed)
    with pytest.raises(ValueError, match=r"cv split 1's test part is a mask of shape \(5,\) for 48 rows"):
        evaluate_augmentation(X, y, RandomOverSampler(), cv=[(masks[0][0], masks[0][1][:5])] * 2, **settings)
    with_na = pd.array(masks[0][1], dtype="boolean")
    with_na[0] = pd.NA
    with pytest.raises(ValueError, match=r"cv split 1's test part holds missing values"):
        evaluate_augmentation(X, y, RandomOverSampler(), cv=[(masks[0][0], with_na)] * 2, **settings)
    as_objects = [tuple(pd.Series(mask, dtype=object) for mask in pair) for pair in masks]  # numpy's IndexError
    by_objects = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=as_objects, **settings)
    pd.testing.assert_frame_equal(without_times(by_objects), without_times(by_pairs))
    # A splitter shuffling without a seed drew from numpy's global state: two calls, two reports.
    for splitter in (StratifiedKFold(3, shuffle=True), RepeatedStratifiedKFold(n_splits=2, n_repeats=2)):
        reports = [evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=splitter, **settings)
                   for _ in range(2)]
        pd.testing.assert_frame_equal(without_times(reports[0]), without_times(reports[1]))
        assert splitter.random_state is None  # the caller's splitter is not changed


def test_a_splitter_that_cannot_be_copied_or_seeded_is_used_as_given():
    from sklearn.model_selection import StratifiedKFold

    from gan_augment._random import seeded_splitter

    class Uncopyable(StratifiedKFold):  # holds a generator, which deepcopy cannot take
        def __init__(self):
            super().__init__(2, shuffle=True)
            self.stream = (i for i in range(3))

    class ReadOnlySeed(StratifiedKFold):
        random_state = property(lambda self: None)

        def __init__(self):
            self.n_splits, self.shuffle = 2, True

    for splitter in (Uncopyable(), ReadOnlySeed()):  # both crashed ("cannot pickle", "has no setter")
        with pytest.warns(UserWarning, match=r"shuffles without a seed and could not be given one"):
            assert seeded_splitter(splitter, 0) is splitter
    seeded = seeded_splitter(StratifiedKFold(2, shuffle=True), 7)
    assert seeded.random_state == 7


def test_a_primary_pr_auc_the_estimator_cannot_give_is_refused_naming_it():
    class NoClasses(ClassifierMixin, BaseEstimator):  # predict_proba, but no classes_ to find the positive class
        def fit(self, X, y):
            self.model_ = LogisticRegression().fit(X, y)
            return self

        def predict(self, X):
            return self.model_.predict(X)

        def predict_proba(self, X):
            return self.model_.predict_proba(X)

    X, y = two_gaussians(n_major=40, n_minor=8)
    settings = dict(baselines=("none",), fidelity=False, privacy=False, random_state=0, cv=2, repeats=1)
    # Its PR-AUC was NaN in every fold, and the verdict blamed "fewer than 2 folds".
    with pytest.raises(ValueError, match=r"metric='pr_auc' could not be computed from NoClasses's scores "
                                         r"\(AttributeError: .*classes_"):
        evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=NoClasses(), metric="pr_auc",
                              **settings)
    # As a secondary metric it stays empty, with no "(+nan)" beside it.
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=NoClasses(), **settings)
    assert "nan" not in report.to_markdown()


def test_a_gan_with_a_checkpoint_dir_is_refused_before_any_fold(tmp_path):
    # Each fold's GAN would find the folder holding another fold's checkpoint, after a whole fit.
    X, y = two_gaussians(n_major=40, n_minor=8)
    with pytest.raises(ValueError, match=r"checkpoint_dir=.* cannot serve the evaluation, which fits a GAN per fold"):
        evaluate_augmentation(X, y, GANAugmenter(epochs=1, checkpoint_dir=tmp_path / "ckpt"), cv=3)
    assert not (tmp_path / "ckpt").exists()


def test_unknown_class_is_refused_with_a_suggestion():
    X, y = two_gaussians(n_major=40, n_minor=8)
    with pytest.raises(DataValidationError, match=r"Unknown class 'rar'.*Did you mean 'rare'"):
        evaluate_augmentation(X, y, ExplodingSampler(), classes=["rar"], cv=3)


def test_non_classifier_estimator_is_named():
    X, y = two_gaussians(n_major=40, n_minor=8)
    with pytest.raises(TypeError, match=r"LinearRegression.*not a scikit-learn classifier"):
        evaluate_augmentation(X, y, ExplodingSampler(), estimator=LinearRegression(), cv=3)
    with pytest.raises(ValueError, match=r"Unknown estimator 'svm'"):
        evaluate_augmentation(X, y, ExplodingSampler(), estimator="svm", cv=3)


def test_bad_baselines_are_refused():
    X, y = two_gaussians(n_major=40, n_minor=8)
    with pytest.raises(ValueError, match=r"Unknown baseline 'adasyn'"):
        evaluate_augmentation(X, y, ExplodingSampler(), baselines=("none", "adasyn"), cv=3)
    with pytest.raises(ValueError, match=r"class_weight.*KNeighborsClassifier"):
        evaluate_augmentation(X, y, ExplodingSampler(), estimator=KNeighborsClassifier(),
                              baselines=("class_weight",), cv=3)
    with pytest.raises(TypeError, match=r"no fit_resample"):
        evaluate_augmentation(X, y, LogisticRegression(), cv=3)


# ============================================================================ command line
@pytest.fixture(scope="module")
def cli_main():
    from gan_augment.cli import main as main_module
    from gan_augment.cli.evaluate import evaluate

    # main.py registers the command; until it does, register it here the same way.
    if not any(getattr(c.callback, "__name__", "") == "evaluate" for c in main_module.app.registered_commands):
        main_module.app.command()(evaluate)
    return main_module.main


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory):
    X, y = two_gaussians(n_major=60, n_minor=10)
    X["color"] = np.random.default_rng(0).choice(["red", "blue"], len(X))
    path = tmp_path_factory.mktemp("data") / "data.csv"
    X.assign(label=y).to_csv(path, index=False)
    return path


def test_cli_evaluate_writes_the_report(cli_main, data_csv, tmp_path, capsys):
    out = tmp_path / "report.html"
    code = cli_main(["evaluate", str(data_csv), "--classes", "rare", "--epochs", "1", "--cv", "2", "--repeats",
                     "1", "--seed", "0", "--report", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "**Verdict.**" in captured.out and "| method |" in captured.out
    assert out.exists() and "data:image/png;base64," in out.read_text(encoding="utf-8")
    assert f"Wrote the report to {out}" in captured.err
    # an existing report is not replaced without --force
    code = cli_main(["evaluate", str(data_csv), "--report", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "already exists" in err and err.count("\n") == 1
    # --force replaces it (Markdown here: each format goes through the report's own writer)
    markdown = tmp_path / "report.md"
    markdown.write_text("an older report")
    code = cli_main(["evaluate", str(data_csv), "--classes", "rare", "--epochs", "1", "--cv", "2", "--repeats",
                     "1", "--seed", "0", "--baseline", "none", "--report", str(markdown), "--force", "--quiet"])
    assert code == 0 and markdown.read_text(encoding="utf-8").startswith("# Augmentation report")


def test_cli_evaluate_json_and_usage_errors(cli_main, data_csv, capsys):
    code = cli_main(["evaluate", str(data_csv), "--classes", "rare", "--epochs", "1", "--cv", "2", "--repeats", "1",
                     "--baseline", "none", "--seed", "0", "--metric", "balanced_accuracy", "--json", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    document = json.loads(captured.out)
    assert document["settings"]["cv"] == 2 and document["settings"]["metric"] == "balanced_accuracy"
    assert document["verdict"].split(":")[1].lstrip().startswith("balanced accuracy")
    code = cli_main(["evaluate", str(data_csv), "--metric", "f1", "--quiet"])
    assert code == 2 and "--metric" in capsys.readouterr().err
    code = cli_main(["evaluate", str(data_csv), "--classes", "rar", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("Error: Unknown class 'rar'") and err.count("\n") == 1
    code = cli_main(["evaluate", str(data_csv), "--cv", "20", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Class 'rare' has 10 rows" in err  # the library's DataValidationError: a data error
    code = cli_main(["evaluate", str(data_csv), "--baseline", ",", "--quiet"])  # not "no baselines at all"
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("Error: --baseline ',' names no baseline") and err.count("\n") == 1


def test_images_are_judged_by_the_cnn_and_shown_as_grids(tmp_path):
    """An augmenter fitted with image_shape gets the image judge's per-class table and an image grid."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = (y < 3) & ((y != 2) | (np.cumsum(y == 2) <= 30))
    X, y = X[keep], y[keep]
    augmenter = GANAugmenter(image_shape=(1, 8, 8), epochs=3, random_state=0)
    report = evaluate_augmentation(X, y, augmenter, classes=[2], cv=2, repeats=1, baselines=("none",),
                                   random_state=0)
    quality = report.image_quality
    assert list(quality["class"]) == [2]
    row = quality.iloc[0]
    assert 0.0 <= row["label_fidelity"] <= 1.0 and row["frechet_distance"] >= 0
    assert row["judge_accuracy"] > 0.9  # three digit classes are easy: the judge itself is trustworthy
    assert report.settings["image_shape"] == [1, 8, 8]
    assert "Quality of the added images" in report.to_markdown()
    page = report.to_html(tmp_path / "report.html")
    assert "Real vs synthetic images" in page and "Real vs synthetic marginals" not in page
    assert json.loads(report.to_json())["image_quality"][0]["class"] == 2
    # Counts as whole numbers (they came out as floats, 55.0, beside the scores of their row).
    assert isinstance(json.loads(report.to_json())["image_quality"][0]["n_synthetic"], int)


def test_the_report_counts_rule_breaking_rows_and_shows_the_gans_diversity():
    # A one-hot group of floats, as a OneHotEncoder writes it: SMOTE interpolates between rows of
    # different categories (0.3 red + 0.7 blue); the GAN models the group as one category.
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue"], 300)
    X = pd.DataFrame({"x": rng.normal(size=300).round(2)}).join(
        pd.get_dummies(pd.Series(colour, name="colour"), dtype=float))
    y = np.where(rng.random(300) < 0.15, "rare", "common")
    report = evaluate_augmentation(X, y, GANAugmenter(epochs=2, random_state=0), cv=2, repeats=1, random_state=0,
                                   privacy=False)
    broken = report.rules[report.rules["rule"] == "any rule"].set_index("method")["broken"]
    assert broken["GAN top-up"] == 0.0 and broken["random oversampling"] == 0.0
    assert broken["SMOTE"] > 0.05
    assert "Rules of the table broken by the added rows" in report.to_markdown()
    assert json.loads(report.to_json())["rules"][0]["rule"].startswith("one-hot group of 3 columns")
    # The GAN's mode-collapse check of the first fold comes along, for the topped-up class only.
    assert report.diversity["class"].tolist() == ["rare"] and report.diversity["n_synthetic"].tolist() == [500]
    assert "Diversity of the GAN's samples" in report.to_markdown()
    # Also when the GAN is AutoAugmenter's choice: the check and the rules were those of the
    # AutoAugmenter itself, which has neither (both came back empty).
    chooses_the_gan = AutoAugmenter(augmenter=GANAugmenter(epochs=2), methods=("gan",), cv=2, random_state=0,
                                    selection=lambda results: int(np.flatnonzero(results["param_method"] == "gan")[0]))
    report = evaluate_augmentation(X, y, chooses_the_gan, cv=2, repeats=1, random_state=0, privacy=False)
    assert report.diversity["class"].tolist() == ["rare"]
    assert report.rules.set_index(["rule", "method"])["broken"][("any rule", "AutoAugmenter")] == 0.0
    assert len(report.histories) == 2 and all(len(history) == 2 for history in report.histories)  # 2 epochs a fold


def test_autoaugmenter_over_image_rows_is_evaluated_as_images():
    # The plan read image_shape off the augmenter only: AutoAugmenter(augmenter=GANAugmenter(image_shape=...)),
    # as AutoAugmenter advises for images, was evaluated as a table and refused the classic baseline.
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, (0, 1))
    X, y = X[keep][:120].astype(np.uint8), np.where(y[keep][:120] == 1, "one", "zero")
    y[np.flatnonzero(y == "one")[15:]] = "zero"
    auto = AutoAugmenter(augmenter=GANAugmenter(image_shape=(1, 8, 8), epochs=1), methods=("random",), cv=2)
    report = evaluate_augmentation(X, y, auto, baselines=("classic",), cv=2, repeats=1, random_state=0,
                                   privacy=False, fidelity=False)
    assert list(report.settings["image_shape"]) == [1, 8, 8]
    assert "repeat + classic augmentation" in report.settings["methods"]


def test_an_exact_copy_of_a_wide_row_is_at_distance_zero():
    # sklearn computes the distance as |a|^2 + |b|^2 - 2ab: identical rows of 784 pixels came out a
    # few 1e-7 apart, and random oversampling of images read as 64% exact copies instead of 100%.
    from gan_augment.evaluation.privacy import EXACT, dcr

    train = np.random.default_rng(0).normal(size=(300, 784)) * 50
    copies = train[np.random.default_rng(1).integers(0, 300, 200)]
    assert (dcr(train, copies) <= EXACT).all()
    moved = copies + 1e-3
    assert (dcr(train, moved) > EXACT).all()
    signed = train[:1].copy()
    signed[0, 0] = 0.0
    assert dcr(signed, -signed)[0] > 0 and dcr(signed, np.where(signed == 0, -0.0, signed))[0] == 0  # -0.0 is 0.0


def test_counts_are_shown_as_counts_in_the_report_tables():
    from gan_augment.evaluation._text import fmt_frame

    frame = pd.DataFrame({"method": ["GAN", "random"], "n_synthetic": [11.0, np.nan], "fid": [0.5, 0.25]})
    shown = fmt_frame(frame)  # n_synthetic is float because of the missing cell beside the 11
    assert shown["n_synthetic"].tolist() == ["11", "-"] and shown["fid"].tolist() == ["0.500", "0.250"]


def test_the_answer_says_why_an_interval_that_excludes_0_is_not_significant():
    # A user read "did not clearly help: macro-F1 -0.290 [-0.539, -0.042]" as a contradiction: the
    # interval is the comparison's own, the decision Holm-adjusts across the methods.
    from gan_augment.evaluation._verdict import Comparison, _answer

    worse = Comparison(mean=-0.29, low=-0.539, high=-0.042, p=0.03, p_holm=0.106)
    text = _answer("GAN top-up", worse, "macro_f1", 0.05, 4, [])
    assert text.startswith("GAN top-up did not clearly help: macro-F1 -0.290 [-0.539, -0.042]")
    assert "not significant once the 4 comparisons are counted, though the unadjusted 95% interval excludes 0" in text
    spans_zero = worse._replace(high=0.01, p=0.06, p_holm=0.2)
    assert "unadjusted" not in _answer("GAN top-up", spans_zero, "macro_f1", 0.05, 4, [])
    significant = worse._replace(p=0.001, p_holm=0.004)
    assert _answer("GAN top-up", significant, "macro_f1", 0.05, 4, []).startswith("GAN top-up made the model worse")


def test_the_image_figure_draws_real_and_synthetic_images_on_one_scale():
    # Each row was scaled to its own range: added images ten times darker looked like the real ones.
    from types import SimpleNamespace

    from matplotlib.figure import Figure

    from gan_augment.evaluation._figures import _fig_images

    real = pd.DataFrame(np.random.default_rng(0).uniform(0, 16, (4, 4)))
    report = SimpleNamespace(settings={"image_shape": [1, 2, 2]}, _marginals={3: (real, real * 0.1)})
    figure, _ = _fig_images(Figure, report, per_row=4)
    brightest = [max(float(np.max(ax.images[0].get_array())) for ax in row[:4]) for row in
                 np.array(figure.axes).reshape(2, -1)]
    assert brightest[0] == pytest.approx(1.0) and brightest[1] < 0.15  # it read 1.0: each row at its own scale


def test_baselines_given_as_a_generator_are_all_run():
    # The check of the names used the generator up: the evaluation ran without baselines.
    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(60.0)}), np.array(["common"] * 45 + ["rare"] * 15)
    plan = plan_evaluation(X, y, RandomOverSampler(), baselines=(b for b in ["random", "smote"]), cv=3, repeats=1)
    assert plan.methods[:3] == ("none", "random", "smote")


def test_a_wrong_image_shape_is_refused_before_any_fold_whatever_the_baselines():
    from sklearn.datasets import load_digits

    from gan_augment.evaluation import plan_evaluation

    X, y = load_digits(return_X_y=True)
    keep = y < 2
    with pytest.raises(ValueError, match=r"image_shape=\(1, 4, 4\) holds 16 pixels, but the rows of X have 64"):
        plan_evaluation(X[keep], y[keep], GANAugmenter(image_shape=(1, 4, 4)), estimator="cnn", baselines=["random"],
                        cv=2, repeats=1)
    # Pixels the GAN refuses were refused by the first fold's fit, once that fold's baselines had trained;
    # rows without a column by the first fold's estimator.
    images = X[keep].copy()
    images[3, 5] = np.nan
    for pixels, said in ((images, "X holds 1 NaN or infinite pixel values"),
                         (np.where(X[keep] > 8, 1e39, X[keep]), "past float32's largest number")):
        with pytest.raises(DataValidationError, match=said):
            plan_evaluation(pixels, y[keep], GANAugmenter(image_shape=(1, 8, 8)), cv=2, repeats=1)
    with pytest.raises(DataValidationError, match=r"Found array with 0 feature\(s\).*the table X has no columns"):
        plan_evaluation(X[keep][:, :0], y[keep], RandomOverSampler(), cv=2, repeats=1)


def test_the_smote_fold_refusal_advises_only_folds_that_every_class_allows():
    # Class 1 (3 rows) was told "Raise cv to 3", which class 2 (2 rows) then refused; then "drop the
    # class", read as class 1, which left class 2 to refuse the same way.
    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(15.0)}), np.array([0] * 10 + [1] * 3 + [2] * 2)
    with pytest.raises(DataValidationError, match=r"Class 1 has 3 rows.*No number of folds leaves class 2 2 rows to "
                                                  r"train on \(a class needs 3: 2 to train, 1 to test\): drop it, then "
                                                  r"raise cv \(--cv\) to 3, or leave 'smote' out"):
        plan_evaluation(X, y, RandomOverSampler(), baselines=["smote"], cv=2, repeats=1)
    plan_evaluation(X[y != 2], y[y != 2], RandomOverSampler(), baselines=["smote"], cv=3, repeats=1)  # as advised
    y = np.array([0] * 10 + [1] * 3 + [2] * 4)
    with pytest.raises(DataValidationError, match=r"Class 1 has 3 rows.*Raise cv \(--cv\) to 3"):
        plan_evaluation(pd.DataFrame({"a": np.arange(17.0)}), y, RandomOverSampler(), baselines=["smote"], cv=2,
                        repeats=1)


def test_the_smote_fold_refusal_counts_an_image_set_in_images():
    from sklearn.datasets import load_digits

    from gan_augment.evaluation import plan_evaluation

    X, y = load_digits(n_class=2, return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0)[:40], np.flatnonzero(y == 1)[:3]]
    with pytest.raises(DataValidationError, match=r"^Class 1 has 3 images: a training fold holds only 1"):
        plan_evaluation(X[keep], y[keep], GANAugmenter(image_shape=(1, 8, 8)), baselines=["smote"], cv=2, repeats=1)


def test_the_per_class_few_rows_note_gives_the_mean_as_the_verdicts_note_does():
    # 15 rare rows in two folds: the verdict said "7.5 test rows of class 'rare' per fold" and, in
    # the same text, "(few rows: 8 per test fold)".
    from types import SimpleNamespace

    from gan_augment.evaluation._verdict import _few_class_rows

    folds = [SimpleNamespace(class_scores={"none": {"rare": {"support": n}}}) for n in (7, 8)]
    assert _few_class_rows(folds, "rare") == " (few rows: 7.5 per test fold)"


def test_near_copies_are_judged_against_the_held_out_rows_of_their_class():
    # The 5% threshold came from the held-out rows of all classes: rows drawn afresh from a tight
    # class's own distribution read 47% "near copies", a sparse class's 1%.
    from gan_augment.evaluation.privacy import PrivacyProbe

    rng = np.random.default_rng(0)

    def rows(n, scale):
        return pd.DataFrame(rng.normal(0.0, scale, size=(n, 3)), columns=list("abc"))

    probe = PrivacyProbe(pd.concat([rows(2000, 1.0), rows(200, 0.1)], ignore_index=True),
                         pd.concat([rows(500, 1.0), rows(50, 0.1)], ignore_index=True))
    tight = np.r_[np.zeros(500, bool), np.ones(50, bool)]
    assert probe.score(rows(2000, 0.1), tight)["near_copy_share"] < 0.15
    assert probe.score(rows(2000, 1.0), ~tight)["near_copy_share"] > 0.02
    # Near copies of a sparse class with few held-out rows: a pooled reference (set by a dense class)
    # let them pass as new (0.07); its own, however few, does not.
    sparse_train = rows(60, 2.0)
    probe = PrivacyProbe(pd.concat([rows(400, 0.3), sparse_train], ignore_index=True),
                         pd.concat([rows(100, 0.3), rows(15, 2.0)], ignore_index=True))
    sparse = np.r_[np.zeros(100, bool), np.ones(15, bool)]
    jittered = sparse_train.sample(300, replace=True, random_state=0).reset_index(drop=True) + rows(300, 0.1)
    assert probe.score(jittered, sparse)["near_copy_share"] > 0.9


def test_markdown_reports_show_labels_as_written_not_as_formatting():
    # "_rare_" rendered as emphasis and "<other>" as an (invisible) HTML tag, in the tables and in
    # the verdict and settings sentences; Adult's "<=50K" and snake_case names are left alone.
    from markdown_it import MarkdownIt

    from gan_augment.evaluation._text import markdown_text

    X, y = two_gaussians(n_major=40, n_minor=20)
    y = np.where(y == "rare", "_rare_", "<other>")
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=("none",),
                                   random_state=0, privacy=False, fidelity=False)
    rendered = MarkdownIt("commonmark").enable("table").render(report.to_markdown())
    assert "<em>" not in rendered and "<other>" not in rendered
    assert "_rare_" in rendered and "&lt;other&gt;" in rendered and "random_state=0" in rendered
    # Links and strikethrough too: a class "[rare](http://example.com)" was a live link.
    y = np.where(y == "_rare_", "[rare](http://example.com)", "~~old~~")
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=("none",),
                                   random_state=0, privacy=False, fidelity=False)
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(report.to_markdown())
    assert "<a " not in rendered and "<s>" not in rendered
    assert "[rare](http://example.com)" in rendered and "~~old~~" in rendered
    assert markdown_text("<=50K") == "<=50K" and markdown_text("dcr_holdout_median") == "dcr_holdout_median"


def test_every_table_shows_a_label_as_the_per_class_table_does():
    # A class 1.0 read "1.000" in the fidelity and privacy tables (a float cell formatted as a
    # score) and "1.0" elsewhere; labels told apart only by their spaces rendered alike.
    from markdown_it import MarkdownIt

    X, y = two_gaussians(n_major=60, n_minor=20)
    report = evaluate_augmentation(X, (y == "rare").astype(float), RandomOverSampler(random_state=0), classes=[1.0],
                                   cv=2, repeats=1, baselines=("none",), random_state=0)
    markdown = report.to_markdown()
    fidelity, privacy = markdown.split("## Fidelity")[1].split("## Privacy")
    assert "| RandomOverSampler | 1.0 |" in fidelity and "| RandomOverSampler | 1.0 |" in privacy
    from gan_augment.evaluation._text import fmt_frame

    cells = fmt_frame(pd.DataFrame({"class": [""], "worst_column": ["a  b"], "caveat": [""]})).iloc[0].tolist()
    assert cells == ["''", "'a  b'", ""]  # a column's name is told apart by its blanks too; no caveat
    spaced = np.array(["a b", " a b", "a  b"], dtype=object)[np.arange(len(y)) % 3]
    report = evaluate_augmentation(X, spaced, RandomOverSampler(random_state=0), cv=2, repeats=1,
                                   baselines=("none",), random_state=0, privacy=False, fidelity=False)
    for page in (report.to_html(), MarkdownIt("commonmark").enable("table").render(report.to_markdown())):
        # As a reader sees them: spaces collapsed and trimmed.
        cells = {re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>none</td>\s*<td>(.*?)</td>", page)}
        assert len({cell for cell in cells if "a b" in cell}) == 3, cells


def test_a_column_of_ids_is_measured_for_privacy_in_memory_that_grows_with_the_rows(monkeypatch):
    # One-hot categories were dense: a column of ids made a rows x rows float matrix (16,000 rows:
    # 2.4 GB; 32,000 ran out of memory). Past TableEncoder.DENSE_LEVELS columns they are sparse, with
    # the same distances and copies found the same.
    from scipy import sparse

    from gan_augment.evaluation._prep import TableEncoder
    from gan_augment.evaluation.privacy import PrivacyProbe, dcr

    rng = np.random.default_rng(0)

    def rows(n, start):
        return pd.DataFrame({"a": rng.normal(size=n), "city": rng.choice(["x", "y"], n),
                             "customer": [f"C{i}" for i in range(start, start + n)]})

    train, holdout = rows(600, 0), rows(200, 600)
    synthetic = pd.concat([train.iloc[:50], rows(150, 5000)], ignore_index=True)  # 50 exact copies
    probe = PrivacyProbe(train, holdout)
    assert sparse.issparse(probe.train) and probe.train.shape == (600, 1 + 2 + 600)
    scores = probe.score(synthetic)
    monkeypatch.setattr(TableEncoder, "DENSE_LEVELS", 10**9)
    dense = PrivacyProbe(train, holdout)
    assert isinstance(dense.train, np.ndarray)
    np.testing.assert_allclose(probe.holdout_dcr, dense.holdout_dcr, rtol=1e-9, atol=1e-6)
    assert scores == dense.score(synthetic)
    assert scores["exact_copy_share"] == pytest.approx(50 / 200)
    # Rows one category apart sit at exactly 1 in both, not a few units in the last place on either
    # side of it (which put rows at a threshold of that distance on either side of it).
    one_apart = train.iloc[:20].assign(city=train["city"].iloc[:20].map({"x": "y", "y": "x"}))
    for fitted in (probe, dense):
        assert set(dcr(fitted.train, fitted.encoder.transform(one_apart, allow_sparse=True))) == {1.0}


def test_fidelity_and_figures_read_arrow_half_floats():
    # pandas.to_numeric fails on Arrow's float16 ("FloatingArray does not support np.float16"): the
    # column distances, the correlation difference and the report's histograms failed with it.
    pa = pytest.importorskip("pyarrow")
    X, y = two_gaussians(n_major=80, n_minor=20)
    X = X.assign(half=pd.array(X.iloc[:, 0].astype("float16"), dtype=pd.ArrowDtype(pa.float16())))
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=("none",),
                                   random_state=0, privacy=False)
    distances = report.column_distances.set_index("column")
    assert np.isfinite(distances.loc["half", "distance"]).all() and "<img" in report.to_html()


def test_the_report_draws_columns_of_large_numbers_close_together():
    # numpy cannot split 10**16 + 0..3 (or a constant 1e17) into 20 bins: the HTML report failed with
    # "Too many bins for data range" after every fold had run.
    X, y = two_gaussians(n_major=80, n_minor=20)
    rng = np.random.default_rng(0)
    X = X.assign(code=10**16 + rng.integers(0, 4, len(X)), constant=np.full(len(X), 1e17),
                 tiny=rng.normal(size=len(X)) * 1e-318)  # bins 1e-320 wide: a density overflowed
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=("none",),
                                   random_state=0, privacy=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "<img" in report.to_html()
    from gan_augment.evaluation._figures import _bin_edges

    for values in (X["code"].to_numpy(np.float64), X["constant"].to_numpy()):
        edges = _bin_edges(values)
        assert (np.diff(edges) > 0).all() and np.histogram(values, bins=edges)[0].sum() == len(values)


def test_figures_stay_small_whatever_the_length_of_a_users_text():
    # Tick labels and titles held the whole text: a category of 1,800 characters made the marginals
    # figure 6,466 x 6,121 pixels (6,000 characters: 28 s and 2.3 GB to render, 21,000 ran out of memory).
    import base64
    import io

    from PIL import Image

    from gan_augment.evaluation._figures import render_figures

    X, y = two_gaussians(n_major=80, n_minor=20)
    long_class = "rare " * 300
    y = np.where(y == y[-1], long_class, y)
    X = X.assign(text=[f"w{i % 3} " * 600 for i in range(len(X))])
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), classes=[long_class], cv=2, repeats=1,
                                   baselines=("none",), random_state=0, privacy=False)
    sizes = [Image.open(io.BytesIO(base64.b64decode(png))).size for _, _, png in render_figures(report)]
    assert sizes and max(max(size) for size in sizes) < 2500, sizes


def test_a_column_named_by_a_float_is_shown_as_named_in_the_report():
    # The fidelity table's worst column went through the scores' format: 1e-05 read "0.000".
    X, y = two_gaussians(n_major=80, n_minor=20)
    X = X.set_axis([0.5, 1e-05], axis=1)
    X.loc[y == y[-1], 1e-05] *= 5  # the worst-matched column, for random oversampling's copies too
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=("none",),
                                   random_state=0, privacy=False)
    assert set(report.fidelity["worst_column"]) <= {0.5, 1e-05}
    for text in (report.to_markdown(), report.to_html()):
        shown = {float(name) for name in re.findall(r"\| (1e-05|0\.5) \|", text.replace("</td><td>", " | "))}
        assert shown == set(report.fidelity["worst_column"]), shown


def test_the_loss_figure_draws_histories_of_one_epoch():
    # A line through one point draws nothing: the figure of a 1-epoch evaluation was empty axes.
    import types

    from matplotlib.figure import Figure

    from gan_augment.evaluation._figures import _fig_losses

    report = types.SimpleNamespace(histories=[[{"epoch": 1, "loss_d": 1.5, "loss_g": -0.5}]] * 2)
    lines = _fig_losses(Figure, report).axes[0].lines
    assert lines and all(line.get_marker() not in (None, "None", "", " ") for line in lines)


def test_a_pyarrow_table_keeps_its_column_names_and_sparse_input_is_named():
    # A Table went through numpy.asarray: the report named its columns x0, x1; a sparse matrix became a
    # 0-d object array, "X must be 2-D ... got an array of shape ()".
    import pyarrow as pa
    from scipy import sparse

    X, y = two_gaussians(n_major=80, n_minor=20)
    report = evaluate_augmentation(pa.Table.from_pandas(X), y, RandomOverSampler(random_state=0), cv=2, repeats=1,
                                   baselines=("none",), random_state=0, privacy=False)
    assert set(report.column_distances["column"]) == {"a", "b"}
    with pytest.raises(DataValidationError, match=r"does not accept sparse input.*X\.toarray\(\)"):
        evaluate_augmentation(sparse.csr_matrix(X.to_numpy()), y, ExplodingSampler(), cv=2)


def test_a_sampler_that_also_removes_rows_is_not_inspected_as_if_it_only_added():
    # SMOTEENN cleans rows after oversampling: the rows past the training fold's length were taken
    # for its synthetic ones (SMOTETomek: 187 "added" of 216), or nothing was said at all.
    from imblearn.combine import SMOTEENN

    X, y = two_gaussians(n_major=200, n_minor=40)
    with pytest.warns(UserWarning, match=r"SMOTEENN changed or removed training rows .* its fidelity and privacy "
                                         r"are not measured"):
        report = evaluate_augmentation(X, y, SMOTEENN(random_state=0), cv=2, repeats=1, baselines=["none"],
                                       random_state=0)
    assert len(report.fidelity) == 0 and len(report.privacy) == 0
    # The saved report says why (the warning alone did).
    assert report.settings["not_inspected"] == ["SMOTEENN"]
    assert "Fidelity and privacy not measured for SMOTEENN: it changed or removed training rows" in str(report)
    assert json.loads(report.to_json())["settings"]["not_inspected"] == ["SMOTEENN"]
    # A sampler that only adds is inspected, also where it hands a None cell back as NaN.
    X["word"] = pd.Series(["x", None, "y", "x"] * 60, dtype=object)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*changed or removed training rows")
        kept = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1,
                                     baselines=["none", "random"], random_state=0)
    assert set(kept.fidelity["method"]) == set(kept.privacy["method"]) == {"RandomOverSampler",
                                                                          "random oversampling"}


def test_an_under_sampler_keeps_its_own_strategy_and_the_baselines_top_up_the_rarer_classes():
    # Its sampling_strategy names the classes it reduces: 'majority' and {"common": 100} were refused
    # as top-ups, and classes= set {"rare": <majority>} on it, refused by imbalanced-learn after the
    # first fold's baselines had trained.
    from imblearn.under_sampling import RandomUnderSampler

    X, y = two_gaussians(n_major=200, n_minor=40)
    for strategy, classes, kept in [("majority", None, 27), ({"common": 100}, None, 100), ("auto", ["rare"], 27)]:
        inspect = strategy == "majority"  # it adds no rows: nothing to measure, and no warning that it "added" any
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            report = evaluate_augmentation(X, y, RandomUnderSampler(sampling_strategy=strategy, random_state=0),
                                           classes=classes, cv=3, repeats=1, baselines=["none", "random"],
                                           random_state=0, fidelity=inspect, privacy=inspect)
        assert not any("changed or removed training rows" in str(w.message) for w in said)
        assert not report.settings.get("not_inspected")
        added = report.folds.groupby("method")["n_added"].mean()
        assert report.settings["classes"] == ["rare"]
        assert added["RandomUnderSampler"] == pytest.approx(kept - 200 * 2 / 3, abs=1)  # its rows removed
        assert added["random oversampling"] == pytest.approx((200 - 40) * 2 / 3, abs=1)  # rare up to common
        assert "classes topped up: 'rare' (by the baselines; RandomUnderSampler removes rows instead)" in str(report)
    # What no fold can follow is refused before any fold, in imbalanced-learn's words, naming the sampler.
    for strategy, where in [({"common": 500}, r"augmenter's RandomUnderSampler"),
                            ({"common": 190}, r"cv split 1 of 9 .*its under-sampling is refused there: "
                                              r"RandomUnderSampler")]:
        with pytest.raises(DataValidationError, match=where + r"\(sampling_strategy=\{'common': \d+\}\).*"
                                                               r"ask for counts every training fold holds"):
            evaluate_augmentation(X, y, RandomUnderSampler(sampling_strategy=strategy), cv=3, baselines=["none"])


def test_an_imbalanced_learn_sampler_is_refused_what_its_tags_say_it_cannot_take_before_any_fold():
    # SMOTE failed with "could not convert string to float" (or on NaN) in the first fold, after the
    # baselines had trained.
    from imblearn.over_sampling import SMOTE

    X, y = two_gaussians(n_major=60, n_minor=20)
    text = X.assign(city=["Oslo", "Lima"] * 40)
    missing = X.assign(b=X["b"].where(X.index % 7 > 0))
    cases = [(text, r"SMOTE takes numbers only, and X has text \(column 'city'\).*MixedSMOTE"),
             (text.astype({"city": "category"}), r"X has text \(column 'city'\)"),
             (missing, r"SMOTE does not accept missing values \(NaN\), and X has some \(column 'b'\).*Impute")]
    for table, message in cases:
        with pytest.raises(ValueError, match=message):
            evaluate_augmentation(table, y, SMOTE(), cv=2, repeats=1, estimator=_NeverFitted())
    # What its tags say it takes passes (RandomOverSampler copies text and NaN as they are), as does a
    # sampler of one's own, whatever tags it inherited.
    class OwnSMOTE(SMOTE):
        def fit_resample(self, X, y):
            return RandomOverSampler(random_state=0).fit_resample(X, y)

    for sampler in (RandomOverSampler(random_state=0), OwnSMOTE()):
        evaluate_augmentation(text.assign(b=missing["b"]), y, sampler, cv=2, repeats=1, baselines=["none"],
                              estimator="hgb", random_state=0, fidelity=False, privacy=False)


class _NeverFitted(DecisionTreeClassifier):
    def fit(self, X, y, sample_weight=None):
        raise AssertionError("an estimator was fitted before the augmenter's input was checked")


def test_matplotlib_s_own_notes_stay_out_of_a_report_s_figures(tmp_path):
    # A class name's character the font lacks: matplotlib's "Glyph ... missing from font" once per
    # figure, and under warnings-as-errors the finished evaluation was lost; a config folder it cannot
    # write: two raw log lines. In a process of its own: matplotlib says the latter at its import.
    import os
    import subprocess
    import sys

    script = "\n".join([
        "import warnings, numpy as np, pandas as pd",
        "warnings.simplefilter('error')",
        "from imblearn.over_sampling import RandomOverSampler",
        "from gan_augment import evaluate_augmentation",
        "X = pd.DataFrame({'a': np.random.default_rng(0).normal(size=80)})",
        "y = np.array(['common'] * 60 + ['rare \u65e5\u672c'] * 20)",
        "report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=['none'],",
        "                               random_state=0, fidelity=False, privacy=False)",
        f"report.to_html({str(tmp_path / 'r.html')!r})",
    ])
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MPLCONFIGDIR": str(blocked), "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "rare \u65e5\u672c" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_pipeline_given_as_the_augmenter_is_named_by_its_steps():
    from imblearn.pipeline import make_pipeline
    from sklearn.impute import SimpleImputer

    X, y = two_gaussians(n_major=60, n_minor=20)
    steps = make_pipeline(SimpleImputer(), "passthrough", RandomOverSampler(random_state=0))
    report = evaluate_augmentation(X, y, steps, cv=2, repeats=1, baselines=["none"], random_state=0, fidelity=False,
                                   privacy=False)
    assert report.settings["augmenter"] == "Pipeline(SimpleImputer, RandomOverSampler)"
    assert set(report.summary["method"]) == {"none", "Pipeline(SimpleImputer, RandomOverSampler)"}


def test_an_augmenter_that_adds_nothing_is_said_to_and_the_report_says_so():
    # Its scores equal none's in every fold, and the verdict read "did not clearly help" without a word.
    from imblearn import FunctionSampler

    X, y = two_gaussians(n_major=90, n_minor=30)
    with pytest.warns(UserWarning, match=r"FunctionSampler added no rows to any training fold.*check its "
                                         r"sampling_strategy"):
        report = evaluate_augmentation(X, y, FunctionSampler(), cv=2, repeats=1, baselines=["none"],
                                       random_state=0, fidelity=False, privacy=False)
    assert report.settings["augmenter_added_nothing"] is True
    assert "FunctionSampler added no rows to any training fold: its scores are those of none." in str(report)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*added no rows")
        topped = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), cv=2, repeats=1, baselines=["none"],
                                       random_state=0, fidelity=False, privacy=False)
    assert topped.settings["augmenter_added_nothing"] is False and "added no rows" not in str(topped)


def test_a_column_the_synthetic_rows_leave_empty_is_the_worst_column():
    # Its distance was NaN and left out: the summary read 0.07 and named another column the worst.
    from gan_augment.evaluation.fidelity import column_distances, fidelity

    real, _ = two_gaussians(n_major=60, n_minor=0)
    synthetic = real.copy()
    synthetic["a"] = np.nan
    assert {r["column"]: r["distance"] for r in column_distances(real, synthetic)} == {"a": 1.0, "b": 0.0}
    summary, _ = fidelity(real, synthetic, random_state=0)
    assert summary["worst_column"] == "a" and summary["worst_column_distance"] == 1.0
    both_empty = real.assign(a=np.nan)
    assert math.isnan(column_distances(both_empty, synthetic)[0]["distance"])
    # Named as the frame names them: whole-number names came back as text ('0'), found by no lookup.
    numbered = real.set_axis(pd.Index([0, 1], dtype=np.int64), axis=1)
    summary, _ = fidelity(numbered, synthetic.set_axis(numbered.columns, axis=1), random_state=0)
    assert summary["worst_column"] == 0 and type(summary["worst_column"]) is int
    # Columns named True and False (which the GAN takes) were read by pandas as a row mask, after the fits.
    flags = real.set_axis([True, False], axis=1).assign(word=["x", "y"] * 30).set_axis([True, False, 2], axis=1)
    summary, _ = fidelity(flags, flags.sample(frac=1.0, random_state=0), categorical=[2], random_state=0)
    assert summary["worst_column"] in (True, False, 2) and summary["mean_column_distance"] == 0.0


def test_smote_takes_the_categories_of_the_whole_table_in_every_fold(monkeypatch):
    # A code column holding one text value is categorical; in the fold whose training rows missed that
    # value, SMOTE interpolated the codes (12, 13, 25, ... that no row holds) under the name SMOTE-NC.
    from gan_augment.baselines import MixedSMOTE

    rng = np.random.RandomState(0)
    codes = pd.Series([int(v) for v in rng.choice([10, 20, 30, 40], 100)], dtype=object)
    X = pd.DataFrame({"a": rng.randn(100), "code": codes})
    y = np.array(["maj"] * 80 + ["rare"] * 20)
    X_res, _ = MixedSMOTE(categorical_features=["code"], random_state=0).fit_resample(X, y)
    assert set(X_res["code"]) <= {10, 20, 30, 40}
    with pytest.raises(ValueError, match=r"Column 'code' holds values that are not numbers, but categorical_features"):
        MixedSMOTE(categorical_features=[]).fit_resample(X.assign(code=codes.where(codes != 10, "?")), y)
    with pytest.raises(ValueError, match=r"categorical_features names 'kode', which is not a column of X.*\. Did you "
                                         r"mean 'code'\?$"):  # as the command line's --categorical says
        MixedSMOTE(categorical_features=["kode"]).fit_resample(X, y)
    X.loc[3, "code"] = "?"
    added = []
    original = MixedSMOTE._fit_resample

    def recording(self, X_fold, y_fold):
        X_out, y_out = original(self, X_fold, y_fold)
        added.extend(X_out["code"].iloc[len(X_fold):])
        return X_out, y_out

    monkeypatch.setattr(MixedSMOTE, "_fit_resample", recording)
    evaluate_augmentation(X, y, RandomOverSampler(), estimator="logreg", cv=5, repeats=1, random_state=0,
                          fidelity=False, privacy=False, baselines=["smote"])
    assert added and set(added) <= {10, 20, 30, 40, "?"}


def test_a_mixed_smote_reads_column_positions_as_the_gan_does_in_and_out_of_the_evaluator():
    # It read names only: positions, which the GAN and SMOTE-NC take, were refused, and the
    # evaluator (which names an array's columns x0, x1, ...) refused them for an array too.
    from gan_augment.baselines import MixedSMOTE
    from gan_augment.evaluation import evaluate_augmentation

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"kind": rng.choice(["a", "b", "c"], 120), "code": rng.choice([10, 20, 30], 120),
                      "size": rng.randn(120)})
    y = np.array(["maj"] * 100 + ["rare"] * 20)
    by_name = MixedSMOTE(categorical_features=["kind", "code"], random_state=0).fit_resample(X, y)[0]
    assert set(by_name["code"]) == {10, 20, 30}  # picked, not interpolated
    for given in ([0, 1], [True, True, False], np.array([1, 0])):
        pd.testing.assert_frame_equal(MixedSMOTE(categorical_features=given, random_state=0).fit_resample(X, y)[0],
                                      by_name)
    with pytest.raises(ValueError, match=r"names 3, which is not a column of X nor a position in X's 3 columns"):
        MixedSMOTE(categorical_features=[3]).fit_resample(X, y)
    # An array: its fit, and the evaluator's folds, take the same positions.
    array = X.to_numpy(dtype=object)
    assert set(MixedSMOTE(categorical_features=[0, 1], random_state=0).fit_resample(array, y)[0][:, 1]) == \
        {10, 20, 30}
    report = evaluate_augmentation(array, y, MixedSMOTE(categorical_features=[0, 1]), estimator="logreg",
                                   baselines=["smote"], cv=2, repeats=1, random_state=0, privacy=False)
    fidelity = report.fidelity.set_index("method")
    # As the 'smote' baseline, told the table's categorical columns, tops up the folds.
    assert fidelity.loc["MixedSMOTE", "c2st_auc"] == fidelity.loc["SMOTE-NC", "c2st_auc"]


def test_the_report_states_the_significance_level_the_rule_tests():
    # 1 - 0.9525 was shown as 0.048 (":.2g") while the verdict and the stars tested p < 0.0475.
    from imblearn.over_sampling import RandomOverSampler
    from sklearn.datasets import load_iris

    from gan_augment.evaluation import evaluate_augmentation

    X, y = load_iris(return_X_y=True, as_frame=True)
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:15]]
    report = evaluate_augmentation(X.iloc[keep].reset_index(drop=True), y.iloc[keep].to_numpy(),
                                   RandomOverSampler(random_state=0), baselines=["none"], cv=3, repeats=1,
                                   random_state=0, fidelity=False, privacy=False, confidence=0.9525)
    text = report.to_markdown()
    assert report.settings["alpha"] == pytest.approx(0.0475)
    assert "significance at 0.0475 after Holm correction" in text and "p is below 0.0475" in text
    assert "0.048" not in text


def test_column_distances_raise_no_scipy_warning_for_their_statistic():
    # scipy's exact p-value gave up on near-identical columns and warned ("Exact calculation
    # unsuccessful"): under warnings as errors the whole report was lost, for a statistic that
    # does not depend on how the p-value is computed.
    from gan_augment.evaluation.fidelity import column_distances

    real = pd.DataFrame({"a": np.arange(15.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        distances = column_distances(real, real.assign(a=real["a"].where(real["a"] > 0, -1.0)))
        one_each = column_distances(real.iloc[:1], real.iloc[1:2])  # scipy divided by zero for its p-value
    assert distances[0]["distance"] == pytest.approx(1 / 15) and one_each[0]["distance"] == 1.0


def test_correlation_difference_counts_a_synthetic_column_stuck_at_one_value_as_matching_nothing():
    from gan_augment.evaluation.fidelity import correlation_difference

    # A constant synthetic column has no correlation (NaN): its pairs were dropped, and a generator
    # that collapsed a column read as a perfect 0.
    rng = np.random.default_rng(0)
    a = rng.normal(size=300)
    real = pd.DataFrame({"a": a, "b": a + 0.3 * rng.normal(size=300), "c": -a + 0.3 * rng.normal(size=300)})
    r = real.corr().to_numpy()
    stuck = real.sample(frac=1, random_state=1).reset_index(drop=True).assign(c=0.0)
    expected = (abs(r[0, 1] - stuck.corr().iloc[0, 1]) + abs(r[0, 2]) + abs(r[1, 2])) / 3
    assert correlation_difference(real, stuck) == pytest.approx(expected)
    # As far from the real pairs as an independent column, which keeps none of their correlation either.
    independent = correlation_difference(real, real.assign(c=rng.normal(size=300)))
    assert correlation_difference(real, stuck) == pytest.approx(independent, abs=0.05) and independent > 0.5
    # A pair undefined in the real rows has nothing to match: left out.
    assert correlation_difference(real.assign(c=1.0), stuck) == pytest.approx(abs(r[0, 1] - stuck.corr().iloc[0, 1]))


def test_rows_by_label_finds_each_class_rows_as_equality_does():
    from gan_augment.evaluation.utility import _rows_by_label

    rows = _rows_by_label(np.array(["b", "a", "b", "c"], dtype=object))
    assert rows == {"b": [0, 2], "a": [1], "c": [3]}
    numbers = _rows_by_label(np.array([1, 2, 1]))
    assert numbers[np.int64(1)] == [0, 2] and numbers[1.0] == [0, 2] and 3 not in numbers


def test_an_estimator_weighted_by_its_caller_has_no_class_weight_baseline_beside_a_weighted_none():
    # Every arm trained with the caller's weights but the class_weight one, which set 'balanced'
    # without a word: "none" was weighted, and with class_weight="balanced" the baseline repeated it.
    from gan_augment.evaluation import plan_evaluation
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = two_gaussians(n_major=40, n_minor=8)
    for estimator, key in ((LogisticRegression(class_weight={"common": 1, "rare": 5}), "class_weight"),
                           (make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced")),
                            "logisticregression__class_weight")):
        with pytest.warns(UserWarning, match=rf"The estimator's {key}=.* weights every method, 'none' included, so "
                                             "the class_weight baseline is left out"):
            plan = plan_evaluation(X, y, ExplodingSampler(), estimator=estimator, classes="rare", cv=3)
        assert "class_weight" not in plan.methods
        with pytest.raises(ValueError, match=rf"baseline 'class_weight' sets {key}='balanced' in its arm only"):
            plan_evaluation(X, y, ExplodingSampler(), estimator=estimator, classes="rare", cv=3,
                            baselines=("none", "class_weight"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "class_weight" in plan_evaluation(X, y, ExplodingSampler(), estimator=LogisticRegression(),
                                                 classes="rare", cv=3).methods


def test_a_class_the_model_never_predicts_has_no_precision_rather_than_zero():
    # Logistic regression on this table calls no test row 'rare' in any fold. Its precision there
    # was scored 0 (zero_division=0), so random oversampling, which does call some rows 'rare' (most
    # of them wrongly), read as a significant gain in precision (+0.155*, cited in the verdict).
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=400, n_features=4, n_informative=2, n_redundant=0, weights=[0.93, 0.07],
                               class_sep=0.6, flip_y=0.0, random_state=4)
    X, y = pd.DataFrame(X, columns=list("abcd")), np.where(y == 1, "rare", "common")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator="logreg", cv=5, repeats=2,
                                       random_state=0, baselines=["none"], fidelity=False, privacy=False)
    rows = report.per_class.set_index(["method", "class", "metric"])
    assert np.isnan(rows.loc[("none", "rare", "precision"), "mean"])
    oversampled = rows.loc[("RandomOverSampler", "rare", "precision")]
    assert 0 < oversampled["mean"] < 0.5 and np.isnan(oversampled["delta"]) and np.isnan(oversampled["p_holm"])
    assert rows.loc[("RandomOverSampler", "rare", "recall"), "delta"] > 0  # recall is defined: still compared
    assert "precision of class 'rare'" not in report.verdict
    assert "| none | rare | - |" in report.to_markdown()


def test_a_class_called_nowhere_adds_no_wrong_rows_to_a_fold_s_tallies():
    # Its precision is NaN (0 / 0): the fold's row counts, which the whole-row floor of accuracy
    # and balanced accuracy rests on, must still be read (0 found, 0 wrongly called), not dropped.
    from gan_augment.evaluation._verdict import _tallies_of

    assert _tallies_of({"precision": math.nan, "recall": 0.0, "f1": 0.0, "support": 5}) == (0, 0)
    assert _tallies_of({"precision": 0.25, "recall": 0.2, "f1": 0.22, "support": 5}) == (1, 3)
    assert _tallies_of({"precision": math.nan, "recall": math.nan, "f1": 0.0, "support": 5}) is None


def test_a_steady_precision_gain_is_tested_with_its_floor_where_some_folds_have_no_precision():
    # 'none' calls one rare row wrongly in folds 0-6 (precision 0) and none in folds 7-9 (no
    # precision): the folds left were tested without the one-row-less floor, and a precision of 1.0
    # in every fold read p = 1 beside p < 0.01 for one of 1.0 and 2/3 (2 rows found of 2 or 3 called)
    # in turn.
    def folds(precisions):
        def scores(precision, recall, support=4):
            return {"precision": precision, "recall": recall, "f1": 0.0, "support": support}

        return [FoldResult(index=j, repeat=j // 5, fold=j % 5, n_train=80, n_test=20, class_scores={
            "none": {"rare": scores(0.0 if j < 7 else math.nan, 0.0), "common": scores(0.8, 1.0, 16)},
            "augmenter": {"rare": scores(precisions[j], 0.5), "common": scores(0.9, 1.0, 16)}}) for j in range(10)]

    def p(precisions):
        return class_comparisons(folds(precisions), "augmenter", ["rare"], "precision", test_train_ratio=0.25,
                                 confidence=0.95)["rare"].p

    steady, varying = p([1.0] * 10), p([1.0, 2 / 3] * 5)
    assert steady <= varying < 0.01


@pytest.mark.parametrize("n_holdout, expected", [(10, 1 / 11), (40, 0.05)])
def test_rows_as_new_as_held_out_ones_score_the_documented_near_copy_share(n_holdout, expected):
    # The threshold was interpolated between ranks: fresh rows scored 0.13 at 10 held-out rows and
    # 0.072 at 40, where the docs promise about 1 / (n + 1) and 0.05.
    from gan_augment.evaluation.privacy import PrivacyProbe

    rng = np.random.default_rng(0)

    def rows(n):
        return pd.DataFrame(rng.normal(size=(n, 3)), columns=list("abc"))

    train = rows(300)
    shares = [PrivacyProbe(train, rows(n_holdout)).score(rows(200))["near_copy_share"] for _ in range(200)]
    assert abs(np.mean(shares) - expected) < 0.012


class LabelsOnly(ClassifierMixin, BaseEstimator):
    """A classifier that gives labels and no scores (no predict_proba, no decision_function)."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_a_pr_auc_the_estimator_gives_no_scores_for_says_why_it_is_empty():
    # It read "-" beside a delta of 0.000, under a caveat about the few rows "behind PR-AUC".
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(80, 3)), np.array(["rare"] * 16 + ["common"] * 64)
    X[y == "rare"] += 1.5
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=LabelsOnly(), cv=2, repeats=1,
                                   baselines=("none",), fidelity=False, privacy=False, random_state=0)
    pr_auc = report.summary[report.summary["metric"] == "pr_auc"]
    assert pr_auc[["mean", "delta", "n_rows"]].isna().all().all()
    assert set(pr_auc["caveat"]) == {"not computed: LabelsOnly gives no scores (neither predict_proba nor "
                                     "decision_function)"}
    assert np.isfinite(report.summary[report.summary["metric"] == "macro_f1"]["mean"]).all()
    markdown = report.to_markdown()
    assert "not computed: LabelsOnly gives no scores" in markdown and "behind PR-AUC" not in markdown


def test_a_caveat_of_one_row_says_row():
    # "few rows: 1 test rows of class 3 per fold (< 30)".
    from gan_augment.evaluation._text import caveat

    assert caveat({"test rows of class 3 per fold": 1.0, "synthetic": 5}) == \
        "few rows: 1 test row of class 3 per fold, 5 synthetic (< 30)"
    assert caveat({"test rows per fold": 1.5}) == "few rows: 1.5 test rows per fold (< 30)"



def test_a_held_out_row_that_is_also_a_training_row_does_not_hide_near_copies():
    # The near-copy threshold is a low percentile of the held-out rows' distances: one held-out row
    # equal to a training row (real data has such duplicates) set it to 0, and jittered copies of
    # training rows read as new (near copies 0.0).
    from gan_augment.evaluation.privacy import PrivacyProbe

    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.standard_normal((200, 4)), columns=list("abcd"))
    holdout = pd.concat([pd.DataFrame(rng.standard_normal((14, 4)), columns=list("abcd")), train.iloc[[0]]],
                        ignore_index=True)
    jittered = train.iloc[:100] * (1 + 1e-6 * rng.standard_normal((100, 4)))
    scores = PrivacyProbe(train, holdout).score(jittered)
    assert scores["near_copy_share"] == 1.0 and scores["exact_copy_share"] == 0.0
    # The held-out rows' own share of copies is the reference for the synthetic rows'.
    assert scores["holdout_exact_share"] == pytest.approx(1 / 15)
    # Held-out rows that all equal training rows leave exact copies alone to count as near ones.
    only_copies = PrivacyProbe(train, train.iloc[:10]).score(pd.concat([jittered.iloc[:5], train.iloc[:5]]))
    assert only_copies["near_copy_share"] == only_copies["exact_copy_share"] == 0.5


def test_copies_with_whole_number_codes_given_back_as_floats_are_copies():
    # A sampler working on arrays gives the category code 1 back as 1.0: as text another category,
    # so its exact copies of training rows read as new (distance 0.707, no copies).
    from gan_augment._sampler import frame_like
    from gan_augment.evaluation.privacy import PrivacyProbe

    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.standard_normal(200), "code": rng.choice([1, 2, 3], 200)})
    fresh = pd.DataFrame({"x": rng.standard_normal(50), "code": rng.choice([1, 2, 3], 50)})
    scores = PrivacyProbe(train, fresh, categorical=["code"]).score(train.iloc[:50].astype({"code": float}))
    assert scores["exact_copy_share"] == 1.0
    # An array's rows come back in the columns' own dtypes where nothing is lost.
    rows = frame_like(train.to_numpy(dtype=float)[:3], train)
    assert rows.dtypes.equals(train.dtypes)
    halves = frame_like(np.array([[0.1, 1.5]]), train)
    assert halves["code"].dtype == np.float64 and halves["code"].iloc[0] == 1.5


def test_an_image_copy_one_grey_level_off_in_a_quiet_pixel_is_a_near_copy():
    # Each pixel was scaled by its own spread: a corner pixel nearly always 0 made a copy with that
    # pixel one grey level up read as further away than a new digit.
    from sklearn.datasets import load_digits

    from gan_augment.evaluation.privacy import PrivacyProbe

    X, _ = load_digits(return_X_y=True)
    frame = pd.DataFrame(X)
    train, holdout = frame.iloc[:1500], frame.iloc[1500:]
    quiet = int(np.argmin(np.where(train.std(ddof=0) > 0, train.std(ddof=0), np.inf)))
    copies = train.iloc[:100].copy()
    copies.iloc[:, quiet] += 1.0
    assert PrivacyProbe(train, holdout, images=True).score(copies)["near_copy_share"] == 1.0


def test_a_sampler_that_shuffles_its_rows_has_the_rows_it_added_measured():
    # A memoriser that returns training rows and copies shuffled was said to have changed training
    # rows, and its fidelity and privacy went unmeasured.
    from gan_augment.evaluation.utility import _training_rows_first

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=30), "c": rng.choice(["x", None], 30)})
    y = np.array([0] * 24 + [1] * 6)
    added = X.iloc[[24, 25, 25]]
    X_fit = pd.concat([X, added], ignore_index=True)
    y_fit = np.r_[y, [1, 1, 1]]
    order = rng.permutation(len(y_fit))
    X_back, y_back = _training_rows_first(X, y, X_fit.iloc[order].reset_index(drop=True), y_fit[order])
    pd.testing.assert_frame_equal(X_back.iloc[:30], X)
    assert sorted(X_back["a"].iloc[30:]) == sorted(added["a"]) and list(y_back[30:]) == [1, 1, 1]
    changed = X_fit.copy()
    changed.loc[3, "a"] += 1.0  # a training row changed: no split of real and added rows
    assert _training_rows_first(X, y, changed.iloc[order].reset_index(drop=True), y_fit[order]) is None


class _ShufflingCopier(BaseEstimator):
    """Tops the rarer class up with copies of its rows, and returns all rows shuffled."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit_resample(self, X, y):
        y = np.asarray(y)
        labels, counts = np.unique(y, return_counts=True)
        rare = labels[np.argmin(counts)]
        rows = np.flatnonzero(y == rare)[:counts.max() - counts.min()]
        X_res, y_res = pd.concat([X, X.iloc[rows]], ignore_index=True), np.r_[y, y[rows]]
        order = np.random.default_rng(0).permutation(len(y_res))
        return X_res.iloc[order].reset_index(drop=True), y_res[order]


def test_a_shuffling_memoriser_is_reported_as_copying():
    X, y = two_gaussians(n_major=80, n_minor=20)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*changed or removed training rows")
        report = evaluate_augmentation(X, y, _ShufflingCopier(), cv=2, repeats=1, baselines=("none",),
                                       fidelity=False, random_state=0)
    assert report.privacy["exact_copy_share"].tolist() == [1.0]


@pytest.mark.parametrize("values", [[1.0, np.nan], [1.0, 2.5], [1, "a", 1.0], pd.array([1.0, None], dtype="Float64")])
def test_a_whole_number_category_is_written_alike_whatever_else_its_column_holds(values):
    # Series.map made [1, NaN] floats again: 1 was '1' beside 2.0 but '1.0' beside a NaN, so the same
    # category read as two (a copier's rows as new, a classifier's known category as unseen).
    from gan_augment.evaluation._prep import as_text

    assert as_text(pd.DataFrame({"code": values}))[0, 0] == "1"
    assert as_text(pd.DataFrame({"code": [1, 2]}))[0, 0] == "1"
