"""The command line on an image folder: fit (with sample grids), sample PNGs, augment into a new
tree, and the errors that must come before any training."""

from __future__ import annotations

import hashlib
import os
import re
import warnings

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from gan_augment.cli.main import main

from test_cli import _one_line_error, run

COUNTS = {"common": 40, "other": 30, "rare": 8}


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """Digits 0, 1 and 7 as 16x16 grayscale PNGs in class folders, plus a stray notes.txt."""
    root = tmp_path_factory.mktemp("images") / "digits"
    X, y = load_digits(return_X_y=True)
    for name, digit in zip(COUNTS, (0, 1, 7)):
        (root / name).mkdir(parents=True)
        for i in np.flatnonzero(y == digit)[:COUNTS[name]]:
            pixels = (X[i].reshape(8, 8) * 255 / 16).astype(np.uint8)
            Image.fromarray(pixels).resize((16, 16)).save(root / name / f"img{i:04d}.png")
    (root / "common" / "notes.txt").write_text("not an image")
    return root


def write_digit_folder(root, images, y, digits_by_name: dict, per_class: int):
    """An image folder ``root/<name>/img<i>.png`` of the first ``per_class`` 8x8 digits (values
    0..16, any shape holding 64 pixels) of each digit named in ``digits_by_name``."""
    from PIL import Image

    for name, digit in digits_by_name.items():
        (root / name).mkdir(parents=True)
        for i in np.flatnonzero(y == digit)[:per_class]:
            pixels = (np.asarray(images[i]).reshape(8, 8) * 255 / 16).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"img{i:04d}.png")
    return root


def _digest(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def image_model(image_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("image_models") / "model"
    assert main(["fit", str(image_folder), "--classes", "rare", "--epochs", "1", "--seed", "0",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_fit_detects_the_folder_and_saves_a_sample_grid_per_class(image_model, capsys):
    grids = sorted(p.name for p in image_model.glob("samples_*.png"))
    assert grids == ["samples_0_common.png", "samples_1_other.png", "samples_2_rare.png"]
    grid = np.asarray(Image.open(image_model / "samples_2_rare.png"))
    assert grid.shape == (8 * 16 + 7 * 2, 8 * 16 + 7 * 2)  # 64 samples of 16 px, 2 px apart
    code, out, _ = run(capsys, "info", image_model)
    assert code == 0 and "grayscale 16x16" in out and "'rare'" in out and "+32" in out


def test_sample_writes_pngs_of_the_class_into_dir_class(image_model, tmp_path, capsys):
    code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 12, "--out", tmp_path / "syn",
                       "--seed", 3)
    assert code == 0, err
    files = sorted((tmp_path / "syn" / "rare").glob("*.png"))
    assert [f.name for f in files[:2]] == ["synthetic_00000.png", "synthetic_00001.png"] and len(files) == 12
    assert (tmp_path / "syn" / "rare" / ".gan-augment-written").is_file()  # what lets --force replace it
    image = np.asarray(Image.open(files[0]))
    assert image.shape == (16, 16) and image.dtype == np.uint8
    # The same seed writes the same pixels; a second run into the same folder needs --force.
    code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 12, "--out", tmp_path / "syn",
                       "--seed", 3)
    assert code == 2 and "--force" in _one_line_error(err)
    before = _digest(tmp_path / "syn")
    assert run(capsys, "sample", image_model, "--class", "rare", "--n", 12, "--out", tmp_path / "syn",
               "--seed", 3, "--force")[0] == 0
    assert _digest(tmp_path / "syn") == before


def test_sample_of_an_image_model_refuses_its_class_folder_before_making_any_image(image_model, tmp_path, capsys,
                                                                                 monkeypatch):
    # A class folder holding the user's files, or one written before without --force, was refused
    # only after every image was generated (a minute for 100,000).
    from gan_augment import GANAugmenter

    def generated(*args, **kwargs):
        raise AssertionError("images were generated before the output was checked")

    monkeypatch.setattr(GANAugmenter, "sample", generated)
    (tmp_path / "mine" / "rare").mkdir(parents=True)
    (tmp_path / "mine" / "rare" / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 5, "--out", tmp_path / "mine")
    assert code == 2 and "rare" in _one_line_error(err)
    assert (tmp_path / "mine" / "rare" / "notes.txt").read_text() == "mine"
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 5, "--out", tmp_path / "file")
    assert code == 2 and "is a file, not a directory" in _one_line_error(err)


def test_sample_of_an_image_model_takes_a_folder_name_with_a_dot(image_model, tmp_path, capsys):
    # "run.v2" was refused as a table file with an unknown suffix.
    code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 2, "--out", tmp_path / "run.v2")
    assert code == 0, err
    assert len(list((tmp_path / "run.v2" / "rare").glob("*.png"))) == 2
    for name in ("one.png", "one.HEIC"):  # a format it does not read is a file's name too (it made a folder)
        code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 2, "--out", tmp_path / name)
        assert code == 2 and "makes images, written as PNG files into a directory" in _one_line_error(err)
        assert not (tmp_path / name).exists()


