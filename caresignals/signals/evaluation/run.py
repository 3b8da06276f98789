"""The evaluation: many simulated regions, the watchlist and three baselines, one table.

For each region (regions.py) the watchlist is computed for each of the twelve judged months
twice: once on the region as drawn, where every entry is a false one, and once with a few
services changed from an onset month on. The baselines (baselines.py) score the same two
versions; each baseline's threshold is set so that it makes as many entries on the unchanged
regions as the watchlist did, and then its detection of the changes is read at that threshold.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from caresignals.signals.evaluation import baselines
from caresignals.signals.evaluation.regions import (
    EVALUATED_FROM,
    FOLLOW_UP,
    HEADLINE,
    KIND_NAMES,
    MONTHS,
    ONSETS,
    SCENARIOS,
    Injection,
    Region,
    Scenario,
    draw_region,
    inject,
    to_panel,
)
from caresignals.signals.watchlist.types import Evidence

WATCHLIST = "Watchlist"
METHODS = (WATCHLIST, *baselines.METHODS)
JUDGED = range(EVALUATED_FROM, MONTHS)  # the twelve months on which false entries count
AIM_FALSE_RATE = 5.0  # false entries per 100 services a year (issue 15)
INJECTED_SHARE = 0.2  # at most this share of a region's services is changed at once


@dataclass(frozen=True)
class Size:
    regions: int
    services: tuple[int, int]  # fewest and most services in a region


SIZES = {"small": Size(2, (20, 30)), "full": Size(30, (30, 80))}


class _NoLinks:
    """Evidence links are for people reading a page; the evaluation reads none."""

    def _none(self, *args: object) -> Evidence:
        return Evidence("", "")

    chart = funnel = events = organisation = _none


@dataclass
class Draw:
    """One injected change and, per method, the months since onset at which it was listed
    (1 = the onset month) and whether it was in the region's top five in month 3."""

    scenario: Scenario
    listed: dict[str, list[bool]] = field(default_factory=dict)
    top5: dict[str, bool] = field(default_factory=dict)


@dataclass
class Outcome:
    draws: list[Draw]
    services: int  # services in all regions, for false entries per 100
    false_entries: dict[str, int]  # entries (unit-months) on the unchanged regions
    thresholds: dict[str, float]  # each baseline's calibrated threshold
    seconds: float
    false_rules: Counter[str] = field(default_factory=Counter)  # rules in the false entries
    false_leading: Counter[str] = field(default_factory=Counter)  # each one's strongest rule
    scores: Scores | None = None

    def false_rate(self, method: str) -> float:
        """Entries per 100 services a year on regions with nothing injected."""
        years = len(JUDGED) / 12
        return 100 * self.false_entries[method] / (self.services * years)

    def detection(self, method: str, scenario: Scenario, month: int) -> float:
        found = [any(d.listed[method][:month]) for d in self.draws if d.scenario == scenario]
        return float(np.mean(found)) if found else float("nan")

    def months_to_detection(self, method: str, scenario: Scenario) -> float:
        """The median months from onset to the first listing (inf when most are not listed
        within the follow-up)."""
        found = []
        for d in self.draws:
            if d.scenario == scenario:
                first = next((i + 1 for i, x in enumerate(d.listed[method]) if x), np.inf)
                found.append(first)
        return float(np.median(found)) if found else float("nan")

    def top5(self, method: str, scenario: Scenario) -> float:
        found = [d.top5[method] for d in self.draws if d.scenario == scenario]
        return float(np.mean(found)) if found else float("nan")

    def count(self, scenario: Scenario) -> int:
        return sum(d.scenario == scenario for d in self.draws)


def _choose(
    region: Region, rng: np.random.Generator, scenarios: tuple[Scenario, ...]
) -> list[Injection]:
    """A few changes for this region: the headline scenario first when it is among them,
    then others at random, no service changed twice."""
    limit = max(1, int(region.services * INJECTED_SHARE))
    order = list(rng.permutation(len(scenarios)))
    headline = [i for i in order if scenarios[i].headline]
    order = headline + [i for i in order if not scenarios[i].headline]
    used: set[int] = set()
    providers_used: set[str] = set()
    chosen: list[Injection] = []
    for i in order:
        if len(chosen) >= limit:
            break
        s = scenarios[i]
        pool = [
            u
            for u in region.eligible(s.kind)
            if u not in used and region.units[u].provider_code not in providers_used
        ]
        if not pool:
            continue
        u = int(rng.choice(pool))
        used.add(u)
        if s.kind == "speakup_silence":
            providers_used.add(region.units[u].code)
        chosen.append(Injection(u, s, int(rng.choice(list(ONSETS)))))
    return chosen


