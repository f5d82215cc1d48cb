"""GANTrainer and generate: reproducibility, class balance, label-exact O(k) sampling, resuming."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from gan_augment.config import LOSSES, TrainingConfig
from gan_augment.data.tabular import OutputSpan, TabularEncoder
from gan_augment.exceptions import TrainingDivergedError
from gan_augment.models.tabular import TabularDiscriminator, TabularGenerator
from gan_augment.training import Callback, Checkpoint, EarlyStopping, GANTrainer, ProgressBar, SnapshotSelection
from gan_augment.training.trainer import _SAMPLE_CHUNK, generate, seeded_rng

# Data column 0 is a class marker (see _table); then a categorical block and a "numeric" pair.
SPANS = [OutputSpan(0, 1, "tanh"), OutputSpan(1, 3, "softmax"), OutputSpan(4, 1, "tanh"),
         OutputSpan(5, 2, "softmax")]
DIM = 7
PAC = 4


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # The models here are tiny: a second thread only adds synchronisation, and on a busy 2-core
    # machine it makes every step many times slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _table(counts=(60, 60), seed=0):
    """Encoded-like rows; column 0 holds the class index scaled into (-1, 1)."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.zeros((len(y), DIM), dtype=np.float32)
    X[:, 0] = y / 10
    X[np.arange(len(y)), 1 + rng.integers(0, 3, len(y))] = 1
    X[:, 4] = np.tanh(rng.normal(y - 0.5, 0.3))
    X[np.arange(len(y)), 5 + (rng.random(len(y)) < 0.3 + 0.4 * y)] = 1
    return torch.from_numpy(X), torch.from_numpy(y)


class RecordingGenerator(TabularGenerator):
    """Records the class indices of every call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def forward(self, z, y):
        self.calls.append(y.clone())
        return super().forward(z, y)


class RecordingDiscriminator(TabularDiscriminator):
    """Records the rows and class indices of every call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def forward(self, x, y):
        self.calls.append((x.detach().clone(), y.clone()))
        return super().forward(x, y)


class NaNGenerator(TabularGenerator):
    def forward(self, z, y):
        return super().forward(z, y) * float("nan")


def _modules(seed=0, n_classes=2, generator_cls=TabularGenerator, discriminator_cls=TabularDiscriminator,
             spans=SPANS):
    with seeded_rng(seed, torch.device("cpu")):
        generator = generator_cls(8, n_classes, spans, class_embedding_dim=4, hidden_dims=(32,))
        discriminator = discriminator_cls(sum(s.size for s in spans), n_classes, hidden_dims=(32,), pac=PAC)
    return generator, discriminator


def _trainer(seed=0, *, module_seed=0, callbacks=(), generator_cls=TabularGenerator,
             discriminator_cls=TabularDiscriminator, n_classes=2, **config):
    config = {"epochs": 3, "batch_size": 32, "lr_g": 1e-3, "lr_d": 1e-3, **config}
    generator, discriminator = _modules(module_seed, n_classes, generator_cls, discriminator_cls)
    return GANTrainer(generator, discriminator, TrainingConfig(**config), device="cpu",
                      callbacks=callbacks, random_state=seed)


def _states_equal(a, b):
    a, b = a.state_dict(), b.state_dict()
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ============================================================================ reproducibility
def test_same_seed_gives_bit_identical_models_and_samples():
    X, y = _table()
    first, second = _trainer(0).fit(X, y), _trainer(0).fit(X, y)
    assert _states_equal(first.generator, second.generator)
    assert _states_equal(first.discriminator, second.discriminator)
    assert _states_equal(first.generator_ema_, second.generator_ema_)
    assert torch.equal(first.sample(50, 1, seed=3), second.sample(50, 1, seed=3))
    assert first.history_[:, "loss_g"] == second.history_[:, "loss_g"]


def test_same_seed_is_bit_identical_with_several_threads_too():
    X, y = _table()
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        first, second = _trainer(0, epochs=1).fit(X, y), _trainer(0, epochs=1).fit(X, y)
        assert _states_equal(first.generator_ema_, second.generator_ema_)
        assert torch.equal(first.sample(300, 0, seed=1), second.sample(300, 0, seed=1))
    finally:
        torch.set_num_threads(threads)


def test_different_seeds_give_different_models_and_samples():
    X, y = _table()
    first, second = _trainer(0).fit(X, y), _trainer(1).fit(X, y)
    assert not _states_equal(first.generator, second.generator)
    assert not torch.equal(first.sample(50, 1, seed=3), second.sample(50, 1, seed=3))
    assert not torch.equal(first.sample(50, 1, seed=3), first.sample(50, 1, seed=4))


def test_fit_and_generate_leave_the_global_torch_rng_alone():
    X, y = _table()
    torch.manual_seed(123)
    before = torch.get_rng_state()
    trainer = _trainer(0).fit(X, y)
    assert torch.equal(torch.get_rng_state(), before)
    trainer.sample(100, 0, seed=1)
    generate(trainer.generator, 10, 1, seed=2)
    assert torch.equal(torch.get_rng_state(), before)


def test_random_state_none_still_trains_and_records_its_seed():
    X, y = _table()
    trainer = _trainer(None, epochs=1).fit(X, y)
    assert isinstance(trainer.seed_, int) and len(trainer.history_) == 1


@pytest.mark.parametrize("seed, error, message", [
    (1.7, TypeError, r"random_state must be None, an int"), ("1", TypeError, r"random_state must be None, an int"),
    (True, TypeError, r"random_state=True is a bool; give a whole-number seed"),
    (-5, ValueError, r"must be an int in \[0, 2\*\*32\)"),
    (2 ** 40, ValueError, r"must be an int in \[0, 2\*\*32\), got 1099511627776"),
])
def test_a_seed_that_is_no_seed_is_refused_before_training(seed, error, message):
    # 1.7 and "1" trained as 1; 2**40 trained as 0 (torch's generator keeps the low 32 bits).
    X, y = _table()
    trainer = _trainer(seed, epochs=1)
    with pytest.raises(error, match=message):
        trainer.fit(X, y)
    assert not hasattr(trainer, "history_")
    # A numpy RandomState is drawn from once, as scikit-learn reads it.
    assert isinstance(_trainer(np.random.RandomState(0), epochs=1).fit(X, y).seed_, int)


# ============================================================================ history and losses
def test_history_records_moving_finite_losses():
    X, y = _table()
    trainer = _trainer(0, epochs=4).fit(X, y)
    history = trainer.history_
    assert history[:, "epoch"] == [1, 2, 3, 4]
    assert set(history[0]) >= {"epoch", "loss_d", "loss_g", "lr_g", "lr_d", "time_s"}
    assert all(math.isfinite(v) for v in history[:, "loss_d"] + history[:, "loss_g"])
    assert len(set(history[:, "loss_d"])) == 4 and len(set(history[:, "loss_g"])) == 4
    assert history[:, "lr_g"] == [1e-3] * 4  # no schedule: constant
    assert trainer.epoch_ == trainer.n_epochs_ == 4
    assert trainer.step_ == 4 * trainer.steps_per_epoch_


@given(steps_per_epoch=st.one_of(st.integers(1, 4), st.integers(1, 5000)), target_steps=st.integers(1, 10_000))
def test_auto_epochs_hold_the_target_updates_however_small_the_table(steps_per_epoch, target_steps):
    # The fewest epochs that hold target_steps updates: a table smaller than a batch (one update per
    # epoch) gets them all (a cap of 1,000 epochs once gave it a third).
    epochs = TrainingConfig(target_steps=target_steps).resolve_epochs(steps_per_epoch)
    assert (epochs - 1) * steps_per_epoch < target_steps <= epochs * steps_per_epoch


