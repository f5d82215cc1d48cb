"""``gan-augment augment DATA``: fit, then write DATA with synthetic samples topping up the chosen
classes (a table with the synthetic rows appended, or a new image tree).

``--auto`` (tables): let :class:`gan_augment.AutoAugmenter` choose the top-up -- none, random
oversampling, SMOTE or the GAN, and how much -- by inner cross-validation with the downstream
``--estimator`` and ``--metric``, then write what the winner added."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (DATA, INTERRUPTED, USAGE, Architecture, ArchitectureOpt, BatchOpt, CategoricalOpt, ClassesOpt,
                      CLIError, DataArg, DebugOpt, DeviceOpt, EarlyStoppingOpt, InEveryClassOpt,
                      EpochsOpt, Estimator, ForceOpt, GeneratorsOpt, LabelGateOpt, LossOpt, MaxCategoriesOpt, Method,
                      MethodOpt, Metric, MinClassSizeOpt, NaValuesOpt, NoRoundingOpt, NoRulesOpt,
                      Precision, PrecisionOpt, QuietOpt, SeedOpt, SkipUnreadableOpt, TargetOpt, ThreadsOpt,
                      WrittenSepOpt, check_processes, check_sep, check_threads, errors, estimator_opt,
                      metric_opt, n_jobs_opt, say, set_flags, show, writing)
from ._data import added_text
from ._job import Job, Settings, prepare, refuse_single_class, train

#: ``--metric`` as scikit-learn scorer names, for ``--auto`` (pr_auc: a scorer made for the data, see _scorer).
SCORERS = {Metric.macro_f1: "f1_macro", Metric.balanced_accuracy: "balanced_accuracy", Metric.accuracy: "accuracy"}


def augment(
    ctx: typer.Context,
    data: DataArg,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE|DIR", show_default=False,
        help="Tables: output .csv, .tsv or .parquet file ('-' writes CSV to stdout). Image folders: a NEW "
             "directory for the real images plus synthetic_*.png files.")],
    classes: ClassesOpt = None,
    target: TargetOpt = None,
    model: Annotated[Optional[Path], typer.Option(
        "--model", "-m", metavar="MODEL_DIR", show_default=False,
        help="Draw the synthetic samples from this model (written by `gan-augment fit`) instead of fitting one: "
             "DATA must have the model's columns (image size) and classes. It tops up the classes the model was "
             "fitted for unless --classes names others; --seed then seeds the draws.")] = None,
    mark_synthetic: Annotated[Optional[str], typer.Option(
        "--mark-synthetic", metavar="COLUMN", show_default=False,
        help="Tables: add a boolean column of this name, true on synthetic rows.")] = None,
    auto: Annotated[bool, typer.Option(
        "--auto", help="Tables: choose the top-up -- none, random oversampling, SMOTE or the GAN, and how much -- by "
                       "inner cross-validation scored with --estimator and --metric, and write what the winner "
                       "adds.")] = False,
    estimator: Annotated[Optional[Estimator], estimator_opt(
        help="With --auto: the downstream classifier the candidates are scored with (logistic regression, "
             "HistGradientBoosting or a random forest; not cnn). Default: logreg.")] = None,
    metric: Annotated[Optional[Metric], metric_opt(
        help="With --auto: the score that picks the winner (macro_f1, balanced_accuracy, accuracy, or pr_auc: "
             "the rarer class's average precision, binary targets only). Default: macro_f1.")] = None,
    n_jobs: Annotated[Optional[int], n_jobs_opt(
        help="With --auto: inner folds to score at once, each in a process of its own (-1: all cores). Give "
             "--threads 1 too for the same result whatever N.")] = None,
    epochs: EpochsOpt = None,
    batch_size: BatchOpt = None,
    loss: LossOpt = None,
    seed: SeedOpt = None,
    device: DeviceOpt = "auto",
    precision: PrecisionOpt = Precision("float32"),
    generators: GeneratorsOpt = None,
    label_gate: LabelGateOpt = None,
    method: MethodOpt = Method.gan,
    architecture: ArchitectureOpt = Architecture("auto"),
    threads: ThreadsOpt = "auto",
    na_values: NaValuesOpt = None,
    sep: WrittenSepOpt = None,
    categorical: CategoricalOpt = None,
    max_categories: MaxCategoriesOpt = None,
    min_class_size: MinClassSizeOpt = None,
    no_rounding: NoRoundingOpt = False,
    no_rules: NoRulesOpt = False,
    early_stopping: EarlyStoppingOpt = False,
    in_every_class: InEveryClassOpt = False,
    skip_unreadable: SkipUnreadableOpt = False,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Fit on DATA and write it with synthetic samples topping up the chosen classes.

    Tables: the rows followed by synthetic rows. Image folders: a new tree in --out holding copies
    of the real images and synthetic_*.png files; DATA itself is never touched.
    With --auto (tables), the top-up is the one inner cross-validation found best, which may be none."""
    set_flags(quiet, debug)
    # --auto and --model run in one process; a plain augment trains data-parallel under torchrun.
    writes = check_processes("augment --auto" if auto else "augment --model" if model is not None else "augment",
                             data_parallel=not auto and model is None)
    from ._handlers import for_path

    auto_metric = _check_auto_args(auto, estimator, metric, n_jobs)
    if auto and in_every_class:
        raise CLIError("--in-every-class places the GAN's samples; --auto chooses the top-up itself (which may be no "
                       "GAN at all). Drop one of them.", USAGE)
    handler = for_path(data)
    if auto:
        handler.refuse_auto(data)
    handler.check_augment_args(data, out, force=force, target=target, mark_synthetic=mark_synthetic)
    if model is not None:
        # Options that shape a fit: the saved model was fitted already, its encoder set as it was told.
        training = {"--auto": auto, "--epochs": epochs, "--batch-size": batch_size, "--loss": loss,
                    "--categorical": categorical, "--max-categories": max_categories,
                    "--min-class-size": min_class_size, "--no-rounding": no_rounding, "--no-rules": no_rules,
                    "--early-stopping": early_stopping,
                    "--in-every-class": in_every_class,
                    "--generators": generators, "--label-gate/--no-label-gate": label_gate is not None,
                    # Given at all, even at their defaults: `--method gan` drew a translator's images.
                    **{f"--{name}": _given(ctx, name) for name in ("precision", "method", "architecture")},
                    # As for `sample`: the saved model draws with the device and threads it was saved with.
                    "--device": _given(ctx, "device"), "--threads": _given(ctx, "threads")}
        _augment_from_model(model, data, handler, out, target=target, classes=classes, force=force,
                            mark_synthetic=mark_synthetic, seed=seed, na_values=na_values, sep=check_sep(sep),
                            skip_unreadable=skip_unreadable, refused=[k for k, v in training.items() if v])
        return
    # Progress goes to stderr, as the other status lines do: a table written to stdout stays clean.
    job = prepare(data, handler, target=target, classes=classes,
                  settings=Settings(epochs=epochs, batch_size=batch_size, loss=loss, seed=seed, device=device,
                                    threads=check_threads(threads), precision=str(precision),
                                    n_generators=generators, label_gate=label_gate, method=method,
                                    architecture=str(architecture),
                                    skip_unreadable=skip_unreadable, na_values=na_values, sep=check_sep(sep),
                                    categorical=categorical, max_categories=max_categories,
                                    min_class_size=min_class_size,
                                    round_to_observed=not no_rounding, detect_rules=not no_rules,
                                    early_stopping=early_stopping, in_every_class=in_every_class))
    handler.check_augment_job(data, job.dataset, out, mark_synthetic)
    if not job.added_labels():  # every class named is at the majority count: a fit would add nothing
        # (--auto's candidates would all add nothing, tied after minutes of cross-validation)
        say(f"Nothing to add, so {'no top-up is chosen' if auto_metric is not None else 'no GAN is fitted'}; "
            "DATA is written as it is.")
        augmenter, seconds = None, None
    elif auto_metric is not None:  # --auto
        X_new, y_new, seconds = _auto_resample(job, str(estimator or Estimator.logreg), auto_metric, seed, n_jobs)
        with writing(out, "the augmented data"):
            handler.write_resampled(job.dataset, X_new, y_new, out, force=force, mark_synthetic=mark_synthetic,
                                    seconds=seconds, round_numbers=not no_rounding)
        return
    else:
        augmenter, seconds = job.augmenter, train(job, top_up=True)
    if not writes:  # another process of a torchrun job; rank 0 writes
        return
    # The model's own refusals (a class its label gate refuses) are answers, said as one line.
    with writing(out, "the augmented data"), errors(DATA, ValueError):
        handler.write_augmented(job.dataset, augmenter, out, force=force, mark_synthetic=mark_synthetic,
                                seconds=seconds)


