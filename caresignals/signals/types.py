"""What the watchlist says about one service or provider: the shared shape of its entries.

The signal engine (signals/watchlist.py) produces these; the watchlist page, the command line,
the API, escalation and the System Quality Group pack read them.
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
class WatchlistEntry:
    org_code: str  # the provider
    org_name: str
    service_code: str | None  # None for a provider-level entry
    service_name: str | None
    level: str  # "high", "medium" or "low": how concerning, not an escalation level
    score: float
    signals: tuple[FiredSignal, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, object]:
        """The CONTRACTS.md shape, with the extra fields a reader may use."""
        return {
            "org_code": self.org_code,
            "service_code": self.service_code,
            "level": self.level,
            "score": round(self.score, 6),
            "signals": [
                {"kind": s.kind, "detail": s.detail, "since": s.since} for s in self.signals
            ],
        }
