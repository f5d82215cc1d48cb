"""AutoAugmenter chooses the top-up by inner cross-validation; MixedSMOTE is the SMOTE baseline."""

import functools
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, fbeta_score, make_scorer, precision_score, recall_score
from sklearn.model_selection import (GroupKFold, KFold, RepeatedStratifiedKFold, StratifiedKFold,
                                     StratifiedShuffleSplit)

from gan_augment import AutoAugmenter, GANAugmenter, LabelGateWarning
from gan_augment.auto import one_standard_error
from gan_augment.baselines import MixedSMOTE
from gan_augment.exceptions import DataValidationError

# The label gate is on (the tables' default) with a short judge: the gate is not these tests' subject.
pytestmark = pytest.mark.usefixtures("quick_row_judge")

FAST_GAN = dict(epochs=2, batch_size=64)


def _table(n=400, rare=0.06, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rare).astype(int)
    X = pd.DataFrame({
        "a": rng.normal(size=n) + 1.5 * y,
        "b": rng.normal(size=n) - 1.0 * y,
        "colour": rng.choice(["red", "green", "blue"], size=n),
    })
    X.loc[rng.random(n) < 0.05, "a"] = np.nan
    return X, y


class CountingGAN(GANAugmenter):
    """A GANAugmenter that counts its fits (class attribute: clones share it)."""

    fits = 0

    def fit(self, X, y):
        type(self).fits += 1
        return super().fit(X, y)


def test_every_candidate_is_scored_and_the_best_mean_is_chosen():
    X, y = _table()
    auto = AutoAugmenter(augmenter=GANAugmenter(**FAST_GAN), cv=3, random_state=0)
    X_res, y_res = auto.fit_resample(X, y)
    results = auto.cv_results_
    assert len(results["params"]) == 1 + 3 * 3  # none + 3 methods x 3 amounts
    best = int(np.argmax(results["mean_test_score"]))
    assert auto.chosen_ == results["params"][best]
    assert results["rank_test_score"][best] == 1
    assert all(np.isfinite(results[f"split{k}_test_score"]).all() for k in range(3))
    # The real rows come first, untouched, then exactly the chosen number of rows per class.
    pd.testing.assert_frame_equal(X_res.iloc[:len(X)].reset_index(drop=True), X.reset_index(drop=True))
    added = {label: int((y_res == label).sum() - (y == label).sum()) for label in np.unique(y)}
    assert added == {label: auto.sampling_strategy_.get(label, 0) for label in added}


def _results(candidates, splits):
    """A ``cv_results_`` of ``candidates`` ``[(method, amount), ...]`` with these fold scores."""
    splits = np.asarray(splits, dtype=float)
    return {"params": [{"method": m, "amount": a} for m, a in candidates],
            "param_method": np.array([m for m, _ in candidates], dtype=object),
            "param_amount": np.array([a for _, a in candidates]),
            "mean_test_score": splits.mean(axis=1),
            **{f"split{k}_test_score": splits[:, k] for k in range(splits.shape[1])}}


CANDIDATES = [("none", 0.0), ("random", 0.5), ("random", 1.0), ("smote", 0.5), ("smote", 1.0)]


def test_one_standard_error_keeps_doing_nothing_within_a_standard_error_of_the_best():
    # smote@1 is best on average (0.667) but its folds spread 0.58-0.74: one standard error (0.047)
    # reaches down to 0.620, below doing nothing's 0.650, so nothing is added.
    splits = [[0.60, 0.70, 0.65], [0.61, 0.69, 0.66], [0.62, 0.68, 0.66], [0.63, 0.66, 0.64], [0.58, 0.74, 0.68]]
    results = _results(CANDIDATES, splits)
    assert one_standard_error(results) == 0
    assert int(np.argmax(results["mean_test_score"])) == 4  # what selection="best" takes


def test_one_standard_error_takes_a_clear_gain_at_the_smallest_amount_and_first_method_within_reach():
    # smote@1: 0.71 with a standard error of 0.006, far above doing nothing (0.62); random@0.5 and
    # smote@0.5 (0.707) are within reach, random@1 (0.697) is not; at one amount the method listed
    # first wins.
    splits = [[0.60, 0.62, 0.64], [0.70, 0.71, 0.71], [0.69, 0.70, 0.70], [0.71, 0.70, 0.71], [0.70, 0.71, 0.72]]
    assert CANDIDATES[one_standard_error(_results(CANDIDATES, splits))] == ("random", 0.5)


def test_selection_one_se_resamples_with_the_rules_choice():
    X, y = _table(rare=0.05, seed=1)
    auto = AutoAugmenter(methods=("random", "smote"), selection="one_se", cv=3, random_state=0)
    X_res, y_res = auto.fit_resample(X, y)
    chosen = one_standard_error(auto.cv_results_)
    assert auto.chosen_ == auto.cv_results_["params"][chosen]
    assert (y_res == 1).sum() - (y == 1).sum() == auto.sampling_strategy_.get(1, 0)


def test_selection_takes_a_callable_of_cv_results_and_checks_what_it_returns():
    X, y = _table()
    auto = AutoAugmenter(methods=("random",), selection=lambda results: 0, random_state=0)
    X_res, y_res = auto.fit_resample(X, y)
    assert auto.chosen_ == {"method": "none", "amount": 0.0}
    pd.testing.assert_frame_equal(X_res, X)
    with pytest.raises(ValueError, match=r"selection=.* returned 7; it must return the index of a candidate"):
        AutoAugmenter(methods=("random",), selection=lambda results: 7, random_state=0).fit_resample(X, y)


