"""The FOPI's printable PDFs: the FOPI itself (docs/reglas.md §7, §11), what the borrower takes to the bank counter
or copies into a banking app, and the "Comprobante de pago" of every payment applied (docs/reglas.md §11).

Built from frozen dataclasses, never from models, so the layouts can be tested and benchmarked without a
database. Drawn on the canvas directly (no platypus): each is one fixed page and is built often.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import black, white
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from fopi.clabe import clabe_agrupada
from fopi.referencia import referencia_en_grupos
from oficina.formatos import formato_fecha, formato_moneda
from oficina.pdf import (
    ALTO_PAGINA,
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
    escribir,
    escribir_centrado,
    escribir_derecha,
    fuentes_para,
    letra,
    nuevo_canvas,
    relleno,
    trazo,
)
from oficina.verificacion_pdf import SelloVerificacion, dibujar_sello

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
    clabe: str  # 18 digits, this FOPI's own (fopi/clabe.py)
    beneficiario: str  # the account holder's name the banking app shows for the CLABE
    marca: str = ""  # "VENCIDO" or "CANCELADO": printed across the page of a FOPI that can no longer be paid
    cubre: str = ""  # REGULARIZACION: the periods it pays, in words ("Quincenas sin descuento: …", §13)


def referencia_agrupada(referencia: str) -> str:
    """Groups of four digits, easier to read aloud or type into a bank's app (the FOPI page groups them alike)."""
    return " ".join(referencia_en_grupos(referencia))


def render_fopi(datos: DatosFopi) -> bytes:
    # Only the data can fall outside the base-14 fonts' encoding: the fixed texts are all WinAnsi.
    fuentes = fuentes_para(
        datos.nombre,
        datos.curp,
        datos.folio,
        datos.tipo_texto,
        datos.beneficiario,
        datos.cubre,
        *(texto for banco in datos.bancos for texto in (banco.nombre, banco.convenio)),
    )
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
    y = _spei(canvas, fuentes, datos, y - 6 * mm)
    _avisos(canvas, fuentes, datos, y - 5 * mm)
    if datos.marca:
        _marca(canvas, fuentes, datos.marca)
    dibujar_pie(canvas, pagina=1, total=1, fuentes=fuentes)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- Pieces of the page, top to bottom; each takes the y to start at and returns the y where it ended ---


TAMANIO_MINIMO = 6.5


def _color(canvas: Canvas, color) -> None:
    """The fill colour for what follows, its operator written only when it changes (the canvas keeps the current
    one, and restoreState puts it back): the page looks the same with half the operators."""
    if canvas._fillColorObj is not color:
        relleno(canvas, color)


def _letra(canvas: Canvas, fuente: str, tamanio: float) -> None:
    """The font for what follows, likewise written only when it changes."""
    if canvas._fontname != fuente or canvas._fontsize != tamanio:
        letra(canvas, fuente, tamanio)


def _estilo(canvas: Canvas, color, fuente: str, tamanio: float) -> None:
    _color(canvas, color)
    _letra(canvas, fuente, tamanio)


def _texto_ajustado(
    canvas: Canvas, x: float, y: float, texto: str, fuente: str, tamanio: float, ancho: float, *, derecha: bool = False
) -> None:
    """Draw `texto` in one line that never runs off its space: shrink the font, then cut with "…"."""
    texto, tamanio = _ajustado(texto, fuente, tamanio, ancho)
    _letra(canvas, fuente, tamanio)
    if derecha:
        escribir_derecha(canvas, x, y, texto)
    else:
        escribir(canvas, x, y, texto)


def _ajustado(texto: str, fuente: str, tamanio: float, ancho: float) -> tuple[str, float]:
    """The text and size that fit `ancho` (tests/fopi/test_pdf.py checks them against measuring every time).

    A text that could not be wider than its space even if every letter were the font's widest is drawn as
    it is, unmeasured: a name, a CURP, an amount. Longer ones are measured once per process (`_ajuste`):
    the labels, notices and banks are the same on every FOPI.
    """
    if len(texto) * _em_maximo(fuente) * tamanio <= 1000 * ancho:
        return texto, tamanio
    return _ajuste(texto, fuente, tamanio, ancho)


