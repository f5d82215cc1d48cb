"""GAN objectives as pure tensor functions of discriminator outputs (logits / critic values).

Each loss is to be minimised. A loss is a :class:`GANLoss`: its two objectives plus what else the
training step must do for it, so that the loop names no loss. ``wasserstein`` clips the critic's
weights after each critic step (Arjovsky et al. 2017); ``wgan-gp`` adds :func:`gradient_penalty`
to the critic's loss (Gulrajani et al. 2017). :data:`LOSSES` maps each name to a factory that binds
those hooks to a :class:`~gan_augment.config.TrainingConfig` (``gp_weight``, ``clip_value``).

Independently of the objective, ``r1_gamma > 0`` adds the R1 penalty :func:`r1_penalty` on real
rows (Mescheder et al. 2018) to whatever penalty the loss brings, and ``mode_seeking_weight > 0``
gives the generator the mode-seeking term of :func:`mode_seeking_ratio` (Mao et al. 2019), capped
where the trainer passes the real rows' own ratio; :func:`get_loss` composes them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch
from torch import nn
from torch.nn import functional as F

#: ``(D, real, fake, y) -> tensor`` added to the discriminator's loss (already weighted).
Penalty = Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
#: ``D -> None``, run after every optimizer step of the discriminator (e.g. weight clipping).
AfterStep = Callable[[nn.Module], None]
#: ``(fake, z, y) -> tensor`` added to the generator's loss (already weighted); ``fake`` are the
#: generator's rows for noise ``z`` and classes ``y``, before any augmentation.
GeneratorPenalty = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class GANLoss:
    """One GAN objective and the extra work it asks of the training step.

    ``discriminator(real_scores, fake_scores)`` and ``generator(fake_scores)`` are minimised;
    ``penalty`` (or None) is added to the discriminator's loss; ``after_discriminator_step`` (or
    None) runs after each discriminator update; ``generator_penalty`` (or None) is added to the
    generator's loss. No hook may draw random numbers other than in a fixed order: they run
    inside the trainer's seeded stream.

    ``decision_point`` is the score at which the discriminator's verdict turns from fake to real:
    adaptive augmentation's overfitting signal is ``E[sign(D(real) - decision_point)]`` (Karras
    et al. 2020 take the sign of a logit: 0). LSGAN's targets 0 and 1 put it at 0.5; a Wasserstein
    critic's offset is free, so it has none (None): there the median score of the same batch's
    fakes stands in (:meth:`real_margins`). Read at 0 for every loss, the signal sat at 1 for LSGAN
    and the critics, and the augmentation probability climbed to its cap in every fit.
    """

    name: str
    discriminator: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    generator: Callable[[torch.Tensor], torch.Tensor]
    penalty: Optional[Penalty] = None
    after_discriminator_step: Optional[AfterStep] = None
    generator_penalty: Optional[GeneratorPenalty] = None
    decision_point: Optional[float] = 0.0

    def real_margins(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        """How far each real row's score lies on the real side of the decision point (negative: on
        the fake side); without one, of the median score of the same batch's fakes."""
        point = self.decision_point
        return real_scores - (fake_scores.detach().median() if point is None else point)


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
    mixed = weight * real + (1 - weight) * fake.detach()
    grad = _input_gradient(discriminator, mixed, y)
    norms = grad.reshape(grad.shape[0] // pac, -1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()


def _input_gradient(discriminator, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``d sum(D(x, y)) / dx``, differentiable in D's weights: the discriminator's own
    ``input_gradient`` where it writes one out (the tabular critic), else autograd's."""
    if getattr(discriminator, "writes_input_gradient", False):
        return discriminator.input_gradient(x, y)
    x = x.requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(x, y).sum(), x, create_graph=True)
    return grad


def r1_penalty(discriminator, real: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``E[||grad_x D(x, y)||^2]`` over the real rows ``x`` (Mescheder et al. 2018, "Which training
    methods for GANs do actually converge?"), not yet halved nor weighted.

    It pushes D's gradient at the data towards zero, so D cannot sharpen its boundary around the
    few real images it has memorised; the game then converges locally instead of cycling.
    With a packing discriminator the norm is taken per pack (the sum of its rows' squared norms).
    """
    pac = getattr(discriminator, "pac", 1)
    grad = _input_gradient(discriminator, real.detach(), y)
    return grad.pow(2).reshape(grad.shape[0] // pac, -1).sum(dim=1).mean()


def mode_seeking_ratio(fake: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> Optional[torch.Tensor]:
    """Mean over pairs of rows of the same class of ``mean|G(z_i) - G(z_j)| / mean|z_i - z_j|``.

    How far apart the generator puts two samples of one class per unit of noise between them
    (Mao et al. 2019, "Mode seeking GANs for diverse image synthesis"): near 0 when the
    generator ignores its noise, which is how a conditional GAN collapses within a class. Pairs
    are taken within the batch, so no extra forward pass is needed. None when no class has two rows.
    """
    same = (y[:, None] == y[None, :]) & ~torch.eye(len(y), dtype=torch.bool, device=y.device)
    if not bool(same.any()):
        return None
    flat_x, flat_z = fake.reshape(fake.shape[0], -1), z.reshape(z.shape[0], -1)
    dx = torch.cdist(flat_x, flat_x, p=1) / flat_x.shape[1]
    dz = torch.cdist(flat_z, flat_z, p=1) / flat_z.shape[1]
    return (dx[same] / dz[same].clamp_min(1e-8)).mean()


#: E|a - b| for independent standard normal a and b: the mean distance per noise coordinate.
_NOISE_DISTANCE = 2.0 / float(torch.pi) ** 0.5


def real_mode_seeking_ratio(X: torch.Tensor, y: torch.Tensor, rows_per_class: int = 200) -> Optional[float]:
    """What :func:`mode_seeking_ratio` reads for real rows: the within-class mean per-feature L1
    distance, over the mean distance per coordinate of standard normal noise, averaged over the
    classes with two rows or more (the first ``rows_per_class`` of each; no random draws). None
    when no class has two rows. A generator whose samples lie as far apart as the real ones of
    their class, per unit of noise, reads this."""
    flat = X.reshape(X.shape[0], -1).float()
    ratios = []
    for label in torch.unique(y):
        rows = flat[y == label][:rows_per_class]
        if len(rows) >= 2:
            distances = torch.cdist(rows, rows, p=1) / rows.shape[1]
            ratios.append(float(distances.sum()) / (len(rows) * (len(rows) - 1)) / _NOISE_DISTANCE)
    return sum(ratios) / len(ratios) if ratios else None


# ------------------------------------------------------------------------------- hooks
def _weighted_gradient_penalty(weight: float) -> Penalty:
    def penalty(discriminator, real, fake, y):
        return weight * gradient_penalty(discriminator, real, fake, y)

    return penalty


def _with_r1(penalty: Optional[Penalty], gamma: float) -> Penalty:
    """``penalty`` (or nothing) plus ``gamma / 2 * r1_penalty`` on the real rows."""

    def combined(discriminator, real, fake, y):
        r1 = 0.5 * gamma * r1_penalty(discriminator, real, y)
        return r1 if penalty is None else penalty(discriminator, real, fake, y) + r1

    return combined


def _mode_seeking(weight: float, cap: Optional[float] = None) -> GeneratorPenalty:
    """``weight / (min(ratio, cap) + eps)``: the reciprocal of :func:`mode_seeking_ratio`, as Mao
    et al. minimise it, so that the push is strongest when the samples of a class are closest;
    with a ``cap`` (the real rows' own ratio, :func:`real_mode_seeking_ratio`) there is no push
    once the samples are as far apart as the real ones: beyond that, spread is the
    discriminator's to judge."""

    def penalty(fake, z, y):
        ratio = mode_seeking_ratio(fake, z, y)
        if ratio is None:  # no two rows of a class in the batch: nothing to push apart, and nothing added
            return fake.sum() * 0.0
        if cap is not None:
            ratio = ratio.clamp(max=cap)
        return weight / (ratio + 1e-5)

    return penalty


def _weight_clipping(clip_value: float) -> AfterStep:
    """Clamp every weight of the critic to [-clip_value, clip_value] as the layer applies it: a
    layer with an equalised learning rate stores its weights at unit scale and multiplies them by
    ``<name>_gain`` at run time, so its stored weights are clamped to ``clip_value / gain`` (clamped
    as stored, the weights it applied were a twenty-fourth of the clip; GANAugmenter refuses clipping
    for the critics it silences even so, ``augmenter.CLIPPING_FAILS``)."""
    @torch.no_grad()
    def clip(discriminator):
        for module in discriminator.modules():
            for name, param in module.named_parameters(recurse=False):
                if not param.requires_grad:  # frozen by the caller (the trainer trains the rest)
                    continue
                bound = clip_value / abs(getattr(module, f"{name}_gain", 1.0))
                param.clamp_(-bound, bound)

    return clip


# ------------------------------------------------------------------------------- registry
#: name -> factory ``config -> GANLoss``; ``config`` is read for ``gp_weight`` and ``clip_value``
#: (``r1_gamma`` and ``mode_seeking_weight`` are added by :func:`get_loss`, for every loss alike).
#: The names are those of :data:`gan_augment.config.LOSSES` (a test keeps the two in step).
LOSSES: dict[str, Callable[[Any], GANLoss]] = {
    "minimax": lambda config: GANLoss("minimax", _logistic_d, _minimax_g),
    "non-saturating": lambda config: GANLoss("non-saturating", _logistic_d, _non_saturating_g),
    "wasserstein": lambda config: GANLoss(
        "wasserstein", _critic_d, _critic_g, after_discriminator_step=_weight_clipping(config.clip_value),
        decision_point=None),
    "wgan-gp": lambda config: GANLoss(
        "wgan-gp", _critic_d, _critic_g, penalty=_weighted_gradient_penalty(config.gp_weight), decision_point=None),
    "lsgan": lambda config: GANLoss("lsgan", _lsgan_d, _lsgan_g, decision_point=0.5),
    "hinge": lambda config: GANLoss("hinge", _hinge_d, _critic_g),
}


def get_loss(name: str, config=None, *, mode_seeking_cap: Optional[float] = None) -> GANLoss:
    """The :class:`GANLoss` called ``name``, its hooks set from ``config`` (a TrainingConfig;
    None = its defaults), with the R1 penalty added when ``config.r1_gamma > 0`` and the
    mode-seeking term when ``config.mode_seeking_weight > 0`` (capped at ``mode_seeking_cap``
    when given)."""
    try:
        factory = LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown loss {name!r}; choose one of {', '.join(LOSSES)}.") from None
    if config is None:
        from gan_augment.config import TrainingConfig  # lazily: config may one day read LOSSES

        config = TrainingConfig
    loss = factory(config)
    gamma = getattr(config, "r1_gamma", 0.0)
    if gamma > 0:
        loss = dataclasses.replace(loss, penalty=_with_r1(loss.penalty, float(gamma)))
    seek = getattr(config, "mode_seeking_weight", 0.0)
    if seek > 0:
        loss = dataclasses.replace(loss, generator_penalty=_mode_seeking(float(seek), mode_seeking_cap))
    return loss


def discriminator_loss(loss: str, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's objective of loss ``loss`` (without its penalty)."""
    return get_loss(loss).discriminator(real, fake)


def generator_loss(loss: str, fake: torch.Tensor) -> torch.Tensor:
    """The generator's objective of loss ``loss``."""
    return get_loss(loss).generator(fake)
