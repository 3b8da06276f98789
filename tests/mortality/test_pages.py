"""The learning-from-deaths pages: who sees what (a provider its own, the ICB every
provider's), the forms' error messages, and the results with disclosure control."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.mortality import queries, services
from caresignals.mortality.models import Death, StructuredJudgementReview
from caresignals.organisations.roles import Role
from tests.factories import member
from tests.mortality.helpers import fatal_event, good_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(small_ics):
    return {
        "lead_a": member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead_a"),
        "lead_b": member(small_ics.trust_b, Role.PATIENT_SAFETY_LEAD, username="lead_b"),
        "icb": member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"),
        "staff": member(small_ics.trust_a, Role.STAFF, username="staff_a"),
    }


def _death(small_ics, people, today, **event) -> Death:
    actor = Actor(user=people["lead_a"])
    death = services.death_from_event(fatal_event(small_ics.trust_a, **event), actor=actor)
    return services.screen(
        death,
        decision="in_scope",
        reason="Synthetic reason.",
        criteria=["safety_event"],
        expected_version=death.version,
        actor=actor,
        today=today,
    )


def test_a_provider_sees_its_own_deaths_and_the_icb_sees_every_providers(
    client, small_ics, people, today
):
    death = _death(small_ics, people, today)
    page = reverse("mortality:death", kwargs={"reference": death.reference})

    client.force_login(people["lead_b"])
    assert death.reference not in client.get(reverse("mortality:deaths")).content.decode()
    assert client.get(page).status_code == 404
    assert client.get(reverse("mortality:review", args=[death.reference])).status_code == 404

    client.force_login(people["icb"])
    assert death.reference in client.get(reverse("mortality:deaths")).content.decode()
    shown = client.get(page)
    assert shown.status_code == 200
    assert "Save the screening decision" not in shown.content.decode()
    assert client.post(page, {"screening": "out_of_scope"}).status_code == 403
    assert client.get(reverse("mortality:review", args=[death.reference])).status_code == 403

    client.force_login(people["staff"])
    assert client.get(reverse("mortality:deaths")).status_code == 403
    assert client.get(page).status_code == 403


def test_the_lead_screens_an_event_death_from_the_list(client, small_ics, people):
    event = fatal_event(small_ics.trust_a)
    client.force_login(people["lead_a"])
    listing = client.get(reverse("mortality:deaths")).content.decode()
    url = reverse("mortality:event_death", kwargs={"reference": event.reference})
    assert url in listing

    refused = client.post(url, {"criteria": ["safety_event"], "screening": "in_scope"})
    assert "Enter the reason for the screening decision" in refused.content.decode()
    assert not Death.objects.exists()  # nothing half-stored: not even the death

    done = client.post(
        url,
        {"criteria": ["safety_event"], "screening": "in_scope", "screening_reason": "Sepsis."},
    )
    death = Death.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("mortality:death", args=[death.reference])
    assert client.get(url)["Location"] == done["Location"]  # the event now leads to its death


def test_adding_a_death_by_hand_checks_every_field(client, small_ics, people):
    client.force_login(people["lead_a"])
    url = reverse("mortality:add")
    page = client.post(url, {"died_on_day": "31", "died_on_month": "2", "died_on_year": "2026"})
    text = page.content.decode()
    for message in (
        "There is a problem",
        "The date the person died must be a real date",
        "Select the person&#39;s ethnic group, or not known",
        "Select whether the person had a learning disability",
        "Enter what happened, without names",
    ):
        assert message in text
    assert not Death.objects.exists()

    done = client.post(
        url,
        {
            "provider": "TA",
            "died_on_day": "3",
            "died_on_month": "10",
            "died_on_year": "2026",
            "age_years": "40",
            "ethnic_group": "white",
            "imd_quintile": "1",
            "learning_disability": "true",
            "summary": "Synthetic: died in a care home after discharge.",
            "criteria": ["learning_disability", "concern"],
        },
    )
    death = Death.objects.get()
    assert done["Location"] == reverse("mortality:death", args=[death.reference])
    assert death.organisation == small_ics.trust_a
    assert death.criteria == ["learning_disability", "concern"]
    assert AuditEntry.objects.filter(action="mortality.death_added").count() == 1

    other = client.post(url, {"provider": "TB"})
    assert "Select the provider where the person died" in other.content.decode()


def test_the_review_form_shows_errors_then_saves(client, small_ics, people, today):
    death = _death(small_ics, people, today)
    client.force_login(people["lead_a"])
    url = reverse("mortality:review", args=[death.reference])
    assert "Structured Judgement Review" in client.get(url).content.decode()

    refused = client.post(url, {**good_answers(), "statement_overall": "", "version": "0"})
    assert "Write the explicit statement for overall assessment of care" in (
        refused.content.decode()
    )
    assert 'href="#statement_overall"' in refused.content.decode()

    saved = client.post(url, {**good_answers(overall="1"), "version": "0"})
    assert saved.status_code == 302
    review = StructuredJudgementReview.objects.get()
    assert review.learning_response is not None
    shown = client.get(reverse("mortality:death", args=[death.reference])).content.decode()
    assert review.learning_response.reference in shown
    assert "1 of 5" in shown

    again = client.post(url, {**good_answers(), "version": "0"})  # a stale second completion
    assert "Someone else changed this record" in again.content.decode()


def test_results_are_disclosure_controlled(client, small_ics, people, today):
    actor = Actor(user=people["lead_a"])
    from tests.mortality.test_workflow import _answers

    for n in range(12):
        death = _death(small_ics, people, today, imd_quintile=1 if n < 10 else 5)
        services.save_review(
            death,
            _answers(good_answers(overall="2" if n < 3 else "4")),
            expected_version=0,
            actor=actor,
            today=today,
        )
    results = queries.results(people["icb"])
    assert results.reviews.text == "10"  # 12, rounded to the nearest 5
    assert results.poor.text == "*"  # 3: too few to show
    overall = next(line for line in results.phases if line.phase == "Overall assessment of care")
    # 3 poor (suppressed) and 9 good: the 9 is hidden too, or the line's total of 10 would
    # give the 3 away.
    assert [c.text for c in overall.cells] == ["0", "*", "0", "*", "0", "0"]
    assert overall.total.text == "10"
    deprivation = dict(results.groups)["Deprivation (IMD quintile)"]
    first = deprivation[0]
    assert (first.group, first.reviews.text, first.poor.text) == ("1 (most deprived)", "10", "*")
    assert queries.results(people["lead_b"]).reviews.text == "0"  # another provider's

    client.force_login(people["icb"])
    page = client.get(reverse("mortality:results")).content.decode()
    assert "Scores by phase of care" in page
    assert "Poor care by ethnic group" in page


def test_outside_the_provider_free_text_loses_identifying_details(client, small_ics, people, today):
    death = _death(small_ics, people, today)
    actor = Actor(user=people["lead_a"])
    services.screen(
        death,
        decision="in_scope",
        reason="Mrs Synthetica Jones was seen late; NHS number 943 476 5919.",
        criteria=["safety_event"],
        expected_version=death.version,
        actor=actor,
        today=today,
    )
    page = reverse("mortality:death", args=[death.reference])
    client.force_login(people["lead_a"])
    assert "Synthetica Jones" in client.get(page).content.decode()
    client.force_login(people["icb"])
    shown = client.get(page).content.decode()
    assert "Synthetica Jones" not in shown and "943 476 5919" not in shown
    assert "was seen late" in shown