def test_an_estimator_whose_fit_returns_none_is_scored_as_the_estimator_it_fitted():
    # Its fit's return value was scored: "scoring='f1_macro' needs what the estimator does not give
    # ('NoneType' object has no attribute ...)", where cross_val_score scores it.
    from sklearn.base import BaseEstimator, ClassifierMixin

    class ReturnsNone(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.model_ = LogisticRegression().fit(X, y)
            self.classes_ = self.model_.classes_

        def predict(self, X):
            return self.model_.predict(X)

    from sklearn.datasets import make_classification

    X, y = make_classification(200, 4, weights=[0.85], random_state=0)
    auto = AutoAugmenter(estimator=ReturnsNone(), methods=("random",), cv=2, random_state=0).fit(X, y)
    again = AutoAugmenter(estimator=LogisticRegression(), methods=("random",), cv=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(auto.cv_results_["mean_test_score"], again.cv_results_["mean_test_score"])


def test_methods_given_as_a_set_are_tried_in_the_defaults_order_and_classes_are_refused_by_name():
    # A set's order is its hash order, another in each process (PYTHONHASHSEED): the candidates'
    # seeds and ties followed it, so one random_state chose differently from one run to the next.
    from sklearn.datasets import make_classification

    X, y = make_classification(120, 3, n_informative=2, n_redundant=0, weights=[0.85], random_state=0)
    settings = dict(amounts=(0.5, 1.0), cv=2, random_state=0)
    as_set = AutoAugmenter(methods={"smote", "random"}, **settings).fit(X, y)
    ordered = AutoAugmenter(methods=("random", "smote"), **settings).fit(X, y)
    assert as_set.cv_results_["params"] == ordered.cv_results_["params"]
    np.testing.assert_array_equal(as_set.cv_results_["mean_test_score"], ordered.cv_results_["mean_test_score"])
    for name in ("estimator", "augmenter"):  # scikit-learn's tags said "Expected an estimator instance"
        with pytest.raises(TypeError, match=rf"^{name}= takes an instance, \w+\(\.\.\.\), and got the class"):
            AutoAugmenter(methods=("random",), **{name: LogisticRegression if name == "estimator" else GANAugmenter}
                          ).fit(X, y)


def test_a_metric_that_rewards_rare_recall_never_picks_doing_nothing():
    X, y = _table(rare=0.05, seed=1)
    scoring = make_scorer(recall_score, pos_label=1)
    auto = AutoAugmenter(methods=("random", "smote"), scoring=scoring, cv=3, random_state=0)
    X_res, y_res = auto.fit_resample(X, y)
    assert auto.chosen_["method"] != "none"
    none_score = auto.cv_results_["mean_test_score"][0]
    assert auto.cv_results_["mean_test_score"].max() > none_score
    assert (y_res == 1).sum() > (y == 1).sum()


def test_balanced_data_gets_nothing_added():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.repeat([0, 1, 2], 30)
    auto = AutoAugmenter(methods=("random", "smote"), cv=3, random_state=0)
    X_res, y_res = auto.fit_resample(X, y)
    assert auto.chosen_ == {"method": "none", "amount": 0.0}
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)


def test_the_gan_is_fitted_once_per_inner_fold_not_once_per_amount():
    X, y = _table()
    CountingGAN.fits = 0
    auto = AutoAugmenter(methods=("gan",), amounts=(0.25, 0.5, 1.0), augmenter=CountingGAN(**FAST_GAN), cv=3,
                         random_state=0)
    auto.fit_resample(X, y)
    won = auto.chosen_["method"] == "gan"
    assert CountingGAN.fits == 3 + int(won)
    assert (auto.augmenter_ is not None) == won


def test_with_memory_another_estimator_reuses_the_inner_gan_fits_and_gets_the_same_rows(tmp_path):
    X, y = _table()
    settings = dict(methods=("gan",), amounts=(1.0,), augmenter=CountingGAN(**FAST_GAN), cv=3, random_state=0)
    CountingGAN.fits = 0
    plain = AutoAugmenter(**settings).fit_resample(X, y)
    fresh_fits = CountingGAN.fits
    CountingGAN.fits = 0
    cached = AutoAugmenter(memory=str(tmp_path), **settings).fit_resample(X, y)
    assert CountingGAN.fits == fresh_fits  # the first run fits as many, and keeps them
    pd.testing.assert_frame_equal(cached[0], plain[0])  # a kept fit samples as a fresh one
    np.testing.assert_array_equal(cached[1], plain[1])
    CountingGAN.fits = 0
    other = AutoAugmenter(memory=str(tmp_path), estimator="hgb", **settings)
    other.fit_resample(X, y)
    assert CountingGAN.fits == 0  # the same folds and seeds with another estimator: every fit reused
    assert np.isfinite(other.cv_results_["mean_test_score"]).all()


def test_with_memory_a_fit_of_another_release_or_thread_count_is_not_reused(tmp_path, monkeypatch):
    # The key was the GAN's settings and the rows: a cache filled by another gan-augment release,
    # or by a run whose n_threads="auto" meant another count, gave its fits back as this run's.
    import gan_augment
    from gan_augment.training import trainer

    X, y = _table()
    settings = dict(methods=("gan",), amounts=(1.0,), augmenter=CountingGAN(**FAST_GAN), cv=3, random_state=0)
    AutoAugmenter(memory=str(tmp_path), **settings).fit_resample(X, y)
    for patch in ((gan_augment, "__version__", "0.0.0-other"), (trainer, "resolve_threads", lambda n: 7)):
        with monkeypatch.context() as context:
            context.setattr(*patch)
            CountingGAN.fits = 0
            AutoAugmenter(memory=str(tmp_path), **settings).fit_resample(X, y)
            assert CountingGAN.fits > 0, patch[1]


class WarningGAN(GANAugmenter):
    """A GANAugmenter that warns on every fit, as one of a tiny class does in every inner fold."""

    def fit(self, X, y):
        warnings.warn("a warning from every fit", UserWarning)
        return super().fit(X, y)


def test_a_warning_of_every_inner_fold_is_said_once_with_its_count():
    X, y = _table()
    auto = AutoAugmenter(methods=("gan",), amounts=(0.25,), augmenter=WarningGAN(**FAST_GAN), cv=3, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        auto.fit_resample(X, y)
    said = [str(w.message) for w in caught if str(w.message).startswith("a warning from every fit")]
    # Once for the 3 inner folds, and once more from the final fit when the GAN was chosen.
    assert said == ["a warning from every fit (in 3 of 3 inner folds)"] + \
        ["a warning from every fit"] * (auto.chosen_["method"] == "gan")


def test_same_seed_same_choice_and_rows():
    X, y = _table()
    first = AutoAugmenter(methods=("random", "smote"), random_state=3).fit_resample(X, y)
    second = AutoAugmenter(methods=("random", "smote"), random_state=3).fit_resample(X, y)
    pd.testing.assert_frame_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_it_works_as_a_pipeline_step():
    X, y = _table()
    X = X[["a", "b"]].fillna(0.0)
    pipeline = make_pipeline(AutoAugmenter(methods=("random",), random_state=0), LogisticRegression())
    pipeline.fit(X, y)
    assert pipeline.predict(X).shape == (len(X),)


@pytest.mark.parametrize("kwargs, message", [
    (dict(methods=("gan", "magic")), "unknown method 'magic'"),
    (dict(amounts=(0.5, 1.5)), "shares of the full top-up"),
    (dict(amounts=()), "shares of the full top-up"),
    (dict(amounts=("x",)), r"shares of the full top-up in \(0, 1\]; got \['x'\]"),  # was numpy's words
    (dict(selection="mean"), "selection"),
    (dict(n_jobs=0), r"'n_jobs' parameter of AutoAugmenter must be .*Got 0"),  # was joblib's, after the split
    (dict(methods=()), r"methods is empty: 'none' would be the only candidate"),  # chose "none", silently
    # A bare StopIteration after every fit: one split has no standard error.
    (dict(cv=StratifiedShuffleSplit(1, test_size=0.3, random_state=0), selection="one_se"),
     r"selection='one_se' needs at least 2 inner folds"),
    # Every mean was NaN (test folds without a rare row) and "none" won by default.
    (dict(cv=StratifiedKFold(40), scoring="roc_auc", methods=("random",)), r"scoring='roc_auc' gives no score"),
    (dict(classes=[1], sampling_strategy="minority"), "either classes or sampling_strategy"),
])
def test_bad_settings_are_refused_before_any_fit(kwargs, message):
    X, y = _table()
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=message):
        AutoAugmenter(augmenter=CountingGAN(**FAST_GAN), random_state=0, **kwargs).fit_resample(X, y)
    assert CountingGAN.fits == 0


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_the_estimators_settings_are_refused_before_any_fit_whatever_n_jobs(n_jobs):
    # Sequential inner folds ran inside fit_resample's "skip nested validation": LogisticRegression(C=-1)
    # scored every candidate (coefficients near 1e157); with n_jobs=2 the workers refused it.
    from sklearn.pipeline import make_pipeline as sklearn_pipeline
    from sklearn.preprocessing import StandardScaler

    from gan_augment._compat import InvalidParameterError

    X, y = _table()
    CountingGAN.fits = 0
    for estimator in (LogisticRegression(C=-1), sklearn_pipeline(StandardScaler(), LogisticRegression(C=-1))):
        with pytest.raises(InvalidParameterError, match="'C' parameter of LogisticRegression"):
            AutoAugmenter(augmenter=CountingGAN(**FAST_GAN), estimator=estimator, n_jobs=n_jobs,
                          random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0


def test_a_numbers_only_estimator_on_a_table_with_text_is_refused_naming_the_column_before_any_fit():
    # LogisticRegression's fit in the first inner fold said "could not convert string to float: 'red'".
    X, y = _table()
    X["a"] = X["a"].fillna(0.0)
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=r"LogisticRegression takes numbers only, and X has text \(column 'colour'\)"):
        AutoAugmenter(augmenter=CountingGAN(**FAST_GAN), estimator=LogisticRegression(),
                      random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0
    # The same estimator in a Pipeline that encodes the text is taken.
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline as sklearn_pipeline
    from sklearn.preprocessing import OneHotEncoder

    encoded = sklearn_pipeline(make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
                               LogisticRegression())
    auto = AutoAugmenter(estimator=encoded, methods=("random",), random_state=0).fit(X, y)
    assert auto.chosen_["method"] in ("none", "random")


def test_the_augmenter_class_without_parentheses_is_refused_naming_the_parameter():
    X, y = _table()
    with pytest.raises(TypeError, match=r"augmenter= takes an instance, GANAugmenter\(\.\.\.\), and got the class"):
        AutoAugmenter(augmenter=GANAugmenter, random_state=0).fit_resample(X, y)


def test_columns_of_several_levels_are_taken_when_no_gan_is_a_candidate():
    # Refused with "a model keeps one name per column" for random oversampling and SMOTE alone, which
    # take them (as MixedSMOTE and imbalanced-learn's samplers do).
    X, y = _table()
    X.columns = pd.MultiIndex.from_tuples([("num", "a"), ("num", "b"), ("text", "colour")])
    auto = AutoAugmenter(methods=("random", "smote"), amounts=(1.0,), random_state=0)
    X_res, y_res = auto.fit_resample(X, y)
    assert X_res.columns.equals(X.columns) and len(X_res) == len(y_res)
    pd.testing.assert_frame_equal(X_res.iloc[:len(X)].reset_index(drop=True), X.reset_index(drop=True))
    # Infinities are refused naming the column, as before (the estimator's fits named none).
    X.loc[3, ("num", "a")] = np.inf
    with pytest.raises(DataValidationError, match=r"Column \('num', 'a'\) holds infinite values"):
        AutoAugmenter(methods=("random",)).fit_resample(X, y)
    with pytest.raises(DataValidationError, match=r"X has a column named \('num', 'a'\), a tuple"):
        AutoAugmenter(methods=("random", "gan"), augmenter=GANAugmenter(**FAST_GAN)).fit_resample(X, y)


def test_the_estimators_settings_are_left_to_a_search_and_to_a_configuration_that_skips_them():
    import sklearn
    from sklearn.model_selection import GridSearchCV

    X, y = _table()
    X = X[["b"]]  # what LogisticRegression takes as it is
    # The grid sets C before every fit.
    search = GridSearchCV(LogisticRegression(C=-1), {"C": [0.1, 1.0]}, cv=2)
    AutoAugmenter(estimator=search, methods=("random",), cv=2, random_state=0).fit_resample(X, y)
    # Also inside another meta-estimator (scikit-learn lists the search's estimator before the search).
    from sklearn.ensemble import BaggingClassifier

    bagged = BaggingClassifier(GridSearchCV(LogisticRegression(C=-1), {"C": [0.1, 1.0]}, cv=2), n_estimators=2)
    AutoAugmenter(estimator=bagged, methods=("random",), cv=2, random_state=0).fit_resample(X, y)
    with sklearn.config_context(skip_parameter_validation=True):  # the user's own choice
        AutoAugmenter(estimator=LogisticRegression(max_iter=100.0), methods=("random",), cv=2,
                      random_state=0).fit_resample(X, y)


def test_a_single_row_class_is_refused_with_what_to_do():
    X, y = _table()
    y = y.copy()
    y[np.flatnonzero(y == 1)[1:]] = 0
    with pytest.raises(ValueError, match="Class 1 has a single row"):
        AutoAugmenter(methods=("random",), random_state=0).fit_resample(X, y)


def test_inner_folds_in_parallel_score_and_resample_as_one_process_does():
    # One torch thread per GAN, so that the fits are the same in the workers as here; no gate, whose
    # judge the tests shorten in this process only.
    X, y = _table()
    X = X[["a", "b"]].fillna(0.0)
    gan = GANAugmenter(**FAST_GAN, n_threads=1, label_gate=False)
    serial = AutoAugmenter(augmenter=gan, estimator=LogisticRegression(max_iter=1),  # warns: not converged
                           methods=("smote", "gan"), amounts=(1.0,), cv=2, random_state=0)
    parallel = clone(serial).set_params(n_jobs=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X_serial, y_serial = serial.fit_resample(X, y)
        said_serial = len(caught)
        X_parallel, y_parallel = parallel.fit_resample(X, y)
    for k in range(2):
        np.testing.assert_array_equal(serial.cv_results_[f"split{k}_test_score"],
                                      parallel.cv_results_[f"split{k}_test_score"])
    assert serial.chosen_ == parallel.chosen_
    pd.testing.assert_frame_equal(X_serial, X_parallel)
    np.testing.assert_array_equal(y_serial, y_parallel)
    assert said_serial > 0 and len(caught) == 2 * said_serial  # the workers' warnings come back, said as in one process


def test_fit_makes_the_choice_that_fit_resample_makes():
    X, y = _table()
    auto = AutoAugmenter(methods=("random", "smote"), random_state=0)
    assert auto.fit(X, y) is auto
    again = clone(auto)
    again.fit_resample(X, y)
    assert auto.chosen_ == again.chosen_ and auto.sampling_strategy_ == again.sampling_strategy_
    np.testing.assert_array_equal(auto.cv_results_["mean_test_score"], again.cv_results_["mean_test_score"])


def test_cv_takes_a_splitter_and_uses_its_folds():
    X, y = _table()
    splitter = RepeatedStratifiedKFold(n_splits=2, n_repeats=2, random_state=3)
    auto = AutoAugmenter(methods=("random", "smote"), cv=splitter, random_state=0)
    auto.fit_resample(X, y)
    assert sum(key.startswith("split") for key in auto.cv_results_) == 4
    # Each split's score is that of the splitter's fold k: the same as an explicit fold list scores.
    folds = list(splitter.split(X, y))
    assert auto._folds(X, y, seed=0)[1][1].tolist() == folds[1][1].tolist()
    from gan_augment.auto import n_inner_folds
    assert n_inner_folds(splitter, y) == 4


def test_cv_takes_the_folds_themselves_as_scikit_learn_searches_do():
    # They were refused by parameter validation, in a message that printed every row number.
    from sklearn.model_selection import StratifiedGroupKFold

    X, y = _table()
    groups = np.arange(len(y)) % 40
    pairs = list(StratifiedGroupKFold(3, shuffle=True, random_state=2).split(X, y, groups))
    masks = [tuple(np.isin(np.arange(len(y)), rows) for rows in pair) for pair in pairs]
    settings = dict(methods=("random", "smote"), amounts=(0.5,), random_state=0)
    results = [AutoAugmenter(cv=cv, **settings).fit(X, y).cv_results_ for cv in (pairs, masks, iter(pairs))]
    # A generator with folds scored in worker processes (it failed: "Could not pickle the task").
    results.append(AutoAugmenter(cv=(pair for pair in pairs), n_jobs=2, **settings).fit(X, y).cv_results_)
    for key in ("split0_test_score", "split1_test_score", "split2_test_score", "mean_test_score"):
        for other in results[1:]:
            np.testing.assert_array_equal(results[0][key], other[key])
    assert "split3_test_score" not in results[0]
    auto = AutoAugmenter(cv=pairs, **settings)
    assert [test.tolist() for _, test in auto._folds(X, y, seed=0)] == [test.tolist() for _, test in pairs]
    # Each inner test fold holds whole groups: the folds are the caller's, not a reshuffle.
    assert all(np.intersect1d(groups[train], groups[test]).size == 0 for train, test in auto._folds(X, y, seed=0))


@pytest.mark.parametrize("cv, error, message", [
    (lambda X, y: list(StratifiedKFold(3).split(np.zeros(450), np.r_[y, y[:50]])), ValueError,
     r"cv split 1's training part holds row 4\d\d, but the data has 400 rows \(numbered 0 to 399\): were its folds "
     r"made of other data\?"),
    (lambda X, y: [(train.astype(float), test) for train, test in StratifiedKFold(3).split(X, y)], TypeError,
     r"cv split 1's training part is not a list of row numbers \(got float64"),
    (lambda X, y: [next(StratifiedKFold(3).split(X, y))[0]], TypeError, r"cv split 1 is not a \(train, test\) pair"),
    (lambda X, y: StratifiedKFold(3).split(X, y), None, None),  # a generator: used up by the first fit
    (lambda X, y: "3", TypeError, r"cv='3' is not an int, a cross-validation splitter or a list of \(train, test\) "),
    (lambda X, y: np.array(3), TypeError, r"cv is a ndarray of no folds; give an int, a cross-validation splitter"),
    # It read "inner fold 0 tests no rows in its training part", with advice on thin training parts.
    (lambda X, y: [(np.arange(len(y)), [])] + list(StratifiedKFold(3).split(X, y))[1:], ValueError,
     r"cv=\[3 \(train, test\) pairs\]: inner fold 1 tests no rows, so it cannot score the candidates\. Give every "
     r"fold a test part, or pass an int\.$"),
])
def test_folds_given_that_cannot_be_used_are_refused_before_any_fit_naming_the_split(cv, error, message):
    X, y = _table()
    cv = cv(X, y)
    auto = AutoAugmenter(augmenter=CountingGAN(**FAST_GAN), cv=cv, random_state=0)
    CountingGAN.fits = 0
    if error is None:  # the generator's second fit finds it empty
        AutoAugmenter(methods=("random",), amounts=(0.5,), cv=cv, random_state=0).fit(X, y)
        error, message = ValueError, r"cv holds no \(train, test\) pair. A generator of folds .* pass list\(\.\.\.\)"
    with pytest.raises(error, match=message) as refused:
        auto.fit_resample(X, y)
    assert CountingGAN.fits == 0 and len(str(refused.value)) < 400


def test_a_list_of_folds_that_starves_a_class_is_named_by_its_length_not_its_rows():
    X, y = _table()
    order = np.argsort(-y, kind="stable")  # the rare rows first: an unshuffled KFold's first test fold takes them all
    X, y = X.iloc[order].reset_index(drop=True), y[order]
    with pytest.raises(ValueError, match=r"cv=\[3 \(train, test\) pairs\]: inner fold 1 keeps fewer than 2 rows of "
                                         r"class 1 in its training part") as refused:
        AutoAugmenter(methods=("random",), cv=list(KFold(3).split(X, y)), random_state=0).fit_resample(X, y)
    assert len(str(refused.value)) < 400


@pytest.mark.parametrize("splitter", [StratifiedKFold(3, shuffle=True),
                                      RepeatedStratifiedKFold(n_splits=2, n_repeats=2)])
def test_a_splitter_shuffling_without_a_seed_is_seeded_from_random_state(splitter):
    # It drew from numpy's global state: the same random_state chose from other folds each time.
    X, y = _table()
    results = [AutoAugmenter(methods=("random",), amounts=(0.5,), cv=splitter, random_state=0).fit(X, y).cv_results_
               for _ in range(2)]
    assert all(np.array_equal(results[0][key], results[1][key], equal_nan=True) for key in results[0]
               if key.startswith("split"))
    assert splitter.random_state is None  # the caller's splitter is not changed


@pytest.mark.parametrize("cv, message", [
    # More folds leave more rows in each training part (it said "fewer folds").
    (KFold(3), r"inner fold \d keeps fewer than 2 rows of class 1 in its training part.*StratifiedKFold\) with more "
               r"folds"),
    (GroupKFold(3), r"could not split the rows: .*groups"),
])
def test_a_splitter_that_starves_a_class_or_needs_groups_is_refused_before_any_fit(cv, message):
    X, y = _table()
    order = np.argsort(-y, kind="stable")  # the rare rows first: an unshuffled KFold's first test fold takes them all
    X, y = X.iloc[order].reset_index(drop=True), y[order]
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=message):
        AutoAugmenter(augmenter=CountingGAN(**FAST_GAN), cv=cv, random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0


def test_a_class_of_two_rows_is_not_sent_to_more_folds_no_splitter_can_make():
    # Whichever fold tests one of the 2 rows trains on the other alone: "more folds" never worked.
    X, y = _table()
    y = y.copy()
    y[np.flatnonzero(y == 1)[2:]] = 0
    with pytest.raises(ValueError, match=r"keeps fewer than 2 rows of class 1.*Pass an int \(cv=3\): it makes at "
                                         r"most as many stratified folds as the smallest class has rows, and the "
                                         r"methods that need 2 rows .* are left out"):
        AutoAugmenter(methods=("random",), cv=StratifiedKFold(5), random_state=0).fit_resample(X, y)
    assert AutoAugmenter(methods=("random",), cv=3, random_state=0).fit(X, y).chosen_["method"] in ("none", "random")


def test_smote_is_left_out_where_smote_nc_would_not_fit_in_memory(monkeypatch):
    # A column of IDs: SMOTE-NC's one-hot neighbours took 21.9 GB of a 23.5 GB machine, then failed
    # with numpy's bare MemoryError after the other candidates' inner folds had run.
    import gan_augment.baselines as baselines

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"id": [f"u{i:03d}" for i in range(120)], "x": rng.normal(size=120)})
    y = np.array([0] * 100 + [1] * 20)
    # The largest top-up (all of the gap, on all rows): 80 new rows x 5 neighbours, with the class's
    # own 20, x (1 number + 120 IDs) float64s: 406,560 bytes.
    monkeypatch.setattr(baselines, "physical_memory", lambda: 400_000)
    with pytest.warns(UserWarning, match=r"column 'id' holds 120 values.*to have it scored; SMOTE is left out"):
        auto = AutoAugmenter(methods=("random", "smote"), cv=2, random_state=0).fit(X, y)
    assert {params["method"] for params in auto.cv_results_["params"]} == {"none", "random"}
    with pytest.raises(ValueError, match=r"column 'id' holds 120 values.*or choose other methods="):
        AutoAugmenter(methods=("smote",), cv=2, random_state=0).fit(X, y)
    monkeypatch.setattr(baselines, "physical_memory", lambda: 2 ** 30)
    auto = AutoAugmenter(methods=("random", "smote"), cv=2, random_state=0).fit(X, y)
    assert "smote" in {params["method"] for params in auto.cv_results_["params"]}


def test_smote_is_left_out_where_a_class_is_too_small_for_it_in_the_inner_folds():
    # 2 rows: 2 inner folds, each training fold keeps one, and SMOTE interpolates between two (this
    # failed with scikit-learn's "Expected n_neighbors <= n_samples_fit" after a GAN fold was fitted,
    # then was refused outright, which left `augment --auto` unusable on tables like ecoli).
    X, y = _table()
    y = y.copy()
    y[np.flatnonzero(y == 1)[2:]] = 0
    with pytest.warns(UserWarning, match=r"Class 1 has too few rows for SMOTE inside cross-validation: with 2 inner "
                                         r"folds.*SMOTE is left out of the candidates"):
        auto = AutoAugmenter(methods=("random", "smote"), random_state=0)
        auto.fit_resample(X, y)
    assert {params["method"] for params in auto.cv_results_["params"]} == {"none", "random"}
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=r"Class 1 has too few rows for SMOTE.*Choose other methods=.*give the class "
                                         r"at least 3 rows\.$"):  # 3 rows make 3 folds (the default cv)
        AutoAugmenter(methods=("smote",), augmenter=CountingGAN(**FAST_GAN), random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0
    # With cv=2 a class of 3 rows still leaves one in a training part: it said "at least 3 rows".
    y[np.flatnonzero(y == 0)[0]] = 1
    with pytest.raises(ValueError, match=r"Choose other methods=.*, or in Python, use 3 inner folds \(cv=3\)\.$"):
        AutoAugmenter(methods=("smote",), cv=2, random_state=0).fit_resample(X, y)
    assert AutoAugmenter(methods=("smote",), cv=3, random_state=0).fit(X, y).chosen_["method"] in ("none", "smote")
    # Another class of 2 rows caps an int cv at 2 folds: 3 rows are not enough, 4 are.
    y[np.flatnonzero(y == 0)[:2]] = 2
    with pytest.raises(ValueError, match=r"give the class at least 4 rows\.$"):
        AutoAugmenter(methods=("smote",), classes=[1], random_state=0).fit_resample(X, y)
    y[np.flatnonzero(y == 0)[0]] = 1
    assert AutoAugmenter(methods=("smote",), classes=[1], random_state=0).fit(X, y).chosen_["method"] in ("none",
                                                                                                          "smote")


def test_the_gan_is_left_out_where_a_class_is_under_its_min_class_size_in_the_inner_folds():
    # 12 rows pass min_class_size=10, but each of 3 inner training folds keeps 8: the GAN would refuse
    # the class there, after the cheap candidates of the first fold were scored.
    X, y = _table()
    y = y.copy()
    y[np.flatnonzero(y == 1)[12:]] = 0
    CountingGAN.fits = 0
    gan = CountingGAN(**FAST_GAN, min_class_size=10)
    with pytest.warns(UserWarning, match=r"Class 1 has fewer rows than the augmenter's min_class_size=10 in an inner "
                                         r"training fold \(8 rows\).*The GAN is left out of the candidates; lower "
                                         r"min_class_size \(--min-class-size\), or in Python, use 6 inner folds "
                                         r"\(cv=6\) to have it scored"):
        auto = AutoAugmenter(methods=("random", "gan"), augmenter=gan, random_state=0)
        auto.fit_resample(X, y)
    assert {params["method"] for params in auto.cv_results_["params"]} == {"none", "random"}
    assert CountingGAN.fits == 0
    with pytest.raises(ValueError, match=r"min_class_size=10 .*Choose other methods= \('random', 'smote'\)"):
        AutoAugmenter(methods=("gan",), augmenter=gan, random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0
    # SMOTE left out first (a class of 2 rows keeps 1 in a training fold), then the GAN: the refusal
    # suggested methods=('random', 'smote'), and 'smote' was refused again.
    y2 = y.copy()
    y2[np.flatnonzero(y2 == 1)[2:]] = 0
    with pytest.warns(UserWarning, match="SMOTE is left out"), \
            pytest.raises(ValueError, match=r"\(1 row\), where the GAN .*Choose other methods= \('random'\), or"):
        AutoAugmenter(methods=("smote", "gan"), augmenter=CountingGAN(**FAST_GAN, min_class_size=2),
                      random_state=0).fit_resample(X, y2)
    # 5 rows and min_class_size=5: no number of folds keeps 5 for training ("use more inner folds"
    # was refused again at every cv); 8 rows in 3 folds do.
    y[np.flatnonzero(y == 1)[5:]] = 0
    with pytest.raises(ValueError, match=r"lower min_class_size \(--min-class-size\), or give the class at least 8 "
                                         r"rows\.$"):
        AutoAugmenter(methods=("gan",), augmenter=CountingGAN(**FAST_GAN, min_class_size=5),
                      random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0


def test_a_splitter_too_thin_for_the_gan_gets_advice_without_fold_counts_it_cannot_promise():
    # One split (StratifiedShuffleSplit): the advice's fold arithmetic raised a bare StopIteration; for
    # repeated or unstratified splitters it named counts of rows that were refused again.
    from sklearn.model_selection import StratifiedShuffleSplit

    X, y = _table()
    y = y.copy()
    y[np.flatnonzero(y == 1)[5:]] = 0
    CountingGAN.fits = 0
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=0.5, random_state=0)
    with pytest.warns(UserWarning, match=r"The GAN is left out of the candidates; lower min_class_size "
                                         r"\(--min-class-size\), or in Python, pass an int cv or a splitter whose "
                                         r"training parts hold more of the class to have it scored"):
        auto = AutoAugmenter(methods=("random", "gan"), augmenter=CountingGAN(**FAST_GAN, min_class_size=4),
                             cv=splitter, random_state=0).fit(X, y)
    assert auto.chosen_["method"] in ("none", "random") and CountingGAN.fits == 0
    # ... which is true: 5 folds keep 4 of the 5 rows for training.
    assert AutoAugmenter(methods=("gan",), augmenter=CountingGAN(**FAST_GAN, min_class_size=4), cv=5,
                         random_state=0).fit(X, y).chosen_["method"] in ("none", "gan")
    # 3 rows and min_class_size=3: no fold scheme keeps 3 of 3 for training, only more rows help.
    y[np.flatnonzero(y == 1)[3:]] = 0
    with pytest.raises(ValueError, match=r"or give the class more rows \(a class of n rows keeps at most n - 1 in a "
                                         r"training part, and 3 are needed\)\.$"):
        AutoAugmenter(methods=("gan",), augmenter=CountingGAN(**FAST_GAN, min_class_size=3),
                      cv=StratifiedKFold(3), random_state=0).fit(X, y)


def test_mixed_smote_names_a_class_of_one_row():
    X, y = _table()
    y = y.copy()
    y[np.flatnonzero(y == 1)[1:]] = 0
    with pytest.raises(ValueError, match=r"SMOTE cannot top up class 1: it has a single row"):
        MixedSMOTE(random_state=0).fit_resample(X, y)


def test_a_dict_key_naming_a_label_by_its_text_is_refused_with_advice_the_sampler_takes():
    # MixedSMOTE was advised to "use classes=['1']", a parameter it does not have.
    X, y = _table(rare=0.1)
    with pytest.raises(ValueError, match=r"write \{1: \.\.\.\}\.$"):
        MixedSMOTE(sampling_strategy={"1": 400}).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"write \{1: \.\.\.\}, or use classes=\['1'\], which also accepts"):
        GANAugmenter(sampling_strategy={"1": 400}, epochs=1).fit_resample(X, y)


def test_mixed_smote_keeps_real_rows_and_makes_rows_like_them():
    X, y = _table(rare=0.1)
    X["flag"] = X["b"] > 0
    X_res, y_res = MixedSMOTE(random_state=0).fit_resample(X, y)
    n_new = int((y == 0).sum() - (y == 1).sum())
    assert len(X_res) == len(X) + n_new and (y_res[len(X):] == 1).all()
    pd.testing.assert_frame_equal(X_res.iloc[:len(X)].reset_index(drop=True), X.reset_index(drop=True))
    new = X_res.iloc[len(X):]
    assert list(new.dtypes) == list(X.dtypes)
    assert set(new["colour"]) <= set(X["colour"]) and new["a"].isna().mean() < 0.2  # the class's rate: 5%
    rare = X[y == 1]
    assert new["a"].dropna().between(rare["a"].min(), rare["a"].max()).all()  # interpolated between rare rows


def test_mixed_smote_on_complete_data_is_imbalanced_learns_smote_n_and_nc_whatever_the_row_order():
    # Its categories were coded in order of first appearance (and "10" sorted before "2"), where
    # imbalanced-learn's encoders sort them: a tie of the neighbours' categories went another way,
    # and the new rows depended on the order of the rows.
    from imblearn.over_sampling import SMOTEN, SMOTENC

    rng = np.random.RandomState(0)
    y = np.array([0] * 80 + [1] * 20)
    X = pd.DataFrame({"c": rng.choice(["c", "b", "a"], 100), "many": rng.choice([f"k{i}" for i in range(12)], 100),
                      # categories listed out of order, one unused: ordered by value all the same
                      "listed": pd.Categorical(rng.choice(["y", "x", "w"], 100), categories=["y", "z", "x", "w"])})
    mixed = X.assign(x=rng.randn(100))
    for order in (np.arange(100), rng.permutation(100)):
        for frame, by_hand in ((X, SMOTEN(random_state=0)),
                               (mixed, SMOTENC(categorical_features=[0, 1, 2], random_state=0))):
            expected, _ = by_hand.fit_resample(frame.iloc[order].reset_index(drop=True), y[order])
            ours, _ = MixedSMOTE(random_state=0).fit_resample(frame.iloc[order].reset_index(drop=True), y[order])
            pd.testing.assert_frame_equal(ours, expected, check_dtype=False)


def test_mixed_smote_leaves_a_column_without_values_without_values():
    # Its new rows held the imputation's stand-ins: '(missing)' and 0.0.
    X, y = _table(rare=0.1)
    X = X.assign(note=pd.Series([None] * len(X), dtype=object), lab=np.nan)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = X_res.iloc[len(X):]
    assert new["lab"].isna().all() and all(v is None for v in new["note"])
    assert X_res.dtypes.to_dict() == X.dtypes.to_dict() and new["a"].notna().mean() > 0.8


def test_mixed_smote_gives_a_class_its_own_values_and_missing_rate():
    # Imputed over the whole table, a class missing a column everywhere got another class's median
    # and most frequent value in every new row; one missing it in most rows got none missing.
    X = pd.DataFrame({"a": [0.1, 0.5, 0.9, 1.3, 1.7, 2.1, np.nan, np.nan, np.nan],
                      "c": ["p", "q", "p", "q", "p", "q", None, None, None]})
    y = np.array(["maj"] * 6 + ["rare"] * 3)
    X_res, y_res = MixedSMOTE(random_state=0).fit_resample(X, y)
    assert len(X_res) == 12 and X_res.iloc[9:].isna().all().all()
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": np.r_[rng.normal(size=50), [5.0] * 4 + [np.nan] * 16],
                      "c": pd.array(np.r_[rng.choice(["u", "v"], 50), ["w"] * 4 + [None] * 16], dtype="string")})
    y = np.array([0] * 50 + [1] * 20)
    X_res, y_res = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = X_res.iloc[70:]
    assert len(new) == 30 and (y_res[70:] == 1).all() and X_res.dtypes.equals(X.dtypes)
    for column, value in (("a", 5.0), ("c", "w")):
        # Its own value (not class 0's), missing at about its rate of 0.8.
        assert set(new[column].dropna()) == {value} and 0.6 < new[column].isna().mean() < 0.95, column
    # A missing cell of an object column is written as the column writes it (None, not NaN), in a
    # DataFrame and in a numpy object array (read into a frame, its text column became strings).
    X["c"] = X["c"].astype(object).where(X["c"].notna(), None)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    assert X_res["c"].dtype == object and {type(v) for v in X_res["c"].iloc[70:]} == {str, type(None)}
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X.to_numpy(dtype=object), y)
    assert {type(v) for v in X_res[70:, 1]} == {str, type(None)}


