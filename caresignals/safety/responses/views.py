"""Pages for provider patient-safety teams: the event, the triage queue, the incident
response plan, learning responses and safety actions.

Reads go through response_queries/response_presenters (limited to where the person holds a
patient-safety role), writes through responses/services.py; anything out of scope is 404.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.audit.services import Actor
from caresignals.core.concurrency import EditConflict
from caresignals.core.references import normalise_reference
from caresignals.organisations.permissions import requires
from caresignals.organisations.queries import person_choices, person_in
from caresignals.organisations.roles import Capability, Role
from caresignals.safety import hooks
from caresignals.safety.events import reporter
from caresignals.safety.models import LearningResponse, SafetyAction
from caresignals.safety.responses import presenters as present
from caresignals.safety.responses import psirf, services
from caresignals.safety.responses import queries as q
from caresignals.safety.responses.access import write_scope
from caresignals.safety.responses.forms import (
    ActionProgressForm,
    EngagementForm,
    LearningResponseForm,
    PlanRuleForm,
    ResponseProgressForm,
    SafetyActionForm,
    TriageForm,
    TriageOwnerForm,
)
from caresignals.safety.vocabulary import Category, MaxHarm

QUEUE_PAGE = 25
LIST_PAGE = 50
CONFLICT = (
    "Someone else changed this while you were working on it, so your changes were not saved. "
    "This page now shows their version: make your changes again if they are still needed."
)


def _values(request: HttpRequest) -> dict[str, str]:
    return {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}


def _errors(form: Any, invalid: services.ResponseInvalid | None = None) -> dict[str, list[str]]:
    errors = {k: list(v) for k, v in form.errors.items()} if form is not None else {}
    if invalid is not None:
        for k, v in invalid.errors.items():
            errors.setdefault(k, []).extend(v)
    return errors


def _page(request: HttpRequest, qs: Any, size: int, *, count: int | None = None) -> Any:
    paginator = Paginator(qs, size)
    if count is not None:  # already counted by the caller: each count reads every row
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


def _page_links(request: HttpRequest, page: Any) -> dict[str, str | None]:
    def link(n: int) -> str:
        params = request.GET.copy()
        params["page"] = str(n)
        return "?" + params.urlencode()

    return {
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "next": link(page.next_page_number()) if page.has_next() else None,
    }


# --- the event ---------------------------------------------------------------------------------


def _event_page(
    request: HttpRequest,
    reference: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    event = q.event_for(request.user, reference)
    page = present.event_page(request.user, event)
    if values is None:
        values = {
            "response": page.triage.response if page.triage else "",
            "note": page.triage.note if page.triage and page.inside else "",
        }
        # Only a national requirement, which leaves nothing to choose, is chosen for the lead;
        # the plan's suggestion is a separate button, never applied by saving an empty form.
        if not page.triage and page.derived.requirement:
            values["response"] = "psii"
    # A re-shown form keeps the version it was read at, so a conflict is still caught.
    values.setdefault("version", str(page.triage.version if page.triage else 0))
    return render(
        request,
        "safety/response/event.jinja",
        {
            "page_title": f"Event {event.reference}",
            "page": page,
            "form": TriageForm(),
            "values": values,
            "errors": errors or {},
            "response_labels": present.RESPONSE_LABELS,
            "owner_form": TriageOwnerForm(people=_triage_people(event.organisation.path)),
            "triage_owner": getattr(event, "triage_owner", None),
        },
        status=status,
    )


def _triage_people(provider_path: str) -> list[tuple[str, str]]:
    """Who may be given an event to triage: the provider's patient-safety leads."""
    return person_choices(provider_path, [Role.PATIENT_SAFETY_LEAD])


