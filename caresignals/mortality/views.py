"""Learning from deaths: the deaths in scope, adding one by hand, screening, the Structured
Judgement Review, and the results by phase and group.

Reads through queries.py (scoped: another provider's death is a 404), writes through
services.py. Seeing the pages needs a role that reads learning responses (403 otherwise);
screening and reviewing need the patient-safety team of the death's provider.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from caresignals.audit.services import Actor
from caresignals.core import clock
from caresignals.core.concurrency import EditConflict
from caresignals.mortality import queries as q
from caresignals.mortality import services
from caresignals.mortality.forms import DeathForm, LederForm, ScreeningForm
from caresignals.mortality.models import Death
from caresignals.mortality.vocabulary import (
    MAY_NOT_APPLY,
    MUST_REVIEW,
    NOT_APPLICABLE,
    SCORES,
    Avoidability,
    Criterion,
    Phase,
    ProblemHarm,
    ProblemType,
    ReviewStatus,
)
from caresignals.organisations.models import Organisation
from caresignals.organisations.permissions import requires
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import may
from caresignals.safety.deidentify import deidentify
from caresignals.safety.models import PatientSafetyEvent
from caresignals.safety.responses.queries import providers_in

CONFLICT = (
    "Someone else changed this record while you were working on it. The page now shows "
    "their changes: check them, then make yours again."
)


def _errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(m) for m in found] for name, found in form.errors.items()}


def _posted(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: str(request.POST.get(k, "")) for k in request.POST if k != "csrfmiddlewaretoken"
    }
    values["criteria"] = request.POST.getlist("criteria")
    return values


def _version(raw: object) -> int:
    text = str(raw or "0")
    return int(text) if text.isdecimal() else -1


@require_GET
@requires(q.VIEW)
def deaths(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    show = request.GET.get("show", "")
    if show not in ReviewStatus.values:
        show = ""
    every = q.rows(request.user, today)
    shown = [r for r in every if r.status == show] if show else every
    return render(
        request,
        "mortality/deaths.jinja",
        {
            "page_title": "Learning from deaths",
            "rows": shown,
            "counts": q.counts(every),
            "show": show,
            "statuses": ReviewStatus,
            "can_add": bool(q.write_scope(request.user).paths),
            "config_days": settings.CARESIGNALS_MORTALITY_REVIEW_WORKING_DAYS,
        },
    )


def _providers(request: HttpRequest) -> list[Organisation]:
    return list(providers_in(q.write_scope(request.user).paths))


@require_http_methods(["GET", "POST"])
@requires(q.MANAGE)
def add_death(request: HttpRequest) -> HttpResponse:
    providers = _providers(request)
    choices = [(p.code, p.name) for p in providers]
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"criteria": []}
    if len(providers) == 1:
        values["provider"] = providers[0].code
    form = DeathForm(providers=choices)
    if request.method == "POST":
        form = DeathForm(request.POST, providers=choices)
        values = _posted(request)
        if form.is_valid():
            d = form.cleaned_data
            provider = next(p for p in providers if p.code == d["provider"])
            try:
                death = services.add_death(
                    provider,
                    services.DeathFields(
                        died_on=d["died_on"],
                        age_years=d["age_years"],
                        ethnic_group=d["ethnic_group"],
                        imd_quintile=int(d["imd_quintile"]) if d["imd_quintile"] else None,
                        learning_disability=d["learning_disability"],
                        summary=d["summary"],
                        criteria=tuple(d["criteria"]),
                    ),
                    actor=Actor(user=request.user),
                )
            except services.MortalityInvalid as invalid:
                errors = invalid.errors
            else:
                messages.success(request, f"Death {death.reference} is added: now screen it")
                return redirect("mortality:death", reference=death.reference)
        else:
            errors = _errors(form)
    return render(
        request,
        "mortality/add.jinja",
        {
            "page_title": "Add a death to review",
            "form": form,
            "values": values,
            "errors": errors,
            "criteria": Criterion.choices,
            "must_review": MUST_REVIEW,
        },
    )


def _screening_values(death: Death | None, event: PatientSafetyEvent | None) -> dict[str, Any]:
    if death is None:
        criteria = [Criterion.SAFETY_EVENT.value]
        if event is not None and event.learning_disability == "true":
            criteria.append(Criterion.LEARNING_DISABILITY.value)
        return {"criteria": criteria, "version": "0"}
    return {
        "screening": death.screening,
        "screening_reason": death.screening_reason,
        "criteria": list(death.criteria),
        "version": str(death.version),
    }


def _death_page(
    request: HttpRequest,
    *,
    death: Death | None,
    event: PatientSafetyEvent | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    can_manage: bool,
    leder_values: dict[str, str] | None = None,
) -> HttpResponse:
    review = getattr(death, "review", None) if death is not None else None
    leder = getattr(death, "leder", None) if death is not None else None
    today = clock.today()
    return render(
        request,
        "mortality/death.jinja",
        {
            "page_title": f"Death {death.reference if death else 'on event ' + str(event)}",
            "death": death,
            "event": event if event is not None else (death.event if death else None),
            "status": q.status(death, today) if death else ReviewStatus.TO_SCREEN,
            "review": review,
            "phases": sorted(review.phases.all(), key=lambda p: list(Phase.values).index(p.phase))
            if review
            else [],
            "problems": [p for p in review.problems.all() if p.harm != ProblemHarm.NONE]
            if review
            else [],
            "values": values,
            "errors": errors,
            "can_manage": can_manage,
            # Free text is shown in full inside the provider; outside it (the ICB), with
            # identifying details removed, as safety's pages do.
            "shown": (lambda text: text) if can_manage else deidentify,
            "leder": leder,
            "leder_applies": death is not None and services.leder_applies(death),
            "leder_due": services.leder_due(leder) if leder else None,
            "leder_late": leder is not None
            and not leder.signed_off_on
            and services.leder_due(leder) < today,
            "can_review_leder": death is not None and _may_review_leder(request, death),
            "leder_values": leder_values if leder_values is not None else _leder_values(leder),
            "leder_form": LederForm(),
            "form": ScreeningForm(),
            "criteria": Criterion.choices,
            "must_review": MUST_REVIEW,
            "Phase": Phase,
            "ProblemType": ProblemType,
            "ProblemHarm": ProblemHarm,
            "Avoidability": Avoidability,
        },
    )


def _screen(
    request: HttpRequest, death: Death | None, event: PatientSafetyEvent | None
) -> tuple[Death | None, dict[str, list[str]]]:
    """Screen the death (added from the event first, in the same transaction)."""
    form = ScreeningForm(request.POST)
    if not form.is_valid():
        return None, _errors(form)
    d = form.cleaned_data
    actor = Actor(user=request.user)
    try:
        with transaction.atomic():
            if death is None:
                assert event is not None
                death = services.death_from_event(event, actor=actor)
                version = death.version
            else:
                version = _version(d["version"])
            services.screen(
                death,
                decision=d["screening"],
                reason=d["screening_reason"],
                criteria=d["criteria"],
                expected_version=version,
                actor=actor,
                today=clock.today(),
            )
    except services.MortalityInvalid as invalid:
        return None, invalid.errors
    except EditConflict:
        return None, {"non_field_errors": [CONFLICT]}
    return death, {}


@require_http_methods(["GET", "POST"])
@requires(q.VIEW)
def death(request: HttpRequest, reference: str) -> HttpResponse:
    found = q.death_for(request.user, reference)
    can_manage = q.may_manage(request.user, found)
    values = _screening_values(found, found.event)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        _, errors = _screen(request, found, None)
        if not errors:
            messages.success(request, "The screening decision is saved")
            return redirect("mortality:death", reference=reference)
        if "non_field_errors" in errors:
            found = q.death_for(request.user, reference)
            values = _screening_values(found, found.event)
        else:
            values = _posted(request)
    return _death_page(
        request, death=found, event=found.event, values=values, errors=errors, can_manage=can_manage
    )


@require_http_methods(["GET", "POST"])
@requires(q.VIEW)
def event_death(request: HttpRequest, reference: str) -> HttpResponse:
    event = q.event_death_for(request.user, reference)
    existing = q.death_of_event(event)
    if existing is not None:
        return redirect("mortality:death", reference=existing.reference)
    can_manage = q.may_manage(request.user, event.organisation.path)
    values = _screening_values(None, event)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        screened, errors = _screen(request, None, event)
        if screened is not None:
            messages.success(request, "The death is added and the screening decision saved")
            return redirect("mortality:death", reference=screened.reference)
        values = _posted(request)
    return _death_page(
        request, death=None, event=event, values=values, errors=errors, can_manage=can_manage
    )


def _review_values(death: Death) -> dict[str, str]:
    review = getattr(death, "review", None)
    if review is None:
        return {"version": "0"}
    values = {
        "version": str(review.version),
        "avoidability": str(review.avoidability),
        "learning_response": review.learning_response.reference if review.learning_response else "",
    }
    for p in review.phases.all():
        values[f"score_{p.phase}"] = NOT_APPLICABLE if p.score is None else str(p.score)
        values[f"statement_{p.phase}"] = p.statement
    for c in review.problems.all():
        values[f"problem_{c.problem_type}"] = c.harm
        values[f"problem_description_{c.problem_type}"] = c.description
    return values


def _answers(post: Any) -> services.ReviewAnswers:
    return services.ReviewAnswers(
        scores={p: str(post.get(f"score_{p}", "")) for p in Phase.values},
        statements={p: str(post.get(f"statement_{p}", "")) for p in Phase.values},
        avoidability=str(post.get("avoidability", "")),
        problems={t: str(post.get(f"problem_{t}", "")) for t in ProblemType.values},
        problem_descriptions={
            t: str(post.get(f"problem_description_{t}", "")) for t in ProblemType.values
        },
        learning_response=str(post.get("learning_response", "")),
    )


@require_http_methods(["GET", "POST"])
@requires(q.MANAGE)
def review(request: HttpRequest, reference: str) -> HttpResponse:
    found = q.death_for(request.user, reference)
    if not q.may_manage(request.user, found):
        raise PermissionDenied
    if found.screening != "in_scope":
        messages.info(request, "Screen the death in scope before reviewing it")
        return redirect("mortality:death", reference=reference)
    values = _review_values(found)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _posted(request)
        try:
            saved = services.save_review(
                found,
                _answers(request.POST),
                expected_version=_version(request.POST.get("version")),
                actor=Actor(user=request.user),
                today=clock.today(),
            )
        except services.MortalityInvalid as invalid:
            errors = invalid.errors
        except EditConflict:
            found = q.death_for(request.user, reference)
            values = _review_values(found)
            errors = {"non_field_errors": [CONFLICT]}
        else:
            text = "The Structured Judgement Review is saved"
            if saved.learning_response is not None:
                text += f"; it is linked to learning response {saved.learning_response.reference}"
            messages.success(request, text)
            return redirect("mortality:death", reference=reference)
    return render(
        request,
        "mortality/review.jinja",
        {
            "page_title": f"Structured Judgement Review of {found.reference}",
            "death": found,
            "values": values,
            "errors": errors,
            "phases": Phase.choices,
            "may_not_apply": MAY_NOT_APPLY,
            "scores": SCORES,
            "not_applicable": NOT_APPLICABLE,
            "avoidability": Avoidability.choices,
            "problem_types": ProblemType.choices,
            "problem_harms": ProblemHarm.choices,
            "back": reverse("mortality:death", kwargs={"reference": reference}),
        },
    )


@require_GET
@requires(q.VIEW)
def results(request: HttpRequest) -> HttpResponse:
    providers = list(providers_in(q.read_scope(request.user).paths))
    code = request.GET.get("org", "")
    provider = next((p for p in providers if p.code == code), None)
    return render(
        request,
        "mortality/results.jinja",
        {
            "page_title": "Learning from deaths: results",
            "results": q.results(request.user, provider.path if provider else ""),
            "providers": providers,
            "provider": provider,
            "score_labels": [*SCORES.values(), "Not applicable"],
        },
    )


# --- LeDeR -----------------------------------------------------------------------------------


def _may_review_leder(request: HttpRequest, death: Death) -> bool:
    """LeDeR reviews and sign-off are the local area's: the ICB quality team."""
    return may(request.user, Capability.MANAGE_QUALITY_GOVERNANCE, death.organisation.path)


