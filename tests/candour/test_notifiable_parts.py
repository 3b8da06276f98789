"""The candour lists read notifiable events in two quick parts (events of note through their
partial index, and those flagged by hand): together exactly the notifiable events."""

from __future__ import annotations

import pytest
from django.db.models import Q

from caresignals.organisations.roles import Role
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.candour.queries import candour_list, notifiable_parts
from caresignals.safety.events import derived, rules
from caresignals.safety.events.queries import of_note_ids
from caresignals.safety.models import CandourRecord, PatientSafetyEvent
from caresignals.safety.vocabulary import PhysicalHarm, PsychologicalHarm
from tests.factories import EventFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db


def _event(org, phys: str, psych: str, **kwargs) -> PatientSafetyEvent:
    worst = derived.max_harm([phys or None], [psych or None])[0].as_py()
    return EventFactory(
        organisation=org, physical_harm=phys, psychological_harm=psych, max_harm=worst, **kwargs
    )


def test_the_two_parts_are_the_notifiable_events_for_every_provider_type_and_harm(small_ics, today):
    providers = [
        OrganisationFactory(code=f"P{i}", type=t, parent=small_ics.place_a)
        for i, t in enumerate(sorted(rules.PROVIDER_TYPES))
    ]
    for org in providers:
        for phys in ["", *PhysicalHarm.values]:
            for psych in ["", *PsychologicalHarm.values]:
                _event(org, phys, psych, reported_on=today, occurred_on=today)
    org = providers[0]
    low = _event(org, "low", "none", reported_on=today, occurred_on=today)
    CandourRecord.objects.create(event=low, hand_flagged=True, hand_flag_reason="r")
    never = _event(org, "none", "", never_event_type="wrong_site_surgery", reported_on=today)
    CandourRecord.objects.create(event=never, hand_flagged=True, hand_flag_reason="r")
    expected = set(
        PatientSafetyEvent.objects.filter(candour.notifiable_q()).values_list("pk", flat=True)
    )
    assert low.pk in expected and never.pk in expected
    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb")
    of_note_part, flagged_part = notifiable_parts(icb, None)
    first = set(of_note_part.values_list("pk", flat=True))
    second = set(flagged_part.values_list("pk", flat=True))
    assert not first & second
    assert first | second == expected
    assert low.pk in second  # flagged by hand below the events of note
    listing = candour_list(icb, provider=None, status="open", today=today)
    assert (
        listing.total
        == len(expected)
        == sum(listing.counts[s] for s in ("open", "done", "not_notifiable", "not_known"))
    )


def test_events_of_note_are_moderate_harm_or_worse_or_a_never_event(small_ics):
    org = small_ics.trust_a
    kept = {
        _event(org, "moderate", "").pk,
        _event(org, "", "severe").pk,
        _event(org, "fatal", "none").pk,
        _event(org, "none", "", never_event_type="wrong_site_surgery").pk,
    }
    _event(org, "low", "low")
    _event(org, "", "")
    found = set(
        PatientSafetyEvent.objects.filter(Q(id__in=of_note_ids())).values_list("pk", flat=True)
    )
    assert found == kept
