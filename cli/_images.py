"""Image folders (``DATA/<class>/*.png|jpg|...``) on the command line: classes are sub-folders,
synthetic images are PNG files, and ``augment`` writes a new tree (DATA itself is never touched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from gan_augment._listing import first_few
from gan_augment.exceptions import DataValidationError

from ._common import DATA, USAGE, CLIError, errors, is_stdout, plain, quote, quote_path, say, show, state
from ._data import DataHandler, Dataset, added_text, fit_time, resolve_labels, synthetic_samples


class ImageFolderData(DataHandler):
    kind_name = "image"

    def load(self, data: Path, *, target: Optional[str], classes: Optional[list[str]],
             skip_unreadable: bool = False, na_values: Optional[list[str]] = None,
             sep: Optional[str] = None) -> Dataset:
        if target is not None:
            raise CLIError(f"--target names a table column, but {data} is an image folder whose classes are its "
                           "sub-folders; drop --target.", USAGE)
        for given, option in ((na_values, "--na-values"), (sep, "--sep")):
            if given:
                raise CLIError(f"{option} applies to CSV files, but {data} is an image folder; drop {option}.", USAGE)
        import pandas as pd

        from gan_augment.data.image_folder import read_image_folder

        with errors(DATA, DataValidationError, OSError):
            folder = read_image_folder(data, skip_unreadable=skip_unreadable)
        # object, not pandas' string dtype: a folder name that is not valid UTF-8 (an old archive's) has
        # surrogates that pyarrow refuses to store.
        y = pd.Series(folder.labels, name="class", dtype=object)
        labels = resolve_labels(classes, y)
        n, h, w, c = folder.images.shape
        not_read = _tables_beside_text(data)
        summary = (f"Read {n:,} {'grayscale' if c == 1 else 'RGB'} images of {h}x{w} px in {len(folder.classes)} "
                   f"class folders from {data}"
                   + _skipped_text(folder.skipped, len(folder.unreadable)) + "." + not_read)
        # A folder of 16-bit (1-bit) files is written back 16-bit (1-bit) by `augment` (from the
        # folder) and by `sample` (from the model, hence the entries).
        info = {name: True for name in ("sixteen_bit", "bilevel") if getattr(folder, name)}
        return Dataset(X=folder.images, y=y, labels=labels, summary=summary, real=folder, info=info,
                       single_class=f"{data} holds a single class folder", not_read=not_read)

    def evaluation_data(self, dataset: Dataset) -> tuple[Any, dict]:
        # Each image as one row of pixels in (C, H, W) order, as GANAugmenter(image_shape=...) reads
        # rows: the baselines repeat (random) or interpolate (SMOTE) whole images, and the classifier
        # sees pixels.
        images = dataset.X  # (N, H, W, C), as read from the folder
        n, h, w, c = images.shape
        return images.transpose(0, 3, 1, 2).reshape(n, c * h * w), {"image_shape": (c, h, w)}

    def refuse_auto(self, data: Path) -> None:
        raise CLIError(f"{data} is an image folder; --auto chooses among table samplers (random oversampling, "
                       "SMOTE, the GAN) and works on tables only for now. Drop --auto.", USAGE)

    def next_hint(self, out: Path, label: Any) -> str:
        return (f"Sample grids: {out}/samples_*.png. Next: {state.prog} sample {quote_path(out)} "
                f"--class {quote(label)} --n 100 --out synthetic/")

    def info_lines(self, model_dir: Path) -> list[str]:
        return [f"Sample grids: {model_dir}/samples_*.png"]

    # ------------------------------------------------------------ fit
    def check_fit_out(self, data: Path, out: Path, checkpoint_dir: Optional[Path]) -> None:
        # `fit .` inside the data folder would put the model (and its sample grids) in it.
        from gan_augment.data.image_folder import check_outside_source

        for option, folder in (("--out", out), ("--checkpoint-dir", checkpoint_dir)):
            if folder is not None:
                with errors(USAGE, DataValidationError):
                    check_outside_source(folder, data, what=option)

    # ------------------------------------------------------------ augment
    def check_augment_args(self, data: Path, out: Path, *, force: bool, target: Optional[str],
                           mark_synthetic: Optional[str]) -> None:
        if target is not None or mark_synthetic is not None:
            raise CLIError(f"{data} is an image folder: its classes are its sub-folders and synthetic files are "
                           "named synthetic_*.png; drop --target / --mark-synthetic.", USAGE)
        from gan_augment.data.image_folder import IMAGE_SUFFIXES, UNREAD_IMAGE_SUFFIXES, check_tree_out
        from gan_augment.data.io import FORMATS

        if is_stdout(out):  # for a table, standard output; images need files (it wrote a folder named "-")
            raise CLIError(f"--out -: {data} is an image folder, and augment writes a new folder of its images "
                           "and the synthetic ones, which standard output cannot hold; give a folder name, e.g. "
                           "--out augmented/.", USAGE)
        if out.suffix.lower() in (*FORMATS, *IMAGE_SUFFIXES, *UNREAD_IMAGE_SUFFIXES):  # as `sample` reads a name
            raise CLIError(f"--out {out}: {data} is an image folder, and augment writes a new folder of its images "
                           "and the synthetic ones; give a folder name, e.g. --out augmented/."
                           + _tables_beside_text(data), USAGE)
        with errors(USAGE, FileExistsError, DataValidationError):
            check_tree_out(data, out, force=force)  # before any work; the writer checks again

    def check_augment_job(self, data: Path, dataset: Dataset, out: Path, mark_synthetic: Optional[str]) -> None:
        from gan_augment.data.image_folder import check_tree_depth

        with errors(DATA, DataValidationError):
            check_tree_depth(dataset.real)

    def write_augmented(self, dataset: Dataset, augmenter, out: Path, *, force: bool,
                        mark_synthetic: Optional[str], seconds: Optional[float],
                        data_labels: Optional[dict] = None) -> None:
        from gan_augment.data.image_folder import write_augmented_tree

        synthetic = {str(label): augmenter.encoder_.to_pixels(images)
                     for label, images in synthetic_samples(augmenter, data_labels)}
        with errors(USAGE, FileExistsError, DataValidationError):
            write_augmented_tree(dataset.real, out, synthetic, force=force)
        what = added_text({k: len(v) for k, v in synthetic.items()})
        say(f"Wrote {len(dataset.real.files):,} real and {sum(map(len, synthetic.values())):,} synthetic images "
            f"({what}) to {out}/{fit_time(seconds)}.")

    # ------------------------------------------------------------ sample
    def check_sample_out(self, out: Path, model_dir: Path, *, force: bool, names_file: bool,
                         source: Optional[Path]) -> None:
        if names_file:
            raise CLIError(f"--out {out}: {model_dir} makes images, written as PNG files into a directory; "
                           "give a directory, e.g. --out synthetic/.", USAGE)
        if source is not None and source.is_dir():
            # A folder of synthetic images written into the source would be read as real ones (or
            # as one more class) by the next fit.
            from gan_augment.data.image_folder import check_outside_source

            with errors(USAGE, DataValidationError):
                check_outside_source(out, source, what="--out")

    def write_samples(self, augmenter, dataset_info: dict, label: Any, n: int, out: Path, *, force: bool,
                      seed: Optional[int]) -> None:
        from gan_augment.data.image_folder import check_class_samples_out, write_class_samples

        if n == 0:
            raise CLIError("--n 0: there is no image to write; ask for at least one.", USAGE)
        with errors(USAGE, FileExistsError, DataValidationError):  # before the images are made
            check_class_samples_out(str(plain(label)), out, force=force)
        images = augmenter.encoder_.to_pixels(augmenter.sample(n, label, random_state=seed))
        with errors(USAGE, FileExistsError, DataValidationError):
            folder = write_class_samples(images, str(plain(label)), out, force=force,
                                         sixteen_bit=bool(dataset_info.get("sixteen_bit")),
                                         bilevel=bool(dataset_info.get("bilevel")))
        say(f"Wrote {n:,} synthetic images of class {show(label)} to {folder}/.")


def _tables_beside_text(data: Path) -> str:
    """A note naming the table files that lie beside the class folders: DATA may also be "a
    directory holding a table", and such a folder is read as images; say so, and how to read the
    table instead."""
    from gan_augment.data.io import FORMATS

    tables = sorted(p.name for p in data.iterdir()
                    if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith("."))
    if not tables:
        return ""
    return (f" {first_few(tables)} beside the class folders {'is' if len(tables) == 1 else 'are'} not read; to use "
            f"a table, give its path ({quote_path(data / tables[0])}).")


def _skipped_text(skipped: list, unreadable: int = 0) -> str:
    """``"; skipped 2 non-image files, 1 sub-folder (...) and 1 unreadable image"``: what the
    folder held that was not read."""
    from gan_augment.data.image_folder import unread_images_text

    folders = sum(1 for path in skipped if path.is_dir())
    unread = unread_images_text(path for path in skipped if not path.is_dir())
    counts = ((len(skipped) - folders, "non-image file", f" ({unread})" if unread else ""),
              (folders, "sub-folder", " (a class's images are read from its own folder only)"),
              (unreadable, "unreadable image", ""))
    parts = [f"{n} {what}{'s' if n != 1 else ''}{note}" for n, what, note in counts if n]
    if not parts:
        return ""
    return "; skipped " + (parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}")
