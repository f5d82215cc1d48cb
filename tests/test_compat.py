"""The private scikit-learn / imbalanced-learn names and hooks gan-augment relies on.

These fail loudly when an upgrade of either library moves something, instead of the image path
(3-D / 4-D arrays through GANAugmenter.fit_resample) silently breaking.
"""

from __future__ import annotations

import numbers

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler


def test_the_private_names_gan_augment_uses_are_importable():
    from gan_augment import _compat

    for name in _compat.__all__:
        assert getattr(_compat, name) is not None, name
    assert callable(_compat.check_X_frame) and callable(_compat.fit_context)
    constraint = _compat.Interval(numbers.Integral, 1, None, closed="left")
    assert constraint.is_satisfied_by(3) and not constraint.is_satisfied_by(0)
    assert _compat.StrOptions({"auto"}).is_satisfied_by("auto")
    assert _compat.HasMethods(["fit"]).is_satisfied_by(BaseOverSampler)


class _RecordingSampler(BaseOverSampler):
    """The least an over-sampler can be: a validation hook that records what it saw."""

    _sampling_type = "over-sampling"

    def __init__(self, sampling_strategy="auto"):
        super().__init__(sampling_strategy=sampling_strategy)

    def _check_X_y(self, X, y, accept_sparse=None):
        self.checked_shape_ = np.shape(X)
        return X, np.asarray(y), False

    def _fit_resample(self, X, y):
        self.resampled_shape_ = np.shape(X)
        return X, y


def test_imblearn_fit_resample_validates_through_the_samplers_check_X_y_hook():
    # GANAugmenter accepts (N, H, W) and (N, H, W, C) image arrays only because imbalanced-learn's
    # public fit_resample hands X to the sampler's own _check_X_y instead of validating it as 2-D.
    X = np.random.default_rng(0).random((12, 4, 4))
    y = np.array([0] * 8 + [1] * 4)
    sampler = _RecordingSampler()
    X_res, y_res = sampler.fit_resample(X, y)
    assert getattr(sampler, "checked_shape_", None) == (12, 4, 4), (
        "imbalanced-learn's fit_resample no longer calls the sampler's _check_X_y hook: "
        "GANAugmenter's image input (3-D / 4-D arrays) depends on it; see gan_augment/_compat.py."
    )
    assert sampler.resampled_shape_ == (12, 4, 4)
    assert np.shape(X_res) == (12, 4, 4) and np.array_equal(y_res, y)
    assert sampler.sampling_strategy_ == {1: 4}
