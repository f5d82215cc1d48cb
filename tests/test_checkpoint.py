"""Safe persistence: exact round trips, clear refusals of damaged or foreign files, atomic writes."""

from __future__ import annotations

import json
import shutil
import math
import signal
import subprocess
import sys

import pytest
import torch

from gan_augment import _fs
from gan_augment.checkpoint import FORMAT, build_checked, check_state_target, load_state, read_metadata, save_state
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


def test_values_shaped_like_the_formats_placeholders_come_back_as_written(tmp_path):
    # A user's metadata {"__tensor__": ...} was taken for a tensor on load, {"__items__": [[1, 2]]} for a dict.
    metadata = {"a": {"__tensor__": "generator/embed.weight"}, "b": {"__items__": [[1, 2]]}, "c": {"__items__": 3}}
    save_state(tmp_path / "model", {"metadata": metadata, "w": torch.ones(2)}, kind="model")
    loaded = load_state(tmp_path / "model", kind="model")
    assert loaded["metadata"] == metadata and torch.equal(loaded["w"], torch.ones(2))


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


def test_the_same_state_gives_the_same_weights_bytes(tmp_path):
    # The weights' header held two metadata entries, which safetensors writes in no fixed order: a
    # resumed run's model file differed from the uninterrupted run's in those bytes.
    state = {"w": torch.arange(6.0)}
    written = set()
    for attempt in range(8):
        save_state(tmp_path / f"m{attempt}", state, kind="checkpoint")
        written.add((tmp_path / f"m{attempt}" / "model.safetensors").read_bytes())
    assert len(written) == 1


def test_a_truncated_weights_file_is_refused(tmp_path):
    save_state(tmp_path / "model", {"w": torch.randn(100)}, kind="model")
    weights = tmp_path / "model" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-40])
    with pytest.raises(ModelFileError, match="truncated or modified"):
        load_state(tmp_path / "model", kind="model")


def test_a_damaged_checkpoint_says_to_delete_it_not_to_fit_again(tmp_path):
    # "Restore it from a backup or fit again" sent a user back to the same folder, and the same error.
    save_state(tmp_path / "ckpt", {"w": torch.randn(100)}, kind="checkpoint")
    weights = tmp_path / "ckpt" / "model.safetensors"
    weights.write_bytes(b"")
    with pytest.raises(ModelFileError, match=r"cannot continue from it: delete .*ckpt, or give another checkpoint"):
        load_state(tmp_path / "ckpt", kind="checkpoint")
    (tmp_path / "ckpt" / "model.json").write_text("{")
    with pytest.raises(ModelFileError, match=r"not valid JSON.*delete .*ckpt"):
        load_state(tmp_path / "ckpt", kind="checkpoint")


@pytest.mark.parametrize("damage", ["truncated", "empty", "missing"])
def test_a_checkpoint_whose_header_is_damaged_is_named_so_when_it_is_to_be_resumed(tmp_path, damage):
    # It was called "not a gan-augment directory (or holds files gan-augment did not write)", which
    # blamed the user's files and did not say that the training cannot continue from it.
    save_state(tmp_path / "ckpt", {"w": torch.randn(100)}, kind="checkpoint")
    meta = tmp_path / "ckpt" / "model.json"
    if damage == "missing":
        meta.unlink()
    else:
        meta.write_text(meta.read_text()[:40] if damage == "truncated" else "")
    with pytest.raises(FileExistsError, match=r"model\.json .*cannot continue from it: delete .*ckpt, or give"):
        check_state_target(tmp_path / "ckpt", kind="checkpoint")
    (tmp_path / "ckpt" / "notes.txt").write_text("mine")  # a folder holding a user's file: not said to be deleted
    with pytest.raises(FileExistsError, match="not a gan-augment directory") as refused:
        check_state_target(tmp_path / "ckpt", kind="checkpoint")
    assert "delete" not in str(refused.value)


def test_another_librarys_model_safetensors_is_not_called_a_damaged_checkpoint(tmp_path):
    # Hugging Face's weights file has the same name: its folder was to be deleted as "damaged".
    from safetensors.torch import save_file

    (tmp_path / "hub").mkdir()
    save_file({"w": torch.zeros(2)}, str(tmp_path / "hub" / "model.safetensors"))
    with pytest.raises(FileExistsError, match="not a gan-augment directory") as refused:
        check_state_target(tmp_path / "hub", kind="checkpoint")
    assert "delete" not in str(refused.value)


