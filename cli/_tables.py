"""Tables (CSV / parquet) on the command line: read with the target column split off, synthetic rows
written back with the target column where it was, in the dtype it had. ``augment`` copies the real
lines of a CSV into a CSV output byte for byte (gan_augment.data.io.write_augmented_table)."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from io import BytesIO, TextIOWrapper
from pathlib import Path
from typing import Any, Optional

from gan_augment.data._dtypes import refuse_surrogates
from gan_augment.exceptions import DataValidationError

from ._common import (DATA, USAGE, CLIError, errors, is_stdout, plain, quote, quote_path, require_stdout, say, show,
                      state, where)
from ._data import DataHandler, Dataset, added_text, fit_time, resolve_labels, synthetic_samples


@dataclass(frozen=True)
class RealTable:
    """What ``augment`` writes back beside the synthetic rows: the table as read, and the source its
    real rows are written from (``gan_augment.data.io.CsvSource`` or ``ParquetSource``)."""

    frame: Any
    source: Any

    @property
    def columns(self):
        return self.frame.columns


class TableData(DataHandler):
    kind_name = "tabular"

    def load(self, data: Path, *, target: Optional[str], classes: Optional[list[str]],
             skip_unreadable: bool = False, na_values: Optional[list[str]] = None,
             sep: Optional[str] = None) -> Dataset:
        from gan_augment.data import io

        if skip_unreadable:
            raise CLIError(f"--skip-unreadable applies to image folders, but {data} is a table; drop it.", USAGE)
        if na_values or sep is not None:  # --na-values / --sep for a parquet file, or a bad --sep: usage errors
            with errors(DATA, DataValidationError, OSError):
                path = io.resolve_table_path(data)
            with errors(USAGE, DataValidationError):
                io.check_read_options(path, na_values=na_values, sep=sep)
        with errors(DATA, DataValidationError, OSError):
            # The target name goes along so that its column is typed as labels (007 and 7 stay two).
            frame, source = io.read_table_source(data, target=target, na_values=na_values or None, sep=sep)
        with errors(USAGE, DataValidationError):
            target_name = io.find_target(frame.columns, target, source=str(data))
        with errors(DATA, DataValidationError):
            X, y = io.split_target(frame, target_name, source=str(data))
        labels = resolve_labels(classes, y)
        return Dataset(
            X=X, y=y, labels=labels, real=RealTable(frame, source),
            summary=f"Read {len(frame):,} rows x {frame.shape[1]} columns from {data}; "
                    f"target column {str(target_name)!r}.",
            single_class=f"Target column {str(target_name)!r} of {data} holds a single class",
            # What `sample` needs to put the target column back as it was.
            info={"target": plain(target_name), "target_dtype": dtype_record(y.dtype),
                  "columns": [plain(c) for c in frame.columns],
                  # augment --model reads DATA's missing cells as the fit read them.
                  **({"na_values": list(na_values)} if na_values else {})},
        )

    def next_hint(self, out: Path, label: Any) -> str:
        return f"Next: {state.prog} sample {quote_path(out)} --class {quote(label)} --n 1000 --out synthetic.csv"

    def fitted_on(self, dataset_info: dict) -> str:
        return f", target column {dataset_info.get('target')!r}"

    # ------------------------------------------------------------ augment
    def check_augment_args(self, data: Path, out: Path, *, force: bool, target: Optional[str],
                           mark_synthetic: Optional[str]) -> None:
        if mark_synthetic is not None:  # (a name that cannot be written failed after training)
            with errors(USAGE, DataValidationError):
                refuse_surrogates("--mark-synthetic", mark_synthetic)
        if mark_synthetic is not None and not mark_synthetic.strip():
            # An empty name would write a header that no reader (ours included) takes back.
            raise CLIError(f"--mark-synthetic needs a column name; got {mark_synthetic!r}.", USAGE)
        if data.is_dir():  # what the folder holds is said before what --out should be
            from gan_augment.data.io import resolve_table_path

            with errors(DATA, DataValidationError):
                resolve_table_path(data)
        table = None if is_stdout(out) else _input_table_at(data, out)
        if table is not None:  # even with --force: the user's table would be replaced by the augmented one
            raise CLIError(f"--out {out} is the input table {table}; writing there would replace your data. "
                           "Choose another --out.", USAGE)
        _check_outside_data_folder(data, out, "DATA")
        check_table_out(out, force)

    def check_augment_job(self, data: Path, dataset: Dataset, out: Path, mark_synthetic: Optional[str]) -> None:
        if mark_synthetic is not None and mark_synthetic in [str(c) for c in dataset.real.columns]:
            raise CLIError(f"--mark-synthetic {mark_synthetic!r} is already a column of {data}; choose another name.",
                           USAGE)
        if not is_stdout(out):
            from gan_augment.data.io import check_augmented_separator

            with errors(USAGE, DataValidationError):
                check_augmented_separator(out, dataset.real.source)

    def write_augmented(self, dataset: Dataset, augmenter, out: Path, *, force: bool,
                        mark_synthetic: Optional[str], seconds: Optional[float],
                        data_labels: Optional[dict] = None) -> None:
        import pandas as pd

        real: RealTable = dataset.real
        parts, added = [], {}
        for label, rows in synthetic_samples(augmenter, data_labels):
            if getattr(augmenter, "feature_names_in_", None) is None:
                # A saved model fitted in Python without column names: its columns are DATA's, by
                # position (augment --model checked their number).
                rows = (rows.set_axis(dataset.X.columns, axis=1) if isinstance(rows, pd.DataFrame)
                        else pd.DataFrame(rows, columns=dataset.X.columns))
            parts.append(with_target(rows, label, augmenter, dataset.info).reset_index(drop=True))
            added[label] = len(rows)
        synthetic = (pd.concat(parts, ignore_index=True) if parts else real.frame.iloc[:0]).reindex(
            columns=real.frame.columns)
        # A model fitted with --no-rounding (round_to_observed=False) keeps its precision in the file too.
        write_augmented_out(real, synthetic, out, force, mark_synthetic,
                            round_numbers=getattr(augmenter, "round_to_observed", True))
        n_real, n_new = len(real.frame), len(synthetic)
        say(f"Wrote {n_real + n_new:,} rows ({n_real:,} real, {n_new:,} synthetic: "
            f"{added_text(added)}) to {where(out)}{fit_time(seconds)}.")

    def write_resampled(self, dataset: Dataset, X_new, y_new, out: Path, *, force: bool,
                        mark_synthetic: Optional[str], seconds: float, round_numbers: bool = True) -> None:
        """``augment --auto``: the real table, then the rows the chosen method added (``X_new``,
        labels ``y_new``; none when it chose "none")."""
        real: RealTable = dataset.real
        synthetic = with_labels(X_new.reset_index(drop=True), list(y_new), None, dataset.info).reindex(
            columns=real.frame.columns)
        write_augmented_out(real, synthetic, out, force, mark_synthetic, round_numbers=round_numbers)
        added: dict = {}
        for label in y_new:
            added[plain(label)] = added.get(plain(label), 0) + 1
        n_real, n_new = len(real.frame), len(synthetic)
        # An empty top-up is the choice made, not a plan with nothing to add ("nothing to add" read so).
        say(f"Wrote {n_real + n_new:,} rows ({n_real:,} real, {n_new:,} added: "
            f"{added_text(added) if added else 'no top-up chosen'}) to {where(out)} (in {seconds:.1f} s).")

    # ------------------------------------------------------------ sample
    def check_sample_out(self, out: Path, model_dir: Path, *, force: bool, names_file: bool,
                         source: Optional[Path]) -> None:
        table = None if is_stdout(out) or source is None or not source.exists() else _input_table_at(source, out)
        if table is not None:  # even with --force: the real rows would be replaced by synthetic ones
            raise CLIError(f"--out {out} is the table the model was fitted on ({table}); writing there would "
                           "replace your data. Choose another --out.", USAGE)
        if source is not None:
            _check_outside_data_folder(source, out, "the folder the model was fitted on")
        check_table_out(out, force)

    def write_samples(self, augmenter, dataset_info: dict, label: Any, n: int, out: Path, *, force: bool,
                      seed: Optional[int]) -> None:
        rows = augmenter.sample(n, label, random_state=seed)
        write_table_out(with_target(rows, label, augmenter, dataset_info), out, force)
        say(f"Wrote {n:,} synthetic row{'s' if n != 1 else ''} of class {show(label)} to {where(out)}.")


def _input_table_at(data: Path, out: Path) -> Optional[Path]:
    """The table ``data`` reads (the file, or the one data file of a folder) when ``out`` names it,
    through links, relative parts or another spelling; else None."""
    from gan_augment.data.io import resolve_table_path

    try:
        table = resolve_table_path(data)
        same = out.resolve() == table.resolve() or (out.exists() and table.samefile(out))
    # RuntimeError: a symlink loop before Python 3.13 (then an OSError); the data reader and the
    # output check say what is wrong.
    except (OSError, RuntimeError, DataValidationError):
        return None
    return table if same else None


def _check_outside_data_folder(data: Path, out: Path, what: str) -> None:
    """Refuse an ``out`` that is, or lies directly in, ``data`` when ``data`` is a folder: a folder
    is read as its one data file, so a second table written there would make it unreadable."""
    if is_stdout(out) or not data.is_dir():
        return
    try:
        folder, target = data.resolve(), out.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the output check names it
        return
    if target == folder or target.parent == folder:
        where_ = "is" if target == folder else "lies in"
        raise CLIError(f"--out {out} {where_} {what} {data}, a folder read as the one table it holds: a second "
                       "table there would make it unreadable. Choose an --out outside it.", USAGE)


def check_table_out(out: Path, force: bool) -> None:
    """A table output (``-``: stdout) checked before any work: suffix, no overwrite without --force;
    standard output open (a closed one was found after the rows were made)."""
    if is_stdout(out):
        require_stdout("give --out a file name")
        return
    from gan_augment.data import io

    with errors(USAGE, DataValidationError, FileExistsError):
        io.check_output_path(out, force=force)


def write_augmented_out(real: RealTable, synthetic, out: Path, force: bool, mark_synthetic: Optional[str], *,
                        round_numbers: bool) -> None:
    """Real rows then synthetic rows to ``out`` (``-``: CSV on stdout), the real lines of a CSV copied as they were
    (synthetic floats rounded to the decimals of the real ones if ``round_numbers``)."""
    from gan_augment.data import io

    if not is_stdout(out):
        with errors(USAGE, FileExistsError):
            io.write_augmented_table(real.frame, synthetic, out, source=real.source, force=force,
                                     mark_synthetic=mark_synthetic, round_numbers=round_numbers)
        return
    with _stdout_bytes() as binary:
        if isinstance(real.source, io.CsvSource):
            io.write_augmented_csv(binary, real.frame, synthetic, real.source, mark_synthetic=mark_synthetic,
                                   round_numbers=round_numbers)
        else:
            _write_csv_bytes(io.augmented_frame(real.frame, synthetic, None, mark_synthetic), binary)


def write_table_out(table, out: Path, force: bool) -> None:
    from gan_augment.data import io

    if is_stdout(out):
        with _stdout_bytes() as binary:
            _write_csv_bytes(table, binary)
        return

    with errors(USAGE, FileExistsError):
        io.write_table(table, out, force=force)


@contextlib.contextmanager
def _stdout_bytes():
    """Standard output as bytes: a table goes out in UTF-8, as in a file, whatever the terminal's
    encoding (an ASCII or Latin-1 stdout failed on the first 'é', half the rows written)."""
    from gan_augment.data import io

    require_stdout("give --out a file name")  # else pandas returns the text, and "Wrote ..." follows
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stdout (an embedding application): the bytes decoded
        held = BytesIO()
        yield held
        sys.stdout.write(held.getvalue().decode(io.CSV_ENCODING))
        return
    sys.stdout.flush()  # text written before must come first
    yield binary
    binary.flush()


def _write_csv_bytes(table, binary) -> None:
    from gan_augment.data import io

    text = TextIOWrapper(binary, encoding="utf-8", newline="")  # as the table files: no BOM
    try:
        io.write_csv(table, text)
        text.flush()
    finally:
        text.detach()  # the stream stays open for what follows


def with_target(rows, label, augmenter, dataset_info: dict):
    """Generated feature rows plus the target column (holding ``label``), where it was in the data."""
    return with_labels(rows, [label] * len(rows), augmenter, dataset_info)


def with_labels(rows, labels: list, augmenter, dataset_info: dict):
    """Feature rows plus the target column (holding ``labels``, one per row), where it was in the data."""
    import pandas as pd

    if not isinstance(rows, pd.DataFrame):
        names = list(getattr(augmenter, "feature_names_in_", [])) or [f"x{i}" for i in range(rows.shape[1])]
        rows = pd.DataFrame(rows, columns=names)
    target = dataset_info.get("target")
    if target is None:  # a model saved without a target name: pick one no column has
        target = "target"
        while target in rows.columns:
            target = f"_{target}"
    column = pd.Series([plain(label) for label in labels], dtype=object)
    dtype = dataset_info.get("target_dtype")
    if dtype:
        try:
            from gan_augment.data._dtypes import dtype_from_json

            column = column.astype(dtype_from_json(dtype))
        except (TypeError, ValueError, KeyError):
            pass  # an unknown dtype record: keep the labels as they are
    columns = dataset_info.get("columns") or []
    position = columns.index(target) if target in columns else len(rows.columns)
    rows = rows.copy()
    rows.insert(min(position, len(rows.columns)), target, column)
    return rows


def dtype_record(dtype) -> Any:
    """The encoder's own JSON record of a dtype, so that the target column round-trips like the others."""
    from gan_augment.data._dtypes import dtype_to_json

    try:
        return dtype_to_json(dtype)
    except (TypeError, ValueError):
        return str(dtype)
