"""Reads behind triage, the incident response plan, learning responses and safety actions.

Every read a person triggers is limited to where they hold a patient-safety role
(safety/responses/access.py); anything else is not found (404).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.http import Http404

from caresignals.core import clock
from caresignals.organisations.models import Organisation
from caresignals.safety.events import rules
from caresignals.safety.models import (
    LearningResponse,
    PatientSafetyEvent,
    PlanRule,
    SafetyAction,
    TriageDecision,
)
from caresignals.safety.responses import psirf
from caresignals.safety.responses.access import read_scope, write_scope
from caresignals.safety.vocabulary import HARM_ORDER

# --- plans, for pages and for the exports -------------------------------------------------


def plan_of(rows: Iterable[PlanRule]) -> list[psirf.PlanRule]:
    return [
        psirf.PlanRule(r.response, r.category, r.min_harm, r.service_area, r.service_id)
        for r in rows
    ]


def plans_for(organisation_ids: Iterable[int]) -> dict[int, list[psirf.PlanRule]]:
    """Each provider's plan, in order: one query however many providers."""
    plans: dict[int, list[psirf.PlanRule]] = {}
    ids = set(organisation_ids)
    # Plain values rather than model instances: this runs for every event recorded.
    rows = (
        PlanRule.objects.filter(organisation_id__in=ids)
        .order_by("organisation_id", "position", "id")
        .values_list(
            "organisation_id", "response", "category", "min_harm", "service_area", "service_id"
        )
    )
    for org_id, response, category, min_harm, area, service_id in rows:
        plans.setdefault(org_id, []).append(
            psirf.PlanRule(response, category, min_harm, area, service_id)
        )
    return plans


def decided_responses(
    events: Sequence[PatientSafetyEvent],
    plans: dict[int, list[psirf.PlanRule]],
    *,
    triaged: bool = True,
) -> list[str | None]:
    """What triage decided for each event, else what its provider's plan says (None where
    the plan leaves it open). ``plans`` is a cache shared across chunks: providers not yet
    in it are loaded in one query. One more query reads the chunk's triage decisions, unless
    the caller knows there are none (`triaged=False`)."""
    missing = {e.organisation_id for e in events} - set(plans)
    if missing:
        loaded = plans_for(missing)
        for org_id in missing:
            plans[org_id] = loaded.get(org_id, [])
    by_plan = psirf.plan_response_many(
        plans,
        organisation_ids=[e.organisation_id for e in events],
        categories=[e.category for e in events],
        max_harms=[e.max_harm for e in events],
        service_areas=[e.service_area for e in events],
        service_ids=[e.service_id for e in events],
    )
    if not triaged:  # events just recorded: nobody has triaged them yet
        return list(by_plan)
    ids = [e.pk for e in events]
    decisions = TriageDecision.objects.all()
    low, high = min(ids, default=0), max(ids, default=0)
    if high - low < 4 * len(ids):  # an export chunk in key order: a range is far cheaper
        decisions = decisions.filter(event_id__gte=low, event_id__lte=high)
    else:
        decisions = decisions.filter(event_id__in=ids)
    decided = dict(decisions.values_list("event_id", "response"))
    return [decided.get(e.pk, planned) for e, planned in zip(events, by_plan, strict=True)]


# --- organisations ---------------------------------------------------------------------------


def providers_in(scope_paths: Sequence[str]) -> QuerySet[Organisation]:
    q = Q(pk__in=[])
    for p in scope_paths:
        q |= Q(path__startswith=p)
    return Organisation.objects.filter(q, kind="provider").order_by("name")


def readable_providers(user: Any) -> list[Organisation]:
    return list(providers_in(read_scope(user).paths))


def writable_providers(user: Any) -> list[Organisation]:
    return list(providers_in(write_scope(user).paths))


def provider_for(user: Any, code: str | None, *, write: bool = False) -> Organisation:
    """The provider named by ``code`` (or the person's first) if within their scope."""
    providers = writable_providers(user) if write else readable_providers(user)
    if not code:
        if not providers:
            raise Http404("Not found")
        return providers[0]
    for p in providers:
        if p.code == code:
            return p
    raise Http404("Not found")


def services_of(provider: Organisation) -> list[Organisation]:
    return list(Organisation.objects.filter(parent=provider, kind="service").order_by("name"))


# --- events ----------------------------------------------------------------------------------


def _events(user: Any, *, write: bool = False) -> QuerySet[PatientSafetyEvent]:
    scope = write_scope(user) if write else read_scope(user)
    return PatientSafetyEvent.objects.filter(scope.q("organisation__path"))


