"""Tables in and out: ``load_dataset`` reads a CSV / parquet file (or a folder holding one) and
splits off the target column; ``write_table`` writes a table atomically, never over a file the user
did not agree to replace; ``write_augmented_table`` writes real rows plus synthetic rows, copying the
real lines of a CSV byte for byte (and a parquet file's real rows from its Arrow table).

Two promises meet here. *Numbers are numbers*: a CSV column of numbers is read as numbers, so that
the GAN models it as a quantity (see :func:`type_csv_column` for the few texts kept as text). *Your
table comes back as it went in*: that is kept by copying the real lines of the source CSV into the
output verbatim (:func:`write_augmented_table`), not by re-formatting parsed numbers, which could
never give ``0.50`` back from the float 0.5.

Only pandas (and pyarrow, for parquet) is imported here, so the command line stays quick to start.

The steps of :func:`load_dataset` are public too (:func:`resolve_table_path`, :func:`read_table`,
:func:`find_target`, :func:`split_target`, :func:`resolve_classes`) so that a caller can tell
"the file cannot be read" from "the target column was not named": the command line answers the
first with exit code 1 and the second with exit code 2.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io as _io
import json
import re
import shlex
import sys
import threading
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Optional

import numpy as np
import pandas as pd

from gan_augment._classes import ZERO_PADDED as _ZERO_PADDED
from gan_augment._classes import plain_label, resolve_class
from gan_augment._fs import atomic_path, check_parent_writable, refuse_linked_file
from gan_augment._listing import column_suggestion, first_few
from gan_augment._warnings import catching_warnings, user_stacklevel
from gan_augment.data._dtypes import INFINITY_WORDS as _INFINITY_WORDS
from gan_augment.data._dtypes import MISSING_WORDS as _MISSING_WORDS
from gan_augment.data._dtypes import NUMBER_TEXT as _NUMBER
from gan_augment.data._dtypes import refuse_surrogates
from gan_augment.data.tabular import check_target, concat_rows
from gan_augment.exceptions import DataValidationError

#: Column names (compared case-insensitively) taken as the target when exactly one column of the
#: table carries one of them. Kept short on purpose: a wrong guess trains on the wrong column, so
#: anything else must be named with ``target=`` (``--target`` on the command line).
TARGET_NAMES = ("label", "target", "class", "y")

#: File suffixes understood, and the format each one means.
FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"}

#: How CSV files are read: values may follow a comma and spaces (``a, b``: the spaces are part of
#: the separator where every cell of the column follows them; where only some do, they are part of
#: the value: :func:`_cells_as_written`), and a UTF-8 byte-order mark (common in files saved by
#: spreadsheets) is dropped.
#: Every cell is read as text first; :func:`read_table` then types each column (see there).
#: Synthetic rows appended to a CSV use the same separator (:func:`write_augmented_table`).
CSV_ENCODING = "utf-8-sig"
CSV_SEPARATOR = ","
CSV_OPTIONS = {"sep": CSV_SEPARATOR, "skipinitialspace": True, "encoding": CSV_ENCODING}

#: The cells of a CSV that are missing values unless ``na_values=`` names more: empty ones only.
#: ``NA``, ``None``, ``null``, ``N/A``, ``nan`` and ``?`` are values (``NA`` is North America in a
#: region column, Namibia in a country column); pandas' longer default list lost them silently.
DEFAULT_NA_VALUES = ("",)


# ===================================================================================== reading
#: How to turn a parquet dataset of several files into the one file gan-augment reads.
_JOIN_PARTS = "pyarrow.parquet.read_table(DIR).to_pandas().to_parquet('table.parquet', index=False)"


@contextlib.contextmanager
def _csv_fields_unlimited():
    """The csv module's limit on a field (131,072 characters, which pandas does not have) lifted in
    the block, and put back when the last block open in any thread ends: a longer cell that pandas
    had read failed in the reading hints and the writer ("field larger than field limit"), and
    pandas' Python engine reads with the csv module too. The limit is process-wide, so the blocks
    of all threads are counted together."""
    global _FIELD_LIMIT_BEFORE, _FIELD_LIMIT_HOLDERS
    with _FIELD_LIMIT_LOCK:
        if _FIELD_LIMIT_HOLDERS == 0:
            _FIELD_LIMIT_BEFORE = csv.field_size_limit(_NO_FIELD_LIMIT)
        _FIELD_LIMIT_HOLDERS += 1
    try:
        yield
    finally:
        with _FIELD_LIMIT_LOCK:
            _FIELD_LIMIT_HOLDERS -= 1
            if _FIELD_LIMIT_HOLDERS == 0:
                csv.field_size_limit(_FIELD_LIMIT_BEFORE)


_FIELD_LIMIT_LOCK = threading.Lock()
_FIELD_LIMIT_HOLDERS = 0
_FIELD_LIMIT_BEFORE: Optional[int] = None  # the limit to put back
#: The largest field the csv module can be told to read (a C long: 2**31 - 1 on Windows).
_NO_FIELD_LIMIT = min(sys.maxsize, 2 ** 31 - 1)


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
            from gan_augment.checkpoint import state_kinds
            from gan_augment.data.image_folder import IMAGE_SUFFIXES

            kinds = state_kinds(path)  # by the files' headers: a checkpoint is written as model.json too
            if kinds & {"model", "checkpoint"}:
                kind = "model" if "model" in kinds else "checkpoint"
                raise DataValidationError(
                    f"Directory {path} is a gan-augment {kind}, not data: give the table or image folder to read. "
                    + ("To use the model, pass it as --model to augment or evaluate, or sample from it (gan-augment "
                       "sample; GANAugmenter.load in Python)." if kind == "model" else
                       "A checkpoint resumes with fit --checkpoint-dir and --resume."))

            images = sum(1 for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if images:
                raise DataValidationError(
                    f"Directory {path} holds {images} image file{'s' if images > 1 else ''} but no class "
                    f"sub-folders: an image set needs one sub-folder per class ({path / 'cat' / '1.png'}, "
                    f"{path / 'dog' / '2.png'}), named as the class. A table is a file ({suffixes}).")
            from gan_augment.data.image_folder import is_image_folder

            # One level too deep: DATA/<set>/<class>/*.png (unless DATA is an image set itself, one of
            # whose classes holds a folder of images too).
            image_sets = [] if is_image_folder(path) else [
                sub for sub in sorted(path.iterdir()) if sub.is_dir() and not sub.name.startswith(".")
                and is_image_folder(sub)]
            if image_sets:
                raise DataValidationError(
                    f"Directory {path} holds no data file ({suffixes}) and no class folders of images, but its "
                    f"sub-folder {image_sets[0].name!r} is an image set (one sub-folder per class): give that "
                    f"folder ({image_sets[0]})" + (f", or one of {', '.join(repr(p.name) for p in image_sets[1:4])}"
                                                   if len(image_sets) > 1 else "") + ".")
            partitions = sorted(sub.name for sub in path.iterdir() if sub.is_dir() and "=" in sub.name
                                and any(sub.rglob("*.parquet")))
            if partitions:  # pyarrow's write_to_dataset(partition_cols=...), Spark's partitionBy
                raise DataValidationError(
                    f"Directory {path} is a partitioned parquet dataset (sub-folders {first_few(partitions)}); "
                    f"gan-augment reads one file: join the dataset into one file first ({_JOIN_PARTS}).")
            raise DataValidationError(
                f"Directory {path} holds no data file ({suffixes}); give the path of a file or of a "
                "directory holding exactly one." + _image_folder_hint(path)
            )
        if all(FORMATS[p.suffix.lower()] == "parquet" for p in found):
            raise DataValidationError(
                f"Directory {path} holds {len(found)} parquet files ({first_few(p.name for p in found)}): "
                "if they are the parts of one "
                "table, gan-augment does not join them; join them into one file first (" + _JOIN_PARTS
                + "), else give the path of the one to use.")
        raise DataValidationError(
            f"Directory {path} holds {len(found)} data files ({', '.join(p.name for p in found)}); "
            "give the path of the one to use."
        )
    if not path.exists():
        # "-" is standard input to many commands; not to this reader
        stdin = " (data is read from a file, not from standard input: save it to one and give its path)" if (
            str(path) == "-") else ""
        raise DataValidationError(f"{path} does not exist{stdin}.")
    if path.suffix.lower() not in FORMATS:
        raise DataValidationError(
            f"{path} has suffix {path.suffix or '(none)'!r}; gan-augment reads "
            f"{', '.join(sorted(FORMATS))} files."
        )
    return path


def _image_folder_hint(path: Path) -> str:
    """What to read a class-per-folder image tree with, when ``path`` looks like one."""
    from gan_augment.data.image_folder import IMAGE_SUFFIXES, unread_images_text

    files = [p for sub in path.iterdir() if sub.is_dir() for p in sub.iterdir() if p.is_file()]
    if any(p.suffix.lower() in IMAGE_SUFFIXES for p in files):
        return (" Its sub-folders hold images: read an image folder with "
                "gan_augment.data.image_folder.read_image_folder(path).")
    unread = unread_images_text(files)
    return f" Its sub-folders hold {unread}." if unread else ""


@dataclass(frozen=True)
class CsvSource:
    """A CSV file as it was read, for writing its real rows back byte for byte.

    ``data`` holds the very bytes that were parsed (so what is copied into an output is what was
    trained on, even if the file changes meanwhile). ``content_ends[i]`` / ``line_ends[i]`` are the
    byte offsets where record ``i`` (0: the header, then one per row of the frame) ends before and
    after its line ending, ``record_starts[i]`` where it starts (after the blank lines before it);
    they are None when the records could not be matched one to one with the rows pandas read, and
    the real rows are then written from the frame (with a warning).
    ``decimals`` maps each numeric column to the largest number of decimals written in it
    (0 for integer columns): synthetic numbers are written with no more. ``spellings`` maps a float
    column of few values (codes such as ``428`` and ``401.9``) to ``{value: its text in the file}``:
    a synthetic value the column holds is written as the file writes it, not padded (``428.00``).
    """

    path: Path
    data: bytes
    decimals: dict
    newline: bytes
    content_ends: Optional[np.ndarray]
    line_ends: Optional[np.ndarray]
    sep: str = CSV_SEPARATOR  # the field separator it was read with; synthetic rows use it too
    # Per field, whether the separator before it is followed by a space (``39, State-gov``: UCI Adult
    # spaces its words, not its numbers); empty when no field is. The reader skips that space, and
    # the synthetic rows are written with it too, so that a reader that keeps it (pandas by
    # default) sees one spelling of each value.
    spaced: tuple = ()
    # Fields whose cells' leading spaces are part of their values (see _cells_as_written): written
    # after the bare separator and unquoted, ``, red`` as the file writes `` red``, whatever
    # ``spaced`` read from the first rows.
    values_spaced: frozenset = frozenset()
    record_starts: Optional[np.ndarray] = None
    # How the file spells a missing cell, for the synthetic rows: per column, the one token of
    # ``na_values`` its cells use (``?``; else the one the file uses), else an empty cell.
    missing: dict = field(default_factory=dict)
    spellings: dict = field(default_factory=dict)


#: A float column of at most this many values keeps each value's spelling in the file (codes).
_SPELT_VALUES = 1000


@dataclass(frozen=True)
class ParquetSource:
    """A parquet file as it was read, for writing its real rows back as the file stores them.

    ``data`` holds the very bytes that were parsed, as :class:`CsvSource` does. pandas' round trip
    does not keep every Arrow type: a float column's NaN values and its nulls both become missing
    cells (written back as nulls), text comes back in the string type of pandas' choosing and a
    dictionary's index width changes; the real rows are therefore written from the Arrow table
    itself, and the synthetic ones cast to its schema (:func:`write_augmented_table`).
    """

    path: Path
    data: bytes

    def table(self):
        """The file's Arrow table, schema and metadata included."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        return pq.read_table(pa.BufferReader(self.data))