def test_mixed_smote_takes_arrow_half_floats_and_null_columns():
    # Arrow float16 failed in pandas.to_numeric ("FloatingArray does not support np.float16"), an
    # all-missing null[pyarrow] column in its cast back ("Converting strings to null").
    pa = pytest.importorskip("pyarrow")
    X, y = _table(rare=0.1)
    X = X.assign(half=pd.array(X["a"].astype("float16"), dtype=pd.ArrowDtype(pa.float16())),
                 nothing=pd.array(pa.nulls(len(X)), dtype=pd.ArrowDtype(pa.null())))
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = X_res.iloc[len(X):]
    assert X_res.dtypes.to_dict() == X.dtypes.to_dict()
    assert new["nothing"].isna().all() and new["half"].notna().mean() > 0.8


@pytest.mark.parametrize("dtype", ["int64", "uint64", "int64[pyarrow]", "uint64[pyarrow]"])
def test_mixed_smote_keeps_integers_at_the_top_of_their_range_in_range(dtype):
    # Rounded in float64, a value next to 2**63 - 1 (2**64 - 1) stepped past it and wrapped round to
    # -2**63 (0); Arrow's integers refused the float outright.
    X, y = _table(rare=0.1)
    top = np.iinfo(np.dtype(dtype.split("[")[0])).max
    X["a"] = pd.Series([top - int(i % 500) for i in range(len(X))]).astype(dtype)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = [int(v) for v in X_res["a"].iloc[len(X):]]  # Python ints: pyarrow cannot compare 2**64 - 1 to one
    assert X_res["a"].dtype == X["a"].dtype
    assert min(new) >= int(X["a"].min()) and max(new) <= int(top)


