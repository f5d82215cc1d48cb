"""Column dtypes and cell values as model files store them (JSON), and back.

Shared by the tabular encoder, its column rules and the command line (which records the target
column's dtype), so that one owner decides how a dtype survives a save and a load.
"""

from __future__ import annotations

import decimal
from typing import Optional

import numpy as np
import pandas as pd

from gan_augment.exceptions import DataValidationError

#: A number as a CSV cell writes it: an optional sign, digits with an optional decimal point, an
#: optional exponent. Stricter than float() on purpose: no spaces, no "1_000", no "inf" / "nan".
NUMBER_TEXT = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
#: Words that other tools write for a missing number; read as text unless ``na_values`` names them.
MISSING_WORDS = frozenset({"nan", "NaN", "NAN", "NA", "N/A", "n/a", "null", "NULL", "None", "?", "-", "."})
#: How writers spell an infinite number (read as text: a model of numbers has no place for them).
INFINITY_WORDS = frozenset(f"{sign}{word}" for sign in ("", "+", "-")
                           for word in ("inf", "Inf", "INF", "infinity", "Infinity", "INFINITY"))

__all__ = ["check_storable", "dtype_from_json", "dtype_to_json", "json_scalar"]


def decimal_places(values) -> Optional[int]:
    """The most decimal places among ``values`` where each is a finite ``decimal.Decimal`` (a
    database's NUMERIC, a parquet file's decimal column), else None: such a column's new values
    are decimals with as many places (:func:`as_decimals`)."""
    if getattr(values, "dtype", object) != object:  # an array or Series of another dtype: no decimals
        return None
    values = list(values)
    if not values or not all(isinstance(value, decimal.Decimal) and value.is_finite() for value in values):
        return None
    return max(0, -min(value.as_tuple().exponent for value in values))


def as_decimals(floats, places: int, bounds=None) -> list:
    """``floats`` (finite) as decimals of ``places`` places: 318.84 and 5.00 for two; within
    ``bounds`` (``[low, high]``, as text or decimals) where given: a float has about 16 digits, and
    those it writes beyond them can step past the real values."""
    values = [decimal.Decimal(f"{value:.{places}f}") for value in np.asarray(floats, dtype=np.float64).tolist()]
    if bounds is None:
        return values
    low, high = map(decimal.Decimal, bounds)
    return [min(max(value, low), high) for value in values]


def round_to_dtype(values: np.ndarray, dtype) -> np.ndarray:
    """Float ``values`` as the integer or boolean ``dtype``: rounded and clipped to the dtype's
    range, its ends pinned exactly (float64 cannot hold 2**63 - 1, nor float32 2**31 - 1: a plain
    cast of a value at the top wraps round to the minimum). Booleans: above 0.5."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.asarray(values) > 0.5
    info = np.iinfo(dtype)
    rounded = np.rint(np.asarray(values, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        out = rounded.astype(dtype)
    out[rounded >= float(info.max)] = info.max
    out[rounded <= float(info.min)] = info.min
    return out


def hashable(column: pd.Series) -> pd.Series:
    """``column``, an Arrow float16 one as float32: pyarrow 21 and older hash no half floats (no
    ``unique``, ``value_counts`` or dictionary encoding). Every float16 is a float32 exactly: the
    same values, told apart alike."""
    if str(column.dtype) == "halffloat[pyarrow]":
        return column.astype("float[pyarrow]")
    return column


def dtype_to_json(dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        # The categories' own dtype too: int8 codes or string categories rebuilt from the bare
        # values would come back as int64 / object, and pd.concat with the user's frame would then
        # drop the category dtype.
        return {"categorical": [json_scalar(v) for v in dtype.categories], "ordered": bool(dtype.ordered),
                "categories_dtype": dtype_to_json(dtype.categories.dtype)}
    if isinstance(dtype, pd.StringDtype):
        # str(dtype) ("str" / "string") drops the storage, and a "python" string column would come
        # back as "pyarrow", a different dtype.
        # pandas 2.1-2.2 name NaN-marked Arrow strings "pyarrow_numpy", which pandas 3 refuses: stored
        # as what pandas 2.3 and later call them.
        storage = "pyarrow" if dtype.storage == "pyarrow_numpy" else dtype.storage
        return {"string": storage, "na_value": "NA" if dtype.na_value is pd.NA else "nan"}
    if isinstance(dtype, pd.ArrowDtype):
        # str(ArrowDtype(pa.string())) is "string[pyarrow]", which reads back as a StringDtype.
        return {"arrow": str(dtype.pyarrow_dtype)}
    return str(dtype)


def _string_dtype(storage, na_value):
    if storage == "pyarrow_numpy":  # as model files written under pandas 2.1-2.2 name it
        storage, na_value = "pyarrow", "nan"
    if na_value == "NA":
        return pd.StringDtype(storage)
    try:
        return pd.StringDtype(storage, na_value=np.nan)
    except TypeError:  # pandas < 2.3: the "pyarrow_numpy" storage carries the NaN itself
        return pd.StringDtype("pyarrow_numpy" if storage == "pyarrow" else storage)


def dtype_from_json(spec):
    if isinstance(spec, dict) and "string" in spec:
        try:
            return _string_dtype(spec["string"], spec["na_value"])
        except ImportError:
            # pyarrow is not installed here: the same values and missing-value marker, held by Python objects.
            return _string_dtype("python", spec["na_value"])
    if isinstance(spec, dict) and "arrow" in spec:
        import pyarrow as pa

        return pd.ArrowDtype(pa.type_for_alias(spec["arrow"]))
    if isinstance(spec, dict):
        categories = spec["categorical"]
        if "categories_dtype" in spec:  # model files before it let pandas infer the categories' dtype
            categories = pd.Index(categories, dtype=dtype_from_json(spec["categories_dtype"]))
        return pd.CategoricalDtype(categories, ordered=spec["ordered"])
    return pd.api.types.pandas_dtype(spec)


def check_storable(dtype, column) -> None:
    """Refuse, before any training, a column whose dtype a model file cannot record and give back
    (a pyarrow dictionary, decimal or list column, say): its rows would fail only when decoded."""
    try:
        back = dtype_from_json(dtype_to_json(dtype))
        same = back == dtype
        pd.api.types.is_numeric_dtype(dtype)  # raises NotImplementedError for types pandas cannot inspect
    except (TypeError, ValueError, KeyError, NotImplementedError, ImportError, DataValidationError):
        same = False
    if not same and isinstance(dtype, pd.CategoricalDtype):
        # e.g. the intervals of pd.cut: already categories, but of values a model file cannot hold.
        kinds = sorted({type(c).__name__ for c in dtype.categories})
        raise DataValidationError(
            f"Column {column!r} is categorical with categories of type {', '.join(kinds)}, which a model "
            f"cannot record and give back. Convert them to text before fitting: X[{column!r}].astype(str) "
            f"(or .astype(str).astype('category') to keep a categorical dtype).")
    if not same:
        refuse_dates(dtype, column)  # a time zone's Arrow alias does not read back: the advice below failed
        raise DataValidationError(
            f"Column {column!r} has the dtype {dtype}, which a model cannot record and give back. Convert it "
            "before fitting: .astype('category') for categories, .astype(float) for decimal numbers, "
            ".astype(str) for other values.")


def date_kind(dtype) -> Optional[str]:
    """``"dates"`` for a dtype of datetimes (with a time zone too) or periods, ``"durations"`` for
    timedeltas, numpy's, pandas' and Arrow's alike; None for any other."""
    if isinstance(dtype, pd.PeriodDtype):
        return "dates"
    return {"M": "dates", "m": "durations"}.get(getattr(dtype, "kind", None))


