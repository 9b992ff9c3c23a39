"""Each page of the dependencias' portal for a quincenal dependencia and for the pension payroll; the reminder
of a remesa not received, sent once (docs/reglas.md §16)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command

from dependencias import cedula
from dependencias.models import AcuseSuspension
from oficina.importacion import importar_archivo
from prestamos.calculo import Mes, tabla_amortizacion
from prestamos.models import Prestamo
from recuperacion.models import AvisoOmision
from tests.accounts.datos import con_segundo_factor
from tests.fabricas import FOLIO_ALICE
from tests.recuperacion.test_pensionados import FOLIO_ROSA, rosa  # noqa: F401

pytestmark = pytest.mark.django_db


def _usuario(django_user_model, clave, nombre):
    call_command("crear_usuario_dependencia", clave, nombre, f"{nombre}@ejemplo.gob.mx", "--password", "NominaDemo2026!")
    return django_user_model.objects.get(username=nombre)


@pytest.fixture
def sep_cliente(client, django_user_model, sep):
    return con_segundo_factor(client, _usuario(django_user_model, "SEP", "nomina_sep"))


@pytest.fixture
def pensiones_cliente(client, django_user_model, rosa):  # noqa: F811
    return con_segundo_factor(client, _usuario(django_user_model, "PENSIONES", "nomina_pensiones"))


def test_pension_payroll_cedula_is_in_months(pensiones_cliente, hoy):
    hoy(date(2026, 6, 10))
    pagina = pensiones_cliente.get("/dependencias/").content.decode()
    assert "2026-M06" in pagina and "2026-M07" in pagina and "2026-Q" not in pagina
    prestamo = Prestamo.objects.get(folio=FOLIO_ROSA)
    tabla = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=24, primer_periodo=Mes(2026, 1))
    csv = b"".join(pensiones_cliente.get("/dependencias/cedula/PENSIONES/2026-M06.csv").streaming_content).decode()
    assert csv.splitlines()[1] == f"PENSIONES,2026-M06,{FOLIO_ROSA},{prestamo.derechohabiente.curp},{tabla[5].cuota}"
    pagina = pensiones_cliente.get("/dependencias/cedula/PENSIONES/2026-M06/").content.decode()
    assert "Préstamos a descontar" in pagina
    for url in ("/dependencias/descuentos-omitidos/", "/dependencias/avisos-de-suspension/", "/dependencias/cargar-remesa/"):
        assert pensiones_cliente.get(url).status_code == 200
    # Another dependencia's cédula: 404.
    assert pensiones_cliente.get("/dependencias/cedula/SEP/2026-Q12.csv").status_code == 404


def test_descuentos_omitidos_shows_its_workers_only(sep_cliente, prestamo_alice, hoy):
    AvisoOmision.objects.create(prestamo=prestamo_alice, quincena="2026-Q11", pendiente=D("701.12"), detectada=date(2026, 6, 20))
    pagina = sep_cliente.get("/dependencias/descuentos-omitidos/").content.decode()
    assert FOLIO_ALICE in pagina and "2026-Q11" in pagina and "Adeudo de la dependencia" in pagina


def test_aviso_de_suspension_pdf_and_acusar_recibo(sep_cliente, prestamo_alice, hoy):
    from tests.recuperacion.test_documentos import pagar_liquidacion

    hoy(date(2026, 6, 10))
    pagar_liquidacion(prestamo_alice, pagado=date(2026, 6, 8))
    hoy(date(2026, 6, 20))
    pagina = sep_cliente.get("/dependencias/avisos-de-suspension/").content.decode()
    assert FOLIO_ALICE in pagina and "Sin acuse" in pagina and "Acusar recibo" in pagina
    pdf = sep_cliente.get(f"/dependencias/avisos-de-suspension/{FOLIO_ALICE}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    sep_cliente.post(f"/dependencias/avisos-de-suspension/{FOLIO_ALICE}/acusar-recibo/")
    acuse = AcuseSuspension.objects.get(prestamo=prestamo_alice)
    assert acuse.usuario.username == "nomina_sep"
    pagina = sep_cliente.get("/dependencias/avisos-de-suspension/").content.decode()
    assert "Acusado por nomina_sep" in pagina
    # A settled loan has nothing to deduct.
    assert list(cedula.filas(prestamo_alice.dependencia_id, prestamo_alice.primera_quincena + 12)) == []


def test_reminder_sent_once_per_period(django_user_model, prestamo_alice, hoy):
    _usuario(django_user_model, "SEP", "nomina_sep")
    hoy(date(2026, 6, 19))  # 2026-Q11 fell due on 15 June: not yet 5 days; 2026-Q10 (31 May) did
    call_command("avisar_remesas_pendientes")
    call_command("avisar_remesas_pendientes")
    assert [m.subject for m in mail.outbox] == ["Remesa pendiente: SEP 2026-Q10"]
    mail.outbox.clear()
    hoy(date(2026, 6, 20))
    call_command("avisar_remesas_pendientes")
    call_command("avisar_remesas_pendientes")
    assert len(mail.outbox) == 1 and "2026-Q11" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["nomina_sep@ejemplo.gob.mx"]


def test_no_reminder_when_the_remesa_arrived(django_user_model, prestamo_alice, hoy):
    _usuario(django_user_model, "SEP", "nomina_sep")
    hoy(date(2026, 6, 12))
    importar_archivo(f"clave_dependencia,quincena,folio,curp,importe\nSEP,2026-Q11,{FOLIO_ALICE},"
                     f"{prestamo_alice.derechohabiente.curp},701.12\n".encode())
    hoy(date(2026, 6, 25))
    call_command("avisar_remesas_pendientes")
    assert mail.outbox == []



def test_capp_sees_which_notices_are_acknowledged(django_user_model, cliente_staff, prestamo_alice, hoy):
    from django.test import Client

    from tests.recuperacion.test_documentos import pagar_liquidacion

    sep_cliente = con_segundo_factor(Client(), _usuario(django_user_model, "SEP", "nomina_sep"))

    hoy(date(2026, 6, 10))
    pagar_liquidacion(prestamo_alice, pagado=date(2026, 6, 8))
    lista = "/admin/recuperacion/prestamoporsuspender/"
    assert "Sin acuse" in cliente_staff.get(lista).content.decode()
    sep_cliente.post(f"/dependencias/avisos-de-suspension/{FOLIO_ALICE}/acusar-recibo/")
    assert "Acusado por nomina_sep" in cliente_staff.get(lista).content.decode()
    consola = cliente_staff.get(f"/admin/recuperacion/consola/{prestamo_alice.derechohabiente_id}/estado-de-cuenta/").content.decode()
    assert "Acuse de la dependencia: nomina_sep" in consola


@pytest.mark.parametrize("url", [
    "/dependencias/", "/dependencias/cedula/SEP/2026-Q12/", "/dependencias/descuentos-omitidos/",
    "/dependencias/avisos-de-suspension/", "/dependencias/cargar-remesa/",
])
def test_pages_run_a_fixed_number_of_queries(sep_cliente, prestamo_alice, hoy, url, django_assert_max_num_queries):
    from tests.fabricas import CURP_ALICE, cargar_prestamos

    hoy(date(2026, 6, 20))
    for i in range(3):  # more loans, settled loans and omissions do not add queries
        cargar_prestamos(f"2000000001{i},{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2025-05-10,2025-Q10,LIQUIDADO,24,2026-06-0{i + 1}")
        AvisoOmision.objects.create(prestamo=prestamo_alice, quincena=f"2026-Q0{i + 1}", pendiente=D("1.00"),
                                    detectada=date(2026, 6, 1))
    with django_assert_max_num_queries(14):
        assert sep_cliente.get(url).status_code == 200
