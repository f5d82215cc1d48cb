"""Class-conditional image translation: images of common classes turned into a rare one.

After CycleGAN (Zhu et al. 2017): an adversarial loss (least squares) makes a translated image look
like its target class to a PatchGAN discriminator, a cycle-consistency loss makes translating it
back to its source class give the source image again, and an identity loss keeps an image of the
target class unchanged. One translator conditioned on the target class serves every pair of
classes (as StarGAN does, Choi et al. 2018) rather than one CycleGAN per pair, so a rare class of 10
images borrows the pose, stroke and background variety of every other class.

The translator has the generator interface that the trainer and the samplers rely on,
``G(z, y) -> images of class y``: its noise ``z`` picks what to translate. ``z[:, 0]`` picks a
source image of another class from the pool of real images the model holds (uniformly over the
pool images whose class may be translated into ``y``), ``z[:, 1]`` an image of class ``y`` for the
identity loss. Label-exact O(k) sampling, the EMA copy, checkpoints and resume, the label gate and
data-parallel training therefore work as for a noise GAN. The cycle and identity terms are the
generator's own objective (:meth:`ConditionalTranslator.extra_generator_loss`), which the trainer
adds to the adversarial one.

The pool is part of the model's weights (buffers): a saved translation model holds the real source
images it translates from.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from gan_augment.models._styles import WithoutTruncation
from gan_augment.models.image import ConditionalBatchNorm2d

#: Noise coordinates the translator reads: the source pick and the identity pick.
TRANSLATOR_NOISE_DIM = 2


def _class_planes(y: torch.Tensor, n_classes: int, like: torch.Tensor, strength: float) -> torch.Tensor:
    """One-hot planes of the classes ``y`` the size of ``like``'s images, scaled by ``strength``."""
    planes = strength * F.one_hot(y, n_classes).to(like.dtype)
    return planes[:, :, None, None].expand(-1, -1, like.shape[2], like.shape[3])


def _uniform(z: torch.Tensor) -> torch.Tensor:
    """Standard-normal draws mapped to uniform ones in [0, 1) (the normal CDF)."""
    return (0.5 * (1.0 + torch.erf(z.double() / math.sqrt(2.0)))).clamp(0.0, 1.0 - 1e-12)


class _ResidualBlock(nn.Module):
    """conv-CIN-ReLU-conv-CIN plus the input, CIN being instance norm with a per-class gain and
    bias: the target class steers every block, not only the input (with the class as input
    planes alone the translator learned to return its input, measured on digits)."""

    def __init__(self, channels, n_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, padding_mode="reflect")
        self.norm1 = ConditionalBatchNorm2d(channels, n_classes, norm=_instance_norm)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, padding_mode="reflect")
        self.norm2 = ConditionalBatchNorm2d(channels, n_classes, norm=_instance_norm)

    def forward(self, x, y, strength):
        h = F.relu(self.norm1(self.conv1(x), y, strength))
        return x + self.norm2(self.conv2(h), y, strength)


def _instance_norm(channels):
    return nn.InstanceNorm2d(channels, affine=True)


