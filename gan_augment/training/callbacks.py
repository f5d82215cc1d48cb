"""Hooks into the training loop: progress display, early stopping, periodic checkpoints.

A callback sees the trainer and the record of the epoch just finished; it may set
``trainer.stop_training = True``. Callbacks must not draw random numbers: the loop's random
stream is part of what a checkpoint restores.
"""

from __future__ import annotations

import math
from pathlib import Path


class Callback:
    def on_train_begin(self, trainer) -> None:
        """Called once before the first epoch (also when resuming)."""

    def on_epoch_end(self, trainer, record: dict) -> None:
        """Called after every epoch with that epoch's History record."""

    def on_train_end(self, trainer) -> None:
        """Called once after the last epoch, also when stopped early or by an error."""


class ProgressBar(Callback):
    """A rich progress bar over epochs showing the latest losses."""

    def __init__(self, description: str = "Training GAN"):
        self.description = description
        self._progress = None

    def on_train_begin(self, trainer):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from rich.console import Console

        # On stderr: stdout may be carrying results (e.g. a table piped to a file).
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("{task.fields[losses]}"), transient=False,
            console=Console(stderr=True),
        )
        self._progress.start()
        self._task = self._progress.add_task(
            self.description, total=trainer.n_epochs_, completed=trainer.epoch_, losses=""
        )

    def on_epoch_end(self, trainer, record):
        losses = f"loss D {record['loss_d']:+.3f}  G {record['loss_g']:+.3f}"
        self._progress.update(self._task, completed=record["epoch"], losses=losses)

    def on_train_end(self, trainer):
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class EarlyStopping(Callback):
    """Stop when ``monitor`` (a History key) has not improved by ``min_delta`` for ``patience`` epochs.

    GAN losses are not quality scores: monitor them only to stop a run that has plateaued, or
    monitor a key that a callback of yours adds to the record (e.g. a validation metric).
    """

    def __init__(self, monitor: str = "loss_g", *, patience: int = 10, min_delta: float = 0.0, mode: str = "min"):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}.")
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode

    def on_train_begin(self, trainer):
        self.best_, self.wait_ = math.inf, 0

    def on_epoch_end(self, trainer, record):
        if self.monitor not in record:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, which is not in {sorted(record)}.")
        value = record[self.monitor] if self.mode == "min" else -record[self.monitor]
        if value < self.best_ - self.min_delta:
            self.best_, self.wait_ = value, 0
            return
        self.wait_ += 1
        if self.wait_ >= self.patience:
            trainer.stop_training = True


class Checkpoint(Callback):
    """Save the full training state to ``directory`` every ``every`` epochs and at the end.

    Resume with ``trainer.fit(..., resume_from=directory)``; on CPU the resumed run ends
    bit-identical to an uninterrupted one.
    """

    def __init__(self, directory, *, every: int = 10):
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every!r}.")
        self.directory, self.every = Path(directory), every

    def on_epoch_end(self, trainer, record):
        if record["epoch"] % self.every == 0 or record["epoch"] == trainer.n_epochs_:
            trainer.save_checkpoint(self.directory)
