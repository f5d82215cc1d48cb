"""Hooks into the training loop: progress display, early stopping, snapshot selection, periodic
checkpoints.

A callback sees the trainer and the record of the epoch just finished; it may set
``trainer.stop_training = True``. Callbacks must not draw random numbers: the loop's random
stream is part of what a checkpoint restores.

A callback that counts something across epochs returns it from ``state_dict()`` (JSON values and
tensors) and takes it back in ``load_state_dict``: the trainer saves it in each checkpoint and, on
``fit(..., resume_from=...)``, restores it before ``on_train_begin``, which must then keep it.
Callbacks run in ascending ``order`` (0 by default; then as listed); :class:`Checkpoint` runs last,
so that it saves what the other callbacks did in the same epoch.
"""

from __future__ import annotations

import math
import numbers
import sys
import time
from pathlib import Path

from gan_augment.exceptions import CheckpointMismatchError


def agreed_stop(trainer) -> bool:
    """``trainer.stop_training``, agreed by every process of a distributed run (a stop one of them
    set is every one's), for a callback every process runs, asked on every epoch: Checkpoint,
    whose save is collective (a save on one process alone waited for the others)."""
    stop = bool(getattr(trainer, "stop_training", False))
    group = getattr(trainer, "group_", None)
    if group is not None and group.active:
        stop = trainer.stop_training = group.any_process(stop)
    return stop


class Callback:
    #: Callbacks run in ascending order (then in the order given).
    order: int = 0

    def on_train_begin(self, trainer) -> None:
        """Called once before the first epoch (also when resuming, after ``load_state_dict``); a stop
        set here before any epoch has run is refused (RuntimeError): nothing would have been learnt."""

    def on_epoch_end(self, trainer, record: dict) -> None:
        """Called after every epoch with that epoch's History record."""

    def on_train_end(self, trainer) -> None:
        """Called once after the last epoch, also when stopped early or by an error."""

    def state_dict(self) -> dict:
        """What this callback must carry across a checkpoint and resume (none by default)."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Take back what :meth:`state_dict` returned; called before ``on_train_begin``."""


class ProgressLines:
    """Progress as plain lines on stderr, for when it is not a terminal (a log file, a pipe, a CI
    job), where a progress bar prints nothing until the end.

    :meth:`update` writes a line after each ``line_every`` of ``total`` (5%) if ``min_seconds``
    (10 s) have passed since the last line, at least every ``max_seconds`` (5 min) when steps are
    slow, and at the end; each with the step, ``details``, the time so far and an estimate of the
    time left. A run of a few seconds prints one line; an hour's run about twenty.
    """

    def __init__(self, description: str, total: int, *, start: int = 0, unit: str = "", line_every: float = 0.05,
                 min_seconds: float = 10.0, max_seconds: float = 300.0):
        self.description, self.total, self.unit = description, total, unit
        self.line_every, self.min_seconds, self.max_seconds = line_every, min_seconds, max_seconds
        self._started = self._last_time = time.monotonic()
        self._first = self._last = start  # not 0 when a run resumes

    def update(self, done: int, details: str = "") -> None:
        now = time.monotonic()
        waited = now - self._last_time
        due = (done >= self.total or waited >= self.max_seconds
               or (waited >= self.min_seconds and done - self._last >= math.ceil(self.line_every * self.total)))
        if not due or sys.stderr is None:  # closed: print() would write into stdout, the caller's data
            return
        elapsed = now - self._started
        left = elapsed / (done - self._first) * (self.total - done) if done > self._first else 0.0
        print(f"{self.description}: {self.unit}{done}/{self.total} ({done / self.total:.0%})"
              + (f", {details}" if details else "") + f", {_duration(elapsed)} elapsed"
              + (f", about {_duration(left)} left" if done < self.total else ""), file=sys.stderr, flush=True)
        self._last, self._last_time = done, now

    def finish(self, done: int, details: str = "") -> None:
        """The last line, where the run ended before ``total`` (early stopping): the log would
        otherwise end at the last line due, or say nothing of a short run."""
        if done != self._last and done < self.total and sys.stderr is not None:
            print(f"{self.description}: {self.unit}{done}/{self.total}" + (f", {details}" if details else "")
                  + f", {_duration(time.monotonic() - self._started)} elapsed", file=sys.stderr, flush=True)
            self._last = done


