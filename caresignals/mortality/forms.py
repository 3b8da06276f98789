"""Forms for adding and screening a death. The Structured Judgement Review's answers are
checked by services.check_review, which tests call directly too."""

from __future__ import annotations

from django import forms

from caresignals.core.forms import DateParts
from caresignals.mortality.vocabulary import Criterion, Screening
from caresignals.safety.vocabulary import EthnicGroup, TriState

QUINTILES = [
    ("", "Not known"),
    ("1", "1 (most deprived)"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 (least deprived)"),
]


class ScreeningForm(forms.Form):
    screening = forms.ChoiceField(
        choices=[(c, label) for c, label in Screening.choices if c],
        error_messages={
            "required": "Select whether the death is in scope for a review",
            "invalid_choice": "Select whether the death is in scope for a review",
        },
    )
    screening_reason = forms.CharField(
        required=False, max_length=5000, strip=True
    )  # required: the service says so, with its own words
    criteria = forms.MultipleChoiceField(
        choices=Criterion.choices,
        required=False,
        error_messages={"invalid_choice": "Select only the reasons listed"},
    )
    version = forms.IntegerField(min_value=0, required=False)


class DeathForm(forms.Form):
    provider = forms.ChoiceField(
        error_messages={
            "required": "Select the provider where the person died",
            "invalid_choice": "Select the provider where the person died",
        }
    )
    died_on = DateParts("the date the person died")
    age_years = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=125,
        error_messages={
            "invalid": "Age at death must be a whole number of years, like 74",
            "min_value": "Age at death must be between 0 and 125",
            "max_value": "Age at death must be between 0 and 125",
        },
    )
    ethnic_group = forms.ChoiceField(
        choices=EthnicGroup.choices,
        error_messages={"required": "Select the person's ethnic group, or not known"},
    )
    imd_quintile = forms.ChoiceField(choices=QUINTILES, required=False)
    learning_disability = forms.ChoiceField(
        choices=TriState.choices,
        error_messages={"required": "Select whether the person had a learning disability"},
    )
    summary = forms.CharField(
        max_length=5000,
        error_messages={
            "required": "Enter what happened, without names",
            "max_length": "What happened must be 5,000 characters or fewer",
        },
    )
    criteria = forms.MultipleChoiceField(
        choices=Criterion.choices,
        required=False,
        error_messages={"invalid_choice": "Select only the reasons listed"},
    )

    def __init__(self, *args: object, providers: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ChoiceField)
        provider.choices = [("", "Select a provider"), *providers]


class LederForm(forms.Form):
    initial_review_on = DateParts("the date of the initial review", required=False)
    focused_review_needed = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={"required": "Select whether a focused review is needed"},
    )
    focused_review_reason = forms.CharField(required=False, max_length=5000)
    focused_review_on = DateParts("the date of the focused review", required=False)
    sign_off = forms.BooleanField(required=False)
    version = forms.IntegerField(min_value=0, required=False)
