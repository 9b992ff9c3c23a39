"""Issue 15, items 4 and 6: the section's summary per loan in force, movements in the borrower's words, and the
balance chart (paid and projected, today, the payoff date, axes, a text alternative; no JavaScript)."""

import re
from datetime import date
from decimal import Decimal as D

import pytest

from prestamos.models import Derechohabiente, Movimiento, Prestamo
from prestamos.selectors import Situacion, vistas_prestamos
from prestamos.services import prestamo_aplicar_pago
from recuperacion.grafica import grafica_saldo
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, cargar_prestamos, remesa

SECCION = "/prestaciones/recuperacion-de-credito/"
ESTADO = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"


def _resumen(html: str) -> str:
    return html[html.index('<section class="resumen"'): html.index("</section>", html.index('<section class="resumen"'))]


def _texto(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db
def test_the_summary_shows_saldo_state_and_the_next_deduction_with_its_dates(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 16))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    hoy(date(2026, 6, 20))
    resumen = _texto(_resumen(cliente_alice.get(SECCION).content.decode()))
    vista = vistas_prestamos([Prestamo.objects.get(folio=FOLIO_ALICE)], date(2026, 6, 20))[0]
    assert f"Préstamo {FOLIO_ALICE}" in resumen
    assert f"Saldo deudor ${vista.saldo_deudor:,.2f}" in resumen
    assert "Situación Al corriente" in resumen
    assert "Próximo descuento quincenal 2ª quincena de junio de 2026, del 16 al 30 de junio: $701.12" in resumen
    assert "Saldo a favor" not in resumen


@pytest.mark.django_db
def test_the_summary_names_missing_deductions_and_those_still_awaited(cliente_alice, prestamo_alice, hoy):
    from prestamos.models import Remesa

    Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena="2026-Q11")
    hoy(date(2026, 7, 5))  # Q11's remesa came without her; Q12 (30/06) is still within the grace period
    resumen = _texto(_resumen(cliente_alice.get(SECCION).content.decode()))
    assert "Con descuentos omitidos" in resumen
    assert "Sin descuento: 1ª quincena de junio de 2026, del 1 al 15 de junio." in resumen
    assert "En espera de que tu dependencia reporte 2ª quincena de junio de 2026, del 16 al 30 de junio." in resumen
    assert "Próximo descuento quincenal 1ª quincena de julio de 2026, del 1 al 15 de julio: $701.12" in resumen


@pytest.mark.django_db
def test_the_summary_says_en_cobranza(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 8, 20))  # Q11..Q14 unpaid
    resumen = _texto(_resumen(cliente_alice.get(SECCION).content.decode()))
    assert "Situación En cobranza" in resumen


@pytest.mark.django_db
def test_the_summary_shows_saldo_a_favor_and_skips_paid_off_loans(cliente_alice, prestamo_alice, hoy):
    cargar_prestamos(f"10000000009,{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    hoy(date(2026, 6, 5))
    prestamo_aplicar_pago(
        prestamo=Prestamo.objects.get(folio="10000000009"), importe=D("701.12"), fecha_valor=date(2026, 5, 31),
        tipo=Movimiento.Tipo.DESCUENTO, origen="Remesa SEP 2026-Q10", hoy=date(2026, 6, 5),
    )
    resumen = _texto(_resumen(cliente_alice.get(SECCION).content.decode()))
    assert "10000000009" not in resumen and FOLIO_ALICE in resumen


@pytest.mark.django_db
def test_a_pensioner_reads_her_next_monthly_deduction(client, sep, hoy, django_user_model):
    from allauth.account.models import EmailAddress

    from oficina.importacion import importar_archivo

    persona = Derechohabiente.objects.create(
        curp=CURP_ALICE, nombre="Rosa", primer_apellido="Gutiérrez", dependencia=sep, tipo="PENSIONADO"
    )
    persona.usuario = django_user_model.objects.create_user(username="rosa", email="rosa@ejemplo.mx", password="x")
    persona.save()
    EmailAddress.objects.create(user=persona.usuario, email="rosa@ejemplo.mx", verified=True, primary=True)
    importar_archivo(
        ("folio,curp,tipo,importe,tasa_anual,plazo,fecha_otorgamiento,primer_periodo,estado,quincenas_pagadas,"
         f"fecha_liquidacion\n{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,24,2025-12-20,2026-M01,VIGENTE,5,\n").encode()
    )
    hoy(date(2026, 6, 10))
    client.force_login(persona.usuario)
    resumen = _texto(_resumen(client.get(SECCION).content.decode()))
    assert "Próximo descuento mensual junio de 2026: $1,405.21" in resumen


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 6])
def test_the_section_makes_a_fixed_number_of_queries_however_many_loans(
    cliente_alice, prestamo_alice, hoy, django_assert_max_num_queries, n
):
    filas = [
        f"3{i:010d},{CURP_ALICE},ORDINARIO,{1000 + i}.00,11.50,24,2026-01-05,2026-Q02,VIGENTE,8,"
        for i in range(n - 1)
    ]
    if filas:
        cargar_prestamos(*filas)
    hoy(date(2026, 6, 5))
    cliente_alice.get(SECCION)  # remesas and parameters come from the cache after the first visit
    with django_assert_max_num_queries(6):
        html = cliente_alice.get(SECCION).content.decode()
    assert _resumen(html).count("<article") == n


