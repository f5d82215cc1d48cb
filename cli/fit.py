"""``gan-augment fit DATA``: fit a GAN and save it to a model directory (read by ``sample`` and ``info``).

With ``--checkpoint-dir DIR`` the training state is saved to DIR every ``--checkpoint-every``
epochs, and ``--resume`` continues a run that was killed from its last checkpoint (bit-identical to
an uninterrupted run on CPU). A DIR that already holds something is used only with ``--resume``, so
that a second run with other data cannot mix with, or silently continue, the first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from gan_augment.exceptions import DataValidationError

from ._common import (DEFAULT_MODEL_DIR, USAGE, Architecture, ArchitectureOpt, BatchOpt, CategoricalOpt, ClassesOpt,
                      CLIError, DataArg, DebugOpt, DeviceOpt, EarlyStoppingOpt, InEveryClassOpt,
                      EpochsOpt, ForceOpt, GeneratorsOpt, LabelGateOpt, LossOpt, MaxCategoriesOpt, Method, MethodOpt,
                      MinClassSizeOpt, NaValuesOpt, NoRoundingOpt, NoRulesOpt, Precision,
                      PrecisionOpt, QuietOpt, SeedOpt,
                      SepOpt, SkipUnreadableOpt, TargetOpt, ThreadsOpt, check_processes, check_sep, check_threads, errors,
                      quote_path, say, set_flags, writing)
from ._job import Settings, prepare, train


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
    precision: PrecisionOpt = Precision("float32"),
    generators: GeneratorsOpt = None,
    label_gate: LabelGateOpt = None,
    method: MethodOpt = Method.gan,
    architecture: ArchitectureOpt = Architecture("auto"),
    threads: ThreadsOpt = "auto",
    na_values: NaValuesOpt = None,
    sep: SepOpt = None,
    categorical: CategoricalOpt = None,
    max_categories: MaxCategoriesOpt = None,
    min_class_size: MinClassSizeOpt = None,
    no_rounding: NoRoundingOpt = False,
    no_rules: NoRulesOpt = False,
    early_stopping: EarlyStoppingOpt = False,
    in_every_class: InEveryClassOpt = False,
    skip_unreadable: SkipUnreadableOpt = False,
    checkpoint_dir: Annotated[Optional[Path], typer.Option(
        "--checkpoint-dir", metavar="DIR", show_default=False,
        help="Save the training state to DIR as training goes (a new or empty folder; delete it once the model "
             "is saved), so that a run that is killed can be continued with --resume.")] = None,
    checkpoint_every: Annotated[Optional[int], typer.Option(
        "--checkpoint-every", min=1, metavar="N", show_default=False,
        help="Epochs between checkpoints (with --checkpoint-dir). Default: 10.")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue the training saved in --checkpoint-dir (same DATA and options); an absent or "
                         "empty folder starts afresh.")] = False,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Fit a GAN on DATA and save it to a model directory (read by `sample` and `info`).

    For an image folder the model directory also gets a grid of samples per class (PNG). Under
    `torchrun --nproc-per-node N -m gan_augment fit ...` the N processes train data-parallel and
    rank 0 alone prints and saves."""
    set_flags(quiet, debug)
    writes = check_processes("fit", data_parallel=True)
    from ._handlers import for_path
    from ._model_dir import check_model_out, save_model

    _check_checkpoint_args(checkpoint_dir, checkpoint_every, resume, out, generators)
    # The output is checked first: a typo in --out must not cost a training run.
    with errors(USAGE, FileExistsError, DataValidationError):
        check_model_out(out, force=force)
    resuming = _check_checkpoint_dir(checkpoint_dir, resume) if checkpoint_dir is not None else None
    handler = for_path(data)
    handler.check_fit_out(data, out, checkpoint_dir)
    job = prepare(data, handler, target=target, classes=classes,
                  settings=Settings(epochs=epochs, batch_size=batch_size, loss=loss, seed=seed, device=device,
                                    threads=check_threads(threads), precision=str(precision),
                                    n_generators=generators, label_gate=label_gate, method=method,
                                    architecture=str(architecture),
                                    skip_unreadable=skip_unreadable, na_values=na_values, sep=check_sep(sep),
                                    categorical=categorical, max_categories=max_categories,
                                    min_class_size=min_class_size,
                                    round_to_observed=not no_rounding, detect_rules=not no_rules,
                                    early_stopping=early_stopping, in_every_class=in_every_class,
                                    checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every))
    # In every fit, said or not: a checkpoint keys callbacks' state by their position.
    job.augmenter.set_params(callbacks=[_SayOnce(resuming or "")])
    seconds = train(job)
    if not writes:  # another process of a torchrun job; rank 0 saves
        return
    # Interrupted now, the checkpoint holds the whole training: --resume saves it without training.
    then = (f" The training is kept in {checkpoint_dir}/: run the same command with --resume to save the model."
            if checkpoint_dir is not None else "")
    with errors(USAGE, FileExistsError), writing(out, "the model", then=then):
        save_model(job.augmenter, out, job.dataset_info(seconds), force=force)
    say(f"Saved the model to {out}/ (fit in {seconds:.1f} s).")
    if checkpoint_dir is not None:
        say(f"The checkpoint in {checkpoint_dir}/ is no longer needed; delete it (rm -r {quote_path(checkpoint_dir)}).")
    label = _hint_label(job.augmenter, [*job.added_labels(), *job.labels])
    if label is not None:  # None: the label gate refuses every class (the fit warned of it)
        say(handler.next_hint(out, label))


