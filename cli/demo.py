"""``gan-augment demo``: the whole job on a bundled slice of UCI Adult, with an honest check.

The bundled file (``gan_augment/data/bundled/adult_sample.csv``, see ATTRIBUTION.md there) is a
stratified random 2,000-row slice of UCI Adult. The demo

1. sets aside a stratified test split that stays real and untouched (no leakage: the GAN never
   sees it);
2. cuts the ">50K" class of the training split to 5% of its rows, so that it is rare;
3. fits a GANAugmenter on the training split and tops ">50K" up to the majority count;
4. trains the same logistic regression on the training split as it is, randomly oversampled, and
   topped up by the GAN, and scores each on the test split (macro-F1, recall and precision of
   ">50K"), with a paired bootstrap interval over test rows for the differences.

It is a demonstration, not a benchmark: one split of a small sample.
"""

from __future__ import annotations

import contextlib
import math
import time
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer

from gan_augment.exceptions import DataValidationError

from ._common import (USAGE, DebugOpt, ForceOpt, QuietOpt, check_processes, errors, quote_path, require_stdout, say,
                      seed_opt, set_flags, state, writing)

DATA_FILE = "adult_sample.csv"
TARGET = "income"
RARE = ">50K"
KEEP_FRACTION = 0.05
TEST_FRACTION = 0.3
# Chosen so that the whole demo (imports, fit, sampling, three classifier fits) runs in about a
# minute on 2 CPU cores; the library's "auto" would run ~1,500 generator updates instead.
DEFAULT_EPOCHS = 200
BATCH_SIZE = 500
N_SHOWN = 5


def bundled_data():
    """The bundled CSV as an importlib.resources Traversable (use ``resources.as_file`` for a path)."""
    return resources.files("gan_augment.data").joinpath("bundled", DATA_FILE)


def demo(
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", metavar="DIR", show_default=False,
        help="Also save the model, the augmented training rows and the test rows here.")] = None,
    epochs: Annotated[Optional[int], typer.Option(
        "--epochs", "-e", min=1, metavar="N", show_default=False,
        help="Training epochs. Default: a number that keeps the demo near a minute on 2 CPU cores.")] = None,
    seed: Annotated[int, seed_opt("Random seed.")] = 0,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """Top up a rare class of a bundled slice of UCI Adult and check the effect on a held-out split."""
    set_flags(quiet, debug)
    check_processes("demo")
    if out is None:
        require_stdout("the demo prints its results there (give --out DIR to keep them in files)")
    run(out=out, epochs=epochs, seed=seed, force=force)


