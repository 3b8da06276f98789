"""Numerators declared once, in the reviewed definition files, and generated for each engine.

A derived indicator's definition file says what it counts in a ``[numerator_rule]`` table::

    [numerator_rule]
    source = "events"                         # the records counted
    record_type = ["incident"]                # filters: a list of allowed values ...
    max_harm = ["moderate", "severe", "fatal"]
    never_event = true                        # ... or a flag
    denominator = "occupied_bed_days"         # a measure to divide by; leave out for a count

A share of the records themselves (the negative answers among all FFT answers) names the
records it is out of, with the same filters, instead of a measure::

    [numerator_rule]
    source = "feedback"
    kind = ["fft"]
    fft_rating = ["poor", "very_poor"]

    [numerator_rule.out_of]                   # the denominator: these records, counted alike
    kind = ["fft"]

From that one declaration come the Django filter the store counts with (:meth:`q`), the
DuckDB expression the Parquet path counts with (:meth:`sql`) and the words the public
indicator page shows (:meth:`describe`), so the three cannot drift apart. Each source lists
the filters it understands (:data:`SOURCES`): patient-safety events, and feedback records
(ADR 17).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q

from caresignals.safety.vocabulary import (
    HARM_ORDER,
    Category,
    MaxHarm,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
)
from caresignals.voice.models import FftRating, Kind

__all__ = [
    "DEFINITIONS_DIR",
    "SOURCES",
    "NumeratorRule",
    "NumeratorRuleError",
    "parse_rule",
    "rules",
]

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
DENOMINATORS = ("occupied_bed_days",)
"""Measures a derived numerator may be divided by (the refresher sums them per month)."""


class NumeratorRuleError(ValueError):
    """A ``[numerator_rule]`` that cannot be counted; the message names the key."""


@dataclass(frozen=True)
class Filter:
    """One thing a rule may filter on: a column with listed values, or a yes/no flag."""

    key: str
    words: str
    field: str = ""
    values: tuple[str, ...] = ()
    flag_q: Q | None = None
    flag_sql: str = ""
    without: str = ""

    @property
    def is_flag(self) -> bool:
        return self.flag_q is not None


@dataclass(frozen=True)
class Source:
    """Records a numerator can count, and the indicator ``source`` text that goes with them."""

    name: str
    indicator_source: str
    noun: str
    filters: Mapping[str, Filter]
    snapshot_sql: str
    """The records as DuckDB reads them from a Parquet snapshot (``?`` is the path), with a
    column for every filter."""
    counted_by: str = "the month they occurred"


def _filters(*filters: Filter) -> dict[str, Filter]:
    return {f.key: f for f in filters}


_EVENT_HARM_SQL = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in HARM_ORDER.items())
_EVENT_MAX_HARM_SQL = " ".join(f"WHEN {rank} THEN '{name}'" for name, rank in HARM_ORDER.items())

_EVENTS_SQL = f"""
    SELECT
        org_code,
        coalesce(service_code, '') AS service_code,
        date_trunc('month', CAST(occurred_on AS DATE)) AS month,
        record_type,
        coalesce(category, '') AS category,
        coalesce(never_event_type, '') AS never_event_type,
        coalesce(physical_harm, '') AS physical_harm,
        coalesce(psychological_harm, '') AS psychological_harm,
        CASE greatest(
            CASE coalesce(physical_harm, '') {_EVENT_HARM_SQL} ELSE -1 END,
            CASE coalesce(psychological_harm, '') {_EVENT_HARM_SQL} ELSE -1 END
        ) {_EVENT_MAX_HARM_SQL} ELSE '' END AS max_harm
    FROM read_parquet(?)
"""  # noqa: S608 - constants from the vocabulary, no input
"""The events as DuckDB reads them from a Parquet snapshot, one column per filter, blanks as
'' as the store keeps them; ``max_harm`` as the importer derives it (safety/events/derived.py)."""


_FEEDBACK_SQL = """
    SELECT
        org_code,
        coalesce(service_code, '') AS service_code,
        date_trunc('month', CAST(received_on AS DATE)) AS month,
        kind,
        coalesce(fft_rating, '') AS fft_rating
    FROM read_parquet(?)
