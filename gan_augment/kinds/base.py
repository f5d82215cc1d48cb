"""The protocol every data kind follows.

A data kind (tables, images; room for a third such as time series) is the one place that knows
how its data looks to a user and to the engine. The doors and the engine never test which kind
they hold; they ask it:

* recognise its input (:meth:`DataKind.recognises`) and validate it (:meth:`check_input`);
* make the codec that turns user data into tensors and back (:meth:`fit_codec`, :meth:`decode`,
  :meth:`codec_from_dict`);
* choose its model config (in :meth:`fit_codec`; training defaults live in
  :func:`gan_augment.config.training_defaults_for`, keyed by the kind's name), its
  :meth:`augment_policy`, and build G and D (:meth:`build_generator`, :meth:`build_discriminator`);
* say what else a saved model holds (:meth:`extra_files`) and how to describe it (:meth:`describe`);
* judge its synthetic samples in the evaluator (:meth:`fold_quality`), give the features on
  which the mode-collapse check compares them with real ones (:meth:`diversity_features`), and
  train the label gate's judge on real encoded samples (:meth:`train_judge`, :meth:`build_judge`).

Kinds are stateless: one instance of each lives in the registry (:mod:`gan_augment.kinds`), and
everything learned lives on the estimator (``encoder_``, ``model_config_``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch


class DataKind:
    """Base class of the data kinds; see the module docstring for the protocol."""

    #: Name saved in model files and shown to users ("tabular", "image").
    name: ClassVar[str]
    #: What one sample is called in messages ("rows", "images").
    unit: ClassVar[str]
    #: What messages advise as the top-up without a GAN: the baseline that wins most often for
    #: this kind (see the README's "When does it help?").
    plain_top_up: ClassVar[str]
    #: The config dataclass of this kind's models.
    model_config_class: ClassVar[type]
    #: The estimator's parameters that ``fit_codec`` reads for the codec (the encoding): a resume
    #: refused for another encoding names them, not the hashes of what they changed.
    codec_parameters: ClassVar[tuple[str, ...]] = ()
    #: Whether ``label_gate="auto"`` trains the label gate for this kind (the measurements that
    #: chose it are with each kind's value).
    label_gate_default: ClassVar[bool] = False
    #: The label gate adds this times the log of each class's share of the training samples to its
    #: judge's logits (the judge is trained class-balanced: at 0 its argmax takes every class as
    #: equally likely, at 1 as likely as in the data).
    judge_prior_weight: ClassVar[float] = 0.0

    def recognises(self, X, params: dict) -> bool:
        """Whether ``X`` (with the estimator's ``params``) is data of this kind."""
        raise NotImplementedError

    def check_input(self, estimator, X, y):
        """Validate ``(X, y)`` as imbalanced-learn's ``_check_X_y`` does: ``(X, y, binarize_y)``.
        Sets ``n_features_in_`` (and ``feature_names_in_`` where it applies) on ``estimator``."""
        raise NotImplementedError

    def check_values(self, params: dict, X) -> None:
        """Raise what :meth:`fit_codec` would raise of ``X``'s values, without fitting (for callers
        that fit only after other work, such as cross-validation folds); nothing by default."""

    def fit_codec(self, params: dict, X, *, seed: int, device: torch.device, y_index=None):
        """Fit the codec on ``X`` (``y_index``: the rows' class indices, for a codec that reads
        them): ``(codec, model_config, encoded float tensor)``."""
        raise NotImplementedError

    def decode(self, codec, encoded: torch.Tensor, *, seed: int, class_index=None):
        """Generated tensors -> samples laid out as the user's ``X`` (``seed``: any draws decoding makes;
        ``class_index``: the class the rows were generated for, for a codec that reads it)."""
        raise NotImplementedError

    def codec_from_dict(self, data: dict):
        raise NotImplementedError

    def augment_policy(self, augment) -> str | None:
        """The differentiable-augmentation policy for the user's ``augment`` ("auto", a policy or None)."""
        raise NotImplementedError

    def build_generator(self, config, codec, n_classes: int) -> torch.nn.Module:
        raise NotImplementedError

    def build_discriminator(self, config, codec, n_classes: int) -> torch.nn.Module:
        raise NotImplementedError

    def extra_files(self, augmenter) -> dict[str, bytes]:
        """Files saved beside the weights, for people to look at: ``{file name: bytes}``."""
        return {}

    def describe(self, augmenter) -> list[str]:
        """Lines that say what the fitted ``augmenter`` models (for ``gan-augment info``)."""
        raise NotImplementedError

    def diversity_features(self, codec, real, synthetic) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``real`` and ``synthetic`` samples of one class (laid out as the user's ``X``) as two 2-D
        float arrays of the same columns, on scales where distances mean something, for the
        mode-collapse check (:mod:`gan_augment.diversity`), and for each column the feature it
        encodes (0, 1, ...: a category's one-hot columns share one), or None where each column is one."""
        raise NotImplementedError

    def train_judge(self, encoded: torch.Tensor, y_index: np.ndarray, n_classes: int, *, seed: int,
                    codec=None) -> torch.nn.Module:
        """A classifier of encoded samples (the generator's output), trained on the real ones, for the
        label gate (:mod:`gan_augment.label_gate`); it has a ``config()`` that :meth:`build_judge` takes.
        ``codec``: the fitted codec that encoded them, where the judge reads the encoding's layout."""
        raise NotImplementedError

    def judged_view(self, codec):
        """What the label gate's judge reads of encoded samples, where decoding changes them (a
        function of a batch of them), or None: the samples as the generator made them."""
        return None

    def build_judge(self, config: dict) -> torch.nn.Module:
        """An untrained judge of :meth:`train_judge`'s shape, from its ``config()``, to load weights into."""
        raise NotImplementedError

    def fold_quality(self, fitted, X_train, y_train, X_test, y_test, X_fit, y_fit, seed: int) -> list[dict]:
        """Per-class quality of the samples ``fitted`` added in one training fold, for the evaluator's
        report (empty where the evaluator's generic fidelity scores already cover the kind)."""
        return []

    def __repr__(self) -> str:
        return f"<data kind {self.name!r}>"

    # Kinds are stateless: two instances of one kind (e.g. one unpickled with an estimator) are equal.
    def __eq__(self, other) -> bool:
        return isinstance(other, DataKind) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)
