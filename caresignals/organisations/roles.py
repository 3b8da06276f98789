"""Roles as code: what each role may do, in one place.

A person holds a role *in an organisation* (a membership). What each role may do is decided
here; where they may do it is scoping.py's `scope_for(user, capability)`: only in the
organisations where they hold a role granting it (and beneath them).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from caresignals.organisations.models import User


class Role(models.TextChoices):
    STAFF = "staff", "Staff member"
    PATIENT_SAFETY_LEAD = "patient_safety_lead", "Patient-safety lead"
    COMPLAINTS_LEAD = "complaints_lead", "Complaints lead"
    SPEAKUP_GUARDIAN = "speakup_guardian", "Freedom to Speak Up guardian"
    ICB_QUALITY_LEAD = "icb_quality_lead", "ICB quality lead"
    BOARD_MEMBER = "board_member", "Board member"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"


class Capability(enum.StrEnum):
    """Things only some roles may do. Seeing records is scoping's business, not this."""

    VIEW_AUDIT = "view_audit"
    RECORD_CHART_CHANGES = "record_chart_changes"
    # Escalation levels, rapid quality reviews and the quality risk register (signals app):
    # read by the ICB, boards and providers' safety leads (each within their scope),
    # decided and kept by the ICB quality lead alone.
    VIEW_QUALITY_GOVERNANCE = "view_quality_governance"
    MANAGE_QUALITY_GOVERNANCE = "manage_quality_governance"
    VIEW_SQG_PACK = "view_sqg_pack"
    # PSIRF responses: triage, the incident response plan, learning responses and actions,
    # within the organisations where the person holds the role (safety/responses/access.py).
    MANAGE_SAFETY_RESPONSES = "manage_safety_responses"
    VIEW_SAFETY_RESPONSES = "view_safety_responses"
    MANAGE_CANDOUR = "manage_candour"  # Duty of Candour steps and referral tasks
    VIEW_SAFETY_SYSTEM = "view_safety_system"  # candour, referrals and events across providers
    # A provider's "candour tracked from" date says from when its candour steps are held
    # here: set by the patient-safety lead who keeps them (their own provider) and the ICB
    # quality lead who oversees every provider (the date hides or shows overdue duties).
    SET_CANDOUR_TRACKED_FROM = "set_candour_tracked_from"
    # Menus only: which cases a guardian may read is SpeakUpCase.objects.for_guardian's rule.
    HANDLE_SPEAKUP_CASES = "handle_speakup_cases"
    VIEW_SPEAKUP_SUMMARY = "view_speakup_summary"  # counts only, disclosure-controlled
    # Complaints and feedback carry names and contact details: read by the complaints team
    # (own organisation) and the ICB quality team (everything), worked by the complaints team.
    VIEW_PATIENT_VOICE = "view_patient_voice"
    WORK_PATIENT_VOICE = "work_patient_voice"
    VIEW_WATCHLIST = "view_watchlist"
    # Soft intelligence, the System Quality Group's surveillance and action logs, and the
    # national patient safety alerts the ICB tracks (intelligence app, ADR 31): kept by the
    # ICB quality team. Providers see intelligence only when the ICB shares it with them.
    VIEW_INTELLIGENCE = "view_intelligence"
    MANAGE_INTELLIGENCE = "manage_intelligence"
    VIEW_SHARED_INTELLIGENCE = "view_shared_intelligence"
    VIEW_SAFETY_ALERTS = "view_safety_alerts"
    RESPOND_SAFETY_ALERTS = "respond_safety_alerts"  # a provider's own alert actions
    # People and their roles: who may be given which role is the ceiling below, not this.
    MANAGE_PEOPLE = "manage_people"
    # Open data (publishing app, ADR 29): what is published, and each release's publication
    # and withdrawal, decided by the ICB quality lead for the whole system.
    MANAGE_PUBLICATION = "manage_publication"


