"""The ledger's optional links (revierte, reaplica, registrado_por): indexed only where set, and the
database still refuses a movement reversed or re-booked twice (prestamos/migrations/0018)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from prestamos.models import Movimiento


def _asiento(prestamo, tipo, **enlaces) -> Movimiento:
    return Movimiento.objects.create(
        prestamo=prestamo, tipo=tipo, fecha_valor=date(2026, 6, 15), importe=Decimal("701.12"), moratorios=0,
        interes=Decimal("201.12"), capital=Decimal("500.00"), excedente=0, aplicacion={}, origen="prueba", **enlaces,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("enlace", ["revierte", "reaplica"])
def test_a_movement_is_reversed_or_rebooked_at_most_once(prestamo_alice, enlace):
    original = _asiento(prestamo_alice, Movimiento.Tipo.DESCUENTO)
    tipo = Movimiento.Tipo.REVERSION if enlace == "revierte" else Movimiento.Tipo.DESCUENTO
    _asiento(prestamo_alice, tipo, **{enlace: original})
    # Many movements leave the link empty: NULLs never conflict.
    _asiento(prestamo_alice, Movimiento.Tipo.DESCUENTO)
    _asiento(prestamo_alice, Movimiento.Tipo.DESCUENTO)
    with pytest.raises(IntegrityError), transaction.atomic():
        _asiento(prestamo_alice, tipo, **{enlace: original})
    assert Movimiento.objects.filter(**{enlace: original}).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_optional_links_are_indexed_only_where_set():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'prestamos_movimiento'")
        indices = dict(cursor.fetchall())
    for columna in ("revierte_id", "reaplica_id", "registrado_por_id"):
        sobre_columna = {n: d for n, d in indices.items() if f"({columna})" in d}
        assert len(sobre_columna) == 1, sobre_columna
        (definicion,) = sobre_columna.values()
        assert definicion.endswith(f"WHERE ({columna} IS NOT NULL)"), definicion
    assert "UNIQUE" in indices["movimiento_revierte_una_vez"] and "UNIQUE" in indices["movimiento_reaplica_una_vez"]
