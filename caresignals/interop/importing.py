"""The CSV import framework every kind of import uses.

Guarantees (docs/import-formats.md):
- every row is validated, and every error names the row, column, value and what was expected;
- all-or-nothing by default: one transaction, rolled back if any row is invalid;
- `--skip-invalid` loads the valid rows and writes the rejected ones, with a reason, to a file;
- rows are keyed, so importing the same file twice changes nothing, and a changed row updates
  the stored one (the owning app's services audit the change);
- memory stays bounded apart from the set of keys seen: rows are read in batches.

Row numbers count the header as row 1, so the first data row is row 2, as a spreadsheet
shows it.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record_many
from caresignals.core import spreadsheets
from caresignals.core.cache import bump
from caresignals.interop.columns import Column

BATCH_ROWS = 50_000
MAX_ERRORS_KEPT = 1_000


class ImportFailed(Exception):
    """The file could not be imported; nothing was stored."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.summary())
        self.report = report


@dataclass(frozen=True)
class RowError:
    row: int  # 1 = the header row
    column: str
    value: str
    expected: str

    def message(self) -> str:
        if self.row <= 1 and not self.value:
            return f"{self.column}: {self.expected}"
        value = self.value if len(self.value) <= 80 else self.value[:77] + "…"
        shown = repr(value) if value else "a blank value"
        if len(self.value) > 80:
            shown += f" ({len(self.value):,} characters)"
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        return f"{where}: got {shown}, expected {self.expected}"


@dataclass
class ImportReport:
    kind: str
    path: str
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    stored: bool = False

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)

    def summary(self) -> str:
        if self.error_count and not self.stored:
            return (
                f"{self.path}: {self.error_count} error(s) in {self.rows_read} row(s); "
                "nothing was imported."
            )
        text = (
            f"{self.kind}: {self.rows_read} row(s) read; {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.rejected:
            text += f"; {self.rejected} rejected"
        return text + "."


@dataclass
class Batch:
    """A slice of the file: raw strings, typed values and which rows are still valid."""

    first_row: int
    header: list[str]
    raw: dict[str, pa.Array]
    typed: dict[str, pa.Array]
    invalid: np.ndarray
    _lists: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.invalid)

    def row_number(self, index: int) -> int:
        return self.first_row + index

    def valid_indices(self) -> np.ndarray:
        return np.flatnonzero(~self.invalid)

    def raw_value(self, column: str, index: int) -> str:
        return str(self.raw[column][index].as_py() or "") if column in self.raw else ""

    def raw_row(self, index: int) -> dict[str, str]:
        return {c: self.raw_value(c, index) for c in self.header}

    def column(self, name: str) -> list[Any]:
        """Typed values as a Python list (None for blanks), computed once per batch."""
        if name not in self._lists:
            self._lists[name] = self.typed[name].to_pylist()
        return self._lists[name]


