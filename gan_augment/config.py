"""Hyper-parameters of the engine: one frozen home for every default.

The doors (scikit-learn, torch, command line) expose these as flat keyword arguments and build the
dataclasses below; the engine reads only the dataclasses. Defaults were chosen by measurement on
Adult (see ``benchmarks/RESULTS.md``): the README explains each choice.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields

LOSSES = ("minimax", "non-saturating", "wasserstein", "wgan-gp", "lsgan", "hinge")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
LR_SCHEDULES = (None, "linear", "cosine")

# "auto" epochs aim at this many generator updates. On cut Adult, 1,500 updates left the generator
# short for gradient boosting (macro-F1 0.679 vs 0.712 at 3,000; benchmarks/DEFAULTS_SWEEP.md).
AUTO_TARGET_STEPS = 3000
AUTO_MAX_EPOCHS = 1000


@dataclass(frozen=True)
class TabularModelConfig:
    """Shape of the tabular generator and discriminator."""

    noise_dim: int = 64
    class_embedding_dim: int = 16
    generator_dims: tuple[int, ...] = (256, 256)
    discriminator_dims: tuple[int, ...] = (256, 256)
    pac: int = 8
    discriminator_dropout: float = 0.25
    gumbel_tau: float = 0.2

    def __post_init__(self):
        _check_positive_int("noise_dim", self.noise_dim)
        _check_positive_int("class_embedding_dim", self.class_embedding_dim)
        _check_positive_int("pac", self.pac)
        for name in ("generator_dims", "discriminator_dims"):
            dims = getattr(self, name)
            if not dims or any(not isinstance(d, numbers.Integral) or d < 1 for d in dims):
                raise ValueError(f"{name} must be a non-empty tuple of positive ints, got {dims!r}.")
        if not 0.0 <= self.discriminator_dropout < 1.0:
            raise ValueError(
                f"discriminator_dropout must be in [0, 1), got {self.discriminator_dropout!r}."
            )
        if not self.gumbel_tau > 0:
            raise ValueError(f"gumbel_tau must be > 0, got {self.gumbel_tau!r}.")


@dataclass(frozen=True)
class TrainingConfig:
    """How the one training loop runs."""

    epochs: int | str = "auto"
    batch_size: int = 500
    loss: str = "wgan-gp"
    optimizer: str = "adam"
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple[float, float] = (0.5, 0.9)
    weight_decay: float = 1e-6
    n_critic: int = 2
    gp_weight: float = 10.0
    clip_value: float = 0.01
    ema_decay: float | None = 0.995
    lr_schedule: str | None = None

    def __post_init__(self):
        if self.epochs != "auto":
            _check_positive_int("epochs", self.epochs)
        _check_positive_int("batch_size", self.batch_size)
        _check_positive_int("n_critic", self.n_critic)
        _check_choice("loss", self.loss, LOSSES)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        for name in ("lr_g", "lr_d"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and value > 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
        if self.ema_decay is not None and not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1) or None, got {self.ema_decay!r}.")

    def resolve_epochs(self, steps_per_epoch: int) -> int:
        """Number of epochs to run; "auto" targets :data:`AUTO_TARGET_STEPS` generator updates."""
        if self.epochs != "auto":
            return int(self.epochs)
        return int(min(AUTO_MAX_EPOCHS, max(1, math.ceil(AUTO_TARGET_STEPS / steps_per_epoch))))


def config_to_dict(config) -> dict:
    """JSON-friendly dict of a config dataclass (tuples become lists)."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(config).items()}


def config_from_dict(cls, data: dict):
    """Inverse of :func:`config_to_dict`; unknown keys are an error, not silently dropped."""
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"Unknown {cls.__name__} fields: {sorted(unknown)}.")
    return cls(**{key: tuple(value) if isinstance(value, list) else value for key, value in data.items()})


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}.")


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")
