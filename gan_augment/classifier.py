"""AugmentedClassifier: the door for plain scikit-learn pipelines.

scikit-learn's Pipeline has no notion of a resampling step, and imbalanced-learn's Pipeline rejects
a step with both ``transform`` and ``fit_resample``. This meta-estimator therefore augments inside
``fit`` only: the wrapped classifier is trained on real + synthetic rows, and ``predict`` sees the
caller's rows untouched, so test data stays 100% real under cross-validation.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d

from gan_augment._compat import HasMethods, fit_context, validate_settings
from gan_augment._sampler import check_resampled, declared_tags, frame_like, refuse_class
from gan_augment.data.layout import flattening, shape_of
from gan_augment.data.tabular import as_pandas_frame, check_target, plain_labels


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
    n_features_in_, feature_names_in_ : as in scikit-learn.
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
        """Top up ``X, y`` with a clone of ``augmenter``, then fit a clone of ``estimator`` on the result.

        ``fit_params`` go to the estimator's ``fit`` (with metadata routing on: what it requested).
        Values with one entry per row of X (``sample_weight``) are refused: the estimator is fitted
        on the augmented rows, and the synthetic ones have none; weight the classes in the
        estimator (``class_weight=``) instead. Validation data of its own (``X_val``, an
        ``eval_set``) pass on as given.

        The estimator's settings are checked one by one before the augmenter is fitted; settings
        that clash with each other or with the data (``penalty="l1"`` with the lbfgs solver) are
        found by the estimator's own ``fit``, after the top-up.
        """
        # Everything that can be refused without a fit is refused before the augmenter is fitted (a
        # GAN fit can take minutes), and nothing fitted is set until both fits have succeeded: a failed
        # refit leaves the model fitted before as it was, never the new augmenter beside the old estimator.
        _check_is_classifier(self.estimator)
        shape = getattr(y, "shape", ())
        if isinstance(y, (list, tuple)):  # a list of lists: one-hot too
            try:
                shape = np.shape(y)
            except ValueError:  # ragged: the checks below name it
                shape = ()
        if len(shape) == 2 and shape[1] == 1:
            y = column_or_1d(y, warn=True)  # as every scikit-learn classifier does
        elif len(shape) >= 2:
            # The samplers read a one-hot target as imbalanced-learn's one-vs-all encoding and return
            # class indices, 1-D: the estimator would learn those, not the user's rows.
            check_target(y, one_hot=False, spellings=False)  # (said by the augmenter, once)
        if get_config().get("enable_metadata_routing", False):
            # What the caller's router sends here for the estimator's fit (its set_fit_request);
            # metadata nobody asked for is refused by scikit-learn, naming the estimator.
            fit_params = process_routing(self, "fit", **fit_params).estimator.fit
        _check_fit_params(self.estimator, fit_params, _length(y))
        if _is_continuous(y):
            # scikit-learn's words for a classifier given a quantity ("Unknown label type:
            # continuous", which its estimator checks expect); the samplers name other faults.
            check_classification_targets(y)
        refuse_class("estimator", self.estimator)
        refuse_class("augmenter", self.augmenter)
        estimator = clone(self.estimator)  # one without get_params cannot be: refused before the GAN fit
        check_estimator_takes(estimator, self.augmenter, X)
        augmenter = clone(self.augmenter)
        X_res, y_res = augmenter.fit_resample(X, y)
        check_resampled(augmenter, X, y, X_res, y_res)
        if isinstance(X, pd.DataFrame) and not (isinstance(X_res, pd.DataFrame) or sparse.issparse(X_res)):
            X_res = frame_like(X_res, X)  # the estimator learns X's feature names, as X gave them
        # Nullable labels (Int64, boolean) as numpy's: scikit-learn's checks made them floats, and
        # predict gave 3.0 for a class written 3, 1.0 for True.
        y_res = plain_labels(y_res)
        estimator.fit(X_res, y_res, **fit_params)  # kept, not its return (None from some estimators), as sklearn's
        self.augmenter_, self.estimator_ = augmenter, estimator
        # An estimator of no declared type (checked above) may not keep its classes: they are
        # the labels it was fitted on, as scikit-learn's BaggingClassifier takes them.
        self.classes_ = estimator.classes_ if hasattr(estimator, "classes_") else unique_labels(y_res)
        for name in ("n_features_in_", "feature_names_in_"):  # those of this fit only, as fit resets
            if hasattr(estimator, name):
                setattr(self, name, getattr(estimator, name))
            elif name in vars(self):
                delattr(self, name)
        return self

    def predict(self, X):
        """Class labels predicted by the fitted estimator (the augmenter plays no part in prediction)."""
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted estimator, columns in the order of ``classes_``."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the fitted estimator, columns in the order of ``classes_``."""
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """The fitted estimator's decision function on X."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def get_metadata_routing(self):
        """scikit-learn's metadata routing: ``fit``'s metadata goes to the estimator's ``fit`` as it
        requests (``estimator.set_fit_request(...)``); one value per row of X (``sample_weight``) is
        refused, as without routing, for it has no value for the synthetic rows."""
        return MetadataRouter(owner=type(self).__name__).add_self_request(self).add(  # self: score's sample_weight
            estimator=self.estimator, method_mapping=MethodMapping().add(caller="fit", callee="fit"))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        parts = [declared_tags(self.estimator), declared_tags(self.augmenter)]
        if None in parts:  # an object without scikit-learn's tags: nothing to say beyond the defaults
            return tags
        tags.input_tags.allow_nan = all(part.input_tags.allow_nan for part in parts)
        tags.input_tags.sparse = all(part.input_tags.sparse for part in parts)
        return tags


def _check_is_classifier(estimator) -> None:
    """Refuse an estimator that scikit-learn's tags call something else than a classifier."""
    kind = _estimator_type(estimator)
    if kind not in (None, "classifier"):  # a top-up balances classes
        article = "an" if kind[0] in "aeiou" else "a"
        raise ValueError(
            f"AugmentedClassifier needs a classifier; estimator={estimator!r} is {article} {kind.replace('_', ' ')}. "
            "Topping up rare classes only makes sense for class labels: pass a classifier (e.g. LogisticRegression)."
        )


