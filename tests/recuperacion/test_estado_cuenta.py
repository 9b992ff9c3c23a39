from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from prestamos.calculo import Quincena, tabla_amortizacion
from prestamos.models import Movimiento, Prestamo
from prestamos.services import prestamo_aplicar_pago
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, cargar_prestamos

URL = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"
TABLA = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1))


def primer_importe_despues(html: str, encabezado: str) -> str:
    import re

    resto = html[html.index(encabezado) :]
    return re.search(r"\$[\d,]+\.\d{2}", resto).group(0)


@pytest.mark.django_db
def test_it_shows_the_statement_of_a_known_loan_on_a_known_date(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))  # Q10 paid (opening entry); Q11 not yet due
    html = cliente_alice.get(URL).content.decode()
    saldo = TABLA[9].saldo_final  # after 10 installments
    assert primer_importe_despues(html, "Saldo deudor total") == f"${saldo:,.2f}"
    assert "Condiciones del préstamo vigente" in html and "Histórico de préstamos" in html
    assert FOLIO_ALICE in html and "$30,000.00" in html and "11.50 % anual" in html and "$701.12" in html
    assert "20/12/2025" in html and "10 / 38" in html
    assert "1ª quincena de junio de 2026" in html
    assert "Descargar estado de cuenta (PDF)" in html
    assert "<svg" in html


@pytest.mark.django_db
def test_it_adds_due_interest_and_moratorios_to_the_saldo(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 10))  # Q11 (15/06) 25 days overdue → missing; Q12 (30/06) within grace
    html = cliente_alice.get(URL).content.decode()
    capital = TABLA[9].saldo_final
    interes = TABLA[10].interes + TABLA[11].interes
    moratorio = (D("701.12") * D("0.1725") * 25 / 360).quantize(D("0.01"))
    assert primer_importe_despues(html, "Saldo deudor total") == f"${capital + interes + moratorio:,.2f}"


@pytest.mark.django_db
def test_it_reflects_payments_applied_through_the_service(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    prestamo_aplicar_pago(
        prestamo=prestamo_alice, importe=D("701.12"), fecha_valor=date(2026, 6, 15),
        tipo=Movimiento.Tipo.DESCUENTO, origen="prueba", hoy=date(2026, 6, 20),
    )
    html = cliente_alice.get(URL).content.decode()
    assert primer_importe_despues(html, "Saldo deudor total") == f"${TABLA[10].saldo_final:,.2f}"
    assert "11 / 37" in html


@pytest.mark.django_db
def test_it_downloads_the_statement_as_pdf(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    respuesta = cliente_alice.get(reverse("estado_cuenta_pdf"))
    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "application/pdf"
    assert respuesta.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_it_answers_404_for_another_borrowers_loan(client, prestamo_alice, prestamo_bob):
    client.force_login(prestamo_bob.derechohabiente.usuario)
    assert client.get(reverse("prestamo", args=[FOLIO_ALICE])).status_code == 404
    assert client.get(reverse("carta_liquidacion", args=[FOLIO_ALICE])).status_code == 404
    assert client.get(reverse("prestamo", args=[prestamo_bob.folio])).status_code == 200
    pdf = client.get(reverse("estado_cuenta_pdf")).content
    assert FOLIO_ALICE.encode() not in pdf


@pytest.mark.django_db
def test_it_lists_paid_off_loans_in_the_history_with_their_carta(cliente_alice, prestamo_alice):
    cargar_prestamos(f"10000000009,{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    html = cliente_alice.get(URL).content.decode()
    assert "10000000009" in html and "Liquidado" in html
    carta = cliente_alice.get(reverse("carta_liquidacion", args=["10000000009"]))
    assert carta.status_code == 200 and carta.content.startswith(b"%PDF")
    assert cliente_alice.get(reverse("carta_liquidacion", args=[FOLIO_ALICE])).status_code == 404


def _prestamos_de_alice(n: int):
    filas = [
        f"3{i:010d},{CURP_ALICE},ORDINARIO,{1000 + i}.00,11.50,24,2024-01-05,2024-Q02,"
        + ("LIQUIDADO,24,2025-01-31" if i else "VIGENTE,12,")
        for i in range(n)
    ]
    cargar_prestamos(*filas)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 20])
def test_it_makes_a_fixed_number_of_queries_however_many_loans(cliente_alice, django_assert_max_num_queries, n):
    _prestamos_de_alice(n)
    for p in Prestamo.objects.filter(estado="VIGENTE"):
        for dia in range(1, 11):
            prestamo_aplicar_pago(prestamo=p, importe=D("10.00"), fecha_valor=date(2025, 1, dia), tipo="PAGO", origen="x")
    with django_assert_max_num_queries(9):
        respuesta = cliente_alice.get(URL)
    assert respuesta.status_code == 200


def _fila(html: str, numero: int) -> str:
    """The amortization table's row of installment `numero`."""
    import re

    tabla = html[html.index("<caption>Tabla de amortización") :]
    return re.search(rf'<tr class="[^"]*"><td data-etiqueta="Núm.">{numero}</td>.*?</tr>', tabla).group(0)


@pytest.mark.django_db
def test_it_marks_each_installment_row_by_its_state(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 10))  # 1–10 paid at the load; Q11 overdue and unpaid; Q12 due 30/06, unpaid; Q13 ahead
    prestamo_aplicar_pago(
        prestamo=prestamo_alice, importe=D("300.00"), fecha_valor=date(2026, 6, 20),
        tipo=Movimiento.Tipo.PAGO, origen="prueba", hoy=date(2026, 6, 20),
    )
    html = cliente_alice.get(URL).content.decode()
    fila = TABLA[0]
    assert _fila(html, 1) == (
        f'<tr class="fila--pagada"><td data-etiqueta="Núm.">1</td><td data-etiqueta="Quincena">{fila.periodo.en_palabras}</td>'
        f'<td class="num" data-etiqueta="Cuota">$701.12</td>'
        f'<td class="num" data-etiqueta="Interés">${fila.interes:,.2f}</td>'
        f'<td class="num" data-etiqueta="Capital">${fila.capital:,.2f}</td>'
        f'<td class="num" data-etiqueta="Saldo">${fila.saldo_final:,.2f}</td><td data-etiqueta="Estado">Pagada</td></tr>'
    )
    assert _fila(html, 11).startswith('<tr class="fila--vencida">') and ">Parcial</td>" in _fila(html, 11)
    assert _fila(html, 12).startswith('<tr class="fila--vencida">') and ">Vencida</td>" in _fila(html, 12)
    assert _fila(html, 13).startswith('<tr class=""><td data-etiqueta="Núm.">13</td>') and ">Por vencer</td>" in _fila(html, 13)


