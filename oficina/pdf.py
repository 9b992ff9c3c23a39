"""Shared PDF look: fonts, institution header and CAPP footer for every document the portal prints.

Renderers (`fopi/pdf.py`, `recuperacion/pdf.py`) take plain dataclasses and return bytes; this module only
knows how a page of the institution looks. No Django imports, so PDFs can be built and tested without a
database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import reportlab
from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import letter
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
    canvas.setFillColor(GUINDA)
    canvas.rect(0, base_banda, ancho, ALTO_BANDA, stroke=0, fill=1)
    canvas.setFillColor(DORADO)
    canvas.rect(0, base_banda - GROSOR_REGLA, ancho, GROSOR_REGLA, stroke=0, fill=1)

    canvas.setFillColor(white)
    canvas.setFont(fuentes.negrita, 20)
    canvas.drawString(MARGEN, base_banda + 6.2 * mm, INSTITUCION)
    canvas.setFont(fuentes.normal, 10)
    canvas.drawRightString(ancho - MARGEN, base_banda + 7 * mm, PORTAL)
    canvas.restoreState()
    return base_banda - GROSOR_REGLA


def dibujar_pie(canvas: Canvas, *, pagina: int, total: int | None = None, ancho: float = ANCHO_PAGINA,
                fuentes: Fuentes = INCRUSTADAS) -> None:
    """CAPP contact (the help line the institution prints on every document) and the page number."""
    canvas.saveState()
    y_linea = ALTO_PIE - 4 * mm
    canvas.setStrokeColor(DORADO)
    canvas.setLineWidth(0.8)
    canvas.line(MARGEN, y_linea, ancho - MARGEN, y_linea)
    canvas.setFillColor(GRIS_TEXTO)
    canvas.setFont(fuentes.normal, 7.5)
    canvas.drawString(MARGEN, y_linea - 4.2 * mm, CONTACTO_CAPP)
    numero = f"Página {pagina} de {total}" if total else f"Página {pagina}"
    canvas.drawRightString(ancho - MARGEN, y_linea - 8.2 * mm, numero)
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

