"""``gan-augment``: the command-line door.

    gan-augment fit DATA --classes rare          fit a model, save it to a directory
                         --checkpoint-dir D      ... saving the training state; --resume continues a killed run
    gan-augment sample MODEL --class rare --n N  draw N synthetic rows (or PNG images) of one class
    gan-augment augment DATA --classes rare      fit and write real + synthetic rows (or a new image tree)
    gan-augment augment DATA --auto              the same, with the top-up (none / random / SMOTE / GAN, how
                                                 much) chosen by inner cross-validation (tables)
    gan-augment info MODEL                       what a saved model holds
    gan-augment demo                             the whole job on a bundled slice of UCI Adult
    gan-augment evaluate DATA --classes rare     cross-validate: no top-up vs baselines vs GAN, with intervals

DATA is a table (CSV / parquet) or an image folder (``DATA/<class>/*.png|jpg|...``), told apart
by :func:`gan_augment.data.image_folder.is_image_folder`; what differs between the two lives in
one handler each (:mod:`cli._handlers`).

Like every door it is thin: it validates, reads the data (``gan_augment.data``), calls
``GANAugmenter`` and writes the result. Everything that can be checked -- the target column, the
class names, the output paths, the device -- is checked before training starts, and no existing
file or model directory is replaced without ``--force``.

Errors are one line on stderr, ``Error: ...``, with exit code 2 for a usage error (a bad option
value, an unknown class or column, an output that already exists) and 1 for a data or model error
(an unreadable file, a damaged model, training that diverged). ``--debug`` adds the traceback.

This module only builds the app and runs it; each command lives in its own module, and what they
share in :mod:`cli._common`. torch, scikit-learn and pandas are imported inside the commands so that
``--help`` is instant.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import signal
import sys
import threading
import traceback
import warnings
from typing import Annotated, Optional

import typer

from gan_augment import __version__
from gan_augment.exceptions import DataValidationError, ModelFileError, TrainingDivergedError

from ._common import (DATA, INTERRUPTED, PROG, USAGE, CLIError, DebugOpt, QuietOpt, message_of, one_line,
                      set_flags, show_warning, state, terminal_text)
from .augment import augment
from .demo import demo
from .evaluate import evaluate
from .fit import fit
from .info import info
from .sample import sample


#: The exit code of a command whose output pipe was closed by its reader (128 + SIGPIPE).
BROKEN_PIPE = 141


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name=PROG,
    help="Top up rare classes of a table or an image folder with samples from a class-conditional GAN.",
    epilog="Exit codes: 0 success, 1 data or model error, 2 usage error, 130 interrupted (Ctrl-C or kill), 141 "
           "output pipe closed. Try 'gan-augment demo' to see the whole job on a bundled dataset.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # click's plain help: it wraps, where rich's panels cut option names at 80 columns
    # (--mark-synthet…) and their "…" stopped --help on a stdout that is not UTF-8.
    rich_markup_mode=None,
)


@app.callback()
def _root(
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    set_flags(quiet, debug, new_run=True)


class _OptionsGivenOnce(typer.core.TyperCommand):
    """A command that refuses a single-value option given twice: click keeps the last one, so
    ``sample --class c --class b`` wrote class b alone, the first dropped without a word. Options
    that take several (``--classes``) and flags are left alone."""

    def parse_args(self, ctx, args):
        _, _, order = self.make_parser(ctx).parse_args(args=list(args))  # one entry per occurrence
        for param in dict.fromkeys(order):
            times = order.count(param)
            if times > 1 and isinstance(param, typer.core.TyperOption) and not (
                    param.multiple or param.is_flag or param.count):
                raise typer.BadParameter(f"given {times} times; it takes one value, so give it once.", ctx=ctx,
                                         param=param)
        return super().parse_args(ctx, args)


#: One line each in `gan-augment --help`, whole at 80 columns (click cuts a docstring's first sentence).
_SUMMARIES = {
    fit: "Fit a GAN on DATA and save it to a model directory.",
    sample: "Write N synthetic samples of a class from a saved model.",
    augment: "Write DATA with synthetic samples topping up its rare classes.",
    info: "Show what a saved model holds.",
    demo: "Run the whole job on a bundled slice of UCI Adult.",
    evaluate: "Did the top-up help? Cross-validated against baselines.",
}
for _command, _summary in _SUMMARIES.items():  # the order --help lists them in
    app.command(short_help=_summary, cls=_OptionsGivenOnce)(_command)


def main(argv: Optional[list] = None, *, prog_name: str = PROG) -> int:
    """Run the command line; returns the exit code (the console script passes it to sys.exit)."""
    args = sys.argv[1:] if argv is None else [str(a) for a in argv]
    state.quiet, state.debug, state.prog = False, "--debug" in args, prog_name
    if not args:
        args = ["--help"]
    with _tolerant_streams(), warnings.catch_warnings(), _terminate_as_interrupt(), _keeping_excepthook():
        if not state.debug:
            warnings.showwarning = show_warning
        try:
            result = app(args=args, prog_name=prog_name, standalone_mode=False)
        except Exception as exc:  # each kind of failure becomes one line and its exit code
            if not isinstance(exc, CLIError) and _caused_by_interrupt(exc):
                return _fail("Interrupted.", INTERRUPTED)
            return _fail(*_report(exc))
        except KeyboardInterrupt:
            return _fail("Interrupted.", INTERRUPTED)
        except SystemExit as exc:
            # typer ends a command whose stdout reader went away (`--out - | head`) with exit 1, the
            # code of a data error; a closed pipe is the reader's choice: 141, as for SIGPIPE.
            context = exc.__context__
            if isinstance(context, OSError) and context.errno == errno.EPIPE:
                return BROKEN_PIPE
            raise
        if result == INTERRUPTED:  # typer returns Ctrl-C outside our commands' own handlers as this code
            return _fail("Interrupted.", INTERRUPTED)
        return result if isinstance(result, int) and not isinstance(result, bool) else 0


def console(prog_name: str = PROG) -> int:
    """The console script and ``python -m gan_augment``: :func:`main`, then Ctrl-C ignored while
    the interpreter shuts down (a second or so with torch loaded): a command whose output was
    complete and said so ended with status 130 and no word, as if interrupted. A caller of
    :func:`main` keeps its own handler."""
    code = main(prog_name=prog_name)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (``kill``, ``timeout``, a job scheduler) stops a command as Ctrl-C does: temporary
    files removed, the worker processes of ``-j`` ended, a message saying what was left, exit 130.
    Python's default ends the process at once, and its workers ran on, holding its output open.
    A SIGTERM ignored when the command started (``nohup``-like), or handled by a caller, stays so."""
    # Only the main thread sets handlers; a SIGTERM ignored (nohup-like) or the caller's own is left.
    main_thread = threading.current_thread() is threading.main_thread()
    if not main_thread or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def _keeping_excepthook():
    """The caller's ``sys.excepthook`` back after the command: typer's app sets its own, for good,
    which passes exceptions to the hook typer found at its import, not to the caller's."""
    hook = sys.excepthook
    try:
        yield
    finally:
        sys.excepthook = hook


