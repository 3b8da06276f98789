"""Pages that combine domains: the home page, and browsing the integrated care system
(ICS → places → providers → services), whose organisation page shows events, indicators
and escalation together. They sit above every domain app (ADR 16).

Anyone signed in may browse; what they see is limited by scoping (queries.py), so a
person with no membership sees an empty list, and a hidden organisation is "not found".
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caresignals.analytics.presenters import event_summary
from caresignals.core.cache import cached_fragment
from caresignals.intelligence.presenters import organisation_panel
from caresignals.measures.presenters import indicator_summaries
from caresignals.organisations import presenters
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for
from caresignals.pages.middleware import second_factor_redirect
from caresignals.pages.presenters import home_page
from caresignals.safety.candour.queries import CANDOUR, may_view_candour
from caresignals.signals.governance.presenters import escalation_panel


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """A signed-in person's home page for their role; for anyone else, the public start page
    that says which form to use when (a safety concern, feedback, speaking up as staff)."""
    if not request.user.is_authenticated:
        return render(request, "pages/start.jinja", {"page_title": "Tell us about NHS care"})
    # Public, so the second-factor middleware passes it by: the home page asks itself.
    pending = second_factor_redirect(request)
    if pending is not None:
        return pending
    return render(request, "core/home.jinja", {"page": home_page(request.user)})


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "organisations/index.jinja",
        {
            "page_title": "Organisations",
            "organisations": presenters.organisations_index(request.user),
        },
    )


def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user

    def context() -> dict[str, object]:
        page = presenters.organisation_page(user, code)
        return {
            "page_title": page.organisation.name,
            "page": page,
            "breadcrumbs": page.breadcrumbs,
            "events": event_summary(user, page.organisation),
            "indicators": indicator_summaries(user, page.organisation),
            "escalation": escalation_panel(user, page.organisation),
            "candour": may_view_candour(user, page.organisation),
        }

    # The escalation panel and the candour link depend on where the reader holds those roles,
    # not only on their scope.
    governance = scope_for(user, Capability.VIEW_QUALITY_GOVERNANCE).paths
    candour = scope_for(user, CANDOUR).paths
    body, ctx = cached_fragment(
        request,
        "organisation",
        (code, governance, candour),
        "organisations/detail_body.jinja",
        context,
    )
    # Soft intelligence is read fresh for each person, never from the cached body: who may
    # read it, and what has been shared, differ from reader to reader (ADR 31).
    return render(
        request,
        "organisations/detail.jinja",
        {
            "body": body,
            "page_title": ctx["page_title"],
            "breadcrumbs": ctx["breadcrumbs"],
            "intelligence": organisation_panel(user, ctx["page"].organisation),
        },
    )
