"""Synthetic feedback, FFT answers and complaints, consistent with the generated measures.

Runs after the measures import and reads, for every service and month, the generated
`fft_positive` / `fft_negative` counts and `complaints` count from the database. Individual
records are then drawn to match them in tendency, so the planted RX2-MED FFT decline and the
RX1-MAT complaint rise show on the voice pages too:

- FFT answers are **sampled**: at most FFT_CAP a service-month (the region has about half a
  million; the measures hold the full counts), so the voice pages' monthly percentages are
  noisier than the indicators' but follow them. Ratings are drawn with the month's measured
  positive and negative shares; a quarter carry a comment.
- Complaints follow the measured count, thinned to about COMPLAINTS_A_MONTH a service-month
  (the same fraction every month for a service, so a rise stays a rise), with clocks in
  a mix of states relative to today: most older ones closed, some late, some waiting for a
  6-month letter, recent ones unacknowledged.
- Compliments and concerns are a few a month; some people consented to publication, and
  most of those stories are approved with replies and "change planned/made" markers.

Every text is invented from the phrases below; no real person or event. Deterministic by seed
(apart from which complaints count as overdue, which depends on the day the demo is built).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from caresignals.core import clock
from caresignals.core.periods import Month
from caresignals.core.workingdays import add_working_days
from caresignals.measures.models import MeasureValue
from caresignals.organisations.models import Organisation
from caresignals.voice.models import Channel, Complaint, Feedback, Outcome, Publication

FFT_CAP = 20
COMPLAINTS_A_MONTH = 5.0
COMMENT_SHARE = 0.25
PUBLISH_CONSENT_SHARE = 0.3

RATINGS = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
POSITIVE_TEXT = [
    "The staff were kind and took time to explain everything.",
    "Clean ward, friendly nurses and the food was better than expected.",
    "We were seen quickly and the doctor listened to us.",
    "Everyone treated my mother with dignity and respect.",
    "Clear information about my medication before I went home.",
    "The midwives were calm, caring and kept us updated.",
]
NEUTRAL_TEXT = [
    "Care was fine but the waiting area was noisy.",
    "Parking was difficult and the appointment letter came late.",
    "Good treatment, but nobody told us when discharge would be.",
]
NEGATIVE_TEXT = [
    "We waited over six hours and nobody explained the delay.",
    "Staff seemed rushed and short staffed; call bells went unanswered.",
    "My father's tablets were missed twice and nobody could tell us why.",
    "He was sent home late at night with no transport and no follow-up.",
    "The toilets were dirty and the ward smelled.",
    "A receptionist was rude and dismissive when we asked for help.",
    "Our conversation was overheard; there was no privacy behind the curtain.",
    "Meals were left out of reach and she went hungry.",
    "The pain relief was late and the treatment plan was never explained.",
]
COMPLAINT_TEXT = [
    "I am complaining about my mother's discharge: she was sent home without her medicines "
    "and no care package was arranged.",
    "My son waited nine hours in pain and staff were dismissive when we asked for an update.",
    "Nobody explained the delay to my operation, which was cancelled twice.",
    "My wife fell on the ward and we were not told until the next day.",
    "The midwife ignored our concerns during labour and we felt nobody listened.",
    "My father's insulin dose was missed and his diabetes was poorly managed.",
    "Staff shouted at my brother and did not respect his dignity.",
]
REPLIES = [
    "Thank you for telling us. We have shared your comments with the team.",
    "We are sorry this happened. The ward manager has discussed it with the staff involved.",
    "Thank you: we have passed your kind words to the team.",
]
CHANGES = [
    "Call bells are now checked every hour at night.",
    "Discharge letters now list the medicines to take home.",
    "An extra nurse works the evening shift on weekdays.",
    "The waiting area shows expected waiting times.",
    "Toilets are cleaned every two hours and checked by the nurse in charge.",
]
FIRST_NAMES = ["Alex", "Sam", "Jordan", "Robin", "Morgan", "Casey", "Jamie", "Taylor"]
LAST_NAMES = ["Example", "Sample", "Testington", "Placeholder", "Fictional"]
_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
# Every column of a feedback row, with the value a demo row has unless drawn otherwise.
BLANK: dict[str, Any] = {
    "reference": "",
    "organisation_id": None,
    "service_id": None,
    "source_id": "",
    "kind": "",
    "fft_rating": "",
    "text": "",
    "received_on": None,
    "channel": Channel.DEMO.value,
    "contact_name": "",
    "contact_email": "",
    "contact_phone": "",
    "consent_to_contact": False,
    "consent_to_publish": False,
    "publication": Publication.NOT_ASKED.value,
    "published_text": "",
    "rejection_reason": "",
    "published_on": None,
    "reply": "",
    "replied_on": None,
    "change_status": "",
    "change_description": "",
    "version": 1,
}


def _references(rng: np.random.Generator, count: int) -> list[str]:
    letters = _ALPHABET[rng.integers(0, len(_ALPHABET), size=(count, 10))]
    return ["FB-" + "".join(row) for row in letters]


def build_voice(
    *, seed: int, say: Callable[[str], None] = lambda _: None, today: dt.date | None = None
) -> dict[str, int]:
    """Create the demo's feedback and complaints; returns counts by kind."""
    today = today or clock.today()
    rng = np.random.default_rng([seed, 0x701CE])
    parents = dict(Organisation.objects.filter(kind="service").values_list("id", "parent_id"))
    fft: dict[tuple[int, dt.date], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    complaints: dict[tuple[int, dt.date], float] = {}
    for org_id, code, period, numerator, denominator in MeasureValue.objects.filter(
        organisation_id__in=parents,
        indicator__code__in=["fft_positive", "fft_negative", "complaints"],
        stratum_type="",
    ).values_list("organisation_id", "indicator__code", "period", "numerator", "denominator"):
        if code == "complaints":
            complaints[(org_id, period)] = numerator
        else:
            entry = fft[(org_id, period)]
            entry[0] = denominator or 0.0
            entry[1 if code == "fft_positive" else 2] = numerator
    say("Drawing patient feedback and complaints …")

    rows: list[dict[str, Any]] = []

    def add(
        service: int, month: dt.date, kind: str, rating: str = "", text: str = ""
    ) -> dict[str, Any]:
        last = Month.of(month).last_day.day
        received = min(month + dt.timedelta(days=int(rng.integers(0, last))), today)
        f = {
            **BLANK,
            "organisation_id": parents[service],
            "service_id": service,
            "source_id": f"demo-{len(rows)}",
            "kind": kind,
            "fft_rating": rating,
            "text": text,
            "received_on": received,
        }
        rows.append(f)
        return f

    def pick(options: list[str]) -> str:
        return options[int(rng.integers(0, len(options)))]

    for (service, month), (total, positive, negative) in sorted(fft.items()):
        if total <= 0:
            continue
        p_pos, p_neg = positive / total, negative / total
        rest = max(0.0, 1 - p_pos - p_neg)
        shares = np.array(
            [0.7 * p_pos, 0.3 * p_pos, 0.75 * rest, 0.6 * p_neg, 0.4 * p_neg, 0.25 * rest]
        )
        drawn = rng.multinomial(int(min(total, FFT_CAP)), shares / shares.sum())
        for rating, n in zip(RATINGS, drawn, strict=True):
            for _ in range(int(n)):
                text = ""
                if rng.random() < COMMENT_SHARE and rating != "dont_know":
                    text = pick(
                        POSITIVE_TEXT
                        if rating in ("very_good", "good")
                        else NEGATIVE_TEXT
                        if rating in ("poor", "very_poor")
                        else NEUTRAL_TEXT
                    )
                add(service, month, "fft", rating, text)
        for _ in range(int(rng.poisson(0.6))):
            add(service, month, "compliment", text=pick(POSITIVE_TEXT))
        for _ in range(int(rng.poisson(0.2 + 3 * p_neg))):
            add(service, month, "concern", text=pick(NEGATIVE_TEXT + NEUTRAL_TEXT))

    # Complaints are thinned to about COMPLAINTS_A_MONTH a service-month on average, the
    # same fraction every month for a service, so a rise in the measure stays a rise.
    by_service: dict[int, list[float]] = defaultdict(list)
    for (service, _), count in complaints.items():
        by_service[service].append(count)
    for (service, month), count in sorted(complaints.items()):
        mean = float(np.mean(by_service[service])) or 1.0
        keep = min(1.0, COMPLAINTS_A_MONTH / mean)
        for _ in range(int(rng.binomial(int(count), keep))):
            f = add(service, month, "complaint", text=pick(COMPLAINT_TEXT))
            first, last = pick(FIRST_NAMES), pick(LAST_NAMES)
            f["contact_name"] = f"{first} {last}"
            f["contact_email"] = f"{first.lower()}.{last.lower()}@example.com"
            f["consent_to_contact"] = True

    refs = _references(rng, len(rows))
    for f, ref in zip(rows, refs, strict=True):
        f["reference"] = ref
        if f["text"] and f["kind"] != "fft" and rng.random() < PUBLISH_CONSENT_SHARE:
            f["consent_to_publish"] = True
            roll = rng.random()
            if roll < 0.7 and f["received_on"] < today - dt.timedelta(days=14):
                published = min(f["received_on"] + dt.timedelta(days=10), today)
                f.update(
                    publication=Publication.APPROVED.value,
                    published_text=f["text"],  # the phrases above identify nobody
                    published_on=published,
                    reply=pick(REPLIES),
                    replied_on=published,
                )
                if f["kind"] != "compliment" and rng.random() < 0.5:
                    f["change_status"] = "made" if rng.random() < 0.5 else "planned"
                    f["change_description"] = pick(CHANGES)
            elif roll < 0.9:
                f["publication"] = Publication.PENDING.value
            else:
                f["publication"] = Publication.REJECTED.value
                f["rejection_reason"] = "It names a member of staff."
    _insert(Feedback, rows)

    made = Feedback.objects.filter(channel=Channel.DEMO, kind="complaint").values_list(
        "id", "received_on"
    )
    _insert(Complaint, [_clock(rng, pk, received, today) for pk, received in made])
    counts: dict[str, int] = defaultdict(int)
    for f in rows:
        counts[f["kind"]] += 1
    return dict(counts)


def _insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Plain INSERTs: building tens of thousands of model instances costs seconds."""
    if not rows:
        return
    now = timezone.now()
    names = [*rows[0], "updated_at"] + (["created_at"] if model is Feedback else [])
    qn = connection.ops.quote_name
    columns = ", ".join(qn(n) for n in names)  # the model's own names, never input
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    extra = [now, now] if model is Feedback else [now]
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*r.values(), *extra] for r in rows])


OUTCOMES = [Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD]


def _clock(rng: np.random.Generator, pk: int, received: dt.date, today: dt.date) -> dict[str, Any]:
    """A complaint's progress as of `today`: a realistic mix, some of it late."""
    age = (today - received).days
    c = SimpleNamespace(
        feedback_id=pk,
        acknowledged_on=None,
        response_due=None,
        six_month_letter_on=None,
        final_response_on=None,
        ombudsman_signposted=False,
        outcome="",
        safety_event_id=None,
        version=1,
    )
    late_ack = rng.random() < 0.1
    ack = add_working_days(
        received, int(rng.integers(4, 8)) if late_ack else int(rng.integers(1, 4))
    )
    if age <= 60 and rng.random() < 0.12:
        return vars(c)  # not yet acknowledged: overdue
    if age <= 10:
        if ack <= today and rng.random() < 0.6:
            c.acknowledged_on = ack
            c.response_due = received + dt.timedelta(days=int(rng.integers(35, 70)))
        return vars(c)  # some of these are past their acknowledgement date: overdue
    c.acknowledged_on = min(ack, today)
    c.response_due = received + dt.timedelta(days=int(rng.integers(35, 70)))
    still_open = rng.random() < (0.5 if age < 90 else 0.08 if age < 365 else 0.01)
    if still_open:
        if age > 183 and rng.random() < 0.5:
            c.six_month_letter_on = received + relativedelta(months=6) - dt.timedelta(days=3)
        return vars(c)
    final = c.response_due + dt.timedelta(days=int(rng.integers(-20, 15)))
    if final > today:
        return vars(c)
    c.final_response_on = max(final, c.acknowledged_on)
    c.outcome = OUTCOMES[int(rng.integers(0, len(OUTCOMES)))].value
    c.ombudsman_signposted = True
    return vars(c)
