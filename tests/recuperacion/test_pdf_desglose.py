"""Issue 15, item 7: the statement PDF breaks the saldo down (capital insoluto, intereses vencidos, moratorios) and
names the missing deductions with their periods."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from prestamos.models import Remesa
from recuperacion.pdf import OmisionPdf, render_estado_cuenta
from tests.fabricas import texto
from tests.recuperacion.test_estado_cuenta import TABLA
from tests.recuperacion.test_pdf import estado_de_cuenta


def _plano(pdf: bytes) -> str:
    return " ".join(texto(pdf).split())


def test_it_breaks_the_saldo_down():
    contenido = _plano(render_estado_cuenta(estado_de_cuenta(
        capital_insoluto=D("16931.99"), intereses_vencidos=D("287.54"), moratorios=D("10.83"),
    )))
    # The three figures side by side (a text extractor may read a label's second line after the next value).
    assert "Capital insoluto $16,931.99" in contenido
    assert re.search(r"Intereses vencidos .{0,40}\$287\.54", contenido) and re.search(r"Moratorios .{0,20}\$10\.83", contenido)
    assert "Descuentos omitidos" not in contenido


def test_it_names_each_missing_deduction_and_how_to_regularize():
    contenido = _plano(render_estado_cuenta(estado_de_cuenta(omisiones=(
        OmisionPdf(folio="20000000001", periodo="1ª quincena de junio de 2026, del 1 al 15 de junio", pendiente=D("701.12"),
                   moratorio=D("3.36")),
        OmisionPdf(folio="20000000001", periodo="2ª quincena de junio de 2026, del 16 al 30 de junio", pendiente=D("701.12"),
                   moratorio=D("0.00")),
    ))))
    assert "Descuentos omitidos" in contenido and "Regularización" in contenido
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio $701.12 $3.36" in contenido
    assert "2ª quincena de junio de 2026, del 16 al 30 de junio $701.12 $0.00" in contenido
    assert "pensión" not in contenido


def test_a_pensioner_is_told_about_a_suspended_pension():
    contenido = _plano(render_estado_cuenta(estado_de_cuenta(
        omisiones=(OmisionPdf(folio="20000000001", periodo="mayo de 2026",
                              pendiente=D("1405.21"), moratorio=D("0.00")),),
        pension_suspendida=True,
    )))
    assert "control de supervivencia" in contenido


@pytest.mark.django_db
def test_the_borrowers_statement_pdf_carries_the_breakdown_the_notice_and_the_words_of_the_page(
    cliente_alice, prestamo_alice, hoy
):
    Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena="2026-Q11")
    hoy(date(2026, 7, 5))
    contenido = _plano(cliente_alice.get(reverse("estado_cuenta_pdf")).content)
    capital = TABLA[9].saldo_final  # after the ten installments of the opening entry
    assert f"Capital insoluto ${capital:,.2f}" in contenido
    assert "Descuentos omitidos" in contenido and "1ª quincena de junio de 2026, del 1 al 15 de junio" in contenido
    assert "Pagos anteriores a tu estado de cuenta" in contenido and "Carga inicial" not in contenido
