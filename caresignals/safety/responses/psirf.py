"""PSIRF: a provider's incident response plan as ordered rules, and the words for responses.

Pure logic, no database: a plan is a list of :class:`PlanRule` values; the first rule that
matches an event names its learning response. :func:`plan_response_many` gives the same
answer as :func:`plan_response` for a whole export chunk at once, a NumPy pass per rule
rather than a loop per event. National requirements are not here: ``rules.psirf_response``
applies them over whatever the plan says, so a plan can never switch them off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from django.db import models

from caresignals.safety.vocabulary import HARM_ORDER


class ResponseType(models.TextChoices):
    """What triage or a plan can decide (the codes are ``rules.PLAN_RESPONSES``)."""

    PSII = "psii", "Patient-safety incident investigation (PSII)"
    AAR = "aar", "After-action review (AAR)"
    SWARM = "swarm", "SWARM huddle"
    MDT = "mdt", "Multidisciplinary team (MDT) review"
    THEMATIC = "thematic", "Thematic review"
    NONE = "none", "No further response (local review only)"


class LearningResponseType(models.TextChoices):
    """The learning responses that are run and written up (all but "none")."""

    PSII = "psii", "Patient-safety incident investigation (PSII)"
    AAR = "aar", "After-action review (AAR)"
    SWARM = "swarm", "SWARM huddle"
    MDT = "mdt", "Multidisciplinary team (MDT) review"
    THEMATIC = "thematic", "Thematic review"


class ResponseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class SeipsFactor(models.TextChoices):
    """The SEIPS work system, so findings can be compared across responses."""

    PERSON = "person", "Person"
    TASKS = "tasks", "Tasks"
    TOOLS = "tools_technology", "Tools and technology"
    ORGANISATION = "organisation", "Organisation"
    INTERNAL = "internal_environment", "Internal environment"
    EXTERNAL = "external_environment", "External environment"


class EngagedGroup(models.TextChoices):
    PATIENT = "patient", "Patient"
    FAMILY = "family", "Family or carer"
    STAFF = "staff", "Staff"


class EngagementMethod(models.TextChoices):
    IN_PERSON = "in_person", "Met in person"
    PHONE = "phone", "Telephone"
    VIDEO = "video", "Video call"
    WRITING = "writing", "Letter or email"
    OTHER = "other", "Another way"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done, effect to be reviewed"
    CLOSED = "closed", "Closed after review"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"


#: Working days from reporting by which an event should be triaged. PSIRF sets no national
#: deadline and no plan here records one, so this follows the common provider practice of an
#: initial review within three working days (ADR 21).
TRIAGE_WORKING_DAYS: Final = 3

#: Statuses in which an action is still owed, so a past due date makes it overdue.
ACTION_OPEN_STATUSES: Final = (ActionStatus.OPEN.value,)


@dataclass(frozen=True)
class NationalRequirementRow:
    """One line of the read-only top of every plan."""

    applies_to: str
    response: str
    code: str  # the derived-field code that shows it (rules.py), or "" when not derived


#: docs/domain.md, "Responding and learning (PSIRF)": these apply whatever a local plan says.
NATIONAL_REQUIREMENT_ROWS: Final = (
    NationalRequirementRow("Never Event", "Local PSII", "never_event_psii"),
    NationalRequirementRow(
        "Death of a patient detained under the Mental Health Act (or where the Mental Capacity "
        "Act applies) linked to problems in care",
        "Local PSII",
        "mha_mca_death_psii",
    ),
    NationalRequirementRow(
        "Death thought more likely than not due to problems in care",
        "Local PSII",
        "death_due_to_care_psii",
    ),
    NationalRequirementRow(
        "Maternity or neonatal incident meeting the national criteria",
        "Refer for independent investigation (HSSIB or MNSI)",
        "maternity_referral",
    ),
    NationalRequirementRow(
        "Mental-health-related homicide",
        "Refer to the regional independent investigation team",
        "mh_homicide_review",
    ),
    NationalRequirementRow(
        "Child death", "Refer to the child death overview panel", "child_death_review"
    ),
    NationalRequirementRow(
        "Death of a person with a learning disability or an autistic person",
        "Refer to LeDeR",
        "leder_referral",
    ),
    NationalRequirementRow(
        "Safeguarding concern",
        "Refer to the local-authority safeguarding lead",
        "safeguarding_referral",
    ),
    NationalRequirementRow(
        "Screening incident", "Refer to the screening quality assurance service", ""
    ),
)


@dataclass(frozen=True)
class PlanRule:
    """One line of a plan. Blank criteria match anything; all given criteria must match."""

    response: str
    category: str = ""
    min_harm: str = ""  # the event's worse harm must be at least this
    service_area: str = ""
    service_id: int | None = None


def _harm(value: str | None) -> int:
    return HARM_ORDER.get(value or "", -1)


def rule_matches(
    rule: PlanRule,
    *,
    category: str,
    max_harm: str | None,
    service_area: str,
    service_id: int | None,
) -> bool:
    return (
        (not rule.category or rule.category == category)
        and (not rule.min_harm or _harm(max_harm) >= _harm(rule.min_harm))
        and (not rule.service_area or rule.service_area == service_area)
        and (rule.service_id is None or rule.service_id == service_id)
    )


def plan_response(
    plan: Sequence[PlanRule],
    *,
    category: str,
    max_harm: str | None,
    service_area: str,
    service_id: int | None,
) -> tuple[str | None, int | None]:
    """The response the first matching rule names and that rule's index; (None, None) when
    the plan leaves this kind of event open (it is then undecided until triage)."""
    for i, rule in enumerate(plan):
        if rule_matches(
            rule,
            category=category,
            max_harm=max_harm,
            service_area=service_area,
            service_id=service_id,
        ):
            return rule.response, i
    return None, None


def plan_response_many(
    plans: Mapping[int, Sequence[PlanRule]],
    *,
    organisation_ids: Any,
    categories: Any,
    max_harms: Any,
    service_areas: Any,
    service_ids: Any,
) -> list[str | None]:
    """:func:`plan_response` for many events, each against its own provider's plan.

    One vectorised pass per rule of each provider present, so an export chunk of thousands
    of events costs a few dozen array operations, never a query or a loop per event.
    """
    orgs = np.asarray(organisation_ids, dtype=np.int64)
    n = len(orgs)
    cats = np.asarray(categories, dtype=object)
    harms = np.array([_harm(h) for h in max_harms], dtype=np.int64)
    areas = np.asarray(service_areas, dtype=object)
    services = np.array([-1 if s is None else s for s in service_ids], dtype=np.int64)
    result = np.full(n, None, dtype=object)
    for org_id in np.unique(orgs) if n else []:
        plan = plans.get(int(org_id))
        if not plan:
            continue
        open_ = orgs == org_id
        for rule in plan:
            match = open_.copy()
            if rule.category:
                match &= cats == rule.category
            if rule.min_harm:
                match &= harms >= _harm(rule.min_harm)
            if rule.service_area:
                match &= areas == rule.service_area
            if rule.service_id is not None:
                match &= services == rule.service_id
            result[match] = rule.response
            open_ &= ~match
            if not open_.any():
                break
    return list(result)


def needs_judgement(
    *,
    requirement: str | None,
    plan_response: str | None,
    max_harm: str | None,
    referrals: Sequence[str],
    patient_died: bool | None,
    harm_not_known: bool = False,
) -> str | None:
    """Why an event's triage needs a person rather than the plan, or None when it is routine.

    Only routine events may have the plan's suggestion accepted in bulk from the queue: a
    national requirement, a PSII, severe or fatal harm, a death or a referral to another body
    each deserve a lead's reading of the event, as does a kind of event the plan leaves open.
    """
    if requirement:
        return "it meets a national requirement"
    if plan_response is None:
        return "the plan does not cover it"
    if plan_response == ResponseType.PSII:
        return "the plan asks for a PSII"
    if _harm(max_harm) >= _harm("severe") or patient_died:
        return "the harm is severe or fatal, or the patient died"
    if harm_not_known:
        return "the harm is not known yet"
    if referrals:
        return "it needs a referral beyond the provider"
    return None
