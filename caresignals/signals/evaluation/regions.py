"""Simulated regions for judging the watchlist: drawn in memory, seeded, with known changes.

A region is a set of providers and their services of the demo's types, 42 months of monthly
counts and measures, drawn with what real data have and a generator tuned to its own rules
lacks: services of very different sizes and baseline rates, winter seasonality, and more
variation than Poisson or binomial noise (counts negative binomial, shares beta-binomial).
A deterioration is then injected into a few services from an onset month on, leaving the same
region without it to measure false alarms. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from caresignals.signals.watchlist.panel import IndicatorInfo, Panel, Unit, month_range

Matrix = npt.NDArray[np.float64]

FIRST_MONTH = "2023-01"
MONTHS = 42
EVALUATED_FROM = 30
"""The first month judged: the twelve months from here are the year on which false entries are
counted, and onsets fall in the first six of them so that six months after each are seen."""
ONSETS = range(EVALUATED_FROM, EVALUATED_FROM + 6)
FOLLOW_UP = 6


@dataclass(frozen=True)
class ServiceType:
    beds: float | None  # occupied bed days a month
    incidents: float  # incidents reported a month, typically
    harm_share: float  # share of incidents with moderate or worse harm
    fft: tuple[float, float, float] | None  # responses a month, negative share, positive share
    complaints: float | None  # a month
    restrictive: tuple[float, float] | None = None  # restraint, seclusion per 1 000 bed days
    closed_culture: bool = False  # supervision, visits and agency measures are carried
    activity: tuple[str, float] | None = None  # an activity measure and its monthly count


TYPES: dict[str, ServiceType] = {
    "adult_inpatient": ServiceType(3600, 150, 0.04, (280, 0.03, 0.90), 8),
    "maternity": ServiceType(720, 40, 0.08, (140, 0.03, 0.90), 5, activity=("births", 280)),
    "emergency_department": ServiceType(
        None, 60, 0.04, (400, 0.08, 0.80), 12, activity=("ed_attendances", 6000)
    ),
    "mental_health_inpatient": ServiceType(
        700, 35, 0.06, None, 2, restrictive=(27, 5), closed_culture=True
    ),
    "ld_autism_inpatient": ServiceType(
        365, 18, 0.06, None, 1, restrictive=(27, 5), closed_culture=True
    ),
    "care_home": ServiceType(1200, 6, 0.10, (50, 0.03, 0.90), 0.4, closed_culture=True),
    "primary_care": ServiceType(None, 4, 0.03, (110, 0.05, 0.88), 0.7),
}

INDICATORS: dict[str, IndicatorInfo] = {
    i.code: i
    for i in (
        IndicatorInfo("occupied_bed_days", "Occupied bed days", "count", 1),
        IndicatorInfo("births", "Births", "count", 1),
        IndicatorInfo("ed_attendances", "ED attendances", "count", 1),
        IndicatorInfo("fft_negative", "FFT negative", "proportion", 100),
        IndicatorInfo("fft_positive", "FFT positive", "proportion", 100),
        IndicatorInfo("complaints", "Complaints", "count", 1),
        IndicatorInfo("restraint_rate", "Restraint", "rate", 1000),
        IndicatorInfo("seclusion_rate", "Seclusion", "rate", 1000),
        IndicatorInfo("restraint_events", "Restraint events", "count", 1, True),
        IndicatorInfo("supervision_compliance", "Supervision", "proportion", 100),
        IndicatorInfo("inpatient_visits_rate", "Visits", "rate", 1000),
        IndicatorInfo("agency_staff_share", "Agency staff", "proportion", 100),
        IndicatorInfo("staff_vacancy_rate", "Vacancies", "proportion", 100),
    )
}


@dataclass(frozen=True)
class Scenario:
    """One kind of deterioration at one effect size."""

    kind: str
    effect: str  # in words, for the table
    fall: float = 0.0  # share by which reporting (or speak-up) falls
    ratio: float = 1.0  # multiplier of the rate or share that rises
    headline: bool = False


KIND_TYPES: dict[str, tuple[str, ...]] = {
    "reporting_fall": ("adult_inpatient", "maternity", "emergency_department", "mh_ld"),
    "fall_with_harm_share": ("adult_inpatient", "maternity", "emergency_department", "mh_ld"),
    "harm_rise": ("adult_inpatient", "maternity", "emergency_department", "mh_ld"),
    "harm_share_rise": ("adult_inpatient", "maternity", "emergency_department", "mh_ld"),
    "experience_worsening": (
        "adult_inpatient",
        "maternity",
        "emergency_department",
        "care_home",
        "primary_care",
    ),
    "complaints_rising": ("adult_inpatient", "maternity", "emergency_department"),
    "restrictive_practice": ("mh_ld",),
    "speakup_silence": ("provider",),
    "closed_culture": ("mh_ld", "care_home"),
}
"""Where each kind of deterioration is injected: the services its rules are for."""

KIND_NAMES: dict[str, str] = {
    "reporting_fall": "Reporting fall",
    "fall_with_harm_share": "Reporting fall with harm share rising",
    "harm_rise": "Harm rise",
    "harm_share_rise": "Harm share rise",
    "experience_worsening": "Experience worsening (FFT)",
    "complaints_rising": "Complaints rising",
    "restrictive_practice": "Restrictive practice rising",
    "speakup_silence": "Speak-up silence (provider)",
    "closed_culture": "Closed-culture pattern",
}

HEADLINE = Scenario("fall_with_harm_share", "40 % fall, harm share ×2", 0.4, 2.0, headline=True)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("reporting_fall", "20 % fall", fall=0.2),
    Scenario("reporting_fall", "40 % fall", fall=0.4),
    Scenario("reporting_fall", "60 % fall", fall=0.6),
    Scenario("fall_with_harm_share", "20 % fall, harm share ×1.5", 0.2, 1.5),
    HEADLINE,
    Scenario("fall_with_harm_share", "60 % fall, harm share ×3", 0.6, 3.0),
    *(Scenario("harm_rise", f"×{r:g}", ratio=r) for r in (1.5, 2, 3)),
    *(Scenario("harm_share_rise", f"×{r:g}", ratio=r) for r in (1.5, 2, 3)),
    *(Scenario("experience_worsening", f"negative ×{r:g}", ratio=r) for r in (1.5, 2, 3)),
    *(Scenario("complaints_rising", f"×{r:g}", ratio=r) for r in (1.5, 2, 3)),
    *(Scenario("restrictive_practice", f"×{r:g}", ratio=r) for r in (1.5, 2, 3)),
    *(Scenario("speakup_silence", f"{f:.0%} fall", fall=f) for f in (0.5, 0.75, 1.0)),
    *(
        Scenario("closed_culture", name, fall=0.15 * s, ratio=1 + 0.5 * s)
        for s, name in ((1, "mild"), (2, "moderate"), (3, "severe"))
    ),
)


@dataclass(frozen=True)
class Injection:
    unit: int
    scenario: Scenario
    onset: int  # month index of the first changed month


@dataclass
class Region:
    """One drawn region: its service-level arrays, before any injection."""

    units: tuple[Unit, ...]
    services: int
    # Expected values behind the draws, per unit (rows of providers are 0).
    expected_incidents: Matrix
    harm_share: npt.NDArray[np.float64]
    counts: dict[str, Matrix]  # incidents, harmful, speakup, restraint_events
    numerators: dict[str, Matrix]
    denominators: dict[str, Matrix]
    dispersion: npt.NDArray[np.float64]  # negative binomial shape per unit
    rho: npt.NDArray[np.float64]  # beta-binomial intra-class correlation per unit
    injections: list[Injection] = field(default_factory=list)

    @property
    def months(self) -> tuple[str, ...]:
        return month_range(FIRST_MONTH, _last_month())

    def eligible(self, kind: str) -> list[int]:
        wanted = set(KIND_TYPES[kind])
        out = []
        for i, u in enumerate(self.units):
            group = (
                "mh_ld" if u.type in ("mental_health_inpatient", "ld_autism_inpatient") else u.type
            )
            if u.kind == "provider":
                group = "provider"
            if group in wanted:
                out.append(i)
        return out


def _last_month() -> str:
    year, month = divmod(int(FIRST_MONTH[:4]) * 12 + int(FIRST_MONTH[5:]) - 1 + MONTHS - 1, 12)
    return f"{year:04d}-{month + 1:02d}"


def _neg_binomial(rng: np.random.Generator, mean: Matrix, shape: float) -> Matrix:
    """Counts with more variation than Poisson: a gamma-distributed rate (variance μ + μ²/k)."""
    return rng.poisson(rng.gamma(shape, np.maximum(mean, 0.0) / shape)).astype(np.float64)


def _beta_binomial(rng: np.random.Generator, n: Matrix, p: float | Matrix, rho: float) -> Matrix:
    """Successes with more variation than binomial: the share itself varies month to month."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    a = p * (1 - rho) / rho
    b = (1 - p) * (1 - rho) / rho
    shares = rng.beta(a, b, size=np.shape(n))
    return rng.binomial(np.asarray(n, dtype=np.int64), shares).astype(np.float64)


