"""Operación resolves aclaraciones from its queue in the admin (docs/reglas.md §10): the payslip, the ledger
and the remesa side by side; Procedente books the deduction as of its quincena's due date (no moratorio
stays for it) and records the dependencia's debt; Improcedente answers why. Audited, once.

Alice (SEP) says her July payslip shows the Q11 deduction of 701.12; SEP's Q11 remesa came with only a
co-worker's row. On 20/07/2026 Q11 is a missing deduction with 35 days of moratorios.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from fopi.models import AvisoCorreo
from prestamos import posiciones
from prestamos.models import Dependencia, Movimiento
from recuperacion.aclaraciones import aclaracion_presentar, aclaracion_resolver, aclaracion_tomar
from recuperacion.models import Aclaracion, AdeudoDependencia
from recuperacion.talones import leer_talon
from tests.accounts.datos import entrar
from tests.fabricas import CONTRASENA, filas_de, prestamos_de, remesa
from tests.recuperacion import talones_prueba as t

COLA = reverse("admin:recuperacion_aclaracion_changelist")
HOY = date(2026, 7, 20)
Q11_VENCE = date(2026, 6, 15)


def pagina(aclaracion):
    return reverse("admin:recuperacion_aclaracion_change", args=[aclaracion.pk])


def presentar(prestamo, quincena="2026-Q11", talon=None, importe="701.12"):
    from prestamos.calculo import Quincena

    return aclaracion_presentar(
        prestamo=prestamo,
        quincena=Quincena.parse(quincena),
        importe=D(importe),
        talon=leer_talon(talon or t.archivo(t.imagen("PNG"), nombre="talon.png")),
        comentario="Sí me descontaron.",
        usuario=prestamo.derechohabiente.usuario,
        hoy=HOY,
    )


@pytest.fixture
def caso(prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    [companero] = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    remesa(*filas_de([companero]), quincena="2026-Q11")
    hoy(HOY)
    return presentar(prestamo_alice)


@pytest.fixture
def operacion(django_user_model):
    """A staff member with Operación's permissions on aclaraciones (not a superuser)."""
    usuario = django_user_model.objects.create_user(username="operacion", password=CONTRASENA, is_staff=True)
    usuario.user_permissions.set(Permission.objects.filter(codename__in=["view_aclaracion", "resolver_aclaracion"]))
    return usuario


@pytest.fixture
def cliente_operacion(client, operacion):
    entrar(client, operacion)
    return client


def moratorios_de(prestamo, fecha):
    return posiciones.posicion(prestamo).moratorios(fecha, posiciones.contexto(prestamo, fecha))


@pytest.mark.django_db
def test_the_queue_lists_the_cases_to_resolve_oldest_first(cliente_operacion, caso, prestamo_alice, operacion):
    segundo = presentar(prestamo_alice, quincena="2026-Q12")
    html = cliente_operacion.get(COLA).content.decode()
    assert html.index(caso.folio) < html.index(segundo.folio)
    assert "Por resolver (recibidas y en revisión)" in html
    aclaracion_resolver(
        aclaracion=segundo, procedente=False, respuesta="No corresponde a este préstamo.", usuario=operacion
    )
    assert segundo.folio not in cliente_operacion.get(COLA).content.decode()
    assert segundo.folio in cliente_operacion.get(COLA, {"estado": "IMPROCEDENTE"}).content.decode()
    assert segundo.folio in cliente_operacion.get(COLA, {"estado": "todas"}).content.decode()
    assert (
        caso.folio
        in cliente_operacion.get(COLA, {"q": prestamo_alice.derechohabiente.curp, "estado": "todas"}).content.decode()
    )


@pytest.mark.django_db
def test_the_resolve_page_shows_payslip_ledger_and_remesa_side_by_side(cliente_operacion, caso):
    html = cliente_operacion.get(pagina(caso)).content.decode()
    talon = reverse("talon_pagina", args=[caso.folio, 1])
    assert f'<img class="expediente__talon" src="{talon}"' in html
    assert "Movimientos del préstamo 20000000001" in html
    assert "Remesa de SEP, 1ª quincena de junio de 2026 <small>(2026-Q11)</small>" in html and "Nada: ningún descuento de este préstamo" in html
    assert "Cuota 11: $701.12, pagado $0.00 — <strong>Vencida</strong>" in html
    assert cliente_operacion.get(talon).status_code == 200


@pytest.mark.django_db
def test_taking_a_case_shows_the_borrower_it_is_under_review(cliente_operacion, operacion, caso, client):
    cliente_operacion.post(pagina(caso), {"tomar": "1"})
    caso.refresh_from_db()
    assert caso.estado == "EN_REVISION" and caso.revision_por == operacion and caso.revision_el is not None
    entrar(client, caso.prestamo.derechohabiente.usuario)
    assert "En revisión" in client.get(reverse("aclaraciones")).content.decode()


