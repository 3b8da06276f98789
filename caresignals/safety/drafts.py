"""Draft events, kept in the signed-in person's session (server-side, so lost on sign-out).

A draft is what was typed on each page, as text, keyed by a random draft id. Nothing about a
draft reaches the database's own tables: it is stored only when it is recorded as an event.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SESSION_KEY = "safety_drafts"
RECORDED_KEY = "safety_recorded"
DRAFT_ID = re.compile(r"^[0-9a-f]{12}$")
MAX_DRAFTS = 20


@dataclass(frozen=True)
class DraftLine:
    draft_id: str
    summary: str
    saved_at: str


def new_draft_id() -> str:
    return secrets.token_hex(6)


def _all(request: HttpRequest) -> dict[str, dict[str, Any]]:
    drafts = request.session.get(SESSION_KEY, {})
    return drafts if isinstance(drafts, dict) else {}


def get(request: HttpRequest, draft_id: str) -> dict[str, Any]:
    """The draft's pages ({"one": {...}, "two": {...}}), empty when there is none."""
    return dict(_all(request).get(draft_id, {}))


def save(request: HttpRequest, draft_id: str, page: str, values: dict[str, str]) -> None:
    drafts = _all(request)
    draft = dict(drafts.pop(draft_id, {}))
    draft[page] = values
    draft["saved_at"] = dt.datetime.now().strftime("%-d %B %Y at %H:%M")
    drafts[draft_id] = draft
    if len(drafts) > MAX_DRAFTS:  # keep the newest; dicts remember insertion order
        for old in list(drafts)[: len(drafts) - MAX_DRAFTS]:
            drafts.pop(old)
    request.session[SESSION_KEY] = drafts


def discard(request: HttpRequest, draft_id: str) -> None:
    drafts = _all(request)
    if drafts.pop(draft_id, None) is not None:
        request.session[SESSION_KEY] = drafts


def lines(request: HttpRequest) -> list[DraftLine]:
    """The person's drafts, newest first, each summarised by the start of what happened."""
    found = []
    for draft_id, draft in reversed(list(_all(request).items())):
        text = str(draft.get("one", {}).get("description", "")).strip()
        summary = (text[:80] + "…") if len(text) > 80 else text
        found.append(
            DraftLine(
                draft_id, summary or "(what happened not yet entered)", draft.get("saved_at", "")
            )
        )
    return found


def posted_values(request: HttpRequest) -> dict[str, str]:
    """What the page sent, as text, without the CSRF token or the buttons."""
    skip = {"csrfmiddlewaretoken", "action"}
    return {k: str(v) for k, v in request.POST.items() if k not in skip}