def read_table(path, *, na_values=None, target=None, sep=None) -> pd.DataFrame:
    """Read a CSV (.csv, .tsv) or parquet file (or the one such file in a directory) into a DataFrame.

    A CSV's columns are typed by :func:`type_csv_column`: numbers are numbers (``0.50`` is the
    float 0.5), while zero-padded codes (``007``, the zip code ``02139``), words and anything else
    stay text as written. The target column (``target``, or the one :func:`find_target` detects)
    is typed as labels: integers only if every label is written as a plain integer, else text, so
    ``007`` and ``7`` stay two classes. Only empty cells are missing values, plus, in the feature
    columns, those listed in ``na_values`` (a string or a list of strings, CSV only). ``sep``: a
    CSV's field separator, one character (default ``","``; a header that reads as one column holding
    ``;``, a tab or ``|`` is refused with a hint to pass it). A header naming a column twice is
    refused. Parsing a number loses how it was written (``0.50`` -> 0.5); writers that must give a
    file back as it was use :func:`read_table_source` and :func:`write_augmented_table`.
    """
    return read_table_source(path, na_values=na_values, target=target, sep=sep)[0]


def read_table_source(path, *, na_values=None, target=None,
                      sep=None) -> tuple[pd.DataFrame, Optional[CsvSource | ParquetSource]]:
    """``(frame, source)``: :func:`read_table`'s frame and the :class:`CsvSource` or
    :class:`ParquetSource` that :func:`write_augmented_table` writes the real rows from."""
    path = resolve_table_path(path)
    kind = FORMATS[path.suffix.lower()]
    missing = _check_na_values(na_values, path, kind)
    separator = _check_sep(sep, path, kind)
    source = None
    try:
        if kind == "csv":
            frame, source = _read_csv(path, missing, target, separator, sep_given=sep is not None)
        else:
            frame, source = _read_parquet(path)
    except DataValidationError:
        raise
    except UnicodeDecodeError as exc:
        raise DataValidationError(_not_utf8_message(path, exc)) from exc
    except pd.errors.EmptyDataError as exc:
        raise DataValidationError(f"{path} is empty.") from exc
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise DataValidationError(f"{path} could not be read as {kind}: {message}") from exc
    _check_frame(frame, path, kind)
    return frame, source


def _not_utf8_message(path: Path, error: UnicodeDecodeError) -> str:
    """Where ``path`` stops being UTF-8, by byte and line of the file: pandas' error counts the
    bytes from the start of the chunk it was decoding (256 KiB), not of the file."""
    data = path.read_bytes()
    # A byte-order mark, and lines in that encoding: a Latin-1 file may begin with the two characters
    # of a UTF-16 mark, 'ÿþ'. (UTF-32's little-endian mark begins as UTF-16's.)
    width = ("32" if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) else
             "16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None)
    if width is not None and _has_lines(data, f"utf-{width}"):
        return (f"{path} is UTF-{width} text (its first bytes say so), not UTF-8: a spreadsheet's 'Unicode Text' "
                f"export. Save it as 'CSV UTF-8', or convert it, e.g. pandas.read_csv(path, sep=..., "
                f"encoding='utf-{width}').to_csv(new_path, index=False).")
    try:
        data.decode("utf-8")  # not utf-8-sig, whose offsets start after a byte-order mark
    except UnicodeDecodeError as whole:
        error = whole
    else:  # the file changed since: pandas' figure is all there is
        return f"{path} is not UTF-8 text ({error.reason}); save it as UTF-8 CSV."
    # CR alone ends a line too (old Mac files); counted in place, without a copy or a list.
    end = error.start
    line = data.count(b"\n", 0, end) + data.count(b"\r", 0, end) - data.count(b"\r\n", 0, end) + 1
    return (f"{path} is not UTF-8 text ({error.reason} at byte {error.start}, line {line}); save it as UTF-8 CSV "
            "(a spreadsheet's 'CSV UTF-8' format, or open it with its own encoding, e.g. Latin-1, and save it again).")