def test_auto_epochs_run_the_target_updates_on_a_table_smaller_than_a_batch():
    X, y = _table(counts=(10, 6))
    trainer = _trainer(0, epochs="auto", batch_size=500, target_steps=25).fit(X, y)
    assert trainer.steps_per_epoch_ == 1 and trainer.step_ == trainer.n_epochs_ == 25
    assert len(trainer.history_) == 25


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_trains_without_nan(loss):
    X, y = _table()
    before = _modules()[0].state_dict()
    trainer = _trainer(0, epochs=2, loss=loss).fit(X, y)
    assert all(math.isfinite(v) for v in trainer.history_[:, "loss_d"] + trainer.history_[:, "loss_g"])
    for module in (trainer.generator, trainer.discriminator, trainer.generator_ema_):
        assert all(torch.isfinite(p).all() for p in module.parameters())
    assert any(not torch.equal(before[k], v) for k, v in trainer.generator.state_dict().items())


@pytest.mark.parametrize("setting", [{"r1_gamma": 1.0}, {"mode_seeking_weight": 0.5}])
def test_regularisers_come_with_the_loss_and_change_training(setting):
    # R1 (on D) and mode seeking (on G) reach the step through the loss's hooks, for any loss.
    X, y = _table()
    if "mode_seeking_weight" in setting:
        # The term pulls only while the generator's samples are less spread than the real rows
        # of their class (losses.real_mode_seeking_ratio): these toy rows are nearly one-hot, less
        # spread than a fresh generator's, so the term is silent, bit for bit ...
        quiet = _trainer(0, epochs=2, loss="hinge", **setting).fit(X, y)
        assert _states_equal(_trainer(0, epochs=2, loss="hinge").fit(X, y).generator, quiet.generator)
        X = 20 * X  # ... and pulls on rows spread 20 times wider.
    plain = _trainer(0, epochs=2, loss="hinge").fit(X, y)
    regularised = _trainer(0, epochs=2, loss="hinge", **setting).fit(X, y)
    hooks = (regularised.loss_.penalty, regularised.loss_.generator_penalty)
    assert hooks[0 if "r1_gamma" in setting else 1] is not None
    assert plain.loss_.penalty is None and plain.loss_.generator_penalty is None
    assert all(math.isfinite(v) for v in regularised.history_[:, "loss_d"] + regularised.history_[:, "loss_g"])
    assert not _states_equal(plain.generator, regularised.generator)
    # Off by default: a weight of 0 is the plain run, bit for bit.
    off = _trainer(0, epochs=2, loss="hinge", **{key: 0.0 for key in setting}).fit(X, y)
    assert _states_equal(plain.generator, off.generator)


def test_wasserstein_clips_the_critic_weights():
    X, y = _table()
    trainer = _trainer(0, epochs=2, loss="wasserstein", clip_value=0.02, lr_d=0.05).fit(X, y)
    weights = torch.cat([p.flatten() for p in trainer.discriminator.parameters()])
    assert weights.abs().max() <= 0.02
    assert (weights.abs() == 0.02).any()  # the clip was active, not vacuous


@pytest.mark.parametrize("loss", ["hinge", "wasserstein"])
def test_parameters_the_caller_froze_in_the_critic_stay_frozen_and_unchanged(loss):
    # The steps switched requires_grad on for the whole critic: a frozen (pretrained) layer was
    # trained, and weight clipping clamped it.
    X, y = _table()
    trainer = _trainer(0, epochs=2, loss=loss, lr_d=0.05)
    frozen = next(trainer.discriminator.parameters())
    frozen.requires_grad_(False)
    before = frozen.detach().clone()
    trainer.fit(X, y)
    assert not frozen.requires_grad and torch.equal(frozen, before)
    others = [p for p in trainer.discriminator.parameters() if p is not frozen]
    assert all(p.requires_grad for p in others)
    # ... and the others trained as before: the same run without freezing moves them too.
    reference = _trainer(0, epochs=2, loss=loss, lr_d=0.05).fit(X, y)
    assert not torch.equal(list(reference.discriminator.parameters())[0], before)


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
def test_lr_schedule_changes_the_learning_rate_per_epoch(schedule):
    X, y = _table()
    trainer = _trainer(0, epochs=4, lr_schedule=schedule, lr_g=1e-3, lr_d=2e-3).fit(X, y)
    progress = np.arange(4) / 4
    factor = 1 - progress if schedule == "linear" else 0.5 * (1 + np.cos(np.pi * progress))
    np.testing.assert_allclose(trainer.history_[:, "lr_g"], 1e-3 * factor)
    np.testing.assert_allclose(trainer.history_[:, "lr_d"], 2e-3 * factor)
    assert trainer.optimizer_g_.param_groups[0]["lr"] == pytest.approx(trainer.history_[-1]["lr_g"])
    assert trainer.optimizer_d_.param_groups[0]["lr"] == pytest.approx(trainer.history_[-1]["lr_d"])


# ============================================================================ divergence guard
def test_a_generator_producing_nan_raises_a_clear_error():
    X, y = _table()
    trainer = _trainer(0, generator_cls=NaNGenerator, loss="non-saturating")
    with pytest.raises(TrainingDivergedError, match=r"diverged at epoch 1: loss_(d|g) became nan.*lr_g"):
        trainer.fit(X, y)


def test_an_absurd_learning_rate_raises_a_clear_error():
    X, y = _table()
    trainer = _trainer(0, epochs=5, loss="wasserstein", clip_value=1e6, optimizer="sgd", lr_d=1e12)
    # The settings in use are said, and the loss it advises is another one (it advised 'wgan-gp' to
    # tables that used it).
    with pytest.raises(TrainingDivergedError, match=r"diverged.*\(lr_g=0.001, lr_d=1e\+12, loss='wasserstein'\)"
                                                     r".*loss='wgan-gp'"):
        trainer.fit(X, y)
    trainer = _trainer(0, epochs=5, clip_value=1e6, optimizer="sgd", lr_d=1e12)
    with pytest.raises(TrainingDivergedError, match=r"loss='wgan-gp'\)\..*Try .*loss='hinge'"):
        trainer.fit(X, y)


def test_fit_refuses_inconsistent_inputs():
    X, y = _table()
    with pytest.raises(ValueError, match="rows"):
        _trainer(0).fit(X[:10], y)
    with pytest.raises(ValueError, match="Class indices"):
        _trainer(0).fit(X, y + 1)


@pytest.mark.parametrize("change, message", [
    # Fractions were cast to classes (0.5 trained as 0, 1.5 as 1), NaN too.
    (lambda X, y: (X, y.float() + 0.5), r"y must hold whole class indices 0..K-1; .*\(e\.g\. 0\.5\)"),
    (lambda X, y: (X, torch.where(y == 1, float("nan"), y.float())), r"whole class indices.*nan"),
    (lambda X, y: (X, torch.nn.functional.one_hot(y)), r"one class index per row \(1-D\); got shape \(120, 2\) "
                                                        r"\(from one-hot labels: y\.argmax\(1\)\)"),
    (lambda X, y: (X, y[:, None]), r"got shape \(120, 1\) \(y\.reshape\(-1\)\)"),  # (argmax made every label 0)
    # A NaN in X trained an epoch and was reported as a divergence of the learning rates.
    (lambda X, y: (X.index_put((torch.tensor([3]), torch.tensor([1])), torch.tensor(float("nan"))), y),
     r"X holds 1 NaN or infinite values"),
])
def test_labels_that_are_no_class_indices_and_rows_that_are_not_finite_are_refused_before_training(change, message):
    X, y = _table()
    begun = []
    watcher = Callback()
    watcher.on_train_begin = lambda trainer: begun.append(True)
    with pytest.raises(ValueError, match=message):
        _trainer(0, callbacks=[watcher]).fit(*change(X, y))
    assert not begun
    assert _trainer(0, epochs=1).fit(X, y.float()).epoch_ == 1  # whole numbers as floats are class indices