def _augment_from_model(model_dir: Path, data: Path, handler, out: Path, *, target: Optional[str],
                        classes: Optional[list[str]], force: bool, mark_synthetic: Optional[str], seed: Optional[int],
                        na_values, sep, skip_unreadable: bool, refused: list[str]) -> None:
    """``augment --model``: top DATA up with samples of a saved model; every check before any sampling."""
    if refused:
        raise CLIError(f"{', '.join(refused)} appl{'y' if len(refused) > 1 else 'ies'} to fitting a model; with --model "
                       f"the samples come from {model_dir}. Drop {'them' if len(refused) > 1 else 'it'}, or --model.",
                       USAGE)
    from gan_augment import planner
    from gan_augment.exceptions import ModelFileError

    from ._model_dir import (check_model_kind, check_outside_model, fitted_by_command_line, fitted_na_values,
                             load_model, load_with_model_target, model_plan)

    with errors(DATA, ModelFileError):
        augmenter, dataset_info = load_model(model_dir)
    check_model_kind(augmenter, handler, model_dir, data)
    check_outside_model(out, model_dir)
    na_values = fitted_na_values(dataset_info, data, na_values, model_dir)
    dataset = load_with_model_target(handler, data, target, model_dir, dataset_info, classes=classes,
                                     skip_unreadable=skip_unreadable, na_values=na_values, sep=sep)
    handler.check_augment_job(data, dataset, out, mark_synthetic)
    _check_model_fits(augmenter, dataset, data, model_dir, from_folder=fitted_by_command_line(dataset_info),
                      na_values=na_values)
    refuse_single_class(dataset)  # the model's plan refused it in scikit-learn's words, with a useless hint
    if classes is not None:  # the classes named, placed as the model places its rows
        placed = isinstance(augmenter.sampling_strategy, planner.InEveryClass)
        with errors(USAGE, ValueError):
            plan = planner.plan_top_up(dataset.y, planner.InEveryClass(classes=dataset.labels) if placed else "auto",
                                       None if placed else dataset.labels)
    else:  # the model's own top-up, as `info` shows it (fit --classes need not be repeated)
        plan = model_plan(model_dir, dataset.y, augmenter.sampling_strategy, augmenter.classes, draws_from_model=True)
    # The model's spelling of each class draws its samples; DATA's is written (1.0 in DATA for the
    # model's 1, or another Unicode form of a name, wrote one class as two).
    data_labels, model_plan = {}, {}
    for label, n in plan.items():
        model_label = _model_label(label, augmenter)
        first = data_labels.setdefault(model_label, label)
        if first != label:  # '1' and '1.0' both the model's 1: one plan, one spelling, would win
            raise CLIError(f"DATA's classes {show(first)} and {show(label)} are both {model_dir}'s class "
                           f"{show(model_label)}; give each class one spelling in DATA, or fit a model on DATA.",
                           USAGE)
        model_plan[model_label] = n
    plan = model_plan
    unknown = [label for label, n in plan.items() if n > 0 and label not in augmenter.class_counts_]
    if unknown:
        # Other --classes help only where DATA holds a class the model knows.
        shared = any(_model_label(label, augmenter) in augmenter.class_counts_ for label in set(dataset.y.tolist()))
        fix = ("fit a model on DATA, or name other --classes" if shared
               else "fit a model on DATA: none of its classes is one of the model's")
        raise CLIError(f"{model_dir} has no class {show(unknown[0])} (it was fitted on "
                       f"{', '.join(show(c) for c in augmenter.classes_)}); {fix}.", USAGE)
    augmenter.sampling_strategy_ = plan  # what DATA needs, drawn from the saved generator
    if seed is not None:
        from gan_augment._random import spawn_seeds

        augmenter.sample_seed_ = spawn_seeds(seed, 1)[0]  # as `sample --seed` seeds its draws
    say(dataset.summary)
    say(f"Top-up plan from {model_dir}: " + (added_text({k: v for k, v in plan.items() if v > 0}) or "nothing to add"))
    with writing(out, "the augmented data"), errors(DATA, ValueError):
        handler.write_augmented(dataset, augmenter, out, force=force, mark_synthetic=mark_synthetic, seconds=None,
                                data_labels=data_labels)


