"""Factories for PSIRF-response tests. Every name here is invented."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from caresignals.safety.models import LearningResponse, PlanRule, SafetyAction
from tests.factories import EventFactory


class PlanRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanRule

    position = factory.Sequence(lambda n: n + 1)
    response = "aar"


class LearningResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningResponse

    kind = "aar"
    title = "Synthetic after-action review"
    terms_of_reference = "Synthetic terms of reference."
    lead = "Synthetic lead"


class SafetyActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyAction

    description = "Synthetic action."
    owner = "Ward manager"
    due_on = dt.date(2030, 1, 1)
    measure_of_effect = "Synthetic measure."
    organisation = factory.LazyAttribute(lambda a: a.response.organisation)


def event(organisation: Any, **kwargs: Any) -> Any:
    return EventFactory(organisation=organisation, **kwargs)
