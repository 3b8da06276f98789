"""Roles as code: what each role may do, in one place.

A person holds a role *in an organisation* (a membership). What records they can see is
decided by scoping.py from those memberships; what they can do is decided here.
"""

from __future__ import annotations

import enum
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
    VIEW_WATCHLIST = "view_watchlist"


_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset({Capability.VIEW_AUDIT}),
    Role.ICB_QUALITY_LEAD: frozenset({Capability.RECORD_CHART_CHANGES, Capability.VIEW_WATCHLIST}),
    Role.BOARD_MEMBER: frozenset({Capability.VIEW_WATCHLIST}),
    Role.PATIENT_SAFETY_LEAD: frozenset({Capability.RECORD_CHART_CHANGES}),
    Role.ANALYST: frozenset({Capability.RECORD_CHART_CHANGES}),
}


def capabilities(role: str) -> frozenset[Capability]:
    return _CAPABILITIES.get(role, frozenset())


def user_can(user: Any, capability: Capability) -> bool:
    """Whether any of the user's memberships grants the capability."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(capability in capabilities(role) for role in user.role_codes())


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


def navigation_for(user: User) -> list[NavItem]:
    items = [
        NavItem("Home", "home"),
        NavItem("Organisations", "organisations:index"),
        NavItem("System view", "matrix"),
        NavItem("Record an event", "safety:record_start"),
    ]
    if user_can(user, Capability.VIEW_WATCHLIST):
        items.append(NavItem("Watchlist", "signals:watchlist"))
    if user_can(user, Capability.VIEW_AUDIT):
        items.append(NavItem("Audit log", "audit:index"))
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
    Role.ANALYST: "Indicator definitions, clean imports and exports, "
    "and the statistics behind them.",
    Role.ADMINISTRATOR: "People, roles and the audit log.",
}
