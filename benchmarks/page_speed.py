"""Page speed for every role: first view after a new event, and warm views, on loopback.

Target (issue 18): every page under 1 s at the 95th percentile on the `medium` synthetic region
(about 1 M events). For each demo person the benchmark signs in, takes a fixed list of the
pages their role works in plus every link on their home page (one level, same site, bounded),
then records one new patient-safety event through the API — which invalidates what it
affects — waits for its aggregates, and reads each page once (the first view) and WARM_VIEWS
times more. The table gives, per role and page, the first view, the 50th and 95th
percentiles over all the views, and a verdict against 1 s; the summary rows go into
`./dev bench`'s table.

CARESIGNALS_BENCH_PAGE_SPEED_DB reuses an existing medium-scale SQLite file (the dashboard
benchmark's CARESIGNALS_BENCH_DASHBOARD_DB is used when that is unset);
CARESIGNALS_BENCH_PAGE_SPEED_SCALE builds another scale (`small` while developing);
CARESIGNALS_BENCH_PAGE_SPEED_ROLES=icb.quality,board measures only those roles;
CARESIGNALS_BENCH_PAGE_SPEED_EVENT_MONTH=latest records the new event in the month the pages
open on instead of yesterday (the worst case: the event changes what they show). Traffic goes
only to 127.0.0.1, is bounded in count and stops by itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from benchmarks._server import (
    api_token,
    build_demo,
    demo_env,
    serving,
    signed_in,
    staff_event,
)
from benchmarks._table import Result

TARGET_SECONDS = 1.0
WARM_VIEWS = 4
MAX_PAGES_PER_ROLE = 30
# How long to let the new event's aggregates be recomputed (the refresher coalesces a second).
SETTLE_SECONDS = 3.0
INDICATOR = "moderate_harm_rate"

# Representative pages of each role (from the urls modules); the home page's links are added.
PAGES: dict[str, list[str]] = {
    "staff": ["/", "/safety/record/", "/safety/my-events/", "/speak-up/raise/", "/my-work/"],
    "safety.lead": [
        "/",
        "/safety/triage/",
        "/safety/plan/",
        "/safety/responses/",
        "/safety/actions/",
        "/safety/candour/",
        "/safety/referrals/",
        "/safety/system/",
        "/organisations/RX1/",
        f"/organisations/RX1-MAT/indicators/{INDICATOR}/",
    ],
    "complaints.lead": ["/", "/complaints/", "/feedback/manage/", "/feedback/insight/RX1/"],
    "guardian": ["/", "/speak-up/cases/", "/speak-up/summary/"],
    "icb.quality": [
        "/",
        "/signals/watchlist/",
        "/signals/escalation/",
        "/signals/risks/",
        "/signals/pack/",
        "/safety/system/",
        "/system/matrix/",
        "/organisations/ICS-NFC/",
        "/organisations/RX1/",
        f"/organisations/RX1/indicators/{INDICATOR}/",
        f"/organisations/indicators/{INDICATOR}/comparison/",
        "/organisations/RX1/inequalities/",
        "/organisations/ICS-NFC/inequalities/",
        "/reports/ICS-NFC/board/",
    ],
    "board": [
        "/",
        "/reports/RX1/board/",
        "/reports/RX1/board.pdf",
        "/signals/watchlist/",
        "/signals/escalation/",
        "/signals/risks/",
        "/speak-up/summary/",
    ],
    "analyst": [
        "/",
        "/system/matrix/",
        f"/organisations/RX1/indicators/{INDICATOR}/",
        f"/organisations/indicators/{INDICATOR}/comparison/",
        "/organisations/RX1/inequalities/",
        "/safety/system/",
    ],
    "admin": ["/", "/audit/", "/people/"],
}
# Links never followed: they act, leave the site, or are the same page in another form.
SKIP = re.compile(
    r"^/(accounts/|api/|static/|healthz|report-a-concern|feedback/give|speak-up/anonymous)"
    r"|/(new|delete|edit|review|progress|triage|export)/?$|\.(csv|zip)$"
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.found.append(href.split("#")[0])


@dataclass
class PageTimes:
    role: str
    path: str
    first: float = 0.0
    views: list[float] = field(default_factory=list)
    error: str = ""

    @property
    def p50(self) -> float:
        return float(np.percentile(self.views, 50)) if self.views else float("nan")

    @property
    def p95(self) -> float:
        return float(np.percentile(self.views, 95)) if self.views else float("nan")

    @property
    def verdict(self) -> str:
        if self.error:
            return self.error
        return "PASS" if self.p95 <= TARGET_SECONDS else "FAIL"


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        with opener.open(url, timeout=120) as response:
            body = response.read()
            kind = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return time.perf_counter() - start, f"HTTP {error.code}"
    seconds = time.perf_counter() - start
    return seconds, body.decode(errors="replace") if kind.startswith("text/html") else ""


def _pages_for(opener: urllib.request.OpenerDirector, base: str, role: str) -> list[str]:
    pages = list(PAGES[role])
    _, home = _get(opener, base + "/")
    parser = _Links()
    parser.feed(home)
    for href in parser.found:
        if href not in pages and not SKIP.search(href.split("?")[0]):
            pages.append(href)
    return pages[:MAX_PAGES_PER_ROLE]


def _event_day(opener: urllib.request.OpenerDirector, base: str) -> int:
    """Days ago of the new event: yesterday, or a day in the month the watchlist opens on."""
    if os.environ.get("CARESIGNALS_BENCH_PAGE_SPEED_EVENT_MONTH") != "latest":
        return 1
    _, page = _get(opener, base + "/signals/watchlist/")
    month = re.search(r'<option value="(\d{4}-\d{2})"[^>]*selected', page)
    if month is None:
        return 1
    day = dt.date.fromisoformat(month[1] + "-15")
    return (dt.date.today() - day).days


def _record_event(base: str, token: str, n: int, days_ago: int) -> None:
    body = staff_event(f"PAGE-SPEED-{time.time_ns()}-{n}", days_ago, "Page speed benchmark event")
    request = urllib.request.Request(
        f"{base}/api/v1/events",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()


def _wait_until_up(base: str, seconds: float = 180) -> None:
    """`serving` waits 20 s; on a busy machine the first worker can take longer."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _roles() -> list[str]:
    """Every role, or those CARESIGNALS_BENCH_PAGE_SPEED_ROLES names (comma-separated)."""
    chosen = os.environ.get("CARESIGNALS_BENCH_PAGE_SPEED_ROLES", "")
    names = [r.strip() for r in chosen.split(",") if r.strip()]
    unknown = set(names) - set(PAGES)
    if unknown:
        raise SystemExit(f"unknown roles: {', '.join(sorted(unknown))}; known: {', '.join(PAGES)}")
    return names or list(PAGES)


