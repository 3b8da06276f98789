"""Fields derived from what was recorded (docs/import-formats.md, events.csv).

Vectorised over Arrow arrays so an import derives them for a million rows in one pass;
a single event is an array of length one. Lists are accepted too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from caresignals.safety.vocabulary import ETHNIC_GROUP_OF, HARM_ORDER

_CODES = pa.array(sorted(k for k in ETHNIC_GROUP_OF if k))
_GROUPS = pa.array([ETHNIC_GROUP_OF[k] for k in _CODES.to_pylist()])
_HARMS = pa.array(sorted(HARM_ORDER, key=HARM_ORDER.__getitem__))  # none … fatal


def _arrow(values: Any, type_: pa.DataType) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(list(values) if not isinstance(values, Sequence) else values, type=type_)


def imd_quintile(lsoa_decile: Any, given_decile: Any) -> pa.Array:
    """Quintile 1–5 (1 = deciles 1–2), null when deprivation is unknown.

    The decile looked up from the patient's LSOA wins over a decile given directly.
    """
    decile = pc.coalesce(_arrow(lsoa_decile, pa.int64()), _arrow(given_decile, pa.int64()))
    return pc.cast(pc.ceil(pc.divide(pc.cast(decile, pa.float64()), 2.0)), pa.int64())


def ethnic_group(codes: Any) -> pa.Array:
    """NHS Data Dictionary broad group of each ethnic category code (blank or Z: not_known)."""
    idx = pc.index_in(_arrow(codes, pa.string()), value_set=_CODES)
    return pc.fill_null(pc.take(_GROUPS, idx), "not_known")


def harm_rank(levels: Any) -> pa.Array:
    """0 (none) to 4 (fatal); null when not recorded."""
    return pc.index_in(_arrow(levels, pa.string()), value_set=_HARMS)


def max_harm(physical: Any, psychological: Any) -> pa.Array:
    """The worse of physical and psychological harm (psychological severe counts as
    severe); blank when neither was recorded."""
    worst = pc.max_element_wise(harm_rank(physical), harm_rank(psychological), skip_nulls=True)
    return pc.fill_null(pc.take(_HARMS, worst), "")