def _reporter_sent_on(view: Any) -> Any:
    """The person who recorded the event, without a patient-safety role where it happened, is
    sent to their own page of it (My events) rather than refused."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, reference: str) -> HttpResponse:
        if reporter.reporter_only(request.user, reference):
            return redirect("safety:my_event", reference=reference)
        response: HttpResponse = view(request, reference)
        return response

    return wrapped


@require_GET
@_reporter_sent_on
@requires(Capability.VIEW_SAFETY_RESPONSES)
def event(request: HttpRequest, reference: str) -> HttpResponse:
    return _event_page(request, reference)


@require_POST
@requires(Capability.VIEW_SAFETY_RESPONSES)
def event_triage(request: HttpRequest, reference: str) -> HttpResponse:
    event = q.event_for(request.user, reference, write=True)
    requirement = services.event_requirement(event)
    data = request.POST.copy()
    if request.POST.get("accept_plan"):
        suggestion, _ = q.plan_suggestion(event)
        if suggestion:
            data["response"] = suggestion
    form = TriageForm(data, requirement=requirement)
    if not form.is_valid():
        return _event_page(request, reference, values=_values(request), errors=_errors(form))
    try:
        services.triage_event(
            event,
            response=form.cleaned_data["response"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
            actor=Actor(user=request.user),
            physical_harm=form.cleaned_data.get("physical_harm") or "",
            category=form.cleaned_data.get("category") or "",
        )
    except services.ResponseInvalid as invalid:
        return _event_page(
            request, reference, values=_values(request), errors=_errors(None, invalid)
        )
    except EditConflict:
        messages.warning(request, CONFLICT)
        return redirect("safety:event", reference=reference)
    chosen = present.RESPONSE_LABELS[form.cleaned_data["response"]]
    messages.success(request, f"Event {event.reference} triaged: {chosen}.")
    return redirect("safety:triage")


@require_POST
@requires(Capability.VIEW_SAFETY_RESPONSES)
def event_triage_owner(request: HttpRequest, reference: str) -> HttpResponse:
    """Give an untriaged event to one of the provider's patient-safety leads, or back to
    the team (ADR 21)."""
    event = q.event_for(request.user, reference, write=True)
    if getattr(event, "triage", None) is not None:
        messages.warning(request, f"Event {event.reference} has already been triaged.")
        return redirect("safety:event", reference=reference)
    path = event.organisation.path
    form = TriageOwnerForm(request.POST, people=_triage_people(path))
    if not form.is_valid():
        return _event_page(request, reference, errors=_errors(form), status=400)
    person = person_in(path, form.cleaned_data["owner_person"], [Role.PATIENT_SAFETY_LEAD])
    services.assign_triage(event, person, actor=Actor(user=request.user))
    who = person.display_name if person is not None else "the patient-safety team"
    messages.success(request, f"Event {event.reference} is now for {who} to triage.")
    return redirect("safety:event", reference=reference)


# --- the triage queue ----------------------------------------------------------------------------


def _queue_page(
    request: HttpRequest, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    services_ = q.queue_services(request.user)
    codes = {s.code for s in services_}
    filters = q.QueueFilters(
        service=v if (v := request.GET.get("service", "")) in codes else "",
        harm=v if (v := request.GET.get("harm", "")) in (*MaxHarm.values, q.NOT_KNOWN) else "",
        category=v if (v := request.GET.get("category", "")) in Category.values else "",
    )
    queue = q.triage_queue(request.user, filters)
    counts = q.queue_counts(queue)
    page = _page(request, queue, QUEUE_PAGE, count=counts["total"])
    return render(
        request,
        "safety/response/triage.jinja",
        {
            "page_title": "Triage queue",
            "rows": present.queue_rows(list(page.object_list), user=request.user),
            "page": page,
            "links": _page_links(request, page),
            "counts": counts,
            "filters": filters,
            "filtered": any((filters.service, filters.harm, filters.category)),
            "services": services_,
            "harms": [*MaxHarm.choices, (q.NOT_KNOWN, "Not known")],
            "categories": Category.choices,
            "may_triage": not write_scope(request.user).is_empty,
            "errors": errors or {},
            "ticked": set(request.POST.getlist("events")),
        },
        status=status,
    )


@require_GET
@requires(Capability.VIEW_SAFETY_RESPONSES)
def triage(request: HttpRequest) -> HttpResponse:
    return _queue_page(request)


@require_POST
@requires(Capability.VIEW_SAFETY_RESPONSES)
def triage_accept_plan(request: HttpRequest) -> HttpResponse:
    """Accept the plan's suggestion for the ticked routine events, all or none."""
    references = list(dict.fromkeys(request.POST.getlist("events")))
    if not references:
        errors = {"events": ["Select the events whose plan suggestion you accept"]}
        return _queue_page(request, errors)
    found = q.untriaged_events(request.user, references)
    gone = [r for r in references if r not in found]
    if gone:
        errors = {"events": [f"{r} is no longer waiting for triage" for r in gone]}
        return _queue_page(request, errors)
    try:
        decisions = services.accept_plan_for(
            [found[r] for r in references], actor=Actor(user=request.user)
        )
    except services.ResponseInvalid as invalid:
        return _queue_page(request, _errors(None, invalid))
    except EditConflict:
        messages.warning(request, CONFLICT)
        return redirect(reverse("safety:triage") + _query(request))
    n = len(decisions)
    messages.success(request, f"{n} event{'s' if n != 1 else ''} triaged as the plan suggests.")
    return redirect(reverse("safety:triage") + _query(request))


