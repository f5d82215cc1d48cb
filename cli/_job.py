"""A training job of ``fit`` and ``augment``: everything read and checked before training starts
(the data, the top-up plan, the device, the augmenter), then the training itself."""

from __future__ import annotations

import contextlib
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from gan_augment import __version__
from gan_augment._listing import CLASSES_NAMED, column_suggestion, first_few

from gan_augment.config import TrainingConfig

from ._common import (DATA, INTERRUPTED, USAGE, CLIError, Loss, Method, check_device, errors, no_space_named, say,
                      show, state)
from ._data import DataHandler, Dataset


@dataclass(frozen=True)
class Settings:
    """The training options of ``fit`` and ``augment`` as given (None: the augmenter's "auto")."""

    epochs: Optional[int] = None
    batch_size: Optional[int] = None
    loss: Optional[Loss] = None
    seed: Optional[int] = None
    device: str = "auto"
    skip_unreadable: bool = False
    na_values: Optional[list[str]] = None  # --na-values (CSV tables)
    sep: Optional[str] = None  # --sep (CSV tables)
    checkpoint_dir: Optional[Path] = None  # fit --checkpoint-dir: save (and resume) the training state there
    checkpoint_every: Optional[int] = None  # epochs between checkpoints; None: the augmenter's default
    threads: Any = "auto"  # --threads, checked: "auto" or a positive int
    precision: str = TrainingConfig.precision  # --precision
    max_categories: Optional[int] = None  # --max-categories; None: the augmenter's default
    categorical: Optional[list[str]] = None  # --categorical: columns modelled as categories
    n_generators: Optional[int] = None  # --generators; None: the augmenter's default
    label_gate: Optional[bool] = None  # --label-gate / --no-label-gate; None: the augmenter's "auto"
    method: Method = Method.gan  # --method
    architecture: str = "auto"  # --architecture
    min_class_size: Optional[int] = None  # --min-class-size
    round_to_observed: bool = True  # not --no-rounding
    detect_rules: bool = True  # not --no-rules
    early_stopping: bool = False  # --early-stopping
    in_every_class: bool = False  # --in-every-class


#: The augmenter's keywords as this command line's options set them, for refusals that name them
#: (a checkpoint's settings); a keyword missing here is named as Python writes it.
OPTION_SPELLING = {
    "random_state": "--seed", "checkpoint_dir": "--checkpoint-dir", "epochs": "--epochs",
    "batch_size": "--batch-size", "loss": "--loss", "precision": "--precision", "max_categories": "--max-categories",
    "categorical_features": "--categorical", "early_stopping": "--early-stopping", "classes": "--classes",
    "sampling_strategy": "--in-every-class", "architecture": "--architecture",
    "detect_rules": "rule detection (off: --no-rules)",
    "round_to_observed": "rounding to observed values (off: --no-rounding)",
}


@dataclass
class Job:
    """The checked input, its top-up plan and the augmenter that will be fitted on it."""

    data: Path
    handler: DataHandler
    dataset: Dataset
    plan: dict  # {label: samples to add}, as the augmenter will plan it
    augmenter: Any

    @property
    def labels(self) -> list:
        """The classes named with --classes, or else every class of the plan."""
        return self.dataset.labels or list(self.plan)

    def added_labels(self) -> list:
        return [label for label, n in self.plan.items() if n > 0]

    def dataset_info(self, seconds: float) -> dict:
        """The ``"dataset"`` metadata saved with the model (``sample`` and ``info`` read it back)."""
        return {
            "source": str(self.data),
            # As well as the path as written (for `info`): `sample` run from another folder must
            # still find the data to refuse writing over it.
            "source_resolved": str(self.data.resolve()),
            "n_rows": int(len(self.dataset.y)),
            "fit_seconds": round(float(seconds), 3),
            "created": time.strftime("%Y-%m-%d %H:%M:%S"),
            "gan_augment": __version__,
            **self.dataset.info,
        }


def refuse_table_options(data: Path, handler: DataHandler, given: dict) -> None:
    """Options that act on table columns are a usage error for an image folder, not silently ignored
    (``given``: each option's name and whether it was given)."""
    if handler.kind_name == "tabular":
        return
    named = [option for option, is_given in given.items() if is_given]
    if named:
        one = len(named) == 1
        raise CLIError(f"{', '.join(named)} appl{'ies' if one else 'y'} to table columns; {data} holds images. "
                       f"Drop {'it' if one else 'them'}.", USAGE)


