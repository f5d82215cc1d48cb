"""Every private scikit-learn / imbalanced-learn name gan-augment relies on, in one place.

These are not public API of those projects and may move between releases. Keeping them here means
one file to fix when they do, and ``tests/test_compat.py`` fails loudly (rather than the image path
silently breaking) if imbalanced-learn stops routing validation through the sampler's
``_check_X_y`` hook, which is how GANAugmenter accepts image arrays of more than two dimensions.
"""

from __future__ import annotations

from imblearn.utils._validation import _check_X as check_X_frame  # keeps DataFrames as they are
from sklearn.base import _fit_context as fit_context
from sklearn.utils._param_validation import (HasMethods, Interval, InvalidParameterError, StrOptions,
                                            validate_parameter_constraints)

__all__ = ["HasMethods", "Interval", "InvalidParameterError", "StrOptions", "check_X_frame", "fit_context",
           "validate_parameter_constraints"]
