"""Progress when stderr is not a terminal: plain lines instead of a bar that prints nothing until the end."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from gan_augment.training import callbacks
from gan_augment.training.callbacks import ProgressBar


def _run(monkeypatch, capsys, *, n_epochs, seconds_per_epoch, start_epoch=0):
    clock = {"now": 1000.0}
    monkeypatch.setattr(callbacks.time, "monotonic", lambda: clock["now"])
    trainer = SimpleNamespace(n_epochs_=n_epochs, epoch_=start_epoch)
    bar = ProgressBar()
    bar.on_train_begin(trainer)  # capsys: stderr is not a terminal
    for epoch in range(start_epoch + 1, n_epochs + 1):
        clock["now"] += seconds_per_epoch
        bar.on_epoch_end(trainer, {"epoch": epoch, "loss_d": 0.5, "loss_g": -1.25})
    bar.on_train_end(trainer)
    return capsys.readouterr().err.splitlines()


def test_a_short_fit_prints_one_line(monkeypatch, capsys):
    lines = _run(monkeypatch, capsys, n_epochs=300, seconds_per_epoch=0.01)
    assert lines == ["Training GAN: epoch 300/300 (100%), loss D +0.500  G -1.250, 3 s elapsed"]


def test_a_long_fit_prints_about_twenty_lines_with_the_time_left(monkeypatch, capsys):
    lines = _run(monkeypatch, capsys, n_epochs=100, seconds_per_epoch=30.0)
    assert len(lines) == 20
    assert lines[0] == ("Training GAN: epoch 5/100 (5%), loss D +0.500  G -1.250, 2 min 30 s elapsed, "
                        "about 47 min 30 s left")
    assert lines[-1].startswith("Training GAN: epoch 100/100 (100%)") and lines[-1].endswith("50 min 00 s elapsed")


def _epochs(lines):
    return [int(re.search(r"epoch (\d+)/", line).group(1)) for line in lines]


def test_slow_epochs_print_at_least_every_five_minutes(monkeypatch, capsys):
    lines = _run(monkeypatch, capsys, n_epochs=1000, seconds_per_epoch=10.0)  # 5% of the epochs is 8 min
    assert _epochs(lines)[:3] == [30, 60, 90] and _epochs(lines)[-1] == 1000
    assert "2 h 46 min elapsed" in lines[-1]


def test_few_long_epochs_print_a_line_each(monkeypatch, capsys):
    lines = _run(monkeypatch, capsys, n_epochs=10, seconds_per_epoch=400.0)
    assert _epochs(lines) == list(range(1, 11)) and "1 h 06 min elapsed" in lines[-1]


def test_a_resumed_fit_estimates_from_the_epochs_it_ran(monkeypatch, capsys):
    lines = _run(monkeypatch, capsys, n_epochs=100, seconds_per_epoch=30.0, start_epoch=50)
    assert lines[0].endswith("epoch 55/100 (55%), loss D +0.500  G -1.250, 2 min 30 s elapsed, about 22 min 30 s left")


@pytest.mark.parametrize("quiet", [False, True])
def test_the_command_line_prints_progress_lines_to_a_log(tmp_path, capsys, quiet):
    from gan_augment.cli.main import main

    data = tmp_path / "data.csv"
    data.write_text("x,label\n" + "".join(f"{i},{'a' if i < 20 else 'b'}\n" for i in range(30)))
    args = ["fit", str(data), "-e", "2", "-s", "0", "-o", str(tmp_path / "m")] + (["-q"] if quiet else [])
    assert main(args) == 0
    err = capsys.readouterr().err
    assert ("Training GAN: epoch 2/2 (100%)" in err) != quiet


def test_the_evaluator_reports_folds_as_lines(monkeypatch, capsys):
    from gan_augment.evaluation.utility import _progress

    clock = {"now": 0.0}
    monkeypatch.setattr(callbacks.time, "monotonic", lambda: clock["now"])
    show = _progress(15)
    for done in range(1, 16):
        clock["now"] += 120.0  # two minutes a fold
        show(done)
    show(None)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 15 and lines[0] == "Cross-validating: fold 1/15 (7%), 2 min 00 s elapsed, about 28 min 00 s left"


def test_the_bar_leaves_the_users_stdout_alone(monkeypatch):
    # rich's Progress redirects stdout by default: a fit's or a callback's own prints went to stderr
    # (into the bar) while it ran, out of the file the user's stdout was sent to.
    import sys

    monkeypatch.setenv("FORCE_COLOR", "1")  # rich takes stderr for a terminal, as in a user's shell
    monkeypatch.setattr(callbacks, "stderr_is_terminal", lambda: True)
    stdout, stderr = sys.stdout, sys.stderr
    bar = ProgressBar()
    bar.on_train_begin(SimpleNamespace(n_epochs_=2, epoch_=0))
    try:
        assert sys.stdout is stdout and sys.stderr is stderr
    finally:
        bar.on_train_end(SimpleNamespace(n_epochs_=2, epoch_=2))


def test_a_fit_stopped_early_ends_its_log_with_where_it_stopped(monkeypatch, capsys):
    # The last line due stayed the log's last (or a short run printed none): nothing said it stopped.
    clock = {"now": 1000.0}
    monkeypatch.setattr(callbacks.time, "monotonic", lambda: clock["now"])
    trainer = SimpleNamespace(n_epochs_=300, epoch_=0, stop_training=False)
    bar = ProgressBar()
    bar.on_train_begin(trainer)
    for epoch in range(1, 121):
        clock["now"] += 0.05
        trainer.epoch_ = epoch
        bar.on_epoch_end(trainer, {"epoch": epoch, "loss_d": 0.5, "loss_g": -1.25})
    trainer.stop_training = True
    bar.on_train_end(trainer)
    assert capsys.readouterr().err.splitlines() == ["Training GAN: epoch 120/300, stopped early, 6 s elapsed"]


def test_force_color_does_not_make_a_log_file_a_terminal(monkeypatch):
    # rich takes any stream for a terminal under FORCE_COLOR: a CI log got a live bar redrawn ~10 times a second.
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not callbacks.stderr_is_terminal()  # pytest's captured stderr is no terminal


def test_augment_to_stdout_still_shows_progress_on_stderr(tmp_path, capsys):
    from gan_augment.cli.main import main

    data = tmp_path / "data.csv"
    data.write_text("x,label\n" + "".join(f"{i},{'a' if i < 20 else 'b'}\n" for i in range(30)))
    assert main(["augment", str(data), "-e", "2", "-s", "0", "--threads", "1", "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert "Training GAN: epoch 2/2 (100%)" in captured.err and "Training GAN" not in captured.out



def test_a_bar_is_drawn_at_its_end_as_it_stops(monkeypatch):
    # In a notebook rich's stop() draws nothing more: bars were left at 54/60 epochs and 2/3 folds.
    import rich.progress

    from gan_augment.evaluation import utility

    drawn = []

    class Recording(rich.progress.Progress):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{**kwargs, "auto_refresh": False})  # only the draws asked for

        def refresh(self):
            drawn.append([task.completed for task in self.tasks])
            super().refresh()

    monkeypatch.setattr(rich.progress, "Progress", Recording)
    monkeypatch.setattr(callbacks, "stderr_is_terminal", lambda: True)
    bar = ProgressBar()
    bar.on_train_begin(SimpleNamespace(n_epochs_=3, epoch_=0))
    for epoch in (1, 2, 3):
        bar.on_epoch_end(None, {"epoch": epoch, "loss_d": 0.5, "loss_g": -1.25})
    bar.on_train_end(SimpleNamespace(n_epochs_=3, epoch_=3))
    assert drawn and drawn[-1] == [3]
    drawn.clear()
    show = utility._progress(4)
    for done in (1, 2, 3, 4):
        show(done)
    show(None)
    assert drawn and drawn[-1] == [4]


def test_a_notebook_without_ipywidgets_gets_plain_lines(monkeypatch):
    # rich draws nothing there but a warning ("install ipywidgets"), an error under -W error.
    import importlib.util

    import rich.console

    monkeypatch.setattr(rich.console, "_is_jupyter", lambda: True)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ipywidgets" else object())
    assert not callbacks.stderr_is_terminal()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    assert callbacks.stderr_is_terminal()