class Importer:
    """One kind of import: its columns, its key, and how valid rows are stored.

    Subclasses add cross-row checks in `check_batch` (unknown codes, duplicate keys) and
    store valid rows in `store`; importers whose rows refer to each other (organisations
    name parents that may come later in the file) keep rows and decide in `finish`.
    """

    kind: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    key: ClassVar[tuple[str, ...]]
    optional_columns: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.report: ImportReport
        self._seen: dict[str, int] = {}
        self._rejects: RejectWriter | None = None

    def audit_completed(self) -> None:
        """One audit entry for the whole import, with its counts (for importers whose rows
        are not audited one by one)."""
        record_many(
            self.actor,
            [
                Change(
                    AuditAction.IMPORT_COMPLETED,
                    "import",
                    self.kind,
                    details={
                        "path": self.report.path,
                        "created": self.report.created,
                        "updated": self.report.updated,
                        "unchanged": self.report.unchanged,
                    },
                )
            ],
        )

    # -- hooks -----------------------------------------------------------------------
    def map_header(self, header: list[str]) -> tuple[dict[str, str], list[RowError]]:
        """Map each of our column names to the file's header name, or report errors.

        The default is our own format exactly: every column present, nothing unknown.
        Importers that also accept an official file with its own names override this.
        """
        errors: list[RowError] = []
        names = [c.name for c in self.columns]
        seen: set[str] = set()
        for name in header:
            if name in seen:
                errors.append(RowError(1, name, "", f"the column {name!r} appears more than once"))
            seen.add(name)
            if name not in names:
                errors.append(
                    RowError(
                        1, name, "", f"unknown column {name!r}; the columns are: {', '.join(names)}"
                    )
                )
        for name in names:
            if name not in seen and name not in self.optional_columns:
                errors.append(RowError(1, name, "", f"the required column {name!r} is missing"))
        return {n: n for n in names if n in seen}, errors

    def check_batch(self, batch: Batch) -> None:
        """Cross-row and database checks; call `self.reject` for each failing row."""

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        """Store the valid rows `indices` of `batch` (inside the import's transaction).

        Called for every batch even after an error, so that importers which keep rows for
        `finish` can still check them; writing then is pointless, so check `may_write`.
        """
        raise NotImplementedError

    # Large importers split `store` in two so that reading and checking the next batch
    # (Arrow work, on a second thread) overlaps writing this one (database work, on the
    # thread that owns the connection). `prepare` must not touch the database.
    pipelined: ClassVar[bool] = False

    def prepare(self, batch: Batch, indices: np.ndarray) -> Any:
        """Turn valid rows into whatever `write` needs. No database access here."""
        return batch, indices

    def write(self, prepared: Any) -> None:
        """Write what `prepare` made, on the database's own thread."""
        self.store(*prepared)

    def begin(self) -> None:
        """Called before the first batch is read (again, if the file is read a second time),
        inside the transaction."""

    def finish(self) -> None:
        """Called once after the last batch, still inside the transaction."""

    @property
    def may_write(self) -> bool:
        """False once an error means the whole import will be rolled back."""
        return self._rejects is not None or self.report.error_count == 0

    # -- helpers for subclasses --------------------------------------------------------
    def reject(self, batch: Batch, index: int, column: str, expected: str) -> None:
        value = batch.raw_value(column, index)
        self._record_error(batch.row_number(index), column, value, expected, batch.raw_row(index))
        batch.invalid[index] = True

    def reject_where(self, batch: Batch, mask: np.ndarray, column: str, expected: str) -> None:
        """Reject every still-valid row where `mask` is true (a vectorised rule broke)."""
        for i in np.flatnonzero(mask & ~batch.invalid):
            self.reject(batch, int(i), column, expected)

    def reject_row(self, row: int, raw: dict[str, str], column: str, expected: str) -> None:
        self._record_error(row, column, raw.get(column, ""), expected, raw)

    def _record_error(
        self, row: int, column: str, value: str, expected: str, raw: dict[str, str]
    ) -> None:
        error = RowError(row=row, column=column, value=value, expected=expected)
        self.report.add_error(error)
        if self._rejects is not None:
            self._rejects.write(raw, error)

    def check_unique_keys(self, batch: Batch) -> None:
        """Reject a row whose key already appeared earlier in the file."""
        parts = [pc.fill_null(batch.typed[c].cast(pa.string()), "") for c in self.key]
        joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
        keys = joined.to_pylist()
        seen = self._seen
        column = self.key[0] if len(self.key) == 1 else "+".join(self.key)
        for i in batch.valid_indices().tolist():
            key = keys[i]
            first = seen.get(key)
            if first is None:
                seen[key] = batch.row_number(i)
                continue
            error = RowError(
                row=batch.row_number(i),
                column=column,
                value=key.replace("\x1f", " / "),
                expected=f"a {', '.join(self.key)} not already used (it is used in row {first})",
            )
            self.report.add_error(error)
            if self._rejects is not None:
                self._rejects.write(batch.raw_row(i), error)
            batch.invalid[i] = True


