"""The complaint lists count and filter in the database, by the same clocks as each row, and
are read a page at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.voice import clocks, queries
from tests.factories import member
from tests.voice.factories import complaint


def test_the_received_by_days_are_the_clocks_for_every_day_of_two_years(today):
    for offset in range(0, 730, 1):
        day = today - dt.timedelta(days=offset)
        ack = clocks.acknowledgement_overdue_received_by(day)
        six = clocks.six_month_letter_due_received_by(day)
        for received in (ack, ack + dt.timedelta(days=1), six, six + dt.timedelta(days=1)):
            state = clocks.clock_state(
                received_on=received,
                acknowledged_on=None,
                response_due=None,
                six_month_letter_on=None,
                final_response_on=None,
                today=day,
            )
            assert state.acknowledgement_overdue == (received <= ack), (day, received)
            assert state.six_month_letter_due == (received <= six), (day, received)


@pytest.mark.django_db
def test_counts_and_lists_agree_with_each_complaints_clock(client, small_ics, today):
    made = []  # newest first; the open lists read oldest first
    for days in (0, 1, 3, 5, 8, 30, 150, 182, 183, 184, 200, 400):
        c = complaint(small_ics.trust_a, received_on=today - dt.timedelta(days=days))
        made.append(c)
    made[2].acknowledged_on = today
    made[4].response_due = today - dt.timedelta(days=1)
    made[5].response_due = today
    made[8].six_month_letter_on = today
    made[10].final_response_on = today
    for c in made:
        c.save()
    lead = member(small_ics.trust_a, "complaints_lead")
    rows = [queries._row(c, today) for c in made if c.final_response_on is None]
    expected = {
        "open": len(rows),
        "acknowledgement_overdue": sum(r.clock.acknowledgement_overdue for r in rows),
        "response_overdue": sum(r.clock.response_overdue for r in rows),
        "six_month_letter_due": sum(r.clock.six_month_letter_due for r in rows),
    }
    assert queries.complaint_counts(lead, today=today) == expected
    for view in ("acknowledgement_overdue", "response_overdue", "six_month_letter_due"):
        listed, total = queries.complaint_rows(lead, view, today=today)
        wanted = [r.feedback.reference for r in reversed(rows) if getattr(r.clock, view)]
        assert [r.feedback.reference for r in listed] == wanted and total == len(wanted)


@pytest.mark.django_db
def test_a_long_list_is_read_a_page_at_a_time(client, small_ics, today):
    refs = [
        complaint(small_ics.trust_a, received_on=today - dt.timedelta(days=n)).feedback.reference
        for n in range(queries.PAGE_SIZE + 3)
    ]
    client.force_login(member(small_ics.trust_a, "complaints_lead"))
    first = client.get("/complaints/?view=all").content.decode()
    assert f"Showing 1 to {queries.PAGE_SIZE} of {len(refs)}" in first
    assert refs[0] in first and refs[-1] not in first  # newest first
    assert 'href="?view=all&amp;page=2"' in first and "Page 2 of 2" in first
    second = client.get("/complaints/?view=all&page=2").content.decode()
    assert refs[-1] in second and refs[0] not in second
    assert f"Showing {queries.PAGE_SIZE + 1} to {len(refs)} of {len(refs)}" in second
    assert "(page 2 of 2)" in second
    assert refs[-1] in client.get("/complaints/?view=all&page=99").content.decode()
    assert refs[0] in client.get("/complaints/?view=all&page=nonsense").content.decode()
