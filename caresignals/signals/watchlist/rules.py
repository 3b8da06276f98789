"""The signal rules: each a small documented function over the whole region's arrays.

A rule reads a :class:`Context` (the Panel, the configuration and the month) and returns the
:class:`Hit` s it found, one per service or provider it fires for: what it saw, in words, how
strongly, since when, and where to check it. Rules never query the database.

Rules register themselves with :func:`rule`; the engine runs every registered rule, so a new
source of signals (speak-up cases, candour) is one function here or in its own module.
Rules marked ``after=True`` run once the others have, and may read their hits (the
combination rules: reporting falling while harm rises, closed-culture risk).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from caresignals.signals.watchlist import charts
from caresignals.signals.watchlist.charts import Verdict
from caresignals.signals.watchlist.config import Config
from caresignals.signals.watchlist.panel import Matrix, Panel, month_name
from caresignals.signals.watchlist.types import Evidence
from caresignals.stats import cusum, funnels, shift

BED_DAYS = "occupied_bed_days"


@dataclass(frozen=True)
class Hit:
    unit: int  # row in the panel
    kind: str
    detail: str
    since: int  # month index
    strength: float  # before the weight
    evidence: tuple[Evidence, ...] = ()


@dataclass
class Context:
    panel: Panel
    config: Config
    t: int  # the month read (index into panel.months)
    links: Any  # caresignals.signals.watchlist.links.Links (or a stand-in in tests)
    hits: list[Hit] = field(default_factory=list)  # filled as rules run
    _cache: dict[tuple[Any, ...], Verdict] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # other results shared by rules

    @property
    def peer_groups(self) -> np.ndarray:
        """Each row's peers: the same kind (service or provider) and type."""
        groups = self.extras.get("peer_groups")
        if not isinstance(groups, np.ndarray):
            groups = np.array([f"{x.kind}:{x.type}" for x in self.panel.units])
            self.extras["peer_groups"] = groups
        return groups

    @property
    def start(self) -> int:
        return max(0, self.t + 1 - int(self.config.spc["history_months"]))

    @property
    def period(self) -> str:
        return self.panel.months[self.t]

    @property
    def n(self) -> int:
        return len(self.panel.units)

    def concern(
        self,
        key: str,
        values: Matrix,
        *,
        higher_is_worse: bool,
        eligible: np.ndarray | None = None,
        material: bool = True,
        counts: Matrix | None = None,
        exposure: Matrix | None = None,
        family: str = charts.QUASI,
        tests: str | None = None,
    ) -> Verdict:
        """The XmR verdict of a family of series, computed once per month read. `counts` and
        `exposure` (values ≈ counts / exposure) make the shift test one on events
        (charts.concern): quasi-Poisson, or with `family` negative binomial or beta-binomial
        (`exposure` then the trials); `material=False` skips the test. `tests` names the rule
        family whose p-values in [families] replace the [spc] ones."""
        ck = ("xmr", key, higher_is_worse, material)
        if ck not in self._cache:
            spc_cfg = dict(self.config.spc)
            if tests is not None:
                spc_cfg["shift_p_value"] = self.config.families[f"{tests}_p_value"]
                spc_cfg["sustained_p_value"] = self.config.families[f"{tests}_sustained_p_value"]
            self._cache[ck] = charts.concern(
                values,
                self.start,
                self.t,
                higher_is_worse=higher_is_worse,
                run_length=int(spc_cfg["run_length"]),
                min_baseline=int(spc_cfg["min_baseline_months"]),
                p_value=float(spc_cfg["shift_p_value"]) if material else None,
                recent=int(spc_cfg["recent_months"]),
                eligible=eligible,
                counts=counts,
                exposure=exposure,
                sustained_p_value=float(spc_cfg["sustained_p_value"]) if material else None,
                groups=self.peer_groups,
                peer_pairs=float(self.config.spc["dispersion_peer_pairs"]),
                family=family,
            )
        return self._cache[ck]

    def rare(
        self,
        key: str,
        counts: Matrix,
        eligible: np.ndarray | None = None,
        exposure: Matrix | None = None,
        family: str = charts.QUASI,
        p_value: float | None = None,
    ) -> Verdict:
        """The rare-count verdict (charts.rare_excess), computed once per month read; with
        `family` "betabinom" the counts are successes of the `exposure`'s trials; `p_value`
        replaces [rare] p_value."""
        ck = ("rare", key)
        if ck not in self._cache:
            r = self.config.rare
            self._cache[ck] = charts.rare_excess(
                counts,
                self.start,
                self.t,
                window_months=int(r["window_months"]),
                p_value=float(r["p_value"] if p_value is None else p_value),
                min_events=int(r["min_events"]),
                min_baseline=int(self.config.spc["min_baseline_months"]),
                recent=int(self.config.spc["recent_months"]),
                eligible=eligible,
                exposure=exposure,
                peers=(self.peer_groups, float(self.config.spc["dispersion_peer_pairs"])),
                family=family,
            )
        return self._cache[ck]

    @property
    def baseline_end(self) -> int:
        """The first month not in the baseline (the recent months are judged against it)."""
        return self.t + 1 - int(self.config.spc["recent_months"])

    def baseline_mean(self, values: Matrix) -> np.ndarray:
        """Each row's mean over the baseline months (NaN when none)."""
        base = values[:, self.start : self.baseline_end]
        with np.errstate(invalid="ignore"):
            total = np.nansum(base, axis=1)
            count = np.sum(~np.isnan(base), axis=1)
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def fired(self, kind: str) -> set[int]:
        return {h.unit for h in self.hits if h.kind == kind}


Rule = Callable[[Context], list[Hit]]


@dataclass(frozen=True)
class Registered:
    kind: str
    function: Rule
    after: bool


REGISTRY: dict[str, Registered] = {}


