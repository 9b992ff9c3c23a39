"""Journey 1: a padrón borrower registers, verifies her e-mail, reads her statement and issues a PARCIAL FOPI.

This journey runs on the real calendar (the portal's own "today"): the loan is built relative to it, so
the test holds on any date.
"""

import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from fopi.models import Fopi
from prestamos.calculo import Quincena, tabla_amortizacion
from tests.accounts.datos import RFC_ANA
from tests.e2e.navegador import descargar, primer_importe_despues
from tests.fabricas import CURP_ANA, cargar_prestamos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FOLIO_ANA = "20000000077"
CONTRASENA_NUEVA = "Quincena-2026x"


def prestamo_al_corriente_hoy():
    """A loan that started six quincenas ago with every installment due so far paid (opening entry)."""
    hoy = timezone.localdate()
    actual = Quincena.de_fecha(hoy)
    primera = actual - 6
    pagadas = 6 + (1 if actual.vencimiento <= hoy else 0)
    otorgado = (primera - 1).inicio
    cargar_prestamos(
        f"{FOLIO_ANA},{CURP_ANA},ORDINARIO,30000.00,11.50,48,{otorgado.isoformat()},{primera},VIGENTE,{pagadas},"
    )
    tabla = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=primera)
    return tabla[pagadas - 1].saldo_final


def test_a_borrower_registers_reads_her_statement_and_issues_a_partial_fopi(pagina, live_server, ana):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    saldo = prestamo_al_corriente_hoy()
    page = pagina

    # Home → Registro
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Registro", exact=True).first.click()
    page.wait_for_url("**/cuenta/signup/")
    page.fill('input[name="curp"]', CURP_ANA.lower())
    page.fill('input[name="rfc"]', RFC_ANA.lower())
    page.fill('input[name="username"]', "ana.lopez")
    page.fill('input[name="email"]', "ana@ejemplo.mx")
    page.fill('input[name="password1"]', CONTRASENA_NUEVA)
    page.fill('input[name="password2"]', CONTRASENA_NUEVA)
    page.fill('input[name="captcha_1"]', "PASSED")
    page.get_by_role("button", name="Registrarme").click()

    # The code arrives by e-mail; the live server shares this process's locmem outbox.
    page.get_by_role("heading", name="Verifica tu correo electrónico").wait_for()
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    codigo = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M).group(1)
    page.fill('input[name="code"]', codigo)
    page.get_by_role("button", name="Verificar").click()
    page.get_by_role("button", name="Cerrar sesión").wait_for()

    # Prestaciones → Recuperación de crédito → Estado de cuenta
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Prestaciones", exact=True).click()
    page.get_by_role("link", name="Recuperación de crédito", exact=True).click()
    page.get_by_role("link", name="Estado de cuenta", exact=True).click()
    page.get_by_role("heading", name="Saldo deudor total").wait_for()
    assert primer_importe_despues(page, "Saldo deudor total") == f"${saldo:,.2f}"
    texto = page.inner_text("main")
    assert "Condiciones del préstamo vigente" in texto and "Histórico de préstamos" in texto
    assert FOLIO_ANA in texto and "$30,000.00" in texto

    pdf = descargar(page, "Descargar estado de cuenta (PDF)")
    assert pdf.startswith(b"%PDF"), pdf[:40]

    # Back to the section → Formato de pago (FOPI) → PARCIAL
    page.get_by_role("navigation", name="Ruta").get_by_role("link", name="Recuperación de crédito").click()
    page.get_by_role("link", name="Formato de pago (FOPI)", exact=True).click()
    page.select_option('select[name="prestamo"]', FOLIO_ANA)
    page.check('input[name="tipo"][value="PARCIAL"]')
    page.fill('input[name="importe"]', "1500.00")
    page.get_by_role("button", name="Generar FOPI").click()

    page.wait_for_url(re.compile(r"/fopi/\d+/$"))
    fopi = Fopi.objects.get()
    assert fopi.tipo == "PARCIAL" and fopi.importe == D("1500.00") and fopi.prestamo.folio == FOLIO_ANA
    texto = page.inner_text("main")
    assert fopi.referencia in texto and "$1,500.00" in texto
    pdf = descargar(page, "Descargar PDF")
    assert pdf.startswith(b"%PDF"), pdf[:40]