def _has_lines(data: bytes, encoding: str) -> bool:
    """Whether ``data`` reads in ``encoding`` as text of more than one line."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return "\n" in text or "\r" in text


def _check_frame(frame: pd.DataFrame, path: Path, kind: str) -> None:
    if frame.shape[1] == 0:
        raise DataValidationError(f"{path} has no columns.")
    if frame.shape[0] == 0:
        what = "column names" if kind == "parquet" else "a header"  # a parquet file has a schema, not a header
        raise DataValidationError(f"{path} has {what} but no rows.")
    _check_names(frame.columns, path)


def _check_names(names, path: Path) -> None:
    names = pd.Index(list(names))
    blank = [position for position, name in enumerate(names, start=1) if name == ""]
    if blank:  # kept, it was written in a CSV header that no reader (this one included) takes
        raise DataValidationError(f"{path} has a column named '' (position {blank[0]}; the first column is 1); "
                                  "give every column a name.")
    duplicated = names[names.duplicated()].tolist()
    if duplicated:
        raise DataValidationError(f"{path} has duplicated column names {duplicated}; rename them.")


def _check_na_values(na_values, path: Path, kind: str) -> list[str]:
    """The cell texts read as missing: the defaults plus ``na_values`` (checked)."""
    if na_values is None:
        return list(DEFAULT_NA_VALUES)
    extra = [na_values] if isinstance(na_values, str) else na_values
    try:
        extra = list(extra)
    except TypeError:
        extra = [extra]
    wrong = [v for v in extra if not isinstance(v, str)]
    if wrong:
        raise DataValidationError(
            f"na_values must be strings (the cell texts to read as missing), got {wrong[0]!r}; "
            "write them as they appear in the file, e.g. na_values=['NA', '?']."
        )
    for value in extra:
        refuse_surrogates("na_values (--na-values)", value)
    if kind != "csv" and extra:
        raise DataValidationError(
            f"na_values applies to CSV files only; {path} is {kind}, which stores missing values as "
            "such. Leave out na_values (--na-values) for it."
        )
    return list(DEFAULT_NA_VALUES) + [v.strip() for v in extra]


def check_read_options(path, *, na_values=None, sep=None) -> None:
    """Refuse reading options that do not fit the file at ``path`` (e.g. ``sep`` for parquet) before
    it is read; :func:`read_table` applies the same checks."""
    path = resolve_table_path(path)
    kind = FORMATS[path.suffix.lower()]
    _check_na_values(na_values, path, kind)
    _check_sep(sep, path, kind)


def default_separator(path) -> str:
    """The field separator of a delimited file when none is given: a tab for ``.tsv``, else a comma."""
    return "\t" if Path(path).suffix.lower() == ".tsv" else CSV_SEPARATOR


#: Characters that cannot separate fields here: the quote and line breaks, which CSV gives other
#: meanings, and the space.
_UNUSABLE_SEPARATORS = frozenset({'"', "\n", "\r", " "})


def _check_sep(sep, path: Path, kind: str) -> str:
    """The CSV field separator: one character that is not a quote, a line break or a space."""
    if sep is None:
        return default_separator(path)
    if kind != "csv":
        raise DataValidationError(f"sep applies to CSV files only; {path} is {kind}. Leave out sep (--sep) for it.")
    if isinstance(sep, str):
        refuse_surrogates("sep (--sep)", sep)
    if not isinstance(sep, str) or len(sep) != 1 or sep in _UNUSABLE_SEPARATORS:
        raise DataValidationError(
            f"sep must be one character other than a quote, a line break or a space, got {sep!r}; e.g. ';', "
            "'|' or a tab ('\\t' on the command line).")
    return sep


def _separator_hint(header: pd.DataFrame, path: Path, sep: str) -> Optional[str]:
    """If a header read with ``sep`` is one column holding another common separator, what to pass."""
    if header.shape[1] != 1:
        return None
    name = str(header.iloc[0, 0])
    found = [c for c in (";", "\t", "|", ",") if c != sep and c in name]
    if not found:
        return None
    return (f"{path} reads as one column with {sep!r} as the separator, but its header holds {found[0]!r}: "
            f"pass --sep {_sep_option(found[0])} (sep={found[0]!r} in Python).")


def _sep_option(sep: str) -> str:
    """``sep`` as --sep takes it on a command line: a tab as '\\t' (a literal tab is no argument
    anyone can type, and messages show it as a space)."""
    return "'\\t'" if sep == "\t" else shlex.quote(sep)


def _read_csv(path: Path, na_values: list[str], target, sep: str, *, sep_given: bool
              ) -> tuple[pd.DataFrame, CsvSource]:
    # The bytes are read once: pandas parses them and the writer copies them, so the real rows
    # written out are the rows trained on even if the file is edited during training.
    data = path.read_bytes()
    first_line = _first_line(data)
    if re.fullmatch(r"sep=.", first_line):
        # Excel writes it to say which separator it used; read as the header, it named one column.
        used = first_line[-1:]
        then = f", and pass --sep {_sep_option(used)} (sep={used!r} in Python)" if used != sep else ""
        if used in _UNUSABLE_SEPARATORS:  # a flag naming it would be refused in turn
            then = f"; {used!r} cannot separate fields here, so save the file again with ',', ';' or a tab between them"
        raise DataValidationError(f"{path} begins with Excel's separator line {'sep=' + used!r}; delete that line so "
                                  f"that the header comes first{then}.")
    # pandas renames a repeated header name (age, age -> age, age.1) and nothing can turn that
    # off, so the header is read on its own, untouched, and checked first.
    options = {**CSV_OPTIONS, "sep": sep}
    if len(sep.encode("utf-8")) > 1:
        # pandas' C parser splits on one byte: it fell back to its Python engine with a ParserWarning,
        # which is an error below, and '§' was refused as a long row.
        options["engine"] = "python"
    with _csv_fields_unlimited():
        header = pd.read_csv(_io.BytesIO(data), header=None, nrows=1, dtype=str, na_filter=False, **options)
    hint = _separator_hint(header, path, sep)
    if hint is not None:  # one column cannot hold features and a target: the separator is wrong
        raise DataValidationError(hint if not sep_given else hint.replace("pass --sep", "try --sep"))
    names = header.iloc[0].tolist()
    spacing = _spaced(data, sep)
    if not _header_spaced(first_line.encode(CSV_ENCODING), sep):
        # A column whose every value follows a space takes its name's space as the separator's too
        # ("a, col,label" over "0, blue,r"): its values were read without it and its name with it.
        names = [read if i < len(spacing) and spacing[i] else written
                 for i, (read, written) in enumerate(zip(names, _names_as_written(data, options, names)))]
    _check_header(names, path)
    # na_values name missing feature cells: a label is a class as written ("NA", North America),
    # and only an empty one is missing (refused). The whole list for every column turned a class
    # into missing labels when a user followed the hint to pass --na-values NA for a feature.
    labels = _label_column(names, target)
    by_column = {name: list(DEFAULT_NA_VALUES) if name == labels else na_values for name in names}
    # Every reading of the rows names the columns as the header writes them (header=0 reads its
    # line as no data): pandas' own names of a spaced header (" z" read as "z") or of a name read
    # twice (z.1) matched none of the names na_values and missing spellings are keyed by.
    options = {**options, "header": 0, "names": names}
    with catching_warnings():
        # A row with more fields than the header: by default pandas makes the extra leading fields
        # the index, shifting that row's values into the wrong columns; with index_col=False it
        # drops the extra fields with only a ParserWarning. Either loses data, so it is an error.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            with _csv_fields_unlimited():
                text = pd.read_csv(_io.BytesIO(data), dtype=str, keep_default_na=False, na_values=by_column,
                                   index_col=False, **options)
        except pd.errors.ParserWarning:
            raise DataValidationError(_long_row_message(path, data, len(header.columns), sep)) from None
        except pd.errors.ParserError as exc:
            # The same fault further down ("Expected 2 fields in line 3, saw 3"): a later row longer
            # than the first one. Other parser errors (an unclosed quote) keep pandas' words.
            if "Expected" not in str(exc) or "fields" not in str(exc):
                raise
            raise DataValidationError(_long_row_message(path, data, len(header.columns), sep)) from None
    if _first_row_longer(data, len(header.columns), sep):
        # pandas drops the extra fields of every row silently when the first row has them too (a
        # separator at the end of each data line): the rows written back would then not line up.
        raise DataValidationError(_long_row_message(path, data, len(header.columns), sep))
    _hint_headerless(text, path)
    _hint_labels_named_missing(text, labels, na_values, path)
    as_written = _cells_as_written(data, options, by_column, text)
    columns, decimals, spellings, values_spaced = {}, {}, {}, set()
    for position, name in enumerate(text.columns):
        column = type_csv_column(text[name], labels=name == labels)
        numeric = column.dtype.kind in "iuf" or str(column.dtype) == "Int64"
        if name in as_written and not numeric:
            # A number's leading space means nothing; a word's may (" red" and "red" are two values).
            column = type_csv_column(as_written[name], labels=name == labels)
            values_spaced.add(position)
        elif numeric:
            decimals[name] = csv_decimals(text[name]) if column.dtype.kind == "f" else 0
            if column.dtype.kind == "f":
                spelt = _spellings(column, text[name])
                if spelt:
                    spellings[name] = spelt
        columns[name] = column
    frame = pd.DataFrame(columns, columns=text.columns)
    _hint_missing_value_words(frame, labels, path, na_values)
    _hint_decimal_commas(frame, labels, path, sep)
    _hint_spaced_numbers(frame, labels, path, sep)
    bounds = _record_bounds(data, len(frame), sep)
    source = CsvSource(path=path, data=data, decimals=decimals, newline=_first_line_ending(data),
                       content_ends=None if bounds is None else bounds[0],
                       line_ends=None if bounds is None else bounds[1], sep=sep, spaced=spacing,
                       values_spaced=frozenset(values_spaced),
                       record_starts=None if bounds is None else bounds[2],
                       missing=_missing_spelling(data, options, na_values, labels), spellings=spellings)
    return frame, source


def _spellings(values: pd.Series, texts: pd.Series) -> dict:
    """``{value: the file's most frequent text of it}`` for a float column of at most
    ``_SPELT_VALUES`` values; {} for one of more (measurements: their synthetic values are new)."""
    observed = values.notna().to_numpy()
    if pd.unique(values[observed]).size > _SPELT_VALUES:
        return {}
    pairs = pd.DataFrame({"value": values[observed].to_numpy(dtype=np.float64),
                          "text": texts[observed].astype(str).str.strip().to_numpy()})
    counts = pairs.value_counts(sort=True)  # the most frequent spelling of each value first
    spelt: dict = {}
    for (value, text), _ in counts.items():
        if "e" not in text.lower():  # synthetic numbers are in plain notation, never 1e-05
            spelt.setdefault(float(value), text)
    return spelt


def _missing_spelling(data: bytes, options: dict, na_values: list[str], labels=None) -> dict:
    """``{column: the cell text that spells a missing value in it}``, when ``na_values`` names more
    than the empty cell: the one of its texts the column uses, else the one the file uses; columns
    left out (and files of several spellings in a column) write an empty cell. A file of ``?`` in
    one column and ``-`` in another wrote both missing as empty. The target column ``labels``
    holds classes, not missing values (``NA`` there is a class)."""
    if set(na_values) <= set(DEFAULT_NA_VALUES):
        return {}
    with _csv_fields_unlimited():
        raw = pd.read_csv(_io.BytesIO(data), dtype=str, na_filter=False, index_col=False, **options)
    texts = set(na_values) | set(DEFAULT_NA_VALUES)  # the empty cell is a spelling too
    used = {name: set(raw[name].unique()) & texts for name in raw.columns if name != labels}
    in_file = set().union(*used.values())
    file_wide = next(iter(in_file)) if len(in_file) == 1 else ""
    spelling = {name: next(iter(own)) if len(own) == 1 else ("" if own else file_wide) for name, own in used.items()}
    return {name: text for name, text in spelling.items() if text}


def _too_large(values: set) -> set:
    """The cells written as numbers beyond float64's range (``1e309``), which are infinite as floats."""
    return {value for value in values if isinstance(value, str) and (len(value) > 308 or "e" in value or "E" in value)
            and _NUMBER_PATTERN.fullmatch(value) and np.isinf(float(value))}


def _hint_missing_value_words(frame: pd.DataFrame, target, path: Path, na_values=()) -> None:
    """Warn about a feature column that would be numbers but for cells like ``nan`` or ``NA``: it
    is modelled as categories, which is seldom what was meant, and ``--na-values`` says otherwise
    (with the texts the file was read with as missing, ``na_values``: a new list replaces them)."""
    for name in frame.columns:
        column = frame[name]
        if name == target or pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            continue
        values = set(column.dropna().unique().tolist())
        words, infinite = values & _MISSING_WORDS, (values & _INFINITY_WORDS) | _too_large(values)
        rest = column[~column.isin(words | infinite)].dropna()
        if not (words or infinite) or not len(rest) or not rest.astype(str).str.fullmatch(_NUMBER).all():
            continue
        shown = ", ".join(repr(w) for w in sorted(words | infinite))
        given = [text for text in na_values if text not in DEFAULT_NA_VALUES]
        hints = []
        if words:
            hints.append(f"if {', '.join(repr(w) for w in sorted(words))} mean{'s' if len(words) == 1 else ''} "
                         # One value per --na-values, quoted for the shell ('?' is a wildcard there).
                         f"missing, pass {' '.join('--na-values ' + shlex.quote(w) for w in given + sorted(words))} "
                         "(na_values= in Python)")
        if infinite:
            beyond = " (beyond the largest float, about 1.8e308)" if infinite - _INFINITY_WORDS else ""
            hints.append(f"a number column cannot hold an infinite value{beyond}: replace it in the file with the "
                         "value it stands for, or with an empty cell (missing)")
        warnings.warn(f"Column {str(name)!r} of {path} holds numbers and {shown}: it is read as text (categories); "
                      + "; ".join(hints) + ".", UserWarning, stacklevel=user_stacklevel())


def _text_features(frame: pd.DataFrame, target):
    """``(name, cells)`` of each feature column read as text, its missing cells left out: where the
    reading hints look for numbers written in a way that made them text."""
    for name in frame.columns:
        column = frame[name]
        if name != target and not pd.api.types.is_numeric_dtype(column.dtype) \
                and not pd.api.types.is_bool_dtype(column.dtype):
            yield name, column.dropna().astype(str)


def _hint_decimal_commas(frame: pd.DataFrame, target, path: Path, sep: str) -> None:
    """Warn about a feature column of numbers written with a decimal comma (``0,5``, as
    spreadsheets in many languages save them) or with separators between thousands (``4,505,951``,
    ``67.407,80``): it is read as text (categories), and every value becomes a category of its own."""
    for name, cells in _text_features(frame, target):
        commas = cells.str.contains(",", regex=False)
        if not (len(cells) and commas.any()):
            continue
        points = cells.str.contains(".", regex=False)
        grouped = cells.str.count(",").gt(1) | (commas & points)  # 4,505,951 or 77,529.91: thousands only
        if cells.str.fullmatch(_GROUPED_NUMBER).all() and grouped.any():
            how, example, fix = "commas that group thousands", cells[grouped].iloc[0], "thousands=',')"
        elif cells.str.fullmatch(_POINT_GROUPED_NUMBER).all() and points.any():
            how, example, fix = ("points that group thousands and a decimal comma", cells[points].iloc[0],
                                 "thousands='.', decimal=',')")
        elif cells.str.fullmatch(_THOUSANDS_NUMBER).all():
            # 76,705 is as likely seventy-six thousand as seventy-six point seven: say both.
            how, example, fix = ("commas that group thousands or mark decimals (every comma is followed by three "
                                 "digits, so the file cannot tell which)", cells[commas].iloc[0],
                                 "thousands=',') for thousands, decimal=',' for decimals")
        elif cells.str.fullmatch(_COMMA_NUMBER).all():
            how, example, fix = "a decimal comma", cells[commas].iloc[0], "decimal=',')"
        else:
            continue
        warnings.warn(f"Column {str(name)!r} of {path} holds numbers written with {how} ({example!r}): it is "
                      "read as text, each value a category of its own. Save the table with plain numbers, "
                      f"e.g. pandas.read_csv(path, sep={sep!r}, {fix}, then .to_csv(new_path, index=False).",
                      UserWarning, stacklevel=user_stacklevel())


def _hint_spaced_numbers(frame: pd.DataFrame, target, path: Path, sep: str) -> None:
    """Warn about a feature column of numbers with a space after them (``8.44 ,``): a number is a
    cell holding nothing else, so the column is read as text, each value a category of its own,
    where pandas would read numbers."""
    for name, cells in _text_features(frame, target):
        stripped = cells.str.strip()
        spaced = cells != stripped
        if spaced.any() and (stripped != "").all() and stripped.str.fullmatch(_NUMBER).all():
            warnings.warn(f"Column {str(name)!r} of {path} holds numbers with spaces around them "
                          f"({cells[spaced].iloc[0]!r}): it is read as text, each value a category of its own. "
                          f"Save the table without them, e.g. pandas.read_csv(path, sep={sep!r}, skipinitialspace=True)"
                          ".to_csv(new_path, index=False).", UserWarning, stacklevel=user_stacklevel())


#: Data rows looked at to tell which fields a file writes after a space.
_SPACING_ROWS = 50


def _cells_as_written(data: bytes, options: dict, na_values, text: pd.DataFrame) -> dict:
    """``{column: cells}`` for the columns whose leading spaces are values, not separator: those in
    which some cells follow the separator and a space and others do not (``x, rare ,y`` beside
    ``x,common,y``). ``text`` was read with the space taken as part of the separator (UCI Adult's
    ``39, State-gov``, where every cell of a column follows one); in these columns that would have
    changed what the user wrote (`` rare `` read as ``rare ``, `` red`` merged into ``red``), and
    the augmented file would then spell the class two ways. In those columns a cell of spaces
    alone is a value too (``text`` read it as an empty, missing cell), and so are the leading spaces
    of the first field, which no separator precedes. Columns the two readings tokenise differently
    (a quoted cell after a space) keep ``text``'s reading."""
    if (options["sep"] + " ").encode("utf-8") not in data and b"\n " not in data \
            and not data.removeprefix(b"\xef\xbb\xbf").startswith(b" "):
        return {}
    try:
        with catching_warnings(), _csv_fields_unlimited():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            raw = pd.read_csv(_io.BytesIO(data), dtype=str, keep_default_na=False, na_values=na_values,
                              index_col=False, **{**options, "skipinitialspace": False})
    except (pd.errors.ParserError, ValueError, csv.Error):  # (given names: the python engine's ValueError)
        return {}
    if raw.shape != text.shape:
        return {}
    written = {}
    for position, name in enumerate(text.columns):
        stripped, cells = text[name], raw.iloc[:, position]
        present = stripped.notna() & (stripped != "")
        if not present.any() or cells[present].isna().any():
            continue
        blank = ~present & cells.notna() & cells.str.fullmatch(" +")  # spaces alone, read as an empty cell
        spaced = cells[present].str.startswith(" ")
        if (spaced.any() or blank.any()) and not spaced.all() \
                and (cells[present].str.lstrip(" ") == stripped[present]).all():
            written[name] = cells.where(present | blank, stripped)
    return written


def _fields_spaced(text: str, sep: str) -> list[list[tuple[str, bool]]]:
    """The records of ``text`` (empty lines skipped), each field as ``(its text without quotes,
    whether the separator before it is followed by a space)``. A space inside quotes (``," red"``)
    is the value's, not the separator's: only a reading that skips the spaces after separators
    tells it from ``, red`` (both read `` red`` otherwise). Records stop where the two readings
    part (a quoted line break after such a space), so that their fields stay paired."""
    as_is = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    skipping = csv.reader(_io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True)
    records = []
    for kept, skipped in zip(as_is, skipping):
        if len(kept) != len(skipped):
            break
        if kept:
            records.append([(field, field.startswith(" ") and field != rest) for field, rest in zip(kept, skipped)])
    return records


@_csv_fields_unlimited()
def _spaced(data: bytes, sep: str) -> tuple:
    """Per field, whether every non-empty value of it in the first rows (the header if there are
    none) follows the separator and a space; ``()`` when no field does."""
    head = data[:1 << 16].decode(CSV_ENCODING, errors="ignore")
    records = _fields_spaced(head, sep)[:_SPACING_ROWS + 2]
    if len(data) > 1 << 16 and len(records) > 2:
        records = records[:-1]  # the last one may be cut short
    rows = records[1:] or records
    if not rows:
        return ()
    spacing = []
    for i in range(max(map(len, rows))):
        fields = [row[i] for row in rows if len(row) > i and row[i][0] != ""]
        spacing.append(i > 0 and bool(fields) and all(spaced for _, spaced in fields))
    return tuple(spacing) if any(spacing) else ()


@_csv_fields_unlimited()
def _header_spaced(header: bytes, sep: str) -> bool:
    """Whether every name after the first in the ``header`` line follows the separator and a space."""
    record = (_fields_spaced(header.decode(CSV_ENCODING, errors="ignore"), sep) or [[]])[0]
    return len(record) > 1 and all(spaced for _, spaced in record[1:])


def _separator_before(source: "CsvSource", field: int, *, empty: bool = False) -> str:
    """What goes before field ``field`` of a written row: the separator, and the space the source
    writes there unless the field is ``empty`` (a missing value, which pandas then reads as
    missing). Fields past the source's own, such as a mark column, follow its last field."""
    spacing = source.spaced
    spaced = bool(spacing) and spacing[min(field, len(spacing) - 1)] and not empty \
        and field not in source.values_spaced
    return source.sep + " " if spaced else source.sep


def _hint_labels_named_missing(text: pd.DataFrame, labels, na_values: list[str], path: Path) -> None:
    """Warn where the target holds a text that ``na_values`` names: it is read as a class there."""
    if labels is None:
        return
    named = sorted(set(text[labels].dropna().unique().tolist()) & (set(na_values) - set(DEFAULT_NA_VALUES)))
    if named:
        shown = ", ".join(repr(value) for value in named)
        warnings.warn(f"Target column {str(labels)!r} of {path} holds {shown}, which --na-values (na_values=) names "
                      f"as missing: in the target {'it is' if len(named) == 1 else 'they are'} read as "
                      f"{'a class' if len(named) == 1 else 'classes'} (missing values are read in the feature "
                      "columns only). Drop those rows first if they mean an unknown class.",
                      UserWarning, stacklevel=user_stacklevel())


def _label_column(columns, target):
    """The column to type as class labels: the target if it can be found, else None (the caller's
    own :func:`find_target` then says what is wrong, with the exit code it chooses)."""
    try:
        return find_target(columns, target)
    except DataValidationError:
        return None


@_csv_fields_unlimited()
def _first_row_longer(data: bytes, n_names: int, sep: str) -> bool:
    """Whether the first row after the header has more fields than the header names (read lazily:
    only the first rows are decoded)."""
    text = _io.TextIOWrapper(_io.BytesIO(data), encoding=CSV_ENCODING, newline="")
    reader = csv.reader(text, delimiter=sep, skipinitialspace=True)
    next(reader, None)  # the header
    first = next((row for row in reader if row), [])  # blank lines are skipped, as pandas skips them
    return len(first) > n_names


def _first_line(data: bytes) -> str:
    """The file's first line as text, without a BOM or its line ending (the rest is not decoded)."""
    line = data.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")
    return line.decode(CSV_ENCODING, errors="replace")


@_csv_fields_unlimited()
def _long_row_message(path: Path, data: bytes, n_names: int, sep: str) -> str:
    reader = csv.reader(_io.StringIO(data.decode(CSV_ENCODING), newline=""), delimiter=sep, skipinitialspace=True)
    for row in reader:
        if len(row) > n_names:
            where = f"line {reader.line_num} has {len(row)} fields"
            break
    else:  # not reached: pandas saw such a row
        where = "a row has more fields"
    first = _first_line(data)
    if n_names == 1 and first.lstrip().startswith(("#", "//")):
        # "# exported 2024" above the header: read as a header of one column.
        return (f"{path}: its first line, {first.strip()!r}, was read as the header (a comment or title line?), "
                f"and {where} where it names 1 column. Delete that line so that the header comes first.")
    return (f"{path}: {where}, but the header names {n_names} columns. Remove the extra fields (a "
            "trailing separator?) or name every column in the header.")


def _names_as_written(data: bytes, options: dict, read: list) -> list:
    """The header's names with the spaces after their separators, in a header not spaced after
    every separator (as for the cells, :func:`_cells_as_written`): pandas names the column of
    "x, z,label" " z", and sampled rows named it "z". ``read``: the names read with those spaces
    taken as the separator's, which a quoted name after a space (``, "height, cm"``) keeps: only
    that reading sees its quotes."""
    try:
        with _csv_fields_unlimited():
            raw = pd.read_csv(_io.BytesIO(data), header=None, nrows=1, dtype=str, na_filter=False,
                              **{**options, "skipinitialspace": False}).iloc[0].tolist()
    except (pd.errors.ParserError, ValueError, csv.Error):  # a quote this reading opens and never closes
        return read
    if len(raw) != len(read):  # a separator inside such a quoted name split it
        return read
    # A name keeps its spaces only where the rest is the same name: a quoted one, or one a line
    # break inside quotes shifted, is read as the quote-aware reading reads it.
    return [written if written.lstrip(" ") == given else given for given, written in zip(read, raw)]


def _check_header(names: list, path: Path) -> None:
    # A first line of numbers, but for a class's text at most, is most likely a row of data (a file
    # without a header: UCI's .data files), whose repeated or empty cells read as names repeated or missing.
    written = [name.strip() for name in names if name.strip()]
    written_numbers = sum(bool(_NUMBER_PATTERN.fullmatch(name)) for name in written)
    words = sum(not _NUMBER_PATTERN.fullmatch(name) and name not in _MISSING_WORDS for name in written)
    headerless = (" The first line reads like a row of data (numbers): if the file has no header row, add a first "
                  "line naming the columns (the target among them)." if written_numbers and words <= 1 else "")
    blank = [position for position, name in enumerate(names, start=1) if name.strip(" ") == ""]
    if blank:
        # Positions from 1, as a person counts them (pandas' "Unnamed: 0" counts from 0).
        cause = (" (a file written with pandas' to_csv needs index=False)" if blank == [1] else
                 " (a separator at the end of the header line?)" if blank == [len(names)] else "")
        raise DataValidationError(
            f"{path} has {'a column' if len(blank) == 1 else 'columns'} without a name in its header (position"
            f"{'' if len(blank) == 1 else 's'} {', '.join(map(str, blank))}; the first column is 1); give every column "
            f"a name{cause}.{headerless}")
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        # "x, x": the same name, whether or not a space comes before it (as a spaced header reads it).
        positions.setdefault(name.lstrip(" "), []).append(position)
    repeated = {name: where for name, where in positions.items() if len(where) > 1}
    if repeated:
        details = "; ".join(f"{name!r} at positions {', '.join(map(str, where))}"
                            for name, where in repeated.items())
        raise DataValidationError(
            f"{path} names a column more than once in its header ({details}; the first column is 1); "
            f"rename them so that each column has a name of its own.{headerless}"
        )


def _hint_headerless(text: pd.DataFrame, path: Path) -> None:
    """Warn when the header reads like a row of data: every column of numbers is named by a number.

    A file without a header row has its first row of data read as the column names (and missing
    from the data). A name over a column of numbers is then a number too, while a header a person
    wrote names such columns with words ("age", "TSH"); a text name over a text column (abalone's
    "M" over M/F/I) tells nothing either way.
    """
    if text.shape[1] < 2:
        return
    names = [str(name) for name in text.columns]
    worded = {name for name in text.columns if not _NUMBER_PATTERN.fullmatch(str(name).strip())}
    # A word over a column of numbers makes the first line a header: the check stops at the first
    # such column, most often the first one read (every cell of a wide table was matched before).
    if any(_all_numbers(text[name]) for name in text.columns if name in worded):
        return
    if any(_all_numbers(text[name]) for name in text.columns if name not in worded):
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        warnings.warn(f"The first line of {path} reads like a row of data ({shown}): every column of numbers is "
                      "named by a number. If the file has no header row, that line was read as the column "
                      "names and is not in the data. Add a first line naming the columns (the target among "
                      "them).", UserWarning, stacklevel=user_stacklevel())


def _all_numbers(cells: pd.Series) -> bool:
    """Whether a column of CSV cells holds at least one value and every value is a number."""
    written = pd.unique(cells.dropna().to_numpy(dtype=object))  # each distinct text once
    return bool(len(written)) and all(_NUMBER_PATTERN.fullmatch(str(t).strip()) for t in written)


# A number with a decimal comma, as spreadsheets in many languages write it (0,5 or -12,75).
_COMMA_NUMBER = r"[+-]?[0-9]+(?:,[0-9]+)?"
# Also a number whose commas group thousands: 1,250 (but not 12,5 or 1,2500).
_THOUSANDS_NUMBER = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})?"
# Numbers whose commas group thousands, with decimals after a point: 4,505,951, 77,529.91, 12.5.
_GROUPED_NUMBER = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)(?:\.[0-9]+)?"
# Numbers whose points group thousands, with a decimal comma (German, Spanish...): 67.407,80, 12,5.
_POINT_GROUPED_NUMBER = r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})*|[0-9]+)(?:,[0-9]+)?"
# A label is an integer only when written as Python writes that integer: no sign "+", no "-0".
_PLAIN_INTEGER = r"0|-?[1-9][0-9]*"
# Decimals of a written number, counting an exponent: 1.5e-05 has 6, 1.25e1 has 1.
_DECIMALS = r"[+-]?[0-9]*(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?"
_NUMBER_PATTERN, _DECIMALS_PATTERN = re.compile(_NUMBER), re.compile(_DECIMALS)
_ZERO_PADDED_PATTERN = re.compile(_ZERO_PADDED)
# Plain notation down to the smallest float64 (5e-324) needs 324 decimals; no column needs more.
_MAX_DECIMALS = 324


