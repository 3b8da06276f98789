"""A provider patient-safety lead signs in, finds their own trust, and cannot reach another's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username: str) -> None:
    page.goto("/")  # not signed in: the public start page, with its way in for staff
    page.get_by_role("link", name="Staff sign in").click()
    page.wait_for_load_state()
    assert "/accounts/sign-in/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_patient_safety_lead_sees_own_trust_not_another(page, small_ics, assert_accessible):
    member(
        small_ics.trust_a,
        Role.PATIENT_SAFETY_LEAD,
        username="priya",
        first_name="Priya",
        last_name="Raman",
    )

    page.goto("/accounts/sign-in/")
    assert_accessible(page)
    sign_in(page, "priya")

    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Priya Raman"
    assert "Triage events against your incident response plan" in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Trust A").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Trust A"
    expect(page.get_by_role("link", name="Maternity A")).to_be_visible()
    expect(page.get_by_text("Population by deprivation quintile")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Organisations", exact=True).first.click()
    page.wait_for_load_state()
    assert "Trust B" not in page.content()
    assert_accessible(page)

    response = page.goto("/organisations/TB/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert "Trust B" not in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert "/accounts/sign-in/" in page.url


def test_icb_quality_lead_browses_the_whole_system(page, small_ics, assert_accessible):
    member(
        small_ics.ics,
        Role.ICB_QUALITY_LEAD,
        username="helen",
        first_name="Helen",
        last_name="Armstrong",
    )
    sign_in(page, "helen")
    page.goto("/organisations/ICS1/")
    expect(page.get_by_role("heading", name="Places")).to_be_visible()
    page.get_by_role("link", name="Place B").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Trust B").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Trust B"
    assert_accessible(page)
