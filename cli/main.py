"""``gan-augment``: the command-line door.

    gan-augment fit DATA --classes rare          fit a model, save it to a directory
    gan-augment sample MODEL --class rare --n N  draw N synthetic rows (or PNG images) of one class
    gan-augment augment DATA --classes rare      fit and write real + synthetic rows (or a new image tree)
    gan-augment info MODEL                       what a saved model holds
    gan-augment demo                             the whole job on a bundled slice of UCI Adult
    gan-augment evaluate DATA --classes rare     cross-validate: no top-up vs baselines vs GAN, with intervals

DATA is a table (CSV / parquet) or an image folder (``DATA/<class>/*.png|jpg|...``), told apart
by :func:`gan_augment.data.image_folder.is_image_folder`.

Like every door it is thin: it validates, reads the data (``gan_augment.data``), calls
``GANAugmenter`` and writes the result. Everything that can be checked -- the target column, the
class names, the output paths, the device -- is checked before training starts, and no existing
file or model directory is replaced without ``--force``.

Errors are one line on stderr, ``Error: ...``, with exit code 2 for a usage error (a bad option
value, an unknown class or column, an output that already exists) and 1 for a data or model error
(an unreadable file, a damaged model, training that diverged). ``--debug`` adds the traceback.

torch, scikit-learn and pandas are imported inside the commands so that ``--help`` is instant.
"""

import contextlib
import enum
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer

from gan_augment import __version__
from gan_augment.config import LOSSES
from gan_augment.exceptions import DataValidationError, ModelFileError, TrainingDivergedError

from .evaluate import evaluate as _evaluate_command

PROG = "gan-augment"
DEFAULT_MODEL_DIR = Path("gan-augment-model")
USAGE, DATA = 2, 1  # exit codes


class CLIError(Exception):
    """An error the command line reports as one line, with its exit code."""

    def __init__(self, message: str, exit_code: int = DATA):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class _State:
    quiet = False
    debug = False


_state = _State()


# The GAN losses as the command line spells them (gan_augment.config.LOSSES); an Enum so that typer
# checks the value and lists the choices in --help.
Loss = enum.Enum("Loss", [(name.replace("-", "_"), name) for name in LOSSES], type=str)
Loss.__str__ = lambda self: self.value


# ============================================================================ shared options
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output (errors and results still print).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback of an error.")]
ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Replace the output if it exists.")]
DataArg = Annotated[Path, typer.Argument(
    metavar="DATA", show_default=False,
    help="A .csv or .parquet file, a directory holding one, or an image folder (one sub-folder per class).")]
ModelArg = Annotated[Path, typer.Argument(metavar="MODEL_DIR", help="A model directory written by `gan-augment fit`.",
                                          show_default=False)]
TargetOpt = Annotated[Optional[str], typer.Option(
    "--target", "-t", metavar="COLUMN", show_default=False,
    help="Target column. Default: the one column named label, target, class or y (any case).")]
ClassesOpt = Annotated[Optional[list[str]], typer.Option(
    "--classes", "-c", metavar="NAMES", show_default=False,
    help="Class(es) to top up to the majority count; repeat the option or separate names with commas. "
         "Default: every class but the majority.")]
EpochsOpt = Annotated[Optional[int], typer.Option(
    "--epochs", "-e", min=1, metavar="N", show_default=False,
    help="Passes over the data. Default: auto (about 3,000 generator updates for tables, 2,000 for images).")]
BatchOpt = Annotated[Optional[int], typer.Option(
    "--batch-size", min=1, metavar="N", show_default=False,
    help="Rows (images) per training batch. Default: 500 for tables, 64 for images.")]
LossOpt = Annotated[Optional[Loss], typer.Option(
    "--loss", show_default=False, help="GAN loss. Default: wgan-gp for tables, hinge for images.")]
SkipUnreadableOpt = Annotated[bool, typer.Option(
    "--skip-unreadable", help="Image folders: leave out image files that cannot be decoded (counted) "
                              "instead of stopping.")]
