"""Image folders in and out: class-per-folder trees (``root/<class>/<image files>``), as read by
torchvision's ``ImageFolder``.

:func:`read_image_folder` reads such a tree into one uint8 array, checking it first so that a
stray file, an unreadable image or a class too small to learn from is named before any work is
done. :func:`write_class_samples` and :func:`write_augmented_tree` write generated images back as
PNG files, never over a folder the user did not agree to replace and never half-written: the new
folder is built beside its destination and renamed into place when complete.
:func:`image_grid` / :func:`save_image_grid` tile images into one picture for a quick look.

Only Pillow and numpy are imported here (no torch), so the command line stays quick to start.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from gan_augment._fs import atomic_path, check_parent_writable, is_link_loop, recover_swap, refuse_linked_file, \
    refuse_linked_output, staged_directory
from gan_augment._listing import first_few
from gan_augment._warnings import catching_warnings, user_stacklevel
from gan_augment.exceptions import DataValidationError



def _pillow_reads_avif() -> bool:
    from PIL import features

    try:
        return bool(features.check_module("avif"))  # Pillow 11.2+, where built with libavif
    except ValueError:  # an older Pillow knows no such module
        return False


#: File suffixes (compared case-insensitively) read as images; other files are skipped.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".jfif", ".bmp", ".gif", ".tif", ".tiff", ".webp",
                  ".pbm", ".pgm", ".ppm", ".pnm") + ((".avif",) if _pillow_reads_avif() else ())
#: Suffixes of image files that are skipped all the same (Pillow does not read them, or not as
#: pixels): named where they are skipped, as a phone's HEIC photos beside its JPEGs would lose a
#: class most of its images unnoticed.
UNREAD_IMAGE_SUFFIXES = tuple(suffix for suffix in (
    ".heic", ".heif", ".avif", ".jxl", ".jp2", ".j2k", ".svg", ".psd", ".ico", ".dng", ".raw", ".cr2", ".nef",
    ".arw") if suffix not in IMAGE_SUFFIXES)


def unread_images_text(paths) -> str:
    """``"10 .heic images"``: the files of ``paths`` that are images in a format not read, counted
    by format (.HEIC and .heic alike), with what to do; "" where there are none."""
    suffixes = Counter(path.suffix.lower() for path in paths if path.suffix.lower() in UNREAD_IMAGE_SUFFIXES)
    if not suffixes:
        return ""
    counted = ", ".join(f"{n} {suffix} image{'s' if n != 1 else ''}" for suffix, n in sorted(suffixes.items()))
    return f"{counted}, a format gan-augment does not read: convert them to PNG or JPEG to use them"

#: What an image's channel count is called in messages.
CHANNEL_KINDS = {1: "grayscale", 3: "RGB"}

#: The hidden file in every folder the writers below make: ``force`` replaces only such folders.
WRITTEN_MARK = ".gan-augment-written"

#: What Pillow raises for a file it cannot decode: not an image, truncated, corrupt, or so large
#: that it looks like a decompression bomb.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, UnidentifiedImageError,
                  Image.DecompressionBombError)

_LAYOUT = "root/<class>/<image files>"
_SKIP_HINT = ("pass --skip-unreadable (in Python: gan_augment.data.image_folder.read_image_folder(path, "
              "skip_unreadable=True))")


@dataclass
class ImageFolder:
    """The images of a class-per-folder tree, as :func:`read_image_folder` returns them.

    Attributes
    ----------
    images : ndarray, shape (N, H, W, C), uint8
        Channel-last pixels; C is 1 (grayscale) or 3 (RGB).
    labels : ndarray of str (dtype object), shape (N,)
        The class (folder name) of each image.
    files : list of Path
        The file each image was read from, in the same order as ``images``.
    classes : list of str
        The class folder names, sorted.
    root : Path
        The folder holding the class folders.
    skipped : list of Path
        Entries of the class folders that are not images: files without an image suffix, hidden
        files (``.DS_Store``) and nested sub-folders.
    unreadable : list of Path
        Image files left out because they could not be decoded (only with ``skip_unreadable=True``).
    sixteen_bit : bool
        Every image was a 16-bit grayscale file (read as 0..255): :func:`write_augmented_tree`
        writes the synthetic images at 16 bits too, so that a loader reading the stored values sees
        real and synthetic images on one scale.
    sixteen_bit_colour : Path or None
        The first colour image with 16 bits per channel (a 48-bit RGB PNG, read as 8-bit RGB), if
        any: Pillow writes colour at 8 bits only, so :func:`write_augmented_tree` refuses such a
        folder rather than write 8-bit synthetic images beside 16-bit real ones.
    bilevel : bool
        Every image was a 1-bit (black and white) file: the synthetic images are written as 1-bit
        files too (thresholded at mid-grey), so that masks and scans stay two-valued.
    """

    images: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)
    files: list = field(repr=False)
    classes: list
    root: Path
    skipped: list = field(default_factory=list)
    unreadable: list = field(default_factory=list)
    sixteen_bit: bool = False
    sixteen_bit_colour: Path | None = None
    bilevel: bool = False


# ===================================================================================== finding
#: Folders of metadata that hold no class: macOS's zip archiver adds __MACOSX (with ``._`` files).
_METADATA_FOLDERS = {"__MACOSX"}


def _is_hidden(path) -> bool:
    name = Path(path).name
    return name.startswith(".") or name in _METADATA_FOLDERS


def _has_image_suffix(path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def is_image_folder(path) -> bool:
    """True when ``path`` is a directory with a (non-hidden) sub-directory holding an image file.

    Meant to tell an image tree from a table cheaply: it stops at the first image found and reads
    no image. It does not check the tree; :func:`read_image_folder` does.
    """
    try:
        with os.scandir(path) as entries:
            sub_dirs = [e.path for e in entries if _entry_is(e, "dir") and not _is_hidden(e.name)]
    except OSError:  # missing, a file, or not readable
        return False
    for sub_dir in sub_dirs:
        try:
            with os.scandir(sub_dir) as entries:
                if any(_entry_is(e, "file") and not e.name.startswith(".") and _has_image_suffix(e.name)
                       for e in entries):
                    return True
        except OSError:
            continue
    return False


def _entry_is(entry: os.DirEntry, kind: str) -> bool:
    """``entry.is_dir()`` / ``is_file()``, False for a link that loops (they raise ELOOP): one stale
    link must not hide the whole tree, as Path.is_dir() would not."""
    try:
        return entry.is_dir() if kind == "dir" else entry.is_file()
    except OSError:
        return False


def _list_tree(root: Path):
    """``(class_dirs, image_files, skipped)`` of the tree at ``root``, in name order, checked.

    ``image_files`` maps each class name to its image-suffixed files. Raises DataValidationError
    for anything that makes the tree unusable, before any image is decoded.
    """
    if not root.exists():
        raise DataValidationError(f"{root} does not exist.")
    if not root.is_dir():
        raise DataValidationError(
            f"{root} is a file, not a folder; give a folder holding one sub-folder per class "
            f"({_LAYOUT})."
        )
    entries = _sorted_entries(root)
    stray = [e for e in entries if e.is_file() and not _is_hidden(e) and _has_image_suffix(e)]
    if stray:
        more = f" (and {len(stray) - 1} more image files)" if len(stray) > 1 else ""
        raise DataValidationError(
            f"{stray[0]}{more} lies directly in {root}; images must sit in one sub-folder per class "
            f"({root}/<class>/{stray[0].name}). Move them into their class folder."
        )
    class_dirs = [e for e in entries if e.is_dir() and not _is_hidden(e)]
    if not class_dirs:
        raise DataValidationError(
            f"{root} holds no class folders; put the images in one sub-folder per class ({_LAYOUT})."
        )
    image_files, skipped, too_small = {}, [], []
    for class_dir in class_dirs:
        files, skipped_before = [], len(skipped)
        for entry in _sorted_entries(class_dir):
            # Nested folders are not read (torchvision's ImageFolder walks them; here they are
            # skipped and counted, and named when they hold a class's only images): a sub-folder
            # is often another grouping (a batch, rejects), whose images would silently join the class.
            # A link to a missing file is an image that cannot be read (named, or skipped as
            # unreadable), not a non-image file.
            if (entry.is_file() or entry.is_symlink()) and not _is_hidden(entry) and _has_image_suffix(entry):
                files.append(entry)
            elif entry.name != WRITTEN_MARK:  # our own mark in a folder `sample` wrote is no news
                skipped.append(entry)
        try:
            _check_class_size(class_dir, len(files), unread=unread_images_text(skipped[skipped_before:]))
        except DataValidationError as refusal:
            too_small.append((class_dir.name, refusal))
        image_files[class_dir.name] = files
    if too_small:  # all of them at once: one a run took as many runs as there were
        more = [name for name, _ in too_small[1:]]
        also = (f" {len(more)} more class folder{'s' if len(more) > 1 else ''} hold{'s' if len(more) == 1 else ''} "
                f"fewer than 2 images too: {first_few(map(repr, more), 10)}.") if more else ""
        raise DataValidationError(str(too_small[0][1]) + also)
    return class_dirs, image_files, skipped


def _sorted_entries(directory: Path) -> list:
    try:
        return sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise DataValidationError(f"Cannot list {directory}: {exc.strerror or exc}.") from exc


def _check_class_size(class_dir: Path, count: int, *, after_skipping: bool = False, unread: str = "") -> None:
    """A GAN learns a class from its images: a class needs at least two. ``unread``: what
    :func:`unread_images_text` says of the class's files in formats not read, where it has some."""
    unread = f" It also holds {unread}." if unread else ""
    if count == 0:
        what = "no readable image" if after_skipping else \
            f"no image file ({', '.join(IMAGE_SUFFIXES)})"
        nested = sorted(p.name for p in class_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        where = (f" directly (images in its subfolder{'s' if len(nested) > 1 else ''} "
                 f"{', '.join(map(repr, nested[:3]))} are not read: a class's images sit in its own folder)"
                 if nested else "")
        raise DataValidationError(
            f"Class folder {class_dir} holds {what}{where}; add images or remove the folder.{unread}"
        )
    if count == 1:
        what = "readable image" if after_skipping else "image"
        raise DataValidationError(
            f"Class {class_dir.name!r} ({class_dir}) has only one {what}; a GAN needs at least 2 "
            f"images of a class. Add more or remove the folder.{unread}"
        )


# ===================================================================================== decoding
class _Decoded(NamedTuple):
    """One image file read: its pixels (H, W, C) uint8, C 1 or 3, and what reading them lost or
    what writing synthetic images beside them must keep."""

    pixels: np.ndarray
    sixteen_bit: bool  # the file stored 16 bits per channel
    transparent: bool  # it had transparent pixels (dropped)
    bilevel: bool  # a 1-bit (black and white) file
    frames: int  # frames or pages in the file (an animation, a TIFF stack); only the first is read
    turned: bool  # its EXIF orientation turned or mirrored the stored pixels
    either_kind: bool  # a palette image whose pixels are all grey: read grey, or RGB beside RGB files


def _decode(path: Path) -> _Decoded:
    """Read one image file; raises one of _DECODE_ERRORS."""
    with Image.open(path) as image:
        # Before load(), which drops the tiles: Pillow reads a 48-bit RGB PNG as 8-bit "RGB" (the
        # high byte of each value), and only its raw mode ("RGB;16B") tells the file is 16-bit.
        deep = image.mode.startswith("I;16") or _ppm_maxval(image) > 255 or any(
            _SIXTEEN_BITS_PER_CHANNEL.fullmatch(_raw_mode(tile)) for tile in image.tile)
        one_bit_palette = image.mode == "P" and any(_raw_mode(tile) == "P;1" for tile in image.tile)
        image.load()  # Image.open reads only the header: a truncated file fails here
        upright, turned = _upright(image)
        palette = _palette_colours(image) if image.mode in ("P", "PA") else None
        used = _used_colours(image, palette) if palette is not None else None
        grey_pixels = used is not None and _grey(used)
        bilevel = image.mode == "1" or (one_bit_palette and grey_pixels and bool(np.isin(used, (0, 255)).all()))
        either_kind = grey_pixels  # a palette (a GIF's) says nothing of the kind: one grey photo among colour ones
        return _Decoded(_to_array(upright, path, sixteen_bit=deep, grey_palette=grey_pixels), deep,
                        _transparent(image), bilevel, _frames(image), turned, either_kind)


def _frames(image: Image.Image) -> int:
    """Frames or pages of an image file that hold images of their own. A camera's JPEG with a
    preview or an HDR gain map after the picture opens as a 2-frame MPO: one photo, not two."""
    return 1 if image.format == "MPO" else getattr(image, "n_frames", 1)


#: Pillow's raw modes of 16 bits per channel (PNG "RGB;16B", TIFF "RGBA;16L", ...); not a BMP's
#: "BGR;16", 16 bits per pixel (5-6-5), whose channels hold at most 8 bits.
_SIXTEEN_BITS_PER_CHANNEL = re.compile(r"(RGB[AXa]?|LA|CMYK|I);16[BLN]?")


def _ppm_maxval(image: Image.Image) -> int:
    """The largest sample value a Netpbm file declares, before ``load()`` (Pillow's PPM decoder
    arguments are the raw mode and it: ``("RGB", 65535)`` for a 48-bit PPM, which Pillow scales to
    8 bits); 0 for other files (a BMP's second argument is its row stride)."""
    if image.format != "PPM":
        return 0
    maxvals = [tile[3][1] for tile in image.tile if len(tile) > 3 and isinstance(tile[3], tuple)
               and len(tile[3]) > 1 and isinstance(tile[3][1], int)]
    return max(maxvals, default=0)


def _raw_mode(tile) -> str:
    """The raw mode of one of Pillow's tiles: its decoder arguments are the raw mode itself (PNG)
    or a tuple that starts with it (TIFF: ``("RGB;16L", 0, 1)``)."""
    args = tile[3] if len(tile) > 3 else None
    if isinstance(args, tuple):
        args = args[0] if args else None
    return args if isinstance(args, str) else ""


def _transparent(image: Image.Image) -> bool:
    """Whether some pixel is not fully opaque: an alpha channel below 255, or a pixel of the
    transparent colour a palette or a colour key (PNG's tRNS) names."""
    if image.mode in ("RGBA", "RGBa", "LA", "La", "PA"):
        return bool((np.asarray(image.getchannel("A")) < 255).any())
    if "transparency" not in image.info:
        return False
    key = image.info["transparency"]
    if image.mode.startswith("I"):  # 16-bit grey: converting clips values to 255 before comparing
        return isinstance(key, int) and bool((np.asarray(image) == key).any())
    try:
        alpha = image.convert("RGBA").getchannel("A")
    except ValueError:  # a mode Pillow cannot give alpha: its key is dropped unseen
        return False
    return bool((np.asarray(alpha) < 255).any())


def _upright(image: Image.Image) -> tuple[Image.Image, bool]:
    """Turn a photo as its EXIF orientation says, so the pixels are what an image viewer shows;
    and whether that moved them (an orientation other than 1, "as stored")."""
    try:
        # 2..8 turn or mirror; 1 is "as stored", and 0 or 9+ (written by some software) mean nothing.
        turned = image.getexif().get(ExifTags.Base.Orientation, 1) in range(2, 9)
        return ImageOps.exif_transpose(image), turned
    except Exception:  # noqa: BLE001 - a broken EXIF block must not make readable pixels unusable
        return image, False


def _to_array(image: Image.Image, path: Path, *, sixteen_bit: bool = False, grey_palette: bool = False) -> np.ndarray:
    """Grayscale modes become (H, W, 1), every other mode (H, W, 3) RGB.

    * ``1``, ``L``: as 0..255 values; ``LA``/``La``: the alpha channel is dropped.
    * ``I;16`` (16-bit), and ``I`` read from a 16-bit file (``sixteen_bit``: a 16-bit PGM): the
      full 0..65535 range is mapped onto 0..255 (divided by 257).
    * ``I`` (32-bit integer) and ``F`` (float): read as they are when every value is a whole
      number in 0..255 (8-bit data some tools store so); otherwise refused, naming the range, since
      rounding and clipping would change them (a float TIFF in [0, 1] would become black and white).
    * ``P`` / ``PA`` whose pixels use grey palette entries only (``grey_palette``; as Pillow writes
      grayscale GIFs): grayscale.
    * Everything else (``RGB``, ``RGBA``, ``P``, ``CMYK``, ``YCbCr``, ...): converted to RGB;
      an alpha channel is dropped, not blended onto a background.
    """
    mode = image.mode
    if mode.startswith("I;16") or (mode == "I" and sixteen_bit):
        gray = np.rint(np.asarray(image).astype(np.float64) / 257.0)  # 65535 / 257 = 255
    elif mode in ("I", "F"):
        gray = np.asarray(image, dtype=np.float64)
        if not (np.isfinite(gray).all() and gray.min() >= 0 and gray.max() <= 255 and (gray == np.rint(gray)).all()):
            finite = gray[np.isfinite(gray)]
            span = f"from {finite.min():g} to {finite.max():g}" if finite.size else "that are not numbers"
            if 0 < finite.size < gray.size:
                span += ", some not numbers"
            kind = "floating-point" if mode == "F" else "32-bit integer"
            raise DataValidationError(
                f"{path} is a {kind} image (mode {mode!r}) with values {span}; "
                "images are read as 8-bit (whole numbers 0..255) or 16-bit, and rounding or clipping these values "
                "would change them. Save the images as 8-bit PNGs (values scaled to 0..255) or 16-bit PNGs.")
    elif mode in ("1", "L"):
        gray = np.asarray(image.convert("L"))
    elif mode in ("LA", "La"):
        gray = np.asarray(image.getchannel(0))
    elif mode in ("P", "PA") and grey_palette:
        gray = np.asarray(image.convert("RGB"))[..., 0]
    else:
        try:
            rgb = image.convert("RGB")
        except ValueError as exc:
            raise DataValidationError(
                f"{path} has colour mode {mode!r}, which cannot be converted to RGB; save it as an "
                "RGB or grayscale PNG."
            ) from exc
        return np.asarray(rgb, dtype=np.uint8)
    return gray.astype(np.uint8)[..., None]


def _palette_colours(image: Image.Image) -> np.ndarray:
    """Every colour of a ``P``/``PA`` image's palette, (K, 3)."""
    return np.asarray(image.getpalette("RGB") or [], dtype=np.int64).reshape(-1, 3)


def _used_colours(image: Image.Image, colours: np.ndarray) -> np.ndarray:
    """The ``colours`` of a ``P``/``PA`` image's palette that its pixels use, (K, 3); an unused
    entry (a tool's 256-entry palette, say) says nothing about the image."""
    indexes = image if image.mode == "P" else image.getchannel(0)
    used = np.array([index for _, index in indexes.getcolors(256)], dtype=np.int64)
    return colours[used[used < len(colours)]]


def _grey(colours: np.ndarray) -> bool:
    return bool(len(colours) and (colours == colours[:, :1]).all())




# ===================================================================================== reading
def read_image_folder(path, *, skip_unreadable: bool = False) -> ImageFolder:
    """Read a class-per-folder image tree (``root/<class>/<image files>``).

    Parameters
    ----------
    path : str or Path
        The root folder. Each non-hidden sub-folder is a class, named by its folder; classes and
        files are taken in name order. Files without an image suffix (:data:`IMAGE_SUFFIXES`),
        hidden files and nested sub-folders are skipped and listed in ``skipped``.
    skip_unreadable : bool
        Leave out (with a warning) image files that cannot be decoded, instead of raising.

    Returns
    -------
    ImageFolder
        All images as one (N, H, W, C) uint8 array, C 1 (grayscale) or 3 (RGB), see
        :func:`_to_array` for how colour modes are mapped. Images whose size differs from the most
        common one are resized to it (bilinear), with a warning.

    Raises
    ------
    DataValidationError
        The folder is missing or has no class folders, an image lies directly in the root, a class
        has fewer than two images, a file cannot be decoded (without ``skip_unreadable``), or the
        folder mixes grayscale and RGB images.
    """
    root = Path(path)
    class_dirs, image_files, skipped = _list_tree(root)
    arrays, files, labels, unreadable, sixteen_bit, transparent, bilevel = [], [], [], [], [], [], []
    either_kind = []
    several_frames: dict[Path, int] = {}
    turned = []
    # Pillow advises converting each palette image whose transparency is a byte table; the
    # reader converts them itself, and says once below what transparency it dropped.
    with catching_warnings():
        warnings.filterwarnings("ignore", message="Palette images with Transparency", category=UserWarning)
        for class_dir in class_dirs:
            readable = 0
            for file in image_files[class_dir.name]:
                try:
                    array, deep, see_through, one_bit, frames, exif_turned, flexible = _decode(file)
                except DataValidationError:  # a ValueError, but about the colour mode, not decoding
                    raise
                except _DECODE_ERRORS as exc:
                    if not skip_unreadable:
                        raise DataValidationError(
                            f"{file} could not be read as an image ({_reason(exc)}); remove it, or "
                            f"{_SKIP_HINT} to leave out unreadable files."
                        ) from exc
                    unreadable.append(file)
                    continue
                arrays.append(array)
                either_kind.append(flexible)
                sixteen_bit.append(deep)
                bilevel.append(one_bit)
                if see_through:
                    transparent.append(file)
                if frames > 1:
                    several_frames[file] = frames
                if exif_turned:
                    turned.append(file)
                files.append(file)
                labels.append(class_dir.name)
                readable += 1
            _check_class_size(class_dir, readable, after_skipping=True)
    if unreadable:
        warnings.warn(
            f"Skipped {len(unreadable)} unreadable image file{'s' if len(unreadable) != 1 else ''} "
            f"in {root} (e.g. {unreadable[0]}).", UserWarning, stacklevel=user_stacklevel(),
        )
    if transparent:
        several = len(transparent) != 1
        warnings.warn(
            f"{len(transparent)} image{'s' if several else ''} in {root} {'have' if several else 'has'} "
            f"transparent pixels (e.g. {transparent[0]}); transparency is dropped: the GAN models the colour "
            "channels, where a transparent pixel keeps the colour stored under it (often black), and its "
            "samples are opaque. Flatten the images onto a background first to choose how they look.",
            UserWarning, stacklevel=user_stacklevel(),
        )
    if several_frames:
        file, frames = next(iter(several_frames.items()))
        several = len(several_frames) != 1
        warnings.warn(
            f"{len(several_frames)} image file{'s' if several else ''} in {root} {'hold' if several else 'holds'} "
            f"several frames or pages (e.g. {file}: {frames}); only the first of each is read. Save every frame as "
            "a file of its own to use them all.", UserWarning, stacklevel=user_stacklevel(),
        )
    if turned:
        several = len(turned) != 1
        warnings.warn(
            f"{len(turned)} image{'s' if several else ''} in {root} {'carry' if several else 'carries'} an EXIF "
            f"orientation (e.g. {turned[0]}): read turned upright, as image viewers show them, so synthetic "
            "images are upright too, while `augment` copies real files as they are. Loaders that ignore EXIF "
            "(torchvision's default, plain Image.open) read those turned: save them upright first "
            "(PIL.ImageOps.exif_transpose) for one orientation everywhere.", UserWarning, stacklevel=user_stacklevel(),
        )
    deep = [array for array, is_deep in zip(arrays, sixteen_bit) if is_deep]
    if deep and max(int(array.max()) for array in deep) <= _TWELVE_BIT_CEILING:
        # 12-bit data in 16-bit files (scanners, microscopes): on the 16-bit scale it is near black.
        warnings.warn(
            f"The 16-bit images of {root} hold values up to about 4,095 (12-bit data), 1/16 of the 16-bit range: "
            "read on that range they become 0..16 of 255, 17 grey levels, and synthetic images are written on the "
            "same scale. Scale them to the full 16-bit range first (multiply by 16).", UserWarning,
            stacklevel=user_stacklevel())
    if any(array.shape[2] == 3 for array, flexible in zip(arrays, either_kind) if not flexible):
        # A palette image whose pixels happen to be grey (a grey photo in a set of GIFs) is RGB
        # beside RGB files, exactly.
        arrays = [np.repeat(array, 3, axis=2) if flexible else array for array, flexible in zip(arrays, either_kind)]
    _check_one_kind(arrays, files, root)
    deep_colour = [file for file, array, is_deep in zip(files, arrays, sixteen_bit) if is_deep and array.shape[2] == 3]
    arrays = _same_size(arrays, files, root)
    return ImageFolder(
        images=np.stack(arrays),
        labels=np.array(labels, dtype=object),
        files=files,
        classes=[d.name for d in class_dirs],
        root=root,
        skipped=skipped,
        unreadable=unreadable,
        sixteen_bit=all(sixteen_bit) and not deep_colour,  # (grayscale: colour is written at 8 bits only)
        sixteen_bit_colour=deep_colour[0] if deep_colour else None,
        bilevel=all(bilevel),
    )


#: A 16-bit image read at most this high (of 255) uses no more than 12 of its bits (4,095 / 257 = 15.9).
_TWELVE_BIT_CEILING = 16


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_one_kind(arrays, files, root: Path) -> None:
    """All grayscale or all RGB: a generator makes one number of channels."""
    is_gray = [a.shape[2] == 1 for a in arrays]
    n_gray = sum(is_gray)
    n_rgb = len(arrays) - n_gray
    if n_gray and n_rgb:
        odd_is_gray = n_gray <= n_rgb
        odd = next(f for f, gray in zip(files, is_gray) if gray == odd_is_gray)
        raise DataValidationError(
            f"{root} mixes grayscale and RGB images ({n_gray} grayscale, {n_rgb} RGB images, e.g. "
            f"{odd} is {'grayscale' if odd_is_gray else 'RGB'}); convert them to one kind "
            "(grayscale to RGB loses nothing)."
        )


def _same_size(arrays, files, root: Path) -> list:
    """Resize every image to the most common (height, width), ties going to the larger area."""
    sizes = Counter(a.shape[:2] for a in arrays)
    if len(sizes) == 1:
        return arrays
    height, width = max(sizes, key=lambda s: (sizes[s], s[0] * s[1], s))
    resized, first = 0, None
    out = []
    for array, file in zip(arrays, files):
        if array.shape[:2] != (height, width):
            if first is None:
                first = (file, array.shape[1], array.shape[0])
            array = _resize(array, height, width)
            resized += 1
        out.append(array)
    assert first is not None  # two sizes or more: some image was resized
    file, old_w, old_h = first
    # Height x width, as fit's summary and `info` give sizes.
    warnings.warn(
        f"Resized {resized} of {len(arrays)} images in {root} to {height}x{width} px "
        f"(height x width), the most common size (e.g. {file} was {old_h}x{old_w}); resize them "
        "beforehand to choose how.", UserWarning, stacklevel=user_stacklevel(),
    )
    return out


def _resize(array: np.ndarray, height: int, width: int) -> np.ndarray:
    image = Image.fromarray(array[..., 0] if array.shape[2] == 1 else array)
    image = image.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=None)
    return np.asarray(image, dtype=np.uint8).reshape(height, width, array.shape[2])


