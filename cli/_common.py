"""What every ``gan-augment`` command shares: exit codes and ``CLIError``, the ``--quiet`` /
``--debug`` state, the one-line error context manager, message helpers and the option
declarations.

Options are declared once here so that two commands cannot drift apart (``evaluate`` once had its
own ``--batch-size`` with a different default). Where a command needs other help text for the same
option, it writes ``Annotated[type, classes_opt(help=...)]``: names, short flags and metavars stay
here, and so do the defaults of the shared aliases.

This module imports neither torch nor pandas: ``gan-augment --help`` must stay instant.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import numpy as np
import typer

from gan_augment.config import LOSSES, NOISE_ARCHITECTURES, PRECISIONS
from gan_augment._classes import plain_label

PROG = "gan-augment"
DEFAULT_MODEL_DIR = Path("gan-augment-model")
USAGE, DATA = 2, 1  # exit codes: a usage error, a data or model error
INTERRUPTED = 130  # what a shell reports for Ctrl-C


class CLIError(Exception):
    """An error the command line reports as one line, with its exit code."""

    def __init__(self, message: str, exit_code: int = DATA):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class _State:
    """``--quiet`` and ``--debug``: given before or after the command name, either counts."""

    quiet = False
    debug = False
    # A torchrun process other than rank 0: every process reads the data, and one copy of its
    # warnings (rank 0's) is enough; errors are still each process's own.
    other_rank = False
    # How the command line was started, for the commands it suggests (`python -m gan_augment`
    # where the console script may not be on PATH).
    prog = PROG


state = _State()


def set_flags(quiet: bool, debug: bool, *, new_run: bool = False) -> None:
    """Take ``--quiet`` / ``--debug``: the root's (``new_run``: the first thing each run does) replace
    what an earlier run in this process set, the command's add to the root's."""
    state.quiet = bool(quiet) or (state.quiet and not new_run)
    state.debug = bool(debug) or (state.debug and not new_run)


def check_processes(command: str, *, data_parallel: bool = False) -> bool:
    """Under ``torchrun`` with several processes: a command that trains (``fit``, ``augment``) runs
    data-parallel, rank 0 alone printing and writing; any other is refused before it reads
    anything. Returns whether this process writes (True without torchrun)."""
    from gan_augment.exceptions import DistributedError
    from gan_augment.training.distributed import is_main_process, launched_by_torchrun

    with errors(USAGE, DistributedError):  # torchrun's variables half set, e.g. WORLD_SIZE=two
        if not launched_by_torchrun():
            return True
    if not data_parallel:
        raise CLIError(f"`gan-augment {command}` runs in one process; start it without torchrun (fit and augment "
                       "train data-parallel under torchrun).", USAGE)
    with errors(USAGE, DistributedError):
        main = is_main_process()
    if not main:
        state.quiet = state.other_rank = True  # one copy of the progress output and warnings: rank 0's
        return False
    return True


# ============================================================================ messages
def say(message: str) -> None:
    """Progress output: to stderr (stdout stays clean for data), silenced by --quiet."""
    if not state.quiet:
        typer.echo(terminal_text(message), err=True)


def require_stdout(what: str) -> None:
    """Refuse, before any work, a command whose result goes to a closed standard output (`>&-`):
    typer.echo writes nowhere then, and the command would say it succeeded."""
    if sys.stdout is None:
        raise CLIError(f"Standard output is closed; {what}.", USAGE)


def warn(message: str) -> None:
    """A warning, to stderr: shown under --quiet too, but by one torchrun process only."""
    if not state.other_rank:
        typer.echo(terminal_text(f"Warning: {message}"), err=True)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python warnings as one ``Warning:`` line (stands in for ``warnings.showwarning``)."""
    warn(str(message))


@contextlib.contextmanager
def errors(exit_code: int, *types: type[BaseException]) -> Iterator[None]:
    """Report exceptions of ``types`` raised in the block as a one-line error with ``exit_code``."""
    try:
        yield
    except types as exc:
        raise CLIError(message_of(exc), exit_code) from exc


#: What a full disk or quota is called by the OS, and by safetensors' writer (Rust's io::Error).
_NO_SPACE_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_NO_SPACE_TEXTS = ("No space left on device", "Disk quota exceeded", "StorageFull")


