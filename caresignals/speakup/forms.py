"""Forms for raising a concern, opening a case with its code, and the guardian's record.

Messages follow the NHS style ("Enter your concern"). Forms store nothing: services do.
"""

from __future__ import annotations

from typing import Any

from django import forms

from caresignals.speakup.codes import CODE_LENGTH, normalise_code, normalise_reference
from caresignals.speakup.models import CATEGORY_FIELDS
from caresignals.speakup.vocabulary import (
    PROFESSIONAL_GROUPS,
    Category,
    Detriment,
    Route,
    SpeakUpAgain,
)

CONCERN_MAX = 20_000
MESSAGE_MAX = 10_000
TEXT_MAX = 10_000


def _choice(choices: list[tuple[str, str]], message: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


class ConcernForm(forms.Form):
    """Raising a concern. `routes` limits how it may be raised: the signed-in page offers open
    and confidential, the anonymous page and the API none (always anonymous)."""

    org_code = _choice([], "Select your organisation")
    route = _choice(
        [
            (Route.OPEN.value, Route.OPEN.label),
            (Route.CONFIDENTIAL.value, Route.CONFIDENTIAL.label),
        ],
        "Select how you want to raise your concern",
    )
    concern = forms.CharField(
        max_length=CONCERN_MAX,
        strip=True,
        error_messages={
            "required": "Enter your concern",
            "max_length": f"Your concern must be {CONCERN_MAX:,} characters or fewer",
        },
    )
    categories = forms.MultipleChoiceField(
        choices=Category.choices,
        required=False,
        error_messages={"invalid_choice": "Select what your concern is about from the list"},
    )
    professional_group = _choice(
        [("", "Prefer not to say"), *PROFESSIONAL_GROUPS],
        "Select your professional group from the list",
        required=False,
    )

    def __init__(
        self, *args: Any, organisations: list[tuple[str, str]], with_route: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select your organisation"), *organisations]
        if not with_route:
            del self.fields["route"]

    @property
    def chosen_route(self) -> str:
        return str(self.cleaned_data.get("route") or Route.ANONYMOUS)


class CaseAccessForm(forms.Form):
    reference = forms.CharField(
        max_length=40, error_messages={"required": "Enter your reference"}, strip=True
    )
    access_code = forms.CharField(
        max_length=80, error_messages={"required": "Enter your access code"}, strip=True
    )

    def clean_reference(self) -> str:
        return normalise_reference(self.cleaned_data["reference"])

    def clean_access_code(self) -> str:
        code = self.cleaned_data["access_code"]
        if len(normalise_code(code)) != CODE_LENGTH:
            raise forms.ValidationError(
                f"Enter the access code exactly as shown: {CODE_LENGTH} letters and numbers"
            )
        return code


class MessageForm(forms.Form):
    text = forms.CharField(
        max_length=MESSAGE_MAX,
        strip=True,
        error_messages={
            "required": "Enter your message",
            "max_length": f"Your message must be {MESSAGE_MAX:,} characters or fewer",
        },
    )


class CaseRecordForm(forms.Form):
    """What the guardian records about a case (the NGO's fields and their own notes)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    categories = forms.MultipleChoiceField(
        choices=Category.choices,
        required=False,
        error_messages={"invalid_choice": "Select the elements from the list"},
    )
    professional_group = _choice(
        [("", "Not given"), *PROFESSIONAL_GROUPS],
        "Select the professional group from the list",
        required=False,
    )
    actions_taken = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        strip=True,
        error_messages={"max_length": f"Actions taken must be {TEXT_MAX:,} characters or fewer"},
    )
    outcome = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        strip=True,
        error_messages={"max_length": f"The outcome must be {TEXT_MAX:,} characters or fewer"},
    )
    suffered_detriment = _choice(
        [("", "Not recorded yet"), *Detriment.choices],
        "Select whether the person suffered detriment",
        required=False,
    )
    feedback_speak_up_again = _choice(
        [("", "No feedback given"), *SpeakUpAgain.choices],
        "Select the person's answer from the list",
        required=False,
    )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = set(data.get("categories") or [])
        out: dict[str, Any] = {name: name in chosen for name in CATEGORY_FIELDS}
        for name in (
            "professional_group",
            "actions_taken",
            "outcome",
            "suffered_detriment",
            "feedback_speak_up_again",
        ):
            out[name] = data.get(name) or ""
        return out


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def errors_of(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}
