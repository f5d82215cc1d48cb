"""`gan-augment fit --checkpoint-dir DIR [--checkpoint-every N] [--resume]`: a run killed mid-way
(SIGKILL, no clean-up) and continued with --resume gives the same model and rows as a run never
interrupted; the folder rules are usage errors (exit 2) found before any training.

The fits run in subprocesses (`python -m gan_augment`), each pinned to one CPU: with
``n_threads="auto"`` the thread count follows the cores and the load, and bit-identical results
are promised per thread count.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from gan_augment.checkpoint import read_metadata, recover_interrupted_save
from gan_augment.cli.main import main

# The label gate is not these tests' subject: the fits in this process train a short judge, those
# in subprocesses (which the fixture cannot reach) none (--no-label-gate; ~3 s of a judge each).
pytestmark = pytest.mark.usefixtures("quick_row_judge")

EPOCHS = 20  # a few seconds of training on one core: time to kill it after its first checkpoints


def _table(path):
    rng = np.random.default_rng(0)
    n = 180
    pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "score": rng.normal(50, 10, n).round(3),
        "color": rng.choice(["red", "green", "blue"], n),
        "label": ["common"] * 150 + ["rare"] * 20 + ["tiny"] * 10,
    }).to_csv(path, index=False)
    return path


def _one_cpu():
    try:
        cpu = min(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: the thread count is left to chance (so is the test)
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def _gan_augment(*args, **kwargs):
    """`python -m gan_augment ARGS` on one CPU, as a running process."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "gan_augment", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_one_cpu(), **kwargs)


def _finish(process, timeout=300):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err.decode(errors="replace")


def _fit_args(data, out, *extra):
    return ["fit", data, "--classes", "rare,tiny", "--epochs", EPOCHS, "--batch-size", 32, "--seed", 0,
            "--no-label-gate", "--out", out, *extra]


def _samples(capsys, model):
    # In this process, both models alike: the weights are compared byte for byte as well.
    assert main(["sample", str(model), "--class", "rare", "--n", "50", "--seed", "3", "--out", "-", "-q"]) == 0
    return capsys.readouterr().out


@pytest.mark.slow
def test_killed_fit_resumed_equals_an_uninterrupted_one(tmp_path, capsys):
    data = _table(tmp_path / "data.csv")
    checkpoint = tmp_path / "checkpoint"
    straight = _gan_augment(*_fit_args(data, tmp_path / "straight", "-q"))  # the reference, meanwhile
    run = _gan_augment(*_fit_args(data, tmp_path / "killed", "--checkpoint-dir", checkpoint,
                                  "--checkpoint-every", 1, "-q"))
    try:
        deadline = time.monotonic() + 240
        while not (checkpoint / "model.json").exists():  # the first checkpoint, written after epoch 1
            assert run.poll() is None, _finish(run)[2]
            assert time.monotonic() < deadline, "no checkpoint was written"
            time.sleep(0.05)
        assert run.poll() is None, "the fit ended before it could be killed; give it more epochs"
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
        run.communicate()
    assert run.returncode == -signal.SIGKILL
    assert not (tmp_path / "killed").exists()  # killed before the model was saved
    recover_interrupted_save(checkpoint)  # as the next fit does, should the kill have hit a save
    saved = read_metadata(checkpoint, kind="checkpoint")["history"]
    assert 1 <= len(saved) < EPOCHS

    code, _, err = _finish(_gan_augment(*_fit_args(data, tmp_path / "resumed", "--checkpoint-dir", checkpoint,
                                                   "--resume")))
    assert code == 0, err
    assert f"Resuming from the checkpoint in {checkpoint}/ (saved after epoch" in err
    assert f"(saved after epoch {len(saved)})" in err
    # It did continue: the first epochs' records (their timings included) are the killed run's.
    history = read_metadata(tmp_path / "resumed", kind="model")["history"]
    assert len(history) == EPOCHS and history[:len(saved)] == saved
    assert f"The checkpoint in {checkpoint}/ is no longer needed" in err

    code, _, err = _finish(straight)
    assert code == 0, err
    assert (tmp_path / "resumed" / "model.safetensors").read_bytes() == \
        (tmp_path / "straight" / "model.safetensors").read_bytes()
    rows = _samples(capsys, tmp_path / "resumed")
    assert rows == _samples(capsys, tmp_path / "straight") and rows.count("\n") == 51


# ----------------------------------------------------------------------------- usage errors
def _run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.err


@pytest.fixture
def data_csv(tmp_path):
    return _table(tmp_path / "data.csv")


def test_resume_without_checkpoint_dir_is_a_usage_error_before_reading(tmp_path, capsys):
    code, err = _run(capsys, "fit", tmp_path / "absent.csv", "--resume", "--out", tmp_path / "m")
    assert code == 2 and "--resume" in err and "--checkpoint-dir" in err and "absent.csv" not in err
    code, err = _run(capsys, "fit", tmp_path / "absent.csv", "--checkpoint-every", 2, "--out", tmp_path / "m")
    assert code == 2 and "--checkpoint-every applies with --checkpoint-dir" in err
    code, err = _run(capsys, "fit", tmp_path / "absent.csv", "--checkpoint-dir", tmp_path / "ck", "--generators", 2,
                     "--out", tmp_path / "m")
    assert code == 2 and "--checkpoint-dir cannot be combined with --generators 2" in err
    assert "n_generators" not in err and "absent.csv" not in err  # the command's words, before reading


