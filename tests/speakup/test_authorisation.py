"""Nobody but the organisation's own guardian reads a speak-up case: every role, both trusts.

The rule lives in one place, `SpeakUpCase.objects.for_guardian`; these tests go through it
directly and through every page that shows content.
"""

from __future__ import annotations

import pytest

from caresignals.organisations.models import Membership
from caresignals.organisations.roles import Role
from caresignals.speakup.models import SpeakUpCase
from tests.factories import member
from tests.speakup.factories import CONCERN, raise_case

pytestmark = pytest.mark.django_db

OTHER_ROLES = [r for r in Role.values if r != Role.SPEAKUP_GUARDIAN]


@pytest.fixture
def case_a(small_ics):
    case, _code = raise_case(small_ics.trust_a)
    return case


def _pages(reference: str) -> list[tuple[str, str]]:
    base = f"/speak-up/cases/{reference}/"
    return [
        ("get", base),
        ("get", base + "record/"),
        ("post", base + "reply/"),
        ("post", base + "close/"),
        ("post", base + "record/"),
    ]


def test_the_own_guardian_reads_the_case(client, small_ics, case_a):
    guardian = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN)
    assert list(SpeakUpCase.objects.for_guardian(guardian)) == [case_a]
    client.force_login(guardian)
    response = client.get(f"/speak-up/cases/{case_a.reference}/")
    assert response.status_code == 200
    assert CONCERN in response.content.decode()
    assert case_a.reference in client.get("/speak-up/cases/").content.decode()


def test_a_guardian_of_another_trust_gets_not_found(client, small_ics, case_a):
    guardian_b = member(small_ics.trust_b, Role.SPEAKUP_GUARDIAN)
    assert not SpeakUpCase.objects.for_guardian(guardian_b).exists()
    client.force_login(guardian_b)
    for method, url in _pages(case_a.reference):
        assert getattr(client, method)(url, {"text": "x", "version": "1"}).status_code == 404
    assert case_a.reference not in client.get("/speak-up/cases/").content.decode()


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("where", ["trust_a", "ics"])
def test_every_other_role_gets_not_found_even_in_the_same_trust(
    client, small_ics, case_a, role, where
):
    person = member(getattr(small_ics, where), role)
    assert not SpeakUpCase.objects.for_guardian(person).exists()
    client.force_login(person)
    for method, url in _pages(case_a.reference):
        response = getattr(client, method)(url, {"text": "x", "version": "1"})
        assert response.status_code == 404, (role, url)
    assert client.get("/speak-up/cases/").status_code == 404
    assert client.get("/speak-up/return/").status_code == 404
    for url in ("/speak-up/summary/", "/speak-up/raise/"):
        assert CONCERN not in client.get(url).content.decode()


def test_holding_another_role_as_well_does_not_widen_a_guardian(client, small_ics, case_a):
    """A guardian at trust B who is also the ICB's quality lead still cannot read trust A's case."""
    person = member(small_ics.trust_b, Role.SPEAKUP_GUARDIAN)
    Membership.objects.create(user=person, organisation=small_ics.ics, role=Role.ICB_QUALITY_LEAD)
    assert not SpeakUpCase.objects.for_guardian(person).exists()
    client.force_login(person)
    assert client.get(f"/speak-up/cases/{case_a.reference}/").status_code == 404


def test_a_guardian_role_at_the_ics_opens_no_provider_case(client, small_ics, case_a):
    person = member(small_ics.ics, Role.SPEAKUP_GUARDIAN)
    assert not SpeakUpCase.objects.for_guardian(person).exists()
    client.force_login(person)
    assert client.get(f"/speak-up/cases/{case_a.reference}/").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, small_ics, case_a):
    response = client.get(f"/speak-up/cases/{case_a.reference}/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [(r, r in (Role.ICB_QUALITY_LEAD, Role.BOARD_MEMBER, Role.SPEAKUP_GUARDIAN)) for r in Role],
)
def test_the_counts_only_summary_is_for_the_icb_boards_and_guardians(
    client, small_ics, case_a, role, sees
):
    client.force_login(member(small_ics.ics, role))
    response = client.get("/speak-up/summary/")
    assert response.status_code == (200 if sees else 404)
    if sees:
        page = response.content.decode()
        assert "Trust A" in page and CONCERN not in page and case_a.reference not in page
