"""LeDeR: the provider notifies the death of a person with a learning disability; the local
area (the ICB quality team) records the initial and focused reviews and signs off. A focused
review is always needed for a person from an ethnic minority group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caresignals.audit.models import AuditEntry
from caresignals.audit.services import Actor
from caresignals.mortality import services
from caresignals.mortality.models import LederReview
from caresignals.organisations.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def _death(small_ics, lead, *, ethnic_group="white", learning_disability="true"):
    return services.add_death(
        small_ics.trust_a,
        services.DeathFields(
            died_on=dt.date(2026, 10, 1),
            age_years=38,
            ethnic_group=ethnic_group,
            imd_quintile=1,
            learning_disability=learning_disability,
            summary="Synthetic.",
            criteria=("learning_disability",) if learning_disability == "true" else ("sample",),
        ),
        actor=Actor(user=lead),
    )


def _steps(**kwargs):
    values = {
        "initial_review_on": None,
        "focused_review_needed": False,
        "focused_review_reason": "",
        "focused_review_on": None,
        "sign_off": False,
    }
    values.update(kwargs)
    return services.LederSteps(**values)


def test_a_focused_review_is_always_needed_for_a_person_from_an_ethnic_minority_group(
    small_ics, today
):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead")
    icb = Actor(user=member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb"))
    leder = services.notify_leder(
        _death(small_ics, lead, ethnic_group="black"), notified_on=today, actor=Actor(user=lead)
    )
    assert leder.focused_review_needed
    initial = today + dt.timedelta(days=1)
    with pytest.raises(services.MortalityInvalid) as refused:
        services.record_leder(
            leder,
            _steps(initial_review_on=initial, sign_off=True),
            expected_version=leder.version,
            actor=icb,
            today=today,
        )
    assert refused.value.errors == {
        "focused_review_needed": [
            "A person from an ethnic minority group always has a focused review"
        ],
        "sign_off": ["Record the focused review before signing off"],
    }
    services.record_leder(
        leder,
        _steps(
            initial_review_on=initial,
            focused_review_needed=True,
            focused_review_on=initial + dt.timedelta(days=30),
            sign_off=True,
        ),
        expected_version=leder.version,
        actor=icb,
        today=today,
    )
    leder.refresh_from_db()
    assert leder.signed_off_on == today
    assert leder.focused_review_reason == "Always for a person from an ethnic minority group"
    assert list(
        AuditEntry.objects.filter(action__startswith="mortality.leder")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["mortality.leder_notified", "mortality.leder_updated"]


def test_only_deaths_of_people_with_a_learning_disability_are_notified(small_ics, today):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead")
    death = _death(small_ics, lead, learning_disability="false")
    with pytest.raises(services.MortalityInvalid):
        services.notify_leder(death, notified_on=today, actor=Actor(user=lead))
    assert not LederReview.objects.exists()


def test_the_provider_notifies_and_only_the_icb_reviews(client, small_ics, today):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead")
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    death = _death(small_ics, lead)
    client.force_login(lead)
    page = client.get(reverse("mortality:death", args=[death.reference])).content.decode()
    assert "Notify LeDeR" in page
    client.post(reverse("mortality:leder_notify", args=[death.reference]))
    leder = LederReview.objects.get()
    assert not leder.focused_review_needed
    steps = reverse("mortality:leder", args=[death.reference])
    assert client.post(steps, {"focused_review_needed": "no"}).status_code == 403

    client.force_login(icb)
    refused = client.post(
        steps, {"focused_review_needed": "no", "sign_off": "on", "version": str(leder.version)}
    )
    assert "Record the initial review before signing off" in refused.content.decode()
    done = client.post(
        steps,
        {
            "focused_review_needed": "no",
            "initial_review_on_day": str(today.day),
            "initial_review_on_month": str(today.month),
            "initial_review_on_year": str(today.year),
            "sign_off": "on",
            "version": str(leder.version),
        },
    )
    assert done.status_code == 302
    leder.refresh_from_db()
    assert (leder.initial_review_on, leder.signed_off_on) == (today, today)
