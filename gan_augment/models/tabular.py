"""Class-conditional MLP generator and packed discriminator for encoded tables."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from gan_augment.models._styles import WithoutTruncation


class _ResidualBlock(nn.Module):
    """``x + MLP(x)`` with a per-row LayerNorm.

    LayerNorm rather than BatchNorm: a row then never depends on the other rows of its batch, so
    sampling 10 rows of one class gives what sampling them among 10,000 rows of mixed classes
    gives, and training and sampling behave alike.
    """

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__()
        self.body = nn.Sequential(nn.LayerNorm(in_dim), nn.Linear(in_dim, out_dim), nn.ReLU())
        self.skip = nn.Identity() if in_dim == out_dim else nn.Linear(in_dim, out_dim, bias=False)

    def forward(self, x):
        return self.skip(x) + self.body(x)


class TabularGenerator(WithoutTruncation, nn.Module):
    """``G(z, y)``: noise and a class index to one encoded row.

    Parameters
    ----------
    spans : list of OutputSpan
        Layout of the encoded row: ``tanh`` blocks hold mode-normalised scalars, ``softmax``
        blocks one-hot choices (mixture modes, categories, "missing"). Softmax blocks are drawn
        with Gumbel-softmax in training (soft, differentiable) and as exact one-hot Gumbel-max
        draws in eval mode.
    """

    #: A row depends on its own noise and class only (LayerNorm, not BatchNorm): the trainer may
    #: generate several batches in one call.
    batch_independent = True

    def __init__(self, noise_dim, n_classes, spans, *, class_embedding_dim=16, hidden_dims=(256, 256),
                 gumbel_tau=0.2):
        super().__init__()
        self.noise_dim = noise_dim
        self.n_classes = n_classes
        self.gumbel_tau = gumbel_tau
        self.class_embedding = nn.Embedding(n_classes, class_embedding_dim)
        blocks, width = [], noise_dim + class_embedding_dim
        for hidden in hidden_dims:
            blocks.append(_ResidualBlock(width, hidden))
            width = hidden
        self.body = nn.Sequential(*blocks)
        self.head = nn.Linear(width, sum(span.size for span in spans))
        self.spans = [(span.start, span.size, span.activation) for span in spans]
        self._index_spans()

    def _index_spans(self):
        """Index tensors for the batched training forward (not saved: derived from ``spans``)."""
        tanh_columns, soft_columns, soft_blocks = [], [], []
        for start, size, activation in self.spans:
            columns = list(range(start, start + size))
            if activation == "tanh":
                tanh_columns += columns
            else:
                soft_columns += columns
                soft_blocks.append(size)
        widest = max(soft_blocks, default=0)
        slots = [block * widest + i for block, size in enumerate(soft_blocks) for i in range(size)]
        order = torch.argsort(torch.tensor(tanh_columns + soft_columns, dtype=torch.long))
        self.n_soft_blocks, self.widest_block = len(soft_blocks), widest
        self.register_buffer("tanh_columns", torch.tensor(tanh_columns, dtype=torch.long), persistent=False)
        self.register_buffer("soft_columns", torch.tensor(soft_columns, dtype=torch.long), persistent=False)
        self.register_buffer("soft_slots", torch.tensor(slots, dtype=torch.long) if slots else None,
                             persistent=False)
        self.register_buffer("column_order", order, persistent=False)

    def forward(self, z, y):
        # float32 from here on also under bf16 autocast: the Gumbel draws need its resolution.
        logits = self.head(self.body(torch.cat([z, self.class_embedding(y)], dim=1))).float()
        if not self.training:
            return self._draw_hard(logits)
        if self.soft_slots is None:  # only tanh blocks
            return torch.tanh(logits)
        # Soft Gumbel-softmax draws of every softmax block at once: the blocks' logits are laid out
        # in one (batch, blocks, widest block) tensor padded with -inf (probability exactly 0),
        # so that one softmax replaces one per block. Gumbel noise is -log(-log(u)) from
        # uniforms as in sampling. u is kept above 0: u = 0 (one draw in 2^24) would give a -inf
        # logit, and a block of one slot (a constant column) would then be all -inf, its softmax
        # NaN: it diverged a default fit on KEEL thyroid. The distribution is that of
        # ``F.gumbel_softmax`` per block; ~40% fewer ops per step.
        soft = logits.index_select(1, self.soft_columns)
        uniform = torch.rand_like(soft).clamp_(min=torch.finfo(soft.dtype).tiny)
        soft = (soft - uniform.log_().neg_().log_()) * (1.0 / self.gumbel_tau)
        padded = soft.new_full((soft.shape[0], self.n_soft_blocks * self.widest_block), float("-inf"))
        padded = padded.index_copy(1, self.soft_slots, soft)
        probs = torch.softmax(padded.view(soft.shape[0], self.n_soft_blocks, self.widest_block), dim=2)
        probs = probs.view(soft.shape[0], -1).index_select(1, self.soft_slots)
        tanh = torch.tanh(logits.index_select(1, self.tanh_columns))
        # Back to the encoded row's column order.
        return torch.cat([tanh, probs], dim=1).index_select(1, self.column_order)

    def _draw_hard(self, logits):
        """Exact one-hot draws for sampling: the Gumbel-max trick.

        ``argmax(logits + Gumbel noise)`` is a draw from ``softmax(logits)``, the same categorical
        draw ``gumbel_softmax(hard=True)`` makes (dividing by tau does not move the argmax), without
        its softmax and straight-through arithmetic. One noise tensor for the whole row keeps the
        per-span work to an argmax: sampling speed is what this path is for.
        """
        out = torch.zeros_like(logits)
        # Gumbel noise is -log(-log(u)); built in place from uniforms, several times faster on CPU
        # than torch's exponential_ sampler. u = 0 gives -inf: that slot is never picked.
        perturbed = logits - torch.rand_like(logits).log_().neg_().log_()
        chosen = []
        for start, size, activation in self.spans:
            if activation == "tanh":
                out[:, start:start + size] = torch.tanh(logits[:, start:start + size])
            else:
                # max(...).indices: the same first-maximum index as argmax, from a faster CPU kernel.
                chosen.append(perturbed[:, start:start + size].max(dim=1, keepdim=True).indices + start)
        if chosen:
            out.scatter_(1, torch.cat(chosen, dim=1), 1.0)  # one write for all the one-hots
        return out


class _Dropout(nn.Module):
    """Inverted dropout, as ``nn.Dropout``, with the mask made from uniforms (``u >= p``).

    The same distribution as ``nn.Dropout`` (each unit kept with probability 1 - p, scaled by
    1 / (1 - p)); on CPU torch's ``bernoulli_`` mask costs more than the layer's matmul here.
    """

    def __init__(self, p: float):
        super().__init__()
        self.p = float(p)

    def forward(self, x):
        mask = self.mask_like(x)
        return x if mask is None else x * mask

    def mask_like(self, x):
        """The scaled keep-mask a training forward multiplies ``x`` by (one uniform per element, drawn
        as ``forward`` draws it), or None where the layer passes ``x`` through."""
        if not self.training or self.p == 0.0:
            return None
        return torch.rand_like(x).ge_(self.p).mul_(1.0 / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"


class TabularDiscriminator(nn.Module):
    """``D(x, y)`` with PacGAN packing (Lin et al. 2018) and class conditioning.

    Each row is joined to the one-hot of its class, then ``pac`` consecutive rows are judged
    together: seeing several samples at once lets D notice a generator that repeats itself, the
    usual failure on tables. The batch size must be a multiple of ``pac``.
    """

    #: Each pack is scored on its own (no batch norm; dropout masks are drawn per element): the
    #: trainer may score real and fake packs in one call.
    batch_independent = True
    #: The trainer fills each pack with rows of one class (real packs and fake ones alike), so
    #: that the critic sees a class's samples side by side: mixed packs hid a rare class's repeats.
    packs_of_one_class = True

    def __init__(self, data_dim, n_classes, *, hidden_dims=(256, 256), pac=8, dropout=0.25):
        super().__init__()
        self.pac = pac
        self.n_classes = n_classes
        layers, width = [], pac * (data_dim + n_classes)
        for hidden in hidden_dims:
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2), _Dropout(dropout)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x, y):
        return self.net(self._packs(x, y)).squeeze(1)

    def _packs(self, x, y):
        rows = torch.cat([x, F.one_hot(y, self.n_classes).to(x.dtype)], dim=1)
        return rows.reshape(rows.shape[0] // self.pac, -1)

    @property
    def writes_input_gradient(self) -> bool:
        """Whether :meth:`input_gradient` is this network's gradient: not where a subclass computes
        its scores another way, where layers other than ``__init__``'s were put in ``net``, or where
        forward hooks change what a layer computes."""
        kinds = (nn.Linear, nn.LeakyReLU, _Dropout) * (len(self.net) // 3) + (nn.Linear,)
        hooked = any(module._forward_hooks or module._forward_pre_hooks  # e.g. hook-based spectral_norm
                     for module in (self, self.net, *self.net))
        return (type(self).forward is TabularDiscriminator.forward and type(self)._packs is TabularDiscriminator._packs
                and len(kinds) == len(self.net) and all(type(layer) is kind for layer, kind in zip(self.net, kinds))
                and not hooked)

    def _score_weights(self, y, n_packs: int) -> torch.Tensor:
        """``d score / d last hidden layer`` of each of the ``n_packs`` packs: the output layer's
        weights (a critic that reads the class there too adds its part; benchmarks/bench_projection.py)."""
        return self.net[-1].weight.expand(n_packs, -1)

    def input_gradient(self, x, y):
        """``d sum(D(x, y)) / dx``, as ``torch.autograd.grad(..., create_graph=True)`` gives it, for
        less: the gradient penalties' hot path on tables (a training step ~1.1x faster on CPU,
        benchmarks/SPEED.md).

        Written out for this network: ``W1^T (s1 * (W2^T (s2 * ... w_out)))``, where each ``s`` is
        LeakyReLU's slope at the layer's pre-activation (1 or ``negative_slope``) times the layer's
        dropout mask. The slopes are piecewise constant, so the forward that finds them runs without
        a graph, and the expression stays differentiable in the weights exactly as autograd's double
        backward is. Dropout draws its masks as a forward would, in the same order.
        """
        layers = list(self.net)
        slopes = []
        with torch.no_grad():
            hidden = self._packs(x, y)
            for linear, activation, dropout in zip(layers[:-1:3], layers[1::3], layers[2::3]):
                pre = linear(hidden)
                slope = torch.where(pre > 0, 1.0, activation.negative_slope).to(pre.dtype)
                hidden = activation(pre)
                mask = dropout.mask_like(hidden)
                if mask is not None:
                    hidden, slope = hidden * mask, slope * mask
                slopes.append(slope)
        grad = self._score_weights(y, len(hidden))
        for linear, slope in zip(reversed(layers[:-1:3]), reversed(slopes)):
            grad = (grad * slope) @ linear.weight
        # Back from packs to rows; the one-hot columns of the class are not inputs. In x's dtype, as
        # autograd gives it: under bf16 autocast the products above are bf16, the penalty is not.
        return grad.reshape(x.shape[0], -1)[:, :x.shape[1]].to(x.dtype)
