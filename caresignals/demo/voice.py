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

Every text is invented from the phrases below, written for one kind of service, with replies
that fit the kind of feedback and, for a concern or complaint, what the service did about it
("you said, we did"); no real person or event. Deterministic by seed
(apart from which complaints count as overdue, which depends on the day the demo is built).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
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
from caresignals.demo import generator
from caresignals.measures.models import MeasureValue
from caresignals.organisations import services as org_services
from caresignals.organisations.models import Organisation
from caresignals.voice.models import (
    CareOf,
    Channel,
    Complaint,
    Feedback,
    Outcome,
    Publication,
)

FFT_CAP = 20
COMPLAINTS_A_MONTH = 5.0
COMMENT_SHARE = 0.25
PUBLISH_CONSENT_SHARE = 0.3

RATINGS = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
# Every text is written for one kind of service (a midwife only in maternity, a receptionist
# only at a GP practice) and each complaint or concern comes with what the service then did
# ("you said, we did"). Keys are the generator's service profiles (generator.PROFILES).


@dataclass(frozen=True)
class Voices:
    """What people say about one kind of service."""

    positive: tuple[str, ...]
    neutral: tuple[tuple[str, str], ...]  # (what was said, what was done about it)
    negative: tuple[tuple[str, str], ...]
    complaints: tuple[tuple[str, str], ...]