class RejectWriter:
    """Writes rejected rows, as they were, with a `reason` column."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self._file = path.open("w", newline="", encoding="utf-8")
        self._writer = spreadsheets.dict_writer(
            self._file, fieldnames=[*header, "row", "reason"], limit=spreadsheets.CELL_LIMIT
        )
        self._writer.writeheader()
        self.count = 0
        self._rows: set[int] = set()

    def write(self, raw: dict[str, str], error: RowError) -> None:
        if error.row in self._rows:  # one line per rejected row, first reason wins
            return
        self._rows.add(error.row)
        # Cells as the file meant them, then made safe again: a cell that came in already
        # neutralised goes out exactly as it came.
        cells = {k: spreadsheets.restore_cell(v) for k, v in raw.items()}
        self._writer.writerow({**cells, "row": error.row, "reason": error.message()})
        self.count += 1

    def close(self) -> None:
        self._file.close()


def _read_header(path: Path) -> tuple[list[str], str]:
    with path.open("r", encoding="utf-8-sig", newline="") as f:
        try:
            first = next(csv.reader(f), None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"the file could not be read as UTF-8 CSV ({exc})") from None
    if not first or not any(h.strip() for h in first):
        raise ValueError("the file is empty: a header row is required")
    return [h.strip() for h in first], ""


def _count_rows(path: Path) -> int:
    with path.open("rb") as f:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1, 0)


def _arrow_reader(path: Path, header: list[str], on_invalid: Any) -> Any:
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=16 << 20, column_names=header, skip_rows=1),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _fast_batches(
    path: Path, header: list[str], report: ImportReport, on_invalid: Any
) -> Iterator[tuple[int, dict[str, pa.Array]]]:
    """Arrow's multi-threaded reader: columns straight into Arrow arrays."""
    row = 2
    for record_batch in _arrow_reader(path, header, on_invalid):
        pending = record_batch
        while pending.num_rows:
            chunk, pending = pending.slice(0, BATCH_ROWS), pending.slice(BATCH_ROWS)
            report.rows_read += chunk.num_rows
            yield row, {name: chunk.column(name) for name in header}
            row += chunk.num_rows


