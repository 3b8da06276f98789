"""Events recorded one at a time: aggregates follow after commit, and no event is missed."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.analytics import refresher
from caresignals.analytics.models import MonthlyEventCount, PendingRefresh
from caresignals.audit.chain import _seal_on_commit
from caresignals.audit.services import Actor
from caresignals.safety.events.services import record_event
from tests.safety.test_import_events import event

pytestmark = pytest.mark.django_db


def _count(org) -> int:
    return sum(MonthlyEventCount.objects.filter(organisation=org).values_list("count", flat=True))


def test_recording_marks_the_month_and_the_commit_drains_it(
    small_ics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        record_event(event(source_id="a"), actor=Actor(label="t"))
        # Inside the transaction only a mark is written: nothing recomputed yet.
        assert PendingRefresh.objects.filter(provider=small_ics.trust_a).count() == 1
        assert _count(small_ics.trust_a) == 0
    # Besides sealing the audit entry (audit/chain.py), exactly one thing runs on commit.
    drains = [c for c in callbacks if c is not _seal_on_commit]
    assert len(drains) == 1
    drains[0]()
    assert PendingRefresh.objects.count() == 0
    assert _count(small_ics.trust_a) == 1


def test_a_drain_deletes_only_the_marks_it_read(small_ics, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        record_event(event(source_id="a"), actor=Actor(label="t"))
        record_event(event(source_id="b"), actor=Actor(label="t"))
    assert PendingRefresh.objects.count() == 2
    assert refresher.drain() == 2
    assert _count(small_ics.trust_a) == 2
    # A mark written after a drain read the queue stays for the next drain.
    PendingRefresh.objects.create(provider=small_ics.trust_a, month=dt.date(2026, 3, 1))
    assert refresher.drain() == 1
    assert refresher.drain() == 0


def test_in_a_served_process_the_request_does_not_recompute(
    small_ics, django_capture_on_commit_callbacks, monkeypatch
):
    woken = []
    monkeypatch.setattr(
        refresher._background, "thread", type("T", (), {"is_alive": lambda s: True})()
    )
    monkeypatch.setattr(refresher._background.wake, "set", lambda: woken.append(True))
    with django_capture_on_commit_callbacks(execute=True):
        record_event(event(source_id="a"), actor=Actor(label="t"))
    assert woken == [True]
    assert _count(small_ics.trust_a) == 0  # left to the background thread
    refresher.drain()
    assert _count(small_ics.trust_a) == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_drains_once_the_writer_lets_go(small_ics):
    # Outside a test transaction the commit happens inside the SQLite writers' lock; the
    # drain, which writes too, must wait for its release rather than deadlock.
    record_event(event(source_id="a"), actor=Actor(label="t"))
    assert PendingRefresh.objects.count() == 0
    assert _count(small_ics.trust_a) == 1
