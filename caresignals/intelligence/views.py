"""Soft intelligence, national patient safety alerts and the SQG's logs.

Views only orchestrate: reads through presenters and queries (scoped), writes through
services (audited). Bad input re-shows the form with per-field messages and stores nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.audit.services import Actor
from caresignals.core import clock
from caresignals.intelligence import forms, presenters, queries, services
from caresignals.intelligence.models import (
    SafetyAlert,
    SoftIntelligence,
    SqgMeeting,
)
from caresignals.intelligence.vocabulary import ActionStatus, LogStatus
from caresignals.organisations.models import Organisation
from caresignals.organisations.permissions import require_capability, require_for, requires
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import get_visible_or_404, scope_for

VIEW = Capability.VIEW_INTELLIGENCE
MANAGE = Capability.MANAGE_INTELLIGENCE


def _values(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"
    }
    values["provider_types"] = request.POST.getlist("provider_types")
    return values


def _service_error(form: Any, exc: services.Invalid) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _organisation(code: str) -> Organisation:
    found = queries.organisation(code)
    if found is None:
        raise Http404("Not found")
    return found


def _system(user: Any) -> Organisation:
    """The integrated care system the ICB quality lead keeps alerts and meetings for."""
    scope = require_capability(user, MANAGE)
    found = queries.system_within(scope)
    if found is None:
        raise Http404("Not found")
    return found


def _can_manage(user: Any, path: str | None = None) -> bool:
    scope = scope_for(user, MANAGE)
    return not scope.is_empty if path is None else scope.covers(path)


# --------------------------------------------------------------------------- soft intelligence


@require_GET
@requires(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    view = presenters.intelligence_list(request.user, request.GET)
    return render(
        request,
        "intelligence/index.jinja",
        {"page_title": "Soft intelligence", "view": view, "can_manage": _can_manage(request.user)},
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE)
def new(request: HttpRequest) -> HttpResponse:
    choices = presenters.organisation_choices(request.user, MANAGE)
    form = forms.IntelligenceForm(organisations=choices)
    values: dict[str, Any] = {"shared": "no", "organisation": request.GET.get("organisation", "")}
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = forms.IntelligenceForm(request.POST, organisations=choices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                item = services.log_intelligence(
                    Actor(user=request.user),
                    services.IntelligenceInput(
                        organisation=_organisation(d["organisation"]),
                        source=d["source"],
                        source_detail=d["source_detail"],
                        credibility=d["credibility"],
                        severity=d["severity"],
                        received_on=d["received_on"],
                        summary=d["summary"],
                        shared_with_provider=d["shared"] == "yes",
                    ),
                    today=clock.today(),
                )
            except services.Invalid as exc:
                _service_error(form, exc)
            else:
                messages.info(request, "The intelligence has been logged.")
                return redirect("intelligence:detail", pk=item.pk)
        errors = form.errors
    return render(
        request,
        "intelligence/new.jinja",
        {
            "page_title": "Log soft intelligence",
            "form": form,
            "values": values,
            "errors": errors,
            "hints": presenters.grade_hints(),
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item: SoftIntelligence = get_visible_or_404(  # type: ignore[assignment]
        queries.visible_intelligence(request.user),
        request.user,
        path_field="organisation__path",
        capability=VIEW,
        pk=pk,
    )
    can_manage = _can_manage(request.user, item.organisation.path)
    values: dict[str, Any] = {
        "credibility": item.credibility,
        "severity": item.severity,
        "shared": "yes" if item.shared_with_provider else "no",
        "status": item.status,
        "outcome": item.outcome,
    }
    form = forms.IntelligenceUpdateForm()
    errors: Any = {}
    if request.method == "POST":
        require_for(request.user, MANAGE, item.organisation.path)
        values = _values(request)
        form = forms.IntelligenceUpdateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.update_intelligence(
                    Actor(user=request.user),
                    item,
                    credibility=d["credibility"],
                    severity=d["severity"],
                    shared_with_provider=d["shared"] == "yes",
                    status=d["status"],
                    outcome=d["outcome"],
                    today=clock.today(),
                )
            except services.Invalid as exc:
                _service_error(form, exc)
            else:
                messages.info(request, "The intelligence has been updated.")
                return redirect("intelligence:detail", pk=item.pk)
        errors = form.errors
    return render(
        request,
        "intelligence/detail.jinja",
        {
            "page_title": f"Soft intelligence about {item.organisation.name}",
            "item": item,
            "form": form,
            "values": values,
            "errors": errors,
            "can_manage": can_manage,
            "hints": presenters.grade_hints(),
        },
        status=400 if errors else 200,
    )


# --------------------------------------------------------------------------- safety alerts


@require_GET
@requires(Capability.VIEW_SAFETY_ALERTS)
def alerts(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    rows, overdue = presenters.alerts_page(request.user, today)
    return render(
        request,
        "intelligence/alerts.jinja",
        {
            "page_title": "National patient safety alerts",
            "rows": rows,
            "overdue": overdue,
            "today": today,
            "can_manage": _can_manage(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE)
def alert_new(request: HttpRequest) -> HttpResponse:
    system = _system(request.user)
    form = forms.AlertForm()
    values: dict[str, Any] = {"provider_types": []}
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = forms.AlertForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                alert = services.add_alert(
                    Actor(user=request.user),
                    system,
                    reference=d["reference"],
                    title=d["title"],
                    issued_on=d["issued_on"],
                    deadline=d["deadline"],
                    provider_types=d["provider_types"],
                    actions=d["actions"],
                )
            except services.Invalid as exc:
                _service_error(form, exc)
            else:
                messages.info(request, f"Alert {alert.reference} has been added.")
                return redirect("intelligence:alert", pk=alert.pk)
        errors = form.errors
    return render(
        request,
        "intelligence/alert_new.jinja",
        {
            "page_title": "Add a national patient safety alert",
            "form": form,
            "values": values,
            "errors": errors,
            "rows": range(1, forms.ALERT_ACTION_ROWS + 1),
        },
        status=400 if errors else 200,
    )


def _alert(pk: int) -> SafetyAlert:
    alert = queries.alert(pk)
    if alert is None:
        raise Http404("Not found")
    return alert


@require_GET
@requires(Capability.VIEW_SAFETY_ALERTS)
def alert(request: HttpRequest, pk: int) -> HttpResponse:
    found = _alert(pk)
    today = clock.today()
    statuses = queries.statuses([found], queries.visible_alert_providers(request.user), today)
    respond = scope_for(request.user, Capability.RESPOND_SAFETY_ALERTS)
    return render(
        request,
        "intelligence/alert.jinja",
        {
            "page_title": f"Alert {found.reference}",
            "alert": found,
            "actions": list(found.actions.all()),
            "statuses": statuses,
            "may_respond": {s.provider.code for s in statuses if respond.covers(s.provider.path)},
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.RESPOND_SAFETY_ALERTS)
def alert_respond(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    found = _alert(pk)
    provider: Organisation = get_visible_or_404(  # type: ignore[assignment]
        queries.visible_alert_providers(request.user).filter(type__in=found.provider_types),
        request.user,
        path_field="path",
        capability=Capability.RESPOND_SAFETY_ALERTS,
        code=code,
    )
    actions = list(found.actions.all())
    current = queries.responses_of(found, provider)
    values: dict[str, Any] = {}
    for a in actions:
        r = current.get(a.pk)
        values[f"action_{a.number}_status"] = r.status if r else ActionStatus.NOT_STARTED
        values[f"action_{a.number}_evidence"] = r.evidence if r else ""
        values[f"action_{a.number}_reason"] = r.reason if r else ""
    form = forms.ResponseForm(actions=actions)
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = forms.ResponseForm(request.POST, actions=actions)
        if form.is_valid():
            d = form.cleaned_data
            rows = [
                services.ResponseInput(
                    a,
                    d[f"action_{a.number}_status"],
                    evidence=d[f"action_{a.number}_evidence"],
                    reason=d[f"action_{a.number}_reason"],
                )
                for a in actions
            ]
            try:
                services.record_responses(
                    Actor(user=request.user), provider, rows, today=clock.today()
                )
            except services.Invalid as exc:
                _service_error(form, exc)
            else:
                messages.info(request, f"{provider.name}'s progress on {found.reference} is saved.")
                return redirect("intelligence:alert", pk=found.pk)
        errors = form.errors
    return render(
        request,
        "intelligence/alert_respond.jinja",
        {
            "page_title": f"Progress on {found.reference} – {provider.name}",
            "alert": found,
            "provider": provider,
            "actions": actions,
            "form": form,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --------------------------------------------------------------------------- SQG logs


@require_http_methods(["GET", "POST"])
@requires(VIEW)
def meetings(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingForm()
    values: dict[str, Any] = {}
    errors: Any = {}
    if request.method == "POST":
        system = _system(request.user)
        values = _values(request)
        form = forms.MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.add_meeting(
                    Actor(user=request.user), system, form.cleaned_data["held_on"]
                )
            except services.Invalid as exc:
                _service_error(form, exc)
            else:
                messages.info(
                    request, f"The meeting of {meeting.held_on:%-d %B %Y} has been added."
                )
                return redirect("intelligence:meeting", held_on=meeting.held_on.isoformat())
        errors = form.errors
    return render(
        request,
        "intelligence/meetings.jinja",
        {
            "page_title": "System Quality Group logs",
            "meetings": list(queries.visible_meetings()),
            "form": form,
            "values": values,
            "errors": errors,
            "can_manage": _can_manage(request.user),
        },
        status=400 if errors else 200,
    )


def _meeting(held_on: str) -> SqgMeeting:
    try:
        day = dt.date.fromisoformat(held_on)
    except ValueError:
        raise Http404("Not found") from None
    found = queries.meeting(day)
    if found is None:
        raise Http404("Not found")
    return found


@require_GET
@requires(VIEW)
def meeting(request: HttpRequest, held_on: str) -> HttpResponse:
    found = _meeting(held_on)
    surveillance, actions = queries.meeting_logs(request.user, found)
    return render(
        request,
        "intelligence/meeting.jinja",
        {
            "page_title": f"System Quality Group, {found.held_on:%-d %B %Y}",
            "meeting": found,
            "surveillance": surveillance,
            "actions": actions,
            "statuses": LogStatus.choices,
            "can_manage": _can_manage(request.user),
            "today": clock.today(),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(MANAGE)
def log_new(request: HttpRequest, held_on: str, kind: str) -> HttpResponse:
    found = _meeting(held_on)
    if kind not in ("surveillance", "action"):
        raise Http404("Not found")
    choices = presenters.organisation_choices(request.user, MANAGE, system=True)
    form_class: Any = forms.SurveillanceForm if kind == "surveillance" else forms.SqgActionForm
    form = form_class(organisations=choices)
    values: dict[str, Any] = {"status": LogStatus.OPEN}
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = form_class(request.POST, organisations=choices)
        if form.is_valid():
            d = form.cleaned_data
            org = _organisation(d.pop("organisation"))
            try:
                if kind == "surveillance":
                    services.add_surveillance(Actor(user=request.user), found, org, **d)
                else:
                    services.add_action(Actor(user=request.user), found, org, **d)
            except services.Invalid as exc:
                _service_error(form, exc)
            else:
                messages.info(request, "The log has been updated.")
                return redirect("intelligence:meeting", held_on=found.held_on.isoformat())
        errors = form.errors
    title = "Add to the surveillance log" if kind == "surveillance" else "Add to the action log"
    return render(
        request,
        "intelligence/log_new.jinja",
        {
            "page_title": title,
            "meeting": found,
            "kind": kind,
            "form": form,
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@require_POST
@requires(MANAGE)
def log_status(request: HttpRequest, held_on: str, kind: str, pk: int) -> HttpResponse:
    found = _meeting(held_on)
    lines = queries.log_lines(found, kind)
    if lines is None:
        raise Http404("Not found")
    row: Any = get_visible_or_404(
        lines,
        request.user,
        path_field="organisation__path",
        capability=MANAGE,
        pk=pk,
    )
    status = request.POST.get("status", "")
    if status not in LogStatus.values:
        messages.warning(request, "Select the status")
    else:
        services.set_log_status(Actor(user=request.user), row, status)
        messages.info(request, "The status has been changed.")
    return redirect("intelligence:meeting", held_on=found.held_on.isoformat())
