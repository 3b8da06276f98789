"""The forms for recording a patient-safety event (staff) and reporting a concern (public).

Forms check what a person typed and say what to fix, in the NHS style ("Enter what
happened"). They never store anything: the staff steps become one events.csv row
(`event_fields`) and the public form becomes the body the public API takes, both stored by
`safety.services.record_event` through the importer's rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms

from caresignals.core import clock
from caresignals.core.forms import DateParts
from caresignals.core.forms import radios as _radios
from caresignals.organisations.models import Organisation
from caresignals.organisations.queries import visible_organisations
from caresignals.safety.events.areas import ANY_AREA, service_areas_for
from caresignals.safety.vocabulary import (
    ETHNIC_CATEGORY,
    Category,
    NeverEventType,
    PatientSex,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ServiceArea,
    StrengthOfAssociation,
    TriState,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
DESCRIPTION_MAX = 20_000  # the importer's limit (events.csv description)
HARMED_TYPES = ("incident", "outcome")  # record types with a patient and a harm grade

# What each harm grade means, in plain words, as LFPSE defines them: shown under each answer
# so that two people grade the same harm the same way (hazard H75).
PHYSICAL_HARM_HINTS = {
    "none": "No physical harm, including when the incident was stopped before it reached the "
    "patient.",
    "low": "Minimal harm: the patient needed extra observation or minor treatment, such as "
    "first aid.",
    "moderate": "Significant harm that is not permanent, needing a moderate increase in "
    "treatment, such as an unplanned return to theatre or a longer stay.",
    "severe": "Permanent harm, or harm likely to shorten the patient's life or to change for "
    "good what they can do.",
    "fatal": "The patient died and the incident caused or contributed to their death. If they "
    "died of something else, choose the harm the incident itself did.",
}
PSYCHOLOGICAL_HARM_HINTS = {
    "none": "No distress or emotional harm that you know of.",
    "low": "Minimal distress that needed little or no extra support.",
    "moderate": "Significant distress that is not permanent but needs extra support or "
    "treatment, such as a referral for psychological care.",
    "severe": "Permanent or long-lasting psychological harm that greatly changes the "
    "patient's life or what they can do.",
}

# Which service areas fit which provider or service: one rule for the form, imports, the API
# and FHIR (safety/events/areas.py, hazard H75).
_ANY_AREA = ANY_AREA


@dataclass(frozen=True)
class Place:
    """Somewhere an event can be recorded against: a provider, or one of its services, with
    the service areas that fit it."""

    code: str
    label: str
    org_code: str
    service_code: str
    areas: tuple[str, ...] = _ANY_AREA


@dataclass(frozen=True)
class AreaOption:
    code: str
    label: str
    selected: bool


@dataclass(frozen=True)
class AreaGroup:
    """One place's service areas, as the first page lists them."""

    place_code: str
    place_label: str
    options: list[AreaOption]


def recording_places(user: Any) -> list[Place]:
    """Providers and services the user may see (their scope), in tree order."""
    orgs = (
        visible_organisations(user)
        .filter(kind__in=["provider", "service"])
        .select_related("parent")
        .order_by("path")
    )
    places = []
    for org in orgs:
        if org.kind == "service":
            parent = org.parent
            if parent is None:
                continue
            places.append(
                Place(
                    org.code,
                    f"{org.name} ({parent.name})",
                    parent.code,
                    org.code,
                    service_areas_for(org.kind, org.type),
                )
            )
        else:
            places.append(
                Place(org.code, org.name, org.code, "", service_areas_for(org.kind, org.type))
            )
    return places


def public_providers() -> list[tuple[str, str]]:
    """Every provider, by name: anyone may report a concern about any of them."""
    return list(
        Organisation.objects.filter(kind="provider").order_by("name").values_list("code", "name")
    )


