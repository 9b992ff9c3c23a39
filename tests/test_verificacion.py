"""Verifiable documents (docs/reglas.md §9): the codes, the seal printed on paper and the public page /verificar/."""

import io
import re
import shutil
import subprocess
import tempfile
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from reportlab.platypus import SimpleDocTemplate

from oficina import verificacion as codigos
from oficina.pdf import nuevo_canvas
from oficina.verificacion_pdf import SelloFlowable, SelloVerificacion, dibujar_sello
from prestamos.models import Derechohabiente, Prestamo
from recuperacion.models import DocumentoVerificable
from recuperacion.verificacion import emitir_carta_liquidacion, emitir_constancia_no_adeudo, registrar_documento
from tests.fabricas import CURP_ALICE, a_la_vez, cargar_prestamos, texto

FOLIO_LIQUIDADO = "10000000009"
AGRUPADO = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}")


# --- Codes ------------------------------------------------------------------------------------------------


def test_it_makes_random_codes_of_100_bits_printed_in_five_groups():
    hechos = {codigos.nuevo_codigo() for _ in range(2000)}

    assert len(hechos) == 2000
    assert all(len(c) == 20 and set(c) <= set(codigos.ALFABETO) for c in hechos)
    assert codigos.BITS >= 80 and len(codigos.ALFABETO) ** codigos.LONGITUD == 2**codigos.BITS
    assert all(AGRUPADO.fullmatch(codigos.agrupado(c)) for c in hechos)
    # Every character position takes every symbol: nothing fixed an attacker could rely on.
    for posicion in range(codigos.LONGITUD):
        assert len({c[posicion] for c in hechos}) == 32


@pytest.mark.parametrize(
    "escrito",
    [
        "ABCD-EFGH-JKMN-PQRS-TV01",
        "abcd-efgh-jkmn-pqrs-tv01",
        "ABCDEFGHJKMNPQRSTV01",
        " abcd efgh jkmn pqrs tv01 ",
        "ABCD–EFGH–JKMN–PQRS–TVOI",  # en dashes from a word processor, O and I for 0 and 1
        "ABCD-EFGH-JKMN-PQRS-TVOL",
    ],
)
def test_it_reads_a_code_the_way_people_type_it(escrito):
    assert codigos.normalizar(escrito) == "ABCDEFGHJKMNPQRSTV01"


@pytest.mark.parametrize(
    "escrito", ["", "ABCD-EFGH", "ABCD-EFGH-JKMN-PQRS-TV01-X", "ABCD-EFGH-JKMN-PQRS-TVU1", "<script>", "A" * 500, None]
)
def test_it_refuses_what_cannot_be_a_code(escrito):
    assert codigos.normalizar(escrito) is None


@pytest.mark.parametrize(
    "nombre, apellidos, esperado",
    [
        ("María", ("López", "Sánchez"), "María L. S."),
        ("María Luisa", ("López", "Sánchez"), "María Luisa L. S."),
        ("Ana", ("López", ""), "Ana L."),
        ("Ana", ("López",), "Ana L."),
        ("  José   Ángel ", ("ávila", "ñúñez"), "José Ángel Á. Ñ."),
        ("Juan", ("de la Garza", "Treviño"), "Juan D. T."),
    ],
)
def test_it_reduces_surnames_to_initials(nombre, apellidos, esperado):
    assert codigos.nombre_con_iniciales(nombre, *apellidos) == esperado


def test_it_points_to_the_portal_url(settings):
    settings.PORTAL_URL = "https://oficinavirtual.issste.gob.mx/"
    url = codigos.url_verificacion("ABCDEFGHJKMNPQRSTV01")
    assert url == "https://oficinavirtual.issste.gob.mx/verificar/ABCD-EFGH-JKMN-PQRS-TV01/"


# --- The seal on paper --------------------------------------------------------------------------------------

SELLO = SelloVerificacion(
    codigo="ABCD-EFGH-JKMN-PQRS-TV01", url="https://oficinavirtual.issste.gob.mx/verificar/ABCD-EFGH-JKMN-PQRS-TV01/"
)


