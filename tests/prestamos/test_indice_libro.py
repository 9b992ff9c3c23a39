"""The ledger's index serves the statement without reading the table (PostgreSQL's index-only scan)."""

from datetime import date

import pytest
from django.db import connection

from prestamos.models import Movimiento
from recuperacion.selectors import estado_de_cuenta

pytestmark = pytest.mark.postgres  # INCLUDE columns and plans are PostgreSQL's


def _indices() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'prestamos_movimiento'")
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_one_index_orders_a_loans_ledger_and_carries_the_statements_columns():
    indices = _indices()
    definicion = indices["movimiento_libro_prestamo"]
    assert "(prestamo_id, id) INCLUDE (tipo, fecha_valor, importe, moratorios, interes, capital, excedente, origen)" in definicion
    # Neither the foreign key's own index nor 0006's: the new one's first column serves both.
    assert not [n for n, d in indices.items() if d.endswith("(prestamo_id)") or d.endswith("(prestamo_id, id)")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'prestamos_movimiento'")
        assert "autovacuum_vacuum_insert_scale_factor=0.02" in cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_statement_reads_the_movements_from_the_index_alone(prestamo_alice, django_assert_num_queries):
    estado_de_cuenta(derechohabiente=prestamo_alice.derechohabiente, hoy=date(2026, 6, 5))  # fills the cache
    consultas = []

    def capturar(execute, sql, params, many, context):
        consultas.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capturar):
        estado_de_cuenta(derechohabiente=prestamo_alice.derechohabiente, hoy=date(2026, 6, 5))
    sql, params = next((s, p) for s, p in consultas if 'FROM "prestamos_movimiento"' in s)
    if ";\n" in sql:  # the loans and their movements in one execute (prestamos_y_movimientos): the second
        prestamos, sql = sql.split(";\n")
        params = params[prestamos.count("%s") :]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: make the planner show its index choice
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(fila[0] for fila in cursor.fetchall())
    assert "Index Only Scan using movimiento_libro_prestamo" in plan, plan
    assert Movimiento.objects.filter(prestamo=prestamo_alice).exists()
