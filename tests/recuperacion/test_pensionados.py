"""Pensioners (docs/reglas.md §12): monthly loans from the pension payroll, end to end through the pages."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import Fopi
from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.calculo import Mes
from prestamos.models import Dependencia, Derechohabiente, Prestamo
from tests.fabricas import CURP_ALICE, CURP_BOB, FOLIO_ALICE, FOLIO_BOB

CURP_ROSA = "GUDR550312MDFTZS03"
FOLIO_ROSA = "20260000004"
ENCABEZADO_PENSIONES = (
    "folio,curp,tipo,importe,tasa_anual,plazo,fecha_otorgamiento,primer_periodo,estado,quincenas_pagadas,fecha_liquidacion\n"
)


@pytest.fixture
def rosa(django_user_model):
    """A pensioner in the padrón (tipo PENSIONADO), paid by the pension payroll, with a monthly loan."""
    from allauth.account.models import EmailAddress

    importar_archivo(b"clave,nombre\nPENSIONES,Nomina de pensiones\n")
    importar_archivo(
        "curp,nombre,primer_apellido,segundo_apellido,rfc,clave_dependencia,tipo\n"
        f"{CURP_ROSA},Rosa,Gutiérrez,Díaz,GUDR550312K76,PENSIONES,PENSIONADO\n".encode()
    )
    usuario = django_user_model.objects.create_user(username="rosa", email="rosa@ejemplo.mx", password="Prestamo2026!")
    EmailAddress.objects.create(user=usuario, email=usuario.email, verified=True, primary=True)
    Derechohabiente.objects.filter(curp=CURP_ROSA).update(usuario=usuario)
    importar_archivo(
        (ENCABEZADO_PENSIONES + f"{FOLIO_ROSA},{CURP_ROSA},ORDINARIO,30000.00,11.50,24,2025-12-20,2026-M01,VIGENTE,4,\n").encode()
    )
    return usuario


def remesa_pensiones(mes: str, *filas) -> bytes:
    return ("clave_dependencia,quincena,folio,curp,importe\n"
            + "".join(f"PENSIONES,{mes},{folio},{curp},{importe}\n" for folio, curp, importe in filas)).encode()


@pytest.mark.django_db
def test_the_padron_marks_pensioners_and_old_files_still_load(rosa, sep):
    assert Derechohabiente.objects.get(curp=CURP_ROSA).tipo == "PENSIONADO"
    importar_archivo(
        f"curp,nombre,primer_apellido,segundo_apellido,rfc,clave_dependencia\n{CURP_BOB},Roberto,Hernández,,,SEP\n".encode()
    )
    assert Derechohabiente.objects.get(curp=CURP_BOB).tipo == "TRABAJADOR"


@pytest.mark.django_db
def test_a_monthly_loan_loads_with_its_monthly_cuota_and_schedule(rosa):
    prestamo = Prestamo.objects.get(folio=FOLIO_ROSA)
    assert prestamo.primera_quincena == Mes(2026, 1) and prestamo.cuota == D("1405.21")


@pytest.mark.django_db
def test_a_remesa_of_the_other_kind_is_refused_with_a_clear_line(rosa, prestamo_alice, hoy):
    hoy(date(2026, 7, 3))
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo(remesa_pensiones("2026-Q11", (FOLIO_ROSA, CURP_ROSA, "1405.21")))
    assert "se descuenta por mes (descuento mensual); esta remesa es de quincena (2026-Q11)" in exc.value.mensaje()
    sep = "clave_dependencia,quincena,folio,curp,importe\n"
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo(f"{sep}SEP,2026-M05,{FOLIO_ALICE},{CURP_ALICE},701.12\n".encode())
    assert "se descuenta por quincena" in exc.value.mensaje()


@pytest.mark.django_db
def test_a_monthly_remesa_loads_once_and_is_ya_cargado_again(rosa, hoy):
    hoy(date(2026, 7, 3))
    contenido = remesa_pensiones("2026-M05", (FOLIO_ROSA, CURP_ROSA, "1405.21"))
    assert importar_archivo(contenido).creadas == 1
    assert importar_archivo(contenido).detalle["ya cargado"] == 1
    with pytest.raises(ArchivoRechazado, match="todavía no transcurre"):
        importar_archivo(remesa_pensiones("2026-M08", (FOLIO_ROSA, CURP_ROSA, "1405.21")))


@pytest.mark.django_db
def test_the_pensioner_reads_months_and_is_told_her_pension_may_be_suspended(rosa, client, hoy):
    """May's pension payroll came for others but without Rosa's deduction: the statement speaks in months,
    names the missing month and says what to do about a suspended pension; she regularizes by a FOPI valid
    to the month's end."""
    hoy(date(2026, 6, 10))
    otro = Derechohabiente.objects.create(
        curp=CURP_BOB, nombre="Jorge", primer_apellido="Méndez", dependencia=Dependencia.objects.get(clave="PENSIONES"),
        tipo="PENSIONADO",
    )
    importar_archivo((ENCABEZADO_PENSIONES + f"{FOLIO_BOB},{otro.curp},ORDINARIO,20000.00,11.50,24,2025-12-20,"
                                               "2026-M01,VIGENTE,4,\n").encode())
    importar_archivo(remesa_pensiones("2026-M05", (FOLIO_BOB, CURP_BOB, Prestamo.objects.get(folio=FOLIO_BOB).cuota)))
    client.force_login(rosa)

    html = client.get(reverse("estado_cuenta")).content.decode()
    assert "Descuento mensual" in html and "Meses pagados / por pagar" in html and "24 meses" in html
    assert "mayo de 2026" in html
    assert "control de supervivencia" in html

    regularizacion = client.get(reverse("regularizacion")).content.decode()
    assert "mayo de 2026" in regularizacion
    client.post(reverse("regularizacion"), {"prestamo": FOLIO_ROSA})
    fopi = Fopi.objects.get()
    assert fopi.tipo == "REGULARIZACION" and fopi.vigencia == date(2026, 6, 30)  # the month's end


@pytest.mark.django_db
def test_a_worker_is_not_told_about_pensions(prestamo_alice, cliente_alice, hoy):
    hoy(date(2026, 8, 20))
    html = cliente_alice.get(reverse("estado_cuenta")).content.decode()
    assert "Descuento quincenal" in html and "control de supervivencia" not in html
