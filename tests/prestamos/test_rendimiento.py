"""The shortcuts taken for speed give exactly what the plain computation gives (caches, binary search,
snapshot instead of replay, lotes without model instances)."""

import gc
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prestamos import instantanea, posiciones
from prestamos.calculo import Quincena, tabla_amortizacion
from prestamos.cartera import Condiciones, Contexto, Posicion
from prestamos.instantanea import _cuota_a_json
from prestamos.models import Movimiento
from prestamos.services import prestamo_aplicar_pago
from recuperacion.lotes import sin_recolector

EJEMPLO = Condiciones(D("30000.00"), D("11.50"), 48, Quincena(2026, 1), date(2025, 12, 20))
REMESAS = Contexto(remesas=frozenset(Quincena(2026, n) for n in range(1, 25)))


def test_it_parses_a_quincena_code_the_same_way_every_time():
    assert Quincena.parse("2026-Q12") == Quincena.parse(" 2026-Q12 ") == Quincena(2026, 12)
    for _ in range(2):  # a bad code is refused every time, not only before it is cached
        with pytest.raises(ValueError):
            Quincena.parse("2026-Q25")
        with pytest.raises(ValueError):
            Quincena.parse("2026-12")


def test_it_gives_the_same_dates_from_a_quincena_every_time():
    q = Quincena(2028, 4)
    assert (q.inicio, q.vencimiento) == (date(2028, 2, 16), date(2028, 2, 29))
    assert (q.inicio, q.vencimiento) == (date(2028, 2, 16), date(2028, 2, 29))  # again, from the cache
    assert q.descripcion == "2ª quincena de febrero de 2028, del 16 al 29 de febrero"
    assert q == Quincena(2028, 4) and hash(q) == hash(Quincena(2028, 4))


def test_it_returns_a_fresh_schedule_from_the_cache():
    primera = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1))
    primera.clear()
    segunda = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1))
    assert len(segunda) == 48 and (segunda[0].cuota, segunda[-1].cuota) == (D("701.12"), D("700.95"))


def test_it_keeps_the_amounts_as_written_in_the_cached_schedule():
    sin_decimales = tabla_amortizacion(principal=D("30000"), tasa_anual=D("11.5"), plazo=48, primer_periodo=Quincena(2026, 1))
    con_decimales = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1))
    assert sin_decimales == con_decimales
    assert (str(sin_decimales[0].saldo_inicial), str(con_decimales[0].saldo_inicial)) == ("30000", "30000.00")


montos = st.decimals(min_value=D("0.01"), max_value=D("8000"), places=2)


@settings(max_examples=100, deadline=None)
@given(pagos=st.lists(st.tuples(st.integers(0, 700), montos), max_size=10), dia=st.integers(-30, 800))
def test_it_finds_the_due_installments_as_a_full_scan_would(pagos, dia):
    p = Posicion.nueva(EJEMPLO)
    for d, importe in sorted(pagos):
        p.aplicar(fecha_valor=date(2026, 1, 1) + timedelta(days=d), importe=importe, contexto=REMESAS)
    fecha = date(2026, 1, 1) + timedelta(days=dia)
    assert p.vencidas(fecha) == [c for c in p.cuotas if c.vencimiento <= fecha]
    assert p.vencidas_sin_pagar(fecha) == [c for c in p.cuotas if c.vencimiento <= fecha and c.pendiente > 0]
    vencidas = [c.vencimiento for c in p.cuotas if c.vencimiento <= fecha]
    assert p.ultimo_vencimiento(fecha) == max(vencidas, default=EJEMPLO.fecha_otorgamiento)
    # And the snapshot restores the same position, with the same due dates.
    restaurada = instantanea.restaurar(instantanea.guardar(p), EJEMPLO)
    assert restaurada == p
    assert [c.vencimiento for c in restaurada.cuotas] == [c.vencimiento for c in p.cuotas]
    assert [_cuota_a_json(c) for c in restaurada.cuotas] == [_cuota_a_json(c) for c in p.cuotas]


