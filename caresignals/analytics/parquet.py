"""Aggregation at scale: Parquet snapshots of the events, aggregated with DuckDB.

DuckDB cannot read SQLite or PostgreSQL here (its reader extensions download at run time),
so the app writes the columns analytics needs to Parquet and DuckDB reads those. The monthly
counts are the same numerators the operational path computes (event_indicators.py); a test
proves the two agree. The same query runs over the national-scale synthetic events that
`caresignals demo --scale national` writes, which carry the import file's text columns.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection

SNAPSHOT_COLUMNS = [
    "org_code",
    "service_code",
    "occurred_on",
    "record_type",
    "physical_harm",
    "psychological_harm",
    "category",
    "never_event_type",
]

# One row per organisation, service (blank for none) and month, with each numerator the
# derived indicators use. Harm ranks make "moderate or worse" the same rule as max_harm.
MONTHLY_COUNTS_SQL = """
WITH events AS (
    SELECT
        org_code,
        coalesce(service_code, '') AS service_code,
        date_trunc('month', CAST(occurred_on AS DATE)) AS month,
        record_type,
        category,
        coalesce(never_event_type, '') AS never_event_type,
        coalesce(physical_harm, '') AS physical_harm,
        greatest(
            CASE coalesce(physical_harm, '') WHEN 'moderate' THEN 2 WHEN 'severe' THEN 3
                WHEN 'fatal' THEN 4 ELSE 0 END,
            CASE coalesce(psychological_harm, '') WHEN 'moderate' THEN 2 WHEN 'severe' THEN 3
                ELSE 0 END
        ) AS harm_rank
    FROM read_parquet(?)
)
SELECT
    org_code,
    service_code,
    CAST(month AS DATE) AS month,
    count(*) FILTER (WHERE record_type = 'incident' AND harm_rank >= 2) AS moderate_harm_rate,
    count(*) FILTER (WHERE record_type = 'incident') AS incident_reporting_rate,
    count(*) FILTER (WHERE category = 'restrictive_practice') AS restraint_events,
    count(*) FILTER (
        WHERE category = 'falls' AND physical_harm IN ('low', 'moderate', 'severe', 'fatal')
    ) AS falls_with_harm,
    count(*) FILTER (WHERE never_event_type <> '') AS never_events
FROM events
GROUP BY org_code, service_code, month
ORDER BY org_code, service_code, month
"""


def write_snapshot(directory: Path, *, chunk: int = 250_000) -> Path:
    """Write every stored event's analytic columns to `directory`/events.parquet."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "events.parquet"
    schema = pa.schema(
        [(c, pa.date32() if c == "occurred_on" else pa.string()) for c in SNAPSHOT_COLUMNS]
    )
    sql = (
        "SELECT o.code, s.code, e.occurred_on, e.record_type, e.physical_harm, "
        "e.psychological_harm, e.category, e.never_event_type "
        "FROM safety_patientsafetyevent e "
        "JOIN organisations_organisation o ON o.id = e.organisation_id "
        "LEFT JOIN organisations_organisation s ON s.id = e.service_id ORDER BY e.id"
    )
    with pq.ParquetWriter(path, schema) as writer, connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            columns = list(zip(*rows, strict=True))
            arrays = [
                pa.array(
                    [_date(v) for v in col] if name == "occurred_on" else [v or "" for v in col],
                    type=schema.field(name).type,
                )
                for name, col in zip(SNAPSHOT_COLUMNS, columns, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    return path


def _date(value: object) -> object:
    if isinstance(value, str):
        import datetime as dt

        return dt.date.fromisoformat(value)
    return value


def monthly_counts(parquet: str | Path) -> pa.Table:
    """The monthly numerators over Parquet files (a path or a glob such as dir/*.parquet)."""
    with duckdb.connect() as con:
        return con.sql(MONTHLY_COUNTS_SQL, params=[str(parquet)]).to_arrow_table()
