"""Counters that throttle clients, kept only in this process's memory.

Used for the public endpoints' per-client rate limit, the speak-up access code's failures
(speakup/codes.py) and failed sign-ins per address (core/middleware.py). Two properties keep
an anonymous sender anonymous (ADR 13, hazards H17 and H37):

- Nothing reaches a disk. A cache file or a database row outlives its expiry, and a hashed
  address in it can be recovered by trying every address of a network (a /16 is 65 536
  tries). The counters live in a dictionary that drops entries as their window ends.
- Keys are HMACs under a random key made in this process and replaced every day, never
  written anywhere: even with the secret key, a key seen in memory yesterday cannot be tested
  against candidate addresses today. Counters in flight at midnight start again.

The cost: each server process counts alone, so behind `caresignals serve --workers N` a limit
of R lets through at most R × N (requests spread over the workers). The limits are set for
that; the README says so. The address is the one `core/clients.py` decides (the connection's
own, or what a trusted proxy saw).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from django.http import HttpRequest

from caresignals.core.clients import client_address

PUBLIC_RATE = 10  # requests
PUBLIC_WINDOW = 60  # seconds
_SWEEP_EVERY = 5.0  # seconds between sweeps of ended windows


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends (meaningful when not allowed)


def _now() -> float:
    return time.time()


class _Counters:
    """Counts per key that vanish when their time is up; thread-safe (gunicorn's threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)
        self._day: dt.date | None = None
        self._key = b""
        self._next_sweep = 0.0

    def key(self, *parts: str) -> str:
        """An HMAC of `parts` under today's random key."""
        today = dt.datetime.fromtimestamp(_now(), dt.UTC).date()
        with self._lock:
            if today != self._day:
                self._day, self._key = today, secrets.token_bytes(32)
                self._counts.clear()  # keyed with yesterday's key: unreachable now
            key = self._key
        message = "\x1f".join(parts).encode("utf-8")
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    def add(self, key: str, expires: float) -> int:
        now = _now()
        with self._lock:
            self._sweep(now)
            count, until = self._live(key, now) or (0, expires)
            self._counts[key] = (count + 1, until)
            return count + 1

    def get(self, key: str) -> int:
        now = _now()
        with self._lock:
            entry = self._live(key, now)
            return entry[0] if entry else 0

    def expires_at(self, key: str) -> float | None:
        with self._lock:
            entry = self._live(key, _now())
            return entry[1] if entry else None

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._day = None
            self._next_sweep = 0.0

    def snapshot(self) -> dict[str, int]:
        """Keys and counts, for tests that show what is held."""
        with self._lock:
            return {k: c for k, (c, _) in self._counts.items()}

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._counts.get(key)
        if entry is not None and entry[1] <= now:
            del self._counts[key]
            return None
        return entry

    def _sweep(self, now: float) -> None:
        """Drop every ended window, at most once every few seconds (a flood of new clients
        must not make each request walk the whole table)."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + _SWEEP_EVERY
        for k in [k for k, (_, until) in self._counts.items() if until <= now]:
            del self._counts[k]


counters = _Counters()


def reset() -> None:
    """Forget every counter (tests; a restart does the same)."""
    counters.clear()


def count(scope: str, subject: str, *, window: int) -> int:
    """Count one more for `subject` in `scope` over a window starting now if none is running;
    the count so far."""
    return counters.add(counters.key(scope, subject), _now() + window)


def counted(scope: str, subject: str) -> int:
    return counters.get(counters.key(scope, subject))


def seconds_left(scope: str, subject: str) -> int:
    until = counters.expires_at(counters.key(scope, subject))
    return 0 if until is None else max(1, int(until - _now() + 0.999))


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
    subject = client_address(request) or "unknown"
    key = counters.key(scope, str(window_start), subject)
    retry_after = max(1, int(window_start + window - now + 0.999))
    number = counters.add(key, window_start + window)
    return Decision(allowed=number <= rate, retry_after=retry_after)
