"""Layers with an equalised learning rate (Karras et al. 2018, "Progressive Growing of GANs"):
weights are stored at unit variance and scaled by He's constant at run time, so that Adam, whose
steps do not depend on a weight's scale, moves every layer at the same relative pace. Shared by
the progressive and the style-based generators."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


class EqualizedLinear(nn.Module):
    """A linear layer with weights stored at unit variance and scaled by ``lr_multiplier /
    sqrt(fan_in)`` at run time (equalised learning rate, Karras et al. 2018)."""

    def __init__(self, in_features: int, out_features: int, *, bias_init: float = 0.0, lr_multiplier: float = 1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init) / lr_multiplier))
        self.weight_gain = lr_multiplier / math.sqrt(in_features)
        self.bias_gain = lr_multiplier

    def forward(self, x):
        return F.linear(x, self.weight * self.weight_gain, self.bias * self.bias_gain)


class EqualizedConv2d(nn.Module):
    """A same-padded convolution with weights scaled by ``1 / sqrt(fan_in)`` at run time."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)
        self.padding = kernel_size // 2

    def forward(self, x):
        return F.conv2d(x, self.weight * self.weight_gain, self.bias, padding=self.padding)