def _qr_leido(pdf: bytes) -> list[str]:
    """What a phone would read: the page rasterised at a printer's resolution, decoded by zbar."""
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (apt-get install zbar-tools) no está instalado")
    with tempfile.TemporaryDirectory() as carpeta:
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", "-", f"{carpeta}/pagina"], input=pdf, check=True)
        salida = subprocess.run(["zbarimg", "--quiet", "--raw", f"{carpeta}/pagina.png"], capture_output=True)
    return salida.stdout.decode().split()


def test_it_draws_a_qr_that_reads_as_the_verification_url_and_the_code_in_letters():
    buffer = io.BytesIO()
    canvas = nuevo_canvas(buffer, titulo="sello")
    dibujar_sello(canvas, SELLO, y=100)
    canvas.showPage()
    canvas.save()

    assert "ABCD-EFGH-JKMN-PQRS-TV01" in texto(buffer.getvalue())
    assert SELLO.url in texto(buffer.getvalue()).replace("\n", "")
    assert _qr_leido(buffer.getvalue()) == [SELLO.url]


def test_it_offers_the_seal_as_a_flowable_for_platypus_documents():
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer).build([SelloFlowable(SELLO)])

    assert "ABCD-EFGH-JKMN-PQRS-TV01" in texto(buffer.getvalue())
    assert _qr_leido(buffer.getvalue()) == [SELLO.url]


# --- Registering documents ----------------------------------------------------------------------------------


