"""Several generators sampled as one: an equal mixture (generator ensembles against mode collapse).

Deep Generative Ensembles (van Breugel et al., 2023, "Synthetic data, real errors: how (not) to
publish and use synthetic data") train K generators from independent seeds and draw the synthetic
data from all of them: where one generator dropped a mode or invented one, the others dilute it,
and downstream models trained on the mixture generalise better than on any one member. Spreading
several independent runs is also the remedy SGAN (Chavdarova & Fleuret, 2018) proposes for modes a
single generator keeps missing; here each member has its own critic, as in DGE.
"""

from __future__ import annotations

import torch
from torch import nn

from gan_augment.models._styles import HAS_TRUNCATION


class GeneratorEnsemble(nn.Module):
    """K trained generators behind the generator interface ``forward(z, y)``.

    Row ``i`` of a call comes from member ``(start + i) mod K``, ``start`` drawn from torch's random
    stream (seeded where the library samples, so a seed gives the same rows): the members take
    turns within a call and, through ``start``, across calls, so that calls of fewer than K rows (a
    class topped up by one row, a loop of ``sample(1)``) still draw on every member. The mixture is
    equal, every class is still produced by its condition (label-exact), and n rows cost n member
    rows (O(n)).
    """

    def __init__(self, members):
        super().__init__()
        members = list(members)
        if len(members) < 2:
            raise ValueError(f"An ensemble needs at least 2 generators, got {len(members)}.")
        shapes = {(m.noise_dim, m.n_classes) for m in members}
        if len(shapes) != 1:
            raise ValueError(f"The generators of an ensemble must share noise_dim and n_classes; got {sorted(shapes)}.")
        self.members = nn.ModuleList(members)
        self.noise_dim, self.n_classes = members[0].noise_dim, members[0].n_classes

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        k = len(self.members)
        start = int(torch.randint(k, ()))
        # An empty batch still goes through one member, for the shape and dtype of its (0, ...) result.
        parts = [(i, self.members[(start + i) % k](z[i::k], y[i::k])) for i in range(min(k, max(z.shape[0], 1)))]
        first = parts[0][1]
        out = first.new_empty((z.shape[0], *first.shape[1:]))
        for i, rows in parts:
            out[i::k] = rows
        return out

    @property
    def truncation_psi(self) -> float:
        """Style-based members' truncation (see :class:`~gan_augment.models.stylegan.StyleGenerator`),
        set on every member, read from the first (a member's own, set alone, stays its own); an
        AttributeError for members without it."""
        return self.members[0].truncation_psi  # see __getattr__ for members without it

    @truncation_psi.setter
    def truncation_psi(self, psi: float) -> None:
        self.truncation_psi  # the members' AttributeError where they have none
        for member in self.members:
            member.truncation_psi = psi

    def __getattr__(self, name: str):
        # A property's AttributeError sends Python to nn.Module.__getattr__, whose own message
        # ("object has no attribute") would replace the one above.
        if name == "truncation_psi":
            raise AttributeError(f"the ensemble's {type(self.members[0]).__name__} members have no truncation_psi "
                                 f"({HAS_TRUNCATION})")
        return super().__getattr__(name)
