"""The synthetic region's soft intelligence, national patient safety alerts and one System
Quality Group meeting's logs, made through the same services people use (so audited).

Small and fast: a handful of records. Dates are counted back from the region's last month so
the story moves with it. The intelligence that points at a planted problem (PLANTS.md: the
maternity unit at RX1 and the learning-disability ward at IL1) is made only with the plants;
without them the log holds only ordinary items, none graded both high severity and credible.
Everything here is invented, like the rest of the region.
"""

from __future__ import annotations

import datetime as dt

from caresignals.audit.services import Actor
from caresignals.core.periods import Month
from caresignals.intelligence import services
from caresignals.intelligence.models import SafetyAlert
from caresignals.organisations.models import Organisation, User

DECIDER = "icb.quality"
SAFETY_LEAD = "safety.lead"  # at RX1
PROVIDERS = Actor(label="synthetic region generator, for each provider's safety team")


def _day(month: Month, day: int) -> dt.date:
    return month.first_day.replace(day=min(day, month.last_day.day))


def build_intelligence(*, last_period: str, plants: bool) -> dict[str, int]:
    """Make the records. Returns how many of each were made."""
    last = Month.parse(last_period)
    end = last.last_day
    icb = Actor(user=User.objects.get(username=DECIDER))
    orgs = Organisation.objects.in_bulk(field_name="code")
    ics = next(o for o in orgs.values() if o.kind == "ics")
    made = {"intelligence": 0, "alerts": 0, "responses": 0, "log_lines": 0}

    def log(code: str, months_back: int, day: int, **kw: object) -> None:
        if code not in orgs:
            return
        received = _day(last - months_back, day)
        services.log_intelligence(
            icb,
            services.IntelligenceInput(organisation=orgs[code], received_on=received, **kw),  # type: ignore[arg-type]
            today=end,
        )
        made["intelligence"] += 1

    # Ordinary intelligence, in any region.
    log(
        "RA1",
        2,
        8,
        source="mp",
        source_detail="Letter from a constituency MP",
        credibility="credible",
        severity="medium",
        summary="Constituents describe waits of over an hour for an ambulance after falls at "
        "home in the rural west of the area; the MP asks what the system is doing.",
        shared_with_provider=True,
    )
    log(
        "RX4",
        4,
        20,
        source="media",
        source_detail="Local newspaper",
        credibility="doubtful",
        severity="low",
        summary="A story about car parking charges for staff at night; no patient care is "
        "described.",
    )
    log(
        "RX5",
        1,
        14,
        source="commissioner",
        credibility="unverified",
        severity="medium",
        summary="Community nursing referrals are said to be waiting longer for a first visit "
        "since the new rota; the trust's own figures have not been seen yet.",
    )
    if plants:
        log(
            "RX1-MAT",
            2,
            3,
            source="healthwatch",
            source_detail="Healthwatch, enter and view visit report",
            credibility="corroborated",
            severity="high",
            summary="Women and families describe long waits for review in triage and for pain "
            "relief on the labour ward at night, and staff saying they are too busy to "
            "report; two families mention a baby transferred to neonatal care after a delay.",
        )
        log(
            "IL1-W1",
            1,
            22,
            source="staff",
            source_detail="An agency nurse, by telephone (asked not to be named)",
            credibility="credible",
            severity="high",
            summary="Patients are secluded for long periods on nights, visitors are turned "
            "away at short notice, and concerns raised on the ward are not written down.",
        )
    if orgs.get("RX4") is not None:
        closed = orgs["RX4"].soft_intelligence.filter(source="media").first()
        if closed is not None:
            services.update_intelligence(
                icb,
                closed,
                credibility="doubtful",
                severity="low",
                shared_with_provider=False,
                status="closed",
                outcome="No patient-safety concern; noted only.",
                today=end,
            )

    # Two national patient safety alerts with mixed compliance among the acute trusts.
    acute = sorted(c for c, o in orgs.items() if o.kind == "provider" and o.type == "acute_trust")
    if not acute or SafetyAlert.objects.exists():
        return made
    first = services.add_alert(
        icb,
        ics,
        reference=f"NatPSA/{(last - 5).year}/001/NHSPS",
        title="Checking nasogastric tube position before every feed (synthetic)",
        issued_on=_day(last - 5, 12),
        deadline=_day(last - 1, 12),
        provider_types=["acute_trust"],
        actions=[
            "Name an executive lead for the alert's actions.",
            "Replace local guidance with the national checking procedure.",
            "Audit that position is checked and recorded before every feed.",
        ],
    )
    second = services.add_alert(
        icb,
        ics,
        reference=f"NatPSA/{last.year}/002/NHSPS",
        title="Safer storage of concentrated potassium (synthetic)",
        issued_on=_day(last, 2),
        deadline=_day(last + 3, 2),
        provider_types=["acute_trust", "mental_health_trust"],
        actions=[
            "Remove concentrated potassium from ward stock except where a risk assessment "
            "allows it.",
            "Check every cupboard that holds it and record the check.",
        ],
    )
    made["alerts"] = 2
    lead = User.objects.filter(username=SAFETY_LEAD).first()
    done_by = _day(last - 1, 5)
    # Most trusts finished the first alert by its deadline; the last two did not.
    for i, code in enumerate(acute):
        actor = Actor(user=lead) if code == "RX1" and lead is not None else PROVIDERS
        late = i >= len(acute) - 2
        if late and i == len(acute) - 1:
            continue  # not started
        statuses = ["completed", "in_progress", "not_started"] if late else ["completed"] * 3
        if not late and i % 3 == 1:
            statuses[2] = "not_applicable"
        rows = [
            services.ResponseInput(
                action,
                status,
                evidence="Board paper and ward audit results"
                if status == "completed"
                else ("Work started with the nutrition team" if status == "in_progress" else ""),
                reason="No adult wards use nasogastric feeding here"
                if status == "not_applicable"
                else "",
            )
            for action, status in zip(first.actions.all(), statuses, strict=True)
        ]
        services.record_responses(actor, orgs[code], rows, today=done_by)
        made["responses"] += len(rows)
    # The second alert is new: a few trusts have started.
    for code in acute[:3]:
        actor = Actor(user=lead) if code == "RX1" and lead is not None else PROVIDERS
        rows = [
            services.ResponseInput(second.actions.get(number=1), "in_progress"),
            services.ResponseInput(second.actions.get(number=2), "not_started"),
        ]
        services.record_responses(actor, orgs[code], rows, today=_day(last, 20))
        made["responses"] += 2

    # One System Quality Group meeting with its logs.
    meeting = services.add_meeting(icb, ics, _day(last, 15))
    if plants and "RX1-MAT" in orgs:
        services.add_surveillance(
            icb,
            meeting,
            orgs["RX1-MAT"],
            concern="Harm rising in maternity while reporting falls; Healthwatch describes "
            "waits at night.",
            source="Watchlist and Healthwatch",
            decision="Enhanced surveillance; rapid quality review to be arranged.",
            owner="ICB deputy chief nurse",
            review_on=_day(last + 1, 12),
        )
        made["log_lines"] += 1
    late_code = acute[-1]
    services.add_surveillance(
        icb,
        meeting,
        orgs[late_code],
        concern=f"{first.reference} not implemented by its deadline.",
        source="Safety alert tracking",
        decision="Ask the trust's chief nurse for a date; review at the next meeting.",
        owner="ICB patient safety specialist",
        review_on=_day(last + 1, 12),
    )
    services.add_action(
        icb,
        meeting,
        orgs[late_code],
        action=f"Write to the trust about {first.reference} and agree a completion date.",
        owner="ICB patient safety specialist",
        due_on=_day(last, 29),
    )
    services.add_action(
        icb,
        meeting,
        ics,
        action="Bring the ambulance waits raised by the MP to the urgent care board.",
        owner="ICB director of nursing",
        due_on=_day(last + 1, 10),
        status="in_progress",
    )
    made["log_lines"] += 3
    return made
