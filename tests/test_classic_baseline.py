"""The "classic" baseline for images (gan_augment.baselines.ClassicOversampler): the rare images
repeated, each repeat moved by albumentations; and the evaluator running it where rows are images."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

from gan_augment import GANAugmenter, evaluate_augmentation
from gan_augment.baselines import ClassicOversampler


def _digits(rare_count=10):
    X, y = load_digits(return_X_y=True)  # 8x8 pixels in 0..16, as float64 rows
    keep = np.r_[np.flatnonzero((y < 3) & (y != 2)), np.flatnonzero(y == 2)[:rare_count]]
    return X[keep], y[keep]


def test_repeats_are_moved_copies_of_real_images_of_their_class():
    X, y = _digits()
    X_res, y_res = ClassicOversampler((1, 8, 8), random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [182, 182, 182]  # every class topped up to the majority
    assert np.array_equal(X_res[:len(X)], X) and np.array_equal(y_res[:len(y)], y)  # the real rows, unchanged
    added, added_labels = X_res[len(X):], y_res[len(y):]
    assert added.dtype == X.dtype and added.min() >= 0 and added.max() <= 16
    # Each added image is nearest (among the real images) to a real image of its own class ...
    distances = ((added[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    assert (y[distances.argmin(axis=1)] == added_labels).mean() > 0.95
    # ... and most are moved: not a copy of any real image (80% of repeats are transformed).
    moved = distances.min(axis=1) > 0
    assert 0.6 < moved.mean() < 0.95, moved.mean()


def test_the_same_random_state_gives_the_same_images_and_frames_keep_their_columns():
    X, y = _digits()
    first, _ = ClassicOversampler((1, 8, 8), random_state=3).fit_resample(X, y)
    again, _ = ClassicOversampler((1, 8, 8), random_state=3).fit_resample(X, y)
    other, _ = ClassicOversampler((1, 8, 8), random_state=4).fit_resample(X, y)
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    frame = pd.DataFrame(X.astype(np.uint8), columns=[f"p{i}" for i in range(64)])
    out, _ = ClassicOversampler((1, 8, 8), random_state=3).fit_resample(frame, y)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(frame.columns)
    assert (out.dtypes == np.uint8).all() and out.iloc[:len(frame)].equals(frame)


def test_it_is_a_step_of_an_imbalanced_learn_pipeline_and_takes_its_own_augmentation():
    # A parameter named "transform" made imblearn take it for a transformer-and-sampler and refuse it.
    import albumentations as A
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    X, y = _digits()
    model = make_pipeline(ClassicOversampler((1, 8, 8), random_state=0), LogisticRegression(max_iter=500)).fit(X, y)
    assert model.score(X, y) > 0.9
    flipped, _ = ClassicOversampler((1, 8, 8), augmentation=A.HorizontalFlip(p=1.0)).fit_resample(X, y)
    mirrored = X.reshape(-1, 8, 8)[:, :, ::-1].reshape(len(X), 64)
    added = flipped[len(X):]
    assert all((mirrored == row).all(axis=1).any() for row in added)  # each repeat is a mirrored real image


@pytest.mark.parametrize("augmentation", ["transform", "list"])
def test_its_own_augmentation_survives_cloning_in_cross_validation(augmentation):
    # An albumentations transform has a get_params() that takes no deep=: sklearn's clone called it,
    # so cross-validation, searches, AugmentedClassifier and the evaluator failed with a TypeError.
    import albumentations as A
    from imblearn.pipeline import make_pipeline
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    X, y = _digits()
    flip = A.HorizontalFlip(p=1.0)
    sampler = ClassicOversampler((1, 8, 8), augmentation=flip if augmentation == "transform" else [flip],
                                 random_state=0)
    copy = clone(sampler)
    assert copy.augmentation is not sampler.augmentation and type(copy.augmentation) is type(sampler.augmentation)
    assert copy.get_params(deep=False).keys() == sampler.get_params(deep=False).keys()
    first, _ = sampler.fit_resample(X, y)
    again, _ = copy.fit_resample(X, y)
    assert np.array_equal(first, again)  # the same augmentation and seed: the same repeats
    scores = cross_val_score(make_pipeline(sampler, LogisticRegression(max_iter=300)), X, y, cv=2)
    assert scores.min() > 0.8


def test_a_wrong_image_shape_is_named():
    X, y = _digits()
    with pytest.raises(ValueError, match=r"image_shape=\(1, 4, 4\) holds 16 pixels, but the rows of X have 64"):
        ClassicOversampler((1, 4, 4)).fit_resample(X, y)


def test_its_tags_say_what_it_takes():
    # It said it took sparse input (imbalanced-learn's default) and refused it.
    from scipy import sparse
    from sklearn.utils import get_tags

    tags = get_tags(ClassicOversampler((1, 8, 8)))
    assert not tags.input_tags.sparse and not tags.input_tags.allow_nan and not tags.sampler_tags.sample_indices
    X, y = _digits()
    with pytest.raises(TypeError, match="does not accept sparse input"):
        ClassicOversampler((1, 8, 8)).fit_resample(sparse.csr_matrix(X), y)


def test_images_it_cannot_repeat_faithfully_are_refused_before_any_work():
    import albumentations as A

    X, y = _digits()
    # An (N, H, W) array failed in scikit-learn's check ("Found array with dim 3").
    with pytest.raises(ValueError, match=r"X has shape \(\d+, 8, 8\). Flatten it first: X.reshape\(len\(X\), -1\)"):
        ClassicOversampler((1, 8, 8)).fit_resample(X.reshape(-1, 8, 8), y)
    # A NaN pixel was carried into the repeats of its image.
    holed = X.copy()
    holed[-1, 5] = np.nan
    with pytest.raises(ValueError, match="X holds 1 NaN or infinite pixel values"):
        ClassicOversampler((1, 8, 8)).fit_resample(holed, y)
    # A crop made numpy's "cannot reshape array of size 36 into shape (8,8,1)".
    with pytest.raises(ValueError, match=r"augmentation= turned a 8x8x1 image into one of shape \(6, 6(, 1)?\)"):
        ClassicOversampler((1, 8, 8), augmentation=A.RandomCrop(6, 6)).fit_resample(X, y)


def test_boolean_images_are_repeated_without_thickening():
    # A blend cast to bool made every nonzero pixel True: 29% of real pixels on, 69% of the repeats'.
    X, y = _digits()
    masks = X > 8
    X_res, _ = ClassicOversampler((1, 8, 8), random_state=0).fit_resample(masks, y)
    added = X_res[len(masks):]
    assert X_res.dtype == bool
    assert abs(added.mean() - masks[y == 2].mean()) < 0.05, (added.mean(), masks[y == 2].mean())


def test_the_evaluator_runs_classic_for_images_and_refuses_it_for_tables():
    X, y = _digits()
    plan_only = dict(cv=2, repeats=1, random_state=0, fidelity=False, privacy=False)
    report = evaluate_augmentation(X, y, GANAugmenter(image_shape=(1, 8, 8), epochs=1, random_state=0),
                                   classes=[2], baselines=("random", "classic"), **plan_only)
    assert "repeat + classic augmentation" in report.settings["methods"]
    table = X[:, :5]
    with pytest.raises(ValueError, match="baseline 'classic' repeats images.*not images"):
        evaluate_augmentation(table, y, GANAugmenter(epochs=1), classes=[2], baselines=("classic",), **plan_only)


def test_an_augmentation_that_is_no_albumentations_transform_is_refused_naming_augmentation():
    # The adapter's message named "transform", a parameter ClassicOversampler does not have.
    X, y = _digits()
    with pytest.raises(TypeError, match=r"augmentation= must be an albumentations Compose, transform, or list of "
                                        r"transforms; got function"):
        ClassicOversampler((1, 8, 8), augmentation=lambda image: image).fit_resample(X, y)
    # An item that is no transform failed inside albumentations: "'int' object has no attribute 'available_keys'".
    with pytest.raises(TypeError, match=r"augmentation= must list albumentations transforms; it holds a int: 3"):
        ClassicOversampler((1, 8, 8), augmentation=[3]).fit_resample(X, y)


def test_an_augmentation_that_changes_the_pixels_scale_or_container_is_refused_naming_augmentation():
    # ToTensorV2's (C, H, W) tensor was read channel-last (every colour repeat scrambled), and the
    # floats of Normalize were rounded back into uint8: repeats of 0..3 beside real rows of 0..255.
    A = pytest.importorskip("albumentations")
    from albumentations.pytorch import ToTensorV2

    X = np.random.default_rng(0).integers(0, 256, (8, 60)).astype(np.uint8)
    y = np.array([0] * 6 + [1] * 2)
    with pytest.raises(ValueError, match=r"augmentation= holds ToTensorV2, which put the images on another scale"):
        ClassicOversampler((3, 4, 5), augmentation=[ToTensorV2()], random_state=0).fit_resample(X, y)
    # Anywhere in the pipeline (in the middle it failed inside OpenCV), on any pixels (Normalize of
    # float digits of 0..16 gave repeats of about -2 beside them).
    for pipeline in ([A.Normalize()], [A.ToFloat()], [A.OneOf([ToTensorV2(), A.HorizontalFlip()]), A.NoOp()]):
        with pytest.raises(ValueError, match=r"augmentation= holds (Normalize|ToFloat|ToTensorV2)"):
            ClassicOversampler((3, 4, 5), augmentation=pipeline, random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"augmentation= holds Normalize"):
        ClassicOversampler((3, 4, 5), augmentation=A.Normalize(), random_state=0).fit_resample(X / 16.0, y)
    # Floats made of uint8 pixels by a transform of another kind are refused too (rounded back, they were black).
    to_floats = A.Lambda(image=lambda image, **kwargs: image / 255.0, p=1.0)
    with pytest.raises(ValueError, match=r"augmentation= turned uint8 pixels into floats"):
        ClassicOversampler((3, 4, 5), augmentation=to_floats, random_state=0).fit_resample(X, y)
    # A flip of colour images still moves whole pixels, all three channels together.
    X_res, _ = ClassicOversampler((3, 4, 5), augmentation=A.HorizontalFlip(p=1.0), random_state=0).fit_resample(X, y)
    flipped = X[6:].reshape(-1, 3, 4, 5)[..., ::-1].reshape(2, -1)
    assert all((flipped == row).all(axis=1).any() for row in X_res[8:])


def test_nothing_to_add_returns_copies_with_a_fresh_index():
    # The caller's own array came back: wiping the result wiped their images.
    X = np.random.RandomState(0).randint(0, 16, (40, 64)).astype(np.uint8)
    y = np.array([0] * 20 + [1] * 20)
    X_res, y_res = ClassicOversampler((1, 8, 8)).fit_resample(X, y)
    assert not np.shares_memory(X_res, X) and not np.shares_memory(y_res, y) and np.array_equal(X_res, X)
    frame = pd.DataFrame(X, index=np.arange(100, 140))
    assert ClassicOversampler((1, 8, 8)).fit_resample(frame, y)[0].index.tolist() == list(range(40))


def test_a_repeat_left_unmoved_is_an_exact_copy_in_any_dtype():
    # float64 pixels went through float32: no repeat was an exact copy of its image (off by ~3e-8).
    import albumentations as A

    X = np.random.RandomState(0).randint(0, 256, (30, 64)) / 255.0
    y = np.array([0] * 25 + [1] * 5)
    X_res, _ = ClassicOversampler((1, 8, 8), augmentation=A.NoOp(), random_state=0).fit_resample(X, y)
    assert all(any(np.array_equal(row, real) for real in X[y == 1]) for row in X_res[30:])


def test_images_of_whole_numbers_are_moved_alike_whatever_their_integer_dtype():
    # int16 images were clipped to each image's own range, erasing the border albumentations fills
    # with 0, which the same images as uint8 kept.
    X = np.full((24, 28 * 28), 150)
    y = np.array([0] * 20 + [1] * 4)
    moved = {dtype: ClassicOversampler((1, 28, 28), random_state=0).fit_resample(X.astype(dtype), y)[0][24:]
             for dtype in (np.uint8, np.int16, np.uint16)}
    assert (moved[np.uint8] == 0).any()  # a filled border, as albumentations makes it
    for dtype, rows in moved.items():
        assert rows.dtype == dtype and np.array_equal(rows.astype(np.int64), moved[np.uint8].astype(np.int64))
    # At the top of int32 / uint32, float32's 2**31 and 2**32 wrapped round to the other end.
    for dtype in (np.int32, np.uint32, np.int64, np.uint64):
        top = np.full((24, 16 * 16), np.iinfo(dtype).max, dtype=dtype)
        rows = ClassicOversampler((1, 16, 16), random_state=0).fit_resample(top, y)[0][24:]
        assert rows.min() >= 0 and (rows == np.iinfo(dtype).max).mean() > 0.5  # the border and its blends aside
