"""Forms for the voice domain: what a person typed, checked, with NHS-style messages.

The public forms turn their answers into the body `public.check_body` takes (the same as the
public API's), so feedback means the same however it arrives. Forms never store anything.
"""

from __future__ import annotations

from typing import Any

from django import forms

from caresignals.core.forms import DateParts
from caresignals.core.vocabulary import Category, PhysicalHarm
from caresignals.voice.models import (
    RELATIONSHIP_MAX,
    CareOf,
    ChangeStatus,
    Complaint,
    FftRating,
    Kind,
    Outcome,
)
from caresignals.voice.public import NAME_MAX, TEXT_MAX, check_phone

FFT_QUESTION = "Overall, how was your experience of our service?"

KIND_CHOICES = [
    (Kind.COMPLIMENT.value, "Say thank you or pay a compliment"),
    (Kind.CONCERN.value, "Give feedback or raise a concern"),
    (Kind.COMPLAINT.value, "Make a complaint"),
    (Kind.FFT.value, "Answer the Friends and Family Test"),
]
EASY_KIND_CHOICES = [
    (Kind.COMPLIMENT.value, "Something was good"),
    (Kind.CONCERN.value, "Something was not good"),
    (Kind.COMPLAINT.value, "I want to make a complaint"),
    (Kind.FFT.value, "I want to say how it was overall"),
]
# The national scale in its order, in easy-read words (stored as the same ratings).
EASY_FFT_CHOICES = [
    (FftRating.VERY_GOOD.value, "Very good"),
    (FftRating.GOOD.value, "Good"),
    (FftRating.NEITHER.value, "Not good and not bad"),
    (FftRating.POOR.value, "Poor"),
    (FftRating.VERY_POOR.value, "Very poor"),
    (FftRating.DONT_KNOW.value, "I do not know"),
]

CARE_OF_CHOICES = [
    (CareOf.SELF.value, "My own care"),
    (CareOf.SOMEONE_ELSE.value, "Someone else's care, for example a relative's or a friend's"),
]
# Why a person may complain for someone else, in plain words (RepresentativeBasis).
BASIS_CHOICES = [
    ("consent", "They have agreed that I can complain for them"),
    ("died", "They have died"),
    ("child", "They are a child (under 18) and I am their parent or guardian"),
    (
        "lacks_capacity",
        "They cannot make the complaint themselves, because of an illness or disability",
    ),
    ("not_yet", "None of these: they have not agreed yet"),
]
EASY_CARE_OF_CHOICES = [
    (CareOf.SELF.value, "It is about me"),
    (CareOf.SOMEONE_ELSE.value, "It is about someone else"),
]
EASY_BASIS_CHOICES = [
    ("consent", "They said yes"),
    ("died", "They have died"),
    ("child", "They are a child. I am their parent or guardian"),
    ("lacks_capacity", "They cannot do it because they are ill or disabled"),
    ("not_yet", "They have not said yes yet"),
]
CARE_OF_REQUIRED = "Select whether your complaint is about your own care or someone else's"
RELATIONSHIP_REQUIRED = "Enter who you are to the person, like their son or their carer"
BASIS_REQUIRED = "Select why you can complain for them"


def _choice(choices: list[tuple[str, str]], required_message: str, **kw: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", ""), *choices],
        error_messages={"required": required_message, "invalid_choice": required_message},
        **kw,
    )


class StartForm(forms.Form):
    """Which provider, and what kind of feedback (sent with GET: no JavaScript needed)."""

    org_code = _choice([], "Select the NHS organisation")
    kind = _choice(KIND_CHOICES, "Select what you want to do")

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select an organisation"), *providers]


CONTACT_ORDER = ("name", "email", "phone", "consent_to_contact", "consent_to_publish")


