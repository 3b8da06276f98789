"""PSIRF responses for the synthetic region: plans, triage, learning responses and actions.

Each acute trust gets a small incident response plan; every provider's events reported
before the last two weeks are triaged in bulk, by the plan where there is one, so queues hold
only recent work; a few dozen learning responses with findings, people engaged and safety
actions (some overdue) are made from the events triage sent to a response, and each trust has a
thematic review of its latest events its plan sent to one. Titles, findings and actions follow
the events' categories and are taken in turn, so no list reads as one title repeated.
Deterministic by seed; everything is invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

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

T = TypeVar("T")

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
    "person": (
        "Staff were new to the area and had not had the local induction.",
        "The nurse in charge was also caring for a full group of patients.",
        "Staff had not been trained in the equipment they were using.",
    ),
    "tasks": (
        "Checks were left to handover, when the area was busiest.",
        "The procedure had no agreed checklist, so each shift did it differently.",
        "Tasks were interrupted repeatedly by phone calls and bleeps.",
    ),
    "tools_technology": (
        "The electronic record did not prompt for the repeat check.",
        "Two models of the same equipment worked differently.",
        "Results were filed without anyone having to acknowledge them.",
    ),
    "organisation": (
        "Two vacant posts were covered by temporary staff for three months.",
        "Escalation routes differed between day and night.",
        "Learning from a similar event last year had not been shared.",
    ),
    "internal_environment": (
        "The bay was noisy and poorly lit at night.",
        "The area was full, with people cared for in extra spaces.",
        "Equipment was stored where it blocked the view of the bays.",
    ),
    "external_environment": (
        "Delays discharging people to care homes kept the area full.",
        "Ambulance handover delays brought several people in at once.",
        "A shortage of community beds delayed transfers out.",
    ),
}
# A learning response's title names what happened (by the event's category, several wordings
# so a trust's list does not read as one title repeated) and where.
TITLES = {
    "medication": (
        "Missed doses of a time-critical medicine",
        "A medicine given at the wrong dose",
    ),
    "device": ("An infusion pump failure during treatment", "Faulty monitoring equipment in use"),
    "it_system": ("Results lost between electronic systems", "An electronic record outage"),
    "falls": (
        "A fall with harm at night",
        "Repeated falls by one person",
        "A fall on the way to the bathroom",
    ),
    "pressure_ulcer": ("Pressure damage that developed in our care", "A pressure ulcer found late"),
    "self_harm": ("Self-harm with an item brought in", "Self-harm soon after a review"),
    "infection": (
        "A healthcare-associated infection",
        "Delayed isolation of an infectious patient",
    ),
    "deterioration": (
        "Early warning scores not escalated",
        "Missed observations before a deterioration",
        "A deteriorating patient reviewed late",
    ),
    "sepsis": ("Delayed antibiotics for sepsis", "Sepsis recognised late"),
    "diagnosis": ("An abnormal result not acted on", "A missed fracture"),
    "treatment": ("A complication after treatment", "Care that departed from the agreed plan"),
    "access_transfer_discharge": ("An unsafe discharge", "A delayed transfer between services"),
    "documentation": ("Incomplete records when care changed hands", "A care plan not updated"),
    "communication_consent": (
        "A family not told of a change in care",
        "No interpreter when one was needed",
    ),
    "staffing": ("A shift below safe staffing", "Unfamiliar staff covering a busy shift"),
    "maternity": (
        "Fetal monitoring not reviewed in labour",
        "Delayed escalation in labour",
        "A postpartum haemorrhage",
    ),
    "restrictive_practice": ("Restraint and rapid tranquillisation", "A period of seclusion"),
    "violence_aggression": (
        "An assault on a member of staff",
        "Violence between two people in our care",
    ),
    "safeguarding": ("A safeguarding concern recognised late", "Unexplained bruising"),
    "other": ("An unexpected event during care", "A concern about the care environment"),
}
# A trust's thematic review looks at up to this many of its latest events its plan sent to one.
THEMATIC_EVENTS = 12
THEMATIC_TITLES = {
    "pressure_ulcer": (
        "Pressure ulcers that developed in our care",
        "Heel and sacral pressure damage across the wards",
        "Hospital-acquired pressure ulcers",
        "Pressure damage in people who could not move themselves",
    ),
}
# Safety actions by the event's category (text, owner): each response takes its own.
ACTIONS = {
    "medication": (
        (
            "Protect the medicine round from interruptions with a do-not-disturb tabard.",
            "Ward manager",
        ),
        ("List time-critical medicines on the electronic prescribing screen.", "Chief Pharmacist"),
        ("Move the medicine round away from handover.", "Ward manager"),
        (
            "Pharmacist review of every prescription for a high-risk medicine within a day.",
            "Lead pharmacist",
        ),
    ),
    "device": (
        ("Replace the older infusion pumps so that one model is in use.", "Medical devices lead"),
        ("Add a pre-use check of monitoring equipment to the shift checklist.", "Matron"),
        ("Train every nurse on the pump's alarms before they use it.", "Clinical educator"),
    ),
    "it_system": (
        ("Make the electronic record prompt for results not yet acknowledged.", "Digital lead"),
        ("Refresh the paper fallback pack and test it every quarter.", "Digital lead"),
        ("Report every failed interface message to the service desk daily.", "Head of IT"),
    ),
    "falls": (
        ("Lying and standing blood pressure for everyone at risk of falling.", "Falls lead"),
        ("Falls risk assessment within six hours of admission.", "Matron"),
        ("Bay nursing for people at high risk of falls at night.", "Ward manager"),
        ("Medication review after every fall with harm.", "Lead pharmacist"),
    ),
    "pressure_ulcer": (
        ("Skin checks recorded at every repositioning.", "Tissue viability lead"),
        ("Pressure-relieving mattress ordered on admission for everyone at high risk.", "Matron"),
        ("Tissue viability training for all healthcare assistants.", "Clinical educator"),
        (
            "Heel off-loading boots for everyone who cannot move their legs.",
            "Tissue viability lead",
        ),
        ("Photographs of every pressure ulcer on admission, with consent.", "Ward manager"),
    ),
    "self_harm": (
        (
            "Search on return from leave, with the person's consent and an explanation.",
            "Ward manager",
        ),
        ("Review the ligature risk assessment after every incident.", "Head of Nursing"),
        (
            "Safety plan written with the person before any change in observations.",
            "Consultant psychiatrist",
        ),
    ),
    "infection": (
        ("Isolation decision recorded within two hours of admission.", "Infection prevention lead"),
        ("Weekly hand hygiene audits with results shown on the ward.", "Matron"),
        ("Line care bundle checked at every shift.", "Infection prevention lead"),
    ),
    "deterioration": (
        ("Add a prompt for repeat observations to the electronic record.", "Digital lead"),
        (
            "Escalation card at every bedside for scores of five or more.",
            "Deteriorating patient lead",
        ),
        (
            "Outreach team to review every patient with a rising score within the hour.",
            "Critical care outreach lead",
        ),
        ("Observation rounds moved so they do not fall at handover.", "Ward manager"),
    ),
    "sepsis": (
        ("Sepsis screening on arrival for everyone with a raised score.", "Sepsis lead"),
        ("Antibiotic grab bags on every ward.", "Chief Pharmacist"),
        ("Monthly audit of time to antibiotics shared with every team.", "Sepsis lead"),
    ),
    "diagnosis": (
        (
            "Second reading of every X-ray from the department within a day.",
            "Clinical director, radiology",
        ),
        (
            "Abnormal results to go to a named consultant, not a team inbox.",
            "Medical director's office",
        ),
        ("Safety-netting advice given in writing at every discharge.", "Clinical lead"),
    ),
    "treatment": (
        ("A checklist for every procedure, read aloud before it starts.", "Clinical director"),
        ("Care plan changes confirmed at the daily board round.", "Ward manager"),
        ("Consultant review before any planned treatment is postponed.", "Clinical director"),
    ),
    "access_transfer_discharge": (
        ("Discharge checklist to confirm care is in place before anyone leaves.", "Discharge lead"),
        ("A single transfer form shared with the receiving service.", "Patient flow manager"),
        (
            "Daily call with social care about everyone waiting for a care package.",
            "Discharge lead",
        ),
    ),
    "documentation": (
        ("A structured handover template in the electronic record.", "Digital lead"),
        ("Monthly records audit fed back at team meetings.", "Matron"),
        ("Care plan review after every change in condition.", "Ward manager"),
    ),
    "communication_consent": (
        (
            "Families phoned the same day when care changes, with the person's agreement.",
            "Ward manager",
        ),
        (
            "Interpreters booked at the first appointment and flagged in the record.",
            "Patient experience lead",
        ),
        ("Shared notes between teams for everyone under two services.", "Clinical lead"),
    ),
    "staffing": (
        ("Safe staffing escalation at the daily staffing huddle.", "Deputy Chief Nurse"),
        ("Local induction for every temporary member of staff before their first shift.", "Matron"),
        ("Break cover planned on every shift rota.", "Ward manager"),
    ),
    "maternity": (
        (
            "Fresh eyes review of the fetal heart tracing every hour in labour.",
            "Director of Midwifery",
        ),
        (
            "Escalation to the obstetric registrar within 15 minutes, audited monthly.",
            "Labour ward lead",
        ),
        ("Postpartum haemorrhage drills on every shift pattern.", "Practice development midwife"),
    ),
    "restrictive_practice": (
        ("Debrief with the person and staff after every restraint.", "Ward manager"),
        (
            "Positive behaviour support plan for everyone restrained twice in a month.",
            "Lead psychologist",
        ),
        ("Weekly review of every restrictive practice by the senior team.", "Head of Nursing"),
    ),
    "violence_aggression": (
        ("De-escalation training for every member of staff.", "Clinical educator"),
        ("Personal alarms issued and tested at the start of every shift.", "Security manager"),
        ("Support offered to staff within a day of any assault.", "Health and wellbeing lead"),
    ),
    "safeguarding": (
        ("Body maps completed whenever bruising is found.", "Safeguarding lead"),
        ("Same-day advice from the safeguarding team for every concern.", "Safeguarding lead"),
        ("Safeguarding level 3 training for every registered nurse.", "Clinical educator"),
    ),
    "other": (
        ("Environmental safety walk-round every month.", "Estates manager"),
        ("Review lighting in the bays used at night.", "Estates manager"),
        ("Shared learning bulletin after every review.", "Patient-safety partner"),
    ),
}


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
    taken: dict[str, int] = {}  # actions taken so far, by category
    kinds = [k for k in psirf.LearningResponseType.values if k != "thematic"]
    with transaction.atomic():
        changes = []
        for i, trust in enumerate(trusts):
            thematic = _thematic_review(trust, i, today, taken)
            if thematic is not None:
                responses += 1
                actions += 1
                overdue += thematic.actions.filter(status="open", due_on__lt=today).count()
                changes.append(
                    Change(
                        AuditAction.LEARNING_RESPONSE_CREATED,
                        "learning_response",
                        thematic.reference,
                        trust.path,
                        {"kind": thematic.kind},
                    )
                )
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
            seen: dict[str, int] = {}  # the trust's responses so far, by category
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
                    title=f"{_nth(TITLES[e.category], i + seen.get(e.category, 0))}: {where}, "
                    f"{e.occurred_on.day} {e.occurred_on:%B %Y}",
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
                seen[e.category] = seen.get(e.category, 0) + 1
                factors = rng.choice(len(FINDINGS), size=3, replace=False)
                Finding.objects.bulk_create(
                    [
                        Finding(response=response, factor=f, text=_nth(FINDINGS[f], responses))
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
                own = ACTIONS[e.category]
                chosen_actions = [
                    _next(own, e.category, taken) for _ in range(min(1 + n % 3, len(own)))
                ]
                for a, (text, owner) in enumerate(chosen_actions):
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


def _thematic_review(
    trust: Organisation, i: int, today: dt.date, taken: dict[str, int]
) -> LearningResponse | None:
    """A thematic review of the trust's latest events its plan sent to one (pressure ulcers),
    titled by its theme and the months it covers; none with fewer than two such events."""
    decisions = list(
        TriageDecision.objects.filter(event__organisation=trust, response="thematic")
        .select_related("event")
        .order_by("-event__reported_on", "event_id")[:THEMATIC_EVENTS]
    )
    if len(decisions) < 2:
        return None
    events = [d.event for d in decisions]
    category = events[0].category
    first = min(e.occurred_on for e in events)
    last = max(e.occurred_on for e in events)
    stem = _nth(THEMATIC_TITLES.get(category, (f"{events[0].get_category_display()}",)), i)
    span = (
        f"{first:%B %Y}"
        if (first.year, first.month) == (last.year, last.month)
        else (
            f"{first:%B} to {last:%B %Y}"
            if first.year == last.year
            else f"{first:%B %Y} to {last:%B %Y}"
        )
    )
    started = min(last + dt.timedelta(days=14), today)
    response = LearningResponse.objects.create(
        organisation=trust,
        kind=psirf.LearningResponseType.THEMATIC,
        title=f"{stem}: {len(events)} events, {span}",
        terms_of_reference="Look across these events together for the system factors they "
        "share, and what would reduce them.",
        lead="Tissue viability lead and patient-safety partner",
        status="in_progress",
        started_on=started,
        due_on=started + dt.timedelta(days=120),
    )
    response.events.add(*events)
    factors = list(FINDINGS)
    Finding.objects.bulk_create(
        [
            Finding(response=response, factor=f, text=_nth(FINDINGS[f], i + 1))
            for f in (factors[(i + k) % len(factors)] for k in range(3))
        ]
    )
    text, owner = _next(ACTIONS.get(category, ACTIONS["other"]), category, taken)
    SafetyAction.objects.create(
        response=response,
        organisation=trust,
        description=text,
        owner=owner,
        due_on=started + dt.timedelta(days=60),
        measure_of_effect="Count of such events each month, on a run chart.",
        review_on=started + dt.timedelta(days=150),
        status="open",
    )
    return response


def _nth(options: tuple[T, ...], n: int) -> T:
    """Options taken in turn, so neighbouring responses read differently."""
    return options[n % len(options)]


def _next(options: tuple[T, ...], key: str, taken: dict[str, int]) -> T:
    """The next of a category's options: the same category never gives the same one twice in
    a row."""
    n = taken.get(key, 0)
    taken[key] = n + 1
    return _nth(options, n)
