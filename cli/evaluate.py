"""``gan-augment evaluate DATA``: does topping up with a GAN make a classifier better, with what
uncertainty? Cross-validates no top-up, baselines and the GAN top-up (fitted inside training folds
only) and prints the verdict and tables; ``--report`` writes HTML, Markdown or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (DATA, INTERRUPTED, USAGE, BatchOpt, CategoricalOpt, CLIError, DataArg, DebugOpt, DeviceOpt,
                      EpochsOpt, Estimator, InEveryClassOpt,
                      MaxCategoriesOpt, Metric, NaValuesOpt, QuietOpt, SepOpt, SkipUnreadableOpt, TargetOpt,
                      ThreadsOpt, check_device,
                      check_processes, check_sep, check_threads, classes_opt, errors, estimator_opt, force_opt, metric_opt,
                      n_jobs_opt, no_space_named, require_stdout,
                      say, seed_opt, set_flags, show, state, writing)
from ._job import check_categorical, refuse_table_options


REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json"}


def evaluate(
    data: DataArg,
    classes: Annotated[Optional[list[str]], classes_opt(
        help="Class(es) to top up to the majority count in each training fold; repeat the option or separate "
             "names with commas. Default: every class but the majority.")] = None,
    target: TargetOpt = None,
    na_values: NaValuesOpt = None,
    sep: SepOpt = None,
    skip_unreadable: SkipUnreadableOpt = False,
    estimator: Annotated[Estimator, estimator_opt()] = Estimator.logreg,
    metric: Annotated[Metric, metric_opt(
        help="The primary metric, fixed before the run: the verdict decides on it alone (Holm-corrected "
             "across methods); the others are supporting evidence. pr_auc: binary targets only.")
    ] = Metric.macro_f1,
    cv: Annotated[int, typer.Option("--cv", min=2, metavar="K", help="Folds of stratified cross-validation.")] = 5,
    repeats: Annotated[int, typer.Option("--repeats", min=1, metavar="R",
                                         help="Repetitions of the K-fold cross-validation.")] = 3,
    baselines: Annotated[Optional[list[str]], typer.Option(
        "--baseline", metavar="NAME", show_default=False,
        help="Baselines to compare with: none, random, smote, class_weight, classic (images: the rare images "
             "repeated under classic augmentation) (repeatable or comma-separated). Default: none, random, smote, "
             "class_weight where the classifier takes it, and classic for an image folder (with albumentations "
             "installed).")] = None,
    report: Annotated[Optional[Path], typer.Option(
        "--report", "-r", metavar="FILE", show_default=False,
        help="Write the report to FILE: .html (self-contained, with plots), .md or .json.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout instead of "
                                                          "Markdown.")] = False,
    model: Annotated[Optional[Path], typer.Option(
        "--model", "-m", metavar="MODEL_DIR", show_default=False,
        help="Fit the GAN of each training fold with the settings of this model (written by `gan-augment fit`). "
             "Its weights are not reused: they were fitted on every row, the test folds' included.")] = None,
    epochs: EpochsOpt = None,
    batch_size: BatchOpt = None,
    categorical: CategoricalOpt = None,
    max_categories: MaxCategoriesOpt = None,
    in_every_class: InEveryClassOpt = False,
    n_jobs: Annotated[Optional[int], n_jobs_opt(help="Folds to run in parallel (-1: all cores).")] = None,
    seed: Annotated[Optional[int], seed_opt(
        help="Random seed: the same seed gives the same folds, models and report on CPU.")] = None,
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = "auto",
    force: Annotated[bool, force_opt(help="Replace the report file if it exists.")] = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Cross-validate a classifier on DATA without augmentation, with baselines and with a GAN top-up.

    Every augmenter is fitted inside each training fold only; test folds stay real.
    Prints the verdict and tables (Markdown, or JSON with --json); --report writes HTML, .md or .json.
    """
    set_flags(quiet, debug)
    check_processes("evaluate")
    if report is None:
        require_stdout("give --report FILE to keep the report")
    report_format = _check_report(report, force)
    names = None
    if baselines:
        names = [part.strip() for value in baselines for part in value.split(",") if part.strip()]
        if not names:
            raise CLIError(f"--baseline {' '.join(map(repr, baselines))} names no baseline; name them (e.g. --baseline "
                           "none,smote), or leave the option out for the default ones.", USAGE)
    from ._handlers import for_path

    handler = for_path(data)
    refuse_table_options(data, handler, {"--categorical": bool(categorical),
                                         "--max-categories": max_categories is not None})
    # The library's refusal would advise image_shape=, which this command has no option for.
    for option, given, instead in (("--estimator cnn", estimator == Estimator.cnn, "choose logreg, hgb or rf"),
                                   ("--baseline classic", "classic" in (names or ()), "drop it")):
        if given and handler.kind_name != "image":
            raise CLIError(f"{option} is for image folders; {data} is a table: {instead}.", USAGE)
    if report is not None and handler.kind_name == "image":  # the input folder is never written to
        from gan_augment.data.image_folder import check_outside_source
        from gan_augment.exceptions import DataValidationError

        with errors(USAGE, DataValidationError):
            check_outside_source(report, data, what="--report")
    if report is not None and model is not None:
        from ._model_dir import check_outside_model

        check_outside_model(report, model, option="--report")
    from gan_augment.augmenter import GANAugmenter
    from gan_augment.evaluation import plan_evaluation, run_evaluation

    settings = {"epochs": epochs, "batch_size": batch_size, "max_categories": max_categories}
    augmenter_class: type = GANAugmenter
    notes: list[str] = []
    dataset_info: dict = {}  # the record of --model's data, if given
    if in_every_class and model is not None:
        raise CLIError(f"--in-every-class places the GAN's rows of a new fit; {model} keeps its own placement (fit it "
                       "with --in-every-class). Drop one of them.", USAGE)
    from gan_augment.planner import InEveryClass

    if in_every_class:  # the baselines top up what the plan names; the GAN's rows go in every class
        settings["sampling_strategy"] = InEveryClass()
    if model is not None:  # the saved model's class (a translator for a `fit --method translate` model)
        augmenter_class, settings, dataset_info, notes = _model_settings(
            model, [f"--{k.replace('_', '-')}" for k, v in settings.items() if v is not None]
            + (["--categorical"] if categorical else []), handler, data, own_plan=classes is None)
        from ._model_dir import fitted_na_values

        na_values = fitted_na_values(dataset_info, data, na_values, model)
    from ._model_dir import load_with_model_target

    dataset = load_with_model_target(handler, data, target, model, dataset_info,
                                     classes=classes, na_values=na_values, sep=check_sep(sep),
                                     skip_unreadable=skip_unreadable)
    from gan_augment.exceptions import DataValidationError

    if categorical:
        settings["categorical_features"] = check_categorical(dataset, categorical, data)
    named = settings.get("categorical_features") if model is not None else None
    absent = [name for name in named or () if isinstance(name, str) and name not in dataset.X.columns]
    if absent:  # the augmenter's own words named categorical_features and X, which the command line has not
        raise CLIError(f"{model} was fitted with --categorical {absent[0]!r}, which is not a column of {data}; give "
                       "DATA that column, or drop --model and give the settings (and --categorical) yourself.", USAGE)
    if len(set(dataset.y)) < 2:  # named as fit names it (plan_evaluation's own words say "y")
        raise CLIError(f"{dataset.single_class} ({show(dataset.y[0])}); there is nothing to compare."
                       + dataset.not_read, DATA)
    if model is not None or classes is not None:
        _check_adds_rows(dataset, model if classes is None else None, settings)
    device = check_device(device)
    for note in notes:
        say(note)
    X, kind_params = handler.evaluation_data(dataset)
    # No random_state of its own: each fold's model is seeded from the evaluation's seed, so that
    # --seed N gives the report that a run printing "random_state=N" gave (with the seed here too,
    # every fold's GAN had the same seed, and the printed seed did not reproduce the report).
    augmenter = augmenter_class(**{**{"epochs": "auto", "batch_size": "auto"},
                                **{k: v for k, v in settings.items() if v is not None}, **kind_params,
                                "random_state": None, "device": device, "n_threads": check_threads(threads)})
    options = {} if names is None else {"baselines": names}
    # The data's own faults (a class of fewer rows than folds) are DATA's, as in fit; the rest usage.
    with errors(USAGE, ValueError, TypeError), errors(DATA, DataValidationError):
        plan = plan_evaluation(X, dataset.y, augmenter, estimator=str(estimator), classes=dataset.labels,
                               cv=cv, repeats=repeats, n_jobs=n_jobs, random_state=seed, metric=str(metric),
                               progress=not state.quiet,
                               **options)
    say(dataset.summary)
    say(f"Cross-validating {len(plan.splits)} folds ({cv}-fold x {repeats}): "
        f"{', '.join(_method(m, plan) for m in plan.methods)}; topping up "
        f"{', '.join(show(c) for c in plan.targets)}"
        + (" (the GAN's rows in every class)." if isinstance(augmenter.sampling_strategy, InEveryClass) else "."))
    try:
        # A fold's own refusal (e.g. a translator's label gate keeps too few of a class) is an answer
        # about the data, said in one line as augment and sample say it.
        with errors(DATA, ValueError):
            result = run_evaluation(plan)
    except KeyboardInterrupt:
        raise CLIError("Interrupted during evaluation; nothing was written.", INTERRUPTED) from None
    if report is not None:  # first: the file asked for is written whatever becomes of stdout
        with writing(report, "the report", "--report"):
            _write_report(result, report, report_format, force)
    advice = "write it to a file (--report FILE)" if report is None else f"read it in {report}"
    with no_space_named("the report", "stdout", advice):
        typer.echo(result.to_json() if json_out else result.to_markdown())
    if report is not None:
        say(f"Wrote the report to {report}.")


