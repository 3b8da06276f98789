"""`caresignals import events`: LFPSE-aligned events, validated a batch at a time.

Column rules run vectorised (interop/columns.py); the cross-field rules below run over whole
columns with numpy; valid rows go to the database through the staged upsert (interop/bulk.py),
so a million events load in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection
from django.db.models import Exists, OuterRef

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Change, record_many
from caresignals.core import clock
from caresignals.core.cache import REFERENCE_ROW, version_model
from caresignals.interop import bulk
from caresignals.interop.importing import Batch, Importer
from caresignals.organisations.models import Area, Organisation
from caresignals.safety import hooks
from caresignals.safety.events import derived
from caresignals.safety.events.areas import area_problem
from caresignals.safety.events.formats import (
    CANDOUR_COLUMNS,
    EVENT_COLUMNS,
    OPTIONAL_EVENT_COLUMNS,
)
from caresignals.safety.models import (
    CandourRecord,
    PatientSafetyEvent,
    new_public_reference,
    new_references,
)
from caresignals.safety.responses import psirf
from caresignals.safety.responses.queries import plans_for

# Stored fields, in the order rows are built (after the key: organisation, source_id).
FIELDS = [
    "service",
    "record_type",
    "occurred_on",
    "reported_on",
    "service_area",
    "category",
    "physical_harm",
    "psychological_harm",
    "never_event_type",
    "strength_of_association",
    "death_in_care_more_likely_than_not",
    "patient_died",
    "patient_age_years",
    "patient_sex",
    "patient_ethnicity",
    "patient_lsoa",
    "patient_imd_decile",
    "learning_disability",
    "autism",
    "detained_mha",
    "description",
    "reporter_type",
    "anonymous",
    "imd_quintile",
    "ethnic_group",
    "max_harm",
]


# Written when an event is first stored, never by a later row of the same event: a public
# reference, and whether the row carried candour data (a later row with candour data clears
# the mark through `write_candour_steps`; one without leaves what is known alone).
INSERT_ONLY = ["reference", "candour_not_supplied"]

# The candour record's fields an import, the API or FHIR may set.
STEP_FIELDS = [
    "notified_in_person_on",
    "apology_given",
    "written_notification_on",
    "not_notifiable",
    "not_notifiable_reason",
]


def _mask(arr: pa.Array) -> np.ndarray:
    """True where a rule is broken; null (a value missing, checked elsewhere) is not."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _candour_given(t: dict[str, pa.Array]) -> np.ndarray:
    """Rows that carried candour data: any candour column filled (`false` included)."""
    given = np.zeros(len(t["source_id"]), dtype=bool)
    for column in CANDOUR_COLUMNS:
        given |= _mask(pc.is_valid(t[column.name]))
    return given


def _flag(value: str | None) -> bool | None:
    return None if value is None else value == "true"


@dataclass(frozen=True)
class CandourSteps:
    """The candour data one row carried (None: left blank, so left as it is)."""

    org: int
    source_id: str
    notified_on: dt.date | None
    written_on: dt.date | None
    not_notifiable: bool | None
    reason: str

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if self.notified_on is not None:
            values |= {"notified_in_person_on": self.notified_on, "apology_given": True}
        if self.written_on is not None:
            values["written_notification_on"] = self.written_on
        if self.not_notifiable is not None:
            values["not_notifiable"] = self.not_notifiable
            values["not_notifiable_reason"] = self.reason if self.not_notifiable else ""
        return values


