"""Issue 15, items 5 and 11: the FOPI form offers only the types that apply and says what a partial payment does
paid today and on the vigencia's last day; the FOPI page groups the reference in fours with a copy button and
lists the authorized banks with their convenios."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import Banco, Fopi
from fopi.services import efecto_parcial, fopi_emitir
from prestamos.models import Movimiento, Prestamo, Remesa
from prestamos.selectors import vistas_prestamos
from prestamos.services import prestamo_aplicar_pago
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, remesa

URL = reverse("fopi_nuevo")


def _tipos_ofrecidos(html: str) -> list[str]:
    return re.findall(r'name="tipo" value="([A-Z]+)"', html)


@pytest.mark.django_db
def test_a_borrower_with_nothing_missing_is_not_offered_regularizacion(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    assert _tipos_ofrecidos(cliente_alice.get(URL).content.decode()) == ["PARCIAL", "LIQUIDACION"]


@pytest.mark.django_db
def test_regularizacion_is_offered_once_a_deduction_is_missing(cliente_alice, prestamo_alice, hoy):
    Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena="2026-Q11")
    hoy(date(2026, 7, 5))
    assert _tipos_ofrecidos(cliente_alice.get(URL).content.decode()) == ["PARCIAL", "LIQUIDACION", "REGULARIZACION"]
    respuesta = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "REGULARIZACION"})
    assert respuesta.status_code == 302 and Fopi.objects.get().tipo == "REGULARIZACION"


@pytest.mark.django_db
def test_a_loan_en_cobranza_is_offered_no_partial_payment(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 8, 20))
    assert _tipos_ofrecidos(cliente_alice.get(URL).content.decode()) == ["LIQUIDACION", "REGULARIZACION"]
    html = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "500.00"}).content.decode()
    assert f"Tu préstamo {FOLIO_ALICE} está en cobranza" in html and not Fopi.objects.exists()


@pytest.mark.django_db
def test_a_posted_regularizacion_with_nothing_missing_says_why(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    html = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "REGULARIZACION"}).content.decode()
    assert f"Tu préstamo {FOLIO_ALICE} está al corriente" in html and not Fopi.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("remesa_antes", [True, False])
def test_what_the_simulator_promises_is_what_the_ledger_then_says(prestamo_alice, hoy, remesa_antes):
    """Issue 15, item 11: the simulator promised one period fewer than the borrower got, because it left out the
    deduction of the period the FOPI falls due in. Now it counts it, and paying on the vigencia — with the remesa
    booked before or after the bank payment — leaves exactly what it said."""
    vista = vistas_prestamos([Prestamo.objects.get(folio=FOLIO_ALICE)], date(2026, 6, 5))[0]
    efecto = efecto_parcial(
        posicion=vista.posicion,
        contexto=vista.contexto,
        importe=D("5000.00"),
        hoy=date(2026, 6, 5),
        fecha_pago=date(2026, 6, 15),
    )
    assert (efecto.quincenas_antes, efecto.termino_antes) == (37, date(2027, 12, 31))  # Q11 deducted on the 15th

    hoy(date(2026, 6, 16))

    def pago():
        return prestamo_aplicar_pago(
            prestamo=Prestamo.objects.get(folio=FOLIO_ALICE),
            importe=D("5000.00"),
            fecha_valor=date(2026, 6, 15),
            tipo=Movimiento.Tipo.PAGO,
            origen="FOPI",
            hoy=date(2026, 6, 16),
        )

    if not remesa_antes:
        pago()
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    if remesa_antes:
        pago()
    despues = vistas_prestamos([Prestamo.objects.get(folio=FOLIO_ALICE)], date(2026, 6, 16))[0]
    assert despues.cuotas_por_pagar == efecto.quincenas_despues < 37
    assert despues.fecha_termino == efecto.termino_despues


@pytest.mark.django_db
def test_paying_before_the_vigencia_does_no_worse_than_promised(prestamo_alice, hoy):
    vista = vistas_prestamos([Prestamo.objects.get(folio=FOLIO_ALICE)], date(2026, 6, 5))[0]
    efecto = efecto_parcial(
        posicion=vista.posicion,
        contexto=vista.contexto,
        importe=D("5000.00"),
        hoy=date(2026, 6, 5),
        fecha_pago=date(2026, 6, 15),
    )
    prestamo_aplicar_pago(
        prestamo=prestamo_alice,
        importe=D("5000.00"),
        fecha_valor=date(2026, 6, 5),
        tipo=Movimiento.Tipo.PAGO,
        origen="FOPI",
        hoy=date(2026, 6, 5),
    )
    hoy(date(2026, 6, 16))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    despues = vistas_prestamos([Prestamo.objects.get(folio=FOLIO_ALICE)], date(2026, 6, 16))[0]
    assert despues.cuotas_por_pagar <= efecto.quincenas_despues
    assert despues.fecha_termino <= efecto.termino_despues


@pytest.mark.django_db
def test_the_simulator_says_it_assumes_payment_on_the_vigencia_and_the_deductions(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    html = cliente_alice.post(
        URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "5000.00", "accion": "calcular"}
    ).content.decode()
    texto = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert (
        "Si pagas $5,000.00 a más tardar el 15/06/2026 (último día de tu formato) y tu dependencia te sigue descontando cada quincena"
        in texto
    )
    assert "Quincenas por pagar 29 en lugar de 37" in texto
    assert "Terminas de pagar 31/08/2027 en lugar del 31/12/2027" in texto
    assert "Si pagas antes de esa fecha, el resultado es igual o un poco mejor" in texto
    assert not Fopi.objects.exists()


@pytest.mark.django_db
def test_the_fopi_page_groups_the_reference_and_lists_the_banks(
    cliente_alice, prestamo_alice, hoy, django_assert_max_num_queries
):
    Banco.objects.create(nombre="BBVA México", convenio="1234567", orden=1)
    Banco.objects.create(nombre="Banorte", convenio="0987654", orden=2)
    Banco.objects.create(nombre="Banco retirado", convenio="1111111", activo=False)
    hoy(date(2026, 6, 5))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    url = reverse("fopi_detalle", args=[fopi.pk])
    with django_assert_max_num_queries(7):
        html = cliente_alice.get(url).content.decode()
    r = fopi.referencia
    grupos = "".join(f"<span>{r[k : k + 4]}</span>" for k in range(0, 22, 4))
    assert f'<strong class="referencia">{grupos}</strong>' in html
    assert f'data-copiar="{r}" hidden>Copiar referencia</button>' in html
    assert re.search(r"BBVA México</td><td[^>]*>1234567</td>.*Banorte</td><td[^>]*>0987654</td>", html, re.DOTALL)
    assert "Banco retirado" not in html
    assert "Imprime dos copias. No pagues dos veces con el mismo formato." in html
    assert ">Descargar PDF</a>" in html and "Paga por transferencia SPEI" in html
    for n in range(5):
        Banco.objects.create(nombre=f"Banco {n}", convenio=f"00{n}", orden=10 + n)
    with django_assert_max_num_queries(7):
        cliente_alice.get(url)


@pytest.mark.django_db
def test_a_cancelled_fopi_says_to_issue_a_new_one(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    viejo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("600.00"), hoy=date(2026, 6, 5))
    html = cliente_alice.get(reverse("fopi_detalle", args=[viejo.pk])).content.decode()
    assert "Este formato ya no se puede pagar" in html and "Bancos autorizados" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 4])
def test_the_form_makes_a_fixed_number_of_queries_however_many_loans(
    cliente_alice, prestamo_alice, hoy, django_assert_max_num_queries, n
):
    from tests.fabricas import cargar_prestamos

    if n > 1:
        cargar_prestamos(
            *(
                f"3{i:010d},{CURP_ALICE},ORDINARIO,{1000 + i}.00,11.50,24,2026-01-05,2026-Q02,VIGENTE,8,"
                for i in range(n - 1)
            )
        )
    hoy(date(2026, 6, 5))
    cliente_alice.get(URL)  # remesas and parameters come from the cache after the first visit
    with django_assert_max_num_queries(6):
        html = cliente_alice.post(
            URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "5000.00", "accion": "calcular"}
        ).content.decode()
    assert "Qué hace este pago" in html and html.count("Préstamo 2") + html.count("Préstamo 3") >= n


@pytest.mark.django_db
@pytest.mark.parametrize("escrito", ["3000", "3,000", "3,000.00", "$3,000.00", " $ 3,000.00 "])
def test_the_amount_takes_what_people_type(cliente_alice, prestamo_alice, hoy, escrito):
    """docs/reglas.md §14: "3,000" is how Mexicans write three thousand pesos."""
    hoy(date(2026, 6, 5))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": escrito})
    assert Fopi.objects.get().importe == D("3000.00")


@pytest.mark.django_db
def test_an_amount_in_another_form_gets_an_example(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    html = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "3.000,00"}).content.decode()
    assert "p. ej. 3000, 3,000.00 o $3,000.50" in html and not Fopi.objects.exists()


@pytest.mark.django_db
def test_calculating_what_a_payment_does_posts_and_issues_nothing(cliente_alice, prestamo_alice, hoy):
    """Issue 26: "Calcular qué hace mi pago" was a GET that put the CSRF token in the address bar."""
    hoy(date(2026, 6, 5))
    html = cliente_alice.get(URL).content.decode()
    assert 'formmethod="get"' not in html and 'name="accion" value="calcular"' in html
    html = cliente_alice.post(
        URL, {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "5,000", "accion": "calcular"}
    ).content.decode()
    assert "Qué hace este pago" in html and not Fopi.objects.exists()


@pytest.mark.django_db
def test_an_up_to_date_borrower_is_not_offered_the_box_for_installments_awaiting_their_remesa(
    cliente_alice, prestamo_alice, hoy
):
    hoy(date(2026, 6, 5))  # nothing due and unpaid
    assert 'name="incluir_pendientes"' not in cliente_alice.get(URL).content.decode()
    hoy(date(2026, 6, 20))  # Q11 due on the 15th, its remesa not yet here: awaiting it
    assert 'name="incluir_pendientes"' in cliente_alice.get(URL).content.decode()


@pytest.mark.django_db
def test_the_banks_come_from_the_cache_and_a_change_by_staff_shows_at_once(
    cliente_alice, prestamo_alice, hoy, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The authorized banks (page and PDF) are kept in the shared cache, cleared when staff save or delete one."""
    from tests.fabricas import texto

    bbva = Banco.objects.create(nombre="BBVA México", convenio="1234567", orden=1)
    hoy(date(2026, 6, 5))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    url, pdf = reverse("fopi_detalle", args=[fopi.pk]), reverse("fopi_pdf", args=[fopi.pk])
    assert "BBVA México" in cliente_alice.get(url).content.decode()
    with django_assert_max_num_queries(4):  # session, user, padrón entry, the FOPI: no banks
        contenido = texto(cliente_alice.get(pdf).content)
    assert "BBVA México" in contenido and "1234567" in contenido
    with django_capture_on_commit_callbacks(execute=True):
        Banco.objects.create(nombre="Banorte", convenio="0987654", orden=2)
    assert "Banorte" in cliente_alice.get(url).content.decode()
    assert "Banorte" in texto(cliente_alice.get(pdf).content)
    with django_capture_on_commit_callbacks(execute=True):
        bbva.activo = False
        bbva.save()
    assert "BBVA México" not in cliente_alice.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        bbva.delete()
    assert "BBVA México" not in texto(cliente_alice.get(pdf).content) and "Banorte" in texto(
        cliente_alice.get(pdf).content
    )
