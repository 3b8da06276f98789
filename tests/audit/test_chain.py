"""The audit log's hash chain: an entry changed or removed behind the application is caught."""

from __future__ import annotations

import functools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from caresignals.audit import chain
from caresignals.audit.models import AuditAction, AuditEntry, AuditSeal
from caresignals.audit.services import Actor, Change, record, record_many

# Seals are made when a transaction really commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _write(n: int) -> list[AuditEntry]:
    """n entries, each in its own committed transaction (as separate requests would)."""
    return [
        record(
            Actor(label="test"),
            Change(
                AuditAction.RISK_UPDATED,
                "risk",
                f"R{i}",
                organisation_path="/ics/p1/",
                details={"score": i, "note": "café ünïcode"},
            ),
        )
        for i in range(n)
    ]


def _tamper(sql: str, params: list) -> None:
    """What someone with the database's password could do, bypassing the application."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_entries_are_sealed_in_order_once_their_transaction_commits():
    entries = _write(3)
    seals = list(AuditSeal.objects.order_by("position"))
    assert [s.entry_id for s in seals] == [e.pk for e in entries]
    assert [s.position for s in seals] == [1, 2, 3]
    assert chain.verify().intact
    assert chain.verify().sealed == 3


def test_one_seal_request_per_transaction_however_many_entries(monkeypatch):
    calls = []
    original = chain.seal_pending

    @functools.wraps(original)
    def counted() -> int:
        calls.append(1)
        return original()

    monkeypatch.setattr(chain, "seal_pending", counted)
    with transaction.atomic():
        for i in range(5):
            record(Actor(label="test"), Change(AuditAction.RISK_CREATED, "risk", f"R{i}"))
        record_many(
            Actor(label="test"),
            [Change(AuditAction.RISK_CREATED, "risk", f"S{i}") for i in range(5)],
        )
    assert len(calls) == 1
    assert AuditSeal.objects.count() == 10
    assert chain.verify().intact


def test_an_edited_entry_is_named_by_verify(capsys):
    entries = _write(4)
    call_command("audit", "verify")
    assert "4 entries sealed and unchanged" in capsys.readouterr().out

    _tamper("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["R99", entries[2].pk])
    verdict = chain.verify()
    assert verdict.broken is not None and verdict.broken.pk == entries[2].pk
    assert verdict.sealed == 2
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    assert f"broken at entry {entries[2].pk}" in str(failure.value)
    assert "changed after it was written" in str(failure.value)


def test_a_changed_detail_or_time_is_caught_too():
    entries = _write(2)
    _tamper(
        "UPDATE audit_auditentry SET details = %s WHERE id = %s",
        ['{"score": 0, "note": "nothing to see"}', entries[0].pk],
    )
    assert chain.verify().broken.pk == entries[0].pk


def test_a_removed_entry_is_caught():
    entries = _write(4)
    _tamper("DELETE FROM audit_auditseal WHERE entry_id = %s", [entries[1].pk])
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    verdict = chain.verify()
    assert verdict.broken is not None and verdict.broken.pk == entries[2].pk
    assert "missing" in verdict.reason


def test_seals_are_append_only():
    _write(1)
    seal = AuditSeal.objects.get()
    with pytest.raises(Exception, match="cannot be changed"):
        seal.save()
    with pytest.raises(Exception, match="cannot be removed"):
        AuditSeal.objects.all().delete()


def test_an_empty_log_verifies():
    verdict = chain.verify()
    assert verdict.intact and verdict.sealed == 0 and verdict.tail == chain.GENESIS


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers: the in-memory SQLite test database locks whole tables "
    "(CI runs this on PostgreSQL, where deployments meet real concurrency)",
)
def test_writers_at_the_same_moment_extend_one_unbroken_chain():
    """Requests in several threads write and seal at once; no link is made twice."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                record(Actor(label=f"w{n}"), Change(AuditAction.RISK_UPDATED, "risk", f"{n}-{i}"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    chain.seal_pending()  # anything a failed attempt left is taken by the next
    verdict = chain.verify()
    assert verdict.intact
    assert verdict.sealed == 60 and verdict.unsealed == 0
    assert list(AuditSeal.objects.values_list("position", flat=True)) == list(range(1, 61))
