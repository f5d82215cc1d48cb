"""Resume for users: GANAugmenter(checkpoint_dir=...) continues an interrupted fit of the same data and
settings, bit-identically on CPU, and refuses a folder it cannot use before training starts."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from gan_augment import GANAugmenter, _fs
from gan_augment.checkpoint import save_state
from gan_augment.exceptions import ModelFileError
from gan_augment.config import TrainingConfig
from gan_augment.training import Callback, Checkpoint, EarlyStopping, GANTrainer, ProgressBar

# The label gate is on (the tables' default) with a short judge: the gate is not these tests' subject.
pytestmark = pytest.mark.usefixtures("quick_row_judge")

FAST = dict(epochs=5, batch_size=32, noise_dim=8, generator_dims=(16,), discriminator_dims=(16,), pac=4,
            max_modes=2, device="cpu", random_state=0)


def _data(shift: float = 0.0):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3)) + shift
    y = np.array([0] * 70 + [1] * 20)
    X[y == 1] += 2.0
    return X, y


class InterruptAt(Callback):
    """Ctrl-C at the end of epoch ``epoch`` (before that epoch's checkpoint: Checkpoint runs last)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, trainer, record):
        if record["epoch"] == self.epoch:
            raise KeyboardInterrupt


class CountEpochs(Callback):
    def __init__(self):
        self.epochs, self.begun, self.ended = [], 0, 0

    def on_train_begin(self, trainer):
        self.begun += 1

    def on_epoch_end(self, trainer, record):
        self.epochs.append(record["epoch"])

    def on_train_end(self, trainer):
        self.ended += 1


def _interrupted(X, y, checkpoint_dir, *, at=3, params=FAST, callbacks=()):
    """A fit checkpointed every 2 epochs, stopped by Ctrl-C at the end of epoch ``at``."""
    with pytest.raises(KeyboardInterrupt):
        GANAugmenter(**params, checkpoint_dir=checkpoint_dir, checkpoint_every=2,
                     callbacks=[InterruptAt(at), *callbacks]).fit(X, y)


def _assert_same_model(a, b):
    for cls in (0, 1):
        np.testing.assert_array_equal(a.sample(64, cls), b.sample(64, cls))
    for (key, x), (_, z) in zip(a.generator_.state_dict().items(), b.generator_.state_dict().items()):
        assert torch.equal(x, z), key


# ================================================================================ resuming
def test_an_interrupted_fit_resumes_bit_identical_to_an_uninterrupted_one(tmp_path):
    X, y = _data()
    uninterrupted = GANAugmenter(**FAST).fit(X, y)

    _interrupted(X, y, tmp_path / "ckpt")
    assert (tmp_path / "ckpt" / "model.safetensors").is_file()

    counter = CountEpochs()
    resumed = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2,
                           callbacks=[counter]).fit(X, y)
    assert counter.epochs == [3, 4, 5]  # went on from the checkpoint of epoch 2, did not start over
    assert resumed.history_[:, "epoch"] == [1, 2, 3, 4, 5]
    assert resumed.history_[:, "loss_g"] == uninterrupted.history_[:, "loss_g"]
    _assert_same_model(uninterrupted, resumed)


def test_the_name_of_the_column_axis_is_no_part_of_what_a_checkpoint_must_match(tmp_path):
    # Only sampled frames carry it: a fit resumed on the same rows under another axis name (or a
    # checkpoint written before it was kept) was refused as "other data".
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    _interrupted(frame.rename_axis(columns="before"), y, tmp_path / "ckpt")
    resumed = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt").fit(frame.rename_axis(columns="after"), y)
    assert resumed.history_[:, "epoch"] == [1, 2, 3, 4, 5] and resumed.sample(2, 1).columns.name == "after"