def test_a_model_json_an_editor_saved_with_a_byte_order_mark_loads(tmp_path):
    save_state(tmp_path / "model", {"w": torch.arange(3.0)}, kind="model")
    meta = tmp_path / "model" / "model.json"
    meta.write_bytes(b"\xef\xbb\xbf" + meta.read_bytes())
    assert torch.equal(load_state(tmp_path / "model", kind="model")["w"], torch.arange(3.0))
    save_state(tmp_path / "model", {"w": torch.ones(3)}, kind="model")  # and it is ours to replace
    assert torch.equal(load_state(tmp_path / "model", kind="model")["w"], torch.ones(3))


def test_a_save_landing_between_the_reads_of_a_load_gives_the_new_save_whole(tmp_path, monkeypatch):
    # Another process saving to the folder while it is loaded: the weights were checked on one open
    # and loaded on another, so a load could return one save's JSON with the other save's weights
    # (or call a consistent folder damaged). Now the bytes checked are the bytes loaded, read again
    # when they do not match the JSON.
    from gan_augment import checkpoint

    first, second = {"w": torch.zeros(4), "tag": "first"}, {"w": torch.ones(4), "tag": "second"}
    save_state(tmp_path / "model", first, kind="model")
    read_header, reads = checkpoint._read_header, []

    def racing(directory, **kwargs):
        header = read_header(directory, **kwargs)
        if not reads:
            save_state(tmp_path / "model", second, kind="model")  # lands just after the JSON was read
        reads.append(header[0]["state"]["tag"])
        return header

    monkeypatch.setattr(checkpoint, "_read_header", racing)
    loaded = load_state(tmp_path / "model", kind="model")
    assert reads == ["first", "second"]
    assert loaded["tag"] == "second" and torch.equal(loaded["w"], second["w"])


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


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
def test_a_symbolic_link_is_refused_as_a_state_folder_and_neither_it_nor_its_folder_changes(tmp_path, kind):
    # The save replaced the link with a folder of its own and left the one it pointed to as it was
    # (a later load of that folder gave the old model); checkpoint_dir= likewise, after training.
    save_state(tmp_path / "store", {"old": torch.zeros(2)}, kind=kind)
    (tmp_path / "linked").symlink_to(tmp_path / "store")
    message = rf"{kind.capitalize()} folder .*linked is a symbolic link \(to .*store\); give the folder it points to"
    with pytest.raises(FileExistsError, match=message):
        check_state_target(tmp_path / "linked", kind=kind)
    with pytest.raises(FileExistsError, match=message):
        save_state(tmp_path / "linked", {"new": torch.ones(2)}, kind=kind)
    assert (tmp_path / "linked").is_symlink() and set(load_state(tmp_path / "store", kind=kind)) == {"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linked", "store"]


