"""References and access codes for speak-up cases, and the throttle on guessing them.

The access code is the reporter's only key to an anonymous case. It is 140 random bits from
`secrets`, written as 28 Crockford base-32 characters in groups of four (no I, L, O or U, so
it reads aloud and types without confusion). It is shown once and stored only as

    hmac-sha256$<salt>$<HMAC-SHA256(key, salt || code)>

Why a keyed fast hash and not a slow password hash: slow hashes (PBKDF2, Argon2) exist to
make guessing *low-entropy* secrets expensive. At 140 bits, guessing is infeasible at any hash
speed (2^139 tries on average), so stretching adds nothing but lets anyone who can send
requests burn server CPU. The key (CARESIGNALS_SPEAKUP_CODE_KEY, else derived from the secret
key) means a copy of the database alone does not even allow offline checking; the per-case salt
means equal codes would not give equal hashes. Comparison is constant-time.

Attempts are throttled twice, in this process's memory only (core/ratelimit.py: nothing about
the client or the reference reaches the database or a disk, and the keys are HMACs under a
random key replaced daily): per reference (FAILURES_PER_REFERENCE wrong codes per
FAILURE_WINDOW, then refused until the window ends) and per client (the shared rate limit).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from caresignals.core import ratelimit

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32
CODE_BITS = 140
CODE_LENGTH = CODE_BITS // 5  # 28 characters
REFERENCE_LENGTH = 8  # 40 bits: a reference is not secret, only unpredictable
REFERENCE_PREFIX = "FTSU-"
FAILURES_PER_REFERENCE = 5
FAILURE_WINDOW = 15 * 60  # seconds
CLIENT_RATE = 10  # code checks per client per minute
CLIENT_WINDOW = 60
_SCHEME = "hmac-sha256"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
REFERENCE_PATTERN = re.compile(rf"^{REFERENCE_PREFIX}[{ALPHABET}]{{{REFERENCE_LENGTH}}}$")


def _random_string(length: int) -> str:
    value = secrets.randbits(length * 5)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(length))


def new_reference() -> str:
    """A random case reference: random rather than sequential, so it says nothing about when
    the case was raised or how many came before it."""
    return REFERENCE_PREFIX + _random_string(REFERENCE_LENGTH)


def new_access_code() -> str:
    """A fresh access code for showing to the reporter once, e.g. `7KQ2-MZ9X-...`."""
    raw = _random_string(CODE_LENGTH)
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    """What the person typed, without spaces or dashes, upper case, confusable letters mapped."""
    return re.sub(r"[\s\-]", "", code or "").upper().translate(_CONFUSABLE)


def normalise_reference(reference: str) -> str:
    value = re.sub(r"\s", "", reference or "").upper().translate(_CONFUSABLE)
    if value and not value.startswith(REFERENCE_PREFIX):
        value = REFERENCE_PREFIX + value.removeprefix("FTSU")
    return value


def _key() -> bytes:
    configured = getattr(settings, "CARESIGNALS_SPEAKUP_CODE_KEY", "")
    if configured:
        return str(configured).encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"caresignals.speakup.access-code", hashlib.sha256
    ).digest()


def _digest(salt: str, code: str) -> str:
    message = salt.encode("ascii") + b"$" + normalise_code(code).encode("utf-8")
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def hash_code(code: str) -> str:
    salt = secrets.token_hex(16)
    return f"{_SCHEME}${salt}${_digest(salt, code)}"


def code_matches(code: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != _SCHEME:
        return False
    return hmac.compare_digest(_digest(salt, code), digest)


def dummy_check(code: str) -> None:
    """Spend the same work as a real check, so an unknown reference is not told apart by time."""
    code_matches(code, f"{_SCHEME}${'0' * 32}${'0' * 64}")


# -- throttling wrong codes, per reference ----------------------------------------------------


_FAILURES = "speakup-code-failures"


def reference_locked(reference: str) -> bool:
    return ratelimit.counted(_FAILURES, reference) >= FAILURES_PER_REFERENCE


def record_failure(reference: str) -> None:
    ratelimit.count(_FAILURES, reference, window=FAILURE_WINDOW)


def failure_window_seconds() -> int:
    """How long a locked reference stays locked at most (for Retry-After)."""
    return FAILURE_WINDOW


# -- one case per raising form ------------------------------------------------------------------


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


def submission_hash(token: str) -> str | None:
    """A keyed hash of a form's submission token; None when the token is missing or malformed."""
    if not token or not re.fullmatch(r"[A-Za-z0-9_\-]{16,64}", token):
        return None
    return hmac.new(_key(), b"submission$" + token.encode("ascii"), hashlib.sha256).hexdigest()
