"""A class-conditional style-based generator, small enough for a CPU (``architecture="stylegan"``).

Implemented from the papers (Karras et al. 2019, "A Style-Based Generator Architecture for GANs";
Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN", the StyleGAN2 design):

* a mapping network turns ``[z, embed(y)]`` (each normalised to unit second moment) into a style
  vector ``w``; the class enters there, scaled by ``condition_strength`` for the trainer's warm-up;
* synthesis starts from a learned constant 4x4 map; every 3x3 convolution is modulated by an
  affine function of ``w`` and demodulated (each output channel scaled back to unit expected
  variance); a per-pixel noise map, scaled by a learned per-layer strength, follows each one;
* "skip" output: every resolution adds its own toRGB image to the up-sampled image of the one below;
* equalised learning rate: weights are stored at unit variance and scaled by He's constant at run
  time (the mapping network's by a further 0.01), so Adam moves every layer at the same pace;
* style mixing regularisation in training: for most batches, the layers from a random cut-off on
  take the style of a second latent, so that neighbouring layers' styles do not become entangled;
* truncation at sampling time, towards each class's own average style (``truncation_psi``).

It is paired with the residual projection discriminator (``gan_augment.models.image``).

Unlike StyleGAN, the noise maps are not drawn inside ``forward``: they are the tail of ``z``, so
``G(z, y)`` is a function of its inputs alone, as the one trainer and the label-exact sampler need
(a seed gives the same images whatever the batch or chunk size; ``noise_dim`` counts them).
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn
from torch.nn import functional as F

from gan_augment.models.equalized import EqualizedLinear
from gan_augment.models.image import channel_plan

#: Dimension of the latent that feeds the mapping network (the rest of ``z`` is the noise maps).
LATENT_DIM = 64
#: Share of training batches whose styles mix two latents (StyleGAN2's 0.9).
STYLE_MIXING_PROB = 0.9
#: Decay of each class's running average style, the centre of truncation.
W_AVG_BETA = 0.995
_LRELU_GAIN = math.sqrt(2.0)  # keeps a leaky-ReLU layer's output at the variance of its input


def normalize_2nd_moment(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + eps)


class MappingNetwork(nn.Module):
    """``[normalise(z), normalise(embed(y))] -> w`` through ``n_layers`` leaky-ReLU layers."""

    def __init__(self, latent_dim: int, n_classes: int, w_dim: int, *, n_layers: int = 4, lr_multiplier: float = 0.01):
        super().__init__()
        self.embed = EqualizedLinear(n_classes, w_dim)
        dims = [latent_dim + w_dim] + [w_dim] * n_layers
        self.layers = nn.ModuleList(EqualizedLinear(a, b, lr_multiplier=lr_multiplier) for a, b in zip(dims, dims[1:]))

    def forward(self, latent, y, strength: float):
        condition = normalize_2nd_moment(self.embed(F.one_hot(y, self.embed.weight.shape[1]).to(latent.dtype)))
        x = torch.cat([normalize_2nd_moment(latent), strength * condition], dim=1)
        for layer in self.layers:
            x = F.leaky_relu(layer(x), 0.2) * _LRELU_GAIN
        return x


class ModulatedConv2d(nn.Module):
    """A convolution whose input channels are scaled per sample by ``s = affine(w)`` (modulation)
    and whose output channels are then scaled back to unit expected variance (demodulation).

    Computed without per-sample weights: scaling the input by ``s``, one shared convolution, and
    scaling the output by ``d[n, o] = 1 / sqrt(sum_i s[n, i]^2 sum_k W[o, i, k]^2 + eps)`` equals
    the convolution with StyleGAN2's modulated-demodulated weights, with batch-sized tensors only.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, w_dim: int, *,
                 demodulate: bool = True, upsample: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)
        self.affine = EqualizedLinear(w_dim, in_channels, bias_init=1.0)  # unit style at the start
        self.demodulate, self.upsample, self.padding = demodulate, upsample, kernel_size // 2

    def forward(self, x, w):
        return self.modulated(x, self.affine(w))

    def modulated(self, x, styles):
        """The convolution of ``x`` at per-sample input styles ``styles`` (N, in_channels)."""
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        weight = self.weight * self.weight_gain
        out = F.conv2d(x * styles[:, :, None, None], weight, padding=self.padding)
        if self.demodulate:
            d = torch.rsqrt(styles.pow(2) @ weight.pow(2).sum(dim=(2, 3)).t() + 1e-8)
            out = out * d[:, :, None, None]
        return out


class _SynthesisLayer(nn.Module):
    """Modulated 3x3 convolution, scaled noise map, bias, leaky ReLU."""

    def __init__(self, in_channels, out_channels, w_dim, resolution, *, upsample=False):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, 3, w_dim, upsample=upsample)
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.resolution = resolution

    def forward(self, x, w, noise):
        x = self.conv(x, w) + self.noise_strength * noise
        return F.leaky_relu(x + self.bias[None, :, None, None], 0.2) * _LRELU_GAIN


class _ToImage(nn.Module):
    """Modulated 1x1 convolution to the image channels, without demodulation (StyleGAN2's toRGB)."""

    def __init__(self, in_channels, channels, w_dim):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, channels, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x, w):
        return self.conv(x, w) + self.bias[None, :, None, None]


