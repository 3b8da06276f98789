"""The demo's Duty of Candour numbers agree everywhere they are stated (issue 15): the
watchlist's candour signal, a quality risk's linked signal and the candour list, read on the
same day, count the same overdue notifications; history from before each provider's
"candour tracked from" date, imported without candour data, is "not known", never overdue,
and the events on the clock are those whose rows said the provider holds their record."""

from __future__ import annotations

import re

import pytest

from caresignals.demo.build import build_region
from caresignals.organisations.models import Organisation, User
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.candour import queries
from caresignals.safety.models import PatientSafetyEvent
from caresignals.signals.models import QualityRisk
from caresignals.signals.watchlist import sources
from caresignals.signals.watchlist.compute import compute_watchlist

pytestmark = pytest.mark.django_db(transaction=True)

OVERDUE = re.compile(r"^(\d+) Duty of Candour notification\(s\) overdue")


def _count(detail: str) -> int:
    found = OVERDUE.match(detail)
    assert found, detail
    return int(found.group(1))


def test_the_demos_candour_signal_risk_text_and_list_agree(today):
    report = build_region(seed=7)
    period = "2026-10"
    assert report.plants  # the region was built with its plants
    reader = User.objects.get(username="icb.quality")  # sees every provider

    def listed(code: str) -> int:
        """The candour list's overdue count today for a provider, or its events at a
        service (the list's own filter, narrowed to the service)."""
        org = Organisation.objects.get(code=code)
        provider = org if org.kind == "provider" else org.parent
        if org.kind == "provider":
            return queries.candour_list(
                reader, provider=provider, status="overdue", today=today
            ).total
        return queries.overdue_candour_count(reader, provider, today, service=org)

    source = sources.candour_overdue(None, period)  # type: ignore[arg-type]
    assert source is not None
    providers = list(Organisation.objects.filter(kind="provider"))
    assert all(p.candour_tracked_from for p in providers)
    total = queries.candour_list(reader, provider=None, status="overdue", today=today)
    assert 0 < total.total < 50, "a handful overdue, not three years of imported history"
    assert total.counts["not_known"] > total.total  # the history before tracking began
    on_clock = PatientSafetyEvent.objects.filter(candour.open_q(), candour.notifiable_q())
    assert not on_clock.filter(candour_not_supplied=True).exists()
    assert PatientSafetyEvent.objects.filter(candour_not_supplied=True).exists()
    for p in providers:
        assert source.get(p.code, (0, ""))[0] == listed(p.code), p.code

    signals = {
        e.service_code or e.org_code: _count(s.detail)
        for e in compute_watchlist(period)
        for s in e.signals
        if s.kind == "candour_overdue"
    }
    assert signals, "the watchlist lists the overdue notifications"
    for code, n in signals.items():
        assert n == source[code][0] == listed(code), code

    linked = [
        (s["service_code"] or s["org_code"], _count(s["detail"]))
        for risk in QualityRisk.objects.all()
        for s in risk.linked_signals
        if s["kind"] == "candour_overdue"
    ]
    assert linked, "the planted risks keep a candour signal as their linked signal"
    for code, n in linked:
        assert n == listed(code), (code, n)
