"""E-mails to the borrower (docs/reglas.md §11): payment applied, FOPI about to expire unpaid, loan paid off.
One per event, never two; sent only once the transaction that caused it commits."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command

from fopi.avisos import fopis_por_vencer_avisar, liquidaciones_avisar
from fopi.models import AvisoCorreo, PagoBancario
from fopi.services import fopi_emitir, pago_aplicar_a_prestamo
from oficina.importacion import importar_archivo
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, cargar_prestamos, remesa, texto

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"
HOY = date(2026, 6, 5)


def pagos(*filas: str):
    return importar_archivo((ENCABEZADO + "\n".join(filas) + "\n").encode())


@pytest.mark.django_db
def test_it_emails_the_receipt_once_when_a_payment_is_applied(prestamo_alice, django_capture_on_commit_callbacks):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    fila = f"BBVA,A1,2026-06-10,{fopi.referencia},1500.00"
    with django_capture_on_commit_callbacks(execute=True):
        pagos(fila)
    with django_capture_on_commit_callbacks(execute=True):
        pagos(fila)  # the bank's cumulative file again: "ya cargado", nothing applied, nobody told twice

    assert len(mail.outbox) == 1
    correo = mail.outbox[0]
    assert correo.to == ["alice@ejemplo.mx"]
    assert "Oficina Virtual" in correo.subject and "$1,500.00" in correo.subject and FOLIO_ALICE in correo.subject
    assert "Hola, Alicia" in correo.body and "10/06/2026" in correo.body and "Mis pagos" in correo.body
    assert "/fopi/pagos/" in correo.body
    (nombre, pdf, tipo), = correo.attachments
    assert nombre.startswith("comprobante-CP-") and tipo == "application/pdf"
    assert "Comprobante de pago" in texto(pdf)
    aviso = AvisoCorreo.objects.get()
    assert aviso.tipo == "PAGO_APLICADO" and aviso.enviado is not None


@pytest.mark.django_db
def test_a_payment_that_goes_to_review_is_told_in_review_not_applied(prestamo_alice, django_capture_on_commit_callbacks):
    """SPEC §13 (rev. 3): the borrower hears the money arrived, and why it waits; no receipt until it is applied."""
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    with django_capture_on_commit_callbacks(execute=True):
        pagos(f"BBVA,A1,2026-06-10,{fopi.referencia},1499.00")
    (correo,) = mail.outbox
    assert "revisión" in correo.subject and correo.attachments == []
    assert "el importe no coincide con tu formato de pago ($1,500.00)" in correo.body
    assert list(AvisoCorreo.objects.values_list("tipo", flat=True)) == ["PAGO_EN_REVISION"]


@pytest.mark.django_db
def test_staff_applying_a_reviewed_payment_tells_the_borrower(prestamo_alice, staff, django_capture_on_commit_callbacks):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=HOY)
    pagos(f"BBVA,R1,2026-06-20,{fopi.referencia},800.00")
    with django_capture_on_commit_callbacks(execute=True):
        pago_aplicar_a_prestamo(pago=PagoBancario.objects.get(), prestamo=prestamo_alice, usuario=staff, motivo="ok")
    assert len(mail.outbox) == 1 and "$800.00" in mail.outbox[0].subject


@pytest.mark.django_db
def test_paying_off_sends_the_receipt_and_the_payoff_notice(prestamo_alice, hoy, django_capture_on_commit_callbacks):
    hoy(HOY)
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=HOY)
    hoy(date(2026, 6, 16))
    with django_capture_on_commit_callbacks(execute=True):
        pagos(f"HSBC,L1,2026-06-15,{fopi.referencia},{fopi.importe}")
    with django_capture_on_commit_callbacks(execute=True):
        assert liquidaciones_avisar(hoy=date(2026, 6, 16)) == 0  # the daily run finds it told already

    asuntos = sorted(m.subject for m in mail.outbox)
    assert len(asuntos) == 2
    assert asuntos[0] == f"Oficina Virtual — Liquidaste tu préstamo {FOLIO_ALICE}"
    liquidado = next(m for m in mail.outbox if "Liquidaste" in m.subject)
    assert "quedó liquidado el 15/06/2026" in liquidado.body and "carta de liquidación" in liquidado.body
    assert liquidado.attachments == []  # the payoff notice PDF comes with its own change


@pytest.mark.django_db
def test_a_payoff_by_the_last_payroll_deduction_is_told_by_the_daily_run(alice, hoy, django_capture_on_commit_callbacks):
    cargar_prestamos(f"20000000009,{CURP_ALICE},ORDINARIO,1000.00,12.00,2,2025-12-20,2026-Q01,VIGENTE,1,")
    hoy(date(2026, 2, 3))
    remesa(("20000000009", CURP_ALICE, "505.00"), quincena="2026-Q02")  # the last cuota, and 5 centavos more

    with django_capture_on_commit_callbacks(execute=True):
        call_command("avisar_liquidaciones", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("avisar_liquidaciones", stdout=io.StringIO())

    assert [m.subject for m in mail.outbox] == ["Oficina Virtual — Liquidaste tu préstamo 20000000009"]


@pytest.mark.django_db
def test_a_loan_loaded_already_paid_off_is_never_told(alice, django_capture_on_commit_callbacks):
    cargar_prestamos(f"20000000009,{CURP_ALICE},ORDINARIO,1000.00,12.00,2,2025-12-20,2026-Q01,LIQUIDADO,2,2026-01-31")
    with django_capture_on_commit_callbacks(execute=True):
        assert liquidaciones_avisar(hoy=date(2026, 2, 3)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("dia, avisado", [(12, False), (13, True), (14, True), (15, True), (16, False)])
def test_it_warns_of_a_fopi_expiring_unpaid_two_days_before(prestamo_alice, django_capture_on_commit_callbacks, dia, avisado):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)  # vigencia 15/06
    with django_capture_on_commit_callbacks(execute=True):
        fopis_por_vencer_avisar(hoy=date(2026, 6, dia))
    assert len(mail.outbox) == int(avisado)
    if avisado:
        correo = mail.outbox[0]
        assert correo.subject == f"Oficina Virtual — Tu formato de pago vence el 15/06/2026 (préstamo {FOLIO_ALICE})"
        assert fopi.clabe in correo.body and fopi.referencia in correo.body and "$1,500.00" in correo.body
        assert f"/fopi/{fopi.pk}/" in correo.body


@pytest.mark.django_db
def test_it_warns_once_and_never_for_a_paid_or_cancelled_fopi(prestamo_alice, hoy, django_capture_on_commit_callbacks):
    cancelado = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("700.00"), hoy=HOY)
    pagado = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=HOY)
    pagos(f"BBVA,A1,2026-06-10,{pagado.referencia},800.00")
    pendiente = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("900.00"), hoy=HOY)

    hoy(date(2026, 6, 13))
    for _ in range(2):  # the daily command run twice the same day
        with django_capture_on_commit_callbacks(execute=True):
            call_command("avisar_fopis_por_vencer", stdout=io.StringIO())

    assert len(mail.outbox) == 1 and pendiente.referencia in mail.outbox[0].body
    assert cancelado.referencia not in mail.outbox[0].body


@pytest.mark.django_db
def test_a_borrower_without_an_account_is_recorded_but_not_emailed(ana, django_capture_on_commit_callbacks):
    from fopi.services import fopi_emitir as emitir
    from prestamos.models import Prestamo

    cargar_prestamos(f"20000000010,{ana.curp},ORDINARIO,30000.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,10,")
    emitir(prestamo=Prestamo.objects.get(folio="20000000010"), tipo="PARCIAL", importe=D("500.00"), hoy=HOY)
    with django_capture_on_commit_callbacks(execute=True):
        assert fopis_por_vencer_avisar(hoy=date(2026, 6, 13)) == 1
    assert mail.outbox == [] and AvisoCorreo.objects.get().correo == ""


@pytest.mark.django_db
def test_a_failed_send_is_logged_and_never_breaks_the_payment(prestamo_alice, settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "tests.fopi.test_avisos.BackendQueFalla"
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    with django_capture_on_commit_callbacks(execute=True):
        pagos(f"BBVA,A1,2026-06-10,{fopi.referencia},1500.00")
    assert PagoBancario.objects.get().estado == "APLICADO"
    assert AvisoCorreo.objects.get().enviado is None and "No se pudo enviar" in caplog.text


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_logged_and_never_breaks_the_payment(prestamo_alice, settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "tests.fopi.test_avisos.BackendSinServidor"
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    with django_capture_on_commit_callbacks(execute=True):
        pagos(f"BBVA,A1,2026-06-10,{fopi.referencia},1500.00")
    assert PagoBancario.objects.get().estado == "APLICADO"
    assert AvisoCorreo.objects.get().enviado is None and "Sin conexión al servidor de correo" in caplog.text


class BackendQueFalla:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, mensajes):
        raise ConnectionRefusedError("SMTP caído")


class BackendSinServidor(BackendQueFalla):
    def __init__(self, *args, timeout=None, **kwargs):
        assert timeout == 10  # an SMTP server that does not answer holds the request 10 s at most

    def open(self):
        raise TimeoutError("el servidor de correo no responde")
