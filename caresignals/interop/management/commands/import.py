"""caresignals import KIND FILE [--skip-invalid REJECTS.csv]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.audit.services import Actor
from caresignals.interop.importing import ImportFailed
from caresignals.interop.registry import IMPORTERS, definitions_loader, importer_class, runner

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = "Validate and load a CSV file: all or nothing, unless --skip-invalid is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="what the file holds")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid",
            type=Path,
            metavar="REJECTS.csv",
            help="load the valid rows and write the rejected ones, with a reason, to this file",
        )
        parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.command_line(f"import {options['kind']}")
        path: Path = options["file"]
        definitions = definitions_loader(options["kind"])  # indicators: reviewed TOML files
        if definitions is not None and (path.is_dir() or path.suffix == ".toml"):
            try:
                summary = definitions(path, actor)
            except (ValueError, OSError) as exc:
                raise CommandError(str(exc), returncode=1) from None
            self.stdout.write(summary)
            return
        importer = importer_class(options["kind"])(actor)
        run = runner(options["kind"])  # FHIR: JSON Lines, converted to events rows first
        try:
            report = run(
                importer,
                options["file"],
                skip_invalid=options["skip_invalid"],
                progress=False if options["no_progress"] else None,
            )
        except ImportFailed as failed:
            report = failed.report
            for error in report.errors[:SHOWN_ERRORS]:
                self.stderr.write(error.message())
            if report.error_count > SHOWN_ERRORS:
                self.stderr.write(f"… and {report.error_count - SHOWN_ERRORS} more errors.")
            raise CommandError(report.summary(), returncode=1) from None
        self.stdout.write(report.summary())
        outside = getattr(importer, "outside_region", 0)
        if outside:
            self.stdout.write(f"{outside} area(s) outside this ICS's places were passed over.")
        if options["skip_invalid"] is not None:
            self.stdout.write(
                f"{report.rejected} row(s) rejected, written to {options['skip_invalid']}."
            )
