"""Recording events through the API: 20 concurrent submitters on loopback.

Target (issue 5): p95 latency under 200 ms on SQLite and on PostgreSQL. Each database gets a
fresh small synthetic region (PostgreSQL when CARESIGNALS_BENCH_POSTGRES_URL names a database
the benchmark may drop and recreate), `caresignals serve` on a free port of 127.0.0.1, and a
token for the ICB quality lead. Traffic goes only to 127.0.0.1, is bounded and stops by itself.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from benchmarks._server import api_token, build_demo, demo_env, serving, staff_event
from benchmarks._table import Result

SUBMITTERS = 20
EVENTS_EACH = 25
WARM_UP_EACH = 2


def _event(i: int, k: int) -> dict[str, object]:
    return staff_event(f"bench-{i}-{k}", 1 + (i + k) % 20, "Synthetic benchmark event.")


def _measure(database_url: str, var: Path) -> tuple[np.ndarray, float]:
    env = demo_env(database_url, var)
    build_demo(env)
    token = api_token(env, "icb.quality", "benchmark")
    latencies: list[float] = []
    lock = threading.Lock()
    with serving(env) as base:

        def submit(i: int, first: int = 0, count: int = EVENTS_EACH) -> None:
            mine = []
            for k in range(first, first + count):
                request = urllib.request.Request(
                    f"{base}/api/v1/events",
                    data=json.dumps(_event(i, k)).encode(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                    method="POST",
                )
                start = time.perf_counter()
                with urllib.request.urlopen(request, timeout=60) as response:
                    assert response.status == 201
                mine.append(time.perf_counter() - start)
            with lock:
                latencies.extend(mine)

        # A served process has been up for a while: warm each worker (first connections,
        # compiled URL patterns and schemas) with a few events that are not timed.
        warm = [
            threading.Thread(target=submit, args=(i, EVENTS_EACH, WARM_UP_EACH))
            for i in range(SUBMITTERS)
        ]
        for t in warm:
            t.start()
        for t in warm:
            t.join()
        latencies.clear()
        threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMITTERS)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    return np.array(latencies) * 1000, len(latencies) / elapsed


def run() -> list[Result]:
    from benchmarks.import_events import _fresh_postgres

    results = []
    targets: list[tuple[str, str | None]] = [("SQLite", None)]
    if os.environ.get("CARESIGNALS_BENCH_POSTGRES_URL"):
        targets.append(("PostgreSQL", os.environ["CARESIGNALS_BENCH_POSTGRES_URL"]))
    for label, url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            var = Path(tmp)
            database_url = (
                f"sqlite:///{var / 'api.sqlite3'}" if url is None else _fresh_postgres(url)
            )
            ms, rate = _measure(database_url, var)
        results.append(
            Result(
                f"event API p95, {SUBMITTERS} submitters, {len(ms)} events: {label}",
                float(np.percentile(ms, 95)),
                200,
                "ms",
                f"p50 {np.percentile(ms, 50):.0f} ms, {rate:.0f} events/s",
            )
        )
    return results


if __name__ == "__main__":
    from benchmarks._table import print_table

    print_table(run())
