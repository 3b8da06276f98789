"""Writes to the ICS model. Every create and change is audited here, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record, record_many, require_actor
from caresignals.core import clock
from caresignals.core.cache import bump, bump_reference
from caresignals.organisations.models import Area, Membership, Organisation, User
from caresignals.organisations.permissions import require_for
from caresignals.organisations.roles import Capability, Role

KIND_ORDER = {"ics": 0, "place": 1, "provider": 2, "service": 3}


@dataclass(frozen=True)
class OrganisationRow:
    code: str
    name: str
    kind: str
    type: str
    parent_code: str
    candour_tracked_from: dt.date | None = None
    # False when the file had no candour_tracked_from column: the stored date stays.
    has_candour_tracked_from: bool = False
    # A provider's PALS contact details; without any pals_ column, what is stored stays.
    pals_phone: str = ""
    pals_email: str = ""
    pals_web: str = ""
    has_pals: bool = False


PALS_FIELDS = ("pals_phone", "pals_email", "pals_web")


@dataclass(frozen=True)
class AreaRow:
    lsoa_code: str
    place_code: str
    imd_decile: int
    population: int
    imd_edition: str = "imd2019"


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def upsert_organisations(rows: Iterable[OrganisationRow], actor: Actor) -> UpsertCounts:
    """Create or update organisations; parents must exist or come in the same call.

    Rows are applied parents first. When an organisation moves, the paths of everything
    beneath it are rewritten so scoping stays right.
    """
    counts = UpsertCounts()
    changes: list[Change] = []
    ordered = sorted(rows, key=lambda r: KIND_ORDER[r.kind])
    existing = {o.code: o for o in Organisation.objects.filter(code__in=[r.code for r in ordered])}
    parents = {
        o.code: o
        for o in Organisation.objects.filter(
            code__in={r.parent_code for r in ordered if r.parent_code}
        )
    }
    for row in ordered:
        parent = parents.get(row.parent_code) if row.parent_code else None
        path = f"{parent.path if parent else '/'}{row.code}/"
        org = existing.get(row.code)
        if org is None:
            org = Organisation.objects.create(
                code=row.code,
                name=row.name,
                kind=row.kind,
                type=row.type,
                parent=parent,
                path=path,
                candour_tracked_from=row.candour_tracked_from,
                pals_phone=row.pals_phone,
                pals_email=row.pals_email,
                pals_web=row.pals_web,
            )
            counts.created += 1
            changes.append(
                Change(
                    AuditAction.ORGANISATION_CREATED,
                    "organisation",
                    row.code,
                    path,
                    {
                        "name": row.name,
                        "kind": row.kind,
                        "type": row.type,
                        "parent": row.parent_code,
                        **(
                            {"candour_tracked_from": _iso(row.candour_tracked_from)}
                            if row.candour_tracked_from
                            else {}
                        ),
                        **{f: getattr(row, f) for f in PALS_FIELDS if getattr(row, f)},
                    },
                )
            )
        else:
            before = {
                "name": org.name,
                "kind": org.kind,
                "type": org.type,
                "parent": org.parent.code if org.parent_id and org.parent else "",
            }
            after = {
                "name": row.name,
                "kind": row.kind,
                "type": row.type,
                "parent": row.parent_code,
            }
            if row.has_candour_tracked_from:
                before["candour_tracked_from"] = _iso(org.candour_tracked_from)
                after["candour_tracked_from"] = _iso(row.candour_tracked_from)
            if row.has_pals:
                for f in PALS_FIELDS:
                    before[f] = getattr(org, f)
                    after[f] = getattr(row, f)
            if before == after:
                counts.unchanged += 1
            else:
                old_path = org.path
                org.name, org.kind, org.type, org.parent, org.path = (
                    row.name,
                    row.kind,
                    row.type,
                    parent,
                    path,
                )
                if row.has_candour_tracked_from:
                    org.candour_tracked_from = row.candour_tracked_from
                if row.has_pals:
                    for f in PALS_FIELDS:
                        setattr(org, f, getattr(row, f))
                org.save()
                if old_path != path:
                    _move_descendants(old_path, path)
                counts.updated += 1
                changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
                changes.append(
                    Change(
                        AuditAction.ORGANISATION_UPDATED,
                        "organisation",
                        row.code,
                        path,
                        {"changed": changed},
                    )
                )
        parents[row.code] = org
    record_many(actor, changes)
    _reference_changed()
    return counts


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _move_descendants(old_path: str, new_path: str) -> None:
    for child in Organisation.objects.filter(path__startswith=old_path).exclude(path=old_path):
        child.path = new_path + child.path[len(old_path) :]
        child.save(update_fields=["path"])


@transaction.atomic
def upsert_areas(rows: Iterable[AreaRow], actor: Actor) -> UpsertCounts:
    counts = UpsertCounts()
    rows = list(rows)
    places = {
        o.code: o
        for o in Organisation.objects.filter(code__in={r.place_code for r in rows}, kind="place")
    }
    existing = {
        a.lsoa_code: a for a in Area.objects.filter(lsoa_code__in=[r.lsoa_code for r in rows])
    }
    to_create: list[Area] = []
    to_update: list[Area] = []
    changes: list[Change] = []
    for row in rows:
        place = places[row.place_code]
        area = existing.get(row.lsoa_code)
        if area is None:
            to_create.append(
                Area(
                    lsoa_code=row.lsoa_code,
                    place=place,
                    imd_decile=row.imd_decile,
                    population=row.population,
                    imd_edition=row.imd_edition,
                )
            )
            changes.append(Change(AuditAction.AREA_CREATED, "area", row.lsoa_code, place.path))
            continue
        before = (area.place_id, area.imd_decile, area.population, area.imd_edition)
        after = (place.pk, row.imd_decile, row.population, row.imd_edition)
        if before == after:
            counts.unchanged += 1
            continue
        area.place, area.imd_decile, area.population, area.imd_edition = (
            place,
            row.imd_decile,
            row.population,
            row.imd_edition,
        )
        to_update.append(area)
        names = ("place", "imd_decile", "population", "imd_edition")
        changed = {
            n: [str(b), str(a)] for n, b, a in zip(names, before, after, strict=True) if b != a
        }
        changes.append(
            Change(
                AuditAction.AREA_UPDATED, "area", row.lsoa_code, place.path, {"changed": changed}
            )
        )
    Area.objects.bulk_create(to_create, batch_size=2000)
    Area.objects.bulk_update(
        to_update, ["place", "imd_decile", "population", "imd_edition"], batch_size=2000
    )
    counts.created += len(to_create)
    counts.updated += len(to_update)
    record_many(actor, changes)
    _reference_changed()
    return counts


def _reference_changed() -> None:
    bump_reference()


class TrackedFromRefused(ValueError):
    """The date cannot be a "candour tracked from" date (the message says why)."""


@transaction.atomic
def set_candour_tracked_from(organisation: Organisation, day: dt.date | None, actor: Actor) -> bool:
    """Set a provider's "candour tracked from" date, or clear it (None); whether it changed.

    A person needs SET_CANDOUR_TRACKED_FROM where the provider is (their own provider, or
    the ICB above it); named command-line operators act for the system. The change is
    audited with the dates before and after, and every cached page is marked out of date:
    the date moves notifications between "not known" and overdue on every candour count.
    """
    require_actor(actor)
    if actor.user is not None:
        require_for(actor.user, Capability.SET_CANDOUR_TRACKED_FROM, organisation.path)
    if organisation.kind != "provider":
        raise TrackedFromRefused("Only a provider has a candour tracked from date")
    if day is not None and day > clock.today():
        raise TrackedFromRefused("The date must be today or in the past")
    before = organisation.candour_tracked_from
    if before == day:
        return False
    organisation.candour_tracked_from = day
    organisation.save(update_fields=["candour_tracked_from"])
    record(
        actor,
        Change(
            AuditAction.ORGANISATION_UPDATED,
            "organisation",
            organisation.code,
            organisation.path,
            {"changed": {"candour_tracked_from": [_iso(before), _iso(day)]}},
        ),
    )
    bump_reference()
    bump()
    return True


@transaction.atomic
def create_user(
    username: str,
    *,
    password: str | None,
    memberships: Iterable[tuple[Organisation, str]],
    actor: Actor,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    changes = [Change(AuditAction.USER_CREATED, "user", username)]
    for organisation, role in memberships:
        Role(role)  # reject unknown roles early
        Membership.objects.create(user=user, organisation=organisation, role=role)
        changes.append(
            Change(
                AuditAction.MEMBERSHIP_GRANTED,
                "user",
                username,
                organisation.path,
                {"role": role, "organisation": organisation.code},
            )
        )
    record_many(actor, changes)
    return user