def prepare(data: Path, handler: DataHandler, *, target: Optional[str], classes: Optional[list[str]],
            settings: Settings, progress: bool = True) -> Job:
    """Read DATA, plan the top-up and build the augmenter; every check happens here, before training."""
    refuse_table_options(data, handler, {"--early-stopping": settings.early_stopping,
                                         "--categorical": bool(settings.categorical),
                                         "--max-categories": settings.max_categories is not None,
                                         "--no-rounding": not settings.round_to_observed,
                                         "--no-rules": not settings.detect_rules})
    if settings.architecture != "auto" and handler.kind_name != "image":
        raise CLIError(f"--architecture chooses the image generator; {data} is a table. Drop --architecture.", USAGE)
    translate = settings.method == Method.translation
    if handler.kind_name == "image" and not translate:
        from gan_augment.augmenter import refuse_clipped_deep_critics

        refuse_clipped_deep_critics(getattr(settings.loss, "value", settings.loss), settings.architecture,
                                    spell=lambda name, value: f"--{name} {value}", error=lambda m: CLIError(m, USAGE))
    if translate:
        if handler.kind_name != "image":
            raise CLIError(f"--method translate turns images of one class into another; {data} is a table. Use "
                           "--method gan.", USAGE)
        given = {"--generators": settings.n_generators is not None,
                 "--architecture": settings.architecture != "auto", "--in-every-class": settings.in_every_class}
        if any(given.values()):
            raise CLIError(f"{', '.join(k for k, v in given.items() if v)} does not apply to --method translate "
                           "(one translator of its own architecture); drop it.", USAGE)
    dataset = handler.load(data, target=target, classes=classes, skip_unreadable=settings.skip_unreadable,
                           na_values=settings.na_values, sep=settings.sep)
    plan = _plan(dataset, settings.in_every_class)
    from gan_augment import planner
    from gan_augment.augmenter import GANAugmenter
    from gan_augment.exceptions import DataValidationError
    from gan_augment.kinds import kind_named

    with errors(DATA, DataValidationError):  # --min-class-size refuses; a class of 1-2 rows is warned about
        planner.check_class_sizes(plan, planner.class_counts(dataset.y), settings.min_class_size,
                                  unit=kind_named(handler.kind_name).unit, option="--min-class-size",
                                  made_from_itself=settings.method != Method.translation,
                                  in_every_class="--in-every-class" if settings.in_every_class else None,
                                  hashes=planner.sample_hashes(dataset.X), y=dataset.y)
    device = check_device(settings.device)

    options: dict[str, Any] = {}  # given options only: the rest keep the augmenter's defaults
    categorical = check_categorical(dataset, settings.categorical, data)
    if categorical:
        options["categorical_features"] = categorical
    if settings.max_categories is not None:
        options["max_categories"] = settings.max_categories
    if settings.n_generators is not None:
        options["n_generators"] = settings.n_generators
    if settings.label_gate is not None:
        options["label_gate"] = settings.label_gate
    if settings.architecture != "auto":
        options["architecture"] = settings.architecture
    if settings.checkpoint_dir is not None:
        options["checkpoint_dir"] = str(settings.checkpoint_dir)
        if settings.checkpoint_every is not None:
            options["checkpoint_every"] = settings.checkpoint_every
    if not translate:
        options.update(round_to_observed=settings.round_to_observed, detect_rules=settings.detect_rules)
        if settings.early_stopping:
            options["early_stopping"] = True
    from gan_augment.translation import TranslationAugmenter

    augmenter = (TranslationAugmenter if translate else GANAugmenter)(
        sampling_strategy=_strategy(dataset, settings.in_every_class),
        classes=None if settings.in_every_class else dataset.labels,
        epochs=settings.epochs if settings.epochs is not None else "auto",
        batch_size=settings.batch_size if settings.batch_size is not None else "auto",
        loss=str(settings.loss.value if isinstance(settings.loss, Loss) else settings.loss or "auto"),
        random_state=settings.seed, device=device, precision=str(settings.precision), n_threads=settings.threads,
        min_class_size=settings.min_class_size, verbose=int(progress and not state.quiet), **options,
    )
    # Said only now that every check passed: an error stays the one line on stderr.
    say(dataset.summary)
    _say_plan(dataset, plan)
    return Job(data=data, handler=handler, dataset=dataset, plan=plan, augmenter=augmenter)


def check_categorical(dataset: Dataset, names: Optional[list[str]], data: Path) -> Optional[list[str]]:
    """The columns --categorical names, each once, checked to be feature columns of DATA (the
    augmenter's own refusal would name categorical_features, which the command line does not have)."""
    if not names:
        return None
    columns, target = list(dataset.X.columns), dataset.info.get("target")
    for name in names:
        if name == target:
            raise CLIError(f"--categorical {name!r} names the target column, whose values are the classes (categories "
                           "already); drop it.", USAGE)
        if name not in columns:
            shown = ", ".join(map(repr, columns[:20])) + (" ..." if len(columns) > 20 else "")
            hint = column_suggestion(name, columns)
            raise CLIError(f"--categorical {name!r} is not a column of {data} (its columns: {shown})"
                           + (f".{hint}" if hint else "; check the spelling."), USAGE)
    return list(dict.fromkeys(names))