def run(*, out: Optional[Path], epochs: Optional[int], seed: int, force: bool) -> None:
    """Run the demo: results on stdout, progress on stderr (muted by --quiet)."""
    echo = typer.echo
    started = time.perf_counter()
    epochs = DEFAULT_EPOCHS if epochs is None else int(epochs)
    outputs = None
    if out is not None:
        outputs = _check_outputs(Path(out), force)

    import numpy as np
    import pandas as pd
    from sklearn.model_selection import train_test_split

    from gan_augment.data.io import load_dataset

    with resources.as_file(bundled_data()) as path:
        X, y, _ = load_dataset(path, target=TARGET)
    echo(f"gan-augment demo: top up a rare class in a {len(X):,}-row slice of UCI Adult "
         "(bundled; Becker & Kohavi 1996, CC BY 4.0).")
    echo(f"Task: predict {TARGET!r} ({', '.join(map(repr, sorted(y.unique())))}) from {X.shape[1]} columns.")
    echo("")

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_FRACTION, stratify=y, random_state=seed)
    rng = np.random.default_rng(seed)
    rare_rows = np.flatnonzero((y_train == RARE).to_numpy())
    n_keep = max(5, math.ceil(KEEP_FRACTION * len(rare_rows)))
    kept = np.sort(np.concatenate([np.flatnonzero((y_train != RARE).to_numpy()),
                                   rng.choice(rare_rows, n_keep, replace=False)]))
    X_cut, y_cut = X_train.iloc[kept].reset_index(drop=True), y_train.iloc[kept].reset_index(drop=True)
    echo(f"Test split ({TEST_FRACTION:.0%}, real rows only, never shown to the GAN): {_counts(y_test)}")
    echo(f"Training split with {RARE!r} cut from {len(rare_rows):,} to {n_keep:,} rows "
         f"({KEEP_FRACTION:.0%}) to make it rare:")
    echo(f"  before top-up: {_counts(y_cut)}")

    from gan_augment.augmenter import GANAugmenter

    # The demo's networks are small: a second intra-op thread saves little, and when other
    # processes share the cores it made training >10x slower in our measurements (threads spin
    # while waiting for each other). One thread keeps the demo near its advertised minute, and its
    # numbers the same on any machine: n_threads="auto" takes two on idle cores, and a fit's floats
    # (so its synthetic rows) depend on the thread count.
    augmenter = GANAugmenter(classes=[RARE], epochs=epochs, batch_size=BATCH_SIZE, random_state=seed,
                             device="cpu", n_threads=1, verbose=0 if state.quiet else 1)
    say(f"Fitting the GAN ({epochs} epochs, seed {seed}) ...")
    fit_started = time.perf_counter()
    augmenter.fit(X_cut, y_cut)
    fit_seconds = time.perf_counter() - fit_started
    n_add = int(augmenter.sampling_strategy_[RARE])
    synthetic = augmenter.sample(n_add, RARE)
    X_gan = pd.concat([X_cut, synthetic], ignore_index=True)
    y_gan = pd.concat([y_cut, pd.Series([RARE] * n_add, dtype=y_cut.dtype)], ignore_index=True)
    echo(f"  after top-up:  {_counts(y_gan)}  (+{n_add:,} synthetic rows; GAN fitted in {fit_seconds:.1f} s)")
    echo("")
    echo(f"A few synthetic {RARE!r} rows:")
    with pd.option_context("display.width", 250, "display.max_columns", None):
        echo(synthetic.head(N_SHOWN).to_string(index=False))
    echo("")

    # Baseline: random oversampling of the same rare rows, to the same count.
    rare_idx = np.flatnonzero((y_cut == RARE).to_numpy())
    extra = rng.choice(rare_idx, n_add, replace=True)
    X_ros = pd.concat([X_cut, X_cut.iloc[extra]], ignore_index=True)
    y_ros = pd.concat([y_cut, y_cut.iloc[extra]], ignore_index=True)

    say("Training the holdout classifiers ...")
    from ._demo_check import fit_predict, paired_bootstrap, scores

    predictions = {}
    for name, (X_fit, y_fit) in {
        "no top-up": (X_cut, y_cut),
        "random oversampling": (X_ros, y_ros),
        "GAN top-up": (X_gan, y_gan),
    }.items():
        predictions[name] = fit_predict(X_fit, y_fit, X_test, positive=RARE, seed=seed)
    truth = (y_test == RARE).to_numpy()
    echo("Holdout check: the same logistic regression trained on each training set, scored on the test split.")
    echo(f"  {'training set':<22}{'macro-F1':>10}{'recall ' + RARE:>16}{'precision ' + RARE:>19}")
    for name, predicted in predictions.items():
        f1, recall, precision = scores(truth, predicted)
        echo(f"  {name:<22}{f1:>10.3f}{recall:>16.3f}{precision:>19.3f}")
    echo("")
    for baseline in ("no top-up", "random oversampling"):
        delta, low, high = paired_bootstrap(truth, predictions["GAN top-up"], predictions[baseline], seed)
        if low > 0:
            verdict = "the GAN top-up is better"
        elif high < 0:
            verdict = "the GAN top-up is worse"
        else:
            verdict = "no clear difference"
        echo(f"GAN top-up vs {baseline}: macro-F1 {delta:+.3f} "
             f"(95% bootstrap interval {low:+.3f} to {high:+.3f}): {verdict}.")
    echo(f"One split of a {len(X):,}-row sample with {epochs} epoch{'s' if epochs != 1 else ''}: treat these numbers as an illustration. "
         "On your data, compare against the baselines with cross-validation.")

    if outputs is not None:
        from ._tables import dtype_record

        record = {
            "target": TARGET, "target_dtype": dtype_record(y.dtype), "columns": [*X.columns, TARGET],
            "source": f"bundled {DATA_FILE} (training split, {RARE!r} cut to {KEEP_FRACTION:.0%})",
            "n_rows": int(len(X_cut)), "fit_seconds": round(fit_seconds, 3),
            "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        tables = {"train": X_gan.assign(**{TARGET: y_gan, "synthetic": [False] * len(X_cut) + [True] * n_add}),
                  "test": X_test.assign(**{TARGET: y_test})}
        with errors(USAGE, FileExistsError), writing(Path(out), "the demo's model and tables"):
            _write_outputs(augmenter, record, tables, outputs, Path(out), force)
        echo("")
        echo(f"Saved: {outputs['model']}/ (model), {outputs['train']} (training rows + synthetic, "
             f"marked), {outputs['test']} (test rows).")
        echo(f"Try:   {state.prog} info {quote_path(outputs['model'])}")
    echo(f"Demo finished in {time.perf_counter() - started:.0f} s.")


def _write_outputs(augmenter, record: dict, tables: dict, outputs: dict, out: Path, force: bool) -> None:
    """Save the model and write the tables, all three or none: the tables are written to temporary
    files first and put in place after the model, with Ctrl-C held back meanwhile (a few seconds).
    One by one, a failure or Ctrl-C between them left a new model beside the tables of an earlier
    run, or a model alone that the same command then refused to replace."""
    from ._model_dir import save_model
    from gan_augment._fs import InterruptedAfterWriting, atomic_path, interrupts_held
    from gan_augment.data.io import write_csv

    placed = False
    try:
        with interrupts_held():
            with contextlib.ExitStack() as staged:
                for name, table in tables.items():
                    write_csv(table, staged.enter_context(atomic_path(outputs[name], overwrite=force)))
                save_model(augmenter, outputs["model"], record, force=force)
            placed = True
    except KeyboardInterrupt:
        if placed:  # held back until all three stood in place
            raise InterruptedAfterWriting(out) from None
        raise


def _check_outputs(out: Path, force: bool) -> dict:
    from ._model_dir import check_model_out
    from gan_augment.data.io import check_output_path

    outputs = {"model": out / "model", "train": out / "train_augmented.csv", "test": out / "test.csv"}
    with errors(USAGE, FileExistsError, DataValidationError):
        if out.exists() and not out.is_dir():
            raise FileExistsError(f"{out} is a file; --out needs a directory.")
        check_model_out(outputs["model"], force=force)
        check_output_path(outputs["train"], force=force)
        check_output_path(outputs["test"], force=force)
    return outputs


def _counts(y) -> str:
    counts = y.value_counts()
    return "   ".join(f"{label} {int(n):,}" for label, n in sorted(counts.items(), key=lambda kv: str(kv[0])))
