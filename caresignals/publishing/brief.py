"""The board report's summary: what changed since last month and what needs a decision.

The board reads this first, on the page and on the PDF's first two pages, then the detail.
Each line is one sentence with a link to its detail (ADR 24). What "needs a decision":

- watchlist entries that are new this month, or whose level of concern rose;
- Duty of Candour notifications overdue today;
- open risks above appetite: scored above the target score the register sets for them;
- speak-up themes for the quarter, as disclosure-controlled counts (never a case).

Lists are cut to `MAX_NAMED` names with "and N more", so the summary stays within two A4
pages whatever the month holds (tests/publishing/test_brief.py renders the demo's).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse

from caresignals.core.periods import Month
from caresignals.organisations.models import Organisation
from caresignals.organisations.presenters import service_at_provider
from caresignals.signals.models import QualityRisk, RiskStatus
from caresignals.signals.watchlist.scoring import Rating
from caresignals.signals.watchlist.types import WatchlistEntry
from caresignals.speakup.queries import SUMMARY_COLUMNS, Summary

if TYPE_CHECKING:
    from caresignals.publishing.board import BoardReport, IndicatorLine

MAX_NAMED = 3
LEVEL_RANK = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class BriefLine:
    """One sentence for the board and where its detail is. `internal` links go to a section
    of the report itself (kept in the PDF); others to a page of Care Signals (screen only)."""

    text: str
    href: str
    link_text: str
    internal: bool = False


@dataclass(frozen=True)
class Brief:
    previous_label: str
    changed: list[BriefLine]
    decisions: list[BriefLine] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """The one line for the home page: the first thing that changed."""
        return self.changed[0].text if self.changed else ""


@dataclass(frozen=True)
class BriefInputs:
    """What the summary needs beyond the report, already scoped to the reader."""

    previous_lines: list[IndicatorLine]
    watchlist: list[WatchlistEntry] | None  # None: the reader may not see the watchlist
    watchlist_before: list[WatchlistEntry]
    risks: QuerySet[QualityRisk] | None
    overdue_candour: int | None
    speakup: Summary | None
    today: dt.date


def _names(names: list[str]) -> str:
    shown = names[:MAX_NAMED]
    more = len(names) - len(shown)
    text = "; ".join(shown)
    return f"{text}; and {more} more" if more else text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _key(line: IndicatorLine) -> tuple[int, int]:
    return (line.organisation.pk, line.indicator.pk)


def _attention_line(report: BoardReport, previous: list[IndicatorLine], before: str) -> BriefLine:
    now = [ln for ln in report.lines if ln.needs_attention]
    earlier = {_key(ln) for ln in previous if ln.needs_attention}
    new = [ln for ln in now if _key(ln) not in earlier]
    left = len(earlier - {_key(ln) for ln in now})
    if not now:
        text = f"No indicator needs attention ({len(earlier):,} did in {before})."
    else:
        text = f"{_plural(len(now), 'indicator needs', 'indicators need')} attention"
        if new:
            named = _names([f"{ln.indicator.name} at {ln.organisation.name}" for ln in new])
            text += f", {len(new):,} of them new since {before}: {named}"
        else:
            text += f", none of them new since {before}"
        text += f"; {left:,} no longer {'does' if left == 1 else 'do'}." if left else "."
    return BriefLine(text, "#attention", "Charts that need attention", internal=True)


def _safety_lines(report: BoardReport, before: str) -> list[BriefLine]:
    s = report.safety
    month = report.period_label
    last = s.monthly[-2] if len(s.monthly) > 1 else None
    events = f"{_plural(s.month_total, 'patient-safety event', 'patient-safety events')} in {month}"
    if last is not None:
        diff = s.month_total - last.events
        events += (
            f" ({abs(diff):,} {'more' if diff > 0 else 'fewer'} than in {before})"
            if diff
            else f" (as many as in {before})"
        )
    moderate = s.moderate_or_worse.month
    events += f"; {moderate:,} caused moderate harm or worse"
    if last is not None:
        events += f" ({last.moderate_or_worse:,} in {before})"
    lines = [BriefLine(events + ".", "#safety", "Patient safety", internal=True)]
    in_month = [
        ne for ne in s.never_event_list if Month.of(ne.occurred_on) == Month.of(report.period)
    ]
    if in_month:
        named = _names([f"{ne.kind} at {ne.where}" for ne in in_month])
        text = f"{_plural(len(in_month), 'Never Event', 'Never Events')} in {month}: {named}."
    else:
        text = f"No Never Events in {month} ({s.never_events.year:,} in the last 12 months)."
    lines.append(BriefLine(text, "#safety", "Never Events", internal=True))
    return lines


def _watchlist_line(
    org: Organisation, entries: list[WatchlistEntry], before: list[WatchlistEntry], period: str
) -> BriefLine:
    mine = [e for e in entries if (e.path or "").startswith(org.path) or e.org_code == org.code]
    earlier = {e.code: e.level for e in before}
    new = [e for e in mine if e.code not in earlier]
    rose = [
        e for e in mine if e.code in earlier and LEVEL_RANK[e.level] > LEVEL_RANK[earlier[e.code]]
    ]
    href = reverse("signals:watchlist") + f"?period={period}"
    if not new and not rose:
        return BriefLine(
            f"Watchlist: nothing new or escalated ({_plural(len(mine), 'entry', 'entries')} "
            "in all).",
            href,
            "Watchlist",
        )
    names = [
        f"{service_at_provider(e.service_name, e.org_name)} ({e.level} concern, "
        f"{'new' if e in new else 'up from ' + earlier[e.code]})"
        for e in sorted(new + rose, key=lambda e: (-LEVEL_RANK[e.level], -e.score, e.code))
    ]
    count = len(new) + len(rose)
    return BriefLine(
        f"Watchlist: {_plural(count, 'entry is', 'entries are')} new or escalated: "
        f"{_names(names)}. Decide whether to ask for a rapid quality review.",
        href,
        "Watchlist",
    )


def _candour_line(overdue: int) -> BriefLine:
    text = (
        f"Duty of Candour: {_plural(overdue, 'notification is', 'notifications are')} overdue "
        "today; ask who will write to the families."
        if overdue
        else "Duty of Candour: no notification is overdue today."
    )
    return BriefLine(text, reverse("safety:system"), "Candour by provider")


def _risk_line(org: Organisation, risks: QuerySet[QualityRisk]) -> BriefLine:
    open_ = risks.filter(status=RiskStatus.OPEN, organisation__path__startswith=org.path)
    above = []
    for risk in open_.order_by("reference"):
        current = Rating(risk.consequence, risk.likelihood)
        target = Rating(risk.target_consequence, risk.target_likelihood)
        if current.score > target.score:
            above.append((risk, current, target))
    above.sort(key=lambda r: (-r[1].score, r[0].reference))
    if not above:
        return BriefLine(
            "Risks: no open risk is above appetite.", reverse("signals:risk_index"), "Risks"
        )
    named = _names(
        [f"{r.reference} {r.title} (scored {c.score}, target {t.score})" for r, c, t in above]
    )
    first = above[0][0]
    return BriefLine(
        f"Risks: {_plural(len(above), 'open risk is', 'open risks are')} above appetite "
        f"(scored above their target): {named}. Decide whether the controls are enough.",
        reverse("signals:risk_detail", args=[first.reference])
        if len(above) == 1
        else (reverse("signals:risk_index")),
        "Risks",
    )


def _speakup_line(org: Organisation, summary: Summary) -> BriefLine:
    href = reverse("speakup:summary") + f"?quarter={summary.quarter.code}"
    row = next((r for r in summary.rows if r.code == org.code), None)
    cells = row.cells if row is not None else summary.totals
    quarter = summary.quarter.label.split(" (")[0]
    if cells is None:
        return BriefLine(f"Speak-up: no cases raised in {quarter} so far.", href, "Speak-up counts")
    values = dict(zip((key for key, _ in SUMMARY_COLUMNS), cells, strict=True))
    labels = dict(SUMMARY_COLUMNS)
    theme_values = {k: v for k, v in values.items() if k not in ("cases", "anonymous")}
    themes = sorted(
        ((v, k) for k, v in theme_values.items() if not math.isnan(v) and v > 0),
        key=lambda t: (-t[0], t[1]),
    )
    hidden = sum(1 for v in theme_values.values() if math.isnan(v))
    total = values["cases"]
    cases = "fewer than " + str(summary.threshold) if math.isnan(total) else f"{total:,.0f}"
    text = f"Speak-up: {cases} case{'' if total == 1 else 's'} raised in {quarter}"
    if themes:
        text += "; most often about " + ", ".join(
            f"{labels[k].lower()} ({v:,.0f})" for v, k in themes[:MAX_NAMED]
        )
    text += "."
    if hidden:
        # Say what is held back rather than leave the line bare (every theme can be small).
        text += (
            f" {_plural(hidden, 'theme', 'themes')} with fewer than {summary.threshold} cases "
            f"(or that would reveal one) {'is' if hidden == 1 else 'are'} not shown, "
            "to protect who spoke up."
        )
    else:
        text += f" Counts under {summary.threshold} are not shown, to protect who spoke up."
    return BriefLine(text, href, "Speak-up counts")


def build_brief(report: BoardReport, inputs: BriefInputs) -> Brief:
    before = Month.of(report.period) - 1
    before_label = f"{before.first_day:%B %Y}"
    changed = [
        _attention_line(report, inputs.previous_lines, before_label),
        *_safety_lines(report, before_label),
    ]
    decisions: list[BriefLine] = []
    if inputs.watchlist is not None:
        decisions.append(
            _watchlist_line(
                report.organisation,
                inputs.watchlist,
                inputs.watchlist_before,
                str(Month.of(report.period)),
            )
        )
    if inputs.overdue_candour is not None:
        decisions.append(_candour_line(inputs.overdue_candour))
    if inputs.risks is not None:
        decisions.append(_risk_line(report.organisation, inputs.risks))
    if inputs.speakup is not None:
        decisions.append(_speakup_line(report.organisation, inputs.speakup))
    return Brief(before_label, changed, decisions)


def empty_inputs(today: dt.date) -> BriefInputs:
    """For a report with nothing to compare with and nobody's scope (tests, previews)."""
    return BriefInputs([], None, [], None, None, None, today)


def headline(report: BoardReport) -> str:
    """One line of what changed, for the board member's home page."""
    before = f"{(Month.of(report.period) - 1).first_day:%B %Y}"
    earlier = {_key(ln) for ln in report.previous_lines if ln.needs_attention}
    now = [ln for ln in report.lines if ln.needs_attention]
    new = sum(1 for ln in now if _key(ln) not in earlier)
    s = report.safety
    never = s.never_events.month
    return (
        f"{_plural(len(now), 'indicator needs', 'indicators need')} attention "
        f"({new:,} new since {before}); "
        f"{_plural(s.month_total, 'patient-safety event', 'patient-safety events')}, "
        f"{s.moderate_or_worse.month:,} with moderate harm or worse; "
        f"{_plural(never, 'Never Event', 'Never Events') if never else 'no Never Events'}."
    )
