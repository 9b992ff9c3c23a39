"""Issue 15, item 9: the CAPP admin shows amounts as money and months in lowercase, its busiest lists fit 1280 px
(fewer, narrower columns), and resolving a payment starts from the loan folio its reference carries."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import formats, translation

from fopi.models import PagoBancario
from fopi.referencia import construir_referencia
from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo
from tests.fabricas import CURP_ALICE, FOLIO_ALICE


def _pagos(*filas: str):
    return importar_archivo(("banco,autorizacion,fecha_pago,referencia,importe\n" + "\n".join(filas) + "\n").encode())


def _columnas(html: str) -> list[str]:
    tabla = html[html.index('id="result_list"'):]
    cabecera = tabla[: tabla.index("</thead>")]
    return re.findall(r'column-([a-z_]+)', cabecera)


def test_dates_are_written_with_lowercase_months():
    with translation.override("es-mx"):
        assert formats.date_format(date(2026, 1, 16)) == "16 de enero de 2026"
        assert formats.date_format(date(2026, 12, 1), "YEAR_MONTH_FORMAT") == "diciembre de 2026"
        assert formats.date_format(date(2026, 6, 30), "SHORT_DATE_FORMAT") == "30/06/2026"


@pytest.mark.django_db
def test_the_loans_list_shows_money_and_fits_with_fewer_columns(cliente_staff, prestamo_alice):
    html = cliente_staff.get(reverse("admin:prestamos_prestamo_changelist")).content.decode()
    assert _columnas(html) == [
        "folio", "titular", "tipo", "importe_moneda", "cuota_moneda", "estado", "clave_dependencia", "otorgado",
        "abrir_consola",  # the borrower's whole picture, one click away (docs/reglas.md §15)
    ]
    assert '<td class="field-importe_moneda">$30,000.00</td>' in html
    assert '<td class="field-cuota_moneda">$701.12</td>' in html
    assert f"Alicia García<small>{CURP_ALICE}</small>" in html
    assert '<td class="field-otorgado">20/12/2025</td>' in html
    assert "css/admin.css" in html


@pytest.mark.django_db
def test_the_movements_in_a_loans_page_are_money(cliente_staff, prestamo_alice):
    html = cliente_staff.get(reverse("admin:prestamos_prestamo_change", args=[prestamo_alice.pk])).content.decode()
    assert "$7,011.20" in html  # the opening entry: ten cuotas of 701.12


@pytest.mark.django_db
def test_the_payments_list_puts_resolver_in_view_with_money(cliente_staff, prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 5))
    _pagos(f"BBVA,R1,2026-06-12,{fopi.referencia},801.00")
    html = cliente_staff.get(reverse("admin:fopi_pagobancario_changelist"), {"estado__exact": "EN_REVISION"}).content.decode()
    assert _columnas(html) == [
        "fecha", "resolver", "banco_o_spei", "autorizacion_o_rastreo", "referencia_o_clabe", "importe_moneda", "estado",
        "motivo",
    ]
    assert '<td class="field-importe_moneda">$801.00</td>' in html
    assert '<td class="field-fecha">12/06/2026</td>' in html and ">Resolver</a>" in html


@pytest.mark.django_db
def test_other_money_columns_are_formatted(cliente_staff, prestamo_alice):
    fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1234.50"), hoy=date(2026, 6, 5))
    assert "$1,234.50" in cliente_staff.get(reverse("admin:fopi_fopi_changelist")).content.decode()
    html = cliente_staff.get(reverse("admin:prestamos_movimiento_changelist")).content.decode()
    assert '<td class="field-importe_moneda">$7,011.20</td>' in html


@pytest.mark.django_db
def test_resolving_a_payment_with_a_wrong_amount_prefills_its_fopis_loan(cliente_staff, prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 5))
    _pagos(f"BBVA,R1,2026-06-12,{fopi.referencia},801.00")
    html = cliente_staff.get(reverse("admin:fopi_pagobancario_resolver", args=[PagoBancario.objects.get().pk])).content.decode()
    assert f'name="folio" value="{FOLIO_ALICE}"' in html
    assert "Alicia García" in html and "Confírmalo antes de aplicar" in html


@pytest.mark.django_db
def test_resolving_a_payment_with_bad_check_digits_prefills_the_folio_the_reference_starts_with(cliente_staff, prestamo_alice):
    buena = construir_referencia(folio=FOLIO_ALICE, secuencia=7, vigencia=date(2026, 6, 15), importe=D("800.00"))
    mala = buena[:-1] + str((int(buena[-1]) + 1) % 10)
    _pagos(f"BBVA,R2,2026-06-12,{mala},800.00")
    html = cliente_staff.get(reverse("admin:fopi_pagobancario_resolver", args=[PagoBancario.objects.get().pk])).content.decode()
    assert f'name="folio" value="{FOLIO_ALICE}"' in html and "El folio viene de la referencia" in html


@pytest.mark.django_db
def test_a_reference_naming_no_loan_prefills_nothing(cliente_staff, prestamo_alice):
    _pagos("BBVA,R3,2026-06-12,123,800.00")
    html = cliente_staff.get(reverse("admin:fopi_pagobancario_resolver", args=[PagoBancario.objects.get().pk])).content.decode()
    assert 'name="folio" value=""' in html or 'name="folio" maxlength="11" id' in html
    assert "El folio viene de" not in html


@pytest.mark.django_db
def test_a_spei_deposit_to_an_unknown_clabe_is_matched_by_the_reference_in_its_concept(prestamo_alice):
    from fopi.selectors import prestamo_sugerido

    referencia = construir_referencia(folio=FOLIO_ALICE, secuencia=3, vigencia=date(2026, 6, 15), importe=D("800.00"))
    pago = PagoBancario.objects.create(
        canal="SPEI", banco="BANAMEX", fecha_pago=date(2026, 6, 12), importe=D("800.00"), estado="EN_REVISION",
        clave_rastreo="MBAN0100261201", cuenta_beneficiario="646180201099999990", concepto=f"PAGO FOPI {referencia}",
    )
    assert prestamo_sugerido(pago) == prestamo_alice
    pago.concepto = "PAGO PRESTAMO"
    assert prestamo_sugerido(pago) is None
