"""Small images: arrays of any common layout (or flattened rows with ``image_shape``), modelled by
convolutional GANs."""

from __future__ import annotations

import inspect
import re

import numpy as np
import torch
from imblearn.utils import check_target_type
from scipy import sparse

from gan_augment.checkpoint import PICTURE_PREFIX
from gan_augment.config import ImageModelConfig, training_defaults_for
from gan_augment.data.images import ImageCodec, check_pixels
from gan_augment.data.tabular import plain_labels
from gan_augment.kinds.base import DataKind
from gan_augment.models.image import build_image_discriminator, build_image_generator, default_architecture
from gan_augment.planner import plain_label

#: Samples per class in the grid saved beside an image model.
GRID_SAMPLES = 64
#: Epochs of the label gate's judge: those of the image-quality judge (gan_augment.evaluation.images).
JUDGE_EPOCHS = 10


def grid_file_name(index: int, label) -> str:
    """``samples_<index>_<label>.png``: the label's letters and digits of any script kept, anything
    else a path could read (``/``, spaces) as ``_``, at most 40 characters of it."""
    safe = re.sub(r"[^\w.-]+", "_", str(label))[:40]
    return f"{PICTURE_PREFIX}{index}_{safe}.png"


#: The estimator's settings for tables (their encoder and MLPs): on images they would be dropped unread.
TABLE_SETTINGS = ("categorical_features", "max_modes", "max_categories", "clip_to_range", "round_to_observed",
                  "detect_rules", "generator_dims", "discriminator_dims", "pac")
#: Its settings for images that a table would drop unread (augment= is refused by the tables' kind).
IMAGE_SETTINGS = ("architecture", "image_size")


def refuse_table_settings(estimator) -> None:
    """Refuse, naming them, the table settings an estimator fitting images was given (other than their
    defaults): the images' models would train the same without them, and the user be none the wiser."""
    params = estimator.get_params(deep=False)
    given = _settings_given(type(estimator), params)
    if given:
        listed = ", ".join(f"{name}={params[name]!r}" for name in given)
        raise ValueError(f"{listed} {'is a setting' if len(given) == 1 else 'are settings'} for tables; these are "
                         f"images (drop {'it' if len(given) == 1 else 'them'}: the image models follow image_size "
                         "and architecture).")


def settings_at_defaults(estimator_class, params: dict, names) -> dict:
    """``params`` with the settings ``names`` at their defaults: the settings for the other data kind
    that a model saved before they were refused may hold, which never had an effect (and would now
    be refused where its settings are reused: `evaluate --model`, a clone)."""
    defaults = inspect.signature(estimator_class).parameters
    return {**params, **{name: defaults[name].default for name in _settings_given(estimator_class, params, names)}}


def _settings_given(estimator_class, params: dict, names=TABLE_SETTINGS) -> list[str]:
    defaults = inspect.signature(estimator_class).parameters
    return [name for name in names
            if name in params and name in defaults and not _same_setting(params[name], defaults[name].default)]


def _same_setting(value, default) -> bool:
    if isinstance(default, tuple) and isinstance(value, (tuple, list)):
        return list(value) == list(default)  # generator_dims=[256, 256] is the default
    if default is None or value is None:
        return value is default
    is_flag = isinstance(value, (bool, np.bool_))  # np.True_ is True, as scikit-learn's "boolean" reads it
    return is_flag == isinstance(default, bool) and bool(value == default)


