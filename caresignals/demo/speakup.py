"""Synthetic Freedom to Speak Up cases for the demo region.

Every provider gets cases each month at a plausible rate for its kind and size (large acute
trusts several a month, GP practices and care homes a few a year), about one in eight raised
anonymously, with the NGO's categories and professional groups, replies from the guardian on
anonymous cases, and older cases closed with an outcome, detriment and feedback recorded.

The planted closed culture at Hollin Grange (`IL1`, PLANTS.md "ld_closed_culture") shows as
*silence*: with plants on, no cases at IL1 from the plant's onset month (2025-10 by default).
Each provider draws from its own random stream, so plants change nothing else, and IL1's
months before the onset are identical with and without plants.

One anonymous case at RM1 (where the demo guardian works) has a published reference and
access code, so the reporter's side can be tried: DEMO_REFERENCE and DEMO_CODE.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

import numpy as np

from caresignals.core.periods import Month
from caresignals.demo import generator, starter
from caresignals.organisations.models import Organisation
from caresignals.speakup import codes
from caresignals.speakup.models import CATEGORY_FIELDS, SpeakUpCase, SpeakUpMessage
from caresignals.speakup.vocabulary import PROFESSIONAL_GROUPS

DEMO_REFERENCE = "FTSU-DEM0RM10"
DEMO_CODE = "DEM0-C0DE-SYNT-HET1-C000-0000-0001"
SILENT_PROVIDER = "IL1"
SILENT_PLANT = "ld_closed_culture"

# Mean cases a month by provider type; acute trusts scale with their place's population.
MONTHLY_RATE = {
    "acute_trust": 5.0,
    "mental_health_trust": 4.0,
    "community_trust": 3.0,
    "ambulance_trust": 4.0,
    "ld_autism_inpatient": 2.0,  # a well-used guardian before the culture closed (PLANTS.md)
    "hospice": 0.3,
    "gp_practice": 0.08,
    "care_home": 0.1,
    "independent": 0.5,
}
ANONYMOUS_SHARE = 0.12
CONFIDENTIAL_SHARE = 0.45
CATEGORY_CHANCE = {
    "patient_safety": 0.2,
    "worker_safety": 0.3,
    "bullying_harassment": 0.22,
    "inappropriate_behaviour": 0.35,
    "detriment": 0.04,
}
GROUP_WEIGHTS = {
    "registered_nurses_midwives": 26,
    "medical_dental": 8,
    "allied_health_professionals": 8,
    "healthcare_assistants": 10,
    "additional_clinical_services": 8,
    "scientific_technical": 3,
    "administrative_clerical": 13,
    "corporate_services": 4,
    "estates_ancillary": 4,
    "students": 2,
    "other": 4,
    "not_known": 10,
}
CONCERNS = {
    "patient_safety": "Synthetic: patients on the ward wait too long for pain relief at night "
    "because only one nurse can give controlled drugs.",
    "worker_safety": "Synthetic: we are routinely kept beyond the end of our shift with no "
    "break, and people are exhausted.",
    "bullying_harassment": "Synthetic: a senior colleague shouts at junior staff in front of "
    "patients and nobody intervenes.",
    "inappropriate_behaviour": "Synthetic: comments are made about colleagues' accents in the "
    "staff room and it has become normal.",
    "detriment": "Synthetic: since I raised a concern last month I have been left off the "
    "training rota.",
}
GENERAL_CONCERN = "Synthetic: I am worried about how decisions on staffing are made here."
REPLIES = (
    "Synthetic: thank you for speaking up. Can you tell me roughly when this happens?",
    "Synthetic: I have raised this with the service manager without naming you.",
    "Synthetic: the rota has been reviewed; please tell me if things do not improve.",
)
ANSWERS = (
    "Synthetic: mostly on weekend nights.",
    "Synthetic: thank you, it has got a little better.",
)


@dataclass
class CaseSpec:
    """One synthetic case, before it is stored."""

    reference: str
    org_code: str
    route: str
    raised_on: dt.date
    categories: list[str]
    professional_group: str
    closed_on: dt.date | None
    suffered_detriment: str = ""
    feedback: str = ""
    outcome: str = ""
    messages: list[tuple[str, str, dt.date]] = field(default_factory=list)


def _rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(b"speakup"), zlib.crc32(key.encode())])


def _months(last_period: str, months: int) -> list[dt.date]:
    return [m.first_day for m in Month.parse(last_period).window(months)]


def _reference(rng: np.random.Generator) -> str:
    digits = rng.integers(0, 32, size=codes.REFERENCE_LENGTH)
    return codes.REFERENCE_PREFIX + "".join(codes.ALPHABET[d] for d in digits)


def generate_cases(
    providers: list[tuple[str, str, float]],
    *,
    seed: int = 2026,
    plants: bool = True,
    last_period: str = "2026-10",
    months: int = 36,
) -> list[CaseSpec]:
    """Cases for providers given as (code, type, size factor), deterministic by seed."""
    periods = _months(last_period, months)
    end = periods[-1].replace(day=28) + dt.timedelta(days=4)
    end = end - dt.timedelta(days=end.day)  # the last day of the last month
    silent_from = None
    if plants:
        spec = next(s for s in generator.PLANT_SPECS if s.id == SILENT_PLANT)
        silent_from = periods[months - 1 - spec.months_before_last]
    groups = [g for g, _ in PROFESSIONAL_GROUPS]
    weights = np.array([GROUP_WEIGHTS[g] for g in groups], dtype=float)
    weights /= weights.sum()
    out: list[CaseSpec] = []
    seen: set[str] = set()
    for code, ptype, size in providers:
        rng = _rng(seed, code)
        rate = MONTHLY_RATE.get(ptype, 0.1) * size
        counts = rng.poisson(rate, size=months)
        for month, n in zip(periods, counts, strict=True):
            days = Month.of(month).last_day.day
            for _ in range(int(n)):
                # Every draw happens whether or not the case is kept, so silencing IL1 later
                # leaves its earlier cases exactly as they were.
                raised_on = month + dt.timedelta(days=int(rng.integers(0, days)))
                u = rng.random()
                route = (
                    "anonymous"
                    if u < ANONYMOUS_SHARE
                    else "confidential"
                    if u < ANONYMOUS_SHARE + CONFIDENTIAL_SHARE
                    else "open"
                )
                chosen = [c for c in CATEGORY_FIELDS if rng.random() < CATEGORY_CHANCE[c]]
                group = (
                    groups[int(rng.choice(len(groups), p=weights))] if rng.random() < 0.85 else ""
                )
                close_after = int(rng.integers(10, 120))
                detriment_u, feedback_u, given_u = rng.random(3)
                reference = _reference(rng)
                if code == SILENT_PROVIDER and silent_from is not None and month >= silent_from:
                    continue
                if reference in seen:  # 40 random bits: a clash is rare, but keep keys unique
                    continue
                seen.add(reference)
                closed_on = raised_on + dt.timedelta(days=close_after)
                case = CaseSpec(
                    reference=reference,
                    org_code=code,
                    route=route,
                    raised_on=raised_on,
                    categories=chosen or ["inappropriate_behaviour"],
                    professional_group=group,
                    closed_on=closed_on if closed_on <= end else None,
                )
                if case.closed_on is not None:
                    case.suffered_detriment = (
                        "yes" if detriment_u < 0.03 else "no" if detriment_u < 0.8 else "not_known"
                    )
                    if given_u < 0.5:
                        case.feedback = (
                            "yes"
                            if feedback_u < 0.7
                            else "maybe"
                            if feedback_u < 0.85
                            else "no"
                            if feedback_u < 0.93
                            else "dont_know"
                        )
                    case.outcome = "Synthetic: discussed with the manager; actions agreed."
                if route == "anonymous":
                    step = max(1, min(close_after, (end - raised_on).days) // 4)
                    for i in range(1 + int(rng.integers(0, 3))):
                        day = raised_on + dt.timedelta(days=step * (i + 1))
                        if day > end:
                            break
                        case.messages.append(("guardian", REPLIES[i % len(REPLIES)], day))
                        if i < len(ANSWERS):
                            case.messages.append(("reporter", ANSWERS[i], day))
                out.append(case)
    return out


def _providers() -> list[tuple[str, str, float]]:
    rows = (
        Organisation.objects.filter(kind="provider")
        .order_by("code")
        .values_list("code", "type", "parent__code")
    )
    population = {p.code: p.population for p in starter.PLACES}
    mean = float(np.mean(list(population.values())))
    out = []
    for code, ptype, place in rows:
        size = population.get(place, mean) / mean if ptype == "acute_trust" else 1.0
        out.append((code, ptype, round(float(size), 3)))
    return out


def build_speakup(
    *, seed: int = 2026, plants: bool = True, periods: tuple[str, str] = ("2023-11", "2026-10")
) -> int:
    """Store the synthetic cases for the months `periods` (first, last; YYYY-MM), and the demo
    case with the published code; returns how many."""
    first, last_period = periods
    months = Month.parse(last_period) - Month.parse(first) + 1
    specs = generate_cases(
        _providers(), seed=seed, plants=plants, last_period=last_period, months=months
    )
    orgs = {o.code: o for o in Organisation.objects.filter(kind="provider")}
    demo = CaseSpec(
        reference=DEMO_REFERENCE,
        org_code="RM1",
        route="anonymous",
        raised_on=_months(last_period, 1)[0] + dt.timedelta(days=3),
        categories=["patient_safety", "worker_safety"],
        professional_group="registered_nurses_midwives",
        closed_on=None,
        messages=[("guardian", REPLIES[0], _months(last_period, 1)[0] + dt.timedelta(days=5))],
    )
    specs = [s for s in specs if s.reference != DEMO_REFERENCE] + [demo]
    cases = []
    for s in specs:
        code = DEMO_CODE if s is demo else codes.new_access_code()
        cases.append(
            SpeakUpCase(
                reference=s.reference,
                organisation=orgs[s.org_code],
                route=s.route,
                concern=CONCERNS.get(s.categories[0], GENERAL_CONCERN),
                raised_on=s.raised_on,
                professional_group=s.professional_group,
                status="closed" if s.closed_on else "open",
                closed_on=s.closed_on,
                outcome=s.outcome,
                suffered_detriment=s.suffered_detriment,
                feedback_speak_up_again=s.feedback,
                access_code_hash=codes.hash_code(code),
                **{c: c in s.categories for c in CATEGORY_FIELDS},
            )
        )
    SpeakUpCase.objects.bulk_create(cases, batch_size=1000, ignore_conflicts=False)
    by_reference = dict(SpeakUpCase.objects.values_list("reference", "pk"))
    SpeakUpMessage.objects.bulk_create(
        [
            SpeakUpMessage(
                case_id=by_reference[s.reference],
                sequence=i,
                author=author,
                text=text,
                sent_on=day,
            )
            for s in specs
            for i, (author, text, day) in enumerate(s.messages, start=1)
        ],
        batch_size=2000,
    )
    return len(cases)