class EventImporter(Importer):
    kind = "events"
    key = ("org_code", "source_id")
    columns: ClassVar = [*EVENT_COLUMNS, *CANDOUR_COLUMNS]
    optional_columns = frozenset(c.name for c in CANDOUR_COLUMNS) | OPTIONAL_EVENT_COLUMNS

    def __init__(self, actor: Any, *, one_event: bool = False) -> None:
        super().__init__(actor)
        self.reference = ref = _reference()
        self._provider_codes = ref.provider_codes
        self._provider_ids = ref.provider_ids
        self._service_codes = ref.service_codes
        self._service_ids = ref.service_ids
        self._service_parents = ref.service_parents
        self._lsoa_codes = ref.lsoa_codes
        self._lsoa_deciles = ref.lsoa_deciles
        self._today = pa.scalar(clock.today(), pa.date32())
        self._one_event = one_event
        # One report from a member of the public (services.record_event): it gets a short
        # reference to read aloud (ADR 23), and its harm may be "not known" (blank) since
        # the person may not know it; the patient safety team sets it at triage (hazard H71).
        self.public_report = False
        self._org_code_of = ref.org_code_of
        # Providers with no events stored yet: none of their rows can already exist. (One
        # event looks itself up anyway, so it skips asking.)
        self._no_events_yet: set[int] = set()
        if not one_event:
            has_events = Exists(PatientSafetyEvent.objects.filter(organisation=OuterRef("pk")))
            with_events = set(
                Organisation.objects.filter(has_events, kind="provider").values_list(
                    "id", flat=True
                )
            )
            self._no_events_yet = set(ref.org_code_of) - with_events
        # Provider-months this import touched, for the event-derived indicators.
        self._pending_months: list[pa.Table] = []
        self._any_updated = False
        self._fresh_writers()

    def _fresh_writers(self) -> None:
        from caresignals.safety.candour.referral_tasks import TaskWriter

        self.referral_tasks = TaskWriter(self.reference.service_ids, self.reference.service_types)
        # Rows that carried candour data, by (provider id, source_id): their steps.
        self._candour_steps: list[CandourSteps] = []
        # When one event is written: its created time, if not now (a public report's day).
        self.stamp: dt.datetime | None = None
        self._deferred = bulk.DeferredIndexes(PatientSafetyEvent)

    def check_batch(self, batch: Batch) -> None:
        t = batch.typed
        org = t["org_code"]
        self.reject_where(
            batch,
            _mask(pc.invert(pc.is_in(org, value_set=self._provider_codes))),
            "org_code",
            "the code of a provider already imported",
        )
        service = t["service_code"]
        where = pc.index_in(service, value_set=self._service_codes)
        unknown = pc.and_(pc.is_valid(service), pc.is_null(where))
        self.reject_where(
            batch, _mask(unknown), "service_code", "the code of a service already imported"
        )
        parent = pc.take(self._service_parents, where)
        for i in np.flatnonzero(_mask(pc.not_equal(parent, org)) & ~batch.invalid):
            self.reject(batch, int(i), "service_code", f"a service of {org[int(i)].as_py()}")
        self._check_areas(batch)
        lsoa = t["patient_lsoa"]
        unknown = pc.and_(pc.is_valid(lsoa), pc.invert(pc.is_in(lsoa, value_set=self._lsoa_codes)))
        self.reject_where(
            batch, _mask(unknown), "patient_lsoa", "an LSOA already imported as an area"
        )

        self.reject_where(
            batch,
            _mask(pc.greater(t["occurred_on"], t["reported_on"])),
            "occurred_on",
            "a date on or before reported_on",
        )
        self.reject_where(
            batch,
            _mask(pc.greater(t["reported_on"], self._today)),
            "reported_on",
            "a date not in the future",
        )

        for name in ("candour_notified_on", "candour_written_on"):
            self.reject_where(
                batch, _mask(pc.greater(t[name], self._today)), name, "a date not in the future"
            )
            self.reject_where(
                batch,
                _mask(pc.less(t[name], t["reported_on"])),
                name,
                "a date on or after reported_on",
            )
        self.reject_where(
            batch,
            _mask(pc.less(t["candour_written_on"], t["candour_notified_on"])),
            "candour_written_on",
            "a date on or after candour_notified_on",
        )
        decided = pc.equal(t["candour_not_notifiable"], "true")
        reason = pc.is_valid(t["candour_not_notifiable_reason"])
        self.reject_where(
            batch,
            _mask(pc.and_(decided, pc.invert(reason))),
            "candour_not_notifiable_reason",
            "the reason the event is not notifiable (candour_not_notifiable is true)",
        )
        self.reject_where(
            batch,
            _mask(pc.and_(pc.invert(pc.fill_null(decided, False)), reason)),
            "candour_not_notifiable_reason",
            "a blank value unless candour_not_notifiable is true",
        )

        needs_harm = pc.is_in(t["record_type"], value_set=pa.array(["incident", "outcome"]))
        harm_given = pc.is_valid(t["physical_harm"])
        # A patient or family member may not know the harm: blank is "not known" then (as a
        # public report stores it, hazard H71), so such an event exported reads back in.
        from_public = pc.is_in(t["reporter_type"], value_set=pa.array(["patient", "family_carer"]))
        if not self.public_report:
            self.reject_where(
                batch,
                _mask(pc.and_(pc.and_(needs_harm, pc.invert(from_public)), pc.invert(harm_given))),
                "physical_harm",
                "a harm level for an incident or outcome: none, low, moderate, severe or fatal "
                "(blank only when a patient or family member reported it)",
            )
        self.reject_where(
            batch,
            _mask(pc.and_(pc.invert(needs_harm), harm_given)),
            "physical_harm",
            "a blank value for a risk or good-care record",
        )
        never = pc.and_(
            pc.is_valid(t["never_event_type"]), pc.not_equal(t["record_type"], "incident")
        )
        self.reject_where(
            batch,
            _mask(never),
            "never_event_type",
            "a blank value unless the record is an incident",
        )
        self.check_unique_keys(batch)

    def _check_areas(self, batch: Batch) -> None:
        """The service area must fit the service (or the provider, when no service is given):
        the one rule the staff form applies too (safety/events/areas.py, hazard H75)."""
        ref = self.reference
        type_of_code = getattr(self, "_type_of_code", None)
        if type_of_code is None:
            type_of_code = {ref.code_of[pk]: t for pk, t in ref.type_of.items()}
            self._type_of_code = type_of_code
        t = batch.typed
        found: dict[tuple[str, str, str | None], str | None] = {}
        rows = zip(
            t["org_code"].to_pylist(),
            t["service_code"].to_pylist(),
            t["service_area"].to_pylist(),
            strict=True,
        )
        for i, (org, service, area) in enumerate(rows):
            if batch.invalid[i] or not area or org not in type_of_code:
                continue
            service_type = (type_of_code.get(service) or "") if service else None
            key = (area, type_of_code[org] or "", service_type)
            if key not in found:
                found[key] = area_problem(*key)
            if found[key] is not None:
                self.reject(batch, i, "service_area", str(found[key]))

    pipelined = True

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        self.write(self.prepare(batch, indices))

    def prepare(
        self, batch: Batch, indices: np.ndarray
    ) -> tuple[pa.Table, bulk.Encoded | None] | None:
        """The rows as the events table stores them, derived fields and references added."""
        if not self.may_write:
            return None
        take = pa.array(indices, pa.int64())
        t = {name: pc.take(col, take) for name, col in batch.typed.items()}
        lsoa_decile = pc.take(
            self._lsoa_deciles, pc.index_in(t["patient_lsoa"], value_set=self._lsoa_codes)
        )

        def text(name: str) -> pa.Array:
            return pc.fill_null(t[name], "")

        def flag(name: str) -> pa.Array:
            return pc.fill_null(pc.equal(t[name], "true"), False)

        def tri(name: str) -> pa.Array:
            return pc.fill_null(t[name], "unknown")

        columns: dict[str, pa.Array] = {
            "organisation": pc.take(
                self._provider_ids, pc.index_in(t["org_code"], value_set=self._provider_codes)
            ),
            "source_id": t["source_id"],
            "service": pc.take(
                self._service_ids, pc.index_in(t["service_code"], value_set=self._service_codes)
            ),
            "record_type": t["record_type"],
            "occurred_on": t["occurred_on"],
            "reported_on": t["reported_on"],
            "service_area": t["service_area"],
            "category": t["category"],
            "physical_harm": text("physical_harm"),
            "psychological_harm": text("psychological_harm"),
            "never_event_type": text("never_event_type"),
            "strength_of_association": text("strength_of_association"),
            "death_in_care_more_likely_than_not": flag("death_in_care_more_likely_than_not"),
            "patient_died": flag("patient_died"),
            "patient_age_years": t["patient_age_years"],
            "patient_sex": text("patient_sex"),
            "patient_ethnicity": text("patient_ethnicity"),
            "patient_lsoa": text("patient_lsoa"),
            "patient_imd_decile": t["patient_imd_decile"],
            "learning_disability": tri("learning_disability"),
            "autism": tri("autism"),
            "detained_mha": tri("detained_mha"),
            "description": text("description"),
            "reporter_type": t["reporter_type"],
            "anonymous": flag("anonymous"),
            "imd_quintile": derived.imd_quintile(lsoa_decile, t["patient_imd_decile"]),
            "ethnic_group": derived.ethnic_group(t["patient_ethnicity"]),
            "max_harm": derived.max_harm(t["physical_harm"], t["psychological_harm"]),
            "reference": pa.array(
                [new_public_reference()] if self.public_report else new_references(len(indices)),
                pa.string(),
            ),
            # An event recorded here (a form, the API) is tracked here; an imported row only
            # when it carried candour data (ADR 11).
            "candour_not_supplied": pa.array(
                np.zeros(len(indices), dtype=bool) if self._one_event else ~_candour_given(t),
                pa.bool_(),
            ),
        }
        table = pa.table(columns)
        months = pc.strftime(table.column("occurred_on"), format="%Y-%m-01")
        touched = pa.table({"org": table.column("organisation"), "month": months})
        if touched.num_rows > 1:  # (a group-by costs a millisecond to set up: not for one)
            touched = touched.group_by(["org", "month"]).aggregate([])
        self._pending_months.append(touched)
        self._keep_candour_steps(table, t)
        if self._one_event:  # written by `write_new`, a plain insert
            return table, None
        return table, bulk.encode_ahead(table, ["organisation", "source_id", *FIELDS, *INSERT_ONLY])

    def _keep_candour_steps(self, table: pa.Table, t: dict[str, pa.Array]) -> None:
        given = _candour_given(t)
        if not given.any():
            return
        keep = pa.array(given)
        rows = zip(
            *(
                pc.filter(column, keep).to_pylist()
                for column in (
                    table.column("organisation"),
                    table.column("source_id"),
                    t["candour_notified_on"],
                    t["candour_written_on"],
                    t["candour_not_notifiable"],
                    t["candour_not_notifiable_reason"],
                )
            ),
            strict=True,
        )
        self._candour_steps.extend(
            CandourSteps(org, source, notified, written, _flag(decided), reason or "")
            for org, source, notified, written, decided, reason in rows
        )

    def write_candour_steps(self) -> dict[int, dict[str, Any]]:
        """Store the steps the rows gave on the events' candour records (made if missing),
        and mark those events as carrying candour data. What changed, by event id.

        A blank leaves a step as it is, so a file never clears what a person recorded here;
        `candour_not_notifiable` false withdraws a "not notifiable" decision.
        """
        steps = {(s.org, s.source_id): s for s in self._candour_steps}
        if not steps:
            return {}
        ids: dict[tuple[int, str], int] = {}
        for org in {org for org, _ in steps}:
            sources = [source for o, source in steps if o == org]
            for i in range(0, len(sources), 500):
                for event_id, source in PatientSafetyEvent.objects.filter(
                    organisation_id=org, source_id__in=sources[i : i + 500]
                ).values_list("id", "source_id"):
                    ids[org, source] = event_id
        event_ids = list(ids.values())
        for i in range(0, len(event_ids), 500):
            PatientSafetyEvent.objects.filter(
                id__in=event_ids[i : i + 500], candour_not_supplied=True
            ).update(candour_not_supplied=False)
        records: dict[int, CandourRecord] = {}
        for i in range(0, len(event_ids), 500):
            for r in CandourRecord.objects.filter(event_id__in=event_ids[i : i + 500]):
                records[r.event_id] = r
        new: list[CandourRecord] = []
        changed: list[CandourRecord] = []
        changes: dict[int, dict[str, Any]] = {}
        for key, step in steps.items():
            pk = ids.get(key)
            if pk is None:
                continue
            values = step.values()
            record = records.get(pk)
            if record is None:
                record = CandourRecord(event_id=pk)
            differs = {k: v for k, v in values.items() if getattr(record, k) != v}
            if not differs:
                continue
            for k, v in differs.items():
                setattr(record, k, v)
            changes[pk] = {
                k: v.isoformat() if isinstance(v, dt.date) else v for k, v in differs.items()
            }
            if record.pk is None:
                new.append(record)
            else:
                record.version += 1
                changed.append(record)
        CandourRecord.objects.bulk_create(new, batch_size=1000)
        CandourRecord.objects.bulk_update(changed, [*STEP_FIELDS, "version"], batch_size=1000)
        return changes

    def write(self, prepared: tuple[pa.Table, bulk.Encoded | None] | None) -> None:
        if prepared is None or not self.may_write:
            return
        table, encoded = prepared
        result = bulk.upsert_table(
            PatientSafetyEvent,
            keys=["organisation", "source_id"],
            fields=FIELDS,
            table=table,
            insert_only=INSERT_ONLY,
            unseen=self._no_events_yet,
            encoded=encoded,
        )
        self.report.created += result.created
        self.report.updated += result.updated
        self.report.unchanged += result.unchanged
        self._any_updated = self._any_updated or result.updated > 0
        self.referral_tasks.write(table)
        if result.changes:
            record_many(
                self.actor,
                [
                    Change(
                        AuditAction.EVENT_UPDATED,
                        "event",
                        f"{self._org_code_of[org]}/{source}",
                        details={"changed": names, "by": "import"},
                    )
                    for (org, source), names in result.changes
                ],
            )

    def write_new(self, prepared: tuple[pa.Table, bulk.Encoded | None] | None) -> int | None:
        """Store one new event (a form, the API) and its referral tasks: its id, or None
        when an event with its key is already stored (nothing is then written)."""
        if prepared is None or not self.may_write:
            return None
        table, _ = prepared
        self.referral_tasks.stamp = self.stamp
        pk = bulk.insert_new(
            PatientSafetyEvent,
            table,
            ["organisation", "source_id", *FIELDS, *INSERT_ONLY],
            keys=["organisation", "source_id"],
            stamp=self.stamp,
        )
        if pk is not None:
            self.report.created += 1
            self.referral_tasks.write(table)
        return pk

    def touched_provider_months(self) -> set[tuple[int, dt.date]]:
        pairs: set[tuple[int, dt.date]] = set()
        for t in self._pending_months:
            for org, month in zip(
                t.column("org").to_pylist(), t.column("month").to_pylist(), strict=True
            ):
                pairs.add((org, dt.date.fromisoformat(month)))
        return pairs

    def begin(self) -> None:
        """A region's history loaded into an empty store builds the secondary indexes once,
        at the end, and finds its referral tasks' events then (ADR 7); monthly extracts
        into a populated store keep them. Called afresh when the file is read a second time
        (the first reading was rolled back)."""
        self._fresh_writers()
        if not self._one_event and not PatientSafetyEvent.objects.exists():
            self.referral_tasks.hold = self._deferred.drop()

    def finish(self) -> None:
        if self.may_write:
            self._deferred.restore()
            self.referral_tasks.release()
            self.write_candour_steps()
        if self.may_write and (self.report.created or self.report.updated):
            # An updated event may have moved month: recompute everything in that case.
            hooks.events_imported.send(
                sender=type(self),
                provider_months=None if self._any_updated else self.touched_provider_months(),
            )
        if self.may_write:
            self.referral_tasks.audit(self.actor, f"import {self.report.path}")
        if self.may_write and self.report.rows_read:
            self.audit_completed()