def test_mixed_smote_returns_an_object_arrays_real_rows_as_given():
    # Its columns were re-typed for the interpolation and given back so: None became NaN and the
    # ints of a whole-number column floats, in the real rows too (AutoAugmenter when SMOTE won).
    rng = np.random.default_rng(0)
    X = np.array([[None if i % 5 == 0 else int(rng.integers(0, 5)), str(rng.choice(["a", "b"])), float(rng.normal())]
                  for i in range(60)], dtype=object)
    y = np.array([0] * 45 + [1] * 15)
    for sampler in (MixedSMOTE(random_state=0),
                    AutoAugmenter(methods=("smote",), amounts=(1.0,), cv=2, random_state=0)):
        X_res, y_res = sampler.fit_resample(X, y)
        assert X_res.dtype == object and X_res[:len(X)].tolist() == X.tolist()
        assert [type(v) for v in X_res[:len(X), 0]] == [type(v) for v in X[:, 0]]
        assert {type(v) for v in X_res[len(X):, 0]} <= {int, type(None)} and len(X_res) == len(y_res) == 90
        assert sum(v is None for v in X_res[len(X):, 0]) < 15  # the class's rate: one in five


def test_mixed_smote_keeps_the_text_1_and_the_number_1_apart():
    # Categories were compared by their text, so every new value of such a column came out as "1".
    X, y = _table(rare=0.1)
    X["code"] = pd.Series(["1" if i % 2 else 1 for i in range(len(X))], dtype=object)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = X_res["code"].iloc[len(X):]
    assert {type(v) for v in new} == {int, str} and set(new) <= {1, "1"}
    assert [type(v) for v in X_res["code"].iloc[:len(X)]] == [type(v) for v in X["code"]]
    # True and 1 are equal to Python: the rare rows' booleans came back as the others' ints.
    X["code"] = pd.Series([True if i % 2 else 1 for i in range(len(X))], dtype=object)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    assert {type(v) for v in X_res["code"].iloc[len(X):]} == {int, bool}
    # numpy's and Python's of one kind are one category (pandas finds them equal): the same rows.
    plain = X.assign(code=pd.Series(["ab"[i % 2] for i in range(len(X))], dtype=object))
    mixed = plain.assign(code=pd.Series([np.str_(v) if i % 3 else v for i, v in enumerate(plain["code"])],
                                        dtype=object))
    pd.testing.assert_frame_equal(MixedSMOTE(random_state=0).fit_resample(mixed, y)[0].astype({"code": object}),
                                  MixedSMOTE(random_state=0).fit_resample(plain, y)[0])


