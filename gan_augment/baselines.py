"""What a practitioner would do without us: the resampling baselines, in one place.

The evaluator compares the GAN top-up with these, and :class:`~gan_augment.AutoAugmenter` chooses
among them; both build them here so that a baseline means the same thing everywhere.

* ``"random"``: :class:`RowOversampler`, imbalanced-learn's RandomOverSampler (repeat rare rows)
  with the rows of a DataFrame repeated exactly.
* ``"smote"``: :class:`MixedSMOTE`, SMOTE on numeric tables, SMOTE-NC on mixed ones and SMOTE-N on
  categorical ones, accepting missing values -- what a careful practitioner would set up by hand.
* ``"classic"`` (images): :class:`ClassicOversampler`, the rare images repeated, each repeat
  moved a little by albumentations -- what a practitioner does with a few rare images.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np
import pandas as pd
import sklearn
from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC, RandomOverSampler
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.utils.validation import validate_data

from gan_augment._compat import Interval
from gan_augment._listing import column_suggestion
from gan_augment._memory import check_top_up_fits, gib, physical_memory, value_bytes
from gan_augment._random import derive_seed
from gan_augment._sampler import SamplerMixin, TableSamplerMixin
from gan_augment.data._dtypes import decimal_places, round_to_dtype
from gan_augment.data.tabular import check_columns, column_floats, concat_rows, decimal_column
from gan_augment.data.tabular import is_number_column as is_numeric
from gan_augment.data.tabular import plain_labels, resolve_categorical_columns
from gan_augment.exceptions import DataValidationError
from gan_augment.kinds.tabular import as_rows, check_finite
from gan_augment.planner import plain_label

__all__ = ["BASELINE_SAMPLERS", "ClassicOversampler", "MixedSMOTE", "RowOversampler", "baseline_sampler",
           "classic_transforms", "is_numeric", "named_categorical", "split_columns"]

#: Resampling baselines by the name the evaluator and AutoAugmenter use ("classic": images only).
BASELINE_SAMPLERS = ("random", "smote", "classic")


def split_columns(X: pd.DataFrame, categorical=()) -> tuple[list, list]:
    """``(numeric columns, categorical columns)`` of ``X``; those named in ``categorical`` are
    categorical whatever they hold (codes written as numbers)."""
    numeric = [c for c in X.columns if c not in categorical and is_numeric(X[c])]  # numbers SMOTE may interpolate
    return numeric, [c for c in X.columns if c not in numeric]


def named_categorical(sampler, X: pd.DataFrame) -> list:
    """The columns of ``X`` (a table's frame, an array's named by position) that ``sampler``'s
    ``categorical_features`` names categorical, for the baselines and classifiers compared with it:
    a zip code the GAN models as categories was interpolated by SMOTE and scaled as a number by the
    evaluator's logistic regression."""
    params = sampler.get_params(deep=False) if hasattr(sampler, "get_params") else {}
    given = params.get("categorical_features")
    if given is None and params.get("augmenter") is not None:  # AutoAugmenter: its GAN's
        return named_categorical(params["augmenter"], X)
    if given is None and isinstance(getattr(sampler, "steps", None), list):
        # A Pipeline: its samplers' before any other step (positions after one name its output's columns).
        named: set = set()
        for _, step in sampler.steps:
            if step is None or step == "passthrough":
                continue
            if not hasattr(step, "fit_resample") or hasattr(step, "transform"):
                break
            named.update(named_categorical(step, X))
        return [column for column in X.columns if column in named]
    if given is None or isinstance(given, str):  # SMOTENC's "auto" reads the dtypes, as we do
        return []
    # Ours read integers as names where columns are named by integers; imbalanced-learn's as positions.
    positions = (resolve_categorical_columns(X, given) if isinstance(sampler, TableSamplerMixin)
                 else _positions_as_imblearn_reads_them(X, given))
    return [column for position, column in enumerate(X.columns) if position in positions]


