"""Safe persistence: exact round trips, clear refusals of damaged or foreign files, atomic writes."""

from __future__ import annotations

import json
import math

import pytest
import torch

from gan_augment.checkpoint import FORMAT, load_state, save_state
from gan_augment.exceptions import ModelFileError


def _state():
    return {
        "weights": {
            "float32": torch.randn(3, 4),
            "float64": torch.randn(2, dtype=torch.float64),
            "float16": torch.randn(5).half(),
            "bfloat16": torch.randn(5).bfloat16(),
            "int64": torch.arange(6).reshape(2, 3),
            "int8": torch.tensor([-3, 0, 7], dtype=torch.int8),
            "uint8": torch.tensor([0, 255], dtype=torch.uint8),
            "bool": torch.tensor([True, False, True]),
            "scalar": torch.tensor(3.5),
            "transposed": torch.randn(4, 3).t(),  # not contiguous
        },
        # Optimizer state is keyed by int; the keys must come back as ints.
        "optimizer": {"state": {0: {"step": torch.tensor(7.0), "exp_avg": torch.ones(2)}, 1: {}},
                      "param_groups": [{"params": [0, 1], "lr": 1e-3, "betas": [0.5, 0.9]}]},
        "nothing": None,
        "numbers": [1, 2.5, -3, True, "text", None, float("nan")],
        "nested": {"list_of_tensors": [torch.zeros(1), torch.ones(2, 2)], "empty": {}, "empty_list": []},
    }


def _assert_same(saved, loaded):
    if isinstance(saved, torch.Tensor):
        assert isinstance(loaded, torch.Tensor)
        assert loaded.dtype == saved.dtype and loaded.shape == saved.shape
        assert torch.equal(loaded, saved)
    elif isinstance(saved, dict):
        assert list(loaded) == list(saved)  # same keys, same key types, same order
        assert all(type(a) is type(b) for a, b in zip(loaded, saved))
        for key in saved:
            _assert_same(saved[key], loaded[key])
    elif isinstance(saved, (list, tuple)):
        assert isinstance(loaded, list) and len(loaded) == len(saved)
        for a, b in zip(saved, loaded):
            _assert_same(a, b)
    elif isinstance(saved, float) and math.isnan(saved):
        assert math.isnan(loaded)
    else:
        assert loaded == saved and type(loaded) is type(saved)


def test_round_trip_of_nested_state(tmp_path):
    state = _state()
    save_state(tmp_path / "model", state, kind="model")
    _assert_same(state, load_state(tmp_path / "model", kind="model"))


def test_keys_that_spell_the_same_path_keep_their_own_tensors(tmp_path):
    state = {"mixed": {3: torch.zeros(2), "3": torch.ones(2)}, "a/b": torch.full((1,), 5.0),
             "a": {"b": torch.full((1,), 6.0)}}
    save_state(tmp_path / "model", state, kind="model")
    _assert_same(state, load_state(tmp_path / "model", kind="model"))


def test_the_state_of_a_real_optimizer_round_trips(tmp_path):
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.randn(4, 3)).sum().backward()
    optimizer.step()
    save_state(tmp_path / "ckpt", {"opt": optimizer.state_dict()}, kind="checkpoint")
    restored = torch.optim.Adam(torch.nn.Linear(3, 2).parameters(), lr=1e-3)
    restored.load_state_dict(load_state(tmp_path / "ckpt", kind="checkpoint")["opt"])
    for key, value in optimizer.state_dict()["state"][0].items():
        assert torch.equal(restored.state_dict()["state"][0][key], value)


def test_the_files_are_safetensors_and_plain_json(tmp_path):
    save_state(tmp_path / "model", {"w": torch.ones(2)}, kind="model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["model.json", "model.safetensors"]
    header = json.loads((tmp_path / "model" / "model.json").read_text())
    assert header["format"] == FORMAT and header["kind"] == "model"


def test_a_truncated_weights_file_is_refused(tmp_path):
    save_state(tmp_path / "model", {"w": torch.randn(100)}, kind="model")
    weights = tmp_path / "model" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-40])
    with pytest.raises(ModelFileError, match="truncated or modified"):
        load_state(tmp_path / "model", kind="model")


def test_a_modified_byte_is_refused_by_the_checksum(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(100)}, kind="model")
    weights = tmp_path / "model" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0x01  # inside the tensor data: still a well-formed safetensors file
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_state(tmp_path / "model", kind="model")