def _reference_key() -> tuple[int, ...]:
    """The reference version, the organisations' count and top id, the areas' count, and the
    plan rules' count, top id and summed versions (every edit raises a rule's version), in
    one query: it runs for every event recorded."""
    from caresignals.safety.models import PlanRule

    q = connection.ops.quote_name
    org, area, version, plan = (
        q(m._meta.db_table) for m in (Organisation, Area, version_model(), PlanRule)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            # Table names come from the models; the one value is a parameter.
            f"SELECT (SELECT version FROM {version} WHERE id = %s), "  # noqa: S608
            f"(SELECT COUNT(*) FROM {org}), (SELECT MAX(id) FROM {org}), "
            f"(SELECT COUNT(*) FROM {area}), "
            f"(SELECT COUNT(*) FROM {plan}), (SELECT MAX(id) FROM {plan}), "
            f"(SELECT SUM(version) FROM {plan})",
            [REFERENCE_ROW],
        )
        row = cursor.fetchone()
    return tuple(int(v or 0) for v in row)


@dataclass(frozen=True)
class _Reference:
    """The organisations and areas an event is checked against, as Arrow arrays, and the
    plans its learning response is read from."""

    key: tuple[int, ...]
    provider_codes: pa.Array
    provider_ids: pa.Array
    service_codes: pa.Array
    service_ids: pa.Array
    service_parents: pa.Array
    lsoa_codes: pa.Array
    lsoa_deciles: pa.Array
    service_types: pa.Array
    org_code_of: dict[int, str]  # providers
    path_of: dict[str, str]  # every organisation, by code
    code_of: dict[int, str]  # providers and services, by id
    type_of: dict[int, str]  # providers and services, by id
    plans: dict[int, list[psirf.PlanRule]]  # each provider's incident response plan, in order


