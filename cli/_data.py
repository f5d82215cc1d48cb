"""What the commands need to know about one kind of user data, behind one small protocol.

A command picks its handler once (:mod:`cli._handlers`: from DATA for an input path, from the
model's data kind for a saved model) and then asks it, instead of testing "table or image
folder?" at every step: read and describe the input, check an output before any work, write
samples, write the augmented result. :class:`~cli._tables.TableData` and
:class:`~cli._images.ImageFolderData` are the two handlers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Optional

from gan_augment._listing import CLASSES_NAMED, first_few
from gan_augment.exceptions import DataValidationError

from ._common import USAGE, errors, show


@dataclass
class Dataset:
    """A command's input, read and checked before any training."""

    X: Any
    y: Any  # pandas Series of class labels
    labels: Optional[list]  # the labels --classes named; None: the default plan
    summary: str  # the "Read ..." line
    single_class: str  # "<where> holds a single class": the start of the error when there is only one
    info: dict  # kind-specific entries of the model's "dataset" metadata (target column, columns)
    real: Any  # what `augment` writes back beside the synthetic samples (the table, the image folder)
    # Said after a refusal of this data: what of DATA was not read (a table beside class folders).
    not_read: str = ""


class DataHandler:
    """One kind of user data as the command line reads and writes it; see the module docstring."""

    #: The name of the data kind (``gan_augment.kinds``) whose models this handler writes out.
    kind_name: ClassVar[str]

    def load(self, data: Path, *, target: Optional[str], classes: Optional[list[str]],
             skip_unreadable: bool = False, na_values: Optional[list[str]] = None,
             sep: Optional[str] = None) -> Dataset:
        """Read DATA: an unreadable input is a data error (exit 1), a wrong name or an option that does
        not apply to it (``na_values``: --na-values, ``sep``: --sep) a usage error (exit 2)."""
        raise NotImplementedError

    def evaluation_data(self, dataset: Dataset) -> tuple[Any, dict]:
        """``(X, augmenter parameters)`` for ``evaluate``: the samples as rows the evaluator and its
        baselines (random oversampling, SMOTE) take, and what the GAN needs to read them back."""
        return dataset.X, {}

    def refuse_auto(self, data: Path) -> None:
        """Raise a usage error if ``augment --auto`` cannot choose a top-up for this kind of data."""

    def next_hint(self, out: Path, label: Any) -> str:
        """The line ``fit`` ends with: what to run next on the saved model."""
        raise NotImplementedError

    def fitted_on(self, dataset_info: dict) -> str:
        """What ``info`` adds after "Fitted on: SOURCE (N rows)"."""
        return ""

    def info_lines(self, model_dir: Path) -> list[str]:
        """Lines ``info`` adds after the model's own description."""
        return []

    # ------------------------------------------------------------ outputs
    def check_fit_out(self, data: Path, out: Path, checkpoint_dir: Optional[Path]) -> None:
        """Refuse, before reading DATA, a model or checkpoint folder that may not go where asked."""

    def check_augment_args(self, data: Path, out: Path, *, force: bool, target: Optional[str],
                           mark_synthetic: Optional[str]) -> None:
        """Refuse options that do not apply and an output that may not be written, before reading DATA."""
        raise NotImplementedError

    def check_augment_job(self, data: Path, dataset: Dataset, out: Path, mark_synthetic: Optional[str]) -> None:
        """Checks that need the data read, still before training."""

    def write_augmented(self, dataset: Dataset, augmenter, out: Path, *, force: bool,
                        mark_synthetic: Optional[str], seconds: Optional[float],
                        data_labels: Optional[dict] = None) -> None:
        """The real data, then the samples of ``augmenter``'s plan (``sampling_strategy_``; no
        augmenter: nothing to add); ``seconds``: the fit's time, None when nothing was fitted;
        ``data_labels``: DATA's spelling of the model's classes (a saved model's), for the output."""
        raise NotImplementedError

    def write_resampled(self, dataset: Dataset, X_new, y_new, out: Path, *, force: bool,
                        mark_synthetic: Optional[str], seconds: float, round_numbers: bool = True) -> None:
        """``augment --auto``: write the real data, then ``X_new`` (labels ``y_new``), the samples the
        chosen method added (rounded as the real values are unless not ``round_numbers``: --no-rounding)."""
        raise NotImplementedError

    def check_sample_out(self, out: Path, model_dir: Path, *, force: bool, names_file: bool,
                         source: Optional[Path]) -> None:
        """Refuse an ``out`` that ``sample`` cannot write, or that overlaps ``source``: the data the
        model was fitted on, where it still exists (the path `fit` recorded, resolved)."""
        raise NotImplementedError

    def write_samples(self, augmenter, dataset_info: dict, label: Any, n: int, out: Path, *, force: bool,
                      seed: Optional[int]) -> None:
        raise NotImplementedError


def resolve_labels(classes: Optional[list[str]], y) -> Optional[list]:
    """The labels of ``y`` that --classes names (None without --classes); a typo is a usage error."""
    if not classes:
        return None
    from gan_augment.data import io

    with errors(USAGE, DataValidationError):
        return io.resolve_classes(classes, y)


def synthetic_samples(augmenter, data_labels: Optional[dict] = None) -> Iterator[tuple[Any, Any]]:
    """``(label, samples)`` for each class the fitted plan tops up, in the plan's order (which fixes
    the draws, so that a seed gives the same output); none without an augmenter (nothing to add).
    ``label`` is DATA's spelling of the class where ``data_labels`` gives it."""
    for label, n_new in (augmenter.sampling_strategy_ if augmenter is not None else {}).items():
        if n_new > 0:
            yield (data_labels or {}).get(label, label), augmenter.sample(int(n_new), label)


def fit_time(seconds: Optional[float]) -> str:
    """`` (fit in 3.2 s)`` after an output line; nothing when a saved model was used (``augment --model``)."""
    return "" if seconds is None else f" (fit in {seconds:.1f} s)"


def added_text(added: dict) -> str:
    """``'rare' +130, 'tiny' +140`` for a ``{label: samples added}`` mapping."""
    return first_few((f"{show(k)} +{v:,}" for k, v in added.items()), CLASSES_NAMED) or "nothing to add"