SeedOpt = Annotated[Optional[int], typer.Option(
    "--seed", "-s", metavar="S", show_default=False,
    help="Random seed: the same seed gives the same model and rows on CPU.")]
DeviceOpt = Annotated[str, typer.Option("--device", metavar="DEVICE", help="auto, cpu, cuda or cuda:N.")]


def _version_callback(value: bool):
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name=PROG,
    help="Top up rare classes of a table or an image folder with samples from a class-conditional GAN.",
    epilog="Exit codes: 0 success, 1 data or model error, 2 usage error. "
           "Try 'gan-augment demo' to see the whole job on a bundled dataset.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
):
    _set_flags(quiet, debug)


# ============================================================================ commands
@app.command()
def fit(
    data: DataArg,
    classes: ClassesOpt = None,
    target: TargetOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="MODEL_DIR",
                                      help="Directory to save the model to.")] = DEFAULT_MODEL_DIR,
    epochs: EpochsOpt = None,
    batch_size: BatchOpt = None,
    loss: LossOpt = None,
    seed: SeedOpt = None,
    device: DeviceOpt = "auto",
    skip_unreadable: SkipUnreadableOpt = False,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Fit a GAN on DATA and save it to a model directory (read by `sample` and `info`).

    For an image folder the model directory also gets a grid of samples per class (PNG)."""
    _set_flags(quiet, debug)
    from ._model_dir import check_model_out, save_model

    with _errors(USAGE, FileExistsError, DataValidationError):
        check_model_out(out, force=force)
    job = _prepare(data, target, classes, epochs=epochs, batch_size=batch_size, loss=loss, seed=seed,
                   device=device, skip_unreadable=skip_unreadable)
    seconds = _train(job)
    with _errors(USAGE, FileExistsError):
        save_model(job.augmenter, out, job.dataset_info(seconds), force=force)
    _say(f"Saved the model to {out}/ (fit in {seconds:.1f} s).")
    label = next(iter(job.added_labels()), job.labels[0])
    if job.images:
        _say(f"Sample grids: {out}/samples_*.png. Next: {PROG} sample {_quote(out)} --class {_quote(label)} "
             "--n 100 --out synthetic/")
    else:
        _say(f"Next: {PROG} sample {_quote(out)} --class {_quote(label)} --n 1000 --out synthetic.csv")


@app.command()
def sample(
    model_dir: ModelArg,
    cls: Annotated[str, typer.Option("--class", metavar="CLASS", show_default=False,
                                     help="The class of the rows to generate.")],
    n: Annotated[int, typer.Option("--n", "-n", min=0, metavar="N", show_default=False,
                                   help="How many rows.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE|DIR", show_default=False,
        help="Tables: output .csv or .parquet file ('-' writes CSV to stdout). Images: a directory; "
             "the PNGs go to DIR/<class>/.")],
    seed: SeedOpt = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Write N synthetic rows (target column included) or N PNG images of one class from a saved model."""
    _set_flags(quiet, debug)
    from ._model_dir import load_model

    names_file = str(out) == "-" or bool(out.suffix)
    if names_file:  # a table's output is checked before the model is even read
        _check_table_out(out, force)
    augmenter, dataset_info = load_model(model_dir)
    is_image = augmenter.kind_ == "image"
    if is_image and names_file:
        raise CLIError(f"--out {out}: {model_dir} makes images, written as PNG files into a directory; "
                       "give a directory, e.g. --out synthetic/.", USAGE)
    if not is_image:
        _check_table_out(out, force)
    from gan_augment._classes import resolve_class

    with _errors(USAGE, ValueError):
        label = resolve_class(cls, list(augmenter.classes_))
    if is_image:
        from gan_augment.data.image_folder import write_class_samples

        if n == 0:
            raise CLIError("--n 0: there is no image to write; ask for at least one.", USAGE)
        images = augmenter.encoder_.to_pixels(augmenter.sample(n, label, random_state=seed))
        with _errors(USAGE, FileExistsError, DataValidationError):
            folder = write_class_samples(images, str(_plain(label)), out, force=force)
        _say(f"Wrote {n:,} synthetic images of class {_show(label)} to {folder}/.")
        return
    rows = augmenter.sample(n, label, random_state=seed)
    table = _with_target(rows, label, augmenter, dataset_info)
    _write(table, out, force)
    _say(f"Wrote {n:,} synthetic rows of class {_show(label)} to {_where(out)}.")