@pytest.mark.django_db
def test_it_shows_each_movement_with_its_allocation_and_any_excess(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    prestamo_aplicar_pago(  # far more than the payoff: the rest is kept to refund
        prestamo=prestamo_alice, importe=D("40000.00"), fecha_valor=date(2026, 6, 16),
        tipo=Movimiento.Tipo.PAGO, origen="Pago <b>BBVA</b> & referencia", hoy=date(2026, 6, 20),
    )
    movimiento = Movimiento.objects.filter(prestamo=prestamo_alice).latest("id")
    html = cliente_alice.get(reverse("prestamo", args=[FOLIO_ALICE])).content.decode()
    assert "<small>Pago &lt;b&gt;BBVA&lt;/b&gt; &amp; referencia</small>" in html  # escaped, never markup
    assert f"Saldo a favor: ${movimiento.excedente:,.2f}" in html
    assert '<td class="num" data-etiqueta="Importe">$40,000.00</td>' in html
    assert f'<td class="num" data-etiqueta="Capital">${movimiento.capital:,.2f}</td>' in html
    assert '<td data-etiqueta="Fecha">16/06/2026</td>' in html


@pytest.mark.django_db
def test_a_loan_without_movements_says_so(cliente_alice, alice):
    cargar_prestamos(f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2026-06-20,2026-Q14,VIGENTE,0,")
    html = cliente_alice.get(URL).content.decode()
    assert '<tr><td colspan="6">Aún no hay movimientos registrados.</td></tr>' in html
    assert '<td data-etiqueta="Núm.">48</td>' in html


@pytest.mark.django_db
def test_it_counts_movements_booked_after_the_snapshot_in_one_more_query(
    cliente_alice, prestamo_alice, hoy, django_assert_num_queries
):
    from django.db import connection

    from prestamos import posiciones

    hoy(date(2026, 6, 20))
    # prestamos.csv writes the loan's opening snapshot with its opening entry: nothing is replayed.
    # Remesas and parameters are read once, then come from the cache.
    # Who is a payroll officer comes with the session (dependencias/acceso.py): no query of its own.
    # On PostgreSQL the loans and their movements are read in one execute (prestamos_y_movimientos).
    juntas = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(7 - juntas):
        cliente_alice.get(URL)
    with django_assert_num_queries(5 - juntas):
        cliente_alice.get(URL)
    prestamo_aplicar_pago(
        prestamo=prestamo_alice, importe=D("50.00"), fecha_valor=date(2026, 6, 15), tipo=Movimiento.Tipo.PAGO,
        origen="prueba", hoy=date(2026, 6, 20),
    )
    # session, user, padrón entry, loans, movements, and the payments behind the payment rows (their comprobantes)
    with django_assert_num_queries(6 - juntas):
        cliente_alice.get(URL)
    # Movements written by a path that did not refresh the snapshot: the page replays them on top of it,
    # reading their recorded allocations in one query, not one per movement.
    replay = posiciones.posicion(prestamo_alice, reproducir=True)
    for dia in (16, 17, 18):
        fecha = date(2026, 6, dia)
        a = replay.aplicar(fecha_valor=fecha, importe=D("100.00"), contexto=posiciones.contexto(prestamo_alice, fecha))
        Movimiento.objects.create(
            prestamo=prestamo_alice, tipo=Movimiento.Tipo.PAGO, fecha_valor=fecha, importe=D("100.00"),
            moratorios=a.moratorios, interes=a.interes, capital=a.capital, excedente=a.excedente,
            aplicacion=a.a_json(), origen="sin instantánea",
        )
    with django_assert_num_queries(7 - juntas):
        html = cliente_alice.get(URL).content.decode()
    contexto = posiciones.contexto(prestamo_alice, date(2026, 6, 20))
    assert primer_importe_despues(html, "Saldo deudor total") == f"${replay.saldo_deudor_total(date(2026, 6, 20), contexto):,.2f}"
    assert html.count("sin instantánea") == 3


@pytest.mark.django_db
def test_it_shows_a_remesa_loaded_after_the_page_cached_the_remesas(
    cliente_alice, prestamo_alice, hoy, django_capture_on_commit_callbacks
):
    from prestamos.models import Dependencia
    from tests.fabricas import filas_de, prestamos_de, remesa

    hoy(date(2026, 6, 20))  # Q11 due 15/06, unpaid, within the grace days: not missing yet
    antes = cliente_alice.get(URL).content.decode()
    assert primer_importe_despues(antes, "Saldo deudor total") == f"${TABLA[9].saldo_final + TABLA[10].interes:,.2f}"
    # SEP's Q11 remesa arrives without Alice: her deduction is missing now (docs/reglas.md §6), with moratorios.
    [companero] = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    with django_capture_on_commit_callbacks(execute=True):
        remesa(*filas_de([companero]), quincena="2026-Q11")
    despues = cliente_alice.get(URL).content.decode()
    moratorio = (D("701.12") * D("0.1725") * 5 / 360).quantize(D("0.01"))
    assert primer_importe_despues(despues, "Saldo deudor total") == (
        f"${TABLA[9].saldo_final + TABLA[10].interes + moratorio:,.2f}"
    )


@pytest.mark.django_db
def test_it_shows_new_moratorio_parameters_once_saved(cliente_alice, prestamo_alice, hoy, django_capture_on_commit_callbacks):
    from prestamos.models import ParametroMora

    hoy(date(2026, 7, 10))  # Q11 (15/06) 25 days overdue: missing with the default 20 grace days
    capital, interes = TABLA[9].saldo_final, TABLA[10].interes + TABLA[11].interes
    moratorio = (D("701.12") * D("0.1725") * 25 / 360).quantize(D("0.01"))
    antes = cliente_alice.get(URL).content.decode()
    assert primer_importe_despues(antes, "Saldo deudor total") == f"${capital + interes + moratorio:,.2f}"
    with django_capture_on_commit_callbacks(execute=True):
        ParametroMora.objects.create(vigente_desde=date(2026, 7, 1), dias_gracia=30, factor=D("1.50"))
    html = cliente_alice.get(URL).content.decode()
    assert primer_importe_despues(html, "Saldo deudor total") == f"${capital + interes:,.2f}"  # within grace now


@pytest.mark.django_db
def test_movements_read_in_date_order_when_one_arrives_back_dated(cliente_alice, prestamo_alice, hoy):
    """Issue 26: a late remesa (value date 30/06) booked after a bank payment of 05/07 shows before it, on the
    page and in the PDF, while the ledger keeps its booking order."""
    from tests.fabricas import CURP_ALICE, FOLIO_ALICE, remesa

    hoy(date(2026, 6, 20))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("500.00"), fecha_valor=date(2026, 7, 5),
                          tipo=Movimiento.Tipo.PAGO, origen="FOPI", hoy=date(2026, 7, 5))
    hoy(date(2026, 7, 6))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q12")
    html = cliente_alice.get(URL).content.decode()
    tabla = html[html.index("<caption>Movimientos del préstamo"):]
    tabla = tabla[: tabla.index("</table>")]
    assert tabla.index("30/06/2026") < tabla.index("05/07/2026")


@pytest.mark.django_db
def test_the_section_offers_the_fopi_card_only_with_a_loan_in_force(cliente_alice, alice, hoy):
    """Issue 26: someone with no loan was offered a FOPI that led to "no tienes préstamos"."""
    from django.urls import reverse

    from tests.fabricas import CURP_ALICE, cargar_prestamos

    hoy(date(2026, 6, 20))
    assert reverse("fopi_nuevo") not in cliente_alice.get(reverse("recuperacion")).content.decode()
    cargar_prestamos(f"20000000001,{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,10,")
    assert reverse("fopi_nuevo") in cliente_alice.get(reverse("recuperacion")).content.decode()
