"""caresignals import KIND FILE [--skip-invalid REJECTS.csv]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.audit.services import Actor
from caresignals.interop.importing import ImportFailed, run_import
from caresignals.interop.registry import IMPORTERS, importer_class

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
        if options["kind"] == "indicators" and (path.is_dir() or path.suffix == ".toml"):
            self._definitions(path, actor)
            return
        importer = importer_class(options["kind"])(actor)
        run = run_import
        if options["kind"] == "fhir":  # JSON Lines, converted to events rows first
            from caresignals.interop.fhir import run_fhir_import as run
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

    def _definitions(self, path: Path, actor: Actor) -> None:
        """Reviewed definition files (TOML): a directory of them, or one."""
        from caresignals.measures import services

        try:
            if path.is_dir():
                definitions = services.read_definitions(path)
            else:
                definitions = [services.read_definition(path)]
        except (services.DefinitionError, OSError) as exc:
            raise CommandError(str(exc), returncode=1) from None
        counts = services.upsert_indicators(definitions, actor)
        self.stdout.write(
            f"indicators: {len(definitions)} definition(s) read; {counts.created} created, "
            f"{counts.updated} updated, {counts.unchanged} unchanged."
        )
