"""Differentiable augmentation of discriminator inputs, with an adaptive probability.

With few images the discriminator memorises the training set and its gradients stop teaching the
generator anything. Two published remedies are combined here, both implemented from the papers:

* DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training"):
  every image the discriminator sees, real or fake, in discriminator and generator steps alike, is
  augmented by transforms through which gradients flow back to the generator. The transforms are
  pure functions of a batch, chosen by a policy string such as ``"color,translation,cutout"``.
* Adaptive probability (Karras et al. 2020, "Training Generative Adversarial Networks with Limited
  Data"): each transform is applied to each image with probability ``p``, and ``p`` follows the
  overfitting signal ``r_t = E[sign(D(real))]`` (the sign taken about the loss's decision point:
  ``GANLoss.decision_point``): when the discriminator is too sure of the real images (``r_t``
  above a target) ``p`` rises, otherwise it falls. A cap keeps ``p`` below the
  level where augmentations would "leak" into the generated images.

Images are (N, C, H, W) tensors in [-1, 1]. Every random draw comes from torch's global RNG, which
the trainer forks and seeds, so augmentation is reproducible.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F


def brightness(x: torch.Tensor) -> torch.Tensor:
    """Add one uniform offset in [-0.5, 0.5) per image (a quarter of the [-1, 1] range each way)."""
    return x + (torch.rand(x.shape[0], 1, 1, 1, device=x.device) - 0.5)


def saturation(x: torch.Tensor) -> torch.Tensor:
    """Scale each image's distance from its grey level by a factor in [0, 2); grayscale is unchanged."""
    if x.shape[1] == 1:
        return x
    grey = x.mean(dim=1, keepdim=True)
    return grey + (x - grey) * (torch.rand(x.shape[0], 1, 1, 1, device=x.device) * 2)


def contrast(x: torch.Tensor) -> torch.Tensor:
    """Scale each image's distance from its mean by a factor in [0.5, 1.5)."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return mean + (x - mean) * (torch.rand(x.shape[0], 1, 1, 1, device=x.device) + 0.5)


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by up to ``ratio`` of its size on each axis; uncovered pixels become -1.

    Integer shifts done by gathering from a padded copy: exact (no interpolation blur) and
    differentiable with respect to the pixel values.
    """
    n, _, h, w = x.shape
    shift_h, shift_w = max(1, int(h * ratio + 0.5)), max(1, int(w * ratio + 0.5))
    dy = torch.randint(-shift_h, shift_h + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-shift_w, shift_w + 1, (n, 1, 1), device=x.device)
    rows = (torch.arange(h, device=x.device).view(1, h, 1) + dy + 1).clamp_(0, h + 1)
    cols = (torch.arange(w, device=x.device).view(1, 1, w) + dx + 1).clamp_(0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1], value=-1.0).permute(0, 2, 3, 1)  # N, H+2, W+2, C
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    return padded[batch, rows, cols].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Blank one square of ``ratio`` times the image size per image, at a random centre, to -1."""
    n, _, h, w = x.shape
    size_h, size_w = max(1, int(h * ratio + 0.5)), max(1, int(w * ratio + 0.5))
    top = torch.randint(0, h + (1 - size_h % 2), (n, 1, 1), device=x.device) - size_h // 2
    left = torch.randint(0, w + (1 - size_w % 2), (n, 1, 1), device=x.device) - size_w // 2
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = (rows >= top) & (rows < top + size_h) & (cols >= left) & (cols < left + size_w)
    return torch.where(inside.unsqueeze(1), torch.full_like(x, -1.0), x)


#: The transforms behind each policy word, applied in this order.
POLICIES = {
    "color": (brightness, saturation, contrast),
    "translation": (translation,),
    "cutout": (cutout,),
}


def parse_policy(policy: str | None) -> tuple[str, ...]:
    """``"color,translation"`` -> ``("color", "translation")``; unknown words are an error."""
    if policy is None or policy == "":
        return ()
    words = tuple(word.strip() for word in policy.split(","))
    unknown = [word for word in words if word not in POLICIES]
    if unknown:
        raise ValueError(
            f"Unknown augmentation policy {', '.join(map(repr, unknown))} in {policy!r}; "
            f"use a comma-separated subset of {sorted(POLICIES)}."
        )
    return words


def augment(x: torch.Tensor, policy: tuple[str, ...], p: float) -> torch.Tensor:
    """Apply each transform of ``policy`` to each image independently with probability ``p``."""
    if p <= 0 or not policy:
        return x
    for word in policy:
        for transform in POLICIES[word]:
            out = transform(x)
            if p < 1:
                chosen = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < p
                out = torch.where(chosen, out, x)
            x = out
    return x


class AdaptiveProbability:
    """The probability ``p`` of each augmentation, driven by ``r_t = E[sign(D(real))]``.

    Every ``interval`` discriminator steps, ``p`` moves by ``interval / steps_to_full`` towards more
    augmentation when the mean sign is above ``target`` and towards less otherwise, within
    ``[0, max_p]``. Karras et al. move ``p`` from 0 to 1 over 500k images; our runs see a few
    hundred thousand images in all, so the speed is set in discriminator steps instead.

    Parameters
    ----------
    target : float
        Wanted ``E[sign(D(real))]``; 0.6 as in Karras et al.
    max_p : float
        Cap on ``p``. Translation, cutout and colour do not leak into the generator's images below
        about 0.8 (Karras et al., Fig. 3), so the default stays there.
    p : float
        Starting probability. ``adaptive=False`` keeps it fixed (plain DiffAugment is ``p=1``).
    reduce : callable or None
        Averages a tensor over the processes of a data-parallel run, so that all of them move ``p``
        alike (:meth:`gan_augment.training.distributed.ProcessGroup.mean`).
    """

    def __init__(self, *, target=0.6, max_p=0.8, p=0.0, adaptive=True, interval=4, steps_to_full=500,
                 reduce=None):
        self.target = target
        self.max_p = max_p
        self.p = p
        self.adaptive = adaptive
        self.interval = interval
        self.steps_to_full = steps_to_full
        self.reduce = reduce
        self._signs: torch.Tensor | float = 0.0
        self._count = 0
        self.last_signal = float("nan")  # none measured yet

    def observe(self, real_scores: torch.Tensor) -> None:
        """Record the discriminator's scores of one batch of (augmented) real images, less its
        decision point (positive: called real)."""
        if not self.adaptive:
            return
        # Summed on the device: the host reads it once per ``interval`` steps, not every step.
        self._signs = self._signs + torch.sign(real_scores.detach()).mean(dtype=torch.float64)
        self._count += 1
        if self._count == self.interval:
            signs = torch.as_tensor(self._signs)
            if self.reduce is not None:
                signs = self.reduce(signs)
            self.last_signal = float(signs) / self._count
            step = self.interval / self.steps_to_full
            direction = 1.0 if self.last_signal > self.target else -1.0
            self.p = min(self.max_p, max(0.0, self.p + direction * step))
            self._signs, self._count = 0.0, 0

    def state_dict(self) -> dict:
        # NaN saved as null: a checkpoint stays strict JSON.
        signal = None if math.isnan(self.last_signal) else self.last_signal
        return {"p": self.p, "signs": float(self._signs), "count": self._count, "last_signal": signal}

    def load_state_dict(self, state: dict) -> None:
        self.p, self._signs, self._count = state["p"], state["signs"], state["count"]
        self.last_signal = float("nan") if state["last_signal"] is None else state["last_signal"]
