"""The board report as a PDF, drawn by WeasyPrint from the same partials as the web page.

The renderer, its print stylesheet and its local-only URL fetcher live in core/pdf.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from caresignals.core import clock
from caresignals.core.cache import cached, work_version
from caresignals.core.pdf import LocalOnlyFetcher, RefusedURL, html_to_pdf
from caresignals.publishing.board import BoardReport, template_context

__all__ = ["LocalOnlyFetcher", "RefusedURL", "board_pdf", "html_to_pdf", "print_html"]


def print_html(report: BoardReport, *, today: dt.date | None = None) -> str:
    """The standalone HTML the PDF is drawn from (no links, no scripts, no requests)."""
    return render_to_string(
        "publishing/board_print.jinja",
        {
            **template_context(report),
            "print_version": True,
            "synthetic": settings.DEMO,
            "generated_on": today or clock.today(),
        },
    )


def board_pdf(report: BoardReport, *, today: dt.date | None = None) -> bytes:
    return html_to_pdf(print_html(report, today=today))


def board_pdf_for(user: Any, report: BoardReport) -> bytes:
    """`board_pdf` as the web serves it: drawn once per reader's scope, day and version of
    the data up to the report's month (core/cache.py, ADR 25); drawing is most of its cost.
    The summary counts work as it stands today (overdue candour, speak-up), so the version
    of work in progress is in the key too (H81)."""
    return cached(
        user,
        "publishing.board-pdf",
        (report.organisation.code, report.period, clock.today(), work_version()),
        lambda: board_pdf(report),
        through=report.period,
    )