@pytest.mark.django_db
def test_movements_read_in_the_borrowers_words(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 16))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    html = cliente_alice.get(ESTADO).content.decode()
    movimientos = _texto(html[html.index("<caption>Movimientos"): html.index("</table>", html.index("<caption>Movimientos"))])
    assert "Pagos anteriores a tu estado de cuenta 10 quincenas, de la 1ª quincena de enero de 2026 a la 2ª quincena de mayo de 2026 (01/01/2026 – 31/05/2026)" in movimientos
    assert "Descuento vía nómina 1ª quincena de junio de 2026, del 1 al 15 de junio" in movimientos
    assert "Carga inicial" not in html and "Quincenas pagadas antes de la carga" not in html
    assert "Remesa SEP" not in movimientos


# --- The chart ---------------------------------------------------------------------------------------------


def _vista(prestamo, dia):
    return vistas_prestamos([Prestamo.objects.select_related("dependencia").get(pk=prestamo.pk)], dia)[0]


@pytest.mark.django_db
def test_the_chart_draws_what_was_paid_and_what_is_left_down_to_the_payoff(prestamo_alice):
    dia = date(2026, 6, 5)
    vista = _vista(prestamo_alice, dia)
    serie = vista.serie_saldo()
    # Paid: from the amount lent down installment by installment (the opening entry spread on its due dates) to today.
    assert serie.pagado[0] == (date(2025, 12, 20), D("30000.00"))
    assert serie.pagado[1] == (date(2026, 1, 15), D("29442.63"))
    assert serie.pagado[-1] == (dia, vista.capital_insoluto) and len(serie.pagado) == 12
    # Left: from today's capital down to zero on the last due date.
    assert serie.proyectado[0] == (dia, vista.capital_insoluto)
    assert serie.proyectado[-1] == (date(2027, 12, 31), D("0.00")) and serie.termino == date(2027, 12, 31)

    grafica = grafica_saldo(serie)
    assert [m.texto for m in grafica.eje_y] == ["$0", "$10,000", "$20,000", "$30,000"]
    assert [m.texto for m in grafica.eje_x] == ["2026", "2027"]
    assert grafica.hoy.texto == "Hoy" and grafica.fin.texto == "Fin"
    assert grafica.leyenda_fin == "Fin: 31/12/2027, terminas de pagar"
    assert "hoy (05/06/2026) debes" in grafica.descripcion and "terminas de pagar el 31/12/2027" in grafica.descripcion
    assert [f.que for f in grafica.filas] == ["Préstamo otorgado", "Pagado", "Hoy", "Proyectado", "Terminas de pagar"]


@pytest.mark.django_db
def test_a_payment_to_capital_brings_the_payoff_closer_on_the_chart(prestamo_alice):
    prestamo_aplicar_pago(
        prestamo=prestamo_alice, importe=D("5000.00"), fecha_valor=date(2026, 6, 3), tipo=Movimiento.Tipo.PAGO,
        origen="prueba", hoy=date(2026, 6, 3),
    )
    serie = _vista(prestamo_alice, date(2026, 6, 5)).serie_saldo()
    assert serie.pagado[-2] == (date(2026, 6, 3), serie.pagado[-3][1] - D("5000.00"))
    assert serie.termino < date(2027, 12, 31) and serie.proyectado[-1] == (serie.termino, D("0.00"))


@pytest.mark.django_db
def test_a_paid_off_loan_charts_its_payoff_and_no_today(cliente_alice, prestamo_alice):
    cargar_prestamos(f"10000000009,{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    serie = _vista(Prestamo.objects.get(folio="10000000009"), date(2026, 6, 5)).serie_saldo()
    assert serie.proyectado == () and serie.pagado[-1] == (date(2020, 1, 15), D("0.00"))  # its last installment
    grafica = grafica_saldo(serie)
    assert grafica.hoy is None and grafica.fin.texto == "Liquidado" and grafica.leyenda_fin == "Liquidado el 31/01/2020"


@pytest.mark.django_db
def test_the_chart_is_accessible_svg_without_javascript(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    html = cliente_alice.get(ESTADO).content.decode()
    figura = html[html.index('<figure class="grafica"'): html.index("</figure>")]
    assert 'role="img"' in figura and f'aria-labelledby="grafica-{FOLIO_ALICE}-titulo grafica-{FOLIO_ALICE}-desc"' in figura
    assert "<script" not in html
    assert "<figcaption" in figura and "Ver las cifras de la gráfica" in figura and "<table" in figura
    assert "máximo" not in figura
    assert 'class="grafica__pagado"' in figura and 'class="grafica__proyectado"' in figura


def test_situacion_carries_its_label_and_class():
    assert (Situacion.AL_CORRIENTE.etiqueta, Situacion.AL_CORRIENTE.clase) == ("Al corriente", "situacion--al-corriente")


def test_the_chart_s_coordinates_are_printed_as_floatformat_printed_them():
    """The template printed each coordinate with `floatformat:'1u'`; recuperacion/grafica.py now formats
    them once, with the same digits (half up on the float's repr, not f"{x:.1f}"'s half even on its binary)."""
    import random

    from django.template.defaultfilters import floatformat

    from recuperacion.grafica import coordenada

    azar = random.Random(29)
    valores = [62.25, 0.05, 0.15, 2.675, 204.0, 298.0, 346.0, 30.0, 1e-9, 123.45000000000002]
    valores += [azar.uniform(0, 400) for _ in range(5000)] + [k / 20 for k in range(8000)]
    for v in valores:
        assert coordenada(v) == floatformat(v, "1u"), v
    assert coordenada(62.25) == "62.3" and f"{62.25:.1f}" == "62.2"
