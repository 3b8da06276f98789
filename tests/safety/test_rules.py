"""Derived-field rules (docs/domain.md; the codes in docs/command-line.md): candour, national requirements,
referrals and the PSIRF response; the scalar and vectorised forms agree. No database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import holidays
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caresignals.safety.events import rules
from caresignals.safety.events.rules import (
    add_working_days,
    add_working_days_many,
    candour_due,
    candour_due_many,
    candour_notifiable,
    candour_notifiable_export,
    candour_notifiable_export_many,
    candour_notifiable_many,
    national_requirement,
    national_requirement_many,
    psirf_response,
    psirf_response_many,
    referrals,
    referrals_many,
    working_days_between,
)

NHS = sorted(rules.NHS_TRUST_TYPES)
OTHER = sorted(rules.OTHER_REGISTERED_TYPES)
D = date.fromisoformat


# --- Duty of Candour: who must notify ---------------------------------------------------------

# (physical, psychological, expected) — None means "for a person to decide".
NHS_CASES = [
    (None, None, False),
    ("", "", False),
    ("none", "none", False),
    ("low", "low", False),
    ("moderate", "", True),
    ("severe", None, True),
    ("fatal", "none", True),
    ("none", "moderate", None),
    ("low", "moderate", None),
    ("", "moderate", None),
    ("moderate", "moderate", True),
    ("none", "severe", True),
    ("low", "severe", True),
]
OTHER_CASES = [
    (None, None, False),
    ("", "", False),
    ("none", "none", False),
    ("low", "low", False),
    ("moderate", "none", None),
    ("none", "moderate", None),
    ("low", "moderate", None),
    ("moderate", "moderate", None),
    ("severe", "", True),
    ("fatal", None, True),
    ("none", "severe", True),
    ("moderate", "severe", True),
    ("severe", "moderate", True),
]


@pytest.mark.parametrize("provider_type", NHS)
@pytest.mark.parametrize(("physical", "psychological", "expected"), NHS_CASES)
def test_candour_threshold_for_nhs_trusts(
    provider_type: str, physical: str | None, psychological: str | None, expected: bool | None
) -> None:
    assert candour_notifiable(provider_type, physical, psychological) is expected


@pytest.mark.parametrize("provider_type", OTHER)
@pytest.mark.parametrize(("physical", "psychological", "expected"), OTHER_CASES)
def test_candour_threshold_for_other_registered_providers(
    provider_type: str, physical: str | None, psychological: str | None, expected: bool | None
) -> None:
    assert candour_notifiable(provider_type, physical, psychological) is expected


@pytest.mark.parametrize("provider_type", [None, ""])
@pytest.mark.parametrize(("physical", "psychological", "expected"), OTHER_CASES)
def test_unknown_provider_type_never_drops_severe_harm_and_asks_on_moderate(
    provider_type: str | None,
    physical: str | None,
    psychological: str | None,
    expected: bool | None,
) -> None:
    assert candour_notifiable(provider_type, physical, psychological) is expected


@pytest.mark.parametrize(
    ("provider_type", "physical", "psychological"),
    [
        ("maternity", "fatal", ""),  # a service type, not a provider type
        ("acute_trust", "catastrophic", ""),
        ("acute_trust", "", "fatal"),  # psychological harm stops at severe
    ],
)
def test_unknown_codes_are_refused(provider_type: str, physical: str, psychological: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        candour_notifiable(provider_type, physical, psychological)
    with pytest.raises(ValueError, match="unknown"):
        candour_notifiable_many([provider_type], [physical], [psychological])


def test_for_a_person_to_decide_is_exported_as_false_until_decided() -> None:
    assert candour_notifiable_export(None) is False
    assert candour_notifiable_export(True) is True
    assert candour_notifiable_export(False) is False
    assert candour_notifiable_export_many([True, None, False]).to_pylist() == [True, False, False]


# --- Duty of Candour: the clock ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported_on", "due"),
    [
        # No bank holiday: two calendar weeks; a weekend day 0 counts from the next Monday.
        ("2026-03-02", "2026-03-16"),
        ("2026-03-06", "2026-03-20"),
        ("2026-03-07", "2026-03-20"),
        ("2026-03-08", "2026-03-20"),
        # Christmas 2026: Fri 25, Boxing Day Sat 26 → Mon 28 substitute; New Year Fri 1 Jan.
        ("2026-12-18", "2027-01-06"),
        ("2026-12-23", "2027-01-11"),
        ("2026-12-25", "2027-01-12"),  # reported on Christmas Day: still day 0
        ("2026-12-28", "2027-01-12"),  # reported on the substitute day
        # Christmas 2027 on a Saturday: substitutes Mon 27 and Tue 28; New Year 2028 Sat → Mon 3.
        ("2027-12-24", "2028-01-12"),
        ("2027-12-25", "2028-01-12"),
        ("2027-12-30", "2028-01-14"),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        ("2026-04-01", "2026-04-17"),
        ("2026-04-02", "2026-04-20"),
        ("2026-04-03", "2026-04-20"),
        ("2026-04-06", "2026-04-20"),
        # Early May (4 May), spring (25 May) and summer (31 August) bank holidays 2026.
        ("2026-05-01", "2026-05-18"),
        ("2026-05-22", "2026-06-08"),
        ("2026-08-28", "2026-09-14"),
        # One-off bank holidays: state funeral 2022, coronation 2023 (with early May).
        ("2022-09-16", "2022-10-03"),
        ("2023-04-28", "2023-05-16"),
    ],
)
def test_candour_due_is_the_tenth_working_day_after_reporting(reported_on: str, due: str) -> None:
    assert candour_due(D(reported_on), True) == D(due)
    assert candour_due_many([D(reported_on)], [True]).to_pylist() == [D(due)]


@pytest.mark.parametrize("notifiable", [False, None])
def test_no_candour_clock_unless_notifiable(notifiable: bool | None) -> None:
    assert candour_due(D("2026-03-02"), notifiable) is None
    assert candour_due_many([D("2026-03-02")], [notifiable]).to_pylist() == [None]


def test_candour_due_many_keeps_nulls_and_accepts_arrow() -> None:
    reported = pa.chunked_array([pa.array([D("2026-12-18"), None], pa.date32())])
    due = candour_due_many(reported, pa.array([True, True]))
    assert due.type == pa.date32()
    assert due.to_pylist() == [D("2027-01-06"), None]
    assert candour_due_many([], []).to_pylist() == []


def test_england_and_wales_bank_holidays_not_scotland() -> None:
    # 2 January is a Scottish bank holiday only; 2026-01-02 is a Friday.
    assert add_working_days(D("2026-01-01"), 1) == D("2026-01-02")
    # St Andrew's Day 2026 (Mon 30 November) is Scottish only.
    assert add_working_days(D("2026-11-27"), 1) == D("2026-11-30")


# --- working days (also for the complaints clocks) --------------------------------------------


def test_complaint_acknowledgement_three_working_days() -> None:
    assert add_working_days(D("2026-03-02"), 3) == D("2026-03-05")
    assert add_working_days(D("2026-04-02"), 3) == D("2026-04-09")  # across Easter
    assert working_days_between(D("2026-04-02"), D("2026-04-09")) == 3
    assert working_days_between(D("2027-12-31"), D("2028-01-04")) == 1  # New Year substitute


def test_working_days_edge_cases() -> None:
    assert add_working_days(D("2026-03-07"), 0) == D("2026-03-07")
    assert add_working_days(D("2026-01-05"), -1) == D("2026-01-02")
    assert add_working_days(D("2026-04-07"), -1) == D("2026-04-02")  # back across Easter
    assert working_days_between(D("2026-03-02"), D("2026-03-02")) == 0
    assert working_days_between(D("2026-03-06"), D("2026-03-08")) == 0  # to the weekend
    assert working_days_between(D("2026-03-16"), D("2026-03-02")) == -10
    assert add_working_days(D("2026-03-02"), 400) == _reference_add(D("2026-03-02"), 400)


_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")


def _reference_add(start: date, n: int) -> date:
    """Day by day, the slow obvious way."""
    day, left, step = start, abs(n), timedelta(days=1 if n >= 0 else -1)
    while left:
        day += step
        if day.weekday() < 5 and day not in _BANK_HOLIDAYS:
            left -= 1
    return day


DATES = st.dates(min_value=date(1995, 1, 1), max_value=date(2099, 12, 31))


@settings(deadline=None)
@given(DATES, st.integers(min_value=-40, max_value=40))
def test_add_working_days_matches_counting_day_by_day(start: date, n: int) -> None:
    assert add_working_days(start, n) == _reference_add(start, n)


@settings(deadline=None)
@given(DATES, st.integers(min_value=0, max_value=60))
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@settings(deadline=None)
@given(DATES, DATES)
def test_working_days_between_is_antisymmetric(a: date, b: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)


@settings(deadline=None)
@given(st.lists(st.none() | DATES, max_size=30), st.integers(min_value=-15, max_value=15))
def test_add_working_days_many_equals_scalar(starts: list[date | None], n: int) -> None:
    expected = [None if s is None else add_working_days(s, n) for s in starts]
    assert add_working_days_many(starts, n).to_pylist() == expected


# --- national requirements --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("never_event", "died", "due_to_care", "detained", "expected"),
    [
        ("", False, False, "false", None),
        (None, True, False, "true", None),  # a detained patient died, not due to care
        ("wrong_site_surgery", False, False, "false", "never_event_psii"),
        ("scalding", True, True, "true", "never_event_psii"),  # Never Event comes first
        ("", True, True, "true", "mha_mca_death_psii"),
        ("", True, True, "false", "death_due_to_care_psii"),
        ("", True, True, "unknown", "death_due_to_care_psii"),
        ("", True, True, None, "death_due_to_care_psii"),
        ("", False, True, "true", "death_due_to_care_psii"),  # died not recorded
    ],
)
def test_national_requirement_and_precedence(
    never_event: str | None,
    died: bool,
    due_to_care: bool,
    detained: str | None,
    expected: str | None,
) -> None:
    assert national_requirement(never_event, died, due_to_care, detained) == expected
    many = national_requirement_many([never_event], [died], [due_to_care], [detained])
    assert many.to_pylist() == [expected]


def test_national_requirement_takes_csv_strings_in_arrays() -> None:
    got = national_requirement_many(
        pa.array(["", "", ""]),
        pa.array(["true", "true", "false"]),
        pa.array(["true", "", "false"]),
        pa.array(["true", "true", "unknown"]),
    )
    assert got.to_pylist() == ["mha_mca_death_psii", None, None]


def test_unknown_never_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="never event type"):
        national_requirement("surgery_went_wrong", False, False, "false")


# --- referrals --------------------------------------------------------------------------------

NOBODY = {
    "patient_died": False,
    "learning_disability": "false",
    "autism": "false",
    "patient_age_years": 40,
    "service_area": "acute",
    "service_type": "adult_inpatient",
    "max_harm": "none",
    "category": "falls",
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"patient_died": True}, []),
        ({"patient_died": True, "learning_disability": "true"}, ["leder_referral"]),
        ({"patient_died": True, "autism": "true"}, ["leder_referral"]),
        ({"patient_died": True, "learning_disability": "unknown"}, []),
        ({"learning_disability": "true", "autism": "true"}, []),  # alive
        ({"patient_died": True, "patient_age_years": 17}, ["child_death_review"]),
        ({"patient_died": True, "patient_age_years": 0}, ["child_death_review"]),
        ({"patient_died": True, "patient_age_years": 18}, []),
        ({"patient_died": True, "patient_age_years": None}, []),
        ({"patient_age_years": 5}, []),
        ({"service_area": "maternity", "max_harm": "severe"}, ["maternity_referral"]),
        ({"service_type": "maternity", "max_harm": "fatal"}, ["maternity_referral"]),
        (
            {"service_area": "maternity", "service_type": None, "max_harm": "fatal"},
            ["maternity_referral"],
        ),
        ({"service_area": "maternity", "max_harm": "moderate"}, []),
        ({"category": "maternity", "max_harm": "severe"}, []),  # by service, not category
        ({"category": "safeguarding"}, ["safeguarding_referral"]),
        ({"mental_health_homicide": True}, ["mh_homicide_review"]),
        (
            {
                "patient_died": True,
                "autism": "true",
                "patient_age_years": 0,
                "service_area": "maternity",
                "max_harm": "fatal",
                "category": "safeguarding",
                "mental_health_homicide": True,
            },
            list(rules.REFERRALS),
        ),
    ],
)
def test_referrals(changes: dict[str, object], expected: list[str]) -> None:
    event = NOBODY | changes
    assert referrals(**event) == expected  # type: ignore[arg-type]
    assert referrals_many(**{k: [v] for k, v in event.items()}).to_pylist() == [expected]


def test_every_referral_in_the_stable_order() -> None:
    assert rules.REFERRALS == (
        "leder_referral",
        "child_death_review",
        "maternity_referral",
        "safeguarding_referral",
        "mh_homicide_review",
    )


def test_mental_health_homicide_is_not_asked_on_import() -> None:
    got = referrals_many(
        patient_died=[True, False],
        learning_disability=["true", "false"],
        autism=["false", "false"],
        patient_age_years=pa.array([None, 30], pa.int64()),
        service_area=["acute", "maternity"],
        max_harm=["fatal", "severe"],
        category=["other", "other"],
    )
    assert got.type == pa.list_(pa.string())
    assert got.to_pylist() == [["leder_referral"], ["maternity_referral"]]


# --- PSIRF response ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirement", "plan", "expected"),
    [
        ("never_event_psii", "none", "psii"),
        ("death_due_to_care_psii", None, "psii"),
        ("mha_mca_death_psii", "aar", "psii"),
        (None, "aar", "aar"),
        ("", "thematic", "thematic"),
        (None, "none", "none"),
        (None, None, "undecided"),
        (None, "", "undecided"),
        (None, "undecided", "undecided"),
    ],
)
def test_psirf_response(requirement: str | None, plan: str | None, expected: str) -> None:
    assert psirf_response(requirement, plan) == expected
    assert psirf_response_many([requirement], [plan]).to_pylist() == [expected]


def test_unknown_plan_response_is_refused() -> None:
    with pytest.raises(ValueError, match="PSIRF response"):
        psirf_response(None, "rca")


# --- vectorised forms equal the scalar ones ---------------------------------------------------


def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [[row[i] for row in rows] for i in range(width)]


PROVIDERS = st.sampled_from([*NHS, *OTHER, None, ""])
PHYSICAL = st.sampled_from(["none", "low", "moderate", "severe", "fatal", "", None])
PSYCHOLOGICAL = st.sampled_from(["none", "low", "moderate", "severe", "", None])
TRI = st.sampled_from(["true", "false", "unknown", "", None])
NEVER = st.sampled_from(["", None, "wrong_site_surgery", "misplaced_tube"])


@settings(deadline=None)
@given(st.lists(st.tuples(PROVIDERS, PHYSICAL, PSYCHOLOGICAL, st.none() | DATES), max_size=40))
def test_candour_many_equals_scalar(
    rows: list[tuple[str | None, str | None, str | None, date | None]],
) -> None:
    types, physical, psychological, reported = _columns(rows, 4)
    notifiable = candour_notifiable_many(types, physical, psychological)
    expected = [candour_notifiable(*row[:3]) for row in rows]
    assert notifiable.to_pylist() == expected
    due = candour_due_many(pa.array(reported, pa.date32()), notifiable)
    assert due.to_pylist() == [
        None if day is None else candour_due(day, flag)
        for day, flag in zip(reported, expected, strict=True)
    ]


@settings(deadline=None)
@given(st.lists(st.tuples(NEVER, st.booleans(), st.booleans(), TRI), max_size=40))
def test_national_requirement_many_equals_scalar(
    rows: list[tuple[str | None, bool, bool, str | None]],
) -> None:
    assert national_requirement_many(*_columns(rows, 4)).to_pylist() == [
        national_requirement(*row) for row in rows
    ]


EVENTS_KEYS = [
    "patient_died",
    "learning_disability",
    "autism",
    "patient_age_years",
    "service_area",
    "service_type",
    "max_harm",
    "category",
    "mental_health_homicide",
]
EVENTS = st.fixed_dictionaries(
    {
        "patient_died": st.booleans(),
        "learning_disability": TRI,
        "autism": TRI,
        "patient_age_years": st.none() | st.integers(min_value=0, max_value=120),
        "service_area": st.sampled_from(["acute", "maternity", "gp", "", None]),
        "service_type": st.sampled_from(["maternity", "adult_inpatient", "", None]),
        "max_harm": st.sampled_from(["none", "low", "moderate", "severe", "fatal", ""]),
        "category": st.sampled_from(["safeguarding", "maternity", "falls", ""]),
        "mental_health_homicide": st.booleans(),
    }
)


@settings(deadline=None)
@given(st.lists(EVENTS, max_size=40))
def test_referrals_many_equals_scalar(events: list[dict[str, object]]) -> None:
    columns = {key: [e[key] for e in events] for key in EVENTS_KEYS}
    columns["patient_age_years"] = pa.array(columns["patient_age_years"], pa.int64())
    assert referrals_many(**columns).to_pylist() == [referrals(**e) for e in events]  # type: ignore[arg-type]


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*rules.NATIONAL_REQUIREMENTS, None, ""]),
            st.sampled_from([*rules.PSIRF_RESPONSES, None, ""]),
        ),
        max_size=40,
    )
)
def test_psirf_response_many_equals_scalar(rows: list[tuple[str | None, str | None]]) -> None:
    required = [r for r, _ in rows]
    plan = [p for _, p in rows]
    assert psirf_response_many(required, plan).to_pylist() == [psirf_response(*row) for row in rows]


def test_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="length"):
        candour_notifiable_many(["acute_trust"], ["none", "low"], ["none"])
