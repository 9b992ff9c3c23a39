from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import Fopi
from prestamos.models import Remesa
from tests.fabricas import FOLIO_ALICE

URL = reverse("regularizacion")
SECCION = reverse("recuperacion")


@pytest.mark.django_db
def test_it_hides_the_link_and_says_up_to_date_when_nothing_is_missing(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    html = cliente_alice.get(SECCION).content.decode()
    assert ">Regularización</a>" not in html
    assert ">Estado de cuenta</a>" in html and ">Formato de pago (FOPI)</a>" in html
    respuesta = cliente_alice.get(URL)
    assert respuesta.status_code == 200 and "al corriente" in respuesta.content.decode()


@pytest.mark.django_db
def test_it_lists_missing_quincenas_and_issues_the_regularizacion_fopi(cliente_alice, prestamo_alice, hoy):
    # Remesas for Q11 and Q12 arrived without Alice's deduction.
    for n in (11, 12):
        Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena=f"2026-Q{n}")
    hoy(date(2026, 7, 5))
    html = cliente_alice.get(SECCION).content.decode()
    assert f'href="{URL}">Regularización</a>' in html
    html = cliente_alice.get(URL).content.decode()
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio" in html and "2ª quincena de junio de 2026, del 16 al 30 de junio" in html
    # Q11: 20 days late, Q12: 5 days, at 11.5 % × 1.5 → 6.72 + 1.68
    assert "$8.40" in html and "$1,410.64" in html
    # The FOPI's total adds up on screen (issue 25): 1,402.24 not deducted + 8.40 to today + 6.72 from today to
    # the vigencia (15.12 at the vigencia) = 1,417.36; and what a later remesa of a paid quincena becomes.
    assert "Moratorios que se generan del 05/07/2026 al 15/07/2026" in html
    assert "$1,402.24" in html and "$6.72" in html and "$1,417.36" in html
    assert "pago en exceso" in html and "saldo a favor" in html

    respuesta = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE})
    fopi = Fopi.objects.get()
    assert respuesta.url == reverse("fopi_detalle", args=[fopi.pk])
    assert fopi.tipo == "REGULARIZACION" and fopi.vigencia == date(2026, 7, 15)
    # At the vigencia: 30 and 15 days of moratorios → 10.08 + 5.04
    assert fopi.importe == D("1402.24") + D("10.08") + D("5.04")
    assert fopi.detalle["quincenas"] == ["2026-Q11", "2026-Q12"]


@pytest.mark.django_db
def test_it_answers_404_when_regularizing_another_borrowers_loan(client, prestamo_alice, prestamo_bob, hoy):
    Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena="2026-Q11")
    hoy(date(2026, 7, 5))
    client.force_login(prestamo_bob.derechohabiente.usuario)
    assert client.post(URL, {"prestamo": FOLIO_ALICE}).status_code == 404
    assert not Fopi.objects.exists()


@pytest.mark.django_db
def test_it_shows_en_cobranza_with_what_to_do(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 8, 1))  # Q11..Q14 unpaid
    html = cliente_alice.get(reverse("estado_cuenta")).content.decode()
    assert "Tu préstamo está en cobranza" in html and "55 4000 1000" in html
    respuesta = cliente_alice.post(reverse("fopi_nuevo"), {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "500"})
    assert "sólo puedes regularizarlo completo o liquidarlo" in respuesta.content.decode()


# --- Regularization in full (docs/reglas.md §10; issue 14, Ramón's case) ----------------------------------
# No remesa since Alice's 10 paid quincenas. On 20/07/2026: Q11 missing (grace over on 05/07), Q12 and Q13
# due, unpaid and awaiting their remesa. Her statement shows the three "Vencida".

ESTADO = reverse("estado_cuenta")
Q11 = "1ª quincena de junio de 2026, del 1 al 15 de junio"
Q12 = "2ª quincena de junio de 2026, del 16 al 30 de junio"
Q13 = "1ª quincena de julio de 2026, del 1 al 15 de julio"


def _pagar(fopi, fecha):
    from oficina.importacion import importar_archivo

    fila = f"HSBC,X{fopi.pk},{fecha},{fopi.referencia},{fopi.importe}\n"
    csv = "banco,autorizacion,fecha_pago,referencia,importe\n" + fila
    return importar_archivo(csv.encode())


@pytest.mark.django_db
def test_it_offers_every_installment_the_statement_shows_vencida(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 20))
    estado = cliente_alice.get(ESTADO).content.decode()
    assert estado.count("<td data-etiqueta=\"Estado\">Vencida</td>") == 3
    html = cliente_alice.get(URL).content.decode()
    sin_descuento = html[html.index("Quincenas sin descuento") : html.index("en espera de remesa (sin moratorios)")]
    en_espera = html[html.index("en espera de remesa (sin moratorios)") :]
    assert Q11 in sin_descuento and Q12 not in sin_descuento
    assert Q12 in en_espera and Q13 in en_espera and "En espera de remesa hasta el 20/07/2026" in en_espera
    assert "$716.57" in html  # Q11 + 46 days of moratorios to the vigencia (31/07)
    assert "$2,129.22" in html  # the three, Q12 with its moratorios if its remesa has not come by then
    assert 'name="incluir_pendientes" value="1"' in html