class FeedbackForm(forms.Form):
    """The feedback itself. Which fields are required depends on the kind, fixed in advance."""

    service_code = forms.ChoiceField(choices=[], required=False)
    fft_rating = _choice(FftRating.choices, "Select how your experience was", required=False)
    text = forms.CharField(
        required=False,
        strip=True,
        max_length=TEXT_MAX,
        error_messages={"max_length": f"Your answer must be {TEXT_MAX:,} characters or fewer"},
    )
    name = forms.CharField(
        required=False,
        max_length=NAME_MAX,
        error_messages={"max_length": f"Your name must be {NAME_MAX} characters or fewer"},
    )
    email = forms.EmailField(
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    phone = forms.CharField(required=False, max_length=40)
    consent_to_contact = forms.BooleanField(required=False)
    consent_to_publish = forms.BooleanField(required=False)
    care_of = _choice(CARE_OF_CHOICES, CARE_OF_REQUIRED, required=False)
    relationship = forms.CharField(
        required=False,
        strip=True,
        max_length=RELATIONSHIP_MAX,
        error_messages={
            "max_length": f"Who you are to the person must be {RELATIONSHIP_MAX} characters "
            "or fewer"
        },
    )
    representative_basis = _choice(BASIS_CHOICES, BASIS_REQUIRED, required=False)
    # The honeypot: hidden from people by a CSS class; form-filling robots fill it in.
    website = forms.CharField(required=False)

    def __init__(
        self,
        *args: Any,
        kind: str,
        org_code: str,
        services: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.feedback_kind = kind
        self.provider_code = org_code
        field = self.fields["service_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Not sure, or the whole organisation"), *services]
        field.error_messages["invalid_choice"] = "Select a service from the list"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_care_of(data)  # asked before the text, so its errors are listed first
        if self.feedback_kind == Kind.FFT:
            if not data.get("fft_rating") and "fft_rating" not in self.errors:
                self.add_error("fft_rating", "Select how your experience was")
        elif not data.get("text") and "text" not in self.errors:
            messages = {
                Kind.COMPLIMENT: "Tell us what was good",
                Kind.CONCERN: "Tell us your feedback or concern",
                Kind.COMPLAINT: "Tell us what your complaint is about",
            }
            self.add_error("text", messages[Kind(self.feedback_kind)])
        phone = (data.get("phone") or "").strip()
        if phone and not check_phone(phone):
            self.add_error("phone", "Enter a phone number, like 0191 496 0000 or 07700 900 982")
        if self.feedback_kind == Kind.COMPLAINT:
            if not data.get("name") and "name" not in self.errors:
                self.add_error("name", "Enter your name")
            if not data.get("email") and not phone and not {"email", "phone"} & set(self.errors):
                self.add_error("email", "Enter an email address or a phone number")
            if not data.get("consent_to_contact"):
                self.add_error(
                    "consent_to_contact",
                    "Confirm that we may contact you about your complaint",
                )
        if (
            data.get("consent_to_publish")
            and not data.get("text")
            and self.feedback_kind == Kind.FFT
        ):
            self.add_error("consent_to_publish", "Write a comment if you want it published")
        self._errors_in_page_order()
        return data

    # The order the questions come on the page, so the error summary lists them in it.
    PAGE_ORDER: tuple[str, ...] = (
        "service_code",
        "care_of",
        "relationship",
        "representative_basis",
        "fft_rating",
        "text",
        *CONTACT_ORDER,
    )

    def _errors_in_page_order(self) -> None:
        first = [name for name in self.PAGE_ORDER if name in self.errors]
        found = dict(self.errors)
        self.errors.clear()
        for name in [*first, *(n for n in found if n not in first)]:
            self.errors[name] = found[name]

    def _clean_care_of(self, data: dict[str, Any]) -> None:
        """Whose care: asked for everything but the FFT, required for a complaint. Answers to
        the follow-up questions count only for someone else's care (hidden ones are ignored)."""
        if self.feedback_kind == Kind.FFT:
            data["care_of"] = ""
        care_of = data.get("care_of") or ""
        if care_of != CareOf.SOMEONE_ELSE:
            data["relationship"] = data["representative_basis"] = ""
            self.errors.pop("relationship", None)
            self.errors.pop("representative_basis", None)
        if self.feedback_kind != Kind.COMPLAINT:
            data["representative_basis"] = ""
            self.errors.pop("representative_basis", None)
        if "care_of" in self.errors:
            return
        if self.feedback_kind == Kind.COMPLAINT and not care_of:
            self.add_error("care_of", CARE_OF_REQUIRED)
        if care_of != CareOf.SOMEONE_ELSE:
            return
        if not data.get("relationship") and "relationship" not in self.errors:
            self.add_error("relationship", RELATIONSHIP_REQUIRED)
        if (
            self.feedback_kind == Kind.COMPLAINT
            and not data.get("representative_basis")
            and "representative_basis" not in self.errors
        ):
            self.add_error("representative_basis", BASIS_REQUIRED)

    def api_body(self) -> dict[str, Any]:
        data = self.cleaned_data
        body: dict[str, Any] = {
            "org_code": self.provider_code,
            "kind": self.feedback_kind,
            "text": data.get("text") or "",
            "consent_to_publish": bool(data.get("consent_to_publish")),
        }
        if data.get("service_code"):
            body["service_code"] = data["service_code"]
        if self.feedback_kind == Kind.FFT:
            body["fft_rating"] = data["fft_rating"]
        for name in ("care_of", "relationship", "representative_basis"):
            if data.get(name):
                body[name] = data[name]
        contact = {
            k: v
            for k, v in (
                ("name", data.get("name")),
                ("email", data.get("email")),
                ("phone", (data.get("phone") or "").strip()),
            )
            if v
        }
        if contact:
            body["contact"] = contact
            body["consent_to_contact"] = bool(data.get("consent_to_contact"))
        return body


class EasyReadForm(FeedbackForm):
    """The easy-read form: the provider and kind asked on the same page, fewer words."""

    org_code = _choice([], "Choose the place")
    kind = _choice(EASY_KIND_CHOICES, "Choose what you want to tell us")

    def __init__(self, *args: Any, providers: list[tuple[str, str]], **kwargs: Any) -> None:
        data = args[0] if args else kwargs.get("data")
        super().__init__(
            *args,
            kind=(data or {}).get("kind", ""),
            org_code=(data or {}).get("org_code", ""),
            services=[],
            **kwargs,
        )
        field = self.fields["org_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a place"), *providers]

    fft_rating = _choice(EASY_FFT_CHOICES, "Choose how it was", required=False)
    care_of = _choice(EASY_CARE_OF_CHOICES, "Choose who it is about", required=False)
    representative_basis = _choice(
        EASY_BASIS_CHOICES, "Choose why you can complain for them", required=False
    )
    PAGE_ORDER = (
        "org_code",
        "kind",
        "fft_rating",
        "text",
        "care_of",
        "relationship",
        "representative_basis",
        *CONTACT_ORDER,
    )
    EASY_MESSAGES = {
        "text": "Write what happened",
        "fft_rating": "Choose how it was",
        "care_of": "Choose who it is about",
        "relationship": "Write who you are to them",
        "representative_basis": "Choose why you can complain for them",
    }

    def fft_body(self) -> dict[str, Any] | None:
        """The Friends and Family Test answer given alongside another kind, as its own FFT
        response (what the standard form's FFT stores), so it is never silently dropped. It
        is anonymous: no contact details, no comment, nothing to publish. None when there
        is no such answer (or the kind is the FFT itself, which carries it already)."""
        data = self.cleaned_data
        if self.feedback_kind == Kind.FFT or not data.get("fft_rating"):
            return None
        return {
            "org_code": self.provider_code,
            "kind": Kind.FFT.value,
            "text": "",
            "fft_rating": data["fft_rating"],
        }

    def clean(self) -> dict[str, Any]:
        if self.feedback_kind not in dict(EASY_KIND_CHOICES):
            return super(FeedbackForm, self).clean() or {}
        data = super().clean()
        for name, message in self.EASY_MESSAGES.items():
            if name in self.errors and not (self.data.get(name) or "").strip():
                self.errors[name] = self.error_class([message])  # missing: said simply
        self._errors_in_page_order()
        return data


