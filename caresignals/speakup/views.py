"""Signed-in speak-up pages: a member of staff raises a concern openly or confidentially;
guardians work their organisation's cases and export the national return; the ICB and boards
see disclosure-controlled counts.

Anyone who is not the case's guardian gets "not found" for a case, whatever their role.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.core import spreadsheets
from caresignals.core.concurrency import EditConflict
from caresignals.organisations.permissions import requires
from caresignals.organisations.roles import Capability
from caresignals.speakup import queries, services
from caresignals.speakup.forms import (
    CaseRecordForm,
    ConcernForm,
    MessageForm,
    VersionForm,
    errors_of,
)
from caresignals.speakup.models import CATEGORY_FIELDS, SpeakUpCase
from caresignals.speakup.quarters import Quarter
from caresignals.speakup.views_public import already_raised, raised_page, submission_token
from caresignals.speakup.vocabulary import (
    PROFESSIONAL_GROUP_LABELS,
    ROUTE_FOR_GUARDIAN,
    Category,
    Detriment,
    Route,
    SpeakUpAgain,
    Status,
)

CONFLICT = (
    "Someone else changed this case while you were editing it. "
    "Here is the case as it is now: check it and make your change again."
)


@never_cache
@require_http_methods(["GET", "POST"])
def raise_concern(request: HttpRequest) -> HttpResponse:
    providers = queries.reporter_providers(request.user)
    form = ConcernForm(None, organisations=providers, with_route=True)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = ConcernForm(request.POST, organisations=providers, with_route=True)
        if form.is_valid():
            organisation = queries.provider(form.cleaned_data["org_code"])
            if organisation is None:
                raise Http404("Not found")
            try:
                raised = services.raise_concern(
                    organisation=organisation,
                    route=form.chosen_route,
                    concern=form.cleaned_data["concern"],
                    categories=form.cleaned_data["categories"],
                    professional_group=form.cleaned_data["professional_group"],
                    user=request.user,
                    submission=request.POST.get("submission", ""),
                )
            except services.AlreadyRaised as already:
                return already_raised(request, already.reference)
            route = form.chosen_route
            return raised_page(request, raised.case.reference, raised.access_code, route)
        errors = errors_of(form)
    return render(
        request,
        "speakup/raise.jinja",
        {
            "page_title": "Speak up: raise a concern",
            "form": form,
            "anonymous": False,
            "has_organisations": bool(providers),
            "values": request.POST if request.method == "POST" else {},
            "errors": errors,
            "submission": submission_token(request),
        },
    )


# -- guardians ----------------------------------------------------------------------------------


def _guardian_only(request: HttpRequest) -> None:
    if not queries.is_guardian(request.user):
        raise Http404("Not found")


PAGE_SIZE = 25


def _page_links(request: HttpRequest, page: Page[SpeakUpCase]) -> dict[str, Any]:
    """NHS.UK numbered pagination for `page`, each link keeping the filters chosen: the
    first, last and neighbouring pages, with an ellipsis for the gaps."""

    def href(n: int) -> str:
        params = request.GET.copy()
        params["page"] = str(n)
        return "?" + params.urlencode()

    last = page.paginator.num_pages
    near = {1, last, page.number - 1, page.number, page.number + 1}
    shown = sorted(n for n in near if 1 <= n <= last)
    items: list[dict[str, Any]] = []
    for i, n in enumerate(shown):
        if i and n - shown[i - 1] > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == page.number})
    return {
        "items": items if last > 1 else [],
        "previous": {"href": href(page.number - 1)} if page.has_previous() else {},
        "next": {"href": href(page.number + 1)} if page.has_next() else {},
    }


@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    _guardian_only(request)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    new_only = request.GET.get("new") == "1"
    found = queries.guardian_cases(
        request.user, status=status, category=category, new_only=new_only
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "speakup/cases.jinja",
        {
            "page_title": "Speak-up cases"
            + (f" (page {page.number} of {page.paginator.num_pages})" if page.number > 1 else ""),
            "cases": page.object_list,
            "page": page,
            "pagination": _page_links(request, page),
            "new_count": queries.new_message_count(request.user),
            "new_case_count": queries.new_case_count(request.user),
            "new_only": new_only,
            "filtered": bool(status or category or new_only),
            "status": status if status in Status.values else "",
            "category": category if category in CATEGORY_FIELDS else "",
            "statuses": Status.choices,
            "categories": Category.choices,
        },
    )


def _case_context(case: SpeakUpCase) -> dict[str, Any]:
    return {
        "case": case,
        "messages_": queries.thread(case),
        "route_label": ROUTE_FOR_GUARDIAN[Route(case.route)],
        "group_label": PROFESSIONAL_GROUP_LABELS.get(case.professional_group, "Not given"),
        "detriment_label": Detriment(case.suffered_detriment).label
        if case.suffered_detriment
        else "Not recorded yet",
        "feedback_label": SpeakUpAgain(case.feedback_speak_up_again).label
        if case.feedback_speak_up_again
        else "No feedback given",
        "breadcrumbs": [{"text": "Speak-up cases", "href": reverse("speakup:cases")}],
    }


def _case_page(
    request: HttpRequest, case: SpeakUpCase, *, errors: dict[str, list[str]], values: Any
) -> HttpResponse:
    services.record_view(request.user, case, page="case")
    context = _case_context(case)
    services.mark_read(request.user, case, context["messages_"])
    return render(
        request,
        "speakup/case.jinja",
        {
            "page_title": f"Case {case.reference}",
            **context,
            "errors": errors,
            "values": values,
        },
        status=400 if errors else 200,
    )


@never_cache
@require_GET
def case(request: HttpRequest, reference: str) -> HttpResponse:
    found = queries.guardian_case_or_404(request.user, reference)
    return _case_page(request, found, errors={}, values={})


@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    found = queries.guardian_case_or_404(request.user, reference)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _case_page(request, found, errors=errors_of(form), values=request.POST)
    services.guardian_reply(request.user, found, form.cleaned_data["text"])
    messages.success(request, "Your reply has been sent. The person reads it with their code.")
    return redirect("speakup:case", reference=found.reference)


@never_cache
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, reference: str) -> HttpResponse:
    found = queries.guardian_case_or_404(request.user, reference)
    errors: dict[str, list[str]] = {}
    initial = {
        "version": found.version,
        "categories": found.categories,
        "professional_group": found.professional_group,
        "actions_taken": found.actions_taken,
        "outcome": found.outcome,
        "suffered_detriment": found.suffered_detriment,
        "feedback_speak_up_again": found.feedback_speak_up_again,
    }
    values: dict[str, Any] = initial
    if request.method == "POST":
        form = CaseRecordForm(request.POST)
        values = {
            **{k: request.POST.get(k, "") for k in initial},
            "categories": request.POST.getlist("categories"),
        }
        if form.is_valid():
            try:
                services.update_case(
                    request.user, found, form.cleaned_data["version"], form.values()
                )
            except EditConflict:
                current = queries.guardian_case_or_404(request.user, reference)
                messages.warning(request, CONFLICT)
                return redirect("speakup:edit", reference=current.reference)
            messages.success(request, "The case record has been saved.")
            return redirect("speakup:case", reference=found.reference)
        errors = errors_of(form)
    services.record_view(request.user, found, page="edit")
    return render(
        request,
        "speakup/edit.jinja",
        {
            "page_title": f"Record case {found.reference}",
            "case": found,
            "values": values,
            "errors": errors,
            "categories": Category.choices,
            "groups": list(PROFESSIONAL_GROUP_LABELS.items()),
            "detriment_choices": Detriment.choices,
            "feedback_choices": SpeakUpAgain.choices,
            "breadcrumbs": [
                {"text": "Speak-up cases", "href": reverse("speakup:cases")},
                {
                    "text": f"Case {found.reference}",
                    "href": reverse("speakup:case", args=[found.reference]),
                },
            ],
        },
        status=400 if errors else 200,
    )


@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    found = queries.guardian_case_or_404(request.user, reference)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.warning(request, CONFLICT)
        return redirect("speakup:case", reference=found.reference)
    try:
        if found.status == Status.OPEN:
            services.close_case(request.user, found, form.cleaned_data["version"])
            messages.success(request, "The case is closed.")
        else:
            services.reopen_case(request.user, found, form.cleaned_data["version"])
            messages.success(request, "The case is open again.")
    except EditConflict:
        messages.warning(request, CONFLICT)
    return redirect("speakup:case", reference=found.reference)


# -- counts: the ICB, boards and guardians ------------------------------------------------------


@require_GET
@requires(Capability.VIEW_SPEAKUP_SUMMARY, hidden=True)
def summary(request: HttpRequest) -> HttpResponse:
    quarters = queries.case_quarters()
    chosen = quarters[0]
    error = ""
    if request.GET.get("quarter"):
        try:
            chosen = Quarter.parse(request.GET["quarter"])
        except ValueError as exc:
            error = str(exc)
    return render(
        request,
        "speakup/summary.jinja",
        {
            "page_title": "Freedom to Speak Up: cases by provider",
            "summary": queries.summary(request.user, chosen),
            "quarters": quarters,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_GET
def national_return(request: HttpRequest) -> HttpResponse:
    organisations = queries.guardian_organisations(request.user)
    if not organisations:
        raise Http404("Not found")
    by_code = {o.code: o for o in organisations}
    errors: dict[str, list[str]] = {}
    if "quarter" in request.GET:
        organisation = by_code.get(request.GET.get("org") or organisations[0].code)
        try:
            quarter = Quarter.parse(request.GET["quarter"])
        except ValueError as exc:
            errors["quarter"] = [str(exc)]
        if organisation is None:
            errors["org"] = ["Select an organisation where you are the guardian"]
        if not errors and organisation is not None:
            row = queries.national_return(organisation, quarter)
            services.record_return_export(request.user, organisation, quarter.code)
            out = io.StringIO()
            writer = spreadsheets.dict_writer(
                out, fieldnames=queries.return_columns(), lineterminator="\n"
            )
            writer.writeheader()
            writer.writerow(row)
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="ftsu-return-{organisation.code}-{quarter.code}.csv"'
            )
            return response
    return render(
        request,
        "speakup/return.jinja",
        {
            "page_title": "Quarterly national return",
            "organisations": organisations,
            "quarters": queries.case_quarters(),
            "values": request.GET,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