def _hint_label(augmenter, labels: list) -> Optional[Any]:
    """The first of ``labels`` that ``sample`` will not refuse: under label_gate=True, a class its
    gate keeps too few of is refused, and a hint to sample it would end in that refusal."""
    gate = getattr(augmenter, "label_gate_", None)
    if gate is None or augmenter.label_gate is not True:
        return labels[0]
    classes = list(augmenter.classes_)
    return next((label for label in labels if gate.serves(classes.index(label))), None)


def _check_checkpoint_args(checkpoint_dir: Optional[Path], checkpoint_every: Optional[int], resume: bool,
                           out: Path, generators: Optional[int]) -> None:
    """The checkpoint options checked against each other, before anything is read."""
    if checkpoint_dir is None:
        if resume:
            raise CLIError("--resume continues the training saved in a checkpoint folder; name it with "
                           "--checkpoint-dir DIR (the folder of the run to continue).", USAGE)
        if checkpoint_every is not None:
            raise CLIError("--checkpoint-every applies with --checkpoint-dir DIR; add it, or drop --checkpoint-every.",
                           USAGE)
        return
    checkpoints, model = Path(os.path.realpath(checkpoint_dir)), Path(os.path.realpath(out))
    if checkpoints == model:
        raise CLIError(f"--checkpoint-dir {checkpoint_dir} is also the model directory (--out); give the checkpoint "
                       "its own folder.", USAGE)
    # One inside the other: the model could not be saved where a checkpoint lies (after the whole
    # run), or would be deleted with the checkpoint folder once it is no longer needed.
    if checkpoints.is_relative_to(model) or model.is_relative_to(checkpoints):
        inner, outer = ((f"--checkpoint-dir {checkpoint_dir}", f"the model directory (--out {out})")
                        if checkpoints.is_relative_to(model) else
                        (f"the model directory (--out {out})", f"--checkpoint-dir {checkpoint_dir}"))
        raise CLIError(f"{inner} lies inside {outer}; give the checkpoint and the model folders of their own, side "
                       "by side.", USAGE)
    if generators is not None and generators > 1:  # said before the data is read, in the command's words
        raise CLIError(f"--checkpoint-dir cannot be combined with --generators {generators} yet: a checkpoint holds "
                       "one generator's training. Drop one of the two.", USAGE)


class _SayOnce:
    """A training callback that says its line when training begins: only then has the augmenter
    accepted the checkpoint (one of other data or settings is refused before, and the line would
    mislead). Duck-typed, as the trainer allows: subclassing ``Callback`` would import torch for
    ``--help``."""

    def __init__(self, line: str):
        self.line = line

    def on_train_begin(self, trainer) -> None:
        if self.line:
            say(self.line)
            self.line = ""  # once, though an ensemble's members each begin

    def on_epoch_end(self, trainer, record) -> None:
        pass

    def on_train_end(self, trainer) -> None:
        pass


def _check_checkpoint_dir(checkpoint_dir: Path, resume: bool) -> Optional[str]:
    """Refuse a checkpoint folder that may not be used (before any data is read); the line to say
    once the run starts: resuming, or starting afresh although --resume was given (None: nothing)."""
    from gan_augment.checkpoint import check_state_target, read_metadata, recover_interrupted_save
    from gan_augment.exceptions import ModelFileError

    with errors(USAGE, ModelFileError):
        recover_interrupted_save(checkpoint_dir)  # a run killed while it wrote its checkpoint
    if checkpoint_dir.exists() and not checkpoint_dir.is_dir():
        raise CLIError(f"--checkpoint-dir {checkpoint_dir} is a file; give a folder.", USAGE)
    with errors(USAGE, FileExistsError):
        check_state_target(checkpoint_dir, kind="checkpoint")  # a folder holding anything else
    with errors(USAGE, DataValidationError):
        from gan_augment._fs import check_parent_writable

        check_parent_writable(checkpoint_dir)
    holds = checkpoint_dir.is_dir() and any(checkpoint_dir.iterdir())
    if not holds:
        return (f"{checkpoint_dir} holds no checkpoint yet; starting afresh (checkpoints will be saved there)."
                if resume else None)
    if not resume:
        raise CLIError(f"{checkpoint_dir} holds a checkpoint; pass --resume to continue it, or choose an empty "
                       "folder.", USAGE)
    try:
        epoch = read_metadata(checkpoint_dir, kind="checkpoint").get("epoch")
    except (ModelFileError, OSError, AttributeError, ValueError):
        epoch = None  # the fit names what is wrong with it, before training
    after = f" (saved after epoch {epoch})" if isinstance(epoch, int) else ""
    return f"Resuming from the checkpoint in {checkpoint_dir}/{after}."
