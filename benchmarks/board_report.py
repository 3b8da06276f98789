"""Render the board quality report PDF for the demo region's biggest provider.

Target (issue 7): under 5 s from database to PDF bytes. The child process sets up Django on a
fresh temporary SQLite database, builds the small demo region into it, then times the
report (queries, SPC, charts, HTML and WeasyPrint) for the provider with the most events.

    python -m benchmarks board_report
    python -m benchmarks.board_report
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from benchmarks._table import Result, best_of, print_table


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caresignals.settings")
    os.environ.setdefault("CARESIGNALS_SECRET_KEY", "bench-only-not-secret")
    django.setup()


def child() -> dict[str, object]:
    """Runs in a fresh process with DATABASE_URL set: build the region, time the report."""
    _django()
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count

    from caresignals.demo.build import build_region
    from caresignals.organisations.models import Organisation
    from caresignals.publishing.board import system_board_report
    from caresignals.publishing.pdf import board_pdf

    call_command("migrate", verbosity=0)
    call_command("flush", verbosity=0, interactive=False)
    with transaction.atomic():
        build_region(scale="small")
    biggest = (
        Organisation.objects.filter(kind="provider")
        .annotate(n=Count("safety_events"))
        .order_by("-n")
        .first()
    )
    assert biggest is not None
    sizes: list[int] = []

    def render() -> None:
        sizes.append(len(board_pdf(system_board_report(biggest.code, None))))

    start = time.perf_counter()
    render()  # the first run also warms fonts and template caches
    first = time.perf_counter() - start
    seconds = best_of(render, repeat=3)
    return {"code": biggest.code, "seconds": seconds, "first": first, "bytes": sizes[-1]}


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/board.sqlite3",
            "CARESIGNALS_SECRET_KEY": os.environ.get("CARESIGNALS_SECRET_KEY", "bench"),
            "CARESIGNALS_DEMO": "1",
        }
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.board_report", "--child"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        Result(
            f"board report PDF: {got['code']} (biggest provider, small demo)",
            float(got["seconds"]),
            5.0,
            note=f"first run {got['first']:.1f} s; {int(got['bytes']) // 1024} KB",
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    if parser.parse_args().child:
        print(json.dumps(child()))
    else:
        print_table(run())
