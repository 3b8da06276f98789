"""Rapid quality reviews: attendees, actions with owners, the decision and exit criteria.
A review that agrees a different level applies it through the escalation service."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.core.concurrency import EditConflict
from caresignals.signals.governance import services
from caresignals.signals.models import (
    EscalationChange,
    ProviderEscalation,
    RapidQualityReview,
    ReviewAction,
)
from tests.clock import suite_today
from tests.signals.factories import fake_watchlist

pytestmark = pytest.mark.django_db

HELD = dt.date(2026, 2, 10)


def posted(**overrides):
    data = {
        "version": "0",
        "held_on_day": "10",
        "held_on_month": "2",
        "held_on_year": "2026",
        "concern": "Restraint rising; families kept away.",
        "attendee_1_name": "Helen Armstrong",
        "attendee_1_role": "ICB quality lead",
        "attendee_1_org": "Synthetic ICB",
        "attendee_2_name": "Imran Shah",
        "attendee_2_role": "Registered manager",
        "attendee_2_org": "Trust A",
        "action_1_text": "Unannounced visit",
        "action_1_owner": "Helen Armstrong",
        "action_1_due_day": "1",
        "action_1_due_month": "3",
        "action_1_due_year": "2026",
        "action_2_text": "Weekly restraint data",
        "action_2_owner": "Imran Shah",
        "action_2_due_day": "1",
        "action_2_due_month": "1",
        "action_2_due_year": str(suite_today().year + 1),
        "decision": "enhanced",
        "decision_note": "Several closed-culture warning signs at once.",
        "criterion_1_text": "Restraint back within its usual range",
        "criterion_2_text": "A permanent ward manager",
        "criterion_2_met": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_review_that_agrees_a_new_level_applies_it(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [])
    client.force_login(people.icb)
    assert client.get("/signals/escalation/TA/reviews/new/").status_code == 200
    response = client.post("/signals/escalation/TA/reviews/new/", posted())
    review = RapidQualityReview.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/signals/reviews/{review.pk}/"
    assert [a.name for a in review.attendees.all()] == ["Helen Armstrong", "Imran Shah"]
    assert [(a.description, a.owner) for a in review.actions.all()] == [
        ("Unannounced visit", "Helen Armstrong"),
        ("Weekly restraint data", "Imran Shah"),
    ]
    assert [(c.text, c.met) for c in review.exit_criteria.all()] == [
        ("Restraint back within its usual range", False),
        ("A permanent ward manager", True),
    ]
    level = ProviderEscalation.objects.get(provider=small_ics.trust_a)
    assert (level.level, level.since) == ("enhanced", HELD)
    change = EscalationChange.objects.get()
    assert change.review == review and change.forum == "rqr"
    assert change.rationale == "Several closed-culture warning signs at once."
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"quality_review.recorded", "escalation.changed"} <= actions

    page = client.get(f"/signals/reviews/{review.pk}/").content.decode()
    assert "1 of 2 actions overdue" in page  # the March 2026 action is past due
    assert "Overdue" in page and "Rapid quality review meeting" not in page
    assert "moved Trust A from routine quality monitoring to enhanced surveillance" in page
    history = client.get("/signals/escalation/TA/").content.decode()
    assert "Review on 10 February 2026" in history and "2 actions, <strong>1 overdue" in history
    assert "Rapid quality review meeting" in history  # the forum of the change it made


def test_a_review_that_keeps_the_level_changes_nothing(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [])
    client.force_login(people.icb)
    data = posted(decision="routine", criterion_1_text="", criterion_2_text="", criterion_2_met="")
    assert client.post("/signals/escalation/TA/reviews/new/", data).status_code == 302
    assert RapidQualityReview.objects.count() == 1
    assert not ProviderEscalation.objects.exists() and not EscalationChange.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"concern": ""}, "concern", "Enter the concern the review met about"),
        ({"attendee_2_role": ""}, "attendee_2_role", "Enter attendee 2&#39;s role"),
        (
            {
                "attendee_1_name": "",
                "attendee_1_role": "",
                "attendee_1_org": "",
                "attendee_2_name": "",
                "attendee_2_role": "",
                "attendee_2_org": "",
            },
            "attendee_1_name",
            "Enter at least one person who attended",
        ),
        ({"action_1_owner": ""}, "action_1_owner", "Enter who owns action 1"),
        (
            {"action_1_due_day": "", "action_1_due_month": "", "action_1_due_year": ""},
            "action_1_due",
            "Enter the due date of action 1",
        ),
        ({"action_1_due_month": "13"}, "action_1_due", "must be a real date"),
        ({"decision": ""}, "decision", "Select the level the review agreed"),
        ({"decision_note": ""}, "decision_note", "Enter the reasons for the decision"),
        (
            {"criterion_1_text": "", "criterion_2_text": ""},
            "criterion_1_text",
            "Enter at least one exit criterion",
        ),
    ],
)
def test_bad_reviews_are_explained_and_nothing_is_stored(
    client, small_ics, people, monkeypatch, overrides, field, message
):
    fake_watchlist(monkeypatch, [])
    client.force_login(people.icb)
    response = client.post("/signals/escalation/TA/reviews/new/", posted(**overrides))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and f'href="#{field}"' in text
    assert not RapidQualityReview.objects.exists() and not ProviderEscalation.objects.exists()


def test_a_review_read_at_an_old_level_is_a_conflict_and_stores_nothing(small_ics, people):
    services.change_level(
        Actor(user=people.icb),
        small_ics.trust_a,
        to_level="enhanced",
        rationale="x",
        decided_on=HELD,
        forum="sqg",
        expected_version=0,
    )
    data = services.ReviewInput(
        held_on=HELD,
        concern="c",
        decision="intensive",
        decision_note="n",
        attendees=[services.AttendeeRow("A", "B", "C")],
    )
    with pytest.raises(EditConflict):
        services.record_review(Actor(user=people.icb), small_ics.trust_a, data, expected_version=0)
    assert not RapidQualityReview.objects.exists()
    assert ProviderEscalation.objects.get().level == "enhanced"


def test_progress_marks_actions_done_and_criteria_met(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [])
    client.force_login(people.icb)
    client.post("/signals/escalation/TA/reviews/new/", posted())
    review = RapidQualityReview.objects.get()
    first = review.actions.order_by("due_on").first()
    criterion = review.exit_criteria.first()
    response = client.post(
        f"/signals/reviews/{review.pk}/progress/",
        {"version": "1", "done": [str(first.pk)], "met": [str(criterion.pk)]},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    criterion.refresh_from_db()
    assert first.status == "done" and criterion.met
    assert ReviewAction.objects.filter(status="open").count() == 1
    assert AuditEntry.objects.filter(action="quality_review.action_updated").count() == 1
    # The same form again, read at the old version: refused.
    page = client.post(
        f"/signals/reviews/{review.pk}/progress/", {"version": "1"}, follow=True
    ).content.decode()
    assert "Someone else changed this record" in page
    first.refresh_from_db()
    assert first.status == "done"


@pytest.mark.parametrize(
    ("who", "own", "new_review"),
    [("icb", 200, 200), ("board_a", 200, 403), ("lead_a", 200, 403), ("staff_a", 403, 403)],
)
def test_who_may_read_and_record_reviews(
    client, small_ics, people, monkeypatch, who, own, new_review
):
    fake_watchlist(monkeypatch, [])
    client.force_login(people.icb)
    client.post("/signals/escalation/TA/reviews/new/", posted())
    client.post("/signals/escalation/TB/reviews/new/", posted())
    mine, theirs = RapidQualityReview.objects.order_by("provider__code")
    client.force_login(getattr(people, who))
    assert client.get(f"/signals/reviews/{mine.pk}/").status_code == own
    expected_other = 200 if who == "icb" else (403 if own == 403 else 404)
    assert client.get(f"/signals/reviews/{theirs.pk}/").status_code == expected_other
    assert client.get("/signals/escalation/TA/reviews/new/").status_code == new_review
    if who != "icb":
        response = client.post(f"/signals/reviews/{mine.pk}/progress/", {"version": "1"})
        assert response.status_code == 403
