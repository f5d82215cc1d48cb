"""The one file-safety module: atomic files, staged directories, the writable-parent check."""

from __future__ import annotations

import os

import pytest

from gan_augment import _fs
from gan_augment._fs import atomic_path, check_parent_writable, default_mode, staged_directory
from gan_augment.exceptions import DataValidationError


def _tree(root):
    """Every path under ``root`` (hidden ones included), relative, with file contents."""
    out = {}
    for path in sorted(root.rglob("*")):
        out[str(path.relative_to(root))] = path.read_bytes() if path.is_file() else None
    return out


def _old_folder(tmp_path):
    target = tmp_path / "out"
    (target / "sub").mkdir(parents=True)
    (target / "a.txt").write_text("old a")
    (target / "sub" / "b.txt").write_text("old b")
    return target


# ================================================================================ staged directory
def test_staged_directory_creates_the_folder_and_its_parents(tmp_path):
    target = tmp_path / "new" / "deeper" / "out"
    with staged_directory(target) as staging:
        assert staging.parent == target.parent and staging.name.startswith(".")
        assert not target.exists()  # nothing appears before the block is done
        (staging / "x.txt").write_text("x")
    assert _tree(tmp_path / "new") == {"deeper": None, "deeper/out": None, "deeper/out/x.txt": b"x"}
    assert os.stat(target).st_mode & 0o777 == default_mode(directory=True)


def test_staged_directory_replaces_an_existing_folder_and_leaves_no_temp_folder(tmp_path):
    target = _old_folder(tmp_path)
    with staged_directory(target) as staging:
        (staging / "new.txt").write_text("new")
    assert _tree(tmp_path) == {"out": None, "out/new.txt": b"new"}


def test_a_failure_while_writing_leaves_the_old_folder_intact_and_no_leftovers(tmp_path):
    target = _old_folder(tmp_path)
    before = _tree(tmp_path)
    with pytest.raises(RuntimeError, match="disk full"):
        with staged_directory(target) as staging:
            (staging / "half.txt").write_text("half")
            raise RuntimeError("disk full")
    assert _tree(tmp_path) == before


def test_a_failure_removes_the_parent_folders_it_created(tmp_path):
    with pytest.raises(RuntimeError):
        with staged_directory(tmp_path / "a" / "b" / "out"):
            raise RuntimeError("interrupted")
    assert _tree(tmp_path) == {}


def test_a_failed_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    target = _old_folder(tmp_path)
    before = _tree(tmp_path)
    rename = os.rename

    def failing_rename(src, dst):
        if ".partial" in str(src):  # the new folder moving into place
            raise OSError("rename failed")
        rename(src, dst)

    monkeypatch.setattr(_fs.os, "rename", failing_rename)
    with pytest.raises(OSError, match="rename failed"):
        with staged_directory(target) as staging:
            (staging / "new.txt").write_text("new")
    assert _tree(tmp_path) == before


def test_check_replace_may_refuse_and_then_nothing_changes(tmp_path):
    target = _old_folder(tmp_path)
    before = _tree(tmp_path)
    seen = []

    def refuse(path):
        seen.append(path)
        raise FileExistsError(f"{path} is not ours")

    with pytest.raises(FileExistsError, match="not ours"):
        with staged_directory(target, check_replace=refuse) as staging:
            (staging / "new.txt").write_text("new")
    assert seen == [target] and _tree(tmp_path) == before
    # An absent target needs no permission.
    with staged_directory(tmp_path / "fresh", check_replace=refuse) as staging:
        (staging / "new.txt").write_text("new")
    assert (tmp_path / "fresh" / "new.txt").read_text() == "new"


# ================================================================================ atomic files
def test_atomic_path_replaces_a_file_only_on_success(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temp:
            temp.write_text("half")
            raise RuntimeError("interrupted")
    assert _tree(tmp_path) == {"table.csv": b"old"}
    with atomic_path(path) as temp:
        temp.write_text("new")
    assert _tree(tmp_path) == {"table.csv": b"new"}
    assert os.stat(path).st_mode & 0o777 == default_mode()


# ================================================================================ writable check
def test_check_parent_writable_accepts_a_path_under_missing_folders(tmp_path):
    check_parent_writable(tmp_path / "a" / "b" / "out.csv")


def test_check_parent_writable_names_the_path_when_a_file_is_in_the_way(tmp_path):
    (tmp_path / "blocker").write_text("")
    path = tmp_path / "blocker" / "sub" / "out.csv"
    with pytest.raises(DataValidationError, match="is a file, not a directory") as info:
        check_parent_writable(path)
    assert str(path) in str(info.value) and str(tmp_path / "blocker") in str(info.value)


def test_check_parent_writable_names_the_path_without_permission(tmp_path, monkeypatch):
    # Faked: as root, os.access grants everything, so a chmod-ed folder would prove nothing.
    monkeypatch.setattr(_fs.os, "access", lambda path, mode: False)
    with pytest.raises(DataValidationError, match="no permission") as info:
        check_parent_writable(tmp_path / "out.csv")
    assert str(tmp_path / "out.csv") in str(info.value)
