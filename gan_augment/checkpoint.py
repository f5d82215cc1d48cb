"""Safe persistence: tensors in safetensors, everything else in JSON; loading never unpickles.

A saved state is a directory holding ``<name>.safetensors`` and ``<name>.json``. Nested state
(module and optimizer state dicts, histories, configs) is split by :func:`save_state`: every tensor
goes to the safetensors file under its path in the tree (``"opt_g/state/3/exp_avg"``), and the JSON
keeps the tree with a ``{"__tensor__": path}`` placeholder in its place. The JSON also records a
format marker, the SHA-256 of the tensor file and the SHA-256 of its own content
(``header_sha256``), so a truncated, foreign or modified file, weights or JSON, is refused with a
clear error instead of yielding a half-loaded model. Files written before ``header_sha256`` existed
still load (their weights are still checked); :func:`build_checked` then keeps an edited JSON from
building modules of a size the weights do not have.

Writes are atomic (:func:`gan_augment._fs.staged_directory`): the directory is written beside its
target and renamed into place, so an interrupted save never leaves a half-written model where a
good one was, and a folder holding anything gan-augment did not write is never replaced. A save
killed between the two renames of a replacement leaves the previous directory as
``.NAME.old-...`` beside it; the next save or load of that path renames it back.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save_file
from torch.overrides import TorchFunctionMode

from gan_augment._fs import default_mode, interrupted_swap, recover_swap, refuse_linked_output, staged_directory
from gan_augment._listing import first_few
from gan_augment.exceptions import ModelFileError

FORMAT = "gan-augment"
FORMAT_VERSION = 1
# Pictures saved beside a state for people to look at (sample grids), never read back, are named
# so: the image kind makes their names, and a save over a state of before the header listed them
# tells them from a user's own by it.
PICTURE_PREFIX = "samples_"
_PICTURE_NAME = re.compile(re.escape(PICTURE_PREFIX) + r"[0-9]+_.*\.png")
# The JSON field holding the checksum of the JSON itself (all other fields).
_HEADER_SUM = "header_sha256"


def _os_error(exc: SafetensorError, path: Path) -> Exception:
    """safetensors' write error as the OSError it wraps ("I/O error: No space left on device (os
    error 28)"), naming ``path``; the error itself where it wraps none."""
    found = re.search(r"I/O error: (.*) \(os error (\d+)\)", str(exc))
    return OSError(int(found[2]), found[1], str(path)) if found else exc


def save_state(directory, state: dict, *, kind: str, name: str = "model", files: dict | None = None,
               overwrite: bool = True) -> Path:
    """Write ``state`` (nested dicts/lists of tensors and JSON values) into ``directory``.

    ``files``: ``{name: bytes}`` of PNG pictures to keep beside the state (sample grids).
    ``overwrite``: replace a ``directory`` that holds a gan-augment state of the same ``kind``
    (default), or, with False, refuse any non-empty ``directory`` (FileExistsError), also one that
    another run finishes writing while this one writes: the check is the final rename itself.
    """
    directory = Path(directory)
    refuse_linked_output(directory, f"{kind.capitalize()} folder")  # before anything is written
    tensors: dict[str, torch.Tensor] = {}
    tree = _split(state, "", tensors)

    def check_replace(target: Path) -> None:
        check_state_target(target, kind=kind, name=name)

    if not overwrite and directory.is_dir() and next(directory.iterdir(), None) is not None:
        # Said before writing: the rename would refuse it too, but blame a run racing this one.
        raise FileExistsError(errno.EEXIST, f"{directory} already exists and is not empty (from before this save, or "
                              "another run wrote it meanwhile); it was kept as it is. "
                              "Choose another path, or allow replacing it (overwrite=True; --force on the command "
                              "line)", str(directory))
    with staged_directory(directory, check_replace=check_replace, overwrite=overwrite) as staging:
        weights = staging / f"{name}.safetensors"
        # The format and kind in the weights' own header too: a folder whose model.json is lost is
        # still known for a state of ours (another library's model.safetensors is not). One entry:
        # safetensors writes several in no fixed order, and the same run must give the same bytes.
        try:
            save_file(tensors, str(weights), metadata={FORMAT: kind})
        except SafetensorError as exc:  # the OS's error in safetensors' words, naming no path (a full disk)
            raise _os_error(exc, directory) from exc
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kind": kind,
            "weights_sha256": _sha256(weights),
            "state": tree,
            # The pictures written beside it: a later save over the folder replaces these and no
            # other file (a user's samples_1_roc.png looks like a grid, and is theirs).
            "files": sorted(files or {}),
        }
        header[_HEADER_SUM] = _header_sha256(json.loads(json.dumps(header, allow_nan=True)))
        (staging / f"{name}.json").write_text(json.dumps(header, indent=1, allow_nan=True))
        for file_name, content in (files or {}).items():
            if not _is_picture_name(file_name) or Path(file_name).name != file_name:
                raise ValueError(f"Cannot keep {file_name!r} with a state: only plain file names "
                                 f"{PICTURE_PREFIX}<index>_<name>.png.")
            (staging / file_name).write_bytes(content)
        # Every file gets the permissions a new file would get, whatever the writer chose.
        for path in staging.iterdir():
            os.chmod(path, default_mode())
    return directory