def _estimator_type(estimator) -> str | None:
    """scikit-learn's kind of ``estimator`` ("classifier", "regressor", "clusterer", ...), None
    where it declares none (an object that does not derive from BaseEstimator)."""
    tags = declared_tags(estimator)
    return None if tags is None else tags.estimator_type


def check_not_frozen(estimator) -> None:
    """Refuse, before any work, a classifier whose fit does nothing (scikit-learn's FrozenEstimator,
    alone or as a Pipeline's last step): the synthetic rows would never reach the model it holds,
    and an evaluation would score that one model, fitted on rows it may be tested on, for every
    method."""
    from sklearn.frozen import FrozenEstimator

    steps = getattr(estimator, "steps", None)
    last = steps[-1][1] if isinstance(steps, list) and steps and isinstance(steps[-1], tuple) else estimator
    if isinstance(last, FrozenEstimator):
        where = "" if last is estimator else f" (the last step of the {type(estimator).__name__})"
        raise ValueError(f"estimator holds a FrozenEstimator{where}, whose fit does nothing: the synthetic rows would "
                         f"never reach the {type(last.estimator).__name__} it holds, and an evaluation would score "
                         "that one model for every method. Pass the classifier unfitted "
                         "(sklearn.base.clone(frozen.estimator)).")


def own_samplers(estimator) -> list[str]:
    """What inside ``estimator`` resamples its training rows (an imbalanced-learn Pipeline's sampler
    step, an AugmentedClassifier's augmenter), as ``get_params(deep=True)`` names them: a model that
    tops up its own rows, on top of whatever it is given."""
    if not hasattr(estimator, "get_params"):
        return []
    found = [type(estimator).__name__] if hasattr(estimator, "fit_resample") else []
    return found + [f"{key}={type(value).__name__}" for key, value in estimator.get_params(deep=True).items()
                    if hasattr(value, "fit_resample") and not isinstance(value, type)]


def warn_of_own_samplers(estimator, name: str, who: str) -> None:
    """Warn where ``estimator`` resamples its own training rows (:func:`own_samplers`): ``who``'s
    "none" then tops up as well, and is no longer the no-augmentation reference it claims to be."""
    import warnings

    from gan_augment._warnings import user_stacklevel

    found = own_samplers(estimator)
    if found:
        warnings.warn(f"The estimator {name} resamples its own training rows ({', '.join(found)}), so {who} 'none' "
                      "is topped up by it too and is not 'no augmentation', and every top-up is added to its own. "
                      "Pass the classifier without its sampler to compare with no augmentation.", UserWarning,
                      stacklevel=user_stacklevel())