def _query(request: HttpRequest) -> str:
    return "?" + request.GET.urlencode() if request.GET else ""


# --- the incident response plan --------------------------------------------------------------


@require_GET
@requires(Capability.VIEW_SAFETY_RESPONSES)
def plan(request: HttpRequest) -> HttpResponse:
    provider = q.provider_for(request.user, request.GET.get("org"))
    return render(
        request,
        "safety/response/plan.jinja",
        {
            "page_title": f"Incident response plan: {provider.name}",
            "provider": provider,
            "providers": q.readable_providers(request.user),
            "national": psirf.NATIONAL_REQUIREMENT_ROWS,
            "rules": present.rule_lines(q.plan_rules(provider)),
            "may_edit": write_scope(request.user).covers(provider.path),
        },
    )


def _rule_values(rule: Any) -> dict[str, str]:
    return {
        "category": rule.category,
        "min_harm": rule.min_harm,
        "service_area": rule.service_area,
        "service": rule.service.code if rule.service else "",
        "response": rule.response,
        "position": str(rule.position),
        "version": str(rule.version),
    }


def _rule_form_page(
    request: HttpRequest,
    provider: Any,
    rule: Any,
    values: dict[str, str],
    errors: dict[str, list[str]],
) -> HttpResponse:
    return render(
        request,
        "safety/response/plan_rule.jinja",
        {
            "page_title": "Change a plan rule" if rule else "Add a plan rule",
            "provider": provider,
            "rule": rule,
            "form": PlanRuleForm(services=q.services_of(provider)),
            "values": values,
            "errors": errors,
            "back": reverse("safety:plan") + "?" + urlencode({"org": provider.code}),
        },
    )


def _save_rule(request: HttpRequest, provider: Any, rule: Any) -> HttpResponse:
    back = reverse("safety:plan") + "?" + urlencode({"org": provider.code})
    if request.method != "POST":
        values = _rule_values(rule) if rule else {"version": "0"}
        return _rule_form_page(request, provider, rule, values, {})
    services_ = q.services_of(provider)
    form = PlanRuleForm(request.POST, services=services_)
    if not form.is_valid():
        return _rule_form_page(request, provider, rule, _values(request), _errors(form))
    d = form.cleaned_data
    fields = services.RuleFields(
        category=d["category"],
        min_harm=d["min_harm"],
        service_area=d["service_area"],
        service=form.services.get(d["service"]) if d["service"] else None,
        response=d["response"],
        position=d["position"],
    )
    try:
        services.save_plan_rule(
            provider,
            rule,
            fields,
            expected_version=d["version"],
            actor=Actor(user=request.user),
        )
    except services.ResponseInvalid as invalid:
        return _rule_form_page(request, provider, rule, _values(request), _errors(None, invalid))
    except EditConflict:
        messages.warning(request, CONFLICT)
        return redirect(back)
    messages.success(request, "The plan has been updated.")
    return redirect(back)


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_SAFETY_RESPONSES)
def plan_rule_new(request: HttpRequest) -> HttpResponse:
    provider = q.provider_for(request.user, request.GET.get("org"), write=True)
    return _save_rule(request, provider, None)


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_SAFETY_RESPONSES)
def plan_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = q.plan_rule_for(request.user, pk)
    return _save_rule(request, rule.organisation, rule)


