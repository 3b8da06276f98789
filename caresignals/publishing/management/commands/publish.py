"""caresignals publish --period YYYY-MM --out DIR

Writes a published release's tables as exactly the CSV files the open-data pages serve, with
the data dictionary and manifest.json (each file's rows and SHA-256, the period, and when it
was written), so a release can be checked, archived or served from anywhere (ADR 29)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from caresignals.core.periods import Month, MonthError
from caresignals.publishing import open_data, queries
from caresignals.publishing.models import Release

DICTIONARY = "data-dictionary.csv"
MANIFEST = "manifest.json"


class Command(BaseCommand):
    help = (
        "Write a published open-data release as CSV files, its data dictionary and a "
        "manifest.json of the files' rows and SHA-256 checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, metavar="YYYY-MM", help="the month")
        parser.add_argument(
            "--out", required=True, metavar="DIR", type=Path, help="a new or empty folder"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["period"])
        except MonthError as exc:
            raise CommandError(f"--period: {exc}", returncode=1) from None
        out: Path = options["out"]
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(
                f"--out: {str(out)!r} already exists and is not an empty folder; "
                "name a new or empty folder",
                returncode=1,
            )
        release = Release.objects.public().filter(period=month.first_day).first()
        if release is None:
            raise CommandError(
                f"--period: nothing is published for {month}: the ICB quality lead prepares "
                "and publishes a release at /publishing/ first",
                returncode=1,
            )
        out.mkdir(parents=True, exist_ok=True)
        files = []
        tables = queries.tables_of(release)
        for table in tables:
            body = queries.table_file(release, table.name, "csv")
            files.append(self._write(out, f"{table.name}.csv", body, table.rows))
        dictionary = open_data.dictionary_csv((t.name, t.title) for t in tables)
        files.append(self._write(out, DICTIONARY, dictionary, dictionary.count(b"\n") - 1))
        manifest = {
            "period": str(month),
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "published_at": release.published_at.isoformat(timespec="seconds")
            if release.published_at
            else None,
            "licence": open_data.LICENCE,
            "files": files,
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {len(tables)} tables of {month.label} to {out}.")

    @staticmethod
    def _write(out: Path, name: str, body: bytes, rows: int) -> dict[str, Any]:
        (out / name).write_bytes(body)
        return {"name": name, "rows": rows, "bytes": len(body), "sha256": open_data.sha256(body)}
