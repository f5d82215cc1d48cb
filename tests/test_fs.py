"""The one file-safety module: atomic files, staged directories, the writable-parent check."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gan_augment import _fs
from gan_augment._fs import atomic_path, check_parent_writable, default_mode, staged_directory
from gan_augment.exceptions import DataValidationError


@pytest.fixture(autouse=True)
def _ctrl_c_raises():
    """Ctrl-C as a terminal gives it to Python: a shell's background job (``pytest &``) starts with
    SIGINT ignored, Python then installs no handler, and the tests' raise_signal did nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _tree(root):
    """Every path under ``root`` (hidden ones included), relative, with file contents."""
    out = {}
    for path in sorted(root.rglob("*")):
        out[str(path.relative_to(root))] = path.read_bytes() if path.is_file() else None
    return out


def _ctrl_c_while_deleting_the_trash(monkeypatch):
    """Make deleting a replaced folder's .trash stop as Ctrl-C would; returns the real rmtree."""
    rmtree = shutil.rmtree

    def interrupted_rmtree(path, *args, **kwargs):
        if ".trash-" in Path(path).name:
            raise KeyboardInterrupt
        return rmtree(path, *args, **kwargs)

    monkeypatch.setattr(_fs.shutil, "rmtree", interrupted_rmtree)
    return rmtree


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


@pytest.mark.parametrize("moment", [".old-", ".trash-"])
def test_ctrl_c_during_the_renames_of_a_replacement_waits_for_the_new_folder(tmp_path, monkeypatch, moment):
    # Ctrl-C as the old folder was renamed aside left no folder under the name (the command line
    # said it was unchanged); as it was renamed to its .trash name, it stayed .old, and came back
    # once the user deleted the new folder. Both renames now run before the Ctrl-C is raised.
    target = _old_folder(tmp_path)
    rename = os.rename

    def interrupted_rename(src, dst):
        rename(src, dst)
        if moment in str(dst):
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(_fs.os, "rename", interrupted_rename)
    with pytest.raises(_fs.InterruptedAfterWriting):
        with staged_directory(target) as staging:
            (staging / "new.txt").write_text("new")
    assert _tree(target) == {"new.txt": b"new"}
    assert not any(".old-" in name for name in os.listdir(tmp_path))  # nothing a later write puts back
    shutil.rmtree(target)
    _fs.recover_swap(target)
    assert not target.exists()


@pytest.mark.parametrize("kind", ["new folder", "folder made anew", "file", "new file"])
def test_ctrl_c_right_after_the_output_is_put_in_place_says_it_is_there(tmp_path, monkeypatch, kind):
    # Delivered as the rename returned, Ctrl-C read as "nothing was written (unchanged)" while the
    # new output stood there (a folder or file where none was, or a file that replaced one).
    from gan_augment.cli._common import CLIError, writing

    target = tmp_path / ("out.csv" if "file" in kind else "out")
    if kind == "file":
        target.write_text("old")
    placing = (_fs.os, "replace" if "file" in kind else "rename")
    real = getattr(*placing)

    def interrupted(src, dst, *args, **kwargs):
        real(src, dst, *args, **kwargs)
        if Path(dst).name == target.name:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(*placing, interrupted)
    with pytest.raises(CLIError) as said:
        with writing(target, "the rows"):
            if "file" in kind:
                with atomic_path(target) as temp:
                    temp.write_text("new")
            else:
                with staged_directory(target, overwrite=kind == "new folder") as staging:
                    (staging / "new.txt").write_text("new")
    assert said.value.message == f"Interrupted after writing the rows to {target}: the new output is there, whole."
    with pytest.raises(CLIError) as said:  # what to do when nothing was written is not said when it was
        with writing(target, "the rows", then=" Run it again with --resume."):
            raise _fs.InterruptedAfterWriting(target)
    assert "--resume" not in said.value.message
    assert (target.read_text() if "file" in kind else (target / "new.txt").read_text()) == "new"
    assert sorted(os.listdir(tmp_path)) == [target.name]


