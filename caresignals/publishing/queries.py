"""Reads of releases for the views, the public API and the release command (ADR 29).

Public reads see only published releases (`Release.objects.public()`); the ICB's pages see
every release, behind MANAGE_PUBLICATION."""

from __future__ import annotations

from django.http import Http404

from caresignals.core.periods import Month, MonthError
from caresignals.publishing.models import PublicationChoice, Release, ReleaseTable

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}


def public_releases() -> list[Release]:
    return list(Release.objects.public().order_by("-period"))


def current_release() -> Release | None:
    return Release.objects.public().order_by("-period").first()


def public_release(period: str) -> Release:
    """The published release of `period` (YYYY-MM); 404 if none, or withdrawn."""
    try:
        month = Month.parse(period)
    except MonthError as error:
        raise Http404("Not found") from error
    found = Release.objects.public().filter(period=month.first_day).first()
    if found is None or not Month.is_month(period):
        raise Http404("Not found")
    return found


def tables_of(release: Release) -> list[ReleaseTable]:
    return list(release.tables.defer("csv", "json", "parquet").order_by("name"))


def table_file(release: Release, name: str, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise Http404("Not found")
    found = release.tables.filter(name=name).only(fmt).first()
    if found is None:
        raise Http404("Not found")
    return bytes(getattr(found, fmt))


def all_releases() -> list[Release]:
    return list(Release.objects.order_by("-period", "-prepared_at"))


def release(pk: int) -> Release:
    found = Release.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("Not found")
    return found


def chosen_tables() -> set[tuple[str, str]]:
    return {
        (c.indicator.code, c.breakdown)
        for c in PublicationChoice.objects.select_related("indicator")
    }
