"""Staff record an event: first page, a second page only when it applies, check, confirm."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from caresignals.audit.models import AuditAction, AuditEntry
from caresignals.organisations.roles import Role
from caresignals.safety.models import EventDraft, PatientSafetyEvent
from tests.factories import member

pytestmark = pytest.mark.django_db

DRAFT = "0123456789ab"
FIRST = f"/safety/record/{DRAFT}/"
SECOND = f"/safety/record/{DRAFT}/details/"
CHECK = f"/safety/record/{DRAFT}/check/"


@pytest.fixture
def staff(client, small_ics):
    user = member(
        small_ics.trust_a, Role.STAFF, username="sam", first_name="Sam", last_name="Oduya"
    )
    client.force_login(user)
    return user


def first_page(**overrides):
    data = {
        "record_type": "incident",
        "place": "TA-MAT",
        "description": "Synthetic: a dose of antibiotics was given two hours late.",
        "occurred_on_day": "2",
        "occurred_on_month": "3",
        "occurred_on_year": "2026",
        "service_area": "maternity",
        "category": "medication",
        "physical_harm": "low",
        "psychological_harm": "none",
        "anonymous": "no",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def second_page(**overrides):
    data = {
        "never_event": "no",
        "patient_age_years": "34",
        "patient_sex": "female",
        "patient_ethnicity": "A",
        "patient_died": "no",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response):
    """The error summary's messages, by the field each links to."""
    page = response.content.decode()
    start = page.find("nhsuk-error-summary__list")
    if start < 0:
        return {}
    found: dict[str, list[str]] = {}
    links = re.findall(
        r'<a href="#(\w+)"\s*>\s*(.*?)\s*</a>', page[start : page.find("</ul>", start)], re.S
    )
    for name, message in links:
        found.setdefault(name, []).append(message.replace("&#39;", "'"))
    return found


def asks(response, name):
    return f'name="{name}"' in response.content.decode()


def test_the_start_page_offers_to_start_and_lists_no_drafts(client, staff):
    response = client.get("/safety/record/")
    assert response.status_code == 200
    assert "Start now" in response.content.decode()
    assert "You have no saved drafts" in response.content.decode()
    new = client.get("/safety/record/new/")
    assert new.status_code == 302 and new["Location"].startswith("/safety/record/")


def test_an_incident_end_to_end(client, staff, today):
    response = client.post(FIRST, first_page())
    assert response.status_code == 302 and response["Location"] == SECOND
    response = client.post(SECOND, second_page())
    assert response["Location"] == CHECK
    page = client.get(CHECK).content.decode()
    assert "Check your answers" in page and "Maternity A (Trust A)" in page
    response = client.post(CHECK)
    assert response["Location"] == "/safety/record/recorded/"
    event = PatientSafetyEvent.objects.get()
    assert (event.organisation.code, event.service.code) == ("TA", "TA-MAT")
    assert event.record_type == "incident" and event.physical_harm == "low"
    assert event.occurred_on == dt.date(2026, 3, 2) and event.reported_on == today
    assert event.patient_age_years == 34 and event.ethnic_group == "white"
    assert event.reporter_type == "staff" and not event.anonymous
    entry = AuditEntry.objects.get(action=AuditAction.EVENT_CREATED)
    assert entry.actor == staff
    done = client.get("/safety/record/recorded/").content.decode()
    assert event.reference in done and "nhsuk-panel" in done
    assert "You have no saved drafts" in client.get("/safety/record/").content.decode()


def test_first_page_errors_name_each_field_and_store_nothing(client, staff, today):
    response = client.post(FIRST, {"anonymous": "no"})
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["record_type"] == ["Select what you are recording"]
    assert errors["place"] == ["Select the organisation or service"]
    assert errors["description"] == ["Enter what happened"]
    assert errors["occurred_on"] == ["Enter the date it happened"]
    assert errors["service_area"] == ["Select the service area"]
    assert errors["category"] == ["Select what it was about"]
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#description"' in page
    harm = client.post(FIRST, first_page(physical_harm="", psychological_harm=""))
    assert errors_of(harm)["physical_harm"] == ["Select the physical harm to the patient"]
    assert errors_of(harm)["psychological_harm"] == ["Select the psychological harm to the patient"]
    future = (today + dt.timedelta(days=2)).isoformat().split("-")
    later = client.post(
        FIRST,
        first_page(
            occurred_on_year=future[0], occurred_on_month=future[1], occurred_on_day=future[2]
        ),
    )
    assert errors_of(later)["occurred_on"] == ["The date it happened must be today or in the past"]
    unreal = client.post(FIRST, first_page(occurred_on_day="31", occurred_on_month="2"))
    assert errors_of(unreal)["occurred_on"] == ["The date it happened must be a real date"]
    assert PatientSafetyEvent.objects.count() == 0 and not AuditEntry.objects.exists()


