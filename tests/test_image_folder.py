"""gan_augment.data.image_folder: class-per-folder image trees in and out, checked and atomic."""

import os
import shutil
import warnings

import numpy as np
import pytest
from PIL import Image

from gan_augment._fs import default_mode
from gan_augment.data import image_folder
from gan_augment.data.image_folder import (
    IMAGE_SUFFIXES,
    ImageFolder,
    check_tree_out,
    image_grid,
    is_image_folder,
    read_image_folder,
    save_image_grid,
    write_augmented_tree,
    write_class_samples,
    write_png,
)
from gan_augment.exceptions import DataValidationError


def _pixels(seed, shape=(4, 5), channels=1):
    rng = np.random.default_rng(seed)
    full = shape + ((channels,) if channels == 3 else ())
    return rng.integers(0, 256, full, dtype=np.uint8)


def _save(path, pixels, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(pixels)
    (image.convert(mode) if mode else image).save(path)
    return path


def _tree(root, counts, *, channels=1, shape=(4, 5)):
    """``root/<class>/img_<i>.png`` with ``counts[class]`` random images each; returns the pixels."""
    pixels = {}
    for c, (name, count) in enumerate(sorted(counts.items())):
        for i in range(count):
            array = _pixels(100 * c + i, shape, channels)
            _save(root / name / f"img_{i}.png", array)
            pixels[(name, f"img_{i}.png")] = array
    return pixels


def _listing(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# ===================================================================================== reading
@pytest.mark.parametrize("channels", [1, 3])
def test_round_trip_is_exact(tmp_path, channels):
    pixels = _tree(tmp_path / "data", {"cat": 3, "dog": 2}, channels=channels)
    folder = read_image_folder(tmp_path / "data")
    assert folder.images.shape == (5, 4, 5, channels) and folder.images.dtype == np.uint8
    assert folder.classes == ["cat", "dog"]
    assert folder.root == tmp_path / "data"
    for image, label, file in zip(folder.images, folder.labels, folder.files):
        expected = pixels[(label, file.name)]
        np.testing.assert_array_equal(image, expected.reshape(image.shape))
    assert folder.skipped == [] and folder.unreadable == []


def test_classes_and_files_sorted_labels_aligned(tmp_path):
    root = tmp_path / "data"
    for name in ["zebra", "ant", "Moose"]:
        for file in ["b.png", "a.png", "c.PNG"]:
            _save(root / name / file, _pixels(len(name)))
    (root / ".hidden").mkdir()
    _save(root / ".hidden" / "x.png", _pixels(0))
    # A zip made on a Mac: __MACOSX/<class>/._<file> copies of resource forks (refused as a class
    # whose images sat in a sub-folder).
    (root / "__MACOSX" / "ant").mkdir(parents=True)
    (root / "__MACOSX" / "ant" / "._a.png").write_bytes(b"\0\5\x16\7")
    folder = read_image_folder(root)
    assert is_image_folder(root)
    assert folder.classes == ["Moose", "ant", "zebra"]  # name order, hidden and metadata folders ignored
    assert [f.name for f in folder.files[:3]] == ["a.png", "b.png", "c.PNG"]
    assert list(folder.labels) == ["Moose"] * 3 + ["ant"] * 3 + ["zebra"] * 3
    assert all(f.parent.name == label for f, label in zip(folder.files, folder.labels))


def test_non_images_hidden_files_and_nested_folders_skipped(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 2, "dog": 2})
    (root / "cat" / "notes.txt").write_text("hello")
    (root / "cat" / ".DS_Store").write_bytes(b"\0\1")
    _save(root / "dog" / "nested" / "deep.png", _pixels(9))
    (root / "README.md").write_text("not a class")  # outside the class folders: ignored
    folder = read_image_folder(root)
    assert len(folder.images) == 4
    assert sorted(p.name for p in folder.skipped) == [".DS_Store", "nested", "notes.txt"]


def test_a_dangling_link_is_an_unreadable_image_not_a_skipped_file(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 2, "dog": 2})
    (root / "cat" / "gone.png").symlink_to(tmp_path / "nowhere.png")
    with pytest.raises(DataValidationError, match=r"gone.png could not be read as an image"):
        read_image_folder(root)
    with pytest.warns(UserWarning, match="Skipped 1 unreadable"):
        folder = read_image_folder(root, skip_unreadable=True)
    assert [p.name for p in folder.unreadable] == ["gone.png"] and folder.skipped == []


def test_corrupt_image_named_or_skipped_with_warning(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 3, "dog": 2})
    bad = root / "cat" / "broken.png"
    bad.write_bytes(np.random.default_rng(0).bytes(200))
    with pytest.raises(DataValidationError, match="skip-unreadable") as info:
        read_image_folder(root)
    assert str(bad) in str(info.value)
    with pytest.warns(UserWarning, match="Skipped 1 unreadable image file in"):
        folder = read_image_folder(root, skip_unreadable=True)
    assert folder.unreadable == [bad]
    assert len(folder.images) == 5 and bad not in folder.files


def test_truncated_image_is_unreadable(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 2, "dog": 2}, shape=(32, 32))
    whole = (root / "cat" / "img_0.png").read_bytes()
    (root / "cat" / "img_0.png").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataValidationError, match="img_0.png could not be read"):
        read_image_folder(root)


def test_class_folder_without_images_named(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 2})
    (root / "empty").mkdir()
    with pytest.raises(DataValidationError, match="empty.*no image file"):
        read_image_folder(root)
    (root / "empty" / "notes.txt").write_text("only text")
    with pytest.raises(DataValidationError, match="empty.*no image file"):
        read_image_folder(root)
    _tree(root / "empty", {"batch1": 2})  # one level too deep: say so, not just "no image file"
    with pytest.raises(DataValidationError, match=r"no image file .* directly \(images in its subfolder 'batch1' "
                                                  r"are not read"):
        read_image_folder(root)


def test_class_with_one_image_named(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 3, "lonely": 1})
    with pytest.raises(DataValidationError, match="'lonely'.*at least 2"):
        read_image_folder(root)


def test_one_readable_image_after_skipping_is_an_error(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 3, "dog": 2})
    (root / "dog" / "img_1.png").write_bytes(b"not a png")
    with pytest.raises(DataValidationError, match="'dog'.*one readable"):
        read_image_folder(root, skip_unreadable=True)


def test_mixed_grayscale_and_rgb_names_the_odd_file(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 3, "dog": 2}, channels=1)
    odd = _save(root / "dog" / "x.png", _pixels(7, channels=3))
    with pytest.raises(DataValidationError, match="5 grayscale, 1 RGB") as info:
        read_image_folder(root)
    assert f"{odd} is RGB" in str(info.value)


