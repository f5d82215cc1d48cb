"""Progressive growing (Karras et al. 2018, "Progressive Growing of GANs for Improved Quality,
Stability, and Variation"), class-conditional: ``architecture="progressive"``.

Training starts at 4x4; each larger resolution up to the working size is faded in -- its new
layers' output blended with the up-sampled output of the layers below by a weight ``alpha`` that
ramps from 0 to 1 -- and then trained at full weight. The paper's other devices are here too:
pixelwise feature normalisation in G, equalised learning rates (:mod:`gan_augment.models.equalized`),
and a minibatch standard-deviation feature in D's last block. The class enters at every
resolution: as an embedding joined to the latent and as a per-class bias of each resolution's
features in G, as one-hot planes joined to the image at each resolution's entry (fromRGB) and as a
projection term on the final features in D.

The schedule is a function of the training progress (the share of the planned generator updates
done), which the one trainer sets on both networks before every update (``set_progress``); each
resolution gets an equal share, the first half of it fading in. The progress is a buffer, so a
checkpoint taken mid-growth resumes where it was and a saved model samples at the stage it reached.
Both networks always take and give images at the working size: G up-samples (nearest) what the
current stage makes, and D average-pools its input to the current stage first, which undoes that
up-sampling exactly, so the trainer, differentiable augmentation and the samplers never see a size
change.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from gan_augment.models._styles import WithoutTruncation
from gan_augment.models.equalized import EqualizedConv2d, EqualizedLinear
from gan_augment.models.image import channel_plan


def growth_stage(progress: float, n_stages: int) -> tuple[int, float]:
    """The stage (resolution ``4 * 2**stage``) and its fade-in weight at training ``progress``
    in [0, 1]: equal shares per stage, the first half of every stage but the first fading in."""
    if progress >= 1.0 or n_stages == 1:
        return n_stages - 1, 1.0
    position = max(progress, 0.0) * n_stages
    stage = int(position)
    return stage, (1.0 if stage == 0 else min(1.0, 2.0 * (position - stage)))


def pixel_norm(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Each pixel's feature vector scaled to unit mean square (PGGAN's "pixelwise normalisation")."""
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + eps)


def _read_progress_after_load(module: "_Growing", incompatible_keys) -> None:
    module._read_progress()


class _Growing(nn.Module):
    """The training progress both networks follow (a buffer, with a float copy for ``forward``)."""

    progress: torch.Tensor

    def __init__(self, n_stages: int):
        super().__init__()
        self.n_stages = n_stages
        self.register_buffer("progress", torch.ones(()))
        self._progress = 1.0
        # A module-level function, not a lambda: a model must pickle (DataLoader workers, joblib).
        self.register_load_state_dict_post_hook(_read_progress_after_load)

    def set_progress(self, progress: float) -> None:
        # The float32 value the buffer holds, as a loaded model or a resumed fit reads it: the
        # float64 value itself gave another fade-in alpha (or stage, at a boundary), so a model
        # stopped mid-growth sampled differently once saved. Rounded on the host: reading the
        # buffer back would wait for the device on every training step.
        self._progress = float(torch.tensor(float(progress), dtype=torch.float32))
        self.progress.fill_(self._progress)

    def _read_progress(self) -> None:
        self._progress = float(self.progress)

    def stage(self) -> tuple[int, float]:
        return growth_stage(self._progress, self.n_stages)