@settings(max_examples=150, deadline=None)
@given(
    pagos=st.lists(st.tuples(st.integers(0, 700), montos), max_size=8),
    dia_hasta=st.integers(-30, 800),
    dia_pago=st.integers(-30, 800),
    importe=montos,
    sin_remesa=st.booleans(),
)
def test_a_partly_restored_position_applies_money_as_the_whole_one(pagos, dia_hasta, dia_pago, importe, sin_remesa):
    """`instantanea.restaurar(corte=)` (the remesa's restore) gives the same allocation, estado, omissions and snapshot."""
    p = Posicion.nueva(EJEMPLO)
    for d, monto in sorted(pagos):
        p.aplicar(fecha_valor=date(2026, 1, 1) + timedelta(days=d), importe=monto, contexto=REMESAS)
    contexto = Contexto() if sin_remesa else REMESAS
    hasta = date(2026, 1, 1) + timedelta(days=dia_hasta)
    # What a lote does: apply at a value date, then read estado and missing deductions at "today"; both
    # within `hasta`, or beyond it (where the partial position must complete itself first).
    fecha_valor = date(2026, 1, 1) + timedelta(days=dia_pago)
    entera, parcial = instantanea.restaurar(instantanea.guardar(p), EJEMPLO), instantanea.restaurar(instantanea.guardar(p), EJEMPLO, corte=hasta)

    resultados = []
    for posicion in (entera, parcial):
        aplicacion = posicion.aplicar(fecha_valor=fecha_valor, importe=importe, contexto=contexto)
        resultados.append((
            aplicacion,
            posicion.estado(hasta),
            [c.numero for c in posicion.vencidas_sin_pagar(hasta) if posicion.es_omitida(c, hasta, contexto)],
            posicion.saldo_deudor_total(hasta, contexto),
            instantanea.guardar(posicion),
        ))
    assert resultados[0] == resultados[1]
    parcial.completar()
    assert parcial == entera
    assert parcial.cuotas_por_pagar() == entera.cuotas_por_pagar()
    assert parcial.fecha_termino() == entera.fecha_termino()


def test_a_reader_of_a_partly_restored_position_sees_the_whole_schedule():
    """The lazy tail does not leak: `cuotas` completes first (a FOPI's interest saved read 0.00 once)."""
    from fopi.services import _interes_por_vencer

    p = Posicion.nueva(EJEMPLO)
    p.abrir(periodos_pagados=10)
    entera = instantanea.restaurar(instantanea.guardar(p), EJEMPLO)
    parcial = instantanea.restaurar(instantanea.guardar(p), EJEMPLO, corte=date(2026, 6, 5))
    assert _interes_por_vencer(parcial, date(2026, 6, 5)) == _interes_por_vencer(entera, date(2026, 6, 5)) > D("2000")
    assert parcial.cuotas == entera.cuotas


def test_a_partly_restored_position_keeps_the_rest_as_stored():
    p = Posicion.nueva(EJEMPLO)
    p.abrir(periodos_pagados=10)
    guardada = instantanea.guardar(p)
    parcial = instantanea.restaurar(guardada, EJEMPLO, corte=date(2026, 6, 5))  # 2026-Q10 due 31/05
    assert len(parcial._cuotas) == 10 and len(parcial._por_restaurar) == 38
    assert parcial._por_restaurar == guardada["cuotas"][10:]
    assert instantanea.guardar(parcial) == guardada
    assert parcial.cuotas_por_pagar() == 38 and parcial._por_restaurar is None  # a whole-schedule read completes it
    assert instantanea.restaurar(guardada, EJEMPLO, corte=date(2030, 1, 1))._por_restaurar is None  # nothing left to defer


def test_it_writes_each_installment_in_its_shortest_snapshot_form():
    p = Posicion.nueva(EJEMPLO)
    p.abrir(periodos_pagados=1)
    p.aplicar(fecha_valor=date(2026, 2, 20), importe=D("300.00"), contexto=REMESAS)  # 2026-Q02 partly, with moratorio
    pagada, parcial, intacta = (_cuota_a_json(c) for c in p.cuotas[:3])
    assert pagada == ["143.75", "557.37", None]
    assert len(parcial) == 7 and parcial[-1] == "2026-02-20"
    assert len(intacta) == 2


