"""Database functions the ORM lacks in a form fast enough for millions of rows."""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, Func


class MonthStart(Func):
    """The first day of a date's month.

    Django's `TruncMonth` on SQLite calls a Python function for every row, which costs
    seconds per million events (the aggregates after an import); dates are stored there as
    ISO text, so the month is a substring. PostgreSQL truncates natively.
    """

    arity = 1
    output_field = DateField()
    template = "CAST(date_trunc('month', %(expressions)s) AS date)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="substr(%(expressions)s, 1, 7) || '-01'", **extra
        )
