"""The comprobante de pago is a verifiable document (SPEC §9, §11 rev. 3): a code and a QR to /verificar/<código>/,
which confirms it, and the saldo deudor right after the payment, from the ledger."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import PagoBancario
from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo
from prestamos import posiciones
from tests.fabricas import texto

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"


def pagos(*filas: str):
    return importar_archivo((ENCABEZADO + "\n".join(filas) + "\n").encode())


@pytest.mark.django_db
def test_it_carries_a_code_the_public_page_confirms_and_the_saldo_after_the_payment(client, cliente_alice, prestamo_alice):
    f1 = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,A1,2026-06-10,{f1.referencia},1500.00")
    primero = PagoBancario.objects.get()
    saldo_despues = posiciones.posicion(prestamo_alice).saldo_deudor_total(date(2026, 6, 10), posiciones.contexto(prestamo_alice, date(2026, 6, 10)))
    f2 = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("2000.00"), hoy=date(2026, 6, 11))
    pagos(f"BBVA,A2,2026-06-12,{f2.referencia},2000.00")  # a later payment: the first receipt keeps its saldo

    contenido = texto(cliente_alice.get(reverse("pago_comprobante", args=[primero.pk])).content)
    assert "Saldo deudor después del pago" in contenido
    from oficina.formatos import formato_moneda

    assert formato_moneda(saldo_despues) in contenido
    codigo = re.search(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", contenido).group(0)
    again = texto(cliente_alice.get(reverse("pago_comprobante", args=[primero.pk])).content)
    assert codigo in again  # the same document every download

    client.logout()
    pagina = client.get(reverse("verificar", args=[codigo])).content.decode()
    assert "Comprobante de pago" in pagina and "$1,500.00" in pagina and "Alicia G." in pagina
