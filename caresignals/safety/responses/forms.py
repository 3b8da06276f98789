"""Forms for triage, plan rules, learning responses, people engaged and safety actions.

They check what a person typed and say what to fix; services store it (responses/services.py).
Each edit form carries the version it was read at, for the "someone else changed this" check.
"""

from __future__ import annotations

from typing import Any

from django import forms

from caresignals.core.forms import DateParts
from caresignals.core.references import references_in
from caresignals.organisations.models import Organisation
from caresignals.safety.responses import psirf
from caresignals.safety.vocabulary import Category, MaxHarm, PhysicalHarm, ServiceArea

TEXT_MAX = 10_000


class AnyDateParts(DateParts):
    """A date that may be in the future (a due date, a review date)."""

    future = True
    years = (2000, 2100)
    out_of_years = "must be between 2000 and 2100"


def _choice(
    choices: Any, message: str, *, blank: str | None = None, **kw: Any
) -> forms.ChoiceField:
    options = list(choices)
    if blank is not None:
        options = [("", blank), *options]
    return forms.ChoiceField(
        choices=options,
        required=blank is None,
        error_messages={"required": message, "invalid_choice": message},
        **kw,
    )


def _text(
    required_message: str | None, what: str, *, max_length: int = TEXT_MAX
) -> forms.CharField:
    return forms.CharField(
        required=required_message is not None,
        max_length=max_length,
        strip=True,
        error_messages={
            "required": required_message or "",
            "max_length": f"{what} must be {max_length:,} characters or fewer",
        },
    )


#: The blank choice of an owner: whoever saves the form owns the item (ADR 21).
YOU = "You (the person saving this)"


def owner_field(message: str) -> forms.ChoiceField:
    """A person to own the item, from those with a role in its organisation
    (organisations.queries.person_choices, set by the form's `people`)."""
    return _choice([], message, blank=YOU)


