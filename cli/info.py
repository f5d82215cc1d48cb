"""``gan-augment info MODEL_DIR``: what a saved model holds (classes, data, training, versions)."""

from __future__ import annotations

from pathlib import Path

import typer

from gan_augment._listing import display_width, padded

from ._common import (DebugOpt, ModelArg, QuietOpt, check_processes, escape, no_space_named, plain, require_stdout,
                      set_flags, show)


def info(
    model_dir: ModelArg,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Show what a saved model holds: classes, columns, training, versions."""
    set_flags(quiet, debug)
    check_processes("info")
    require_stdout("info prints what the model holds there")
    from ._model_dir import load_model
    from gan_augment.checkpoint import read_metadata

    augmenter, dataset_info = load_model(model_dir)
    versions = read_metadata(model_dir, kind="model").get("versions") or {}
    try:
        lines = _lines(model_dir, augmenter, dataset_info, versions)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        # A model.json edited by hand loads without its checksum (files written before there was
        # one), and some entries are first read here; with its checksum the fault is info's own.
        from gan_augment.exceptions import ModelFileError

        if _has_checksum(model_dir):
            raise

        detail = " ".join(str(exc).split())[:200]
        raise ModelFileError(
            f"{model_dir}/model.json holds an entry info cannot read ({type(exc).__name__}: {detail}); it is "
            "damaged or was edited: fit the model again."
        ) from exc
    # Column and class names and the source path come from the user's files: a crafted header must
    # not drive the terminal (ANSI escapes, carriage returns); its control characters print escaped.
    with no_space_named("the model's description", "stdout", "write it elsewhere"):
        for line in lines:
            typer.echo(escape(line))


def _has_checksum(model_dir) -> bool:
    import json

    try:
        return "header_sha256" in json.loads((Path(model_dir) / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def _lines(model_dir, augmenter, dataset_info: dict, versions) -> list[str]:
    from ._handlers import for_model

    handler, unit = for_model(augmenter), augmenter.kind_.unit
    lines = [f"Model directory: {model_dir}"]
    if "source" in dataset_info:  # fitted by the command line (a model saved from Python has no source)
        lines.append(f"Fitted on:       {dataset_info.get('source', '?')} ({_count(dataset_info)} {unit})"
                     + handler.fitted_on(dataset_info)
                     + (f", {dataset_info['created']}" if dataset_info.get("created") else ""))
    elif "target" in dataset_info:  # a table's target column, named by y in Python
        lines.append("Fitted on:       data given in Python" + handler.fitted_on(dataset_info))
    lines += ["", *_class_lines(augmenter, unit), "", *_diversity_lines(augmenter, unit), ""]
    lines += augmenter.kind_.describe(augmenter) + handler.info_lines(Path(model_dir))
    lines += _training_lines(augmenter)
    if isinstance(versions, dict) and versions:
        lines.append("Versions:  " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    return lines


def _count(dataset_info: dict) -> str:
    n = dataset_info.get("n_rows")
    return f"{n:,}" if isinstance(n, int) else "?"


def _class_lines(augmenter, unit: str) -> list[str]:
    width = max(12, *(display_width(show(c)) for c in augmenter.classes_))
    # The header as wide as the rows: a long class name shifted them under the wrong heading.
    lines = [f"{'Classes':<{width + 4}}real {unit:<6}    {unit} added by augment"]
    plan = _augment_plan(augmenter)
    refused = []
    for index, label in enumerate(augmenter.classes_):
        key = plain(label)
        count = augmenter.class_counts_.get(key, 0)
        add = plan.get(key)
        # What augment --model would find: a class the label gate refuses gets no rows.
        gate_refuses = bool(add) and _refused(augmenter, index)
        if gate_refuses:
            refused.append(show(key))
        shown = "refused by the label gate" if gate_refuses else ('+' + format(add, ',')) if add else '-'
        lines.append(f"  {padded(show(key), width)}  {count:>9,}    {shown:>8}")
    if refused and getattr(augmenter, "label_gate_", None) is None:
        lines.append("  (label_gate=True, but the model was fitted without the gate: augment --model and sample refuse "
                     "every class; fit it again with --label-gate, or in Python set_params(label_gate=False) and "
                     "save it)")
    elif refused:  # augment stops at the first class it cannot sample, before writing anything
        lines.append(f"  (augment --model adds nothing while the label gate refuses {', '.join(refused)}: see "
                     "\"Label gate\" below)")
    return lines


def _refused(augmenter, index: int) -> bool:
    try:
        return augmenter._gate_refuses(index)
    except ValueError:  # a label_gate set after the fit that no fit checked: the gate's own lines say so
        return False


def _augment_plan(augmenter) -> dict:
    """What ``augment --model`` adds to the data the model was fitted on: the plan of the model's
    saved ``sampling_strategy`` / ``classes`` (the last fit's plan differs where they were changed
    before saving, or where a callable strategy was saved as "auto"); the last fit's where they do
    not fit those counts."""
    import warnings

    import numpy as np

    from gan_augment import planner

    counts = [augmenter.class_counts_.get(plain(label), 0) for label in augmenter.classes_]
    try:
        with warnings.catch_warnings():  # a report: "nothing will be added to 'y'" is the fit's to say
            warnings.simplefilter("ignore")
            return planner.plan_top_up(np.repeat(augmenter.classes_, counts), augmenter.sampling_strategy,
                                       augmenter.classes)
    except (ValueError, TypeError):  # settings saved after set_params that no fit checked
        return augmenter.sampling_strategy_


def _diversity_lines(augmenter, unit: str) -> list[str]:
    from gan_augment.diversity import (DISTINCT_COLLAPSED, MIN_HALF, RELATIVE_COVERAGE_LOW, SAMPLES_PER_CLASS,
                                       SPREAD_COLLAPSED, shown_below)

    if not augmenter.diversity_:
        return ["Diversity: not measured (a model saved before the mode-collapse check)."]
    # The generators the model holds, not its n_generators parameter (set_params may have changed it).
    n_members = len(getattr(augmenter.generator_, "members", [augmenter.generator_]))
    ensemble = n_members > 1
    width = max(12, *(display_width(show(c)) for c in augmenter.diversity_))
    lines = [f"Diversity of {SAMPLES_PER_CLASS} synthetic {unit} per class against the real ones "
             f"(collapsed: spread < {SPREAD_COLLAPSED} or distinct < {DISTINCT_COLLAPSED}):",
             f"  {'class':<{width}}  distinct  spread  coverage  vs real" + ("  disagreement" if ensemble else "")]
    for label, d in augmenter.diversity_.items():
        flag = (f"  COLLAPSED: {d.distinct_synthetic} distinct {unit}"
                + (f", {d.collapsed_members} of {n_members} generators" if d.collapsed_members else "")
                if d.collapsed else "")
        between = f"  {d.disagreement:>12.2f}" if ensemble else ""
        lines.append(f"  {padded(show(label), width)}  {shown_below(d.distinct, DISTINCT_COLLAPSED):>8}  "
                     f"{shown_below(d.spread, SPREAD_COLLAPSED):>6}  {d.coverage:>8.2f}  "
                     f"{shown_below(d.relative_coverage, RELATIVE_COVERAGE_LOW):>7}{between}{flag}")
    lines.append("  (vs real: coverage of half the real class by as many synthetic samples, over its coverage by the "
                 f"other half; below 0.5 the samples miss much of the class; nan: fewer than {2 * MIN_HALF} real "
                 f"{unit}, too few halves to measure, or real {unit} all alike, nothing to compare with)")
    if ensemble:  # under its table: below the gate's lines it read as a note on the gate
        lines.append(f"  (an ensemble of {n_members} generators; disagreement 0: interchangeable "
                     "members, near 1: each covers its own region)")
    gate = getattr(augmenter, "label_gate_", None)
    if gate is not None:
        from gan_augment.label_gate import MIN_ACCEPTANCE, MIN_REAL_RECALL

        # One decimal: a refused class's 0.2% is not shown as the 0% that no refusal would say.
        shares = ", ".join(f"{show(label)} {rate:.1%}" for label, rate in zip(augmenter.classes_, gate.acceptance))
        # Classes it keeps too few synthetic samples of (those whose real ones it cannot tell: below).
        unserved = [show(label) for i, label in enumerate(augmenter.classes_) if gate.knows(i) and not gate.serves(i)]
        if augmenter.label_gate is False:
            how = " (switched off: label_gate=False)"
        elif unserved and isinstance(augmenter.label_gate, str):
            how = f" (a class under {MIN_ACCEPTANCE:.0%} is sampled without it)"
        elif unserved:
            how = f" (under {MIN_ACCEPTANCE:.0%}, sampling is refused: {', '.join(unserved)})"
        else:
            how = ""
        lines.append(f"Label gate: the judge keeps {shares} of the generated {unit}{how}")
        unknown = [f"{show(label)} ({gate.real_recall[i]:.1%})" for i, label in enumerate(augmenter.classes_)
                   if not gate.knows(i)]
        if unknown:  # a class it does not serve whatever share of its synthetic samples it keeps
            served = ("" if augmenter.label_gate is False else " (they are sampled without it)"
                      if isinstance(augmenter.label_gate, str) else " (sampling is refused)")
            lines.append(f"Label gate: the judge assigns under {MIN_REAL_RECALL:.0%} of the real {unit} of "
                         f"{', '.join(unknown)} to that class: it cannot tell them from the others{served}")
    return lines


def _batch_text(augmenter) -> str:
    """The batch training ran with, and the one asked for where it differs (at most the rows, a
    multiple of the discriminator's packing); for a model saved before the batch run was kept, the
    one asked for, said so (the one run may have been smaller)."""
    asked, ran = augmenter.training_config_.batch_size, getattr(augmenter, "batch_size_", None)
    if ran is None:
        return f"{asked} asked"
    return str(asked) if ran == asked else f"{ran} ({asked} asked)"


def _training_lines(augmenter) -> list[str]:
    history = augmenter.history_
    # An ensemble's members each trained (models saved before they were kept have the first alone).
    members = [h for h in getattr(augmenter, "member_histories_", None) or [history] if len(h)]
    lines = [""]
    if len(history):
        seconds = sum(record.get("time_s", 0.0) for h in members for record in h)
        training = augmenter.training_config_
        epochs = f"{len(history)} epoch{'s' if len(history) != 1 else ''}"
        if len(members) > 1:  # each its own count where early stopping ended them apart
            lengths = [len(h) for h in members]
            each = epochs if len(set(lengths)) == 1 else f"{', '.join(map(str, lengths))} epochs"
            epochs = f"{len(members)} generators x {each}"
        seed = augmenter.get_params()["random_state"]
        seeded = f"seed {seed}" if seed is not None else "no seed (fit again with --seed to repeat it)"
        threads = getattr(augmenter, "n_threads_", None)  # the count that reproduces the fit (--threads)
        # The epochs' own steps: a callback's work between them (early stopping's ratings) is not timed.
        rated = any("snapshot_score" in record for record in history)
        lines.append(f"Training:  {epochs} in {seconds:.1f} s{' of steps (ratings not counted)' if rated else ''}; "
                     f"loss {training.loss}, batch {_batch_text(augmenter)}, "
                     f"{seeded}" + (f", {threads} thread{'s' if threads != 1 else ''}" if threads else ""))
        finals = [h[-1] for h in members]

        def final(loss: str) -> str:
            return " / ".join(format(record[loss], "+.4f") for record in finals)

        lines.append(f"Final losses:  D {final('loss_d')}   G {final('loss_g')}"
                     + ("  (one per generator)" if len(finals) > 1 else ""))
        stops = []  # per generator: (ratings, the epoch of the snapshot it samples from, its score)
        for member in members:
            rated = [(record["epoch"], record["snapshot_score"]) for record in member if "snapshot_score" in record]
            if rated:
                stops.append((len(rated), *min(rated, key=lambda pair: pair[1])))
        if len(stops) == 1:
            n, epoch, score = stops[0]
            lines.append(f"Early stopping:  {n} ratings; samples from the epoch-{epoch} snapshot (mean "
                         f"|C2ST AUC - 0.5| of the topped-up classes {score:.3f}; 0 is best)")
        elif stops:  # an ensemble's members stop apart: it described member 0 alone
            lines.append("Early stopping, per generator:  " + "; ".join(
                f"{n} ratings, epoch-{epoch} snapshot ({score:.3f})" for n, epoch, score in stops)
                + " (mean |C2ST AUC - 0.5| of the topped-up classes; 0 is best)")
    return lines
