"""Issuing, revoking and checking API tokens (audited; only hashes are stored)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction

from caresignals.api.models import ApiToken
from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.core import clock
from caresignals.organisations.models import User

TOKEN_PREFIX = "cs_"  # noqa: S105 (a prefix that makes leaked tokens easy to spot)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UnknownUser(Exception):
    pass


class UnknownToken(Exception):
    pass


@transaction.atomic
def create_token(username: str, *, name: str = "", actor: Actor) -> tuple[ApiToken, str]:
    """A new token for the user: the stored row and the token itself (shown only once)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise UnknownUser(username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, key_hash=token_hash(token))
    record(
        actor,
        Change(
            AuditAction.TOKEN_CREATED,
            "api_token",
            str(row.pk),
            details={"user": user.username, "name": name},
        ),
    )
    return row, token


@transaction.atomic
def revoke_token(token_id: int, *, actor: Actor) -> ApiToken:
    row = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if row is None:
        raise UnknownToken(token_id)
    if not row.revoked:
        row.revoked = True
        row.save(update_fields=["revoked"])
        record(
            actor,
            Change(
                AuditAction.TOKEN_REVOKED,
                "api_token",
                str(row.pk),
                details={"user": row.user.username, "name": row.name},
            ),
        )
    return row


def user_for_token(token: str) -> Any:
    """The active user holding this unrevoked token, or None. Notes the day of use."""
    if not token:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(token), revoked=False)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    today = clock.today()
    if row.last_used_on != today:
        ApiToken.objects.filter(pk=row.pk).update(last_used_on=today)
    return row.user


def revoke_tokens_of_leaver(
    sender: Any, *, user: Any, actor: Actor, **kwargs: Any
) -> dict[str, int]:
    """`person_deactivated`'s receiver: every token of the person is revoked (each audited).
    `user_for_token` refuses an inactive person's token anyway; this makes it final."""
    ids = list(ApiToken.objects.filter(user=user, revoked=False).values_list("pk", flat=True))
    for token_id in ids:
        revoke_token(token_id, actor=actor)
    return {"tokens_revoked": len(ids)}
