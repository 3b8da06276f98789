"""Escalation, rapid quality reviews, the quality risk register and the SQG pack.

Views only orchestrate: reads through presenters and queries (scoped), writes through
services (audited, versioned). Bad input re-shows the form with per-field messages and
stores nothing; an edit that crosses someone else's says so and shows the record as it is now.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caresignals.audit.services import Actor
from caresignals.core.concurrency import EditConflict
from caresignals.core.periods import Month
from caresignals.organisations.permissions import require_for, requires
from caresignals.organisations.queries import people_for
from caresignals.organisations.roles import Capability
from caresignals.signals.governance import forms, pack, presenters, queries, services
from caresignals.signals.models import RiskStatus

CONFLICT = (
    "Someone else changed this record while you were editing it. "
    "It is shown below as it is now: check it, then make your change again."
)


def _manage(request: HttpRequest, organisation_path: str | None = None) -> None:
    """403 unless the person may change governance records (about this organisation)."""
    queries.require(request.user, Capability.MANAGE_QUALITY_GOVERNANCE)
    if organisation_path is not None:
        require_for(request.user, Capability.MANAGE_QUALITY_GOVERNANCE, organisation_path)


def _values(request: HttpRequest) -> dict[str, Any]:
    """What the page sent, for re-showing: text fields as text, checkboxes as lists."""
    values: dict[str, Any] = {
        k: str(v) for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken", "action"}
    }
    for name in ("linked_signals", "linked_actions", "done", "met"):
        values[name] = request.POST.getlist(name)
    return values


def _date_values(name: str, day: Any) -> dict[str, str]:
    if day is None:
        return {}
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def _apply_service_error(form: Any, exc: services.GovernanceInvalid) -> None:
    name = exc.field if exc.field in form.fields else None
    form.add_error(name, exc.message)


# --------------------------------------------------------------------------- escalation


@require_GET
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def escalation_index(request: HttpRequest) -> HttpResponse:
    view = presenters.overview(request.user)
    return render(
        request,
        "signals/escalation_index.jinja",
        {"page_title": "Escalation: providers under closer watch", "view": view},
    )


@require_GET
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def escalation_detail(request: HttpRequest, code: str) -> HttpResponse:
    page = presenters.escalation_page(request.user, code)
    return render(
        request,
        "signals/escalation_detail.jinja",
        {
            "page_title": f"Escalation – {page.provider.name}",
            "page": page,
            "breadcrumbs": page.breadcrumbs[:-1],
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def escalation_change(request: HttpRequest, code: str) -> HttpResponse:
    page = presenters.escalation_page(request.user, code)
    _manage(request, page.provider.path)
    values: dict[str, Any] = {"version": str(page.version)}
    form = forms.LevelChangeForm(current_level=page.level)
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = forms.LevelChangeForm(request.POST, current_level=page.level)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.change_level(
                    Actor(user=request.user),
                    page.provider,
                    to_level=d["to_level"],
                    rationale=d["rationale"],
                    decided_on=d["decided_on"],
                    forum=d["forum"],
                    expected_version=d["version"],
                )
            except EditConflict:
                messages.warning(request, CONFLICT)
                return redirect("signals:escalation_detail", code=code)
            except services.GovernanceInvalid as exc:
                _apply_service_error(form, exc)
            else:
                messages.info(
                    request,
                    f"{page.provider.name} is now at "
                    f"{presenters.level_label(d['to_level']).lower()}.",
                )
                return redirect("signals:escalation_detail", code=code)
        errors = form.errors
    return render(
        request,
        "signals/escalation_change.jinja",
        {
            "page_title": f"Change the escalation level – {page.provider.name}",
            "page": page,
            "form": form,
            "values": values,
            "errors": errors,
            "breadcrumbs": page.breadcrumbs,
        },
        status=400 if errors else 200,
    )


# --------------------------------------------------------------------------- reviews


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def review_new(request: HttpRequest, code: str) -> HttpResponse:
    page = presenters.escalation_page(request.user, code)
    _manage(request, page.provider.path)
    values: dict[str, Any] = {"version": str(page.version), "decision": page.level}
    people = [(str(u.pk), u) for u in people_for(page.provider.path)]
    form = forms.ReviewForm(people=people)
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = forms.ReviewForm(request.POST, people=people)
        if form.is_valid():
            d = form.cleaned_data
            data = services.ReviewInput(
                held_on=d["held_on"],
                concern=d["concern"],
                decision=d["decision"],
                decision_note=d["decision_note"],
                attendees=d["attendees"],
                actions=d["actions"],
                criteria=d["criteria"],
            )
            try:
                review = services.record_review(
                    Actor(user=request.user), page.provider, data, expected_version=d["version"]
                )
            except EditConflict:
                messages.warning(request, CONFLICT)
                return redirect("signals:escalation_detail", code=code)
            except services.GovernanceInvalid as exc:
                _apply_service_error(form, exc)
            else:
                messages.info(request, "The rapid quality review has been recorded.")
                return redirect("signals:review_detail", pk=review.pk)
        errors = form.errors
    return render(
        request,
        "signals/review_new.jinja",
        {
            "page_title": f"Record a rapid quality review – {page.provider.name}",
            "page": page,
            "form": form,
            "values": values,
            "errors": errors,
            "rows": {
                "attendees": range(1, forms.ATTENDEE_ROWS + 1),
                "actions": range(1, forms.ACTION_ROWS + 1),
                "criteria": range(1, forms.CRITERION_ROWS + 1),
            },
            "breadcrumbs": page.breadcrumbs,
        },
        status=400 if errors else 200,
    )


@require_GET
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = presenters.review_page(request.user, pk)
    return render(
        request,
        "signals/review_detail.jinja",
        {
            "page_title": f"Rapid quality review – {page.review.provider.name}",
            "page": page,
            "breadcrumbs": page.breadcrumbs,
        },
    )


@require_POST
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def review_progress(request: HttpRequest, pk: int) -> HttpResponse:
    page = presenters.review_page(request.user, pk)
    _manage(request, page.review.provider.path)
    review = page.review
    form = forms.ProgressForm(
        request.POST,
        action_ids=[a.pk for a in review.actions.all()],
        criterion_ids=[c.pk for c in review.exit_criteria.all()],
    )
    if not form.is_valid():
        raise Http404("No such action")
    d = form.cleaned_data
    try:
        changed = services.update_progress(
            Actor(user=request.user),
            review,
            done_actions={int(x) for x in d["done"]},
            met_criteria={int(x) for x in d["met"]},
            expected_version=d["version"],
        )
    except EditConflict:
        messages.warning(request, CONFLICT)
    else:
        messages.info(
            request,
            "Progress has been saved." if changed else "Nothing had changed, so nothing was saved.",
        )
    return redirect("signals:review_detail", pk=pk)


# --------------------------------------------------------------------------- risks


@require_GET
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def risk_index(request: HttpRequest) -> HttpResponse:
    register = presenters.risk_register(request.user, request.GET.get("show"))
    return render(
        request,
        "signals/risk_index.jinja",
        {
            "page_title": "Quality risk register",
            "register": register,
            "filters": presenters.RISK_FILTERS,
        },
    )


def _risk_form(request: HttpRequest, data: Any, *, editing: bool) -> forms.RiskForm:
    period = queries.latest_period()
    entries = queries.watchlist(request.user, period)
    signals = forms.signal_choices(entries, period)
    return forms.RiskForm(
        data,
        places=queries.risk_places(request.user),
        signals=signals,
        actions=list(queries.visible_actions(request.user)),
        signal_details=dict(signals),
        editing=editing,
        people=[(str(u.pk), u) for u in _risk_people(request.user)],
    )


def _risk_people(user: Any) -> list[Any]:
    """Everyone with a role where the person may place a risk (checked again for the one
    place chosen)."""
    places = queries.risk_places(user)
    tops = [p for p in places if not any(p.path.startswith(o.path) and o != p for o in places)]
    seen: dict[int, Any] = {}
    for top in tops:
        for person in people_for(top.path):
            seen.setdefault(person.pk, person)
    return sorted(seen.values(), key=lambda u: (u.display_name, u.pk))


def _risk_input(form: forms.RiskForm, status: str) -> services.RiskInput:
    d = form.cleaned_data
    return services.RiskInput(
        title=d["title"],
        description=d["description"],
        organisation=d["organisation"],
        consequence=d["consequence"],
        likelihood=d["likelihood"],
        target_consequence=d["target_consequence"],
        target_likelihood=d["target_likelihood"],
        owner=d["owner"],
        owner_person=d["owner_person"],
        controls=d["controls"],
        review_on=d["review_on"],
        linked_signals=form.linked_signal_records(),
        linked_action_ids=[int(a) for a in d["linked_actions"]],
        status=status,
    )


def _render_risk_form(
    request: HttpRequest, form: forms.RiskForm, values: dict[str, Any], errors: Any, **extra: Any
) -> HttpResponse:
    risk = extra.get("risk")
    return render(
        request,
        "signals/risk_form.jinja",
        {
            "page_title": f"Change risk {risk.reference}" if risk else "Add a quality risk",
            "form": form,
            "values": values,
            "errors": errors,
            "breadcrumbs": [
                {"text": "Quality risk register", "href": reverse("signals:risk_index")}
            ],
            **extra,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def risk_new(request: HttpRequest) -> HttpResponse:
    queries.require(request.user, Capability.VIEW_QUALITY_GOVERNANCE)
    _manage(request)
    values: dict[str, Any] = {"organisation": request.GET.get("org", "")}
    form = _risk_form(request, None, editing=False)
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = _risk_form(request, request.POST, editing=False)
        if form.is_valid():
            try:
                risk = services.create_risk(
                    Actor(user=request.user), _risk_input(form, RiskStatus.OPEN)
                )
            except services.GovernanceInvalid as exc:
                _apply_service_error(form, exc)
            else:
                messages.info(request, f"Risk {risk.reference} has been added to the register.")
                return redirect("signals:risk_detail", reference=risk.reference)
        errors = form.errors
    return _render_risk_form(request, form, values, errors)


@require_GET
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def risk_detail(request: HttpRequest, reference: str) -> HttpResponse:
    page = presenters.risk_page(request.user, reference)
    return render(
        request,
        "signals/risk_detail.jinja",
        {
            "page_title": f"{page.row.risk.reference}: {page.row.risk.title}",
            "page": page,
            "breadcrumbs": page.breadcrumbs,
        },
    )


def _risk_values(risk: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "version": str(risk.version),
        "title": risk.title,
        "description": risk.description,
        "organisation": risk.organisation.code,
        "consequence": str(risk.consequence),
        "likelihood": str(risk.likelihood),
        "target_consequence": str(risk.target_consequence),
        "target_likelihood": str(risk.target_likelihood),
        "owner": risk.owner,
        "owner_person": str(risk.owner_person_id or ""),
        "controls": risk.controls,
        "status": risk.status,
        "linked_signals": [
            "|".join((s["kind"], s["period"], s["org_code"], s.get("service_code", "")))
            for s in risk.linked_signals
        ],
        "linked_actions": [str(a.pk) for a in risk.linked_actions.all()],
    }
    values.update(_date_values("review_on", risk.review_on))
    return values


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def risk_edit(request: HttpRequest, reference: str) -> HttpResponse:
    page = presenters.risk_page(request.user, reference)
    _manage(request, page.row.risk.organisation.path)
    risk = page.row.risk
    values = _risk_values(risk)
    form = _risk_form(request, None, editing=True)
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = _risk_form(request, request.POST, editing=True)
        if form.is_valid():
            try:
                services.update_risk(
                    Actor(user=request.user),
                    risk,
                    _risk_input(form, form.cleaned_data["status"]),
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict:
                messages.warning(request, CONFLICT)
                return redirect("signals:risk_detail", reference=reference)
            except services.GovernanceInvalid as exc:
                _apply_service_error(form, exc)
            else:
                messages.info(request, f"Risk {risk.reference} has been changed.")
                return redirect("signals:risk_detail", reference=reference)
        errors = form.errors
    # Signals linked earlier may no longer fire: keep them selectable so an edit keeps them.
    for s in risk.linked_signals:
        value = "|".join((s["kind"], s["period"], s["org_code"], s.get("service_code", "")))
        detail = s.get("detail", "")
        form.keep_signal(value, f"{detail or s['kind']} ({s['period']})", detail)
    return _render_risk_form(request, form, values, errors, risk=risk)


@require_http_methods(["GET", "POST"])
@requires(Capability.VIEW_QUALITY_GOVERNANCE)
def risk_review(request: HttpRequest, reference: str) -> HttpResponse:
    page = presenters.risk_page(request.user, reference)
    _manage(request, page.row.risk.organisation.path)
    risk = page.row.risk
    values: dict[str, Any] = {
        "version": str(risk.version),
        "consequence": str(risk.consequence),
        "likelihood": str(risk.likelihood),
    }
    form = forms.RiskReviewForm()
    errors: Any = {}
    if request.method == "POST":
        values = _values(request)
        form = forms.RiskReviewForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.review_risk(
                    Actor(user=request.user),
                    risk,
                    reviewed_on=d["reviewed_on"],
                    note=d["note"],
                    consequence=d["consequence"],
                    likelihood=d["likelihood"],
                    next_review_on=d["next_review_on"],
                    expected_version=d["version"],
                )
            except EditConflict:
                messages.warning(request, CONFLICT)
                return redirect("signals:risk_detail", reference=reference)
            except services.GovernanceInvalid as exc:
                _apply_service_error(form, exc)
            else:
                messages.info(request, f"The review of {risk.reference} has been recorded.")
                return redirect("signals:risk_detail", reference=reference)
        errors = form.errors
    return render(
        request,
        "signals/risk_review.jinja",
        {
            "page_title": f"Review risk {risk.reference}",
            "page": page,
            "form": form,
            "values": values,
            "errors": errors,
            "breadcrumbs": page.breadcrumbs,
        },
        status=400 if errors else 200,
    )


# --------------------------------------------------------------------------- the pack


@require_GET
@requires(Capability.VIEW_SQG_PACK)
def pack_view(request: HttpRequest) -> HttpResponse:
    page = pack.pack_page(request.user, request.GET.get("period"))
    return render(
        request,
        "signals/pack.jinja",
        {
            "page_title": (
                f"System Quality Group pack, {page.pack.period_label}"
                if page.pack
                else "System Quality Group pack"
            ),
            "page": page,
        },
        status=400 if page.error else 200,
    )


@require_GET
@requires(Capability.VIEW_SQG_PACK)
def pack_pdf(request: HttpRequest, period: str) -> HttpResponse:
    queries.require(request.user, Capability.VIEW_SQG_PACK)
    try:
        month = Month.parse(period).first_day
    except ValueError:
        raise Http404("No such month") from None
    the_pack = pack.pack_for(request.user, month)
    response = HttpResponse(pack.pack_pdf(the_pack), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack.pdf_filename(the_pack)}"'
    return response
