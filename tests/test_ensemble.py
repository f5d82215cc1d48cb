"""Generator ensembles (n_generators=K): K independently seeded generators sampled as one mixture."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits, load_iris

from gan_augment import GANAugmenter
from gan_augment.diversity import measure_class
from gan_augment.models.ensemble import GeneratorEnsemble
from gan_augment.training.trainer import generate

pytestmark = pytest.mark.usefixtures("quick_row_judge")

SMALL = dict(epochs=3, batch_size=64, noise_dim=8, generator_dims=(32,), discriminator_dims=(32,), pac=4,
             max_modes=3, device="cpu", random_state=0)


class Constant(torch.nn.Module):
    """A generator whose every row is ``value`` (and the class index, to check conditioning)."""

    noise_dim, n_classes = 3, 2

    def __init__(self, value):
        super().__init__()
        self.value = torch.nn.Parameter(torch.tensor(float(value)))

    def forward(self, z, y):
        return torch.stack([self.value.expand(len(z)), y.float()], dim=1)


def test_the_ensemble_takes_members_in_turn_from_a_drawn_start_for_any_batch_size():
    ensemble = GeneratorEnsemble([Constant(10), Constant(20), Constant(30)])
    for n in (0, 1, 2, 3, 7, 100):  # 0: an IndexError where a single generator returns no rows
        rows = ensemble(torch.zeros(n, 3), torch.ones(n, dtype=torch.long))
        assert rows.shape == (n, 2) and torch.all(rows[:, 1] == 1)  # every row of the asked class
        if n:
            start = int(rows[0, 0]) // 10 - 1
            assert torch.equal(rows[:, 0], torch.tensor([10.0, 20.0, 30.0]).roll(-start).repeat(n)[:n])
    with pytest.raises(ValueError, match="at least 2"):
        GeneratorEnsemble([Constant(1)])


def test_calls_of_fewer_rows_than_members_draw_on_every_member_reproducibly():
    # Row i of every call came from member i mod K: sample(1) only ever drew on member 0.
    ensemble = GeneratorEnsemble([Constant(10), Constant(20), Constant(30)])
    firsts = [float(generate(ensemble, 1, 1, seed=seed)[0, 0]) for seed in range(60)]
    assert set(firsts) == {10.0, 20.0, 30.0} and max(firsts.count(v) for v in set(firsts)) < 30
    assert [float(generate(ensemble, 1, 1, seed=seed)[0, 0]) for seed in range(60)] == firsts


def test_disagreement_is_zero_for_one_distribution_and_near_one_for_disjoint_members():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, 2))
    members = np.arange(400) % 2
    same = rng.normal(size=(400, 2))
    apart = rng.normal(size=(400, 2)) * 0.1 + np.where(members[:, None] == 0, -5.0, 5.0)
    assert measure_class(real, same, members=members).disagreement < 0.15
    assert measure_class(real, apart, members=members).disagreement > 0.9
    assert measure_class(real, same).disagreement is None  # no members: not measured


def test_an_ensemble_of_collapsed_members_reads_collapsed_though_its_mixture_varies():
    # Three members that each make one picture gave a mixture of three: distinct 0.2 and spread over
    # 1 read healthy, and the topped-up class went unnamed.
    from gan_augment.diversity import ClassDiversity, describe

    rng = np.random.default_rng(0)
    real = rng.normal(size=(15, 4))
    members = np.arange(501) % 3
    copies = real[members * 5]  # member m: real row 5m, over and over
    mixture = measure_class(real, copies)
    assert not mixture.collapsed and mixture.spread > 0.25  # what the pooled check alone said
    measured = measure_class(real, copies, members=members)
    assert measured.collapsed_members == 3 and measured.collapsed
    assert "3 of the ensemble's generators collapsed on their own" in describe("2", measured, "images")
    healthy = measure_class(real, rng.normal(size=(501, 4)), members=members)
    assert healthy.collapsed_members == 0 and not healthy.collapsed
    one = measure_class(real, np.where(members[:, None] == 0, real[0], rng.normal(size=(501, 4))), members=members)
    assert one.collapsed_members == 1 and one.collapsed  # a third of the top-up copies of one row
    assert ClassDiversity.from_dict(measured.to_dict()) == measured
    assert "collapsed_members" not in mixture.to_dict()  # a single generator's record as before


def test_an_ensemble_fit_is_label_exact_reproducible_and_round_trips(tmp_path):
    X, y = load_iris(return_X_y=True)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        single = GANAugmenter(**SMALL).fit(frame, y)
        ensemble = GANAugmenter(**SMALL, n_generators=3).fit(frame, y)
        again = GANAugmenter(**SMALL, n_generators=3).fit(frame, y)
    members = ensemble.generator_.members
    assert len(members) == 3 and len(ensemble.member_histories_) == 3
    assert ensemble.history_ is ensemble.member_histories_[0]
    # Independently seeded members; member 0 is seeded as the single generator, so it is that model.
    assert not torch.equal(members[0].head.weight, members[1].head.weight)
    for name, value in single.generator_.state_dict().items():
        assert torch.equal(value, members[0].state_dict()[name]), name
    sample = ensemble.sample(30, 2, random_state=5)
    assert len(sample) == 30 and list(sample.columns) == ["a", "b", "c", "d"]
    pd.testing.assert_frame_equal(again.sample(30, 2, random_state=5), sample)
    empty = ensemble.sample(0, 2)  # no rows, as a single generator gives: the columns alone
    assert empty.shape == (0, 4) and list(empty.columns) == ["a", "b", "c", "d"]
    X_res, y_res = GANAugmenter(**SMALL, n_generators=2, sampling_strategy={0: 60}).fit_resample(frame, y)
    assert (np.asarray(y_res)[len(y):] == 0).all() and len(y_res) == len(y) + 10
    # Disagreement is measured per class; saved, loaded and sampled as the fitted one.
    assert all(0.0 <= d.disagreement <= 1.0 for d in ensemble.diversity_.values())
    assert single.diversity_[2].disagreement is None
    ensemble.save(tmp_path / "model")
    loaded = GANAugmenter.load(tmp_path / "model")
    assert isinstance(loaded.generator_, GeneratorEnsemble) and loaded.n_generators == 3
    pd.testing.assert_frame_equal(loaded.sample(30, 2, random_state=5), sample)
    assert loaded.diversity_ == ensemble.diversity_
    # Every member's training is kept, and `gan-augment info` shows all of them, not member 0 alone.
    assert [list(h) for h in loaded.member_histories_] == [list(h) for h in ensemble.member_histories_]
    from gan_augment.cli.info import _training_lines

    lines = "\n".join(_training_lines(loaded))
    seconds = sum(r["time_s"] for h in ensemble.member_histories_ for r in h)
    assert f"Training:  3 generators x 3 epochs in {seconds:.1f} s" in lines
    finals = [f"{h[-1]['loss_d']:+.4f}" for h in ensemble.member_histories_]
    assert f"D {' / '.join(finals)}" in lines and "(one per generator)" in lines and "seed 0" in lines
    assert "no seed (fit again with --seed" in "\n".join(_training_lines(loaded.set_params(random_state=None)))
    # n_generators set after the fit does not change what was fitted, nor what a save can load.
    ensemble.set_params(n_generators=1).save(tmp_path / "model")
    assert len(GANAugmenter.load(tmp_path / "model").generator_.members) == 3


def test_member_disagreement_is_measured_on_the_members_own_samples_not_through_the_gate(monkeypatch):
    # Rows the label gate rejects shifted which member each kept row was taken to come from:
    # members making disjoint rows were reported as interchangeable (0.05 against 0.6 ungated).
    import gan_augment.augmenter as augmenter_module

    seen = []
    real_measure = augmenter_module.measure_class

    def spy(real, synthetic, groups=None, *, members=None, member_samples=None):
        seen.append((synthetic, members, member_samples))
        return real_measure(real, synthetic, groups, members=members, member_samples=member_samples)

    monkeypatch.setattr(augmenter_module, "measure_class", spy)
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ensemble = GANAugmenter(**SMALL, n_generators=3, label_gate=True).fit(X, y)
    from gan_augment.diversity import SAMPLES_PER_CLASS

    for synthetic, members, member_samples in seen:
        assert len(members) == len(member_samples) == SAMPLES_PER_CLASS  # each member's own rows, ungated
        assert np.array_equal(members, np.sort(np.arange(SAMPLES_PER_CLASS) % 3))
    assert len(seen) == 3 and all(0.0 <= d.disagreement <= 1.0 for d in ensemble.diversity_.values())


def test_an_ensemble_of_a_table_of_categories_measures_its_members():
    # The members' samples were made features in a call of their own, whose one-hot columns spanned
    # other values than the mixture's: the fit failed after training ("weights and list don't have
    # the same length").
    rng = np.random.default_rng(0)
    common = pd.DataFrame({"colour": rng.choice(["red", "green"], 200), "size": rng.choice(["S", "M"], 200)})
    rare = pd.DataFrame({"colour": rng.choice(["blue", "black"], 40), "size": rng.choice(["L", "XL"], 40)})
    X, y = pd.concat([common, rare], ignore_index=True), np.array(["A"] * 200 + ["B"] * 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter = GANAugmenter(epochs=1, batch_size=64, random_state=0, n_generators=2, label_gate=False).fit(X, y)
    assert set(augmenter.diversity_) == {"A", "B"}
    assert all(0 <= d.disagreement <= 1 and np.isfinite(d.spread) for d in augmenter.diversity_.values())


def test_images_get_ensembles_too():
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, [1, 3])
    augmenter = GANAugmenter(image_shape=(1, 8, 8), classes=[3], epochs=1, batch_size=32, n_generators=2,
                             random_state=0, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        augmenter.fit(X[keep][:120], y[keep][:120])
    images = augmenter.sample(6, 3)
    assert images.shape == (6, 64) and isinstance(augmenter.generator_, GeneratorEnsemble)
    assert not np.array_equal(images[0], images[1])


def test_checkpoints_and_ensembles_are_refused_together_before_training(tmp_path):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="checkpoint_dir cannot be combined with n_generators=2"):
        GANAugmenter(**SMALL, n_generators=2, checkpoint_dir=tmp_path / "ck").fit(X, y)
    assert not (tmp_path / "ck").exists()
    with pytest.raises(ValueError, match="n_generators"):
        GANAugmenter(n_generators=0).fit(X, y)


def test_info_of_an_early_stopped_ensemble_describes_every_generator():
    # It described member 0 alone ("3 generators x 12 epochs" where they trained 12, 8 and 14).
    from gan_augment.cli.info import _training_lines

    X, y = load_iris(return_X_y=True, as_frame=True)
    ensemble = GANAugmenter(**{**SMALL, "epochs": 6}, n_generators=2, early_stopping=True, classes=[2]).fit(X, y)
    lines = "\n".join(_training_lines(ensemble))
    lengths = [len(h) for h in ensemble.member_histories_]
    assert ("2 generators x " + (f"{lengths[0]} epochs" if len(set(lengths)) == 1 else
                                 f"{lengths[0]}, {lengths[1]} epochs")) in lines
    for history in ensemble.member_histories_:
        rated = [(r["epoch"], r["snapshot_score"]) for r in history if "snapshot_score" in r]
        epoch, score = min(rated, key=lambda pair: pair[1])
        assert f"{len(rated)} ratings, epoch-{epoch} snapshot ({score:.3f})" in lines
    assert "Early stopping, per generator:" in lines