class StyleGenerator(nn.Module):
    """``G(z, y)``: a style-based generator (see the module docstring).

    ``z`` is ``(N, noise_dim)``: its first ``latent_dim`` entries feed the mapping network, the
    rest are the per-pixel noise maps of the synthesis layers, in order. ``truncation_psi`` < 1
    pulls every style towards its class's running average style at sampling time (eval mode):
    less variety, more typical images; 1 (the default) leaves them as they are.
    """

    def __init__(self, n_classes, channels, resolution, *, latent_dim=LATENT_DIM, w_dim=128, width=16,
                 max_channels=256, mapping_layers=4):
        super().__init__()
        self.n_classes, self.latent_dim, self.w_dim = n_classes, latent_dim, w_dim
        self.condition_strength = 1.0
        self.truncation_psi = 1.0
        self.style_mixing_prob = STYLE_MIXING_PROB
        plan = channel_plan(resolution, width, max_channels)
        sizes = sorted(plan)
        self.mapping = MappingNetwork(latent_dim, n_classes, w_dim, n_layers=mapping_layers)
        self.const = nn.Parameter(torch.randn(plan[4], 4, 4))
        self.layers = nn.ModuleList([_SynthesisLayer(plan[4], plan[4], w_dim, 4)])
        self.to_images = nn.ModuleList([_ToImage(plan[4], channels, w_dim)])
        for small, large in zip(sizes, sizes[1:]):
            self.layers.append(_SynthesisLayer(plan[small], plan[large], w_dim, large, upsample=True))
            self.layers.append(_SynthesisLayer(plan[large], plan[large], w_dim, large))
            self.to_images.append(_ToImage(plan[large], channels, w_dim))
        # Styles in depth order, one per synthesis layer; a resolution's image output takes the
        # style of the layer after it (as in StyleGAN2), the last one a style of its own. Style
        # mixing then splits the layers into coarse ones and fine ones.
        self.n_styles = len(self.layers) + 1
        self.noise_sizes = [layer.resolution ** 2 for layer in self.layers]
        self.noise_dim = latent_dim + sum(self.noise_sizes)
        self.register_buffer("w_avg", torch.zeros(n_classes, w_dim))

    def map(self, latent, y) -> torch.Tensor:
        """The style of each latent for class ``y`` (N, w_dim); also tracks each class's average
        style in training."""
        w = self.mapping(latent, y, self.condition_strength)
        if self.training:
            self._track_average(w.detach(), y)
        return w

    @property
    def truncation_psi(self) -> float:
        return self._truncation_psi

    @truncation_psi.setter
    def truncation_psi(self, psi: float) -> None:
        # Checked where it is set: a NaN made every image NaN (uint8 zeros) and invalid JSON in model.json.
        if isinstance(psi, bool) or not isinstance(psi, numbers.Real) or not math.isfinite(psi):
            raise ValueError(f"truncation_psi must be a finite number (1 leaves the styles as they are, 0 gives "
                             f"each class's average style); got {psi!r}.")
        self._truncation_psi = float(psi)

    @torch.no_grad()
    def _track_average(self, w, y):
        w = w.to(self.w_avg.dtype)  # under bf16 autocast the mapping network's styles are bfloat16
        counts = torch.bincount(y, minlength=self.n_classes)
        sums = torch.zeros_like(self.w_avg).index_add_(0, y, w)
        seen = counts > 0
        means = sums[seen] / counts[seen, None].to(w.dtype)
        self.w_avg[seen] = torch.lerp(means, self.w_avg[seen], W_AVG_BETA)

    def forward(self, z, y):
        latent, noise = z[:, :self.latent_dim], z[:, self.latent_dim:]
        w = self.map(latent, y)
        ws = w[:, None, :].expand(-1, self.n_styles, -1)
        if self.training and self.style_mixing_prob > 0:
            ws = self._mix_styles(ws, y)
        elif not self.training and self.truncation_psi != 1.0:
            ws = torch.lerp(self.w_avg[y][:, None, :], ws, self.truncation_psi)
        noises = torch.split(noise, self.noise_sizes, dim=1)
        x = self.const[None].expand(z.shape[0], -1, -1, -1)
        image = None
        for i, layer in enumerate(self.layers):
            x = layer(x, ws[:, i], noises[i].view(-1, 1, layer.resolution, layer.resolution))
            if i % 2 == 0:  # the last layer of a resolution (4x4 has one, the others two)
                part = self.to_images[i // 2](x, ws[:, i + 1])
                image = part if image is None else \
                    F.interpolate(image, scale_factor=2, mode="bilinear", align_corners=False) + part
        return torch.tanh(image)

    def _mix_styles(self, ws, y):
        """For a ``style_mixing_prob`` share of the rows, the styles from a random layer on come
        from a second latent of the same class."""
        n = ws.shape[0]
        other = self.map(torch.randn(n, self.latent_dim, device=ws.device, dtype=ws.dtype), y)
        cutoff = torch.randint(1, self.n_styles, (n, 1), device=ws.device)
        cutoff = torch.where(torch.rand(n, 1, device=ws.device) < self.style_mixing_prob, cutoff, self.n_styles)
        mixed = torch.arange(self.n_styles, device=ws.device)[None, :] >= cutoff  # (n, n_styles)
        return torch.where(mixed[:, :, None], other[:, None, :], ws)
