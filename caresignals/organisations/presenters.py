"""What the organisation pages show: the tree around an organisation and its population."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse

from caresignals.organisations import queries
from caresignals.organisations.models import Area, ImdEdition, Organisation

QUINTILE_LABELS = {
    1: "1 – most deprived 20%",
    2: "2",
    3: "3",
    4: "4",
    5: "5 – least deprived 20%",
}


@dataclass(frozen=True)
class QuintileRow:
    quintile: int
    label: str
    areas: int
    population: int
    share: float | None


@dataclass(frozen=True)
class PopulationProfile:
    """People living in the areas an organisation serves, by deprivation quintile."""

    described_as: str
    areas: int
    population: int
    rows: list[QuintileRow]
    editions: list[str]

    @property
    def core20_share(self) -> float | None:
        """Share living in the most deprived 20% of areas nationally (Core20)."""
        if not self.population:
            return None
        return sum(r.population for r in self.rows if r.quintile == 1) / self.population

    @property
    def is_empty(self) -> bool:
        return self.areas == 0


def population_profile(organisation: Organisation) -> PopulationProfile:
    """ICS and places: their own areas. Providers and services: the place they sit in,
    since providers have no catchment of their own in the ICS model."""
    if organisation.kind in ("ics", "place"):
        areas = Area.objects.filter(place__path__startswith=organisation.path)
        described_as = (
            "People living in this integrated care system"
            if organisation.kind == "ics"
            else "People living in this place"
        )
    else:
        place_code = (
            organisation.ancestor_codes()[1] if len(organisation.ancestor_codes()) > 1 else ""
        )
        areas = Area.objects.filter(place__code=place_code)
        described_as = "People living in the place this organisation is part of"
    by_decile = areas.values("imd_decile").annotate(n=Count("id"), people=Sum("population"))
    quintiles: dict[int, list[int]] = {q: [0, 0] for q in range(1, 6)}
    for row in by_decile:
        q = (row["imd_decile"] + 1) // 2
        quintiles[q][0] += row["n"]
        quintiles[q][1] += row["people"] or 0
    total_people = sum(v[1] for v in quintiles.values())
    total_areas = sum(v[0] for v in quintiles.values())
    rows = [
        QuintileRow(
            q, QUINTILE_LABELS[q], n, people, people / total_people if total_people else None
        )
        for q, (n, people) in quintiles.items()
    ]
    editions = sorted(
        {ImdEdition(e).label for e in areas.values_list("imd_edition", flat=True).distinct()}
    )
    return PopulationProfile(described_as, total_areas, total_people, rows, editions)


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class ChildGroup:
    heading: str
    organisations: list[Organisation]


@dataclass(frozen=True)
class OrganisationPage:
    organisation: Organisation
    breadcrumbs: list[dict[str, str]]
    children: list[ChildGroup]
    profile: PopulationProfile


CHILD_HEADINGS = {"place": "Places", "provider": "Providers", "service": "Services"}


def organisation_page(user: Any, code: str) -> OrganisationPage:
    org = queries.organisation_for(user, code)
    crumbs = [{"text": "Organisations", "href": reverse("organisations:index")}] + [
        {"text": a.name, "href": reverse("organisations:detail", args=[a.code])}
        for a in queries.visible_ancestors(user, org)
    ]
    groups: dict[str, list[Organisation]] = {}
    for child in queries.visible_children(user, org):
        groups.setdefault(child.kind, []).append(child)
    children = [ChildGroup(CHILD_HEADINGS.get(k, k.title()), v) for k, v in groups.items()]
    return OrganisationPage(org, crumbs, children, population_profile(org))


def organisations_index(user: Any) -> list[Organisation]:
    return queries.top_organisations(user)


def service_at_provider(service_name: str | None, provider_name: str) -> str:
    """A service named with its provider, once: "Maternity unit, Northgate Hospitals NHS
    Trust". Service names often carry their provider already (the ODS-style names the demo
    and many trusts use), so joining the two blindly printed the provider twice; a service
    named after the first part of its provider's name ("Residential care, Larchfield House"
    at "Larchfield House, Saltburn Bay") gets the rest of the provider's name, not a repeat."""
    if not service_name:
        return provider_name
    if not provider_name or provider_name.casefold() in service_name.casefold():
        return service_name
    head, sep, tail = service_name.partition(", ")
    if sep and provider_name.casefold().startswith(tail.casefold()):
        return f"{head}, {provider_name}"
    return f"{service_name}, {provider_name}"
