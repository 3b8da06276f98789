"""The watchlist's two new signals, registered through the rules registry: soft intelligence
graded high severity and credible, and an overdue national patient safety alert. Each on a
region with the pattern and without it, read through the real sources; and the soft
intelligence signal withheld from anyone but the ICB quality team."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from caresignals.audit.services import Actor
from caresignals.core.periods import Month
from caresignals.intelligence import services
from caresignals.signals.watchlist import config, engine, sources
from caresignals.signals.watchlist.compute import withhold_intelligence
from caresignals.signals.watchlist.panel import Panel, Unit, month_range
from caresignals.signals.watchlist.rules import KINDS, REGISTRY
from tests.signals.panel_factories import FakeLinks, empty_panel

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]
CFG = config.default()


def region_panel(small_ics, today) -> tuple[Panel, str]:
    period = str(Month.of(today))
    months = month_range(str(Month.of(today) - 11), period)
    units = []
    for org in (small_ics.trust_a, small_ics.trust_b, small_ics.maternity_a, small_ics.maternity_b):
        provider = org if org.kind == "provider" else org.parent
        units.append(
            Unit(org.code, org.name, org.kind, org.type, provider.code, provider.name, org.path)
        )
    panel = empty_panel(units, months)
    panel.incidents[:] = 20.0  # an ordinary, steady region: no other rule fires
    panel.events[:] = 25.0
    panel.harmful[:] = np.tile([1.0, 2.0], len(months))[: len(months)]
    panel.soft_intelligence = sources.soft_intelligence(
        period, months=int(CFG.intelligence["window_months"])
    )
    panel.alerts_overdue = sources.alerts_overdue(period)
    return panel, period


def intelligence(
    org, today, *, severity="high", credibility="credible", days_ago=10, source="healthwatch"
):
    return services.log_intelligence(
        Actor(label="test"),
        services.IntelligenceInput(
            organisation=org,
            source=source,
            credibility=credibility,
            severity=severity,
            received_on=today - dt.timedelta(days=days_ago),
            summary="Families describe long waits for pain relief.",
        ),
        today=today,
    )


def alert(small_ics, today, *, deadline_days):
    return services.add_alert(
        Actor(label="test"),
        small_ics.ics,
        reference="NatPSA/2026/001/NHSPS",
        title="Safer use of bed rails",
        issued_on=today - dt.timedelta(days=90),
        deadline=today + dt.timedelta(days=deadline_days),
        provider_types=["acute_trust"],
        actions=["Identify", "Replace"],
    )


def finish(alert_, provider, today):
    rows = [services.ResponseInput(a, "completed", evidence="Done") for a in alert_.actions.all()]
    services.record_responses(Actor(label="test"), provider, rows, today=today)


def test_both_rules_are_registered_with_weights_and_reasons():
    for kind in ("soft_intelligence", "safety_alert_overdue"):
        assert kind in KINDS and CFG.weight(kind) > 0
        assert len(REGISTRY[kind].function.__doc__ or "") > 40


def test_a_region_with_the_patterns_lists_them_and_says_why(small_ics, today):
    intelligence(small_ics.maternity_a, today, credibility="corroborated")
    late = alert(small_ics, today, deadline_days=-5)
    finish(late, small_ics.trust_a, today)  # trust A complied; trust B did not
    panel, period = region_panel(small_ics, today)
    entries = {e.code: e for e in engine.compute(panel, period, CFG, FakeLinks())}
    assert set(entries) == {"TA-MAT", "TB"}
    soft = entries["TA-MAT"].signals[0]
    assert soft.kind == "soft_intelligence"
    assert "graded high severity and credible" in soft.detail
    assert "Healthwatch" in soft.detail and "(corroborated)" in soft.detail
    assert soft.evidence[0].url == "/intelligence/?provider=TA"
    received = today - dt.timedelta(days=10)
    assert soft.since == f"{received:%Y-%m}"  # dated from when it was received, not before
    overdue = entries["TB"].signals[0]
    assert overdue.kind == "safety_alert_overdue"
    assert (
        "NatPSA/2026/001/NHSPS" in overdue.detail and "2 of 2 actions outstanding" in overdue.detail
    )
    assert entries["TB"].level in ("low", "medium", "high")


def test_a_region_without_the_patterns_lists_nothing(small_ics, today):
    intelligence(small_ics.maternity_a, today, severity="medium")  # not severe enough
    intelligence(small_ics.trust_b, today, credibility="unverified")  # not credible
    intelligence(small_ics.trust_a, today, days_ago=400)  # long past the window
    closed = intelligence(small_ics.maternity_b, today)
    services.update_intelligence(
        Actor(label="test"),
        closed,
        credibility="credible",
        severity="high",
        shared_with_provider=False,
        status="closed",
        outcome="Looked into; resolved",
        today=today,
    )
    alert(small_ics, today, deadline_days=7)  # not yet due
    panel, period = region_panel(small_ics, today)
    assert engine.compute(panel, period, CFG, FakeLinks()) == []


def test_an_alert_completed_in_time_is_not_overdue(small_ics, today):
    late = alert(small_ics, today, deadline_days=-1)
    finish(late, small_ics.trust_a, today)
    finish(late, small_ics.trust_b, today)
    panel, period = region_panel(small_ics, today)
    assert engine.compute(panel, period, CFG, FakeLinks()) == []


def test_the_soft_intelligence_signal_reaches_the_icb_only(small_ics, people, today):
    intelligence(small_ics.trust_a, today)
    late = alert(small_ics, today, deadline_days=-5)
    panel, period = region_panel(small_ics, today)
    entries = engine.compute(panel, period, CFG, FakeLinks())
    kinds = {(e.code, s.kind) for e in entries for s in e.signals}
    assert ("TA", "soft_intelligence") in kinds and ("TA", "safety_alert_overdue") in kinds
    assert withhold_intelligence(people.icb, entries) == entries
    for reader in (people.board_a, None):  # a trust's board, on the page or the command line
        seen = withhold_intelligence(reader, entries)
        trust_a = next(e for e in seen if e.code == "TA")
        assert [s.kind for s in trust_a.signals] == ["safety_alert_overdue"]
        assert trust_a.score == pytest.approx(trust_a.signals[0].strength)
    # With only the intelligence, the entry is not there at all for the board.
    finish(late, small_ics.trust_a, today)
    panel, period = region_panel(small_ics, today)
    entries = engine.compute(panel, period, CFG, FakeLinks())
    assert [e.code for e in entries if e.org_code == "TA"] == ["TA"]
    assert [e for e in withhold_intelligence(people.board_a, entries) if e.org_code == "TA"] == []
