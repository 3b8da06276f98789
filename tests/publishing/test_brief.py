"""The board's summary: what changed since last month and what needs a decision, each a
sentence with a link to its detail; first on the page and the PDF, at most two PDF pages;
no heading left at the foot of a PDF page; the board member's home page leads with it; and
a service is named with its provider once."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import replace

import pytest
from django.test import Client

from caresignals.organisations.presenters import service_at_provider
from caresignals.organisations.roles import Role
from caresignals.publishing import board, pdf
from caresignals.publishing.brief import Brief, BriefLine
from caresignals.signals.models import QualityRisk
from tests.factories import EventFactory, member
from tests.publishing.test_board import REPORT_MONTH, region  # noqa: F401 - the fixture
from tests.speakup.factories import raise_case

pytestmark = pytest.mark.django_db


def _risk(org, reference, score, target, **extra):
    return QualityRisk.objects.create(
        reference=reference,
        title=f"Synthetic risk {reference}",
        description="Synthetic.",
        organisation=org,
        consequence=score[0],
        likelihood=score[1],
        target_consequence=target[0],
        target_likelihood=target[1],
        owner="Synthetic owner",
        review_on=dt.date(2026, 1, 31),
        opened_on=dt.date(2025, 6, 1),
        **extra,
    )


@pytest.fixture
def reader(region):  # noqa: F811 - the fixture imported above
    user = member(region.trust_a, Role.BOARD_MEMBER, username="bea", first_name="Bea")
    client = Client()
    client.force_login(user)
    return user, client


def test_what_changed_compares_with_the_month_before(region, reader):  # noqa: F811
    EventFactory(organisation=region.trust_a, occurred_on=dt.date(2025, 11, 10))
    EventFactory(
        organisation=region.trust_a,
        occurred_on=dt.date(2025, 12, 2),
        physical_harm="severe",
        never_event_type="wrong_site_surgery",
    )
    report = board.board_report(reader[0], "TA", REPORT_MONTH)
    brief = report.brief
    assert brief is not None and brief.previous_label == "November 2025"
    attention, events, never = (line.text for line in brief.changed)
    assert attention.startswith("2 indicators need attention")
    assert events.startswith("1 patient-safety event in December 2025 (as many as in November")
    assert "1 caused moderate harm or worse (0 in November 2025)" in events
    assert never.startswith("1 Never Event in December 2025: Wrong-site surgery at Trust A")
    assert all(line.internal and line.href.startswith("#") for line in brief.changed)


def test_what_needs_a_decision(region, reader):  # noqa: F811
    _risk(region.trust_a, "QR-1", (5, 4), (2, 2))  # 20 against 4: above appetite
    _risk(region.maternity_a, "QR-2", (3, 3), (3, 3))  # at its target: not above
    _risk(region.trust_b, "QR-3", (5, 5), (1, 1))  # another trust's
    for _ in range(10):  # a multiple of 5: the disclosure control rounds to fives
        raise_case(region.trust_a, categories=("patient_safety",), raised_on=dt.date(2025, 11, 3))
    report = board.board_report(reader[0], "TA", REPORT_MONTH)
    decisions = {line.link_text: line for line in report.brief.decisions}
    assert set(decisions) == {"Watchlist", "Candour by provider", "Risks", "Speak-up counts"}
    risks = decisions["Risks"]
    assert "1 open risk is above appetite" in risks.text and "QR-1" in risks.text
    assert "QR-2" not in risks.text and "QR-3" not in risks.text
    assert risks.href == "/signals/risks/QR-1/"
    assert decisions["Candour by provider"].text.startswith("Duty of Candour: no notification")
    speakup = decisions["Speak-up counts"].text
    assert speakup.startswith("Speak-up: 10 cases raised in October to December 2025")
    assert "patient safety (10)" in speakup and "Counts under 8 are not shown" in speakup


def test_the_speak_up_line_says_how_many_themes_are_held_back(region, reader):  # noqa: F811
    """Every theme small: the line still gives the cases and says what is not shown."""
    for i in range(10):
        themes = ("worker_safety",) if i < 3 else ("bullying_harassment",) if i < 5 else ()
        raise_case(region.trust_a, categories=themes, raised_on=dt.date(2025, 11, 3))
    report = board.board_report(reader[0], "TA", REPORT_MONTH)
    speakup = {line.link_text: line for line in report.brief.decisions}["Speak-up counts"].text
    assert speakup.startswith("Speak-up: 10 cases raised in October to December 2025.")
    assert "most often" not in speakup
    assert "2 themes with fewer than 8 cases (or that would reveal one) are not shown" in speakup


def _candour_and_speakup(report) -> dict[str, str]:
    return {
        line.link_text: line.text
        for line in report.brief.decisions
        if line.link_text in ("Candour by provider", "Speak-up counts")
    }


def test_the_command_line_report_reads_candour_and_speak_up_in_its_scope(
    region,  # noqa: F811
    reader,
    today,
    tmp_path,
    monkeypatch,
):
    from tests.publishing.test_board import _run

    for _ in range(2):  # notifiable, reported a month ago, nobody told yet: overdue
        EventFactory(
            organisation=region.trust_a,
            physical_harm="severe",
            occurred_on=dt.date(2025, 12, 1),
            reported_on=today - dt.timedelta(days=40),
        )
    for _ in range(10):
        raise_case(region.trust_a, categories=("patient_safety",), raised_on=dt.date(2025, 11, 3))

    web = _candour_and_speakup(board.board_report(reader[0], "TA", REPORT_MONTH))
    assert web["Candour by provider"].startswith("Duty of Candour: 2 notifications are overdue")
    assert web["Speak-up counts"].startswith("Speak-up: 10 cases raised")
    # Read as the trust the board member sits in: the very same lines.
    as_trust = board.system_board_report("TA", REPORT_MONTH, as_organisation="TA")
    assert _candour_and_speakup(as_trust) == web
    # By default, the whole ICS: both lines are there too, counted across every provider.
    ics = _candour_and_speakup(board.system_board_report("TA", REPORT_MONTH))
    assert ics["Candour by provider"] == web["Candour by provider"]
    assert ics["Speak-up counts"].startswith("Speak-up: 10 cases raised")
    # Read as another trust, Trust A's report is out of scope.
    with pytest.raises(board.OutsideScope):
        board.system_board_report("TA", REPORT_MONTH, as_organisation="TB")

    out = tmp_path / "ta.pdf"
    argv = ["report", "board", "--org", "TA", "--period", "2025-12", "--out", str(out)]
    assert _run(monkeypatch, *argv, "--as-organisation", "TA") == 0
    text = " ".join(" ".join(_pages(out.read_bytes())).split())
    assert "Duty of Candour: 2 notifications are overdue" in text
    assert "Speak-up: 10 cases raised in October to December 2025" in text
    assert _run(monkeypatch, *argv, "--as-organisation", "NOPE") == 1
    assert _run(monkeypatch, *argv, "--as-organisation", "TB") == 1


def test_a_reader_without_the_capability_gets_no_such_decision(region):  # noqa: F811
    staff = member(region.trust_a, Role.STAFF)
    report = board.board_report(staff, "TA", REPORT_MONTH)
    assert report.brief is not None and report.brief.decisions == []
    assert len(report.brief.changed) == 3


def test_the_page_leads_with_the_summary_and_folds_the_detail(region, reader):  # noqa: F811
    html = reader[1].get("/reports/TA/board/", {"period": "2025-12"}).content.decode()
    summary = html.index("Summary for the board")
    assert summary < html.index("What changed since November 2025")
    assert summary < html.index("What needs a decision") < html.index('id="attention"')
    assert html.count('<details class="nhsuk-details cs-section-details">') == len(
        board.board_report(reader[0], "TA", REPORT_MONTH).sections
    )
    assert '<a href="#attention">Charts that need attention<span' in html


def test_the_home_page_leads_with_this_months_report(region, reader):  # noqa: F811
    html = reader[1].get("/").content.decode()
    first = html.index("Board quality report: March 2026")
    assert first < html.index("Your roles")
    assert "/reports/TA/board.pdf?period=2026-03" in html
    assert re.search(r"\d+ indicators? needs? attention \(\d+ new since February 2026\)", html)


def test_other_roles_have_no_board_report_on_their_home_page(region):  # noqa: F811
    client = Client()
    client.force_login(member(region.trust_a, Role.STAFF))
    assert "Board quality report" not in client.get("/").content.decode()


# --------------------------------------------------------------------------- the PDF


def _pages(data: bytes) -> list[str]:
    """The text of each page of a PDF, by poppler's pdftotext."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode().split("\f")[:-1]


