"""The analyst's tools on the home page: what each answers, and what has changed.

For the ICB's analysts and quality leads, whose work starts from the data: the system view
sorted by concern, the funnel plots, the inequality lens and the indicator library, each one
click from home with the question it answers; then the latest complete month and the
indicators whose values arrived most recently, within what the reader may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.measures.queries import visible_measures
from caresignals.organisations.queries import top_organisations
from caresignals.organisations.roles import Role

#: Whose home page leads with the analytical tools.
ANALYSIS_ROLES = frozenset({Role.ANALYST, Role.ICB_QUALITY_LEAD})
#: How many recently updated indicators "What has changed" lists.
RECENT = 5


@dataclass(frozen=True)
class Tool:
    heading: str
    answers: str  # the question it answers, in one sentence
    href: str


@dataclass(frozen=True)
class Arrival:
    """An indicator whose values changed recently: when, and up to which month."""

    name: str
    href: str
    updated_on: dt.date
    latest_month: str


@dataclass(frozen=True)
class AnalysisSection:
    tools: list[Tool]
    last_complete_month: str
    latest_data_month: str  # "" when nothing is recorded yet
    arrivals: list[Arrival]
    lag_days: int
    first: bool  # leads the page (an analyst) or follows the day's work (a quality lead)


def analysis_section(user: Any) -> AnalysisSection | None:
    """The section for an analyst or an ICB quality lead; None for everyone else."""
    held = user.role_codes()
    if not (held & ANALYSIS_ROLES):
        return None
    tools = [
        Tool(
            "System view, most concerning first",
            "Which providers have the most indicators showing special cause concern, or "
            "failing their target, in the latest month?",
            reverse("matrix") + "?sort=concern",
        ),
        Tool(
            "Compare organisations fairly",
            "Is an organisation's rate really different from similar organisations', once "
            "chance and size are allowed for? (funnel plots)",
            reverse("measures:funnel_index"),
        ),
    ]
    tops = top_organisations(user)
    if tops:
        tools.append(
            Tool(
                "Inequalities and patient safety",
                f"Are outcomes and patient-safety events unequal across deprivation and "
                f"ethnic groups in {tops[0].name}?",
                reverse("measures:lens", args=[tops[0].code]),
            )
        )
    tools.append(
        Tool(
            "Indicator library",
            "Exactly how is each indicator defined and calculated, and where do its data "
            "come from?",
            reverse("library:index"),
        )
    )
    measures = visible_measures(user)
    latest = measures.aggregate(m=Max("period"))["m"]
    recent = (
        measures.values("indicator__code", "indicator__name")
        .annotate(updated=Max("updated_at"), month=Max("period"))
        .order_by("-updated", "indicator__name")[:RECENT]
    )
    arrivals = [
        Arrival(
            r["indicator__name"],
            reverse("library:definition", args=[r["indicator__code"]]),
            timezone.localtime(r["updated"]).date(),
            Month.of(r["month"]).label,
        )
        for r in recent
    ]
    return AnalysisSection(
        tools=tools,
        last_complete_month=clock.last_complete_month().label,
        latest_data_month=Month.of(latest).label if latest else "",
        arrivals=arrivals,
        lag_days=clock.submission_lag_days(),
        first=Role.ANALYST in held,
    )
