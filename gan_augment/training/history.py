"""Per-epoch training records."""

from __future__ import annotations

import math


class History(list):
    """A list of per-epoch dicts (``epoch``, ``loss_d``, ``loss_g``, ``lr_g``, ``lr_d``, ``time_s``).

    ``history[:, "loss_g"]`` gives one key across epochs, as in skorch: the epochs that hold it (a
    rating made every few epochs, ``snapshot_score``); a KeyError if none does.
    """

    def __getitem__(self, index):
        if isinstance(index, tuple):
            rows, key = index
            if not isinstance(rows, slice):  # history[-1, "loss_g"]: one epoch's value
                return list.__getitem__(self, rows)[key]
            records = list.__getitem__(self, rows)
            found = [record[key] for record in records if key in record]
            if records and not found:
                raise KeyError(key)
            return found
        return list.__getitem__(self, index)

    def to_json(self) -> list[dict]:
        """The records as a model file or checkpoint holds them: a NaN (a figure not measured yet,
        such as the adaptive augmentation's signal before its first interval) as the text "NaN",
        so that the file stays strict JSON; a None a callback recorded stays null."""
        return [{key: _NAN if isinstance(value, float) and math.isnan(value) else value
                 for key, value in record.items()} for record in self]

    @classmethod
    def from_json(cls, records) -> "History":
        """Records as :meth:`to_json` wrote them (or as earlier versions did, NaN as such): NaN back
        where it was."""
        return cls({key: math.nan if value == _NAN else value for key, value in record.items()} for record in records)


#: How a NaN of a record is written (JSON has no NaN).
_NAN = "NaN"