def test_the_second_page_is_skipped_for_a_risk_and_harm_is_left_blank(client, staff):
    response = client.post(
        FIRST, first_page(record_type="risk", category="staffing", physical_harm="severe")
    )
    assert response["Location"] == CHECK
    assert client.get(SECOND)["Location"] == CHECK
    client.post(CHECK)
    event = PatientSafetyEvent.objects.get()
    assert event.record_type == "risk" and event.physical_harm == "" and event.max_harm == ""


def test_the_second_page_asks_only_what_applies(client, staff):
    client.post(FIRST, first_page(record_type="outcome"))
    page = client.get(SECOND)
    assert not asks(page, "never_event")  # Never Events are incidents only
    assert not asks(page, "strength_of_association")  # harm was low
    assert asks(page, "patient_age_years")
    client.post(FIRST, first_page(physical_harm="severe"))
    page = client.get(SECOND)
    assert all(asks(page, n) for n in ("never_event", "patient_died", "strength_of_association"))


@pytest.mark.parametrize("harm", ["none", "low", "moderate"])
def test_did_the_patient_die_is_not_asked_where_the_harm_rules_it_out(client, staff, harm):
    client.post(FIRST, first_page(physical_harm=harm))
    page = client.get(SECOND)
    assert not asks(page, "patient_died") and not asks(page, "death_in_care_more_likely_than_not")
    assert "Did the patient die?" not in page.content.decode()
    # A stale answer (a draft from when the harm was graded severe) is not stored.
    posted = second_page(patient_died="yes", death_in_care_more_likely_than_not="yes")
    assert client.post(SECOND, posted)["Location"] == CHECK
    assert "Patient died" not in client.get(CHECK).content.decode()
    client.post(CHECK)
    event = PatientSafetyEvent.objects.get()
    assert not event.patient_died and not event.death_in_care_more_likely_than_not


def test_fatal_harm_records_the_death_and_asks_only_if_it_was_due_to_care(client, staff):
    client.post(FIRST, first_page(physical_harm="fatal"))
    page = client.get(SECOND)
    assert not asks(page, "patient_died")  # the grade says so: not asked again
    assert asks(page, "death_in_care_more_likely_than_not")
    assert "You graded the harm as fatal: the patient died." in page.content.decode()
    missing = client.post(SECOND, second_page(strength_of_association="caused"))
    assert errors_of(missing)["death_in_care_more_likely_than_not"] == [
        "Select yes if the death was more likely than not due to problems in care"
    ]
    # "No" posted to the old question cannot contradict the grade.
    client.post(
        SECOND,
        second_page(
            patient_died="no",
            death_in_care_more_likely_than_not="no",
            strength_of_association="caused",
        ),
    )
    check = client.get(CHECK).content.decode()
    assert re.search(r"Patient died\s*</dt>\s*<dd[^>]*>\s*Yes \(the harm was fatal\)", check)
    client.post(CHECK)
    event = PatientSafetyEvent.objects.get()
    assert event.patient_died and not event.death_in_care_more_likely_than_not


def test_second_page_errors(client, staff):
    client.post(FIRST, first_page(physical_harm="severe"))
    response = client.post(SECOND, {"never_event": "yes", "patient_age_years": "200"})
    errors = errors_of(response)
    assert errors["never_event_type"] == ["Select the type of Never Event"]
    assert errors["patient_age_years"] == ["Age must be 120 or less"]
    assert errors["patient_died"] == ["Select yes if the patient died"]
    assert errors["strength_of_association"] == [
        "Select how strongly the event is linked to the harm"
    ]
    died = client.post(SECOND, second_page(patient_died="yes", strength_of_association="possibly"))
    assert errors_of(died)["death_in_care_more_likely_than_not"] == [
        "Select yes if the death was more likely than not due to problems in care"
    ]
    assert client.get(CHECK)["Location"] == SECOND  # cannot skip ahead
    assert PatientSafetyEvent.objects.count() == 0


def test_never_event_death_and_strength_of_association_are_stored(client, staff):
    client.post(FIRST, first_page(physical_harm="severe"))
    client.post(
        SECOND,
        second_page(
            never_event="yes",
            never_event_type="wrong_route_medication",
            patient_died="yes",
            death_in_care_more_likely_than_not="yes",
            strength_of_association="probably",
        ),
    )
    client.post(CHECK)
    event = PatientSafetyEvent.objects.get()
    assert event.never_event_type == "wrong_route_medication"
    assert event.patient_died and event.death_in_care_more_likely_than_not
    # Its own field: the description is only what the person wrote.
    assert event.strength_of_association == "probably"
    assert event.description == "Synthetic: a dose of antibiotics was given two hours late."


