"""The guardian's case list: 25 cases a page with the filters kept, and a "new message" flag
for each case where the person who spoke up has written since this guardian last read it.
Reading state is a message number per guardian and case: no time is kept (ADR 24, H78)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import models

from caresignals.organisations.roles import Role
from caresignals.speakup import queries, services
from caresignals.speakup.models import CaseReading
from tests.factories import member
from tests.speakup.factories import raise_case

pytestmark = pytest.mark.django_db

NEW_TAG = "New message</strong>"
NEW_CASE_TAG = "New case</strong>"


@pytest.fixture
def guardian(small_ics):
    return member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, first_name="Gwen", last_name="Guard")


def _rows(html: str) -> list[str]:
    """The references in the case table, in order."""
    return re.findall(r'href="/speak-up/cases/([^/"]+)/"', html)


def _flagged(html: str) -> list[str]:
    return re.findall(r'href="/speak-up/cases/([^/"]+)/">[^<]+</a> <strong class="nhsuk-tag', html)


def test_a_message_from_the_person_flags_the_case_until_the_guardian_opens_it(
    client, small_ics, guardian, today
):
    quiet, _ = raise_case(small_ics.trust_a, raised_on=today)
    older, _ = raise_case(small_ics.trust_a, raised_on=today - dt.timedelta(days=40))
    services.guardian_reply(guardian, older, "Synthetic: can you tell me more?")
    services.reporter_message(older, "Synthetic: it was on the night shift.")
    client.force_login(guardian)

    client.get(f"/speak-up/cases/{quiet.reference}/")  # opened: not new any more
    page = client.get("/speak-up/cases/").content.decode()
    assert _flagged(page) == [older.reference]
    assert _rows(page)[:2] == [older.reference, quiet.reference]  # new messages first
    assert "New messages (1)" in page
    assert queries.new_message_count(guardian) == 1

    assert client.get(f"/speak-up/cases/{older.reference}/").status_code == 200
    page = client.get("/speak-up/cases/").content.decode()
    assert _flagged(page) == [] and "No new cases or messages" in page
    assert _rows(page)[:2] == [quiet.reference, older.reference]  # back to newest raised first

    # The person writes again: new again. The guardian's own reply never counts as new.
    services.reporter_message(older, "Synthetic: and again last night.")
    assert queries.new_message_count(guardian) == 1
    client.get(f"/speak-up/cases/{older.reference}/")
    services.guardian_reply(guardian, older, "Synthetic: thank you, I will follow it up.")
    assert queries.new_message_count(guardian) == 0


def test_a_new_case_with_no_message_is_flagged_until_the_guardian_opens_it(
    client, small_ics, guardian, today
):
    seen, _ = raise_case(small_ics.trust_a, raised_on=today - dt.timedelta(days=3))
    client.force_login(guardian)
    client.get(f"/speak-up/cases/{seen.reference}/")
    fresh, _ = raise_case(small_ics.trust_a, raised_on=today - dt.timedelta(days=10))
    assert not fresh.messages.exists()

    page = client.get("/speak-up/cases/").content.decode()
    assert _flagged(page) == [fresh.reference] and NEW_CASE_TAG in page and NEW_TAG not in page
    assert _rows(page) == [fresh.reference, seen.reference]  # new first, though raised earlier
    assert "New cases (1)" in page and "New messages" not in page
    assert queries.new_case_count(guardian) == 1 and queries.new_message_count(guardian) == 0
    assert _rows(client.get("/speak-up/cases/?new=1").content.decode()) == [fresh.reference]
    assert "New cases (1): a case you have not opened." in client.get("/").content.decode()

    client.get(f"/speak-up/cases/{fresh.reference}/")
    page = client.get("/speak-up/cases/").content.decode()
    assert _flagged(page) == [] and "No new cases or messages" in page
    assert queries.new_case_count(guardian) == 0
    # Each guardian opens a case for themselves: it is still new to another.
    other = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, first_name="Ola", last_name="Other")
    assert queries.new_case_count(other) == 2


def test_reading_is_kept_for_each_guardian(client, small_ics, guardian):
    other = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN, first_name="Ola", last_name="Other")
    case, _ = raise_case(small_ics.trust_a)
    services.reporter_message(case, "Synthetic: one more thing.")
    client.force_login(guardian)
    client.get(f"/speak-up/cases/{case.reference}/")
    assert queries.new_message_count(guardian) == 0
    assert queries.new_message_count(other) == 1


def test_reading_marks_only_what_was_shown_and_never_goes_back(small_ics, guardian):
    case, _ = raise_case(small_ics.trust_a)
    first = services.reporter_message(case, "Synthetic: first.")
    second = services.reporter_message(case, "Synthetic: second.")
    services.mark_read(guardian, case, [first])  # the page was drawn before the second
    assert CaseReading.objects.get(case=case, guardian=guardian).read_to == first.sequence
    assert queries.new_message_count(guardian) == 1
    services.mark_read(guardian, case, [first, second])
    services.mark_read(guardian, case, [first])  # a stale page
    assert CaseReading.objects.get(case=case, guardian=guardian).read_to == second.sequence
    assert queries.new_message_count(guardian) == 0


def test_the_new_messages_filter_keeps_the_other_filters(client, small_ics, guardian):
    safety, _ = raise_case(small_ics.trust_a, categories=("patient_safety",))
    bullying, _ = raise_case(small_ics.trust_a, categories=("bullying_harassment",))
    read, _ = raise_case(small_ics.trust_a, categories=("patient_safety",))  # nothing new
    for case in (safety, bullying):
        services.reporter_message(case, "Synthetic: an update.")
    services.mark_read(guardian, read, [])  # opened, no message: read
    client.force_login(guardian)
    page = client.get("/speak-up/cases/?new=1").content.decode()
    assert sorted(_rows(page)) == sorted([safety.reference, bullying.reference])
    assert "Showing 1 to 2 of 2 cases" in page
    page = client.get("/speak-up/cases/?new=1&category=patient_safety").content.decode()
    assert _rows(page) == [safety.reference]
    assert '<option value="1" selected>Only new cases and cases with new messages</option>' in page


def test_the_list_is_paged_25_at_a_time_keeping_the_filters(client, small_ics, guardian, today):
    for i in range(30):
        raise_case(small_ics.trust_a, raised_on=today - dt.timedelta(days=i))
    client.force_login(guardian)

    first = client.get("/speak-up/cases/?status=open").content.decode()
    assert "Showing 1 to 25 of 30 cases" in first and len(_rows(first)) == 25
    assert 'aria-label="Pages of speak-up cases"' in first
    assert 'href="?status=open&amp;page=2"' in first  # the filter goes with the page

    second = client.get("/speak-up/cases/?status=open&page=2").content.decode()
    assert "Showing 26 to 30 of 30 cases" in second and len(_rows(second)) == 5
    assert not set(_rows(first)) & set(_rows(second))
    assert 'aria-current="page"' in second

    # A page number out of range or not a number shows the nearest real page, not an error.
    assert "Showing 26 to 30" in client.get("/speak-up/cases/?page=99").content.decode()
    assert "Showing 1 to 25" in client.get("/speak-up/cases/?page=x").content.decode()


def test_one_page_has_no_pagination_and_an_empty_filter_says_so(client, small_ics, guardian):
    case, _ = raise_case(small_ics.trust_a)
    services.mark_read(guardian, case, [])
    client.force_login(guardian)
    page = client.get("/speak-up/cases/").content.decode()
    assert "Showing 1 to 1 of 1 case<" in page and "nhsuk-pagination" not in page
    page = client.get("/speak-up/cases/?new=1").content.decode()
    assert "No cases match these filters" in page


def test_the_home_page_counts_new_messages(client, small_ics, guardian):
    case, _ = raise_case(small_ics.trust_a)
    services.mark_read(guardian, case, [])
    client.force_login(guardian)
    assert "No new cases or messages." in client.get("/").content.decode()
    services.reporter_message(case, "Synthetic: an update.")
    assert "New messages (1): a case has a message you have not read" in (
        client.get("/").content.decode()
    )


def test_reading_state_keeps_no_time(small_ics, guardian):
    """Nothing on a reading says when: no date or time field at all (H78)."""
    timed = (models.DateField, models.DateTimeField, models.TimeField)
    assert not [f.name for f in CaseReading._meta.get_fields() if isinstance(f, timed)]


def test_other_roles_see_no_count_and_no_list(client, small_ics):
    board = member(small_ics.trust_a, Role.BOARD_MEMBER)
    case, _ = raise_case(small_ics.trust_a)
    services.reporter_message(case, "Synthetic: an update.")
    assert queries.new_message_count(board) == 0
    client.force_login(board)
    assert client.get("/speak-up/cases/").status_code == 404
    assert "New messages" not in client.get("/").content.decode()
