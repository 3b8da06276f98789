"""Open data, for anyone (ADR 29): the current release's tables with CSV, JSON and Parquet
downloads, earlier releases, the data dictionary, and what is published and how it is
protected. Everything is read from the tables kept at publication, never recomputed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caresignals.publishing import open_data, queries, releases

BREADCRUMBS = [{"text": "Open data", "href": "/open-data/"}]


@login_not_required
@require_GET
def open_data_index(request: HttpRequest) -> HttpResponse:
    page = releases.public_page(queries.current_release())
    return render(request, "publishing/open_data.jinja", {"page_title": "Open data", "page": page})


@login_not_required
@require_GET
def open_data_release(request: HttpRequest, period: str) -> HttpResponse:
    page = releases.public_page(queries.public_release(period))
    return render(
        request,
        "publishing/open_data.jinja",
        {
            "page_title": f"Open data for {page.month_name}",
            "page": page,
            "breadcrumbs": BREADCRUMBS,
        },
    )


@login_not_required
@require_GET
def open_data_download(request: HttpRequest, period: str, name: str, fmt: str) -> HttpResponse:
    found = queries.public_release(period)
    body = queries.table_file(found, name, fmt)
    response = HttpResponse(body, content_type=queries.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{period}-{name}.{fmt}"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_not_required
@require_GET
def open_data_dictionary(request: HttpRequest) -> HttpResponse:
    page = releases.public_page(queries.current_release())
    return render(
        request,
        "publishing/open_data_dictionary.jinja",
        {
            "page_title": "Open data dictionary",
            "columns": releases.dictionary_rows(),
            "page": page,
            "breadcrumbs": BREADCRUMBS,
            "suppressed_marker": open_data.SUPPRESSED,
        },
    )


def _dictionary_csv(page: releases.PublicPage, filename: str) -> HttpResponse:
    body = open_data.dictionary_csv((t.name, t.title) for t in page.tables)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_not_required
@require_GET
def open_data_dictionary_csv(request: HttpRequest) -> HttpResponse:
    """The columns, and the current release's tables."""
    return _dictionary_csv(releases.public_page(queries.current_release()), "data-dictionary.csv")


@login_not_required
@require_GET
def open_data_release_dictionary_csv(request: HttpRequest, period: str) -> HttpResponse:
    """The columns, and one release's tables: the file `caresignals publish` writes."""
    page = releases.public_page(queries.public_release(period))
    return _dictionary_csv(page, f"{period}-data-dictionary.csv")


@login_not_required
@require_GET
def open_data_about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/open_data_about.jinja",
        {
            "page_title": "What we publish and how it is protected",
            "threshold": open_data.THRESHOLD,
            "base": open_data.BASE,
            "licence": open_data.LICENCE,
            "licence_url": open_data.LICENCE_URL,
            "breadcrumbs": BREADCRUMBS,
            "suppressed_marker": open_data.SUPPRESSED,
        },
    )
