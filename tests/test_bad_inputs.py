"""Bad inputs and faults, door by door (issue 10: "nothing lost, nothing invented, nothing let in").

Each case asserts that the error (or warning) names the culprit (column, file, class, parameter) and
says what to do, that it comes before any training, and that nothing the user had was written,
changed or half-written. Sections:

1. Files: reading tables (gan_augment.data.io)
2. Target column (gan_augment.data.tabular.check_target, used by io.split_target)
3. Table columns (TabularEncoder)
4. Command-line door (gan-augment augment / fit, their options)
5. scikit-learn door (GANAugmenter, AugmentedClassifier)
6. Evaluator door (evaluate_augmentation's plan)
7. Command line: option values and faults (Ctrl-C while writing, outputs that cannot be written)

Add a case to the section of the door it enters by; keep GAN fits tiny (epochs=1, batch_size<=64).
"""

from __future__ import annotations

import datetime
import decimal
import os
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from gan_augment.data.io import load_dataset, read_table
from gan_augment.data.tabular import TabularEncoder, check_target
from gan_augment.exceptions import DataValidationError

pytestmark = pytest.mark.usefixtures("quick_row_judge")


def _snapshot(folder):
    """{name: bytes} of every file under ``folder``: compared before and after to prove nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# =============================================================================================
# 1. Files: reading tables
# =============================================================================================
BAD_CSV_FILES = [
    # (file text, pattern the message must match: the culprit named)
    ("age,age,label\n1,2,a\n3,4,b\n", r"'age' at positions 1, 2.*rename"),
    ("a,b,a,label\n1,2,3,x\n", r"'a' at positions 1, 3.*of its own\.$"),
    # A file without a header (UCI's .data files) whose first row repeats a value was told to rename
    # columns, and the warning of a header that reads like data never came.
    ("1000025,5,1,1,2\n1002945,5,4,4,2\n", r"'1' at positions 3, 4.*The first line reads like a row of data "
                                          r"\(numbers\): if the file has no header row, add a first line naming"),
    ("1,,3\n4,5,6\n", r"without a name in its header \(position 2.*The first line reads like a row of data"),
    # UCI's balance-scale.data: a class's text, then numbers.
    ("B,1,1,1,1\nR,1,1,1,2\n", r"'1' at positions 2, 3, 4, 5.*The first line reads like a row of data"),
    ("2,1,?,?,38.5,yes\n1,1,3,?,39,no\n", r"'\?' at positions 3, 4.*reads like a row of data"),  # missing markers
    ("region,NA,NA\nx,1,2\n", r"'NA' at positions 2, 3.*of its own\.$"),  # no number: a header
    ("id,age,age,label\n1,2,3,x\n", r"'age' at positions 2, 3.*of its own\.$"),  # words: a header
    ("", r"is empty"),
    ("a,label\n", r"header but no rows"),
    (",a,label\n0,1,x\n", r"a column without a name in its header \(position 1; the first column is 1\).*index=False"),
    ("a,,label\n0,1,x\n",
     r"without a name in its header \(position 2; the first column is 1\); give every column a name\.$"),
    ("a,label,\n0,x,\n", r"without a name .*position 3.*separator at the end of the header line"),
    ("a,label\n1,x,extra,more\n2,y\n", r"line 2 has 4 fields, but the header names 2 columns"),
    ("a,label\n1,x\n2,y,\n", r"line 3 has 3 fields, but the header names 2 columns.*trailing separator"),
    # On every data line, pandas dropped the extra fields silently; rows written back did not line up.
    ("a,label\n1,x,\n2,y,\n", r"line 2 has 3 fields, but the header names 2 columns.*trailing separator"),
    ('a,label\n1,"x\n', r"could not be read as csv"),  # an unclosed quote: pandas' own words
    # Excel's separator line was read as the header ("a column without a name ... end of the header line?")
    ("sep=,\na,label\n1,x\n", r"begins with Excel's separator line 'sep=,'; delete that line"),
    ("sep=;\na;label\n1;x\n", r"separator line 'sep=;'.*pass --sep ';'"),
    # A tab was shown as a tab (a space once on one line): --sep ' ' is refused.
    ("sep=\t\na\tlabel\n1\tx\n", r"separator line 'sep=\\t'.*pass --sep '\\t' \(sep='\\t' in Python\)"),
    # A space cannot be --sep: it said "pass --sep ' '", which was refused in turn.
    ("sep= \na label\n1 x\n", r"separator line 'sep= '; delete that line so that the header comes first; ' ' cannot "
                               r"separate fields here, so save the file again with ',', ';' or a tab between them\.$"),
]


@pytest.mark.parametrize("text, match", BAD_CSV_FILES, ids=[f"csv{i}" for i in range(len(BAD_CSV_FILES))])
def test_bad_csv_files_are_refused_naming_the_fault(tmp_path, text, match):
    path = tmp_path / "data.csv"
    path.write_text(text)
    before = _snapshot(tmp_path)
    with pytest.raises(DataValidationError, match=match) as info:
        read_table(path)
    assert "data.csv" in str(info.value)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("na_values, match", [
    ([1], r"na_values must be strings.*got 1"),
    (["NA", None], r"na_values must be strings.*got None"),
    (3.5, r"na_values must be strings.*got 3.5"),
])
def test_bad_na_values_are_refused_naming_the_parameter(tmp_path, na_values, match):
    path = tmp_path / "data.csv"
    path.write_text("a,label\n1,x\n")
    with pytest.raises(DataValidationError, match=match):
        read_table(path, na_values=na_values)


def test_na_values_for_a_parquet_file_is_refused(tmp_path):
    path = tmp_path / "data.parquet"
    pd.DataFrame({"a": [1, 2], "label": ["x", "y"]}).to_parquet(path)
    with pytest.raises(DataValidationError, match=r"CSV files only; .*data.parquet.*--na-values"):
        read_table(path, na_values=["NA"])


# ---------------------------------------------------------------- data silently changed (reading)
def test_csv_values_that_look_like_numbers_are_not_retyped(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("zip,region,label\n02139,NA,007\n10001,EU,7\n02139,None,7\n")
    X, y, _ = load_dataset(path)
    assert X["zip"].tolist() == ["02139", "10001", "02139"]
    assert X["region"].tolist() == ["NA", "EU", "None"]
    assert sorted(y.unique()) == ["007", "7"]


@pytest.mark.parametrize("cells", [["1e999", "1"], ["1.5", "inf"], ["02139", "12345"], ["1,5", "2"]])
def test_cells_a_number_would_change_keep_the_column_as_text(tmp_path, cells):
    # 1e999 would become inf, 02139 would lose its zero: such columns stay text, cells as written.
    path = tmp_path / "data.csv"
    path.write_text("v,label\n" + "".join(f'"{c}",{"ab"[i % 2]}\n' for i, c in enumerate(cells)))
    assert read_table(path)["v"].tolist() == cells


def test_augmented_output_over_an_existing_file_is_refused_and_nothing_changes(tmp_path):
    from gan_augment.data.io import read_table_source, write_augmented_table

    path = tmp_path / "data.csv"
    path.write_text("v,label\n0.50,a\n0.25,b\n")
    (tmp_path / "out.csv").write_text("precious\n")
    frame, source = read_table_source(path)
    before = _snapshot(tmp_path)
    with pytest.raises(FileExistsError, match="out.csv already exists.*--force"):
        write_augmented_table(frame, frame, tmp_path / "out.csv", source=source)
    assert _snapshot(tmp_path) == before


def test_a_parquet_index_with_a_name_is_refused_not_dropped(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"x": np.arange(30.0), "label": ["a"] * 20 + ["b"] * 10})
    frame.set_index(pd.Index(range(100, 130), name="patient_id")).to_parquet(tmp_path / "named.parquet")
    frame[frame.x > 3].to_parquet(tmp_path / "filtered.parquet")  # unnamed row numbers left by a filter
    # Unnamed, yet data: IDs or dates as the index were dropped without a word.
    frame.set_index(pd.Index([f"p-{i:03d}" for i in range(30)])).to_parquet(tmp_path / "ids.parquet")
    frame.set_index(pd.date_range("2024-01-01", periods=30)).to_parquet(tmp_path / "dates.parquet")
    pairs = pd.MultiIndex.from_arrays([np.arange(30) % 3, np.arange(30)])
    frame.set_index(pairs).to_parquet(tmp_path / "pairs.parquet")
    frame.set_index(pd.Index([f"p-{i:03d}" for i in range(30)])).iloc[:0].to_parquet(tmp_path / "empty.parquet")
    before = _snapshot(tmp_path)
    with pytest.raises(DataValidationError, match=r"named.parquet stores a pandas index named 'patient_id'.*"
                                                  r"reset_index\(\)"):
        read_table(tmp_path / "named.parquet")
    for name, first in (("ids", "'p-000'"), ("dates", r"Timestamp\('2024-01-01 00:00:00'\)"), ("pairs", r"\(0, 0\)")):
        with pytest.raises(DataValidationError, match=rf"{name}.parquet stores a pandas index of {first}, \.\.\. "
                                                      r"beside its columns.*reset_index\(\)"):
            read_table(tmp_path / f"{name}.parquet")
    assert len(read_table(tmp_path / "filtered.parquet")) == 26
    # No rows: said as of any file without rows (the index's first value was asked for: IndexError).
    with pytest.raises(DataValidationError, match=r"empty.parquet has column names but no rows"):
        read_table(tmp_path / "empty.parquet")
    assert _snapshot(tmp_path) == before


def test_a_parquet_column_without_a_name_is_refused_as_in_a_csv_header(tmp_path):
    # Accepted, then written as "age,,label" in a CSV that gan-augment itself refuses to read.
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table([pa.array([1.0, 2.0]), pa.array(["x", "y"]), pa.array(["a", "b"])],
                            names=["age", "", "label"]), tmp_path / "blank.parquet")
    with pytest.raises(DataValidationError, match=r"blank.parquet has a column named '' \(position 2; the first "
                                                  r"column is 1\); give every column a name"):
        read_table(tmp_path / "blank.parquet")


# =============================================================================================
# 2. Target column
# =============================================================================================
def _target_file(tmp_path, labels):
    path = tmp_path / "data.csv"
    pd.DataFrame({"a": np.arange(len(labels)), "label": labels}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("labels, match", [
    (list(np.random.default_rng(0).normal(50, 10, 60).round(3)), r"'label' in .*looks like a regression target"),
    (list(range(100)), r"'label' in .*looks like a regression target: 100 distinct"),
    (["a", None, "b", "a"], r"'label' in .*1 missing value of 4 rows \(data rows 2;"),
])
def test_bad_targets_in_a_file_are_refused_naming_the_column(tmp_path, labels, match):
    path = _target_file(tmp_path, labels)
    before = _snapshot(tmp_path)
    with pytest.raises(DataValidationError, match=match):
        load_dataset(path)
    assert _snapshot(tmp_path) == before


def test_fractional_labels_in_a_file_are_kept_as_written_not_refused(tmp_path):
    # Read from a file, labels are integers only when written as plain integers: 0.5 and 1.5 are
    # two classes named as written (a float target in Python is still refused, below).
    path = _target_file(tmp_path, [0.5, 1.5] * 10)
    _, y, _ = load_dataset(path)
    assert sorted(y.unique()) == ["0.5", "1.5"]
    with pytest.raises(DataValidationError, match=r"fractional part"):
        check_target(pd.Series([0.5, 1.5] * 10))


@pytest.mark.parametrize("y, match", [
    (["a", "b", float("nan")] * 4, r"The target y has 4 missing values of 12 rows"),
    ([1, "1", "2", 2], r"differ only in type: 1 \(int\), '1' \(str\)"),
    ([True, "True", "x"], r"differ only in type: True \(bool\), 'True' \(str\)"),
    (np.linspace(0, 1, 50), r"looks like a regression target"),
    ([f"{v:.2f}" for v in np.linspace(0, 1, 50)], r"looks like a regression target"),  # numbers as text
    # scikit-learn calls these "unknown" (a regression target?), and True == 1 would merge two classes
    ([1] * 5 + ["b"] * 5, r"mixes labels of different kinds: numbers \(1\), text \('b'\)"),
    (np.array([True] * 5 + [1] * 5, dtype=object), r"mixes labels of different kinds: booleans \(True\), numbers"),
    # scikit-learn's "Unknown label type ... regression target?" for bins the README advises making
    (pd.cut(pd.Series(np.arange(30.0)), 3), r"labels of type Interval .*pandas.cut\(\.\.\., labels=False\)"),
    (pd.Series(pd.to_datetime(["2020-01-01", "2020-02-01"] * 5).tz_localize("UTC")), r"labels of type Timestamp"),
    (pd.Series(pd.period_range("2020", periods=2, freq="M").repeat(5)), r"labels of type Period"),
    # A torch Dataset's labels collected one by one: every tensor(0) was a class of its own, said as
    # labels "that differ only in type", with advice (y.astype(str)) that a list cannot take.
    ([torch.tensor(v) for v in [0, 1] * 5], r"labels that are each a torch Tensor \(e.g. tensor\(0\)\), not plain "
                                          r"values. Pass the values: \[label.item\(\) for label in y\]"),
    ([np.array(v) for v in [0, 1] * 5], r"each a numpy ndarray \(e.g. array\(0\)\)"),
    # scikit-learn's "Complex data not supported" printed every label
    (np.array([0, 1] * 5, dtype=complex), r"holds complex numbers \(e.g. 0j\): Complex data not supported as classes"),
    (pd.Series([0j, 1 + 0j] * 5, dtype=object), r"holds complex numbers"),
    # numpy's text drops a trailing NUL: 'b\x00' came back as 'b' (a list), or failed after the fit
    (np.array(["a", "b\x00"] * 5, dtype=object), r"the label 'b\\x00', which ends in a NUL character"),
    (["a", "b\x00"] * 5, r"ends in a NUL character"),
    # numpy reads them all as floats: 1 came back as 1.0
    ([1] * 5 + [2.0] * 5, r"a list of ints and floats \(e.g. 2.0\); numpy reads them all as floats"),
])
def test_bad_targets_in_python_are_refused(y, match):
    with pytest.raises(DataValidationError, match=match):
        check_target(y)


# =============================================================================================
# 3. Table columns
# =============================================================================================
def test_text_date_column_warns_naming_the_column():
    frame = pd.DataFrame({"x": np.arange(20.0), "joined": [f"2021-01-{d:02d}" for d in range(1, 21)]})
    with pytest.warns(UserWarning, match="'joined' looks like dates.*categories.*days since"):
        TabularEncoder(random_state=0).fit(frame)


# "\ud800": a lone surrogate (text decoded with errors="surrogateescape") failed after the whole GAN fit.
@pytest.mark.parametrize("value", [b"ab", decimal.Decimal("1.5"), datetime.date(2020, 1, 2), "\ud800"],
                         ids=["bytes", "decimal", "date", "surrogate"])
def test_a_value_a_model_file_cannot_hold_is_refused_naming_its_column(value):
    frame = pd.DataFrame({"x": np.arange(20.0), "odd": pd.Series([value, "plain"] * 10, dtype=object)})
    with pytest.raises(DataValidationError, match=r"Column 'odd' holds the value .* cannot be stored in a model file"):
        TabularEncoder(random_state=0).fit(frame)


@pytest.mark.parametrize("dtype", ["int64", "uint64", "Int64"])
def test_whole_numbers_beyond_float_precision_stay_in_their_observed_range(dtype):
    # Through float64, 2**53 + 1 came back as 2**53: below the smallest value ever seen.
    start = 2 ** 53 + 1 if dtype != "uint64" else 12345678901234567890
    ids = pd.array([start + i for i in range(40)], dtype=dtype)
    frame = pd.DataFrame({"x": np.arange(40.0), "id": ids})
    encoder = TabularEncoder(random_state=0)
    with pytest.warns(UserWarning, match=r"Column 'id' holds whole numbers beyond 2\*\*53.*leave it out"):
        encoder.fit(frame)
    decoded = encoder.inverse_transform(encoder.transform(frame, random_state=0), random_state=0)
    assert str(decoded["id"].dtype) == dtype
    assert decoded["id"].min() >= start and decoded["id"].max() <= start + 39


def test_rounding_to_the_observed_decimals_keeps_large_values_inside_the_range():
    # np.round(2099884981709.4163, 7) is ...4165: values clipped to the maximum were rounded above it.
    from gan_augment import GANAugmenter

    X = pd.DataFrame({"a": [2099884981709.4163, 0.1234567] + [float(i) for i in range(38)]})
    y = np.array([0] * 30 + [1] * 10)
    X_res, _ = GANAugmenter(epochs=1, batch_size=16, label_gate=False, random_state=0).fit_resample(X, y)
    made = X_res["a"].iloc[40:]
    assert len(made) == 20 and made.max() <= X["a"].max() and made.min() >= X["a"].min()


@pytest.mark.parametrize("dtype", ["uint8", "UInt8", "int8"])
def test_without_clipping_to_the_observed_range_integers_stay_in_their_dtypes_range(dtype):
    # clip_to_range=False: a value beyond the dtype's range (260 for uint8) failed the cast after
    # the whole fit.
    high = 127 if dtype == "int8" else 255
    values = np.r_[np.linspace(0, 12, 30), np.linspace(high - 12, high, 30)].round()
    frame = pd.DataFrame({"u": pd.Series(values).astype(dtype)})
    encoder = TabularEncoder(clip_to_range=False, random_state=0).fit(frame)
    encoded = encoder.transform(frame, random_state=0)
    for span in encoder.output_spans:  # every scalar at the edge of its mode: mean +- 4 std
        if span.activation == "tanh":
            encoded[:30, span.start:span.start + span.size] = -1.0
            encoded[30:, span.start:span.start + span.size] = 1.0
    decoded = encoder.inverse_transform(encoded, random_state=0)["u"]
    assert str(decoded.dtype) == dtype
    assert decoded.max() == high and (dtype == "int8" or decoded.min() == 0)


@pytest.mark.parametrize("dtype, top", [("int64", 2 ** 63 - 1), ("uint64", 2 ** 64 - 1), ("Int64", 2 ** 63 - 1),
                                        ("object", 2 ** 70)])
def test_whole_numbers_at_the_integer_limit_decode_to_values_seen(dtype, top):
    # Through float64, 2**63 - 1 is 2**63: a plain cast wrapped it round to -2**63, which the clip
    # then lifted to the column's minimum (every synthetic value 0), or failed for Int64 after training.
    values = [top] * 20 + [0] * 10 + ([None] * 10 if dtype == "Int64" else [0] * 10)
    frame = pd.DataFrame({"x": np.arange(40.0), "id": pd.Series(values, dtype=dtype)})
    encoder = TabularEncoder(random_state=0)
    with pytest.warns(UserWarning, match="beyond 2\\*\\*53"):
        encoder.fit(frame)
    decoded = encoder.inverse_transform(encoder.transform(frame, random_state=0), random_state=0)
    assert str(decoded["id"].dtype) == dtype
    observed = decoded["id"].dropna()
    assert set(observed.tolist()) <= {0, top} and (observed == top).sum() >= 10
    assert decoded["id"].isna().sum() == (10 if dtype == "Int64" else 0)


def test_a_column_mixing_booleans_and_numbers_is_refused_naming_it():
    # True == 1 and False == 0.0 in Python: they became one category; 1.0, False and 0.0 never came back.
    frame = pd.DataFrame({"x": np.arange(24.0), "mixed": np.array([True, "x", 1.0, 0, False, 0.0] * 4, dtype=object)})
    with pytest.raises(DataValidationError, match=r"Column 'mixed' mixes booleans with numbers"):
        TabularEncoder(random_state=0).fit(frame)
    TabularEncoder(random_state=0).fit(frame.assign(mixed=frame["mixed"].astype(str)))  # as the message says


# =============================================================================================
# 4. Command-line door
# =============================================================================================
def _cli(capsys, *args):
    from gan_augment.cli.main import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.parametrize("text, culprit", [
    ("age,age,label\n" + "1,2,a\n3,4,b\n" * 10, "'age' at positions 1, 2"),
    ("a,label\n" + "".join(f"{i},{i * 0.37:.2f}\n" for i in range(40)), "looks like a regression target"),
    ("a,label\n" + "".join(f"{i},{'x' if i % 3 else ''}\n" for i in range(30)), "missing values of 30 rows"),
])
def test_cli_refuses_bad_tables_before_training_and_writes_nothing(tmp_path, capsys, text, culprit):
    data = tmp_path / "data.csv"
    data.write_text(text)
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "augment", data, "--out", tmp_path / "out.csv", "--epochs", "1", "--seed", "0", "-q")
    assert code == 1 and culprit in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before  # no output, no temporary file, input untouched


def test_cli_augment_writes_real_rows_byte_for_byte(tmp_path, capsys):
    rng = np.random.default_rng(0)
    lines = ["zip,region,score,label"]
    for i in range(60):
        label = "007" if i < 40 else "7"
        lines.append(f"{rng.choice(['02139', '00501', '10001'])},{rng.choice(['NA', 'EU', 'None'])},"
                     f"{rng.integers(0, 100)},{label}")
    data = tmp_path / "data.csv"
    data.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    code, err = _cli(capsys, "augment", data, "--out", out, "--epochs", "1", "--batch-size", "32", "--seed", "0", "-q")
    assert code == 0, err
    written = out.read_text().splitlines()
    assert written[:len(lines)] == lines
    assert len(written) == len(lines) + 20  # class '7' topped up to the 40 rows of '007': two classes, not one


# ---------------------------------------------------------------- command line: options that do not fit the data
def test_cli_na_values_for_parquet_is_a_usage_error_and_nothing_is_written(tmp_path, capsys):
    data = tmp_path / "data.parquet"
    pd.DataFrame({"a": np.arange(30), "label": ["x"] * 20 + ["y"] * 10}).to_parquet(data)
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "augment", data, "--na-values", "NA", "--out", tmp_path / "out.csv", "-e", "1")
    assert code == 2 and "CSV files only" in err and "data.parquet" in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_cli_auto_names_a_class_of_one_row_before_training(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("x,label\n" + "".join(f"{i},{'a' if i < 20 else 'b' if i < 29 else 'lone'}\n" for i in range(30)))
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "augment", data, "--auto", "--out", tmp_path / "out.csv", "-e", "1", "-q")
    assert code == 1 and "'lone'" in err and "single row" in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_cli_augment_with_a_model_takes_a_true_false_column_with_empty_cells(tmp_path, capsys):
    # Read as objects (booleans beside missing cells), it was "text" against the model's booleans.
    rng = np.random.default_rng(0)
    flags = rng.random(40) > 0.5
    full = pd.DataFrame({"x": rng.normal(size=40).round(2), "flag": flags, "label": ["a"] * 30 + ["b"] * 10})
    full.to_csv(tmp_path / "full.csv", index=False)
    gaps = full.astype({"flag": object})
    gaps.loc[::10, "flag"] = None
    gaps.to_csv(tmp_path / "gaps.csv", index=False)
    for fitted, data in (("full", "gaps"), ("gaps", "full")):
        code, err = _cli(capsys, "fit", tmp_path / f"{fitted}.csv", "--out", tmp_path / fitted, "-e", "1", "-s", "0",
                         "-q")
        assert code == 0, err
        code, err = _cli(capsys, "augment", tmp_path / f"{data}.csv", "--model", tmp_path / fitted,
                         "--out", tmp_path / f"{data}_out.csv", "-q")
        assert code == 0, err
        written = pd.read_csv(tmp_path / f"{data}_out.csv")["flag"].dropna()
        assert set(written.astype(str)) <= {"True", "False"}


def test_cli_augment_with_a_model_refuses_a_column_of_another_kind(tmp_path, capsys):
    # Names alone matched: real rows "70y" were written beside synthetic 23, 45, ...
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.integers(20, 70, 30), "label": ["a"] * 20 + ["b"] * 10})
    frame.to_csv(tmp_path / "data.csv", index=False)
    code, err = _cli(capsys, "fit", tmp_path / "data.csv", "--out", tmp_path / "m", "-e", "1", "-s", "0", "-q")
    assert code == 0, err
    frame.assign(age=[f"{a}y" for a in frame.age]).to_csv(tmp_path / "text.csv", index=False)
    frame.assign(age=frame.age + 0.5).to_csv(tmp_path / "fractions.csv", index=False)
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "augment", tmp_path / "text.csv", "--model", tmp_path / "m", "--out", tmp_path / "o.csv")
    assert code == 2 and "Column 'age' of" in err and "holds text ('" in err and "fitted on numbers" in err, err
    assert _snapshot(tmp_path) == before
    code, err = _cli(capsys, "augment", tmp_path / "fractions.csv", "--model", tmp_path / "m",
                     "--out", tmp_path / "o.csv", "-q")
    assert code == 0 and "fractions.csv holds fractions, but the model learnt whole numbers" in err, err


def test_cli_checkpoint_folder_of_other_files_is_refused_and_left_alone(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("x,label\n" + "".join(f"{i},{'a' if i < 20 else 'b'}\n" for i in range(30)))
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    before = _snapshot(tmp_path)
    for extra in ([], ["--resume"]):
        code, err = _cli(capsys, "fit", data, "--checkpoint-dir", folder, "--out", tmp_path / "m", "-e", "1", *extra)
        assert code == 2 and str(folder) in err and "Traceback" not in err
        assert _snapshot(tmp_path) == before


# =============================================================================================
# 5. scikit-learn door
# =============================================================================================
@pytest.mark.parametrize("y, match", [
    (["a", "b"] * 19 + ["a", np.nan], r"missing value"),
    ([1, "1"] * 20, r"differ only in type"),
    (np.random.default_rng(0).normal(size=40), r"regression target"),
])
@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_gan_augmenter_refuses_bad_targets_before_training(y, match, method):
    from gan_augment import GANAugmenter

    X = pd.DataFrame({"a": np.arange(40.0)})
    # fit_resample is imbalanced-learn's: scikit-learn's own check names a continuous target first
    # ("... a regression target with continuous values"), a ValueError like ours.
    with pytest.raises(ValueError, match=match):
        getattr(GANAugmenter(epochs=1, batch_size=32, random_state=0), method)(X, y)


@pytest.mark.parametrize("y, match", [
    # imbalanced-learn's fit_resample checks the target with scikit-learn before any hook of ours:
    # these failed there with numpy's "'<' not supported between 'str' and 'float'", pandas'
    # "boolean value of NA is ambiguous" and "Unknown label type: unknown"
    (pd.Series(["a"] * 29 + [np.nan] + ["b"] * 10), r"1 missing value of 40 rows \(at positions 29"),
    (pd.Series(["a"] * 29 + [pd.NA] + ["b"] * 10, dtype="string"), r"1 missing value of 40 rows"),
    (pd.Categorical(["a"] * 29 + [np.nan] + ["b"] * 10), r"1 missing value of 40 rows"),
    (np.array([1] * 30 + ["b"] * 10, dtype=object), r"mixes labels of different kinds"),
    # two columns of labels: numpy's "'<' not supported between 'int' and 'str'" in scikit-learn's check
    (pd.DataFrame({"label": ["a"] * 30 + ["b"] * 10, "site": 1}), r"has shape \(40, 2\): one label per row"),
    # The same as a column vector (N, 1), which was left to scikit-learn: numpy's and pandas' errors again.
    (np.array(["a"] * 29 + [None] + ["b"] * 10, dtype=object).reshape(-1, 1), r"1 missing value of 40 rows"),
    (pd.DataFrame({"label": pd.array(["a"] * 29 + [None] + ["b"] * 10, dtype="string")}), r"1 missing value"),
    ([[1]] * 30 + [["1"]] * 10, r"differ only in type"),
    # Whole numbers beyond int64: "Unknown label type ... regression target"; y.astype(int) overflows.
    ([10 ** 20] * 30 + [10 ** 20 + 1] * 10, r"beyond int64.*y\.astype\(str\)"),
    (pd.Series([10 ** 20] * 30 + [10 ** 20 + 1] * 10), r"beyond int64.*y\.astype\(str\)"),
    ([2 ** 63 + 5] * 30 + [1] * 10, r"beyond int64"),  # numpy makes this list float64, losing digits
])
@pytest.mark.parametrize("sampler", ["GANAugmenter", "AutoAugmenter", "MixedSMOTE"])
def test_every_sampler_names_a_bad_pandas_target_before_training(y, match, sampler):
    import gan_augment
    from gan_augment.baselines import MixedSMOTE

    X = pd.DataFrame({"a": np.arange(40.0)})
    make = {"GANAugmenter": lambda: gan_augment.GANAugmenter(epochs=1, batch_size=32, random_state=0),
            "AutoAugmenter": lambda: gan_augment.AutoAugmenter(methods=("random",), random_state=0),
            "MixedSMOTE": lambda: MixedSMOTE(random_state=0)}[sampler]
    with pytest.raises(DataValidationError, match=match):
        make().fit_resample(X, y)


def test_a_numpy_matrix_target_keeps_imbalanced_learns_own_advice():
    # Taken as a column vector, it was called "shape (40, 1): ... pass one column" (it is one).
    from gan_augment import GANAugmenter

    y = np.matrix(np.r_[np.zeros(30, int), np.ones(10, int)]).T
    with pytest.raises(TypeError, match=r"np\.matrix is not supported.*np\.asarray"):
        GANAugmenter(epochs=1, random_state=0).fit_resample(np.zeros((40, 2)), y)


@pytest.mark.parametrize("labels, rare", [(pd.array([3] * 30 + [7] * 10, dtype="Int64"), 7),
                                          (pd.array([False] * 30 + [True] * 10, dtype="boolean"), True),
                                          (pd.Categorical([False] * 30 + [True] * 10), True)])
def test_nullable_pandas_labels_keep_their_values_as_classes(labels, rare):
    # scikit-learn's checks made them floats: classes_ [3.0, 7.0], and classes=[7] was "Unknown class 7".
    from gan_augment import GANAugmenter

    X, y = pd.DataFrame({"a": np.arange(40.0)}), pd.Series(labels)
    augmenter = GANAugmenter(epochs=1, batch_size=32, random_state=0, classes=[rare])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-epoch GAN may warn about its own quality
        _, y_res = augmenter.fit_resample(X, y)
    assert augmenter.sampling_strategy_ == {rare: 20} and type(augmenter.classes_[1].item()) is type(rare)
    assert y_res.dtype == y.dtype and (y_res == rare).sum() == 30
    assert len(augmenter.sample(3, rare)) == 3


@pytest.mark.parametrize("labels, rare", [(pd.array([3] * 30 + [7] * 10, dtype="Int64"), 7),
                                          (pd.array([False] * 30 + [True] * 10, dtype="boolean"), True)])
def test_augmented_classifier_predicts_nullable_labels_as_written(labels, rare):
    # The estimator was handed the resampled Series: scikit-learn made its classes floats, and
    # predict gave 7.0 for 7 and 1.0 for True.
    from sklearn.tree import DecisionTreeClassifier

    from gan_augment import AugmentedClassifier, GANAugmenter

    X, y = pd.DataFrame({"a": np.arange(40.0)}), pd.Series(labels)
    model = AugmentedClassifier(DecisionTreeClassifier(random_state=0),
                                GANAugmenter(epochs=1, batch_size=32, label_gate=False, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-epoch GAN may warn about its own quality
        model.fit(X, y)
    assert [type(label) for label in model.classes_.tolist()] == [type(rare)] * 2
    predicted = model.predict(X.iloc[-10:])
    assert predicted.dtype == model.classes_.dtype and rare in predicted.tolist()


@pytest.mark.parametrize("sampler", ["GANAugmenter", "MixedSMOTE"])
def test_an_object_column_of_missing_markers_comes_back_as_written(sampler):
    # On pandas 2, concat rewrote the markers of an object column whose cells are all missing: the
    # real rows' [None, nan, <NA>] came back [None, None, None], and a column of <NA> as nan.
    import gan_augment
    from gan_augment.baselines import MixedSMOTE
    from gan_augment.data.tabular import concat_rows

    X = pd.DataFrame({"a": np.arange(60.0), "z": pd.Series([None, np.nan, pd.NA] * 20, dtype=object),
                      "w": pd.Series([pd.NA] * 60, dtype=object)})
    y = np.array([0] * 45 + [1] * 15)
    make = {"GANAugmenter": lambda: gan_augment.GANAugmenter(epochs=1, batch_size=32, label_gate=False,
                                                             random_state=0, n_threads=1),
            "MixedSMOTE": lambda: MixedSMOTE(random_state=0)}[sampler]
    X_res, _ = make().fit_resample(X, y)
    assert len(X_res) == 90 and X_res.iloc[:60].equals(X)
    assert X_res["w"].iloc[60:].map(lambda v: v is pd.NA).all()  # spelt as the column's missing cells
    parts = [X.iloc[:3], X.iloc[[3, 4]][["w", "z", "a"]]]  # another order of the columns, read by name
    joined = concat_rows(parts)
    assert joined.columns.tolist() == ["a", "z", "w"] and joined["z"].tolist()[:3] == [None, np.nan, pd.NA]
    assert joined["z"].iloc[:3].map(type).tolist() == [type(None), float, type(pd.NA)]


@pytest.mark.parametrize("sampler", ["AutoAugmenter", "MixedSMOTE"])
def test_categories_of_booleans_come_back_as_labels(sampler):
    # Every label came back NaN: scikit-learn's checks made them 0.0 and 1.0, no category of y's.
    import gan_augment
    from gan_augment.baselines import MixedSMOTE

    X, y = pd.DataFrame({"a": np.arange(40.0)}), pd.Series(pd.Categorical([False] * 30 + [True] * 10))
    make = {"AutoAugmenter": lambda: gan_augment.AutoAugmenter(methods=("random",), random_state=0),
            "MixedSMOTE": lambda: MixedSMOTE(random_state=0)}[sampler]
    _, y_res = make().fit_resample(X, y)
    assert y_res.dtype == y.dtype and not y_res.isna().any() and (y_res == False).sum() == 30  # noqa: E712


@pytest.mark.parametrize("strategy, match", [
    ({"b": float("nan")}, r"sampling_strategy\['b'\] must be an int \(the count wanted.*got nan"),
    ({"b": "20"}, r"sampling_strategy\['b'\] must be an int.*got '20' \(str\)"),
    ({"b": 20.5}, r"got 20.5 \(float\)"),  # imbalanced-learn would floor it
    ({"b": True}, r"got True \(bool\)"),
    (lambda y: None, r"returned NoneType \(None\); a callable sampling_strategy must return a dict"),
    # imbalanced-learn's own refusal named neither the class nor its key.
    ({"b": 4}, r"sampling_strategy\['b'\] = 4 is below the 10 that class 'b' already has.*Ask for at least 10"),
])
@pytest.mark.parametrize("sampler", ["GANAugmenter", "AutoAugmenter", "MixedSMOTE", "ClassicOversampler"])
@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_sampling_strategy_counts_that_are_not_whole_numbers_are_named(strategy, match, sampler, method):
    # ClassicOversampler left them to imbalanced-learn and numpy: "'<' not supported between
    # instances of 'str' and 'int'", "'list' object has no attribute 'keys'".
    import gan_augment
    from gan_augment.baselines import ClassicOversampler, MixedSMOTE

    X, y = pd.DataFrame({"a": np.arange(40.0)}), np.array(["a"] * 30 + ["b"] * 10)
    make = {"GANAugmenter": lambda: gan_augment.GANAugmenter(epochs=1, sampling_strategy=strategy),
            "AutoAugmenter": lambda: gan_augment.AutoAugmenter(methods=("random",), sampling_strategy=strategy),
            "MixedSMOTE": lambda: MixedSMOTE(sampling_strategy=strategy),
            "ClassicOversampler": lambda: ClassicOversampler((1, 1, 1), sampling_strategy=strategy)}
    estimator = make[sampler]()
    with pytest.raises((ValueError, TypeError), match=match):
        getattr(estimator, method)(X, y)
    assert not hasattr(estimator, "generator_")


@pytest.mark.parametrize("strategy, match", [
    (None, r"sampling_strategy must be a float, one of 'auto'.*got None"),
    ((1, 30), r"sampling_strategy must be .*got \(1, 30\)"),
    ("Auto", r"sampling_strategy='Auto' is not one of 'auto', 'minority'"),  # imbalanced-learn listed functions
])
def test_a_strategy_of_another_type_is_named_by_the_pytorch_door_and_the_evaluator(strategy, match):
    # The samplers' parameter validation names it; AugmentedDataset and evaluate_augmentation failed
    # with "'NoneType' object has no attribute 'items'".
    import torch
    from torch.utils.data import TensorDataset

    from gan_augment import AugmentedDataset, GANAugmenter, evaluate_augmentation
    y = np.array([0] * 30 + [1] * 10)
    base = TensorDataset(torch.zeros(len(y), 2), torch.from_numpy(y))
    with pytest.raises((ValueError, TypeError), match=match):
        AugmentedDataset(base, GANAugmenter(epochs=1), sampling_strategy=strategy)
    with pytest.raises((ValueError, TypeError), match=match):
        evaluate_augmentation(np.zeros((len(y), 2)), y, GANAugmenter(epochs=1, sampling_strategy=strategy))


def test_a_mapping_that_is_not_a_dict_is_named_with_the_fix():
    # imbalanced-learn reads dicts only: "'NoneType' object has no attribute 'items'" at every door.
    import types

    import torch
    from torch.utils.data import TensorDataset

    from gan_augment import AugmentedDataset, GANAugmenter
    y = np.array([0] * 30 + [1] * 10)
    strategy = types.MappingProxyType({1: 30})
    with pytest.raises(TypeError, match=r"sampling_strategy is a mappingproxy; give it as a dict"):
        GANAugmenter(epochs=1, sampling_strategy=strategy).fit_resample(np.zeros((len(y), 2)), y)
    with pytest.raises(TypeError, match=r"sampling_strategy is a mappingproxy; give it as a dict"):
        AugmentedDataset(TensorDataset(torch.zeros(len(y), 2), torch.from_numpy(y)), GANAugmenter(epochs=1),
                         sampling_strategy=strategy)


def _frame_faults():
    X = pd.DataFrame({"x": np.arange(40.0), "z": np.arange(40.0) % 3})
    return [
        pytest.param(X[[]], r"0 feature\(s\).*the table X has no columns", id="no-columns"),
        pytest.param(X.assign(cells=[[1, 2]] * 40), r"Column 'cells' holds list values \(position 0: \[1, 2\]\)",
                     id="lists"),
        pytest.param(X.assign(cells=[{"k": 1}] * 40), r"Column 'cells' holds dict values", id="dicts"),
        pytest.param(X.rename(columns={"z": 5}), r"column names mix types: str \('x'\), int \(5\).*astype\(str\)",
                     id="mixed-names"),
        pytest.param(pd.concat([X, X[["x"]]], axis=1), r"X repeats the column name 'x'; give each column its own name",
                     id="repeated"),
        pytest.param(X.set_axis(pd.MultiIndex.from_tuples([("a", "x"), ("a", "z")]), axis=1),
                     r"X has a column named \('a', 'x'\), a tuple \(columns of several levels\).*Flatten the names",
                     id="multiindex"),
    ]


@pytest.mark.parametrize("X, match", _frame_faults())
def test_gan_augmenter_names_a_faulty_frame_before_training(X, match):
    # These failed with numpy's "need at least one array to concatenate", "unhashable type: 'list'",
    # scikit-learn's TypeError and narwhals' DuplicateError.
    from gan_augment import GANAugmenter

    augmenter = GANAugmenter(epochs=1, batch_size=32, random_state=0)
    before = X.copy()
    with pytest.raises(DataValidationError, match=match):
        augmenter.fit_resample(X, np.array(["a"] * 30 + ["b"] * 10))
    assert not hasattr(augmenter, "generator_")
    pd.testing.assert_frame_equal(X, before)


@pytest.mark.parametrize("X, match", [fault for fault in _frame_faults() if fault.id in ("lists", "dicts")])
def test_augmented_classifier_names_a_container_cell_as_its_augmenter_does(X, match):
    # Its check of what the classifier takes (text it cannot convert) failed first, with pandas'
    # bare "unhashable type: 'dict'".
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier, GANAugmenter

    model = AugmentedClassifier(LogisticRegression(), GANAugmenter(epochs=1, batch_size=32, random_state=0))
    with pytest.raises(DataValidationError, match=match):
        model.fit(X, np.array(["a"] * 30 + ["b"] * 10))
    assert not hasattr(model, "classes_")


@pytest.mark.parametrize("X, match", [fault for fault in _frame_faults() if fault.id != "multiindex"])
def test_mixed_smote_names_a_faulty_frame_as_the_gan_does(X, match):
    # The SMOTE baseline skipped these checks: "unhashable type: 'list'", narwhals' DuplicateError,
    # numpy's "at least one array or dtype is required".
    from gan_augment.baselines import MixedSMOTE

    before = X.copy()
    with pytest.raises(DataValidationError, match=match):
        MixedSMOTE(random_state=0).fit_resample(X, np.array(["a"] * 30 + ["b"] * 10))
    pd.testing.assert_frame_equal(X, before)


def test_mixed_smote_takes_what_only_a_model_file_could_not_keep():
    # No model is saved: column names of several levels or of dates, and tuple cells, are resampled
    # as imbalanced-learn's SMOTE resamples them (refused for a while in the GAN's words).
    from gan_augment.baselines import MixedSMOTE

    rng = np.random.default_rng(0)
    y = np.array([0] * 24 + [1] * 6)
    numbers = pd.DataFrame(rng.normal(size=(30, 2)), columns=["u", "v"])
    for X in (numbers.set_axis(pd.date_range("2024-01-01", periods=2, freq="W"), axis=1),
              numbers.set_axis(pd.MultiIndex.from_tuples([("a", "x"), ("a", "z")]), axis=1),
              numbers.assign(pos=[(0, 0), (1, 2)] * 15)):
        X_res, y_res = MixedSMOTE(random_state=0).fit_resample(X, y)
        assert X_res.columns.equals(X.columns) and len(X_res) == 48 and (y_res[30:] == 1).all()
    assert set(X_res["pos"]) == {(0, 0), (1, 2)}
    with pytest.raises(DataValidationError, match=r"Column 'pos' holds tuple values \(position 0: \(0, \[0\]\)\)"):
        MixedSMOTE(random_state=0).fit_resample(numbers.assign(pos=[(i % 2, [i]) for i in range(30)]), y)


def test_mixed_smote_refuses_complex_numbers_by_column():
    # Interpolated as floats: the new rows lost their imaginary parts, with only numpy's ComplexWarning.
    from gan_augment.baselines import MixedSMOTE

    X = pd.DataFrame({"x": np.arange(40.0), "z": np.arange(40.0) + 5j})
    with pytest.raises(ValueError, match=r"Column 'z' holds complex numbers, which SMOTE cannot interpolate"):
        MixedSMOTE(random_state=0).fit_resample(X, np.array(["a"] * 30 + ["b"] * 10))


def test_gan_augmenter_refuses_complex_numbers_by_column_before_numpy_warns():
    # numpy's ComplexWarning ("discards the imaginary part") came first, and under warnings-as-errors
    # (as in many test suites) it was all the caller got.
    from gan_augment import GANAugmenter

    X = pd.DataFrame({"x": np.arange(40.0), "z": np.arange(40.0) + 5j})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataValidationError, match=r"Column 'z' holds complex numbers.*\.real and \.imag"):
            GANAugmenter(epochs=1, random_state=0).fit_resample(X, np.array(["a"] * 30 + ["b"] * 10))


def test_gan_augmenter_names_a_container_cell_of_an_object_array_before_training():
    # Failed mid-fit with pandas' "unhashable type: 'dict'".
    from gan_augment import GANAugmenter

    X = np.random.default_rng(0).uniform(size=(40, 3)).astype(object)
    X[5, 2] = {"k": 1}
    augmenter = GANAugmenter(epochs=1, batch_size=32, random_state=0)
    with pytest.raises(DataValidationError, match=r"Column 2 holds dict values \(position 5: \{'k': 1\}\)"):
        augmenter.fit_resample(X, np.array(["a"] * 30 + ["b"] * 10))
    assert not hasattr(augmenter, "generator_")


@pytest.mark.parametrize("X, match", _frame_faults())
def test_evaluator_names_a_faulty_frame_before_any_fold(X, match):
    # With a plain sampler too: the MultiIndex failed in a fold with scikit-learn's AttributeError
    # "'ColumnTransformer' object has no attribute 'feature_names_in_'".
    from imblearn.over_sampling import RandomOverSampler

    from gan_augment.evaluation import evaluate_augmentation

    with pytest.raises(DataValidationError, match=match):
        evaluate_augmentation(X, np.array(["a"] * 30 + ["b"] * 10), RandomOverSampler(random_state=0), cv=3)


@pytest.mark.parametrize("options, limit", [({}, "SMOTE can interpolate"),
                                            ({"baselines": ("none",)}, "the logistic regression can standardise")])
def test_evaluator_names_a_column_of_huge_values_before_any_fold(options, limit):
    # In the first fold, after 'none' had trained: SMOTE's refusal, or with the logistic regression
    # alone "Input X contains NaN" (its scaler overflowed) and advice to impute, naming no column.
    from imblearn.over_sampling import RandomOverSampler

    from gan_augment.evaluation import evaluate_augmentation

    class Untouched(RandomOverSampler):
        def fit_resample(self, X, y, **params):
            raise AssertionError("a fold ran")

    X = pd.DataFrame({"a": np.arange(40.0), "huge": np.linspace(-1, 1, 40) * 1e200})
    with pytest.raises(DataValidationError, match=rf"Column 'huge' holds values as large as 1e\+200 .*beyond the "
                                                  rf"1e\+150 {limit}"):
        evaluate_augmentation(X, np.array(["a"] * 30 + ["b"] * 10), Untouched(random_state=0), cv=3, **options)


def test_gan_augmenter_keeps_an_all_missing_column_all_missing():
    from gan_augment import GANAugmenter

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "empty": np.full(60, np.nan)})
    y = np.array([0] * 45 + [1] * 15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-epoch GAN may warn about its own quality
        X_res, _ = GANAugmenter(epochs=1, batch_size=32, random_state=0).fit_resample(X, y)
    assert len(X_res) == 90 and X_res["empty"].isna().all()


@pytest.mark.parametrize("param, value", [("min_class_size", 0), ("max_categories", 0), ("min_class_size", 2.5)])
def test_gan_augmenter_refuses_bad_parameters_naming_them(param, value):
    from gan_augment import GANAugmenter

    X, y = pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10)
    with pytest.raises(ValueError, match=f"'{param}' parameter"):
        GANAugmenter(epochs=1, **{param: value}).fit(X, y)


@pytest.mark.parametrize("make, param", [("GANAugmenter", "checkpoint_every"), ("GANAugmenter", "max_modes"),
                                         ("GANAugmenter", "n_generators"), ("GANAugmenter", "min_class_size"),
                                         ("AutoAugmenter", "n_jobs")])
def test_a_bool_given_for_a_count_is_refused_naming_the_parameter(make, param, tmp_path):
    # True is an Integral to scikit-learn's check: checkpoint_every=True failed after encoding, naming
    # "every"; max_modes=True fitted one mode, n_generators=True one generator.
    import gan_augment

    X, y = pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10)
    sampler = getattr(gan_augment, make)(**{param: True})
    if make == "GANAugmenter":
        sampler.set_params(epochs=1, checkpoint_dir=tmp_path / "ckpt")
    with pytest.raises(InvalidParameterError, match=rf"The '{param}' parameter of {make} is a count: pass an int, "
                                                    "not True"):
        sampler.fit_resample(X, y)
    assert not (tmp_path / "ckpt").exists()
    if make == "GANAugmenter":  # also as AutoAugmenter's GAN, whose nested fit skips scikit-learn's check
        auto = gan_augment.AutoAugmenter(methods=["gan"], amounts=[1.0], cv=2, augmenter=sampler)
        with pytest.raises(InvalidParameterError, match=rf"The '{param}' parameter of GANAugmenter is a count"):
            auto.fit_resample(X, y)
        sampler.set_params(**{param: 0}, checkpoint_dir=None)  # and scikit-learn's own check
        with pytest.raises(InvalidParameterError, match=rf"The '{param}' parameter of GANAugmenter must be"):
            auto.fit_resample(X, y)


@pytest.mark.parametrize("make, param", [("GANAugmenter", "lr_g"), ("GANAugmenter", "ema_decay"),
                                         ("TranslationAugmenter", "cycle_weight"), ("AutoAugmenter", "amounts")])
def test_a_bool_given_for_a_number_is_refused_naming_the_parameter(make, param):
    # lr_g=True trained at a learning rate of 1, ema_decay=False at decay 0, amounts=(True,) as 1.0.
    import gan_augment

    X, y = pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10)
    value = {"amounts": (True,), "ema_decay": False}.get(param, True)
    sampler = getattr(gan_augment, make)(**{param: value})
    match = (r"amounts must be shares of the full top-up" if param == "amounts" else
             rf"The '{param}' parameter of {make} is a number: pass one, not {value}")
    with pytest.raises((InvalidParameterError, ValueError), match=match):
        sampler.fit_resample(X, y)


@pytest.mark.parametrize("param, value", [("generator_dims", ()), ("discriminator_dims", (0,)),
                                          ("generator_dims", (16.0,)), ("discriminator_dims", (True,))])
def test_bad_layer_widths_are_refused_before_the_data_is_read(param, value):
    # They were refused once the data was encoded (seconds into a fit of a large table): here a
    # date column, which reading the data refuses, shows the widths are checked first.
    from gan_augment import AutoAugmenter, GANAugmenter

    X = pd.DataFrame({"a": np.arange(30.0), "when": pd.date_range("2024-01-01", periods=30)})
    y = np.array([0] * 20 + [1] * 10)
    with pytest.raises(ValueError, match=rf"^{param} must be a non-empty tuple of positive ints, got"):
        GANAugmenter(epochs=1, **{param: value}).fit(X, y)
    with pytest.raises(ValueError, match=rf"^{param} must be a non-empty tuple"):
        AutoAugmenter(methods=["gan"], cv=2, augmenter=GANAugmenter(**{param: value})).fit_resample(X, y)


def test_augment_on_a_table_is_refused_before_the_table_is_encoded(monkeypatch):
    from gan_augment import GANAugmenter
    from gan_augment.data.tabular import TabularEncoder

    def encoding(*args, **kwargs):
        raise AssertionError("the table was encoded before augment= was refused")

    monkeypatch.setattr(TabularEncoder, "fit", encoding)
    X, y = pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10)
    with pytest.raises(ValueError, match="augment='color' augments images; these are table rows"):
        GANAugmenter(epochs=1, augment="color").fit(X, y)


def test_no_more_mixture_modes_are_fitted_than_could_be_kept(monkeypatch):
    # max_modes=1000 fitted 1,000 components on a 2,000-row column (34 s) to keep 3.
    from gan_augment.data import tabular

    fitted = []
    original = tabular.BayesianGaussianMixture

    def recording(**kwargs):
        fitted.append(kwargs["n_components"])
        return original(**{**kwargs, "n_components": min(kwargs["n_components"], 3), "max_iter": 5})

    monkeypatch.setattr(tabular, "BayesianGaussianMixture", recording)
    values = np.random.default_rng(0).normal(size=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tabular.TabularEncoder(max_modes=1000, random_state=0).fit(pd.DataFrame({"x": values}))
    assert fitted == [200]


def _small_class_data():
    X = pd.DataFrame({"a": np.arange(32.0), "b": np.arange(32.0) % 5})
    return X, np.array(["common"] * 30 + ["lone"] * 1 + ["pair"] * 1)


def test_min_class_size_refuses_before_training_naming_the_class():
    from gan_augment import GANAugmenter
    from gan_augment.training import Callback

    class Watch(Callback):
        epochs = 0

        def on_epoch_end(self, trainer, record):
            Watch.epochs += 1

    X, y = _small_class_data()
    augmenter = GANAugmenter(epochs=1, batch_size=16, min_class_size=2, callbacks=[Watch()], random_state=0)
    with pytest.raises(DataValidationError, match=r"Class 'lone' has 1 real row, fewer than min_class_size 2 "
                                                  r"\(as does 1 more class\)"):
        augmenter.fit_resample(X, y)
    assert Watch.epochs == 0 and not hasattr(augmenter, "generator_")


def test_a_class_of_one_or_two_rows_is_topped_up_with_a_warning_naming_it():
    from gan_augment import GANAugmenter, SmallClassWarning

    X, y = _small_class_data()
    with pytest.warns(SmallClassWarning, match=r"class 'lone': 1 real row, 29 synthetic to add; "
                                               r"class 'pair': 1 real row, 29 synthetic.*min_class_size=N "
                                               r"\(--min-class-size N for the command line's fit and augment\)"):
        X_res, y_res = GANAugmenter(epochs=1, batch_size=16, random_state=0).fit_resample(X, y)
    assert (y_res == "lone").sum() == 30  # a warning, not a refusal: the top-up still happens


def test_the_small_class_warnings_of_folds_with_other_counts_are_said_once():
    # A fold holds a row more or less of a class: `evaluate` said "2 real rows, 31 synthetic to add"
    # and "2 real rows, 32 synthetic to add" as two warnings, and so the copies' "3 of its 4 real rows".
    from gan_augment import SmallClassWarning
    from gan_augment._warnings import recording, say_once
    from gan_augment.planner import check_class_sizes, sample_hashes

    def fold(n_common, copies):
        common = np.arange(n_common, dtype=float).reshape(-1, 1)
        X = np.vstack([common, common[:copies], [[-1.0]], common[:copies], [[-2.0]], [[-3.0]]])
        y = np.array(["c"] * n_common + ["r"] * (copies + 1) + ["c"] * copies + ["s"] * 2)
        counts = dict(zip(*np.unique(y, return_counts=True)))
        plan = {"r": counts["c"] - counts["r"], "s": counts["c"] - counts["s"]}
        return recording(check_class_sizes, plan, counts, hashes=sample_hashes(X), y=y)[1]

    folds = [fold(30, 3), fold(31, 4)]
    assert [len(f) for f in folds] == [2, 2] and folds[0][0][1] != folds[1][0][1] and folds[0][1][1] != folds[1][1][1]
    with pytest.warns(SmallClassWarning) as said:
        say_once(folds)
    texts = [str(w.message) for w in said]
    assert len(texts) == 2 and all(text.endswith("(in 2 of 2 folds)") for text in texts)
    assert texts[0].startswith("Very small classes (class 's': under 3 distinct real rows): ")
    assert "mostly copies of other classes' rows, as common there or more (class 'r'): " in texts[1]


@pytest.mark.parametrize("kind", ["array", "frame", "object array", "images"])
def test_a_class_of_copies_of_one_row_is_topped_up_with_the_small_class_warning(kind):
    # Five copies of one row counted as five rows: no warning named the class, and the collapse
    # check could not tell (its spread and coverage are NaN for a class of one distinct row).
    from gan_augment import GANAugmenter, SmallClassWarning

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(40, 4)), np.tile([[5.0, 5.0, 5.0, 5.0]], (5, 1)), rng.normal(size=(5, 4))])
    y = np.array([0] * 40 + [1] * 5 + [2] * 5)
    settings = dict(epochs=1, batch_size=16, label_gate=False, random_state=0)
    if kind == "frame":
        X = pd.DataFrame(X, columns=list("abcd")).assign(d=["x"] * 45 + ["y", "z", "x", "y", "z"])
    elif kind == "object array":
        X = X.astype(object)
    elif kind == "images":
        X, settings = X.reshape(-1, 1, 2, 2) / 5, {**settings, "image_shape": (1, 2, 2)}
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        GANAugmenter(**settings).fit_resample(X, y)
    small = [str(w.message) for w in said if issubclass(w.category, SmallClassWarning)]
    unit = "images" if kind == "images" else "rows"
    assert len(small) == 1 and f"class 1: 5 real {unit} (1 distinct), 35 synthetic to add" in small[0]
    assert "class 2" not in small[0]  # five distinct rows: not very small


def test_min_class_size_counts_copies_of_one_row_as_one(monkeypatch):
    # The warning counted distinct rows and advised min_class_size, which counted every copy: a
    # class of 6 rows, 2 of them distinct, was warned of and then trained under min_class_size=3.
    from gan_augment import GANAugmenter

    def refuse(*args, **kwargs):
        raise AssertionError("training started before the class sizes were checked")

    monkeypatch.setattr("gan_augment.training.trainer.GANTrainer.fit", refuse)

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": np.r_[rng.normal(size=40), [1.0, 2.0] * 3], "b": np.r_[rng.normal(size=40), [0.5] * 6]})
    y = np.array(["common"] * 40 + ["tiny"] * 6)
    with pytest.raises(DataValidationError, match=r"Class 'tiny' has 6 real rows \(2 distinct\), fewer than "
                                                  r"min_class_size 3"):
        GANAugmenter(epochs=1, min_class_size=3).fit(X, y)


def test_a_class_to_top_up_made_of_copies_of_other_classes_rows_is_warned_of():
    # Six rows copied from A and B: the class-balanced judge gave it the tied rows (real recall 0.5),
    # the gate served it, and its kept rows were combinations no real row has, without a word.
    from gan_augment import GANAugmenter, SmallClassWarning

    rng = np.random.default_rng(0)
    a = pd.DataFrame({"colour": rng.choice(["red", "green"], 60), "size": rng.choice(["S", "M"], 60)})
    b = pd.DataFrame({"colour": rng.choice(["blue", "black"], 60), "size": rng.choice(["L", "XL"], 60)})
    X = pd.concat([a, b, a.iloc[:3], b.iloc[:3], b.iloc[3:6].assign(size="S")], ignore_index=True)
    y = np.array(["A"] * 60 + ["B"] * 60 + ["C"] * 6 + ["D"] * 3)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        GANAugmenter(epochs=1, batch_size=32, random_state=0).fit_resample(X, y)
    copied = [str(w.message) for w in said if "copies of other classes" in str(w.message)
              and issubclass(w.category, SmallClassWarning)]
    assert len(copied) == 1 and "class 'C': 6 of its 6 real rows" in copied[0] and "'D'" not in copied[0]


@pytest.mark.skipif(not hasattr(os, "sysconf"), reason="the memory size is read with os.sysconf")
def test_a_top_up_or_sample_that_cannot_fit_in_memory_is_refused_before_any_work():
    # 10**12 rows allocated for minutes (3 GB and growing) before anything was said.
    from gan_augment import GANAugmenter

    X, y = pd.DataFrame({"a": np.arange(40.0)}), np.array([0] * 30 + [1] * 10)
    augmenter = GANAugmenter(epochs=1, batch_size=32, random_state=0, sampling_strategy={1: 10 ** 15})
    with pytest.raises(ValueError, match=r"The top-up's 999,999,999,999,990 rows of 1 values need at least .* GiB, "
                                         r"more than this machine's"):
        augmenter.fit_resample(X, y)
    assert not hasattr(augmenter, "generator_")
    augmenter.set_params(sampling_strategy="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X, y)
    with pytest.raises(ValueError, match=r"n_samples=1,000,000,000,000,000 rows .*sample in parts"):
        augmenter.sample(10 ** 15, 1)


@pytest.mark.parametrize("params", [{}, {"image_shape": (1, 8, 8)}])
def test_images_or_rows_of_several_shapes_are_refused_naming_the_first_that_differs(params):
    # numpy's "inhomogeneous shape after 1 dimensions" named neither the image nor its size.
    from gan_augment import GANAugmenter

    images = [np.zeros((8, 8))] * 29 + [np.zeros((9, 9))]
    with pytest.raises(DataValidationError, match=r"item 29 has shape \(9, 9\), item 0 \(8, 8\).*resize them"):
        GANAugmenter(**params).fit_resample(images, [0] * 20 + [1] * 10)
    rows = [[1.0, 2.0]] * 29 + [[1.0, 2.0, 3.0]]
    with pytest.raises(DataValidationError, match=r"item 29 has shape \(3,\), item 0 \(2,\)"):
        GANAugmenter().fit_resample(rows, [0] * 20 + [1] * 10)


def test_pixel_columns_of_two_dtypes_are_refused_naming_the_odd_one():
    # Fitted as the frame's common float64, uint8 pixels came back truncated (254.6 -> 254) when
    # imbalanced-learn cast each column back: half a grey level darker, silently.
    from gan_augment import GANAugmenter

    pixels = pd.DataFrame(np.random.default_rng(0).integers(0, 256, (30, 64), dtype=np.uint8),
                          columns=[f"px{i}" for i in range(64)])
    mixed = pixels.assign(px5=pixels["px5"].astype(float))
    with pytest.raises(DataValidationError, match=r"column 'px5' of X holds float64 values and most columns uint8"):
        GANAugmenter(image_shape=(1, 8, 8)).fit_resample(mixed, [0] * 20 + [1] * 10)
    # Named by position where names repeat; categories are not numbers (they came back missing).
    halves = pd.concat([pd.DataFrame(pixels.iloc[:, :40].to_numpy()),
                        pd.DataFrame(pixels.iloc[:, 40:].to_numpy(float))], axis=1)
    with pytest.raises(DataValidationError, match=r"column 0 of X holds float64 values and most columns uint8"):
        GANAugmenter(image_shape=(1, 8, 8)).fit_resample(halves, [0] * 20 + [1] * 10)
    with pytest.raises(DataValidationError, match=r"column 'px0' of X holds categories; cast the pixels to numbers"):
        GANAugmenter(image_shape=(1, 8, 8)).fit_resample(pixels.astype("category"), [0] * 20 + [1] * 10)


def test_a_bfloat16_image_tensor_is_refused_with_the_conversion_to_make():
    from gan_augment import GANAugmenter

    from gan_augment.evaluation import evaluate_augmentation

    images, y = torch.rand(30, 1, 8, 8, dtype=torch.bfloat16), [0] * 20 + [1] * 10
    with pytest.raises(DataValidationError, match=r"X is a bfloat16 tensor, which NumPy cannot hold: pass X.float\(\)"):
        GANAugmenter().fit_resample(images, y)
    with pytest.raises(DataValidationError, match=r"X holds bfloat16 tensors.*torch.stack\(X\).float\(\)"):
        GANAugmenter().fit_resample(list(images), y)
    with pytest.raises(DataValidationError, match=r"X is a bfloat16 tensor"):
        evaluate_augmentation(images.reshape(30, -1), y, GANAugmenter(image_shape=(1, 8, 8)), cv=2)


def test_the_memory_bound_counts_the_bytes_of_the_images_returned(monkeypatch):
    # uint8 images were counted at 8 bytes a value: 5M MNIST digits (3.7 GiB) were refused as
    # needing at least 29.2 GiB.
    from gan_augment import GANAugmenter, _memory

    X = np.random.default_rng(0).integers(0, 256, (40, 1, 8, 8), dtype=np.uint8)
    y = np.array([0] * 30 + [1] * 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter = GANAugmenter(epochs=1, batch_size=16, random_state=0).fit(X, y)
    monkeypatch.setattr(_memory, "physical_memory", lambda: 100_000)
    # A table's values count 8 bytes whatever the array's dtype, before training as in sample():
    # an int8 table passed the first check and was refused by the second, after the whole fit.
    table = GANAugmenter(epochs=1, sampling_strategy={1: 5_000})
    with pytest.raises(ValueError, match=r"The top-up's 4,990 rows of 4 values"):
        table.fit_resample(np.ones((40, 4), dtype=np.int8), y)
    assert not hasattr(table, "generator_")
    images = augmenter.sample(600, 1)  # 38,400 bytes, where 8 bytes a value would be 307,200
    assert images.dtype == np.uint8 and images.shape == (600, 1, 8, 8)
    with pytest.raises(ValueError, match=r"n_samples=2,000 images of 64 values need at least .*GiB, more than"):
        augmenter.sample(2000, 1)


def test_a_top_up_beyond_any_count_or_machine_is_refused_before_any_fold_or_fit(monkeypatch):
    # 10**30 rows overflowed imbalanced-learn's int64 arithmetic ("Python int too large to convert to C
    # long"); AutoAugmenter's inner folds allocated what GANAugmenter refuses before training.
    from gan_augment import AutoAugmenter, GANAugmenter, _memory
    from gan_augment.baselines import ClassicOversampler, MixedSMOTE
    from gan_augment.evaluation import evaluate_augmentation

    X, y = pd.DataFrame({"a": np.arange(40.0)}), np.array(["maj"] * 30 + ["min"] * 10)
    for strategy in ({"min": 10**30}, lambda labels: {"min": 10**30}):
        for sampler in (GANAugmenter(epochs=1, sampling_strategy=strategy),
                        AutoAugmenter(cv=2, sampling_strategy=strategy)):
            with pytest.raises(ValueError, match=r"sampling_strategy\['min'\] = 10{30} is more than a count "
                                                 r"can hold \(at most 9,223,372,036,854,775,807\)"):
                sampler.fit_resample(X, y)
    # numpy's int64 counts (imbalanced-learn's) wrapped round to a negative need, and passed.
    with pytest.raises(ValueError, match=r"The top-up's 4,611,686,018,427,387,894 rows of 1 values need"):
        MixedSMOTE(sampling_strategy={"min": 2 ** 62}).fit_resample(X, y)
    monkeypatch.setattr(_memory, "physical_memory", lambda: 100_000)
    auto = AutoAugmenter(cv=2, methods=("random",), sampling_strategy={"min": 20_000})
    with pytest.raises(ValueError, match=r"The top-up's 19,990 rows of 1 values need at least"):
        auto.fit_resample(X, y)
    assert not hasattr(auto, "cv_results_")
    # The baselines and the evaluator's folds allocated it (a raw numpy error, or swapping).
    with pytest.raises(ValueError, match=r"The top-up's 19,990 rows of 1 values need at least"):
        MixedSMOTE(sampling_strategy={"min": 20_000}).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"The top-up's 19,990 images of 64 values need at least"):
        ClassicOversampler(image_shape=(1, 8, 8), sampling_strategy={"min": 20_000}).fit_resample(
            np.zeros((40, 64), dtype=np.uint8) + 1, y)
    with pytest.raises(ValueError, match=r"augmenter's sampling_strategy=\{'min': 20000\}: the top-up's 19,990 rows "
                                         r"of 1 values need at least"):
        evaluate_augmentation(X, y, GANAugmenter(epochs=1, sampling_strategy={"min": 20_000}), cv=2, repeats=1)
    # uint8 image rows count a byte a value, as GANAugmenter counts them (AutoAugmenter counted 8).
    images = np.ones((40, 64), dtype=np.uint8)
    image_auto = dict(cv=2, methods=("random",), augmenter=GANAugmenter(image_shape=(1, 8, 8)), random_state=0)
    AutoAugmenter(sampling_strategy={"min": 1_000}, **image_auto).fit_resample(images, y)  # 63,360 bytes
    with pytest.raises(ValueError, match=r"The top-up's 1,990 images of 64 values need at least"):
        AutoAugmenter(sampling_strategy={"min": 2_000}, **image_auto).fit_resample(images, y)


def test_a_top_up_of_long_text_counts_its_bytes_before_any_work(monkeypatch):
    # A column of 10,000-character text: the check counted 8 bytes a value (29 MB for a top-up that
    # held 18 GB, and the machine ran out of memory after the fit).
    from gan_augment import AutoAugmenter, GANAugmenter, _memory, evaluate_augmentation
    from gan_augment.baselines import MixedSMOTE

    text = pd.Series(["x" * 10_000] * 40, dtype="string[pyarrow]")
    X, y = pd.DataFrame({"a": np.arange(40.0), "text": text}), np.array(["maj"] * 30 + ["min"] * 10)
    assert _memory.value_bytes(X, image=False) > 5_000
    assert _memory.value_bytes(X.assign(text=np.arange(40.0)), image=False) == 8
    # A category column counts its codes: its categories (all a large table's, kept by a subset of
    # its rows) are shared by the new rows, not copied (a top-up of megabytes was refused).
    many = pd.Categorical(np.arange(40), categories=np.arange(1_000_000))
    assert _memory.value_bytes(pd.DataFrame({"a": np.arange(40.0), "id": many}), image=False) == (8 + 4) / 2
    pa = pytest.importorskip("pyarrow")
    dictionary = pa.array([f"id{i:09d}" for i in range(100_000)]).dictionary_encode().take(pa.array(np.arange(40)))
    frame = pd.DataFrame({"a": np.arange(40.0), "id": pd.array(dictionary, dtype=pd.ArrowDtype(dictionary.type))})
    assert _memory.value_bytes(frame, image=False) == (8 + 4) / 2  # int32 indices
    monkeypatch.setattr(_memory, "physical_memory", lambda: 100_000_000)  # 100 MB: 10,000 rows of 10 kB
    strategy = {"min": 20_000}
    for sampler in (GANAugmenter(epochs=1, sampling_strategy=strategy), MixedSMOTE(sampling_strategy=strategy),
                    AutoAugmenter(cv=2, methods=("random",), sampling_strategy=strategy)):
        with pytest.raises(ValueError, match=r"The top-up's 19,990 rows of 2 values need at least 0\.2 GiB"):
            sampler.fit_resample(X, y)
        assert not hasattr(sampler, "generator_") and not hasattr(sampler, "cv_results_")
    with pytest.raises(ValueError, match=r"the top-up's 19,990 rows of 2 values need at least 0\.2 GiB"):
        evaluate_augmentation(X, y, GANAugmenter(epochs=1, sampling_strategy=strategy), cv=2, repeats=1)
    # Numbers alone are as before: 19,990 rows of 2 values of 8 bytes fit.
    MixedSMOTE(sampling_strategy={"min": 20_000}).fit_resample(X.assign(text=np.arange(40.0)), y)


def test_saving_says_which_settings_a_model_file_cannot_keep(tmp_path):
    from gan_augment import GANAugmenter

    X, y = pd.DataFrame({"a": np.arange(40.0)}), np.array([0] * 30 + [1] * 10)
    augmenter = GANAugmenter(epochs=1, batch_size=32, random_state=np.random.RandomState(0),
                             sampling_strategy=lambda labels: {1: 35})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X, y)
    with pytest.warns(UserWarning) as caught:
        augmenter.save(tmp_path / "model")
    messages = " | ".join(str(w.message) for w in caught)
    assert "random_state=RandomState" in messages and "the loaded model's random_state is None" in messages
    assert "the loaded model's sampling_strategy is 'auto'" in messages
    loaded = GANAugmenter.load(tmp_path / "model")
    assert loaded.random_state is None and loaded.sampling_strategy == "auto"


def test_augmented_classifier_refuses_a_weight_per_row_before_augmenting():
    # It crashed inside scikit-learn ("sample_weight.shape == (40,), expected (60,)") after the GAN fit.
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier, GANAugmenter

    model = AugmentedClassifier(LogisticRegression(), GANAugmenter(epochs=1))
    with pytest.raises(ValueError, match=r"cannot pass sample_weight on: the estimator is fitted on the augmented rows"):
        model.fit(pd.DataFrame({"a": np.arange(40.0)}), np.array([0] * 30 + [1] * 10), sample_weight=np.ones(40))
    assert not hasattr(model, "augmenter_")


def test_augmented_classifier_refuses_a_regressor_before_augmenting():
    from sklearn.linear_model import LinearRegression

    from gan_augment import AugmentedClassifier, GANAugmenter

    model = AugmentedClassifier(LinearRegression(), GANAugmenter(epochs=1))
    with pytest.raises(ValueError, match=r"LinearRegression\(\) is a regressor"):
        model.fit(pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10))
    assert not hasattr(model, "augmenter_")  # refused before any GAN was fitted


def test_augmented_classifier_refuses_a_weight_per_row_of_any_length_before_augmenting():
    # A weight vector one row short was caught by scikit-learn after the GAN fit, which asked for 60
    # weights: the count of augmented rows, which the user never sees.
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier, GANAugmenter

    model = AugmentedClassifier(LogisticRegression(), GANAugmenter(epochs=1))
    with pytest.raises(ValueError, match=r"cannot pass sample_weight on"):
        model.fit(pd.DataFrame({"a": np.arange(40.0)}), np.array([0] * 30 + [1] * 10), sample_weight=np.ones(39))
    assert not hasattr(model, "augmenter_")


def test_augmented_classifier_passes_validation_data_of_any_size_on():
    # HistGradientBoosting's X_val / y_val were refused as values "per row" whenever the validation
    # set happened to have as many rows as X (a 50/50 split).
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier

    from gan_augment import AugmentedClassifier
    from gan_augment.baselines import MixedSMOTE

    X, y = make_classification(300, 5, n_informative=3, weights=[0.85, 0.15], random_state=0)
    model = AugmentedClassifier(HistGradientBoostingClassifier(max_iter=5, early_stopping=True),
                                MixedSMOTE(random_state=0))
    model.fit(X[150:], y[150:], X_val=X[:150], y_val=y[:150], sample_weight_val=np.ones(150))
    assert model.estimator_.n_iter_ >= 1
    with pytest.raises(ValueError, match=r"cannot pass sample_weight on"):  # X's own rows' weights: refused
        model.fit(X[150:], y[150:], X_val=X[:150], y_val=y[:150], sample_weight=np.ones(150))


def test_augmented_classifier_refuses_a_fit_parameter_the_estimator_does_not_take_before_augmenting():
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier, GANAugmenter

    model = AugmentedClassifier(LogisticRegression(), GANAugmenter(epochs=1))
    with pytest.raises(TypeError, match=r"got 'bogus', which LogisticRegression.fit does not take \(it takes "
                                        r"sample_weight\)"):
        model.fit(pd.DataFrame({"a": np.arange(40.0)}), np.array([0] * 30 + [1] * 10), bogus=1)
    assert not hasattr(model, "augmenter_")


@pytest.mark.parametrize("columns", [2, 3])
def test_augmented_classifier_refuses_a_one_hot_target_before_augmenting(columns):
    # The samplers turn imbalanced-learn's one-vs-all one-hot into class indices: with 2 columns the
    # estimator was fitted on those, so predict returned 1 where the user's row read [1, 0]; with 3
    # LogisticRegression refused the target only after the GAN fit.
    from sklearn.tree import DecisionTreeClassifier

    from gan_augment import AugmentedClassifier, GANAugmenter

    y = np.eye(columns, dtype=int)[np.arange(45) % columns]
    model = AugmentedClassifier(DecisionTreeClassifier(), GANAugmenter(epochs=1))
    import scipy.sparse

    for sparse_y in (scipy.sparse.csr_matrix(y), scipy.sparse.csr_array(y)):  # no check ran: failed in training
        with pytest.raises(ValueError, match=rf"The target y is a sparse matrix of shape \(45, {columns}\)"):
            model.fit(pd.DataFrame({"a": np.arange(45.0)}), sparse_y)
        with pytest.raises(ValueError, match=r"The target y is a sparse matrix"):
            GANAugmenter(epochs=1).fit_resample(pd.DataFrame({"a": np.arange(45.0)}), sparse_y)
    for target in (y, y.tolist()):  # a list of lists failed inside imbalanced-learn ("'list' has no attribute 'sum'")
        with pytest.raises(ValueError, match=rf"The target y is one-hot \({columns} columns of 0/1, one 1 per row\): "
                                             r"pass the class of each row instead, e.g. y.argmax\(axis=1\)"):
            model.fit(pd.DataFrame({"a": np.arange(45.0)}), target)
    assert not hasattr(model, "augmenter_")


@pytest.mark.parametrize("make", ["IsolationForest", "KMeans"])
def test_augmented_classifier_refuses_an_estimator_of_another_kind_before_augmenting(make):
    # Both were accepted and failed after the GAN fit: "object has no attribute 'classes_'".
    from sklearn import cluster, ensemble

    from gan_augment import AugmentedClassifier, GANAugmenter

    estimator = getattr(ensemble, make, None) or getattr(cluster, make)
    model = AugmentedClassifier(estimator(), GANAugmenter(epochs=1))
    kind = {"IsolationForest": "an outlier detector", "KMeans": "a clusterer"}[make]
    with pytest.raises(ValueError, match=rf"{make}\(\) is {kind}\. Topping up rare classes"):
        model.fit(pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10))
    assert not hasattr(model, "augmenter_")


@pytest.fixture
def gan_fit_forbidden(monkeypatch):
    """GANAugmenter.fit_resample fails the test: what is refused must be refused before it."""
    from gan_augment import GANAugmenter

    def fitted(*args, **kwargs):
        raise AssertionError("the GAN was fitted before the refusal")

    monkeypatch.setattr(GANAugmenter, "fit_resample", fitted)


@pytest.mark.parametrize("setting", ["C=-1", "n_estimators=0", "imputer strategy='nope'"])
def test_augmented_classifier_refuses_the_estimators_bad_setting_before_augmenting(setting, gan_fit_forbidden):
    # Refused by the estimator's own fit, after the GAN had trained (every fold's, in a search).
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from gan_augment import AugmentedClassifier, GANAugmenter

    estimator = {"C=-1": LogisticRegression(C=-1), "n_estimators=0": RandomForestClassifier(n_estimators=0),
                 "imputer strategy='nope'": make_pipeline(SimpleImputer(strategy="nope"), LogisticRegression())}
    with pytest.raises(InvalidParameterError, match=r"The '(C|n_estimators|strategy)' parameter of"):
        AugmentedClassifier(estimator[setting], GANAugmenter(epochs=1)).fit(
            pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10))


def test_augmented_classifier_leaves_settings_unchecked_where_scikit_learn_is_told_to():
    # skip_parameter_validation=True: scikit-learn fits LogisticRegression(max_iter=50.0); so must this.
    from sklearn import config_context
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier
    from gan_augment.baselines import MixedSMOTE

    X, y = pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10)
    with config_context(skip_parameter_validation=True):
        model = AugmentedClassifier(LogisticRegression(max_iter=50.0), MixedSMOTE(random_state=0)).fit(X, y)
    assert model.predict(X).shape == (30,)


def test_augmented_classifier_refuses_an_estimator_it_cannot_clone_before_augmenting(gan_fit_forbidden):
    # Duck-typed (fit and predict, no get_params): clone failed once the GAN had trained.
    from gan_augment import AugmentedClassifier, GANAugmenter

    class FitAndPredictOnly:
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    with pytest.raises(TypeError, match=r"Cannot clone object .* does not implement a 'get_params' method"):
        AugmentedClassifier(FitAndPredictOnly(), GANAugmenter(epochs=1)).fit(
            pd.DataFrame({"a": np.arange(30.0)}), np.array([0] * 20 + [1] * 10))


def test_augmented_classifier_refuses_what_a_scikit_learn_classifier_cannot_take_before_augmenting(
        gan_fit_forbidden):
    # Missing values for a classifier that takes none, images not in rows: refused by the estimator
    # after the GAN had trained.
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier, GANAugmenter

    y = np.array([0] * 20 + [1] * 10)
    X = pd.DataFrame({"a": np.arange(30.0), "b": np.where(np.arange(30) == 4, np.nan, 1.0)})
    model = AugmentedClassifier(LogisticRegression(), GANAugmenter(epochs=1))
    for rows, culprit in ((X, "column 'b'"), (X.to_numpy(), "column 1")):
        with pytest.raises(ValueError, match=rf"LogisticRegression does not accept missing values \(NaN\), and X has "
                                             rf"some \({culprit}\).* Put an imputer before it \(make_pipeline\("
                                             r"SimpleImputer\(\), LogisticRegression\(\)\)\)"):
            model.fit(rows, y)
    with pytest.raises(ValueError, match=r"LogisticRegression takes X as rows of features \(2-D\), and X has shape "
                                         r"\(30, 1, 8, 8\): give the images as rows \(X.reshape\(len\(X\), -1\)\) "
                                         r"and the augmenter image_shape=\(1, 8, 8\)"):
        model.fit(np.zeros((30, 1, 8, 8)), y)
    # Text for a classifier of numbers: "could not convert string to float: 'u'" after the GAN's fit.
    text = X.fillna(0.0).assign(s=pd.array(["u", "v", "w"] * 10, dtype="string"))
    for rows, culprit in ((text, "column 's'"), (text.astype(object).to_numpy(), "column 2"),
                          (text.assign(s=text["s"].astype(object)), "column 's'"),
                          (text.assign(s=pd.Categorical(text["s"])), "column 's'")):
        with pytest.raises(ValueError, match=rf"LogisticRegression takes numbers only, and X has text \({culprit}\)"
                                             r".*Encode it first in a Pipeline"):
            model.fit(rows, y)
    assert not hasattr(model, "augmenter_")


def test_classifiers_that_cannot_take_the_labels_or_columns_say_so_before_the_gan_fit(monkeypatch):
    # A multi-output classifier refused y ("y must have at least two dimensions for multi-output
    # regression") after the GAN had trained; a boosting model given a category column it was not
    # told to read was advised to "give it ... as a pandas 'category' column", which it was.
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier

    from gan_augment import AugmentedClassifier, GANAugmenter

    monkeypatch.setattr(GANAugmenter, "fit", lambda *args, **kwargs: pytest.fail("a GAN was fitted"))
    y = np.array([0] * 20 + [1] * 10)
    X = pd.DataFrame({"a": np.arange(30.0), "c": pd.Categorical(["u", "v", "w"] * 10)})
    with pytest.raises(ValueError, match=r"MultiOutputClassifier predicts several label columns at once, and a top-up "
                                         r"has one label column y: pass the single-output classifier it wraps"):
        AugmentedClassifier(MultiOutputClassifier(LogisticRegression()), GANAugmenter(epochs=1)).fit(X[["a"]], y)
    with pytest.raises(ValueError, match=r"HistGradientBoostingClassifier takes numbers only, and X has text "
                                         r"\(column 'c'\).*or give it as a pandas 'category' column to "
                                         r"HistGradientBoostingClassifier\(categorical_features='from_dtype'\)\.$"):
        AugmentedClassifier(HistGradientBoostingClassifier(categorical_features=None), GANAugmenter(epochs=1)).fit(X, y)


def test_augmented_classifier_leaves_missing_values_to_classifiers_and_samplers_that_take_them():
    # Tags speak for scikit-learn's own classifiers only: a Pipeline with an imputer says it takes
    # no missing values, and a sampler other than ours may impute them.
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline as make_sampling_pipeline
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from gan_augment import AugmentedClassifier
    from gan_augment.baselines import MixedSMOTE

    X = pd.DataFrame({"a": np.arange(30.0), "b": np.where(np.arange(30) % 4 == 0, np.nan, np.arange(30.0))})
    y = np.array([0] * 20 + [1] * 10)
    for estimator, augmenter in ((make_pipeline(SimpleImputer(), LogisticRegression()), MixedSMOTE(random_state=0)),
                                 (HistGradientBoostingClassifier(max_iter=5), MixedSMOTE(random_state=0)),
                                 (DummyClassifier(), MixedSMOTE(random_state=0)),  # it never reads X
                                 (LogisticRegression(), make_sampling_pipeline(SimpleImputer(),
                                                                               SMOTE(random_state=0)))):
        model = AugmentedClassifier(estimator, augmenter).fit(X, y)
        assert model.predict(X.fillna(0)).shape == (30,)
    # Categories are not text to HistGradientBoostingClassifier: left to it.
    categories = X.fillna(0.0).assign(c=pd.Categorical(["u", "v", "w"] * 10))
    model = AugmentedClassifier(HistGradientBoostingClassifier(max_iter=5), MixedSMOTE(random_state=0)).fit(
        categories, y)
    assert model.predict(categories).shape == (30,)
    # Nor are numbers written as text to a classifier of numbers: scikit-learn converts them.
    numbers_as_text = X.fillna(0.0).assign(s=pd.Series(["1", "2", "3.5"] * 10, dtype=object))
    model = AugmentedClassifier(LogisticRegression(), MixedSMOTE(random_state=0)).fit(numbers_as_text, y)
    assert model.predict(numbers_as_text).shape == (30,)


# =============================================================================================
# 6. Evaluator door
# =============================================================================================
def test_evaluating_a_top_up_of_the_majority_class_only_is_refused():
    # It fitted every fold's GAN and reported "+0.000 [+0.000, +0.000]".
    from gan_augment import GANAugmenter, NothingToAddWarning
    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(60.0)}), np.array(["common"] * 48 + ["rare"] * 12)
    with warnings.catch_warnings(record=True) as said:  # the error says it; a warning before it said it twice
        warnings.simplefilter("always")
        with pytest.raises(DataValidationError, match=r"'common' already has the majority count: the top-up adds "
                                                      r"nothing to evaluate"):
            plan_evaluation(X, y, GANAugmenter(epochs=1), classes=["common"])
    assert said == []
    with pytest.warns(NothingToAddWarning, match="class 'common' already has"):  # beside a class to top up: said
        plan_evaluation(X, y, GANAugmenter(epochs=1), classes=["common", "rare"], cv=2, repeats=1)


def _frozen_doors():
    from imblearn.over_sampling import RandomOverSampler

    from gan_augment import AugmentedClassifier, AutoAugmenter, GANAugmenter
    from gan_augment.evaluation import plan_evaluation

    return {"evaluate": lambda X, y, model: plan_evaluation(X, y, RandomOverSampler(), estimator=model),
            "AutoAugmenter": lambda X, y, model: AutoAugmenter(estimator=model, methods=("random",)).fit_resample(X, y),
            "AugmentedClassifier": lambda X, y, model: AugmentedClassifier(model, GANAugmenter(epochs=1)).fit(X, y)}


@pytest.mark.parametrize("door", ["evaluate", "AutoAugmenter", "AugmentedClassifier"])
@pytest.mark.parametrize("in_pipeline", [False, True])
def test_a_frozen_classifier_is_refused_before_any_work(door, in_pipeline, monkeypatch):
    # scikit-learn's FrozenEstimator: its fit does nothing, so the GAN trained for a model it never
    # reached, and the evaluator scored one model for every method (its set_params returns None, which
    # failed as "'NoneType' object has no attribute 'get_params'").
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from gan_augment import GANAugmenter

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    model = FrozenEstimator(LogisticRegression().fit(X, y))
    if in_pipeline:
        model = make_pipeline(StandardScaler(), model)
    monkeypatch.setattr(GANAugmenter, "fit", lambda *args, **kwargs: pytest.fail("a GAN was fitted"))
    where = r" \(the last step of the Pipeline\)" if in_pipeline else ""
    with pytest.raises(ValueError, match=rf"estimator holds a FrozenEstimator{where}, whose fit does nothing: .*"
                                         r"LogisticRegression it holds.*Pass the classifier unfitted"):
        _frozen_doors()[door](X, y, model)


def test_a_classifier_whose_set_params_returns_nothing_is_evaluated_and_chosen_with():
    # A hand-written set_params without "return self": the evaluator's and AutoAugmenter's seeded
    # copy of it was None ("'NoneType' object has no attribute 'get_params'").
    from imblearn.over_sampling import RandomOverSampler
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AutoAugmenter, evaluate_augmentation

    class Quiet(LogisticRegression):  # (its random_state unset: the copy is seeded through set_params)
        def set_params(self, **params):
            super().set_params(**params)  # and returns nothing

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    report = evaluate_augmentation(X, y, RandomOverSampler(random_state=0), estimator=Quiet(), cv=2, repeats=1,
                                   baselines=("none",), fidelity=False, privacy=False, random_state=0)
    assert set(report.summary["method"]) == {"none", "RandomOverSampler"}
    assert AutoAugmenter(estimator=Quiet(), methods=("random",), cv=2, random_state=0).fit(X, y).chosen_


@pytest.mark.parametrize("as_frame", [False, True])
def test_the_evaluator_gives_a_classifier_of_yours_the_rows_as_x_came(as_frame):
    # X as an array reached the caller's Pipeline as the plan's DataFrame (columns x0, x1, ...):
    # a step that takes columns by position failed ("InvalidIndexError: (slice(None, None, None), ...").
    from imblearn.over_sampling import RandomOverSampler
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    from gan_augment import evaluate_augmentation

    seen = []

    def first_two(rows):
        seen.append(type(rows))
        return rows.iloc[:, :2] if as_frame else rows[:, :2]

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 3)), np.array(["rare"] * 12 + ["common"] * 48)
    model = make_pipeline(FunctionTransformer(first_two), LogisticRegression())
    evaluate_augmentation(pd.DataFrame(X, columns=list("abc")) if as_frame else X, y, RandomOverSampler(random_state=0),
                          estimator=model, cv=2, repeats=1, baselines=("none",), fidelity=False, privacy=False,
                          random_state=0)
    assert set(seen) == {pd.DataFrame if as_frame else np.ndarray}


@pytest.mark.parametrize("door", ["evaluate", "AutoAugmenter"])
def test_an_estimator_that_resamples_its_own_rows_is_named_in_a_warning(door):
    # An imbalanced-learn Pipeline with SMOTE inside: 'none' was SMOTE, and the verdict "prefer no
    # augmentation" went without a word.
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AutoAugmenter
    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    model = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    with pytest.warns(UserWarning, match=r"resamples its own training rows \(randomoversampler=RandomOverSampler\), "
                                         r"so .*'none' is topped up by it too.*without its sampler"):
        if door == "evaluate":
            plan_evaluation(X, y, RandomOverSampler(), estimator=model, cv=2, repeats=1)
        else:
            AutoAugmenter(estimator=model, methods=("random",), cv=2, random_state=0).fit(X, y)


def test_the_evaluator_names_a_column_its_classifier_cannot_take_before_any_fold():
    # Its first fold's 'none' failed with "could not convert string to float: 'Paris'", naming neither
    # the column nor the estimator, where AugmentedClassifier and AutoAugmenter named both.
    from imblearn.over_sampling import RandomOverSampler
    from sklearn.svm import SVC

    from gan_augment.evaluation import plan_evaluation

    X = pd.DataFrame({"a": np.arange(60.0), "city": ["Paris", "Lyon", "Nice"] * 20})
    y = np.array(["rare"] * 12 + ["common"] * 48)
    with pytest.raises(ValueError, match=r"SVC takes numbers only, and X has text \(column 'city'\).*Encode it first"):
        plan_evaluation(X, y, RandomOverSampler(), estimator=SVC())
    plan_evaluation(X, y, RandomOverSampler(), estimator="logreg")  # the built-in ones encode it


def test_an_auto_augmenter_that_chooses_for_another_model_or_score_is_told_so():
    # Evaluated with SVC on balanced accuracy, it chose with its own logistic regression on macro-F1,
    # without a word.
    from sklearn.svm import SVC

    from gan_augment import AutoAugmenter
    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    with pytest.warns(UserWarning, match=r"chooses its top-up with estimator='logreg' and scoring='f1_macro', while "
                                         r"this evaluation judges estimator=SVC\(\) on balanced_accuracy.*Pass "
                                         r"AutoAugmenter\(estimator=SVC\(\), scoring='balanced_accuracy'\)"):
        plan_evaluation(X, y, AutoAugmenter(), estimator=SVC(), metric="balanced_accuracy")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*chooses its top-up")
        plan_evaluation(X, y, AutoAugmenter(estimator=SVC(), scoring="balanced_accuracy"), estimator=SVC(),
                        metric="balanced_accuracy")
        plan_evaluation(X, y, AutoAugmenter())  # both the built-in logistic regression on macro-F1


def test_a_sampler_s_nested_random_states_are_seeded_so_that_the_report_repeats():
    # Only a top-level random_state was seeded: an imbalanced-learn Pipeline's SMOTE step drew from
    # numpy's global state, and the same random_state gave another report each run.
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline

    from gan_augment import evaluate_augmentation

    rng = np.random.RandomState(0)
    X, y = pd.DataFrame(rng.normal(size=(90, 3)), columns=list("abc")), np.array(["rare"] * 18 + ["common"] * 72)
    runs = [evaluate_augmentation(X, y, make_pipeline(SMOTE()), cv=2, repeats=1, baselines=("none",), fidelity=False,
                                  privacy=False, random_state=0).folds for _ in range(2)]
    pd.testing.assert_frame_equal(*(run.drop(columns=[c for c in run if c.endswith("time_s")]) for run in runs))


def test_samplers_that_cannot_take_part_are_refused_before_any_fold():
    # A class for an instance failed as "get_params() missing 1 required positional argument: 'self'";
    # classes= for a sampler with nowhere to take it topped up other classes than the baselines did.
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier
    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    with pytest.raises(TypeError, match=r"augmenter= takes an instance, SMOTE\(\.\.\.\), and got the class SMOTE"):
        plan_evaluation(X, y, SMOTE)
    with pytest.raises(TypeError, match=r"augmenter= takes an instance, SMOTE\(\.\.\.\), and got the class SMOTE"):
        AugmentedClassifier(LogisticRegression(), SMOTE).fit(X, y)
    with pytest.raises(ValueError, match=r"classes= is set, but the augmenter Pipeline has neither classes nor "
                                         r"sampling_strategy.*set it on its sampler step"):
        plan_evaluation(X, y, make_pipeline(SMOTE()), classes=["rare"])
    with pytest.raises(ValueError, match=r"Unknown baseline SMOTE\(\); choose from .*; a sampler of your own is the "
                                         r"augmenter under test, one per evaluation: evaluate_augmentation\(X, y, "
                                         r"SMOTE\(\)\)\.$"):
        plan_evaluation(X, y, SMOTE(), baselines=["none", SMOTE()])


@pytest.mark.parametrize("returns, message", [
    (lambda X, y: (X, np.asarray(y).astype(object) + "!"), r"returned labels that y does not hold \('rare!', "),
    (lambda X, y: (X.iloc[:, :1], y), r"returned rows of shape \(1,\) for rows of shape \(2,\)"),
    (lambda X, y: (X, y[:-1]), r"returned (60|30) rows and (59|29) labels; a sampler returns one label per row"),
])
def test_a_sampler_that_returns_no_top_up_of_x_and_y_is_named(returns, message):
    # Its labels "rare!" were learned as classes of their own by AugmentedClassifier, silently, and
    # failed in the evaluator's scoring after every fit; dropped columns failed in the estimator.
    from imblearn import FunctionSampler
    from sklearn.linear_model import LogisticRegression

    from gan_augment import AugmentedClassifier, evaluate_augmentation

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    sampler = FunctionSampler(func=returns, validate=False)
    with pytest.raises(ValueError, match=rf"The augmenter FunctionSampler {message}"):
        AugmentedClassifier(LogisticRegression(), sampler).fit(X, y)
    with pytest.raises(ValueError, match=rf"The augmenter FunctionSampler {message}"):
        evaluate_augmentation(X, y, sampler, cv=2, repeats=1, baselines=("none",), fidelity=False, privacy=False)


def test_augmented_classifier_gives_the_estimator_x_s_column_names_whatever_the_sampler_returns():
    # A sampler that returned an array for a DataFrame left the estimator without feature names: every
    # predict on a DataFrame warned "X has feature names, but StandardScaler was fitted without".
    from imblearn import FunctionSampler
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from gan_augment import AugmentedClassifier

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    as_array = FunctionSampler(func=lambda X, y: (np.asarray(X), np.asarray(y)), validate=False)
    model = AugmentedClassifier(make_pipeline(StandardScaler(), LogisticRegression()), as_array).fit(X, y)
    assert list(model.estimator_.feature_names_in_) == ["a", "b"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)


def test_a_custom_cv_that_leaves_a_class_out_of_a_fold_is_named():
    from sklearn.model_selection import KFold

    from gan_augment import GANAugmenter
    from gan_augment.evaluation import plan_evaluation

    X = pd.DataFrame({"a": np.arange(60.0)})
    y = np.array(["rare"] * 12 + ["a"] * 48)  # unshuffled KFold: fold 1 tests every 'rare' row, trains on none
    with pytest.raises(DataValidationError, match=r"cv split 1 of 5 has no row of class 'rare' in its training "
                                                  r"part \(48 rows\).*StratifiedKFold"):
        plan_evaluation(X, y, GANAugmenter(epochs=1), cv=KFold(5))


def test_a_stratified_splitter_with_more_folds_than_a_class_has_rows_says_so():
    # It advised "use a stratified splitter" to a caller who had passed one.
    from imblearn.over_sampling import RandomOverSampler
    from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

    from gan_augment.evaluation import plan_evaluation

    X = pd.DataFrame({"a": np.arange(60.0)})
    y = np.array(["rare"] * 10 + ["a"] * 50)
    for splitter in (StratifiedKFold(20), RepeatedStratifiedKFold(n_splits=20, random_state=0)):
        with pytest.raises(DataValidationError, match=r"class 'rare'.*has 10 rows, fewer than the splitter's 20 "
                                                      r"folds.*n_splits to at most 10"):
            plan_evaluation(X, y, RandomOverSampler(), cv=splitter)
    y[1:10] = "a"  # one row: no number of folds holds it in both parts
    with pytest.raises(DataValidationError, match=r"the class has 1 row, and a fold needs one in its training part "
                                                  r"and one in its test part\. Drop the class"):
        plan_evaluation(X, y, RandomOverSampler(), cv=StratifiedKFold(5))


# =============================================================================================
# 7. Command line: options and faults
# =============================================================================================
def _table(tmp_path, rows=30):
    data = tmp_path / "data.csv"
    data.write_text("x,label\n" + "".join(f"{i},{'a' if i < 2 * rows // 3 else 'b'}\n" for i in range(rows)))
    return data


@pytest.mark.parametrize("args, culprit", [
    (["--seed", "-1"], "'--seed'"),
    (["--seed", str(2 ** 32)], "'--seed'"),
    (["--max-categories", "0"], "'--max-categories'"),
    (["--min-class-size", "0"], "'--min-class-size'"),
    (["--epochs", "0"], "'--epochs'"),
    (["--batch-size", "0"], "'--batch-size'"),
    (["--threads", "0"], "--threads '0'"),
    (["--checkpoint-every", "0"], "'--checkpoint-every'"),
])
def test_cli_bad_option_values_are_usage_errors_naming_the_option(tmp_path, capsys, args, culprit):
    data = _table(tmp_path)
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "fit", data, "--out", tmp_path / "model", *args)
    assert code == 2 and culprit in err and "Traceback" not in err, err
    assert _snapshot(tmp_path) == before and not (tmp_path / "model").exists()


@pytest.mark.parametrize("command, args, culprit", [
    ("augment", ["--mark-synthetic", ""], "--mark-synthetic needs a column name; got ''"),
    ("augment", ["--mark-synthetic", "  "], "--mark-synthetic needs a column name"),
    ("evaluate", ["--n-jobs", "0"], "n_jobs (--n-jobs) is the number of folds to run at once"),
    ("fit", ["--device", "mps"], "--device 'mps': device='mps' is not available in this torch build"),
    ("fit", ["--device", "gpu"], "--device 'gpu': device='gpu' is not a torch device (a GPU is 'cuda' in torch)"),
    # Accepted, then failed inside torch ("attempted to run this operator with Meta tensors").
    ("fit", ["--device", "meta"], "--device 'meta': device='meta' holds no data and cannot train or sample"),
])
def test_cli_more_bad_option_values_are_usage_errors_before_training(tmp_path, capsys, command, args, culprit):
    import torch

    if args[-1] == "mps" and torch.backends.mps.is_available():
        args = ["--device", "no_such_device:7"]  # an Apple machine has one: ask for a device none has
        culprit = "--device"
    data = _table(tmp_path)
    before = _snapshot(tmp_path)
    out = {"augment": ["--out", tmp_path / "out.csv"], "fit": ["--out", tmp_path / "m"], "evaluate": []}[command]
    code, err = _cli(capsys, command, data, *out, "-e", "1", *args)
    assert code == 2 and culprit in err and "Traceback" not in err, err
    assert _snapshot(tmp_path) == before


def test_cli_min_class_size_names_the_class_and_the_option(tmp_path, capsys):
    data = _table(tmp_path, rows=30)  # 'b' has 10 rows
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "augment", data, "--out", tmp_path / "out.csv", "--min-class-size", "11", "-e", "1")
    assert code == 1 and "Class 'b' has 10 real rows, fewer than --min-class-size 11" in err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("sep, suffix, culprit", [
    (";;", ".csv", "sep must be one character"),
    ('"', ".csv", "sep must be one character"),
    (";", ".parquet", "sep applies to CSV files only"),
])
def test_cli_bad_sep_is_a_usage_error_before_reading(tmp_path, capsys, sep, suffix, culprit):
    data = tmp_path / f"data{suffix}"
    frame = pd.DataFrame({"x": np.arange(30), "label": ["a"] * 20 + ["b"] * 10})
    frame.to_csv(data, index=False) if suffix == ".csv" else frame.to_parquet(data)
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "augment", data, "--sep", sep, "--out", tmp_path / "out.csv", "-e", "1")
    assert code == 2 and culprit in err and "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_cli_semicolon_file_without_sep_names_the_separator_to_pass(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("x;label\n" + "".join(f"{i};{'a' if i < 20 else 'b'}\n" for i in range(30)))
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "fit", data, "--out", tmp_path / "m", "-e", "1")
    assert code == 1 and "pass --sep ';'" in err
    assert _snapshot(tmp_path) == before


def test_cli_max_categories_reaches_the_model(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("city,label\n" + "".join(f"c{i % 7},{'a' if i < 20 else 'b'}\n" for i in range(30)))
    code, err = _cli(capsys, "fit", data, "--out", tmp_path / "m", "--max-categories", "3", "-e", "1", "-s", "0", "-q")
    assert code == 0, err
    from gan_augment import GANAugmenter

    assert GANAugmenter.load(tmp_path / "m").max_categories == 3


def test_cli_parquet_output_without_pyarrow_is_refused_before_training(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now raises ImportError
    data = _table(tmp_path)
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "augment", data, "--out", tmp_path / "out.parquet", "-e", "1")
    assert code == 2 and "out.parquet needs pyarrow" in err and "Training" not in err
    assert _snapshot(tmp_path) == before


def test_cli_evaluate_report_that_cannot_be_written_is_refused_before_the_folds(tmp_path, capsys):
    data = _table(tmp_path)
    (tmp_path / "notes").write_text("a file, not a folder")
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "evaluate", data, "--report", tmp_path / "notes" / "report.html", "-e", "1")
    assert code == 2 and "notes is a file, not a directory" in err and "Cross-validating" not in err
    # ".html" is a hidden name with no suffix to pathlib: it was refused as "the suffix '(none)'".
    code, err = _cli(capsys, "evaluate", data, "--report", tmp_path / ".html", "-e", "1")
    assert code == 2 and f"give one, e.g. --report {tmp_path / 'report.html'}" in err
    assert _snapshot(tmp_path) == before


def test_cli_ctrl_c_while_writing_says_nothing_was_written(tmp_path, capsys, monkeypatch):
    data = _table(tmp_path)
    code, err = _cli(capsys, "fit", data, "--out", tmp_path / "model", "-e", "1", "-s", "0", "-q")
    assert code == 0, err
    original = pd.DataFrame.to_csv

    def interrupted(self, path=None, *args, **kwargs):
        original(self.head(1), path, *args, **kwargs)  # part of the rows are on disk when Ctrl-C comes
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    before = _snapshot(tmp_path)
    code, err = _cli(capsys, "sample", tmp_path / "model", "--class", "b", "-n", "50", "--out", tmp_path / "s.csv")
    assert code == 130
    assert "Interrupted while writing the samples; nothing was written to" in err and "s.csv" in err
    assert _snapshot(tmp_path) == before  # no s.csv, no temporary file beside it


def test_naming_the_majority_class_warns_that_nothing_is_added():
    # The command line said so; the Python doors fitted a GAN in silence and added nothing.
    from gan_augment import GANAugmenter, NothingToAddWarning
    from gan_augment.planner import plan_top_up

    y = np.array(["common"] * 40 + ["rare"] * 10)
    with pytest.warns(NothingToAddWarning, match=r"class 'common' already has the majority count"):
        assert plan_top_up(y, classes=["common", "rare"]) == {"common": 0, "rare": 30}
    tied = np.array(["a"] * 20 + ["b"] * 20 + ["c"] * 5)
    with pytest.warns(NothingToAddWarning, match=r"class 'b' already has"):
        assert plan_top_up(tied) == {"b": 0, "c": 15}
    with warnings.catch_warnings():
        warnings.simplefilter("error", NothingToAddWarning)
        assert plan_top_up(y) == {"rare": 30}
        assert plan_top_up(tied, {"c": 20}) == {"c": 15}  # counts the user gave: nothing to point out
    X = pd.DataFrame({"a": np.arange(50.0)})
    with pytest.warns(NothingToAddWarning, match="'common'"):
        X_res, _ = GANAugmenter(classes=["common"], epochs=1, random_state=0).fit_resample(X, y)
    assert len(X_res) == len(X)


def test_many_classes_tied_with_the_majority_are_said_in_one_warning():
    # 60 classes of 20 rows beside 40 of 10 printed 59 lines, one per class.
    from gan_augment import NothingToAddWarning
    from gan_augment.planner import plan_top_up

    y = np.array([f"c{i:03d}" for i in range(60) for _ in range(20)]
                 + [f"r{i:02d}" for i in range(40) for _ in range(10)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = plan_top_up(y)
    said = [str(w.message) for w in caught if issubclass(w.category, NothingToAddWarning)]
    assert said == ["59 classes already have the majority count ('c001', 'c002', 'c003', 'c004', 'c005' and 54 "
                    "more); nothing will be added to them."]
    assert sum(1 for n in plan.values() if n == 10) == 40


@pytest.mark.parametrize("container", ["list", "object", "str", "category"])
def test_labels_that_differ_only_in_their_unicode_form_are_refused(container):
    # 'é' as one code point and as e + accent: two classes that every message and file showed alike.
    import unicodedata

    from gan_augment import GANAugmenter

    composed, decomposed = unicodedata.normalize("NFC", "é"), unicodedata.normalize("NFD", "é")
    labels = [composed] * 8 + [decomposed] * 4 + ["x"] * 5
    y = {"list": labels, "object": np.array(labels, dtype=object), "str": pd.Series(labels),
         "category": pd.Series(labels, dtype="category")}[container]
    with pytest.raises(DataValidationError, match=r"differ only in their Unicode form: '\\xe9', 'e\\u0301'"):
        GANAugmenter(epochs=1).fit(np.zeros((17, 2)), y)


@pytest.mark.parametrize("arrow_type", ["string_view", "month_day_nano_interval"])
def test_arrow_types_pandas_cannot_inspect_are_refused_by_name(arrow_type):
    # pandas' own is_numeric_dtype raised a bare NotImplementedError("string_view") from the finite-value
    # check, naming no column (polars hands pandas string_view columns).
    pa = pytest.importorskip("pyarrow")
    from gan_augment import GANAugmenter

    if not hasattr(pa, arrow_type):  # string_view came with pyarrow 16
        pytest.skip(f"pyarrow {pa.__version__} has no {arrow_type}")
    kind = getattr(pa, arrow_type)()
    value = "x" if arrow_type == "string_view" else pa.scalar((1, 2, 3), type=kind)
    X = pd.DataFrame({"f": np.arange(40.0), "odd": pd.array(pa.array([value] * 40, type=kind),
                                                            dtype=pd.ArrowDtype(kind))})
    from gan_augment.baselines import MixedSMOTE

    for sampler in (GANAugmenter(epochs=1, n_threads=1), MixedSMOTE(random_state=0)):  # MixedSMOTE: the evaluator's
        with pytest.raises(DataValidationError, match=r"Column 'odd' has the dtype .*\.astype\(str\)"):
            sampler.fit_resample(X, np.array([0] * 30 + [1] * 10))


def test_auto_augmenter_without_the_gan_takes_columns_a_model_file_cannot_record():
    # Refusing them is for what a model file must give back: random oversampling and SMOTE write
    # none, and a pd.cut column was refused by the check meant for Arrow types pandas cannot inspect.
    from gan_augment import AutoAugmenter

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    X["band"] = pd.cut(X["a"], 3)
    y = np.array([0] * 100 + [1] * 20)
    model = AutoAugmenter(methods=("random",), cv=2, random_state=0).fit(X, y)
    assert model.chosen_["method"] in ("none", "random")


def test_smote_keeps_categories_of_the_same_text_apart_and_big_whole_numbers_in_range():
    # Categories 1 and "1" were matched by their text: every new row got "1". Whole numbers kept as
    # objects beyond 2**53 stepped below the smallest real one through float64 (to 2**64).
    from gan_augment.baselines import MixedSMOTE

    y = np.array(["a"] * 30 + ["b"] * 10)
    X = pd.DataFrame({"f": np.arange(40.0), "c": pd.Categorical(["1"] * 30 + [1] * 10),  # class b's is the int
                      "big": pd.Series([2**64 + 1 + i for i in range(40)], dtype=object)})
    new, _ = MixedSMOTE(random_state=0).fit_resample(X, y)
    new = new.iloc[40:]
    assert len(new) == 20 and all(type(v) is int and v == 1 for v in new["c"])
    assert min(new["big"]) >= 2**64 + 1 and max(new["big"]) <= 2**64 + 40  # the column's range (2**64 below it)


def test_a_whole_number_beyond_any_float_is_refused_by_name():
    # An object column holding 10**400 failed in pandas with a bare "int too large to convert to float".
    from gan_augment import GANAugmenter
    from gan_augment.baselines import MixedSMOTE

    X = pd.DataFrame({"k": np.arange(60.0), "huge": pd.Series([10**400] + list(range(59)), dtype=object)})
    y = np.array(["a"] * 45 + ["b"] * 15)
    for sampler in (GANAugmenter(epochs=1, n_threads=1), MixedSMOTE(random_state=0)):
        with pytest.raises(DataValidationError, match=r"Column 'huge' holds a whole number too large for a float"):
            sampler.fit_resample(X, y)


def test_a_one_hot_target_comes_back_one_hot_and_a_one_hot_dataframe_is_refused_by_name():
    # A two-class one-hot came back as one column (scikit-learn's label_binarize), booleans as ints;
    # a one-hot DataFrame (pd.get_dummies) failed inside imbalanced-learn: "no attribute 'argmax'".
    from gan_augment import GANAugmenter
    from gan_augment.baselines import MixedSMOTE

    X = pd.DataFrame(np.random.default_rng(0).normal(size=(80, 2)), columns=["a", "b"])
    codes = np.array([0] * 50 + [1] * 20 + [2] * 10)
    for y in (np.eye(2, dtype=int)[codes.clip(max=1)], np.eye(3, dtype=bool)[codes], np.eye(2, dtype=bool)[codes % 2]):
        X_res, y_res = MixedSMOTE(random_state=0).fit_resample(X, y)
        assert y_res.shape == (len(X_res), y.shape[1]) and y_res.dtype == y.dtype
        np.testing.assert_array_equal(y_res[: len(y)], y)  # the real rows first, each as given
        assert (y_res.sum(axis=1) == 1).all()
        assert np.bincount(y_res.argmax(axis=1)).min() > np.bincount(y.argmax(axis=1)).min()  # topped up
    # A column no row uses (a fold without the class) was dropped; a list of lists failed ("no attribute 'sum'").
    unused = np.eye(3, dtype=np.float32)[codes.clip(max=1) * 2]
    for y in (unused, unused.tolist()):
        y_res = MixedSMOTE(random_state=0).fit(X, y).fit_resample(X, y)[1]
        assert type(y_res) is type(y)
        y_res = np.asarray(y_res)
        assert y_res.shape == (100, 3) and y_res.dtype == np.asarray(y).dtype and y_res[:, 1].sum() == 0
        np.testing.assert_array_equal(y_res[:80], unused)
    frame = pd.get_dummies(pd.Series(np.array(["cat", "dog", "eel"])[codes]))
    for sampler in (MixedSMOTE(), GANAugmenter(epochs=1)):
        with pytest.raises(DataValidationError, match=r"The target y is a one-hot DataFrame \(columns cat, dog, eel\): "
                                                      r"pass y.to_numpy\(\) .* or y.idxmax\(axis=1\)"):
            sampler.fit_resample(X, frame)


@pytest.mark.parametrize("y, rare", [(pd.array([True] * 60 + [False] * 20, dtype="boolean"), False),
                                     (pd.array([3] * 60 + [7] * 20, dtype="Int64"), 7)])
def test_a_bare_pandas_array_target_keeps_its_labels(y, rare):
    # Not wrapped in a Series (df["flag"].array), scikit-learn made the labels floats: classes_ [0.0,
    # 1.0], "Unknown class True", and y came back as 0.0 / 1.0.
    from gan_augment.baselines import MixedSMOTE

    X = pd.DataFrame({"a": np.arange(80.0)})
    X_res, y_res = MixedSMOTE(sampling_strategy={rare: 60}, random_state=0).fit_resample(X, y)  # the label as written
    assert y_res.dtype == y.dtype.numpy_dtype and (y_res == rare).sum() == 60


@pytest.mark.parametrize("labels, match", [
    # '<' not supported between instances of 'complex' (sorting the classes)
    (torch.tensor([0, 1] * 40, dtype=torch.complex64), r"Item 0: the label is the complex number 0j"),
    # refused by the fit in the words of a y array ("y.astype(str)"), which a Dataset has none of
    (torch.tensor([0.5, 1.5] * 40), r"Item 0: the label is 0.5, a number with a fractional part.*target_transform"),
])
def test_torch_labels_that_cannot_be_classes_are_refused_by_item(labels, match):
    from gan_augment import AugmentedDataset, GANAugmenter

    base = torch.utils.data.TensorDataset(torch.randn(80, 2), labels)
    with pytest.raises(DataValidationError, match=match):
        AugmentedDataset(base, GANAugmenter(epochs=1), random_state=0)
    whole = torch.utils.data.TensorDataset(torch.randn(80, 2), torch.tensor([0.0, 1.0] * 40))
    assert len(AugmentedDataset(whole, GANAugmenter(epochs=1, label_gate=False, random_state=0),
                                sampling_strategy={1.0: 45}, random_state=0)) == 85  # whole floats are classes


def test_a_class_the_augmenter_does_not_know_is_refused_showing_its_classes_as_they_are():
    # Shown as text (['0', '1']), which hid the very difference of types the error was about.
    from gan_augment import AugmentedDataset, GANAugmenter

    X = torch.randn(80, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-epoch GAN may warn about its own quality
        fitted = GANAugmenter(epochs=1, label_gate=False, random_state=0).fit(X.numpy(), np.array([0, 1] * 40))
    base = torch.utils.data.TensorDataset(X, torch.tensor([True] * 60 + [False] * 20))
    with pytest.raises(ValueError, match=r"Class False is to be topped up, but the augmenter does not know it; it was "
                                         r"fitted on the classes \[0, 1\]\."):
        AugmentedDataset(base, fitted, classes=[False], random_state=0)


def test_torch_labels_one_and_one_point_zero_are_refused_not_merged():
    # The int 1 and float 1.0 items became one class, whose synthetic items carried the first seen.
    from gan_augment import AugmentedDataset, GANAugmenter

    class Items(torch.utils.data.Dataset):
        def __len__(self):
            return 90

        def __getitem__(self, i):
            return torch.full((2,), float(i)), 0 if i < 60 else (1.0 if i < 70 else 1)

    with pytest.raises(DataValidationError, match=r"The base dataset holds the labels 1.0 \(float\) and 1 \(int\), "
                                                  r"which Python counts as one"):
        AugmentedDataset(Items(), GANAugmenter(epochs=1), random_state=0)


def test_arrow_dictionary_and_top_unsigned_targets_come_back_in_their_dtype():
    # An Arrow dictionary of numbers failed after the whole fit (pyarrow cannot build one from
    # numpy, as imbalanced-learn rebuilt y); UInt64 labels from 2**63 were a "continuous" target.
    import pyarrow as pa

    from gan_augment import GANAugmenter
    from gan_augment.baselines import MixedSMOTE

    X = pd.DataFrame({"a": np.arange(60.0)})
    codes = np.array([0] * 48 + [1] * 12)
    dictionary = pa.dictionary(pa.int8(), pa.int64())
    high = codes.astype(np.uint64) + np.uint64(2**63)
    targets = [pd.Series(pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array([7, 3, 5])),
                         dtype=pd.ArrowDtype(dictionary), name="t"),
               pd.Series(pa.array(np.array(["a", "b"])[codes]).dictionary_encode(),
                         dtype=pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))),
               pd.Series(high, dtype="UInt64", name="id"), pd.Series(high, dtype="uint64[pyarrow]")]
    for y in targets:
        for sampler in (MixedSMOTE(random_state=0), GANAugmenter(epochs=1, batch_size=16, random_state=0)):
            _, y_res = sampler.fit_resample(X, y)
            assert y_res.dtype == y.dtype and y_res.name == y.name and len(y_res) == 96
            assert y_res[:60].tolist() == y.tolist() and set(y_res[60:]) == {y.iloc[-1]}, type(sampler)
    dictionary_res = MixedSMOTE(random_state=0).fit_resample(X, targets[0])[1]
    assert pa.array(dictionary_res.array).dictionary.to_pylist() == [7, 3, 5]  # coded as given
    for y in targets:  # fit alone too (it ran scikit-learn's check on the target as given)
        assert GANAugmenter(epochs=1, batch_size=16, random_state=0).fit(X, y).class_counts_ == \
            dict(zip(y.iloc[[0, -1]].tolist(), [48, 12]))
    # A one-column DataFrame and a bare pandas array, as a Series is.
    frame_res = MixedSMOTE(random_state=0).fit_resample(X, targets[0].to_frame())[1]
    assert isinstance(frame_res, pd.DataFrame) and frame_res["t"].dtype == targets[0].dtype
    assert frame_res["t"].tolist() == targets[0].tolist() + [3] * 36
    bare_res = MixedSMOTE(random_state=0).fit_resample(X, targets[2].array)[1]
    assert bare_res.dtype == np.uint64 and (bare_res == high[-1]).sum() == 48
    # A dictionary holding a null or a value twice (Arrow allows both) is no list of categories.
    for dictionary_values in ([7, 3, None], [7, 3, 7]):
        y = pd.Series(pa.DictionaryArray.from_arrays(pa.array(codes, pa.int8()), pa.array(dictionary_values)),
                      dtype=pd.ArrowDtype(dictionary))
        y_res = MixedSMOTE(random_state=0).fit_resample(X, y)[1]
        assert y_res.dtype == y.dtype and y_res.tolist() == y.tolist() + [3] * 36


def test_warnings_of_many_classes_name_the_first_ten_and_count_the_rest():
    # 150 long-tailed classes made a default fit print three warnings of 1,400-10,000 characters,
    # a clause for every class.
    from types import SimpleNamespace

    from gan_augment import GANAugmenter, LowCoverageWarning, SmallClassWarning
    from gan_augment.diversity import warn_if_undercovered
    from gan_augment.planner import check_class_sizes

    labels = [f"category {i:03d}" for i in range(150)]
    with pytest.warns(SmallClassWarning) as said:
        check_class_sizes({label: 100 for label in labels}, {label: 2 for label in labels})
    text = str(said[0].message)
    assert "class 'category 009': 2 real rows, 100 synthetic to add and 140 more)" in text and len(text) < 1000
    thin = SimpleNamespace(relative_coverage=0.1, undercovered=True, collapsed=False)
    with pytest.warns(LowCoverageWarning) as said:
        warn_if_undercovered({label: thin for label in labels}, "rows", "SMOTE")
    assert "class 'category 009': 0.10 and 140 more of what" in str(said[0].message) and len(str(said[0].message)) < 900
    # The label gate's reasons, with and without figures.
    gate = SimpleNamespace(serves=lambda i: False, knows=lambda i: True, acceptance=[0.01] * 150, real_recall=None)
    model = SimpleNamespace(kind_=SimpleNamespace(unit="rows"), classes_=np.array(labels, dtype=object),
                            sampling_strategy_={label: 100 for label in labels})
    reasons, _ = GANAugmenter._ungated_reasons(model, gate, with_figures=True)
    assert "of class 'category 000' (1.0%), " in reasons[0] and "'category 009' (1.0%) and 140 more (its judge" in \
        reasons[0] and len(reasons[0]) < 600


@pytest.mark.parametrize("labels, positive", [(("common", "rare"), "rare"), ((1, 0), 0)])
def test_an_auto_augmenter_judged_on_pr_auc_is_told_the_scorer_of_the_evaluations_positive_class(labels, positive):
    # It was told scoring='average_precision', which scores class 1: the majority where 0 is rare,
    # and no class at all with string labels (and that scoring silenced the warning).
    from sklearn.metrics import average_precision_score, make_scorer

    from gan_augment import AutoAugmenter
    from gan_augment.evaluation import plan_evaluation

    X = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7})
    y = np.array([labels[1]] * 12 + [labels[0]] * 48)
    with pytest.warns(UserWarning, match=r"chooses its top-up with .* on pr_auc.*scoring=make_scorer\("
                                         r"average_precision_score, response_method=\('decision_function', "
                                         rf"'predict_proba'\), pos_label={positive!r}\)\)"):
        plan_evaluation(X, y, AutoAugmenter(scoring="average_precision"), metric="pr_auc")
    matching = make_scorer(average_precision_score, response_method=("decision_function", "predict_proba"),
                           pos_label=positive)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*chooses its top-up")
        plan_evaluation(X, y, AutoAugmenter(scoring=matching), metric="pr_auc")


def test_an_auto_augmenter_scorer_object_of_another_metric_is_told_so():
    # Only strings were compared: a scorer object choosing by accuracy or recall drew no warning.
    from sklearn.metrics import f1_score, get_scorer, make_scorer, recall_score

    from gan_augment import AutoAugmenter
    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    for scoring in (get_scorer("accuracy"), make_scorer(recall_score, pos_label="rare")):
        with pytest.warns(UserWarning, match=r"chooses its top-up .* on macro_f1.*scoring='f1_macro'\)"):
            plan_evaluation(X, y, AutoAugmenter(scoring=scoring))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*chooses its top-up")
        plan_evaluation(X, y, AutoAugmenter(scoring=make_scorer(f1_score, average="macro")))
        plan_evaluation(X, y, AutoAugmenter(scoring=lambda estimator, X, y: 0.0))  # cannot be read: not judged


def test_an_estimator_that_cannot_predict_is_refused_before_any_fold():
    from imblearn.over_sampling import RandomOverSampler
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from gan_augment.evaluation import plan_evaluation

    X, y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0) % 7}), np.array(["rare"] * 12 + ["common"] * 48)
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, refit=False)
    with pytest.raises(TypeError, match=r"has no predict method, and the evaluation tests its predictions"):
        plan_evaluation(X, y, RandomOverSampler(), estimator=search)