@contextlib.contextmanager
def no_space_named(what: str, where, instead: str) -> Iterator[None]:
    """A full disk or quota met in the block, said as one line that names ``where`` (a copy's
    error names the file it copied from; safetensors' write names none)."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, CLIError) and (getattr(exc, "errno", None) in _NO_SPACE_ERRNOS
                                              or any(text in str(exc) for text in _NO_SPACE_TEXTS)):
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else one_line(exc)
            raise CLIError(f"No space left to write {what} to {where} ({detail}). Free some space there, or "
                           f"{instead}.", DATA) from exc
        raise


@contextlib.contextmanager
def writing(out: Path, what: str, option: str = "--out", *, then: str = "") -> Iterator[None]:
    """Ctrl-C while ``what`` is written to ``out`` says what happened to ``out``: files and model
    folders are written beside it and renamed into place whole, so it is either as it was before or
    not there; only standard output can hold part of the rows. A full disk is named as ``out``'s
    (``option``: the option that names it, for the advice to choose another; ``then``: what to do
    next, said after an interruption)."""
    try:
        with no_space_named(what, "stdout" if is_stdout(out) else out, f"choose another {option}"):
            yield
    except KeyboardInterrupt as exc:
        from gan_augment._fs import InterruptedAfterWriting

        if is_stdout(out):
            message = f"Interrupted while writing {what} to stdout; what came out is incomplete."
        elif isinstance(exc, InterruptedAfterWriting):
            message = (f"Interrupted after writing {what} to {out}: the new output is there, whole"
                       + ("; the rest of what it replaced, in a hidden .trash folder beside it, is removed by the next "
                          "write there." if exc.trash else "."))
        else:
            message = (f"Interrupted while writing {what}; nothing was written to {out} (a file or model that "
                       f"was there is unchanged, and no temporary file is left).{then}")
        raise CLIError(message, INTERRUPTED) from None


def message_of(exc: BaseException) -> str:
    """An exception as one line; an OSError names its file."""
    from gan_augment._fs import broken_link_message, is_link_loop

    broken = broken_link_message(exc.filename) if isinstance(exc, FileExistsError) else None
    if broken:
        return broken
    if isinstance(exc, RuntimeError) and is_link_loop(exc):
        return f"{one_line(exc)}: a symbolic link on this path points back to itself; remove it or give another path."
    if isinstance(exc, OSError) and exc.filename and exc.strerror and not isinstance(exc, FileExistsError):
        return f"{exc.filename}: {exc.strerror}."
    if isinstance(exc, FileExistsError) and exc.strerror and str(exc.filename) in exc.strerror:
        # gan_augment._fs: the message names the path already; leave out "[Errno 17] ...: 'path'".
        text = " ".join(exc.strerror.split())
        return text if text.endswith(".") else text + "."
    return one_line(exc)


def one_line(exc: BaseException) -> str:
    # Line breaks become spaces; spaces within a line are kept ("Did you mean 'my  col'?" beside
    # 'my col' read the same once squeezed).
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return text or type(exc).__name__


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (labels print and save as users wrote them)."""
    # numpy's str_ too (a str with .item()): shown as np.str_('a') otherwise.
    if isinstance(value, np.generic):
        return plain_label(value)
    return value.item() if hasattr(value, "item") else value  # a 0-d tensor or array


def show(label: Any) -> str:
    """A class label as messages show it: numbers bare, text quoted so that it can be pasted into
    the next command (``'CORP\\alice'``, ``"it's"``; control characters as :func:`quote` spells
    them). Python's own quoting doubled the backslash, and that spelling pasted named no class."""
    value = plain(label)
    if not isinstance(value, str):
        return str(value)
    if not value.isprintable():
        return quote(value)
    if "'" not in value:
        return f"'{value}'"
    return f'"{value}"' if not any(c in value for c in '"\\$`!') else shlex.quote(value)


def quote(value: Any) -> str:
    """A value quoted for a shell command the user may copy; one holding control characters (a
    tab, an escape sequence) as ``$'...'`` with them spelt out, which bash and zsh read back: raw,
    they acted on the terminal, or were dropped from a piped hint that then named another class."""
    text = str(plain(value))
    if text.isprintable():
        return shlex.quote(text)
    spelt = "".join("\\\\" if c == "\\" else "\\'" if c == "'" else c if c.isprintable() else _ansi_c(c) for c in text)
    return f"$'{spelt}'"