@pytest.mark.parametrize("layout", ["only_root", "root_and_classes"])
def test_image_directly_in_root(tmp_path, layout):
    root = tmp_path / "data"
    if layout == "root_and_classes":
        _tree(root, {"cat": 2, "dog": 2})
    _save(root / "stray.jpg", _pixels(3, channels=3))
    with pytest.raises(DataValidationError, match=r"stray.jpg lies directly in .*<class>"):
        read_image_folder(root)


def test_missing_file_or_empty_root(tmp_path):
    with pytest.raises(DataValidationError, match="does not exist"):
        read_image_folder(tmp_path / "nope")
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataValidationError, match="is a file, not a folder"):
        read_image_folder(tmp_path / "table.csv")
    (tmp_path / "bare").mkdir()
    with pytest.raises(DataValidationError, match="no class folders"):
        read_image_folder(tmp_path / "bare")


def test_different_sizes_resized_to_most_common(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 2, "dog": 2}, shape=(6, 8))
    same = read_image_folder(root).images
    _save(root / "dog" / "big.png", _pixels(5, shape=(12, 10)))
    # Height x width, as fit's summary and `info` give sizes (it said 8x6, width x height, beside them).
    with pytest.warns(UserWarning, match=r"Resized 1 of 5 images .* to 6x8 px \(height x width\), the most common "
                                         r"size \(e.g. .*big.png was 12x10\)") as record:
        folder = read_image_folder(root)
    assert len(record) == 1
    assert folder.images.shape == (5, 6, 8, 1)
    np.testing.assert_array_equal(np.delete(folder.images, 2, axis=0), same)  # others untouched


def test_size_tie_goes_to_larger_area(tmp_path):
    root = tmp_path / "data"
    _save(root / "a" / "1.png", _pixels(1, shape=(4, 4)))
    _save(root / "a" / "2.png", _pixels(2, shape=(8, 8)))
    with pytest.warns(UserWarning, match="to 8x8"):
        assert read_image_folder(root).images.shape == (2, 8, 8, 1)