def test_a_checkpoint_of_an_earlier_version_without_a_newer_setting_resumes(tmp_path):
    # penalty_fraction came later; a checkpoint without it was refused as "other data or settings"
    # ("penalty_fraction None in the checkpoint, 1.0 now"), with advice no setting could follow.
    X, y = _data()
    uninterrupted = GANAugmenter(**FAST).fit(X, y)
    _interrupted(X, y, tmp_path / "ckpt")
    header_path = tmp_path / "ckpt" / "model.json"
    header = json.loads(header_path.read_text())
    header.pop("header_sha256", None)  # as the files of that version: no checksum over the header
    settings = header["state"]["metadata"]["gan_augmenter"]["fingerprint"]["training_config"]
    settings["penalty_fraction"] = 0.5  # a setting the checkpoint holds is compared
    header_path.write_text(json.dumps(header))
    with pytest.raises(ModelFileError, match=r"penalty_fraction 0.5 in the checkpoint, 1.0 now"):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2).fit(X, y)
    del settings["penalty_fraction"]
    # The encoding's parameters came later still: without them, the encoder's hash stands for them.
    del header["state"]["metadata"]["gan_augmenter"]["fingerprint"]["parameters"]
    header_path.write_text(json.dumps(header))
    resumed = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2).fit(X, y)
    assert resumed.history_[:, "loss_g"] == uninterrupted.history_[:, "loss_g"]


def test_an_interrupted_fit_with_early_stopping_resumes_with_its_ratings(tmp_path):
    X, y = _data()
    params = {**FAST, "epochs": 8, "early_stopping": True}
    uninterrupted = GANAugmenter(**params).fit(X, y)
    _interrupted(X, y, tmp_path / "ckpt", at=5, params=params)
    # The same list of callbacks (the rating callback comes after the user's), as a rerun would have.
    resumed = GANAugmenter(**params, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2,
                           callbacks=[CountEpochs()]).fit(X, y)
    rated = [(r["epoch"], r["snapshot_score"]) for r in uninterrupted.history_ if "snapshot_score" in r]
    assert len(rated) >= 2
    assert [(r["epoch"], r["snapshot_score"]) for r in resumed.history_ if "snapshot_score" in r] == rated
    _assert_same_model(uninterrupted, resumed)  # the same snapshot kept


class Tally(Callback):
    """Counts the epochs of a run, across a resume (its count is its checkpointed state)."""

    def __init__(self):
        self.epochs = 0

    def on_epoch_end(self, trainer, record):
        self.epochs += 1

    def state_dict(self):
        return {"epochs": self.epochs}

    def load_state_dict(self, state):
        self.epochs = state["epochs"]


def test_a_callbacks_state_is_found_when_other_callbacks_are_dropped_on_resume(tmp_path):
    # Interrupted with [InterruptAt, Tally], resumed with [Tally]: the state is found by the callback's
    # class, not by its place in the list (the built-in early-stopping callback moves the same way).
    X, y = _data()
    _interrupted(X, y, tmp_path / "ckpt", callbacks=[Tally()])
    tally = Tally()
    GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2, callbacks=[tally]).fit(X, y)
    assert tally.epochs == 5  # 2 before the checkpoint, 3 after it


def test_fit_resample_resumes_too(tmp_path):
    X, y = _data()
    X_full, y_full = GANAugmenter(**FAST).fit_resample(X, y)
    with pytest.raises(KeyboardInterrupt):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=1,
                     callbacks=[InterruptAt(4)]).fit_resample(X, y)
    X_res, y_res = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=1).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_full)
    np.testing.assert_array_equal(y_res, y_full)


_KILLED_FIT = """
import os, signal, sys
import numpy as np
sys.path.insert(0, {tests!r})
from test_resume import FAST, _data
from gan_augment import GANAugmenter, _fs
from gan_augment.training import Callback

class Kill(Callback):
    def on_epoch_end(self, trainer, record):
        if record["epoch"] == 4:
            os.kill(os.getpid(), signal.SIGKILL)  # no clean-up of any kind runs

X, y = _data()
GANAugmenter(**FAST, checkpoint_dir={ckpt!r}, checkpoint_every=3, callbacks=[Kill()]).fit(X, y)
"""


