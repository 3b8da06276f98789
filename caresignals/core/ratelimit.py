"""A per-client rate limit for the public endpoints, kept in Django's cache.

The client's IP address appears only inside a keyed hash in a cache key that expires with
its window: it is never stored in the database or written to the audit log. The address is
the one `core/clients.py` decides (the connection's own, or what a trusted proxy saw).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from caresignals.core.clients import client_address

PUBLIC_RATE = 10  # requests
PUBLIC_WINDOW = 60  # seconds


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends (meaningful when not allowed)


def _now() -> float:
    return time.time()


def _client_key(request: HttpRequest, scope: str, window_start: int) -> str:
    address = client_address(request) or "unknown"
    digest = hmac.new(
        settings.SECRET_KEY.encode("utf-8"), address.encode("utf-8"), hashlib.sha256
    ).hexdigest()[:32]
    return f"api-rate:{scope}:{window_start}:{digest}"


def check(
    request: HttpRequest,
    scope: str,
    *,
    rate: int = PUBLIC_RATE,
    window: int = PUBLIC_WINDOW,
) -> Decision:
    """Count this request against the client's fixed window; refuse beyond `rate`."""
    now = _now()
    window_start = int(now // window) * window
    key = _client_key(request, scope, window_start)
    retry_after = max(1, int(window_start + window - now + 0.999))
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
    return Decision(allowed=count <= rate, retry_after=retry_after)
