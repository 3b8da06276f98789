"""What the escalation, review and risk pages show, as plain data built from scoped reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from caresignals.core import clock
from caresignals.organisations.models import Organisation
from caresignals.organisations.queries import visible_ancestors
from caresignals.organisations.roles import Capability, user_can
from caresignals.organisations.scoping import may
from caresignals.signals.governance import queries
from caresignals.signals.models import (
    LEVEL_ORDER,
    EscalationChange,
    EscalationLevel,
    QualityRisk,
    RapidQualityReview,
    RiskStatus,
)
from caresignals.signals.watchlist import scoring
from caresignals.signals.watchlist.types import WatchlistEntry


def level_label(level: str) -> str:
    return str(EscalationLevel(level).label)


def month_label(period: str) -> str:
    """'2026-01' → 'January 2026'."""
    year, month = period.split("-")
    return f"{dt.date(int(year), int(month), 1):%B %Y}"


def _crumbs(user: Any, org: Organisation) -> list[dict[str, str]]:
    return [{"text": "Escalation", "href": reverse("signals:escalation_index")}] + [
        {"text": o.name, "href": reverse("signals:escalation_detail", args=[o.code])}
        for o in [*visible_ancestors(user, org), org]
        if o.kind == "provider"
    ]


@dataclass(frozen=True)
class Proposal:
    """What the watchlist suggests a person considers. It never changes a level itself."""

    text: str
    suggested_level: str | None


def proposal(level: str, entries: list[WatchlistEntry]) -> Proposal | None:
    """High concern at a provider below intensive support: suggest considering the next
    level up. Medium or low concern: suggest keeping the provider under review."""
    if not entries:
        return None
    high = [e for e in entries if e.level == "high"]
    if high and level != EscalationLevel.INTENSIVE:
        nxt = (
            EscalationLevel.ENHANCED
            if level == EscalationLevel.ROUTINE
            else EscalationLevel.INTENSIVE
        )
        return Proposal(
            f"The watchlist shows high concern here ({len(high)} "
            f"entr{'y' if len(high) == 1 else 'ies'}). Consider whether "
            f"{level_label(nxt).lower()} is needed; a rapid quality review can decide.",
            nxt,
        )
    return Proposal(
        "The watchlist shows concern here. Keep it under review at the current level, or "
        "hold a rapid quality review if other intelligence points the same way.",
        None,
    )


@dataclass(frozen=True)
class EscalationPage:
    provider: Organisation
    level: str
    since: dt.date | None
    version: int
    history: list[EscalationChange]
    reviews: list[RapidQualityReview]
    period: str
    entries: list[WatchlistEntry]
    proposal: Proposal | None
    can_manage: bool
    breadcrumbs: list[dict[str, str]]
    today: dt.date = field(default_factory=clock.today)

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    @property
    def period_label(self) -> str:
        return month_label(self.period)


def escalation_page(user: Any, code: str) -> EscalationPage:
    queries.require(user, Capability.VIEW_QUALITY_GOVERNANCE)
    provider = queries.provider_for(user, code)
    level, since, version = queries.level_of(provider)
    period = queries.latest_period()
    entries = queries.watchlist_for(user, provider, period)
    return EscalationPage(
        provider=provider,
        level=level,
        since=since,
        version=version,
        history=queries.history(provider),
        reviews=queries.reviews_for(provider),
        period=period,
        entries=entries,
        proposal=proposal(level, entries),
        can_manage=queries.can_manage(user, provider.path),
        breadcrumbs=_crumbs(user, provider),
    )


@dataclass(frozen=True)
class OverviewRow:
    provider: Organisation
    level: str
    since: dt.date

    @property
    def level_label(self) -> str:
        return level_label(self.level)


@dataclass(frozen=True)
class ProposedRow:
    provider_code: str
    provider_name: str
    level: str
    entries: list[WatchlistEntry]
    proposal: Proposal


@dataclass(frozen=True)
class Overview:
    rows: list[OverviewRow]
    proposed: list[ProposedRow]
    period: str
    can_pack: bool

    @property
    def period_label(self) -> str:
        return month_label(self.period)


def overview(user: Any) -> Overview:
    queries.require(user, Capability.VIEW_QUALITY_GOVERNANCE)
    rows = [OverviewRow(r.provider, r.level, r.since) for r in queries.escalated(user)]
    period = queries.latest_period()
    by_provider: dict[str, list[WatchlistEntry]] = {}
    for entry in queries.watchlist(user, period):
        by_provider.setdefault(entry.org_code, []).append(entry)
    levels = queries.levels_by_code(set(by_provider))
    proposed = []
    for code, entries in by_provider.items():
        level = levels.get(code, EscalationLevel.ROUTINE)
        p = proposal(level, entries)
        if p is not None and p.suggested_level is not None:
            proposed.append(ProposedRow(code, entries[0].org_name, level, entries, p))
    return Overview(rows, proposed, period, user_can(user, Capability.VIEW_SQG_PACK))


def escalation_panel(user: Any, org: Organisation) -> dict[str, Any] | None:
    """The small panel on a provider's organisation page: its level and a link."""
    if org.kind != "provider" or not may(user, Capability.VIEW_QUALITY_GOVERNANCE, org.path):
        return None
    level, since, _ = queries.level_of(org)
    return {
        "level": level,
        "label": level_label(level),
        "since": since,
        "href": reverse("signals:escalation_detail", args=[org.code]),
        "escalated": LEVEL_ORDER[EscalationLevel(level)] > 0,
    }


