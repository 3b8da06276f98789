"""Owners are people, and "My work": each person's own work across domains, due soon and
overdue first, and the team's for those who lead one (ADR 21)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caresignals.audit.services import Actor
from caresignals.core.work import DUE_SOON, LATER, OVERDUE, standing
from caresignals.organisations.roles import Role
from caresignals.pages.work import my_work
from caresignals.safety.models import CandourRecord, SafetyAction
from caresignals.signals.models import QualityRisk, ReviewAction
from caresignals.speakup.models import SpeakUpCase
from caresignals.voice.models import Complaint
from tests.candour.factories import notifiable_event
from tests.factories import member
from tests.safety_response.factories import LearningResponseFactory, SafetyActionFactory
from tests.signals.factories import risk
from tests.speakup.factories import CONCERN, raise_case
from tests.voice.factories import complaint

pytestmark = pytest.mark.django_db

SYSTEM = Actor(label="tests")


def _parts(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def test_standing_counts_working_days(today):
    assert standing(today - dt.timedelta(days=1), today) == OVERDUE
    assert standing(today, today) == DUE_SOON
    assert standing(today + dt.timedelta(days=60), today) == LATER
    assert standing(None, today) == LATER


@pytest.fixture
def lead(small_ics):
    return member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead", first_name="Lee")


@pytest.fixture
def nurse(small_ics):
    return member(small_ics.trust_a, Role.STAFF, username="nurse", first_name="Nia")


def test_a_safety_action_names_a_person_and_reaches_their_work(
    client, small_ics, lead, nurse, today
):
    response = LearningResponseFactory(organisation=small_ics.trust_a)
    client.force_login(lead)
    url = reverse("safety:action_new", kwargs={"reference": response.reference})
    form = client.get(url).content.decode()
    assert f'value="{nurse.pk}"' in form  # people with a role at the trust are offered
    outsider = member(small_ics.trust_b, Role.STAFF, username="outsider")
    assert f'value="{outsider.pk}"' not in form
    data = {
        "version": "0",
        "description": "Synthetic: a second check at handover.",
        "owner": "Ward manager",
        "owner_person": str(nurse.pk),
        "measure_of_effect": "Audit.",
        "status": "open",
        **_parts("due_on", today + dt.timedelta(days=1)),
    }
    refused = client.post(url, {**data, "owner_person": str(outsider.pk)})
    assert refused.status_code == 200 and "Select the person who owns the action" in (
        refused.content.decode()
    )
    assert client.post(url, data).status_code == 302
    action = SafetyAction.objects.get()
    assert action.owner_person == nurse

    client.force_login(nurse)
    page = client.get("/my-work/").content.decode()
    assert action.reference in page and "Due soon" in page
    assert "Your team's work" not in page  # a nurse leads no team


def test_leaving_the_owner_blank_makes_the_person_saving_it_the_owner(
    client, small_ics, lead, today
):
    response = LearningResponseFactory(organisation=small_ics.trust_a)
    client.force_login(lead)
    url = reverse("safety:action_new", kwargs={"reference": response.reference})
    data = {
        "version": "0",
        "description": "Synthetic action.",
        "owner": "Estates",
        "measure_of_effect": "Audit.",
        "status": "open",
        **_parts("due_on", today - dt.timedelta(days=3)),
    }
    client.post(url, data)
    assert SafetyAction.objects.get().owner_person == lead
    work = my_work(lead, today)
    assert [i.kind for i in work.overdue] == ["Safety action"]


def test_old_free_text_owners_read_as_recorded_in_the_team_view(client, small_ics, lead, today):
    response = LearningResponseFactory(organisation=small_ics.trust_a, lead="Matron")
    SafetyActionFactory(response=response, owner="Ward manager", due_on=today)
    other = LearningResponseFactory(organisation=small_ics.trust_b)
    SafetyActionFactory(response=other, owner="Synthetic-elsewhere", due_on=today)
    client.force_login(lead)
    page = client.get("/my-work/").content.decode()
    assert "Nothing names you as its owner" in page and "Your team's work" in page
    assert "Ward manager (as recorded)" in page and "Matron (as recorded)" in page
    assert "Synthetic-elsewhere" not in page  # another trust's team


def test_candour_belongs_to_the_team_until_a_person_is_named(client, small_ics, lead, nurse):
    event = notifiable_event(small_ics.trust_a, reported_on=dt.date(2026, 11, 10))
    client.force_login(lead)
    page = client.get("/my-work/").content.decode()
    assert event.reference in page and "Patient-safety team" in page
    url = reverse("safety:event_candour", kwargs={"reference": event.reference})
    assert str(nurse.pk) in client.get(url).content.decode()
    posted = client.post(url, {"action": "owner", "version": "0", "owner_person": str(nurse.pk)})
    assert posted.status_code == 302
    assert CandourRecord.objects.get(event=event).owner_person == nurse
    client.force_login(nurse)
    mine = client.get("/my-work/").content.decode()
    assert event.reference in mine and "Notification due" in mine


def test_a_complaint_is_worked_by_a_person_of_the_complaints_team(client, small_ics, today):
    lead = member(small_ics.trust_a, Role.COMPLAINTS_LEAD, username="cl")
    colleague = member(small_ics.trust_a, Role.COMPLAINTS_LEAD, username="cl2")
    nurse = member(small_ics.trust_a, Role.STAFF, username="not-complaints")
    found = complaint(small_ics.trust_a, received_on=today - dt.timedelta(days=10))
    reference = found.feedback.reference
    client.force_login(lead)
    team = client.get("/my-work/").content.decode()
    assert reference in team and "Complaints team" in team and "Acknowledgement due" in team
    assert "Synthetic Person" not in team  # the complainant is never named here
    url = reverse("voice:complaint_step", kwargs={"reference": reference, "step": "owner"})
    refused = client.post(url, {"version": "1", "owner_person": str(nurse.pk)})
    assert "Select a person of the complaints team" in refused.content.decode()
    assert client.post(url, {"version": "1", "owner_person": str(colleague.pk)}).status_code == 302
    assert Complaint.objects.get().owner_person == colleague
    work = my_work(colleague, today)
    assert [i.reference for i in work.overdue] == [reference]


def test_a_speak_up_case_is_owned_by_the_guardian_who_takes_it_up(client, small_ics, today):
    guardian = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, username="g")
    case, _code = raise_case(small_ics.trust_a)
    client.force_login(guardian)
    page = client.get("/my-work/").content.decode()
    assert case.reference in page and "Speak-up guardians" in page
    assert CONCERN not in page and "night shift" not in page  # never speak-up content
    client.post(f"/speak-up/cases/{case.reference}/reply/", {"text": "Synthetic: thanks."})
    assert SpeakUpCase.objects.get().owner_person == guardian
    assert [i.reference for i in my_work(guardian, today).later] == [case.reference]
    # Nobody but a guardian sees the case, even on their team's work.
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="psl")
    assert case.reference not in str(my_work(lead, today))


def test_risk_reviews_and_rapid_review_actions_name_people(client, small_ics, today):
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    director = member(small_ics.trust_a, Role.BOARD_MEMBER, username="dir", first_name="Dee")
    quality_risk = risk(small_ics.trust_a, owner_person=director, review_on=today)
    assert QualityRisk.objects.get().owner_person == director
    assert [i.reference for i in my_work(director, today).due_soon] == [quality_risk.reference]
    client.force_login(icb)
    url = reverse("signals:review_new", kwargs={"code": small_ics.trust_a.code})
    assert f'value="{director.pk}"' in client.get(url).content.decode()
    data = {
        "version": "0",
        **_parts("held_on", today),
        "concern": "Synthetic concern",
        "decision": "routine",
        "decision_note": "Synthetic note",
        "attendee_1_name": "Synthetic Person",
        "attendee_1_role": "Chair",
        "attendee_1_org": "ICB",
        "action_1_text": "Synthetic action",
        "action_1_owner": "Director of Nursing",
        "action_1_person": str(director.pk),
        **_parts("action_1_due", today + dt.timedelta(days=40)),
    }
    assert client.post(url, data).status_code == 302
    assert ReviewAction.objects.get().owner_person == director
    kinds = {i.kind for i in my_work(director, today).later}
    assert kinds == {"Rapid-review action"}
    team = client.get("/my-work/").content.decode()
    assert "quality governance" in team and quality_risk.reference in team


def test_the_home_page_leads_to_my_work_with_its_counts(client, small_ics, lead, today):
    response = LearningResponseFactory(organisation=small_ics.trust_a, owner_person=lead)
    SafetyActionFactory(response=response, owner_person=lead, due_on=today - dt.timedelta(days=2))
    client.force_login(lead)
    home = client.get("/").content.decode()
    assert "/my-work/" in home and "1 overdue" in home
