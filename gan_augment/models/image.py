"""Class-conditional image generators and discriminators (square images, 8 to 64 px).

Four families, built by :func:`build_image_models` from an :class:`~gan_augment.config.ImageModelConfig`:

* ``"dcgan"``: after Radford et al. (2016), the default on a CPU (see :func:`default_architecture`): transposed convolutions with batch
  norm in G, strided convolutions with LeakyReLU in D; the class enters G as an embedding joined to
  the noise and D as one-hot planes joined to the image (Mirza & Osindero 2014).
* ``"stylegan"``: a style-based generator (Karras et al. 2019, 2020; :mod:`gan_augment.models.stylegan`)
  against the residual projection discriminator below.
* ``"progressive"``: progressive growing from 4x4 (Karras et al. 2018;
  :mod:`gan_augment.models.progressive`), a generator and critic of its own.
* ``"resnet"``: the default on a GPU from 32 px up, after Miyato et al. (2018, SNGAN) and Miyato & Koyama (2018,
  cGANs with projection discriminator): residual blocks; G conditions every batch norm on the
  class; D has spectral norm on every layer and scores ``linear(h) + <embed(y), h>`` on its
  pooled features ``h`` (the projection).

Every module exposes ``condition_strength`` (a float in [0, 1], 1 by default): the trainer fades
the class condition in from 0 at the start of training, which guards tiny classes against the
conditional mode collapse described by Shahbazi et al. (2022, "Collapse by Conditioning").
Images are (N, C, H, W) in [-1, 1].
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import spectral_norm

from gan_augment.config import NOISE_ARCHITECTURES
from gan_augment.models._styles import WithoutTruncation

#: The generators of noise (config.NOISE_ARCHITECTURES, for GANAugmenter), and "translator"
#: (gan_augment.models.translation), which turns images of other classes into the class asked
#: for, for TranslationAugmenter.
ARCHITECTURES = NOISE_ARCHITECTURES + ("translator",)
#: Working resolutions: G grows from 4x4 by doublings, so a power of two.
RESOLUTIONS = (8, 16, 32, 64)
#: Channels at full resolution when the config does not say.
DEFAULT_WIDTHS = {"dcgan": 32, "resnet": 16, "stylegan": 16, "progressive": 16, "translator": 16}


def default_architecture(resolution: int, device) -> str:
    """What ``architecture="auto"`` means (the measurements are in ImageModelConfig's docstring): the
    residual pair where its better images are affordable -- a GPU, 32 px and up -- else the DCGAN."""
    return "resnet" if resolution >= 32 and torch.device(device).type == "cuda" else "dcgan"


def channel_plan(resolution: int, width: int, max_channels: int) -> dict[int, int]:
    """Channels at each scale, ``{4: c4, 8: c8, ..., resolution: c}``: ``width`` at full resolution,
    doubling at each halving of the size, at most ``max_channels``. Compute then stays about equal
    across scales, which keeps the 64 px models affordable on a CPU."""
    return {size: min(max_channels, width * resolution // size)
            for size in (2 ** k for k in range(2, int(math.log2(resolution)) + 1))}


# ============================================================================== ResNet family
class ConditionalBatchNorm2d(nn.Module):
    """Batch norm whose gain and bias are shared ones plus a per-class offset (de Vries et al. 2017).

    The offsets start at zero and are scaled by ``condition_strength``, so at strength 0 this is a
    plain batch norm and every class shares one generator. ``norm`` may be another normalisation
    (the translator's is ``nn.InstanceNorm2d``: conditional instance norm, Dumoulin et al. 2017).
    """

    def __init__(self, channels: int, n_classes: int, norm=nn.BatchNorm2d):
        super().__init__()
        self.norm = norm(channels)
        self.gain = nn.Embedding(n_classes, channels)
        self.bias = nn.Embedding(n_classes, channels)
        nn.init.zeros_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x, y, strength: float):
        gain = 1 + strength * self.gain(y)
        bias = strength * self.bias(y)
        return self.norm(x) * gain[:, :, None, None] + bias[:, :, None, None]


class _GeneratorBlock(nn.Module):
    """CBN-ReLU-upsample-conv-CBN-ReLU-conv with an upsampled 1x1 shortcut."""

    def __init__(self, in_channels, out_channels, n_classes):
        super().__init__()
        self.norm1 = ConditionalBatchNorm2d(in_channels, n_classes)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm2 = ConditionalBatchNorm2d(out_channels, n_classes)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.skip = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x, y, strength):
        h = F.interpolate(F.relu(self.norm1(x, y, strength)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.norm2(self.conv1(h), y, strength)))
        return h + self.skip(F.interpolate(x, scale_factor=2, mode="nearest"))


class ResNetGenerator(WithoutTruncation, nn.Module):
    """``G(z, y)``: noise to a 4x4 map, residual up-sampling blocks with class-conditional batch
    norm, then batch norm, ReLU, a 3x3 convolution and tanh."""

    def __init__(self, noise_dim, n_classes, channels, resolution, *, width=32, max_channels=256):
        super().__init__()
        self.noise_dim, self.n_classes = noise_dim, n_classes
        self.condition_strength = 1.0
        plan = channel_plan(resolution, width, max_channels)
        sizes = sorted(plan)
        self.stem_channels = plan[4]
        self.stem = nn.Linear(noise_dim, 16 * plan[4])
        self.blocks = nn.ModuleList(
            _GeneratorBlock(plan[small], plan[large], n_classes) for small, large in zip(sizes, sizes[1:])
        )
        self.out_norm = nn.BatchNorm2d(plan[resolution])
        self.out_conv = nn.Conv2d(plan[resolution], channels, 3, padding=1)

    def forward(self, z, y):
        h = self.stem(z).view(z.shape[0], self.stem_channels, 4, 4)
        for block in self.blocks:
            h = block(h, y, self.condition_strength)
        return torch.tanh(self.out_conv(F.relu(self.out_norm(h))))


class _DiscriminatorBlock(nn.Module):
    """(ReLU)-conv-ReLU-conv-avgpool with a 1x1-conv-avgpool shortcut, all spectrally normalised.

    The first block of D sees the image itself: no ReLU before its first convolution, and the
    shortcut pools before its convolution (Miyato et al.'s "optimized" block).
    """

    def __init__(self, in_channels, out_channels, *, first=False, downsample=True):
        super().__init__()
        self.first, self.downsample = first, downsample
        self.conv1 = spectral_norm(nn.Conv2d(in_channels, out_channels, 3, padding=1))
        self.conv2 = spectral_norm(nn.Conv2d(out_channels, out_channels, 3, padding=1))
        self.skip = spectral_norm(nn.Conv2d(in_channels, out_channels, 1)) if downsample else None

    def forward(self, x):
        h = self.conv2(F.relu(self.conv1(x if self.first else F.relu(x))))
        if not self.downsample:
            return h + x
        skip = self.skip(F.avg_pool2d(x, 2)) if self.first else F.avg_pool2d(self.skip(x), 2)
        return F.avg_pool2d(h, 2) + skip


class ProjectionDiscriminator(nn.Module):
    """``D(x, y) = linear(h) + <embed(y), h>`` on globally sum-pooled residual features ``h``.

    Down-sampling blocks take the image to 4x4; one more block at 4x4 lets every feature see the
    whole map before the pooling, which would otherwise reduce a small image (8 px: a single
    block) to a bag of local patches with no layout (measured on digits: label fidelity 0.40
    without it).
    """

    def __init__(self, channels, n_classes, resolution, *, width=32, max_channels=256):
        super().__init__()
        self.n_classes = n_classes
        self.condition_strength = 1.0
        plan = channel_plan(resolution, width, max_channels)
        sizes = sorted(plan, reverse=True)  # resolution ... 4: each block halves the size
        in_channels, blocks = channels, []
        for size in sizes[:-1]:
            out_channels = plan[size // 2]
            blocks.append(_DiscriminatorBlock(in_channels, out_channels, first=not blocks))
            in_channels = out_channels
        blocks.append(_DiscriminatorBlock(in_channels, in_channels, downsample=False))
        self.blocks = nn.Sequential(*blocks)
        self.linear = spectral_norm(nn.Linear(in_channels, 1))
        self.embed = spectral_norm(nn.Embedding(n_classes, in_channels))

    def forward(self, x, y):
        h = F.relu(self.blocks(x)).sum(dim=(2, 3))
        projection = (self.embed(y) * h).sum(dim=1)
        return self.linear(h).squeeze(1) + self.condition_strength * projection


# ============================================================================== DCGAN family
class DCGANGenerator(WithoutTruncation, nn.Module):
    """``G(z, y)``: ``[z, embed(y)]`` to a 4x4 map, then stride-2 transposed convolutions with
    batch norm and ReLU, and tanh on the last."""

    def __init__(self, noise_dim, n_classes, channels, resolution, *, width=32, max_channels=256,
                 class_embedding_dim=32):
        super().__init__()
        self.noise_dim, self.n_classes = noise_dim, n_classes
        self.condition_strength = 1.0
        plan = channel_plan(resolution, width, max_channels)
        sizes = sorted(plan)
        self.stem_channels = plan[4]
        self.embed = nn.Embedding(n_classes, class_embedding_dim)
        self.stem = nn.Linear(noise_dim + class_embedding_dim, 16 * plan[4], bias=False)
        self.stem_norm = nn.BatchNorm2d(plan[4])
        layers = []
        for small, large in zip(sizes[:-1], sizes[1:-1]):
            layers += [nn.ConvTranspose2d(plan[small], plan[large], 4, 2, 1, bias=False),
                       nn.BatchNorm2d(plan[large]), nn.ReLU()]
        layers += [nn.ConvTranspose2d(plan[sizes[-2]], channels, 4, 2, 1), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, z, y):
        h = self.stem(torch.cat([z, self.condition_strength * self.embed(y)], dim=1))
        h = F.relu(self.stem_norm(h.view(z.shape[0], self.stem_channels, 4, 4)))
        return self.body(h)


class DCGANDiscriminator(nn.Module):
    """``D(x, y)``: the image joined to one-hot class planes, stride-2 convolutions with LeakyReLU
    down to 4x4, then a linear score. No batch norm: a score then depends on its own image only,
    which the gradient penalty of ``wgan-gp`` requires."""

    def __init__(self, channels, n_classes, resolution, *, width=32, max_channels=256):
        super().__init__()
        self.n_classes = n_classes
        self.condition_strength = 1.0
        plan = channel_plan(resolution, width, max_channels)
        sizes = sorted(plan, reverse=True)
        layers, in_channels = [], channels + n_classes
        for size in sizes[:-1]:
            layers += [nn.Conv2d(in_channels, plan[size // 2], 4, 2, 1), nn.LeakyReLU(0.2)]
            in_channels = plan[size // 2]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(16 * in_channels, 1)

    def forward(self, x, y):
        planes = self.condition_strength * F.one_hot(y, self.n_classes).to(x.dtype)
        planes = planes[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        return self.head(self.body(torch.cat([x, planes], dim=1)).flatten(1)).squeeze(1)


# ============================================================================== factory
def build_image_generator(config, n_classes: int) -> nn.Module:
    """The generator described by ``config`` (an ImageModelConfig)."""
    if config.architecture == "translator":
        from gan_augment.models.translation import ConditionalTranslator

        return ConditionalTranslator(n_classes, config.channels, config.resolution, config.n_sources,
                                     width=config.generator_width, max_channels=config.max_channels,
                                     cycle_weight=config.cycle_weight, identity_weight=config.identity_weight)
    if config.architecture == "stylegan":
        from gan_augment.models.stylegan import StyleGenerator

        # noise_dim is the mapping network's latent; the noise maps come on top (see StyleGenerator).
        return StyleGenerator(n_classes, config.channels, config.resolution, latent_dim=config.noise_dim,
                              width=config.generator_width, max_channels=config.max_channels)
    if config.architecture == "progressive":
        from gan_augment.models.progressive import ProgressiveGenerator

        return ProgressiveGenerator(config.noise_dim, n_classes, config.channels, config.resolution,
                                    width=config.generator_width, max_channels=config.max_channels)
    cls = ResNetGenerator if config.architecture == "resnet" else DCGANGenerator
    return cls(config.noise_dim, n_classes, config.channels, config.resolution,
               width=config.generator_width, max_channels=config.max_channels)


def build_image_discriminator(config, n_classes: int) -> nn.Module:
    if config.architecture == "translator":
        from gan_augment.models.translation import PatchDiscriminator

        return PatchDiscriminator(config.channels, n_classes, config.resolution,
                                  width=config.discriminator_width, max_channels=config.max_channels)
    if config.architecture == "progressive":
        from gan_augment.models.progressive import ProgressiveDiscriminator

        return ProgressiveDiscriminator(config.channels, n_classes, config.resolution,
                                        width=config.discriminator_width, max_channels=config.max_channels)
    # The style-based generator is paired with the residual projection critic (as in issue 12).
    cls = ProjectionDiscriminator if config.architecture in ("resnet", "stylegan") else DCGANDiscriminator
    return cls(config.channels, n_classes, config.resolution, width=config.discriminator_width,
               max_channels=config.max_channels)
