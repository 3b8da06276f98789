"""Writing a learning summary, de-identified by rule, approved before it crosses organisations,
and reuse recorded: through the services, with the scoping and audit they promise."""

from __future__ import annotations

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.learning import queries, services
from caresignals.learning.models import LearningReuse, LearningSummary
from caresignals.organisations.roles import Role
from tests.factories import member
from tests.learning.helpers import ACTOR, completed_response, lead_of, summary_for

pytestmark = pytest.mark.django_db


def test_prefill_takes_findings_and_actions_with_what_their_measures_showed(small_ics):
    response = completed_response(
        small_ics.trust_a, findings={"tasks": "No insulin step.", "person": "Tired staff."}
    )
    values = services.prefill(response)
    assert values["title"] == response.title
    assert values["what_happened"] == response.summary
    assert values["factor_tasks"] == "No insulin step."
    assert values["factor_person"] == "Tired staff."
    assert values["factor_tools_technology"] == ""
    assert "Add insulin to the handover sheet." in values["actions"]
    assert "It fell from six to one a month." in values["actions"]


def test_saving_de_identifies_every_field_and_keeps_the_source_inside(small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    response = completed_response(small_ics.trust_a, lead="Imogen Thwaite")
    s = summary_for(
        response,
        user=lead,
        approve=False,
        what_happened="Mrs Agnes Pybus (NHS number 943 476 5919) of NE1 4LP missed insulin; "
        "Imogen Thwaite reviewed it. Her son rang 0191 496 0123.",
        factor_person="Thwaite noted fatigue; email imogen@example.org.",
    )
    assert s.status == "draft"
    for gone in ("Agnes", "Pybus", "943 476 5919", "NE1 4LP", "Imogen", "Thwaite", "0191"):
        assert gone not in s.what_happened + s.factor_person + s.search_body
    assert "[NHS number]" in s.what_happened and "[postcode]" in s.what_happened
    assert "insulin" in s.what_happened  # clinical words stay
    assert "Agnes Pybus" in s.source["what_happened"]  # what the team wrote, kept inside
    shown = services.preview(s.source, services.known_names(response))
    taken = {(r.label, r.text) for r in shown.removed["what_happened"]}
    assert ("NHS number", "943 476 5919") in taken
    assert ("postcode", "NE1 4LP") in taken
    entry = AuditEntry.objects.get(action="learning_summary.saved")
    assert entry.object_id == s.reference and entry.details["removed"]["NHS number"] == 1
    assert "Pybus" not in str(entry.details)  # the audit says how many, never what


def test_a_draft_is_read_only_inside_its_provider(small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(completed_response(small_ics.trust_a), user=lead, approve=False)
    staff_a = member(small_ics.maternity_a, Role.STAFF, username="staff-a")
    staff_b = member(small_ics.trust_b, Role.STAFF, username="staff-b")
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    assert list(queries.visible(lead)) == [s]
    assert list(queries.visible(staff_a)) == [s]  # a service inside the provider
    assert not queries.visible(staff_b).exists()
    assert not queries.visible(icb).exists()  # the ICB sees the provider from above


def test_approval_by_the_providers_patient_safety_lead_opens_it_to_everyone(small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(completed_response(small_ics.trust_a), user=lead, approve=False)
    other_lead = lead_of(small_ics.trust_b, "lead-b")
    staff_a = member(small_ics.trust_a, Role.STAFF, username="staff-a")
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    for refused in (other_lead, staff_a, icb):
        with pytest.raises(services.NotAllowed):
            services.approve(s, user=refused, actor=ACTOR, version=s.version)
    with pytest.raises(services.SummaryInvalid):
        services.approve(s, user=lead, actor=ACTOR, version=s.version - 1)  # not what was read
    services.approve(s, user=lead, actor=ACTOR, version=s.version)
    s.refresh_from_db()
    assert s.status == "approved" and s.approver_name == lead.display_name
    staff_b = member(small_ics.trust_b, Role.STAFF, username="staff-b")
    assert list(queries.visible(staff_b)) == [s]
    assert list(queries.visible(icb)) == [s]
    assert AuditEntry.objects.filter(action="learning_summary.approved").count() == 1


def test_changing_an_approved_summary_takes_it_out_of_the_library_until_approved_again(
    small_ics,
):
    lead = lead_of(small_ics.trust_a, "lead-a")
    response = completed_response(small_ics.trust_a)
    s = summary_for(response, user=lead)
    staff_b = member(small_ics.trust_b, Role.STAFF, username="staff-b")
    assert queries.visible(staff_b).exists()
    again = summary_for(response, user=lead, approve=False, what_happened="Rewritten.")
    assert again.pk == s.pk and again.status == "draft" and again.version == s.version + 1
    assert not queries.visible(staff_b).exists()


def test_only_the_providers_team_writes_and_only_for_a_completed_response(small_ics):
    lead_b = lead_of(small_ics.trust_b, "lead-b")
    response = completed_response(small_ics.trust_a)
    with pytest.raises(services.NotAllowed):
        summary_for(response, user=lead_b, approve=False)
    lead = lead_of(small_ics.trust_a, "lead-a")
    response.status = "in_progress"
    response.save()
    with pytest.raises(services.SummaryInvalid) as raised:
        summary_for(response, user=lead, approve=False)
    assert "response" in raised.value.errors


def test_bad_input_names_each_field_and_stores_nothing(small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    response = completed_response(small_ics.trust_a, findings={})
    with pytest.raises(services.SummaryInvalid) as raised:
        services.save_summary(
            response, {"title": "", "what_happened": ""}, "sideways", user=lead, actor=ACTOR
        )
    assert set(raised.value.errors) == {"title", "what_happened", "factor_person", "outcome"}
    assert not LearningSummary.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="learning_summary").exists()


def test_reuse_is_recorded_once_per_other_organisation(small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(completed_response(small_ics.trust_a), user=lead)
    staff_b = member(small_ics.trust_b, Role.STAFF, username="staff-b")
    assert services.reuse_organisations(lead, s) == []  # not its own provider
    assert services.reuse_organisations(staff_b, s) == [small_ics.trust_b]
    services.record_reuse(
        s, small_ics.trust_b.pk, "Changed our checklist.", user=staff_b, actor=ACTOR
    )
    assert LearningReuse.objects.get().organisation == small_ics.trust_b
    assert services.reuse_organisations(staff_b, s) == []
    with pytest.raises(services.SummaryInvalid):
        services.record_reuse(s, small_ics.trust_b.pk, "", user=staff_b, actor=ACTOR)
    with pytest.raises(services.SummaryInvalid):  # not one of theirs
        services.record_reuse(s, small_ics.ics.pk, "", user=staff_b, actor=ACTOR)
    assert AuditEntry.objects.filter(action="learning_summary.reused").count() == 1


def test_a_draft_cannot_be_reused(small_ics):
    lead = lead_of(small_ics.trust_a, "lead-a")
    s = summary_for(completed_response(small_ics.trust_a), user=lead, approve=False)
    staff_b = member(small_ics.trust_b, Role.STAFF, username="staff-b")
    assert services.reuse_organisations(staff_b, s) == []