def test_mixed_smote_refuses_numbers_too_large_to_interpolate_naming_the_column():
    # Differences between rows of 1.7e308 overflowed: new rows held inf.
    X, y = _table(rare=0.1)
    X["huge"] = np.random.default_rng(0).uniform(-1, 1, len(X)) * 1.7e308
    with pytest.raises(DataValidationError, match=r"Column 'huge' holds values as large as 1.7e\+308.*SMOTE can "):
        MixedSMOTE(random_state=0).fit_resample(X, y)


def test_mixed_smote_interpolates_an_object_column_of_numbers():
    # Read as categories (dtype object), its new values were copies of real ones, where the GAN
    # and an array of the same rows model numbers.
    X, y = _table(rare=0.1)
    X["a"] = pd.Series([None if i % 10 == 0 else float(v) for i, v in enumerate(X["a"])], dtype=object)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    pd.testing.assert_series_equal(X_res["a"].iloc[:len(X)], X["a"])
    new = X_res["a"].iloc[len(X):].dropna()
    assert X_res["a"].dtype == object and all(type(v) is float for v in new)
    assert not new.isin(X["a"].dropna()).all()  # interpolated, not copied


@pytest.mark.parametrize("names", [[1, 0, 2], [5, 2, 9], [0.5, 1.5, 2.5], [True, False, None]])
def test_the_built_in_estimators_take_columns_by_position_whatever_their_names(names):
    # ColumnTransformer reads integer names as positions and booleans as a mask, and refuses float
    # names: columns named 1, 0 were swapped (numbers one-hot encoded, categories scaled), others failed.
    from gan_augment.evaluation._prep import build_estimator

    X, y = _table(n=120)
    X = X[["a", "colour", "b"]]
    for name in ("logreg", "hgb"):
        expected = build_estimator(name, X, random_state=0).fit(X, y).predict_proba(X)
        renamed = X.set_axis(names, axis=1)
        got = build_estimator(name, renamed, random_state=0).fit(renamed, y).predict_proba(renamed)
        np.testing.assert_allclose(got, expected)


def test_the_evaluator_takes_it_as_an_arm_and_it_chooses_inside_each_training_fold():
    from gan_augment import evaluate_augmentation

    X, y = _table(n=300)
    report = evaluate_augmentation(X, y, AutoAugmenter(methods=("random", "smote"), random_state=0), cv=2,
                                   repeats=1, baselines=("none",), fidelity=False, privacy=False, random_state=0)
    methods = set(report.summary["method"])
    assert "none" in methods and "AutoAugmenter" in methods


def _iris_with_a_rare_class():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    keep = np.r_[0:40, 50:100, 100:106]  # 40 / 50 / 6 rows
    return X[keep], y[keep]


def test_the_gan_tops_up_what_auto_augmenter_plans_not_its_own_defaults():
    # Only class 0 is topped up: class 2 (6 rows, 4 in a training fold) must not meet the GAN's
    # min_class_size, nor be named in its warnings.
    X, y = _iris_with_a_rare_class()
    auto = AutoAugmenter(classes=[0], methods=("gan",), amounts=(1.0,), cv=3, random_state=0,
                         augmenter=GANAugmenter(min_class_size=10, **FAST_GAN))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        X_res, y_res = auto.fit_resample(X, y)
    assert not [w for w in caught if "class 2" in str(w.message) or "class 1 " in str(w.message)], \
        [str(w.message) for w in caught]
    assert set(np.unique(y_res[len(y):])) <= {0}


