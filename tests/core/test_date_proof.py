"""The suite does not age: its date-sensitive tests pass on days far from the one it runs on.

Every test runs on the suite's day (tests/clock.py); a test that asks for `today` is marked
`date_sensitive`, as are those that build dates in other ways. This reruns those at two far-apart
days, a year on and a day in another season and weekday, so a test that mixes fixed months with
"today" (as one that built governance for 2026-10 and counted reviews overdue on the real day
once did) fails here, not in a year's time.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.clock import suite_today

ROOT = Path(__file__).resolve().parents[2]
SELECTION = "date_sensitive and not browser"


def far_days() -> list[dt.date]:
    # 364 days keeps the weekday; 1 March 2031 is a Saturday at the start of a month.
    return [suite_today() + dt.timedelta(days=364), dt.date(2031, 3, 1)]


def _environment(day: dt.date, var: Path) -> dict[str, str]:
    env = {**os.environ, "CARESIGNALS_TEST_TODAY": day.isoformat()}
    env.pop("CARESIGNALS_TEST_SQLITE", None)  # that file is this session's test database
    # The two runs go side by side: each its own page cache (a file cache under var/), so one
    # clearing it between tests does not empty the other's.
    env["CARESIGNALS_VAR_DIR"] = str(var / day.isoformat())
    url = env.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite"):
        # Beside this session's test database, not over it: PostgreSQL's test database is named
        # after the one in the URL.
        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'caresignals'}_dateproof_{day:%Y%m%d}"
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return env


def _files(request: pytest.FixtureRequest) -> list[str]:
    """The files this session found date-sensitive tests in (collecting only those is quicker);
    every test file when this test runs on its own."""
    found = {
        item.path.relative_to(ROOT).as_posix()
        for item in request.session.items
        if item.get_closest_marker("date_sensitive") and not item.get_closest_marker("browser")
    }
    return sorted(found) or ["tests"]


def test_the_date_sensitive_tests_pass_a_year_on_and_years_later(request, tmp_path):
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", SELECTION]
    command += _files(request)
    runs = {
        day: subprocess.Popen(
            command,
            cwd=ROOT,
            env=_environment(day, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for day in far_days()
    }
    failed = {}
    for day, run in runs.items():
        out, _ = run.communicate(timeout=600)
        if run.returncode != 0:
            failed[day.isoformat()] = "\n".join(out.splitlines()[-40:])
    if failed:
        pytest.fail("\n\n".join(f"On {day}:\n{tail}" for day, tail in failed.items()))


# What a test would call to read the real clock; tests take `today` or `suite_today()` instead.
REAL_CLOCK = re.compile(
    r"date\.today\(\)|datetime\.now\(|datetime\.utcnow\(|timezone\.now\(\)"
    r"|timezone\.localdate\(\)|time\.time\(\)"
)


def test_no_test_reads_the_real_clock():
    """Such a test would not be marked date_sensitive, so the reruns above would not see it."""
    readers = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if path.name != "clock.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if REAL_CLOCK.search(line) and not line.lstrip().startswith("#")
    ]
    assert not readers, "\n".join(readers)
