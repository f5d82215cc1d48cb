"""Writing files so that nothing the user had is lost or half-written: the one file-safety module.

* :func:`atomic_path`: one file, written beside its destination and renamed onto it.
* :func:`staged_directory`: a whole directory, built in a hidden folder beside its destination and
  swapped into place when complete; what was there is kept until then and put back on failure.
* :func:`check_parent_writable`: a cheap check, before any long work, that a path can be created.
* :func:`recover_swap`: put back a directory whose replacement was killed half-way.
* :func:`interrupts_held`: Ctrl-C (and the command line's SIGTERM) held back over a step that must
  not stop half-way: the renames that put an output in place, the cleanup after a failure. Once an
  output stands in place, a Ctrl-C is :class:`InterruptedAfterWriting`: the new output is whole.

No clobbering without consent: with ``overwrite=False`` the final step itself refuses an existing
output (a hard link for files, a rename onto a non-empty folder for directories), so two runs
writing the same output cannot both succeed, whatever the timing of their existence checks.

Names of our own temporary entries beside an output ``NAME`` (``OWNER`` = ``TAG-PID-START``: a
hash of the host name and process-id namespace, the writing process's id, a hash of when it
started (where the system tells it); ``R`` = random):

* ``.NAME.OWNER.R.tmp``: a file being written;
* ``.NAME.OWNER.R.partial``: a directory being built;
* ``.NAME.old-OWNER-R``: the previous directory, moved aside for the instant of a replacement;
* ``.NAME.trash-OWNER-R``: that previous directory, being deleted.

A process killed mid-write (SIGKILL, power loss) leaves them behind: the next write of the same
output deletes the ``.tmp``, ``.partial`` and ``.trash`` entries of processes that are gone, and
if ``NAME`` itself is missing, renames an ``.old`` directory back to ``NAME`` (a kill between the
two renames of a replacement). A process id alone does not tell: a restarted container runs as
pid 1 again, and another namespace's pid is another process; so a live process of that id that
started at another time is not the owner, and an owner in another namespace (or on another host)
cannot be asked: its entries go once untouched for a minute. Entries of the formats used before
(``TAG-PID`` without START; ``.NAME.XXXXXXXX.tmp``, ``.partial``, ``.old`` without a process id)
are treated alike: by the process id, or once a minute old.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

from gan_augment.exceptions import DataValidationError

#: Entries without a live owner that we can name (other hosts, the format before process ids)
#: are deleted once untouched for this long: a writer at work keeps touching what it writes.
STALE_AFTER_S = 60.0

# errno values of a rename or link that found its target taken.
_TAKEN = {errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR}
# errno values of a file system that cannot make hard links (FAT, some network mounts).
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT, and SIGTERM where the command line makes it one) back until the block
    ends, then deliver it: a step that must not stop half-way (the two renames of a replacement; a
    cleanup that a second Ctrl-C left half-done, with the message saying none was left). Outside
    the main thread, where handlers cannot be set, the block runs as it is."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list = []
    previous = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if callable(handler):  # one of Python's (Ctrl-C's KeyboardInterrupt, the CLI's SIGTERM)
            previous[number] = signal.signal(number, lambda received, frame: held.append(received))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if held:
            signal.raise_signal(held[0])


@contextlib.contextmanager
def atomic_path(path, *, overwrite: bool = True):
    """Yield a temporary path beside ``path``; on success it is renamed onto ``path``.

    If the block raises, the temporary file is removed and whatever was at ``path`` is untouched.
    With ``overwrite=False``, a ``path`` that exists when the file is put in place (because another
    run wrote it meanwhile) is kept and FileExistsError raised: the placing is a hard link, which
    the file system refuses atomically when the name is taken. Stale temporary files of a killed
    earlier write of ``path`` are removed first. Parent folders it creates are removed again if
    the block raises.
    """
    path = Path(path)
    with _created_dirs(path.parent):
        remove_stale(path)
        handle, temp = tempfile.mkstemp(prefix=f".{_stem(path)}.{_owner()}.", suffix=".tmp", dir=path.parent)
        os.close(handle)
        try:
            yield Path(temp)
            _take_permissions(Path(temp), path)  # mkstemp made it 0600
            place = (lambda: os.replace(temp, path)) if overwrite else \
                (lambda: _place_file_exclusively(Path(temp), path))
            if _inside_staging(path):
                place()  # one file of a folder still being built: not an output of its own
            else:
                _placing(place, path)
        except BaseException:
            with interrupts_held(), contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise


@contextlib.contextmanager
def staged_directory(target, *, check_replace: Optional[Callable[[Path], None]] = None,
                     overwrite: bool = True) -> Iterator[Path]:
    """Yield a new, empty, hidden folder beside ``target``; when the block ends without error it
    takes ``target``'s place.

    The folder is made on the same file system as ``target`` (so the final rename is atomic), with
    the permissions of the folder it replaces, else those a new folder gets. On any error the
    staging folder and any parent folders this call created are removed, and ``target`` is as it was.

    ``overwrite=False``: only an absent or empty ``target`` is replaced; one that is not empty when
    the new folder moves in (another run finished first) is kept and FileExistsError raised. The
    rename itself refuses a non-empty folder, so there is no gap between check and rename.

    ``overwrite=True``: an existing ``target`` is renamed aside to ``.NAME.old-TAG-PID-R``, the new
    folder renamed into place, and the old one deleted; if the second rename fails the old one is
    put back. Should the process be killed hard (SIGKILL, power loss: Ctrl-C and SIGTERM wait for
    both) between the two renames, ``target`` is missing and the old folder waits under that name:
    the next :func:`staged_directory` or :func:`recover_swap` of ``target`` renames it back (or move
    it back yourself). ``check_replace``, if given, is called
    with ``target`` when one exists just before the swap and may raise to refuse replacing it.
    """
    given = Path(target)
    # Lexically absolute (links not followed), so that "." or "a/.." still has a parent and a name.
    target = Path(os.path.abspath(given))
    with _created_dirs(target.parent):
        recover_swap(target)
        remove_stale(target)
        staging = Path(tempfile.mkdtemp(prefix=f".{_stem(target)}.{_owner()}.", suffix=".partial",
                                        dir=target.parent))
        try:
            yield staging
            _take_permissions(staging, target, directory=True)  # mkdtemp made it 0700
            if not overwrite:
                _placing(lambda: _move_directory_exclusively(staging, target), target)
            else:
                if check_replace is not None and os.path.lexists(target):
                    check_replace(given)
                _swap_into_place(staging, target)
        except BaseException:
            with interrupts_held():  # a second Ctrl-C left the copy of a whole image tree behind
                shutil.rmtree(staging, ignore_errors=True)
            raise


#: The most bytes the temporary names add to an output's name: ``.NAME.TAG-PID-START.XXXXXXXX.partial``
#: (a 6-character tag, a process id of up to 7 digits, an 8-character start) and
#: ``.NAME.trash-TAG-PID-START-XXXXXXXX``.
_TEMPORARY_NAME_EXTRA = 43
#: Longer names stand in temporary names as their start and a hash of the whole (:func:`_stem`), so
#: that any name the usual limit of 255 bytes takes can be written: a class folder of 250 bytes,
#: which `sample` writes under its class's name, was refused.
_STEM_BYTES = 255 - _TEMPORARY_NAME_EXTRA


def _stem(path: Path) -> str:
    """What stands for ``path``'s name in its temporary names: the name itself, or for a name of
    over :data:`_STEM_BYTES` bytes its first characters, "~" and 12 hex digits of its hash."""
    name = path.name
    if len(os.fsencode(name)) <= _STEM_BYTES:
        return name
    head, budget = "", _STEM_BYTES - 13
    for character in name:
        if len(os.fsencode(head + character)) > budget:
            break
        head += character
    return f"{head}~{hashlib.sha256(os.fsencode(name)).hexdigest()[:12]}"


def refuse_linked_output(path, what: str) -> None:
    """Refuse an output folder that is a symbolic link: outputs are written beside their place and
    renamed into it, which replaces the link itself (``--force`` turned it into a folder and left the
    one it points to as it was); a link to nothing was found only when saving, after training."""
    path = Path(path)
    if path.is_symlink():
        raise FileExistsError(f"{what} {path} is a symbolic link (to {os.readlink(path)}); give the folder it points "
                              "to, or another path.")


def refuse_linked_file(path) -> None:
    """Refuse an output file that is a symbolic link: files are written beside their place and
    renamed into it, which replaces the link itself (``--force`` turned it into a file and left the
    one it points to as it was); a link to nothing was refused by that rename, after all the work."""
    path = Path(path)
    if not path.is_symlink():
        return
    if not path.exists():
        raise FileExistsError(f"{path} is a link to {os.readlink(path)}, which leads to no file (it is missing, or "
                              "the links loop); remove the link or choose another path.")
    raise FileExistsError(f"{path} is a symbolic link (to {os.readlink(path)}), which writing it would replace, "
                          "leaving that file as it is; give the file it points to, or another path.")


def broken_link_message(path) -> Optional[str]:
    """What to say of ``path`` where it is a symbolic link to nothing or to itself (mkdir over it
    says only "[Errno 17] File exists"); None for anything else."""
    if path is None or not os.path.islink(path) or os.path.exists(path):
        return None
    return (f"{path} is a symbolic link to {os.readlink(path)}, which does not exist or points back to itself; "
            "remove the link or give another path.")


def is_link_loop(exc: BaseException) -> bool:
    """``Path.resolve()``'s error for a link that points back to itself (Python 3.11 raises a
    RuntimeError, later versions an OSError with ELOOP)."""
    return (isinstance(exc, RuntimeError) and str(exc).startswith("Symlink loop from")) or \
        (isinstance(exc, OSError) and exc.errno == errno.ELOOP)


def check_parent_writable(path) -> None:
    """Raise DataValidationError (naming ``path``) unless ``path`` can be created: its nearest
    existing ancestor must be a directory we may write into, and the file system must take the
    temporary name it is written under."""
    path = Path(path)
    if _mount_point(path):
        # Outputs are written beside their place and renamed into it: a rename onto or away from a
        # mount point fails (EBUSY), which was found after training, the model lost.
        inside = f"a path inside it (e.g. {path / 'output'})" if path.is_dir() else "another path"
        raise DataValidationError(f"Cannot write {path}: it is a mount point (a volume), which cannot be replaced: "
                                  f"outputs are written beside their place and renamed into it. Write to {inside}.")
    given = list(path.parents)  # the ancestors as written, for the messages (up to "." for a relative path)
    for depth, ancestor in enumerate(path.absolute().parents):
        # A link to nothing does not exist, but mkdir cannot make it: it was found by the write, after the work.
        broken = broken_link_message(given[depth] if depth < len(given) else ancestor)
        if broken:
            raise DataValidationError(f"Cannot write {path}: {broken}")
        if ancestor.exists():
            if not ancestor.is_dir():
                raise DataValidationError(f"Cannot write {path}: {ancestor} is a file, not a directory.")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise DataValidationError(f"Cannot write {path}: no permission to write in {ancestor}.")
            _check_name_length(path, ancestor)
            return


def _mount_point(path: Path) -> bool:
    """Whether ``path`` is a mount point: a folder (``os.path.ismount``), or a file on another file
    system than its folder's (a file bind-mounted into a container)."""
    try:
        if path.is_symlink():
            return False
        if path.is_dir():
            return os.path.ismount(path)
        return path.exists() and path.stat().st_dev != path.absolute().parent.stat().st_dev
    except OSError:
        return False


