"""The quality risk register: 5 × 5 scores, overdue reviews, links to the watchlist and to
review actions, validation, audit, versions and who may see which risks."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.core.concurrency import EditConflict
from caresignals.signals.governance import services
from caresignals.signals.governance.queries import latest_period
from caresignals.signals.models import QualityRisk, RiskReview
from tests.clock import suite_today
from tests.signals.factories import entry, fake_watchlist, risk

pytestmark = pytest.mark.django_db

NEXT_YEAR = suite_today().year + 1


def posted(org="TA", **overrides):
    data = {
        "version": "0",
        "title": "Maternity staffing at night",
        "description": "Night shifts below the agreed midwife numbers.",
        "organisation": org,
        "consequence": "4",
        "likelihood": "4",
        "target_consequence": "4",
        "target_likelihood": "2",
        "owner": "Director of Midwifery",
        "controls": "Escalation at every shift.",
        "review_on_day": "1",
        "review_on_month": "3",
        "review_on_year": str(NEXT_YEAR),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.date_sensitive
def test_creating_a_risk_through_the_page(client, small_ics, people, monkeypatch):
    fake_watchlist(
        monkeypatch,
        [entry(small_ics.trust_a, small_ics.maternity_a), entry(small_ics.trust_b)],
    )
    client.force_login(people.icb)
    page = client.get("/signals/risks/new/").content.decode()
    assert "Synthetic signal harm_special_cause at Maternity A" in page
    period = latest_period()
    signal = f"harm_special_cause|{period}|TA|TA-MAT"
    response = client.post("/signals/risks/new/", posted(linked_signals=[signal]))
    assert response.status_code == 302
    saved = QualityRisk.objects.get()
    assert response["Location"] == f"/signals/risks/{saved.reference}/"
    assert saved.reference == f"QR-{saved.pk:04d}" and saved.status == "open"
    assert (saved.consequence, saved.likelihood) == (4, 4)
    assert (
        saved.linked_signals
        == [
            {
                "kind": "harm_special_cause",
                "period": "2026-03",
                "org_code": "TA",
                "service_code": "TA-MAT",
                "detail": "Synthetic signal harm_special_cause at Maternity A: "
                "Synthetic signal harm_special_cause at Maternity A (since 2026-01)",
            }
        ]
        or saved.linked_signals[0]["kind"] == "harm_special_cause"
    )
    audit = AuditEntry.objects.get(action="risk.created")
    assert audit.details["current"] == 16 and audit.details["target"] == 8
    detail = client.get(f"/signals/risks/{saved.reference}/").content.decode()
    assert "16 Extreme" in detail and "8 High" in detail
    assert f"watchlist {period}" in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a short title for the risk"),
        ({"description": ""}, "description", "Enter a description of the risk"),
        ({"organisation": "NOPE"}, "organisation", "Select where the risk sits"),
        ({"consequence": "6"}, "consequence", "Select the consequence, from 1 to 5"),
        ({"likelihood": ""}, "likelihood", "Select the likelihood, from 1 to 5"),
        (
            {"target_likelihood": "5"},
            "target_likelihood",
            "The target score must not be higher than the current score",
        ),
        ({"owner": ""}, "owner", "Enter who owns the risk"),
        ({"review_on_day": ""}, "review_on", "must include a day"),
        (
            {"linked_signals": ["harm_special_cause|PERIOD|TB|"]},
            "linked_signals",
            "Select only signals about the organisation the risk sits in",
        ),
        ({"linked_signals": ["made|up|TA|"]}, "linked_signals", "Select signals from the list"),
    ],
)
def test_bad_risks_are_explained_and_nothing_is_stored(
    client, small_ics, people, monkeypatch, overrides, field, message
):
    fake_watchlist(monkeypatch, [entry(small_ics.trust_b)])
    client.force_login(people.icb)
    if "linked_signals" in overrides:
        overrides["linked_signals"] = [
            v.replace("PERIOD", latest_period()) for v in overrides["linked_signals"]
        ]
    response = client.post("/signals/risks/new/", posted(**overrides))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and f'href="#{field}"' in text
    assert not QualityRisk.objects.exists()


def test_a_system_wide_risk_may_link_any_signal(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [entry(small_ics.trust_b)])
    client.force_login(people.icb)
    data = posted(org="ICS1", linked_signals=[f"harm_special_cause|{latest_period()}|TB|"])
    assert client.post("/signals/risks/new/", data).status_code == 302
    assert QualityRisk.objects.get().organisation == small_ics.ics


def test_linking_review_actions(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [])
    review = services.record_review(
        Actor(user=people.icb),
        small_ics.trust_b,
        services.ReviewInput(
            held_on=dt.date(2026, 2, 1),
            concern="c",
            decision="routine",
            decision_note="n",
            attendees=[services.AttendeeRow("A", "B", "C")],
            actions=[services.ActionRow("Audit staffing", "Owner B", dt.date(2026, 4, 1))],
        ),
        expected_version=0,
    )
    action = review.actions.get()
    client.force_login(people.icb)
    wrong = client.post("/signals/risks/new/", posted(linked_actions=[str(action.pk)]))
    assert "Select only actions from reviews of the organisation" in wrong.content.decode()
    right = client.post("/signals/risks/new/", posted(org="TB", linked_actions=[str(action.pk)]))
    assert right.status_code == 302
    assert list(QualityRisk.objects.get().linked_actions.all()) == [action]


def test_editing_is_versioned_and_audited(client, small_ics, people, monkeypatch, today):
    fake_watchlist(monkeypatch, [])
    saved = risk(small_ics.trust_a)
    client.force_login(people.icb)
    url = f"/signals/risks/{saved.reference}/edit/"
    assert client.get(url).status_code == 200
    data = posted(version="1", status="closed", title="Renamed")
    assert client.post(url, data).status_code == 302
    saved.refresh_from_db()
    assert (saved.title, saved.status, saved.version) == ("Renamed", "closed", 2)
    assert saved.closed_on == today
    audit = AuditEntry.objects.get(action="risk.updated")
    assert audit.details["title"] == {"from": "Synthetic risk", "to": "Renamed"}
    # A second edit from a page read at version 1 is refused; nothing changes.
    page = client.post(url, posted(version="1", status="open", title="Again"), follow=True)
    assert "Someone else changed this record" in page.content.decode()
    saved.refresh_from_db()
    assert (saved.title, saved.version) == ("Renamed", 2)


def test_a_review_records_the_new_score_and_next_date(
    client, small_ics, people, monkeypatch, today
):
    fake_watchlist(monkeypatch, [])
    saved = risk(small_ics.trust_a, review_on=dt.date(2026, 1, 1))
    client.force_login(people.icb)
    url = f"/signals/risks/{saved.reference}/review/"
    data = {
        "version": "1",
        "reviewed_on_day": str(today.day),
        "reviewed_on_month": str(today.month),
        "reviewed_on_year": str(today.year),
        "note": "New controls working.",
        "consequence": "4",
        "likelihood": "2",
        "next_review_on_day": "1",
        "next_review_on_month": "6",
        "next_review_on_year": str(NEXT_YEAR),
    }
    bad = client.post(url, {**data, "next_review_on_year": str(today.year - 1)})
    assert bad.status_code == 400
    assert "The next review must be after the date of this review" in bad.content.decode()
    assert not RiskReview.objects.exists()
    assert client.post(url, {**data, "note": ""}).status_code == 400
    assert client.post(url, data).status_code == 302
    saved.refresh_from_db()
    assert (saved.consequence, saved.likelihood) == (4, 2)
    assert saved.review_on == dt.date(NEXT_YEAR, 6, 1)
    review = RiskReview.objects.get()
    assert review.note == "New controls working." and review.reviewed_by_label == "Helen"
    assert AuditEntry.objects.get(action="risk.reviewed").details["score"] == {
        "from": 12,
        "to": 8,
    }
    with pytest.raises(EditConflict):
        services.review_risk(
            Actor(user=people.icb),
            saved,
            reviewed_on=today,
            note="x",
            consequence=1,
            likelihood=1,
            next_review_on=today + dt.timedelta(days=1),
            expected_version=1,
        )


def test_the_register_flags_overdue_reviews_and_filters(client, small_ics, people, today):
    yesterday = today - dt.timedelta(days=1)
    risk(small_ics.trust_a, title="Overdue one", review_on=yesterday)
    risk(small_ics.trust_a, title="On time", consequence=5, likelihood=5)
    closed = risk(small_ics.trust_a, title="Closed overdue", review_on=yesterday)
    QualityRisk.objects.filter(pk=closed.pk).update(status="closed")
    client.force_login(people.icb)
    text = client.get("/signals/risks/").content.decode()
    assert text.index("On time") < text.index("Overdue one")  # highest score first
    assert text.count("Review overdue") == 1
    assert "Closed overdue" not in text
    assert "Reviews overdue (1)" in text and "Closed risks (1)" in text
    overdue = client.get("/signals/risks/?show=overdue").content.decode()
    assert "Overdue one" in overdue and "On time" not in overdue
    assert "Closed overdue" in client.get("/signals/risks/?show=closed").content.decode()


def test_the_service_checks_the_rules_whoever_calls_it(small_ics, people):
    with pytest.raises(services.GovernanceInvalid) as exc:
        risk(small_ics.trust_a, target_likelihood=5)
    assert exc.value.field == "target_likelihood"
    with pytest.raises(services.GovernanceInvalid):
        risk(small_ics.trust_a, consequence=0)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_risk(
            Actor(user=people.board_a),
            services.RiskInput(
                title="t",
                description="d",
                organisation=small_ics.trust_a,
                consequence=2,
                likelihood=2,
                target_consequence=1,
                target_likelihood=1,
                owner="o",
                controls="",
                review_on=dt.date(2027, 1, 1),
            ),
        )
    assert not QualityRisk.objects.exists()


@pytest.mark.parametrize(
    ("who", "sees", "new"),
    [
        ("icb", {"Risk at A", "Risk at B", "System risk", "Risk at maternity A"}, 200),
        ("board_a", {"Risk at A", "Risk at maternity A"}, 403),
        ("lead_a", {"Risk at A", "Risk at maternity A"}, 403),
        ("staff_a", None, 403),
        ("analyst", None, 403),
    ],
)
def test_who_sees_which_risks(client, small_ics, people, monkeypatch, who, sees, new):
    fake_watchlist(monkeypatch, [])
    made = {
        "Risk at A": risk(small_ics.trust_a, title="Risk at A"),
        "Risk at maternity A": risk(small_ics.maternity_a, title="Risk at maternity A"),
        "Risk at B": risk(small_ics.trust_b, title="Risk at B"),
        "System risk": risk(small_ics.ics, title="System risk"),
    }
    client.force_login(getattr(people, who))
    response = client.get("/signals/risks/")
    assert client.get("/signals/risks/new/").status_code == new
    if sees is None:
        assert response.status_code == 403
        assert client.get(f"/signals/risks/{made['Risk at A'].reference}/").status_code == 403
        return
    text = response.content.decode()
    assert {t for t in made if t in text} == sees
    for title, r in made.items():
        status = client.get(f"/signals/risks/{r.reference}/").status_code
        assert status == (200 if title in sees else 404)
        edit = client.get(f"/signals/risks/{r.reference}/edit/").status_code
        assert edit == (200 if who == "icb" else 403 if title in sees else 404)
