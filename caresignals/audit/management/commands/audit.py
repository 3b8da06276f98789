"""caresignals audit verify

Checks the audit log's hash chain (audit/chain.py) from its first link: exit 0 when every
sealed entry is as it was written, 1 naming the first entry that was changed or removed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.audit.chain import verify


class Command(BaseCommand):
    help = "The audit log. `audit verify`: check its hash chain and name the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        sub.add_parser("verify", help="check the hash chain; exit 1 at the first broken link")

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if not verdict.intact:
            entry = verdict.broken
            assert entry is not None
            raise CommandError(
                f"The audit log's chain is broken at entry {entry.pk} "
                f"({entry.at:%Y-%m-%d %H:%M:%S}, {entry.action}, "
                f"{entry.object_type} {entry.object_id}): {verdict.reason}. "
                f"{verdict.sealed} entries before it are intact.",
                returncode=1,
            )
        pending = (
            f", {verdict.unsealed} written moments ago and not yet sealed"
            if verdict.unsealed
            else ""
        )
        self.stdout.write(
            f"The audit log's chain holds: {verdict.sealed} entries sealed and unchanged"
            f"{pending}.\nTail digest (keep it elsewhere to show the whole log was not "
            f"rewritten): {verdict.tail}"
        )
