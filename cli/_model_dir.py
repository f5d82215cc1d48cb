"""Model directories as the command line writes them: a saved GANAugmenter whose metadata holds
what the command line needs besides the model (the target column's name, position and dtype, where
the data came from), under the key ``"dataset"``.

Saving is atomic and never replaces a folder that is not a gan-augment model (see
:func:`gan_augment.checkpoint.save_state`); on top of that the command line replaces an existing
model only when asked (``--force``), and says so before any training starts.
"""

from __future__ import annotations

from pathlib import Path

from gan_augment._listing import first_few
from gan_augment.checkpoint import (check_state_target, foreign_entries, holds_state, is_state_directory,
                                    recover_interrupted_save)
from gan_augment.exceptions import DataValidationError, ModelFileError


def check_model_out(out, *, force: bool) -> None:
    """Raise FileExistsError unless a model directory may be written at ``out``."""
    from gan_augment._fs import check_parent_writable as _check_parent_writable, refuse_linked_output

    out = Path(out)
    if str(out) == "-":  # elsewhere "-o -" is stdout: it saved the model into a folder named "-"
        raise FileExistsError("--out -: a model is a directory and cannot go to standard output; give --out DIR "
                              "(./- for a folder of that name).")
    # A model whose replacement was killed between its two renames is put back first: it is
    # there to be refused (or replaced with --force) now, not found only when the new one is saved.
    recover_interrupted_save(out)
    _check_parent_writable(out)  # DataValidationError: a file in the way, no permission, a name too long
    refuse_linked_output(out, "--out")
    if not out.exists():
        return
    if not out.is_dir():
        raise FileExistsError(f"{out} exists and is a file, not a model directory; choose another --out.")
    foreign = foreign_entries(out)
    if foreign and holds_state(out):  # a model the user put their own files beside
        raise FileExistsError(
            f"{out} holds a gan-augment model, but also {first_few(foreign)}, which replacing it would delete, so it "
            "is not replaced even with --force; move that out of it, or choose another --out.")
    if not is_state_directory(out):
        raise FileExistsError(
            f"{out} exists and is not a gan-augment model directory, so it is not replaced even "
            "with --force; choose another --out."
        )
    check_state_target(out, kind="model")  # before --force is advised: a checkpoint (or the cwd) is never replaced
    if not force:
        raise FileExistsError(f"{out} already exists; pass --force to replace it, or choose another --out.")


def check_outside_model(out, model_dir, option: str = "--out") -> None:
    """Refuse an ``out`` (given as ``option``) of ``sample`` / ``augment --model`` / ``evaluate
    --model`` that is or lies in ``model_dir``: a file written there is not the model's, and ``fit
    --force`` then refused to replace the model."""
    from ._common import USAGE, CLIError, is_stdout

    if is_stdout(out):
        return
    given = out
    try:
        out, model = Path(out).resolve(), Path(model_dir).resolve()
    except (OSError, RuntimeError):  # a link loop: the output checks say so
        return
    if out == model or model in out.parents:
        raise CLIError(f"{option} {given} {'is' if out == model else 'lies inside'} the model directory {model_dir}; "
                       "a model directory holds the model alone (fit --force would not replace it beside your files). "
                       f"Choose {option} outside it.", USAGE)


def save_model(augmenter, out, dataset: dict, *, force: bool) -> Path:
    """Save ``augmenter`` with ``dataset`` (target column, source) to directory ``out``, atomically.

    Without ``force`` a directory that another run wrote at ``out`` meanwhile (after the check
    before training, even after the check just below) is kept: the final rename refuses it."""
    check_model_out(out, force=force)  # again: something may have appeared while training
    # The progress bar was this command's display, not a setting of the model: loaded in Python
    # (evaluate_augmentation, AugmentedDataset), it would print every epoch of every fit.
    augmenter.set_params(verbose=0)
    augmenter.save(out, metadata={"dataset": dataset}, overwrite=force)
    return Path(out)


def load_model(model_dir):
    """``(augmenter, dataset)`` from a model directory; ``dataset`` is ``{}`` if none was saved."""
    from gan_augment.augmenter import GANAugmenter

    model_dir = Path(model_dir)
    recover_interrupted_save(model_dir)  # as GANAugmenter.load does, before "does not exist"
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
    if not isinstance(augmenter.metadata_, dict):
        raise ModelFileError(f"{model_dir}/model.json holds damaged metadata; fit the model again.")
    dataset = augmenter.metadata_.get("dataset", {})
    if _is_command_line_record(dataset):
        return augmenter, dataset
    # Not the command line's record: a model saved from Python, perhaps with a value of the user's
    # own (metadata={"dataset": "adult.csv"}, or a dict of other meaning). A table's target column
    # is the name y had in the fit, unless a feature column is written under that name too (an
    # array's columns are written x0, x1, ...).
    name = augmenter.target_name_
    if name is None or augmenter.kind_.name != "tabular":
        return augmenter, {}
    features = getattr(augmenter, "feature_names_in_", [f"x{i}" for i in range(augmenter.n_features_in_)])
    return augmenter, {} if name in list(features) else {"target": name}


