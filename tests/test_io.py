"""gan_augment.data.io: reading tables, finding the target, writing atomically."""

import codecs
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gan_augment.data import io
from gan_augment.data.io import (
    TARGET_NAMES,
    check_output_path,
    csv_decimals,
    find_target,
    load_dataset,
    read_table,
    read_table_source,
    resolve_classes,
    write_augmented_table,
    write_table,
)
from gan_augment.exceptions import DataValidationError


def _frame(n=12):
    return pd.DataFrame({
        "age": np.arange(n, dtype="int64"),
        "score": np.linspace(0, 1, n),
        "color": ["red", "blue", "green"] * (n // 3),
        "label": ["a"] * (n - 3) + ["b"] * 3,
    })


def test_csv_options_bom_spaces_and_na_values(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("\ufeffage, color, Label\n1, red, x\n2, ?, y\n3,, x\n".encode("utf-8"))
    X, y, target = load_dataset(path)
    assert target == "Label"  # case-insensitive auto-detection; the BOM does not stick to "age"
    assert list(X.columns) == ["age", "color"]
    assert X["age"].dtype == np.int64
    assert X["color"].iloc[0] == "red"  # the space after the comma is dropped
    assert X["color"].tolist()[:2] == ["red", "?"]  # only empty cells are missing by default
    assert X["color"].isna().tolist() == [False, False, True]
    assert y.tolist() == ["x", "y", "x"]
    X, _, _ = load_dataset(path, na_values=["?"])
    assert X["color"].isna().tolist() == [False, True, True]


def test_target_names_are_short_and_documented():
    assert TARGET_NAMES == ("label", "target", "class", "y")
    assert find_target(["a", "b", "CLASS"]) == "CLASS"
    assert find_target(["a", "y"]) == "y"


def test_ambiguous_or_missing_target_asks_for_it(tmp_path):
    path = tmp_path / "two.csv"
    pd.DataFrame({"a": [1, 2], "label": [0, 1], "target": [1, 0]}).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="--target") as info:
        load_dataset(path)
    assert "label, target" in str(info.value) and "a, label, target" in str(info.value)
    with pytest.raises(DataValidationError, match="--target.*columns are: a, b"):
        find_target(["a", "b"])
    X, y, target = load_dataset(path, target="target")
    assert target == "target" and list(X.columns) == ["a", "label"]


def test_unknown_target_suggests_close_match(tmp_path):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="no column 'lable'. Did you mean 'label'"):
        load_dataset(path, target="lable")


def test_a_target_named_without_the_spaces_around_its_header_name_is_found():
    # " label " was auto-detected, but --target label refused, listing the names without quotes.
    assert find_target(["x ", " label "], "label") == " label "
    with pytest.raises(DataValidationError, match=r"The columns are: 'x ', ' label ', ' label'\."):
        find_target(["x ", " label ", " label"], "label")  # two of them: which is meant is not guessed


def test_target_with_missing_values_names_the_count(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,label\n1,x\n2,\n3,?\n4,y\n")
    with pytest.raises(DataValidationError, match="'label'.* 1 missing value of 4 rows .data rows 2;"):
        load_dataset(path)
    # na_values name missing feature cells: in the target '?' is a class, pointed out (see below).
    with pytest.warns(UserWarning, match="Target column 'label' .* holds '\\?'"), \
            pytest.raises(DataValidationError, match="'label'.* 1 missing value of 4 rows .data rows 2;"):
        load_dataset(path, na_values="?")


def test_classes_are_checked_with_suggestion(tmp_path):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    load_dataset(path, classes=["b"])
    with pytest.raises(DataValidationError, match="Did you mean 'b'"):
        load_dataset(path, classes=["a", "bb"])
    y = pd.Series(["cat", "dog", "bird", "dog"])
    assert resolve_classes(["cat,bird", "dog"], y) == ["cat", "bird", "dog"]
    assert resolve_classes(["1"], pd.Series([0, 1, 1])) == [1]
    # A part named with its spaces where a class is so named: "c,b " topped up "b", not "b ", silently.
    spaced = pd.Series(["maj", "b", "b ", "c"])
    assert resolve_classes(["c,b "], spaced) == ["c", "b "] and resolve_classes(["c, b"], spaced) == ["c", "b"]


def test_a_column_suggested_is_shown_as_the_column_is():
    # Every name was turned into text: "Did you mean '30'?" of the integer column 30.
    from gan_augment._listing import column_suggestion

    assert column_suggestion(3, [0, 1, 2, 30]) == " Did you mean 30?"
    assert column_suggestion("STRASSE", ["straße", "x"]) == " Did you mean 'straße'?"  # case, as casefold reads it
    assert column_suggestion(("a", "c"), [("a", "b"), ("z", "z")]) == " Did you mean ('a', 'b')?"
    assert column_suggestion("qqq", ["label", "x"]) == ""


def test_class_names_holding_commas_are_told_apart_from_lists_of_classes():
    # Classes a, b and "a,b": "--classes a,b" topped up "a,b" alone without a word; and "a,b" given
    # with another name in one option said only "Unknown class 'a'".
    y = pd.Series(["maj"] * 4 + ["a", "b", "a,b", "x y"])
    with pytest.warns(UserWarning, match=r"'a,b' names the class 'a,b'; its parts name classes too: for those, give "
                                         r"--classes a --classes b \(classes=\['a', 'b'\] in Python\)\."):
        assert resolve_classes(["a,b"], y) == ["a,b"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_classes(["b,a"], y) == ["b", "a"]
        assert resolve_classes(["a,b"], y[y != "a"]) == ["a,b"]  # its parts are not all classes: nothing to say
    with pytest.raises(DataValidationError, match=r"Unknown class 'a'.*A class whose name holds a comma is named "
                                                  r"alone, in an option of its own \(--classes a,b --classes OTHER; "
                                                  r"in Python, an item of its own: classes=\['a,b', 'OTHER'\]\)"):
        resolve_classes(["a,b,x y"], y[~y.isin(["a", "b"])])


def test_parquet(tmp_path):
    frame = _frame()
    frame.to_parquet(tmp_path / "d.parquet", index=False)
    X, y, target = load_dataset(tmp_path / "d.parquet")
    pd.testing.assert_frame_equal(X, frame.drop(columns="label"))
    assert target == "label" and y.tolist() == frame["label"].tolist()


def test_a_parquet_file_repeating_a_column_name_is_refused_as_a_csv_one_is(tmp_path):
    # pyarrow's "Multiple matches for FieldRef.Name(x) in x: double x: double label: string
    # __fragment_index: int32 ..." was the whole message.
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_arrays([pa.array([0.5, 1.5]), pa.array([2.5, 3.5]), pa.array(["a", "b"])],
                                        names=["x", "x", "label"]), tmp_path / "d.parquet")
    with pytest.raises(DataValidationError, match=r"d\.parquet has duplicated column names \['x'\]; rename them"):
        load_dataset(tmp_path / "d.parquet")


def test_parquet_without_pandas_metadata_keeps_integers_with_missing_cells(tmp_path):
    # pyarrow, polars, Spark write no pandas metadata: pandas alone reads such a column as float64,
    # 2**53 + 1 becomes 2**53 and every value would be written back as a float.
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"id": pa.array([2**53 + 1, None, 7], pa.int64()),
                             "qty": pa.array([None, 255, 3], pa.uint8()),
                             "whole": pa.array([1, 2, 3], pa.int32()), "x": [0.5, None, 1.5],
                             "label": ["a", "b", "a"]}), tmp_path / "d.parquet")
    frame = read_table(tmp_path / "d.parquet")
    assert frame["id"].dtype == "Int64" and frame["id"].tolist() == [2**53 + 1, pd.NA, 7]
    assert frame["qty"].dtype == "UInt8" and frame["qty"].tolist() == [pd.NA, 255, 3]
    assert frame["whole"].dtype == np.int32 and frame["x"].dtype == np.float64
    write_table(frame, tmp_path / "back.parquet")
    back = pq.read_table(tmp_path / "back.parquet")
    assert str(back.schema.field("id").type) == "int64" and back.column("id").to_pylist()[0] == 2**53 + 1
    # pandas' metadata gives integer column names back as integers, the file's fields are text.
    pd.DataFrame({0: pd.Series([2**53 + 1, None], dtype=object), 1: ["a", "b"]}).to_parquet(tmp_path / "n.parquet")
    named = read_table(tmp_path / "n.parquet")
    assert named[0].dtype == "Int64" and named[0].tolist() == [2**53 + 1, pd.NA]


def test_parquet_dataset_folders_say_to_join_the_parts(tmp_path):
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    parts, partitioned = tmp_path / "parts", tmp_path / "partitioned"
    parts.mkdir()
    _frame().iloc[:6].to_parquet(parts / "part-00000.parquet", index=False)
    _frame().iloc[6:].to_parquet(parts / "part-00001.parquet", index=False)
    (parts / "_SUCCESS").write_text("")
    with pytest.raises(DataValidationError, match=r"2 parquet files \(part-00000.parquet, part-00001.parquet\): "
                                                  r"if they are the parts of one table.*read_table\(DIR\)"):
        load_dataset(parts)
    pq.write_to_dataset(pa.Table.from_pandas(_frame(), preserve_index=False), partitioned, partition_cols=["label"])
    with pytest.raises(DataValidationError, match=r"partitioned parquet dataset \(sub-folders label=.*read_table"):
        load_dataset(partitioned)


def test_directory_with_one_file(tmp_path):
    _frame().to_csv(tmp_path / "only.csv", index=False)
    (tmp_path / "README.txt").write_text("not data")
    (tmp_path / ".hidden.csv").write_text("x\n1\n")
    X, y, _ = load_dataset(tmp_path)
    assert len(X) == 12


def test_directory_with_several_or_no_files(tmp_path):
    several, empty = tmp_path / "several", tmp_path / "empty"
    several.mkdir()
    empty.mkdir()
    _frame().to_csv(several / "a.csv", index=False)
    _frame().to_parquet(several / "b.parquet")
    with pytest.raises(DataValidationError, match=r"2 data files \(a.csv, b.parquet\)"):
        load_dataset(several)
    with pytest.raises(DataValidationError, match="holds no data file"):
        load_dataset(empty)


