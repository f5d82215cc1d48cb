"""The snapshot score of gan_augment.selection: low for fresh samples of the real distribution, high
for a collapsed generator, and the same for the same generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from gan_augment import GANAugmenter
from gan_augment.kinds import kind_named
from gan_augment.selection import c2st_scorer


def _draw(n_per_class: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Three classes: two numeric columns centred on the class, a category whose odds depend on it."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n_per_class)
    X = pd.DataFrame({"a": rng.normal(y, 1.0), "b": rng.normal(-y, 0.5) * 10,
                      "c": np.where(rng.random(len(y)) < 0.2 + 0.3 * y, "x", "z")})
    return X, y


class Oracle(torch.nn.Module):
    """A 'generator' whose rows of class c are fresh draws of the true distribution of c, picked by
    the noise from a pool (all the same row when ``collapsed``)."""

    noise_dim = 4

    def __init__(self, pools: list[torch.Tensor], collapsed=False):
        super().__init__()
        self.pools, self.n_classes, self.collapsed = pools, len(pools), collapsed
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # generate() reads the device from a parameter

    def forward(self, z, labels):
        pool = self.pools[int(labels[0])]
        u = torch.special.ndtr(z[:, 0])  # uniform from the noise: seeded like any generator's
        picks = (u * len(pool)).long().clamp(max=len(pool) - 1)
        return pool[torch.zeros_like(picks) if self.collapsed else picks]


def test_c2st_score_tells_true_samples_from_a_collapsed_generator_and_repeats_itself():
    X, y = _draw(80, seed=0)
    kind = kind_named("tabular")
    codec, _, _ = kind.fit_codec(GANAugmenter().get_params(deep=False), X, seed=0, device=torch.device("cpu"))
    fresh, fresh_y = _draw(400, seed=1)
    pools = [torch.as_tensor(codec.transform(fresh[fresh_y == c], random_state=0), dtype=torch.float32)
             for c in range(3)]
    before = X.copy()
    score = c2st_scorer(kind, codec, X, y, [0, 2], seed=0)
    true_samples = score(Oracle(pools))
    collapsed = score(Oracle(pools, collapsed=True))
    assert 0.0 <= true_samples < 0.15, true_samples  # 0.08 when written; noise of an AUC on 80 rows
    assert collapsed > 0.4, collapsed
    assert score(Oracle(pools)) == true_samples  # common random numbers: same generator, same score
    pd.testing.assert_frame_equal(X, before)  # the user's rows are read, not changed