def _check_name_length(path: Path, ancestor: Path) -> None:
    """A name the file system takes may still be too long once the temporary name's parts are
    added: the write would fail after the work it saves, naming a hidden file."""
    try:
        limit = os.pathconf(ancestor, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not known here (Windows): the common limit
        limit = 255
    size = len(os.fsencode(path.name))
    if size > limit:
        raise DataValidationError(f"Cannot write {path}: its name is {size} bytes long, beyond this file system's "
                                  f"limit of {limit}. Choose a name of at most {limit} bytes.")
    if len(os.fsencode(_stem(path))) + _TEMPORARY_NAME_EXTRA > limit:
        raise DataValidationError(
            f"Cannot write {path}: its name is {size} bytes long, and it is written under a temporary name "
            f"{_TEMPORARY_NAME_EXTRA} bytes longer, beyond this file system's limit of {limit}. Choose a name of at "
            f"most {limit - _TEMPORARY_NAME_EXTRA} bytes.")


def default_mode(directory: bool = False) -> int:
    """The permissions a new file (or directory) gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if directory else 0o666) & ~umask


def _take_permissions(new: Path, replaced: Path, *, directory: bool = False) -> None:
    """Give ``new`` the permissions (and, where allowed, the group) of the file or folder it will
    replace, so that a private output stays private through ``--force``; else those a new one gets
    under the umask."""
    try:
        old = replaced.lstat()
    except OSError:
        old = None
    if old is None or stat.S_ISDIR(old.st_mode) != directory:
        os.chmod(new, default_mode(directory))
        return
    with contextlib.suppress(OSError):  # a group this user is not in: the new one keeps the user's own
        os.chown(new, -1, old.st_gid)
    os.chmod(new, stat.S_IMODE(old.st_mode))  # after chown, which may clear the setgid bit


def recover_swap(target) -> Optional[Path]:
    """If ``target`` is missing but a replacement of it was killed between its two renames, rename
    the directory moved aside back to ``target`` and return ``target``; else return None.

    OSError (e.g. no permission) propagates; :func:`interrupted_swap` names the folder to move back.
    """
    target = Path(os.path.abspath(target))
    if os.path.lexists(target):
        return None
    aside = interrupted_swap(target)
    if aside is None:
        return None
    os.rename(aside, target)
    if aside.parent != target.parent:  # the format before: .NAME.XXXXXXXX.old/NAME; drop the shell
        with contextlib.suppress(OSError):
            aside.parent.rmdir()
    return target


def interrupted_swap(target) -> Optional[Path]:
    """The directory that holds ``target``'s previous content after a replacement was killed
    between its two renames (``target`` is then missing), or None. The newest one if several."""
    target = Path(os.path.abspath(target))
    found = []
    for entry, owner in _our_entries(target):
        if owner.role == "old" and owner.stale(entry):
            found.append(entry)
        elif owner.role == "legacy-old" and owner.stale(entry):
            inner = entry / target.name  # the format before: .NAME.XXXXXXXX.old/NAME
            if inner.is_dir() and not inner.is_symlink():
                found.append(inner)
    if not found:
        return None
    return max(found, key=lambda path: path.lstat().st_mtime)


def remove_stale(target) -> list[Path]:
    """Delete what killed writes of ``target`` left beside it (see the module docstring): only
    entries named by this module, only of processes that are gone (or, where the owner cannot be
    told, untouched for :data:`STALE_AFTER_S`). An ``.old`` directory is removed only while
    ``target`` exists (else it is the one to restore). Returns what was removed."""
    target = Path(os.path.abspath(target))
    if _inside_staging(target):
        # A folder this process is building holds nothing stale, and listing it once per file
        # written (thousands of images) would make writing it quadratic.
        return []
    target_exists = os.path.lexists(target)
    removed = []
    for entry, owner in _our_entries(target):
        if owner.role in ("old", "legacy-old") and not target_exists:
            continue
        if not owner.stale(entry):
            continue
        if owner.kind == "file" and entry.is_file() and not entry.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        elif owner.kind == "dir" and entry.is_dir() and not entry.is_symlink():
            remove_tree(entry)
        else:
            continue  # a name like ours on something else: not ours to delete
        removed.append(entry)
    return removed


# ============================================================================ internals
class _Owner:
    """Who left an entry of our naming: its role, whether it is a file or a folder, and whether
    the process that made it may still be at work."""

    def __init__(self, role: str, kind: str, host: Optional[str], pid: Optional[int], start: Optional[str] = None):
        self.role, self.kind = role, kind
        self.local = host == _host_tag() and pid is not None
        # A process on another host or in another pid namespace (or of the format before process
        # ids) cannot be asked: age decides. One of that id that started at another time is not the owner.
        self.alive = self.local and _pid_alive(pid) and (start is None or _start_tag(pid) in (None, start))
        self.own = self.alive and pid == os.getpid()

    def stale(self, entry: Path) -> bool:
        if self.own and self.role == "trash":
            return str(entry) not in _TRASH_AT_WORK
        if self.local:
            return not self.alive
        return time.time() - _last_touched(entry) >= STALE_AFTER_S


def _our_entries(target: Path):
    """``(path, _Owner)`` for every entry beside ``target`` named by this module for it."""
    name = re.escape(_stem(target))
    patterns = [
        (re.compile(rf"^\.{name}\.{_OWNER}\.[A-Za-z0-9_]+\.tmp$"), "tmp", "file"),
        (re.compile(rf"^\.{name}\.{_OWNER}\.[A-Za-z0-9_]+\.partial$"), "partial", "dir"),
        (re.compile(rf"^\.{name}\.old-{_OWNER}-[0-9a-f]+$"), "old", "dir"),
        (re.compile(rf"^\.{name}\.trash-{_OWNER}-[0-9a-f]+$"), "trash", "dir"),
        # The format before process ids: mkstemp / mkdtemp names of 8 characters.
        (re.compile(rf"^\.{name}\.[a-z0-9_]{{8}}\.tmp$"), "legacy-tmp", "file"),
        (re.compile(rf"^\.{name}\.[a-z0-9_]{{8}}\.partial$"), "legacy-partial", "dir"),
        (re.compile(rf"^\.{name}\.[a-z0-9_]{{8}}\.old$"), "legacy-old", "dir"),
    ]
    prefix = f".{_stem(target)}."
    try:
        entries = [entry for entry in os.scandir(target.parent) if entry.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        for pattern, role, kind in patterns:
            match = pattern.match(entry.name)
            if match:
                host, pid, start = (match.group(1), int(match.group(2)), match.group(3)) if match.groups() \
                    else (None, None, None)
                yield Path(entry.path), _Owner(role, kind, host, pid, start)
                break


#: ``TAG-PID`` and, since process start times are written, ``-START``: see the module docstring.
_OWNER = r"([0-9a-f]{6})-(\d+)(?:-([0-9a-f]{8}))?"
_STAGING = re.compile(rf"^\..+\.{_OWNER}\.[A-Za-z0-9_]+\.partial$")


def _inside_staging(path: Path) -> bool:
    """Whether ``path`` lies in a staging folder of this very process."""
    for part in path.parent.parts:
        match = _STAGING.match(part)
        if match and "-".join(filter(None, match.groups())) == _owner():
            return True
    return False


def _owner() -> str:
    start = _start_tag(os.getpid())
    return f"{_host_tag()}-{os.getpid()}" + (f"-{start}" if start else "")


@functools.lru_cache(maxsize=1)
def _host_tag() -> str:
    # Process ids are only meaningful on the host, and in the pid namespace, that made them (a
    # shared network folder; containers sharing a volume and a host name).
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{socket.gethostname()}\0{namespace}".encode()).hexdigest()[:6]


def _start_tag(pid: int) -> Optional[str]:
    """A hash of when process ``pid`` started (since which boot), or None where the system does
    not tell (no /proc): a process id is used again once its process is gone."""
    if pid == os.getpid():
        return _own_start_tag(pid)
    return _read_start_tag(pid)


@functools.lru_cache(maxsize=4)  # by process id: a forked child is another process
def _own_start_tag(pid: int) -> Optional[str]:
    return _read_start_tag(pid)


def _read_start_tag(pid: int) -> Optional[str]:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            # Field 22, clock ticks since boot; counted after the name in parentheses, which may hold spaces.
            started = stat_file.read().rsplit(b")", 1)[1].split()[19]
        with open("/proc/sys/kernel/random/boot_id", "rb") as boot_file:
            boot = boot_file.read().strip()
    except (OSError, IndexError):
        return None
    return hashlib.sha256(boot + b"\0" + started).hexdigest()[:8]


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return True  # cannot tell: keep its files
    return True


def _last_touched(path: Path) -> float:
    """Newest modification time of ``path`` and, for a folder, of its direct entries: a folder
    being filled changes, or holds a file that changes."""
    try:
        newest = path.lstat().st_mtime
        if path.is_dir() and not path.is_symlink():
            for entry in os.scandir(path):
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    except OSError:
        return time.time()  # vanished or unreadable while looking: not stale
    return newest


def _taken(path: Path) -> FileExistsError:
    return FileExistsError(
        errno.EEXIST,
        f"{path} exists now (another run may have written it while this one was writing); it was "
        "kept as it is. Choose another output path, or allow replacing it (--force, force=True)",
        str(path),
    )


def _place_file_exclusively(temp: Path, path: Path) -> None:
    """Give the finished ``temp`` the name ``path`` unless ``path`` exists, atomically."""
    try:
        os.link(temp, path)  # fails with EEXIST if the name is taken, whoever took it when
    except FileExistsError:
        raise _taken(path) from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        # No hard links here: reserve the name with an exclusive create, then rename onto the
        # reservation (an empty file stands at ``path`` for that instant).
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, default_mode()))
        except FileExistsError:
            raise _taken(path) from None
        os.replace(temp, path)
        return
    os.unlink(temp)


def _move_directory_exclusively(staging: Path, target: Path) -> None:
    """Rename ``staging`` onto ``target`` if ``target`` is absent or an empty folder."""
    try:
        os.rename(staging, target)
    except OSError as exc:
        if exc.errno in _TAKEN or isinstance(exc, FileExistsError):
            raise _taken(target) from None
        raise


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` onto ``target``; an existing ``target`` is renamed aside first and
    deleted only once the new folder is in place (and put back if that rename fails).

    Writers racing for one ``target`` (each asked to replace it) end with one of their folders in
    place, whole: a writer that finds another's folder there in the middle of its swap replaces it in
    turn. (Without this, the loser's put-back failed on the winner's folder with a raw OSError and
    left its ``.old`` folder behind.)"""
    for _ in range(_SWAP_TRIES):
        if not os.path.lexists(target):
            try:
                _placing(lambda: os.rename(staging, target), target)
                return
            except OSError as exc:
                if exc.errno not in _TAKEN:
                    raise
                # Created meanwhile: replace it as asked, through the aside below.
        token = secrets.token_hex(4)
        aside = target.with_name(f".{_stem(target)}.old-{_owner()}-{token}")
        # The renames as one step for Ctrl-C: between the first two, ``target`` was missing and the
        # message said it was unchanged; after the second, the old folder, still named .old, came
        # back once the user deleted the new one. Only the deletion of the trash can be interrupted.
        placed = False
        try:
            with interrupts_held():  # a Ctrl-C held back is raised as the block ends
                try:
                    os.rename(target, aside)
                except FileNotFoundError:
                    continue  # another writer moved it aside first: start again
                try:
                    os.rename(staging, target)
                except OSError as exc:
                    if exc.errno not in _TAKEN:
                        _put_back(aside, target)
                        raise
                    trash = _to_trash(aside, target, token)  # another writer's folder moved in meanwhile
                else:
                    trash, placed = _to_trash(aside, target, token), True
            _remove_trash(trash)
        except KeyboardInterrupt:
            if not placed:
                raise
            raise InterruptedAfterWriting(target, trash=True) from None
        if placed:
            return
    raise _taken(target)


def _placing(step: Callable[[], None], target: Path) -> None:
    """Run ``step``, the rename that puts a new output in place, with Ctrl-C held back: delivered
    right after the rename, it read as "nothing was written" while the new output stood there."""
    placed = False
    try:
        with interrupts_held():
            step()
            placed = True
    except KeyboardInterrupt:
        if not placed:
            raise
        raise InterruptedAfterWriting(target, trash=False) from None


class InterruptedAfterWriting(KeyboardInterrupt):
    """Ctrl-C once the new output stood at ``target``: it stays, whole. With ``trash``, it came
    while the folder it replaced was being deleted: the rest of that one, in a hidden ``.trash``
    folder beside it, is removed by the next write of ``target``."""

    def __init__(self, target: Path, *, trash: bool = False):
        super().__init__(str(target))
        self.target, self.trash = target, trash


#: How often a replacement starts again when racing writers keep moving ``target``.
_SWAP_TRIES = 20


def _put_back(aside: Path, target: Path) -> None:
    """Rename the old folder back rather than leave a gap. Should even that fail, it stays under its
    .old name, which the next write of ``target`` restores."""
    with contextlib.suppress(OSError):
        os.rename(aside, target)


def _to_trash(aside: Path, target: Path, token: str) -> Optional[Path]:
    """The old folder renamed to its .trash name (None where the rename failed: it stays under its
    .old name, removed by the next write of ``target``). Renamed before deleting: a half-deleted
    folder must never carry a name that gets restored."""
    trash = target.with_name(f".{_stem(target)}.trash-{_owner()}-{token}")
    try:
        os.rename(aside, trash)
    except OSError:
        return None
    return trash


#: The .trash folders this process is deleting now: any other of its own is one an interrupted
#: deletion left, which the next write of its output removes (an owner alive, it was kept for good
#: in a notebook's process, a whole model's copy each time).
_TRASH_AT_WORK: set = set()


def _remove_trash(trash: Optional[Path]) -> None:
    if trash is None:
        return
    if trash.is_symlink():  # ``target`` was a link: the link goes, never what it points to (rmtree refuses it)
        with contextlib.suppress(OSError):
            trash.unlink()
        return
    _TRASH_AT_WORK.add(str(trash))
    try:
        remove_tree(trash)
    finally:
        _TRASH_AT_WORK.discard(str(trash))


def remove_tree(path: Path) -> None:
    """Delete a folder of ours, also where it (or a folder in it) was made read-only: a model folder
    under ``chmod 555`` was replaced by ``fit --force``, and its hidden copy then stayed, one more each
    time. What still cannot be deleted (a folder owned by someone else) is left."""
    root, retried = os.path.abspath(path), set()

    def writable_and_again(function, name, *_):
        # Whatever failed (unlinking a file, opening or removing a folder), its folder, and the entry
        # itself if a folder, are made writable and the entry removed again, once.
        name = os.path.abspath(name)
        parent = os.path.dirname(name)
        if name in retried or parent != root and not parent.startswith(root + os.sep):
            return  # the folder that holds ours is the user's: its permissions are not ours to change
        retried.add(name)
        with contextlib.suppress(OSError, RecursionError):  # (a chain of hundreds of closed folders)
            os.chmod(parent, stat.S_IRWXU)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, stat.S_IRWXU)
                shutil.rmtree(name, **handler)
            else:
                os.unlink(name)

    handler = {"onexc": writable_and_again} if sys.version_info >= (3, 12) else {"onerror": writable_and_again}
    with contextlib.suppress(OSError, RecursionError):
        shutil.rmtree(path, **handler)


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
