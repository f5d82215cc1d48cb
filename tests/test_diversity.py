"""The mode-collapse check (gan_augment.diversity): collapsed samples are named, healthy ones are not."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris

from gan_augment import GANAugmenter, ModeCollapseWarning
from gan_augment.diversity import ClassDiversity, measure_class
from gan_augment.kinds import kind_named

pytestmark = pytest.mark.usefixtures("quick_row_judge")


def test_copies_of_one_sample_are_collapsed():
    real = np.random.default_rng(0).normal(size=(50, 4))
    diversity = measure_class(real, np.tile(real[0], (500, 1)))
    assert diversity.collapsed
    assert diversity.distinct_synthetic == 1 and diversity.spread < 1e-9
    assert diversity.coverage < 0.5  # one point lies in the neighbourhoods of few real samples


def test_samples_from_the_real_distribution_are_not_collapsed():
    rng = np.random.default_rng(0)
    diversity = measure_class(rng.normal(size=(200, 4)), rng.normal(size=(500, 4)))
    assert not diversity.collapsed
    assert diversity.distinct == 1.0 and 0.8 < diversity.spread < 1.2 and diversity.coverage > 0.8


def test_distinct_is_measured_against_what_the_real_class_allows():
    real = np.repeat(np.eye(3), [10, 5, 1], axis=0)  # 16 rows, 3 distinct values
    # Drawing 500 rows from these gives all 3 values: synthetic rows that do the same are as varied.
    assert measure_class(real, np.tile(np.eye(3), (167, 1))[:500]).distinct == 1.0
    two = measure_class(real, np.tile(np.eye(3)[:2], (250, 1)))
    assert two.distinct == pytest.approx(2 / 3, abs=0.01) and not two.collapsed


def test_a_class_of_one_sample_has_no_spread_and_is_not_called_collapsed():
    diversity = measure_class(np.ones((1, 3)), np.random.default_rng(0).normal(size=(500, 3)))
    assert math.isnan(diversity.spread) and math.isnan(diversity.coverage) and not diversity.collapsed
    saved = diversity.to_dict()
    assert saved["spread"] is None  # strict JSON in model.json
    again = ClassDiversity.from_dict(saved)
    assert math.isnan(again.spread) and again.distinct == diversity.distinct


def test_table_features_put_numbers_categories_and_missing_cells_on_one_scale():
    real = pd.DataFrame({"x": [1.0, 2.0, np.nan, 4.0], "c": ["u", "v", None, "u"]})
    synthetic = pd.DataFrame({"x": [2.0, 2.0], "c": ["w", "u"]})
    a, b, groups = kind_named("tabular").diversity_features(None, real, synthetic)
    # x: a missing flag and the standardised value; c: one-hot over u, v, w and missing.
    assert a.shape == (4, 6) and b.shape == (2, 6)
    assert groups.tolist() == [0, 1, 2, 2, 2, 2]  # the flag, the value, and c's four columns as one feature
    assert np.allclose(a[:, 1].mean(), 0) and a[2, 0] == 1 and b[0, 0] == 0
    assert b[0].sum() == pytest.approx(b[0, 1] + 1)  # exactly one category set ('w')


def test_a_category_given_as_dummy_columns_is_one_feature_as_the_codec_models_it():
    # Each dummy was a number of its own: a class whose rare values were not yet made read as collapsed
    # (spread 0.00 and a ModeCollapseWarning, where the same rows as one column read 1.16).
    rng = np.random.default_rng(0)
    values = [f"v{i}" for i in range(12)]
    real_values = rng.choice(values, 300, p=np.r_[np.full(3, 0.2), np.full(9, 0.4 / 9)])
    made_values = rng.choice(values[:3], 300)  # the common values only: not a collapse

    def table(categories, seed):
        numbers = pd.DataFrame({"x": np.random.default_rng(seed).normal(size=300)})
        dummies = pd.get_dummies(pd.Series(pd.Categorical(categories, categories=values)), prefix="c").astype(int)
        return numbers.assign(c=categories), pd.concat([numbers, dummies], axis=1)

    (real_one, real_dummies), (made_one, made_dummies) = table(real_values, 1), table(made_values, 2)
    kind = kind_named("tabular")
    from gan_augment.data.tabular import TabularEncoder

    codec = TabularEncoder().fit(real_dummies)
    assert codec.groups_ == [list(range(1, 13))]
    a, b, groups = kind.diversity_features(codec, real_dummies, made_dummies)
    assert len(set(groups.tolist())) == 2  # x, and the twelve dummies as one
    as_dummies = measure_class(a, b, groups)
    as_column = measure_class(*kind.diversity_features(None, real_one, made_one))
    assert as_dummies.spread == pytest.approx(as_column.spread) and as_dummies.spread > 0.5
    assert as_dummies.coverage == pytest.approx(as_column.coverage)


def test_an_object_column_of_numbers_is_compared_as_numbers():
    # As object columns (as the GAN models them: numbers), every value was its own category:
    # samples piled at 30 read coverage 1.0 and spread 1.0 against real rows at 3 +- 1.
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(3, 1, 200), "z": rng.normal(3, 1, 200)})
    piled = pd.DataFrame({"x": rng.normal(30, 0.01, 500), "z": rng.normal(30, 0.01, 500)})
    kind = kind_named("tabular")
    as_floats = measure_class(*kind.diversity_features(None, real, piled)[:2])
    as_objects = measure_class(*kind.diversity_features(None, real.astype(object), piled.astype(object))[:2])
    assert as_objects.collapsed and as_objects.coverage == as_floats.coverage == 0.0
    assert as_objects.spread == pytest.approx(as_floats.spread)


def test_a_category_of_many_values_counts_as_one_feature_in_the_spread():
    # A generator that makes a 60-value category's 6 commonest values, and numbers as varied as the
    # real ones, has not collapsed. Counted per one-hot column, the 54 values it never made would
    # each read as a feature of spread 0 and outvote the two numbers: spread 0, "collapsed".
    rng = np.random.default_rng(0)
    values = [f"v{i}" for i in range(60)]
    weights = np.r_[np.full(6, 0.1), np.full(54, 0.4 / 54)]
    real = pd.DataFrame({"x": rng.normal(size=400), "z": rng.normal(size=400),
                         "c": rng.choice(values, size=400, p=weights)})
    made = pd.DataFrame({"x": rng.normal(size=500), "z": rng.normal(size=500), "c": rng.choice(values[:6], size=500)})
    real_features, made_features, groups = kind_named("tabular").diversity_features(None, real, made)
    assert real_features.shape[1] > 50 and len(np.unique(groups)) == 3
    assert not measure_class(real_features, made_features, groups).collapsed
    assert measure_class(real_features, made_features).collapsed  # the same columns, each its own feature
    # The category's own std is the root of its Gini impurity: a category made as one value is 0.
    one_value = made.assign(c="v0", x=0.0, z=0.0)
    assert measure_class(real_features, kind_named("tabular").diversity_features(None, real, one_value)[1],
                         groups).collapsed


def test_collapsed_images_are_named_by_their_pixels():
    from gan_augment.data.images import ImageCodec

    rng = np.random.default_rng(0)
    real = rng.integers(0, 256, size=(40, 16, 16), dtype=np.uint8)
    codec = ImageCodec().fit(real)
    one_picture = np.clip(real[0].astype(int) + rng.integers(-4, 5, size=(500, 16, 16)), 0, 255).astype(np.uint8)
    kind = kind_named("image")
    collapsed = measure_class(*kind.diversity_features(codec, real, one_picture))
    varied = measure_class(*kind.diversity_features(codec, real, rng.integers(0, 256, size=(500, 16, 16),
                                                                               dtype=np.uint8)))
    # Each noisy copy is distinct: the spread is what gives the collapse away.
    assert collapsed.collapsed and collapsed.distinct == 1.0 and collapsed.spread < 0.1
    assert not varied.collapsed and varied.spread > 0.9


def test_a_collapsed_gan_is_named_recorded_and_shown_by_info(tmp_path, capsys):
    X, y = load_iris(return_X_y=True, as_frame=True)
    # A learning rate of 1 for G drives every row of every class onto one or two points within 10
    # epochs (which, depends on the thread count "auto" picks: results are exact per thread count).
    with pytest.warns(ModeCollapseWarning, match=r"class 0: [12] distinct of 500 synthetic rows, spread 0.00.*class 2:"):
        augmenter = GANAugmenter(epochs=10, lr_g=1.0, random_state=0).fit(X, y)
    assert set(augmenter.diversity_) == {0, 1, 2}
    assert all(d.collapsed and d.distinct_synthetic <= 2 for d in augmenter.diversity_.values())
    augmenter.save(tmp_path / "model")
    assert GANAugmenter.load(tmp_path / "model").diversity_ == augmenter.diversity_

    from gan_augment.cli.main import main

    assert main(["info", str(tmp_path / "model")]) == 0
    out = capsys.readouterr().out
    assert len(re.findall(r"COLLAPSED: [12] distinct rows", out)) == 3


def test_the_collapse_warning_advises_topping_up_only_classes_that_are_topped_up():
    # A collapsed majority class (nothing added to it) was told to be "topped up with" its real rows.
    from gan_augment.diversity import warn_if_collapsed

    collapsed = measure_class(np.random.default_rng(0).normal(size=(40, 3)), np.zeros((500, 3)))
    healthy = measure_class(*(np.random.default_rng(seed).normal(size=(n, 3)) for seed, n in ((0, 40), (1, 500))))
    assert collapsed.collapsed and not healthy.collapsed
    with pytest.warns(ModeCollapseWarning) as said:
        warn_if_collapsed({"common": collapsed, "rare": healthy}, "rows", "SMOTE", topped_up={"rare"})
    [message] = [str(w.message) for w in said]
    assert "class 'common'" in message and "top" not in message.split("near copies")[1]
    with pytest.warns(ModeCollapseWarning) as said:
        warn_if_collapsed({"common": collapsed, "rare": collapsed}, "rows", "SMOTE", topped_up={"rare"})
    [message] = [str(w.message) for w in said]
    assert "or top class 'rare' up with SMOTE" in message
    with pytest.warns(ModeCollapseWarning, match="or top this class up with SMOTE"):
        warn_if_collapsed({"rare": collapsed}, "rows", "SMOTE", topped_up={"rare"})


def test_a_healthy_fit_is_not_called_collapsed_and_the_check_is_seeded():
    X, y = load_iris(return_X_y=True, as_frame=True)
    keep = np.r_[0:50, 50:100, 100:115]
    X, y = X.iloc[keep], y.iloc[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModeCollapseWarning)
        first = GANAugmenter(epochs=30, random_state=0).fit(X, y)
    second = GANAugmenter(epochs=30, random_state=0).fit(X, y)
    assert first.diversity_ == second.diversity_
    assert not any(d.collapsed for d in first.diversity_.values())
    assert first.diversity_[2].n_real == 15 and first.diversity_[2].n_synthetic == 500


def test_relative_coverage_is_calibrated_on_a_real_split_and_warns_for_thin_classes():
    from gan_augment import LowCoverageWarning
    from gan_augment.diversity import warn_if_undercovered

    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    fresh = measure_class(real, rng.normal(size=(500, 4)))
    half_the_modes = measure_class(real, np.abs(rng.normal(size=(500, 4))))
    assert 0.8 < fresh.relative_coverage < 1.2 and not fresh.undercovered
    assert half_the_modes.relative_coverage < 0.5 and half_the_modes.undercovered
    assert math.isnan(measure_class(real[:19], real[:19]).relative_coverage)  # too few to calibrate
    with pytest.warns(LowCoverageWarning, match=r"class 'thin': 0\.\d\d of what as many real rows cover"):
        warn_if_undercovered({"thin": half_the_modes, "fine": fresh}, "rows", "SMOTE")
    # The advice names the commands whose flags it gives (evaluate has no --generators), and an
    # ensemble only where the estimator can be one (a translator cannot: it refused the advice).
    with pytest.warns(LowCoverageWarning, match=r"--generators 3 of fit and augment.*`gan-augment info` of a saved "
                                                r"model"):
        warn_if_undercovered({"thin": half_the_modes}, "rows", "SMOTE")
    with pytest.warns(LowCoverageWarning) as caught:
        warn_if_undercovered({"thin": half_the_modes}, "images", "repeats", ensemble=False)
    assert "generators" not in str(caught[0].message) and "Train longer (epochs=, --epochs), or top" in str(
        caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_undercovered({"fine": fresh}, "rows", "SMOTE")


def test_the_low_coverage_warning_of_folds_with_other_figures_says_what_holds_in_each_once():
    # Said once for the folds of `evaluate`, it read "(class 'malignant': a share of what as many real
    # rows cover ...)" and pointed to diversity_, which no fold's augmenter leaves the user.
    from gan_augment import LowCoverageWarning
    from gan_augment._warnings import recording, say_once
    from gan_augment.diversity import warn_if_undercovered

    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    thin = [measure_class(real, np.abs(rng.normal(size=(500, 4))) + shift) for shift in (0.0, 0.3)]
    assert thin[0].relative_coverage != thin[1].relative_coverage and all(d.undercovered for d in thin)
    folds = [recording(warn_if_undercovered, {"a": d, 2: d}, "rows", "SMOTE")[1] for d in thin]
    with pytest.warns(LowCoverageWarning) as said:
        say_once(folds)
    text = str(said[0].message)
    assert len(said) == 1 and text.startswith("The synthetic rows cover little of their class (classes 'a', 2: each "
                                              "under 0.5 of what as many real rows cover; 0.5 or more is healthy)")
    assert "diversity_" not in text and text.endswith("or top these classes up with SMOTE. (in 2 of 2 folds)")


def test_figures_just_below_a_threshold_read_below_it_in_warnings():
    # "0.50 of what as many real rows cover; 0.5 or more is healthy" and "spread 0.25" of a class
    # called collapsed for a spread below 0.25: the figures were rounded onto the bound.
    from gan_augment import LowCoverageWarning, ModeCollapseWarning
    from gan_augment.diversity import ClassDiversity, shown_below, warn_if_collapsed, warn_if_undercovered

    assert shown_below(0.4975, 0.5) == "0.497" and shown_below(0.2496, 0.25) == "0.2496"
    assert shown_below(0.5, 0.5) == "0.50" and shown_below(0.4949, 0.5) == "0.49" and shown_below(0.7, 0.5) == "0.70"
    assert shown_below(float("nan"), 0.5) == "nan"
    thin = ClassDiversity(n_real=400, n_synthetic=500, distinct_synthetic=500, distinct=1.0, spread=0.5, coverage=0.5,
                          relative_coverage=0.4975)
    with pytest.warns(LowCoverageWarning, match=r"class 'rare': 0\.497 of what"):
        warn_if_undercovered({"rare": thin}, "rows", "SMOTE")
    narrow = ClassDiversity(n_real=400, n_synthetic=500, distinct_synthetic=500, distinct=1.0, spread=0.2496,
                            coverage=0.5, relative_coverage=0.9)
    with pytest.warns(ModeCollapseWarning, match=r"spread 0\.2496 of the real"):
        warn_if_collapsed({"rare": narrow}, "rows", "SMOTE")


def test_repeated_real_rows_do_not_lower_coverage():
    # A class whose rows each appear 12 times: their 5-NN balls had radius 0, so samples from a
    # generator that matched it read coverage 0 and relative coverage 0.28 (a LowCoverageWarning).
    rng = np.random.default_rng(0)
    real = rng.normal(size=(60, 2))
    matched = real[rng.integers(0, 60, 500)] + rng.normal(scale=0.05, size=(500, 2))
    once, repeated = measure_class(real, matched), measure_class(np.repeat(real, 12, axis=0), matched)
    assert repeated.coverage == once.coverage > 0.9
    assert repeated.relative_coverage > 0.9


def test_an_image_fit_advises_repeating_real_images_not_smote():
    # 8x8 digits, one epoch: the rare digit's images cover nothing of it yet. The advice is the
    # image baseline (repeat + classic augmentation), not the tables' SMOTE.
    from sklearn.datasets import load_digits

    from gan_augment import LowCoverageWarning

    X, y = load_digits(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0)[:60], np.flatnonzero(y == 7)[:30]]
    with pytest.warns(LowCoverageWarning, match="class 7") as caught:
        GANAugmenter(image_shape=(1, 8, 8), epochs=1, random_state=0).fit(X[keep], y[keep])
    advice = " ".join(str(w.message) for w in caught if issubclass(w.category, LowCoverageWarning))
    assert "repeated under classic augmentation (ClassicOversampler in gan_augment.baselines" in advice
    assert "SMOTE" not in advice


def test_an_ensemble_is_not_told_to_try_an_ensemble():
    from gan_augment import LowCoverageWarning

    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 4))
    X[200:] += 3 * rng.normal(size=(1, 4))  # the rare class apart from the common one
    y = np.r_[np.zeros(200, int), np.ones(40, int)]
    with pytest.warns(LowCoverageWarning, match="class 1") as caught:
        GANAugmenter(epochs=1, n_generators=3, n_threads=1, random_state=0).fit(X, y)
    advice = " ".join(str(w.message) for w in caught if issubclass(w.category, LowCoverageWarning))
    assert "Train longer" in advice and "ensemble" not in advice


def test_codes_declared_categorical_are_compared_as_categories():
    # Three code columns of 0, 1 and a rare 1000, declared categorical: read as numbers, synthetic
    # rows that had not yet made the rare code read as collapsed (spread 0.005).
    rng = np.random.default_rng(0)
    codes = {name: rng.choice([0, 1, 1000], 300, p=[0.49, 0.49, 0.02]) for name in ("c1", "c2", "c3")}
    X = pd.DataFrame(codes | {"x": rng.normal(size=300)})
    y = np.r_[np.zeros(200, int), np.ones(100, int)]
    model = GANAugmenter(categorical_features=["c1", "c2", "c3"], epochs=1, random_state=0, n_threads=1,
                         label_gate=False).fit(X, y)
    real = X[y == 1]
    common_only = real.assign(**{name: rng.choice([0, 1], len(real)) for name in ("c1", "c2", "c3")})
    real_features, _, groups = model.kind_.diversity_features(model.encoder_, real, real)
    assert groups.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]  # each code column one feature of 3 values
    diversity = measure_class(*model.kind_.diversity_features(model.encoder_, real, common_only))
    assert diversity.spread > 0.9 and not diversity.collapsed
