from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import Fopi
from fopi.referencia import coincide, referencia_valida
from tests.fabricas import FOLIO_ALICE, a_la_vez

URL = reverse("fopi_nuevo")


@pytest.mark.django_db
def test_it_issues_a_partial_fopi_and_lands_on_its_page(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    respuesta = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "1234.56"})
    fopi = Fopi.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == reverse("fopi_detalle", args=[fopi.pk])
    assert (fopi.tipo, fopi.importe, fopi.vigencia, fopi.secuencia) == ("PARCIAL", D("1234.56"), date(2026, 6, 15), 1)
    assert referencia_valida(fopi.referencia) and fopi.referencia.startswith(FOLIO_ALICE + "001")
    assert coincide(referencia=fopi.referencia, vigencia=fopi.vigencia, importe=fopi.importe)
    html = cliente_alice.get(respuesta.url).content.decode()
    assert fopi.referencia in html and ">Descargar PDF</a>" in html
    pdf = cliente_alice.get(reverse("fopi_pdf", args=[fopi.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_it_takes_the_next_quincena_when_less_than_three_days_remain(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 13))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION"})
    assert Fopi.objects.get().vigencia == date(2026, 6, 30)


@pytest.mark.django_db
def test_it_issues_a_payoff_fopi_for_the_liquidacion_at_the_vigencia(cliente_alice, prestamo_alice, hoy):
    from prestamos import posiciones

    hoy(date(2026, 6, 5))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION"})
    fopi = Fopi.objects.get()
    posicion = posiciones.posicion(prestamo_alice, reproducir=True)
    assert fopi.importe == posicion.liquidacion(
        date(2026, 6, 15), posiciones.contexto(prestamo_alice, date(2026, 6, 5))
    )
    # On the due date itself the payoff is capital + that installment's interest.
    assert fopi.importe == posicion.capital_insoluto + posicion.cuotas[10].interes


@pytest.mark.django_db
def test_it_cancels_the_earlier_pending_fopi_and_counts_the_sequence(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "500"})
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "600"})
    primero, segundo = Fopi.objects.order_by("secuencia")
    assert (primero.estado, segundo.estado) == ("CANCELADO", "PENDIENTE")
    assert segundo.referencia[11:14] == "002"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "datos, mensaje",
    [
        ({"tipo": "PARCIAL", "importe": "99.99"}, "mínimo"),
        ({"tipo": "PARCIAL", "importe": "999999.00"}, "excede"),
        ({"tipo": "PARCIAL", "importe": ""}, "Escribe el importe"),
        ({"tipo": "PARCIAL", "importe": "12,50"}, "p. ej. 3000, 3,000.00"),
        ({"tipo": "PARCIAL", "importe": "-5"}, "p. ej. 3000, 3,000.00"),
        ({"tipo": "PARCIAL", "importe": "NaN"}, "p. ej. 3000, 3,000.00"),
        ({"tipo": "OTRO"}, "Elige"),
        ({"tipo": "REGULARIZACION"}, "al corriente"),
        ({"tipo": "LIQUIDACION", "prestamo": "99999999999"}, "Elige uno de tus préstamos"),
    ],
)
def test_it_refuses_bad_requests_with_a_spanish_message_and_issues_nothing(
    cliente_alice, prestamo_alice, hoy, datos, mensaje
):
    hoy(date(2026, 6, 5))
    respuesta = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, **datos})
    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()
    assert not Fopi.objects.exists()


@pytest.mark.django_db
def test_it_shows_what_a_partial_payment_does_before_issuing(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    html = cliente_alice.post(
        URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "5000.00", "accion": "calcular"}
    ).content.decode()
    assert "Qué hace este pago" in html and "Intereses que te ahorras" in html
    assert "</strong> en lugar de 37" in html  # Q11, due on the vigencia, deducted as usual
    assert not Fopi.objects.exists()


@pytest.mark.django_db
def test_it_answers_404_for_another_borrowers_fopi(client, cliente_alice, prestamo_alice, prestamo_bob, hoy):
    hoy(date(2026, 6, 5))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION"})
    fopi = Fopi.objects.get()
    client.force_login(prestamo_bob.derechohabiente.usuario)
    assert client.get(reverse("fopi_detalle", args=[fopi.pk])).status_code == 404
    assert client.get(reverse("fopi_pdf", args=[fopi.pk])).status_code == 404
    assert client.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION"}).status_code == 200
    assert Fopi.objects.count() == 1


@pytest.mark.django_db
def test_it_lists_the_borrowers_fopis_with_their_state(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION"})
    hoy(date(2026, 6, 20))
    html = cliente_alice.get(reverse("fopi_lista")).content.decode()
    assert "Vencido" in html and "Liquidación" in html


@pytest.mark.django_db
def test_it_marks_expired_fopis_daily_and_keeps_a_late_payment_for_review(prestamo_alice, hoy):
    from django.core.management import call_command

    from fopi.services import fopi_emitir
    from oficina.importacion import importar_archivo

    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("300.00"), hoy=date(2026, 6, 5))
    hoy(date(2026, 6, 16))
    call_command("vencer_fopis")
    fopi.refresh_from_db()
    assert fopi.estado == "VENCIDO"
    importar_archivo(
        f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,V1,2026-06-16,{fopi.referencia},300.00\n".encode()
    )
    from fopi.models import PagoBancario

    pago = PagoBancario.objects.get()
    assert pago.estado == "EN_REVISION" and "después de la vigencia" in pago.motivo