@require_POST
@requires(Capability.VIEW_SAFETY_RESPONSES)
def plan_rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    rule = q.plan_rule_for(request.user, pk)
    back = reverse("safety:plan") + "?" + urlencode({"org": rule.organisation.code})
    try:
        version = int(request.POST.get("version", ""))
        services.remove_plan_rule(rule, expected_version=version, actor=Actor(user=request.user))
    except (ValueError, EditConflict):
        messages.warning(request, CONFLICT)
    else:
        messages.success(request, "The rule has been removed from the plan.")
    return redirect(back)


# --- learning responses --------------------------------------------------------------------------


@require_GET
@requires(Capability.VIEW_SAFETY_RESPONSES)
def responses(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("org")
    provider = q.provider_for(request.user, code) if code else None
    page = _page(request, q.responses_for(request.user, provider), LIST_PAGE)
    return render(
        request,
        "safety/response/responses.jinja",
        {
            "page_title": "Learning responses",
            "page": page,
            "links": _page_links(request, page),
            "provider": provider,
            "providers": q.readable_providers(request.user),
            "writable": q.writable_providers(request.user),
            "kinds": dict(psirf.LearningResponseType.choices),
            "statuses": dict(psirf.ResponseStatus.choices),
        },
    )


def _owner_sent_on(lookup: Any, progress_view: str) -> Any:
    """The owner of a response or action who may not manage responses where it is goes to
    the page where they update it, rather than being refused (ADR 21)."""

    def decorate(view: Any) -> Any:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, reference: str) -> HttpResponse:
            owned = lookup(request.user, reference)
            if owned is not None and not write_scope(request.user).covers(owned.organisation.path):
                return redirect(progress_view, reference=reference)
            response: HttpResponse = view(request, reference)
            return response

        return wrapped

    return decorate


@require_GET
@_owner_sent_on(q.owned_response, "safety:response_progress")
@requires(Capability.VIEW_SAFETY_RESPONSES)
def response_detail(request: HttpRequest, reference: str) -> HttpResponse:
    response = q.response_for(request.user, reference)
    return _response_page(request, response, {}, {})


def _response_page(
    request: HttpRequest,
    response: LearningResponse,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "safety/response/response.jinja",
        {
            "page_title": response.title,
            "page": present.response_page(request.user, response),
            "more_links": hooks.response_links_for(request.user, response),
            "form": EngagementForm(),
            "values": values,
            "errors": errors,
        },
        status=status,
    )


def _response_values(response: LearningResponse) -> dict[str, str]:
    values = {
        "kind": response.kind,
        "title": response.title,
        "events": " ".join(response.events.order_by("id").values_list("reference", flat=True)),
        "terms_of_reference": response.terms_of_reference,
        "lead": response.lead,
        "owner_person": str(response.owner_person_id or ""),
        "status": response.status,
        "summary": response.summary,
        "version": str(response.version),
        **present.date_values("started_on", response.started_on),
        **present.date_values("due_on", response.due_on),
        **present.date_values("completed_on", response.completed_on),
    }
    for f in response.findings.all():
        values[f"finding_{f.factor}"] = f.text
    return values


