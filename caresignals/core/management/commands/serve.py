"""caresignals serve [--port P] [--no-worker]: the application behind gunicorn, static files by
WhiteNoise, and `caresignals worker` (the task queue and the scheduled runs) as a child process
that stops with it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from caresignals.core.hooks import worker_started


class Command(BaseCommand):
    help = "Serve Care Signals on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start `caresignals worker` (when it runs as its own service)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.wsgi import get_wsgi_application
        from gunicorn.app.base import BaseApplication

        from caresignals.core.serving import hide_server_header

        application = get_wsgi_application()  # what caresignals/wsgi.py serves

        bind = f"{options['host']}:{options['port']}"
        config = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "accesslog": "-",
            # No line at all for the anonymous and public routes (core/anonymity.py).
            "logger_class": "caresignals.core.serving.AccessLogWithoutAnonymousRoutes",
            "timeout": 120,
            # Each worker keeps event aggregates current in the background (ADR 9): analytics
            # listens for worker_started (core/hooks.py).
            "post_worker_init": _start_background_refresh,
        }

        class _App(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        hide_server_header()  # before the workers fork, so all of them inherit it
        self.stdout.write(f"Care Signals is running at http://{bind}/ (press Ctrl+C to stop)")
        # By name, in its own process: core does not import the notifications layer (ADR 16).
        queue_worker = (
            None
            if options["no_worker"]
            else subprocess.Popen([sys.executable, "-m", "caresignals.cli", "worker"])
        )
        arbiter = os.getpid()
        try:
            _App().run()
        finally:
            # Gunicorn's forked web workers leave through here too: only the arbiter stops it.
            if queue_worker is not None and os.getpid() == arbiter:
                _stop(queue_worker)


def _start_background_refresh(worker: Any) -> None:
    worker_started.send(sender=Command)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets the worker finish the task in hand; one that will not stop is killed."""
    if worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
