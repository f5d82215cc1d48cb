"""TranslationAugmenter: top up a rare image class by translating images of the other classes into it.

A class of 10-30 images cannot teach a generator much variety; the common classes can (pose,
stroke, background). Unpaired image-to-image translation (CycleGAN, Zhu et al. 2017) keeps a source
image's variety while turning it into the target class. The model is
:class:`gan_augment.models.translation.ConditionalTranslator` trained by the one trainer; this door
is GANAugmenter's with another model, other training defaults and the label gate on: a translated
image counts as the target class only if a judge trained on the real images agrees.
"""

from __future__ import annotations

import dataclasses
import hashlib
import numbers

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils.validation import check_is_fitted

from gan_augment._classes import resolve_class
from gan_augment._compat import Interval, StrOptions
from gan_augment._random import derive_seed
from gan_augment._warnings import warn
from gan_augment.augmenter import GANAugmenter
from gan_augment.planner import plain_label
from gan_augment.config import LOSSES, TrainingConfig
from gan_augment.data.images import check_not_pil_images
from gan_augment.data.tabular import check_same_shapes
from gan_augment.diversity import _label_text
from gan_augment.exceptions import ModeCollapseWarning
from gan_augment.kinds import kind_for_input
from gan_augment.models.translation import TRANSLATOR_NOISE_DIM

# The pool's subset of each class: np.random.default_rng(derive_seed(encoder seed, _POOL_STREAM)).
_POOL_STREAM = 0x9001