#: Reads of a state whose weights do not match its JSON before it is called damaged: a save of
#: another process to the same folder may have replaced it between the two files' reads.
_READ_ATTEMPTS = 4


def load_state(directory, *, kind: str, name: str = "model", device="cpu") -> dict:
    """Read back what :func:`save_state` wrote, with every tensor on ``device``.

    The weights are read once, and those bytes are both checked against the JSON's checksum and
    loaded: reading the file again by name could load another save's weights beside this JSON."""
    directory = Path(directory)
    for attempt in range(_READ_ATTEMPTS):
        header, weights = _read_header(directory, kind=kind, name=name)
        try:
            data = weights.read_bytes()
        except FileNotFoundError:  # replaced since the header was read: read both again
            data = b""
        if hashlib.sha256(data).hexdigest() == header.get("weights_sha256"):
            break
        time.sleep(0.05 * (attempt + 1))
    else:
        raise ModelFileError(
            f"{weights} does not match the checksum recorded in {name}.json: it was truncated or "
            f"modified after saving. {_damaged_advice(kind, directory)} (If another process was "
            "saving to this folder meanwhile, load again once it is done.)"
        )
    try:
        tensors = {key: tensor.to(device) for key, tensor in load_safetensors(data).items()}
    except (SafetensorError, ValueError) as exc:
        raise ModelFileError(f"{weights} could not be read as safetensors: {exc}. "
                             f"{_damaged_advice(kind, directory)}") from exc
    try:
        return _join(header["state"], tensors)
    except ModelFileError:  # a tensor the weights file lacks, named
        raise
    except (TypeError, ValueError) as exc:  # placeholders edited in a JSON of the format without its own checksum
        raise ModelFileError(f"{directory / (name + '.json')} could not be read: its tensor placeholders are "
                             f"malformed ({exc}). {_damaged_advice(kind, directory)}") from exc


def read_metadata(directory, *, kind: str, name: str = "model") -> dict:
    """The JSON part of a saved state, checked as :func:`load_state` checks it, without reading
    the weights: tensors stay ``{"__tensor__": path}`` placeholders. Cheap, for deciding what a
    directory holds (e.g. whether a checkpoint belongs to this training run)."""
    header, _ = _read_header(Path(directory), kind=kind, name=name)
    return header["state"]