def test_the_check_page_shows_strength_of_association_as_its_own_answer(client, staff):
    client.post(FIRST, first_page(physical_harm="severe"))
    client.post(SECOND, second_page(strength_of_association="caused"))
    page = client.get(CHECK).content.decode()
    assert re.search(
        r"Strength of association\s*</dt>\s*<dd[^>]*>\s*The incident caused the harm", page
    )


def test_each_harm_grade_says_what_it_means(client, staff):
    page = client.get(FIRST).content.decode()
    hints = dict(
        re.findall(
            r'id="(\w+(?:-\d)?)-item-hint"[^>]*>\s*(.*?)\s*</div>', page.replace("&#39;", "'")
        )
    )
    assert hints["physical_harm"].startswith("No physical harm, including when the incident")
    assert hints["physical_harm-3"].startswith("Significant harm that is not permanent")
    assert hints["physical_harm-5"].startswith("The patient died and the incident caused")
    assert hints["psychological_harm-4"].startswith("Permanent or long-lasting psychological")
    assert len([k for k in hints if k.startswith("physical_harm")]) == 5
    assert len([k for k in hints if k.startswith("psychological_harm")]) == 4
    # Each hint is tied to its answer for screen readers.
    assert 'id="physical_harm-3" name="physical_harm" type="radio" value="moderate" ' in page
    assert 'aria-describedby="physical_harm-3-item-hint"' in page


def area_groups(response):
    """The service-area list's groups: place label -> the areas offered under it."""
    page = response.content.decode()
    select = page[page.find('<select class="nhsuk-select', page.find('for="service_area"')) :]
    select = select[: select.find("</select>")]
    return {
        label: re.findall(r'<option value="(\w+)"', body)
        for label, body in re.findall(
            r'<optgroup label="([^"]+)"[^>]*>(.*?)</optgroup>', select, re.S
        )
    }


def test_service_areas_are_offered_under_the_place_they_fit(client, staff):
    groups = area_groups(client.get(FIRST))
    assert groups["Maternity A (Trust A)"] == ["maternity"]
    assert groups["Trust A"][:2] == ["acute", "maternity"]  # an acute trust as a whole
    assert "gp" not in groups["Trust A"] and "prison" not in groups["Trust A"]
    assert list(groups) == ["Trust A", "Maternity A (Trust A)"]  # only places they may see


def test_a_service_area_that_does_not_fit_the_service_is_refused(client, staff):
    response = client.post(FIRST, first_page(place="TA-MAT", service_area="acute"))
    assert errors_of(response)["service_area"] == [
        "Select a service area that fits Maternity A (Trust A): Maternity"
    ]
    assert client.get(SECOND)["Location"] == FIRST  # nothing valid was saved
    # The answer is kept, selected under the place it fits, for the person to change.
    assert 'value="acute" selected' in response.content.decode()
    fits = client.post(FIRST, first_page(place="TA", service_area="acute"))
    assert fits["Location"] == SECOND
    assert PatientSafetyEvent.objects.count() == 0


def test_never_event_type_and_death_questions_are_revealed_under_yes(client, staff):
    client.post(FIRST, first_page(physical_harm="severe"))
    page = client.get(SECOND).content.decode()
    # The follow-up sits in the conditional block under "Yes", hidden until chosen.
    never = page[page.find('id="conditional-never_event"') - 80 :]
    assert "nhsuk-radios__conditional--hidden" in never[:200]
    assert 'name="never_event_type"' in never[: never.find("</select>")]
    assert 'data-aria-controls="conditional-never_event"' in page
    died = page[page.find('id="conditional-patient_died"') - 80 :]
    assert 'name="death_in_care_more_likely_than_not"' in died[: died.find("</fieldset>")]
    # Chosen answers show their follow-up open when the page is shown again.
    again = client.post(SECOND, second_page(never_event="yes", patient_died="yes"))
    page = again.content.decode()
    opened = page[page.find('id="conditional-never_event"') - 80 :][:200]
    assert "nhsuk-radios__conditional--hidden" not in opened


def test_follow_ups_are_ignored_when_they_do_not_apply(client, staff):
    """Without JavaScript the follow-ups show throughout; an answer given under "No" is
    dropped, not stored."""
    client.post(FIRST, first_page(physical_harm="severe"))
    client.post(
        SECOND,
        second_page(
            never_event="no",
            never_event_type="scalding",
            patient_died="no",
            death_in_care_more_likely_than_not="yes",
            strength_of_association="possibly",
        ),
    )
    client.post(CHECK)
    event = PatientSafetyEvent.objects.get()
    assert event.never_event_type == "" and not event.death_in_care_more_likely_than_not
    assert not event.patient_died


