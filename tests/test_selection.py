"""The snapshot score of gan_augment.selection (low for fresh samples of the real distribution, high
for a collapsed generator, the same for the same generator) and GANAugmenter's early stopping."""

from __future__ import annotations

import numpy as np
import pytest
import pandas as pd
import torch

from gan_augment import GANAugmenter
from gan_augment.kinds import kind_named
from gan_augment.selection import c2st_scorer

# The label gate is on (the tables' default) with a short judge: the gate is not these tests' subject.
pytestmark = pytest.mark.usefixtures("quick_row_judge")


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


def _wine_frame():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


def test_early_stopping_keeps_the_best_rated_snapshot_and_ends_within_patience_of_it():
    from gan_augment._random import derive_seed, spawn_seeds
    from gan_augment.augmenter import _SELECTION_STREAM
    from gan_augment.config import EARLY_STOPPING_PATIENCE

    X, y = _wine_frame()
    augmenter = GANAugmenter(classes=[2], epochs=60, early_stopping=True, batch_size=64, random_state=0,
                             n_threads=1).fit(X, y)
    rated = [(r["epoch"], r["snapshot_score"]) for r in augmenter.history_ if "snapshot_score" in r]
    epochs = [epoch for epoch, _ in rated]
    assert epochs[:3] == [3, 6, 9]  # every 5% of the 60 planned epochs
    best_epoch, best = min(rated, key=lambda pair: pair[1])
    last = len(augmenter.history_)
    assert last == 60 or (last < 60 and len([e for e in epochs if e > best_epoch]) == EARLY_STOPPING_PATIENCE)
    # The generator kept is the best-rated one: rated again, it scores the best score.
    labels = np.unique(y)
    score = c2st_scorer(augmenter.kind_, augmenter.encoder_, X, np.searchsorted(labels, y), [2],
                        seed=derive_seed(spawn_seeds(0, 4)[2], _SELECTION_STREAM))
    assert score(augmenter.generator_) == best
    if best_epoch < last:  # then it differs from where training ended
        assert augmenter.history_[best_epoch - 1]["snapshot_score"] == best


def test_a_class_of_one_row_is_not_rated_so_early_stopping_still_rates_the_others():
    # Its two-sample AUC was NaN, the mean over classes too, and NaN never improves: training
    # stopped after 3 ratings, at 15% of the planned epochs, with no snapshot kept.
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(71, 3)), columns=["a", "b", "c"])
    y = np.repeat([0, 1, 2], [50, 1, 20])
    with pytest.warns(UserWarning):
        augmenter = GANAugmenter(epochs=40, batch_size=32, early_stopping=True, label_gate=False, random_state=0,
                                 n_threads=1).fit(X, y)
    scores = [r["snapshot_score"] for r in augmenter.history_ if "snapshot_score" in r]
    assert scores and np.isfinite(scores).all()


def test_early_stopping_is_off_by_default_and_refused_for_images():
    X, y = _wine_frame()
    plain = GANAugmenter(classes=[2], epochs=4, batch_size=64, random_state=0, n_threads=1).fit(X, y)
    assert len(plain.history_) == 4 and all("snapshot_score" not in r for r in plain.history_)
    images = np.random.default_rng(0).random((40, 64)).astype(np.float32)
    with pytest.raises(ValueError, match="early_stopping=True rates table rows"):
        GANAugmenter(image_shape=(1, 8, 8), early_stopping=True, epochs=1).fit(images, np.repeat([0, 1], 20))
    with pytest.raises(ValueError, match="early_stopping"):
        GANAugmenter(early_stopping="auto").fit(X, y)
