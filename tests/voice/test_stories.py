"""The public "You said, we did" page: 20 stories a page with the NHS.UK pagination, a count,
and the service filter kept on every page's links."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from caresignals.voice.views_public import page_numbers
from tests.voice.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


def publish(organisation, n, *, service=None, start=dt.date(2026, 1, 1)):
    for i in range(n):
        FeedbackFactory(
            organisation=organisation,
            service=service,
            kind="compliment",
            publication="approved",
            published_text=f"Synthetic story {i + 1:03d}{' about ' + service.code if service else ''}",
            published_on=start + dt.timedelta(days=i),
            consent_to_publish=True,
        )


def stories_on(page: str) -> list[str]:
    return re.findall(r"<p>(Synthetic story \d+[^<]*)</p>", page)


def test_twenty_stories_a_page_newest_first_with_a_count(client, small_ics):
    publish(small_ics.trust_a, 43)
    FeedbackFactory(organisation=small_ics.trust_a, publication="pending", published_text="")
    first = client.get("/feedback/providers/TA/").content.decode()
    assert "Showing 1 to 20 of 43 stories" in first
    shown = stories_on(first)
    assert len(shown) == 20 and shown[0] == "Synthetic story 043" and shown[-1].endswith("024")
    assert 'class="nhsuk-pagination nhsuk-pagination--numbered"' in first
    assert 'aria-label="Pages of stories"' in first
    assert 'href="?page=2" class="nhsuk-pagination__next"' in first
    assert "nhsuk-pagination__previous" not in first
    assert 'aria-current="page"' in first

    last = client.get("/feedback/providers/TA/?page=3").content.decode()
    assert "Showing 41 to 43 of 43 stories" in last
    assert stories_on(last) == [f"Synthetic story {n:03d}" for n in (3, 2, 1)]
    assert 'href="?page=2" class="nhsuk-pagination__previous"' in last
    assert "nhsuk-pagination__next" not in last
    assert "(page 3 of 3)" in last  # in the title, so each page is told apart

    beyond = client.get("/feedback/providers/TA/?page=99").content.decode()
    assert "Showing 41 to 43 of 43 stories" in beyond
    assert "Showing 1 to 20" in client.get("/feedback/providers/TA/?page=abc").content.decode()


def test_the_service_filter_is_kept_across_pages(client, small_ics):
    publish(small_ics.trust_a, 5)
    publish(small_ics.trust_a, 25, service=small_ics.maternity_a)
    page = client.get("/feedback/providers/TA/?service=TA-MAT").content.decode()
    assert "Showing 1 to 20 of 25 stories about Maternity A" in page
    assert all(s.endswith("about TA-MAT") for s in stories_on(page))
    assert 'href="?service=TA-MAT&amp;page=2"' in page
    assert re.search(r'<option value="TA-MAT" selected\s*>', page)
    second = client.get("/feedback/providers/TA/?service=TA-MAT&page=2").content.decode()
    assert "Showing 21 to 25 of 25 stories about Maternity A" in second
    assert 'href="?service=TA-MAT&amp;page=1"' in second
    everything = client.get("/feedback/providers/TA/?service=TB-MAT").content.decode()
    assert "Showing 1 to 20 of 30 stories" in everything  # another trust's service: all shown


def test_one_page_needs_no_pagination_and_none_says_so(client, small_ics):
    publish(small_ics.trust_a, 1)
    page = client.get("/feedback/providers/TA/").content.decode()
    assert "Showing 1 to 1 of 1 story" in page and "nhsuk-pagination" not in page
    empty = client.get("/feedback/providers/TB/").content.decode()
    assert "No stories have been published for Trust B yet." in empty
    none_here = client.get("/feedback/providers/TB/?service=TB-MAT").content.decode()
    assert "No stories have been published about Maternity B yet." in none_here
    assert "Show stories about all services" in none_here


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 8, [1, 2, None, 8]),
        (5, 8, [1, None, 4, 5, 6, 7, 8]),
        (4, 8, [1, 2, 3, 4, 5, None, 8]),
        (8, 8, [1, None, 7, 8]),
    ],
)
def test_page_numbers_leave_out_the_middle(current, last, expected):
    assert page_numbers(current, last) == expected
