"""The borrower's documents (docs/reglas.md §9): carta de liquidación, aviso de suspensión de descuentos and constancia
de no adeudo — where the links appear, what each PDF says, whose loans they may be about, and their codes."""

import re
from datetime import date

import pytest
from django.urls import reverse

from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo
from oficina.verificacion import agrupado
from prestamos.models import Derechohabiente, Prestamo
from recuperacion.models import DocumentoVerificable
from tests.fabricas import CURP_ALICE, CURP_BOB, FOLIO_ALICE, cargar_prestamos, paginas, texto

FOLIO_ANTIGUO = "10000000009"  # Alice's loan paid off in 2020, loaded as history
FOLIO_BOB_ANTIGUO = "10000000008"
AVISO = "Aviso de suspensión de descuentos (PDF)"
CONSTANCIA = "Constancia de no adeudo (PDF)"
RECUPERACION = reverse("recuperacion")


def plano(pdf: bytes) -> str:
    return " ".join(texto(pdf).split())


def pagar_liquidacion(prestamo, *, pagado: date):
    """The real payoff: a LIQUIDACION FOPI issued on 5 June and paid at the bank on `pagado`."""
    fopi = fopi_emitir(prestamo=prestamo, tipo="LIQUIDACION", hoy=date(2026, 6, 5))
    importar_archivo(
        f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,L1,{pagado.isoformat()},{fopi.referencia},{fopi.importe}\n".encode()
    )
    prestamo.refresh_from_db()
    assert prestamo.estado == "LIQUIDADO" and prestamo.fecha_liquidacion == pagado
    return prestamo


