"""Shared fixtures: one clock for the whole suite, and a small synthetic ICS with two trusts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import settings

from caresignals.organisations.models import Organisation
from tests.clock import suite_today, travel
from tests.factories import AreaFactory, OrganisationFactory

# Property tests judge behaviour, not speed: on a busy 2-core machine one example can take
# longer than Hypothesis's default 200 ms deadline without anything being wrong.
settings.register_profile("caresignals", deadline=None)
settings.load_profile("caresignals")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for `today` depends on it: the date-proof check reruns it far apart."""
    for item in items:
        if "today" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.date_sensitive)


@pytest.fixture(scope="session", autouse=True)
def _suite_clock() -> Iterator[None]:
    """Session-scoped, so session fixtures (the generated regions) are built on the same day."""
    with travel():
        yield


@pytest.fixture(autouse=True)
def _test_clock(_suite_clock: None) -> Iterator[None]:
    """Each test starts again at 10:00 of the suite's day, however long the session has run."""
    with travel():
        yield


@pytest.fixture
def today() -> dt.date:
    """The suite's today, for tests that build data relative to it or pass it on."""
    return suite_today()


@pytest.fixture(autouse=True)
def _second_factor_off(settings: Any) -> None:
    """Tests sign in with `force_login` or a password and go straight to the page under test;
    the second factor is switched back on by the tests of it (tests/core/test_second_factor.py)."""
    settings.CARESIGNALS_REQUIRE_SECOND_FACTOR = False


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """Tasks run where they are enqueued, so a test sees their effect at once; the database
    queue and `caresignals worker` are proven by tests/notifications/test_worker.py."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _no_page_warming(settings: Any) -> None:
    """No test pays for warming the watchlist after each change it makes; the warming is
    proven by tests/signals/test_warming.py, which switches it back on."""
    settings.CARESIGNALS_WARM_PAGES = False


@dataclass
class SmallIcs:
    ics: Organisation
    place_a: Organisation
    place_b: Organisation
    trust_a: Organisation
    trust_b: Organisation
    maternity_a: Organisation
    maternity_b: Organisation


@pytest.fixture
def small_ics(db: None) -> SmallIcs:
    ics = OrganisationFactory(code="ICS1", name="Synthetic ICS", kind="ics")
    place_a = OrganisationFactory(code="PA", name="Place A", kind="place", parent=ics)
    place_b = OrganisationFactory(code="PB", name="Place B", kind="place", parent=ics)
    trust_a = OrganisationFactory(code="TA", name="Trust A", type="acute_trust", parent=place_a)
    trust_b = OrganisationFactory(code="TB", name="Trust B", type="acute_trust", parent=place_b)
    mat_a = OrganisationFactory(
        code="TA-MAT", name="Maternity A", kind="service", type="maternity", parent=trust_a
    )
    mat_b = OrganisationFactory(
        code="TB-MAT", name="Maternity B", kind="service", type="maternity", parent=trust_b
    )
    for decile in (1, 1, 2, 6, 10):
        AreaFactory(place=place_a, imd_decile=decile, population=1000)
    AreaFactory(place=place_b, imd_decile=9, population=2000)
    return SmallIcs(ics, place_a, place_b, trust_a, trust_b, mat_a, mat_b)


@pytest.fixture(autouse=True)
def fresh_page_cache() -> None:
    """Tests write data without imports (so without bumping the data version): start each
    with an empty page cache so no test reads another's pages."""
    from django.core.cache import cache

    from caresignals.core import cache as page_cache

    cache.clear()
    page_cache._recent.clear()
    # The throttles' counters live in this process's memory (core/ratelimit.py).
    from caresignals.core import ratelimit

    ratelimit.reset()
    # Likewise the reference data kept for recording events: test databases reuse ids.
    from caresignals.safety.events import importers

    importers._reference_kept = None
