"""GAN objectives as pure tensor functions of discriminator outputs (logits / critic values).

Each loss is to be minimised. ``wasserstein`` expects the trainer to clip the critic's weights
(Arjovsky et al. 2017); ``wgan-gp`` adds :func:`gradient_penalty` (Gulrajani et al. 2017).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F


def discriminator_loss(loss: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    if loss in ("minimax", "non-saturating"):
        # -log sigmoid(real) - log(1 - sigmoid(fake)), written stably with softplus.
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if loss in ("wasserstein", "wgan-gp"):
        return fake.mean() - real.mean()
    if loss == "lsgan":
        return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake ** 2).mean()
    if loss == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    raise ValueError(f"Unknown loss {loss!r}.")


def generator_loss(loss: str, fake: torch.Tensor) -> torch.Tensor:
    if loss == "minimax":
        # The original objective, min log(1 - D(G(z))); its gradient vanishes when D wins.
        return -F.softplus(fake).mean()
    if loss == "non-saturating":
        return F.softplus(-fake).mean()
    if loss in ("wasserstein", "wgan-gp", "hinge"):
        return -fake.mean()
    if loss == "lsgan":
        return 0.5 * ((fake - 1) ** 2).mean()
    raise ValueError(f"Unknown loss {loss!r}.")


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