def _select(choices: list[tuple[str, str]], message: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", "Select an option"), *choices],
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


class EventStepOne(forms.Form):
    """The short first page: what, where, when, and the harm to the patient."""

    record_type = _radios(RecordType.choices, "Select what you are recording")
    place = _select([], "Select the organisation or service")
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        strip=True,
        error_messages={
            "required": "Enter what happened",
            "max_length": f"What happened must be {DESCRIPTION_MAX:,} characters or fewer",
        },
    )
    occurred_on = DateParts("the date it happened")
    service_area = _select(ServiceArea.choices, "Select the service area")
    # "Not known" is for what a member of the public could not say; staff choose.
    category = _select(
        [(c, label) for c, label in Category.choices if c != Category.NOT_KNOWN],
        "Select what it was about",
    )
    physical_harm = _radios(PhysicalHarm.choices, "", required=False)
    psychological_harm = _radios(PsychologicalHarm.choices, "", required=False)
    anonymous = _radios(YES_NO, "Select yes if you want to record this anonymously")

    def __init__(self, *args: Any, places: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {p.code: p for p in places}
        field = self.fields["place"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select an organisation or service")] + [
            (p.code, p.label) for p in places
        ]

    def area_groups(self, values: dict[str, str]) -> list[AreaGroup]:
        """The service-area list, grouped under each place, so that without JavaScript a
        person picks from their place's own group (with it, the page shows only that group).
        The answer given is selected once: in the chosen place's group if it fits there,
        else in the first group that has it."""
        labels = dict(ServiceArea.choices)
        chosen_place, chosen_area = values.get("place", ""), values.get("service_area", "")
        fitting = [p.code for p in self.places.values() if chosen_area in p.areas]
        home = chosen_place if chosen_place in fitting else next(iter(fitting), "")
        return [
            AreaGroup(
                place.code,
                place.label,
                [
                    AreaOption(a, str(labels[a]), place.code == home and a == chosen_area)
                    for a in place.areas
                ],
            )
            for place in self.places.values()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        place = self.places.get(data.get("place") or "")
        area = data.get("service_area")
        if place is not None and area and area not in place.areas:
            labels = dict(ServiceArea.choices)
            fits = ", ".join(str(labels[a]) for a in place.areas)
            self.add_error(
                "service_area",
                f"Select a service area that fits {place.label}: {fits}",
            )
        if data.get("record_type") in HARMED_TYPES:
            if not data.get("physical_harm"):
                self.add_error("physical_harm", "Select the physical harm to the patient")
            if not data.get("psychological_harm"):
                self.add_error("psychological_harm", "Select the psychological harm to the patient")
        else:  # risks and good care grade no harm
            data["physical_harm"] = ""
            data["psychological_harm"] = ""
        return data


def needs_step_two(step_one: dict[str, Any]) -> bool:
    """Whether any second-page question applies: only incidents and outcomes have them."""
    return step_one.get("record_type") in HARMED_TYPES


# The physical harm grades under which the patient may have died: "Did the patient die?" is
# asked only for these. Fatal harm says they did (the question is not asked; only whether the
# death was more likely than not due to problems in care); severe harm may shorten a life, so
# the patient may have died since. Lower grades do not ask, and record that they did not.
DEATH_POSSIBLE = ("severe", "fatal")


def severe_harm(step_one: dict[str, Any]) -> bool:
    return step_one.get("physical_harm") in ("severe", "fatal") or (
        step_one.get("psychological_harm") == "severe"
    )


class EventStepTwo(forms.Form):
    """Only the questions that apply, decided by the first page's answers."""

    never_event = _radios(YES_NO, "Select yes if this was a Never Event")
    never_event_type = _select(NeverEventType.choices, "Select the type of Never Event")
    patient_age_years = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=120,
        error_messages={
            "invalid": "Age must be a whole number of years, like 42",
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 120 or less",
        },
    )
    patient_sex = _radios(PatientSex.choices, "Select the patient's sex", required=False)
    patient_ethnicity = _select(
        list(ETHNIC_CATEGORY.items()), "Select the patient's ethnic group", required=False
    )
    learning_disability = _radios(TriState.choices, "", required=False)
    autism = _radios(TriState.choices, "", required=False)
    detained_mha = _radios(TriState.choices, "", required=False)
    patient_died = _radios(YES_NO, "Select yes if the patient died")
    death_in_care_more_likely_than_not = _radios(
        YES_NO, "Select yes if the death was more likely than not due to problems in care"
    )
    strength_of_association = _radios(
        StrengthOfAssociation.choices, "Select how strongly the event is linked to the harm"
    )

    def __init__(self, *args: Any, step_one: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks_never_event = step_one.get("record_type") == "incident"
        self.asks_patient = step_one.get("record_type") in HARMED_TYPES
        self.asks_association = severe_harm(step_one)
        self.fatal = step_one.get("physical_harm") == "fatal"
        # "Did the patient die?" only where death is possible and not already said.
        self.asks_died = self.asks_patient and step_one.get("physical_harm") == "severe"
        # Whether the death was due to problems in care: under "Yes" when asked, else directly.
        self.asks_death_in_care = self.asks_died or (self.asks_patient and self.fatal)
        drop = []
        if not self.asks_never_event:
            drop += ["never_event", "never_event_type"]
        if not self.asks_patient:
            drop += [
                "patient_age_years",
                "patient_sex",
                "patient_ethnicity",
                "learning_disability",
                "autism",
                "detained_mha",
                "patient_died",
                "death_in_care_more_likely_than_not",
            ]
        if not self.asks_association:
            drop.append("strength_of_association")
        if self.asks_patient and not self.asks_died:
            drop.append("patient_died")
        if self.asks_patient and not self.asks_death_in_care:
            drop.append("death_in_care_more_likely_than_not")
        for name in drop:
            del self.fields[name]
        # Conditional questions are checked in clean(), once their trigger is known. (With
        # fatal harm the death question is asked outright, so stays required.)
        conditional = ["never_event_type"]
        if self.asks_died:
            conditional.append("death_in_care_more_likely_than_not")
        for name in conditional:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.asks_never_event:
            if data.get("never_event") == "yes" and not data.get("never_event_type"):
                self.add_error("never_event_type", "Select the type of Never Event")
            elif data.get("never_event") != "yes":
                data["never_event_type"] = ""
        if self.asks_patient and self.fatal:
            data["patient_died"] = "yes"  # fatal harm: the patient died
        elif self.asks_patient and not self.asks_died:
            data["patient_died"] = "no"  # no grade under which the patient could have died
            data["death_in_care_more_likely_than_not"] = ""
        elif self.asks_died:
            if data.get("patient_died") == "yes" and not data.get(
                "death_in_care_more_likely_than_not"
            ):
                self.add_error(
                    "death_in_care_more_likely_than_not",
                    "Select yes if the death was more likely than not due to problems in care",
                )
            elif data.get("patient_died") != "yes":
                data["death_in_care_more_likely_than_not"] = ""
        return data


def event_fields(step_one: dict[str, Any], step_two: dict[str, Any], place: Place) -> dict:
    """The events.csv row for a staff member's answers (both steps already valid)."""

    def flag(value: object) -> bool:
        return value == "yes"

    occurred = step_one["occurred_on"]
    return {
        "record_type": step_one["record_type"],
        "org_code": place.org_code,
        "service_code": place.service_code,
        "occurred_on": occurred.isoformat() if isinstance(occurred, dt.date) else occurred,
        "reported_on": clock.today().isoformat(),
        "service_area": step_one["service_area"],
        "category": step_one["category"],
        "physical_harm": step_one.get("physical_harm") or "",
        "psychological_harm": step_one.get("psychological_harm") or "",
        "never_event_type": step_two.get("never_event_type") or "",
        "strength_of_association": step_two.get("strength_of_association") or "",
        "patient_died": flag(step_two.get("patient_died")),
        "death_in_care_more_likely_than_not": flag(
            step_two.get("death_in_care_more_likely_than_not")
        ),
        "patient_age_years": step_two.get("patient_age_years"),
        "patient_sex": step_two.get("patient_sex") or "",
        "patient_ethnicity": step_two.get("patient_ethnicity") or "",
        "learning_disability": step_two.get("learning_disability") or "unknown",
        "autism": step_two.get("autism") or "unknown",
        "detained_mha": step_two.get("detained_mha") or "unknown",
        "description": step_one["description"],
        "reporter_type": "staff",
        "anonymous": flag(step_one.get("anonymous")),
    }


PUBLIC_WHO = [
    ("patient", "I am the patient"),
    ("family_carer", "I am a family member, friend or carer of the patient"),
]


# "Was the person hurt?" in plain words, each mapped to the LFPSE physical harm level the
# staff form records. "I don't know" (and no answer) is stored as harm not known, never as
# "No harm": the patient safety team sets the harm when it triages the report (hazard H71).
NOT_SURE = "not_sure"
PUBLIC_HARM = [
    ("none", "No, they were not hurt"),
    ("low", "Yes, a little – they needed a check or minor treatment, such as a dressing"),
    ("moderate", "Yes – they needed more treatment or a longer stay, but should recover"),
    ("severe", "Yes, badly – the harm is likely to be permanent or long-lasting"),
    ("fatal", "They died"),
    (NOT_SURE, "I don't know"),
]
# "What was it about?" in plain words, each an LFPSE category ("I'm not sure": not known).
PUBLIC_CATEGORY = [
    ("falls", "A fall"),
    ("medication", "Medicines – the wrong medicine or dose, or a medicine missed or late"),
    ("pressure_ulcer", "A pressure sore or other damage to the skin"),
    ("deterioration", "They became more unwell and it was not noticed or acted on"),
    ("diagnosis", "A diagnosis that was missed, wrong or late"),
    ("treatment", "Treatment, care or an operation"),
    ("infection", "An infection they caught while being cared for"),
    ("access_transfer_discharge", "Getting care, being moved, or being sent home"),
    ("communication_consent", "What they were told or asked, or their consent"),
    ("device", "Equipment"),
    ("maternity", "Pregnancy, birth or care of a newborn baby"),
    ("self_harm", "Self-harm"),
    ("safeguarding", "Abuse or neglect"),
    ("staffing", "Not enough staff"),
    ("other", "Something else"),
    (NOT_SURE, "I'm not sure"),
]


class ConcernForm(forms.Form):
    """A patient, family member or carer tells us about a safety concern."""

    org_code = _select([], "Select the NHS organisation")
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        strip=True,
        error_messages={
            "required": "Tell us what happened",
            "max_length": f"What happened must be {DESCRIPTION_MAX:,} characters or fewer",
        },
    )
    occurred_on = DateParts("the date it happened")
    reporter_type = _radios(PUBLIC_WHO, "Select who you are")
    # Optional: not answered is stored as not known, as "I don't know" is.
    physical_harm = _radios(PUBLIC_HARM, "Select whether the person was hurt", required=False)
    category = _radios(PUBLIC_CATEGORY, "Select what it was about", required=False)
    # The honeypot: hidden from people by a CSS class; form-filling robots fill it in.
    website = forms.CharField(required=False)

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select an organisation"), *providers]

    def api_body(self) -> dict[str, Any]:
        """The public API's request body for these answers (no contact: anonymous)."""
        data = self.cleaned_data
        body: dict[str, Any] = {
            "org_code": data["org_code"],
            "description": data["description"],
            "occurred_on": data["occurred_on"].isoformat(),
            "reporter_type": data["reporter_type"],
        }
        harm = data.get("physical_harm") or NOT_SURE
        if harm != NOT_SURE:
            body["physical_harm"] = harm
            if harm == "fatal":
                body["patient_died"] = True
        category = data.get("category") or NOT_SURE
        if category != NOT_SURE:
            body["category"] = category
        return body
