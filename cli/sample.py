"""``gan-augment sample MODEL_DIR --class C --n N``: synthetic rows (or PNG images) of one class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import (DATA, USAGE, DebugOpt, ForceOpt, ModelArg, QuietOpt, check_processes, errors, is_stdout, seed_opt,
                      set_flags, writing)


def sample(
    model_dir: ModelArg,
    cls: Annotated[str, typer.Option("--class", metavar="CLASS", show_default=False,
                                     help="The class of the rows to generate.")],
    n: Annotated[int, typer.Option("--n", "-n", min=0, metavar="N", show_default=False,
                                   help="How many rows (tables: 0 writes the header alone) or images (at least 1).")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE|DIR", show_default=False,
        help="Tables: output .csv, .tsv or .parquet file ('-' writes CSV to stdout). Images: a directory; "
             "the PNGs go to DIR/<class>/.")],
    seed: Annotated[Optional[int], seed_opt(
        help="Random seed of the draws: the same model and seed give the same rows on CPU. Default: the "
             "model's own.")] = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Write N synthetic rows (target column included) or N PNG images of one class from a saved model."""
    set_flags(quiet, debug)
    check_processes("sample")
    from ._handlers import for_model
    from ._model_dir import check_outside_model, load_model
    from ._tables import check_table_out

    from gan_augment.data.image_folder import IMAGE_SUFFIXES, UNREAD_IMAGE_SUFFIXES
    from gan_augment.data.io import FORMATS

    # An output named like a table or an image file names a file; any other name (run.v2, out/) a
    # folder, which is what an image model writes.
    table_file = is_stdout(out) or out.suffix.lower() in FORMATS
    names_file = table_file or out.suffix.lower() in (*IMAGE_SUFFIXES, *UNREAD_IMAGE_SUFFIXES)
    augmenter, dataset_info = load_model(model_dir)
    check_outside_model(out, model_dir)
    handler = for_model(augmenter)
    source = dataset_info.get("source_resolved", dataset_info.get("source"))  # models before it: as written
    handler.check_sample_out(out, model_dir, force=force, names_file=names_file,
                             source=Path(source) if isinstance(source, str) else None)
    if table_file:  # after the model's own refusals: --force cannot lift "the table it was fitted on"
        check_table_out(out, force)
    from gan_augment._classes import resolve_class

    with errors(USAGE, ValueError):
        label = resolve_class(cls, list(augmenter.classes_))
    # The model's own refusals (a class its label gate refuses, more rows than memory holds) are
    # answers, said as one line, not crashes.
    with writing(out, "the samples"), errors(DATA, ValueError):
        handler.write_samples(augmenter, dataset_info, label, n, out, force=force, seed=seed)
