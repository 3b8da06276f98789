"""Factories for the voice tests. Every name and story here is invented."""

from __future__ import annotations

import datetime as dt

import factory

from caresignals.voice.models import Complaint, Feedback


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    source_id = factory.Sequence(lambda n: f"FB{n}")
    kind = "concern"
    text = "Synthetic: the ward was noisy at night and nobody explained the delay."
    received_on = dt.date(2026, 3, 2)
    channel = "web"


def complaint(organisation, *, received_on=dt.date(2026, 3, 2), **kwargs) -> Complaint:
    feedback = FeedbackFactory(
        organisation=organisation,
        kind="complaint",
        received_on=received_on,
        contact_name="Synthetic Person",
        contact_email="person@example.com",
        consent_to_contact=True,
        **kwargs,
    )
    return Complaint.objects.create(feedback=feedback)