def test_same_size_folder_reads_without_warning(tmp_path):
    _tree(tmp_path / "data", {"cat": 2, "dog": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_image_folder(tmp_path / "data")


def test_rgba_becomes_rgb_and_16_bit_becomes_8_bit(tmp_path):
    rgba = np.dstack([_pixels(1, channels=3), np.full((4, 5), 10, np.uint8)])
    _save(tmp_path / "rgba" / "a" / "1.png", rgba)
    _save(tmp_path / "rgba" / "a" / "2.png", rgba)
    folder = read_image_folder(tmp_path / "rgba")
    assert folder.images.shape == (2, 4, 5, 3)
    np.testing.assert_array_equal(folder.images[0], rgba[..., :3])  # alpha dropped, not blended

    deep = np.array([[0, 257, 65535], [128 * 257, 1000, 30000]], dtype=np.uint16)
    for name in ["1.png", "2.tif"]:
        image = Image.fromarray(deep)
        assert image.mode == "I;16"
        _save(tmp_path / "deep" / "a" / name, deep)
    folder = read_image_folder(tmp_path / "deep")
    assert folder.images.shape == (2, 2, 3, 1)
    expected = np.rint(deep / 257.0).astype(np.uint8)
    np.testing.assert_array_equal(folder.images[0, ..., 0], expected)
    np.testing.assert_array_equal(folder.images[1, ..., 0], expected)


def test_12_bit_data_in_16_bit_files_is_pointed_out(tmp_path):
    # Read on the 16-bit scale, 0..4095 becomes 0..16 of 255: near black, 17 grey levels.
    twelve = np.array([[0, 1000, 4095], [2048, 300, 4000]], dtype=np.uint16)
    for name in ["1.png", "2.png"]:
        _save(tmp_path / "twelve" / "a" / name, twelve)
    with pytest.warns(UserWarning, match=r"hold values up to about 4,095 \(12-bit data\).*multiply by 16"):
        folder = read_image_folder(tmp_path / "twelve")
    assert folder.images.max() == 16 and folder.sixteen_bit
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the full 16-bit range says nothing
        _save(tmp_path / "full" / "a" / "1.png", twelve * 16)
        _save(tmp_path / "full" / "a" / "2.png", twelve * 16)
        read_image_folder(tmp_path / "full")


@pytest.mark.parametrize("image, expected", [
    (Image.fromarray(np.array([[0, 100, 255]], np.int32)), [0, 100, 255]),  # "I" holding 8-bit values
    (Image.fromarray(np.array([[0.0, 100.0, 255.0]], np.float32)), [0, 100, 255]),  # "F" holding them too
    (Image.new("1", (3, 1), 1), [255, 255, 255]),
    (Image.new("LA", (3, 1), (7, 9)), [7, 7, 7]),  # alpha dropped
], ids=["I", "F", "1", "LA"])
def test_other_grayscale_modes(tmp_path, image, expected):
    for name in ["1.tif", "2.tif"]:
        (tmp_path / "d" / "a").mkdir(parents=True, exist_ok=True)
        image.save(tmp_path / "d" / "a" / name)
    folder = read_image_folder(tmp_path / "d")
    assert folder.images.shape == (2, 1, 3, 1)
    assert folder.images[0, 0, :, 0].tolist() == expected


@pytest.mark.parametrize("values, named", [
    (np.array([[0.0003, 0.5, 0.999]], np.float32), r"floating-point image \(mode 'F'\) with values from 0.0003 to 0.999"),
    (np.array([[-5.2, 100.6, np.nan]], np.float32), r"values from -5.2 to 100.6, some not numbers"),
    (np.array([[0, 4000, 60000]], np.int32), r"32-bit integer image \(mode 'I'\) with values from 0 to 60000"),
])
def test_float_and_32_bit_images_beyond_8_bit_values_are_refused_not_rounded(tmp_path, values, named):
    # A float TIFF in [0, 1] was read as 0 / 1 pixels, and 32-bit values above 255 as 255: silently.
    for name in ["1.tif", "2.tif"]:
        (tmp_path / "d" / "a").mkdir(parents=True, exist_ok=True)
        Image.fromarray(values).save(tmp_path / "d" / "a" / name)
    with pytest.raises(DataValidationError, match=named + r".*Save the images as 8-bit PNGs"):
        read_image_folder(tmp_path / "d")


def test_transparency_that_is_dropped_is_said_and_an_opaque_alpha_is_not(tmp_path):
    for name, alpha in (("see_through", 0), ("opaque", 255)):
        for file in ["1.png", "2.png"]:
            (tmp_path / name / "a").mkdir(parents=True, exist_ok=True)
            Image.new("RGBA", (4, 4), (200, 10, 10, alpha)).save(tmp_path / name / "a" / file)
    with pytest.warns(UserWarning, match=r"2 images in .* have transparent pixels .*transparency is dropped"):
        folder = read_image_folder(tmp_path / "see_through")
    assert folder.images.shape == (2, 4, 4, 3) and folder.images[0, 0, 0].tolist() == [200, 10, 10]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_image_folder(tmp_path / "opaque")


def test_exif_orientation_applied(tmp_path):
    image = Image.new("RGB", (4, 2))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees to display"
    for name in ["1.jpg", "2.jpg"]:
        (tmp_path / "d" / "a").mkdir(parents=True, exist_ok=True)
        image.save(tmp_path / "d" / "a" / name, exif=exif)
    # augment copies the real files as they are: loaders that ignore EXIF read them turned, beside
    # upright synthetic images (a DataLoader then failed to stack 2x4 and 4x2 images), unsaid.
    with pytest.warns(UserWarning, match=r"2 images in .* carry an EXIF orientation \(e.g. .*1.jpg\): read turned "
                                         r"upright.*save them upright first") as record:
        assert read_image_folder(tmp_path / "d").images.shape == (2, 4, 2, 3)  # as a viewer shows it
    assert len(record) == 1
    for unturned in (1, 0, 9):  # "as stored", and values some software writes that mean nothing
        exif[0x0112] = unturned
        for name in ["1.jpg", "2.jpg"]:
            image.save(tmp_path / "d" / "a" / name, exif=exif)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert read_image_folder(tmp_path / "d").images.shape == (2, 2, 4, 3)


def test_grayscale_gif_stays_grayscale(tmp_path):
    # Pillow writes a grayscale GIF with a grey palette (mode "P" when read back).
    _save(tmp_path / "d" / "a" / "1.png", _pixels(1))
    _save(tmp_path / "d" / "a" / "2.gif", _pixels(2))
    folder = read_image_folder(tmp_path / "d")
    assert folder.images.shape[3] == 1
    np.testing.assert_array_equal(folder.images[1, ..., 0], _pixels(2))


def test_is_image_folder(tmp_path):
    (tmp_path / "table.csv").write_text("a\n1\n")
    (tmp_path / "csvs" / "part").mkdir(parents=True)
    (tmp_path / "csvs" / "data.csv").write_text("a\n1\n")
    (tmp_path / "csvs" / "part" / "more.csv").write_text("a\n1\n")
    _save(tmp_path / "tree" / "cat" / "x.JPG", _pixels(0, channels=3))
    assert is_image_folder(tmp_path / "tree")
    assert not is_image_folder(tmp_path / "table.csv")
    assert not is_image_folder(tmp_path / "csvs")
    assert not is_image_folder(tmp_path / "missing")
    assert not is_image_folder(tmp_path / "tree" / "cat")  # images, but no class folders
    assert set(IMAGE_SUFFIXES) >= {".png", ".jpg", ".jpeg", ".webp"}
    assert all(s == s.lower() for s in IMAGE_SUFFIXES)


# ===================================================================================== writing
def test_write_png_round_trip_and_rejects(tmp_path):
    gray, rgb = _pixels(1), _pixels(2, channels=3)
    write_png(gray[..., None], tmp_path / "g.png")
    write_png(rgb, tmp_path / "c.png")
    with Image.open(tmp_path / "g.png") as image:
        assert image.mode == "L" and np.array_equal(np.asarray(image), gray)
    with Image.open(tmp_path / "c.png") as image:
        assert image.mode == "RGB" and np.array_equal(np.asarray(image), rgb)
    assert os.stat(tmp_path / "g.png").st_mode & 0o777 == default_mode()
    with pytest.raises(ValueError, match="uint8"):
        write_png(gray.astype(np.float32), tmp_path / "f.png")
    with pytest.raises(ValueError, match="shape"):
        write_png(np.zeros((4, 4, 2), np.uint8), tmp_path / "two.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.png", "g.png"]


def test_write_class_samples_names_and_force(tmp_path):
    images = np.stack([_pixels(i, channels=3) for i in range(3)])
    class_dir = write_class_samples(images, "cat", tmp_path / "out")
    assert class_dir == tmp_path / "out" / "cat"
    assert sorted(p.name for p in class_dir.iterdir()) == [
        ".gan-augment-written", "synthetic_00000.png", "synthetic_00001.png", "synthetic_00002.png"]
    with Image.open(class_dir / "synthetic_00001.png") as image:
        np.testing.assert_array_equal(np.asarray(image), images[1])
    assert os.stat(class_dir).st_mode & 0o777 == default_mode(directory=True)

    with pytest.raises(FileExistsError, match="--force"):
        write_class_samples(images[:1], "cat", tmp_path / "out", prefix="new")
    assert len(list(class_dir.iterdir())) == 4  # untouched
    write_class_samples(images[:2], "cat", tmp_path / "out", force=True, prefix="new")
    assert sorted(p.name for p in class_dir.iterdir()) == [".gan-augment-written", "new_00000.png", "new_00001.png"]
    assert _listing(tmp_path / "out") == ["cat", "cat/.gan-augment-written", "cat/new_00000.png",
                                          "cat/new_00001.png"]  # replaced as a whole, no staging left
    assert read_image_folder(tmp_path / "out").skipped == []  # the mark is not a skipped file


def test_force_never_replaces_a_class_folder_of_real_images(tmp_path):
    # `sample --out data --force` pointed at a training folder: its real images stay.
    real = tmp_path / "data" / "cat"
    real.mkdir(parents=True)
    (real / "photo.png").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="did not write.*not replaced even with --force"):
        write_class_samples(np.stack([_pixels(1, channels=3)]), "cat", tmp_path / "data", force=True)
    assert _listing(tmp_path / "data") == ["cat", "cat/photo.png"]


def test_a_damaged_mark_is_read_as_naming_its_files_only(tmp_path):
    # A list of lists in the mark failed "unhashable type: 'list'" (sample --force, augment --force).
    images = np.stack([_pixels(i, channels=3) for i in range(2)])
    class_dir = write_class_samples(images, "cat", tmp_path / "out")
    mark = class_dir / ".gan-augment-written"
    mark.write_text(mark.read_text().splitlines()[0] + '\n{"files": [["a"], "synthetic_00000.png"]}\n')
    # synthetic_00001.png is no longer listed as written: the folder is not replaced, with the reason.
    with pytest.raises(FileExistsError, match="but synthetic_00001.png in it was not, so it is not replaced"):
        write_class_samples(images[:1], "cat", tmp_path / "out", force=True, prefix="new")
    mark.write_text(mark.read_text().splitlines()[0] + '\n{"files": [["a"], "synthetic_00000.png", '
                    '"synthetic_00001.png"]}\n')
    write_class_samples(images[:1], "cat", tmp_path / "out", force=True, prefix="new")
    assert sorted(p.name for p in class_dir.iterdir()) == [".gan-augment-written", "new_00000.png"]


def test_write_class_samples_many_digits(tmp_path):
    names = image_folder._sample_names(100001, "s")
    assert names[0] == "s_000000.png" and names[-1] == "s_100000.png"
    assert image_folder._sample_names(2, "s", taken=["S_00000.PNG"]) == ["s_00001.png", "s_00002.png"]


# A backslash separates folders on Windows only; elsewhere a class folder may hold one in its name.
@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\0b", ".hidden"] + (["a\\b"] if os.sep == "\\" else []))
def test_write_class_samples_unsafe_names(tmp_path, name):
    with pytest.raises(DataValidationError, match="rename"):
        write_class_samples(np.zeros((1, 2, 2, 1), np.uint8), name, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_write_class_samples_error_leaves_nothing(tmp_path, monkeypatch):
    out = tmp_path / "new" / "out"
    _fail_after_first_png(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        write_class_samples(np.zeros((3, 2, 2, 1), np.uint8), "cat", out)
    assert list(tmp_path.iterdir()) == []  # staging folder and the folders made for it are gone


def _fail_after_first_png(monkeypatch):
    real = image_folder.write_png
    calls = []

    def failing(image, path, **options):
        calls.append(path)
        if len(calls) > 1:
            raise RuntimeError("disk full")
        return real(image, path, **options)

    monkeypatch.setattr(image_folder, "write_png", failing)


@pytest.fixture
def source(tmp_path):
    root = tmp_path / "data"
    _tree(root, {"cat": 3, "dog": 2}, channels=3)
    _save(root / "dog" / "synthetic_00000.png", _pixels(50, channels=3))  # a real file, that name
    (root / "dog" / "notes.txt").write_text("skipped")
    return read_image_folder(root)


def _synthetic(count, seed=0):
    return np.stack([_pixels(seed + i, channels=3) for i in range(count)])


def test_write_augmented_tree(tmp_path, source):
    fake = {"dog": _synthetic(2), "bird": _synthetic(2, seed=10)}
    out = write_augmented_tree(source, tmp_path / "out", fake)
    assert out == tmp_path / "out"
    assert _listing(out) == [
        ".gan-augment-written",  # the mark that lets --force replace this tree later
        "bird", "bird/synthetic_00000.png", "bird/synthetic_00001.png",
        "cat", "cat/img_0.png", "cat/img_1.png", "cat/img_2.png",
        "dog", "dog/img_0.png", "dog/img_1.png",
        "dog/synthetic_00000.png", "dog/synthetic_00001.png", "dog/synthetic_00002.png",
    ]
    for file in source.files:
        assert (out / file.parent.name / file.name).read_bytes() == file.read_bytes()
    with Image.open(out / "dog" / "synthetic_00002.png") as image:
        np.testing.assert_array_equal(np.asarray(image), fake["dog"][1])
    back = read_image_folder(out)
    assert {c: int((back.labels == c).sum()) for c in back.classes} == {"bird": 2, "cat": 3, "dog": 5}
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_only_the_first_frame_of_a_stack_or_animation_is_read_and_that_is_said(tmp_path):
    # A 5-page TIFF (a microscopy stack) was read as its first page, the other pages dropped unsaid.
    _tree(tmp_path / "data", {"cat": 2, "dog": 2})
    pages = [Image.fromarray(_pixels(seed)) for seed in range(5)]
    stack = tmp_path / "data" / "dog" / "stack.tif"
    pages[0].save(stack, save_all=True, append_images=pages[1:])
    with pytest.warns(UserWarning, match=r"1 image file in .* holds several frames or pages \(e.g. .*stack.tif: 5\); "
                                         r"only the first of each is read") as record:
        folder = read_image_folder(tmp_path / "data")
    assert len(record) == 1
    np.testing.assert_array_equal(folder.images[folder.files.index(stack)][..., 0], _pixels(0))
    stack.unlink()
    # A camera's JPEG with a preview (or an HDR gain map) after the photo opens as a 2-frame MPO: one
    # photo, and saving its "frames" as files would put previews among the images.
    photo = Image.fromarray(np.stack([_pixels(7)] * 3, axis=-1))
    for name in ("cat", "dog"):
        (tmp_path / "photos" / name).mkdir(parents=True)
        for i in range(2):
            photo.save(tmp_path / "photos" / name / f"{i}.jpg", format="MPO", save_all=True, append_images=[photo])
    with Image.open(tmp_path / "photos" / "dog" / "0.jpg") as opened:
        assert opened.format == "MPO" and opened.n_frames == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_image_folder(tmp_path / "data")
        read_image_folder(tmp_path / "photos")


def test_a_1_bit_folder_gets_1_bit_synthetic_images(tmp_path):
    # Masks and scans stored as 1-bit files got 8-bit grey synthetic images beside them (95 levels).
    root = tmp_path / "masks"
    for name in ("ok", "defect"):
        (root / name).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(_pixels(i + (name == "defect") * 5) >= 128).save(root / name / f"m{i}.png")
    source = read_image_folder(root)
    assert source.bilevel and set(np.unique(source.images)) <= {0, 255}
    fake = np.stack([_pixels(9), _pixels(3)])[..., None]
    out = write_augmented_tree(source, tmp_path / "out", {"defect": fake})
    with Image.open(out / "defect" / "synthetic_00000.png") as written, Image.open(out / "defect" / "m0.png") as real:
        assert written.mode == real.mode == "1"
        np.testing.assert_array_equal(np.asarray(written), fake[0][..., 0] >= 128)
    _tree(tmp_path / "grey", {"cat": 2, "dog": 2})
    assert not read_image_folder(tmp_path / "grey").bilevel


def test_a_16_bit_folder_gets_16_bit_synthetic_images(tmp_path):
    # The real files are copied as they are (16-bit); 8-bit synthetic ones beside them were 257x
    # darker to any loader that reads the stored values.
    root = tmp_path / "scans"
    for name in ("healthy", "lesion"):
        (root / name).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(_pixels(i + (name == "lesion") * 5).astype(np.uint16) * 257).save(
                root / name / f"s{i}.png")
    source = read_image_folder(root)
    assert source.sixteen_bit and source.images.dtype == np.uint8
    fake = np.stack([_pixels(9), _pixels(3)])[..., None]
    out = write_augmented_tree(source, tmp_path / "out", {"lesion": fake})
    with Image.open(out / "lesion" / "synthetic_00000.png") as written, Image.open(out / "lesion" / "s0.png") as real:
        assert written.mode == real.mode == "I;16"
        np.testing.assert_array_equal(np.asarray(written), fake[0][..., 0].astype(np.uint16) * 257)
    back = read_image_folder(out)
    np.testing.assert_array_equal(back.images[back.files.index(out / "lesion" / "synthetic_00000.png")], fake[0])
    _tree(tmp_path / "eight", {"cat": 2, "dog": 2})
    assert not read_image_folder(tmp_path / "eight").sixteen_bit


def _write_48_bit_png(path, pixels):
    """An RGB PNG of 16 bits per channel, written by hand: Pillow writes colour at 8 bits only."""
    import struct
    import zlib

    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[i].astype(">u2").tobytes() for i in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _write_565_bmp(path, pixels):
    """A BMP of 16 bits per pixel (5-6-5 bit fields), written by hand: Pillow writes 24-bit BMPs."""
    import struct

    height, width, _ = pixels.shape
    packed = ((pixels[..., 0].astype(np.uint16) >> 3) << 11) | ((pixels[..., 1].astype(np.uint16) >> 2) << 5) \
        | (pixels[..., 2].astype(np.uint16) >> 3)
    pad = b"\0" * ((4 - width * 2 % 4) % 4)
    data = b"".join(packed[height - 1 - i].astype("<u2").tobytes() + pad for i in range(height))
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 16, 3, len(data), 2835, 2835, 0, 0) \
        + struct.pack("<III", 0xF800, 0x07E0, 0x001F)
    offset = 14 + len(header)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset) + header + data)