def test_a_checkpoint_folder_without_resume_is_refused_before_training(data_csv, tmp_path, capsys):
    checkpoint = tmp_path / "ck"
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 0, "--checkpoint-dir", checkpoint,
                     "--out", tmp_path / "m1", "-q")
    assert code == 0, err
    assert "no longer needed; delete it" not in err  # --quiet
    before = {p.name: p.read_bytes() for p in checkpoint.iterdir()}
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 0, "--checkpoint-dir", checkpoint,
                     "--out", tmp_path / "m2")
    assert code == 2
    assert err.strip() == (f"Error: {checkpoint} holds a checkpoint; pass --resume to continue it, or choose an "
                           "empty folder.")
    assert not (tmp_path / "m2").exists() and {p.name: p.read_bytes() for p in checkpoint.iterdir()} == before

    # A checkpoint of other settings (here: epochs) is refused by the fit, before training: exit 2.
    code, err = _run(capsys, "fit", data_csv, "-e", 2, "--seed", 0, "--checkpoint-dir", checkpoint,
                     "--out", tmp_path / "m3", "--resume")
    assert code == 2 and "holds a checkpoint of other data or settings" in err and "Training GAN" not in err
    assert "Resuming" not in err  # said only once the checkpoint is accepted
    assert "training_config: --epochs 1 in the checkpoint, 2 now" in err, err
    assert not (tmp_path / "m3").exists()
    # In the command's words: the options and the seed given, not Python's keywords and derived seeds.
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 1, "--checkpoint-dir", checkpoint,
                     "--out", tmp_path / "m3", "--resume")
    assert code == 2 and "(they differ in: --seed 0 in the checkpoint, 1 now)" in err, err
    assert "choose another --checkpoint-dir" in err
    assert not any(word in err for word in ("random_state", "checkpoint_dir", "GridSearchCV"))
    # Options that shape the encoding, and one on in a single run, by their options too.
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 0, "--checkpoint-dir", checkpoint, "--no-rules",
                     "--max-categories", 5, "--early-stopping", "--out", tmp_path / "m3", "--resume")
    assert code == 2 and ("parameters: rule detection (off: --no-rules) True in the checkpoint, False now, "
                          "--max-categories 100 in the checkpoint, 5 now; --early-stopping)") in err, err
    assert not any(word in err for word in ("detect_rules", "max_categories", "early_stopping"))
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 0, "--checkpoint-dir", checkpoint, "--categorical",
                     "age", "--out", tmp_path / "m3", "--resume")
    assert code == 2 and "--categorical not given in the checkpoint, ['age'] now" in err, err  # not None
    # A checkpoint of a run without a seed: dropping --seed resumes it, which the message says.
    unseeded = tmp_path / "unseeded"
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--checkpoint-dir", unseeded, "--out", tmp_path / "m5", "-q")
    assert code == 0, err
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 1, "--checkpoint-dir", unseeded,
                     "--out", tmp_path / "m6", "--resume")
    assert code == 2 and "--seed: the checkpoint's run had none" in err and "leave --seed unset to resume it" in err

    # The same settings resume, and say so once.
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 0, "--checkpoint-dir", checkpoint,
                     "--out", tmp_path / "m4", "--resume")
    assert code == 0, err
    assert err.count(f"Resuming from the checkpoint in {checkpoint}/ (saved after epoch 1).") == 1


def test_resume_with_an_empty_folder_starts_afresh_with_a_note(data_csv, tmp_path, capsys):
    checkpoint = tmp_path / "ck"
    checkpoint.mkdir()
    code, err = _run(capsys, "fit", data_csv, "-e", 1, "--seed", 0, "--checkpoint-dir", checkpoint,
                     "--out", tmp_path / "m", "--resume")
    assert code == 0, err
    assert f"{checkpoint} holds no checkpoint yet; starting afresh" in err
    assert (checkpoint / "model.json").exists() and (tmp_path / "m" / "model.json").exists()


@pytest.mark.parametrize("content", ["notes", "model"])
def test_a_folder_holding_anything_else_is_refused(data_csv, tmp_path, capsys, content):
    folder = tmp_path / "ck"
    if content == "notes":
        folder.mkdir()
        (folder / "notes.txt").write_text("mine")
    else:  # a saved model is not a checkpoint
        assert main(["fit", str(data_csv), "-e", "1", "--seed", "0", "--out", str(folder), "-q"]) == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for extra in ([], ["--resume"]):
        code, err = _run(capsys, "fit", data_csv, "-e", 1, "--checkpoint-dir", folder, "--out", tmp_path / "m", *extra)
        assert code == 2 and str(folder) in err and "Traceback" not in err, err
        assert "not a gan-augment directory" in err or "not a checkpoint" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_checkpoint_dir_may_not_be_the_model_dir(data_csv, tmp_path, capsys):
    code, err = _run(capsys, "fit", data_csv, "--checkpoint-dir", tmp_path / "m", "--out", tmp_path / "m")
    assert code == 2 and "also the model directory" in err


