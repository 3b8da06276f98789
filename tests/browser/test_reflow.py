"""Every role's representative pages at 320 CSS px (WCAG 1.4.10 reflow), axe-clean with the
best-practice rules too (`region`, `heading-order`), and error pages' titles say "Error:".

Wide tables may scroll inside their own focusable region; the page itself never scrolls sideways.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from tests.browser.test_patient_safety_lead import sign_in
from tests.candour.factories import notifiable_event
from tests.factories import EventFactory, member

pytestmark = pytest.mark.django_db(transaction=True)

NARROW = {"width": 320, "height": 640}

# What sticks out past the right edge, named in the failure: the outermost such elements, and
# absolutely positioned ones (visually hidden text escapes a scroll container that is not their
# containing block).
_OVERFLOW = """() => {
  const width = window.innerWidth;
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 1;
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => sticksOut(el) && (!sticksOut(el.parentElement) || getComputedStyle(el).position === "absolute"))
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${el.getBoundingClientRect().right}`);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    range.selectNodeContents(walker.currentNode);
    const right = range.getBoundingClientRect().right;
    const el = walker.currentNode.parentElement;
    if (right > width + 1 && !sticksOut(el)) wide.push(`text in ${el.tagName.toLowerCase()}.${el.className} ${right}`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    wide: [...new Set(wide)].slice(0, 8),
  };
}"""


@pytest.fixture
def check(assert_accessible):
    """The page reflows at 320 px and axe, best-practice rules included, finds nothing."""

    def run(page) -> None:
        found = page.evaluate(_OVERFLOW)
        assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} scrolls sideways: {found}"
        assert_accessible(page, best_practice=True)

    return run


@pytest.fixture
def narrow(page):
    page.set_viewport_size(NARROW)
    return page


def _indicators(orgs, count: int = 12) -> None:
    """Enough indicators, with long names, to make the system matrix wider than any phone."""
    for n in range(count):
        indicator = Indicator.objects.create(
            code=f"ind{n}",
            name=f"Synthetic indicator {n}: falls with moderate harm per 1,000 occupied bed days",
            unit="rate",
            multiplier=1000,
            polarity="lower_is_better",
        )
        for org in orgs:
            for i in range(20):
                MeasureValue.objects.create(
                    organisation=org,
                    indicator=indicator,
                    period=dt.date(2024 + i // 12, i % 12 + 1, 1),
                    numerator=5 + i % 3 + (8 if n % 2 and i > 12 else 0),
                    denominator=1000,
                )


def test_icb_quality_lead_matrix_candour_and_error_pages(narrow, small_ics, check, today):
    _indicators([small_ics.trust_a, small_ics.trust_b])
    reported = today - dt.timedelta(days=30)
    for org in (small_ics.trust_a, small_ics.trust_b):
        notifiable_event(org, reported_on=reported, occurred_on=reported)
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="helen", first_name="Helen")
    sign_in(narrow, "helen")
    check(narrow)

    narrow.goto("/system/matrix/")
    expect(narrow.get_by_role("heading", level=1)).to_have_text("System view")
    expect(narrow.get_by_role("region", name="System matrix")).to_be_visible()
    check(narrow)

    narrow.goto("/safety/candour/?status=overdue")
    expect(narrow.get_by_role("heading", level=1)).to_have_text("Duty of Candour")
    expect(narrow.get_by_text("Overdue by").first).to_be_visible()
    check(narrow)

    response = narrow.goto("/no-such-page/")
    assert response.status == 404
    assert narrow.title() == "Error: Page not found – Care Signals"
    check(narrow)


def test_board_member_report_and_a_forbidden_page(narrow, small_ics, check):
    _indicators([small_ics.trust_a, small_ics.maternity_a], count=4)
    fft = Indicator.objects.create(
        code="fft_positive",
        name="Friends and Family Test: positive",
        unit="proportion",
        multiplier=100,
        polarity="higher_is_better",
        target=90,
    )
    for i in range(24):
        MeasureValue.objects.create(
            organisation=small_ics.maternity_a,
            indicator=fft,
            period=dt.date(2024 + i // 12, i % 12 + 1, 1),
            numerator=(92 if i < 16 else 80) + i % 3,
            denominator=100,
        )
    EventFactory(
        organisation=small_ics.trust_a,
        occurred_on=dt.date(2025, 12, 2),
        physical_harm="severe",
        never_event_type="wrong_site_surgery",
    )
    member(small_ics.trust_a, Role.BOARD_MEMBER, username="david", first_name="David")
    sign_in(narrow, "david")
    check(narrow)

    narrow.goto("/reports/TA/board/")
    expect(narrow.get_by_role("heading", level=1)).to_have_text(
        "Board quality report: December 2025"
    )
    expect(narrow.get_by_role("heading", name="Charts that need attention")).to_be_visible()
    check(narrow)  # the detail folded
    summaries = narrow.locator("details.cs-section-details > summary")
    for i in range(summaries.count()):
        summaries.nth(i).click()
    expect(narrow.get_by_text("By service")).to_be_visible()
    check(narrow)  # and opened

    narrow.get_by_label("Month of the report").fill("June")
    narrow.get_by_role("button", name="Show report").click()
    narrow.wait_for_load_state()
    assert narrow.title().startswith("Error: ")
    check(narrow)

    response = narrow.goto("/safety/plan/")
    assert response.status == 403
    assert narrow.title() == "Error: You cannot do this – Care Signals"
    check(narrow)


def test_patient_safety_lead_candour_and_back_links(narrow, small_ics, check, today):
    reported = today - dt.timedelta(days=30)
    event = notifiable_event(small_ics.trust_a, reported_on=reported, occurred_on=reported)
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya", first_name="Priya")
    sign_in(narrow, "priya")
    check(narrow)

    narrow.goto("/safety/candour/")
    expect(narrow.get_by_role("link", name=event.reference)).to_be_visible()
    check(narrow)

    narrow.goto("/safety/referrals/")
    expect(narrow.get_by_role("heading", level=1)).to_have_text("Referral tasks")
    check(narrow)

    narrow.goto("/safety/candour/")
    narrow.get_by_role("link", name=event.reference).click()
    narrow.wait_for_load_state()
    back = narrow.get_by_role("navigation", name="Back")
    expect(back.get_by_role("link", name="Back to the event")).to_be_visible()
    check(narrow)

    narrow.goto(f"/safety/events/{event.reference}/")
    expect(narrow.get_by_role("navigation", name="Back")).to_be_visible()
    check(narrow)


def test_staff_member_sees_a_form_again_with_its_errors(narrow, small_ics, check):
    member(small_ics.trust_a, Role.STAFF, username="amara", first_name="Amara")
    sign_in(narrow, "amara")
    narrow.goto("/safety/record/")
    narrow.get_by_role("button", name="Start now").click()
    narrow.wait_for_load_state()
    assert not narrow.title().startswith("Error")
    check(narrow)

    narrow.get_by_role("button", name="Continue").click()
    narrow.wait_for_load_state()
    expect(narrow.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert narrow.title().startswith("Error: ")
    expect(narrow.get_by_role("navigation", name="Back").get_by_role("link")).to_be_visible()
    check(narrow)


def test_speak_up_confirmation_and_the_public_form(narrow, small_ics, check):
    narrow.goto("/speak-up/anonymous/")
    check(narrow)
    narrow.get_by_label("Which organisation is your concern about?").select_option("TA")
    narrow.get_by_label("What is your concern?").fill("Synthetic: the night shift is short.")
    narrow.get_by_label("Patient safety or quality").check()
    narrow.get_by_role("button", name="Raise my concern").click()
    narrow.wait_for_load_state()
    expect(narrow.get_by_role("heading", level=1)).to_have_text("Your concern has been raised")
    check(narrow)

    narrow.goto("/report-a-concern/")
    narrow.get_by_role("button", name="Send report").click()
    narrow.wait_for_load_state()
    expect(narrow.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert narrow.title().startswith("Error: ")
    check(narrow)


def test_a_long_complaints_list_pages_and_reflows(narrow, small_ics, check, today):
    from caresignals.voice.queries import PAGE_SIZE
    from tests.voice.factories import complaint

    for n in range(PAGE_SIZE + 2):
        complaint(small_ics.trust_a, received_on=today - dt.timedelta(days=n))
    member(small_ics.trust_a, "complaints_lead", username="gareth")
    sign_in(narrow, "gareth")
    narrow.goto("/complaints/?view=all")
    expect(narrow.get_by_text(f"Showing 1 to {PAGE_SIZE} of {PAGE_SIZE + 2}")).to_be_visible()
    check(narrow)
    narrow.get_by_role("link", name="Next").click()
    expect(narrow.get_by_text(f"Showing {PAGE_SIZE + 1} to {PAGE_SIZE + 2}")).to_be_visible()
    expect(narrow.get_by_role("link", name="Previous")).to_be_visible()
    check(narrow)