def stop_drawn(progress) -> None:
    """Stop a rich ``progress`` display, drawn once more as it ends: in a notebook rich's ``stop``
    does not redraw, and a bar drawn ten times a second was left at 54/60 epochs (0/5 for a fit
    shorter than a tenth of a second)."""
    progress.refresh()
    progress.stop()


def stderr_is_terminal() -> bool:
    """Whether a live progress bar can be drawn on stderr: a terminal, or a notebook with ipywidgets.
    Not a log file or a pipe, even where FORCE_COLOR makes rich take one for a terminal (CI logs got
    ~10 redraws a second, with cursor codes)."""
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_jupyter:  # rich draws there only with ipywidgets (else a warning and nothing)
        import importlib.util

        return importlib.util.find_spec("ipywidgets") is not None
    try:
        return console.is_terminal and sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


class ProgressBar(Callback):
    """A rich progress bar over epochs showing the latest losses, on stderr; plain lines
    (:class:`ProgressLines`) when stderr is not a terminal."""

    def __init__(self, description: str = "Training GAN"):
        self.description = description
        self._progress = None
        self._lines = None

    def on_train_begin(self, trainer):
        if not stderr_is_terminal():
            self._lines = ProgressLines(self.description, trainer.n_epochs_, start=trainer.epoch_, unit="epoch ")
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from rich.console import Console

        # On stderr: stdout may be carrying results (e.g. a table piped to a file).
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("{task.fields[losses]}"), transient=False,
            # Not redirected: what the user's code prints to stdout stays on stdout.
            console=Console(stderr=True), redirect_stdout=False, redirect_stderr=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(
            self.description, total=trainer.n_epochs_, completed=trainer.epoch_, losses=""
        )

    def on_epoch_end(self, trainer, record):
        losses = f"loss D {record['loss_d']:+.3f}  G {record['loss_g']:+.3f}"
        if self._lines is not None:
            self._lines.update(record["epoch"], losses)
        else:
            self._progress.update(self._task, completed=record["epoch"], losses=losses)

    def on_train_end(self, trainer):
        if self._lines is not None and getattr(trainer, "stop_training", False):  # not a failure: its error says it
            self._lines.finish(trainer.epoch_, "stopped early")
        self._lines = None
        if self._progress is not None:
            stop_drawn(self._progress)
            self._progress = None


