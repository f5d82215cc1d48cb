"""A projection critic for tables: the panel with the class read by projection (``projection``) or
joined to every row as a one-hot (``concat``, the library as it is), one command each (issue 11).

The tables' critic joins each row to the one-hot of its class and judges ``pac`` rows of one class
at once. The projection discriminator (Miyato & Koyama, "cGANs with Projection Discriminator",
ICLR 2018) reads the class at the end instead: ``D(x, y) = w . phi(x) + e_y . phi(x) + b``, ``phi``
the critic's hidden layers on the pack alone and ``e_y`` a learned embedding of the class (here the
mean of the pack's rows' embeddings: one class's, since the trainer packs rows of one class). In
images it beat concatenation clearly; on tables it is untried. This runs ``bench_panel.py`` with the
other arguments passed on:

    OMP_NUM_THREADS=1 python benchmarks/bench_projection.py projection --arms gate --seeds 5 \\
        --scenarios <S> --out projection.md --json projection.json

``concat`` is the library's critic; its records are bit-identical to benchmarks/panel_packs_results.json
(checked on glass, seed 0: 28 of 28 records), so the panel's records there are this comparison's
other arm.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import math  # noqa: E402

from torch import nn  # noqa: E402

from gan_augment.kinds.tabular import TabularKind  # noqa: E402
from gan_augment.models.tabular import TabularDiscriminator  # noqa: E402


class ProjectionDiscriminator(TabularDiscriminator):
    """The library's packed critic with the class projected onto its last hidden layer."""

    def __init__(self, data_dim, n_classes, *, hidden_dims=(256, 256), pac=8, dropout=0.25):
        super().__init__(data_dim, n_classes, hidden_dims=hidden_dims, pac=pac, dropout=dropout)
        # The body reads the pack's rows alone: rebuild the first layer without the one-hot columns.
        first = self.net[0]
        self.net[0] = nn.Linear(pac * data_dim, first.out_features)
        width = self.net[-1].in_features
        self.embed = nn.Embedding(n_classes, width)
        # As the output layer's weights (nn.Linear's default): the class term starts on the same
        # scale as the unconditional one.
        bound = 1.0 / math.sqrt(width)
        nn.init.uniform_(self.embed.weight, -bound, bound)

    def _packs(self, x, y):
        return x.reshape(x.shape[0] // self.pac, -1)

    def _pack_embedding(self, y):
        return self.embed(y).reshape(y.shape[0] // self.pac, self.pac, -1).mean(1)

    def forward(self, x, y):
        hidden = self.net[:-1](self._packs(x, y))
        return self.net[-1](hidden).squeeze(1) + (hidden * self._pack_embedding(y)).sum(1)

    @property
    def writes_input_gradient(self) -> bool:
        return True

    def _score_weights(self, y, n_packs):
        # The penalty's written-out gradient (the library's input_gradient), with the output's
        # weights per pack: w_out + e_y.
        return self.net[-1].weight + self._pack_embedding(y)


def use_projection() -> None:
    def build_discriminator(self, config, codec, n_classes):
        return ProjectionDiscriminator(codec.output_dim, n_classes, hidden_dims=config.discriminator_dims,
                                       pac=config.pac, dropout=config.discriminator_dropout)

    TabularKind.build_discriminator = build_discriminator


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("concat", "projection"):
        sys.exit("usage: bench_projection.py concat|projection [bench_panel.py's arguments]")
    if sys.argv.pop(1) == "projection":
        use_projection()
    import bench_panel

    bench_panel.main()