def test_a_dict_strategy_is_scored_in_the_folds_at_the_balance_it_applies():
    # {2: 50} asks for 44 more rows of class 2 on all 96 rows; an inner training fold (2/3 of the
    # rows) must be topped up to about 2/3 of that, not to 50 rows beside majorities of ~33.
    X, y = _iris_with_a_rare_class()
    seen = []

    class Recording(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            seen.append(np.bincount(y, minlength=3))
            return super().fit(X, y, sample_weight)

    auto = AutoAugmenter(sampling_strategy={2: 50}, methods=("random",), amounts=(1.0,), cv=3,
                         estimator=Recording(max_iter=1000), random_state=0)
    auto.fit_resample(X, y)
    topped = [counts for counts in seen if counts[2] > 4]  # the "random" candidate of each fold
    assert len(topped) == 3
    for counts in topped:
        assert abs(counts[2] / counts[1] - 50 / 50) < 0.1, counts  # as on all the rows: 50 beside 50


def test_image_arrays_are_refused_before_any_fit():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    with pytest.raises(ValueError, match=r"X must be 2-D; got shape \(1797, 8, 8\).*image_shape"):
        AutoAugmenter(methods=("random",), random_state=0).fit_resample(X.reshape(-1, 8, 8), y)


def test_gan_candidates_count_the_gan_fit_and_ties_share_a_rank(monkeypatch):
    # A clock that moves only while the GAN fits (a ratio of real CPU times failed on a busy machine):
    # each GAN candidate's fit time holds the GAN's fit, no other candidate's does.
    import time

    from gan_augment import auto as auto_module

    clock = [0.0]
    monkeypatch.setattr(time, "process_time", lambda: clock[0])
    real_gan_rows = auto_module.AutoAugmenter._gan_rows

    def timed_gan_rows(self, *args, **kwargs):
        clock[0] += 100.0
        return real_gan_rows(self, *args, **kwargs)

    monkeypatch.setattr(auto_module.AutoAugmenter, "_gan_rows", timed_gan_rows)
    X, y = _table()
    auto = AutoAugmenter(methods=("random", "gan"), amounts=(0.5, 1.0), augmenter=GANAugmenter(**FAST_GAN), cv=3,
                         random_state=0)
    auto.fit_resample(X, y)
    results = auto.cv_results_
    methods = list(results["param_method"])
    assert all(t == 100.0 for m, t in zip(methods, results["mean_fit_time"]) if m == "gan")
    assert all(t == 0.0 for m, t in zip(methods, results["mean_fit_time"]) if m != "gan")
    ranks = results["rank_test_score"]
    from scipy.stats import rankdata

    np.testing.assert_array_equal(ranks, rankdata(-results["mean_test_score"], method="min"))


def test_tied_means_share_the_better_rank():
    from gan_augment.auto import _cv_results

    scores = np.array([[0.75, 0.25], [0.5, 0.5], [0.25, 0.25]])
    results = _cv_results([("none", 0.0), ("random", 0.5), ("random", 1.0)], scores, np.zeros((3, 2)))
    assert list(results["rank_test_score"]) == [1, 1, 3]


def test_a_gan_with_a_checkpoint_dir_is_refused_before_any_fit(tmp_path):
    # Each inner fold's GAN trained into the one folder; the second refused the first's checkpoint
    # as "other data" after a whole fit.
    X, y = _table()
    CountingGAN.fits = 0
    gan = CountingGAN(**FAST_GAN, checkpoint_dir=str(tmp_path / "ck"))
    with pytest.raises(ValueError, match=r"checkpoint_dir=.* cannot serve AutoAugmenter.*set_params\(checkpoint_dir=None\)"):
        AutoAugmenter(augmenter=gan, random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0 and not (tmp_path / "ck").exists()
    AutoAugmenter(augmenter=gan, methods=("random",), random_state=0).fit_resample(X, y)  # no GAN: no folder


def test_a_gan_whose_gate_refuses_a_class_is_left_out_of_the_choice(monkeypatch):
    # With label_gate=True, the first inner fold whose gate refused the rare class aborted the whole
    # fit_resample, where the other candidates could still be chosen.
    from gan_augment.label_gate import LabelGate

    monkeypatch.setattr(LabelGate, "serves", lambda self, index: False)
    X, y = _table()
    auto = AutoAugmenter(augmenter=GANAugmenter(**FAST_GAN, label_gate=True), random_state=0)
    with pytest.warns(LabelGateWarning, match=r"label gate \(label_gate=True\) does not serve 1: The label gate keeps "
                                              r"under 5% .*So the GAN is left out of the choice"):
        X_res, y_res = auto.fit_resample(X, y)
    results = auto.cv_results_
    is_gan = results["param_method"] == "gan"
    assert is_gan.any() and np.isnan(results["mean_test_score"][is_gan]).all()
    assert (results["rank_test_score"][is_gan] == results["rank_test_score"].max()).all()  # last
    assert auto.chosen_["method"] != "gan" and auto.augmenter_ is None
    assert len(X_res) == len(y_res) >= len(X)
    assert auto.set_params(selection="one_se").fit_resample(X, y)[0].shape[1] == X.shape[1]


def test_a_gan_chosen_whose_gate_refuses_a_class_on_all_rows_gives_way_to_the_next_best(monkeypatch):
    # Its inner fits' gates served every class, the GAN won, and the gate of its fit on all the rows
    # refused one: fit_resample raised after every fit, its choice and scores lost.
    from gan_augment import auto as auto_module

    X, y = _table()
    served = auto_module._refused_by_gate

    def refused(gan, strategy):  # the gate refuses class 1 once fitted on all the rows
        return [1] if sum(gan.class_counts_.values()) == len(y) else served(gan, strategy)

    monkeypatch.setattr(auto_module, "_refused_by_gate", refused)
    # Candidates: none, gan@1, random@1; a selection that picks the GAN whatever it is shown.
    auto = AutoAugmenter(augmenter=GANAugmenter(**FAST_GAN, label_gate=True), methods=("gan", "random"),
                         amounts=(1.0,), random_state=0, selection=lambda results: 1)
    with pytest.warns(LabelGateWarning, match=r"Fitted on all the rows the GAN's label gate \(label_gate=True\) does "
                                              r"not serve 1: .*So the best of the other candidates is used instead"):
        X_res, y_res = auto.fit_resample(X, y)
    assert not np.isnan(auto.cv_results_["mean_test_score"]).any()  # the inner scores, as measured
    assert auto.chosen_["method"] in ("none", "random") and auto.augmenter_ is None
    expected = [np.bincount(y).max()] * 2 if auto.chosen_["method"] == "random" else np.bincount(y).tolist()
    assert np.bincount(y_res).tolist() == expected and len(X_res) == len(y_res)


def _true_positive_rate(y_true, y_pred):
    return recall_score(y_true, y_pred)


class _RecallOfOne:
    def __call__(self, y_true, y_pred, pos_label=1):
        return recall_score(y_true, y_pred, pos_label=pos_label)


@pytest.mark.parametrize("scoring, n_classes, advice", [
    ("average_precision", 2, r"pos_label=1 is not a valid label.*make_scorer\(average_precision_score, "
                             r"response_method=.*'predict_proba'.*, pos_label='rare'\)\.$"),
    # The advice kept the metric of the one that failed: it offered average precision for 'f1'.
    ("f1", 2, r"pos_label=1 is not a valid label.*make_scorer\(f1_score, pos_label='rare'\)\.$"),
    # ... with the sign of a loss (without it AutoAugmenter would pick the largest) and its settings.
    ("neg_brier_score", 2, r".*make_scorer\(brier_score_loss, response_method='predict_proba', "
                           r"greater_is_better=False, pos_label='rare'\)\.$"),
    (make_scorer(fbeta_score, beta=2), 2, r".*make_scorer\(fbeta_score, beta=2, pos_label='rare'\)\.$"),
    (make_scorer(functools.partial(fbeta_score, beta=3)), 2, r".*make_scorer\(fbeta_score, beta=3, pos_label='rare'\)"),
    (make_scorer(f1_score, labels=np.array(["common", "rare"])), 2,
     r".*make_scorer\(f1_score, labels=\['common', 'rare'\], pos_label='rare'\)"),  # (it wrote array([...]))
    # A metric of the user's own: no name to write, or no pos_label to take (it was advised f1_score,
    # another metric, or a pos_label= its function refuses).
    (make_scorer(lambda y_true, y_pred, pos_label=1: f1_score(y_true, y_pred, pos_label=pos_label)), 2,
     r".*e\.g\. your metric with pos_label='rare' as its positive class\.$"),
    (make_scorer(_true_positive_rate), 2, r".*e\.g\. your metric with pos_label='rare' as its positive class\.$"),
    # A scorer of a callable instance, whose repr fails in scikit-learn: the message failed to form.
    (make_scorer(_RecallOfOne()), 2, r".*e\.g\. your metric with pos_label='rare' as its positive class\.$"),
    ("roc_auc", 3, r"multi_class.*'f1_macro' or 'roc_auc_ovr'"),
])
def test_a_scoring_that_cannot_score_the_target_fails_before_any_gan_fit(scoring, n_classes, advice):
    # It failed with scikit-learn's words after the first inner fold's GAN fit.
    X, y = _table()
    labels = np.array(["common", "rare", "other"])[: n_classes]
    y = labels[np.where(np.arange(len(y)) % 7 == 0, n_classes - 1, y)] if n_classes == 3 else labels[y]
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=rf"cannot score this target \({advice}"):
        AutoAugmenter(augmenter=CountingGAN(**FAST_GAN), scoring=scoring, random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0


@pytest.mark.parametrize("scoring", ["f1", "average_precision", make_scorer(recall_score, pos_label=1)])
def test_a_binary_score_of_a_class_not_topped_up_is_named(scoring):
    # scoring="f1" on 0/1 labels scores class 1: where 1 is the majority, AutoAugmenter chose the
    # top-up that served the majority, without a word (string labels were refused with advice).
    X, y = _table()
    with pytest.warns(UserWarning, match=r"scores class 1 as its positive class, which is not topped up here \(0 "
                                         r"is\).*e\.g\. make_scorer\((f1|average_precision|recall)_score"
                                         r".*pos_label=0\)"):
        AutoAugmenter(methods=("random",), scoring=scoring, cv=2, random_state=0).fit_resample(X, 1 - y)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*as its positive class")
        AutoAugmenter(methods=("random",), scoring=scoring, cv=2, random_state=0).fit_resample(X, y)
        AutoAugmenter(methods=("random",), scoring=make_scorer(f1_score, average="macro"), cv=2,
                      random_state=0).fit_resample(X, 1 - y)


def test_a_scoring_the_estimator_cannot_give_is_named_before_any_gan_fit():
    # sklearn's bare "LinearSVC has none of the following attributes: predict_proba".
    from sklearn.svm import LinearSVC

    X, y = _table()
    X = X[["a", "b"]].fillna(0.0)
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=r"scoring='neg_log_loss' needs what the estimator does not give "
                                         r"\(.*predict_proba.*'f1_macro'"):
        AutoAugmenter(augmenter=CountingGAN(**FAST_GAN), estimator=LinearSVC(), scoring="neg_log_loss",
                      random_state=0).fit_resample(X, y)
    assert CountingGAN.fits == 0


def test_an_estimator_that_fails_to_predict_is_not_reported_as_a_scoring_problem():
    # A category met only in an inner fold's held-out rows makes a plain OneHotEncoder fail in
    # predict; it was reported as "scoring='f1_macro' cannot score this target", with advice to
    # change the scorer.
    from sklearn.pipeline import make_pipeline as make_sklearn_pipeline
    from sklearn.preprocessing import OneHotEncoder

    X = pd.DataFrame({"c": ["a", "b"] * 29 + ["a", "z"]})
    y = np.array([0] * 48 + [1] * 12)
    estimator = make_sklearn_pipeline(OneHotEncoder(), LogisticRegression())
    with pytest.raises(ValueError, match=r"unknown categor") as raised:
        AutoAugmenter(estimator=estimator, methods=("random",), cv=2, random_state=0).fit_resample(X, y)
    assert "scoring" not in str(raised.value)


def test_an_unseeded_estimator_is_seeded_so_the_same_random_state_gives_the_same_choice():
    # RandomForestClassifier() without a seed drew a new forest per run: the choice and the scores
    # changed between two runs with random_state=0 (the built-in estimators were seeded, this not).
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.RandomState(0)
    y = np.array(["a"] * 50 + ["b"] * 12 + ["c"] * 8)
    X = rng.randn(70, 2) + (y == "b")[:, None]
    runs = [AutoAugmenter(estimator=RandomForestClassifier(n_estimators=5), methods=("random", "smote"),
                          random_state=0).fit(X, y) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].cv_results_["mean_test_score"], runs[1].cv_results_["mean_test_score"])
    assert runs[0].chosen_ == runs[1].chosen_


def test_the_inner_folds_top_up_the_classes_of_the_full_plan():
    class Counting(LogisticRegression):
        seen = []

        def fit(self, X, y):
            type(self).seen.append(dict(zip(*np.unique(y, return_counts=True))))
            return super().fit(X, y)

    rng = np.random.RandomState(0)
    # "minority": 'c' (9 rows) overall, but a fold keeping 6 of 'b' and 6 of 'c' tied, and the fold
    # topped up 'b', a class the final top-up leaves alone.
    y = np.array(["a"] * 40 + ["b"] * 10 + ["c"] * 9)
    X = rng.randn(len(y), 2)
    auto = AutoAugmenter(sampling_strategy="minority", estimator=Counting(), methods=("random",), amounts=(1.0,),
                         random_state=0).fit(X, y)
    assert auto.sampling_strategy_ == {"c": 31}
    topped = [counts for counts in Counting.seen if counts["c"] > 20]  # the folds' top-ups of 'c'
    assert len(topped) == 3 and all(counts["b"] < 10 for counts in Counting.seen)
    # A share of the majority that the data meets, but a fold alone would not (imbalanced-learn
    # then refused: "The specified ratio required to remove samples from the minority class").
    y = np.array(["a"] * 20 + ["b"] * 8)
    X = rng.randn(len(y), 2)
    auto = AutoAugmenter(sampling_strategy=0.5, methods=("random",), random_state=0).fit(X, y)
    assert np.isfinite(auto.cv_results_["mean_test_score"]).all()


def test_a_scoring_that_needs_every_class_in_a_test_fold_says_the_fold_lacks_one():
    y = np.array(["a"] * 50 + ["b"] * 12 + ["c"] * 3)
    X = np.random.RandomState(0).randn(65, 2)
    with pytest.raises(ValueError, match=r"cannot score inner fold \d .*test rows hold 2 of 3 classes\. Use fewer "
                                         r"inner folds"):
        AutoAugmenter(scoring="roc_auc_ovr", cv=StratifiedKFold(5, shuffle=True, random_state=0),
                      methods=("random",), random_state=0).fit(X, y)


@pytest.mark.parametrize("returned", [{"f1": 0.5, "accuracy": 0.7}, np.array([0.5, 0.7]), "0.5"])
def test_a_scoring_that_returns_anything_but_one_number_is_refused(returned):
    X, y = _table(n=120, rare=0.2)
    with pytest.raises(ValueError, match=r"returned .*; it must return one number"):
        AutoAugmenter(scoring=lambda estimator, X, y: returned, methods=("random",), random_state=0).fit(X, y)