def _positions_as_imblearn_reads_them(X: pd.DataFrame, given) -> set[int]:
    """The positions an imbalanced-learn sampler's ``categorical_features`` names: a boolean mask,
    positions (negative ones from the end) or column names; what names none of ``X``'s columns is
    refused now, before any fold (the sampler's own words came after the first fold's baselines)."""
    given, n = np.asarray(given), X.shape[1]
    if given.dtype.kind == "b":
        if given.shape != (n,):
            raise DataValidationError(f"The augmenter's categorical_features is a boolean mask of {given.size} "
                                      f"entries, but X has {n} columns; give one True/False per column.")
        return set(np.flatnonzero(given).tolist())
    if given.dtype.kind in "iu":
        wrong = [int(position) for position in given.ravel() if not -n <= position < n]
        if wrong:
            raise DataValidationError(f"The augmenter's categorical_features names the position {wrong[0]}, beyond X's "
                                      f"{n} columns.")
        return {int(position) % n for position in given.ravel()}
    names = given.ravel().tolist()
    unknown = [name for name in names if name not in X.columns]
    if unknown:
        raise DataValidationError(f"The augmenter's categorical_features names {unknown[0]!r}, which is not a column "
                                  f"of X (columns: {list(X.columns)[:20]}).{column_suggestion(unknown[0], X.columns)}")
    return {X.columns.get_loc(name) for name in names}


def unchanged_copies(X, y):
    """``(X, y)`` as copies, a DataFrame with a fresh index: what a sampler that adds nothing returns,
    as imbalanced-learn's do (giving the caller's X back let a change to the result change it)."""
    return (X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else np.array(X, copy=True)), \
        np.array(y, copy=True)


def smote_frame(X) -> pd.DataFrame:
    """``X`` as :class:`MixedSMOTE` reads its columns: a DataFrame as given (fresh index), an array's
    columns of numbers (rows mixing numbers and text) as numbers, as the GAN's encoder reads them."""
    return X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X)).infer_objects()


def with_table_categories(sampler, categorical: list, X):
    """``sampler``, to be fitted on ``X`` (a fold of a table), told to take as categories the columns
    of ``categorical`` (the whole table's categorical columns) that ``X``'s values alone make numbers,
    where it takes ``categorical_features`` and was left to find them itself: it read a code column
    whose text codes the fold lacks as numbers, and made codes no row has. Only those for the GAN (a
    column named categorical skips the advice an ID-like column gets); all of them for
    :class:`MixedSMOTE`, whose list names every categorical column."""
    params = sampler.get_params(deep=False)
    if not categorical or "categorical_features" not in params or params["categorical_features"] is not None:
        return sampler
    if isinstance(sampler, MixedSMOTE):
        forced = list(categorical)
    else:
        numeric_here = set(split_columns(smote_frame(X))[0])
        forced = [column for column in categorical if column in numeric_here]
    if forced:
        sampler.set_params(categorical_features=forced)
    return sampler


class RowOversampler(RandomOverSampler):
    """imbalanced-learn's RandomOverSampler, with the rows of a DataFrame repeated exactly as given.

    RandomOverSampler stacks a DataFrame's rows into one array and casts its columns back: a table
    of int and float columns went through float64, which rounds integers beyond 2**53 and wraps
    2**63 - 1 to -2**63, in the real rows as well as the repeats. Here the rows are drawn as
    RandomOverSampler draws them (the same ``random_state`` repeats the same rows) and taken from
    the DataFrame by position. ``shrinkage`` (a smoothed bootstrap, numbers only) is imbalanced-learn's.
    """

    def _fit_resample(self, X, y):
        if not isinstance(X, pd.DataFrame) or self.shrinkage is not None:
            return super()._fit_resample(X, y)
        _, y_resampled = super()._fit_resample(np.arange(len(X)).reshape(-1, 1), y)
        return X.iloc[self.sample_indices_].reset_index(drop=True), y_resampled


def baseline_sampler(method: str, sampling_strategy="auto", random_state=None, *, image_shape=None,
                     categorical_features=None):
    """A fresh, unfitted imbalanced-learn sampler for the baseline ``method`` (``image_shape``:
    the ``(C, H, W)`` of the pixel rows, for ``"classic"``; ``categorical_features``: the columns
    SMOTE takes as categories, judged on the whole table rather than on one fold of it)."""
    if method == "random":
        return RowOversampler(sampling_strategy=sampling_strategy, random_state=random_state)
    if method == "smote":
        return MixedSMOTE(sampling_strategy=sampling_strategy, categorical_features=categorical_features,
                          random_state=random_state)
    if method == "classic":
        return ClassicOversampler(image_shape, sampling_strategy=sampling_strategy, random_state=random_state)
    raise ValueError(f"Unknown baseline {method!r}; expected one of {list(BASELINE_SAMPLERS)}.")


def check_X_y_as_given(sampler, X, y):
    """imbalanced-learn's input check for a sampler that keeps DataFrames (and their columns) as they are."""
    y, binarize_y = check_target_type(plain_labels(y), indicate_one_vs_all=True)
    X = as_rows(sampler, X, y)
    check_columns(X, modelled=False)  # the GAN's refusals of unnamed, repeated or list-holding columns
    validate_data(sampler, X=X, y=y, reset=True, skip_check_array=True)
    return X, y, binarize_y


