"""The registry of data handlers, keyed by the data kind's name (``gan_augment.kinds``).

The one place that tells a table from an image folder on the command line: a command asks once,
from its DATA path or from the kind of a saved model, and uses the handler from then on.
"""

from __future__ import annotations

from pathlib import Path

from ._data import DataHandler
from ._images import ImageFolderData
from ._tables import TableData

HANDLERS: dict[str, DataHandler] = {handler.kind_name: handler for handler in (TableData(), ImageFolderData())}


def for_path(data: Path) -> DataHandler:
    """The handler of an input path: an image folder, or else a table (whose reader says what is wrong)."""
    from gan_augment.data.image_folder import is_image_folder

    return HANDLERS[ImageFolderData.kind_name if is_image_folder(data) else TableData.kind_name]


def for_model(augmenter) -> DataHandler:
    """The handler of a fitted (or loaded) augmenter's data kind."""
    return HANDLERS[augmenter.kind_.name]