def check_estimator_takes(estimator, augmenter, X) -> None:
    """Refuse, before any augmenter is fitted, what the estimator's own fit would refuse after it.

    Its settings and those of every estimator inside it (a Pipeline's steps), by their scikit-learn
    constraints: these do not depend on the data. And for one of scikit-learn's own classifiers
    (not a meta-estimator, whose tags do not tell what its steps take: a Pipeline with an imputer
    says it takes no missing values), what its tags say it cannot take: images not in rows, and
    missing values, which gan-augment's samplers return as X has them (another sampler may impute
    or reshape). ``augmenter`` None: X reaches the estimator as it is (an evaluation's "none").
    """
    check_not_frozen(estimator)
    if not isinstance(estimator, BaseEstimator):  # duck-typed (fit and predict): nothing to read
        return
    if not get_config().get("skip_parameter_validation", False):
        validate_settings(estimator)
    tags = declared_tags(estimator)
    if tags is not None and tags.target_tags.single_output is False:  # whatever the sampler: y is one column
        raise ValueError(f"{type(estimator).__name__} predicts several label columns at once, and a top-up has one "
                         "label column y: pass the single-output classifier it wraps (its estimator) instead.")
    if (not _is_plain(estimator, "sklearn") or tags is None or tags.no_validation  # DummyClassifier never reads X
            or (augmenter is not None and type(augmenter).__module__.split(".")[0] != "gan_augment")):
        return
    name = type(estimator).__name__
    try:
        shape = shape_of(X)
    except ValueError:  # ragged rows: the augmenter's checks name them
        return
    if len(shape) > 2:
        found = flattening(shape)
        how = (f"give the images as rows ({found[0]}) and the augmenter image_shape={found[1]}" if found
               else "give X as rows of features")
        raise ValueError(f"{name} takes X as rows of features (2-D), and X has shape {shape}: {how}, or put a step "
                         "that flattens them before it in a Pipeline.")
    X = as_pandas_frame(X)  # once for both checks below (polars and pyarrow tables have no isna)
    if not tags.input_tags.allow_nan:
        column = _first_column_with_missing(X)
        if column is not None:
            raise ValueError(f"{name} does not accept missing values (NaN), and X has some ({column}); the rows the "
                             f"augmenter adds would keep them. Put an imputer before it "
                             f"(make_pipeline(SimpleImputer(), {name}())), or use a classifier that takes them "
                             "(HistGradientBoostingClassifier).")
    if not tags.input_tags.string:
        column = _first_column_with_text(X, categories=getattr(estimator, "categorical_features", None) != "from_dtype")
        if column is not None:  # its fit failed with "could not convert string to float", after the GAN's
            # (A classifier that reads category columns when told to: told how; it read "give it as a
            # category column" of a category column.)
            reads_categories = "categorical_features" in estimator.get_params()
            native = (f"{name}(categorical_features='from_dtype')" if reads_categories
                      else "HistGradientBoostingClassifier")
            native = f"give it as a pandas 'category' column to {native}"
            raise ValueError(f"{name} takes numbers only, and X has text ({column}); the rows the augmenter adds "
                             "would keep it. Encode it first in a Pipeline (make_pipeline(make_column_transformer("
                             f"(OneHotEncoder(), [...]), remainder='passthrough'), {name}())), or {native}.")


def check_sampler_takes(sampler, X) -> None:
    """Refuse, before any fold, what one of imbalanced-learn's samplers would refuse in the first
    fold's ``fit_resample``, after the baselines had trained: text or missing values in ``X`` (a
    DataFrame) that its tags say it cannot take (SMOTE, ADASYN, TomekLinks). Other samplers' tags
    are not read: a sampler of one's own takes what it takes, whatever tags it inherited."""
    if not _is_plain(sampler, "imblearn"):
        return
    tags = declared_tags(sampler)
    name = type(sampler).__name__
    if tags is None or tags.no_validation:
        return
    if not tags.input_tags.string:
        column = _first_column_with_text(X, categories=True)
        if column is not None:
            raise ValueError(f"The augmenter {name} takes numbers only, and X has text ({column}): it would fail in "
                             "the first fold, after the baselines had trained. Use a sampler that reads categories "
                             "(gan_augment.baselines.MixedSMOTE, SMOTENC, GANAugmenter), or encode the column first.")
    if not tags.input_tags.allow_nan:
        column = _first_column_with_missing(X)
        if column is not None:
            raise ValueError(f"The augmenter {name} does not accept missing values (NaN), and X has some ({column}): "
                             "it would fail in the first fold, after the baselines had trained. Impute them first, or "
                             "use an augmenter that takes them (GANAugmenter, RandomOverSampler).")


