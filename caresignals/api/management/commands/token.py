"""caresignals token create USERNAME [--name NAME] | caresignals token revoke ID

`create` prints the new token on standard output, once: only its hash is stored, so it
cannot be shown again. Both are audited.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.api.tokens import UnknownToken, UnknownUser, create_token, revoke_token
from caresignals.audit.services import Actor


class Command(BaseCommand):
    help = "Issue or revoke an API token (Authorization: Bearer <token>)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for a user; printed only once")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            try:
                row, token = create_token(
                    options["username"],
                    name=options["name"],
                    actor=Actor.command_line("token create"),
                )
            except UnknownUser:
                raise CommandError(
                    f"no user has the username {options['username']!r}", returncode=1
                ) from None
            self.stderr.write(
                f"Token {row.pk} for {row.user.username}: shown only this once, keep it safe."
            )
            self.stdout.write(token)
        else:
            try:
                row = revoke_token(options["token_id"], actor=Actor.command_line("token revoke"))
            except UnknownToken:
                raise CommandError(
                    f"no token has the id {options['token_id']}", returncode=1
                ) from None
            self.stdout.write(f"Token {row.pk} ({row.user.username}) revoked.")
