"""Signals from other parts of the system: speak-up cases and Duty of Candour records.

Speak-up cases come from caresignals.speakup.queries.monthly_case_counts(); overdue candour
notifications from caresignals.safety.candour.notifiable (the record of the candour steps).
Each source sits behind a guard, so a deployment without one still computes every other
signal: a missing source returns None, and its rule stays silent rather than reading as
"nothing to worry about".
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.intelligence.queries import credible_severe_open, overdue_at
from caresignals.safety.events.rules import CANDOUR_WORKING_DAYS, add_working_days
from caresignals.safety.models import PatientSafetyEvent
from caresignals.signals.watchlist.panel import Matrix, Panel


def speakup_counts(panel: Panel) -> Matrix | None:
    """Speak-up cases per provider and month, aligned with the panel; None without the module.

    ``monthly_case_counts()`` returns {(provider code, "YYYY-MM"): count}; an iterable of
    (code, "YYYY-MM", count) rows is read too.
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
    found = counter()
    rows = (
        ((code, period, count) for (code, period), count in found.items())
        if isinstance(found, Mapping)
        else found
    )
    for code, period, count in rows:
        period = str(period)[:7]
        if code in index and period in col:
            out[index[code], col[period]] += float(count)
    return out


def candour_overdue(panel: Panel, period: str) -> dict[str, tuple[int, str]] | None:
    """{org code: (notifications overdue at the end of `period`, the oldest due date)} for
    services and providers, or None while no record of notifications exists to tell overdue
    from unrecorded.

    Reads the candour module (``caresignals.safety.candour.notifiable``: ``notifiable_q()``,
    ``done_q()``, ``open_q()`` and ``overdue_reported_before(day)``) when it is present.
    Notifications are taken as recorded now, so for a past month one made since then no
    longer counts. Only open notifications count: not done, not decided not notifiable, and
    not "not known" (reported before the provider's "candour tracked from" date, or imported
    without candour data), as on the candour list.
    """
    try:
        module: Any = importlib.import_module("caresignals.safety.candour.notifiable")
    except ImportError:
        return None
    needed = ("notifiable_q", "done_q", "overdue_reported_before")
    if not all(hasattr(module, name) for name in needed):
        return None
    from django.db.models import Count, Min

    y, m = int(period[:4]), int(period[5:7])
    day_after = dt.date(y + m // 12, m % 12 + 1, 1)
    cutoff = module.overdue_reported_before(day_after)
    rows = (
        PatientSafetyEvent.objects.filter(
            module.notifiable_q(),
            module.open_q() if hasattr(module, "open_q") else ~module.done_q(),
            reported_on__lte=cutoff,
        )
        .values("organisation__code", "service__code")
        .annotate(n=Count("id"), oldest=Min("reported_on"))
        .order_by()
    )
    found: dict[str, tuple[int, dt.date]] = {}
    for row in rows:
        for code in (row["organisation__code"], row["service__code"]):
            if not code:
                continue
            n, oldest = found.get(code, (0, row["oldest"]))
            found[code] = (n + row["n"], min(oldest, row["oldest"]))
    return {
        code: (n, add_working_days(oldest, CANDOUR_WORKING_DAYS).isoformat())
        for code, (n, oldest) in found.items()
    }


def _day_read(period: str) -> dt.date:
    """The day a month is read on: its last day, or today while it has not ended."""
    return min(Month.parse(period).last_day, clock.today())


def soft_intelligence(period: str, *, months: int) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """{organisation code: (received on, source, credibility) of each item of soft
    intelligence graded high severity and credible or corroborated, received in the
    `months` months up to the end of `period` and still open then}
    (caresignals.intelligence.queries.credible_severe_open)."""
    day = _day_read(period)
    since = (Month.parse(period) - (months - 1)).first_day
    return {
        code: tuple(
            (i.received_on.isoformat(), i.get_source_display(), i.get_credibility_display())
            for i in items
        )
        for code, items in credible_severe_open(day, since).items()
    }


def alerts_overdue(period: str) -> dict[str, tuple[tuple[str, str, int, int], ...]]:
    """{provider code: (reference, deadline, actions outstanding, actions) of each national
    patient safety alert overdue there at the end of `period`}
    (caresignals.intelligence.queries.overdue_at, with the injected clock for a month not
    yet over)."""
    return {
        code: tuple(
            (s.alert.reference, s.alert.deadline.isoformat(), s.outstanding, s.total)
            for s in statuses
        )
        for code, statuses in overdue_at(_day_read(period)).items()
    }