# ===================================================================================== writing
def write_png(image, path, *, sixteen_bit: bool = False, bilevel: bool = False) -> Path:
    """Write one (H, W, C) or (H, W) uint8 array to ``path`` as a PNG, atomically.

    C=1 (or no channel axis) is saved as grayscale ("L"; with ``sixteen_bit``, 16-bit "I;16",
    0..255 mapped onto 0..65535 as the reader maps it back; with ``bilevel``, 1-bit "1", values
    from 128 up white), C=3 as RGB. An existing file at ``path`` is replaced, and only once the
    new one is completely written.
    """
    pixels = _check_image(image)
    if bilevel and pixels.ndim == 2:
        pixels = pixels >= 128  # Pillow writes a boolean array as a 1-bit image
    elif sixteen_bit and pixels.ndim == 2:
        pixels = pixels.astype(np.uint16) * 257  # 255 * 257 = 65535
    path = Path(path)
    refuse_linked_file(path)  # the rename would replace the link, not the file it points to
    with atomic_path(path) as temp:
        # The temporary name ends in .tmp, so the format cannot be guessed from it.
        Image.fromarray(pixels).save(temp, format="PNG")
    return path


def encode_png(image) -> bytes:
    """One (H, W, C) or (H, W) uint8 array as PNG file content."""
    buffer = io.BytesIO()
    Image.fromarray(_check_image(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def _check_image(image) -> np.ndarray:
    """``image`` as a contiguous (H, W) or (H, W, 3) uint8 array, as Pillow takes it."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise ValueError(f"An image must be a uint8 numpy array, not {_describe(image)}.")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)) or 0 in image.shape:
        raise ValueError(
            f"An image must have shape (H, W), (H, W, 1) or (H, W, 3), not {image.shape}."
        )
    return np.ascontiguousarray(image)


def _check_images(images, what="images") -> np.ndarray:
    """``images`` as an (N, H, W, C) uint8 array with C 1 or 3."""
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        raise ValueError(f"{what} must be a uint8 numpy array, not {_describe(images)}.")
    if images.ndim != 4 or images.shape[3] not in (1, 3) or 0 in images.shape[1:]:
        raise ValueError(f"{what} must have shape (N, H, W, C) with C 1 or 3, not {images.shape}.")
    return images


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of {value.dtype}"
    return type(value).__name__


#: What cannot be part of one file or folder name here: the path separators of this system (a
#: backslash is one on Windows only; elsewhere a class folder may be named with one) and NUL.
_NOT_IN_A_NAME = tuple(sorted({"/", os.sep, os.altsep or "/", "\0"}))


def _check_name(name, what: str) -> str:
    """``name`` must be usable as one file or folder name, read back as it was written."""
    if not isinstance(name, str):
        raise DataValidationError(f"The {what} {name!r} must be a string, not {type(name).__name__}.")
    if name in ("", ".", "..") or any(c in name for c in _NOT_IN_A_NAME):
        shown = ", ".join(repr(c) for c in _NOT_IN_A_NAME if c != "\0")
        raise DataValidationError(
            f"The {what} {name!r} cannot be used as a folder or file name; rename it (no {shown} or NUL, "
            "and not empty, '.' or '..')."
        )
    if name.startswith("."):
        # read_image_folder ignores hidden folders and files: what is written must be read back.
        raise DataValidationError(
            f"The {what} {name!r} starts with '.', which makes it a hidden name that is skipped "
            "when the folder is read; rename it."
        )
    return name


def _sample_names(count: int, prefix: str, taken=()) -> list:
    """``<prefix>_00000.png``, ``..._00001.png``, ...: zero-padded to at least 5 digits, skipping
    names in ``taken`` (compared case-insensitively, as some file systems do)."""
    taken = {name.lower() for name in taken}
    width = max(5, len(str(max(count - 1 + len(taken), 0))))
    names: list[str] = []
    number = 0
    while len(names) < count:
        name = f"{prefix}_{number:0{width}d}.png"
        if name.lower() not in taken:
            names.append(name)
        number += 1
    return names


def write_class_samples(images, class_name, out_dir, *, force: bool = False,
                        prefix: str = "synthetic", sixteen_bit: bool = False, bilevel: bool = False) -> Path:
    """Write ``images`` (N, H, W, C uint8) as ``out_dir/<class_name>/<prefix>_00000.png``, ...
    (grayscale ones as 16-bit files with ``sixteen_bit``, as 1-bit ones with ``bilevel``, as
    :func:`write_png` writes them).

    An existing non-empty ``out_dir/<class_name>`` is replaced as a whole with ``force=True``
    (FileExistsError otherwise), and only if gan-augment wrote it (it holds :data:`WRITTEN_MARK`,
    which this call writes too): real images in a class folder are never replaced. The files are written into a hidden staging folder in
    ``out_dir`` and renamed into place when all are written: on any error, what was there is left
    untouched. Returns the class folder.
    """
    images = _check_images(images)
    if len(images) == 0:
        raise ValueError(f"No image to write for class {class_name!r}.")
    class_dir = check_class_samples_out(class_name, out_dir, force=force, prefix=prefix)
    # overwrite=force: a folder another run wrote meanwhile is kept unless force (the rename refuses it).
    with staged_directory(class_dir, overwrite=force, check_replace=_check_written_by_us) as staging:
        for image, name in zip(images, _sample_names(len(images), prefix)):
            write_png(image, staging / name, sixteen_bit=sixteen_bit, bilevel=bilevel)
        _mark_written(staging, "gan-augment sample")
    return class_dir


def check_class_samples_out(class_name, out_dir, *, force: bool = False, prefix: str = "synthetic") -> Path:
    """The class folder :func:`write_class_samples` would write, or the error it would raise on
    the names and the folder, before any image is made (``gan-augment sample`` generated them all
    first). Returns the class folder."""
    _check_name(class_name, "class name")
    _check_name(prefix, "file name prefix")
    class_dir = Path(out_dir) / class_name
    _check_replaceable(class_dir, force=force, what="Class folder")
    check_parent_writable(class_dir)
    return class_dir


def write_augmented_tree(source: ImageFolder, out_dir, synthetic, *, force: bool = False,
                         prefix: str = "synthetic") -> Path:
    """Write a new tree ``out_dir/<class>/...``: the real images of ``source`` plus ``synthetic``.

    Every file in ``source.files`` is copied byte for byte (``shutil.copy2``) under its own name;
    skipped and unreadable files are not copied. ``synthetic`` maps class names (those of
    ``source`` or new ones) to (N, H, W, C) uint8 arrays, written as ``<prefix>_00000.png``, ...
    (numbers already used by a real file are passed over), so generated files are recognisable.

    The source folder is never touched: ``out_dir`` may not be it, lie inside it or contain it.
    An existing non-empty ``out_dir`` is replaced only with ``force=True`` (FileExistsError
    otherwise), only if gan-augment wrote it (it holds :data:`WRITTEN_MARK`, as this call leaves
    it), and only once the new tree is complete: it is built in a hidden staging folder
    beside ``out_dir`` and swapped in, so on any error ``out_dir`` is as it was. Returns ``out_dir``.
    """
    out_dir = Path(out_dir)
    _check_name(prefix, "file name prefix")
    check_tree_depth(source)
    synthetic = _check_synthetic(synthetic, source)
    check_tree_out(source.root, out_dir, force=force)
    # overwrite=force: a folder another run wrote meanwhile is kept unless force (the rename refuses it).
    with staged_directory(out_dir, overwrite=force, check_replace=_check_written_by_us) as staging:
        _fill_tree(staging, source, synthetic, prefix)
        _mark_written(staging, "gan-augment augment")
    return out_dir


def check_tree_depth(source: ImageFolder) -> None:
    """Raise unless :func:`write_augmented_tree` can write synthetic images at the bit depth of
    ``source``'s files: colour at 8 bits, grayscale at 8 or 16 (a tree of two scales would read
    wrong in any loader that keeps the stored values)."""
    if source.sixteen_bit_colour is not None:
        raise DataValidationError(
            f"The images of {source.root} have 16 bits per channel and are read as colour (e.g. "
            f"{source.sixteen_bit_colour}); synthetic colour images can only be written at 8 bits, and a folder of "
            "16-bit real beside 8-bit synthetic images holds two scales. Convert the images to 8-bit first, or "
            "write the synthetic images alone (gan-augment sample).")


def check_tree_out(source_root, out_dir, *, force: bool = False) -> None:
    """Raise unless :func:`write_augmented_tree` may write ``out_dir`` for the image folder at
    ``source_root``: outside the source tree, absent or empty (or, with ``force``, a tree this
    function wrote before), in a writable place. Cheap (nothing is decoded): call it before any
    long work."""
    out_dir = Path(out_dir)
    check_parent_writable(out_dir)  # first: it names a name too long, where resolve() and exists() fail
    check_outside_source(out_dir, source_root)
    # A tree whose replacement was killed between its two renames is put back first, to be
    # refused (or replaced with force) now rather than found only once the new tree is written.
    recover_swap(out_dir)
    _check_replaceable(out_dir, force=force, what="Output folder")


def _check_synthetic(synthetic, source: ImageFolder) -> dict:
    """The generated images by class, checked: safe class names, one kind of image as the source."""
    checked = {}
    channels = source.images.shape[3] if source.images.ndim == 4 else None
    for class_name, images in dict(synthetic).items():
        _check_name(class_name, "class name")
        images = _check_images(images, f"The synthetic images of class {class_name!r}")
        if channels is not None and len(images) and images.shape[3] != channels:
            # A tree mixing the two could not be read back (see read_image_folder).
            raise DataValidationError(
                f"The synthetic images of class {class_name!r} are {CHANNEL_KINDS[images.shape[3]]} but "
                f"the images of {source.root} are {CHANNEL_KINDS[channels]}; generate {CHANNEL_KINDS[channels]} "
                "images."
            )
        checked[str(class_name)] = images
    return checked


def check_outside_source(out_dir, root, *, what: str = "The output folder") -> None:
    """Refuse an ``out_dir`` that is, lies in or holds the source tree at ``root`` (or one of its
    class folders, which may be links to elsewhere): replacing it would delete the user's images,
    and a folder written inside it would be read as one more class next time."""
    out_dir, root = Path(out_dir), Path(root)
    try:
        out = out_dir.resolve()
    except (RuntimeError, OSError) as exc:
        if not is_link_loop(exc):
            raise
        raise DataValidationError(
            f"{what} {out_dir} goes through a symbolic link that points back to itself ({exc}); remove the "
            "link or give another path."
        ) from exc
    protected = {root.resolve()} | {entry.resolve() for entry in root.iterdir() if entry.is_dir()}
    for folder in sorted(protected):
        if out == folder:
            relation = "is"
        elif folder in out.parents:
            relation = "lies inside"
        elif out in folder.parents:
            relation = "contains"
        else:
            continue
        source = "the source folder" if folder == root.resolve() else "the source class folder"
        raise DataValidationError(
            f"{what} {out_dir} {relation} {source} {folder}; an output that overlaps the source could "
            "overwrite the images read, or be read as one more class next time: choose a folder outside it."
        )


def _fill_tree(staging: Path, source: ImageFolder, synthetic: dict, prefix: str) -> None:
    real: dict[str, list[Path]] = {}
    for file, label in zip(source.files, source.labels):
        real.setdefault(str(label), []).append(Path(file))
    for class_name in sorted(set(real) | {c for c, images in synthetic.items() if len(images)}):
        class_dir = staging / class_name
        class_dir.mkdir()
        for file in real.get(class_name, []):
            shutil.copy2(file, class_dir / file.name)
        images = synthetic.get(class_name, ())
        taken = [f.name for f in real.get(class_name, [])]
        for image, name in zip(images, _sample_names(len(images), prefix, taken)):
            write_png(image, class_dir / name, sixteen_bit=source.sixteen_bit, bilevel=source.bilevel)


def _check_replaceable(path: Path, *, force: bool, what: str) -> None:
    """``path`` may be written: absent, an empty folder, or (with force) a folder that gan-augment
    wrote before (it holds :data:`WRITTEN_MARK`)."""
    refuse_linked_output(path, what)
    if path.is_dir():
        try:
            is_empty = next(path.iterdir(), None) is None
        except OSError as exc:
            raise DataValidationError(f"Cannot list {path}: {exc.strerror or exc}.") from exc
        if not is_empty:
            _check_written_by_us(path, what)  # first: --force would not help with a folder of the user's
        if not is_empty and not force:
            raise FileExistsError(
                f"{what} {path} already exists and is not empty; pass --force to replace it "
                "(force=True in Python), or choose another folder."
            )
    elif path.exists():
        raise FileExistsError(f"{path} exists and is not a folder; give a folder path.")


def _check_written_by_us(path: Path, what: str = "Folder") -> None:
    """Refuse to replace a non-empty folder that gan-augment did not write: a mistyped --out (a
    home folder, a data set) must never be wiped by --force, nor a file the user put into a folder
    gan-augment wrote (its mark lists the files written)."""
    mark = path / WRITTEN_MARK
    if not mark.is_file() and next(path.iterdir(), None) is not None:
        raise FileExistsError(
            f"{what} {path} holds files that gan-augment did not write (it has no {WRITTEN_MARK} file), so it is "
            "not replaced even with --force; choose another folder, or empty it first."
        )
    written = _written_files(mark) if mark.is_file() else None
    if written is None:  # a mark of a version that did not list its files
        return
    folders = {parent.as_posix() for name in written for parent in Path(name).parents}
    foreign = []
    for entry in _entries_below(path):  # a folder before what is in it
        if entry != WRITTEN_MARK and entry not in written and entry not in folders \
                and not any(entry.startswith(shown + "/") for shown in foreign):  # its folder is named
            foreign.append(entry)
    if foreign:
        raise FileExistsError(
            f"{what} {path} was written by gan-augment, but {first_few(foreign)} in it "
            f"{'was' if len(foreign) == 1 else 'were'} not, so it is not replaced even with --force; move what you "
            "added out of it, or choose another folder."
        )


def _entries_below(folder: Path) -> list:
    """Every file and folder below ``folder``, as POSIX paths relative to it (links not followed)."""
    entries = []
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        entries += [(base / name).as_posix() for name in sorted(dirs) + sorted(files)]
    return entries


def _written_files(mark: Path):
    """The files the mark says gan-augment wrote, or None for a mark without the list."""
    try:
        lines = mark.read_text(encoding="utf-8").splitlines()
        listed = json.loads(lines[1])["files"] if len(lines) > 1 else None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
        return set()  # unreadable: nothing in the folder is known to be ours
    if not isinstance(listed, list):
        return None
    # Only names: a damaged list ([["a"]]) failed as "unhashable type: 'list'".
    return {name for name in listed if isinstance(name, str)}


def _mark_written(folder: Path, by: str) -> None:
    """Mark ``folder`` as written by gan-augment, listing the files in it now (all of them ours)."""
    files = [entry for entry in _entries_below(folder) if (folder / entry).is_file()]
    (folder / WRITTEN_MARK).write_text(f"Written by {by}; --force (force=True) may replace this folder.\n"
                                       + json.dumps({"files": files}) + "\n", encoding="utf-8")


# ===================================================================================== grids
def image_grid(images, *, ncols=None, padding: int = 2) -> np.ndarray:
    """Tile (N, H, W, C) uint8 images row by row into one (rows*H + gaps, ncols*W + gaps, C) array.

    ``ncols`` defaults to ceil(sqrt(N)); ``padding`` pixels of value 0 separate the tiles (none
    around the border); unused tiles of the last row stay 0.
    """
    images = _check_images(images)
    count, height, width, channels = images.shape
    if count == 0:
        raise ValueError("No image to tile.")
    ncols = math.ceil(math.sqrt(count)) if ncols is None else int(ncols)
    if ncols < 1 or padding < 0:
        raise ValueError(f"ncols must be at least 1 and padding at least 0, not {ncols} and {padding}.")
    nrows = math.ceil(count / ncols)
    grid = np.zeros((nrows * height + (nrows - 1) * padding,
                     ncols * width + (ncols - 1) * padding, channels), dtype=np.uint8)
    for index, image in enumerate(images):
        row, col = divmod(index, ncols)
        top, left = row * (height + padding), col * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def save_image_grid(images, path, *, ncols=None, padding: int = 2) -> Path:
    """Tile ``images`` with :func:`image_grid` and write them to ``path`` as one PNG, atomically."""
    return write_png(image_grid(images, ncols=ncols, padding=padding), path)
