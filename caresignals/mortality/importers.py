"""`caresignals import deaths`: deaths in scope from another system (a mortality database or
the medical examiner's list), each with the criteria that bring it into scope (deaths.csv).

Keyed by (org_code, source_id): importing the same file twice changes nothing, and a changed
row updates the stored death's facts, audited with the names of the fields that changed. The
screening decision and any review are people's work and never changed by an import.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Change, record_many
from caresignals.core import clock
from caresignals.interop.columns import Column, choice
from caresignals.interop.importing import Batch, Importer
from caresignals.mortality.models import Death
from caresignals.mortality.vocabulary import Criterion, Source
from caresignals.organisations.importers import CODE_EXPECTED, CODE_PATTERN
from caresignals.organisations.models import Organisation
from caresignals.safety.vocabulary import EthnicGroup, TriState

FIELDS = (
    "died_on",
    "age_years",
    "ethnic_group",
    "imd_quintile",
    "learning_disability",
    "criteria",
    "summary",
)
SUMMARY_MAX = 5000


def parse_criteria(raw: str | None) -> list[str] | None:
    """The criteria codes of one cell (separated by semicolons), or None if any is unknown."""
    codes = [c.strip().lower() for c in (raw or "").split(";") if c.strip()]
    if not codes or any(c not in Criterion.values for c in codes):
        return None
    return list(dict.fromkeys(codes))


class DeathImporter(Importer):
    kind = "deaths"
    key = ("org_code", "source_id")
    columns: ClassVar = [
        Column("source_id", "the source system's id, up to 64 characters", max_length=64),
        Column("org_code", CODE_EXPECTED, pattern=CODE_PATTERN),
        Column("died_on", "a date as YYYY-MM-DD", kind="date"),
        Column(
            "age_years",
            "a whole number of years from 0 to 125",
            kind="int",
            required=False,
            minimum=0,
            maximum=125,
        ),
        choice("ethnic_group", EthnicGroup.values, required=False),
        Column(
            "imd_quintile",
            "a deprivation quintile from 1 (most deprived) to 5",
            kind="int",
            required=False,
            minimum=1,
            maximum=5,
        ),
        choice("learning_disability", TriState.values, required=False),
        Column("criteria", "one or more criteria codes separated by semicolons"),
        Column(
            "summary",
            f"free text up to {SUMMARY_MAX:,} characters, without names",
            required=False,
            max_length=SUMMARY_MAX,
        ),
    ]

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self._providers = {
            code: (pk, path)
            for pk, code, path in Organisation.objects.filter(kind="provider").values_list(
                "id", "code", "path"
            )
        }
        self._today = clock.today()

    def check_batch(self, batch: Batch) -> None:
        orgs = batch.column("org_code")
        criteria = batch.column("criteria")
        for i in batch.valid_indices().tolist():
            if orgs[i] not in self._providers:
                self.reject(batch, i, "org_code", "the code of a provider already imported")
            elif parse_criteria(criteria[i]) is None:
                self.reject(
                    batch,
                    i,
                    "criteria",
                    "criteria codes separated by semicolons, each one of: "
                    + ", ".join(Criterion.values),
                )
        future = pc.greater(batch.typed["died_on"], pa.scalar(self._today, pa.date32()))
        self.reject_where(
            batch,
            np.asarray(pc.fill_null(future, False).to_numpy(zero_copy_only=False), dtype=bool),
            "died_on",
            "a date not in the future",
        )
        self.check_unique_keys(batch)

    def _values(self, cols: dict[str, list[Any]], i: int) -> dict[str, Any]:
        died_on = cols["died_on"][i]
        return {
            "died_on": died_on if isinstance(died_on, dt.date) else None,
            "age_years": cols["age_years"][i],
            "ethnic_group": cols["ethnic_group"][i] or EthnicGroup.NOT_KNOWN.value,
            "imd_quintile": cols["imd_quintile"][i],
            "learning_disability": cols["learning_disability"][i] or TriState.UNKNOWN.value,
            "criteria": parse_criteria(cols["criteria"][i]),
            "summary": cols["summary"][i] or "",
        }

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        if not self.may_write:
            return
        cols = {c.name: batch.column(c.name) for c in self.columns}
        wanted: dict[tuple[int, str], dict[str, Any]] = {}
        for i in indices.tolist():
            org_id = self._providers[cols["org_code"][i]][0]
            wanted[(org_id, cols["source_id"][i])] = self._values(cols, i)
        existing = {
            (d.organisation_id, d.source_id): d
            for org_id in {k[0] for k in wanted}
            for d in Death.objects.filter(
                organisation_id=org_id, source_id__in=[s for o, s in wanted if o == org_id]
            )
        }
        paths = {pk: path for pk, path in self._providers.values()}
        new: list[Death] = []
        changed: list[Death] = []
        changes: list[Change] = []
        for (org_id, source_id), values in wanted.items():
            found = existing.get((org_id, source_id))
            if found is None:
                new.append(
                    Death(
                        organisation_id=org_id, source=Source.IMPORT, source_id=source_id, **values
                    )
                )
                continue
            names = [n for n, v in values.items() if getattr(found, n) != v]
            if not names:
                self.report.unchanged += 1
                continue
            for n in names:
                setattr(found, n, values[n])
            found.version += 1
            changed.append(found)
            changes.append(
                Change(
                    AuditAction.DEATH_UPDATED,
                    "death",
                    found.reference,
                    paths[org_id],
                    {"changed": names, "by": "import", "source": source_id},
                )
            )
        Death.objects.bulk_create(new, batch_size=1000)
        changes += [
            Change(
                AuditAction.DEATH_ADDED,
                "death",
                d.reference,
                paths[d.organisation_id],
                {"source": "import", "source_id": d.source_id, "criteria": d.criteria},
            )
            for d in new
        ]
        if changed:
            Death.objects.bulk_update(changed, [*FIELDS, "version"], batch_size=1000)
        record_many(self.actor, changes)
        self.report.created += len(new)
        self.report.updated += len(changed)

    def finish(self) -> None:
        if self.may_write and self.report.rows_read:
            self.audit_completed()
