"""The anonymity scan across the deployment (ADR 13, hazards H17 and H37): submit through every
anonymous and public page and API route from a marked address and browser, directly and
through a trusted proxy, then look for the marks in every table, the cache directory,
everything under the var directory, and the access log `caresignals serve` writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from gunicorn.config import Config

from caresignals.core import anonymity, ratelimit
from caresignals.core.serving import AccessLogWithoutAnonymousRoutes
from caresignals.safety.models import PatientSafetyEvent, ReferralTask
from caresignals.speakup.models import SpeakUpCase

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
AGENT = "MarkedAgent/9.9"
PROXY = "10.0.0.2"
CONCERN = "Synthetic: the ward's fire doors are wedged open every night."


def _hmac_forms(address: str) -> list[str]:
    """The address as earlier versions keyed it, and plain digests of it."""
    keyed = hmac.new(
        django_settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256
    ).hexdigest()
    plain = hashlib.sha256(address.encode()).hexdigest()
    return [keyed, keyed[:32], plain, plain[:32], hashlib.md5(address.encode()).hexdigest()]  # noqa: S324


MARKS = [ADDRESS, AGENT, "MarkedAgent", *_hmac_forms(ADDRESS)]


def _database_text() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                parts.append(
                    "\t".join(
                        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                        for v in row
                    )
                )
    return "\n".join(parts)


def _files_text(root: Path) -> str:
    return "\n".join(
        f"{path}\n{path.read_bytes().decode('latin-1')}"
        for path in sorted(root.rglob("*"))
        if path.is_file()
    )


@pytest.fixture
def var_dir(tmp_path, settings):
    """A var directory of the test's own, holding the file cache as a deployment does."""
    settings.VAR_DIR = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    caches["default"].clear()
    return tmp_path


def _submit_everything(client: Client, meta: dict[str, str]) -> list[str]:
    """Every anonymous and public route, as a browser and as an API client would use them;
    the paths requested."""
    paths = []

    def get(path, **extra):
        paths.append(path)
        return client.get(path, **meta, **extra)

    def post(path, data, **extra):
        paths.append(path)
        return client.post(path, data, **meta, **extra)

    def post_json(path, body, **extra):
        return post(path, json.dumps(body), content_type="application/json", **extra)

    # Speak up, through the page: raise, then read and answer.
    assert get("/speak-up/anonymous/").status_code == 200
    raised = post("/speak-up/anonymous/", {"org_code": "TA", "concern": CONCERN, "website": ""})
    page = raised.content.decode()
    reference = re.search(r"FTSU-[0-9A-Z]{8}", page).group(0)
    code = re.search(r'id="access-code"[^>]*>([0-9A-Z-]+)<', page).group(1)
    assert get("/speak-up/case/").status_code == 200
    thread = post(
        "/speak-up/case/",
        {"reference": reference, "access_code": code, "action": "reply", "text": "More."},
    )
    assert "Your message has been sent" in thread.content.decode()
    post("/speak-up/case/", {"reference": "FTSU-00000000", "access_code": "0000"})  # a miss
    # Speak up, through the API: the header routes and the deprecated URL ones.
    api = post_json("/api/v1/public/speakup", {"org_code": "TB", "concern": CONCERN})
    assert api.status_code == 201
    headers = {
        "HTTP_X_CASE_REFERENCE": api.json()["reference"],
        "HTTP_X_ACCESS_CODE": api.json()["access_code"],
    }
    assert get("/api/v1/public/speakup/case", **headers).status_code == 200
    sent = post_json("/api/v1/public/speakup/case/messages", {"text": "And more."}, **headers)
    assert sent.status_code == 201
    old = f"/api/v1/public/speakup/{api.json()['reference']}"
    assert get(old, HTTP_X_ACCESS_CODE=api.json()["access_code"]).status_code == 200
    # A patient safety concern, through the page and the API.
    assert get("/report-a-concern/").status_code == 200
    report = post(
        "/report-a-concern/",
        {
            "org_code": "TA",
            "description": "Synthetic: my mother fell and nobody came for an hour.",
            "occurred_on_day": "2",
            "occurred_on_month": "3",
            "occurred_on_year": "2026",
            "reporter_type": "family_carer",
            "website": "",
        },
    )
    assert "We have received your report" in report.content.decode()
    event = post_json(
        "/api/v1/public/events",
        {
            "org_code": "TB",
            "description": "Synthetic: the call bell was out of reach.",
            "occurred_on": "2026-03-02",
            "reporter_type": "family_carer",
            "patient_died": True,
            "patient_age_years": 9,  # a child's death: the rules raise a referral task
        },
    )
    assert event.status_code == 201
    # Feedback, through the pages and the API.
    assert get("/feedback/").status_code == 200
    assert get("/feedback/give/?org_code=TA&kind=concern").status_code == 200
    feedback = post(
        "/feedback/give/?org_code=TA&kind=concern",
        {"text": "Synthetic: the midwives were kind.", "website": ""},
    )
    assert feedback.status_code == 200
    api_feedback = post_json(
        "/api/v1/public/feedback",
        {"org_code": "TA", "kind": "compliment", "text": "Synthetic: thank you."},
    )
    assert api_feedback.status_code == 201
    return paths