def _check_adds_rows(dataset, model_dir: Optional[Path], settings: dict) -> None:
    """The classes named by --classes, else by the model of ``model_dir`` (its own plan), must get
    rows in DATA: a top-up that adds nothing would compare a model with itself (the library's
    refusal named ``augmenter.classes``, after its warning had said the same)."""
    import warnings

    from gan_augment import planner
    from gan_augment.exceptions import NothingToAddWarning

    from ._model_dir import model_plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NothingToAddWarning)  # said once, below, as the error it is
        if model_dir is not None:
            plan = model_plan(model_dir, dataset.y, settings.get("sampling_strategy", "auto"), settings.get("classes"))
        else:
            with errors(USAGE, ValueError):
                plan = planner.plan_top_up(dataset.y, classes=dataset.labels)
    if not any(n > 0 for n in plan.values()):
        named = list(plan) if model_dir is None else settings.get("classes") or list(plan)
        whose = "--classes names" if model_dir is None else f"{model_dir} tops up"
        raise CLIError(f"{whose} {', '.join(show(c) for c in named)}, which DATA holds at the majority count already: "
                       "the top-up adds nothing to evaluate. Name a rarer class with --classes.", USAGE)


def _model_settings(model_dir: Path, given: list[str], handler, data: Path, *,
                    own_plan: bool) -> tuple[type, dict, dict, list[str]]:
    """The class and settings of a saved model, for the model of each fold (its weights saw the
    test folds); with ``own_plan`` (no --classes), the classes it tops up too, as `info` shows them.
    Also the model's dataset record and the notes to say of them once DATA is read."""
    if given:
        raise CLIError(f"{', '.join(given)} and --model both set the GAN's settings; drop one.", USAGE)
    from gan_augment.exceptions import ModelFileError

    from ._model_dir import check_model_kind, load_model

    with errors(DATA, ModelFileError):
        augmenter, dataset_info = load_model(model_dir)
    check_model_kind(augmenter, handler, model_dir, data)
    params = augmenter.get_params(deep=False)
    notes: list[str] = []
    # The seed and the machine are this command's own options; the classes to top up too when
    # --classes names them. min_class_size guarded the whole data: a training fold holds fewer rows
    # of each class, and a fold's refusal advised lowering an option evaluate does not have.
    for key in ("random_state", "device", "n_threads", "verbose", "callbacks", "checkpoint_dir", "min_class_size") \
            + (() if own_plan else ("sampling_strategy", "classes")):
        params.pop(key, None)
    from gan_augment.planner import InEveryClass

    if not own_plan and isinstance(augmenter.sampling_strategy, InEveryClass):
        params["sampling_strategy"] = InEveryClass()  # the classes --classes names, placed as the model places them
    if own_plan and isinstance(params.get("sampling_strategy"), dict) and params.get("classes") is None:
        # Counts of rows wanted, made for the whole data: in a fold of half the rows they topped up
        # past the fold's majority, and classes the model left alone. The classes it topped up are
        # topped up in each fold to that fold's majority, as --classes does.
        params["classes"] = [label for label, n in augmenter.sampling_strategy_.items() if n > 0]
        params["sampling_strategy"] = "auto"
        notes.append(f"{model_dir} was fitted with counts of rows (sampling_strategy) for the whole data; each fold "
                     f"tops up its classes {', '.join(show(c) for c in params['classes'])} to the fold's majority "
                     "instead.")
    notes.append(f"Each fold's {augmenter._model_name} is fitted with the settings of {model_dir} (epochs "
                 f"{params['epochs']}, loss {augmenter.training_config_.loss}); its weights saw every row, so they "
                 "are not scored.")
    return type(augmenter), params, dataset_info, notes