def type_csv_column(text: pd.Series, *, labels: bool = False) -> pd.Series:
    """A column of CSV cells (strings, NaN where missing) typed as numbers, booleans or text.

    Features (``labels=False``): the column is numeric if every non-missing cell is a finite
    number written in plain or exponent notation (``0.50``, ``-3``, ``+7``, ``1e3``, ``.5``):
    int64 if all are integers (nullable ``Int64`` when some cells are empty, so that large ints
    stay exact; text if one is beyond int64, where a float would change it), else float64. It
    stays text if any cell is zero-padded (``007``, ``02139``, ``-01``: codes that a number
    would change) or is not such a number: ``nan``, ``inf``, ``NA``,
    ``1,5``, ``1_000`` and ``7 kg`` are values like any other word (name them in ``na_values`` to
    make them missing). ``True`` / ``False`` only is boolean.

    Labels (``labels=True``, the target column): int64 only if every label is written exactly as
    its integer (``7``, ``-2``; not ``007``, ``+7``, ``7.0``), booleans as above, else text: two
    labels written differently stay two classes.
    """
    # Each distinct text is judged once and the column is a take from the typed distinct values:
    # a column has far fewer distinct texts than rows.
    codes, texts = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=True)
    texts = np.asarray(texts, dtype=object)
    if not len(texts):
        return pd.Series(np.nan, index=text.index, name=text.name)  # an empty column, as pandas reads it
    typed = _typed_labels(texts) if labels else _typed_values(texts)
    if typed is None:
        return pd.Series(text.to_numpy(dtype=object), index=text.index, name=text.name)  # the default string dtype
    missing = codes < 0
    if not missing.any():
        return pd.Series(typed.take(codes), index=text.index, name=text.name)
    if typed.dtype == np.int64:
        values = pd.array(typed.take(codes), dtype="Int64")  # no float detour: ints beyond 2**53 stay exact
        values[missing] = pd.NA
        return pd.Series(values, index=text.index, name=text.name)
    holder = typed.astype(np.float64 if typed.dtype == np.float64 else object)
    held = holder.take(codes)
    held[missing] = np.nan
    return pd.Series(held, index=text.index, name=text.name)


