"""The Avisos page (SPEC §13, docs/reglas.md §13): every notice e-mailed to the borrower, newest first, recorded in
one place (fopi/buzon.py) whoever sends it."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.urls import reverse

from fopi import buzon
from fopi.models import AvisoCorreo
from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"


def pagos(*filas: str):
    return importar_archivo((ENCABEZADO + "\n".join(filas) + "\n").encode())


@pytest.mark.django_db
def test_it_is_linked_from_the_section(cliente_alice, prestamo_alice):
    assert f'href="{reverse("avisos")}">Avisos</a>' in cliente_alice.get(reverse("recuperacion")).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_lists_every_notice_newest_first(cliente_alice, prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,A1,2026-06-10,{fopi.referencia},1500.00")
    buzon.registrar_correo(
        derechohabiente=prestamo_alice.derechohabiente, prestamo=prestamo_alice, tipo=AvisoCorreo.Tipo.DEVOLUCION,
        asunto="Solicitaste la devolución de tu saldo a favor", cuerpo="Recibimos una solicitud para transferir $10.00.",
    )
    html = cliente_alice.get(reverse("avisos")).content.decode()
    assert html.index("Solicitaste la devolución") < html.index("Recibimos tu pago")
    assert "$1,500.00" in html


@pytest.mark.django_db
def test_another_borrowers_notices_are_never_shown(client, prestamo_alice, bob):
    buzon.registrar_correo(derechohabiente=prestamo_alice.derechohabiente, tipo=AvisoCorreo.Tipo.CORREO,
                           asunto="Cambiaste tu correo", cuerpo="secreto de alicia")
    client.force_login(bob.usuario)
    assert "secreto de alicia" not in client.get(reverse("avisos")).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_aclaracion_received_is_acknowledged_with_the_date_of_the_answer(prestamo_alice):
    from recuperacion.acuses import aclaracion_recibida
    from recuperacion.models import Aclaracion

    aclaracion = Aclaracion.objects.create(
        folio="ACL-2026000001", prestamo=prestamo_alice, quincena="2026-Q11", importe=D("701.12"),
        talon_tipo="pdf", talon_sha256="0" * 64, talon_tamanio=100,
    )
    # 9 September 2026 + 10 business days, skipping 16 September (Independence Day) → 24/09/2026.
    aclaracion_recibida(aclaracion, hoy=date(2026, 9, 9))
    aclaracion_recibida(aclaracion, hoy=date(2026, 9, 9))  # told once
    assert len(mail.outbox) == 1
    assert "te responderemos a más tardar el 24/09/2026" in mail.outbox[0].body
    assert AvisoCorreo.objects.get(tipo="ACLARACION_RECIBIDA").enviado is not None


@pytest.mark.django_db
def test_it_reads_a_fixed_number_of_queries(cliente_alice, prestamo_alice, django_assert_max_num_queries):
    for n in range(8):
        buzon.registrar_correo(derechohabiente=prestamo_alice.derechohabiente, tipo=AvisoCorreo.Tipo.CORREO,
                               asunto=f"Aviso {n}", cuerpo="…")
    with django_assert_max_num_queries(6):
        assert cliente_alice.get(reverse("avisos")).content.decode().count("<article") == 8


@pytest.mark.django_db
def test_an_email_change_and_a_missing_deduction_are_kept(cliente_alice, alice, prestamo_alice, django_capture_on_commit_callbacks):
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_changed

    from prestamos.models import Remesa
    from recuperacion.omisiones import detectar_omisiones

    anterior = EmailAddress.objects.get(user=alice.usuario)
    nuevo = EmailAddress.objects.create(user=alice.usuario, email="alicia@ejemplo.mx", verified=True)
    email_changed.send(sender=EmailAddress, request=None, user=alice.usuario, from_email_address=anterior,
                       to_email_address=nuevo)
    Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena="2026-Q11")
    with django_capture_on_commit_callbacks(execute=True):
        detectar_omisiones(hoy=date(2026, 6, 20))
    html = cliente_alice.get(reverse("avisos")).content.decode()
    assert "Cambió el correo de tu cuenta" in html and "alicia@ejemplo.mx" in html
    assert "Descuento omitido" in html
