"""Truncation is the style-based generator's alone: what the other generators say of it."""

from __future__ import annotations

#: Where truncation is to be found, said wherever a generator has none.
HAS_TRUNCATION = "the style-based generator, architecture='stylegan', has"


class WithoutTruncation:
    """A generator of no styles, whose ``truncation_psi`` is refused when set: a plain attribute of
    a torch module changed no sample, silently, and a saved model dropped it."""

    def __setattr__(self, name: str, value) -> None:
        if name == "truncation_psi":
            raise AttributeError(f"{type(self).__name__} has no truncation_psi ({HAS_TRUNCATION})")
        super().__setattr__(name, value)
