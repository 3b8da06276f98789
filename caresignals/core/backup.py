"""Backing up and restoring the configured database (`caresignals backup` / `restore`).

SQLite is copied page by page through its online backup API, so a backup can be taken while the
server runs and is always one consistent moment. PostgreSQL goes through its own tools,
`pg_dump --format=custom` and `pg_restore`, whose files any PostgreSQL administrator can read.
The connection comes from Django's DATABASES setting; a password reaches the child process only
through PGPASSWORD in its environment, never its command line, where `ps` would show it.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
# Written by `migrate` on an empty database: restoring over them loses nothing.
_SCHEMA_ONLY_MODELS = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """What went wrong, in a sentence a person running the command can act on."""


def backup(path: Path, alias: str = "default") -> str:
    """Write the database to `path` (replaced only once the copy is whole); say what was done."""
    connection = connections[alias]
    partial = path.with_name(path.name + ".partial")
    if connection.in_atomic_block:
        # SQLite's backup would wait for ever on the transaction's own lock.
        raise BackupError("A backup cannot be taken inside a transaction.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    if "django_migrations" not in connection.introspection.table_names():
        raise BackupError(
            f"The {_describe(connection)} has no Care Signals tables: check DATABASE_URL "
            "(a new database is made with `caresignals migrate`)."
        )
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(connection, partial)
        elif connection.vendor == "postgresql":
            _postgres_run("pg_dump", ["--format=custom", f"--file={partial}"], connection)
        else:
            raise BackupError(_unsupported(connection.vendor))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up the {_describe(connection)} to {path}."


def restore(path: Path, force: bool = False, alias: str = "default") -> str:
    """Replace the database's contents with the backup at `path`; say what was done."""
    connection = connections[alias]
    kind = backup_kind(path)
    if kind != connection.vendor:
        raise BackupError(
            f"{path} is a {_NAMES[kind]} backup, but the configured database is "
            f"{_NAMES.get(connection.vendor, connection.vendor)}: restore it into a "
            f"{_NAMES[kind]} database (DATABASE_URL)."
        )
    if not force:
        holding = tables_with_data(alias)
        if holding:
            shown = ", ".join(holding[:5]) + (" …" if len(holding) > 5 else "")
            raise BackupError(
                f"The {_describe(connection)} already holds data ({shown}). Restoring replaces "
                "all of it: take a backup of it first, then run again with --force."
            )
    if kind == "sqlite":
        _sqlite_restore(path, connection)
    else:
        args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        if force:
            args += ["--clean", "--if-exists"]
        _postgres_run(
            "pg_restore",
            [*args, f"--dbname={connection.settings_dict['NAME']}", str(path)],
            connection,
        )
    _forget_cached_pages()
    return f"Restored {path} into the {_describe(connection)}."


_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def backup_kind(path: Path) -> str:
    """`sqlite` or `postgresql`, from the file's first bytes; anything else is refused."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file.") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(POSTGRES_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a Care Signals backup: it is neither a SQLite database nor a "
        "PostgreSQL custom-format dump (what `caresignals backup` writes)."
    )


def tables_with_data(alias: str = "default") -> list[str]:
    """The product's tables that hold at least one row (what `migrate` alone writes aside)."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.label_lower in _SCHEMA_ONLY_MODELS or table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                found.append(table)
    return sorted(found)


def _describe(connection: Any) -> str:
    name = connection.settings_dict["NAME"]
    return f"{_NAMES.get(connection.vendor, connection.vendor)} database {name}"


def _unsupported(vendor: str) -> str:
    return f"Backups are made of SQLite and PostgreSQL databases, not {vendor}."


def _sqlite_backup(connection: Any, target: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def _sqlite_restore(path: Path, connection: Any) -> None:
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            ok = source.execute("PRAGMA quick_check").fetchone()
            migrations = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} cannot be read as a SQLite database: {error}.") from None
        if not ok or ok[0] != "ok":
            raise BackupError(f"{path} is damaged (SQLite's check says: {ok and ok[0]}).")
        if not migrations:
            raise BackupError(f"{path} is a SQLite database, but not one of Care Signals.")
        connection.ensure_connection()
        # One step: the target changes all at once or, if the copy fails, not at all.
        source.backup(connection.connection)
    finally:
        source.close()


def postgres_client(program: str, bin_glob: str = POSTGRES_BIN_GLOB) -> str:
    """The program on PATH, else the newest of PostgreSQL's versioned folders (Debian's)."""
    found = shutil.which(program)
    if found:
        return found
    candidates = [Path(d) / program for d in glob.glob(bin_glob)]
    candidates = [c for c in candidates if os.access(c, os.X_OK)]
    if candidates:
        newest = max(candidates, key=lambda c: [int(n) for n in re.findall(r"\d+", str(c))])
        return str(newest)
    raise BackupError(
        f"{program} was not found on PATH or in {bin_glob}: install PostgreSQL's client tools "
        "(on Debian or Ubuntu, `apt-get install postgresql-client`), of the server's version "
        "or newer."
    )


def postgres_environment(settings_dict: Mapping[str, Any]) -> dict[str, str]:
    """libpq's variables for the connection Django uses, the password among them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    options = settings_dict.get("OPTIONS") or {}
    for setting, variable in (
        (settings_dict.get("HOST"), "PGHOST"),
        (settings_dict.get("PORT"), "PGPORT"),
        (settings_dict.get("USER"), "PGUSER"),
        (settings_dict.get("PASSWORD"), "PGPASSWORD"),
        (options.get("sslmode"), "PGSSLMODE"),
        (options.get("sslrootcert"), "PGSSLROOTCERT"),
        (options.get("sslcert"), "PGSSLCERT"),
        (options.get("sslkey"), "PGSSLKEY"),
    ):
        if setting:
            env[variable] = str(setting)
    return env


def _postgres_run(program: str, args: list[str], connection: Any) -> None:
    settings_dict = connection.settings_dict
    if program == "pg_dump":
        args = [*args, f"--dbname={settings_dict['NAME']}"]
    command = [postgres_client(program), *args]
    result = subprocess.run(
        command,
        env=postgres_environment(settings_dict),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        said = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{program} failed, and nothing was changed: {said}")


def _forget_cached_pages() -> None:
    """Pages drawn from the old contents must not be served from the restored ones (H14)."""
    from django.core.cache import cache

    cache.clear()
