"""Journey 2: a borrower whose dependencia did not deduct her installments regularizes in one click."""

import re
from datetime import date

import pytest

from fopi.models import Fopi
from prestamos.models import Remesa
from tests.e2e.navegador import iniciar_sesion
from tests.fabricas import CONTRASENA, FOLIO_ALICE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_borrower_with_a_missing_deduction_regularizes_from_the_portal(pagina, live_server, prestamo_alice, hoy):
    # The SEP remesas for 2026-Q11 and 2026-Q12 arrived without Alice's deduction.
    for n in (11, 12):
        Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena=f"2026-Q{n}")
    hoy(date(2026, 7, 5))
    page = pagina

    iniciar_sesion(page, live_server, "alice", CONTRASENA)
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Prestaciones", exact=True).click()
    page.get_by_role("link", name="Recuperación de crédito", exact=True).click()
    page.get_by_role("link", name="Regularización", exact=True).click()

    page.get_by_role("heading", name="Regularización", exact=True).wait_for()
    tabla = page.get_by_role("table", name="Quincenas sin descuento").inner_text()
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio" in tabla and "2ª quincena de junio de 2026, del 16 al 30 de junio" in tabla
    assert "$1,410.64" in tabla  # 2 × 701.12 unpaid + 8.40 moratorios to 05/07/2026

    page.get_by_role("button", name="Generar FOPI de regularización").click()
    page.wait_for_url(re.compile(r"/fopi/\d+/$"))
    fopi = Fopi.objects.get()
    assert fopi.tipo == "REGULARIZACION" and fopi.prestamo.folio == FOLIO_ALICE
    assert page.url.endswith(f"/fopi/{fopi.pk}/")
    texto = page.inner_text("main")
    assert fopi.referencia in texto and "$1,417.36" in texto and "15/07/2026" in texto
    assert page.get_by_role("link", name="Descargar PDF", exact=True).is_visible()