def _typed_values(texts: np.ndarray) -> Optional[np.ndarray]:
    """The distinct cell texts of a feature as bools / int64 / float64, or None: keep them as text."""
    if set(texts.tolist()) <= {"True", "False"}:
        return texts == "True"
    # Compiled patterns over the distinct texts: pandas' string methods cost about 10x as much per
    # cell, and a wide table of numbers took a minute to read (2,000 rows x 2,000 columns).
    number, padded = _NUMBER_PATTERN.fullmatch, _ZERO_PADDED_PATTERN.match
    if not number(texts[0]):  # most text columns give up at their first value
        return None
    if not all(number(t) for t in texts) or any(padded(t) for t in texts):
        return None
    if not any("." in t or "e" in t or "E" in t for t in texts):  # numbers without a point or exponent
        # Beyond int64 (20-digit identifiers) a float would change the values: they stay text.
        return _as_int64(texts)
    numbers = texts.astype(np.float64)
    return numbers if np.isfinite(numbers).all() else None  # 1e999 is no finite number


def _typed_labels(texts: np.ndarray) -> Optional[np.ndarray]:
    """The distinct labels as bools / int64 when each is written exactly so, or None: keep them as text."""
    if set(texts.tolist()) <= {"True", "False"}:
        return texts == "True"
    if not pd.Series(texts, dtype=object).str.fullmatch(_PLAIN_INTEGER).all():
        return None
    return _as_int64(texts)


def _as_int64(texts: np.ndarray) -> Optional[np.ndarray]:
    try:
        return np.array([int(t) for t in texts], dtype=np.int64)
    except OverflowError:  # beyond int64: text
        return None


def csv_decimals(text: pd.Series) -> int:
    """The largest number of decimals written in a column of numbers as text (``0.50`` -> 2,
    ``1e3`` -> 0, ``1.5e-05`` -> 6): how precisely the user wrote the column.

    :func:`write_augmented_table` writes synthetic values of the column with that many decimals,
    in plain notation, so that they look like the real ones and claim no invented precision.
    """
    texts = pd.unique(text.dropna().to_numpy(dtype=object)).astype(str)
    if not len(texts):
        return 0
    # Plain notation (most columns) in numpy's string functions: the digits after the point.
    plain = (np.char.find(texts, "e") < 0) & (np.char.find(texts, "E") < 0)
    point = np.char.find(texts[plain], ".")
    written = np.where(point >= 0, np.char.str_len(texts[plain]) - point - 1, 0)
    parts = [_DECIMALS_PATTERN.fullmatch(t) for t in texts[~plain]]
    decimals = [len(m[1] or "") - int(m[2] or 0) for m in parts if m is not None
                # A zero in scientific notation (Excel's 0.00E+00 beside 2.50E+04) is exactly 0: its
                # mantissa's digits say how many significant digits the column keeps, not how many decimals.
                if m[2] is None or float(m[0]) != 0]
    return int(np.clip(max(decimals + written.tolist(), default=0), 0, _MAX_DECIMALS))


def _require_pyarrow(path: Path, action: str) -> None:
    """Parquet files are read and written with pyarrow, an optional dependency: say how to get it."""
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise DataValidationError(
            f"{action} {path} needs pyarrow: pip install 'gan-augment[parquet]' (or use a .csv file)."
        ) from exc


def _read_parquet(path: Path) -> tuple[pd.DataFrame, ParquetSource]:
    _require_pyarrow(path, "Reading")
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = ParquetSource(path, path.read_bytes())
    try:
        schema = pq.read_schema(pa.BufferReader(source.data))
        _check_names(schema.names, path)  # pandas cannot even read a file that repeats a name
        frame = pd.read_parquet(_io.BytesIO(source.data))
        _restore_integer_columns(frame, source, schema)
    except pa.ArrowException as exc:
        raise DataValidationError(f"{path} could not be read as parquet: {exc}") from exc
    named = [str(name) for name in frame.index.names if name is not None]
    if named or (len(frame) and not pd.api.types.is_integer_dtype(frame.index.dtype)):
        # A named index is data (an ID, a date), and so is an unnamed one of text or dates: the
        # output is written from the columns, so it would be lost without a word. Unnamed integers
        # (row numbers left by a filter) are not.
        which = f"named {', '.join(map(repr, named))}" if named else f"of {_python_value(frame.index[0])!r}, ..."
        raise DataValidationError(
            f"{path} stores a pandas index {which} beside its columns; gan-augment reads the columns only, "
            "so its values would be missing from the output. Store it as a column "
            "(df.reset_index().to_parquet(...)) to keep it, or drop it (df.reset_index(drop=True)).")
    if isinstance(frame.columns, pd.MultiIndex):  # refused after the top-up plan, in Python's words
        raise DataValidationError(
            f"{path} stores columns of several levels (e.g. {frame.columns[0]!r}); a table needs one name per "
            "column. Rewrite it with flat names: df.columns = ['_'.join(map(str, c)) for c in df.columns], "
            "then df.to_parquet(...).")
    return frame, source


def _python_value(value):
    """A numpy scalar, or a tuple of them (a MultiIndex's entry), as Python's own, for messages:
    ``(0, 0)``, not ``(np.int64(0), np.int64(0))``."""
    return tuple(map(plain_label, value)) if isinstance(value, tuple) else plain_label(value)


def _restore_integer_columns(frame: pd.DataFrame, source: ParquetSource, schema) -> None:
    """Integer columns holding missing cells, read as pandas' nullable integers (in place).

    Without pandas' metadata (a file written by pyarrow, polars, Spark, DuckDB), pandas reads an
    integer column with a missing cell as float64: its values beyond 2**53 change, and every value
    would be written back as a float. Read as ``Int64`` (``UInt8``...) they stay what the file holds.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A file's field names are text; pandas' metadata gives integer column names back as integers.
    column_of = {str(column): column for column in frame.columns}
    lossy = [name for name in schema.names if pa.types.is_integer(schema.field(name).type)
             and name in column_of and pd.api.types.is_float_dtype(frame[column_of[name]].dtype)]
    if not lossy:
        return
    nullable = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}
    table = pq.read_table(pa.BufferReader(source.data), columns=lossy)  # a second read, of those columns only
    for name in lossy:
        frame[column_of[name]] = table.column(name).to_pandas(types_mapper=nullable.get).array  # by position


# ===================================================================================== records
_LINE_ENDING = re.compile(rb"\r\n|\n|\r")


def _first_line_ending(data: bytes) -> bytes:
    """The file's line ending (that of its first record), used for lines we add; ``\\n`` if none.
    A line break inside a quoted field (a header cell ``"col\\r\\nor"``) is part of the value,
    not the file's ending: a line ending counts where the quotes before it are balanced."""
    position, quotes = 0, 0
    while True:
        found = _LINE_ENDING.search(data, position)
        if found is None:  # none outside quotes (an unclosed one): the first line's, as before
            found = _LINE_ENDING.search(data)
            return found.group() if found else b"\n"
        quotes += data.count(b'"', position, found.start())  # counted once per byte: linear
        if quotes % 2 == 0:
            return found.group()
        position = found.end()


