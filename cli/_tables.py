"""Tables (CSV / parquet) on the command line: read with the target column split off, synthetic rows
written back with the target column where it was, in the dtype it had."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

from gan_augment.exceptions import DataValidationError

from ._common import DATA, PROG, USAGE, CLIError, errors, is_stdout, plain, quote, say, show, where
from ._data import DataHandler, Dataset, added_text, resolve_labels, synthetic_samples


class TableData(DataHandler):
    kind_name = "tabular"

    def load(self, data: Path, *, target: Optional[str], classes: Optional[list[str]],
             skip_unreadable: bool = False) -> Dataset:
        from gan_augment.data import io

        with errors(DATA, DataValidationError, OSError):
            frame = io.read_table(data)
        with errors(USAGE, DataValidationError):
            target_name = io.find_target(frame.columns, target, source=str(data))
        with errors(DATA, DataValidationError):
            X, y = io.split_target(frame, target_name, source=str(data))
        labels = resolve_labels(classes, y)
        return Dataset(
            X=X, y=y, labels=labels, real=frame,
            summary=f"Read {len(frame):,} rows x {frame.shape[1]} columns from {data}; "
                    f"target column {str(target_name)!r}.",
            single_class=f"Target column {str(target_name)!r} of {data} holds a single class",
            # What `sample` needs to put the target column back as it was.
            info={"target": plain(target_name), "target_dtype": dtype_record(y.dtype),
                  "columns": [plain(c) for c in frame.columns]},
        )

    def next_hint(self, out: Path, label: Any) -> str:
        return f"Next: {PROG} sample {quote(out)} --class {quote(label)} --n 1000 --out synthetic.csv"

    def fitted_on(self, dataset_info: dict) -> str:
        return f", target column {dataset_info.get('target')!r}"

    # ------------------------------------------------------------ augment
    def check_augment_args(self, data: Path, out: Path, *, force: bool, target: Optional[str],
                           mark_synthetic: Optional[str]) -> None:
        check_table_out(out, force)

    def check_augment_job(self, data: Path, dataset: Dataset, mark_synthetic: Optional[str]) -> None:
        if mark_synthetic is not None and mark_synthetic in [str(c) for c in dataset.real.columns]:
            raise CLIError(f"--mark-synthetic {mark_synthetic!r} is already a column of {data}; choose another name.",
                           USAGE)

    def write_augmented(self, dataset: Dataset, augmenter, out: Path, *, force: bool,
                        mark_synthetic: Optional[str], seconds: float) -> None:
        import pandas as pd

        frame = dataset.real
        parts, added = [frame], {}
        for label, rows in synthetic_samples(augmenter):
            parts.append(with_target(rows, label, augmenter, dataset.info))
            added[label] = len(rows)
        table = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)[frame.columns]
        if mark_synthetic is not None:
            table[mark_synthetic] = pd.Series([False] * len(frame) + [True] * (len(table) - len(frame)), dtype=bool)
        write_table_out(table, out, force)
        say(f"Wrote {len(table):,} rows ({len(frame):,} real, {len(table) - len(frame):,} synthetic: "
            f"{added_text(added)}) to {where(out)} (fit in {seconds:.1f} s).")

    # ------------------------------------------------------------ sample
    def check_sample_out(self, out: Path, model_dir: Path, *, force: bool, names_file: bool) -> None:
        check_table_out(out, force)

    def write_samples(self, augmenter, dataset_info: dict, label: Any, n: int, out: Path, *, force: bool,
                      seed: Optional[int]) -> None:
        rows = augmenter.sample(n, label, random_state=seed)
        write_table_out(with_target(rows, label, augmenter, dataset_info), out, force)
        say(f"Wrote {n:,} synthetic rows of class {show(label)} to {where(out)}.")


def check_table_out(out: Path, force: bool) -> None:
    """A table output (``-``: stdout) checked before any work: suffix, no overwrite without --force."""
    if is_stdout(out):
        return
    from gan_augment.data import io

    with errors(USAGE, DataValidationError, FileExistsError):
        io.check_output_path(out, force=force)


def write_table_out(table, out: Path, force: bool) -> None:
    if is_stdout(out):
        table.to_csv(sys.stdout, index=False)
        return
    from gan_augment.data import io

    with errors(USAGE, FileExistsError):
        io.write_table(table, out, force=force)


def with_target(rows, label, augmenter, dataset_info: dict):
    """Generated feature rows plus the target column (holding ``label``), where it was in the data."""
    import pandas as pd

    if not isinstance(rows, pd.DataFrame):
        names = list(getattr(augmenter, "feature_names_in_", [])) or [f"x{i}" for i in range(rows.shape[1])]
        rows = pd.DataFrame(rows, columns=names)
    target = dataset_info.get("target")
    if target is None:  # a model saved without a target name: pick one no column has
        target = "target"
        while target in rows.columns:
            target = f"_{target}"
    column = pd.Series([plain(label)] * len(rows), dtype=object)
    dtype = dataset_info.get("target_dtype")
    if dtype:
        try:
            from gan_augment.data.tabular import dtype_from_json

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
    from gan_augment.data.tabular import dtype_to_json

    try:
        return dtype_to_json(dtype)
    except (TypeError, ValueError):
        return str(dtype)
