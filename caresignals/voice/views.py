"""The complaints and patient-experience team's pages: complaints against their clocks,
feedback replies, moderation and change markers, and a provider's feedback insight.

Reads go through queries.py (scoped by role and organisation: 404 outside it); writes through
services.py. Each step is its own small form carrying the version it was read at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from caresignals.audit.services import Actor
from caresignals.core.concurrency import EditConflict
from caresignals.core.vocabulary import Category, PhysicalHarm
from caresignals.organisations.permissions import requires
from caresignals.organisations.queries import organisation_for, person_choices, person_in
from caresignals.organisations.roles import Capability, roles_with
from caresignals.voice import forms as vf
from caresignals.voice import insight as voice_insight
from caresignals.voice import queries, services
from caresignals.voice.forms import FFT_QUESTION
from caresignals.voice.models import ChangeStatus, Complaint, Feedback, Outcome

CONFLICT = (
    "Someone else changed this record while you were working on it. "
    "Check the record as it is now and make your change again."
)


def _errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


@require_GET
@requires(Capability.VIEW_PATIENT_VOICE, hidden=True)
def complaints(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "open")
    if view not in queries.COMPLAINT_VIEWS:
        view = "open"
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    rows, total = queries.complaint_rows(request.user, view, page=page)
    pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
    if page > pages:
        page = pages
        rows, total = queries.complaint_rows(request.user, view, page=page)
    first = (page - 1) * queries.PAGE_SIZE
    return render(
        request,
        "voice/complaints.jinja",
        {
            "page_title": queries.COMPLAINT_VIEWS[view]
            + (f" (page {page} of {pages})" if pages > 1 else ""),
            "view": view,
            "views": queries.COMPLAINT_VIEWS,
            "counts": queries.complaint_counts(request.user),
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "shown_from": first + 1,
            "shown_to": first + len(rows),
            "previous_url": f"?view={view}&page={page - 1}" if page > 1 else "",
            "next_url": f"?view={view}&page={page + 1}" if page < pages else "",
        },
    )


def _complaint_page(
    request: HttpRequest,
    reference: str,
    *,
    errors: dict[str, list[str]] | None = None,
    form_name: str = "",
    status: int = 200,
) -> HttpResponse:
    row = queries.complaint_for(request.user, reference)
    return render(
        request,
        "voice/complaint.jinja",
        {
            "page_title": f"Complaint {reference}",
            "row": row,
            "people": _team(row.feedback.organisation.path),
            "can_work": queries.can_work(request.user, row.feedback),
            "errors": errors or {},
            "form_name": form_name,
            "values": request.POST if errors else {},
            "outcomes": Outcome.choices,
            "categories": Category.choices,
            "harms": PhysicalHarm.choices,
            "reporters": vf.REPORTER_CHOICES,
            "breadcrumbs": [{"href": "/complaints/", "text": "Complaints"}],
        },
        status=status,
    )


@require_GET
@requires(Capability.VIEW_PATIENT_VOICE, hidden=True)
def complaint(request: HttpRequest, reference: str) -> HttpResponse:
    return _complaint_page(request, reference)


def _acknowledge(c: Complaint, d: dict[str, Any]) -> dict[str, Any]:
    changes = {"acknowledged_on": d["acknowledged_on"]}
    if d.get("response_due"):
        changes["response_due"] = d["response_due"]
    return changes


STEPS: dict[str, tuple[type[forms.Form], Callable[[Complaint, dict[str, Any]], dict[str, Any]]]] = {
    "acknowledge": (vf.AcknowledgeForm, _acknowledge),
    "response-date": (vf.ResponseDateForm, lambda c, d: {"response_due": d["response_due"]}),
    "six-month-letter": (
        vf.SixMonthLetterForm,
        lambda c, d: {"six_month_letter_on": d["six_month_letter_on"]},
    ),
    "final-response": (
        vf.FinalResponseForm,
        lambda c, d: {
            "final_response_on": d["final_response_on"],
            "outcome": d["outcome"],
            "ombudsman_signposted": True,
        },
    ),
}
STEP_DONE = {
    "acknowledge": "Acknowledgement recorded.",
    "response-date": "Agreed response date recorded.",
    "six-month-letter": "6-month letter recorded.",
    "final-response": "Final response recorded.",
}


def _team(path: str) -> list[tuple[str, str]]:
    """Who may own a complaint: the complaints team where it was made (ADR 21)."""
    return person_choices(path, roles_with(Capability.WORK_PATIENT_VOICE))


@require_POST
def complaint_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    row = queries.complaint_for(request.user, reference, work=True)
    actor = Actor(user=request.user)
    if step == "owner":
        return _assign(request, row, actor)
    if step in STEPS:
        form_class = STEPS[step][0]
        form = form_class(request.POST, complaint=row.complaint)  # type: ignore[call-arg]
    elif step == "link-event":
        form = vf.LinkEventForm(request.POST)
    elif step == "create-event":
        form = vf.CreateEventForm(request.POST)
    else:
        raise Http404("Not found")
    if step in STEPS and row.clock.closed:
        return _complaint_page(
            request,
            reference,
            errors={
                "non_field_errors": ["The final response has been sent: the complaint is closed"]
            },
            form_name=step,
        )
    if not form.is_valid():
        return _complaint_page(request, reference, errors=_errors(form), form_name=step)
    data = form.cleaned_data
    try:
        if step in STEPS:
            services.update_complaint(
                row.complaint,
                STEPS[step][1](row.complaint, data),
                version=data["version"],
                actor=actor,
                step=step,
            )
            messages.success(request, STEP_DONE[step])
        elif step == "link-event":
            services.link_event(
                row.complaint, data["event_reference"], version=data["version"], actor=actor
            )
            messages.success(request, "Complaint linked to the safety event.")
        else:
            event = services.create_event_for(
                row.complaint,
                occurred_on=data["occurred_on"],
                category=data["category"],
                physical_harm=data["physical_harm"],
                reporter_type=data["reporter_type"],
                description=data["description"],
                version=data["version"],
                actor=actor,
            )
            messages.success(request, f"Safety event {event.reference} recorded and linked.")
    except EditConflict:
        return _complaint_page(
            request, reference, errors={"non_field_errors": [CONFLICT]}, form_name=step, status=409
        )
    except services.FeedbackInvalid as invalid:
        return _complaint_page(request, reference, errors=invalid.errors, form_name=step)
    return redirect("voice:complaint", reference=reference)


def _assign(request: HttpRequest, row: queries.ComplaintRow, actor: Actor) -> HttpResponse:
    reference = row.feedback.reference
    path = row.feedback.organisation.path
    form = vf.OwnerForm(request.POST, people=_team(path))
    if not form.is_valid():
        return _complaint_page(request, reference, errors=_errors(form), form_name="owner")
    data = form.cleaned_data
    owner = person_in(path, data["owner_person"], roles_with(Capability.WORK_PATIENT_VOICE))
    try:
        services.assign_complaint(row.complaint, owner, version=data["version"], actor=actor)
    except EditConflict:
        return _complaint_page(
            request,
            reference,
            errors={"non_field_errors": [CONFLICT]},
            form_name="owner",
            status=409,
        )
    messages.success(request, "Owner recorded.")
    return redirect("voice:complaint", reference=reference)


# -- feedback -------------------------------------------------------------------------------


@require_GET
@requires(Capability.VIEW_PATIENT_VOICE, hidden=True)
def feedback_list(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "awaiting_moderation")
    if view not in queries.FEEDBACK_VIEWS:
        view = "awaiting_moderation"
    rows, total = queries.feedback_rows(request.user, view)
    return render(
        request,
        "voice/feedback_list.jinja",
        {
            "page_title": queries.FEEDBACK_VIEWS[view],
            "view": view,
            "views": queries.FEEDBACK_VIEWS,
            "rows": rows,
            "total": total,
            "insight_providers": queries.insight_providers(request.user),
        },
    )


def _feedback_page(
    request: HttpRequest,
    feedback: Feedback,
    *,
    errors: dict[str, list[str]] | None = None,
    form_name: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "voice/feedback.jinja",
        {
            "page_title": f"Feedback {feedback.reference}",
            "feedback": feedback,
            "can_work": queries.can_work(request.user, feedback),
            "errors": errors or {},
            "form_name": form_name,
            "values": request.POST if errors else {},
            "change_choices": [(v, str(label)) for v, label in ChangeStatus.choices if v],
            "moderation_choices": vf.MODERATION_CHOICES,
            "fft_question": FFT_QUESTION,
            "breadcrumbs": [{"href": "/feedback/manage/", "text": "Feedback"}],
        },
        status=status,
    )


@require_GET
@requires(Capability.VIEW_PATIENT_VOICE, hidden=True)
def feedback_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _feedback_page(request, queries.feedback_for(request.user, reference))


FEEDBACK_FORMS: dict[str, type[forms.Form]] = {
    "reply": vf.ReplyForm,
    "moderate": vf.ModerationForm,
    "change": vf.ChangeForm,
}


@require_POST
def feedback_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    feedback = queries.feedback_for(request.user, reference, work=True)
    if step not in FEEDBACK_FORMS:
        raise Http404("Not found")
    form = FEEDBACK_FORMS[step](request.POST)
    if not form.is_valid():
        return _feedback_page(request, feedback, errors=_errors(form), form_name=step)
    data = form.cleaned_data
    actor = Actor(user=request.user)
    try:
        if step == "reply":
            services.record_reply(feedback, data["reply"], version=data["version"], actor=actor)
            messages.success(request, "Reply saved.")
        elif step == "moderate":
            services.moderate(
                feedback,
                approve=data["decision"] == "approve",
                published_text=data.get("published_text") or "",
                reason=data.get("reason") or "",
                version=data["version"],
                actor=actor,
            )
            messages.success(request, "Moderation decision saved.")
        else:
            services.mark_change(
                feedback,
                data["change_status"],
                data["change_description"],
                version=data["version"],
                actor=actor,
            )
            messages.success(request, "Change marker saved.")
    except EditConflict:
        return _feedback_page(
            request,
            queries.feedback_for(request.user, reference, work=True),
            errors={"non_field_errors": [CONFLICT]},
            form_name=step,
            status=409,
        )
    except services.FeedbackInvalid as invalid:
        return _feedback_page(request, feedback, errors=invalid.errors, form_name=step)
    return redirect("voice:feedback_detail", reference=reference)


# -- insight --------------------------------------------------------------------------------


@require_GET
def insight(request: HttpRequest, code: str) -> HttpResponse:
    provider = organisation_for(request.user, code)
    if provider.kind != "provider":
        raise Http404("Not found")
    result = voice_insight.provider_insight(provider)
    return render(
        request,
        "voice/insight.jinja",
        {
            "page_title": f"Feedback insight: {provider.name}",
            "insight": result,
            "overall": voice_insight.overall,
            "fft_question": FFT_QUESTION,
            "breadcrumbs": [
                {"href": f"/organisations/{provider.code}/", "text": provider.name},
            ],
        },
    )