def _record_bounds(data: bytes, n_rows: int, sep: str) -> Optional[tuple[np.ndarray, ...]]:
    """Where each record (the header, then each row) of a CSV ends, before and after its line
    ending, and where it starts, as byte offsets; None if the records found are not the
    ``n_rows`` rows pandas read.

    A record is one physical line unless a quoted field holds a line break; lines holding only
    spaces or tabs (other than the separator) are skipped, as pandas skips them. Line breaks are
    single bytes (CR, LF) that UTF-8 never uses inside a character, so the file is split as bytes
    and only lines that hold a quote are decoded and handed to the csv module, which says how many
    lines the record spans.
    """
    starts, content_ends, line_ends = _physical_lines(data)
    n_lines = len(starts)
    blanks = b" \t".replace(sep.encode("utf-8"), b"")
    records_start, records_content, records_end = [], [], []
    i = 0
    while i < n_lines:
        line = data[starts[i]:content_ends[i]]
        # (a tab is no blank where it separates fields: pandas reads "\t " as a row of two cells)
        if not line.strip(blanks) or (i == 0 and line == b"\xef\xbb\xbf"):
            i += 1  # a blank line: not a record (pandas skips it); copied as it is
            continue
        last = i if b'"' not in line else _last_line_of_record(data, starts, line_ends, i, sep)
        records_start.append(starts[i])
        records_content.append(content_ends[last])
        records_end.append(line_ends[last])
        i = last + 1
    if len(records_content) != n_rows + 1:
        return None
    return tuple(np.array(offsets, dtype=np.int64) for offsets in (records_content, records_end, records_start))


def _physical_lines(data: bytes) -> tuple[list[int], list[int], list[int]]:
    """Start, end of content and end (line ending included) of every physical line of ``data``."""
    starts, content_ends, line_ends = [], [], []
    position = 0
    for match in _LINE_ENDING.finditer(data):
        starts.append(position)
        content_ends.append(match.start())
        line_ends.append(match.end())
        position = match.end()
    if position < len(data):  # a last line without a line ending
        starts.append(position)
        content_ends.append(len(data))
        line_ends.append(len(data))
    return starts, content_ends, line_ends


@_csv_fields_unlimited()
def _last_line_of_record(data: bytes, starts: list[int], line_ends: list[int], first: int, sep: str) -> int:
    """The index of the physical line on which the record starting at line ``first`` ends."""
    consumed = first

    def lines():
        nonlocal consumed
        for index in range(first, len(starts)):
            consumed = index
            yield data[starts[index]:line_ends[index]].decode("utf-8", errors="replace")

    # The csv module asks for another line only while a quoted field is open.
    next(csv.reader(lines(), delimiter=sep, skipinitialspace=True), None)
    return consumed


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
        # Spaces around a header name (" label " in a file spaced after its commas) are not part
        # of what a user types, and auto-detection reads past them too.
        padded = [c for c in columns if str(c).strip() == str(target).strip()]
        if len(padded) == 1:
            return padded[0]
        raise DataValidationError(f"{source} has no column {str(target)!r}.{column_suggestion(target, names)} The "
                                  f"columns are: {_column_list(names)}.")
    candidates = [c for c in columns if str(c).strip().lower() in TARGET_NAMES]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        reason = f"several columns could be the target ({', '.join(map(repr, candidates))})"
    else:
        reason = f"no column is named {'/'.join(TARGET_NAMES)}"
    raise DataValidationError(
        f"Which column is the target? In {source} {reason}; name it with --target "
        f"(target= in Python). The columns are: {_column_list(names)}."
    )


def split_target(frame: pd.DataFrame, target, *, source="the data"):
    """``(X, y)``: the frame without column ``target``, and that column.

    The target is checked by :func:`gan_augment.data.tabular.check_target` (missing labels, a
    regression target, labels that collide as text) before anything is trained.
    """
    y = frame[target]
    check_target(y, name=target, source=source, spellings=False)  # (said by the fit, once)
    if frame.shape[1] < 2:
        raise DataValidationError(f"{source} has only the target column {str(target)!r}; there is nothing to model.")
    return frame.drop(columns=[target]), y


def resolve_classes(values, y) -> list:
    """The labels of ``y`` that ``values`` name (strings such as typed on a command line).

    Each value may hold several names separated by commas (``"a,b"``), unless it names a class
    exactly as it is. Unknown names raise a DataValidationError with the closest match.
    """
    labels = sorted((plain_label(label) for label in pd.unique(y)), key=lambda v: (str(type(v)), v))
    texts = {str(label) for label in labels}
    with_commas = [label for label in labels if "," in str(label)]
    wanted: list = []
    for value in ([values] if isinstance(values, str) else list(values)):
        # A part is a class as typed where one is named so ("b " beside "b"), else as typed less its
        # spaces ("a, b"): stripped first, "b " resolved to "b", silently.
        parts = [value] if not isinstance(value, str) or value in texts else \
            [p if p in texts else p.strip() for p in value.split(",") if p.strip()]
        if parts == [value] and isinstance(value, str) and "," in value:
            _warn_if_parts_are_classes(value, labels)
        for part in parts:
            try:
                label = resolve_class(part, labels)
            except ValueError as exc:
                hint = "" if not with_commas else (
                    f" A class whose name holds a comma is named alone, in an option of its own "
                    f"(--classes {shlex.quote(str(with_commas[0]))} --classes OTHER; in Python, an item of its own: "
                    f"classes=[{str(with_commas[0])!r}, 'OTHER']).")
                raise DataValidationError(str(exc) + hint) from None
            if not any(label == seen and type(label) is type(seen) for seen in wanted):
                wanted.append(label)
    if not wanted:
        raise DataValidationError(
            "--classes (classes= in Python) names no class: it holds only empty names or commas. Name the classes to "
            f"top up (the classes are {first_few(map(repr, labels))}), or leave it out to top up every class but the "
            "largest.")
    return wanted


def _warn_if_parts_are_classes(value: str, labels) -> None:
    """Warn where ``value``, read as the one class it names exactly, also splits at its commas
    into names of classes (classes ``a``, ``b`` and ``a,b``): the other reading is said."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    with contextlib.suppress(ValueError):
        named = [resolve_class(part, labels) for part in parts]
        others = " ".join(f"--classes {shlex.quote(str(label))}" for label in named)
        warnings.warn(f"{value!r} names the class {value!r}; its parts name classes too: for those, give {others} "
                      f"(classes={[str(label) for label in named]!r} in Python).", UserWarning,
                      stacklevel=user_stacklevel())


def load_dataset(path, target=None, *, classes=None, na_values=None, sep=None):
    """Read a table and split off its target column.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.tsv`` or ``.parquet`` file, or a directory holding exactly one such file. CSVs are
        read as :func:`read_table` says: columns of numbers are numeric, zero-padded codes and
        words stay text, labels are integers only if written as plain integers (else text),
        spaces after commas are dropped in a column where every cell has them (kept as part of
        the value where only some do), a UTF-8 BOM is ignored, and only empty cells are missing.
    target : str, optional
        The target column. Without it, the single column named label, target, class or y (any
        case) is used; if there is not exactly one, a DataValidationError lists the columns.
    classes : list of str, optional
        Class names to check against the target (each may hold several, comma-separated); an
        unknown one is a DataValidationError suggesting the closest class.
    na_values : str or list of str, optional
        More cell texts of a CSV to read as missing in the feature columns (e.g. ``["NA", "?"]``),
        besides empty cells; in the target they are classes as written.
    sep : str, optional
        A CSV's field separator (one character; default ``","``, a tab for ``.tsv``).

    Returns
    -------
    X : DataFrame, the other columns; y : Series, the target; target_name : its column name.
    """
    source = str(path)
    frame = read_table(path, na_values=na_values, target=target, sep=sep)
    target_name = find_target(frame.columns, target, source=source)
    X, y = split_target(frame, target_name, source=source)
    if classes is not None:
        resolve_classes(classes, y)
    return X, y, target_name


# ===================================================================================== writing
def write_table(df: pd.DataFrame, path, *, force: bool = False) -> Path:
    """Write ``df`` to ``path`` (.csv, .tsv (tab-separated) or .parquet, by suffix), atomically.

    An existing file is replaced only with ``force=True`` (FileExistsError otherwise, also when
    another process creates ``path`` while this one writes). The table is written to a temporary
    file beside ``path`` and renamed into place, so an interrupted write never leaves a
    half-written file, nor destroys the one that was there. Values are written as pandas formats
    them (a float 0.5 read from ``0.50`` is written ``0.5``); to give a CSV's real rows back byte for
    byte, use :func:`write_augmented_table`.
    """
    path = Path(path)
    return _write_frame(df, path, check_output_path(path, force=force), force)


def _write_frame(df: pd.DataFrame, path: Path, kind: str, force: bool) -> Path:
    with atomic_path(path, overwrite=force) as temp:
        if kind == "csv":
            write_csv(df, temp, sep=default_separator(path))
        else:
            _require_pyarrow(path, "Writing")
            df.to_parquet(temp, index=False)
    return path


def write_csv(df: pd.DataFrame, target, sep: str = ",") -> None:
    """``df`` as CSV to ``target`` (a path or a text stream such as stdout), without its index."""
    # pandas' minimal quoting leaves a value with a bare CR unquoted, which splits its row in two
    # for every reader, and one with a leading space, which a reader skipping spaces after the
    # separator (this package's, pandas' skipinitialspace) reads without it: such a table has
    # every text quoted.
    quoting = csv.QUOTE_NONNUMERIC if _needs_quoted_text(df) else csv.QUOTE_MINIMAL
    df.to_csv(target, index=False, sep=sep, quoting=quoting)


def _needs_quoted_text(df: pd.DataFrame) -> bool:
    """Whether a text cell of ``df`` holds a carriage return or starts with white space."""
    for position in range(df.shape[1]):
        values = df.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values.dtype):
            continue
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = pd.Series(values.cat.remove_unused_categories().cat.categories)
        if values.dtype != object and pd.api.types.is_string_dtype(values.dtype):
            # A text dtype's own search: a map over the cells was 60% of writing 200,000 rows.
            if values.str.contains(r"\r|^\s", na=False).any():
                return True
        elif values.map(lambda v: isinstance(v, str) and ("\r" in v or v[:1].isspace())).any():  # any objects
            return True
    return False


def check_augmented_separator(path, source: Optional["CsvSource"]) -> None:
    """Refuse to copy the lines of a source separated by commas (or ``;``, ``|``) into a ``.tsv``,
    or those of a tab-separated source into a ``.csv``: the real lines keep their separator, and
    the file would not read back as its suffix says (a ``.tsv`` is read tab-separated). An output
    named as its source (a tab-separated ``.csv`` to a ``.csv``) follows the source's convention."""
    path = Path(path)
    if not isinstance(source, CsvSource) or FORMATS.get(path.suffix.lower()) != "csv":
        return
    if path.suffix.lower() == Path(source.path).suffix.lower():
        return
    if (default_separator(path) == "\t") != (source.sep == "\t"):
        fitting = ".tsv" if source.sep == "\t" else ".csv"
        raise DataValidationError(
            f"{path}: a {path.suffix} file is read {'tab' if fitting == '.csv' else 'comma'}-separated, but the real "
            f"lines copied into it from {source.path} are separated by {source.sep!r}. Name the output "
            f"{path.with_suffix(fitting).name} (or .parquet).")


