"""Journey 3: CAPP staff load the bank's pagos.csv that pays a LIQUIDACION FOPI; the borrower sees the loan
settled and downloads her carta de liquidación."""

from datetime import date

import pytest

from fopi.services import fopi_emitir
from tests.accounts.datos import SECRETO_TOTP, activar_totp
from tests.e2e.navegador import cerrar_sesion, descargar, iniciar_sesion
from tests.fabricas import CONTRASENA, FOLIO_ALICE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_load_a_payment_that_settles_the_loan_and_the_borrower_gets_her_letter(
    pagina, live_server, prestamo_alice, staff, hoy
):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=date(2026, 6, 5))
    assert fopi.vigencia == date(2026, 6, 15)
    hoy(date(2026, 6, 20))
    page = pagina

    activar_totp(staff)  # the admin asks staff for a second factor
    iniciar_sesion(page, live_server, "capp", CONTRASENA, secreto_totp=SECRETO_TOTP)
    page.goto(live_server.url + "/admin/cargar-archivo/")
    csv = f"banco,autorizacion,fecha_pago,referencia,importe\nHSBC,L1,2026-06-15,{fopi.referencia},{fopi.importe}\n"
    page.set_input_files('input[name="archivo"]', files=[{"name": "pagos.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    page.get_by_role("button", name="Cargar").click()
    exito = page.locator(".messagelist .success")
    exito.wait_for()
    assert "1 fila(s) leída(s)" in exito.inner_text() and "aplicados: 1" in exito.inner_text(), exito.inner_text()
    assert not page.locator(".messagelist .error").count()
    cerrar_sesion(page)

    iniciar_sesion(page, live_server, "alice", CONTRASENA)
    page.goto(live_server.url + "/prestaciones/recuperacion-de-credito/estado-de-cuenta/")
    historico = page.get_by_role("region", name="Histórico de préstamos")
    fila = historico.get_by_role("row").filter(has_text=FOLIO_ALICE)
    assert "Liquidado" in fila.inner_text(), fila.inner_text()
    pdf = descargar(page, "Carta de liquidación (PDF)")
    assert pdf.startswith(b"%PDF"), pdf[:40]
