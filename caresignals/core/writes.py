"""One writer at a time on SQLite, queued instead of busy-waiting.

SQLite lets one connection write at once; the others retry with sleeps that grow to 100 ms,
so under concurrent writes a few unlucky requests wait far longer than the work takes. Short
write transactions (recording one event, draining aggregates) queue here instead: the
threads of a process on a lock, the processes on an advisory file lock beside the database,
both woken the moment the writer before them finishes. PostgreSQL has row locks and needs
none of this.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

_lock = threading.Lock()
_files: dict[str, int] = {}
_local = threading.local()  # .waiting: callbacks to run once this thread lets go


def _lock_file() -> int | None:
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None  # an in-memory test database has one process
    fd = _files.get(name)
    if fd is None:
        fd = os.open(f"{name}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)
        _files[name] = fd
    return fd


@contextmanager
def serial_write() -> Iterator[None]:
    """Hold around a short write transaction (outside `transaction.atomic`)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # inside an outer transaction the lock, if any, is already the caller's
        return
    _local.waiting = []
    try:
        with _lock:
            fd = _lock_file()
            if fd is None:
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        waiting, _local.waiting = _local.waiting, None
        for callback in waiting or ():
            callback()


def when_free(callback: Callable[[], object]) -> None:
    """Run `callback` now, or, if this thread holds the write lock (a commit inside
    `serial_write`), as soon as it lets go: the callback may itself write."""
    waiting = getattr(_local, "waiting", None)
    if waiting is None:
        callback()
    else:
        waiting.append(callback)