@pytest.mark.slow
def test_a_fit_killed_with_sigkill_resumes_bit_identical(tmp_path):
    X, y = _data()
    script = _KILLED_FIT.format(tests=str(Path(__file__).parent), ckpt=str(tmp_path / "ckpt"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    counter = CountEpochs()
    resumed = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=3,
                           callbacks=[counter]).fit(X, y)
    assert counter.epochs == [4, 5]
    _assert_same_model(GANAugmenter(**FAST).fit(X, y), resumed)


def test_a_checkpoint_whose_replacement_was_killed_mid_swap_is_resumed(tmp_path):
    X, y = _data()
    _interrupted(X, y, tmp_path / "ckpt")
    # What a SIGKILL between the two renames of the next checkpoint write leaves: no "ckpt", and the
    # previous checkpoint aside under its hidden name (of a process that is gone).
    (tmp_path / "ckpt").rename(tmp_path / f".ckpt.old-{_fs._host_tag()}-999999999-0badc0de")
    counter = CountEpochs()
    resumed = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2,
                           callbacks=[counter]).fit(X, y)
    assert counter.epochs == [3, 4, 5]
    _assert_same_model(GANAugmenter(**FAST).fit(X, y), resumed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]


def test_without_a_seed_the_checkpoint_seeds_are_reused(tmp_path):
    X, y = _data()
    params = {**FAST, "random_state": None, "checkpoint_dir": tmp_path / "ckpt", "checkpoint_every": 1}
    with pytest.raises(KeyboardInterrupt):
        GANAugmenter(**params, callbacks=[InterruptAt(2)]).fit(X, y)
    counter = CountEpochs()
    first = GANAugmenter(**params, callbacks=[counter]).fit(X, y)
    assert counter.epochs == [2, 3, 4, 5]
    # The checkpoint now holds the finished run: fitting again changes nothing.
    again = GANAugmenter(**params).fit(X, y)
    _assert_same_model(first, again)


def test_a_finished_checkpoint_gives_the_same_model_without_training(tmp_path):
    X, y = _data()
    first = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    counter = CountEpochs()
    second = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", callbacks=[counter]).fit(X, y)
    assert counter.epochs == []
    _assert_same_model(first, second)


def test_a_run_stopped_early_stays_stopped_when_fitted_again(tmp_path):
    # The last checkpoint is the one of the epoch early stopping ended the run in; going on from
    # it would train epochs the uninterrupted run never had.
    X, y = _data()
    params = {**FAST, "epochs": 40}
    first = GANAugmenter(**params, checkpoint_dir=tmp_path / "ckpt",
                         callbacks=[EarlyStopping("loss_d", patience=1, mode="max")]).fit(X, y)
    stopped_at = first.history_[-1]["epoch"]
    assert stopped_at < 40
    counter = CountEpochs()
    second = GANAugmenter(**params, checkpoint_dir=tmp_path / "ckpt",
                          callbacks=[EarlyStopping("loss_d", patience=1, mode="max"), counter]).fit(X, y)
    assert counter.epochs == [] and counter.begun == counter.ended == 1
    assert second.history_[-1]["epoch"] == stopped_at
    _assert_same_model(first, second)


# ================================================================================ refusals, before training
def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("change, named", [
    (dict(data=True), "data"),
    (dict(epochs=6), "training_config: epochs 5 in the checkpoint, 6 now"),
    (dict(generator_dims=(8,)), "model_config: generator_dims [16] in the checkpoint, [8] now"),
    # Only the seeds: the data and encoder hashes (of the seeded encoding) were named as differing too.
    (dict(random_state=1), "(they differ in: random_state 0 in the checkpoint, 1 now)"),
    (dict(early_stopping=True), "early_stopping"),
])
def test_a_checkpoint_of_other_data_or_settings_is_refused(tmp_path, change, named):
    X, y = _data()
    GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    before = _snapshot(tmp_path / "ckpt")
    params = {**FAST, **{k: v for k, v in change.items() if k != "data"}}
    if change.get("data"):
        X, y = _data(shift=0.5)
    counter = CountEpochs()
    with pytest.raises(ModelFileError, match="other data or settings") as info:
        GANAugmenter(**params, checkpoint_dir=tmp_path / "ckpt", callbacks=[counter]).fit(X, y)
    message = str(info.value)
    assert str(tmp_path / "ckpt") in message and named in message
    assert counter.begun == 0  # refused before training
    assert _snapshot(tmp_path / "ckpt") == before