WARD = Voices(
    positive=(
        "The nurses on the ward were kind and took time to explain everything.",
        "Clean ward, friendly staff and the food was better than expected.",
        "Everyone treated my mother with dignity and respect.",
        "Clear information about my medicines before I went home.",
    ),
    neutral=(
        (
            "Care was good but the bay was noisy at night.",
            "Earplugs and eye masks are now offered to everyone on the ward at night.",
        ),
        (
            "Good treatment, but nobody told us when discharge would be.",
            "Everyone is now given an expected discharge date soon after admission.",
        ),
    ),
    negative=(
        (
            "Staff seemed rushed and call bells went unanswered.",
            "Call bells are now checked every hour at night.",
        ),
        (
            "My father's tablets were missed twice and nobody could tell us why.",
            "Medicine rounds are now protected from interruptions.",
        ),
        (
            "Meals were left out of reach and she went hungry.",
            "Red trays mark everyone who needs help to eat, and staff check them at each meal.",
        ),
        (
            "He was sent home late at night with no transport.",
            "Nobody is discharged after 8 pm unless they ask to be.",
        ),
        (
            "The toilets were dirty and the ward smelled.",
            "Toilets are cleaned every two hours and checked by the nurse in charge.",
        ),
    ),
    complaints=(
        (
            "I am complaining about my mother's discharge: she was sent home without her "
            "medicines and no care package was arranged.",
            "Discharge letters now list the medicines to take home, and the ward checks that "
            "care is in place before anyone leaves.",
        ),
        (
            "Nobody explained the delay to my operation, which was cancelled twice.",
            "Anyone whose operation is cancelled is now called by the surgical team that day.",
        ),
        (
            "My wife fell on the ward and we were not told until the next day.",
            "Families are now phoned during the shift whenever their relative falls.",
        ),
        (
            "My father's insulin dose was missed and his diabetes was poorly managed.",
            "Diabetes specialist nurses now see everyone on insulin within a day of admission.",
        ),
    ),
)
MATERNITY = Voices(
    positive=(
        "The midwives were calm, caring and kept us updated.",
        "We felt listened to throughout the birth of our baby.",
        "Help with feeding on the postnatal ward made all the difference.",
    ),
    neutral=(
        (
            "Good care in labour, but the postnatal ward was very noisy.",
            "Quiet hours are now kept on the postnatal ward each afternoon.",
        ),
        (
            "The midwives were lovely but we waited hours to take our baby home.",
            "More midwives are trained to do newborn checks, so families wait less to go home.",
        ),
    ),
    negative=(
        (
            "Nobody answered the buzzer when I needed help with my baby at night.",
            "A maternity support worker now covers the postnatal ward at night.",
        ),
        (
            "We were not told why the induction kept being delayed.",
            "A midwife now updates everyone waiting for induction at every shift change.",
        ),
        (
            "My partner was sent home straight after the birth and I was on my own.",
            "Partners can now stay overnight on the postnatal ward.",
        ),
        (
            "I felt rushed at my antenatal appointment and my questions were not answered.",
            "Antenatal appointments have been lengthened to give time for questions.",
        ),
    ),
    complaints=(
        (
            "The midwife ignored our concerns during labour and we felt nobody listened.",
            "Every concern raised in labour is now recorded and taken to the labour ward "
            "coordinator.",
        ),
        (
            "My baby's jaundice was missed and we were sent home too early.",
            "Every baby is now checked for jaundice before going home, and parents are told "
            "what to look for.",
        ),
        (
            "I was left in pain for hours after my caesarean before anyone came.",
            "Pain after a caesarean birth is now checked every two hours for the first day.",
        ),
    ),
)
EMERGENCY = Voices(
    positive=(
        "We were seen quickly in A&E and the doctor listened to us.",
        "The emergency department was busy but the nurses kept us informed.",
        "Staff in A&E were reassuring when I was frightened.",
    ),
    neutral=(
        (
            "Care was fine but the waiting area was noisy and crowded.",
            "The waiting area has a quieter space now for people who need it.",
        ),
        (
            "Treatment was good, but the waiting time on the screen was wrong.",
            "The screens in the waiting area now show waiting times updated every 15 minutes.",
        ),
    ),
    negative=(
        (
            "We waited over six hours and nobody explained the delay.",
            "A nurse now walks the waiting room every hour to update people.",
        ),
        (
            "There was no privacy at triage; everyone could hear.",
            "Triage now takes place in a closed room.",
        ),
        (
            "My elderly mother sat on a plastic chair for nine hours.",
            "Reclining chairs are now kept for older people waiting in the emergency department.",
        ),
        (
            "Nobody offered us a drink or food all night in A&E.",
            "Volunteers now offer drinks and snacks in A&E every two hours.",
        ),
    ),
    complaints=(
        (
            "My son waited nine hours in pain in A&E and staff were dismissive when we asked "
            "for an update.",
            "Pain is now assessed at triage and checked again every hour while people wait.",
        ),
        (
            "My father was sent home from the emergency department with a fracture that was "
            "missed.",
            "Every X-ray taken in the emergency department is now reported by a radiologist "
            "within a day.",
        ),
        (
            "We were left on a trolley in a corridor for most of the night.",
            "Anyone cared for in a corridor now has a named nurse and hourly checks.",
        ),
    ),
)
CHILDREN = Voices(
    positive=(
        "The play specialist made our daughter's stay so much easier.",
        "Nurses on the children's ward explained everything in a way our son understood.",
        "We were able to stay with our child every night.",
    ),
    neutral=(
        (
            "Good care on the children's ward, but the parents' kitchen was often closed.",
            "The parents' kitchen on the children's ward is now open day and night.",
        ),
        (
            "Our son was well looked after but there was little to do for teenagers.",
            "A teenagers' room with games and films has opened on the children's ward.",
        ),
    ),
    negative=(
        (
            "Our daughter waited hours for pain relief after her operation.",
            "On the children's ward, pain is now checked every hour after an operation.",
        ),
        (
            "Nobody told us the results of our son's tests for two days.",
            "A doctor now tells parents their child's results at the daily ward round.",
        ),
        (
            "The parent's bed beside our child was broken and we slept in a chair.",
            "New fold-down beds have been bought for every bay on the children's ward.",
        ),
    ),
    complaints=(
        (
            "We feel our daughter's sepsis was missed when we first brought her in.",
            "When parents are worried, a senior doctor now reviews their child quickly.",
        ),
        (
            "Our son was discharged from the children's ward without the follow-up we were "
            "promised.",
            "Follow-up appointments are now booked before a child leaves the children's ward.",
        ),
    ),
)
MENTAL_HEALTH_WARD = Voices(
    positive=(
        "The nurses on the mental health ward treated me with respect.",
        "The ward's occupational therapist helped me plan my recovery.",
        "Staff listened to me and I felt safe during a mental health crisis.",
    ),
    neutral=(
        (
            "The ward was calm, but there was little to do in the evenings.",
            "Evening activities now run on the ward every day.",
        ),
        (
            "Good care, but I was not told my rights under the Mental Health Act for two days.",
            "Everyone detained under the Mental Health Act is now told their rights on the day "
            "they arrive.",
        ),
    ),
    negative=(
        (
            "I was moved between mental health wards three times in a week.",
            "Moves between wards now need the agreement of the consultant psychiatrist.",
        ),
        (
            "Staff were in the office most of the time and hard to talk to.",
            "Each patient now has a named nurse who spends time with them every shift.",
        ),
        (
            "My family were not told I had been admitted to the mental health ward.",
            "With the person's agreement, families are now told of an admission within a day.",
        ),
    ),
    complaints=(
        (
            "My brother was restrained by several staff and nobody explained why.",
            "Every restraint is now talked through the next day with the person and, if they "
            "wish, their family.",
        ),
        (
            "I was placed on a mental health ward a hundred miles from home.",
            "A bed manager now looks for a local bed every day for everyone placed out of area.",
        ),
    ),
)
MENTAL_HEALTH_COMMUNITY = Voices(
    positive=(
        "My care coordinator always calls back and really listens.",
        "The crisis team came quickly and helped me through a very dark night.",
        "The mental health team helped me get back to work.",
    ),
    neutral=(
        (
            "Helpful appointments, but I keep seeing a different worker.",
            "People now see the same worker at each appointment wherever possible.",
        ),
        (
            "The crisis line was helpful but hard to get through to at weekends.",
            "More staff now answer the crisis line at weekends.",
        ),
    ),
    negative=(
        (
            "I waited four months for my first appointment with the mental health team.",
            "Everyone waiting for a first appointment now gets a wellbeing call every month.",
        ),
        (
            "My care coordinator left and nobody told me who had taken over.",
            "People are now told by letter and phone when their care coordinator changes.",
        ),
        (
            "My care plan was never shared with me.",
            "Care plans are now written with the person, who is given a copy.",
        ),
    ),
    complaints=(
        (
            "My daughter was discharged by the mental health team without warning while "
            "still unwell.",
            "Nobody is now discharged by the mental health team without a meeting and a plan "
            "agreed with them.",
        ),
        (
            "I called the crisis team three times and nobody came.",
            "Every call to the crisis team is now checked each week to make sure it was "
            "followed up.",
        ),
    ),
)
DISTRICT_NURSING = Voices(
    positive=(
        "The district nurses who visit my husband are kind and always on time.",
        "The district nursing team taught me how to look after my leg ulcer.",
        "Nurses visiting at home made it possible for Mum to stay in her own bed.",
    ),
    neutral=(
        (
            "Good care, but we never know what time the district nurse will come.",
            "District nursing visits are now given a two-hour time slot.",
        ),
        (
            "The nurses are lovely but each visit is someone new.",
            "Each patient is now visited by a small group of the same district nurses.",
        ),
    ),
    negative=(
        (
            "A district nursing visit was missed and nobody rang to tell us.",
            "Families are now phoned whenever a district nursing visit has to move.",
        ),
        (
            "Dad's dressings were not changed as often as they should have been.",
            "Every wound care plan is now checked at the team's weekly review.",
        ),
        (
            "We had to chase the district nurses for a pressure-relieving mattress.",
            "Pressure-relieving equipment is now ordered on the day of the first visit.",
        ),
    ),
    complaints=(
        (
            "My mother developed a pressure sore at home and the district nurses did not act "
            "quickly enough.",
            "Skin is now checked and recorded at every district nursing visit.",
        ),
        (
            "The district nurses' insulin visits were late several times and Dad's sugar "
            "levels went high.",
            "Insulin visits now come first on each district nurse's list.",
        ),
    ),
)
AMBULANCE = Voices(
    positive=(
        "The paramedics were calm, kind and reassuring.",
        "The ambulance crew explained everything and kept my wife comfortable.",
        "The 999 call handler stayed on the line until the crew arrived.",
    ),
    neutral=(
        (
            "The crew were excellent, but we waited a long time for the ambulance.",
            "Call handlers now ring back people waiting for an ambulance to check on them.",
        ),
        (
            "Good care, but the crew did not tell us which hospital they were going to.",
            "Crews now tell families which hospital they are going to before they leave.",
        ),
    ),
    negative=(
        (
            "My father lay on the floor for five hours waiting for an ambulance after a fall.",
            "A falls response team now reaches people who have fallen and cannot get up.",
        ),
        (
            "The ambulance crew were dismissive about my chest pain.",
            "Crews now record a heart tracing for every call about chest pain.",
        ),
        (
            "Nobody called back after my 999 call to say the ambulance was delayed.",
            "A clinician now calls back people waiting longer than expected for an ambulance.",
        ),
    ),
    complaints=(
        (
            "We waited three hours for an ambulance while my mother struggled to breathe.",
            "A clinician in the control room now reviews calls about breathing difficulty "
            "within ten minutes.",
        ),
        (
            "The crew left my husband at home after a fall and he was admitted the next day "
            "with a fracture.",
            "Crews now discuss anyone they plan to leave at home after a fall with a senior "
            "clinician.",
        ),
    ),
)
LD_AUTISM_WARD = Voices(
    positive=(
        "Staff know my son well and use his communication passport.",
        "The ward helped our daughter keep in touch with us by video every day.",
        "Staff were patient and understood his autism.",
    ),
    neutral=(
        (
            "Care is good, but visiting is hard for us because we live so far away.",
            "Visits can now be arranged at weekends and in the evening for families who live "
            "far away.",
        ),
        (
            "Staff are kind, but many are from an agency and do not know him.",
            "Agency staff now work alongside a regular member of staff who knows each person.",
        ),
    ),
    negative=(
        (
            "Our son was restrained and we were not told until days later.",
            "Families are now told the same day whenever their relative is restrained.",
        ),
        (
            "We do not know our daughter's plan for leaving the ward.",
            "Every person now has a discharge plan shared with their family and advocate.",
        ),
        (
            "Our son's routines were not followed and he became very distressed.",
            "Each person's routines are now part of every shift's handover.",
        ),
    ),
    complaints=(
        (
            "My brother with autism was secluded for hours and nobody could tell us why.",
            "Every seclusion is now reviewed the next day with an independent advocate.",
        ),
        (
            "Our daughter's advocate was not invited to her review meeting.",
            "Advocates are now invited to every care review.",
        ),
    ),
)
GENERAL_PRACTICE = Voices(
    positive=(
        "The receptionist found me an appointment the same day.",
        "My GP took time to listen and explained my options.",
        "The practice nurse was gentle and reassuring.",
    ),
    neutral=(
        (
            "Good care from the GP, but it was hard to get through on the phone at 8 am.",
            "More staff now answer the practice phones between 8 and 10 am.",
        ),
        (
            "Online booking works well, but repeat prescriptions take too long.",
            "Repeat prescriptions are now ready within two working days.",
        ),
    ),
    negative=(
        (
            "I could not get a GP appointment for three weeks.",
            "The practice now keeps appointments each day for people who need to be seen soon.",
        ),
        (
            "The receptionist was rude when I asked to see a doctor.",
            "Reception staff have had training in helping people find the right care.",
        ),
        (
            "My repeat prescription was not sent to the pharmacy and I ran out.",
            "Repeat prescriptions are now checked daily so that none are missed.",
        ),
    ),
    complaints=(
        (
            "My mother's abnormal blood test was not followed up by the practice for a month.",
            "A GP now sees every abnormal result the day it arrives, and the patient is contacted.",
        ),
        (
            "The GP would not refer my husband despite months of symptoms.",
            "The practice now reviews anyone who comes back three times with the same symptoms.",
        ),
    ),
)
CARE_HOME = Voices(
    positive=(
        "The staff at the care home treat Mum like family.",
        "Residents are always clean, comfortable and well fed.",
        "The activities coordinator keeps my father busy and happy at the care home.",
    ),
    neutral=(
        (
            "The care home is clean and caring, but visiting hours are limited.",
            "Visiting at the care home is now open all day.",
        ),
        (
            "Good care, but we are not always told when a resident sees the doctor.",
            "Families are now told the same day when a resident is seen by a doctor.",
        ),
    ),
    negative=(
        (
            "My mother has had several falls at the care home this year.",
            "Every resident who falls now has a falls review with a physiotherapist.",
        ),
        (
            "Dad's glasses and hearing aids keep going missing at the care home.",
            "Residents' glasses and hearing aids are now named and checked every morning.",
        ),
        (
            "There are often too few staff in the residents' lounge in the evening.",
            "A member of staff is now always in the residents' lounge in the evening.",
        ),
    ),
    complaints=(
        (
            "My mother fell at the care home and we were not told for two days.",
            "Families are now phoned on the day a resident falls.",
        ),
        (
            "My father lost a lot of weight at the care home and nobody noticed.",
            "Every resident is now weighed each month and referred to a dietitian if they lose "
            "weight.",
        ),
    ),
)
VOICES: dict[str, Voices] = {
    "medicine": WARD,
    "surgery": WARD,
    "maternity": MATERNITY,
    "ed": EMERGENCY,
    "paediatrics": CHILDREN,
    "mh_inpatient": MENTAL_HEALTH_WARD,
    "mh_community": MENTAL_HEALTH_COMMUNITY,
    "community_nursing": DISTRICT_NURSING,
    "ambulance": AMBULANCE,
    "ld_inpatient": LD_AUTISM_WARD,
    "gp": GENERAL_PRACTICE,
    "care_home": CARE_HOME,
}
# What each service did about each thing said: "you said, we did".
WE_DID = {
    said: done for v in VOICES.values() for said, done in (*v.neutral, *v.negative, *v.complaints)
}
# Replies by kind: thanks for a compliment, an apology and what was done for a complaint.
REPLIES = {
    "compliment": (
        "Thank you for taking the time to tell us. We have passed your kind words to the team.",
        "Thank you: the team were delighted to read your message.",
        "Thank you for your kind words; we are glad the care made a difference.",
    ),
    "concern": (
        "Thank you for telling us, and we are sorry this was your experience. The manager has "
        "looked into it with the team.",
        "We are sorry we fell short. Your comments were discussed at the team meeting.",
        "Thank you for raising this. We have shared your comments with the team and acted on them.",
    ),
    "complaint": (
        "We are sorry for what happened. We investigated your complaint and have written to "
        "you with what we found.",
        "We apologise for the distress this caused. Your complaint has been reviewed by the "
        "service's senior team.",
        "We are sorry. Your complaint was investigated and the lessons shared with the staff "
        "involved.",
    ),
}
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
    "care_of": CareOf.NOT_ASKED.value,
    "relationship": "",
    "representative_basis": "",
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
    parents: dict[int, int] = {}
    voices: dict[int, Voices] = {}
    for pk, parent, code, stype in Organisation.objects.filter(kind="service").values_list(
        "id", "parent_id", "code", "type"
    ):
        parents[pk] = parent
        voices[pk] = voices_for(code, stype)
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

    def pick(options: tuple[str, ...] | list[str]) -> str:
        return options[int(rng.integers(0, len(options)))]

    def said(options: tuple[tuple[str, str], ...]) -> str:
        return options[int(rng.integers(0, len(options)))][0]

    for (service, month), (total, positive, negative) in sorted(fft.items()):
        if total <= 0:
            continue
        voice = voices[service]
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
                    text = (
                        pick(voice.positive)
                        if rating in ("very_good", "good")
                        else said(voice.negative)
                        if rating in ("poor", "very_poor")
                        else said(voice.neutral)
                    )
                add(service, month, "fft", rating, text)
        for _ in range(int(rng.poisson(0.6))):
            add(service, month, "compliment", text=pick(voice.positive))
        for _ in range(int(rng.poisson(0.2 + 3 * p_neg))):
            add(service, month, "concern", text=said(voice.negative + voice.neutral))

    # Complaints are thinned to about COMPLAINTS_A_MONTH a service-month on average, the
    # same fraction every month for a service, so a rise in the measure stays a rise.
    by_service: dict[int, list[float]] = defaultdict(list)
    for (service, _), count in complaints.items():
        by_service[service].append(count)
    for (service, month), count in sorted(complaints.items()):
        mean = float(np.mean(by_service[service])) or 1.0
        keep = min(1.0, COMPLAINTS_A_MONTH / mean)
        for _ in range(int(rng.binomial(int(count), keep))):
            f = add(service, month, "complaint", text=said(voices[service].complaints))
            first, last = pick(FIRST_NAMES), pick(LAST_NAMES)
            f["contact_name"] = f"{first} {last}"
            f["contact_email"] = f"{first.lower()}.{last.lower()}@example.com"
            f["consent_to_contact"] = True
            f["care_of"] = CareOf.SELF.value  # the complainant's own care

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
                    reply=pick(REPLIES[f["kind"]]),
                    replied_on=published,
                )
                if f["kind"] != "compliment" and rng.random() < 0.5:
                    f["change_status"] = "made" if rng.random() < 0.5 else "planned"
                    f["change_description"] = WE_DID[f["text"]]
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


def voices_for(code: str, service_type: str) -> Voices:
    """The texts that fit a service, by the generator's profile for it (a ward's otherwise)."""
    row = org_services.OrganisationRow(code, "", "service", service_type, "")
    return VOICES.get(generator.profile_for(row) or "", WARD)


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