def test_the_output_index_does_not_depend_on_the_candidate_chosen():
    X, y = _table(n=120, rare=0.2)
    X.index = X.index + 1000
    indexes = []
    for chosen in (0, 1):  # none, then random
        X_res, _ = AutoAugmenter(methods=("random",), selection=lambda results, i=chosen: i,
                                 random_state=0).fit_resample(X, y)
        indexes.append(X_res.index[:len(X)])
    assert indexes[0].equals(indexes[1]) and indexes[0].equals(pd.RangeIndex(len(X)))


@pytest.mark.parametrize("make", ["auto_none", "smote_balanced"])
def test_nothing_added_still_returns_copies_with_a_fresh_index(make):
    # X and y came back as the caller's own objects: scaling the result scaled the caller's data
    # (imbalanced-learn's samplers return copies), and MixedSMOTE kept the frame's own index.
    X, y = _table(n=120, rare=0.2)
    if make == "smote_balanced":
        y = np.arange(len(y)) % 2
        sampler = MixedSMOTE(random_state=0)
    else:
        sampler = AutoAugmenter(methods=("random",), selection=lambda results: 0, random_state=0)
    for given in (X.set_axis([f"r{i}" for i in range(len(X))]), X[["a", "b"]].to_numpy()):
        before, y_before = given.copy(), y.copy()
        X_res, y_res = sampler.fit_resample(given, y)
        assert len(X_res) == len(given)
        if isinstance(given, pd.DataFrame):
            assert X_res.index.equals(pd.RangeIndex(len(given)))
            X_res.iloc[0, 0] = -999.0
            pd.testing.assert_frame_equal(given, before)
        else:
            X_res[0, 0] = -999.0
            np.testing.assert_array_equal(given, before)
        y_res[0] = 7
        np.testing.assert_array_equal(y, y_before)


def test_a_scoring_that_returns_a_zero_dimensional_array_is_one_number():
    from sklearn.metrics import f1_score

    X, y = _table(n=120, rare=0.2)
    as_array = AutoAugmenter(scoring=lambda est, X, y: np.asarray(f1_score(y, est.predict(X), average="macro")),
                             methods=("random",), random_state=0).fit(X, y)
    plain = AutoAugmenter(scoring="f1_macro", methods=("random",), random_state=0).fit(X, y)
    np.testing.assert_allclose(as_array.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"])


def test_mixed_smote_keeps_an_object_column_of_whole_numbers_whole():
    # Interpolated counts came back as 3.261388 beside the real ints (an int64 column is rounded).
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=30),
                      "count": pd.Series([int(v) for v in rng.integers(0, 9, 30)], dtype=object),
                      "colour": rng.choice(["red", "blue"], 30)})
    y = np.array([1] * 5 + [0] * 25)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = X_res["count"].iloc[30:]
    assert X_res["count"].dtype == object and len(new) == 20
    assert all(type(v) is int and 0 <= v <= 8 for v in new), new.tolist()


def test_mixed_smote_gives_a_column_of_decimals_decimals():
    import decimal

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=30), "colour": rng.choice(["red", "blue"], 30),
                      "amount": pd.Series([decimal.Decimal(f"{v:.3f}") for v in rng.uniform(0, 9, 30)], dtype=object)})
    y = np.array([1] * 5 + [0] * 25)
    X_res, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = X_res["amount"].iloc[30:]
    assert len(new) == 20 and all(type(v) is decimal.Decimal and v.as_tuple().exponent == -3 for v in new)
    rare = X["amount"].iloc[:5]
    assert all(rare.min() <= v <= rare.max() for v in new)  # between rows of the class, as SMOTE interpolates
    assert not set(new) <= set(rare)  # interpolated as numbers, not picked as categories


@pytest.mark.parametrize("estimator", ["logreg", "hgb"])
def test_auto_augmenter_works_under_sklearns_pandas_output(estimator):
    # sklearn.set_config(transform_output="pandas") made the built-in logreg's one-hot encoder and
    # imbalanced-learn's SMOTE-NC refuse their sparse output, naming an encoder the user never made.
    import sklearn

    X, y = _table(rare=0.15)
    plain = AutoAugmenter(estimator=estimator, methods=("random", "smote"), cv=2, random_state=0).fit(X, y)
    with sklearn.config_context(transform_output="pandas"):
        under_pandas = AutoAugmenter(estimator=estimator, methods=("random", "smote"), cv=2, random_state=0).fit(X, y)
    assert under_pandas.chosen_ == plain.chosen_
    np.testing.assert_array_equal(under_pandas.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"])


def test_tags_say_what_the_scoring_estimator_takes():
    # The candidates are scored by fitting the estimator on inner folds: NaN or text that it refuses
    # fails there, yet AutoAugmenter(estimator=LogisticRegression()) declared both as taken (and so
    # did an AugmentedClassifier around it).
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.utils import get_tags

    from gan_augment import AugmentedClassifier

    def takes(sampler):
        tags = get_tags(sampler).input_tags
        return tags.allow_nan, tags.string

    assert takes(AutoAugmenter()) == (True, True)  # the built-in estimators impute and one-hot encode
    assert takes(AutoAugmenter(estimator="hgb")) == (True, True)
    assert takes(AutoAugmenter(estimator=LogisticRegression())) == (False, False)
    assert takes(AutoAugmenter(estimator=HistGradientBoostingClassifier())) == (True, False)
    assert takes(AutoAugmenter(augmenter=MixedSMOTE())) == takes(MixedSMOTE())
    wrapped = AugmentedClassifier(HistGradientBoostingClassifier(), AutoAugmenter(estimator=LogisticRegression()))
    assert not get_tags(wrapped).input_tags.allow_nan


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_groups_for_a_splitter_are_refused_before_work_with_what_works(method):
    # TypeError: AutoAugmenter._fit_resample() got an unexpected keyword argument 'groups'.
    from sklearn.datasets import make_classification
    from sklearn.model_selection import GroupKFold

    X, y = make_classification(120, 3, n_informative=3, n_redundant=0, weights=[0.8, 0.2], random_state=1)
    auto = AutoAugmenter(methods=("random",), cv=GroupKFold(3), random_state=0)
    refused = (rf"AutoAugmenter\.{method} takes X and y only; got groups=\. .*pass its folds instead, "
               r"cv=list\(GroupKFold")
    with pytest.raises(TypeError, match=refused):
        getattr(auto, method)(X, y, groups=np.arange(120) % 3)
    assert not hasattr(auto, "cv_results_")
    with pytest.raises(TypeError, match=r"MixedSMOTE\.fit_resample takes X and y only; got weights=\.$"):
        MixedSMOTE().fit_resample(X, y, weights=np.ones(120))


def test_inner_smote_takes_the_categories_of_the_whole_table(monkeypatch):
    # The inner fold whose training rows missed the one text code interpolated the codes.
    rng = np.random.RandomState(0)
    codes = pd.Series([int(v) for v in rng.choice([10, 20, 30, 40], 100)], dtype=object)
    codes[3] = "?"
    X, y = pd.DataFrame({"a": rng.randn(100), "code": codes}), np.array(["maj"] * 80 + ["rare"] * 20)
    added, original = [], MixedSMOTE._fit_resample

    def recording(self, X_fold, y_fold):
        X_out, y_out = original(self, X_fold, y_fold)
        added.extend(X_out["code"].iloc[len(X_fold):])
        return X_out, y_out

    monkeypatch.setattr(MixedSMOTE, "_fit_resample", recording)
    AutoAugmenter(methods=("smote",), amounts=(1.0,), random_state=0).fit_resample(X, y)
    assert added and set(added) <= {10, 20, 30, 40, "?"}


def test_inner_smote_takes_a_column_missing_in_a_fold_as_the_table_does():
    # A mostly missing number column held no value in some fold's training rows, and the full
    # table's categories (none) made SMOTE refuse it as text.
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    y = np.array([0] * 70 + [1] * 20)
    mostly_missing = pd.Series([None] * 90, dtype=object)
    mostly_missing[3], mostly_missing[5] = 1.5, 2.5
    X = pd.DataFrame({"a": rng.randn(90), "m": mostly_missing, "b": rng.randn(90) + y})
    auto = AutoAugmenter(methods=("smote",), estimator=DecisionTreeClassifier(random_state=0), cv=3, random_state=0)
    auto.fit_resample(X, y)
    assert np.isfinite(auto.cv_results_["mean_test_score"]).all()
    with pytest.raises(ValueError, match="categorical_features names 'zz'"):  # whether or not rows are added
        MixedSMOTE(categorical_features=["zz"], sampling_strategy={1: 20}).fit_resample(X[["a", "b"]], y)
    unchanged = MixedSMOTE(categorical_features=np.array([]), sampling_strategy={1: 20}).fit_resample(X, y)[0]
    assert unchanged.equals(X)  # nothing added: no column kind is judged


def test_a_data_warning_of_the_inner_folds_is_not_said_again_by_the_winners_fit():
    # An ID column was warned of by the inner folds, then again by the GAN's final fit on all of X.
    X, y = _table(n=150)
    X = X.assign(id=np.arange(len(X)))
    gan = GANAugmenter(epochs=1, generator_dims=(16,), discriminator_dims=(16,), batch_size=64, label_gate=False,
                       n_threads=1)
    auto = AutoAugmenter(augmenter=gan, methods=("gan",), amounts=(1.0,), cv=2, selection=lambda results: 1,
                         random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        auto.fit_resample(X, y)
    said = [str(w.message) for w in caught if "'id'" in str(w.message)]
    assert auto.chosen_["method"] == "gan" and len(said) == 1 and "(in 2 of 2 inner folds)" in said[0], said



def test_what_the_winners_fit_said_before_it_failed_is_not_lost():
    # Recorded to leave out what the inner folds said, its warnings went with the failure.
    class Failing(GANAugmenter):
        def fit(self, X, y, **params):
            if len(X) > 100:  # the final fit, on all of X
                warnings.warn("the disk is nearly full", UserWarning)
                raise OSError("No space left on device")
            return super().fit(X, y, **params)

    X, y = _table(n=150)
    gan = Failing(epochs=1, generator_dims=(16,), discriminator_dims=(16,), batch_size=64, label_gate=False,
                  n_threads=1)
    auto = AutoAugmenter(augmenter=gan, methods=("gan",), amounts=(1.0,), cv=2, selection=lambda results: 1,
                         random_state=0)
    with pytest.warns(UserWarning, match="the disk is nearly full"), pytest.raises(OSError, match="No space left"):
        auto.fit_resample(X, y)


class KindRecordingGAN(GANAugmenter):
    """Records how each fit's encoder modelled column "code" (class attribute: clones share it)."""

    kinds = []

    def _fit_gan(self, X, y, **kwargs):
        fitted = super()._fit_gan(X, y, **kwargs)
        type(self).kinds.append(next(spec["kind"] for spec in self.encoder_.columns_ if spec["name"] == "code"))
        return fitted


def test_inner_fold_gans_take_the_whole_tables_categorical_columns():
    # A code column of numbers and one text code: in a fold without the text code the GAN read it as
    # numbers and made codes no row has, while SMOTE was given the whole table's categories.
    from gan_augment import evaluate_augmentation

    rng = np.random.default_rng(0)
    code = pd.Series(rng.choice(np.arange(0, 300, 7), 240), dtype=object)
    code[0] = "A"
    X, y = pd.DataFrame({"code": code, "x": rng.normal(size=240)}), np.array([0] * 200 + [1] * 40)
    KindRecordingGAN.kinds = []
    AutoAugmenter(augmenter=KindRecordingGAN(**FAST_GAN), methods=("gan",), amounts=(1.0,), cv=2,
                  random_state=0).fit_resample(X, y)
    assert len(KindRecordingGAN.kinds) >= 2 and set(KindRecordingGAN.kinds) == {"categorical"}
    KindRecordingGAN.kinds = []
    evaluate_augmentation(X, y, KindRecordingGAN(**FAST_GAN), cv=2, baselines=(), random_state=0)
    assert len(KindRecordingGAN.kinds) >= 2 and set(KindRecordingGAN.kinds) == {"categorical"}



def test_fold_gans_still_give_the_advice_for_an_id_like_column():
    # Every text column was named categorical for the folds' GANs, and a column named so skips the
    # "an ID?" advice: the evaluator and AutoAugmenter no longer gave it.
    from gan_augment import evaluate_augmentation

    rng = np.random.default_rng(0)
    y = np.array([0] * 160 + [1] * 40)
    X = pd.DataFrame({"x": rng.normal(size=200) + y, "uid": [f"u{i:05d}" for i in rng.permutation(200)]})
    with pytest.warns(UserWarning, match="'uid' holds a different text in every row"):
        evaluate_augmentation(X, y, GANAugmenter(**FAST_GAN), cv=2, baselines=(), random_state=0)



def test_the_evaluator_gives_mixed_smote_every_categorical_column_of_the_table():
    # Told only of the column its fold made numbers, MixedSMOTE (whose list names every categorical
    # column) refused the text column beside it.
    from gan_augment import evaluate_augmentation

    rng = np.random.default_rng(0)
    y = np.where(np.arange(200) < 160, "maj", "min")
    code = np.array([1, 2, 3] * 67, dtype=object)[:200]
    code[5] = "A7"
    X = pd.DataFrame({"num": rng.normal(size=200), "colour": rng.choice(["red", "blue"], 200), "code": code})
    report = evaluate_augmentation(X, y, MixedSMOTE(random_state=0), cv=3, baselines=(), random_state=0)
    assert (report.folds["method"] == "MixedSMOTE").sum() == 9 and (report.folds["n_added"] > 0).any()  # 3 x 3 folds


def test_columns_the_gan_is_told_are_categories_are_categories_for_smote_and_the_classifier():
    # A code written as numbers: the GAN picked codes, while the SMOTE candidate interpolated them
    # (zips no row has) and the logistic regression scaled them as a number.
    X, y = _table()
    codes = np.array([10115, 20095, 80331, 50667, 12345])
    X = X.drop(columns="colour").assign(zip=np.random.default_rng(1).choice(codes, len(X)))
    auto = AutoAugmenter(methods=("smote",), amounts=(1.0,), selection=lambda results: 1, cv=3, random_state=0,
                         augmenter=GANAugmenter(categorical_features=["zip"]))
    X_res, _ = auto.fit_resample(X, y)
    assert auto.chosen_["method"] == "smote" and len(X_res) > len(X)
    assert set(X_res["zip"]) <= set(codes)
    prep = auto._estimator(X, 0).named_steps["prep"]
    assert [columns for name, _, columns in prep.transformers if name == "cat"] == [[X.columns.get_loc("zip")]]


def test_random_oversampling_repeats_a_table_s_rows_exactly():
    # imbalanced-learn's RandomOverSampler stacks the rows into float64 and casts them back: an id of
    # 2**63 - 1 came back -2**63 and one of 2**53 + 1 as 2**53, in the real rows and the repeats.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=120),
                      "id": np.r_[np.int64(2**63 - 1), np.arange(119, dtype=np.int64) + 2**53 + 1]})
    y = np.array(["a"] * 30 + ["b"] * 90)
    X_res, y_res = AutoAugmenter(estimator="logreg", methods=("random",), amounts=(1.0,), cv=2,
                                 random_state=0).fit_resample(X, y)
    assert len(X_res) == 180 and X_res.iloc[:120].equals(X) and X_res.dtypes.equals(X.dtypes)
    added = X_res.iloc[120:]
    assert added["id"].isin(X["id"][:30]).all() and (y_res[120:] == "a").all()
    assert added.merge(X.iloc[:30], how="left", indicator=True)["_merge"].eq("both").all()  # whole rows repeated


