"""Learning library search: 95th-percentile time over 100,000 approved summaries.

Target (issue 19): under 200 ms at the 95th percentile, on SQLite and PostgreSQL. Builds its
own database (a temporary SQLite file, or `LEARNING_BENCH_DATABASE_URL`, which it fills and
does not clean), writes synthetic summaries through bulk inserts (the index triggers run for
each row), then times `learning.queries.search` for 200 two-word searches, a filtered search
and a "similar learning" search, as an ICB member. Run with
``python -m benchmarks.learning_search [SUMMARIES]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import numpy as np

from benchmarks._table import Result, print_table

SUMMARIES = 100_000
SEARCHES = 200
_WORDS_TEXT = (
    "insulin handover chart omitted dose fall night toilet bed rails lighting sepsis screening "
    "antibiotics delay deterioration escalation news2 observations pressure ulcer mattress "
    "turning nutrition hydration discharge medicines reconciliation anticoagulant warfarin "
    "heparin opioid syringe driver infusion pump alarm staffing agency induction training "
    "checklist theatre swab count wrong site consent communication family interpreter "
    "learning disability autism restraint seclusion ligature observation mental capacity "
    "maternity cardiotocograph fetal monitoring shoulder dystocia haemorrhage triage ambulance "
    "handover delay corridor care frailty delirium dementia falls assessment bedside "
    "equipment maintenance electronic record alert fatigue duplicate prescription allergy "
    "wristband identification transfusion sample labelling radiology report follow-up"
)
WORDS = tuple(dict.fromkeys(_WORDS_TEXT.split()))


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    os.environ.setdefault("CARESIGNALS_SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill(count: int, rng: np.random.Generator) -> object:
    from django.db import transaction

    from caresignals.learning.models import LearningSummary
    from caresignals.organisations.models import Membership, Organisation, User
    from caresignals.safety.models import LearningResponse

    ics = Organisation.objects.create(code="BICS", name="Bench ICS", kind="ics", path="/BICS/")
    place = Organisation.objects.create(
        code="BP", name="Bench place", kind="place", parent=ics, path="/BICS/BP/"
    )
    trusts = [
        Organisation.objects.create(
            code=f"BT{i}",
            name=f"Bench trust {i}",
            kind="provider",
            type="acute_trust",
            parent=place,
            path=f"/BICS/BP/BT{i}/",
        )
        for i in range(20)
    ]
    user = User.objects.create(username="bench-icb")
    Membership.objects.create(user=user, organisation=ics, role="icb_quality_lead")
    # Word frequencies fall off as in real text (Zipf), so some words are in most summaries.
    weights = 1.0 / np.arange(1, len(WORDS) + 1)
    weights /= weights.sum()
    categories = ("medication", "falls", "pressure_ulcer", "deterioration", "other")
    factors = ("tasks", "person", "organisation", "tools_technology")
    batch = 2000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        with transaction.atomic():
            responses = LearningResponse.objects.bulk_create(
                [
                    LearningResponse(
                        organisation=trusts[(start + i) % len(trusts)],
                        kind="aar",
                        title="bench",
                        status="completed",
                    )
                    for i in range(n)
                ]
            )
            rows = []
            for i, r in enumerate(responses):
                words = rng.choice(WORDS, size=60, p=weights)
                title = " ".join(rng.choice(WORDS, size=6, p=weights))
                body = " ".join(words)
                rows.append(
                    LearningSummary(
                        reference=f"LS-B{start + i:08d}",
                        response=r,
                        organisation=r.organisation,
                        status="approved",
                        category=categories[(start + i) % len(categories)],
                        service_type="acute_trust",
                        outcome="improved",
                        title=title,
                        what_happened=body,
                        factor_tasks=body[:120],
                        factors=factors[(start + i) % len(factors)],
                        search_body=body,
                    )
                )
            LearningSummary.objects.bulk_create(rows)
    return user


def _p95(samples: list[float]) -> float:
    return float(np.percentile(np.array(samples), 95)) * 1000


def run(count: int = SUMMARIES) -> list[Result]:
    rng = np.random.default_rng(2026)
    url = os.environ.get("LEARNING_BENCH_DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="caresignals-learning-bench-")
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
    _setup(url)
    from django.db import connection

    from caresignals.learning.queries import Filters, search

    started = time.perf_counter()
    user = _fill(count, rng)
    filled = time.perf_counter() - started
    vendor = connection.vendor
    queries = [" ".join(rng.choice(WORDS, size=2, replace=False)) for _ in range(SEARCHES)]
    search(user, queries[0])  # warm up
    plain, filtered, similar = [], [], []
    for q in queries:
        t = time.perf_counter()
        search(user, q)
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        search(user, q, Filters(category="falls", factor="tasks"))
        filtered.append(time.perf_counter() - t)
    for q in queries[:50]:
        t = time.perf_counter()
        search(user, q + " " + " ".join(rng.choice(WORDS, size=8)), any_word=True, limit=3)
        similar.append(time.perf_counter() - t)
    if tmp is not None:
        connection.close()
        tmp.cleanup()
    note = f"{count:,} summaries on {vendor}, filled in {filled:.0f} s"
    return [
        Result(f"learning search, 2 words ({vendor})", _p95(plain), 200.0, "ms", note),
        Result(f"learning search, 2 words + 2 filters ({vendor})", _p95(filtered), 200.0, "ms"),
        Result(f"similar learning, ~10 words, any ({vendor})", _p95(similar), 200.0, "ms"),
    ]


if __name__ == "__main__":
    print_table(run(int(sys.argv[1]) if len(sys.argv) > 1 else SUMMARIES))
