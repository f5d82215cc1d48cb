"""Safe persistence: tensors in safetensors, everything else in JSON; loading never unpickles.

A saved state is a directory holding ``<name>.safetensors`` and ``<name>.json``. Nested state
(module and optimizer state dicts, histories, configs) is split by :func:`save_state`: every tensor
goes to the safetensors file under its path in the tree (``"opt_g/state/3/exp_avg"``), and the JSON
keeps the tree with a ``{"__tensor__": path}`` placeholder in its place. The JSON also records a
format marker and the SHA-256 of the tensor file, so a truncated, foreign or modified file is
refused with a clear error instead of yielding a half-loaded model.

Writes are atomic (:func:`gan_augment._fs.staged_directory`): the directory is written beside its
target and renamed into place, so an interrupted save never leaves a half-written model where a
good one was, and a folder holding anything gan-augment did not write is never replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from gan_augment._fs import default_mode, staged_directory
from gan_augment.exceptions import ModelFileError

FORMAT = "gan-augment"
FORMAT_VERSION = 1
# Pictures saved beside a state for people to look at; never read back.
_PICTURE_SUFFIXES = (".png",)


def save_state(directory, state: dict, *, kind: str, name: str = "model", files: dict | None = None) -> Path:
    """Write ``state`` (nested dicts/lists of tensors and JSON values) into ``directory``.

    ``files``: ``{name: bytes}`` of PNG pictures to keep beside the state (sample grids).
    """
    directory = Path(directory)
    tensors: dict[str, torch.Tensor] = {}
    tree = _split(state, "", tensors)
    with staged_directory(directory, check_replace=_check_replaceable) as staging:
        weights = staging / f"{name}.safetensors"
        save_file(tensors, str(weights))
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kind": kind,
            "weights_sha256": _sha256(weights),
            "state": tree,
        }
        (staging / f"{name}.json").write_text(json.dumps(header, indent=1, allow_nan=True))
        for file_name, content in (files or {}).items():
            if Path(file_name).suffix not in _PICTURE_SUFFIXES or Path(file_name).name != file_name:
                raise ValueError(f"Cannot keep {file_name!r} with a state: only plain .png file names.")
            (staging / file_name).write_bytes(content)
        # Every file gets the permissions a new file would get, whatever the writer chose.
        for path in staging.iterdir():
            os.chmod(path, default_mode())
    return directory


def load_state(directory, *, kind: str, name: str = "model", device="cpu") -> dict:
    """Read back what :func:`save_state` wrote, with every tensor on ``device``."""
    directory = Path(directory)
    meta_path, weights = directory / f"{name}.json", directory / f"{name}.safetensors"
    for path in (meta_path, weights):
        if not path.is_file():
            raise ModelFileError(
                f"{path} is missing: {directory} is not a gan-augment {kind} directory "
                "(it should hold model.json and model.safetensors)."
            )
    try:
        header = json.loads(meta_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{meta_path} is not valid JSON ({exc}); the file is damaged or foreign.") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT or "state" not in header:
        raise ModelFileError(f"{meta_path} was not written by gan-augment.")
    if not isinstance(header.get("format_version"), int):
        raise ModelFileError(f"{meta_path} has no valid format_version; the file is damaged.")
    if header["format_version"] > FORMAT_VERSION:
        raise ModelFileError(
            f"{meta_path} has format version {header['format_version']}, newer than this gan-augment "
            f"reads ({FORMAT_VERSION}); upgrade gan-augment."
        )
    if header.get("kind") != kind:
        raise ModelFileError(f"{directory} holds a {header.get('kind')!r}, not a {kind!r}.")
    if _sha256(weights) != header.get("weights_sha256"):
        raise ModelFileError(
            f"{weights} does not match the checksum recorded in {meta_path.name}: it was truncated or "
            "modified after saving. Restore it from a backup or fit again."
        )
    try:
        tensors = load_file(str(weights), device=str(device))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(f"{weights} could not be read as safetensors: {exc}") from exc
    return _join(header["state"], tensors)


# ---------------------------------------------------------------------------------------------
def _split(node, path, tensors):
    if isinstance(node, torch.Tensor):
        if path in tensors:
            # Keys 3 and "3", or "a/b" beside {"a": {"b": ...}}, spell the same path: without a
            # unique name the second tensor would silently replace the first.
            path = f"{path}#{len(tensors)}"
        tensors[path] = node.detach().to("cpu").contiguous().clone()
        return {"__tensor__": path}
    if isinstance(node, dict):
        if all(isinstance(key, str) for key in node):
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


def is_state_directory(directory: Path) -> bool:
    """An empty directory, or one holding only what :func:`save_state` writes (state files, sample
    PNGs), marker included.

    Anything else in it (a user's notes, a sub-folder) would be deleted by the replacement, so such
    a directory is not ours even if it holds a gan-augment file.
    """
    if not directory.is_dir():
        return False
    entries = list(directory.iterdir())
    ours = (".json", ".safetensors", *_PICTURE_SUFFIXES)
    if any(not entry.is_file() or entry.suffix not in ours for entry in entries):
        return False
    for meta in directory.glob("*.json"):
        try:
            if json.loads(meta.read_text()).get("format") == FORMAT:
                return True
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            continue
    return not entries


def _check_replaceable(target: Path) -> None:
    if not is_state_directory(target):
        raise FileExistsError(
            f"{target} exists and is not a gan-augment directory (or holds files gan-augment did "
            "not write); choose a new path so that nothing in it is replaced."
        )