def refuse_dates(dtype, column) -> None:
    """Refuse a column of dates or durations (a GAN models numbers and categories), saying what to do."""
    if date_kind(dtype):
        raise DataValidationError(
            f"Column {column!r} has dtype {dtype}; convert dates and durations to numbers (e.g. days since an "
            "origin) or strings before fitting.")


def refuse_complex(dtype, column) -> None:
    """Refuse a column of complex numbers (a GAN models real numbers), saying what to do."""
    if pd.api.types.is_complex_dtype(dtype):
        raise DataValidationError(
            f"Column {column!r} holds complex numbers, which cannot be modelled; split it into two columns of "
            "real numbers (its .real and .imag parts, or its magnitude and angle) before fitting.")


def refuse_surrogates(what: str, value: str) -> None:
    """Refuse text holding a lone surrogate (what decoding bytes that are not UTF-8 with
    errors='surrogateescape' leaves, as Python does of a command line typed in another encoding),
    naming it as ``what``: reading a file with it, or writing it, failed later with "surrogates not
    allowed", blaming the file."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise DataValidationError(f"{what} {value!r} holds bytes that are not UTF-8 text (a terminal or script in "
                                  "another encoding?); give it as UTF-8.") from None


def json_scalar(value, *, column=None, what=None):
    """Plain Python value for JSON (numpy scalars unwrapped); unsupported types are an error, naming
    the ``column`` that holds the value when given (``what``: another wording of where it is)."""
    if isinstance(value, np.generic):
        value = value.item()
    where = what or (f"Column {column!r} holds the value" if column is not None else "Value")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # the fit failed in its last step, after training
            raise DataValidationError(
                f"{where} {value!r}, text with a lone surrogate (what decoding with errors='surrogateescape' leaves "
                "of bytes that are not text), which cannot be stored in a model file; read the data with its "
                "own encoding, or replace those values.") from None
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise DataValidationError(
        f"{where} {value!r} of type {type(value).__name__}, which cannot be stored in a model file; "
        "convert the column to strings or numbers."
    )


#: The widest text dtype a model file may name beyond its longest value: numpy keeps the width of
#: the array a fit was given (labels sliced from a table holding 3,000-character reviews are
#: '<U3000'), so a width is refused only where no text array of a fit would be that wide.
_TEXT_WIDTH_MAX = 1_000_000


def stored_dtype(text, values, *, what: str) -> np.dtype:
    """The numpy dtype a model file names for an array of ``values`` (labels, or a table's cells):
    one that a fit makes (objects, text, numbers, booleans, dates); ValueError naming ``what``
    otherwise, before anything of that dtype is allocated (an edited '<U200000000' took 2 GB for
    each class)."""
    dtype = np.dtype(text)
    if dtype.kind not in "OUSiufbMm":
        raise ValueError(f"{what} is {dtype}, which no fit makes")
    if dtype.kind in "US":
        longest = max((len(str(value)) for value in values), default=0)
        width = dtype.itemsize // (4 if dtype.kind == "U" else 1)
        if width > max(longest, _TEXT_WIDTH_MAX):
            raise ValueError(f"{what} is {dtype}: text far wider than its values (at most {longest} characters)")
    return dtype