def check_state_target(directory, *, kind: str, name: str = "model") -> None:
    """Raise FileExistsError unless a state of ``kind`` may be written to ``directory``: absent,
    empty, or holding only what :func:`save_state` wrote for a state of the same kind (a checkpoint
    never replaces a saved model, nor the reverse), nor a symbolic link: the state would replace the
    link with a folder and leave the one it points to as it was."""
    directory = Path(directory)
    refuse_linked_output(directory, f"{kind.capitalize()} folder")
    here, target = Path.cwd().resolve(), directory.resolve()
    if target == here or target in here.parents:
        # Writing swaps the folder for a new one: the working directory would be deleted under
        # the running process (and an empty one passes the check below).
        relation = "is" if target == here else "holds"
        raise FileExistsError(f"{directory} {relation} the current working directory; a {kind} is written as a "
                              f"folder of its own, which replaces the folder: give a new path, e.g. {kind}s/run1.")
    if not os.path.lexists(directory):
        return
    if not is_state_directory(directory, name=name):
        if directory.is_dir() and holds_state(directory):
            foreign = foreign_entries(directory, name=name)
            raise FileExistsError(
                f"{directory} holds a gan-augment state, but also {first_few(foreign)}, which gan-augment did not "
                "write and replacing the folder would delete; move them out, or choose a new path.")
        damaged = _damaged_checkpoint(directory, name) if kind == "checkpoint" else None
        if damaged is not None:
            raise FileExistsError(f"{damaged} {_damaged_advice(kind, directory)}")
        raise FileExistsError(
            f"{directory} exists and is not a gan-augment directory (or holds files gan-augment did "
            "not write); choose a new path so that nothing in it is replaced."
        )
    kinds = state_kinds(directory)
    if kinds and kind not in kinds:
        raise FileExistsError(
            f"{directory} holds a gan-augment {' and '.join(sorted(kinds))}, not a {kind}; choose "
            f"another path so that it is not replaced."
        )


def build_checked(build: Callable[[], torch.nn.Module], tensors: dict, *, source) -> torch.nn.Module:
    """``build()``, once its parameters and buffers are known to have the shapes of ``tensors``
    (a state dict read from a weights file); ModelFileError naming ``source`` otherwise.

    The module is first built on the meta device with its initialisation skipped, which allocates
    nothing and takes milliseconds, so a JSON edited to describe a far larger model (30,000-wide
    layers) is refused instead of allocating gigabytes before ``load_state_dict`` would complain.
    """
    try:
        with torch.device("meta"), _SkipInitialisation():
            expected = {key: tuple(value.shape) for key, value in build().state_dict().items()}
    except (ValueError, TypeError, RuntimeError, OverflowError, KeyError, IndexError) as exc:
        raise ModelFileError(
            f"{source} describes a model that cannot be built ({type(exc).__name__}: {exc}); the file "
            "is damaged or was edited."
        ) from exc
    found = {key: tuple(value.shape) for key, value in tensors.items()}
    for key in [*expected, *(key for key in found if key not in expected)]:  # first layers first
        if expected.get(key) != found.get(key):
            raise ModelFileError(
                f"{source} describes {_tensor_text(key, expected.get(key))}, but the weights file holds "
                f"{_tensor_text(key, found.get(key), expected=False)}: the JSON was edited or belongs to another "
                "model. Restore the directory from a backup or fit again."
            )
    # Built for real (the caller loads the weights over its initial values): the initialisation
    # draws from torch's global stream, which a load must leave as the user had it.
    with torch.random.fork_rng(devices=[]):
        return build()


