"""The board report as a PDF, drawn by WeasyPrint from the same partials as the web page.

Nothing leaves the machine: the HTML carries its charts as inline SVG and its styles in
print.css, and the URL fetcher refuses every URL that is not a `data:` URL or a file under
this app, so a stray link to a web font or image cannot make a request (DESIGN.md).
Fonts are the machine's own (Liberation Sans, Arial's metric twin, then DejaVu Sans).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from caresignals.core import clock
from caresignals.publishing.board import BoardReport, template_context

HERE = Path(__file__).resolve().parent
PRINT_CSS = HERE / "print.css"

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A URL the PDF renderer may not fetch."""


class LocalOnlyFetcher(URLFetcher):
    """Fetches `data:` URLs and files under `roots`; refuses everything else.

    WeasyPrint reports a refused resource as a warning and carries on without it, so a
    mistake in a template costs a missing picture, never a request off the machine.
    `refused` lists what was turned away, for logs and tests.
    """

    def __init__(self, roots: tuple[Path, ...] = (HERE,)) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = tuple(r.resolve() for r in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            from urllib.request import url2pathname

            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        self.refused.append(url)
        log.warning("board report PDF: refused to fetch %s", url)
        raise RefusedURL(f"only data: URLs and local files may be used in a PDF, not {url!r}")


def html_to_pdf(html: str, *, fetcher: LocalOnlyFetcher | None = None) -> bytes:
    """A4 PDF of `html` with the print stylesheet, tagged for screen readers."""
    fetcher = fetcher or LocalOnlyFetcher()
    document = HTML(string=html, base_url=str(HERE) + "/", url_fetcher=fetcher)
    stylesheet = CSS(string=PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet], pdf_tags=True)
    assert pdf is not None
    return bytes(pdf)


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