@pytest.mark.django_db
def test_it_builds_the_statement_position_from_the_snapshot_as_the_replay_would(prestamo_alice, staff, hoy):
    hoy(date(2026, 7, 1))
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("701.12"), fecha_valor=date(2026, 6, 15), tipo="PAGO",
                          origen="prueba", usuario=staff)
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("2500.00"), fecha_valor=date(2026, 6, 20), tipo="PAGO",
                          origen="prueba", usuario=staff)
    prestamo_alice.refresh_from_db()
    movimientos = list(Movimiento.objects.filter(prestamo=prestamo_alice).order_by("id"))
    assert prestamo_alice.posicion and prestamo_alice.posicion_hasta == movimientos[-1].id
    assert posiciones.posiciones([prestamo_alice], movimientos={prestamo_alice.pk: movimientos})[prestamo_alice.pk] == posiciones.posicion(prestamo_alice, reproducir=True)
    # A movement booked by a path that did not refresh the snapshot is still counted.
    prestamo_alice.posicion_hasta = movimientos[-2].id
    prestamo_alice.posicion = instantanea.guardar(Posicion.derivar(posiciones.condiciones(prestamo_alice),
                                                                   [posiciones.aplicacion_de(m) for m in movimientos[:-1]]))
    assert posiciones.posiciones([prestamo_alice], movimientos={prestamo_alice.pk: movimientos})[prestamo_alice.pk] == posiciones.posicion(prestamo_alice, reproducir=True)
    # Without a snapshot (loaded by prestamos.csv), the ledger is replayed.
    prestamo_alice.posicion = None
    assert posiciones.posiciones([prestamo_alice], movimientos={prestamo_alice.pk: movimientos})[prestamo_alice.pk] == posiciones.posicion(prestamo_alice, reproducir=True)


def test_it_pauses_the_garbage_collector_only_while_lotes_run():
    assert gc.isenabled()
    with sin_recolector():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), sin_recolector():
        raise RuntimeError("un lote que falla")
    assert gc.isenabled()
    gc.disable()
    try:
        with sin_recolector():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


@pytest.mark.django_db
def test_it_writes_a_lote_row_by_row_as_the_models_would(sep, staff, hoy):
    from prestamos.models import Prestamo
    from recuperacion.models import Descuento
    from tests.fabricas import filas_de, prestamos_de, remesa

    hoy(date(2026, 6, 20))
    prestamos = prestamos_de(sep, 3)
    # Sparse ids (the IN-list fetch) and a short deduction.
    filas = filas_de([prestamos[0], prestamos[2]])
    filas[1] = (filas[1][0], filas[1][1], D("100.00"))
    remesa(*filas, usuario=staff)
    for prestamo in (prestamos[0], prestamos[2]):
        prestamo = Prestamo.objects.get(pk=prestamo.pk)
        [movimiento] = prestamo.movimientos.all()
        assert (movimiento.tipo, movimiento.origen, movimiento.motivo) == ("DESCUENTO", "Remesa SEP 2026-Q11", "")
        assert movimiento.registrado_por == staff and movimiento.creado is not None
        assert movimiento.descuento.prestamo == prestamo and movimiento.descuento.importe == movimiento.importe
        assert prestamo.posicion_hasta == movimiento.pk
        assert posiciones.posiciones([prestamo], movimientos={prestamo.pk: [movimiento]})[prestamo.pk] == posiciones.posicion(prestamo, reproducir=True)
    assert Descuento.objects.count() == 2
    assert not Prestamo.objects.get(pk=prestamos[1].pk).movimientos.exists()


@pytest.mark.django_db
def test_periods_come_back_from_the_database_as_objects(prestamo_alice):
    from prestamos.calculo import Quincena
    from prestamos.models import Prestamo

    leido = Prestamo.objects.get(pk=prestamo_alice.pk)
    assert leido.primera_quincena == Quincena(2026, 1)
    assert Prestamo.objects.filter(primera_quincena__lte="2026-Q02").count() == 1
    assert Prestamo.objects.filter(primera_quincena=Quincena(2026, 1)).count() == 1
    assert list(Prestamo.objects.values_list("primera_quincena", flat=True)) == [Quincena(2026, 1)]
