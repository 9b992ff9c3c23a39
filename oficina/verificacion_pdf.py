"""The verification seal printed on the documents others rely on (docs/reglas.md §9): a box with a QR code to the
public verification page and the code in letters, for whoever reads the paper without a phone.

No Django and no models: a renderer gets a `SelloVerificacion` in its dataclass (the adapter builds it
with `oficina.verificacion.url_verificacion`) and draws it either way it lays out its page:

    # a one-page document drawn on the canvas (carta, aviso, constancia)
    dibujar_sello(canvas, datos.sello, x=MARGEN, y=ALTO_PIE + 6 * mm, ancho=ANCHO_PAGINA - 2 * MARGEN)

    # a platypus story (e.g. a comprobante de pago laid out with SimpleDocTemplate)
    historia.append(SelloFlowable(datos.sello))

To issue a new kind of document, register it first (`recuperacion.verificacion.registrar_documento`),
then print what `recuperacion.verificacion.sello_de(documento)` returns with one of the two calls above.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import black, white
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from oficina.pdf import ANCHO_PAGINA, GRIS_LINEA, GRIS_TEXTO, GUINDA, INCRUSTADAS, MARGEN, Fuentes

ALTO_SELLO = 34 * mm
# 30 mm including the 4-module quiet zone the QR standard asks for: a ~70-character URL at level M is a
# version-4 symbol (33 modules), so a module is ~0.73 mm — read by any phone from a printout or a photocopy.
LADO_QR = 30 * mm
NIVEL_QR = "M"  # recovers ~15 % of damage: a fold, a stamp, a staple
ZONA_SILENCIO = 4  # modules of white around the symbol
RELLENO = 2 * mm

TITULO = "Verificación del documento"
INSTRUCCION = "Escanea el código QR o escribe esta dirección en tu navegador:"
EXPLICACION = (
    "La página del ISSSTE confirma el tipo de documento, su folio, su fecha de emisión y su titular. "
    "Si los datos no coinciden con este papel, o la página dice que el código no es válido, "
    "el documento no es auténtico."
)


@dataclass(frozen=True)
class SelloVerificacion:
    codigo: str  # as printed: "ABCD-EFGH-JKMN-PQRS-TVWX"
    url: str  # PORTAL_URL + /verificar/<código>/, what the QR encodes


def dibujar_qr(canvas: Canvas, valor: str, *, x: float, y: float, lado: float = LADO_QR) -> None:
    """A QR code (quiet zone included) with its lower-left corner at (x, y).

    The modules go straight onto the canvas as one path: reportlab's QrCodeWidget would go through
    renderPDF, which writes its own default font (a non-embedded Helvetica) into the page.
    """
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, NIVEL_QR))
    qr.addData(valor)
    qr.make()
    modulos = qr.getModuleCount()
    paso = lado / (modulos + 2 * ZONA_SILENCIO)
    trazo = canvas.beginPath()
    for fila, renglon in enumerate(qr.modules):
        arriba = y + lado - (fila + ZONA_SILENCIO + 1) * paso
        columna = 0
        while columna < modulos:
            if renglon[columna]:
                inicio = columna
                while columna < modulos and renglon[columna]:
                    columna += 1
                trazo.rect(x + (inicio + ZONA_SILENCIO) * paso, arriba, (columna - inicio) * paso, paso)
            else:
                columna += 1
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.drawPath(trazo, stroke=0, fill=1)
    canvas.restoreState()


def dibujar_sello(canvas: Canvas, sello: SelloVerificacion, *, x: float = MARGEN, y: float,
                  ancho: float = ANCHO_PAGINA - 2 * MARGEN, fuentes: Fuentes = INCRUSTADAS) -> float:
    """Draw the seal with its lower-left corner at (x, y), `ancho` wide and `ALTO_SELLO` tall.

    The QR on the left, then the code in large letters, the URL and what the page confirms. Returns the
    height used, so a caller drawing top-down can go on below it.
    """
    canvas.saveState()
    canvas.setStrokeColor(GRIS_LINEA)
    canvas.setLineWidth(0.6)
    canvas.setFillColor(white)
    canvas.roundRect(x, y, ancho, ALTO_SELLO, 2 * mm, stroke=1, fill=1)
    dibujar_qr(canvas, sello.url, x=x + RELLENO, y=y + (ALTO_SELLO - LADO_QR) / 2)

    texto_x = x + RELLENO + LADO_QR + 3 * mm
    texto_ancho = x + ancho - RELLENO - texto_x
    renglon = y + ALTO_SELLO - RELLENO - 9.5

    canvas.setFillColor(GUINDA)
    canvas.setFont(fuentes.negrita, 10.5)
    canvas.drawString(texto_x, renglon, TITULO)

    renglon -= 15
    canvas.setFillColor(GRIS_TEXTO)
    canvas.setFont(fuentes.normal, 8)
    canvas.drawString(texto_x, renglon, "Código de verificación:")
    etiqueta = stringWidth("Código de verificación: ", fuentes.normal, 8)
    canvas.setFillColor(GUINDA)
    _linea_ajustada(canvas, texto_x + etiqueta, renglon, sello.codigo, fuentes.negrita, 12.5, texto_ancho - etiqueta)

    renglon -= 13
    canvas.setFillColor(GRIS_TEXTO)
    canvas.setFont(fuentes.normal, 8)
    canvas.drawString(texto_x, renglon, INSTRUCCION)
    renglon -= 10.5
    canvas.setFillColor(GUINDA)
    _linea_ajustada(canvas, texto_x, renglon, sello.url, fuentes.negrita, 8.5, texto_ancho)

    canvas.setFillColor(GRIS_TEXTO)
    canvas.setFont(fuentes.normal, 7.3)
    for linea in simpleSplit(EXPLICACION, fuentes.normal, 7.3, texto_ancho):
        renglon -= 9
        canvas.drawString(texto_x, renglon, linea)
    canvas.restoreState()
    return ALTO_SELLO


def _linea_ajustada(canvas: Canvas, x: float, y: float, texto: str, fuente: str, tamanio: float, ancho: float) -> None:
    """One line that never runs out of its box: a long PORTAL_URL shrinks instead of being cut."""
    medida = stringWidth(texto, fuente, tamanio)
    if medida > ancho:
        tamanio *= ancho / medida
    canvas.setFont(fuente, tamanio)
    canvas.drawString(x, y, texto)


class SelloFlowable(Flowable):
    """The seal as a platypus flowable, as wide as the frame it is placed in."""

    def __init__(self, sello: SelloVerificacion, *, fuentes: Fuentes = INCRUSTADAS):
        super().__init__()
        self.sello = sello
        self.fuentes = fuentes
        self.ancho = 0.0

    def wrap(self, disponible_ancho, disponible_alto):  # noqa: D102 — reportlab's protocol
        self.ancho = disponible_ancho
        return disponible_ancho, ALTO_SELLO

    def draw(self):  # noqa: D102
        dibujar_sello(self.canv, self.sello, x=0, y=0, ancho=self.ancho, fuentes=self.fuentes)