def test_a_bmp_of_16_bits_per_pixel_is_8_bit_colour(tmp_path):
    # Its raw mode "BGR;16" (5-6-5 bits per pixel) was read as 16 bits per channel, and augment refused it.
    rng = np.random.default_rng(0)
    for name in ("cat", "dog"):
        for i in range(2):
            _write_565_bmp(tmp_path / "pets" / name / f"{i}.bmp", rng.integers(0, 256, (4, 5, 3)).astype(np.uint8))
    source = read_image_folder(tmp_path / "pets")
    assert source.images.shape == (4, 4, 5, 3) and source.sixteen_bit_colour is None
    write_augmented_tree(source, tmp_path / "out", {"dog": source.images[:1]})


def _write_48_bit_tiff(path, pixels):
    """An uncompressed little-endian RGB TIFF of 16 bits per channel, written by hand."""
    import struct

    height, width, _ = pixels.shape
    data = np.asarray(pixels, dtype="<u2").tobytes()
    tags = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 3, 0), (259, 3, 1, 1), (262, 3, 1, 2),
            (273, 4, 1, 0), (277, 3, 1, 3), (278, 3, 1, height), (279, 4, 1, len(data)), (284, 3, 1, 1)]
    bits_at = 8 + 2 + 12 * len(tags) + 4  # the three BitsPerSample values follow the directory
    ifd = struct.pack("<H", len(tags))
    for tag, kind, count, value in tags:
        value = {258: bits_at, 273: bits_at + 6}.get(tag, value)
        ifd += struct.pack("<HHIHH", tag, kind, count, value, 0) if kind == 3 and count == 1 else \
            struct.pack("<HHII", tag, kind, count, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + struct.pack("<HHH", 16, 16, 16)
                     + data)


