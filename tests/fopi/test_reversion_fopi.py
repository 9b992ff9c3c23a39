"""Reversing a bank file reopens only the FOPIs whose payment it takes back (docs/reglas.md §9)."""

from datetime import date
from decimal import Decimal as D

import pytest

from fopi.models import Fopi, PagoBancario
from fopi.services import fopi_emitir, pago_aplicar_a_prestamo
from oficina.importacion import importar_archivo, revertir_archivo

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"


def _archivo(*filas: str) -> bytes:
    return (ENCABEZADO + "\n".join(filas) + "\n").encode()


@pytest.mark.django_db
def test_reversing_a_duplicate_leaves_the_fopi_paid_by_another_payment(prestamo_alice, staff, hoy):
    hoy(date(2026, 6, 12))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    importar_archivo(_archivo(f"BBVA,P1,2026-06-10,{fopi.referencia},1500.00"))
    duplicado = _archivo(f"BANORTE,P2,2026-06-11,{fopi.referencia},1500.00")
    importar_archivo(duplicado)
    p2 = PagoBancario.objects.get(autorizacion="P2")
    assert p2.estado == "EN_REVISION"
    pago_aplicar_a_prestamo(pago=p2, prestamo=prestamo_alice, usuario=staff, motivo="el acreditado lo pidió")

    revertir_archivo(duplicado, motivo="el banco canceló la operación")
    fopi.refresh_from_db()
    assert fopi.estado == Fopi.Estado.PAGADO  # P1 still pays it

    importar_archivo(_archivo(f"HSBC,P3,2026-06-12,{fopi.referencia},1500.00"))
    assert PagoBancario.objects.get(autorizacion="P3").estado == "EN_REVISION"  # a second payment of a paid FOPI


@pytest.mark.django_db
def test_reversing_the_payment_that_paid_it_reopens_the_fopi(prestamo_alice, hoy):
    hoy(date(2026, 6, 12))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    archivo = _archivo(f"BBVA,P1,2026-06-10,{fopi.referencia},1500.00")
    importar_archivo(archivo)
    revertir_archivo(archivo, motivo="el banco canceló la operación")
    fopi.refresh_from_db()
    assert fopi.estado == Fopi.Estado.PENDIENTE and fopi.pagado_el is None
