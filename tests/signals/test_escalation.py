"""Escalation levels: the ICB quality lead decides, with a rationale; every change is
audited and kept in the history; the watchlist proposes but never changes a level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.core.concurrency import EditConflict
from caresignals.signals.governance import services
from caresignals.signals.models import EscalationChange, ProviderEscalation
from tests.clock import suite_today
from tests.signals.factories import entry, fake_watchlist

pytestmark = pytest.mark.django_db

D = dt.date(2026, 1, 20)


def change(user, org, to="enhanced", version=0, **kw):
    args = {
        "to_level": to,
        "rationale": "Concerns from several signals.",
        "decided_on": D,
        "forum": "sqg",
        "expected_version": version,
    }
    args.update(kw)
    return services.change_level(Actor(user=user), org, **args)


def form(to="enhanced", version=0, rationale="Harm rising; reporting falling.", day=D):
    return {
        "version": str(version),
        "to_level": to,
        "decided_on_day": str(day.day),
        "decided_on_month": str(day.month),
        "decided_on_year": str(day.year),
        "forum": "sqg",
        "rationale": rationale,
    }


# --------------------------------------------------------------------------- the service


def test_the_icb_quality_lead_changes_a_level_with_history_and_audit(small_ics, people):
    change(people.icb, small_ics.trust_a)
    change(people.icb, small_ics.trust_a, "intensive", 1, decided_on=D + dt.timedelta(days=40))
    row = ProviderEscalation.objects.get(provider=small_ics.trust_a)
    assert (row.level, row.since, row.version) == ("intensive", D + dt.timedelta(days=40), 2)
    history = list(EscalationChange.objects.filter(provider=small_ics.trust_a))
    assert [(c.from_level, c.to_level) for c in history] == [
        ("enhanced", "intensive"),  # latest first
        ("routine", "enhanced"),
    ]
    assert history[0].decided_by == people.icb and history[0].decided_by_label == "Helen"
    audit = AuditEntry.objects.filter(action="escalation.changed").order_by("id")
    assert [a.details["to"] for a in audit] == ["enhanced", "intensive"]
    assert audit[0].details["rationale"] == "Concerns from several signals."
    assert audit[0].organisation_path == small_ics.trust_a.path
    assert audit[0].actor == people.icb


@pytest.mark.parametrize("who", ["board_a", "lead_a", "staff_a", "analyst"])
def test_only_the_icb_quality_lead_may_change_a_level(small_ics, people, who):
    with pytest.raises(PermissionDenied):
        change(getattr(people, who), small_ics.trust_a)
    assert not ProviderEscalation.objects.exists()
    assert not AuditEntry.objects.filter(action="escalation.changed").exists()


def test_a_rationale_is_required(small_ics, people):
    with pytest.raises(services.GovernanceInvalid) as exc:
        change(people.icb, small_ics.trust_a, rationale="   ")
    assert exc.value.field == "rationale"
    assert not EscalationChange.objects.exists()


def test_the_same_level_and_a_date_before_the_current_are_refused(small_ics, people):
    with pytest.raises(services.GovernanceInvalid, match="different"):
        change(people.icb, small_ics.trust_a, to="routine")
    change(people.icb, small_ics.trust_a)
    with pytest.raises(services.GovernanceInvalid) as exc:
        change(people.icb, small_ics.trust_a, "routine", 1, decided_on=D - dt.timedelta(days=1))
    assert exc.value.field == "decided_on"


def test_services_have_no_level(small_ics, people):
    with pytest.raises(services.GovernanceInvalid):
        change(people.icb, small_ics.maternity_a)


def test_a_stale_version_is_a_conflict_and_changes_nothing(small_ics, people):
    change(people.icb, small_ics.trust_a)
    with pytest.raises(EditConflict):
        change(people.icb, small_ics.trust_a, "intensive", version=0)
    with pytest.raises(EditConflict):  # read before the first escalation existed
        change(people.icb, small_ics.trust_b, version=3)
    assert ProviderEscalation.objects.get(provider=small_ics.trust_a).level == "enhanced"
    assert EscalationChange.objects.count() == 1


# --------------------------------------------------------------------------- the pages


def test_escalation_page_shows_level_history_and_the_watchlist_proposal(
    client, small_ics, people, monkeypatch
):
    asked = fake_watchlist(
        monkeypatch, [entry(small_ics.trust_a, small_ics.maternity_a), entry(small_ics.trust_b)]
    )
    change(people.icb, small_ics.trust_a, rationale="Rising harm & falling reporting <b>")
    client.force_login(people.icb)
    response = client.get("/signals/escalation/TA/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Enhanced surveillance" in text and "since 20 January 2026" in text
    assert "Rising harm &amp; falling reporting &lt;b&gt;" in text  # escaped
    assert "System Quality Group" in text and "Helen" in text
    assert "Synthetic signal harm_special_cause at Maternity A" in text
    assert "Consider whether intensive support is needed" in text
    assert "Synthetic signal harm_special_cause at Trust B" not in text  # another provider's
    assert asked  # the latest period was asked for
    # The watchlist never changed the level itself.
    assert ProviderEscalation.objects.get(provider=small_ics.trust_a).level == "enhanced"


def test_overview_lists_escalated_providers_and_proposals(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [entry(small_ics.trust_b)])
    change(people.icb, small_ics.trust_a)
    client.force_login(people.icb)
    text = client.get("/signals/escalation/").content.decode()
    assert "Trust A" in text and "Enhanced surveillance" in text
    assert "Consider whether enhanced surveillance is needed" in text  # Trust B, at routine
    assert not ProviderEscalation.objects.filter(provider=small_ics.trust_b).exists()


def test_changing_the_level_through_the_page(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [])
    client.force_login(people.icb)
    assert client.get("/signals/escalation/TA/change/").status_code == 200
    response = client.post("/signals/escalation/TA/change/", form())
    assert response.status_code == 302
    assert ProviderEscalation.objects.get(provider=small_ics.trust_a).level == "enhanced"
    assert AuditEntry.objects.filter(action="escalation.changed").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form(rationale=""), "rationale", "Enter why the level is changing"),
        (form(to="routine"), "to_level", "Select a level different from the current one"),
        (form(to=""), "to_level", "Select the new level"),
        pytest.param(
            form(day=suite_today() + dt.timedelta(days=3)),
            "decided_on",
            "today or in the past",
            marks=pytest.mark.date_sensitive,
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(
    client, small_ics, people, monkeypatch, data, field, message
):
    fake_watchlist(monkeypatch, [])
    client.force_login(people.icb)
    response = client.post("/signals/escalation/TA/change/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and f'href="#{field}"' in text
    assert not EscalationChange.objects.exists()


def test_a_conflict_through_the_page_says_so(client, small_ics, people, monkeypatch):
    fake_watchlist(monkeypatch, [])
    change(people.icb, small_ics.trust_a)  # someone else, after the form was read at 0
    client.force_login(people.icb)
    response = client.post("/signals/escalation/TA/change/", form(to="intensive"), follow=True)
    assert "Someone else changed this record" in response.content.decode()
    assert ProviderEscalation.objects.get(provider=small_ics.trust_a).level == "enhanced"


@pytest.mark.parametrize(
    ("who", "own", "other", "change_page"),
    [
        ("icb", 200, 200, 200),
        ("board_a", 200, 404, 403),
        ("lead_a", 200, 404, 403),
        ("staff_a", 403, 403, 403),
        ("analyst", 403, 403, 403),
    ],
)
def test_who_may_see_and_change(
    client, small_ics, people, monkeypatch, who, own, other, change_page
):
    fake_watchlist(monkeypatch, [])
    client.force_login(getattr(people, who))
    assert client.get("/signals/escalation/TA/").status_code == own
    assert client.get("/signals/escalation/TB/").status_code == other
    assert client.get("/signals/escalation/TA/change/").status_code == change_page
    posted = client.post("/signals/escalation/TA/change/", form()).status_code
    assert posted == (302 if change_page == 200 else change_page)
    assert client.get("/signals/escalation/TA-MAT/").status_code in (403, 404)  # not a provider


def test_the_organisation_page_shows_the_level_to_governance_roles_only(client, small_ics, people):
    change(people.icb, small_ics.trust_a)
    client.force_login(people.board_a)
    text = client.get("/organisations/TA/").content.decode()
    assert "Escalation level: <strong>enhanced surveillance</strong>" in text
    assert 'href="/signals/escalation/TA/"' in text
    client.force_login(people.staff_a)  # same scope, no governance role
    text = client.get("/organisations/TA/").content.decode()
    assert "Escalation level" not in text