@pytest.mark.django_db
def test_procedente_books_the_deduction_as_of_the_due_date_and_the_dependencia_owes_it(
    cliente_operacion, operacion, caso, prestamo_alice, django_capture_on_commit_callbacks
):
    assert moratorios_de(prestamo_alice, HOY) == D("11.76")  # 701.12 × 17.25 % × 35 / 360
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = cliente_operacion.post(
            pagina(caso), {"resolver": "1", "dictamen": "PROCEDENTE", "importe": "701.12"}
        )
    assert respuesta.status_code == 302
    caso.refresh_from_db()
    assert caso.estado == "PROCEDENTE" and caso.resuelta_por == operacion and caso.resuelta_el is not None
    movimiento = caso.movimiento
    assert (movimiento.tipo, movimiento.importe, movimiento.fecha_valor) == ("ACLARACION", D("701.12"), Q11_VENCE)
    assert movimiento.origen.startswith(f"Aclaración {caso.folio}") and movimiento.registrado_por == operacion
    assert (movimiento.moratorios, movimiento.interes + movimiento.capital) == (D("0.00"), D("701.12"))
    # Q11 paid as of its due date: no moratorio stays for it (Q12 and Q13 still await their remesa).
    assert moratorios_de(prestamo_alice, HOY) == 0
    cuota = posiciones.posicion(prestamo_alice).cuota_por_numero(11)
    assert cuota.pendiente == 0 and cuota.moratorio_cargado == 0
    adeudo = AdeudoDependencia.objects.get()
    assert (adeudo.dependencia.clave, str(adeudo.quincena), adeudo.importe, adeudo.aclaracion) == (
        "SEP",
        "2026-Q11",
        D("701.12"),
        caso,
    )
    [correo] = mail.outbox
    assert correo.to == ["alice@ejemplo.mx"] and caso.folio in correo.subject and "procedente" in correo.subject
    assert "no te genera moratorios" in correo.body
    caso.refresh_from_db()
    assert caso.notificada is not None


@pytest.mark.django_db
def test_the_borrower_sees_the_answer_and_the_movement(cliente_alice, caso, operacion):
    aclaracion_resolver(aclaracion=caso, procedente=True, respuesta="", usuario=operacion, hoy=HOY)
    html = cliente_alice.get(reverse("aclaraciones")).content.decode()
    assert "Procedente" in html and "Importe aplicado" in html and "no te genera moratorios" in html
    estado = cliente_alice.get(reverse("estado_cuenta")).content.decode()
    assert "Descuento reconocido por aclaración" in estado and f"Aclaración {caso.folio}" in estado
    assert "Detectamos" not in estado  # Q11 no longer missing


@pytest.mark.django_db
def test_the_dependencias_omisas_report_shows_the_debt(cliente_staff, caso, operacion):
    aclaracion_resolver(aclaracion=caso, procedente=True, respuesta="", usuario=operacion, hoy=HOY)
    url = reverse("admin:recuperacion_dependenciaomisa_changelist")
    html = cliente_staff.get(url, {"quincena": "2026-Q11"}).content.decode()
    fila = html[html.index("<td>SEP</td>") :]
    fila = fila[: fila.index("</tr>")]
    assert "<td>1</td>" in fila and "$701.12</a>" in fila
    import csv
    import io

    filas = list(
        csv.reader(io.StringIO(cliente_staff.get(url, {"quincena": "2026-Q11", "formato": "csv"}).content.decode()))
    )
    assert filas[0][-2:] == ["aclaraciones_procedentes", "adeudo_por_aclaraciones"]
    assert [f for f in filas if f[0] == "SEP"][0][-2:] == ["1", "701.12"]


@pytest.mark.django_db
def test_improcedente_needs_an_answer_and_books_nothing(cliente_operacion, caso, django_capture_on_commit_callbacks):
    html = cliente_operacion.post(
        pagina(caso), {"resolver": "1", "dictamen": "IMPROCEDENTE", "respuesta": ""}, follow=True
    )
    assert "Escribe la respuesta" in html.content.decode()
    caso.refresh_from_db()
    assert caso.estado == "RECIBIDA"
    with django_capture_on_commit_callbacks(execute=True):
        cliente_operacion.post(
            pagina(caso),
            {
                "resolver": "1",
                "dictamen": "IMPROCEDENTE",
                "respuesta": "El talón que enviaste es de otra quincena (2026-Q10); envía el de 2026-Q11.",
            },
        )
    caso.refresh_from_db()
    assert caso.estado == "IMPROCEDENTE" and caso.movimiento is None and not AdeudoDependencia.objects.exists()
    assert not Movimiento.objects.filter(tipo="ACLARACION").exists()
    [correo] = mail.outbox
    assert "improcedente" in correo.subject and "envía el de 2026-Q11" in correo.body


