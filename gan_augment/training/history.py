"""Per-epoch training records."""

from __future__ import annotations

import math


class History(list):
    """A list of per-epoch dicts (``epoch``, ``loss_d``, ``loss_g``, ``lr_g``, ``lr_d``, ``time_s``).

    ``history[:, "loss_g"]`` gives one key across epochs, as in skorch.
    """

    def __getitem__(self, index):
        if isinstance(index, tuple):
            rows, key = index
            return [record[key] for record in list.__getitem__(self, rows)]
        return list.__getitem__(self, index)

    def to_json(self) -> list[dict]:
        """The records as a model file or checkpoint holds them: a NaN (a figure not measured yet,
        such as the adaptive augmentation's signal before its first interval) as null, so that the
        file stays strict JSON."""
        return [{key: None if isinstance(value, float) and math.isnan(value) else value for key, value in record.items()}
                for record in self]

    @classmethod
    def from_json(cls, records) -> "History":
        """Records as :meth:`to_json` wrote them: null read back as NaN, what training records."""
        return cls({key: math.nan if value is None else value for key, value in record.items()} for record in records)
