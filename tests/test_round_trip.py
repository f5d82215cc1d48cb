"""Property: a table read with gan_augment.data.io and written back with its writer is unchanged.

Issue 10: "your table comes back as it went in". Random small tables of mixed columns (numbers with
leading zeros, floats, words such as NA / None / nan, booleans, missing cells) go to CSV and parquet.
For CSV, the promise is kept in the file, not in the parsed frame: numbers are parsed as numbers
(the frame holds numbers for numeric columns), and an augmented file written by
``write_augmented_table`` (what `gan-augment augment` does) starts with the real rows' very bytes,
whatever the line endings, quoting or final newline, with or without a marker column. For parquet,
reading and writing back gives the same frame.

One exception is by design and is kept out of the strategies: a space right after a comma is part of
the separator where every cell of the column follows one (CSV_OPTIONS' skipinitialspace; a column
where only some do keeps its spaces, tested in test_io.py). An empty text cell is a missing value.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gan_augment.data.io import read_table, read_table_source, write_augmented_table, write_table
from gan_augment.data.tabular import TabularEncoder

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Words that pandas' default reader takes for missing, texts that look like numbers but are not
# written the way a number is, and a few CSV-special characters.
TRICKY_WORDS = ["NA", "None", "null", "N/A", "nan", "NaN", "?", "#N/A", "True", "false", "007", "+7",
                "1.50", "1e3", "-0", "inf", "a,b", 'say "hi"', "two\nlines", "x ", "é"]
WORD = st.one_of(
    st.sampled_from(TRICKY_WORDS),
    st.text(alphabet="abcXYZ019 .,-\"'", min_size=1, max_size=6).filter(lambda t: not t[0].isspace()),
)



def _column(draw, n_rows: int):
    """One column as a list of Python values (None = missing), its parquet dtype and its kind."""
    kind = draw(st.sampled_from(["zero_padded", "int", "float", "word", "bool", "mixed_number"]))
    missing = draw(st.booleans())
    values: st.SearchStrategy[Any]
    dtype: str | None
    if kind == "zero_padded":
        width = draw(st.integers(1, 6))
        values = st.integers(0, 10 ** width - 1).map(lambda i: f"{i:0{width}d}")
        dtype = "str"
    elif kind == "int":
        values, dtype = st.integers(-(2 ** 63), 2 ** 63 - 1), "Int64" if missing else "int64"
    elif kind == "float":
        values, dtype = st.floats(allow_nan=False, allow_infinity=False, width=64), "float64"
    elif kind == "word":
        values, dtype = WORD, "str"
    elif kind == "bool":
        values, dtype = st.booleans(), "boolean" if missing else "bool"
    else:
        values, dtype = st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6)), None
    cells = draw(st.lists(st.one_of(st.none(), values) if missing else values,
                          min_size=n_rows, max_size=n_rows))
    return cells, dtype, kind


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 8))
    n_columns = draw(st.integers(1, 5))
    columns, dtypes, kinds = {}, {}, {}
    for position in range(n_columns):
        name = f"c{position}"
        columns[name], dtypes[name], kinds[name] = _column(draw, n_rows)
    return columns, dtypes, kinds


def _csv_frame(columns) -> pd.DataFrame:
    # Object columns hold the Python values as drawn, so the first file is written exactly as a
    # user's own pandas code (or any CSV writer that uses repr for floats) would write it.
    return pd.DataFrame({name: pd.Series(cells, dtype=object) for name, cells in columns.items()})


def _parquet_frame(columns, dtypes) -> pd.DataFrame:
    data = {}
    for name, cells in columns.items():
        dtype = dtypes[name]
        if dtype is None:  # ints and floats mixed: parquet stores one type, float
            dtype = "float64"
            cells = [None if v is None else float(v) for v in cells]
        data[name] = pd.Series(cells, dtype=dtype)
    return pd.DataFrame(data)


ZERO_PADDED = re.compile(r"[+-]?0[0-9]")


def _check_numbers_are_numbers(frame: pd.DataFrame, columns: dict, kinds: dict) -> None:
    """Columns of numbers are numeric (bools boolean); zero-padded codes are text. Words are not checked."""
    for name, cells in columns.items():
        present = [v for v in cells if v is not None]
        dtype = frame[name].dtype
        if not present or kinds[name] in ("int", "float", "mixed_number"):
            assert pd.api.types.is_numeric_dtype(dtype), (name, dtype)  # all missing: float64 NaN
        elif kinds[name] == "zero_padded":
            padded = any(ZERO_PADDED.match(v) for v in present)
            assert pd.api.types.is_numeric_dtype(dtype) != padded, (name, dtype)
        elif kinds[name] == "bool" and len(present) == len(cells):
            assert dtype == bool, (name, dtype)


@SETTINGS
@given(tables(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_csv_numbers_are_numbers_and_rows_come_back_byte_identical(tmp_path_factory, table, newline, final_newline):
    columns, _, kinds = table
    folder = tmp_path_factory.mktemp("csv")
    text = _csv_frame(columns).to_csv(index=False, lineterminator=newline).encode()
    if not final_newline:
        text = text[:-len(newline)]
    (folder / "in.csv").write_bytes(text)
    frame, source = read_table_source(folder / "in.csv")
    _check_numbers_are_numbers(frame, columns, kinds)
    write_augmented_table(frame, frame.iloc[:0], folder / "out.csv", source=source)
    assert (folder / "out.csv").read_bytes() == text + (b"" if final_newline else newline.encode())


@SETTINGS
@given(tables())
def test_parquet_read_and_written_back_is_equal(tmp_path_factory, table):
    columns, dtypes, _ = table
    folder = tmp_path_factory.mktemp("parquet")
    frame = _parquet_frame(columns, dtypes)
    write_table(frame, folder / "in.parquet")
    first = read_table(folder / "in.parquet")
    pd.testing.assert_frame_equal(first, frame)
    write_table(first, folder / "out.parquet")
    pd.testing.assert_frame_equal(read_table(folder / "out.parquet"), frame)


def _generated_rows(real: pd.DataFrame, n: int) -> pd.DataFrame:
    """Rows as `augment` appends them: decoded by a TabularEncoder fitted on the real rows."""
    encoder = TabularEncoder(max_modes=2, random_state=0).fit(real)
    rng = np.random.default_rng(0)
    Z = np.zeros((n, encoder.output_dim), dtype=np.float32)
    for span in encoder.output_spans:
        if span.activation == "tanh":
            Z[:, span.start] = rng.uniform(-1, 1, n)
        else:
            Z[np.arange(n), span.start + rng.integers(0, span.size, n)] = 1.0
    return encoder.inverse_transform(Z, random_state=0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables(), st.sampled_from(["\n", "\r\n"]), st.sampled_from([None, "is_synthetic"]))
def test_real_rows_stay_byte_identical_with_generated_rows_appended(tmp_path_factory, table, newline, mark):
    columns = table[0]
    # Huge integers and floats are fine to read and write (above) but not what a GMM is fitted on.
    columns = {name: [v if not isinstance(v, (int, float)) or isinstance(v, bool) or abs(v) < 1e9 else 1
                      for v in cells] for name, cells in columns.items()}
    folder = tmp_path_factory.mktemp("augment")
    text = _csv_frame(columns).to_csv(index=False, lineterminator=newline).encode()
    (folder / "in.csv").write_bytes(text)
    real, source = read_table_source(folder / "in.csv")
    generated = _generated_rows(real, 5)
    write_augmented_table(real, generated, folder / "out.csv", source=source, mark_synthetic=mark)
    written = (folder / "out.csv").read_bytes()
    if mark is None:
        assert written.startswith(text)
    else:  # each real record gains ",False": compare cell texts, which hold every byte of the record
        as_text = {"dtype": str, "keep_default_na": False, "skipinitialspace": True}
        before = pd.read_csv(folder / "in.csv", **as_text)
        after = pd.read_csv(folder / "out.csv", **as_text)
        pd.testing.assert_frame_equal(after.iloc[:len(before)].drop(columns=mark), before)
        assert after[mark].tolist() == ["False"] * len(before) + ["True"] * 5
    again = read_table(folder / "out.csv")
    assert len(again) == len(real) + 5
    for name, places in source.decimals.items():  # synthetic numbers: no more decimals than the real ones
        cells = pd.read_csv(folder / "out.csv", dtype=str, keep_default_na=False)[name].iloc[len(real):]
        assert all(len(c.partition(".")[2]) <= places and "e" not in c.lower() for c in cells), (name, places)


def test_a_synthetic_row_of_one_missing_cell_is_written_as_a_row(tmp_path):
    # A one-column table: a missing cell re-joined alone made an empty line, which readers skip (found
    # by the property above after the synthetic rows' fields were re-quoted one by one).
    (tmp_path / "in.csv").write_bytes(b"c0\n\n1\n")
    real, source = read_table_source(tmp_path / "in.csv")
    generated = pd.DataFrame({"c0": pd.array([None, 2], dtype="Int64")})
    write_augmented_table(real, generated, tmp_path / "out.csv", source=source)
    assert len(read_table(tmp_path / "out.csv")) == len(real) + 2


# Cells that need quoting in some file and not in another: separators, quotes, line breaks, and
# leading spaces (ASCII, Unicode and the information separators str.isspace counts).
AWKWARD_TEXT = st.text(alphabet=["a", "1", ",", ";", "\t", '"', "\n", "\r", " ", "\u00a0", "\x1c", "\u2003", "é"],
                       max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sep=st.sampled_from([",", ";", "\t"]), spaced=st.booleans(),
       cells=st.lists(st.tuples(st.one_of(st.none(), AWKWARD_TEXT), st.one_of(st.none(), st.integers(-10, 10)),
                                st.booleans()), min_size=1, max_size=12))
def test_synthetic_cells_read_back_as_written_in_the_sources_dialect(tmp_path_factory, sep, spaced, cells):
    # Each synthetic cell is quoted where a reader of this file needs it, after the source's
    # separator and its space: read back (as the file's own convention reads it), every cell is
    # the text pandas gives the value (missing: empty), one record per row.
    folder = tmp_path_factory.mktemp("dialect")
    between = sep + (" " if spaced else "")
    (folder / "in.csv").write_text(between.join(["number", "word", "flag"]) + "\n"
                                   + between.join(["1", "plain", "True"]) + "\n", encoding="utf-8")
    real, source = read_table_source(folder / "in.csv", sep=sep)
    synthetic = pd.DataFrame({"number": pd.array([c[1] for c in cells], dtype="Int64"),
                              "word": pd.Series([c[0] for c in cells], dtype=object),
                              "flag": [c[2] for c in cells]})
    write_augmented_table(real, synthetic, folder / "out.csv", source=source, mark_synthetic="synthetic")
    text = (folder / "out.csv").read_bytes().decode("utf-8")  # read_text would make a bare CR a LF
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=spaced))
    assert records[2:] == [["" if number is None else str(number), "" if word is None else word, str(flag), "True"]
                           for word, number, flag in cells]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.sampled_from([0.0, -0.0, 0.125, -0.005, 2.675, float("nan"), float("inf")]),
                                 st.floats(-1e6, 1e6)), max_size=30),
       places=st.sampled_from([0, 2, 19]))
def test_synthetic_numbers_are_each_written_as_the_source_writes_its_own(values, places):
    # Written once per distinct number: each must still read as its own value, rounded alike.
    from gan_augment.data.io import _number_texts, _plain

    texts = _number_texts(pd.Series(values, index=np.arange(len(values))[::-1], dtype=np.float64), places, "?")
    assert texts.tolist() == ["?" if np.isnan(v) else _plain(v, places) for v in values]
    assert texts.index.tolist() == list(range(len(values)))[::-1]
