"""Following providers (ADR 21): a person chooses the providers whose watchlist entry and
escalation level they want to hear about, and the daily run tells them once of each change.

Only providers the person may see the watchlist or quality governance for can be followed; a
provider outside that scope is not found (404), and if a person's roles change so that a
followed provider leaves their scope, the daily run tells them nothing more of it. Messages
carry the provider's name and a link, never anything about a patient.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from caresignals.core import formatting
from caresignals.core.periods import Month
from caresignals.notifications import services
from caresignals.notifications.models import Following, Kind
from caresignals.organisations.models import Organisation
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import Scope, scope_for
from caresignals.signals.governance import queries as governance
from caresignals.signals.models import EscalationLevel
from caresignals.signals.watchlist import compute as watchlist
from caresignals.signals.watchlist.types import WatchlistEntry

SEE = (Capability.VIEW_WATCHLIST, Capability.VIEW_QUALITY_GOVERNANCE)
WATCHLIST_ORDER = {"high": 0, "medium": 1, "low": 2}


def _scope(user: Any) -> Scope:
    return scope_for(user, SEE)


def followable(user: Any, code: str) -> Organisation:
    """A provider the person may see the watchlist or governance for, or 404."""
    provider = Organisation.objects.filter(kind="provider", code=code).first()
    if provider is None or not _scope(user).covers(provider.path):
        raise Http404("No such provider")
    return provider


def follows_any_allowed(user: Any) -> bool:
    """Whether the person may follow any provider at all (the preferences page's section)."""
    return not _scope(user).is_empty


def may_follow(user: Any, provider: Any) -> bool:
    return getattr(provider, "kind", "") == "provider" and _scope(user).covers(provider.path)


def follows(user: Any, provider: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Following.objects.filter(user=user, provider=provider).exists()


def follow(user: Any, provider: Organisation) -> None:
    Following.objects.get_or_create(user=user, provider=provider)


def unfollow(user: Any, code: str) -> Organisation:
    """Stop following, even a provider that has since left the person's scope; 404 when they
    follow no provider with this code, whether or not it exists."""
    row = Following.objects.filter(user=user, provider__code=code).select_related("provider")
    found = row.first()
    if found is None:
        raise Http404("Not followed")
    found.delete()
    return found.provider


def followed(user: Any) -> QuerySet[Following]:
    return Following.objects.filter(user=user).select_related("provider").order_by("provider__name")


def _watchlist_levels(entries: list[WatchlistEntry]) -> dict[str, str]:
    """Each provider's most concerning level among its entries (its own and its services')."""
    levels: dict[str, str] = {}
    for e in entries:
        was = levels.get(e.org_code)
        if was is None or WATCHLIST_ORDER.get(e.level, 9) < WATCHLIST_ORDER.get(was, 9):
            levels[e.org_code] = e.level
    return levels


def _messages(
    following: Following, watchlist_level: str, period: str | None, escalation: tuple[str, Any]
) -> list[tuple[str, str, str]]:
    """(reference, sentence, link) for each change since the person was last told."""
    provider = following.provider
    name = provider.name[:150]
    found = []
    if period is not None and watchlist_level != following.watchlist_level:
        month = Month.parse(period).label
        if not following.watchlist_level:
            text = f"New watchlist entry for {name} ({watchlist_level}), {month}"
        elif not watchlist_level:
            text = f"{name} is no longer on the watchlist, {month}"
        else:
            text = f"Watchlist level changed to {watchlist_level} for {name}, {month}"
        url = reverse("signals:watchlist") + f"?period={period}"
        found.append((f"{provider.code} watchlist", text, url))
    level, since = escalation
    was = following.escalation_level or EscalationLevel.ROUTINE
    if level != was:
        label = EscalationLevel(level).label
        on = f" on {formatting.nhs_date(since)}" if isinstance(since, dt.date) else ""
        text = f"Escalation level changed to {label} for {name}{on}"
        url = reverse("signals:escalation_detail", args=[provider.code])
        found.append((f"{provider.code} escalation", text, url))
    return found


def tell_followers(today: dt.date) -> int:
    """Tell each person of each change to the providers they follow since they were last told,
    and remember what they were told, so a change is sent once (whether or not the person
    chose to receive it); returns how many notifications were made."""
    rows = list(Following.objects.filter(user__is_active=True).select_related("user", "provider"))
    if not rows:
        return 0
    period = watchlist.default_period()
    entries = watchlist.compute_watchlist(period) if period else []
    made = 0
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={r.user_id for r in rows})}
    for following in rows:
        user = users[following.user_id]
        if not _scope(user).covers(following.provider.path):
            continue  # no longer theirs to see
        level, since, _version = governance.level_of(following.provider)
        # Each person's own view of the list: soft intelligence only for the ICB (ADR 31).
        levels = _watchlist_levels(watchlist.withhold_intelligence(user, entries))
        now_on_watchlist = levels.get(following.provider.code, "")
        for reference, text, url in _messages(following, now_on_watchlist, period, (level, since)):
            if services.notify(user, Kind.FOLLOWED_PROVIDER, reference, text, url, on=today):
                made += 1
        if period is not None:
            following.watchlist_level = now_on_watchlist
        following.escalation_level = "" if level == EscalationLevel.ROUTINE else level
        following.save(update_fields=["watchlist_level", "escalation_level"])
    return made