def test_overwriting_a_model_directory_replaces_it_fully(tmp_path):
    target = tmp_path / "model"
    save_state(target, {"old": torch.zeros(3), "gone": torch.ones(1)}, kind="model", name="model",
               files={"samples_0_a.png": b"grid"})  # a sample grid the next save does not write
    save_state(target, {"new": torch.full((2,), 2.0)}, kind="model")
    assert sorted(p.name for p in target.iterdir()) == ["model.json", "model.safetensors"]
    assert set(load_state(target, kind="model")) == {"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # nothing retired left behind


def test_a_save_never_deletes_a_users_json_or_png_beside_a_model(tmp_path):
    # Any .json / .png counted as the library's own: a user's metrics.json and plot.png beside a
    # model were deleted by the next save over it, without a word.
    target = tmp_path / "model"
    save_state(target, {"w": torch.zeros(2)}, kind="model", files={"samples_0_a.png": b"grid"})
    (target / "metrics.json").write_text('{"auc": 0.9}')
    (target / "plot.png").write_bytes(b"mine")
    (target / "samples_roc.png").write_bytes(b"mine too")  # not a grid's name: samples_<index>_<class>.png
    shutil.copy(target / "model.json", target / "model_v1.json")  # a backup of the user's
    with pytest.raises(FileExistsError, match=r"holds a gan-augment state, but also metrics.json, model_v1.json, "
                                              r"plot.png and 1 more, which gan-augment did not write"):
        save_state(target, {"w": torch.ones(2)}, kind="model")
    assert (target / "metrics.json").read_text() == '{"auc": 0.9}' and (target / "plot.png").read_bytes() == b"mine"
    assert torch.equal(load_state(target, kind="model")["w"], torch.zeros(2))
    with pytest.raises(ValueError, match=r"only plain file names samples_<index>_<name>\.png"):
        save_state(tmp_path / "other", {"w": torch.ones(2)}, kind="model", files={"plot.png": b"x"})
    # A picture named as a grid is the user's unless the state's header lists it (a table's model
    # and a checkpoint write none).
    grids = tmp_path / "grids"
    save_state(grids, {"w": torch.ones(2)}, kind="model", files={"samples_0_a.png": b"grid"})
    save_state(grids, {"w": torch.ones(2)}, kind="model", files={"samples_1_b.png": b"grid"})  # replaces it
    assert sorted(p.name for p in grids.iterdir()) == ["model.json", "model.safetensors", "samples_1_b.png"]
    save_state(tmp_path / "table", {"w": torch.ones(2)}, kind="model")
    (tmp_path / "table" / "samples_1_roc.png").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match=r"but also samples_1_roc.png, which gan-augment did not write"):
        save_state(tmp_path / "table", {"w": torch.ones(2)}, kind="model")
    # A header edited to list a user's file vouches for nothing: the file is named and kept.
    header = json.loads((grids / "model.json").read_text())
    (grids / "model.json").write_text(json.dumps({**header, "files": ["notes.txt", "samples_1_b.png"]}))
    (grids / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"but also notes.txt, samples_1_b.png, which gan-augment did not write"):
        save_state(grids, {"w": torch.ones(2)}, kind="model")
    assert (grids / "notes.txt").read_text() == "mine"
    for _ in range(2):  # a state of another name replaces its own files
        save_state(tmp_path / "named", {"w": torch.ones(2)}, kind="model", name="other")
    assert sorted(p.name for p in (tmp_path / "named").iterdir()) == ["other.json", "other.safetensors"]


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


# ================================================================================ the JSON is checked too
def _edit_json(directory, edit, *, name="model"):
    meta = directory / f"{name}.json"
    header = json.loads(meta.read_text())
    edit(header)
    meta.write_text(json.dumps(header, indent=1))


def test_an_edited_json_is_refused_by_its_checksum(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2), "dims": [32, 32]}, kind="model")
    _edit_json(tmp_path / "model", lambda header: header["state"].update(dims=[30000, 30000]))
    for read in (load_state, read_metadata):
        with pytest.raises(ModelFileError, match=r"model\.json does not match the checksum"):
            read(tmp_path / "model", kind="model")


def test_the_json_checksum_ignores_layout_but_not_content(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2), "x": 1.5, "nan": float("nan")}, kind="model")
    meta = tmp_path / "model" / "model.json"
    meta.write_text(json.dumps(json.loads(meta.read_text())))  # re-indented, same content
    assert load_state(tmp_path / "model", kind="model")["x"] == 1.5


def test_a_file_saved_before_the_json_checksum_still_loads(tmp_path):
    # The format before had no header_sha256: stripping it gives exactly such a file.
    state = _state()
    save_state(tmp_path / "model", state, kind="model")
    _edit_json(tmp_path / "model", lambda header: header.pop("header_sha256"))
    _assert_same(state, load_state(tmp_path / "model", kind="model"))


@pytest.mark.parametrize("placeholder", [{"__tensor__": ["/w"]}, {"__items__": [[1, 2, 3]]}, {"__items__": 7}])
def test_a_malformed_placeholder_in_a_file_without_the_json_checksum_is_a_file_error(tmp_path, placeholder):
    # No checksum catches the edit: it raised TypeError/ValueError from the tree's walk.
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    _edit_json(tmp_path / "model", lambda header: (header.pop("header_sha256"), header["state"].update(w=placeholder)))
    with pytest.raises(ModelFileError, match=r"model\.json could not be read: its tensor placeholders are malformed"):
        load_state(tmp_path / "model", kind="model")


def test_read_metadata_gives_the_tree_without_the_weights(tmp_path):
    save_state(tmp_path / "ckpt", {"w": torch.zeros(2), "epoch": 3}, kind="checkpoint")
    (tmp_path / "ckpt" / "model.safetensors").write_bytes(b"")  # not even read
    assert read_metadata(tmp_path / "ckpt", kind="checkpoint") == {"w": {"__tensor__": "/w"}, "epoch": 3}