@app.command()
def augment(
    data: DataArg,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE|DIR", show_default=False,
        help="Tables: output .csv or .parquet file ('-' writes CSV to stdout). Image folders: a NEW "
             "directory for the real images plus synthetic_*.png files.")],
    classes: ClassesOpt = None,
    target: TargetOpt = None,
    mark_synthetic: Annotated[Optional[str], typer.Option(
        "--mark-synthetic", metavar="COLUMN", show_default=False,
        help="Tables: add a boolean column of this name, true on synthetic rows.")] = None,
    epochs: EpochsOpt = None,
    batch_size: BatchOpt = None,
    loss: LossOpt = None,
    seed: SeedOpt = None,
    device: DeviceOpt = "auto",
    skip_unreadable: SkipUnreadableOpt = False,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Fit on DATA and write it with synthetic samples topping up the chosen classes.

    Tables: the rows followed by synthetic rows. Image folders: a new tree in --out holding copies
    of the real images and synthetic_*.png files; DATA itself is never touched."""
    _set_flags(quiet, debug)
    import pandas as pd

    if _is_image_folder(data):
        if target is not None or mark_synthetic is not None:
            raise CLIError(f"{data} is an image folder: its classes are its sub-folders and synthetic files are "
                           "named synthetic_*.png; drop --target / --mark-synthetic.", USAGE)
        _augment_images(data, out, classes, epochs=epochs, batch_size=batch_size, loss=loss, seed=seed,
                        device=device, skip_unreadable=skip_unreadable, force=force)
        return
    _check_table_out(out, force)
    # The progress bar draws on stdout; keep it out of a table written there.
    job = _prepare(data, target, classes, epochs=epochs, batch_size=batch_size, loss=loss, seed=seed,
                   device=device, progress=str(out) != "-")
    if mark_synthetic is not None and mark_synthetic in [str(c) for c in job.frame.columns]:
        raise CLIError(f"--mark-synthetic {mark_synthetic!r} is already a column of {data}; choose another name.",
                       USAGE)
    seconds = _train(job)
    parts = [job.frame]
    added = {}
    for label, n_new in job.augmenter.sampling_strategy_.items():
        if n_new > 0:
            rows = job.augmenter.sample(int(n_new), label)
            parts.append(_with_target(rows, label, job.augmenter, job.dataset_info(seconds)))
            added[label] = int(n_new)
    table = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)[job.frame.columns]
    if mark_synthetic is not None:
        table[mark_synthetic] = pd.Series([False] * len(job.frame) + [True] * (len(table) - len(job.frame)),
                                          dtype=bool)
    _write(table, out, force)
    what = ", ".join(f"{_show(k)} +{v:,}" for k, v in added.items()) or "nothing to add"
    _say(f"Wrote {len(table):,} rows ({len(job.frame):,} real, {len(table) - len(job.frame):,} synthetic: "
         f"{what}) to {_where(out)} (fit in {seconds:.1f} s).")


def _augment_images(data, out, classes, *, force, **settings) -> None:
    from gan_augment.data.image_folder import check_tree_out, write_augmented_tree

    with _errors(USAGE, FileExistsError, DataValidationError):
        check_tree_out(data, out, force=force)  # before any work; the writer checks again
    job = _prepare(data, None, classes, **settings)
    seconds = _train(job)
    synthetic = {str(label): job.augmenter.encoder_.to_pixels(job.augmenter.sample(int(n_new), label))
                 for label, n_new in job.augmenter.sampling_strategy_.items() if n_new > 0}
    with _errors(USAGE, FileExistsError, DataValidationError):
        write_augmented_tree(job.folder, out, synthetic, force=force)
    what = ", ".join(f"{_show(k)} +{len(v):,}" for k, v in synthetic.items()) or "nothing to add"
    _say(f"Wrote {len(job.folder.files):,} real and {sum(map(len, synthetic.values())):,} synthetic images "
         f"({what}) to {out}/ (fit in {seconds:.1f} s).")


@app.command()
def info(
    model_dir: ModelArg,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Show what a saved model holds: classes, columns, training, versions."""
    _set_flags(quiet, debug)
    from ._model_dir import load_model
    from gan_augment.checkpoint import load_state

    augmenter, dataset_info = load_model(model_dir)
    versions = load_state(model_dir, kind="model").get("versions", {})
    echo = typer.echo
    echo(f"Model directory: {model_dir}")
    if dataset_info:
        what = (f"{dataset_info.get('n_rows', '?'):,} images)" if augmenter.kind_ == "image" else
                f"{dataset_info.get('n_rows', '?'):,} rows), target column {dataset_info.get('target')!r}")
        echo(f"Fitted on:       {dataset_info.get('source', '?')} ({what}"
             + (f", {dataset_info['created']}" if dataset_info.get("created") else ""))
    echo("")
    unit = "images" if augmenter.kind_ == "image" else "rows"
    echo(f"Classes         real {unit:<6}    {unit} added by augment")
    width = max(12, *(len(_show(c)) for c in augmenter.classes_))
    for label in augmenter.classes_:
        key = _plain(label)
        count = augmenter.class_counts_.get(key, 0)
        add = augmenter.sampling_strategy_.get(key)
        echo(f"  {_show(key):<{width}}  {count:>9,}    {('+' + format(add, ',')) if add else '-':>8}")
    echo("")
    if augmenter.kind_ == "image":
        codec, config = augmenter.encoder_, augmenter.model_config_
        c, h, w = codec.image_shape_
        echo(f"Images:    {'grayscale' if c == 1 else 'RGB'} {h}x{w} ({codec.layout_}, {codec.dtype_}), "
             f"worked on at {codec.resolution_}x{codec.resolution_} by a {config.architecture} GAN")
        echo(f"Sample grids: {model_dir}/samples_*.png")
    else:
        columns = augmenter.encoder_.columns_
        echo(f"Columns ({len(columns)}):")
        name_width = max(8, *(len(str(spec["name"])) for spec in columns))
        for spec in columns:
            echo(f"  {str(spec['name']):<{name_width}}  {_describe_column(spec)}")
    history = augmenter.history_
    params = augmenter.get_params()
    echo("")
    if len(history):
        last = history[-1]
        seconds = sum(record.get("time_s", 0.0) for record in history)
        training = augmenter.training_config_
        echo(f"Training:  {len(history)} epoch{'s' if len(history) != 1 else ''} in {seconds:.1f} s; loss {training.loss}, "
             f"batch {training.batch_size}, seed {params['random_state']}")
        echo(f"Final losses:  D {last['loss_d']:+.4f}   G {last['loss_g']:+.4f}")
    if versions:
        echo("Versions:  " + ", ".join(f"{k} {v}" for k, v in versions.items()))