# --------------------------------------------------------------------------- reviews


@dataclass(frozen=True)
class ReviewPage:
    review: RapidQualityReview
    can_manage: bool
    breadcrumbs: list[dict[str, str]]
    today: dt.date = field(default_factory=clock.today)

    @property
    def decision_label(self) -> str:
        return level_label(self.review.decision)

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.review.actions.all() if a.is_overdue(self.today))


def review_page(user: Any, pk: int) -> ReviewPage:
    queries.require(user, Capability.VIEW_QUALITY_GOVERNANCE)
    review = queries.review_for(user, pk)
    crumbs = _crumbs(user, review.provider)
    return ReviewPage(review, queries.can_manage(user, review.provider.path), crumbs)


# --------------------------------------------------------------------------- risks


@dataclass(frozen=True)
class RiskRow:
    risk: QualityRisk
    current: scoring.Rating
    target: scoring.Rating
    overdue: bool

    @property
    def where(self) -> str:
        org = self.risk.organisation
        return f"System-wide ({org.name})" if org.kind == "ics" else org.name


def risk_row(risk: QualityRisk, today: dt.date) -> RiskRow:
    return RiskRow(
        risk,
        scoring.Rating(risk.consequence, risk.likelihood),
        scoring.Rating(risk.target_consequence, risk.target_likelihood),
        risk.status == RiskStatus.OPEN and risk.review_on < today,
    )


RISK_FILTERS = {"open": "Open risks", "overdue": "Reviews overdue", "closed": "Closed risks"}


@dataclass(frozen=True)
class RiskRegister:
    rows: list[RiskRow]
    shown: str
    counts: dict[str, int]
    can_manage: bool
    bands: list[tuple[str, str, str]]


def risk_register(user: Any, shown: str | None, today: dt.date | None = None) -> RiskRegister:
    queries.require(user, Capability.VIEW_QUALITY_GOVERNANCE)
    today = today or clock.today()
    shown = shown if shown in RISK_FILTERS else "open"
    all_rows = [risk_row(r, today) for r in queries.visible_risks(user)]
    groups = {
        "open": [r for r in all_rows if r.risk.status == RiskStatus.OPEN],
        "overdue": [r for r in all_rows if r.overdue],
        "closed": [r for r in all_rows if r.risk.status == RiskStatus.CLOSED],
    }
    rows = sorted(
        groups[shown], key=lambda r: (-r.current.score, r.risk.review_on, r.risk.reference)
    )
    bands = [
        ("low", "Low", "1 to 3"),
        ("moderate", "Moderate", "4 to 6"),
        ("high", "High", "8 to 12"),
        ("extreme", "Extreme", "15 to 25"),
    ]
    return RiskRegister(
        rows, shown, {k: len(v) for k, v in groups.items()}, queries.can_manage(user), bands
    )


@dataclass(frozen=True)
class RiskPage:
    row: RiskRow
    can_manage: bool
    breadcrumbs: list[dict[str, str]]
    today: dt.date = field(default_factory=clock.today)


def risk_page(user: Any, reference: str) -> RiskPage:
    queries.require(user, Capability.VIEW_QUALITY_GOVERNANCE)
    risk = queries.risk_for(user, reference)
    crumbs = [{"text": "Quality risk register", "href": reverse("signals:risk_index")}]
    return RiskPage(
        risk_row(risk, clock.today()), queries.can_manage(user, risk.organisation.path), crumbs
    )
