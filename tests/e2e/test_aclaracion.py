"""Journey: a borrower whose payslip shows a deduction her statement lacks files an aclaración from her
phone; Operación resolves it from its queue, with the payslip, the remesa and the ledger side by side; she
reads the answer, the e-mail, and her statement without the missing quincena.

Also the form's screenshots at 375 and 1280 px, its accessibility (axe) and its fit on a phone.
"""

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import mail

from recuperacion.models import Aclaracion
from tests.accounts.datos import SECRETO_TOTP, activar_totp
from tests.e2e.navegador import (
    captura,
    cerrar_sesion,
    desborde_horizontal,
    describir_violaciones,
    iniciar_sesion,
    no_alcanzables_con_tab,
    violaciones_axe,
)
from tests.fabricas import CONTRASENA, FOLIO_ALICE
from tests.recuperacion import talones_prueba

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SECCION = "/prestaciones/recuperacion-de-credito/"


@pytest.fixture
def operacion(django_user_model):
    usuario = django_user_model.objects.create_user(
        username="operacion", email="operacion@issste.gob.mx", password=CONTRASENA, is_staff=True
    )
    usuario.user_permissions.set(
        Permission.objects.filter(codename__in=["view_aclaracion", "resolver_aclaracion", "view_consola"])
    )
    EmailAddress.objects.create(user=usuario, email=usuario.email, verified=True, primary=True)
    activar_totp(usuario)  # staff enter the admin with their second factor
    return usuario


def test_a_borrower_files_an_aclaracion_and_operacion_resolves_it(pagina, live_server, prestamo_alice, operacion, hoy):
    hoy(date(2026, 7, 20))  # Q11 (due 15/06) missing: no remesa came within the 20 days of grace
    page = pagina
    page.set_viewport_size({"width": 375, "height": 740})
    iniciar_sesion(page, live_server, "alice", CONTRASENA)
    page.goto(live_server.url + SECCION)
    page.get_by_role("link", name="Aclaraciones", exact=True).click()
    page.get_by_role("link", name="Presentar una aclaración").click()
    page.get_by_role("heading", name="Presentar una aclaración").wait_for()

    problemas = []
    for ancho in (375, 1280):
        page.set_viewport_size({"width": ancho, "height": 900})
        captura(page, "aclaracion-formulario", ancho)
        if violaciones := violaciones_axe(page):
            problemas.append(describir_violaciones("aclaracion-formulario", ancho, violaciones))
    page.set_viewport_size({"width": 375, "height": 740})
    if desborde := desborde_horizontal(page, 375):
        problemas.append(f"desborde a 375 px: {desborde}")
    if faltan := no_alcanzables_con_tab(page):
        problemas.append(f"no se alcanzan con Tab: {faltan}")

    # A renamed executable first: refused, with the reason, and nothing filed.
    page.get_by_label("Préstamo").select_option(FOLIO_ALICE)
    page.get_by_label("Quincena del descuento").select_option("2026-Q11")
    page.get_by_label("Importe que te descontaron").fill("701.12")
    talon = page.get_by_label("Talón de pago (PDF, JPEG o PNG, máximo 5 MB)")
    talon.set_input_files(
        files=[{"name": "talon.pdf", "mimeType": "application/pdf", "buffer": talones_prueba.EJECUTABLE}]
    )
    page.get_by_role("button", name="Enviar aclaración").click()
    page.locator("#id_talon_error").get_by_text("no es un PDF, JPEG ni PNG").wait_for()
    page.locator("#resumen-errores").get_by_text("no es un PDF, JPEG ni PNG").wait_for()  # the summary at the top too
    captura(page, "aclaracion-formulario-rechazado", 375)
    if violaciones := violaciones_axe(page):
        problemas.append(describir_violaciones("aclaracion-formulario-rechazado", 375, violaciones))
    assert not Aclaracion.objects.exists()

    page.get_by_label("Talón de pago (PDF, JPEG o PNG, máximo 5 MB)").set_input_files(
        files=[{"name": "talon quincena 11.png", "mimeType": "image/png", "buffer": talones_prueba.imagen("PNG")}]
    )
    page.get_by_label("Comentario (opcional)").fill("Mi talón de la quincena 11 sí trae el descuento del ISSSTE.")
    page.get_by_role("button", name="Enviar aclaración").click()
    aclaracion = Aclaracion.objects.get()
    page.get_by_text(f"Recibimos tu aclaración {aclaracion.folio}").wait_for()
    lista = page.inner_text("main")
    assert "Recibida" in lista and "1ª quincena de junio de 2026, del 1 al 15 de junio" in lista and "$701.12" in lista
    for ancho in (375, 1280):
        page.set_viewport_size({"width": ancho, "height": 900})
        captura(page, "aclaraciones-lista", ancho)
    if desborde := desborde_horizontal(page, 1280):
        problemas.append(f"lista: desborde a 1280 px: {desborde}")
    cerrar_sesion(page)

    # Operación: the queue, the case side by side, Procedente.
    iniciar_sesion(page, live_server, "operacion", CONTRASENA, secreto_totp=SECRETO_TOTP)
    page.goto(live_server.url + "/admin/recuperacion/aclaracion/")
    page.get_by_role("link", name=aclaracion.folio).click()
    page.get_by_role("heading", name="Talón de pago").wait_for()
    assert page.get_by_role("img", name=f"Talón de pago de la aclaración {aclaracion.folio}").is_visible()
    expediente = page.inner_text("#content-main")
    assert "La dependencia no ha enviado remesa de esta quincena" in expediente
    assert "Nada: ningún descuento de este préstamo" in expediente
    captura(page, "aclaracion-resolver", 1280)
    page.get_by_role("button", name="Tomar en revisión").click()
    page.get_by_text("ahora está en revisión").wait_for()
    page.get_by_label("Procedente: aplicar el descuento").check()
    page.get_by_role("button", name="Resolver").click()
    page.get_by_text(f"Aclaración {aclaracion.folio} resuelta: Procedente").wait_for()
    aclaracion.refresh_from_db()
    assert aclaracion.estado == "PROCEDENTE" and aclaracion.resuelta_por == operacion
    assert aclaracion.movimiento.fecha_valor == date(2026, 6, 15)
    cerrar_sesion(page)

    # She reads the answer and the e-mail; the statement no longer says Q11 is missing.
    # Two e-mails name the folio: the acknowledgement (with the date it will be answered by) and the answer.
    [correo] = [m for m in mail.outbox if aclaracion.folio in m.subject and "procedente" in m.subject.lower()]
    assert "procedente" in correo.subject
    iniciar_sesion(page, live_server, "alice", CONTRASENA)
    page.goto(live_server.url + SECCION + "aclaraciones/")
    assert "Procedente" in page.inner_text("main") and "no te genera moratorios" in page.inner_text("main")
    page.goto(live_server.url + SECCION + "estado-de-cuenta/")
    texto = page.inner_text("main")
    assert "Descuento reconocido por aclaración" in texto and "Detectamos" not in texto
    assert not problemas, "\n".join(problemas)


