"""Everything the signal rules read, as arrays: one row per service or provider, one column
per month.

The rules never query the database. panel_queries.py fills a Panel from the stored measures and
monthly event counts; tests and the benchmark build one directly. Keeping the rules on plain
arrays is what lets them run over every series of a region at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from caresignals.core.periods import Month

Matrix = npt.NDArray[np.float64]  # [units, months], NaN where there is no value


@dataclass(frozen=True)
class Unit:
    """A service or provider the watchlist can list."""

    code: str
    name: str
    kind: str  # "service" or "provider"
    type: str  # its service type or provider type
    provider_code: str  # itself for a provider
    provider_name: str
    path: str = ""  # the organisation's materialised path, for scoping


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str  # proportion, rate, count, mean
    multiplier: float
    derived: bool = False  # counted from events (its absence means no events, not no data)


@dataclass
class Panel:
    months: tuple[str, ...]  # "YYYY-MM", consecutive, oldest first
    units: tuple[Unit, ...]
    indicators: dict[str, IndicatorInfo]
    numerators: dict[str, Matrix]
    denominators: dict[str, Matrix]
    # Events by month occurred, from the monthly event counts (0 where none; NaN never).
    incidents: Matrix  # incident records
    harmful: Matrix  # incidents whose worse harm is moderate, severe or fatal
    events: Matrix  # every record type
    speakup: Matrix | None = None  # speak-up cases by month, when that module is present
    # Duty of Candour notifications overdue at the month computed, by unit code: (count,
    # oldest due date); None when no record of notifications is held (sources.py).
    candour_overdue: dict[str, tuple[int, str]] | None = None
    # Soft intelligence graded high severity and credible, open at the month's end, by unit
    # code: (received on, source, credibility) each; and national patient safety alerts
    # overdue there: (reference, deadline, actions outstanding, actions). None without the
    # intelligence records (sources.py).
    soft_intelligence: dict[str, tuple[tuple[str, str, str], ...]] | None = None
    alerts_overdue: dict[str, tuple[tuple[str, str, int, int], ...]] | None = None
    # Per unit code: (share of patients in its events from outside the service's place,
    # events with a known place), over the last 12 months loaded; only where events say.
    far_from_home: dict[str, tuple[float, int]] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {u.code: i for i, u in enumerate(self.units)}
        shape = (len(self.units), len(self.months))
        for name in ("incidents", "harmful", "events"):
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} must have shape {shape}")

    def index(self, code: str) -> int:
        return self._index[code]

    def month_index(self, period: str) -> int:
        return self.months.index(period)

    def has(self, indicator: str) -> bool:
        return indicator in self.numerators

    def values(self, indicator: str) -> Matrix:
        """numerator / denominator × multiplier (a count: numerator × multiplier); NaN where
        missing. All NaN when the indicator has no values at all."""
        shape = (len(self.units), len(self.months))
        if indicator not in self.numerators:
            return np.full(shape, np.nan)
        info = self.indicators[indicator]
        num = self.numerators[indicator]
        if info.unit == "count":
            return num * info.multiplier
        den = self.denominators[indicator]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = num / den * info.multiplier
        out[~np.isfinite(out)] = np.nan
        return out

    def subset(self, rows: list[int]) -> Panel:
        """The same months and indicators for only these units (in this order)."""
        idx = np.asarray(rows, dtype=np.intp)
        return Panel(
            months=self.months,
            units=tuple(self.units[i] for i in rows),
            indicators=self.indicators,
            numerators={k: v[idx] for k, v in self.numerators.items()},
            denominators={k: v[idx] for k, v in self.denominators.items()},
            incidents=self.incidents[idx],
            harmful=self.harmful[idx],
            events=self.events[idx],
            speakup=None if self.speakup is None else self.speakup[idx],
            candour_overdue=self.candour_overdue,
            soft_intelligence=self.soft_intelligence,
            alerts_overdue=self.alerts_overdue,
            far_from_home=self.far_from_home,
        )

    def empty(self) -> Matrix:
        return np.full((len(self.units), len(self.months)), np.nan)


def month_range(first: str, last: str) -> tuple[str, ...]:
    """Every "YYYY-MM" from first to last inclusive."""
    return tuple(str(m) for m in Month.range(Month.parse(first), Month.parse(last)))


def month_name(period: str) -> str:
    return Month.parse(period).label
