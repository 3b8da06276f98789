"""The header leads with each person's own work, and offers only what their role may open."""

from __future__ import annotations

import pytest

from caresignals.organisations.roles import Role, navigation_for
from tests.factories import member

pytestmark = pytest.mark.django_db


def _labels(small_ics, role):
    return [item.label for item in navigation_for(member(small_ics.trust_a, role))]


@pytest.mark.parametrize(
    ("role", "first_work"),
    [
        (Role.PATIENT_SAFETY_LEAD, "Triage"),
        (Role.COMPLAINTS_LEAD, "Complaints"),
        (Role.SPEAKUP_GUARDIAN, "Speak-up cases"),
        (Role.ICB_QUALITY_LEAD, "Watchlist"),
        (Role.BOARD_MEMBER, "Watchlist"),
    ],
)
def test_each_role_sees_its_own_work_straight_after_home(small_ics, role, first_work):
    labels = _labels(small_ics, role)
    assert labels[:2] == ["Home", first_work]
    assert len(labels) == len(set(labels))  # nothing offered twice


def test_staff_see_the_shared_pages_only(small_ics):
    assert _labels(small_ics, Role.STAFF) == [
        "Home",
        "Organisations",
        "System view",
        "Learning library",
        "Record an event",
        "Speak up",
    ]
