"""What the intelligence pages show: choices, filters and tables, read within scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from caresignals.intelligence import queries
from caresignals.intelligence.models import SafetyAlert, SoftIntelligence
from caresignals.intelligence.vocabulary import (
    CREDIBILITY_MEANS,
    SEVERITY_MEANS,
    Credibility,
    IntelligenceStatus,
    Severity,
    Source,
)
from caresignals.organisations.models import Organisation, OrganisationKind
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for, visible

PAGE_SIZE = 50


def organisation_choices(
    user: Any, capability: Capability, *, system: bool = False
) -> list[tuple[str, str]]:
    """Providers and their services (and the system itself, with `system`) where the user
    holds `capability`, providers in name order, each followed by its services."""
    kinds = [OrganisationKind.PROVIDER, OrganisationKind.SERVICE]
    if system:
        kinds.append(OrganisationKind.ICS)
    orgs = list(
        visible(
            Organisation.objects.filter(kind__in=kinds).select_related("parent"),
            user,
            path_field="path",
            capability=capability,
        ).order_by("path")
    )
    out: list[tuple[str, str]] = []
    top = [o for o in orgs if o.kind == OrganisationKind.ICS]
    out += [(o.code, f"{o.name}: system-wide") for o in top]
    services: dict[int, list[Organisation]] = defaultdict(list)
    for o in orgs:
        if o.kind == OrganisationKind.SERVICE and o.parent_id is not None:
            services[o.parent_id].append(o)
    for p in sorted((o for o in orgs if o.kind == OrganisationKind.PROVIDER), key=lambda o: o.name):
        out.append((p.code, f"{p.name} ({p.code})"))
        for s in sorted(services[p.pk], key=lambda o: o.name):
            out.append((s.code, f"{s.name} at {p.name} ({s.code})"))
    return out


def grade_hints() -> dict[str, dict[str, str]]:
    return {
        "credibility": {str(k): v for k, v in CREDIBILITY_MEANS.items()},
        "severity": {str(k): v for k, v in SEVERITY_MEANS.items()},
    }


FILTERS: dict[str, Any] = {
    "source": Source,
    "severity": Severity,
    "credibility": Credibility,
    "status": IntelligenceStatus,
}


@dataclass
class IntelligenceList:
    items: list[SoftIntelligence]
    total: int
    filters: dict[str, str]
    choices: dict[str, list[tuple[str, str]]]
    providers: list[tuple[str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return any(self.filters.values())


def intelligence_list(user: Any, params: Any) -> IntelligenceList:
    """The log, newest received first, filtered by provider (with its services), source,
    severity, credibility and status. A filter value that is not one of the choices is
    ignored and said so, never an error page."""
    items: QuerySet[SoftIntelligence] = queries.visible_intelligence(user)
    providers = [
        (o.code, f"{o.name} ({o.code})")
        for o in visible(
            Organisation.objects.filter(kind=OrganisationKind.PROVIDER),
            user,
            path_field="path",
            capability=Capability.VIEW_INTELLIGENCE,
        ).order_by("name")
    ]
    filters: dict[str, str] = {}
    notes: list[str] = []
    code = str(params.get("provider", "")).strip()
    if code:
        provider = next((c for c, _ in providers if c == code), None)
        if provider is None:
            notes.append(f"No provider has the code {code[:20]}: showing every provider.")
            code = ""
        else:
            org = Organisation.objects.get(code=code)
            items = items.filter(organisation__path__startswith=org.path)
    filters["provider"] = code
    for name, choices in FILTERS.items():
        value = str(params.get(name, "")).strip()
        if value and value not in choices.values:
            notes.append(f"'{value[:30]}' is not a {name} we know: showing every {name}.")
            value = ""
        if value:
            items = items.filter(Q(**{name: value}))
        filters[name] = value
    rows = list(items[:PAGE_SIZE])
    return IntelligenceList(
        items=rows,
        total=items.count(),
        filters=filters,
        choices={name: list(c.choices) for name, c in FILTERS.items()},
        providers=providers,
        notes=notes,
    )


@dataclass(frozen=True)
class OrganisationPanel:
    """Soft intelligence beside the data on an organisation's page."""

    items: list[SoftIntelligence]
    as_icb: bool  # the ICB's view: every item, and who logged it
    provider_code: str = ""

    @property
    def shown(self) -> bool:
        return self.as_icb or bool(self.items)


def organisation_panel(user: Any, organisation: Organisation) -> OrganisationPanel | None:
    """None for readers entitled to no intelligence about the organisation (nothing shown,
    not even that intelligence exists)."""
    if organisation.kind not in (OrganisationKind.PROVIDER, OrganisationKind.SERVICE):
        return None
    may_icb = scope_for(user, Capability.VIEW_INTELLIGENCE).covers(organisation.path)
    may_shared = scope_for(user, Capability.VIEW_SHARED_INTELLIGENCE).covers(organisation.path)
    if not (may_icb or may_shared):
        return None
    items, as_icb = queries.intelligence_about(user, organisation)
    provider = (
        organisation if organisation.kind == OrganisationKind.PROVIDER else organisation.parent
    )
    return OrganisationPanel(items[:10], as_icb, provider.code if provider else "")


# --------------------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AlertRow:
    alert: SafetyAlert
    providers: int
    overdue: int
    complete: int


def alerts_page(user: Any, today: dt.date) -> tuple[list[AlertRow], list[queries.ProviderStatus]]:
    """Every alert with how many providers in the reader's scope are complete or overdue, and
    the overdue (alert, provider) pairs, by provider."""
    alerts = list(SafetyAlert.objects.all())
    statuses = queries.statuses(alerts, queries.visible_alert_providers(user), today)
    by_alert: dict[int, list[queries.ProviderStatus]] = defaultdict(list)
    for s in statuses:
        by_alert[s.alert.pk].append(s)
    rows = [
        AlertRow(
            a,
            len(by_alert[a.pk]),
            sum(s.overdue for s in by_alert[a.pk]),
            sum(s.outstanding == 0 for s in by_alert[a.pk]),
        )
        for a in alerts
    ]
    return rows, [s for s in statuses if s.overdue]
