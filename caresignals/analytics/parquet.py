"""Aggregation at scale: Parquet snapshots of the events and feedback, aggregated with DuckDB.

DuckDB cannot read SQLite or PostgreSQL here (its reader extensions download at run time),
so the app writes the columns analytics needs to Parquet and DuckDB reads those. The monthly
counts are the same numerators the operational path computes (event_indicators.py), both
generated from the definition files' ``[numerator_rule]``; a test proves the two agree. The
same query runs over the national-scale synthetic events that `caresignals demo --scale
national` writes, which carry the import file's text columns. Feedback records are counted
the same way (feedback.parquet) for the experience indicators (ADR 17), a share with its
denominator beside it as ``<code>__out_of``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection

from caresignals.measures import numerators

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

FEEDBACK_COLUMNS = ["org_code", "service_code", "received_on", "kind", "fft_rating"]


def monthly_counts_sql(source: str = "events") -> str:
    """One row per organisation, service (blank for none) and month, with each numerator the
    derived indicators of `source` use, generated from their definition files
    (measures/numerators.py)."""
    rules = numerators.rules(source)
    columns = []
    for code, rule in rules.items():
        columns.append(f"count(*) FILTER (WHERE {rule.sql()}) AS {code}")
        if (out_of := rule.out_of_sql()) is not None:
            columns.append(f"count(*) FILTER (WHERE {out_of}) AS {code}__out_of")
    counts = ",\n    ".join(columns)
    return (
        f"WITH records AS ({numerators.SOURCES[source].snapshot_sql})\n"
        "SELECT\n    org_code,\n    service_code,\n    CAST(month AS DATE) AS month,\n"
        f"    {counts}\n"
        "FROM records\n"
        "GROUP BY org_code, service_code, month\n"
        "ORDER BY org_code, service_code, month\n"
    )


def write_snapshot(directory: Path, *, chunk: int = 250_000) -> Path:
    """Write every stored event's analytic columns to `directory`/events.parquet."""
    return _write(
        directory / "events.parquet",
        SNAPSHOT_COLUMNS,
        "occurred_on",
        "SELECT o.code, s.code, e.occurred_on, e.record_type, e.physical_harm, "
        "e.psychological_harm, e.category, e.never_event_type "
        "FROM safety_patientsafetyevent e "
        "JOIN organisations_organisation o ON o.id = e.organisation_id "
        "LEFT JOIN organisations_organisation s ON s.id = e.service_id ORDER BY e.id",
        chunk,
    )


def write_feedback_snapshot(directory: Path, *, chunk: int = 250_000) -> Path:
    """Write every feedback record's counted columns to `directory`/feedback.parquet."""
    return _write(
        directory / "feedback.parquet",
        FEEDBACK_COLUMNS,
        "received_on",
        "SELECT o.code, s.code, f.received_on, f.kind, f.fft_rating "
        "FROM voice_feedback f "
        "JOIN organisations_organisation o ON o.id = f.organisation_id "
        "LEFT JOIN organisations_organisation s ON s.id = f.service_id ORDER BY f.id",
        chunk,
    )


def _write(path: Path, names: Sequence[str], date_column: str, sql: str, chunk: int) -> Path:
    """Stream the query's rows into one Parquet file a chunk at a time, so a million records
    never sit in memory at once; blanks as '' as the store keeps them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([(c, pa.date32() if c == date_column else pa.string()) for c in names])
    with pq.ParquetWriter(path, schema) as writer, connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            columns = list(zip(*rows, strict=True))
            arrays = [
                pa.array(
                    [_date(v) for v in col] if name == date_column else [v or "" for v in col],
                    type=schema.field(name).type,
                )
                for name, col in zip(names, columns, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    return path


def _date(value: object) -> object:
    if isinstance(value, str):
        import datetime as dt

        return dt.date.fromisoformat(value)
    return value


def monthly_counts(parquet: str | Path, source: str = "events") -> pa.Table:
    """The monthly numerators over Parquet files (a path or a glob such as dir/*.parquet)."""
    with duckdb.connect() as con:
        return con.sql(monthly_counts_sql(source), params=[str(parquet)]).to_arrow_table()