def test_what_the_trainer_reads_off_its_modules_and_config_is_checked_before_training():
    X, y = _table()
    generator, discriminator = _modules()
    generator.noise_dim = 8.0  # (torch.randn's own TypeError, inside the first step)
    with pytest.raises(ValueError, match=r"The generator must expose noise_dim, a whole number >= 1; "
                                         r"TabularGenerator.noise_dim is 8.0"):
        GANTrainer(generator, discriminator, TrainingConfig(epochs=1), device="cpu").fit(X, y)
    generator, discriminator = _modules()
    discriminator.pac = 0
    with pytest.raises(ValueError, match=r"discriminator must expose pac.* is 0"):
        GANTrainer(generator, discriminator, TrainingConfig(epochs=1), device="cpu").fit(X, y)
    with pytest.raises(ValueError, match=r"augment='translation'\) augments images \(N, C, H, W\); X has shape "
                                         r"\(120, 7\)"):
        _trainer(0, augment="translation").fit(X, y)
    assert _trainer(0, epochs=1, augment="").fit(X, y).epoch_ == 1  # "" is no augmentation
    generator, discriminator = _modules()
    discriminator.requires_grad_(False)
    with pytest.raises(ValueError, match=r"The discriminator \(TabularDiscriminator\) has no parameter to train"):
        GANTrainer(generator, discriminator, TrainingConfig(epochs=1), device="cpu").fit(X, y)


def test_fit_puts_no_gradient_into_the_callers_rows():
    X, y = _table()
    X.requires_grad_(True)
    _trainer(0, epochs=1).fit(X, y)
    assert X.grad is None


