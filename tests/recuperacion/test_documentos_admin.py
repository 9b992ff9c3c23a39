"""CAPP's admin: the loans each dependencia must stop deducting (page and CSV), and the issued documents."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from oficina.verificacion import agrupado
from prestamos.models import Dependencia, Prestamo
from recuperacion.verificacion import emitir_carta_liquidacion
from tests.fabricas import CURP_ALICE, CURP_BOB, cargar_prestamos, prestamos_de

LISTA = "admin:recuperacion_prestamoporsuspender_changelist"
CSV = "admin:recuperacion_prestamoporsuspender_csv"


@pytest.fixture
def liquidados(prestamo_alice, prestamo_bob):
    """Alice (SEP): one paid off in 2020, one on 10 June 2026. Bob (SSA): 1 and 15 June 2026.
    IMSS, whose name would be a spreadsheet formula: 12 June 2026. Alice's and Bob's loans in force stay out."""
    cargar_prestamos(
        f"10000000009,{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31",
        f"10000000010,{CURP_ALICE},ORDINARIO,8000.00,11.50,24,2025-01-10,2025-Q02,LIQUIDADO,24,2026-06-10",
        f"10000000008,{CURP_BOB},ESPECIAL,15000.00,12.00,24,2025-01-10,2025-Q02,LIQUIDADO,24,2026-06-15",
        f"10000000011,{CURP_BOB},ESPECIAL,9000.00,12.00,24,2025-01-10,2025-Q02,LIQUIDADO,24,2026-06-01",
    )
    imss = Dependencia.objects.create(clave="IMSS", nombre='=HYPERLINK("http://x")')
    [otro] = prestamos_de(imss, 1)
    Prestamo.objects.filter(pk=otro.pk).update(estado="LIQUIDADO", fecha_liquidacion=date(2026, 6, 12))
    return otro


def filas_csv(respuesta) -> list[list[str]]:
    return list(csv.reader(io.StringIO(respuesta.content.decode())))


def folios_en(html: str) -> set[str]:
    return {f for f in ("10000000009", "10000000010", "10000000008", "10000000011", "30000000000") if f in html}


@pytest.mark.django_db
def test_it_lists_every_paid_off_loan_with_its_first_quincena_without_deduction(cliente_staff, liquidados):
    html = cliente_staff.get(reverse(LISTA)).content.decode()

    assert folios_en(html) == {"10000000009", "10000000010", "10000000008", "10000000011", "30000000000"}
    assert "20000000001" not in html and "20000000002" not in html  # in force
    assert "1ª quincena de junio de 2026, del 1 al 15 de junio" in html  # 10 June
    assert "2ª quincena de junio de 2026, del 16 al 30 de junio" in html  # 15 June, a due date
    assert "1ª quincena de febrero de 2020, del 1 al 15 de febrero" in html  # 31 January 2020, a due date
    assert CURP_ALICE in html and "Alicia García" in html and "$886.41" not in html
    assert "Exportar CSV" in html


@pytest.mark.django_db
def test_it_filters_by_quincena_and_dependencia(cliente_staff, liquidados):
    sep = Dependencia.objects.get(clave="SEP")

    html = cliente_staff.get(reverse(LISTA), {"quincena": "2026-Q11"}).content.decode()
    assert folios_en(html) == {"10000000010", "10000000011", "30000000000"}

    html = cliente_staff.get(reverse(LISTA), {"quincena": "2026-Q11", "dependencia__id__exact": sep.pk}).content.decode()
    assert folios_en(html) == {"10000000010"}

    html = cliente_staff.get(reverse(LISTA), {"quincena": "2026-Q12"}).content.decode()
    assert folios_en(html) == {"10000000008"}


@pytest.mark.django_db
def test_it_exports_the_same_rows_as_csv(cliente_staff, liquidados):
    filas = filas_csv(cliente_staff.get(reverse(CSV), {"quincena": "2026-Q11"}))

    assert filas[0] == [
        "clave_dependencia", "dependencia", "folio", "curp", "rfc", "nombre", "descuento_quincenal",
        "fecha_liquidacion", "primera_quincena_sin_descuento",
    ]
    por_folio = {f[2]: f for f in filas[1:]}
    assert set(por_folio) == {"10000000010", "10000000011", "30000000000"}
    alice = por_folio["10000000010"]
    assert alice[:2] == ["SEP", "Secretaría de Educación Pública"]
    assert alice[3] == CURP_ALICE and alice[5] == "Alicia García"
    assert alice[7:] == ["2026-06-10", "2026-Q11"]
    assert por_folio["10000000011"][:2] == ["SSA", "Secretaría de Salud"]


@pytest.mark.django_db
def test_the_csv_neutralises_formulas_and_follows_every_filter(cliente_staff, liquidados):
    ssa = Dependencia.objects.get(clave="SSA")
    respuesta = cliente_staff.get(reverse(CSV), {"dependencia__id__exact": ssa.pk})
    assert {f[2] for f in filas_csv(respuesta)[1:]} == {"10000000008", "10000000011"}
    assert f"suspender-descuentos-{ssa.pk}.csv" in respuesta["Content-Disposition"]

    [imss] = [f for f in filas_csv(cliente_staff.get(reverse(CSV)))[1:] if f[0] == "IMSS"]
    assert imss[1] == '\'=HYPERLINK("http://x")'


@pytest.mark.django_db
def test_it_says_when_a_quincena_is_badly_written(cliente_staff, liquidados):
    html = cliente_staff.get(reverse(LISTA), {"quincena": "2026-Q99"}).content.decode()
    assert "entre 1 y 24" in html and not folios_en(html)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 30])
def test_the_list_takes_a_fixed_number_of_queries(cliente_staff, django_assert_max_num_queries, sep, n):
    Prestamo.objects.filter(pk__in=[p.pk for p in prestamos_de(sep, n)]).update(
        estado="LIQUIDADO", fecha_liquidacion=date(2026, 6, 10)
    )
    with django_assert_max_num_queries(9):  # + the second factor check of every admin request
        assert cliente_staff.get(reverse(LISTA), {"quincena": "2026-Q11"}).status_code == 200
    with django_assert_max_num_queries(7):  # session, user, second factor, then the list itself
        respuesta = cliente_staff.get(reverse(CSV), {"quincena": "2026-Q11"})
    assert len(filas_csv(respuesta)) == n + 1


@pytest.mark.django_db
def test_it_is_for_staff_only(cliente_alice, liquidados):
    assert cliente_alice.get(reverse(LISTA)).status_code in (302, 403)
    respuesta = cliente_alice.get(reverse(CSV))
    assert respuesta.status_code in (302, 403) and b"10000000010" not in respuesta.content


@pytest.mark.django_db
def test_it_is_linked_from_the_admin_index_and_read_only(cliente_staff, liquidados):
    assert reverse(LISTA) in cliente_staff.get(reverse("admin:index")).content.decode()
    assert cliente_staff.get(reverse("admin:recuperacion_prestamoporsuspender_add")).status_code == 403


@pytest.mark.django_db
def test_staff_find_an_issued_document_by_its_code(cliente_staff, liquidados):
    prestamo = Prestamo.objects.select_related("derechohabiente").get(folio="10000000009")
    carta = emitir_carta_liquidacion(prestamo=prestamo, fecha_liquidacion=date(2020, 1, 31), hoy=date(2026, 6, 5))

    url = reverse("admin:recuperacion_documentoverificable_changelist")
    html = cliente_staff.get(url, {"q": carta.codigo}).content.decode()

    assert carta.folio in html and agrupado(carta.codigo) in html
    assert cliente_staff.get(reverse("admin:recuperacion_documentoverificable_add")).status_code == 403