def rule(kind: str, *, after: bool = False) -> Callable[[Rule], Rule]:
    """Register a rule under its code (the `kind` its hits carry and config.toml weighs)."""

    def wrap(function: Rule) -> Rule:
        REGISTRY[kind] = Registered(kind, function, after)
        return function

    return wrap


# --------------------------------------------------------------------------- helpers


def _num(x: float) -> str:
    if not np.isfinite(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


def _exposure(panel: Panel) -> Matrix:
    """Occupied bed days per unit and month (NaN where not recorded)."""
    if panel.has(BED_DAYS):
        return panel.numerators[BED_DAYS]
    return panel.empty()


def _per_1000(counts: Matrix, exposure: Matrix) -> Matrix:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = counts / exposure * 1000.0
    out[~np.isfinite(out)] = np.nan
    return out


def _since(ctx: Context, i: int) -> str:
    return month_name(ctx.panel.months[i])


def _describe(v: Verdict, u: int, what: str, unit_words: str, ctx: Context) -> str:
    """A sentence for an XmR verdict: what, how far, since when."""
    side = "above" if v.latest[u] > v.centre[u] else "below"
    if v.beyond[u]:
        return (
            f"{what} {_num(v.latest[u])}{unit_words} in {month_name(ctx.period)}, {side} the "
            f"{'upper' if side == 'above' else 'lower'} process limit ({_num(v.limit[u])}; "
            f"usual {_num(v.centre[u])})"
        )
    return (
        f"{what} {side} its usual level ({_num(v.centre[u])}{unit_words}) since "
        f"{_since(ctx, int(v.since[u]))} ({v.rule[u]}); {_num(v.latest[u])} in "
        f"{month_name(ctx.period)}"
    )


def _measure_hits(
    ctx: Context,
    kind: str,
    indicator: str,
    *,
    higher_is_worse: bool,
    what: str,
    unit_words: str = "",
    tests: str | None = None,
) -> list[tuple[int, Verdict, str]]:
    """Units whose `indicator` shows concern this month, with their sentence (`tests`: the
    rule family whose p-values in [families] apply)."""
    if not ctx.panel.has(indicator):
        return []
    v = ctx.concern(
        indicator, ctx.panel.values(indicator), higher_is_worse=higher_is_worse, tests=tests
    )
    return [
        (int(u), v, _describe(v, int(u), what, unit_words, ctx)) for u in np.flatnonzero(v.fired)
    ]


def _has_beds(ctx: Context) -> np.ndarray:
    """Rows with bed days recorded in enough of the history to chart a rate per 1 000."""
    beds = _exposure(ctx.panel)
    return np.sum(~np.isnan(beds[:, ctx.start : ctx.t + 1]), axis=1) >= int(
        ctx.config.spc["min_baseline_months"]
    )


def _event_exposure(ctx: Context, has_beds: np.ndarray) -> Matrix:
    """What event counts are charted over: thousands of bed days where `has_beds`, else 1
    (a monthly count), for the shift test on the events behind a rate."""
    beds = _exposure(ctx.panel) / 1000.0
    return np.where(has_beds[:, None], beds, 1.0)


def _harm_series(ctx: Context) -> tuple[Matrix, np.ndarray]:
    """Moderate-or-worse harm per unit: per 1 000 bed days where bed days are recorded in
    the history, else the monthly count; and which it is, per row."""
    panel = ctx.panel
    has_beds = _has_beds(ctx)
    rate = _per_1000(panel.harmful, _exposure(panel))
    values = np.where(has_beds[:, None], rate, panel.harmful)
    return values, has_beds


def _harm_chart_url(ctx: Context, u: int, has_beds: bool) -> tuple[Evidence, ...]:
    code = ctx.panel.units[u].code
    links = ctx.links
    out = [links.events(code, ctx.panel.months[ctx.t])]
    if has_beds:
        out.insert(
            0, links.chart(code, "moderate_harm_rate", "SPC chart of moderate-or-worse harm")
        )
    return tuple(out)


# --------------------------------------------------------------------------- harm


@rule("harm_special_cause")
def harm_special_cause(ctx: Context) -> list[Hit]:
    """Moderate-or-worse harm incidents (per 1 000 bed days where known, else a count) show
    special-cause concern on their XmR chart. Series averaging under `spc.min_mean_count`
    harmful incidents a month are left to `harm_rare_cluster` (XmR limits degenerate)."""
    values, has_beds = _harm_series(ctx)
    counts_mean = ctx.baseline_mean(ctx.panel.harmful)
    eligible = counts_mean >= float(ctx.config.spc["min_mean_count"])
    v = ctx.concern(
        "harm",
        values,
        higher_is_worse=True,
        eligible=eligible,
        counts=ctx.panel.harmful,
        exposure=_event_exposure(ctx, has_beds),
        family=charts.NEGBIN,
        tests="harm",
    )
    hits = []
    for u in np.flatnonzero(v.fired):
        beds = bool(has_beds[u])
        words = " per 1,000 bed days" if beds else " a month"
        hits.append(
            Hit(
                int(u),
                "harm_special_cause",
                _describe(v, int(u), "Moderate-or-worse harm incidents", words, ctx),
                int(v.since[u]),
                float(v.strength[u]),
                _harm_chart_url(ctx, int(u), beds),
            )
        )
    return hits


@rule("harm_rare_cluster")
def harm_rare_cluster(ctx: Context) -> list[Hit]:
    """A cluster of rare harmful events: moderate-or-worse incidents, falls with harm or
    Never Events where the usual count is too small for an XmR chart (a care home's
    0.1 a month), judged by the Poisson chance of so many in the last one to three months."""
    panel = ctx.panel
    common = float(ctx.config.spc["min_mean_count"])
    families: list[tuple[str, Matrix, str, str | None]] = [
        ("harmful", panel.harmful, "moderate-or-worse harm incidents", "moderate_harm_rate"),
    ]
    if panel.has("falls_with_harm"):
        families.append(
            ("falls", panel.numerators["falls_with_harm"], "falls with harm", "falls_with_harm")
        )
    if panel.has("never_events"):
        families.append(("never", panel.numerators["never_events"], "Never Events", "never_events"))
    best: dict[int, Hit] = {}
    for key, counts, words, indicator in families:
        filled = np.nan_to_num(counts, nan=0.0)
        eligible = ctx.baseline_mean(filled) < common
        v = ctx.rare(key, filled, eligible)
        for u in np.flatnonzero(v.fired):
            months = int(v.limit[u])
            span = f"in {month_name(ctx.period)}" if months == 1 else f"in the last {months} months"
            detail = (
                f"{int(v.latest[u])} {words} {span}, against {_num(v.centre[u])} expected "
                f"from the months before"
            )
            code = panel.units[u].code
            evidence = [ctx.links.events(code, ctx.period)]
            if indicator and not np.all(np.isnan(counts[u])):
                evidence.insert(0, ctx.links.chart(code, indicator, f"Chart of {words}"))
            hit = Hit(
                int(u),
                "harm_rare_cluster",
                detail,
                int(v.since[u]),
                float(v.strength[u]),
                tuple(evidence),
            )
            if u not in best or hit.strength > best[int(u)].strength:
                best[int(u)] = hit
    return list(best.values())


@rule("harm_funnel_outlier")
def harm_funnel_outlier(ctx: Context) -> list[Hit]:
    """Moderate-or-worse harm per 1 000 bed days over the last `funnel.window_months`
    months, above the 99.8 % funnel limit among peers of the same type after allowing for
    overdispersion (stats.funnels.spiegelhalter, SHMI-style log ratio of observed to expected)."""
    panel = ctx.panel
    f = ctx.config.funnel
    lo = max(0, ctx.t + 1 - int(f["window_months"]))
    beds = _exposure(panel)[:, lo : ctx.t + 1]
    harm = panel.harmful[:, lo : ctx.t + 1]
    # Only months with bed days count, for numerator and denominator alike.
    has = ~np.isnan(beds)
    obs = np.where(has, harm, 0.0).sum(axis=1)
    den = np.where(has, beds, 0.0).sum(axis=1)
    full = has.sum(axis=1) == beds.shape[1]
    hits = []
    groups: dict[tuple[str, str], list[int]] = {}
    for u, unit in enumerate(panel.units):
        if full[u] and den[u] > 0:
            groups.setdefault((unit.kind, unit.type), []).append(u)
    for (_kind, org_type), members in groups.items():
        if len(members) < int(f["min_peers"]):
            continue
        idx = np.array(members)
        pooled = obs[idx].sum() / den[idx].sum()
        if pooled <= 0:
            continue
        expected = den[idx] * pooled
        # A unit with no events has no log ratio; it can never be a high outlier.
        keep = obs[idx] > 0
        if keep.sum() < int(f["min_peers"]):
            continue
        result = funnels.spiegelhalter(
            obs[idx][keep],
            expected[keep],
            data_type="SR",
            limit=int(f["limit"]),
            overdispersion=True,
            sr_method="SHMI",
            shmi_rounding=False,
            trim_by=funnels.trim_for_few_units(int(keep.sum()), shmi=True),  # as the funnel page
        )
        for j, u in enumerate(idx[keep]):
            if result.outlier[j] != "high":
                continue
            ratio = float(result.ratio[j])
            code = panel.units[u].code
            detail = (
                f"Moderate-or-worse harm {_num(obs[u] / den[u] * 1000)} per 1,000 bed days over "
                f"{int(f['window_months'])} months, {ratio:.1f} times the rate of comparable "
                f"services and above the 99.8 % funnel limit after allowing for overdispersion"
            )
            hits.append(
                Hit(
                    int(u),
                    "harm_funnel_outlier",
                    detail,
                    ctx.t,
                    float(min(2.0, max(1.0, ratio / 2))),
                    (
                        ctx.links.funnel("moderate_harm_rate", org_type, ctx.period),
                        ctx.links.events(code, ctx.period),
                    ),
                )
            )
    return hits


@rule("moderate_harm_rising")
def moderate_harm_rising(ctx: Context) -> list[Hit]:
    """The share of incident reports with moderate-or-worse harm shows special-cause concern:
    more of what is reported is harmful, whether harm rose or low-harm reporting fell."""
    panel = ctx.panel
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(panel.incidents > 0, panel.harmful / panel.incidents * 100.0, np.nan)
    eligible = ctx.baseline_mean(panel.harmful) >= float(ctx.config.spc["min_mean_count"])
    eligible &= ctx.baseline_mean(panel.incidents) >= float(ctx.config.reporting["min_mean_events"])
    v = ctx.concern(
        "harm_share",
        share,
        higher_is_worse=True,
        eligible=eligible,
        counts=panel.harmful,
        exposure=panel.incidents,
        family=charts.BETABINOM,
        tests="harm_share",
    )
    return [
        Hit(
            int(u),
            "moderate_harm_rising",
            _describe(v, int(u), "Share of incidents with moderate-or-worse harm", " %", ctx),
            int(v.since[u]),
            float(v.strength[u]),
            (ctx.links.events(panel.units[u].code, ctx.period),),
        )
        for u in np.flatnonzero(v.fired)
    ]


# --------------------------------------------------------------------------- reporting


def _reporting(ctx: Context) -> tuple[Verdict, np.ndarray]:
    panel = ctx.panel
    beds = _exposure(panel)
    has_beds = _has_beds(ctx)
    values = np.where(has_beds[:, None], _per_1000(panel.incidents, beds), panel.incidents)
    eligible = ctx.baseline_mean(panel.incidents) >= float(ctx.config.reporting["min_mean_events"])
    v = ctx.concern(
        "reporting",
        values,
        higher_is_worse=False,
        eligible=eligible,
        counts=panel.incidents,
        exposure=_event_exposure(ctx, has_beds),
    )
    return v, has_beds


@rule("reporting_fall")
def reporting_fall(ctx: Context) -> list[Hit]:
    """Incident reporting (per 1 000 bed days where known, else a count) falls: a point below
    the lower process limit or a downward run. Under-reporting is a warning, not good news.
    A service that stopped reporting altogether is left to `missing_events`."""
    v, has_beds = _reporting(ctx)
    silent = {h.unit for h in missing_events(ctx)}
    hits = []
    for u in np.flatnonzero(v.fired):
        if int(u) in silent:
            continue
        words = " per 1,000 bed days" if has_beds[u] else " a month"
        code = ctx.panel.units[u].code
        evidence = [ctx.links.events(code, ctx.period)]
        if has_beds[u]:
            evidence.insert(
                0,
                ctx.links.chart(code, "incident_reporting_rate", "SPC chart of incident reporting"),
            )
        hits.append(
            Hit(
                int(u),
                "reporting_fall",
                _describe(v, int(u), "Incidents reported", words, ctx),
                int(v.since[u]),
                float(v.strength[u]),
                tuple(evidence),
            )
        )
    return hits


@dataclass(frozen=True)
class JointEvidence:
    """The joint CUSUM of "reporting fell and the harm share rose", per unit."""

    value: np.ndarray  # the CUSUM at the month read (0 where not judged)
    since: np.ndarray  # month index where its current climb began
    fell: np.ndarray  # the reporting part of the climb (log-likelihood ratio, after φ)
    rose: np.ndarray  # the harm-share part
    usual_share: np.ndarray  # the baseline harm share, %
    recent_share: np.ndarray  # the harm share over the climb, %
    usual_reports: np.ndarray  # incidents a month expected over the climb
    recent_reports: np.ndarray  # incidents a month reported over the climb


def _dispersion(ctx: Context, counts: Matrix, expected: Matrix, base: np.ndarray) -> np.ndarray:
    """Each row's Laney dispersion over the baseline months, drawn toward the median of its
    peers (same kind and type) as stats.shift.shrunk_dispersion does for a short baseline."""
    mask = np.zeros(counts.shape, dtype=np.bool_)
    mask[:, ctx.start : ctx.baseline_end] = True
    mask &= base[:, None]
    own = shift.laney_dispersion(counts, expected, mask)
    pairs = np.sum(mask[:, 1:] & mask[:, :-1] & (expected[:, 1:] > 0), axis=1)
    peers = shift.group_median(np.where(base & (pairs >= 2), own, np.nan), ctx.peer_groups)
    prior = float(ctx.config.spc["dispersion_peer_pairs"])
    return shift.shrunk_dispersion(own, pairs, peers, prior)


def joint_fall_with_harm(ctx: Context) -> JointEvidence:
    """The log-likelihood CUSUM (stats.cusum) of reporting falling and the harm share rising
    together, over the recent months against the months before them.

    Neither part alone is enough soon after the change: a 40 % fall is within a month's
    noise for many services, and a few extra harmful reports are within theirs. Each month
    adds the evidence of both: the incidents under a fall to `reporting.joint_fall_ratio` of
    the usual rate (per bed day where known) and the harmful incidents among them under the
    odds of harm multiplied by `reporting.joint_harm_odds_ratio`, each divided by the series'
    own extra-Poisson dispersion (quasi-likelihood) and by how uncertain the baseline rate is."""
    cached = ctx.extras.get("joint_fall_with_harm")
    if isinstance(cached, JointEvidence):
        return cached
    panel, cfg = ctx.panel, ctx.config.reporting
    n = ctx.n
    # Early in the panel the recent window starts before its first month: nothing is judged
    # then (split == lo), and the window is clipped so every slice below keeps its shape.
    lo, hi = ctx.start, ctx.t + 1
    split = max(ctx.baseline_end, lo)
    has_beds = _has_beds(ctx)
    exposure = np.nan_to_num(_event_exposure(ctx, has_beds), nan=0.0)
    incidents = panel.incidents
    harmful = panel.harmful
    ok = ~np.isnan(incidents) & ~np.isnan(harmful) & (exposure > 0)
    c = np.where(ok, incidents, 0.0)
    h = np.where(ok, np.minimum(harmful, incidents), 0.0)
    e = np.where(ok, exposure, 0.0)
    base_months = np.sum(ok[:, lo:split], axis=1)
    base_exposure = e[:, lo:split].sum(axis=1)
    base_incidents = c[:, lo:split].sum(axis=1)
    base_harmful = h[:, lo:split].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(base_exposure > 0, base_incidents / base_exposure, 0.0)
        share = np.where(base_incidents > 0, base_harmful / base_incidents, 0.0)
    judged = (
        (base_months >= int(ctx.config.spc["min_baseline_months"]))
        & (base_incidents / np.maximum(base_months, 1) >= float(cfg["min_mean_events"]))
        & (base_harmful >= float(cfg["joint_min_harmful"]))
        & (share < 1)
        & (split > lo)
    )
    expected = rate[:, None] * e
    phi_reports = _dispersion(ctx, c, expected, judged)
    phi_harm = _dispersion(ctx, h, share[:, None] * c, judged)
    recent = hi - split
    # The baseline is an estimate too: over `recent` months its error adds about recent/base
    # of the variance (as in charts._shift_p).
    inflate = 1.0 + recent / np.maximum(base_months, 1)
    rows = slice(split, hi)
    w_fell = cusum.quasi(
        cusum.poisson_weights(c[:, rows], expected[:, rows], ratio=float(cfg["joint_fall_ratio"])),
        phi_reports * inflate,
    )
    w_rose = cusum.quasi(
        cusum.binomial_weights(
            h[:, rows],
            c[:, rows],
            np.broadcast_to(share[:, None], (n, recent)),
            odds_ratio=float(cfg["joint_harm_odds_ratio"]),
        ),
        phi_harm * inflate,
    )
    present = ok[:, rows] & judged[:, None]
    w_fell = np.where(present, w_fell, np.nan)
    w_rose = np.where(present, w_rose, np.nan)
    path = cusum.accumulate(w_fell + w_rose)
    begins = cusum.excursion(path)
    cols = np.arange(recent)[None, :]
    climb = (cols >= begins[:, None]) & present
    with np.errstate(invalid="ignore", divide="ignore"):
        months = np.maximum(climb.sum(axis=1), 1)
        reports = np.where(climb, c[:, rows], 0.0).sum(axis=1)
        harm_recent = np.where(climb, h[:, rows], 0.0).sum(axis=1)
        out = JointEvidence(
            value=np.where(judged, path[:, -1], 0.0),
            since=split + begins,
            fell=np.where(climb, w_fell, 0.0).sum(axis=1),
            rose=np.where(climb, w_rose, 0.0).sum(axis=1),
            usual_share=share * 100,
            recent_share=np.where(reports > 0, harm_recent / np.maximum(reports, 1) * 100, np.nan),
            usual_reports=np.where(climb, expected[:, rows], 0.0).sum(axis=1) / months,
            recent_reports=reports / months,
        )
    ctx.extras["joint_fall_with_harm"] = out
    return out


@rule("reporting_fall_with_harm", after=True)
def reporting_fall_with_harm(ctx: Context) -> list[Hit]:
    """Harm rising while incident reporting falls: the classic pattern of a unit in trouble,
    where neither signal alone should be read as "safer". Fires on either of two readings:
    any harm rule fired while reporting is below its usual level (not necessarily beyond a
    limit); or the joint evidence of both, month by month (:func:`joint_fall_with_harm`),
    reached `reporting.joint_threshold` with each part pointing to concern."""
    harm = ctx.fired("harm_special_cause") | ctx.fired("harm_rare_cluster")
    harm |= ctx.fired("moderate_harm_rising")
    hits: list[Hit] = []
    if harm:
        hits = _harm_with_fall(ctx, harm)
    named = {x.unit for x in hits}
    return hits + [x for x in _joint_hits(ctx) if x.unit not in named]


def _harm_with_fall(ctx: Context, harm: set[int]) -> list[Hit]:
    """A harm rule fired where reporting is at least `reporting.min_fall_with_harm` below its
    usual level."""
    v, _ = _reporting(ctx)
    hits = []
    for u in sorted(harm):
        if not np.isfinite(v.latest[u]) or not np.isfinite(v.centre[u]) or v.centre[u] <= 0:
            continue
        fall = 1 - v.latest[u] / v.centre[u]
        if fall < float(ctx.config.reporting["min_fall_with_harm"]):
            continue
        hits.append(
            Hit(
                u,
                "reporting_fall_with_harm",
                f"Harm is rising while incident reporting is {fall:.0%} below its usual level "
                f"({_num(v.latest[u])} against {_num(v.centre[u])}): an under-reporting culture "
                f"with rising harm",
                min(h.since for h in ctx.hits if h.unit == u and h.kind in _HARM_KINDS),
                float(min(2.0, 1.0 + fall)),
                (ctx.links.events(ctx.panel.units[u].code, ctx.period),),
            )
        )
    return hits


_HARM_KINDS = {"harm_special_cause", "harm_rare_cluster", "moderate_harm_rising"}


def _joint_hits(ctx: Context) -> list[Hit]:
    j = joint_fall_with_harm(ctx)
    h = float(ctx.config.reporting["joint_threshold"])
    fired = (j.value >= h) & (j.fell > 0) & (j.rose > 0)
    hits = []
    for u in np.flatnonzero(fired):
        fall = 1 - j.recent_reports[u] / j.usual_reports[u] if j.usual_reports[u] > 0 else 0.0
        months = ctx.t + 1 - int(j.since[u])
        span = month_name(ctx.period) if months == 1 else f"the last {months} months"
        hits.append(
            Hit(
                int(u),
                "reporting_fall_with_harm",
                f"Incident reporting fell while the share of reports with moderate-or-worse "
                f"harm rose, taken together over {span}: {_num(j.recent_reports[u])} reports a "
                f"month against about {_num(j.usual_reports[u])} expected ({fall:.0%} fewer), "
                f"{j.recent_share[u]:.1f} % of them harmful against {j.usual_share[u]:.1f} % "
                f"before (joint evidence {j.value[u]:.1f}; listed from {h:g})",
                int(j.since[u]),
                float(np.clip(1.2 + 0.8 * (j.value[u] - h) / h, 1.2, 2.0)),
                (ctx.links.events(ctx.panel.units[u].code, ctx.period),),
            )
        )
    return hits


# --------------------------------------------------------------------------- missing data


@rule("missing_events")
def missing_events(ctx: Context) -> list[Hit]:
    """A service with activity (bed days, attendances, births or admissions recorded) that
    usually reports at least `missing.min_mean_events` events a month has reported none for
    `missing.months_silent` months or more: reporting, or the feed from the local system,
    has stopped. Its harm rates must not be read as "zero harm"."""
    panel, cfg = ctx.panel, ctx.config.missing
    silent_needed = int(cfg["months_silent"])
    if ctx.t + 1 < silent_needed + int(ctx.config.spc["min_baseline_months"]):
        return []
    activity = np.zeros(ctx.n, dtype=np.bool_)
    active_names: dict[int, str] = {}
    for code in cfg["activity_indicators"]:
        if not panel.has(code):
            continue
        recent = panel.numerators[code][:, ctx.t + 1 - silent_needed : ctx.t + 1]
        here = np.all(~np.isnan(recent) & (recent > 0), axis=1)
        for u in np.flatnonzero(here & ~activity):
            active_names[int(u)] = code
        activity |= here
    events = panel.events
    # Count back the months with no events, ending at the month read.
    zero = events[:, : ctx.t + 1] == 0
    run = np.where(zero[:, ::-1].all(axis=1), ctx.t + 1, np.argmin(zero[:, ::-1], axis=1))
    first_silent = ctx.t + 1 - run
    lo = ctx.start
    mean_before = np.array(
        [
            events[u, lo : max(lo, first_silent[u])].mean() if first_silent[u] > lo else 0.0
            for u in range(ctx.n)
        ]
    )
    fired = activity & (run >= silent_needed) & (mean_before >= float(cfg["min_mean_events"]))
    hits = []
    for u in np.flatnonzero(fired):
        code = panel.units[u].code
        indicator = active_names.get(int(u), "")
        name = panel.indicators[indicator].name if indicator in panel.indicators else indicator
        hits.append(
            Hit(
                int(u),
                "missing_events",
                f"No events reported for {int(run[u])} months (usually {_num(mean_before[u])} a "
                f"month) while activity continues ({name.lower()} recorded): check the "
                f"reporting feed before reading its harm as zero",
                int(first_silent[u]),
                float(min(2.0, 1.0 + 0.25 * (run[u] - silent_needed))),
                (
                    ctx.links.chart(code, indicator, f"Chart of {name.lower()}"),
                    ctx.links.events(code, ctx.period),
                ),
            )
        )
    return hits


@rule("missing_measure")
def missing_measure(ctx: Context) -> list[Hit]:
    """A measure the service used to submit (in at least `missing.min_months_before` of the
    12 months before) has not arrived for `missing.months_missing` months, while the service's
    other measures have: a late or missing submission."""
    panel, cfg = ctx.panel, ctx.config.missing
    gap = int(cfg["months_missing"])
    if ctx.t + 1 < gap + 12:
        return []
    lo, hi = ctx.t + 1 - gap - 12, ctx.t + 1 - gap
    any_recent = np.zeros(ctx.n, dtype=np.bool_)
    for num in panel.numerators.values():
        any_recent |= ~np.isnan(num[:, ctx.t])
    missing: dict[int, list[str]] = {}
    since: dict[int, int] = {}
    for code, num in panel.numerators.items():
        info = panel.indicators.get(code)
        if info is None or info.derived:
            continue
        before = np.sum(~np.isnan(num[:, lo:hi]), axis=1)
        recent = np.all(np.isnan(num[:, hi : ctx.t + 1]), axis=1)
        for u in np.flatnonzero((before >= int(cfg["min_months_before"])) & recent & any_recent):
            missing.setdefault(int(u), []).append(panel.indicators[code].name)
            since[int(u)] = hi
    return [
        Hit(
            u,
            "missing_measure",
            f"Not submitted for the last {gap} months: {', '.join(sorted(names))}",
            since[u],
            1.0,
            (ctx.links.organisation(panel.units[u].code),),
        )
        for u, names in missing.items()
    ]


# --------------------------------------------------------------------------- experience


@rule("experience_worsening")
def experience_worsening(ctx: Context) -> list[Hit]:
    """Friends and Family Test: more negative answers than the service's usual share would
    give from this month's responses (the Poisson rule with the responses as exposure: FFT
    counts are small, and an XmR chart of a 2 % share from 50 responses alarms on noise).
    Fewer positive answers at the same time makes it stronger; alone it does not fire (the
    "neither" and "don't know" answers make it noisy). People's experience is an early
    warning sign of poor care."""
    panel = ctx.panel
    found: dict[int, list[tuple[Verdict, str, str]]] = {}
    for indicator, what in (
        ("fft_negative", "negative"),
        ("fft_positive", "not positive"),
    ):
        if not panel.has(indicator):
            continue
        num, den = panel.numerators[indicator], panel.denominators[indicator]
        counts = num if indicator == "fft_negative" else den - num
        v = ctx.rare(
            f"fft:{indicator}",
            counts,
            exposure=den,
            family=charts.BETABINOM,
            p_value=float(ctx.config.families["fft_p_value"]),
        )
        for u in np.flatnonzero(v.fired):
            months = int(v.limit[u])
            span = month_name(ctx.period) if months == 1 else f"the last {months} months"
            share = ctx.baseline_mean(np.where(den > 0, counts / den * 100, np.nan))[u]
            text = (
                f"FFT answers {what}: {int(v.latest[u])} in {span} where the usual share "
                f"(about {share:.1f} %) would give {_num(v.centre[u])}"
            )
            found.setdefault(int(u), []).append((v, text, indicator))
    hits = []
    for w, parts in found.items():
        if all(p[2] == "fft_positive" for p in parts):
            continue  # fewer positive answers alone is too noisy; it corroborates only
        code = panel.units[w].code
        strength = max(p[0].strength[w] for p in parts) + 0.5 * (len(parts) - 1)
        hits.append(
            Hit(
                w,
                "experience_worsening",
                "; ".join(p[1] for p in parts),
                min(int(p[0].since[w]) for p in parts),
                float(strength),
                tuple(
                    ctx.links.chart(code, p[2], f"SPC chart of {p[2].replace('_', ' ')}")
                    for p in parts
                ),
            )
        )
    return hits


@rule("complaints_rising")
def complaints_rising(ctx: Context) -> list[Hit]:
    """Complaints (a count) show special-cause concern upwards; rare counts use the Poisson
    rule so a care home's one complaint in a quiet year does not alarm."""
    panel = ctx.panel
    if not panel.has("complaints"):
        return []
    counts = panel.numerators["complaints"]
    common = ctx.baseline_mean(counts) >= float(ctx.config.spc["min_mean_count"])
    v = ctx.concern("complaints", counts, higher_is_worse=True, eligible=common, counts=counts)
    r = ctx.rare("complaints", np.nan_to_num(counts, nan=0.0), ~common)
    hits = []
    for u in np.flatnonzero(v.fired | r.fired):
        code = panel.units[u].code
        if v.fired[u]:
            text, since, strength = (
                _describe(v, int(u), "Complaints", " a month", ctx),
                v.since[u],
                v.strength[u],
            )
        else:
            text = (
                f"{int(r.latest[u])} complaints in the last {int(r.limit[u])} month(s), "
                f"against {_num(r.centre[u])} expected"
            )
            since, strength = r.since[u], r.strength[u]
        hits.append(
            Hit(
                int(u),
                "complaints_rising",
                text,
                int(since),
                float(strength),
                (ctx.links.chart(code, "complaints", "Chart of complaints"),),
            )
        )
    return hits


# --------------------------------------------------------------------------- restrictive practice


@rule("restrictive_practice_rising")
def restrictive_practice_rising(ctx: Context) -> list[Hit]:
    """Restraint or seclusion per 1 000 bed days shows special-cause concern upwards."""
    found: dict[int, list[tuple[Verdict, str, str]]] = {}
    for indicator, what in (("restraint_rate", "Restraint"), ("seclusion_rate", "Seclusion")):
        for u, v, text in _measure_hits(
            ctx,
            "restrictive_practice_rising",
            indicator,
            higher_is_worse=True,
            what=what,
            unit_words=" per 1,000 bed days",
            tests="restrictive",
        ):
            found.setdefault(u, []).append((v, text, indicator))
    hits = []
    for u, parts in found.items():
        code = ctx.panel.units[u].code
        hits.append(
            Hit(
                u,
                "restrictive_practice_rising",
                "; ".join(p[1] for p in parts),
                min(int(p[0].since[u]) for p in parts),
                float(max(p[0].strength[u] for p in parts) + 0.5 * (len(parts) - 1)),
                tuple(
                    ctx.links.chart(code, p[2], f"SPC chart of {p[1].split(' ')[0].lower()}")
                    for p in parts
                ),
            )
        )
    return hits


@rule("restrictive_divergence")
def restrictive_divergence(ctx: Context) -> list[Hit]:
    """Reported restrictive-practice events diverge from the restraint measure: over the last
    `divergence.window_months` months the events reported per measured restraint episode
    fell by at least `divergence.min_ratio_fall` against the months before, while the
    measure did not fall. Restraint is happening and not being reported."""
    panel, cfg = ctx.panel, ctx.config.divergence
    if not (panel.has("restraint_rate") and panel.has("restraint_events") and panel.has(BED_DAYS)):
        return []
    w = int(cfg["window_months"])
    lo = ctx.start
    if ctx.t + 1 - w - lo < int(ctx.config.spc["min_baseline_months"]):
        return []
    episodes = panel.values("restraint_rate") * panel.numerators[BED_DAYS] / 1000.0
    reported = np.nan_to_num(panel.numerators["restraint_events"], nan=0.0)
    split = ctx.t + 1 - w

    def total(a: Matrix, a0: int, a1: int) -> np.ndarray:
        return np.nansum(a[:, a0:a1], axis=1)

    ep_before, ep_recent = total(episodes, lo, split), total(episodes, split, ctx.t + 1)
    rep_before, rep_recent = total(reported, lo, split), total(reported, split, ctx.t + 1)
    months_before = np.maximum(split - lo, 1)
    hits = []
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_before = rep_before / ep_before
        ratio_recent = rep_recent / ep_recent
        fall = 1 - ratio_recent / ratio_before
        measure_up = ep_recent / w >= ep_before / months_before
    ok = (
        (rep_before / months_before >= float(cfg["min_baseline_events"]))
        & (ep_before > 0)
        & (ep_recent > 0)
        & measure_up
        & (fall >= float(cfg["min_ratio_fall"]))
    )
    for u in np.flatnonzero(ok):
        code = panel.units[u].code
        hits.append(
            Hit(
                int(u),
                "restrictive_divergence",
                f"Restrictive-practice events reported per restraint episode measured fell by "
                f"{fall[u]:.0%} in the last {w} months ({rep_recent[u]:.0f} reported against "
                f"about {ep_recent[u]:.0f} episodes) while the restraint measure did not fall",
                split,
                float(min(2.0, 0.5 + fall[u])),
                (
                    ctx.links.chart(code, "restraint_rate", "SPC chart of restraint"),
                    ctx.links.chart(
                        code, "restraint_events", "Chart of restrictive-practice events reported"
                    ),
                ),
            )
        )
    return hits


# --------------------------------------------------------------------------- staffing


_STAFFING = (
    ("agency_staff_share", True, "Agency staff share of clinical hours", " %"),
    ("staff_vacancy_rate", True, "Staff vacancy rate", " %"),
    ("supervision_compliance", False, "Clinical supervision compliance", " %"),
)


@rule("staffing_pressure")
def staffing_pressure(ctx: Context) -> list[Hit]:
    """Agency use or vacancies rise, or supervision compliance falls (special-cause concern).
    Workforce pressure is intelligence, not proof: it weighs little alone."""
    found: dict[int, list[tuple[Verdict, str, str]]] = {}
    for indicator, worse_high, what, words in _STAFFING:
        for u, v, text in _measure_hits(
            ctx,
            "staffing_pressure",
            indicator,
            higher_is_worse=worse_high,
            what=what,
            unit_words=words,
        ):
            found.setdefault(u, []).append((v, text, indicator))
    return [
        Hit(
            u,
            "staffing_pressure",
            "; ".join(p[1] for p in parts),
            min(int(p[0].since[u]) for p in parts),
            float(max(p[0].strength[u] for p in parts) + 0.5 * (len(parts) - 1)),
            tuple(
                ctx.links.chart(
                    ctx.panel.units[u].code, p[2], f"SPC chart of {p[2].replace('_', ' ')}"
                )
                for p in parts
            ),
        )
        for u, parts in found.items()
    ]


# --------------------------------------------------------------------------- pluggable sources


@rule("candour_overdue")
def candour_overdue(ctx: Context) -> list[Hit]:
    """Notifiable events whose first Duty of Candour notification is past due at the month's
    end. Needs a record of notifications made (the panel's `candour_overdue`, loaded from
    sources.candour_overdue); without one the rule cannot tell overdue from unrecorded and
    stays silent."""
    overdue = ctx.panel.candour_overdue
    if not overdue:
        return []
    hits = []
    for code, (count, oldest_due) in overdue.items():
        if count < int(ctx.config.candour["min_overdue"]) or code not in ctx.panel._index:
            continue
        u = ctx.panel.index(code)
        oldest = oldest_due[:7]
        since = ctx.panel.months.index(oldest) if oldest in ctx.panel.months else ctx.t
        hits.append(
            Hit(
                u,
                "candour_overdue",
                f"{count} Duty of Candour notification(s) overdue at the end of "
                f"{month_name(ctx.period)} (the oldest due {oldest_due})",
                since,
                float(min(2.0, 1.0 + 0.25 * (count - 1))),
                (ctx.links.events(code, ctx.period),),
            )
        )
    return hits


@rule("speakup_change")
def speakup_change(ctx: Context) -> list[Hit]:
    """Freedom to Speak Up cases well above the provider's usual number (Poisson), or none for
    at least `speakup.silent_months` months where the usual rate (at least
    `speakup.min_mean_cases` a month) makes that improbable: silence where cases would be
    expected is a closed-culture warning sign. Reads
    caresignals.speakup.queries.monthly_case_counts()."""
    counts = ctx.panel.speakup
    if counts is None:
        return []
    cfg = ctx.config.speakup
    filled = np.nan_to_num(counts, nan=0.0)
    r = charts.rare_excess(
        filled,
        ctx.start,
        ctx.t,
        window_months=int(ctx.config.rare["window_months"]),
        p_value=float(cfg["p_value"]),
        min_events=int(ctx.config.rare["min_events"]),
        min_baseline=int(ctx.config.spc["min_baseline_months"]),
        recent=int(ctx.config.spc["recent_months"]),
    )
    silent_n = int(cfg["silent_months"])
    # How long each provider has been silent up to this month, and how many cases it had a
    # month before the silence began (so a long silence is not its own baseline). Silence is
    # a signal when that many months without a case would be improbable at the usual rate
    # (Poisson: exp(-rate x months) below `p_value`).
    run = np.zeros(filled.shape[0], dtype=int)
    open_run = np.ones(filled.shape[0], dtype=bool)
    for k in range(ctx.t, -1, -1):
        open_run &= filled[:, k] == 0
        run += open_run
    before = np.full(filled.shape[0], np.nan)
    for u in np.flatnonzero(run >= silent_n):
        begins = ctx.t + 1 - run[u]
        window = filled[u, :begins]
        if len(window) >= int(ctx.config.spc["min_baseline_months"]):
            before[u] = window.mean()
    usual = np.nan_to_num(before)
    silent = (
        (run >= silent_n)
        & (usual >= float(cfg["min_mean_cases"]))
        & (np.exp(-usual * run) < float(cfg["p_value"]))
    )
    hits = []
    for u in np.flatnonzero(r.fired | silent):
        code = ctx.panel.units[u].code
        if silent[u]:
            text = (
                f"No speak-up cases for {run[u]} months where there were "
                f"{_num(before[u])} a month before: staff not speaking up is a warning sign"
            )
            since, strength = ctx.t + 1 - int(run[u]), 1.0
        else:
            text = (
                f"{int(r.latest[u])} speak-up cases in the last {int(r.limit[u])} month(s), "
                f"against {_num(r.centre[u])} expected"
            )
            since, strength = int(r.since[u]), float(r.strength[u])
        hits.append(
            Hit(int(u), "speakup_change", text, since, strength, (ctx.links.organisation(code),))
        )
    return hits


# --------------------------------------------------------------------------- closed cultures


@rule("closed_culture", after=True)
def closed_culture(ctx: Context) -> list[Hit]:
    """Several CQC closed-culture risk factors or warning signs at once in an inpatient
    mental-health, learning-disability and autism service or a care home (see
    closed_culture.py for the factors and how each is read)."""
    from caresignals.signals.watchlist.closed_culture import assess

    hits = []
    for assessment in assess(ctx):
        present = [f for f in assessment.factors if f.present and f.counts]
        if len(present) < int(ctx.config.closed_culture["min_factors"]):
            continue
        context = [f for f in assessment.factors if f.present and not f.counts]
        since = min((f.since for f in present if f.since is not None), default=ctx.t)
        evidence = tuple(e for f in present for e in f.evidence)
        hits.append(
            Hit(
                assessment.unit,
                "closed_culture",
                f"{len(present)} closed-culture warning signs at once: "
                + "; ".join(f.name.lower() for f in present)
                + "".join(f" ({f.name.lower()}: {f.detail})" for f in context),
                since,
                float(min(2.5, len(present) / float(ctx.config.closed_culture["min_factors"]))),
                evidence,
            )
        )
    return hits


# Rules kept in their own modules register here, before the list of kinds is read.
from caresignals.signals.watchlist import intelligence_rules  # noqa: E402, F401

KINDS: tuple[str, ...] = tuple(REGISTRY)
