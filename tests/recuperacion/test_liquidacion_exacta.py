"""An exact last deduction settles the loan; one short by a centavo is written off; a reversed remesa is
no longer counted by the pages (docs/reglas.md §5, §9). On both databases: the remesa takes the engine
path for a last installment."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo, revertir_archivo
from prestamos import posiciones
from prestamos.models import Movimiento, Prestamo
from recuperacion.models import AvisoOmision
from tests.fabricas import CURP_ALICE, ENCABEZADO, FOLIO_ALICE, cargar_prestamos, remesa

MIL = f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,1000.00,12.00,4,2025-12-20,2026-Q01,VIGENTE,3,"


@pytest.fixture
def mil(alice, hoy):
    """1,000.00 at 12 % over 4 quincenas (cuota 253.13, the last 253.14), 3 paid."""
    hoy(date(2026, 3, 2))
    cargar_prestamos(MIL)
    return Prestamo.objects.get(folio=FOLIO_ALICE)


@pytest.mark.django_db
def test_an_exact_last_deduction_settles_the_loan(mil, cliente_alice):
    remesa((FOLIO_ALICE, CURP_ALICE, "253.14"), quincena="2026-Q04")
    mil.refresh_from_db()
    assert (mil.estado, mil.fecha_liquidacion) == ("LIQUIDADO", date(2026, 2, 28))
    assert posiciones.posicion(mil).capital_insoluto == 0
    seccion = cliente_alice.get(reverse("recuperacion")).content.decode()
    assert "Aviso de suspensión de descuentos (PDF)" in seccion
    assert cliente_alice.get(reverse("carta_liquidacion", args=[FOLIO_ALICE])).status_code == 200
    with pytest.raises(ValidationError):
        fopi_emitir(prestamo=mil, tipo="LIQUIDACION", hoy=date(2026, 3, 2))


@pytest.mark.django_db
def test_a_liquidacion_fopi_on_a_loan_with_nothing_owed_is_refused_not_a_500(mil, cliente_alice):
    remesa((FOLIO_ALICE, CURP_ALICE, "253.14"), quincena="2026-Q04")
    respuesta = cliente_alice.post(reverse("fopi_nuevo"), {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION"})
    assert respuesta.status_code in (200, 302)


@pytest.mark.django_db
def test_a_last_deduction_short_by_a_centavo_is_written_off(mil):
    remesa((FOLIO_ALICE, CURP_ALICE, "253.13"), quincena="2026-Q04")
    mil.refresh_from_db()
    assert (mil.estado, mil.fecha_liquidacion) == ("LIQUIDADO", date(2026, 2, 28))
    ajuste = Movimiento.objects.get(prestamo=mil, tipo=Movimiento.Tipo.AJUSTE)
    assert ajuste.importe == D("0.01") and ajuste.origen == "Ajuste por redondeo" and ajuste.registrado_por is None
    assert ajuste.fecha_valor == date(2026, 2, 28)
    assert not AvisoOmision.objects.filter(prestamo=mil).exists()
    assert posiciones.posicion(mil) == posiciones.posicion(mil, reproducir=True)
    # Not money received: the ledger's received total is the deduction alone.
    assert sum(m.importe for m in Movimiento.objects.filter(prestamo=mil).recibidos()) == D("759.39") + D("253.13")


@pytest.mark.django_db
def test_a_last_deduction_short_by_more_than_a_peso_is_a_missing_deduction(mil):
    remesa((FOLIO_ALICE, CURP_ALICE, "252.00"), quincena="2026-Q04")
    mil.refresh_from_db()
    assert mil.estado == "VIGENTE"
    assert not Movimiento.objects.filter(prestamo=mil, tipo=Movimiento.Tipo.AJUSTE).exists()


@pytest.mark.django_db
def test_reversing_the_short_deduction_reverses_its_write_off(mil):
    contenido = (ENCABEZADO + f"SEP,2026-Q04,{FOLIO_ALICE},{CURP_ALICE},253.13\n").encode()
    importar_archivo(contenido)
    revertir_archivo(contenido, motivo="importe equivocado")
    mil.refresh_from_db()
    assert mil.estado == "VIGENTE" and mil.fecha_liquidacion is None
    ajuste = Movimiento.objects.get(prestamo=mil, tipo=Movimiento.Tipo.AJUSTE)
    assert Movimiento.objects.filter(revierte=ajuste).exists()
    assert posiciones.posicion(mil) == posiciones.posicion(mil, reproducir=True)
    assert posiciones.posicion(mil).capital_insoluto > 0


@pytest.mark.django_db
def test_the_statement_stops_counting_a_reversed_remesa_at_once(
    prestamo_alice, cliente_alice, hoy, django_capture_on_commit_callbacks
):
    """The pages cache which remesas arrived: the reversal clears it, so a quincena whose only remesa was
    reversed is again awaiting it (within the grace period: no moratorios) on the next page."""
    hoy(date(2026, 6, 20))
    contenido = (ENCABEZADO + f"SEP,2026-Q11,{FOLIO_ALICE},{CURP_ALICE},0.01\n").encode()
    antes = _saldo(cliente_alice.get(reverse("estado_cuenta")).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        importar_archivo(contenido)
    con_remesa = _saldo(cliente_alice.get(reverse("estado_cuenta")).content.decode())
    assert con_remesa != antes  # the remesa came without Alice's cuota: moratorios from the due date
    with django_capture_on_commit_callbacks(execute=True):
        revertir_archivo(contenido, motivo="archivo de prueba")
    assert _saldo(cliente_alice.get(reverse("estado_cuenta")).content.decode()) == antes


def _saldo(pagina: str) -> str:
    inicio = pagina.index("Saldo deudor total")
    return pagina[inicio : inicio + 400].split("$", 1)[1].split("<", 1)[0]