class ImageKind(DataKind):
    name = "image"
    codec_parameters = ("image_shape", "image_size")
    unit = "images"
    plain_top_up = ("real images repeated under classic augmentation (ClassicOversampler in "
                    "gan_augment.baselines, the evaluator's 'classic' baseline)")
    model_config_class = ImageModelConfig
    # Off: on 8x8 digits, whose synthetic images the judge already recognised 86-97% of the time,
    # the gate did not help on average (benchmarks/LABEL_GATE.md).
    label_gate_default = False

    def recognises(self, X, params: dict) -> bool:
        return params.get("image_shape") is not None or _ndim(X) > 2

    def check_input(self, estimator, X, y):
        y, binarize_y = check_target_type(plain_labels(y), indicate_one_vs_all=True)
        if sparse.issparse(X):  # as_rows' words for tables; check_pixels would read "dtype object"
            raise TypeError(f"{type(estimator).__name__} does not accept sparse input: images are dense. Pass "
                            "X.toarray() (rows of pixels, with image_shape=(C, H, W)).")
        X = check_pixels(X)  # given the container as it came: a DataFrame's text column is named
        if X.shape[0] != len(y):
            raise ValueError(f"X holds {X.shape[0]} images but y {len(y)} labels; give one label per image.")
        if X.shape[0] < 1:
            raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
        estimator.n_features_in_ = int(np.prod(X.shape[1:]))
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return X, y, binarize_y

    def fit_codec(self, params: dict, X, *, seed: int, device: torch.device, y_index=None):
        codec = ImageCodec(image_shape=params["image_shape"], image_size=params["image_size"]).fit(X)
        architecture = params["architecture"]
        if architecture == "auto":
            architecture = default_architecture(codec.resolution_, device)
        config = ImageModelConfig(channels=codec.channels, resolution=codec.resolution_,
                                  architecture=architecture, noise_dim=params["noise_dim"])
        return codec, config, codec.transform(X)

    def decode(self, codec, encoded: torch.Tensor, *, seed: int, class_index=None):
        return codec.inverse_transform(encoded)

    def codec_from_dict(self, data: dict):
        return ImageCodec.from_dict(data)

    def augment_policy(self, augment) -> str | None:
        if augment == "auto":
            return training_defaults_for(self.name)["augment"]
        from gan_augment.diffaug import parse_policy

        words = parse_policy(augment)
        repeated = sorted({word for word in words if words.count(word) > 1})
        if repeated:  # each would be applied twice, a stronger policy than any measured (checked at fit
            # only: a model saved with one still loads)
            raise ValueError(f"augment={augment!r} names {', '.join(map(repr, repeated))} more than once; name each "
                             "transform once.")
        return augment

    def build_generator(self, config, codec, n_classes: int) -> torch.nn.Module:
        return build_image_generator(config, n_classes)

    def build_discriminator(self, config, codec, n_classes: int) -> torch.nn.Module:
        return build_image_discriminator(config, n_classes)

    def extra_files(self, augmenter) -> dict[str, bytes]:
        """A grid of 64 samples of each class, ``samples_<class index>_<class>.png``."""
        from gan_augment.data.image_folder import encode_png, image_grid

        grids = {}
        for index, label in enumerate(augmenter.classes_):
            images = augmenter.encoder_.display_pixels(augmenter.preview(GRID_SAMPLES, label, random_state=None))
            grids[grid_file_name(index, label)] = encode_png(image_grid(images, ncols=8))
        return grids

    def describe(self, augmenter) -> list[str]:
        config = augmenter.model_config_
        if config.architecture == "translator":
            # The classes the topped-up ones are made from (the pool holds every class); where none
            # is topped up, those sample() translates any class from.
            targets = [list(augmenter.classes_).index(label) for label, n in augmenter.sampling_strategy_.items()
                       if n > 0] or list(range(len(augmenter.classes_)))
            used = augmenter.generator_.allowed[targets].any(0).tolist()
            names = [plain_label(label) for label, is_used in zip(augmenter.classes_, used) if is_used]
            held = sum(augmenter.source_counts_[label] for label in names)
            origin = ("the other classes' images" if getattr(augmenter, "source", None) is None
                      else "the images of " + ", ".join(repr(label) for label in names))
            # The pool of every class is in the file (what the top-up is made from may be fewer):
            # said whole, for whoever checks what a model would share.
            stored = "" if held == config.n_sources else f"; the model file holds {config.n_sources:,} images in all"
            return [f"Images:    {augmenter.encoder_.describe()}, translated from {origin} "
                    f"({held:,} held as sources{stored}) by a CycleGAN-style translator"]
        return [f"Images:    {augmenter.encoder_.describe()} by a {config.architecture} GAN"]

    def diversity_features(self, codec, real, synthetic) -> tuple[np.ndarray, np.ndarray, None]:
        # Pixels at the model's resolution, in its [-1, 1] range: one scale for every feature.
        real_pixels, synthetic_pixels = (codec.transform(images).reshape(len(images), -1).numpy().astype(np.float64)
                                         for images in (real, synthetic))
        return real_pixels, synthetic_pixels, None

    def train_judge(self, encoded: torch.Tensor, y_index: np.ndarray, n_classes: int, *, seed: int,
                    codec=None) -> torch.nn.Module:
        from gan_augment.evaluation.images import train_image_classifier

        return train_image_classifier(encoded, y_index, n_classes=n_classes, epochs=JUDGE_EPOCHS, random_state=seed)

    def build_judge(self, config: dict) -> torch.nn.Module:
        from gan_augment.evaluation.images import ImageClassifier

        return ImageClassifier(int(config["in_channels"]), int(config["n_classes"]), width=int(config.get("width", 32)),
                               feature_dim=int(config["feature_dim"]))

    def fold_quality(self, fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed: int) -> list[dict]:
        from gan_augment.evaluation.images import fold_image_quality

        return fold_image_quality(fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed)


def _ndim(X) -> int:
    """Dimensions of an array, tensor or nested list (a list of (H, W) images is 3-D); 2 for what
    has none (a DataFrame, sparse matrix) or no regular shape (ragged lists: the table checks name
    them)."""
    if hasattr(X, "ndim"):
        return X.ndim
    try:
        return np.ndim(X)
    except (ValueError, TypeError):
        return 2
