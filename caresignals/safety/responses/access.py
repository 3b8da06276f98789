"""Who may read and run PSIRF responses, and where.

Seeing records is scoping's business (organisations/scoping.py); this narrows it to the
organisations where the person holds a role with the capability (roles.py), so a
patient-safety lead at one trust who is also plain staff at another manages only the first.
Anything outside is reported as not found, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import Scope, scope_for


def _scope(user: Any, capability: Capability) -> Scope:
    return scope_for(user, capability)


def read_scope(user: Any) -> Scope:
    """Where the person may read triage, plans, learning responses and actions."""
    return _scope(user, Capability.VIEW_SAFETY_RESPONSES)


def write_scope(user: Any) -> Scope:
    """Where the person may triage, edit the plan, and run responses and actions."""
    return _scope(user, Capability.MANAGE_SAFETY_RESPONSES)


def inside_provider(user: Any, provider_path: str) -> bool:
    """Whether the person works inside the provider's patient-safety team, so may read its
    free text in full (outside the provider free text is withheld)."""
    return write_scope(user).covers(provider_path)
