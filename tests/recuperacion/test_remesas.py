"""descuentos.csv: remesas applied through the payment engine, all or nothing, never twice (docs/reglas.md §6, §8)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos import instantanea, posiciones
from prestamos.calculo import Quincena
from prestamos.cartera import Condiciones, Contexto, Posicion
from prestamos.models import Dependencia, Movimiento, Prestamo, Remesa
from prestamos.services import prestamo_aplicar_pago
from recuperacion.models import Descuento
from tests.fabricas import (
    CURP_ALICE,
    CURP_BOB,
    ENCABEZADO,
    FOLIO_ALICE,
    FOLIO_BOB,
    a_la_vez,
    filas_de,
    prestamos_de,
    remesa,
)

CUOTA_ALICE = D("701.12")


def descuentos_de(prestamo: Prestamo):
    return list(prestamo.movimientos.filter(tipo=Movimiento.Tipo.DESCUENTO))


@pytest.fixture(autouse=True)
def _junio(hoy):
    hoy(date(2026, 6, 20))


@pytest.mark.django_db
def test_it_applies_each_deduction_as_of_the_quincena_due_date(prestamo_alice, staff):
    resumen = remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), usuario=staff)

    assert (resumen.leidas, resumen.creadas, resumen.detalle["ya cargado"]) == (1, 1, 0)
    [movimiento] = descuentos_de(prestamo_alice)
    assert movimiento.fecha_valor == date(2026, 6, 15) and movimiento.importe == CUOTA_ALICE
    assert movimiento.origen == "Remesa SEP 2026-Q11" and movimiento.registrado_por == staff
    assert (movimiento.interes, movimiento.capital) == (D("116.46"), D("584.66"))
    posicion = posiciones.posicion(prestamo_alice, reproducir=True)
    assert posicion.cuotas_pagadas() == 11
    descuento = Descuento.objects.get()
    assert (str(descuento.quincena), descuento.importe, descuento.movimiento) == ("2026-Q11", CUOTA_ALICE, movimiento)
    cargada = Remesa.objects.get()
    assert (str(cargada.quincena), cargada.filas, cargada.total, cargada.archivo) == ("2026-Q11", 1, CUOTA_ALICE, "descuentos.csv")
    assert cargada.cargada_por == staff and descuento.remesa == cargada


@pytest.mark.django_db
def test_it_rejects_the_whole_remesa_for_one_bad_row_writing_nothing(prestamo_alice, prestamo_bob, ssa):
    otros = prestamos_de(Dependencia.objects.get(clave="SEP"), 2)
    buenas = filas_de(otros)
    malas = [
        ("2000000000", CURP_ALICE, "1.00"),  # 10 digits
        ("99999999999", CURP_ALICE, "1.00"),  # no such loan
        (FOLIO_ALICE, CURP_BOB, "1.00"),  # not her CURP
        (FOLIO_BOB, CURP_BOB, "1.00"),  # deducted by SSA, not SEP
        (FOLIO_ALICE, CURP_ALICE, "0"),
        (FOLIO_ALICE, CURP_ALICE, "1.005"),
    ]
    for mala in malas:
        with pytest.raises(ArchivoRechazado) as exc:
            remesa(*buenas, mala)
        assert "línea 4" in exc.value.mensaje(), mala
    with pytest.raises(ArchivoRechazado) as exc:
        remesa(*buenas, buenas[0])
    assert "línea 4" in exc.value.mensaje() and "repetido" in exc.value.mensaje()
    assert not Movimiento.objects.filter(tipo="DESCUENTO").exists()
    assert not Remesa.objects.exists() and not Descuento.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "linea, motivo",
    [
        ("SSA,2026-Q11,{folio},{curp},100.00", "un archivo por dependencia y quincena"),
        ("SEP,2026-Q12,{folio},{curp},100.00", "un archivo por dependencia y quincena"),
        ("SEP,2026-Q25,{folio},{curp},100.00", "«quincena»"),
        ("SEP,26-Q11,{folio},{curp},100.00", "«quincena»"),
    ],
)
def test_it_refuses_rows_of_another_remesa_or_badly_formed(prestamo_alice, ssa, linea, motivo):
    [otro] = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    texto = ENCABEZADO + f"SEP,2026-Q11,{FOLIO_ALICE},{CURP_ALICE},701.12\n" + linea.format(
        folio=otro.folio, curp=otro.derechohabiente.curp
    ) + "\n"
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo(texto.encode())
    assert "línea 3" in exc.value.mensaje() and motivo in exc.value.mensaje()
    assert not Movimiento.objects.filter(tipo="DESCUENTO").exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_dependencia(prestamo_alice):
    with pytest.raises(ArchivoRechazado) as exc:
        remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), dependencia="IMSS")
    assert "la dependencia «IMSS» no existe" in exc.value.mensaje()


@pytest.mark.django_db
def test_it_skips_what_was_already_loaded_and_adds_only_what_is_new(prestamo_alice):
    otros = prestamos_de(Dependencia.objects.get(clave="SEP"), 2)
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), *filas_de(otros[:1]))

    otra_vez = remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), *filas_de(otros[:1]))
    assert (otra_vez.creadas, otra_vez.omitidas, otra_vez.detalle["ya cargado"]) == (0, 2, 2)
    complementaria = remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), *filas_de(otros))
    assert (complementaria.creadas, complementaria.detalle["ya cargado"]) == (1, 2)

    assert Movimiento.objects.filter(tipo="DESCUENTO").count() == Descuento.objects.count() == 3
    assert len(descuentos_de(prestamo_alice)) == 1
    assert list(Remesa.objects.order_by("id").values_list("filas", flat=True)) == [2, 1]


@pytest.mark.django_db
def test_a_complementary_remesa_examines_only_the_loans_still_without_a_deduction(prestamo_alice, monkeypatch):
    from recuperacion import remesas

    otros = prestamos_de(Dependencia.objects.get(clave="SEP"), 3)
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), *filas_de(otros[:1]))
    examinados = []
    revisar = remesas.revisar_prestamos

    def espiar(consulta, *args, **kwargs):
        examinados.extend(consulta.values_list("pk", flat=True))
        return revisar(consulta, *args, **kwargs)

    monkeypatch.setattr(remesas, "revisar_prestamos", espiar)
    remesa(*filas_de(otros[1:2]))
    # Alice and otros[0] were paid by the first remesa, otros[1] by this one: only otros[2] is missing.
    assert examinados == [otros[2].pk]


@pytest.mark.django_db
def test_a_deduction_for_an_installment_already_paid_is_a_pago_en_exceso(prestamo_alice):
    """docs/reglas.md §6 (rev. 3): Alice regularized Q11 at the bank after its due date; then her dependencia's
    remesa brings Q11 too. She paid it twice: the deduction is saldo a favor, not capital."""
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=CUOTA_ALICE, fecha_valor=date(2026, 6, 18), tipo="PAGO", origen="FOPI")
    assert posiciones.posicion(prestamo_alice, reproducir=True).cuotas_pagadas() == 11
    capital_antes = posiciones.posicion(prestamo_alice, reproducir=True).capital_insoluto

    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))

    [tardio] = descuentos_de(prestamo_alice)
    assert tardio.excedente == CUOTA_ALICE and tardio.capital == tardio.moratorios == tardio.interes == 0
    assert tardio.aplicacion["exceso"] is True and tardio.aplicacion["periodo"] == "2026-Q11"
    for m in prestamo_alice.movimientos.all():
        assert m.moratorios + m.interes + m.capital + m.excedente == m.importe
    posicion = posiciones.posicion(prestamo_alice, reproducir=True)
    assert posicion.capital_insoluto == capital_antes and posicion.excedentes == CUOTA_ALICE
    assert posicion.cuotas_pagadas() == 11 and len(posicion.cuotas) == 48  # nothing re-projected


@pytest.mark.django_db
def test_a_late_deduction_still_pays_an_installment_due_and_unpaid(prestamo_alice):
    """Q12's remesa came first and paid the oldest unpaid installment (Q11); Q11's arriving late pays Q12:
    nothing was paid twice, so nothing is saldo a favor."""
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=CUOTA_ALICE, fecha_valor=date(2026, 6, 30), tipo="DESCUENTO",
                          origen="Remesa SEP 2026-Q12", periodo=Quincena(2026, 12))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    posicion = posiciones.posicion(prestamo_alice, reproducir=True)
    assert posicion.excedentes == 0 and posicion.cuotas_pagadas() == 12


@pytest.mark.django_db
def test_it_keeps_money_received_after_payoff_as_excedente(prestamo_alice):
    liquidacion = posiciones.posicion(prestamo_alice, reproducir=True).liquidacion(date(2026, 6, 10), posiciones.contexto(prestamo_alice, date(2026, 6, 10)))
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=liquidacion, fecha_valor=date(2026, 6, 10), tipo="PAGO", origen="FOPI")

    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))

    [tardio] = descuentos_de(prestamo_alice)
    assert tardio.excedente == CUOTA_ALICE
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.estado == "LIQUIDADO"


@pytest.mark.django_db
def test_its_query_count_does_not_grow_with_the_rows(django_user_model):
    # 10 and 60 rows: both within one lote and, on SQLite, within one bulk batch (999 parameters).
    chica, grande = (Dependencia.objects.create(clave=c, nombre=c) for c in ("CHICA", "GRANDE"))
    pocos, muchos = prestamos_de(chica, 10), prestamos_de(grande, 60, desde=100)
    consultas = []
    for dependencia, prestamos in ((chica, pocos), (grande, muchos)):
        with CaptureQueriesContext(connection) as capturadas:
            resumen = remesa(*filas_de(prestamos), dependencia=dependencia.clave)
        assert resumen.creadas == len(prestamos)
        consultas.append(len(capturadas))
    assert consultas[0] == consultas[1]
    assert Descuento.objects.count() == 70


@pytest.mark.django_db
def test_its_snapshot_always_equals_the_ledger_replay(prestamo_alice, hoy):
    hoy(date(2026, 8, 5))  # every quincena loaded below has already passed

    def comprobar():
        prestamo = Prestamo.objects.get(pk=prestamo_alice.pk)
        replay = posiciones.posicion(prestamo, reproducir=True)
        assert instantanea.restaurar(prestamo.posicion, posiciones.condiciones(prestamo)) == replay
        assert posiciones.posiciones([prestamo])[prestamo.pk] == replay

    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    comprobar()
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("300.00"), fecha_valor=date(2026, 7, 20), tipo="PAGO", origen="FOPI")
    comprobar()
    remesa((FOLIO_ALICE, CURP_ALICE, "400.00"), quincena="2026-Q12")  # short: moratorio on the rest
    comprobar()
    remesa((FOLIO_ALICE, CURP_ALICE, "5000.00"), quincena="2026-Q13")  # beyond the cuota: abono a capital
    comprobar()
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("1234.56"), fecha_valor=date(2026, 8, 1), tipo="PAGO_CAPP", origen="CAPP")
    comprobar()


@pytest.mark.django_db
def test_its_snapshot_counts_movements_booked_after_it(prestamo_alice):
    """A ledger entry written without refreshing the snapshot is replayed on top of it."""
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    prestamo = Prestamo.objects.get(pk=prestamo_alice.pk)
    posicion = posiciones.posicion(prestamo, reproducir=True)
    a = posicion.aplicar(fecha_valor=date(2026, 6, 30), importe=CUOTA_ALICE, contexto=Contexto())
    Movimiento.objects.create(
        prestamo=prestamo, tipo="PAGO_CAPP", fecha_valor=a.fecha_valor, importe=a.importe, moratorios=a.moratorios,
        interes=a.interes, capital=a.capital, excedente=a.excedente, aplicacion=a.a_json(), origen="prueba",
    )
    assert posiciones.posiciones([prestamo])[prestamo.pk] == posiciones.posicion(prestamo, reproducir=True) == posicion


CONDICIONES = Condiciones(
    principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1),
    fecha_otorgamiento=date(2025, 12, 20),
)


@settings(max_examples=150, deadline=None)
@given(
    pagadas=st.integers(min_value=0, max_value=20),
    pagos=st.lists(
        st.tuples(st.integers(min_value=0, max_value=900), st.decimals(min_value=D("0.01"), max_value=D("40000"), places=2)),
        max_size=10,
    ),
    con_remesas=st.booleans(),
)
def test_its_snapshot_format_round_trips_any_position(pagadas, pagos, con_remesas):
    posicion = Posicion.nueva(CONDICIONES)
    posicion.abrir(periodos_pagados=pagadas)
    contexto = Contexto(remesas=frozenset(Quincena(2026, n) for n in range(1, 25)) if con_remesas else frozenset())
    for dia, importe in pagos:
        posicion.aplicar(fecha_valor=date(2026, 1, 1) + timedelta(days=dia), importe=importe, contexto=contexto)
        assert instantanea.restaurar(instantanea.guardar(posicion), CONDICIONES) == posicion


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_applies_a_remesa_once_when_two_loads_start_together():
    sep = Dependencia.objects.create(clave="SEP", nombre="SEP")
    prestamos = prestamos_de(sep, 30)
    contenido = (ENCABEZADO + "".join(f"SEP,2026-Q11,{f},{c},{i}\n" for f, c, i in filas_de(prestamos))).encode()
    resultados, errores = a_la_vez(lambda: importar_archivo(contenido))

    assert not errores
    assert sorted((r.creadas, r.detalle["ya cargado"]) for r in resultados) == [(0, 30), (30, 0)]
    assert Movimiento.objects.filter(tipo="DESCUENTO").count() == Descuento.objects.count() == 30
    assert all(len(descuentos_de(p)) == 1 for p in prestamos)
    assert Remesa.objects.count() == 1
