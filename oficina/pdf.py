"""Shared PDF look: fonts, institution header and CAPP footer for every document the portal prints.

Renderers (`fopi/pdf.py`, `recuperacion/pdf.py`) take plain dataclasses and return bytes; this module only
knows how a page of the institution looks. No Django imports, so PDFs can be built and tested without a
database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import reportlab
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import letter
from reportlab.lib.rl_accel import escapePDF, fp_str, unicode2T1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FUENTE = "Oficina"
FUENTE_NEGRITA = "Oficina-Negrita"

GUINDA = HexColor("#611232")
DORADO = HexColor("#A57F2C")
GRIS_TEXTO = HexColor("#4D4D4D")
GRIS_LINEA = HexColor("#BFBFBF")
GRIS_FONDO = HexColor("#F2F2F2")

PAGINA = letter
ANCHO_PAGINA, ALTO_PAGINA = PAGINA
MARGEN = 18 * mm
ALTO_BANDA = 17 * mm
GROSOR_REGLA = 1.2 * mm
ALTO_ENCABEZADO = ALTO_BANDA + GROSOR_REGLA  # what the header takes from the top of the page
ALTO_PIE = 16 * mm  # what the footer takes from the bottom of the page

INSTITUCION = "ISSSTE"
PORTAL = "Oficina Virtual — Recuperación de crédito"
CONTACTO_CAPP = (
    "Centro de Atención de Préstamos Personales (CAPP): ISSSTETEL 55 4000 1000, opción 5 · capp@issste.gob.mx"
)
AUTOR = "ISSSTE — Oficina Virtual"

_DIRECTORIO_FUENTES = os.path.join(os.path.dirname(reportlab.__file__), "fonts")


def registrar_fuentes() -> None:
    """Register the bundled Bitstream Vera TrueType fonts once per process.

    Multi-page documents (statement, carta) embed a TrueType subset so they print the same anywhere; the
    FOPI uses them only when a text falls outside what the base-14 fonts can encode (`fuentes_para`).
    """
    registradas = pdfmetrics.getRegisteredFontNames()
    for nombre, archivo in ((FUENTE, "Vera.ttf"), (FUENTE_NEGRITA, "VeraBd.ttf")):
        if nombre not in registradas:
            pdfmetrics.registerFont(TTFont(nombre, os.path.join(_DIRECTORIO_FUENTES, archivo)))
    # Lets platypus use <b> inside Paragraphs with our fonts.
    pdfmetrics.registerFontFamily(FUENTE, normal=FUENTE, bold=FUENTE_NEGRITA, italic=FUENTE, boldItalic=FUENTE_NEGRITA)


registrar_fuentes()


@dataclass(frozen=True)
class Fuentes:
    normal: str
    negrita: str


INCRUSTADAS = Fuentes(FUENTE, FUENTE_NEGRITA)
# PDF base-14 fonts: every viewer and printer has them, so nothing is embedded and a one-page form is
# built in a third of the time. reportlab writes them with WinAnsiEncoding, which holds every Spanish
# letter (á é í ó ú ü ñ, capitals too), "—", "…", "·" and "$".
ESTANDAR = Fuentes("Helvetica", "Helvetica-Bold")


def fuentes_para(*textos: str) -> Fuentes:
    """The base-14 fonts when WinAnsi can encode every text; the embedded TrueType ones otherwise.

    The portal's fixed texts are all WinAnsi; the check is for what comes from data (a name, a bank).
    Python's cp1252 is WinAnsiEncoding, and it refuses the five code points WinAnsi leaves undefined.
    """
    try:
        for texto in textos:
            texto.encode("cp1252")
    except UnicodeEncodeError:
        return INCRUSTADAS
    return ESTANDAR

# Streams go out zlib-compressed and binary: reportlab's default also wraps them in ASCII85, which makes
# every PDF a quarter larger and costs ~1.5 ms per FOPI in pure Python, for 7-bit-safe transport that
# an HTTP download does not need. Process-wide setting; this module is where the portal's PDFs start.
rl_config.useA85 = 0


def _codificacion_una_vez(nombre: str) -> None:
    """reportlab describes a font's encoding again in every document, comparing its 256 glyph names with the
    base encoding's (~15 µs per font per PDF). A registered encoding is frozen, and a base one answers just
    its name: remember that answer for the process (every base-14 font of the portal's PDFs is WinAnsi)."""
    codificacion = pdfmetrics.getEncoding(nombre)
    objeto = codificacion.makePDFObject()
    if codificacion.frozen and isinstance(objeto, str):
        codificacion.makePDFObject = lambda: objeto


_codificacion_una_vez("WinAnsiEncoding")


@lru_cache(maxsize=64)
def _operador_color(color: Color, operador: str) -> str:
    return f"{fp_str(color.red, color.green, color.blue)} {operador}"


def relleno(canvas: Canvas, color: Color) -> None:
    """`canvas.setFillColor(color)` for an opaque RGB colour, its operator formatted once per process.

    reportlab formats the three numbers and walks its alpha bookkeeping on every call (~2 µs; a FOPI sets
    its fill colour about fifty times). The same "r g b rg" goes into the page (tests/test_pdf_comun.py
    compares the PDFs byte for byte) and the canvas' record of its colour is kept as setFillColor keeps it.
    """
    canvas.addLiteral(_operador_color(color, "rg"))
    canvas._fillColorObj = color


def trazo(canvas: Canvas, color: Color) -> None:
    """`canvas.setStrokeColor(color)` likewise (see `relleno`)."""
    canvas.addLiteral(_operador_color(color, "RG"))
    canvas._strokeColorObj = color


@lru_cache(maxsize=32)
def _base14(nombre: str) -> bool:
    registrada = pdfmetrics.getFont(nombre)
    return not registrada._dynamicFont and registrada.face.builtIn


@lru_cache(maxsize=256)
def _operador_fuente(interno: str, tamanio: float) -> str:
    return f"BT {interno} {fp_str(tamanio)} Tf {fp_str(tamanio * 1.2)} TL ET"


def letra(canvas: Canvas, nombre: str, tamanio: float) -> None:
    """`canvas.setFont(nombre, tamanio)`, its operator formatted once per process for a base-14 font.

    reportlab looks the font up and formats size and leading on every call (~1.5 µs; a FOPI changes font or
    size about fifty times). The same operator goes into the page and the canvas keeps the same record of
    its font (tests/test_pdf_comun.py compares the PDFs byte for byte). An embedded TrueType font, whose
    subsets reportlab tracks, goes through setFont itself.
    """
    if not _base14(nombre):
        canvas.setFont(nombre, tamanio)
        return
    canvas._fontname = nombre
    canvas._fontsize = tamanio
    canvas._leading = tamanio * 1.2
    canvas.addLiteral(_operador_fuente(canvas._doc.getInternalFontName(nombre), tamanio))


@lru_cache(maxsize=2048)
def _cadena_base14(texto: str, nombre: str) -> str | None:
    """`texto` as drawString writes it in a base-14 font: its bytes in the font's own encoding (reportlab's
    WinAnsi, not quite Python's cp1252: a non-breaking space is a space, a bullet is 0x7F), escaped. None when
    reportlab would switch to a substitution font mid-string (a control character, a symbol) or there is no
    text: drawString itself handles those."""
    fuente = pdfmetrics.getFont(nombre)
    if not texto:
        return None
    partes = unicode2T1(texto, [fuente, *fuente.substitutionFonts])
    if len(partes) != 1 or partes[0][0] is not fuente:
        return None
    return escapePDF(partes[0][1])


def _escapada(canvas: Canvas, cadena: str) -> str | None:
    """What `escribir` writes between the parentheses, or None where drawString must draw it itself."""
    if canvas.bottomup and _base14(canvas._fontname):
        return _cadena_base14(cadena, canvas._fontname)
    return None


def escribir(canvas: Canvas, x: float, y: float, cadena: str) -> None:
    """`canvas.drawString(x, y, cadena)` in the current font, written straight into the page.

    drawString builds a text object, re-encodes the string through the font's substitution chain and joins
    the operators on every call (~6 µs; a FOPI draws about fifty strings). For a base-14 font the same
    "BT … Tm (…) Tj T* ET" goes into the page (tests/test_pdf_comun.py compares the PDFs byte for byte);
    an embedded TrueType font, whose subsets reportlab tracks, a string it would draw in a substitution font and
    a top-down canvas go through drawString itself.
    """
    if (escapada := _escapada(canvas, cadena)) is None:
        canvas.drawString(x, y, cadena)
    else:
        canvas._code.append(f"BT 1 0 0 1 {fp_str(x, y)} Tm ({escapada}) Tj T* ET")


def escribir_derecha(canvas: Canvas, x: float, y: float, cadena: str) -> None:
    """`canvas.drawRightString(x, y, cadena)` likewise (see `escribir`)."""
    if _escapada(canvas, cadena) is None:
        canvas.drawRightString(x, y, cadena)
    else:
        escribir(canvas, x - pdfmetrics.stringWidth(cadena, canvas._fontname, canvas._fontsize), y, cadena)


def escribir_centrado(canvas: Canvas, x: float, y: float, cadena: str) -> None:
    """`canvas.drawCentredString(x, y, cadena)` likewise (see `escribir`)."""
    if _escapada(canvas, cadena) is None:
        canvas.drawCentredString(x, y, cadena)
    else:
        escribir(canvas, x - 0.5 * pdfmetrics.stringWidth(cadena, canvas._fontname, canvas._fontsize), y, cadena)


def nuevo_canvas(destino, *, titulo: str, asunto: str = "", fuentes: Fuentes = INCRUSTADAS, **kwargs) -> Canvas:
    """A letter-size canvas with the document metadata every portal PDF carries."""
    # The initial font goes into every page's resources: leaving reportlab's default would add a
    # non-embedded Helvetica to a PDF whose fonts are embedded.
    canvas = Canvas(destino, pagesize=PAGINA, initialFontName=fuentes.normal, **kwargs)
    _metadatos(canvas, titulo=titulo, asunto=asunto)
    return canvas


def _metadatos(canvas: Canvas, *, titulo: str, asunto: str) -> None:
    canvas.setTitle(titulo)
    canvas.setAuthor(AUTOR)
    canvas.setCreator(AUTOR)
    if asunto:
        canvas.setSubject(asunto)


def dibujar_encabezado(canvas: Canvas, *, ancho: float = ANCHO_PAGINA, alto: float = ALTO_PAGINA,
                       fuentes: Fuentes = INCRUSTADAS) -> float:
    """Guinda band with the institution and the portal, over a gold rule. Returns the y below the rule."""
    canvas.saveState()
    base_banda = alto - ALTO_BANDA
    relleno(canvas, GUINDA)
    canvas.rect(0, base_banda, ancho, ALTO_BANDA, stroke=0, fill=1)
    relleno(canvas, DORADO)
    canvas.rect(0, base_banda - GROSOR_REGLA, ancho, GROSOR_REGLA, stroke=0, fill=1)

    relleno(canvas, white)
    letra(canvas, fuentes.negrita, 20)
    escribir(canvas, MARGEN, base_banda + 6.2 * mm, INSTITUCION)
    letra(canvas, fuentes.normal, 10)
    escribir_derecha(canvas, ancho - MARGEN, base_banda + 7 * mm, PORTAL)
    canvas.restoreState()
    return base_banda - GROSOR_REGLA


def dibujar_pie(canvas: Canvas, *, pagina: int, total: int | None = None, ancho: float = ANCHO_PAGINA,
                fuentes: Fuentes = INCRUSTADAS) -> None:
    """CAPP contact (the help line the institution prints on every document) and the page number."""
    canvas.saveState()
    y_linea = ALTO_PIE - 4 * mm
    trazo(canvas, DORADO)
    canvas.setLineWidth(0.8)
    canvas.line(MARGEN, y_linea, ancho - MARGEN, y_linea)
    relleno(canvas, GRIS_TEXTO)
    letra(canvas, fuentes.normal, 7.5)
    escribir(canvas, MARGEN, y_linea - 4.2 * mm, CONTACTO_CAPP)
    numero = f"Página {pagina} de {total}" if total else f"Página {pagina}"
    escribir_derecha(canvas, ancho - MARGEN, y_linea - 8.2 * mm, numero)
    canvas.restoreState()


class CanvasNumerado(Canvas):
    """Canvas that knows the page count when it finishes, for "Página N de M" footers.

    Platypus draws pages one by one; we keep each page's state and draw header and footer on all of them
    at save time, when the total is known. Use as `doc.build(..., canvasmaker=CanvasNumerado)`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._paginas: list[dict] = []

    def showPage(self):  # noqa: N802 — reportlab's name
        self._paginas.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._paginas)
        for estado in self._paginas:
            self.__dict__.update(estado)
            dibujar_encabezado(self)
            dibujar_pie(self, pagina=self._pageNumber, total=total)
            super().showPage()
        super().save()

