"""Records the governance tests need, and fake watchlist entries (the engine is elsewhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caresignals.audit.services import Actor
from caresignals.organisations.models import Organisation
from caresignals.signals.governance import services
from caresignals.signals.models import QualityRisk
from caresignals.signals.watchlist.types import Evidence, FiredSignal, WatchlistEntry
from tests.clock import suite_today

SYSTEM = Actor(label="tests")


def entry(
    org: Organisation,
    service: Organisation | None = None,
    *,
    level: str = "high",
    kind: str = "harm_special_cause",
    since: str = "2026-01",
    score: float = 3.0,
) -> WatchlistEntry:
    return WatchlistEntry(
        org_code=org.code,
        org_name=org.name,
        service_code=service.code if service else None,
        service_name=service.name if service else None,
        level=level,
        score=score,
        signals=(
            FiredSignal(
                kind=kind,
                detail=f"Synthetic signal {kind} at {(service or org).name}",
                since=since,
                strength=score,
                evidence=(Evidence("SPC chart", f"/organisations/{(service or org).code}/"),),
            ),
        ),
    )


def fake_watchlist(monkeypatch: Any, entries: list[WatchlistEntry]) -> list[str]:
    """Replace the engine's compute_watchlist; returns the periods it was asked for."""
    asked: list[str] = []

    def compute(period: str) -> list[WatchlistEntry]:
        asked.append(period)
        return list(entries)

    monkeypatch.setattr("caresignals.signals.watchlist.compute.compute_watchlist", compute)
    return asked


def risk(org: Organisation, **overrides: Any) -> QualityRisk:
    fields: dict[str, Any] = {
        "title": "Synthetic risk",
        "description": "A synthetic risk for tests.",
        "organisation": org,
        "consequence": 4,
        "likelihood": 3,
        "target_consequence": 4,
        "target_likelihood": 1,
        "owner": "Synthetic owner",
        "controls": "",
        "review_on": suite_today() + dt.timedelta(days=30),
    }
    opened_on = overrides.pop("opened_on", None)
    fields.update(overrides)
    return services.create_risk(SYSTEM, services.RiskInput(**fields), opened_on=opened_on)