def _strategy(dataset: Dataset, in_every_class: bool):
    """The augmenter's ``sampling_strategy``: "auto" (``classes`` says which), or with
    ``--in-every-class`` the classes named (or "auto"'s) placed in every class."""
    from gan_augment.planner import InEveryClass

    return InEveryClass(classes=dataset.labels) if in_every_class else "auto"


def refuse_single_class(dataset: Dataset) -> None:
    """A DATA of one class has nothing to top up: said in the words of DATA, before any plan."""
    from gan_augment import planner

    counts = planner.class_counts(dataset.y)
    if len(counts) < 2:
        raise CLIError(f"{dataset.single_class} ({show(next(iter(counts)))}); there is nothing to top up."
                       + dataset.not_read, DATA)


def _plan(dataset: Dataset, in_every_class: bool) -> dict:
    """``{label: n_to_add}`` from the one planner, so that the plan shown is the plan the augmenter
    follows (ties for the majority included): the classes --classes named first, in their order."""
    from gan_augment import planner

    refuse_single_class(dataset)
    with errors(USAGE, ValueError):
        plan = planner.plan_top_up(dataset.y, _strategy(dataset, in_every_class),
                                   None if in_every_class else dataset.labels)
    if dataset.labels:  # in the order the user named them (then the others --in-every-class adds to)
        plan = {label: plan[label] for label in [*dataset.labels, *plan] if label in plan}
    return plan


def _say_plan(dataset: Dataset, plan: dict) -> None:
    from gan_augment import planner

    counts = planner.class_counts(dataset.y)
    # The first ten of many classes (120 made lines of 5,000 characters).
    say("Class counts: " + first_few((f"{show(k)} {v:,}" for k, v in sorted(counts.items(), key=lambda item: -item[1])),
                                     CLASSES_NAMED))
    to_add = [(k, v) for k, v in plan.items() if v > 0]
    if to_add:
        say("Top-up plan:  " + first_few((f"{show(k)} +{v:,} (to {counts[k] + v:,})" for k, v in to_add),
                                         CLASSES_NAMED))


def train(job: Job, *, top_up: bool = False) -> float:
    """Fit the job's augmenter; the seconds it took. Ctrl-C stops cleanly: nothing is written yet.
    ``top_up``: the model serves the job's own top-up (augment), refused as ``fit_resample`` refuses.

    With a checkpoint folder, what the augmenter refuses before the first epoch (a checkpoint of
    other data or settings, a folder holding other files) is a usage error: the folder was wrong."""
    from gan_augment.exceptions import CheckpointMismatchError, DataValidationError, ModelFileError, \
        NothingToAddWarning, SmallClassWarning

    checkpoint = job.augmenter.checkpoint_dir
    refusals = (ModelFileError, FileExistsError) if checkpoint is not None else ()
    full_disk = (no_space_named("a checkpoint", checkpoint, "choose another --checkpoint-dir")
                 if checkpoint is not None else contextlib.nullcontext())
    started = time.perf_counter()
    try:
        # DataValidationError: what the data cannot give (the label gate's refusal of a class), one line.
        with errors(USAGE, *refusals), errors(DATA, DataValidationError), warnings.catch_warnings(), full_disk:
            for said in (SmallClassWarning, NothingToAddWarning):  # said by prepare, before training
                warnings.simplefilter("ignore", said)
            # augment's model serves its top-up: refused as fit_resample refuses, not after training.
            fit = job.augmenter._fit_to_top_up if top_up else job.augmenter.fit
            try:
                fit(job.dataset.X, job.dataset.y)
            except CheckpointMismatchError as exc:  # in the options' words
                raise CLIError(exc.describe(OPTION_SPELLING), USAGE) from exc
    except KeyboardInterrupt:
        # Before the first checkpoint the folder is absent or empty: --resume would start afresh.
        if checkpoint is not None and Path(checkpoint).is_dir() and any(Path(checkpoint).iterdir()):
            raise CLIError(f"Interrupted during training; no model was written. Run the same command with --resume "
                           f"to continue from the last checkpoint in {checkpoint}/.", INTERRUPTED) from None
        raise CLIError("Interrupted during training; nothing was written.", INTERRUPTED) from None
    return time.perf_counter() - started