# ============================================================================ class balance
def test_labels_are_drawn_class_balanced_and_real_rows_match_their_label():
    X, y = _table(counts=(380, 20))  # 95 % / 5 %
    trainer = _trainer(0, epochs=3, loss="non-saturating", n_critic=1, discriminator_cls=RecordingDiscriminator,
                       generator_cls=RecordingGenerator)
    trainer.fit(X, y)
    d_calls = trainer.discriminator.calls
    labels = torch.cat([labels for _, labels in d_calls])
    assert abs(labels.float().mean().item() - 0.5) < 0.05
    g_labels = torch.cat(trainer.generator.calls)
    assert abs(g_labels.float().mean().item() - 0.5) < 0.05
    # Per step (n_critic=1) D sees real and fake in one call (the tabular D scores each pack on its
    # own), then G's rows; real rows, the first half, carry their class in column 0.
    assert len(d_calls) == 2 * trainer.step_
    real_calls = [(rows[: len(rows) // 2], labels[: len(labels) // 2]) for rows, labels in d_calls[0::2]]
    for rows, labels in real_calls:
        assert torch.equal(rows[:, 0], labels.float() / 10)
    # All 20 rare rows get used, not a few of them over and over.
    rare_seen = {tuple(r.tolist()) for rows, labels in real_calls for r in rows[labels == 1]}
    assert len(rare_seen) == 20


def test_each_pack_the_critic_judges_holds_one_class():
    # Packs of mixed classes showed the critic one or two rows of a class at a time: a rare class's
    # repeats went unseen. Real and fake packs, the critic's steps and the generator's.
    X, y = _table(counts=(50, 30, 20), seed=1)
    trainer = _trainer(0, epochs=3, n_classes=3, discriminator_cls=RecordingDiscriminator).fit(X, y)
    for _, labels in trainer.discriminator.calls:
        packs = labels.view(-1, PAC)
        assert torch.equal(packs, packs[:, :1].expand_as(packs))
    drawn = torch.cat([labels for _, labels in trainer.discriminator.calls]).view(-1, PAC)[:, 0]
    assert set(drawn.tolist()) == {0, 1, 2}  # every class, as packs are drawn class-balanced


# ============================================================================ generation
def test_generate_is_label_exact_and_costs_one_call_per_chunk():
    generator, _ = _modules(n_classes=3, generator_cls=RecordingGenerator)
    for class_index in (0, 2):
        generator.calls.clear()
        out = generate(generator, 10, class_index, seed=0)
        assert out.shape == (10, DIM)
        assert len(generator.calls) == 1
        assert generator.calls[0].tolist() == [class_index] * 10
    generator.calls.clear()
    out = generate(generator, 2 * _SAMPLE_CHUNK + 5, 1, seed=0)
    assert out.shape[0] == 2 * _SAMPLE_CHUNK + 5
    assert [len(c) for c in generator.calls] == [_SAMPLE_CHUNK, _SAMPLE_CHUNK, 5]
    assert all(bool((c == 1).all()) for c in generator.calls)


@pytest.mark.parametrize("n, class_index, seed, error, message", [
    (3, 1.5, 1, ValueError, "class_index must be a whole number >= 0, got 1.5"),  # was class 1's rows
    (3, 0, 2**32 + 5, ValueError, r"seed must be a whole number in \[0, 2\*\*32\)"),  # was seed 5's rows
    (3, 0, 1.7, ValueError, "seed must be a whole number >= 0, got 1.7"),
    (3, 0, None, ValueError, "seed must be a whole number >= 0, got None"),
    (3, 0, True, ValueError, "seed must be a whole number >= 0, got True"),
    (-1, 0, 0, ValueError, "n must be a whole number >= 0, got -1"),
])
def test_sampling_refuses_what_it_would_read_as_something_else(n, class_index, seed, error, message):
    X, y = _table()
    trainer = _trainer(0, epochs=1).fit(X, y)
    with pytest.raises(error, match=message):
        trainer.sample(n, class_index, seed=seed)
    expected = trainer.sample(3, 1, seed=4)
    assert torch.equal(trainer.sample(3, np.int64(1), seed=np.int64(4)), expected)
    # A class of y.unique() is a 0-d tensor (refused for a while as "no whole number").
    assert torch.equal(trainer.sample(torch.tensor(3), y.unique()[1], seed=torch.tensor(4)), expected)


def test_generate_zero_rows_and_bad_class():
    generator, _ = _modules()
    assert generate(generator, 0, 1, seed=0).shape == (0, DIM)
    with pytest.raises(ValueError, match="class_index"):
        generate(generator, 5, 2, seed=0)


def test_generate_is_reproducible_and_restores_the_training_mode():
    generator, _ = _modules()
    generator.train()
    first = generate(generator, 64, 0, seed=5)
    assert generator.training
    assert torch.equal(first, generate(generator, 64, 0, seed=5))
    assert not torch.equal(first, generate(generator, 64, 0, seed=6))


def test_sampling_rows_are_exact_one_hots_and_bounded_scalars():
    generator, _ = _modules()
    out = generate(generator, 500, 1, seed=0)
    for span in SPANS:
        block = out[:, span.start:span.start + span.size]
        if span.activation == "softmax":
            assert set(block.unique().tolist()) <= {0.0, 1.0}
            assert torch.equal(block.sum(1), torch.ones(500))
        else:
            assert block.abs().max() < 1
    generator.train()
    soft = generator(torch.randn(64, 8), torch.zeros(64, dtype=torch.long))
    assert not set(soft[:, 1:4].unique().tolist()) <= {0.0, 1.0}  # training: soft, differentiable


def test_sampled_categories_follow_the_generator_probabilities():
    """The Gumbel-max draw used for sampling picks slot k with probability softmax(logits)_k."""
    spans = [OutputSpan(0, 3, "softmax"), OutputSpan(3, 1, "tanh"), OutputSpan(4, 2, "softmax")]
    generator, _ = _modules(spans=spans)
    probs = [torch.tensor([0.7, 0.2, 0.1]), torch.tensor([0.25, 0.75])]
    with torch.no_grad():
        generator.head.weight.zero_()
        generator.head.bias.copy_(torch.cat([probs[0].log() + 3.0, torch.zeros(1), probs[1].log() - 2.0]))
    out = generate(generator, 40000, 0, seed=0)
    np.testing.assert_allclose(out[:, :3].mean(0).numpy(), probs[0].numpy(), atol=0.01)
    np.testing.assert_allclose(out[:, 4:].mean(0).numpy(), probs[1].numpy(), atol=0.01)
    assert torch.all(out[:, 3] == 0)  # tanh(0)


# ============================================================================ callbacks and resume
class StopAfter(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, trainer, record):
        if record["epoch"] >= self.epoch:
            trainer.stop_training = True


def test_resume_from_a_checkpoint_is_bit_identical_to_an_uninterrupted_run(tmp_path):
    X, y = _table()
    config = {"epochs": 4, "loss": "wgan-gp", "n_critic": 2}
    uninterrupted = _trainer(7, **config).fit(X, y)

    interrupted = _trainer(7, callbacks=[Checkpoint(tmp_path / "ckpt", every=2), StopAfter(2)], **config)
    interrupted.fit(X, y)
    assert len(interrupted.history_) == 2 and (tmp_path / "ckpt" / "model.safetensors").is_file()

    resumed = _trainer(7, **config).fit(X, y, resume_from=tmp_path / "ckpt")
    assert len(resumed.history_) == 4 and resumed.history_[:, "epoch"] == [1, 2, 3, 4]
    assert _states_equal(resumed.generator, uninterrupted.generator)
    assert _states_equal(resumed.generator_ema_, uninterrupted.generator_ema_)
    assert _states_equal(resumed.discriminator, uninterrupted.discriminator)
    assert resumed.history_[:, "loss_g"] == uninterrupted.history_[:, "loss_g"]
    assert resumed.step_ == uninterrupted.step_
    assert torch.equal(resumed.sample(20, 1, seed=0), uninterrupted.sample(20, 1, seed=0))


def test_lazy_penalty_weighs_in_on_one_critic_update_in_k_and_keeps_its_schedule_on_resume(tmp_path, monkeypatch):
    from gan_augment import losses

    X, y = _table()
    config = {"epochs": 4, "loss": "wgan-gp", "n_critic": 2, "gp_weight": 10.0}
    # A penalty of constant value 1 moves no weight: the runs below train identically, and what
    # each adds to the recorded critic loss is exactly the penalty's schedule times its weight.
    monkeypatch.setattr(losses, "gradient_penalty", lambda *args: torch.ones(()))
    every_update = _trainer(7, **config).fit(X, y)
    lazy = _trainer(7, penalty_every=3, **config).fit(X, y)
    assert _states_equal(every_update.discriminator, lazy.discriminator)
    updates = lazy.step_ * 2
    added = (np.array(lazy.history_[:, "loss_d"]) - np.array(every_update.history_[:, "loss_d"]) + 10.0).sum()
    assert added * lazy.steps_per_epoch_ * 2 == pytest.approx(3 * 10.0 * math.ceil(updates / 3), rel=1e-5)
    monkeypatch.undo()

    config["penalty_every"] = 3  # the schedule counts updates over the whole run: a resume keeps it
    uninterrupted = _trainer(7, **config).fit(X, y)
    _trainer(7, callbacks=[Checkpoint(tmp_path / "ckpt", every=2), StopAfter(2)], **config).fit(X, y)
    resumed = _trainer(7, **config).fit(X, y, resume_from=tmp_path / "ckpt")
    assert _states_equal(resumed.discriminator, uninterrupted.discriminator)
    assert not _states_equal(resumed.discriminator, _trainer(7, **{**config, "penalty_every": 1}).fit(X, y).discriminator)


@pytest.mark.parametrize("fraction, packs", [(1.0, 8), (0.25, 2), (0.3, 3), (0.01, 1)])
def test_penalty_fraction_computes_the_penalty_on_the_first_packs_of_each_critic_batch(monkeypatch, fraction, packs):
    from gan_augment import losses

    X, y = _table()
    seen = []
    real_penalty = losses.gradient_penalty

    def recording_penalty(discriminator, real, fake, labels):
        seen.append((real.clone(), fake.clone(), labels.clone()))
        return real_penalty(discriminator, real, fake, labels)

    monkeypatch.setattr(losses, "gradient_penalty", recording_penalty)
    # batch 32 with pac 4: 8 packs per critic batch.
    trainer = _trainer(0, epochs=1, loss="wgan-gp", n_critic=2, penalty_fraction=fraction,
                       discriminator_cls=RecordingDiscriminator).fit(X, y)
    critic_calls = [call for call in trainer.discriminator.calls if len(call[1]) == 2 * trainer.batch_size_]
    assert len(seen) == len(critic_calls) == 2 * trainer.step_
    for (real, fake, labels), (scored, scored_labels) in zip(seen, critic_calls):
        assert real.shape == fake.shape == (packs * PAC, DIM) and labels.shape == (packs * PAC,)
        # A subset of the batch D scored, not other draws: its first rows, real and fake alike.
        reals, fakes = scored.chunk(2)
        assert torch.equal(real, reals[:len(real)]) and torch.equal(fake, fakes[:len(fake)])
        assert torch.equal(labels, scored_labels[:len(labels)])


@pytest.mark.parametrize("bad", [0, 0.0, -0.5, 1.5, True, "half", float("nan")])
def test_penalty_fraction_outside_zero_one_is_refused(bad):
    with pytest.raises(ValueError, match="penalty_fraction must be a number in \\(0, 1\\]"):
        TrainingConfig(penalty_fraction=bad)


@pytest.mark.parametrize("setting, message", [
    # Accepted, then torch's "Invalid beta parameter" at fit (or silently unused by SGD).
    ({"betas": (2.0, 0.9)}, r"betas must be two numbers in \[0, 1\)"),
    ({"betas": (0.5,)}, r"betas must be two numbers"),
    ({"betas": "ab"}, r"betas must be two numbers"),
    ({"weight_decay": -1.0}, r"weight_decay must be a finite number >= 0"),
    ({"weight_decay": float("nan")}, r"weight_decay must be a finite number >= 0"),
    ({"ema_decay": "0.9"}, r"ema_decay must be in \[0, 1\) or None, got '0.9'"),  # (a TypeError of '<=')
])
def test_optimiser_settings_are_checked_when_the_config_is_made(setting, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**setting)


def test_betas_as_a_list_and_a_0d_array_are_stored_as_a_checkpoint_holds_them(tmp_path):
    # A list of betas made every resume "a different training configuration ()"; a 0-d array
    # ema_decay failed the first checkpoint with JSON's words.
    config = TrainingConfig(betas=[0.5, 0.9], ema_decay=np.array(0.99))
    assert config.betas == (0.5, 0.9) and type(config.ema_decay) is float
    assert TrainingConfig(betas=np.array([0.5, 0.9])).betas == (0.5, 0.9)
    X, y = _table()
    settings = {"epochs": 3, "betas": [0.5, 0.9], "ema_decay": np.array(0.99)}
    _trainer(0, callbacks=[Checkpoint(tmp_path / "ckpt", every=1), StopAfter(2)], **settings).fit(X, y)
    assert _trainer(0, **settings).fit(X, y, resume_from=tmp_path / "ckpt").history_[:, "epoch"] == [1, 2, 3]


def test_resuming_with_a_different_configuration_is_refused(tmp_path):
    X, y = _table()
    _trainer(0, epochs=2, callbacks=[Checkpoint(tmp_path / "ckpt", every=1)]).fit(X, y)
    with pytest.raises(ValueError, match=r"different training configuration \(lr_g 0.001 in the checkpoint, "
                                         r"0.0005 now\); resume with the same one"):
        _trainer(0, epochs=2, lr_g=5e-4).fit(X, y, resume_from=tmp_path / "ckpt")


def test_checkpoint_metadata_a_checkpoint_cannot_store_is_refused_before_training(tmp_path):
    # Refused by JSON ("int64 is not JSON serializable") at the first save, epochs into the run.
    X, y = _table()
    trainer = _trainer(0, epochs=2, callbacks=[Checkpoint(tmp_path / "ckpt", every=1, metadata={"run": np.int64(7)})])
    with pytest.raises(TypeError, match=r"metadata\['run'\] is .*7\)? \(int64\), which a checkpoint cannot store"):
        trainer.fit(X, y)
    assert trainer.history_ == [] and not (tmp_path / "ckpt").exists()


def test_checkpoint_callback_writes_every_n_epochs_and_at_the_end(tmp_path):
    X, y = _table()
    saved = []

    class Spy(Checkpoint):
        def on_epoch_end(self, trainer, record):
            before = self.directory.exists() and (self.directory / "model.json").stat().st_mtime_ns
            super().on_epoch_end(trainer, record)
            after = self.directory.exists() and (self.directory / "model.json").stat().st_mtime_ns
            if after != before:
                saved.append(record["epoch"])

    _trainer(0, epochs=5, callbacks=[Spy(tmp_path / "ckpt", every=2)]).fit(X, y)
    assert saved == [2, 4, 5]


def test_early_stopping_keeps_the_best_value_itself_in_either_mode():
    # In "max" mode best_ held the negated value (-0.35 for a best of 0.35).
    X, y = _table()
    for mode, pick in (("min", min), ("max", max)):
        stopper = EarlyStopping("loss_g", patience=10, mode=mode)
        trainer = _trainer(0, epochs=4, callbacks=[stopper]).fit(X, y)
        assert stopper.best_ == pick(record["loss_g"] for record in trainer.history_), mode


def test_early_stopping_reads_the_negated_best_of_a_checkpoint_written_before():
    # Checkpoints written before best_ held the value seen keep its negation in "max" mode.
    old = EarlyStopping("score", mode="max")
    old.load_state_dict({"best": -0.55, "wait": 1})
    assert old.best_ == 0.55 and old.wait_ == 1
    new = EarlyStopping("score", mode="max")
    new.load_state_dict(old.state_dict())
    assert new.best_ == 0.55
    low = EarlyStopping("score", mode="min")
    low.load_state_dict({"best": -0.55, "wait": 0})
    assert low.best_ == -0.55


def test_early_stopping_stops_a_plateaued_run():
    X, y = _table()
    stopper = EarlyStopping("loss_g", patience=2, min_delta=1e9)  # nothing counts as improvement
    trainer = _trainer(0, epochs=20, callbacks=[stopper]).fit(X, y)
    assert len(trainer.history_) == 3 and trainer.epoch_ == 3 and trainer.n_epochs_ == 20


def test_a_stop_before_the_first_epoch_is_refused_not_returned_as_a_fitted_model():
    # A stop set in on_train_begin ran no epoch: the untrained networks were returned as fitted.
    class StopAtOnce(Callback):
        def on_train_begin(self, trainer):
            trainer.stop_training = True

        def on_train_end(self, trainer):
            self.ended = True

    X, y = _table()
    stopper = StopAtOnce()
    with pytest.raises(RuntimeError, match=r"^StopAtOnce set stop_training in on_train_begin, before the first "
                                           r"epoch: the networks would have learnt nothing"):
        _trainer(0, epochs=3, callbacks=[EarlyStopping("loss_g"), stopper]).fit(X, y)
    assert stopper.ended  # ended as training that failed


def test_early_stopping_counts_only_the_epochs_that_measured_its_key():
    # A metric recorded every other epoch failed with a KeyError at the first epoch without it.
    class EveryOther(Callback):
        def on_epoch_end(self, trainer, record):
            if record["epoch"] % 2 == 0:
                record["val"] = 1.0  # never improves after the first measurement

    X, y = _table()
    stopper = EarlyStopping("val", patience=2)
    trainer = _trainer(0, epochs=20, callbacks=[EveryOther(), stopper]).fit(X, y)
    assert trainer.epoch_ == 6 and stopper.wait_ == 2  # measured at 2, 4 and 6
    # Listed first, it still reads what the others add (it ran before them, and never saw the key).
    stopper = EarlyStopping("val", patience=2)
    assert _trainer(0, epochs=20, callbacks=[stopper, EveryOther()]).fit(X, y).epoch_ == 6
    # A key no epoch recorded is still named, once training is over.
    with pytest.raises(KeyError, match=r"EarlyStopping monitors 'vall', which no epoch recorded"):
        _trainer(0, epochs=2, callbacks=[EveryOther(), EarlyStopping("vall")]).fit(X, y)
    late = EveryOther()
    late.order = 70
    with pytest.raises(KeyError, match=r"'val', which a callback running after it added to the record; give that "
                                       r"callback an order below EarlyStopping's \(60\)"):
        _trainer(0, epochs=2, callbacks=[late, EarlyStopping("val")]).fit(X, y)

    # An error that ends training is the one raised, not the KeyError of a key not measured yet.
    class Interrupt(Callback):
        def on_epoch_end(self, trainer, record):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _trainer(0, epochs=4, callbacks=[Interrupt(), EveryOther(), EarlyStopping("val")]).fit(X, y)
    # Nor is a Ctrl-C in the epoch EarlyStopping stopped in taken for that stop (a rating ran in the clean-up).
    class InterruptTheStop(Callback):
        order = 70

        def on_epoch_end(self, trainer, record):
            if trainer.stop_training:
                raise KeyboardInterrupt

    selection = SnapshotSelection(lambda generator: 1.0, every=3)
    with pytest.raises(KeyboardInterrupt):
        _trainer(0, epochs=4, callbacks=[selection, EarlyStopping("loss_d", patience=1, min_delta=1e9),
                                         InterruptTheStop()]).fit(X, y)
    assert selection.scores_ == []


def test_early_stopping_reads_snapshot_selection_s_ratings():
    # It ran before SnapshotSelection (order 50), so it never saw snapshot_score.
    X, y = _table()
    stopper = EarlyStopping("snapshot_score", patience=1, min_delta=1e9)  # no rating improves on the first
    selection = SnapshotSelection(lambda generator: 1.0, every=2)
    trainer = _trainer(0, epochs=20, callbacks=[stopper, selection]).fit(X, y)
    assert trainer.epoch_ == 4 and [epoch for epoch, _ in selection.scores_][:2] == [2, 4]
    # The epoch EarlyStopping (running after it) ended training in is rated too, as the last one is.
    selection = SnapshotSelection(lambda generator: 1.0, every=3)
    stopper = EarlyStopping("loss_d", patience=1, min_delta=1e9)  # stops after epoch 2
    trainer = _trainer(0, epochs=20, callbacks=[selection, stopper]).fit(X, y)
    assert trainer.epoch_ == 2 and selection.scores_ == [(2, 1.0)] and trainer.history_[-1]["snapshot_score"] == 1.0


@pytest.mark.parametrize("make, message", [
    (lambda: EarlyStopping(patience=-1), "patience must be an integer >= 1, got -1"),
    (lambda: EarlyStopping(patience="2"), "patience must be an integer >= 1, got '2'"),  # was a TypeError later
    (lambda: EarlyStopping(min_delta=-0.5), "min_delta must be a finite number >= 0"),
    (lambda: Checkpoint("ckpt", every="2"), "every must be an integer >= 1, got '2'"),
    # A bool is an int to Python: True was taken as a patience (and a rating period) of 1.
    (lambda: SnapshotSelection(lambda g: 0.0, patience=True), "patience must be None or an integer >= 1, got True"),
    (lambda: SnapshotSelection(lambda g: 0.0, every=True), "every must be an integer >= 1 or a share"),
])
def test_callback_settings_are_checked_when_the_callback_is_made(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_callback_without_the_trainers_hooks_is_refused_before_the_data_is_encoded():
    from gan_augment import GANAugmenter

    X, y = _table()
    with pytest.raises(TypeError, match=r"callbacks\[1\] \(object\) has no on_train_begin, on_epoch_end, "
                                        r"on_train_end method.*Subclass gan_augment.training.Callback"):
        GANAugmenter(epochs=1, callbacks=[ProgressBar(), object()]).fit(X.numpy(), y.numpy())


def test_early_stopping_on_an_unknown_key_is_an_error():
    X, y = _table()
    with pytest.raises(KeyError, match="val_score"):
        _trainer(0, epochs=2, callbacks=[EarlyStopping("val_score")]).fit(X, y)


def test_early_stopping_patience_survives_a_resume(tmp_path):
    X, y = _table()

    def stopper():
        return EarlyStopping("loss_g", patience=3, min_delta=1e9)  # only the first epoch improves

    uninterrupted = _trainer(0, epochs=20, callbacks=[stopper()]).fit(X, y)
    assert len(uninterrupted.history_) == 4

    # Checkpoint is listed first but saves after the other callbacks have seen the epoch.
    first = stopper()
    _trainer(0, epochs=20, callbacks=[Checkpoint(tmp_path / "ckpt", every=1), first, StopAfter(2)]).fit(X, y)
    assert first.wait_ == 1

    again = stopper()
    resumed = _trainer(0, epochs=20, callbacks=[Checkpoint(tmp_path / "ckpt2"), again])
    resumed.fit(X, y, resume_from=tmp_path / "ckpt")
    # Without the saved count the resumed run would wait 3 more epochs (6 in all).
    assert len(resumed.history_) == 4 and again.wait_ == 3
    assert again.best_ == first.best_
    assert resumed.history_[:, "loss_g"] == uninterrupted.history_[:, "loss_g"]

    # The same callback in a fresh run counts afresh.
    _trainer(0, epochs=20, callbacks=[again]).fit(X, y)
    assert again.wait_ == 3


class Scripted:
    """A snapshot score that returns ``values`` in turn, whatever the generator."""

    def __init__(self, *values):
        self.values, self.calls = list(values), 0

    def __call__(self, generator):
        self.calls += 1
        return self.values[self.calls - 1]


def test_snapshot_selection_ends_with_the_best_rated_snapshot():
    X, y = _table()
    selection = SnapshotSelection(Scripted(3.0, 1.0, 2.0, 5.0), key="rating")
    trainer = _trainer(0, epochs=4, ema_decay=0.9, callbacks=[selection]).fit(X, y)
    assert trainer.history_[:, "rating"] == [3.0, 1.0, 2.0, 5.0]
    assert selection.best_epoch_ == 2 and selection.scores_ == [(1, 3.0), (2, 1.0), (3, 2.0), (4, 5.0)]
    # The EMA generator of epoch 2 is what a 2-epoch run ends with (nothing depends on the length).
    two_epochs = _trainer(0, epochs=2, ema_decay=0.9).fit(X, y)
    assert _states_equal(trainer.sampling_generator, two_epochs.sampling_generator)
    assert not _states_equal(trainer.generator, two_epochs.generator)  # training itself went on
    # Rated every other epoch, and always after the last one.
    sparse = SnapshotSelection(Scripted(2.0, 1.0, 0.5), every=2)
    _trainer(0, epochs=5, callbacks=[sparse]).fit(X, y)
    assert [epoch for epoch, _ in sparse.scores_] == [2, 4, 5] and sparse.best_epoch_ == 5


def test_snapshot_selection_stops_after_patience_ratings_without_improvement():
    X, y = _table()
    selection = SnapshotSelection(Scripted(2.0, 1.0, 1.5, 1.0, 0.0, 0.0), patience=2, min_delta=0.1)
    trainer = _trainer(0, epochs=20, ema_decay=0.9, callbacks=[selection]).fit(X, y)
    assert len(trainer.history_) == 4 and selection.best_epoch_ == 2 and selection.wait_ == 2
    assert _states_equal(trainer.sampling_generator, _trainer(0, epochs=2, ema_decay=0.9).fit(X, y).sampling_generator)
    with pytest.raises(ValueError, match="patience"):
        SnapshotSelection(Scripted(), patience=0)
    with pytest.raises(ValueError, match="every"):
        SnapshotSelection(Scripted(), every=0)


@pytest.mark.parametrize("make", [
    lambda: SnapshotSelection(Scripted(2.0, 1.0, 1.5, 1.0, 0.0), patience=2, min_delta=0.1),
    lambda: EarlyStopping("loss_g", patience=2, min_delta=1e9),  # only the first epoch improves
], ids=["SnapshotSelection", "EarlyStopping"])
def test_a_run_whose_patience_ran_out_stays_stopped_on_resume(tmp_path, make):
    # The last checkpoint is that of the epoch the run stopped in; going on from it would train
    # epochs the uninterrupted run never had.
    X, y = _table()
    first = _trainer(0, epochs=20, ema_decay=0.9, callbacks=[make(), Checkpoint(tmp_path / "ckpt")]).fit(X, y)
    assert len(first.history_) < 20
    again = make()
    resumed = _trainer(0, epochs=20, ema_decay=0.9, callbacks=[again]).fit(X, y, resume_from=tmp_path / "ckpt")
    assert len(resumed.history_) == len(first.history_)
    assert _states_equal(resumed.sampling_generator, first.sampling_generator)


def test_snapshot_selection_survives_a_resume(tmp_path):
    X, y = _table()

    def selection():  # a score of the weights themselves: the same run rates the same
        return SnapshotSelection(lambda g: float(next(g.parameters()).sum().abs()), patience=3)

    config = {"epochs": 6, "ema_decay": 0.9}
    uninterrupted_selection = selection()
    uninterrupted = _trainer(0, callbacks=[uninterrupted_selection], **config).fit(X, y)
    _trainer(0, callbacks=[Checkpoint(tmp_path / "ckpt", every=1), selection(), StopAfter(3)], **config).fit(X, y)
    again = selection()  # the same class: its state is restored
    resumed = _trainer(0, callbacks=[Checkpoint(tmp_path / "ckpt2"), again], **config).fit(
        X, y, resume_from=tmp_path / "ckpt")
    assert again.scores_ == uninterrupted_selection.scores_ and again.best_epoch_ == uninterrupted_selection.best_epoch_
    assert _states_equal(resumed.sampling_generator, uninterrupted.sampling_generator)


def test_callbacks_state_is_saved_by_class_and_rank_and_old_checkpoints_still_resume(tmp_path):
    from gan_augment.checkpoint import load_state, save_state

    X, y = _table()

    class Counter(Callback):
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, trainer, record):
            self.epochs += 1

        def state_dict(self):
            return {"epochs": self.epochs}

        def load_state_dict(self, state):
            self.epochs = state["epochs"]

    _trainer(0, epochs=3, callbacks=[Counter(), Checkpoint(tmp_path / "ckpt", every=2), StopAfter(2)]).fit(X, y)
    state = load_state(tmp_path / "ckpt", kind="checkpoint")
    assert state["callbacks"] == {"Counter#0": {"epochs": 2}, "Checkpoint#0": {}, "StopAfter#0": {}}

    counter = Counter()
    _trainer(0, epochs=3, callbacks=[counter]).fit(X, y, resume_from=tmp_path / "ckpt")
    assert counter.epochs == 3
    moved = Counter()  # at another position, still the first Counter: its state
    second = Counter()  # a second Counter had none saved: it starts afresh
    _trainer(0, epochs=3, callbacks=[StopAfter(9), moved, second]).fit(X, y, resume_from=tmp_path / "ckpt")
    assert moved.epochs == 3 and second.epochs == 1

    # A checkpoint written when states were keyed by position and class.
    state["callbacks"] = {"0:Counter": {"epochs": 2}}
    save_state(tmp_path / "by-position", state, kind="checkpoint")
    counter = Counter()
    _trainer(0, epochs=3, callbacks=[counter]).fit(X, y, resume_from=tmp_path / "by-position")
    assert counter.epochs == 3

    # A checkpoint written before callbacks had state.
    del state["callbacks"]
    save_state(tmp_path / "old", state, kind="checkpoint")
    stopper = EarlyStopping("loss_g", patience=5)
    resumed = _trainer(0, epochs=3, callbacks=[stopper]).fit(X, y, resume_from=tmp_path / "old")
    assert resumed.history_[:, "epoch"] == [1, 2, 3] and stopper.wait_ <= 1


class Records(Callback):
    """Writes ``value`` into each epoch's record under ``key``, as a user's metric callback does."""

    def __init__(self, key, value):
        self.key, self.value = key, value

    def on_epoch_end(self, trainer, record):
        record[self.key] = self.value


def test_numpy_numbers_a_callback_records_are_kept_as_numbers_a_checkpoint_can_hold(tmp_path):
    # np.float32 / np.int64 in a record made the model unsavable, and a checkpointed run died at
    # its first checkpoint with json's "Object of type float32 is not JSON serializable".
    X, y = _table()
    callbacks = [Records("auc", np.float32(0.5)), Records("kept", np.int64(3)),
                 Records("lrs", [np.float32(0.25), {"d": np.int8(2)}]), Checkpoint(tmp_path / "ckpt")]
    trainer = _trainer(0, callbacks=callbacks, epochs=2).fit(X, y)
    assert trainer.history_[:, "auc"] == [0.5, 0.5] and type(trainer.history_[-1]["kept"]) is int
    assert trainer.history_[-1]["lrs"] == [0.25, {"d": 2}] and type(trainer.history_[-1]["lrs"][1]["d"]) is int
    assert (tmp_path / "ckpt" / "model.safetensors").is_file()


def test_a_record_value_a_model_file_cannot_hold_is_refused_after_the_epoch_naming_the_callback():
    X, y = _table()
    epochs = []

    class Seen(Callback):
        def on_epoch_end(self, trainer, record):
            epochs.append(record["epoch"])

    refused = r"After epoch 1, Records.on_epoch_end's record\['scores'\] is array\(\[1, 2\]\)"
    with pytest.raises(TypeError, match=refused):
        _trainer(0, callbacks=[Records("scores", np.array([1, 2])), Seen()], epochs=3).fit(X, y)
    assert epochs == []  # refused before the next callback saw it


def test_callbacks_see_begin_and_end_even_when_training_fails():
    X, y = _table()
    events = []

    class Spy(Callback):
        def on_train_begin(self, trainer):
            events.append("begin")

        def on_train_end(self, trainer):
            events.append("end")

    with pytest.raises(TrainingDivergedError):
        _trainer(0, generator_cls=NaNGenerator, callbacks=[Spy()]).fit(X, y)
    assert events == ["begin", "end"]


def test_every_begun_callback_ends_when_one_of_them_fails_to_end():
    # A user's callback raising in on_train_end stopped the loop: the progress bar after it went on
    # drawing from its own thread, with sys.stdout replaced, for the life of the process.
    X, y = _table()
    events = []

    class FailsToEnd(Callback):
        def on_train_end(self, trainer):
            events.append("fails")
            raise RuntimeError("the user's clean-up failed")

    class Spy(Callback):
        def on_train_end(self, trainer):
            events.append("end")

    with pytest.raises(RuntimeError, match="the user's clean-up failed"):
        _trainer(0, epochs=1, callbacks=[FailsToEnd(), Spy(), FailsToEnd()]).fit(X, y)
    assert events == ["fails", "end", "fails"]


# ============================================================================ it learns
@pytest.mark.slow
def test_generated_rows_are_closer_to_their_class_than_to_the_other():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    centre = np.where(labels == 1, 3.0, -3.0)
    frame = pd.DataFrame({"a": rng.normal(centre, 0.5), "b": rng.normal(centre, 0.5)})
    encoder = TabularEncoder(random_state=0).fit(frame)
    X = torch.from_numpy(encoder.transform(frame, random_state=0))
    y = torch.from_numpy(labels)
    with seeded_rng(0, torch.device("cpu")):
        generator = TabularGenerator(16, 2, encoder.output_spans, class_embedding_dim=4, hidden_dims=(64, 64))
        discriminator = TabularDiscriminator(encoder.output_dim, 2, hidden_dims=(64, 64), pac=4)
    config = TrainingConfig(epochs=50, batch_size=64, loss="non-saturating", lr_g=2e-3, lr_d=2e-3)
    trainer = GANTrainer(generator, discriminator, config, device="cpu", random_state=0).fit(X, y)
    assert trainer.step_ >= 300
    for class_index, target in ((0, -3.0), (1, 3.0)):
        rows = encoder.inverse_transform(trainer.sample(1000, class_index, seed=1).numpy(), random_state=0)
        means = rows.mean().to_numpy()
        assert np.all(np.abs(means - target) < 0.5), (class_index, means)
        # Most rows individually sit on their class's side.
        assert (np.sign(rows.to_numpy()) == np.sign(target)).mean() > 0.9


# ============================================================================ speed levers (issue 15)
def test_training_forward_is_a_gumbel_softmax_per_block():
    """The batched training forward equals, for the same uniforms, a softmax per block of
    (logits + Gumbel noise) / tau, and tanh on the tanh blocks: F.gumbel_softmax's distribution."""
    spans = [OutputSpan(0, 1, "tanh"), OutputSpan(1, 3, "softmax"), OutputSpan(4, 1, "tanh"),
             OutputSpan(5, 5, "softmax"), OutputSpan(10, 2, "softmax")]
    generator = TabularGenerator(8, 3, spans, class_embedding_dim=4, hidden_dims=(16,)).train()
    z, y = torch.randn(9, 8), torch.randint(3, (9,))
    torch.manual_seed(5)
    out = generator(z, y)
    logits = generator.head(generator.body(torch.cat([z, generator.class_embedding(y)], dim=1)))
    torch.manual_seed(5)
    noise = -torch.log(-torch.log(torch.rand(9, 10)))  # one uniform per softmax column, in column order
    expected, k = [], 0
    for start, size, activation in generator.spans:
        block = logits[:, start:start + size]
        if activation == "tanh":
            expected.append(torch.tanh(block))
        else:
            expected.append(torch.softmax((block + noise[:, k:k + size]) / generator.gumbel_tau, dim=1))
            k += size
    torch.testing.assert_close(out, torch.cat(expected, dim=1))
    out.sum().backward()  # differentiable through the padded softmax
    assert torch.isfinite(generator.head.weight.grad).all()
    only_tanh = TabularGenerator(4, 2, [OutputSpan(0, 2, "tanh")], hidden_dims=(8,)).train()
    assert only_tanh(torch.randn(3, 4), torch.zeros(3, dtype=torch.long)).shape == (3, 2)


def test_a_zero_uniform_does_not_make_a_one_slot_block_nan(monkeypatch):
    """A constant column is a softmax block of one slot; a uniform draw of exactly 0 (one in 2^24,
    but millions of draws per fit) once turned its Gumbel logit into -inf and the block into NaN."""
    spans = [OutputSpan(0, 1, "tanh"), OutputSpan(1, 1, "softmax"), OutputSpan(2, 3, "softmax")]
    generator = TabularGenerator(8, 2, spans, class_embedding_dim=4, hidden_dims=(16,)).train()
    monkeypatch.setattr(torch, "rand_like", lambda t, **kw: torch.zeros_like(t))  # the worst draw, everywhere
    out = generator(torch.randn(6, 8), torch.randint(2, (6,)))
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out[:, 1], torch.ones(6))  # the one slot always holds all the mass
    torch.testing.assert_close(out[:, 2:].sum(1), torch.ones(6))


def test_discriminator_dropout_keeps_units_with_probability_one_minus_p_and_scales_them():
    _, discriminator = _modules()
    dropout = discriminator.net[2]
    x = torch.ones(200, 500)
    kept = dropout(x)
    assert set(kept.unique().tolist()) <= {0.0, torch.tensor(1 / (1 - dropout.p)).item()}
    assert abs((kept > 0).float().mean().item() - (1 - dropout.p)) < 0.01
    assert torch.equal(dropout.eval()(x), x)


class BatchDependentDiscriminator(RecordingDiscriminator):
    batch_independent = False


def test_models_that_depend_on_their_batch_get_separate_calls():
    X, y = _table()
    trainer = _trainer(0, epochs=1, loss="non-saturating", n_critic=2,
                       discriminator_cls=BatchDependentDiscriminator, generator_cls=RecordingGenerator)
    trainer.generator.batch_independent = False
    trainer.fit(X, y)
    batch = trainer.batch_size_
    assert all(len(rows) == batch for rows, _ in trainer.discriminator.calls)
    assert len(trainer.discriminator.calls) == trainer.step_ * (2 * 2 + 1)
    assert [len(c) for c in trainer.generator.calls[:3]] == [batch] * 3  # one G call per critic step


# ============================================================================ threads
def test_n_threads_int_is_taken_as_given_and_bad_values_are_refused():
    from gan_augment.training.trainer import resolve_threads

    assert resolve_threads(3) == 3 and resolve_threads(np.int64(2)) == 2
    for bad in (0, -1, 1.5, True, "many"):
        with pytest.raises(ValueError, match="n_threads"):
            resolve_threads(bad)


def test_auto_threads_is_one_when_the_cores_are_taken_and_capped_otherwise(monkeypatch):
    from gan_augment.training import trainer as trainer_module

    def auto():
        trainer_module._auto_threads.cache_clear()  # decided once per process: decide again here
        return trainer_module.resolve_threads("auto")

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(trainer_module, "usable_cores", lambda: 16)
    monkeypatch.setattr(trainer_module.os, "getloadavg", lambda: (16.5, 10.0, 5.0))
    assert auto() == 1
    monkeypatch.setattr(trainer_module.os, "getloadavg", lambda: (0.3, 0.2, 0.1))
    assert auto() == trainer_module._AUTO_THREADS_CAP
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the cores were shared out by whoever set it
    assert auto() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert auto() == trainer_module._AUTO_THREADS_CAP
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.setattr(trainer_module, "usable_cores", lambda: 2)
    assert auto() == 2
    trainer_module._auto_threads.cache_clear()


def test_auto_threads_does_not_follow_the_load_within_a_process(monkeypatch):
    from gan_augment.training import trainer as trainer_module

    trainer_module._auto_threads.cache_clear()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(trainer_module, "usable_cores", lambda: 2)
    monkeypatch.setattr(trainer_module.os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    first = trainer_module.resolve_threads("auto")
    monkeypatch.setattr(trainer_module.os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    assert trainer_module.resolve_threads("auto") == first == 2  # two fits of one session agree
    trainer_module._auto_threads.cache_clear()


def test_torch_threads_restores_the_callers_setting_even_on_error():
    from gan_augment.training.trainer import torch_threads

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with torch_threads(before + 1) as used:
            assert used == before + 1 == torch.get_num_threads()
            raise RuntimeError("boom")
    assert torch.get_num_threads() == before


# ============================================================================ precision
class DtypeRecordingDiscriminator(TabularDiscriminator):
    """Records the dtype of what it returns (the forward passes' arithmetic)."""

    def forward(self, x, y):
        scores = super().forward(x, y)
        self.dtypes = getattr(self, "dtypes", set()) | {scores.dtype}
        return scores


def test_bf16_precision_runs_forward_passes_in_bf16_and_keeps_weights_float32():
    X, y = _table()
    trainer = _trainer(0, epochs=3, precision="bf16", discriminator_cls=DtypeRecordingDiscriminator).fit(X, y)
    assert trainer.discriminator.dtypes == {torch.bfloat16}
    assert all(p.dtype == torch.float32 for p in trainer.generator.parameters())
    assert all(math.isfinite(v) for v in trainer.history_[:, "loss_d"] + trainer.history_[:, "loss_g"])
    # It trained: another trajectory than float32's, and samples are float32 (sampling never autocasts).
    full = _trainer(0, epochs=3, discriminator_cls=DtypeRecordingDiscriminator).fit(X, y)
    assert full.discriminator.dtypes == {torch.float32}
    assert trainer.history_[:, "loss_d"] != full.history_[:, "loss_d"]
    assert generate(trainer.sampling_generator, 10, 1, seed=0).dtype == torch.float32


def test_precision_settings_are_restored_and_unknown_ones_refused():
    from gan_augment.training.trainer import float32_matmul_precision

    before = torch.get_float32_matmul_precision()
    with float32_matmul_precision("medium", torch.device("cpu")):
        assert torch.get_float32_matmul_precision() == "medium"
    assert torch.get_float32_matmul_precision() == before
    X, y = _table()
    _trainer(0, epochs=1, precision="medium").fit(X, y)
    assert torch.get_float32_matmul_precision() == before
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainingConfig(precision="fp16")


def test_history_keeps_nan_and_none_apart_in_json():
    # A figure not measured yet (NaN) must not be JSON's NaN token; a None a callback records stays None.
    import json

    from gan_augment.training.history import History

    history = History([{"epoch": 1, "real_sign": float("nan"), "val_auc": None}, {"epoch": 2, "real_sign": 0.5}])
    text = json.dumps(history.to_json(), allow_nan=False)
    back = History.from_json(json.loads(text))
    assert math.isnan(back[0]["real_sign"]) and back[0]["val_auc"] is None and back[1] == history[1]


def test_early_stopping_counts_no_epoch_before_its_first_value():
    # A figure not measured yet (NaN) counted as "not improved": patience=1 stopped training after
    # the first epoch, before the augmentation signal was ever measured.
    from types import SimpleNamespace

    stopping = EarlyStopping("real_sign", mode="max", patience=1)
    trainer = SimpleNamespace(stop_training=False)
    stopping.on_train_begin(trainer)
    for epoch, value in enumerate([float("nan"), float("nan"), 0.3, 0.5], start=1):
        stopping.on_epoch_end(trainer, {"epoch": epoch, "real_sign": value})
    assert not trainer.stop_training and stopping.best_ == 0.5 and stopping.wait_ == 0
    stopping.on_epoch_end(trainer, {"epoch": 5, "real_sign": float("nan")})  # NaN after a value: not better
    assert trainer.stop_training


def test_a_key_recorded_on_some_epochs_is_read_across_those_epochs():
    # history_[:, "snapshot_score"] (rated every few epochs, as the docs say to read it) raised KeyError.
    from gan_augment.training.history import History

    history = History([{"epoch": 1, "loss_g": 0.5}, {"epoch": 2, "loss_g": 0.4, "snapshot_score": 0.1}])
    assert history[:, "snapshot_score"] == [0.1] and history[:, "loss_g"] == [0.5, 0.4]
    assert history[-1, "loss_g"] == 0.4 and history[1:, "loss_g"] == [0.4]  # one epoch's, as skorch reads it
    with pytest.raises(KeyError, match="nowhere"):
        history[:, "nowhere"]


@pytest.mark.parametrize("min_delta", ["0.01", float("nan"), float("inf"), 10 ** 400, -0.1, True])
def test_snapshot_selection_checks_min_delta_when_made(min_delta):
    # A text failed after the first epoch had trained; NaN kept no snapshot, silently.
    with pytest.raises(ValueError, match="min_delta must be a finite number >= 0"):
        SnapshotSelection(lambda generator: 0.5, every=1, patience=2, min_delta=min_delta)


def test_numpy_keys_of_a_recorded_dict_are_made_python_numbers():
    X, y = _table()
    trainer = _trainer(0, callbacks=[Records("per_class", {np.int64(0): np.float32(0.5)})], epochs=1).fit(X, y)
    assert trainer.history_[-1]["per_class"] == {0: 0.5} and type(next(iter(trainer.history_[-1]["per_class"]))) is int