def test_a_48_bit_tiff_is_16_bits_per_channel(tmp_path):
    # Pillow's TIFF tiles hold the raw mode in a tuple ("RGB;16L", 0, 1): a check of the text alone missed it.
    rng = np.random.default_rng(0)
    for i in range(2):
        _write_48_bit_tiff(tmp_path / "scans" / "a" / f"{i}.tif", rng.integers(0, 65536, (4, 5, 3)))
    with Image.open(tmp_path / "scans" / "a" / "0.tif") as image:
        assert image.mode == "RGB"  # read at 8 bits: the file itself says 16
    assert read_image_folder(tmp_path / "scans").sixteen_bit_colour == tmp_path / "scans" / "a" / "0.tif"


def test_a_16_bit_colour_folder_is_read_but_not_written_back_at_two_scales(tmp_path):
    # Pillow reads a 48-bit PNG as 8-bit "RGB": augment wrote 8-bit synthetic files beside the 16-bit
    # real ones (a 256x darker image to any loader that keeps the stored values), and 12-bit data
    # turned near black without the warning 16-bit grayscale gets.
    rng = np.random.default_rng(0)
    for name in ("healthy", "lesion"):
        for i in range(2):
            _write_48_bit_png(tmp_path / "scans" / name / f"s{i}.png", rng.integers(0, 4096, (4, 5, 3)))
    with pytest.warns(UserWarning, match=r"hold values up to about 4,095 \(12-bit data\)"):
        source = read_image_folder(tmp_path / "scans")
    assert source.images.shape == (4, 4, 5, 3) and not source.sixteen_bit
    assert source.sixteen_bit_colour == tmp_path / "scans" / "healthy" / "s0.png"
    with pytest.raises(DataValidationError, match=r"have 16 bits per channel and are read as colour \(e.g. .*s0.png\); "
                                                  r"synthetic colour images can only be written at 8 bits"):
        write_augmented_tree(source, tmp_path / "out", {"lesion": source.images[:1]})
    assert not (tmp_path / "out").exists()
    _tree(tmp_path / "eight", {"cat": 2, "dog": 2})
    assert read_image_folder(tmp_path / "eight").sixteen_bit_colour is None


def test_a_tree_whose_replacement_was_killed_is_put_back_and_refused_before_any_work(tmp_path, source):
    # It read as free, and the new tree was refused only once written ("exists now").
    from gan_augment._fs import _host_tag

    out = write_augmented_tree(source, tmp_path / "out", {})
    aside = tmp_path / f".out.old-{_host_tag()}-999999999-abcd1234"
    out.rename(aside)
    with pytest.raises(FileExistsError):
        check_tree_out(source.root, out)
    assert out.is_dir() and not aside.exists()


@pytest.mark.parametrize("where", ["same", "inside", "contains"])
def test_write_augmented_tree_refuses_source(tmp_path, source, where):
    out = {"same": source.root, "inside": source.root / "cat" / "out", "contains": tmp_path}[where]
    before = _listing(tmp_path)
    with pytest.raises(DataValidationError, match="source"):
        write_augmented_tree(source, out, {"cat": _synthetic(1)}, force=True)
    assert _listing(tmp_path) == before


