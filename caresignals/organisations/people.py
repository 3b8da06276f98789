"""Administering people: adding them, giving and removing roles, deactivating leavers (ADR 19).

Every write is one transaction with its audit entries. A signed-in administrator's writes
stay under the role ceiling (roles.py: nobody gives a role above their own); a command-line
operator, who can already run anything on the server, is not held to it.

Deactivating a leaver ends them at once: their sessions are deleted here, and layers above
(the API's tokens) end what they own through `person_deactivated`, inside the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record, record_many, require_actor
from caresignals.organisations.models import Membership, Organisation, User
from caresignals.organisations.roles import (
    Capability,
    Held,
    Role,
    is_icb_administrator,
    may_administer_person,
    refusal_to_give,
)
from caresignals.organisations.scoping import scope_for

# Sent inside the deactivation's transaction, with `user` and `actor`: a higher layer ends
# what it owns for that person (the API revokes their tokens), audited in the same breath.
person_deactivated = Signal()

USERNAME_PATTERN = r"^[A-Za-z0-9.@+_-]{1,150}$"
USERNAME_EXPECTED = "a username of 1–150 letters, digits or . @ + - _"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@nhs.net"


class PeopleRefused(Exception):
    """A change that may not be made, with a message for each form field it concerns."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# -- Reading: who an administrator may see -------------------------------------------------


def held_by(user: Any) -> list[Held]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        Held(role, path)
        for path, role in user.memberships.values_list("organisation__path", "role")
    ]


def visible_people(user: Any) -> QuerySet[User]:
    """People with a role in an organisation the user administers; for an ICB administrator
    also people with no role at all (just added from the command line, or `createsuperuser`)."""
    scope = scope_for(user, Capability.MANAGE_PEOPLE)
    if scope.is_empty:
        return User.objects.none()
    in_scope = Membership.objects.filter(scope.q("organisation__path"), user=OuterRef("pk"))
    condition = Q(Exists(in_scope))
    if is_icb_administrator(held_by(user)):
        condition |= ~Q(Exists(Membership.objects.filter(user=OuterRef("pk"))))
    return User.objects.filter(condition).order_by("last_name", "first_name", "username")


def search_people(user: Any, text: str) -> QuerySet[User]:
    found = visible_people(user)
    for word in text.split()[:5]:
        found = found.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    return found


def person_for(user: Any, username: str) -> User:
    """The person, or 404 when they do not exist or the user does not administer them."""
    person = visible_people(user).filter(username=username).first()
    if person is None:
        raise Http404("Not found")
    return person


def roles_in_scope(user: Any, person: User) -> list[Membership]:
    """The person's roles in the organisations the user administers."""
    scope = scope_for(user, Capability.MANAGE_PEOPLE)
    return list(
        person.memberships.filter(scope.q("organisation__path"))
        .select_related("organisation")
        .order_by("organisation__path", "role")
    )


def roles_elsewhere(user: Any, person: User) -> int:
    scope = scope_for(user, Capability.MANAGE_PEOPLE)
    return person.memberships.exclude(scope.q("organisation__path")).count()


def administered_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        scope_for(user, Capability.MANAGE_PEOPLE).q("path")
    ).order_by("path")


def may_administer(user: Any, person: User) -> bool:
    """Whether the user may act on the person's whole account: deactivate, reactivate, or make
    a set-password link (roles.may_administer_person)."""
    if person.pk == getattr(user, "pk", None) or person.is_superuser:
        return False
    paths = person.memberships.values_list("organisation__path", flat=True)
    return may_administer_person(held_by(user), paths)


# -- Writing ---------------------------------------------------------------------------------


def _ceiling(actor: Actor, role: str, organisation: Organisation, field_name: str = "role") -> None:
    if role not in Role.values:
        raise PeopleRefused({field_name: "Choose a role from the list"})
    if actor.user is None:  # a command-line operator
        return
    refusal = refusal_to_give(held_by(actor.user), role, organisation.path)
    if refusal:
        raise PeopleRefused({field_name: refusal})


def _grant_change(person: User, organisation: Organisation, role: str) -> Change:
    return Change(
        AuditAction.MEMBERSHIP_GRANTED,
        "user",
        person.username,
        organisation.path,
        {"role": role, "organisation": organisation.code},
    )


@dataclass(frozen=True)
class NewPerson:
    username: str
    given_name: str
    family_name: str
    email: str = ""
    password: str | None = None  # None: an unusable one, until they set theirs from a link


def check_new_person(person: NewPerson) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not person.given_name.strip():
        errors["given_name"] = "Enter their given name"
    if not person.family_name.strip():
        errors["family_name"] = "Enter their family name"
    if person.email and not re.match(EMAIL_PATTERN, person.email):
        errors["email"] = EMAIL_MESSAGE
    if not person.username:
        errors["username"] = "Enter a username"
    elif not re.match(USERNAME_PATTERN, person.username):
        errors["username"] = "Enter a username of letters, digits or . @ + - _ only"
    elif User.objects.filter(username__iexact=person.username).exists():
        errors["username"] = "Somebody already has this username"
    return errors


