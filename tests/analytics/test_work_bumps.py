"""Writes to work in progress (triage, candour steps, speak-up cases, quality risks) tell the
page cache (H81): pages keyed by the data version and the board report's PDF show them at
once, while what is kept for a month stays cached."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from caresignals.audit.services import Actor
from caresignals.core import cache as page_cache
from caresignals.organisations.roles import Role
from caresignals.publishing import pdf
from caresignals.safety.candour import services as candour_services
from caresignals.safety.responses import services as response_services
from caresignals.speakup import services as speakup_services
from tests.candour.factories import undecided_event
from tests.factories import member
from tests.speakup.factories import raise_case

pytestmark = pytest.mark.django_db(transaction=True)

SEPTEMBER = dt.date(2026, 9, 1)


def _versions() -> tuple[int, int, str]:
    return (
        page_cache.data_version(),
        page_cache.work_version(),
        page_cache.version_through(SEPTEMBER),
    )


def _candour_step(small_ics) -> None:
    event = undecided_event(small_ics.trust_a)
    candour_services.set_hand_flag(event, flag=True, reason="r", version=0, actor=Actor(label="t"))


def _triage(small_ics) -> None:
    event = undecided_event(small_ics.trust_a)
    response_services.triage_event(
        event, response="mdt", note="", expected_version=0, actor=Actor(label="t")
    )


def _speak_up(small_ics) -> None:
    case, _ = raise_case(small_ics.trust_a)
    guardian = member(small_ics.trust_a, Role.SPEAKUP_GUARDIAN)
    case.refresh_from_db()
    speakup_services.close_case(guardian, case, case.version)


@pytest.mark.parametrize("write", [_candour_step, _triage, _speak_up])
def test_each_write_bumps_the_data_and_work_versions_but_no_month(small_ics, write):
    data, work, september = _versions()
    write(small_ics)
    after_data, after_work, after_september = _versions()
    assert after_data > data and after_work > work
    assert after_september == september  # the watchlist and month-keyed reports stay cached


def test_a_cached_page_shows_a_candour_step_at_once(small_ics):
    cache.clear()
    page_cache._recent.clear()
    reader = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD)
    from caresignals.safety.models import CandourRecord

    def page() -> int:
        return page_cache.cached(
            reader,
            "hand-flags",
            (),
            lambda: CandourRecord.objects.filter(hand_flagged=True).count(),
        )

    assert page() == 0
    _candour_step(small_ics)
    assert page() == 1  # not the cached 0 until the entry expires


def test_the_board_pdf_is_drawn_again_after_work_changes(small_ics, monkeypatch):
    cache.clear()
    page_cache._recent.clear()
    drawn: list[int] = []

    def draw(report) -> bytes:
        drawn.append(1)
        return f"pdf {len(drawn)}".encode()

    monkeypatch.setattr(pdf, "board_pdf", draw)
    reader = member(small_ics.trust_a, Role.BOARD_MEMBER)
    report = SimpleNamespace(organisation=small_ics.trust_a, period=SEPTEMBER)
    first = pdf.board_pdf_for(reader, report)
    assert pdf.board_pdf_for(reader, report) == first and len(drawn) == 1
    _candour_step(small_ics)  # the summary's overdue candour count may change
    assert pdf.board_pdf_for(reader, report) != first and len(drawn) == 2