_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset({Capability.VIEW_AUDIT, Capability.MANAGE_PEOPLE}),
    Role.ICB_QUALITY_LEAD: frozenset(
        {
            Capability.RECORD_CHART_CHANGES,
            Capability.VIEW_QUALITY_GOVERNANCE,
            Capability.MANAGE_QUALITY_GOVERNANCE,
            Capability.VIEW_SQG_PACK,
            Capability.VIEW_SAFETY_RESPONSES,
            Capability.VIEW_SAFETY_SYSTEM,
            Capability.SET_CANDOUR_TRACKED_FROM,
            Capability.VIEW_SPEAKUP_SUMMARY,
            Capability.VIEW_PATIENT_VOICE,
            Capability.VIEW_WATCHLIST,
            Capability.VIEW_INTELLIGENCE,
            Capability.MANAGE_INTELLIGENCE,
            Capability.VIEW_SAFETY_ALERTS,
            Capability.MANAGE_PUBLICATION,
        }
    ),
    Role.COMPLAINTS_LEAD: frozenset({Capability.VIEW_PATIENT_VOICE, Capability.WORK_PATIENT_VOICE}),
    Role.PATIENT_SAFETY_LEAD: frozenset(
        {
            Capability.RECORD_CHART_CHANGES,
            Capability.VIEW_QUALITY_GOVERNANCE,
            Capability.VIEW_SAFETY_RESPONSES,
            Capability.MANAGE_SAFETY_RESPONSES,
            Capability.MANAGE_CANDOUR,
            Capability.VIEW_SAFETY_SYSTEM,
            Capability.SET_CANDOUR_TRACKED_FROM,
            Capability.VIEW_SHARED_INTELLIGENCE,
            Capability.VIEW_SAFETY_ALERTS,
            Capability.RESPOND_SAFETY_ALERTS,
        }
    ),
    Role.BOARD_MEMBER: frozenset(
        {
            Capability.VIEW_SHARED_INTELLIGENCE,
            Capability.VIEW_SAFETY_ALERTS,
            Capability.VIEW_QUALITY_GOVERNANCE,
            Capability.VIEW_SQG_PACK,
            Capability.VIEW_SAFETY_SYSTEM,
            Capability.VIEW_SPEAKUP_SUMMARY,
            Capability.VIEW_WATCHLIST,
        }
    ),
    Role.SPEAKUP_GUARDIAN: frozenset(
        {Capability.HANDLE_SPEAKUP_CASES, Capability.VIEW_SPEAKUP_SUMMARY}
    ),
    Role.ANALYST: frozenset({Capability.RECORD_CHART_CHANGES, Capability.VIEW_SAFETY_SYSTEM}),
}


def capabilities(role: str) -> frozenset[Capability]:
    return _CAPABILITIES.get(role, frozenset())


def roles_with(capability: Capability) -> frozenset[str]:
    return frozenset(role for role, caps in _CAPABILITIES.items() if capability in caps)


def user_can(user: Any, capability: Capability) -> bool:
    """Whether any of the user's memberships grants the capability: for menus and home cards
    only. Whether a page or record opens is `scoping.scope_for(user, capability)`'s answer,
    through `permissions.requires` and the queries (ADR 3)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(capability in capabilities(role) for role in user.role_codes())


# A second factor after a local password (ADR 20): for every role granting a capability that
# reads identifiable data (patients' and complainants' details in events, candour, complaints
# and feedback; speak-up cases; the audit log, which names people) or data across
# organisations (safety across providers, the watchlist, quality governance). A stolen
# password alone must not open these. Staff see only what they themselves record.
SECOND_FACTOR_CAPABILITIES = frozenset(
    {
        Capability.VIEW_AUDIT,
        Capability.VIEW_SAFETY_RESPONSES,
        Capability.MANAGE_SAFETY_RESPONSES,
        Capability.MANAGE_CANDOUR,
        Capability.VIEW_SAFETY_SYSTEM,
        Capability.HANDLE_SPEAKUP_CASES,
        Capability.VIEW_PATIENT_VOICE,
        Capability.WORK_PATIENT_VOICE,
        Capability.VIEW_WATCHLIST,
        Capability.VIEW_QUALITY_GOVERNANCE,
        Capability.VIEW_INTELLIGENCE,
        Capability.RESPOND_SAFETY_ALERTS,
    }
)
SECOND_FACTOR_ROLES = frozenset(
    role for role, caps in _CAPABILITIES.items() if caps & SECOND_FACTOR_CAPABILITIES
)


def needs_second_factor(user: Any) -> bool:
    """Whether a local password alone is not enough for this person, for any of their roles."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.role_codes() & SECOND_FACTOR_ROLES)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


# Each person's own work comes first in the header (after Home); what everyone shares
# follows; the NHS header folds whatever does not fit into "More".
_WORK: list[tuple[Capability, NavItem]] = [
    (Capability.VIEW_WATCHLIST, NavItem("Watchlist", "signals:watchlist")),
    (Capability.MANAGE_SAFETY_RESPONSES, NavItem("Triage", "safety:triage")),
    (Capability.MANAGE_CANDOUR, NavItem("Duty of Candour", "safety:candour_list")),
    (Capability.VIEW_SAFETY_RESPONSES, NavItem("Learning responses", "safety:responses")),
    (Capability.WORK_PATIENT_VOICE, NavItem("Complaints", "voice:complaints")),
    (Capability.WORK_PATIENT_VOICE, NavItem("Feedback", "voice:feedback_list")),
    (Capability.HANDLE_SPEAKUP_CASES, NavItem("Speak-up cases", "speakup:cases")),
    (Capability.VIEW_INTELLIGENCE, NavItem("Intelligence", "intelligence:index")),
    (Capability.VIEW_SAFETY_ALERTS, NavItem("Safety alerts", "intelligence:alerts")),
]
_SHARED: list[tuple[Capability | None, NavItem]] = [
    (None, NavItem("Organisations", "organisations:index")),
    (None, NavItem("System view", "matrix")),
    (Capability.VIEW_QUALITY_GOVERNANCE, NavItem("Escalation", "signals:escalation_index")),
    (Capability.VIEW_QUALITY_GOVERNANCE, NavItem("Quality risks", "signals:risk_index")),
    (Capability.VIEW_SAFETY_SYSTEM, NavItem("Safety across providers", "safety:system")),
    (Capability.VIEW_SAFETY_SYSTEM, NavItem("Duty of Candour", "safety:candour_list")),
    (Capability.VIEW_PATIENT_VOICE, NavItem("Complaints", "voice:complaints")),
    (Capability.VIEW_PATIENT_VOICE, NavItem("Feedback", "voice:feedback_list")),
    (Capability.VIEW_SPEAKUP_SUMMARY, NavItem("Speak-up summary", "speakup:summary")),
    (None, NavItem("Learning library", "learning:library")),
    (None, NavItem("Record an event", "safety:record_start")),
    (None, NavItem("Speak up", "speakup:raise")),
    (Capability.MANAGE_PUBLICATION, NavItem("Open data releases", "releases:index")),
    (Capability.MANAGE_PEOPLE, NavItem("People", "people:index")),
    (Capability.VIEW_AUDIT, NavItem("Audit log", "audit:index")),
]


