"""Missing payroll deductions: detection, stored estado, moratorios and one e-mail per loan and quincena (docs/reglas.md §6)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from prestamos.calculo import moratorio
from prestamos.models import Dependencia, Prestamo
from recuperacion.models import AvisoOmision
from recuperacion.selectors import estado_de_cuenta
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, filas_de, prestamos_de, remesa

CUOTA_ALICE = D("701.12")


def detectar(fecha: str, capturar):
    with capturar(execute=True):
        call_command("detectar_omisiones", "--fecha", fecha)


@pytest.mark.django_db
def test_it_detects_a_deduction_missing_from_a_loaded_remesa_and_tells_the_borrower(
    prestamo_alice, hoy, django_capture_on_commit_callbacks
):
    hoy(date(2026, 6, 20))
    [companera] = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    with django_capture_on_commit_callbacks(execute=True):
        resumen = remesa(*filas_de([companera]))  # SEP's Q11 remesa came without Alice's loan

    assert resumen.detalle["omisiones detectadas"] == 1
    aviso = AvisoOmision.objects.get()
    assert (aviso.prestamo, str(aviso.quincena), aviso.pendiente) == (prestamo_alice, "2026-Q11", CUOTA_ALICE)
    assert aviso.correo == "alice@ejemplo.mx" and aviso.enviado is not None
    [correo] = mail.outbox
    assert correo.to == ["alice@ejemplo.mx"]
    assert "Oficina Virtual" in correo.subject and FOLIO_ALICE in correo.subject
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio" in correo.body and "$701.12" in correo.body
    assert settings.PORTAL_URL + reverse("regularizacion") in correo.body
    assert "example.com" not in correo.body and "testserver" not in correo.body

    detectar("2026-06-21", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and AvisoOmision.objects.count() == 1


@pytest.mark.django_db
def test_it_waits_for_the_grace_period_when_no_remesa_arrived(prestamo_alice, django_capture_on_commit_callbacks):
    detectar("2026-07-05", django_capture_on_commit_callbacks)  # Q11 due 15/06 + 20 days of grace
    assert not AvisoOmision.objects.exists() and not mail.outbox

    detectar("2026-07-06", django_capture_on_commit_callbacks)
    detectar("2026-07-06", django_capture_on_commit_callbacks)  # the daily run again: nothing new
    assert [str(q) for q in AvisoOmision.objects.values_list("quincena", flat=True)] == ["2026-Q11"]
    assert len(mail.outbox) == 1

    detectar("2026-07-21", django_capture_on_commit_callbacks)  # Q12 (due 30/06) is now missing too
    assert sorted(str(q) for q in AvisoOmision.objects.values_list("quincena", flat=True)) == ["2026-Q11", "2026-Q12"]
    assert len(mail.outbox) == 2
    assert "2ª quincena de junio de 2026" in mail.outbox[1].body and "1ª quincena de junio" not in mail.outbox[1].body


@pytest.mark.django_db
def test_it_tells_once_per_loan_and_quincena_listing_several_in_one_email(prestamo_alice, django_capture_on_commit_callbacks):
    detectar("2026-07-21", django_capture_on_commit_callbacks)
    [correo] = mail.outbox
    assert "1ª quincena de junio de 2026" in correo.body and "2ª quincena de junio de 2026" in correo.body
    assert "$1,402.24" in correo.body and "2026-Q1" not in correo.body
    assert AvisoOmision.objects.filter(enviado__isnull=False).count() == 2


@pytest.mark.django_db
def test_it_records_the_omission_of_a_borrower_without_account_without_email(ana, django_capture_on_commit_callbacks):
    from tests.fabricas import CURP_ANA, cargar_prestamos

    cargar_prestamos(f"20000000033,{CURP_ANA},ORDINARIO,10000.00,12.00,24,2026-05-20,2026-Q11,VIGENTE,0,")
    detectar("2026-07-06", django_capture_on_commit_callbacks)
    aviso = AvisoOmision.objects.get()
    assert aviso.correo == "" and aviso.enviado is None and not mail.outbox


@pytest.mark.django_db
def test_it_puts_the_loan_en_cobranza_after_four_missing_installments(prestamo_alice, django_capture_on_commit_callbacks):
    detectar("2026-07-30", django_capture_on_commit_callbacks)
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.estado == Prestamo.Estado.VIGENTE  # Q11..Q13 unpaid
    detectar("2026-07-31", django_capture_on_commit_callbacks)
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.estado == Prestamo.Estado.EN_COBRANZA  # Q14 due today: four in a row


@pytest.mark.django_db
def test_it_returns_the_loan_to_vigente_when_the_deductions_arrive(prestamo_alice, hoy, django_capture_on_commit_callbacks):
    detectar("2026-07-31", django_capture_on_commit_callbacks)
    hoy(date(2026, 8, 3))
    for n in (11, 12, 13):
        remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena=f"2026-Q{n}")
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.estado == Prestamo.Estado.VIGENTE


@pytest.mark.django_db
def test_its_moratorios_show_in_the_saldo_deudor(prestamo_alice, alice, hoy, django_capture_on_commit_callbacks):
    hoy(date(2026, 6, 20))
    [companera] = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    remesa(*filas_de([companera]))

    estado = estado_de_cuenta(derechohabiente=alice, hoy=date(2026, 7, 5))
    [vista] = estado.prestamos
    esperado = moratorio(importe_vencido=CUOTA_ALICE, tasa_anual=D("11.50"), factor=D("1.5"), dias=20)
    assert esperado == D("6.72") and vista.moratorios == esperado
    assert [o.periodo.numero for o in vista.omisiones] == [11]
    assert vista.saldo_deudor == vista.capital_insoluto + vista.interes_vencido + esperado
