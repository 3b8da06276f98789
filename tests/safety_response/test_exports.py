"""The plan (and triage) drive psirf_response in the export and the API, efficiently."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caresignals.api.tokens import create_token
from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.organisations.roles import Role
from caresignals.safety.models import TriageDecision
from caresignals.safety.responses import services as response_services
from tests.factories import member
from tests.safety_response.factories import PlanRuleFactory, event

pytestmark = pytest.mark.django_db


def _export() -> dict[str, str]:
    out = StringIO()
    call_command("export", "events", "--format", "jsonl", stdout=out)
    return {
        r["reference"]: r["psirf_response"]
        for r in map(json.loads, out.getvalue().split("\n")[:-1])
    }


def test_export_shows_the_plan_driven_response(small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="swarm", position=1)
    PlanRuleFactory(organisation=small_ics.trust_a, response="none", position=2)  # catch-all
    falls = event(small_ics.trust_a, category="falls")
    other = event(small_ics.trust_a, category="medication")
    never = event(small_ics.trust_a, category="falls", never_event_type="wrong_implant")
    elsewhere = event(small_ics.trust_b, category="falls")  # trust B has no plan
    triaged = event(small_ics.trust_a, category="falls")
    response_services.triage_event(
        triaged, response="mdt", note="", expected_version=0, actor=Actor(label="test")
    )
    assert _export() == {
        falls.reference: "swarm",
        other.reference: "none",
        never.reference: "psii",
        elsewhere.reference: "undecided",
        triaged.reference: "mdt",  # the person's decision wins over the plan
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"never_event_type": "oxygen_air_flowmeter"},
        {"patient_died": True, "death_in_care_more_likely_than_not": True, "detained_mha": "true"},
        {"patient_died": True, "death_in_care_more_likely_than_not": True},
    ],
    ids=["never_event_psii", "mha_mca_death_psii", "death_due_to_care_psii"],
)
def test_every_national_requirement_beats_plan_and_triage_in_the_export(small_ics, fields):
    PlanRuleFactory(organisation=small_ics.trust_a, response="none")  # catch-all: no response
    e = event(small_ics.trust_a, **fields)
    assert _export() == {e.reference: "psii"}
    with pytest.raises(response_services.ResponseInvalid):
        response_services.triage_event(
            e, response="aar", note="", expected_version=0, actor=Actor(label="test")
        )
    assert not TriageDecision.objects.exists()


def test_export_queries_do_not_grow_with_events(small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, response="aar")
    PlanRuleFactory(organisation=small_ics.trust_b, response="swarm")
    for _ in range(5):
        event(small_ics.trust_a)
    with CaptureQueriesContext(connection) as few:
        _export()
    for _ in range(40):
        event(small_ics.trust_a)
        event(small_ics.trust_b)
    with CaptureQueriesContext(connection) as many:
        assert set(_export().values()) == {"aar", "swarm"}
    assert len(many) == len(few)


def test_api_shows_the_plan_driven_response(client, small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="aar")
    e = event(small_ics.trust_a, category="falls")
    member(small_ics.trust_a, Role.STAFF, username="api-staff")
    _row, token = create_token("api-staff", name="tests", actor=Actor(label="tests"))
    got = client.get(f"/api/v1/events/{e.reference}", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200 and got.json()["psirf_response"] == "aar"


def test_triage_by_plan_in_bulk(small_ics):
    import datetime as dt

    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="swarm")
    old = event(small_ics.trust_a, category="falls", reported_on=dt.date(2026, 1, 5))
    open_ = event(small_ics.trust_a, category="medication", reported_on=dt.date(2026, 1, 5))
    death = event(
        small_ics.trust_a,
        reported_on=dt.date(2026, 1, 5),
        patient_died=True,
        death_in_care_more_likely_than_not=True,
    )
    recent = event(small_ics.trust_a, reported_on=dt.date(2026, 3, 1))
    n = response_services.triage_by_plan(
        small_ics.trust_a, reported_before=dt.date(2026, 2, 1), actor=Actor(label="test")
    )
    assert n == 3
    decided = dict(TriageDecision.objects.values_list("event_id", "response"))
    assert decided == {old.pk: "swarm", open_.pk: "none", death.pk: "psii"}
    assert recent.pk not in decided
    assert AuditEntry.objects.filter(action="event.triaged_by_plan").count() == 1
