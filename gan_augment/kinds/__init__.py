"""The data-kind registry: the one place that decides whether data is a table, images, ...

``kind_for_input`` picks the kind of a user's ``X`` (the first registered kind that recognises it;
tables last, as the fallback); ``kind_named`` finds a kind by the name saved in a model file. A new
kind subclasses :class:`~gan_augment.kinds.base.DataKind` and is added to ``KINDS``.
"""

from __future__ import annotations

from gan_augment.data.images import check_not_pil_images
from gan_augment.kinds.base import DataKind
from gan_augment.kinds.image import ImageKind
from gan_augment.kinds.tabular import TabularKind

__all__ = ["KINDS", "DataKind", "kind_for_input", "kind_named"]

#: Registered kinds, asked in this order; the last one accepts whatever the others do not.
KINDS: tuple[DataKind, ...] = (ImageKind(), TabularKind())


def kind_for_input(X, params: dict) -> DataKind:
    """The kind of ``X`` given an estimator's ``params`` (e.g. ``image_shape`` makes rows images)."""
    check_not_pil_images(X)  # PIL images of several sizes would be taken for ragged table rows
    return next(kind for kind in KINDS if kind.recognises(X, params))


def kind_named(name: str) -> DataKind:
    """The registered kind called ``name`` (as saved in a model file)."""
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise ValueError(f"Unknown data kind {name!r}; this version knows {[kind.name for kind in KINDS]}.")
