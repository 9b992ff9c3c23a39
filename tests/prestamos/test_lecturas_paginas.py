"""The pages' two reads as fixed SQL (prestamos/selectors.py) give the instances the ORM gives, field by field."""

from datetime import date
from decimal import Decimal as D

import pytest

from prestamos.models import COLUMNAS_ESTADO_CUENTA, Movimiento, Prestamo
from prestamos.selectors import _leer_movimientos, prestamos_de
from prestamos.services import prestamo_aplicar_pago
from tests.fabricas import CURP_ALICE, cargar_prestamos


def _valores(instancia, campos):
    return {f: getattr(instancia, f) for f in campos}


@pytest.mark.django_db
def test_the_loans_and_movements_read_by_sql_are_the_orm_s(prestamo_alice, prestamo_bob):
    cargar_prestamos(
        f"10000000009,{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31",
        f"10000000010,{CURP_ALICE},ORDINARIO,15000.00,12.00,24,2026-03-10,2026-Q06,VIGENTE,0,",
    )
    Prestamo.objects.filter(folio="10000000010").update(posicion=None)  # a loan without a snapshot reads as one
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("40000.00"), fecha_valor=date(2026, 6, 16),
                          tipo=Movimiento.Tipo.PAGO, origen="Pago <b>BBVA</b> & ref", hoy=date(2026, 6, 20))
    alice = prestamo_alice.derechohabiente_id
    orm = list(Prestamo.objects.filter(derechohabiente_id=alice).select_related("dependencia")
               .order_by("-fecha_otorgamiento", "-folio"))
    leidos = prestamos_de(alice)
    campos_p = [f.attname for f in Prestamo._meta.concrete_fields]
    campos_d = [f.attname for f in Prestamo._meta.get_field("dependencia").related_model._meta.concrete_fields]
    assert len(leidos) == len(orm) == 3
    for a, b in zip(leidos, orm, strict=True):
        assert _valores(a, campos_p) == _valores(b, campos_p)
        assert [type(getattr(a, f)) for f in campos_p] == [type(getattr(b, f)) for f in campos_p]
        assert _valores(a.dependencia, campos_d) == _valores(b.dependencia, campos_d)
        assert a._state.db == b._state.db and not a._state.adding
    movimientos = _leer_movimientos(leidos)
    orm_m = list(Movimiento.objects.filter(prestamo__in=orm).only("prestamo_id", *COLUMNAS_ESTADO_CUENTA).order_by("id"))
    campos_m = ["id", "prestamo_id", *COLUMNAS_ESTADO_CUENTA]
    assert len(movimientos) == len(orm_m) >= 3
    for a, b in zip(movimientos, orm_m, strict=True):
        assert _valores(a, campos_m) == _valores(b, campos_m)
        assert [type(getattr(a, f)) for f in campos_m] == [type(getattr(b, f)) for f in campos_m]
        assert a.get_deferred_fields() == b.get_deferred_fields()
        assert a.get_tipo_display() == b.get_tipo_display()
    assert prestamos_de(prestamo_bob.derechohabiente_id)[0].folio == prestamo_bob.folio
    assert prestamos_de(0) == []
