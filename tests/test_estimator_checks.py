"""scikit-learn's and imbalanced-learn's estimator checks, with fast training settings."""

from __future__ import annotations

import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

from gan_augment import AugmentedClassifier, AutoAugmenter, GANAugmenter
from gan_augment.baselines import MixedSMOTE

# The compliance suites take about 40 s (with the label gate's short judge: not their subject); they
# run by default and in CI.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("quick_row_judge")]


def fast_augmenter(**params):
    settings = dict(epochs=1, batch_size=64, noise_dim=8, generator_dims=(16,), discriminator_dims=(16,), pac=2,
                    max_modes=2, random_state=0, device="cpu")
    settings.update(params)
    return GANAugmenter(**settings)


def expected_failures(estimator):
    if isinstance(estimator, AutoAugmenter):
        return {
            "check_samplers_fit_resample": "it tops up by the amount inner cross-validation chose, which may be "
                                           "less than the sampling strategy's or nothing",
            "check_samplers_pandas_sparse": "sparse input is refused with a TypeError that says to densify",
        }
    if isinstance(estimator, (GANAugmenter, MixedSMOTE)):
        return {
            # The sparse tag is off, so the plain sparse check is not generated; this one is
            # generated regardless of the tag.
            "check_samplers_pandas_sparse": "sparse input is refused with a TypeError that says to densify: "
                                            "the samplers read dense rows",
        }
    return {
        # The augmenter models non-numeric object columns as categories; a cell holding a dict is
        # refused with a DataValidationError naming the column, not with numpy's TypeError.
        "check_dtype_object": "unsupported cell types raise DataValidationError naming the column",
    }


@imblearn_checks([fast_augmenter(), MixedSMOTE(random_state=0),
                  AutoAugmenter(methods=("random", "smote"), cv=2, random_state=0)],
                 expected_failed_checks=expected_failures)
def test_imblearn_sampler_checks(estimator, check):
    check(estimator)


# The classifier's contract is the wrapper's: the augmenter inside trains no label-gate judge (the
# sampler checks above run it with the gate, as it comes).
@sklearn_checks([AugmentedClassifier(LogisticRegression(), fast_augmenter(label_gate=False))],
                expected_failed_checks=expected_failures)
def test_sklearn_classifier_checks(estimator, check):
    check(estimator)
