"""``gan-augment augment DATA``: fit, then write DATA with synthetic samples topping up the chosen
classes (a table with the synthetic rows appended, or a new image tree)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (BatchOpt, ClassesOpt, DataArg, DebugOpt, DeviceOpt, EpochsOpt, ForceOpt, LossOpt, QuietOpt,
                      SeedOpt, SkipUnreadableOpt, TargetOpt, is_stdout, set_flags)
from ._job import Settings, prepare, train


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
    set_flags(quiet, debug)
    from ._handlers import for_path

    handler = for_path(data)
    handler.check_augment_args(data, out, force=force, target=target, mark_synthetic=mark_synthetic)
    # The progress bar draws on stdout; keep it out of a table written there.
    job = prepare(data, handler, target=target, classes=classes, progress=not is_stdout(out),
                  settings=Settings(epochs=epochs, batch_size=batch_size, loss=loss, seed=seed, device=device,
                                    skip_unreadable=skip_unreadable))
    handler.check_augment_job(data, job.dataset, mark_synthetic)
    seconds = train(job)
    handler.write_augmented(job.dataset, job.augmenter, out, force=force, mark_synthetic=mark_synthetic,
                            seconds=seconds)
