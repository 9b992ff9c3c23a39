"""POST /spei/abonos/ (docs/reglas.md §11): signed deposit notifications, applied at once when they pay their FOPI
exactly and in time, kept for review otherwise, idempotent by clave de rastreo. What is returned ("devolver"):
test_spei_identidad.py."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse

from fopi.clabe import clabe_para
from fopi.models import AccionPago, AlertaSpei, Fopi, PagoBancario
from fopi.services import fopi_emitir, pago_marcar_devolucion
from prestamos.models import Movimiento, Prestamo
from tests.fabricas import FOLIO_ALICE, a_la_vez, texto
from tests.fopi.abonos import SECRETO, URL, del_dia, enviar, notificacion

HOY = date(2026, 6, 5)
DESCONOCIDA = clabe_para(9_999_999)  # a valid CLABE of ours that no FOPI has


@pytest.fixture(autouse=True)
def _secreto(settings):
    settings.SPEI_SECRETO = SECRETO


@pytest.fixture
def fopi(prestamo_alice, hoy):
    hoy(date(2026, 6, 10))
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)  # vigencia 15/06


def recibido_igual_a_aplicado_mas_pendiente():
    recibido = sum(p.importe for p in PagoBancario.objects.all())
    aplicado = sum(m.importe for m in Movimiento.objects.filter(tipo__in=["PAGO", "PAGO_CAPP", "PAGO_SPEI"]))
    pendiente = sum(p.importe for p in PagoBancario.objects.filter(estado__in=["EN_REVISION", "DEVOLUCION"]))
    return recibido == aplicado + pendiente


@pytest.mark.django_db
def test_it_applies_a_deposit_that_pays_its_fopi_and_answers_confirmar(client, fopi):
    respuesta = enviar(client, notificacion(fopi))

    assert respuesta.status_code == 200 and respuesta.json() == {"mensaje": "confirmar"}
    pago = PagoBancario.objects.get()
    assert (pago.canal, pago.estado, pago.clave_rastreo, pago.importe) == ("SPEI", "APLICADO", "MBAN01002606100000001", D("1500.00"))
    assert (pago.banco, pago.cuenta_beneficiario, pago.nombre_ordenante) == ("BBVA MEXICO", fopi.clabe, "ALICIA GARCIA")
    movimiento = pago.movimiento
    assert (movimiento.tipo, movimiento.fecha_valor, movimiento.importe) == ("PAGO_SPEI", date(2026, 6, 10), D("1500.00"))
    assert movimiento.origen.startswith("SPEI MBAN01002606100000001 · FOPI Pago parcial")
    fopi.refresh_from_db()
    assert (fopi.estado, fopi.pagado_el) == ("PAGADO", date(2026, 6, 10))
    assert recibido_igual_a_aplicado_mas_pendiente()


@pytest.mark.django_db
def test_the_borrower_sees_it_in_her_statement_and_downloads_its_receipt(client, cliente_alice, fopi):
    enviar(client, notificacion(fopi))
    html = cliente_alice.get(reverse("estado_cuenta")).content.decode()
    assert "SPEI MBAN01002606100000001" in html
    pago = PagoBancario.objects.get()
    contenido = texto(cliente_alice.get(reverse("pago_comprobante", args=[pago.pk])).content)
    assert "Transferencia SPEI" in contenido and "MBAN01002606100000001" in contenido
    assert "•••• 1234" in contenido and "012180004567891234" not in contenido  # the payer's account, masked
    assert "646 180 " in contenido


@pytest.mark.django_db
def test_the_same_clave_de_rastreo_again_is_answered_the_same_and_applies_nothing(client, fopi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        primera = enviar(client, notificacion(fopi))
    with django_capture_on_commit_callbacks(execute=True):
        segunda = enviar(client, notificacion(fopi))
    assert primera.json() == segunda.json() == {"mensaje": "confirmar"} and segunda.status_code == 200
    assert PagoBancario.objects.count() == 1 and Movimiento.objects.filter(tipo="PAGO_SPEI").count() == 1
    assert len(mail.outbox) == 1  # one "payment applied" e-mail


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cambios, motivo",
    [
        ({"monto": 1499.99}, "Importe distinto al del FOPI ($1,500.00)"),
        ({"monto": 1500.01}, "Importe distinto al del FOPI ($1,500.00)"),
        ({"fechaOperacion": del_dia(16)}, "Pagado después de la vigencia (15/06/2026)"),
        ({"fechaOperacion": 20260720}, "Fecha de operación futura (20/07/2026)"),
    ],
)
def test_any_other_deposit_to_a_fopis_clabe_waits_for_review_with_its_reason_and_is_confirmed(
    client, fopi, cambios, motivo
):
    respuesta = enviar(client, notificacion(fopi, **cambios))

    assert respuesta.status_code == 200 and respuesta.json() == {"mensaje": "confirmar"}
    pago = PagoBancario.objects.get()
    assert (pago.estado, pago.motivo) == ("EN_REVISION", motivo)
    assert not Movimiento.objects.filter(tipo="PAGO_SPEI").exists()
    assert Fopi.objects.get().estado == "PENDIENTE"
    assert recibido_igual_a_aplicado_mas_pendiente()


@pytest.mark.django_db
def test_a_deposit_to_a_paid_or_cancelled_fopi_waits_for_review(client, fopi, prestamo_alice):
    enviar(client, notificacion(fopi))
    enviar(client, notificacion(fopi, claveRastreo="OTRA0001"))
    nuevo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("700.00"), hoy=HOY)
    enviar(client, notificacion(nuevo, claveRastreo="PARA0001"))
    fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=HOY)  # cancels `nuevo`? paid already
    cancelado = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("900.00"), hoy=HOY)
    fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("950.00"), hoy=HOY)
    enviar(client, notificacion(cancelado, claveRastreo="CANC0001"))

    motivos = dict(PagoBancario.objects.values_list("clave_rastreo", "motivo"))
    assert motivos["OTRA0001"] == "Segundo pago del mismo FOPI"
    assert motivos["PARA0001"] == ""
    assert motivos["CANC0001"] == "FOPI cancelado (se emitió uno más reciente)"
    assert recibido_igual_a_aplicado_mas_pendiente()


@pytest.mark.django_db
def test_a_fopi_past_its_vigencia_paid_on_time_is_applied(client, fopi, hoy):
    hoy(date(2026, 6, 16))  # the notification arrives the day after the vigencia, dated the vigencia
    enviar(client, notificacion(fopi, fechaOperacion=del_dia(15)))
    assert PagoBancario.objects.get().estado == "APLICADO"


@pytest.mark.django_db
def test_a_transfer_dated_the_next_operating_day_is_applied_as_of_today(client, fopi, hoy):
    hoy(date(2026, 6, 12))  # Friday evening, after SPEI's cut-off: the transfer carries Monday's date
    enviar(client, notificacion(fopi, fechaOperacion=del_dia(15)))
    pago = PagoBancario.objects.get()
    assert pago.estado == "APLICADO" and pago.fecha_pago == date(2026, 6, 15)
    assert pago.movimiento.fecha_valor == date(2026, 6, 12)


@pytest.mark.django_db
def test_a_liquidacion_paid_by_spei_settles_the_loan(client, prestamo_alice, hoy):
    hoy(HOY)
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=HOY)
    hoy(date(2026, 6, 15))
    enviar(client, notificacion(fopi, monto=str(fopi.importe), fechaOperacion=del_dia(15)))
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.estado == "LIQUIDADO" and prestamo_alice.fecha_liquidacion == date(2026, 6, 15)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "firma",
    [None, "", "0" * 64, "zz", "á" * 64],
)
def test_a_bad_or_missing_signature_is_refused_and_nothing_recorded(client, fopi, firma):
    cuerpo = json.dumps(notificacion(fopi)).encode()
    encabezados = {} if firma is None else {"X-Firma": firma}
    respuesta = client.post(URL, data=cuerpo, content_type="application/json", headers=encabezados)
    assert respuesta.status_code == 403 and respuesta.json() == {"error": "Firma inválida."}
    assert not PagoBancario.objects.exists()


@pytest.mark.django_db
def test_a_signature_with_another_secret_or_a_replayed_one_over_a_changed_body_is_refused(client, fopi):
    assert enviar(client, notificacion(fopi), secreto="otro-secreto").status_code == 403
    original = json.dumps(notificacion(fopi)).encode()
    from fopi.notificacion import firmar

    cambiado = json.dumps(notificacion(fopi, monto=1.0, cuentaBeneficiario=DESCONOCIDA)).encode()
    assert enviar(client, cambiado, firma=firmar(original, SECRETO)).status_code == 403
    assert not PagoBancario.objects.exists()


@pytest.mark.django_db
def test_without_a_configured_secret_everything_is_refused(client, fopi, settings, caplog):
    settings.SPEI_SECRETO = ""
    assert enviar(client, notificacion(fopi), secreto="").status_code == 403
    assert "SPEI_SECRETO no está configurado" in caplog.text and not PagoBancario.objects.exists()


@pytest.mark.django_db
def test_it_answers_other_methods_with_405_in_json(client):
    respuesta = client.get(URL)
    assert respuesta.status_code == 405 and respuesta["Allow"] == "POST" and "error" in respuesta.json()


@pytest.mark.django_db
def test_it_needs_no_csrf_token_nor_session(fopi):
    from django.test import Client

    respuesta = enviar(Client(enforce_csrf_checks=True), notificacion(fopi))
    assert respuesta.status_code == 200 and "Set-Cookie" not in respuesta.headers


@pytest.mark.django_db
def test_staff_resolve_a_spei_deposit_from_the_same_queue_with_the_same_actions(client, cliente_staff, fopi, prestamo_alice, staff):
    enviar(client, notificacion(fopi, monto=1499.0, claveRastreo="DIST0001"))
    enviar(client, notificacion(fopi, fechaOperacion=del_dia(16), claveRastreo="TARD0001"))
    lista = cliente_staff.get(reverse("admin:fopi_pagobancario_changelist"), {"estado__exact": "EN_REVISION"})
    html = lista.content.decode()
    assert "DIST0001" in html and "TARD0001" in html and "Importe distinto" in html and "Transferencia SPEI" in html
    assert "Pagado después de la vigencia" in html and fopi.clabe in html

    distinto = PagoBancario.objects.get(clave_rastreo="DIST0001")
    url = reverse("admin:fopi_pagobancario_resolver", args=[distinto.pk])
    respuesta = cliente_staff.post(url, {"accion": "aplicar", "folio": FOLIO_ALICE, "motivo": "Faltó un peso; se acepta", "confirmar": FOLIO_ALICE})
    assert respuesta.status_code == 302
    distinto.refresh_from_db()
    assert distinto.estado == "APLICADO_CAPP" and distinto.movimiento.origen == "SPEI DIST0001 aplicado por el CAPP"

    tarde = PagoBancario.objects.get(clave_rastreo="TARD0001")
    pago_marcar_devolucion(pago=tarde, usuario=staff, motivo="Pagó tarde; se devuelve")
    assert AccionPago.objects.count() == 2 and recibido_igual_a_aplicado_mas_pendiente()


@pytest.mark.django_db
def test_it_reads_a_fixed_number_of_queries(client, fopi, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        assert enviar(client, notificacion(fopi)).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("a_su_fopi", [True, False], ids=["clabe-de-un-fopi", "clabe-desconocida"])
def test_two_simultaneous_deliveries_of_the_same_deposit_apply_it_once(prestamo_alice, hoy, settings, a_su_fopi):
    from django.test import Client

    hoy(date(2026, 6, 10))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    datos = notificacion(fopi) if a_su_fopi else notificacion(fopi, cuentaBeneficiario=DESCONOCIDA)

    respuestas, errores = a_la_vez(lambda: enviar(Client(), datos), veces=4)

    assert errores == []
    assert [r.status_code for r in respuestas] == [200] * 4
    respuesta = {"mensaje": "confirmar"} if a_su_fopi else {"mensaje": "devolver", "id": 1}
    assert all(r.json() == respuesta for r in respuestas)
    assert PagoBancario.objects.count() == (1 if a_su_fopi else 0)
    assert AlertaSpei.objects.count() == (0 if a_su_fopi else 1)
    assert Movimiento.objects.filter(tipo="PAGO_SPEI").count() == (1 if a_su_fopi else 0)
    assert recibido_igual_a_aplicado_mas_pendiente()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bank_file_and_a_spei_deposit_paying_the_same_fopi_at_once_apply_one(prestamo_alice, hoy):
    from django.test import Client

    from oficina.importacion import importar_archivo

    hoy(date(2026, 6, 10))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    archivo = f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,A1,2026-06-10,{fopi.referencia},1500.00\n"
    pasos = iter([lambda: importar_archivo(archivo.encode()), lambda: enviar(Client(), notificacion(fopi))])

    _, errores = a_la_vez(lambda: next(pasos)(), veces=2)

    assert errores == []
    assert sorted(PagoBancario.objects.values_list("estado", flat=True)) == ["APLICADO", "EN_REVISION"]
    assert PagoBancario.objects.get(estado="EN_REVISION").motivo == "Segundo pago del mismo FOPI"
    assert Prestamo.objects.get().movimientos.filter(tipo__in=["PAGO", "PAGO_SPEI"]).count() == 1
