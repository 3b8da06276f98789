"""Monthly aggregation of about 10 M events with DuckDB over Parquet.

Target (issue 7): our aggregation (caresignals.analytics.parquet.monthly_counts) within 1.5×
of a hand-written DuckDB query over the same files. The events are the national-scale
synthetic region (`caresignals demo --scale national` writes them to var/national/events);
when those files are missing they are generated into a temporary folder first.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from benchmarks._table import Result, best_of

HAND_WRITTEN = """
SELECT org_code, service_code, date_trunc('month', CAST(occurred_on AS DATE)) AS month,
       count(*) FILTER (WHERE record_type = 'incident'
                        AND (physical_harm IN ('moderate', 'severe', 'fatal')
                             OR psychological_harm IN ('moderate', 'severe'))) AS harm,
       count(*) FILTER (WHERE record_type = 'incident') AS incidents,
       count(*) FILTER (WHERE category = 'restrictive_practice') AS restraint,
       count(*) FILTER (WHERE category = 'falls'
                        AND physical_harm IN ('low', 'moderate', 'severe', 'fatal')) AS falls,
       count(*) FILTER (WHERE never_event_type <> '') AS never
FROM read_parquet(?)
GROUP BY ALL
"""


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    os.environ.setdefault("CARESIGNALS_SECRET_KEY", "bench-only-not-secret")
    django.setup()


def _national_files(tmp: Path) -> tuple[str, int]:
    from django.conf import settings

    existing = Path(settings.VAR_DIR) / "national" / "events"
    files = sorted(existing.glob("*.parquet"))
    if not files:
        import pyarrow.parquet as pq

        from caresignals.demo import generator

        for i, batch in enumerate(
            generator.iter_event_batches(seed=2026, scale="national", plants=True)
        ):
            pq.write_table(batch, tmp / f"part-{i:04d}.parquet")
        files = sorted(tmp.glob("*.parquet"))
    glob = str(files[0].parent / "*.parquet")
    with duckdb.connect() as con:
        rows = con.sql("SELECT count(*) FROM read_parquet(?)", params=[glob]).fetchall()
    return glob, int(rows[0][0])


def run() -> list[Result]:
    _django()
    from caresignals.analytics import parquet

    with tempfile.TemporaryDirectory() as tmp:
        glob, rows = _national_files(Path(tmp))
        con = duckdb.connect()
        hand = best_of(lambda: con.sql(HAND_WRITTEN, params=[glob]).to_arrow_table(), repeat=3)
        con.close()
        ours = best_of(lambda: parquet.monthly_counts(glob), repeat=3)
    return [
        Result(f"hand-written DuckDB query, {rows:,} events", hand, None),
        Result(
            f"analytics.parquet.monthly_counts, {rows:,} events",
            ours,
            hand * 1.5,
            note="target: within 1.5x of the hand-written query",
        ),
    ]


if __name__ == "__main__":
    from benchmarks._table import print_table

    print_table(run())
