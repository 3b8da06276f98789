"""People in the small ICS, one per role that matters to governance."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from caresignals.organisations.models import User
from caresignals.organisations.roles import Role
from tests.conftest import SmallIcs
from tests.factories import member


@dataclass
class People:
    icb: User  # ICB quality lead at the ICS
    board_a: User  # board member of trust A
    lead_a: User  # patient-safety lead of trust A
    staff_a: User
    analyst: User  # at the ICS


@pytest.fixture
def people(small_ics: SmallIcs) -> People:
    return People(
        icb=member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb", first_name="Helen"),
        board_a=member(small_ics.trust_a, Role.BOARD_MEMBER, username="board_a"),
        lead_a=member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead_a"),
        staff_a=member(small_ics.trust_a, Role.STAFF, username="staff_a"),
        analyst=member(small_ics.ics, Role.ANALYST, username="analyst"),
    )


# Generated regions for the acceptance tests of the watchlist, built once per session.
from tests.signals.independent_regions import independent_regions  # noqa: E402, F401
from tests.signals.regions import regions  # noqa: E402, F401
