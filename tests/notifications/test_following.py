"""Following providers: a person follows the providers they may see, and the daily run tells
them once of each new or changed watchlist entry and escalation level."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from caresignals.notifications import tasks
from caresignals.notifications.following import tell_followers
from caresignals.notifications.models import Following, Kind, Notification
from caresignals.organisations.models import Membership
from caresignals.organisations.roles import Role
from caresignals.signals.models import ProviderEscalation
from tests.factories import member
from tests.notifications.smtp import Inbox
from tests.signals.factories import entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def watchlist(monkeypatch):
    """The watchlist the daily run reads: a list the test changes between runs."""
    entries: list = []
    monkeypatch.setattr("caresignals.signals.watchlist.compute.default_period", lambda: "2026-10")
    monkeypatch.setattr(
        "caresignals.signals.watchlist.compute.compute_watchlist", lambda period: list(entries)
    )
    return entries


def _texts(user) -> list[str]:
    return sorted(
        Notification.objects.filter(user=user, kind=Kind.FOLLOWED_PROVIDER).values_list(
            "text", flat=True
        )
    )


def test_a_person_follows_and_stops_following_a_provider_they_may_see(client, small_ics):
    lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="q")
    client.force_login(lead)
    assert not Following.objects.filter(user=lead).exists()  # an ICB lead follows nothing at first
    page = client.get("/signals/escalation/TA/").content.decode()
    assert "Follow this provider" in page

    response = client.post("/notifications/follow/TA/", {"next": "/signals/escalation/TA/"})
    assert response.status_code == 302 and response["Location"] == "/signals/escalation/TA/"
    assert list(Following.objects.filter(user=lead).values_list("provider__code", flat=True)) == [
        "TA"
    ]
    assert "Stop following" in client.get("/signals/escalation/TA/").content.decode()
    preferences = client.get("/notifications/preferences/").content.decode()
    assert "Trust A" in preferences and "Stop following" in preferences

    response = client.post("/notifications/unfollow/TA/", {"next": "https://elsewhere.example/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/preferences/"
    assert not Following.objects.filter(user=lead).exists()
    assert client.get("/notifications/follow/TA/").status_code == 405  # POST only


def test_a_person_cannot_follow_a_provider_they_cannot_see(client, small_ics):
    board = member(small_ics.trust_a, Role.BOARD_MEMBER, username="b")
    Membership.objects.create(user=board, organisation=small_ics.trust_b, role=Role.STAFF)
    nurse = member(small_ics.trust_a, Role.STAFF, username="n")
    client.force_login(board)
    assert client.post("/notifications/follow/TB/").status_code == 404  # staff only there
    assert client.post("/notifications/follow/TA-MAT/").status_code == 404  # a service
    assert client.post("/notifications/follow/NOPE/").status_code == 404
    assert client.post("/notifications/follow/TA/").status_code == 302
    client.force_login(nurse)
    assert client.post("/notifications/follow/TA/").status_code == 404
    assert "Follow this provider" not in client.get("/notifications/preferences/").content.decode()
    assert list(Following.objects.values_list("user__username", "provider__code")) == [("b", "TA")]
    assert client.post("/notifications/unfollow/TA/").status_code == 404  # not theirs


def test_a_provider_that_left_a_persons_scope_can_still_be_unfollowed(client, small_ics):
    nurse = member(small_ics.trust_a, Role.STAFF, username="n")
    Following.objects.create(user=nurse, provider=small_ics.trust_a)  # a board member once
    client.force_login(nurse)
    assert "Trust A" in client.get("/notifications/preferences/").content.decode()
    assert client.post("/notifications/unfollow/TA/").status_code == 302
    assert not Following.objects.exists()


def test_a_change_is_told_once_and_again_only_when_the_level_changes(
    small_ics, watchlist, inbox, today
):
    lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="q", email="q@example.com")
    Following.objects.create(user=lead, provider=small_ics.trust_a)
    assert tell_followers(today - dt.timedelta(days=2)) == 0
    assert _texts(lead) == []  # nothing on the watchlist, routine monitoring

    watchlist.append(entry(small_ics.trust_a, small_ics.maternity_a, level="medium"))
    watchlist.append(entry(small_ics.trust_b, level="high"))  # not followed
    tasks.daily.enqueue()
    tasks.daily.enqueue()
    assert _texts(lead) == ["New watchlist entry for Trust A (medium), October 2026"]
    [message] = inbox.to("q@example.com")
    body = Inbox.body(message)
    assert "New watchlist entry for Trust A" in body and "Trust B" not in body
    assert "https://care-signals.example.nhs.uk/signals/watchlist/?period=2026-10" in body

    watchlist[0] = entry(small_ics.trust_a, level="high")
    ProviderEscalation.objects.create(
        provider=small_ics.trust_a, level="enhanced", since=today - dt.timedelta(days=2)
    )
    assert tell_followers(today + dt.timedelta(days=1)) == 2
    assert tell_followers(today + dt.timedelta(days=2)) == 0
    since = today - dt.timedelta(days=2)
    assert _texts(lead) == [
        f"Escalation level changed to Enhanced surveillance for Trust A on "
        f"{since.day} {since:%B %Y}",
        "New watchlist entry for Trust A (medium), October 2026",
        "Watchlist level changed to high for Trust A, October 2026",
    ]
    escalation = Notification.objects.get(user=lead, reference="TA escalation")
    assert escalation.url == "/signals/escalation/TA/"


def test_what_each_person_chose_and_may_see_is_respected(small_ics, watchlist, inbox):
    lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="q", email="q@example.com")
    board = member(small_ics.trust_a, Role.BOARD_MEMBER, username="b", email="b@example.com")
    Following.objects.create(user=lead, provider=small_ics.trust_a)
    Following.objects.create(user=board, provider=small_ics.trust_a)
    board_following = Following.objects.create(user=board, provider=small_ics.trust_b)
    # The lead chose neither channel for followed providers; the board member in-app only.
    lead.notification_preferences.create(kind=Kind.FOLLOWED_PROVIDER, email=False, in_app=False)
    board.notification_preferences.create(kind=Kind.FOLLOWED_PROVIDER, email=False, in_app=True)
    watchlist.append(entry(small_ics.trust_a, level="high"))
    watchlist.append(entry(small_ics.trust_b, level="high"))  # trust B is not the board's
    board_following.refresh_from_db()

    tasks.daily.enqueue()
    assert _texts(lead) == []
    assert _texts(board) == ["New watchlist entry for Trust A (high), October 2026"]
    assert not inbox.to("q@example.com") and not inbox.to("b@example.com")
    # Told nothing, but the change is remembered: choosing email later sends no old news.
    assert Following.objects.get(user=lead).watchlist_level == "high"
    lead.notification_preferences.update(email=True, in_app=True)
    tasks.daily.enqueue()
    assert _texts(lead) == []


def test_an_entry_only_soft_intelligence_put_there_is_told_to_the_icb_only(
    small_ics, watchlist, today
):
    """ADR 31: a board member following their own trust is not told of a watchlist entry
    that only the ICB's unshared soft intelligence made."""
    lead = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="q")
    board = member(small_ics.trust_a, Role.BOARD_MEMBER, username="b")
    Following.objects.create(user=lead, provider=small_ics.trust_a)
    Following.objects.create(user=board, provider=small_ics.trust_a)
    made = entry(small_ics.trust_a, level="low", kind="soft_intelligence", score=2.0)
    watchlist.append(replace(made, path=small_ics.trust_a.path))
    tell_followers(today)
    assert _texts(lead) == ["New watchlist entry for Trust A (low), October 2026"]
    assert _texts(board) == []
