"""A reversal takes back money a pending refund would pay: in the same transaction the refund is cancelled
(no saldo a favor left) or reduced (less left), the borrower is told, and the admin can no longer record its
payment — with one answer, never "se cambió correctamente" beside the error (docs/reglas.md §9)."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo, revertir_archivo
from prestamos import posiciones
from recuperacion.devoluciones import devolucion_solicitar
from recuperacion.models import SolicitudDevolucion
from tests.fabricas import CURP_ALICE, ENCABEZADO, FOLIO_ALICE

CLABE = "032180000118359719"


@pytest.fixture
def saldo_de_dos_fuentes(prestamo_alice, hoy):
    """Alice pays off early (the unaccrued interest is saldo a favor); then SEP deducts her cuota again."""
    hoy(date(2026, 7, 3))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=date(2026, 7, 3))
    pago = f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,L1,2026-07-03,{fopi.referencia},{fopi.importe}\n"
    importar_archivo(pago.encode())
    hoy(date(2026, 7, 20))
    remesa = (ENCABEZADO + f"SEP,2026-Q13,{FOLIO_ALICE},{CURP_ALICE},701.12\n").encode()
    importar_archivo(remesa)
    return prestamo_alice, pago.encode(), remesa


@pytest.mark.django_db
def test_reversing_part_of_the_money_reduces_the_pending_refund(saldo_de_dos_fuentes, django_capture_on_commit_callbacks):
    prestamo, _, remesa = saldo_de_dos_fuentes
    solicitud = devolucion_solicitar(prestamo=prestamo, clabe=CLABE, titular="Alicia García")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        revertir_archivo(remesa, motivo="la SEP no descontó esa quincena")
    solicitud.refresh_from_db()
    restante = posiciones.posicion(prestamo).excedentes
    assert 0 < restante < solicitud.importe + 1 and solicitud.importe == restante
    assert solicitud.estado == SolicitudDevolucion.Estado.PENDIENTE and "Reducida" in solicitud.nota
    assert len(mail.outbox) == 1 and "cambió tu solicitud" in mail.outbox[0].subject


@pytest.mark.django_db
def test_reversing_all_of_it_cancels_the_refund_and_the_admin_cannot_pay_it(
    saldo_de_dos_fuentes, cliente_staff, django_capture_on_commit_callbacks
):
    prestamo, pago, remesa = saldo_de_dos_fuentes
    solicitud = devolucion_solicitar(prestamo=prestamo, clabe=CLABE, titular="Alicia García")
    with django_capture_on_commit_callbacks(execute=True):
        revertir_archivo(remesa, motivo="la SEP no descontó esa quincena")
        revertir_archivo(pago, motivo="el banco canceló el pago")
    solicitud.refresh_from_db()
    assert posiciones.posicion(prestamo).excedentes == 0
    assert solicitud.estado == SolicitudDevolucion.Estado.CANCELADA and "Cancelada" in solicitud.nota
    assert any("se canceló tu solicitud" in m.subject for m in mail.outbox)

    url = reverse("admin:recuperacion_solicituddevolucion_change", args=[solicitud.pk])
    respuesta = cliente_staff.post(url, {"clave_rastreo": "RASTREO123"}, follow=True)
    assert respuesta.status_code == 403 and "correctamente" not in respuesta.content.decode()
    assert "Cancelada" in cliente_staff.get(url).content.decode()  # shown, with why
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudDevolucion.Estado.CANCELADA and solicitud.movimiento is None


@pytest.mark.django_db
def test_the_admin_refuses_at_the_field_a_refund_whose_money_is_gone(saldo_de_dos_fuentes, cliente_staff):
    """A reversal outside this flow (or a race) left less saldo than the request: the form says so at the
    field and nothing else; nothing is booked."""
    from recuperacion.models import SolicitudDevolucion as S

    prestamo, _, _ = saldo_de_dos_fuentes
    solicitud = devolucion_solicitar(prestamo=prestamo, clabe=CLABE, titular="Alicia García")
    S.objects.filter(pk=solicitud.pk).update(importe=solicitud.importe * 2)
    url = reverse("admin:recuperacion_solicituddevolucion_change", args=[solicitud.pk])
    texto = cliente_staff.post(url, {"clave_rastreo": "RASTREO123"}, follow=True).content.decode()
    assert "no la pagues" in texto and "correctamente" not in texto
    solicitud.refresh_from_db()
    assert solicitud.estado == S.Estado.PENDIENTE and solicitud.movimiento is None
