"""The ICB quality lead changes a provider's escalation level, reads its history, and keeps
the quality risk register; a trust's board member reads the history. axe checks each page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.factories import member
from tests.signals.factories import entry, fake_watchlist, risk

pytestmark = pytest.mark.django_db(transaction=True)


def test_escalation_history_and_the_risk_register(
    page, small_ics, assert_accessible, monkeypatch, today
):
    fake_watchlist(monkeypatch, [entry(small_ics.trust_a, small_ics.maternity_a)])
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen", first_name="Helen")
    risk(small_ics.trust_b, title="Overdue review at B", review_on=dt.date(2026, 1, 5))
    sign_in(page, "helen")

    page.goto("/signals/escalation/TA/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Escalation level and history")
    expect(page.get_by_text("Consider whether enhanced surveillance is needed")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Follow this provider").click()
    expect(page.get_by_text("You follow Trust A.")).to_be_visible()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    assert_accessible(page)
    page.goto("/notifications/preferences/")
    expect(page.get_by_role("link", name="Trust A")).to_be_visible()
    assert_accessible(page)
    page.goto("/signals/escalation/TA/")

    page.get_by_role("button", name="Change the level").click()
    page.get_by_label("Enhanced surveillance").check()
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("System Quality Group").check()
    page.get_by_role("button", name="Change the level").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter why the level is changing")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Rationale").fill("Harm rising while reporting falls in maternity.")
    page.get_by_role("button", name="Change the level").click()
    page.wait_for_load_state()
    assert page.url.endswith("/signals/escalation/TA/")
    expect(page.get_by_text("Trust A is now at enhanced surveillance.")).to_be_visible()
    history = page.get_by_role("table")
    expect(history).to_contain_text("Harm rising while reporting falls in maternity.")
    expect(history).to_contain_text("20 January 2026")
    assert_accessible(page)

    page.goto("/signals/risks/")
    expect(page.get_by_text("Review overdue", exact=True)).to_be_visible()
    page.get_by_role("button", name="Add a risk").click()
    page.get_by_label("Title").fill("Maternity staffing at night")
    page.get_by_label("Description").fill("Night shifts below the agreed numbers.")
    page.get_by_label("Where the risk sits").select_option("TA-MAT")
    page.get_by_role("group", name="Consequence", exact=True).get_by_label("4 – Major").check()
    page.get_by_role("group", name="Likelihood", exact=True).get_by_label("4 – Likely").check()
    page.get_by_role("group", name="Target consequence").get_by_label("4 – Major").check()
    page.get_by_role("group", name="Target likelihood").get_by_label("1 – Rare").check()
    page.get_by_label("Owner").fill("Director of Midwifery")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill(str(today.year + 1))
    page.get_by_label("Synthetic signal harm_special_cause at Maternity A", exact=False).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save the risk").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maternity staffing at night")
    expect(page.get_by_text("16 Extreme")).to_be_visible()
    assert_accessible(page)

    page.goto("/signals/risks/")
    expect(
        page.get_by_role("link", name="Maternity staffing at night", exact=False)
    ).to_be_visible()
    assert_accessible(page)


def test_a_board_member_reads_their_trusts_history(page, small_ics, assert_accessible, monkeypatch):
    fake_watchlist(monkeypatch, [])
    from caresignals.audit.services import Actor
    from caresignals.signals.governance import services

    icb = member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen", first_name="Helen")
    services.change_level(
        Actor(user=icb),
        small_ics.trust_a,
        to_level="enhanced",
        rationale="Concerns from the rapid quality review.",
        decided_on=dt.date(2026, 1, 20),
        forum="sqg",
        expected_version=0,
    )
    member(small_ics.trust_a, Role.BOARD_MEMBER, username="david")
    sign_in(page, "david")
    page.goto("/organisations/TA/")
    page.get_by_role("link", name="Escalation history and rapid quality reviews").click()
    page.wait_for_load_state()
    expect(page.get_by_role("table")).to_contain_text("Concerns from the rapid quality review.")
    expect(page.get_by_role("button", name="Change the level")).to_have_count(0)
    assert_accessible(page)
