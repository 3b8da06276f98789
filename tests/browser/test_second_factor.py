"""An ICB quality lead sets up a second factor at their first sign-in, keeps the recovery codes,
and at the next sign-in gives a wrong code, then a recovery code. axe checks each page."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def _code(typed_key: str) -> str:
    key = base64.b32decode(
        typed_key.replace(" ", "") + "=" * (-len(typed_key.replace(" ", "")) % 8)
    )
    return f"{TOTP(key).token():06d}"  # TOTP reads the suite's clock


def test_second_factor_set_up_and_given(page, small_ics, assert_accessible, settings):
    settings.CARESIGNALS_REQUIRE_SECOND_FACTOR = True
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="quinn", first_name="Quinn")
    sign_in(page, "quinn")

    assert "/accounts/second-factor/" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a second factor")
    expect(page.locator(".caresignals-qr-code svg")).to_be_visible()
    assert_accessible(page)
    typed_key = page.locator("#secret").inner_text()

    page.get_by_label("Enter the 6-digit code the app shows").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Enter the 6-digit code the app shows").fill(_code(typed_key))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your second factor is set up")
    codes = page.locator(".caresignals-recovery-codes code").all_inner_texts()
    assert len(codes) == 8
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith("/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, "quinn")
    assert "/accounts/second-factor/verify/" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your second factor")
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill("000000")  # pauses app codes only
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    expect(page.get_by_text("You used a recovery code; 7 left.")).to_be_visible()
    assert not page.url.split("?")[0].endswith("/verify/")
