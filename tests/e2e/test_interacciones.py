"""Issue 15: each interactive change, in Chromium — the captcha's "Otra imagen" with and without JavaScript, the
code page's "Reenviar código", and the FOPI page's "Copiar referencia"."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail

from fopi.services import fopi_emitir
from tests.accounts.datos import RFC_ANA
from tests.e2e.navegador import iniciar_sesion
from tests.fabricas import CURP_ANA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONTRASENA_NUEVA = "Quincena-2026x"


def _llenar_registro(page):
    page.fill('input[name="curp"]', CURP_ANA)
    page.fill('input[name="rfc"]', RFC_ANA)
    page.fill('input[name="username"]', "ana.lopez")
    page.fill('input[name="email"]', "ana@ejemplo.mx")
    page.fill('input[name="password1"]', CONTRASENA_NUEVA)
    page.fill('input[name="password2"]', CONTRASENA_NUEVA)


def _codigo(correo) -> str:
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", correo.body, re.MULTILINE).group(1)


def test_otra_imagen_brings_a_new_captcha_and_keeps_what_was_typed(pagina, live_server, ana):
    page = pagina
    page.goto(live_server.url + "/cuenta/signup/")
    _llenar_registro(page)
    clave = page.input_value('input[name="captcha_0"]')
    imagen = page.get_attribute("img.captcha__imagen", "src")
    page.fill('input[name="captcha_1"]', "ABCDE")

    page.get_by_role("link", name="Otra imagen", exact=True).click()
    page.get_by_text("Listo: te mostramos otra imagen").wait_for()

    assert page.url == live_server.url + "/cuenta/signup/"
    assert page.input_value('input[name="captcha_0"]') != clave
    assert page.get_attribute("img.captcha__imagen", "src") != imagen
    assert page.input_value('input[name="curp"]') == CURP_ANA  # nothing typed is lost
    assert page.input_value('input[name="captcha_1"]') == ""
    assert page.evaluate("document.activeElement.name") == "captcha_1"
    page.wait_for_function("() => { const i = document.querySelector('img.captcha__imagen'); return i.complete && i.naturalWidth > 0; }")

    page.fill('input[name="captcha_1"]', "PASSED")  # test mode: the new key is checked like any other
    page.get_by_role("button", name="Registrarme").click()
    page.get_by_role("heading", name="Verifica tu correo electrónico").wait_for()


def test_otra_imagen_reloads_the_page_without_javascript(browser, live_server, ana):
    contexto = browser.new_context(java_script_enabled=False, locale="es-MX")
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/cuenta/signup/")
        clave = page.input_value('input[name="captcha_0"]')
        with page.expect_navigation():
            page.get_by_role("link", name="Otra imagen", exact=True).click()
        assert page.url.startswith(live_server.url + "/cuenta/signup/")
        assert page.input_value('input[name="captcha_0"]') != clave
    finally:
        contexto.close()


def test_reenviar_codigo_mails_a_new_code_that_works(pagina, live_server, ana):
    page = pagina
    page.goto(live_server.url + "/cuenta/signup/")
    _llenar_registro(page)
    page.fill('input[name="captcha_1"]', "PASSED")
    page.get_by_role("button", name="Registrarme").click()
    page.get_by_role("heading", name="Verifica tu correo electrónico").wait_for()
    primero = _codigo(mail.outbox[-1])

    with page.expect_navigation():
        page.get_by_role("button", name="Reenviar código").click()
    page.locator(".mensaje", has_text="Te enviamos un código de verificación a ana@ejemplo.mx").wait_for()
    assert len(mail.outbox) == 2
    nuevo = _codigo(mail.outbox[-1])
    assert nuevo != primero

    page.fill('input[name="code"]', nuevo)
    page.get_by_role("button", name="Verificar", exact=True).click()
    page.get_by_role("button", name="Cerrar sesión").wait_for()
    assert "Hola, Ana. Iniciaste sesión." in page.inner_text("main")


def test_copiar_referencia_puts_the_22_digits_on_the_clipboard(pagina, live_server, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    page = pagina
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    iniciar_sesion(page, live_server, "alice", "Prestamo2026!")
    page.goto(f"{live_server.url}/prestaciones/recuperacion-de-credito/fopi/{fopi.pk}/")

    # Six groups of four spaced by CSS: what a hand selection copies is the 22 digits alone.
    assert page.locator(".referencia span").all_inner_texts() == [fopi.referencia[k : k + 4] for k in range(0, 22, 4)]
    assert page.inner_text(".referencia") == fopi.referencia

    boton = page.get_by_role("button", name="Copiar referencia")
    boton.focus()
    page.keyboard.press("Enter")  # keyboard works as well as a tap
    page.get_by_text("Copiado: referencia.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == fopi.referencia
