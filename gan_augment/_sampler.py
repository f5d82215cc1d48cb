"""What gan-augment's imbalanced-learn samplers share."""

from __future__ import annotations

import contextlib
import numbers

import numpy as np
import pandas as pd
from sklearn.utils import get_tags

from gan_augment._compat import Interval, InvalidParameterError
from gan_augment.data.images import images_as_given
from gan_augment.data.tabular import as_pandas_frame, check_target, plain_labels
from gan_augment.planner import check_strategy_values


def declared_tags(estimator):
    """scikit-learn's tags of ``estimator``, None for an object without them (duck-typed)."""
    try:
        return get_tags(estimator)
    except AttributeError:  # no __sklearn_tags__: scikit-learn cannot tell
        return None


class SamplerMixin:
    """An imbalanced-learn sampler of gan-augment's: never sparse input, new rows returned rather
    than indices of existing ones, and the target and the sampling strategy checked (and named)
    before imbalanced-learn reads them."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.sparse = False
        tags.sampler_tags.sample_indices = False
        return tags

    def _validate_params(self):
        """scikit-learn's check of the parameters, and a bool refused where a number is asked for:
        ``True`` is an Integral and a Real to scikit-learn's ``Interval`` (``checkpoint_every=True``
        failed after the data was encoded, naming "every"; ``max_modes=True`` fitted one mode;
        ``lr_g=True`` trained at a learning rate of 1)."""
        super()._validate_params()  # type: ignore[misc]
        for name, constraints in self._parameter_constraints.items():  # type: ignore[attr-defined]
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) and "boolean" not in constraints and any(
                    isinstance(c, Interval) and c.type in (numbers.Integral, numbers.Real) for c in constraints):
                what = "a count: pass an int" if any(isinstance(c, Interval) and c.type is numbers.Integral
                                                     for c in constraints) else "a number: pass one"
                raise InvalidParameterError(f"The {name!r} parameter of {type(self).__name__} is {what}, not "
                                            f"{value!r}.")

    def fit(self, X, y, **params):
        """Check the sampling strategy as imbalanced-learn's ``fit`` does, with the target and the
        strategy's counts checked first (see :meth:`fit_resample`)."""
        refuse_params(self, "fit", params)
        with keeping_fitted_state(self):
            self._check_target_and_counts(y)
            return super().fit(X, labels_for_imblearn(y), **params)  # type: ignore[misc]

    def fit_resample(self, X, y, **params):
        """Resample ``(X, y)`` as imbalanced-learn's ``fit_resample`` does, with the target and the
        sampling strategy's counts checked first.

        imbalanced-learn runs scikit-learn's ``check_classification_targets`` before any hook of
        ours: a missing label in a pandas Series fails there with numpy's own ``TypeError``
        (comparing ``str`` and ``float``), and labels of mixed types are called a "regression
        target". Then it compares a dict strategy's values with the class counts, so that ``"10"``
        fails with a ``TypeError`` and ``10.5`` is floored. Here both are named first
        (:func:`~gan_augment.data.tabular.check_target`).

        A polars DataFrame or a pyarrow Table is read as its ``to_pandas()`` gives it, and the rows
        come back as a pandas DataFrame of the same column names.
        """
        refuse_params(self, "fit_resample", params)
        with keeping_fitted_state(self):
            self._check_target_and_counts(y)
            # Before imbalanced-learn notes the container to give the rows back in.
            X_res, y_res = super().fit_resample(  # type: ignore[misc]
                as_pandas_frame(X), labels_for_imblearn(y), **params)
        return images_as_given(X, X_res), one_hot_as_given(y, labels_as_given(y, y_res))

    def _check_target_and_counts(self, y) -> None:
        check_target(y)
        check_strategy_values(self.sampling_strategy, y,  # type: ignore[attr-defined]
                              classes_option="classes" in self.get_params(deep=False))  # type: ignore[attr-defined]


