"""The role ceiling (roles.py): nobody can give a role above their own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caresignals.organisations.roles import (
    Held,
    Role,
    may_administer_person,
    may_give,
    refusal_to_give,
)

ICS, PLACE, TRUST, SERVICE, OTHER = (
    "/ICS/",
    "/ICS/PA/",
    "/ICS/PA/TA/",
    "/ICS/PA/TA/MAT/",
    "/ICS/PB/TB/",
)
ICB_ADMIN = [Held(Role.ADMINISTRATOR, ICS)]
TRUST_ADMIN = [Held(Role.ADMINISTRATOR, TRUST)]


def test_an_icb_administrator_gives_any_role_anywhere():
    for role in Role.values:
        for path in (ICS, PLACE, TRUST, SERVICE, OTHER):
            assert may_give(ICB_ADMIN, role, path), (role, path)


@pytest.mark.parametrize("path", [TRUST, SERVICE])
def test_a_trust_administrator_gives_its_roles_in_the_trust_and_beneath(path):
    for role in set(Role.values) - {Role.ICB_QUALITY_LEAD}:
        assert may_give(TRUST_ADMIN, role, path), role


@pytest.mark.parametrize("path", [ICS, PLACE, OTHER])
def test_a_trust_administrator_gives_nothing_above_or_beside_the_trust(path):
    for role in Role.values:
        assert not may_give(TRUST_ADMIN, role, path), (role, path)
    assert refusal_to_give(TRUST_ADMIN, Role.ADMINISTRATOR, PLACE) == (
        "You can only give roles in the organisations you administer"
    )


def test_only_an_icb_administrator_gives_an_icb_role():
    assert refusal_to_give(TRUST_ADMIN, Role.ICB_QUALITY_LEAD, TRUST) == (
        "Only an ICB administrator can give an ICB role"
    )
    place_admin = [Held(Role.ADMINISTRATOR, PLACE)]
    assert not may_give(place_admin, Role.ICB_QUALITY_LEAD, TRUST)
    assert may_give(ICB_ADMIN, Role.ICB_QUALITY_LEAD, TRUST)


def test_other_roles_give_nothing_even_at_the_ics():
    for role in set(Role.values) - {Role.ADMINISTRATOR}:
        assert not may_give([Held(role, ICS)], Role.STAFF, SERVICE), role


def test_an_unknown_role_is_never_given():
    assert refusal_to_give(ICB_ADMIN, "superuser", TRUST) == "Choose a role from the list"


def test_a_person_is_administered_as_a_whole_only_where_all_their_roles_are():
    assert may_administer_person(TRUST_ADMIN, [TRUST, SERVICE])
    assert not may_administer_person(TRUST_ADMIN, [TRUST, OTHER])
    assert not may_administer_person(TRUST_ADMIN, [])  # nobody's: the ICB's
    assert may_administer_person(ICB_ADMIN, [])


paths = st.sampled_from([ICS, PLACE, TRUST, SERVICE, OTHER, "/ICS/PB/"])
held = st.lists(st.builds(Held, st.sampled_from(Role.values), paths), max_size=4)


@given(held, st.sampled_from(Role.values), paths)
def test_whatever_is_given_is_at_or_below_where_the_giver_is_administrator(giver, role, path):
    if may_give(giver, role, path):
        assert any(
            h.role == Role.ADMINISTRATOR and path.startswith(h.organisation_path) for h in giver
        )
        if role == Role.ICB_QUALITY_LEAD or path == ICS:
            assert Held(Role.ADMINISTRATOR, ICS) in giver