"""
"""The feedback records as DuckDB reads them from a Parquet snapshot, by the month received."""

FEEDBACK_INDICATOR_SOURCE = "derived from feedback records, or the measures import"
"""Within the 60 characters `Indicator.source` holds; the indicator page says which wins."""

SOURCES: dict[str, Source] = {
    "events": Source(
        name="events",
        indicator_source="derived from events",
        noun="Stored patient-safety events",
        snapshot_sql=_EVENTS_SQL,
        filters=_filters(
            Filter("record_type", "record type", "record_type", tuple(RecordType.values)),
            Filter(
                "max_harm",
                "worse of physical and psychological harm",
                "max_harm",
                tuple(MaxHarm.values),
            ),
            Filter("category", "category", "category", tuple(Category.values)),
            Filter("physical_harm", "physical harm", "physical_harm", tuple(PhysicalHarm.values)),
            Filter(
                "psychological_harm",
                "psychological harm",
                "psychological_harm",
                tuple(PsychologicalHarm.values),
            ),
            Filter(
                "never_event",
                "a Never Event type",
                flag_q=~Q(never_event_type=""),
                flag_sql="never_event_type <> ''",
                without="no Never Event type",
            ),
        ),
    ),
    "feedback": Source(
        name="feedback",
        indicator_source=FEEDBACK_INDICATOR_SOURCE,
        noun="Feedback records held (the public forms, the API and the feedback import)",
        snapshot_sql=_FEEDBACK_SQL,
        counted_by="the month they were received",
        filters=_filters(
            Filter("kind", "kind", "kind", tuple(Kind.values)),
            Filter(
                "fft_rating",
                "Friends and Family Test rating",
                "fft_rating",
                tuple(FftRating.values),
            ),
        ),
    ),
}


Where = tuple[tuple[str, tuple[str, ...] | bool], ...]


@dataclass(frozen=True)
class NumeratorRule:
    """What a derived indicator counts: records of ``source`` passing every filter."""

    source: str
    where: Where
    denominator: str | None = None
    out_of: Where | None = None
    """For a share of the source's own records: the records it is out of (the denominator)."""

    def _filter(self, key: str) -> Filter:
        return SOURCES[self.source].filters[key]

    def q(self) -> Q:
        """The Django filter over the source's model (``Count("id", filter=rule.q())``)."""
        return self._q(self.where)

    def out_of_q(self) -> Q | None:
        """The denominator's filter, for a share of the source's own records."""
        return None if self.out_of is None else self._q(self.out_of)

    def _q(self, where: Where) -> Q:
        q = Q()
        for key, wanted in where:
            f = self._filter(key)
            if f.is_flag:
                assert f.flag_q is not None
                q &= f.flag_q if wanted else ~f.flag_q
            else:
                assert isinstance(wanted, tuple)
                q &= (
                    Q(**{f.field: wanted[0]})
                    if len(wanted) == 1
                    else Q(**{f"{f.field}__in": wanted})
                )
        return q

    @property
    def snapshot_sql(self) -> str:
        return SOURCES[self.source].snapshot_sql

    def sql(self) -> str:
        """The DuckDB condition over the source's snapshot columns (``count(*) FILTER (WHERE
        ...)``); ``TRUE`` when nothing is filtered."""
        return self._sql(self.where)

    def out_of_sql(self) -> str | None:
        return None if self.out_of is None else self._sql(self.out_of)

    def _sql(self, where: Where) -> str:
        parts = []
        for key, wanted in where:
            f = self._filter(key)
            if f.is_flag:
                parts.append(f.flag_sql if wanted else f"NOT ({f.flag_sql})")
            else:
                assert isinstance(wanted, tuple)
                quoted = ["'" + v.replace("'", "''") + "'" for v in wanted]
                if len(quoted) == 1:
                    parts.append(f"{f.field} = {quoted[0]}")
                else:
                    parts.append(f"{f.field} IN ({', '.join(quoted)})")
        return " AND ".join(parts) or "TRUE"

    def describe(self) -> str:
        """The rule in words, for the public indicator page."""
        text = SOURCES[self.source].noun
        clauses = self._clauses(self.where)
        if clauses:
            text += " with " + " and ".join(clauses)
        text += f", counted by {SOURCES[self.source].counted_by}"
        if self.denominator:
            text += f", per {self.denominator.replace('_', ' ')} (the {self.denominator} measure)"
        if self.out_of is not None:
            within = self._clauses(self.out_of)
            text += ", out of all the records held" + (
                " with " + " and ".join(within) if within else ""
            )
        return text

    def _clauses(self, where: Where) -> list[str]:
        clauses = []
        for key, wanted in where:
            f = self._filter(key)
            if f.is_flag:
                clauses.append(f.words if wanted else f.without)
            else:
                assert isinstance(wanted, tuple)
                names = [v.replace("_", " ") for v in wanted]
                listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
                clauses.append(f"{f.words} {listed}")
        return clauses


