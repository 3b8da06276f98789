"""A public report whose harm is not known is read soon, never sunk to the bottom (H71)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caresignals.organisations.roles import Role
from caresignals.safety.responses import psirf
from caresignals.safety.responses.queries import plan_suggestion
from tests.factories import member
from tests.safety_response.factories import PlanRuleFactory, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(client, small_ics):
    user = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead-a")
    client.force_login(user)
    return user


def _harm(level, **kwargs):
    return {"physical_harm": level, "max_harm": level, **kwargs}


def test_not_known_harm_ranks_between_low_and_moderate(client, lead, small_ics):
    trust = small_ics.trust_a
    oldest = dt.date(2026, 1, 1)
    none = event(trust, reported_on=oldest, **_harm("none"))
    low = event(trust, reported_on=oldest, **_harm("low"))
    moderate = event(trust, reported_on=dt.date(2026, 3, 1), **_harm("moderate"))
    fall = event(
        trust,
        reported_on=dt.date(2026, 3, 2),  # the newest: still above older low and no harm
        reporter_type="family_carer",
        category="not_known",
        **_harm(""),
    )
    risk = event(trust, record_type="risk", reported_on=oldest, **_harm(""))  # no harm to know
    html = client.get(reverse("safety:triage")).content.decode()
    order = [moderate, fall, low, none, risk]
    positions = [html.index(e.reference) for e in order]
    assert positions == sorted(positions)
    row = html[html.index(fall.reference) :].split("</tr>", 1)[0]
    assert "Not known" in row  # its harm and its category

    only = client.get(reverse("safety:triage"), {"harm": "not_known"}).content.decode()
    assert fall.reference in only and risk.reference not in only and low.reference not in only
    assert '<option value="not_known" selected>Not known</option>' in only
    by_category = client.get(reverse("safety:triage"), {"category": "not_known"}).content.decode()
    assert fall.reference in by_category and low.reference not in by_category


def test_not_known_harm_is_never_accepted_in_bulk(small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, response=psirf.ResponseType.AAR)
    known = event(small_ics.trust_a, **_harm("low"))
    unknown = event(small_ics.trust_a, **_harm(""))
    assert plan_suggestion(known)[1] is None
    assert plan_suggestion(unknown)[1] == "the harm is not known yet"


def test_triage_sets_the_harm_and_category_the_reporter_did_not_know(client, lead, small_ics):
    from caresignals.audit.models import AuditAction, AuditEntry

    fall = event(small_ics.trust_a, reporter_type="family_carer", category="not_known", **_harm(""))
    url = reverse("safety:event", kwargs={"reference": fall.reference})
    page = client.get(url).content.decode()
    assert "Physical harm (not known when reported)" in page
    assert "What it was about (not known when reported)" in page
    triage = reverse("safety:event_triage", kwargs={"reference": fall.reference})
    bad = client.post(triage, {"response": "aar", "version": "0", "physical_harm": "awful"})
    assert "Select the harm" in bad.content.decode()
    fall.refresh_from_db()
    assert fall.physical_harm == "" and not hasattr(fall, "triage")

    done = client.post(
        triage,
        {"response": "aar", "version": "0", "physical_harm": "moderate", "category": "falls"},
    )
    assert done.status_code == 302
    fall.refresh_from_db()
    assert (fall.physical_harm, fall.max_harm, fall.category) == ("moderate", "moderate", "falls")
    entry = AuditEntry.objects.filter(action=AuditAction.EVENT_TRIAGED).get()
    assert entry.details["set"] == {"physical_harm": "moderate", "category": "falls"}


def test_triage_never_overwrites_a_recorded_harm(client, lead, small_ics):
    known = event(small_ics.trust_a, category="medication", **_harm("low"))
    page = client.get(reverse("safety:event", kwargs={"reference": known.reference}))
    assert "not known when reported" not in page.content.decode()
    triage = reverse("safety:event_triage", kwargs={"reference": known.reference})
    client.post(triage, {"response": "aar", "version": "0", "physical_harm": "severe"})
    known.refresh_from_db()
    assert (known.physical_harm, known.category) == ("low", "medication")
