"""Forms for soft intelligence, safety alerts and the SQG's logs.

They check what a person typed and say what to fix, field by field; they store nothing
(services.py does, and checks again what must hold).
"""

from __future__ import annotations

from typing import Any

from django import forms

from caresignals.core.forms import DateParts
from caresignals.core.forms import radios as _radios
from caresignals.core.forms import text as _text
from caresignals.intelligence.models import AlertAction
from caresignals.intelligence.vocabulary import (
    ActionStatus,
    Credibility,
    IntelligenceStatus,
    LogStatus,
    Severity,
    Source,
)
from caresignals.organisations.models import ProviderType

ALERT_ACTION_ROWS = 5
YES_NO = [("yes", "Yes"), ("no", "No")]


class Day(DateParts):
    years = (2000, 2100)
    out_of_years = "must be a real date"


def _organisation(choices: list[tuple[str, str]], message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", "Select an organisation"), *choices],
        error_messages={"required": message, "invalid_choice": message},
    )


class IntelligenceForm(forms.Form):
    organisation = forms.ChoiceField()
    source = _radios(Source.choices, "Select where the intelligence came from")
    source_detail = forms.CharField(max_length=200, required=False, strip=True)
    received_on = Day("the date it was received")
    summary = _text("Enter a summary of the intelligence")
    credibility = _radios(Credibility.choices, "Select how credible it is")
    severity = _radios(Severity.choices, "Select how severe it is")
    shared = _radios(YES_NO, "Select whether to share it with the provider")

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation(
            organisations, "Select the provider or service it is about"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == Source.OTHER and not data.get("source_detail"):
            self.add_error("source_detail", "Enter who the other source is")
        return data


class IntelligenceUpdateForm(forms.Form):
    credibility = _radios(Credibility.choices, "Select how credible it is")
    severity = _radios(Severity.choices, "Select how severe it is")
    shared = _radios(YES_NO, "Select whether to share it with the provider")
    status = _radios(IntelligenceStatus.choices, "Select whether it is open or closed")
    outcome = forms.CharField(max_length=5000, required=False, strip=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == IntelligenceStatus.CLOSED and not data.get("outcome"):
            self.add_error("outcome", "Enter the outcome before closing the intelligence")
        return data


class AlertForm(forms.Form):
    reference = _text("Enter the alert's reference", max_length=40)
    title = _text("Enter the alert's title", max_length=300)
    issued_on = Day("the date it was issued")
    deadline = Day("the deadline", future=True)
    provider_types = forms.MultipleChoiceField(
        choices=ProviderType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the kinds of provider the alert applies to",
            "invalid_choice": "Select the kinds of provider the alert applies to",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, ALERT_ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                max_length=2000, required=False, strip=True
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        actions = [data.get(f"action_{i}", "") for i in range(1, ALERT_ACTION_ROWS + 1)]
        data["actions"] = [a for a in actions if a]
        if not data["actions"]:
            self.add_error("action_1", "Enter at least one action the alert asks for")
        issued, deadline = data.get("issued_on"), data.get("deadline")
        if issued and deadline and deadline < issued:
            self.add_error("deadline", "The deadline must be on or after the date it was issued")
        return data


class ResponseForm(forms.Form):
    """A provider's status, evidence and reason on each action of one alert."""

    def __init__(self, *args: Any, actions: list[AlertAction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = actions
        for a in actions:
            n = a.number
            self.fields[f"action_{n}_status"] = _radios(
                ActionStatus.choices, f"Select the status of action {n}"
            )
            self.fields[f"action_{n}_evidence"] = forms.CharField(
                max_length=5000, required=False, strip=True
            )
            self.fields[f"action_{n}_reason"] = forms.CharField(
                max_length=5000, required=False, strip=True
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for a in self.actions:
            n = a.number
            status = data.get(f"action_{n}_status")
            if status == ActionStatus.NOT_APPLICABLE and not data.get(f"action_{n}_reason"):
                self.add_error(f"action_{n}_reason", f"Enter why action {n} does not apply")
            if status == ActionStatus.COMPLETED and not data.get(f"action_{n}_evidence"):
                self.add_error(
                    f"action_{n}_evidence", f"Enter the evidence that action {n} is complete"
                )
        return data


class MeetingForm(forms.Form):
    held_on = Day("the date of the meeting", future=True)


class SurveillanceForm(forms.Form):
    organisation = forms.ChoiceField()
    concern = _text("Enter the concern")
    source = _text("Enter where the concern came from", max_length=200)
    decision = _text("Enter what the group decided")
    owner = _text("Enter who owns it", max_length=150)
    review_on = Day("the review date", future=True)
    status = _radios(LogStatus.choices, "Select the status")

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation(
            organisations, "Select the organisation the concern is about"
        )


class SqgActionForm(forms.Form):
    organisation = forms.ChoiceField()
    action = _text("Enter the action")
    owner = _text("Enter who owns the action", max_length=150)
    due_on = Day("the due date", future=True)
    status = _radios(LogStatus.choices, "Select the status")

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation(
            organisations, "Select the organisation the action is for"
        )
