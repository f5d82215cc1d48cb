"""Every private scikit-learn / imbalanced-learn name gan-augment relies on, in one place.

These are not public API of those projects and may move between releases. Keeping them here means
one file to fix when they do, and ``tests/test_compat.py`` fails loudly (rather than the image path
silently breaking) if imbalanced-learn stops routing validation through the sampler's
``_check_X_y`` hook, which is how GANAugmenter accepts image arrays of more than two dimensions.
"""

from __future__ import annotations

from imblearn.utils._validation import _check_X as check_X_frame  # keeps DataFrames as they are
from sklearn.base import BaseEstimator
from sklearn.base import _fit_context as fit_context
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (HasMethods, Interval, InvalidParameterError, StrOptions,
                                            validate_parameter_constraints)

__all__ = ["HasMethods", "Interval", "InvalidParameterError", "StrOptions", "check_X_frame", "fit_context",
           "validate_parameter_constraints", "validate_settings"]


def validate_settings(estimator) -> None:
    """scikit-learn's check of the settings of ``estimator`` and of every estimator inside it (a
    Pipeline's steps), as each one's fit makes it (``_validate_params``): a setting like C=-1 refused
    before anything is fitted, for the caller to run where scikit-learn checks the caller's own
    settings: fits nested in a scikit-learn fit (an imbalanced-learn sampler's ``fit_resample``)
    skip the check, and went on with C=-1. The estimators a search (GridSearchCV) holds are left to
    it: its grid sets their settings."""
    if not isinstance(estimator, BaseEstimator):  # duck-typed (fit and predict): nothing to read
        return
    parts = [("", estimator)] + [(key + "__", value) for key, value in estimator.get_params(deep=True).items()
                                 if isinstance(value, BaseEstimator)]
    # All the searches first: get_params lists what a parameter holds before the parameter itself.
    searched = [prefix for prefix, part in parts if isinstance(part, BaseSearchCV)]
    for prefix, part in parts:
        if any(prefix.startswith(outer) and prefix != outer for outer in searched):
            continue  # the search sets them before each fit (GridSearchCV(LogisticRegression(C=-1), {"C": ...}))
        if hasattr(type(part), "_parameter_constraints") and callable(getattr(part, "_validate_params", None)):
            part._validate_params()