def navigation_for(user: User) -> list[NavItem]:
    items = [NavItem("Home", "home")]
    for capability, item in [*_WORK, *_SHARED]:
        if item not in items and (capability is None or user_can(user, capability)):
            items.append(item)
    return items


# What each role's home page leads with: the first things that person comes to do.
HOME_INTRO: dict[str, str] = {
    Role.STAFF: "Record a patient-safety event, report excellent care, "
    "or find learning from elsewhere.",
    Role.PATIENT_SAFETY_LEAD: "Triage events against your incident response plan, run learning "
    "responses and keep Duty of Candour on time.",
    Role.COMPLAINTS_LEAD: "Work complaints against the statutory clocks and answer feedback.",
    Role.SPEAKUP_GUARDIAN: "Handle Freedom to Speak Up cases "
    "and prepare the quarterly national return.",
    Role.ICB_QUALITY_LEAD: "One view of every provider: how each is doing, where to look first, "
    "and what to escalate.",
    Role.BOARD_MEMBER: "Your organisation's quality and safety at a glance.",
    Role.ANALYST: "Where the system's indicators show concern, how organisations compare, "
    "where care is unequal, and how each indicator is calculated.",
    Role.ADMINISTRATOR: "People, roles and the audit log.",
}


# -- The role ceiling: nobody can give a role above their own ------------------------------

# Roles that act across the whole integrated care system: only an ICB administrator gives them.
ICB_ROLES: frozenset[str] = frozenset({Role.ICB_QUALITY_LEAD})


@dataclass(frozen=True)
class Held:
    """One role a person holds, where: the organisation's path ("/ICS/PLACE/PROVIDER/")."""

    role: str
    organisation_path: str

    @property
    def at_top(self) -> bool:
        """Held at the integrated care system itself, the root of the tree."""
        return self.organisation_path.strip("/").count("/") == 0


def administers(held: Iterable[Held], organisation_path: str) -> bool:
    """Whether an administrator role is held at the organisation or above it."""
    return any(
        h.role == Role.ADMINISTRATOR and organisation_path.startswith(h.organisation_path)
        for h in held
    )


def is_icb_administrator(held: Iterable[Held]) -> bool:
    return any(h.role == Role.ADMINISTRATOR and h.at_top for h in held)


def refusal_to_give(held: Iterable[Held], role: str, organisation_path: str) -> str:
    """Why a person holding `held` may not give (or take away) `role` in the organisation at
    `organisation_path`, or "" when they may. The ceiling, as rules:

    - only an administrator gives roles, and only in the organisations they administer (where
      they hold administrator, and beneath), so nobody gives administrator in an organisation
      above their own;
    - only an ICB administrator gives an ICB role, or any role at the ICS itself;
    - a role that is not one of the product's is never given.
    """
    held = list(held)
    if role not in Role.values:
        return "Choose a role from the list"
    if not administers(held, organisation_path):
        return "You can only give roles in the organisations you administer"
    at_top = organisation_path.strip("/").count("/") == 0
    if (role in ICB_ROLES or at_top) and not is_icb_administrator(held):
        return "Only an ICB administrator can give an ICB role"
    return ""


def may_give(held: Iterable[Held], role: str, organisation_path: str) -> bool:
    return not refusal_to_give(held, role, organisation_path)


def may_administer_person(held: Iterable[Held], their_paths: Iterable[str]) -> bool:
    """Whether a person whose roles are at `their_paths` may be deactivated, reactivated or
    changed as a whole: every one of their roles is in organisations the administrator
    administers (someone who also works elsewhere is a leaver only where they leave). A person
    with no role at all is the ICB administrators' to look after."""
    held = list(held)
    paths = list(their_paths)
    if not paths:
        return is_icb_administrator(held)
    return all(administers(held, p) for p in paths)
