"""The event page, the triage queue, the plan, learning responses and actions, through views."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from caresignals.audit.models import AuditEntry
from caresignals.organisations.roles import Role
from caresignals.safety.models import (
    Finding,
    LearningResponse,
    PlanRule,
    SafetyAction,
    TriageDecision,
)
from tests.factories import member
from tests.safety_response.factories import (
    LearningResponseFactory,
    PlanRuleFactory,
    SafetyActionFactory,
    event,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(client, small_ics):
    user = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead-a")
    client.force_login(user)
    return user


def _triage_url(e):
    return reverse("safety:event_triage", kwargs={"reference": e.reference})


def test_event_page_shows_facts_derived_fields_and_free_text_inside_provider(
    client, lead, small_ics
):
    e = event(
        small_ics.trust_a,
        never_event_type="wrong_site_surgery",
        physical_harm="severe",
        max_harm="severe",
        description="Synthetic: the wrong knee was prepared.",
    )
    page = client.get(reverse("safety:event", kwargs={"reference": e.reference}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Never Event: PSII required" in html
    assert "Synthetic: the wrong knee was prepared." in html
    assert "Notifiable: first notification due" in html
    assert f"/safety/events/{e.reference}/candour/" in html  # the candour page


def test_event_page_shows_strength_of_association_as_its_own_row(client, lead, small_ics):
    def facts(e):
        html = client.get(reverse("safety:event", kwargs={"reference": e.reference}))
        return " ".join(html.content.decode().split())

    severe = event(
        small_ics.trust_a,
        physical_harm="severe",
        max_harm="severe",
        strength_of_association="probably",
        description="Synthetic: a missed deterioration.",
    )
    page = facts(severe)
    assert re.search(
        r"Strength of association </dt> <dd[^>]*> The incident probably contributed", page
    )
    assert "<p>Synthetic: a missed deterioration.</p>" in page  # not in the description
    unanswered = event(small_ics.trust_a, physical_harm="fatal", max_harm="fatal")
    assert re.search(r"Strength of association </dt> <dd[^>]*> Not recorded", facts(unanswered))
    assert "Strength of association" not in facts(event(small_ics.trust_a))  # low: not asked


def test_icb_reads_event_with_de_identified_free_text(client, small_ics):
    e = event(small_ics.trust_a, description="Synthetic: Mrs Jane Example, NHS 943 476 5919, fell.")
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    page = client.get(reverse("safety:event", kwargs={"reference": e.reference}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "fell." in html and "De-identified" in html
    assert "Jane Example" not in html and "943 476 5919" not in html
    assert "Save triage decision" not in page.content.decode()
    # and cannot triage
    response = client.post(_triage_url(e), {"response": "aar", "note": "", "version": "0"})
    assert response.status_code == 404
    assert not TriageDecision.objects.exists()


def test_other_organisations_events_are_not_found(client, lead, small_ics):
    other = event(small_ics.trust_b)
    assert (
        client.get(reverse("safety:event", kwargs={"reference": other.reference})).status_code
        == 404
    )
    response = client.post(_triage_url(other), {"response": "aar", "version": "0"})
    assert response.status_code == 404
    assert not TriageDecision.objects.exists()


@pytest.mark.parametrize(
    "role",
    [
        Role.STAFF,
        Role.COMPLAINTS_LEAD,
        Role.SPEAKUP_GUARDIAN,
        Role.BOARD_MEMBER,
        Role.ANALYST,
        Role.ADMINISTRATOR,
    ],
)
def test_roles_without_the_capability_cannot_reach_the_pages(client, small_ics, role):
    e = event(small_ics.trust_a)
    client.force_login(member(small_ics.trust_a, role, username=f"u-{role}"))
    for name in ("safety:triage", "safety:plan", "safety:responses", "safety:actions"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("safety:event", kwargs={"reference": e.reference})).status_code == 403
    assert client.post(_triage_url(e), {"response": "aar", "version": "0"}).status_code == 403
    assert not TriageDecision.objects.exists()


def test_triage_records_decision_audits_and_leaves_queue(client, lead, small_ics):
    e = event(small_ics.trust_a)
    queue = client.get(reverse("safety:triage"))
    assert e.reference in queue.content.decode()
    response = client.post(
        _triage_url(e), {"response": "aar", "note": "Ward huddle.", "version": "0"}
    )
    assert response.status_code == 302
    decision = TriageDecision.objects.get(event=e)
    assert (decision.response, decision.note, decision.decided_by) == ("aar", "Ward huddle.", lead)
    entry = AuditEntry.objects.get(action="event.triaged")
    assert entry.object_id == e.reference and entry.details["response"] == "aar"
    after = client.get(reverse("safety:triage")).content.decode()
    assert f'href="/safety/events/{e.reference}/"' not in after
    assert "There are no events waiting for triage" in after


def test_triage_cannot_go_below_a_national_requirement(client, lead, small_ics):
    e = event(small_ics.trust_a, patient_died=True, death_in_care_more_likely_than_not=True)
    response = client.post(_triage_url(e), {"response": "none", "version": "0"})
    assert response.status_code == 200
    assert "must have a patient-safety incident investigation" in response.content.decode()
    assert not TriageDecision.objects.exists()
    assert client.post(_triage_url(e), {"response": "psii", "version": "0"}).status_code == 302


def test_triage_validation_messages(client, lead, small_ics):
    e = event(small_ics.trust_a)
    response = client.post(_triage_url(e), {"response": "", "version": "0"})
    assert "Choose how to respond to this event" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not TriageDecision.objects.exists()


def test_saving_with_nothing_chosen_never_applies_the_plans_suggestion(client, lead, small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="swarm")
    e = event(small_ics.trust_a, category="falls", physical_harm="low", max_harm="low")
    page = client.get(reverse("safety:event", kwargs={"reference": e.reference})).content.decode()
    assert "The plan suggests: SWARM huddle" in page
    assert "checked" not in page  # nothing is chosen for the lead
    assert 'name="accept_plan"' in page

    empty = client.post(_triage_url(e), {"note": "Looked at it.", "version": "0"})
    assert empty.status_code == 200
    html = empty.content.decode()
    assert "There is a problem" in html
    assert "#response" in html and html.count("Choose how to respond to this event") >= 2
    assert "Looked at it." in html  # what was typed is kept
    assert not TriageDecision.objects.exists()
    assert not AuditEntry.objects.filter(action="event.triaged").exists()

    accepted = client.post(
        _triage_url(e), {"accept_plan": "1", "note": "As planned.", "version": "0"}
    )
    assert accepted.status_code == 302
    decision = TriageDecision.objects.get(event=e)
    assert (decision.response, decision.note, decision.decided_by) == ("swarm", "As planned.", lead)


def test_concurrent_triage_does_not_overwrite(client, lead, small_ics):
    e = event(small_ics.trust_a)
    assert client.post(_triage_url(e), {"response": "aar", "version": "0"}).status_code == 302
    # Someone else, who read the event before it was triaged, triages it too.
    response = client.post(_triage_url(e), {"response": "swarm", "version": "0"}, follow=True)
    assert "Someone else changed this" in response.content.decode()
    assert TriageDecision.objects.get(event=e).response == "aar"
    # With the current version, changing the decision works.
    assert client.post(_triage_url(e), {"response": "swarm", "version": "1"}).status_code == 302
    assert TriageDecision.objects.get(event=e).response == "swarm"
    # A stale version is refused.
    client.post(_triage_url(e), {"response": "mdt", "version": "1"})
    assert TriageDecision.objects.get(event=e).response == "swarm"


def test_queue_orders_by_urgency_filters_and_empty_state(client, lead, small_ics):
    old_low = event(
        small_ics.trust_a, reported_on=dt.date(2026, 1, 1), physical_harm="low", max_harm="low"
    )
    new_low = event(
        small_ics.trust_a, reported_on=dt.date(2026, 3, 1), physical_harm="low", max_harm="low"
    )
    severe = event(
        small_ics.trust_a, physical_harm="severe", max_harm="severe", category="medication"
    )
    never = event(
        small_ics.trust_a, never_event_type="scalding", physical_harm="none", max_harm="none"
    )
    # moderate physical harm is candour-notifiable; moderate psychological harm is not (yet)
    candour = event(
        small_ics.trust_a,
        physical_harm="moderate",
        max_harm="moderate",
        reported_on=dt.date(2026, 3, 5),
    )
    not_yet = event(
        small_ics.trust_a,
        physical_harm="low",
        psychological_harm="moderate",
        max_harm="moderate",
        reported_on=dt.date(2026, 2, 1),
    )
    event(small_ics.trust_a, record_type="good_care", physical_harm="", max_harm="")
    html = client.get(reverse("safety:triage")).content.decode()
    order = [never, severe, candour, not_yet, old_low, new_low]
    positions = [html.index(e.reference) for e in order]
    assert positions == sorted(positions)
    assert "6</strong> events to triage" in html

    filtered = client.get(reverse("safety:triage"), {"category": "medication"}).content.decode()
    assert severe.reference in filtered and never.reference not in filtered

    empty = client.get(reverse("safety:triage"), {"harm": "fatal"}).content.decode()
    assert "No events to triage match these filters." in empty


def test_queue_paginates(client, lead, small_ics):
    for _ in range(30):
        event(small_ics.trust_a)
    first = client.get(reverse("safety:triage")).content.decode()
    assert "Next page" in first and first.count('href="/safety/events/') == 25
    second = client.get(reverse("safety:triage"), {"page": 2}).content.decode()
    assert second.count('href="/safety/events/') == 5


def test_plan_page_lists_national_requirements_and_rules(client, lead, small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="swarm")
    html = client.get(reverse("safety:plan")).content.decode()
    assert html.count("Cannot be switched off") == 9
    assert "category Falls" in html and "SWARM huddle" in html
    assert "Add a rule" in html


def test_plan_rules_add_edit_remove_audited(client, lead, small_ics):
    url = reverse("safety:plan_rule_new") + "?org=TA"
    bad = client.post(url, {"version": "0", "position": "x"})
    assert "Select the learning response" in bad.content.decode()
    assert "Order must be a whole number" in bad.content.decode()
    assert not PlanRule.objects.exists()
    client.post(
        url, {"version": "0", "category": "falls", "min_harm": "moderate", "response": "aar"}
    )
    rule = PlanRule.objects.get()
    assert (rule.organisation, rule.category, rule.min_harm, rule.position) == (
        small_ics.trust_a,
        "falls",
        "moderate",
        1,
    )
    edit = reverse("safety:plan_rule", kwargs={"pk": rule.pk})
    client.post(
        edit, {"version": "1", "category": "falls", "response": "swarm", "service": "TA-MAT"}
    )
    rule.refresh_from_db()
    assert (rule.response, rule.service, rule.version) == ("swarm", small_ics.maternity_a, 2)
    # stale version: refused
    client.post(edit, {"version": "1", "response": "psii"})
    rule.refresh_from_db()
    assert rule.response == "swarm"
    # another provider's service cannot be chosen
    wrong = client.post(edit, {"version": "2", "response": "aar", "service": "TB-MAT"})
    assert "Select one of this provider" in wrong.content.decode()
    client.post(reverse("safety:plan_rule_remove", kwargs={"pk": rule.pk}), {"version": "2"})
    assert not PlanRule.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["plan_rule.created", "plan_rule.updated", "plan_rule.removed"]


def test_other_providers_plan_is_not_found(client, lead, small_ics):
    rule = PlanRuleFactory(organisation=small_ics.trust_b)
    assert client.get(reverse("safety:plan"), {"org": "TB"}).status_code == 404
    assert client.get(reverse("safety:plan_rule", kwargs={"pk": rule.pk})).status_code == 404
    assert client.get(reverse("safety:plan_rule_new"), {"org": "TB"}).status_code == 404
    client.post(reverse("safety:plan_rule_remove", kwargs={"pk": rule.pk}), {"version": "1"})
    assert PlanRule.objects.filter(pk=rule.pk).exists()


def _response_post(e, **extra):
    data = {
        "version": "0",
        "kind": "aar",
        "title": "Falls on the medical ward",
        "events": e.reference,
        "terms_of_reference": "What happened and why.",
        "lead": "Matron",
        "status": "in_progress",
        "started_on_day": "1",
        "started_on_month": "3",
        "started_on_year": "2026",
        "due_on_day": "1",
        "due_on_month": "5",
        "due_on_year": "2026",
        "finding_tasks": "Checks were done at handover only.",
        "finding_tools_technology": "The bed alarm was not working.",
    }
    data.update(extra)
    return data


def test_learning_response_create_edit_with_findings_audited(client, lead, small_ics):
    e = event(small_ics.trust_a)
    url = reverse("safety:response_new") + "?org=TA"
    response = client.post(url, _response_post(e))
    assert response.status_code == 302
    lr = LearningResponse.objects.get()
    assert list(lr.events.all()) == [e]
    assert dict(Finding.objects.values_list("factor", "text")) == {
        "tasks": "Checks were done at handover only.",
        "tools_technology": "The bed alarm was not working.",
    }
    page = client.get(
        reverse("safety:response", kwargs={"reference": lr.reference})
    ).content.decode()
    assert "The bed alarm was not working." in page and "Tools and technology" in page

    edit = reverse("safety:response_edit", kwargs={"reference": lr.reference})
    done = _response_post(e, version="1", status="completed", summary="", finding_tasks="")
    bad = client.post(edit, done).content.decode()
    assert "Enter the date it was completed" in bad and "Enter a summary" in bad
    done.update(
        completed_on_day="20", completed_on_month="4", completed_on_year="2026", summary="Learned."
    )
    assert client.post(edit, done).status_code == 302
    lr.refresh_from_db()
    assert (lr.status, lr.version, lr.summary) == ("completed", 2, "Learned.")
    assert list(Finding.objects.values_list("factor", flat=True)) == ["tools_technology"]
    stale = client.post(edit, done, follow=True).content.decode()
    assert "Someone else changed this" in stale
    assert [a for a in AuditEntry.objects.order_by("id").values_list("action", flat=True)] == [
        "learning_response.created",
        "learning_response.updated",
    ]


def test_learning_response_event_rules(client, lead, small_ics):
    a, b = event(small_ics.trust_a), event(small_ics.trust_a)
    other = event(small_ics.trust_b)
    url = reverse("safety:response_new") + "?org=TA"
    two = client.post(
        url, _response_post(a, events=f"{a.reference} {b.reference}")
    ).content.decode()
    assert "Only a thematic review can look at several events" in two
    foreign = client.post(url, _response_post(a, events=other.reference)).content.decode()
    assert f"No event {other.reference} at Trust A" in foreign
    junk = client.post(url, _response_post(a, events="not-a-reference")).content.decode()
    assert "Enter event references like" in junk
    assert not LearningResponse.objects.exists()
    ok = client.post(
        url, _response_post(a, kind="thematic", events=f"{a.reference}, {b.reference}")
    )
    assert ok.status_code == 302
    assert LearningResponse.objects.get().events.count() == 2


def test_engagement_add_remove(client, lead, small_ics):
    lr = LearningResponseFactory(organisation=small_ics.trust_a)
    add = reverse("safety:engagement_add", kwargs={"reference": lr.reference})
    bad = client.post(add, {"group": "", "who": "", "method": ""}).content.decode()
    assert "Select who was engaged" in bad and "Enter who was engaged" in bad
    client.post(add, {"group": "family", "who": "Patient's son", "method": "in_person"})
    engagement = lr.engagements.get()
    assert engagement.who == "Patient's son"
    client.post(
        reverse("safety:engagement_remove", kwargs={"reference": lr.reference, "pk": engagement.pk})
    )
    assert not lr.engagements.exists()
    assert AuditEntry.objects.filter(action__startswith="learning_response.engagement").count() == 2


def test_safety_actions_create_validate_overdue(client, lead, small_ics):
    e = event(small_ics.trust_a)
    lr = LearningResponseFactory(organisation=small_ics.trust_a)
    lr.events.add(e)
    url = reverse("safety:action_new", kwargs={"reference": lr.reference})
    bad = client.post(url, {"version": "0", "status": "not_taken_forward"}).content.decode()
    for message in (
        "Enter the action",
        "Enter who owns the action",
        "Enter the date the action is due",
        "Enter how its effect will be measured",
        "Enter why the action is not being taken forward",
    ):
        assert message in bad
    assert not SafetyAction.objects.exists()
    data = {
        "version": "0",
        "description": "Fix bed alarms.",
        "owner": "Estates",
        "measure_of_effect": "Audit.",
        "status": "open",
        "due_on_day": "1",
        "due_on_month": "1",
        "due_on_year": "2026",
    }
    assert client.post(url, data).status_code == 302
    action = SafetyAction.objects.get()
    assert AuditEntry.objects.filter(
        action="safety_action.created", object_id=action.reference
    ).exists()
    overdue = client.get(reverse("safety:actions"), {"overdue": "1"}).content.decode()
    assert action.reference in overdue and "Overdue" in overdue
    assert (
        "Overdue"
        in client.get(reverse("safety:event", kwargs={"reference": e.reference})).content.decode()
    )
    assert (
        "Overdue actions"
        in client.get(
            reverse("safety:response", kwargs={"reference": lr.reference})
        ).content.decode()
    )
    # done: no longer overdue
    edit = reverse("safety:action", kwargs={"reference": action.reference})
    assert client.post(edit, {**data, "version": "1", "status": "done"}).status_code == 302
    assert (
        action.reference
        not in client.get(reverse("safety:actions"), {"overdue": "1"}).content.decode()
    )
    stale = client.post(
        edit, {**data, "version": "1", "status": "closed"}, follow=True
    ).content.decode()
    assert "Someone else changed this" in stale
    action.refresh_from_db()
    assert action.status == "done"


def test_other_providers_responses_and_actions_are_not_found(client, lead, small_ics):
    lr = LearningResponseFactory(organisation=small_ics.trust_b)
    action = SafetyActionFactory(response=lr)
    assert (
        client.get(reverse("safety:response", kwargs={"reference": lr.reference})).status_code
        == 404
    )
    assert (
        client.get(reverse("safety:response_edit", kwargs={"reference": lr.reference})).status_code
        == 404
    )
    assert (
        client.get(reverse("safety:action", kwargs={"reference": action.reference})).status_code
        == 404
    )
    assert client.get(reverse("safety:response_new"), {"org": "TB"}).status_code == 404
    assert lr.reference not in client.get(reverse("safety:responses")).content.decode()
    listed = client.get(reverse("safety:actions")).content.decode()
    assert action.reference not in listed


def test_icb_reads_every_provider_but_changes_nothing(client, small_ics):
    lr = LearningResponseFactory(organisation=small_ics.trust_b)
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    assert lr.title in client.get(reverse("safety:responses")).content.decode()
    assert (
        client.get(reverse("safety:response", kwargs={"reference": lr.reference})).status_code
        == 200
    )
    assert (
        client.get(reverse("safety:response_edit", kwargs={"reference": lr.reference})).status_code
        == 404
    )
    assert client.get(reverse("safety:plan"), {"org": "TB"}).status_code == 200
    assert client.get(reverse("safety:plan_rule_new"), {"org": "TB"}).status_code == 404


def test_navigation_and_home_link_the_queue(client, lead):
    html = client.get(reverse("home")).content.decode()
    assert reverse("safety:triage") in html


# --- the queue: what happened, and accepting the plan for routine events -------------------------


def test_queue_shows_an_escaped_excerpt_cut_at_a_word(client, lead, small_ics):
    long = " ".join(["Synthetic: the patient slipped near the bay"] * 10) + " <script>x</script>"
    e = event(small_ics.trust_a, description=long)
    html = client.get(reverse("safety:triage")).content.decode()
    assert "Synthetic: the patient slipped near the bay Synthetic" in html
    assert "<script>x</script>" not in html  # cut off, and escaped had it been shown
    start = html.index("Synthetic: the patient")
    shown = html[start : html.index("…", start)]
    assert len(shown) <= 160 and shown.endswith(("bay", "the", "patient", "slipped", "near"))
    short = event(small_ics.trust_a, description="Fell <b>twice</b> & bruised.")
    html = client.get(reverse("safety:triage")).content.decode()
    assert "Fell &lt;b&gt;twice&lt;/b&gt; &amp; bruised." in html
    assert e.reference in html and short.reference in html


def test_queue_excerpt_is_de_identified_outside_the_provider(client, small_ics):
    event(small_ics.trust_a, description="Synthetic: Mrs Jane Example, NHS 943 476 5919, fell.")
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    html = client.get(reverse("safety:triage")).content.decode()
    assert "fell." in html
    assert "Jane Example" not in html and "943 476 5919" not in html
    assert 'name="events"' not in html  # reading is not triaging: nothing to tick


def _accept(client, *events, **params):
    url = reverse("safety:triage_accept_plan")
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(url, {"events": [e.reference for e in events]})


def test_routine_events_accept_the_plan_in_one_post_each_audited(client, lead, small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="swarm")
    PlanRuleFactory(organisation=small_ics.trust_a, category="medication", response="none")
    falls = event(small_ics.trust_a, category="falls")
    meds = event(small_ics.trust_a, category="medication")
    never = event(small_ics.trust_a, never_event_type="scalding", max_harm="none")
    queue = client.get(reverse("safety:triage")).content.decode()
    assert f'value="{falls.reference}"' in queue and f'value="{meds.reference}"' in queue
    assert f'value="{never.reference}"' not in queue  # a national requirement: no tick box
    assert "A person decides: it meets a national requirement" in queue

    response = _accept(client, falls, meds, harm="low")
    assert response.status_code == 302 and response["Location"] == "/safety/triage/?harm=low"
    decisions = dict(TriageDecision.objects.values_list("event__reference", "response"))
    assert decisions == {falls.reference: "swarm", meds.reference: "none"}
    assert set(TriageDecision.objects.values_list("decided_by", flat=True)) == {lead.pk}
    entries = AuditEntry.objects.filter(action="event.triaged").order_by("id")
    assert [(a.object_id, a.details["response"]) for a in entries] == [
        (falls.reference, "swarm"),
        (meds.reference, "none"),
    ]
    after = client.get(reverse("safety:triage")).content.decode()
    assert "2 events triaged as the plan suggests." in after
    assert never.reference in after and falls.reference not in after


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"never_event_type": "scalding", "max_harm": "none"}, "a national requirement"),
        ({"category": "medication"}, "the plan does not cover it"),
        ({"category": "pressure_ulcer"}, "the plan asks for a PSII"),
        ({"physical_harm": "severe", "max_harm": "severe"}, "severe or fatal"),
        ({"category": "safeguarding"}, "a referral beyond the provider"),
    ],
)
def test_bulk_acceptance_refuses_events_needing_judgement_and_stores_nothing(
    client, lead, small_ics, kwargs, reason
):
    PlanRuleFactory(organisation=small_ics.trust_a, category="pressure_ulcer", response="psii")
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="aar")
    PlanRuleFactory(organisation=small_ics.trust_a, category="safeguarding", response="aar")
    routine = event(small_ics.trust_a, category="falls")
    judged = event(small_ics.trust_a, **kwargs)
    response = _accept(client, routine, judged)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f"{judged.reference} needs a person&#39;s judgement" in html and reason in html
    assert not TriageDecision.objects.exists()  # all or none
    assert not AuditEntry.objects.filter(action="event.triaged").exists()


def test_bulk_acceptance_is_scoped_needs_a_choice_and_is_csrf_protected(client, lead, small_ics):
    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="aar")
    PlanRuleFactory(organisation=small_ics.trust_b, category="falls", response="aar")
    ours, theirs = event(small_ics.trust_a), event(small_ics.trust_b)
    none = client.post(reverse("safety:triage_accept_plan"), {}).content.decode()
    assert "Select the events whose plan suggestion you accept" in none
    foreign = _accept(client, ours, theirs).content.decode()
    assert f"{theirs.reference} is no longer waiting for triage" in foreign
    assert not TriageDecision.objects.exists()
    # Already triaged by someone else: refused, nothing more stored.
    client.post(_triage_url(ours), {"response": "mdt", "version": "0"})
    again = _accept(client, ours).content.decode()
    assert f"{ours.reference} is no longer waiting for triage" in again
    assert TriageDecision.objects.get().response == "mdt"
    # A read-only role reaches the queue but triages nothing.
    client.force_login(member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    other = event(small_ics.trust_a)
    assert _accept(client, other).status_code == 200
    assert not TriageDecision.objects.filter(event=other).exists()


def test_bulk_acceptance_refuses_a_post_without_the_csrf_token(small_ics):
    from django.test import Client

    PlanRuleFactory(organisation=small_ics.trust_a, category="falls", response="aar")
    e = event(small_ics.trust_a)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead-csrf"))
    assert _accept(strict, e).status_code == 403
    assert not TriageDecision.objects.exists()


# --- a learning response started from an event --------------------------------------------------


def test_new_learning_response_takes_the_triage_decision_type(client, lead, small_ics):
    e = event(small_ics.trust_a)
    client.post(_triage_url(e), {"response": "mdt", "version": "0"})
    url = reverse("safety:response_new") + f"?org=TA&event={e.reference}"
    html = client.get(url).content.decode()
    assert 'value="mdt" checked' in html
    untriaged = event(small_ics.trust_a)
    html = client.get(
        reverse("safety:response_new") + f"?org=TA&event={untriaged.reference}"
    ).content.decode()
    assert (
        "checked" not in html.split('name="kind"')[0][-400:] and 'value="mdt" checked' not in html
    )


def test_learning_response_refuses_a_start_date_in_the_future(client, lead, small_ics, today):
    e = event(small_ics.trust_a)
    url = reverse("safety:response_new") + "?org=TA"
    tomorrow = today + dt.timedelta(days=1)
    later = today + dt.timedelta(days=60)
    data = _response_post(
        e,
        started_on_day=str(tomorrow.day),
        started_on_month=str(tomorrow.month),
        started_on_year=str(tomorrow.year),
        due_on_day=str(later.day),
        due_on_month=str(later.month),
        due_on_year=str(later.year),
    )
    bad = client.post(url, data)
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "There is a problem" in html and "The start date must be today or in the past" in html
    assert not LearningResponse.objects.exists()
    data.update(started_on_day=str(today.day), started_on_month=str(today.month))
    data.update(started_on_year=str(today.year))
    assert client.post(url, data).status_code == 302
    assert LearningResponse.objects.get().started_on == today
