"""Synthetic Duty of Candour steps and referral task progress for the demo region.

Runs after the events are imported (the importer has raised the referral tasks already) and
before the governance records, so a risk's linked watchlist signal counts the notifications
the candour list shows. Each provider keeps its steps here from a "candour tracked from" date
(`set_tracked_from`, before the events are imported); its events file says so from then on
(`with_candour_data`: `candour_not_notifiable` false), so those events are on the clock, while
its imported history before that carries no candour data and is "not known".
From that date most notifiable events were told in person with an apology within 10 working
days, some late, a few declined or could not be contacted after attempts, and a few from the
region's last months are still open, every one of them already overdue at the end of the last
month (so the watchlist's month and the list read on a later day count the same ones); some
moderate psychological harm is flagged notifiable by hand. Referral tasks are mostly referred,
some not needed, the newest still to do. Deterministic by seed and written in bulk: about half
a second at the small scale.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection
from django.db.models import F, Q

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record_many
from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.organisations.models import Organisation
from caresignals.organisations.services import set_candour_tracked_from
from caresignals.safety.candour import notifiable as candour
from caresignals.safety.events import rules
from caresignals.safety.models import (
    CandourRecord,
    ContactAttempt,
    PatientSafetyEvent,
    ReferralStatus,
    ReferralTask,
)

BATCH = 2000
NOTIFIERS = (
    "Consultant on duty",
    "Ward manager",
    "Named midwife",
    "Clinical lead",
    "Matron",
    "Patient-safety specialist",
)
NOT_NEEDED_REASONS = (
    "Already referred by another organisation involved in the person's care.",
    "On review the criteria are not met: the person did not have a learning disability.",
    "The local authority was already aware and leading the enquiry.",
)
RECEIVERS = {
    "leder_referral": "LDR",
    "child_death_review": "CDOP",
    "maternity_referral": "MNSI",
    "safeguarding_referral": "SG",
    "mh_homicide_review": "RIIT",
}


def _working_days_later(start: dt.date, n: int) -> dt.date:
    return rules.add_working_days(start, int(n))


#: Months before the region's last month from which providers keep candour here (by seed).
TRACKED_FROM_MONTHS = (6, 9, 12, 18)


def set_tracked_from(*, seed: int, last_period: str, actor: Actor) -> dict[str, dt.date]:
    """Give every provider a "candour tracked from" date, through the service people use:
    the first day of a month 6 to 18 months before `last_period`."""
    rng = np.random.default_rng(seed + 21)
    last = Month.parse(last_period)
    dates = {}
    for provider in Organisation.objects.filter(kind="provider").order_by("code"):
        back = TRACKED_FROM_MONTHS[int(rng.integers(0, len(TRACKED_FROM_MONTHS)))]
        day = (last - back).first_day
        set_candour_tracked_from(provider, day, actor)
        dates[provider.code] = day
    return dates


def with_candour_data(events: pa.Table, tracked_from: dict[str, dt.date]) -> pa.Table:
    """The events file as each provider's local system sends it once it keeps its candour
    steps here: from its tracked-from date every row states `candour_not_notifiable` false
    (the record is held, nothing decided), so those events are on the clock; rows before it
    carry no candour data and stay "not known"."""
    day = pc.cast(events.column("reported_on"), pa.date32())
    codes = events.column("org_code")
    since = pa.array([tracked_from.get(c) for c in codes.to_pylist()], pa.date32())
    held = pc.fill_null(pc.greater_equal(day, since), False)
    column = pc.if_else(held, "false", "")
    return events.append_column("candour_not_notifiable", column)


def build_candour(
    *, seed: int, actor: Actor, today: dt.date | None = None, until: dt.date | None = None
) -> dict[str, int]:
    """Candour records, contact attempts and referral progress; returns what was written.

    Events reported before their provider's tracked-from date get no steps here. Still open
    are a few reported in the 90 days to `until` (the last day of the region's data; today
    if not given) and, when `until` is given, overdue by its end: later ones are told.
    """
    today = today or clock.today()
    if until is None:
        open_from, open_until = today - dt.timedelta(days=90), today
    else:
        open_from = until - dt.timedelta(days=90)
        open_until = candour.overdue_reported_before(until + dt.timedelta(days=1))
    rng = np.random.default_rng(seed + 20)

    # A quarter of the "for a person to decide" events are decided notifiable by hand.
    tracked = Q(organisation__candour_tracked_from__isnull=True) | Q(
        reported_on__gte=F("organisation__candour_tracked_from")
    )
    undecided = list(
        PatientSafetyEvent.objects.filter(tracked, psychological_harm="moderate")
        .exclude(candour.automatic_q())
        .order_by("id")
        .values_list("id", "reported_on")
    )
    flag = rng.random(len(undecided)) < 0.25
    hand = [pair for pair, f in zip(undecided, flag, strict=True) if f]
    hand_ids = {pk for pk, _ in hand}
    automatic = PatientSafetyEvent.objects.filter(tracked, candour.automatic_q()).values_list(
        "id", "reported_on"
    )
    events = sorted([*automatic, *hand])
    n = len(events)
    fate = rng.random(n)
    delay = np.where(rng.random(n) < 0.8, rng.integers(1, 11, n), rng.integers(11, 26, n))
    written_after = rng.integers(1, 8, n)
    results_after = rng.integers(40, 120, n)
    notifier = rng.integers(0, len(NOTIFIERS), n)
    records: list[CandourRecord] = []
    attempts_for: list[tuple[int, dt.date]] = []  # (index into records, reported_on)
    for i, (pk, reported) in enumerate(events):
        record = CandourRecord(
            event_id=pk,
            hand_flagged=pk in hand_ids,
            hand_flag_reason="Distress reported for more than 28 days." if pk in hand_ids else "",
        )
        told = _working_days_later(reported, delay[i])
        if fate[i] < 0.86 and told <= today:  # told in person, with an apology
            record.notified_in_person_on = told
            record.notified_by = NOTIFIERS[notifier[i]]
            record.apology_given = True
            written = _working_days_later(told, written_after[i])
            if written <= today:
                record.written_notification_on = written
                results = written + dt.timedelta(days=int(results_after[i]))
                if results <= today and fate[i] < 0.6:
                    record.results_shared_on = results
        elif fate[i] < 0.91:
            record.contact_outcome = "declined"
            record.contact_outcome_on = min(_working_days_later(reported, 3), today)
        elif fate[i] < 0.95:
            record.contact_outcome = "not_contactable"
            record.contact_outcome_on = min(_working_days_later(reported, 9), today)
            attempts_for.append((len(records), reported))
        elif not open_from <= reported <= open_until:
            # Outside the last months (or too late in them to be overdue): told, late.
            record.notified_in_person_on = min(_working_days_later(reported, 12 + delay[i]), today)
            record.notified_by = NOTIFIERS[notifier[i]]
            record.apology_given = True
        # else: recent and nothing recorded yet, so open (overdue once ten working days pass)
        records.append(record)
    CandourRecord.objects.bulk_create(records, batch_size=BATCH)  # sets each pk (RETURNING)
    attempts = []
    for index, reported in attempts_for:
        candour_id = records[index].pk
        assert candour_id is not None
        for k, (method, outcome) in enumerate(
            (("phone", "No answer"), ("letter", "No reply to the letter"))
        ):
            attempts.append(
                ContactAttempt(
                    candour_id=candour_id,
                    attempted_on=min(_working_days_later(reported, 2 + 3 * k), today),
                    method=method,
                    outcome=outcome,
                )
            )
    ContactAttempt.objects.bulk_create(attempts, batch_size=BATCH)

    # Referral tasks: older ones mostly referred, some not needed; the last month still to do.
    tasks = list(
        ReferralTask.objects.order_by("id").values_list("id", "kind", "event__reported_on")
    )
    draw = rng.random(len(tasks))
    lag = rng.integers(1, 15, len(tasks))
    reasons = rng.integers(0, len(NOT_NEEDED_REASONS), len(tasks))
    referred: list[tuple[str, dt.date, str, int]] = []
    not_needed: list[tuple[str, str, int]] = []
    recent = today - dt.timedelta(days=30)
    for i, (pk, kind, reported) in enumerate(tasks):
        if reported >= recent or draw[i] >= 0.9:
            continue
        if draw[i] < 0.75:
            on = min(reported + dt.timedelta(days=int(lag[i])), today)
            reference = f"{RECEIVERS[kind]}-{on:%Y}-{pk:05d}"
            referred.append((ReferralStatus.REFERRED.value, on, reference, pk))
        else:
            reason = NOT_NEEDED_REASONS[reasons[i]]
            not_needed.append((ReferralStatus.NOT_NEEDED.value, reason, pk))
    # One prepared UPDATE run many times: Django's bulk_update builds a CASE per row, which
    # took seconds here.
    table = ReferralTask._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, referred_on = %s, receiving_reference = %s "  # noqa: S608 - table name from the model
            "WHERE id = %s",
            referred,
        )
        cursor.executemany(
            f"UPDATE {table} SET status = %s, not_needed_reason = %s WHERE id = %s",  # noqa: S608
            not_needed,
        )
    summary = {
        "candour_records": len(records),
        "hand_flags": len(hand_ids),
        "contact_attempts": len(attempts),
        "referrals_referred": len(referred),
        "referrals_not_needed": len(not_needed),
    }
    record_many(
        actor,
        [Change(AuditAction.CANDOUR_STEPS_RECORDED, "demo", "candour", details=summary)],
    )
    return summary