@pytest.mark.django_db
def test_the_notices_name_the_missing_quincenas_and_link_to_regularizacion(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 20))
    # The section's card already links "Regularización" by that name: its notice's link says where it goes.
    for url, enlace in ((ESTADO, "Regularización"), (SECCION, "Ir a Regularización")):
        html = cliente_alice.get(url).content.decode()
        aviso = html[html.index("Detectamos") :]
        aviso = aviso[: aviso.index("</div>")]
        assert Q11 in aviso and f'<a href="{URL}">{enlace}</a>' in aviso
        assert Q12 in html and Q13 in html and "en espera de remesa hasta el 04/08/2026" in html


@pytest.mark.django_db
def test_it_issues_the_fopi_with_or_without_the_installments_awaiting_their_remesa(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 20))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE})
    solo_omitidas = Fopi.objects.get()
    assert solo_omitidas.importe == D("716.57") and solo_omitidas.detalle["quincenas"] == ["2026-Q11"]
    respuesta = cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "incluir_pendientes": "1"})
    completo = Fopi.objects.latest("id")
    assert respuesta.url == reverse("fopi_detalle", args=[completo.pk])
    assert completo.importe == D("2129.22") and completo.detalle["quincenas"] == ["2026-Q11", "2026-Q12", "2026-Q13"]
    solo_omitidas.refresh_from_db()
    assert solo_omitidas.estado == "CANCELADO"


@pytest.mark.django_db
def test_after_paying_the_regularization_at_the_bank_she_is_up_to_date(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 20))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "incluir_pendientes": "1"})
    hoy(date(2026, 7, 25))
    assert _pagar(Fopi.objects.get(), date(2026, 7, 24)).detalle["aplicados"] == 1
    for url in (ESTADO, SECCION):
        html = cliente_alice.get(url).content.decode()
        assert "Detectamos" not in html and "en espera de remesa" not in html and ">Regularización</a>" not in html
    assert "<td data-etiqueta=\"Estado\">Vencida</td>" not in cliente_alice.get(ESTADO).content.decode()
    assert "Tu crédito está al corriente" in cliente_alice.get(URL).content.decode()


@pytest.mark.django_db
def test_after_paying_the_missing_quincena_only_the_notice_says_what_remains(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 20))
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE})
    hoy(date(2026, 7, 25))
    _pagar(Fopi.objects.get(), date(2026, 7, 24))
    html = cliente_alice.get(ESTADO).content.decode()
    aviso = html[html.index("Detectamos") :]
    assert Q12 in aviso and f'<a href="{URL}">Regularización</a>' in aviso  # its grace ended on 20/07
    assert Q13 in html and "en espera de remesa hasta el 04/08/2026" in html


@pytest.mark.django_db
def test_with_only_installments_awaiting_it_does_not_say_up_to_date(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 1))  # Q11 and Q12 due, both within their grace period
    html = cliente_alice.get(SECCION).content.decode()
    assert ">Regularización</a>" not in html  # nothing missing: no link (docs/reglas.md §2)
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio: $701.12, en espera de remesa hasta el 05/07/2026" in html
    html = cliente_alice.get(URL).content.decode()
    assert "Tu crédito está al corriente" not in html and "No se ha detectado ningún descuento omitido" in html
    assert "Generar FOPI de regularización" not in html and "Generar FOPI por las quincenas en espera" in html
    cliente_alice.post(URL, {"prestamo": FOLIO_ALICE, "incluir_pendientes": "1"})
    assert Fopi.objects.get().importe == D("1412.32")


@pytest.mark.django_db
def test_the_fopi_form_takes_incluir_pendientes_too(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 20))
    nuevo = reverse("fopi_nuevo")
    cliente_alice.post(nuevo, {"prestamo": FOLIO_ALICE, "tipo": "REGULARIZACION", "incluir_pendientes": "1"})
    assert Fopi.objects.get().importe == D("2129.22")
    cliente_alice.post(nuevo, {"prestamo": FOLIO_ALICE, "tipo": "LIQUIDACION", "incluir_pendientes": "1"})
    assert Fopi.objects.latest("id").tipo == "LIQUIDACION"


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 12])
def test_the_page_takes_a_fixed_number_of_queries(cliente_alice, alice, hoy, django_assert_max_num_queries, n):
    from tests.fabricas import CURP_ALICE, cargar_prestamos

    cargar_prestamos(*(
        f"4{i:010d},{CURP_ALICE},ORDINARIO,{10000 + i}.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,10," for i in range(n)
    ))
    hoy(date(2026, 7, 20))
    with django_assert_max_num_queries(9):
        html = cliente_alice.get(URL).content.decode()
    assert html.count("Quincenas sin descuento") == n
