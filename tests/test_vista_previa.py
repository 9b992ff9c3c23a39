"""Before money moves, staff see what will happen (docs/reglas.md §15): applying a payment from review shows its
allocation and what the loan will still owe; reversing a file shows the loans, movements and amounts it undoes.
The previews write nothing, and say exactly what the act then does."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import PagoBancario
from fopi.services import fopi_emitir
from oficina.formatos import formato_moneda
from oficina.importacion import importar_archivo
from prestamos import posiciones, vista_previa
from prestamos.calculo import Mes, Periodo
from prestamos.models import ArchivoAplicado, Movimiento
from tests.fabricas import CURP_ALICE, CURP_BOB, FOLIO_ALICE, FOLIO_BOB, remesa


def _foto():
    return (
        list(Movimiento.objects.values_list("id", "importe", "tipo")),
        list(PagoBancario.objects.values_list("id", "estado")),
        list(ArchivoAplicado.objects.values_list("id", "revertido")),
    )


@pytest.mark.parametrize(
    ("codigo", "texto"),
    [("2026-Q21", "1ª quincena de noviembre de 2026"), ("2026-Q12", "2ª quincena de junio de 2026"),
     ("2026-M06", "junio de 2026"), ("2027-Q01", "1ª quincena de enero de 2027")],
)
def test_periods_are_written_in_words(codigo, texto):
    assert Periodo.parse(codigo).en_palabras == texto


def test_a_month_is_owed_without_la():
    cuota = vista_previa.CuotaAfectada(numero=1, periodo=Mes(2026, 6), pagado=D("1"), pendiente=D("2"))
    assert cuota.de_periodo == "de junio de 2026"


@pytest.fixture
def corto(prestamo_alice, hoy):
    """20/06/2026: Alice's 1ª quincena de junio ($701.12, due on the 15th) awaits its remesa; she pays it at the
    bank with a FOPI, $26.08 short: in review."""
    hoy(date(2026, 6, 20))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("701.12"), hoy=date(2026, 6, 20))
    importar_archivo(f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,C1,2026-06-20,{fopi.referencia},675.04\n".encode())
    return PagoBancario.objects.get()


@pytest.mark.django_db
def test_applying_a_short_payment_first_says_what_the_loan_will_still_owe(corto, prestamo_alice, cliente_staff):
    url = reverse("admin:fopi_pagobancario_resolver", args=[corto.pk])
    antes = _foto()
    r = cliente_staff.post(url, {"accion": "aplicar", "folio": FOLIO_ALICE, "motivo": "Pagó de menos"})
    assert r.status_code == 200, (r.status_code, r.get("Location"))
    html = r.content.decode()
    assert _foto() == antes  # nothing written
    assert "Qué pasará si lo aplicas" in html and "Confirmar y aplicar" in html
    assert "Quedará debiendo $26.08 de la 1ª quincena de junio de 2026." in html
    assert f'name="confirmar" value="{FOLIO_ALICE}"' in html

    respuesta = cliente_staff.post(url, {"accion": "aplicar", "folio": FOLIO_ALICE, "motivo": "Pagó de menos", "confirmar": FOLIO_ALICE})
    assert respuesta.status_code == 302
    corto.refresh_from_db()
    assert corto.estado == PagoBancario.Estado.APLICADO_CAPP
    hoy = date(2026, 6, 20)
    cuota = posiciones.posicion(prestamo_alice).cuota_por_numero(11)
    assert cuota.pendiente == D("26.08")
    assert formato_moneda(posiciones.posicion(prestamo_alice).saldo_deudor_total(hoy, posiciones.contexto(prestamo_alice, hoy))) in html


@pytest.mark.django_db
def test_the_preview_is_the_allocation_the_ledger_then_records(corto, prestamo_alice, staff):
    from fopi.services import pago_aplicar_a_prestamo

    previa = vista_previa.aplicacion_de_pago(prestamo=prestamo_alice, importe=corto.importe, fecha_valor=corto.fecha_pago,
                                             hoy=date(2026, 6, 20))
    pago = pago_aplicar_a_prestamo(pago=corto, prestamo=prestamo_alice, usuario=staff, motivo="Pagó de menos")
    movimiento = pago.movimiento
    assert (previa.moratorios, previa.interes, previa.capital) == (movimiento.moratorios, movimiento.interes, movimiento.capital)
    hoy = date(2026, 6, 20)
    assert previa.saldo_despues == posiciones.posicion(prestamo_alice).saldo_deudor_total(hoy, posiciones.contexto(prestamo_alice, hoy))


@pytest.fixture
def remesa_aplicada(prestamo_alice, prestamo_bob, hoy):
    hoy(date(2026, 7, 3))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    remesa((FOLIO_BOB, CURP_BOB, "500.00"), dependencia="SSA")
    return ArchivoAplicado.objects.order_by("pk").first()


@pytest.mark.django_db
def test_reversing_a_file_first_shows_its_loans_movements_and_amounts_and_writes_nothing(remesa_aplicada, cliente_staff):
    lista = reverse("admin:prestamos_archivoaplicado_changelist")
    antes = _foto()
    html = cliente_staff.post(lista, {"action": "revertir", "_selected_action": [remesa_aplicada.pk]}).content.decode()
    assert _foto() == antes
    assert "Se revertirán <strong>1 movimiento</strong> de\n    <strong>1 préstamo</strong> por\n    <strong>$701.12</strong>" in html
    assert FOLIO_ALICE in html and FOLIO_BOB not in html and "Alicia García" in html
    assert "Motivo" in html and 'name="confirmar"' in html


@pytest.mark.django_db
def test_the_reversal_preview_is_what_the_reversal_then_does(remesa_aplicada, staff):
    from oficina.importacion import revertir_aplicado

    hoy = date(2026, 7, 3)
    previa = vista_previa.reversion(remesa_aplicada, usuario=staff, hoy=hoy)
    assert previa.error == "" and previa.prestamos_total == 1 and previa.movimientos == 1 and previa.importe == D("701.12")
    (prestamo,) = previa.prestamos
    revertir_aplicado(remesa_aplicada, motivo="Duplicada", usuario=staff)
    from prestamos.models import Prestamo

    alice = Prestamo.objects.get(folio=FOLIO_ALICE)
    assert prestamo.saldo_despues == posiciones.posicion(alice).saldo_deudor_total(hoy, posiciones.contexto(alice, hoy))
    assert prestamo.saldo_despues > prestamo.saldo_antes


@pytest.mark.django_db
def test_a_file_that_cannot_be_reversed_says_why_before_asking(remesa_aplicada, staff):
    from oficina.importacion import revertir_aplicado

    revertir_aplicado(remesa_aplicada, motivo="Duplicada", usuario=staff)
    remesa_aplicada.refresh_from_db()
    previa = vista_previa.reversion(remesa_aplicada, usuario=staff, hoy=date(2026, 7, 3))
    assert "no está cargado" in previa.error


@pytest.mark.django_db
def test_a_folio_changed_after_the_preview_is_previewed_again_not_applied(corto, prestamo_bob, cliente_staff):
    url = reverse("admin:fopi_pagobancario_resolver", args=[corto.pk])
    datos = {"accion": "aplicar", "folio": FOLIO_BOB, "motivo": "Era de Bob", "confirmar": FOLIO_ALICE}
    html = cliente_staff.post(url, datos).content.decode()
    assert "Qué pasará si lo aplicas" in html and FOLIO_BOB in html
    corto.refresh_from_db()
    assert corto.estado == PagoBancario.Estado.EN_REVISION
