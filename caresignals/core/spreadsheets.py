"""CSV that is safe to open in a spreadsheet, and read back exactly.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
spreadsheet programs, so text from the public forms could run on an analyst's machine
(OWASP's "CSV injection"). Every CSV the product writes goes through `writer`/`dict_writer`,
which put an apostrophe before such a cell: the spreadsheets' own mark for "this is text",
which they hide. The importers take exactly one such apostrophe off again (`RESTORE` in the
column rules), so an export read back in is unchanged, whatever the text began with.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

# The characters OWASP lists, after any apostrophes already there (so that text that really
# begins with an apostrophe and then one of them also comes back exactly).
FORMULA = re.compile(r"^'*[=+\-@\t\r]")
# What an importer undoes: one apostrophe in front of a neutralised cell (RE2 and Python).
RESTORE = r"^'('*[=+\-@\t\r])"
# Longer than any spreadsheet cell holds (32,767 characters): rejects files cut here.
CELL_LIMIT = 32_000


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and FORMULA.match(value):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    return re.sub(RESTORE, r"\1", value, count=1)


def shortened(value: Any, limit: int = CELL_LIMIT) -> Any:
    """A cell cut to `limit` characters, saying so, for files people open to fix rows."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + f"… [cut: {len(value):,} characters in all]"
    return value


class _SafeWriter:
    def __init__(self, inner: Any, *, limit: int | None) -> None:
        self._inner = inner
        self._limit = limit

    def _cell(self, value: Any) -> Any:
        if self._limit is not None:
            value = shortened(value, self._limit)
        return safe_cell(value)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._inner.writerow([self._cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _SafeDictWriter(_SafeWriter):
    def writeheader(self) -> Any:
        return self._inner.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:  # type: ignore[override]
        return self._inner.writerow({k: self._cell(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:  # type: ignore[override]
        for row in rows:
            self.writerow(row)


def writer(handle: IO[str], *, limit: int | None = None, **options: Any) -> _SafeWriter:
    """`csv.writer` whose cells cannot run in a spreadsheet; `limit` cuts long cells."""
    return _SafeWriter(csv.writer(handle, **options), limit=limit)


def dict_writer(
    handle: IO[str], fieldnames: Sequence[str], *, limit: int | None = None, **options: Any
) -> _SafeDictWriter:
    """`csv.DictWriter` whose cells cannot run in a spreadsheet; `limit` cuts long cells."""
    return _SafeDictWriter(csv.DictWriter(handle, fieldnames=fieldnames, **options), limit=limit)
