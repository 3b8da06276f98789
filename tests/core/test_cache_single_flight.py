"""A cold cache entry is computed by one reader; the others wait for it (single flight)."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache

from caresignals.core import cache as page_cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_second_reader_waits_for_the_first_instead_of_computing_again():
    started = threading.Event()
    release = threading.Event()
    builds: list[str] = []

    def slow_build() -> str:
        builds.append("first")
        started.set()
        assert release.wait(5)
        return "the value"

    def second_build() -> str:
        builds.append("second")
        return "another value"

    results: dict[str, str] = {}
    first = threading.Thread(
        target=lambda: results.update(first=page_cache._compute_once("cs:k", slow_build))
    )
    first.start()
    assert started.wait(5)
    second = threading.Thread(
        target=lambda: results.update(second=page_cache._compute_once("cs:k", second_build))
    )
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting for the first reader, not computing
    release.set()
    first.join(5)
    second.join(5)
    assert builds == ["first"]
    assert results == {"first": "the value", "second": "the value"}
    assert cache.get("cs:k") == "the value"
    assert cache.get("cs:k:computing") is None  # the lock is released


def test_a_reader_computes_itself_when_the_lock_holder_never_finishes(monkeypatch):
    monkeypatch.setattr(page_cache, "LOCK_SECONDS", 0.2)
    cache.add("cs:k:computing", True, 60)  # a holder that died while computing
    assert page_cache._compute_once("cs:k", lambda: "computed here") == "computed here"
    assert cache.get("cs:k") == "computed here"


def test_a_failed_computation_releases_the_lock_for_the_next_reader():
    def failing() -> str:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        page_cache._compute_once("cs:k", failing)
    assert cache.get("cs:k:computing") is None
    assert page_cache._compute_once("cs:k", lambda: "second try") == "second try"


@pytest.mark.django_db(transaction=True)
def test_cached_pages_computed_once_for_concurrent_readers(small_ics):
    from caresignals.organisations.roles import Role
    from tests.factories import member

    reader = member(small_ics.trust_a, Role.STAFF)
    page_cache._recent.clear()
    started = threading.Event()
    release = threading.Event()
    builds: list[int] = []

    def build() -> str:
        builds.append(1)
        started.set()
        assert release.wait(5)
        return "page"

    results: list[str] = []

    def read() -> None:
        from django.db import connection

        try:
            results.append(page_cache.cached(reader, "single-flight", (), build))
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(3)]
    threads[0].start()
    assert started.wait(5)
    for t in threads[1:]:
        t.start()
    threads[1].join(0.3)
    release.set()
    for t in threads:
        t.join(10)
    assert results == ["page", "page", "page"]
    assert builds == [1]