def test_unreadable_inputs(tmp_path):
    with pytest.raises(DataValidationError, match="does not exist"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "notes.txt").write_text("a,b\n")
    with pytest.raises(DataValidationError, match="suffix '.txt'"):
        read_table(tmp_path / "notes.txt")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataValidationError, match="empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81\x92" * 50)
    with pytest.raises(DataValidationError):
        read_table(tmp_path / "binary.csv")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataValidationError, match="parquet"):
        read_table(tmp_path / "broken.parquet")
    (tmp_path / "index.csv").write_text(",a,label\n0,1,x\n1,2,y\n")
    with pytest.raises(DataValidationError, match="without a name"):
        read_table(tmp_path / "index.csv")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_table_round_trip_and_no_overwrite(tmp_path, suffix):
    frame = _frame()
    path = tmp_path / f"out{suffix}"
    write_table(frame, path)
    back = read_table(path)
    assert list(back.columns) == list(frame.columns) and back["age"].dtype == np.int64
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="--force"):
        write_table(frame.head(2), path)
    assert path.read_bytes() == before
    write_table(frame.head(2), path, force=True)
    assert len(read_table(path)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary files left


@pytest.mark.parametrize("dtype", [object, "string", "category"])
def test_write_table_keeps_a_leading_space_of_a_value_for_readers_that_skip_one(tmp_path, dtype):
    # `gan-augment sample` wrote " red" bare: this package's reader (and pandas' skipinitialspace)
    # read "red", merging two values that the model kept apart.
    frame = pd.DataFrame({"x": [1.5, 2.0, 3.0], "colour": pd.Series([" red", "red", None], dtype=dtype)})
    write_table(frame, tmp_path / "out.csv")
    for back in (read_table(tmp_path / "out.csv"), pd.read_csv(tmp_path / "out.csv", skipinitialspace=True),
                 pd.read_csv(tmp_path / "out.csv")):
        assert back["colour"].tolist()[:2] == [" red", "red"] and back["colour"].isna().tolist()[2]
        assert back["x"].tolist() == [1.5, 2.0, 3.0]


def test_write_table_bad_suffix_and_failed_write_keeps_original(tmp_path, monkeypatch):
    with pytest.raises(DataValidationError, match="suffix '.xlsx'"):
        write_table(_frame(), tmp_path / "out.xlsx")
    # Was "the suffix '(none)' is not one of ...", with no example (`--out synthetic/` lost its slash).
    with pytest.raises(DataValidationError, match=r"noext: a table is written to a file whose name ends in one of "
                                                  r"\.csv.*e\.g\. .*noext\.csv \(or .*noext/augmented\.csv"):
        check_output_path(tmp_path / "noext")
    with pytest.raises(DataValidationError, match=r"give the file a name before its suffix, e\.g\. .*augmented\.csv"):
        check_output_path(tmp_path / ".csv")  # not "a name ending in .csv, e.g. .csv.csv"
    (tmp_path / "adir").mkdir()
    with pytest.raises(FileExistsError, match=r"adir is a directory; give a file name ending in one of .csv"):
        check_output_path(tmp_path / "adir")  # not "the suffix '(none)' is not one of ..."
    (tmp_path / "adir").rmdir()
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DataValidationError, match="is a file, not a directory"):
        check_output_path(tmp_path / "afile" / "sub" / "out.csv")
    assert check_output_path(tmp_path / "new" / "dir" / "out.parquet") == "parquet"
    path = tmp_path / "out.csv"
    path.write_text("precious\n")

    def broken_to_csv(self, target, **kwargs):
        with open(target, "w") as handle:
            handle.write("half a ta")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken_to_csv)
    with pytest.raises(OSError, match="disk full"):
        write_table(_frame(), path, force=True)
    assert path.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["afile", "out.csv"]


# ============================================================ values come back as written (issue 10)
def _write(path, text):
    path.write_text(text)
    return path


def test_leading_zeros_keep_labels_and_zip_codes_apart(tmp_path):
    path = _write(tmp_path / "d.csv", "zip,n,label\n02139,1,007\n12345,2,7\n02139,3,7\n")
    X, y, _ = load_dataset(path)
    assert X["zip"].tolist() == ["02139", "12345", "02139"]
    assert sorted(pd.unique(y)) == ["007", "7"]  # two classes, not one class 7
    assert X["n"].dtype == np.int64  # a column whose every value round-trips is still numeric


def test_real_rows_are_written_back_byte_for_byte(tmp_path):
    # Numbers are read as numbers (the GAN models them as quantities); the real rows still come
    # back as written because the writer copies their bytes instead of re-formatting the floats.
    text = ("zip,code,price,mixed,flag,gappy_int,gappy_flag,region,label\n"
            "02139,+7,1.50,7,True,3,True,NA,007\n"
            "10001,7,2.0,7.5,False,,,None,7\n"
            "00501,1e3,3.25,-2,True,-9007199254740993,False,N/A,7\n")
    path = _write(tmp_path / "in.csv", text)
    frame, source = read_table_source(path)
    assert frame["price"].dtype == np.float64 and frame["price"].tolist() == [1.5, 2.0, 3.25]
    assert frame["code"].dtype == np.float64 and frame["code"].tolist() == [7, 7, 1000]  # +7 and 1e3 are numbers
    assert frame["mixed"].dtype == np.float64 and frame["mixed"].tolist() == [7, 7.5, -2]
    assert frame["gappy_int"].dtype == "Int64"  # not float64: no float detour for big ints
    assert frame["gappy_int"].iloc[2] == -9007199254740993  # not rounded through a float
    assert frame["flag"].dtype == bool
    assert frame["zip"].tolist() == ["02139", "10001", "00501"]
    assert frame["label"].tolist() == ["007", "7", "7"]
    write_augmented_table(frame, frame.iloc[:0], tmp_path / "out.csv", source=source)
    assert (tmp_path / "out.csv").read_bytes() == text.encode()


@pytest.mark.parametrize("word", ["NA", "None", "null", "N/A", "nan", "NaN", "n/a", "?", "#N/A"])
def test_na_like_words_are_values_unless_named(tmp_path, word):
    path = _write(tmp_path / "d.csv", f"region,v,label\n{word},1,a\nEU,2,b\n{word},3,a\n,4,b\n")
    frame = read_table(path)
    assert frame["region"].tolist()[:3] == [word, "EU", word] and frame["region"].isna().sum() == 1
    assert read_table(path, na_values=[word])["region"].isna().sum() == 3
    assert read_table(path, na_values=word)["region"].isna().sum() == 3  # one string is one value


def test_na_values_is_checked(tmp_path):
    path = _write(tmp_path / "d.csv", "a,label\n1,x\n2,y\n")
    with pytest.raises(DataValidationError, match="na_values must be strings.*got 0"):
        read_table(path, na_values=["NA", 0])
    _frame().to_parquet(tmp_path / "d.parquet", index=False)
    with pytest.raises(DataValidationError, match="CSV files only.*d.parquet"):
        read_table(tmp_path / "d.parquet", na_values=["NA"])
    assert len(read_table(tmp_path / "d.parquet", na_values=[])) == 12


