"""CAPP's admin: deductions, notices, the "Dependencias omisas" report and its CSV, file upload."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prestamos.models import Dependencia, Movimiento
from recuperacion.models import Descuento
from tests.fabricas import CURP_ALICE, ENCABEZADO, FOLIO_ALICE, filas_de, prestamos_de, remesa

REPORTE = "admin:recuperacion_dependenciaomisa_changelist"


@pytest.fixture
def quincena_11(prestamo_alice, prestamo_bob, hoy):
    """SEP: Alice and two co-workers expected, Alice and one co-worker deducted. SSA (Bob): no remesa.
    IMSS: a loan whose first deduction is later (not expected); its name would be a spreadsheet formula."""
    hoy(date(2026, 6, 20))
    sep = Dependencia.objects.get(clave="SEP")
    companeros = prestamos_de(sep, 2)
    imss = Dependencia.objects.create(clave="IMSS", nombre="=HYPERLINK(\"http://x\")")
    [tardio] = prestamos_de(imss, 1, desde=50)
    tardio.primera_quincena = "2026-Q13"
    tardio.save()
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), *filas_de(companeros[:1]))
    return companeros


def filas_csv(respuesta):
    return list(csv.reader(io.StringIO(respuesta.content.decode())))


@pytest.mark.django_db
def test_it_lists_dependencias_that_sent_nothing_or_less(cliente_staff, quincena_11):
    cuota = quincena_11[0].cuota
    html = cliente_staff.get(reverse(REPORTE), {"quincena": "2026-Q11"}).content.decode()
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio" in html
    assert "SSA" in html and "SEP" in html and "IMSS" not in html
    assert "$886.41" in html  # Bob's cuota: expected from SSA, nothing received
    assert f"${cuota}" in html  # SEP's difference: the co-worker left out

    filas = filas_csv(cliente_staff.get(reverse(REPORTE), {"quincena": "2026-Q11", "formato": "csv"}))
    assert filas[0][:3] == ["clave", "dependencia", "quincena"]
    por_clave = {f[0]: f for f in filas[1:]}
    assert por_clave["SSA"][3:] == ["0", "1", "0", "886.41", "0.00", "886.41", "0", "0.00"]
    esperado, recibido = D("701.12") + 2 * cuota, D("701.12") + cuota
    assert por_clave["SEP"][3:] == ["1", "3", "2", str(esperado), str(recibido), str(cuota), "0", "0.00"]


@pytest.mark.django_db
def test_it_neutralises_formulas_in_the_csv(cliente_staff, quincena_11):
    imss = Dependencia.objects.get(clave="IMSS")
    filas = filas_csv(cliente_staff.get(reverse(REPORTE), {"quincena": "2026-Q13", "formato": "csv"}))
    [fila_imss] = [f for f in filas if f[0] == "IMSS"]
    assert fila_imss[1] == "'" + imss.nombre


@pytest.mark.django_db
def test_it_reports_nothing_when_every_remesa_is_complete(cliente_staff, quincena_11):
    html = cliente_staff.get(reverse(REPORTE), {"quincena": "2025-Q24"}).content.decode()
    assert "Todas las dependencias enviaron su remesa completa" in html


@pytest.mark.django_db
def test_it_refuses_a_badly_formed_quincena(cliente_staff, quincena_11):
    respuesta = cliente_staff.get(reverse(REPORTE), {"quincena": "2026-Q99"}, follow=True)
    assert "entre 1 y 24" in respuesta.content.decode()


@pytest.mark.django_db
def test_it_is_for_staff_only(cliente_alice):
    assert cliente_alice.get(reverse(REPORTE)).status_code in (302, 403)
    assert cliente_alice.get(reverse("admin_cargar_archivo")).status_code in (302, 403)


@pytest.mark.django_db
def test_it_links_the_report_from_the_admin_index(cliente_staff):
    assert reverse(REPORTE) in cliente_staff.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_it_lists_and_searches_deductions_read_only(cliente_staff, quincena_11):
    url = reverse("admin:recuperacion_descuento_changelist")
    html = cliente_staff.get(url, {"q": FOLIO_ALICE}).content.decode()
    assert FOLIO_ALICE in html and quincena_11[0].folio not in html
    html = cliente_staff.get(url, {"q": quincena_11[0].derechohabiente.curp}).content.decode()
    assert quincena_11[0].folio in html and FOLIO_ALICE not in html
    descuento = Descuento.objects.first()
    assert cliente_staff.post(reverse("admin:recuperacion_descuento_delete", args=[descuento.pk])).status_code == 403
    assert cliente_staff.get(reverse("admin:recuperacion_avisoomision_changelist")).status_code == 200


@pytest.mark.django_db
def test_it_uploads_a_file_from_the_admin(cliente_staff, staff, prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    url = reverse("admin_cargar_archivo")
    assert cliente_staff.get(url).status_code == 200
    malo = SimpleUploadedFile("descuentos.csv", (ENCABEZADO + f"SEP,2026-Q11,{FOLIO_ALICE},{CURP_ALICE},-1\n").encode())
    html = cliente_staff.post(url, {"archivo": malo}, follow=True).content.decode()
    assert "Archivo rechazado" in html and "línea 2" in html.lower()
    bueno = SimpleUploadedFile("descuentos.csv", (ENCABEZADO + f"SEP,2026-Q11,{FOLIO_ALICE},{CURP_ALICE},701.12\n").encode())
    html = cliente_staff.post(url, {"archivo": bueno}, follow=True).content.decode()
    assert "Archivo de descuentos: 1 fila(s) leída(s), 1 creada(s)" in html
    movimiento = Movimiento.objects.get(tipo="DESCUENTO")
    assert movimiento.registrado_por == staff and Descuento.objects.get().remesa.archivo == "descuentos.csv"