def _leder_values(leder: Any) -> dict[str, str]:
    if leder is None:
        return {}
    values = {
        "focused_review_needed": "yes" if leder.focused_review_needed else "no",
        "focused_review_reason": leder.focused_review_reason,
        "version": str(leder.version),
    }
    for name in ("initial_review_on", "focused_review_on"):
        day = getattr(leder, name)
        if day is not None:
            values |= {
                f"{name}_day": str(day.day),
                f"{name}_month": str(day.month),
                f"{name}_year": str(day.year),
            }
    return values


@require_http_methods(["POST"])
@requires(q.MANAGE)
def leder_notify(request: HttpRequest, reference: str) -> HttpResponse:
    found = q.death_for(request.user, reference)
    if not q.may_manage(request.user, found):
        raise PermissionDenied
    try:
        services.notify_leder(found, notified_on=clock.today(), actor=Actor(user=request.user))
    except services.MortalityInvalid as invalid:
        messages.error(request, invalid.errors["leder"][0])
    else:
        messages.success(request, "The death is notified to LeDeR")
    return redirect("mortality:death", reference=reference)


@require_http_methods(["POST"])
@requires(Capability.MANAGE_QUALITY_GOVERNANCE)
def leder_steps(request: HttpRequest, reference: str) -> HttpResponse:
    found = q.death_for(request.user, reference)
    leder = getattr(found, "leder", None)
    if leder is None or not _may_review_leder(request, found):
        raise PermissionDenied
    form = LederForm(request.POST)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.record_leder(
                leder,
                services.LederSteps(
                    initial_review_on=d["initial_review_on"],
                    focused_review_needed=d["focused_review_needed"] == "yes",
                    focused_review_reason=d["focused_review_reason"],
                    focused_review_on=d["focused_review_on"],
                    sign_off=d["sign_off"],
                ),
                expected_version=_version(d["version"]),
                actor=Actor(user=request.user),
                today=clock.today(),
            )
        except services.MortalityInvalid as invalid:
            errors = invalid.errors
        except EditConflict:
            errors = {"non_field_errors": [CONFLICT]}
        else:
            messages.success(request, "The LeDeR steps are saved")
            return redirect("mortality:death", reference=reference)
    else:
        errors = _errors(form)
    return _death_page(
        request,
        death=found,
        event=found.event,
        values=_screening_values(found, found.event),
        errors=errors,
        can_manage=q.may_manage(request.user, found),
        leder_values=_posted(request),
    )