class ConditionalTranslator(WithoutTruncation, nn.Module):
    """``G(z, y)``: a pool image of another class, picked by ``z``, translated into class ``y``.

    The network (:meth:`translate`) is CycleGAN's residual generator at a CPU-sized width: a 7x7
    convolution (3x3 at 8 px), two stride-2 convolutions (one at 8 px), ``n_blocks`` residual
    blocks, two transposed convolutions back and a 7x7 convolution to tanh, with instance norm,
    so that an image never depends on the others in its batch. The target class enters as one-hot
    planes joined to the input image and as a per-class gain and bias of every residual block's
    instance norms (both scaled by ``condition_strength``).

    Parameters
    ----------
    n_classes, channels, resolution : the classes and the working image shape.
    n_sources : int
        Images in the source pool (filled by :meth:`set_sources`, or loaded with the weights).
    width : channels after the first convolution (doubling at each down-sampling, at most
        ``max_channels``).
    cycle_weight, identity_weight : float
        Weights of the cycle-consistency and identity L1 terms (mean absolute pixel error in [-1, 1]).
    """

    batch_independent = False  # rows are independent of their batch, but keep the trainer's plain order
    #: A translator is one architecture (no ``architecture=`` to try another; see the label gate's advice).
    has_architecture_choice = False
    source_images: torch.Tensor  # buffers (see __init__)
    class_counts: torch.Tensor
    allowed: torch.Tensor

    def __init__(self, n_classes, channels, resolution, n_sources, *, width=16, max_channels=256, n_blocks=3,
                 cycle_weight=0.2, identity_weight=0.0):
        super().__init__()
        self.noise_dim, self.n_classes = TRANSLATOR_NOISE_DIM, n_classes
        self.condition_strength = 1.0
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        n_down = 1 if resolution <= 8 else 2
        widths = [min(max_channels, width * 2 ** k) for k in range(n_down + 1)]
        edge = 3 if resolution <= 8 else 7  # a 7x7 kernel spans a whole 8 px image: 3x3 does there
        layers = [nn.Conv2d(channels + n_classes, widths[0], edge, padding=edge // 2, padding_mode="reflect"),
                  nn.InstanceNorm2d(widths[0], affine=True), nn.ReLU()]
        for small, large in zip(widths, widths[1:]):
            layers += [nn.Conv2d(small, large, 3, stride=2, padding=1),
                       nn.InstanceNorm2d(large, affine=True), nn.ReLU()]
        self.encode = nn.Sequential(*layers)
        self.blocks = nn.ModuleList(_ResidualBlock(widths[-1], n_classes) for _ in range(n_blocks))
        layers = []
        for large, small in zip(widths[::-1], widths[::-1][1:]):
            layers += [nn.ConvTranspose2d(large, small, 3, stride=2, padding=1, output_padding=1),
                       nn.InstanceNorm2d(small, affine=True), nn.ReLU()]
        layers += [nn.Conv2d(widths[0], channels, edge, padding=edge // 2, padding_mode="reflect"), nn.Tanh()]
        self.decode = nn.Sequential(*layers)
        # The pool, sorted by class: ``class_counts[c]`` images of class c after those of classes < c.
        self.register_buffer("source_images", torch.zeros(n_sources, channels, resolution, resolution))
        self.register_buffer("class_counts", torch.zeros(n_classes, dtype=torch.long))
        # allowed[t, s]: images of class s may be translated into class t.
        self.register_buffer("allowed", torch.zeros(n_classes, n_classes, dtype=torch.bool))

    # ------------------------------------------------------------------ the pool
    @torch.no_grad()
    def set_sources(self, images: torch.Tensor, labels: torch.Tensor, allowed: torch.Tensor) -> None:
        """Fill the pool with ``images`` of classes ``labels`` and the source rule ``allowed``
        (an ``n_classes x n_classes`` boolean matrix, ``allowed[t, s]``: class s may become t)."""
        if images.shape != self.source_images.shape:
            raise ValueError(f"The pool holds {tuple(self.source_images.shape)} images, got {tuple(images.shape)}.")
        order = torch.argsort(labels, stable=True)
        self.source_images.copy_(images[order])
        self.class_counts.copy_(torch.bincount(labels, minlength=self.n_classes))
        self.allowed.copy_(allowed)
        reachable = (self.allowed & (self.class_counts > 0)[None, :]).any(1)
        if not bool(reachable.all()) or not bool((self.class_counts > 0).all()):
            raise ValueError("Every class needs an image in the pool and a class it may be translated from.")

    def _starts(self) -> torch.Tensor:
        return torch.cumsum(self.class_counts, 0) - self.class_counts

    def pick_sources(self, u: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Pool rows and their classes for targets ``y``: ``u`` (uniform in [0, 1)) picks one of
        the pool images whose class may be translated into each target, each equally likely."""
        eligible = self.allowed[y].long() * self.class_counts[None, :]  # (batch, classes)
        cumulative = eligible.cumsum(1)
        position = (u * cumulative[:, -1].double()).floor().long()
        source = (cumulative <= position[:, None]).sum(1)  # the class whose span holds the position
        offset = position - (cumulative - eligible).gather(1, source[:, None]).squeeze(1)
        return self._starts()[source] + offset, source

    def pick_own(self, u: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Pool rows of the classes ``y`` themselves, picked by ``u`` (uniform in [0, 1))."""
        return self._starts()[y] + (u * self.class_counts[y].double()).floor().long()

    # ------------------------------------------------------------------ the network
    def translate(self, images: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """``images`` translated into classes ``y``."""
        planes = _class_planes(y, self.n_classes, images, self.condition_strength)
        h = self.encode(torch.cat([images, planes], dim=1))
        for block in self.blocks:
            h = block(h, y, self.condition_strength)
        return self.decode(h)

    def forward(self, z, y):
        rows, _ = self.pick_sources(_uniform(z[:, 0]), y)
        return self.translate(self.source_images[rows], y)

    def extra_generator_loss(self, fake: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Cycle consistency and identity for the translations ``fake = self(z, y)``:
        ``cycle_weight * |G(fake, source class) - source|`` plus
        ``identity_weight * |G(x, y) - x|`` for a pool image ``x`` of class ``y`` (mean L1); a
        term of weight 0 costs no pass through the network."""
        loss = fake.new_zeros(())
        if self.cycle_weight > 0:
            rows, source_classes = self.pick_sources(_uniform(z[:, 0]), y)
            loss = loss + self.cycle_weight * (self.translate(fake, source_classes) - self.source_images[rows]).abs().mean()
        if self.identity_weight > 0:
            own = self.source_images[self.pick_own(_uniform(z[:, 1]), y)]
            loss = loss + self.identity_weight * (self.translate(own, y) - own).abs().mean()
        return loss


class PatchDiscriminator(nn.Module):
    """``D(x, y)``: a map of scores, one per overlapping patch (PatchGAN, Isola et al. 2017), of
    the image joined to one-hot planes of its class: two stride-2 4x4 convolutions (LeakyReLU,
    instance norm on the second) and a 3x3 convolution to one channel. Each score sees a patch of
    about 14 px, so D judges local texture and stroke rather than the layout, which the cycle
    loss already ties to the source."""

    def __init__(self, channels, n_classes, resolution, *, width=32, max_channels=256):
        super().__init__()
        self.n_classes = n_classes
        self.condition_strength = 1.0
        wide = min(max_channels, 2 * width)
        self.body = nn.Sequential(
            nn.Conv2d(channels + n_classes, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, wide, 4, stride=2, padding=1), nn.InstanceNorm2d(wide, affine=True), nn.LeakyReLU(0.2),
            nn.Conv2d(wide, 1, 3, padding=1),
        )

    def forward(self, x, y):
        return self.body(torch.cat([x, _class_planes(y, self.n_classes, x, self.condition_strength)], dim=1)).flatten(1)
