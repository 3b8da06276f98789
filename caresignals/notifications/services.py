"""Telling people what needs them, in-app and by email, as each chooses (ADR 21).

Every message is a sentence, a reference and a link to the page; never patient-identifiable or
speak-up content. Emails go through Django's mail framework (any SMTP relay, `EMAIL_*`
settings) from tasks (tasks.py), so a slow relay never holds up a page.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from caresignals.notifications.models import Kind, Notification, Preference

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    kind: str
    label: str
    email: bool
    in_app: bool


def preferences(user: Any) -> list[Choice]:
    saved = {p.kind: p for p in Preference.objects.filter(user=user)}
    return [
        Choice(kind, str(label), saved[kind].email, saved[kind].in_app)
        if kind in saved
        else Choice(kind, str(label), True, True)
        for kind, label in Kind.choices
    ]


def save_preferences(user: Any, chosen: dict[str, tuple[bool, bool]]) -> None:
    """`chosen` maps each kind to (email, in-app)."""
    for kind, (email, in_app) in chosen.items():
        Preference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": email, "in_app": in_app}
        )


def _wants(user: Any, kind: str) -> tuple[bool, bool]:
    pref = Preference.objects.filter(user=user, kind=kind).first()
    return (pref.email, pref.in_app) if pref else (True, True)


def link(path: str) -> str:
    return settings.CARESIGNALS_BASE_URL.rstrip("/") + path


def notify(
    user: Any, kind: str, reference: str, text: str, url: str, *, on: dt.date
) -> Notification | None:
    """Record one notification for `user` unless they chose neither channel, or were already
    told this (same kind, reference and sentence). Email is sent later, in a batch."""
    if not getattr(user, "is_active", False):
        return None
    email, in_app = _wants(user, kind)
    if not (email or in_app):
        return None
    if Notification.objects.filter(user=user, kind=kind, reference=reference, text=text).exists():
        return None
    notification, _ = Notification.objects.get_or_create(
        user=user,
        kind=kind,
        reference=reference,
        on=on,
        defaults={"text": text, "url": url, "emailed": not email, "read": not in_app},
    )
    return notification


def unread(user: Any) -> list[Notification]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Notification.objects.filter(user=user, read=False)[:200])


def recent(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user)[:200])


def mark_read(user: Any) -> None:
    Notification.objects.filter(user=user, read=False).update(read=True)


def send_pending_emails(users: Iterable[Any] | None = None) -> int:
    """One email per person listing what they have not yet been emailed; returns how many
    emails were sent. A person without an address is skipped (their in-app list remains)."""
    pending = Notification.objects.filter(emailed=False).select_related("user")
    if users is not None:
        pending = pending.filter(user__in=list(users))
    by_user: dict[int, list[Notification]] = {}
    for n in pending.order_by("user_id", "on", "id"):
        by_user.setdefault(n.user_id, []).append(n)
    sent = 0
    for items in by_user.values():
        user = items[0].user
        if user.email:
            if not _send_list(user, items):
                continue  # left unsent: the next run tries again
            sent += 1
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed=True)
    return sent


def _send_list(user: Any, items: list[Notification]) -> bool:
    """Send one person their list; False (logged) when the relay refused or was unreachable,
    so a mail outage never fails the page or API request that recorded the event."""
    lines = [f"- {n.text}: {n.reference}\n  {link(n.url)}" for n in items]
    try:
        send_mail(
            subject=f"Care Signals: {len(items)} thing{'s' if len(items) != 1 else ''} for you",
            message="Hello,\n\nCare Signals has this for you:\n\n"
            + "\n".join(lines)
            + "\n\nYour work: "
            + link("/my-work/")
            + "\nChoose what you receive: "
            + link("/notifications/preferences/")
            + "\n",
            from_email=None,
            recipient_list=[user.email],
        )
    except (OSError, smtplib.SMTPException):
        logger.warning("Could not email notifications to user %s; will retry", user.pk)
        return False
    return True


def send_digest(user: Any, overdue: list[Any], due_soon: list[Any], team_open: int) -> bool:
    """The weekly digest: counts and references only, with the link to My work."""
    email, _in_app = _wants(user, Kind.WEEKLY_DIGEST)
    if not (email and user.email and user.is_active) or not (overdue or due_soon or team_open):
        return False
    lines = [f"- Overdue: {i.kind} {i.reference} {link(i.url)}" for i in overdue[:30]]
    lines += [f"- Due soon: {i.kind} {i.reference} {link(i.url)}" for i in due_soon[:30]]
    body = (
        f"Hello,\n\nThis week you have {len(overdue)} overdue and {len(due_soon)} due soon"
        + (f"; your team has {team_open} open" if team_open else "")
        + ".\n\n"
        + "\n".join(lines)
        + "\n\nYour work: "
        + link("/my-work/")
        + "\nChoose what you receive: "
        + link("/notifications/preferences/")
        + "\n"
    )
    try:
        send_mail("Care Signals: your week", body, None, [user.email])
    except (OSError, smtplib.SMTPException):
        logger.warning("Could not email the weekly digest to user %s", user.pk)
        return False
    return True
