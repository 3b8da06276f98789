"""PSIRF responses for the synthetic region: plans, triage, learning responses and actions.

Each acute trust gets a small incident response plan; every provider's events reported
before the last two weeks are triaged in bulk, by the plan where there is one, so queues hold
only recent work; a few dozen learning responses with findings, people engaged and safety
actions (some overdue) are made from the events triage sent to a response. Deterministic by
seed; everything is invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Max

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record_many
from caresignals.core import clock
from caresignals.organisations.models import Organisation
from caresignals.safety.models import (
    Engagement,
    Finding,
    LearningResponse,
    PatientSafetyEvent,
    PlanRule,
    SafetyAction,
    TriageDecision,
)
from caresignals.safety.responses import psirf
from caresignals.safety.responses.services import triage_by_plan

UNTRIAGED_DAYS = 14  # the most recent fortnight is left for the triage queue
RESPONSES_PER_TRUST = 4

# (category, minimum harm, service suffix, response): a typical acute trust's local priorities.
PLAN = (
    ("medication", "severe", "", "psii"),
    ("falls", "moderate", "", "aar"),
    ("", "moderate", "MAT", "mdt"),
    ("pressure_ulcer", "", "", "thematic"),
    ("deterioration", "moderate", "", "swarm"),
)

FINDINGS = {
    "person": "Staff were new to the ward and had not had the local induction.",
    "tasks": "Checks were left to handover, when the ward was busiest.",
    "tools_technology": "The electronic record did not prompt for the repeat observation.",
    "organisation": "Two vacant posts were covered by temporary staff for three months.",
    "internal_environment": "The bay was noisy and poorly lit at night.",
    "external_environment": "Delays discharging patients to care homes kept the ward full.",
}
ACTIONS = (
    ("Add a prompt for repeat observations to the electronic record.", "Digital lead"),
    ("Move the medication round away from handover.", "Ward manager"),
    ("Give temporary staff the ward induction before their first shift.", "Matron"),
    ("Review lighting in the bays used at night.", "Estates manager"),
)


@dataclass(frozen=True)
class Summary:
    plans: int
    triaged: int
    responses: int
    actions: int
    overdue: int


def build(*, seed: int, actor: Actor) -> Summary:
    rng = np.random.default_rng(seed + 55)
    latest = PatientSafetyEvent.objects.aggregate(m=Max("reported_on"))["m"]
    if latest is None:
        return Summary(0, 0, 0, 0, 0)
    today = clock.today()
    cutoff = latest - dt.timedelta(days=UNTRIAGED_DAYS)
    trusts = list(Organisation.objects.filter(kind="provider", type="acute_trust").order_by("code"))
    services = {o.code: o for o in Organisation.objects.filter(parent__in=trusts, kind="service")}
    with transaction.atomic():
        PlanRule.objects.bulk_create(
            [
                PlanRule(
                    organisation=trust,
                    position=i,
                    category=category,
                    min_harm=harm,
                    service=services.get(f"{trust.code}-{suffix}") if suffix else None,
                    response=response,
                )
                for trust in trusts
                for i, (category, harm, suffix, response) in enumerate(PLAN, start=1)
            ]
        )
        record_many(
            actor,
            [
                Change(AuditAction.PLAN_RULE_CREATED, "organisation", t.code, t.path, {"rules": 5})
                for t in trusts
            ],
        )
    # Every provider's history is triaged (by its plan, where it has one), so each queue
    # holds only the last fortnight's events.
    providers = Organisation.objects.filter(kind="provider").order_by("code")
    triaged = sum(triage_by_plan(p, reported_before=cutoff, actor=actor) for p in providers)

    responses = actions = overdue = 0
    kinds = [k for k in psirf.LearningResponseType.values if k != "thematic"]
    with transaction.atomic():
        changes = []
        for trust in trusts:
            picked = list(
                TriageDecision.objects.filter(event__organisation=trust, response__in=kinds)
                .select_related("event", "event__service")
                .order_by("-event__reported_on", "event_id")[: RESPONSES_PER_TRUST * 3]
            )
            if not picked:
                continue
            chosen = rng.choice(
                len(picked), size=min(RESPONSES_PER_TRUST, len(picked)), replace=False
            )
            for n, index in enumerate(sorted(chosen)):
                decision = picked[int(index)]
                e = decision.event
                where = e.service.name.split(",")[0] if e.service else trust.name
                # Never after today: the learning-response form refuses a future start.
                started = min(e.reported_on + dt.timedelta(days=int(rng.integers(3, 15))), today)
                done = n % 2 == 0 and started + dt.timedelta(days=60) < today
                response = LearningResponse.objects.create(
                    organisation=trust,
                    kind=decision.response,
                    title=f"{e.get_category_display()}: {where}",
                    terms_of_reference="Understand how the work system contributed and what "
                    "would make it safer.",
                    lead="Patient-safety partner and matron",
                    status="completed" if done else "in_progress",
                    started_on=started,
                    due_on=started + dt.timedelta(days=90),
                    completed_on=started + dt.timedelta(days=60) if done else None,
                    summary="The review found system factors, not individual failings."
                    if done
                    else "",
                )
                response.events.add(e)
                factors = rng.choice(len(FINDINGS), size=3, replace=False)
                Finding.objects.bulk_create(
                    [
                        Finding(response=response, factor=f, text=FINDINGS[f])
                        for f in (list(FINDINGS)[int(i)] for i in sorted(factors))
                    ]
                )
                Engagement.objects.bulk_create(
                    [
                        Engagement(
                            response=response,
                            group="family",
                            who="Patient's daughter",
                            method="in_person",
                            engaged_on=started,
                        ),
                        Engagement(
                            response=response,
                            group="staff",
                            who="Nurse in charge",
                            method="video",
                            engaged_on=started,
                        ),
                    ]
                )
                for a, (text, owner) in enumerate(ACTIONS[: 1 + n % 3]):
                    due = started + dt.timedelta(days=45 + 30 * a)
                    status = "done" if done and a == 0 else "open"
                    SafetyAction.objects.create(
                        response=response,
                        organisation=trust,
                        description=text,
                        owner=owner,
                        due_on=due,
                        measure_of_effect="Audit 20 records a month for three months.",
                        review_on=due + dt.timedelta(days=90),
                        status=status,
                    )
                    actions += 1
                    overdue += status == "open" and due < today
                responses += 1
                changes.append(
                    Change(
                        AuditAction.LEARNING_RESPONSE_CREATED,
                        "learning_response",
                        response.reference,
                        trust.path,
                        {"kind": response.kind},
                    )
                )
        record_many(actor, changes)
    return Summary(len(trusts), triaged, responses, actions, overdue)
