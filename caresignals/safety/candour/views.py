"""Duty of Candour for one event, the overdue lists, referral tasks and the ICB's view.

Reads through candour/queries.py (scoped: another organisation's event is a 404), writes through
candour/services.py. Seeing these pages needs a role that works with them (403 otherwise);
changing them needs a patient-safety lead over the event's provider.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from caresignals.audit.services import Actor
from caresignals.core import clock
from caresignals.core.concurrency import EditConflict
from caresignals.core.periods import Month
from caresignals.organisations import services as organisation_services
from caresignals.organisations.models import Organisation
from caresignals.organisations.permissions import requires
from caresignals.organisations.queries import organisation_for, person_choices, person_in
from caresignals.organisations.roles import Capability
from caresignals.safety.candour import queries as q
from caresignals.safety.candour import services
from caresignals.safety.candour.forms import (
    AddReferralForm,
    AttemptForm,
    HandFlagForm,
    OwnerForm,
    ReferralForm,
    StepsForm,
    TrackedFromForm,
)
from caresignals.safety.models import (
    ContactMethod,
    ContactOutcome,
    PatientSafetyEvent,
    ReferralKind,
    ReferralStatus,
)
from caresignals.safety.responses.access import read_scope

CONFLICT = (
    "Someone else changed this record while you were working on it. The page now shows "
    "their changes: check them, then make yours again."
)
SYSTEM_PERIODS = (3, 6, 12, 24)


def _today() -> dt.date:
    return clock.today()


def _date_values(name: str, value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {}
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }


def _posted(request: HttpRequest) -> dict[str, str]:
    return {k: str(request.POST.get(k, "")) for k in request.POST if k != "csrfmiddlewaretoken"}


def _step_values(page: q.CandourPage) -> dict[str, str]:
    r = page.record
    if r is None:
        return {}
    values = {
        "notified_by": r.notified_by,
        "apology_given": "on" if r.apology_given else "",
        "contact_outcome": r.contact_outcome,
    }
    for name in (
        "notified_in_person_on",
        "written_notification_on",
        "results_shared_on",
        "contact_outcome_on",
    ):
        values.update(_date_values(name, getattr(r, name)))
    return values


def _dates(*names: str) -> tuple[str, ...]:
    return tuple(f"{n}_{part}" for n in names for part in ("day", "month", "year"))


# The page is one form with a button for each part (so whatever is typed anywhere is posted
# with any button); each button saves only its own part. These are each part's fields.
SECTIONS: dict[str, tuple[str, ...]] = {
    "flag": ("reason",),
    "owner": ("owner_person",),
    "steps": (
        *_dates("notified_in_person_on", "written_notification_on", "results_shared_on"),
        "notified_by",
        "apology_given",
        "contact_outcome",
        *_dates("contact_outcome_on"),
    ),
    "attempt": (*_dates("attempted_on"), "method", "outcome"),
    "add_referral": ("kind",),
}
SECTION_NAMES = {
    "flag": "Is it notifiable?",
    "owner": "Owner",
    "steps": "Notification steps",
    "attempt": "Attempts to contact them",
    "add_referral": "Referrals beyond the provider",
}


def _part(values: dict[str, str], section: str) -> dict[str, str]:
    return {k: values[k] for k in SECTIONS[section] if k in values}


def _unsaved(posted: dict[str, str], saved: str, page: q.CandourPage) -> dict[str, str]:
    """What was typed in the parts other than the one just saved and differs from what is
    stored: kept for the page shown next, so nothing typed is lost."""
    stored = {"steps": _step_values(page), "owner": {"owner_person": _owner_value(page)}}
    kept: dict[str, str] = {}
    for section in SECTIONS:
        if section == saved:
            continue
        typed = _part(posted, section)
        if section in stored:
            now = stored[section]
            changed = any(
                typed.get(k, "").strip() != now.get(k, "").strip()
                for k in SECTIONS[section]
                if k in typed
            )
        else:
            changed = any(v.strip() for v in typed.values())
        if changed:
            kept |= typed
    return kept


def _owner_value(page: q.CandourPage) -> str:
    r = page.record
    return str(r.owner_person_id) if r is not None and r.owner_person_id else ""


def _errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages_] for name, messages_ in form.errors.items()}


def _require_view(request: HttpRequest) -> None:
    if not q.may_view_candour(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def event_candour(request: HttpRequest, reference: str) -> HttpResponse:
    event = q.event_for(request.user, reference)
    _require_view(request)
    today = _today()
    page = q.candour_page(request.user, event, today)
    errors: dict[str, list[str]] = {}
    # What was typed and not saved, part by part: everything posted when a part had errors,
    # or the other parts' changes after one part was saved (the page is drawn again from the
    # post itself, so nothing typed is lost and nothing is kept on the server).
    values: dict[str, str] = {}
    action = ""
    if request.method == "POST":
        if not page.can_manage:
            raise PermissionDenied
        action = request.POST.get("action", "")
        actor = Actor(user=request.user)
        form: forms.Form
        try:
            if action == "flag":
                form = HandFlagForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    services.set_hand_flag(
                        event,
                        flag=d["flag"] == "on",
                        reason=d["reason"],
                        version=d["version"],
                        actor=actor,
                    )
                    messages.success(
                        request,
                        "The event is flagged notifiable"
                        if d["flag"] == "on"
                        else "The hand flag is cleared",
                    )
                    return _saved(request, event, action)
            elif action == "steps":
                form = StepsForm(
                    request.POST, reported_on=event.reported_on, attempts=len(page.attempts)
                )
                if form.is_valid():
                    services.record_steps(
                        event,
                        steps=form.cleaned_data,
                        version=form.cleaned_data["version"],
                        actor=actor,
                    )
                    messages.success(request, "The candour steps are saved")
                    return _saved(request, event, action)
            elif action == "attempt":
                form = AttemptForm(request.POST, reported_on=event.reported_on)
                if form.is_valid():
                    services.add_contact_attempt(event, actor=actor, **form.cleaned_data)
                    messages.success(request, "The attempt to contact them is recorded")
                    return _saved(request, event, action)
            elif action == "owner":
                path = event.organisation.path
                form = OwnerForm(request.POST, people=person_choices(path))
                if form.is_valid():
                    owner = person_in(path, form.cleaned_data["owner_person"])
                    version = form.cleaned_data["version"]
                    services.assign_candour(event, owner, version=version, actor=actor)
                    messages.success(request, "The owner of the candour steps is saved")
                    return _saved(request, event, action)
            elif action == "add_referral":
                form = AddReferralForm(request.POST)
                if form.is_valid():
                    services.add_referral(event, kind=form.cleaned_data["kind"], actor=actor)
                    messages.success(request, "The referral task is added")
                    return _saved(request, event, action)
            else:
                return HttpResponseBadRequest("Unknown action")
            errors = _errors(form)
            values = _posted(request)
        except EditConflict:
            # The page shows the other person's change to this part; what was typed in the
            # other parts is kept.
            errors = {"non_field_errors": [CONFLICT]}
            page = q.candour_page(request.user, event, today)
            values = {k: v for k, v in _posted(request).items() if k not in SECTIONS[action]}
        except services.CandourRefused as refused:
            errors = {refused.field: [refused.message]}
            values = _posted(request)
    return _page(request, event, page, today, errors=errors, action=action, values=values)


def _page(
    request: HttpRequest,
    event: PatientSafetyEvent,
    page: q.CandourPage,
    today: dt.date,
    *,
    errors: dict[str, list[str]],
    action: str,
    values: dict[str, str],
) -> HttpResponse:
    typed = {s for s in SECTIONS if _part(values, s)}
    step_values = _part(values, "steps") if "steps" in typed else _step_values(page)
    unsaved = [
        SECTION_NAMES[s]
        for s in SECTIONS
        if s in typed and not errors and (s != "steps" or step_values != _step_values(page))
    ]
    return render(
        request,
        "safety/candour/event.jinja",
        {
            "page_title": f"Duty of Candour for {event.reference}",
            "page": page,
            "errors": errors,
            "action": action,
            "values": values,
            "step_values": step_values,
            "owner_value": values.get("owner_person", _owner_value(page)),
            "unsaved": unsaved,
            "outcomes": [c for c in ContactOutcome.choices if c[0]],
            "methods": ContactMethod.choices,
            "today": today,
            "event_url": _event_url(request.user, event),
            "people": person_choices(event.organisation.path) if page.can_manage else [],
        },
        status=400 if errors else 200,
    )


def _saved(request: HttpRequest, event: PatientSafetyEvent, saved: str) -> HttpResponse:
    """After one part is saved: when the other parts hold typed changes, the page is drawn
    again at once with the saved part as stored and the others as typed (bound to the post:
    nothing lost, however long the person takes); otherwise back to the page (a reload then
    sends nothing twice)."""
    today = _today()
    page = q.candour_page(request.user, event, today)
    kept = _unsaved(_posted(request), saved, page)
    if not kept:
        return redirect("safety:event_candour", reference=event.reference)
    return _page(request, event, page, today, errors={}, action=saved, values=kept)


def _event_url(user: Any, event: PatientSafetyEvent) -> str | None:
    """The event's own page, for those who may read it (PSIRF readers: see
    safety/responses/access.py)."""
    if not read_scope(user).covers(event.organisation.path):
        return None
    return reverse("safety:event", kwargs={"reference": event.reference})


def _provider(request: HttpRequest) -> Organisation | None:
    code = request.GET.get("org", "")
    return organisation_for(request.user, code) if code else None


@require_GET
def candour_list(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)  # another organisation's code is a 404 for everyone
    _require_view(request)
    status = request.GET.get("status", "overdue")
    if status not in q.CANDOUR_STATUSES:
        status = "overdue"
    today = _today()
    listing = q.candour_list(request.user, provider=provider, status=status, today=today)
    return render(
        request,
        "safety/candour/list.jinja",
        {
            "page_title": "Duty of Candour",
            "listing": listing,
            "provider": provider,
            "providers": q.providers_for(request.user),
            "statuses": [
                ("overdue", "Overdue"),
                ("due_soon", "Due soon"),
                ("open", "All open"),
                ("done", "Done"),
                ("not_notifiable", "Decided not notifiable"),
                ("not_known", "Not known"),
            ],
            "today": today,
            "may_set_tracked_from": provider is not None
            and q.may_set_tracked_from(request.user, provider),
        },
    )


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)  # another organisation's code is a 404 for everyone
    _require_view(request)
    status = request.GET.get("status", ReferralStatus.TO_DO)
    if status not in ReferralStatus.values and status != "":
        status = ReferralStatus.TO_DO
    kind = request.GET.get("kind", "")
    if kind not in ReferralKind.values:
        kind = ""
    listing = q.referral_list(request.user, provider=provider, status=status, kind=kind)
    return render(
        request,
        "safety/candour/referrals.jinja",
        {
            "page_title": "Referral tasks",
            "listing": listing,
            "provider": provider,
            "providers": q.providers_for(request.user),
            "status": status,
            "kind": kind,
            "statuses": ReferralStatus.choices,
            "kinds": ReferralKind.choices,
            "kind_labels": dict(ReferralKind.choices),
            "status_labels": dict(ReferralStatus.choices),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_task(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    event = q.event_for(request.user, reference)
    task = q.referral_task_for(request.user, event, kind)
    _require_view(request)
    can_manage = q.may_manage(request.user, event.organisation)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "status": task.status,
        "receiving_reference": task.receiving_reference,
        "not_needed_reason": task.not_needed_reason,
        **_date_values("referred_on", task.referred_on),
    }
    version = task.version
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = ReferralForm(request.POST, reported_on=event.reported_on)
        if form.is_valid():
            try:
                services.update_referral(
                    task,
                    values=form.cleaned_data,
                    version=form.cleaned_data["version"],
                    actor=Actor(user=request.user),
                )
                messages.success(request, "The referral task is updated")
                return redirect("safety:event_candour", reference=reference)
            except EditConflict:
                errors = {"non_field_errors": [CONFLICT]}
                task = q.referral_task_for(request.user, event, kind)
                version = task.version
        else:
            errors = _errors(form)
            values = _posted(request)
            version = int(values.get("version") or task.version)
    return render(
        request,
        "safety/candour/referral.jinja",
        {
            "page_title": f"{task.get_kind_display()} for {event.reference}",
            "event": event,
            "task": task,
            "can_manage": can_manage,
            "errors": errors,
            "values": values,
            "version": version,
            "statuses": ReferralStatus.choices,
            "back": reverse("safety:event_candour", kwargs={"reference": reference}),
        },
        status=400 if errors else 200,
    )


@require_GET
@requires(q.SYSTEM)
def system(request: HttpRequest) -> HttpResponse:
    if not q.may_view_system(request.user):
        raise PermissionDenied
    try:
        months = int(request.GET.get("months", "12"))
    except ValueError:
        months = 12
    if months not in SYSTEM_PERIODS:
        months = 12
    shared = request.GET.get("share") == "1"
    today = _today()
    start = (Month.of(today) - (months - 1)).first_day  # the last `months`, this one included
    end = today
    view = q.system_view(request.user, start=start, end=end, today=today, shared=shared)
    return render(
        request,
        "safety/candour/system.jinja",
        {
            "page_title": "Patient safety across providers",
            "view": view,
            "months": months,
            "periods": SYSTEM_PERIODS,
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.SET_CANDOUR_TRACKED_FROM)
def candour_tracked_from(request: HttpRequest, code: str) -> HttpResponse:
    """Set or clear a provider's "candour tracked from" date (where the person holds the
    capability: their own provider, or every provider beneath the ICB); elsewhere a 404."""
    provider = q.provider_for_tracked_from(request.user, code)
    values: dict[str, str] = _date_values("tracked_from", provider.candour_tracked_from)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = TrackedFromForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["tracked_from"]
            if form.cleaned_data["action"] == "clear":
                day = None
            try:
                changed = organisation_services.set_candour_tracked_from(
                    provider, day, Actor(user=request.user)
                )
            except organisation_services.TrackedFromRefused as refused:
                errors = {"tracked_from": [str(refused)]}
            else:
                if changed:
                    messages.success(
                        request,
                        f"{provider.name} keeps its Duty of Candour steps here from {day:%-d %B %Y}"
                        if day
                        else f"{provider.name} has no candour tracked from date",
                    )
                return redirect(f"{reverse('safety:candour_list')}?org={provider.code}")
        else:
            errors = _errors(form)
        values = _posted(request)
    counts = q.candour_list(
        request.user, provider=provider, status="not_known", today=_today()
    ).counts
    return render(
        request,
        "safety/candour/tracked_from.jinja",
        {
            "page_title": f"Candour tracked from – {provider.name}",
            "provider": provider,
            "values": values,
            "errors": errors,
            "counts": counts,
        },
        status=400 if errors else 200,
    )
