"""What the watchlist says about one service or provider: the shared shape of its entries.

The signal engine (signals/watchlist/compute.py) produces these; the watchlist page, the
command line, the API, escalation and the System Quality Group pack read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Evidence:
    """A link to where a person can check a signal for themselves."""

    label: str  # "SPC chart of moderate-or-worse harm", "Events at RX1-MAT since January 2026"
    url: str  # a path on this site


@dataclass(frozen=True)
class FiredSignal:
    kind: str  # a rule's code, e.g. "harm_special_cause"
    detail: str  # a sentence a person can read: what fired, how strongly
    since: str  # YYYY-MM: the first month of the run that is still firing
    strength: float  # the rule's contribution to the score, after its weight
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class RiskFactor:
    """One closed-culture risk factor or warning sign, as the data show it."""

    name: str
    present: bool
    detail: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class WatchlistEntry:
    org_code: str  # the provider
    org_name: str
    service_code: str | None  # None for a provider-level entry
    service_name: str | None
    level: str  # "high", "medium" or "low": how concerning, not an escalation level
    score: float
    signals: tuple[FiredSignal, ...] = field(default_factory=tuple)
    # Added by the signal engine (optional, so other producers need not fill them):
    path: str = ""  # the service's or provider's organisation path, for scoping
    service_type: str = ""  # the service type (or provider type for a provider entry)
    closed_culture: tuple[RiskFactor, ...] = ()  # for services where closed cultures arise
    visit_questions: tuple[str, ...] = ()  # what no data can show: ask on a visit

    @property
    def code(self) -> str:
        """The service's code, or the provider's for a provider-level entry."""
        return self.service_code or self.org_code

    @property
    def name(self) -> str:
        return self.service_name or self.org_name

    @property
    def since(self) -> str:
        """The earliest month of any signal still firing."""
        return min((s.since for s in self.signals), default="")

    def as_json(self) -> dict[str, object]:
        """The shape docs/command-line.md gives, with the extra fields a reader may use."""
        return {
            "org_code": self.org_code,
            "service_code": self.service_code,
            "level": self.level,
            "score": round(self.score, 6),
            "signals": [
                {
                    "kind": s.kind,
                    "detail": s.detail,
                    "since": s.since,
                    "strength": round(s.strength, 6),
                    "evidence": [{"label": e.label, "url": e.url} for e in s.evidence],
                }
                for s in self.signals
            ],
            "org_name": self.org_name,
            "service_name": self.service_name,
            "closed_culture": [
                {"factor": f.name, "present": f.present, "detail": f.detail}
                for f in self.closed_culture
            ],
            "visit_questions": list(self.visit_questions),
        }