def write_augmented_table(real: pd.DataFrame, synthetic: pd.DataFrame, path, *,
                          source: Optional[CsvSource | ParquetSource] = None, force: bool = False,
                          mark_synthetic: Optional[str] = None, round_numbers: bool = True) -> Path:
    """Write the real rows followed by the synthetic rows to ``path`` (.csv, .tsv or .parquet), atomically.

    With a CSV ``source`` (from :func:`read_table_source`) and a CSV ``path``, the header and every
    real line are copied byte for byte from the source (separator, quoting, line endings, a BOM; a
    ``.tsv`` path for a source not tab-separated, or the converse, is refused:
    :func:`check_augmented_separator`;
    a final line ending is added if the file had none, blank lines after the last row are left
    out), then the synthetic rows are appended, written with the same separator (followed by a
    space where the source's fields are, as UCI Adult's) and line ending. ``mark_synthetic`` adds a column of
    that name: ``<sep>NAME`` after the header, ``<sep>False`` after each real line (its bytes
    otherwise unchanged) and True on synthetic rows. With a parquet ``source`` and a parquet ``path``,
    the real rows are the source's Arrow table, as stored (its NaN apart from its nulls, its types and
    metadata), and the synthetic rows are cast to its schema; should a synthetic column not fit its
    type, all rows are written as pandas stores them, with a warning. Otherwise (a CSV in and parquet
    out, or the converse) the frames are concatenated and written as :func:`write_table` writes.

    Synthetic numbers are written as the source wrote its own (this is the one place that decides):
    integer columns as integers, float columns rounded to the largest number of decimals written in
    that column (:func:`csv_decimals`; ``0.50`` -> 2 decimals), in plain notation, never ``1e-05``,
    except that a value a float column of few values holds is written as the file writes it (codes:
    ``428`` and ``401.9``, not ``428.00`` and ``401.90``);
    with ``round_numbers=False`` (a model fitted with ``round_to_observed=False``) float columns keep
    their full precision (the shortest text that reads back as the same float64).
    An existing ``path`` is replaced only with ``force=True``.
    """
    path = Path(path)
    kind = check_output_path(path, force=force)
    check_augmented_separator(path, source)
    if mark_synthetic is not None and mark_synthetic in [str(name) for name in real.columns]:
        raise DataValidationError(f"mark_synthetic={mark_synthetic!r} is already a column of the table; choose "
                                  "another name.")
    if kind == "csv" and isinstance(source, CsvSource):
        with atomic_path(path, overwrite=force) as temp, open(temp, "wb") as handle:
            write_augmented_csv(handle, real, synthetic, source, mark_synthetic=mark_synthetic,
                                round_numbers=round_numbers)
        return path
    if kind == "parquet" and isinstance(source, ParquetSource):
        table = _augmented_arrow_table(real, synthetic, source, mark_synthetic)
        if table is not None:
            import pyarrow.parquet as pq

            with atomic_path(path, overwrite=force) as temp:
                pq.write_table(table, temp)
            return path
    return _write_frame(augmented_frame(real, synthetic, source, mark_synthetic, round_numbers=round_numbers), path,
                        kind, force)


def write_augmented_csv(handle: BinaryIO, real: pd.DataFrame, synthetic: pd.DataFrame, source: CsvSource, *,
                        mark_synthetic: Optional[str] = None, round_numbers: bool = True) -> None:
    """Write the source's header and real lines, byte for byte, then the synthetic rows, to a binary
    handle (a file, ``sys.stdout.buffer``); see :func:`write_augmented_table`.

    Should the source's lines not match its rows one to one (see :class:`CsvSource`), the real rows
    are written from ``real`` as pandas formats them, with a warning saying so.
    """
    synthetic = synthetic.reindex(columns=real.columns)
    newline = source.newline
    if _copyable(source):
        _copy_real_lines(handle, source, mark_synthetic)
    else:
        warnings.warn(f"The real rows of {source.path} are written as parsed, not copied byte for byte: "
                      "its lines could not be matched one to one with the rows read.", stacklevel=user_stacklevel())
        rows = real.copy()
        if mark_synthetic is not None:
            rows[mark_synthetic] = False
        handle.write(rows.to_csv(index=False, sep=source.sep, lineterminator=newline.decode("ascii")).encode("utf-8"))
        # As pandas wrote the real rows: no space after the separator (synthetic " blue" beside a
        # real "blue" then read back as two spellings).
        source = replace(source, spaced=())
    rows = _formatted(synthetic, source.decimals, source.missing, round_numbers=round_numbers,
                      spellings=source.spellings)
    if mark_synthetic is not None:
        rows[mark_synthetic] = True
    ending = newline.decode("ascii")
    if len(rows):
        handle.write((ending.join(_synthetic_lines(rows, source)) + ending).encode("utf-8"))


def _synthetic_lines(rows: pd.DataFrame, source: CsvSource) -> list[str]:
    """Each of ``rows`` as a line of the source's CSV: cells as pandas writes them, quoted where a
    reader needs it (:func:`_csv_field`; pandas' own minimal quoting leaves a value with a bare CR
    unquoted, and its row would split in two for every reader), after the source's separator and
    its space where it has one (:func:`_separator_before`). Each column's distinct cells are
    written once: a loop over every cell was 80% of writing 200,000 rows of Adult."""
    columns = []
    for i, name in enumerate(rows.columns):
        codes, cells = pd.factorize(_cell_texts(rows[name]))
        # A value's own leading space is quoted (`` red`` as ``" red"``), since the reader skips one
        # after a separator, except in a column whose unquoted leading spaces are its values'.
        quote_space = i not in source.values_spaced
        fields = [(_separator_before(source, i, empty=cell == "") if i else "")
                  + _csv_field(cell, source.sep, leading_space=quote_space) for cell in cells]
        columns.append(np.array(fields, dtype=object)[codes])
    # A row of one empty field is written "" (as csv writes it): an empty line is no row to a reader.
    return ["".join(fields) or '""' for fields in zip(*columns)] if columns else ['""'] * len(rows)


@_csv_fields_unlimited()
def _cell_texts(column: pd.Series) -> pd.Series:
    """The column's cells as pandas writes them in a CSV (missing ones empty), as Python strings."""
    values = column.reset_index(drop=True)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.astype(object).where(values.notna(), "")
    # Numbers, booleans, ...: pandas' own text for them, every field quoted so that csv reads
    # each back whole.
    text = values.to_frame().to_csv(index=False, header=False, lineterminator="\n", quoting=csv.QUOTE_ALL)
    return pd.Series([record[0] for record in csv.reader(_io.StringIO(text, newline=""))], dtype=object)


def _copyable(source: Optional[CsvSource]) -> bool:
    return source is not None and source.content_ends is not None and source.line_ends is not None


def _copy_real_lines(handle: BinaryIO, source: CsvSource, mark: Optional[str]) -> None:
    """The source's bytes, ending with a line ending; with ``mark``, ``<sep>mark`` after the header
    and ``<sep>False`` after each real row."""
    data = source.data
    if mark is None:
        # Up to the last record's line ending: blank lines after it would come between the real
        # rows and the synthetic ones (pandas skips them; csv.reader and others read empty rows).
        line_ends = source.line_ends
        body = data[:int(line_ends[-1])] if line_ends is not None and _copyable(source) else data.rstrip(b"\r\n")
        handle.write(body)
        if not body.endswith((b"\n", b"\r")):
            handle.write(source.newline)  # the synthetic rows start on a line of their own
        return
    assert source.content_ends is not None and source.line_ends is not None  # checked by the caller
    view = memoryview(data)
    sep = _separator_before(source, len(source.spaced))
    # The header follows its own spacing: UCI Adult's "age,workclass,...,income" above rows spaced
    # after their commas got ", is_synthetic", a name pandas reads with its space.
    header_sep = source.sep + " " if _header_spaced(data[:int(source.content_ends[0])], source.sep) else source.sep
    marks = [(header_sep + _csv_field(mark, source.sep)).encode("utf-8")]
    widths = _fields_per_record(source)
    # A short row (pandas reads its missing fields as missing) gets empty fields before its mark:
    # the mark went into the row's next column.
    marks += [(source.sep * (widths[0] - width) + sep + "False").encode("utf-8") for width in widths[1:]]
    position = 0
    for suffix, content_end, line_end in zip(marks, source.content_ends.tolist(), source.line_ends.tolist()):
        handle.write(view[position:content_end])
        handle.write(suffix)
        # The last line may have no line ending: give it the file's own.
        handle.write(view[content_end:line_end] if line_end > content_end else source.newline)
        position = line_end  # blank lines after the last row are left out, as above


@_csv_fields_unlimited()
def _fields_per_record(source: CsvSource) -> list[int]:
    """How many fields each record of ``source`` has, the header first (read with the csv module as
    pandas reads it, spaces after a separator skipped)."""
    widths = []
    for start, end in zip(source.record_starts.tolist(), source.content_ends.tolist()):
        record = source.data[start:end].removeprefix(b"\xef\xbb\xbf" if start == 0 else b"")
        reader = csv.reader(_io.StringIO(record.decode("utf-8", errors="replace"), newline=""),
                            delimiter=source.sep, skipinitialspace=True)
        widths.append(len(next(reader, [])))
    return widths


def _csv_field(value: str, sep: str, *, leading_space: bool = True) -> str:
    """``value`` as one CSV field, quoted where the reader needs it to be: around a separator, a
    quote or a line break, and (``leading_space``) around a value that starts with a space of its
    own, which a reader skipping the spaces after separators would drop."""
    if any(c in value for c in (sep, '"', "\n", "\r")) or (leading_space and value[:1].isspace()):
        return '"' + value.replace('"', '""') + '"'
    return value


def _formatted(synthetic: pd.DataFrame, decimals: dict, missing: dict, *, round_numbers: bool,
               spellings: Optional[dict] = None) -> pd.DataFrame:
    """The synthetic rows with each numeric column of the source as text, written as its real cells
    are (floats at full precision unless ``round_numbers``; a value of ``spellings[column]`` as the
    file spells it), and a missing cell of any column as ``missing[column]`` (else an empty cell)."""
    rows = synthetic.copy()
    for name in rows.columns:
        if name in decimals:
            rows[name] = _number_texts(rows[name], decimals[name] if round_numbers else None, missing.get(name, ""),
                                       (spellings or {}).get(name))
        elif name in missing:
            rows[name] = rows[name].astype(object).where(rows[name].notna(), missing[name])
    return rows


