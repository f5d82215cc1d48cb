"""Progressive growing (``architecture="progressive"``): the schedule, fading in where the stage
below left off, the minibatch standard deviation, and the growth state through checkpoints."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from gan_augment import GANAugmenter
from gan_augment.models.progressive import (ProgressiveDiscriminator, ProgressiveGenerator, growth_stage,
                                            minibatch_stddev)


def test_each_resolution_gets_an_equal_share_its_first_half_fading_in():
    assert growth_stage(0.0, 3) == (0, 1.0)  # 4x4 from the start, nothing to fade
    assert growth_stage(0.3, 3) == (0, 1.0)
    assert growth_stage(1 / 3, 3) == (1, 0.0)  # 8x8 begins invisible...
    assert growth_stage(0.5, 3) == pytest.approx((1, 1.0))  # ...and is at full weight halfway through its share
    assert growth_stage(0.6, 3) == (1, 1.0)
    stage, alpha = growth_stage(0.75, 3)
    assert stage == 2 and alpha == pytest.approx(0.5)
    assert growth_stage(1.0, 3) == growth_stage(7.0, 3) == (2, 1.0)
    assert growth_stage(0.2, 1) == (0, 1.0)


@pytest.mark.parametrize("resolution", [8, 16, 32])
def test_a_new_stage_fades_in_from_exactly_where_the_stage_below_left_off(resolution):
    torch.manual_seed(0)
    G = ProgressiveGenerator(16, 3, 1, resolution, width=8).eval()
    D = ProgressiveDiscriminator(1, 3, resolution, width=8).eval()
    n_stages = G.n_stages
    z, y = torch.randn(6, 16), torch.tensor([0, 1, 2, 0, 1, 2])
    x = torch.rand(6, 1, resolution, resolution) * 2 - 1
    with torch.no_grad():
        for stage in range(1, n_stages):
            for module in (G, D):
                module.set_progress(stage / n_stages - 1e-6)  # the last moment of the stage below
            before = G(z, y), D(x, y)
            for module in (G, D):
                module.set_progress(stage / n_stages)  # the new stage, alpha = 0 (as the float32 buffer holds it)
            assert G.stage()[0] == stage and G.stage()[1] < 1e-6
            assert torch.allclose(G(z, y), before[0], atol=1e-6)
            assert torch.allclose(D(x, y), before[1], atol=1e-5)
            for module in (G, D):
                module.set_progress((stage + 0.5) / n_stages)  # full weight: the new layers now show
            assert not torch.allclose(G(z, y), before[0], atol=1e-3)
    # Every stage's image has the working size; below the last, it is a blown-up smaller image.
    G.set_progress(0.0)
    with torch.no_grad():
        image = G(z, y)
    assert image.shape == (6, 1, resolution, resolution)
    assert torch.equal(image[..., ::2, ::2], image[..., 1::2, 1::2])


def test_a_model_stopped_mid_growth_reads_its_stage_back_as_it_stood():
    # The float64 progress gave another fade-in alpha (at a boundary, another stage) than its float32
    # copy in a model file or checkpoint: a fit stopped early mid-growth sampled differently once saved.
    for progress in (2 / 9, 1 / 3, 0.1):
        G = ProgressiveGenerator(8, 2, 1, 16, width=8)
        G.set_progress(progress)
        loaded = ProgressiveGenerator(8, 2, 1, 16, width=8)
        loaded.load_state_dict(G.state_dict())
        assert loaded.stage() == G.stage()
        z, y = torch.randn(4, 8), torch.tensor([0, 1, 0, 1])
        with torch.no_grad():
            assert torch.equal(loaded.eval()(z, y), G.eval()(z, y))


def test_minibatch_stddev_sees_a_batch_without_variety():
    same = torch.randn(1, 3, 4, 4).repeat(8, 1, 1, 1)
    varied = torch.randn(8, 3, 4, 4)
    assert minibatch_stddev(same).shape == (8, 4, 4, 4)
    assert minibatch_stddev(same)[:, 3].max() < 1e-3 < minibatch_stddev(varied)[:, 3].min()
    assert minibatch_stddev(torch.randn(6, 3, 4, 4)).shape == (6, 4, 4, 4)  # groups of 2 when 4 does not divide
    assert minibatch_stddev(torch.randn(5, 3, 4, 4)).shape == (5, 4, 4, 4)


def test_the_growth_state_is_saved_with_the_weights():
    G = ProgressiveGenerator(8, 2, 1, 16, width=8)
    G.set_progress(0.5)
    fresh = ProgressiveGenerator(8, 2, 1, 16, width=8)
    assert fresh.stage() == (2, 1.0)  # a new model stands fully grown
    fresh.load_state_dict(G.state_dict())
    assert fresh.stage() == G.stage() == growth_stage(0.5, 3)
    # It pickles (its load hook was a lambda: DataLoader workers and joblib's cache failed), and the
    # copy still reads its progress back when weights are loaded.
    copy = pickle.loads(pickle.dumps(fresh))
    copy.load_state_dict(ProgressiveGenerator(8, 2, 1, 16, width=8).state_dict())
    assert copy.stage() == (2, 1.0)


@pytest.fixture(scope="module")
def digits_job():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    keep = (y < 3) & ((y != 2) | (np.cumsum(y == 2) <= 12))
    return X[keep].reshape(-1, 8, 8), y[keep]


def test_a_short_fit_ends_grown_to_full_size_with_its_last_update(digits_job):
    # Two updates on 8x8 digits: the first as 4x4 (8x8 at fade-in weight 0), the last at 8x8 at full
    # weight. The last used to train at progress 1/2, so samples were 4x4 blocks scaled up.
    X, y = digits_job
    seen = []

    class Stages:
        def on_train_begin(self, trainer): pass
        def on_train_end(self, trainer): pass
        def on_epoch_end(self, trainer, record):
            seen.append(trainer.generator.stage())

    augmenter = GANAugmenter(architecture="progressive", epochs=2, batch_size=len(X), random_state=0, n_threads=1,
                             device="cpu", callbacks=[Stages()]).fit(X, y)
    assert seen == [(1, 0.0), (1, 1.0)]
    assert augmenter.generator_.stage() == (1, 1.0)
    blocks = augmenter.sample(8, 0).reshape(8, 4, 2, 4, 2)
    assert not np.all(blocks == blocks[:, :, :1, :, :1])  # not every 2x2 block of one value


def test_a_fit_killed_mid_growth_resumes_bit_identically(digits_job, tmp_path):
    X, y = digits_job
    seen = []

    class KilledAtEpoch3:
        def on_train_begin(self, trainer): pass
        def on_train_end(self, trainer): pass
        def on_epoch_end(self, trainer, record):
            seen.append(trainer.generator.stage())
            if record["epoch"] == 3:
                raise KeyboardInterrupt

    settings = dict(architecture="progressive", epochs=5, batch_size=32, random_state=0, n_threads=1,
                    checkpoint_every=1, device="cpu")  # bit-identical on the CPU, as promised
    with pytest.raises(KeyboardInterrupt):
        GANAugmenter(checkpoint_dir=tmp_path / "ckpt", callbacks=[KilledAtEpoch3()], **settings).fit(X, y)
    assert seen[-1][0] == 1 and seen[-1][1] < 1  # stopped while 8x8 was fading in
    resumed = GANAugmenter(checkpoint_dir=tmp_path / "ckpt", **settings).fit(X, y)
    straight = GANAugmenter(**settings).fit(X, y)
    assert resumed.generator_.stage() == (1, 1.0)
    assert np.array_equal(resumed.sample(20, 2), straight.sample(20, 2))
    assert straight.training_config_.betas == (0.0, 0.99)
    straight.save(tmp_path / "model")
    loaded = GANAugmenter.load(tmp_path / "model")
    assert loaded.generator_.stage() == (1, 1.0)
    assert np.array_equal(loaded.sample(20, 2), straight.sample(20, 2))
    X_res, y_res = straight.fit_resample(X, y)
    counts = np.bincount(y_res)
    assert counts[2] == counts.max() and X_res.shape[1:] == (8, 8)
