"""What the watchlist page shows: the month's entries a reader may see, in words.

The ranking itself comes from watchlist.py; this module only chooses the month, cuts the list
to the reader's scope and prepares labels, so the view stays thin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caresignals.core.periods import Month
from caresignals.organisations.permissions import require_capability
from caresignals.organisations.roles import Capability
from caresignals.signals.watchlist.compute import (
    available_periods,
    compute_watchlist,
    default_period,
    is_complete,
    visible_entries,
)
from caresignals.signals.watchlist.engine import SKIPPED_ON_INCOMPLETE
from caresignals.signals.watchlist.panel import month_name
from caresignals.signals.watchlist.types import WatchlistEntry

KIND_LABELS = {
    "harm_special_cause": "Harm: special-cause concern",
    "harm_rare_cluster": "Harm: a cluster of rare events",
    "harm_funnel_outlier": "Harm: outlier among peers",
    "moderate_harm_rising": "More of what is reported is harmful",
    "reporting_fall": "Incident reporting falling",
    "reporting_fall_with_harm": "Reporting falling while harm rises",
    "missing_events": "Missing data: no events reported",
    "missing_measure": "Missing data: measure not submitted",
    "experience_worsening": "People's experience worsening (FFT)",
    "complaints_rising": "Complaints rising",
    "restrictive_practice_rising": "Restrictive practice rising",
    "restrictive_divergence": "Restrictive practice not being reported",
    "staffing_pressure": "Staffing pressure",
    "candour_overdue": "Duty of Candour overdue",
    "soft_intelligence": "Soft intelligence",
    "safety_alert_overdue": "Safety alert overdue",
    "speakup_change": "Speaking up: a change",
    "closed_culture": "Closed-culture warning signs",
}

LEVEL_TAGS = {"high": "nhsuk-tag--red", "medium": "nhsuk-tag--orange", "low": "nhsuk-tag--yellow"}


@dataclass(frozen=True)
class WatchlistPage:
    period: str | None
    period_label: str
    entries: list[WatchlistEntry]
    period_options: list[dict[str, Any]]
    errors: list[dict[str, str]] = field(default_factory=list)
    complete: bool = True
    incomplete_note: str = SKIPPED_ON_INCOMPLETE

    @property
    def counts(self) -> dict[str, int]:
        out = {"high": 0, "medium": 0, "low": 0}
        for e in self.entries:
            out[e.level] += 1
        return out


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def watchlist_page(user: Any, raw_period: str) -> WatchlistPage:
    """The page for `raw_period` (YYYY-MM, or blank for the last complete month). Readers without
    the watchlist capability get 404, as for anything not theirs to see."""
    require_capability(user, Capability.VIEW_WATCHLIST, hidden=True)
    periods = available_periods()
    raw = raw_period.strip()
    errors: list[dict[str, str]] = []
    period: str | None = default_period() if periods else None
    if raw:
        if not Month.is_month(raw):
            errors.append(
                {
                    "text": "Enter the month as a year and month, for example 2026-10",
                    "href": "#period",
                }
            )
        elif raw not in periods:
            errors.append(
                {
                    "text": f"There are no data for {raw}: choose a month from the list",
                    "href": "#period",
                }
            )
        else:
            period = raw
    entries: list[WatchlistEntry] = []
    if period is not None and not errors:
        entries = visible_entries(user, compute_watchlist(period))
    options = [
        {
            "value": p,
            "text": month_name(p) + ("" if is_complete(p) else " (incomplete)"),
            "selected": p == period,
        }
        for p in periods
    ]
    return WatchlistPage(
        period=period,
        period_label=month_name(period) if period else "",
        entries=entries,
        period_options=options,
        errors=errors,
        complete=period is None or is_complete(period),
    )