def _model_label(label, augmenter):
    """The model's class that DATA's ``label`` names: a folder's class ``'1'`` is the label ``1`` of a
    model fitted in Python on integer labels, as ``sample --class 1`` takes it; ``label`` itself
    when the model has no such class."""
    from gan_augment._classes import resolve_class

    try:
        return resolve_class(label, list(augmenter.classes_))
    except ValueError:
        return label


def _check_model_fits(augmenter, dataset, data: Path, model_dir: Path, *, from_folder: bool, na_values=None) -> None:
    """DATA's features must be the model's: the same columns in the same order (tables), the same
    size and channels, and, for a model fitted in Python (not ``from_folder``), pixels on the same
    scale (images)."""
    import numpy as np

    from gan_augment.data.tabular import column_difference

    if hasattr(dataset.X, "columns"):  # a table
        names = getattr(augmenter, "feature_names_in_", None)
        have = [str(c) for c in dataset.X.columns]
        if names is None:  # fitted in Python on an array (or on columns named by numbers): by position
            if len(have) != augmenter.n_features_in_:
                raise CLIError(f"{data} has {len(have)} feature columns but {model_dir} was fitted on "
                               f"{augmenter.n_features_in_} (without column names, so they are matched by "
                               "position); give DATA the model's columns, or fit a model on DATA.", USAGE)
        elif (detail := column_difference([str(c) for c in names], have)) is not None:
            target = dataset.info.get("target")
            if target is not None and str(target) in map(str, names):
                # (it said DATA "lacks" a column DATA has: --target had taken it)
                raise CLIError(f"--target {show(target)} is one of the feature columns {model_dir} was fitted on; "
                               "leave out --target, or name the column of DATA that holds the classes.", USAGE)
            raise CLIError(f"{data} does not have the columns {model_dir} was fitted on: {detail}; give DATA the "
                           "model's columns, in its order, or fit a model on DATA.", USAGE)
        try:
            augmenter.encoder_.check_like_fitted(dataset.X, source=str(data), na_values=na_values or ())
        except ValueError as exc:
            raise CLIError(str(exc), USAGE) from None
    else:
        # Image folders are read as (N, H, W, C); the model knows the (C, H, W) it was fitted on.
        from gan_augment.data.image_folder import CHANNEL_KINDS as kinds

        height, width, channels = np.shape(dataset.X)[1:]
        want_c, want_h, want_w = (int(v) for v in augmenter.encoder_.image_shape_)
        if channels != want_c:
            raise CLIError(f"The images of {data} are {kinds.get(channels, channels)} but {model_dir} was fitted on "
                           f"{kinds.get(want_c, want_c)} images; fit a model on DATA.", USAGE)
        if (height, width) != (want_h, want_w):
            # Height x width, as fit's summary and info give sizes.
            raise CLIError(f"The images of {data} are {height}x{width} px but {model_dir} was fitted on "
                           f"{want_h}x{want_w} px images; fit a model on DATA.", USAGE)
        if not from_folder:
            _check_pixel_scale(dataset.X, augmenter.encoder_, data, model_dir)