@pytest.mark.parametrize("change, named", [
    (dict(max_modes=3), "parameters: max_modes 2 in the checkpoint, 3 now"),
    (dict(categorical_features=[2]), "parameters: categorical_features None in the checkpoint, [2] now"),
    (dict(detect_rules=False), "parameters: detect_rules True in the checkpoint, False now"),
])
def test_another_encoding_setting_is_named_not_the_data(tmp_path, change, named):
    # They were refused as "they differ in: data; encoder": hashes of what the setting changed, which
    # told a user whose data had not changed that it had, and named no setting.
    X, y = _data()
    GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    with pytest.raises(ModelFileError) as info:
        GANAugmenter(**{**FAST, **change}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    assert f"(they differ in: {named})" in str(info.value)


def test_a_parameter_given_as_an_array_is_the_list_it_holds(tmp_path):
    # np.array([2]) was its text "[2]" against the checkpoint's [2]: named as the difference, where
    # the data had changed.
    X, y = _data()
    GANAugmenter(**FAST, categorical_features=[2], checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    with pytest.raises(ModelFileError) as info:
        GANAugmenter(**FAST, categorical_features=np.array([2]), checkpoint_dir=tmp_path / "ckpt").fit(X + 1.0, y)
    # (Shifted by 1, the values encode as before: only the encoder's record of them differs.)
    assert "they differ in: encoder (the columns' names, types or values" in str(info.value)
    assert "parameters" not in str(info.value)


def test_early_stopping_on_other_classes_is_refused_on_resume(tmp_path):
    # Which classes the ratings rate was not in the fingerprint: a resume with other classes=
    # continued with ratings of another scorer.
    X, y = _data()
    GANAugmenter(**FAST, early_stopping=True, classes=[1], checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    with pytest.raises(ModelFileError, match=r"other data or settings.*early_stopping: the classes it rates \(those "
                                             r"topped up: classes, sampling_strategy\) differ"):
        GANAugmenter(**FAST, early_stopping=True, classes=[0], checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    GANAugmenter(**FAST, early_stopping=True, classes=[1], checkpoint_dir=tmp_path / "ckpt").fit(X, y)  # same: resumes


class StateOf(CountEpochs):
    def __init__(self, state):
        super().__init__()
        self.state = state

    def state_dict(self):
        return self.state

    def load_state_dict(self, state):
        self.state = state


@pytest.mark.parametrize("state, named", [
    ({"n": np.int64(3)}, rf"StateOf.state_dict\(\)\['n'\] is {re.escape(repr(np.int64(3)))} \(int64\)"),
    ({"seen": {(1, 2): 1}}, r"StateOf.state_dict\(\)\['seen'\] has the key \(1, 2\) \(tuple\)"),
    ([1, 2], r"StateOf.state_dict\(\) returned list; it must return a dict"),
])
def test_a_callback_state_a_checkpoint_cannot_store_is_refused_before_training(tmp_path, state, named):
    # It failed at the first checkpoint, epochs in, without naming the callback; a tuple key wrote a
    # checkpoint that could not be read again.
    X, y = _data()
    counter = StateOf(state)
    with pytest.raises(TypeError, match=named):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", callbacks=[counter]).fit(X, y)
    assert counter.epochs == [] and not (tmp_path / "ckpt").exists()


class NumpyCount(CountEpochs):
    """A state whose count becomes a numpy int once training is under way (e.g. np.argmin's)."""

    def state_dict(self):
        return {"n": np.int64(len(self.epochs)) if self.epochs else 0}

    def load_state_dict(self, state):
        pass


def test_a_callback_state_a_checkpoint_cannot_store_later_in_training_names_the_callback(tmp_path):
    # Checked when training began only: the first checkpoint failed with JSON's "Object of type
    # int64 is not JSON serializable", naming no callback.
    X, y = _data()
    with pytest.raises(TypeError, match=r"NumpyCount.state_dict\(\)\['n'\] is .*\(int64\), which a checkpoint "
                                        r"cannot store"):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2, callbacks=[NumpyCount()]).fit(X, y)
    assert not (tmp_path / "ckpt").exists()


def test_a_folder_with_other_files_is_refused_before_training(tmp_path):
    X, y = _data()
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    counter = CountEpochs()
    with pytest.raises(FileExistsError, match="checkpoint_dir.*results"):
        GANAugmenter(**FAST, checkpoint_dir=folder, callbacks=[counter]).fit(X, y)
    assert counter.begun == 0 and _snapshot(folder) == {"notes.txt": b"mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_a_saved_model_is_not_taken_for_a_checkpoint(tmp_path):
    X, y = _data()
    GANAugmenter(**FAST).fit(X, y).save(tmp_path / "model")
    before = _snapshot(tmp_path / "model")
    with pytest.raises(FileExistsError, match="holds a gan-augment model, not a checkpoint"):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "model").fit(X, y)
    assert _snapshot(tmp_path / "model") == before


def test_a_checkpoint_given_as_a_model_says_how_to_get_the_model(tmp_path):
    # It said only "holds a 'checkpoint', not a 'model'".
    X, y = _data()
    GANAugmenter(**{**FAST, "epochs": 1}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    with pytest.raises(ModelFileError, match=r"holds a 'checkpoint', not a 'model'\. A checkpoint is a fit in "
                                             r"progress: finish it .*--checkpoint-dir DIR --resume"):
        GANAugmenter.load(tmp_path / "ckpt")


def test_a_checkpoint_gan_augmenter_did_not_write_is_refused(tmp_path):
    save_state(tmp_path / "ckpt", {"epoch": 1, "w": torch.zeros(1)}, kind="checkpoint")
    X, y = _data()
    with pytest.raises(ModelFileError, match="GANAugmenter did not write"):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt").fit(X, y)


@pytest.mark.parametrize("metadata", [[1], {"gan_augmenter": {"fingerprint": {}, "seeds": [1, 2, 3, "x"]}},
                                      {"gan_augmenter": {"fingerprint": {}, "seeds": [1, 2, 3, -1]}}])
def test_a_damaged_record_of_the_run_is_refused_as_such(tmp_path, metadata):
    # An AttributeError ('list' object has no attribute 'get'), or seeds numpy could not take.
    save_state(tmp_path / "ckpt", {"epoch": 1, "metadata": metadata}, kind="checkpoint")
    X, y = _data()
    with pytest.raises(ModelFileError, match="whose record of its run was damaged"):
        GANAugmenter(**{**FAST, "random_state": None}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)


def test_a_checkpoint_of_another_number_of_processes_is_refused_as_a_checkpoint_fault(tmp_path, monkeypatch):
    # A plain ValueError: the command line printed it as an unforeseen crash ("ValueError: ... --debug").
    from gan_augment.training import trainer as trainer_module

    X, y = _data()
    GANAugmenter(**{**FAST, "epochs": 1}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    real_load = trainer_module.load_state

    def written_by_two(*args, **kwargs):  # as a run under torchrun --nproc-per-node 2 saves it
        return {**real_load(*args, **kwargs), "world_size": 2}

    monkeypatch.setattr(trainer_module, "load_state", written_by_two)
    with pytest.raises(ModelFileError, match=r"written by a run on 2 process\(es\); this one has 1"):
        GANAugmenter(**{**FAST, "epochs": 1}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)


def _written_as(monkeypatch, edit):
    """Checkpoints read back as ``edit`` changes their state (as an earlier version, or a hand, wrote them)."""
    from gan_augment.training import trainer as trainer_module

    real_load = trainer_module.load_state
    monkeypatch.setattr(trainer_module, "load_state", lambda *args, **kwargs: edit(real_load(*args, **kwargs)))


def test_a_checkpoint_written_before_one_class_packs_is_refused_where_the_draws_differ(tmp_path, monkeypatch):
    # It resumed without a word, drawing one class per pack from then on: a model that neither
    # version trains, uninterrupted.
    X, y = _data()
    _interrupted(X, y, tmp_path / "ckpt", params={**FAST, "epochs": 4})
    _written_as(monkeypatch, lambda state: {k: v for k, v in state.items() if k != "class_pack"})
    with pytest.raises(ModelFileError, match=re.escape(
            f"The checkpoint in {tmp_path / 'ckpt'} does not record how its batches' classes were drawn (an earlier "
            "gan-augment: most versions drew them row by row); this one draws one class per critic pack of 4 rows")):
        GANAugmenter(**{**FAST, "epochs": 4}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    _written_as(monkeypatch, lambda state: {**state, "class_pack": 1})  # said in words, not "per 1 rows"
    with pytest.raises(ModelFileError, match=re.escape(
            "drew a class for each row of a batch; this one draws one class per critic pack of 4 rows")):
        GANAugmenter(**{**FAST, "epochs": 4}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    # With packs of one row both versions draw alike: such a checkpoint resumes as it did.
    params = {**FAST, "epochs": 4, "pac": 1}
    _interrupted(X, y, tmp_path / "one", params=params)
    resumed = GANAugmenter(**params, checkpoint_dir=tmp_path / "one").fit(X, y)
    _assert_same_model(resumed, GANAugmenter(**params).fit(X, y))


@pytest.mark.parametrize("edit", [
    lambda state: {k: v for k, v in state.items() if k != "history"},
    lambda state: {**state, "epoch": "1"},
    lambda state: {**state, "epoch": 99},  # "finished" a 4-epoch run as a 2-epoch model
    lambda state: {**state, "history": [1, 2]},
    lambda state: {k: v for k, v in state.items() if k != "config"},
    lambda state: {**state, "epoch": 1},  # resumed at epoch 1 with epoch 2's steps: history [1, 3, 4]
    lambda state: {**state, "step": 10 ** 9},  # the step drives warm-ups and schedules
    lambda state: {**state, "world_size": "1"},  # "a run on 1 process(es); this one has 1"
    lambda state: {**state, "class_pack": "4"},  # "packs of 4 rows; this one ... packs of 4 rows"
    lambda state: {**state, "callbacks": [1]},
    lambda state: {**state, "generator": {k + "x": v for k, v in state["generator"].items()}},
])
def test_a_damaged_checkpoint_without_a_checksum_is_a_file_error_naming_it(tmp_path, monkeypatch, edit):
    # The older format holds no checksum of its header: an edit raised KeyError/TypeError from the
    # trainer's insides, or was trained on.
    X, y = _data()
    _interrupted(X, y, tmp_path / "ckpt", params={**FAST, "epochs": 4})
    _written_as(monkeypatch, edit)
    with pytest.raises(ModelFileError, match=re.escape(f"The checkpoint in {tmp_path / 'ckpt'} could not be read")):
        GANAugmenter(**{**FAST, "epochs": 4}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)


def test_early_stopping_resumed_on_another_key_or_mode_is_refused(tmp_path):
    # Its best value of loss_g was taken for one of lr_g: it stopped where no run of either stops.
    X, y = _data()
    _interrupted(X, y, tmp_path / "ckpt", callbacks=[EarlyStopping("loss_g", patience=50)])
    with pytest.raises(ModelFileError, match=r"monitored 'loss_g' \(mode 'min'\); this one monitors 'lr_g' "
                                             r"\(mode 'max'\)"):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2,
                     callbacks=[InterruptAt(0), EarlyStopping("lr_g", patience=2, mode="max")]).fit(X, y)
    resumed = GANAugmenter(**FAST, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=2,
                           callbacks=[InterruptAt(0), EarlyStopping("loss_g", patience=50)]).fit(X, y)
    assert resumed.history_[:, "epoch"] == [1, 2, 3, 4, 5]


def test_a_checkpoint_of_other_settings_is_refused_before_the_label_gate_is_trained(tmp_path, monkeypatch):
    from gan_augment import augmenter as augmenter_module

    X, y = _data()
    GANAugmenter(**{**FAST, "epochs": 1}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    trained = []
    real_train = augmenter_module.LabelGate.train
    monkeypatch.setattr(augmenter_module.LabelGate, "train",
                        staticmethod(lambda *a, **k: trained.append(1) or real_train(*a, **k)))
    with pytest.raises(ModelFileError, match="epochs 1 in the checkpoint, 2 now"):
        GANAugmenter(**{**FAST, "epochs": 2}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    assert trained == []


def test_labels_of_another_type_are_named_as_such(tmp_path):
    X, y = _data()
    GANAugmenter(**{**FAST, "epochs": 1}, checkpoint_dir=tmp_path / "ckpt").fit(X, y)
    with pytest.raises(ModelFileError, match=r"classes \(the labels, or their types"):
        GANAugmenter(**{**FAST, "epochs": 1}, checkpoint_dir=tmp_path / "ckpt").fit(X, y.astype(np.int32))


def test_a_checkpoint_dir_that_is_a_symbolic_link_is_refused_before_training(tmp_path):
    # The checkpoints went into a new folder in the link's place; the folder it named stayed empty.
    (tmp_path / "scratch").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "scratch")
    X, y = _data()
    counter = CountEpochs()
    with pytest.raises(FileExistsError, match=r"checkpoint_dir: Checkpoint folder .*linked is a symbolic link"):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "linked", callbacks=[counter]).fit(X, y)
    assert counter.begun == 0 and (tmp_path / "linked").is_symlink() and not any((tmp_path / "scratch").iterdir())


def test_a_checkpoint_dir_under_a_file_is_refused_before_training(tmp_path):
    (tmp_path / "blocker").write_text("")
    X, y = _data()
    counter = CountEpochs()
    with pytest.raises(ValueError, match="blocker"):
        GANAugmenter(**FAST, checkpoint_dir=tmp_path / "blocker" / "ckpt", callbacks=[counter]).fit(X, y)
    assert counter.begun == 0


def test_checkpoint_every_is_validated():
    X, y = _data()
    with pytest.raises(InvalidParameterError, match="checkpoint_every"):
        GANAugmenter(**FAST, checkpoint_every=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="checkpoint_dir"):
        GANAugmenter(**FAST, checkpoint_dir=3).fit(X, y)


# ================================================================================ the Checkpoint callback
def test_the_checkpoint_callback_refuses_a_folder_that_is_not_a_checkpoint_before_the_first_epoch(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    X, y = torch.randn(40, 3), torch.tensor([0, 1] * 20)
    counter, bar = CountEpochs(), ProgressBar()
    trainer = GANTrainer(_Tiny(3, 2), _TinyD(3, 2), TrainingConfig(epochs=3, batch_size=8), device="cpu",
                         callbacks=[counter, bar, Checkpoint(folder, every=1)], random_state=0)
    with pytest.raises(FileExistsError, match="results"):
        trainer.fit(X, y)
    assert counter.epochs == [] and counter.ended == 1 and bar._progress is None  # what began was ended
    assert _snapshot(folder) == {"notes.txt": b"mine"}


class _Tiny(torch.nn.Module):
    noise_dim = 4

    def __init__(self, dim, n_classes):
        super().__init__()
        self.n_classes = n_classes
        self.net = torch.nn.Linear(self.noise_dim + n_classes, dim)

    def forward(self, z, y):
        return self.net(torch.cat([z, torch.nn.functional.one_hot(y, self.n_classes).float()], 1))


class _TinyD(torch.nn.Module):
    def __init__(self, dim, n_classes):
        super().__init__()
        self.n_classes = n_classes
        self.net = torch.nn.Linear(dim + n_classes, 1)

    def forward(self, x, y):
        return self.net(torch.cat([x, torch.nn.functional.one_hot(y, self.n_classes).float()], 1)).squeeze(1)


def test_numpy_number_settings_checkpoint_resume_and_save_as_python_numbers(tmp_path):
    # Settings from np.arange or a ParameterGrid are numpy scalars: the first checkpoint failed
    # ("Object of type int64 is not JSON serializable") and the epochs trained before it were lost.
    X, y = _data()
    settings = dict(FAST, epochs=np.int64(4), batch_size=np.int64(32), lr_g=np.float32(1e-3), noise_dim=np.int64(8),
                    generator_dims=(np.int64(16),), max_modes=np.int64(2), max_categories=np.int64(10))
    interrupted = GANAugmenter(**settings, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=1,
                               callbacks=[InterruptAt(2)])
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(X, y)
    resumed = GANAugmenter(**settings, checkpoint_dir=tmp_path / "ckpt", checkpoint_every=1).fit(X, y)
    assert len(resumed.history_) == 4
    plain = GANAugmenter(**dict(FAST, epochs=4, lr_g=float(np.float32(1e-3)), max_categories=10)).fit(X, y)
    np.testing.assert_array_equal(resumed.sample(20, 1), plain.sample(20, 1))
    resumed.save(tmp_path / "model")
    loaded = GANAugmenter.load(tmp_path / "model")
    assert loaded.training_config_ == resumed.training_config_ and type(loaded.training_config_.epochs) is int
    np.testing.assert_array_equal(loaded.sample(20, 1), resumed.sample(20, 1))
