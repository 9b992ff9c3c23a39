"""Regularization in full (docs/reglas.md §10): the installments due and unpaid still within the grace
period are listed apart, and the REGULARIZACION FOPI may include them (`incluir_pendientes`).

Ramón's case from issue 14, on Alice's loan (SPEC's worked example, 10 quincenas paid): no remesa from her
dependencia since. On 20/07/2026 her statement shows Q11, Q12 and Q13 "Vencida": Q11 (due 15/06) is past
its 20 days of grace, a missing deduction; Q12 (due 30/06, grace to 20/07) and Q13 (due 15/07) may still
come with a remesa.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from fopi.models import Fopi
from fopi.services import fopi_emitir, regularizacion
from oficina.dinero import round2
from oficina.importacion import importar_archivo
from prestamos import posiciones

HOY = date(2026, 7, 20)
VIGENCIA = date(2026, 7, 31)
CUOTA = D("701.12")
TASA_MORATORIA = D("0.1150") * D("1.5")


def moratorio(dias: int) -> D:
    return round2(CUOTA * TASA_MORATORIA * dias / 360)


def pagar(fopi: Fopi, fecha: date):
    """Load the bank's pagos.csv paying `fopi` on `fecha` (the portal's today must be on or after it)."""
    csv = (
        f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,R{fopi.pk},{fecha},{fopi.referencia},{fopi.importe}\n"
    )
    return importar_archivo(csv.encode())


def reg_de(prestamo, hoy):
    return regularizacion(posicion=posiciones.posicion(prestamo), contexto=posiciones.contexto(prestamo, hoy), hoy=hoy)


@pytest.mark.django_db
def test_it_lists_the_missing_quincena_and_apart_the_two_awaiting_their_remesa(prestamo_alice):
    reg = reg_de(prestamo_alice, HOY)
    assert [o.quincena for o in reg.omisiones] == ["2026-Q11"]
    assert [c.quincena for c in reg.en_espera] == ["2026-Q12", "2026-Q13"]
    assert [c.espera_hasta for c in reg.en_espera] == [date(2026, 7, 20), date(2026, 8, 4)]
    assert all(c.pendiente == CUOTA for c in reg.en_espera)
    # At the vigencia (31/07) Q12's grace is over: 31 days of moratorios from its due date; Q13's is not.
    assert [c.moratorio_vigencia for c in reg.en_espera] == [moratorio(31), D("0.00")]
    assert reg.total_vigencia == CUOTA + moratorio(46)
    assert reg.total_completo_vigencia == 3 * CUOTA + moratorio(46) + moratorio(31)


@pytest.mark.django_db
def test_without_incluir_pendientes_the_fopi_covers_the_missing_quincenas_only(prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="REGULARIZACION", hoy=HOY)
    assert fopi.vigencia == VIGENCIA and fopi.importe == CUOTA + moratorio(46)
    assert fopi.detalle == {"quincenas": ["2026-Q11"]}


@pytest.mark.django_db
def test_with_incluir_pendientes_the_fopi_covers_every_installment_due(prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="REGULARIZACION", hoy=HOY, incluir_pendientes=True)
    assert fopi.importe == D("2129.22") == 3 * CUOTA + moratorio(46) + moratorio(31)
    assert fopi.detalle == {"quincenas": ["2026-Q11", "2026-Q12", "2026-Q13"], "en_espera": ["2026-Q12", "2026-Q13"]}


@pytest.mark.django_db
def test_paid_in_full_the_loan_is_up_to_date(prestamo_alice, hoy):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="REGULARIZACION", hoy=HOY, incluir_pendientes=True)
    despues = hoy(date(2026, 7, 26))
    assert pagar(fopi, date(2026, 7, 25)).detalle["aplicados"] == 1
    reg = reg_de(prestamo_alice, despues)
    assert not reg.omisiones and not reg.en_espera
    posicion = posiciones.posicion(prestamo_alice)
    assert posicion.vencidas_sin_pagar(despues) == []
    assert posicion.moratorios(despues, posiciones.contexto(prestamo_alice, despues)) == 0


@pytest.mark.django_db
def test_paying_the_missing_quincena_only_leaves_the_others_due(prestamo_alice, hoy):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="REGULARIZACION", hoy=HOY)
    hoy(date(2026, 7, 26))
    pagar(fopi, date(2026, 7, 25))
    reg = reg_de(prestamo_alice, date(2026, 7, 26))
    # Q12's grace ended on 20/07: now a missing deduction; Q13 still awaits its remesa.
    assert [o.quincena for o in reg.omisiones] == ["2026-Q12"]
    assert [c.quincena for c in reg.en_espera] == ["2026-Q13"]


@pytest.mark.django_db
def test_only_awaiting_installments_need_the_field(prestamo_alice):
    hoy = date(2026, 7, 1)  # Q11 due 15/06, grace to 05/07: awaiting; nothing missing yet
    with pytest.raises(ValidationError, match="incluye las quincenas en espera"):
        fopi_emitir(prestamo=prestamo_alice, tipo="REGULARIZACION", hoy=hoy)
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="REGULARIZACION", hoy=hoy, incluir_pendientes=True)
    # Vigencia 15/07: by then Q11's grace is over if no remesa comes, so its moratorios to that day count.
    assert fopi.vigencia == date(2026, 7, 15) and fopi.importe == 2 * CUOTA + moratorio(30)
    assert fopi.detalle["en_espera"] == ["2026-Q11", "2026-Q12"]


@pytest.mark.django_db
def test_an_up_to_date_loan_has_nothing_to_regularize_either_way(prestamo_alice):
    for incluir in (False, True):
        with pytest.raises(ValidationError, match="al corriente"):
            fopi_emitir(
                prestamo=prestamo_alice, tipo="REGULARIZACION", hoy=date(2026, 6, 5), incluir_pendientes=incluir
            )