@app.command()
def demo(
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", metavar="DIR", show_default=False,
        help="Also save the model, the augmented training rows and the test rows here.")] = None,
    epochs: Annotated[Optional[int], typer.Option(
        "--epochs", "-e", min=1, metavar="N", show_default=False,
        help="Training epochs. Default: a number that keeps the demo near a minute on 2 CPU cores.")] = None,
    seed: Annotated[int, typer.Option("--seed", "-s", metavar="S", help="Random seed.")] = 0,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Top up a rare class of a bundled slice of UCI Adult and check the effect on a held-out split."""
    _set_flags(quiet, debug)
    from . import demo as demo_module

    demo_module.run(out=out, epochs=epochs, seed=seed, force=force, quiet=_state.quiet, echo=typer.echo, say=_say)


app.command(name="evaluate")(_evaluate_command)


# ============================================================================ the job
class _Job:
    """Everything validated before training: the table, the target, the plan, the augmenter."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def added_labels(self):
        return [label for label, n in self.plan.items() if n > 0]

    def dataset_info(self, seconds) -> dict:
        info = {
            "source": str(self.data),
            "n_rows": int(len(self.y)),
            "fit_seconds": round(float(seconds), 3),
            "created": time.strftime("%Y-%m-%d %H:%M:%S"),
            "gan_augment": __version__,
        }
        if not self.images:
            info.update(target=_plain(self.target), target_dtype=_dtype_to_json(self.y.dtype),
                        columns=[_plain(c) for c in self.frame.columns])
        return info