@lru_cache(maxsize=4096)
def _ajuste(texto: str, fuente: str, tamanio: float, ancho: float) -> tuple[str, float]:
    ancho_texto = stringWidth(texto, fuente, tamanio)
    if ancho_texto > ancho:
        tamanio = max(min(TAMANIO_MINIMO, tamanio), tamanio * ancho / ancho_texto)
        while len(texto) > 1 and stringWidth(texto, fuente, tamanio) > ancho:
            texto = texto[:-2].rstrip() + "…"
    return texto, tamanio


@lru_cache(maxsize=16)
def _em_maximo(fuente: str) -> float:
    """The font's widest glyph, in thousandths of its size (Helvetica's "@": 1015)."""
    registrada = getFont(fuente)
    anchos = getattr(registrada, "widths", None)  # a base-14 font: the widths of its 256 codes
    if anchos is None:  # TrueType: every glyph's width, and the one for a character it lacks
        anchos = [*registrada.face.charWidths.values(), registrada.face.defaultWidth]
    return max(anchos)


def _titulo(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    _estilo(canvas, GUINDA, fuentes.negrita, 16)
    escribir(canvas, MARGEN, y, TITULO)
    _estilo(canvas, GRIS_TEXTO, fuentes.normal, 8.5)
    derecha = ANCHO_PAGINA - MARGEN
    escribir_derecha(canvas, derecha, y + 6, f"Emitido el {formato_fecha(datos.emitido)}")
    escribir_derecha(canvas, derecha, y - 5, f"Formato núm. {datos.secuencia:03d}")
    return y - 5


def _datos_acreditado(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    renglones = (
        ("Nombre", datos.nombre),
        ("CURP", datos.curp),
        ("Folio del préstamo", datos.folio),
        ("Tipo de pago", datos.tipo_texto),
        *((("Qué paga", datos.cubre),) if datos.cubre else ()),
    )
    x_valor = MARGEN + 38 * mm
    ancho_valor = ANCHO_PAGINA - MARGEN - x_valor
    # The labels, then the values: one colour and font change for each column instead of four per row.
    _estilo(canvas, GRIS_TEXTO, fuentes.normal, 9)
    for k, (etiqueta, _) in enumerate(renglones):
        escribir(canvas, MARGEN, y - 15 * k, etiqueta)
    _color(canvas, black)
    for k, (_, valor) in enumerate(renglones[:4]):
        _texto_ajustado(canvas, x_valor, y - 15 * k, valor, fuentes.negrita, 10.5, ancho_valor)
    ultimo = y - 15 * (len(renglones) - 1)
    if datos.cubre:
        # Every period it pays is printed (SPEC §13): a list that does not fit one line, even smaller, wraps.
        lineas = _lineas_completas(datos.cubre, fuentes.negrita, 10.5, ancho_valor)
        for k, linea in enumerate(lineas):
            _texto_ajustado(canvas, x_valor, ultimo - ALTO_LINEA_CUBRE * k, linea, fuentes.negrita, 10.5, ancho_valor)
        ultimo -= ALTO_LINEA_CUBRE * (len(lineas) - 1)
    return ultimo - 4


ALTO_LINEA_CUBRE = 12.6  # the leading of 10.5 pt


def _lineas_completas(texto: str, fuente: str, tamanio: float, ancho: float) -> list[str]:
    """`texto` as one line when it fits, shrunk as `_ajustado` shrinks it; else wrapped at `tamanio` between words,
    never cut."""
    if _ajustado(texto, fuente, tamanio, ancho)[0] == texto:
        return [texto]
    return simpleSplit(texto, fuente, tamanio, ancho)


def _importe_y_vigencia(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    return _recuadro_de_importe(
        canvas,
        fuentes,
        y,
        "Importe a pagar",
        datos.importe,
        "Vigencia",
        f"Pagar a más tardar el {formato_fecha(datos.vigencia)}",
        tamano=12,
        alto_texto=5.5 * mm,
    )


def _recuadro_de_importe(
    canvas: Canvas,
    fuentes: Fuentes,
    y: float,
    etiqueta: str,
    importe,
    etiqueta_derecha: str,
    texto_derecha: str,
    *,
    tamano: float,
    alto_texto: float,
) -> float:
    """The grey box with the amount in large guinda on the left and a date on the right (FOPI, comprobante)."""
    alto = 19 * mm
    base = y - alto
    mitad = MARGEN + ANCHO_UTIL / 2
    relleno(canvas, GRIS_FONDO)
    trazo(canvas, GRIS_LINEA)
    canvas.setLineWidth(0.6)
    canvas.rect(MARGEN, base, ANCHO_UTIL, alto, stroke=1, fill=1)
    canvas.line(mitad, base + 3 * mm, mitad, y - 3 * mm)

    _estilo(canvas, GRIS_TEXTO, fuentes.normal, 9)
    escribir(canvas, MARGEN + 5 * mm, y - 6 * mm, etiqueta)
    escribir(canvas, mitad + 5 * mm, y - 6 * mm, etiqueta_derecha)
    _color(canvas, GUINDA)
    _texto_ajustado(
        canvas, MARGEN + 5 * mm, base + 4.5 * mm, formato_moneda(importe), fuentes.negrita, 20, ANCHO_UTIL / 2 - 10 * mm
    )
    _estilo(canvas, black, fuentes.negrita, tamano)
    escribir(canvas, mitad + 5 * mm, base + alto_texto, texto_derecha)
    return base


def _referencia(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    centro = ANCHO_PAGINA / 2
    _estilo(canvas, GRIS_TEXTO, fuentes.normal, 9)
    escribir_centrado(canvas, centro, y, "Referencia bancaria (captúrala completa)")
    y -= 7 * mm
    _estilo(canvas, black, fuentes.negrita, 17)
    escribir_centrado(canvas, centro, y, referencia_agrupada(datos.referencia))

    barras = _Barras(datos.referencia, barHeight=ALTO_BARRAS, barWidth=ANCHO_BARRA, humanReadable=False)
    y -= 4 * mm + ALTO_BARRAS
    barras.drawOn(canvas, centro - barras.width / 2, y)

    # The unbroken digits as well: what a bank clerk types, and what text search in the PDF finds.
    y -= 4 * mm
    _letra(canvas, fuentes.normal, 9)
    escribir_centrado(canvas, centro, y, datos.referencia)
    return y - 2


class _Barras(Code128):
    """reportlab's Code128 encodes its value again on every `.width` and once more to draw: here, once."""

    def _calculate(self):
        if "_width" not in self.__dict__:
            super()._calculate()


def _bancos(canvas: Canvas, fuentes: Fuentes, bancos: tuple[BancoPdf, ...], y: float) -> float:
    _estilo(canvas, GUINDA, fuentes.negrita, 11)
    escribir(canvas, MARGEN, y, "Bancos autorizados")
    y -= 3 * mm
    if not bancos:
        _estilo(canvas, GRIS_TEXTO, fuentes.normal, 9)
        escribir(canvas, MARGEN, y - 10, "Consulta los bancos autorizados con el CAPP.")
        return y - 14

    # Room left above the SPEI box, the notices and the footer decides whether the list goes in one
    # column or two.
    espacio = y - (ALTO_PIE + 6 * mm + _ALTO_SPEI + 6 * mm + _ALTO_AVISOS + 5 * mm)
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


def _tabla_bancos(
    canvas: Canvas, fuentes: Fuentes, bancos: tuple[BancoPdf, ...], x: float, y: float, ancho: float, alto: float
) -> float:
    tamanio = min(9.0, alto * 0.6)
    base = alto * 0.3  # baseline above the row's bottom edge
    # The convenio column is as wide as its longest number: the bank name gets the rest.
    encabezado = "Número de convenio" if ancho > ANCHO_UTIL * 0.75 else "Convenio"
    ancho_convenio = min(
        ancho * 0.45, _ancho_mayor((encabezado, *(b.convenio for b in bancos)), fuentes.negrita, tamanio) + 4 * mm
    )
    x_convenio = x + ancho - ancho_convenio
    _color(canvas, GUINDA)
    canvas.rect(x, y - alto, ancho, alto, stroke=0, fill=1)
    _estilo(canvas, white, fuentes.negrita, tamanio)
    escribir(canvas, x + 2 * mm, y - alto + base, "Banco")
    _texto_ajustado(canvas, x_convenio, y - alto + base, encabezado, fuentes.negrita, tamanio, ancho_convenio - 2 * mm)
    y -= alto
    trazo(canvas, GRIS_LINEA)
    canvas.setLineWidth(0.5)
    # The striped rows' backgrounds, then the names, then the convenios: the same page with one colour and font
    # change for each instead of three per row.
    if len(bancos) > 1:
        _color(canvas, GRIS_FONDO)
        for k in range(1, len(bancos), 2):
            canvas.rect(x, y - (k + 1) * alto, ancho, alto, stroke=0, fill=1)
    _color(canvas, black)
    for k, banco in enumerate(bancos):
        _texto_ajustado(
            canvas,
            x + 2 * mm,
            y - (k + 1) * alto + base,
            banco.nombre,
            fuentes.normal,
            tamanio,
            x_convenio - x - 4 * mm,
        )
    for k, banco in enumerate(bancos):
        _texto_ajustado(
            canvas,
            x_convenio,
            y - (k + 1) * alto + base,
            banco.convenio,
            fuentes.negrita,
            tamanio,
            ancho_convenio - 2 * mm,
        )
    y -= alto * len(bancos)
    canvas.line(x, y, x + ancho, y)
    return y


@lru_cache(maxsize=256)
def _ancho_mayor(textos: tuple[str, ...], fuente: str, tamanio: float) -> float:
    """The widest of `textos` (the bank list is the same on every FOPI: measured once per process)."""
    return max(stringWidth(t, fuente, tamanio) for t in textos)


TITULO_SPEI = "O paga por transferencia SPEI desde la app o banca en línea de tu banco"
BANCO_SPEI = "STP"
_ALTO_SPEI = 33 * mm


def clabe_separada(clabe: str) -> str:
    """Bank, plaza, account and check digit apart, as a CLABE is read aloud and checked by eye."""
    return " ".join(clabe_agrupada(clabe))


def _spei(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> float:
    """The CLABE unique to this FOPI: a transfer to it is recognised and applied without a reference."""
    base = y - _ALTO_SPEI
    relleno(canvas, GRIS_FONDO)
    trazo(canvas, GRIS_LINEA)
    canvas.setLineWidth(0.6)
    canvas.rect(MARGEN, base, ANCHO_UTIL, _ALTO_SPEI, stroke=1, fill=1)
    x = MARGEN + 4 * mm
    ancho = ANCHO_UTIL - 8 * mm
    _color(canvas, GUINDA)
    _texto_ajustado(canvas, x, y - 6 * mm, TITULO_SPEI, fuentes.negrita, 11, ancho)

    # Left: the CLABE, large; right: what else the transfer form asks for.
    mitad = MARGEN + ANCHO_UTIL * 0.46
    _estilo(canvas, GRIS_TEXTO, fuentes.normal, 9)
    escribir(canvas, x, y - 12.5 * mm, "CLABE de este formato (cuenta destino)")
    _color(canvas, black)
    _texto_ajustado(canvas, x, y - 19.5 * mm, clabe_separada(datos.clabe), fuentes.negrita, 15, mitad - x - 3 * mm)
    _letra(canvas, fuentes.normal, 8.5)
    escribir(canvas, x, y - 25 * mm, datos.clabe)
    _color(canvas, GRIS_TEXTO)
    escribir(canvas, x, y - 30 * mm, "Sirve solo para este formato y este importe.")

    renglones = (
        ("Beneficiario", datos.beneficiario),
        ("Banco destino", BANCO_SPEI),
        ("Importe exacto", formato_moneda(datos.importe)),
        ("Concepto", datos.referencia),
    )
    x_etiqueta = mitad + 3 * mm
    x_valor = x_etiqueta + 27 * mm
    renglon = y - 12.5 * mm
    # In the grey of the line above: the labels, then the values in black (as the borrower's data above).
    for k, (etiqueta, _) in enumerate(renglones):
        escribir(canvas, x_etiqueta, renglon - 5.4 * mm * k, etiqueta)
    _color(canvas, black)
    for k, (_, valor) in enumerate(renglones):
        _texto_ajustado(
            canvas, x_valor, renglon - 5.4 * mm * k, valor, fuentes.negrita, 9.5, MARGEN + ANCHO_UTIL - 4 * mm - x_valor
        )
    return base


# The notices' box: a title and up to five lines (the payoff's adds two); the page keeps room for the tallest.
_ALTO_AVISOS = (11.5 + 4.6 * 5 + 1.7) * mm
AVISO_LIQUIDACION = (
    "Si pagas antes de la vigencia, los intereses que aún no se generan quedan como saldo a favor:",
    "pide en el portal que te lo devolvamos a tu cuenta (Saldo a favor).",
)


def _avisos(canvas: Canvas, fuentes: Fuentes, datos: DatosFopi, y: float) -> None:
    lineas = (
        f"Este formato es de un solo uso y solo es válido hasta el {formato_fecha(datos.vigencia)}.",
        "Paga el importe exacto, con la referencia completa, en ventanilla o banca electrónica de un banco autorizado.",
        "Un pago por otro importe o después de la vigencia no se aplica en automático: queda en revisión del CAPP.",
        *(AVISO_LIQUIDACION if datos.tipo == "LIQUIDACION" else ()),
    )
    base = y - (11.5 + 4.6 * len(lineas) + 1.7) * mm
    trazo(canvas, DORADO)
    canvas.setLineWidth(1)
    canvas.rect(MARGEN, base, ANCHO_UTIL, y - base, stroke=1, fill=0)
    x = MARGEN + 4 * mm
    ancho = ANCHO_UTIL - 8 * mm
    _color(canvas, GUINDA)
    _texto_ajustado(canvas, x, y - 6 * mm, AVISO_COPIAS, fuentes.negrita, 11, ancho)
    _color(canvas, black)
    y -= 11.5 * mm
    for linea in lineas:
        _texto_ajustado(canvas, x, y, linea, fuentes.normal, 8.5, ancho)
        y -= 4.6 * mm


def _marca(canvas: Canvas, fuentes: Fuentes, marca: str) -> None:
    """The word across the page, diagonal and translucent: the data stay legible, the slip cannot pass as payable."""
    canvas.saveState()
    relleno(canvas, GUINDA)
    canvas.setFillAlpha(0.22)
    canvas.translate(ANCHO_PAGINA / 2, ALTO_PAGINA / 2)
    canvas.rotate(52)
    letra(canvas, fuentes.negrita, 96)
    escribir_centrado(canvas, 0, -30, marca)
    canvas.restoreState()
    # The same in a line a text reader finds (a screen reader, pdftotext ignore diagonal text).
    relleno(canvas, GUINDA)
    letra(canvas, fuentes.negrita, 11)
    escribir_centrado(canvas, 
        ANCHO_PAGINA / 2,
        ALTO_PIE + 8 * mm,
        f"{marca}: este formato ya no se puede pagar. Genera uno nuevo en la Oficina Virtual.",
    )


# --- Comprobante de pago -------------------------------------------------------------------------------

TITULO_COMPROBANTE = "Comprobante de pago"
NOTA_COMPROBANTE = (
    "Este comprobante acredita que el pago se recibió y se aplicó a tu préstamo en la fecha valor indicada.",
    "Consérvalo. Si algún dato no coincide con tu pago, comunícate al CAPP con el folio de este comprobante.",
)


@dataclass(frozen=True)
class DatosComprobante:
    """An applied payment as the borrower's receipt shows it, whatever the channel (bank, SPEI, aclaración).

    `datos_pago` are the channel's own facts as (label, value) pairs, in order, e.g. ("Clave de rastreo",
    "…"); the allocation is the ledger entry's.
    """

    folio: str  # the receipt's own number
    nombre: str
    curp: str
    folio_prestamo: str
    canal: str  # "Transferencia SPEI", "Pago en banco"…
    importe: Decimal
    fecha_valor: date
    aplicado: date
    datos_pago: tuple[tuple[str, str], ...]
    moratorios: Decimal
    interes: Decimal
    capital: Decimal
    excedente: Decimal
    nota: str = ""  # e.g. applied by CAPP staff after review
    saldo_despues: Decimal | None = None  # the saldo deudor right after this payment, from the ledger
    sello: SelloVerificacion | None = None  # its verification code and QR (docs/reglas.md §9)


def render_comprobante(datos: DatosComprobante) -> bytes:
    fuentes = fuentes_para(
        datos.nombre,
        datos.curp,
        datos.folio_prestamo,
        datos.canal,
        datos.nota,
        *(texto for par in datos.datos_pago for texto in par),
    )
    buffer = io.BytesIO()
    canvas = nuevo_canvas(
        buffer,
        titulo=f"{TITULO_COMPROBANTE} {datos.folio}",
        asunto=f"{TITULO_COMPROBANTE} — préstamo {datos.folio_prestamo}",
        fuentes=fuentes,
    )
    y = dibujar_encabezado(canvas, fuentes=fuentes) - 11 * mm
    relleno(canvas, GUINDA)
    letra(canvas, fuentes.negrita, 16)
    escribir(canvas, MARGEN, y, TITULO_COMPROBANTE)
    relleno(canvas, GRIS_TEXTO)
    letra(canvas, fuentes.normal, 8.5)
    derecha = ANCHO_PAGINA - MARGEN
    escribir_derecha(canvas, derecha, y + 6, f"Folio {datos.folio}")
    escribir_derecha(canvas, derecha, y - 5, f"Aplicado el {formato_fecha(datos.aplicado)}")

    y = _pares(
        canvas,
        fuentes,
        (
            ("Nombre", datos.nombre),
            ("CURP", datos.curp),
            ("Folio del préstamo", datos.folio_prestamo),
        ),
        y - 12 * mm,
    )
    y = _importe_recibido(canvas, fuentes, datos, y - 5 * mm)
    y = _subtitulo(canvas, fuentes, "Datos del pago", y - 9 * mm)
    y = _pares(canvas, fuentes, (("Forma de pago", datos.canal), *datos.datos_pago), y - 6 * mm)
    y = _subtitulo(canvas, fuentes, "Cómo se aplicó", y - 9 * mm)
    y = _aplicacion(canvas, fuentes, datos, y - 3 * mm)
    if datos.saldo_despues is not None:
        y -= 8 * mm
        relleno(canvas, GRIS_TEXTO)
        letra(canvas, fuentes.normal, 9)
        escribir(canvas, MARGEN, y, "Saldo deudor después del pago")
        relleno(canvas, black)
        letra(canvas, fuentes.negrita, 12)
        escribir(canvas, MARGEN + 52 * mm, y, formato_moneda(datos.saldo_despues))
    relleno(canvas, GRIS_TEXTO)
    y -= 8 * mm
    for linea in ((datos.nota,) if datos.nota else ()) + NOTA_COMPROBANTE:
        _texto_ajustado(canvas, MARGEN, y, linea, fuentes.normal, 8.5, ANCHO_UTIL)
        y -= 4.6 * mm
    if datos.sello is not None:
        dibujar_sello(canvas, datos.sello, y=ALTO_PIE + 6 * mm, fuentes=fuentes)
    dibujar_pie(canvas, pagina=1, total=1, fuentes=fuentes)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _subtitulo(canvas: Canvas, fuentes: Fuentes, texto: str, y: float) -> float:
    relleno(canvas, GUINDA)
    letra(canvas, fuentes.negrita, 11)
    escribir(canvas, MARGEN, y, texto)
    return y


def _pares(canvas: Canvas, fuentes: Fuentes, pares, y: float) -> float:
    """Label and value rows; returns the baseline of the last one."""
    x_valor = MARGEN + 42 * mm
    for etiqueta, valor in pares:
        relleno(canvas, GRIS_TEXTO)
        letra(canvas, fuentes.normal, 9)
        escribir(canvas, MARGEN, y, etiqueta)
        relleno(canvas, black)
        _texto_ajustado(canvas, x_valor, y, valor, fuentes.negrita, 10.5, ANCHO_PAGINA - MARGEN - x_valor)
        y -= 15
    return y + 15


def _importe_recibido(canvas: Canvas, fuentes: Fuentes, datos: DatosComprobante, y: float) -> float:
    return _recuadro_de_importe(
        canvas,
        fuentes,
        y,
        "Importe recibido",
        datos.importe,
        "Fecha valor",
        formato_fecha(datos.fecha_valor),
        tamano=14,
        alto_texto=5 * mm,
    )


def _aplicacion(canvas: Canvas, fuentes: Fuentes, datos: DatosComprobante, y: float) -> float:
    """The ledger entry's split, in the order money is applied (docs/reglas.md §5), and its total."""
    renglones = [
        ("A intereses moratorios", datos.moratorios),
        ("A intereses ordinarios", datos.interes),
        ("A capital", datos.capital),
    ]
    if datos.excedente:
        renglones.append(("Saldo a favor (por devolver)", datos.excedente))
    alto = ALTO_RENGLON_BANCO
    ancho = ANCHO_UTIL * 0.6
    x_importe = MARGEN + ancho - 2 * mm
    relleno(canvas, GUINDA)
    canvas.rect(MARGEN, y - alto, ancho, alto, stroke=0, fill=1)
    relleno(canvas, white)
    letra(canvas, fuentes.negrita, 9)
    escribir(canvas, MARGEN + 2 * mm, y - alto + 4.5, "Concepto")
    escribir_derecha(canvas, x_importe, y - alto + 4.5, "Importe")
    y -= alto
    for k, (concepto, importe) in enumerate(renglones):
        if k % 2:
            relleno(canvas, GRIS_FONDO)
            canvas.rect(MARGEN, y - alto, ancho, alto, stroke=0, fill=1)
        relleno(canvas, black)
        letra(canvas, fuentes.normal, 9)
        escribir(canvas, MARGEN + 2 * mm, y - alto + 4.5, concepto)
        escribir_derecha(canvas, x_importe, y - alto + 4.5, formato_moneda(importe))
        y -= alto
    trazo(canvas, GRIS_LINEA)
    canvas.setLineWidth(0.5)
    canvas.line(MARGEN, y, MARGEN + ancho, y)
    letra(canvas, fuentes.negrita, 9.5)
    escribir(canvas, MARGEN + 2 * mm, y - alto + 4.5, "Total aplicado")
    escribir_derecha(canvas, x_importe, y - alto + 4.5, formato_moneda(datos.importe))
    return y - alto