@pytest.mark.parametrize("through_proxy", [False, True], ids=["direct", "trusted-proxy"])
def test_no_trace_of_the_sender_anywhere_the_product_writes(
    small_ics, var_dir, caplog, through_proxy
):
    caplog.set_level(logging.DEBUG)
    if through_proxy:
        meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ADDRESS}
    else:
        meta = {"REMOTE_ADDR": ADDRESS}
    meta["HTTP_USER_AGENT"] = AGENT
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"] if through_proxy else []):
        paths = _submit_everything(Client(), meta)
        # The throttles did count this sender (so the scan below is not vacuous) ...
        assert any(count > 0 for count in ratelimit.counters.snapshot().values())

    assert SpeakUpCase.objects.count() == 2 and PatientSafetyEvent.objects.count() == 2
    assert all(anonymity.is_anonymous_route(path) for path in paths)
    places = {
        "the database": _database_text(),
        "the var directory (with the cache)": _files_text(var_dir),
        "the logs": "\n".join(
            f"{r.getMessage()} {getattr(r, 'request', '')}" for r in caplog.records
        ),
        # ... in memory only, under keys that say nothing of the address.
        "the throttles' keys": "\n".join(ratelimit.counters.snapshot()),
    }
    for place, text in places.items():
        for mark in MARKS:
            assert mark not in text, f"{place} holds {mark!r}"