_reference_lock = threading.Lock()
_reference_kept: _Reference | None = None


def _reference() -> _Reference:
    """Reference data, kept per process while it is unchanged.

    Events recorded one at a time would otherwise reload every organisation and area for
    each one. The key changes when the organisation services change anything (the
    reference version) and when rows are added any other way (counts, top id; the
    application never deletes an organisation, and PostgreSQL never reuses an id).
    """
    global _reference_kept
    key = _reference_key()
    with _reference_lock:
        if _reference_kept is not None and _reference_kept.key == key:
            return _reference_kept
    rows = list(
        Organisation.objects.values_list("id", "code", "kind", "parent__code", "path", "type")
    )
    providers = [(pk, code) for pk, code, kind, *_ in rows if kind == "provider"]
    services = [(pk, code, parent, t) for pk, code, kind, parent, _, t in rows if kind == "service"]
    units = [r for r in rows if r[2] in ("provider", "service")]
    areas = list(Area.objects.values_list("lsoa_code", "imd_decile"))
    kept = _Reference(
        key=key,
        provider_codes=pa.array([c for _, c in providers], pa.string()),
        provider_ids=pa.array([pk for pk, _ in providers], pa.int64()),
        service_codes=pa.array([s[1] for s in services], pa.string()),
        service_ids=pa.array([s[0] for s in services], pa.int64()),
        service_parents=pa.array([s[2] for s in services], pa.string()),
        lsoa_codes=pa.array([a for a, _ in areas], pa.string()),
        lsoa_deciles=pa.array([d for _, d in areas], pa.int64()),
        service_types=pa.array([s[3] for s in services], pa.string()),
        org_code_of=dict(providers),
        path_of={r[1]: r[4] for r in rows},
        code_of={r[0]: r[1] for r in units},
        type_of={r[0]: r[5] for r in units},
        plans=plans_for(pk for pk, _ in providers),
    )
    with _reference_lock:
        _reference_kept = kept
    return kept
