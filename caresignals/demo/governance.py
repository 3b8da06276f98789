"""The synthetic region's quality governance: escalation decisions, rapid quality reviews
and a quality risk register, made through the same services people use (so audited).

Every date is counted back from the region's last month, so the story moves with it. The
records about planted problems (PLANTS.md) are made only when the plants are: a region built
with `--no-plants` has ordinary governance (one trust stepped up and back down again, and
everyday risks) and nothing that points at a problem its data do not show.
Everything here is invented, like the rest of the region.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from caresignals.audit.services import Actor
from caresignals.core.periods import Month
from caresignals.organisations.models import Organisation, User
from caresignals.signals.governance import services
from caresignals.signals.governance.services import (
    ActionRow,
    AttendeeRow,
    CriterionRow,
    ReviewInput,
)
from caresignals.signals.models import EscalationLevel, Forum, QualityRisk, ReviewAction
from caresignals.signals.watchlist import compute as watchlist
from caresignals.signals.watchlist.types import WatchlistEntry

DECIDER = "icb.quality"


@dataclass(frozen=True)
class RiskSpec:
    title: str
    description: str
    where: str  # an organisation code, or "" for system-wide
    current: tuple[int, int]  # consequence, likelihood
    target: tuple[int, int]
    owner: str
    controls: str
    opened: int  # months before the last month
    review: int  # months after the last month that the next review is due (negative: overdue)
    plant: bool = False


RISKS = (
    RiskSpec(
        "Ambulance handover delays",
        "Handover delays at emergency departments keep crews from answering 999 calls, and "
        "people wait longer for an ambulance in the community.",
        "RA1",
        (4, 4),
        (4, 2),
        "Director of Operations, ambulance service",
        "Cohorting areas at the three busiest departments; daily system call at 10:00.",
        14,
        1,
    ),
    RiskSpec(
        "Mental health out-of-area placements",
        "Adults needing an acute mental health bed are placed far from home, away from family "
        "and local teams.",
        "RM1",
        (3, 4),
        (3, 2),
        "Chief Nurse, mental health trust",
        "Weekly bed management review; crisis house capacity increased.",
        11,
        2,
    ),
    RiskSpec(
        "Registered nurse vacancies in care homes",
        "Nursing homes in the coastal places cannot fill registered nurse posts and rely on "
        "agency staff who do not know the residents.",
        "",
        (3, 4),
        (3, 3),
        "ICB Director of Nursing",
        "Shared recruitment campaign; placement offers for newly qualified nurses.",
        9,
        -1,
    ),
    RiskSpec(
        "Learning from deaths reviews backlog",
        "Structured judgement reviews are not finished within the expected time, so learning "
        "from deaths reaches wards late.",
        "RX3",
        (3, 3),
        (3, 1),
        "Medical Director",
        "Extra reviewer sessions; monthly backlog report to the quality committee.",
        8,
        2,
    ),
    RiskSpec(
        "Sepsis screening compliance",
        "Screening for sepsis within an hour of arrival is below the expected level on the "
        "medical wards.",
        "RX4",
        (4, 3),
        (4, 1),
        "Deputy Chief Nurse",
        "Electronic prompts in the observations system; ward-level audits.",
        7,
        -2,
    ),
    RiskSpec(
        "District nursing caseloads",
        "Caseloads above the safe level in two district nursing teams risk missed visits and "
        "pressure ulcers.",
        "RC1-DN",
        (3, 3),
        (2, 2),
        "Head of Community Nursing",
        "Caseload weighting tool; visits prioritised by clinical need.",
        6,
        3,
    ),
    RiskSpec(
        "Patient-safety event reporting system change",
        "The move to the national event service may interrupt reporting for a few weeks.",
        "",
        (2, 3),
        (2, 1),
        "ICB Patient Safety Specialist",
        "Phased change; paper fallback; daily checks of reporting volumes.",
        5,
        1,
    ),
    RiskSpec(
        "Children's ward winter pressure",
        "Respiratory illness in winter may exceed the children's ward's beds and staffing.",
        "RX8-PAED",
        (3, 2),
        (3, 1),
        "Divisional Director, Children's Services",
        "Surge plan with the neighbouring trust; paediatric nurse bank.",
        2,
        4,
    ),
    RiskSpec(
        "Medicines reconciliation on discharge",
        "Medicines are not always reconciled before discharge to care homes.",
        "RX6",
        (3, 3),
        (3, 2),
        "Chief Pharmacist",
        "",
        0,
        3,
    ),
    RiskSpec(
        "Data quality of Friends and Family Test returns",
        "Several services submit FFT returns late or incomplete, weakening the experience "
        "measures the System Quality Group reads.",
        "",
        (2, 4),
        (2, 2),
        "ICB Head of Quality Intelligence",
        "Monthly completeness report; named leads at each trust.",
        0,
        2,
    ),
    # The planted problems: risks the ICB would hold once the signals were seen.
    RiskSpec(
        "Maternity harm rising while reporting falls",
        "Moderate-or-worse harm in the maternity unit has risen while incident reporting has "
        "fallen: possible under-reporting with rising harm.",
        "RX1-MAT",
        (5, 4),
        (5, 1),
        "Director of Midwifery",
        "Weekly review of all moderate-harm incidents; external midwifery support; staffing "
        "escalation at every shift.",
        8,
        -1,
        plant=True,
    ),
    RiskSpec(
        "Closed culture on Hollin Ward",
        "Rising restraint and seclusion, few complaints, restricted visiting and high agency "
        "use on a learning disability and autism ward: markers of a closed culture.",
        "IL1-W1",
        (5, 4),
        (5, 2),
        "ICB Head of Learning Disability and Autism",
        "Unannounced visits; advocacy on the ward weekly; daily restrictive practice review.",
        9,
        1,
        plant=True,
    ),
    RiskSpec(
        "Falls with harm at Larchfield House",
        "A cluster of falls with harm among residents.",
        "CH041",
        (4, 3),
        (4, 1),
        "Registered Manager, Larchfield House",
        "Falls risk assessments reviewed; sensor mats; GP medication reviews.",
        4,
        -1,
        plant=True,
    ),
    RiskSpec(
        "Emergency department incident reporting has stopped",
        "The emergency department has reported almost no incidents for months: the silence "
        "itself is the risk.",
        "RX7-ED",
        (4, 3),
        (4, 1),
        "Chief Nurse",
        "Reporting champions on each shift; the ICB patient safety team visiting.",
        2,
        2,
        plant=True,
    ),
    RiskSpec(
        "Negative experience on the medical wards",
        "Friends and Family Test negative responses are climbing on the medical wards.",
        "RX2-MED",
        (3, 4),
        (3, 2),
        "Head of Patient Experience",
        "",
        0,
        2,
        plant=True,
    ),
)


def _day(month: dt.date, day: int) -> dt.date:
    return month.replace(day=day)


def _signals_for(entries: list[WatchlistEntry], code: str, period: str) -> list[dict[str, str]]:
    """What the watchlist says about `code` (a provider or a service), kept as data."""
    found = []
    for e in entries:
        if code not in (e.org_code, e.service_code):
            continue
        for s in e.signals:
            found.append(
                {
                    "kind": s.kind,
                    "period": period,
                    "org_code": e.org_code,
                    "service_code": e.service_code or "",
                    "detail": s.detail,
                }
            )
    return found


def build_governance(*, last_period: str, plants: bool, seed: int = 2026) -> dict[str, int]:
    """Make the region's governance records. Returns how many of each were made."""
    rng = random.Random(f"{seed}-governance")
    last = Month.parse(last_period)
    actor = Actor(user=User.objects.get(username=DECIDER))
    orgs = Organisation.objects.in_bulk(field_name="code")
    ics = next(o for o in orgs.values() if o.kind == "ics")
    made = {"changes": 0, "reviews": 0, "risks": 0}

    def m(n: int) -> dt.date:
        return (last - n).first_day

    # Ordinary governance: a trust stepped up after a poor inspection and back down again.
    rx4 = orgs["RX4"]
    services.change_level(
        actor,
        rx4,
        to_level=EscalationLevel.ENHANCED,
        rationale="The regulator's inspection found medicines management and sepsis screening "
        "below the expected standard; the trust agreed an improvement plan.",
        decided_on=_day(m(20), 12),
        forum=Forum.SYSTEM_QUALITY_GROUP,
        expected_version=0,
    )
    services.change_level(
        actor,
        rx4,
        to_level=EscalationLevel.ROUTINE,
        rationale="The improvement plan's exit criteria were met: sepsis screening above 90% "
        "for six months and a clean re-inspection of medicines storage.",
        decided_on=_day(m(9), 9),
        forum=Forum.SYSTEM_QUALITY_GROUP,
        expected_version=1,
    )
    made["changes"] += 2

    actions: dict[str, list[ReviewAction]] = {}
    if plants:
        il1 = orgs["IL1"]
        review = services.record_review(
            actor,
            il1,
            ReviewInput(
                held_on=_day(m(9), 21),
                concern="Restraint and seclusion on Hollin Ward have risen sharply since the "
                "autumn; families report visits being cut short; almost no complaints or "
                "speak-up cases; agency staff cover most night shifts.",
                decision=EscalationLevel.ENHANCED,
                decision_note="Several closed-culture warning signs at once. Enhanced "
                "surveillance with unannounced visits and weekly restrictive-practice data.",
                attendees=(
                    AttendeeRow("Helen Armstrong", "ICB quality lead", "North Fells and Coast ICB"),
                    AttendeeRow(
                        "Ruth Calloway", "Head of LD and autism", "North Fells and Coast ICB"
                    ),
                    AttendeeRow("Imran Shah", "Registered Manager", "Hollin Grange Hospital"),
                    AttendeeRow("Joanne Pike", "Inspector", "Care Quality Commission"),
                    AttendeeRow("Mark Ellison", "Commissioner", "NHS England specialised"),
                ),
                actions=(
                    ActionRow(
                        "Unannounced evening visit by the ICB quality team",
                        "Ruth Calloway",
                        _day(m(8), 15),
                        "done",
                    ),
                    ActionRow(
                        "Weekly restraint, seclusion and segregation data to the ICB",
                        "Imran Shah",
                        _day(m(8), 1),
                        "done",
                    ),
                    ActionRow(
                        "Independent advocate on the ward every week",
                        "Imran Shah",
                        _day(m(1), 28),
                    ),
                    ActionRow(
                        "Care and treatment reviews for every patient placed out of area",
                        "Mark Ellison",
                        _day((last + 2).first_day, 28),
                    ),
                ),
                criteria=(
                    CriterionRow("Restraint back within its usual range for three months"),
                    CriterionRow("Families report open visiting, checked by advocates"),
                    CriterionRow("Permanent ward manager in post", True),
                ),
            ),
            expected_version=0,
        )
        actions["IL1"] = list(review.actions.all())
        rx1 = orgs["RX1"]
        review = services.record_review(
            actor,
            rx1,
            ReviewInput(
                held_on=_day(m(4), 14),
                concern="Maternity: moderate-or-worse harm has risen since January while "
                "incident reporting has fallen; two severe harm cases referred to MNSI.",
                decision=EscalationLevel.ENHANCED,
                decision_note="Rising harm with falling reporting is the pattern of a unit in "
                "trouble. Enhanced surveillance while the trust's maternity review reports.",
                attendees=(
                    AttendeeRow("Helen Armstrong", "ICB quality lead", "North Fells and Coast ICB"),
                    AttendeeRow("Alison Greer", "Director of Midwifery", "Tynemouth Reach"),
                    AttendeeRow("Peter Oduya", "Local maternity and neonatal system lead", "LMNS"),
                ),
                actions=(
                    ActionRow(
                        "Review every moderate-or-worse harm maternity incident since January",
                        "Alison Greer",
                        _day(m(2), 30),
                    ),
                    ActionRow(
                        "Midwifery staffing and escalation audit, all shifts for four weeks",
                        "Alison Greer",
                        _day((last + 1).first_day, 15),
                    ),
                    ActionRow(
                        "Listening events with women and families",
                        "Peter Oduya",
                        _day(m(1), 20),
                        "done",
                    ),
                ),
                criteria=(
                    CriterionRow("Moderate-or-worse harm within its usual limits for six months"),
                    CriterionRow("Incident reporting back to its earlier level"),
                ),
            ),
            expected_version=0,
        )
        actions["RX1"] = list(review.actions.all())
        made["reviews"] += 2
        made["changes"] += 2

    entries = watchlist.compute_watchlist(last_period)
    for spec in RISKS:
        if spec.plant and not plants:
            continue
        where = orgs[spec.where] if spec.where else ics
        provider_code = spec.where.split("-")[0] if spec.where else ""
        opened = _day(m(spec.opened), 1 + rng.randrange(27))
        review_on = _day((last + spec.review).first_day, 1 + rng.randrange(27))
        risk: QualityRisk = services.create_risk(
            actor,
            services.RiskInput(
                title=spec.title,
                description=spec.description,
                organisation=where,
                consequence=spec.current[0],
                likelihood=spec.current[1],
                target_consequence=spec.target[0],
                target_likelihood=spec.target[1],
                owner=spec.owner,
                controls=spec.controls,
                review_on=review_on,
                linked_signals=_signals_for(entries, spec.where, last_period) if spec.where else [],
                linked_action_ids=[a.pk for a in actions.get(provider_code, [])[:2]],
            ),
            opened_on=opened,
        )
        made["risks"] += 1
        if spec.opened >= 3:  # older risks have been reviewed at least once
            reviewed_on = _day(m(max(spec.opened - 2, 1)), 10)
            services.review_risk(
                actor,
                risk,
                reviewed_on=reviewed_on,
                note="Controls checked with the owner; the score stands.",
                consequence=spec.current[0],
                likelihood=spec.current[1],
                next_review_on=(
                    review_on if review_on > reviewed_on else Month.of(reviewed_on).next.first_day
                ),
                expected_version=risk.version,
            )
    return made
