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


def test_a_bump_naming_months_dates_only_what_is_kept_for_those_months_and_later(small_ics):
    import datetime as dt

    from caresignals.core.cache import version_through

    cache.clear()
    sept, oct_, nov = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    before = {m: version_through(m) for m in (sept, oct_, nov)}
    version = data_version()
    bump(months={dt.date(2026, 10, 20)})  # any day names its month
    assert data_version() == version + 1  # pages of all the data are out of date
    assert version_through(sept) == before[sept]  # September's are not
    assert version_through(oct_) != before[oct_]
    assert version_through(nov) != before[nov]
    kept = {m: version_through(m) for m in (sept, oct_, nov)}
    bump()  # naming no months: every month may have changed
    assert all(version_through(m) != kept[m] for m in kept)


def test_kept_through_a_month_until_that_month_or_an_earlier_one_changes(small_ics):
    import datetime as dt

    cache.clear()
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(calls)

    a = member(small_ics.trust_a, Role.STAFF)
    sept, oct_ = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    assert cached(a, "report", (sept,), build, through=sept) == 1
    bump(months={oct_})  # a later month changed
    assert cached(a, "report", (sept,), build, through=sept) == 1  # still served
    bump(months={dt.date(2026, 8, 1)})  # an earlier month changed
    assert cached(a, "report", (sept,), build, through=sept) == 2
    assert cached(a, "report", (sept,), build) == 3  # keyed by all the data: another entry
    assert calls == [1, 1, 1]


def test_an_event_refresh_dates_only_the_months_it_recomputed(small_ics):
    import datetime as dt

    from caresignals.analytics import event_indicators
    from caresignals.core.cache import version_through

    sept, oct_ = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    before = version_through(sept), version_through(oct_)
    event_indicators.refresh({(small_ics.trust_a.pk, oct_)})
    assert version_through(sept) == before[0]
    assert version_through(oct_) != before[1]
