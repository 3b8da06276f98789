"""The board report, its PDF, the lens and the funnel are computed once per reader's scope and
kept until data they depend on change (core/cache.py, ADR 25)."""

from __future__ import annotations

import datetime as dt

import pytest

from caresignals.core.cache import bump
from caresignals.measures import comparison, lens
from caresignals.organisations.roles import Role
from caresignals.publishing import board, pdf
from tests.factories import member
from tests.measures.test_lens import END, sepsis  # noqa: F401 - a fixture
from tests.publishing.test_board import REPORT_MONTH, region  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True)  # nothing is cached inside a transaction


def counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def test_the_board_report_is_built_once_until_its_months_data_change(region, monkeypatch):  # noqa: F811
    reader = member(region.trust_a, Role.BOARD_MEMBER, username="bea")
    calls = counting(monkeypatch, board, "build_report")
    first = board.board_report(reader, "TA", REPORT_MONTH)
    assert board.board_report(reader, "TA", REPORT_MONTH).lines == first.lines
    assert len(calls) == 1
    bump(months={next_month(REPORT_MONTH)})  # an event after the report's month
    board.board_report(reader, "TA", REPORT_MONTH)
    assert len(calls) == 1
    bump(months={REPORT_MONTH})  # an event in it
    board.board_report(reader, "TA", REPORT_MONTH)
    assert len(calls) == 2
    other = member(region.trust_b, Role.BOARD_MEMBER, username="ben")
    board.board_report(other, "TB", REPORT_MONTH)
    assert len(calls) == 3  # another reader's scope is never served from this one's


def test_the_default_month_is_chosen_before_the_report_is_looked_up(region, monkeypatch):  # noqa: F811
    reader = member(region.trust_a, Role.BOARD_MEMBER, username="bea")
    calls = counting(monkeypatch, board, "build_report")
    looked_up = counting(monkeypatch, board, "latest_period")
    latest = board.board_report(reader, "TA", None)
    assert latest.period == dt.date(2026, 3, 1)  # the latest month with data (test_board.py)
    assert board.board_report(reader, "TA", latest.period).period == latest.period
    assert len(calls) == 1  # the same report, whether its month was given or defaulted
    assert board.board_report(reader, "TA", None).period == latest.period
    assert len(looked_up) == 1  # the default month itself is kept until the data change
    bump()
    assert board.board_report(reader, "TA", None).period == latest.period
    assert len(looked_up) == 2


def test_the_pdf_is_drawn_once_for_the_same_report(region, monkeypatch):  # noqa: F811
    reader = member(region.trust_a, Role.BOARD_MEMBER, username="bea")
    monkeypatch.setattr(pdf, "board_pdf", lambda report: b"%PDF- one drawing")
    calls = counting(monkeypatch, pdf, "board_pdf")
    report = board.board_report(reader, "TA", REPORT_MONTH)
    assert pdf.board_pdf_for(reader, report) == b"%PDF- one drawing"
    assert pdf.board_pdf_for(reader, report) == b"%PDF- one drawing"
    assert len(calls) == 1
    bump()  # any change to the data
    pdf.board_pdf_for(reader, board.board_report(reader, "TA", REPORT_MONTH))
    assert len(calls) == 2


def test_the_lens_is_computed_once_until_its_windows_data_change(small_ics, sepsis, monkeypatch):  # noqa: F811
    reader = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="priya")
    calls = counting(monkeypatch, lens, "_events_section")
    first = lens.lens_page(reader, "TA", months=12, period_end=END)
    again = lens.lens_page(reader, "TA", months=12, period_end=END)
    assert [m.sii for m in again.measures] == [m.sii for m in first.measures]
    assert len(calls) == 1
    bump(months={next_month(END)})
    lens.lens_page(reader, "TA", months=12, period_end=END)
    assert len(calls) == 1
    lens.lens_page(reader, "TA", months=6, period_end=END)  # another window
    assert len(calls) == 2
    bump(months={END})
    lens.lens_page(reader, "TA", months=12, period_end=END)
    assert len(calls) == 3


def test_the_funnel_is_computed_once_per_data_version(region, monkeypatch):  # noqa: F811
    reader = member(region.ics, Role.ICB_QUALITY_LEAD, username="helen")
    calls = counting(monkeypatch, comparison, "_funnel_page")
    first = comparison.funnel_page(reader, "falls_rate", org_type=None, period_end=None)
    again = comparison.funnel_page(reader, "falls_rate", org_type=None, period_end=None)
    assert again.units == first.units
    assert len(calls) == 1
    bump(months={next_month(REPORT_MONTH)})  # its default month moves with the data: dated
    comparison.funnel_page(reader, "falls_rate", org_type=None, period_end=None)
    assert len(calls) == 2
