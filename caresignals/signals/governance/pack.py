"""The System Quality Group pack: one page for a month, on screen and as a PDF.

What the group reads before it meets: the watchlist's top entries, the escalation decisions
of the month, new risks and risks whose review is overdue, and the themes across the month's
patient-safety events. Built here once; the page, the PDF and `caresignals report sqg` all
draw the same `Pack`. The pack is internal to the ICB's governance (not published), so
counts are shown as they are, without disclosure control.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string

from caresignals.analytics.models import MonthlyEventCount
from caresignals.core import clock
from caresignals.core.cache import cached
from caresignals.core.pdf import html_to_pdf
from caresignals.core.periods import Month
from caresignals.intelligence import queries as intelligence
from caresignals.organisations.presenters import service_at_provider
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for, visible
from caresignals.safety.models import PatientSafetyEvent
from caresignals.safety.vocabulary import MODERATE_OR_WORSE, Category
from caresignals.signals.governance import queries
from caresignals.signals.governance.presenters import RiskRow, level_label, risk_row
from caresignals.signals.models import (
    EscalationChange,
    EscalationLevel,
    ProviderEscalation,
    QualityRisk,
    RiskStatus,
)
from caresignals.signals.watchlist import compute as watchlist_module
from caresignals.signals.watchlist.types import WatchlistEntry
from caresignals.voice.insight import MonthThemes, month_themes
from caresignals.voice.models import Feedback

TOP_ENTRIES = 10
TOP_CATEGORIES = 5
TOP_HARM_CHANGES = 5
CATEGORY_BASELINE_MONTHS = 3
HARM_BASELINE_MONTHS = 12


@dataclass(frozen=True)
class EntryRow:
    entry: WatchlistEntry
    escalation: str

    @property
    def where(self) -> str:
        return service_at_provider(self.entry.service_name, self.entry.org_name)

    @property
    def escalation_label(self) -> str:
        return level_label(self.escalation)


@dataclass(frozen=True)
class CategoryTheme:
    label: str
    month: int
    baseline: float  # mean a month over the previous months

    @property
    def change(self) -> float | None:
        return None if not self.baseline else (self.month - self.baseline) / self.baseline


@dataclass(frozen=True)
class HarmChange:
    where: str
    month: int
    baseline: float


@dataclass(frozen=True)
class MeetingLogs:
    held_on: dt.date
    surveillance: list[Any]
    actions: list[Any]


def _sqg_logs(period: dt.date, user: Any = None) -> list[MeetingLogs]:
    """The logs of the SQG meetings held in the month, as far as `user`'s scope reaches (all
    of them without a user: the command line acts for the system)."""
    end = Month.of(period).next.first_day
    out = []
    for meeting in intelligence.visible_meetings().filter(held_on__gte=period, held_on__lt=end):
        if user is None:
            surveillance, actions = intelligence.logs_in(meeting)
        else:
            surveillance, actions = intelligence.meeting_logs(user, meeting)
        out.append(MeetingLogs(meeting.held_on, surveillance, actions))
    return sorted(out, key=lambda m: m.held_on)


@dataclass(frozen=True)
class Pack:
    period: dt.date
    entries: list[EntryRow]
    watchlist_total: int
    changes: list[EscalationChange]
    new_risks: list[RiskRow]
    overdue_risks: list[RiskRow]
    categories: list[CategoryTheme]
    harm_changes: list[HarmChange]
    events_in_month: int
    as_at: dt.date
    feedback: MonthThemes | None = None
    escalated: list[ProviderEscalation] = field(default_factory=list)
    # The SQG's own surveillance and action logs of meetings held in the month (ADR 31), or
    # None for a reader who may not read them (only the ICB quality team may).
    sqg_logs: list[MeetingLogs] | None = None

    @property
    def complete(self) -> bool:
        """Whether the month has ended with its submission lag passed (core/clock.py); the
        watchlist judged no fall or absence on an incomplete one."""
        return clock.is_complete(Month.of(self.period))

    @property
    def period_label(self) -> str:
        return f"{self.period:%B %Y}" + ("" if self.complete else " (incomplete)")

    @property
    def period_code(self) -> str:
        return str(Month.of(self.period))

    def level_label(self, level: str) -> str:
        return level_label(level)


def _category_themes(
    events: QuerySet[PatientSafetyEvent], period: dt.date
) -> tuple[list[CategoryTheme], int]:
    """The month's most frequent categories, each against its monthly mean over the three
    months before (patient-safety incidents and poor outcomes; risks and good care apart)."""
    start = (Month.of(period) - CATEGORY_BASELINE_MONTHS).first_day
    end = Month.of(period).next.first_day
    rows = (
        events.filter(
            occurred_on__gte=start, occurred_on__lt=end, record_type__in=("incident", "outcome")
        )
        .values("category", "occurred_on__year", "occurred_on__month")
        .annotate(n=Count("id"))
        .order_by()
    )
    month: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    for r in rows:
        if (r["occurred_on__year"], r["occurred_on__month"]) == (period.year, period.month):
            month[r["category"]] += r["n"]
        else:
            before[r["category"]] += r["n"]
    labels = dict(Category.choices)
    themes = [
        CategoryTheme(labels.get(c, c), n, before[c] / CATEGORY_BASELINE_MONTHS)
        for c, n in month.items()
    ]
    themes.sort(key=lambda t: (-t.month, t.label))
    return themes[:TOP_CATEGORIES], sum(month.values())


def _harm_changes(counts: QuerySet[MonthlyEventCount], period: dt.date) -> list[HarmChange]:
    """Services (or providers, for events not tied to a service) whose moderate-or-worse
    harm in the month is furthest above their monthly mean over the year before."""
    start = (Month.of(period) - HARM_BASELINE_MONTHS).first_day
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(
        lambda: {"month": 0.0, "before": 0.0}
    )
    for r in (
        counts.filter(month__gte=start, month__lte=period, max_harm__in=MODERATE_OR_WORSE)
        .values_list("organisation__name", "service__name", "month", "count")
        .order_by()
    ):
        org_name, service_name, month, n = r
        key = (org_name, service_name or "")
        totals[key]["month" if month == period else "before"] += n
    changes = []
    for (org_name, service_name), t in totals.items():
        baseline = t["before"] / HARM_BASELINE_MONTHS
        if t["month"] >= 3 and t["month"] >= 2 * baseline:
            where = service_at_provider(service_name, org_name)
            changes.append(HarmChange(where, int(t["month"]), baseline))
    changes.sort(key=lambda c: (-(c.month - c.baseline), c.where))
    return changes[:TOP_HARM_CHANGES]


def build_pack(
    period: dt.date,
    *,
    entries: list[WatchlistEntry],
    changes: QuerySet[EscalationChange],
    risks: QuerySet[QualityRisk],
    escalations: QuerySet[ProviderEscalation],
    events: QuerySet[PatientSafetyEvent],
    counts: QuerySet[MonthlyEventCount],
    feedback: QuerySet[Feedback],
    today: dt.date | None = None,
    themes: Callable[[], tuple[list[CategoryTheme], int]] | None = None,
    feedback_themes: Callable[[], MonthThemes] | None = None,
) -> Pack:
    """The pack from data already scoped to a reader (or to the whole system). `themes` and
    `feedback_themes`, if given, answer the month's category and feedback themes (from the
    page cache) instead of reading `events` and `feedback` here."""
    today = today or clock.today()
    end = Month.of(period).next.first_day
    as_at = min(today, end - dt.timedelta(days=1))
    levels = dict(escalations.values_list("provider__code", "level"))
    rows = [
        EntryRow(e, levels.get(e.org_code, EscalationLevel.ROUTINE)) for e in entries[:TOP_ENTRIES]
    ]
    month_changes = list(
        changes.filter(decided_on__gte=period, decided_on__lt=end)
        .select_related("provider")
        .order_by("decided_on", "id")
    )
    risk_list = list(risks.select_related("organisation"))
    new = [risk_row(r, as_at) for r in risk_list if period <= r.opened_on < end]
    overdue = [
        risk_row(r, as_at)
        for r in risk_list
        if r.status == RiskStatus.OPEN and r.opened_on < end and r.review_on < as_at
    ]
    overdue.sort(key=lambda r: (r.risk.review_on, r.risk.reference))
    categories, total = themes() if themes is not None else _category_themes(events, period)
    return Pack(
        feedback=feedback_themes()
        if feedback_themes is not None
        else month_themes(feedback, period),
        period=period,
        entries=rows,
        watchlist_total=len(entries),
        changes=month_changes,
        new_risks=new,
        overdue_risks=overdue,
        categories=categories,
        harm_changes=_harm_changes(counts, period),
        events_in_month=total,
        as_at=as_at,
        escalated=list(
            escalations.exclude(level=EscalationLevel.ROUTINE)
            .select_related("provider")
            .order_by("provider__name")
        ),
    )


def pack_for(user: Any, period: dt.date) -> Pack:
    """The pack as `user` may see it: their scope's providers, risks and events only."""

    sqg = Capability.VIEW_SQG_PACK  # every part of the pack: where the reader holds it
    queries.require(user, sqg)
    events = PatientSafetyEvent.objects.visible_to(user, sqg)

    feedback = visible(
        Feedback.objects.all(), user, path_field="organisation__path", capability=sqg
    )
    paths = scope_for(user, sqg).paths

    # The category themes count four months of events, and the feedback themes read the
    # month's comments: kept per reader's pack scope until data of the month or an earlier
    # one change (ADR 25), and warmed in the background (pages/warming.py). Risks and
    # escalation changes are read as they stand.
    def themes() -> tuple[list[CategoryTheme], int]:
        return cached(
            user,
            "signals.pack-themes",
            (period, paths),
            lambda: _category_themes(events, period),
            through=period,
        )

    def feedback_themes() -> MonthThemes:
        return cached(
            user,
            "signals.pack-feedback",
            (period, paths),
            lambda: month_themes(feedback, period),
            through=period,
        )

    logs = None
    if not scope_for(user, Capability.VIEW_INTELLIGENCE).is_empty:
        logs = _sqg_logs(period, user)
    pack = build_pack(
        period,
        entries=queries.watchlist(user, str(Month.of(period)), sqg),
        changes=visible(
            EscalationChange.objects.all(), user, path_field="provider__path", capability=sqg
        ),
        risks=queries.visible_risks(user, sqg),
        escalations=visible(
            ProviderEscalation.objects.all(), user, path_field="provider__path", capability=sqg
        ),
        events=events,
        counts=MonthlyEventCount.objects.visible_to(user, sqg),
        feedback=feedback,
        themes=themes,
        feedback_themes=feedback_themes,
    )
    return dataclasses.replace(pack, sqg_logs=logs)