def _is_image_folder(data) -> bool:
    from gan_augment.data.image_folder import is_image_folder

    return is_image_folder(data)


def _load_images(data, classes, skip_unreadable):
    """``(folder, X, y, labels)`` for an image folder, like :func:`_load_table` for a table."""
    import pandas as pd

    from gan_augment.data import io
    from gan_augment.data.image_folder import read_image_folder

    with _errors(DATA, DataValidationError, OSError):
        folder = read_image_folder(data, skip_unreadable=skip_unreadable)
    y = pd.Series(folder.labels, name="class")
    labels = None
    if classes:
        with _errors(USAGE, DataValidationError):
            labels = io.resolve_classes(classes, y)
    n, h, w, c = folder.images.shape
    _say(f"Read {n:,} {'grayscale' if c == 1 else 'RGB'} images of {h}x{w} px in {len(folder.classes)} class "
         f"folders from {data}" + (f"; skipped {len(folder.skipped)} non-image files" if folder.skipped else "")
         + (f" and {len(folder.unreadable)} unreadable images" if folder.unreadable else "") + ".")
    return folder, folder.images, y, labels


def _load_table(data, target, classes):
    """``(frame, target_name, X, y, labels)``: an unreadable file is a data error (exit 1); a target
    or class that is not named right is a usage error (exit 2). ``labels`` is None without classes."""
    from gan_augment.data import io

    with _errors(DATA, DataValidationError, OSError):
        frame = io.read_table(data)
    with _errors(USAGE, DataValidationError):
        target_name = io.find_target(frame.columns, target, source=str(data))
    with _errors(DATA, DataValidationError):
        X, y = io.split_target(frame, target_name, source=str(data))
    labels = None
    if classes:
        with _errors(USAGE, DataValidationError):
            labels = io.resolve_classes(classes, y)
    return frame, target_name, X, y, labels