@contextlib.contextmanager
def _tolerant_streams():
    """Messages a terminal's encoding cannot show ("café" on an ASCII stdout) come out escaped, not
    as a crash halfway (tables on stdout go out as UTF-8 bytes); a closed stderr (`2>&-`) takes
    progress and warnings to nowhere, where Python would print them into stdout's data. A caller
    of :func:`main` gets its streams back as they were."""
    had_stderr = sys.stderr is not None
    if not had_stderr:
        if not _is_open(2):  # closed: on file descriptor 2 itself, which workers (-j) inherit too
            null = os.open(os.devnull, os.O_WRONLY)
            if null != 2:
                os.dup2(null, 2)
                os.close(null)
            os.set_inheritable(2, True)  # os.open made it private to this process when it was 2 already
        # Otherwise a caller silenced Python's stderr only: its descriptor 2 (a log file) is left alone.
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (closed below)
    reconfigured = []
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if hasattr(stream, "reconfigure") and getattr(stream, "errors", None) == "strict" \
                and codecs.lookup(encoding).name != "utf-8":
            stream.reconfigure(errors="backslashreplace")
            reconfigured.append(stream)
    try:
        yield
    finally:
        for stream in reconfigured:
            with contextlib.suppress(ValueError, OSError):  # closed, or its reader gone
                stream.reconfigure(errors="strict")
        if not had_stderr:
            sys.stderr.close()
            sys.stderr = None


def _is_open(descriptor: int) -> bool:
    try:
        os.fstat(descriptor)
    except OSError:
        return False
    return True


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether Ctrl-C is the cause of ``exc``: a compiled module's import that Ctrl-C stopped ends in
    pybind11's ImportError("initialization failed"), raised from the KeyboardInterrupt, which read
    as a failure of the command (exit 1) rather than as Ctrl-C. Causes only, not the context: an
    error met while cleaning up after Ctrl-C is an error of its own, to be said."""
    seen: set = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__
    return False


def _report(exc: Exception) -> tuple[str, int]:
    """``(message, exit code)`` of an exception that ended a command."""
    if isinstance(exc, typer.Exit):
        return "", exc.exit_code
    if isinstance(exc, typer.Abort):
        return "Aborted.", DATA
    if isinstance(exc, typer.TyperException):  # a usage error found while parsing the command line
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        return exc.format_message() + hint, getattr(exc, "exit_code", USAGE)
    if isinstance(exc, CLIError):
        return exc.message, exc.exit_code
    if isinstance(exc, (DataValidationError, ModelFileError, TrainingDivergedError)):
        return one_line(exc), DATA
    from gan_augment._fs import is_link_loop

    if isinstance(exc, OSError) or is_link_loop(exc):
        return message_of(exc), DATA
    # A bug or an error not foreseen: still one line, unless --debug.
    return (f"{type(exc).__name__}: {one_line(exc)}"
            + ("" if state.debug else " (run again with --debug for the traceback)"), DATA)


def _fail(message: str, exit_code: int) -> int:
    if not message:  # typer.Exit: a clean exit, nothing to say
        return exit_code
    if state.debug and sys.exc_info()[0] is not None:
        traceback.print_exc(file=sys.stderr)
    typer.echo(terminal_text(f"Error: {message}"), err=True)
    return exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console())
