"""Tables in and out: ``load_dataset`` reads a CSV / parquet file (or a folder holding one) and
splits off the target column; ``write_table`` writes a table atomically, never over a file the user
did not agree to replace.

Only pandas (and pyarrow, for parquet) is imported here, so the command line stays quick to start.

The steps of :func:`load_dataset` are public too (:func:`resolve_table_path`, :func:`read_table`,
:func:`find_target`, :func:`split_target`, :func:`resolve_classes`) so that a caller can tell
"the file cannot be read" from "the target column was not named": the command line answers the
first with exit code 1 and the second with exit code 2.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from gan_augment._fs import atomic_path, check_parent_writable
from gan_augment.exceptions import DataValidationError

#: Column names (compared case-insensitively) taken as the target when exactly one column of the
#: table carries one of them. Kept short on purpose: a wrong guess trains on the wrong column, so
#: anything else must be named with ``target=`` (``--target`` on the command line).
TARGET_NAMES = ("label", "target", "class", "y")

#: File suffixes understood, and the format each one means.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

#: How CSV files are read: values may follow a comma and spaces (``a, b``), ``?`` and empty fields
#: are missing values, and a UTF-8 byte-order mark (common in files saved by spreadsheets) is dropped.
CSV_OPTIONS = {"skipinitialspace": True, "na_values": ["?", ""], "encoding": "utf-8-sig"}


# ===================================================================================== reading
def resolve_table_path(path) -> Path:
    """The data file that ``path`` names: the file itself, or the one data file in a directory."""
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith("."))
        if len(found) == 1:
            return found[0]
        suffixes = "/".join(sorted(set(FORMATS)))
        if not found:
            raise DataValidationError(
                f"Directory {path} holds no data file ({suffixes}); give the path of a file or of a "
                "directory holding exactly one."
            )
        raise DataValidationError(
            f"Directory {path} holds {len(found)} data files ({', '.join(p.name for p in found)}); "
            "give the path of the one to use."
        )
    if not path.exists():
        raise DataValidationError(f"{path} does not exist.")
    if path.suffix.lower() not in FORMATS:
        raise DataValidationError(
            f"{path} has suffix {path.suffix or '(none)'!r}; gan-augment reads "
            f"{', '.join(sorted(FORMATS))} files."
        )
    return path


def read_table(path) -> pd.DataFrame:
    """Read a CSV or parquet file (or the one such file in a directory) into a DataFrame."""
    path = resolve_table_path(path)
    kind = FORMATS[path.suffix.lower()]
    try:
        if kind == "csv":
            frame = pd.read_csv(path, **CSV_OPTIONS)
        else:
            frame = _read_parquet(path)
    except DataValidationError:
        raise
    except UnicodeDecodeError as exc:
        raise DataValidationError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                  "save it as UTF-8 CSV.") from exc
    except pd.errors.EmptyDataError as exc:
        raise DataValidationError(f"{path} is empty.") from exc
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise DataValidationError(f"{path} could not be read as {kind}: {message}") from exc
    if frame.shape[1] == 0:
        raise DataValidationError(f"{path} has no columns.")
    if frame.shape[0] == 0:
        raise DataValidationError(f"{path} has a header but no rows.")
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise DataValidationError(f"{path} has duplicated column names {duplicated}; rename them.")
    if kind == "csv":
        renamed = [str(c) for c in frame.columns if str(c).startswith("Unnamed: ")]
        if renamed:
            raise DataValidationError(
                f"{path} has columns without a name in its header ({', '.join(renamed)}); give every "
                "column a name (a file written with pandas' to_csv needs index=False)."
            )
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise DataValidationError(
            f"Reading {path} needs pyarrow: pip install 'gan-augment[parquet]'."
        ) from exc
    import pyarrow.lib

    try:
        return pd.read_parquet(path)
    except pyarrow.lib.ArrowException as exc:
        raise DataValidationError(f"{path} could not be read as parquet: {exc}") from exc


# ===================================================================================== target
def find_target(columns, target=None, *, source="the data") -> str:
    """The name of the target column: ``target`` if given (checked), else auto-detected.

    Auto-detection takes the single column named one of :data:`TARGET_NAMES` (any case); with none
    or several such columns it raises, listing the columns, rather than guess.
    """
    columns = list(columns)
    names = [str(c) for c in columns]
    if target is not None:
        for column in columns:
            if column == target or str(column) == str(target):
                return column
        close = difflib.get_close_matches(str(target), names, n=1, cutoff=0.6)
        if not close:  # a difference of case only
            close = [n for n in names if n.lower() == str(target).lower()][:1]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataValidationError(
            f"{source} has no column {str(target)!r}.{hint} The columns are: {_column_list(names)}."
        )
    candidates = [c for c in columns if str(c).strip().lower() in TARGET_NAMES]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        reason = f"several columns could be the target ({', '.join(map(str, candidates))})"
    else:
        reason = f"no column is named {'/'.join(TARGET_NAMES)}"
    raise DataValidationError(
        f"Which column is the target? In {source} {reason}; name it with --target "
        f"(target= in Python). The columns are: {_column_list(names)}."
    )


def split_target(frame: pd.DataFrame, target, *, source="the data"):
    """``(X, y)``: the frame without column ``target``, and that column; missing labels are an error."""
    y = frame[target]
    missing = int(y.isna().sum())
    if missing:
        rows = (y.index[y.isna()][:5] + 1).tolist() if isinstance(y.index, pd.RangeIndex) else None
        where = f" (data rows {', '.join(map(str, rows))}{', ...' if missing > 5 else ''}; the first row is 1)" \
            if rows else ""
        raise DataValidationError(
            f"Target column {str(target)!r} in {source} has {missing} missing value"
            f"{'s' if missing != 1 else ''} of {len(y)} rows{where}; drop or fill those rows first."
        )
    if frame.shape[1] < 2:
        raise DataValidationError(f"{source} has only the target column {str(target)!r}; there is nothing to model.")
    return frame.drop(columns=[target]), y


def resolve_classes(values, y) -> list:
    """The labels of ``y`` that ``values`` name (strings such as typed on a command line).

    Each value may hold several names separated by commas (``"a,b"``), unless it names a class
    exactly as it is. Unknown names raise a DataValidationError with the closest match.
    """
    from gan_augment._classes import resolve_class

    labels = sorted(pd.unique(y).tolist(), key=lambda v: (str(type(v)), v))
    texts = {str(label) for label in labels}
    wanted: list = []
    for value in ([values] if isinstance(values, str) else list(values)):
        parts = [value] if not isinstance(value, str) or value in texts else \
            [p.strip() for p in value.split(",") if p.strip()]
        for part in parts:
            try:
                label = resolve_class(part, labels)
            except ValueError as exc:
                raise DataValidationError(str(exc)) from None
            if not any(label == seen and type(label) is type(seen) for seen in wanted):
                wanted.append(label)
    if not wanted:
        raise DataValidationError("No class was named.")
    return wanted


def load_dataset(path, target=None, *, classes=None):
    """Read a table and split off its target column.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.parquet`` file, or a directory holding exactly one such file. CSVs are
        read with :data:`CSV_OPTIONS` (``?`` and empty fields are missing values, spaces after
        commas are dropped, a UTF-8 BOM is ignored).
    target : str, optional
        The target column. Without it, the single column named label, target, class or y (any
        case) is used; if there is not exactly one, a DataValidationError lists the columns.
    classes : list of str, optional
        Class names to check against the target (each may hold several, comma-separated); an
        unknown one is a DataValidationError suggesting the closest class.

    Returns
    -------
    X : DataFrame, the other columns; y : Series, the target; target_name : its column name.
    """
    source = str(path)
    frame = read_table(path)
    target_name = find_target(frame.columns, target, source=source)
    X, y = split_target(frame, target_name, source=source)
    if classes is not None:
        resolve_classes(classes, y)
    return X, y, target_name


# ===================================================================================== writing
def write_table(df: pd.DataFrame, path, *, force: bool = False) -> Path:
    """Write ``df`` to ``path`` (.csv or .parquet, by suffix), atomically.

    An existing file is replaced only with ``force=True`` (FileExistsError otherwise). The table is
    written to a temporary file beside ``path`` and renamed into place, so an interrupted write
    never leaves a half-written file, nor destroys the one that was there.
    """
    path = Path(path)
    kind = check_output_path(path, force=force)
    with atomic_path(path) as temp:
        if kind == "csv":
            df.to_csv(temp, index=False)
        else:
            try:
                import pyarrow  # noqa: F401
            except ImportError as exc:
                raise DataValidationError(
                    f"Writing {path} needs pyarrow: pip install 'gan-augment[parquet]'."
                ) from exc
            df.to_parquet(temp, index=False)
    return path


def check_output_path(path, *, force: bool = False) -> str:
    """Check that a table can be written to ``path``; returns its format ("csv" or "parquet").

    Call it before any long work so that a bad output path fails fast.
    """
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataValidationError(
            f"Cannot write {path}: the suffix {path.suffix or '(none)'!r} is not one of "
            f"{', '.join(sorted(FORMATS))}."
        )
    if path.is_dir():
        raise FileExistsError(f"{path} is a directory; give a file name ending in {path.suffix}.")
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to replace it (force=True in Python).")
    check_parent_writable(path)
    return kind


def _column_list(names, limit=30) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