def test_sample_writes_a_class_whose_folder_name_is_near_the_file_systems_limit(tmp_path, capsys):
    # fit and augment took a 250-byte class folder; sample refused it, its temporary name too long.
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    long = "c" * 250
    folder = write_digit_folder(tmp_path / "images", X, y, {"zero": 0, long: 1}, 6)
    assert run(capsys, "fit", folder, "-e", "1", "--seed", "0", "-o", tmp_path / "m", "-q")[0] == 0
    code, _, err = run(capsys, "sample", tmp_path / "m", "--class", long, "--n", 2, "--out", tmp_path / "syn")
    assert code == 0, err
    assert len(list((tmp_path / "syn" / long).glob("*.png"))) == 2


def test_sample_refuses_to_write_into_the_folder_the_model_was_fitted_on(image_model, image_folder, capsys):
    # It wrote digits/rare/rare/*.png into the user's source tree ("the input folder is never written to").
    before = _digest(image_folder)
    for out in (image_folder / "rare", image_folder, image_folder / "new"):
        code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 2, "--out", out, "--force")
        assert code == 2 and "source" in _one_line_error(err), err
    assert _digest(image_folder) == before


@pytest.mark.parametrize("command", ["fit", "augment"])
def test_weight_clipping_a_critic_it_silences_is_a_usage_error_in_the_options_words(image_folder, tmp_path, capsys,
                                                                                    command):
    # It ended as an unforeseen error ("Error: ValueError: loss='wasserstein' ... (run again with
    # --debug ...)"), after reading the folder, in the words of Python's parameters.
    code, _, err = run(capsys, command, image_folder, "--classes", "rare", "--loss", "wasserstein", "--architecture",
                       "progressive", "-e", "1", "--out", tmp_path / "out")
    assert code == 2 and _one_line_error(err).startswith(
        "Error: --loss wasserstein clips every weight of the critic to +-0.01, and the progressive critic")
    assert "Use --loss wgan-gp (a gradient penalty instead of clipping) or --loss hinge, or --architecture dcgan." \
        in err and not list(tmp_path.iterdir())


def test_sample_of_an_image_model_refuses_a_table_file(image_model, tmp_path, capsys):
    code, _, err = run(capsys, "sample", image_model, "--class", "rare", "--n", 3, "--out", tmp_path / "x.csv")
    assert code == 2 and "directory" in _one_line_error(err)


@pytest.mark.parametrize("command", ["augment", "evaluate"])
def test_an_image_model_is_refused_for_a_table_before_any_work(image_model, tmp_path, capsys, command):
    # evaluate --model took the image model's settings for a table's folds and said it used them.
    data = tmp_path / "t.csv"
    data.write_text("x,label\n" + "".join(f"{i},{'a' if i < 20 else 'b'}\n" for i in range(30)))
    out = ["--out", tmp_path / "o.csv"] if command == "augment" else []
    code, _, err = run(capsys, command, data, "--model", image_model, *out)
    assert code == 2 and "models image data, but" in _one_line_error(err) and "t.csv is not" in err, err
    assert not (tmp_path / "o.csv").exists()


