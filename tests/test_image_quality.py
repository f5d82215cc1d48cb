"""The image-quality judge: Fréchet distance, k-NN precision/recall, the CNN judge and the report.

The metrics are checked on constructions whose answer is known (a Gaussian shifted by d is at
distance ||d||^2; a set covering half of the modes has recall 1/2). The judge is checked on
scikit-learn's 8x8 digits, which train in well under a second per epoch on one CPU thread; one
judge is trained per module and shared.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from gan_augment.evaluation.images import (
    ImageClassifier,
    extract_features,
    frechet_distance,
    image_quality,
    knn_precision_recall,
    predict_labels,
    to_model_range,
    train_image_classifier,
)

JUDGE_EPOCHS = 5


# ============================================================================ fixtures
@pytest.fixture(scope="module")
def digits():
    """8x8 digits in [-1, 1] as (N, 1, 8, 8): a stratified 70/30 split."""
    data = load_digits()
    images = (data.images / 8.0 - 1.0).astype(np.float32)[:, None]
    return train_test_split(images, data.target, test_size=0.3, stratify=data.target, random_state=0)


@pytest.fixture(scope="module")
def judge(digits):
    X_train, _, y_train, _ = digits
    return train_image_classifier(X_train, y_train, epochs=JUDGE_EPOCHS, random_state=0)


def _two_class_split(digits, classes=(3, 7)):
    """Held-out images of ``classes`` split in two: a reference half and a "synthetic" half."""
    _, X_test, _, y_test = digits
    mask = np.isin(y_test, classes)
    return train_test_split(X_test[mask], y_test[mask], test_size=0.5, stratify=y_test[mask], random_state=0)


# ============================================================================ frechet_distance
def test_frechet_distance_of_a_set_with_itself_is_zero():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 8))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    # Fewer samples than features: singular covariances, the case of a rare class.
    few = np.maximum(rng.normal(size=(25, 16)) @ rng.normal(size=(16, 128)), 0)
    assert frechet_distance(few, few) == pytest.approx(0.0, abs=1e-6 * np.trace(np.cov(few, rowvar=False)))


def test_frechet_distance_of_a_mean_shift_is_the_squared_shift():
    rng = np.random.default_rng(1)
    mixing = rng.normal(size=(4, 4))
    shift = np.array([1.0, -2.0, 0.5, 2.0])
    a = rng.normal(size=(20_000, 4)) @ mixing
    b = rng.normal(size=(20_000, 4)) @ mixing + shift
    assert frechet_distance(a, b) == pytest.approx(float(shift @ shift), rel=0.03)


def test_frechet_distance_is_symmetric_and_matches_the_eigenvalue_form():
    rng = np.random.default_rng(2)
    basis = rng.normal(size=(16, 128))
    a = np.maximum(rng.normal(size=(25, 16)) @ basis, 0)
    b = np.maximum(rng.normal(size=(40, 16)) @ basis + 0.3, 0)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-6)
    # Independent form: Tr (S_a S_b)^(1/2) = sum of sqrt(eigenvalues of S_a^(1/2) S_b S_a^(1/2)).
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(cov_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)).sum()
    expected = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_needs_two_samples_and_matching_columns():
    rng = np.random.default_rng(3)
    with pytest.raises(ValueError, match="features_b has 1 sample"):
        frechet_distance(rng.normal(size=(10, 3)), rng.normal(size=(1, 3)))
    with pytest.raises(ValueError, match="columns"):
        frechet_distance(rng.normal(size=(10, 3)), rng.normal(size=(10, 4)))



@pytest.mark.parametrize("scale", [1e80, 1e200])
def test_frechet_distance_of_features_too_large_for_float64_is_its_own_error(scale):
    # The covariances' product overflowed and scipy's sqrtm failed with "Internal error ... -102".
    a = np.random.default_rng(6).normal(size=(20, 3)) * scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no overflow warnings on the way
        with pytest.raises(ValueError, match="extreme values"):
            frechet_distance(a, a * 1.1)


# ============================================================================ knn_precision_recall
def test_knn_precision_recall_of_identical_sets_is_one():
    points = np.random.default_rng(4).normal(size=(200, 5))
    assert knn_precision_recall(points, points.copy()) == (1.0, 1.0)


def test_knn_precision_recall_of_a_far_away_set_is_zero():
    rng = np.random.default_rng(5)
    assert knn_precision_recall(rng.normal(size=(200, 5)), rng.normal(size=(150, 5)) + 100.0) == (0.0, 0.0)


def test_knn_recall_is_about_half_when_half_of_the_modes_are_missing():
    rng = np.random.default_rng(6)
    centres = np.eye(8)[:4] * 50.0
    real = np.vstack([c + rng.normal(size=(100, 8)) for c in centres])
    fake = np.vstack([c + rng.normal(size=(100, 8)) for c in centres[:2]])
    precision, recall = knn_precision_recall(real, fake, k=3)
    # A fresh sample of the same Gaussian lands in the union of k=3 balls ~90% of the time in 8-D:
    # the tails reach beyond the balls. Recall is that share over the half of the modes covered.
    assert precision >= 0.8
    assert 0.35 <= recall <= 0.5


def test_knn_precision_recall_clips_k_for_tiny_sets():
    rng = np.random.default_rng(7)
    precision, recall = knn_precision_recall(rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), k=3)
    assert 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0
    with pytest.raises(ValueError, match="real_features has 1 sample"):
        knn_precision_recall(rng.normal(size=(1, 3)), rng.normal(size=(3, 3)))
    # Reversed views (negative strides), which torch refused with its own words.
    features = rng.normal(size=(30, 4))
    assert knn_precision_recall(features[::-1], features[:, ::-1][:, ::-1]) == knn_precision_recall(features, features)


# ============================================================================ the judge
@pytest.mark.parametrize("size", [8, 28, 32, 64])
def test_image_classifier_takes_8_to_64_pixel_images(size):
    model = ImageClassifier(3, 5, width=8, feature_dim=16).eval()
    x = torch.zeros(2, 3, size, size)
    assert model(x).shape == (2, 5)
    assert model.features(x).shape == (2, 16)


@pytest.mark.slow
def test_judge_learns_digits(digits, judge):
    _, X_test, _, y_test = digits
    assert isinstance(judge, ImageClassifier) and not judge.training
    assert np.mean(predict_labels(judge, X_test) == y_test) >= 0.95
    features = extract_features(judge, torch.as_tensor(X_test), batch_size=100)
    assert features.shape == (len(X_test), judge.feature_dim) and np.isfinite(features).all()


def test_training_is_reproducible_and_leaves_the_global_rng_alone(digits):
    X_train, _, y_train, _ = digits
    X, y = X_train[:300], y_train[:300]
    state = torch.get_rng_state()
    first = train_image_classifier(X, y, epochs=1, random_state=11).state_dict()
    assert torch.equal(torch.get_rng_state(), state)
    again = train_image_classifier(torch.as_tensor(X), torch.as_tensor(y), epochs=1, random_state=11).state_dict()
    other = train_image_classifier(X, y, epochs=1, random_state=12).state_dict()
    assert all(torch.equal(first[name], again[name]) for name in first)
    assert not all(torch.equal(first[name], other[name]) for name in first)


def test_augment_is_applied_and_its_shape_checked(digits):
    X_train, _, y_train, _ = digits
    calls = []

    def shift(batch):
        calls.append(batch.shape[0])
        return torch.roll(batch, shifts=int(torch.randint(-1, 2, ())), dims=-1)

    train_image_classifier(X_train[:129], y_train[:129], epochs=1, batch_size=64, augment=shift, random_state=0)
    # 129 images in batches of 64: the trailing single image joins the previous batch (BatchNorm
    # cannot train on a batch of one).
    assert calls == [64, 65]
    with pytest.raises(ValueError, match="augment must return"):
        train_image_classifier(X_train[:130], y_train[:130], epochs=1, augment=lambda b: b[:, :, :4],
                               random_state=0)


def test_training_rejects_bad_inputs(digits):
    X_train, _, y_train, _ = digits
    X, y = X_train[:50], y_train[:50]
    with pytest.raises(ValueError, match="single class"):
        train_image_classifier(X, np.zeros(50, int), epochs=1)
    with pytest.raises(ValueError, match="one per image"):
        train_image_classifier(X, y[:-1], epochs=1)
    with pytest.raises(ValueError, match=r"shape \(N, C, H, W\)"):
        train_image_classifier(X[:, 0], y, epochs=1)
    with pytest.raises(ValueError, match="channel-last"):
        train_image_classifier(X.transpose(0, 2, 3, 1), y, epochs=1)
    bad = X.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train_image_classifier(bad, y, epochs=1)
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\].*to_model_range"):
        train_image_classifier((X + 1) * 127.5, y, epochs=1)
    # Past float32 they were cast to infinite values and called NaN; images of no pixels failed in torch's words.
    with pytest.raises(ValueError, match=r"values span \[-1, 1e\+39\] but must lie in \[-1, 1\]"):
        train_image_classifier(np.where(X > 0.5, 1e39, X.astype(np.float64)), y, epochs=1)
    with pytest.raises(ValueError, match=r"has shape \(50, 1, 0, 8\): an image needs a channel and a pixel a side"):
        train_image_classifier(X[:, :, :0], y, epochs=1)


# ============================================================================ image_quality
def test_real_images_score_as_real(digits, judge):
    X_train, _, y_train, _ = digits
    X_ref, X_syn, y_ref, y_syn = _two_class_split(digits)
    frame = image_quality(X_train, y_train, X_ref, y_ref, X_syn, y_syn, classifier=judge,
                          class_names=[f"digit {i}" for i in range(10)], random_state=0)
    assert frame.index.name == "class" and list(frame.index) == ["digit 3", "digit 7"]
    assert {"n_synthetic", "label_fidelity", "frechet_distance", "frechet_real", "frechet_blurred",
            "frechet_mean_shifted", "precision", "recall", "judge_recall"} <= set(frame.columns)
    assert frame.attrs["judge_accuracy"] >= 0.95
    # Real images in, real score out: two confidently told-apart classes score near 2, as real ones do.
    assert frame.attrs["judge_score"] == pytest.approx(frame.attrs["judge_score_real"], abs=0.15)
    assert frame.attrs["judge_score"] > 1.8 and (frame["judge_confidence"] >= 0.85).all()
    assert (frame["judge_recall"] >= 0.9).all()
    assert (frame["label_fidelity"] >= 0.9).all()
    assert (frame["frechet_distance"] < frame["frechet_blurred"]).all()
    assert (frame["frechet_real"] < frame["frechet_blurred"]).all()
    # ~27 images a side in 128 dimensions: k-NN balls are coarse, 0.67-1.0 over six judge seeds.
    assert (frame["precision"] >= 0.5).all() and (frame["recall"] >= 0.5).all()


def test_read_only_arrays_are_scored_without_torchs_undefined_behaviour_warning(digits, judge):
    # np.load(mmap_mode="r") gives read-only arrays: torch warned of writing to them.
    X_train, _, y_train, _ = digits
    X_ref, X_syn, y_ref, y_syn = _two_class_split(digits)
    X_train, X_ref, X_syn = (np.array(part, copy=True) for part in (X_train, X_ref, X_syn))  # the fixture's stay
    for array in (X_train, X_ref, X_syn):
        array.setflags(write=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        frame = image_quality(X_train, y_train, X_ref, y_ref, X_syn, y_syn, classifier=judge, random_state=0)
        features = np.random.default_rng(0).normal(size=(20, 4))
        features.setflags(write=False)
        assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)
    assert len(frame) == 2


def test_noise_scores_as_noise(digits, judge):
    X_train, _, y_train, _ = digits
    X_ref, _, y_ref, _ = _two_class_split(digits)
    noise = np.random.default_rng(0).uniform(-1, 1, (200, 1, 8, 8)).astype(np.float32)
    frame = image_quality(X_train, y_train, X_ref, y_ref, noise, np.repeat([3, 7], 100), classifier=judge,
                          random_state=0)
    assert list(frame.index) == [3, 7] and (frame["n_synthetic"] == 100).all()
    assert (frame["label_fidelity"] <= 0.3).all()
    assert frame.attrs["judge_score"] < frame.attrs["judge_score_real"] - 0.5  # noise is not two digits
    assert (frame["judge_confidence"] <= 0.3).all()
    assert (frame["frechet_distance"] > frame["frechet_blurred"]).all()
    # k-NN precision is inflated by real outliers, whose k-th neighbour ball is wide: over eight judge
    # seeds the noise precision of digit 3 ranged 0.0-0.36 (0.01 with this one), real images >= 0.79.
    assert (frame["precision"] <= 0.4).all() and (frame["recall"] <= 0.1).all()


def test_image_quality_trains_its_own_judge_and_warns_on_tiny_classes(digits):
    X_train, X_test, y_train, y_test = digits
    X_syn = np.concatenate([X_test[y_test == 1], X_test[y_test == 2][:1]])
    y_syn = np.r_[np.ones((y_test == 1).sum(), int), 2]
    with pytest.warns(UserWarning, match="Class 2 has 1 synthetic image"):
        frame = image_quality(X_train, y_train, X_test, y_test, X_syn, y_syn, epochs=2, random_state=0)
    assert frame.loc[1, "label_fidelity"] >= 0.8 and math.isfinite(frame.loc[1, "frechet_distance"])
    assert math.isnan(frame.loc[2, "frechet_distance"]) and math.isnan(frame.loc[2, "precision"])
    assert math.isfinite(frame.loc[2, "frechet_real"])


def test_image_quality_names_the_set_that_differs(digits, judge):
    X_train, X_test, y_train, y_test = digits
    colour = np.repeat(X_test[:20], 3, axis=1)
    with pytest.raises(ValueError, match="train_images have 1 channel.*synthetic_images have 3"):
        image_quality(X_train, y_train, X_test, y_test, colour, y_test[:20], classifier=judge)
    larger = np.zeros((20, 1, 16, 16), np.float32)
    with pytest.raises(ValueError, match="holdout_images are"):
        image_quality(X_train, y_train, larger, y_test[:20], X_test, y_test, classifier=judge)


def test_image_quality_does_not_touch_the_global_rng(digits, judge):
    X_train, X_test, y_train, y_test = digits
    state = torch.get_rng_state()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = image_quality(X_train, y_train, X_test, y_test, X_test[:40], y_test[:40], classes=[0],
                              classifier=judge, random_state=0)
    assert torch.equal(torch.get_rng_state(), state)
    assert isinstance(frame, pd.DataFrame) and list(frame.index) == [0]


def test_to_model_range():
    images = np.zeros((2, 5, 5, 3), np.uint8)
    images[1] = 255
    out = to_model_range(images)
    assert out.dtype == np.float32 and out.shape == (2, 3, 5, 5)
    assert out[0].max() == -1.0 and out[1].min() == 1.0
    assert to_model_range(images[..., 0]).shape == (2, 1, 5, 5)
    with pytest.raises(ValueError, match="uint8"):
        to_model_range(images.astype(np.float32))


def test_image_quality_rejects_a_foreign_or_too_small_judge(digits):
    X_train, X_test, y_train, y_test = digits
    with pytest.raises(TypeError, match="ImageClassifier"):
        image_quality(X_train, y_train, X_test, y_test, X_test, y_test, classifier=object())
    small = ImageClassifier(1, 3, width=4, feature_dim=8).eval()
    with pytest.raises(ValueError, match="n_classes=10"):
        image_quality(X_train, y_train, X_test, y_test, X_test, y_test, classifier=small)


@pytest.mark.parametrize("bad, message", [
    (dict(k=0), r"k must be a positive integer"), (dict(k=True), r"k must be a positive integer"),
    (dict(classes=[12]), r"classes must list class indices of the judge \(integers 0..9\); got \[12\]"),
    (dict(classes=[1.7]), r"got \[1.7\]"), (dict(classes=[True]), r"got \[True\]"),
    (dict(classes=["a"]), r"got \['a'\]"),
    (dict(classes=[]), r"it is empty"), (dict(classes=[1, 1]), r"classes names \[1\] more than once"),
    (dict(class_names=["zero"]), r"class_names has 1 names")])
def test_image_quality_refuses_its_settings_before_training_a_judge(digits, monkeypatch, bad, message):
    # k, classes and class_names were checked after the judge's 10 epochs of training.
    X_train, X_test, y_train, y_test = digits

    def trained(*args, **kwargs):
        raise AssertionError("the judge was trained before the settings were checked")

    monkeypatch.setattr("gan_augment.evaluation.images.train_image_classifier", trained)
    with pytest.raises(ValueError, match=message):
        image_quality(X_train, y_train, X_test, y_test, X_test, y_test, **bad)


def test_knn_precision_recall_of_features_whose_squares_overflow():
    # The squared distances overflowed to inf: every radius inf, every point inside, (1.0, 1.0)
    # for two sets far apart. The shares do not change with the scale of both sets.
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(50, 4)), rng.normal(size=(40, 4)) + 0.5
    expected = knn_precision_recall(real, fake)
    assert 0 < expected[0] < 1 and 0 < expected[1] <= 1
    assert knn_precision_recall(real * 1e155, fake * 1e155) == expected
    assert knn_precision_recall(real * 1e300, fake * 1e300) == expected
    assert knn_precision_recall(real * 1e-170, fake * 1e-170) == expected  # squares that underflow to 0
    # One set spread far wider than the other: none of it near the narrow one, all of that within its radii.
    assert knn_precision_recall(real, fake * 1e160) == (0.0, 1.0)


def test_image_quality_takes_the_seeds_evaluate_augmentation_takes(digits, judge):
    """One seed helper (gan_augment._random.check_seed): a RandomState is drawn from once, as in
    evaluate_augmentation, and anything else is refused with a TypeError naming random_state."""
    from gan_augment._random import SEED_MAX

    X_train, X_test, y_train, y_test = digits
    args = (X_train, y_train, X_test, y_test, X_test[:40], y_test[:40])
    drawn = int(np.random.RandomState(0).randint(SEED_MAX))
    from_state = image_quality(*args, classes=[0], classifier=judge, random_state=np.random.RandomState(0))
    from_int = image_quality(*args, classes=[0], classifier=judge, random_state=drawn)
    pd.testing.assert_frame_equal(from_state, from_int)
    with pytest.raises(TypeError, match="random_state"):
        image_quality(*args, classifier=judge, random_state="zero")
    with pytest.raises(TypeError, match="random_state"):
        train_image_classifier(X_train[:20], y_train[:20], epochs=1, random_state=1.5)


def test_judge_score_is_the_inception_score_formula():
    from gan_augment.evaluation.images import judge_score

    assert judge_score(np.full((50, 4), 0.25)) == pytest.approx(1.0)  # nothing told apart
    assert judge_score(np.eye(4)[np.arange(40) % 4]) == pytest.approx(4.0, rel=1e-6)  # sure and even
    assert judge_score(np.eye(4)[np.zeros(40, dtype=int)]) == pytest.approx(1.0)  # sure, one class
    mixed = np.eye(4)[np.arange(40) % 2]  # sure, two of four classes
    assert judge_score(mixed) == pytest.approx(2.0, rel=1e-6)