def _headings(html: str) -> list[str]:
    found = re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip() for h in found]


def _last_line(page: str) -> str:
    lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
    body = [ln for ln in lines if not re.search(r"Page \d+ of \d+", ln)]
    return body[-1] if body else ""


def _long_brief() -> Brief:
    """The longest summary brief.py can write: every line naming MAX_NAMED long names."""
    name = "Surgical wards and theatres, Wearbridge and District Hospitals NHS Foundation Trust"
    text = "; ".join([f"An indicator with a long name at {name}"] * 3) + "; and 9 more."
    line = BriefLine(text, "#attention", "Charts that need attention", internal=True)
    return Brief("November 2025", [line] * 3, [line] * 4)


def test_the_summary_is_at_most_two_pages_and_no_page_ends_with_a_heading(region):  # noqa: F811
    report = board.system_board_report("TA", REPORT_MONTH)
    report = replace(report, brief=_long_brief())
    html = pdf.print_html(report)
    pages = _pages(pdf.html_to_pdf(html))
    detail = next(i for i, p in enumerate(pages) if "The detail" in p)
    assert 1 <= detail <= 2  # the summary (with the title) fills pages 1 to `detail`
    assert "Summary for the board" in pages[0]
    headings = [h for h in _headings(html) if h]
    for number, page in enumerate(pages, start=1):
        last = _last_line(page)
        assert not any(last.startswith(h) for h in headings), f"page {number} ends: {last}"