def _ansi_c(character: str) -> str:
    """A control character as bash's ``$'...'`` writes it."""
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
    if character in named:
        return named[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def quote_path(path) -> str:
    """A path quoted for a shell command the user may copy: ``./-m``, not ``-m`` (an option)."""
    text = str(path)
    return quote("./" + text if text.startswith("-") else text)


def where(out: Path) -> str:
    return "stdout" if is_stdout(out) else str(out)


def is_stdout(out: Path) -> bool:
    return str(out) == "-"


def terminal_text(message: str) -> str:
    """A message's lines with the control characters of user text in them (a class, a path) shown
    as :func:`escape` shows them: a carriage return in a folder name rewrote the line it was in."""
    return "\n".join(escape(line) for line in message.split("\n"))


def escape(value: Any) -> str:
    """User-supplied text (a column or class name, a path) made safe to print to a terminal: each
    control character (an ANSI escape sequence's ESC, a carriage return, ...) shown as Python writes
    it in a string (``\\x1b``, ``\\r``, ``\\u200e``) instead of acting on the terminal. Printable
    text, accents included, is unchanged."""
    text = str(plain(value))
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def check_device(device: str) -> str:
    """``--device`` checked before any work: a missing GPU is a usage error, not a crash mid-fit."""
    if device in ("auto", "cpu"):
        return device
    from gan_augment.training.trainer import resolve_device

    try:
        return str(resolve_device(device))
    except (ValueError, RuntimeError) as exc:
        raise CLIError(f"--device {device!r}: {one_line(exc)}", USAGE) from None


# ============================================================================ options
# The GAN losses as the command line spells them (gan_augment.config.LOSSES); an Enum so that typer
# checks the value and lists the choices in --help.
Loss = enum.Enum("Loss", [(name.replace("-", "_"), name) for name in LOSSES], type=str)  # type: ignore[misc]
Loss.__str__ = lambda self: self.value  # type: ignore[method-assign,assignment,attr-defined]
Precision = enum.Enum("Precision", [(name, name) for name in PRECISIONS], type=str)  # type: ignore[misc]
Precision.__str__ = lambda self: self.value  # type: ignore[method-assign,assignment,attr-defined]
Architecture = enum.Enum(  # type: ignore[misc]
    "Architecture", [(name, name) for name in ("auto",) + NOISE_ARCHITECTURES], type=str)
Architecture.__str__ = lambda self: self.value  # type: ignore[method-assign,assignment,attr-defined]


class Method(str, enum.Enum):
    """How the synthetic samples are made: ``gan`` generates them from noise (GANAugmenter),
    ``translate`` turns images of other classes into the class (TranslationAugmenter)."""

    gan = "gan"
    translation = "translate"  # not named ``translate``: that would hide str.translate

    def __str__(self) -> str:
        return self.value


DATA_HELP = "A .csv, .tsv or .parquet file, a directory holding one, or an image folder (one sub-folder per class)."
CLASSES_HELP = ("Class(es) to top up to the majority count; repeat the option or separate names with commas. "
                "Default: every class but the majority.")
SEED_HELP = "Random seed: the same seed gives the same model and rows on CPU."


def data_arg(help: str = DATA_HELP) -> Any:
    return typer.Argument(metavar="DATA", show_default=False, help=help)


def classes_opt(help: str = CLASSES_HELP) -> Any:
    return typer.Option("--classes", "-c", metavar="NAMES", show_default=False, help=help)


def seed_opt(help: str = SEED_HELP) -> Any:
    # The range of a seed (gan_augment._random): -1 or 2**32 is refused naming --seed, before any work.
    return typer.Option("--seed", "-s", metavar="S", min=0, max=2**32 - 1, show_default=False, help=help)


def force_opt(help: str = "Replace the output if it exists.") -> Any:
    return typer.Option("--force", "-f", help=help)


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output (errors and results still print).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback of an error.")]
ForceOpt = Annotated[bool, force_opt()]
DataArg = Annotated[Path, data_arg()]
ClassesOpt = Annotated[Optional[list[str]], classes_opt()]
SeedOpt = Annotated[Optional[int], seed_opt()]
ModelArg = Annotated[Path, typer.Argument(metavar="MODEL_DIR", help="A model directory written by `gan-augment fit`.",
                                          show_default=False)]
TargetOpt = Annotated[Optional[str], typer.Option(
    "--target", "-t", metavar="COLUMN", show_default=False,
    help="Target column. Default: the one column named label, target, class or y (any case).")]
EpochsOpt = Annotated[Optional[int], typer.Option(
    "--epochs", "-e", min=1, metavar="N", show_default=False,
    help="Passes over the data. Default: auto (about 3,000 generator updates for tables, 2,000 for images, "
         "1,500 for a translator: fit / augment --method translate).")]
BatchOpt = Annotated[Optional[int], typer.Option(
    "--batch-size", min=1, metavar="N", show_default=False,
    help="Rows (images) per training batch. Default: 500 for tables, 64 for images (32 for a translator: fit / "
         "augment --method translate).")]
LossOpt = Annotated[Optional[Loss], typer.Option(
    "--loss", show_default=False,
    help="GAN loss. Default: wgan-gp for tables, hinge for images (lsgan for --method translate, non-saturating "
         "for --architecture stylegan).")]
SkipUnreadableOpt = Annotated[bool, typer.Option(
    "--skip-unreadable", help="Image folders: leave out image files that cannot be decoded (counted) "
                              "instead of stopping.")]
_SEP_HELP = ("CSV input: the field separator, one character (e.g. ';' or '|'; '\\t' for a tab). Default: ',' (a "
             "tab for .tsv).")
SepOpt = Annotated[Optional[str], typer.Option("--sep", metavar="CHAR", show_default=False, help=_SEP_HELP)]
#: augment's: it writes rows too.
WrittenSepOpt = Annotated[Optional[str], typer.Option(
    "--sep", metavar="CHAR", show_default=False, help=f"{_SEP_HELP} The synthetic rows are written with the same.")]


def check_sep(sep: Optional[str]) -> Optional[str]:
    """``--sep`` as typed: ``\\t`` (what a shell passes for '\\t') is a tab; the reader checks the rest."""
    return "\t" if sep == "\\t" else sep


MaxCategoriesOpt = Annotated[Optional[int], typer.Option(
    "--max-categories", min=1, metavar="N", show_default=False,
    help="Tables: model the N most frequent values of a text column as categories; rarer ones are drawn by "
         "their frequency. Default: 100.")]
CategoricalOpt = Annotated[Optional[list[str]], typer.Option(
    "--categorical", metavar="COLUMN", show_default=False,
    help="Tables: model COLUMN as categories (each synthetic value one the column holds), e.g. a code written as "
         "numbers; SMOTE and the classifiers of `evaluate` / --auto take it so too (repeat the option for more "
         "columns). Default: text and true/false columns are categories, numbers are numbers.")]
NoRoundingOpt = Annotated[bool, typer.Option(
    "--no-rounding", help="Tables: keep the generator's full precision instead of rounding each column to the "
                          "decimals of its real values.")]
NoRulesOpt = Annotated[bool, typer.Option(
    "--no-rules", help="Tables: do not look for the rules the real rows obey (one-hot groups, 0/1 columns, "
                       "missing-value links, columns and values set by another); model every column on its own.")]
InEveryClassOpt = Annotated[bool, typer.Option(
    "--in-every-class", help="Give every class as many synthetic samples as the largest top-up, so that "
                             "'synthetic' marks no class for the model trained next (on MNIST a rare digit's recall "
                             "went from 0.22 to 0.80 with the same GAN's images; on 8x8 digits and tables it "
                             "lowered it: compare with `evaluate`; README, 'When does it help?').")]
EarlyStoppingOpt = Annotated[bool, typer.Option(
    "--early-stopping", help="Tables: stop training once the rated likeness of the topped-up classes' synthetic "
                             "rows to their real ones stops improving, and keep the best-rated snapshot (--epochs "
                             "is then a ceiling). Off by default: it can stop too soon on tables of many small "
                             "classes.")]
MinClassSizeOpt = Annotated[Optional[int], typer.Option(
    "--min-class-size", min=1, metavar="N", show_default=False,
    help="Refuse to top up a class with fewer than N distinct real rows (images; copies of one count as one). "
         "Default: top up any class, with a warning below 3.")]
DeviceOpt = Annotated[str, typer.Option("--device", metavar="DEVICE", help="auto, cpu, cuda or cuda:N.")]
PrecisionOpt = Annotated[Precision, typer.Option(
    "--precision", help="Arithmetic of the training steps: float32; medium (float32 products with TF32/bf16 "
                        "passes where the hardware has them); bf16 (forward passes in bfloat16: faster on a CPU with "
                        "bf16 instructions, several times slower on one without). Sampling is float32 always.")]
MethodOpt = Annotated[Method, typer.Option(
    "--method", help="gan: generate the samples with a class-conditional GAN. translate (images): translate images "
                     "of the other classes into each topped-up class (CycleGAN), keeping only those a CNN "
                     "trained on the real images assigns to it.")]
ArchitectureOpt = Annotated[Architecture, typer.Option(
    "--architecture", help="Images, --method gan: the generator. dcgan (conditional DCGAN), resnet (residual G, "
                           "projection critic), stylegan (style-based G: mapping network, modulated convolutions, "
                           "noise inputs), progressive (grown from 4x4 to the working size), or auto (resnet on a GPU from "
                           "32 px up, else dcgan).")]
LabelGateOpt = Annotated[Optional[bool], typer.Option(
    "--label-gate/--no-label-gate", show_default=False,
    help="Keep only synthetic samples that a classifier trained on the real ones (a CNN for images, a "
         "multilayer perceptron for tables) assigns to their class, generating more until there are enough; "
         "the share kept per class is shown by info. Default: on for tables (a class it keeps under 5% of "
         "is then topped up without it, with a warning), off for images, on for --method translate. --label-gate "
         "refuses such a class.")]
GeneratorsOpt = Annotated[Optional[int], typer.Option(
    "--generators", min=1, metavar="K", show_default=False,
    help="Train K generators from independent seeds and sample from all of them (a generator ensemble; K "
         "times the fit; not yet with --checkpoint-dir). Default: 1.")]
ThreadsOpt = Annotated[str, typer.Option(
    "--threads", metavar="N",
    help="CPU threads for torch: a positive int, or auto (the usable cores, at most 4 and at most "
         "OMP_NUM_THREADS where set; one thread when the machine is already busy). Results are identical for a seed at one thread count.")]


def check_threads(threads: str):
    """``--threads`` as GANAugmenter's ``n_threads``: "auto" or a positive int (else a usage error)."""
    if threads == "auto":
        return threads
    try:
        value = int(threads)
    except ValueError:
        value = 0
    if value < 1:
        raise CLIError(f"--threads {threads!r}: give a positive number of threads or 'auto'.", USAGE)
    return value
NaValuesOpt = Annotated[Optional[list[str]], typer.Option(
    "--na-values", metavar="TEXT", show_default=False,
    help="CSV input: a cell text to read as a missing value in the feature columns, besides empty cells (repeat "
         "the option for more, e.g. --na-values NA --na-values '?'). By default NA, None, null and ? are values; "
         "in the target they stay classes.")]


class Estimator(str, enum.Enum):
    """The downstream classifiers ``evaluate`` and ``augment --auto`` score with."""

    logreg = "logreg"
    hgb = "hgb"
    rf = "rf"
    cnn = "cnn"

    def __str__(self):
        return self.value


class Metric(str, enum.Enum):
    macro_f1 = "macro_f1"
    balanced_accuracy = "balanced_accuracy"
    accuracy = "accuracy"
    pr_auc = "pr_auc"

    def __str__(self):
        return self.value


ESTIMATOR_HELP = ("Downstream classifier: logistic regression (scaled, one-hot, imputed), HistGradientBoosting, "
                  "a random forest, or for an image folder a small CNN (cnn).")


def estimator_opt(help: str = ESTIMATOR_HELP) -> Any:
    return typer.Option("--estimator", help=help)


def metric_opt(help: str) -> Any:
    return typer.Option("--metric", help=help)


def n_jobs_opt(help: str) -> Any:
    return typer.Option("--n-jobs", "-j", metavar="N", show_default=False, help=help)
