"""``gan-augment evaluate``: does topping up with a GAN make a classifier better, with what uncertainty?

Registered on the app in ``main.py``. The options are declared here; the shared helpers of
``main.py`` (flags, errors, messages) are imported inside the command so that this module does not
import ``main`` while ``main`` imports it.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class Estimator(str, enum.Enum):
    logreg = "logreg"
    hgb = "hgb"
    rf = "rf"

    def __str__(self):
        return self.value


REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}


def evaluate(
    data: Annotated[Path, typer.Argument(metavar="DATA", help="A .csv or .parquet file, or a directory holding one.",
                                         show_default=False)],
    classes: Annotated[Optional[list[str]], typer.Option(
        "--classes", "-c", metavar="NAMES", show_default=False,
        help="Class(es) to top up to the majority count in each training fold; repeat the option or separate "
             "names with commas. Default: every class but the majority.")] = None,
    target: Annotated[Optional[str], typer.Option(
        "--target", "-t", metavar="COLUMN", show_default=False,
        help="Target column. Default: the one column named label, target, class or y (any case).")] = None,
    estimator: Annotated[Estimator, typer.Option(
        "--estimator", help="Downstream classifier: logistic regression (scaled, one-hot, imputed), "
                            "HistGradientBoosting or a random forest.")] = Estimator.logreg,
    cv: Annotated[int, typer.Option("--cv", min=2, metavar="K", help="Folds of stratified cross-validation.")] = 5,
    repeats: Annotated[int, typer.Option("--repeats", min=1, metavar="R",
                                         help="Repetitions of the K-fold cross-validation.")] = 3,
    baselines: Annotated[Optional[list[str]], typer.Option(
        "--baseline", metavar="NAME", show_default=False,
        help="Baselines to compare with: none, random, smote, class_weight (repeatable or comma-separated). "
             "Default: none, random, smote.")] = None,
    report: Annotated[Optional[Path], typer.Option(
        "--report", "-r", metavar="FILE", show_default=False,
        help="Write the report to FILE: .html (self-contained, with plots), .md or .json.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout instead of "
                                                          "Markdown.")] = False,
    epochs: Annotated[Optional[int], typer.Option(
        "--epochs", "-e", min=1, metavar="N", show_default=False,
        help="GAN training epochs in each fold. Default: auto.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, metavar="N",
                                            help="Rows per GAN training batch.")] = 500,
    n_jobs: Annotated[Optional[int], typer.Option("--n-jobs", "-j", metavar="N", show_default=False,
                                                  help="Folds to run in parallel (-1: all cores).")] = None,
    seed: Annotated[Optional[int], typer.Option(
        "--seed", "-s", metavar="S", show_default=False,
        help="Random seed: the same seed gives the same folds, models and report on CPU.")] = None,
    device: Annotated[str, typer.Option("--device", metavar="DEVICE", help="auto, cpu, cuda or cuda:N.")] = "auto",
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace the report file if it exists.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output (errors and results still print).")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback of an error.")] = False,
):
    """Cross-validate a classifier on DATA without augmentation, with baselines and with a GAN top-up.

    Every augmenter is fitted inside each training fold only; test folds stay real.
    Prints the verdict and tables (Markdown, or JSON with --json); --report writes HTML, .md or .json.
    """
    from .main import USAGE, CLIError, _check_device, _errors, _load_table, _say, _set_flags, _show, _state

    _set_flags(quiet, debug)
    kind = None
    if report is not None:
        kind = REPORT_FORMATS.get(report.suffix.lower())
        if kind is None:
            raise CLIError(f"--report {report}: the suffix {report.suffix or '(none)'!r} is not one of "
                           f"{', '.join(REPORT_FORMATS)}.", USAGE)
        if report.is_dir():
            raise CLIError(f"--report {report} is a directory; give a file name.", USAGE)
        if report.exists() and not force:
            raise CLIError(f"{report} already exists; pass --force to replace it.", USAGE)
    names = None
    if baselines:
        names = [part.strip() for value in baselines for part in value.split(",") if part.strip()]

    from gan_augment.data.image_folder import is_image_folder

    if is_image_folder(data):
        raise CLIError(f"{data} is an image folder; `evaluate` cross-validates tables. For images, judge the "
                       "samples with gan_augment.image_quality (see the README).", USAGE)
    frame, target_name, X, y, labels = _load_table(data, target, classes)
    device = _check_device(device)

    from gan_augment.augmenter import GANAugmenter
    from gan_augment.evaluation import plan_evaluation, run_evaluation

    augmenter = GANAugmenter(epochs=epochs if epochs is not None else "auto", batch_size=batch_size,
                             random_state=seed, device=device)
    options = {} if names is None else {"baselines": names}
    with _errors(USAGE, ValueError, TypeError):
        plan = plan_evaluation(X, y, augmenter, estimator=str(estimator), classes=labels, cv=cv, repeats=repeats,
                               n_jobs=n_jobs, random_state=seed, progress=not _state.quiet, **options)
    _say(f"Read {len(frame):,} rows x {frame.shape[1]} columns from {data}; target column {str(target_name)!r}.")
    _say(f"Cross-validating {len(plan.splits)} folds ({cv}-fold x {repeats}): "
         f"{', '.join(_method(m, plan) for m in plan.methods)}; topping up "
         f"{', '.join(_show(c) for c in plan.targets)}.")
    try:
        result = run_evaluation(plan)
    except KeyboardInterrupt:
        raise CLIError("Interrupted during evaluation; nothing was written.", 130) from None
    if json_out:
        typer.echo(result.to_json())
    else:
        typer.echo(result.to_markdown())
    if report is not None:
        if kind == "html":
            result.to_html(report)
        elif kind == "markdown":
            from gan_augment.evaluation.report import _write_text

            _write_text(report, result.to_markdown())
        else:
            result.to_json(report)
        _say(f"Wrote the report to {report}.")


def _method(method, plan) -> str:
    from gan_augment.evaluation.report import method_names

    return method_names(plan)[method]
