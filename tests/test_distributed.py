"""Data-parallel training on CPU: two gloo processes, started the way torchrun starts them.

The worker processes run tests/distributed_worker.py; each test waits for them with a timeout, so
a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import distributed_worker as worker
from gan_augment import GANAugmenter
from gan_augment.exceptions import DistributedError
from gan_augment.training.distributed import resolve_process_group

WORKER = Path(__file__).resolve().parent / "distributed_worker.py"
TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    return env


def _run_workers(scenario: str, out: Path, world_size: int = 2) -> list[subprocess.CompletedProcess]:
    port = _free_port()
    processes = [subprocess.Popen([sys.executable, str(WORKER), scenario, str(out), str(rank), str(world_size),
                                   str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
                 for rank in range(world_size)]
    finished = []
    try:
        for rank, process in enumerate(processes):
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
            finished.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    return finished


def _load(out: Path, scenario: str, rank: int) -> dict:
    return torch.load(out / f"{scenario}_rank{rank}.pt")


def test_two_processes_train_as_one_process_with_the_same_global_batch(tmp_path):
    """The global batch is split, not duplicated, and the gradients averaged: 2 processes with 8 rows
    each end where 1 process with 16 ends (to float rounding), both ranks bit-identical, and a run
    stopped and resumed from its checkpoint ends bit-identical to an uninterrupted one."""
    runs = _run_workers("trainer", tmp_path)
    assert all(run.returncode == 0 for run in runs), runs[0].stderr[-3000:] + runs[1].stderr[-3000:]
    rank0, rank1 = _load(tmp_path, "trainer", 0), _load(tmp_path, "trainer", 1)
    one = worker.trainer_runs(tmp_path)  # world size 1, in this process
    for name, value in rank0["whole"].items():
        assert torch.equal(value, rank1["whole"][name]), name  # identical on every rank, EMA included
        assert torch.equal(value, rank0["resumed"][name]), name  # resume is exact, distributed too
        torch.testing.assert_close(value, one["whole"][name], rtol=1e-5, atol=1e-6, msg=name)
    # ... and the run did train: the weights moved from their (seeded) start.
    torch.manual_seed(0)
    start = worker.LinearGenerator().state_dict()
    assert not torch.allclose(rank0["whole"]["G.net.0.weight"], start["net.0.weight"])


def test_a_process_that_dies_stops_the_others_with_an_error(tmp_path):
    runs = _run_workers("killed", tmp_path)  # rank 1 exits abruptly after epoch 2 of 50
    assert runs[1].returncode == 3
    assert runs[0].returncode != 0
    assert "DistributedError" in runs[0].stderr and "another process of the distributed run stopped" in runs[0].stderr
    assert not (tmp_path / "killed_rank0.pt").exists()


def test_a_stop_one_process_decides_stops_every_process(tmp_path):
    # Rank 1 alone set stop_training: rank 0 waited in the next all-reduce until the group's timeout.
    runs = _run_workers("one_stops", tmp_path)
    assert all(run.returncode == 0 for run in runs), runs[0].stderr[-3000:] + runs[1].stderr[-3000:]
    assert [int(_load(tmp_path, "one_stops", rank)[key]) for rank in (0, 1) for key in ("epochs", "checkpointed")] \
        == [2, 2, 2, 2]


def test_augmenter_trains_data_parallel_on_tables_and_images(tmp_path):
    runs = _run_workers("augmenter", tmp_path)
    assert all(run.returncode == 0 for run in runs), runs[0].stderr[-3000:] + runs[1].stderr[-3000:]
    rank0, rank1 = _load(tmp_path, "augmenter", 0), _load(tmp_path, "augmenter", 1)
    for kind in ("table", "images"):
        for name, value in rank0[kind]["generator"].items():
            assert torch.equal(value, rank1[kind]["generator"][name]), (kind, name)
        assert torch.equal(rank0[kind]["sample"], rank1[kind]["sample"])
        # Rank 0 saved the model, and it is the model both processes hold.
        loaded = GANAugmenter.load(tmp_path / f"model_{kind}")
        for name, value in loaded.generator_.state_dict().items():
            assert torch.equal(value, rank0[kind]["generator"][name]), (kind, name)
    for rank in (rank0, rank1):
        for shards in ("own_shards", "table_values", "image_values", "labels"):
            assert rank[shards].startswith("DistributedError: GANAugmenter was given different data"), shards
        assert rank["own_checkpoints"].startswith("DistributedError: Some processes of the distributed run find a "
                                                  "checkpoint in checkpoint_dir=")
        assert rank["settings"] == ("DistributedError: GANAugmenter has other settings on other processes of the "
                                    "distributed run (batch_size, epochs). Data-parallel training needs the same "
                                    "settings on every process.")


def test_torchrun_fit_writes_one_model_and_prints_once(tmp_path):
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=150, n_features=4, n_informative=3, n_redundant=0, weights=[0.85, 0.15],
                               random_state=0)
    data = pd.DataFrame(X, columns=list("abcd")).round(3)
    data["label"] = ["common" if v == 0 else "rare" for v in y]
    data.to_csv(tmp_path / "t.csv", index=False)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
               "-m", "gan_augment", "fit", "t.csv", "--classes", "rare", "-e", "2", "--batch-size", "32", "-s", "0",
               "-o", "model"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=TIMEOUT_S)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr.count("Saved the model to model/") == 1 and run.stderr.count("Top-up plan:") == 1
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["model.json", "model.safetensors"]
    assert GANAugmenter.load(tmp_path / "model").sampling_strategy_ == {"rare": 102}


def test_numpy_bools_mean_what_python_bools_mean_and_a_bad_world_size_is_named(monkeypatch):
    from gan_augment.cli._common import CLIError, check_processes

    # np.True_ trained in one process without a word; np.False_ joined a torchrun group.
    with pytest.raises(DistributedError, match="torchrun --nproc-per-node 2"):
        resolve_process_group(np.True_)
    monkeypatch.setenv("WORLD_SIZE", "2")
    for name in ("RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.setenv(name, {"RANK": "0", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "1"}[name])
    assert not resolve_process_group(np.False_).active  # would have waited for a peer
    # int()'s "invalid literal for int() with base 10: ''" named no variable, in every command.
    for value in ("", "two"):
        monkeypatch.setenv("WORLD_SIZE", value)
        with pytest.raises(DistributedError, match=rf"WORLD_SIZE={value!r} is not a whole number.*unset WORLD_SIZE"):
            resolve_process_group("auto")
        with pytest.raises(CLIError, match=rf"WORLD_SIZE={value!r} is not a whole number") as refused:
            check_processes("info")  # every command asks first: a usage error, not a crash
        assert refused.value.exit_code == 2


def test_a_script_under_torchrun_fits_more_than_once(tmp_path):
    # The group set up for the first fit was torn down after it, and the second fit's new group
    # never completed its first collective: any script fitting twice (fit then fit_resample, a
    # search) hung under torchrun.
    script = tmp_path / "twice.py"
    script.write_text(
        "import os, numpy as np, torch\n"
        "from gan_augment import GANAugmenter\n"
        "X = np.random.default_rng(0).normal(size=(60, 3)); y = np.repeat([0, 1], [45, 15])\n"
        "for seed in range(2):\n"
        "    augmenter = GANAugmenter(epochs=1, batch_size=16, generator_dims=(8,), discriminator_dims=(8,),\n"
        "                             n_threads=1, label_gate=False, verbose=False, random_state=seed).fit(X, y)\n"
        "    with open(f'fits_{torch.distributed.get_rank()}.txt', 'a') as done:\n"
        "        done.write(f'{seed} {torch.distributed.get_world_size()}\\n')\n"
        "torch.distributed.barrier()  # torn down together, as torch asks of a script\n"
        "torch.distributed.destroy_process_group()  # then a fit would wait for ever: refused instead\n"
        "try:\n"
        "    augmenter.fit(X, y)\n"
        "except Exception as exc:\n"
        "    open(f'refused_{os.environ[\"RANK\"]}.txt', 'w').write(str(exc))\n")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", str(script)]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=TIMEOUT_S)
    assert run.returncode == 0, run.stderr[-3000:]
    for rank in (0, 1):  # each rank fitted twice, in a group of 2
        assert (tmp_path / f"fits_{rank}.txt").read_text() == "0 2\n1 2\n"
        assert "was destroyed" in (tmp_path / f"refused_{rank}.txt").read_text()


def test_under_torchrun_other_ranks_are_quiet_and_commands_that_do_not_train_are_refused(monkeypatch, capsys):
    from gan_augment.cli._common import CLIError, check_processes, state, warn

    monkeypatch.setattr(state, "quiet", False)
    assert check_processes("info") is True  # not under torchrun: every command, this process writes
    for name, value in {"RANK": "1", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CLIError, match="`gan-augment info` runs in one process; start it without torchrun"):
        check_processes("info")
    monkeypatch.setattr(state, "other_rank", False)
    assert check_processes("fit", data_parallel=True) is False and state.quiet  # rank 1: rank 0 writes
    # Every process reads an image folder: its warnings came once per process (rank 0's are enough).
    warn("resized 1 of 5 images")
    assert capsys.readouterr().err == ""


def test_distributed_true_without_processes_says_how_to_start_them(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(DistributedError, match="torchrun --nproc-per-node 2"):
        resolve_process_group(True)
    assert not resolve_process_group("auto").active and not resolve_process_group(False).active
    with pytest.raises(ValueError, match="distributed must be"):
        resolve_process_group("yes")
    with pytest.raises(DistributedError, match="torchrun"):  # before any data is read or encoded
        GANAugmenter(distributed=True, epochs=1).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])


def _torchrun_rank(monkeypatch, rank: int, local_processes: int, n_gpus: int, *, local_variables=True) -> None:
    """This process as rank ``rank`` of a torchrun job with ``local_processes`` on a machine of
    ``n_gpus`` GPUs (CUDA itself is never touched: the tests run on CPU-only machines too);
    without ``local_variables``, as another launcher starts it (no LOCAL_RANK, LOCAL_WORLD_SIZE)."""
    environment = {"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(local_processes),
                   "LOCAL_WORLD_SIZE": str(local_processes), "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}
    for name, value in environment.items():
        if local_variables or not name.startswith("LOCAL_"):
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: n_gpus)


def test_auto_device_under_torchrun_takes_the_gpus_only_when_each_process_has_one(monkeypatch):
    # Two processes on a one-GPU machine: rank 1 asked CUDA for GPU 1 and the run died with
    # "invalid device ordinal" (seen on an H200 with `torchrun --nproc-per-node 2 -m gan_augment fit`).
    from gan_augment.training.trainer import resolve_device

    _torchrun_rank(monkeypatch, rank=0, local_processes=2, n_gpus=1)
    with pytest.warns(UserWarning, match=r"2 processes on this machine, which has 1 GPU\(s\), so they train on "
                                         r"the CPU.*--nproc-per-node 1"):
        assert resolve_device("auto") == torch.device("cpu")
    _torchrun_rank(monkeypatch, rank=1, local_processes=2, n_gpus=2)
    assert resolve_device("auto") == torch.device("cuda")


def test_cuda_under_torchrun_with_fewer_gpus_than_processes_is_refused_before_any_work(monkeypatch):
    _torchrun_rank(monkeypatch, rank=1, local_processes=2, n_gpus=1)
    monkeypatch.setattr(torch.distributed, "init_process_group", lambda **kwargs: pytest.fail("group set up"))
    message = (r"Process 1 would share a GPU: this machine has 1 GPU\(s\) for 2 processes.*--nproc-per-node 1.*"
               r"--device cpu")
    with pytest.raises(DistributedError, match=message):
        resolve_process_group("auto", torch.device("cuda"))
    # Another launcher, without LOCAL_RANK: rank % GPUs put both processes on GPU 0.
    _torchrun_rank(monkeypatch, rank=1, local_processes=2, n_gpus=1, local_variables=False)
    with pytest.raises(DistributedError, match=message):
        resolve_process_group("auto", torch.device("cuda"))


def test_one_named_gpu_for_every_process_of_a_machine_is_refused(monkeypatch):
    from gan_augment.training.distributed import ProcessGroup, local_device

    _torchrun_rank(monkeypatch, rank=1, local_processes=2, n_gpus=2)
    group = ProcessGroup(rank=1, world_size=2)
    assert local_device(torch.device("cuda"), group) == torch.device("cuda", 1)
    with pytest.raises(DistributedError, match=r"device='cuda:0' puts every process of this machine on GPU 0.*"
                                               r"Give device='cuda' \(--device cuda\)"):
        local_device(torch.device("cuda:0"), group)
    # One process per machine (several machines): the GPU it names is its own.
    _torchrun_rank(monkeypatch, rank=0, local_processes=1, n_gpus=2)
    monkeypatch.setenv("WORLD_SIZE", "2")  # the other process runs on another machine
    assert local_device(torch.device("cuda:1"), ProcessGroup(rank=0, world_size=2)) == torch.device("cuda:1")


def test_the_processes_data_compare_by_value():
    from gan_augment.augmenter import _values_digest

    # NaNs of either sign bit and zeros of either sign are the same values in every process.
    assert _values_digest(np.array([1.0, np.nan, 0.0])) == _values_digest(np.array([1.0, -np.nan, -0.0]))
    assert _values_digest(np.array([1.0, 2.0])) != _values_digest(np.array([1.0, 2.5]))
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": ["x", None]})
    assert _values_digest(frame) == _values_digest(frame.copy()) != _values_digest(frame.assign(b=["y", None]))



@pytest.mark.parametrize("rank, distributed, warned", [("0", "auto", True), ("1", "auto", False), ("1", False, True),
                                                       ("1", np.False_, True)])
def test_warnings_before_the_processes_meet_come_from_rank_0_alone(monkeypatch, rank, distributed, warned):
    # A class of two rows was warned about by every process (the fit's later warnings by rank 0 alone);
    # with distributed=False each process fits its own GAN, and says its own.
    import warnings

    from gan_augment.exceptions import SmallClassWarning

    for name, value in {"RANK": rank, "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    X, y = np.arange(40.0).reshape(20, 2), np.array([0] * 18 + [1] * 2)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        GANAugmenter(distributed=distributed)._resolve_sampling_strategy(X, y)
    assert any(issubclass(w.category, SmallClassWarning) for w in said) is warned


def test_folds_in_worker_processes_under_torchrun_are_refused_where_their_gans_would_meet(monkeypatch):
    # joblib's workers inherit torchrun's variables: each fold's GAN took the workers of other folds
    # for its processes, and the run hung or failed with "different data on different processes".
    from gan_augment import AutoAugmenter
    from gan_augment.evaluation import plan_evaluation

    for name, value in {"RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    X, y = pd.DataFrame({"a": np.arange(60.0)}), np.array([0] * 45 + [1] * 15)
    with pytest.raises(DistributedError, match=r"The evaluation runs 2 folds at once \(n_jobs=2\), and under "
                                               r"torchrun a GAN fitted beside another takes it for a process"):
        plan_evaluation(X, y, GANAugmenter(epochs=1), cv=2, repeats=1, n_jobs=2)
    with pytest.raises(DistributedError, match=r"AutoAugmenter runs 2 folds at once \(n_jobs=2\)"):
        AutoAugmenter(n_jobs=2)._check_candidates()
    with pytest.raises(DistributedError, match=r"The evaluation runs 2 folds at once"):  # its GAN inside
        plan_evaluation(X, y, AutoAugmenter(), cv=2, repeats=1, n_jobs=2)
    from joblib import parallel_backend

    with parallel_backend("threading", n_jobs=2), pytest.raises(
            DistributedError, match=r"runs 2 folds at once \(the joblib backend's n_jobs\).*n_jobs=1"):
        plan_evaluation(X, y, GANAugmenter(epochs=1), cv=2, repeats=1)
    # Each process fitting its own GAN, or no GAN, or the folds one at a time: taken.
    plan_evaluation(X, y, GANAugmenter(epochs=1, distributed=False), cv=2, repeats=1, n_jobs=2)
    plan_evaluation(X, y, GANAugmenter(epochs=1, distributed=np.False_), cv=2, repeats=1, n_jobs=2)
    plan_evaluation(X, y, AutoAugmenter(methods=("random",)), cv=2, repeats=1, n_jobs=2)
    plan_evaluation(X, y, GANAugmenter(epochs=1), cv=2, repeats=1, n_jobs=None)
    AutoAugmenter(n_jobs=2, augmenter=GANAugmenter(distributed=False))._check_candidates()


def test_the_processes_compare_settings_by_value_and_objects_by_type():
    # Compared by repr, a callable sampling_strategy or an InEveryClass (their reprs hold addresses)
    # would read as other settings on every other process.
    from gan_augment.augmenter import _comparable
    from gan_augment.planner import InEveryClass

    assert _comparable(lambda y: {1: 40}) == _comparable(lambda y: {1: 40})
    assert _comparable(InEveryClass(0.5)) == _comparable(InEveryClass(0.5))
    # ... and objects whose repr says what they hold by it: other classes are other settings.
    assert _comparable(InEveryClass(classes=["r1"])) != _comparable(InEveryClass(classes=["r2"]))
    assert _comparable(np.array(["r1"])) == ("r1",) != _comparable(np.array(["r2"]))
    assert _comparable((64, np.int64(32))) == (64, 32) != _comparable((64, 16))
    assert _comparable({1: 40, "a": 2}) == _comparable({"a": 2, 1: 40}) != _comparable({1: 41, "a": 2})
    assert _comparable(300) != _comparable("auto")
    # A set, or a list of classes built from one, comes in another order in each process (string hashes).
    assert _comparable({"rare", "maj"}) == _comparable({"maj", "rare"})
    assert _comparable(["rare", "maj"], ordered=False) == _comparable(["maj", "rare"], ordered=False)
    assert _comparable((256, 128)) != _comparable((128, 256))  # layer widths: in order
