"""AugmentedClassifier: the door for plain scikit-learn pipelines.

scikit-learn's Pipeline has no notion of a resampling step, and imbalanced-learn's Pipeline rejects
a step with both ``transform`` and ``fit_resample``. This meta-estimator therefore augments inside
``fit`` only: the wrapped classifier is trained on real + synthetic rows, and ``predict`` sees the
caller's rows untouched, so test data stays 100% real under cross-validation.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone, is_regressor
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from gan_augment._compat import HasMethods, fit_context


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


class AugmentedClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` on ``augmenter.fit_resample(X, y)``; predict with it unchanged.

    Parameters
    ----------
    estimator : scikit-learn classifier
    augmenter : GANAugmenter or any imbalanced-learn style sampler (with ``fit_resample``)

    Attributes
    ----------
    estimator_ : the fitted clone of ``estimator``
    augmenter_ : the fitted clone of ``augmenter``
    classes_ : class labels of the fitted estimator
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "augmenter": [HasMethods(["fit_resample"])],
    }

    def __init__(self, estimator, augmenter):
        self.estimator = estimator
        self.augmenter = augmenter

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        if is_regressor(self.estimator):  # before any augmenter is fitted: a top-up balances classes
            raise ValueError(
                f"AugmentedClassifier needs a classifier; estimator={self.estimator!r} is a regressor. Topping up "
                "rare classes only makes sense for class labels: pass a classifier (e.g. LogisticRegression)."
            )
        shape = getattr(y, "shape", ())
        if len(shape) == 2 and shape[1] == 1:
            y = column_or_1d(y, warn=True)  # as every scikit-learn classifier does
        per_row = [name for name, value in fit_params.items() if np.ndim(value) >= 1 and len(value) == len(y)]
        if per_row:
            # The estimator is trained on the augmented rows, not on X's: a weight per row of X
            # has no row to go with for each synthetic one.
            raise ValueError(f"AugmentedClassifier cannot pass {', '.join(per_row)} on: the estimator is fitted on "
                             "the augmented rows (X's and the synthetic ones), not on X's alone. Weight the classes "
                             "in the estimator (class_weight=), or resample first and fit the estimator yourself.")
        if _is_continuous(y):
            # scikit-learn's words for a classifier given a quantity ("Unknown label type:
            # continuous", which its estimator checks expect); the samplers name other faults.
            check_classification_targets(y)
        self.augmenter_ = clone(self.augmenter)
        X_res, y_res = self.augmenter_.fit_resample(X, y)
        self.estimator_ = clone(self.estimator).fit(X_res, y_res, **fit_params)
        self.classes_ = self.estimator_.classes_
        for name in ("n_features_in_", "feature_names_in_"):  # those of this fit only, as fit resets
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
            elif name in vars(self):
                delattr(self, name)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator_tags = get_tags(self.estimator)
        augmenter_tags = get_tags(self.augmenter)
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan and augmenter_tags.input_tags.allow_nan
        tags.input_tags.sparse = estimator_tags.input_tags.sparse and augmenter_tags.input_tags.sparse
        return tags


def _is_continuous(y) -> bool:
    try:
        return type_of_target(y).startswith("continuous")
    except (TypeError, ValueError):  # labels scikit-learn cannot even type: the samplers name them
        return False
