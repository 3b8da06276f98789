"""caresignals restore FILE [--force]: the configured database from a backup (core/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the configured database from FILE, a backup made by `caresignals backup`. "
        "Refuses a database that already holds data unless --force. Stop the server first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", type=Path, help="the backup file to read")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds data (everything in it is lost)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            said = restore(options["file"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error), returncode=1) from None
        self.stdout.write(said)
