"""``gan-augment fit DATA``: fit a GAN and save it to a model directory (read by ``sample`` and ``info``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gan_augment.exceptions import DataValidationError

from ._common import (DEFAULT_MODEL_DIR, USAGE, BatchOpt, ClassesOpt, DataArg, DebugOpt, DeviceOpt, EpochsOpt,
                      ForceOpt, LossOpt, QuietOpt, SeedOpt, SkipUnreadableOpt, TargetOpt, errors, say, set_flags)
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
    skip_unreadable: SkipUnreadableOpt = False,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Fit a GAN on DATA and save it to a model directory (read by `sample` and `info`).

    For an image folder the model directory also gets a grid of samples per class (PNG)."""
    set_flags(quiet, debug)
    from ._handlers import for_path
    from ._model_dir import check_model_out, save_model

    # The output is checked first: a typo in --out must not cost a training run.
    with errors(USAGE, FileExistsError, DataValidationError):
        check_model_out(out, force=force)
    handler = for_path(data)
    job = prepare(data, handler, target=target, classes=classes,
                  settings=Settings(epochs=epochs, batch_size=batch_size, loss=loss, seed=seed, device=device,
                                    skip_unreadable=skip_unreadable))
    seconds = train(job)
    with errors(USAGE, FileExistsError):
        save_model(job.augmenter, out, job.dataset_info(seconds), force=force)
    say(f"Saved the model to {out}/ (fit in {seconds:.1f} s).")
    say(handler.next_hint(out, next(iter(job.added_labels()), job.labels[0])))
