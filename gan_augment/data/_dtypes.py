"""Column dtypes and cell values as model files store them (JSON), and back.

Shared by the tabular encoder, its column rules and the command line (which records the target
column's dtype), so that one owner decides how a dtype survives a save and a load.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gan_augment.exceptions import DataValidationError

__all__ = ["dtype_from_json", "dtype_to_json", "json_scalar"]


def dtype_to_json(dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categorical": [json_scalar(v) for v in dtype.categories], "ordered": bool(dtype.ordered)}
    if isinstance(dtype, pd.StringDtype):
        # str(dtype) ("str" / "string") drops the storage, and a "python" string column would come
        # back as "pyarrow", a different dtype.
        return {"string": dtype.storage, "na_value": "NA" if dtype.na_value is pd.NA else "nan"}
    return str(dtype)


def _string_dtype(storage, na_value):
    if na_value == "NA":
        return pd.StringDtype(storage)
    try:
        return pd.StringDtype(storage, na_value=np.nan)
    except TypeError:  # pandas < 2.3: the "pyarrow_numpy" storage carries the NaN itself
        return pd.StringDtype(storage)


def dtype_from_json(spec):
    if isinstance(spec, dict) and "string" in spec:
        try:
            return _string_dtype(spec["string"], spec["na_value"])
        except ImportError:
            # pyarrow is not installed here: the same values and missing-value marker, held by Python objects.
            return _string_dtype("python", spec["na_value"])
    if isinstance(spec, dict):
        return pd.CategoricalDtype(spec["categorical"], ordered=spec["ordered"])
    return pd.api.types.pandas_dtype(spec)


def json_scalar(value, *, column=None):
    """Plain Python value for JSON (numpy scalars unwrapped); unsupported types are an error, naming
    the ``column`` that holds the value when given."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    where = f"Column {column!r} holds the value" if column is not None else "Value"
    raise DataValidationError(
        f"{where} {value!r} of type {type(value).__name__}, which cannot be stored in a model file; "
        "convert the column to strings or numbers."
    )
