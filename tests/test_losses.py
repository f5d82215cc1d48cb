"""The GAN objectives are pure functions: check the direction each one pushes D and G."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gan_augment.config import LOSSES
from gan_augment.losses import discriminator_loss, generator_loss, get_loss, gradient_penalty, \
    mode_seeking_ratio, r1_penalty, real_mode_seeking_ratio
from gan_augment.models.tabular import TabularDiscriminator

HIGH = torch.full((64,), 2.0)
LOW = torch.full((64,), -2.0)


@pytest.mark.parametrize("loss", LOSSES)
def test_discriminator_loss_is_lower_when_d_is_right(loss):
    right = discriminator_loss(loss, real=HIGH, fake=LOW)
    wrong = discriminator_loss(loss, real=LOW, fake=HIGH)
    assert torch.isfinite(right) and torch.isfinite(wrong)
    assert right < wrong


@pytest.mark.parametrize("loss", LOSSES)
def test_discriminator_loss_falls_as_real_scores_rise_and_fake_scores_fall(loss):
    # Start where D is undecided for every loss (lsgan's targets are 1 for real and 0 for fake).
    middle = torch.full((64,), 0.5)
    assert discriminator_loss(loss, real=middle + 0.3, fake=middle) < discriminator_loss(loss, middle, middle)
    assert discriminator_loss(loss, real=middle, fake=middle - 0.3) < discriminator_loss(loss, middle, middle)


@pytest.mark.parametrize("loss", LOSSES)
def test_generator_loss_falls_as_fake_scores_rise(loss):
    scores = torch.linspace(-3, 0.9, 8)
    values = torch.stack([generator_loss(loss, torch.full((16,), float(s))) for s in scores])
    assert torch.all(values[1:] < values[:-1]), values


@pytest.mark.parametrize("loss", LOSSES)
def test_generator_gradient_pushes_fake_scores_up(loss):
    fake = torch.zeros(32, requires_grad=True)
    generator_loss(loss, fake).backward()
    assert torch.all(fake.grad < 0)


def test_unknown_loss_is_an_error():
    with pytest.raises(ValueError, match="Unknown loss"):
        discriminator_loss("wgan", HIGH, LOW)
    with pytest.raises(ValueError, match="Unknown loss"):
        generator_loss("wgan", HIGH)


class _LinearCritic(nn.Module):
    """``D(x, y) = <w, pack(x)>``: its gradient norm per pack is ``||w||`` everywhere."""

    def __init__(self, dim, pac, norm):
        super().__init__()
        self.pac = pac
        weight = torch.randn(dim * pac, generator=torch.Generator().manual_seed(0))
        self.weight = nn.Parameter(weight / weight.norm() * norm)

    def forward(self, x, y):
        return x.reshape(x.shape[0] // self.pac, -1) @ self.weight


@pytest.mark.parametrize("pac", [1, 4])
def test_gradient_penalty_is_zero_for_a_unit_norm_linear_critic(pac):
    real, fake = torch.randn(32, 5), torch.randn(32, 5)
    y = torch.zeros(32, dtype=torch.long)
    penalty = gradient_penalty(_LinearCritic(5, pac, norm=1.0), real, fake, y)
    assert penalty.item() == pytest.approx(0.0, abs=1e-10)


@pytest.mark.parametrize("norm", [0.5, 3.0])
def test_gradient_penalty_measures_the_distance_of_the_gradient_norm_from_one(norm):
    real, fake = torch.randn(32, 5), torch.randn(32, 5)
    y = torch.zeros(32, dtype=torch.long)
    penalty = gradient_penalty(_LinearCritic(5, 4, norm=norm), real, fake, y)
    assert penalty.item() == pytest.approx((norm - 1) ** 2, rel=1e-5)


def test_gradient_penalty_is_differentiable_in_the_critic_weights():
    critic = _LinearCritic(5, 2, norm=2.0)
    y = torch.zeros(16, dtype=torch.long)
    gradient_penalty(critic, torch.randn(16, 5), torch.randn(16, 5), y).backward()
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||: along w, pointing outwards when ||w|| > 1.
    assert critic.weight.grad is not None
    assert torch.dot(critic.weight.grad, critic.weight.detach()) > 0


def _autograd_input_gradient(critic, x, y):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x, y).sum(), x, create_graph=True)
    return grad


@pytest.mark.parametrize("hidden_dims, pac, dropout, training", [
    ((), 1, 0.0, True), ((7,), 4, 0.0, True), ((6, 5, 4), 2, 0.3, True), ((6, 5), 4, 0.3, False)])
def test_tabular_critic_writes_out_the_input_gradient_autograd_gives(hidden_dims, pac, dropout, training):
    # The penalties' written-out gradient (issue 15's speed) must be autograd's, value and weight gradients,
    # with dropout's masks drawn as a forward draws them.
    torch.manual_seed(0)
    critic = TabularDiscriminator(5, 3, hidden_dims=hidden_dims, pac=pac, dropout=dropout).train(training)
    x, y = torch.randn(16, 5), torch.randint(3, (16,))
    assert critic.writes_input_gradient
    torch.manual_seed(1)
    written = critic.input_gradient(x, y)
    torch.manual_seed(1)
    expected = _autograd_input_gradient(critic, x, y)
    torch.testing.assert_close(written, expected)
    weights = [p for p in critic.parameters()]
    written_grads = torch.autograd.grad((written ** 3).sum(), weights, allow_unused=True)
    expected_grads = torch.autograd.grad((expected ** 3).sum(), weights, allow_unused=True)
    for weight, mine, theirs in zip(weights, written_grads, expected_grads):
        # Biases only move the slopes, which are piecewise constant: zero (or no) gradient either way.
        torch.testing.assert_close(torch.zeros_like(weight) if mine is None else mine,
                                   torch.zeros_like(weight) if theirs is None else theirs)
    assert any(g is not None and g.abs().sum() > 0 for g in written_grads)


def test_the_written_out_input_gradient_is_in_the_inputs_dtype_under_bf16_autocast():
    # Its products ran in bf16 and so did the penalty's norm and mean: 3.5x autograd's rounding error.
    torch.manual_seed(0)
    critic = TabularDiscriminator(20, 3, hidden_dims=(64, 64), pac=4, dropout=0.0)
    real, fake, y = torch.randn(64, 20), torch.randn(64, 20), torch.randint(3, (64,))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert critic.input_gradient(real, y).dtype == torch.float32
        assert gradient_penalty(critic, real, fake, y).dtype == torch.float32


def test_forward_hooks_send_the_penalties_to_autograd():
    # Hook-based spectral norm: the written-out gradient read weight, and weight_orig got no gradient.
    torch.manual_seed(0)
    critic = TabularDiscriminator(5, 3, hidden_dims=(8,), pac=1, dropout=0.0)
    torch.nn.utils.spectral_norm(critic.net[0])
    assert not critic.writes_input_gradient
    real, y = torch.randn(6, 5), torch.randint(3, (6,))
    r1_penalty(critic, real, y).backward()
    assert critic.net[0].weight_orig.grad is not None and critic.net[0].weight_orig.grad.abs().sum() > 0
    tripled = TabularDiscriminator(5, 3, hidden_dims=(8,), pac=1, dropout=0.0)
    tripled.net[0].register_forward_hook(lambda module, inputs, output: 3 * output)
    assert not tripled.writes_input_gradient
    torch.testing.assert_close(r1_penalty(tripled, real, y),
                               _autograd_input_gradient(tripled, real, y).pow(2).sum(dim=1).mean())


def test_a_tabular_critic_subclass_with_its_own_scores_gets_autograd_penalties():
    class Doubled(TabularDiscriminator):
        def forward(self, x, y):
            return 2 * super().forward(x, y)

    torch.manual_seed(0)
    critic = Doubled(5, 2, hidden_dims=(6,), pac=2, dropout=0.0)
    real, y = torch.randn(8, 5), torch.randint(2, (8,))
    assert not critic.writes_input_gradient
    expected = _autograd_input_gradient(critic, real, y).pow(2).reshape(4, -1).sum(dim=1).mean()
    torch.testing.assert_close(r1_penalty(critic, real, y), expected)
    plain = TabularDiscriminator(5, 2, hidden_dims=(6,), pac=2, dropout=0.0)
    assert plain.writes_input_gradient
    # Layers other than __init__'s in net: autograd's gradient too.
    rebuilt = TabularDiscriminator(5, 2, hidden_dims=(6,), pac=2, dropout=0.0)
    rebuilt.net[1] = nn.ReLU()
    assert not rebuilt.writes_input_gradient
    torch.testing.assert_close(r1_penalty(rebuilt, real, y),
                               _autograd_input_gradient(rebuilt, real, y).pow(2).reshape(4, -1).sum(dim=1).mean())
    plain.load_state_dict(critic.state_dict())
    torch.testing.assert_close(r1_penalty(critic, real, y), 4 * r1_penalty(plain, real, y))


class _QuadraticCritic(nn.Module):
    """``D(x, y) = sum(a * x^2)`` per row: its input gradient is ``2 a x``, so R1 = E[sum 4 a^2 x^2]."""

    def __init__(self, dim):
        super().__init__()
        self.a = nn.Parameter(torch.linspace(0.5, 2.0, dim))

    def forward(self, x, y):
        return (self.a * x ** 2).sum(dim=1)


@pytest.mark.parametrize("pac", [1, 4])
def test_r1_penalty_is_the_squared_input_gradient_norm_per_scored_unit(pac):
    real = torch.randn(32, 5)
    y = torch.zeros(32, dtype=torch.long)
    # A linear critic's gradient is w for every pack whatever the input: R1 = ||w||^2.
    assert r1_penalty(_LinearCritic(5, pac, norm=3.0), real, y).item() == pytest.approx(9.0, rel=1e-5)
    critic = _QuadraticCritic(5)
    expected = (4 * critic.a.detach() ** 2 * real ** 2).sum(dim=1).mean()
    assert r1_penalty(critic, real, y).item() == pytest.approx(expected.item(), rel=1e-5)
    assert not real.requires_grad  # the caller's tensor is left alone


def test_r1_penalty_gradient_in_the_critic_weights_shrinks_them():
    critic = _QuadraticCritic(3)
    real, y = torch.randn(64, 3), torch.zeros(64, dtype=torch.long)
    r1_penalty(critic, real, y).backward()
    # d/da E[sum 4 a^2 x^2] = 8 a E[x^2]: double backprop through the input gradient.
    expected = 8 * critic.a.detach() * (real ** 2).mean(dim=0)
    torch.testing.assert_close(critic.a.grad, expected)


@pytest.mark.parametrize("name", LOSSES)
def test_r1_gamma_adds_half_gamma_r1_to_every_loss_and_reads_no_fakes(name):
    from gan_augment.config import TrainingConfig

    critic = _LinearCritic(5, 1, norm=3.0)
    real, fake, y = torch.randn(16, 5), torch.randn(16, 5), torch.zeros(16, dtype=torch.long)
    plain = get_loss(name, TrainingConfig(gp_weight=2.5))
    with_r1 = get_loss(name, TrainingConfig(gp_weight=2.5, r1_gamma=4.0))
    base = 0.0 if plain.penalty is None else plain.penalty(critic, real, fake, y).item()
    assert with_r1.penalty(critic, real, fake, y).item() == pytest.approx(base + 0.5 * 4.0 * 9.0, rel=1e-5)
    assert with_r1.after_discriminator_step is plain.after_discriminator_step or name == "wasserstein"
    if plain.penalty is None:  # R1 alone: the fakes play no part
        assert with_r1.penalty(critic, real, fake * 100, y).item() == pytest.approx(18.0, rel=1e-5)


def test_regulariser_weights_must_be_finite_non_negative_numbers():
    from gan_augment.config import TrainingConfig

    assert TrainingConfig().r1_gamma == 0.0 and TrainingConfig().mode_seeking_weight == 0.0  # tables
    for name in ("gp_weight", "r1_gamma", "mode_seeking_weight"):
        for bad in (-1.0, float("inf"), float("nan"), "1"):
            with pytest.raises(ValueError, match=name):
                TrainingConfig(**{name: bad})
    # A clip of -0.01 set every weight of the critic to one value; NaN every weight to NaN.
    for bad in (-0.01, 0.0, float("nan"), float("inf"), "0.01"):
        with pytest.raises(ValueError, match="clip_value must be a positive finite number"):
            TrainingConfig(clip_value=bad)


def test_mode_seeking_ratio_is_pixel_distance_per_noise_distance_within_a_class():
    z = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 0.0], [0.0, 4.0]])
    y = torch.tensor([0, 0, 1, 1])
    fake = torch.tensor([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    # class 0: pixels 3/3 = 1 apart for noise 2/2 = 1 apart -> 1; class 1: identical rows -> 0.
    # Each same-class pair counts twice (i, j) and (j, i): the mean is (1 + 1 + 0 + 0) / 4.
    assert mode_seeking_ratio(fake, z, y).item() == pytest.approx(0.5)
    # Rows of different classes never pair: class 1 alone is collapsed.
    assert mode_seeking_ratio(fake[2:], z[2:], y[2:]).item() == 0.0
    assert mode_seeking_ratio(fake[[0, 2]], z[[0, 2]], y[[0, 2]]) is None  # no pair at all
    # ... and then the penalty adds nothing: it added weight / 1e-5 (10,000 a step at weight 0.1) to
    # the reported generator loss, with no gradient.
    from gan_augment.config import TrainingConfig

    unpaired = get_loss("hinge", TrainingConfig(mode_seeking_weight=0.1)).generator_penalty(
        fake[[0, 2]].requires_grad_(True), z[[0, 2]], y[[0, 2]])
    assert unpaired.item() == 0.0 and unpaired.requires_grad


def test_mode_seeking_penalty_pushes_samples_of_a_class_apart():
    from gan_augment.config import TrainingConfig

    z = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1] * 4)
    fake = (0.01 * z[:, :3]).requires_grad_(True)  # nearly collapsed
    loss = get_loss("hinge", TrainingConfig(mode_seeking_weight=2.0))
    assert loss.penalty is None and get_loss("hinge").generator_penalty is None
    value = loss.generator_penalty(fake, z, y)
    ratio = mode_seeking_ratio(fake.detach(), z, y).item()
    assert value.item() == pytest.approx(2.0 / (ratio + 1e-5), rel=1e-5)
    value.backward()
    # A small step against the gradient spreads the rows of each class: the ratio grows.
    assert mode_seeking_ratio(fake.detach() - 1e-4 * fake.grad, z, y).item() > ratio


def test_real_rows_read_as_a_generator_that_spreads_them_as_its_noise():
    # A "generator" that returns its noise puts its samples exactly as far apart as the noise:
    # ratio 1 per pair. Real rows drawn like that noise read 1 as well (up to sampling error),
    # so the cap and the generator's ratio are on one scale.
    z = torch.randn(400, 16, generator=torch.Generator().manual_seed(0))
    y = torch.arange(400) % 2
    assert mode_seeking_ratio(z, z, y).item() == pytest.approx(1.0)
    assert real_mode_seeking_ratio(z, y) == pytest.approx(1.0, abs=0.03)
    # Half as spread real rows read half; the reading is per feature, whatever the shape.
    assert real_mode_seeking_ratio(0.5 * z.reshape(400, 1, 4, 4), y) == pytest.approx(0.5, abs=0.02)
    # Only classes with two rows or more count; none at all reads None.
    lonely = torch.cat([z[:10], 5 * z[10:11]]), torch.tensor([0] * 10 + [1])
    assert real_mode_seeking_ratio(*lonely) == pytest.approx(real_mode_seeking_ratio(z[:10], torch.zeros(10)))
    assert real_mode_seeking_ratio(z[:2], torch.tensor([0, 1])) is None


def test_capped_mode_seeking_term_pulls_only_below_the_real_spread():
    from gan_augment.config import TrainingConfig

    z = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1] * 4)
    config = TrainingConfig(mode_seeking_weight=2.0)
    for scale, pulls in ((0.01, True), (10.0, False)):  # collapsed / far more spread than the cap
        fake = (scale * z[:, :3]).requires_grad_(True)
        ratio = mode_seeking_ratio(fake.detach(), z, y).item()
        value = get_loss("hinge", config, mode_seeking_cap=1.0).generator_penalty(fake, z, y)
        assert value.item() == pytest.approx(2.0 / (min(ratio, 1.0) + 1e-5), rel=1e-5)
        value.backward()
        assert bool(fake.grad.abs().sum() > 0) is pulls
        # Below the cap it is the uncapped term, gradient and all.
        uncapped = fake.detach().requires_grad_(True)
        get_loss("hinge", config).generator_penalty(uncapped, z, y).backward()
        assert torch.equal(fake.grad, uncapped.grad) is pulls


# ============================================================================ the registry
def test_the_registry_holds_exactly_the_configurable_losses():
    from gan_augment.losses import LOSSES as REGISTRY

    assert tuple(REGISTRY) == tuple(LOSSES)
    for name in LOSSES:
        assert get_loss(name).name == name


def test_each_loss_brings_its_own_penalty_and_after_step_hook():
    from gan_augment.config import TrainingConfig

    config = TrainingConfig(gp_weight=2.5, clip_value=0.05)
    for name in LOSSES:
        loss = get_loss(name, config)
        assert (loss.penalty is not None) == (name == "wgan-gp"), name
        assert (loss.after_discriminator_step is not None) == (name == "wasserstein"), name

    critic = _LinearCritic(5, 1, norm=3.0)
    real, fake = torch.randn(16, 5), torch.randn(16, 5)
    y = torch.zeros(16, dtype=torch.long)
    penalty = get_loss("wgan-gp", config).penalty(critic, real, fake, y)
    assert penalty.item() == pytest.approx(2.5 * (3.0 - 1) ** 2, rel=1e-5)

    get_loss("wasserstein", config).after_discriminator_step(critic)
    assert torch.equal(critic.weight.detach().abs(), torch.full((5,), 0.05))  # every weight was beyond it


def test_get_loss_defaults_to_the_training_config_and_refuses_unknown_names():
    from gan_augment.config import TrainingConfig

    critic = _LinearCritic(5, 1, norm=3.0)
    real, fake, y = torch.randn(16, 5), torch.randn(16, 5), torch.zeros(16, dtype=torch.long)
    assert get_loss("wgan-gp").penalty(critic, real, fake, y).item() == pytest.approx(
        TrainingConfig().gp_weight * 4.0, rel=1e-5)
    with pytest.raises(ValueError, match="Unknown loss 'wgan'"):
        get_loss("wgan")


def test_weight_clipping_bounds_the_weights_an_equalised_critic_applies():
    # The progressive critic stores its weights at unit scale and applies weight * gain: clamped as
    # stored, the weights it applied were ~1/24 of the clip (and GANAugmenter refuses clipping for
    # it: even clipped as applied, its scores shrink to nothing).
    from gan_augment.config import ImageModelConfig, TrainingConfig
    from gan_augment.models.equalized import EqualizedConv2d, EqualizedLinear
    from gan_augment.models.image import build_image_discriminator

    torch.manual_seed(0)
    critic = build_image_discriminator(ImageModelConfig(channels=1, resolution=8, architecture="progressive"), 3)
    critic.set_progress(1.0)
    get_loss("wasserstein", TrainingConfig(loss="wasserstein", clip_value=0.01)).after_discriminator_step(critic)
    equalised = [m for m in critic.modules() if isinstance(m, (EqualizedConv2d, EqualizedLinear))]
    assert equalised
    for layer in equalised:
        applied = (layer.weight * layer.weight_gain).abs()
        assert applied.max().item() == pytest.approx(0.01, rel=1e-5)  # clipped where it was beyond 0.01


@pytest.mark.parametrize("name", LOSSES)
def test_adaptive_augmentations_signal_is_zero_for_a_critic_at_chance_and_one_when_it_separates(name):
    # The sign of the real scores was read about 0 for every loss: an LSGAN discriminator at chance
    # scores ~0.5, and a Wasserstein critic's offset is free, so the signal sat at 1 and the
    # augmentation probability climbed to its cap in every fit.
    loss = get_loss(name)
    torch.manual_seed(0)
    for offset in (-3.0, 0.0, 40.0):  # a critic's scores may sit anywhere
        if loss.decision_point is not None and offset:
            continue
        point = offset if loss.decision_point is None else loss.decision_point
        chance_real, chance_fake = point + 0.1 * torch.randn(4096), point + 0.1 * torch.randn(4096)
        assert abs(torch.sign(loss.real_margins(chance_real, chance_fake)).mean().item()) < 0.05, offset
        apart = torch.sign(loss.real_margins(chance_real + 1.0, chance_fake - 1.0)).mean().item()
        assert apart > 0.99, offset