def system_pack(period: dt.date) -> Pack:
    """The pack for the command line, which acts for the whole ICS."""
    pack = build_pack(
        period,
        entries=watchlist_module.compute_watchlist(str(Month.of(period))),
        changes=EscalationChange.objects.all(),
        risks=QualityRisk.objects.all(),
        escalations=ProviderEscalation.objects.all(),
        events=PatientSafetyEvent.objects.all(),
        counts=MonthlyEventCount.objects.all(),
        feedback=Feedback.objects.all(),
    )
    return dataclasses.replace(pack, sqg_logs=_sqg_logs(period))


@dataclass(frozen=True)
class PackPage:
    period_text: str
    pack: Pack | None
    error: str = ""


def pack_page(user: Any, period_text: str | None) -> PackPage:
    queries.require(user, Capability.VIEW_SQG_PACK)
    text = (period_text or "").strip() or queries.latest_period()
    try:
        period = Month.parse(text).first_day
    except ValueError:
        return PackPage(text, None, "Enter the month as a year and month, for example 2026-10")
    return PackPage(text, pack_for(user, period))


def pdf_filename(pack: Pack) -> str:
    return f"system-quality-group-pack-{pack.period_code}.pdf"


def print_html(pack: Pack, *, today: dt.date | None = None) -> str:
    """The standalone HTML the PDF is drawn from (no links, no scripts, no requests)."""
    return render_to_string(
        "signals/pack_print.jinja",
        {
            "pack": pack,
            "print_version": True,
            "synthetic": settings.DEMO,
            "generated_on": today or clock.today(),
        },
    )


def pack_pdf(pack: Pack, *, today: dt.date | None = None, fetcher: Any = None) -> bytes:
    """A4 PDF through the board report's renderer, which fetches nothing off the machine."""

    return html_to_pdf(print_html(pack, today=today), fetcher=fetcher)
