"""Journey: the SEP's payroll officer in the dependencias' portal (docs/reglas.md §16, issue 28). Signs in at the
same login page with the staff's second factor (TOTP), opens the Cédula de descuentos of the current quincena,
downloads its CSV, sends it back as the remesa through "Cargar remesa" and reads the result, then acknowledges
the aviso de suspensión of a paid-off loan. Screenshots at 375 px (tests/screenshots/dependencias-*.png)."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from dependencias.models import AcuseSuspension
from recuperacion.models import Descuento
from tests.accounts.datos import SECRETO_TOTP, activar_totp
from tests.e2e.navegador import captura, iniciar_sesion
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, cargar_prestamos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
FOLIO_LIQUIDADO = "20000000007"


def test_a_payroll_officer_downloads_the_cedula_loads_it_back_and_acknowledges_a_notice(
    pagina, live_server, prestamo_alice, hoy, django_user_model, tmp_path
):
    hoy(date(2026, 6, 10))
    cargar_prestamos(f"{FOLIO_LIQUIDADO},{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2025-05-10,2025-Q10,LIQUIDADO,24,2026-06-08")
    call_command("crear_usuario_dependencia", "SEP", "nomina_sep", "nomina@sep.gob.mx", "--password", "NominaDemo2026!")
    activar_totp(django_user_model.objects.get(username="nomina_sep"))
    page = pagina
    page.set_viewport_size({"width": 375, "height": 800})
    iniciar_sesion(page, live_server, "nomina_sep", "NominaDemo2026!", secreto_totp=SECRETO_TOTP)
    page.goto(live_server.url + "/")
    assert page.url == live_server.url + "/dependencias/"
    assert page.get_by_role("heading", name="Portal de dependencias").is_visible()
    captura(page, "dependencias-portal", 375)

    page.get_by_role("link", name="Ver cédula").first.click()
    assert "Cédula de descuentos" in page.inner_text("main") and "$701.12" in page.inner_text("main")
    with page.expect_download() as espera:
        page.get_by_role("link", name="Descargar CSV").click()
    csv = Path(espera.value.path()).read_bytes()
    assert csv.decode().splitlines()[1] == f"SEP,2026-Q11,{FOLIO_ALICE},{CURP_ALICE},701.12"
    assert FOLIO_LIQUIDADO.encode() not in csv

    archivo = tmp_path / "remesa-SEP-2026-Q11.csv"
    archivo.write_bytes(csv)
    page.goto(live_server.url + "/dependencias/")
    page.get_by_role("link", name="Cargar remesa").click()
    page.set_input_files('input[name="archivo"]', str(archivo))
    page.get_by_role("button", name="Cargar remesa").click()
    page.wait_for_load_state()
    texto = page.inner_text("main")
    assert "Aplicados: 1 descuento de SEP del periodo 2026-Q11, por $701.12" in texto, texto
    assert "Descuentos omitidos: ninguno" in texto and "Pagado en exceso: nada" in texto
    captura(page, "dependencias-remesa", 375)
    assert Descuento.objects.get(prestamo=prestamo_alice, quincena="2026-Q11").importe == prestamo_alice.cuota

    page.goto(live_server.url + "/dependencias/")
    page.get_by_role("link", name="Avisos de suspensión").click()
    assert FOLIO_LIQUIDADO in page.inner_text("main") and "Sin acuse" in page.inner_text("main")
    page.get_by_role("button", name="Acusar recibo").click()
    page.wait_for_load_state()
    assert "Acusado por nomina_sep" in page.inner_text("main")
    captura(page, "dependencias-avisos", 375)
    assert AcuseSuspension.objects.get().prestamo.folio == FOLIO_LIQUIDADO

    # Only the portal: the admin and the borrower's pages answer 404.
    for url in ("/admin/", "/prestaciones/recuperacion-de-credito/"):
        assert page.goto(live_server.url + url).status == 404