def _check_count(name: str, value) -> None:
    """A callback's count of epochs (or ratings): an int >= 1, checked when the callback is made."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _check_min_delta(min_delta) -> None:
    # (Infinity too: best - inf is NaN after an infinite best, which never improves; and an int too
    # large for a float, whose subtraction failed after the first epoch.)
    try:
        finite = not isinstance(min_delta, bool) and isinstance(min_delta, numbers.Real) \
            and 0 <= float(min_delta) < math.inf
    except OverflowError:
        finite = False
    if not finite:
        raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}.")


class EarlyStopping(Callback):
    """Stop when ``monitor`` (a History key) has not improved by ``min_delta`` for ``patience`` epochs.

    GAN losses are not quality scores: monitor them only to stop a run that has plateaued, or
    monitor a key that a callback of yours adds to the record (e.g. a validation metric). Epochs
    whose record lacks the key (a metric measured every few epochs, ``snapshot_score``) are not
    counted: ``patience`` counts measurements; a key no epoch recorded is a KeyError at the end.
    ``best_`` is the best value seen (the lowest, or the highest with ``mode="max"``), ``wait_``
    the measurements since it.
    """

    #: After the callbacks that add keys to the record (SnapshotSelection's ``snapshot_score`` at
    #: 50, a user's at 0), before Checkpoint, which then saves this epoch's count.
    order = 60

    def __init__(self, monitor: str = "loss_g", *, patience: int = 10, min_delta: float = 0.0, mode: str = "min"):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}.")
        _check_count("patience", patience)
        _check_min_delta(min_delta)
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        self._restored = False

    def on_train_begin(self, trainer):
        # A fresh run starts counting afresh; a resumed one goes on from the restored count, and
        # one whose patience had run out (the checkpoint of the epoch it stopped in) stays stopped.
        if not getattr(self, "_restored", False):
            self.best_, self.wait_ = (math.inf if self.mode == "min" else -math.inf), 0
        elif self.wait_ >= self.patience:
            trainer.stop_training = True
        self._seen = getattr(self, "_restored", False)  # a resumed run's epochs before held it
        self._keys = None
        self._restored = False

    def state_dict(self) -> dict:
        if not hasattr(self, "best_"):
            return {}  # training has not begun
        return {"best": self.best_, "wait": self.wait_, "best_as_seen": True, "monitor": self.monitor,
                "mode": self.mode}

    def load_state_dict(self, state: dict) -> None:
        if state:
            # The count and best of another key or direction would stop this run where neither an
            # uninterrupted run of it nor of the checkpoint's would. (Older checkpoints do not say.)
            saved = (state.get("monitor", self.monitor), state.get("mode", self.mode))
            if saved != (self.monitor, self.mode):
                message = (f"The checkpoint's EarlyStopping monitored {saved[0]!r} (mode {saved[1]!r}); this one "
                           f"monitors {self.monitor!r} (mode {self.mode!r}). Resume with the checkpoint's "
                           "EarlyStopping settings, or start afresh with another checkpoint folder.")
                raise CheckpointMismatchError(lambda spelling: message)
            best = float(state["best"])
            # A checkpoint written before best_ was the value seen holds its negation in "max" mode.
            self.best_ = -best if self.mode == "max" and not state.get("best_as_seen") else best
            self.wait_ = int(state["wait"])
            self._restored = True

    def on_train_end(self, trainer):
        # A misspelt key, said once training is over (a key measured every few epochs is missing
        # from the first ones, so its absence from one record says nothing).
        if not getattr(self, "_seen", True) and getattr(self, "_keys", None) is not None:
            if any(self.monitor in record for record in trainer.history_):
                raise KeyError(f"EarlyStopping monitors {self.monitor!r}, which a callback running after it added to "
                               f"the record; give that callback an order below EarlyStopping's ({self.order}).")
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, which no epoch recorded (the record holds "
                           f"{self._keys}); it never stopped training.")

    def on_epoch_end(self, trainer, record):
        if self.monitor not in record:
            self._keys = sorted(record)
            return  # not measured this epoch
        self._seen = True
        value = record[self.monitor]
        if isinstance(value, float) and math.isnan(value) and math.isinf(self.best_):
            # Nothing measured yet (the augmentation signal before its first interval): no epoch
            # to count against patience, which a short patience spent before the first value.
            return
        # best_ is the monitored value itself (it held the negated one in "max" mode).
        improved = (value < self.best_ - self.min_delta if self.mode == "min" else
                    value > self.best_ + self.min_delta)
        if improved:
            self.best_, self.wait_ = value, 0
            return
        self.wait_ += 1
        if self.wait_ >= self.patience:
            trainer.stop_training = True


class SnapshotSelection(Callback):
    """Keep the sampling generator (the EMA copy) of the epoch that ``score`` rates best, and end
    training with it; optionally stop once the score has not improved for ``patience`` ratings.

    ``score(generator) -> float``, lower is better, is called every ``every`` epochs (an int, or a
    float in (0, 1): that share of the planned epochs, at least 1) and after the last one (also
    when another callback ends training), with the generator that would sample if training ended
    then. It must not draw from torch's global stream (seed its own draws, as
    :func:`gan_augment.training.trainer.generate` does): the loop's stream is part of what a
    checkpoint restores. Each rating is added to the epoch's History record under ``key``. When
    training ends (all epochs run, or stopped by a callback) the best snapshot's weights are loaded
    into the sampling generator, before the trainer's end-of-training steps (full condition
    strength, batch-norm calibration), so a saved or sampled model is the selected one; checkpoints
    keep the EMA as training left it. ``scores_`` keeps every ``(epoch, score)``, ``best_epoch_``
    the selected one.
    """

    #: Before Checkpoint, which then saves this epoch's rating and snapshot with the rest.
    order = 50

    def __init__(self, score, *, every: int | float = 1, patience: int | None = None, min_delta: float = 0.0,
                 key: str = "snapshot_score"):
        # Integers of any kind (np.int64 from a grid too), but not True: a bool is an int to Python.
        if isinstance(every, bool) or not ((isinstance(every, numbers.Integral) and every >= 1)
                                           or (isinstance(every, float) and 0 < every < 1)):
            raise ValueError(f"every must be an integer >= 1 or a share of the epochs in (0, 1), got {every!r}.")
        if patience is not None and (isinstance(patience, bool)
                                     or not (isinstance(patience, numbers.Integral) and patience >= 1)):
            raise ValueError(f"patience must be None or an integer >= 1, got {patience!r}.")
        _check_min_delta(min_delta)  # (a text failed after the first epoch; NaN kept no snapshot at all)
        every = every if isinstance(every, float) else int(every)
        patience = None if patience is None else int(patience)
        self.score, self.every, self.patience, self.min_delta, self.key = score, every, patience, min_delta, key
        self._restored = False

    def on_train_begin(self, trainer):
        self.every_ = self.every if isinstance(self.every, int) else max(1, round(self.every * trainer.n_epochs_))
        if not self._restored:
            self.best_, self.best_epoch_, self.wait_, self.best_state_ = math.inf, None, 0, None
            self.scores_ = []  # (epoch, score) of every rating
        elif self.patience is not None and self.wait_ >= self.patience:
            trainer.stop_training = True  # restored from the epoch its patience ran out in
        self._restored = False

    def state_dict(self) -> dict:
        if not hasattr(self, "best_"):
            return {}
        return {"best": self.best_, "best_epoch": self.best_epoch_, "wait": self.wait_,
                "scores": [list(pair) for pair in self.scores_], "best_state": self.best_state_}

    def load_state_dict(self, state: dict) -> None:
        if state:
            self.best_, self.best_epoch_, self.wait_ = float(state["best"]), state["best_epoch"], int(state["wait"])
            self.scores_ = [(int(epoch), float(value)) for epoch, value in state["scores"]]
            self.best_state_ = state["best_state"]
            self._restored = True

    def on_epoch_end(self, trainer, record):
        epoch = record["epoch"]
        if epoch % self.every_ == 0 or epoch >= trainer.n_epochs_ or getattr(trainer, "stop_training", False):
            self._rate(trainer, record)

    def _rate(self, trainer, record) -> None:
        epoch, generator = record["epoch"], trainer.sampling_generator
        value = float(self.score(generator))
        record[self.key] = value
        self.scores_.append((epoch, value))
        if value < self.best_ - self.min_delta:  # NaN never improves
            self.best_, self.best_epoch_, self.wait_ = value, epoch, 0
            self.best_state_ = {name: tensor.detach().clone() for name, tensor in generator.state_dict().items()}
        else:
            self.wait_ += 1
            if self.patience is not None and self.wait_ >= self.patience:
                trainer.stop_training = True

    def on_train_end(self, trainer):
        # The epoch a callback running after this one (EarlyStopping), or another process, ended
        # training in is rated too: its generator is the EMA as training left it. (Not when
        # training failed or was interrupted: stop_training is then unset.)
        history = getattr(trainer, "history_", None)
        if getattr(trainer, "stop_training", False) and history and self.key not in history[-1]:
            self._rate(trainer, history[-1])
        # Here, after the last checkpoint was written with the EMA as training left it (a resumed
        # run continues from that), and before the trainer readies the sampling generator.
        if self.best_state_ is not None:
            trainer.sampling_generator.load_state_dict(self.best_state_)


class Checkpoint(Callback):
    """Save the full training state to ``directory`` every ``every`` epochs, at the end, and when a
    callback stops training (so that resuming loses nothing; it then trains on, unless a callback
    says otherwise when it begins: EarlyStopping and SnapshotSelection whose patience had run out
    stop again).

    Resume with ``trainer.fit(..., resume_from=directory)``; on CPU the resumed run ends
    bit-identical to an uninterrupted one. ``metadata``: JSON values saved with each checkpoint
    (GANAugmenter keeps there what the run was trained on). A ``directory`` that exists and holds
    anything but a gan-augment checkpoint (a user's files, a saved model) is refused when training
    begins, before the first epoch, as is one that cannot be created. In a data-parallel run every
    process runs it (their random streams are gathered into the checkpoint) and rank 0 writes.
    """

    #: After every other callback, so that the saved state includes what they did this epoch.
    order = 100

    def __init__(self, directory, *, every: int = 10, metadata: dict | None = None):
        _check_count("every", every)
        self.directory, self.every, self.metadata = Path(directory), every, metadata

    def on_train_begin(self, trainer):
        from gan_augment._fs import check_parent_writable
        from gan_augment.checkpoint import check_state_target, check_state_values

        # Now rather than at the first save, an epoch or an hour later.
        check_state_target(self.directory, kind="checkpoint")
        check_parent_writable(self.directory)
        if self.metadata is not None:
            check_state_values(self.metadata, "metadata")
        trainer.check_callback_states()

    def on_epoch_end(self, trainer, record):
        if agreed_stop(trainer) or record["epoch"] % self.every == 0 or record["epoch"] == trainer.n_epochs_:
            trainer.save_checkpoint(self.directory, metadata=self.metadata)