class TranslationAugmenter(GANAugmenter):
    """Top up image classes with images of other classes translated into them (CycleGAN).

    One translator conditioned on the target class learns every translation at once: an
    adversarial loss (least squares, against a class-conditional PatchGAN) makes a translated
    image look like its target class, a cycle-consistency loss makes translating it back give the
    source image, and (with ``identity_weight`` above 0; off by default) an identity loss leaves
    images of the target class unchanged. Sampling picks a source image of another class at random
    and translates it, so the top-up inherits the variety of the common classes. With
    ``label_gate=True`` (the default) a judge trained on the real images keeps only the translations
    it assigns to the target class (``label_gate_.acceptance`` per class; a class below 5%, or
    whose real images the judge assigns to it below 25% of the time, is refused when sampled).

    Same doors as :class:`GANAugmenter`: ``fit_resample`` in an imbalanced-learn Pipeline,
    :class:`~gan_augment.AugmentedDataset`, ``gan-augment fit --method translate``; save / load,
    checkpoints and resume, ``random_state`` as there. Images only.

    Parameters
    ----------
    sampling_strategy, classes : as in :class:`GANAugmenter`.
    source : list of class labels or None, default=None
        The classes whose images are translated into the topped-up classes; None: all other
        classes, each image equally likely (so classes weigh by their size in the pool). Classes
        not topped up are still translated into (the cycle translates back to every source), from
        all other classes.
    min_class_size, image_shape, image_size : as in :class:`GANAugmenter`.
    augment : "auto", policy string or None, default="auto"
        Differentiable augmentation of the critic's inputs, as in :class:`GANAugmenter` but at a
        fixed probability of 0.8 (the GAN's is adaptive); "auto" is "color,translation,cutout".
    epochs, batch_size : int or "auto", default="auto"
        "auto" is about 1,500 translator updates of 32 images.
    loss : str, default="auto"
        "auto" is "lsgan", CycleGAN's; any of GANAugmenter's losses may be given.
    optimizer, lr_g, lr_d, n_critic, ema_decay, lr_schedule : as in :class:`GANAugmenter`.
    cycle_weight, identity_weight : float, default=0.2, 0.0
        Weights of the cycle-consistency and identity L1 losses (mean absolute pixel error, pixels in
        [-1, 1]). CycleGAN's 10 and 5 suit changes of appearance (colour, texture) that keep the
        layout; a class that differs in shape needs the translator free to change it. Measured on
        8x8 digits (600 updates; the rare digit's translations the judge accepted): 10 / 5 gave 0%
        (the translator returned its input), 10 / 0 6-27%, 0.5 / 0 35-90%, 0.2 / 0 89-99%
        (benchmarks/TRANSLATION_WEIGHTS.md).
    max_sources_per_class : int, default=500
        Real images of each class kept in the model as sources (a random subset of larger classes).
        The saved model holds them: do not share a translation model where the images are private.
    label_gate : bool, default=True
        Keep only translations that the judge trained on real images assigns to their class.
    device, precision, distributed, n_threads, callbacks, checkpoint_dir, checkpoint_every, random_state, verbose :
        As in :class:`GANAugmenter`.

    Attributes
    ----------
    source_counts_ : dict
        ``{class: images of it in the source pool}``.
    allowed_sources_ : ndarray of bool, shape (n_classes, n_classes)
        Row ``t``, column ``s``: whether images of class ``s`` are translated into class ``t``
        (``source=`` resolved).
    Other fitted attributes : as in :class:`GANAugmenter`.
    """

    _method = "translate"
    _made_from_own_class = False
    _model_name = "translator"
    _top_up_name = "translation top-up"
    #: Fixed for a translator: one model (no ensemble), its own architecture and noise, no
    #: early stopping (it rates table rows).
    n_generators = 1
    early_stopping = False

    _parameter_constraints: dict = {
        **{key: GANAugmenter._parameter_constraints[key] for key in (
            "sampling_strategy", "classes", "min_class_size", "image_shape", "image_size", "augment", "epochs",
            "batch_size", "optimizer", "lr_g", "lr_d", "n_critic", "ema_decay", "lr_schedule",
            "device", "precision", "distributed", "n_threads", "callbacks", "checkpoint_dir", "checkpoint_every",
            "random_state", "verbose")},
        "loss": [StrOptions(set(LOSSES) | {"auto"})],
        "label_gate": ["boolean"],  # no "auto": a translation is gated unless switched off
        "source": ["array-like", None],
        "cycle_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "identity_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "max_sources_per_class": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, *, sampling_strategy="auto", classes=None, source=None, min_class_size=None,
                 image_shape=None, image_size="auto", augment="auto", epochs=TrainingConfig.epochs,
                 batch_size="auto", loss="auto", optimizer=TrainingConfig.optimizer, lr_g="auto", lr_d="auto",
                 n_critic="auto", ema_decay=TrainingConfig.ema_decay, lr_schedule=TrainingConfig.lr_schedule,
                 cycle_weight=0.2, identity_weight=0.0, max_sources_per_class=500, label_gate=True,
                 device="auto", precision=TrainingConfig.precision, distributed="auto", n_threads="auto",
                 callbacks=None, checkpoint_dir=None, checkpoint_every=10, random_state=None, verbose=0):
        BaseOverSampler.__init__(self, sampling_strategy=sampling_strategy)
        self.classes = classes
        self.source = source
        self.min_class_size = min_class_size
        self.image_shape = image_shape
        self.image_size = image_size
        self.augment = augment
        self.epochs = epochs
        self.batch_size = batch_size
        self.loss = loss
        self.optimizer = optimizer
        self.lr_g = lr_g
        self.lr_d = lr_d
        self.n_critic = n_critic
        self.ema_decay = ema_decay
        self.lr_schedule = lr_schedule
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight
        self.max_sources_per_class = max_sources_per_class
        self.label_gate = label_gate
        self.device = device
        self.precision = precision
        self.distributed = distributed
        self.n_threads = n_threads
        self.callbacks = callbacks
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.random_state = random_state
        self.verbose = verbose

    # ============================================================== GANAugmenter's hooks
    def __sklearn_tags__(self):
        # Images only: missing values and text are refused (the table samplers' tags take both).
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.string = False
        return tags

    def _check_X_y(self, X, y, accept_sparse=None):
        check_not_pil_images(X)  # before the shapes: PIL images of two sizes are named as PIL images
        if isinstance(X, (list, tuple)) and X:
            check_same_shapes(X)  # images of two sizes read as no image array: name the odd one out
        self._refuse_tables(kind_for_input(X, self._codec_params()))
        return super()._check_X_y(X, y, accept_sparse)

    def _refuse_settings_for(self, X) -> None:
        self._refuse_tables(kind_for_input(X, self._codec_params()))
        super()._refuse_settings_for(X)

    @staticmethod
    def _refuse_tables(kind) -> None:
        if kind.name != "image":
            raise ValueError("TranslationAugmenter translates images: pass an image array (N, H, W), (N, H, W, C) "
                             "or (N, C, H, W), or flattened rows with image_shape=(C, H, W). For table rows use "
                             "GANAugmenter.")

    def _codec_params(self) -> dict:
        return {**self.get_params(deep=False), "architecture": "translator", "noise_dim": TRANSLATOR_NOISE_DIM}

    def _collapse_remedy(self, held: dict | None = None) -> str:
        """A translation is a function of its source image: a class gets at most as many distinct
        images as its sources hold. More of them, where this translator left some out, or else more
        varied ones; not another loss or more epochs. ``held``: the images of each class in the
        source pool (the fitted translator's, :attr:`source_counts_`, by default)."""
        held, real = self.source_counts_ if held is None else held, self.class_counts_
        others = ~np.eye(len(self.classes_), dtype=bool)
        ways = []
        if (others & ~self.allowed_sources_).any():
            ways.append("name more source classes (source=)")
        if any(held[label] < n for label, n in real.items()):
            ways.append(f"keep more images of each (max_sources_per_class, {self.max_sources_per_class} now)")
        pool = ("A translation is made from one source image, so a class gets at most as many distinct ones as its "
                "sources hold")
        if not ways:
            return f"{pool}: their images are few or alike, and more varied ones would help"
        return f"{pool}: {' or '.join(ways)}, TranslationAugmenter's parameters (the command line has none)"

    @property
    def source_counts_(self) -> dict:
        """``{class: images of it in the source pool}``, as the fitted (or loaded) translator holds them."""
        check_is_fitted(self, "generator_")
        counts = self.generator_.class_counts.tolist()
        return {plain_label(label): int(n) for label, n in zip(self.classes_, counts)}

    def _restore_from_generator(self) -> None:
        self.allowed_sources_ = self.generator_.allowed.cpu().numpy().copy()  # saved as the generator's buffer

    def _check_kind(self, kind) -> None:
        super()._check_kind(kind)
        self.allowed_sources_ = self._allowed_sources()
        with self._quiet_unless_main():
            self._warn_small_pools()

    def _warn_small_pools(self, gate=None) -> None:
        """A class whose top-up draws its source images, at random, from a pool so small that under
        half of its translations can differ gets copies, which the collapse check (comparing the
        class with its own few real images) does not see. Before training (``gate`` None): the
        pools as held. Once the label ``gate`` has measured its acceptance: a translation is a
        function of its source image, so a gated class draws from the share of its pool whose
        translations the gate keeps; the classes only that makes short are warned then."""
        held = {plain_label(label): min(n, self.max_sources_per_class) for label, n in self.class_counts_.items()}
        short = self._short_pools(held)
        if gate is not None:
            before = {label for label, *_ in short}
            short = [entry for entry in self._short_pools(held, gate) if entry[0] not in before]
        if not short:
            return

        # Past the gate, its sources are many and their translations rejected: not a pool to widen.
        remedy = self._collapse_remedy(held) if gate is None else (
            "The label gate rejects the translations of most sources: fit longer (epochs=, --epochs) for translations "
            "it accepts, or top up without the gate (label_gate=False; command line: --no-label-gate) and compare "
            "with the baselines (gan-augment evaluate)")

        def message(classes: list[str]) -> str:
            return f"Translations would be mostly copies ({'; '.join(classes)}). {remedy}; or add fewer."

        def drawn_from(pool: int, kept: float | None) -> str:
            if kept is None:
                return f"{pool:,} source images"
            return (f"the about {pool * kept:,.0f} of its {pool:,} source images whose translations the label gate "
                    f"keeps ({kept:.1%})")

        warn(message([f"class {_label_text(label)}: {n:,} translated images drawn from {drawn_from(pool, kept)}, "
                      f"about {distinct:,.0f} distinct" for label, n, pool, kept, distinct in short]),
             ModeCollapseWarning, gist=message([f"class {_label_text(label)}" for label, *_ in short]))

    def _short_pools(self, held: dict, gate=None) -> list:
        """``(class, images to add, pool, share the gate keeps or None, expected distinct sources)``
        of each class to top up whose expected distinct sources are under half of its images."""
        classes = list(self.classes_)
        short = []
        for label, n_new in self.sampling_strategy_.items():
            if n_new > 0:
                index = classes.index(label)
                pool = sum(held[plain_label(source)] for source, ok in zip(classes, self.allowed_sources_[index]) if ok)
                kept = gate.acceptance[index] if gate is not None and gate.serves(index) else None
                drawn = max(pool * (1.0 if kept is None else kept), 1.0)
                distinct = drawn * (1 - (1 - 1 / drawn) ** n_new)  # expected distinct sources of n_new draws
                if distinct < n_new / 2:
                    short.append((label, n_new, pool, kept, distinct))
        return short

    def _warn_after_gate(self, gate) -> None:
        self._warn_small_pools(gate)

    def _training_defaults_name(self) -> str:
        return "image-translation"

    def _complete_model_config(self, config, encoded, y_index, seed):
        rng = np.random.default_rng(derive_seed(seed, _POOL_STREAM))
        rows = []
        for index in range(len(self.classes_)):
            members = np.flatnonzero(y_index == index)
            if len(members) > self.max_sources_per_class:
                members = np.sort(rng.choice(members, self.max_sources_per_class, replace=False))
            rows.append(members)
        rows = np.concatenate(rows)
        labels = y_index[rows].astype(np.int64)
        self._pool = (encoded[torch.from_numpy(rows)], torch.from_numpy(labels))
        return dataclasses.replace(config, n_sources=len(rows), cycle_weight=float(self.cycle_weight),
                                   identity_weight=float(self.identity_weight))

    def _prepare_generator(self, generator) -> None:
        images, labels = self._pool
        generator.set_sources(images, labels, torch.from_numpy(self.allowed_sources_))

    def _resume_parameters(self) -> tuple[str, ...]:
        return (*super()._resume_parameters(), "source", "max_sources_per_class")

    def _fingerprint(self, encoded, y_index, seeds, rated) -> dict:
        # The source rule is trained into the model (a buffer of the translator): a checkpoint of
        # other sources must not be continued.
        return {**super()._fingerprint(encoded, y_index, seeds, rated),
                "sources": hashlib.sha256(np.ascontiguousarray(self.allowed_sources_).tobytes()).hexdigest()}

    def _fit_gan(self, X, y, **kwargs):
        try:
            return super()._fit_gan(X, y, **kwargs)
        finally:
            self.__dict__.pop("_pool", None)  # the generator holds the pool; no second copy

    # ============================================================== internals
    def _allowed_sources(self) -> np.ndarray:
        """``allowed[t, s]``: images of class s may be translated into class t (by class index).
        Every class may become any other; a topped-up class only from ``source`` when given."""
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(f"TranslationAugmenter translates images of one class into another, and y holds one "
                             f"class ({self.classes_[0]!r}). Use GANAugmenter to generate images of a single class.")
        allowed = ~np.eye(n_classes, dtype=bool)
        if self.source is None:
            return allowed
        if isinstance(self.source, (str, bytes)) or not np.ndim(self.source) == 1:
            raise ValueError(f"source must be a list of class labels, got {self.source!r}.")
        classes = list(self.classes_)
        try:
            sources = [classes.index(resolve_class(label, classes)) for label in self.source]
        except ValueError as error:  # the same words as classes= gets: say which parameter it is
            raise ValueError(f"source= names a class y does not hold. {error}") from None
        for label, n_new in self.sampling_strategy_.items():
            if n_new <= 0:
                continue
            target = classes.index(label)
            allowed[target] = False
            allowed[target, sources] = True
            allowed[target, target] = False
            if not allowed[target].any():
                written = [plain_label(v) for v in self.source]
                raise ValueError(f"Class {label!r} is to be topped up, and source={written!r} names no "
                                 "other class to translate into it; add a source class.")
        return allowed

