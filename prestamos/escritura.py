"""Bulk writes for the paths that touch a million rows (remesas, detection, opening entries).

PostgreSQL writes by COPY, several times faster than the multi-row INSERT and CASE-per-row UPDATE that
`bulk_create` and `bulk_update` build; other databases (SQLite in development) use those. Rows are
dicts keyed by the model's attribute names (`prestamo_id`, not `prestamo`), the shape `libro.asiento`
builds, so no caller maps columns by position.
"""

from __future__ import annotations

import orjson
from django.db import connection, models
from psycopg.types.json import Jsonb


def insertar(modelo: type[models.Model], filas: list[dict], *, con_id: bool = True) -> list[int]:
    """Insert `filas`; returns their new ids, in order, when `con_id`.

    With `con_id` the ids are taken from the table's sequence first, so the caller can link other rows
    to these (a deduction to its movement) without reading them back.
    """
    if not filas:
        return []
    if connection.vendor != "postgresql":
        return [o.pk for o in modelo.objects.bulk_create([modelo(**fila) for fila in filas])]
    nombres = [n for n in filas[0] if n != "id"]
    campos = [modelo._meta.get_field(n[:-3] if n.endswith("_id") else n) for n in nombres]
    tabla = modelo._meta.db_table
    with connection.cursor() as cursor:
        ids: list[int] = []
        valores = [[fila[n] for n in nombres] for fila in filas]
        if con_id:
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{tabla}', 'id')) FROM generate_series(1, %s)", [len(filas)]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            campos = [modelo._meta.pk, *campos]
            valores = [[pk, *v] for pk, v in zip(ids, valores)]
        copiar(cursor, tabla, campos, valores)
        return ids


def copiar(cursor, tabla: str, campos, filas) -> None:
    # Our values are already Decimal, date, str, int or None, which psycopg writes as they are; only JSON
    # needs converting. (Field.get_db_prep_save for every cell costs more than the COPY itself.) orjson
    # encodes a snapshot ten times faster than the json module; it refuses a Decimal or a date, which
    # the engine's JSON never holds (amounts and dates are strings there).
    json = [i for i, c in enumerate(campos) if isinstance(c, models.JSONField)]
    with cursor.copy(f"COPY {tabla} ({', '.join(c.column for c in campos)}) FROM STDIN") as copia:
        for fila in filas:
            for i in json:
                if fila[i] is not None:
                    fila[i] = Jsonb(fila[i], dumps=orjson.dumps)
            copia.write_row(fila)


def actualizar(modelo: type[models.Model], objetos: list, campos: list[str]) -> None:
    """Write `campos` of `objetos` (instances, or rows with `pk` and those attributes) back, in bulk."""
    if not objetos:
        return
    if connection.vendor != "postgresql":
        instancias = [modelo(pk=o.pk, **{c: getattr(o, c) for c in campos}) for o in objetos]
        modelo.objects.bulk_update(instancias, campos)
        return
    tabla = modelo._meta.db_table
    columnas = [modelo._meta.pk] + [modelo._meta.get_field(c) for c in campos]
    temporal = f"lote_{tabla}"
    with connection.cursor() as cursor:
        # A scratch table for this transaction only: the lote goes in by COPY, then one UPDATE … FROM.
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temporal} ON COMMIT DROP AS SELECT * FROM {tabla} WITH NO DATA")
        cursor.execute(f"TRUNCATE {temporal}")
        filas = [[o.pk if c.primary_key else getattr(o, c.attname) for c in columnas] for o in objetos]
        copiar(cursor, temporal, columnas, filas)
        asignaciones = ", ".join(f"{c.column} = v.{c.column}" for c in columnas[1:])
        cursor.execute(f"UPDATE {tabla} AS p SET {asignaciones} FROM {temporal} AS v WHERE p.id = v.id")
