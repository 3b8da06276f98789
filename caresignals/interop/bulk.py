"""Fast keyed upserts for imports: stage a batch, then insert and update in set-based SQL.

Building a million model instances is far too slow for a region's history, so importers hand
this module columns of plain values. A batch is written to a temporary staging table (COPY on
PostgreSQL, executemany on SQLite), then one statement finds the rows whose values changed,
one updates them, and one inserts the rows whose key is new. The caller audits the changes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import OperationalError, connection, transaction
from django.db.models import Model, UniqueConstraint
from django.utils import timezone

STAGE = "cs_import_stage"


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # For each updated row: its key values, and the names of the fields that changed.
    changes: list[tuple[tuple[Any, ...], list[str]]] = field(default_factory=list)


def _column(model: type[Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "column", name))


def upsert(
    model: type[Model],
    *,
    keys: Sequence[str],
    fields: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    insert_only: Sequence[str] = (),
    timestamps: bool = True,
) -> UpsertResult:
    """Insert or update `rows`, each holding values for keys + fields + insert_only, in order.

    `fields` are compared and updated; `insert_only` (e.g. a random public reference) are
    written only for new rows. With `timestamps`, `created_at`/`updated_at` are maintained.
    Must run inside a transaction (the import's).
    """
    result = UpsertResult()
    if not rows:
        return result
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    key_cols = [qn(_column(model, k)) for k in keys]
    field_cols = [qn(_column(model, f)) for f in fields]
    extra_cols = [qn(_column(model, f)) for f in insert_only]
    staged = key_cols + field_cols + extra_cols
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    postgres = connection.vendor == "postgresql"
    differs = "IS DISTINCT FROM" if postgres else "IS NOT"

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} AS SELECT {', '.join(staged)} FROM {table} WHERE 1 = 0"
        )
        _load(cursor, staged, rows, postgres=postgres)

        join = " AND ".join(f"e.{c} = s.{c}" for c in key_cols)
        changed_any = " OR ".join(f"e.{c} {differs} s.{c}" for c in field_cols) or "1 = 0"
        flags = ", ".join(f"CASE WHEN e.{c} {differs} s.{c} THEN 1 ELSE 0 END" for c in field_cols)
        cursor.execute(
            f"SELECT {', '.join('s.' + c for c in key_cols)}, {flags} "
            f"FROM {STAGE} s JOIN {table} e ON {join} WHERE {changed_any}"
        )
        for row in cursor.fetchall():
            key = tuple(row[: len(key_cols)])
            names = [f for f, flag in zip(fields, row[len(key_cols) :], strict=True) if flag]
            result.changes.append((key, names))
        result.updated = len(result.changes)

        if result.updated:
            assignments = [f"{c} = s.{c}" for c in field_cols]
            if timestamps:
                assignments.append(f"{qn('updated_at')} = %s")
            cursor.execute(
                f"UPDATE {table} AS e SET {', '.join(assignments)} FROM {STAGE} s "
                f"WHERE {join} AND ({changed_any})",
                [now] if timestamps else [],
            )

        insert_cols = list(staged)
        select_cols = [f"s.{c}" for c in staged]
        params: list[Any] = []
        if timestamps:
            insert_cols += [qn("created_at"), qn("updated_at")]
            select_cols += ["%s", "%s"]
            params += [now, now]
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(insert_cols)}) SELECT {', '.join(select_cols)} "
            f"FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE {join})",
            params,
        )
        result.created = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGE}")
    result.unchanged = len(rows) - result.created - result.updated
    return result


def _load(
    cursor: Any, columns: list[str], rows: Sequence[tuple[Any, ...]], *, postgres: bool
) -> None:
    if postgres:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {STAGE} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {STAGE} ({', '.join(columns)}) VALUES ({marks})", rows)


def upsert_table(
    model: type[Model],
    *,
    keys: Sequence[str],
    fields: Sequence[str],
    table: pa.Table,
    insert_only: Sequence[str] = (),
    unseen: set[Any] | None = None,
    encoded: Encoded | None = None,
) -> UpsertResult:
    """The fast path for large imports: `table` has a column per key, field and insert_only
    name. Rows whose key is new (nearly all, on a first import) are written straight into
    the table; the rest go through the staged compare-and-update in `upsert`.

    `unseen` may name values of the first key that had no stored rows when the import
    began (say, organisations with no events yet): their rows need no look-up, because the
    importer has already refused keys repeated within the file. `encoded` may hold the
    whole table already encoded (see `encode`), used when every row turns out to be new.
    """
    if unseen:
        lookup = pc.invert(pc.is_in(table.column(keys[0]), value_set=pa.array(list(unseen))))
        exists = np.zeros(table.num_rows, dtype=bool)
        positions = np.flatnonzero(lookup.to_numpy(zero_copy_only=False))
        if len(positions):
            exists[positions] = _existing_mask(model, keys, table.take(pa.array(positions)))
    else:
        exists = _existing_mask(model, keys, table)
    result = UpsertResult()
    names = [*keys, *fields, *insert_only]
    if not exists.any() and encoded is not None and encoded.rows == table.num_rows:
        _write(model, encoded)
        result.created = table.num_rows
    else:
        new = table.filter(pa.array(~exists)) if exists.any() else table
        if new.num_rows:
            _insert(model, new, names)
            result.created = new.num_rows
    if exists.any():
        old = table.filter(pa.array(exists))
        columns = [_python(old.column(c)) for c in [*keys, *fields, *insert_only]]
        staged = upsert(
            model,
            keys=keys,
            fields=fields,
            rows=list(zip(*columns, strict=True)),
            insert_only=insert_only,
        )
        result.updated, result.unchanged, result.changes = (
            staged.updated,
            staged.unchanged,
            staged.changes,
        )
        result.created += staged.created
    return result


def _python(column: pa.ChunkedArray | pa.Array) -> list[Any]:
    """Values ready for a DB-API driver: dates as ISO text, as Django stores them."""
    if pa.types.is_date(column.type):
        column = pc.strftime(column, format="%Y-%m-%d")
    return column.to_pylist()


def _existing_mask(model: type[Model], keys: Sequence[str], table: pa.Table) -> np.ndarray:
    """Which rows' keys are already stored: one indexed join against the batch's keys."""
    qn = connection.ops.quote_name
    db_table = qn(model._meta.db_table)
    cols = [qn(_column(model, k)) for k in keys]
    values = [_python(table.column(k)) for k in keys]
    if connection.vendor == "postgresql":
        types = [_pg_array_type(model, k) for k in keys]
        unnest = ", ".join(f"%s::{t}[]" for t in types)
        names = ", ".join(f"k{i}" for i in range(len(keys)))
        on = " AND ".join(f"e.{c} = k.k{i}" for i, c in enumerate(cols))
        sql = (
            f"SELECT {', '.join('e.' + c for c in cols)} "
            f"FROM unnest({unnest}) AS k({names}) JOIN {db_table} e ON {on}"
        )
        params: list[Any] = values
    else:
        on = " AND ".join(f"e.{c} = json_extract(j.value, '$[{i}]')" for i, c in enumerate(cols))
        sql = (
            f"SELECT {', '.join('e.' + c for c in cols)} "
            f"FROM json_each(%s) j JOIN {db_table} e ON {on}"
        )
        params = [json.dumps(list(zip(*values, strict=True)))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = {tuple(_plain(v) for v in row) for row in cursor.fetchall()}
    if not stored:
        return np.zeros(table.num_rows, dtype=bool)
    rows = zip(*values, strict=True)
    return np.fromiter((r in stored for r in rows), dtype=bool, count=table.num_rows)


def _pg_array_type(model: type[Model], name: str) -> str:
    internal = model._meta.get_field(name).get_internal_type()
    return {
        "ForeignKey": "bigint",
        "BigAutoField": "bigint",
        "DateField": "date",
        "IntegerField": "integer",
        "PositiveSmallIntegerField": "smallint",
    }.get(internal, "text")


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@dataclass(frozen=True)
class Encoded:
    """Rows ready for the database's bulk path: CSV bytes for COPY on PostgreSQL, tuples for
    executemany on SQLite. Made by `encode`, which needs no connection, so it can run on
    the import's reading thread while the previous batch is written."""

    names: tuple[str, ...]
    rows: int
    payload: bytes | list[tuple[Any, ...]]


def encode(table: pa.Table, names: Sequence[str]) -> Encoded:
    now = timezone.now()
    if connection.vendor == "postgresql":
        stamp = pa.array([now.isoformat()] * table.num_rows, pa.string())
        out = (
            table.select(list(names))
            .append_column("created_at", stamp)
            .append_column("updated_at", stamp)
        )
        buffer = io.BytesIO()
        pacsv.write_csv(out, buffer, write_options=pacsv.WriteOptions(include_header=False))
        return Encoded(tuple(names), table.num_rows, buffer.getvalue())
    stamp_value = connection.ops.adapt_datetimefield_value(now)
    columns = [_python(table.column(n)) for n in names]
    columns += [[stamp_value] * table.num_rows] * 2
    return Encoded(tuple(names), table.num_rows, list(zip(*columns, strict=True)))


def encode_ahead(table: pa.Table, names: Sequence[str]) -> Encoded | None:
    """`encode`, where doing it ahead pays: PostgreSQL's CSV is made by Arrow without the
    interpreter lock; SQLite's tuples are Python objects, better made by the writer."""
    return encode(table, names) if connection.vendor == "postgresql" else None


class DeferredIndexes:
    """Secondary indexes dropped for a first load and built again before it commits.

    Keeping indexes current row by row is about half of what a million-row load into an
    empty table costs on PostgreSQL; building them once at the end takes about a third of
    that. Everything happens in the import's transaction, so a failed import leaves the
    indexes as they were. Use it only for an empty table: a load's rows are checked against
    each other before they are written, so no unique index can then fail to build again.
    On PostgreSQL the unique constraints are deferred too, and the table is locked against
    every other reader and writer until the load commits. SQLite builds unique constraints
    into the table, so only its plain indexes are deferred.
    """

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.dropped = False

    def _statements(self) -> list[tuple[str, str]]:
        editor = connection.schema_editor()  # for its SQL only: never entered, runs nothing
        editor.deferred_sql = []
        items: list[Any] = list(self.model._meta.indexes)
        if connection.vendor == "postgresql":
            items += [c for c in self.model._meta.constraints if isinstance(c, UniqueConstraint)]
        return [
            (str(i.remove_sql(self.model, editor)), str(i.create_sql(self.model, editor)))
            for i in items
        ]

    def drop(self) -> bool:
        """Drop them, if the database allows it now; say whether it did. PostgreSQL refuses
        while the transaction still has foreign-key checks pending on the table (rows that
        point at events changed earlier in it): the load then keeps its indexes."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for drop, _ in self._statements():
                    cursor.execute(drop)
        except OperationalError:
            return False
        self.dropped = True
        return True

    def restore(self) -> None:
        if not self.dropped:
            return
        with connection.cursor() as cursor:
            for _, create in self._statements():
                cursor.execute(create)
        self.dropped = False


def insert_new(
    model: type[Model],
    table: pa.Table,
    names: Sequence[str],
    *,
    keys: Sequence[str],
    stamp: dt.datetime | None = None,
) -> int | None:
    """Insert the one row of `table` unless its key is already stored: its new id, or None.
    `stamp` is its `created_at`/`updated_at` (now by default; a public record keeps the day).

    For records made one at a time (a form, an API call): one statement both refuses a
    stored key (the unique constraint on `keys` decides, so two requests racing with the
    same key cannot both get in) and returns the id, where a staged upsert would take three.
    """
    if table.num_rows != 1:
        raise ValueError(f"insert_new takes one row, got {table.num_rows}")
    qn = connection.ops.quote_name
    now = stamp or timezone.now()
    written = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    values = [_python(table.column(n))[0] for n in names] + [written, written]
    cols = [qn(_column(model, n)) for n in names] + [qn("created_at"), qn("updated_at")]
    conflict = ", ".join(qn(_column(model, k)) for k in keys)
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {qn(str(model._meta.pk.column))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _insert(model: type[Model], table: pa.Table, names: Sequence[str]) -> None:
    _write(model, encode(table, names))


def _write(model: type[Model], encoded: Encoded) -> None:
    qn = connection.ops.quote_name
    db_table = qn(model._meta.db_table)
    cols = [qn(_column(model, n)) for n in encoded.names] + [qn("created_at"), qn("updated_at")]
    with connection.cursor() as cursor:
        if isinstance(encoded.payload, bytes):
            with cursor.cursor.copy(
                f"COPY {db_table} ({', '.join(cols)}) FROM STDIN (FORMAT csv)"
            ) as copy:
                copy.write(encoded.payload)
        else:
            marks = ", ".join(["%s"] * len(cols))
            cursor.executemany(
                f"INSERT INTO {db_table} ({', '.join(cols)}) VALUES ({marks})", encoded.payload
            )