def test_public_reports_keep_only_the_day(small_ics, var_dir, settings, monkeypatch):
    from django.utils import timezone

    moment = dt.datetime(2026, 7, 14, 15, 9, 26, 535897, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    _submit_everything(Client(), {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    monkeypatch.undo()
    midnight = dt.datetime(2026, 7, 14, tzinfo=dt.UTC)
    events = list(PatientSafetyEvent.objects.all())
    assert len(events) == 2
    assert {(e.created_at, e.updated_at) for e in events} == {(midnight, midnight)}
    tasks = ReferralTask.objects.filter(event__in=events)
    assert tasks.exists()  # the API report said a child died: the rules raise a task
    assert {t.created_at for t in tasks} == {midnight}
    from caresignals.audit.models import AuditEntry

    entries = AuditEntry.objects.filter(actor_label__startswith="public report")
    assert entries.count() >= 2 and {e.at for e in entries} == {midnight}
    assert all(c.raised_on == moment.date() for c in SpeakUpCase.objects.all())
    # A record a member of staff makes keeps its exact time.
    from caresignals.audit.services import Actor
    from caresignals.safety.events.services import record_event

    monkeypatch.setattr(timezone, "now", lambda: moment)
    staff = record_event(
        {
            "org_code": "TA",
            "record_type": "incident",
            "occurred_on": "2026-07-01",
            "reported_on": "2026-07-14",
            "service_area": "unknown",
            "category": "other",
            "physical_harm": "none",
            "reporter_type": "staff",
            "description": "Synthetic.",
            "patient_died": False,
            "anonymous": False,
        },
        actor=Actor(label="test"),
    )
    monkeypatch.undo()
    assert PatientSafetyEvent.objects.get(pk=staff.pk).created_at == moment


def _access_log(tmp_path: Path) -> tuple[AccessLogWithoutAnonymousRoutes, Path]:
    config = Config()
    path = tmp_path / "access.log"
    config.set("accesslog", str(path))
    return AccessLogWithoutAnonymousRoutes(config), path


def _logged(logger, path: str, method: str = "POST") -> None:
    environ = {
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "REQUEST_METHOD": method,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": AGENT,
        "HTTP_X_FORWARDED_FOR": ADDRESS,
        "RAW_URI": path,
    }
    request = SimpleNamespace(
        path=path, query="", method=method, version=(1, 1), headers=[("USER-AGENT", AGENT)]
    )
    response = SimpleNamespace(
        status="201 Created", status_code=201, sent=64, response_length=64, headers=[]
    )
    logger.access(response, request, environ, dt.timedelta(milliseconds=12))


def test_the_access_log_has_no_line_for_an_anonymous_route(tmp_path):
    logger, log = _access_log(tmp_path)
    anonymous = [
        "/",
        "/speak-up/anonymous/",
        "/speak-up/case/",
        "/api/v1/public/speakup",
        "/api/v1/public/speakup/case",
        "/api/v1/public/speakup/case/messages",
        "/api/v1/public/speakup/FTSU-7KQ2MZ9X",
        "/api/v1/public/speakup/FTSU-7KQ2MZ9X/messages",
        "/api/v1/public/events",
        "/api/v1/public/feedback",
        "/report-a-concern/",
        "/feedback/",
        "/feedback/give/",
        "/feedback/easy-read/",
        "/feedback/providers/TA/",
    ]
    for path in anonymous:
        _logged(logger, path)
    for handler in logger.access_log.handlers:
        handler.flush()
    text = log.read_text() if log.exists() else ""
    for mark in [*MARKS, "FTSU-", "/public", "speak-up", "feedback", "report-a-concern"]:
        assert mark not in text
    # Every other request is logged as gunicorn always has: so the scan above can see.
    _logged(logger, "/feedback/manage/", method="GET")
    for handler in logger.access_log.handlers:
        handler.flush()
    assert "/feedback/manage/" in log.read_text() and AGENT in log.read_text()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def test_caresignals_serve_logs_no_line_and_no_server_header_for_anonymous_requests(tmp_path):
    """The real server, on a free loopback port, against a database of its own; a trusted
    proxy (this test) passes the marked address on."""
    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(root),
        "CARESIGNALS_SECRET_KEY": "anonymity-scan-" + "x" * 40,
        "CARESIGNALS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'caresignals.sqlite3'}",
        "CARESIGNALS_TRUSTED_PROXIES": "127.0.0.1",
    }
    command = [sys.executable, "-c", "from caresignals.cli import main; main()"]
    migrated = subprocess.run(
        [*command, "migrate", "-v", "0"], env=env, cwd=root, capture_output=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--workers", "1", "--threads", "1"],
            env=env,
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _request(port, "GET", "/healthz", {"User-Agent": "ControlAgent/1.0"})
                    break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    assert server.poll() is None, log.read_text()
                    time.sleep(0.3)
            marked = {"User-Agent": AGENT, "X-Forwarded-For": ADDRESS}
            answers = [
                _request(
                    port,
                    "POST",
                    "/api/v1/public/speakup",
                    {**marked, "Content-Type": "application/json"},
                    b'{"org_code": "NOPE", "concern": "Synthetic."}',
                ),
                _request(
                    port,
                    "GET",
                    "/api/v1/public/speakup/case",
                    {**marked, "X-Case-Reference": "FTSU-7KQ2MZ9X", "X-Access-Code": "0000"},
                ),
                _request(
                    port,
                    "GET",
                    "/api/v1/public/speakup/FTSU-7KQ2MZ9X",
                    {**marked, "X-Access-Code": "0000"},
                ),
                _request(port, "GET", "/speak-up/anonymous/", marked),
                _request(port, "GET", "/report-a-concern/", marked),
            ]
            assert [a.status for a in answers] == [422, 404, 404, 200, 200]
            assert all(a.getheader("Server") is None for a in answers)
            control = _request(port, "GET", "/about/", {"User-Agent": "ControlAgent/1.0"})
            assert control.status == 200 and control.getheader("Server") is None
        finally:
            server.terminate()
            server.wait(timeout=30)
    written = log.read_text()
    assert "/about/" in written and "ControlAgent/1.0" in written  # the log does work
    assert "FTSU-" not in written and "/public" not in written and "speak-up" not in written
    everything = _files_text(tmp_path)  # the log, the database, the cache, all of var
    for mark in MARKS:
        assert mark not in everything, f"the served deployment wrote {mark!r}"


@pytest.mark.parametrize(
    ("path", "anonymous"),
    [
        ("/speak-up/anonymous/", True),
        ("/api/v1/public/speakup/FTSU-7KQ2MZ9X?x=1", True),
        ("/feedback/", True),
        ("/feedback/manage/", False),
        ("/feedback/insight/TA/", False),
        ("/speak-up/cases/", False),
        ("/api/v1/events", False),
        ("/accounts/sign-in/", False),
    ],
)
def test_one_list_says_which_routes_are_anonymous(path, anonymous):
    assert anonymity.is_anonymous_route(path) is anonymous


def test_djangos_request_log_drops_anonymous_routes():
    keep = anonymity.DropAnonymousRoutes()
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Not Found", (), None)
    record.request = SimpleNamespace(path="/api/v1/public/speakup/FTSU-7KQ2MZ9X")
    assert not keep.filter(record)
    record.request = SimpleNamespace(path="/audit/")
    assert keep.filter(record)
    assert keep.filter(logging.LogRecord("x", logging.WARNING, "", 0, "no request", (), None))
