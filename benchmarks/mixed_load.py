"""Reads and writes together: 50 users on loopback for 2 minutes, p95 and errors.

Target (issue 16): no server errors, and pages and recorded events answered at a p95 a person
would accept (reads under 1 s, writes under 500 ms) while both go on at once. Each user is
signed in as the ICB quality lead and, in a loop, reads a page of the shared view or records
an event through the API (about one request in five), with a short think time between. The
region is the small synthetic one, built fresh (or CARESIGNALS_BENCH_LOAD_DB, an existing
SQLite demo database). CARESIGNALS_BENCH_LOAD_SECONDS changes the duration. Traffic goes only
to 127.0.0.1, is bounded in time and stops by itself.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
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

USERS = 50
WRITE_SHARE = 0.2
THINK = (0.05, 0.3)  # seconds between one request and the next, drawn uniformly
READS = [
    "/",
    "/organisations/RX1/",
    "/organisations/RX1-MAT/",
    "/system/matrix/",
    "/signals/watchlist/",
    "/safety/system/",
    "/organisations/RX1-MAT/indicators/moderate_harm_rate/",
]


RUN = f"{time.time():.0f}"  # a reused database keeps earlier runs' events: new ids each run


def _event(user: int, k: int) -> bytes:
    event = staff_event(f"load-{RUN}-{user}-{k}", 2 + (user + k) % 20, "Synthetic load-test event.")
    return json.dumps(event).encode()


def run() -> list[Result]:
    seconds = float(os.environ.get("CARESIGNALS_BENCH_LOAD_SECONDS", "120"))
    with tempfile.TemporaryDirectory() as tmp:
        var = Path(tmp)
        db = Path(os.environ.get("CARESIGNALS_BENCH_LOAD_DB", var / "small.sqlite3"))
        env = demo_env(f"sqlite:///{db}", var)
        if not db.exists():
            print("building the small synthetic region …", file=sys.stderr)
            build_demo(env)
        token = api_token(env, "icb.quality", "load test")
        reads: list[float] = []
        writes: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        with serving(env) as base:
            sessions = [signed_in(base) for _ in range(USERS)]
            for path in READS * 2:  # as the first readers after an import would
                sessions[0].open(base + path, timeout=60).read()
            stop = time.perf_counter() + seconds
            direct = urllib.request.build_opener()  # the API: a token, no session

            def user(i: int) -> None:
                rng = random.Random(i)
                mine_r: list[float] = []
                mine_w: list[float] = []
                mine_e: list[str] = []
                k = 0
                while time.perf_counter() < stop:
                    write = rng.random() < WRITE_SHARE
                    if write:
                        k += 1
                        request = urllib.request.Request(
                            f"{base}/api/v1/events",
                            data=_event(i, k),
                            headers={
                                "Authorization": f"Bearer {token}",
                                "Content-Type": "application/json",
                            },
                            method="POST",
                        )
                        opener = direct
                    else:
                        request = urllib.request.Request(base + rng.choice(READS))
                        opener = sessions[i]
                    start = time.perf_counter()
                    try:
                        with opener.open(request, timeout=60) as response:
                            response.read()
                            ok = response.status in (200, 201)
                    except urllib.error.HTTPError as failure:
                        ok = False
                        mine_e.append(f"{failure.code} {request.full_url}")
                    except OSError as failure:
                        ok = False
                        mine_e.append(f"{type(failure).__name__} {request.full_url}")
                    took = time.perf_counter() - start
                    if ok:
                        (mine_w if write else mine_r).append(took)
                    time.sleep(rng.uniform(*THINK))
                with lock:
                    reads.extend(mine_r)
                    writes.extend(mine_w)
                    errors.extend(mine_e)

            threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
            began = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - began
    for line in sorted(set(errors))[:10]:
        print(f"  error: {line}", file=sys.stderr)
    total = len(reads) + len(writes) + len(errors)
    r = np.array(reads or [np.nan]) * 1000
    w = np.array(writes or [np.nan]) * 1000
    return [
        Result(
            f"mixed load: reads p95, {USERS} users, {len(reads)} reads",
            float(np.percentile(r, 95)),
            1000,
            "ms",
            f"p50 {np.percentile(r, 50):.0f} ms",
        ),
        Result(
            f"mixed load: writes p95, {len(writes)} events recorded",
            float(np.percentile(w, 95)),
            500,
            "ms",
            f"p50 {np.percentile(w, 50):.0f} ms",
        ),
        Result(
            f"mixed load: errors in {total} requests over {elapsed:.0f} s",
            float(len(errors)),
            0,
            "",
            f"{total / elapsed:.0f} requests/s",
        ),
    ]


if __name__ == "__main__":
    from benchmarks._table import print_table

    print_table(run())
