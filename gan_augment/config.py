"""Hyper-parameters of the engine: one frozen home for every default.

The doors (scikit-learn, torch, command line) expose these as flat keyword arguments and build the
dataclasses below; the engine reads only the dataclasses. Defaults were chosen by measurement on
Adult (see ``benchmarks/RESULTS.md``): the README explains each choice.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields

import numpy as np

LOSSES = ("minimax", "non-saturating", "wasserstein", "wgan-gp", "lsgan", "hinge")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
LR_SCHEDULES = (None, "linear", "cosine")
# The arithmetic of a training step (sampling is always float32): see TrainingConfig.precision.
PRECISIONS = ("float32", "medium", "bf16")
# The image generators of noise, GANAugmenter's ``architecture`` (gan_augment.models.image builds them).
NOISE_ARCHITECTURES = ("resnet", "dcgan", "stylegan", "progressive")

# "auto" epochs aim at this many generator updates, however few rows a table has. On cut Adult, 1,500
# updates left the generator short for gradient boosting (macro-F1 0.679 vs 0.712 at 3,000;
# benchmarks/DEFAULTS_SWEEP.md). No cap on the epochs: one of 1,000 gave a table smaller than two
# batches (one or two updates per epoch) 1,000-2,000 updates (benchmarks/SMALL_TABLES.md).
AUTO_TARGET_STEPS = 3000
# Early stopping of table fits (GANAugmenter's early_stopping): the EMA generator is rated every
# EARLY_STOPPING_EVERY of the planned epochs (gan_augment.selection.c2st_scorer); training stops after
# EARLY_STOPPING_PATIENCE ratings in a row without a better one and keeps the best-rated snapshot.
# Measured on cut Adult (5 seeds), yeast and ecoli (3 each): benchmarks/SNAPSHOTS.md; off by default.
EARLY_STOPPING_EVERY = 0.05
EARLY_STOPPING_PATIENCE = 3


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
        _as_python_numbers(self)
        _check_positive_int("noise_dim", self.noise_dim)
        _check_positive_int("class_embedding_dim", self.class_embedding_dim)
        _check_positive_int("pac", self.pac)
        for name in ("generator_dims", "discriminator_dims"):
            check_layer_widths(name, getattr(self, name))
        if not (_is_real(self.discriminator_dropout) and 0.0 <= self.discriminator_dropout < 1.0):
            raise ValueError(
                f"discriminator_dropout must be in [0, 1), got {self.discriminator_dropout!r}."
            )
        if not (_is_real(self.gumbel_tau) and self.gumbel_tau > 0):
            raise ValueError(f"gumbel_tau must be > 0, got {self.gumbel_tau!r}.")


@dataclass(frozen=True)
class ImageModelConfig:
    """Shape of the image generator and discriminator (see :mod:`gan_augment.models.image`).

    ``resolution`` is the working size (square, a power of two from 8 to 64); ``width`` is the
    number of channels at full resolution, doubling at each halving of the size up to
    ``max_channels``.

    ``architecture``: on MNIST at 32 px (benchmarks/IMAGES.md, 3 seeds, 2 CPU cores) the residual /
    projection pair came closer to real digits than the DCGAN (Frechet distance 34-39 vs 66-108,
    rare-digit recall of a CNN trained on the top-up 0.69-0.79 vs 0.64-0.73) but took 572-662 s
    to fit against 270-432 s, over the 10 minutes aimed at on a CPU. On 8x8 digits the residual
    pair at these widths learned poorly (24% of its samples recognised as their class after 1,160
    updates, against 97% for the DCGAN). Hence GANAugmenter's ``architecture="auto"``: the
    residual pair on a GPU from 32 px up, the DCGAN otherwise. Re-measured on an H100 at 32 px
    (benchmarks/ARCHITECTURES_MNIST32.md, 3 seeds): the residual pair's label fidelity 0.97-0.99
    and Frechet distance 37-40 tied the style-based generator's (0.98-1.00, 35-45) at two thirds
    of its fit time, while the DCGAN diverged on two of three seeds. On an H200 at today's defaults
    (benchmarks/IMAGES_GPU.md, 3 seeds) it kept label fidelity 0.985-0.990 with 25 rare images but
    not with 7 (0.69 on one seed); no architecture beat repeating the rare images under classic
    augmentation downstream.
    """

    channels: int = 1
    resolution: int = 32
    architecture: str = "dcgan"
    noise_dim: int = 64
    # None: the architecture's own default (32 for "dcgan", 16 for "resnet", whose 3x3 convolutions
    # at full resolution cost several times more per channel than DCGAN's strided ones).
    generator_width: int | None = None
    discriminator_width: int | None = None
    max_channels: int = 256
    # The translator only (TranslationAugmenter): images in its source pool, and the weights of its
    # cycle-consistency and identity terms (see TranslationAugmenter for why not CycleGAN's 10 and 5).
    n_sources: int = 0
    cycle_weight: float = 0.2
    identity_weight: float = 0.0

    def __post_init__(self):
        _as_python_numbers(self)
        from gan_augment.models.image import ARCHITECTURES, DEFAULT_WIDTHS, RESOLUTIONS

        for name in ("generator_width", "discriminator_width"):
            if getattr(self, name) is None:  # frozen: resolved once, here, so a saved config is explicit
                object.__setattr__(self, name, DEFAULT_WIDTHS.get(self.architecture, 32))

        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 (grayscale) or 3 (RGB), got {self.channels!r}.")
        _check_choice("resolution", self.resolution, RESOLUTIONS)
        _check_choice("architecture", self.architecture, ARCHITECTURES)
        for name in ("noise_dim", "generator_width", "discriminator_width", "max_channels"):
            _check_positive_int(name, getattr(self, name))
        if isinstance(self.n_sources, bool) or not isinstance(self.n_sources, numbers.Integral) or self.n_sources < 0:
            raise ValueError(f"n_sources must be an int >= 0, got {self.n_sources!r}.")
        for name in ("cycle_weight", "identity_weight"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and value >= 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")


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
    # Lazy regularisation (Karras et al. 2020, "Analyzing and improving the image quality of
    # StyleGAN", section 3.1): the discriminator's penalties (wgan-gp's gradient penalty, R1) are
    # computed on one discriminator update in every ``penalty_every``, weighted by it, so their
    # expected gradient is unchanged at 1/penalty_every of their cost (the penalty's double
    # backward is about 40% of a tabular step's arithmetic; benchmarks/SPEED.md).
    penalty_every: int = 1
    # Share of each discriminator batch the penalty is computed on: its first
    # ceil(penalty_fraction * packs) packs (at least one). The rows of a batch are independent
    # draws, so the mean over a subset is an unbiased estimate of the mean over all, at that share
    # of the penalty's cost. A quarter made a tabular step 1.19x faster but lowered macro-F1 on six
    # of seven tables (glass with boosting -0.030 over 5 seeds; benchmarks/PENALTY_FRACTION.md),
    # so the whole batch is the default.
    penalty_fraction: float = 1.0
    clip_value: float = 0.01
    ema_decay: float | None = 0.995
    lr_schedule: str | None = None
    # "auto" epochs aim at this many generator updates.
    target_steps: int = AUTO_TARGET_STEPS
    # Differentiable augmentation of every discriminator input (images only; gan_augment.diffaug):
    # a policy string such as "color,translation,cutout", or None for none.
    augment: str | None = None
    # Probability of each augmentation: "adaptive" follows E[sign(D(real) - the loss's decision
    # point)] towards ada_target, capped at ada_max_p; a number fixes it.
    augment_p: float | str = "adaptive"
    ada_target: float = 0.6
    ada_max_p: float = 0.8
    # Share of the planned generator updates over which the class condition fades in from 0 to 1
    # (0 = conditional from the start).
    condition_warmup: float = 0.0
    # Weight gamma of the R1 penalty gamma/2 * E||grad_x D(x)||^2 on real rows (any loss;
    # gan_augment.losses.r1_penalty); 0 = none, for every kind: on the MNIST seeds whose DCGAN
    # collapsed it did not stop the collapse (benchmarks/IMAGE_DIVERSITY.md, section 3).
    r1_gamma: float = 0.0
    # Weight of the mode-seeking term weight / (min(ratio, cap) + eps) in the generator's loss,
    # where ratio is the pixel distance per unit of noise distance between samples of one class
    # (gan_augment.losses.mode_seeking_ratio) and cap the real training rows' own ratio
    # (losses.real_mode_seeking_ratio); 0 = none.
    mode_seeking_weight: float = 0.0
    # "float32": every matrix product in full float32 (TF32 off on GPUs too); "medium": float32
    # matrix products may use reduced-precision internal passes (torch.set_float32_matmul_precision
    # "medium": TF32 or bf16 where the hardware has them); "bf16": forward passes under bfloat16
    # autocast, weights, optimizer state, losses and the tabular Gumbel draws kept in float32.
    # The default stays "float32": on a CPU with bf16 units bf16 fitted 1.15-1.31x faster with
    # utility within seed noise on Adult, yeast and page-blocks, but its one difference beyond two
    # standard errors was a loss, and without those units it is 5.8x slower (benchmarks/PRECISION.md).
    precision: str = "float32"

    def __post_init__(self):
        _as_python_numbers(self)
        if self.epochs != "auto":
            _check_positive_int("epochs", self.epochs)
        _check_positive_int("batch_size", self.batch_size)
        _check_positive_int("n_critic", self.n_critic)
        _check_positive_int("penalty_every", self.penalty_every)
        _check_choice("loss", self.loss, LOSSES)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        _check_choice("precision", self.precision, PRECISIONS)
        for name in ("lr_g", "lr_d"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and value > 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
        if not (isinstance(self.betas, tuple) and len(self.betas) == 2
                and all(_is_real(b) and 0.0 <= b < 1.0 for b in self.betas)):
            raise ValueError(f"betas must be two numbers in [0, 1) (Adam's and RMSprop's momentum terms), got "
                             f"{self.betas!r}.")
        for name in ("gp_weight", "r1_gamma", "mode_seeking_weight", "weight_decay"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and value >= 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
        # clamp_(-c, c) with c < 0 set every weight to one value, and a NaN c every weight to NaN.
        if not (isinstance(self.clip_value, numbers.Real) and self.clip_value > 0 and math.isfinite(self.clip_value)):
            raise ValueError(f"clip_value must be a positive finite number, got {self.clip_value!r}.")
        if self.ema_decay is not None and not (_is_real(self.ema_decay) and 0.0 <= self.ema_decay < 1.0):
            raise ValueError(f"ema_decay must be in [0, 1) or None, got {self.ema_decay!r}.")
        _check_positive_int("target_steps", self.target_steps)
        from gan_augment.diffaug import parse_policy

        parse_policy(self.augment)
        if self.augment_p != "adaptive" and not (isinstance(self.augment_p, numbers.Real)
                                                 and 0.0 <= self.augment_p <= 1.0):
            raise ValueError(f"augment_p must be 'adaptive' or a number in [0, 1], got {self.augment_p!r}.")
        if not (isinstance(self.penalty_fraction, numbers.Real) and not isinstance(self.penalty_fraction, bool)
                and 0.0 < self.penalty_fraction <= 1.0):
            raise ValueError(f"penalty_fraction must be a number in (0, 1], got {self.penalty_fraction!r}.")
        for name in ("ada_target", "ada_max_p", "condition_warmup"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and 0.0 <= value <= 1.0):
                raise ValueError(f"{name} must be a number in [0, 1], got {value!r}.")

    def resolve_epochs(self, steps_per_epoch: int) -> int:
        """Number of epochs to run; "auto": the fewest that hold ``target_steps`` generator updates."""
        if self.epochs != "auto":
            return int(self.epochs)
        return max(1, math.ceil(self.target_steps / steps_per_epoch))


#: Where training images differs from training tables (measured on MNIST, benchmarks/IMAGES.md):
#: small batches, the hinge loss of SNGAN / BigGAN, Adam's betas of DCGAN (beta1 = 0, as in SNGAN,
#: collapsed the DCGAN baseline on MNIST to one shape for every class), differentiable augmentation
#: with an adaptive probability, and a class condition faded in over the first 10% of updates.
#: The mode-seeking term (weight 0.1) keeps each class's samples apart: without it the DCGAN
#: stopped using its noise for some seeds (GANAugmenter(random_state=0, image_size=16) on MNIST
#: 3/5/8: per-class pixel std ~5 against ~33 for real digits), which neither an R1 penalty
#: (gamma 1, 10), a 4x lower lr_d, a higher ADA cap (0.95) nor a minibatch-std channel in D fixed
#: (benchmarks/IMAGE_DIVERSITY.md, section 3). It is capped at the real images' own spread
#: (benchmarks/MODE_SEEKING.md): uncapped it drove two of three 32 px DCGAN fits measured on a CPU
#: to noise (MNIST, rare / common digit label fidelity 0.00 / 0.00 and 0.48 / 0.08); capped, those
#: reached 0.89 / 0.49 and 0.82 / 0.90, and the third 0.97 / 0.97 (0.97 / 0.94 uncapped). At 16 px the cap cost one seed of three some fidelity (0.89
#: against 0.98), at 8 px nothing downstream. A cap that pushes evenly below the real spread (Yang
#: et al.'s linear form) let 16 px fits collapse again.
IMAGE_TRAINING = {
    "batch_size": 64,
    "loss": "hinge",
    "lr_g": 2e-4,
    "lr_d": 2e-4,
    "betas": (0.5, 0.999),
    "n_critic": 1,
    "target_steps": 2000,
    "augment": "color,translation,cutout",
    "condition_warmup": 0.1,
    "mode_seeking_weight": 0.1,
}


#: TranslationAugmenter's differences from IMAGE_TRAINING: CycleGAN's least-squares loss (Zhu et
#: al. 2017), the class condition on from the start (the target class is all that tells the
#: translator what to make), no mode-seeking term (its noise only picks the image to translate),
#: and batches of 32 for 1,500 updates: a translator step costs several DCGAN steps on a CPU (two or
#: three passes through G: the translation, the cycle back and, with identity_weight, the identity;
#: default fits on 8x8 digits took 300-340 s against the DCGAN's 94-122 s, TRANSLATION_DIGITS.md),
#: and on 8x8 digits 600 updates of 64 already made translations the judge accepted 89-99% of the
#: time (benchmarks/TRANSLATION_WEIGHTS.md).
#: The translator's augmentation probability is fixed at 0.8: until the overfitting signal was read
#: about LSGAN's decision point (0.5, not 0), it sat at 1 and p climbed to its 0.8 cap in every fit,
#: and the translation benchmarks were measured so. Read right, p stayed near 0 and the translator
#: collapsed (8x8 digits, 3 seeds: k-NN recall 0.00-0.02 against 0.17-0.38, Frechet distance 57-85
#: against 15-24, rare recall 0.793 against 0.866); fixed at 0.8: 0.33-0.41, 10-26, 0.880
#: (benchmarks/TRANSLATION_DIGITS.md, last section).
TRANSLATION_TRAINING = {**IMAGE_TRAINING, "loss": "lsgan", "condition_warmup": 0.0, "mode_seeking_weight": 0.0,
                        "batch_size": 32, "target_steps": 1500, "augment_p": 0.8}

#: The style-based generator's differences from IMAGE_TRAINING, as in StyleGAN2 (Karras et al.
#: 2020): the non-saturating loss with a lazy R1 penalty (every 16th critic update, weighted by 16),
#: Adam with beta1 = 0, and no mode-seeking term (its noise maps and style mixing keep samples apart).
#: lr_g is ten times IMAGE_TRAINING's because its weights are stored at unit scale (equalised
#: learning rate): Adam's steps are then relative to a weight ten or more times larger. lr_d: on 8x8
#: digits (870 updates, seed 0) the projection critic at IMAGE_TRAINING's 2e-4 stayed at chance and
#: a judge trained on real digits recognised 65% of the samples (one class 2%); at 1e-3, 97.5%
#: (every class >= 89%); at 2e-3, 96%.
STYLEGAN_TRAINING = {**IMAGE_TRAINING, "loss": "non-saturating", "betas": (0.0, 0.99), "lr_g": 2e-3,
                     "lr_d": 1e-3, "r1_gamma": 0.1, "penalty_every": 16, "mode_seeking_weight": 0.0}

#: Progressive growing's differences from IMAGE_TRAINING, as in Karras et al. (2018): Adam at
#: 1e-3 with beta1 = 0 and beta2 = 0.99 for both networks (their weights are stored at unit scale,
#: equalised learning rate), and no mode-seeking term (its critic sees each batch's variety
#: through the minibatch standard deviation).
PROGRESSIVE_TRAINING = {**IMAGE_TRAINING, "betas": (0.0, 0.99), "lr_g": 1e-3, "lr_d": 1e-3,
                        "mode_seeking_weight": 0.0}

#: Each data kind's TrainingConfig defaults that differ from the dataclass's (chosen on tables);
#: "image-translation" is TranslationAugmenter's (images, translated rather than generated), and
#: "<kind>-<architecture>" an architecture's own, where it has them (training_defaults_name).
_KIND_TRAINING_DEFAULTS = {"tabular": {}, "image": IMAGE_TRAINING, "image-translation": TRANSLATION_TRAINING,
                           "image-stylegan": STYLEGAN_TRAINING, "image-progressive": PROGRESSIVE_TRAINING}


def training_defaults_name(kind: str, architecture: str | None = None) -> str:
    """Whose training defaults a model of ``architecture`` on data of ``kind`` takes."""
    specific = f"{kind}-{architecture}"
    return specific if specific in _KIND_TRAINING_DEFAULTS else kind


def training_defaults_for(kind: str) -> dict:
    """The TrainingConfig fields whose defaults differ for data of ``kind`` (a kind's name)."""
    try:
        return dict(_KIND_TRAINING_DEFAULTS[kind])
    except KeyError:
        raise ValueError(f"Unknown data kind {kind!r}; known: {sorted(_KIND_TRAINING_DEFAULTS)}.") from None


def training_config(kind: str, **settings) -> TrainingConfig:
    """The TrainingConfig for data of ``kind`` ("tabular" or "image"): that kind's defaults, with
    every setting given here that is not "auto" on top."""
    given = {key: value for key, value in settings.items() if not (isinstance(value, str) and value == "auto")}
    return TrainingConfig(**{**training_defaults_for(kind), **given})


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


def _as_python_numbers(config) -> None:
    """Store numpy scalars (``np.int64(25)`` from ``np.arange`` or a ParameterGrid) as the Python
    numbers they are, in tuples too: a config is written to JSON in checkpoints and model files,
    which have no numpy types (a checkpointed fit failed at its first checkpoint)."""
    def plain(value):
        # A 0-d array too (np.array(0.99)): it passed the checks, then failed the first checkpoint.
        return value.item() if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0) \
            else value

    for field in fields(config):
        value = plain(getattr(config, field.name))
        if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1):
            # A list as a tuple: a config read back from a file holds tuples, and a list of betas
            # made every resume "a different training configuration".
            value = tuple(plain(v) for v in value)
        object.__setattr__(config, field.name, value)  # frozen dataclasses: set once, here


def _is_real(value) -> bool:
    """A real number (not a bool, which Python counts as one)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_layer_widths(name: str, dims) -> None:
    """Hidden widths of an MLP: a non-empty sequence of positive ints (a bool is no width)."""
    if not dims or any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1 for d in dims):
        raise ValueError(f"{name} must be a non-empty tuple of positive ints, got {dims!r}.")


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}.")


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")