def classic_transforms() -> list:
    """The classic augmentation of the ``"classic"`` baseline: albumentations' small affine moves
    (shifts up to 8% of the side, rotations up to 10 degrees, scale 0.9-1.1, on 80% of the
    images). No flips or colour changes: a flipped digit, letter or X-ray is another image.

    albumentations (from 1.4.22) shifts by whole pixels, rounded towards zero: an image under 13 px
    a side is rotated and scaled but not shifted, and at 28 px a shift is 0, 1 or 2 pixels."""
    from gan_augment.data.albumentations_adapter import import_albumentations

    A = import_albumentations()
    return [A.Affine(translate_percent=(-0.08, 0.08), rotate=(-10, 10), scale=(0.9, 1.1), p=0.8)]


class ClassicOversampler(SamplerMixin, BaseOverSampler):
    """Repeat the images of the classes to top up, each repeat under classic augmentation.

    Random oversampling of images as a practitioner does it: each added image is a real image of
    its class, drawn with replacement, then passed through an albumentations pipeline (default
    :func:`classic_transforms`, which moves 80% of the repeats and keeps the rest exact copies),
    so that the classifier does not see the same few pixels again and again. Images come as rows
    of pixels in ``(C, H, W)`` order, as ``GANAugmenter(image_shape=...)`` reads them; the real
    rows come back first and unchanged, then the new ones, in the input's container and dtype.

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` of each row's image.
    sampling_strategy : as in imbalanced-learn
    augmentation : albumentations transform, list of transforms, Compose, or None
        The augmentation of each repeat; None: :func:`classic_transforms`. Needs albumentations
        (``pip install "gan-augment[albumentations]"``). Colour transforms expect pixels of uint8 or
        floats in 0..1: other images (16-bit) suit geometric ones only (see
        ``AlbumentationsTransform``). (Not named ``transform``: imbalanced-learn's Pipeline takes a
        step with a ``transform`` attribute beside ``fit_resample`` for an invalid step, and
        refuses it.) Values of it in a search's grid are cloned by scikit-learn, which takes an
        albumentations transform for an estimator and fails: give each as ``A.Compose([...])``.
    random_state : int, RandomState instance or None
        Seeds which images are repeated and how each is moved.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: images added}`` by the last ``fit_resample``.
    n_features_in_ : as in scikit-learn.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "image_shape": ["array-like"],
        "augmentation": [None, object],
        "random_state": ["random_state"],
    }

    def __init__(self, image_shape, *, sampling_strategy="auto", augmentation=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.image_shape = image_shape
        self.augmentation = augmentation
        self.random_state = random_state

    def __sklearn_clone__(self):
        # An albumentations transform has a get_params() of its own (its random draws), which clone
        # takes for an estimator's and calls with deep=False (a TypeError in every cross-validation,
        # search and evaluation): the augmentation is copied as a plain object instead.
        params = {name: copy.deepcopy(value) if name == "augmentation" else clone(value, safe=False)
                  for name, value in self.get_params(deep=False).items()}
        cloned = type(self)(**params)
        if hasattr(self, "_metadata_request"):  # routing requests travel with a clone, as sklearn's own
            cloned._metadata_request = copy.deepcopy(self._metadata_request)
        return cloned

    def _check_X_y(self, X, y, accept_sparse=None):
        from gan_augment.data.images import check_not_pil_images, check_pixels
        from gan_augment.data.layout import check_image_shape, flattening, shape_of

        check_not_pil_images(X, rows=True)  # before the advice to flatten, which a list cannot follow
        if not isinstance(X, pd.DataFrame) and len(shape_of(X)) != 2:
            found = flattening(shape_of(X))
            how = (f"{found[0]}, with image_shape={found[1]}" if found else
                   "X.reshape(len(X), -1) for (N, H, W) or (N, C, H, W) arrays, "
                   "X.transpose(0, 3, 1, 2).reshape(len(X), -1) for (N, H, W, C)")
            raise ValueError(f"ClassicOversampler reads images as rows of pixels in (C, H, W) order; X has shape "
                             f"{shape_of(X)}. Flatten it first: {how}.")
        X, y, binarize_y = check_X_y_as_given(self, X, y)
        shape = check_image_shape(self.image_shape)
        if X.shape[1] != int(np.prod(shape)):
            raise ValueError(f"image_shape={tuple(self.image_shape)} holds {int(np.prod(shape))} pixels, but the rows "
                             f"of X have {X.shape[1]} columns; give the (C, H, W) of the images.")
        check_pixels(X)  # a repeat of an image with a NaN would carry it into the new rows
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        from sklearn.utils import check_random_state

        from gan_augment.data.albumentations_adapter import AlbumentationsTransform

        rng = check_random_state(self.random_state)
        to_add = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        pixels = np.asarray(X)
        check_top_up_fits(to_add, pixels.shape[1], "images", value_bytes=value_bytes(pixels))
        channels, height, width = (int(v) for v in self.image_shape)
        moved, labels = [], []
        # One pipeline, seeded once: the repeats are moved in a fixed order, so the result is seeded too.
        transform = AlbumentationsTransform(classic_transforms() if self.augmentation is None else self.augmentation,
                                            seed=int(rng.randint(np.iinfo(np.int32).max)), name="augmentation=")
        _refuse_rescaling(transform.transform)
        for label, n in to_add.items():
            rows = rng.choice(np.flatnonzero(y == label), size=n, replace=True)
            for row in pixels[rows]:
                # albumentations works on channel-last float32 or uint8 arrays.
                image = row.reshape(channels, height, width).transpose(1, 2, 0)
                work = image if image.dtype in (np.uint8, np.float32) else image.astype(np.float32)
                out = _repeat_as_pixels(transform(work), work)
                if out.dtype == work.dtype and np.array_equal(out, work):
                    out = image  # a repeat left unmoved is an exact copy, not one rounded to float32
                if out.size != image.size:
                    raise ValueError(
                        f"augmentation= turned a {height}x{width}x{channels} image into one of shape "
                        f"{out.shape}; the repeats must keep the images' size (leave out crops and resizes, "
                        "or pad back to the size).")
                out = out.reshape(height, width, channels).transpose(2, 0, 1).reshape(-1)
                if pixels.dtype.kind in "biu" and out.dtype != pixels.dtype:
                    out = _whole_pixels(out, pixels.dtype)
                moved.append(out.astype(pixels.dtype))
            labels.append(np.full(n, label, dtype=np.asarray(y).dtype))
        if not moved:  # (the caller's X came back itself)
            return unchanged_copies(X, y)
        new = np.stack(moved)
        y_res = np.concatenate([np.asarray(y), *labels])
        if isinstance(X, pd.DataFrame):
            added = pd.DataFrame(new, columns=X.columns).astype(X.dtypes.to_dict())
            return pd.concat([X, added], ignore_index=True), y_res
        return np.concatenate([pixels, new]), y_res


#: Transforms that put images on another scale or into tensors: the repeats are rows of pixels beside
#: the real ones (ToTensorV2's tensor read as channel-last scrambled them; Normalize's floats rounded
#: into uint8 made them black, beside float or 16-bit rows they were on a scale of their own).
_RESCALING = ("Normalize", "ToFloat", "FromFloat", "ToTensorV2")


def _refuse_rescaling(compose) -> None:
    """A ValueError naming ``augmentation=`` where its pipeline holds one of :data:`_RESCALING`."""
    from gan_augment.data.albumentations_adapter import transforms_in

    found = sorted({type(t).__name__ for t in transforms_in(compose)} & set(_RESCALING))
    if found:
        raise ValueError(f"augmentation= holds {', '.join(found)}, which put the images on another scale or into "
                         "tensors: the repeats are rows of pixels on the images' own scale, beside the real rows. "
                         "Leave them to the classifier's own preprocessing.")


def _repeat_as_pixels(out, given: np.ndarray) -> np.ndarray:
    """The pipeline's output for one channel-last repeat as pixels, or a ValueError naming
    ``augmentation=``: floats a transform of another kind (a Lambda) made of uint8 pixels would be
    rounded back into 0..255 (:data:`_RESCALING`'s are refused up front)."""
    out = np.asarray(out)
    if given.dtype == np.uint8 and out.dtype.kind == "f":
        raise ValueError("augmentation= turned uint8 pixels into floats: the repeats must stay on the images' own "
                         "scale, 0..255, beside the real rows.")
    return out


def _whole_pixels(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Moved pixels (floats) as whole values of the integer or boolean ``dtype``, within its range
    (booleans: a blend rounds to 0 or 1, where a cast would make every nonzero blend True and thicken
    the strokes). Not the image's own range: that erased the border albumentations fills with 0,
    which uint8 images keep."""
    low, high = (0, 1) if dtype.kind == "b" else (np.iinfo(dtype).min, np.iinfo(dtype).max)
    # In float64: float32 reads int32's largest value as 2**31, which the cast wraps; int64's is
    # 2**63 even in float64, and is set apart from the cast.
    floats = np.clip(np.rint(values.astype(np.float64)), low, high)
    top = floats >= float(high)
    whole = np.where(top, 0, floats).astype(dtype)
    whole[top] = high
    return whole


class MixedSMOTE(TableSamplerMixin, BaseOverSampler):
    """SMOTE for any table: SMOTE, SMOTE-NC or SMOTE-N chosen by the columns' types.

    Missing values are imputed (the class's own median / most frequent value) for the interpolation
    only: the real rows are returned as they were, followed by the new rows, cast to the input's
    column dtypes, and missing in each column at their class's rate there. As with an imputer
    before SMOTE, the new rows grown from imputed cells lean towards those stand-ins: in a column
    the class often misses, more of their values lie near its median (or are its most frequent
    value) than among its real values. Integers are rounded to whole numbers within the column's
    range (imbalanced-learn truncates them); categories are coded in their sorted order, as
    imbalanced-learn's encoders code them, so on complete data of floats and categories the new
    rows are SMOTE's, SMOTE-NC's or SMOTE-N's with the same ``random_state`` and (shrunk) number
    of neighbours. The number of neighbours shrinks to what the smallest class to top up allows
    (at least 1).

    Parameters
    ----------
    sampling_strategy : as in imbalanced-learn
    categorical_features : list of column names or indices, a boolean mask, or None, default=None
        The columns to take as categories (values picked, not interpolated), read as
        :class:`GANAugmenter` reads them (integers are positions where the columns are not named by
        integers); the others must hold numbers. None: judged by the columns' types (numbers are
        interpolated). Give them where the rows are part of a table whose column kinds are known (a
        cross-validation fold whose training rows of a code column happen to hold numbers only).
    k_neighbors : int, default=5
        The most neighbours to interpolate between.
    random_state : int, RandomState instance or None

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows added}`` by the last ``fit_resample``.
    n_features_in_, feature_names_in_ : as in scikit-learn.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "categorical_features": [None, "array-like"],
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", categorical_features=None, k_neighbors=5, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.categorical_features = categorical_features
        self.k_neighbors = k_neighbors
        self.random_state = random_state

    def _check_X_y(self, X, y, accept_sparse=None):
        return check_X_y_as_given(self, X, y)

    def _fit_resample(self, X, y):
        check_top_up_fits(self.sampling_strategy_, np.shape(X)[1], "rows", value_bytes=value_bytes(X, image=False))
        frame = smote_frame(X)
        # The new rows take the types of the columns as given (ints and None, not floats and NaN).
        given = frame if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        # (numpy's complex dtypes only: pandas' own check fails on some Arrow types, refused below by name)
        complex_column = next((name for name in frame.columns
                               if isinstance(frame[name].dtype, np.dtype) and frame[name].dtype.kind == "c"), None)
        if complex_column is not None:  # interpolated as floats, the new rows lost the imaginary parts
            raise ValueError(f"Column {complex_column!r} holds complex numbers, which SMOTE cannot interpolate; "
                             "give their real and imaginary parts columns of their own.")
        self._named_categorical(frame)  # checked whether or not rows are added
        counts = dict(zip(*np.unique(y, return_counts=True)))
        to_add = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        if not to_add:
            return unchanged_copies(X, y)
        # Differences between rows of 1e308 overflow: new rows held inf.
        check_finite(frame, limit="SMOTE can interpolate without overflowing")
        single = [label for label in to_add if counts[label] < 2]
        if single:
            shown = ", ".join(repr(plain_label(label)) for label in single)
            raise ValueError(f"SMOTE cannot top up class {shown}: it has a single row, and SMOTE interpolates "
                             "between two rows of a class. Top it up with random oversampling or the GAN, or "
                             "leave it out.")
        k = smote_neighbours(self.k_neighbors, counts, to_add)
        numeric, categorical = self._column_kinds(frame)
        refusal = smote_nc_refusal(frame, numeric, categorical, counts, to_add, self.k_neighbors)
        if refusal:  # before the work: imbalanced-learn failed with numpy's bare MemoryError, or took the machine
            raise ValueError(f"{refusal}, or top up with random oversampling or the GAN.")
        imputed, values_of = _impute(frame, numeric, categorical, np.asarray(y))
        target = {label: counts[label] + n for label, n in to_add.items()}
        if categorical and numeric:
            sampler = SMOTENC(categorical_features=[frame.columns.get_loc(c) for c in categorical],
                              sampling_strategy=target, k_neighbors=k, random_state=self.random_state)
        elif categorical:
            sampler = SMOTEN(sampling_strategy=target, k_neighbors=k, random_state=self.random_state)
        else:
            sampler = SMOTE(sampling_strategy=target, k_neighbors=k, random_state=self.random_state)
        with sklearn.config_context(transform_output="default"):  # SMOTE-NC's one-hot fails under "pandas"
            X_res, y_res = sampler.fit_resample(imputed, y)
        new = pd.DataFrame(np.asarray(X_res, dtype=object)[len(frame):], columns=frame.columns)
        new = _cast_like(_decode_categories(new, values_of), given, decoded=set(values_of))
        # Its own stream: drawn from SMOTE's seed, the mask of a row would follow the row it grew from.
        rng = (np.random.RandomState(derive_seed(int(self.random_state), _MISSING_STREAM))
               if isinstance(self.random_state, numbers.Integral)
               else sklearn.utils.check_random_state(self.random_state))
        # A numpy object array's own cells: read into a frame, its text columns became strings, their
        # None a NaN.
        written = (pd.DataFrame(np.asarray(X), dtype=object)
                   if not isinstance(X, pd.DataFrame) and np.asarray(X).dtype == object else None)
        new = _missing_as_in_class(new, given if written is None else written, np.asarray(y),
                                   np.asarray(y_res)[len(frame):], rng)
        if isinstance(X, pd.DataFrame):
            return concat_rows([frame, new]), np.asarray(y_res)
        X = np.asarray(X)  # the real rows as given, first
        return np.concatenate([X, new.to_numpy(dtype=X.dtype)]), np.asarray(y_res)

    def _named_categorical(self, frame: pd.DataFrame):
        """The columns of ``frame`` that ``categorical_features`` names, or None where it is None;
        read as the GAN reads it (names, positions where they cannot be names, or a boolean mask),
        and what names no column refused. (Read by name only, it refused positions, which the
        evaluator's folds of an array, whose columns it names x0, x1, ..., could not take.)"""
        if self.categorical_features is None:
            return None
        positions = resolve_categorical_columns(frame, self.categorical_features)
        return [column for position, column in enumerate(frame.columns) if position in positions]

    def _column_kinds(self, frame: pd.DataFrame) -> tuple[list, list]:
        """``(numeric columns, categorical columns)``: as ``categorical_features`` names them, else
        by the columns' types."""
        named = self._named_categorical(frame)
        if named is None:
            return split_columns(frame)
        # A column of no values at all (a fold's rows of a mostly missing one) is not text: taken as
        # the column types take it.
        missing = [name for name in frame.columns if name not in named and frame[name].isna().all()]
        numeric = [name for name in frame.columns if name not in named and name not in missing]
        text = next((name for name in numeric if not is_numeric(frame[name])), None)
        if text is not None:
            raise ValueError(f"Column {text!r} holds values that are not numbers, but categorical_features does not "
                             "name it: SMOTE cannot interpolate it. Add it to categorical_features.")
        numeric += [name for name in missing if is_numeric(frame[name])]
        return ([name for name in frame.columns if name in numeric],
                [name for name in frame.columns if name not in numeric])


def smote_neighbours(k_neighbors: int, counts: dict, to_add: dict) -> int:
    """The neighbours SMOTE interpolates between: ``k_neighbors``, shrunk to what the smallest class
    ``to_add`` tops up allows (its other rows)."""
    return min(k_neighbors, min(counts[label] for label, n in to_add.items() if n > 0) - 1)


def smote_nc_refusal(frame: pd.DataFrame, numeric: list, categorical: list, counts: dict, to_add: dict,
                     k_neighbors: int) -> str | None:
    """Why imbalanced-learn's SMOTE-NC cannot add ``to_add`` (``{class: rows}``) to ``frame`` (of
    ``counts`` rows per class) with ``k_neighbors`` (as MixedSMOTE shrinks them) in this machine's
    memory; None where it can, where nothing is added, or where the columns call for SMOTE or
    SMOTE-N. For each class it holds the one-hot coded
    neighbours of every new row as one dense float64 array: rows to add x ``k`` x (numeric columns
    + every value of every categorical column), with the class's own rows so coded. A column of
    30,000 IDs made that 33 GiB for 29,400 new rows. The reason ends in advice the caller goes on."""
    if not (numeric and categorical) or not any(n > 0 for n in to_add.values()) \
            or (physical := physical_memory()) is None:
        return None
    k = smote_neighbours(k_neighbors, counts, to_add)
    values = {name: int(frame[name].nunique()) for name in categorical}  # (missing cells take a value it holds)
    width = len(numeric) + sum(values.values())
    need = max((counts[label] + n * k) * width * 8 for label, n in to_add.items() if n > 0)
    if need <= physical:
        return None
    widest = max(values, key=values.get)
    said = (f"SMOTE-NC would hold at least {gib(need)} for this top-up, more than this machine's {gib(physical)} "
            f"of memory: it codes each of the {k} neighbours of every new row with a slot for every number and for "
            "every value of every categorical column")
    if values[widest] * 2 < width:  # the many rows to add, not one column's values: fewer rows
        return f"{said} ({width:,} slots in all). Ask for fewer rows"
    return (f"{said}, and column {widest!r} holds {values[widest]:,} values. Drop that column (an ID carries "
            "nothing to learn from) or group its rare values")


def _impute(frame: pd.DataFrame, numeric: list, categorical: list, y: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """``frame`` without missing values, its categories as codes (text: SMOTE-N/NC compare them as
    labels), and per categorical column the values the codes stand for.

    A missing cell takes its class's median (numbers) or most frequent value (categories); the whole
    table's where its class has none in that column (imputed over the whole table, a class missing a
    column everywhere got another class's median in all its new rows)."""
    imputed, values_of = frame.copy(), {}
    classes = pd.factorize(pd.Series(y, dtype=object))[0]
    for column in numeric:
        values = pd.Series(column_floats(imputed[column]), index=imputed.index)
        by_class = values.groupby(classes).transform("median").to_numpy()
        imputed[column] = values.fillna(pd.Series(by_class, index=values.index)).fillna(
            values.median() if values.notna().any() else 0.0)
    for column in categorical:
        codes, values_of[column] = _factorize_as_written(imputed[column])
        observed = codes >= 0
        if not observed.all():
            fallback = np.bincount(codes[observed]).argmax() if observed.any() else 0
            # Each class's most frequent code (the smallest of tied ones, as argmax takes it), one pass.
            pairs = pd.DataFrame({"cls": classes[observed], "code": codes[observed]})
            tally = pairs.groupby(["cls", "code"]).size().reset_index(name="n")
            modes = tally.sort_values(["cls", "n", "code"], ascending=[True, False, True]).drop_duplicates("cls")
            mode_of = np.full(classes.max() + 1, fallback, dtype=codes.dtype)
            mode_of[modes["cls"].to_numpy()] = modes["code"].to_numpy()
            codes[~observed] = mode_of[classes[~observed]]
        # Text of one width: "10" sorted before "2", and the encoders order the text.
        imputed[column] = np.char.zfill(codes.astype(str), len(str(max(len(values_of[column]) - 1, 0))))
    return imputed, values_of


#: derive_seed key of the stream that makes MixedSMOTE's new rows missing at their class's rate.
_MISSING_STREAM = 1


def _missing_as_in_class(new: pd.DataFrame, given: pd.DataFrame, y: np.ndarray, y_new: np.ndarray,
                         rng: np.random.RandomState) -> pd.DataFrame:
    """``new`` with each cell of a column missing at its class's rate among the real rows there
    (every cell where the class has no value in the column), spelt as the column's first missing
    cell: the imputation's stand-ins are no values the class holds."""
    # Labels as codes once (a comparison of every label per class and column was classes x rows).
    codes = pd.factorize(pd.Series(np.concatenate([np.asarray(y, dtype=object), np.asarray(y_new, dtype=object)]),
                                   dtype=object))[0]
    real, added = codes[:len(y)], codes[len(y):]
    rows_of = np.bincount(real, minlength=codes.max() + 1)
    for position in range(given.shape[1]):
        missing = given.iloc[:, position].isna().to_numpy(dtype=bool)
        if not missing.any():
            continue
        rate = np.bincount(real, weights=missing, minlength=len(rows_of)) / np.maximum(rows_of, 1)
        mask = rng.random_sample(len(new)) < rate[added]
        if mask.any():
            # A column as given holds missing cells: in its own dtype (numpy ints and bools of an object
            # column's numbers, text decoded as "str", cannot hold None, which they turned into NaN).
            if given.dtypes.iloc[position] == object or getattr(new.dtypes.iloc[position], "kind", "O") in "iub":
                new[new.columns[position]] = new.iloc[:, position].astype(object)
            new.iloc[np.flatnonzero(mask), position] = given.iloc[int(np.argmax(missing)), position]
    return new


def _factorize_as_written(values: pd.Series) -> tuple[np.ndarray, list]:
    """``pd.factorize`` that keeps values of other kinds apart: the text "1", the number 1, 1.0
    and True are four categories of an object column (equal or alike to Python); numpy's and
    Python's of one kind (np.int64(1), 1) are one. The codes follow the values' sorted order (by
    kind first), as imbalanced-learn's encoders order categories: SMOTE-N/NC break a tie of the
    neighbours' categories by that order, and in order of first appearance the new rows depended
    on the order of the rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)  # ordered by value, as the encoders order it, not by the dtype's list
    if values.dtype != object:
        codes, uniques = _sorted_factorize(values)
        return codes, list(uniques)
    missing = values.isna().to_numpy(dtype=bool)
    keys = pd.Series([None if gone else (_kind(v), v) for v, gone in zip(values.tolist(), missing)], dtype=object)
    codes, uniques = _sorted_factorize(keys)
    return codes, [value for _, value in uniques]


def _sorted_factorize(values: pd.Series):
    try:
        return pd.factorize(values, sort=True)
    except TypeError:  # values of one kind that cannot be ordered (objects of a type of one's own)
        return pd.factorize(values)


def _kind(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Number):
        return "number"
    return "text" if isinstance(value, str) else type(value).__name__


def _decode_categories(new: pd.DataFrame, values_of: dict) -> pd.DataFrame:
    """The categories SMOTE-N/NC drew, as codes, back to the values they stand for."""
    for column, values in values_of.items():
        new[column] = [values[int(code)] if len(values) else None for code in new[column]]
    return new


def _is_whole_number(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _whole_numbers_like(values: pd.Series, like: pd.Series) -> pd.Series:
    """Interpolated ``values`` as whole numbers in ``like``'s integer dtype, within its observed range.

    SMOTE's points lie between real ones, but in float64: near the ends of int64 / uint64 a rounded
    value can step past the largest real one, where a plain cast wraps round to the other end.
    """
    whole = round_to_dtype(column_floats(values), np.dtype(getattr(like.dtype, "numpy_dtype", like.dtype)))
    observed = like.dropna()
    whole = np.clip(whole, observed.min(), observed.max())
    return pd.Series(whole, index=values.index).astype(like.dtype)


def _cast_like(new: pd.DataFrame, like: pd.DataFrame, *, decoded: set) -> pd.DataFrame:
    """New rows in the dtypes of ``like``; the ``decoded`` columns hold their real values already."""
    new = new.copy()
    for column in like.columns:
        dtype = like[column].dtype
        if like[column].isna().all():
            # A column with no value at all stays so: the imputation's stand-in (0.0, a placeholder
            # category) is no value the data holds. Its missing cell as the column spells it (None).
            new[column] = pd.Series([like[column].iloc[0]] * len(new), index=new.index, dtype=dtype)
            continue
        try:
            if pd.api.types.is_bool_dtype(dtype):
                new[column] = new[column].astype(str).map({"True": True, "False": False}).astype(dtype)
            elif pd.api.types.is_integer_dtype(dtype):
                new[column] = _whole_numbers_like(new[column], like[column])
            elif isinstance(dtype, pd.CategoricalDtype):
                values = new[column]
                if column not in decoded:  # by text: categories 1 and "1" of a decoded column are two
                    values = values.astype(str).map({str(c): c for c in dtype.categories})
                new[column] = pd.Categorical(values, dtype=dtype)
            elif dtype == object and column in decoded:
                continue
            elif dtype == object:
                observed = like[column].dropna()
                originals = {str(v): v for v in observed.unique()}
                places = decimal_places(observed)
                if places is not None:  # decimals (Decimal('318.84')): interpolated, then as decimals again
                    new[column] = decimal_column(new[column], places, [min(observed), max(observed)])
                elif len(observed) and all(_is_whole_number(v) for v in observed):
                    # Whole numbers kept as objects (counts read as text, say): an interpolated value is
                    # rounded, as in an integer column, and takes the observed value's own type; within
                    # the observed range (beyond 2**53 the float stepped below the smallest).
                    low, high = min(observed), max(observed)

                    def whole(v):
                        number = min(max(int(round(v)), low), high)
                        return originals.get(str(number), number)

                    new[column] = new[column].map(lambda v: whole(v) if isinstance(v, numbers.Real) and not pd.isna(v)
                                                  else v)
                else:
                    new[column] = new[column].map(lambda v: originals.get(str(v), v))
            else:
                new[column] = new[column].astype(dtype)
        except (TypeError, ValueError):
            pass  # keep the values as the sampler returned them
    return new