def _watchlist_scores(
    region: Region, config: Any, rules: Counter[str], leading: Counter[str]
) -> np.ndarray:
    """Each unit's watchlist score per judged month (0 when not listed); counts the rules
    behind each entry into `rules` and the strongest of them into `leading`."""
    from caresignals.signals.watchlist import engine

    panel = to_panel(region)
    out = np.zeros((len(region.units), len(JUDGED)))
    for j, t in enumerate(JUDGED):
        for e in engine.compute(panel, panel.months[t], config, _NoLinks()):
            out[panel.index(e.code), j] = e.score
            rules.update(s.kind for s in e.signals)
            if e.signals:
                leading[e.signals[0].kind] += 1
    return out


def _threshold(clean_scores: np.ndarray, allowed: int) -> float:
    """The lowest threshold at which no more than `allowed` unit-months are flagged."""
    flat = np.sort(clean_scores[np.isfinite(clean_scores)].ravel())[::-1]
    if allowed >= flat.size:
        return float(flat[-1]) if flat.size else 0.0
    return float(np.nextafter(flat[allowed], np.inf))


def evaluate(
    size: Size,
    *,
    seed: int = 2026,
    scenarios: tuple[Scenario, ...] = SCENARIOS,
    config: Any = None,
) -> Outcome:
    """Draw `size.regions` regions and judge every method on them (seeded: the same seed gives
    the same table)."""
    from caresignals.signals.watchlist import config as watchlist_config

    cfg = config or watchlist_config.default()
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    judged = slice(EVALUATED_FROM, MONTHS)
    clean_scores: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    changed_scores: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    plans: list[tuple[Region, list[Injection]]] = []
    false_rules: Counter[str] = Counter()
    false_leading: Counter[str] = Counter()
    services = 0
    for _ in range(size.regions):
        region = draw_region(rng, int(rng.integers(size.services[0], size.services[1] + 1)))
        changed = inject(region, rng, _choose(region, rng, scenarios))
        services += region.services
        plans.append((changed, changed.injections))
        for version, store, rules, leading in (
            (region, clean_scores, false_rules, false_leading),
            (changed, changed_scores, Counter[str](), Counter[str]()),
        ):
            store[WATCHLIST].append(_watchlist_scores(version, cfg, rules, leading))
            for name, scorer in baselines.SCORERS.items():
                store[name].append(scorer(version)[:, judged])
    scores = Scores(clean_scores, changed_scores, [p[1] for p in plans], [])
    for changed, injections in plans:
        injected = {i.unit for i in injections}
        providers = {changed.units[i].provider_code for i in injected}
        scores.others.append(
            np.array(
                [
                    i not in injected and not (u.kind == "provider" and u.code in providers)
                    for i, u in enumerate(changed.units)
                ]
            )
        )
    listing = float(cfg.levels["low"])
    draws, false_entries, thresholds = _judge(scores, listing)
    return Outcome(
        draws=draws,
        services=services,
        false_entries=false_entries,
        thresholds=thresholds,
        seconds=time.perf_counter() - started,
        false_rules=false_rules,
        false_leading=false_leading,
        scores=scores,
    )


@dataclass
class Scores:
    """Every method's score per unit and judged month, per region, kept so that the methods
    can be compared again at another false-alarm rate without recomputing them."""

    clean: dict[str, list[np.ndarray]]
    changed: dict[str, list[np.ndarray]]
    injections: list[list[Injection]]
    others: list[np.ndarray]  # per region: units with nothing injected in them or beneath


def _judge(scores: Scores, listing: float) -> tuple[list[Draw], dict[str, int], dict[str, float]]:
    """The draws' detections with the watchlist listing at `listing` and each baseline
    calibrated to as many false entries as the watchlist then makes."""
    false_entries = {
        WATCHLIST: int(sum(int((s >= listing).sum()) for s in scores.clean[WATCHLIST]))
    }
    thresholds = {WATCHLIST: listing}
    for name in baselines.METHODS:
        allowed = false_entries[WATCHLIST]
        level = _threshold(np.concatenate([s.ravel() for s in scores.clean[name]]), allowed)
        thresholds[name] = level
        false_entries[name] = int(sum(int((s >= level).sum()) for s in scores.clean[name]))
    draws = []
    for r, injections in enumerate(scores.injections):
        others = scores.others[r]
        for inj in injections:
            draw = Draw(inj.scenario)
            cols = range(inj.onset - EVALUATED_FROM, inj.onset - EVALUATED_FROM + FOLLOW_UP)
            for m in METHODS:
                matrix = scores.changed[m][r]
                flagged = matrix >= thresholds[m]
                draw.listed[m] = [bool(flagged[inj.unit, c]) for c in cols]
                third = cols[2]
                own = matrix[inj.unit, third]
                ahead = int(np.sum(matrix[others, third] > own))
                draw.top5[m] = bool(flagged[inj.unit, third]) and ahead < 5
            draws.append(draw)
    return draws, false_entries, thresholds


