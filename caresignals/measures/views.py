"""The full SPC chart of one indicator for one organisation, with its data table, and the
form to record that the process changed (a rebase)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from caresignals.audit.services import Actor
from caresignals.core.cache import cached_fragment
from caresignals.measures.presenters import ChartPage, chart_page
from caresignals.measures.services import RebaseError, record_rebase
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import may


class RebaseForm(forms.Form):
    period = forms.ChoiceField(
        label="Month the process changed",
        error_messages={"required": "Select the month the process changed"},
    )
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label="What changed",
        max_length=1000,
        error_messages={
            "required": "Enter why the process changed",
            "max_length": "The reason must be 1,000 characters or fewer",
        },
    )

    def __init__(self, *args: object, periods: list[dt.date], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = cast(forms.ChoiceField, self.fields["period"])
        field.choices = [("", "Select a month")] + [
            (p.isoformat(), p.strftime("%B %Y")) for p in periods[1:]
        ]


@require_http_methods(["GET", "POST"])
def chart(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    def context() -> dict[str, object]:
        page = chart_page(request.user, code, indicator)
        return {
            "page": page,
            "page_title": f"{page.indicator.name} – {page.organisation.name}",
            "breadcrumbs": page.breadcrumbs,
        }

    body, ctx = cached_fragment(
        request, "chart", (code, indicator), "measures/chart_body.jinja", context
    )
    page = cast(ChartPage, ctx["page"])
    # Recorded for the chart's organisation: only where the person holds the capability.
    may_record = may(request.user, Capability.RECORD_CHART_CHANGES, page.organisation.path)
    suggestion = page.suggested_rebase
    initial = {"period": suggestion.period.isoformat(), "suggested": True} if suggestion else {}
    form = RebaseForm(periods=page.periods, initial=initial) if may_record else None
    status = 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        form = RebaseForm(request.POST, periods=page.periods)
        if form.is_valid():
            try:
                record_rebase(
                    Actor(user=request.user),
                    page.organisation,
                    page.indicator,
                    dt.date.fromisoformat(form.cleaned_data["period"]),
                    form.cleaned_data["note"],
                    periods=page.periods,
                    suggested=bool(form.cleaned_data.get("suggested"))
                    and suggestion is not None
                    and form.cleaned_data["period"] == suggestion.period.isoformat(),
                )
            except RebaseError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, "The change has been recorded and the chart redrawn.")
                return HttpResponseRedirect(request.path)
        status = 400
    return render(
        request,
        "measures/chart.jinja",
        {
            "body": body,
            "page_title": ctx["page_title"],
            "breadcrumbs": ctx["breadcrumbs"],
            "form": form,
        },
        status=status,
    )
