"""The audit log's hash chain: tamper evidence for entries that must never change.

Each entry is sealed once its transaction commits: its content is hashed (SHA-256) together
with the digest of the seal before it, so editing, removing or reordering any sealed entry
breaks every link from there on, and `caresignals audit verify` names the first broken one.
Sealing after commit, in a short transaction of its own that locks the chain's tail, keeps
the busy write paths (recording an event) from queueing on one row for their whole length.

A chain shows that entries were changed after they were sealed; it cannot stop someone who
can rewrite the whole table from recomputing it. The tail digest that `verify` prints is the
anchor: write it down somewhere else (a board paper, another system) and a rewrite shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction

from caresignals.audit.models import AuditEntry, AuditSeal

GENESIS = "0" * 64
log = logging.getLogger(__name__)


def _content(entry: AuditEntry) -> bytes:
    """Everything an entry says, in one canonical form (the same on SQLite and PostgreSQL)."""
    at = entry.at.astimezone(dt.UTC).isoformat() if entry.at else ""
    fields = {
        "id": entry.pk,
        "at": at,
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "organisation_path": entry.organisation_path,
        "details": entry.details,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def digest(previous: str, entry: AuditEntry) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + _content(entry)).hexdigest()


# Any fixed number: the PostgreSQL advisory lock that lets one transaction extend the chain.
_CHAIN_LOCK = 0x0A0D17C4A1


def _hold_the_chain() -> None:
    """Only one transaction extends the chain at a time. SQLite's transactions here begin
    IMMEDIATE (settings), which already takes the one write lock; PostgreSQL gets an advisory
    lock held to commit, taken before the tail is read so the tail read is never stale."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def seal_pending() -> int:
    """Seal every entry that has none yet, oldest first. Returns how many were sealed."""
    with transaction.atomic():
        _hold_the_chain()
        tail = AuditSeal.objects.order_by("-position").first()
        pending = list(AuditEntry.objects.filter(seal__isnull=True).order_by("id"))
        if not pending:
            return 0
        previous = tail.digest if tail else GENESIS
        position = tail.position if tail else 0
        seals = []
        for entry in pending:
            position += 1
            previous = digest(previous, entry)
            seals.append(AuditSeal(position=position, entry=entry, digest=previous))
        AuditSeal.objects.bulk_create(seals, batch_size=2000)
        return len(seals)


def _seal_on_commit() -> None:
    try:
        seal_pending()
    except DatabaseError:
        # The change itself has committed: never turn it into an error for the person who
        # made it. Its entry stays unsealed and the next seal, a moment later, takes it.
        log.exception("Could not seal audit entries now; the next write will")


def seal_after_commit() -> None:
    """Ask for the entries written in this transaction to be sealed once it commits.

    Asked once per transaction, however many entries it writes: the connection's list of
    what runs on commit is emptied when a transaction ends, so an entry in it is this one's."""
    pending: list[Any] = getattr(connection, "run_on_commit", None) or []
    if any(item[1] is _seal_on_commit for item in pending):
        return
    transaction.on_commit(_seal_on_commit)


@dataclass(frozen=True)
class Verdict:
    sealed: int
    unsealed: int
    tail: str
    broken: AuditEntry | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(*, chunk: int = 5000) -> Verdict:
    """Walk the chain from its first link and report the first that does not hold."""
    previous, expected_position, sealed = GENESIS, 1, 0
    while True:
        seals = list(
            AuditSeal.objects.select_related("entry")
            .filter(position__gte=expected_position)
            .order_by("position")[:chunk]
        )
        if not seals:
            break
        for seal in seals:
            if seal.position != expected_position:
                return Verdict(
                    sealed,
                    0,
                    previous,
                    seal.entry,
                    f"link {expected_position} is missing: an entry before this one was removed",
                )
            if digest(previous, seal.entry) != seal.digest:
                return Verdict(
                    sealed,
                    0,
                    previous,
                    seal.entry,
                    "its content no longer matches its seal: it was changed after it was written",
                )
            previous, expected_position, sealed = seal.digest, expected_position + 1, sealed + 1
    unsealed = AuditEntry.objects.filter(seal__isnull=True).count()
    return Verdict(sealed, unsealed, previous)
