"""`caresignals import indicators` and `caresignals import measures`."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import numpy as np

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Change, record_many
from caresignals.interop import bulk
from caresignals.interop.columns import Column, choice
from caresignals.interop.importing import Batch, Importer
from caresignals.measures import feedback_indicators, hooks, services
from caresignals.measures.models import (
    Chart,
    Indicator,
    MeasureValue,
    Origin,
    Polarity,
    StratumType,
    Unit,
)
from caresignals.organisations.importers import CODE_EXPECTED, CODE_PATTERN
from caresignals.organisations.models import Organisation

NUMBER = r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"
INDICATOR_CODE = r"^[a-z][a-z0-9_]{0,59}$"

# Which strata each stratum type allows (docs/import-formats.md, measures.csv).
STRATA: dict[str, frozenset[str]] = {
    "": frozenset({""}),
    "imd_quintile": frozenset({"1", "2", "3", "4", "5"}),
    "ethnic_group": frozenset({"white", "mixed", "asian", "black", "other", "not_known"}),
    "sex": frozenset({"female", "male", "unknown"}),
    "age_band": frozenset(
        {"0-4", "5-9", "10-15", "16-17", "18-25", "26-45", "46-65", "66-85", "85+", "unknown"}
    ),
    "learning_disability": frozenset({"yes", "no"}),
}


class IndicatorImporter(Importer):
    kind = "indicators"
    key = ("code",)
    columns: ClassVar = [
        Column(
            "code", "a code of lower-case letters, digits and underscores", pattern=INDICATOR_CODE
        ),
        Column("name", "a name of up to 200 characters", max_length=200),
        choice("unit", Unit.values),
        Column("multiplier", "a positive number such as 1, 100 or 1000", pattern=NUMBER),
        choice("polarity", Polarity.values),
        Column("target", "a number, or blank for no target", required=False, pattern=NUMBER),
        choice("chart", Chart.values),
    ]

    def check_batch(self, batch: Batch) -> None:
        multipliers = batch.column("multiplier")
        for i in batch.valid_indices():
            if float(multipliers[i]) <= 0:
                self.reject(batch, int(i), "multiplier", "a positive number such as 1, 100 or 1000")
        self.check_unique_keys(batch)

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        if not self.may_write:
            return
        cols = {c.name: batch.column(c.name) for c in self.columns}
        rows = [
            services.IndicatorDefinition(
                code=cols["code"][i],
                name=cols["name"][i],
                unit=cols["unit"][i],
                multiplier=float(cols["multiplier"][i]),
                polarity=cols["polarity"][i],
                target=float(cols["target"][i]) if cols["target"][i] else None,
                chart=cols["chart"][i],
                source="indicators import",
            )
            for i in indices
        ]
        counts = services.upsert_indicators(rows, self.actor)
        self.report.created += counts.created
        self.report.updated += counts.updated
        self.report.unchanged += counts.unchanged


class MeasureImporter(Importer):
    kind = "measures"
    key = ("org_code", "indicator_code", "period", "stratum_type", "stratum")
    optional_columns = frozenset({"stratum_type", "stratum"})
    columns: ClassVar = [
        Column("org_code", CODE_EXPECTED, pattern=CODE_PATTERN),
        Column(
            "indicator_code", "the code of an indicator already defined", pattern=INDICATOR_CODE
        ),
        Column("period", "a month as YYYY-MM", pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
        Column("numerator", "a number, 0 or more", pattern=NUMBER),
        Column(
            "denominator", "a number above 0, or blank for a count", required=False, pattern=NUMBER
        ),
        choice("stratum_type", [s for s in StratumType.values if s], required=False),
        Column(
            "stratum",
            "the stratum's value, e.g. 1–5 for imd_quintile",
            required=False,
            max_length=20,
        ),
    ]

    def __init__(self, actor: Any) -> None:
        super().__init__(actor)
        self._orgs = dict(Organisation.objects.values_list("code", "id"))
        self._indicators = {i.code: i for i in Indicator.objects.all()}
        self._providers = dict(
            Organisation.objects.filter(kind="service").values_list("id", "parent_id")
        )
        # Bed days feed the event-derived rates: note which provider-months change.
        self._bed_day_months: set[tuple[int, dt.date]] = set()
        # Aggregates of an indicator also counted from feedback: imported beats derived, so
        # those provider-months are recounted at the end (ADR 17).
        self._feedback_months: set[tuple[int, dt.date]] = set()

    def check_batch(self, batch: Batch) -> None:
        c = {
            name: batch.column(name)
            for name in (
                "org_code",
                "indicator_code",
                "numerator",
                "denominator",
                "stratum_type",
                "stratum",
            )
        }
        for i in batch.valid_indices():
            i = int(i)
            if c["org_code"][i] not in self._orgs:
                self.reject(batch, i, "org_code", "the code of an organisation already imported")
                continue
            indicator = self._indicators.get(c["indicator_code"][i])
            if indicator is None:
                self.reject(batch, i, "indicator_code", "the code of an indicator already defined")
                continue
            if indicator.source == "derived from events":
                self.reject(
                    batch,
                    i,
                    "indicator_code",
                    f"an indicator that is measured: {indicator.code} is computed from "
                    "stored events",
                )
                continue
            numerator = float(c["numerator"][i])
            denominator = c["denominator"][i]
            if numerator < 0:
                self.reject(batch, i, "numerator", "a number, 0 or more")
                continue
            if indicator.needs_denominator and not denominator:
                self.reject(
                    batch,
                    i,
                    "denominator",
                    f"a denominator: {indicator.code} is a {indicator.unit}",
                )
                continue
            if denominator:
                d = float(denominator)
                if d <= 0:
                    self.reject(batch, i, "denominator", "a number above 0")
                    continue
                if indicator.unit == Unit.PROPORTION and numerator > d:
                    self.reject(
                        batch,
                        i,
                        "numerator",
                        f"at most the denominator ({denominator}) for a proportion",
                    )
                    continue
            stype, stratum = c["stratum_type"][i] or "", c["stratum"][i] or ""
            if stratum not in STRATA[stype]:
                allowed = ", ".join(sorted(STRATA[stype])) if stype else "blank"
                self.reject(batch, i, "stratum", f"{allowed} for stratum_type {stype or '(blank)'}")
        self.check_unique_keys(batch)

    def store(self, batch: Batch, indices: np.ndarray) -> None:
        if not self.may_write:
            return
        c = {col.name: batch.column(col.name) for col in self.columns}
        rows = []
        for i in indices.tolist():
            year, month = c["period"][i].split("-")
            denominator = c["denominator"][i]
            rows.append(
                (
                    self._orgs[c["org_code"][i]],
                    self._indicators[c["indicator_code"][i]].pk,
                    dt.date(int(year), int(month), 1).isoformat(),
                    c["stratum_type"][i] or "",
                    c["stratum"][i] or "",
                    float(c["numerator"][i]),
                    float(denominator) if denominator else None,
                    Origin.IMPORTED.value,
                )
            )
        bed_days = self._indicators.get("occupied_bed_days")
        if bed_days is not None:
            for org, indicator, period, *_ in rows:
                if indicator == bed_days.pk:
                    provider = self._providers.get(org, org)
                    self._bed_day_months.add((provider, dt.date.fromisoformat(period)))
        from_feedback = {
            i.pk for i in self._indicators.values() if i.source == feedback_indicators.SOURCE
        }
        for org, indicator, period, *_ in rows:
            if indicator in from_feedback:
                provider = self._providers.get(org, org)
                self._feedback_months.add((provider, dt.date.fromisoformat(period)))
        result = bulk.upsert(
            MeasureValue,
            keys=["organisation", "indicator", "period", "stratum_type", "stratum"],
            fields=["numerator", "denominator", "origin"],
            rows=rows,
        )
        self.report.created += result.created
        self.report.updated += result.updated
        self.report.unchanged += result.unchanged
        if result.changes:
            orgs = {pk: code for code, pk in self._orgs.items()}
            indicators = {ind.pk: code for code, ind in self._indicators.items()}
            record_many(
                self.actor,
                [
                    Change(
                        AuditAction.MEASURE_UPDATED,
                        "measure",
                        f"{orgs[o]}/{indicators[ind]}/{str(period)[:7]}/{st}/{s}",
                        details={"changed": names},
                    )
                    for (o, ind, period, st, s), names in result.changes
                ],
            )

    def finish(self) -> None:
        if self.may_write and self._feedback_months:
            # A derived value this import replaced is gone; a provider whose service now
            # submits loses the total it had counted from records alone.
            feedback_indicators.refresh(self._feedback_months)
        if self.may_write and self._bed_day_months:
            hooks.bed_days_imported.send(sender=type(self), months=self._bed_day_months)