#: The entries of the command line's "dataset" record that it reads back, and their types; every
#: record it writes names its source.
_RECORD_TYPES = {"source": str, "source_resolved": str, "created": str, "n_rows": int, "columns": list,
                 "na_values": list, "sixteen_bit": bool, "bilevel": bool, "target": (str, int, float),
                 "target_dtype": (str, dict)}


def load_with_model_target(handler, data, target, model_dir, dataset_info: dict, **options):
    """``handler.load(data, ...)`` for a command given ``--model``: the target column is the one
    the model was fitted with unless ``target`` names one (``fit --target COL`` need not be repeated)."""
    from ._common import CLIError

    model_target = dataset_info.get("target") if target is None else None
    try:
        return handler.load(data, target=target if target is not None else model_target, **options)
    except CLIError as exc:
        if model_target is None or f"has no column {str(model_target)!r}" not in exc.message:
            raise
        # The user never named that column: it is the model's.
        raise CLIError(f"{exc.message} {model_dir} was fitted with the target column {str(model_target)!r}; name "
                       "DATA's target column with --target.", exc.exit_code) from None


def fitted_by_command_line(dataset: dict) -> bool:
    """Whether the model's record (as :func:`load_model` gives it) is one that ``fit`` wrote, which
    names its source, its row count and when, not a record of the user's own of the same name
    (``metadata={"dataset": {"source": ...}}`` from Python)."""
    return all(key in dataset for key in ("source", "created", "n_rows"))


def _is_command_line_record(dataset) -> bool:
    return isinstance(dataset, dict) and "source" in dataset and all(
        _of_type(dataset[key], kind) for key, kind in _RECORD_TYPES.items() if key in dataset)


def _of_type(value, kind) -> bool:
    """``isinstance``, except that a bool is no number (True is an int to Python)."""
    return kind is bool if isinstance(value, bool) else isinstance(value, kind)


def check_model_kind(augmenter, handler, model_dir, data) -> None:
    """A model fitted on one kind of data (tables, images) is refused for DATA of another, before
    any work: its settings would not mean the same there."""
    from ._common import USAGE, CLIError
    from ._handlers import for_model

    if for_model(augmenter).kind_name != handler.kind_name:
        raise CLIError(f"{model_dir} models {augmenter.kind_.name} data, but {data} is not; give a model fitted on data "
                       "like DATA.", USAGE)


def model_plan(model_dir, y, sampling_strategy, classes, *, draws_from_model: bool = False) -> dict:
    """The top-up that a saved model's own ``sampling_strategy`` / ``classes`` ask of DATA's labels
    ``y`` (as `info` shows it), or a one-line error saying that they do not fit DATA and what to do
    (``draws_from_model``: the rows are drawn from the model, which knows its classes only by its
    own spelling, as `augment --model` draws them; `evaluate --model` fits anew)."""
    from gan_augment import planner

    from ._common import USAGE, CLIError, show

    try:
        return planner.plan_top_up(y, sampling_strategy, classes)
    except (ValueError, TypeError) as exc:  # (a strategy set after the fit, e.g. None, is a TypeError)
        own = (f"the classes {', '.join(show(c) for c in classes)}" if classes is not None
               else f"sampling_strategy={sampling_strategy!r}")
        said = str(exc) if str(exc).endswith(("?", ".")) else f"{exc}."  # ("Did you mean 'Rare'?" then ". Name")
        fix = "Name the classes to top up with --classes."
        if draws_from_model and classes is not None and not {str(c) for c in classes} <= {str(label) for label in y}:
            # (--classes Rare, as "Did you mean" had it, was refused next: the model has no class 'Rare')
            fix = ("Name the classes to top up with --classes, among those the model knows too; DATA's labels are "
                   "drawn by the model's spelling of them, so re-spell them in DATA, or fit a model on DATA.")
        raise CLIError(f"{model_dir} tops up {own}, which does not fit DATA: {said} {fix}", USAGE) from None


def fitted_na_values(dataset_info: dict, data: Path, na_values, model_dir: Path):
    """What DATA's missing cells are read as: ``na_values`` (--na-values) where given, else those the
    model was fitted with (said) where DATA is a delimited file, as they name how its missing cells
    are spelt (a "?" the fit read as missing was otherwise a category the model never learned)."""
    if na_values or not dataset_info.get("na_values"):
        return na_values
    from gan_augment.data import io

    from ._common import quote, say

    try:
        path = io.resolve_table_path(data)
    except (DataValidationError, OSError):
        return na_values  # reading DATA says what is wrong
    if io.FORMATS.get(path.suffix.lower()) != "csv":  # parquet keeps its missing values typed
        return na_values
    read_as = [str(value) for value in dataset_info["na_values"]]
    say(f"Missing cells are read as {model_dir} was fitted: " + " ".join(f"--na-values {quote(v)}" for v in read_as))
    return read_as
