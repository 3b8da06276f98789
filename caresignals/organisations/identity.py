"""Sign-in with the organisation's identity provider (OpenID Connect), for people already here.

mozilla-django-oidc runs the protocol (state, nonce, PKCE, the token and its signature); this
backend decides who the verified claims are. Only an existing person is ever signed in: the
provider's subject recorded on a person wins; otherwise the configured claim (the email address
by default) must match exactly one person with no subject yet, and that subject is then
recorded, so a later change of email at the provider cannot move the sign-in to someone else.
Nobody is created here (people are added by an administrator). Every refusal is audited with
its reason and left on the request for the callback page to explain (ADR 20).
"""

from __future__ import annotations

import enum
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.organisations.models import User

REFUSAL_ATTRIBUTE = "identity_provider_refusal"


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown"  # no person matches
    INACTIVE = "inactive"  # the person has been deactivated
    AMBIGUOUS = "ambiguous"  # more than one person has that email address
    SUBJECT_DIFFERS = "subject_differs"  # the person is linked to another subject
    NO_CLAIM = "no_claim"  # the provider did not send the claim used to match
    UNTRUSTED = "untrusted"  # not from a sign-in started in this browser, or unverifiable
    PROVIDER = "provider"  # the provider answered with an error (cancelled, say)
    UNREACHABLE = "unreachable"  # the provider's token or key endpoints did not answer


def actor() -> Actor:
    return Actor(label=f"sign-in with {settings.CARESIGNALS_OIDC_PROVIDER_NAME}")


def refuse(request: HttpRequest, reason: Refusal, claimed: str = "", subject: str = "") -> None:
    """Audit a refused sign-in and leave the reason for the page that explains it."""
    setattr(request, REFUSAL_ATTRIBUTE, reason)
    record(
        actor(),
        Change(
            AuditAction.SIGN_IN_REFUSED,
            "sign-in",
            claimed or subject or "unknown",
            details={"reason": str(reason), "claimed": claimed, "subject": subject},
        ),
    )


class IdentityProviderBackend(OIDCAuthenticationBackend):
    def retrieve_matching_jwk(self, token: str) -> Any:
        # A provider with one signing key may leave its ID tokens without a key id (`kid`):
        # then the one key for the token's algorithm, and no other, checks the signature.
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        answer = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        answer.raise_for_status()
        algorithm = jwt.get_unverified_header(token).get("alg")
        keys = [
            k
            for k in answer.json().get("keys", [])
            if k.get("use", "sig") == "sig" and k.get("alg", algorithm) == algorithm
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """The library checks the signature, expiry and nonce; the audience and issuer too."""
        try:
            payload = super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as error:  # expired, not yet valid
            raise SuspiciousOperation(f"ID token refused: {error}") from None
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another client.")
        issuer = settings.CARESIGNALS_OIDC_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        # Without a userinfo endpoint, the verified ID token's own claims.
        if not self.OIDC_OP_USER_ENDPOINT:
            return payload
        return super().get_userinfo(access_token, id_token, payload)

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        claims = dict(self.get_userinfo(access_token, id_token, payload))
        # The subject from the signed ID token; a userinfo answer about someone else is refused.
        subject = str(payload.get("sub") or "")
        if not subject or str(claims.get("sub", subject)) != subject:
            refuse(self.request, Refusal.NO_CLAIM)
            return None
        return match_person(self.request, subject, claims)

    def get_user(self, user_id: Any) -> User | None:
        # mozilla-django-oidc's own skips the active check: a deactivated person's session ends.
        return ModelBackend.get_user(self, user_id)


def match_person(request: HttpRequest, subject: str, claims: dict[str, Any]) -> User | None:
    """The existing, active person these verified claims belong to, or None (audited)."""
    claim = settings.CARESIGNALS_OIDC_MATCH_CLAIM
    claimed = "" if claim == "sub" else str(claims.get(claim) or "").strip()
    person = User.objects.filter(identity_provider_subject=subject).first()
    if person is None:
        if not claimed:
            refuse(request, Refusal.UNKNOWN if claim == "sub" else Refusal.NO_CLAIM, "", subject)
            return None
        found = list(User.objects.filter(email__iexact=claimed)[:2])
        if not found:
            refuse(request, Refusal.UNKNOWN, claimed, subject)
            return None
        if len(found) > 1:
            refuse(request, Refusal.AMBIGUOUS, claimed, subject)
            return None
        person = found[0]
        if person.identity_provider_subject:
            refuse(request, Refusal.SUBJECT_DIFFERS, claimed, subject)
            return None
        if not person.is_active:
            refuse(request, Refusal.INACTIVE, claimed, subject)
            return None
        with transaction.atomic():
            person.identity_provider_subject = subject
            person.save(update_fields=["identity_provider_subject"])
            record(
                actor(),
                Change(
                    AuditAction.IDENTITY_PROVIDER_LINKED,
                    "user",
                    person.username,
                    details={"claimed": claimed, "subject": subject},
                ),
            )
        return person
    if not person.is_active:
        refuse(request, Refusal.INACTIVE, claimed or person.username, subject)
        return None
    return person


def forget_subject(user: User, *, actor: Actor) -> bool:
    """Forget the subject recorded on a person (their provider account was replaced)."""
    if not user.identity_provider_subject:
        return False
    with transaction.atomic():
        old = user.identity_provider_subject
        user.identity_provider_subject = ""
        user.save(update_fields=["identity_provider_subject"])
        record(
            actor,
            Change(
                AuditAction.IDENTITY_PROVIDER_FORGOTTEN,
                "user",
                user.username,
                details={"subject": old},
            ),
        )
    return True
