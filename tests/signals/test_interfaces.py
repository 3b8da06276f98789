"""The watchlist through its three doors: the command line, the API and the page; who may
see what; and the cache."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from caresignals.organisations.roles import Role
from caresignals.signals.watchlist import compute as watchlist
from caresignals.signals.watchlist.panel import month_range
from tests.api.conftest import caller
from tests.factories import member
from tests.signals.panel_factories import store_series

MONTHS = month_range("2024-11", "2026-10")
LAST = MONTHS[-1]


@pytest.fixture
def region(small_ics):
    """Maternity A: harm jumps in the last month while reporting falls; Maternity B: steady."""
    rng = np.random.default_rng(5)
    n = len(MONTHS)
    harm_a = rng.poisson(3, n)
    inc_a = harm_a + rng.poisson(40, n)
    harm_a[-1], inc_a[-1] = 16, 24
    store_series(small_ics.maternity_a, MONTHS, harm_a.tolist(), inc_a.tolist())
    harm_b = rng.poisson(3, n)
    store_series(small_ics.maternity_b, MONTHS, harm_b.tolist(), (harm_b + 40).tolist())
    return small_ics


def test_command_prints_the_contract_json_for_the_latest_month(region):
    out = StringIO()
    call_command("signals", "--json", stdout=out)
    entries = json.loads(out.getvalue())
    assert entries and entries[0]["org_code"] == "TA" and entries[0]["service_code"] == "TA-MAT"
    first = entries[0]
    assert first["level"] in {"high", "medium", "low"} and isinstance(first["score"], float)
    assert {"kind", "detail", "since"} <= set(first["signals"][0])
    assert all(e["service_code"] != "TB-MAT" for e in entries)
    same = StringIO()
    call_command("signals", "--period", LAST, "--json", stdout=same)
    assert json.loads(same.getvalue()) == entries
    text = StringIO()
    call_command("signals", "--period", LAST, stdout=text)
    assert "TA-MAT" in text.getvalue() and "harm" in text.getvalue()


def test_command_refuses_a_bad_or_empty_month(region):
    with pytest.raises(CommandError, match="not a month") as bad:
        call_command("signals", "--period", "2026-13", stdout=StringIO())
    assert bad.value.returncode == 2
    with pytest.raises(CommandError, match="no data for 2031-01") as missing:
        call_command("signals", "--period", "2031-01", stdout=StringIO())
    assert missing.value.returncode == 1
    quiet = StringIO()
    call_command("signals", "--period", MONTHS[0], stdout=quiet)
    assert "No signals" in quiet.getvalue()


def test_api_for_the_icb_and_boards_only(region):
    client = Client()
    icb = caller(region.ics, Role.ICB_QUALITY_LEAD, "icb-lead")
    board_a = caller(region.trust_a, Role.BOARD_MEMBER, "board-a")
    board_b = caller(region.trust_b, Role.BOARD_MEMBER, "board-b")
    staff = caller(region.trust_a, Role.STAFF, "staff-a")

    assert client.get("/api/v1/signals").status_code == 401
    r = client.get(f"/api/v1/signals?period={LAST}", headers=icb.headers)
    assert r.status_code == 200 and r.json()[0]["service_code"] == "TA-MAT"
    assert client.get("/api/v1/signals", headers=icb.headers).json() == r.json()
    # A board sees its own organisation only.
    assert [
        e["service_code"] for e in client.get("/api/v1/signals", headers=board_a.headers).json()
    ] == ["TA-MAT"]
    assert client.get("/api/v1/signals", headers=board_b.headers).json() == []
    denied = client.get("/api/v1/signals", headers=staff.headers)
    assert denied.status_code == 404 and "errors" in denied.json()
    bad = client.get("/api/v1/signals?period=october", headers=icb.headers)
    assert bad.status_code == 422 and "period" in bad.json()["errors"]
    assert client.get("/api/v1/signals?period=2031-01", headers=icb.headers).status_code == 422


def test_page_explains_each_entry_with_links_to_the_evidence(region):
    client = Client()
    client.force_login(member(region.ics, Role.ICB_QUALITY_LEAD, username="lead"))
    r = client.get("/signals/watchlist/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Maternity A" in html and "Maternity B" not in html
    assert "/organisations/TA-MAT/indicators/moderate_harm_rate/" in html
    assert "Reporting falling while harm rises" in html and "High concern" in html
    assert 'value="2026-10" selected' in html or "selected" in html
    # A quiet month says so.
    quiet = client.get(f"/signals/watchlist/?period={MONTHS[0]}").content.decode()
    assert "No signals this month" in quiet


def test_page_scoping_and_bad_input(region):
    client = Client()
    client.force_login(member(region.trust_b, Role.BOARD_MEMBER, username="board-b"))
    r = client.get("/signals/watchlist/")
    assert r.status_code == 200 and "No signals this month" in r.content.decode()
    bad = client.get("/signals/watchlist/?period=2026-13")
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()
    missing = client.get("/signals/watchlist/?period=2031-01")
    assert (
        missing.status_code == 400 and "There are no data for 2031-01" in missing.content.decode()
    )
    staff = Client()
    staff.force_login(member(region.trust_a, Role.STAFF, username="staff"))
    assert staff.get("/signals/watchlist/").status_code == 404


def test_navigation_offers_the_watchlist_to_icb_and_boards_only(region):
    client = Client()
    client.force_login(member(region.ics, Role.ICB_QUALITY_LEAD, username="lead"))
    assert 'href="/signals/watchlist/"' in client.get("/").content.decode()
    staff = Client()
    staff.force_login(member(region.trust_a, Role.STAFF, username="staff"))
    assert 'href="/signals/watchlist/"' not in staff.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_watchlist_is_computed_once_per_month_and_data_version(region, monkeypatch):
    calls = []
    real = watchlist._compute

    def counting(period):
        calls.append(period)
        return real(period)

    monkeypatch.setattr(watchlist, "_compute", counting)
    first = watchlist.compute_watchlist(LAST)
    assert watchlist.compute_watchlist(LAST) == first
    assert calls == [LAST]
    from caresignals.core.cache import bump

    bump()
    watchlist.compute_watchlist(LAST)
    assert calls == [LAST, LAST]


def test_compute_watchlist_is_empty_for_a_month_without_data(region):
    """Other parts (escalation, the SQG pack) call it for any month: never an error."""
    assert watchlist.compute_watchlist("2031-01") == []
    assert watchlist.compute_watchlist("not a month") == []
    assert watchlist.compute_watchlist(LAST)[0].service_code == "TA-MAT"


@pytest.mark.django_db
def test_candour_overdue_reads_the_candour_record_when_it_exists(small_ics, monkeypatch):
    """With a candour module (faked here with its three functions), notifiable events
    without a done notification, reported long enough ago, are overdue."""
    import datetime as dt
    import sys
    import types

    from django.db.models import Q

    from caresignals.signals.watchlist import sources
    from tests.factories import EventFactory
    from tests.signals.panel_factories import empty_panel, unit

    panel = empty_panel([unit("TA", kind="provider"), unit("TA-MAT", provider="TA")])
    monkeypatch.setitem(sys.modules, "caresignals.safety.candour.notifiable", None)
    assert sources.candour_overdue(panel, "2026-03") is None

    fake = types.ModuleType("caresignals.safety.candour.notifiable")
    fake.notifiable_q = lambda: Q(physical_harm__in=["severe", "fatal"])  # type: ignore[attr-defined]
    fake.done_q = lambda: Q(description__startswith="notified")  # type: ignore[attr-defined]
    fake.overdue_reported_before = lambda day: day - dt.timedelta(days=15)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "caresignals.safety.candour.notifiable", fake)
    for reported, harm, text in (
        (dt.date(2026, 3, 2), "severe", "open"),  # overdue by the end of March
        (dt.date(2026, 3, 3), "fatal", "notified in person"),  # done
        (dt.date(2026, 3, 30), "severe", "open"),  # not yet due
        (dt.date(2026, 3, 4), "low", "open"),  # not notifiable
    ):
        EventFactory(
            organisation=small_ics.trust_a,
            service=small_ics.maternity_a,
            reported_on=reported,
            occurred_on=reported,
            physical_harm=harm,
            description=text,
        )
    found = sources.candour_overdue(panel, "2026-03")
    assert found == {"TA": (1, "2026-03-16"), "TA-MAT": (1, "2026-03-16")}