def _first_column_with_text(X, *, categories: bool) -> str | None:
    """Where X (a pandas DataFrame, an array or rows) first holds text that is not a number
    (``column 'city'``, ``column 3``), None where it holds none: scikit-learn's classifiers of
    numbers convert "3.5" themselves. Columns of pandas' category dtype count only with
    ``categories`` (HistGradientBoostingClassifier's ``categorical_features="from_dtype"`` reads
    them as categories)."""
    if sparse.issparse(X):
        return None
    named = isinstance(X, pd.DataFrame)
    if not named:
        array = np.asarray(X)
        if array.dtype.kind not in "OUS" or array.ndim != 2:  # numbers (or not rows: refused elsewhere)
            return None
        X = pd.DataFrame(array)
    for position, (column, values) in enumerate(X.items()):
        if isinstance(values.dtype, pd.CategoricalDtype):
            if not categories:
                continue
            values = pd.Series(values.cat.categories)
        elif not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        try:
            distinct = pd.unique(values.dropna())
        except TypeError:  # unhashable cells (a dict): the augmenter's own checks name them, with their column
            distinct = [value for value in values.dropna() if isinstance(value, str)]
        if any(isinstance(value, str) and not _reads_as_float(value) for value in distinct):
            return f"column {column!r}" if named else f"column {position}"
    return None


def _reads_as_float(text: str) -> bool:
    try:
        float(text)  # what numpy's conversion of an object array to float64 calls
    except ValueError:
        return False
    return True


def _is_plain(estimator, library: str) -> bool:
    """One of ``library``'s own estimators (scikit-learn's, imbalanced-learn's) without estimators
    inside it: its tags are checked by the library's estimator checks against what its fit takes."""
    if type(estimator).__module__.split(".")[0] != library:
        return False
    values = estimator.get_params(deep=False).values()
    # A meta-estimator holds one (estimator=) or a list of named ones (steps=, estimators=).
    return not any(hasattr(value, "fit")
                   or (isinstance(value, (list, tuple)) and any(isinstance(item, tuple) for item in value))
                   for value in values)


def _first_column_with_missing(X) -> str | None:
    """Where X (a pandas DataFrame, an array or rows) first has a missing value (``column 'age'``,
    ``column 3``), None where it has none."""
    if sparse.issparse(X):  # no augmenter of ours takes it; SMOTE's check names what it refuses
        return None
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    missing = frame.isna().to_numpy().any(axis=0)
    if not missing.any():
        return None
    position = int(np.flatnonzero(missing)[0])
    return f"column {frame.columns[position]!r}" if isinstance(X, pd.DataFrame) else f"column {position}"


def _check_fit_params(estimator, fit_params: dict, n_rows: int | None) -> None:
    """Refuse what the estimator's fit cannot be given, before any augmenter is fitted.

    A value with one entry per row of X (``sample_weight``, whatever its length; another of X's
    length) has no entry for the synthetic rows the estimator is fitted on. Validation data
    (HistGradientBoosting's ``X_val``, ``y_val``, ``sample_weight_val``; an ``eval_set``), whatever
    its size, and other values pass on as given; names that the estimator's ``fit`` does not take
    are refused.
    """
    per_row = [name for name, value in fit_params.items()
               if (name == "sample_weight" and value is not None)
               or (n_rows is not None and _length(value) == n_rows and not _VALIDATION_DATA.search(name))]
    if per_row:
        raise ValueError(f"AugmentedClassifier cannot pass {', '.join(per_row)} on: the estimator is fitted on "
                         "the augmented rows (X's and the synthetic ones), not on X's alone. Weight the classes "
                         "in the estimator (class_weight=), or resample first and fit the estimator yourself.")
    try:
        parameters = inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):  # a fit written in C, say: its own error will name the parameter
        return
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values()):
        return
    unknown = sorted(set(fit_params) - set(parameters))
    if unknown:
        accepted = [name for name in parameters if name not in ("X", "y")]
        raise TypeError(f"AugmentedClassifier.fit got {', '.join(map(repr, unknown))}, which "
                        f"{type(estimator).__name__}.fit does not take (it takes "
                        f"{', '.join(accepted) if accepted else 'X and y only'}).")


#: Fit parameters that hold validation data, by scikit-learn's and the boosting libraries' names
#: (``X_val``, ``sample_weight_val``; ``eval_set``, ``eval_sample_weight``): rows of their own.
_VALIDATION_DATA = re.compile(r"(^|_)val$|^eval_|^validation_")


def _length(value) -> int | None:
    """``len(value)`` for a sequence or array of values, None for a scalar, a text or a mapping
    (without ``np.asarray``: a list of ``(X, y)`` pairs of different sizes is not an array)."""
    if isinstance(value, (str, bytes, Mapping)) or getattr(value, "ndim", 1) == 0:
        return None
    try:
        return len(value)
    except TypeError:
        return None


def _is_continuous(y) -> bool:
    try:
        return type_of_target(y).startswith("continuous")
    except (TypeError, ValueError):  # labels scikit-learn cannot even type: the samplers name them
        return False