def _response_form_page(
    request: HttpRequest,
    provider: Any,
    response: LearningResponse | None,
    values: dict[str, str],
    errors: dict[str, list[str]],
) -> HttpResponse:
    return render(
        request,
        "safety/response/response_form.jinja",
        {
            "page_title": "Change the learning response"
            if response
            else "Start a learning response",
            "provider": provider,
            "response": response,
            "form": LearningResponseForm(people=person_choices(provider.path)),
            "values": values,
            "errors": errors,
            "factors": psirf.SeipsFactor.choices,
            "similar": _similar_for_events(request.user, provider, values) if not response else [],
            "back": (
                reverse("safety:response", kwargs={"reference": response.reference})
                if response
                else reverse("safety:responses")
            ),
        },
    )


def _similar_for_events(user: Any, provider: Any, values: dict[str, str]) -> list[Any]:
    """Learning from other providers like this response's events (their category and
    description), or like its title before any event is given."""
    refs = [normalise_reference(r) for r in values.get("events", "").split() if r][:10]
    found = q.events_by_reference(provider, refs) if refs else {}
    words = " ".join(
        f"{e.get_category_display()} {e.description}" for e in found.values()
    ) or values.get("title", "")
    return hooks.similar_learning_for(user, words, provider) if words.strip() else []


def _kind_from_triage(provider: Any, reference: str) -> dict[str, str]:
    """A response started from an event takes the type its triage decided, so the lead does
    not choose it twice (nothing when undecided or "no further response")."""
    found = q.events_by_reference(provider, [normalise_reference(reference)]) if reference else {}
    for e in found.values():
        triage = getattr(e, "triage", None)  # the reverse one-to-one raises when there is none
        if triage is not None and triage.response in psirf.LearningResponseType.values:
            return {"kind": triage.response}
    return {}


def _save_response(
    request: HttpRequest, provider: Any, response: LearningResponse | None
) -> HttpResponse:
    if request.method != "POST":
        if response:
            values = _response_values(response)
        else:
            values = {"version": "0", "status": "planned", "events": request.GET.get("event", "")}
            values.update(_kind_from_triage(provider, values["events"]))
        return _response_form_page(request, provider, response, values, {})
    form = LearningResponseForm(request.POST, people=person_choices(provider.path))
    if not form.is_valid():
        return _response_form_page(request, provider, response, _values(request), _errors(form))
    d = form.cleaned_data
    found = q.events_by_reference(provider, d["events"])
    missing = [r for r in d["events"] if r not in found]
    if missing:
        errors = {"events": [f"No event {', '.join(missing)} at {provider.name}"]}
        return _response_form_page(request, provider, response, _values(request), errors)
    fields = services.ResponseFields(
        kind=d["kind"],
        title=d["title"],
        terms_of_reference=d["terms_of_reference"],
        lead=d["lead"],
        status=d["status"],
        started_on=d["started_on"],
        due_on=d["due_on"],
        completed_on=d["completed_on"],
        summary=d["summary"],
        findings=form.findings(),
        owner_person=person_in(provider.path, d["owner_person"]),
    )
    try:
        saved = services.save_learning_response(
            provider,
            response,
            fields,
            [found[r] for r in d["events"]],
            expected_version=d["version"],
            actor=Actor(user=request.user),
        )
    except services.ResponseInvalid as invalid:
        return _response_form_page(
            request, provider, response, _values(request), _errors(None, invalid)
        )
    except EditConflict:
        messages.warning(request, CONFLICT)
        assert response is not None
        return redirect("safety:response_edit", reference=response.reference)
    messages.success(request, "The learning response has been saved.")
    return redirect("safety:response", reference=saved.reference)


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_SAFETY_RESPONSES)
def response_new(request: HttpRequest) -> HttpResponse:
    provider = q.provider_for(request.user, request.GET.get("org"), write=True)
    return _save_response(request, provider, None)


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_SAFETY_RESPONSES)
def response_edit(request: HttpRequest, reference: str) -> HttpResponse:
    response = q.response_for(request.user, reference, write=True)
    return _save_response(request, response.organisation, response)