def test_a_payslips_cfdi_resolves_the_aclaracion_on_the_spot(pagina, live_server, prestamo_alice, hoy, settings, tmp_path):
    """docs/reglas.md §18: she uploads her payslip's XML (generated and sealed here, with a local authority as
    the trust store); the aclaración is Procedente at once and her statement has the deduction."""
    from tests.accounts.datos import RFC_ALICE
    from tests.fabricas import CURP_ALICE
    from tests.recuperacion import cfdi_fabrica

    hoy(date(2026, 7, 20))  # Q11 (due 15/06) missing: no remesa came
    cfdi_fabrica.configurar(settings, tmp_path)
    recibo = cfdi_fabrica.recibo(
        llaves=cfdi_fabrica.llaves(), receptor_rfc=RFC_ALICE, curp=CURP_ALICE, fecha_pago="2026-06-15",
        inicial="2026-06-01", final="2026-06-15", importe=prestamo_alice.cuota,
    )
    page = pagina
    page.set_viewport_size({"width": 375, "height": 740})
    iniciar_sesion(page, live_server, "alice", CONTRASENA)
    page.goto(live_server.url + SECCION + "aclaraciones/nueva/")
    page.get_by_label("Préstamo").select_option(FOLIO_ALICE)
    page.get_by_label("Quincena del descuento").select_option("2026-Q11")
    page.get_by_label("Importe que te descontaron").fill("701.12")
    page.get_by_label("XML de tu recibo de nómina (CFDI, opcional)").set_input_files(
        files=[{"name": "recibo.xml", "mimeType": "text/xml", "buffer": cfdi_fabrica.xml(recibo)}]
    )
    page.get_by_role("button", name="Enviar aclaración").click()
    aclaracion = Aclaracion.objects.get()
    page.get_by_text(f"Tu aclaración {aclaracion.folio} es procedente").first.wait_for()
    texto = page.inner_text("main")
    assert "Retenido por tu dependencia y no enviado" in texto
    assert "Sello de tu dependencia: válido · Timbre del SAT: válido · Periodo: 1ª quincena de junio de 2026" in texto
    captura(page, "aclaracion-cfdi-procedente", 375)
    assert not desborde_horizontal(page, 375)
    assert aclaracion.estado == "PROCEDENTE" and aclaracion.movimiento.fecha_valor == date(2026, 6, 15)
    page.goto(live_server.url + SECCION + "estado-de-cuenta/")
    texto = page.inner_text("main")
    assert "Descuento reconocido por aclaración" in texto and "Detectamos" not in texto
