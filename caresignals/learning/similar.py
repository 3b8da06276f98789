"""Similar learning from elsewhere, for the forms that start a response or an action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from markupsafe import Markup

from caresignals.learning.queries import search, summary_of
from caresignals.safety.responses.access import inside_provider

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


def response_links(user: Any, response: Any) -> list[tuple[str, str]]:
    """The learning library's link on a completed response's page, for its own team."""
    if response.status != "completed" or not inside_provider(user, response.organisation.path):
        return []
    summary = summary_of(response)
    if summary is None:
        return [
            (
                "Write the learning summary for the shared library",
                reverse("learning:write", kwargs={"reference": response.reference}),
            )
        ]
    state = "approved" if summary.status == "approved" else "draft, not yet approved"
    return [
        (
            f"Learning summary {summary.reference} ({state})",
            reverse("learning:summary", kwargs={"reference": summary.reference}),
        )
    ]