def _check_report(report: Optional[Path], force: bool) -> Optional[str]:
    """The report's format from its suffix; a report that may not be written is refused before any work."""
    if report is None:
        return None
    report_format = REPORT_FORMATS.get(report.suffix.lower())
    if report_format is None and report.name.lower() in REPORT_FORMATS:  # ".html": a hidden name, no suffix
        raise CLIError(f"--report {report} names a file without a name before its suffix; give one, e.g. "
                       f"--report {report.with_name('report' + report.name)}.", USAGE)
    if report_format is None and str(report) == "-":
        raise CLIError("--report -: a report is written to a file (.html, .md, .json); the Markdown report goes to "
                       "standard output by itself, and --json sends JSON there instead.", USAGE)
    if report_format is None:
        suffix = f"the suffix {report.suffix!r}" if report.suffix else "no suffix"
        raise CLIError(f"--report {report} has {suffix}; give one of {', '.join(REPORT_FORMATS)}.", USAGE)
    from gan_augment._fs import check_parent_writable, refuse_linked_file
    from gan_augment.exceptions import DataValidationError

    # An unwritable folder is found now, not after the folds; first, as a name beyond the file
    # system's limit makes is_dir() and exists() raise the OS's own "File name too long".
    with errors(USAGE, DataValidationError):
        check_parent_writable(report)
    if report.is_dir():
        raise CLIError(f"--report {report} is a directory; give a file name.", USAGE)
    with errors(USAGE, FileExistsError):
        refuse_linked_file(report)
    if report.exists() and not force:
        raise CLIError(f"{report} already exists; pass --force to replace it.", USAGE)
    return report_format


def _write_report(result, report: Path, report_format: Optional[str], force: bool) -> None:
    writer = {"html": result.to_html, "markdown": result.to_markdown}.get(report_format or "json", result.to_json)
    with errors(USAGE, FileExistsError):  # written meanwhile by another run
        writer(report, force=force)


def _method(method, plan) -> str:
    from gan_augment.evaluation.report import method_names

    return method_names(plan)[method]
