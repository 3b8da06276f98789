"""Headless Debian Chromium driven by Playwright, with axe checking every page visited.

Playwright's own browser downloads are never used: the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CARESIGNALS_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium tries to reach Google's services at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; Django's guard against
    # database calls from async code would otherwise trip in the test's own set-up.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    off_machine: list[str] = []

    def watch(request) -> None:
        host = request.url.split("/")[2] if "://" in request.url else ""
        if request.url.startswith(("http://", "https://")) and not host.startswith(
            ("127.0.0.1", "localhost")
        ):
            off_machine.append(request.url)

    page.on("request", watch)
    yield page
    context.close()
    assert not off_machine, f"pages asked other hosts for: {off_machine}"


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _design_system_conditional_reveal(violation: dict) -> bool:
    """The one finding axe makes that the design system chose knowingly: its conditional
    reveals put `aria-expanded` on a radio (screen readers announce it, and the NHS.UK and
    GOV.UK teams keep it for that reason, though ARIA does not yet list it for radios). Only
    that: every node a conditional radio, and `aria-expanded` the only attribute named."""
    if violation["id"] != "aria-allowed-attr":
        return False
    for node in violation["nodes"]:
        html = node["html"]
        named = " ".join(c["message"] for c in node.get("any", []) + node.get("all", []))
        if "nhsuk-radios__input" not in html or "aria-controls=" not in html:
            return False
        if "aria-expanded" not in named or named.count("aria-") != 1:
            return False
    return True


@pytest.fixture
def assert_accessible(axe):
    """Run axe (WCAG 2.x A and AA rules) on the page and fail with what it found.

    `best_practice` adds axe's best-practice rules, among them `region` (everything inside a
    landmark) and `heading-order`, which the WCAG tags alone leave out.
    """

    def check(page, *, best_practice: bool = False) -> None:
        tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
        if best_practice:
            tags.append("best-practice")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": tags}})
        violations = [
            v for v in results.response["violations"] if not _design_system_conditional_reveal(v)
        ]
        summary = "\n".join(
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes) e.g. {v['nodes'][0]['html'][:200]}"
            for v in violations
        )
        assert not violations, f"axe found problems on {page.url}:\n{summary}"

    return check


@pytest.fixture
def looks_right(assert_accessible):
    """axe finds nothing on the page, and at 320 CSS px it reflows with no sideways scroll
    (WCAG 1.4.10); the viewport is put back afterwards."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.browser.test_reflow import _OVERFLOW

    def check(page) -> None:
        assert_accessible(page)
        size = page.viewport_size
        page.set_viewport_size({"width": 320, "height": 640})
        # The header's script moves menu items that no longer fit into "More" when the window
        # narrows; on a busy machine that happens a moment after the resize. Give it that
        # moment (up to 5 s), then measure: a page that really scrolls sideways still fails.
        page.wait_for_load_state("load")
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "() => document.documentElement.scrollWidth <= window.innerWidth", timeout=5000
            )
        found = page.evaluate(_OVERFLOW)
        assert found["scrollWidth"] <= found["innerWidth"], f"{page.url} scrolls sideways: {found}"
        page.set_viewport_size(size)

    return check
