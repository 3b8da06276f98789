"""A trust's administrator adds a person, gives and removes a role, deactivates a leaver; the
new person sets their password from the link and signs in. axe checks each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_looks_after_the_trusts_people(page, small_ics, assert_accessible):
    member(small_ics.trust_a, Role.ADMINISTRATOR, username="ada", first_name="Ada")
    member(small_ics.trust_a, Role.STAFF, username="leaver", first_name="Lee", last_name="Ver")
    member(small_ics.trust_b, Role.STAFF, username="nurse-b")
    sign_in(page, "ada")

    page.get_by_role("link", name="People", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.get_by_role("link", name="Lee Ver")).to_be_visible()
    expect(page.get_by_text("nurse-b")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Add a person").click()
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter their given name")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Given name").fill("Sam")
    page.get_by_label("Family name").fill("Synthetic")
    page.get_by_label("Username").fill("sam.synthetic")
    page.get_by_label("Organisation").select_option("TA-MAT")
    page.get_by_label("Role").select_option("staff")
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("heading", name="Sam Synthetic has been added")).to_be_visible()
    link = page.locator("#set-password-link").inner_text()
    assert "/people/set-password/" in link
    assert_accessible(page)

    page.get_by_role("link", name="Go to Sam Synthetic’s page").click()
    page.get_by_label("Organisation").select_option("TA")
    page.get_by_label("Role").select_option("board_member")
    page.get_by_role("button", name="Give the role").click()
    expect(page.get_by_text("Sam Synthetic is now Board member at Trust A.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Remove Board member at Trust A").click()
    expect(page.get_by_text("is no longer Board member at Trust A")).to_be_visible()

    page.goto("/people/leaver/")
    page.get_by_role("link", name="Deactivate Lee Ver").click()
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate Lee Ver").click()
    expect(page.get_by_text("Lee Ver has been deactivated: they cannot sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("a-long-Synthetic-pass")
    page.get_by_label("New password again").fill("a-long-Synthetic-pass")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been set")
    assert_accessible(page)
