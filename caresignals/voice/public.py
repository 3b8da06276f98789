"""What a member of the public's feedback must hold, checked the same way however it arrives.

The public web forms turn their answers into this body, and `POST /api/v1/public/feedback`
takes it as JSON (docs/api.md): `{"org_code", "service_code"?, "kind", "text",
"fft_rating"?, "contact"? {"name", "email" | "phone"}, "consent_to_publish"?,
"consent_to_contact"?, "care_of"?, "relationship"?, "representative_basis"?}`.
`check_body` answers the cleaned values or the errors per field; `services.receive_feedback`
then checks the codes against the database and stores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from caresignals.voice.models import (
    RELATIONSHIP_MAX,
    CareOf,
    FftRating,
    Kind,
    RepresentativeBasis,
)

TEXT_MAX = 5_000
NAME_MAX = 200
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{6,24}$")

FIELDS = {
    "org_code": "the provider's code (required)",
    "service_code": "the service's code, if known",
    "kind": "compliment, concern, complaint or fft (required)",
    "text": "what you want to tell us (required, except for fft, where it is an optional comment)",
    "fft_rating": "for fft: very_good, good, neither, poor, very_poor or dont_know",
    "contact": 'for a reply: {"name", "email" and/or "phone"}; required for a complaint',
    "consent_to_publish": "true to agree that a de-identified version may be published "
    "after moderation",
    "consent_to_contact": "false to refuse contact although details were given "
    "(default true when contact details are given)",
    "care_of": "whose care it is about: self or someone_else",
    "relationship": "for someone_else: who you are to them, such as daughter (required)",
    "representative_basis": "for a complaint about someone_else (required): consent, died, "
    "child, lacks_capacity or not_yet",
    "website": "leave empty",
}
BASES = ", ".join(RepresentativeBasis.values)


@dataclass(frozen=True)
class PublicFeedback:
    org_code: str
    service_code: str
    kind: str
    text: str
    fft_rating: str
    name: str
    email: str
    phone: str
    consent_to_contact: bool
    consent_to_publish: bool
    care_of: str = ""
    relationship: str = ""
    representative_basis: str = ""


def _text(body: dict[str, Any], name: str, errs: dict[str, list[str]]) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errs[name] = ["Expected text"]
        return ""
    return value.strip()


def check_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def check_phone(value: str) -> bool:
    return bool(PHONE_PATTERN.match(value))


def _check_care_of(
    kind: str, care_of: str, relationship: str, basis: str, errs: dict[str, list[str]]
) -> None:
    """Someone else's care needs the relationship and, for a complaint, why the person giving
    it may complain for them; one's own care needs neither."""
    if care_of and care_of not in (CareOf.SELF, CareOf.SOMEONE_ELSE):
        errs.setdefault("care_of", ["Expected self or someone_else"])
        return
    if care_of == CareOf.SOMEONE_ELSE:
        if not relationship:
            errs.setdefault("relationship", ["Required when care_of is someone_else"])
        elif len(relationship) > RELATIONSHIP_MAX:
            errs["relationship"] = [f"Expected at most {RELATIONSHIP_MAX} characters"]
        if basis and basis not in RepresentativeBasis.values:
            errs.setdefault("representative_basis", [f"Expected one of {BASES}"])
        elif not basis and kind == Kind.COMPLAINT:
            errs.setdefault("representative_basis", ["Required for a complaint about someone_else"])
        return
    for name, value in (("relationship", relationship), ("representative_basis", basis)):
        if value:
            errs.setdefault(name, ["Expected only when care_of is someone_else"])


def check_body(body: dict[str, Any]) -> tuple[PublicFeedback | None, dict[str, list[str]]]:
    """The feedback these fields describe, or the errors (by field) that stop it."""
    errs: dict[str, list[str]] = {}
    for name in sorted(set(body) - set(FIELDS)):
        errs[name] = ["Not a field of public feedback"]
    org_code = _text(body, "org_code", errs)
    service_code = _text(body, "service_code", errs)
    kind = _text(body, "kind", errs)
    text = _text(body, "text", errs)
    rating = _text(body, "fft_rating", errs)
    if not org_code and "org_code" not in errs:
        errs["org_code"] = ["Required"]
    if kind not in Kind.values and "kind" not in errs:
        errs["kind"] = ["Expected one of compliment, concern, complaint, fft"]
    if kind == Kind.FFT:
        if rating not in FftRating.values and "fft_rating" not in errs:
            errs["fft_rating"] = [
                "Expected one of very_good, good, neither, poor, very_poor, dont_know"
            ]
    elif rating and "fft_rating" not in errs:
        errs["fft_rating"] = ["Expected no rating unless kind is fft"]
    if kind in (Kind.COMPLIMENT, Kind.CONCERN, Kind.COMPLAINT) and not text and "text" not in errs:
        errs["text"] = ["Required"]
    if len(text) > TEXT_MAX:
        errs["text"] = [f"Expected at most {TEXT_MAX:,} characters"]

    name = email = phone = ""
    contact = body.get("contact")
    if contact is not None and not isinstance(contact, dict):
        errs["contact"] = ["Expected an object with name, email and/or phone"]
        contact = None
    if isinstance(contact, dict):
        for extra in sorted(set(contact) - {"name", "email", "phone"}):
            errs[f"contact.{extra}"] = ["Not a field of contact"]
        for part in ("name", "email", "phone"):
            value = contact.get(part)
            if value is not None and not isinstance(value, str):
                errs[f"contact.{part}"] = ["Expected text"]
        name = str(contact.get("name") or "").strip()
        email = str(contact.get("email") or "").strip()
        phone = str(contact.get("phone") or "").strip()
        if len(name) > NAME_MAX:
            errs["contact.name"] = [f"Expected at most {NAME_MAX} characters"]
        if email and not check_email(email):
            errs["contact.email"] = ["Expected an email address such as name@example.com"]
        if phone and not check_phone(phone):
            errs["contact.phone"] = ["Expected a UK phone number such as 0191 496 0000"]
    if kind == Kind.COMPLAINT:
        if not name and "contact.name" not in errs:
            errs["contact.name"] = ["Required for a complaint"]
        if not email and not phone and not {"contact.email", "contact.phone"} & set(errs):
            errs["contact"] = ["A complaint needs an email address or a phone number"]
    care_of = _text(body, "care_of", errs)
    relationship = _text(body, "relationship", errs)
    basis = _text(body, "representative_basis", errs)
    _check_care_of(kind, care_of, relationship, basis, errs)
    flags = {}
    for flag in ("consent_to_publish", "consent_to_contact"):
        value = body.get(flag)
        if value is not None and not isinstance(value, bool):
            errs[flag] = ["Expected true or false"]
        flags[flag] = value
    if errs:
        return None, errs
    has_contact = bool(email or phone)
    return (
        PublicFeedback(
            org_code=org_code,
            service_code=service_code,
            kind=kind,
            text=text,
            fft_rating=rating if kind == Kind.FFT else "",
            name=name,
            email=email,
            phone=phone,
            consent_to_contact=has_contact and flags["consent_to_contact"] is not False,
            consent_to_publish=bool(flags["consent_to_publish"]) and bool(text),
            care_of=care_of,
            relationship=relationship,
            representative_basis=basis,
        ),
        {},
    )
