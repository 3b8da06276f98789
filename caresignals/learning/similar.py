"""Similar learning from elsewhere, for the forms that start a response or an action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from markupsafe import Markup

from caresignals.learning.queries import search

SHOWN = 3


@dataclass(frozen=True)
class Similar:
    title: Markup
    url: str
    organisation: str
    snippet: Markup


def for_safety_form(user: Any, words: str, provider: Any) -> list[Similar]:
    """The few approved summaries from other providers that share most of `words` (the
    event's category and description, or the response's title and findings)."""
    found = search(
        user,
        words,
        any_word=True,
        exclude_path=getattr(provider, "path", "") or "",
        approved_only=True,
        limit=SHOWN,
    )
    return [
        Similar(
            title=h.title,
            url=reverse("learning:summary", kwargs={"reference": h.summary.reference}),
            organisation=h.summary.organisation.name,
            snippet=h.snippet,
        )
        for h in found.hits
    ]
