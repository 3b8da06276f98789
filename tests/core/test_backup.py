"""`caresignals backup` and `caresignals restore`: a populated database backed up and restored
into a fresh one holds exactly the same rows in every table of every model.

On whichever database the suite runs on (.ci/run runs it on SQLite, then PostgreSQL): SQLite
restores into a temporary file, PostgreSQL into a scratch database made for the test and dropped
after it. The restore runs as a person would run it, in its own process against DATABASE_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend

from caresignals.core.backup import BackupError, postgres_client, postgres_environment
from caresignals.organisations.roles import Role
from tests.factories import member

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
RESTORED = "restored"
_MAGIC = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP\x01\x0e\x00"}


def _populate(small_ics: Any) -> None:
    """The documented example region through the real importers, and people with roles."""
    for kind, filename in [
        ("organisations", "organisations.csv"),
        ("areas", "areas.csv"),
        ("indicators", "indicators.csv"),
        ("measures", "measures.csv"),
        ("events", "events.csv"),
        ("feedback", "feedback.csv"),
        ("fhir", "events.fhir.jsonl"),
    ]:
        call_command("import", kind, str(EXAMPLES / filename), "--no-progress", stdout=StringIO())
    member(small_ics.trust_a, Role.PATIENT_SAFETY_LEAD, username="lead.a")
    member(small_ics.ics, Role.ICB_QUALITY_LEAD, username="icb.quality")


def _caresignals(database_url: str, var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "CARESIGNALS_SECRET_KEY": "a-test-key-" + "x" * 50,
        "CARESIGNALS_VAR_DIR": str(var_dir),
    }
    return subprocess.run(
        [sys.executable, "-c", "from caresignals.cli import main; main()", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the suite's kind, reachable as the RESTORED alias."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
        url = f"sqlite:///{name}"
    else:
        name = f"cs_restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        user = quote(settings["USER"] or "", safe="")
        password = quote(settings["PASSWORD"] or "", safe="")
        url = (
            f"postgres://{user}:{password}@{settings['HOST'] or 'localhost'}:"
            f"{settings['PORT'] or 5432}/{name}"
        )
    # Made here rather than declared in DATABASES: Django's test case would refuse an alias
    # it was not told of, and one made on the fly is the documented exception.
    restored = load_backend(settings["ENGINE"]).DatabaseWrapper(
        {**settings, "NAME": name}, RESTORED
    )
    connections[RESTORED] = restored
    try:
        yield url
    finally:
        restored.close()
        del connections[RESTORED]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _rows(model: Any, alias: str) -> list[tuple[Any, ...]]:
    fields = [f.attname for f in model._meta.concrete_fields]
    return list(model._base_manager.using(alias).order_by("pk").values_list(*fields))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_row_of_every_table(
    small_ics: Any, fresh_database: str, tmp_path: Path
) -> None:
    _populate(small_ics)
    backup_file = tmp_path / "caresignals.backup"
    out = StringIO()
    call_command("backup", str(backup_file), stdout=out)
    assert f"to {backup_file}" in out.getvalue()

    restored = _caresignals(fresh_database, tmp_path / "var", "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout

    models = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]
    compared = 0
    for model in models:
        original = _rows(model, "default")
        assert _rows(model, RESTORED) == original, model._meta.label
        compared += bool(original)
    # Not vacuous: the region, its events, feedback, measures, people and audit are all there.
    assert compared >= 15, compared

    # A second restore over what is now a populated database is refused, and --force allows it.
    again = _caresignals(fresh_database, tmp_path / "var", "restore", str(backup_file))
    assert again.returncode == 1
    assert "already holds data" in again.stderr and "--force" in again.stderr
    forced = _caresignals(fresh_database, tmp_path / "var", "restore", str(backup_file), "--force")
    assert forced.returncode == 0, forced.stderr
    for model in models:
        assert _rows(model, RESTORED) == _rows(model, "default"), model._meta.label


@pytest.mark.django_db
def test_restore_refuses_a_database_that_holds_data(small_ics: Any, tmp_path: Path) -> None:
    # Refused before the file is read beyond its first bytes, which say what kind it is.
    backup_file = tmp_path / "caresignals.backup"
    backup_file.write_bytes(_MAGIC[connection.vendor])
    with pytest.raises(CommandError, match=r"already holds data .*organisations_organisation"):
        call_command("restore", str(backup_file))


@pytest.mark.django_db
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "events.csv"
    not_a_backup.write_text("org_code,source_id\n")
    with pytest.raises(CommandError, match="is not a Care Signals backup"):
        call_command("restore", str(not_a_backup))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.backup"))


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_kind_of_database(tmp_path: Path) -> None:
    other = tmp_path / "other.backup"
    other.write_bytes(_MAGIC["postgresql" if connection.vendor == "sqlite" else "sqlite"])
    with pytest.raises(CommandError, match="backup, but the configured database is"):
        call_command("restore", str(other))


def test_backup_to_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "no-such-folder" / "caresignals.backup"))


def test_a_database_without_tables_is_not_backed_up(tmp_path: Path) -> None:
    """A mistyped DATABASE_URL would otherwise give an empty backup that looks like a good one."""
    result = _caresignals(
        f"sqlite:///{tmp_path / 'mistyped.sqlite3'}",
        tmp_path / "var",
        "backup",
        str(tmp_path / "caresignals.backup"),
    )
    assert result.returncode == 1
    assert "has no Care Signals tables" in result.stderr
    assert not (tmp_path / "caresignals.backup").exists()


def test_a_missing_postgresql_client_is_named_with_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match=r"pg_dump was not found on PATH.*postgresql-client"):
        postgres_client("pg_dump", bin_glob=str(tmp_path / "postgresql" / "*" / "bin"))


def test_the_newest_postgresql_client_is_chosen_when_none_is_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for version in ("9", "15", "13"):
        program = tmp_path / "postgresql" / version / "bin" / "pg_dump"
        program.parent.mkdir(parents=True)
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    found = postgres_client("pg_dump", bin_glob=str(tmp_path / "postgresql" / "*" / "bin"))
    assert found == str(tmp_path / "postgresql" / "15" / "bin" / "pg_dump")


def test_the_password_reaches_pg_dump_only_through_its_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGPASSWORD", "someone-elses")
    env = postgres_environment(
        {
            "NAME": "caresignals",
            "USER": "caresignals",
            "PASSWORD": "pa55 word",
            "HOST": "db.example",
            "PORT": 5432,
            "OPTIONS": {"sslmode": "verify-full"},
        }
    )
    assert env["PGPASSWORD"] == "pa55 word"
    assert env["PGHOST"] == "db.example" and env["PGPORT"] == "5432"
    assert env["PGUSER"] == "caresignals" and env["PGSSLMODE"] == "verify-full"
    # Nothing inherited from the shell can point the tools at another server.
    without = postgres_environment({"NAME": "caresignals", "OPTIONS": {}})
    assert "PGPASSWORD" not in without