@pytest.mark.django_db
def test_a_case_is_resolved_once(cliente_operacion, caso, operacion):
    aclaracion_resolver(aclaracion=caso, procedente=True, respuesta="", usuario=operacion, hoy=HOY)
    with pytest.raises(ValidationError, match="ya fue resuelta"):
        aclaracion_resolver(aclaracion=caso, procedente=True, respuesta="", usuario=operacion, hoy=HOY)
    with pytest.raises(ValidationError, match="ya fue resuelta"):
        aclaracion_tomar(aclaracion=caso, usuario=operacion)
    respuesta = cliente_operacion.post(pagina(caso), {"resolver": "1", "dictamen": "PROCEDENTE"}, follow=True)
    assert "ya fue resuelta" in respuesta.content.decode()
    assert Movimiento.objects.filter(tipo="ACLARACION").count() == 1 and AdeudoDependencia.objects.count() == 1


@pytest.mark.django_db
def test_a_closed_case_can_be_filed_again_only_if_it_was_improcedente(caso, prestamo_alice, operacion):
    aclaracion_resolver(
        aclaracion=caso, procedente=False, respuesta="Falta el talón de esa quincena.", usuario=operacion
    )
    otra = presentar(prestamo_alice)
    aclaracion_resolver(aclaracion=otra, procedente=True, respuesta="", usuario=operacion, hoy=HOY)
    with pytest.raises(ValidationError, match="Ya reconocimos tu descuento"):
        presentar(prestamo_alice)


@pytest.mark.django_db
def test_reading_is_not_resolving(client, django_user_model, caso):
    consulta = django_user_model.objects.create_user(username="consulta", password=CONTRASENA, is_staff=True)
    consulta.user_permissions.set(Permission.objects.filter(codename="view_aclaracion"))
    entrar(client, consulta)
    html = client.get(pagina(caso)).content.decode()
    assert "Sólo Operación puede resolver aclaraciones" in html and 'name="resolver"' not in html
    assert client.post(pagina(caso), {"resolver": "1", "dictamen": "PROCEDENTE"}).status_code == 403
    consulta.user_permissions.clear()
    entrar(client, consulta)
    assert client.get(pagina(caso)).status_code == 403
    assert client.get(COLA).status_code == 403
    caso.refresh_from_db()
    assert caso.estado == "RECIBIDA"


@pytest.mark.django_db
def test_borrowers_never_reach_the_queue(cliente_alice, caso):
    assert cliente_alice.get(COLA).status_code == 302
    assert cliente_alice.get(pagina(caso)).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("movimientos", [0, 30])
def test_the_resolve_page_takes_a_fixed_number_of_queries(
    cliente_operacion, caso, prestamo_alice, django_assert_max_num_queries, movimientos
):
    from prestamos.services import prestamo_aplicar_pago

    for k in range(movimientos):
        prestamo_aplicar_pago(
            prestamo=prestamo_alice, importe=D("1.00"), fecha_valor=date(2026, 7, 1), tipo="PAGO", origen=f"x{k}"
        )
    with django_assert_max_num_queries(16):
        assert cliente_operacion.get(pagina(caso)).status_code == 200
    with django_assert_max_num_queries(12):
        assert cliente_operacion.get(COLA).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_resolving_at_once_book_it_once(prestamo_alice, operacion, hoy):
    from tests.fabricas import a_la_vez

    hoy(HOY)
    caso = presentar(prestamo_alice)
    resultados, errores = a_la_vez(
        lambda: aclaracion_resolver(aclaracion=caso, procedente=True, respuesta="", usuario=operacion, hoy=HOY)
    )
    assert len(resultados) == 1 and len(errores) == 1 and isinstance(errores[0], ValidationError)
    assert Movimiento.objects.filter(tipo="ACLARACION").count() == 1 and AdeudoDependencia.objects.count() == 1
    assert Aclaracion.objects.get().estado == "PROCEDENTE"


@pytest.mark.django_db
def test_the_answer_is_kept_on_the_avisos_page_as_sent(cliente_alice, caso, operacion, django_capture_on_commit_callbacks):
    """SPEC §13: the resolution's e-mail is on Avisos with the subject and text the borrower got."""
    with django_capture_on_commit_callbacks(execute=True):
        aclaracion_resolver(aclaracion=caso, procedente=True, respuesta="", usuario=operacion, hoy=HOY)
    [correo] = mail.outbox
    aviso = AvisoCorreo.objects.get(tipo="ACLARACION_RESUELTA", objeto=caso.pk)
    assert (aviso.asunto, aviso.cuerpo) == (correo.subject, correo.body) and aviso.enviado is not None
    html = cliente_alice.get(reverse("avisos")).content.decode()
    assert correo.subject in html and "no te genera moratorios" in html