@transaction.atomic
def add_person(
    actor: Actor, person: NewPerson, roles: Iterable[tuple[Organisation, str]] = ()
) -> User:
    """Add a person with their first roles. A signed-in administrator must give at least one
    role, in an organisation they administer: otherwise the new person would be nobody's."""
    require_actor(actor)
    roles = list(roles)
    errors = check_new_person(person)
    if errors:
        raise PeopleRefused(errors)
    if actor.user is not None and not roles:
        raise PeopleRefused({"organisation": "Choose the organisation they work in"})
    for organisation, role in roles:
        _ceiling(actor, role, organisation)
    user = User.objects.create_user(
        username=person.username,
        password=person.password,
        first_name=person.given_name.strip(),
        last_name=person.family_name.strip(),
        email=person.email.strip(),
    )
    if person.password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    path = roles[0][0].path if roles else ""
    changes = [
        Change(
            AuditAction.USER_CREATED,
            "user",
            user.username,
            path,
            {"name": user.get_full_name(), "email": user.email},
        )
    ]
    for organisation, role in roles:
        Membership.objects.create(user=user, organisation=organisation, role=role)
        changes.append(_grant_change(user, organisation, role))
    record_many(actor, changes)
    return user


@transaction.atomic
def give_role(actor: Actor, person: User, organisation: Organisation, role: str) -> bool:
    """Give the role; False when the person already holds it there (nothing changes)."""
    require_actor(actor)
    _ceiling(actor, role, organisation)
    _, created = Membership.objects.get_or_create(user=person, organisation=organisation, role=role)
    if created:
        record(actor, _grant_change(person, organisation, role))
        _forget_cached_roles(person)
    return created


@transaction.atomic
def remove_role(actor: Actor, membership: Membership) -> None:
    """Take a role away, under the same ceiling as giving it."""
    require_actor(actor)
    _ceiling(actor, membership.role, membership.organisation)
    if (
        actor.user is not None
        and membership.user_id == actor.user.pk
        and membership.role == Role.ADMINISTRATOR
    ):
        raise PeopleRefused(
            {"role": "You cannot remove your own administrator role: ask another administrator"}
        )
    membership.delete()
    record(
        actor,
        Change(
            AuditAction.MEMBERSHIP_REVOKED,
            "user",
            membership.user.username,
            membership.organisation.path,
            {"role": membership.role, "organisation": membership.organisation.code},
        ),
    )
    _forget_cached_roles(membership.user)


def _forget_cached_roles(user: User) -> None:
    for name in (
        "_role_codes",
        "_care_signals_scope",
        "_care_signals_capability_scopes",
        "_care_signals_membership_paths",
    ):
        user.__dict__.pop(name, None)


def _check_may_administer(actor: Actor, person: User, doing: str) -> None:
    """Deactivating, reactivating or making a set-password link act on the whole account, so
    only an administrator of every organisation the person works in may: otherwise a trust's
    administrator could take over the account of someone who has more roles elsewhere."""
    if actor.user is None:
        return
    if person.pk == actor.user.pk:
        raise PeopleRefused({"person": f"You cannot {doing} yourself"})
    if person.is_superuser:
        raise PeopleRefused({"person": "A superuser's account is looked after on the server"})
    if not may_administer(actor.user, person):
        raise PeopleRefused(
            {
                "person": "They also hold roles in organisations you do not administer: "
                "remove their roles here, or ask an ICB administrator"
            }
        )


def _audit_path(person: User) -> str:
    first = person.memberships.order_by("organisation__path").first()
    return first.organisation.path if first else ""


@dataclass
class Deactivation:
    sessions_ended: int = 0
    details: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def deactivate(actor: Actor, person: User, *, reason: str = "") -> Deactivation:
    """A leaver, at once: they cannot sign in, their sessions end and their API tokens are
    revoked (through `person_deactivated`). Their roles stay, as a record and for a return."""
    require_actor(actor)
    _check_may_administer(actor, person, "deactivate")
    result = Deactivation()
    if not person.is_active:
        return result
    person.is_active = False
    person.save(update_fields=["is_active"])
    result.sessions_ended = end_sessions(person)
    for _receiver, answer in person_deactivated.send(User, user=person, actor=actor):
        if isinstance(answer, dict):
            result.details.update(answer)
    record(
        actor,
        Change(
            AuditAction.USER_DEACTIVATED,
            "user",
            person.username,
            _audit_path(person),
            {"sessions_ended": result.sessions_ended, **result.details, "reason": reason[:200]},
        ),
    )
    return result


@transaction.atomic
def reactivate(actor: Actor, person: User) -> bool:
    require_actor(actor)
    _check_may_administer(actor, person, "reactivate")
    if person.is_active:
        return False
    person.is_active = True
    person.save(update_fields=["is_active"])
    record(
        actor,
        Change(AuditAction.USER_REACTIVATED, "user", person.username, _audit_path(person)),
    )
    return True