def test_an_image_model_saved_from_python_with_a_named_y_augments_its_folder(image_model, image_folder, tmp_path,
                                                                              capsys):
    # y's name was taken for a target column: "--target names a table column ...; drop --target".
    from gan_augment import GANAugmenter

    model = GANAugmenter.load(image_model)
    model.target_name_ = "label"  # as a fit on pd.Series(labels, name="label") keeps it
    model.save(tmp_path / "model", metadata={})  # without the command line's record of its data
    code, _, err = run(capsys, "augment", image_folder, "--model", tmp_path / "model", "--out", tmp_path / "out")
    assert code == 0, err
    assert len(list((tmp_path / "out" / "rare").iterdir())) == COUNTS["common"]


def test_augment_writes_a_new_tree_and_leaves_the_source_alone(image_folder, tmp_path, capsys):
    before = _digest(image_folder)
    code, _, err = run(capsys, "augment", image_folder, "--classes", "rare", "--epochs", "1", "--seed", "0",
                       "--out", tmp_path / "augmented", "--quiet")
    assert code == 0, err
    assert _digest(image_folder) == before
    out = tmp_path / "augmented"
    for name, count in COUNTS.items():
        files = sorted(p.name for p in (out / name).iterdir())
        real = [f for f in files if not f.startswith("synthetic_")]
        assert len(real) == count
        expected_synthetic = COUNTS["common"] - count if name == "rare" else 0
        assert len(files) - len(real) == expected_synthetic
    real_copy = next((out / "rare").glob("img*.png"))
    assert real_copy.read_bytes() == (image_folder / "rare" / real_copy.name).read_bytes()
    assert not (out / "common" / "notes.txt").exists()


@pytest.mark.skipif(os.sep == "\\", reason="a backslash separates folders on Windows: no folder has one there")
def test_a_class_folder_named_with_a_backslash_is_topped_up_under_its_name(tmp_path, capsys):
    # The folder existed, yet augment refused its name as "no folder or file name", and only after
    # training (legal on Linux; typical of archives made on Windows).
    X, y = load_digits(return_X_y=True)
    root = write_digit_folder(tmp_path / "digits", X, y, {"common": 0, "ra\\re": 7}, per_class=20)
    for extra in sorted((root / "ra\\re").iterdir())[6:]:
        extra.unlink()
    code, _, err = run(capsys, "augment", root, "--classes", "ra\\re", "--epochs", "1", "--seed", "0",
                       "--out", tmp_path / "augmented", "--quiet")
    assert code == 0, err
    written = sorted(p.name for p in (tmp_path / "augmented" / "ra\\re").iterdir())
    assert len(written) == 20 and sum(name.startswith("synthetic_") for name in written) == 14


def test_augment_refuses_an_output_inside_the_source_before_training(image_folder, capsys):
    code, _, err = run(capsys, "augment", image_folder, "--classes", "rare", "--out", image_folder / "more")
    assert code == 2 and "overlaps" in _one_line_error(err)


def test_fit_refuses_a_model_folder_inside_the_image_folder_before_training(image_folder, capsys, monkeypatch):
    # `fit .` from inside the data: the default --out (./gan-augment-model) and its sample grids
    # went into the folder, and the next fit read them as one more class.
    before = _digest(image_folder)
    monkeypatch.chdir(image_folder)
    code, _, err = run(capsys, "fit", ".", "-e", "1")
    assert code == 2 and "--out gan-augment-model lies inside the source folder" in _one_line_error(err)
    code, _, err = run(capsys, "fit", ".", "-e", "1", "--out", "../elsewhere", "--checkpoint-dir", "rare/ck")
    assert code == 2 and "--checkpoint-dir rare/ck lies inside the source" in _one_line_error(err)
    assert _digest(image_folder) == before


