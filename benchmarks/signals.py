"""The monthly signals for a region of 2 000 services in under 10 s (issue 8).

A synthetic panel (the arrays the rules read: 2 000 services of the demo's types under 200
providers, 36 months, every measure the demo region carries, monthly event counts) is built
in memory with a few planted changes, and every rule, the closed-culture assessment and the
ranking run for the last month. Reading the panel from the database is not included: it is
a handful of queries, and the watchlist keeps its result per month and data version.
"""

from __future__ import annotations

import os

import numpy as np

from benchmarks._table import Result, best_of
from caresignals.signals.watchlist.panel import IndicatorInfo, Panel, Unit, month_range

SERVICES = 2_000
PROVIDERS = 200
MONTHS = 36

# service type -> (bed days a month or None, measures: code -> (unit, typical value, denominator))
TYPES: dict[str, tuple[float | None, dict[str, tuple[str, float, float]]]] = {
    "adult_inpatient": (
        3600,
        {
            "fft_negative": ("p", 0.03, 280),
            "fft_positive": ("p", 0.9, 280),
            "complaints": ("c", 8, 1),
            "agency_staff_share": ("p", 0.08, 1000),
        },
    ),
    "maternity": (
        720,
        {
            "fft_negative": ("p", 0.03, 140),
            "fft_positive": ("p", 0.9, 140),
            "complaints": ("c", 5, 1),
            "births": ("c", 280, 1),
        },
    ),
    "emergency_department": (
        None,
        {
            "ed_attendances": ("c", 6000, 1),
            "fft_negative": ("p", 0.08, 400),
            "complaints": ("c", 12, 1),
        },
    ),
    "care_home": (
        1200,
        {
            "fft_negative": ("p", 0.03, 50),
            "fft_positive": ("p", 0.9, 50),
            "complaints": ("c", 0.4, 1),
            "agency_staff_share": ("p", 0.1, 400),
        },
    ),
    "primary_care": (
        None,
        {
            "fft_negative": ("p", 0.05, 110),
            "fft_positive": ("p", 0.88, 110),
            "complaints": ("c", 0.7, 1),
        },
    ),
    "mental_health_inpatient": (
        700,
        {
            "restraint_rate": ("r", 27, 700),
            "seclusion_rate": ("r", 5, 700),
            "supervision_compliance": ("p", 0.85, 40),
            "inpatient_visits_rate": ("r", 18, 700),
            "agency_staff_share": ("p", 0.15, 600),
        },
    ),
    "ld_autism_inpatient": (
        365,
        {
            "restraint_rate": ("r", 27, 365),
            "seclusion_rate": ("r", 5, 365),
            "supervision_compliance": ("p", 0.85, 20),
            "inpatient_visits_rate": ("r", 18, 365),
            "agency_staff_share": ("p", 0.18, 300),
        },
    ),
}
EVENTS_PER_1000_BED_DAYS = 50.0


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    os.environ.setdefault("CARESIGNALS_SECRET_KEY", "bench-only-not-secret")
    django.setup()


def build_panel(seed: int = 2026) -> Panel:

    rng = np.random.default_rng(seed)
    months = month_range("2023-11", "2026-10")
    types = list(TYPES)
    units = [
        Unit(
            f"P{p:03d}",
            f"Provider {p}",
            "provider",
            "acute_trust",
            f"P{p:03d}",
            f"Provider {p}",
            f"/ICS/PL/P{p:03d}/",
        )
        for p in range(PROVIDERS)
    ]
    for s in range(SERVICES):
        p = s % PROVIDERS
        units.append(
            Unit(
                f"S{s:04d}",
                f"Service {s}",
                "service",
                types[s % len(types)],
                f"P{p:03d}",
                f"Provider {p}",
                f"/ICS/PL/P{p:03d}/S{s:04d}/",
            )
        )
    shape = (len(units), MONTHS)
    num: dict[str, np.ndarray] = {}
    den: dict[str, np.ndarray] = {}

    def put(code: str, i: int, n: np.ndarray, d: np.ndarray | None) -> None:
        num.setdefault(code, np.full(shape, np.nan))[i] = n
        den.setdefault(code, np.full(shape, np.nan))
        if d is not None:
            den[code][i] = d

    incidents = np.zeros(shape)
    harmful = np.zeros(shape)
    for i, u in enumerate(units):
        if u.kind == "provider":
            put("staff_vacancy_rate", i, rng.binomial(2000, 0.1, MONTHS), np.full(MONTHS, 2000.0))
            continue
        beds, measures = TYPES[u.type]
        exposure = beds if beds is not None else 800.0
        if beds is not None:
            put("occupied_bed_days", i, np.full(MONTHS, float(beds)), None)
        rate = rng.gamma(20, 1 / 20, MONTHS) * EVENTS_PER_1000_BED_DAYS * exposure / 1000
        incidents[i] = rng.poisson(rate)
        harmful[i] = rng.binomial(incidents[i].astype(int), 0.05)
        for code, (kind, typical, d) in measures.items():
            if kind == "p":
                put(code, i, rng.binomial(int(d), typical, MONTHS), np.full(MONTHS, d))
            elif kind == "r":
                put(code, i, rng.poisson(typical * d / 1000, MONTHS), np.full(MONTHS, d))
            else:
                put(code, i, rng.poisson(typical, MONTHS), None)
        if i % 97 == 0:  # a planted step in one service in about a hundred
            harmful[i, -6:] += rng.poisson(8, 6)
            incidents[i, -6:] = np.maximum(incidents[i, -6:] * 0.6, harmful[i, -6:])
        if i % 211 == 0:
            incidents[i, -2:] = 0
    # Providers carry the sum of their services' events.
    for i, u in enumerate(units[PROVIDERS:], start=PROVIDERS):
        p = int(u.provider_code[1:])
        incidents[p] += incidents[i]
        harmful[p] += harmful[i]
    units_of = {"p": "proportion", "r": "rate", "c": "count"}
    indicators = {
        "occupied_bed_days": IndicatorInfo("occupied_bed_days", "Occupied bed days", "count", 1)
    }
    indicators["staff_vacancy_rate"] = IndicatorInfo(
        "staff_vacancy_rate", "Vacancies", "proportion", 100
    )
    for _beds, measures in TYPES.values():
        for code, (kind, _t, _d) in measures.items():
            mult = {"p": 100.0, "r": 1000.0, "c": 1.0}[kind]
            indicators[code] = IndicatorInfo(code, code.replace("_", " "), units_of[kind], mult)
    return Panel(
        months=months,
        units=tuple(units),
        indicators=indicators,
        numerators=num,
        denominators=den,
        incidents=incidents,
        harmful=harmful,
        events=incidents.copy(),
    )


def run() -> list[Result]:
    _django()
    from caresignals.signals.watchlist import config, engine
    from caresignals.signals.watchlist.links import Links

    panel = build_panel()
    cfg = config.default()
    period = panel.months[-1]
    entries = engine.compute(panel, period, cfg, Links())  # warm up
    seconds = best_of(lambda: engine.compute(panel, period, cfg, Links()), repeat=3)
    return [
        Result(
            name=f"signals for one month, {SERVICES:,} services + {PROVIDERS} providers",
            measured=seconds,
            target=10.0,
            note=f"{len(entries)} listed",
        )
    ]


if __name__ == "__main__":
    from benchmarks._table import print_table

    print_table(run())
