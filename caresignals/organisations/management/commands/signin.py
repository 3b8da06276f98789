"""caresignals signin remove-second-factor USERNAME | caresignals signin forget-subject USERNAME

For an administrator helping someone sign in: `remove-second-factor` when a person has lost both
their phone and their recovery codes (they set up a new one at their next sign-in);
`forget-subject` when their account at the identity provider was replaced (the next sign-in
there records the new subject, matched again by the configured claim). Both are audited.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.audit.services import Actor
from caresignals.organisations import identity, second_factor
from caresignals.organisations.models import User


class Command(BaseCommand):
    help = "Help a person sign in again: remove their second factor, or forget their subject."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("remove-second-factor", "remove a person's second factor and recovery codes"),
            ("forget-subject", "forget the identity provider subject recorded on a person"),
        ):
            sub.add_parser(name, help=text).add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(
                f"no user has the username {options['username']!r}", returncode=1
            ) from None
        actor = Actor.command_line(f"signin {action}")
        if action == "remove-second-factor":
            done = second_factor.remove(user, actor=actor)
            what = "second factor removed" if done else "had no second factor"
        else:
            done = identity.forget_subject(user, actor=actor)
            what = "identity provider subject forgotten" if done else "had no subject recorded"
        self.stdout.write(f"{user.username}: {what}")