def _prepare(data, target, classes, *, epochs, batch_size, loss, seed, device, progress=True,
             skip_unreadable=False) -> _Job:
    images = _is_image_folder(data)
    if images:
        if target is not None:
            raise CLIError(f"--target names a table column, but {data} is an image folder whose classes are its "
                           "sub-folders; drop --target.", USAGE)
        folder, X, y, labels = _load_images(data, classes, skip_unreadable)
        frame, target_name = None, None
    else:
        frame, target_name, X, y, labels = _load_table(data, target, classes)
        folder = None
    counts = y.value_counts(sort=False)
    if len(counts) < 2:
        where = f"{data} holds a single class folder" if images else \
            f"Target column {str(target_name)!r} of {data} holds a single class"
        raise CLIError(f"{where} ({_show(counts.index[0])}); there is nothing to top up.", DATA)
    majority = int(counts.max())
    if labels is None:  # imbalanced-learn's "auto": every class but the (first) majority
        top = counts.idxmax()
        plan = {label: majority - int(n) for label, n in counts.items() if label != top}
    else:
        plan = {label: majority - int(counts[label]) for label in labels}

    device = _check_device(device)
    from gan_augment.augmenter import GANAugmenter

    augmenter = GANAugmenter(
        sampling_strategy="auto", classes=labels, epochs=epochs if epochs is not None else "auto",
        batch_size=batch_size if batch_size is not None else "auto",
        loss=str(loss.value if isinstance(loss, Loss) else loss or "auto"), random_state=seed,
        device=device, verbose=int(progress and not _state.quiet),
    )
    if not images:
        _say(f"Read {len(frame):,} rows x {frame.shape[1]} columns from {data}; target column {str(target_name)!r}.")
    _say("Class counts: " + ", ".join(f"{_show(k)} {int(v):,}" for k, v in counts.sort_values(ascending=False).items()))
    to_add = [(k, v) for k, v in plan.items() if v > 0]
    if to_add:
        _say("Top-up plan:  " + ", ".join(f"{_show(k)} +{v:,} (to {majority:,})" for k, v in to_add))
    for label, n_new in plan.items():
        if n_new <= 0:
            _warn(f"class {_show(label)} already has the majority count ({majority:,}); no rows will be added to it.")
    return _Job(data=data, frame=frame, folder=folder, images=images, X=X, y=y, target=target_name,
                labels=labels or list(plan), plan=plan, augmenter=augmenter)


def _train(job: _Job) -> float:
    started = time.perf_counter()
    try:
        job.augmenter.fit(job.X, job.y)
    except KeyboardInterrupt:
        raise CLIError("Interrupted during training; nothing was written.", 130) from None
    return time.perf_counter() - started


def _check_device(device: str):
    if device in ("auto", "cpu"):
        return device
    from gan_augment.training.trainer import resolve_device

    try:
        return str(resolve_device(device))
    except (ValueError, RuntimeError) as exc:
        raise CLIError(f"--device {device!r}: {_one_line(exc)}", USAGE) from None


# ============================================================================ output helpers
def _check_table_out(out: Path, force: bool) -> None:
    if str(out) == "-":
        return
    from gan_augment.data import io

    with _errors(USAGE, DataValidationError, FileExistsError):
        io.check_output_path(out, force=force)


def _write(table, out: Path, force: bool) -> None:
    if str(out) == "-":
        table.to_csv(sys.stdout, index=False)
        return
    from gan_augment.data import io

    with _errors(USAGE, FileExistsError):
        io.write_table(table, out, force=force)


def _with_target(rows, label, augmenter, dataset_info: dict):
    """Generated feature rows plus the target column (holding ``label``), where it was in the data."""
    import pandas as pd

    if not isinstance(rows, pd.DataFrame):
        names = list(getattr(augmenter, "feature_names_in_", [])) or [f"x{i}" for i in range(rows.shape[1])]
        rows = pd.DataFrame(rows, columns=names)
    target = dataset_info.get("target")
    if target is None:
        target = "target"
        while target in rows.columns:
            target = f"_{target}"
    column = pd.Series([_plain(label)] * len(rows), dtype=object)
    dtype = dataset_info.get("target_dtype")
    if dtype:
        try:
            from gan_augment.data.tabular import dtype_from_json

            column = column.astype(dtype_from_json(dtype))
        except (TypeError, ValueError, KeyError):
            pass  # an unknown dtype record: keep the labels as they are
    columns = dataset_info.get("columns") or []
    position = columns.index(target) if target in columns else len(rows.columns)
    rows = rows.copy()
    rows.insert(min(position, len(rows.columns)), target, column)
    return rows


def _dtype_to_json(dtype):
    # The encoder's own record of a dtype, so that the target column round-trips like the others.
    from gan_augment.data.tabular import dtype_to_json

    try:
        return dtype_to_json(dtype)
    except (TypeError, ValueError):
        return str(dtype)


