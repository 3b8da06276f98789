"""People for the intelligence tests: the ICB quality lead, each trust's patient-safety lead
and board member, and a member of staff."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from caresignals.organisations.models import User
from caresignals.organisations.roles import Role
from tests.factories import member


@dataclass
class People:
    icb: User
    lead_a: User
    lead_b: User
    board_a: User
    staff_a: User


@pytest.fixture
def people(small_ics) -> People:
    return People(
        icb=member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb", first_name="Ina"),
        lead_a=member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a"),
        lead_b=member(small_ics.trust_b, Role.PATIENT_SAFETY_LEAD, username="lead.b"),
        board_a=member(small_ics.trust_a, Role.BOARD_MEMBER, username="board.a"),
        staff_a=member(small_ics.trust_a, Role.STAFF, username="staff.a"),
    )