@require_POST
@requires(Capability.VIEW_SAFETY_RESPONSES)
def engagement_add(request: HttpRequest, reference: str) -> HttpResponse:
    response = q.response_for(request.user, reference, write=True)
    form = EngagementForm(request.POST)
    if not form.is_valid():
        return _response_page(request, response, _values(request), _errors(form))
    d = form.cleaned_data
    services.add_engagement(
        response,
        group=d["group"],
        who=d["who"],
        method=d["method"],
        engaged_on=d["engaged_on"],
        actor=Actor(user=request.user),
    )
    messages.success(request, "The person engaged has been recorded.")
    return redirect("safety:response", reference=response.reference)


@require_POST
@requires(Capability.VIEW_SAFETY_RESPONSES)
def engagement_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    response = q.response_for(request.user, reference, write=True)
    if services.remove_engagement(response, pk, actor=Actor(user=request.user)):
        messages.success(request, "The entry has been removed.")
    return redirect("safety:response", reference=response.reference)


# --- safety actions ----------------------------------------------------------------------------


@require_GET
@requires(Capability.VIEW_SAFETY_RESPONSES)
def actions(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("org")
    provider = q.provider_for(request.user, code) if code else None
    overdue = request.GET.get("overdue") == "1"
    page = _page(request, q.actions_for(request.user, provider, overdue=overdue), LIST_PAGE)
    return render(
        request,
        "safety/response/actions.jinja",
        {
            "page_title": "Overdue safety actions" if overdue else "Safety actions",
            "overdue": overdue,
            "lines": [present.action_line(a) for a in page.object_list],
            "page": page,
            "links": _page_links(request, page),
            "provider": provider,
            "providers": q.readable_providers(request.user),
        },
    )


def _action_values(action: SafetyAction) -> dict[str, str]:
    return {
        "description": action.description,
        "owner": action.owner,
        "owner_person": str(action.owner_person_id or ""),
        "measure_of_effect": action.measure_of_effect,
        "status": action.status,
        "reason_not_taken": action.reason_not_taken,
        "version": str(action.version),
        **present.date_values("due_on", action.due_on),
        **present.date_values("review_on", action.review_on),
    }


def _action_form_page(
    request: HttpRequest,
    response: LearningResponse,
    action: SafetyAction | None,
    values: dict[str, str],
    errors: dict[str, list[str]],
) -> HttpResponse:
    return render(
        request,
        "safety/response/action_form.jinja",
        {
            "page_title": "Change a safety action" if action else "Raise a safety action",
            "response": response,
            "action": action,
            "form": SafetyActionForm(people=person_choices(response.organisation.path)),
            "values": values,
            "errors": errors,
            "similar": [] if action else _similar_for_response(request.user, response),
            "back": reverse("safety:response", kwargs={"reference": response.reference}),
        },
    )


def _similar_for_response(user: Any, response: LearningResponse) -> list[Any]:
    """Learning from other providers like this response: its title, findings and events."""
    words = " ".join(
        [
            response.title,
            *response.findings.values_list("text", flat=True),
            *(e.get_category_display() for e in response.events.all()[:10]),
        ]
    )
    return hooks.similar_learning_for(user, words, response.organisation)


def _save_action(
    request: HttpRequest, response: LearningResponse, action: SafetyAction | None
) -> HttpResponse:
    if request.method != "POST":
        values = _action_values(action) if action else {"version": "0", "status": "open"}
        return _action_form_page(request, response, action, values, {})
    form = SafetyActionForm(request.POST, people=person_choices(response.organisation.path))
    if not form.is_valid():
        return _action_form_page(request, response, action, _values(request), _errors(form))
    d = form.cleaned_data
    fields = services.ActionFields(
        description=d["description"],
        owner=d["owner"],
        due_on=d["due_on"],
        measure_of_effect=d["measure_of_effect"],
        review_on=d["review_on"],
        status=d["status"],
        reason_not_taken=d["reason_not_taken"],
        owner_person=person_in(response.organisation.path, d["owner_person"]),
    )
    try:
        services.save_action(
            response,
            action,
            fields,
            expected_version=d["version"],
            actor=Actor(user=request.user),
        )
    except services.ResponseInvalid as invalid:
        return _action_form_page(
            request, response, action, _values(request), _errors(None, invalid)
        )
    except EditConflict:
        messages.warning(request, CONFLICT)
        assert action is not None
        return redirect("safety:action", reference=action.reference)
    messages.success(request, "The safety action has been saved.")
    return redirect("safety:response", reference=response.reference)


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_SAFETY_RESPONSES)
def action_new(request: HttpRequest, reference: str) -> HttpResponse:
    response = q.response_for(request.user, reference, write=True)
    return _save_action(request, response, None)


