"""The real path: notifications go through the database queue (django-tasks-db) and
`caresignals worker` sends them, through the SMTP server process the notification tests start;
the worker enqueues the scheduled runs once per period however often it is restarted."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from caresignals.audit.services import Actor
from caresignals.notifications import schedule
from caresignals.notifications.models import ScheduledRun
from caresignals.organisations.roles import Role
from caresignals.safety.events.services import record_event
from tests.clock import LONDON
from tests.factories import member
from tests.notifications.events import NEVER_EVENT
from tests.notifications.smtp import Inbox, free_port
from tests.safety_response.factories import LearningResponseFactory, SafetyActionFactory

pytestmark = pytest.mark.django_db


BEFORE_THE_SCHEDULE = dt.datetime(2026, 11, 16, 6, 0, tzinfo=LONDON)  # a Monday: nothing due


@pytest.fixture
def database_queue(settings, monkeypatch) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker tidies connections between passes; inside the test's transaction Django takes
    # the connection for one left out of autocommit and drops it, which on PostgreSQL ends the
    # test's transaction. A real worker runs outside any transaction, so this is the test's alone.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )


def test_an_email_waits_in_the_queue_until_the_worker_sends_it(
    small_ics,
    inbox,
    database_queue,
    django_capture_on_commit_callbacks,
):
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l", email="l@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event(NEVER_EVENT, actor=Actor(label="tests"))
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "caresignals.notifications.tasks.send_emails"
    assert not inbox.messages  # the request only enqueued it

    with time_machine.travel(BEFORE_THE_SCHEDULE):
        call_command("worker", "--once")

    [message] = inbox.to("l@example.com")
    assert event.reference in Inbox.body(message)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"


def test_a_mail_outage_fails_no_request_and_no_task(
    small_ics,
    inbox,
    database_queue,
    settings,
    django_capture_on_commit_callbacks,
):
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l", email="l@example.com")
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, 1  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        record_event(NEVER_EVENT, actor=Actor(label="tests"))
    with time_machine.travel(BEFORE_THE_SCHEDULE):
        call_command("worker", "--once")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL" and not inbox.messages
    settings.EMAIL_PORT = port
    with time_machine.travel(dt.datetime(2026, 11, 16, 7, 5, tzinfo=LONDON)):
        call_command("worker", "--once")  # the daily run sends what was left
    assert len(inbox.to("l@example.com")) == 1


@pytest.mark.parametrize(
    ("day", "at", "runs"),
    [
        (dt.date(2026, 11, 16), dt.time(6, 59), []),  # Monday, before either
        (dt.date(2026, 11, 16), dt.time(7, 0), ["daily"]),
        (dt.date(2026, 11, 16), dt.time(7, 30), ["daily", "weekly"]),
        (dt.date(2026, 11, 18), dt.time(3, 0), ["weekly"]),  # a missed digest, later that week
        (dt.date(2026, 11, 21), dt.time(9, 0), ["weekly"]),  # Saturday: no reminders
    ],
)
def test_what_is_due_when(day, at, runs):
    monday = day - dt.timedelta(days=day.weekday())
    expected = {"daily": day, "weekly": monday}
    assert schedule.due(day, at) == [(run, expected[run]) for run in runs]


def test_the_worker_enqueues_each_run_once_however_often_it_restarts(
    small_ics,
    inbox,
    database_queue,
):
    lead = member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="l", email="l@example.com")
    response = LearningResponseFactory(organisation=small_ics.trust_a, owner_person=lead)
    action = SafetyActionFactory(response=response, owner_person=lead, due_on=dt.date(2026, 11, 20))
    with time_machine.travel(dt.datetime(2026, 11, 23, 7, 45, tzinfo=LONDON)):  # a Monday
        call_command("worker", "--once")
        call_command("worker", "--once")  # restarted: nothing is enqueued again
    assert set(ScheduledRun.objects.values_list("run", "period")) == {
        ("daily", dt.date(2026, 11, 23)),
        ("weekly", dt.date(2026, 11, 23)),
    }
    assert DBTaskResult.objects.count() == 2
    mine = inbox.to("l@example.com")
    assert {m["Subject"] for m in mine} == {
        "Care Signals: 1 thing for you",
        "Care Signals: your week",
    }
    assert all(action.reference in Inbox.body(m) for m in mine)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_serve_runs_the_queue_in_a_worker_that_stops_with_it(tmp_path):
    """The real server against a database of its own: a digest enqueued before it starts is
    run by the worker it started, and the worker ends when the server does."""
    root = Path(__file__).resolve().parents[2]
    database = tmp_path / "caresignals.sqlite3"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(root),
        "CARESIGNALS_SECRET_KEY": "worker-test-" + "x" * 40,
        "CARESIGNALS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    command = [sys.executable, "-c", "from caresignals.cli import main; main()"]
    for step in (["migrate", "-v", "0"], ["notify", "weekly"]):
        done = subprocess.run([*command, *step], env=env, cwd=root, capture_output=True)
        assert done.returncode == 0, done.stderr

    def statuses() -> list[str]:
        with sqlite3.connect(database) as db:
            rows = db.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchall()
        return [row[0] for row in rows]

    assert statuses() == ["READY"]
    server = subprocess.Popen(
        [*command, "serve", "--port", str(free_port()), "--workers", "1", "--threads", "1"],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while "READY" in statuses():
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.3)
        [worker] = [c for c in _children(server.pid) if "caresignals.cli worker" in _cmdline(c)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert "READY" not in statuses() and "SUCCESSFUL" in statuses()
    assert "caresignals.cli worker" not in _cmdline(worker)  # gone with the server
