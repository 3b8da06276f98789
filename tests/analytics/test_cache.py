"""Cached page data is keyed by the reader's scope and the data version."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from caresignals.core.cache import bump, cached, data_version
from caresignals.organisations.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_cached_until_the_data_change_and_never_across_scopes(small_ics):
    cache.clear()
    calls: list[str] = []

    def build(tag: str):
        def inner() -> str:
            calls.append(tag)
            return f"{tag}-{len(calls)}"

        return inner

    a = member(small_ics.trust_a, Role.STAFF)
    b = member(small_ics.trust_b, Role.STAFF)
    first = cached(a, "page", (1,), build("a"))
    assert cached(a, "page", (1,), build("a")) == first  # served from the cache
    assert cached(b, "page", (1,), build("b")) != first  # another scope: built afresh
    assert cached(a, "page", (2,), build("a")) != first  # other parameters too
    before = data_version()
    bump()
    assert data_version() == before + 1
    assert cached(a, "page", (1,), build("a")) != first  # new data: built again
    assert calls == ["a", "b", "a", "a"]
