"""Reading the audit log, scoped like everything else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from caresignals.audit.models import AuditEntry
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for


def visible_entries(user: Any) -> QuerySet[AuditEntry]:
    """Entries about organisations where the user may read the audit log; entries tied to no
    organisation (people, whole imports) only for those who can read a whole ICS's."""
    scope = scope_for(user, Capability.VIEW_AUDIT)
    condition = scope.q("organisation_path")
    if any(p.count("/") == 2 for p in scope.paths):  # "/ICS/": a system-wide member
        condition |= Q(organisation_path="")
    return AuditEntry.objects.filter(condition).select_related("actor")
