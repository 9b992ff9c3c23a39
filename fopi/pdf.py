"""The FOPI as a printable PDF (docs/reglas.md §7): what the borrower takes to the bank counter.

Built from a frozen dataclass, never from models, so the layout can be tested and benchmarked without a
database. Drawn on the canvas directly (no platypus): a FOPI is one fixed page and is issued often.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import black, white
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from oficina.pdf import (
    ALTO_PIE,
    ANCHO_PAGINA,
    DORADO,
    GRIS_FONDO,
    GRIS_LINEA,
    GRIS_TEXTO,
    GUINDA,
    MARGEN,
    Fuentes,
    dibujar_encabezado,
    dibujar_pie,
    fuentes_para,
    nuevo_canvas,
)
from prestamos.calculo import formato_fecha, formato_moneda

TITULO = "Formato de Pago de Individuales (FOPI)"
AVISO_COPIAS = "Imprime dos copias. No pagues dos veces con el mismo formato."

ANCHO_UTIL = ANCHO_PAGINA - 2 * MARGEN
ALTO_BARRAS = 15 * mm
# X-dimension 0.36 mm: comfortably above the 0.25 mm minimum that counter scanners read from a
# 300 dpi office printout; 22 digits in Code128 set C come out about 6 cm wide.
ANCHO_BARRA = 0.36 * mm
ALTO_RENGLON_BANCO = 15.0


@dataclass(frozen=True)
class BancoPdf:
    nombre: str
    convenio: str


@dataclass(frozen=True)
class DatosFopi:
    nombre: str
    curp: str
    folio: str
    tipo: str  # "PARCIAL" | "LIQUIDACION" | "REGULARIZACION"
    tipo_texto: str  # "Pago parcial", "Liquidación", "Regularización"
    importe: Decimal
    vigencia: date
    referencia: str  # 22 digits
    secuencia: int
    emitido: date
    bancos: tuple[BancoPdf, ...]


def referencia_agrupada(referencia: str) -> str:
    """Groups of four digits, easier to read aloud or type into a bank's app."""
    return " ".join(referencia[k : k + 4] for k in range(0, len(referencia), 4))


def render_fopi(datos: DatosFopi) -> bytes:
    # Only the data can fall outside the base-14 fonts' encoding: the fixed texts are all WinAnsi.
    fuentes = fuentes_para(datos.nombre, datos.curp, datos.folio, datos.tipo_texto,
                           *(texto for banco in datos.bancos for texto in (banco.nombre, banco.convenio)))
    buffer = io.BytesIO()
    canvas = nuevo_canvas(
        buffer,
        titulo=f"FOPI {datos.referencia}",
        asunto=f"{TITULO} — préstamo {datos.folio}",
        fuentes=fuentes,
    )
    y = dibujar_encabezado(canvas, fuentes=fuentes)
    y = _titulo(canvas, fuentes, datos, y - 11 * mm)
    y = _datos_acreditado(canvas, fuentes, datos, y - 7 * mm)
    y = _importe_y_vigencia(canvas, fuentes, datos, y - 5 * mm)
    y = _referencia(canvas, fuentes, datos, y - 8 * mm)
    y = _bancos(canvas, fuentes, datos.bancos, y - 8 * mm)
    _avisos(canvas, fuentes, datos, y - 6 * mm)
    dibujar_pie(canvas, pagina=1, total=1, fuentes=fuentes)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- Pieces of the page, top to bottom; each takes the y to start at and returns the y where it ended ---


TAMANIO_MINIMO = 6.5


def _texto_ajustado(canvas: Canvas, x: float, y: float, texto: str, fuente: str, tamanio: float, ancho: float,
                    *, derecha: bool = False) -> None:
    """Draw `texto` in one line that never runs off its space: shrink the font, then cut with "…"."""
    ancho_texto = stringWidth(texto, fuente, tamanio)
    if ancho_texto > ancho:
        tamanio = max(min(TAMANIO_MINIMO, tamanio), tamanio * ancho / ancho_texto)
        while len(texto) > 1 and stringWidth(texto, fuente, tamanio) > ancho:
            texto = texto[:-2].rstrip() + "…"
    canvas.setFont(fuente, tamanio)
    if derecha:
        canvas.drawRightString(x, y, texto)
    else:
        canvas.drawString(x, y, texto)