@pytest.mark.parametrize("checkpoints, model, inner", [
    ("m/ckpt", "m", "--checkpoint-dir"),  # the model could not be saved over the checkpoint, after training
    ("ckpt", "ckpt/model", "the model directory"),  # "rm -r ckpt", as advised at the end, would delete the model
])
def test_checkpoint_dir_and_model_dir_may_not_lie_one_inside_the_other(data_csv, tmp_path, capsys, checkpoints,
                                                                       model, inner):
    code, err = _run(capsys, "fit", data_csv, "--checkpoint-dir", tmp_path / checkpoints, "--out", tmp_path / model)
    assert code == 2 and f"{inner} " in err and "lies inside" in " ".join(err.split())
    assert not any(tmp_path.iterdir()) or sorted(p.name for p in tmp_path.iterdir()) == [data_csv.name]


@pytest.mark.parametrize("first_checkpoint_written", [False, True])
def test_an_interrupt_points_to_resume_only_once_a_checkpoint_exists(tmp_path, capsys, monkeypatch,
                                                                      first_checkpoint_written):
    # Ctrl-C before the first checkpoint advised --resume "from the last checkpoint" in a folder
    # that did not exist yet.
    from gan_augment import GANAugmenter

    checkpoints = tmp_path / "ck"

    def interrupted(self, X, y):
        if first_checkpoint_written:
            checkpoints.mkdir()
            (checkpoints / "model.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(GANAugmenter, "fit", interrupted)
    code = main(["fit", str(_table(tmp_path / "data.csv")), "--classes", "rare", "--checkpoint-dir", str(checkpoints),
                 "--out", str(tmp_path / "model"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 130 and "Interrupted during training" in err
    assert ("--resume" in err) == first_checkpoint_written
    assert not (tmp_path / "model").exists()


def test_an_interrupt_while_saving_the_model_points_to_resume(tmp_path, capsys, monkeypatch):
    # The checkpoint held the whole training, and --resume saves it without training again; the
    # message said only that nothing was written.
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("gan_augment.cli._model_dir.save_model", interrupted)
    checkpoints = tmp_path / "ck"
    code = main(["fit", str(_table(tmp_path / "data.csv")), "--classes", "rare", "--checkpoint-dir", str(checkpoints),
                 "-e", "1", "--batch-size", "64", "--out", str(tmp_path / "model"), "--quiet"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 130 and "Interrupted while writing the model; nothing was written" in err
    assert f"The training is kept in {checkpoints}/: run the same command with --resume to save the model." in err


def test_a_terminated_fit_stops_as_ctrl_c_does(tmp_path):
    # SIGTERM (kill, timeout, a job scheduler) ended the process at once: no message, exit -15, and
    # the worker processes of -j ran on. Now it is handled as Ctrl-C: what was left is said, exit 130.
    data = _table(tmp_path / "data.csv")
    checkpoint = tmp_path / "checkpoint"
    run = _gan_augment(*_fit_args(data, tmp_path / "model", "--checkpoint-dir", checkpoint, "--checkpoint-every", 1))
    try:
        deadline = time.monotonic() + 240
        while not (checkpoint / "model.json").exists():
            assert run.poll() is None, _finish(run)[2]
            assert time.monotonic() < deadline, "no checkpoint was written"
            time.sleep(0.05)
        assert run.poll() is None, "the fit ended before it could be stopped; give it more epochs"
        run.send_signal(signal.SIGTERM)
        code, _, err = _finish(run, timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert code == 130, err
    assert (f"Interrupted during training; no model was written. Run the same command with --resume to continue "
            f"from the last checkpoint in {checkpoint}/.") in " ".join(err.split())
    assert not (tmp_path / "model").exists()


def test_a_fit_started_with_sigterm_ignored_keeps_ignoring_it(tmp_path):
    # Like nohup: a command started with SIGTERM ignored ran to its end before SIGTERM was handled;
    # the handler must not undo the caller's choice.
    def ignoring_sigterm():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        pin = _one_cpu()
        if pin is not None:
            pin()

    data = _table(tmp_path / "data.csv")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.Popen([sys.executable, "-m", "gan_augment", *map(str, _fit_args(data, tmp_path / "model", "-q"))],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=ignoring_sigterm)
    try:
        time.sleep(3)  # into training (EPOCHS take several seconds)
        run.send_signal(signal.SIGTERM)
        code, _, err = _finish(run)
    finally:
        if run.poll() is None:
            run.kill()
    assert code == 0, err
    assert (tmp_path / "model" / "model.json").exists()
