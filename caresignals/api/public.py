"""The public open-data API, `/api/public/v1/` (docs/api.md, ADR 29): read-only, no token.

Lists the published releases and their tables, with links to the same files the open-data
pages serve; a table's rows come from the kept JSON file, never recomputed. Withdrawn
releases are gone from every answer.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Swagger

from caresignals.publishing import open_data, queries

public_api = NinjaAPI(
    title="Care Signals open data API",
    version="1",
    description=(
        "Published open-data releases of an integrated care system: every table is a count "
        "for one month after disclosure control (1 to 7 withheld with cells that would reveal "
        f"them, others rounded to 5). No token needed; read-only. Licence: {open_data.LICENCE}."
    ),
    urls_namespace="public_api",
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class TableOut(Schema):
    name: str
    title: str
    indicator_code: str
    breakdown: str
    rows: int
    csv_url: str
    json_url: str
    parquet_url: str


class ReleaseOut(Schema):
    period: str
    published_at: str
    tables: list[TableOut]


class ReleaseSummary(Schema):
    period: str
    published_at: str
    url: str


class RowOut(Schema):
    period: str
    indicator_code: str
    indicator_name: str
    breakdown: str
    code: str
    name: str
    place_code: str
    count: int | None
    marker: str


class TableRows(Schema):
    period: str
    name: str
    licence: str
    rows: list[RowOut]


def _table(period: str, t: Any) -> TableOut:
    base = f"/open-data/{period}/{t.name}"
    return TableOut(
        name=t.name,
        title=t.title,
        indicator_code=t.indicator_code,
        breakdown=t.breakdown,
        rows=t.rows,
        csv_url=f"{base}.csv",
        json_url=f"{base}.json",
        parquet_url=f"{base}.parquet",
    )


@public_api.get(
    "/releases", response=list[ReleaseSummary], url_name="open_data_releases", tags=["open data"]
)
def releases(request: HttpRequest) -> list[ReleaseSummary]:
    """Every published release, newest first."""
    return [
        ReleaseSummary(
            period=r.month_text,
            published_at=r.published_at.isoformat() if r.published_at else "",
            url=f"/api/public/v1/releases/{r.month_text}",
        )
        for r in queries.public_releases()
    ]


@public_api.get(
    "/releases/{period}", response=ReleaseOut, url_name="open_data_release", tags=["open data"]
)
def release(request: HttpRequest, period: str) -> ReleaseOut:
    """One published release (YYYY-MM) and its tables; 404 if none or withdrawn."""
    found = queries.public_release(period)
    return ReleaseOut(
        period=found.month_text,
        published_at=found.published_at.isoformat() if found.published_at else "",
        tables=[_table(found.month_text, t) for t in queries.tables_of(found)],
    )


@public_api.get(
    "/releases/{period}/tables/{name}",
    response=TableRows,
    url_name="open_data_table",
    tags=["open data"],
)
def table(request: HttpRequest, period: str, name: str) -> TableRows:
    """A table's rows, exactly as its JSON download holds them."""
    found = queries.public_release(period)
    body = json.loads(queries.table_file(found, name, "json"))
    return TableRows(period=found.month_text, name=name, licence=body["licence"], rows=body["rows"])
