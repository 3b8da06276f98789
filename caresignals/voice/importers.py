"""`caresignals import feedback`: FFT returns and feedback from other systems (feedback.csv).

Keyed by (org_code, source_id): importing the same file twice changes nothing, and a changed
row updates the stored one, audited with the names of the fields that changed. Imported
feedback carries no contact details and no consent to publish, so none of it is ever public.
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
from caresignals.core.periods import Month
from caresignals.interop.columns import Column, choice
from caresignals.interop.importing import Batch, Importer
from caresignals.organisations.importers import CODE_EXPECTED, CODE_PATTERN
from caresignals.organisations.models import Organisation
from caresignals.voice import hooks
from caresignals.voice.models import Channel, Complaint, Feedback, FftRating, Kind
from caresignals.voice.public import TEXT_MAX

UPDATED_FIELDS = ("service_id", "kind", "fft_rating", "text", "received_on")


def _mask(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


class FeedbackImporter(Importer):
    kind = "feedback"
    key = ("org_code", "source_id")
    columns: ClassVar = [
        Column("source_id", "the source system's id, up to 64 characters", max_length=64),
        Column("org_code", CODE_EXPECTED, pattern=CODE_PATTERN),
        Column("service_code", CODE_EXPECTED, required=False, pattern=CODE_PATTERN),
        Column("received_on", "a date as YYYY-MM-DD", kind="date"),
        choice("kind", Kind.values),
        choice("fft_rating", FftRating.values, required=False),
        Column(
            "text", f"free text up to {TEXT_MAX:,} characters", required=False, max_length=TEXT_MAX
        ),
    ]

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        orgs = list(Organisation.objects.values_list("id", "code", "kind", "parent__code", "path"))
        self._providers = {
            code: (pk, path) for pk, code, kind, _, path in orgs if kind == "provider"
        }
        self._services = {
            code: (pk, parent) for pk, code, kind, parent, _ in orgs if kind == "service"
        }
        self._today = clock.today()
        # (provider id, month) pairs whose experience indicators must be recounted (ADR 17).
        self._touched: set[tuple[int, dt.date]] = set()

    def check_batch(self, batch: Batch) -> None:
        t = batch.typed
        orgs = batch.column("org_code")
        services = batch.column("service_code")
        for i in batch.valid_indices().tolist():
            if orgs[i] not in self._providers:
                self.reject(batch, i, "org_code", "the code of a provider already imported")
            elif services[i] is not None:
                found = self._services.get(services[i])
                if found is None:
                    self.reject(batch, i, "service_code", "the code of a service already imported")
                elif found[1] != orgs[i]:
                    self.reject(batch, i, "service_code", f"a service of {orgs[i]}")
        is_fft = pc.equal(t["kind"], Kind.FFT.value)
        rated = pc.is_valid(t["fft_rating"])
        self.reject_where(
            batch,
            _mask(pc.and_(is_fft, pc.invert(rated))),
            "fft_rating",
            "a rating for an fft row: very_good, good, neither, poor, very_poor or dont_know",
        )
        self.reject_where(
            batch,
            _mask(pc.and_(pc.invert(is_fft), rated)),
            "fft_rating",
            "a blank value unless kind is fft",
        )
        needs_text = pc.and_(pc.invert(is_fft), pc.invert(pc.is_valid(t["text"])))
        self.reject_where(
            batch, _mask(needs_text), "text", "the text of a compliment, concern or complaint"
        )
        self.reject_where(
            batch,
            _mask(pc.greater(t["received_on"], pa.scalar(self._today, pa.date32()))),
            "received_on",
            "a date not in the future",
        )
        self.check_unique_keys(batch)

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        if not self.may_write:
            return
        cols = {c.name: batch.column(c.name) for c in self.columns}
        wanted: dict[tuple[int, str], dict[str, Any]] = {}
        index: dict[tuple[int, str], int] = {}
        for i in indices.tolist():
            org_id = self._providers[cols["org_code"][i]][0]
            service = cols["service_code"][i]
            index[(org_id, cols["source_id"][i])] = i
            wanted[(org_id, cols["source_id"][i])] = {
                "service_id": self._services[service][0] if service else None,
                "kind": cols["kind"][i],
                "fft_rating": cols["fft_rating"][i] or "",
                "text": cols["text"][i] or "",
                "received_on": cols["received_on"][i],
            }
        existing: dict[tuple[int, str], Feedback] = {}
        for org_id in {k[0] for k in wanted}:
            sources = [s for o, s in wanted if o == org_id]
            for start in range(0, len(sources), 900):
                for f in Feedback.objects.filter(
                    organisation_id=org_id, source_id__in=sources[start : start + 900]
                ):
                    existing[(f.organisation_id, f.source_id)] = f
        new: list[Feedback] = []
        changed: list[Feedback] = []
        changes: list[Change] = []
        paths = {pk: path for pk, path in self._providers.values()}
        codes = {pk: code for code, (pk, _) in self._providers.items()}
        for key, values in wanted.items():
            found = existing.get(key)
            self._touched.add((key[0], Month.of(values["received_on"]).first_day))
            if found is None:
                new.append(
                    Feedback(
                        organisation_id=key[0],
                        source_id=key[1],
                        channel=Channel.IMPORT,
                        **values,
                    )
                )
                continue
            if found.kind == Kind.COMPLAINT and values["kind"] != Kind.COMPLAINT:
                # Its clocks and any linked event would be orphaned: a person must decide.
                self.reject(batch, index[key], "kind", "complaint, as already stored")
                continue
            names = [n for n, v in values.items() if getattr(found, n) != v]
            if not names:
                self.report.unchanged += 1
                continue
            self._touched.add((key[0], Month.of(found.received_on).first_day))
            for n in names:
                setattr(found, n, values[n])
            found.version += 1
            changed.append(found)
            changes.append(
                Change(
                    AuditAction.FEEDBACK_UPDATED,
                    "feedback",
                    found.reference,
                    paths[key[0]],
                    details={
                        "changed": [n.removesuffix("_id") for n in names],
                        "by": "import",
                        "source": f"{codes[key[0]]}/{key[1]}",
                    },
                )
            )
        Feedback.objects.bulk_create(new, batch_size=2000)
        if changed:
            Feedback.objects.bulk_update(changed, [*UPDATED_FIELDS, "version"], batch_size=2000)
            record_many(self.actor, changes)
        self.report.created += len(new)
        self.report.updated += len(changed)

    def finish(self) -> None:
        if not self.may_write or not self.report.rows_read:
            return
        # Every complaint, however it arrived, has its clocks.
        missing = Feedback.objects.filter(kind=Kind.COMPLAINT, complaint__isnull=True)
        Complaint.objects.bulk_create(
            [Complaint(feedback_id=pk) for pk in missing.values_list("id", flat=True)],
            batch_size=2000,
        )
        if self.report.created or self.report.updated:
            hooks.feedback_imported.send(sender=type(self), provider_months=self._touched)
        self.audit_completed()
