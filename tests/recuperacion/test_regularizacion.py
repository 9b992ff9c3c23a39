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
    assert "2026-Q11 (01/06/2026 – 15/06/2026)" in html and "2026-Q12 (16/06/2026 – 30/06/2026)" in html
    # Q11: 20 days late, Q12: 5 days, at 11.5 % × 1.5 → 6.72 + 1.68
    assert "$8.40" in html and "$1,410.64" in html

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