@pytest.fixture
def liquidado(alice):
    Derechohabiente.objects.filter(pk=alice.pk).update(segundo_apellido="Sánchez")
    cargar_prestamos(f"{FOLIO_LIQUIDADO},{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    return Prestamo.objects.select_related("derechohabiente").get(folio=FOLIO_LIQUIDADO)


@pytest.fixture
def carta(liquidado):
    return emitir_carta_liquidacion(prestamo=liquidado, fecha_liquidacion=date(2020, 1, 31), hoy=date(2026, 6, 5))


@pytest.mark.django_db
def test_it_registers_a_document_once_with_its_folio_and_code(liquidado, carta):
    otra_vez = emitir_carta_liquidacion(prestamo=liquidado, fecha_liquidacion=date(2020, 1, 31), hoy=date(2026, 7, 1))

    assert otra_vez.pk == carta.pk and otra_vez.codigo == carta.codigo
    assert otra_vez.emitido == date(2026, 6, 5)  # every copy carries the date of first issue
    assert carta.folio == f"CL-2026{carta.pk:06d}"
    assert carta.prestamo == liquidado and carta.derechohabiente == liquidado.derechohabiente
    assert carta.fecha_hecho == date(2020, 1, 31)


@pytest.mark.django_db
def test_it_issues_a_new_document_when_what_it_attests_changes(liquidado, carta):
    # The same loan settled again on another date after a correction: a new carta, a new code.
    nueva = emitir_carta_liquidacion(prestamo=liquidado, fecha_liquidacion=date(2020, 2, 15), hoy=date(2026, 7, 1))

    assert nueva.pk != carta.pk and nueva.codigo != carta.codigo


@pytest.mark.django_db
def test_another_kind_of_document_registers_itself_with_an_amount(liquidado):
    comprobante = registrar_documento(
        tipo=DocumentoVerificable.Tipo.COMPROBANTE_PAGO, asunto="movimiento:1", derechohabiente=liquidado.derechohabiente,
        prestamo=liquidado, importe=Decimal("1234.565"), fecha_hecho=date(2026, 6, 15), emitido=date(2026, 6, 16),
    )
    assert comprobante.folio.startswith("CP-2026")
    assert str(comprobante.importe) == "1234.57"


# --- The public page ----------------------------------------------------------------------------------------


def url_de(documento) -> str:
    return reverse("verificar", args=[codigos.agrupado(documento.codigo)])


@pytest.mark.django_db
def test_it_confirms_a_real_code_without_login_showing_initials_only(client, carta, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        respuesta = client.get(url_de(carta))

    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Documento válido" in html
    assert "Carta de liquidación" in html
    assert carta.folio in html
    assert "05/06/2026" in html  # date of issue
    assert "Alicia G. S." in html and "García" not in html and "Sánchez" not in html
    assert FOLIO_LIQUIDADO in html and "31/01/2020" in html
    assert CURP_ALICE not in html
    assert "no-store" in respuesta["Cache-Control"] and "noindex" in respuesta["X-Robots-Tag"]


@pytest.mark.django_db
def test_it_accepts_the_code_as_typed_from_paper(client, carta):
    tecleado = codigos.agrupado(carta.codigo).lower().replace("-", "")
    assert client.get(reverse("verificar", args=[tecleado])).status_code == 200

    respuesta = client.get(reverse("verificar_inicio"), {"codigo": tecleado})
    assert respuesta.status_code == 302 and respuesta["Location"] == url_de(carta)
    assert "Código de verificación" in client.get(reverse("verificar_inicio")).content.decode()


def _alterado(codigo: str) -> str:
    siguiente = codigos.ALFABETO[(codigos.ALFABETO.index(codigo[7]) + 1) % 32]
    return codigo[:7] + siguiente + codigo[8:]


@pytest.mark.django_db
@pytest.mark.parametrize("cambio", [_alterado, lambda c: c[:-1], lambda c: c + "X", lambda c: "<b>" + c])
def test_it_says_an_altered_or_unknown_code_is_not_valid(client, carta, cambio):
    respuesta = client.get(reverse("verificar", args=[cambio(carta.codigo)]))

    html = respuesta.content.decode()
    assert respuesta.status_code == 404
    assert "El código no es válido" in html and "no es auténtico" in html
    assert "Documento válido" not in html and carta.folio not in html
    assert "<b>" not in html.split("no es válido", 1)[1].split("</div>", 1)[0].replace("<strong>", "")


@pytest.mark.django_db
def test_it_says_a_typed_code_that_cannot_be_one_is_not_valid(client):
    respuesta = client.get(reverse("verificar_inicio"), {"codigo": "hola"})
    assert respuesta.status_code == 404 and "El código no es válido" in respuesta.content.decode()


@pytest.mark.django_db
def test_it_warns_when_a_correction_undid_the_payoff_the_document_attests(client, liquidado, carta):
    Prestamo.objects.filter(pk=liquidado.pk).update(estado=Prestamo.Estado.VIGENTE, fecha_liquidacion=None)

    html = client.get(url_de(carta)).content.decode()

    assert "Documento sin validez" in html and "Documento válido" not in html


@pytest.mark.django_db
def test_a_constancia_shows_no_loan_and_the_borrower_by_initials(client, alice):
    constancia = emitir_constancia_no_adeudo(derechohabiente=alice, hoy=date(2026, 6, 5))

    html = client.get(url_de(constancia)).content.decode()

    assert "Constancia de no adeudo" in html and constancia.folio.startswith("CNA-2026") and constancia.folio in html
    assert "Alicia G." in html and "<dt>Préstamo</dt>" not in html


@pytest.mark.django_db
def test_it_limits_each_client_to_30_checks_a_minute_in_spanish(client, carta):
    url = url_de(carta)
    for _ in range(30):
        assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200

    bloqueada = client.get(url, REMOTE_ADDR="203.0.113.7")
    assert bloqueada.status_code == 429
    assert "Demasiadas consultas" in bloqueada.content.decode() and bloqueada["Retry-After"] == "60"
    # Guessing through the form or with wrong codes counts the same.
    assert client.get(reverse("verificar", args=["ABCD"]), REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get(url, REMOTE_ADDR="198.51.100.20").status_code == 200


@pytest.mark.django_db
def test_it_counts_the_client_behind_the_trusted_proxy(client, carta, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = url_de(carta)
    for _ in range(30):
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_downloads_at_once_register_one_document(liquidado):
    """A double click: both requests insert, the unique (tipo, asunto) keeps one, both print the same code."""
    emitidos, errores = a_la_vez(
        lambda: emitir_carta_liquidacion(prestamo=liquidado, fecha_liquidacion=date(2020, 1, 31), hoy=date(2026, 6, 5)),
        veces=4,
    )
    assert errores == []
    assert DocumentoVerificable.objects.count() == 1
    unico = DocumentoVerificable.objects.get()
    assert {(d.pk, d.codigo, d.folio) for d in emitidos} == {(unico.pk, unico.codigo, unico.folio)}
