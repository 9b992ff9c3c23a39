"""oficina/pdf.py's fast primitives write exactly what reportlab's own calls write.

`relleno`/`trazo`/`letra` put a colour's or a font's operator formatted once per process where
`setFillColor`/`setStrokeColor`/`setFont` format it on every call, `escribir` and its right and centred forms
write a string's text operators where `drawString` builds a text object for them, and WinAnsi's PDF encoding object is described once per process. Every portal
PDF built both ways, with reportlab's invariant mode (fixed dates and document id), must be the same
bytes: the FOPI in its variants, the comprobante, and recuperacion's letters that share the header and
footer.
"""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics

import fopi.pdf
import oficina.pdf
from fopi.pdf import BancoPdf, DatosComprobante, DatosFopi, render_comprobante, render_fopi
from oficina.verificacion_pdf import SelloVerificacion
from recuperacion.pdf import (
    AvisoSuspension,
    ConstanciaNoAdeudo,
    LiquidadoPdf,
    render_aviso_suspension,
    render_constancia_no_adeudo,
)

BANCOS = (BancoPdf("BBVA México", "1234567"), BancoPdf("Banorte", "0987654"), BancoPdf("Santander", "5566778"))
FOPI = DatosFopi(
    nombre="María Núñez Ibáñez", curp="NUIM850312MDFXBR05", folio="20000000001", tipo="PARCIAL",
    tipo_texto="Pago parcial", importe=Decimal("1234.56"), vigencia=date(2026, 6, 30),
    referencia="2000000000100150209224", secuencia=1, emitido=date(2026, 6, 24), bancos=BANCOS,
    clabe="646180201000000015", beneficiario="ISSSTE Préstamos Personales",
)
SELLO = SelloVerificacion(codigo="ABCD-EFGH-JKMN-PQRS-TV01",
                          url="https://oficinavirtual.issste.gob.mx/verificar/ABCD-EFGH-JKMN-PQRS-TV01/")


def documentos() -> dict[str, bytes]:
    variantes = {
        "parcial": FOPI,
        "liquidacion": dataclasses.replace(FOPI, tipo="LIQUIDACION", tipo_texto="Liquidación"),
        "regularizacion": dataclasses.replace(
            FOPI, tipo="REGULARIZACION", tipo_texto="Regularización",
            cubre="Quincenas sin descuento: 1ª quincena de febrero de 2026 y 2ª quincena de febrero de 2026"),
        "vencido": dataclasses.replace(FOPI, marca="VENCIDO"),
        "truetype": dataclasses.replace(FOPI, bancos=(*BANCOS, BancoPdf("Banco Łukasz", "7654321"))),
        "muchos_bancos": dataclasses.replace(
            FOPI, bancos=tuple(BancoPdf(f"Banco Número {k:02d} de México", f"{k:07d}") for k in range(1, 25))),
        "sin_bancos": dataclasses.replace(FOPI, bancos=()),
    }
    pdfs = {nombre: render_fopi(datos) for nombre, datos in variantes.items()}
    pdfs["comprobante"] = render_comprobante(DatosComprobante(
        folio="CP-00000001", nombre="María Núñez Ibáñez", curp="NUIM850312MDFXBR05", folio_prestamo="20000000001",
        canal="Transferencia SPEI", importe=Decimal("1234.56"), fecha_valor=date(2026, 6, 24),
        aplicado=date(2026, 6, 25), datos_pago=(("Clave de rastreo", "MBAN01002606240001"),),
        moratorios=Decimal("0.00"), interes=Decimal("34.56"), capital=Decimal("1100.00"),
        excedente=Decimal("100.00"), saldo_despues=Decimal("5000.00"), sello=SELLO,
    ))
    pdfs["aviso"] = render_aviso_suspension(AvisoSuspension(
        folio_documento="ASD-2026000042", nombre="María Núñez Ibáñez", curp="NUIM850312MDFXBR05",
        rfc="NUIM850312AB1", dependencia="Secretaría de Educación Pública", folio="20000000001",
        descuento=Decimal("701.12"), fecha_liquidacion=date(2026, 6, 10),
        primera_quincena_sin_descuento="la 1ª quincena de junio de 2026", regla="regla", emitido=date(2026, 6, 12),
        sello=SELLO,
    ))
    pdfs["constancia"] = render_constancia_no_adeudo(ConstanciaNoAdeudo(
        folio_documento="CNA-2026000007", nombre="María Núñez Ibáñez", curp="NUIM850312MDFXBR05",
        rfc="NUIM850312AB1", emitida=date(2026, 7, 1), sello=SELLO,
        liquidados=(LiquidadoPdf(folio="20000000001", tipo="Ordinario", importe=Decimal("30000.00"),
                                 fecha_liquidacion=date(2026, 6, 10)),),
    ))
    return pdfs