def event_for(user: Any, reference: str, *, write: bool = False) -> PatientSafetyEvent:
    event = (
        _events(user, write=write)
        .select_related("organisation", "service", "triage")
        .filter(reference=reference)
        .first()
    )
    if event is None:
        raise Http404("Not found")
    return event


# Harm not known on an incident or outcome (a member of the public who did not know or did
# not say, hazard H71) ranks between low and moderate harm: high enough that a fall a family
# reported is read soon, never sunk beneath every "no harm" event; the triage sets the harm.
HARM_NOT_KNOWN = Q(max_harm="", record_type__in=["incident", "outcome"])
_HARM_RANK = Case(
    When(HARM_NOT_KNOWN, then=Value(3)),
    *(When(max_harm=code, then=Value(2 * rank)) for code, rank in HARM_ORDER.items()),
    default=Value(-1),
    output_field=IntegerField(),
)
# The triage queue's harm filter for those events (beside MaxHarm's codes).
NOT_KNOWN = "not_known"
_NATIONAL = Case(
    When(~Q(never_event_type="") | Q(death_in_care_more_likely_than_not=True), then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)
_CANDOUR = Case(
    When(
        Q(organisation__type__in=sorted(rules.NHS_TRUST_TYPES))
        & (Q(physical_harm__in=["moderate", "severe", "fatal"]) | Q(psychological_harm="severe")),
        then=Value(1),
    ),
    When(Q(physical_harm__in=["severe", "fatal"]) | Q(psychological_harm="severe"), then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class QueueFilters:
    service: str = ""
    harm: str = ""
    category: str = ""


_OWNER = "triage_owner__owner_person__"
# The person's display name (full name, else username), as the queue shows who is to triage.
_TRIAGE_OWNER_NAME = Coalesce(
    NullIf(Trim(Concat(F(_OWNER + "first_name"), Value(" "), F(_OWNER + "last_name"))), Value("")),
    F(_OWNER + "username"),
)


def triage_queue(user: Any, filters: QueueFilters) -> QuerySet[PatientSafetyEvent]:
    """Untriaged events the person may see, most urgent first: a national requirement, then
    the worse harm (harm not known between low and moderate), then Duty of Candour, then the
    longest waiting. Good care is not triaged."""
    qs = (
        _events(user)
        .filter(triage__isnull=True)
        .exclude(record_type="good_care")
        .select_related("organisation", "service")
        # Who is to triage it, when a person is named (ADR 21): one name, not the row.
        .annotate(triage_owner_name=_TRIAGE_OWNER_NAME)
    )
    if filters.service:
        qs = qs.filter(service__code=filters.service)
    if filters.harm == NOT_KNOWN:
        qs = qs.filter(HARM_NOT_KNOWN)
    elif filters.harm:
        qs = qs.filter(max_harm=filters.harm)
    if filters.category:
        qs = qs.filter(category=filters.category)
    return qs.annotate(national=_NATIONAL, harm_rank=_HARM_RANK, candour_rank=_CANDOUR).order_by(
        "-national", "-harm_rank", "-candour_rank", "reported_on", "id"
    )


def plan_suggestion(
    event: PatientSafetyEvent, plan: Sequence[psirf.PlanRule] | None = None
) -> tuple[str | None, str | None]:
    """What the plan (or a national requirement) suggests for the event, and why a person
    must decide it rather than accept that in bulk (None when it is routine)."""
    if plan is None:
        plan = plans_for([event.organisation_id]).get(event.organisation_id, [])
    requirement = rules.national_requirement(
        event.never_event_type,
        event.patient_died,
        event.death_in_care_more_likely_than_not,
        event.detained_mha,
    )
    planned, _ = psirf.plan_response(
        plan,
        category=event.category,
        max_harm=event.max_harm,
        service_area=event.service_area,
        service_id=event.service_id,
    )
    referrals = rules.referrals(
        patient_died=event.patient_died,
        learning_disability=event.learning_disability,
        autism=event.autism,
        patient_age_years=event.patient_age_years,
        service_area=event.service_area,
        service_type=event.service.type if event.service else None,
        max_harm=event.max_harm,
        category=event.category,
    )
    reason = psirf.needs_judgement(
        requirement=requirement,
        plan_response=planned,
        max_harm=event.max_harm,
        referrals=referrals,
        patient_died=event.patient_died,
        harm_not_known=not event.max_harm and event.record_type in ("incident", "outcome"),
    )
    return ("psii" if requirement else planned), reason


def untriaged_events(user: Any, references: Sequence[str]) -> dict[str, PatientSafetyEvent]:
    """The events named that the person may triage and that still wait for it (others absent)."""
    return {
        e.reference: e
        for e in _events(user, write=True)
        .filter(reference__in=references, triage__isnull=True)
        .exclude(record_type="good_care")
        .select_related("organisation", "service")
    }


def queue_counts(qs: QuerySet[PatientSafetyEvent]) -> dict[str, int]:
    return qs.aggregate(
        total=Count("id"),
        national=Count(
            "id", filter=~Q(never_event_type="") | Q(death_in_care_more_likely_than_not=True)
        ),
        severe=Count("id", filter=Q(max_harm__in=["severe", "fatal"])),
    )


def queue_services(user: Any) -> list[Organisation]:
    scope = read_scope(user)
    return list(
        Organisation.objects.filter(scope.q("path"), kind="service")
        .select_related("parent")
        .order_by("path")
    )


# --- plans (pages) ---------------------------------------------------------------------------


def plan_rules(provider: Organisation) -> list[PlanRule]:
    return list(
        PlanRule.objects.filter(organisation=provider)
        .select_related("service")
        .order_by("position", "id")
    )


def plan_rule_for(user: Any, pk: int) -> PlanRule:
    rule = (
        PlanRule.objects.filter(write_scope(user).q("organisation__path"), pk=pk)
        .select_related("organisation", "service")
        .first()
    )
    if rule is None:
        raise Http404("Not found")
    return rule


# --- learning responses and actions ----------------------------------------------------------


def responses_for(user: Any, provider: Organisation | None = None) -> QuerySet[LearningResponse]:
    qs = LearningResponse.objects.filter(read_scope(user).q("organisation__path"))
    if provider is not None:
        qs = qs.filter(organisation=provider)
    return (
        qs.select_related("organisation")
        .annotate(
            event_count=Count("events", distinct=True),
            overdue_actions=Count(
                "actions",
                filter=Q(
                    actions__status__in=psirf.ACTION_OPEN_STATUSES,
                    actions__due_on__lt=clock.today(),
                ),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )


def response_for(user: Any, reference: str, *, write: bool = False) -> LearningResponse:
    scope = write_scope(user) if write else read_scope(user)
    response = (
        LearningResponse.objects.filter(scope.q("organisation__path"), reference=reference)
        .select_related("organisation", "owner_person")
        .first()
    )
    if response is None:
        raise Http404("Not found")
    return response


def responses_of_event(event: PatientSafetyEvent) -> list[LearningResponse]:
    return list(event.learning_responses.order_by("-created_at", "-id"))


def actions_of(responses: Iterable[LearningResponse]) -> list[SafetyAction]:
    return list(
        SafetyAction.objects.filter(response__in=list(responses))
        .select_related("response", "owner_person")
        .order_by("due_on", "id")
    )


def actions_for(
    user: Any, provider: Organisation | None = None, *, overdue: bool = False
) -> QuerySet[SafetyAction]:
    qs = SafetyAction.objects.filter(read_scope(user).q("organisation__path"))
    if provider is not None:
        qs = qs.filter(organisation=provider)
    if overdue:
        qs = qs.filter(status__in=psirf.ACTION_OPEN_STATUSES, due_on__lt=clock.today())
    return qs.select_related("response", "organisation", "owner_person").order_by("due_on", "id")


def action_for(user: Any, reference: str, *, write: bool = False) -> SafetyAction:
    scope = write_scope(user) if write else read_scope(user)
    action = (
        SafetyAction.objects.filter(scope.q("organisation__path"), reference=reference)
        .select_related("response", "organisation")
        .first()
    )
    if action is None:
        raise Http404("Not found")
    return action


def events_by_reference(
    provider: Organisation, references: Sequence[str]
) -> dict[str, PatientSafetyEvent]:
    """The provider's events with these references (others are simply absent)."""
    return {
        e.reference: e
        for e in PatientSafetyEvent.objects.filter(organisation=provider, reference__in=references)
    }


# --- owners (ADR 21) ---------------------------------------------------------------------------


def owned_action(user: Any, reference: str) -> SafetyAction | None:
    """The action if `user` is named as its owner, wherever they hold roles."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        SafetyAction.objects.filter(reference=reference, owner_person=user)
        .select_related("response", "organisation")
        .first()
    )


def owned_response(user: Any, reference: str) -> LearningResponse | None:
    """The learning response if `user` is named as the person who leads it."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        LearningResponse.objects.filter(reference=reference, owner_person=user)
        .select_related("organisation")
        .first()
    )
