"""The signals app's part of "My work" (ADR 21): quality risks due for review and the actions
agreed at rapid quality reviews.

`owned_by` is what names the person; `team_of` is the work in the scope where the person keeps
quality governance (the ICB quality lead), whoever owns it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from caresignals.core.work import WorkItem, owner_label, short, standing
from caresignals.organisations.roles import Capability
from caresignals.organisations.scoping import scope_for
from caresignals.signals.models import ActionStatus, QualityRisk, ReviewAction, RiskStatus

LIMIT = 300
MANAGE = Capability.MANAGE_QUALITY_GOVERNANCE


def _risk(r: QualityRisk, today: dt.date) -> WorkItem:
    return WorkItem(
        kind="Quality risk review",
        reference=r.reference,
        title=short(r.title),
        organisation=r.organisation.name,
        due_on=r.review_on,
        due_label="Review due",
        url=reverse("signals:risk_detail", kwargs={"reference": r.reference}),
        owner=owner_label(r.owner_person, as_recorded=r.owner),
        owner_id=r.owner_person_id,
        state=standing(r.review_on, today),
    )


def _action(a: ReviewAction, today: dt.date) -> WorkItem:
    return WorkItem(
        kind="Rapid-review action",
        reference=f"RQR-{a.review_id}-{a.pk}",
        title=short(a.description),
        organisation=a.review.provider.name,
        due_on=a.due_on,
        due_label="Due",
        url=reverse("signals:review_detail", kwargs={"pk": a.review_id}),
        owner=owner_label(a.owner_person, as_recorded=a.owner),
        owner_id=a.owner_person_id,
        state=standing(a.due_on, today),
    )


def _open_risks() -> QuerySet[QualityRisk]:
    return QualityRisk.objects.filter(status=RiskStatus.OPEN).select_related(
        "organisation", "owner_person"
    )


def _open_actions() -> QuerySet[ReviewAction]:
    return ReviewAction.objects.filter(status=ActionStatus.OPEN).select_related(
        "review__provider", "owner_person"
    )


def _items(
    risks: QuerySet[QualityRisk], actions: QuerySet[ReviewAction], today: dt.date
) -> list[WorkItem]:
    return [_risk(r, today) for r in risks.order_by("review_on", "id")[:LIMIT]] + [
        _action(a, today) for a in actions.order_by("due_on", "id")[:LIMIT]
    ]


def owned_by(user: Any, today: dt.date) -> list[WorkItem]:
    return _items(
        _open_risks().filter(owner_person=user), _open_actions().filter(owner_person=user), today
    )


def team_of(user: Any, today: dt.date) -> list[WorkItem]:
    scope = scope_for(user, MANAGE)
    return _items(
        _open_risks().filter(scope.q("organisation__path")),
        _open_actions().filter(scope.q("review__provider__path")),
        today,
    )


def leads_a_team(user: Any) -> bool:
    return not scope_for(user, MANAGE).is_empty
