"""The learning library's pages: search, a summary, writing one, approving it, reusing it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.audit.services import Actor
from caresignals.core.vocabulary import Category
from caresignals.learning import queries, services
from caresignals.learning.models import FACTOR_FIELDS, TEXT_FIELDS, LearningSummary
from caresignals.learning.vocabulary import Outcome, SummaryStatus
from caresignals.organisations.models import ProviderType
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import may
from caresignals.safety.models import LearningResponse
from caresignals.safety.responses import access
from caresignals.safety.responses.psirf import SeipsFactor

PAGE_SIZE = 20
FACTOR_LABELS = dict(SeipsFactor.choices)
FIELD_LABELS = {
    "title": "Title",
    "what_happened": "What happened",
    **{name: FACTOR_LABELS[f] for f, name in FACTOR_FIELDS},
    "actions": "Safety actions and what their measures showed",
}


def _choice(value: str, allowed: list[str]) -> str:
    return value if value in allowed else ""


def _facets() -> dict[str, list[tuple[str, str]]]:
    return {
        "category": list(Category.choices),
        "service_type": list(ProviderType.choices),
        "factor": list(SeipsFactor.choices),
        "outcome": list(Outcome.choices),
    }


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    facets = _facets()
    chosen = {
        k: _choice(request.GET.get(k, ""), [v for v, _ in choices]) for k, choices in facets.items()
    }
    words = request.GET.get("q", "")[:200]
    paginator = Paginator(range(0), PAGE_SIZE)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    results = queries.search(
        request.user,
        words,
        queries.Filters(**chosen),
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    paginator = Paginator(range(results.total), PAGE_SIZE)
    page = paginator.get_page(number)
    base = request.GET.copy()
    base.pop("page", None)

    def link(n: int) -> str:
        base["page"] = str(n)
        return "?" + base.urlencode()

    return render(
        request,
        "learning/library.jinja",
        {
            "page_title": "Learning library",
            "words": words,
            "chosen": chosen,
            "facets": facets,
            "results": results,
            "labels": _labels(),
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "page_number": page.number,
            "pages": paginator.num_pages,
            "awaiting": services.awaiting_summary(request.user),
        },
    )


def _labels() -> dict[str, dict[str, str]]:
    return {k: dict(v) for k, v in _facets().items()}


def _inside(user: Any, summary: LearningSummary) -> bool:
    return access.inside_provider(user, summary.organisation.path)


@require_GET
def summary(request: HttpRequest, reference: str) -> HttpResponse:
    s = queries.summary_for(request.user, reference)
    return _summary_page(request, s, {}, {})


def _summary_page(
    request: HttpRequest,
    s: LearningSummary,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HttpResponse:
    inside = _inside(request.user, s)
    shown = (
        services.preview(s.source, services.known_names(s.response))
        if inside and s.source
        else None
    )
    return render(
        request,
        "learning/summary.jinja",
        {
            "page_title": s.title,
            "s": s,
            "inside": inside,
            "may_approve": may(
                request.user, Capability.MANAGE_SAFETY_RESPONSES, s.organisation.path
            ),
            "factors": [(FACTOR_LABELS[f], getattr(s, name)) for f, name in FACTOR_FIELDS],
            "labels": _labels(),
            "removed": [
                (FIELD_LABELS[name], shown.removed[name])
                for name in TEXT_FIELDS
                if shown and shown.removed[name]
            ],
            "reuses": list(s.reuses.select_related("organisation")),
            "reuse_orgs": services.reuse_organisations(request.user, s),
            "values": values,
            "errors": errors,
            "approved": s.status == SummaryStatus.APPROVED,
        },
        status=status,
    )


def _write_page(
    request: HttpRequest,
    response: LearningResponse,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "learning/write.jinja",
        {
            "page_title": "Write the learning summary",
            "response": response,
            "values": values,
            "errors": errors,
            "factor_fields": [(name, FACTOR_LABELS[f]) for f, name in FACTOR_FIELDS],
            "outcomes": Outcome.choices,
            "completed": response.status == "completed",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, reference: str) -> HttpResponse:
    response = queries.response_for_writing(request.user, reference)
    existing = queries.summary_of(response)
    if request.method != "POST":
        if existing is not None:
            values = {**existing.source, "outcome": existing.outcome}
        else:
            values = services.prefill(response)
        return _write_page(request, response, values, {})
    values = {name: request.POST.get(name, "") for name in (*TEXT_FIELDS, "outcome")}
    try:
        saved = services.save_summary(
            response,
            values,
            values["outcome"],
            user=request.user,
            actor=Actor(user=request.user),
        )
    except services.NotAllowed:
        raise Http404("Not found") from None
    except services.SummaryInvalid as invalid:
        return _write_page(request, response, values, invalid.errors, status=400)
    messages.success(
        request,
        "The summary has been saved as a draft. Check what was taken out before a "
        "patient-safety lead approves it for the library.",
    )
    return redirect("learning:summary", reference=saved.reference)


@require_POST
def approve(request: HttpRequest, reference: str) -> HttpResponse:
    s = queries.summary_for(request.user, reference)
    if not _inside(request.user, s):
        raise Http404("Not found")
    values = {"confirm": request.POST.get("confirm", "")}
    if values["confirm"] != "yes":
        errors = {"confirm": ["Confirm that you have read the de-identified summary"]}
        return _summary_page(request, s, values, errors, status=400)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.approve(s, user=request.user, actor=Actor(user=request.user), version=version)
    except services.NotAllowed:
        raise Http404("Not found") from None
    except services.SummaryInvalid as invalid:
        return _summary_page(request, s, values, invalid.errors, status=409)
    messages.success(request, "Approved: every organisation in the system can now read it.")
    return redirect("learning:summary", reference=s.reference)


@require_POST
def reuse(request: HttpRequest, reference: str) -> HttpResponse:
    s = queries.summary_for(request.user, reference)
    values = {k: request.POST.get(k, "") for k in ("organisation", "how")}
    try:
        organisation_id = int(values["organisation"])
    except ValueError:
        organisation_id = -1
    try:
        services.record_reuse(
            s, organisation_id, values["how"], user=request.user, actor=Actor(user=request.user)
        )
    except services.SummaryInvalid as invalid:
        return _summary_page(request, s, values, invalid.errors, status=400)
    messages.success(request, "Recorded: this summary shows that your organisation used it.")
    return redirect(reverse("learning:summary", kwargs={"reference": s.reference}) + "#reused")
