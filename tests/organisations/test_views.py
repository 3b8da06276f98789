"""Browsing the ICS through the pages, as each kind of person."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from caresignals.organisations.roles import Role
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/organisations/", "/organisations/TA/", "/audit/"])
def test_every_page_needs_sign_in(client, small_ics, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=")


def test_the_home_address_is_the_public_start_page_until_signed_in(client, small_ics):
    page = client.get("/").content.decode()  # tests/core/test_pages.py checks what it says
    assert "Tell us about NHS care" in page and "Trust A" not in page


def test_staff_see_their_own_trust(small_ics):
    client = signed_in(member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD))
    response = client.get("/organisations/TA/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trust A" in html
    assert "Maternity A" in html
    assert client.get("/organisations/TA-MAT/").status_code == 200


@pytest.mark.parametrize("code", ["TB", "TB-MAT", "PA", "ICS1", "NO-SUCH-ORG"])
def test_other_organisations_are_not_found_not_forbidden(small_ics, code):
    client = signed_in(member(small_ics.trust_a, Role.STAFF))
    response = client.get(f"/organisations/{code}/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unknown_and_hidden_organisations_look_the_same(small_ics):
    client = signed_in(member(small_ics.trust_a, Role.STAFF))
    hidden = client.get("/organisations/TB/").content.decode()
    missing = client.get("/organisations/NOPE/").content.decode()
    strip = lambda html: re.sub(r'nonce="[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(hidden) == strip(missing)


def test_icb_sees_every_place_and_the_population_profile(small_ics):
    client = signed_in(member(small_ics.ics, Role.ICB_QUALITY_LEAD))
    response = client.get("/organisations/PA/")
    html = response.content.decode()
    assert response.status_code == 200
    # Place A: five areas of 1,000 people, deciles 1, 1, 2, 6, 10 -> 3,000 in quintile 1.
    assert "<strong>5,000</strong> people in 5 small areas" in html
    assert "60.0% live in the most deprived 20%" in html
    assert client.get("/organisations/TB-MAT/").status_code == 200


def test_provider_page_shows_the_place_population(small_ics):
    client = signed_in(member(small_ics.trust_a, Role.BOARD_MEMBER))
    html = client.get("/organisations/TA/").content.decode()
    assert "People living in the place this organisation is part of" in html


def test_empty_state_when_no_areas(small_ics):
    lonely = OrganisationFactory(code="PC", name="Place C", kind="place", parent=small_ics.ics)
    client = signed_in(member(lonely, Role.ANALYST))
    html = client.get("/organisations/PC/").content.decode()
    assert "No small areas have been imported" in html


def test_index_lists_the_top_of_what_the_user_can_see(small_ics):
    client = signed_in(member(small_ics.trust_b, Role.STAFF))
    html = client.get("/organisations/").content.decode()
    assert "Trust B" in html and "Trust A" not in html


def test_person_with_no_role_gets_a_helpful_empty_page(small_ics):
    from tests.factories import UserFactory

    client = signed_in(UserFactory())
    html = client.get("/organisations/").content.decode()
    assert "You do not have a role in any organisation yet" in html


def test_names_are_escaped_not_executed(small_ics):
    OrganisationFactory(
        code="XSS",
        name="<script>alert(1)</script> Trust",
        type="acute_trust",
        parent=small_ics.place_a,
    )
    client = signed_in(member(small_ics.ics, Role.ICB_QUALITY_LEAD))
    html = client.get("/organisations/XSS/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_count_events_within_scope(small_ics):
    from tests.factories import EventFactory

    EventFactory.create_batch(3, organisation=small_ics.trust_a, service=small_ics.maternity_a)
    EventFactory(organisation=small_ics.trust_a, physical_harm="severe", max_harm="severe")
    EventFactory(organisation=small_ics.trust_a, record_type="risk", physical_harm="", max_harm="")
    EventFactory.create_batch(2, organisation=small_ics.trust_b)
    from caresignals.analytics import event_indicators

    event_indicators.refresh()  # what an import or a recorded event does

    staff = signed_in(member(small_ics.trust_a, Role.STAFF))
    html = staff.get("/organisations/TA/").content.decode()
    assert "5 events occurred between March 2026 and March 2026" in html
    assert "Severe harm" in html and "Not known, or a risk or good care" in html
    assert "3 events occurred" in staff.get("/organisations/TA-MAT/").content.decode()

    icb = signed_in(member(small_ics.ics, Role.ICB_QUALITY_LEAD))
    assert "7 events occurred" in icb.get("/organisations/ICS1/").content.decode()
    assert "2 events occurred" in icb.get("/organisations/TB/").content.decode()


def test_pages_show_measures_with_their_latest_value(small_ics):
    import datetime

    from caresignals.measures.models import Indicator, MeasureValue

    fft = Indicator.objects.create(
        code="fft_positive",
        name="FFT positive responses",
        unit="proportion",
        multiplier=100,
        polarity="higher_is_better",
    )
    for month, (num, den) in enumerate([(90, 100), (45, 50)], start=1):
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=fft,
            period=datetime.date(2026, month, 1),
            numerator=num,
            denominator=den,
        )
    html = (
        signed_in(member(small_ics.trust_a, Role.BOARD_MEMBER))
        .get("/organisations/TA/")
        .content.decode()
    )
    assert "FFT positive responses" in html and "February 2026" in html and "90.0" in html
    other = (
        signed_in(member(small_ics.trust_b, Role.BOARD_MEMBER))
        .get("/organisations/TB/")
        .content.decode()
    )
    assert "FFT positive responses" not in other


def test_empty_states_for_events(small_ics):
    html = (
        signed_in(member(small_ics.trust_b, Role.STAFF)).get("/organisations/TB/").content.decode()
    )
    assert "No patient-safety events have been recorded for this organisation yet" in html
