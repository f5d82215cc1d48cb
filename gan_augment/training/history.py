"""Per-epoch training records."""

from __future__ import annotations


class History(list):
    """A list of per-epoch dicts (``epoch``, ``loss_d``, ``loss_g``, ``lr_g``, ``lr_d``, ``time_s``).

    ``history[:, "loss_g"]`` gives one key across epochs, as in skorch.
    """

    def __getitem__(self, index):
        if isinstance(index, tuple):
            rows, key = index
            return [record[key] for record in list.__getitem__(self, rows)]
        return list.__getitem__(self, index)
