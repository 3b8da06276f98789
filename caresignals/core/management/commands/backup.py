"""caresignals backup FILE: one consistent copy of the configured database (core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the configured database to FILE: SQLite through its online backup API (safe "
        "while the server runs), PostgreSQL with pg_dump --format=custom."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", type=Path, help="the backup file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            said = backup(options["file"])
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from None
        self.stdout.write(said)