def test_a_scoring_that_fails_on_a_later_fold_fails_before_any_gan_is_trained():
    # The cheap candidates are scored on every fold first: folds 4 and 5 lack class "c" among their
    # test rows, and the refusal came after the GANs of folds 1-3 had trained.
    y = np.array(["a"] * 120 + ["b"] * 30 + ["c"] * 3)
    X = pd.DataFrame(np.random.RandomState(0).randn(len(y), 2), columns=["u", "v"])
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=r"cannot score inner fold [45] .*hold 2 of 3 classes"):
        AutoAugmenter(scoring="roc_auc_ovr", cv=StratifiedKFold(5, shuffle=True, random_state=0), methods=("gan",),
                      augmenter=CountingGAN(**FAST_GAN), random_state=0).fit(X, y)
    assert CountingGAN.fits == 0


def test_two_passes_score_every_candidate_as_one_pass_did():
    # The GAN's candidates are scored after the others on every fold; each candidate's draws come
    # from its fold and index, so the scores are those of scoring each fold's candidates in turn.
    X, y = _table(n=160, rare=0.15)
    auto = AutoAugmenter(methods=("random", "gan"), amounts=(0.5, 1.0), augmenter=GANAugmenter(**FAST_GAN), cv=2,
                         random_state=0).fit(X, y)
    alone = AutoAugmenter(methods=("random",), amounts=(0.5, 1.0), cv=2, random_state=0).fit(X, y)
    for k in range(2):
        np.testing.assert_array_equal(auto.cv_results_[f"split{k}_test_score"][:3],
                                      alone.cv_results_[f"split{k}_test_score"])
        assert np.isfinite(auto.cv_results_[f"split{k}_test_score"][3:]).all()
    assert (auto.cv_results_["mean_fit_time"][3:] > 0).all()


@pytest.mark.parametrize("scoring, suggested",
                         [("macro_f1", "'f1_macro'"), ("pr_auc", "make_scorer(average_precision")])
def test_the_evaluators_metric_names_as_scoring_are_named_with_their_scikit_learn_spelling(scoring, suggested):
    X, y = _table(n=120, rare=0.2)
    with pytest.raises(ValueError, match=rf"scoring='{scoring}' is a metric name of the evaluator .*"
                                         rf"{re.escape(suggested)}"):
        AutoAugmenter(scoring=scoring, methods=("random",), random_state=0).fit(X, y)


@pytest.mark.parametrize("scoring", ["r2", "neg_mean_absolute_percentage_error", "neg_max_error"])
def test_a_regression_scoring_is_refused_before_any_fold(scoring):
    X, y = _table(n=120, rare=0.2)
    CountingGAN.fits = 0
    with pytest.raises(ValueError, match=r"is a regression metric \(\w+\); AutoAugmenter scores classifiers"):
        AutoAugmenter(scoring=scoring, augmenter=CountingGAN(**FAST_GAN), random_state=0).fit(X, y.astype(bool))
    assert CountingGAN.fits == 0


def test_a_metric_passed_where_a_scorer_is_called_is_told_to_wrap_it():
    X, y = _table(n=120, rare=0.2)
    with pytest.raises(TypeError, match=r"A callable scoring takes \(estimator, X, y\); wrap a metric .*make_scorer"):
        AutoAugmenter(scoring=lambda y_true, y_pred: 0.0, methods=("random",), random_state=0).fit(X, y)


def test_a_scorer_failure_that_is_no_positive_class_matter_is_not_told_to_name_one():
    X, y = _table(n=120, rare=0.2)
    with pytest.raises(ValueError, match=r"cannot score this target .*choose one for two classes, e.g. 'f1_macro'") \
            as caught:
        AutoAugmenter(scoring=make_scorer(f1_score, average="bogus"), methods=("random",), random_state=0).fit(X, y)
    assert "pos_label" not in str(caught.value)


def test_a_score_undefined_without_a_top_up_says_so_not_that_the_fold_lacks_a_class():
    # Every class is among the test rows; the precision of a class never predicted is NaN here.
    X, y = _table(n=200, rare=0.2)
    scorer = make_scorer(precision_score, zero_division=np.nan)
    with pytest.raises(ValueError, match=r"even without a top-up: the scoring is undefined for what the estimator "
                                         r"predicts") as caught:
        AutoAugmenter(scoring=scorer, estimator=DummyClassifier(), methods=("random",), cv=2,
                      random_state=0).fit(X[["a", "b"]].fillna(0), y)
    assert "fewer inner folds" not in str(caught.value)


def test_a_candidate_without_a_score_is_named_in_a_warning():
    X, y = _table(n=200, rare=0.2)

    def undefined_once_balanced(estimator, X, y):  # NaN for a model fitted on balanced classes
        return np.nan if estimator.class_prior_.min() > 0.4 else 0.5

    with pytest.warns(UserWarning, match=r"gave no score \(NaN\) for random at 100% on inner folds 1, 2: such a "
                                         r"candidate ranks last"):
        auto = AutoAugmenter(scoring=undefined_once_balanced, estimator=DummyClassifier(), methods=("random",),
                             amounts=(0.25, 1.0), cv=2, random_state=0).fit(X[["a", "b"]].fillna(0), y)
    assert auto.chosen_["amount"] != 1.0


@pytest.mark.parametrize("scoring", ["positive_likelihood_ratio", "neg_negative_likelihood_ratio"])
def test_a_likelihood_ratio_of_the_class_not_topped_up_is_warned_of(scoring):
    # They measure the second sorted label, here the majority 1, and said nothing.
    X, y = _table(n=120, rare=0.8)  # 0 is the rarer class
    with pytest.warns(UserWarning, match=r"scores class 1 as its positive class, which is not topped up here \(0 "
                                         r"is\).*class_likelihood_ratios\(y_true, y_pred, labels=\[1, 0\]\)"):
        AutoAugmenter(scoring=scoring, methods=("random",), random_state=0).fit(X, y)