@pytest.fixture
def invariante(monkeypatch):
    monkeypatch.setattr(rl_config, "invariant", 1)


def como_reportlab(monkeypatch):
    """Back to reportlab's own calls: setFillColor/setStrokeColor/setFont, drawString and its right and centred
    forms, the encoding described per document."""
    for modulo in (oficina.pdf, fopi.pdf):
        monkeypatch.setattr(modulo, "relleno", lambda canvas, color: canvas.setFillColor(color))
        monkeypatch.setattr(modulo, "trazo", lambda canvas, color: canvas.setStrokeColor(color))
        monkeypatch.setattr(modulo, "letra", lambda canvas, nombre, tamanio: canvas.setFont(nombre, tamanio))
        monkeypatch.setattr(modulo, "escribir", lambda canvas, x, y, cadena: canvas.drawString(x, y, cadena))
        monkeypatch.setattr(modulo, "escribir_derecha", lambda canvas, x, y, cadena: canvas.drawRightString(x, y, cadena))
        monkeypatch.setattr(modulo, "escribir_centrado", lambda canvas, x, y, cadena: canvas.drawCentredString(x, y, cadena))
    codificacion = pdfmetrics.getEncoding("WinAnsiEncoding")
    assert "makePDFObject" in vars(codificacion)  # the per-process answer is installed
    monkeypatch.delattr(codificacion, "makePDFObject")


def test_the_fast_colours_and_encoding_write_the_same_pdfs(invariante, monkeypatch):
    rapidos = documentos()
    with monkeypatch.context() as m:
        como_reportlab(m)
        lentos = documentos()

    assert rapidos.keys() == lentos.keys()
    for nombre in rapidos:
        # One difference allowed: reportlab's setFillColor also sets an opacity of 1, which alone makes it
        # declare PDF 1.4; without it a page without transparency says 1.3, the version it needs.
        version, resto = rapidos[nombre].split(b"\n", 1)
        assert resto == lentos[nombre].split(b"\n", 1)[1], nombre
        assert version in (b"%PDF-1.3", lentos[nombre].split(b"\n", 1)[0]), nombre
    assert rapidos["vencido"].startswith(b"%PDF-1.4")  # its translucent VENCIDO does need 1.4


def test_the_colour_operators_are_reportlabs():
    assert oficina.pdf._operador_color(oficina.pdf.GUINDA, "rg") == ".380392 .070588 .196078 rg"
    assert oficina.pdf._operador_color(oficina.pdf.DORADO, "RG") == ".647059 .498039 .172549 RG"


@pytest.mark.parametrize("abajo_arriba", [1, 0])
@pytest.mark.parametrize("fuente", ["Helvetica", "Helvetica-Bold", "Oficina"])
@pytest.mark.parametrize("cadena", [
    "Pago parcial", "María Núñez Ibáñez — ÁÉÍÓÚÜÑ áéíóúüñ ¿¡ $1,234.56 · …", "(paréntesis) y \\ barra",
    "sin\u00a0romper", "viñeta \u2022 aquí", "control \x07 y \x7f", "ω griega", "Łukasz", "",
])
def test_escribir_writes_what_drawstring_writes(fuente, cadena, abajo_arriba):
    # The strings reportlab's WinAnsi encodes unlike Python's cp1252 (a non-breaking space, a bullet), the ones it
    # draws partly in a substitution font (a control character, a Greek letter), escapes, an empty string and a
    # TrueType font, a top-down canvas: each must come out as drawString, drawRightString and drawCentredString write it.
    from reportlab.pdfgen.canvas import Canvas

    rapido, lento = Canvas(None, bottomup=abajo_arriba), Canvas(None, bottomup=abajo_arriba)
    for canvas in (rapido, lento):
        canvas.setFont(fuente, 9.5)
    for x, y in ((72, 700), (123.456, 0.5)):
        oficina.pdf.escribir(rapido, x, y, cadena)
        lento.drawString(x, y, cadena)
        oficina.pdf.escribir_derecha(rapido, x, y, cadena)
        lento.drawRightString(x, y, cadena)
        oficina.pdf.escribir_centrado(rapido, x, y, cadena)
        lento.drawCentredString(x, y, cadena)
    assert rapido._code == lento._code
