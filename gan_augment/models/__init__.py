"""Generator and discriminator modules: ``G(z, y)`` and ``D(x, y)``; no training logic here."""

from gan_augment.models.tabular import TabularDiscriminator, TabularGenerator

__all__ = ["TabularDiscriminator", "TabularGenerator"]
