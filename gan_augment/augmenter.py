"""GANAugmenter: the scikit-learn / imbalanced-learn door.

It validates, encodes, calls the engine, decodes: tables through TabularEncoder and the MLP models,
images through ImageCodec and the convolutional models, with the one trainer for both. Like every
imbalanced-learn sampler, the public ``fit_resample`` (inherited) validates input and turns
``sampling_strategy`` into ``sampling_strategy_ = {class: n_to_add}``; this class writes only
``_fit_resample``.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import itertools
import json
import numbers
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from gan_augment._classes import resolve_class, time_text
from gan_augment._compat import Interval, StrOptions, fit_context, validate_parameter_constraints
from gan_augment._sampler import TableSamplerMixin, keeping_fitted_state, labels_for_imblearn, target_name
from gan_augment._fs import check_parent_writable
from gan_augment._listing import CLASSES_NAMED, first_few
from gan_augment._memory import check_fits_in_memory, check_top_up_fits, value_bytes
from gan_augment._random import derive_seed, spawn_seeds
from gan_augment._warnings import catching_warnings, user_stacklevel, warn
from gan_augment.checkpoint import build_checked, check_state_target, check_state_values, load_state, \
    read_metadata, recover_interrupted_save, save_state
from gan_augment.config import EARLY_STOPPING_EVERY, EARLY_STOPPING_PATIENCE, LOSSES, NOISE_ARCHITECTURES, \
    OPTIMIZERS, PRECISIONS, TabularModelConfig, TrainingConfig, check_layer_widths, config_from_dict, config_to_dict, \
    training_config, training_defaults_name
from gan_augment.diversity import SAMPLES_PER_CLASS, ClassDiversity, measure_class, real_subset, \
    warn_if_collapsed, warn_if_undercovered
from gan_augment.exceptions import (CheckpointMismatchError, DataValidationError, DistributedError, LabelGateWarning,
                                    ModelFileError)
from gan_augment.data._dtypes import stored_dtype
from gan_augment.data.tabular import check_target, concat_rows
from gan_augment.kinds import kind_for_input, kind_named
from gan_augment.kinds.image import IMAGE_SETTINGS, TABLE_SETTINGS, refuse_table_settings, settings_at_defaults
from gan_augment.label_gate import MIN_ACCEPTANCE, MIN_REAL_RECALL, WITHOUT_GATE, LabelGate
from gan_augment.models.ensemble import GeneratorEnsemble
from gan_augment.planner import CLASSES_CONSTRAINT, InEveryClass, check_class_sizes, class_counts, label_from_json, \
    label_to_json, plain_label, plan_top_up, sample_hashes
from gan_augment.selection import c2st_scorer
from gan_augment.training import Checkpoint, GANTrainer, History, ProgressBar, SnapshotSelection
from gan_augment.training.distributed import (is_false, is_main_process, launched_by_torchrun, local_device,
                                              resolve_process_group)
from gan_augment.training.trainer import (float32_matmul_precision, generate, grad_enabled, resolve_device,
                                         seeded_rng, torch_defaults, torch_threads)


#: Image critics that weight clipping leaves unable to tell images apart: without batch norm, clamping
#: every weight to +-0.01 shrinks their scores to nothing, and the generator learns nothing (8x8
#: digits, 40 epochs: label fidelity 0.35 and 0.37 against chance 0.33; dcgan 0.98, stylegan 0.76).
CLIPPING_FAILS = ("resnet", "progressive")


def refuse_clipped_deep_critics(loss: str, architecture, *, spell=lambda name, value: f"{name}={value!r}",
                                error=ValueError) -> None:
    """Refuse, before training, loss="wasserstein" with a critic that weight clipping silences;
    ``spell(name, value)`` writes a setting as the caller's user gives it (the command line's
    ``--loss wgan-gp``), and ``error`` makes the exception."""
    if loss == "wasserstein" and architecture in CLIPPING_FAILS:
        raise error(f"{spell('loss', 'wasserstein')} clips every weight of the critic to +-0.01, and the "
                    f"{architecture} critic (no batch norm) then scores every image alike: nothing is learnt. Use "
                    f"{spell('loss', 'wgan-gp')} (a gradient penalty instead of clipping) or {spell('loss', 'hinge')}, "
                    f"or {spell('architecture', 'dcgan')}.")


class GANAugmenter(TableSamplerMixin, BaseOverSampler):
    """Top up classes with rows (or images) from a class-conditional GAN fitted on your data.

    Tables (arrays or DataFrames; numeric, categorical, missing values) get an MLP GAN. Images get
    a convolutional one: pass ``image_shape=(C, H, W)`` with 2-D rows of pixels (as scikit-learn's
    ``load_digits`` holds them), or an image array ``(N, H, W)``, ``(N, H, W, C)`` or
    ``(N, C, H, W)``. Settings that say "auto" take the default of the data kind (tables / images).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows to add per class, in imbalanced-learn's grammar: ``"auto"`` / ``"not
        majority"``, ``"minority"``, ``"not minority"``, ``"all"``, a float (binary only: the
        wanted minority/majority ratio), a dict ``{class: target count}`` or a callable ``y ->
        dict``.
    classes : label or list of labels, default=None
        Shorthand for "top these classes up to the majority count". Cannot be combined with a
        non-default ``sampling_strategy``.
    min_class_size : int or None, default=None
        Refuse (before training, naming the class) to top up a class with fewer distinct real
        samples than this (copies of one sample count as one). Without it, a class of fewer than 3
        is topped up with a ``SmallClassWarning``: the synthetic samples of such a class are mostly
        near copies.
    categorical_features : list of column names or indices, or a boolean mask, default=None
        Columns to model as categories besides those whose dtype says so (object, string,
        category, bool): use it for integer codes (tables only). An integer is a column's position
        unless the column names include integers (then it is a name). A boolean mask has one entry
        per column, as imbalanced-learn's ``SMOTENC`` takes it.
    image_shape : (C, H, W) or None, default=None
        Treat the rows of a 2-D ``X`` as flattened images of this shape (C = 1 grayscale or 3 RGB).
        Output comes back in the input's layout, dtype and value range.
    image_size : "auto" or {8, 16, 32, 64}, default="auto"
        Working resolution of the image GAN; "auto" is the smallest power of two holding the
        image (28 px -> 32), within 8 to 64.
    architecture : {"auto", "resnet", "dcgan", "stylegan", "progressive"}, default="auto"
        Image models: a residual G with class-conditional batch norm against a spectrally
        normalised projection discriminator; the conditional DCGAN (half the cost per step on a
        CPU); a style-based G (StyleGAN2's mapping network, modulated convolutions, noise maps and
        style mixing; :mod:`gan_augment.models.stylegan`) against the projection discriminator,
        trained as StyleGAN2 is (non-saturating loss, lazy R1); or progressive growing from 4x4
        (:mod:`gan_augment.models.progressive`). "auto" takes the residual pair on a GPU from a
        working size of 32 px up (closer to the real images) and the DCGAN otherwise (twice as
        fast; the measurements are in :class:`~gan_augment.config.ImageModelConfig`).
    augment : "auto", policy string or None, default="auto"
        Differentiable augmentation of the discriminator's inputs (images only), a comma-separated
        subset of "color,translation,cutout" applied with an adaptive probability; "auto" is all
        three for images and none for tables.
    epochs : int or "auto", default="auto"
        Passes over the data (one pass = ``ceil(n_rows / batch_size)`` generator updates). "auto"
        aims at about 3,000 generator updates for tables and 2,000 for images, however small the
        data; with ``early_stopping=True`` the epochs are a ceiling.
    early_stopping : bool, default=False
        Tables only. Rate the sampling (EMA) generator every 5% of the planned epochs by how well
        its rows of the classes to top up pass for their real training rows (a classifier
        two-sample test, :func:`gan_augment.selection.c2st_scorer`), stop once 3 ratings in a
        row have not improved on the best, and keep the best-rated snapshot
        (:class:`~gan_augment.training.SnapshotSelection`; the ratings are in ``history_`` under
        "snapshot_score"). Off by default: on cut Adult it trained a third fewer epochs at the
        same utility, but on yeast and ecoli (many small classes, noisy ratings) it stopped too
        soon and lost macro-F1 or rare recall (benchmarks/SNAPSHOTS.md). A rating costs about a
        CPU-second per topped-up class. A class of a single real row cannot be rated, and is not.
    batch_size : int or "auto", default="auto"
        500 for tables, 64 for images; at most the number of samples. For tables the batch is a
        multiple of ``pac``, rounded down and at least ``pac`` (500 trains as 496 with ``pac=8``);
        under torchrun with N processes the global batch, a multiple of ``pac`` x N.
    loss : {"wgan-gp", "wasserstein", "hinge", "non-saturating", "minimax", "lsgan"} or "auto", default="auto"
        "wgan-gp" for tables, "hinge" for images ("non-saturating" with a lazy R1 penalty for
        ``architecture="stylegan"``).
    optimizer : {"adam", "rmsprop", "sgd"}, default="adam"
    lr_g, lr_d : float or "auto", default="auto"
        Learning rates of the generator and the discriminator: 1e-3 for tables, 2e-4 for images
        (``architecture="stylegan"``: 2e-3 and 1e-3; ``"progressive"``: 1e-3 and 1e-3, their
        weights being stored at unit scale).
    n_critic : int or "auto", default="auto"
        Discriminator updates per generator update: 2 for tables, 1 for images.
    ema_decay : float or None, default=0.995
        Decay of the exponential moving average of the generator's weights used for sampling;
        the ``t``-th generator update (from 1) decays it by ``min(ema_decay, (1 + t) / (10 + t))``,
        so that the first, random weights fade within a few dozen updates (a short fit's average
        would still hold them). None: the last weights.
    lr_schedule : {None, "linear", "cosine"}, default=None
        Decay of both learning rates, set once per epoch: epoch ``e`` of ``E`` (from 0) trains at
        ``1 - e / E`` of them ("linear") or ``(1 + cos(pi e / E)) / 2`` ("cosine"); with
        ``epochs=1`` nothing decays.
    noise_dim : int, default=64
        Dimension of the generator's noise (for ``architecture="stylegan"``, of the latent its
        mapping network takes; its per-pixel noise maps come on top).
    generator_dims, discriminator_dims : tuple of int, default=(256, 256)
        Hidden widths of the MLPs (tables only).
    pac : int, default=8
        Rows the discriminator judges together (PacGAN); guards against repeated rows (tables only;
        the batch is a multiple of it).
    max_modes : int, default=10
        Most Gaussian-mixture modes per numeric column (mode-specific normalisation; tables only),
        and most modes added for classes the column's modes do not serve (a rare class in a range
        of its own, or mostly one value).
    max_categories : int, default=100
        Categories beyond this many per column share one slot (a warning names the column), decoded
        by their frequency within the class generated.
    clip_to_range : bool, default=True
        Keep generated numbers inside the range seen in training (tables only).
    round_to_observed : bool, default=True
        Round the synthetic values of each float column to the most decimals its real values need
        (a 2-decimal column comes back with 2 decimals; columns needing more than 10 are left as
        generated). Tables only.
    detect_rules : bool, default=True
        Find the rules the real rows obey and keep them in synthetic rows: a group of 0/1 columns with
        exactly one 1 per row (a OneHotEncoder's output) is modelled as one category, other 0/1
        columns as two-valued categories, "A is missing exactly when B = v" links are kept, a
        column with one value for each value of a categorical column is read off it, and a value
        another column implies on every one of many real rows (relationship Husband, sex Male) is
        set from it (``encoder_.describe_rules()``; ``encoder_.rule_violations(rows)`` measures rows against
        them). Tables only.
    label_gate : "auto" or bool, default="auto"
        A judge is trained on the real training data (a small CNN for images; for
        tables a class-balanced multilayer perceptron that reads numbers in quantile bins), and
        :meth:`sample` keeps a synthetic sample of class c
        only if the judge assigns it to c, generating more until there are enough (label-exact,
        O(n) in expectation). The share each class keeps is ``label_gate_.acceptance``
        (also in `gan-augment info`). "auto": on for tables (it lifted the GAN top-up's mean
        macro-F1 on 12 tables, ``benchmarks/PANEL_GATE.md``), off for images (no gain on digits,
        ``benchmarks/LABEL_GATE.md``); a class the gate keeps below 5% of, or whose real samples
        the judge assigns to it below 25% of the time (``label_gate_.real_recall``: it cannot tell
        the class from the others), is then sampled without it, with a warning (at fit time for a
        class to top up; for another, when it is sampled).
        ``True``: such a class is refused when sampled, and by :meth:`fit_resample` (a class
        the judge cannot tell: before the GAN is trained).
        ``set_params(label_gate=False)`` samples without it.
    n_generators : int, default=1
        Train this many generators from independent seeds (each with its own critic) and sample
        from all of them as an equal mixture, a generator ensemble (Deep Generative Ensembles, van
        Breugel et al. 2023): a mode one member drops or invents is diluted by the others. Costs
        ``n_generators`` fits. ``diversity_`` then reports each class's ``disagreement`` between the
        members. ``history_`` is the first member's; ``member_histories_`` holds all. Not yet with
        ``checkpoint_dir`` (a checkpoint holds one generator's training).
    device : {"auto", "cpu", "cuda"}, default="auto"
    precision : {"float32", "medium", "bf16"}, default="float32"
        Arithmetic of the training steps: full float32; "medium", float32 matrix products with
        reduced-precision internal passes (TF32 / bf16 where the hardware has them); "bf16",
        forward passes under bfloat16 autocast (weights, optimizer state, losses and the tables'
        Gumbel draws stay float32). Sampling is float32 always. On a CPU with bf16 instructions
        "bf16" fitted tables 1.15-1.31x faster with utility within seed noise; without them it is
        several times slower (benchmarks/PRECISION.md, SPEED.md).
    distributed : "auto" or bool, default="auto"
        Train data-parallel on torch's process group: "auto" does so when one is initialised or the
        script was started by ``torchrun`` with several processes (gloo on the CPU, NCCL on GPUs),
        True insists on it, False trains in this process alone. Rank 0 encodes the data and the
        others receive the encoding; every process ends with the same model, and a process that
        stops makes the others raise :class:`~gan_augment.exceptions.DistributedError`. Save on
        rank 0 only. ``batch_size`` is the global batch; see
        :mod:`gan_augment.training.distributed`.
    n_threads : "auto" or int, default="auto"
        Torch CPU threads during ``fit`` and ``sample`` (set with ``torch.set_num_threads`` and
        restored afterwards: the caller's setting is left as it was). "auto" takes the usable
        cores (CPU affinity), at most 4 and at most ``OMP_NUM_THREADS`` where that is set, and 1
        thread when the 1-minute load average says the cores are already taken (decided once per
        process, so fits in one session agree): on a busy machine torch's default of one thread
        per core can make training many times slower than one thread. Reproducibility holds per
        thread count: the same ``random_state`` and the same ``n_threads`` give bit-identical
        models and rows on CPU, while another thread count may differ in the last bits
        (floating-point sums split differently), so pass an int when runs on different machines
        must match.
    callbacks : list of gan_augment.training.Callback, default=None
        Called during training, as given: a callback keeps what it saw of the last fit (a logger its
        records, ``EarlyStopping`` its best score), as in PyTorch training loops, and
        ``sklearn.base.clone`` gives each clone copies of its own.
    checkpoint_dir : str, path or None, default=None
        Folder for the training state, written every ``checkpoint_every`` epochs and at the end
        (see :class:`~gan_augment.training.Checkpoint`). If it already holds a checkpoint of the
        same data and settings (a fingerprint of the encoded data, class labels, model and training
        configs and seeds is saved with it), ``fit`` continues from it: a run killed after an hour
        loses at most ``checkpoint_every`` epochs, and on CPU the result is bit-identical to an
        uninterrupted run. With ``random_state=None``, or a ``RandomState`` instance (whose draws
        change from call to call, so they cannot be compared), the seeds saved in the
        checkpoint are reused; an int must be the one the checkpoint was made with.
        A checkpoint of other data or settings, or a non-empty folder that holds anything else, is
        refused before training; give each fit its own folder (e.g. each cross-validation fold; a
        scikit-learn search or ``cross_val_score`` clones one folder into every fold: leave it unset
        there).
        The folder is kept after ``fit``; delete it when the model is saved.
    checkpoint_every : int, default=10
        Epochs between checkpoints (only with ``checkpoint_dir``).
    random_state : int, RandomState instance or None, default=None
        Seeds everything: encoding, weights, training, sampling. The same int gives bit-identical
        models and rows on CPU.
    verbose : int, default=0
        Above 0, show a progress bar over epochs.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: rows to add}`` from the last ``fit`` / ``fit_resample``.
    classes_ : ndarray
        Class labels, sorted.
    class_counts_ : dict
        Real rows per class seen in ``fit``.
    encoder_ : TabularEncoder or ImageCodec
    generator_ : torch.nn.Module
        The generator used for sampling (its EMA copy when ``ema_decay`` is set).
    training_config_ : TrainingConfig
        The settings training ran with, each "auto" resolved to the data kind's default except
        ``epochs="auto"``, which the trainer resolves from ``target_steps`` and the batches per
        epoch (the epochs run are in ``history_``).
    history_ : History
        Per-epoch losses and times.
    n_threads_ : int
        The torch threads the fit ran with (``n_threads`` resolved): the count that reproduces it
        (None for models saved before it was kept).
    batch_size_ : int
        The batch training ran with: ``batch_size`` made at most the number of samples and a
        multiple of ``pac`` (None for models saved before it was kept).
    diversity_ : dict
        ``{class: ClassDiversity}``: after training, 500 synthetic samples of each class are compared
        with its real ones (distinct samples, spread, coverage; :mod:`gan_augment.diversity`). A class
        whose samples collapsed to near copies of one another raises a ``ModeCollapseWarning`` naming
        it (make it an error with ``warnings.simplefilter("error", ModeCollapseWarning)``).
    label_gate_ : LabelGate or None
        The label gate (None when ``label_gate`` resolved to off): per class index, the share of
        synthetic samples its judge keeps (``acceptance``) and the share of the class's real samples
        it assigns to the class (``real_recall``).
    member_histories_ : list of History
        Each generator's training history (one per ``n_generators``; ``history_`` is the first).
    model_config_ : TabularModelConfig or ImageModelConfig
        The network settings the fit built (widths, modes, architecture), "auto" resolved.
    kind_ : DataKind
        The data kind the fit read X as (``kind_.name``: "tabular" or "image").
    sample_seed_ : int
        The seed :meth:`sample` starts from when called without ``random_state``.
    metadata_ : dict
        Only on a model given by :meth:`load`: the metadata :meth:`save` stored with it.
    n_features_in_, feature_names_in_ : as in scikit-learn.
    target_name_ : str or None
        The name of ``y`` in the fit (a Series' name, a one-column DataFrame's column) when it is
        text, kept by :meth:`save`: the command line's ``sample`` writes the target column under
        it, and ``augment --model`` looks for it, for a model fitted and saved from Python too.

    Examples
    --------
    >>> from gan_augment import GANAugmenter
    >>> X_res, y_res = GANAugmenter(random_state=0).fit_resample(X, y)  # doctest: +SKIP
    >>> rows = GANAugmenter(classes=["fraud"]).fit(X, y).sample(100, "fraud")  # doctest: +SKIP
    """

    #: Saved with the model, so that ``load`` builds the class that saved it.
    _method = "gan"
    #: Whether a class's synthetic samples are made from its own real ones (a translator's are made
    #: from the other classes'): a class of 1-2 then gets near copies, and is warned about.
    _made_from_own_class = True
    #: What the progress bar says it trains.
    _model_name = "GAN"
    #: What the evaluator's report calls its top-up.
    _top_up_name = "GAN top-up"

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "classes": CLASSES_CONSTRAINT,
        "categorical_features": ["array-like", None],
        "image_shape": [tuple, list, None],
        "image_size": [StrOptions({"auto"}), Interval(numbers.Integral, 8, 64, closed="both")],
        "architecture": [StrOptions(set(NOISE_ARCHITECTURES) | {"auto"})],
        "augment": [str, None],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "early_stopping": ["boolean"],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "loss": [StrOptions(set(LOSSES) | {"auto"})],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "lr_g": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "lr_d": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "n_critic": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "ema_decay": [Interval(numbers.Real, 0, 1, closed="left"), None],
        "lr_schedule": [StrOptions({"linear", "cosine"}), None],
        "noise_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "generator_dims": [tuple, list],
        "discriminator_dims": [tuple, list],
        "pac": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_modes": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_categories": [Interval(numbers.Integral, 1, None, closed="left")],
        "min_class_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "clip_to_range": ["boolean"],
        "round_to_observed": ["boolean"],
        "detect_rules": ["boolean"],
        "n_generators": [Interval(numbers.Integral, 1, None, closed="left")],
        "label_gate": ["boolean", StrOptions({"auto"})],
        "device": [str, torch.device],
        "precision": [StrOptions(set(PRECISIONS))],
        "distributed": ["boolean", StrOptions({"auto"})],
        "n_threads": [StrOptions({"auto"}), Interval(numbers.Integral, 1, None, closed="left")],
        "callbacks": [list, None],
        "checkpoint_dir": [str, os.PathLike, None],
        "checkpoint_every": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # Defaults come from the config module, their one home ("auto": the data kind's default there;
    # class attributes of a dataclass are its field defaults).
    def __init__(self, *, sampling_strategy="auto", classes=None, min_class_size=None, categorical_features=None,
                 image_shape=None, image_size="auto", architecture="auto", augment="auto",
                 epochs=TrainingConfig.epochs, early_stopping=False, batch_size="auto", loss="auto",
                 optimizer=TrainingConfig.optimizer, lr_g="auto", lr_d="auto",
                 n_critic="auto", ema_decay=TrainingConfig.ema_decay,
                 lr_schedule=TrainingConfig.lr_schedule, noise_dim=TabularModelConfig.noise_dim,
                 generator_dims=TabularModelConfig.generator_dims,
                 discriminator_dims=TabularModelConfig.discriminator_dims, pac=TabularModelConfig.pac,
                 max_modes=10, max_categories=100, clip_to_range=True, round_to_observed=True, detect_rules=True,
                 label_gate="auto", n_generators=1, device="auto", precision=TrainingConfig.precision,
                 distributed="auto", n_threads="auto", callbacks=None,
                 checkpoint_dir=None, checkpoint_every=10, random_state=None, verbose=0):
        super().__init__(sampling_strategy=sampling_strategy)
        self.classes = classes
        self.min_class_size = min_class_size
        self.categorical_features = categorical_features
        self.image_shape = image_shape
        self.image_size = image_size
        self.architecture = architecture
        self.augment = augment
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.batch_size = batch_size
        self.loss = loss
        self.optimizer = optimizer
        self.lr_g = lr_g
        self.lr_d = lr_d
        self.n_critic = n_critic
        self.ema_decay = ema_decay
        self.lr_schedule = lr_schedule
        self.noise_dim = noise_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.pac = pac
        self.max_modes = max_modes
        self.max_categories = max_categories
        self.clip_to_range = clip_to_range
        self.round_to_observed = round_to_observed
        self.detect_rules = detect_rules
        self.label_gate = label_gate
        self.n_generators = n_generators
        self.device = device
        self.precision = precision
        self.distributed = distributed
        self.n_threads = n_threads
        self.callbacks = callbacks
        self.checkpoint_dir = checkpoint_dir
        self.checkpoint_every = checkpoint_every
        self.random_state = random_state
        self.verbose = verbose

    # ============================================================== public API
    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the GAN on ``(X, y)``; ``sample`` and ``fit_resample`` then draw from it. A fit that
        fails or is interrupted leaves a model fitted before as it was.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features), or an image array
            A table (numeric, categorical and missing values), rows of pixels with ``image_shape``,
            or images ``(N, H, W)``, ``(N, H, W, C)`` or ``(N, C, H, W)``.
        y : array-like of shape (n_samples,)
            Class labels, kept as given.

        Returns
        -------
        self
        """
        with keeping_fitted_state(self):
            check_target(y)  # names missing labels and regression-like targets before scikit-learn's check
            name = target_name(y)
            y = labels_for_imblearn(y)
            check_classification_targets(y)
            X, y, _ = self._check_X_y(X, y)
            self.sampling_strategy_ = self._resolve_sampling_strategy(X, y)
            self._fit_gan(X, y, resampling=getattr(self, "_topping_up", False))
            self.target_name_ = name
        return self

    def fit_resample(self, X, y, **params):
        X_res, y_res = super().fit_resample(X, y, **params)
        self.target_name_ = target_name(y)
        return X_res, y_res

    fit_resample.__doc__ = TableSamplerMixin.fit_resample.__doc__

    def _fit_to_top_up(self, X, y):
        """``fit`` for a door that tops the data up from the model (``gan-augment augment``,
        AugmentedDataset): with ``label_gate=True``, what the gate will not serve is refused as
        ``fit_resample`` refuses it, a class its judge cannot tell before the GAN is trained (sample()
        refused it once the whole fit was done)."""
        self._topping_up = True
        try:
            return self.fit(X, y)
        finally:
            del self._topping_up

    def sample(self, n_samples, cls, *, random_state=None):
        """``n_samples`` synthetic rows (or images) of class ``cls``.

        Every row is of class ``cls`` by construction, and the cost grows with ``n_samples`` only.
        Rows are generated and decoded in chunks (about 32 MB of encoded rows each), so memory
        stays flat for large ``n_samples``; each chunk has its own seed, derived from the call's,
        so the rows depend on the chunk size (a constant of this module) and stay deterministic.
        Through the label gate (``label_gate``), only samples its judge assigns to ``cls`` are returned.

        Parameters
        ----------
        n_samples : int
            Rows (or images) to make; 0 gives an empty result of the same layout.
        cls : label
            A class seen in ``fit``, as y held it.
        random_state : int, RandomState instance, Generator or None, default=None
            Seeds the draw; None: one derived from the estimator's ``random_state``, so the same
            call gives the same rows.

        Returns
        -------
        DataFrame or ndarray
            Rows shaped like ``X`` at fit time: a DataFrame with the original columns and dtypes
            if a table was fitted on one, else an ndarray of the original dtype (images: the
            original layout, size, dtype and value range, as an ndarray even when their rows of
            pixels came in a DataFrame, whose column names an image model does not keep).
        """
        return self._sample(n_samples, cls, random_state=random_state, refuse=True)

    def _sample(self, n_samples, cls, *, random_state, refuse: bool):
        check_is_fitted(self, "generator_")
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative int, got {n_samples!r}.")
        label = resolve_class(cls, list(self.classes_))
        index = int(np.flatnonzero(self.classes_ == label)[0])
        base = self.sample_seed_ if random_state is None else spawn_seeds(random_state, 1)[0]
        n_samples = int(n_samples)
        check_fits_in_memory(n_samples, int(np.prod(self.encoder_.sample_shape)), self.kind_.unit,
                             value_bytes=value_bytes(self.encoder_))
        gate = self._gate(index, refuse=refuse)
        if refuse and gate is None and self.sampling_strategy_.get(plain_label(label), 0) <= 0:
            self._warn_ungated_sample(index)
        # The same rows whatever the caller's default dtype and float32 matmul precision ("medium"
        # changed the rows of a fixed random_state).
        device = next(self.generator_.parameters()).device
        with torch_threads(self.n_threads), torch_defaults(), float32_matmul_precision("float32", device):
            chunk = self._sample_chunk_rows(n_samples, index)
            parts = []
            for k, start in enumerate(range(0, max(n_samples, 1), chunk)):
                # Chunk 0 is seeded as a single-chunk call always was; chunk k > 0 from (base, class, k).
                entropy = [base, index] if k == 0 else [base, index, k]
                seed, decode_seed = np.random.SeedSequence(entropy).generate_state(2)
                size = min(chunk, n_samples - start)
                # The gate's candidates are encoded rows, judged before any is decoded: as many a round
                # as an undecoded chunk holds (a chunk of 1-2 huge images would leave it 100 rounds of 1-2).
                encoded = (generate(self.generator_, size, index, seed=int(seed)) if gate is None else
                           gate.generate(self.generator_, size, index, seed=int(seed),
                                         class_name=repr(plain_label(label)), chunk=max(chunk, _SAMPLE_MIN_CHUNK),
                                         view=self.kind_.judged_view(self.encoder_)))
                parts.append(self.kind_.decode(self.encoder_, encoded, seed=int(decode_seed), class_index=index))
                del encoded  # the encoded chunk is freed before the next one is made
        if len(parts) == 1:
            return parts[0]
        if isinstance(parts[0], pd.DataFrame):
            return concat_rows(parts)
        return np.concatenate(parts, axis=0)

    def preview(self, n_samples, cls, *, random_state=None):
        """What the model makes of class ``cls``, for checks and pictures: :meth:`sample`, except
        that a class the label gate refuses (too few samples accepted) is shown as generated
        instead of raising. Parameters and result as in :meth:`sample`."""
        return self._sample(n_samples, cls, random_state=random_state, refuse=False)

    def _gate(self, index: int, *, refuse: bool):
        """The label gate that sampling class ``index`` goes through, or None (samples as generated).

        A class the gate does not serve (it keeps too few of its samples, or its judge cannot tell
        the class's real ones: :meth:`LabelGate.serves`) goes without it under ``label_gate="auto"``
        and in :meth:`preview`; with ``label_gate=True``, :meth:`sample` refuses it (``refuse``; the
        gate raises, with the reason and what to do)."""
        self._check_label_gate()
        auto = isinstance(self.label_gate, str)
        if not auto and not self.label_gate:
            return None
        lenient = auto or not refuse  # go without the gate rather than raise
        gate = getattr(self, "label_gate_", None)
        if gate is None:
            if lenient:  # "auto": a kind without the gate by default
                return None
            raise ValueError("label_gate=True, but this model was fitted without the gate (it has no judge); fit "
                             "it again with the gate (label_gate=True; command line: fit without --no-label-gate), "
                             "or sample without it: set_params(label_gate=False) (then save the model for the "
                             "command line).")
        return None if lenient and not gate.serves(index) else gate

    def _warn_ungated_sample(self, index: int) -> None:
        """Say that class ``index`` is sampled without the label gate that ``"auto"`` keeps for the
        others: the fit warned only of the classes it topped up."""
        gate = getattr(self, "label_gate_", None)
        if isinstance(self.label_gate, str) and gate is not None and not gate.serves(index):
            reasons, _ = self._ungated_reasons(gate, with_figures=True, classes=[index])
            label = plain_label(self.classes_[index])
            warnings.warn(" ".join([*reasons, f"Class {label!r} is sampled without the gate."]), LabelGateWarning,
                          stacklevel=user_stacklevel())

    def _gate_refuses(self, index: int) -> bool:
        """Whether :meth:`sample` refuses class ``index``: under ``label_gate=True``, a class the
        gate does not serve, or any class of a model fitted without the gate."""
        self._check_label_gate()
        strict = bool(self.label_gate) and not isinstance(self.label_gate, str)
        gate = getattr(self, "label_gate_", None)
        return strict and (gate is None or not gate.serves(index))

    def _check_label_gate(self) -> None:
        """``label_gate`` as fit checks it: set after the fit (``set_params(label_gate="off")``),
        any other string read as "auto"."""
        validate_parameter_constraints({"label_gate": self._parameter_constraints["label_gate"]},
                                       {"label_gate": self.label_gate}, caller_name=type(self).__name__)

    def _sample_chunk_rows(self, n_samples: int, index: int) -> int:
        """Rows generated and decoded at a time by :meth:`sample`, so that memory stays flat
        whatever ``n_samples``: about ``_SAMPLE_CHUNK_BYTES`` of encoded rows, never fewer than
        ``_SAMPLE_MIN_CHUNK`` rows, and never more than decode in ``_SAMPLE_DECODE_BYTES`` (an
        image is decoded at its full size: 4,096 of 256x256 took 7 GB for 0.27 GB of pixels). The
        rows a seed gives depend on these constants (and on the row's sizes): another chunking
        draws other (equally distributed) rows."""
        decoded = int(np.prod(self.encoder_.sample_shape)) * _DECODED_VALUE_BYTES
        most = max(1, _SAMPLE_DECODE_BYTES // decoded)
        if n_samples <= _SAMPLE_MIN_CHUNK:
            return min(_SAMPLE_MIN_CHUNK, most)
        probe = generate(self.generator_, 1, index, seed=0)  # the encoded row's size, for any kind
        encoded = max(1, probe.numel() * probe.element_size())
        return min(most, max(_SAMPLE_MIN_CHUNK, _SAMPLE_CHUNK_BYTES // encoded))

    def __setstate__(self, state):
        # A fitted augmenter pickled by a version before its ensembles and collapse check: one
        # member's history, no figures (as load reads a model file of those versions).
        if "generator_" in state:
            state.setdefault("member_histories_", [state.get("history_")])
            state.setdefault("diversity_", {})
        super().__setstate__(state)

    def save(self, path, *, metadata=None, overwrite=True):
        """Save to directory ``path`` (safetensors weights + JSON); see :meth:`load`.

        An image model also gets a grid of 64 samples per class, ``samples_<class index>_<class>.png``,
        to look at. An existing directory is replaced only if it holds a gan-augment model (or
        nothing), never a folder with other files in it. A save killed mid-way never leaves a
        half-written model: the previous one stays, or waits beside ``path`` as ``.NAME.old-...``
        until the next save or load of ``path`` puts it back. ``callbacks`` and ``checkpoint_dir``
        belong to a training run and are not saved: the loaded model's are None (set them again
        before refitting it).

        Parameters
        ----------
        path : str or path
            The model's directory.
        metadata : dict or None, default=None
            JSON-serialisable, kept with the model (e.g. where the data came from); :meth:`load`
            gives it back as ``metadata_``, and a loaded model saved again without ``metadata``
            keeps it (a refit drops it).
        overwrite : bool, default=True
            With False, only an absent or empty ``path`` is written (FileExistsError otherwise,
            also when another run finishes writing ``path`` first).
        """
        check_is_fitted(self, "generator_")
        if metadata is not None:
            if not isinstance(metadata, dict):
                raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}.")
            check_state_values(metadata, "metadata")  # named, not JSON's "int64 is not JSON serializable"
        # Its folder is made beside it under a temporary name: a path that cannot be written is
        # named as the caller gave it (a read-only folder named the hidden temporary one).
        check_parent_writable(path)
        self._check_label_gate()  # a model file that `info` and `sample` would read as "auto"
        labels = self.classes_.dtype
        state = {
            "kind": self.kind_.name,
            "method": self._method,
            # A loaded model saved again keeps what it was saved with (the command line's record of
            # its data, which `sample` reads to refuse writing over that data).
            "metadata": dict(metadata if metadata is not None else getattr(self, "metadata_", {})),
            "versions": _versions(),
            "params": _params_to_json(self.get_params(deep=False)),
            "classes": [label_to_json(c, labels) for c in self.classes_],
            "classes_dtype": labels.str,
            "class_counts": [[label_to_json(c, labels), int(n)] for c, n in self.class_counts_.items()],
            "sampling_strategy": [[label_to_json(c, labels), int(n)] for c, n in self.sampling_strategy_.items()],
            "n_features_in": int(self.n_features_in_),
            "feature_names_in": [str(f) for f in self.feature_names_in_] if hasattr(self, "feature_names_in_") else None,
            "target_name": getattr(self, "target_name_", None),
            "sample_seed": int(self.sample_seed_),
            "n_threads": getattr(self, "n_threads_", None),
            "batch_size": getattr(self, "batch_size_", None),
            "encoder": self.encoder_.to_dict(),
            "model_config": config_to_dict(self.model_config_),
            "training_config": config_to_dict(self.training_config_),
            "history": self.history_.to_json(),
            "member_histories": [h.to_json() for h in self.member_histories_[1:]],  # an ensemble's other members
            "diversity": [[label_to_json(c, labels), d.to_dict()] for c, d in self.diversity_.items()],
            "generator": self.generator_.state_dict(),
            # A sampling setting of the generator's own, not a weight (style-based: truncation); an
            # attribute a user set on a generator without truncation is not one. An ensemble's
            # members each keep their own (one may have been set alone).
            "truncation_psi": _truncation_of(self.generator_),
            "label_gate": self.label_gate_.state() if getattr(self, "label_gate_", None) is not None else None,
        }
        save_state(path, state, kind="model", files=self.kind_.extra_files(self) or None, overwrite=overwrite)
        return path

    @classmethod
    def load(cls, path, *, device="cpu"):
        """Load a model saved by :meth:`save`. Never unpickles; a GPU-fitted model loads on CPU.

        Parameters
        ----------
        path : str or path
            The directory :meth:`save` wrote.
        device : {"cpu", "cuda", "auto"} or torch.device, default="cpu"
            Where the networks are put.

        Returns
        -------
        GANAugmenter (or the subclass that saved it)
        """
        device = resolve_device(device)  # first: a device this machine cannot serve is no fault of the file
        with torch_defaults():  # its modules built as they were fitted, whatever the caller's default
            return cls._load(path, device=device)

    @classmethod
    def _load(cls, path, *, device):
        state = load_state(path, kind="model", device="cpu")
        try:
            return cls._from_state(state, path, device=device)
        except ModelFileError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # A model.json without the checksum of later versions (older files are read as they are)
            # that was edited, or one of another version (a model config field this one lacks).
            from gan_augment import __version__

            saved = _written_by(state)
            advice = ("the file is damaged or was edited. Restore it from a backup or fit again."
                      if not saved or saved.endswith(f" {__version__}") else
                      f"this is gan-augment {__version__}: load it with the version that wrote it, or fit again.")
            raise ModelFileError(f"{Path(path) / 'model.json'} could not be read as a model ({type(exc).__name__}: "
                                 f"{exc}){saved}; {advice}") from exc

    @classmethod
    def _from_state(cls, state: dict, path, *, device):
        cls = _saved_class(cls, state.get("method", "gan"), path)
        params = {key: value for key, value in state["params"].items() if key not in _RUN_SETTINGS}
        # Settings of the other data kind, which a model saved before they were refused may hold and
        # which never had an effect, at their defaults: its settings can then be reused.
        params = settings_at_defaults(cls, params, TABLE_SETTINGS if state.get("kind") == "image" else IMAGE_SETTINGS)
        unknown = sorted(set(params) - set(cls._get_param_names()))
        if unknown:
            from gan_augment import __version__

            raise ModelFileError(f"{Path(path) / 'model.json'} has settings this gan-augment ({__version__}) does not "
                                 f"know ({', '.join(unknown)}){_written_by(state)}: upgrade gan-augment to load it.")
        for key in ("generator_dims", "discriminator_dims", "image_shape"):  # JSON made the tuples lists
            if params.get(key) is not None:
                params[key] = tuple(params[key])
        if isinstance(params.get("label_gate"), str) and params["label_gate"] != "auto":
            # Saved before a value set after the fit was checked: any string sampled as "auto"; a
            # translator's gate is on or off, and on is its default.
            read_as = "auto" if cls._takes_auto_gate() else True
            warnings.warn(f"{Path(path) / 'model.json'} has label_gate={params['label_gate']!r}, which is not a value "
                          f"of it; it is read as {read_as!r} (save the model again to record that).",
                          UserWarning, stacklevel=user_stacklevel())
            params["label_gate"] = read_as
        labels = stored_dtype(state["classes_dtype"], state["classes"], what="classes_dtype")
        classes = np.array([label_from_json(c, labels) for c in state["classes"]], dtype=labels)
        if labels.kind in "mM":
            params = _dates_read_back(params, classes)
        params["sampling_strategy"] = _in_every_class_read_back(params.get("sampling_strategy", "auto"), classes)
        augmenter = cls(**params)
        augmenter.classes_ = classes
        augmenter.class_counts_ = {label_from_json(c, labels): n for c, n in state["class_counts"]}
        augmenter.sampling_strategy_ = {label_from_json(c, labels): n for c, n in state["sampling_strategy"]}
        augmenter.n_features_in_ = state["n_features_in"]
        if state["feature_names_in"] is not None:
            augmenter.feature_names_in_ = np.array(state["feature_names_in"], dtype=object)
        augmenter.target_name_ = state.get("target_name")  # absent from models saved before it was kept
        if augmenter.target_name_ is not None and not isinstance(augmenter.target_name_, str):
            raise TypeError(f"target_name is {augmenter.target_name_!r}, not a str")
        augmenter.sample_seed_ = state["sample_seed"]
        if isinstance(augmenter.sample_seed_, bool) or not isinstance(augmenter.sample_seed_, int):
            raise TypeError(f"sample_seed is {augmenter.sample_seed_!r}, not an int")
        if augmenter.sample_seed_ < 0:  # (numpy's "expected non-negative integer" at the first sample)
            raise ValueError(f"sample_seed is {augmenter.sample_seed_}, not a seed (0 or more)")
        augmenter.n_threads_ = state.get("n_threads")  # absent from models saved before it was kept
        augmenter.batch_size_ = state.get("batch_size")  # likewise
        augmenter.metadata_ = state.get("metadata", {})
        augmenter.kind_ = kind = kind_named(state.get("kind", "tabular"))
        augmenter.encoder_ = kind.codec_from_dict(state["encoder"])
        image_values = int(np.prod(getattr(augmenter.encoder_, "image_shape_", ())))
        if augmenter.kind_.name == "image" and image_values != augmenter.n_features_in_:
            raise ValueError(f"the images' shape {augmenter.encoder_.image_shape_} does not hold the model's "
                             f"{augmenter.n_features_in_} values per image")
        columns = [spec.get("name") for spec in getattr(augmenter.encoder_, "columns_", [])]
        if augmenter.kind_.name == "tabular" and state["feature_names_in"] is not None and (
                list(map(str, columns)) != list(map(str, state["feature_names_in"]))):
            # (its samples came back with the encoder's names, and augment wrote a column of DATA empty)
            raise ValueError(f"the encoder's columns {columns} are not the model's feature names "
                             f"{state['feature_names_in']}")
        augmenter.model_config_ = config_from_dict(kind.model_config_class, state["model_config"])
        augmenter.training_config_ = config_from_dict(TrainingConfig, state["training_config"])
        augmenter.history_ = History.from_json(state["history"])
        augmenter.member_histories_ = [augmenter.history_,
                                       *(History.from_json(h) for h in state.get("member_histories") or [])]
        # Models saved before the check have none; info then says so.
        augmenter.diversity_ = {label_from_json(c, labels): ClassDiversity.from_dict(d)
                                for c, d in state.get("diversity") or []}
        gate = state.get("label_gate")  # models saved before the gate have none
        augmenter.label_gate_ = (LabelGate.from_state(gate, kind, source=Path(path) / "model.json")
                                 if gate is not None else None)
        # Checked against the weights before anything is allocated: an edited model.json must not
        # make loading build (and allocate) a model of whatever size it names.
        def build():
            members = [kind.build_generator(augmenter.model_config_, augmenter.encoder_, len(augmenter.classes_))
                       for _ in range(_members_in(state["generator"]))]
            return members[0] if len(members) == 1 else GeneratorEnsemble(members)

        generator = build_checked(build, state["generator"], source=Path(path) / "model.json")
        generator.load_state_dict(state["generator"])
        psi = state.get("truncation_psi")  # None: models saved before it was kept (1.0, the default)
        for member, member_psi in zip(getattr(generator, "members", [generator]),
                                      psi if isinstance(psi, list) else itertools.repeat(psi)):
            if member_psi is not None:
                member.truncation_psi = float(member_psi)
        augmenter.generator_ = generator.to(resolve_device(device)).eval().requires_grad_(False)
        augmenter._restore_from_generator()
        return augmenter

    def _restore_from_generator(self) -> None:
        """After :meth:`load`: fitted attributes a subclass keeps in its generator's buffers."""

    # ============================================================== imblearn hooks
    def _check_X_y(self, X, y, accept_sparse=None):
        # imbalanced-learn's public fit_resample validates through this hook (tests/test_compat.py
        # fails if it stops doing so): the data kind decides what valid input is, after the labels
        # are known to be classes (no missing labels, no two that read the same as text).
        check_target(y, spellings=False)  # (checked, and warned of, by fit or fit_resample)
        return kind_for_input(X, self.get_params(deep=False)).check_input(self, X, y)

    def _fit_resample(self, X, y):
        self.sampling_strategy_ = self._resolve_sampling_strategy(X, y)
        self._fit_gan(X, y, resampling=True)
        parts, labels = [X], [np.asarray(y)]
        for label, n_new in self.sampling_strategy_.items():
            if n_new > 0:
                parts.append(self.sample(n_new, label))
                labels.append(np.full(n_new, label, dtype=np.asarray(y).dtype))
        if isinstance(X, pd.DataFrame):  # tables only: images were made an ndarray by _check_X_y
            X_res = concat_rows(parts)
        else:
            X_res = np.concatenate(parts, axis=0)
        return X_res, np.concatenate(labels)

    # ============================================================== internals
    def _resolve_sampling_strategy(self, X, y) -> dict:
        plan = plan_top_up(y, self.sampling_strategy, self.classes)
        kind = kind_for_input(X, self.get_params(deep=False))
        in_every_class = "InEveryClass" if isinstance(self.sampling_strategy, InEveryClass) else None
        with self._quiet_unless_main():
            check_class_sizes(plan, class_counts(y), self.min_class_size, unit=kind.unit,
                              made_from_itself=self._made_from_own_class, in_every_class=in_every_class,
                              hashes=sample_hashes(X), y=y)
        # Before training: a top-up that could never be held is refused now, not after the fit
        # (images at their dtype's bytes, a table's values at the bytes X's take).
        check_top_up_fits(plan, int(np.prod(np.shape(X)[1:])), kind.unit,
                          value_bytes=value_bytes(X, image=kind.name == "image"))
        return plan

    def _quiet_unless_main(self):
        """A block whose warnings only rank 0 of a data-parallel run shows (as it shows the fit's
        later ones), for the checks made before the processes meet; otherwise a plain block."""
        if not is_false(self.distributed) and launched_by_torchrun() and not is_main_process():
            return catching_warnings(record=True)
        return contextlib.nullcontext()

    def _fit_gan(self, X, y, *, resampling: bool = False):
        with torch_threads(self.n_threads), grad_enabled(), torch_defaults():
            fitted = self._fit_gan_threaded(X, y, resampling)
            # "auto" depends on the machine and its load: the count that reproduces this fit.
            self.n_threads_ = torch.get_num_threads()
            return fitted

    def _fit_gan_threaded(self, X, y, resampling: bool):
        y = np.asarray(y)
        vars(self).pop("metadata_", None)  # a loaded model's: it describes that fit, not this one
        self.classes_, y_index, counts = np.unique(y, return_inverse=True, return_counts=True)
        self.class_counts_ = {plain_label(label): int(n) for label, n in zip(self.classes_, counts)}
        # Before any work: a callback the trainer cannot call, or a checkpoint_dir that cannot be
        # used, fails now, not after the data is encoded or the GAN trained.
        _check_callbacks(self.callbacks)
        if self.checkpoint_dir is not None and self.n_generators > 1:
            raise ValueError(f"checkpoint_dir cannot be combined with n_generators={self.n_generators} yet: a "
                             "checkpoint holds one generator's training. Drop one of the two.")
        saved = _saved_run(self.checkpoint_dir)
        seeds = self._seeds(saved)
        params = self._codec_params()
        self.kind_ = kind_for_input(X, params)
        self._check_kind(self.kind_)
        device = resolve_device(self.device)
        group = resolve_process_group(self.distributed, device)
        return self._fit_in_group(X, y, y_index, params, local_device(device, group), group, saved, seeds, resampling)

    def _fit_in_group(self, X, y, y_index, params, device, group, saved, seeds, resampling: bool):
        kind = self.kind_
        if group.active:
            # The processes split the batches of one data set; different data (e.g. each process's
            # own shard) would be trained with rank 0's rows under another process's labels. Other
            # epochs or batches on one process left the others waiting on it (a hang until the
            # group's timeout, or gloo's abort); the seeds (rank 0's serve), a device and threads may differ.
            digest = hashlib.sha256(np.ascontiguousarray(y_index, dtype=np.int64).tobytes()).hexdigest()
            data = (np.shape(X), digest, _values_digest(X), repr([repr(plain_label(c)) for c in self.classes_]))
            settings = {name: _comparable(value, ordered=name not in _SETS_OF_CLASSES_OR_COLUMNS)
                        for name, value in self.get_params(deep=False).items() if name not in _PER_PROCESS_SETTINGS}
            gathered = group.gather_objects((data, settings))
            if len({their_data for their_data, _ in gathered}) > 1:
                raise DistributedError(
                    "GANAugmenter was given different data on different processes of the distributed run. "
                    "Data-parallel training splits the batches itself and needs the same X and y on every "
                    "process; to fit one GAN per process on its own data, pass distributed=False. (Folds of an "
                    "evaluation or an AutoAugmenter drawn without a random_state differ between processes: pass one.)")
            differ = sorted({name for _, theirs in gathered for name in settings if theirs.get(name) != settings[name]})
            if differ:
                raise DistributedError(
                    f"GANAugmenter has other settings on other processes of the distributed run ({', '.join(differ)}). "
                    "Data-parallel training needs the same settings on every process.")
        # Rank 0's seeds for all: without a random_state each process drew its own.
        seeds = group.broadcast_object(seeds)
        encoder_seed, model_seed, train_seed, self.sample_seed_ = seeds
        # Rank 0 alone learns the encoding (mixture fits, category lists) and encodes; the others
        # receive both, so that every process trains on the very same numbers.
        encoded = None
        if group.is_main:
            self.encoder_, self.model_config_, encoded = kind.fit_codec(params, X, seed=encoder_seed, device=device,
                                                                        y_index=y_index)
        self.encoder_, self.model_config_ = group.broadcast_object(
            (self.encoder_, self.model_config_) if group.is_main else None)
        encoded = group.broadcast_tensor(encoded).cpu()
        self.model_config_ = self._complete_model_config(self.model_config_, encoded, y_index, encoder_seed)
        self.training_config_ = training = training_config(
            self._training_defaults_name(), epochs=self.epochs, batch_size=self.batch_size, loss=self.loss,
            optimizer=self.optimizer, lr_g=self.lr_g, lr_d=self.lr_d, n_critic=self.n_critic, ema_decay=self.ema_decay,
            lr_schedule=self.lr_schedule, augment=kind.augment_policy(self.augment), precision=self.precision,
        )
        refuse_clipped_deep_critics(training.loss, getattr(self.model_config_, "architecture", None))  # "auto"'s
        n_classes, n_members = len(self.classes_), self.n_generators
        # Once per fit, not per member: what it cannot rate is said once.
        rated = self._rated_classes(y_index) if self.early_stopping else None
        resume_from = run = None
        if self.checkpoint_dir is not None:  # (one member) before the judge is trained: a wrong folder is said now
            fingerprint, seed_given = self._fingerprint(encoded, y_index, seeds, rated), self._seed_as_given()
            resume_from = _resume_point(self.checkpoint_dir, saved, fingerprint, {
                "model_config": type(self.model_config_), "training_config": type(self.training_config_)},
                random_state=seed_given)
            run = {_RUN_KEY: {"fingerprint": fingerprint, "seeds": seeds, "random_state": seed_given}}
        auto_gate = isinstance(self.label_gate, str)
        gate = None
        if kind.label_gate_default if auto_gate else self.label_gate:
            # The judge first (its own seeded stream: the GAN trains as it would without it), so that
            # with label_gate=True fit_resample refuses a class the judge cannot tell before training.
            with float32_matmul_precision("float32", device):  # whatever the caller's: see _sample
                gate = LabelGate.train(kind, encoded, y_index, n_classes, seed=derive_seed(train_seed, _GATE_STREAM),
                                       codec=self.encoder_)
            if resampling and not auto_gate:
                self._refuse_ungated_classes(gate, generated=False)
        members, self.member_histories_ = [], []
        for member in range(n_members):
            # Member 0 has the seeds a single generator has: n_generators=1 is the plain fit.
            member_seeds = (model_seed, train_seed) if member == 0 else \
                (derive_seed(model_seed, _ENSEMBLE_STREAM, member), derive_seed(train_seed, _ENSEMBLE_STREAM, member))
            with seeded_rng(member_seeds[0], torch.device("cpu")):
                generator = kind.build_generator(self.model_config_, self.encoder_, n_classes)
                discriminator = kind.build_discriminator(self.model_config_, self.encoder_, n_classes)
            self._prepare_generator(generator)
            callbacks = list(self.callbacks or [])
            # Before the progress bar, whose presence varies: a checkpoint finds a callback's
            # state by its position.
            selection = self._snapshot_selection(X, y_index, rated, member_seeds[1])
            if selection is not None:
                callbacks.append(selection)
            if self.verbose and group.is_main:
                member_of = f" {member + 1}/{n_members}" if n_members > 1 else ""
                callbacks.append(ProgressBar(f"Training {self._model_name}{member_of}"))
            if self.checkpoint_dir is not None:
                callbacks.append(Checkpoint(self.checkpoint_dir, every=self.checkpoint_every, metadata=run))
            if group.active and len(set(group.gather_objects(resume_from is not None))) > 1:
                # One process resuming and another starting afresh trained out of step, then hung.
                raise DistributedError(
                    "Some processes of the distributed run find a checkpoint in checkpoint_dir="
                    f"{self.checkpoint_dir!r} and others none (a folder on each machine's own disk?): rank 0 writes "
                    "the checkpoints, and every process resumes from them. Give every process the same folder on a "
                    "shared file system, or start afresh with an empty one.")
            trainer = GANTrainer(generator, discriminator, training, device=device, callbacks=callbacks,
                                 random_state=member_seeds[1], distributed=group)
            trainer.fit(encoded, torch.from_numpy(y_index), resume_from=resume_from)
            self.member_histories_.append(trainer.history_)
            self.batch_size_ = trainer.batch_size_  # every member's: the same rows and settings
            members.append(trainer.sampling_generator.eval().requires_grad_(False))
        self.history_ = self.member_histories_[0]
        self.generator_ = members[0] if n_members == 1 else GeneratorEnsemble(members).eval()
        self.label_gate_ = gate
        if gate is not None:
            # Its acceptance sizes the gate's rounds of candidates: measured in float32 whatever the
            # caller's matmul precision, or the same seed gave other rows under "medium".
            with float32_matmul_precision("float32", device):
                gate.measure_acceptance(self.generator_, seed=derive_seed(train_seed, _GATE_STREAM),
                                        view=kind.judged_view(self.encoder_))
            if resampling and not auto_gate:
                self._refuse_ungated_classes(gate)  # before the diversity check and any sampling
            elif group.is_main:
                self._warn_ungated_classes(refused=not auto_gate)
            if group.is_main:
                self._warn_after_gate(gate)
        with float32_matmul_precision("float32", device):  # an ensemble's members are run here
            self.diversity_ = self._measure_diversity(X, y)  # the same in every process: the same model
        if group.is_main:
            topped_up = {plain_label(label) for label, n in self.sampling_strategy_.items() if n > 0}
            warn_if_collapsed(self.diversity_, kind.unit, kind.plain_top_up, remedy=self._collapse_remedy(),
                              topped_up=topped_up)
            warn_if_undercovered({k: d for k, d in self.diversity_.items() if k in topped_up}, kind.unit,
                                 kind.plain_top_up, ensemble=self.get_params(deep=False).get("n_generators") == 1)
        return self

    def _warn_after_gate(self, gate: LabelGate) -> None:
        """What the gate's measured acceptance tells beyond its own warnings (a translator's pools
        of sources); nothing for a GAN, whose every sample is new."""

    def _refuse_ungated_classes(self, gate: LabelGate, *, generated: bool = True) -> None:
        """With ``label_gate=True``, fit_resample (and :meth:`_fit_to_top_up`) refuses every class to
        top up that ``gate`` does not serve, before sampling any: the fit is not kept (the gate's
        own refusal named one class and advised ``set_params(label_gate=False)``, on a model that
        no longer existed). Before the GAN is trained (not ``generated``), the classes its judge
        cannot tell from the others."""
        reasons, low = self._ungated_reasons(gate, with_figures=True, generated=generated)
        if reasons:
            if self._takes_auto_gate():
                how = ("label_gate='auto' (such classes are then topped up without the gate) or label_gate=False "
                       "(command line: without --label-gate)")
            else:
                how = "label_gate=False (command line: with --no-label-gate)"
            more = ", with more epochs," if low else ","
            raise DataValidationError(f"{' '.join(reasons)} So label_gate=True refuses to top them up. Fit again "
                                      f"with {how}{more} or top them up with {self.kind_.plain_top_up}.")

    def _collapse_remedy(self) -> str | None:
        """What to try first when a class collapsed, where it is not what helps a GAN (None)."""
        return None

    @classmethod
    def _takes_auto_gate(cls) -> bool:
        """Whether ``label_gate="auto"`` is a value of this class (a translator's gate is on or off)."""
        return any(isinstance(c, StrOptions) and "auto" in c.options
                   for c in cls._parameter_constraints["label_gate"])

    def _ungated_reasons(self, gate: LabelGate, *, with_figures: bool, generated: bool = True,
                         classes=None) -> tuple[list[str], bool]:
        """Why ``gate`` does not serve the classes to top up that it does not (a sentence per
        reason: too few synthetic samples kept; a judge that cannot tell the class's real ones),
        and whether the first reason is among them (the only one more epochs can help). Before the
        GAN is trained (not ``generated``), only the second reason can be known. ``classes``: the
        class indices to look at instead of those to top up."""
        unit = self.kind_.unit
        serves = gate.serves if generated else gate.knows
        if classes is None:
            classes = [index for index, label in enumerate(self.classes_)
                       if self.sampling_strategy_.get(plain_label(label), 0) > 0]
        unserved = [(index, self.classes_[index]) for index in classes if not serves(index)]

        def named(rates, keep) -> str:
            return first_few((f"{plain_label(label)!r}" + (f" ({rates[index]:.1%})" if with_figures else "")
                              for index, label in unserved if keep(index)), CLASSES_NAMED)

        reasons = []
        low = named(gate.acceptance, gate.knows)
        if low:
            reasons.append(f"The label gate keeps under {MIN_ACCEPTANCE:.0%} of the synthetic {unit} of class {low} "
                           f"(its judge, trained on the real {unit}, assigns the rest to other classes): the "
                           "generator does not make them well.")
        unknown = named(gate.real_recall or [], lambda index: not gate.knows(index))
        if unknown:
            reasons.append(f"The label gate's judge assigns under {MIN_REAL_RECALL:.0%} of the real {unit} of class "
                           f"{unknown} to it: it cannot tell them from the other classes, so what it keeps of their "
                           f"synthetic {unit} need not be like them.")
        return reasons, bool(low)

    def _warn_ungated_classes(self, *, refused: bool = False) -> None:
        """Name the classes to top up that the gate does not serve: under ``label_gate="auto"``
        they are sampled without it; with ``label_gate=True`` (``refused``) sampling them will be
        refused, said now rather than after the fit is saved."""
        reasons, low = self._ungated_reasons(self.label_gate_, with_figures=True)
        if reasons:
            longer = "fit longer (epochs=, --epochs), " if low else ""
            outcome = (f"Sampling them will be refused (label_gate=True, --label-gate). Top them up with "
                       f"{self.kind_.plain_top_up}, "
                       f"{longer}or sample without the gate ({WITHOUT_GATE})." if refused else
                       f"They are topped up without the gate: compare with {self.kind_.plain_top_up} (AutoAugmenter, "
                       f"gan-augment evaluate){', or fit longer (epochs=, --epochs)' if low else ''}.")
            gist = " ".join([*self._ungated_reasons(self.label_gate_, with_figures=False)[0], outcome])
            warn(" ".join([*reasons, outcome]), LabelGateWarning, gist=gist)

    def _measure_diversity(self, X, y: np.ndarray) -> dict:
        """Each class's synthetic samples against (at most 1,000 of) its real ones; seeded by the
        sampling seed on a stream of its own, so it changes no other draw."""
        diversity = {}
        for index, label in enumerate(self.classes_):
            seed = derive_seed(self.sample_seed_, _DIVERSITY_STREAM, index)
            rows = np.flatnonzero(y == label)
            rows = rows[real_subset(len(rows), seed)]
            real = X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]
            synthetic = self.preview(SAMPLES_PER_CLASS, label, random_state=seed)
            members = member_samples = None
            if isinstance(self.generator_, GeneratorEnsemble):
                # The members' disagreement is the generators' own: each member's samples made by it
                # alone, not through the label gate.
                n_members = len(self.generator_.members)
                members = np.sort(np.arange(SAMPLES_PER_CLASS) % n_members)  # as many rows from each
                *made_seeds, decode_seed = np.random.SeedSequence([seed, _MEMBERS_STREAM]).generate_state(n_members + 1)
                made = torch.cat([generate(member, int(np.sum(members == m)), index, seed=int(made_seeds[m]))
                                  for m, member in enumerate(self.generator_.members)])
                made = self.kind_.decode(self.encoder_, made, seed=int(decode_seed), class_index=index)
                # Features of both in one call: a category's one-hot columns span the values either
                # holds (two calls gave two widths, and a failed fit of an all-category table).
                both = concat_rows([synthetic, made]) if isinstance(synthetic, pd.DataFrame) else \
                    np.concatenate([synthetic, made])
                real_features, both_features, groups = self.kind_.diversity_features(self.encoder_, real, both)
                features = (real_features, both_features[:len(synthetic)], groups)
                member_samples = both_features[len(synthetic):]
            else:
                features = self.kind_.diversity_features(self.encoder_, real, synthetic)
            diversity[plain_label(label)] = measure_class(*features, members=members, member_samples=member_samples)
        return diversity

    # ---------------------------------------------- the hooks a variant of the GAN (translation) overrides
    def _codec_params(self) -> dict:
        """The parameters the data kind reads to recognise the data and fit its codec and model config."""
        return self.get_params(deep=False)

    def _validate_params(self):
        """scikit-learn's check of the parameters, the MLPs' widths (checked only once the data
        was encoded: seconds into a fit of a large table) and the callbacks' hooks (the evaluator
        and AutoAugmenter run this before any fold)."""
        super()._validate_params()
        for name in ("generator_dims", "discriminator_dims"):
            if name in self.get_params(deep=False):
                check_layer_widths(name, getattr(self, name))
        _check_callbacks(self.callbacks)

    def _refuse_settings_for(self, X) -> None:
        """What a fit on ``X`` refuses of these settings before any work, asked without fitting (the
        evaluator's plan asks before any fold)."""
        kind = kind_for_input(X, self._codec_params())
        GANAugmenter._check_kind(self, kind)  # the settings alone: a variant's own reads a fit's classes
        kind.check_values(self.get_params(deep=False), X)

    def _check_kind(self, kind) -> None:
        """Refuse, before any work, data of a kind these settings cannot serve."""
        kind.augment_policy(self.augment)  # refused here, not once the data is encoded
        if kind.name == "image":
            refuse_table_settings(self)
            refuse_clipped_deep_critics(self.loss, self.get_params(deep=False).get("architecture"))
        if self.early_stopping and kind.name != "tabular":
            raise ValueError("early_stopping=True rates table rows; these are images (use early_stopping=False, "
                             "and see the collapse check in diversity_ or label_gate=True).")
        if kind.name == "tabular":  # as augment= is: a setting for images is not silently dropped
            for name in IMAGE_SETTINGS:
                if getattr(self, name, "auto") != "auto":
                    raise ValueError(f"{name}={getattr(self, name)!r} is a setting for images; these are table "
                                     f"rows (leave {name}='auto'; images given as flat rows need image_shape=).")

    def _snapshot_selection(self, X, y_index: np.ndarray, rated, train_seed: int):
        """The SnapshotSelection callback of ``early_stopping``, or None: rates the classes
        ``rated`` (:meth:`_rated_classes`), seeded on a stream of its own."""
        if not self.early_stopping:  # (refused for images by _check_kind)
            return None
        score = c2st_scorer(self.kind_, self.encoder_, X, y_index, rated,
                            seed=derive_seed(train_seed, _SELECTION_STREAM))
        return SnapshotSelection(score, every=EARLY_STOPPING_EVERY, patience=EARLY_STOPPING_PATIENCE)

    def _rated_classes(self, y_index: np.ndarray) -> list[int]:
        """The class indices early stopping rates: those to top up (every class when none is). A
        class of one real row cannot be told from its synthetic rows by a two-sample test, and is
        left out (its rating, NaN, never improves: training stopped after `patience` ratings)."""
        counts = np.bincount(y_index, minlength=len(self.classes_))
        ratable = [i for i in range(len(self.classes_)) if counts[i] >= 2]
        topped_up = [i for i in range(len(self.classes_))
                     if self.sampling_strategy_.get(plain_label(self.classes_[i]), 0) > 0]
        rated = [i for i in ratable if i in topped_up]
        if topped_up and not rated:
            # Said, not refused: a training fold of cross-validation may hold a single row of a class
            # the whole table has more of (the evaluator's and AutoAugmenter's folds).
            names = ", ".join(repr(plain_label(self.classes_[i])) for i in topped_up)
            warnings.warn(f"early_stopping=True rates the synthetic rows of the classes to top up, and "
                          f"class{'' if len(topped_up) == 1 else 'es'} {names} "
                          f"ha{'s' if len(topped_up) == 1 else 've'} a single real row here, which a two-sample "
                          "test cannot tell from them: the snapshot is chosen by the other classes' rows instead. "
                          "Fit without early_stopping for a fixed number of epochs.", UserWarning,
                          stacklevel=user_stacklevel())
        return rated or ratable

    def _training_defaults_name(self) -> str:
        """Whose training defaults "auto" settings take (config.training_defaults_for)."""
        return training_defaults_name(self.kind_.name, getattr(self.model_config_, "architecture", None))

    def _complete_model_config(self, config, encoded: torch.Tensor, y_index: np.ndarray, seed: int):
        """The model config once the data is encoded (the same on every process)."""
        return config

    def _prepare_generator(self, generator) -> None:
        """Called on each generator built for training, before the trainer gets it."""

    def _seed_as_given(self) -> int | None:
        """An int ``random_state`` as the user gave it (a checkpoint's refusal names it), else None."""
        seed = self.random_state
        return int(seed) if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) else None

    def _seeds(self, saved) -> list[int]:
        """Encoder, model, training and sampling seeds. An int ``random_state`` fixes them; else a
        checkpoint being resumed gives its own, so that a run without a seed can still continue (an
        instance's next draws are not those it gave the interrupted run, even if the same object)."""
        if saved is not None and not isinstance(self.random_state, numbers.Integral):
            return [int(seed) for seed in saved["seeds"]]
        return spawn_seeds(self.random_state, 4)

    def _resume_parameters(self) -> tuple[str, ...]:
        """The parameters a checkpoint records by value: those that shape the data trained on
        (other settings are in the model and training configs)."""
        return self.kind_.codec_parameters

    def _fingerprint(self, encoded: torch.Tensor, y_index: np.ndarray, seeds: list[int], rated) -> dict:
        """What a checkpoint must match to be continued: every input of training, by part (so
        that a refusal can say which part differs); ``rated``: the classes early stopping rates."""
        data = hashlib.sha256()
        for array in (encoded.detach().cpu().numpy(), y_index.astype(np.int64)):
            array = np.ascontiguousarray(array)
            data.update(f"{array.dtype.str}{array.shape}".encode())
            data.update(array.data)  # the buffer itself: no copy of a large image set
        classes = json.dumps([[str(type(c).__name__), repr(plain_label(c))] for c in self.classes_])
        params = self.get_params(deep=False)
        return {
            "kind": self.kind_.name,
            # As JSON gives them back from the checkpoint (tuples as lists): compared with those.
            "parameters": json.loads(json.dumps({name: _listed(params[name]) for name in self._resume_parameters()},
                                                default=str)),
            "data": data.hexdigest(),
            "classes": hashlib.sha256(classes.encode()).hexdigest(),
            "encoder": hashlib.sha256(json.dumps(getattr(self.encoder_, "training_dict", self.encoder_.to_dict)(),
                                                 allow_nan=True, default=str).encode()).hexdigest(),
            "model_config": config_to_dict(self.model_config_),
            "training_config": config_to_dict(self.training_config_),
            "seeds": [int(seed) for seed in seeds],
            # Only when on, so that checkpoints written before the option existed still resume.
            # (With the classes it rates: another `classes=` on resume would rate another way.)
            **({"early_stopping": [EARLY_STOPPING_EVERY, EARLY_STOPPING_PATIENCE, rated]}
               if self.early_stopping else {}),
        }


# sample() generates and decodes about this many bytes of encoded rows at a time (at least
# _SAMPLE_MIN_CHUNK rows). 1M Adult rows (155 floats each): 16 chunks of 54k rows; a chunk's
# decode temporaries stay in the tens of MB. Changing either constant changes the rows a seed gives.
_SAMPLE_CHUNK_BYTES = 32 * 2 ** 20
_SAMPLE_MIN_CHUNK = 4096
# ... and at most this many bytes of decoding temporaries: an image's values as float32 (resized to
# the user's size) and float64 (rounded to an integer dtype), _DECODED_VALUE_BYTES per value. Tables
# of up to 4,096 columns and images up to 64x64 grey are decoded 4,096 at a time within it.
_SAMPLE_DECODE_BYTES = 256 * 2 ** 20
_DECODED_VALUE_BYTES = 16

# The mode-collapse check's seeds: derive_seed(sample_seed_, _DIVERSITY_STREAM, class index); an
# ensemble's members' samples for their disagreement: (that seed, _MEMBERS_STREAM).
_DIVERSITY_STREAM = 0xD1E5
_MEMBERS_STREAM = 0x3E3B

# The label gate's judge: derive_seed(training seed, _GATE_STREAM).
_GATE_STREAM = 0x6A7E

# The seeds of ensemble member k > 0: derive_seed(model or training seed, _ENSEMBLE_STREAM, k).
_ENSEMBLE_STREAM = 0xE5E

# Early stopping's ratings: derive_seed(training seed, _SELECTION_STREAM).
_SELECTION_STREAM = 0x5E1

# Where GANAugmenter's own record lives in a checkpoint's metadata.
_RUN_KEY = "gan_augmenter"


def _truncation_of(generator):
    """The style-based truncation a saved model keeps: one value, or a list of the members' values
    (an ensemble's); None for generators without it."""
    members = getattr(generator, "members", None)
    if members is not None:
        values = [_truncation_of(member) for member in members]
        return None if values[0] is None else values
    return generator.truncation_psi if hasattr(type(generator), "truncation_psi") else None


def _members_in(weights: dict) -> int:
    """How many generators the saved weights hold: an ensemble's are ``members.<k>.*`` (read from
    the weights, not from ``n_generators``, which may have been set since the fit)."""
    return len({key.split(".")[1] for key in weights if key.startswith("members.")}) or 1


def _written_by(state: dict) -> str:
    """", written by gan-augment X" as the model file records it, or nothing."""
    versions = state.get("versions")
    version = versions.get("gan_augment") if isinstance(versions, dict) else None
    return f", written by gan-augment {version}" if version else ""


def _saved_class(cls, method: str, path):
    """The augmenter class that saved a model of ``method``, when ``cls.load`` reads it: a
    translation model loads as a TranslationAugmenter also through ``GANAugmenter.load``."""
    from gan_augment.translation import TranslationAugmenter

    saved = {"gan": GANAugmenter, "translate": TranslationAugmenter}.get(method)
    if saved is None:
        raise ModelFileError(f"{path} holds a model of method {method!r}, which this version does not know: upgrade "
                             "gan-augment to load it.")
    if not issubclass(saved, cls):
        raise ModelFileError(f"{path} holds a {saved.__name__} model; load it with {saved.__name__}.load.")
    return saved


def _saved_run(checkpoint_dir) -> dict | None:
    """What GANAugmenter saved in the checkpoint in ``checkpoint_dir`` (its fingerprint and
    seeds), None if there is none yet; raises, naming the folder, if it cannot be used."""
    if checkpoint_dir is None:
        return None
    directory = Path(checkpoint_dir)
    recover_interrupted_save(directory)  # a run killed while writing its checkpoint
    try:
        check_state_target(directory, kind="checkpoint")
    except FileExistsError as exc:
        raise FileExistsError(f"checkpoint_dir: {exc}") from None
    check_parent_writable(directory)  # a checkpoint is staged beside its folder, then renamed
    if not directory.is_dir() or not any(directory.iterdir()):
        return None
    state = read_metadata(directory, kind="checkpoint")
    metadata = state.get("metadata") if isinstance(state, dict) else None
    run = metadata.get(_RUN_KEY) if isinstance(metadata, dict) else None
    seeds = run.get("seeds") if isinstance(run, dict) else None
    if not isinstance(run, dict) or not isinstance(run.get("fingerprint"), dict) \
            or not (isinstance(seeds, list) and len(seeds) == 4
                    and all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2 ** 32 for s in seeds)):
        raise ModelFileError(
            f"checkpoint_dir {directory} holds a checkpoint that GANAugmenter did not write (e.g. one of "
            "a GANTrainer's Checkpoint callback) or whose record of its run was damaged, so it cannot tell what "
            "it was trained on; choose another checkpoint_dir."
        )
    return run


def _resume_point(checkpoint_dir, run: dict | None, fingerprint: dict, config_classes: dict, *, random_state=None):
    """``checkpoint_dir`` if its checkpoint belongs to this very run, None if there is none.
    ``config_classes`` maps the fingerprint's config parts to their dataclasses; ``random_state``:
    this fit's int seed, named beside the checkpoint's where the seeds differ."""
    if run is None:
        return None
    saved = dict(run["fingerprint"])
    for key, cls in config_classes.items():
        # A checkpoint of an earlier version lacks the fields added since, which default to what
        # that version did (penalty_fraction=1.0: the whole batch).
        try:
            saved[key] = config_to_dict(config_from_dict(cls, saved[key]))
        except (KeyError, TypeError, ValueError):
            pass  # no such part, or fields this version does not know: compared as written
    # The parameters are there to be named, not compared: the encoder's hash holds them (a checkpoint
    # of an earlier version has none).
    keys = [key for key in sorted(set(fingerprint) | set(saved))
            if key != "parameters" and saved.get(key) != fingerprint.get(key)]
    parameters = "parameters" in saved and saved["parameters"] != fingerprint["parameters"]
    if keys:
        if "seeds" in keys or parameters:
            # The encoding is seeded and follows those parameters: with others, the hashes of what
            # was encoded differ whatever the data; naming them would tell the user it changed.
            keys = [key for key in keys if key not in _HASHED_PARTS]
        # What the user set first (a translator's max_sources_per_class), then what it changed
        # (its model_config's n_sources), which alone named nothing the user knows.
        keys = ["parameters"] * parameters + keys
    if not keys:
        return checkpoint_dir
    # The int seeds given then and now, where the checkpoint records its own (an earlier version's does not).
    seeds_given = (run["random_state"], random_state) if "random_state" in run else None

    def describe(spelling):
        def name(keyword):
            return (spelling or {}).get(keyword, keyword)

        differ = [_difference(key, saved.get(key), fingerprint.get(key), name, seeds_given,
                              show=_shown_option if spelling else repr) for key in keys]
        advice = ("" if spelling else " Give each fit its own folder (cross-validation and searches, such as "
                  "cross_val_score or GridSearchCV, give every fold the same checkpoint_dir: leave it unset there).")
        return (f"{name('checkpoint_dir')} {checkpoint_dir} holds a checkpoint of other data or settings (they differ "
                f"in: {'; '.join(differ)}), so training cannot continue from it. Resume with the checkpoint's "
                f"settings, or delete it or choose another {name('checkpoint_dir')} to start afresh." + advice)

    raise CheckpointMismatchError(describe)


#: Settings the processes of one distributed fit may hold each their own.
_PER_PROCESS_SETTINGS = ("random_state", "device", "n_threads", "callbacks", "checkpoint_dir", "verbose")


#: Settings whose lists name classes or columns in any order (one built from a set comes in
#: another order in each process: Python seeds its string hashes per process).
_SETS_OF_CLASSES_OR_COLUMNS = ("classes", "categorical_features", "source")


def _comparable(value, *, ordered: bool = True):
    """A setting as the processes of a distributed fit compare it: plain values (and arrays and
    containers of them) as they are, sets and dicts in a fixed order, lists too where not
    ``ordered``; any other object by its repr, or by its type where the repr holds an address (a
    function's)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (np.ndarray, pd.Index, pd.Series)):
        value = value.tolist()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)) and ordered:
        return tuple(_comparable(v) for v in value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted(repr(_comparable(v)) for v in value))
    if isinstance(value, dict):
        return tuple(sorted((repr(_comparable(k)), _comparable(v)) for k, v in value.items()))
    written = repr(value)
    return type(value).__qualname__ if " at 0x" in written else written


def _values_digest(X) -> str:
    """A hash of the values of ``X`` (an array, or a table as a DataFrame), the same in every process
    for the same values: the processes of a distributed fit compare their data by it (shards of
    the same labels and shapes were trained as rank 0's rows)."""
    digest = hashlib.sha256()
    if isinstance(X, pd.DataFrame) or np.asarray(X).dtype == object:  # objects: hashed by value, not address
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
        digest.update(repr([str(c) for c in frame.columns]).encode())
        values = sample_hashes(frame)
    else:
        values = np.ascontiguousarray(X)
        digest.update(f"{values.dtype.str}{values.shape}".encode())
        if values.dtype.kind == "f":  # equal values, equal bytes: one NaN (its sign bit aside), one zero
            values = np.ascontiguousarray(np.where(np.isnan(values), np.nan, values + 0.0))
    digest.update(values.data)  # the buffer itself: no copy of a large image set
    return digest.hexdigest()


def _listed(value):
    """An array, Index or Series of a parameter as the list it holds (``np.array(['b'])`` and
    ``['b']`` name the same columns), anything else as it is."""
    return value.tolist() if isinstance(value, (np.ndarray, pd.Index, pd.Series)) else value


# The fingerprint's parts held as hashes, and what makes them differ (the encoding's settings too:
# a checkpoint of an earlier version does not record them by value).
_HASHED_PARTS = {
    "data": "the rows, images or labels, or how they are encoded",
    "encoder": "the columns' names, types or values, the images' layout or range, the settings that encode them, "
               "or the rules found in the columns (a checkpoint of an earlier gan-augment may lack one this version "
               "finds, or have fitted the numeric columns' modes otherwise)",
    "sources": "the images the translator may translate from",
}


def _shown_option(value) -> str:
    """A setting's value as a command line's user reads it: an option left out is not None to them."""
    return "not given" if value is None else repr(value)


def _difference(part: str, saved, now, name, seeds_given, show=repr) -> str:
    """``part`` of a run's fingerprint that differs, with the settings in it that do (``training_config:
    epochs 30 in the checkpoint, 60 now``); hashes (data, encoder) only by name. ``name`` spells a
    keyword as the user writes it, and ``show`` a value; ``seeds_given``: the int seeds the user gave
    then and now (each None where not an int), or None where the checkpoint does not record its own."""
    if part == "seeds":  # drawn from random_state: the setting to look at
        then, now_given = seeds_given or (None, None)
        if then is not None and now_given is not None and then != now_given:
            return f"{name('random_state')} {then!r} in the checkpoint, {now_given!r} now"
        if seeds_given is not None and then is None and now_given is not None:
            return (f"{name('random_state')}: the checkpoint's run had none (its seeds drawn at random), this one "
                    f"{now_given!r}; leave {name('random_state')} unset to resume it")
        return f"seeds (drawn from {name('random_state')}) {saved!r} in the checkpoint, {now!r} now"
    if part == "classes":  # hashed with their types: a resumed model's classes_ are the labels given now
        return ("classes (the labels, or their types: the same labels as int64 and as int32, or as strings and as a "
                "category column, are other classes to a checkpoint; pass y as the checkpointed fit did)")
    if part == "early_stopping" and saved and now:  # on in both: [every, patience, rated classes]
        return (f"{name('early_stopping')}: the classes it rates (those topped up: {name('classes')}, "
                f"{name('sampling_strategy')}) differ")
    if part in _HASHED_PARTS:
        return f"{part} ({_HASHED_PARTS[part]})"
    if not (isinstance(saved, dict) and isinstance(now, dict)):
        return name(part)  # a setting on in one run only (early_stopping)
    keys = [key for key in sorted(set(saved) | set(now)) if saved.get(key) != now.get(key)]
    return f"{part}: " + ", ".join(f"{name(key)} {show(saved.get(key))} in the checkpoint, {show(now.get(key))} now"
                                   for key in keys)


#: Settings of a training run, not of the model: never saved, and not read back from a model file
#: (one that holds them was edited: its checkpoint_dir would send the next fit's files elsewhere).
_RUN_SETTINGS = ("callbacks", "checkpoint_dir")


def _params_to_json(params: dict) -> dict:
    out = {}
    for key, value in params.items():
        if key in _RUN_SETTINGS:
            continue
        if key == "random_state" and not (value is None or isinstance(value, numbers.Integral)):
            warnings.warn(f"random_state={value!r} is not saved with the model (only an int seed is): the loaded "
                          "model's random_state is None. Pass an int seed to keep it.", UserWarning,
                          stacklevel=user_stacklevel())
            value = None
        if key == "device":
            value = str(value)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()  # classes=np.array(1): one label, as the planner reads it
        elif isinstance(value, (tuple, np.ndarray, pd.Index, pd.Series, pd.api.extensions.ExtensionArray)):
            value = list(value)  # classes=y.unique()[1:] is a pandas array for text or dates
        elif isinstance(value, (set, frozenset)):
            value = sorted(value, key=repr)  # in an order of its own: the same set, the same file
        if isinstance(value, InEveryClass):  # a callable whose settings JSON holds
            settings = vars(value)
            if callable(settings["sampling_strategy"]):
                settings = {**settings, "sampling_strategy": "auto"}
                warnings.warn(f"{key}={value!r} holds a callable, which is not saved with the model: the loaded "
                              f"model's {key} is {InEveryClass(**settings)!r}.", UserWarning,
                              stacklevel=user_stacklevel())
            value = {_IN_EVERY_CLASS: _params_to_json(settings)}
        elif callable(value):
            replaced = None if key != "sampling_strategy" else "auto"
            warnings.warn(f"{key}={value!r} is a callable and is not saved with the model: the loaded model's "
                          f"{key} is {replaced!r}.", UserWarning,
                          stacklevel=user_stacklevel())
            value = replaced
        if isinstance(value, dict):
            value = {_json_label(k): _json_label(v) for k, v in value.items()}
        elif isinstance(value, list):
            value = [_json_label(v) for v in value]
        out[key] = _json_label(value)
    return out


#: How a model file holds ``sampling_strategy=InEveryClass(...)``: ``{_IN_EVERY_CLASS: its settings}``. A
#: dict strategy of a class of that name maps it to a count, never to a dict.
_IN_EVERY_CLASS = "in_every_class"


def _in_every_class_read_back(strategy, classes: np.ndarray):
    """``sampling_strategy`` as a model file holds it, with ``InEveryClass`` made again."""
    if not (isinstance(strategy, dict) and set(strategy) == {_IN_EVERY_CLASS}
            and isinstance(strategy[_IN_EVERY_CLASS], dict)):
        return strategy
    settings = strategy[_IN_EVERY_CLASS]
    if classes.dtype.kind in "mM":
        settings = _dates_read_back(settings, classes)
    return InEveryClass(**settings)


def _json_label(value):
    """A label of ``classes`` or a key of ``sampling_strategy`` as JSON holds it: dates and durations
    as their text (:func:`_dates_read_back` reads them back)."""
    return time_text(plain_label(value))


def _dates_read_back(params: dict, classes: np.ndarray) -> dict:
    """``params`` with the dates in ``classes``, ``source`` and ``sampling_strategy``'s keys that
    :func:`_json_label` wrote as text made the labels of ``classes`` they name again."""
    def label(value):
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            # Saved before dates were saved as text: their count of the dtype's unit.
            value = label_from_json(value, classes.dtype)
        elif not isinstance(value, str):
            return value
        try:
            return plain_label(resolve_class(value, classes))
        except ValueError:  # not a date: as written
            return value

    params = dict(params)
    for key in ("classes", "source"):  # source: a translator's classes to translate from
        if isinstance(params.get(key), list):
            params[key] = [label(value) for value in params[key]]
    if isinstance(params.get("sampling_strategy"), dict):
        params["sampling_strategy"] = {label(key): n for key, n in params["sampling_strategy"].items()}
    return params


def _versions() -> dict:
    import imblearn
    import sklearn

    from gan_augment import __version__

    return {"gan_augment": __version__, "torch": torch.__version__, "scikit-learn": sklearn.__version__,
            "imbalanced-learn": imblearn.__version__, "numpy": np.__version__, "pandas": pd.__version__}


def _needs_instance(cls: type, hook: str) -> bool:
    """Whether the class ``cls`` defines ``hook`` as a method of its instances (not a static or class
    method, nor one of its metaclass's)."""
    for klass in cls.__mro__:
        if hook in vars(klass):
            return inspect.isfunction(vars(klass)[hook])
    return False


def _check_callbacks(callbacks) -> None:
    """Each callback has the three hooks the trainer calls (it need not subclass Callback)."""
    hooks = ("on_train_begin", "on_epoch_end", "on_train_end")
    for i, callback in enumerate(callbacks or []):
        if isinstance(callback, type) and any(_needs_instance(callback, hook) for hook in hooks):
            # (Its hooks are callable, as functions missing their self: training failed in Python's words.)
            raise TypeError(f"callbacks[{i}] is the class {callback.__name__}; pass an instance of it: "
                            f"{callback.__name__}(...).")
        missing = [hook for hook in hooks if not callable(getattr(callback, hook, None))]
        if missing:
            raise TypeError(f"callbacks[{i}] ({type(callback).__name__}) has no {', '.join(missing)} method: a "
                            f"callback needs {', '.join(hooks)}. Subclass gan_augment.training.Callback, which "
                            "has them all, and override those you need.")
