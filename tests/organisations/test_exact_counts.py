"""Who sees exact counts and who sees them through disclosure control: decided in one place."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from caresignals.organisations.roles import Role
from caresignals.organisations.scoping import sees_exact_counts
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("where", "role", "exact"),
    [
        # The ICB's own staff who read patient-safety records across every provider.
        ("ics", Role.ICB_QUALITY_LEAD, True),
        ("ics", Role.ANALYST, True),
        # At the ICB, but with no role that reads records across providers.
        ("ics", Role.ADMINISTRATOR, False),
        ("ics", Role.STAFF, False),
        # Cross-provider reading held below the ICS is one trust's or place's view only.
        ("trust_a", Role.PATIENT_SAFETY_LEAD, False),
        ("trust_a", Role.BOARD_MEMBER, False),
        ("trust_a", Role.ANALYST, False),
        ("place_a", Role.BOARD_MEMBER, False),
        ("trust_a", Role.STAFF, False),
    ],
)
def test_only_the_icbs_cross_provider_staff_see_exact_counts(small_ics, where, role, exact):
    user = member(getattr(small_ics, where), role)
    assert sees_exact_counts(user) is exact


def test_nobody_signed_out_sees_exact_counts():
    assert sees_exact_counts(AnonymousUser()) is False
    assert sees_exact_counts(None) is False


def test_a_second_role_at_the_icb_is_enough(small_ics):
    user = member(small_ics.trust_a, Role.STAFF)
    assert not sees_exact_counts(user)
    from caresignals.organisations.models import Membership

    Membership.objects.create(user=user, organisation=small_ics.ics, role=Role.ANALYST)
    user.__dict__.pop("_care_signals_capability_scopes", None)
    assert sees_exact_counts(user)
