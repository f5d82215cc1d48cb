"""gan_augment.data.io: reading tables, finding the target, writing atomically."""

import os

import numpy as np
import pandas as pd
import pytest

from gan_augment.data.io import (
    TARGET_NAMES,
    check_output_path,
    find_target,
    load_dataset,
    read_table,
    resolve_classes,
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


def test_csv_options_bom_spaces_question_marks(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("\ufeffage, color, Label\n1, red, x\n2, ?, y\n3,, x\n".encode("utf-8"))
    X, y, target = load_dataset(path)
    assert target == "Label"  # case-insensitive auto-detection; the BOM does not stick to "age"
    assert list(X.columns) == ["age", "color"]
    assert X["age"].dtype == np.int64
    assert X["color"].iloc[0] == "red"  # the space after the comma is dropped
    assert X["color"].isna().tolist() == [False, True, True]
    assert y.tolist() == ["x", "y", "x"]


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


def test_target_with_missing_values_names_the_count(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,label\n1,x\n2,\n3,?\n4,y\n")
    with pytest.raises(DataValidationError, match="'label'.* 2 missing values of 4 rows"):
        load_dataset(path)


def test_classes_are_checked_with_suggestion(tmp_path):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    load_dataset(path, classes=["b"])
    with pytest.raises(DataValidationError, match="Did you mean 'b'"):
        load_dataset(path, classes=["a", "bb"])
    y = pd.Series(["cat", "dog", "bird", "dog"])
    assert resolve_classes(["cat,bird", "dog"], y) == ["cat", "bird", "dog"]
    assert resolve_classes(["1"], pd.Series([0, 1, 1])) == [1]


def test_parquet(tmp_path):
    frame = _frame()
    frame.to_parquet(tmp_path / "d.parquet", index=False)
    X, y, target = load_dataset(tmp_path / "d.parquet")
    pd.testing.assert_frame_equal(X, frame.drop(columns="label"))
    assert target == "label" and y.tolist() == frame["label"].tolist()


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


def test_write_table_bad_suffix_and_failed_write_keeps_original(tmp_path, monkeypatch):
    with pytest.raises(DataValidationError, match="suffix '.xlsx'"):
        write_table(_frame(), tmp_path / "out.xlsx")
    with pytest.raises(DataValidationError):
        check_output_path(tmp_path / "noext")
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
