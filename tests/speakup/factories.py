"""Speak-up cases and people for the tests. Every name and concern here is invented."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caresignals.organisations.models import Organisation
from caresignals.speakup import services
from caresignals.speakup.models import SpeakUpCase

CONCERN = "Synthetic: the night shift on Ward 4 is regularly left with one registered nurse."


def raise_case(
    organisation: Organisation,
    *,
    route: str = "anonymous",
    categories: tuple[str, ...] = ("patient_safety",),
    user: Any = None,
    raised_on: dt.date | None = None,
    **kwargs: Any,
) -> tuple[SpeakUpCase, str]:
    """A case raised through the service; returns it with its one-time access code."""
    raised = services.raise_concern(
        organisation=organisation,
        route=route,
        concern=kwargs.pop("concern", CONCERN),
        categories=categories,
        user=user,
        **kwargs,
    )
    if raised_on is not None:
        SpeakUpCase.objects.filter(pk=raised.case.pk).update(raised_on=raised_on)
        raised.case.raised_on = raised_on
    return raised.case, raised.access_code
