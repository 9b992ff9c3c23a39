"""Journey: a whole call at the CAPP desk (docs/reglas.md §15, issue 27). 20/06/2026: "transferí y no aparece" —
Pedro Páramo paid Alice's FOPI ($701.12) by SPEI, $26.08 short, so the deposit waits in review. An Operación
clerk, signed in with the second factor, searches the payer's name on the desk, opens the console, sees the
payment in review under "Pagos", resolves it: the preview says what Alice will still owe, and the clerk
applies it. Screenshots at 1280 px of each screen (tests/screenshots/escritorio-*.png), plus the upload page,
a reversal's preview and a loan's record as Supervisión sees them."""

from datetime import date
from decimal import Decimal as D

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.roles import OPERACION, SUPERVISION
from fopi.models import PagoBancario
from fopi.services import fopi_emitir
from tests.accounts.datos import SECRETO_TOTP, activar_totp
from tests.e2e.navegador import captura, iniciar_sesion
from tests.fabricas import CONTRASENA, CURP_ALICE, FOLIO_ALICE, remesa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ANCHO = 1280


def _personal(django_user_model, nombre: str, rol: str):
    usuario = django_user_model.objects.create_user(
        username=nombre, email=f"{nombre}@issste.gob.mx", password=CONTRASENA, is_staff=True
    )
    usuario.groups.add(Group.objects.get(name=rol))  # the role as the migration created it
    EmailAddress.objects.create(user=usuario, email=usuario.email, verified=True, primary=True)
    activar_totp(usuario)
    return usuario


@pytest.fixture
def transferencia_corta(prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("701.12"), hoy=date(2026, 6, 20))
    return PagoBancario.objects.create(
        canal=PagoBancario.Canal.SPEI, banco="BANAMEX", fecha_pago=date(2026, 6, 20), importe=D("675.04"),
        estado=PagoBancario.Estado.EN_REVISION, motivo="Importe distinto al del FOPI ($701.12)", fopi=fopi,
        clave_rastreo="MBAN01002606200000042", institucion_ordenante="40002", nombre_ordenante="PEDRO PARAMO RULFO",
        cuenta_ordenante="002180004567891234", cuenta_beneficiario=fopi.clabe, concepto=fopi.referencia,
    )


def test_an_operacion_clerk_finds_a_transfer_by_the_payers_name_previews_and_applies_it(
    pagina, live_server, transferencia_corta, django_user_model
):
    page = pagina
    page.set_viewport_size({"width": ANCHO, "height": 900})
    _personal(django_user_model, "ramon", OPERACION)
    iniciar_sesion(page, live_server, "ramon", CONTRASENA, secreto_totp=SECRETO_TOTP)

    # The desk: what waits for Operación, and the one search box.
    page.goto(live_server.url + "/admin/")
    contador = page.locator("#contador-pagos")
    assert contador.inner_text().split() == ["1", "Pagos", "en", "revisión"], contador.inner_text()
    assert page.locator("#contador-registros").count() == 0  # Supervisión's, not Operación's
    captura(page, "escritorio", ANCHO)

    page.get_by_label("CURP, folio, nombre").fill("pedro paramo")
    page.get_by_role("button", name="Buscar").click()
    resultados = page.locator("table.escritorio__resultados")
    assert "1 resultado para «pedro paramo»" in resultados.inner_text()
    fila = resultados.get_by_role("row").filter(has_text="PEDRO PARAMO RULFO")
    assert "$675.04" in fila.inner_text() and "Alicia García" in fila.inner_text()
    captura(page, "escritorio-busqueda", ANCHO)

    # The console: Alice's whole picture; her payments, the one in review with "Resolver".
    fila.get_by_role("link", name="Abrir consola").click()
    page.get_by_role("heading", name="Alicia García", exact=True).wait_for()
    assert CURP_ALICE in page.locator(".consola__ficha").inner_text()
    page.get_by_role("navigation", name="Páginas del derechohabiente").get_by_role("link", name="Pagos").click()
    pago = page.locator(".consola__vista").get_by_role("row").filter(has_text="PEDRO PARAMO RULFO")
    assert "En revisión" in pago.inner_text() and "Importe distinto" in pago.inner_text()
    captura(page, "escritorio-consola-pagos", ANCHO)

    # Resolve: apply it to her loan; first what it will do.
    pago.get_by_role("link", name="Resolver").click()
    page.get_by_label("Aplicar a un préstamo").check()
    assert page.get_by_label("Folio del préstamo (sólo para aplicar)").input_value() == FOLIO_ALICE
    page.get_by_label("Motivo").fill("Transfirió $26.08 de menos; se aplica y se le explica lo que debe.")
    page.get_by_role("button", name="Continuar").click()
    previa = page.get_by_role("region", name="Qué pasará si lo aplicas")
    assert "Quedará debiendo $26.08 de la 1ª quincena de junio de 2026." in previa.inner_text(), previa.inner_text()
    assert PagoBancario.objects.get().estado == PagoBancario.Estado.EN_REVISION  # nothing applied yet
    captura(page, "escritorio-vista-previa-pago", ANCHO)

    page.get_by_role("button", name="Confirmar y aplicar").click()
    page.locator(".messagelist .success").wait_for()
    assert "Pago aplicado al préstamo 20000000001" in page.locator(".messagelist").inner_text()
    aplicado = page.locator(".consola__vista").get_by_role("row").filter(has_text="PEDRO PARAMO RULFO")
    assert "Aplicado por el CAPP" in aplicado.inner_text()
    assert page.locator(".consola__vista").get_by_role("link", name="Resolver").count() == 0
    captura(page, "escritorio-consola-aplicado", ANCHO)

    page.goto(live_server.url + "/admin/")
    assert page.locator("#contador-pagos strong").inner_text() == "0"

    # The upload page: every kind of file, its header, an example and its template.
    page.goto(live_server.url + "/admin/cargar-archivo/")
    assert page.get_by_role("link", name="Descargar plantilla").count() == 5
    captura(page, "escritorio-cargar-archivo", ANCHO)


def test_supervision_sees_what_a_reversal_will_undo_before_confirming(
    pagina, live_server, prestamo_alice, django_user_model, hoy
):
    hoy(date(2026, 7, 3))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    page = pagina
    page.set_viewport_size({"width": ANCHO, "height": 900})
    _personal(django_user_model, "lucia", SUPERVISION)
    iniciar_sesion(page, live_server, "lucia", CONTRASENA, secreto_totp=SECRETO_TOTP)

    page.goto(live_server.url + "/admin/")
    assert page.locator("#contador-registros").count() == 1
    page.goto(live_server.url + "/admin/prestamos/archivoaplicado/")
    assert page.get_by_role("link", name="Sí", exact=True).count() == 1  # the Revertido filter
    page.locator('input[name="_selected_action"]').first.check()
    page.select_option('select[name="action"]', "revertir")
    page.get_by_role("button", name="Ejecutar").click()
    previa = page.locator(".vista-previa")
    texto = " ".join(previa.inner_text().split())
    assert "Se revertirán 1 movimiento de 1 préstamo por $701.12" in texto, texto
    assert FOLIO_ALICE in texto and "Alicia García" in texto
    captura(page, "escritorio-vista-previa-reversion", ANCHO)

    page.goto(live_server.url + f"/admin/prestamos/prestamo/{prestamo_alice.pk}/change/")
    assert page.get_by_role("link", name="Abrir consola").count() == 1
    assert "$30,000.00" in page.locator("#content").inner_text()
    captura(page, "escritorio-prestamo", ANCHO)
