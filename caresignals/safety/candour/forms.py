"""Forms for the Duty of Candour steps and referral tasks.

They check what a person typed against the event (no date before it was reported, none in the
future, steps in their natural order) and say what to fix; they store nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from caresignals.core.forms import DateParts
from caresignals.safety.models import (
    ContactMethod,
    ContactOutcome,
    ReferralKind,
    ReferralStatus,
)

REASON_MAX = 2000


def _version() -> forms.IntegerField:
    return forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class _AfterReported(forms.Form):
    """Dates in these forms may not be before the event was reported."""

    date_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, reported_on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reported_on = reported_on

    def clean(self) -> dict[str, Any]:
        super().clean()
        for name in self.date_fields:
            value = self.cleaned_data.get(name)
            if value is not None and value < self.reported_on:
                self.add_error(
                    name,
                    f"{self.fields[name].label or 'The date'} must be on or after the day "
                    f"the event was reported ({self.reported_on:%-d %B %Y})",
                )
        return self.cleaned_data


class HandFlagForm(forms.Form):
    """Flag an event notifiable by hand, or clear a hand flag: either way, say why."""

    flag = forms.ChoiceField(choices=[("on", "on"), ("off", "off")], widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=REASON_MAX,
        strip=True,
        error_messages={
            "required": "Enter the reason for your decision",
            "max_length": f"The reason must be {REASON_MAX:,} characters or fewer",
        },
    )
    version = _version()


class StepsForm(_AfterReported):
    """The notification steps: in person with an apology, in writing, the results shared;
    or the person declined or could not be contacted."""

    date_fields = ("notified_in_person_on", "written_notification_on", "results_shared_on")

    notified_in_person_on = DateParts("the date they were told in person", required=False)
    notified_by = forms.CharField(
        max_length=150,
        required=False,
        strip=True,
        error_messages={"max_length": "Who told them must be 150 characters or fewer"},
    )
    apology_given = forms.BooleanField(required=False)
    written_notification_on = DateParts("the date of the written notification", required=False)
    results_shared_on = DateParts("the date the results were shared", required=False)
    contact_outcome = forms.ChoiceField(
        choices=ContactOutcome.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select what happened"},
    )
    contact_outcome_on = DateParts("the date of that outcome", required=False)
    version = _version()

    def __init__(self, *args: Any, attempts: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.fields["notified_in_person_on"].label = "The date they were told in person"
        self.fields["written_notification_on"].label = "The written notification date"
        self.fields["results_shared_on"].label = "The date the results were shared"
        self.fields["contact_outcome_on"].label = "The date of that outcome"

    def clean(self) -> dict[str, Any]:
        super().clean()
        d = self.cleaned_data
        in_person = d.get("notified_in_person_on")
        written = d.get("written_notification_on")
        results = d.get("results_shared_on")
        outcome = d.get("contact_outcome")
        if in_person:
            if not d.get("notified_by"):
                self.add_error("notified_by", "Enter who told them in person")
            if not d.get("apology_given"):
                self.add_error(
                    "apology_given",
                    "Confirm an apology was given: the duty is not met without one",
                )
        elif d.get("notified_by") and "notified_in_person_on" not in self.errors:
            self.add_error("notified_in_person_on", "Enter the date they were told in person")
        if written and not in_person and "notified_in_person_on" not in self.errors:
            self.add_error(
                "written_notification_on",
                "Record the notification in person before the written notification",
            )
        elif written and in_person and written < in_person:
            self.add_error(
                "written_notification_on",
                "The written notification must be on or after the notification in person",
            )
        if results and not written and "written_notification_on" not in self.errors:
            self.add_error(
                "results_shared_on", "Record the written notification before sharing the results"
            )
        elif results and written and results < written:
            self.add_error(
                "results_shared_on",
                "The results must be shared on or after the written notification",
            )
        if outcome:
            if in_person:
                self.add_error(
                    "contact_outcome",
                    "Leave this blank: the person was told in person",
                )
            on = d.get("contact_outcome_on")
            if on is None and "contact_outcome_on" not in self.errors:
                self.add_error("contact_outcome_on", "Enter the date of that outcome")
            elif on is not None and on < self.reported_on:
                self.add_error(
                    "contact_outcome_on",
                    "The date of that outcome must be on or after the day the event was reported",
                )
            if outcome == ContactOutcome.NOT_CONTACTABLE and not self.attempts:
                self.add_error(
                    "contact_outcome",
                    "Record the attempts to contact them before saying they could not be contacted",
                )
        elif d.get("contact_outcome_on") and "contact_outcome_on" not in self.errors:
            self.add_error("contact_outcome", "Select what happened, or remove the date")
        return d


class AttemptForm(_AfterReported):
    """One attempt to reach the person to notify them."""

    date_fields = ("attempted_on",)

    attempted_on = DateParts("the date of the attempt")
    method = forms.ChoiceField(
        choices=[("", "Select a method"), *ContactMethod.choices],
        error_messages={
            "required": "Select how you tried to contact them",
            "invalid_choice": "Select how you tried to contact them",
        },
    )
    outcome = forms.CharField(
        max_length=500,
        strip=True,
        error_messages={
            "required": "Enter what happened",
            "max_length": "What happened must be 500 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attempted_on"].label = "The date of the attempt"


class ReferralForm(_AfterReported):
    """Where a referral task stands."""

    date_fields = ("referred_on",)

    status = forms.ChoiceField(
        choices=ReferralStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where the referral stands",
            "invalid_choice": "Select where the referral stands",
        },
    )
    referred_on = DateParts("the date of the referral", required=False)
    receiving_reference = forms.CharField(
        max_length=100,
        required=False,
        strip=True,
        error_messages={"max_length": "The reference must be 100 characters or fewer"},
    )
    not_needed_reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        strip=True,
        error_messages={"max_length": f"The reason must be {REASON_MAX:,} characters or fewer"},
    )
    version = _version()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referred_on"].label = "The date of the referral"

    def clean(self) -> dict[str, Any]:
        super().clean()
        d = self.cleaned_data
        status = d.get("status")
        if status == ReferralStatus.REFERRED:
            if d.get("referred_on") is None and "referred_on" not in self.errors:
                self.add_error("referred_on", "Enter the date of the referral")
            if not d.get("receiving_reference"):
                self.add_error("receiving_reference", "Enter the reference the receiving body gave")
        if status == ReferralStatus.NOT_NEEDED and not d.get("not_needed_reason"):
            self.add_error("not_needed_reason", "Enter why the referral is not needed")
        return d


class AddReferralForm(forms.Form):
    """A referral no stored field shows (for example a mental-health-related homicide)."""

    kind = forms.ChoiceField(
        choices=[("", "Select a referral"), *ReferralKind.choices],
        error_messages={
            "required": "Select the referral to add",
            "invalid_choice": "Select the referral to add",
        },
    )


class TrackedFromForm(forms.Form):
    """A provider's "candour tracked from" date: set it (today or in the past), or clear it."""

    action = forms.ChoiceField(
        choices=[("set", "set"), ("clear", "clear")], widget=forms.HiddenInput
    )
    tracked_from = DateParts("the candour tracked from date", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        setting = self.cleaned_data.get("action") == "set" and not self.errors
        if setting and self.cleaned_data.get("tracked_from") is None:
            self.add_error("tracked_from", "Enter the candour tracked from date")
        return self.cleaned_data


class OwnerForm(forms.Form):
    """Who owns the candour steps: a person with a role at the provider, or its patient-safety
    team while no one is named (ADR 21)."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    owner_person = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Select a person with a role at the provider"},
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", TEAM), *people]


TEAM = "The patient-safety team (no one person)"