@require_http_methods(["GET", "POST"])
@_owner_sent_on(q.owned_action, "safety:action_progress")
@requires(Capability.VIEW_SAFETY_RESPONSES)
def action_edit(request: HttpRequest, reference: str) -> HttpResponse:
    action = q.action_for(request.user, reference)
    if not write_scope(request.user).covers(action.organisation.path):
        if request.method == "POST":
            raise Http404("Not found")
        return redirect("safety:response", reference=action.response.reference)
    return _save_action(request, action.response, action)


# --- owners updating their own work (ADR 21) ---------------------------------------------------


def _progress_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HttpResponse:
    return render(request, template, {**context, "values": values, "errors": errors}, status=status)


@require_http_methods(["GET", "POST"])
def action_progress(request: HttpRequest, reference: str) -> HttpResponse:
    """The owner of a safety action updates its status and progress; nobody else comes here."""
    action = q.owned_action(request.user, reference)
    if action is None:
        raise Http404("Not found")
    return _owner_update(
        request,
        action,
        noun="Safety action",
        template="safety/response/action_progress.jinja",
        form_class=ActionProgressForm,
        statuses=dict(psirf.ActionStatus.choices),
        fields=("status", "reason_not_taken", "progress"),
        update=services.update_action_progress,
        url=("safety:action_progress", reference),
        context={"action": action},
    )


@require_http_methods(["GET", "POST"])
def response_progress(request: HttpRequest, reference: str) -> HttpResponse:
    """The person who leads a learning response updates its status and progress."""
    response = q.owned_response(request.user, reference)
    if response is None:
        raise Http404("Not found")
    return _owner_update(
        request,
        response,
        noun="Learning response",
        template="safety/response/response_progress.jinja",
        form_class=ResponseProgressForm,
        statuses=dict(psirf.ResponseStatus.choices),
        fields=("status", "progress"),
        update=services.update_response_progress,
        url=("safety:response_progress", reference),
        context={"response": response},
    )


def _owner_update(
    request: HttpRequest,
    record: Any,
    *,
    noun: str,
    template: str,
    form_class: type[forms.Form],
    statuses: dict[str, str],
    fields: tuple[str, ...],
    update: Any,
    url: tuple[str, str],
    context: dict[str, Any],
) -> HttpResponse:
    """One page for an owner's update of what they own: the fields they may change, checked
    against the version they read."""
    context = {
        **context,
        "page_title": f"Update {noun.lower()} {record.reference}",
        "form": form_class(),
        "statuses": statuses,
    }
    if request.method != "POST":
        values = {f: getattr(record, f) for f in fields} | {"version": str(record.version)}
        return _progress_page(request, template, context, values, {})
    form = form_class(request.POST)
    if not form.is_valid():
        return _progress_page(request, template, context, _values(request), _errors(form), 400)
    d = form.cleaned_data
    try:
        update(
            record,
            **{f: d[f] for f in fields},
            expected_version=d["version"],
            actor=Actor(user=request.user),
        )
    except services.ResponseInvalid as invalid:
        errors = _errors(None, invalid)
        return _progress_page(request, template, context, _values(request), errors, 400)
    except EditConflict:
        messages.warning(request, CONFLICT)
        return redirect(url[0], reference=url[1])
    messages.success(request, f"{noun} {record.reference} has been updated.")
    return redirect(request.path)
