"""One UPDATE for several rows of one model, each with its own values.

Django's `bulk_update` writes a CASE expression per column and row and compiles it through the
ORM: for the five rows a task moves at once it costs more than five `save()` calls. Measured on
PostgreSQL for five rows of five columns, in CPU per call: `bulk_update` 5.4 ms, five saves
1.9 ms, this 0.6 ms. It writes the statement directly:

    WITH v(pk, c1, c2) AS (VALUES (%s, %s, %s), …) UPDATE t SET c1 = v.c1, c2 = v.c2 FROM v WHERE t.pk = v.pk

PostgreSQL and SQLite (3.33 and later) both run it. The values still pass through each field's
`pre_save` (auto_now) and `get_db_prep_save`, as a `save()` would prepare them.
"""

from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import Field, Model


def rows_update(rows: Sequence[Model], fields: Iterable[str]) -> None:
    """save(update_fields=fields) for every row, in one statement; the rows are of one model."""
    if not rows:
        return
    model = type(rows[0])
    if any(type(row) is not model for row in rows):
        raise TypeError("rows_update() saves rows of one model")
    if any(row.pk is None for row in rows):
        # save(update_fields=…) refuses an unsaved row too; an UPDATE would just match nothing.
        raise ValueError("rows_update() saves rows that exist: one has no primary key")
    meta = model._meta
    columns: list[Field] = [meta.get_field(name) for name in dict.fromkeys(fields)]
    if not columns:
        return
    quote = connection.ops.quote_name
    pk_alias = quote("pk__")
    placeholders = "(" + ", ".join([_placeholder(meta.pk), *map(_placeholder, columns)]) + ")"
    params: list[object] = []
    for row in rows:
        params.append(meta.pk.get_db_prep_save(row.pk, connection))
        for column in columns:
            value = column.pre_save(row, add=False)
            params.append(column.get_db_prep_save(value, connection))
    table = quote(meta.db_table)
    names = ", ".join([pk_alias, *(quote(column.column) for column in columns)])
    assignments = ", ".join(f"{quote(column.column)} = v.{quote(column.column)}" for column in columns)
    sql = (
        f"WITH v({names}) AS (VALUES {', '.join([placeholders] * len(rows))}) "
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{quote(meta.pk.column)} = v.{pk_alias}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _placeholder(field: Field) -> str:
    # PostgreSQL types a VALUES list from its literals, so each column says its type. SQLite must
    # not: CAST(… AS datetime) would give the text numeric affinity.
    if connection.vendor == "postgresql":
        return f"CAST(%s AS {field.db_type(connection)})"
    return "%s"