def test_augment_refuses_a_file_name_for_an_image_folder_before_training(image_folder, tmp_path, capsys, monkeypatch):
    # --out x.csv made a directory named x.csv.
    for name in ("x.csv", "x.jxl"):
        code, _, err = run(capsys, "augment", image_folder, "--classes", "rare", "--out", tmp_path / name)
        assert code == 2 and "is an image folder, and augment writes a new folder" in _one_line_error(err)
        assert not (tmp_path / name).exists()
    # --out - (standard output for a table) wrote a folder named "-".
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "augment", image_folder, "--classes", "rare", "--out", "-")
    assert code == 2 and "standard output cannot hold" in _one_line_error(err)
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", ["fit", "augment"])
def test_a_flat_folder_of_images_is_told_to_have_one_sub_folder_per_class(tmp_path, capsys, command):
    # Was "holds no data file (.csv/...)" from fit, and from augment "Cannot write out: the suffix
    # '(none)' is not one of .csv, ...", neither naming what an image set needs.
    flat = tmp_path / "flat"
    flat.mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 8), 40 * i, dtype=np.uint8)).save(flat / f"img{i}.png")
    code, _, err = run(capsys, command, flat, "--out", tmp_path / "out")
    assert code != 0
    assert "holds 3 image files but no class sub-folders: an image set needs one sub-folder per class" \
        in _one_line_error(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flat"]


@pytest.mark.parametrize("command", ["fit", "augment"])
def test_an_image_set_one_folder_too_deep_is_pointed_to(image_folder, tmp_path, capsys, command):
    # Was "holds no data file (.csv/...); give the path of a file", about tables only.
    import shutil

    shutil.copytree(image_folder, tmp_path / "outer" / "digits")
    code, _, err = run(capsys, command, tmp_path / "outer", "--out", tmp_path / "out")
    assert code != 0
    assert "its sub-folder 'digits' is an image set (one sub-folder per class): give that folder" \
        in _one_line_error(err)
    assert not (tmp_path / "out").exists()


def test_image_folder_errors_name_the_file_or_class(image_folder, tmp_path, capsys):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(image_folder, broken)
    (broken / "rare" / "bad.png").write_bytes(b"not a png at all")
    code, _, err = run(capsys, "fit", broken, "--out", tmp_path / "m")
    assert code == 1 and "bad.png" in _one_line_error(err)
    code, _, err = run(capsys, "fit", broken, "--classes", "rare", "--epochs", "1", "--skip-unreadable",
                       "--out", tmp_path / "m", "--quiet")
    assert code == 0, err
    # evaluate's error said "pass --skip-unreadable", an option evaluate did not have.
    code, _, err = run(capsys, "evaluate", broken, "--classes", "rare", "--epochs", "1", "--cv", "2", "--repeats",
                       "1", "--baseline", "none", "--skip-unreadable", "--quiet")
    assert code == 0, err
    table = tmp_path / "t.csv"
    table.write_text("x,label\n1,a\n2,b\n")
    code, _, err = run(capsys, "fit", table, "--skip-unreadable", "--out", tmp_path / "m3")
    assert code == 2 and "--skip-unreadable applies to image folders" in _one_line_error(err)
    code, _, err = run(capsys, "fit", image_folder, "--classes", "rarest", "--out", tmp_path / "m2")
    assert code == 2 and "rarest" in _one_line_error(err)
    code, _, err = run(capsys, "fit", image_folder, "--target", "label", "--out", tmp_path / "m3")
    assert code == 2 and "--target" in _one_line_error(err)
    code, _, err = run(capsys, "augment", image_folder, "--mark-synthetic", "fake", "--out", tmp_path / "m4")
    assert code == 2 and "--mark-synthetic" in _one_line_error(err)
    assert not any((tmp_path / name).exists() for name in ("m2", "m3", "m4"))


def test_evaluate_cross_validates_an_image_folder(image_folder, tmp_path, capsys):
    report = tmp_path / "report.json"
    code, out, err = run(capsys, "evaluate", image_folder, "--classes", "rare", "--cv", "2", "--repeats", "1",
                         "-e", "1", "-s", "0", "--report", report)
    assert code == 0, err
    # For images the baselines include what a practitioner does first: repeat + classic augmentation.
    assert "Verdict" in out and "GAN top-up" in out and "random oversampling" in out
    assert "repeat + classic augmentation" in out
    import json

    result = json.loads(report.read_text())
    assert result["settings"]["class_counts"] == COUNTS and result["settings"]["image_shape"] == [1, 16, 16]
    assert "repeat + classic augmentation" in result["settings"]["methods"]
    # The image judge scores the synthetic images of each fold: a report only images get.
    assert [row["class"] for row in result["image_quality"]] == ["rare"]


def test_evaluate_never_writes_its_report_into_the_image_folder(image_folder, capsys):
    # "The input folder is never written to": --report DATA/rare/report.md was written there.
    before = _digest(image_folder)
    for report in (image_folder / "report.md", image_folder / "rare" / "report.html"):
        code, _, err = run(capsys, "evaluate", image_folder, "--report", report, "-e", "1")
        assert code == 2 and "--report" in _one_line_error(err) and "source" in err
    assert _digest(image_folder) == before


def test_evaluate_trains_a_cnn_on_an_image_folder_and_refuses_it_for_a_table(image_folder, tmp_path, capsys):
    report = tmp_path / "report.json"
    code, out, err = run(capsys, "evaluate", image_folder, "--classes", "rare", "--estimator", "cnn", "--cv", "2",
                         "--repeats", "1", "-e", "1", "-s", "0", "--baseline", "class_weight", "--report", report)
    assert code == 0, err
    import json

    settings = json.loads(report.read_text())["settings"]
    assert "small CNN" in settings["estimator"] and "class_weight='balanced'" in settings["methods"]
    table = tmp_path / "t.csv"
    table.write_text("x,label\n" + "".join(f"{i},{'a' if i % 3 else 'b'}\n" for i in range(30)))
    code, _, err = run(capsys, "evaluate", table, "--estimator", "cnn", "--cv", "2", "--repeats", "1")
    assert code == 2 and _one_line_error(err) == f"Error: --estimator cnn is for image folders; {table} is a table: " \
                                                 "choose logreg, hgb or rf."


def test_table_only_options_are_refused_for_an_image_folder(image_folder, tmp_path, capsys):
    code, _, err = run(capsys, "augment", image_folder, "--auto", "--out", tmp_path / "a")
    assert code == 2 and "--auto" in _one_line_error(err) and "tables only" in err
    code, _, err = run(capsys, "fit", image_folder, "--na-values", "NA", "--out", tmp_path / "m")
    assert code == 2 and "--na-values" in _one_line_error(err)
    # Options on table columns are refused, not silently ignored.
    code, _, err = run(capsys, "fit", image_folder, "--max-categories", "5", "--no-rules", "--out", tmp_path / "m")
    assert code == 2 and _one_line_error(err).startswith("Error: --max-categories, --no-rules apply to table columns")
    code, _, err = run(capsys, "augment", image_folder, "--no-rounding", "--out", tmp_path / "a")
    assert code == 2 and "--no-rounding applies to table columns" in _one_line_error(err)
    code, _, err = run(capsys, "evaluate", image_folder, "--max-categories", "5")
    assert code == 2 and "--max-categories applies to table columns" in _one_line_error(err)
    assert not (tmp_path / "a").exists() and not (tmp_path / "m").exists()


def test_an_output_tree_written_by_another_run_meanwhile_is_kept(image_folder, tmp_path, capsys, monkeypatch):
    """The output folder appears after the checks (another run): it is kept, exit 2, unless --force."""
    import gan_augment.data.image_folder as image_folder_module

    real_check = image_folder_module.check_tree_out
    out = tmp_path / "augmented"
    calls = []

    def check_then_lose_the_race(source_root, out_dir, *, force=False):
        real_check(source_root, out_dir, force=force)
        calls.append(force)
        if len(calls) == 2 and not out.exists():  # the writer's own check, just before it builds the tree
            (out / "rare").mkdir(parents=True)
            (out / "rare" / "theirs.png").write_bytes(b"the other run's file")
            (out / ".gan-augment-written").write_text("the other run was gan-augment's too")

    monkeypatch.setattr(image_folder_module, "check_tree_out", check_then_lose_the_race)
    code, _, err = run(capsys, "augment", image_folder, "--classes", "rare", "--epochs", "1", "--seed", "0",
                       "--out", out, "-q")
    assert code == 2 and f"{out} exists now (another run may have written it" in _one_line_error(err)
    assert _digest(out)["rare/theirs.png"] == hashlib.sha256(b"the other run's file").hexdigest()
    calls.clear()
    code, _, err = run(capsys, "augment", image_folder, "--classes", "rare", "--epochs", "1", "--seed", "0",
                       "--out", out, "-q", "--force")
    assert code == 0, err
    assert not (out / "rare" / "theirs.png").exists() and len(list((out / "rare").iterdir())) == COUNTS["common"]


def test_the_read_summary_counts_skipped_files_and_sub_folders_apart(tmp_path):
    from gan_augment.cli._images import _skipped_text

    (tmp_path / "nested").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "more.txt").write_text("x")
    text = _skipped_text([tmp_path / "notes.txt", tmp_path / "nested", tmp_path / "more.txt"])
    assert text.startswith("; skipped 2 non-image files and 1 sub-folder (")
    assert _skipped_text([tmp_path / "nested"]).startswith("; skipped 1 sub-folder (")
    assert _skipped_text([tmp_path / "notes.txt"]) == "; skipped 1 non-image file"
    assert _skipped_text([]) == ""
    assert _skipped_text([tmp_path / "notes.txt"], 1) == "; skipped 1 non-image file and 1 unreadable image"
    assert _skipped_text([], 3) == "; skipped 3 unreadable images"
    # A phone's HEIC photos beside its JPEGs: a class could lose most of its images unnoticed.
    photos = [tmp_path / "IMG_1.HEIC", tmp_path / "IMG_2.heic", tmp_path / "scan.jxl"]  # one format, either case
    assert _skipped_text([*photos, tmp_path / "notes.txt"]) == (
        "; skipped 4 non-image files (2 .heic images, 1 .jxl image, a format gan-augment does not read: convert "
        "them to PNG or JPEG to use them)")