def at_false_rate(outcome: Outcome, rate: float) -> Outcome:
    """The same draws judged with the watchlist listing at the lowest score that keeps its
    false entries to `rate` per 100 services a year (never below the configured cut-off, whose
    lower scores were not kept), and each baseline recalibrated to match: what
    `levels.low` would have to be for that rate, and what it would find."""
    if outcome.scores is None:
        raise ValueError("the outcome kept no scores")
    years = len(JUDGED) / 12
    allowed = int(np.floor(rate * outcome.services * years / 100))
    clean = np.concatenate([s.ravel() for s in outcome.scores.clean[WATCHLIST]])
    listed = clean[clean > 0]
    listing = outcome.thresholds[WATCHLIST]
    if allowed < listed.size:
        listing = max(listing, _threshold(listed, allowed))
    draws, false_entries, thresholds = _judge(outcome.scores, listing)
    return Outcome(
        draws=draws,
        services=outcome.services,
        false_entries=false_entries,
        thresholds=thresholds,
        seconds=outcome.seconds,
        false_rules=outcome.false_rules,
        false_leading=outcome.false_leading,
        scores=outcome.scores,
    )


# --------------------------------------------------------------------------- the table


def _pct(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{100 * x:.0f} %"


def _months(x: float) -> str:
    return "–" if np.isnan(x) else (f"> {FOLLOW_UP}" if not np.isfinite(x) else f"{x:g}")


def rows(outcome: Outcome, scenarios: tuple[Scenario, ...] = SCENARIOS) -> list[list[str]]:
    """One row per scenario and method: draws, detection by month since onset 1–6, median
    months to detection, top-5 rate, false entries per 100 services a year."""
    out = []
    for s in scenarios:
        n = outcome.count(s)
        if not n:
            continue
        for m in METHODS:
            out.append(
                [
                    f"{KIND_NAMES[s.kind]}: {s.effect}",
                    m,
                    str(n),
                    *(_pct(outcome.detection(m, s, k)) for k in range(1, FOLLOW_UP + 1)),
                    _months(outcome.months_to_detection(m, s)),
                    _pct(outcome.top5(m, s)),
                    f"{outcome.false_rate(m):.1f}",
                ]
            )
    return out


HEADER = [
    "scenario",
    "method",
    "draws",
    *(f"by {k}" for k in range(1, FOLLOW_UP + 1)),
    "months",
    "top 5",
    "false /100/yr",
]


def table(outcome: Outcome, scenarios: tuple[Scenario, ...] = SCENARIOS) -> str:
    """The table as aligned text, in the benchmarks' style."""
    body = rows(outcome, scenarios)
    widths = [max(len(str(x)) for x in col) for col in zip(HEADER, *body, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [line.format(*HEADER), line.format(*("-" * w for w in widths))]
    lines += [line.format(*b).rstrip() for b in body]
    return "\n".join(lines)


def markdown(outcome: Outcome, scenarios: tuple[Scenario, ...] = SCENARIOS) -> str:
    """The same table in Markdown, for the README."""
    body = rows(outcome, scenarios)
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(b) + " |" for b in body]
    return "\n".join(lines)


def false_by_rule(outcome: Outcome) -> list[tuple[str, float, float]]:
    """The watchlist's false entries broken down by rule, per 100 services a year: how many
    entries each rule was the strongest signal of (these add up to the false-entry rate) and
    how many it appeared in at all; most often the strongest first."""
    years = len(JUDGED) / 12
    per = 100 / (outcome.services * years) if outcome.services else 0.0
    kinds = set(outcome.false_leading) | set(outcome.false_rules)
    out = [(k, outcome.false_leading[k] * per, outcome.false_rules[k] * per) for k in kinds]
    return sorted(out, key=lambda r: (-r[1], -r[2], r[0]))


def headline(outcome: Outcome) -> dict[str, float]:
    """The issue's aim, measured: false entries, and the headline change listed within 3
    months, for the watchlist and each baseline."""
    out = {"false_rate": outcome.false_rate(WATCHLIST), "draws": outcome.count(HEADLINE)}
    for m in METHODS:
        out[f"within_3:{m}"] = outcome.detection(m, HEADLINE, 3)
    return out