def end_sessions(person: User) -> int:
    """Delete every unexpired session of the person (from the cache too, for cached_db)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id", "")) == str(person.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


# -- The set-password link (an invitation) ----------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    path: str  # /people/set-password/<uid>/<token>/: the caller makes it a full address
    emailed: bool = False


def set_password_path(person: User) -> str:
    """One use only: Django's password-reset token changes once the password is set."""
    from django.urls import reverse

    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    return reverse("people:set_password", kwargs={"uidb64": uid, "token": token})


def email_configured() -> bool:
    """Whether the deployment's settings set EMAIL_HOST or EMAIL_BACKEND: Django's defaults
    would try a mail server on this machine that a deployment may not have."""
    overridden = settings.is_overridden  # type: ignore[misc]
    return any(overridden(name) for name in ("EMAIL_HOST", "EMAIL_BACKEND"))


@transaction.atomic
def invite(actor: Actor, person: User, *, base_url: str) -> Invitation:
    """A set-password link for the person, emailed to them when email is set up. The audit
    entry says a link was issued, never the link. Only for someone the actor administers as a
    whole: the link opens their account."""
    require_actor(actor)
    _check_may_administer(actor, person, "make a set-password link for")
    if not person.is_active:
        raise PeopleRefused({"person": "Reactivate them first"})
    path = set_password_path(person)
    emailed = False
    if person.email and email_configured():
        sent = send_mail(
            "Set your Care Signals password",
            f"Hello {person.display_name},\n\n"
            f"You have been added to Care Signals with the username {person.username}.\n"
            f"Set your password here (the link works once, for "
            f"{settings.PASSWORD_RESET_TIMEOUT // 86400} days):\n\n"
            f"{base_url}{path}\n",
            None,
            [person.email],
            fail_silently=True,
        )
        emailed = bool(sent)
    record(
        actor,
        Change(
            AuditAction.USER_INVITED,
            "user",
            person.username,
            _audit_path(person),
            {"emailed": emailed},
        ),
    )
    return Invitation(path=path, emailed=emailed)


def _update_details(actor: Actor, user: User, row: PersonRow) -> bool:
    before = {"given_name": user.first_name, "family_name": user.last_name, "email": user.email}
    after = {"given_name": row.given_name, "family_name": row.family_name, "email": row.email}
    if before == after:
        return False
    user.first_name, user.last_name, user.email = row.given_name, row.family_name, row.email
    user.save(update_fields=["first_name", "last_name", "email"])
    changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    record(
        actor,
        Change(
            AuditAction.USER_UPDATED, "user", user.username, _audit_path(user), {"changed": changed}
        ),
    )
    return True


# -- Bulk: the people import ------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    username: str
    given_name: str
    family_name: str
    email: str
    organisation_code: str
    role: str
    left_on: dt.date | None = None


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def load_people(rows: Iterable[PersonRow], actor: Actor, *, today: dt.date) -> LoadCounts:
    """Create or update people and give the roles in the rows (checked by the importer).

    Idempotent: a second load of the same rows changes nothing. Roles not in the rows stay
    (removing one is a decision, made on the person's page). A person whose `left_on` has
    come is deactivated; a load never reactivates anyone.
    """
    require_actor(actor)
    by_person: dict[str, list[PersonRow]] = {}
    for row in rows:
        by_person.setdefault(row.username, []).append(row)
    organisations = {
        o.code: o
        for o in Organisation.objects.filter(
            code__in={r.organisation_code for rs in by_person.values() for r in rs}
        )
    }
    existing = {u.username: u for u in User.objects.filter(username__in=by_person)}
    held = set(
        Membership.objects.filter(user__username__in=by_person).values_list(
            "user__username", "organisation__code", "role"
        )
    )
    counts = LoadCounts()
    for username, person_rows in by_person.items():
        first = person_rows[0]
        user = existing.get(username)
        changed = False
        if user is None:
            user = add_person(
                actor, NewPerson(username, first.given_name, first.family_name, first.email)
            )
        else:
            changed = _update_details(actor, user, first)
        new_roles = 0
        for row in person_rows:
            if (username, row.organisation_code, row.role) not in held:
                give_role(actor, user, organisations[row.organisation_code], row.role)
                new_roles += 1
        left = [r.left_on for r in person_rows if r.left_on is not None]
        if left and min(left) <= today and user.is_active:
            deactivate(actor, user, reason=f"left on {min(left).isoformat()} (import)")
            changed = True
        # Counted by row, the import's key: a new role is created; a role already held is
        # updated when the person's details or status changed, else unchanged.
        counts.created += new_roles
        kept_roles = len(person_rows) - new_roles
        if changed:
            counts.updated += kept_roles
        else:
            counts.unchanged += kept_roles
    return counts