@pytest.mark.parametrize("change, message", [
    ("rgb", "are RGB but .* was fitted on grayscale images"),
    # 32x8 holds as many pixels as 16x16: only the pixel count was compared, and the tree mixed sizes.
    # Height x width, as fit's summary and info give sizes (it said width x height).
    ("wide", "are 8x32 px but .* was fitted on 16x16 px images"),
])
def test_augment_with_a_model_refuses_images_of_another_kind_or_shape(image_folder, image_model, tmp_path, capsys,
                                                                      change, message):
    other = tmp_path / "other"
    for file in image_folder.rglob("*.png"):
        (other / file.parent.name).mkdir(parents=True, exist_ok=True)
        with Image.open(file) as image:
            moved = image.convert("RGB") if change == "rgb" else image.resize((32, 8))
            moved.save(other / file.parent.name / file.name)
    code, _, err = run(capsys, "augment", other, "--model", image_model, "--out", tmp_path / "out")
    assert code == 2 and re.search(message, _one_line_error(err)), err
    assert not (tmp_path / "out").exists()


def test_augment_with_a_uint8_model_of_another_scale_than_the_folder_is_refused(tmp_path, capsys):
    # A model fitted in Python on uint8 digits of 0..16 wrote its images as they are beside the
    # folder's 8-bit pixels (0/1 masks beside a 1-bit folder came out all black), where
    # AugmentedDataset refuses such a pair.
    from gan_augment import GANAugmenter

    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, (0, 1))
    images, labels = X[keep].reshape(-1, 8, 8), np.where(y[keep] == 0, "common", "rare")
    with warnings.catch_warnings():  # 'rare' is no rarer here: nothing to add, said on stderr
        warnings.simplefilter("ignore")
        GANAugmenter(epochs=1, batch_size=32, random_state=0, classes=["rare"]).fit(  # a record of the user's own
            images.astype(np.uint8), labels).save(tmp_path / "digits16", metadata={"dataset": {"source": "digits"}})
        GANAugmenter(epochs=1, batch_size=32, random_state=0, classes=["rare"]).fit(
            (images * 255 / 16).astype(np.uint8), labels).save(tmp_path / "digits255")
    folder = write_digit_folder(tmp_path / "data", X, y, {"common": 0, "rare": 1}, per_class=12)
    code, _, err = run(capsys, "augment", folder, "--model", tmp_path / "digits16", "--out", tmp_path / "out")
    assert code == 2 and re.search(r"digits16 was fitted on uint8 values of at most 16, .* 8-bit pixels of up to 255",
                                   _one_line_error(err)), err
    assert not (tmp_path / "out").exists()
    code, _, err = run(capsys, "augment", folder, "--model", tmp_path / "digits255", "--out", tmp_path / "out")
    assert code == 0, err
    # A model fitted on a folder makes 8-bit pixels whatever its range: one of dark images serves a
    # bright folder (refused as "two scales" for a while).
    dark = tmp_path / "dark"
    for file in folder.rglob("*.png"):
        (dark / file.parent.name).mkdir(parents=True, exist_ok=True)
        with Image.open(file) as image:
            Image.fromarray((np.asarray(image) // 16).astype(np.uint8)).save(dark / file.parent.name / file.name)
    assert main(["fit", str(dark), "--classes", "rare", "--epochs", "1", "--seed", "0", "--out",
                 str(tmp_path / "dark_model"), "--quiet"]) == 0
    code, _, err = run(capsys, "augment", folder, "--model", tmp_path / "dark_model", "--out", tmp_path / "out2")
    assert code == 0, err


def test_a_table_beside_the_class_folders_is_named_as_not_read(tmp_path):
    # DATA may also be "a directory holding a table": a folder holding both is read as images, and
    # the summary says which table was not read and how to read it instead.
    from gan_augment.cli._images import ImageFolderData

    X, y = load_digits(return_X_y=True)
    root = write_digit_folder(tmp_path / "data", X, y, {"a": 0, "b": 1}, per_class=3)
    summary = ImageFolderData().load(root, target=None, classes=None).summary
    assert "beside the class folders" not in summary
    (root / "labels.csv").write_text("file,label\nimg0000.png,a\n")
    (root / "README.md").write_text("not a table")
    summary = ImageFolderData().load(root, target=None, classes=None).summary
    assert summary.startswith("Read 6 grayscale images of 8x8 px in 2 class folders")
    assert summary.endswith(f" labels.csv beside the class folders is not read; to use a table, give its path "
                            f"({root / 'labels.csv'}).")


@pytest.mark.parametrize("command", [["fit", "--out", "model"], ["augment", "--out", "augmented.csv"]])
def test_a_refusal_of_a_folder_read_as_images_names_the_table_beside_them(tmp_path, capsys, command):
    # A project folder holding data.csv and a folder of figures was read as one class of images: "holds
    # a single class folder", or "give a folder name" for augment's CSV output, never naming data.csv
    # (the summary that does is not printed under --quiet, nor before these errors).
    X, y = load_digits(return_X_y=True)
    root = write_digit_folder(tmp_path / "project", X, y, {"figures": 0}, per_class=3)
    (root / "data.csv").write_text("a,label\n1,x\n2,y\n")
    name, option, out = command
    code, _, err = run(capsys, name, root, option, tmp_path / out, "-q")
    assert code != 0 and f"data.csv beside the class folders is not read; to use a table, give its path " \
        f"({root / 'data.csv'})" in _one_line_error(err)


# augment wrote 16-bit synthetic files beside 16-bit real ones, but sample wrote 8-bit files from the
# same model: 257x darker to a loader that reads the stored values. Likewise 1-bit masks got grey images.
@pytest.mark.parametrize("depth, to_file, mode", [
    ("16-bit", lambda digit: Image.fromarray((digit * 255 / 16).astype(np.uint16) * 257), "I;16"),
    ("1-bit", lambda digit: Image.fromarray(digit >= 8), "1"),
])
def test_sample_writes_files_at_the_depth_of_those_the_model_was_fitted_on(tmp_path, capsys, depth, to_file, mode):
    X, y = load_digits(return_X_y=True)
    root = tmp_path / "scans"
    for name, digit in (("healthy", 0), ("lesion", 1)):
        (root / name).mkdir(parents=True)
        for i in np.flatnonzero(y == digit)[:6]:
            to_file(X[i].reshape(8, 8)).save(root / name / f"s{i:04d}.png")
    model = tmp_path / "model"
    assert main(["fit", str(root), "--classes", "lesion", "--epochs", "1", "--seed", "0", "--out", str(model),
                 "--quiet"]) == 0
    code, _, err = run(capsys, "sample", model, "--class", "lesion", "--n", 3, "--out", tmp_path / "syn", "--seed", 1)
    assert code == 0, err
    written = sorted((tmp_path / "syn" / "lesion").glob("*.png"))
    assert len(written) == 3
    for file in written:
        with Image.open(file) as image:
            assert image.mode == mode, depth
            values = np.asarray(image).astype(np.int64)
        if depth == "16-bit":
            assert (values % 257 == 0).all()  # the 8-bit pixel scaled to the 16-bit range, as the reader maps back


def test_augment_refuses_a_16_bit_colour_folder_before_training(tmp_path, capsys):
    # It wrote 8-bit synthetic files beside the 16-bit real ones (Pillow writes colour at 8 bits only).
    from test_image_folder import _write_48_bit_png

    rng = np.random.default_rng(0)
    for name, count in (("healthy", 6), ("lesion", 3)):
        for i in range(count):
            _write_48_bit_png(tmp_path / "scans" / name / f"s{i}.png", rng.integers(0, 65536, (8, 8, 3)))
    code, out, err = run(capsys, "augment", tmp_path / "scans", "--classes", "lesion", "--epochs", "1",
                         "--out", tmp_path / "out")
    error = err.splitlines()[-1]
    assert code != 0 and error.startswith("Error: The images of") and "16 bits per channel" in error, err
    assert "Convert the images to 8-bit" in error and not (tmp_path / "out").exists()


def test_augment_with_a_python_model_of_integer_classes_tops_up_the_folder_of_that_name(tmp_path, capsys):
    # A folder's classes are names ('1'): the model's class 1 was "no class '1' (it was fitted on 0, 1)",
    # though sample --class 1 took it.
    from gan_augment import GANAugmenter

    X, y = load_digits(return_X_y=True)
    keep = np.r_[np.flatnonzero(y == 0)[:12], np.flatnonzero(y == 1)[:4]]
    images, labels = (X[keep].reshape(-1, 8, 8) * 255 / 16).astype(np.uint8), y[keep]
    GANAugmenter(epochs=1, random_state=0, n_threads=1).fit(images, labels).save(tmp_path / "model")
    root = write_digit_folder(tmp_path / "data", X[keep], labels, {"0": 0, "1": 1}, per_class=12)
    code, _, err = run(capsys, "augment", root, "--model", tmp_path / "model", "--classes", "1", "--out",
                       tmp_path / "out", "-q")
    assert code == 0, err
    assert len(list((tmp_path / "out" / "1").glob("*.png"))) == 12
    assert len(list((tmp_path / "out" / "0").glob("*.png"))) == 12


def test_a_class_folder_whose_name_is_not_utf_8_is_read(tmp_path, capsys):
    # A name from an old Windows or cp437 archive: pandas' string dtype (pyarrow) refused its
    # surrogates, and fit stopped with "UnicodeEncodeError ... surrogates not allowed".
    import os

    X, y = load_digits(return_X_y=True)
    root = tmp_path / "data"
    write_digit_folder(root, X, y, {"common": 0}, per_class=8)
    latin = os.path.join(os.fsencode(root), b"caf\xe9")
    os.makedirs(latin)
    for i in np.flatnonzero(y == 1)[:3]:
        Image.fromarray((X[i].reshape(8, 8) * 255 / 16).astype(np.uint8)).save(os.path.join(latin, b"i%d.png" % i))
    code, _, err = run(capsys, "augment", root, "--epochs", "1", "--seed", "0", "--out", tmp_path / "out", "-q")
    assert code == 0, err
    assert len(os.listdir(os.path.join(os.fsencode(tmp_path / "out"), b"caf\xe9"))) == 8
