"""Closed-culture risk: the CQC risk factors and warning signs that the data can show.

CQC describe closed cultures (Whorlton Hall, Winterbourne View) by risk factors and warning
signs (docs/domain.md). For the services where people depend most on staff and are least able to
speak up (inpatient mental health, learning disability and autism inpatient services, care
homes) each sign the data can show is read here with its evidence; the signs no data can show
are returned as questions for a visit, because their absence from the data proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from caresignals.signals.watchlist.panel import month_name
from caresignals.signals.watchlist.rules import Context, Verdict, _num
from caresignals.signals.watchlist.types import Evidence

VISIT_QUESTIONS: tuple[str, ...] = (
    "How far are people from their families, and how long have they stayed? Is this the "
    "right place for them?",
    "How able are people to speak up for themselves, and who advocates for them?",
    "Has leadership or management changed recently; how visible are leaders on the ward?",
    "Do staff have the skills for the people they support (positive behaviour support, "
    "communication, de-escalation)?",
    "Do families and advocates feel welcome; are visits ever restricted, and why?",
    "Are routines rigid or suited to staff rather than to people?",
    "How are complaints and concerns answered, and what changed because of them?",
)


@dataclass(frozen=True)
class Factor:
    name: str  # the CQC risk factor or warning sign
    present: bool
    detail: str  # what the data show, or why the factor cannot be read
    since: int | None = None
    evidence: tuple[Evidence, ...] = ()
    counts: bool = True  # a warning sign counted towards the signal (else context only)


@dataclass(frozen=True)
class Assessment:
    unit: int
    factors: tuple[Factor, ...]


def far_from_home(ctx: Context, u: int) -> Factor:
    """People far from family: most patients in the service's events come from outside its
    place (their home area's place, from the event's LSOA). Context, not a count."""
    cfg = ctx.config.closed_culture
    name = "People far from home"
    unit = ctx.panel.units[u]
    found = ctx.panel.far_from_home.get(unit.code)
    if found is None or found[1] < int(cfg["far_from_home_min_events"]):
        return Factor(name, False, "Not enough events with a home area to tell", counts=False)
    share, n = found
    present = share >= float(cfg["far_from_home_share"])
    return Factor(
        name,
        present,
        f"{share:.0%} of the {n} patients in its events in the last 12 months live outside "
        f"the service's place",
        ctx.t if present else None,
        (ctx.links.events(unit.code, ctx.period),) if present else (),
        counts=False,
    )


def in_scope(ctx: Context) -> np.ndarray:
    types = set(ctx.config.closed_culture["service_types"])
    return np.array([u.type in types for u in ctx.panel.units], dtype=np.bool_)


def _verdict(ctx: Context, indicator: str, *, higher_is_worse: bool) -> Verdict | None:
    if not ctx.panel.has(indicator):
        return None
    return ctx.concern(
        f"cc:{indicator}",
        ctx.panel.values(indicator),
        higher_is_worse=higher_is_worse,
        material=False,
    )


def assess(ctx: Context) -> list[Assessment]:
    """One assessment per in-scope service or provider with any of the measures (computed
    once per month read: the rule and the watchlist entries share it)."""
    found = ctx.extras.get("closed_culture")
    if found is None:
        found = ctx.extras["closed_culture"] = _assess(ctx)
    return list(found)


def _assess(ctx: Context) -> list[Assessment]:
    panel = ctx.panel
    cfg = ctx.config.closed_culture
    t = ctx.t
    scope = in_scope(ctx)
    restraint = _verdict(ctx, "restraint_rate", higher_is_worse=True)
    seclusion = _verdict(ctx, "seclusion_rate", higher_is_worse=True)
    agency = _verdict(ctx, "agency_staff_share", higher_is_worse=True)
    supervision = _verdict(ctx, "supervision_compliance", higher_is_worse=False)
    visits = _verdict(ctx, "inpatient_visits_rate", higher_is_worse=False)
    vacancy = _verdict(ctx, "staff_vacancy_rate", higher_is_worse=True)
    complaints = _verdict(ctx, "complaints", higher_is_worse=False)
    reporting_fell = ctx.fired("reporting_fall") | ctx.fired("missing_events")
    diverging = ctx.fired("restrictive_divergence")
    silent = {h.unit for h in ctx.hits if h.kind == "speakup_change" and "No speak-up" in h.detail}
    hits_by = {(h.unit, h.kind): h for h in ctx.hits}
    agency_now = panel.values("agency_staff_share")[:, t]
    supervision_now = panel.values("supervision_compliance")[:, t]
    provider_row = {u.code: i for i, u in enumerate(panel.units) if u.kind == "provider"}
    links = ctx.links

    def chart(u: int, indicator: str, label: str) -> tuple[Evidence, ...]:
        return (links.chart(panel.units[u].code, indicator, label),)

    def from_verdict(
        u: int, v: Verdict | None, name: str, indicator: str, what: str, words: str
    ) -> Factor:
        if v is None or not np.isfinite(v.latest[u]):
            return Factor(name, False, "No data")
        if v.fired[u]:
            way = "up" if v.latest[u] > v.centre[u] else "down"
            return Factor(
                name,
                True,
                f"{what} {_num(v.latest[u])}{words} in {month_name(ctx.period)}, {way} from a "
                f"usual {_num(v.centre[u])} ({v.rule[u]})",
                int(v.since[u]),
                chart(u, indicator, f"SPC chart of {what.lower()}"),
            )
        return Factor(name, False, f"{what} {_num(v.latest[u])}{words}: common-cause variation")

    out = []
    for u in (int(i) for i in np.flatnonzero(scope)):
        unit = panel.units[u]
        factors = [
            from_verdict(
                u,
                restraint,
                "Restraint high or rising",
                "restraint_rate",
                "Restraint",
                " per 1,000 bed days",
            ),
            from_verdict(
                u,
                seclusion,
                "Seclusion high or rising",
                "seclusion_rate",
                "Seclusion",
                " per 1,000 bed days",
            ),
        ]
        a = from_verdict(
            u, agency, "High use of agency staff", "agency_staff_share", "Agency share", " %"
        )
        if (
            not a.present
            and np.isfinite(agency_now[u])
            and agency_now[u] >= float(cfg["agency_high"])
        ):
            a = Factor(
                a.name,
                True,
                f"Agency staff {agency_now[u]:.0f} % of clinical hours "
                f"(at or above {cfg['agency_high']:.0f} %)",
                t,
                chart(u, "agency_staff_share", "SPC chart of agency share"),
            )
        factors.append(a)
        s = from_verdict(
            u,
            supervision,
            "Little supervision",
            "supervision_compliance",
            "Supervision compliance",
            " %",
        )
        if (
            not s.present
            and np.isfinite(supervision_now[u])
            and supervision_now[u] < float(cfg["supervision_low"])
        ):
            s = Factor(
                s.name,
                True,
                f"Supervision compliance {supervision_now[u]:.0f} % "
                f"(below {cfg['supervision_low']:.0f} %)",
                t,
                chart(u, "supervision_compliance", "SPC chart of supervision"),
            )
        factors.append(s)
        factors.append(
            from_verdict(
                u, visits, "Visits falling", "inpatient_visits_rate", "Visits", " per 100 bed days"
            )
        )
        factors.append(
            from_verdict(
                u, complaints, "Low or falling complaints", "complaints", "Complaints", " a month"
            )
        )
        p = provider_row.get(unit.provider_code)
        if p is not None and vacancy is not None and vacancy.fired[p]:
            factors.append(
                Factor(
                    "Staff vacancies rising (provider)",
                    True,
                    f"Vacancy rate at {unit.provider_name} {_num(vacancy.latest[p])} %, "
                    f"up from a usual {_num(vacancy.centre[p])} %",
                    int(vacancy.since[p]),
                    chart(p, "staff_vacancy_rate", "SPC chart of staff vacancies"),
                )
            )
        else:
            factors.append(
                Factor("Staff vacancies rising (provider)", False, "No special-cause rise")
            )
        # Speak-up cases are counted per provider: a service's staff speak up through it.
        speaking = u if u in silent else provider_row.get(panel.units[u].provider_code, u)
        for kind, name, flag, where in (
            ("reporting_fall", "Staff reporting falling", u in reporting_fell, u),
            (
                "restrictive_divergence",
                "Restrictive-practice events diverge from the measure",
                u in diverging,
                u,
            ),
            ("speakup_change", "Staff not speaking up", speaking in silent, speaking),
        ):
            hit = hits_by.get((where, kind)) or hits_by.get((where, "missing_events"))
            if flag and hit is not None:
                factors.append(Factor(name, True, hit.detail, hit.since, hit.evidence))
            else:
                factors.append(Factor(name, False, "Not seen in the data"))
        factors.append(far_from_home(ctx, u))
        if any(f.detail != "No data" for f in factors):
            out.append(Assessment(u, tuple(factors)))
    return out
