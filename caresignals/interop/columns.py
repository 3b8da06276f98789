"""Column rules for CSV imports, checked a whole batch at a time with Arrow compute.

Each rule turns a column of strings into typed values plus a mask of rows that broke it,
so validating a million rows costs a handful of vectorised passes, not a Python loop.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from caresignals.core.spreadsheets import RESTORE, restore_cell

Mask = np.ndarray  # bool, True where the row is invalid
Scalar = str | int | dt.date | None

_INT = r"^-?[0-9]{1,12}$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _mask(arr: pa.Array | pa.ChunkedArray) -> Mask:
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    `expected` is the phrase shown to a person when a value is wrong, so it should read
    naturally after "expected": "one of ics, place, provider, service", "a whole number 1–10".
    """

    name: str
    expected: str
    required: bool = True  # a value must be given (the column itself is always required)
    kind: str = "text"  # text | int | date | bool | choice | tristate
    choices: frozenset[str] = frozenset()
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    normalise: Callable[[pa.Array], pa.Array] | None = field(default=None, compare=False)

    def parse(self, raw: pa.Array) -> tuple[pa.Array, Mask]:
        """Return (typed values with nulls for blanks, invalid-row mask)."""
        values = pc.utf8_trim_whitespace(raw)
        if self.normalise is not None:
            values = self.normalise(values)
        if self.free_text and pc.any(pc.starts_with(values, "'")).as_py():
            values = pc.replace_substring_regex(values, RESTORE, r"\1", max_replacements=1)
        blank = pc.equal(values, "")
        bad = _mask(blank) if self.required else np.zeros(len(values), dtype=bool)
        present = ~_mask(blank)
        if self.max_length is not None:
            bad |= present & _mask(pc.greater(pc.utf8_length(values), self.max_length))
        if self.pattern is not None:
            bad |= present & ~_mask(pc.match_substring_regex(values, self.pattern))
        if self.kind == "choice":
            bad |= present & ~_mask(pc.is_in(values, value_set=pa.array(sorted(self.choices))))
            typed = values
        elif self.kind == "int":
            ok = _mask(pc.match_substring_regex(values, _INT))
            bad |= present & ~ok
            safe = pc.if_else(pa.array(ok & present), values, "0")
            typed = pc.if_else(pa.array(present & ok), pc.cast(safe, pa.int64()), None)
            ints = typed.to_numpy(zero_copy_only=False)
            with np.errstate(invalid="ignore"):
                filled = np.where(present & ok, np.nan_to_num(ints.astype(float)), 0)
            if self.minimum is not None:
                bad |= present & ok & (filled < self.minimum)
            if self.maximum is not None:
                bad |= present & ok & (filled > self.maximum)
        elif self.kind == "date":
            shaped = _mask(pc.match_substring_regex(values, _DATE))
            safe = pc.if_else(pa.array(shaped & present), values, "2000-01-01")
            parsed = pc.strptime(safe, format="%Y-%m-%d", unit="s", error_is_null=True)
            # strptime accepts 2026-02-30 on some platforms; a round trip catches it. Year
            # 0000 parses too, but no calendar in use has it.
            back = pc.strftime(parsed, format="%Y-%m-%d")
            real = _mask(pc.equal(back, safe)) & ~_mask(pc.starts_with(safe, "0000-"))
            bad |= present & ~(shaped & real)
            typed = pc.if_else(
                pa.array(present & shaped & real), pc.cast(parsed, pa.date32()), None
            )
        elif self.kind in ("bool", "tristate"):
            lowered = pc.utf8_lower(values)
            allowed = ["true", "false"] + (["unknown"] if self.kind == "tristate" else [])
            bad |= present & ~_mask(pc.is_in(lowered, value_set=pa.array(allowed)))
            typed = lowered
        else:
            typed = values
        if self.kind in ("text", "choice") or self.kind in ("bool", "tristate"):
            typed = pc.if_else(pa.array(present), typed, None)
        return typed, bad

    @property
    def free_text(self) -> bool:
        """Text a person wrote, which a spreadsheet-safe CSV may carry with a leading
        apostrophe (core/spreadsheets.py): taken off here, so exports read back exactly."""
        return self.kind == "text" and self.pattern is None

    @property
    def arrow_type(self) -> pa.DataType:
        return {"int": pa.int64(), "date": pa.date32()}.get(self.kind, pa.string())

    def parse_one(self, raw: str) -> tuple[Scalar, bool]:
        """`parse` for a single value: (typed value or None, whether it breaks the rule).

        The same rule, without Arrow: for one row Arrow's set-up per call costs far more
        than the check (a form or API call would spend milliseconds on it). Values where
        Python and Arrow could read text differently (non-ASCII case folding or patterns, a
        custom normaliser) go through `parse`; a property test holds the two together.
        """
        ascii_only = raw.isascii()
        if self.normalise is not None or (
            not ascii_only and (self.pattern is not None or self.kind != "text")
        ):
            typed, mask = self.parse(pa.array([raw], pa.string()))
            return typed[0].as_py(), bool(mask[0])
        value = raw.strip()  # the same characters as Arrow's utf8_trim_whitespace
        if self.free_text and value.startswith("'"):
            value = restore_cell(value)
        if not value:
            return None, self.required
        bad = False
        if self.max_length is not None and len(value) > self.max_length:
            bad = True
        if self.pattern is not None and re.search(self.pattern, value) is None:
            bad = True
        if self.kind == "choice":
            return value, bad or value not in self.choices
        if self.kind == "int":
            if re.search(_INT, value) is None:
                return None, True
            number = int(value)
            too_small = self.minimum is not None and number < self.minimum
            too_big = self.maximum is not None and number > self.maximum
            return number, bad or too_small or too_big
        if self.kind == "date":
            if re.search(_DATE, value) is None:
                return None, True
            try:
                return dt.date.fromisoformat(value), bad
            except ValueError:
                return None, True
        if self.kind in ("bool", "tristate"):
            lowered = value.lower()
            allowed = ("true", "false", "unknown") if self.kind == "tristate" else ("true", "false")
            return lowered, bad or lowered not in allowed
        return value, bad


def choice(name: str, values: Iterable[str], *, required: bool = True) -> Column:
    """A column whose values come from a list; its error names every value, never a few and "…",
    so a person can correct the row from the message alone."""
    values = frozenset(values)
    return Column(
        name=name,
        expected=f"one of {', '.join(sorted(values))}",
        kind="choice",
        choices=frozenset(values),
        required=required,
    )