def _exact_batches(
    path: Path, header: list[str], importer: Importer, report: ImportReport
) -> Iterator[tuple[int, dict[str, pa.Array]]]:
    """Python's csv reader, row by row: exact row numbers around malformed rows."""
    width = len(header)
    rows: list[list[str]] = []
    first_row = 2
    row_number = 1

    def flush() -> tuple[int, dict[str, pa.Array]]:
        columns = list(zip(*rows, strict=True))
        return first_row, {
            h: pa.array(c, type=pa.string()) for h, c in zip(header, columns, strict=True)
        }

    with path.open("r", encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        next(reader)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_number += 1
                report.rows_read += 1
                importer.reject_row(row_number, {}, "", f"well-formed CSV ({exc})")
                continue
            except UnicodeDecodeError:
                report.add_error(
                    RowError(row_number + 1, "", "", "UTF-8 text (the file has other bytes)")
                )
                break
            row_number += 1
            if len(record) != width:
                if not any(v.strip() for v in record):
                    continue  # a blank line is not a row
                report.rows_read += 1
                raw = dict(zip(header, record, strict=False))
                importer.reject_row(
                    row_number, raw, "", f"{width} values as in the header, got {len(record)}"
                )
                continue
            report.rows_read += 1
            # A dropped row breaks the run of numbers: flush so numbering stays exact.
            if rows and (len(rows) >= BATCH_ROWS or first_row + len(rows) != row_number):
                yield flush()
                rows = []
            if not rows:
                first_row = row_number
            rows.append(record)
        if rows:
            yield flush()


def build_batch(
    importer: Importer,
    header: list[str],
    mapping: dict[str, str],
    first_row: int,
    by_header: dict[str, pa.Array],
) -> Batch:
    """Parse one batch of raw columns with the importer's column rules."""
    length = len(next(iter(by_header.values()))) if by_header else 0
    # Raw values under our own column names (for messages), the file's own kept for rejects.
    raw = dict(by_header)
    for name, source in mapping.items():
        raw[name] = by_header[source]
    invalid = np.zeros(length, dtype=bool)
    typed: dict[str, pa.Array] = {}
    batch = Batch(first_row=first_row, header=header, raw=raw, typed=typed, invalid=invalid)
    for column in importer.columns:
        if column.name not in raw:
            raw[column.name] = pa.array([""] * length, type=pa.string())
        source = raw[column.name]
        if isinstance(source, pa.ChunkedArray):
            source = source.combine_chunks()
            raw[column.name] = source
        values, bad = column.parse(source)
        typed[column.name] = values
        for i in np.flatnonzero(bad):
            importer.reject(batch, int(i), column.name, column.expected)
    return batch


def build_row(importer: Importer, row: dict[str, str], row_number: int = 2) -> Batch:
    """`build_batch` for one row (a form or an API call), through each rule's scalar twin
    (`Column.parse_one`); the result is the same one-row batch, ready for the importer's
    cross-field checks."""
    raw: dict[str, pa.Array] = {}
    typed: dict[str, pa.Array] = {}
    batch = Batch(
        first_row=row_number,
        header=list(row),
        raw=raw,
        typed=typed,
        invalid=np.zeros(1, dtype=bool),
    )
    for name, value in row.items():
        raw[name] = pa.array([value], pa.string())
    for column in importer.columns:
        value = row.get(column.name, "")
        if column.name not in raw:
            raw[column.name] = pa.array([value], pa.string())
        parsed, bad = column.parse_one(value)
        typed[column.name] = pa.array([parsed], column.arrow_type)
        if bad:
            importer.reject(batch, 0, column.name, column.expected)
    return batch


class _Rollback(Exception):
    pass


_DONE = object()


def _ahead(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Run `items` on a second thread, up to `depth` ahead of the consumer.

    Arrow releases the interpreter lock while it parses and computes, and the database
    drivers release it while the server or SQLite works, so the two threads overlap.
    Exceptions reach the consumer in order.
    """
    import queue
    import threading

    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            q.put((None, exc))

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, error = q.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        thread.join()


class _Malformed(Exception):
    """The fast reader met a row it had to skip: start again with the exact reader."""


def run_import(
    importer: Importer,
    path: Path,
    *,
    skip_invalid: Path | None = None,
    progress: bool | None = None,
) -> ImportReport:
    """Validate and load `path`. Raises ImportFailed (nothing stored) on any error,
    unless `skip_invalid` names a file for the rejected rows.

    Files are read by Arrow's fast reader. If it meets a malformed row (one it would have
    to skip, so later row numbers would be wrong), everything done so far is rolled back
    and the file is read again, exactly, by Python's csv reader.
    """
    report = ImportReport(kind=importer.kind, path=str(path))
    importer.report = report
    if not path.exists():
        report.add_error(RowError(0, "", "", f"a file at {path} (none was found)"))
        raise ImportFailed(report)
    try:
        header, _ = _read_header(path)
    except ValueError as exc:
        report.add_error(RowError(1, "file", "", str(exc)))
        raise ImportFailed(report) from None
    _, header_errors = importer.map_header(header)
    if header_errors:
        for e in header_errors:
            report.add_error(e)
        raise ImportFailed(report)

    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=_count_rows(path), unit="rows", desc=f"import {importer.kind}")

    def load(exact: bool) -> None:
        # Mapped again on a fresh start: importers note what kind of file it is as they map.
        mapping, _ = importer.map_header(header)
        if skip_invalid is not None:
            importer._rejects = RejectWriter(skip_invalid, header)
        importer.begin()
        malformed = False

        def skip(_: Any) -> str:
            nonlocal malformed
            malformed = True
            return "skip"

        batches = (
            _exact_batches(path, header, importer, report)
            if exact
            else _fast_batches(path, header, report, skip)
        )

        def checked() -> Iterator[tuple[int, Any]]:
            for first_row, columns in batches:
                if malformed:
                    raise _Malformed
                batch = build_batch(importer, header, mapping, first_row, columns)
                importer.check_batch(batch)
                indices = batch.valid_indices()
                yield len(batch), importer.prepare(batch, indices) if len(indices) else None
            if malformed:
                raise _Malformed

        stream = _ahead(checked()) if importer.pipelined else checked()
        for size, prepared in stream:
            if prepared is not None:
                importer.write(prepared)
            if bar is not None:
                bar.update(size)
        importer.finish()

    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    load(exact=False)
            except (_Malformed, pa.ArrowInvalid):
                if importer._rejects is not None:
                    importer._rejects.close()
                importer.__init__(importer.actor)  # type: ignore[misc]  # a clean slate
                report = ImportReport(kind=importer.kind, path=str(path))
                importer.report = report
                if bar is not None:
                    bar.reset()
                load(exact=True)
            if report.error_count and skip_invalid is None:
                raise _Rollback

            bump()  # pages computed from the old data are out of date
    except _Rollback:
        raise ImportFailed(report) from None
    finally:
        if bar is not None:
            bar.close()
        if importer._rejects is not None:
            importer._rejects.close()
    report.stored = True
    if importer._rejects is not None:
        report.rejected = importer._rejects.count
    return report
