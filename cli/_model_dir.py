"""Model directories as the command line writes them: the GANAugmenter's own files (model.json +
model.safetensors) plus ``dataset.json``, which remembers what the library does not need but the
command line does (the target column's name, position and dtype, where the data came from).

A directory is written complete in a staging folder beside its destination and renamed into place;
an existing one is replaced only when asked (``force``) and only if it is a gan-augment model
directory (or empty), so a mistyped ``--out`` can never wipe an unrelated folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from gan_augment.exceptions import ModelFileError

SIDECAR = "dataset.json"
_MODEL_FILES = ("model.json", "model.safetensors")


def check_model_out(out, *, force: bool) -> None:
    """Raise FileExistsError unless a model directory may be written at ``out``."""
    from gan_augment.data.io import _check_parent_writable

    out = Path(out)
    if not out.exists():
        _check_parent_writable(out)  # DataValidationError: a file in the way, or no permission
        return
    if not out.is_dir():
        raise FileExistsError(f"{out} exists and is a file, not a model directory; choose another --out.")
    if not force:
        raise FileExistsError(f"{out} already exists; pass --force to replace it, or choose another --out.")
    if not _is_model_dir(out):
        raise FileExistsError(
            f"{out} exists and is not a gan-augment model directory, so it is not replaced even "
            "with --force; choose another --out."
        )


def save_model(augmenter, out, dataset: dict, *, force: bool) -> Path:
    """Save ``augmenter`` plus ``dataset`` (the sidecar) to directory ``out``, atomically."""
    out = Path(out)
    check_model_out(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging_root = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staged = staging_root / out.name
        augmenter.save(staged)
        (staged / SIDECAR).write_text(json.dumps(dataset, indent=1, default=str))
        _apply_umask(staged)
        check_model_out(out, force=force)  # again: something may have appeared while training
        if out.exists():
            retired = staging_root / f"{out.name}.old"
            os.replace(out, retired)
            try:
                os.replace(staged, out)
            except BaseException:
                os.replace(retired, out)
                raise
        else:
            os.replace(staged, out)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return out


def _apply_umask(directory: Path) -> None:
    # The staging folder comes from mkdtemp (mode 0700); give the model the permissions any new
    # directory and files would get.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(directory, 0o777 & ~umask)
    for path in directory.iterdir():
        os.chmod(path, 0o666 & ~umask)


def load_model(model_dir):
    """``(augmenter, dataset)`` from a model directory; ``dataset`` is ``{}`` if it has no sidecar."""
    from gan_augment.augmenter import GANAugmenter

    model_dir = Path(model_dir)
    if not model_dir.exists():
        raise ModelFileError(f"Model directory {model_dir} does not exist.")
    if not model_dir.is_dir():
        raise ModelFileError(f"{model_dir} is a file; give the model directory that `gan-augment fit` wrote.")
    try:
        augmenter = GANAugmenter.load(model_dir)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RuntimeError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ModelFileError(
            f"{model_dir} could not be loaded ({type(exc).__name__}: {detail}); it is damaged or was "
            "written by an incompatible version of gan-augment."
        ) from exc
    return augmenter, read_sidecar(model_dir)


def read_sidecar(model_dir) -> dict:
    path = Path(model_dir) / SIDECAR
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path} is damaged ({exc}); fit the model again.") from exc
    if not isinstance(data, dict):
        raise ModelFileError(f"{path} is damaged (not a JSON object); fit the model again.")
    return data


def _is_model_dir(path: Path) -> bool:
    entries = [p.name for p in path.iterdir()]
    if not entries:
        return True
    meta = path / "model.json"
    if not meta.is_file():
        return False
    try:
        with open(meta, encoding="utf-8") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    # The header is pretty-printed JSON that starts with the format marker; reading it whole is not
    # needed (and a damaged model is still ours to replace).
    return '"format": "gan-augment"' in head and set(entries) <= {*_MODEL_FILES, SIDECAR}