def test_nan_text_keeps_a_numeric_column_as_text_and_says_how_to_read_it_as_missing(tmp_path):
    # "nan" is a value like any other: as a number it would be written back as an empty cell.
    with pytest.warns(UserWarning, match=r"Column 'v' of .*d.csv holds numbers and 'nan': it is read as text.*"
                                         r"pass --na-values nan"):
        frame = read_table(_write(tmp_path / "d.csv", "v,label\n1.5,a\nnan,b\n"))
    assert frame["v"].tolist() == ["1.5", "nan"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # named as missing: a number column, and nothing to say
        assert read_table(tmp_path / "d.csv", na_values=["nan"])["v"].dtype == np.float64
    # One value per --na-values, '?' quoted for the shell: "--na-values ? NA" was refused.
    with pytest.warns(UserWarning, match=r"if '\?', 'NA' mean missing, pass --na-values '\?' --na-values NA "
                                         r"\(na_values="):
        read_table(_write(tmp_path / "e.csv", "v,label\n1.5,a\n?,b\nNA,a\n"))


def test_an_infinite_number_keeps_a_numeric_column_as_text_and_is_pointed_out(tmp_path):
    # One "inf" cell turned the whole column into categories without a word.
    with pytest.warns(UserWarning, match=r"Column 'v' of .*d.csv holds numbers and '-inf', 'NA': it is read as text "
                                         r"\(categories\); if 'NA' means missing, pass --na-values NA \(.*; a number "
                                         r"column cannot hold an infinite value"):
        frame = read_table(_write(tmp_path / "d.csv", "v,label\n1.5,a\n-inf,b\nNA,a\n"))
    assert frame["v"].tolist() == ["1.5", "-inf", "NA"]


def test_the_advice_to_name_missing_cells_keeps_those_already_named(tmp_path):
    # Read with --na-values MISSING, a column of numbers and '?' was advised "--na-values '?'", which
    # alone would turn MISSING back into text (a new list replaces the old).
    path = _write(tmp_path / "d.csv", "v,label\n1.5,a\nMISSING,b\n?,a\n2,b\n")
    with pytest.warns(UserWarning, match=r"if '\?' means missing, pass --na-values MISSING --na-values '\?' "):
        read_table(path, na_values=["MISSING"])


def test_na_values_name_missing_feature_cells_and_leave_a_class_of_the_same_text(tmp_path):
    # Following the hint to pass --na-values NA for x made the class 'NA' (North America) missing
    # labels, refused as "60 missing values; drop or fill those rows".
    path = _write(tmp_path / "d.csv", "x,label\n1.5,EU\nNA,NA\n2.5,NA\nNA,AS\n")
    with pytest.warns(UserWarning, match=r"Target column 'label' of .*d.csv holds 'NA', which --na-values "
                                         r"\(na_values=\) names as missing: in the target it is read as a class"):
        frame = read_table(path, na_values=["NA", "?"])
    assert frame["label"].tolist() == ["EU", "NA", "NA", "AS"]
    assert frame["x"].isna().tolist() == [False, True, False, True] and frame["x"].dtype == np.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty label is still missing (refused later), and nothing to say here
        assert read_table(_write(tmp_path / "e.csv", "x,label\nNA,a\n2,\n"), na_values="NA")["label"].isna().tolist() \
            == [False, True]


def test_a_file_that_is_not_utf8_is_refused_at_the_byte_and_line_of_the_file(tmp_path):
    # pandas counts the bytes of the 256 KiB chunk it decodes: a Latin-1 'e' at byte 604,434 was
    # reported at byte 80,146 (two chunks less).
    rows = ["x,colour,label"] + [f"{i},red,{'rare' if i % 7 == 0 else 'common'}" for i in range(40_000)]
    rows[30_001] = rows[30_001].replace("red", "r\xe9d")
    data = ("\ufeff" + "\n".join(rows) + "\n").encode("utf-8")  # a byte-order mark first, as Excel writes
    data = data.replace("r\xe9d".encode("utf-8"), "r\xe9d".encode("latin-1"))
    (tmp_path / "d.csv").write_bytes(data)
    position = data.index(b"r\xe9d") + 1
    assert position > 1 << 18  # beyond pandas' first chunk
    with pytest.raises(DataValidationError, match=rf"d.csv is not UTF-8 text \(invalid continuation byte at byte "
                                                  rf"{position}, line 30002\); save it as UTF-8"):
        read_table(tmp_path / "d.csv")
    # Lines ended by CR alone (Excel's "CSV (Macintosh)", which pandas reads) are counted too.
    (tmp_path / "mac.csv").write_bytes(b"a,b,label\r1,x,c\r2,caf\xe9,c\r3,x,r\r")
    with pytest.raises(DataValidationError, match=r"at byte 21, line 3\)"):
        read_table(tmp_path / "mac.csv")


@pytest.mark.parametrize("encoding, width", [("utf-16", "16"), ("utf-16-be", "16"), ("utf-32", "32"),
                                             ("utf-32-be", "32")])
def test_a_utf16_export_is_named_with_the_conversion_that_reads_it(tmp_path, encoding, width):
    # It was told to open the file as Latin-1 and save it again, which makes garbage of UTF-16.
    text = "x\tlabel\n1\ta\n2\tb\n"
    mark = {"utf-16-be": codecs.BOM_UTF16_BE, "utf-32-be": codecs.BOM_UTF32_BE}.get(encoding, b"")  # (others write one)
    data = mark + text.encode(encoding)
    (tmp_path / "d.tsv").write_bytes(data)
    with pytest.raises(DataValidationError, match=rf"d.tsv is UTF-{width} text \(its first bytes say so\), not UTF-8: "
                                                  rf"a spreadsheet's 'Unicode Text' export. .*encoding='utf-{width}'"):
        read_table(tmp_path / "d.tsv")
    # What it advises reads the file.
    assert pd.read_csv(tmp_path / "d.tsv", sep="\t", encoding=f"utf-{width}")["label"].tolist() == ["a", "b"]
    # A Latin-1 file whose first characters are those of a UTF-16 mark is not called UTF-16.
    (tmp_path / "l.tsv").write_bytes("ÿþx\tlabel\n1\tcafé\n".encode("latin-1"))
    with pytest.raises(DataValidationError, match=r"l.tsv is not UTF-8 text \(invalid start byte at byte 0, line 1\)"):
        read_table(tmp_path / "l.tsv")


def test_a_number_beyond_float64_s_range_is_pointed_out_as_an_infinite_one(tmp_path):
    # 1e309 overflows to infinity: the column was read as categories without a word (as "inf" was).
    with pytest.warns(UserWarning, match=r"Column 'v' of .*d.csv holds numbers and '-1E400', '1e309': it is read as "
                                         r"text \(categories\); a number column cannot hold an infinite value \(beyond "
                                         r"the largest float"):
        frame = read_table(_write(tmp_path / "d.csv", "v,label\n1.5,a\n1e309,b\n-1E400,a\n2,b\n"))
    assert frame["v"].tolist() == ["1.5", "1e309", "-1E400", "2"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 1e308 is a float: a number column, and nothing to say
        assert read_table(_write(tmp_path / "e.csv", "v,label\n1.5,a\n1e308,b\n"))["v"].dtype == np.float64


def test_commas_after_which_three_digits_follow_may_group_thousands_and_the_warning_says_both(tmp_path):
    # "76,705" read with decimal=',' would be 76.705: a thousand times too small if it meant 76705.
    path = _write(tmp_path / "d.csv", 'amount,label\n"76,705",a\n"57,689",b\n"250",a\n')
    with pytest.warns(UserWarning, match=r"Column 'amount' .*commas that group thousands or mark decimals .*"
                                         r"thousands=','\) for thousands, decimal=',' for decimals") as caught:
        read_table(path)
    assert not any("written with a decimal comma" in str(w.message) for w in caught)


def test_numbers_with_a_decimal_comma_are_text_and_the_warning_says_how_to_save_them(tmp_path):
    path = _write(tmp_path / "d.csv", "v;n;label\n0,5;3;a\n-12,75;4;b\n7;5;a\n")
    with pytest.warns(UserWarning, match=r"Column 'v' of .*d.csv holds numbers written with a decimal comma "
                                         r"\('0,5'\).*read_csv\(path, sep=';', decimal=','\)") as caught:
        frame = read_table(path, sep=";")
    assert frame["v"].tolist() == ["0,5", "-12,75", "7"]  # as written: text
    assert not any("'n'" in str(w.message) for w in caught)  # whole numbers read as numbers: nothing to say
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # text with commas that is not a number says nothing
        read_table(_write(tmp_path / "e.csv", 'v,label\n"a,b",x\n"1,5 kg",y\n'))


def test_numbers_followed_by_a_space_are_text_and_the_warning_says_so(tmp_path):
    # "8.44 ," was read as text, 40 categories, with no word (pandas reads numbers).
    path = _write(tmp_path / "d.csv", "x,n,label\n8.44 ,3,a\n1.5 ,4,b\n2 ,5,a\n")
    with pytest.warns(UserWarning, match=r"Column 'x' of .*d.csv holds numbers with spaces around them "
                                         r"\('8.44 '\): it is read as text") as caught:
        frame = read_table(path)
    assert frame["x"].tolist() == ["8.44 ", "1.5 ", "2 "]  # as written: text
    assert not any("'n'" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # words with spaces say nothing
        read_table(_write(tmp_path / "e.csv", "v,label\nred ,x\nblue,y\n"))


def test_a_comment_line_above_the_header_is_named(tmp_path):
    # It said "line 2 has 3 fields, but the header names 1 columns ... a trailing separator?".
    path = _write(tmp_path / "d.csv", "# exported 2024\nx,n,label\n1,2,a\n3,4,b\n")
    with pytest.raises(DataValidationError, match=r"its first line, '# exported 2024', was read as the header "
                                                  r"\(a comment or title line\?\).*Delete that line"):
        read_table(path)


def test_empty_column_is_all_missing(tmp_path):
    frame = read_table(_write(tmp_path / "d.csv", "e,label\n,a\n,b\n"))
    assert frame["e"].isna().all() and frame["e"].dtype == np.float64


def test_duplicated_header_names_are_refused_naming_the_column(tmp_path):
    path = _write(tmp_path / "d.csv", "age,age,label\n1,2,a\n3,4,b\n")
    with pytest.raises(DataValidationError, match=r"'age' at positions 1, 2.*rename"):
        read_table(path)
    with pytest.raises(DataValidationError, match="'age'"):
        load_dataset(path)
    # a column really named "age.1" (what pandas renames a duplicate to) is a name of its own
    frame = read_table(_write(tmp_path / "ok.csv", "age,age.1,label\n1,2,a\n"))
    assert list(frame.columns) == ["age", "age.1", "label"]


@pytest.mark.parametrize("first_lines, shown", [
    ("7,0.27,6\n6.3,0.3,6\n8.1,0.28,5\n", "7, 0.27, 6"),  # winequality-white: numbers only
    ("M,0.455,15\nF,0.35,7\nI,0.53,9\n", "M, 0.455, 15"),  # abalone: a text column first
    ("0.23,5.07,'-1'\n0.15,-0.16,'-1'\n0.4,0.1,'1'\n", "0.23, 5.07, '-1'"),  # mammography: quoted labels
])
def test_a_file_without_a_header_row_is_pointed_out(tmp_path, first_lines, shown):
    # UCI-style files have none: their first row became the column names.
    path = _write(tmp_path / "d.csv", first_lines)
    with pytest.warns(UserWarning, match=rf"The first line of .*d.csv reads like a row of data \({shown}\): every "
                                         "column of numbers is named by a number"):
        frame = read_table(path)
    assert len(frame) == 2


@pytest.mark.parametrize("text", [
    "x1,2,label\n1,2,a\n",  # a column of numbers named by a word
    "age,2020,label\n31,2,a\n,,b\n",  # a number names one column of numbers, a word another
    "name,label\n1,a\n2,b\n",
    "7,label\n,a\n,b\n",  # the only column named by a number holds no value
])
def test_a_header_that_names_a_column_of_numbers_with_a_word_is_not_questioned(tmp_path, text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_table(_write(tmp_path / "ok.csv", text))


def test_regression_target_is_refused_before_training(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "price": rng.normal(100, 20, 60).round(2)})
    frame.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(DataValidationError, match="'price'.*looks like a regression target.*--target"):
        load_dataset(tmp_path / "d.csv", target="price")


def test_fractional_class_codes_in_a_file_are_text_classes(tmp_path):
    # Labels are integers only when written as plain integers; 0.5 / 1.5 are two classes named as
    # written (a fractional float target given in Python is still refused: test_bad_inputs).
    path = _write(tmp_path / "d.csv", "a,label\n" + "".join(f"{i},{0.5 + i % 2}\n" for i in range(20)))
    X, y, _ = load_dataset(path)
    assert sorted(y.unique()) == ["0.5", "1.5"] and X["a"].dtype == np.int64


# ============================================================ numbers are numbers, rows stay as written
YEAST_LIKE = ("mcg,gvh,alm,erl,pox,label\n"
              "0.58,0.61,0.47,0.5,0,MIT\n"
              "0.43,0.67,0.48,0.5,0,MIT\n"
              "0.64,0.62,0.49,1,0.83,NUC\n"
              "0.50,0.41,0.30,0.5,0,CYT\n")


def test_two_decimal_columns_are_read_as_floats(tmp_path):
    # keel_yeast.csv: 0.50 / 0.30 are written with a trailing zero; they are still numbers.
    frame = read_table(_write(tmp_path / "yeast.csv", YEAST_LIKE))
    assert all(frame[c].dtype == np.float64 for c in ["mcg", "gvh", "alm", "erl", "pox"])
    assert frame["mcg"].tolist() == [0.58, 0.43, 0.64, 0.5]
    assert frame["label"].tolist() == ["MIT", "MIT", "NUC", "CYT"]


@pytest.mark.parametrize("cells, dtype", [
    (["0.50", "0.41", "0.30"], "float64"),
    (["1", "-2", "+7"], "int64"),  # "+" is a sign: the number means the same
    (["1e3", "2.5E-3", ".5", "5."], "float64"),  # exponent notation and bare points are numbers
    (["0", "0.5", "-0", "-0.25"], "float64"),  # a single 0 before the point is no padding
    (["0", "10", "-0"], "int64"),
    (["12345678901234567890", "1"], "object"),  # beyond int64: a float would change 12345678901234567890
    (["02139", "12345"], "object"),  # zip codes: zero-padded, a number would drop the zero
    (["007", "7"], "object"),
    (["-01", "5"], "object"),
    (["00.5", "1.5"], "object"),
    (["1.5", "nan"], "object"),  # nan / inf are words here (na_values makes them missing)
    (["1.5", "inf"], "object"),
    (["1e999", "1"], "object"),  # no finite float64
    (["1_000", "2"], "object"),  # float() would take these; a CSV number does not look so
    (["1,5", "2"], "object"),
    (["7 kg", "3"], "object"),
    (["1.5", "NA"], "object"),
])
def test_which_columns_are_numbers(tmp_path, cells, dtype):
    body = "".join(f'"{c}",{"ab"[i % 2]}\n' for i, c in enumerate(cells))
    frame = read_table(_write(tmp_path / "d.csv", "v,label\n" + body))
    column = frame["v"]
    if dtype == "object":
        assert not pd.api.types.is_numeric_dtype(column.dtype) and column.tolist() == cells
    else:
        assert column.dtype == dtype


def test_numbers_with_empty_cells(tmp_path):
    frame = read_table(_write(tmp_path / "d.csv", "i,f,z,label\n1,0.50,007,a\n,,,b\n3,1.25,010,a\n"))
    assert frame["i"].dtype == "Int64" and frame["i"].isna().tolist() == [False, True, False]
    assert frame["f"].dtype == np.float64 and frame["f"].isna().sum() == 1
    assert frame["z"].tolist()[::2] == ["007", "010"]


@pytest.mark.parametrize("labels, expected", [
    (["0", "1", "1"], [0, 1, 1]),  # integer class codes stay integers
    (["-1", "1", "1"], [-1, 1, 1]),
    (["007", "7", "7"], ["007", "7", "7"]),  # two classes, not one
    (["+1", "1", "1"], ["+1", "1", "1"]),
    (["1.0", "2.0", "2.0"], ["1.0", "2.0", "2.0"]),  # as floats both would print differently
    (["True", "False", "True"], [True, False, True]),
])
def test_labels_are_text_unless_written_as_plain_integers(tmp_path, labels, expected):
    body = "".join(f"{i},{label}\n" for i, label in enumerate(labels))
    path = _write(tmp_path / "d.csv", "a,grade\n" + body)
    assert read_table(path, target="grade")["grade"].tolist() == expected
    _, y, _ = load_dataset(path, target="grade")
    assert y.tolist() == expected
    assert read_table(path)["a"].dtype == np.int64


def test_an_auto_detected_target_is_typed_as_labels(tmp_path):
    path = _write(tmp_path / "d.csv", "a,label\n1,1.0\n2,2.0\n")
    assert read_table(path)["label"].tolist() == ["1.0", "2.0"]
    assert read_table(path, target="a")["label"].tolist() == [1.0, 2.0]  # not the target: a feature


@pytest.mark.parametrize("cells, places", [
    (["0.50", "0.4", "1"], 2), (["1e3", "2"], 0), (["1.5e-05", "2"], 6), (["1.25E1"], 1),
    (["12.000"], 3), ([".5"], 1), (["5."], 0), ([], 0),
    # Excel's scientific notation: a zero's mantissa digits are no decimals (it gave every value 2)
    (["2.50E+04", "3.00E+03", "0.00E+00"], 0), (["0.00E+00"], 0), (["0.00", "1e3"], 2),
])
def test_decimals_written_in_a_column(cells, places):
    assert csv_decimals(pd.Series(cells, dtype=object)) == places


def _synthetic(frame, **columns):
    rows = pd.DataFrame({name: frame[name].iloc[[0, 0]].tolist() for name in frame.columns})
    for name, values in columns.items():
        rows[name] = pd.Series(values)
    return rows


def test_synthetic_numbers_written_as_the_real_ones(tmp_path):
    text = "f,i,e,label\n0.50,3,1.5e-05,a\n0.25,4,2e-05,b\n"
    frame, source = read_table_source(_write(tmp_path / "in.csv", text))
    synthetic = pd.DataFrame({"f": [0.123456789, -0.0012], "i": np.array([7, 9007199254740993]),
                              "e": [0.0000123456, 1e-9], "label": ["a", "b"]})
    write_augmented_table(frame, synthetic, tmp_path / "out.csv", source=source)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[:3] == text.splitlines()
    # floats rounded to the decimals written in their column (no -0.00), in plain notation;
    # integers as integers, exactly
    assert lines[3:] == ["0.12,7,0.000012,a", "0.00,9007199254740993,0.000000,b"]


@pytest.mark.parametrize("text, na_values, written", [
    ("v,c,label\n0.5,?,a\n?,red,b\n", "?", "?,?,a"),  # the file's one spelling of missing
    ("v,c,label\n0.5,?,a\n,red,b\n", "?", ",?,a"),  # each column's own spelling
    ("v,c,label\n0.5,?,a\n-,-,b\n", ["?", "-"], "-,,a"),  # two in a column: the empty cell
    ("v,c,label\n?,red,a\n0.5,-,b\n", ["?", "-"], "?,-,a"),  # one in each column (both were empty)
    ("v,c,label\n0.5,,a\n,red,b\n", "?", ",,a"),  # '?' named but never used: the empty cell
    ("v,c,label\n0.5,,a\n,red,b\n", None, ",,a"),
])
def test_synthetic_missing_cells_are_spelt_as_the_file_spells_them(tmp_path, text, na_values, written):
    # Were always empty: a file that wrote '?' for missing then spelt it two ways once augmented.
    frame, source = read_table_source(_write(tmp_path / "in.csv", text), na_values=na_values)
    write_augmented_table(frame, _synthetic(frame, v=[np.nan, np.nan], c=[np.nan, np.nan]), tmp_path / "out.csv",
                          source=source)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[:3] == text.splitlines() and lines[3:] == [written, written]
    again = read_table(tmp_path / "out.csv", na_values=na_values)
    assert again.iloc[3:][["v", "c"]].isna().all().all()


def test_augmented_csv_copies_crlf_quotes_bom_and_blank_lines(tmp_path):
    text = ('\ufeffzip,note,v,label\r\n02139,"a, ""b""\r\nc",0.50,x\r\n\r\n'
            '00501,NA,0.25,y\r\n   \r\n10001,plain,1.00,x').encode()  # no final line ending
    path = tmp_path / "in.csv"
    path.write_bytes(text)
    frame, source = read_table_source(path)
    assert len(frame) == 3 and frame["note"].iloc[0] == 'a, "b"\r\nc' and frame["v"].dtype == np.float64
    write_augmented_table(frame, _synthetic(frame, v=[0.3333, 2.0]), tmp_path / "out.csv", source=source)
    written = (tmp_path / "out.csv").read_bytes()
    assert written.startswith(text + b"\r\n")  # every real byte, then the file's own line ending
    assert written[len(text) + 2:] == b"02139,\"a, \"\"b\"\"\r\nc\",0.33,x\r\n02139,\"a, \"\"b\"\"\r\nc\",2.00,x\r\n"
    assert path.read_bytes() == text  # the input is untouched


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_augmented_numbers_keep_their_full_precision_unless_rounded_as_the_source_writes_them(tmp_path, suffix):
    # round_to_observed=False (--no-rounding) kept the generator's precision in the model, but the
    # writer rounded the synthetic values to the source's decimals all the same.
    path = tmp_path / "in.csv"
    path.write_text("v,n,label\n0.50,1,x\n0.25,2,y\n")
    frame, source = read_table_source(path)
    synthetic = _synthetic(frame, v=[1 / 3, 2.0], n=[5, 6])
    for round_numbers, expected in ((True, [0.33, 2.0]), (False, [1 / 3, 2.0])):
        out = tmp_path / f"out_{round_numbers}{suffix}"
        write_augmented_table(frame, synthetic, out, source=source, round_numbers=round_numbers)
        written = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        assert written["v"].tolist()[2:] == expected and written["n"].tolist()[2:] == [5, 6]
    if suffix == ".csv":
        assert (tmp_path / "out_False.csv").read_text().endswith("\n0.3333333333333333,5,x\n2.0,6,x\n")


def test_augmented_csv_with_marker_appends_to_each_real_line(tmp_path):
    text = 'a,note,label\r\n1,"two\r\nlines",x\r\n\r\n2,plain,y'.encode()
    path = tmp_path / "in.csv"
    path.write_bytes(text)
    frame, source = read_table_source(path)
    write_augmented_table(frame, _synthetic(frame, a=[5, 6]), tmp_path / "out.csv", source=source,
                          mark_synthetic="is, synthetic")
    written = (tmp_path / "out.csv").read_bytes()
    assert written == ('a,note,label,"is, synthetic"\r\n1,"two\r\nlines",x,False\r\n\r\n2,plain,y,False\r\n'
                       '5,"two\r\nlines",x,True\r\n6,"two\r\nlines",x,True\r\n').encode()
    again = read_table(tmp_path / "out.csv")
    assert again["is, synthetic"].tolist() == [False, False, True, True]


@pytest.mark.parametrize("mark", [None, "syn"])
def test_a_file_spaced_after_its_commas_gets_synthetic_rows_spaced_alike_and_no_blank_rows(tmp_path, mark):
    # UCI Adult's style. We read "39, a" as "a" (skipinitialspace); pandas' default keeps " a". Synthetic
    # rows written "40,a" read back as a third spelling of the class, after the trailing blank lines.
    text = b"x, note, label\n1.5, two words, a\n2.5, b c, b\n\n\n"
    path = tmp_path / "in.csv"
    path.write_bytes(text)
    frame, source = read_table_source(path)
    assert frame["label"].tolist() == ["a", "b"] and source.spaced
    write_augmented_table(frame, _synthetic(frame, x=[7.25, 8.0]), tmp_path / "out.csv", source=source,
                          mark_synthetic=mark)
    written = (tmp_path / "out.csv").read_bytes()
    tag = (lambda value: f", {value}") if mark else (lambda value: "")
    assert written == (f"x, note, label{tag('syn')}\n1.5, two words, a{tag(False)}\n2.5, b c, b{tag(False)}\n"
                       f"7.2, two words, a{tag(True)}\n8.0, two words, a{tag(True)}\n").encode()
    plain = pd.read_csv(tmp_path / "out.csv")  # pandas' defaults: the spaces kept, one spelling per value
    assert plain[" label"].tolist() == [" a", " b", " a", " a"]
    assert read_table(tmp_path / "out.csv")["label"].tolist() == ["a", "b", "a", "a"]


@pytest.mark.parametrize("mark", [None, "syn"])
def test_a_file_that_spaces_only_some_fields_gets_synthetic_rows_spaced_field_by_field(tmp_path, mark):
    # UCI Adult as distributed: "39, State-gov,77516, Bachelors,13, ..., <=50K": the words after a
    # space, the numbers not. An empty cell is written empty, which pandas reads as missing.
    text = b"age,work,weight,label\n39, State-gov,77516, <=50K\n50,,83311, >50K\n"
    path = tmp_path / "in.csv"
    path.write_bytes(text)
    frame, source = read_table_source(path)
    assert frame["work"].tolist()[:1] == ["State-gov"] and frame["label"].tolist() == ["<=50K", ">50K"]
    synthetic = _synthetic(frame, age=[40, 41], weight=[1000, 2000])
    synthetic["work"] = ["Private", None]
    write_augmented_table(frame, synthetic, tmp_path / "out.csv", source=source, mark_synthetic=mark)
    tag = (lambda value: f", {value}") if mark else (lambda value: "")
    # The header is not spaced: the mark's name follows it ("label, syn" read back as " syn" by pandas).
    assert (tmp_path / "out.csv").read_bytes() == (
        f"age,work,weight,label{',syn' if mark else ''}\n"
        f"39, State-gov,77516, <=50K{tag(False)}\n50,,83311, >50K{tag(False)}\n"
        f"40, Private,1000, <=50K{tag(True)}\n41,,2000, <=50K{tag(True)}\n").encode()
    plain = pd.read_csv(tmp_path / "out.csv")  # pandas' defaults: one spelling of each label
    assert plain["label"].tolist() == [" <=50K", " >50K", " <=50K", " <=50K"]
    assert plain["work"].isna().tolist() == [False, True, False, True]
    assert ("syn" in plain.columns) == bool(mark)  # the name as written, without the data rows' space


def test_a_space_before_a_header_name_is_part_of_it_unless_every_name_follows_one(tmp_path):
    # "x, z,label" named its second column "z" (pandas and the file say " z"): sampled rows put
    # beside the real table by name made two half-empty columns.
    rows = "1,2,a\n3,4,b\n"
    assert list(read_table(_write(tmp_path / "one.csv", "x, z,label\n" + rows)).columns) == ["x", " z", "label"]
    assert list(pd.read_csv(tmp_path / "one.csv").columns) == ["x", " z", "label"]
    # Every name after the first spaced (UCI Adult's style): the space is the separator's.
    assert list(read_table(_write(tmp_path / "all.csv", "x, z, label\n" + rows)).columns) == ["x", "z", "label"]
    # A name of spaces alone is no name, as an empty one.
    with pytest.raises(DataValidationError, match=r"a column without a name in its header \(position 2"):
        read_table(_write(tmp_path / "blank.csv", "x,  ,label\n" + rows))
    # Missing values in such a column are missing (na_values were keyed by pandas' name "z", so the
    # column read as text holding "" and "?"), and a missing label is refused, not a class "".
    frame = read_table(_write(tmp_path / "na.csv", "x, z,label\n1,?,a\n2, 3,b\n3,,a\n"), na_values=["?"])
    assert str(frame[" z"].dtype) == "Int64" and frame[" z"].isna().tolist() == [True, False, True]
    # A column whose every value follows a space takes its name's space as the separator's, as its
    # values' ("--categorical col" named no column of "a, col,label" over "0, blue,r").
    frame = read_table(_write(tmp_path / "spaced.csv", "x, col,label\n1, blue,r\n2, red,s\n3, blue,r\n"))
    assert list(frame.columns) == ["x", "col", "label"] and frame["col"].tolist() == ["blue", "red", "blue"]
    with pytest.raises(DataValidationError, match=r"Target column ' label' .* 1 missing value"):
        load_dataset(_write(tmp_path / "label.csv", "x,z, label\n1,2,a\n2,3,\n3,4,a\n"))
    # ... and synthetic rows spell them as the column does ("?"; written empty, keyed by "z").
    frame, source = read_table_source(_write(tmp_path / "spelt.csv", "x, z,label\n1, ?,a\n2,3,b\n3, 4,a\n"),
                                      na_values=["?"])
    synthetic = frame.iloc[:1].copy()
    synthetic[" z"] = pd.NA
    write_augmented_table(frame, synthetic, tmp_path / "spelt_out.csv", source=source)
    assert (tmp_path / "spelt_out.csv").read_text().splitlines()[-1] == "1,?,a"
    # A quoted name after a space is read as quoted (its quotes were kept, and a separator inside
    # split it into two names).
    quoted = _write(tmp_path / "quoted.csv", 'id, "height, cm", "w",label\n1, "2.5",3,x\n2, "3.5",4,y\n')
    assert list(read_table(quoted).columns) == ["id", "height, cm", "w", "label"]
    # A line break inside such a name shifted the names after it ("weight" read as "cm"); a
    # separator before its closing quote made the file unreadable.
    broken = _write(tmp_path / "broken.csv", 'label, "height,cm\n(avg)",weight\na, 1.5,2\nb, 2.5,3\n')
    assert list(read_table(broken).columns) == ["label", "height,cm\n(avg)", "weight"]
    assert list(read_table(_write(tmp_path / "end.csv", 'x, "a,",label\n1,2,p\n2,3,q\n')).columns) == \
        ["x", "a,", "label"]
    with pytest.raises(DataValidationError, match=r"'x' at positions 1, 2"):
        read_table(_write(tmp_path / "twice.csv", "x, x,label\n1,2,a\n"))


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_separators_are_read_and_written_back_with_the_same(tmp_path, sep):
    # A comma inside a field needs no quotes when it is not the separator (1,5 in a European file).
    text = sep.join(["a", "note; x", "v", "label"]).replace("note; x", '"note; x"' if sep == ";" else "note; x")
    lines = [text, sep.join(["1", '"a|b"', "1,5", "x"]), sep.join(["2", "plain", "2,25", "y"])]
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    frame, source = read_table_source(path, sep=sep)
    assert list(frame.columns) == ["a", "note; x", "v", "label"] and frame["note; x"].iloc[0] == "a|b"
    assert frame["v"].tolist() == ["1,5", "2,25"]  # a decimal comma is text, kept as written
    write_augmented_table(frame, _synthetic(frame, a=[5, 6]), tmp_path / "out.csv", source=source, mark_synthetic="syn")
    written = (tmp_path / "out.csv").read_bytes()
    assert written.splitlines()[1:3] == [line.encode() + f"{sep}False".encode() for line in lines[1:]]
    again = read_table(tmp_path / "out.csv", sep=sep)
    assert again["a"].tolist() == [1, 2, 5, 6] and again["syn"].tolist() == [False, False, True, True]


def test_a_tsv_file_is_read_and_written_tab_separated(tmp_path):
    path = tmp_path / "in.tsv"
    path.write_text("a\tnote, with comma\tlabel\n1\tx, y\tp\n2\tz\tq\n")
    frame, source = read_table_source(path)
    assert list(frame.columns) == ["a", "note, with comma", "label"] and frame["a"].tolist() == [1, 2]
    write_augmented_table(frame, _synthetic(frame, a=[5, 6]), tmp_path / "out.tsv", source=source)
    assert read_table(tmp_path / "out.tsv")["a"].tolist() == [1, 2, 5, 6]
    write_table(frame, tmp_path / "new.tsv")  # a new table, e.g. from `sample`
    assert (tmp_path / "new.tsv").read_text().splitlines()[1] == "1\tx, y\tp"
    assert io.resolve_table_path(tmp_path / "in.tsv") == path


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_file_read_with_the_wrong_separator_says_which_to_pass(tmp_path, sep):
    path = tmp_path / "in.csv"
    path.write_text(sep.join(["a", "b", "label"]) + "\n" + sep.join(["1", "2", "x"]) + "\n")
    shown = "\\\\t" if sep == "\t" else sep
    with pytest.raises(DataValidationError, match=f"header holds .*: pass --sep '{shown}'"):
        read_table(path)


def test_augmented_parquet_from_csv_rounds_synthetic_floats(tmp_path):
    frame, source = read_table_source(_write(tmp_path / "in.csv", YEAST_LIKE))
    synthetic = _synthetic(frame, mcg=[0.123456, 0.98765])
    write_augmented_table(frame, synthetic, tmp_path / "out.parquet", source=source, mark_synthetic="syn")
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert back["mcg"].tolist() == [0.58, 0.43, 0.64, 0.5, 0.12, 0.99]
    assert back["syn"].tolist() == [False] * 4 + [True] * 2


def _arrow_table_pandas_would_change():
    """A parquet table written by pyarrow (no pandas metadata) of types pandas does not give back:
    NaN beside null in a float column, large_string, a dictionary of int32 indices."""
    pa = pytest.importorskip("pyarrow")
    return pa.table({
        "x": pa.array([0.5, float("nan"), None, 2.0], pa.float64()),
        "name": pa.array(["a", "b", None, "a"], pa.large_string()),
        "kind": pa.array(["u", "v", "u", "u"]).dictionary_encode(),  # int32 indices
        "small": pa.array([1, 2, None, 4], pa.int8()),
        "label": pa.array(["p", "q", "p", "q"], pa.string()),
    })


def _nan_and_null(column):
    pc = pytest.importorskip("pyarrow.compute")
    return column.is_null().to_pylist(), pc.is_nan(column).to_pylist()


def test_augmented_parquet_keeps_the_files_real_rows_and_types(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    table = _arrow_table_pandas_would_change()
    pq.write_table(table, tmp_path / "in.parquet")
    frame, source = read_table_source(tmp_path / "in.parquet")
    synthetic = frame.iloc[[0, 1]].reset_index(drop=True)
    synthetic["x"] = [np.nan, 3.5]  # a synthetic missing cell is a null, as pandas stores it
    write_augmented_table(frame, synthetic, tmp_path / "out.parquet", source=source, mark_synthetic="syn")
    back = pq.read_table(tmp_path / "out.parquet")
    assert back.schema.remove(back.schema.get_field_index("syn")) == table.schema  # no type changed
    real = back.slice(0, 4)
    assert _nan_and_null(real["x"]) == _nan_and_null(table["x"]) == ([False, False, True, False],
                                                                      [False, True, None, False])
    assert all(real[name].equals(table[name]) for name in ["name", "kind", "small", "label"])
    assert back.slice(4)["x"].to_pylist() == [None, 3.5] and back.slice(4)["name"].to_pylist() == ["a", "b"]
    assert back["syn"].to_pylist() == [False] * 4 + [True] * 2
    # Written through pandas (as before), the NaN became a null and the types changed.
    write_augmented_table(frame, synthetic, tmp_path / "pandas.parquet")
    via_pandas = pq.read_table(tmp_path / "pandas.parquet")
    assert via_pandas.slice(0, 4)["x"].null_count == 2 and via_pandas.schema != table.schema


def test_augmented_parquet_of_a_filtered_frame_leaves_its_row_numbers_out_as_before(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    frame = pd.DataFrame({"a": [0.5, 1.5, 2.5, 3.5], "label": ["p", "q", "p", "q"]}).iloc[[0, 2, 3]]
    frame.to_parquet(tmp_path / "in.parquet")  # pandas stores the index 0, 2, 3 as a column
    assert "__index_level_0__" in pq.read_schema(tmp_path / "in.parquet").names
    real, source = read_table_source(tmp_path / "in.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # written from the file's table, not through pandas
        write_augmented_table(real, real.iloc[[1]], tmp_path / "out.parquet", source=source)
    assert pq.read_schema(tmp_path / "out.parquet").names == ["a", "label"]
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert back["a"].tolist() == [0.5, 2.5, 3.5, 2.5] and back.index.equals(pd.RangeIndex(4))


def test_augmented_parquet_writes_a_missing_synthetic_float_as_the_column_writes_its_own(tmp_path):
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    nan = float("nan")
    schema = pa.schema([pa.field("declared", pa.float64(), nullable=False), pa.field("spelt_nan", pa.float32()),
                        pa.field("spelt_null", pa.float64()), pa.field("label", pa.string())])
    pq.write_table(pa.table({"declared": [1.0, nan, 3.0], "spelt_nan": pa.array([nan, 2.0, 3.0], pa.float32()),
                             "spelt_null": [None, 2.0, 3.0], "label": ["a", "a", "b"]}, schema=schema),
                   tmp_path / "in.parquet")
    real, source = read_table_source(tmp_path / "in.parquet")
    synthetic = pd.DataFrame({"declared": [nan], "spelt_nan": [nan], "spelt_null": [nan], "label": ["b"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback to pandas, and no failure after the fit (non-nullable)
        write_augmented_table(real, synthetic, tmp_path / "out.parquet", source=source)
    back = pq.read_table(tmp_path / "out.parquet")
    assert back.schema == schema
    assert [_nan_and_null(back[name].slice(3)) for name in ("declared", "spelt_nan", "spelt_null")] == [
        ([False], [True]), ([False], [True]), ([True], [None])]


def test_augmented_parquet_of_integer_column_names_marked_reads_back_in_pandas(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({0: [0.5, 1.5, 2.5], 1: ["p", "q", "q"]})
    frame.to_parquet(tmp_path / "in.parquet")
    real, source = read_table_source(tmp_path / "in.parquet")
    assert real.columns.tolist() == [0, 1]
    write_augmented_table(real, real.iloc[[0]], tmp_path / "plain.parquet", source=source)
    assert pd.read_parquet(tmp_path / "plain.parquet").columns.tolist() == [0, 1]  # names as they were
    write_augmented_table(real, real.iloc[[0]], tmp_path / "marked.parquet", source=source, mark_synthetic="syn")
    back = pd.read_parquet(tmp_path / "marked.parquet")  # failed: 'syn' read as an integer name
    assert back.columns.tolist() == ["0", "1", "syn"]  # as pandas writes names of two types: as text
    assert back["syn"].tolist() == [False] * 3 + [True]
    with pytest.raises(DataValidationError, match="mark_synthetic='1' is already a column of the table"):
        write_augmented_table(real, real.iloc[[0]], tmp_path / "clash.parquet", source=source, mark_synthetic="1")
    assert not (tmp_path / "clash.parquet").exists()


def test_augmented_parquet_of_synthetic_values_beyond_a_float_type_falls_back_naming_the_column(tmp_path):
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"h": pa.array(np.array([1.0, 2.0], np.float16)), "label": ["a", "b"]}),
                   tmp_path / "in.parquet")
    real, source = read_table_source(tmp_path / "in.parquet")
    synthetic = pd.DataFrame({"h": [70000.0], "label": ["b"]})  # from a model fitted on other data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_augmented_table(real, synthetic, tmp_path / "out.parquet", source=source)
    assert len(caught) == 1 and re.match(r"The synthetic values of column 'h' do not fit its type in .*in\.parquet "
                                         r"\(halffloat: a synthetic value is beyond the type's range\)",
                                         str(caught[0].message))
    assert pd.read_parquet(tmp_path / "out.parquet")["h"].tolist() == [1.0, 2.0, 70000.0]  # not inf


def test_augmented_parquet_whose_synthetic_values_do_not_fit_is_written_through_pandas(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(_arrow_table_pandas_would_change(), tmp_path / "in.parquet")
    frame, source = read_table_source(tmp_path / "in.parquet")
    synthetic = frame.iloc[[0]].reset_index(drop=True).astype({"small": "Int64"})
    synthetic["small"] = [1000]  # beyond the file's int8 (e.g. from a model fitted on other data)
    with pytest.warns(UserWarning, match=r"synthetic values of column 'small' do not fit its type in .*in\.parquet "
                                         r"\(int8: .*\); all rows are written as pandas stores them"):
        write_augmented_table(frame, synthetic, tmp_path / "out.parquet", source=source)
    assert pd.read_parquet(tmp_path / "out.parquet")["small"].tolist() == [1, 2, pd.NA, 4, 1000]


def test_unmatched_lines_fall_back_to_the_frame_with_a_warning(tmp_path):
    frame, source = read_table_source(_write(tmp_path / "in.csv", "a,label\n0.50,x\n"))
    unmatched = io.CsvSource(path=source.path, data=source.data, decimals=source.decimals,
                             newline=source.newline, content_ends=None, line_ends=None)
    with pytest.warns(UserWarning, match="in.csv are written as parsed, not copied byte for byte"):
        write_augmented_table(frame, frame, tmp_path / "out.csv", source=unmatched)
    assert (tmp_path / "out.csv").read_text() == "a,label\n0.5,x\n0.50,x\n"


def test_a_tab_separated_row_of_blank_cells_is_a_row_and_the_real_lines_are_copied(tmp_path):
    # "\t " was taken for a blank line (pandas reads it as a row): the lines no longer matched the
    # rows, the real rows were written from the frame without the space after the tab, and synthetic
    # "blue" (written after "\t ") read back as " blue" beside the real "blue".
    text = b"c0\tc1\nx\t red\ny\t blue\n\t \nz\t red\n"
    path = tmp_path / "r.tsv"
    path.write_bytes(text)
    real, source = read_table_source(path, sep="\t")
    assert len(real) == 4 and source.content_ends is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # copied byte for byte: no fallback warning
        write_augmented_table(real, pd.DataFrame({"c0": ["x"], "c1": ["blue"]}), tmp_path / "o.tsv", source=source)
    assert (tmp_path / "o.tsv").read_bytes() == text + b"x\t blue\n"
    assert read_table(tmp_path / "o.tsv", sep="\t")["c1"].tolist() == ["red", "blue", np.nan, "red", "blue"]


def test_synthetic_rows_follow_real_rows_written_from_the_frame(tmp_path):
    # The fallback writes the real rows as pandas does, with no space after the separator; the
    # synthetic ones kept the source's space, and read back spelled another way.
    frame, source = read_table_source(_write(tmp_path / "in.csv", "a, label\n1, x\n2, y\n"))
    unmatched = io.CsvSource(path=source.path, data=source.data, decimals=source.decimals, newline=source.newline,
                             content_ends=None, line_ends=None, spaced=source.spaced)
    assert source.spaced
    with pytest.warns(UserWarning, match="written as parsed"):
        write_augmented_table(frame, frame.iloc[[1]], tmp_path / "out.csv", source=unmatched)
    assert (tmp_path / "out.csv").read_text() == "a,label\n1,x\n2,y\n2,y\n"


def test_a_short_row_gets_its_mark_in_the_mark_column(tmp_path):
    # "b,0.5" has fewer fields than the header (pandas reads x2 as missing): its ",False" landed in
    # x2, read back as the text "False", with the mark missing.
    path = _write(tmp_path / "t.csv", "label,x1,x2\na,0.1,q\n\nb,0.5\n")
    real, source = read_table_source(path)
    write_augmented_table(real, real.iloc[[0]], tmp_path / "o.csv", source=source, mark_synthetic="syn")
    assert (tmp_path / "o.csv").read_text() == "label,x1,x2,syn\na,0.1,q,False\n\nb,0.5,,False\na,0.1,q,True\n"
    back = read_table(tmp_path / "o.csv")
    assert back["syn"].tolist() == [False, False, True] and back["x2"].isna().tolist() == [False, True, False]
    # Fields counted as pandas reads them: after a separator's space a quote opens a field (one cell
    # over two lines, a separator inside quotes), and a BOM and blank lines before the header are none.
    for text, short in ((b'a, b, t\n1, "x\ny", A\n2, 3, B\n', ()), (b'a, b, c, t\n1, "p,q", A\n2, 3, 4, B\n', (0,)),
                        (b"\xef\xbb\xbf\na,b,c,t\n1,2,A\n3,4,5,B\n", (0,))):
        (tmp_path / "s.csv").write_bytes(text)
        real, source = read_table_source(tmp_path / "s.csv", target="t")
        write_augmented_table(real, real.iloc[:0], tmp_path / "o.csv", source=source, mark_synthetic="syn", force=True)
        back = read_table(tmp_path / "o.csv", target="t")
        assert back["syn"].tolist() == [False, False]
        pd.testing.assert_frame_equal(back.drop(columns="syn"), real)
        assert [i for i in range(2) if real.iloc[i].isna().any()] == list(short)


def test_source_bytes_are_the_bytes_parsed(tmp_path):
    # The copy comes from the bytes read, so an edit of the file during training cannot slip in.
    path = _write(tmp_path / "in.csv", "a,label\n1,x\n")
    frame, source = read_table_source(path)
    path.write_text("a,label\n2,x\n")
    write_augmented_table(frame, frame.iloc[:0], tmp_path / "out.csv", source=source)
    assert (tmp_path / "out.csv").read_text() == "a,label\n1,x\n"


def test_no_clobber_is_decided_when_the_file_is_placed(tmp_path, monkeypatch):
    # Another writer creates the output after our existence check: it is kept, not replaced.
    out = tmp_path / "out.csv"
    real_check = io.check_output_path

    def check_then_race(path, *, force=False):
        kind = real_check(path, force=force)
        out.write_text("theirs\n")
        return kind

    monkeypatch.setattr(io, "check_output_path", check_then_race)
    with pytest.raises(FileExistsError):
        write_table(_frame(), out)
    assert out.read_text() == "theirs\n" and os.listdir(tmp_path) == ["out.csv"]


def test_leading_spaces_in_only_some_cells_of_a_column_are_values_and_augment_keeps_them(tmp_path):
    # " rare " beside "common", " red" beside "red": the space belongs to the value. Read as part of
    # the separator, " rare " became "rare " (the synthetic rows' spelling) while the real lines
    # copied byte for byte kept " rare ": one class written two ways, and " red" merged into "red".
    text = b"x,colour,label\n1.0, red,common\n2.0,red, rare \n3.0,red,common\n4.0, red, rare \n"
    path = tmp_path / "in.csv"
    path.write_bytes(text)
    frame, source = read_table_source(path)
    assert frame["label"].tolist() == ["common", " rare ", "common", " rare "]
    assert frame["colour"].tolist() == [" red", "red", "red", " red"]
    synthetic = _synthetic(frame, x=[5.0, 6.0])
    synthetic["label"], synthetic["colour"] = " rare ", [" red", "red"]
    write_augmented_table(frame, synthetic, tmp_path / "out.csv", source=source)
    assert (tmp_path / "out.csv").read_bytes().startswith(text)
    for again in (pd.read_csv(tmp_path / "out.csv"), read_table(tmp_path / "out.csv")):  # any reader, one spelling
        assert again["label"].tolist() == ["common", " rare ", "common", " rare ", " rare ", " rare "]
        assert again["colour"].tolist()[-2:] == [" red", "red"]
    # Where every cell follows a space (UCI Adult), it is the separator's, as before; numbers never keep one.
    path.write_bytes(b"x,label\n 1.5, a\n2.5, b\n")
    frame = read_table(path)
    assert frame["label"].tolist() == ["a", "b"] and frame["x"].tolist() == [1.5, 2.5]


@pytest.mark.parametrize("sep", [",", "\t"])
def test_quoted_leading_spaces_are_values_and_synthetic_cells_keep_them_quoted(tmp_path, sep):
    # A quoted " yes" was written bare after the separator (a reader skipping spaces there read
    # "yes", a third class), and a column quoted " red" in every cell made the file look spaced
    # after its separators: synthetic cells went out as `, " red"`, which pandas reads with quotes.
    lines = ['x{0}colour{0}label', '1{0}" red"{0}no', '2{0}" blue"{0}" yes"', '3{0}" red"{0}no', '4{0}" blue"{0}" yes"']
    text = ("\n".join(line.format(sep) for line in lines) + "\n").encode()
    path = tmp_path / "in.csv"
    path.write_bytes(text)
    frame, source = read_table_source(path, sep=sep)
    assert frame["label"].tolist() == ["no", " yes", "no", " yes"] and set(frame["colour"]) == {" red", " blue"}
    synthetic = _synthetic(frame, x=[5, 6])
    synthetic["label"], synthetic["colour"] = " yes", [" red", " blue"]
    write_augmented_table(frame, synthetic, tmp_path / "out.csv", source=source, mark_synthetic="is_synthetic")
    written = (tmp_path / "out.csv").read_bytes()
    assert written.splitlines()[0] == f"x{sep}colour{sep}label{sep}is_synthetic".encode()
    assert written.splitlines()[-1] == f'6{sep}" blue"{sep}" yes"{sep}True'.encode()
    for again in (pd.read_csv(tmp_path / "out.csv", sep=sep), read_table(tmp_path / "out.csv", sep=sep),
                  pd.read_csv(tmp_path / "out.csv", sep=sep, skipinitialspace=True)):  # any reader, one spelling
        assert again["label"].tolist() == ["no", " yes", "no", " yes", " yes", " yes"]
        assert again["colour"].tolist()[-2:] == [" red", " blue"]
    # Every name after the first quoted with a space of its own: the header is not spaced either.
    path.write_bytes(b'x," c"," label"\n1," a",u\n2," b",v\n3," a",u\n')
    frame, source = read_table_source(path)
    write_augmented_table(frame, _synthetic(frame), tmp_path / "out.csv", source=source, force=True,
                          mark_synthetic="is_synthetic")
    assert (tmp_path / "out.csv").read_bytes().splitlines()[0] == b'x," c"," label",is_synthetic'


def test_spaces_alone_and_the_first_fields_leading_spaces_are_values_where_a_column_mixes_them(tmp_path):
    # A cell of spaces alone was read as an empty, missing cell (synthetic rows then wrote empty
    # cells), and " red" in the first field merged into "red" when no other field had a space after
    # its separator: the real lines kept " red" and the synthetic ones wrote "red".
    path = tmp_path / "in.csv"
    path.write_bytes(b"colour,size,label\n red,x,a\nred, ,b\n red,  ,a\nred,y,b\n")
    frame, source = read_table_source(path)
    assert frame["colour"].tolist() == [" red", "red", " red", "red"]
    assert frame["size"].tolist() == ["x", " ", "  ", "y"]
    synthetic = frame.iloc[[0, 2]].reset_index(drop=True)
    write_augmented_table(frame, synthetic, tmp_path / "out.csv", source=source)
    again = read_table(tmp_path / "out.csv")
    assert again["colour"].tolist()[-2:] == [" red", " red"] and again["size"].tolist()[-2:] == ["x", "  "]
    path.write_bytes(b"a,b,label\n1,x,p\n2, ?,q\n3,y,p\n")  # a missing-value word after ", " stays missing
    assert read_table(path, na_values=["?"])["b"].isna().tolist() == [False, True, False]
    path.write_bytes(b"colour,label\n red,a\nred,b\n")  # no space after any separator
    assert read_table(path)["colour"].tolist() == [" red", "red"]
    # Where every value of a column follows the separator and a space (UCI Adult), an empty cell after
    # it is missing, as before.
    path.write_bytes(b"x,label\n 1.5, a\n2.5, \n3.5, b\n")
    assert read_table(path)["label"].isna().tolist() == [False, True, False]


def test_a_column_whose_leading_spaces_change_after_the_first_rows_keeps_one_spelling(tmp_path):
    # The first 50 rows all wrote ", red", so the separator was taken to carry a space there, while
    # the whole column said the space is the value's: synthetic " red" came out as `, " red"`, which
    # reads back neither way, and the real rows' " red" then read as "red" beside a quoted " red".
    rows = [f"{i}, red,{'ab'[i % 2]}" for i in range(60)] + [f"{i},blue,{'ab'[i % 2]}" for i in range(60, 120)]
    text = ("n,color,label\n" + "\n".join(rows) + "\n").encode()
    path = tmp_path / "in.csv"
    path.write_bytes(text)
    frame, source = read_table_source(path)
    assert set(frame["color"]) == {" red", "blue"}
    synthetic = frame.iloc[[0, 60, 1]].reset_index(drop=True)
    write_augmented_table(frame, synthetic, tmp_path / "out.csv", source=source)
    written = (tmp_path / "out.csv").read_bytes()
    assert written.startswith(text) and written[len(text):] == b"0, red,a\n60,blue,a\n1, red,b\n"
    for again in (pd.read_csv(tmp_path / "out.csv"), read_table(tmp_path / "out.csv")):
        assert again["color"].tolist() == frame["color"].tolist() + [" red", "blue", " red"]


def test_real_lines_are_not_copied_into_a_file_whose_suffix_says_another_separator(tmp_path):
    # The real lines keep their separator: commas in a .tsv would not read back (a .tsv is read
    # tab-separated), nor tabs in a .csv. A ';' file stays a .csv.
    for name, text, out, fitting in (("in.csv", b"a,label\n1,x\n", "a.tsv", "a.csv"),
                                     ("in.tsv", b"a\tlabel\n1\tx\n", "b.csv", "b.tsv")):
        (tmp_path / name).write_bytes(text)
        frame, source = read_table_source(tmp_path / name)
        with pytest.raises(DataValidationError, match=rf"{out}: .*separated by .*Name the output {fitting}"):
            write_augmented_table(frame, frame.iloc[:0], tmp_path / out, source=source)
        assert not (tmp_path / out).exists()
        write_augmented_table(frame, frame.iloc[:0], tmp_path / fitting, source=source)
        assert read_table(tmp_path / fitting).equals(frame)
    (tmp_path / "semi.csv").write_bytes(b"a;label\n1;x\n")
    frame, source = read_table_source(tmp_path / "semi.csv", sep=";")
    write_augmented_table(frame, frame.iloc[:0], tmp_path / "semi_out.csv", source=source)
    assert (tmp_path / "semi_out.csv").read_bytes() == b"a;label\n1;x\n"


def test_synthetic_numbers_carry_no_digits_past_what_a_float_holds(tmp_path):
    # A column written with 19 decimals in one cell: f"{v:.19f}" wrote 3.118803030729321 as
    # 3.1188030307293210797, digits that are the float's binary noise, not the value's.
    path = tmp_path / "in.csv"
    path.write_bytes(b"x,label\n0.1234567890123456789,a\n1.5,b\n")
    frame, source = read_table_source(path)
    write_augmented_table(frame, _synthetic(frame, x=[3.118803030729321, 0.25]), tmp_path / "out.csv", source=source)
    cells = (tmp_path / "out.csv").read_text().splitlines()[-2:]
    assert cells == ["3.1188030307293210000,a", "0.2500000000000000000,a"]
    assert read_table(tmp_path / "out.csv")["x"].tolist()[-2:] == [3.118803030729321, 0.25]


def test_load_dataset_of_an_image_folder_says_what_reads_one(tmp_path):
    from PIL import Image

    (tmp_path / "cats").mkdir()
    Image.new("L", (4, 4)).save(tmp_path / "cats" / "1.png")
    with pytest.raises(DataValidationError, match=r"holds no data file.*sub-folders hold images: read an image folder "
                                                  r"with gan_augment\.data\.image_folder\.read_image_folder"):
        load_dataset(tmp_path)


def test_class_folders_of_images_in_a_format_not_read_are_named_with_what_to_do(tmp_path):
    # A folder of a phone's HEIC photos was "a directory holding no data file (.csv/...)", about tables.
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
        for i in range(3):
            (tmp_path / name / f"IMG_{i}.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic")
    with pytest.raises(DataValidationError, match=r"holds no data file.*Its sub-folders hold 6 \.heic images, a format "
                                                  r"gan-augment does not read: convert them to PNG or JPEG to use "
                                                  r"them\.$"):
        load_dataset(tmp_path)


def test_the_line_ending_of_a_file_is_not_taken_from_inside_a_quoted_header_cell(tmp_path):
    # A header cell holding CRLF in an LF file: synthetic rows were written with CRLF.
    from gan_augment.data.io import read_table_source, write_augmented_table

    path = tmp_path / "d.csv"
    path.write_bytes(b'x,"col\r\nor",label\n1,2,a\n3,4,b\n5,6,a\n')
    real, source = read_table_source(path)
    assert source.newline == b"\n"
    write_augmented_table(real, real.iloc[:1], tmp_path / "out.csv", source=source)
    assert (tmp_path / "out.csv").read_bytes().endswith(b"1,2,a\n")


@pytest.mark.parametrize("cells, sep, how, fix", [
    (['"4,505,951"', '"5,427,826"', '"950"'], ",", "commas that group thousands", "thousands=','\\)"),
    (['"77,529.91"', '"1,250.5"', '"12.5"'], ",", "commas that group thousands", "thousands=','\\)"),
    (["67.407,80", "1.250,5", "12,5"], ";", "points that group thousands and a decimal comma",
     "thousands='.', decimal=','\\)"),
])
def test_numbers_with_separators_between_thousands_are_pointed_out(tmp_path, cells, sep, how, fix):
    # Only "2,629" (one group, no decimals) was recognised: millions and decimals were called IDs.
    rows = "".join(f"{cell}{sep}{label}\n" for cell, label in zip(cells * 3, "ababababa"))
    path = _write(tmp_path / "d.csv", f"amount{sep}label\n{rows}")
    with pytest.warns(UserWarning, match=rf"Column 'amount' of .*d.csv holds numbers written with {how} "
                                         rf"\('.*'\): it is read as text.*read_csv\(path, sep='{sep}', {fix}"):
        read_table(path, sep=sep)


def test_a_field_longer_than_the_csv_modules_limit_is_read_as_pandas_reads_it(tmp_path):
    # The csv module's 131,072-character limit on a field failed the reading hints ("field larger than
    # field limit"), and after training the marking of synthetic rows; pandas has no such limit.
    import csv

    long = "z" * 140_000
    path = _write(tmp_path / "d.csv", f'note,v,label\n"{long}",1,a\nshort,2,b\n"{long}, quoted",3,a\n')
    limit = csv.field_size_limit()
    frame, source = read_table_source(path)
    assert frame["note"].tolist() == [long, "short", f"{long}, quoted"]
    synthetic = _synthetic(frame, v=[4, 5])
    write_augmented_table(frame, synthetic, tmp_path / "out.csv", source=source, mark_synthetic="syn")
    assert read_table(tmp_path / "out.csv")["syn"].tolist() == [False, False, False, True, True]
    assert csv.field_size_limit() == limit  # the process's own limit is put back


def test_a_separator_of_more_than_one_byte_is_read_as_pandas_python_engine_reads_it(tmp_path, monkeypatch):
    # '§' is one character of two UTF-8 bytes: pandas' C parser fell back to its Python engine with
    # a ParserWarning, which the reader turned into "a row has more fields".
    path = _write(tmp_path / "d.csv", "a§b§label\n1.5§x§u\n2.5§y§v\n3.5§x, y§u\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame, source = read_table_source(path, sep="§")
    assert frame["b"].tolist() == ["x", "y", "x, y"] and frame["a"].tolist() == [1.5, 2.5, 3.5]
    write_augmented_table(frame, _synthetic(frame, a=[4.5, 5.5]), tmp_path / "out.csv", source=source,
                          mark_synthetic="syn")
    assert (tmp_path / "out.csv").read_text().splitlines()[0] == "a§b§label§syn"
    with pytest.raises(DataValidationError, match=r"line 2 has 4 fields, but the header names 3 columns"):
        read_table(_write(tmp_path / "e.csv", "a§b§label\n1.5§x§u§extra\n2.5§y§v\n"), sep="§")
    engines = []
    read_csv = pd.read_csv

    def recording(*args, **kwargs):
        engines.append(kwargs.get("engine"))
        return read_csv(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", recording)
    read_table(_write(tmp_path / "g.csv", "a,b,label\n1.5,x,u\n"))
    assert set(engines) == {None}  # a one-byte separator keeps pandas' (fast) C parser
    long = "z" * 140_000  # the Python engine reads with the csv module, and its limit on a field
    assert read_table(_write(tmp_path / "f.csv", f"a§b§label\n1.5§{long}§u\n"), sep="§")["b"].tolist() == [long]
    # Every read of the file: the cells' missing spellings, and cells written after a space.
    path = _write(tmp_path / "h.csv", f"a§b§label\n?§{long}§u\n1.5§ x§v\n2.5§x§u\n")
    frame, _ = read_table_source(path, sep="§", na_values=["?"])
    assert frame["a"].isna().tolist() == [True, False, False] and frame["b"].tolist() == [long, " x", "x"]



def test_a_model_folder_given_as_data_is_called_a_model():
    # "holds no data file (.csv/...)": the user had given the model where the data goes.
    import tempfile

    from gan_augment import GANAugmenter

    X = pd.DataFrame({"x": np.arange(40.0)})
    y = np.array(["a"] * 30 + ["b"] * 10)
    with tempfile.TemporaryDirectory() as folder:
        model = GANAugmenter(epochs=1, batch_size=32, n_threads=1, random_state=0).fit(X, y).save(Path(folder) / "m")
        with pytest.raises(DataValidationError, match=r"m is a gan-augment model, not data: give the table or image "
                                                      r"folder to read\. To use the model, pass it as --model"):
            read_table(model)
        (model / "notes.txt").write_text("mine")  # a user's file beside it: still a model
        with pytest.raises(DataValidationError, match="is a gan-augment model, not data"):
            read_table(model)
        checkpoints = Path(folder) / "ck"  # written as model.json too: told by its header
        GANAugmenter(epochs=2, batch_size=32, n_threads=1, random_state=0, checkpoint_dir=checkpoints,
                     checkpoint_every=1).fit(X, y)
        with pytest.raises(DataValidationError, match=r"ck is a gan-augment checkpoint, not data.*--resume"):
            read_table(checkpoints)



def test_a_parquet_file_with_columns_of_several_levels_is_refused_when_read(tmp_path):
    # Read without complaint; the command line printed the top-up plan, then refused it in Python's words.
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({("f", "a"): np.arange(6.0), ("t", "label"): ["a"] * 4 + ["b"] * 2})
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    frame.to_parquet(tmp_path / "levels.parquet")
    with pytest.raises(DataValidationError, match=r"levels\.parquet stores columns of several levels \(e\.g\. "
                                                  r"\('f', 'a'\)\).*df\.columns = "):
        read_table(tmp_path / "levels.parquet")


def test_a_value_a_column_of_codes_holds_is_written_as_the_file_writes_it(tmp_path):
    # 428 and 401.9 were padded to the column's decimals (428.00, 401.90), texts the file never
    # holds; SMOTE's 428.0000001 is the same 428 once rounded. Values it does not hold are padded.
    from gan_augment.data.io import read_table_source, write_augmented_table

    (tmp_path / "d.csv").write_text("code,price,label\n428,3,a\n401.9,12.50,a\n428,3,b\n")
    real, source = read_table_source(tmp_path / "d.csv")
    synthetic = pd.DataFrame({"code": [428.0, 401.9, 428.0000001, 399.123], "price": [3.0, 12.5, 2.999999, 4.5],
                              "label": ["b"] * 4})
    write_augmented_table(real, synthetic, tmp_path / "out.csv", source=source)
    added = (tmp_path / "out.csv").read_text().splitlines()[4:]
    assert added == ["428,3,b", "401.9,12.50,b", "428,3,b", "399.1,4.50,b"]
