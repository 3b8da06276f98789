"""Whether the demo's feedback fits the service it is about and its replies fit its kind
(issue #18). The words are the test's own: each family belongs to one kind of service, and no
text about another kind of service may use them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

FAMILIES = {
    "maternity": r"midwi|labour|\bbaby|\bbirth|antenatal|postnatal|caesarean",
    "gp": r"\bGP\b|the practice|practice nurse|repeat prescription|receptionist",
    "mental_health": r"mental health|care coordinator|crisis|psychiatr",
    "ambulance": r"ambulance|paramedic|\bcrews?\b|999",
    "care_home": r"care home|resident",
    "emergency": r"A&E|emergency department|triage",
    "children": r"children's ward|play specialist|teenager",
    "ld": r"autism|learning disabilit|communication passport|advocate",
    "district": r"district nurs",
}


def family(code: str, service_type: str) -> str:
    """The word family a service's feedback may use ("" for hospital wards: none)."""
    by_type = {
        "maternity": "maternity",
        "primary_care": "gp",
        "mental_health_inpatient": "mental_health",
        "ambulance": "ambulance",
        "care_home": "care_home",
        "emergency_department": "emergency",
        "ld_autism_inpatient": "ld",
        "community_nursing": "district",
    }
    by_suffix = {"CMH": "mental_health", "PAED": "children"}
    return by_type.get(service_type) or by_suffix.get(code.rsplit("-", 1)[-1], "")


def text_problems(texts: Iterable[tuple[str, str]]) -> list[str]:
    """(family, text) pairs whose text uses another family's words."""
    return [
        f"{own or 'ward'} text with {other} words: {text}"
        for own, text in texts
        for other, pattern in FAMILIES.items()
        if other != own and re.search(pattern, text)
    ]


def reply_problems(feedback: Iterable[Mapping[str, str]]) -> list[str]:
    """Replies and changes that do not fit the kind of feedback: a compliment is thanked, never
    apologised for, and has no change; a complaint gets an apology."""
    problems = []
    for f in feedback:
        reply, kind = f["reply"], f["kind"]
        if not reply:
            continue
        sorry = re.search(r"sorry|apologis", reply, re.IGNORECASE)
        if kind == "compliment" and (sorry or "thank" not in reply.lower()):
            problems.append(f"compliment replied: {reply}")
        if kind == "compliment" and f["change_description"]:
            problems.append(f"compliment with a change: {f['change_description']}")
        if kind == "complaint" and not sorry:
            problems.append(f"complaint without an apology: {reply}")
    return problems
