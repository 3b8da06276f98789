"""The board quality report: a page to read, and the same report as a PDF to circulate.

Views only orchestrate: the report and its scoping come from board.py, the PDF from pdf.py.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.publishing import board as reports
from caresignals.publishing import pdf


def _page(request: HttpRequest, page: reports.BoardPage, status: int = 200) -> HttpResponse:
    context = {"page_title": page.title, "page": page, "breadcrumbs": page.breadcrumbs}
    if page.report is not None:
        context.update(reports.template_context(page.report))
    return render(request, "publishing/board.jinja", context, status=status)


def board(request: HttpRequest, code: str) -> HttpResponse:
    page = reports.board_page(request.user, code, request.GET.get("period"))
    return _page(request, page, status=400 if page.error else 200)


def board_pdf(request: HttpRequest, code: str) -> HttpResponse:
    page = reports.board_page(request.user, code, request.GET.get("period"))
    if page.report is None:
        # Explain on the page rather than send an empty file.
        return _page(request, page, status=400 if page.error else 404)
    response = HttpResponse(
        pdf.board_pdf_for(request.user, page.report), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{reports.pdf_filename(page.report)}"'
    return response