#: A uint8 model whose largest value is under this share of the folder's makes no 8-bit pixels.
_PIXEL_SHARE = 0.1


def _check_pixel_scale(pixels, codec, data: Path, model_dir: Path) -> None:
    """Refuse a model fitted in Python on uint8 values that are no 8-bit pixels (0/1 masks, digits
    of 0..16): its values are written as they are, beside the folder's 8-bit pixels (0/1 masks came
    out black). A model fitted on a folder makes 8-bit pixels whatever its range (a dark folder's);
    other dtypes' range is mapped onto 0..255 when written."""
    import numpy as np

    fitted = getattr(codec, "value_range_", None)
    if fitted is None or np.dtype(codec.dtype_) != np.uint8 or not np.size(pixels):
        return
    brightest = float(np.max(pixels))
    if fitted[1] < _PIXEL_SHARE * brightest:
        raise CLIError(f"{model_dir} was fitted on uint8 values of at most {fitted[1]:g}, which it writes as they "
                       f"are, but the images of {data} are 8-bit pixels of up to {brightest:g}: real and synthetic "
                       "images would be on two scales. Fit a model on DATA (or, in Python, on images scaled to "
                       "0..255).", USAGE)


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` was given on the command line (or in the environment), at any value.
    By the source's name: typer's click is vendored, its ParameterSource not public."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def _check_auto_args(auto: bool, estimator: Optional[Estimator], metric: Optional[Metric],
                     n_jobs: Optional[int]) -> Optional[Metric]:
    """The --metric of --auto (None without --auto); options that apply only with --auto are
    refused without it."""
    if not auto:
        given = [name for name, value in (("--estimator", estimator), ("--metric", metric), ("--n-jobs", n_jobs))
                 if value is not None]
        if given:
            raise CLIError(f"{', '.join(given)} appl{'y' if len(given) > 1 else 'ies'} with --auto only (the "
                           f"cross-validation that chooses the top-up); add --auto, or drop "
                           f"{'them' if len(given) > 1 else 'it'}.", USAGE)
        return None
    if n_jobs == 0:
        raise CLIError("--n-jobs is the number of inner folds to score at once: 1, 2, ... or -1 for every core; "
                       "got 0.", USAGE)
    if estimator == Estimator.cnn:
        raise CLIError("--estimator cnn classifies images, and --auto chooses among table samplers; choose logreg, "
                       "hgb or rf.", USAGE)
    return metric or Metric.macro_f1


def _scorer(metric: Metric, job: Job):
    """The scikit-learn scorer of ``metric`` on the job's data. PR-AUC is the average precision of
    one class against the other, as the evaluator measures it: the class topped up, else the rarer."""
    if metric != Metric.pr_auc:
        return SCORERS[metric]
    from sklearn.metrics import average_precision_score, make_scorer

    from gan_augment.evaluation.plan import positive_class

    counts = job.dataset.y.value_counts(sort=False).to_dict()
    if len(counts) != 2:
        raise CLIError(f"--metric pr_auc scores one class against the other: binary targets only, and {job.data} has "
                       f"{len(counts)} classes. Choose macro_f1, balanced_accuracy or accuracy.", USAGE)
    positive = positive_class(list(job.dataset.labels or []), counts)
    return make_scorer(average_precision_score, response_method=("decision_function", "predict_proba"),
                       pos_label=positive)


def _auto_resample(job: Job, estimator: str, metric: Metric, seed: Optional[int], n_jobs: Optional[int]):
    """Run AutoAugmenter on the job's table: ``(added rows, their labels, seconds)``; says what it chose."""
    import numpy as np

    from gan_augment import AutoAugmenter
    from gan_augment.auto import n_inner_folds
    from gan_augment.exceptions import NothingToAddWarning, SmallClassWarning

    X, y = job.dataset.X, job.dataset.y
    single = [label for label, n in y.value_counts(sort=False).items() if n < 2]
    if single:  # AutoAugmenter refuses them too, without naming them
        raise CLIError(f"Class{'es' if len(single) > 1 else ''} {', '.join(show(c) for c in single)} of {job.data} "
                       f"ha{'ve' if len(single) > 1 else 's'} a single row: --auto cross-validates inside the data and "
                       "needs at least 2 rows of every class. Drop --auto, or the class.", DATA)
    # The job's GANAugmenter carries --classes, --epochs, --batch-size, --loss and --device;
    # AutoAugmenter clones it for each inner fold (and once more if the GAN wins). No seed of its own:
    # AutoAugmenter seeds each inner fold's GAN from its random_state, as `AutoAugmenter(random_state=
    # SEED)` does (with --seed here too, every fold's GAN trained from the one seed).
    scoring = _scorer(metric, job)
    auto = AutoAugmenter(classes=job.dataset.labels, estimator=estimator, scoring=scoring,
                         augmenter=job.augmenter.set_params(random_state=None), n_jobs=n_jobs, random_state=seed)
    amounts = ", ".join(f"{a:.0%}" for a in auto.amounts)
    say(f"Choosing the top-up by inner {n_inner_folds(auto.cv, y)}-fold cross-validation ({estimator}, {metric}): "
        "no top-up, or "
        f"{', '.join(METHOD_NAMES[m] for m in auto.methods)} at {amounts} of the plan.")
    started = time.perf_counter()
    try:
        # A ValueError here is about the data (e.g. a class of one row cannot be cross-validated).
        with errors(DATA, ValueError), warnings.catch_warnings():
            # What prepare said of the whole table (a class at the majority count, a tiny class),
            # AutoAugmenter's own plan said again; its inner folds' say so ("(in 1 of 3 inner folds)").
            for said in (SmallClassWarning, NothingToAddWarning):
                warnings.filterwarnings("ignore", message=r"(?s)(?!.*\(in \d+ of \d+ inner folds\)$)", category=said)
            X_res, y_res = auto.fit_resample(X, y)
    except KeyboardInterrupt:
        raise CLIError("Interrupted while choosing the top-up; nothing was written.", INTERRUPTED) from None
    seconds = time.perf_counter() - started
    _say_choice(auto, metric)
    n = len(X)
    return X_res.iloc[n:], np.asarray(y_res)[n:], seconds


METHOD_NAMES = {"none": "no top-up", "random": "random oversampling", "smote": "SMOTE", "gan": "the GAN"}


def _say_choice(auto, metric: Metric) -> None:
    results = auto.cv_results_
    say(f"Inner scores ({metric}, mean +- std over the folds):")
    chosen = auto.chosen_
    for params, mean, std, rank in zip(results["params"], results["mean_test_score"], results["std_test_score"],
                                       results["rank_test_score"]):
        amount = "" if params["method"] == "none" else f"{params['amount']:.0%}"
        mark = "  <- chosen" if params == chosen else "  (best mean)" if rank == 1 else ""
        say(f"  {params['method']:<7}{amount:>5}  {mean:.4f} +- {std:.4f}{mark}")
    rule = ("the simplest candidate within one standard error of the best mean" if auto.selection == "one_se"
            else "the best mean")
    added = ", ".join(f"{show(k)} +{v:,}" for k, v in auto.sampling_strategy_.items() if v > 0)
    if chosen["method"] == "none" or not added:
        say(f"Chose: no top-up ({rule}); the output holds the real rows only.")
    else:
        say(f"Chose: {METHOD_NAMES[chosen['method']]} at {chosen['amount']:.0%} of the top-up ({added}; {rule}).")