# -- staff ----------------------------------------------------------------------------------


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OwnerForm(VersionedForm):
    """Who works the complaint: a person of the provider's complaints team (ADR 21)."""

    owner_person = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Select a person of the complaints team"},
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "The complaints team (no one person)"), *people]


class AgreedDate(DateParts):
    """A date that may be in the future (an agreed response date)."""

    future = True
    years = (2000, 2100)
    out_of_years = "must be a real date"


class AcknowledgeForm(VersionedForm):
    acknowledged_on = DateParts("the date you acknowledged the complaint", required=True)
    response_due = AgreedDate("the response date agreed with the complainant", required=False)

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        received = self.complaint.feedback.received_on
        ack = data.get("acknowledged_on")
        if ack and ack < received:
            self.add_error(
                "acknowledged_on",
                "The acknowledgement cannot be before the complaint was received",
            )
        due = data.get("response_due")
        if due and due < (ack or received):
            self.add_error("response_due", "The response date must be after the acknowledgement")
        return data


class ResponseDateForm(VersionedForm):
    response_due = AgreedDate("the response date agreed with the complainant", required=True)

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        due = data.get("response_due")
        if due and due < self.complaint.feedback.received_on:
            self.add_error(
                "response_due", "The response date must be after the complaint was received"
            )
        return data


