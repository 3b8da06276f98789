"""What the open-data pages show (ADR 29): presenters over the kept release tables, so the
preview, the public pages and the downloads show the very same rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from caresignals.core.periods import Month
from caresignals.publishing import open_data, queries
from caresignals.publishing.models import Breakdown, Release, ReleaseStatus, ReleaseTable


@dataclass
class ChoiceRow:
    code: str
    name: str
    options: list[tuple[str, str, bool]]  # (value, label, chosen)


@dataclass
class IndexPage:
    choices: list[ChoiceRow]
    releases: list[Release]
    chosen_count: int


def index_page() -> IndexPage:
    chosen = queries.chosen_tables()
    rows = [
        ChoiceRow(
            i.code,
            i.name,
            [
                (f"{i.code}/{value}", label, (i.code, value) in chosen)
                for value, label in Breakdown.choices
            ],
        )
        for i in open_data.publishable_indicators()
    ]
    return IndexPage(rows, queries.all_releases(), len(chosen))


@dataclass
class TableView:
    table: ReleaseTable
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)


def table_view(table: ReleaseTable) -> TableView:
    reader = csv.DictReader(io.StringIO(bytes(table.csv).decode("utf-8")))
    return TableView(table, list(reader.fieldnames or []), list(reader))


@dataclass
class ReleasePage:
    release: Release
    title: str
    month_name: str
    tables: list[TableView]
    suppressed: int
    secondary: int
    rounded: int

    @property
    def is_draft(self) -> bool:
        return self.release.status == ReleaseStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.release.status == ReleaseStatus.PUBLISHED


def release_page(release: Release) -> ReleasePage:
    tables = [table_view(t) for t in release.tables.order_by("name")]
    month = Month.of(release.period)
    return ReleasePage(
        release=release,
        title=f"Open data for {month.label}",
        month_name=month.label,
        tables=tables,
        suppressed=sum(t.table.suppressed for t in tables),
        secondary=sum(t.table.secondary for t in tables),
        rounded=sum(t.table.rounded for t in tables),
    )


@dataclass
class PublicPage:
    release: Release | None
    month_name: str
    tables: list[ReleaseTable]
    earlier: list[Release]


def public_page(release: Release | None) -> PublicPage:
    if release is None:
        return PublicPage(None, "", [], [])
    earlier = [r for r in queries.public_releases() if r.pk != release.pk]
    return PublicPage(release, Month.of(release.period).label, queries.tables_of(release), earlier)


def dictionary_rows() -> list[tuple[str, str, str]]:
    return list(open_data.COLUMNS)
