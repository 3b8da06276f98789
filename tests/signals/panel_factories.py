"""Synthetic panels for the signal rules, and stored series for the pages and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from caresignals.analytics.models import MonthlyEventCount
from caresignals.measures.models import Indicator, MeasureValue
from caresignals.organisations.models import Organisation
from caresignals.signals.watchlist.panel import IndicatorInfo, Panel, Unit, month_range
from caresignals.signals.watchlist.types import Evidence

MONTHS = month_range("2023-11", "2026-10")
RNG_SEED = 11

INDICATORS = {
    "occupied_bed_days": IndicatorInfo("occupied_bed_days", "Occupied bed days", "count", 1),
    "ed_attendances": IndicatorInfo("ed_attendances", "ED attendances", "count", 1),
    "fft_negative": IndicatorInfo("fft_negative", "FFT negative", "proportion", 100),
    "fft_positive": IndicatorInfo("fft_positive", "FFT positive", "proportion", 100),
    "complaints": IndicatorInfo("complaints", "Complaints", "count", 1),
    "restraint_rate": IndicatorInfo("restraint_rate", "Restraint", "rate", 1000),
    "seclusion_rate": IndicatorInfo("seclusion_rate", "Seclusion", "rate", 1000),
    "restraint_events": IndicatorInfo("restraint_events", "Restraint events", "count", 1, True),
    "agency_staff_share": IndicatorInfo("agency_staff_share", "Agency", "proportion", 100),
    "supervision_compliance": IndicatorInfo(
        "supervision_compliance", "Supervision", "proportion", 100
    ),
    "staff_vacancy_rate": IndicatorInfo("staff_vacancy_rate", "Vacancies", "proportion", 100),
    "inpatient_visits_rate": IndicatorInfo("inpatient_visits_rate", "Visits", "rate", 100),
    "falls_with_harm": IndicatorInfo("falls_with_harm", "Falls with harm", "count", 1, True),
}


class FakeLinks:
    """Links without URL routing, for pure tests."""

    def chart(self, code: str, indicator: str, label: str) -> Evidence:
        return Evidence(label, f"/chart/{code}/{indicator}/")

    def funnel(self, indicator: str, org_type: str, period: str) -> Evidence:
        return Evidence("funnel", f"/funnel/{indicator}/?type={org_type}&period={period}")

    def events(self, code: str, period: str) -> Evidence:
        return Evidence("events", f"/org/{code}/")

    def organisation(self, code: str) -> Evidence:
        return Evidence("organisation", f"/org/{code}/")

    def intelligence(self, code: str) -> Evidence:
        return Evidence("intelligence", f"/intelligence/?provider={code}")

    def alerts(self) -> Evidence:
        return Evidence("alerts", "/intelligence/alerts/")


def unit(
    code: str, kind: str = "service", type_: str = "adult_inpatient", provider: str = "P1"
) -> Unit:
    return Unit(
        code,
        f"Unit {code}",
        kind,
        type_,
        provider if kind == "service" else code,
        f"Provider {provider}",
        f"/ICS/PL/{provider}/",
    )


def empty_panel(units: Sequence[Unit], months: Sequence[str] = MONTHS) -> Panel:
    shape = (len(units), len(months))
    return Panel(
        months=tuple(months),
        units=tuple(units),
        indicators=dict(INDICATORS),
        numerators={},
        denominators={},
        incidents=np.zeros(shape),
        harmful=np.zeros(shape),
        events=np.zeros(shape),
    )


def set_measure(
    panel: Panel,
    code: str,
    indicator: str,
    num: Sequence[float],
    den: Sequence[float] | None = None,
) -> None:
    shape = (len(panel.units), len(panel.months))
    panel.numerators.setdefault(indicator, np.full(shape, np.nan))
    panel.denominators.setdefault(indicator, np.full(shape, np.nan))
    i = panel.index(code)
    panel.numerators[indicator][i] = np.asarray(num, dtype=float)
    if den is not None:
        panel.denominators[indicator][i] = np.asarray(den, dtype=float)


def poisson(mean: float, n: int = len(MONTHS), seed: int = RNG_SEED) -> np.ndarray:
    return np.random.default_rng(seed).poisson(mean, n).astype(float)


# --- stored data, for pages and the API ---------------------------------------------------


def store_series(
    org: Organisation,
    months: Sequence[str],
    harmful: Sequence[int],
    incidents: Sequence[int],
    bed_days: float = 700.0,
) -> None:
    """Monthly event counts and bed days for a service (its provider is its parent)."""
    beds, _ = Indicator.objects.get_or_create(
        code="occupied_bed_days",
        defaults={"name": "Occupied bed days", "unit": "count", "polarity": "neutral"},
    )
    for m, h, n in zip(months, harmful, incidents, strict=True):
        month = dt.date(int(m[:4]), int(m[5:7]), 1)
        MeasureValue.objects.create(
            organisation=org, indicator=beds, period=month, numerator=bed_days
        )
        if n - h > 0:
            MonthlyEventCount.objects.create(
                organisation=org.parent,
                service=org,
                month=month,
                record_type="incident",
                max_harm="low",
                count=n - h,
            )
        if h > 0:
            MonthlyEventCount.objects.create(
                organisation=org.parent,
                service=org,
                month=month,
                record_type="incident",
                max_harm="moderate",
                count=h,
            )


def store_closed_culture_ward(provider: Organisation, months: Sequence[str]) -> Organisation:
    """An LD and autism ward whose restraint triples over the last four months, with high
    agency use and low supervision throughout."""
    from caresignals.audit.services import Actor
    from caresignals.measures import services as measure_services
    from tests.factories import OrganisationFactory

    measure_services.sync_definitions(Actor(label="tests"))
    ward = OrganisationFactory(
        code=f"{provider.code}-LD",
        name="Ash Ward",
        kind="service",
        type="ld_autism_inpatient",
        parent=provider,
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    rng = np.random.default_rng(9)
    n = len(months)
    restraint = rng.poisson(10, n).astype(float)
    restraint[-4:] = 30 + rng.poisson(3, 4)
    series = {
        "restraint_rate": (restraint, 365.0),
        "agency_staff_share": (np.full(n, 30.0), 100.0),
        "supervision_compliance": (np.full(n, 60.0), 100.0),
    }
    for code, (numerators, denominator) in series.items():
        for m, value in zip(months, numerators, strict=True):
            MeasureValue.objects.create(
                organisation=ward,
                indicator=indicators[code],
                period=dt.date(int(m[:4]), int(m[5:7]), 1),
                numerator=float(value),
                denominator=denominator,
            )
    return ward