class SixMonthLetterForm(VersionedForm):
    six_month_letter_on = DateParts("the date of the 6-month letter", required=True)

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sent = data.get("six_month_letter_on")
        if sent and sent < self.complaint.feedback.received_on:
            self.add_error(
                "six_month_letter_on", "The letter cannot be before the complaint was received"
            )
        return data


class FinalResponseForm(VersionedForm):
    final_response_on = DateParts("the date of the final response", required=True)
    outcome = _choice(Outcome.choices, "Select the outcome")
    ombudsman_signposted = forms.BooleanField(
        error_messages={
            "required": "Confirm that the final response tells the complainant about the "
            "Parliamentary and Health Service Ombudsman"
        }
    )

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sent = data.get("final_response_on")
        if sent and sent < self.complaint.feedback.received_on:
            self.add_error(
                "final_response_on",
                "The final response cannot be before the complaint was received",
            )
        return data


class LinkEventForm(VersionedForm):
    event_reference = forms.CharField(
        max_length=20,
        strip=True,
        error_messages={"required": "Enter the safety event's reference, like PSE-CYX6CAAAB4K7QZ"},
    )


REPORTER_CHOICES = [("patient", "The patient"), ("family_carer", "A family member or carer")]


class CreateEventForm(VersionedForm):
    occurred_on = DateParts("the date it happened", required=True)
    category = _choice(Category.choices, "Select what kind of event it was")
    physical_harm = _choice(
        PhysicalHarm.choices, "Select the physical harm as the complaint describes it"
    )
    reporter_type = _choice(REPORTER_CHOICES, "Select who made the complaint")
    description = forms.CharField(
        max_length=TEXT_MAX,
        strip=True,
        error_messages={"required": "Describe what happened, without names"},
    )


class ReplyForm(VersionedForm):
    reply = forms.CharField(
        max_length=TEXT_MAX,
        strip=True,
        error_messages={"required": "Enter your reply"},
    )


MODERATION_CHOICES = [("approve", "Publish the edited story"), ("reject", "Do not publish")]


class ModerationForm(VersionedForm):
    decision = _choice(MODERATION_CHOICES, "Select whether to publish the story")
    published_text = forms.CharField(required=False, max_length=TEXT_MAX, strip=True)
    reason = forms.CharField(required=False, max_length=1000, strip=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "approve" and not data.get("published_text"):
            self.add_error(
                "published_text",
                "Enter the story as it will be published, "
                "with names and identifying details removed",
            )
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", "Enter why the story will not be published")
        return data


class ChangeForm(VersionedForm):
    change_status = _choice(
        [(v, str(label)) for v, label in ChangeStatus.choices if v], "Select planned or made"
    )
    change_description = forms.CharField(
        max_length=300,
        strip=True,
        error_messages={
            "required": "Describe the change in a sentence",
            "max_length": "The description must be 300 characters or fewer",
        },
    )
