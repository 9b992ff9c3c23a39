"""Journey: an Operación officer's whole call in the CAPP console. Ramón's case on Alice's loan (20/07/2026:
Q11 missing, Q12 and Q13 awaiting their remesa) calls: "¿por qué debo esto?". The officer finds her by
CURP, sees her statement as she sees it, explains, issues the regularization FOPI that brings her up to
date, e-mails it, and records the call. Screenshots of the console at 375 and 1280 px."""

from datetime import date
from decimal import Decimal as D

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import mail

from fopi.models import Fopi
from recuperacion.models import Atencion
from tests.accounts.datos import SECRETO_TOTP, activar_totp
from tests.e2e.navegador import captura, desborde_horizontal, describir_violaciones, iniciar_sesion, violaciones_axe
from tests.fabricas import CONTRASENA, CURP_ALICE, FOLIO_ALICE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def operacion(django_user_model):
    """Operación as the roles migration will set it up: permissions, not superuser."""
    usuario = django_user_model.objects.create_user(
        username="operacion", email="operacion@issste.gob.mx", password=CONTRASENA, is_staff=True
    )
    usuario.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_consola",
                "emitir_fopi_consola",
                "add_atencion",
                "view_atencion",
                "view_aclaracion",
            ]
        )
    )
    EmailAddress.objects.create(user=usuario, email=usuario.email, verified=True, primary=True)
    activar_totp(usuario)  # staff enter the admin with their second factor
    return usuario


def revisar(page, nombre, problemas, anchos=(1280, 375)):
    """Screenshot and axe at each width; at 375 px the console's own content must fit (the admin's
    header and breadcrumbs are Django's)."""
    for ancho in anchos:
        page.set_viewport_size({"width": ancho, "height": 900})
        captura(page, nombre, ancho)
        if violaciones := violaciones_axe(page):
            problemas.append(describir_violaciones(nombre, ancho, violaciones))
        if ancho == 375 and (desborde := desborde_horizontal(page, 375)):
            problemas.append(f"{nombre}: desborde a 375 px: {desborde}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_officer_finds_explains_issues_emails_and_records_a_call(
    pagina, live_server, prestamo_alice, operacion, hoy
):
    hoy(date(2026, 7, 20))
    page = pagina
    problemas = []
    iniciar_sesion(page, live_server, "operacion", CONTRASENA, secreto_totp=SECRETO_TOTP)

    # Find her by CURP from the admin's index.
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Consola del CAPP").first.click()
    page.get_by_label("CURP, folio del préstamo, referencia del FOPI, folio de aclaración o nombre").fill(CURP_ALICE)
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("heading", name="Alicia García", exact=True).wait_for()
    revisar(page, "consola-seccion", problemas)

    # What she sees: the statement, with the missing quincena named, read only.
    menu = page.get_by_role("navigation", name="Páginas del derechohabiente")
    menu.get_by_role("link", name="Estado de cuenta").click()
    vista = page.locator(".consola__vista")
    vista.get_by_role("heading", name="Saldo deudor total").wait_for()
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio: $701.12 sin descontar" in vista.inner_text()
    vista.get_by_text("Tabla de amortización", exact=True).click()  # to show her which quincenas are overdue
    assert (
        vista.get_by_role("table", name="Tabla de amortización del préstamo 20000000001").inner_text().count("Vencida")
        == 3
    )
    assert vista.locator("form").count() == 0
    revisar(page, "consola-estado-de-cuenta", problemas)
    menu.get_by_role("link", name="Regularización").click()
    texto = page.locator(".consola__vista").inner_text()
    assert "$716.57" in texto and "$2,129.22" in texto and "1ª quincena de julio de 2026, del 1 al 15 de julio" in texto

    # She wants to be up to date: a regularization FOPI including the quincenas awaiting their remesa.
    menu.get_by_role("link", name="Formatos de pago (FOPI)").click()
    page.get_by_label("Préstamo (folio)").select_option(FOLIO_ALICE)
    page.get_by_label("Regularización", exact=True).check()
    page.get_by_label("Regularización: incluir también las quincenas vencidas en espera de remesa").check()
    page.get_by_role("button", name="Emitir FOPI").click()
    fopi = Fopi.objects.get()
    page.get_by_text(f"referencia {fopi.referencia}").wait_for()
    assert fopi.importe == D("2129.22") and fopi.emitido_por == operacion and fopi.tipo == "REGULARIZACION"
    revisar(page, "consola-fopi", problemas)
    page.get_by_role("button", name=f"Enviar por correo el FOPI {fopi.referencia}").click()
    page.get_by_text(f"Enviamos el FOPI {fopi.referencia} a alice@ejemplo.mx").wait_for()
    [correo] = mail.outbox
    assert correo.to == ["alice@ejemplo.mx"] and correo.attachments[0][0] == f"fopi-{fopi.referencia}.pdf"

    # The call itself.
    lado = page.locator("#atenciones")
    lado.get_by_label("Canal").select_option("TELEFONO")
    lado.get_by_label("Motivo").select_option("REGULARIZACION")
    lado.get_by_label("Nota (qué pidió y qué se le respondió)").fill(
        "Preguntó por qué debe la 2026-Q11: SEP no envió su descuento. "
        "Se emitió y envió FOPI de regularización completa."
    )
    lado.get_by_role("button", name="Registrar atención").click()
    page.get_by_text("Atención registrada.").wait_for()
    atenciones = page.locator(".consola__atenciones").inner_text()
    assert "Teléfono · Regularización y moratorios · operacion" in atenciones
    assert "Correo electrónico · Formato de pago (FOPI) · operacion" in atenciones
    assert [a.canal for a in Atencion.objects.order_by("id")] == ["CORREO", "TELEFONO"]
    revisar(page, "consola-atenciones", problemas, anchos=(375,))
    assert not problemas, "\n".join(problemas)