def test_the_organisation_chooser_is_scoped(client, staff):
    page = client.get(FIRST).content.decode()
    assert 'value="TA"' in page and 'value="TA-MAT"' in page
    assert 'value="TB"' not in page and "TB-MAT" not in page and "Trust B" not in page
    response = client.post(FIRST, first_page(place="TB-MAT"))
    assert errors_of(response)["place"] == ["Select the organisation or service"]
    assert PatientSafetyEvent.objects.count() == 0


def test_anonymous_records_leave_no_identity(client, staff):
    client.post(FIRST, first_page(anonymous="yes"))
    client.post(SECOND, second_page())
    client.post(CHECK)
    event = PatientSafetyEvent.objects.get()
    assert event.anonymous and event.reporter_type == "staff"
    entry = AuditEntry.objects.get(action=AuditAction.EVENT_CREATED)
    assert entry.actor is None and entry.actor_label == "anonymous reporter"
    stored = " ".join(str(v) for v in PatientSafetyEvent.objects.values().get().values())
    stored += " " + " ".join(str(v) for v in AuditEntry.objects.values().get().values())
    for needle in ("sam", "Sam", "Oduya"):
        assert needle not in stored.replace(event.reference, "")
    assert not EventDraft.objects.exists()  # the draft, which had an author, is gone
    assert "anonymously" in client.get("/safety/record/recorded/").content.decode()


def test_drafts_are_saved_and_resumed(client, staff):
    partial = {"description": "Synthetic: half-written account of a fall", "action": "save"}
    response = client.post(FIRST, partial)
    assert response["Location"] == "/safety/record/"
    start = client.get("/safety/record/").content.decode()
    assert f'href="{FIRST}"' in start and "half-written account" in start
    resumed = client.get(FIRST)
    assert "half-written account of a fall</textarea>" in resumed.content.decode()
    assert errors_of(resumed) == {}
    assert PatientSafetyEvent.objects.count() == 0
    # Saving from the second page keeps the first.
    client.post(FIRST, first_page())
    client.post(SECOND, {"patient_age_years": "50", "action": "save"})
    assert 'value="50"' in client.get(SECOND).content.decode()


def test_bad_draft_ids_are_not_found(client, staff):
    assert client.get("/safety/record/not-a-draft/").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, small_ics):
    response = client.get("/safety/record/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_a_refusal_by_the_importer_rules_is_shown_and_the_draft_kept(client, staff, monkeypatch):
    from caresignals.safety.events import views as views_record
    from caresignals.safety.events.services import EventInvalid

    def refuse(fields, *, actor, recorded_by=None):
        raise EventInvalid({"occurred_on": ["Expected a date on or before reported_on"]})

    monkeypatch.setattr(views_record, "record_event", refuse)
    client.post(FIRST, first_page(record_type="good_care"))
    response = client.post(CHECK)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Expected a date on or before reported_on" in page
    assert PatientSafetyEvent.objects.count() == 0
    assert f'href="{FIRST}"' in client.get("/safety/record/").content.decode()


def test_drafts_outlive_signing_out_and_can_be_deleted(client, staff):
    client.post(FIRST, {"description": "Synthetic: a draft to keep", "action": "save"})
    client.logout()
    client.force_login(staff)
    start = client.get("/safety/record/").content.decode()
    assert "a draft to keep" in start and "Delete draft" in start
    response = client.post(f"/safety/record/{DRAFT}/delete/")
    assert response["Location"] == "/safety/record/"
    assert "You have no saved drafts" in client.get("/safety/record/").content.decode()
    assert client.get(f"/safety/record/{DRAFT}/delete/").status_code == 405


def test_a_draft_is_its_authors_alone_and_expires(client, staff, small_ics):
    client.post(FIRST, {"description": "Synthetic: my own words", "action": "save"})
    other = member(small_ics.trust_a, Role.STAFF, username="kim")
    client.force_login(other)
    assert "my own words" not in client.get("/safety/record/").content.decode()
    assert "my own words" not in client.get(FIRST).content.decode()
    client.post(f"/safety/record/{DRAFT}/delete/")  # deletes nothing of anyone else's
    assert EventDraft.objects.filter(user=staff).count() == 1
    EventDraft.objects.update(saved_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    client.force_login(staff)
    assert "my own words" not in client.get("/safety/record/").content.decode()