def test_a_tables_header_row_repeats_on_every_page_it_runs_onto(region):  # noqa: F811
    report = board.system_board_report("TA", REPORT_MONTH)
    groups = report.section("summary").data
    many = [replace(groups[0], rows=groups[0].rows * 40)]  # a table three pages long
    sections = [replace(s, data=many) if s.key == "summary" else s for s in report.sections]
    pages = _pages(pdf.board_pdf(replace(report, sections=sections)))
    table_pages = [p for p in pages if p.count("Falls per 1,000 bed days") > 3]
    assert len(table_pages) >= 2
    assert all(re.search(r"Indicator\s+Latest month\s+Value", p) for p in table_pages)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("service", "provider", "expected"),
    [
        (
            "Maternity unit, Tynemouth Reach Hospitals NHS Foundation Trust",
            "Tynemouth Reach Hospitals NHS Foundation Trust",
            "Maternity unit, Tynemouth Reach Hospitals NHS Foundation Trust",
        ),
        (
            "Residential care, Larchfield House",
            "Larchfield House, Saltburn Bay",
            "Residential care, Larchfield House, Saltburn Bay",
        ),
        ("Maternity A", "Trust A", "Maternity A, Trust A"),
        (None, "Trust A", "Trust A"),
        ("", "Trust A", "Trust A"),
    ],
)
def test_a_service_is_named_with_its_provider_once(service, provider, expected):
    assert service_at_provider(service, provider) == expected
