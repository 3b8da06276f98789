"""Import 1 M patient-safety events through `caresignals import events`, full validation.

Targets (issue 3): at least 50 000 rows/s on SQLite and 200 000 rows/s on PostgreSQL.
Each database is measured in a fresh child process with a fresh database: SQLite in a
temporary file; PostgreSQL when CARESIGNALS_BENCH_POSTGRES_URL names a server database
the benchmark may drop and recreate (e.g. postgres://postgres@127.0.0.1:5432/cs_bench).

    python -m benchmarks import_events          # via the runner
    python -m benchmarks.import_events --rows 200000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from benchmarks._table import Result

ROWS = int(os.environ.get("CARESIGNALS_BENCH_EVENTS", "1000000"))


def write_events_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A valid events file over the starter region's providers, made with numpy."""
    _django()
    from caresignals.demo.starter import PROVIDERS, area_rows

    rng = np.random.default_rng(seed)
    providers = np.array([p.code for p in PROVIDERS])
    org = providers[rng.integers(0, len(providers), rows)]
    lsoas = np.array([a.lsoa_code for a in area_rows(2026)])
    day0 = np.datetime64("2024-01-01")
    occurred = day0 + rng.integers(0, 900, rows).astype("timedelta64[D]")
    reported = occurred + rng.integers(0, 5, rows).astype("timedelta64[D]")
    harm = np.array(["none", "low", "moderate", "severe", "fatal"])[
        rng.choice(5, rows, p=[0.7, 0.25, 0.035, 0.01, 0.005])
    ]
    blank = np.full(rows, "", dtype=object)
    table = pa.table(
        {
            "source_id": pa.array(np.char.add("B", np.arange(rows).astype(str))),
            "record_type": pa.array(np.full(rows, "incident")),
            "org_code": pa.array(org),
            "service_code": pa.array(blank, pa.string()),
            "occurred_on": pa.array(occurred.astype(str)),
            "reported_on": pa.array(reported.astype(str)),
            "service_area": pa.array(np.full(rows, "acute")),
            "category": pa.array(
                np.array(["falls", "medication", "pressure_ulcer", "other"])[
                    rng.integers(0, 4, rows)
                ]
            ),
            "physical_harm": pa.array(harm),
            "psychological_harm": pa.array(blank, pa.string()),
            "never_event_type": pa.array(blank, pa.string()),
            "death_in_care_more_likely_than_not": pa.array(np.full(rows, "false")),
            "patient_died": pa.array(np.where(harm == "fatal", "true", "false")),
            "patient_age_years": pa.array(rng.integers(0, 100, rows).astype(str)),
            "patient_sex": pa.array(np.array(["female", "male"])[rng.integers(0, 2, rows)]),
            "patient_ethnicity": pa.array(
                np.array(list("AAAAAAAABCHJMNZ"))[rng.integers(0, 15, rows)]
            ),
            "patient_lsoa": pa.array(lsoas[rng.integers(0, len(lsoas), rows)]),
            "patient_imd_decile": pa.array(blank, pa.string()),
            "learning_disability": pa.array(np.full(rows, "false")),
            "autism": pa.array(np.full(rows, "unknown")),
            "detained_mha": pa.array(np.full(rows, "false")),
            "description": pa.array(np.full(rows, "Synthetic benchmark event.")),
            "reporter_type": pa.array(np.full(rows, "staff")),
            "anonymous": pa.array(np.full(rows, "false")),
        }
    )
    pacsv.write_csv(table, path)


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    os.environ.setdefault("CARESIGNALS_SECRET_KEY", "bench-only-not-secret")
    django.setup()


def child(rows: int, csv_path: Path) -> dict[str, float]:
    """Runs in a fresh process with DATABASE_URL set: migrate, load the region, import."""
    _django()
    from django.core.management import call_command

    from caresignals.audit.services import Actor
    from caresignals.demo.starter import build_starter_region
    from caresignals.interop.importing import run_import
    from caresignals.safety.events.importers import EventImporter

    call_command("migrate", verbosity=0)
    call_command("flush", verbosity=0, interactive=False)
    build_starter_region()
    start = time.perf_counter()
    report = run_import(EventImporter(Actor(label="benchmark")), csv_path, progress=False)
    seconds = time.perf_counter() - start
    assert report.created == rows, report.summary()
    return {"seconds": seconds, "rows": rows}


def _measure(database_url: str, rows: int, csv_path: Path) -> dict[str, float]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CARESIGNALS_SECRET_KEY": os.environ.get("CARESIGNALS_SECRET_KEY", "bench"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_events", "--child", str(rows), str(csv_path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh_postgres(url: str) -> str:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def run(rows: int = ROWS) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "events.csv"
        write_events_csv(csv_path, rows)
        sqlite = _measure(f"sqlite:///{tmp}/bench.sqlite3", rows, csv_path)
        results.append(
            Result(
                f"import {rows:,} events: SQLite",
                rows / sqlite["seconds"],
                50_000,
                "rows/s",
                f"{sqlite['seconds']:.1f} s in all",
            )
        )
        pg_url = os.environ.get("CARESIGNALS_BENCH_POSTGRES_URL")
        if pg_url:
            pg = _measure(_fresh_postgres(pg_url), rows, csv_path)
            results.append(
                Result(
                    f"import {rows:,} events: PostgreSQL",
                    rows / pg["seconds"],
                    200_000,
                    "rows/s",
                    f"{pg['seconds']:.1f} s in all",
                )
            )
        else:
            print(
                "CARESIGNALS_BENCH_POSTGRES_URL not set: PostgreSQL import not measured",
                file=sys.stderr,
            )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("ROWS", "CSV"))
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), Path(args.child[1]))))
    else:
        from benchmarks._table import print_table

        print_table(run(args.rows))
