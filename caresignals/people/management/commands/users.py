"""caresignals users import FILE | add USERNAME ... | deactivate USERNAME | reactivate USERNAME |
list [--organisation CODE]

People and their roles from the command line (docs/command-line.md). The operator is not held
to the role ceiling (they can already run anything on the server); every change is audited
with their name, as for the pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from caresignals.audit.services import Actor
from caresignals.organisations import people
from caresignals.organisations.models import Organisation, User
from caresignals.organisations.roles import Role


class Command(BaseCommand):
    help = "Administer people: import, add, deactivate, reactivate, list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = sub.add_parser("import", help="load people and roles from a CSV: all or nothing")
        load.add_argument("file", type=Path)
        load.add_argument("--skip-invalid", type=Path, metavar="REJECTS.csv")
        add = sub.add_parser(
            "add", help="add a person, or give an existing person (a superuser) a role"
        )
        add.add_argument("username")
        add.add_argument("--given-name", default="")
        add.add_argument("--family-name", default="")
        add.add_argument("--email", default="")
        add.add_argument("--role", choices=Role.values)
        add.add_argument("--organisation", metavar="CODE", help="the organisation's code")
        add.add_argument(
            "--base-url",
            default=os.environ.get("CARESIGNALS_BASE_URL", "http://127.0.0.1:8000"),
            help="the site's address, for the set-password link (CARESIGNALS_BASE_URL)",
        )
        off = sub.add_parser("deactivate", help="a leaver: sign-in, sessions and tokens end")
        off.add_argument("username")
        off.add_argument("--reason", default="")
        on = sub.add_parser("reactivate", help="let a deactivated person sign in again")
        on.add_argument("username")
        listing = sub.add_parser("list", help="people and their roles, tab-separated")
        listing.add_argument("--organisation", metavar="CODE", help="only under this organisation")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"_{action}")(options)

    def _import(self, options: dict[str, Any]) -> None:
        extra = ["--skip-invalid", str(options["skip_invalid"])] if options["skip_invalid"] else []
        call_command(
            "import",
            "people",
            str(options["file"]),
            "--no-progress",
            *extra,
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def _person(self, username: str) -> User:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"no user has the username {username!r}", returncode=1)
        return person

    def _add(self, options: dict[str, Any]) -> None:
        actor = Actor.command_line("users add")
        roles: list[tuple[Organisation, str]] = []
        if bool(options["role"]) != bool(options["organisation"]):
            raise CommandError("give --role and --organisation together", returncode=2)
        if options["organisation"]:
            organisation = Organisation.objects.filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    f"no organisation has the code {options['organisation']!r}", returncode=1
                )
            roles.append((organisation, options["role"]))
        existing = User.objects.filter(username=options["username"]).first()
        try:
            if existing is not None:
                if not roles:
                    raise CommandError(
                        f"{existing.username} already exists: give --role and --organisation",
                        returncode=1,
                    )
                given = people.give_role(actor, existing, *roles[0])
                self.stdout.write(
                    f"{existing.username} is now {Role(roles[0][1]).label} at {roles[0][0].name}."
                    if given
                    else f"{existing.username} already held that role: nothing changed."
                )
                return
            person = people.add_person(
                actor,
                people.NewPerson(
                    options["username"],
                    options["given_name"],
                    options["family_name"],
                    options["email"],
                ),
                roles,
            )
            invitation = people.invite(actor, person, base_url=options["base_url"].rstrip("/"))
        except people.PeopleRefused as refused:
            raise CommandError("; ".join(refused.errors.values()), returncode=1) from None
        self.stdout.write(f"Added {person.username} ({person.display_name}).")
        self.stdout.write(
            "Their set-password link (works once"
            + (", and has been emailed to them" if invitation.emailed else "")
            + "):"
        )
        self.stdout.write(f"{options['base_url'].rstrip('/')}{invitation.path}")

    def _deactivate(self, options: dict[str, Any]) -> None:
        person = self._person(options["username"])
        if not person.is_active:
            self.stdout.write(f"{person.username} was already deactivated: nothing changed.")
            return
        result = people.deactivate(
            Actor.command_line("users deactivate"), person, reason=options["reason"]
        )
        self.stdout.write(
            f"{person.username} deactivated: {result.sessions_ended} session(s) ended, "
            f"{result.details.get('tokens_revoked', 0)} API token(s) revoked."
        )

    def _reactivate(self, options: dict[str, Any]) -> None:
        person = self._person(options["username"])
        if people.reactivate(Actor.command_line("users reactivate"), person):
            self.stdout.write(f"{person.username} can sign in again.")
        else:
            self.stdout.write(f"{person.username} was already active: nothing changed.")

    def _list(self, options: dict[str, Any]) -> None:
        found = User.objects.order_by("username").prefetch_related("memberships__organisation")
        prefix = ""
        if options["organisation"]:
            organisation = Organisation.objects.filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    f"no organisation has the code {options['organisation']!r}", returncode=1
                )
            prefix = organisation.path
            found = found.filter(memberships__organisation__path__startswith=prefix).distinct()
        self.stdout.write("username\tname\temail\tstatus\troles")
        for person in found:
            roles = sorted(
                f"{m.role}@{m.organisation.code}"
                for m in person.memberships.all()
                if m.organisation.path.startswith(prefix)
            )
            status = "active" if person.is_active else "deactivated"
            self.stdout.write(
                "\t".join(
                    [
                        person.username,
                        person.get_full_name(),
                        person.email,
                        status,
                        " ".join(roles),
                    ]
                )
            )