@pytest.fixture
def antiguo(alice):
    Derechohabiente.objects.filter(pk=alice.pk).update(rfc="GAML850312AB1", segundo_apellido="Sánchez")
    cargar_prestamos(f"{FOLIO_ANTIGUO},{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    return Prestamo.objects.get(folio=FOLIO_ANTIGUO)


@pytest.fixture
def de_bob(bob):
    cargar_prestamos(f"{FOLIO_BOB_ANTIGUO},{CURP_BOB},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    return Prestamo.objects.get(folio=FOLIO_BOB_ANTIGUO)


def renglon_con(folio: str, pdf: bytes) -> list[str]:
    """The words of the table row that starts with `folio` (layout mode keeps a row on one line)."""
    linea = next(linea for linea in texto(pdf, "-layout").splitlines() if linea.strip().startswith(folio))
    return linea.split()


def codigo_en(pdf: bytes) -> str:
    return re.search(r"Código de verificación: ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})", plano(pdf)).group(1)


# --- Aviso de suspensión de descuentos ------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_issues_the_aviso_for_a_loan_paid_off_mid_quincena(cliente_alice, prestamo_alice, hoy):
    pagar_liquidacion(prestamo_alice, pagado=date(2026, 6, 10))
    hoy(date(2026, 6, 12))

    respuesta = cliente_alice.get(reverse("aviso_suspension", args=[FOLIO_ALICE]))

    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "application/pdf"
    assert paginas(respuesta.content) == 1
    contenido = plano(respuesta.content)
    documento = DocumentoVerificable.objects.get(tipo="AVISO_SUSPENSION")
    assert f"Folio: {documento.folio}" in contenido and documento.folio.startswith("ASD-2026")
    assert "Ciudad de México, a 12/06/2026" in contenido
    assert "Área de nómina (Recursos Humanos) Secretaría de Educación Pública" in contenido
    assert FOLIO_ALICE in contenido and "Alicia García" in contenido and CURP_ALICE in contenido
    assert "liquidado en su totalidad el 10/06/2026" in contenido
    # Paid off on 10 June: the quincena due 15 June is the first no longer to deduct.
    assert "a partir de la 1ª quincena de junio de 2026, del 1 al 15 de junio (2026-Q11), inclusive" in contenido
    assert "$701.12" in contenido
    assert codigo_en(respuesta.content) == agrupado(documento.codigo)
    assert documento.prestamo == prestamo_alice and documento.fecha_hecho == date(2026, 6, 10)
    cliente_alice.logout()
    pagina = cliente_alice.get(reverse("verificar", args=[codigo_en(respuesta.content)])).content.decode()
    assert "Documento válido" in pagina and "Aviso de suspensión de descuentos" in pagina and "10/06/2026" in pagina


@pytest.mark.django_db
def test_a_payoff_on_the_due_date_stops_deductions_from_the_next_quincena(cliente_alice, prestamo_alice, hoy):
    pagar_liquidacion(prestamo_alice, pagado=date(2026, 6, 15))
    hoy(date(2026, 6, 20))

    contenido = plano(cliente_alice.get(reverse("aviso_suspension", args=[FOLIO_ALICE])).content)

    assert "a partir de la 2ª quincena de junio de 2026, del 16 al 30 de junio (2026-Q12), inclusive" in contenido


@pytest.mark.django_db
def test_it_shows_the_aviso_link_for_every_paid_off_loan_and_only_those(cliente_alice, prestamo_alice, antiguo):
    inicio = cliente_alice.get(RECUPERACION).content.decode()
    url = reverse("aviso_suspension", args=[FOLIO_ANTIGUO])
    assert f'<a href="{url}">{AVISO}</a>' in inicio
    assert reverse("aviso_suspension", args=[FOLIO_ALICE]) not in inicio

    assert AVISO in cliente_alice.get(reverse("prestamo", args=[FOLIO_ANTIGUO])).content.decode()
    assert AVISO not in cliente_alice.get(reverse("prestamo", args=[FOLIO_ALICE])).content.decode()
    estado = cliente_alice.get(reverse("estado_cuenta")).content.decode()
    assert url in estado and reverse("aviso_suspension", args=[FOLIO_ALICE]) not in estado


@pytest.mark.django_db
def test_the_aviso_of_a_loan_in_force_is_not_found(cliente_alice, prestamo_alice):
    respuesta = cliente_alice.get(reverse("aviso_suspension", args=[FOLIO_ALICE]))
    assert respuesta.status_code == 404
    assert "aún no está liquidado" in respuesta.content.decode()
    assert not DocumentoVerificable.objects.exists()


@pytest.mark.django_db
def test_nobody_gets_another_borrowers_documents(client, antiguo, de_bob):
    client.force_login(de_bob.derechohabiente.usuario)
    for nombre in ("aviso_suspension", "carta_liquidacion"):
        assert client.get(reverse(nombre, args=[FOLIO_ANTIGUO])).status_code == 404
        assert client.get(reverse(nombre, args=[FOLIO_BOB_ANTIGUO])).status_code == 200
    assert not DocumentoVerificable.objects.filter(derechohabiente=antiguo.derechohabiente).exists()
    assert FOLIO_ANTIGUO not in client.get(RECUPERACION).content.decode()
    assert FOLIO_ANTIGUO.encode() not in client.get(reverse("constancia_no_adeudo")).content


@pytest.mark.django_db
def test_documents_need_a_borrowers_login(client, antiguo):
    for url in (reverse("aviso_suspension", args=[FOLIO_ANTIGUO]), reverse("constancia_no_adeudo")):
        respuesta = client.get(url)
        assert respuesta.status_code == 302 and reverse("account_login") in respuesta["Location"]


@pytest.mark.django_db
def test_the_aviso_takes_a_fixed_number_of_queries(cliente_alice, antiguo, django_assert_max_num_queries):
    url = reverse("aviso_suspension", args=[FOLIO_ANTIGUO])
    with django_assert_max_num_queries(13):  # first issue: registers the document (5 queries)
        assert cliente_alice.get(url).status_code == 200
    with django_assert_max_num_queries(9):
        assert cliente_alice.get(url).status_code == 200


# --- Carta de liquidación ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_carta_carries_the_same_code_on_every_download(cliente_alice, antiguo, hoy, client):
    hoy(date(2026, 6, 5))
    primera = cliente_alice.get(reverse("carta_liquidacion", args=[FOLIO_ANTIGUO])).content
    hoy(date(2026, 8, 1))
    segunda = cliente_alice.get(reverse("carta_liquidacion", args=[FOLIO_ANTIGUO])).content

    documento = DocumentoVerificable.objects.get()
    assert documento.tipo == "CARTA_LIQUIDACION" and documento.prestamo == antiguo
    assert codigo_en(primera) == codigo_en(segunda) == agrupado(documento.codigo)
    assert "Ciudad de México, a 05/06/2026" in plano(segunda)  # the date of first issue, on every copy
    assert f"Folio: {documento.folio}" in plano(segunda)

    client.logout()
    pagina = client.get(reverse("verificar", args=[codigo_en(segunda)])).content.decode()
    assert "Documento válido" in pagina and documento.folio in pagina and "Alicia G. S." in pagina


# --- Constancia de no adeudo ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_borrower_with_nothing_in_force_downloads_the_constancia(cliente_alice, antiguo, hoy):
    hoy(date(2026, 6, 5))
    inicio = cliente_alice.get(RECUPERACION).content.decode()
    assert f'<a href="{reverse("constancia_no_adeudo")}">{CONSTANCIA}</a>' in inicio

    respuesta = cliente_alice.get(reverse("constancia_no_adeudo"))

    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "application/pdf"
    assert paginas(respuesta.content) == 1
    contenido = plano(respuesta.content)
    documento = DocumentoVerificable.objects.get(tipo="CONSTANCIA_NO_ADEUDO")
    assert documento.folio.startswith("CNA-2026") and f"Folio: {documento.folio}" in contenido
    assert "hace constar que Alicia García Sánchez, con CURP GAML850312MDFRPR02 y RFC GAML850312AB1" in contenido
    assert "no tiene adeudo por préstamos personales con este Instituto al 05/06/2026" in contenido
    assert renglon_con(FOLIO_ANTIGUO, respuesta.content) == [FOLIO_ANTIGUO, "Especial", "$15,000.00", "31/01/2020"]
    assert codigo_en(respuesta.content) == agrupado(documento.codigo)
    assert documento.prestamo is None and documento.emitido == date(2026, 6, 5)


@pytest.mark.django_db
def test_someone_who_never_borrowed_gets_a_constancia_too(cliente_alice):
    assert CONSTANCIA in cliente_alice.get(RECUPERACION).content.decode()
    contenido = plano(cliente_alice.get(reverse("constancia_no_adeudo")).content)
    assert "No registra préstamos personales con el Instituto." in contenido


@pytest.mark.django_db
@pytest.mark.parametrize("dia", [date(2026, 6, 5), date(2026, 9, 1)])  # vigente, then en cobranza
def test_a_borrower_with_a_loan_in_force_gets_no_constancia(cliente_alice, prestamo_alice, antiguo, hoy, dia):
    hoy(dia)
    inicio = cliente_alice.get(RECUPERACION).content.decode()
    assert CONSTANCIA not in inicio and reverse("constancia_no_adeudo") not in inicio

    respuesta = cliente_alice.get(reverse("constancia_no_adeudo"))

    assert respuesta.status_code == 409
    assert "Tienes un préstamo personal vigente o en cobranza" in respuesta.content.decode()
    assert not DocumentoVerificable.objects.exists()


@pytest.mark.django_db
def test_paying_off_the_last_loan_makes_the_constancia_available(cliente_alice, prestamo_alice, hoy):
    pagar_liquidacion(prestamo_alice, pagado=date(2026, 6, 10))
    hoy(date(2026, 6, 12))

    assert CONSTANCIA in cliente_alice.get(RECUPERACION).content.decode()
    pdf = cliente_alice.get(reverse("constancia_no_adeudo")).content
    assert renglon_con(FOLIO_ALICE, pdf) == [FOLIO_ALICE, "Ordinario", "$30,000.00", "10/06/2026"]


@pytest.mark.django_db
def test_one_constancia_a_day(cliente_alice, hoy):
    hoy(date(2026, 6, 5))
    cliente_alice.get(reverse("constancia_no_adeudo"))
    cliente_alice.get(reverse("constancia_no_adeudo"))
    hoy(date(2026, 6, 6))
    cliente_alice.get(reverse("constancia_no_adeudo"))

    assert sorted(DocumentoVerificable.objects.values_list("emitido", flat=True)) == [date(2026, 6, 5), date(2026, 6, 6)]


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 15])
def test_the_landing_page_and_the_constancia_take_a_fixed_number_of_queries(
    cliente_alice, alice, django_assert_max_num_queries, n
):
    cargar_prestamos(*(
        f"1{k:010d},{CURP_ALICE},ORDINARIO,{1000 + k}.00,11.50,24,2024-01-05,2024-Q02,LIQUIDADO,24,2025-01-31"
        for k in range(n)
    ))
    with django_assert_max_num_queries(8):
        assert cliente_alice.get(RECUPERACION).status_code == 200
    with django_assert_max_num_queries(12):
        assert cliente_alice.get(reverse("constancia_no_adeudo")).status_code == 200
    with django_assert_max_num_queries(9):
        assert cliente_alice.get(reverse("constancia_no_adeudo")).status_code == 200


@pytest.mark.django_db
def test_the_landing_page_has_no_documents_block_for_a_borrower_with_only_a_loan_in_force(cliente_alice, prestamo_alice):
    inicio = cliente_alice.get(RECUPERACION).content.decode()
    assert "<h2>Documentos</h2>" not in inicio and AVISO not in inicio
    assert "Formato de pago (FOPI)" in inicio
