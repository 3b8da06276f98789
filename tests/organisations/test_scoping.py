"""Who may see which organisations: the one rule every query goes through."""

from __future__ import annotations

import pytest

from caresignals.organisations.models import Membership, Organisation
from caresignals.organisations.roles import Role
from caresignals.organisations.scoping import Scope, scope_for
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def codes_visible_to(user: object) -> set[str]:
    return set(Organisation.objects.visible_to(user).values_list("code", flat=True))


def test_icb_member_sees_the_whole_system(small_ics):
    user = member(small_ics.ics, Role.ICB_QUALITY_LEAD)
    assert codes_visible_to(user) == {"ICS1", "PA", "PB", "TA", "TB", "TA-MAT", "TB-MAT"}


def test_trust_staff_see_their_trust_and_its_services_only(small_ics):
    user = member(small_ics.trust_a, Role.STAFF)
    assert codes_visible_to(user) == {"TA", "TA-MAT"}


def test_place_member_sees_the_providers_in_the_place(small_ics):
    user = member(small_ics.place_b, Role.ANALYST)
    assert codes_visible_to(user) == {"PB", "TB", "TB-MAT"}


def test_memberships_in_two_trusts_add_up(small_ics):
    user = member(small_ics.trust_a, Role.STAFF)
    Membership.objects.create(user=user, organisation=small_ics.trust_b, role=Role.BOARD_MEMBER)
    user = type(user).objects.get(pk=user.pk)  # fresh, without the cached scope
    assert codes_visible_to(user) == {"TA", "TA-MAT", "TB", "TB-MAT"}


def test_a_person_with_no_membership_sees_nothing(small_ics):
    assert codes_visible_to(UserFactory()) == set()


def test_anonymous_sees_nothing(small_ics):
    from django.contrib.auth.models import AnonymousUser

    assert codes_visible_to(AnonymousUser()) == set()
    assert scope_for(AnonymousUser()).is_empty


def test_a_code_that_prefixes_another_does_not_leak(small_ics):
    """Paths end with '/', so trust 'TA' does not cover a sibling coded 'TAX'."""
    from tests.factories import OrganisationFactory

    OrganisationFactory(code="TAX", name="Trust AX", type="acute_trust", parent=small_ics.place_a)
    user = member(small_ics.trust_a, Role.STAFF)
    assert "TAX" not in codes_visible_to(user)


def test_nested_memberships_collapse_to_the_widest():
    scope = Scope(paths=("/ICS1/",))
    assert scope.covers("/ICS1/PA/TA/")
    assert not scope.covers("/ICS2/PA/")