@pytest.mark.django_db
def test_issuing_reads_a_fixed_number_of_queries(cliente_alice, prestamo_alice, hoy, django_assert_max_num_queries):
    """The load test's POST (bench/jornada.py): an earlier FOPI pending to cancel, remesas and parameters of the
    form from the cache. Inside the issue: lock, ledger, remesas, parameters, the loan's FOPIs (limit, numbers,
    references), the cancel, the insert and its CLABE (on PostgreSQL the id's sequence read, then one INSERT with
    the CLABE; elsewhere the INSERT, then the CLABE's UPDATE); plus the savepoint pair."""
    hoy(date(2026, 6, 5))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "500.00"})
    with django_assert_max_num_queries(15):
        respuesta = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "600.00"})
    assert respuesta.status_code == 302
    primero, segundo = Fopi.objects.order_by("secuencia")
    assert (primero.estado, segundo.estado, segundo.secuencia) == ("CANCELADO", "PENDIENTE", 2)


@pytest.mark.django_db
def test_on_postgresql_the_fopi_is_written_once_with_its_clabe(prestamo_alice, hoy):
    """The id comes from the table's sequence before the INSERT, which carries the CLABE: no UPDATE of the new
    row (SQLite keeps the INSERT and UPDATE). Either way the CLABE is the id's, and ids keep rising."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fopi.clabe import clabe_para
    from fopi.services import fopi_emitir

    primero = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    with CaptureQueriesContext(connection) as consultas:
        segundo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("600.00"), hoy=date(2026, 6, 5))
    escrituras = [c["sql"] for c in consultas.captured_queries if c["sql"].startswith(("INSERT", "UPDATE"))]
    actualizan_clabe = [sql for sql in escrituras if '"clabe" =' in sql]
    assert len(actualizan_clabe) == (0 if connection.vendor == "postgresql" else 1), escrituras
    assert segundo.pk > primero.pk
    for fopi in (primero, segundo):
        fopi.refresh_from_db()
        assert fopi.clabe == clabe_para(fopi.pk)


@pytest.mark.django_db
def test_one_issue_expires_the_overdue_pending_fopi_and_cancels_the_current_one(prestamo_alice, hoy):
    from fopi.services import fopi_emitir

    vencido = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 5, 20))
    vigente = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    # Both pending at once, as if the daily job had not run (the second issue would have cancelled the first).
    Fopi.objects.filter(pk=vencido.pk).update(estado="PENDIENTE")
    nuevo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("700.00"), hoy=date(2026, 6, 5))
    estados = dict(Fopi.objects.values_list("pk", "estado"))
    assert estados == {vencido.pk: "VENCIDO", vigente.pk: "CANCELADO", nuevo.pk: "PENDIENTE"}
    assert nuevo.secuencia == 3


@pytest.mark.django_db
def test_a_reference_held_by_any_fopi_is_never_issued_again(prestamo_alice, prestamo_bob, hoy):
    """The reference is unique among all FOPIs: one that would repeat an existing reference (here held by another
    loan's FOPI, as an imported or hand-made row could) takes the next number instead."""
    from fopi.referencia import construir_referencia
    from fopi.services import fopi_emitir

    hoy(date(2026, 6, 5))
    tomada = construir_referencia(folio=FOLIO_ALICE, secuencia=1, vigencia=date(2026, 6, 15), importe=D("500.00"))
    Fopi.objects.create(
        prestamo=prestamo_bob,
        secuencia=1,
        tipo="PARCIAL",
        importe=D("500.00"),
        vigencia=date(2026, 6, 15),
        referencia=tomada,
        estado="CANCELADO",
    )
    nuevo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    assert nuevo.secuencia == 2 and nuevo.referencia != tomada and nuevo.referencia.startswith(FOLIO_ALICE + "002")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_issues_at_the_same_time_take_distinct_numbers_and_leave_one_pending(prestamo_alice):
    """The loan's lock orders concurrent issues: each reads the FOPIs the one before left (numbers, pending ones,
    the daily count), so four clicks at once give four numbers, one FOPI pending and the rest cancelled."""
    from fopi.services import FOPIS_POR_DIA, fopi_emitir

    usuario = prestamo_alice.derechohabiente.usuario
    fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    resultados, errores = a_la_vez(
        lambda: fopi_emitir(
            prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5), usuario=usuario
        ),
        veces=4,
    )
    assert not errores
    fopis = list(Fopi.objects.order_by("secuencia").values_list("secuencia", "estado"))
    assert [s for s, _ in fopis] == [1, 2, 3, 4, 5]
    assert [e for _, e in fopis].count("PENDIENTE") == 1 and fopis[-1] == (5, "PENDIENTE")
    # The daily limit counts what the others issued meanwhile: at the limit, the next ones at once are refused.
    for _ in range(FOPIS_POR_DIA - 5 - 1):
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5), usuario=usuario)
    resultados, errores = a_la_vez(
        lambda: fopi_emitir(
            prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5), usuario=usuario
        ),
        veces=3,
    )
    assert len(resultados) == 1 and len(errores) == 2 and all("24 horas" in str(e) for e in errores)
    assert Fopi.objects.count() == FOPIS_POR_DIA and Fopi.objects.filter(estado="PENDIENTE").count() == 1
