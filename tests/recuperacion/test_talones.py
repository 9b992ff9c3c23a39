"""The payslip of an aclaración is recognised by its content (docs/reglas.md §10): what is accepted and
what is refused, with the message the borrower reads."""

import pytest
from django.core.exceptions import ValidationError

from recuperacion.talones import JPEG, PDF, PNG, leer_talon, revisar_contenido
from tests.recuperacion import talones_prueba as t


@pytest.mark.parametrize(
    ("contenido", "tipo"),
    [(t.pdf(), PDF), (t.imagen("JPEG"), JPEG), (t.imagen("PNG"), PNG), (t.pdf_con_accion_benigna(), PDF)],
    ids=["pdf", "jpeg", "png", "pdf-openaction-sin-js"],
)
def test_it_accepts_real_payslips_by_their_content(contenido, tipo):
    assert revisar_contenido(contenido) == tipo


def test_the_name_does_not_matter_the_content_does():
    talon = leer_talon(t.archivo(t.imagen("PNG"), nombre="talon.pdf", tipo="application/pdf"))
    assert talon.tipo == PNG and talon.nombre == "talon.pdf" and len(talon.sha256) == 64


@pytest.mark.parametrize(
    ("contenido", "codigo", "mensaje"),
    [
        (t.EJECUTABLE, "tipo", "no es un PDF, JPEG ni PNG"),
        (t.SVG, "tipo", "no es un PDF, JPEG ni PNG"),
        (t.HTML, "tipo", "no es un PDF, JPEG ni PNG"),
        (t.pdf_con_javascript("openaction"), "activo", "JavaScript"),
        (t.pdf_con_javascript("names"), "activo", "JavaScript"),
        (t.pdf_con_javascript("escapado"), "activo", "JavaScript"),
        (t.pdf_con_javascript("comprimido"), "activo", "JavaScript"),
        (t.pdf_con_javascript("lanzar"), "activo", "contenido activo"),
        (t.pdf()[:-200], "danado", "dañado o incompleto"),
        (t.imagen("JPEG")[:300], "danado", "dañado o incompleto"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "danado", "dañado o incompleto"),
        (t.pdf().replace(b"/Root", b"/Encrypt 9 0 R /Root"), "cifrado", "protegido con contraseña"),
    ],
    ids=[
        "ejecutable",
        "svg",
        "html",
        "pdf-openaction-js",
        "pdf-names-js",
        "pdf-nombres-escapados",
        "pdf-js-en-flujo-comprimido",
        "pdf-launch",
        "pdf-truncado",
        "jpeg-truncado",
        "png-falso",
        "pdf-cifrado",
    ],
)
def test_it_refuses_hostile_or_broken_files_with_a_clear_message(contenido, codigo, mensaje):
    with pytest.raises(ValidationError) as error:
        revisar_contenido(contenido)
    assert error.value.code == codigo and mensaje in error.value.messages[0]


def test_it_refuses_empty_and_oversized_files(settings):
    with pytest.raises(ValidationError, match="vacío"):
        leer_talon(t.archivo(b""))
    settings.ACLARACION_TALON_MAXIMO = 1000
    with pytest.raises(ValidationError, match=r"pesa 0\.0 MB y el máximo es de 0 MB"):
        leer_talon(t.archivo(b"%PDF-" + b"x" * 1000))


def test_a_huge_photo_is_refused_before_it_is_decoded():
    from recuperacion import talones

    contenido = t.imagen("PNG", tamanio=(8000, 6000))  # 48 megapixels, a few KB of PNG
    with pytest.raises(ValidationError, match="40 megapíxeles"):
        talones.revisar_contenido(contenido)


def test_a_scanned_pdf_full_of_binary_image_data_is_accepted():
    """Stream bodies are not scanned as text: random bytes spell /JS now and then."""
    import io
    import os

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    ruido = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    salida = io.BytesIO()
    hoja = canvas.Canvas(salida)
    hoja.drawImage(ImageReader(ruido), 0, 0)
    hoja.save()
    contenido = salida.getvalue()
    inicio = contenido.index(b"stream\n") + len(b"stream\n")
    contenido = contenido[:inicio] + b"/JS " + contenido[inicio + 4 :]  # as if the bytes spelled it
    assert revisar_contenido(contenido) == PDF


# --- issue 24: a PDF is read by a PDF parser, not searched as bytes (docs/reglas.md §10, rev. 3) -------------


@pytest.mark.parametrize(
    "forma", ["javascript", "incrustado", "lanzar", "formulario", "xfa", "anotacion", "pagina-aa", "uri"]
)
def test_active_content_is_found_wherever_it_hides(forma):
    with pytest.raises(ValidationError) as error:
        revisar_contenido(t.pdf_disfrazado(forma))
    assert error.value.code == "activo" and "contenido activo" in error.value.messages[0]


@pytest.mark.parametrize(
    "contenido",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",  # no xref, no pages
        b"%PDF-1.7\n" + b"\x00" * 500 + b"\n%%EOF\n",
        t.pdf().replace(b"/Root", b"/Raiz"),  # no document catalog
    ],
    ids=["sin-xref", "basura", "sin-catalogo"],
)
def test_a_pdf_that_does_not_parse_is_refused(contenido):
    with pytest.raises(ValidationError) as error:
        revisar_contenido(contenido)
    assert error.value.code == "danado"


def test_a_pdf_of_more_than_five_pages_is_refused():
    assert revisar_contenido(t.pdf_de_paginas(5)) == PDF
    with pytest.raises(ValidationError, match="tiene 6 páginas"):
        revisar_contenido(t.pdf_de_paginas(6))