def test_write_augmented_tree_existing_out_dir(tmp_path, source):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    # A folder gan-augment did not write is never replaced, even with force (a mistyped --out); the
    # refusal says so at once, rather than advising --force first.
    for force in (False, True):
        with pytest.raises(FileExistsError, match="did not write.*not replaced even with --force"):
            write_augmented_tree(source, out, {"cat": _synthetic(1)}, force=force)
    assert _listing(out) == ["keep.txt"]
    ours = tmp_path / "ours"
    write_augmented_tree(source, ours, {"cat": _synthetic(1)})
    with pytest.raises(FileExistsError, match="already exists and is not empty; pass --force"):
        write_augmented_tree(source, ours, {"cat": _synthetic(2)})  # its own earlier output: --force replaces it
    write_augmented_tree(source, ours, {"cat": _synthetic(2)}, force=True)  # its own earlier output: replaced
    assert "cat/synthetic_00001.png" in _listing(ours)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "ours", "out"]  # no staging or old copy


def test_force_keeps_what_the_user_added_to_a_folder_gan_augment_wrote(tmp_path, source):
    # --force deleted a user's notes and a class folder of their own images put into an output tree.
    out = write_augmented_tree(source, tmp_path / "out", {"cat": _synthetic(1)})
    (out / "notes.txt").write_text("mine")
    (out / "mine").mkdir()
    (out / "mine" / "photo.png").write_bytes(b"mine")
    before = _listing(out)
    with pytest.raises(FileExistsError, match=r"written by gan-augment, but mine, notes.txt in it "
                                              r"were not.*move what you added"):
        write_augmented_tree(source, out, {"cat": _synthetic(2)}, force=True)
    assert _listing(out) == before
    class_dir = write_class_samples(np.stack([_pixels(1, channels=3)]), "cat", tmp_path / "samples")
    (class_dir / "keep.png").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="keep.png in it was not"):
        write_class_samples(np.stack([_pixels(2, channels=3)]), "cat", tmp_path / "samples", force=True)
    assert (class_dir / "keep.png").read_bytes() == b"mine"
    (class_dir / "keep.png").unlink()  # what it wrote alone is replaced
    write_class_samples(np.stack([_pixels(2, channels=3)]), "cat", tmp_path / "samples", force=True)


