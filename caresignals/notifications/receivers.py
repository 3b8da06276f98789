"""Answers to what the capture apps announce (their hooks), connected in apps.ready()."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from caresignals.core import clock
from caresignals.core.anonymity import day_only
from caresignals.notifications import services, tasks
from caresignals.notifications.models import Kind
from caresignals.organisations.models import Membership
from caresignals.organisations.queries import people_for
from caresignals.organisations.roles import Capability, Role, roles_with
from caresignals.safety.events import rules
from caresignals.speakup.models import SpeakUpCase


def event_stored(sender: Any, event: Any, **_: Any) -> None:
    """A new event that meets a national requirement: its provider's patient-safety leads are
    told once the event is committed."""
    s = event.stored
    requirement = rules.national_requirement(
        s.get("never_event_type") or None,
        s.get("patient_died"),
        s.get("death_in_care_more_likely_than_not"),
        s.get("detained_mha"),
    )
    if requirement:  # most events have none: nothing is left waiting for the commit
        transaction.on_commit(lambda: _tell_safety_leads(event))


def _tell_safety_leads(event: Any) -> None:
    url = reverse("safety:event", kwargs={"reference": event.reference})
    leads = people_for(event.organisation_path, roles_with(Capability.MANAGE_SAFETY_RESPONSES))
    for person in leads:
        services.notify(
            person,
            Kind.NATIONAL_REQUIREMENT,
            event.reference,
            "A new event meets a national requirement",
            url,
            on=clock.today(),
        )
    tasks.send_emails.enqueue()


def reporter_replied(sender: Any, case_id: int, **_: Any) -> None:
    """The reporter answered on a speak-up case: its guardian, or the organisation's guardians.
    Only the day is kept, and the email waits for the daily run, so no message or mail log
    tells when the reporter wrote (H37)."""
    case = SpeakUpCase.objects.select_related("owner_person").get(pk=case_id)
    if case.owner_person is not None:
        people = [case.owner_person]
    else:
        people = [
            m.user
            for m in Membership.objects.filter(
                organisation_id=case.organisation_id, role=Role.SPEAKUP_GUARDIAN
            ).select_related("user")
        ]
    url = reverse("speakup:case", kwargs={"reference": case.reference})
    for person in people:
        services.notify(
            person,
            Kind.SPEAKUP_REPLY,
            case.reference,
            "A reply on a speak-up case you handle",
            url,
            on=day_only().date(),
        )
