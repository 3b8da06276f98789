"""The throttles' counters: in memory only, gone when their window ends, under a key that
changes every day."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from caresignals.core import ratelimit

DAY = 86_400
NOON = 1_800_000_000 - 1_800_000_000 % DAY + DAY // 2  # 12:00 UTC on some day


@pytest.fixture
def clock(monkeypatch):
    now = [float(NOON)]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    ratelimit.reset()
    yield now
    ratelimit.reset()


def _request(address="192.0.2.10"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_a_client_is_refused_beyond_the_rate_then_allowed_in_the_next_window(clock):
    decisions = [ratelimit.check(_request(), "t", rate=3, window=60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after <= 60
    assert ratelimit.check(_request("192.0.2.11"), "t", rate=3, window=60).allowed
    clock[0] += 60
    assert ratelimit.check(_request(), "t", rate=3, window=60).allowed


def test_ended_windows_leave_nothing_behind(clock):
    for n in range(50):
        ratelimit.check(_request(f"192.0.2.{n}"), "t", rate=3, window=60)
    ratelimit.count("failures", "FTSU-7KQ2MZ9X", window=900)
    assert len(ratelimit.counters.snapshot()) == 51
    clock[0] += 901
    ratelimit.check(_request("198.51.100.1"), "t", rate=3, window=60)
    assert len(ratelimit.counters.snapshot()) == 1
    assert ratelimit.counted("failures", "FTSU-7KQ2MZ9X") == 0


def test_the_key_changes_every_day_and_yesterdays_counts_go_with_it(clock):
    ratelimit.count("failures", "FTSU-7KQ2MZ9X", window=DAY * 2)
    today = ratelimit.counters.key("failures", "FTSU-7KQ2MZ9X")
    assert ratelimit.counted("failures", "FTSU-7KQ2MZ9X") == 1
    clock[0] += DAY
    assert ratelimit.counters.key("failures", "FTSU-7KQ2MZ9X") != today
    assert ratelimit.counted("failures", "FTSU-7KQ2MZ9X") == 0
    assert today not in ratelimit.counters.snapshot()


def test_keys_are_keyed_hashes_not_the_address(clock):
    ratelimit.check(_request("203.0.113.77"), "t")
    (key,) = ratelimit.counters.snapshot()
    assert "203.0.113" not in key and len(key) == 32
