"""The data step of migration 0009: answers once appended to descriptions move to the field."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from caresignals.safety.models import PatientSafetyEvent
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "caresignals.safety.migrations.0010_event_strength_of_association"
)


def test_appended_answers_move_into_the_field_and_back(small_ics):
    org = small_ics.trust_a
    appended = EventFactory(
        organisation=org,
        description="Synthetic: a fall on the ward.\n\nStrength of association: "
        "The incident possibly contributed to the harm",
    )
    unknown = EventFactory(
        organisation=org,
        description="Synthetic: delay.\n\nStrength of association: Don't know",
    )
    # Not the form's line: an answer in other words, or the words mid-text, are left alone.
    other_words = EventFactory(
        organisation=org, description="Synthetic.\n\nStrength of association: quite strong"
    )
    mid_text = EventFactory(
        organisation=org,
        description="Strength of association: The incident caused the harm. Then more text.",
    )
    plain = EventFactory(organisation=org, description="Synthetic: nothing appended.")

    migration.move_into_field(apps, None)

    def stored(event):
        return PatientSafetyEvent.objects.values_list("description", "strength_of_association").get(
            pk=event.pk
        )

    assert stored(appended) == ("Synthetic: a fall on the ward.", "possibly")
    assert stored(unknown) == ("Synthetic: delay.", "unknown")
    assert stored(other_words) == ("Synthetic.\n\nStrength of association: quite strong", "")
    assert stored(mid_text)[1] == "" and stored(plain) == ("Synthetic: nothing appended.", "")

    migration.move_back(apps, None)
    assert stored(appended) == (
        "Synthetic: a fall on the ward.\n\nStrength of association: "
        "The incident possibly contributed to the harm",
        "possibly",  # (the field itself goes with the reversed schema step)
    )


def test_the_frozen_wordings_are_the_forms(small_ics):
    """The migration parses the wordings the form wrote, which are the vocabulary's labels."""
    from caresignals.safety.vocabulary import StrengthOfAssociation

    assert {c: str(label) for c, label in StrengthOfAssociation.choices} == migration.LABELS
