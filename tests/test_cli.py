"""The command line: `gan-augment fit / sample / augment / info / demo`, exit codes, no overwrites.

The commands run in-process through ``main(argv)`` (which returns the exit code) with tiny
settings (--epochs 1-2 on a few hundred generated rows) so that the file stays fast on 2 cores.
"""

import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from gan_augment.cli.main import main

# The label gate is on (the tables' default) with a short judge: the gate is not these tests' subject.
pytestmark = pytest.mark.usefixtures("quick_row_judge")

N_COMMON, N_RARE, N_TINY = 150, 20, 10


def _table(seed=0):
    rng = np.random.default_rng(seed)
    n = N_COMMON + N_RARE + N_TINY
    return pd.DataFrame({
        "age": rng.integers(18, 80, n),
        "score": rng.normal(50, 10, n).round(3),
        "color": rng.choice(["red", "green", "blue"], n),
        "label": ["common"] * N_COMMON + ["rare"] * N_RARE + ["tiny"] * N_TINY,
        "visits": rng.integers(0, 5, n),
    })


def run(capsys, *args):
    """(exit code, stdout, stderr) of `gan-augment ARGS`."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err, after_warnings=False):
    """The one line of stderr that says what went wrong (with `after_warnings`, warnings of a fit
    may come before it)."""
    lines = [line for line in err.strip().splitlines() if line.strip()]
    if after_warnings:
        lines = [line for line in lines if not line.startswith("Warning: ")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "data.csv"
    _table().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_dir(data_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "model"
    assert main(["fit", str(data_csv), "--classes", "rare", "--epochs", "2", "--seed", "0", "--out", str(out),
                 "--quiet"]) == 0
    return out


# ----------------------------------------------------------------------------- fit / sample
def test_fit_creates_model_dir(model_dir):
    names = sorted(p.name for p in model_dir.iterdir())
    assert names == ["model.json", "model.safetensors"]
    from gan_augment import GANAugmenter

    dataset = GANAugmenter.load(model_dir).metadata_["dataset"]
    assert dataset["target"] == "label" and dataset["n_rows"] > 0


def test_early_stopping_reaches_the_augmenter_and_is_refused_for_images(model_dir, data_csv, tmp_path, capsys):
    from gan_augment import GANAugmenter

    assert GANAugmenter.load(model_dir).early_stopping is False  # the default
    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "-e", "2", "--early-stopping", "-o",
                       tmp_path / "m")
    assert code == 0, err
    loaded = GANAugmenter.load(tmp_path / "m")
    assert loaded.early_stopping is True and [r["epoch"] for r in loaded.history_ if "snapshot_score" in r] == [1, 2]
    from sklearn.datasets import load_digits

    from test_cli_images import write_digit_folder

    X, y = load_digits(return_X_y=True)
    folder = write_digit_folder(tmp_path / "images", X, y, {"zero": 0, "one": 1}, 5)
    code, _, err = run(capsys, "fit", folder, "--early-stopping", "-e", "1", "-o", tmp_path / "im")
    assert code == 2 and "--early-stopping applies to table columns" in _one_line_error(err)
    assert not (tmp_path / "im").exists()


def test_main_gives_the_callers_excepthook_back(model_dir, capsys):
    # typer's app set its own sys.excepthook for good, which passes exceptions to the hook typer
    # found at its import: a caller's hook was never called again.
    import sys

    def mine(*exc_info):
        pass

    before = sys.excepthook
    sys.excepthook = mine
    try:
        for args in (["info", model_dir], ["--help"], ["info", "no-such-model"]):
            run(capsys, *args)
            assert sys.excepthook is mine
    finally:
        sys.excepthook = before


def test_fit_shows_progress_unless_quiet(data_csv, tmp_path, capsys):
    code, out, err = run(capsys, "fit", data_csv, "--classes", "tiny,rare", "-e", "1", "-o", tmp_path / "m")
    assert code == 0, err
    assert "Top-up plan:" in err and "'rare' +130" in err and "'tiny' +140" in err
    assert "Saved the model" in err


@pytest.mark.parametrize("bad", ["0", "-2", "many"])
def test_threads_must_be_auto_or_a_positive_int(data_csv, tmp_path, capsys, bad):
    code, _, err = run(capsys, "fit", data_csv, "--threads", bad, "-e", "1", "-o", tmp_path / "m")
    assert code == 2 and "--threads" in _one_line_error(err)
    assert not (tmp_path / "m").exists()


def test_threads_reach_the_augmenter_and_one_thread_is_reproducible(data_csv, tmp_path, capsys):
    from gan_augment import GANAugmenter

    for name in ("a", "b"):
        assert run(capsys, "fit", data_csv, "--threads", "1", "-e", "1", "-s", "3", "-o", tmp_path / name)[0] == 0
    first, second = GANAugmenter.load(tmp_path / "a"), GANAugmenter.load(tmp_path / "b")
    assert first.n_threads == 1
    pd.testing.assert_frame_equal(first.sample(20, "rare"), second.sample(20, "rare"))


def test_tied_majority_plan_is_the_augmenters(tmp_path, capsys):
    """Two classes tie for the majority: the plan shown follows imbalanced-learn's rule (the first
    in sorted order is the majority), as the augmenter does, not the order of the rows."""
    path = tmp_path / "tie.csv"
    labels = ["zeta"] * 30 + ["alpha"] * 30 + ["rare"] * 5
    pd.DataFrame({"x": np.arange(len(labels)) % 7, "label": labels}).to_csv(path, index=False)
    code, _, err = run(capsys, "fit", path, "-e", "1", "-s", "0", "-o", tmp_path / "m")
    assert code == 0, err
    assert "'rare' +25 (to 30)" in err
    assert "class 'zeta' already has the majority count" in err and "'alpha' already" not in err
    from gan_augment import GANAugmenter

    assert GANAugmenter.load(tmp_path / "m").sampling_strategy_ == {"rare": 25, "zeta": 0}


def test_a_class_spelt_two_ways_in_the_file_is_said_once(tmp_path, capsys):
    path = tmp_path / "export.csv"
    labels = ["ok"] * 40 + ["fraud"] * 8 + ["fraud "] * 4
    pd.DataFrame({"x": np.arange(len(labels)) % 7, "label": labels}).to_csv(path, index=False)
    code, _, err = run(capsys, "augment", path, "--classes", "fraud", "-e", "1", "-s", "0", "--no-label-gate",
                       "-o", tmp_path / "out.csv")
    assert code == 0, err
    assert err.count("differ only in spaces or case") == 1, err
    assert "Classes that differ only in spaces or case: 'fraud' (8 samples) and 'fraud ' (4 samples)." in err
    assert pd.read_csv(tmp_path / "out.csv")["label"].value_counts().to_dict() == {"ok": 40, "fraud": 40, "fraud ": 4}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sample_exact_rows_columns_and_dtypes(model_dir, data_csv, tmp_path, capsys, suffix):
    out = tmp_path / f"synth{suffix}"
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "--n", 37, "--out", out, "-q")
    assert code == 0, err
    rows = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    original = pd.read_csv(data_csv)
    assert len(rows) == 37
    assert (rows["label"] == "rare").all()
    assert list(rows.columns) == list(original.columns)  # target column back in its place
    for column in ("age", "visits"):
        assert rows[column].dtype == np.int64  # ints stay ints
    assert rows["score"].dtype == np.float64
    assert set(rows["color"]) <= {"red", "green", "blue"}


def test_sample_is_reproducible_and_seedable(model_dir, tmp_path, capsys):
    paths = [tmp_path / f"s{i}.csv" for i in range(3)]
    for path, seed in zip(paths, ([], [], ["--seed", "5"])):
        assert run(capsys, "sample", model_dir, "--class", "tiny", "--n", 20, "-o", path, "-q", *seed)[0] == 0
    assert paths[0].read_text() == paths[1].read_text()
    assert paths[0].read_text() != paths[2].read_text()


def test_sample_says_the_models_refusal_in_one_line_without_a_type_name(model_dir, tmp_path, capsys):
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "--n", 10 ** 13, "--out", tmp_path / "big.csv")
    line = _one_line_error(err)
    assert code == 1 and "more than this machine's" in line and "ValueError" not in line and "--debug" not in line
    assert not (tmp_path / "big.csv").exists()


def test_augment_says_the_gates_refusal_in_one_line(data_csv, tmp_path, capsys, monkeypatch):
    from gan_augment.label_gate import LabelGate

    monkeypatch.setattr(LabelGate, "serves", lambda self, index: False)  # the judge keeps too few of every class
    code, _, err = run(capsys, "augment", data_csv, "--classes", "rare", "-e", "1", "--label-gate", "--seed", "0",
                       "--out", tmp_path / "out.csv")
    last = err.strip().splitlines()[-1]
    # Refused once the fit measured what the gate keeps, as fit_resample refuses (it was sample()'s refusal).
    assert code == 1 and last.startswith("Error: The label gate keeps under 5% of the synthetic rows of class 'rare'")
    assert "label_gate=True refuses to top them up" in last
    assert "ValueError" not in err and "--debug" not in err and not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("failure", [
    OSError(errno.ENOSPC, "No space left on device"),  # a write: no file named
    OSError(errno.ENOSPC, "No space left on device", "data/c0/1.png", "out/.partial/c0/1.png"),  # a copy: the source
])
def test_a_full_disk_is_named_as_the_outputs(model_dir, tmp_path, capsys, monkeypatch, failure):
    # A copy's error names the file copied from (the user's input image was blamed), a write's none.
    from gan_augment.data import io as data_io

    def full(*args, **kwargs):
        raise failure

    monkeypatch.setattr(data_io, "write_table", full)
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "--n", 3, "--out", tmp_path / "s.csv")
    assert code == 1 and _one_line_error(err) == (
        f"Error: No space left to write the samples to {tmp_path / 's.csv'} (No space left on device). Free some "
        "space there, or choose another --out.")


def test_a_file_too_large_for_the_weights_names_the_model_folder(data_csv, tmp_path, capsys, monkeypatch):
    # safetensors' own error, naming no path: "SafetensorError: Error while serializing: I/O error: File too
    # large (os error 27)".
    from safetensors import SafetensorError

    from gan_augment import checkpoint

    def too_large(*args, **kwargs):
        raise SafetensorError("Error while serializing: I/O error: File too large (os error 27)")

    monkeypatch.setattr(checkpoint, "save_file", too_large)
    code, _, err = run(capsys, "fit", data_csv, "-c", "rare", "-e", "1", "-s", "0", "-o", tmp_path / "m", "-q")
    assert code == 1 and _one_line_error(err) == f"Error: {tmp_path / 'm'}: File too large."
    assert not (tmp_path / "m").exists() and list(tmp_path.iterdir()) == []  # nothing half-written


def test_a_full_disk_while_checkpointing_names_the_checkpoint_folder(data_csv, tmp_path, capsys, monkeypatch):
    # It ended as an unforeseen error: "SafetensorError: ... (run again with --debug for the traceback)".
    from gan_augment import checkpoint

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint, "save_file", full)
    code, _, err = run(capsys, "fit", data_csv, "-c", "rare", "-e", "2", "-s", "0", "-o", tmp_path / "m",
                       "--checkpoint-dir", tmp_path / "ck", "-q")
    assert code == 1 and _one_line_error(err) == (
        f"Error: No space left to write a checkpoint to {tmp_path / 'ck'} (No space left on device). Free some space "
        "there, or choose another --checkpoint-dir.")


def test_sample_refuses_to_overwrite_the_table_the_model_was_fitted_on(model_dir, data_csv, capsys):
    # With --force it replaced the user's data with synthetic rows.
    before = data_csv.read_bytes()
    for out in (data_csv, data_csv.parent / ".." / data_csv.parent.name / data_csv.name):
        # Without --force too: "already exists; pass --force" was said first, then --force refused.
        for force in ([], ["--force"]):
            code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "--n", 3, "--out", out, *force)
            assert code == 2 and "the table the model was fitted on" in _one_line_error(err), err
    assert data_csv.read_bytes() == before


def test_outputs_inside_the_model_directory_are_refused(model_dir, data_csv, tmp_path, capsys):
    # They were written there, and `fit --force` then refused to replace the model beside them.
    before = sorted(p.name for p in model_dir.iterdir())
    for command in (["sample", model_dir, "--class", "rare", "--n", 3, "--out", model_dir / "s.csv"],
                    ["augment", data_csv, "--model", model_dir, "--out", model_dir / "aug.csv"],
                    ["evaluate", data_csv, "--model", model_dir, "--report", model_dir / "r.md", "--threads", 1]):
        code, _, err = run(capsys, *command)
        option = "--report" if "--report" in command else "--out"
        assert code == 2 and f"lies inside the model directory {model_dir}; a model directory holds the model " \
            f"alone" in _one_line_error(err) and f"Choose {option} outside it." in err, err
    assert sorted(p.name for p in model_dir.iterdir()) == before


def test_sample_refuses_the_fitted_table_from_another_working_directory(data_csv, tmp_path, capsys, monkeypatch):
    # The model kept the path as typed (relative): from another folder the check looked elsewhere,
    # and `--force` replaced the user's data.
    (tmp_path / "data.csv").write_bytes(data_csv.read_bytes())
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "fit", "data.csv", "--classes", "rare", "-e", "1", "--seed", "0", "--out", "m", "-q")[0] == 0
    monkeypatch.chdir(tmp_path / "sub")
    code, _, err = run(capsys, "sample", "../m", "--class", "rare", "--n", 3, "--out", "../data.csv", "--force")
    assert code == 2 and "the table the model was fitted on" in _one_line_error(err), err
    assert (tmp_path / "data.csv").read_bytes() == data_csv.read_bytes()
    code, out, _ = run(capsys, "info", "../m")
    assert code == 0 and "Fitted on:       data.csv (" in out  # as the user wrote it


def test_sample_to_stdout(model_dir, capsys):
    code, out, _ = run(capsys, "sample", model_dir, "--class", "rare", "--n", 4, "--out", "-")
    assert code == 0
    assert out.splitlines()[0] == "age,score,color,label,visits" and len(out.splitlines()) == 5


# ----------------------------------------------------------------------------- augment
def test_augment_real_rows_then_top_up_with_marker(data_csv, tmp_path, capsys):
    out = tmp_path / "augmented.csv"
    code, _, err = run(capsys, "augment", data_csv, "--classes", "rare", "--out", out,
                       "--mark-synthetic", "is_synthetic", "--epochs", "1", "--seed", "0", "-q")
    assert code == 0, err
    result, original = pd.read_csv(out), pd.read_csv(data_csv)
    n_new = N_COMMON - N_RARE
    assert len(result) == len(original) + n_new
    assert list(result.columns) == [*original.columns, "is_synthetic"]
    real = result.iloc[:len(original)]
    pd.testing.assert_frame_equal(real.drop(columns="is_synthetic"), original)
    assert not real["is_synthetic"].any()
    synthetic = result.iloc[len(original):]
    assert synthetic["is_synthetic"].all() and (synthetic["label"] == "rare").all()
    assert result["label"].value_counts().to_dict() == {"common": N_COMMON, "rare": N_COMMON, "tiny": N_TINY}
    assert result["age"].dtype == np.int64


def test_in_every_class_places_synthetic_rows_in_every_class_and_the_model_keeps_it(data_csv, tmp_path, capsys):
    import json

    from gan_augment import GANAugmenter, InEveryClass

    out = tmp_path / "augmented.csv"
    code, said, err = run(capsys, "augment", data_csv, "--classes", "rare", "--in-every-class", "--out", out,
                          "--mark-synthetic", "is_synthetic", "--epochs", "1", "--seed", "0")
    assert code == 0, err
    n_new = N_COMMON - N_RARE  # the one top-up, given to every class
    assert f"Top-up plan:  'rare' +{n_new} (to {N_COMMON}), 'common' +{n_new} (to {N_COMMON + n_new}), 'tiny' " \
           f"+{n_new} (to {N_TINY + n_new})" in said + err
    synthetic = pd.read_csv(out).query("is_synthetic")
    assert synthetic["label"].value_counts().to_dict() == {"common": n_new, "rare": n_new, "tiny": n_new}
    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "--in-every-class", "-e", "1", "-o",
                       tmp_path / "m", "-q")
    assert code == 0, err
    loaded = GANAugmenter.load(tmp_path / "m")
    assert loaded.sampling_strategy == InEveryClass(classes=["rare"]) and loaded.classes is None
    # augment --model draws what the model's own setting plans for DATA.
    code, _, err = run(capsys, "augment", data_csv, "--model", tmp_path / "m", "-o", tmp_path / "from_model.csv", "-q")
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "from_model.csv")) == N_COMMON + N_RARE + N_TINY + 3 * n_new
    # --classes names other classes for the model's placement; it dropped the placement.
    code, _, err = run(capsys, "augment", data_csv, "--model", tmp_path / "m", "--classes", "tiny", "-o",
                       tmp_path / "tiny.csv", "-q")
    assert code == 0, err
    n_tiny = N_COMMON - N_TINY
    assert pd.read_csv(tmp_path / "tiny.csv")["label"].value_counts().to_dict() == {
        "common": N_COMMON + n_tiny, "rare": N_RARE + n_tiny, "tiny": N_TINY + n_tiny}
    code, said, err = run(capsys, "evaluate", data_csv, "--model", tmp_path / "m", "--classes", "tiny", "--cv", "2",
                          "--repeats", "1", "--baseline", "random", "--seed", "0", "--json")
    assert code == 0, err
    assert "topping up 'tiny' (the GAN's rows in every class)." in err
    added = {(fold["method"], fold["fold"]): fold["n_added"] for fold in json.loads(said)["folds"]}
    assert added[("GAN top-up", 0)] == 3 * added[("random oversampling", 0)] > 0
    # Options given at their default values are given: --method gan drew a translator's images.
    for given in (["--method", "gan"], ["--precision", "float32"], ["--threads", "auto"]):
        code, _, err = run(capsys, "augment", data_csv, "--model", tmp_path / "m", *given, "-o", tmp_path / "x.csv")
        assert code == 2 and f"{given[0]} applies to fitting a model" in _one_line_error(err)
    for refused, words in ((["--auto"], "--auto chooses the top-up itself"),
                           (["--model", tmp_path / "m"], "--in-every-class applies to fitting a model")):
        code, _, err = run(capsys, "augment", data_csv, "--in-every-class", *refused, "-o", tmp_path / "x.csv")
        assert code == 2 and words in _one_line_error(err)
    assert not (tmp_path / "x.csv").exists()
    from sklearn.datasets import load_digits

    from test_cli_images import write_digit_folder

    X, y = load_digits(return_X_y=True)
    folder = write_digit_folder(tmp_path / "images", X, y, {"zero": 0, "one": 1}, 5)
    code, _, err = run(capsys, "fit", folder, "--method", "translate", "--in-every-class", "-o", tmp_path / "t")
    assert code == 2 and "--in-every-class does not apply to --method translate" in _one_line_error(err)


def test_evaluate_in_every_class_compares_with_baselines_that_top_up_the_named_class(data_csv, model_dir, tmp_path,
                                                                                     capsys):
    import json

    code, said, err = run(capsys, "evaluate", data_csv, "--classes", "rare", "--in-every-class", "--cv", "2",
                          "--repeats", "1", "-e", "1", "--baseline", "random", "--seed", "0", "--json")
    assert code == 0, err
    assert "topping up 'rare' (the GAN's rows in every class)." in err
    added = {(fold["method"], fold["fold"]): fold["n_added"] for fold in json.loads(said)["folds"]}
    for fold in (0, 1):  # random oversampling tops 'rare' up; the GAN adds as many to each of the 3 classes
        assert added[("GAN top-up", fold)] == 3 * added[("random oversampling", fold)] > 0
    code, _, err = run(capsys, "evaluate", data_csv, "--in-every-class", "--model", model_dir)
    assert code == 2 and "--in-every-class places the GAN's rows of a new fit" in _one_line_error(err)


def _decimals(values) -> int:
    return max(len(text.partition(".")[2]) for text in values)


@pytest.mark.parametrize("how", ["fit here", "--model"])
def test_augment_with_no_rounding_writes_the_full_precision(data_csv, tmp_path, capsys, how):
    # The model kept full precision, but augment's CSV rounded the synthetic scores to the 3
    # decimals written in the column all the same (the output was that of a run without the flag).
    out, model = tmp_path / "augmented.csv", tmp_path / "model"
    fast = ["--epochs", "1", "--seed", "0", "-q"]
    if how == "--model":
        assert run(capsys, "fit", data_csv, "--classes", "rare", "--no-rounding", "--out", model, *fast)[0] == 0
        code, _, err = run(capsys, "augment", data_csv, "--model", model, "--out", out, "-q")
    else:
        code, _, err = run(capsys, "augment", data_csv, "--classes", "rare", "--no-rounding", "--out", out, *fast)
    assert code == 0, err
    scores = pd.read_csv(out, dtype=str)["score"]
    n_real = len(pd.read_csv(data_csv))
    assert _decimals(scores[:n_real]) <= 3 < _decimals(scores[n_real:])


def test_augment_marker_must_be_a_new_column(data_csv, tmp_path, capsys):
    code, _, err = run(capsys, "augment", data_csv, "-o", tmp_path / "a.csv", "--mark-synthetic", "color", "-q")
    assert code == 2 and "already a column" in _one_line_error(err)
    assert not (tmp_path / "a.csv").exists()


# ----------------------------------------------------------------------------- usage errors (exit 2)
def test_unknown_class_exit_2_with_suggestion(data_csv, tmp_path, capsys):
    out = tmp_path / "m"
    code, _, err = run(capsys, "fit", data_csv, "--classes", "raer", "--out", out, "-e", "1")
    assert code == 2
    assert "Did you mean 'rare'?" in _one_line_error(err)
    assert not out.exists()  # rejected before training


@pytest.mark.parametrize("classes", ["", ",", " , "])
def test_classes_that_name_nothing_say_what_to_do(data_csv, tmp_path, capsys, classes):
    code, _, err = run(capsys, "fit", data_csv, "--classes", classes, "--out", tmp_path / "m", "-e", "1")
    assert code == 2 and not (tmp_path / "m").exists()
    assert _one_line_error(err) == (
        "Error: --classes (classes= in Python) names no class: it holds only empty names or commas. Name the classes "
        "to top up (the classes are 'common', 'rare', 'tiny'), or leave it out to top up every class but the largest.")


@pytest.mark.parametrize("args, option", [(["--class", "tiny", "--class", "rare"], "'--class'"),
                                          (["--class", "rare", "-s", "1", "--seed", "2"], "'--seed' / '-s'")])
def test_a_single_value_option_given_twice_is_refused_not_half_ignored(model_dir, tmp_path, capsys, args, option):
    # click keeps the last value: two classes asked for wrote the second alone, without a word.
    code, _, err = run(capsys, "sample", model_dir, *args, "--n", 5, "--out", tmp_path / "s.csv")
    assert code == 2 and not (tmp_path / "s.csv").exists()
    assert _one_line_error(err).startswith(f"Error: Invalid value for {option}: given 2 times; it takes one value, "
                                           "so give it once.")


def test_unknown_class_in_sample(model_dir, tmp_path, capsys):
    code, _, err = run(capsys, "sample", model_dir, "--class", "tinny", "--n", 3, "-o", tmp_path / "s.csv")
    assert code == 2 and "Did you mean 'tiny'?" in _one_line_error(err)
    assert not (tmp_path / "s.csv").exists()


def test_ambiguous_target_exit_2_asks_for_target(tmp_path, capsys):
    path = tmp_path / "amb.csv"
    pd.DataFrame({"x": [1, 2, 3, 4], "label": [0, 1, 0, 0], "target": [1, 0, 1, 1]}).to_csv(path, index=False)
    code, _, err = run(capsys, "fit", path, "--out", tmp_path / "m")
    assert code == 2
    line = _one_line_error(err)
    assert "--target" in line and "label, target" in line


def test_unknown_target_column_exit_2(data_csv, tmp_path, capsys):
    code, _, err = run(capsys, "fit", data_csv, "--target", "colour", "--out", tmp_path / "m")
    assert code == 2 and "Did you mean 'color'?" in _one_line_error(err)


def test_bad_option_values_exit_2_one_line(data_csv, model_dir, tmp_path, capsys):
    for args in (["--epochs", "0"], ["--loss", "nope"], ["--epochs", "many"]):
        code, _, err = run(capsys, "fit", data_csv, "--out", tmp_path / "m", *args)
        assert code == 2, args
        _one_line_error(err)
    # demo's seed took any int and failed in scikit-learn's train_test_split (exit 1) after reading the data.
    for seed in ("-1", str(2 ** 32)):
        code, _, err = run(capsys, "demo", "--epochs", "1", "--seed", seed, "--out", tmp_path / "d", "-q")
        assert code == 2 and "--seed" in err and "range" in err, err
        assert not (tmp_path / "d").exists()
    # A table model's samples go to a table file (an image model's to a folder, whatever its name).
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "--n", 3, "--out", tmp_path / "s.xlsx")
    assert code == 2 and ".xlsx" in _one_line_error(err) and not (tmp_path / "s.xlsx").exists()


# ----------------------------------------------------------------------------- no overwrite
def test_refuses_to_overwrite_output_file_without_force(model_dir, tmp_path, capsys):
    out = tmp_path / "synth.csv"
    out.write_text("keep me\n")
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "--n", 5, "--out", out)
    assert code == 2 and "--force" in _one_line_error(err)
    assert out.read_text() == "keep me\n"
    assert run(capsys, "sample", model_dir, "--class", "rare", "--n", 5, "--out", out, "--force", "-q")[0] == 0
    assert len(pd.read_csv(out)) == 5


def test_an_output_that_is_a_dangling_link_is_refused_before_training(data_csv, tmp_path, capsys, monkeypatch):
    # It read as free; after the fit the final rename refused it: "exists now (another run may have written it".
    out = tmp_path / "out.csv"
    out.symlink_to(tmp_path / "nowhere" / "x.csv")
    monkeypatch.setattr("gan_augment.augmenter.GANAugmenter._fit_gan", lambda *a, **k: pytest.fail("trained"))
    for force in ((), ("--force",)):
        code, _, err = run(capsys, "augment", data_csv, "--classes", "rare", "-e", "1", "--out", out, *force)
        assert code == 2 and "is a link to" in _one_line_error(err) and "which leads to no file" in err
    assert out.is_symlink()
    loop = tmp_path / "loop.csv"  # a loop of links: resolve() raised RuntimeError("Symlink loop")
    loop.symlink_to(tmp_path / "back.csv")
    (tmp_path / "back.csv").symlink_to(loop)
    code, _, err = run(capsys, "augment", data_csv, "--classes", "rare", "-e", "1", "--out", loop)
    assert code == 2 and "the links loop" in _one_line_error(err)
    # A folder on the way that is a link to nothing: mkdir failed on it after the fit ("File exists").
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    for out, option in ((tmp_path / "gone" / "out.csv", "--out"), (tmp_path / "gone" / "model", "--out")):
        command = ("augment", data_csv, "--classes", "rare") if out.suffix else ("fit", data_csv, "--classes", "rare")
        code, _, err = run(capsys, *command, "-e", "1", option, out)
        assert code == 2 and _one_line_error(err) == (
            f"Error: Cannot write {out}: {tmp_path / 'gone'} is a symbolic link to {tmp_path / 'nowhere'}, which does "
            "not exist or points back to itself; remove the link or give another path.")
    # The report of evaluate too, inside a link to nothing and as one: found after every fold.
    code, _, err = run(capsys, "evaluate", data_csv, "--cv", "2", "--repeats", "1", "--report",
                       tmp_path / "gone" / "r.json")
    assert code == 2 and "gone is a symbolic link to" in _one_line_error(err)
    (tmp_path / "r.json").symlink_to(tmp_path / "nowhere.json")
    code, _, err = run(capsys, "evaluate", data_csv, "--cv", "2", "--repeats", "1", "--report", tmp_path / "r.json")
    assert code == 2 and "which leads to no file" in _one_line_error(err)


def test_an_output_that_is_a_link_to_a_file_is_refused_even_with_force(model_dir, tmp_path, capsys):
    # --force replaced the link with a file of its own and left the file it pointed to as it was.
    (tmp_path / "results.csv").write_text("old\n")
    for name in ("latest.csv", "latest.json"):
        (tmp_path / name).symlink_to(tmp_path / "results.csv")
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "-n", "3", "-o", tmp_path / "latest.csv",
                       "--force")
    assert code == 2 and _one_line_error(err) == (
        f"Error: {tmp_path / 'latest.csv'} is a symbolic link (to {tmp_path / 'results.csv'}), which writing it would "
        "replace, leaving that file as it is; give the file it points to, or another path.")
    code, _, err = run(capsys, "evaluate", model_dir.parent / "nothing.csv", "--report", tmp_path / "latest.json",
                       "--force")
    assert code == 2 and "latest.json is a symbolic link (to " in _one_line_error(err)
    assert (tmp_path / "latest.csv").is_symlink() and (tmp_path / "results.csv").read_text() == "old\n"


def test_refuses_to_overwrite_model_dir_before_training(model_dir, data_csv, capsys):
    before = {p.name: p.stat().st_mtime_ns for p in model_dir.iterdir()}
    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "--out", model_dir, "-e", "1")
    assert code == 2 and "--force" in _one_line_error(err)
    assert "Read " not in err  # checked before the data was even read
    assert {p.name: p.stat().st_mtime_ns for p in model_dir.iterdir()} == before


def test_augment_never_writes_over_its_input_table(data_csv, tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_bytes(data_csv.read_bytes())
    (tmp_path / "link.csv").symlink_to(data)
    folder = tmp_path / "folder"  # a folder holding one table names that table
    folder.mkdir()
    (folder / "f.csv").write_bytes(data_csv.read_bytes())
    for given, out in ((data, data), (data, tmp_path / "sub" / ".." / "d.csv"), (data, tmp_path / "link.csv"),
                       (folder, folder / "f.csv")):
        code, _, err = run(capsys, "augment", given, "--classes", "rare", "--out", out, "--force", "-e", "1")
        assert code == 2 and "is the input table" in _one_line_error(err), out
    assert data.read_bytes() == (folder / "f.csv").read_bytes() == data_csv.read_bytes()


def _kill_between_the_renames(folder):
    """Leave ``folder`` as a replacement killed between its two renames leaves it: moved aside
    under the hidden name of a process that is gone."""
    from gan_augment._fs import _host_tag

    aside = folder.parent / f".{folder.name}.old-{_host_tag()}-999999999-abcd1234"
    folder.rename(aside)
    return aside


def test_a_model_whose_replacement_was_killed_is_put_back_by_every_command(data_csv, tmp_path, capsys,
                                                                            monkeypatch):
    # The command line said "does not exist" where GANAugmenter.load put it back; fit --out trained,
    # then refused to save: "exists now (another run may have written it ...)".
    model = tmp_path / "model"
    assert run(capsys, "fit", data_csv, "--classes", "rare", "-e", "1", "--seed", "0", "--out", model, "-q")[0] == 0
    _kill_between_the_renames(model)
    code, out, err = run(capsys, "info", model)
    assert code == 0 and "rare" in out, err
    _kill_between_the_renames(model)
    monkeypatch.setattr("gan_augment.augmenter.GANAugmenter._fit_gan", lambda *a, **k: pytest.fail("trained"))
    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "-e", "1", "--out", model)
    assert code == 2 and "already exists; pass --force" in _one_line_error(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_table_output_in_the_data_folder_is_refused(data_csv, tmp_path, capsys):
    # The folder, read as the one table it holds, then held two and could not be read again.
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "f.csv").write_bytes(data_csv.read_bytes())
    for out in (folder / "augmented.csv", folder):
        code, _, err = run(capsys, "augment", folder, "--classes", "rare", "-e", "1", "--out", out)
        assert code == 2 and f"{folder}, a folder read as the one table it holds" in _one_line_error(err), out
    assert run(capsys, "fit", folder, "--classes", "rare", "-e", "1", "--out", tmp_path / "m", "-q")[0] == 0
    code, _, err = run(capsys, "sample", tmp_path / "m", "--class", "rare", "--n", "3", "--out", folder / "s.csv")
    assert code == 2 and "lies in the folder the model was fitted on" in _one_line_error(err)
    assert sorted(p.name for p in folder.iterdir()) == ["f.csv"]


def test_force_never_replaces_a_foreign_directory(data_csv, tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_text("meow")
    code, _, err = run(capsys, "fit", data_csv, "--out", folder, "--force", "-e", "1")
    assert code == 2 and "not a gan-augment model directory" in _one_line_error(err)
    assert (folder / "cat.jpg").read_text() == "meow"


def test_fit_out_naming_a_checkpoint_is_refused_before_training(data_csv, tmp_path, capsys, monkeypatch):
    # It advised --force, and with it trained the whole fit before refusing to replace the checkpoint.
    checkpoint = tmp_path / "ck"
    code = run(capsys, "fit", data_csv, "-e", "1", "--checkpoint-dir", checkpoint, "--out", tmp_path / "m", "-q")[0]
    assert code == 0
    monkeypatch.setattr("gan_augment.augmenter.GANAugmenter._fit_gan", lambda *a, **k: pytest.fail("trained"))
    for force in ((), ("--force",)):
        code, _, err = run(capsys, "fit", data_csv, "-e", "1", "--out", checkpoint, *force)
        assert code == 2 and "holds a gan-augment checkpoint, not a model" in _one_line_error(err)


def test_force_names_what_the_user_put_beside_a_model(model_dir, data_csv, tmp_path, capsys):
    # A file of the user's beside the model (`sample` no longer writes one there): `fit --out m --force`
    # said m was no model directory.
    model = tmp_path / "m"
    shutil.copytree(model_dir, model)
    (model / "s.csv").write_text("a,b\n1,2\n")
    code, _, err = run(capsys, "fit", data_csv, "--out", model, "--force", "-e", "1")
    line = _one_line_error(err)
    assert code == 2 and "holds a gan-augment model, but also s.csv, which replacing it would delete" in line
    assert (model / "s.csv").exists()
    (model / "s.csv").unlink()
    (model / "metrics.json").write_text("{}")  # a .json of the user's own was taken for the model's
    code, _, err = run(capsys, "fit", data_csv, "--out", model, "--force", "-e", "1")
    assert code == 2 and "but also metrics.json, which replacing it would delete" in _one_line_error(err)
    assert (model / "metrics.json").read_text() == "{}"


# ----------------------------------------------------------------------------- data / model errors (exit 1)
def test_truncated_model_dir_exit_1_one_line(model_dir, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in model_dir.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    for command in (["info", broken], ["sample", broken, "--class", "rare", "--n", 3, "-o", tmp_path / "s.csv"]):
        code, _, err = run(capsys, *command)
        assert code == 1
        assert "truncated" in _one_line_error(err)
    (broken / "model.json").write_text("{not json")
    code, _, err = run(capsys, "info", broken)
    assert code == 1 and "not valid JSON" in _one_line_error(err)
    code, _, err = run(capsys, "info", tmp_path / "nowhere")
    assert code == 1 and "does not exist" in _one_line_error(err)


def test_debug_shows_traceback(tmp_path, capsys):
    code, _, err = run(capsys, "info", tmp_path / "nowhere", "--debug")
    assert code == 1 and "Traceback" in err and err.strip().splitlines()[-1].startswith("Error: ")


def test_data_errors_exit_1(tmp_path, capsys):
    code, _, err = run(capsys, "fit", tmp_path / "missing.csv", "--out", tmp_path / "m")
    assert code == 1 and "does not exist" in _one_line_error(err)
    path = tmp_path / "gaps.csv"
    path.write_text("a,label\n1,x\n2,\n3,y\n")
    code, _, err = run(capsys, "fit", path, "--out", tmp_path / "m")
    assert code == 1 and "1 missing value" in _one_line_error(err)
    path = tmp_path / "one.csv"
    path.write_text("a,label\n1,x\n2,x\n")
    code, _, err = run(capsys, "fit", path, "--out", tmp_path / "m")
    assert code == 1 and "single class" in _one_line_error(err)


def test_augment_with_a_model_refuses_a_data_file_of_one_class_in_its_words(model_dir, data_csv, tmp_path, capsys):
    # With --model it said scikit-learn's "The target 'y' needs to have more than 1 class" and to name
    # the classes with --classes, which could not help.
    one = tmp_path / "one.csv"
    pd.read_csv(data_csv).query("label == 'common'").to_csv(one, index=False)
    for extra in ([], ["--classes", "common"]):
        code, _, err = run(capsys, "augment", one, "--model", model_dir, "-o", tmp_path / "out.csv", "-q", *extra)
        line = _one_line_error(err)
        assert code == 1 and "holds a single class" in line and "nothing to top up" in line, line
    assert not (tmp_path / "out.csv").exists()


# ----------------------------------------------------------------------------- parquet, directories
def test_parquet_input_and_directory_input(tmp_path, capsys):
    folder = tmp_path / "dataset"
    folder.mkdir()
    _table(1).to_parquet(folder / "table.parquet", index=False)
    out = tmp_path / "m"
    code, _, err = run(capsys, "fit", folder, "-c", "tiny", "-e", "1", "-s", "0", "-o", out, "-q")
    assert code == 0, err
    code, _, err = run(capsys, "sample", out, "--class", "tiny", "--n", 9, "-o", tmp_path / "s.parquet", "-q")
    assert code == 0, err
    rows = pd.read_parquet(tmp_path / "s.parquet")
    assert len(rows) == 9 and (rows["label"] == "tiny").all() and rows["visits"].dtype == np.int64
    (folder / "other.csv").write_text("a,label\n1,x\n")
    code, _, err = run(capsys, "fit", folder, "-o", tmp_path / "m2")
    assert code == 1 and "other.csv, table.parquet" in _one_line_error(err)


def test_augment_of_a_parquet_file_keeps_its_real_rows_as_stored_in_every_output(tmp_path, capsys):
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    table = pa.Table.from_pandas(_table(2), preserve_index=False).replace_schema_metadata(None)  # as pyarrow writes
    score = table["score"].to_pylist()
    score[:3] = [float("nan"), None, float("nan")]  # NaN beside null: pandas reads both as NaN
    table = table.set_column(table.schema.get_field_index("score"), "score", pa.array(score, pa.float64()))
    table = table.set_column(table.schema.get_field_index("color"), "color", table["color"].cast(pa.large_string()))
    pq.write_table(table, tmp_path / "in.parquet")
    code, _, err = run(capsys, "fit", tmp_path / "in.parquet", "-c", "tiny", "-e", "1", "-s", "0", "-o", tmp_path / "m",
                       "-q")
    assert code == 0, err
    for out in ("out.parquet", "out.csv", "-"):
        code, printed, err = run(capsys, "augment", tmp_path / "in.parquet", "-m", tmp_path / "m", "-s", "0", "-q",
                                 "-o", out if out == "-" else tmp_path / out)
        assert code == 0, err
        rows = pd.read_csv(io.StringIO(printed) if out == "-" else tmp_path / out) if out != "out.parquet" else None
        if rows is not None:  # a CSV: the rows as pandas reads the file, the synthetic ones after them
            assert len(rows) == 2 * N_COMMON + N_RARE and (rows["label"].iloc[len(table):] == "tiny").all()
            pd.testing.assert_frame_equal(rows.iloc[:len(table)], pd.read_parquet(tmp_path / "in.parquet"),
                                          check_dtype=False)
    back = pq.read_table(tmp_path / "out.parquet")
    assert back.schema == table.schema  # large_string stays large_string, no pandas metadata is added
    real = back.slice(0, len(table))
    assert real["score"].null_count == 1 and np.isnan(real["score"].to_numpy(zero_copy_only=False)).sum() == 3
    assert all(real[name].equals(table[name]) for name in ["age", "color", "label", "visits"])


def test_augment_of_a_parquet_decimal_column_writes_decimals_of_its_type(tmp_path, capsys):
    # Spark's and databases' money columns: refused ("cannot be stored in a model file").
    import decimal

    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    table = pa.Table.from_pandas(_table(3), preserve_index=False)
    amounts = [decimal.Decimal(f"{v:.2f}") for v in np.random.default_rng(0).uniform(1, 900, table.num_rows)]
    table = table.set_column(table.schema.get_field_index("score"), "score", pa.array(amounts, pa.decimal128(7, 2)))
    pq.write_table(table, tmp_path / "in.parquet")
    code, _, err = run(capsys, "augment", tmp_path / "in.parquet", "-c", "tiny", "-e", "1", "-s", "0", "-q",
                       "-o", tmp_path / "out.parquet")
    assert code == 0, err
    back = pq.read_table(tmp_path / "out.parquet")
    assert back.schema == table.schema and back.slice(0, table.num_rows).equals(table)
    new = back["score"].slice(table.num_rows).to_pylist()
    assert len(new) == N_COMMON - N_TINY and all(decimal.Decimal("1") <= v <= decimal.Decimal("900") for v in new)


@pytest.mark.parametrize("unit", ["ns", "us"])
def test_a_date_target_is_shown_and_named_as_dates(tmp_path, capsys, unit):
    # [ns] dates printed and matched as nanosecond integers; [us] ones were shown as 2022-01-01 00:00:00
    # by fit and info, a spelling that sample --class then refused.
    table = pd.DataFrame({"a": np.random.default_rng(0).normal(size=80).round(3)})
    table["label"] = pd.to_datetime(["2020-01-01"] * 50 + ["2021-01-01"] * 20 + ["2022-01-01"] * 10
                                    ).astype(f"datetime64[{unit}]")
    table.to_parquet(tmp_path / "dates.parquet")
    code, out, err = run(capsys, "fit", tmp_path / "dates.parquet", "-c", "2022-01-01 00:00:00", "-e", "1", "-s", "0",
                         "-o", tmp_path / "m")
    assert code == 0, err
    assert "2022-01-01 00:00:00 +40" in out + err and "16409952" not in out + err
    for spelling in ("2022-01-01 00:00:00", "2022-01-01"):
        code, _, err = run(capsys, "sample", tmp_path / "m", "--class", spelling, "--n", 3,
                           "-o", tmp_path / "s.parquet", "-q", "--force")
        assert code == 0, err
        rows = pd.read_parquet(tmp_path / "s.parquet")
        assert rows["label"].dtype == table["label"].dtype and (rows["label"] == pd.Timestamp("2022-01-01")).all()


# ----------------------------------------------------------------------------- info, demo, entry points
def test_info_prints_classes_columns_training(model_dir, capsys):
    code, out, _ = run(capsys, "info", model_dir)
    assert code == 0
    for text in ("'common'", "'rare'", "'tiny'", "+130", "age", "categorical", "2 epochs", "torch"):
        assert text in out, text
    # --threads auto resolves by the machine and its load: info says what the fit ran with.
    assert re.search(r"Training: .*seed 0, \d+ threads?\n", out)
    # The batch that trained: 500 asked, at most the rows and a multiple of pac (it said "batch 500").
    from gan_augment import GANAugmenter

    rows, pac = N_COMMON + N_RARE + N_TINY, GANAugmenter.load(model_dir).model_config_.pac
    assert rows < 500 and f", batch {rows - rows % pac} (500 asked), " in out, out
    # 'tiny' is too small for the real-vs-real comparison: the table says why it shows nan
    assert ("nan: fewer than 20 real rows, too few halves to measure, or real rows all alike, nothing to compare "
            "with") in " ".join(out.split())


def test_info_of_a_model_saved_before_the_batch_run_was_kept_says_the_batch_was_asked():
    # Such a model showed "batch 37", though a batch of 37 with pac 8 trained as 32.
    from types import SimpleNamespace

    from gan_augment.cli.info import _batch_text

    def model(asked, **ran):
        return SimpleNamespace(training_config_=SimpleNamespace(batch_size=asked), **ran)

    assert _batch_text(model(37)) == "37 asked"
    assert _batch_text(model(37, batch_size_=32)) == "32 (37 asked)"
    assert _batch_text(model(32, batch_size_=32)) == "32"


def test_info_lists_what_augment_with_the_model_adds_after_its_settings_changed(data_csv, tmp_path, capsys):
    # info read the last fit's plan: a model whose classes were changed before saving listed 'rare'
    # while augment --model topped up 'tiny' (as the README says, augment follows info).
    from gan_augment import GANAugmenter

    table = pd.read_csv(data_csv)
    augmenter = GANAugmenter(classes=["rare"], epochs=1, batch_size=64, random_state=0)
    augmenter.fit(table.drop(columns="label"), table["label"]).set_params(classes=["tiny"]).save(tmp_path / "m")
    code, out, _ = run(capsys, "info", tmp_path / "m")
    block = out.split("rows added by augment\n")[1].split("\n\n")[0]
    added = {line.split()[0]: line.split()[-1] for line in block.splitlines()}
    assert code == 0 and added["'tiny'"] == f"+{N_COMMON - N_TINY}" and added["'rare'"] == "-", out
    code, out, err = run(capsys, "augment", data_csv, "--model", tmp_path / "m", "--out", tmp_path / "a.csv")
    assert code == 0 and f"'tiny' +{N_COMMON - N_TINY}" in out + err and "'rare' +" not in out + err, out + err
    # Settings no fit checked (set_params(sampling_strategy=None) before saving): info still reports,
    # with the last fit's plan, and augment --model says in one line what does not fit.
    augmenter.set_params(classes=None, sampling_strategy=None).save(tmp_path / "m")
    code, out, err = run(capsys, "info", tmp_path / "m", "--quiet")
    assert code == 0 and "'tiny'" in out and "Warning" not in err, err
    code, out, err = run(capsys, "augment", data_csv, "--model", tmp_path / "m", "--out", tmp_path / "b.csv")
    assert code == 2 and "tops up sampling_strategy=None, which does not fit DATA" in _one_line_error(err), err
    # A class already at the majority count: the plan says so once, at the fit, not in every report.
    augmenter.set_params(sampling_strategy={"common": 150}).save(tmp_path / "m")
    code, out, err = run(capsys, "info", tmp_path / "m", "--quiet")
    assert code == 0 and "Warning" not in err, err


def test_info_says_which_snapshot_early_stopping_kept(model_dir, tmp_path, capsys):
    from gan_augment import GANAugmenter

    assert "Early stopping" not in run(capsys, "info", model_dir)[1]  # --epochs 2: off
    table = _table()
    augmenter = GANAugmenter(classes=["rare"], epochs=4, early_stopping=True, batch_size=64, random_state=0)
    augmenter.fit(table.drop(columns="label"), table["label"]).save(tmp_path / "m")
    rated = [r for r in augmenter.history_ if "snapshot_score" in r]
    best = min(rated, key=lambda r: r["snapshot_score"])
    code, out, _ = run(capsys, "info", tmp_path / "m")
    assert code == 0 and f"{len(rated)} ratings; samples from the epoch-{best['epoch']} snapshot" in out
    # The epochs' time leaves the ratings out (they are much of such a fit): said, not passed off as the whole.
    assert re.search(r"Training:  4 epochs in \d+\.\d s of steps \(ratings not counted\);", out), out


def test_label_gate_on_a_table_through_the_cli(data_csv, tmp_path, capsys):
    from gan_augment import GANAugmenter

    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "-e", "2", "--label-gate", "--seed", "0",
                       "-o", tmp_path / "m", "--quiet")
    assert code == 0, err
    model = GANAugmenter.load(tmp_path / "m")
    assert model.label_gate is True and model.label_gate_.unit == "rows"
    code, out, _ = run(capsys, "info", tmp_path / "m")
    assert code == 0 and "Label gate: the judge keeps" in out and "of the generated rows" in out
    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "-e", "1", "--no-label-gate", "--seed", "0",
                       "-o", tmp_path / "plain", "--quiet")
    assert code == 0, err
    model = GANAugmenter.load(tmp_path / "plain")
    assert model.label_gate is False and model.label_gate_ is None


def test_demo_runs_with_tiny_epochs(tmp_path, capsys, monkeypatch):
    # Idle cores: the demo still trains and samples on one thread, so that it prints the same numbers
    # on any machine (its set_num_threads(1) was overridden by the fit's n_threads="auto").
    from gan_augment.training import trainer

    monkeypatch.setattr(trainer, "_auto_threads", lambda: 4)  # what "auto" takes on four idle cores
    code, out, err = run(capsys, "demo", "--epochs", "1", "--out", tmp_path / "demo", "--quiet")
    assert code == 0, err
    assert json.loads((tmp_path / "demo" / "model" / "model.json").read_text())["state"]["n_threads"] == 1
    for text in ("before top-up", "after top-up", "synthetic '>50K' rows", "Holdout check", "GAN top-up vs"):
        assert text in out, text
    assert (tmp_path / "demo" / "model" / "model.json").is_file()
    train = pd.read_csv(tmp_path / "demo" / "train_augmented.csv")
    assert train["synthetic"].sum() > 0
    assert run(capsys, "demo", "--epochs", "1", "--out", tmp_path / "demo")[0] == 2  # no overwrite


def test_demo_writes_its_model_and_tables_all_or_none(tmp_path, capsys, monkeypatch):
    # They were written one after another: a full disk or Ctrl-C at the second left a new model
    # beside an earlier run's tables (--force), or a model alone that the same command then refused.
    from gan_augment import GANAugmenter

    assert run(capsys, "demo", "--epochs", "1", "--out", tmp_path / "demo", "--quiet")[0] == 0
    before = {path: path.read_bytes() for path in (tmp_path / "demo").rglob("*") if path.is_file()}

    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(GANAugmenter, "save", disk_full)
    code, _, err = run(capsys, "demo", "--epochs", "1", "--seed", "7", "--out", tmp_path / "demo", "--force", "-q")
    assert code == 1 and "No space left to write the demo's model and tables" in " ".join(err.split()), err
    assert {path: path.read_bytes() for path in (tmp_path / "demo").rglob("*") if path.is_file()} == before
    assert sorted(path.name for path in (tmp_path / "demo").iterdir()) == ["model", "test.csv", "train_augmented.csv"]
    monkeypatch.setattr(GANAugmenter, "save", interrupted)
    code, _, err = run(capsys, "demo", "--epochs", "1", "--out", tmp_path / "fresh", "-q")
    assert code == 130 and "nothing was written" in err and not (tmp_path / "fresh").exists(), err


def test_python_dash_m_help_is_fast_and_torch_free():
    result = subprocess.run([sys.executable, "-m", "gan_augment", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("fit", "sample", "augment", "info", "demo"):
        assert command in result.stdout
    check = ("import sys; import gan_augment.cli.main as m; "
             "assert not {'torch', 'sklearn', 'pandas'} & set(sys.modules), sorted(sys.modules)")
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60).returncode == 0


@pytest.mark.parametrize("command", ["fit", "augment"])
def test_help_at_80_columns_shows_whole_option_names(command, capsys, monkeypatch):
    # rich's panels cut them (--mark-synthet…), and their "…" stopped --help on an ASCII stdout.
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "…" not in out
    for option in ("--early-stopping", "--max-categories", "--min-class-size", "--skip-unreadable"):
        assert option in out
    assert ("--checkpoint-every" if command == "fit" else "--mark-synthetic") in out


def test_a_terminal_that_cannot_show_a_class_name_gets_utf8_tables_and_escaped_messages(tmp_path, capsys):
    # On an ASCII (Latin-1) stdout `sample --out -` stopped at the first '日本' after the header, and
    # `info` halfway; a closed stdout made pandas return the text and "Wrote 3 rows to stdout" followed.
    data = tmp_path / "labels.csv"
    _table().assign(label=lambda t: t["label"].replace({"rare": "日本"})).to_csv(data, index=False)
    assert run(capsys, "fit", data, "--classes", "日本", "--epochs", "1", "--out", tmp_path / "m", "-q")[0] == 0
    cli = [sys.executable, "-m", "gan_augment"]
    # Each command under one of the two encodings (the streams are set up alike for any but UTF-8).
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "OMP_NUM_THREADS": "1"}
    result = subprocess.run([*cli, "sample", str(tmp_path / "m"), "--class", "日本", "--n", "3", "--out", "-"],
                            capture_output=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(io.BytesIO(result.stdout), encoding="utf-8")
    assert len(rows) == 3 and (rows["label"] == "日本").all()
    env["PYTHONIOENCODING"] = "latin-1"
    result = subprocess.run([*cli, "info", str(tmp_path / "m")], capture_output=True, env=env, timeout=120)
    assert result.returncode == 0 and b"'common'" in result.stdout and b"\\u65e5\\u672c" in result.stdout, \
        result.stderr
    # A closed stdout is None to Python (sample's and augment's refusal of it: in-process, below).
    closed = subprocess.run([*cli, "info", str(tmp_path / "m")], stderr=subprocess.PIPE, env=env, timeout=120,
                            preexec_fn=lambda: os.close(1))
    assert closed.returncode == 2 and b"Standard output is closed; info prints" in closed.stderr


def test_a_closed_stdout_is_refused_before_any_training_or_sampling(tmp_path, capsys, monkeypatch, model_dir):
    # `augment --out -` trained the GAN, and `sample --out -` made every row, before finding that
    # standard output was closed.
    from gan_augment import GANAugmenter

    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    for method in ("fit", "sample"):
        monkeypatch.setattr(GANAugmenter, method, lambda *args, **kwargs: pytest.fail("it did the work"))
    monkeypatch.setattr(sys, "stdout", None)  # as a process whose stdout is closed (`>&-`) sees it
    for command in (["augment", data, "--classes", "rare", "-e", 1, "--out", "-"],
                    ["sample", model_dir, "--class", "rare", "--n", 5, "--out", "-"]):
        code, _, err = run(capsys, *command)
        assert code == 2 and "Standard output is closed; give --out a file name." in err, err


def test_a_model_saved_in_python_with_a_dataset_entry_of_its_own_is_read_by_the_cli(model_dir, tmp_path, capsys):
    # metadata={"dataset": "adult.csv"} (where the data came from, as save() invites) was called
    # damaged metadata, "fit the model again", by info, sample and augment --model.
    from gan_augment import GANAugmenter

    for dataset in ("adult.csv", {"name": "adult", "columns": 15, "n_rows": "32k"}, {"target": ["x"]}, {"name": "x"}):
        GANAugmenter.load(model_dir).save(tmp_path / "model", metadata={"dataset": dataset}, overwrite=True)
        code, out, _ = run(capsys, "info", tmp_path / "model")
        assert code == 0 and "Classes" in out
        code, out, _ = run(capsys, "sample", tmp_path / "model", "--class", "rare", "--n", "3", "-o", "-")
        assert code == 0 and len(out.strip().splitlines()) == 4  # a header and 3 rows
        assert GANAugmenter.load(tmp_path / "model").metadata_ == {"dataset": dataset}  # as the user wrote it


def test_a_model_saved_in_python_writes_and_reads_the_target_column_under_y_s_name(tmp_path, capsys):
    # sample wrote the rows' labels under "target", and augment --model asked which column was the
    # target, though y had been named in the fit.
    from gan_augment import GANAugmenter

    table = _table().rename(columns={"label": "kind"})
    GANAugmenter(epochs=1, random_state=0, classes=["rare"]).fit(table.drop(columns="kind"), table["kind"]).save(
        tmp_path / "model")
    code, out, err = run(capsys, "sample", tmp_path / "model", "--class", "rare", "--n", "3", "-o", "-")
    assert code == 0, err
    assert out.splitlines()[0] == "age,score,color,visits,kind" and out.strip().endswith(",rare")
    table.to_csv(tmp_path / "data.csv", index=False)
    code, _, err = run(capsys, "augment", tmp_path / "data.csv", "--model", tmp_path / "model", "--out",
                       tmp_path / "out.csv", "-s", "1")
    assert code == 0, err
    counts = pd.read_csv(tmp_path / "out.csv")["kind"].value_counts().to_dict()
    assert counts == {"common": 150, "rare": 150, "tiny": 10}
    code, out, _ = run(capsys, "info", tmp_path / "model")
    assert code == 0 and "Fitted on:       data given in Python, target column 'kind'" in out.splitlines()
    # y named as a column of X: sample failed with pandas' "cannot insert color, already exists".
    GANAugmenter(epochs=1, random_state=0, classes=["rare"]).fit(table.drop(columns="kind"), table["kind"].rename(
        "color")).save(tmp_path / "model", overwrite=True)
    code, out, err = run(capsys, "sample", tmp_path / "model", "--class", "rare", "--n", "3", "-o", "-")
    assert code == 0 and out.splitlines()[0] == "age,score,color,visits,target", err
    code, out, _ = run(capsys, "info", tmp_path / "model")  # it said "target column None"
    assert code == 0 and "Fitted on" not in out
    # An array's columns are written x0, x1, ...: y named x0 clashed as well; a blank name is no name.
    features = table.drop(columns=["kind", "color"]).to_numpy()
    for name in ("x0", " "):
        GANAugmenter(epochs=1, random_state=0, classes=["rare"]).fit(features, table["kind"].rename(name)).save(
            tmp_path / "model", overwrite=True)
        code, out, err = run(capsys, "sample", tmp_path / "model", "--class", "rare", "--n", "3", "-o", "-")
        assert code == 0 and out.splitlines()[0] == "x0,x1,x2,target", err


def test_a_model_whose_metadata_is_not_a_mapping_is_named(model_dir, tmp_path, capsys):
    # "Error: AttributeError: 'list' object has no attribute 'get'" from info, sample, augment --model.
    from gan_augment.checkpoint import _header_sha256

    damaged = tmp_path / "model"
    shutil.copytree(model_dir, damaged)
    header = json.loads((damaged / "model.json").read_text())
    header["state"]["metadata"] = [1]
    header["header_sha256"] = _header_sha256(header)
    (damaged / "model.json").write_text(json.dumps(header))
    code, _, err = run(capsys, "info", damaged)
    assert code == 1 and "model.json holds damaged metadata; fit the model again" in _one_line_error(err)


def test_demo_refuses_a_closed_stdout_unless_it_writes_files():
    # It ran the whole demo and exited 0 with every result lost.
    result = subprocess.run([sys.executable, "-m", "gan_augment", "demo", "--epochs", "1"], stderr=subprocess.PIPE,
                            timeout=120, preexec_fn=lambda: os.close(1))
    assert result.returncode == 2
    assert b"Standard output is closed; the demo prints its results there (give --out DIR" in result.stderr


def test_quiet_and_debug_belong_to_the_run_that_was_given_them(model_dir, tmp_path):
    # Run in one process through the app (as CliRunner does), --quiet stayed on for every later command.
    from typer.testing import CliRunner

    from gan_augment.cli.main import app

    command = ["sample", str(model_dir), "--n", "3", "--class", "rare", "--out", str(tmp_path / "s.csv"), "--force"]
    runner = CliRunner()
    assert "Wrote 3 synthetic rows" in runner.invoke(app, command).output
    assert runner.invoke(app, command + ["--quiet"]).output == ""
    assert runner.invoke(app, ["--quiet", *command]).output == ""
    assert "Wrote 3 synthetic rows" in runner.invoke(app, command).output


def test_main_gives_the_caller_its_streams_back_as_they_were():
    # On a stdout that is not UTF-8, main() set errors="backslashreplace" for good: the caller's own
    # print("café") then wrote "caf\xe9" where it raised before.
    code = ("import sys; from gan_augment.cli.main import main; print(sys.stdout.errors, sys.stderr.errors); "
            "main(['info', 'no-such-model']); print(sys.stdout.errors, sys.stderr.errors)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120,
                            env={**os.environ, "PYTHONIOENCODING": "ascii"})
    before, after = result.stdout.decode().splitlines()
    assert before.split()[0] == "strict" and after == before, result.stderr
    assert b"Error: Model directory no-such-model does not exist" in result.stderr


def _fill_stdout(monkeypatch):
    """typer.echo to stdout fails as on a full disk; to stderr it writes."""
    import typer

    echo = typer.echo

    def full_stdout(message=None, *args, err=False, **kwargs):
        if not err:
            raise OSError(errno.ENOSPC, "No space left on device")
        echo(message, *args, err=err, **kwargs)

    monkeypatch.setattr(typer, "echo", full_stdout)


def test_evaluate_writes_its_report_before_what_goes_to_stdout(data_csv, tmp_path, capsys, monkeypatch):
    # A stdout gone (`| true`, a full disk) ended the command before the report file was written.
    _fill_stdout(monkeypatch)
    report = tmp_path / "report.md"
    code, _, err = run(capsys, "evaluate", data_csv, "--classes", "rare", "--epochs", "1", "--cv", "2", "--repeats",
                       "1", "--baseline", "none", "--report", report, "-q")
    assert code == 1 and report.is_file()
    # Said as the other commands say a full stdout (it was a bare "[Errno 28] No space left on device").
    assert _one_line_error(err, after_warnings=True) == (
        "Error: No space left to write the report to stdout (No space left on device). Free some space there, or "
        f"read it in {report}.")


def test_a_dash_is_neither_a_model_folder_nor_data_from_standard_input(data_csv, tmp_path, capsys, monkeypatch):
    # `fit -o -` saved the model into a folder named "-"; `fit -` said only "- does not exist".
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "fit", data_csv, "-e", 1, "-o", "-")
    assert code == 2 and "a model is a directory and cannot go to standard output" in _one_line_error(err), err
    assert not (tmp_path / "-").exists()
    code, _, err = run(capsys, "fit", "-", "-e", 1, "-o", tmp_path / "m")
    assert code == 1 and "data is read from a file, not from standard input" in _one_line_error(err), err


@pytest.mark.parametrize("option", ["--mark-synthetic", "--sep", "--na-values"])
def test_an_option_typed_in_another_encoding_is_refused_by_name_before_training(data_csv, tmp_path, capsys, option,
                                                                                 monkeypatch):
    # Python reads a command line's bytes that are not UTF-8 as lone surrogates: --mark-synthetic
    # failed after training ("surrogates not allowed"), --sep and --na-values blamed the CSV.
    from gan_augment.training.trainer import GANTrainer

    monkeypatch.setattr(GANTrainer, "fit", lambda *args, **kwargs: pytest.fail("trained before refusing"))
    code, _, err = run(capsys, "augment", data_csv, "-e", 1, "-o", tmp_path / "o.csv", option, "synth\udce9")
    assert code == 2 and "holds bytes that are not UTF-8 text" in _one_line_error(err) and option in err, err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("report, said", [
    ("-", "--report -: a report is written to a file (.html, .md, .json); the Markdown report goes to standard "
          "output by itself, and --json sends JSON there instead."),
    ("report", "--report report has no suffix; give one of .html, .htm, .md, .json."),  # not "the suffix '(none)'"
    ("report.txt", "--report report.txt has the suffix '.txt'; give one of .html, .htm, .md, .json."),
])
def test_evaluate_says_what_a_report_file_needs(data_csv, tmp_path, capsys, monkeypatch, report, said):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "evaluate", data_csv, "--report", report)
    assert code == 2 and _one_line_error(err) == f"Error: {said}", err


def test_fit_names_a_class_of_copies_of_one_row_once(tmp_path, capsys):
    # The command's own class-size check counted rows (and the fit's, which counts distinct ones, is
    # left out as said already): five copies of one row went without a word.
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x": np.r_[rng.normal(size=60).round(3), [7.5] * 5],
                          "label": ["common"] * 60 + ["rare"] * 5})
    data = tmp_path / "data.csv"
    table.to_csv(data, index=False)
    code, _, err = run(capsys, "fit", data, "-e", 1, "-o", tmp_path / "m")
    assert code == 0 and err.count("class 'rare': 5 real rows (1 distinct)") == 1, err


def test_augment_with_a_model_says_what_of_data_does_not_fit_it_and_what_to_do(model_dir, tmp_path, capsys):
    table = _table()
    cases = [
        # DATA "lacked" a column it has: --target had taken it from the features.
        (table, ["--target", "color"], 2, "--target 'color' is one of the feature columns"),
        # No remedy was given.
        (table[["score", "age", "color", "label", "visits"]], [], 2,
         "its columns are in another order; give DATA the model's columns, in its order, or fit a model on DATA"),
        # "--classes Rare" was advised, which the model refused next ("Did you mean 'Rare'?. Name ...").
        (table.assign(label=table["label"].str.capitalize()), [], 2,
         "Did you mean 'Rare'? Name the classes to top up with --classes, among those the model knows too; DATA's "
         "labels are drawn by the model's spelling of them, so re-spell them in DATA, or fit a model on DATA."),
    ]
    for number, (data, options, code_wanted, said) in enumerate(cases):
        path = tmp_path / f"data{number}.csv"
        data.to_csv(path, index=False)
        code, _, err = run(capsys, "augment", path, "--model", model_dir, "-o", tmp_path / f"o{number}.csv", *options)
        assert code == code_wanted and said in _one_line_error(err), err
    # Values the model never saw were written beside its own without a word: real and synthetic rows
    # told apart by the column.
    path = tmp_path / "upper.csv"
    table.assign(color=table["color"].str.upper()).to_csv(path, index=False)
    code, _, err = run(capsys, "augment", path, "--model", model_dir, "-o", tmp_path / "upper_out.csv")
    assert code == 0 and "Column 'color' of" in err and "holds 3 of its 3 distinct values that the model never saw" \
        in err, err
    table.to_csv(path, index=False)  # the values it saw
    code, _, err = run(capsys, "augment", path, "--model", model_dir, "-o", tmp_path / "same_out.csv")
    assert code == 0 and "never saw" not in err, err


def test_info_names_a_full_stdout(model_dir, capsys, monkeypatch):
    _fill_stdout(monkeypatch)
    code, _, err = run(capsys, "info", model_dir)
    assert code == 1 and "No space left to write the model's description to stdout" in err, err


def test_a_full_disk_under_evaluates_report_names_its_option(data_csv, tmp_path, capsys, monkeypatch):
    # It said "choose another --out", an option evaluate does not have.
    from gan_augment.cli import evaluate as evaluate_command

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(evaluate_command, "_write_report", full)
    report = tmp_path / "report.md"
    # A one-epoch fit may warn (the label gate) before the error: whether it does differs between CPUs (CI's did).
    code, _, err = run(capsys, "evaluate", data_csv, "--classes", "rare", "--epochs", "1", "--cv", "2", "--repeats",
                       "1", "--baseline", "none", "--report", report, "-q", "--threads", "1")
    assert code == 1 and _one_line_error(err, after_warnings=True) == (
        f"Error: No space left to write the report to {report} (No space left on device). Free some space there, "
        "or choose another --report.")


@pytest.mark.parametrize("command", ["fit", "sample", "augment", "info", "evaluate", "demo"])
def test_help_shows_flags_as_flags(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "--quiet" in out and "--debug" in out
    assert "<bool>" not in out  # a flag takes no value; typer 0.29 drew every flag as "<bool>"


def test_version_and_no_arguments(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("gan-augment ")
    code, out, _ = run(capsys)
    assert code == 0 and "Usage" in out


# ----------------------------------------------------------------------------- augment / evaluate --model
def test_augment_with_model_draws_from_it_without_fitting(data_csv, model_dir, tmp_path, capsys, monkeypatch):
    from gan_augment import GANAugmenter

    def no_fit(*args, **kwargs):
        raise AssertionError("augment --model must not fit a GAN")

    monkeypatch.setattr(GANAugmenter, "fit", no_fit)
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "augment", data_csv, "--model", model_dir, "--classes", "rare", "--out", out, "-s", "3")
    assert code == 0, err
    assert "Top-up plan from" in err and "fit in" not in err
    real = pd.read_csv(data_csv)
    written = pd.read_csv(out)
    assert written.iloc[:len(real)].equals(real)
    added = written.iloc[len(real):]
    assert (added["label"] == "rare").sum() == N_COMMON - N_RARE and set(added["label"]) == {"rare"}
    # The draws are the model's: the same as `sample` with the same seed.
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "-n", N_COMMON - N_RARE, "-s", "3",
                       "--out", tmp_path / "s.csv")
    assert code == 0, err
    sampled = pd.read_csv(tmp_path / "s.csv")
    assert np.allclose(sampled["score"], added["score"].to_numpy())


def test_augment_with_nothing_to_add_writes_the_data_without_fitting(data_csv, tmp_path, capsys, monkeypatch):
    from gan_augment import GANAugmenter

    def no_fit(*args, **kwargs):
        raise AssertionError("a GAN whose samples nobody asked for was fitted")

    monkeypatch.setattr(GANAugmenter, "fit", no_fit)
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "augment", data_csv, "--classes", "common", "--out", out)  # the majority
    assert code == 0, err
    assert "nothing will be added" in err and "no GAN is fitted" in err and "fit in" not in err
    assert out.read_bytes() == data_csv.read_bytes()
    # --auto: no inner cross-validation of candidates that would all add nothing
    from gan_augment import AutoAugmenter

    monkeypatch.setattr(AutoAugmenter, "fit_resample", no_fit)
    code, _, err = run(capsys, "augment", data_csv, "--auto", "--classes", "common", "--out", out, "--force")
    assert code == 0 and "no top-up is chosen; DATA is written as it is" in err, err
    assert out.read_bytes() == data_csv.read_bytes()


def test_augment_refuses_a_tsv_output_of_a_comma_separated_input_before_training(data_csv, tmp_path, capsys,
                                                                                   monkeypatch):
    from gan_augment import GANAugmenter

    def no_fit(*args, **kwargs):
        raise AssertionError("trained before refusing the output")

    monkeypatch.setattr(GANAugmenter, "fit", no_fit)
    code, _, err = run(capsys, "augment", data_csv, "--classes", "rare", "--out", tmp_path / "out.tsv")
    assert code == 2 and "separated by ','. Name the output out.csv" in err and "Traceback" not in err
    assert not (tmp_path / "out.tsv").exists()


@pytest.mark.parametrize("args, culprit", [
    (["--epochs", "3"], "--epochs applies to fitting a model"),
    (["--auto"], "--auto applies to fitting a model"),
    (["--no-rules"], "--no-rules applies to fitting a model"),
    (["--early-stopping"], "--early-stopping applies to fitting a model"),
    # Silently ignored, even as --threads abc: the saved model draws as `sample` does.
    (["--threads", "2"], "--threads applies to fitting a model"),
    (["--device", "cpu"], "--device applies to fitting a model"),
])
def test_augment_with_model_refuses_what_does_not_fit(data_csv, model_dir, tmp_path, capsys, args, culprit):
    code, _, err = run(capsys, "augment", data_csv, "--model", model_dir, "--out", tmp_path / "out.csv", *args)
    assert code == 2 and culprit in _one_line_error(err)
    assert not (tmp_path / "out.csv").exists()


def test_augment_with_model_refuses_a_class_it_was_not_fitted_on(model_dir, tmp_path, capsys):
    other = tmp_path / "other.csv"
    _table().replace({"label": {"tiny": "newcomer"}}).to_csv(other, index=False)
    code, _, err = run(capsys, "augment", other, "--model", model_dir, "--classes", "newcomer", "--out",
                       tmp_path / "out.csv")
    assert code == 2 and "has no class 'newcomer'" in _one_line_error(err)
    assert _one_line_error(err).endswith("fit a model on DATA, or name other --classes.")
    assert not (tmp_path / "out.csv").exists()
    # No class of DATA is one of the model's: other --classes cannot help, and are not suggested.
    _table().replace({"label": {"common": "A", "rare": "B", "tiny": "C"}}).to_csv(other, index=False)
    code, _, err = run(capsys, "augment", other, "--model", model_dir, "--classes", "B", "--out", tmp_path / "out.csv")
    assert code == 2
    assert _one_line_error(err).endswith("fit a model on DATA: none of its classes is one of the model's.")


def test_the_model_doors_top_up_the_classes_the_model_was_fitted_for(data_csv, model_dir, tmp_path, capsys):
    # model_dir was fitted with --classes rare, and `info` says so; augment and evaluate --model
    # without --classes topped up 'tiny' as well, where the Python doors top up 'rare' only.
    code, out, _ = run(capsys, "info", model_dir)
    assert code == 0 and "'tiny'" in out
    code, _, err = run(capsys, "augment", data_csv, "--model", model_dir, "--out", tmp_path / "out.csv", "-s", "1")
    assert code == 0, err
    added = pd.read_csv(tmp_path / "out.csv").iloc[N_COMMON + N_RARE + N_TINY:]
    assert set(added["label"]) == {"rare"} and len(added) == N_COMMON - N_RARE
    code, out, err = run(capsys, "evaluate", data_csv, "--model", model_dir, "--cv", "2", "--repeats", "1",
                         "--baseline", "none", "-s", "0")
    assert code == 0, err
    assert "topping up 'rare'." in err
    other = tmp_path / "other.csv"  # the model's class is not in DATA: named, with the way out
    _table().replace({"label": {"rare": "uncommon"}}).to_csv(other, index=False)
    code, _, err = run(capsys, "augment", other, "--model", model_dir, "--out", tmp_path / "out2.csv")
    assert code == 2 and "tops up the classes 'rare', which does not fit DATA" in _one_line_error(err)
    assert "--classes" in err


def test_evaluate_reproduces_the_report_of_the_seed_it_printed(data_csv, capsys):
    # A run without --seed printed "random_state=N"; --seed N then gave other numbers (every fold's
    # GAN got N itself, where the printed run had seeded each fold from N).
    args = ["evaluate", data_csv, "--classes", "rare", "-e", "1", "--cv", "2", "--repeats", "1", "--baseline", "none",
            "--threads", "1", "--json", "-q"]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    first = json.loads(out)
    seed = first["settings"]["random_state"]
    code, out, err = run(capsys, *args, "--seed", seed)
    assert code == 0, err
    again = json.loads(out)
    assert again["settings"]["random_state"] == seed
    scores = [[{k: v for k, v in fold.items() if not k.endswith("_time_s")} for fold in report["folds"]]
              for report in (first, again)]
    assert scores[0] == scores[1] and [f["n_added"] for f in scores[0]] != [0, 0, 0, 0]


def test_evaluate_with_a_model_of_counts_tops_up_its_classes_in_each_fold(data_csv, tmp_path, capsys):
    # Its counts, made for the whole data, were given to each fold's GAN: a fold of half the rows
    # topped 'rare' up past its majority, and 'tiny' (left alone by the model) as well.
    from gan_augment import GANAugmenter

    table = pd.read_csv(data_csv)
    X, y = table.drop(columns="label"), table["label"]
    counts = {"rare": N_RARE + 20, "tiny": N_TINY}
    GANAugmenter(epochs=1, random_state=0, sampling_strategy=counts).fit(X, y).save(tmp_path / "m")
    code, out, err = run(capsys, "evaluate", data_csv, "--model", tmp_path / "m", "--cv", "2", "--repeats", "1",
                         "--baseline", "none", "--threads", "1", "-s", "0", "--json")
    assert code == 0, err
    assert "each fold tops up its classes 'rare' to the fold's majority instead" in err
    for fold in json.loads(out)["folds"]:
        if fold["method"] != "none":  # 'rare' to the majority of a fold's training half: N_COMMON / 2
            assert fold["n_added"] == N_COMMON // 2 - N_RARE // 2
    # Its min_class_size guarded the whole data: a training fold holds half of 'rare', and was refused,
    # advising to lower an option evaluate does not have.
    GANAugmenter(epochs=1, random_state=0, classes=["rare"], min_class_size=N_RARE).fit(X, y).save(tmp_path / "m2")
    code, out, err = run(capsys, "evaluate", data_csv, "--model", tmp_path / "m2", "--cv", "2", "--repeats", "1",
                         "--baseline", "none", "--threads", "1", "-s", "0", "--json")
    assert code == 0, err


def test_augment_with_a_model_fitted_in_python_without_column_names(tmp_path, capsys):
    # A model fitted on an array (or on columns named by numbers) crashed augment --model with
    # numpy's "not enough values to unpack" (taken for an image model); its rows would then have
    # been written empty under DATA's column names. Its columns are DATA's, by position.
    from gan_augment import GANAugmenter

    table = _table().drop(columns=["color"])
    X, y = table.drop(columns="label"), table["label"]
    for name, features in (("array", X.to_numpy(dtype=float)), ("numbered", X.set_axis(range(3), axis=1))):
        GANAugmenter(epochs=1, random_state=0, classes=["rare"], n_threads=1).fit(features, y).save(tmp_path / name)
        data = tmp_path / "data.csv"
        table.to_csv(data, index=False)
        out = tmp_path / f"{name}.csv"
        code, _, err = run(capsys, "augment", data, "--model", tmp_path / name, "--out", out, "-s", "1")
        assert code == 0, err
        added = pd.read_csv(out).iloc[len(table):]
        assert len(added) == N_COMMON - N_RARE and set(added["label"]) == {"rare"}
        assert added[["age", "score", "visits"]].notna().all().all()
        table.drop(columns="visits").to_csv(data, index=False)  # one feature column short
        code, _, err = run(capsys, "augment", data, "--model", tmp_path / name, "--out", tmp_path / "x.csv")
        assert code == 2 and "has 2 feature columns but" in _one_line_error(err) and "fitted on 3" in err


def test_augment_with_model_writes_data_s_spelling_of_each_class(tmp_path, capsys):
    # A model of labels 0 / 1 topping up DATA that writes them 0.0 / 1.0 wrote its synthetic rows
    # as 1: three classes in the output (likewise a name in another Unicode form).
    table = _table().drop(columns=["color"])
    table["label"] = np.where(table["label"] == "common", 0, 1)
    data, other = tmp_path / "int.csv", tmp_path / "float.csv"
    table.to_csv(data, index=False)
    table.assign(label=table["label"].astype(float)).to_csv(other, index=False)
    assert main(["fit", str(data), "--classes", "1", "--epochs", "1", "--seed", "0", "--threads", "1", "--out",
                 str(tmp_path / "m"), "--quiet"]) == 0
    code, _, err = run(capsys, "augment", other, "--model", tmp_path / "m", "--out", tmp_path / "out.csv", "-s", "1")
    assert code == 0, err
    labels = pd.read_csv(tmp_path / "out.csv", dtype={"label": str})["label"]
    assert set(labels) == {"0.0", "1.0"} and (labels == "1.0").sum() == N_COMMON
    # Two of DATA's classes that are one class of the model: one top-up was silently lost.
    both = tmp_path / "both.csv"
    spelt = table["label"].astype(str).where((table["label"] == 0) | (table.index % 2 == 0), "1.0")
    table.assign(label=spelt).to_csv(both, index=False)
    code, _, err = run(capsys, "augment", both, "--model", tmp_path / "m", "--classes", "1,1.0", "--out",
                       tmp_path / "both_out.csv")
    assert code == 2 and "DATA's classes '1' and '1.0' are both" in _one_line_error(err)


def test_augment_with_model_keeps_a_parquet_s_dtypes_and_takes_an_empty_column(model_dir, tmp_path, capsys):
    # The model was fitted on a CSV (int64, float64, text): the real rows of a parquet DATA of int32,
    # float32 and categories were widened (48.91 read back as 48.90999984741211).
    table = _table().astype({"age": "int32", "score": "float32", "color": "category", "label": "category"})
    data = tmp_path / "data.parquet"
    table.to_parquet(data)
    code, _, err = run(capsys, "augment", data, "--model", model_dir, "--out", tmp_path / "out.parquet", "-s", "1")
    assert code == 0, err
    written = pd.read_parquet(tmp_path / "out.parquet")
    assert written.dtypes.astype(str).to_dict() == table.dtypes.astype(str).to_dict()
    pd.testing.assert_frame_equal(written.iloc[:len(table)], table, check_categorical=False)
    # A column with no value at all was refused as "holds numbers (, ...)" against the model's text.
    empty = tmp_path / "empty.csv"
    _table().assign(color=np.nan).to_csv(empty, index=False)
    code, _, err = run(capsys, "augment", empty, "--model", model_dir, "--out", tmp_path / "e.csv", "-s", "1")
    assert code == 0, err


def test_augment_with_model_says_the_target_column_is_the_model_s(model_dir, tmp_path, capsys):
    renamed = tmp_path / "renamed.csv"
    _table().rename(columns={"label": "class"}).to_csv(renamed, index=False)
    code, _, err = run(capsys, "augment", renamed, "--model", model_dir, "--out", tmp_path / "out.csv")
    line = _one_line_error(err)
    assert code == 2 and "has no column 'label'" in line
    assert "was fitted with the target column 'label'; name DATA's target column with --target" in line
    code, _, err = run(capsys, "augment", renamed, "--model", model_dir, "--target", "class", "--out",
                       tmp_path / "out.csv", "-s", "1")
    assert code == 0, err
    # evaluate --model reads the model's target column too (it asked "Which column is the target?").
    code, _, err = run(capsys, "evaluate", renamed, "--model", model_dir)
    assert code == 2 and "was fitted with the target column 'label'" in _one_line_error(err)


def test_augment_with_model_refuses_data_of_other_columns(model_dir, tmp_path, capsys):
    other = tmp_path / "other.csv"
    _table().drop(columns=["visits"]).to_csv(other, index=False)
    code, _, err = run(capsys, "augment", other, "--model", model_dir, "--out", tmp_path / "out.csv")
    assert code == 2 and "does not have the columns" in err and "it lacks 'visits'" in err


def test_evaluate_with_model_fits_each_fold_with_its_settings(data_csv, model_dir, capsys):
    code, _, err = run(capsys, "evaluate", data_csv, "--model", model_dir, "--epochs", "1")
    assert code == 2 and "--epochs and --model" in _one_line_error(err)
    code, out, err = run(capsys, "evaluate", data_csv, "--model", model_dir, "--cv", "2", "--repeats", "1",
                         "--baseline", "none", "-s", "0")
    assert code == 0, err
    assert "settings of" in err and "(epochs 2, loss wgan-gp)" in err and "Verdict" in out


def test_evaluate_says_what_is_wrong_with_the_data_as_fit_does(model_dir, tmp_path, capsys):
    # A single class, or a class of fewer rows than folds, exited 2 (usage) with "y holds a single
    # class"; a model topping up a class DATA lacks was named "augmenter.classes: Unknown class".
    one = tmp_path / "one.csv"
    _table().assign(label="only").to_csv(one, index=False)
    code, _, err = run(capsys, "evaluate", one, "-q")
    assert code == 1 and _one_line_error(err) == (f"Error: Target column 'label' of {one} holds a single class "
                                                  "('only'); there is nothing to compare.")
    solo = tmp_path / "solo.csv"
    table = _table()
    table.loc[0, "label"] = "solo"
    table.to_csv(solo, index=False)
    code, _, err = run(capsys, "evaluate", solo, "--cv", "2", "-q")
    assert code == 1 and "Class 'solo' has 1 row" in _one_line_error(err)
    other = tmp_path / "other.csv"
    _table().replace({"label": {"rare": "scarce"}}).to_csv(other, index=False)
    code, _, err = run(capsys, "evaluate", other, "--model", model_dir, "-q")
    line = _one_line_error(err)
    assert code == 2 and line.startswith(f"Error: {model_dir} tops up the classes 'rare', which does not fit DATA")
    assert line.endswith("Name the classes to top up with --classes.")
    # A class DATA holds at the majority count, named by the model or by --classes: said once, in one line.
    swapped = tmp_path / "swapped.csv"
    _table().replace({"label": {"rare": "common", "common": "rare"}}).to_csv(swapped, index=False)
    for args, whose in (([], f"{model_dir} tops up"), (["--classes", "rare", "--epochs", "1"], "--classes names")):
        code, _, err = run(capsys, "evaluate", swapped, *(["--model", model_dir] if not args else args), "-q")
        assert code == 2 and err == (f"Error: {whose} 'rare', which DATA holds at the majority count already: the "
                                     "top-up adds nothing to evaluate. Name a rarer class with --classes.\n"), err


def test_evaluate_refuses_image_options_on_a_table_in_its_own_words(data_csv, capsys):
    # The library's refusal advised image_shape=, which the command line has no option for.
    for args, said in ((["--estimator", "cnn"], "--estimator cnn is for image folders; {} is a table: choose logreg, "
                                                "hgb or rf."),
                       (["--baseline", "none,classic"], "--baseline classic is for image folders; {} is a table: "
                                                        "drop it.")):
        code, _, err = run(capsys, "evaluate", data_csv, *args, "-q")
        assert code == 2 and err == f"Error: {said.format(data_csv)}\n", err


def test_evaluate_says_a_folds_gate_refusal_in_one_line(data_csv, tmp_path, capsys, monkeypatch):
    # A translator's label gate (always on) refusing a class in the folds was shown as an unforeseen
    # "ValueError: ... (run again with --debug ...)" after every fold had trained.
    from gan_augment.label_gate import LabelGate

    model = tmp_path / "gated"
    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "-e", "1", "--label-gate", "--seed", "0",
                       "--out", model, "-q")
    assert code == 0, err
    monkeypatch.setattr(LabelGate, "serves", lambda self, index: False)
    code, _, err = run(capsys, "evaluate", data_csv, "--model", model, "--cv", "2", "--repeats", "1",
                       "--baseline", "none", "-s", "0", "-q")
    line = _one_line_error(err)
    assert code == 1 and line.startswith("Error: The label gate keeps under 5%") and "ValueError" not in line, err
    assert "(command line: without --label-gate)" in line


# ----------------------------------------------------------------------------- augment: rows as written
def _as_written_csv(tmp_path):
    """A CSV as users write them: two-decimal numbers, zip codes, NA words, quoted fields, CRLF."""
    rng = np.random.default_rng(1)
    lines = ["zip,region,mcg,gvh,note,label"]
    for i in range(60):
        note = '"Smith, ""Jr""\r\nline 2"' if i % 9 == 0 else rng.choice(["NA", "None", "ok"])
        lines.append(f"{rng.choice(['02139', '00501', '10001'])},{rng.choice(['NA', 'EU'])},"
                     f"{rng.uniform(0, 1):.2f},{rng.integers(0, 100) / 100:.2f},{note},{'MIT' if i < 45 else 'ERL'}")
    path = tmp_path / "data.csv"
    path.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    return path, lines


def test_augment_copies_real_rows_byte_for_byte_and_models_numbers(tmp_path, capsys):
    from gan_augment.data.io import read_table

    data, lines = _as_written_csv(tmp_path)
    source = data.read_bytes()
    assert read_table(data)["mcg"].dtype == np.float64  # modelled as numbers, not as categories
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "augment", data, "--out", out, "--epochs", "1", "--batch-size", "32", "--seed", "0",
                       "-q")
    assert code == 0, err
    written = out.read_bytes()
    assert written.startswith(source)  # header and every real line, quoting and CRLF included
    # the first len(real) + 1 lines (a quoted field spans two physical lines) are the source's
    assert written.split(b"\r\n")[:len(lines) + 7] == source.split(b"\r\n")[:len(lines) + 7]
    assert data.read_bytes() == source
    synthetic = pd.read_csv(out, dtype=str, keep_default_na=False).iloc[60:]
    assert len(synthetic) == 30 and (synthetic["label"] == "ERL").all()
    for column in ("mcg", "gvh"):  # at most the 2 decimals written in the real rows, plain notation
        assert all(len(v.partition(".")[2]) <= 2 and "e" not in v for v in synthetic[column]), synthetic[column]
        assert pd.to_numeric(synthetic[column]).notna().all()
    assert set(synthetic["zip"]) <= {"02139", "00501", "10001"}


def test_augment_marker_and_stdout_keep_real_lines(tmp_path, capsys):
    data, lines = _as_written_csv(tmp_path)
    code, out, err = run(capsys, "augment", data, "--out", "-", "--mark-synthetic", "synthetic", "--epochs", "1",
                         "--batch-size", "32", "--seed", "0", "-q")
    assert code == 0, err
    records = out.split("\r\n")
    assert records[0] == lines[0] + ",synthetic"
    # every real line keeps its bytes and gains ",False" (a quoted field spans two physical lines)
    expected = "\r\n".join(line + ",False" for line in lines[1:]).split("\r\n")
    assert records[1:len(expected) + 1] == expected
    marks = pd.read_csv(io.StringIO(out), dtype=str)["synthetic"]
    assert marks.tolist() == ["False"] * 60 + ["True"] * 30


# ----------------------------------------------------------------------------- --na-values
def _regions_csv(tmp_path):
    """A table whose region NA is North America, a value like EU."""
    lines = ["x,region,label"] + [f"{i},{'NA' if i % 3 == 0 else 'EU'},{'a' if i <= 28 else 'b'}" for i in range(1, 41)]
    path = tmp_path / "regions.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_na_values_makes_a_cell_text_missing_only_when_asked(tmp_path, capsys):
    data = _regions_csv(tmp_path)
    for name, extra, region in (("kept", [], "2 values"), ("missing", ["--na-values", "NA"], "1 value, has missing")):
        code, _, err = run(capsys, "fit", data, "-e", 1, "-s", 0, "-o", tmp_path / name, "-q", *extra)
        assert code == 0, err
        code, out, _ = run(capsys, "info", tmp_path / name)
        line = next(line for line in out.splitlines() if line.strip().startswith("region"))
        assert region in line, line
    # augment: the real lines are still copied as written
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "augment", data, "--na-values", "NA", "-e", 1, "-s", 0, "-o", out, "-q")
    assert code == 0, err
    assert out.read_text().startswith(data.read_text())


def test_augment_with_a_model_reads_missing_cells_as_the_fit_did(tmp_path, capsys):
    # Without --na-values, DATA's "?" was a category the model never learned, and its synthetic
    # missing cells were written empty below real rows that say "?".
    lines = ["x,color,label"] + [f"{i},{'?' if i % 4 == 0 else ('red', 'blue')[i % 2]},{'a' if i <= 30 else 'b'}"
                                 for i in range(1, 41)]
    data = tmp_path / "colors.csv"
    data.write_text("\n".join(lines) + "\n")
    code, _, err = run(capsys, "fit", data, "--na-values", "?", "-e", 1, "-s", 0, "-o", tmp_path / "m", "-q")
    assert code == 0, err
    out = tmp_path / "out.csv"
    code, said, err = run(capsys, "augment", data, "--model", tmp_path / "m", "-s", 0, "-o", out)
    assert code == 0, err
    assert "--na-values '?'" in said + err  # said where it comes from
    synthetic = out.read_text().splitlines()[len(lines):]
    assert len(synthetic) == 20
    colors = {line.split(",")[1] for line in synthetic}
    assert colors <= {"red", "blue", "?"} and "" not in colors
    # evaluate --model reads it so too (it read "?" as a color in every fold).
    code, said, err = run(capsys, "evaluate", data, "--model", tmp_path / "m", "--cv", "2", "--repeats", "1",
                          "--baseline", "none", "-s", "0", "--json")
    assert code == 0, err
    assert "Missing cells are read as" in err and "--na-values '?'" in err
    # A parquet file keeps its missing values typed: the model's --na-values are not for it.
    frame = pd.read_csv(data, na_values=["?"], keep_default_na=False)
    frame.to_parquet(tmp_path / "colors.parquet", index=False)
    code, said, err = run(capsys, "augment", tmp_path / "colors.parquet", "--model", tmp_path / "m", "-s", 0,
                          "-o", tmp_path / "out.parquet")
    assert code == 0, err
    assert "Missing cells are read as" not in said + err


def test_na_values_for_parquet_or_images_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "t.parquet"
    _table().to_parquet(path, index=False)
    for command in (["fit", path, "-o", tmp_path / "m"], ["augment", path, "-o", tmp_path / "o.csv"],
                    ["evaluate", path]):
        code, _, err = run(capsys, *command, "--na-values", "NA")
        assert code == 2 and "CSV files only" in _one_line_error(err) and "t.parquet" in err
    assert not (tmp_path / "m").exists() and not (tmp_path / "o.csv").exists()


# ----------------------------------------------------------------------------- augment --auto
def test_augment_auto_chooses_and_writes_real_lines_then_the_winners_rows(tmp_path, capsys):
    data = tmp_path / "data.csv"
    _table().to_csv(data, index=False)
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "augment", data, "--auto", "--classes", "rare", "-e", 1, "--batch-size", 64,
                       "-s", 0, "--estimator", "logreg", "--metric", "balanced_accuracy", "-o", out)
    assert code == 0, err
    assert "Inner scores (balanced_accuracy" in err and "Chose: " in err
    score_lines = [line for line in err.splitlines() if line.startswith("  ") and "+-" in line]
    assert len(score_lines) == 10 and sum("<- chosen" in line for line in score_lines) == 1  # none + 3 x 3
    source = data.read_text()
    written = out.read_text()
    assert written.startswith(source)
    added = pd.read_csv(out).iloc[len(_table()):]
    # A share of the 130 to add, rounded half to even as AutoAugmenter rounds (25% -> 32); which one
    # wins depends on the device and thread count.
    assert set(added["label"]) <= {"rare"} and len(added) in {0} | {round(a * 130) for a in (0.25, 0.5, 1.0)}
    if len(added) == 0:
        assert "Chose: no top-up" in err


def test_augment_auto_choosing_no_top_up_says_so_in_its_last_line(tmp_path, capsys, monkeypatch):
    # It said "0 added: nothing to add", as if the plan had had nothing to add.
    from gan_augment.auto import AutoAugmenter

    monkeypatch.setattr(AutoAugmenter, "_select", lambda self, results: 0)  # candidate 0: none
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x": rng.normal(size=135).round(3), "label": ["a"] * 120 + ["rare"] * 15})
    table.to_csv(tmp_path / "data.csv", index=False)
    code, _, err = run(capsys, "augment", tmp_path / "data.csv", "--auto", "-e", 1, "--batch-size", 64, "-s", 0,
                       "-o", tmp_path / "out.csv")
    assert code == 0, err
    assert "Chose: no top-up" in err and "Wrote 135 rows (135 real, 0 added: no top-up chosen) to " in err, err


def test_augment_auto_says_what_the_plan_said_once(tmp_path, capsys):
    # AutoAugmenter's own plan said again what the command's had said of the table.
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"x": rng.normal(size=135).round(3), "label": ["a"] * 60 + ["b"] * 60 + ["rare"] * 15})
    data = tmp_path / "data.csv"
    table.to_csv(data, index=False)
    code, _, err = run(capsys, "augment", data, "--auto", "-e", 1, "--batch-size", 64, "-s", 0,
                       "-o", tmp_path / "out.csv")
    assert code == 0, err
    assert err.count("already has the majority count") == 1, err


def test_augment_auto_seed_scores_as_auto_augmenter_with_that_random_state(tmp_path, capsys):
    # --seed also seeded the job's GAN, so every inner fold's GAN trained from the one seed and the
    # scores were not those of AutoAugmenter(random_state=SEED), which seeds each fold's GAN itself.
    from gan_augment import AutoAugmenter, GANAugmenter

    data = tmp_path / "data.csv"
    table = _table().query("label != 'tiny'")
    table.to_csv(data, index=False)
    code, _, err = run(capsys, "augment", data, "--auto", "--classes", "rare", "-e", 1, "--batch-size", 64,
                       "--threads", 1, "-s", 3, "-o", tmp_path / "out.csv")
    assert code == 0, err
    printed = [line.split("+-")[0].split()[-1] for line in err.splitlines() if line.startswith("  ") and "+-" in line]
    auto = AutoAugmenter(classes=["rare"], estimator="logreg", scoring="f1_macro", random_state=3,
                         augmenter=GANAugmenter(epochs=1, batch_size=64, n_threads=1))
    auto.fit(table.drop(columns="label"), table["label"])
    assert printed == [f"{score:.4f}" for score in auto.cv_results_["mean_test_score"]]


def test_categorical_names_columns_modelled_as_categories(tmp_path, capsys):
    # A code written as numbers: without --categorical the GAN models it as a number (and SMOTE
    # interpolates it); the command line had no way to say otherwise.
    rng = np.random.default_rng(0)
    codes = [10115, 20095, 80331, 50667, 12345, 99999, 45678]
    table = pd.DataFrame({"x": rng.normal(size=200).round(2), "zip": rng.choice(codes, 200),
                          "label": ["common"] * 170 + ["rare"] * 30})
    data = tmp_path / "data.csv"
    table.to_csv(data, index=False)
    code, _, err = run(capsys, "fit", data, "--categorical", "zip", "--categorical", "zip", "-e", 1,
                       "--batch-size", 64, "-s", 0, "-o", tmp_path / "m")
    assert code == 0, err
    from gan_augment import GANAugmenter

    model = GANAugmenter.load(tmp_path / "m")
    assert model.categorical_features == ["zip"]
    assert set(model.sample(300, "rare")["zip"]) <= set(codes)
    code, out, err = run(capsys, "evaluate", data, "--categorical", "zip", "--cv", 2, "--repeats", 1, "-e", 1,
                         "--batch-size", 64, "-s", 0, "--json")
    assert code == 0, err
    settings = json.loads(out)["settings"]  # SMOTE picks the codes too, and the classifier one-hots them
    assert "SMOTE-NC" in settings["methods"] and settings["augmenter_params"]["categorical_features"] == ["zip"]
    for option, words in ((["--categorical", "zipp"], "--categorical 'zipp' is not a column of"),
                          (["--categorical", "zipp"], "). Did you mean 'zip'?"),
                          (["--categorical", "ZIP"], "). Did you mean 'zip'?"),  # it only said: check the spelling
                          (["--categorical", "qqq"], "); check the spelling."),
                          (["--categorical", "label"], "--categorical 'label' names the target column")):
        code, _, err = run(capsys, "augment", data, *option, "-o", tmp_path / "o.csv")
        assert code == 2 and words in _one_line_error(err)
    code, _, err = run(capsys, "augment", data, "--model", tmp_path / "m", "--categorical", "zip",
                       "-o", tmp_path / "o.csv")
    assert code == 2 and "--categorical" in _one_line_error(err)
    assert not (tmp_path / "o.csv").exists()


def test_augment_auto_option_errors(data_csv, tmp_path, capsys):
    code, _, err = run(capsys, "augment", data_csv, "--metric", "accuracy", "-o", tmp_path / "o.csv")
    assert code == 2 and _one_line_error(err).endswith("--metric applies with --auto only (the cross-validation that "
                                                       "chooses the top-up); add --auto, or drop it.")
    code, _, err = run(capsys, "augment", data_csv, "--metric", "accuracy", "-j", "2", "-o", tmp_path / "o.csv")
    assert code == 2 and _one_line_error(err).endswith("--metric, --n-jobs apply with --auto only (the "
                                                       "cross-validation that chooses the top-up); add --auto, or "
                                                       "drop them.")
    code, _, err = run(capsys, "augment", data_csv, "--auto", "--metric", "pr_auc", "-o", tmp_path / "o.csv")
    assert code == 2 and "--metric pr_auc scores one class against the other: binary targets only" in err
    assert "has 3 classes" in err
    code, _, err = run(capsys, "augment", data_csv, "--auto", "--estimator", "cnn", "-o", tmp_path / "o.csv")
    assert code == 2 and "--estimator cnn classifies images" in _one_line_error(err)
    code, _, err = run(capsys, "augment", data_csv, "-j", "2", "-o", tmp_path / "o.csv")
    assert code == 2 and "--n-jobs applies with --auto only" in _one_line_error(err)
    code, _, err = run(capsys, "augment", data_csv, "--auto", "-j", "0", "-o", tmp_path / "o.csv")
    assert code == 2 and "--n-jobs is the number of inner folds to score at once" in _one_line_error(err)
    assert not (tmp_path / "o.csv").exists()


def test_augment_auto_chooses_by_the_rare_classs_average_precision(tmp_path, capsys):
    binary = tmp_path / "binary.csv"
    _table().query("label != 'tiny'").to_csv(binary, index=False)
    out = tmp_path / "out.csv"
    code, _, err = run(capsys, "augment", binary, "--auto", "--metric", "pr_auc", "-e", 1, "--batch-size", 64,
                       "-s", 0, "-j", 2, "-o", out)  # the inner folds in two processes
    assert code == 0, err
    assert "(logreg, pr_auc)" in err and "Inner scores (pr_auc" in err
    scores = [float(line.split("+-")[0].split()[-1]) for line in err.splitlines()
              if line.startswith("  ") and "+-" in line]  # "  smote    25%  0.6123 +- 0.0210  <- chosen"
    # The columns carry no signal about the label, so the rare class's average precision sits near
    # its share of the rows (130 of 730, 0.18), where macro-F1 or accuracy would read 0.45-0.85.
    assert len(scores) == 10 and all(0.05 < score < 0.4 for score in scores), scores


# ----------------------------------------------------------------------------- info: terminal safety
def test_info_prints_control_characters_of_user_names_escaped(tmp_path, capsys):
    rng = np.random.default_rng(0)
    data = tmp_path / "data\x1b[1m.csv"
    pd.DataFrame({"\x1b[31mred": rng.normal(size=60).round(2), "label": ["a\x1b[2Jb"] * 40 + ["c\x07d"] * 20}) \
        .to_csv(data, index=False)
    out_dir = tmp_path / "model"
    assert run(capsys, "fit", data, "-e", 1, "-s", 0, "-o", out_dir, "-q")[0] == 0
    code, out, _ = run(capsys, "info", out_dir)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    for text in (r"\x1b[31mred", r"'a\x1b[2Jb'", r"'c\x07d'", r"data\x1b[1m.csv"):
        assert text in out, text


def test_class_names_and_paths_are_printed_as_they_can_be_pasted_back(tmp_path, capsys):
    # 'CORP\\alice' (Python's spelling) pasted into the shell named no class, and "Did you mean" then
    # suggested the same spelling again; a class with an escape sequence went into the Next hint raw
    # (dropped when piped, so the hint named another class), and a CR in --out rewrote the line.
    rng = np.random.default_rng(0)
    data = tmp_path / "data.csv"
    pd.DataFrame({"a": rng.normal(size=90).round(2),
                  "label": ["maj"] * 60 + ["CORP\\alice"] * 15 + ["\x1b[31mred"] * 15}).to_csv(data, index=False)
    out = tmp_path / "m\rEVIL"
    code, _, err = run(capsys, "fit", data, "-e", 1, "-s", 0, "-o", out)
    assert code == 0 and "\x1b" not in err and "\r" not in err, err
    assert "'CORP\\alice' 15" in err and "$'\\x1b[31mred' 15" in err and "m\\rEVIL" in err
    assert "--class $'\\x1b[31mred'" in err  # bash reads $'...' back as the class
    for spelt in ("CORP\\alice", "CORP\\\\alice"):  # as shown now, and as Python's repr showed it
        code, rows, err = run(capsys, "sample", out, "--class", spelt, "-n", 2, "-o", "-")
        assert code == 0 and rows.count("CORP\\alice") == 2, err


def test_suggested_commands_name_the_program_as_it_was_started(data_csv, model_dir, tmp_path, capsys):
    # Under `python -m gan_augment` the Next hint said `gan-augment sample ...`, which may not be on PATH.
    assert main(["fit", data_csv, "-e", "1", "-o", tmp_path / "m"], prog_name="python -m gan_augment") == 0
    assert "Next: python -m gan_augment sample " in capsys.readouterr().err
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "-n", 1, "-o", tmp_path / "one.csv")
    assert code == 0 and "Wrote 1 synthetic row of class 'rare'" in err


# ----------------------------------------------------------------------------- no clobbering, even in a race
def test_a_model_dir_written_by_another_run_meanwhile_is_kept(model_dir, data_csv, tmp_path, capsys, monkeypatch):
    """Another run writes --out after the last check: the final rename refuses it (exit 2), unless --force."""
    import shutil

    import gan_augment.cli._model_dir as model_dir_module

    real_check = model_dir_module.check_model_out
    out = tmp_path / "m"
    calls = []

    def check_then_lose_the_race(path, *, force):
        real_check(path, force=force)
        calls.append(force)
        if len(calls) == 2 and not out.exists():  # save_model's own check, just before it saves
            shutil.copytree(model_dir, out)

    monkeypatch.setattr(model_dir_module, "check_model_out", check_then_lose_the_race)
    theirs = {p.name: p.read_bytes() for p in model_dir.iterdir()}
    # --no-label-gate: a one-epoch fit's 'tiny' class is under the gate's 5%, and its warning would
    # come before the one-line error this test reads.
    code, _, err = run(capsys, "fit", data_csv, "-e", 1, "-s", 1, "-o", out, "-q", "--no-label-gate")
    assert code == 2 and f"{out} already exists and is not empty (from before this save, or another run wrote it" \
        in _one_line_error(err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == theirs  # the other run's model, kept
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left
    calls.clear()
    code, _, err = run(capsys, "fit", data_csv, "-e", 1, "-s", 1, "-o", out, "-q", "--force")
    assert code == 0, err
    assert (out / "model.safetensors").read_bytes() != theirs["model.safetensors"]


# ----------------------------------------------------------------------------- the table's own rules
def _dummies_csv(tmp_path):
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue"], 120)
    frame = pd.DataFrame({"x": rng.normal(size=120).round(2), "label": ["a"] * 90 + ["b"] * 30})
    frame = frame.join(pd.get_dummies(pd.Series(colour, name="colour"), prefix="colour", dtype=int))
    path = tmp_path / "dummies.csv"
    frame.to_csv(path, index=False)
    return path


def test_info_names_the_rules_kept_and_no_rules_turns_them_off(tmp_path, capsys):
    data = _dummies_csv(tmp_path)
    for name, extra in (("with", []), ("without", ["--no-rules", "--no-rounding"])):
        code, _, err = run(capsys, "augment", data, "-o", tmp_path / f"{name}.csv", "-e", "2", "-s", "0", "-q", *extra)
        assert code == 0, err
        assert run(capsys, "fit", data, "-o", tmp_path / name, "-e", "2", "-s", "0", "-q", *extra)[0] == 0
        code, out, _ = run(capsys, "info", tmp_path / name)
        assert ("one-hot group of 3 columns (colour_blue, colour_green, colour_red)" in out) == (name == "with")
    synthetic = pd.read_csv(tmp_path / "with.csv").iloc[120:]
    assert (synthetic.filter(like="colour_").sum(axis=1) == 1).all()  # every synthetic row has one colour
    assert (synthetic["x"].round(2) == synthetic["x"]).all()


def test_the_closing_hint_names_a_class_that_sample_will_not_refuse():
    from types import SimpleNamespace

    from gan_augment.cli.fit import _hint_label

    acceptance = {0: 0.01, 1: 0.02, 2: 0.9}  # the gate keeps too few of 'a' and 'b'
    gate = SimpleNamespace(serves=lambda index: acceptance[index] >= 0.05)
    refusing = SimpleNamespace(label_gate=True, label_gate_=gate, classes_=np.array(["a", "b", "c"]))
    # The topped-up classes first, then every class: 'c' was not topped up, but sample serves it.
    assert _hint_label(refusing, ["a", "b", "a", "b", "c"]) == "c"
    assert _hint_label(refusing, ["a", "b"]) is None  # nothing to show rather than a hint that fails
    # label_gate="auto" samples such a class without the gate: the first topped-up class it is.
    lenient = SimpleNamespace(label_gate="auto", label_gate_=gate, classes_=refusing.classes_)
    assert _hint_label(lenient, ["a", "c"]) == "a"


def test_a_model_saved_by_fit_does_not_keep_the_commands_progress_bar(data_csv, tmp_path, capsys):
    # Loaded in Python (evaluate_augmentation, AugmentedDataset), it printed every epoch of every fit.
    from gan_augment import GANAugmenter

    code, _, err = run(capsys, "fit", data_csv, "--classes", "rare", "--epochs", "1", "-s", "0", "--out",
                       tmp_path / "m")
    assert code == 0, err
    assert GANAugmenter.load(tmp_path / "m").verbose == 0


def test_info_names_an_array_models_columns_as_sample_writes_them(tmp_path, capsys):
    # info listed the columns as 0 1 2 while sample wrote the header x0,x1,x2.
    from gan_augment import GANAugmenter

    X = np.random.default_rng(0).normal(size=(60, 3))
    GANAugmenter(epochs=1, random_state=0).fit(X, np.array([0] * 45 + [1] * 15)).save(tmp_path / "m")
    code, out, err = run(capsys, "info", tmp_path / "m")
    assert code == 0, err
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  x")]
    code, out, err = run(capsys, "sample", tmp_path / "m", "--class", "1", "--n", 2, "--out", "-")
    assert code == 0, err
    assert listed == out.splitlines()[0].split(",")[:3] == ["x0", "x1", "x2"]


def test_info_names_a_frames_integer_columns_and_shows_ranges_in_full(tmp_path, capsys):
    # A DataFrame with columns [0, 1, 2] (no feature_names_in_: scikit-learn keeps only string names)
    # was listed as x0, x1, x2 while sample wrote 0,1,2; ranges read [1.04282e+06, 8.97315e+06].
    from gan_augment import GANAugmenter

    rng = np.random.default_rng(0)
    X = pd.DataFrame({0: rng.integers(1_000_000, 9_000_000, 60), 1: (rng.normal(size=60) + 123_014.71).round(2),
                      2: rng.normal(size=60)})
    GANAugmenter(epochs=1, random_state=0).fit(X, np.array([0] * 45 + [1] * 15)).save(tmp_path / "m")
    code, out, err = run(capsys, "info", tmp_path / "m")
    assert code == 0, err
    described = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and "numeric" in line}
    code, sampled, err = run(capsys, "sample", tmp_path / "m", "--class", "1", "--n", 2, "--out", "-")
    assert code == 0, err
    assert list(described) == sampled.splitlines()[0].split(",")[:3] == ["0", "1", "2"]
    assert f"whole numbers in [{X[0].min()}, {X[0].max()}]" in described["0"]
    assert f"real numbers in [{float(X[1].min())!r}, {float(X[1].max())!r}], 2 decimals" in described["1"]


def test_number_text_is_exact_and_short_in_the_columns_own_width():
    from gan_augment.data.tabular import TabularEncoder

    X = pd.DataFrame({"f32": np.array([0.1, 0.25, 0.7] * 10, dtype="float32"), "tiny": np.arange(30) * 1e-300,
                      "big": np.arange(30) * 1e20})
    described = dict(TabularEncoder(random_state=0).fit(X).describe_columns())
    assert "real numbers in [0.1, 0.7]" in described["f32"]  # not 0.10000000149011612, nor 0.7000000476837158
    assert "in [0, 2.9e-299]" in described["tiny"] and "in [0, 2.9e+21]" in described["big"]
    for dtype in ("Float32", "float[pyarrow]"):  # pandas' and Arrow's float32 too
        described = dict(TabularEncoder(random_state=0).fit(X[["f32"]].astype(dtype)).describe_columns())
        assert "real numbers in [0.1, 0.7]" in described["f32"], described


def test_an_output_through_a_looping_link_is_named_as_such(model_dir, data_csv, tmp_path, capsys):
    # "[Errno 17] File exists: 'loop'" and "RuntimeError: Symlink loop from ..." (run with --debug).
    (tmp_path / "loop").symlink_to("loop")
    code, out, err = run(capsys, "sample", model_dir, "--class", "rare", "--n", 2, "--out", tmp_path / "loop" / "x.csv")
    assert code != 0 and re.search(r"loop is a symbolic link to loop, which does not exist or points back to itself; "
                                   r"remove the link or give another path", err), err
    code, out, err = run(capsys, "fit", data_csv, "--epochs", 1, "--checkpoint-dir", tmp_path / "loop" / "c",
                         "--out", tmp_path / "m")
    assert code != 0 and "points back to itself; remove" in err and "--debug" not in err, err
    assert not (tmp_path / "m").exists()
    # A link to nothing was refused after training (it looked free); one to a folder was replaced by
    # --force with a folder of its own, the folder it pointed to left empty.
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    (tmp_path / "folder").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "folder")
    for out in ("gone", "linked"):
        code, printed, err = run(capsys, "fit", data_csv, "--epochs", 1, "--out", tmp_path / out, "--force")
        assert code != 0 and f"--out {tmp_path / out} is a symbolic link (to " in err, err
        assert "Training" not in err + printed and (tmp_path / out).is_symlink()
        # --checkpoint-dir too: the checkpoints went into a new folder in the link's place.
        code, printed, err = run(capsys, "fit", data_csv, "--epochs", 1, "--checkpoint-dir", tmp_path / out,
                                 "--out", tmp_path / "m")
        assert code != 0 and f"Checkpoint folder {tmp_path / out} is a symbolic link (to " in err, err
        assert "Training" not in err + printed and (tmp_path / out).is_symlink() and not (tmp_path / "m").exists()
    assert not any((tmp_path / "folder").iterdir())


def test_info_of_a_hand_edited_model_json_says_so_in_one_line(model_dir, tmp_path, capsys):
    # Without its checksum (the format before it) an edited model.json loads; info then failed with
    # "KeyError: 'loss_d'" naming neither the file nor what to do.
    model_dir = shutil.copytree(model_dir, tmp_path / "edited")  # the module's model stays whole for others
    meta = model_dir / "model.json"
    header = json.loads(meta.read_text())
    header.pop("header_sha256")
    header["state"]["history"][-1].pop("loss_d")
    meta.write_text(json.dumps(header))
    code, out, err = run(capsys, "info", model_dir)
    assert code == 1 and out == ""
    assert re.search(r"model\.json holds an entry info cannot read \(KeyError: 'loss_d'\); it is damaged or was "
                     r"edited: fit the model again", err), err


@pytest.mark.parametrize("edit, said", [
    # augment wrote the renamed column of DATA empty in every synthetic row
    (lambda state: state["encoder"]["columns"][0].update(name="AGE"), "the encoder's columns"),
    # numpy's "expected non-negative integer" at the first sample, after the plan was shown
    (lambda state: state.update(sample_seed=-1), "sample_seed is -1, not a seed"),
])
def test_a_model_json_edited_out_of_shape_is_refused_when_loaded(model_dir, tmp_path, capsys, edit, said):
    model_dir = shutil.copytree(model_dir, tmp_path / "edited")
    meta = model_dir / "model.json"
    header = json.loads(meta.read_text())
    header.pop("header_sha256")
    edit(header["state"])
    meta.write_text(json.dumps(header))
    code, _, err = run(capsys, "sample", model_dir, "--class", "rare", "-n", 2, "-o", tmp_path / "s.csv")
    line = _one_line_error(err)
    assert code == 1 and said in line and "the file is damaged or was edited" in line, err
    assert not (tmp_path / "s.csv").exists()


def test_info_describes_the_generators_the_model_holds_and_numpy_labels_as_text(tmp_path, capsys):
    # n_generators set after the fit made info fail ("unsupported format string passed to
    # NoneType"); numpy's str labels were shown as np.str_('c').
    from gan_augment import GANAugmenter

    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.array(["c"] * 45 + ["r"] * 15)
    GANAugmenter(epochs=1, random_state=0, n_threads=1).fit(X, y).set_params(n_generators=3).save(tmp_path / "m")
    code, out, err = run(capsys, "info", tmp_path / "m")
    assert code == 0, err
    assert "np.str_" not in out and "'r'" in out and "ensemble" not in out and "disagreement" not in out
    code, _, err = run(capsys, "sample", tmp_path / "m", "--class", "r", "--n", 2, "--out", tmp_path / "s.csv")
    assert code == 0 and "np.str_" not in err, err


def test_info_aligns_its_tables_under_long_class_names_and_notes_an_ensemble_under_its_table(tmp_path, capsys):
    # The headers stayed 12 characters wide while the rows widened; the ensemble's note came after
    # the label gate's lines, as if it were about the gate.
    from gan_augment import GANAugmenter

    from gan_augment._listing import display_width

    X = np.random.default_rng(0).normal(size=(90, 3))
    # Wide characters take two terminal columns each: counted as one, the row's figures sat right of their heading.
    y = np.array(["a-rather-long-class-name"] * 45 + ["r"] * 15 + ["中文类别名称很长的类别"] * 30)
    GANAugmenter(epochs=1, random_state=0, n_threads=1, n_generators=2).fit(X, y).save(tmp_path / "m")
    code, out, err = run(capsys, "info", tmp_path / "m")
    assert code == 0, err
    lines = out.splitlines()

    def column_end(line, text):  # the terminal column where ``text`` (the last of it in ``line``) ends
        return display_width(line[:line.rindex(text) + len(text)])

    classes = next(i for i, line in enumerate(lines) if line.startswith("Classes"))
    for name, count in (("a-rather-long-class-name", "45"), ("中文类别名称很长的类别", "30")):
        row = next(line for line in lines[classes:] if name in line)
        assert column_end(lines[classes], "real rows") == column_end(row[:row.index(count) + 2], count)
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("class ") and "distinct" in line)
    for name in ("a-rather-long-class-name", "中文类别名称很长的类别"):
        row = next(line for line in lines[header:] if name in line)
        distinct = row.split()[1]  # the row's first figure, right-aligned under its heading
        start = row.index(" " + distinct, row.index(name) + len(name)) + 1
        assert column_end(lines[header], "distinct") == display_width(row[:start + len(distinct)])
    note = next(i for i, line in enumerate(lines) if "an ensemble of 2 generators" in line)
    assert lines[note - 1].lstrip().startswith("(vs real:")


def test_info_says_a_class_the_label_gate_refuses_gets_nothing_from_augment(data_csv, tmp_path, capsys):
    # info listed "+N" rows for a class that augment --model then refused (label_gate=True).
    from gan_augment import GANAugmenter

    assert main(["fit", str(data_csv), "--classes", "rare", "--epochs", "1", "--seed", "0", "--out",
                 str(tmp_path / "fitted"), "--quiet"]) == 0
    augmenter = GANAugmenter.load(tmp_path / "fitted")
    gate = augmenter.label_gate_  # the tables' default: "auto", a class the gate does not serve goes without it
    augmenter.label_gate = True
    rare = next(i for i, label in enumerate(augmenter.classes_) if augmenter.sampling_strategy_.get(label, 0) > 0)
    gate.acceptance[rare] = 0.01
    assert augmenter._gate_refuses(rare)
    augmenter.save(tmp_path / "m")
    code, out, err = run(capsys, "info", tmp_path / "m")
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.lstrip().startswith(repr(augmenter.classes_[rare])))
    assert row.rstrip().endswith("refused by the label gate") and "+" not in row
    # augment stops at such a class before writing anything: no class gets its rows.
    assert f"augment --model adds nothing while the label gate refuses {augmenter.classes_[rare]!r}" in out
    # Fitted without the gate, saved with label_gate=True: every class is refused, and info says why.
    assert main(["fit", str(data_csv), "--classes", "rare", "--epochs", "1", "--seed", "0", "--no-label-gate",
                 "--out", str(tmp_path / "ungated"), "--quiet"]) == 0
    GANAugmenter.load(tmp_path / "ungated").set_params(label_gate=True).save(tmp_path / "gateless")
    code, out, err = run(capsys, "info", tmp_path / "gateless")
    assert code == 0 and "label_gate=True, but the model was fitted without the gate" in out, err


def test_ctrl_c_outside_a_commands_own_handlers_says_interrupted(model_dir, capsys, monkeypatch):
    # typer returns a Ctrl-C as exit code 130: it ended the command with no message at all.
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("gan_augment.cli._model_dir.load_model", interrupted)
    code, _, err = run(capsys, "info", model_dir)
    assert code == 130 and _one_line_error(err) == "Error: Interrupted."


@pytest.mark.parametrize("option", ["--out", "--checkpoint-dir"])
def test_a_mount_point_as_output_folder_is_refused_before_training(data_csv, tmp_path, capsys, monkeypatch, option):
    # A volume (docker -v $PWD/out:/out) cannot be renamed onto or aside: after the whole fit, the
    # save failed with a bare "Device or resource busy" and the model was lost.
    volume = tmp_path / "volume"
    volume.mkdir()
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: os.fspath(path) == os.fspath(volume) or real_ismount(path))

    def refuse(*args, **kwargs):
        raise AssertionError("training started before the output was checked")

    monkeypatch.setattr("gan_augment.training.trainer.GANTrainer.fit", refuse)
    out = ["--out", volume, "--force"] if option == "--out" else ["--checkpoint-dir", volume, "--out", tmp_path / "m"]
    code, _, err = run(capsys, "fit", data_csv, "--epochs", 1, *out)
    said = " ".join(err.split())
    assert code == 2 and f"{volume}: it is a mount point (a volume)" in said, err
    assert f"Write to a path inside it (e.g. {volume / 'output'})" in said
    assert list(tmp_path.iterdir()) == [volume]


def test_ctrl_c_after_a_finished_command_keeps_its_exit_status():
    # A Ctrl-C in the second or so the interpreter takes to shut down (torch loaded) after "Saved
    # the model" ended the process with status 130 and no word, as an interrupted command.
    code = ("import os, signal, time, gan_augment.cli.main as cli\n"
            "cli.main = lambda prog_name: 0\n"
            "status = cli.console()\n"
            "os.kill(os.getpid(), signal.SIGINT)\n"
            "time.sleep(0.5)\n"
            "raise SystemExit(status)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "KeyboardInterrupt" not in result.stderr, result.stderr


def test_ctrl_c_that_stops_an_import_says_interrupted(model_dir, capsys, monkeypatch):
    # A compiled module whose import Ctrl-C stopped ends in pybind11's ImportError("initialization
    # failed"), raised from the KeyboardInterrupt: it read as "Error: ImportError", exit 1.
    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    monkeypatch.setattr("gan_augment.cli._model_dir.load_model", interrupted)
    code, _, err = run(capsys, "info", model_dir)
    assert code == 130 and _one_line_error(err) == "Error: Interrupted."

    def failed_while_cleaning_up(*args, **kwargs):  # an error of its own, met after a Ctrl-C: said
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise PermissionError(13, "Permission denied", "/data/.out.csv.tmp") from None

    monkeypatch.setattr("gan_augment.cli._model_dir.load_model", failed_while_cleaning_up)
    code, _, err = run(capsys, "info", model_dir)
    assert code == 1 and _one_line_error(err) == "Error: /data/.out.csv.tmp: Permission denied."


def test_a_reader_that_closes_the_pipe_ends_sample_with_141_and_no_message(model_dir):
    # typer exits 1 on a broken pipe: the code of a data error, to a `set -o pipefail` script.
    command = [sys.executable, "-m", "gan_augment", "sample", str(model_dir), "--class", "rare", "--n", "100000",
               "--out", "-", "--seed", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**__import__("os").environ, "OMP_NUM_THREADS": "1"}) as process:
        assert process.stdout.readline().startswith(b"age,")
        process.stdout.close()  # as `| head -1` does
        err = process.stderr.read()
        assert process.wait(timeout=120) == 141, err
    assert b"Error" not in err and b"Traceback" not in err


def test_an_output_name_beyond_the_file_systems_limit_is_a_usage_error_naming_the_limit(model_dir, data_csv,
                                                                                         tmp_path, capsys):
    # Over 255 bytes, exists() raised the OS's "File name too long": exit 1, the data-error code.
    long = "y" * 300
    for args in (("sample", model_dir, "--class", "rare", "--n", "3", "--out", tmp_path / f"{long}.csv"),
                 ("augment", data_csv, "--classes", "rare", "-e", "1", "--out", tmp_path / f"{long}.csv"),
                 ("fit", data_csv, "--classes", "rare", "-e", "1", "--out", tmp_path / long),
                 ("evaluate", data_csv, "--classes", "rare", "-e", "1", "--report", tmp_path / f"{long}.md")):
        code, _, err = run(capsys, *args)
        assert code == 2 and "Choose a name of at most" in _one_line_error(err), args
    assert list(tmp_path.iterdir()) == []


def test_values_holding_a_bare_carriage_return_keep_their_rows_whole(tmp_path, capsys):
    # Python's csv quotes only the line terminator's characters: in an LF file a value with a bare
    # CR was written unquoted, and every reader split its row in two (labels then missing).
    lines = ["x,note,label"] + [f'{i % 7}.5,{chr(34) + "one" + chr(13) + "two" + chr(34) if i % 4 == 0 else "plain"},'
                                f'{"rare" if i % 4 == 0 else "common"}' for i in range(40)]
    data = tmp_path / "notes.csv"
    data.write_bytes(("\n".join(lines) + "\n").encode())
    code, _, err = run(capsys, "augment", data, "--epochs", "1", "--seed", "0", "--out", tmp_path / "out.csv", "-q")
    assert code == 0, err
    out = pd.read_csv(tmp_path / "out.csv")
    assert len(out) == 60 and out["label"].notna().all()
    assert run(capsys, "fit", data, "--epochs", "1", "--seed", "0", "--out", tmp_path / "m", "-q")[0] == 0
    code, _, err = run(capsys, "sample", tmp_path / "m", "--class", "rare", "--n", "5", "--out", tmp_path / "s.csv",
                       "--seed", "1")
    assert code == 0, err
    sampled = pd.read_csv(tmp_path / "s.csv")
    assert len(sampled) == 5 and (sampled["label"] == "rare").all()
    # The same to standard output: a table written by pandas (sampled rows, a parquet source's).
    code, out, err = run(capsys, "sample", tmp_path / "m", "--class", "rare", "--n", "5", "--out", "-", "--seed", "1")
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out)).equals(sampled)
    pd.read_csv(data, keep_default_na=False).to_parquet(tmp_path / "notes.parquet", index=False)
    code, out, err = run(capsys, "augment", tmp_path / "notes.parquet", "--epochs", "1", "--seed", "0", "--out", "-",
                         "-q")
    assert code == 0, err
    out = pd.read_csv(io.StringIO(out))
    assert len(out) == 60 and out["label"].notna().all()


def test_an_error_keeps_the_spaces_within_a_line(tmp_path, capsys):
    # Squeezed to one space, "Did you mean 'my  col'?" read the same as the 'my col' typed.
    data = tmp_path / "spaces.csv"
    data.write_text("my  col,label\n" + "".join(f"{i},{'a' if i < 20 else 'b'}\n" for i in range(30)))
    code, _, err = run(capsys, "fit", data, "-t", "my col", "-o", tmp_path / "m")
    assert code == 2 and "Did you mean 'my  col'?" in err



def test_codes_written_as_decimal_numbers_come_back_as_the_file_writes_them(tmp_path, capsys):
    # 428 and 401.9 were written 428.00 and 401.90 (padded to the column's decimals), texts the file
    # never holds, in the GAN's rows and in the rows --auto's SMOTE or random oversampling made.
    rng = np.random.default_rng(0)
    codes = ["250.01", "401.9", "428"]
    data = tmp_path / "icd.csv"
    data.write_text("icd9,age,label\n" + "".join(f"{rng.choice(codes)},{rng.integers(20, 80)},"
                                                  f"{'rare' if i >= 170 else 'common'}\n" for i in range(200)))
    for extra in ([], ["--auto"]):
        out = tmp_path / f"out{len(extra)}.csv"
        code, _, err = run(capsys, "augment", data, "--categorical", "icd9", *extra, "-e", 1, "--batch-size", 64,
                           "-s", 0, "--threads", 1, "-o", out)
        assert code == 0, err
        added = out.read_text().splitlines()[201:]
        assert {line.split(",")[0] for line in added} <= set(codes), extra
    # A model fitted with --categorical, evaluated on DATA without that column: said in the command
    # line's words, not as the augmenter's categorical_features and X.
    run(capsys, "fit", data, "--categorical", "icd9", "-e", 1, "--batch-size", 64, "-o", tmp_path / "m")
    other = tmp_path / "other.csv"
    pd.read_csv(data).rename(columns={"icd9": "code"}).to_csv(other, index=False)
    code, _, err = run(capsys, "evaluate", other, "--model", tmp_path / "m", "--cv", 2, "--repeats", 1)
    assert code == 2 and "was fitted with --categorical 'icd9', which is not a column of" in _one_line_error(err)


def test_the_class_counts_and_plan_of_many_classes_name_the_first_ten(capsys):
    # 120 classes made each of these lines 3,000-5,000 characters long.
    from types import SimpleNamespace

    from gan_augment.cli._data import added_text
    from gan_augment.cli._job import _say_plan

    y = pd.Series(np.repeat([f"c{i:03d}" for i in range(120)], np.arange(120, 0, -1)))
    _say_plan(SimpleNamespace(y=y), {f"c{i:03d}": i for i in range(120)})
    counts, plan = capsys.readouterr().err.splitlines()
    assert counts == "Class counts: 'c000' 120, " + ", ".join(f"'c{i:03d}' {120 - i}" for i in range(1, 10)) + \
        " and 110 more"
    assert plan.startswith("Top-up plan:  'c001' +1 (to 120), ") and plan.endswith("'c010' +10 (to 120) and 109 more")
    assert added_text({f"c{i}": 5 for i in range(30)}).endswith("'c9' +5 and 20 more")
