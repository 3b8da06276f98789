"""What the load benchmarks share: a synthetic region, `caresignals serve` on a free loopback
port, a signed-in session and an API token. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLI = [sys.executable, "-m", "caresignals.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_env(database_url: str, var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CARESIGNALS_DEMO": "1",
        "CARESIGNALS_VAR_DIR": str(var),
    }


def build_demo(env: dict[str, str], *extra: str) -> None:
    subprocess.run([*CLI, "demo", "--no-serve", *extra], env=env, check=True, capture_output=True)


def api_token(env: dict[str, str], username: str, name: str) -> str:
    created = subprocess.run(
        [*CLI, "token", "create", username, "--name", name],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return created.stdout.strip().splitlines()[-1]


@contextmanager
def serving(env: dict[str, str], *, workers: int = 2, threads: int = 8) -> Iterator[str]:
    """`caresignals serve` until the block ends; yields its base URL once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def signed_in(
    base: str, username: str = "icb.quality", *, timeout: float = 30
) -> urllib.request.OpenerDirector:
    """A browser-like session signed in as one of the demo people. Signing in lands on the
    home page, which a busy machine's cold worker can take a while to draw: `timeout`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/sign-in/", timeout=timeout).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    data = urllib.parse.urlencode(
        {"username": username, "password": "synthetic-demo", "csrfmiddlewaretoken": token[1]}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/sign-in/", data=data, headers={"Referer": f"{base}/accounts/sign-in/"}
    )
    opener.open(request, timeout=timeout).read()
    return opener


def staff_event(source_id: str, days_ago: int, description: str) -> dict[str, object]:
    """One low-harm maternity incident at the demo's largest trust, as the event API takes it."""
    day = dt.date.today() - dt.timedelta(days=days_ago)
    return {
        "source_id": source_id,
        "record_type": "incident",
        "org_code": "RX1",
        "service_code": "RX1-MAT",
        "occurred_on": day.isoformat(),
        "reported_on": day.isoformat(),
        "service_area": "maternity",
        "category": "maternity",
        "physical_harm": "low",
        "patient_died": False,
        "patient_age_years": 30,
        "patient_sex": "female",
        "patient_ethnicity": "A",
        "description": description,
        "reporter_type": "staff",
        "anonymous": False,
    }
