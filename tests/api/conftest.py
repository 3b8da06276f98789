"""Fixtures for the HTTP API: people with tokens in the small ICS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from caresignals.api.tokens import create_token
from caresignals.audit.services import Actor
from caresignals.organisations.models import User
from caresignals.organisations.roles import Role
from tests.factories import member


@dataclass
class Caller:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def caller(organisation: Any, role: str, username: str) -> Caller:
    user = member(organisation, role, username=username)
    _row, token = create_token(username, name="tests", actor=Actor(label="tests"))
    return Caller(user, token)


@pytest.fixture
def staff_a(small_ics) -> Caller:
    return caller(small_ics.trust_a, Role.STAFF, "staff-a")


@pytest.fixture
def icb(small_ics) -> Caller:
    return caller(small_ics.ics, Role.ICB_QUALITY_LEAD, "icb-lead")


@pytest.fixture
def client() -> Client:
    return Client()