def _titulo(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    canvas.setFillColor(GUINDA)
    canvas.setFont(fuentes.negrita, 16)
    canvas.drawString(MARGEN, y, TITULO)
    canvas.setFillColor(GRIS_TEXTO)
    canvas.setFont(fuentes.normal, 8.5)
    derecha = ANCHO_PAGINA - MARGEN
    canvas.drawRightString(derecha, y + 6, f"Emitido el {formato_fecha(datos.emitido)}")
    canvas.drawRightString(derecha, y - 5, f"Formato núm. {datos.secuencia:03d}")
    return y - 5


def _datos_acreditado(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    renglones = (
        ("Nombre", datos.nombre),
        ("CURP", datos.curp),
        ("Folio del préstamo", datos.folio),
        ("Tipo de pago", datos.tipo_texto),
    )
    x_valor = MARGEN + 38 * mm
    for etiqueta, valor in renglones:
        canvas.setFillColor(GRIS_TEXTO)
        canvas.setFont(fuentes.normal, 9)
        canvas.drawString(MARGEN, y, etiqueta)
        canvas.setFillColor(black)
        _texto_ajustado(canvas, x_valor, y, valor, fuentes.negrita, 10.5, ANCHO_PAGINA - MARGEN - x_valor)
        y -= 15
    return y + 15 - 4


def _importe_y_vigencia(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    alto = 19 * mm
    base = y - alto
    mitad = MARGEN + ANCHO_UTIL / 2
    canvas.setFillColor(GRIS_FONDO)
    canvas.setStrokeColor(GRIS_LINEA)
    canvas.setLineWidth(0.6)
    canvas.rect(MARGEN, base, ANCHO_UTIL, alto, stroke=1, fill=1)
    canvas.line(mitad, base + 3 * mm, mitad, y - 3 * mm)

    canvas.setFillColor(GRIS_TEXTO)
    canvas.setFont(fuentes.normal, 9)
    canvas.drawString(MARGEN + 5 * mm, y - 6 * mm, "Importe a pagar")
    canvas.drawString(mitad + 5 * mm, y - 6 * mm, "Vigencia")
    canvas.setFillColor(GUINDA)
    _texto_ajustado(canvas, MARGEN + 5 * mm, base + 4.5 * mm, formato_moneda(datos.importe), fuentes.negrita, 20,
                    ANCHO_UTIL / 2 - 10 * mm)
    canvas.setFillColor(black)
    canvas.setFont(fuentes.negrita, 12)
    canvas.drawString(mitad + 5 * mm, base + 5.5 * mm, f"Pagar a más tardar el {formato_fecha(datos.vigencia)}")
    return base


def _referencia(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    centro = ANCHO_PAGINA / 2
    canvas.setFillColor(GRIS_TEXTO)
    canvas.setFont(fuentes.normal, 9)
    canvas.drawCentredString(centro, y, "Referencia bancaria (captúrala completa)")
    y -= 7 * mm
    canvas.setFillColor(black)
    canvas.setFont(fuentes.negrita, 17)
    canvas.drawCentredString(centro, y, referencia_agrupada(datos.referencia))

    barras = Code128(datos.referencia, barHeight=ALTO_BARRAS, barWidth=ANCHO_BARRA, humanReadable=False)
    y -= 4 * mm + ALTO_BARRAS
    barras.drawOn(canvas, centro - barras.width / 2, y)

    # The unbroken digits as well: what a bank clerk types, and what text search in the PDF finds.
    y -= 4 * mm
    canvas.setFont(fuentes.normal, 9)
    canvas.drawCentredString(centro, y, datos.referencia)
    return y - 2


def _bancos(canvas: Canvas, fuentes: Fuentes, bancos: tuple[BancoPdf, ...], y: float) -> float:
    canvas.setFillColor(GUINDA)
    canvas.setFont(fuentes.negrita, 11)
    canvas.drawString(MARGEN, y, "Bancos autorizados")
    y -= 3 * mm
    if not bancos:
        canvas.setFillColor(GRIS_TEXTO)
        canvas.setFont(fuentes.normal, 9)
        canvas.drawString(MARGEN, y - 10, "Consulta los bancos autorizados con el CAPP.")
        return y - 14

    # Room left above the notices and footer decides whether the list goes in one column or two.
    espacio = y - (ALTO_PIE + 6 * mm + _ALTO_AVISOS)
    cabe = max(1, int(espacio // ALTO_RENGLON_BANCO) - 1)
    columnas = 1 if len(bancos) <= cabe else 2
    por_columna = -(-len(bancos) // columnas)
    # A list longer than even two columns hold gets shorter rows rather than a second page.
    alto = min(ALTO_RENGLON_BANCO, espacio / (por_columna + 1))
    separacion = 6 * mm
    ancho = (ANCHO_UTIL - separacion * (columnas - 1)) / columnas
    fondo = y
    for c in range(columnas):
        x = MARGEN + c * (ancho + separacion)
        grupo = bancos[c * por_columna : (c + 1) * por_columna]
        fondo = min(fondo, _tabla_bancos(canvas, fuentes, grupo, x, y, ancho, alto))
    return fondo


def _tabla_bancos(canvas: Canvas, fuentes: Fuentes, bancos: tuple[BancoPdf, ...], x: float, y: float, ancho: float,
                  alto: float) -> float:
    tamanio = min(9.0, alto * 0.6)
    base = alto * 0.3  # baseline above the row's bottom edge
    # The convenio column is as wide as its longest number: the bank name gets the rest.
    encabezado = "Número de convenio" if ancho > ANCHO_UTIL * 0.75 else "Convenio"
    ancho_convenio = min(
        ancho * 0.45,
        max(stringWidth(t, fuentes.negrita, tamanio) for t in (encabezado, *(b.convenio for b in bancos))) + 4 * mm,
    )
    x_convenio = x + ancho - ancho_convenio
    canvas.setFillColor(GUINDA)
    canvas.rect(x, y - alto, ancho, alto, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(fuentes.negrita, tamanio)
    canvas.drawString(x + 2 * mm, y - alto + base, "Banco")
    _texto_ajustado(canvas, x_convenio, y - alto + base, encabezado, fuentes.negrita, tamanio, ancho_convenio - 2 * mm)
    y -= alto
    canvas.setStrokeColor(GRIS_LINEA)
    canvas.setLineWidth(0.5)
    for k, banco in enumerate(bancos):
        if k % 2:
            canvas.setFillColor(GRIS_FONDO)
            canvas.rect(x, y - alto, ancho, alto, stroke=0, fill=1)
        canvas.setFillColor(black)
        _texto_ajustado(canvas, x + 2 * mm, y - alto + base, banco.nombre, fuentes.normal, tamanio, x_convenio - x - 4 * mm)
        _texto_ajustado(canvas, x_convenio, y - alto + base, banco.convenio, fuentes.negrita, tamanio,
                        ancho_convenio - 2 * mm)
        y -= alto
    canvas.line(x, y, x + ancho, y)
    return y


_ALTO_AVISOS = 27 * mm


def _avisos(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> None:
    base = y - _ALTO_AVISOS
    canvas.setStrokeColor(DORADO)
    canvas.setLineWidth(1)
    canvas.rect(MARGEN, base, ANCHO_UTIL, _ALTO_AVISOS, stroke=1, fill=0)
    x = MARGEN + 4 * mm
    ancho = ANCHO_UTIL - 8 * mm
    canvas.setFillColor(GUINDA)
    _texto_ajustado(canvas, x, y - 6 * mm, AVISO_COPIAS, fuentes.negrita, 11, ancho)
    canvas.setFillColor(black)
    lineas = (
        f"Este formato es de un solo uso y solo es válido hasta el {formato_fecha(datos.vigencia)}.",
        "Paga el importe exacto, con la referencia completa, en ventanilla o banca electrónica de un banco autorizado.",
        "Un pago por otro importe o después de la vigencia no se aplica en automático: queda en revisión del CAPP.",
    )
    y -= 11.5 * mm
    for linea in lineas:
        _texto_ajustado(canvas, x, y, linea, fuentes.normal, 8.5, ancho)
        y -= 4.6 * mm
