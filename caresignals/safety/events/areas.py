"""Which service areas fit which provider or service, and the one check of it.

An event filed under an area that does not fit where it happened misses the area's rules and
referrals (hazard H75). The staff form offers only the areas that fit; `area_problem` is the
check the form, the events importer, the API and FHIR intake all apply (the last three through
the importer's row rules, safety/events/importers.py).
"""

from __future__ import annotations

from caresignals.safety.vocabulary import ServiceArea

ANY_AREA: tuple[str, ...] = tuple(ServiceArea.values)
# The service areas that fit each kind of service (organisations.csv type), and those that
# fit each kind of provider when an event is recorded against the provider as a whole. A type
# not listed (or blank) may have any area. The form offers only these, and refuses others
# (hazard H75): an event filed under the wrong area misses the area's rules and referrals.
SERVICE_AREAS_OF_TYPE: dict[str, tuple[str, ...]] = {
    # services
    "maternity": ("maternity",),
    "emergency_department": ("acute",),
    "adult_inpatient": ("acute",),
    "mental_health_inpatient": ("mental_health",),
    "ld_autism_inpatient": ("ld_autism", "mental_health"),
    "community_nursing": ("community_nursing", "community_therapy", "intermediate_care"),
    "primary_care": ("gp", "pharmacy", "dentistry", "optometry"),
    "care_home": ("care_home", "social_care"),
    "ambulance": ("ambulance", "nhs111"),
    # providers, as a whole ("Don't know" kept: the area is not settled by the provider)
    "acute_trust": (
        "acute",
        "maternity",
        "community_nursing",
        "community_therapy",
        "intermediate_care",
        "unknown",
    ),
    "mental_health_trust": (
        "mental_health",
        "ld_autism",
        "community_nursing",
        "community_therapy",
        "unknown",
    ),
    "community_trust": (
        "community_nursing",
        "community_therapy",
        "intermediate_care",
        "dentistry",
        "prison",
        "unknown",
    ),
    "ambulance_trust": ("ambulance", "nhs111", "unknown"),
    "gp_practice": ("gp", "pharmacy"),
    "care_home_provider": ("care_home", "social_care"),
    "ld_autism_inpatient_provider": ("ld_autism", "mental_health", "unknown"),
    "hospice": ("intermediate_care", "community_nursing", "community_therapy", "unknown"),
}


def service_areas_for(kind: str, org_type: str) -> tuple[str, ...]:
    """The service areas an event recorded against this provider or service may have.

    Providers and services share two type names (care_home, ld_autism_inpatient); a
    provider's are looked up under "<type>_provider"."""
    key = f"{org_type}_provider" if kind == "provider" else org_type
    return SERVICE_AREAS_OF_TYPE.get(key) or SERVICE_AREAS_OF_TYPE.get(org_type) or ANY_AREA


def area_problem(area: str, provider_type: str, service_type: str | None) -> str | None:
    """None when `area` fits where the event happened (the service when one is given, else
    the provider as a whole); otherwise what is expected, naming the areas that do.

    "Don't know" always fits: a patient's or family's report (the public form, the public API)
    cannot say which area, and a stated "not known" misfiles nothing; triage settles it."""
    if not area or area == ServiceArea.UNKNOWN:
        return None
    kind, org_type = (
        ("service", service_type)
        if service_type is not None
        else (
            "provider",
            provider_type,
        )
    )
    fits = service_areas_for(kind, org_type or "")
    if area in fits:
        return None
    where = f"a {kind} of type {org_type}"
    return f"a service area that fits {where}: {', '.join(fits)}"
