"""The API's derived fields follow a person's candour and referral decisions."""

from __future__ import annotations

import pytest
from django.test import Client

from caresignals.audit.services import Actor
from caresignals.organisations.roles import Role
from caresignals.safety.candour import services as services_candour
from tests.api.conftest import caller
from tests.candour.factories import undecided_event

pytestmark = pytest.mark.django_db


def test_a_hand_flag_and_a_hand_referral_show_in_the_api(small_ics):
    event = undecided_event(small_ics.trust_a)
    reader = caller(small_ics.trust_a, Role.STAFF, "reader")
    client = Client()
    url = f"/api/v1/events/{event.reference}"
    before = client.get(url, headers=reader.headers).json()
    assert (before["candour_notifiable"], before["candour_due"], before["referrals"]) == (
        False,
        None,
        [],
    )
    actor = Actor(label="t")
    services_candour.set_hand_flag(event, flag=True, reason="r", version=0, actor=actor)
    services_candour.add_referral(event, kind="mh_homicide_review", actor=actor)
    after = client.get(url, headers=reader.headers).json()
    assert (after["candour_notifiable"], after["candour_due"], after["referrals"]) == (
        True,
        "2026-03-16",
        ["mh_homicide_review"],
    )
    listed = client.get("/api/v1/events?org=TA", headers=reader.headers).json()
    (item,) = [i for i in listed["items"] if i["reference"] == event.reference]
    assert item["candour_notifiable"] is True
