"""The machine's memory, to refuse before it starts work whose arrays alone could not fit."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd


def physical_memory() -> int | None:
    """This machine's memory in bytes, None where the platform does not say. A container's own
    limit (cgroup) can be lower: there the kernel, not this check, stops a process that exceeds it."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def gib(n_bytes: float) -> str:
    """``n_bytes`` in GiB for a message: ``"6.0 GiB"``."""
    return f"{n_bytes / 2 ** 30:,.1f} GiB"


def check_fits_in_memory(n_samples: int, values: int, unit: str, *, value_bytes: float = 8,
                         what: str = "n_samples=") -> None:
    """Refuse a request whose output alone could not fit in this machine's memory, before any
    work (10**12 rows allocated for minutes and then failed). A lower bound: ``values`` per
    sample of ``value_bytes`` each (the output's: 1 for uint8 images)."""
    # Python ints: numpy's int64 counts (imbalanced-learn's) wrapped round to a negative need.
    needed, physical = int(n_samples) * max(int(values), 1) * float(value_bytes), physical_memory()
    if physical is None:  # not on this platform: nothing to compare with
        return
    if needed > physical:
        raise ValueError(f"{what}{n_samples:,} {unit} of {values} values need at least {gib(needed)}, "
                         f"more than this machine's {gib(physical)} of memory; ask for fewer, or sample "
                         "in parts (several calls, each with its own random_state; command line: --seed).")


def check_top_up_fits(plan, values: int, unit: str, *, value_bytes: float = 8,
                      what: str = "The top-up's ") -> None:
    """:func:`check_fits_in_memory` for the rows a top-up ``plan`` (``{class: rows to add}``) adds."""
    check_fits_in_memory(sum(n for n in plan.values() if n > 0), values, unit, value_bytes=value_bytes, what=what)


def value_bytes(source, *, image: bool = True) -> float:
    """Bytes per value of the samples made for ``source`` (an image array's or an image codec's
    dtype: 1 for uint8). For a table (``image=False``) given as a DataFrame, the mean bytes a value
    of its columns takes as they are held (pandas' ``memory_usage``: numbers at their width, text
    in Arrow buffers at its length, other objects as a pointer): the new rows hold such values, and
    a column of 10,000-character text made a top-up that the check put at 29 MB hold 18 GB. 8 for
    other tables and for what has no dtype (a table's encoder: its columns' dtypes vary)."""
    if not image and isinstance(source, pd.DataFrame) and source.size:
        usage = source.memory_usage(index=False, deep=False).to_numpy(dtype=float)
        for position, dtype in enumerate(source.dtypes):
            # Its codes: the categories (Arrow: the dictionary) are shared by the new rows, not copied.
            if isinstance(dtype, pd.CategoricalDtype):
                usage[position] = len(source) * source.iloc[:, position].cat.codes.dtype.itemsize
            elif hasattr(getattr(dtype, "pyarrow_dtype", None), "index_type"):
                usage[position] = len(source) * dtype.pyarrow_dtype.index_type.bit_width // 8
        return max(1.0, float(usage.sum()) / source.size)
    dtype = getattr(source, "dtype_", getattr(source, "dtype", None)) if image else None
    return np.dtype(dtype).itemsize if isinstance(dtype, np.dtype) else 8
