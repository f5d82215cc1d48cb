"""What gan-augment's imbalanced-learn samplers share."""

from __future__ import annotations


class TableSamplerMixin:
    """Tags of a sampler that takes tables as they are -- missing values and string columns
    included, never sparse -- and returns new rows rather than indices of existing ones."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.sparse = False
        tags.sampler_tags.sample_indices = False
        return tags
