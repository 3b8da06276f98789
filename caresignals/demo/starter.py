"""The synthetic region's organisations, small areas and one person per role.

Everything here is invented: names, codes and populations. Area codes use the E0199xxxx
range, which no real LSOA uses, so they cannot be mistaken for real places. The region is
shaped like the North East and North Cumbria: about 3 million people in 13 places, with
more people in the most deprived areas than England as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from caresignals.audit.services import Actor
from caresignals.organisations import services
from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Role

DEMO_PASSWORD = "synthetic-demo"  # noqa: S105 - the published password of made-up people
ICS_CODE = "ICS-NFC"
ICS_NAME = "North Fells and Coast Integrated Care System"


@dataclass(frozen=True)
class PlaceSpec:
    code: str
    name: str
    population: int
    deprivation: float  # 0 = affluent, 1 = very deprived: skews the area deciles


PLACES = [
    PlaceSpec("PL01", "Tynemouth Reach", 330_000, 0.55),
    PlaceSpec("PL02", "Wearbridge", 275_000, 0.70),
    PlaceSpec("PL03", "Castleford Moor", 300_000, 0.30),
    PlaceSpec("PL04", "Saltburn Bay", 140_000, 0.80),
    PlaceSpec("PL05", "Harrowgate Dale", 530_000, 0.45),
    PlaceSpec("PL06", "Eden Fells", 500_000, 0.25),
    PlaceSpec("PL07", "Coldwell", 195_000, 0.60),
    PlaceSpec("PL08", "Marsden Head", 150_000, 0.65),
    PlaceSpec("PL09", "Teeside Vale", 145_000, 0.85),
    PlaceSpec("PL10", "Allenmouth", 320_000, 0.20),
    PlaceSpec("PL11", "Stanhope Green", 105_000, 0.50),
    PlaceSpec("PL12", "Blythburn", 95_000, 0.75),
    PlaceSpec("PL13", "Keldside", 90_000, 0.15),
]


@dataclass(frozen=True)
class ProviderSpec:
    code: str
    name: str
    type: str
    place: str
    services: tuple[tuple[str, str, str], ...]  # (code suffix, name, service type)


ACUTE_SERVICES = (
    ("MAT", "Maternity unit", "maternity"),
    ("ED", "Emergency department", "emergency_department"),
    ("MED", "Medical wards", "adult_inpatient"),
    ("SUR", "Surgical wards and theatres", "adult_inpatient"),
    ("PAED", "Children's ward", "other"),
)

PROVIDERS = [
    ProviderSpec(
        "RX1",
        "Tynemouth Reach Hospitals NHS Foundation Trust",
        "acute_trust",
        "PL01",
        ACUTE_SERVICES,
    ),
    ProviderSpec(
        "RX2",
        "Wearbridge and District Hospitals NHS Foundation Trust",
        "acute_trust",
        "PL02",
        ACUTE_SERVICES,
    ),
    ProviderSpec(
        "RX3",
        "Castleford Moor University Hospitals NHS Trust",
        "acute_trust",
        "PL03",
        ACUTE_SERVICES,
    ),
    ProviderSpec(
        "RX4",
        "Harrowgate Dale Hospitals NHS Foundation Trust",
        "acute_trust",
        "PL05",
        ACUTE_SERVICES,
    ),
    ProviderSpec(
        "RX5",
        "Eden Fells Integrated Care NHS Foundation Trust",
        "acute_trust",
        "PL06",
        ACUTE_SERVICES,
    ),
    ProviderSpec(
        "RX6", "Coldwell and Marsden Hospitals NHS Trust", "acute_trust", "PL07", ACUTE_SERVICES
    ),
    ProviderSpec(
        "RX7",
        "Teeside Vale University Hospital NHS Foundation Trust",
        "acute_trust",
        "PL09",
        ACUTE_SERVICES,
    ),
    ProviderSpec(
        "RX8", "Allenmouth Healthcare NHS Foundation Trust", "acute_trust", "PL10", ACUTE_SERVICES
    ),
    ProviderSpec(
        "RM1",
        "North Fells Mental Health NHS Foundation Trust",
        "mental_health_trust",
        "PL05",
        (
            ("AIP", "Adult acute inpatient wards", "mental_health_inpatient"),
            ("CMH", "Community mental health teams", "other"),
        ),
    ),
    ProviderSpec(
        "RM2",
        "Coastal Minds NHS Foundation Trust",
        "mental_health_trust",
        "PL02",
        (("AIP", "Acute and psychiatric intensive care wards", "mental_health_inpatient"),),
    ),
    ProviderSpec(
        "RC1",
        "Fells and Coast Community Health NHS Trust",
        "community_trust",
        "PL06",
        (("DN", "District nursing", "community_nursing"),),
    ),
    ProviderSpec(
        "RA1",
        "North Fells and Coast Ambulance Service NHS Foundation Trust",
        "ambulance_trust",
        "PL01",
        (("999", "Emergency operations", "ambulance"),),
    ),
    ProviderSpec(
        "IL1",
        "Hollin Grange Hospital (independent LD and autism inpatient service)",
        "ld_autism_inpatient",
        "PL08",
        (("W1", "Hollin Ward", "ld_autism_inpatient"),),
    ),
    ProviderSpec("HS1", "St Aidan's Hospice", "hospice", "PL03", ()),
]

GP_NAMES = ["Riverside Surgery", "Market Street Medical Practice", "Hillview Health Centre"]
CARE_HOME_NAMES = ["Larchfield House", "The Old Vicarage Care Home"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str

    @property
    def description(self) -> str:
        return f"{Role(self.role).label}, {self.organisation_name}"

    @property
    def organisation_name(self) -> str:
        if self.organisation == ICS_CODE:
            return "the ICB"
        for p in PROVIDERS:
            if p.code == self.organisation:
                return p.name
        return self.organisation


DEMO_USERS = [
    DemoUser("staff", "Sam", "Okafor", Role.STAFF, "RX1"),
    DemoUser("safety.lead", "Priya", "Raman", Role.PATIENT_SAFETY_LEAD, "RX1"),
    DemoUser("complaints.lead", "Gareth", "Hughes", Role.COMPLAINTS_LEAD, "RX1"),
    DemoUser("guardian", "Aisha", "Bello", Role.SPEAKUP_GUARDIAN, "RM1"),
    DemoUser("icb.quality", "Helen", "Armstrong", Role.ICB_QUALITY_LEAD, ICS_CODE),
    DemoUser("board", "David", "Lindqvist", Role.BOARD_MEMBER, "RX1"),
    DemoUser("analyst", "Mei", "Chen", Role.ANALYST, ICS_CODE),
    DemoUser("admin", "Tom", "Fairbairn", Role.ADMINISTRATOR, ICS_CODE),
]


# Every NHS trust has a Freedom to Speak Up guardian: the demo names one at each trust that has
# none among the people above (RM1's is "guardian"). They sign in with the same password.
TRUST_TYPES = ("acute_trust", "mental_health_trust", "community_trust", "ambulance_trust")
_GUARDIAN_NAMES = {
    "RX1": ("Nadia", "Farouk"),
    "RX2": ("Owen", "Pritchard"),
    "RX3": ("Grace", "Mensah"),
    "RX4": ("Liam", "Doherty"),
    "RX5": ("Ewa", "Kowalczyk"),
    "RX6": ("Ravi", "Kapoor"),
    "RX7": ("Fiona", "Gallagher"),
    "RX8": ("Samuel", "Adeyemi"),
    "RM1": ("Aisha", "Bello"),
    "RM2": ("Catriona", "Bell"),
    "RC1": ("Hannah", "Whitfield"),
    "RA1": ("Joseph", "Nwosu"),
}
TRUST_GUARDIANS = [
    DemoUser(f"guardian.{p.code.lower()}", *_GUARDIAN_NAMES[p.code], Role.SPEAKUP_GUARDIAN, p.code)
    for p in PROVIDERS
    if p.type in TRUST_TYPES
    and not any(u.organisation == p.code and u.role == Role.SPEAKUP_GUARDIAN for u in DEMO_USERS)
]


def demo_sign_ins() -> list[DemoUser]:
    return DEMO_USERS


def pals_contact(code: str, name: str, n: int) -> dict[str, Any]:
    """Synthetic PALS contact details for a demo trust, hospice or independent provider (GP
    practices and care homes have none, so the demo shows both): telephone numbers from the
    range Ofcom keeps for drama (0191 498 0000–0999), addresses under example.org."""
    slug = "-".join(name.lower().replace("'", "").split()[:2])
    return {
        "pals_phone": f"0191 498 0{100 + n:03d}",
        "pals_email": f"pals.{code.lower()}@example.org",
        "pals_web": f"https://{slug}.example.org/pals",
        "has_pals": True,
    }


def organisation_rows(seed: int) -> list[services.OrganisationRow]:
    rng = np.random.default_rng(seed)
    rows = [services.OrganisationRow(ICS_CODE, ICS_NAME, "ics", "", "")]
    rows += [services.OrganisationRow(p.code, p.name, "place", "", ICS_CODE) for p in PLACES]
    for n, p in enumerate(PROVIDERS):
        rows.append(
            services.OrganisationRow(
                p.code, p.name, "provider", p.type, p.place, **pals_contact(p.code, p.name, n)
            )
        )
        rows += [
            services.OrganisationRow(
                f"{p.code}-{suffix}", f"{name}, {p.name}", "service", stype, p.code
            )
            for suffix, name, stype in p.services
        ]
    for i, place in enumerate(PLACES, start=1):
        for j, gp in enumerate(GP_NAMES[: 1 + int(rng.integers(1, 3))], start=1):
            code = f"GP{i:02d}{j}"
            rows.append(
                services.OrganisationRow(
                    code, f"{gp}, {place.name}", "provider", "gp_practice", place.code
                )
            )
            rows.append(
                services.OrganisationRow(
                    f"{code}-PC", f"General practice, {gp}", "service", "primary_care", code
                )
            )
        for j, home in enumerate(CARE_HOME_NAMES[: int(rng.integers(1, 3))], start=1):
            code = f"CH{i:02d}{j}"
            rows.append(
                services.OrganisationRow(
                    code, f"{home}, {place.name}", "provider", "care_home", place.code
                )
            )
            rows.append(
                services.OrganisationRow(
                    f"{code}-R", f"Residential care, {home}", "service", "care_home", code
                )
            )
    return rows


def area_rows(seed: int) -> list[services.AreaRow]:
    """About 1,600 people per area; deciles skewed by each place's deprivation."""
    rng = np.random.default_rng(seed + 1)
    rows: list[services.AreaRow] = []
    serial = 0
    deciles = np.arange(1, 11)
    for place in PLACES:
        n_areas = max(place.population // 1600, 20)
        # Weights fall or rise across deciles with the place's deprivation.
        tilt = (place.deprivation - 0.5) * 2.4
        weights = np.exp(-tilt * (deciles - 5.5) / 4.5)
        weights /= weights.sum()
        chosen = rng.choice(deciles, size=n_areas, p=weights)
        sizes = rng.normal(1600, 180, size=n_areas).clip(1000, 3000).round().astype(int)
        for decile, size in zip(chosen, sizes, strict=True):
            serial += 1
            rows.append(services.AreaRow(f"E0199{serial:04d}", place.code, int(decile), int(size)))
    return rows


def build_starter_region(seed: int = 2026) -> None:
    """Organisations, areas and one person per role (the demo password for all)."""
    actor = Actor(label="synthetic region generator")
    services.upsert_organisations(organisation_rows(seed), actor)
    services.upsert_areas(area_rows(seed), actor)
    orgs = {
        o.code: o
        for o in Organisation.objects.filter(code__in={u.organisation for u in DEMO_USERS})
    }
    for u in DEMO_USERS:
        services.create_user(
            u.username,
            password=DEMO_PASSWORD,
            first_name=u.first_name,
            last_name=u.last_name,
            memberships=[(orgs[u.organisation], u.role)],
            actor=actor,
        )
