"""The single owners of shared knowledge: the kind registry, the top-up planner, the image-layout
rules and the seed helper."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.utils import check_sampling_strategy
from sklearn.utils import check_random_state

from gan_augment._random import SEED_MAX, check_seed, derive_seed, spawn_seeds
from gan_augment.data import layout
from gan_augment.exceptions import DataValidationError
from gan_augment.kinds import KINDS, DataKind, kind_for_input, kind_named
from gan_augment.planner import majority_class, plan_top_up


# ================================================================ kinds
@pytest.mark.parametrize("X, params, expected", [
    (np.zeros((4, 3)), {}, "tabular"),
    (np.zeros((4, 64)), {"image_shape": (1, 8, 8)}, "image"),
    (np.zeros((4, 8, 8)), {}, "image"),
    (np.zeros((4, 8, 8, 3)), {}, "image"),
    ([[1, 2], [3, 4]], {}, "tabular"),
])
def test_the_registry_picks_the_kind_of_the_input(X, params, expected):
    assert kind_for_input(X, params).name == expected


def test_kinds_are_found_by_name_and_survive_pickling():
    for kind in KINDS:
        assert kind_named(kind.name) is kind
        assert pickle.loads(pickle.dumps(kind)) == kind
    assert kind_named("image") != kind_named("tabular")
    with pytest.raises(ValueError, match="Unknown data kind 'audio'"):
        kind_named("audio")


def test_every_registered_kind_implements_the_protocol():
    required = ["recognises", "check_input", "fit_codec", "decode", "codec_from_dict", "augment_policy",
                "build_generator", "build_discriminator", "describe"]
    for kind in KINDS:
        for name in required:
            assert getattr(type(kind), name) is not getattr(DataKind, name), f"{kind.name} lacks {name}"
        assert kind.unit and kind.model_config_class is not None


# ================================================================ planner
@pytest.mark.parametrize("y", [
    np.array([0, 0, 1, 1, 2]),              # a tie for the majority
    np.array(["b", "b", "a", "a", "c", "c", "d"]),
    np.array([3, 3, 3, 1, 2, 2]),
])
def test_the_plan_and_the_majority_follow_imbalanced_learn(y):
    expected = {k.item() if hasattr(k, "item") else k: v
                for k, v in check_sampling_strategy("auto", y, "over-sampling").items()}
    assert plan_top_up(y) == expected
    majority = majority_class(y)
    assert majority not in expected  # "auto" tops up every class but imbalanced-learn's majority


def test_classes_are_named_by_label_or_text_and_topped_up_to_the_majority():
    y = np.array([0, 0, 0, 0, 1, 1, 2])
    assert plan_top_up(y, classes=["1", 2]) == {1: 2, 2: 3}
    assert plan_top_up(y, classes=1) == {1: 2}
    with pytest.raises(ValueError, match="not both"):
        plan_top_up(y, sampling_strategy="minority", classes=[1])
    with pytest.raises(ValueError, match="Unknown class 7"):
        plan_top_up(y, classes=[7])
    # A float target column (1.0 / 2.0 in a CSV) is named the way its values are counted: "2".
    floats = np.array([1.0] * 4 + [2.0] * 2 + [2.5])
    assert plan_top_up(floats, classes=["2", "2.5"]) == {2.0: 2, 2.5: 3}
    with pytest.raises(ValueError, match="Unknown class '3'"):
        plan_top_up(floats, classes=["3"])
    # A zero-padded code is named by its text only: "1" is not "01"; other text by its value too.
    assert plan_top_up(np.array(["1.0"] * 3 + ["2.0"]), classes=["2"]) == {"2.0": 2}
    codes = np.array(["01"] * 4 + ["02"] * 2 + ["10"])
    assert plan_top_up(codes, classes=["02", "10"]) == {"02": 2, "10": 3}
    with pytest.raises(ValueError, match=r"Unknown class '1'; the classes are \['01', '02', '10'\]"):
        plan_top_up(codes, classes=["1"])
    with pytest.raises(ValueError, match=r"Unknown class 5; the classes are \[0, 1, 2\]"):
        plan_top_up(y, classes=[5])
    flags = np.array([True] * 3 + [False])
    with pytest.raises(ValueError, match="Unknown class '0'"):  # a boolean is named by a boolean (or its text)
        plan_top_up(flags, classes=["0"])


def test_a_ratio_the_data_already_meets_is_refused_with_the_counts_and_the_least_ratio_that_adds():
    # imbalanced-learn's words named neither the parameter nor the counts ("Please increase the ratio").
    y = np.array(["A"] * 120 + ["R"] * 80)
    with pytest.raises(ValueError, match=r"^sampling_strategy=0\.5 asks for 0\.5 rows of the minority class per row of "
                                         r"the majority, and y has 0\.667 already \(class 'R': 80 rows, class 'A': "
                                         r"120\): a top-up adds rows, so give a ratio of at least 0\.675 \(1\.0 "
                                         r"balances the classes\)\.$"):
        plan_top_up(y, 0.5)
    assert plan_top_up(y, 0.675) == {"R": 1}
    with pytest.raises(ValueError, match=r"y has 1 already \(class 'A': 5 rows, class 'B': 5\): the classes are "
                                         r"balanced, and no ratio adds a row\.$"):
        plan_top_up(np.array(["A"] * 5 + ["B"] * 5), 0.9)
    with pytest.raises(ValueError, match="can be a float only when the type of target is binary"):  # as imblearn says
        plan_top_up(np.array([0, 0, 1, 2]), 0.5)
    for ratio in (float("inf"), float("nan"), 1.5):  # inf and NaN failed in int() (OverflowError, bare ValueError)
        with pytest.raises(ValueError, match=r"a float is the ratio of rows of the minority class .* in \(0, 1\]"):
            plan_top_up(y, ratio)
    # The samplers' fit_resample: imbalanced-learn checks the strategy before any hook of theirs.
    from gan_augment.baselines import MixedSMOTE

    rows = pd.DataFrame({"a": np.arange(200.0)})
    with pytest.raises(ValueError, match=r"^sampling_strategy=0\.3 asks for 0\.3 rows .*at least 0\.675"):
        MixedSMOTE(sampling_strategy=0.3).fit_resample(rows, y)
    one_hot = np.column_stack([y == "A", y == "R"]).astype(int)  # its columns are the classes
    with pytest.raises(ValueError, match=r"^sampling_strategy=0\.3 asks for 0\.3 rows .*\(class 1: 80 rows, class 0: "
                                         r"120\)"):
        MixedSMOTE(sampling_strategy=0.3).fit_resample(rows, one_hot)
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError):  # out of (0, 1]: scikit-learn's validation says so first, as before
        MixedSMOTE(sampling_strategy=1.5).fit_resample(rows, y)


@pytest.mark.parametrize("y", [np.array([0, 0, 0, 1]), np.array(["a", "a", "a", "b"]), np.array([True] * 3 + [False])])
def test_a_list_or_array_of_one_label_names_no_class_whatever_the_label_type(y):
    # np.int64(1) == [1] is array([True]): [1] named the int class 1, while ['b'] and [False] were refused.
    from gan_augment._classes import resolve_class

    classes, label = list(np.unique(y)), y[-1]
    for value in ([label], np.array([label]), (label,), [[label], [label, label]]):
        with pytest.raises(ValueError, match=r"a class is one label, not a list or array of them"):
            resolve_class(value, classes)
        with pytest.raises(ValueError, match=r"a class is one label"):
            plan_top_up(y, classes=[value])
    assert resolve_class(np.array(label), classes) == label  # a 0-d array holds one label
    with pytest.raises(ValueError) as long:  # its start is shown, not 300 labels
        resolve_class(np.repeat(y[-1:], 300), classes)
    assert len(str(long.value)) < 200 and ", ...]: a class is one label" in str(long.value)


def test_classes_given_as_a_dict_of_counts_is_refused_with_the_fix():
    # Its keys were read as the classes and its counts dropped: every class topped up to the majority.
    y = np.array([0] * 40 + [1] * 15 + [2] * 5)
    with pytest.raises(ValueError, match=r"classes=\{2: 10\} is a dict.*pass sampling_strategy=\{2: 10\} instead"):
        plan_top_up(y, classes={2: 10})
    from torch.utils.data import TensorDataset

    from gan_augment import AugmentedDataset, GANAugmenter
    base = TensorDataset(torch.zeros(len(y), 2), torch.from_numpy(y))
    with pytest.raises(ValueError, match=r"is a dict"):
        AugmentedDataset(base, GANAugmenter(epochs=1), classes={2: 10})


def test_a_dict_key_that_is_only_a_labels_text_is_refused_with_the_fix():
    y = np.array([0, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"names the class '1', but the label is 1 \(int\)"):
        plan_top_up(y, {"1": 2})
    assert plan_top_up(y, {1: 4}) == {1: 2}


def test_a_dict_keyed_by_a_python_bool_names_a_boolean_label_and_only_that():
    # {True: n} was refused for a boolean target ("names the class True, but the label is True").
    flags = np.array([False] * 4 + [True] * 2)
    assert plan_top_up(flags, {True: 4}) == {True: 2}
    assert plan_top_up(pd.Series(flags, dtype="boolean"), {True: 4}) == {True: 2}
    with pytest.raises(ValueError, match="Unknown class 1"):  # True == 1 in Python; a label's kind counts
        plan_top_up(flags, {1: 4})
    with pytest.raises(ValueError, match="Unknown class True"):
        plan_top_up(np.array([0] * 4 + [1] * 2), {True: 4})


# ================================================================ layout
@pytest.mark.parametrize("layout_name, shape", [
    ("flat", (5, 3 * 4 * 6)), ("nhw", (5, 4, 6)), ("nhwc", (5, 4, 6, 3)), ("nchw", (5, 3, 4, 6)),
])
def test_every_batch_layout_round_trips_through_nchw(layout_name, shape):
    image_shape = (1, 4, 6) if layout_name == "nhw" else (3, 4, 6)
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    found, found_shape = layout.infer_layout(shape, image_shape if layout_name == "flat" else None)
    assert (found, found_shape) == (layout_name, image_shape)
    nchw = layout.to_nchw(x, found, found_shape)
    assert nchw.shape == (5, *image_shape)
    np.testing.assert_array_equal(layout.from_nchw(nchw, found), x)
    # torch tensors follow the same rules
    torch.testing.assert_close(layout.to_nchw(torch.from_numpy(x), found, found_shape), torch.from_numpy(nchw))


def test_ambiguous_items_follow_their_containers_order():
    assert layout.infer_item_layout((3, 8, 3), channel_first=True) == "chw"  # torch: channel-first
    assert layout.infer_item_layout((3, 8, 3), channel_first=False) == "hwc"  # numpy / PIL: channel-last
    assert layout.infer_item_layout((8, 8), channel_first=True) == "hw"
    assert layout.infer_item_layout((10,), channel_first=False) == "row"
    assert layout.infer_item_layout((5, 8, 8), channel_first=True) is None
    assert layout.item_image_shape("hwc", (8, 6, 3)) == (3, 8, 6)


def test_layout_errors_say_what_to_do():
    with pytest.raises(DataValidationError, match="image_shape=\\(C, H, W\\)"):
        layout.infer_layout((5, 64))
    with pytest.raises(DataValidationError, match="1 or 3 channels"):
        layout.infer_layout((5, 8, 8, 5))
    with pytest.raises(ValueError, match="C = 1 or 3"):
        layout.check_image_shape((2, 8, 8))


# ================================================================ seeds
def test_seeds_from_every_form_of_random_state():
    assert check_seed(7) == 7
    assert check_seed(np.random.RandomState(0)) == np.random.RandomState(0).randint(SEED_MAX)
    assert check_seed(np.random.default_rng(0)) == np.random.default_rng(0).integers(SEED_MAX)
    assert 0 <= check_seed(None) < SEED_MAX
    # None draws from numpy's global random state, as spawn_seeds (GANAugmenter) and scikit-learn do.
    np.random.seed(3)
    drawn = check_seed(None), spawn_seeds(None, 2)
    np.random.seed(3)
    assert (check_seed(None), spawn_seeds(None, 2)) == drawn
    assert spawn_seeds(5, 3) == list(check_random_state(5).randint(SEED_MAX, size=3))
    assert derive_seed(1, 2) == derive_seed(1, 2) != derive_seed(2, 1)


@pytest.mark.parametrize("bad", [True, "0", 1.5, -1, 2**32])
def test_bad_seeds_name_the_parameter(bad):
    with pytest.raises((TypeError, ValueError), match="seed_param"):
        check_seed(bad, name="seed_param")


def test_a_bool_seed_is_refused_without_advising_what_the_estimators_refuse():
    # The advice listed "a numpy Generator", which GANAugmenter's own random_state then refused.
    from gan_augment import GANAugmenter

    for bad in (True, False):
        with pytest.raises(TypeError, match=r"^random_state=(True|False) is a bool; give a whole-number seed") as info:
            GANAugmenter(random_state=bad, epochs=1).fit(np.random.default_rng(0).normal(size=(20, 2)), [0, 1] * 10)
        assert "Generator" not in str(info.value)


#: A table GAN fitted for a few steps: the placement tests look at counts, not at the rows.
TINY_FIT = dict(epochs=1, batch_size=16, generator_dims=(16,), discriminator_dims=(16,), n_threads=1, random_state=0)


def test_in_every_class_gives_every_class_as_many_synthetic_rows_as_the_largest_top_up():
    from sklearn.base import clone

    from gan_augment import GANAugmenter, InEveryClass

    y = np.array(["a"] * 50 + ["b"] * 10 + ["c"] * 5)
    # Wanted counts, as imbalanced-learn's callables return them: the plan's top-ups, and as many for the rest.
    assert InEveryClass()(y) == {"a": 95, "b": 55, "c": 50}
    assert plan_top_up(y, InEveryClass()) == {"a": 45, "b": 45, "c": 45}
    assert plan_top_up(y, InEveryClass(classes="b")) == {"a": 40, "b": 40, "c": 40}
    assert plan_top_up(y, InEveryClass(sampling_strategy={"b": 20})) == {"a": 10, "b": 10, "c": 10}
    # A named class at the majority count gets the placement's rows: no "nothing will be added" for it.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plan_top_up(y, InEveryClass(classes=["a", "c"])) == {"a": 45, "b": 45, "c": 45}
    # Nothing to add anywhere: nothing added to the others either.
    balanced = np.repeat([0, 1], 10)
    with pytest.warns(UserWarning, match="nothing will be added"):
        assert plan_top_up(balanced, InEveryClass(classes=[1])) == {0: 0, 1: 0}
    with pytest.raises(ValueError, match="not both"):
        InEveryClass(sampling_strategy="minority", classes=["c"])(y)
    with pytest.raises(ValueError, match="'d'"):
        InEveryClass(classes=["d"])(y)
    strategy = InEveryClass(classes=["c"])
    assert repr(strategy) == "InEveryClass(classes=['c'])"
    assert pickle.loads(pickle.dumps(strategy)) == strategy != InEveryClass()
    augmenter = GANAugmenter(sampling_strategy=strategy)
    assert clone(augmenter).get_params()["sampling_strategy"] == strategy


def test_in_every_class_tops_every_class_up_through_the_sampler_and_the_torch_door():
    from gan_augment import AugmentedDataset, GANAugmenter, InEveryClass

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (40, 3)), rng.normal(5, 1, (12, 3))]).astype(np.float32)
    y = np.repeat([0, 1], [40, 12])
    augmenter = GANAugmenter(sampling_strategy=InEveryClass(), **TINY_FIT)
    X_res, y_res = augmenter.fit_resample(X, y)
    assert augmenter.sampling_strategy_ == {0: 28, 1: 28}
    np.testing.assert_array_equal(X_res[:52], X)
    assert np.bincount(y_res[52:]).tolist() == [28, 28]
    dataset = AugmentedDataset(torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                               augmenter=GANAugmenter(**TINY_FIT), sampling_strategy=InEveryClass(classes=[1]))
    assert dataset.sampling_strategy_ == {0: 28, 1: 28}
    assert np.bincount([int(dataset[i][1]) for i in range(52, len(dataset))]).tolist() == [28, 28]


def test_in_every_class_is_saved_with_the_model_and_a_class_of_that_name_still_is_a_class(tmp_path):
    import warnings

    from gan_augment import GANAugmenter, InEveryClass

    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (48, 3))
    y = np.repeat(["in_every_class", "b", "c"], [30, 10, 8])
    for strategy in (InEveryClass(classes=["c"]), InEveryClass(sampling_strategy={"b": 20}),
                     {"in_every_class": 30, "b": 12, "c": 9}):
        augmenter = GANAugmenter(sampling_strategy=strategy, **TINY_FIT).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a callable is "not saved": this one is
            augmenter.save(tmp_path / "model", overwrite=True)
        loaded = GANAugmenter.load(tmp_path / "model")
        assert loaded.get_params()["sampling_strategy"] == strategy
        assert loaded.sampling_strategy_ == augmenter.sampling_strategy_


def test_in_every_class_plans_date_labels_and_refuses_a_nested_placement():
    from gan_augment import InEveryClass

    # imbalanced-learn compares the keys with y's own values: a datetime64[D] label's plain value
    # (datetime.date) was no key of them ("target class is/are not present in the data").
    y = np.array(["2020-01-01"] * 6 + ["2021-01-01"] * 2 + ["2022-01-01"], dtype="datetime64[D]")
    assert sorted(plan_top_up(y, InEveryClass()).values()) == [5, 5, 5]
    # Every class gets the largest top-up, the named ones too.
    labels = np.array(["a"] * 10 + ["b"] * 6 + ["c"] * 2)
    assert plan_top_up(labels, InEveryClass(classes=["b", "c"])) == {"a": 8, "b": 8, "c": 8}
    with pytest.raises(ValueError, match=r"InEveryClass\(sampling_strategy=InEveryClass\(\)\) .* InEveryClass\(\)"):
        plan_top_up(labels, InEveryClass(InEveryClass()))


def test_saving_in_every_class_says_what_loads_and_a_set_of_classes_is_saved(tmp_path):
    from gan_augment import GANAugmenter, InEveryClass

    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (40, 2))
    y = np.repeat(["a", "b", "c"], [24, 10, 6])
    augmenter = GANAugmenter(sampling_strategy=InEveryClass(lambda labels: {"c": 12}), **TINY_FIT).fit(X, y)
    with pytest.warns(UserWarning, match=r"the loaded model's sampling_strategy is InEveryClass\(\)"):
        augmenter.save(tmp_path / "callable")
    assert GANAugmenter.load(tmp_path / "callable").sampling_strategy == InEveryClass()
    # A set of classes trained and then failed to save ("Object of type set is not JSON serializable").
    for strategy, classes in ((InEveryClass(classes={"c"}), None), ("auto", frozenset({"b", "c"}))):
        GANAugmenter(sampling_strategy=strategy, classes=classes, **TINY_FIT).fit(X, y).save(tmp_path / "set")
        loaded = GANAugmenter.load(tmp_path / "set")
        assert loaded.sampling_strategy == (InEveryClass(classes=["c"]) if classes is None else "auto")
        assert loaded.classes == (None if classes is None else ["b", "c"])


def test_a_class_too_small_for_min_class_size_that_in_every_class_adds_to_is_named_with_a_way_out():
    from gan_augment import GANAugmenter, InEveryClass
    from gan_augment.exceptions import DataValidationError

    X = np.random.default_rng(0).normal(0, 1, (40, 2))
    y = np.repeat(["a", "b", "c"], [24, 10, 6])
    # 'c' was never named: "leave it out of the top-up" was no way out.
    with pytest.raises(DataValidationError, match=r"Class 'c' has 6 real rows, fewer than min_class_size 8; "
                                                  r"InEveryClass adds to every class: collect more, lower "
                                                  r"min_class_size, or leave the class out of the data\."):
        GANAugmenter(sampling_strategy=InEveryClass(classes=["b"]), min_class_size=8).fit(X, y)
