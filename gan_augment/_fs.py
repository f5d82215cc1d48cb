"""Writing files so that nothing the user had is lost or half-written: the one file-safety module.

* :func:`atomic_path`: one file, written beside its destination and renamed onto it.
* :func:`staged_directory`: a whole directory, built in a hidden folder beside its destination and
  swapped into place when complete; what was there is kept until then and put back on failure.
* :func:`check_parent_writable`: a cheap check, before any long work, that a path can be created.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator, Optional

from gan_augment.exceptions import DataValidationError


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; on success it is renamed onto ``path``.

    If the block raises, the temporary file is removed and whatever was at ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temp)
        os.chmod(temp, default_mode())  # mkstemp made it 0600
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def staged_directory(target, *, check_replace: Optional[Callable[[Path], None]] = None) -> Iterator[Path]:
    """Yield a new, empty, hidden folder beside ``target``; when the block ends without error it
    takes ``target``'s place.

    The folder is made on the same file system as ``target`` (so the final rename is atomic), with
    the permissions a new folder gets. An existing ``target`` is renamed aside first and deleted
    only once the new folder is in place; if that rename fails it is put back. ``check_replace``,
    if given, is called with ``target`` when one exists just before the swap and may raise to
    refuse replacing it. On any error the staging folder and any parent folders this call created
    are removed, and ``target`` is as it was.
    """
    given = Path(target)
    # Lexically absolute (links not followed), so that "." or "a/.." still has a parent and a name.
    target = Path(os.path.abspath(given))
    with _created_dirs(target.parent):
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        try:
            os.chmod(staging, default_mode(directory=True))  # mkdtemp made it 0700
            yield staging
            if check_replace is not None and target.exists():
                check_replace(given)
            _swap_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def check_parent_writable(path) -> None:
    """Raise DataValidationError (naming ``path``) unless ``path`` can be created: its nearest
    existing ancestor must be a directory we may write into."""
    path = Path(path)
    for ancestor in path.absolute().parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise DataValidationError(f"Cannot write {path}: {ancestor} is a file, not a directory.")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise DataValidationError(f"Cannot write {path}: no permission to write in {ancestor}.")
            return


def default_mode(directory: bool = False) -> int:
    """The permissions a new file (or directory) gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` onto ``target``; an existing ``target`` is renamed aside first and
    deleted only once the new folder is in place (and put back if that rename fails)."""
    if not target.exists():
        os.rename(staging, target)
        return
    aside_parent = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    aside = aside_parent / target.name
    try:
        os.rename(target, aside)
    except BaseException:
        aside_parent.rmdir()
        raise
    try:
        os.rename(staging, target)
    except BaseException:
        # Put the old folder back rather than leave a gap. Should even that fail, the old folder
        # stays (hidden) in aside_parent rather than being deleted.
        os.rename(aside, target)
        aside_parent.rmdir()
        raise
    shutil.rmtree(aside_parent, ignore_errors=True)


@contextlib.contextmanager
def _created_dirs(directory: Path):
    """Create ``directory`` and its missing parents (default permissions); if the block raises,
    remove those of them that are still empty, so a failed write leaves no trace."""
    directory = Path(directory)
    missing = [d for d in [directory, *directory.parents] if not d.exists()]
    directory.mkdir(parents=True, exist_ok=True)
    try:
        yield directory
    except BaseException:
        for created in missing:  # deepest first
            with contextlib.suppress(OSError):
                created.rmdir()
        raise
