"""Writes to indicators: from reviewed definition files or indicators.csv, audited."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record_many, require_actor
from caresignals.core.cache import bump
from caresignals.measures.models import Chart, ChartAnnotation, Indicator, Polarity, Unit
from caresignals.measures.numerators import (
    DEFINITIONS_DIR,
    NumeratorRule,
    NumeratorRuleError,
    parse_rule,
)
from caresignals.organisations.models import Organisation
from caresignals.organisations.permissions import require_for
from caresignals.organisations.roles import Capability

REQUIRED_KEYS = (
    "code",
    "name",
    "why_it_matters",
    "numerator",
    "denominator",
    "unit",
    "multiplier",
    "polarity",
    "chart",
    "source",
    "checked_by",
    "checked_on",
)


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name: str
    unit: str
    multiplier: float
    polarity: str
    target: float | None
    chart: str
    why_it_matters: str = ""
    numerator_definition: str = ""
    denominator_definition: str = ""
    source: str = ""
    checked_by: str = ""
    checked_on: dt.date | None = None
    numerator_rule: NumeratorRule | None = None
    """What the system counts, for an indicator it derives itself (measures/numerators.py)."""


NOT_STORED = ("code", "numerator_rule")
"""Definition fields that are not columns of the indicator."""


class DefinitionError(ValueError):
    """A definition file is wrong; the message names the file and the key."""


def read_definition(path: Path) -> IndicatorDefinition:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{path.name}: not valid TOML ({exc})") from None
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise DefinitionError(f"{path.name}: missing {', '.join(missing)}")
    if data["code"] != path.stem:
        raise DefinitionError(f"{path.name}: code {data['code']!r} must match the file name")
    for key, allowed in (
        ("unit", Unit.values),
        ("polarity", Polarity.values),
        ("chart", Chart.values),
    ):
        if data[key] not in allowed:
            raise DefinitionError(f"{path.name}: {key} must be one of {', '.join(allowed)}")
    try:
        numerator_rule = parse_rule(data)
    except NumeratorRuleError as exc:
        raise DefinitionError(f"{path.name}: {exc}") from None
    checked_on = data["checked_on"]
    if isinstance(checked_on, str):
        checked_on = dt.date.fromisoformat(checked_on)
    return IndicatorDefinition(
        code=data["code"],
        name=data["name"],
        unit=data["unit"],
        multiplier=float(data["multiplier"]),
        polarity=data["polarity"],
        target=float(data["target"]) if data.get("target") is not None else None,
        chart=data["chart"],
        why_it_matters=data["why_it_matters"].strip(),
        numerator_definition=data["numerator"].strip(),
        denominator_definition=data["denominator"].strip(),
        source=data["source"],
        checked_by=data["checked_by"],
        checked_on=checked_on,
        numerator_rule=numerator_rule,
    )


def read_definitions(directory: Path = DEFINITIONS_DIR) -> list[IndicatorDefinition]:
    return [read_definition(p) for p in sorted(directory.glob("*.toml"))]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def upsert_indicators(definitions: Iterable[IndicatorDefinition], actor: Actor) -> Counts:
    counts = Counts()
    changes: list[Change] = []
    definitions = list(definitions)
    existing = {i.code: i for i in Indicator.objects.filter(code__in=[d.code for d in definitions])}
    for d in definitions:
        values = {k: v for k, v in asdict(d).items() if k not in NOT_STORED}
        if d.source == "indicators import":
            # A CSV row carries no review metadata: keep what a definition file gave.
            values = {
                k: v
                for k, v in values.items()
                if k in ("name", "unit", "multiplier", "polarity", "target", "chart")
            }
        indicator = existing.get(d.code)
        if indicator is None:
            Indicator.objects.create(code=d.code, **values)
            counts.created += 1
            changes.append(Change(AuditAction.INDICATOR_CREATED, "indicator", d.code))
            continue
        changed = {
            k: [str(getattr(indicator, k)), str(v)]
            for k, v in values.items()
            if getattr(indicator, k) != v
        }
        if not changed:
            counts.unchanged += 1
            continue
        for k, v in values.items():
            setattr(indicator, k, v)
        indicator.save()
        counts.updated += 1
        changes.append(
            Change(AuditAction.INDICATOR_UPDATED, "indicator", d.code, details={"changed": changed})
        )
    record_many(actor, changes)
    if changes:
        bump()
    return counts


def sync_definitions(actor: Actor, directory: Path = DEFINITIONS_DIR) -> Counts:
    """Load the reviewed definition files from the repository."""
    return upsert_indicators(read_definitions(directory), actor)


class RebaseError(ValueError):
    """A rebase that cannot be recorded; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@transaction.atomic
def record_rebase(
    actor: Actor,
    organisation: Organisation,
    indicator: Indicator,
    period: dt.date,
    note: str,
    *,
    periods: list[dt.date],
    suggested: bool = False,
) -> ChartAnnotation:
    """Record that the process changed from `period`: the chart starts a new segment there.

    `periods` are the series' months: a rebase must fall inside it, after its first month.
    `suggested` says the person confirmed the page's suggestion after a sustained shift: the
    audit entry keeps that, so a review can tell a confirmed suggestion from a rebase chosen
    unprompted.
    """
    require_actor(actor)
    if actor.user is not None:
        require_for(actor.user, Capability.RECORD_CHART_CHANGES, organisation.path)
    note = note.strip()
    if not note:
        raise RebaseError("note", "Enter why the process changed")
    if len(note) > 1000:
        raise RebaseError("note", "The reason must be 1,000 characters or fewer")
    if period not in periods[1:]:
        raise RebaseError("period", "Select a month within the chart, after its first month")
    if ChartAnnotation.objects.filter(
        organisation=organisation, indicator=indicator, period=period
    ).exists():
        raise RebaseError("period", "This chart already has a change recorded in that month")
    who = actor.label or getattr(actor.user, "username", "")
    annotation = ChartAnnotation.objects.create(
        organisation=organisation, indicator=indicator, period=period, note=note, created_by=who
    )
    record_many(
        actor,
        [
            Change(
                AuditAction.CHART_REBASED,
                "chart",
                f"{organisation.code}/{indicator.code}",
                organisation.path,
                {"period": period.isoformat(), "note": note}
                | ({"suggested": True} if suggested else {}),
            )
        ],
    )

    bump()
    return annotation


def import_definition_files(path: Path, actor: Actor) -> str:
    """`caresignals import indicators` given reviewed definition files (TOML): a directory of
    them, or one. Raises DefinitionError (a ValueError) or OSError when one cannot be read."""
    definitions = read_definitions(path) if path.is_dir() else [read_definition(path)]
    counts = upsert_indicators(definitions, actor)
    return (
        f"indicators: {len(definitions)} definition(s) read; {counts.created} created, "
        f"{counts.updated} updated, {counts.unchanged} unchanged."
    )