def _dtype_name(spec) -> str:
    if isinstance(spec, dict) and "categorical" in spec:
        return "category"
    if isinstance(spec, dict) and "string" in spec:
        return "str" if spec.get("na_value") == "nan" else f"string[{spec['string']}]"
    return str(spec)


def _describe_column(spec: dict) -> str:
    dtype = _dtype_name(spec.get("dtype"))
    missing = ", has missing values" if spec.get("has_missing") else ""
    if spec.get("kind") == "numeric":
        kind = "whole numbers" if spec.get("is_integer") else "real numbers"
        modes = len(spec.get("means", []))
        return (f"numeric      {dtype}, {kind} in [{_num(spec.get('min'))}, {_num(spec.get('max'))}], "
                f"{modes} mode{'s' if modes != 1 else ''}{missing}")
    n_values = len(spec.get("categories", [])) + len(spec.get("other", []))
    return f"categorical  {dtype}, {n_values} value{'s' if n_values != 1 else ''}{missing}"


# ============================================================================ small helpers
def _set_flags(quiet: bool, debug: bool) -> None:
    _state.quiet = _state.quiet or bool(quiet)
    _state.debug = _state.debug or bool(debug)


def _say(message: str) -> None:
    """Progress output: to stderr (stdout stays clean for data), silenced by --quiet."""
    if not _state.quiet:
        typer.echo(message, err=True)


def _warn(message: str) -> None:
    typer.echo(f"Warning: {message}", err=True)


@contextlib.contextmanager
def _errors(exit_code: int, *types):
    """Report exceptions of ``types`` raised in the block as a one-line error with ``exit_code``."""
    try:
        yield
    except types as exc:
        raise CLIError(_message(exc), exit_code) from exc


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename and exc.strerror and not isinstance(exc, FileExistsError):
        return f"{exc.filename}: {exc.strerror}."
    return _one_line(exc)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _plain(value):
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def _show(label) -> str:
    return repr(_plain(label)) if isinstance(_plain(label), str) else str(_plain(label))


def _quote(value) -> str:
    import shlex

    return shlex.quote(str(_plain(value)))


def _num(value) -> str:
    return "?" if value is None else f"{value:g}"


def _where(out: Path) -> str:
    return "stdout" if str(out) == "-" else str(out)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    typer.echo(f"Warning: {message}", err=True)


# ============================================================================ entry point
def main(argv=None, *, prog_name: str = PROG) -> int:
    """Run the command line; returns the exit code (the console script passes it to sys.exit)."""
    args = sys.argv[1:] if argv is None else [str(a) for a in argv]
    _state.quiet, _state.debug = False, "--debug" in args
    if not args:
        args = ["--help"]
    with warnings.catch_warnings():
        if not _state.debug:
            warnings.showwarning = _show_warning
        try:
            result = app(args=args, prog_name=prog_name, standalone_mode=False)
        except typer.Exit as exc:
            return exc.exit_code
        except typer.Abort:
            return _fail("Aborted.", 1)
        except KeyboardInterrupt:
            return _fail("Interrupted.", 130)
        except typer.TyperException as exc:  # a usage error found while parsing the command line
            hint = ""
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                hint = f" (see '{ctx.command_path} --help')"
            return _fail(exc.format_message() + hint, getattr(exc, "exit_code", USAGE))
        except CLIError as exc:
            return _fail(exc.message, exc.exit_code)
        except (DataValidationError, ModelFileError, TrainingDivergedError) as exc:
            return _fail(_one_line(exc), DATA)
        except OSError as exc:
            return _fail(_message(exc), DATA)
        except Exception as exc:  # a bug or an error not foreseen: still one line, unless --debug
            return _fail(f"{type(exc).__name__}: {_one_line(exc)}"
                         + ("" if _state.debug else " (run again with --debug for the traceback)"), DATA)
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


def _fail(message: str, exit_code: int) -> int:
    if _state.debug and sys.exc_info()[0] is not None:
        traceback.print_exc(file=sys.stderr)
    typer.echo(f"Error: {message}", err=True)
    return exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
