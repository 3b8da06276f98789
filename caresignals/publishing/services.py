"""Writes of the open-data decision (ADR 29): choose the tables, prepare a month's release,
publish it, withdraw it. Each is audited; only the ICB quality lead (MANAGE_PUBLICATION at
the system's root) or a named command-line actor may make them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record, require_actor
from caresignals.measures.models import Indicator
from caresignals.organisations.models import Organisation, OrganisationKind
from caresignals.organisations.permissions import require_for
from caresignals.organisations.roles import Capability
from caresignals.publishing import open_data
from caresignals.publishing.models import (
    Breakdown,
    PublicationChoice,
    Release,
    ReleaseStatus,
    ReleaseTable,
)


class PublishingError(ValueError):
    """A decision that cannot be made as asked; `field` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _system_path() -> str:
    root = Organisation.objects.filter(kind=OrganisationKind.ICS).order_by("id").first()
    return root.path if root is not None else "/"


def require_decider(user: Any) -> None:
    """Refuse (403) anyone who does not hold MANAGE_PUBLICATION for the whole system: an ICB
    quality lead held at one trust decides nothing about what the system publishes."""
    require_for(user, Capability.MANAGE_PUBLICATION, _system_path())


def _check(actor: Actor) -> str:
    require_actor(actor)
    path = _system_path()
    if actor.user is not None:
        require_for(actor.user, Capability.MANAGE_PUBLICATION, path)
    return path


def _who(actor: Actor) -> str:
    return actor.label or getattr(actor.user, "username", "")


def _user(actor: Actor) -> Any:
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


@transaction.atomic
def choose(actor: Actor, chosen: list[tuple[str, str]]) -> list[PublicationChoice]:
    """Replace the tables chosen for publication with `chosen`: (indicator code, breakdown)."""
    path = _check(actor)
    allowed = {i.code: i for i in open_data.publishable_indicators()}
    wanted: list[tuple[Indicator, str]] = []
    for code, breakdown in chosen:
        if code not in allowed:
            raise PublishingError("tables", f"{code} is not an indicator that can be published")
        if breakdown not in Breakdown.values:
            raise PublishingError("tables", f"{breakdown} is not a breakdown")
        if (allowed[code], breakdown) not in wanted:
            wanted.append((allowed[code], breakdown))
    before = sorted(
        f"{c.indicator.code}/{c.breakdown}"
        for c in PublicationChoice.objects.select_related("indicator")
    )
    PublicationChoice.objects.all().delete()
    now = timezone.now()
    made = [
        PublicationChoice.objects.create(
            indicator=i, breakdown=b, chosen_by=_who(actor), chosen_at=now
        )
        for i, b in wanted
    ]
    after = sorted(f"{i.code}/{b}" for i, b in wanted)
    record(
        actor,
        Change(
            AuditAction.PUBLICATION_CHOSEN,
            "publication",
            "choice",
            path,
            {"before": before, "after": after},
        ),
    )
    return made


def current_choices() -> list[tuple[Indicator, str]]:
    return [
        (c.indicator, c.breakdown) for c in PublicationChoice.objects.select_related("indicator")
    ]


@transaction.atomic
def prepare(actor: Actor, month: dt.date) -> Release:
    """A draft release for `month`, its tables computed now through disclosure control and
    kept. A draft already there for the month is replaced (so the preview can be refreshed);
    a published one must be withdrawn first."""
    path = _check(actor)
    live = Release.objects.filter(period=month).exclude(status=ReleaseStatus.WITHDRAWN).first()
    if live is not None and live.status == ReleaseStatus.PUBLISHED:
        raise PublishingError(
            "period", f"{month:%Y-%m} is already published: withdraw it before preparing again"
        )
    try:
        tables = open_data.build_tables(month, current_choices())
    except open_data.NothingToPublish as error:
        raise PublishingError("period", str(error).capitalize()) from error
    except ValueError as error:  # disclosure control found a cell it cannot protect
        raise PublishingError(
            "period", f"The tables of {month:%Y-%m} cannot be protected as chosen: {error}"
        ) from error
    if live is not None:
        live.delete()
    release = Release.objects.create(
        period=month,
        prepared_by=_user(actor),
        prepared_label=_who(actor),
        prepared_at=timezone.now(),
    )
    for table in tables:
        ReleaseTable.objects.create(
            release=release,
            name=table.name,
            title=table.title,
            indicator_code=table.indicator.code,
            breakdown=table.breakdown,
            rows=len(table.rows),
            suppressed=table.suppressed,
            secondary=table.secondary,
            rounded=table.rounded,
            csv=table.csv_bytes(),
            json=table.json_bytes(),
            parquet=table.parquet_bytes(),
        )
    record(
        actor,
        Change(
            AuditAction.RELEASE_PREPARED,
            "release",
            str(release.pk),
            path,
            {"period": f"{month:%Y-%m}", "tables": [t.name for t in tables]},
        ),
    )
    return release


@transaction.atomic
def publish(actor: Actor, release: Release) -> Release:
    path = _check(actor)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.DRAFT:
        raise PublishingError("release", "Only a draft release can be published")
    release.status = ReleaseStatus.PUBLISHED
    release.published_by = _user(actor)
    release.published_label = _who(actor)
    release.published_at = timezone.now()
    release.save()
    record(
        actor,
        Change(
            AuditAction.RELEASE_PUBLISHED,
            "release",
            str(release.pk),
            path,
            {
                "period": release.month_text,
                "tables": {t.name: open_data.sha256(bytes(t.csv)) for t in release.tables.all()},
            },
        ),
    )
    return release


@transaction.atomic
def withdraw(actor: Actor, release: Release, reason: str) -> Release:
    path = _check(actor)
    reason = (reason or "").strip()
    if not reason:
        raise PublishingError("reason", "Enter why the release is being withdrawn")
    if len(reason) > 1000:
        raise PublishingError("reason", "The reason must be 1,000 characters or fewer")
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.PUBLISHED:
        raise PublishingError("release", "Only a published release can be withdrawn")
    release.status = ReleaseStatus.WITHDRAWN
    release.withdrawn_by = _user(actor)
    release.withdrawn_label = _who(actor)
    release.withdrawn_at = timezone.now()
    release.withdrawal_reason = reason
    try:
        release.save()
    except IntegrityError as error:  # pragma: no cover - the constraint ignores withdrawn ones
        raise PublishingError("release", "The release could not be withdrawn") from error
    record(
        actor,
        Change(
            AuditAction.RELEASE_WITHDRAWN,
            "release",
            str(release.pk),
            path,
            {"period": release.month_text, "reason": reason},
        ),
    )
    return release