def test_write_augmented_tree_error_leaves_nothing(tmp_path, source, monkeypatch):
    _fail_after_first_png(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        write_augmented_tree(source, tmp_path / "out", {"cat": _synthetic(3)})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]

    monkeypatch.undo()
    write_augmented_tree(source, tmp_path / "old", {"cat": _synthetic(1)})
    before = {path: path.read_bytes() for path in (tmp_path / "old").rglob("*") if path.is_file()}
    _fail_after_first_png(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        write_augmented_tree(source, tmp_path / "old", {"cat": _synthetic(3)}, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "old"]
    assert {path: path.read_bytes() for path in (tmp_path / "old").rglob("*") if path.is_file()} == before


def test_write_augmented_tree_rejects_other_kind_of_image(tmp_path, source):
    gray = np.zeros((2, 4, 5, 1), np.uint8)
    with pytest.raises(DataValidationError, match="grayscale but the images of .* are RGB"):
        write_augmented_tree(source, tmp_path / "out", {"cat": gray})
    with pytest.raises(DataValidationError, match="rename"):
        write_augmented_tree(source, tmp_path / "out", {"../up": _synthetic(1)})
    assert not (tmp_path / "out").exists()


def test_image_folder_repr_is_short(source):
    text = repr(source)
    assert "ImageFolder(" in text and "classes=['cat', 'dog']" in text and "array" not in text
    assert isinstance(source, ImageFolder)


# ===================================================================================== grids
def test_image_grid_shape_and_placement(tmp_path):
    images = np.stack([np.full((3, 4, 3), 10 * (i + 1), np.uint8) for i in range(5)])
    grid = image_grid(images)  # ncols = ceil(sqrt(5)) = 3, two rows
    assert grid.shape == (2 * 3 + 2, 3 * 4 + 2 * 2, 3)
    assert (grid[0:3, 0:4] == 10).all() and (grid[0:3, 6:10] == 20).all()
    assert (grid[5:8, 0:4] == 40).all() and (grid[5:8, 6:10] == 50).all()
    assert (grid[3:5] == 0).all() and (grid[:, 4:6] == 0).all()  # padding
    assert (grid[5:8, 12:16] == 0).all()  # the unused last tile
    assert image_grid(images, ncols=5, padding=0).shape == (3, 20, 3)
    path = save_image_grid(images[..., :1], tmp_path / "grid.png", ncols=2, padding=1)
    with Image.open(path) as image:
        assert image.mode == "L" and image.size == (2 * 4 + 1, 3 * 3 + 2)
    with pytest.raises(ValueError):
        image_grid(images, ncols=0)


def test_sample_grid_names_keep_letters_of_any_script():
    # 'Çommon' and 'rare class é' gave samples_1__ommon.png and samples_0_rare_class_.png.
    from gan_augment.kinds.image import grid_file_name

    assert grid_file_name(1, "Çommon") == "samples_1_Çommon.png"
    assert grid_file_name(0, "rare class é") == "samples_0_rare_class_é.png"
    assert grid_file_name(2, "a/b\\c") == "samples_2_a_b_c.png"


def test_an_image_folder_with_a_nested_folder_in_a_class_is_named_as_one_by_the_table_reader(tmp_path):
    # Its class 'cat' holding a sub-folder of images made load_dataset call 'cat' the image set to
    # give, which read_image_folder then refused (its images lie directly in it).
    from gan_augment.data.io import load_dataset

    root = tmp_path / "data"
    _tree(root, {"cat": 3, "dog": 3})
    _tree(root / "cat", {"old": 2})
    read_image_folder(root)  # an image folder, as it is
    with pytest.raises(DataValidationError) as refused:
        load_dataset(root)
    message = str(refused.value)
    assert "give that folder" not in message and "read_image_folder(path)" in message


def test_netpbm_and_jfif_files_are_images(tmp_path):
    # A folder of .pgm faces (the AT&T/ORL layout) was "no data file", and .pgm/.ppm/.jfif files
    # beside PNGs were skipped as non-image files, silently left out of training and of augment's tree.
    _save(tmp_path / "faces" / "s1" / "1.png", _pixels(1))
    Image.fromarray(_pixels(2)).save(tmp_path / "faces" / "s1" / "2.pgm")
    (tmp_path / "faces" / "s2").mkdir()
    Image.fromarray(_pixels(3)).save(tmp_path / "faces" / "s2" / "1.jfif", format="JPEG")
    Image.fromarray(_pixels(4)).save(tmp_path / "faces" / "s2" / "2.PPM")
    assert is_image_folder(tmp_path / "faces")
    folder = read_image_folder(tmp_path / "faces")
    assert folder.skipped == [] and [p.name for p in folder.files] == ["1.png", "2.pgm", "1.jfif", "2.PPM"]
    np.testing.assert_array_equal(folder.images[1, ..., 0], _pixels(2))


def test_a_looping_link_does_not_hide_an_image_tree(tmp_path):
    _tree(tmp_path / "data", {"cat": 2, "dog": 2})
    (tmp_path / "data" / "current").symlink_to("current")  # a stale link to itself
    (tmp_path / "data" / "dog" / "loop").symlink_to("loop")
    assert is_image_folder(tmp_path / "data")  # it said "holds no data file (.csv/...)"
    assert read_image_folder(tmp_path / "data").classes == ["cat", "dog"]


def test_an_output_through_a_link_is_refused_before_any_work(tmp_path, source):
    # A linked --out read as an empty folder, then failed after training as if "another run" had
    # written it; with --force the link was replaced by a folder and its target left empty.
    (tmp_path / "target").mkdir()
    (tmp_path / "linked").symlink_to("target")
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(FileExistsError, match=r"Output folder .*linked is a symbolic link \(to target\); give the "):
        check_tree_out(source.root, tmp_path / "linked")
    with pytest.raises(FileExistsError, match="is a symbolic link"):
        write_augmented_tree(source, tmp_path / "linked", {"cat": _synthetic(1)}, force=True)
    with pytest.raises(DataValidationError, match=r"loop is a symbolic link to loop, which does not exist or points "
                                                  r"back to itself"):
        check_tree_out(source.root, tmp_path / "loop" / "out")  # was a bare RuntimeError
    assert (tmp_path / "linked").is_symlink() and list((tmp_path / "target").iterdir()) == []
    # One image file through a link: the link was replaced and the file it points to left as it was.
    from gan_augment.data.image_folder import write_png

    (tmp_path / "mine.png").write_bytes(b"mine")
    (tmp_path / "grid.png").symlink_to("mine.png")
    with pytest.raises(FileExistsError, match=r"grid\.png is a symbolic link \(to mine\.png\)"):
        write_png(np.zeros((4, 4, 3), np.uint8), tmp_path / "grid.png")
    assert (tmp_path / "grid.png").is_symlink() and (tmp_path / "mine.png").read_bytes() == b"mine"


def test_palette_images_are_judged_by_the_colours_their_pixels_use(tmp_path):
    bits = np.arange(16).reshape(4, 4) % 2 * 255
    # A 1-bit palette PNG of black and white is a 1-bit file: synthetic images are written 1-bit too.
    for name in ("ok", "defect"):
        for i in range(2):
            image = Image.fromarray(bits.astype(np.uint8) // 255, mode="L").convert("P")
            image.putpalette([0, 0, 0, 255, 255, 255])
            (tmp_path / "bw" / name).mkdir(parents=True, exist_ok=True)
            image.save(tmp_path / "bw" / name / f"{i}.png", bits=1)
    assert read_image_folder(tmp_path / "bw").bilevel
    # A grey image whose 256-entry palette ends in an unused red was read as RGB, and refused beside L files.
    _save(tmp_path / "grey" / "a" / "1.png", _pixels(1))
    palette = [v for g in range(255) for v in (g, g, g)] + [255, 0, 0]
    image = Image.fromarray(_pixels(2) // 2, mode="L").convert("P")
    image.putpalette(palette)
    image.save(tmp_path / "grey" / "a" / "2.png")
    folder = read_image_folder(tmp_path / "grey")
    assert folder.images.shape[3] == 1 and not folder.bilevel
    np.testing.assert_array_equal(folder.images[1, ..., 0], _pixels(2) // 2)


def test_transparency_is_said_where_pixels_use_it(tmp_path):
    # An unused transparent palette index warned; an RGB colour key that half the pixels use did not.
    for i in range(2):
        unused = Image.fromarray(_pixels(i) // 2, mode="L").convert("P")
        unused.putpalette([v for g in range(256) for v in (g, g, g)])
        (tmp_path / "unused" / "a").mkdir(parents=True, exist_ok=True)
        unused.save(tmp_path / "unused" / "a" / f"{i}.png", transparency=255)  # no pixel is 255 // 2 > 127
        keyed = np.zeros((4, 4, 3), np.uint8)
        keyed[:2] = 200
        (tmp_path / "keyed" / "a").mkdir(parents=True, exist_ok=True)
        Image.fromarray(keyed).save(tmp_path / "keyed" / "a" / f"{i}.png", transparency=(0, 0, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_image_folder(tmp_path / "unused")
    with pytest.warns(UserWarning, match=r"2 images in .* have transparent pixels"):
        read_image_folder(tmp_path / "keyed")


def test_a_colour_palette_whose_pixels_are_grey_reads_as_rgb_beside_rgb_files(tmp_path):
    # A grey photo in a set of palette images sharing one colour palette: read grey by its pixels,
    # then the folder was refused as mixing grayscale and RGB (before, the palette's colour made it RGB).
    rng = np.random.default_rng(0)
    palette = [v for g in range(0, 256, 17) for v in (g, g, g)] + rng.integers(0, 256, 48).tolist()  # 16 greys
    indexes = {"a/0.png": rng.integers(0, 32, (4, 4)), "a/1.png": rng.integers(0, 32, (4, 4)),
               "b/0.png": rng.integers(0, 16, (4, 4)), "b/1.png": rng.integers(0, 32, (4, 4))}
    for name, index in indexes.items():
        image = Image.fromarray(index.astype(np.uint8), mode="P")
        image.putpalette(palette)
        (tmp_path / "gifs" / name).parent.mkdir(parents=True, exist_ok=True)
        image.save(tmp_path / "gifs" / name)
    folder = read_image_folder(tmp_path / "gifs")
    assert folder.images.shape == (4, 4, 4, 3)
    np.testing.assert_array_equal(folder.images[2], np.repeat((indexes["b/0.png"] * 17)[..., None], 3, axis=2))
    # Beside grey files (or alone) it is grey, as its pixels are.
    _save(tmp_path / "grey" / "b" / "0.png", _pixels(1, (4, 4)))
    _save(tmp_path / "grey" / "b" / "1.png", _pixels(2, (4, 4)))
    _save(tmp_path / "grey" / "a" / "1.png", _pixels(3, (4, 4)))
    shutil.copy(tmp_path / "gifs" / "b" / "0.png", tmp_path / "grey" / "a" / "0.png")
    assert read_image_folder(tmp_path / "grey").images.shape == (4, 4, 4, 1)


def test_sixteen_bit_netpbm_files_are_read_on_the_16_bit_scale(tmp_path):
    # A 16-bit PGM (Pillow's mode "I") was refused as a "32-bit integer image", or read raw beside
    # synthetic files written x257; a 48-bit PPM passed as 8-bit, and 8-bit files were written beside it.
    values = (np.arange(20).reshape(4, 5) * 3000).astype(">u2")
    for name in ("a/0.pgm", "a/1.pgm", "b/0.pgm", "b/1.pgm"):
        (tmp_path / "pgm" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pgm" / name).write_bytes(b"P5\n5 4\n65535\n" + values.tobytes())
        (tmp_path / "ppm" / name).parent.mkdir(parents=True, exist_ok=True)
        rgb = np.repeat(values[..., None], 3, axis=2)
        (tmp_path / "ppm" / name).with_suffix(".ppm").write_bytes(b"P6\n5 4\n65535\n" + rgb.tobytes())
    folder = read_image_folder(tmp_path / "pgm")
    assert folder.sixteen_bit and folder.images.shape == (4, 4, 5, 1)
    np.testing.assert_array_equal(folder.images[0, ..., 0], np.rint(values.astype(float) / 257))
    assert read_image_folder(tmp_path / "ppm").sixteen_bit_colour is not None


def test_a_16_bit_colour_key_is_compared_with_the_stored_values(tmp_path):
    # Converting to RGBA clipped 16-bit values to 255 before comparing: key 255 matched pixels of 256+.
    for key, warned in ((255, False), (700, True)):
        for i in range(2):
            values = np.full((4, 4), 300 + i, np.uint16)
            values[0, 0] = 700
            (tmp_path / str(key) / "a").mkdir(parents=True, exist_ok=True)
            Image.fromarray(values).save(tmp_path / str(key) / "a" / f"{i}.png", transparency=key)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            read_image_folder(tmp_path / str(key))
        assert any("transparent pixels" in str(w.message) for w in caught) == warned


def test_pillows_palette_transparency_advice_is_not_repeated_per_image(tmp_path):
    # Said once per image (50 lines for 50 files) once the reader changed warning filters per image;
    # the reader's own warning says what transparency it dropped, once.
    for i in range(6):
        image = Image.fromarray(_pixels(i, (4, 4)) // 2 + 2, mode="L").convert("P")  # indexes 0, 1 unused
        if i < 3:
            image.putpixel((0, 0), 1)  # half transparent
        (tmp_path / "d" / "ab"[i % 2]).mkdir(parents=True, exist_ok=True)
        image.save(tmp_path / "d" / "ab"[i % 2] / f"{i}.png", transparency=bytes([0, 128] + [255] * 254))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_image_folder(tmp_path / "d")
    assert len(caught) == 1 and str(caught[0].message).startswith(f"3 images in {tmp_path / 'd'} have transparent")


def test_a_wide_bmp_is_8_bit_and_a_grey_gif_beside_colour_ones_is_rgb(tmp_path):
    # A BMP's row stride (>= 256 bytes) was read as a Netpbm file's largest value: 16-bit, so augment
    # refused colour BMPs and wrote 16-bit synthetic files beside grey ones. A grey GIF (its palette
    # holds greys only) among colour GIFs was refused as mixing grayscale and RGB.
    rng = np.random.default_rng(0)
    for i, name in enumerate(("a/0", "a/1", "b/0", "b/1")):
        (tmp_path / "bmp" / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (4, 300), dtype=np.uint8)).save(tmp_path / "bmp" / f"{name}.bmp")
        (tmp_path / "gif" / name).parent.mkdir(parents=True, exist_ok=True)
        pixels = _pixels(i, (4, 4), channels=3) if i != 2 else np.repeat(_pixels(i, (4, 4))[..., None], 3, axis=2)
        Image.fromarray(pixels).save(tmp_path / "gif" / f"{name}.gif")
    folder = read_image_folder(tmp_path / "bmp")
    assert not folder.sixteen_bit and folder.sixteen_bit_colour is None
    with Image.open(tmp_path / "gif" / "b" / "0.gif") as grey:
        assert grey.mode == "P" and image_folder._grey(image_folder._palette_colours(grey))
        expected = np.asarray(grey.convert("RGB"))
    folder = read_image_folder(tmp_path / "gif")
    assert folder.images.shape == (4, 4, 4, 3)
    np.testing.assert_array_equal(folder.images[2], expected)


@pytest.mark.skipif(".avif" not in IMAGE_SUFFIXES, reason="this Pillow was built without AVIF")
def test_avif_files_are_read_where_pillow_reads_them(tmp_path):
    # They were skipped as non-image files, and a folder of them was "no data file (.csv/...)".
    rng = np.random.default_rng(0)
    for name, count in (("cats", 4), ("dogs", 2)):
        for i in range(count):
            _save(tmp_path / name / f"{i}.avif", np.full((8, 8, 3), rng.integers(0, 256, 3), dtype=np.uint8))
    assert is_image_folder(tmp_path)
    folder = read_image_folder(tmp_path)
    assert folder.images.shape == (6, 8, 8, 3) and list(folder.labels) == ["cats"] * 4 + ["dogs"] * 2
    assert not folder.skipped


@pytest.mark.parametrize("pngs", [0, 1])
def test_a_class_whose_images_are_in_a_format_not_read_is_refused_naming_them(tmp_path, pngs):
    # A phone's class folder of HEIC photos was "holds no image file (.png, ...)", the photos unmentioned.
    _tree(tmp_path, {"a": 2})
    for i in range(pngs):
        _save(tmp_path / "b" / f"{i}.png", _pixels(i))
    for i in range(3):
        (tmp_path / "b").mkdir(exist_ok=True)
        (tmp_path / "b" / f"IMG_{i}.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic")
    refusal = r"holds no image file" if pngs == 0 else r"has only one image"
    refusal += r".* It also holds 3 \.heic images, a format gan-augment does not read: convert them to PNG or JPEG"
    with pytest.raises(DataValidationError, match=refusal + r" to use them\.$"):
        read_image_folder(tmp_path)


def test_every_class_folder_of_fewer_than_two_images_is_named_at_once(tmp_path):
    # Ten one-image classes among sixty took ten runs, each naming the next.
    _tree(tmp_path, {f"c{i:02d}": 2 if i % 6 else 1 for i in range(60)})
    with pytest.raises(DataValidationError, match=r"Class 'c00' .* has only one image; .*Add more or remove the "
                                                  r"folder\. 9 more class folders hold fewer than 2 images too: 'c06', 'c12', "
                                                  r"'c18', 'c24', 'c30', 'c36', 'c42', 'c48', 'c54'\.$"):
        read_image_folder(tmp_path)
