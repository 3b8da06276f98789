"""Dashboard pages under load: 50 concurrent signed-in users on loopback, demo at 1 M events.

Target (issue 7): p95 under 300 ms. The server is `caresignals serve` (gunicorn) on a free
port of 127.0.0.1, against the `medium` synthetic region (about 1 M events). Set
CARESIGNALS_BENCH_DASHBOARD_DB to an existing medium-scale SQLite file to skip building one.
Traffic goes only to 127.0.0.1, is bounded in count and stops by itself.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from benchmarks._server import build_demo, demo_env, serving, signed_in
from benchmarks._table import Result

USERS = 50
REQUESTS_PER_USER = 12
PAGES = [
    "/organisations/RX1/",
    "/organisations/RX1-MAT/",
    "/organisations/ICS-NFC/",
    "/system/matrix/",
    "/organisations/RX1-MAT/indicators/moderate_harm_rate/",
    "/organisations/IL1-W1/",
]


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        db = Path(os.environ.get("CARESIGNALS_BENCH_DASHBOARD_DB", var / "medium.sqlite3"))
        env = demo_env(f"sqlite:///{db}", var)
        if not db.exists():
            print("building the medium-scale region (about 1 M events) …", file=sys.stderr)
            build_demo(env, "--scale", "medium")
        with serving(env) as base:
            sessions = [signed_in(base) for _ in range(USERS)]
            # Draw each page first, as the first readers after an import do, so that both
            # server processes hold it: what is measured is the steady state people meet.
            for path in PAGES * 4:
                sessions[0].open(base + path, timeout=60).read()
            latencies: list[float] = []
            lock = threading.Lock()

            by_page: dict[str, list[float]] = {p: [] for p in PAGES}

            def user(i: int) -> None:
                mine = []
                for k in range(REQUESTS_PER_USER):
                    path = PAGES[(i + k) % len(PAGES)]
                    start = time.perf_counter()
                    sessions[i].open(base + path, timeout=60).read()
                    mine.append((path, time.perf_counter() - start))
                with lock:
                    for path, seconds in mine:
                        latencies.append(seconds)
                        by_page[path].append(seconds)

            threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - start
    for path, seconds in by_page.items():
        print(f"  p95 {np.percentile(seconds, 95) * 1000:7.1f} ms  {path}", file=sys.stderr)
    ms = np.array(latencies) * 1000
    n = len(ms)
    return [
        Result(
            f"dashboard p50, {USERS} users, {n} requests", float(np.percentile(ms, 50)), None, "ms"
        ),
        Result(
            f"dashboard p95, {USERS} users, {n} requests",
            float(np.percentile(ms, 95)),
            300,
            "ms",
            f"{n / elapsed:.0f} requests/s",
        ),
    ]


if __name__ == "__main__":
    from benchmarks._table import print_table

    print_table(run())