def test_foreign_json_is_refused(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    (tmp_path / "model" / "model.json").write_text(json.dumps({"state": {}, "weights_sha256": "x"}))
    with pytest.raises(ModelFileError, match="not written by gan-augment"):
        load_state(tmp_path / "model", kind="model")


def test_invalid_json_is_refused(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    (tmp_path / "model" / "model.json").write_bytes(b"\x80\x81 not json")
    with pytest.raises(ModelFileError, match="model.json"):
        load_state(tmp_path / "model", kind="model")


@pytest.mark.parametrize("missing", ["model.json", "model.safetensors"])
def test_a_missing_file_is_named(tmp_path, missing):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    (tmp_path / "model" / missing).unlink()
    with pytest.raises(ModelFileError, match=missing.replace(".", r"\.")):
        load_state(tmp_path / "model", kind="model")


def test_a_missing_directory_is_a_model_file_error(tmp_path):
    with pytest.raises(ModelFileError, match="missing"):
        load_state(tmp_path / "nowhere", kind="model")


@pytest.mark.parametrize("version", [2, "1"])
def test_a_newer_or_invalid_format_version_is_refused(tmp_path, version):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    meta = tmp_path / "model" / "model.json"
    header = json.loads(meta.read_text())
    header["format_version"] = version
    meta.write_text(json.dumps(header))
    with pytest.raises(ModelFileError, match="format.version"):
        load_state(tmp_path / "model", kind="model")


def test_the_wrong_kind_is_refused(tmp_path):
    save_state(tmp_path / "ckpt", {"w": torch.zeros(2)}, kind="checkpoint")
    with pytest.raises(ModelFileError, match="checkpoint"):
        load_state(tmp_path / "ckpt", kind="model")


def test_saving_into_a_user_directory_fails_and_touches_nothing(tmp_path):
    target = tmp_path / "results"
    target.mkdir()
    (target / "notes.txt").write_text("my precious notes")
    with pytest.raises(FileExistsError, match="results"):
        save_state(target, {"w": torch.zeros(2)}, kind="model")
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "my precious notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]  # no staging left behind


def test_saving_over_a_model_directory_holding_a_user_file_fails(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    (tmp_path / "model" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        save_state(tmp_path / "model", {"w": torch.ones(2)}, kind="model")
    assert (tmp_path / "model" / "notes.txt").read_text() == "keep me"
    assert torch.equal(load_state(tmp_path / "model", kind="model")["w"], torch.zeros(2))


def test_saving_onto_an_existing_file_fails(tmp_path):
    (tmp_path / "model").write_text("a file")
    with pytest.raises(FileExistsError):
        save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    assert (tmp_path / "model").read_text() == "a file"


def test_overwriting_a_model_directory_replaces_it_fully(tmp_path):
    target = tmp_path / "model"
    save_state(target, {"old": torch.zeros(3), "gone": torch.ones(1)}, kind="model", name="model")
    save_state(target, {"old": torch.ones(3)}, kind="model", name="other")  # a second file name
    save_state(target, {"new": torch.full((2,), 2.0)}, kind="model")
    assert sorted(p.name for p in target.iterdir()) == ["model.json", "model.safetensors"]
    assert set(load_state(target, kind="model")) == {"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # nothing retired left behind


def test_an_empty_directory_can_be_saved_into(tmp_path):
    (tmp_path / "model").mkdir()
    save_state(tmp_path / "model", {"w": torch.ones(2)}, kind="model")
    assert torch.equal(load_state(tmp_path / "model", kind="model")["w"], torch.ones(2))


def test_a_failed_save_leaves_the_old_model_and_no_debris(tmp_path):
    target = tmp_path / "model"
    save_state(target, {"w": torch.zeros(2)}, kind="model")
    with pytest.raises(TypeError):
        save_state(target, {"w": torch.ones(2), "bad": object()}, kind="model")  # not JSON-able
    assert torch.equal(load_state(target, kind="model")["w"], torch.zeros(2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_loading_maps_tensors_to_the_device_asked_for(tmp_path):
    save_state(tmp_path / "model", {"w": torch.ones(2)}, kind="model")
    assert load_state(tmp_path / "model", kind="model", device="cpu")["w"].device.type == "cpu"