# ---------------------------------------------------------------------------------------------
def _read_header(directory: Path, *, kind: str, name: str) -> tuple[dict, Path]:
    """The checked JSON header of the state in ``directory`` and the path of its weights."""
    recover_interrupted_save(directory)
    meta_path, weights = directory / f"{name}.json", directory / f"{name}.safetensors"
    if not directory.is_dir():
        what = ("does not exist" if not directory.exists() else
                f"is a file; give the folder that holds it ({directory.parent})" if directory.name == f"{name}.json"
                else "is a file, not a folder")
        raise ModelFileError(f"{directory} {what}: a gan-augment {kind} is a folder holding {name}.json and "
                             f"{name}.safetensors.")
    for path in (meta_path, weights):
        if not path.is_file():
            raise ModelFileError(
                f"{path} is missing: {directory} is not a gan-augment {kind} directory "
                f"(it should hold {name}.json and {name}.safetensors)."
            )
    try:
        header = json.loads(meta_path.read_text(encoding="utf-8-sig"))  # an editor's byte order mark aside
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # (JSON's errors; digits past Python's limit)
        raise ModelFileError(f"{meta_path} is not valid JSON ({exc}); the file is damaged or foreign. "
                             f"{_damaged_advice(kind, directory)}") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT or "state" not in header:
        raise ModelFileError(f"{meta_path} was not written by gan-augment.")
    if not isinstance(header.get("format_version"), int):
        raise ModelFileError(f"{meta_path} has no valid format_version; the file is damaged.")
    if header["format_version"] > FORMAT_VERSION:
        raise ModelFileError(
            f"{meta_path} has format version {header['format_version']}, newer than this gan-augment "
            f"reads ({FORMAT_VERSION}); upgrade gan-augment."
        )
    # Absent from files of earlier versions, which stay readable (the weights are still checked).
    if _HEADER_SUM in header and header[_HEADER_SUM] != _header_sha256(header):
        raise ModelFileError(
            f"{meta_path} does not match the checksum recorded in it: it was edited or damaged after "
            f"saving. {_damaged_advice(kind, directory)}"
        )
    if header.get("kind") != kind:
        raise ModelFileError(f"{directory} holds a {header.get('kind')!r}, not a {kind!r}." + _KIND_ADVICE.get(
            (header.get("kind"), kind), ""))
    return header, weights


def _damaged_checkpoint(directory: Path, name: str) -> str | None:
    """What is wrong with a checkpoint folder holding its weights (written as a checkpoint, as their
    own header says) and nothing but the files a state is written as, whose header cannot be read
    (missing, cut short, not JSON); None for any other folder (a user's files in it, another
    library's model.safetensors, are never said to be damaged)."""
    if not directory.is_dir() or foreign_entries(directory, name=name) \
            or _weights_kind(directory / f"{name}.safetensors") != "checkpoint":
        return None
    meta = directory / f"{name}.json"
    if not meta.is_file():
        return f"{meta} is missing beside {name}.safetensors: the checkpoint is incomplete or damaged."
    return f"{meta} cannot be read as a gan-augment header: the file is damaged or foreign."