def set_people(form: forms.Form, people: Any) -> None:
    field = form.fields["owner_person"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", YOU), *people]


class VersionField(forms.IntegerField):
    def __init__(self) -> None:
        super().__init__(min_value=0, required=True, widget=forms.HiddenInput)


#: Said when a triage decision is saved with no response chosen: nothing is assumed for the lead.
CHOOSE_RESPONSE = "Choose how to respond to this event"


# What a member of the public did not know, set by the team at triage (hazard H71).
KNOWN_CATEGORIES = [(c, label) for c, label in Category.choices if c != Category.NOT_KNOWN]


class TriageForm(forms.Form):
    response = _choice(psirf.ResponseType.choices, CHOOSE_RESPONSE)
    note = _text(None, "The note", max_length=2000)
    # Shown only while the event's harm or category is not known; optional.
    physical_harm = _choice(PhysicalHarm.choices, "Select the harm", blank="Not known yet")
    category = _choice(KNOWN_CATEGORIES, "Select what it was about", blank="Not known yet")
    version = VersionField()

    def __init__(self, *args: Any, requirement: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requirement = requirement

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.requirement and data.get("response") not in (None, "psii"):
            from caresignals.safety.responses.services import NO_REQUIREMENT_MESSAGE

            self.add_error("response", NO_REQUIREMENT_MESSAGE)
        return data


class PlanRuleForm(forms.Form):
    category = _choice(Category.choices, "Select a category", blank="Any category")
    min_harm = _choice(MaxHarm.choices, "Select a harm", blank="Any harm")
    service_area = _choice(ServiceArea.choices, "Select a service area", blank="Any service area")
    service = _choice([], "Select one of this provider's services", blank="Any service")
    response = _choice(psirf.ResponseType.choices, "Select the learning response")
    position = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=999,
        error_messages={
            "invalid": "Order must be a whole number, like 3",
            "min_value": "Order must be 1 or more",
            "max_value": "Order must be 999 or less",
        },
    )
    version = VersionField()

    def __init__(self, *args: Any, services: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {s.code: s for s in services}
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any service")] + [(s.code, s.name) for s in services]


class LearningResponseForm(forms.Form):
    kind = _choice(psirf.LearningResponseType.choices, "Select the type of learning response")
    title = _text("Enter a title", "The title", max_length=200)
    events = forms.CharField(
        max_length=2000,
        error_messages={"required": "Enter the reference of at least one event"},
    )
    terms_of_reference = _text("Enter the terms of reference", "The terms of reference")
    lead = _text("Enter who leads the response", "The lead", max_length=200)
    owner_person = owner_field("Select the person who leads the response")
    status = _choice(psirf.ResponseStatus.choices, "Select the status")
    # A response cannot have started on a day still to come ("today" from core/clock.py).
    started_on = DateParts(
        "the start date",
        required=False,
        years=AnyDateParts.years,
        out_of_years=AnyDateParts.out_of_years,
    )
    due_on = AnyDateParts("the date it is due to be completed", required=False)
    completed_on = AnyDateParts("the date it was completed", required=False)
    summary = _text(None, "The summary")
    version = VersionField()

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_people(self, people)
        for factor, label in psirf.SeipsFactor.choices:
            self.fields[f"finding_{factor}"] = _text(None, f"The finding on {label.lower()}")

    def clean_events(self) -> list[str]:
        references, leftover = references_in(self.cleaned_data["events"])
        if leftover or not references:
            raise forms.ValidationError(
                "Enter event references like PSE-CYX6CAAAB4K7QZ or K7P 4QX 92M, "
                "separated by spaces or commas"
            )
        return references

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        status = data.get("status")
        if status == psirf.ResponseStatus.COMPLETED:
            if not data.get("completed_on"):
                self.add_error("completed_on", "Enter the date it was completed")
            if not data.get("summary"):
                self.add_error("summary", "Enter a summary of what the response found")
        elif data.get("completed_on"):
            self.add_error("completed_on", "Leave the completion date blank until it is completed")
        started, due = data.get("started_on"), data.get("due_on")
        if started and due and due < started:
            self.add_error("due_on", "The due date must be on or after the start date")
        if started and data.get("completed_on") and data["completed_on"] < started:
            self.add_error("completed_on", "The completion date must be on or after the start date")
        return data

    def findings(self) -> dict[str, str]:
        return {
            factor: self.cleaned_data.get(f"finding_{factor}", "")
            for factor in psirf.SeipsFactor.values
        }


class EngagementForm(forms.Form):
    group = _choice(psirf.EngagedGroup.choices, "Select who was engaged")
    who = _text(
        "Enter who was engaged, by their role or relationship", "Who was engaged", max_length=200
    )
    method = _choice(psirf.EngagementMethod.choices, "Select how they were engaged")
    engaged_on = DateParts("the date they were engaged", required=False)


class SafetyActionForm(forms.Form):
    description = _text("Enter the action", "The action")
    owner = _text("Enter who owns the action", "The owner", max_length=200)
    owner_person = owner_field("Select the person who owns the action")
    due_on = AnyDateParts("the date the action is due")
    measure_of_effect = _text(
        "Enter how its effect will be measured", "The measure of effect", max_length=TEXT_MAX
    )
    review_on = AnyDateParts("the date its effect will be reviewed", required=False)
    status = _choice(psirf.ActionStatus.choices, "Select the status")
    reason_not_taken = _text(None, "The reason")
    version = VersionField()

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_people(self, people)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("status") == psirf.ActionStatus.NOT_TAKEN_FORWARD and not data.get(
            "reason_not_taken"
        ):
            self.add_error("reason_not_taken", "Enter why the action is not being taken forward")
        due, review = data.get("due_on"), data.get("review_on")
        if due and review and review < due:
            self.add_error("review_on", "The review date must be on or after the due date")
        return data


# --- owners updating their own work, and who triages an event (ADR 21) ------------------------

TEAM = "The patient-safety team"


class TriageOwnerForm(forms.Form):
    """Who is to triage an event: one of the provider's patient-safety leads, or the team."""

    owner_person = _choice([], "Select who is to triage the event", blank=TEAM)

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", TEAM), *people]


class ActionProgressForm(forms.Form):
    """What the owner of a safety action may change: its status and how it is going."""

    status = _choice(psirf.ActionStatus.choices, "Select the status")
    reason_not_taken = _text(None, "The reason")
    progress = _text(None, "The progress note")
    version = VersionField()


class ResponseProgressForm(forms.Form):
    """What the owner of a learning response may change: planned or in progress, and a note."""

    status = _choice(
        [
            (psirf.ResponseStatus.PLANNED.value, psirf.ResponseStatus.PLANNED.label),
            (psirf.ResponseStatus.IN_PROGRESS.value, psirf.ResponseStatus.IN_PROGRESS.label),
        ],
        "Select the status",
    )
    progress = _text(None, "The progress note")
    version = VersionField()