def draw_region(rng: np.random.Generator, services: int) -> Region:
    """A region of about `services` services under providers of about ten services each."""
    providers = max(3, round(services / 10))
    types = list(TYPES)
    type_weights = np.array([3, 2, 1, 2, 1, 3, 3], dtype=float)
    kinds = rng.choice(len(types), size=services, p=type_weights / type_weights.sum())
    units = [
        Unit(f"P{p:02d}", f"Provider {p}", "provider", "trust", f"P{p:02d}", f"Provider {p}")
        for p in range(providers)
    ]
    for s in range(services):
        p = int(rng.integers(providers))
        units.append(
            Unit(
                f"P{p:02d}S{s:03d}",
                f"Service {s}",
                "service",
                types[kinds[s]],
                f"P{p:02d}",
                f"Provider {p}",
            )
        )
    n, t = len(units), MONTHS
    month_of_year = (np.arange(t) + int(FIRST_MONTH[5:]) - 1) % 12  # 0 = January
    # Winter pressure: a region-wide amplitude, each service's own share of it.
    amplitude = rng.uniform(0.0, 0.2)
    season = 1 + amplitude * np.cos(2 * np.pi * (month_of_year - rng.normal(0.5, 0.5)) / 12)
    dispersion = rng.uniform(8, 80, n)
    rho = rng.uniform(0.002, 0.02, n)
    expected = np.zeros((n, t))
    harm_share = np.zeros(n)
    counts = {k: np.zeros((n, t)) for k in ("incidents", "harmful", "speakup", "restraint_events")}
    num: dict[str, Matrix] = {}
    den: dict[str, Matrix] = {}

    def put(code: str, i: int, numerator: Matrix, denominator: Matrix | None = None) -> None:
        num.setdefault(code, np.full((n, t), np.nan))[i] = numerator
        den.setdefault(code, np.full((n, t), np.nan))
        if denominator is not None:
            den[code][i] = denominator

    for i, u in enumerate(units):
        if u.kind == "provider":
            staff = float(rng.integers(800, 4000))
            put(
                "staff_vacancy_rate",
                i,
                _beta_binomial(rng, np.full(t, staff), 0.08, rho[i]),
                np.full(t, staff),
            )
            counts["speakup"][i] = _neg_binomial(rng, np.full(t, rng.gamma(3, 1.0)), dispersion[i])
            continue
        spec = TYPES[u.type]
        size = rng.lognormal(0, 0.35)  # how big this service is against its type's typical
        own_season = season ** rng.uniform(0.3, 1.5)
        expected[i] = spec.incidents * size * rng.lognormal(0, 0.3) * own_season
        counts["incidents"][i] = _neg_binomial(rng, expected[i], dispersion[i])
        harm_share[i] = float(np.clip(spec.harm_share * rng.lognormal(0, 0.4), 0.005, 0.5))
        counts["harmful"][i] = _beta_binomial(rng, counts["incidents"][i], harm_share[i], rho[i])
        beds = None
        if spec.beds is not None:
            beds = np.round(spec.beds * size * rng.normal(1, 0.03, t))
            put("occupied_bed_days", i, beds)
        if spec.activity is not None:
            code, typical = spec.activity
            put(code, i, _neg_binomial(rng, np.full(t, typical * size) * own_season, 200))
        if spec.fft is not None:
            responses, negative, positive = spec.fft
            answers = _neg_binomial(rng, np.full(t, responses * size), 30)
            neg_p = float(np.clip(negative * rng.lognormal(0, 0.3), 0.005, 0.3))
            neg = _beta_binomial(rng, answers, neg_p, rho[i])
            pos_p = min(positive, 0.98 - neg_p)
            pos = _beta_binomial(rng, answers - neg, pos_p / (1 - neg_p), rho[i])
            put("fft_negative", i, neg, answers)
            put("fft_positive", i, pos, answers)
        if spec.complaints is not None:
            mean = spec.complaints * size * rng.lognormal(0, 0.3) * own_season
            put("complaints", i, _neg_binomial(rng, mean, dispersion[i]))
        if spec.restrictive is not None and beds is not None:
            restraint, seclusion = spec.restrictive
            episodes = _neg_binomial(rng, restraint * rng.lognormal(0, 0.3) * beds / 1000, 20)
            put("restraint_rate", i, episodes, beds)
            put("seclusion_rate", i, _neg_binomial(rng, seclusion * beds / 1000, 20), beds)
            counts["restraint_events"][i] = rng.binomial(episodes.astype(np.int64), 0.8)
        if spec.closed_culture and beds is not None:
            put("inpatient_visits_rate", i, _neg_binomial(rng, 18 * beds / 1000, 30), beds)
            supervised = np.full(t, float(rng.integers(20, 60)))
            put(
                "supervision_compliance",
                i,
                _beta_binomial(rng, supervised, 0.85, rho[i]),
                supervised,
            )
            hours = np.full(t, float(rng.integers(300, 1200)))
            agency = float(np.clip(rng.normal(0.12, 0.03), 0.02, 0.18))
            put("agency_staff_share", i, _beta_binomial(rng, hours, agency, rho[i]), hours)
    return Region(
        units=tuple(units),
        services=services,
        expected_incidents=expected,
        harm_share=harm_share,
        counts=counts,
        numerators=num,
        denominators=den,
        dispersion=dispersion,
        rho=rho,
    )


