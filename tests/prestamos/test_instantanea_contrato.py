"""The snapshot format's contract (prestamos/instantanea.py): the Python form round-trips, carries its
version, and a snapshot of another version is replayed instead of read; on PostgreSQL the SQL form reads
and writes exactly what the Python form does."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection

from prestamos import instantanea, posiciones
from prestamos.calculo import Quincena
from prestamos.cartera import Condiciones, Contexto, Posicion
from prestamos.models import Prestamo

CONDICIONES = Condiciones(
    principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1),
    fecha_otorgamiento=date(2025, 12, 20),
)


def _pagada(n: int) -> Posicion:
    """The first n installments paid by their remesas (the period's remesa counts as arrived)."""
    posicion = Posicion.nueva(CONDICIONES)
    for cuota in posicion.cuotas[:n]:
        posicion.aplicar(fecha_valor=cuota.vencimiento, importe=cuota.monto,
                         contexto=Contexto(remesas=frozenset({cuota.periodo})))
    return posicion


def test_it_round_trips_and_carries_its_version():
    for posicion in (_pagada(0), _pagada(3)):
        datos = instantanea.guardar(posicion)
        assert datos[instantanea.CLAVE_VERSION] == instantanea.VERSION and instantanea.vigente(datos)
        assert instantanea.restaurar(json.loads(json.dumps(datos)), CONDICIONES) == posicion


def test_it_writes_untouched_installments_short_and_paid_ones_with_their_date():
    datos = instantanea.guardar(_pagada(2))
    assert [len(c) for c in datos["cuotas"][:3]] == [3, 3, 2]
    assert datos["cuotas"][1][2] == Quincena(2026, 2).vencimiento.isoformat()


@pytest.mark.parametrize(("pagadas", "contadas"), [(0, 1), (0, 3), (2, 1), (5, 4), (0, 0)])
def test_the_count_reads_as_the_installments_paid_as_scheduled(pagadas, contadas):
    # A snapshot after `pagadas` installments and a count of `contadas` more (what libro.asentar_ordinarias
    # leaves) is the snapshot the engine writes after paying them all, to the character, and restores to it.
    antes = json.loads(json.dumps(instantanea.guardar(_pagada(pagadas))))
    despues = _pagada(pagadas + contadas)

    assert instantanea.plegar(antes, CONDICIONES.primer_periodo, contadas) == instantanea.guardar(despues)
    assert instantanea.restaurar(antes, CONDICIONES, al_corriente=contadas) == despues
    # With a cut before the counted installments, they are restored all the same.
    corte = Quincena(2026, 1).vencimiento
    parcial = instantanea.restaurar(antes, CONDICIONES, corte=corte, al_corriente=contadas)
    assert parcial.capital_pagado == despues.capital_pagado and parcial.cuotas == despues.cuotas
    assert antes == instantanea.guardar(_pagada(pagadas))  # not changed


def test_a_count_beyond_the_untouched_installments_is_refused():
    datos = instantanea.guardar(_pagada(47))
    with pytest.raises(ValueError):
        instantanea.plegar(datos, CONDICIONES.primer_periodo, 2)


def test_a_snapshot_of_another_version_is_not_read():
    assert not instantanea.vigente(None) and not instantanea.vigente({})
    viejo = instantanea.guardar(_pagada(1))
    del viejo[instantanea.CLAVE_VERSION]
    assert not instantanea.vigente(viejo)


@pytest.mark.django_db
def test_a_loan_with_an_old_snapshot_is_replayed_from_its_ledger(prestamo_alice):
    bueno = posiciones.posicion(prestamo_alice, reproducir=True)
    viejo = instantanea.guardar(Posicion.nueva(CONDICIONES))  # wrong on purpose: nothing paid
    del viejo[instantanea.CLAVE_VERSION]
    Prestamo.objects.filter(pk=prestamo_alice.pk).update(posicion=viejo)
    prestamo_alice.refresh_from_db()
    assert posiciones.posicion(prestamo_alice) == bueno


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_sql_form_reads_and_writes_what_the_python_form_does():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL form is PostgreSQL's jsonb")
    antes, despues = _pagada(3), _pagada(4)
    cuota = antes.cuotas[3]
    forma = {"pos": "%(pos)s::jsonb", "k": "3"}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {instantanea.SQL_VIGENTE.format(**forma)}, {instantanea.SQL_CUOTA_INTACTA.format(**forma)}, "
            f"{instantanea.SQL_CUOTA_MONTO.format(**forma)}, "
            "jsonb_path_exists(%(pos)s::jsonb, %(sin_pagar)s, jsonb_build_object('n', 2)), "
            "jsonb_path_exists(%(pos)s::jsonb, %(sin_pagar)s, jsonb_build_object('n', 3))",
            {"pos": json.dumps(instantanea.guardar(antes)), "sin_pagar": instantanea.SQL_ALGUNA_SIN_PAGAR},
        )
        vigente, intacta, monto, sin_pagar_antes, sin_pagar_con_la_cuarta = cursor.fetchone()
    # The set-based path pays that installment in the snapshot's count, which reads as the engine writes it.
    escrita = instantanea.plegar(instantanea.guardar(antes), CONDICIONES.primer_periodo, 1)["cuotas"][3]
    assert vigente and intacta and D(monto) == cuota.monto
    assert not sin_pagar_antes and sin_pagar_con_la_cuarta
    assert (json.loads(escrita) if isinstance(escrita, str) else escrita) == instantanea.guardar(despues)["cuotas"][3]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_sql_form_reads_the_count_as_restaurar_does():
    # sql_pagadas_hasta, the one SQL reading of "paid up to here" that the classification, the set-based
    # reversal and the review after a reversal use, against the Python form: a snapshot of `pagadas`
    # installments and a count of `contadas` more is paid up to `hasta` when the restored position is.
    if connection.vendor != "postgresql":
        pytest.skip("the SQL form is PostgreSQL's jsonb")
    casos = []
    for pagadas, contadas in ((0, 0), (0, 2), (3, 0), (3, 1), (5, 4)):
        datos = instantanea.guardar(_pagada(pagadas))
        cuotas = instantanea.restaurar(datos, CONDICIONES, al_corriente=contadas).cuotas
        for hasta in range(-1, 12):
            pagado = all(c.pagado_interes == c.interes and c.pagado_capital == c.capital for c in cuotas[: hasta + 1])
            casos.append((json.dumps(datos), hasta, contadas, pagado))
    with connection.cursor() as cursor:
        for datos, hasta, contadas, pagado in casos:
            cursor.execute(f"SELECT {instantanea.sql_pagadas_hasta('%(d)s::jsonb', '%(h)s', '%(n)s')}",
                           {"d": datos, "h": hasta, "n": contadas})
            assert cursor.fetchone()[0] is pagado, (datos[:40], hasta, contadas)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_sql_form_turns_a_paid_installment_back_untouched_and_finds_the_last_one_due():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL form is PostgreSQL's jsonb")
    from prestamos.calculo import Mes

    antes, despues = _pagada(3), _pagada(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT jsonb_set(%(pos)s::jsonb, ARRAY['cuotas', '3'], "
            + instantanea.SQL_CUOTA_SIN_PAGAR.format(interes="%(pos)s::jsonb->'cuotas'->3->0",
                                                     capital="%(pos)s::jsonb->'cuotas'->3->1")
            + ")->'cuotas'->3",
            {"pos": json.dumps(instantanea.guardar(despues))},
        )
        (escrita,) = cursor.fetchone()
        assert (json.loads(escrita) if isinstance(escrita, str) else escrita) == instantanea.guardar(antes)["cuotas"][3]
        # The place of the last installment due: what `Posicion.vencidas` counts, less one.
        for primera in (Quincena(2026, 1), Quincena(2025, 23), Mes(2026, 1)):
            condiciones = Condiciones(principal=D("1000.00"), tasa_anual=D("12.00"), plazo=12, primer_periodo=primera,
                                      fecha_otorgamiento=date(2025, 12, 1))
            posicion = Posicion.nueva(condiciones)
            for hoy in (date(2025, 12, 31), date(2026, 1, 14), date(2026, 1, 15), date(2026, 1, 31), date(2026, 3, 1)):
                cursor.execute(f"SELECT {instantanea.sql_indice_vencida(hoy, primera='%(p)s::text')}", {"p": str(primera)})
                assert cursor.fetchone()[0] == len(posicion.vencidas(hoy)) - 1, (primera, hoy)


@pytest.mark.django_db
def test_unapplying_the_count_writes_it_into_the_json(prestamo_alice, hoy):
    """prestamos/migrations/0022 backwards: each count is written into its snapshot's JSON (instantanea.plegar) and
    the position reads the same, so the code before the count reads it too."""
    import importlib

    from django.apps import apps

    migracion = importlib.import_module("prestamos.migrations.0022_posicion_al_corriente")
    hoy(date(2026, 7, 3))
    Prestamo.objects.filter(pk=prestamo_alice.pk).update(posicion_al_corriente=2)  # Q11 and Q12, set-based
    prestamo_alice.refresh_from_db()
    antes, datos = posiciones.posicion(prestamo_alice), prestamo_alice.posicion

    migracion.plegar_cuentas(apps, None)

    prestamo_alice.refresh_from_db()
    assert prestamo_alice.posicion_al_corriente == 0
    assert prestamo_alice.posicion == instantanea.plegar(datos, prestamo_alice.primera_quincena, 2)
    assert prestamo_alice.posicion["cuotas"][11] == ["113.66", "587.46", "2026-06-30"]
    assert posiciones.posicion(prestamo_alice) == antes
    migracion.plegar_cuentas(apps, None)  # again: nothing left to write
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.posicion == instantanea.plegar(datos, prestamo_alice.primera_quincena, 2)
