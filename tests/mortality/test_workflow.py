"""Learning from deaths end to end: a death from an event or by hand, screening with its
clock, the Structured Judgement Review's validation, the poor-care trigger, and audit."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.core.workingdays import add_working_days
from caresignals.mortality import queries, services
from caresignals.mortality.models import Death, PhaseJudgement, StructuredJudgementReview
from caresignals.mortality.vocabulary import ReviewStatus
from caresignals.organisations.roles import Role
from caresignals.safety.models import LearningResponse
from tests.factories import EventFactory, member
from tests.mortality.helpers import fatal_event, good_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(small_ics):
    return member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead")


def _answers(posted: dict[str, str]) -> services.ReviewAnswers:
    from caresignals.mortality.views import _answers as parse

    return parse(posted)


def _screened(event, lead, today) -> Death:
    actor = Actor(user=lead)
    death = services.death_from_event(event, actor=actor)
    return services.screen(
        death,
        decision="in_scope",
        reason="Synthetic: sepsis not recognised on the ward.",
        criteria=["safety_event", "unexpected"],
        expected_version=death.version,
        actor=actor,
        today=today,
    )


def test_an_event_recording_a_death_waits_to_be_screened_until_someone_screens_it(
    small_ics, lead, today
):
    died = fatal_event(small_ics.trust_a)
    EventFactory(organisation=small_ics.trust_a)  # low harm: not a death
    rows = queries.rows(lead, today)
    assert [(r.reference, r.status) for r in rows] == [(died.reference, ReviewStatus.TO_SCREEN)]
    assert not Death.objects.exists()

    death = _screened(died, lead, today)

    assert death.died_on == died.occurred_on
    assert (death.age_years, death.ethnic_group, death.imd_quintile) == (81, "asian", 1)
    assert death.review_due_on == add_working_days(today, 20)
    (row,) = queries.rows(lead, today)
    assert (row.reference, row.status) == (death.reference, ReviewStatus.DUE)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "object_id"))
    assert actions == [
        ("mortality.death_added", death.reference),
        ("mortality.screened", death.reference),
    ]


def test_the_review_clock_is_configurable_and_an_unreviewed_death_becomes_overdue(
    small_ics, lead, today, settings
):
    settings.CARESIGNALS_MORTALITY_REVIEW_WORKING_DAYS = 5
    death = _screened(fatal_event(small_ics.trust_a), lead, today)
    due = add_working_days(today, 5)
    assert death.review_due_on == due
    assert queries.status(death, due) == ReviewStatus.DUE
    assert queries.status(death, due + dt.timedelta(days=1)) == ReviewStatus.OVERDUE


def test_a_death_that_must_be_reviewed_cannot_be_screened_out(small_ics, lead, today):
    death = services.death_from_event(
        fatal_event(small_ics.trust_a, learning_disability="true"), actor=Actor(user=lead)
    )
    assert "learning_disability" in death.criteria
    with pytest.raises(services.MortalityInvalid) as refused:
        services.screen(
            death,
            decision="out_of_scope",
            reason="Expected death.",
            criteria=death.criteria,
            expected_version=death.version,
            actor=Actor(user=lead),
            today=today,
        )
    assert refused.value.errors["screening"] == [
        "A death where the person had a learning disability or autism must have a "
        "Structured Judgement Review: select in scope"
    ]
    death.refresh_from_db()
    assert death.screening == ""


def test_screening_needs_a_decision_and_a_reason(small_ics, lead, today):
    death = services.death_from_event(fatal_event(small_ics.trust_a), actor=Actor(user=lead))
    with pytest.raises(services.MortalityInvalid) as refused:
        services.screen(
            death,
            decision="",
            reason=" ",
            criteria=["made_up"],
            expected_version=death.version,
            actor=Actor(user=lead),
            today=today,
        )
    assert refused.value.errors == {"criteria": ["Select only the reasons listed"]}
    with pytest.raises(services.MortalityInvalid) as refused:
        services.screen(
            death,
            decision="",
            reason=" ",
            criteria=[],
            expected_version=death.version,
            actor=Actor(user=lead),
            today=today,
        )
    assert refused.value.errors == {
        "screening": ["Select whether the death is in scope for a review"],
        "screening_reason": ["Enter the reason for the screening decision"],
    }


def test_a_good_review_is_stored_with_its_phases_and_audited(small_ics, lead, today):
    death = _screened(fatal_event(small_ics.trust_a), lead, today)
    review = services.save_review(
        death, _answers(good_answers()), expected_version=0, actor=Actor(user=lead), today=today
    )
    scores = dict(PhaseJudgement.objects.filter(review=review).values_list("phase", "score"))
    assert scores == {
        "admission": 4,
        "ongoing": 4,
        "procedures": None,
        "perioperative": None,
        "end_of_life": 4,
        "overall": 4,
    }
    assert review.avoidability == 6
    assert review.learning_response is None
    assert not LearningResponse.objects.exists()
    entry = AuditEntry.objects.get(action="mortality.review_completed")
    assert entry.details["poor_care"] is False
    assert entry.organisation_path == small_ics.trust_a.path
    (row,) = queries.rows(lead, today)
    assert row.status == ReviewStatus.COMPLETED


def test_validation_names_every_field_and_stores_nothing(small_ics, lead, today):
    death = _screened(fatal_event(small_ics.trust_a), lead, today)
    posted = good_answers(
        score_admission="na",
        statement_ongoing="",
        score_end_of_life="",
        avoidability="9",
        problem_medication="probable",
        problem_infection="",
        learning_response="LR-1",
    )
    with pytest.raises(services.MortalityInvalid) as refused:
        services.save_review(
            death, _answers(posted), expected_version=0, actor=Actor(user=lead), today=today
        )
    assert refused.value.errors == {
        "score_admission": [
            "Give admission and initial care a score from 1 to 5: every review judges it"
        ],
        "statement_ongoing": [
            "Write the explicit statement for ongoing care: what the care was, and why you "
            "gave this score"
        ],
        "score_end_of_life": [
            "Select a score for end-of-life care, or not applicable if it did not happen"
        ],
        "avoidability": ["Select how likely it is that the death could have been avoided"],
        "problem_description_medication": ["Describe the problem with medication or fluids"],
        "problem_infection": [
            "Select whether there was a problem with infection control, and whether it caused harm"
        ],
        "learning_response": [
            "Enter the learning response's reference as LR- followed by 8 letters or numbers, "
            "like LR-AB2CD3EF"
        ],
    }
    assert not StructuredJudgementReview.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="mortality.review").exists()


def test_poor_care_overall_starts_a_learning_response_on_the_event(small_ics, lead, today):
    event = fatal_event(small_ics.trust_a)
    death = _screened(event, lead, today)
    review = services.save_review(
        death,
        _answers(good_answers(overall="2", avoidability="3")),
        expected_version=0,
        actor=Actor(user=lead),
        today=today,
    )
    response = review.learning_response
    assert response is not None
    assert response.kind == "mdt"
    assert response.organisation == small_ics.trust_a
    assert list(response.events.all()) == [event]
    assert death.reference in response.title
    assert AuditEntry.objects.filter(
        action="learning_response.created", object_id=response.reference
    ).exists()
    entry = AuditEntry.objects.get(action="mortality.review_completed")
    assert entry.details["learning_response"] == response.reference
    assert entry.details["learning_response_started"] is True


def test_a_problem_that_probably_caused_harm_also_triggers(small_ics, lead, today):
    death = _screened(fatal_event(small_ics.trust_a), lead, today)
    posted = good_answers(
        problem_medication="probable",
        problem_description_medication="Synthetic: antibiotics given 6 hours late.",
    )
    review = services.save_review(
        death, _answers(posted), expected_version=0, actor=Actor(user=lead), today=today
    )
    assert review.learning_response is not None
    problem = review.problems.get(problem_type="medication")
    assert (problem.harm, problem.description) == (
        "probable",
        "Synthetic: antibiotics given 6 hours late.",
    )


def test_poor_care_on_a_death_added_by_hand_needs_an_existing_learning_response(
    small_ics, lead, today
):
    actor = Actor(user=lead)
    death = services.add_death(
        small_ics.trust_a,
        services.DeathFields(
            died_on=dt.date(2026, 10, 1),
            age_years=54,
            ethnic_group="black",
            imd_quintile=2,
            learning_disability="false",
            summary="Synthetic: died two days after a planned hip replacement.",
            criteria=("elective",),
        ),
        actor=actor,
    )
    death = services.screen(
        death,
        decision="in_scope",
        reason="Elective admission.",
        criteria=["elective"],
        expected_version=death.version,
        actor=actor,
        today=today,
    )
    with pytest.raises(services.MortalityInvalid) as refused:
        services.save_review(
            death, _answers(good_answers(overall="1")), expected_version=0, actor=actor, today=today
        )
    assert list(refused.value.errors) == ["learning_response"]
    assert not StructuredJudgementReview.objects.exists()

    elsewhere = LearningResponse.objects.create(
        organisation=small_ics.trust_b, kind="mdt", title="Another trust's review"
    )
    with pytest.raises(services.MortalityInvalid) as refused:
        services.save_review(
            death,
            _answers(good_answers(overall="1", learning_response=elsewhere.reference)),
            expected_version=0,
            actor=actor,
            today=today,
        )
    assert refused.value.errors["learning_response"] == [
        f"There is no learning response {elsewhere.reference} at Trust A: check the reference"
    ]

    own = LearningResponse.objects.create(
        organisation=small_ics.trust_a, kind="thematic", title="Deaths after elective surgery"
    )
    review = services.save_review(
        death,
        _answers(good_answers(overall="1", learning_response=own.reference.lower())),
        expected_version=0,
        actor=actor,
        today=today,
    )
    assert review.learning_response == own


def test_changing_a_review_is_audited_and_keeps_the_learning_response(small_ics, lead, today):
    actor = Actor(user=lead)
    death = _screened(fatal_event(small_ics.trust_a), lead, today)
    review = services.save_review(
        death, _answers(good_answers(overall="2")), expected_version=0, actor=actor, today=today
    )
    started = review.learning_response
    changed = services.save_review(
        death,
        _answers(good_answers(overall="3", avoidability="5")),
        expected_version=review.version,
        actor=actor,
        today=today,
    )
    assert changed.learning_response == started
    assert changed.phases.get(phase="overall").score == 3
    assert AuditEntry.objects.filter(action="mortality.review_changed").count() == 1
    assert LearningResponse.objects.count() == 1


def test_a_death_screened_out_cannot_be_reviewed(small_ics, lead, today):
    actor = Actor(user=lead)
    death = services.death_from_event(fatal_event(small_ics.trust_a), actor=actor)
    services.screen(
        death,
        decision="out_of_scope",
        reason="Expected death on an end-of-life pathway; the event was about a fall.",
        criteria=["safety_event"],
        expected_version=death.version,
        actor=actor,
        today=today,
    )
    assert death.review_due_on is None
    with pytest.raises(services.MortalityInvalid):
        services.save_review(
            death, _answers(good_answers()), expected_version=0, actor=actor, today=today
        )
