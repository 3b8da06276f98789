"""Synthetic events and people for the candour tests. Every name here is invented."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caresignals.organisations.models import Organisation
from caresignals.safety.models import PatientSafetyEvent
from tests.factories import EventFactory


def notifiable_event(organisation: Organisation, **kwargs: Any) -> PatientSafetyEvent:
    """A moderate-harm incident at an NHS trust: notifiable by the rules."""
    values: dict[str, Any] = {
        "organisation": organisation,
        "physical_harm": "moderate",
        "psychological_harm": "none",
        "max_harm": "moderate",
        "occurred_on": dt.date(2026, 3, 1),
        "reported_on": dt.date(2026, 3, 2),
    }
    values.update(kwargs)
    event = EventFactory(**values)
    assert isinstance(event, PatientSafetyEvent)
    return event


def undecided_event(organisation: Organisation, **kwargs: Any) -> PatientSafetyEvent:
    """Moderate psychological harm at a trust: a person decides whether it is notifiable."""
    values: dict[str, Any] = {
        "physical_harm": "low",
        "psychological_harm": "moderate",
        "max_harm": "moderate",
    }
    values.update(kwargs)
    return notifiable_event(organisation, **values)


def date_parts(name: str, day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def steps_post(version: int, **kwargs: Any) -> dict[str, str]:
    """A complete posting of the steps form (dates as date objects or None)."""
    data: dict[str, str] = {"action": "steps", "version": str(version)}
    for name in (
        "notified_in_person_on",
        "written_notification_on",
        "results_shared_on",
        "contact_outcome_on",
    ):
        data.update(date_parts(name, kwargs.pop(name, None)))
    data["notified_by"] = kwargs.pop("notified_by", "")
    if kwargs.pop("apology_given", False):
        data["apology_given"] = "on"
    data["contact_outcome"] = kwargs.pop("contact_outcome", "")
    assert not kwargs, kwargs
    return data
