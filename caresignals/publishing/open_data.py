"""The tables of an open-data release, made once through disclosure control (ADR 29).

Each chosen table is one count indicator for one month, by provider or by place. Every
breakdown of the same figure is protected together (`stats.disclosure.control_linked`): the
provider counts, the place counts (each the sum of its providers) and the one total, so that
no hidden cell can be worked out from any published sum. Only providers' monthly counts of
indicators are read (a provider without a value of its own counts as the sum of its
services'): nothing from speak-up cases, and no free text, ever reaches a table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from caresignals.core import spreadsheets
from caresignals.measures.models import Indicator, MeasureValue, Unit
from caresignals.organisations.models import Organisation, OrganisationKind
from caresignals.publishing.models import Breakdown
from caresignals.stats.disclosure import Equation, control_linked

THRESHOLD = 8
BASE = 5
SUPPRESSED = "[c]"
TOTAL_CODE = "ALL"
NO_PLACE = ("NONE", "Not in a place")
LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# The columns of every table, as the data dictionary describes them.
COLUMNS: list[tuple[str, str, str]] = [
    ("period", "text (YYYY-MM)", "The calendar month the counts are about."),
    ("indicator_code", "text", "The indicator's code in the public indicator library."),
    ("indicator_name", "text", "The indicator's name."),
    ("breakdown", "text", "How the figure is split: provider or place."),
    (
        "code",
        "text",
        f"The provider's or place's organisation code; {TOTAL_CODE} on the row for everyone.",
    ),
    ("name", "text", "The provider's or place's name."),
    (
        "place_code",
        "text",
        "For a provider, the code of the place it belongs to; blank for a place.",
    ),
    (
        "count",
        "whole number",
        f"The count after disclosure control: 0 stays 0, 1 to {THRESHOLD - 1} and cells that "
        f"would let them be worked out are left blank, every other count is rounded to the "
        f"nearest {BASE}.",
    ),
    (
        "marker",
        "text",
        f"{SUPPRESSED} where the count is withheld to protect people's confidentiality; "
        "blank otherwise.",
    ),
]
COLUMN_NAMES = [c[0] for c in COLUMNS]


class NothingToPublish(ValueError):
    """No table has been chosen for publication, or none has data for the month."""


def publishable_indicators() -> list[Indicator]:
    """Indicators that may be published: counts only. A rate or proportion divides by an
    activity measure (bed days, attendances) that is not a count of people; publishing it
    needs its own rules and is not offered."""
    return list(Indicator.objects.filter(unit=Unit.COUNT).order_by("name"))


@dataclass
class Row:
    code: str
    name: str
    place_code: str
    count: int | None  # None: withheld


@dataclass
class BuiltTable:
    name: str
    title: str
    indicator: Indicator
    breakdown: str
    period: str
    rows: list[Row] = field(default_factory=list)
    suppressed: int = 0
    secondary: int = 0
    rounded: int = 0

    def records(self) -> list[dict[str, object]]:
        return [
            {
                "period": self.period,
                "indicator_code": self.indicator.code,
                "indicator_name": self.indicator.name,
                "breakdown": self.breakdown,
                "code": r.code,
                "name": r.name,
                "place_code": r.place_code,
                "count": r.count,
                "marker": SUPPRESSED if r.count is None else "",
            }
            for r in self.rows
        ]

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = spreadsheets.dict_writer(out, COLUMN_NAMES, lineterminator="\n")
        writer.writeheader()
        for record in self.records():
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
        return out.getvalue().encode("utf-8")

    def json_bytes(self) -> bytes:
        body = {
            "period": self.period,
            "indicator": {"code": self.indicator.code, "name": self.indicator.name},
            "breakdown": self.breakdown,
            "licence": LICENCE,
            "rows": self.records(),
        }
        return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def parquet_bytes(self) -> bytes:
        records = self.records()
        schema = pa.schema(
            [(name, pa.int64() if name == "count" else pa.string()) for name in COLUMN_NAMES]
        )
        columns = {name: [r[name] for r in records] for name in COLUMN_NAMES}
        table = pa.Table.from_pydict(columns, schema=schema)
        sink = io.BytesIO()
        pq.write_table(table, sink, compression="zstd")
        return sink.getvalue()


def _place_of(provider: Organisation, places: dict[str, Organisation]) -> tuple[str, str]:
    for code in provider.ancestor_codes():
        if code in places:
            return code, places[code].name
    return NO_PLACE


def _figure(indicator: Indicator, month: dt.date, breakdowns: set[str]) -> list[BuiltTable]:
    own: dict[int, float] = {}
    from_services: dict[int, float] = {}
    for org_id, kind, parent_id, numerator in MeasureValue.objects.filter(
        indicator=indicator,
        period=month,
        stratum_type="",
        organisation__kind__in=[OrganisationKind.PROVIDER, OrganisationKind.SERVICE],
    ).values_list("organisation_id", "organisation__kind", "organisation__parent_id", "numerator"):
        if kind == OrganisationKind.PROVIDER:
            own[org_id] = numerator
        elif parent_id is not None:
            from_services[parent_id] = from_services.get(parent_id, 0.0) + numerator
    # A provider's own value where it has one (it covers its services); otherwise the sum of
    # its services' values, so a provider whose services submit is not left out.
    values = from_services | own
    if not values:
        return []
    providers = list(Organisation.objects.filter(id__in=values).order_by("code"))
    places = {
        p.code: p for p in Organisation.objects.filter(kind=OrganisationKind.PLACE).order_by("code")
    }
    place_of = {p.id: _place_of(p, places) for p in providers}
    place_keys = sorted({place_of[p.id] for p in providers})

    # One flat vector of cells: the providers, then the places, then the total.
    n, k = len(providers), len(place_keys)
    counts = [round(values[p.id]) for p in providers]
    place_index = {key: n + i for i, key in enumerate(place_keys)}
    place_counts = [0] * k
    for p, c in zip(providers, counts, strict=True):
        place_counts[place_index[place_of[p.id]] - n] += c
    total = n + k
    cells = [*counts, *place_counts, sum(counts)]
    sums: list[Equation] = []
    if Breakdown.PROVIDER in breakdowns:
        sums.append(Equation(total, tuple(range(n))))
    if Breakdown.PLACE in breakdowns:
        sums.append(Equation(total, tuple(range(n, n + k))))
    if {Breakdown.PROVIDER, Breakdown.PLACE} <= breakdowns:
        for key, index in place_index.items():
            members = tuple(i for i, p in enumerate(providers) if place_of[p.id] == key)
            sums.append(Equation(index, members))
    shown = control_linked(cells, sums, threshold=THRESHOLD, base=BASE)

    def value(i: int) -> int | None:
        v = float(shown.values[i])
        return None if math.isnan(v) else int(v)

    def tally(table: BuiltTable, indices: Iterable[int]) -> None:
        for i in indices:
            if shown.suppressed[i]:
                table.suppressed += 1
                table.secondary += int(not shown.primary[i])
            elif cells[i] != 0:
                table.rounded += 1

    period = f"{month:%Y-%m}"
    tables = []
    everyone = Row(TOTAL_CODE, "All providers", "", value(total))
    if Breakdown.PROVIDER in breakdowns:
        table = BuiltTable(
            name=f"{indicator.code}-by-provider",
            title=f"{indicator.name}, by provider",
            indicator=indicator,
            breakdown=Breakdown.PROVIDER,
            period=period,
        )
        for i, p in enumerate(providers):
            table.rows.append(Row(p.code, p.name, place_of[p.id][0], value(i)))
        table.rows.append(everyone)
        tally(table, [*range(n), total])
        tables.append(table)
    if Breakdown.PLACE in breakdowns:
        table = BuiltTable(
            name=f"{indicator.code}-by-place",
            title=f"{indicator.name}, by place",
            indicator=indicator,
            breakdown=Breakdown.PLACE,
            period=period,
        )
        for key, index in place_index.items():
            table.rows.append(Row(key[0], key[1], "", value(index)))
        table.rows.append(everyone)
        tally(table, [*range(n, n + k), total])
        tables.append(table)
    return tables


def build_tables(month: dt.date, choices: Iterable[tuple[Indicator, str]]) -> list[BuiltTable]:
    """Every chosen table for the month, protected figure by figure. Raises NothingToPublish
    when nothing was chosen or no chosen indicator has data for the month."""
    wanted: dict[int, tuple[Indicator, set[str]]] = {}
    for indicator, breakdown in choices:
        if indicator.unit != Unit.COUNT:
            continue
        wanted.setdefault(indicator.id, (indicator, set()))[1].add(breakdown)
    if not wanted:
        raise NothingToPublish(
            "nothing has been chosen for publication: choose the indicators and breakdowns "
            "to publish first"
        )
    tables: list[BuiltTable] = []
    for indicator, breakdowns in sorted(wanted.values(), key=lambda item: item[0].code):
        tables.extend(_figure(indicator, month, breakdowns))
    if not tables:
        raise NothingToPublish(
            f"none of the indicators chosen for publication has data for {month:%Y-%m}"
        )
    return tables


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dictionary_csv(tables: Iterable[tuple[str, str]]) -> bytes:
    """The data dictionary as CSV: every column, then every table (file name and title)."""
    out = io.StringIO()
    writer = spreadsheets.writer(out, lineterminator="\n")
    writer.writerow(["kind", "name", "type", "description"])
    for name, kind, description in COLUMNS:
        writer.writerow(["column", name, kind, description])
    for name, title in tables:
        writer.writerow(["table", name, "csv, json, parquet", title])
    writer.writerow(["licence", LICENCE, "", LICENCE_URL])
    return out.getvalue().encode("utf-8")
