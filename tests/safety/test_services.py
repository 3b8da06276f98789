"""Recording one event goes through the same rules as imports."""

from __future__ import annotations

import pytest

from caresignals.analytics.models import MonthlyEventCount
from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.audit.services import Actor
from caresignals.safety.events.services import EventInvalid, record_event
from caresignals.safety.models import PatientSafetyEvent
from tests.safety.test_import_events import event

pytestmark = pytest.mark.django_db


def test_one_event_is_stored_with_derived_fields_counts_and_audit(
    small_ics, django_capture_on_commit_callbacks
):
    fields = event(source_id="")
    fields["anonymous"] = True
    with django_capture_on_commit_callbacks(execute=True):
        answer = record_event(fields, actor=Actor(label="test"))
    recorded = answer.load()
    assert recorded.reference == answer.reference
    # The answer is built from what was written, not read back: it must be what is stored.
    attribute = {"organisation": "organisation_id", "service": "service_id"}
    for name, value in answer.stored.items():
        assert getattr(recorded, attribute.get(name, name)) == value, name
    assert (answer.org_code, answer.organisation_path) == (
        recorded.organisation.code,
        recorded.organisation.path,
    )
    assert recorded.reference.startswith("PSE-") and recorded.source_id.startswith("cs-")
    assert (recorded.imd_quintile, recorded.ethnic_group, recorded.max_harm) == (2, "black", "low")
    assert recorded.anonymous is True
    assert MonthlyEventCount.objects.filter(organisation=small_ics.trust_a).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.EVENT_CREATED, object_id=recorded.reference
    ).exists()


def test_bad_fields_are_named_and_nothing_is_stored(small_ics):
    with pytest.raises(EventInvalid) as raised:
        record_event(
            event(physical_harm="catastrophic", org_code="NOPE", colour="red"),
            actor=Actor(label="t"),
        )
    assert raised.value.errors == {"colour": ["Not a field of a patient-safety event"]}
    with pytest.raises(EventInvalid) as raised:
        record_event(
            event(physical_harm="catastrophic", occurred_on="2026-02-30"), actor=Actor(label="t")
        )
    assert set(raised.value.errors) == {"physical_harm", "occurred_on"}
    assert raised.value.errors["physical_harm"][0].startswith("Expected one of fatal, low")
    assert PatientSafetyEvent.objects.count() == 0


def test_the_same_source_id_twice_is_refused(small_ics):
    record_event(event(), actor=Actor(label="t"))
    with pytest.raises(EventInvalid) as raised:
        record_event(event(), actor=Actor(label="t"))
    assert "already recorded" in raised.value.errors["source_id"][0]
    assert PatientSafetyEvent.objects.count() == 1


def test_reference_data_kept_between_events_follows_organisation_changes(small_ics):
    from caresignals.organisations.services import OrganisationRow, upsert_organisations
    from caresignals.safety.events import importers
    from tests.factories import OrganisationFactory

    record_event(event(source_id="k1"), actor=Actor(label="t"))
    kept = importers._reference_kept
    record_event(event(source_id="k2"), actor=Actor(label="t"))
    assert importers._reference_kept is kept  # reused, not reloaded

    # A service added without the services (a factory) is seen through the row count ...
    OrganisationFactory(code="TA-NEW", kind="service", type="other", parent=small_ics.trust_a)
    record_event(event(source_id="k3", service_code="TA-NEW"), actor=Actor(label="t"))
    assert importers._reference_kept is not kept
    # ... and a change through the services through the reference version.
    kept = importers._reference_kept
    upsert_organisations(
        [OrganisationRow("TA-NEW", "Renamed", "service", "maternity", "TA")], Actor(label="t")
    )
    record_event(event(source_id="k4"), actor=Actor(label="t"))
    assert importers._reference_kept is not kept


def test_the_answer_follows_an_edit_of_the_plan_made_between_two_events(small_ics):
    """The plan is kept with the reference data per process; editing it must show at once."""
    from caresignals.safety.events.exports import new_record
    from caresignals.safety.models import PlanRule
    from caresignals.safety.responses.services import RuleFields, save_plan_rule

    actor = Actor(label="t")
    fields = RuleFields("maternity", "", "", None, "aar", None)
    rule = save_plan_rule(small_ics.trust_a, None, fields, expected_version=0, actor=actor)
    assert new_record(record_event(event(source_id="p1"), actor=actor))["psirf_response"] == "aar"
    fields = RuleFields("maternity", "", "", None, "swarm", None)
    save_plan_rule(small_ics.trust_a, rule, fields, expected_version=rule.version, actor=actor)
    assert new_record(record_event(event(source_id="p2"), actor=actor))["psirf_response"] == "swarm"
    PlanRule.objects.all().delete()
    answer = new_record(record_event(event(source_id="p3"), actor=actor))
    assert answer["psirf_response"] == "undecided"
