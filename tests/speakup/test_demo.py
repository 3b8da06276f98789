"""The demo's speak-up cases: plausible volumes, and the closed culture at IL1 as silence."""

from __future__ import annotations

from collections import Counter

import pytest

from caresignals.demo.speakup import DEMO_CODE, DEMO_REFERENCE, build_speakup, generate_cases
from caresignals.speakup import codes
from caresignals.speakup.models import SpeakUpCase
from caresignals.speakup.queries import monthly_case_counts
from tests.factories import OrganisationFactory

PROVIDERS = [
    ("RX1", "acute_trust", 1.4),
    ("RX9", "acute_trust", 0.5),
    ("RM1", "mental_health_trust", 1.0),
    ("IL1", "ld_autism_inpatient", 1.0),
    ("GP011", "gp_practice", 1.0),
]


def _by_month(cases, code):
    return Counter(f"{c.raised_on:%Y-%m}" for c in cases if c.org_code == code)


def test_il1_falls_silent_from_october_2025_only_with_plants():
    planted = generate_cases(PROVIDERS, seed=2026, plants=True)
    plain = generate_cases(PROVIDERS, seed=2026, plants=False)
    silent = _by_month(planted, "IL1")
    normal = _by_month(plain, "IL1")
    assert sum(n for m, n in silent.items() if m >= "2025-10") == 0
    assert sum(n for m, n in normal.items() if m >= "2025-10") >= 6  # about 1.2 a month
    assert {m: n for m, n in normal.items() if m < "2025-10"} == dict(silent)
    # Nobody else changes.
    others = [c for c in planted if c.org_code != "IL1"]
    assert [c.reference for c in others] == [c.reference for c in plain if c.org_code != "IL1"]


def test_volumes_are_plausible_and_deterministic():
    cases = generate_cases(PROVIDERS, seed=7)
    again = generate_cases(PROVIDERS, seed=7)
    assert [c.reference for c in cases] == [c.reference for c in again]
    per_org = Counter(c.org_code for c in cases)
    assert per_org["RX1"] > per_org["RX9"] > per_org["GP011"]
    assert 36 * 5 < per_org["RX1"] < 36 * 10
    anonymous = sum(c.route == "anonymous" for c in cases) / len(cases)
    assert 0.06 < anonymous < 0.2
    threads = [c for c in cases if c.route == "anonymous" and c.messages]
    assert threads and all(c.messages[0][0] == "guardian" for c in threads)
    assert any(c.closed_on and c.feedback for c in cases)
    assert len({c.reference for c in cases}) == len(cases)


@pytest.mark.django_db
def test_the_demo_loads_and_the_published_code_opens_its_case():
    place = OrganisationFactory(code="PL1", kind="place")
    for code, ptype, _size in PROVIDERS:
        OrganisationFactory(code=code, type=ptype, parent=place)
    n = build_speakup(seed=3, plants=True, periods=("2023-11", "2026-10"))
    assert SpeakUpCase.objects.count() == n
    demo = SpeakUpCase.objects.get(reference=DEMO_REFERENCE)
    assert codes.code_matches(DEMO_CODE, demo.access_code_hash) and demo.route == "anonymous"
    assert demo.messages.exists()
    counts = monthly_case_counts()
    assert not any(code == "IL1" and month >= "2025-10" for code, month in counts)
    assert sum(n for (code, _m), n in counts.items() if code == "IL1") > 0


@pytest.mark.django_db
def test_the_demo_guardian_has_three_cases_with_new_messages():
    from caresignals.demo.work import _read_all_but_three
    from caresignals.organisations.roles import Role
    from caresignals.speakup.queries import new_case_count, new_message_count
    from tests.factories import member

    place = OrganisationFactory(code="PL1", kind="place")
    orgs = {
        code: OrganisationFactory(code=code, type=ptype, parent=place)
        for code, ptype, _ in PROVIDERS
    }
    build_speakup(seed=3, plants=True, periods=("2023-11", "2026-10"))
    guardian = member(orgs["RM1"], Role.SPEAKUP_GUARDIAN)
    _read_all_but_three(guardian, orgs["RM1"])
    open_cases = SpeakUpCase.objects.filter(organisation=orgs["RM1"], status="open").count()
    assert open_cases >= 3
    assert new_message_count(guardian) == 3
    assert new_case_count(guardian) == 0  # she has opened every case, even those with no reply
    assert new_message_count(member(orgs["RM1"], Role.SPEAKUP_GUARDIAN)) > 3  # read nothing
