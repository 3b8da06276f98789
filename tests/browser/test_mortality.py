"""A patient-safety lead screens a death recorded on an event and completes its Structured
Judgement Review; poor care starts a learning response. axe and reflow on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.mortality.models import StructuredJudgementReview
from caresignals.mortality.vocabulary import Phase, ProblemType
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.browser.test_record_event import DESKTOP, PHONE
from tests.factories import member
from tests.mortality.helpers import fatal_event

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_lead_screens_a_death_and_completes_the_review(page, small_ics, looks_right, viewport):
    page.set_viewport_size(viewport)
    event = fatal_event(small_ics.trust_a)
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    sign_in(page, "priya")

    page.get_by_role("link", name="Learning from deaths").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning from deaths")
    looks_right(page)

    page.get_by_role("link", name=event.reference).click()
    page.wait_for_load_state()
    page.get_by_label("In scope for a Structured Judgement Review", exact=True).check()
    page.get_by_role("button", name="Save the screening decision").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role("link", name="Enter the reason for the screening decision")
    ).to_be_visible()
    looks_right(page)

    page.get_by_label("Reason for the decision").fill("Synthetic: sepsis not recognised.")
    page.get_by_role("button", name="Save the screening decision").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The death is added and the screening decision saved")).to_be_visible()
    looks_right(page)

    page.get_by_role("link", name="Start the review").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Structured Judgement Review")
    looks_right(page)

    # Nothing answered: an error summary naming every phase, linked to its answers.
    page.get_by_role("button", name="Save the review").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Select a score for ongoing care")).to_be_visible()
    looks_right(page)
    assert not StructuredJudgementReview.objects.exists()

    for phase in Phase.values:
        group = page.get_by_role("group", name=str(Phase(phase).label), exact=True)
        if phase in ("procedures", "perioperative"):
            group.get_by_label("Not applicable").check()
            continue
        group.get_by_label("2 – poor care" if phase == "overall" else "3 – adequate care").check()
        page.locator(f"#statement_{phase}").fill(f"Synthetic statement about {phase}.")
    page.get_by_label("3 – probably avoidable").check()
    for kind in ProblemType.values:
        page.get_by_role("group", name=str(ProblemType(kind).label)).get_by_label(
            "No problem of this type"
        ).check()
    page.get_by_role("button", name="Save the review").click()
    page.wait_for_load_state()
    expect(page.get_by_text("it is linked to learning response")).to_be_visible()
    looks_right(page)
    review = StructuredJudgementReview.objects.get()
    assert review.learning_response is not None
    expect(page.get_by_role("link", name=review.learning_response.reference)).to_be_visible()


def test_the_icb_reads_every_providers_deaths_and_the_results(page, small_ics, looks_right):
    from caresignals.audit.services import Actor
    from caresignals.mortality import services
    from tests.mortality.helpers import good_answers
    from tests.mortality.test_workflow import _answers

    lead = member(small_ics.trust_b, Role.PATIENT_SAFETY_LEAD, username="lead_b")
    actor = Actor(user=lead)
    event = fatal_event(small_ics.trust_b, learning_disability="true")
    death = services.death_from_event(event, actor=actor)
    death = services.screen(
        death,
        decision="in_scope",
        reason="Synthetic reason.",
        criteria=["learning_disability"],
        expected_version=death.version,
        actor=actor,
        today=death.died_on,
    )
    services.save_review(
        death, _answers(good_answers()), expected_version=0, actor=actor, today=death.died_on
    )
    services.notify_leder(death, notified_on=death.died_on, actor=actor)
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="iris", first_name="Iris")
    sign_in(page, "iris")

    page.goto("/mortality/deaths/")
    expect(page.get_by_role("link", name=death.reference)).to_be_visible()
    page.get_by_role("link", name=death.reference).click()
    page.wait_for_load_state()
    expect(page.get_by_text("4 of 5").first).to_be_visible()
    expect(page.get_by_role("button", name="Save the screening decision")).to_have_count(0)
    looks_right(page)

    # LeDeR: the person was from an ethnic minority group, so a focused review is needed
    # before the local area signs off.
    page.get_by_label("Sign off the review for the local area").check()
    page.get_by_role("button", name="Save the LeDeR steps").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role("link", name="Record the initial review before signing off")
    ).to_be_visible()
    looks_right(page)

    page.goto("/mortality/deaths/results/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning from deaths: results")
    expect(page.get_by_role("heading", name="Poor care by learning disability")).to_be_visible()
    looks_right(page)
