"""`caresignals import organisations`, `... areas` and `... people`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
from django.db.models.functions import Lower

from caresignals.core import clock
from caresignals.interop.columns import Column, choice
from caresignals.interop.importing import Batch, Importer, RowError
from caresignals.organisations import people, services
from caresignals.organisations.models import (
    PARENT_KIND,
    TYPES_FOR_KIND,
    ImdEdition,
    Organisation,
    OrganisationKind,
    ProviderType,
    ServiceType,
    User,
)
from caresignals.organisations.roles import Role

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$"
CODE_EXPECTED = "a code of 1–20 letters, digits, hyphens or underscores"
PALS_PHONE_PATTERN = r"^\+?[0-9][0-9 ]{8,17}[0-9]$"
PALS_PHONE_EXPECTED = "a telephone number of 10 to 19 digits and spaces, such as 0191 498 0123"


class OrganisationImporter(Importer):
    """Organisations refer to parents that may come later in the file, so rows are kept
    (an ICS has thousands of organisations, not millions) and checked together at the end."""

    kind = "organisations"
    key = ("code",)
    columns: ClassVar = [
        Column("code", CODE_EXPECTED, pattern=CODE_PATTERN),
        Column("name", "a name of up to 200 characters", max_length=200),
        choice("kind", OrganisationKind.values),
        choice("type", set(ProviderType.values) | set(ServiceType.values), required=False),
        Column("parent_code", CODE_EXPECTED, required=False, pattern=CODE_PATTERN),
        # A provider's "candour tracked from" date (ADR 11). Without the column, what is
        # stored stays; with it, a blank clears the date.
        Column("candour_tracked_from", "a date as YYYY-MM-DD", required=False, kind="date"),
        # A provider's PALS contact details, shown to the public (hazard H72). Without the
        # columns, what is stored stays; with any of them, a blank clears that detail.
        Column("pals_phone", PALS_PHONE_EXPECTED, required=False, pattern=PALS_PHONE_PATTERN),
        Column(
            "pals_email",
            "an email address such as pals@example.org",
            required=False,
            pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            max_length=254,
        ),
        Column(
            "pals_web",
            "a web address starting https://, of up to 200 characters",
            required=False,
            pattern=r"^https://[^\s]+$",
            max_length=200,
        ),
    ]
    optional_columns = frozenset({"candour_tracked_from", *services.PALS_FIELDS})

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self._rows: dict[str, tuple[int, dict[str, str], services.OrganisationRow]] = {}

    def check_batch(self, batch: Batch) -> None:
        self.check_unique_keys(batch)
        tracked, kinds = batch.column("candour_tracked_from"), batch.column("kind")
        today = clock.today()
        for i in batch.valid_indices():
            day = tracked[i]
            if day is None:
                continue
            if kinds[i] != "provider":
                self.reject(
                    batch, int(i), "candour_tracked_from", "a blank value unless a provider"
                )
            elif day > today:
                self.reject(batch, int(i), "candour_tracked_from", "a date not in the future")
        for name in services.PALS_FIELDS:
            if name not in batch.header:
                continue
            values = batch.column(name)
            for i in batch.valid_indices():
                if values[i] and kinds[i] != "provider":
                    self.reject(batch, int(i), name, "a blank value unless a provider")

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        cols = {
            c: batch.column(c)
            for c in (
                "code",
                "name",
                "kind",
                "type",
                "parent_code",
                "candour_tracked_from",
                *services.PALS_FIELDS,
            )
        }
        has_tracked = "candour_tracked_from" in batch.header
        has_pals = any(f in batch.header for f in services.PALS_FIELDS)
        for i in indices:
            row = services.OrganisationRow(
                code=cols["code"][i],
                name=cols["name"][i],
                kind=cols["kind"][i],
                type=cols["type"][i] or "",
                parent_code=cols["parent_code"][i] or "",
                candour_tracked_from=cols["candour_tracked_from"][i],
                has_candour_tracked_from=has_tracked,
                pals_phone=cols["pals_phone"][i] or "",
                pals_email=cols["pals_email"][i] or "",
                pals_web=cols["pals_web"][i] or "",
                has_pals=has_pals,
            )
            self._rows[row.code] = (batch.row_number(int(i)), batch.raw_row(int(i)), row)

    def _problem(
        self, row: services.OrganisationRow, stored: dict[str, tuple[str, bool]]
    ) -> tuple[str, str] | None:
        """(column, expected) when the row cannot stand, given what is stored and in the file."""
        if row.type not in TYPES_FOR_KIND[row.kind]:
            allowed = sorted(TYPES_FOR_KIND[row.kind] - {""})
            if not allowed:
                return "type", f"a blank type for a {row.kind}"
            return "type", f"a {row.kind} type: one of {', '.join(allowed)}"
        wanted = PARENT_KIND[OrganisationKind(row.kind)]
        if wanted is None:
            if row.parent_code:
                return "parent_code", "a blank parent_code for an ics"
            return None
        if not row.parent_code:
            return "parent_code", f"the code of the {wanted} this {row.kind} belongs to"
        parent_kind = (
            self._rows[row.parent_code][2].kind
            if row.parent_code in self._rows
            else stored.get(row.parent_code, ("", False))[0]
        )
        if not parent_kind:
            return "parent_code", f"the code of a {wanted} in this file or already imported"
        if parent_kind != wanted:
            return "parent_code", f"the code of a {wanted} (it names a {parent_kind})"
        current = stored.get(row.code)
        if current and current[0] != row.kind and current[1]:
            return "kind", f"{current[0]} as stored: it has organisations beneath it"
        return None

    def finish(self) -> None:
        codes = set(self._rows) | {r[2].parent_code for r in self._rows.values()}
        stored = {
            o.code: (o.kind, o.has_children)
            for o in _with_children_flag(Organisation.objects.filter(code__in=codes))
        }
        # A rejected parent makes its children unplaceable too: repeat until nothing changes.
        changed = True
        while changed:
            changed = False
            for code, (row_number, raw, row) in sorted(self._rows.items(), key=lambda kv: kv[1][0]):
                problem = self._problem(row, stored)
                if problem is not None:
                    column, expected = problem
                    self.reject_row(row_number, raw, column, expected)
                    del self._rows[code]
                    changed = True
        if self.may_write and self._rows:
            counts = services.upsert_organisations([r[2] for r in self._rows.values()], self.actor)
            self.report.created += counts.created
            self.report.updated += counts.updated
            self.report.unchanged += counts.unchanged


def _with_children_flag(queryset: Any) -> Any:
    from django.db.models import Exists, OuterRef

    return queryset.annotate(
        has_children=Exists(Organisation.objects.filter(parent=OuterRef("pk")))
    )


# The official English Indices of Deprivation files, recognised by their own column names.
_OFFICIAL = {
    "lsoa_code": re.compile(r"^LSOA code \((2011|2021)\)$"),
    "place_code": re.compile(r"^Local Authority District code \(\d{4}\)$"),
    "imd_decile": re.compile(r"^Index of Multiple Deprivation \(IMD\) Decile"),
    "population": re.compile(r"^Total population: mid"),
}


class AreaImporter(Importer):
    """Small areas with their deprivation decile and population.

    Also reads the official IMD 2019 (or IoD 2025) file as published: areas are placed by
    their local authority district code, which must be a place's code here; areas of
    districts outside this ICS are passed over, and the file's other columns ignored.
    """

    kind = "areas"
    key = ("lsoa_code",)
    columns: ClassVar = [
        Column("lsoa_code", "an LSOA code such as E01012345", pattern=r"^[EW]0[0-9]{7}$"),
        Column("place_code", CODE_EXPECTED, pattern=CODE_PATTERN),
        Column(
            "imd_decile",
            "a whole number from 1 (most deprived) to 10",
            kind="int",
            minimum=1,
            maximum=10,
        ),
        Column(
            "population", "a whole number, 0 or more", kind="int", minimum=0, maximum=10_000_000
        ),
    ]

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self.official = False
        self.edition = ImdEdition.IMD2019.value
        self.outside_region = 0
        self._places: set[str] = set(
            Organisation.objects.filter(kind="place").values_list("code", flat=True)
        )

    def map_header(self, header: list[str]) -> tuple[dict[str, str], list[RowError]]:
        found = {
            name: next((h for h in header if pattern.match(h)), None)
            for name, pattern in _OFFICIAL.items()
        }
        if found["lsoa_code"] is None:
            return super().map_header(header)
        self.official = True
        if "2021" in found["lsoa_code"]:
            self.edition = ImdEdition.IOD2025.value
        errors = [
            RowError(1, name, "", f"the official file's column for {name} is missing")
            for name, source in found.items()
            if source is None
        ]
        return {k: v for k, v in found.items() if v is not None}, errors

    def check_batch(self, batch: Batch) -> None:
        place_codes = batch.column("place_code")
        for i in batch.valid_indices():
            if place_codes[i] not in self._places:
                if self.official:
                    batch.invalid[i] = True  # another region's area: not ours to store
                    self.outside_region += 1
                else:
                    self.reject(batch, int(i), "place_code", "the code of a place already imported")
        self.check_unique_keys(batch)

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        if not self.may_write:
            return
        cols = {c: batch.column(c) for c in ("lsoa_code", "place_code", "imd_decile", "population")}
        rows = [
            services.AreaRow(
                lsoa_code=cols["lsoa_code"][i],
                place_code=cols["place_code"][i],
                imd_decile=int(cols["imd_decile"][i]),
                population=int(cols["population"][i]),
                imd_edition=self.edition,
            )
            for i in indices
        ]
        counts = services.upsert_areas(rows, self.actor)
        self.report.created += counts.created
        self.report.updated += counts.updated
        self.report.unchanged += counts.unchanged


class PeopleImporter(Importer):
    """People and their roles, one row per role (the shape of an ESR or directory export).

    Rows are kept and loaded together at the end: a person's details must agree across their
    rows, and their roles are given in one go (people.load_people).
    """

    kind = "people"
    key = ("username", "organisation_code", "role")
    columns: ClassVar = [
        Column("username", people.USERNAME_EXPECTED, pattern=people.USERNAME_PATTERN),
        Column("given_name", "a given name of up to 150 characters", max_length=150),
        Column("family_name", "a family name of up to 150 characters", max_length=150),
        Column(
            "email",
            "an email address such as name@nhs.net",
            required=False,
            pattern=people.EMAIL_PATTERN,
            max_length=254,
        ),
        Column("organisation_code", CODE_EXPECTED, pattern=CODE_PATTERN),
        choice("role", Role.values),
        # A leaver: from this day on they cannot sign in (blank: still working here).
        Column("left_on", "a date as YYYY-MM-DD", required=False, kind="date"),
    ]
    optional_columns = frozenset({"email", "left_on"})

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self._rows: list[tuple[int, dict[str, str], people.PersonRow]] = []
        self._organisations: set[str] = set(Organisation.objects.values_list("code", flat=True))

    def check_batch(self, batch: Batch) -> None:
        codes = batch.column("organisation_code")
        for i in batch.valid_indices():
            if codes[i] not in self._organisations:
                expected = "the code of an organisation already imported"
                self.reject(batch, int(i), "organisation_code", expected)
        self.check_unique_keys(batch)

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        names = ("username", "given_name", "family_name", "email", "organisation_code", "role")
        cols = {c: batch.column(c) for c in (*names, "left_on")}
        for i in indices:
            text = {c: cols[c][i] or "" for c in names}
            row = people.PersonRow(**text, left_on=cols["left_on"][i])
            self._rows.append((batch.row_number(int(i)), batch.raw_row(int(i)), row))

    def finish(self) -> None:
        first: dict[str, people.PersonRow] = {}
        # Usernames are one person whatever their case: spelt as stored, or as first given.
        spelt: dict[str, str] = {
            u.lower(): u
            for u in User.objects.annotate(lowered=Lower("username"))
            .filter(lowered__in={r.username.lower() for _, _, r in self._rows})
            .values_list("username", flat=True)
        }
        kept: list[people.PersonRow] = []
        for row_number, raw, row in self._rows:
            other = spelt.setdefault(row.username.lower(), row.username)
            if other != row.username:
                self.reject_row(
                    row_number, raw, "username", f"{other}, as this person's username is spelt"
                )
                continue
            known = first.setdefault(row.username, row)
            problem = next(
                (
                    c
                    for c in ("given_name", "family_name", "email", "left_on")
                    if getattr(known, c) != getattr(row, c)
                ),
                None,
            )
            if problem is not None:
                shown = getattr(known, problem) or "a blank value"
                self.reject_row(
                    row_number, raw, problem, f"{shown} as in this person's earlier row"
                )
                continue
            kept.append(row)
        if self.may_write and kept:
            counts = people.load_people(kept, self.actor, today=clock.today())
            self.report.created += counts.created
            self.report.updated += counts.updated
            self.report.unchanged += counts.unchanged