def _number_texts(values: pd.Series, places: Optional[int], missing: str = "",
                  spelt: Optional[dict] = None) -> pd.Series:
    """Numbers as text: integers as they are, floats to ``places`` decimals (None: as many as the
    float holds), in plain notation, or as ``spelt`` spells them; a missing value as ``missing``."""
    if pd.api.types.is_integer_dtype(values.dtype):  # not through a float: ints beyond 2**53 stay exact
        absent = values.isna().to_numpy()
        ints = values.to_numpy(dtype=getattr(values.dtype, "numpy_dtype", values.dtype), na_value=0)
        texts = ints.astype(str).astype(object)
        texts[absent] = missing
    else:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        absent = np.isnan(numbers)
        # Each distinct number written once (synthetic numbers come rounded to the column's decimals,
        # so they repeat); 0.0 and -0.0, which np.unique takes as one, are both written unsigned.
        distinct, inverse = np.unique(np.where(absent, 0.0, numbers), return_inverse=True)
        def text(value: float) -> str:
            written = _plain(value, places) if places is not None else \
                np.format_float_positional(value, unique=True, trim="0")
            # Looked up once rounded: SMOTE's 428.0000001 is the 428 the file writes "428", not "428.0".
            return spelt.get(float(written), written) if spelt and np.isfinite(value) else written

        texts = np.array([text(v) for v in distinct.tolist()], dtype=object)[inverse.reshape(-1)]
        texts[absent] = missing
    return pd.Series(texts, index=values.index, dtype=object)


def _plain(value: float, places: int) -> str:
    """``value`` rounded to ``places`` decimals in plain notation; no ``-0.00``. Digits beyond what
    a float holds are zeros, not noise: 3.118803030729321 at 19 places is 3.1188030307293210000,
    not ``f"{value:.19f}"``'s 3.1188030307293210797 (the shortest text that reads back as the
    rounded value, padded)."""
    text = np.format_float_positional(value, precision=places, unique=True, fractional=True, trim="-")
    whole, _, fraction = text.partition(".")
    text = whole + ("." + fraction.ljust(places, "0") if places else "")
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]
    return text


def _augmented_arrow_table(real: pd.DataFrame, synthetic: pd.DataFrame, source: ParquetSource,
                           mark_synthetic: Optional[str]):
    """The source's Arrow table followed by the synthetic rows cast to its schema (``mark_synthetic``:
    plus that boolean column), or None, with a warning, where the rows cannot be written that way."""
    import pyarrow as pa

    table = _without_stored_index(source.table())
    if table.num_rows != len(real) or table.schema.names != [str(name) for name in real.columns]:
        warnings.warn(f"The real rows of {source.path} are written as pandas stores them, not as the file does: its "
                      "table could not be matched with the rows read.", stacklevel=user_stacklevel())
        return None
    synthetic = _in_dtypes_of(synthetic.reindex(columns=real.columns), real)
    arrays = []
    for position, field_ in enumerate(table.schema):
        try:
            arrays.append(_synthetic_array(synthetic.iloc[:, position], field_, table.column(position)))
        except (pa.ArrowException, TypeError, ValueError) as exc:
            warnings.warn(f"The synthetic values of column {field_.name!r} do not fit its type in {source.path} "
                          f"({field_.type}: {' '.join(str(exc).split())}); all rows are written as pandas stores them "
                          "(a float column's NaN as null).", stacklevel=user_stacklevel())
            return None
    rows = pa.concat_tables([table, pa.Table.from_arrays(arrays, schema=table.schema)])
    if mark_synthetic is not None:
        rows = _with_mark_column(rows, mark_synthetic, np.arange(rows.num_rows) >= table.num_rows)
    return rows


def _synthetic_array(values: pd.Series, field_, real):
    """A synthetic column as an Arrow array of ``field_``'s type, its missing cells written as the
    real column ``real`` writes its own: NaN in a float column that holds NaN and no null (or may
    hold no null), else null. Raises ValueError where the values do not fit: a null in a column
    declared non-nullable, a finite number beyond a float type's range."""
    import pyarrow as pa
    import pyarrow.compute as pc

    floating = pa.types.is_floating(field_.type)
    as_nan = floating and (not field_.nullable or (real.null_count == 0 and pc.any(pc.is_nan(real)).as_py()))
    # pandas' semantics (NaN is null) unless the column spells a missing cell NaN.
    array = pa.array(values, from_pandas=not as_nan).cast(field_.type)
    if array.null_count and not field_.nullable:
        raise ValueError("the synthetic rows hold missing cells, and the column is declared non-nullable")
    if floating and (pc.sum(pc.is_inf(array)).as_py() or 0) != np.isinf(values.to_numpy(np.float64, na_value=0)).sum():
        raise ValueError("a synthetic value is beyond the type's range")
    return array


def _with_mark_column(table, name: str, marks: np.ndarray):
    """``table`` with the boolean column ``name``, and pandas' metadata saying so: with column names
    of a type other than text (``0, 1``) the file no longer read back in pandas (``'syn'`` as an
    int); such names are then read back as text, as pandas writes a frame of names of two types."""
    import pyarrow as pa

    table = table.append_column(pa.field(name, pa.bool_()), pa.array(marks))
    metadata = table.schema.pandas_metadata
    if metadata is None:
        return table
    entry = {"name": name, "field_name": name, "pandas_type": "bool", "numpy_type": "bool", "metadata": None}
    levels = [level if level.get("pandas_type") in ("unicode", "bytes", "string", "mixed", "empty", "object")
              else {**level, "pandas_type": "mixed", "numpy_type": "object"}
              for level in metadata.get("column_indexes", [])]
    return _with_pandas_metadata(table, {**metadata, "columns": [*metadata.get("columns", []), entry],
                                         "column_indexes": levels})


def _without_stored_index(table):
    """``table`` without the columns pandas stored an index in, its pandas metadata saying so: the
    reader refuses any index but unnamed row numbers (left by a filter), which are not data and are
    not written back."""
    metadata = table.schema.pandas_metadata or {}
    stored = [name for name in metadata.get("index_columns", []) if isinstance(name, str)]
    if not stored:
        return table
    metadata = {**metadata, "index_columns": [],
                "columns": [column for column in metadata.get("columns", []) if column.get("field_name") not in stored]}
    return _with_pandas_metadata(table.select([name for name in table.schema.names if name not in stored]), metadata)


def _with_pandas_metadata(table, metadata: dict):
    """``table`` with ``metadata`` as the pandas metadata of its schema (its other metadata kept)."""
    return table.replace_schema_metadata({**table.schema.metadata, b"pandas": json.dumps(metadata).encode()})


def augmented_frame(real: pd.DataFrame, synthetic: pd.DataFrame, source: Optional[CsvSource | ParquetSource],
                    mark_synthetic: Optional[str], *, round_numbers: bool = True) -> pd.DataFrame:
    """Real and synthetic rows in one frame (``mark_synthetic``: plus that boolean column), the
    synthetic floats of a CSV ``source``'s columns rounded to the decimals written in them (unless
    not ``round_numbers``)."""
    if isinstance(source, CsvSource) and round_numbers:
        synthetic = synthetic.copy()
        for name, places in source.decimals.items():
            if name in synthetic.columns and pd.api.types.is_float_dtype(synthetic[name].dtype) and places <= 15:
                synthetic[name] = synthetic[name].round(places)  # beyond 15 decimals a float64 is as precise
    table = concat_rows([real, _in_dtypes_of(synthetic, real)])
    if mark_synthetic is not None:
        table[mark_synthetic] = pd.Series([False] * len(real) + [True] * len(synthetic), dtype=bool)
    return table


def _in_dtypes_of(synthetic: pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
    """``synthetic`` with each column in the real column's dtype where its values keep their worth
    there: a model saved from a CSV gives int64, float64 and text where the data it tops up (a parquet
    file) holds int32, float32 and categories, and the concatenation widened the real rows (48.91 as
    float32 came back as 48.90999984741211). Floats take the real precision; whole numbers only
    a type that holds them; categories gain the synthetic values they lack."""
    cast = {}
    for name in real.columns.intersection(synthetic.columns):
        want, column = real[name].dtype, synthetic[name]
        if column.dtype == want:
            continue
        if isinstance(want, pd.CategoricalDtype):
            new = [v for v in pd.unique(column.dropna()) if v not in want.categories]
            cast[name] = column.astype(pd.CategoricalDtype([*want.categories, *new], ordered=want.ordered))
            continue
        try:
            with np.errstate(over="ignore"):  # a float beyond the real float type's range: checked below
                converted = column.astype(want)
            if pd.api.types.is_float_dtype(want) and np.isinf(converted.to_numpy(np.float64, na_value=0)).sum() != \
                    np.isinf(column.to_numpy(np.float64, na_value=0)).sum():
                continue  # values beyond the type (70000 in float16): left as they are
            if pd.api.types.is_integer_dtype(want) and not np.array_equal(
                    converted.to_numpy(np.float64, na_value=np.nan), column.to_numpy(np.float64, na_value=np.nan),
                    equal_nan=True):
                continue  # fractions, or values beyond the type: left as they are
        except (TypeError, ValueError, OverflowError):
            continue
        cast[name] = converted
    if not cast:
        return synthetic
    synthetic = synthetic.copy()
    for name, converted in cast.items():
        synthetic[name] = converted
    return synthetic


def check_output_path(path, *, force: bool = False) -> str:
    """Check that a table can be written to ``path``; returns its format ("csv" or "parquet").

    Call it before any long work so that a bad output path fails fast.
    """
    path = Path(path)
    # First: a name beyond the file system's limit makes is_dir() and exists() raise the OS's own
    # "File name too long"; this names the limit.
    check_parent_writable(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None and path.is_dir():
        raise FileExistsError(f"{path} is a directory; give a file name ending in one of "
                              f"{', '.join(sorted(FORMATS))} (e.g. {path / 'augmented.csv'}).")
    if kind is None:
        formats = ", ".join(sorted(FORMATS))
        if path.name.lower() in FORMATS:  # ".csv": a hidden name with no suffix, to pathlib
            raise DataValidationError(f"Cannot write {path}: give the file a name before its suffix, e.g. "
                                      f"{path.with_name('augmented' + path.name)}.")
        raise DataValidationError(
            f"Cannot write {path}: the suffix {path.suffix!r} is not one of {formats}; e.g. "
            f"{path.with_suffix('.csv')}." if path.suffix else
            f"Cannot write {path}: a table is written to a file whose name ends in one of {formats}, e.g. "
            f"{path.with_name(path.name + '.csv')} (or {path / 'augmented.csv'}, in a folder of that name)."
        )
    if path.is_dir():
        raise FileExistsError(f"{path} is a directory; give a file name ending in {path.suffix}.")
    refuse_linked_file(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to replace it (force=True in Python).")
    if kind == "parquet":
        _require_pyarrow(path, "Writing")  # known now, not after training
    return kind


def _column_list(names, limit=30) -> str:
    # Quoted where a name has spaces at its ends, which would not show otherwise.
    shown = ", ".join(repr(n) if n != n.strip() else n for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