def test_build_checked_refuses_other_shapes_without_allocating(tmp_path):
    devices = []

    def build():
        devices.append(torch.empty(0).device.type)
        return torch.nn.Linear(30000, 30000)  # 3.6 GB if it were built for real

    weights = torch.nn.Linear(3, 4).state_dict()
    with pytest.raises(ModelFileError, match=r"'weight' as shape \[30000, 30000\].*holds shape \[4, 3\]") as info:
        build_checked(build, weights, source=tmp_path / "model.json")
    assert str(tmp_path / "model.json") in str(info.value)
    assert devices == ["meta"]


def test_build_checked_builds_for_real_when_the_shapes_agree():
    module = build_checked(lambda: torch.nn.Linear(3, 4), torch.nn.Linear(3, 4).state_dict(), source="m")
    assert module.weight.device.type == "cpu" and module.weight.abs().sum() > 0  # initialised
    with pytest.raises(ModelFileError, match="describes no tensor 'bias', but the weights file holds shape \\[4\\]"):
        build_checked(lambda: torch.nn.Linear(3, 4, bias=False), torch.nn.Linear(3, 4).state_dict(), source="m")


# ================================================================================ no clobbering, kinds
def test_saving_without_overwrite_keeps_an_existing_model(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    with pytest.raises(FileExistsError, match="model"):
        save_state(tmp_path / "model", {"w": torch.ones(2)}, kind="model", overwrite=False)
    assert torch.equal(load_state(tmp_path / "model", kind="model")["w"], torch.zeros(2))
    assert not [p for p in tmp_path.iterdir() if ".old-" in p.name]
    # The killed save's half-built folder goes with the next save of the same path.
    save_state(tmp_path / "model", {"w": torch.full((2,), 2.0)}, kind="model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_checkpoint_never_replaces_a_saved_model(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    with pytest.raises(FileExistsError, match="holds a gan-augment model, not a checkpoint"):
        save_state(tmp_path / "model", {"w": torch.ones(2)}, kind="checkpoint")
    assert torch.equal(load_state(tmp_path / "model", kind="model")["w"], torch.zeros(2))


# ================================================================================ a kill mid-save
def _save_killed_between_the_renames(tmp_path):
    """Replace tmp_path/model in a child process killed between the two renames of the swap."""
    script = f"""
import os, signal, torch
from gan_augment import _fs
from gan_augment.checkpoint import save_state
rename = os.rename
def second_rename_dies(src, dst):
    if str(src).endswith(".partial"):
        os.kill(os.getpid(), signal.SIGKILL)
    rename(src, dst)
_fs.os.rename = second_rename_dies
save_state({str(tmp_path / "model")!r}, {{"w": torch.ones(2)}}, kind="model")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert not (tmp_path / "model").exists()


def test_a_save_killed_mid_swap_is_restored_by_the_next_load(tmp_path):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    _save_killed_between_the_renames(tmp_path)
    assert torch.equal(load_state(tmp_path / "model", kind="model")["w"], torch.zeros(2))
    assert not [p for p in tmp_path.iterdir() if ".old-" in p.name]
    # The killed save's half-built folder goes with the next save of the same path.
    save_state(tmp_path / "model", {"w": torch.full((2,), 2.0)}, kind="model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_model_that_cannot_be_restored_is_named_in_the_error(tmp_path, monkeypatch):
    save_state(tmp_path / "model", {"w": torch.zeros(2)}, kind="model")
    _save_killed_between_the_renames(tmp_path)
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith(".model.old-")]

    def read_only(target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("gan_augment.checkpoint.recover_swap", read_only)
    with pytest.raises(ModelFileError, match="save of it was interrupted") as info:
        load_state(tmp_path / "model", kind="model")
    assert str(aside) in str(info.value)
    assert _fs.interrupted_swap(tmp_path / "model") == aside


@pytest.mark.parametrize("target", [".", "", ".."])
def test_the_working_directory_is_never_a_target(tmp_path, monkeypatch, target):
    # An empty working directory passed as checkpoint_dir="." was swapped out and deleted under the
    # process at the first checkpoint; the next one failed in os.path.abspath.
    from gan_augment.checkpoint import check_state_target

    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    for kind in ("checkpoint", "model"):
        with pytest.raises(FileExistsError, match="the current working directory"):
            check_state_target(target, kind=kind)
    assert (tmp_path / "work").is_dir()
