"""Draft events, saved for the signed-in person who is writing them.

A draft is what was typed on each page, as text, keyed by a random draft id and its author.
Drafts are kept for DRAFT_DAYS (or until recorded or deleted), so a person can stop, sign
out, and finish later. Only the author ever reads a draft; recording deletes it, so nothing
links an anonymous event to the person who recorded it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from caresignals.safety.draft_models import EventDraft

RECORDED_KEY = "safety_recorded"
DRAFT_ID = re.compile(r"^[0-9a-f]{12}$")
MAX_DRAFTS = 20
DRAFT_DAYS = 30


@dataclass(frozen=True)
class DraftLine:
    draft_id: str
    summary: str
    saved_at: str


def new_draft_id() -> str:
    return secrets.token_hex(6)


def _author(request: HttpRequest) -> Any:
    return request.user  # signed in: drafts are only reachable behind sign-in


def _mine(request: HttpRequest) -> Any:
    cutoff = timezone.now() - dt.timedelta(days=DRAFT_DAYS)
    return EventDraft.objects.filter(user=_author(request), saved_at__gte=cutoff)


def get(request: HttpRequest, draft_id: str) -> dict[str, Any]:
    """The draft's pages ({"one": {...}, "two": {...}}), empty when there is none."""
    draft = _mine(request).filter(draft_id=draft_id).first()
    return dict(draft.pages) if draft else {}


@transaction.atomic
def save(request: HttpRequest, draft_id: str, page: str, values: dict[str, str]) -> None:
    draft, _ = EventDraft.objects.get_or_create(
        user=_author(request), draft_id=draft_id, defaults={"saved_at": timezone.now()}
    )
    draft.pages = {**draft.pages, page: values}
    draft.saved_at = timezone.now()
    draft.save()
    # Keep the newest; forget drafts past their time.
    cutoff = timezone.now() - dt.timedelta(days=DRAFT_DAYS)
    EventDraft.objects.filter(user=_author(request), saved_at__lt=cutoff).delete()
    extra = list(_mine(request).values_list("pk", flat=True)[MAX_DRAFTS:])
    if extra:
        EventDraft.objects.filter(pk__in=extra).delete()


def discard(request: HttpRequest, draft_id: str) -> bool:
    """Delete the draft; whether there was one."""
    deleted, _ = EventDraft.objects.filter(user=_author(request), draft_id=draft_id).delete()
    return deleted > 0


def lines(request: HttpRequest) -> list[DraftLine]:
    """The person's drafts, newest first, each summarised by the start of what happened."""
    found = []
    for draft in _mine(request):
        text = str(draft.pages.get("one", {}).get("description", "")).strip()
        summary = (text[:80] + "…") if len(text) > 80 else text
        saved = timezone.localtime(draft.saved_at).strftime("%-d %B %Y at %H:%M")
        found.append(DraftLine(draft.draft_id, summary or "(what happened not yet entered)", saved))
    return found


def posted_values(request: HttpRequest) -> dict[str, str]:
    """What the page sent, as text, without the CSRF token or the buttons."""
    skip = {"csrfmiddlewaretoken", "action"}
    return {k: str(v) for k, v in request.POST.items() if k not in skip}
