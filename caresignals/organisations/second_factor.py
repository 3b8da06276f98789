"""The second factor after a local password: an authenticator app's time-based code (TOTP),
with a few single-use recovery codes for a lost phone (django-otp; ADR 20).

Who needs one is `roles.needs_second_factor`. A new secret is offered for set-up without being
stored; only a code from the app proves the person holds it, and only then is the device
kept. Wrong codes are throttled by django-otp itself: each failure doubles the wait before
the device accepts another try.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

import segno
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from caresignals.audit.models import AuditAction
from caresignals.audit.services import Actor, Change, record
from caresignals.organisations.models import User

RECOVERY_CODES = 8
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"


def new_secret() -> str:
    """20 random bytes as hex, the form django-otp stores."""
    return secrets.token_hex(20)


def secret_as_text(secret: str) -> str:
    """Base32, in groups of four, as authenticator apps ask for it when typed."""
    text = base64.b32encode(bytes.fromhex(secret)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(user: User, secret: str) -> str:
    """The set-up address as a QR code, drawn here as inline SVG: nothing leaves the machine."""
    device = TOTPDevice(user=user, key=secret, name=APP_DEVICE)
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title="QR code for your authenticator app"
    )


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def code_is_right(secret: str, code: str) -> bool:
    """Whether a code the app shows now (or one step either side) belongs to this secret."""
    code = _normalised(code)
    if not code.isdigit():
        return False
    return TOTP(bytes.fromhex(secret)).verify(int(code), tolerance=1)


@dataclass(frozen=True)
class SetUp:
    device: TOTPDevice
    recovery_codes: list[str]


def set_up(user: User, secret: str, code: str, *, actor: Actor) -> SetUp | None:
    """Keep the app (and new recovery codes) once a code proves it holds the secret; None if
    the code is wrong. Any earlier second factor is replaced."""
    if not code_is_right(secret, code):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, key=secret, name=APP_DEVICE, confirmed=True)
        # The code just given cannot be given again.
        device.last_t = TOTP(bytes.fromhex(secret)).t()
        device.save(update_fields=["last_t"])
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        record(actor, Change(AuditAction.SECOND_FACTOR_SET_UP, "user", user.username))
    return SetUp(device, codes)


def verify(user: User, code: str, *, actor: Actor) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code (the app's, or a recovery code used up), or None."""
    code = _normalised(code)
    if not code:
        return None
    with transaction.atomic():
        app = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if len(code) == 6 and code.isdigit():  # the app's codes; recovery codes have 8 letters
            return app if app is not None and app.verify_token(code) else None
        recovery = (
            StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        )
        if recovery is not None and recovery.verify_token(code):
            record(
                actor,
                Change(
                    AuditAction.SECOND_FACTOR_RECOVERY_USED,
                    "user",
                    user.username,
                    details={"left": recovery.token_set.count()},
                ),
            )
            return recovery
    return None


def remove(user: User, *, actor: Actor) -> bool:
    """Remove the person's second factor (a lost phone): they set up a new one next time."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        removed_codes, _ = StaticDevice.objects.filter(user=user).delete()
        if not (removed or removed_codes):
            return False
        record(actor, Change(AuditAction.SECOND_FACTOR_REMOVED, "user", user.username))
    return True