def inject(region: Region, rng: np.random.Generator, chosen: list[Injection]) -> Region:
    """A copy of the region with each injection's change from its onset month on."""
    counts = {k: v.copy() for k, v in region.counts.items()}
    num = {k: v.copy() for k, v in region.numerators.items()}
    den = {k: v.copy() for k, v in region.denominators.items()}
    for inj in chosen:
        u, s, o = inj.unit, inj.scenario, inj.onset
        k, rho = float(region.dispersion[u]), float(region.rho[u])
        after = slice(o, MONTHS)
        incidents = counts["incidents"][u, after]
        if s.kind in (
            "reporting_fall",
            "fall_with_harm_share",
            "harm_share_rise",
            "closed_culture",
        ):
            kept = rng.binomial(incidents.astype(np.int64), 1 - s.fall).astype(np.float64)
            share = region.harm_share[u] * (s.ratio if s.kind != "reporting_fall" else 1.0)
            if s.kind == "closed_culture":
                share = region.harm_share[u]
            if s.kind == "reporting_fall":
                # The same harm is reported less: harmful incidents thin like the others.
                reported = counts["harmful"][u, after].astype(np.int64)
                harmful = np.minimum(rng.binomial(reported, 1 - s.fall), kept).astype(np.float64)
            else:
                harmful = _beta_binomial(rng, kept, min(share, 0.95), rho)
            counts["incidents"][u, after] = kept
            counts["harmful"][u, after] = harmful
        if s.kind == "harm_rise":
            mean = region.expected_incidents[u, after] * region.harm_share[u] * (s.ratio - 1)
            extra = _neg_binomial(rng, mean, k)
            counts["harmful"][u, after] += extra
            counts["incidents"][u, after] += extra
        if s.kind == "experience_worsening":
            answers = den["fft_negative"][u, after]
            base = num["fft_negative"][u, :o].sum() / max(den["fft_negative"][u, :o].sum(), 1)
            neg = _beta_binomial(rng, answers, min(base * s.ratio, 0.9), rho)
            pos_share = num["fft_positive"][u, :o].sum() / max(den["fft_positive"][u, :o].sum(), 1)
            pos_p = max(pos_share - base * (s.ratio - 1), 0.01)
            pos = _beta_binomial(rng, answers - neg, min(pos_p / (1 - base * s.ratio), 0.99), rho)
            num["fft_negative"][u, after] = neg
            num["fft_positive"][u, after] = pos
        if s.kind == "complaints_rising":
            mean = np.full(MONTHS - o, max(np.mean(num["complaints"][u, :o]), 0.2))
            num["complaints"][u, after] += _neg_binomial(rng, mean * (s.ratio - 1), k)
        restrictive = "restraint_rate" in num and not np.isnan(num["restraint_rate"][u, 0])
        if s.kind in ("restrictive_practice", "closed_culture") and restrictive:
            for code in ("restraint_rate", "seclusion_rate"):
                mean = np.full(MONTHS - o, np.mean(num[code][u, :o]))
                extra = _neg_binomial(rng, mean * (s.ratio - 1), 20)
                num[code][u, after] += extra
                if code == "restraint_rate":
                    share_reported = 0.8 * (1 - s.fall) if s.kind == "closed_culture" else 0.8
                    counts["restraint_events"][u, after] = rng.binomial(
                        num[code][u, after].astype(np.int64), share_reported
                    )
        if s.kind == "speakup_silence":
            counts["speakup"][u, after] = rng.binomial(
                counts["speakup"][u, after].astype(np.int64), 1 - s.fall
            )
        if s.kind == "closed_culture":
            severity = (s.ratio - 1) / 0.5  # 1, 2 or 3
            if "inpatient_visits_rate" in num and not np.isnan(num["inpatient_visits_rate"][u, 0]):
                visits = num["inpatient_visits_rate"][u, after]
                num["inpatient_visits_rate"][u, after] = rng.binomial(
                    visits.astype(np.int64), 1 - 0.15 * severity
                )
                sup_n = den["supervision_compliance"][u, after]
                sup_p = max(0.85 - 0.07 * severity, 0.3)
                num["supervision_compliance"][u, after] = _beta_binomial(rng, sup_n, sup_p, rho)
                hours = den["agency_staff_share"][u, after]
                share = float(
                    np.nanmean(num["agency_staff_share"][u, :o] / den["agency_staff_share"][u, :o])
                )
                num["agency_staff_share"][u, after] = _beta_binomial(
                    rng, hours, min(share + 0.05 * severity, 0.6), rho
                )
            if "complaints" in num and not np.isnan(num["complaints"][u, 0]):
                num["complaints"][u, after] = rng.binomial(
                    num["complaints"][u, after].astype(np.int64), max(1 - 0.25 * severity, 0.1)
                )
    out = Region(
        units=region.units,
        services=region.services,
        expected_incidents=region.expected_incidents,
        harm_share=region.harm_share,
        counts=counts,
        numerators=num,
        denominators=den,
        dispersion=region.dispersion,
        rho=region.rho,
        injections=list(chosen),
    )
    return out


def provider_totals(region: Region) -> dict[str, Matrix]:
    """The event counts with each provider's row the sum of its services' rows."""
    out = {k: v.copy() for k, v in region.counts.items()}
    row = {u.code: i for i, u in enumerate(region.units) if u.kind == "provider"}
    for i, u in enumerate(region.units):
        if u.kind == "service":
            p = row[u.provider_code]
            for name in ("incidents", "harmful"):
                out[name][p] += out[name][i]
    return out


def to_panel(region: Region) -> Panel:
    """The arrays the watchlist reads, as panel_queries.load_panel would give them."""
    counts = provider_totals(region)
    num = dict(region.numerators)
    den = dict(region.denominators)
    services_rows = np.array([u.kind == "service" for u in region.units])
    events = counts["restraint_events"].copy()
    events[~services_rows] = np.nan
    num["restraint_events"] = events
    den["restraint_events"] = np.full(events.shape, np.nan)
    speakup = counts["speakup"].copy()
    return Panel(
        months=region.months,
        units=region.units,
        indicators=dict(INDICATORS),
        numerators=num,
        denominators=den,
        incidents=counts["incidents"],
        harmful=counts["harmful"],
        events=counts["incidents"].copy(),
        speakup=speakup,
    )
