"""GAN objectives as pure tensor functions of discriminator outputs (logits / critic values).

Each loss is to be minimised. A loss is a :class:`GANLoss`: its two objectives plus what else the
training step must do for it, so that the loop names no loss. ``wasserstein`` clips the critic's
weights after each critic step (Arjovsky et al. 2017); ``wgan-gp`` adds :func:`gradient_penalty`
to the critic's loss (Gulrajani et al. 2017). :data:`LOSSES` maps each name to a factory that binds
those hooks to a :class:`~gan_augment.config.TrainingConfig` (``gp_weight``, ``clip_value``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch
from torch import nn
from torch.nn import functional as F

#: ``(D, real, fake, y) -> tensor`` added to the discriminator's loss (already weighted).
Penalty = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
#: ``D -> None``, run after every optimizer step of the discriminator (e.g. weight clipping).
AfterStep = Callable[[nn.Module], None]


@dataclass(frozen=True)
class GANLoss:
    """One GAN objective and the extra work it asks of the training step.

    ``discriminator(real_scores, fake_scores)`` and ``generator(fake_scores)`` are minimised;
    ``penalty`` (or None) is added to the discriminator's loss; ``after_discriminator_step`` (or
    None) runs after each discriminator update. Neither hook may draw random numbers other than
    in a fixed order: they run inside the trainer's seeded stream.
    """

    name: str
    discriminator: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    generator: Callable[[torch.Tensor], torch.Tensor]
    penalty: Optional[Penalty] = None
    after_discriminator_step: Optional[AfterStep] = None


# ------------------------------------------------------------------------------- objectives
def _logistic_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    # -log sigmoid(real) - log(1 - sigmoid(fake)), written stably with softplus.
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def _minimax_g(fake: torch.Tensor) -> torch.Tensor:
    # The original objective, min log(1 - D(G(z))); its gradient vanishes when D wins.
    return -F.softplus(fake).mean()


def _non_saturating_g(fake: torch.Tensor) -> torch.Tensor:
    return F.softplus(-fake).mean()


def _critic_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return fake.mean() - real.mean()


def _critic_g(fake: torch.Tensor) -> torch.Tensor:
    return -fake.mean()


def _lsgan_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake ** 2).mean()


def _lsgan_g(fake: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((fake - 1) ** 2).mean()


def _hinge_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


def gradient_penalty(discriminator, real: torch.Tensor, fake: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``E[(||grad D(x_hat)|| - 1)^2]`` at random interpolates of real and fake rows.

    With a packing discriminator the gradient norm is taken per pack, the unit D actually scores.
    """
    pac = getattr(discriminator, "pac", 1)
    weight = torch.rand(real.shape[0] // pac, 1, device=real.device).repeat_interleave(pac, dim=0)
    weight = weight.reshape(-1, *([1] * (real.dim() - 1)))
    mixed = (weight * real + (1 - weight) * fake.detach()).requires_grad_(True)
    scores = discriminator(mixed, y)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    norms = grad.reshape(grad.shape[0] // pac, -1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()


# ------------------------------------------------------------------------------- hooks
def _weighted_gradient_penalty(weight: float) -> Penalty:
    def penalty(discriminator, real, fake, y):
        return weight * gradient_penalty(discriminator, real, fake, y)

    return penalty


def _weight_clipping(clip_value: float) -> AfterStep:
    @torch.no_grad()
    def clip(discriminator):
        for param in discriminator.parameters():
            param.clamp_(-clip_value, clip_value)

    return clip


# ------------------------------------------------------------------------------- registry
#: name -> factory ``config -> GANLoss``; ``config`` is read for ``gp_weight`` and ``clip_value``.
#: The names are those of :data:`gan_augment.config.LOSSES` (a test keeps the two in step).
LOSSES: dict[str, Callable[[Any], GANLoss]] = {
    "minimax": lambda config: GANLoss("minimax", _logistic_d, _minimax_g),
    "non-saturating": lambda config: GANLoss("non-saturating", _logistic_d, _non_saturating_g),
    "wasserstein": lambda config: GANLoss(
        "wasserstein", _critic_d, _critic_g, after_discriminator_step=_weight_clipping(config.clip_value)),
    "wgan-gp": lambda config: GANLoss(
        "wgan-gp", _critic_d, _critic_g, penalty=_weighted_gradient_penalty(config.gp_weight)),
    "lsgan": lambda config: GANLoss("lsgan", _lsgan_d, _lsgan_g),
    "hinge": lambda config: GANLoss("hinge", _hinge_d, _critic_g),
}


def get_loss(name: str, config=None) -> GANLoss:
    """The :class:`GANLoss` called ``name``, its hooks set from ``config`` (a TrainingConfig;
    None = its defaults)."""
    try:
        factory = LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown loss {name!r}; choose one of {', '.join(LOSSES)}.") from None
    if config is None:
        from gan_augment.config import TrainingConfig  # lazily: config may one day read LOSSES

        config = TrainingConfig
    return factory(config)


def discriminator_loss(loss: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's objective of loss ``loss`` (without its penalty)."""
    return get_loss(loss).discriminator(real, fake)


def generator_loss(loss: str, fake: torch.Tensor) -> torch.Tensor:
    """The generator's objective of loss ``loss``."""
    return get_loss(loss).generator(fake)