def measure(base: str, token: str) -> list[PageTimes]:
    rows: list[PageTimes] = []
    for n, role in enumerate(_roles()):
        opener = signed_in(base, role, timeout=180)
        pages = _pages_for(opener, base, role)
        _record_event(base, token, n, _event_day(opener, base))
        time.sleep(SETTLE_SECONDS)
        timed = [PageTimes(role, path) for path in pages]
        for row in timed:  # every page's first view before any page's second
            row.first, body = _get(opener, base + row.path)
            row.views.append(row.first)
            if body.startswith("HTTP "):
                row.error = body
        for _ in range(WARM_VIEWS):
            for row in timed:
                if not row.error:
                    row.views.append(_get(opener, base + row.path)[0])
        rows.extend(timed)
        for r in timed:  # as it goes: a long run shows what it has measured
            print(
                f"  {r.role:<16} {r.first:7.3f} {r.p50:7.3f} {r.p95:7.3f}  {r.verdict:<5} {r.path}",
                file=sys.stderr,
            )
    return rows


def print_pages(rows: list[PageTimes]) -> None:
    header = ("role", "page", "first view", "p50", "p95", "verdict (p95 <= 1 s)")
    body = [
        (r.role, r.path, f"{r.first:.3f} s", f"{r.p50:.3f} s", f"{r.p95:.3f} s", r.verdict)
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(header, *body, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for b in body:
        print(line.format(*b))
    print()


def run() -> list[Result]:
    scale = os.environ.get("CARESIGNALS_BENCH_PAGE_SPEED_SCALE", "medium")
    given = os.environ.get("CARESIGNALS_BENCH_PAGE_SPEED_DB") or (
        os.environ.get("CARESIGNALS_BENCH_DASHBOARD_DB") if scale == "medium" else None
    )
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        db = Path(given) if given else var / f"{scale}.sqlite3"
        env = demo_env(f"sqlite:///{db}", var)
        if not db.exists():
            print(f"building the {scale}-scale region …", file=sys.stderr)
            build_demo(env, "--scale", scale)
        token = api_token(env, "icb.quality", "page-speed benchmark")
        with serving(env) as base:
            _wait_until_up(base)
            rows = measure(base, token)
    print_pages(rows)
    timed = [r for r in rows if not r.error]
    views = [v for r in timed for v in r.views]
    slowest = max(timed, key=lambda r: r.p95)
    coldest = max(timed, key=lambda r: r.first)
    return [
        Result(
            f"page speed p95, {len(timed)} pages of {len({r.role for r in timed})} roles",
            float(np.percentile(views, 95)),
            TARGET_SECONDS,
            note=f"{len(views)} views",
        ),
        Result(
            "page speed, slowest page's p95",
            slowest.p95,
            TARGET_SECONDS,
            note=f"{slowest.role} {slowest.path}",
        ),
        Result(
            "page speed, slowest first view",
            coldest.first,
            None,
            note=f"{coldest.role} {coldest.path}",
        ),
    ]


if __name__ == "__main__":
    from benchmarks._table import print_table

    print_table(run())