def test_ctrl_c_as_a_file_is_placed_in_a_folder_being_built_is_no_output_written(tmp_path, monkeypatch):
    # Each image of a folder being staged is written through atomic_path: Ctrl-C as one was placed
    # said the output was "there, whole", where the folder was thrown away.
    target, replace = tmp_path / "out", os.replace

    def interrupted(src, dst, *args, **kwargs):
        replace(src, dst, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(_fs.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt) as raised:
        with staged_directory(target) as staging:
            with atomic_path(staging / "synthetic_00001.png") as temp:
                temp.write_bytes(b"png")
    assert not isinstance(raised.value, _fs.InterruptedAfterWriting) and os.listdir(tmp_path) == []


def test_a_trash_folder_an_interrupted_deletion_left_is_removed_by_the_next_write_in_the_same_process(tmp_path,
                                                                                                       monkeypatch):
    # Its owner (this process) alive, it was never taken as stale: a notebook kept a model's copy.
    target = _old_folder(tmp_path)
    rmtree = _ctrl_c_while_deleting_the_trash(monkeypatch)
    with pytest.raises(_fs.InterruptedAfterWriting):
        with staged_directory(target) as staging:
            (staging / "new.txt").write_text("new")
    assert any(".trash-" in name for name in os.listdir(tmp_path))
    monkeypatch.setattr(_fs.shutil, "rmtree", rmtree)
    with staged_directory(target) as staging:
        (staging / "newer.txt").write_text("newer")
    assert sorted(os.listdir(tmp_path)) == ["out"] and _tree(target) == {"newer.txt": b"newer"}


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_a_second_ctrl_c_during_cleanup_still_removes_the_temporary_output(tmp_path, monkeypatch, kind):
    # The cleanup after a first Ctrl-C was itself stopped by a second one, and left the staged
    # folder (a copy of a whole image tree) or the .tmp file behind, though the command line said
    # that none was left.
    cleanup = (_fs.shutil, "rmtree") if kind == "folder" else (_fs.os, "unlink")
    real = getattr(*cleanup)

    def pressed_again(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)
        return real(*args, **kwargs)

    with pytest.raises(KeyboardInterrupt):
        with (staged_directory(tmp_path / "out") if kind == "folder" else atomic_path(tmp_path / "out.csv")) as temp:
            (temp / "x.png").write_bytes(b"x") if kind == "folder" else temp.write_text("rows")
            monkeypatch.setattr(*cleanup, pressed_again)
            raise KeyboardInterrupt  # the first Ctrl-C
    assert os.listdir(tmp_path) == []


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



def test_atomic_path_removes_the_folders_it_made_when_the_write_fails(tmp_path):
    # An interrupted `sample --out new/a/b/big.csv` said nothing was written, and left new/a/b.
    (tmp_path / "kept").mkdir()
    for interruption in (RuntimeError("disk full"), KeyboardInterrupt()):
        with pytest.raises(type(interruption)):
            with atomic_path(tmp_path / "kept" / "new" / "a" / "table.csv") as temp:
                temp.write_text("half")
                raise interruption
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["kept"]
    with atomic_path(tmp_path / "kept" / "new" / "table.csv") as temp:
        temp.write_text("whole")
    assert (tmp_path / "kept" / "new" / "table.csv").read_text() == "whole"


def test_ctrl_c_while_the_replaced_folder_is_deleted_says_the_new_one_is_in_place(tmp_path, monkeypatch):
    # The command line said "nothing was written ... unchanged" while the new folder was in place and
    # the old one half deleted in a hidden folder.
    from gan_augment.cli._common import CLIError, writing

    target = tmp_path / "out"
    target.mkdir()
    (target / "old.png").write_bytes(b"old")
    _ctrl_c_while_deleting_the_trash(monkeypatch)
    with pytest.raises(CLIError) as said:
        with writing(target, "the samples"):
            with staged_directory(target) as staging:
                (staging / "new.png").write_bytes(b"new")
    assert "Interrupted after writing the samples to" in said.value.message
    assert "the new output is there, whole; the rest of what it replaced, in a hidden .trash" in said.value.message
    assert _tree(target) == {"new.png": b"new"}

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


# ================================================================================ no clobbering
def test_atomic_path_without_overwrite_keeps_a_file_written_meanwhile(tmp_path):
    # The other writer finishes between our existence check and our rename: its file must stay.
    path = tmp_path / "out.csv"
    with pytest.raises(FileExistsError, match="out.csv"):
        with atomic_path(path, overwrite=False) as temp:
            temp.write_text("ours")
            path.write_text("theirs, finished first")
    assert _tree(tmp_path) == {"out.csv": b"theirs, finished first"}


def test_a_replaced_file_or_folder_keeps_its_permissions(tmp_path):
    # `augment -o private.csv --force` over a chmod 600 file left it 644, a chmod 700 model folder
    # became 755: a private output turned readable by everyone.
    private = tmp_path / "private.csv"
    private.write_text("old")
    private.chmod(0o600)
    folder = tmp_path / "model"
    folder.mkdir()
    folder.chmod(0o700)
    with atomic_path(private) as temp:
        temp.write_text("new")
    with staged_directory(folder) as staging:
        (staging / "weights").write_text("new")
    assert private.read_text() == "new" and os.stat(private).st_mode & 0o777 == 0o600
    assert (folder / "weights").read_text() == "new" and os.stat(folder).st_mode & 0o777 == 0o700
    with atomic_path(tmp_path / "fresh.csv") as temp:
        temp.write_text("x")
    assert os.stat(tmp_path / "fresh.csv").st_mode & 0o777 == default_mode()


def test_atomic_path_without_overwrite_writes_a_new_file(tmp_path):
    path = tmp_path / "out.csv"
    with atomic_path(path, overwrite=False) as temp:
        temp.write_text("new")
    assert _tree(tmp_path) == {"out.csv": b"new"}
    assert os.stat(path).st_mode & 0o777 == default_mode()


def test_atomic_path_without_hard_links_still_refuses_a_taken_name(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "no hard links on this file system")

    monkeypatch.setattr(_fs.os, "link", no_links)
    path = tmp_path / "out.csv"
    with atomic_path(path, overwrite=False) as temp:
        temp.write_text("first")
    with pytest.raises(FileExistsError):
        with atomic_path(path, overwrite=False) as temp:
            temp.write_text("second")
    assert _tree(tmp_path) == {"out.csv": b"first"}


def _write_exclusively(args):
    path, text, barrier = args
    barrier.wait()
    try:
        with atomic_path(path, overwrite=False) as temp:
            temp.write_text(text)
    except FileExistsError:
        return None
    return text


def test_of_concurrent_writers_without_overwrite_exactly_one_wins(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    path = tmp_path / "out.csv"
    with context.Manager() as manager:
        barrier = manager.Barrier(6)
        with context.Pool(6) as pool:
            results = pool.map(_write_exclusively, [(path, f"writer {i}", barrier) for i in range(6)])
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert _tree(tmp_path) == {"out.csv": winners[0].encode()}


def test_staged_directory_without_overwrite_keeps_a_folder_written_meanwhile(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(FileExistsError, match="out"):
        with staged_directory(target, overwrite=False) as staging:
            (staging / "ours.txt").write_text("ours")
            target.mkdir()
            (target / "theirs.txt").write_text("theirs")
    assert _tree(tmp_path) == {"out": None, "out/theirs.txt": b"theirs"}


def test_staged_directory_without_overwrite_fills_an_absent_or_empty_folder(tmp_path):
    for target in (tmp_path / "absent", tmp_path / "empty"):
        if target.name == "empty":
            target.mkdir()
        with staged_directory(target, overwrite=False) as staging:
            (staging / "x.txt").write_text("x")
        assert _tree(target) == {"x.txt": b"x"}
    with pytest.raises(FileExistsError):
        with staged_directory(tmp_path / "empty", overwrite=False) as staging:
            (staging / "y.txt").write_text("y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["absent", "empty"]


# ================================================================================ killed writes
def _run_and_kill(code: str, tmp_path):
    """Run ``code`` in a child Python that is killed (no clean-up runs) where it calls ``die()``."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from gan_augment import _fs\n"
        "def die(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        f"tmp = Path({str(tmp_path)!r})\n" + code
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_a_kill_between_the_two_renames_is_undone_by_the_next_write(tmp_path):
    target = _old_folder(tmp_path)
    _run_and_kill(
        "rename = os.rename\n"
        "def second_rename_dies(src, dst):\n"
        "    if str(src).endswith('.partial'):\n"
        "        die()\n"
        "    rename(src, dst)\n"
        "_fs.os.rename = second_rename_dies\n"
        "with _fs.staged_directory(tmp / 'out') as staging:\n"
        "    (staging / 'new.txt').write_text('new')\n",
        tmp_path,
    )
    # The kill left no "out", only its previous content under a predictable hidden name.
    assert not target.exists()
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith(".out.old-")]
    assert _tree(aside) == {"a.txt": b"old a", "sub": None, "sub/b.txt": b"old b"}
    assert _fs.interrupted_swap(target) == aside
    # The next write of "out" first puts it back, so check_replace judges the real folder and
    # the replacement leaves nothing behind.
    seen = []
    with staged_directory(target, check_replace=seen.append) as staging:
        (staging / "newer.txt").write_text("newer")
    assert seen == [target]
    assert _tree(tmp_path) == {"out": None, "out/newer.txt": b"newer"}


def test_a_kill_between_the_two_renames_is_restored_not_replaced_without_overwrite(tmp_path):
    target = _old_folder(tmp_path)
    before = _tree(tmp_path)
    _run_and_kill(
        "rename = os.rename\n"
        "def second_rename_dies(src, dst):\n"
        "    if str(src).endswith('.partial'):\n"
        "        die()\n"
        "    rename(src, dst)\n"
        "_fs.os.rename = second_rename_dies\n"
        "with _fs.staged_directory(tmp / 'out') as staging:\n"
        "    (staging / 'new.txt').write_text('new')\n",
        tmp_path,
    )
    assert not target.exists()
    assert any(p.name.startswith(".out.old-") for p in tmp_path.iterdir())
    with pytest.raises(FileExistsError):
        with staged_directory(target, overwrite=False) as staging:
            (staging / "newer.txt").write_text("newer")
    assert _tree(tmp_path) == before  # restored, and nothing of either write left behind


def test_the_temp_file_of_a_killed_write_is_removed_by_the_next_write(tmp_path):
    _run_and_kill(
        "with _fs.atomic_path(tmp / 'out.csv') as temp:\n"
        "    temp.write_text('half a table')\n"
        "    die()\n",
        tmp_path,
    )
    [left] = [p.name for p in tmp_path.iterdir()]
    assert left.startswith(".out.csv.") and left.endswith(".tmp")
    with atomic_path(tmp_path / "out.csv") as temp:
        temp.write_text("table")
    assert _tree(tmp_path) == {"out.csv": b"table"}


def test_the_staging_folder_of_a_killed_write_is_removed_by_the_next_write(tmp_path):
    _run_and_kill(
        "with _fs.staged_directory(tmp / 'model') as staging:\n"
        "    (staging / 'model.json').write_text('{}')\n"
        "    die()\n",
        tmp_path,
    )
    [left] = [p.name for p in tmp_path.iterdir()]
    assert left.startswith(".model.") and left.endswith(".partial")
    with staged_directory(tmp_path / "model") as staging:
        (staging / "model.json").write_text("{}")
    assert _tree(tmp_path) == {"model": None, "model/model.json": b"{}"}


def test_only_our_stale_entries_are_removed(tmp_path):
    out = tmp_path / "out.csv"
    owner = _fs._owner()
    live = tmp_path / f".out.csv.{owner}.abc123.tmp"  # this process: at work
    other_output = tmp_path / f".other.csv.{_fs._host_tag()}-999999999.abc123.tmp"  # not this output
    user_files = [tmp_path / ".out.csv.keep.tmp", tmp_path / ".out.csv.old-notes", tmp_path / "out.csv.tmp"]
    old_format_fresh = tmp_path / ".out.csv.fresh123.tmp"
    old_format_stale = tmp_path / ".out.csv.stale123.tmp"
    other_host_stale = tmp_path / ".out.csv.000000-1.abc123.tmp"
    other_host_fresh = tmp_path / ".out.csv.000000-2.abc123.tmp"
    for path in [live, other_output, *user_files, old_format_fresh, old_format_stale, other_host_stale,
                 other_host_fresh]:
        path.write_text("x")
    an_hour_ago = time.time() - 3600
    for path in (old_format_stale, other_host_stale):
        os.utime(path, (an_hour_ago, an_hour_ago))
    removed = _fs.remove_stale(out)
    assert sorted(removed) == sorted([old_format_stale, other_host_stale])
    assert all(p.exists() for p in [live, other_output, *user_files, old_format_fresh, other_host_fresh])


@pytest.mark.skipif(_fs._start_tag(os.getpid()) is None, reason="process start times are read from /proc")
def test_a_process_id_used_again_is_not_the_owner(tmp_path):
    # A restarted container runs as pid 1 again: what its killed predecessor left (a model moved
    # aside mid-replacement, a half-written file) counted as a live process's, never put back nor
    # removed, and the next fit wrote a new model where the old one was, without --force.
    host, pid = _fs._host_tag(), os.getpid()
    earlier = "0" * 8 if _fs._start_tag(pid) != "0" * 8 else "1" * 8  # this pid, started at another time
    aside = tmp_path / f".model.old-{host}-{pid}-{earlier}-abcd1234"
    aside.mkdir()
    (aside / "model.json").write_text("old model")
    half = tmp_path / f".out.csv.{host}-{pid}-{earlier}.abc123.tmp"
    half.write_text("half")
    live = tmp_path / f".out.csv.{_fs._owner()}.def456.tmp"  # this very process: at work
    live.write_text("being written")
    assert _fs.recover_swap(tmp_path / "model") == Path(os.path.abspath(tmp_path / "model"))
    assert (tmp_path / "model" / "model.json").read_text() == "old model" and not aside.exists()
    assert _fs.remove_stale(tmp_path / "out.csv") == [half] and live.exists()
    # Another pid namespace's (or host's) entry cannot be asked: kept while it is fresh.
    other = tmp_path / f".out.csv.{'0' * 6 if host != '0' * 6 else '1' * 6}-{pid}-{earlier}.abc123.tmp"
    other.write_text("x")
    assert _fs.remove_stale(tmp_path / "out.csv") == [] and other.exists()


def test_a_replacement_interrupted_by_the_format_before_is_restored(tmp_path):
    # Versions before process ids moved the old folder to .NAME.XXXXXXXX.old/NAME.
    aside = tmp_path / ".model.k2j4h5g6.old" / "model"
    aside.mkdir(parents=True)
    (aside / "model.json").write_text("old model")
    an_hour_ago = time.time() - 3600
    for path in (aside, aside.parent):
        os.utime(path, (an_hour_ago, an_hour_ago))
    assert _fs.recover_swap(tmp_path / "model") == tmp_path / "model"
    assert (tmp_path / "model" / "model.json").read_text() == "old model"
    assert _tree(tmp_path) == {"model": None, "model/model.json": b"old model"}
    with staged_directory(tmp_path / "model") as staging:
        (staging / "model.json").write_text("new model")
    assert _tree(tmp_path) == {"model": None, "model/model.json": b"new model"}


def test_files_written_inside_a_staged_folder_do_not_list_it(tmp_path, monkeypatch):
    # Thousands of images are written into a staged folder: one listing per file would be quadratic.
    listed = []
    scandir = os.scandir

    def counting_scandir(path="."):
        listed.append(str(path))
        return scandir(path)

    with staged_directory(tmp_path / "tree") as staging:
        (staging / "cls").mkdir()
        monkeypatch.setattr(_fs.os, "scandir", counting_scandir)
        for i in range(50):
            with atomic_path(staging / "cls" / f"{i}.png") as temp:
                temp.write_bytes(b"png")
        monkeypatch.undo()
    assert listed == []
    assert len(list((tmp_path / "tree" / "cls").iterdir())) == 50


def test_any_name_the_file_system_takes_is_written_and_a_longer_one_refused_before_the_work(tmp_path):
    # A 234-byte name the file system takes failed only when written (after training), naming the
    # hidden temporary file; then names over 221 bytes were refused, and `sample` could not write a
    # class folder of 250 (its temporary names now hold a shortened name).
    from gan_augment.exceptions import DataValidationError

    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    with pytest.raises(DataValidationError, match=rf"its name is {limit + 1} bytes long, beyond this file system's "
                                                  rf"limit of {limit}\. Choose a name of at most {limit} bytes\."):
        check_parent_writable(tmp_path / ("a" * (limit - 3) + ".csv"))
    for longest in ("b" * limit, "é" * (limit // 2), "b" * (limit - 34)):
        check_parent_writable(tmp_path / longest)
        with atomic_path(tmp_path / (longest[:-4] + ".csv")) as temp:  # its temporary names fit
            temp.write_text("x")
        for content in ("y", "z"):  # made, then replaced (the old one moved aside for the swap)
            with staged_directory(tmp_path / longest) as staging:
                (staging / "f").write_text(content)
        assert (tmp_path / longest / "f").read_text() == "z"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_a_replacement_racing_another_ends_with_one_whole_folder_and_no_leftovers(tmp_path, monkeypatch):
    # Another writer's folder moved in between this one's two renames: the put-back of the old folder
    # failed with a raw "Directory not empty" and left it beside the target as .model.old-*.
    with staged_directory(tmp_path / "model") as staging:
        (staging / "model.json").write_text("old")
    rename, raced = os.rename, []

    def racing_rename(source, destination):
        if str(destination) == str(tmp_path / "model") and ".partial" in str(source) and not raced:
            raced.append(True)
            os.mkdir(destination)  # the other writer's folder, in place first
            (tmp_path / "model" / "model.json").write_text("theirs")
        return rename(source, destination)

    monkeypatch.setattr(_fs.os, "rename", racing_rename)
    with staged_directory(tmp_path / "model", overwrite=True) as staging:
        (staging / "model.json").write_text("ours")
    assert raced and _tree(tmp_path) == {"model": None, "model/model.json": b"ours"}


def test_replacing_a_link_to_a_folder_leaves_no_trash_and_keeps_what_it_pointed_to(tmp_path):
    # The link set aside was renamed to .NAME.trash-... and shutil.rmtree refuses links: it stayed
    # beside the new folder for good.
    real = tmp_path / "v1"
    real.mkdir()
    (real / "old.txt").write_text("old")
    (tmp_path / "current").symlink_to(real, target_is_directory=True)
    with staged_directory(tmp_path / "current") as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "v1"]
    assert (tmp_path / "current" / "new.txt").read_text() == "new" and (real / "old.txt").read_text() == "old"


def test_remove_tree_deletes_read_only_folders_of_ours_and_leaves_the_parent_as_it_was(tmp_path):
    # A model folder made read-only (chmod 555) was replaced by `fit --force`, and its hidden copy
    # stayed beside it, one more each time. Checked as a user without root's override (as root, any
    # folder can be deleted, and the test would prove nothing).
    import stat
    import tempfile

    as_root = os.geteuid() == 0
    if as_root and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: root deletes read-only folders anyway")
    # As root, a folder of the system's temp folder the unprivileged user can reach (pytest's are private).
    parent = Path(tempfile.mkdtemp()) if as_root else tmp_path / "shared"
    try:
        (parent / "trash" / "sub").mkdir(parents=True)
        for file in (parent / "trash" / "a", parent / "trash" / "sub" / "b"):
            file.write_text("x")
        command = [sys.executable, "-c", "import sys; from pathlib import Path; from gan_augment._fs import "
                   "remove_tree; remove_tree(Path(sys.argv[1]))", str(parent / "trash")]
        if as_root:
            parent.chmod(0o777)
            for path in (parent / "trash", parent / "trash" / "sub", *(parent / "trash").rglob("*")):
                shutil.chown(path, "nobody")
            command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        (parent / "trash" / "closed").mkdir()  # a folder that cannot even be opened (chmod 000)
        modes = {parent / "trash" / "sub": 0o555, parent / "trash" / "closed": 0, parent / "trash": 0o555}
        for folder, mode in modes.items():
            if as_root:
                shutil.chown(folder, "nobody")
            folder.chmod(mode)
        mode = stat.S_IMODE(parent.stat().st_mode)
        package = str(Path(_fs.__file__).parents[1])
        subprocess.run(command, check=True, timeout=60, env={**os.environ, "PYTHONPATH": package})
        assert not (parent / "trash").exists()
        assert stat.S_IMODE(parent.stat().st_mode) == mode
    finally:
        if as_root:
            shutil.rmtree(parent, ignore_errors=True)