def parse_rule(data: Mapping[str, Any]) -> NumeratorRule | None:
    """The ``[numerator_rule]`` of one definition file, checked against the rest of it; None
    when the file has none (the system then computes no values for it). Raises
    :class:`NumeratorRuleError`."""
    raw = data.get("numerator_rule")
    if raw is None:
        return None  # imported, or derived by a rule not yet declared: nothing is counted
    if not isinstance(raw, dict):
        raise NumeratorRuleError("numerator_rule must be a table ([numerator_rule])")
    source = SOURCES.get(raw.get("source", ""))
    if source is None:
        raise NumeratorRuleError(
            f"numerator_rule.source must be one of {', '.join(SOURCES)} (got {raw.get('source')!r})"
        )
    if data.get("source") != source.indicator_source:
        raise NumeratorRuleError(
            f"an indicator counted from {source.name} must have source = "
            f"{source.indicator_source!r}"
        )
    where = _where(source, raw, "numerator_rule", skip=("source", "denominator", "out_of"))
    denominator = raw.get("denominator")
    if denominator is not None and denominator not in DENOMINATORS:
        raise NumeratorRuleError(
            f"numerator_rule.denominator must be one of {', '.join(DENOMINATORS)} "
            f"or left out for a count (got {denominator!r})"
        )
    out_of = None
    if "out_of" in raw:
        if not isinstance(raw["out_of"], dict):
            raise NumeratorRuleError(
                "numerator_rule.out_of must be a table ([numerator_rule.out_of])"
            )
        if denominator is not None:
            raise NumeratorRuleError(
                "numerator_rule has a denominator measure or out_of records, not both"
            )
        out_of = _where(source, raw["out_of"], "numerator_rule.out_of", skip=())
    if (denominator is None and out_of is None) != (data.get("unit") == "count"):
        raise NumeratorRuleError(
            'a count (unit = "count") has no numerator_rule.denominator or out_of, and any '
            "other unit needs one"
        )
    return NumeratorRule(source=source.name, where=where, denominator=denominator, out_of=out_of)


def _where(source: Source, raw: Mapping[str, Any], table: str, skip: tuple[str, ...]) -> Where:
    where: list[tuple[str, tuple[str, ...] | bool]] = []
    for key, value in raw.items():
        if key in skip:
            continue
        f = source.filters.get(key)
        if f is None:
            raise NumeratorRuleError(
                f"{table}.{key}: {source.name} cannot be filtered by {key!r}; "
                f"use {', '.join(source.filters)}"
            )
        if f.is_flag:
            if not isinstance(value, bool):
                raise NumeratorRuleError(f"{table}.{key} must be true or false")
            where.append((key, value))
            continue
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise NumeratorRuleError(f'{table}.{key} must be a list of values, e.g. ["x"]')
        unknown = [v for v in value if v not in f.values]
        if unknown:
            raise NumeratorRuleError(
                f"{table}.{key}: {', '.join(map(repr, unknown))} not one of {', '.join(f.values)}"
            )
        where.append((key, tuple(value)))
    return tuple(where)


@functools.cache
def rules(source: str = "events", directory: Path = DEFINITIONS_DIR) -> dict[str, NumeratorRule]:
    """Every derived indicator counted from ``source``, by code, from the definition files."""
    found = {}
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        try:
            rule = parse_rule(data)
        except NumeratorRuleError as exc:
            raise NumeratorRuleError(f"{path.name}: {exc}") from None
        if rule is not None and rule.source == source:
            found[str(data["code"])] = rule
    return found
