"""A new moratorio factor holds from its date on (docs/reglas.md §6): read from the parameters table by
every path that prices moratorios — the engine's context, the statement and a payment."""

from datetime import date
from decimal import Decimal as D

import pytest

from prestamos import posiciones
from prestamos.models import Dependencia, ParametroMora
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, filas_de, prestamos_de, remesa


@pytest.mark.django_db
def test_the_worked_example_through_the_parameters_table(prestamo_alice, hoy):
    """701.12 unpaid since 30/06 at 11.50 %; factor 1.5 until a 3.0 that holds from 06/07 → 11.42 on 20/07."""
    hoy(date(2026, 6, 20))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    hoy(date(2026, 7, 2))
    otro = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    remesa(*filas_de(otro), quincena="2026-Q12")  # the SEP's remesa came without Alice's deduction
    ParametroMora.objects.create(vigente_desde=date(2026, 7, 6), dias_gracia=20, factor=D("3.00"))

    posicion = posiciones.posicion(prestamo_alice)
    contexto = posiciones.contexto(prestamo_alice, date(2026, 7, 20))
    assert posicion.moratorios(date(2026, 7, 20), contexto) == D("11.42")
    # Before the new factor holds, nothing is priced at it.
    assert posicion.moratorios(date(2026, 7, 6), posiciones.contexto(prestamo_alice, date(2026, 7, 6))) == D("2.02")
