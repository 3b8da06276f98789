"""The board quality report: its numbers are the statistics library's, as at the month asked
for; it picks the charts that need attention; it is scoped; the PDF is a real PDF drawn
without fetching anything; and the command line answers with the contract's exit statuses.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zlib
from pathlib import Path

import pytest
from django.core.management import ManagementUtility
from django.test import Client

from caresignals.core.periods import Month
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.roles import Role
from caresignals.publishing import board, pdf
from caresignals.stats import spc
from tests.factories import EventFactory, member

pytestmark = pytest.mark.django_db

REPORT_MONTH = dt.date(2025, 12, 1)
# 24 months (Jan 2024 to Dec 2025) of falls per 1,000 bed days, rising in the last 8.
FALLS = [30, 32, 29, 31, 30, 33, 28, 31, 30, 29, 32, 31, 30, 28, 31, 30]
FALLS += [45, 47, 46, 48, 44, 49, 47, 46]
# Three later months, back to normal: a report for December must not see them.
FALLS_LATER = [30, 29, 31]


def _month(i: int) -> dt.date:
    return dt.date(2024 + i // 12, i % 12 + 1, 1)


@pytest.fixture
def region(small_ics):
    falls = Indicator.objects.create(
        code="falls_rate",
        name="Falls per 1,000 bed days",
        unit="rate",
        multiplier=1000,
        polarity="lower_is_better",
        target=3.5,
        why_it_matters="Falls are the commonest harm in hospital.",
    )
    fft = Indicator.objects.create(
        code="fft_positive",
        name="Friends and Family Test: positive",
        unit="proportion",
        multiplier=100,
        polarity="higher_is_better",
        target=90,
    )
    births = Indicator.objects.create(
        code="births", name="Births", unit="count", multiplier=1, polarity="neutral"
    )
    for i, n in enumerate(FALLS + FALLS_LATER):
        if i == 5:
            continue  # a missing month: a gap, not an error
        MeasureValue.objects.create(
            organisation=small_ics.trust_a,
            indicator=falls,
            period=_month(i),
            numerator=n,
            denominator=10_000,
        )
    for i in range(24):
        # About 80% positive against a target of 90%: consistently failing.
        MeasureValue.objects.create(
            organisation=small_ics.maternity_a,
            indicator=fft,
            period=_month(i),
            numerator=78 + (i * 7) % 5,
            denominator=100,
        )
        MeasureValue.objects.create(
            organisation=small_ics.maternity_a,
            indicator=births,
            period=_month(i),
            numerator=300 + (i * 13) % 11,
        )
        MeasureValue.objects.create(
            organisation=small_ics.trust_b,
            indicator=births,
            period=_month(i),
            numerator=999,
        )
    return small_ics


def _line(report: board.BoardReport, code: str, org_code: str) -> board.IndicatorLine:
    return next(
        ln for ln in report.lines if ln.indicator.code == code and ln.organisation.code == org_code
    )


def _falls_values(until: int) -> list[float]:
    return [
        math.nan if i == 5 else n / 10_000 * 1000
        for i, n in enumerate((FALLS + FALLS_LATER)[:until])
    ]


# --------------------------------------------------------------------------- figures


def test_the_summary_is_what_stats_computes_as_at_the_month(region):
    report = board.system_board_report("TA", REPORT_MONTH)
    expected = spc.xmr(
        _falls_values(24),
        improvement="decrease",
        target=3.5,
        periods=[_month(i) for i in range(24)],
    )
    row = _line(report, "falls_rate", "TA").summary
    assert row.latest_period == REPORT_MONTH
    assert row.latest_value == pytest.approx(expected.values[-1], rel=1e-12)
    assert row.mean == pytest.approx(expected.mean[-1], rel=1e-12)
    assert row.lower == pytest.approx(expected.lpl[-1], rel=1e-12)
    assert row.upper == pytest.approx(expected.upl[-1], rel=1e-12)
    assert (row.icon, row.sentence) == spc.summary(expected)
    assert row.months == 23


def test_values_after_the_month_are_left_out(region):
    december = board.system_board_report("TA", REPORT_MONTH)
    march = board.system_board_report("TA", dt.date(2026, 3, 1))
    dec_line, mar_line = _line(december, "falls_rate", "TA"), _line(march, "falls_rate", "TA")
    assert dec_line.series.periods[-1] == REPORT_MONTH
    assert mar_line.series.periods[-1] == dt.date(2026, 3, 1)
    assert dec_line.summary.latest_value == pytest.approx(4.6)
    assert mar_line.summary.latest_value == pytest.approx(3.1)
    # Before any data at all there is no report.
    with pytest.raises(board.NoReportData):
        board.system_board_report("TA", dt.date(2023, 1, 1))


def test_default_month_is_the_latest_with_data(region):
    assert board.system_board_report("TA", None).period == dt.date(2026, 3, 1)


def test_the_report_covers_the_organisation_and_its_services_only(region):
    report = board.system_board_report("TA", REPORT_MONTH)
    assert {(ln.organisation.code, ln.indicator.code) for ln in report.lines} == {
        ("TA", "falls_rate"),
        ("TA-MAT", "fft_positive"),
        ("TA-MAT", "births"),
    }
    summary = report.section("summary")
    assert summary is not None
    assert [g.organisation.code for g in summary.data] == ["TA", "TA-MAT"]


def test_charts_that_need_attention(region):
    report = board.system_board_report("TA", REPORT_MONTH)
    section = report.section("attention")
    assert section is not None
    chosen = [(c.organisation.code, c.indicator.code) for c in section.data]
    # Falls: the latest month is special cause concern (and the target is missed every
    # month); FFT: consistently failing its target. Births: neither.
    assert chosen == [("TA", "falls_rate"), ("TA-MAT", "fft_positive")]
    falls, fft = section.data
    assert falls.reasons[0].startswith("The latest month shows special cause variation")
    assert any("target will not be met" in r for r in fft.reasons)
    assert 'role="img"' in falls.chart_svg
    assert [r.period for r in falls.rows] == [_month(i) for i in range(12, 24)]
    assert report.attention_count == 2


def test_safety_highlights_count_the_month_and_year_in_the_subtree(region):
    ta, mat = region.trust_a, region.maternity_a
    EventFactory(organisation=ta, occurred_on=dt.date(2025, 12, 3), physical_harm="moderate")
    EventFactory(
        organisation=ta,
        service=mat,
        occurred_on=dt.date(2025, 12, 20),
        physical_harm="severe",
        never_event_type="retained_foreign_object",
    )
    EventFactory(organisation=ta, occurred_on=dt.date(2025, 6, 1), physical_harm="low")
    EventFactory(
        organisation=ta,
        occurred_on=dt.date(2025, 2, 1),
        physical_harm="fatal",
        death_in_care_more_likely_than_not=True,
    )
    EventFactory(organisation=ta, occurred_on=dt.date(2024, 12, 31), physical_harm="fatal")
    EventFactory(organisation=ta, occurred_on=dt.date(2026, 1, 1), physical_harm="fatal")
    EventFactory(organisation=region.trust_b, occurred_on=dt.date(2025, 12, 3))
    EventFactory(
        organisation=ta,
        occurred_on=dt.date(2025, 12, 4),
        record_type="good_care",
        physical_harm="",
    )

    s = board.system_board_report("TA", REPORT_MONTH).safety
    assert (s.month_total, s.year_total) == (3, 5)
    assert (s.moderate_or_worse.month, s.moderate_or_worse.year) == (2, 3)
    assert (s.never_events.month, s.never_events.year) == (1, 1)
    assert (s.deaths_due_to_care.month, s.deaths_due_to_care.year) == (0, 1)
    assert [(r.kind, r.where) for r in s.never_event_list] == [
        ("Retained foreign object", "Maternity A")
    ]
    harms = {r.label: (r.month, r.year) for r in s.by_harm}
    assert harms["Severe harm"] == (1, 1)
    assert harms["Fatal"] == (0, 1)
    assert {r.label: r.month for r in s.by_type}["Good care"] == 1
    assert [m.events for m in s.monthly][-1] == 3
    assert len(s.monthly) == 12

    # A maternity unit's own report counts only its own events.
    mat_report = board.system_board_report("TA-MAT", REPORT_MONTH).safety
    assert (mat_report.month_total, mat_report.year_total) == (1, 1)


def test_experience_highlights_add_up_the_month(region):
    report = board.system_board_report("TA", REPORT_MONTH)
    section = report.section("experience")
    assert section is not None
    (pooled,) = section.data.pooled
    assert pooled.name == "Friends and Family Test: positive"
    assert pooled.value == pytest.approx(78 + (23 * 7) % 5)
    assert [(o.code, r.code) for o, r in section.data.rows] == [("TA-MAT", "fft_positive")]


def test_sections_are_a_list_others_can_extend(region, monkeypatch):
    def lens(inputs: board.ReportInputs) -> board.ReportSection:
        return board.ReportSection("lens", "Inequality lens", "publishing/sections/x.jinja", 1)

    monkeypatch.setattr(board, "SECTIONS", [*board.SECTIONS, lens])
    report = board.system_board_report("TA", REPORT_MONTH)
    assert [s.key for s in report.sections] == [
        "attention",
        "safety",
        "experience",
        "summary",
        "lens",
    ]


@pytest.mark.parametrize("text", ["2025-13", "25-12", "2025-1", "December", "2025-12-01", ""])
def test_malformed_months_are_refused(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse(text)  # the board's --period and ?period= read months with it


# --------------------------------------------------------------------------- pages


@pytest.fixture
def board_member(region):
    user = member(region.trust_a, Role.BOARD_MEMBER, username="bea")
    client = Client()
    client.force_login(user)
    return client


def test_board_member_reads_the_report(board_member):
    response = board_member.get("/reports/TA/board/", {"period": "2025-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Board quality report: December 2025" in html
    assert "Charts that need attention" in html
    assert "Falls per 1,000 bed days" in html
    assert "/reports/TA/board.pdf?period=2025-12" in html
    assert "Download PDF" in html


def test_default_month_on_the_page(board_member):
    response = board_member.get("/reports/TA/board/")
    assert "Board quality report: March 2026" in response.content.decode()


def test_another_trusts_report_is_not_found(board_member):
    assert board_member.get("/reports/TB/board/").status_code == 404
    assert board_member.get("/reports/TB/board.pdf").status_code == 404
    assert board_member.get("/reports/NOPE/board/").status_code == 404


def test_a_malformed_month_is_explained(board_member):
    response = board_member.get("/reports/TA/board/", {"period": "2025-13"})
    assert response.status_code == 400
    assert "Enter the month as a year and month, for example 2026-10" in response.content.decode()
    assert board_member.get("/reports/TA/board.pdf", {"period": "x"}).status_code == 400


def test_a_month_with_no_data_says_so(board_member):
    response = board_member.get("/reports/TA/board/", {"period": "2020-01"})
    assert response.status_code == 200
    assert "There is no report" in response.content.decode()
    assert board_member.get("/reports/TA/board.pdf", {"period": "2020-01"}).status_code == 404


def _page_count(data: bytes) -> int:
    """Pages in a PDF: by pypdf when installed, else by inflating every stream (WeasyPrint
    keeps its page objects in compressed object streams) and counting /Type /Page."""
    try:
        from pypdf import PdfReader
    except ImportError:
        chunks = [data]
        for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
            try:
                chunks.append(zlib.decompress(raw))
            except zlib.error:
                continue
        return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", c)) for c in chunks)
    return len(PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_is_a_real_pdf(board_member):
    response = board_member.get("/reports/TA/board.pdf", {"period": "2025-12"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="board-quality-report-TA-2025-12.pdf"'
    )
    data = response.content
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert 2 <= _page_count(data) <= 20


def test_print_html_carries_the_synthetic_notice_when_demo(region, settings):
    report = board.system_board_report("TA", REPORT_MONTH)
    settings.DEMO = True
    assert "Synthetic data." in pdf.print_html(report)
    settings.DEMO = False
    html = pdf.print_html(report)
    assert "Synthetic data." not in html
    assert "<svg" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<a " not in html.split("</nav>", 1)[1]  # no links out of the report body


# --------------------------------------------------------------------------- no requests


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/font.woff2",
        "https://assets.nhs.uk/fonts/frutiger.woff2",
        "ftp://example.com/x",
        "file:///etc/passwd",
    ],
)
def test_the_url_fetcher_refuses_anything_not_local(url):
    fetcher = pdf.LocalOnlyFetcher()
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_url_fetcher_allows_data_urls():
    response = pdf.LocalOnlyFetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_rendering_never_fetches_an_external_url():
    fetcher = pdf.LocalOnlyFetcher()
    html = (
        '<html><head><link rel="stylesheet" href="https://example.com/x.css"></head>'
        '<body><p>Hello</p><img src="http://example.com/x.png" alt=""></body></html>'
    )
    data = pdf.html_to_pdf(html, fetcher=fetcher)
    assert data.startswith(b"%PDF-")
    assert sorted(fetcher.refused) == ["http://example.com/x.png", "https://example.com/x.css"]


# --------------------------------------------------------------------------- the command


def _run(monkeypatch, *argv: str) -> int:
    """Run `caresignals …` in this process and return its exit status."""
    # The command closes connections as it exits; the test's transaction must survive that.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    try:
        ManagementUtility(["caresignals", *argv]).execute()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_command_writes_the_pdf(region, tmp_path: Path, monkeypatch, capsys):
    out = tmp_path / "ta.pdf"
    status = _run(
        monkeypatch, "report", "board", "--org", "TA", "--period", "2025-12", "--out", str(out)
    )
    assert status == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Trust A, December 2025" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("org", "period", "message"),
    [
        ("NOPE", "2025-12", "--org: no organisation has the code 'NOPE'"),
        ("TA", "2025-13", "--period: write the month as YYYY-MM"),
        ("TA", "2020-01", "--period: nothing is recorded for Trust A up to January 2020"),
    ],
)
def test_command_exit_1_for_wrong_input(
    region, tmp_path, monkeypatch, capsys, org, period, message
):
    out = tmp_path / "x.pdf"
    status = _run(
        monkeypatch, "report", "board", "--org", org, "--period", period, "--out", str(out)
    )
    assert status == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_command_exit_2_for_usage_errors(monkeypatch, capsys):
    assert _run(monkeypatch, "report", "board", "--org", "TA") == 2
    assert "--period" in capsys.readouterr().err
    assert _run(monkeypatch, "report", "quarterly") == 2
