"""Running the rules for a month and ranking what they found.

Scoring (ADR 15): each fired rule contributes its strength
times its weight (config.toml); an entry's score is the sum over its signals, so several
independent findings at one service outrank one strong finding, and one ordinary finding
alone rarely reaches the list. A provider entry keeps only the signals none of its services
already shows, so one problem is listed once, where it is.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from caresignals.signals.watchlist import rules
from caresignals.signals.watchlist.config import Config
from caresignals.signals.watchlist.panel import Panel
from caresignals.signals.watchlist.rules import Context, Hit
from caresignals.signals.watchlist.types import FiredSignal, RiskFactor, WatchlistEntry

FALL_RULES = frozenset(
    {
        "reporting_fall",
        "reporting_fall_with_harm",
        "moderate_harm_rising",
        "missing_events",
        "missing_measure",
        "restrictive_divergence",
        "speakup_change",
    }
)
"""Rules that read a fall, an absence or a share of what was reported. An incomplete month
(its submission lag has not passed, core/clock.py) has not had all its data yet, so these are
not run on it: a month a few days old would otherwise show every service "falling to 0"."""

SKIPPED_ON_INCOMPLETE = (
    "The month is incomplete (its submission lag has not passed), so no rule judged a fall "
    "or an absence on it: falls in reporting, missing events or measures, a share of harm "
    "and speak-up silence are judged once the month is complete."
)


def run_rules(
    panel: Panel, period: str, config: Config, links: Any, *, complete: bool = True
) -> Context:
    """Every registered rule for `period`; the context carries their hits. On an incomplete
    month the rules in FALL_RULES are skipped."""
    ctx = Context(panel=panel, config=config, t=panel.month_index(period), links=links)
    for phase in (False, True):
        for registered in rules.REGISTRY.values():
            if not complete and registered.kind in FALL_RULES:
                continue
            if registered.after is phase:
                ctx.hits.extend(registered.function(ctx))
    return ctx


def _deduplicate(panel: Panel, hits: list[Hit]) -> list[Hit]:
    """Drop a provider's hit when one of its services fired the same rule."""
    service_kinds: set[tuple[str, str]] = set()
    for h in hits:
        unit = panel.units[h.unit]
        if unit.kind == "service":
            service_kinds.add((unit.provider_code, h.kind))
    kept = []
    for h in hits:
        unit = panel.units[h.unit]
        if unit.kind == "provider" and (unit.code, h.kind) in service_kinds:
            continue
        kept.append(h)
    return kept


def _still_firing_since(
    panel: Panel, ctx: Context, config: Config, links: Any, fired: set[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """For each (unit, rule) firing now, the first month of the unbroken run of months, up to
    `scoring.since_lookback_months` back, in which it fired too.

    The earlier months are read for the firing units only (with the peers of any funnel
    outlier, whose comparison needs them), which keeps the look back cheap.
    """
    earliest: dict[tuple[int, str], int] = {}
    lookback = int(config.scoring["since_lookback_months"])
    if not fired or lookback == 0:
        return earliest
    units = {u for u, _ in fired}
    peer_types = {
        (panel.units[u].kind, panel.units[u].type) for u, k in fired if k == "harm_funnel_outlier"
    }
    rows = sorted(units | {i for i, x in enumerate(panel.units) if (x.kind, x.type) in peer_types})
    sub = panel.subset(rows)
    back_to = {new: old for new, old in enumerate(rows)}
    open_runs = set(fired)
    for back in range(1, lookback + 1):
        t = ctx.t - back
        if t < 0 or not open_runs:
            break
        before = run_rules(sub, panel.months[t], config, links)
        then: dict[tuple[int, str], int] = {}
        for h in before.hits:
            key = (back_to[h.unit], h.kind)
            then[key] = min(then.get(key, h.since), h.since)
        for key in list(open_runs):
            if key in then:
                earliest[key] = min(t, then[key])
            else:
                open_runs.discard(key)
    return earliest


def score(signals: list[FiredSignal], config: Config) -> float:
    """Sum of weighted strengths; within the harm family only the strongest counts in full."""
    family = set(config.scoring["harm_family"])
    factor = float(config.scoring["related_factor"])
    seen_family = False
    total = 0.0
    for s in signals:  # strongest first
        if s.kind in family:
            total += s.strength * (factor if seen_family else 1.0)
            seen_family = True
        else:
            total += s.strength
    return total


def compute(
    panel: Panel, period: str, config: Config, links: Any, *, complete: bool = True
) -> list[WatchlistEntry]:
    """The watchlist for `period`: entries whose score reaches the list, most concerning first.
    `complete=False` for a month whose submission lag has not passed (see FALL_RULES)."""
    from caresignals.signals.watchlist.closed_culture import VISIT_QUESTIONS, assess

    ctx = run_rules(panel, period, config, links, complete=complete)
    by_unit: dict[int, list[Hit]] = defaultdict(list)
    for h in _deduplicate(panel, ctx.hits):
        by_unit[h.unit].append(h)
    earliest = _still_firing_since(panel, ctx, config, links, {(h.unit, h.kind) for h in ctx.hits})
    assessments = {a.unit: a for a in assess(ctx)} if by_unit else {}  # shared with the rule
    entries = []
    for u, hits in by_unit.items():
        signals = sorted(
            (
                FiredSignal(
                    kind=h.kind,
                    detail=h.detail,
                    since=panel.months[min(h.since, earliest.get((h.unit, h.kind), h.since))],
                    strength=h.strength * config.weight(h.kind),
                    evidence=h.evidence,
                )
                for h in hits
            ),
            key=lambda s: -s.strength,
        )
        total = score(signals, config)
        level = config.level_for(total)
        if level is None:
            continue
        unit = panel.units[u]
        assessment = assessments.get(u)
        factors: tuple[RiskFactor, ...] = ()
        questions: tuple[str, ...] = ()
        if assessment is not None:
            factors = tuple(
                RiskFactor(f.name, f.present, f.detail, f.evidence) for f in assessment.factors
            )
            questions = VISIT_QUESTIONS
        entries.append(
            WatchlistEntry(
                org_code=unit.provider_code,
                org_name=unit.provider_name,
                service_code=unit.code if unit.kind == "service" else None,
                service_name=unit.name if unit.kind == "service" else None,
                level=level,
                score=total,
                signals=tuple(signals),
                path=unit.path,
                service_type=unit.type,
                closed_culture=factors,
                visit_questions=questions,
            )
        )
    entries.sort(key=lambda e: (-e.score, e.code))
    return entries
