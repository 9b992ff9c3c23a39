"""The pages' two reads as fixed SQL (prestamos/selectors.py) give the instances the ORM gives, field by field."""

from datetime import date
from decimal import Decimal as D

import pytest

from prestamos.models import COLUMNAS_ESTADO_CUENTA, Movimiento, Prestamo
from prestamos.selectors import _Campos, _leer_movimientos, prestamos_de, prestamos_y_movimientos
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


@pytest.mark.django_db
def test_the_loans_and_their_movements_in_one_round_trip_are_the_two_reads(prestamo_alice, prestamo_bob, django_assert_num_queries):
    """`prestamos_y_movimientos`: one execute on PostgreSQL (two statements), two elsewhere; the same rows."""
    from django.db import connection

    cargar_prestamos(f"10000000010,{CURP_ALICE},ORDINARIO,15000.00,12.00,24,2026-03-10,2026-Q06,VIGENTE,0,")
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("400.00"), fecha_valor=date(2026, 6, 16),
                          tipo=Movimiento.Tipo.PAGO, origen="Pago BBVA", hoy=date(2026, 6, 20))
    alice = prestamo_alice.derechohabiente_id
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        prestamos, movimientos = prestamos_y_movimientos(alice)
    campos_p = [f.attname for f in Prestamo._meta.concrete_fields]
    campos_m = ["id", "prestamo_id", *COLUMNAS_ESTADO_CUENTA]
    esperados = prestamos_de(alice)
    assert [_valores(p, campos_p) for p in prestamos] == [_valores(p, campos_p) for p in esperados]
    assert [p.dependencia.nombre for p in prestamos] == [p.dependencia.nombre for p in esperados]
    assert [_valores(m, campos_m) for m in movimientos] == [_valores(m, campos_m) for m in _leer_movimientos(esperados)]
    assert {m.prestamo_id for m in movimientos} <= {p.pk for p in prestamos} and len(prestamos) == 2
    assert prestamos_y_movimientos(0) == ([], [])
    bob, movimientos_bob = prestamos_y_movimientos(prestamo_bob.derechohabiente_id)
    assert [p.pk for p in bob] == [prestamo_bob.pk] and {m.prestamo_id for m in movimientos_bob} == {prestamo_bob.pk}


@pytest.mark.django_db
def test_with_server_side_binding_the_two_reads_go_apart(prestamo_alice, monkeypatch, django_assert_num_queries):
    """Two statements in one execute need client-side binding; with the server's, two queries."""
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", True)
    with django_assert_num_queries(2):
        prestamos, movimientos = prestamos_y_movimientos(prestamo_alice.derechohabiente_id)
    assert [p.pk for p in prestamos] == [prestamo_alice.pk] and movimientos


@pytest.mark.django_db
def test_an_instance_built_without_init_is_the_orm_s_and_init_signals_keep_from_db(prestamo_alice):
    """`_Campos.instancia` puts the values in the instance's __dict__ (no Model.__init__); a model with
    init signals is built by `Model.from_db`, so its receivers run."""
    from django.db import connection
    from django.db.models.signals import post_init

    nombres = ["id", "prestamo_id", *COLUMNAS_ESTADO_CUENTA]
    orm = Movimiento.objects.filter(prestamo=prestamo_alice).only("prestamo_id", *COLUMNAS_ESTADO_CUENTA).first()
    fila = tuple(getattr(orm, n) for n in nombres)
    directa = _Campos(Movimiento, "m", nombres)
    assert directa.directa
    a = directa.instancia(connection, fila)
    assert _valores(a, nombres) == _valores(orm, nombres) and a.get_deferred_fields() == orm.get_deferred_fields()
    assert a.pk == orm.pk and a._state.db == connection.alias and not a._state.adding and a.prestamo == prestamo_alice
    vistos = []

    def receptor(sender, instance, **kwargs):
        vistos.append(instance)

    post_init.connect(receptor, sender=Movimiento)
    try:
        con_senal = _Campos(Movimiento, "m", nombres)
        b = con_senal.instancia(connection, fila)
    finally:
        post_init.disconnect(receptor, sender=Movimiento)
    assert not con_senal.directa and vistos == [b] and _valores(b, nombres) == _valores(orm, nombres)
