"""Staff actions on a payment under review reach the borrower (SPEC §13, docs/reglas.md §13): applying it to its
FOPI's loan closes the FOPI; marking it for refund creates the refund in Operación's queue; each is e-mailed and
kept on the Avisos page. Money is conserved: received = applied + in review + marked for refund."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from fopi.models import AvisoCorreo, DevolucionPago, PagoBancario
from fopi.services import devolucion_pago_pagar, fopi_emitir, pago_aplicar_a_prestamo, pago_marcar_devolucion
from oficina.importacion import importar_archivo
from prestamos.models import Movimiento

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"


def pagos(*filas: str):
    return importar_archivo((ENCABEZADO + "\n".join(filas) + "\n").encode())


@pytest.fixture
def fopi(prestamo_alice):
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1426.08"), hoy=date(2026, 6, 5))


def conservado() -> bool:
    recibido = sum(p.importe for p in PagoBancario.objects.all())
    aplicado = sum(m.importe for m in Movimiento.objects.filter(tipo__in=["PAGO", "PAGO_CAPP", "PAGO_SPEI"]))
    otros = sum(p.importe for p in PagoBancario.objects.filter(estado__in=["EN_REVISION", "DEVOLUCION"]))
    devoluciones = sum(d.importe for d in DevolucionPago.objects.all())
    marcados = sum(p.importe for p in PagoBancario.objects.filter(estado="DEVOLUCION"))
    return recibido == aplicado + otros and devoluciones == marcados


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_applying_a_reviewed_payment_to_its_fopis_loan_closes_the_fopi_and_tells_her(fopi, staff):
    pagos(f"BBVA,R1,2026-06-10,{fopi.referencia},1400.00")
    pago = PagoBancario.objects.get()
    assert AvisoCorreo.objects.filter(tipo="PAGO_EN_REVISION", objeto=pago.pk).exists()
    mail.outbox.clear()
    pago_aplicar_a_prestamo(pago=pago, prestamo=fopi.prestamo, usuario=staff, motivo="Importe aceptado")
    fopi.refresh_from_db()
    assert (fopi.estado, fopi.pagado_el) == ("PAGADO", date(2026, 6, 10))
    assert len(mail.outbox) == 1 and "alice@ejemplo.mx" in mail.outbox[0].to
    assert AvisoCorreo.objects.get(tipo="PAGO_APLICADO", objeto=pago.pk).enviado is not None
    assert conservado()


@pytest.mark.django_db
def test_applying_it_to_another_loan_leaves_the_fopi_open(fopi, staff, prestamo_bob):
    pagos(f"BBVA,R1,2026-06-10,{fopi.referencia},1400.00")
    pago_aplicar_a_prestamo(pago=PagoBancario.objects.get(), prestamo=prestamo_bob, usuario=staff, motivo="Era de él")
    fopi.refresh_from_db()
    assert fopi.estado == "PENDIENTE"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_marking_for_refund_creates_the_refund_and_tells_her(fopi, staff):
    pagos(f"BBVA,R1,2026-06-10,{fopi.referencia},1426.08", f"BBVA,R2,2026-06-10,{fopi.referencia},1426.08")
    duplicado = PagoBancario.objects.get(autorizacion="R2")
    mail.outbox.clear()
    pago_marcar_devolucion(pago=duplicado, usuario=staff, motivo="Pagó dos veces")
    devolucion = DevolucionPago.objects.get()
    assert (devolucion.pago, devolucion.importe, devolucion.estado) == (duplicado, D("1426.08"), "PENDIENTE")
    assert len(mail.outbox) == 1 and "devolver" in mail.outbox[0].subject.lower()
    assert "$1,426.08" in mail.outbox[0].body
    assert conservado()

    antes = Movimiento.objects.count()
    mail.outbox.clear()
    devolucion_pago_pagar(devolucion=devolucion, clave_rastreo="DEVOL0001", usuario=staff, cuenta="032180000118359719")
    devolucion.refresh_from_db()
    assert devolucion.estado == "PAGADA" and devolucion.clave_rastreo == "DEVOL0001"
    assert Movimiento.objects.count() == antes  # money never in the ledger leaves without a ledger entry
    assert len(mail.outbox) == 1 and "DEVOL0001" in mail.outbox[0].body
    assert AvisoCorreo.objects.filter(tipo="PAGO_DEVUELTO").count() == 1
    with pytest.raises(ValidationError):
        devolucion_pago_pagar(devolucion=devolucion, clave_rastreo="OTRA", usuario=staff)
    assert conservado()


@pytest.mark.django_db
def test_operacion_records_the_refund_from_its_queue(cliente_staff, fopi, staff):
    from django.urls import reverse

    pagos(f"BBVA,R1,2026-06-10,{fopi.referencia},1426.08", f"BBVA,R2,2026-06-10,{fopi.referencia},1426.08")
    pago_marcar_devolucion(pago=PagoBancario.objects.get(autorizacion="R2"), usuario=staff, motivo="Pagó dos veces")
    devolucion = DevolucionPago.objects.get()
    lista = cliente_staff.get(reverse("admin:fopi_devolucionpago_changelist")).content.decode()
    url = reverse("admin:fopi_devolucionpago_pagar", args=[devolucion.pk])
    assert url in lista and "$1,426.08" in lista
    respuesta = cliente_staff.post(url, {"clave_rastreo": "DEVOL0002", "cuenta": "032180000118359719"})
    assert respuesta.status_code == 302
    devolucion.refresh_from_db()
    assert (devolucion.estado, devolucion.clave_rastreo) == ("PAGADA", "DEVOL0002")