class TableSamplerMixin(SamplerMixin):
    """A sampler that takes tables as they are: missing values and string columns included."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def labels_for_imblearn(y):
    """Labels imbalanced-learn can check and rebuild: unsigned integers of a pandas or Arrow dtype
    (scikit-learn's check read 2**63 through int64 as a "continuous" target) as numpy's own, and
    the labels of an Arrow dictionary (imbalanced-learn rebuilt the resampled labels in the given
    dtype, which pyarrow cannot make from numpy) as its values; in a Series, a one-column
    DataFrame or a bare pandas array, which :func:`labels_as_given` gives back as given."""
    if isinstance(y, pd.DataFrame) and y.shape[1] == 1:
        column = _series_for_imblearn(y.iloc[:, 0])
        return y if column.dtype == y.dtypes.iloc[0] else pd.DataFrame({y.columns[0]: column}, index=y.index)
    if isinstance(y, pd.api.extensions.ExtensionArray):
        # imbalanced-learn gives a bare array's labels back as numpy's (as it did before).
        column = _series_for_imblearn(pd.Series(y))
        return y if column.dtype == y.dtype else column.to_numpy()
    return _series_for_imblearn(y) if isinstance(y, pd.Series) else y


def _series_for_imblearn(y: pd.Series) -> pd.Series:
    if _is_arrow_dictionary(y.dtype):
        y = y.astype(pd.ArrowDtype(y.dtype.pyarrow_dtype.value_type))  # (categories refuse a null or twice a value)
    return plain_labels(y)


def target_name(y):
    """The name ``y`` gives its labels: a Series' name or a one-column DataFrame's column, when it
    is text, not blank (a CSV's or parquet file's header holds such names); None otherwise."""
    if isinstance(y, pd.DataFrame):
        name = y.columns[0] if y.shape[1] == 1 else None
    else:
        name = y.name if isinstance(y, pd.Series) else None
    return name if isinstance(name, str) and name.strip() else None


def labels_as_given(y, y_res):
    """``y_res`` in the dtype of the Series or one-column DataFrame ``y`` that
    :func:`labels_for_imblearn` changed."""
    if isinstance(y, pd.DataFrame) and y.shape[1] == 1 and isinstance(y_res, pd.DataFrame) and y_res.shape[1] == 1:
        resampled = y_res.iloc[:, 0]
        column = labels_as_given(y.iloc[:, 0], resampled)
        return y_res if column is resampled else pd.DataFrame({y_res.columns[0]: column}, index=y_res.index)
    if not isinstance(y, pd.Series) or not isinstance(y_res, pd.Series) or y_res.dtype == y.dtype:
        return y_res
    if not _is_arrow_dictionary(y.dtype):
        return y_res.astype(y.dtype)
    import pyarrow as pa  # there, as y holds an Arrow dtype
    import pyarrow.compute as pc

    # Coded by the given dictionary, whatever values of it the rows use (the first of a value
    # the dictionary holds twice).
    dictionary_type = y.dtype.pyarrow_dtype
    dictionary = pa.chunked_array(pa.array(y.array)).combine_chunks().dictionary
    values = pa.array(np.asarray(y_res, dtype=object), type=dictionary_type.value_type)
    codes = pc.index_in(values, value_set=dictionary).cast(dictionary_type.index_type)
    return pd.Series(pa.DictionaryArray.from_arrays(codes, dictionary), dtype=y.dtype, name=y_res.name,
                     index=y_res.index)


def _is_arrow_dictionary(dtype) -> bool:
    return isinstance(dtype, pd.ArrowDtype) and hasattr(dtype.pyarrow_dtype, "index_type")


def one_hot_as_given(y, y_res):
    """``y_res`` in the columns and dtype of a one-hot ``y``: imbalanced-learn gives it back through
    scikit-learn's ``label_binarize`` of the classes used, which makes a two-class target one column,
    drops a column no row uses, and makes every target integers (a two-output network's targets
    lost a column; booleans became 0/1 ints)."""
    as_list = isinstance(y_res, list)  # a list of lists given, one given back
    binarized = np.asarray(y_res) if as_list else y_res
    # Not np.ndim(y): scikit-learn's estimator checks pass array-likes that refuse numpy's functions.
    if getattr(binarized, "ndim", None) != 2:  # y was not one-hot
        return y_res
    given = np.asarray(y)
    if given.ndim != 2 or given.shape[1] < 2:
        return y_res
    # Its columns are the classes y uses, in order (one column where two are used: the second's).
    used = np.unique(given.argmax(axis=1))
    column = used[binarized[:, 0].astype(np.intp)] if binarized.shape[1] == 1 else used[binarized.argmax(axis=1)]
    out = np.zeros((len(binarized), given.shape[1]), dtype=given.dtype)
    out[np.arange(len(binarized)), column] = 1
    return out.tolist() if as_list else out


def refuse_class(name: str, value) -> None:
    """HasMethods takes a class too: refused here, naming the parameter (get_params then wanted a
    self; scikit-learn's tags said "Expected an estimator instance" of no parameter)."""
    if isinstance(value, type):
        raise TypeError(f"{name}= takes an instance, {value.__name__}(...), and got the class {value.__name__}: add "
                        "the parentheses (and its settings).")


def check_resampled(sampler, X, y, X_res, y_res) -> None:
    """Refuse what a sampler of the caller's returned where it is no top-up of ``X, y``: as many
    rows as labels, X's columns, and labels of y's classes. Its invented labels ("1" for 1) were
    learned as classes of their own, silently, or failed in scoring, after every fit ("Mix of label
    input types"); dropped columns failed in the estimator, naming neither."""
    from gan_augment._classes import plain_label
    from gan_augment.data.layout import shape_of

    name = type(sampler).__name__
    n_rows, n_labels = shape_of(X_res)[0], len(y_res)
    if n_rows != n_labels:
        raise ValueError(f"The augmenter {name} returned {n_rows} rows and {n_labels} labels; a sampler returns one "
                         "label per row.")
    width, width_res = shape_of(X)[1:], shape_of(X_res)[1:]
    if width != width_res:
        raise ValueError(f"The augmenter {name} returned rows of shape {width_res} for rows of shape {width}; a "
                         "sampler returns rows of X's columns (drop columns in the estimator's Pipeline instead).")
    classes = pd.unique(pd.Series(np.asarray(y).ravel()))
    added = pd.unique(pd.Series(np.asarray(y_res).ravel()))
    unknown = [label for label in added if not any(label == known for known in classes)]
    if unknown:
        shown = ", ".join(repr(plain_label(label)) for label in unknown[:3])
        raise ValueError(f"The augmenter {name} returned labels that y does not hold ({shown}); a sampler returns "
                         f"labels of y's classes ({', '.join(repr(plain_label(label)) for label in classes[:5])}"
                         f"{', ...' if len(classes) > 5 else ''}), as y holds them.")


def frame_like(X_res, like: pd.DataFrame) -> pd.DataFrame:
    """A sampler's rows of ``like``'s columns as a DataFrame with those column names and a fresh
    index: a sampler that returned an array left the estimator without feature names (and every
    later ``predict`` on a DataFrame warned of it)."""
    if isinstance(X_res, pd.DataFrame):
        return X_res.reset_index(drop=True)
    frame = pd.DataFrame(np.asarray(X_res), columns=like.columns)
    # Whole-number columns come back from an array as floats (the code 1 as 1.0, which as a
    # category is another one, and a copied row read as new): their dtype again where it loses nothing.
    for position, dtype in enumerate(like.dtypes):
        column = frame.iloc[:, position]
        if column.dtype != dtype and (pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            try:
                with np.errstate(invalid="ignore", over="ignore"):  # a value past the dtype: not cast, unsaid
                    cast = column.astype(dtype)
                exact = np.array_equal(cast.to_numpy(dtype=float, na_value=np.nan),
                                       pd.to_numeric(column).to_numpy(dtype=float, na_value=np.nan), equal_nan=True)
            except (TypeError, ValueError, OverflowError):
                continue
            if exact:
                frame.isetitem(position, cast)
    return frame


def refuse_params(sampler, method: str, params: dict) -> None:
    """Refuse, before any work, keyword arguments the sampler does not take (``groups=`` for a
    splitter: imbalanced-learn passed it on, and a TypeError named a private method)."""
    if not params:
        return
    given = ", ".join(f"{name}=" for name in params)
    hint = (" A splitter that needs groups is not given them here: pass its folds instead, "
            "cv=list(GroupKFold(3).split(X, y, groups))." if "groups" in params and hasattr(sampler, "cv") else "")
    raise TypeError(f"{type(sampler).__name__}.{method} takes X and y only; got {given}.{hint}")


@contextlib.contextmanager
def keeping_fitted_state(estimator):
    """Run a fit that, if it fails or is interrupted (Ctrl-C, a refused checkpoint folder, an error
    in training), leaves ``estimator`` as it was: a refit sets ``classes_`` and the encoder before
    the generator, and a model half replaced would sample the new classes from the old generator."""
    before = {name: value for name, value in vars(estimator).items() if _is_fitted(name)}
    try:
        yield
    except BaseException:
        for name in [name for name in vars(estimator) if _is_fitted(name)]:
            delattr(estimator, name)
        vars(estimator).update(before)
        raise


def _is_fitted(name: str) -> bool:
    """scikit-learn's convention: what fit sets ends with one underscore (``classes_``)."""
    return name.endswith("_") and not name.startswith("__")


def removes_rows(augmenter) -> bool:
    """Whether ``augmenter`` is an imbalanced-learn under-sampler or cleaner (RandomUnderSampler,
    TomekLinks, ...): it removes rows instead of adding them, and its ``sampling_strategy`` names
    the classes it reduces ('majority', ``{0: 100}``), not classes to top up."""
    return getattr(augmenter, "_sampling_type", None) in ("under-sampling", "clean-sampling")