def _weights_kind(weights: Path) -> str | None:
    """The kind of state a safetensors file's header says gan-augment wrote it for, None for a file
    that says none (another library's, or written before the header said it) or cannot be read."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(weights), framework="pt") as opened:
            metadata = opened.metadata() or {}
    except (OSError, SafetensorError):  # a missing, truncated or foreign file
        return None
    return metadata.get(FORMAT)


def _damaged_advice(kind: str, directory: Path) -> str:
    """What to do about a damaged state: a model is restored or fitted again; a checkpoint cannot be
    continued, and its folder stands in the way of training afresh until it is gone."""
    if kind == "checkpoint":
        return (f"The training cannot continue from it: delete {directory}, or give another checkpoint folder, "
                "to train afresh.")
    return "Restore it from a backup or fit again."


# What to do with a state of one kind given where the other is read.
_KIND_ADVICE = {
    ("checkpoint", "model"): (" A checkpoint is a fit in progress: finish it (GANAugmenter(checkpoint_dir=...).fit; "
                              "gan-augment fit ... --checkpoint-dir DIR --resume) and give the model it saves."),
    ("model", "checkpoint"): (" A saved model is finished: load it (GANAugmenter.load) or give a checkpoint folder, "
                              "which a fit with checkpoint_dir (--checkpoint-dir) writes."),
}


def recover_interrupted_save(directory) -> None:
    """If ``directory`` is missing because a save was killed between its two renames, rename its
    previous content back; ModelFileError saying where it is if that fails."""
    directory = Path(directory)
    if os.path.lexists(directory):
        return
    try:
        recover_swap(directory)
    except OSError as exc:
        aside = interrupted_swap(directory)
        raise ModelFileError(
            f"{directory} is missing: a save of it was interrupted, and its previous content is in "
            f"{aside}, which could not be renamed back ({exc.strerror or exc}). Rename it to "
            f"{directory.name} to use it."
        ) from exc


def _header_sha256(header: dict) -> str:
    """Checksum of a header's content (all fields but the checksum), from its parsed JSON: the
    same for the text written and for that text read back, whatever the indentation."""
    content = {key: value for key, value in header.items() if key != _HEADER_SUM}
    text = json.dumps(content, separators=(",", ":"), allow_nan=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def state_kinds(directory: Path) -> set:
    """The ``kind`` of every gan-augment JSON header in ``directory``."""
    kinds = set()
    for meta in directory.glob("*.json"):
        try:
            header = json.loads(meta.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        if isinstance(header, dict) and header.get("format") == FORMAT:
            kinds.add(header.get("kind"))
    return kinds


def _tensor_text(key: str, shape, *, expected: bool = True) -> str:
    if shape is None:
        return f"no tensor {key!r}" if expected else "none of that name"
    return f"tensor {key!r} as shape {list(shape)}" if expected else f"shape {list(shape)}"


# In-place initialisers, as functions of torch.nn.init and as tensor methods: on the meta device
# some (normal_) are implemented in Python and their first call imports ~800 modules (seconds).
_INITIALISERS = frozenset({
    "normal_", "uniform_", "fill_", "zero_", "bernoulli_", "exponential_", "random_", "log_normal_",
    "cauchy_", "geometric_", "erfinv_", "trunc_normal_", "kaiming_uniform_", "kaiming_normal_",
    "xavier_uniform_", "xavier_normal_", "orthogonal_", "constant_", "ones_", "zeros_", "eye_",
    "dirac_", "sparse_",
})


class _SkipInitialisation(TorchFunctionMode):
    """Turn initialisers of meta tensors into no-ops: only shapes matter there."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if getattr(func, "__name__", "") in _INITIALISERS:
            tensor = next((a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)), None)
            if tensor is not None and tensor.is_meta:
                return tensor
        return func(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
#: The key sets of the JSON tree's placeholders (a tensor, a dict of non-string keys).
_PLACEHOLDER_KEYS = ({"__tensor__"}, {"__items__"})


def check_state_values(node, where: str) -> None:
    """Refuse, naming ``where``, what :func:`save_state` cannot write and :func:`load_state` give
    back: anything but tensors, None, bool, int, float and str, in lists, tuples and dicts keyed by
    str, int, float, bool or None. (A numpy int stops JSON; a tuple key makes a file that fails to load.)"""
    if node is None or isinstance(node, (torch.Tensor, bool, int, float, str)):
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key is not None and not isinstance(key, (str, int, float, bool)):
                raise TypeError(f"{where} has the key {key!r} ({type(key).__name__}), which a checkpoint cannot "
                                "store; use str or int keys.")
            check_state_values(value, f"{where}[{key!r}]")
        return
    if isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            check_state_values(value, f"{where}[{index}]")
        return
    raise TypeError(f"{where} is {node!r} ({type(node).__name__}), which a checkpoint cannot store: give plain "
                    "Python numbers, text, lists, dicts or tensors (e.g. int(value), array.tolist()).")


def _split(node, path, tensors):
    if isinstance(node, torch.Tensor):
        if path in tensors:
            # Keys 3 and "3", or "a/b" beside {"a": {"b": ...}}, spell the same path: without a
            # unique name the second tensor would silently replace the first.
            path = f"{path}#{len(tensors)}"
        tensors[path] = node.detach().to("cpu").contiguous().clone()
        return {"__tensor__": path}
    if isinstance(node, dict):
        # A dict of the placeholders' own shape (a user's metadata {"__tensor__": ...}) is stored
        # as pairs too, so that loading does not take it for one.
        if all(isinstance(key, str) for key in node) and set(node) not in _PLACEHOLDER_KEYS:
            return {key: _split(value, f"{path}/{key}", tensors) for key, value in node.items()}
        # Optimizer state is keyed by int: keep key types by storing pairs.
        return {"__items__": [[key, _split(value, f"{path}/{key}", tensors)] for key, value in node.items()]}
    if isinstance(node, (list, tuple)):
        return [_split(value, f"{path}/{i}", tensors) for i, value in enumerate(node)]
    return node


def _join(node, tensors):
    if isinstance(node, dict):
        if set(node) == {"__tensor__"}:
            try:
                return tensors[node["__tensor__"]]
            except KeyError:
                raise ModelFileError(f"Tensor {node['__tensor__']!r} is missing from the weights file.") from None
        if set(node) == {"__items__"}:
            return {key: _join(value, tensors) for key, value in node["__items__"]}
        return {key: _join(value, tensors) for key, value in node.items()}
    if isinstance(node, list):
        return [_join(value, tensors) for value in node]
    return node


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_state_directory(directory: Path, *, name: str = "model") -> bool:
    """An empty directory, or one holding only what :func:`save_state` writes (state files, sample
    PNGs), marker included.

    Anything else in it (a user's notes, a sub-folder) would be deleted by the replacement, so such
    a directory is not ours even if it holds a gan-augment file.
    """
    if not directory.is_dir():
        return False
    if foreign_entries(directory, name=name):
        return False
    return holds_state(directory) or next(directory.iterdir(), None) is None


def foreign_entries(directory: Path, *, name: str = "model") -> list[str]:
    """The names of what in ``directory`` :func:`save_state` (of that ``name``) did not write
    (sorted): anything but ``name``.json, ``name``.safetensors and the pictures its header lists
    (sample grids; for a state saved before headers listed them, any ``samples_<index>_<class>.png``).
    A user's metrics.json, plot.png or a backup model_v1.json beside a model is theirs, and a save
    over the folder must not delete it."""
    written = _files_written(directory / f"{name}.json")
    ours = {f"{name}.json", f"{name}.safetensors", *(written or ())}
    legacy = written is None  # the pictures of such a state are known by their names only
    return sorted(entry.name for entry in directory.iterdir()
                  if not entry.is_file() or not (entry.name in ours or legacy and _is_picture_name(entry.name)))


def _files_written(meta: Path) -> list | None:
    """The pictures a state's header says were saved with it; None where it does not say (a state
    saved before headers listed them, or no readable header). A header that fails its checksum
    vouches for nothing (an empty list), and only sample-grid names count: an edited list must not
    make a save delete a user's notes.txt."""
    try:
        header = json.loads(meta.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    files = header.get("files") if isinstance(header, dict) and header.get("format") == FORMAT else None
    if not isinstance(files, list):
        return None
    if _HEADER_SUM in header and header[_HEADER_SUM] != _header_sha256(header):
        return []
    return [f for f in files if isinstance(f, str) and _is_picture_name(f)]


def _is_picture_name(file_name: str) -> bool:
    """A sample grid's name, as the image kind makes it: ``samples_<class index>_<class>.png``."""
    return _PICTURE_NAME.fullmatch(file_name) is not None


def holds_state(directory: Path) -> bool:
    """Whether ``directory`` holds a state file of gan-augment's format (whatever else it holds)."""
    for meta in directory.glob("*.json"):
        try:
            if json.loads(meta.read_text(encoding="utf-8-sig")).get("format") == FORMAT:
                return True
        except (OSError, UnicodeDecodeError, ValueError, RecursionError, AttributeError):
            continue
    return False
