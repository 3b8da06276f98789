"""Referral tasks made from the national rules when events are stored.

Why here, when stored: a task has a life of its own (who referred, when, the receiving body's
reference), so it must exist as a row before anyone acts on it, and lists of open tasks must be
one indexed query rather than the rules re-run over every event. Events arrive one at a time
(web, API) or by the hundred thousand (imports); both reach the database through
`EventImporter.write`, which hands each written batch here. The rules run over the batch's Arrow
columns exactly as the exports run them (rules.referrals_many), only the few rows that need a
referral are looked up, tasks already there are skipped, and the new ones go in with one
prepared insert, so re-importing a file changes nothing. A referral the rules no longer derive
after an event is changed stays as it was: a person closes it as not needed, with a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection
from django.utils import timezone

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Change, record_many
from caresignals.safety.events import rules
from caresignals.safety.models import PatientSafetyEvent, ReferralTask

_LOOKUP_CHUNK = 500
_RULE_INPUTS = (
    "patient_died",
    "learning_disability",
    "autism",
    "patient_age_years",
    "service_area",
    "service",
    "max_harm",
    "category",
)


class TaskWriter:
    """Turns written event batches into referral tasks (one per event and referral)."""

    def __init__(self, service_ids: pa.Array, service_types: pa.Array) -> None:
        """`service_ids` and `service_types`: every service, as the importer's reference
        data holds them (the maternity referral looks at the service's type)."""
        self._service_ids = service_ids
        self._service_types = service_types
        self.created = 0
        self.hold = False
        self._held: dict[tuple[int, str], list[str]] = {}
        self.stamp: dt.datetime | None = None  # the tasks' created time; None: now

    def _service_types_of(self, service_ids: Any) -> pa.Array:
        ids = pc.cast(service_ids, pa.int64()) if len(service_ids) else service_ids
        return pc.take(self._service_types, pc.index_in(ids, value_set=self._service_ids))

    def _any_for_one(self, table: pa.Table) -> bool:
        """Whether the one row of `table` needs a referral: the rules' scalar twin, since an
        event recorded on the web or the API nearly never does and Arrow's set-up for one
        row costs more than the answer."""
        row = {name: table.column(name)[0].as_py() for name in _RULE_INPUTS}
        service = row.pop("service")
        service_type = self._service_types_of(pa.array([service], pa.int64()))[0].as_py()
        return bool(rules.referrals(**row, service_type=service_type))

    def write(self, table: pa.Table) -> int:
        """Create the tasks the rules derive for these stored rows; return how many were new
        (none yet while `hold` is set: they are created by `release`)."""
        if table.num_rows == 0 or (table.num_rows == 1 and not self._any_for_one(table)):
            return 0
        wanted = self._wanted(table)
        if self.hold:
            self._held.update(wanted)
            return 0
        return self._create(wanted)

    def release(self) -> int:
        """Create the tasks held back (a first load finds its events once its indexes are
        built again, rather than by scanning the table once per batch)."""
        self.hold = False
        wanted, self._held = self._held, {}
        return self._create(wanted)

    def _wanted(self, table: pa.Table) -> dict[tuple[int, str], list[str]]:
        found = rules.referrals_many(
            patient_died=table.column("patient_died"),
            learning_disability=table.column("learning_disability"),
            autism=table.column("autism"),
            patient_age_years=table.column("patient_age_years"),
            service_area=table.column("service_area"),
            service_type=self._service_types_of(table.column("service").combine_chunks()),
            max_harm=table.column("max_harm"),
            category=table.column("category"),
        )
        counts = pc.list_value_length(found).to_numpy(zero_copy_only=False)
        hits = np.flatnonzero(counts > 0)
        if len(hits) == 0:
            return {}
        orgs = table.column("organisation").to_numpy()[hits]
        sources = np.asarray(table.column("source_id").to_pylist(), dtype=object)[hits]
        kinds = [found[int(i)].as_py() for i in hits]
        return {(int(o), str(s)): k for o, s, k in zip(orgs, sources, kinds, strict=True)}

    def _create(self, wanted: dict[tuple[int, str], list[str]]) -> int:
        rows: list[tuple[int, int, str]] = []
        keys = list(wanted)
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            events = PatientSafetyEvent.objects.filter(
                organisation_id__in={o for o, _ in chunk}, source_id__in={s for _, s in chunk}
            ).values_list("id", "organisation_id", "source_id")
            found_here = [
                (pk, org, kind)
                for pk, org, source in events
                for kind in wanted.get((org, source), ())
            ]
            have = set(
                ReferralTask.objects.filter(
                    event_id__in={pk for pk, _, _ in found_here}
                ).values_list("event_id", "kind")
            )
            rows += [(pk, org, kind) for pk, org, kind in found_here if (pk, kind) not in have]
        self._insert(rows)
        self.created += len(rows)
        return len(rows)

    def _insert(self, rows: list[tuple[int, int, str]]) -> None:
        """One prepared INSERT run many times (Django's bulk_create spent a fifth of an
        import's time building statements); a task that appeared meanwhile is skipped."""
        if not rows:
            return
        now = self.stamp or timezone.now()
        table = ReferralTask._meta.db_table
        sql = (
            f"INSERT INTO {table} (event_id, organisation_id, kind, status, by_hand, "  # noqa: S608 - the model's own table
            "receiving_reference, not_needed_reason, version, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, '', '', 1, %s, %s) "
            "ON CONFLICT (event_id, kind) DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql, [(pk, org, kind, "to_do", False, now, now) for pk, org, kind in rows]
            )

    def audit(self, actor: Any, how: str) -> None:
        """One audit entry for the tasks the rules raised (each later change has its own)."""
        if self.created:
            record_many(
                actor,
                [
                    Change(
                        AuditAction.REFERRAL_TASKS_CREATED,
                        "referral_task",
                        how,
                        details={"created": self.created, "by": "rules"},
                    )
                ],
                at=self.stamp,
            )
