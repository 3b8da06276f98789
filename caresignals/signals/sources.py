"""Signals from other parts of the system, each behind a guard so the engine works without.

Speak-up cases come from caresignals.speakup.queries.monthly_case_counts() once that module
exists; Duty of Candour notifications from a record of notifications made, once one exists.
Until then each source returns None and its rule stays silent: a missing source never raises
and never reads as "nothing to worry about" on its own.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from caresignals.signals.panel import Matrix, Panel


def speakup_counts(panel: Panel) -> Matrix | None:
    """Speak-up cases per provider and month, aligned with the panel; None without the module.

    Expects ``monthly_case_counts()`` to return an iterable of (org_code, "YYYY-MM", count).
    """
    try:
        module: Any = importlib.import_module("caresignals.speakup.queries")
    except ImportError:
        return None
    counter = getattr(module, "monthly_case_counts", None)
    if counter is None:
        return None
    out = np.zeros((len(panel.units), len(panel.months)))
    col = {m: i for i, m in enumerate(panel.months)}
    index = {u.code: i for i, u in enumerate(panel.units)}
    for code, period, count in counter():
        period = str(period)[:7]
        if code in index and period in col:
            out[index[code], col[period]] += float(count)
    return out


def candour_overdue(panel: Panel, period: str) -> dict[str, tuple[int, str]] | None:
    """{org code: (notifications overdue at the end of `period`, the oldest due date)}, or
    None while no record of notifications exists to tell overdue from unrecorded.

    A candour module provides ``overdue_at(period) -> dict`` (same shape) to switch it on.
    """
    for name in ("caresignals.safety.candour", "caresignals.candour.queries"):
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            continue
        overdue = getattr(module, "overdue_at", None)
        if overdue is not None:
            return dict(overdue(period))
    return None