class ProgressiveGenerator(WithoutTruncation, _Growing):
    """``G(z, y)`` grown from 4x4 to ``resolution``: per stage, an up-sampling block of two 3x3
    convolutions (leaky ReLU, pixel norm) and its own 1x1 "toRGB" output; tanh on the image."""

    def __init__(self, noise_dim, n_classes, channels, resolution, *, width=32, max_channels=256,
                 class_embedding_dim=32):
        plan = channel_plan(resolution, width, max_channels)
        sizes = sorted(plan)
        super().__init__(len(sizes))
        self.noise_dim, self.n_classes, self.resolution = noise_dim, n_classes, resolution
        self.condition_strength = 1.0
        self.embed = nn.Embedding(n_classes, class_embedding_dim)
        self.stem = EqualizedLinear(noise_dim + class_embedding_dim, 16 * plan[4])
        self.stem_conv = EqualizedConv2d(plan[4], plan[4], 3)
        self.blocks = nn.ModuleList(
            nn.ModuleList([EqualizedConv2d(plan[small], plan[large], 3), EqualizedConv2d(plan[large], plan[large], 3)])
            for small, large in zip(sizes, sizes[1:]))
        self.to_images = nn.ModuleList(EqualizedConv2d(plan[size], channels, 1) for size in sizes)
        # The class at every resolution: a per-class bias of the features, zero at the start.
        self.class_biases = nn.ModuleList(nn.Embedding(n_classes, plan[size]) for size in sizes)
        for bias in self.class_biases:
            nn.init.zeros_(bias.weight)
        self.stem_channels = plan[4]

    def _condition(self, h, stage, y):
        return h + self.condition_strength * self.class_biases[stage](y)[:, :, None, None]

    def forward(self, z, y):
        stage, alpha = self.stage()
        latent = torch.cat([pixel_norm(z), self.condition_strength * self.embed(y)], dim=1)
        h = pixel_norm(F.leaky_relu(self.stem(latent), 0.2).view(z.shape[0], self.stem_channels, 4, 4))
        h = self._condition(pixel_norm(F.leaky_relu(self.stem_conv(h), 0.2)), 0, y)
        for k in range(1, stage + 1):
            previous = h  # the stage below's features, for the fade-in
            h = F.interpolate(h, scale_factor=2, mode="nearest")
            for conv in self.blocks[k - 1]:
                h = pixel_norm(F.leaky_relu(conv(h), 0.2))
            h = self._condition(h, k, y)
        image = self.to_images[stage](h)
        if alpha < 1.0:  # fading in: blend with the stage below, up-sampled
            below = F.interpolate(self.to_images[stage - 1](previous), scale_factor=2, mode="nearest")
            image = torch.lerp(below, image, alpha)
        image = torch.tanh(image)
        factor = self.resolution // image.shape[-1]
        return image if factor == 1 else F.interpolate(image, scale_factor=factor, mode="nearest")


def minibatch_stddev(x: torch.Tensor, group_size: int = 4) -> torch.Tensor:
    """``x`` with one more channel: the standard deviation of each feature across a group of the
    batch, averaged over features and pixels (PGGAN): D can see a batch without variety. The group
    is the largest of 4, 2, 1 that divides the batch."""
    n, c, h, w = x.shape
    group = next(g for g in (group_size, 2, 1) if n % g == 0)
    std = x.view(group, n // group, c, h, w).var(dim=0, unbiased=False).add(1e-8).sqrt()
    feature = std.mean(dim=(1, 2, 3)).view(-1, 1, 1, 1).repeat(group, 1, h, w)
    return torch.cat([x, feature], dim=1)


class ProgressiveDiscriminator(_Growing):
    """``D(x, y)`` mirrored on the generator: per stage, a 1x1 "fromRGB" of the image and the
    class planes, then down-sampling blocks; at 4x4 the minibatch standard deviation, a 3x3 and a
    4x4 convolution, and ``linear(h) + <embed(y), h>``."""

    def __init__(self, channels, n_classes, resolution, *, width=32, max_channels=256):
        plan = channel_plan(resolution, width, max_channels)
        sizes = sorted(plan)
        super().__init__(len(sizes))
        self.n_classes, self.resolution = n_classes, resolution
        self.condition_strength = 1.0
        self.from_images = nn.ModuleList(EqualizedConv2d(channels + n_classes, plan[size], 1) for size in sizes)
        self.blocks = nn.ModuleList(
            nn.ModuleList([EqualizedConv2d(plan[large], plan[large], 3), EqualizedConv2d(plan[large], plan[small], 3)])
            for small, large in zip(sizes, sizes[1:]))
        self.final_conv = EqualizedConv2d(plan[4] + 1, plan[4], 3)
        self.final_dense = EqualizedLinear(16 * plan[4], plan[4])
        self.linear = EqualizedLinear(plan[4], 1)
        self.embed = nn.Embedding(n_classes, plan[4])
        nn.init.normal_(self.embed.weight, std=1.0 / math.sqrt(plan[4]))

    def _from_image(self, x, stage, y):
        planes = self.condition_strength * F.one_hot(y, self.n_classes).to(x.dtype)
        planes = planes[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        return F.leaky_relu(self.from_images[stage](torch.cat([x, planes], dim=1)), 0.2)

    def forward(self, x, y):
        stage, alpha = self.stage()
        size = 4 * 2 ** stage
        if x.shape[-1] != size:
            x = F.avg_pool2d(x, x.shape[-1] // size)
        h = self._from_image(x, stage, y)
        for k in range(stage, 0, -1):
            for conv in self.blocks[k - 1]:
                h = F.leaky_relu(conv(h), 0.2)
            h = F.avg_pool2d(h, 2)
            if k == stage and alpha < 1.0:  # fading in: blend with the stage below's own entry
                h = torch.lerp(self._from_image(F.avg_pool2d(x, 2), stage - 1, y), h, alpha)
        h = F.leaky_relu(self.final_conv(minibatch_stddev(h)), 0.2)
        h = F.leaky_relu(self.final_dense(h.flatten(1)), 0.2)
        projection = (self.embed(y) * h).sum(dim=1)
        return self.linear(h).squeeze(1) + self.condition_strength * projection
