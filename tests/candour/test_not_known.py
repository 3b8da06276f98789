"""Candour where it is tracked: events reported before a provider's "candour tracked from"
date are "not known", never overdue, and the candour list, the ICB's view and the watchlist's
signal (which a risk on the register keeps as its linked signal) count the same."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.organisations.roles import Role
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.candour import queries
from caresignals.safety.models import CandourRecord, PatientSafetyEvent
from caresignals.signals.watchlist import config, engine, sources
from caresignals.signals.watchlist.panel import month_range
from tests.candour.factories import notifiable_event
from tests.factories import member
from tests.signals.panel_factories import FakeLinks, empty_panel, unit

pytestmark = pytest.mark.django_db


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@pytest.fixture
def history(small_ics, today):
    """Trust A tracks candour here from 120 days ago; Trust B has no date (all tracked).

    Each trust has an open event from a year ago, an open event 60 days ago, and a year-old
    event whose notification was recorded here.
    """
    day = _first_of_month(today)  # the day the views are read: the month before is complete
    small_ics.trust_a.candour_tracked_from = day - dt.timedelta(days=120)
    small_ics.trust_a.save()
    made = {}
    for trust, service in (
        (small_ics.trust_a, small_ics.maternity_a),
        (small_ics.trust_b, small_ics.maternity_b),
    ):
        for name, ago in (("old", 365), ("recent", 60), ("done", 360)):
            reported = day - dt.timedelta(days=ago)
            made[trust.code, name] = notifiable_event(
                trust, service=service, reported_on=reported, occurred_on=reported
            )
        CandourRecord.objects.create(
            event=made[trust.code, "done"],
            notified_in_person_on=made[trust.code, "done"].reported_on,
            notified_by="A. Nurse",
            apology_given=True,
        )
    return day, made


def test_events_before_the_tracked_from_date_are_not_known_never_overdue(small_ics, history):
    day, made = history
    lead = member(small_ics.ics, Role.PATIENT_SAFETY_LEAD, username="lead.ics")
    a = queries.candour_list(lead, provider=small_ics.trust_a, status="not_known", today=day)
    assert a.counts == {
        "overdue": 1,
        "due_soon": 0,
        "open": 1,
        "done": 1,
        "not_notifiable": 0,
        "not_known": 1,
    }
    assert [r.reference for r in a.rows] == [made["TA", "old"].reference]
    assert a.rows[0].clock.state == "not_known" and a.rows[0].clock.text == "Not known"
    assert not a.rows[0].clock.is_open
    # Without a date every event's steps are taken to be held here, as before.
    b = queries.candour_list(lead, provider=small_ics.trust_b, status="overdue", today=day)
    assert b.counts["overdue"] == 2 and b.counts["not_known"] == 0
    # A notification recorded here makes an old event known (it is done, not "not known").
    assert queries.overdue_candour_count(lead, small_ics.trust_a, day) == 1


def test_the_candour_pages_show_not_known(client, small_ics, history, today):
    _, made = history
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a")
    client.force_login(lead)
    listing = client.get("/safety/candour/?status=not_known").content.decode()
    assert "Not known (1)" in listing and made["TA", "old"].reference in listing
    page = client.get(f"/safety/events/{made['TA', 'old'].reference}/candour/").content.decode()
    assert "Not known" in page and "never counted as overdue" in page
    assert "Overdue by" not in page


def _imported_and_decided(small_ics, day: dt.date) -> None:
    """At each trust, 60 days ago: an open event imported without candour data, and one a
    person decided is not notifiable. The first is "not known" at both trusts (Trust A's
    tracked-from date does not put imports without candour data on the clock); the second
    is never overdue."""
    reported = day - dt.timedelta(days=60)
    for trust, service in (
        (small_ics.trust_a, small_ics.maternity_a),
        (small_ics.trust_b, small_ics.maternity_b),
    ):
        notifiable_event(
            trust,
            service=service,
            reported_on=reported,
            occurred_on=reported,
            candour_not_supplied=True,
        )
        decided = notifiable_event(trust, service=service, reported_on=reported)
        CandourRecord.objects.create(
            event=decided, not_notifiable=True, not_notifiable_reason="Harm not from the event"
        )


def test_the_list_the_icb_view_and_the_watchlist_signal_agree_on_the_same_day(small_ics, history):
    day, _ = history
    _imported_and_decided(small_ics, day)
    period = (day - dt.timedelta(days=1)).strftime("%Y-%m")
    lead = member(small_ics.ics, Role.PATIENT_SAFETY_LEAD, username="lead.ics")
    panel = empty_panel(
        [
            unit("TA", kind="provider", provider="TA"),
            unit("TB", kind="provider", provider="TB"),
            unit("TA-MAT", provider="TA"),
            unit("TB-MAT", provider="TB"),
        ],
        month_range("2024-01", period),
    )
    signal = sources.candour_overdue(panel, period)
    assert signal is not None
    panel.candour_overdue = signal
    ctx = engine.run_rules(panel, period, config.default(), FakeLinks())
    # What a risk on the register keeps as its linked signal is the rule's detail.
    details = {panel.units[h.unit].code: h.detail for h in ctx.hits if h.kind == "candour_overdue"}
    system = queries.system_view(lead, start=day, end=day, today=day, shared=False)
    icb = {line.code: line.overdue_candour.count for line in system.providers}
    for trust, service in (("TA", "TA-MAT"), ("TB", "TB-MAT")):
        org = getattr(small_ics, "trust_a" if trust == "TA" else "trust_b")
        listed = queries.candour_list(lead, provider=org, status="overdue", today=day).total
        assert signal[trust][0] == signal[service][0] == listed == icb[trust]
        assert details[trust].startswith(f"{listed} Duty of Candour notification(s) overdue")
        counts = queries.candour_list(lead, provider=org, status="overdue", today=day).counts
        assert counts["not_notifiable"] == 1
        assert (
            queries.overdue_candour_count(
                lead,
                org,
                day,
                service=getattr(small_ics, "maternity_a" if trust == "TA" else "maternity_b"),
            )
            == signal[service][0]
        )
    assert (signal["TA"][0], signal["TB"][0]) == (1, 2)
    not_known = {
        trust: queries.candour_list(lead, provider=org, status="not_known", today=day).total
        for trust, org in (("TA", small_ics.trust_a), ("TB", small_ics.trust_b))
    }
    # A: one reported before its date and one imported; B: imported.
    assert not_known == {"TA": 2, "TB": 1}


def test_not_known_is_the_same_in_sql_and_for_one_event(small_ics, history):
    day, made = history
    tracked = small_ics.trust_a.candour_tracked_from
    for (code, name), event in made.items():
        from_sql = type(event).objects.filter(candour.not_known_q(), pk=event.pk).exists()
        done = hasattr(event, "candour")
        one = not done and not candour.is_known(
            event.reported_on, tracked if code == "TA" else None
        )
        assert from_sql == one, (code, name)
    assert day  # read on the same day throughout


def test_not_known_is_the_same_in_sql_and_for_one_event_however_it_arrived(small_ics, history):
    day, _ = history
    _imported_and_decided(small_ics, day)
    for event in PatientSafetyEvent.objects.select_related("organisation"):
        record = CandourRecord.objects.filter(event=event).first()
        from_sql = PatientSafetyEvent.objects.filter(candour.not_known_q(), pk=event.pk).exists()
        settled = record is not None and (record.notification_done or record.not_notifiable)
        one = not settled and not candour.is_known(
            event.reported_on,
            event.organisation.candour_tracked_from,
            not_supplied=event.candour_not_supplied,
        )
        assert from_sql == one, event


def test_imported_without_candour_data_is_not_known_whatever_the_tracked_from_date(
    small_ics, history
):
    """Issue 15 read literally: a tracked-from date is where steps recorded here begin, not a
    claim that a local system's extract holds them."""
    day, _ = history
    reported = day - dt.timedelta(days=60)
    imported = notifiable_event(
        small_ics.trust_a,
        service=small_ics.maternity_a,
        reported_on=reported,
        occurred_on=reported,
        candour_not_supplied=True,
    )
    assert reported >= small_ics.trust_a.candour_tracked_from
    assert not candour.is_known(reported, small_ics.trust_a.candour_tracked_from, not_supplied=True)
    lead = member(small_ics.ics, Role.PATIENT_SAFETY_LEAD, username="lead.ics")
    rows = queries.candour_list(lead, provider=small_ics.trust_a, status="not_known", today=day)
    assert imported.reference in [r.reference for r in rows.rows]
    overdue = queries.candour_list(lead, provider=small_ics.trust_a, status="overdue", today=day)
    assert imported.reference not in [r.reference for r in overdue.rows]
    # Candour data arriving later (the importer clears the mark) puts it on the clock.
    PatientSafetyEvent.objects.filter(pk=imported.pk).update(candour_not_supplied=False)
    overdue = queries.candour_list(lead, provider=small_ics.trust_a, status="overdue", today=day)
    assert imported.reference in [r.reference for r in overdue.rows]
