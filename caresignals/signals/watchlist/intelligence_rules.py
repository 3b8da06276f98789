"""Signals from what the ICB quality team knows beyond providers' own data (ADR 31).

- ``soft_intelligence``: intelligence graded high severity and credible or corroborated,
  received in the configured window and still open (caresignals.intelligence). Only the ICB
  quality team reads this signal: compute.withhold_intelligence takes it out for others.
- ``safety_alert_overdue``: a national patient safety alert past its deadline at a provider
  with any action neither completed nor marked not applicable.

Both read the panel's fields filled by sources.py, never the database, and stay silent
when those are None. Registered through rules.rule like every other rule.
"""

from __future__ import annotations

import datetime as dt

from caresignals.signals.watchlist.panel import month_name
from caresignals.signals.watchlist.rules import Context, Hit, rule


def _month_index(ctx: Context, iso_day: str) -> int | None:
    """The panel's month holding the day, or None when it is after the month read (so an
    earlier month, read to date a run, never sees what had not happened yet)."""
    month = iso_day[:7]
    if month > ctx.period:
        return None
    return ctx.panel.months.index(month) if month in ctx.panel.months else 0


def _nhs_date(iso_day: str) -> str:
    day = dt.date.fromisoformat(iso_day)
    return f"{day.day} {day:%B %Y}"


@rule("soft_intelligence")
def soft_intelligence(ctx: Context) -> list[Hit]:
    """Soft intelligence (Healthwatch, the CQC, MPs, the media, staff, commissioners, the
    coroner) graded high severity and credible or corroborated by the ICB quality team,
    received within `intelligence.window_months` months and still open. A person's graded
    judgement, so one item is enough; corroborated items and further items weigh more."""
    found = ctx.panel.soft_intelligence
    if not found:
        return []
    hits = []
    for code, items in found.items():
        if code not in ctx.panel._index:
            continue
        provider = ctx.panel.units[ctx.panel.index(code)].provider_code
        current = [(i, m) for i in items if (m := _month_index(ctx, i[0])) is not None]
        if not current:
            continue
        corroborated = sum(1 for i, _ in current if i[2].lower() == "corroborated")
        parts = [f"{src} on {_nhs_date(day)} ({cred.lower()})" for (day, src, cred), _ in current]
        n = len(current)
        hits.append(
            Hit(
                ctx.panel.index(code),
                "soft_intelligence",
                f"{n} item{'s' if n > 1 else ''} of soft intelligence graded high severity and "
                f"credible, still open at the end of {month_name(ctx.period)}: " + "; ".join(parts),
                min(m for _, m in current),
                float(min(3.0, 1.0 + 0.5 * corroborated / n + 0.5 * (n - 1))),
                (ctx.links.intelligence(provider),),
            )
        )
    return hits


@rule("safety_alert_overdue")
def safety_alert_overdue(ctx: Context) -> list[Hit]:
    """National patient safety alerts past their deadline at a provider with an action still
    not completed nor marked not applicable (the injected clock reads a month not yet over).
    One overdue alert is enough; each further one weighs a quarter more."""
    found = ctx.panel.alerts_overdue
    if not found:
        return []
    hits = []
    for code, alerts in found.items():
        if code not in ctx.panel._index:
            continue
        end = _month_end(ctx)
        current = [
            (a, m) for a in alerts if (m := _month_index(ctx, a[1])) is not None and a[1] < end
        ]
        if not current:
            continue
        parts = [
            f"{ref} (deadline {_nhs_date(deadline)}, {out} of {total} actions outstanding)"
            for (ref, deadline, out, total), _ in current
        ]
        n = len(current)
        hits.append(
            Hit(
                ctx.panel.index(code),
                "safety_alert_overdue",
                f"{n} national patient safety alert{'s' if n > 1 else ''} overdue at the end "
                f"of {month_name(ctx.period)}: " + "; ".join(parts),
                min(m for _, m in current),
                float(min(2.0, 1.0 + 0.25 * (n - 1))),
                (ctx.links.alerts(),),
            )
        )
    return hits


def _month_end(ctx: Context) -> str:
    """The last day of the month read, as text (a deadline before it has passed by then)."""
    y, m = int(ctx.period[:4]), int(ctx.period[5:7])
    end = dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
    return end.isoformat()
