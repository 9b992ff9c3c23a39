"""Printable estado de cuenta and the one-page letters: carta de liquidación, aviso de suspensión de
descuentos, constancia de no adeudo (docs/reglas.md §2, §5, §9).

Renderers take frozen dataclasses that a selector fills, never models, so the PDFs can be tested without
a database and a view only has to hand the bytes over. The statement can run to several pages (a loan
of 240 quincenas has a 240-row schedule), so it is laid out with platypus; a letter is one fixed page,
drawn top-down, with the verification seal (`oficina.verificacion_pdf`) above its footer.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from oficina.formatos import formato_fecha, formato_moneda
from oficina.pdf import (
    ALTO_ENCABEZADO,
    ALTO_PIE,
    ANCHO_PAGINA,
    AUTOR,
    FUENTE,
    FUENTE_NEGRITA,
    GRIS_FONDO,
    GRIS_LINEA,
    GRIS_TEXTO,
    GUINDA,
    MARGEN,
    PAGINA,
    CanvasNumerado,
    dibujar_encabezado,
    dibujar_pie,
    nuevo_canvas,
)
from oficina.verificacion_pdf import ALTO_SELLO, SelloVerificacion, dibujar_sello

ANCHO_UTIL = ANCHO_PAGINA - 2 * MARGEN
SIN_DATO = "—"
_FONDO_AVISO = HexColor("#fbf3e2")  # the portal's .aviso
_DORADO_AVISO = HexColor("#a57f2c")


@dataclass(frozen=True)
class RenglonTabla:
    numero: int
    quincena: str  # e.g. "2026-Q12 (16/06/2026 – 30/06/2026)"
    vencimiento: date
    cuota: Decimal
    interes: Decimal
    capital: Decimal
    saldo: Decimal
    estado: str  # the label to print ("Pagada", "Vencida", "Por vencer", "Parcial")
    vencida: bool = False  # printed in bold red: what the borrower must see first


@dataclass(frozen=True)
class MovimientoPdf:
    fecha: date
    concepto: str
    importe: Decimal
    moratorios: Decimal
    interes: Decimal
    capital: Decimal


@dataclass(frozen=True)
class PrestamoPdf:
    """One loan as printed; `tipo` and `estado` are display texts ("Ordinario", "Vigente")."""

    folio: str
    tipo: str
    estado: str
    importe: Decimal
    tasa_anual: Decimal
    plazo: int
    cuota: Decimal
    fecha_otorgamiento: date
    quincenas_pagadas: int  # periods: months for a pensioner's loan
    quincenas_por_pagar: int
    fecha_termino: date | None
    dependencia: str
    saldo: Decimal
    movimientos: tuple[MovimientoPdf, ...]
    tabla: tuple[RenglonTabla, ...]
    # The words of the loan's period kind (prestamos.calculo.Periodo): a pensioner's loan counts months.
    periodo: str = "quincena"
    periodos: str = "quincenas"
    descuento: str = "descuento quincenal"
    pagados: str = "quincenas pagadas"


@dataclass(frozen=True)
class OmisionPdf:
    """A missing payroll deduction, as the statement's notice lists it (docs/reglas.md §6)."""

    folio: str
    periodo: str  # "2026-Q11 (01/06/2026 – 15/06/2026)"
    pendiente: Decimal
    moratorio: Decimal  # accrued to the cut-off date


@dataclass(frozen=True)
class EstadoCuentaPdf:
    nombre: str
    curp: str
    fecha_corte: date
    saldo_deudor_total: Decimal
    vigente: PrestamoPdf | None
    historico: tuple[PrestamoPdf, ...]  # every loan, the vigente one included
    # What the saldo deudor total is made of (docs/reglas.md §5), over the loans in force.
    capital_insoluto: Decimal = Decimal("0.00")
    intereses_vencidos: Decimal = Decimal("0.00")
    moratorios: Decimal = Decimal("0.00")
    omisiones: tuple[OmisionPdf, ...] = ()
    pension_suspendida: bool = False  # a pensioner whose pension payroll came without the deduction
    # Who deducts and what, in the borrower's words (docs/reglas.md §14): a pensioner's are months and her pension.
    pagador: str = "tu dependencia"


@dataclass(frozen=True)
class CartaLiquidacion:
    nombre: str
    curp: str
    folio: str
    tipo: str
    importe: Decimal
    fecha_otorgamiento: date
    fecha_liquidacion: date
    emitida: date
    folio_documento: str = ""  # the carta's own folio (CL-…); empty and no seal only in layout tests
    sello: SelloVerificacion | None = None


@dataclass(frozen=True)
class AvisoSuspension:
    """To the dependencia's payroll office: stop deducting a paid-off loan."""

    folio_documento: str
    nombre: str
    curp: str
    rfc: str
    dependencia: str
    folio: str
    descuento: Decimal  # the cuota the dependencia has been deducting
    fecha_liquidacion: date
    primera_quincena_sin_descuento: str  # "la 1ª quincena de julio de 2026, del 1 al 15 de julio (2026-Q13)"
    regla: str  # how that quincena follows from the payoff date, printed as is
    emitido: date
    sello: SelloVerificacion | None
    periodo: str = "quincena"  # "mes" for the pension payroll
    adjetivo: str = "descuento quincenal"


@dataclass(frozen=True)
class LiquidadoPdf:
    folio: str
    tipo: str
    importe: Decimal
    fecha_liquidacion: date


@dataclass(frozen=True)
class ConstanciaNoAdeudo:
    folio_documento: str
    nombre: str
    curp: str
    rfc: str
    emitida: date
    liquidados: tuple[LiquidadoPdf, ...]  # most recent first
    sello: SelloVerificacion | None


def formato_tasa(tasa_anual: Decimal) -> str:
    return f"{tasa_anual:.2f} % anual"


# --- Styles -------------------------------------------------------------------------------------------

_NORMAL = ParagraphStyle("normal", fontName=FUENTE, fontSize=9.5, leading=13)
_TITULO = ParagraphStyle("titulo", _NORMAL, fontName=FUENTE_NEGRITA, fontSize=17, leading=21, textColor=GUINDA,
                         spaceAfter=3 * mm)
_SECCION = ParagraphStyle("seccion", _NORMAL, fontName=FUENTE_NEGRITA, fontSize=12.5, leading=16, textColor=GUINDA,
                          spaceBefore=5 * mm, spaceAfter=2 * mm, keepWithNext=1)
_SUBSECCION = ParagraphStyle("subseccion", _NORMAL, fontName=FUENTE_NEGRITA, fontSize=10, leading=13,
                             textColor=GRIS_TEXTO, spaceBefore=3 * mm, spaceAfter=1.5 * mm)
_SALDO = ParagraphStyle("saldo", _NORMAL, fontName=FUENTE_NEGRITA, fontSize=20, leading=24, textColor=GUINDA)
_NOTA = ParagraphStyle("nota", _NORMAL, fontSize=8, leading=10.5, textColor=GRIS_TEXTO)
_CELDA = ParagraphStyle("celda", _NORMAL, fontSize=7.5, leading=9)
_VALOR = ParagraphStyle("valor", _NORMAL, fontName=FUENTE_NEGRITA, fontSize=9, leading=11.5)

_TAMANIO_TABLA = 7.5


def _p(texto: str, estilo: ParagraphStyle = _NORMAL) -> Paragraph:
    # Names and concepts come from data files: escape them, Paragraph reads its text as markup.
    return Paragraph(escape(texto), estilo)


def _estilo_tabla(*, numericas: tuple[int, ...], renglones: int) -> list:
    comandos = [
        ("FONT", (0, 0), (-1, -1), FUENTE, _TAMANIO_TABLA),
        ("FONT", (0, 0), (-1, 0), FUENTE_NEGRITA, _TAMANIO_TABLA),
        ("TEXTCOLOR", (0, 0), (-1, 0), white),
        ("BACKGROUND", (0, 0), (-1, 0), GUINDA),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, GRIS_LINEA),
    ]
    if renglones > 1:
        comandos.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), (white, GRIS_FONDO)))
    for columna in numericas:
        comandos.append(("ALIGN", (columna, 0), (columna, -1), "RIGHT"))
    return comandos


def _subseccion(texto: str) -> list:
    # Not keepWithNext: platypus would push a heading and a many-page table whole to the next page.
    # A conditional break keeps the heading from being stranded at the bottom instead.
    return [CondPageBreak(30 * mm), _p(texto, _SUBSECCION)]


def _tabla(encabezado: list[str], renglones: list[list], anchos: list[float], *, numericas: tuple[int, ...],
           extra: list | None = None) -> Table:
    tabla = Table([encabezado, *renglones], colWidths=anchos, repeatRows=1, hAlign="LEFT")
    tabla.setStyle(TableStyle(_estilo_tabla(numericas=numericas, renglones=len(renglones) + 1) + (extra or [])))
    return tabla


def _ficha(pares: list[tuple[str, str]], *, columnas: int = 2, etiqueta: float | None = None) -> Table:
    """Label/value pairs in a grid: how the conditions of a loan are read at a glance.

    `etiqueta`: the label's share of each pair's width (one-column grids stacked under two-column ones
    pass 0.275 so every label starts and ends at the same place).
    """
    ancho_par = ANCHO_UTIL / columnas
    etiqueta = etiqueta or (0.55 if columnas > 1 else 0.3)
    anchos = [ancho_par * etiqueta, ancho_par * (1 - etiqueta)] * columnas
    renglones = []
    for k in range(0, len(pares), columnas):
        renglon: list = []
        for etiqueta, valor in pares[k : k + columnas]:
            renglon += [_p(etiqueta, _NOTA), _p(valor, _VALOR)]
        renglon += [""] * (2 * columnas - len(renglon))
        renglones.append(renglon)
    tabla = Table(renglones, colWidths=anchos, hAlign="LEFT")
    tabla.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FUENTE, 9),  # Table's own default is a non-embedded Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRIS_LINEA),
    ]))
    return tabla


# --- Estado de cuenta ---------------------------------------------------------------------------------


def render_estado_cuenta(datos: EstadoCuentaPdf) -> bytes:
    buffer = io.BytesIO()
    documento = SimpleDocTemplate(
        buffer,
        pagesize=PAGINA,
        initialFontName=FUENTE,
        leftMargin=MARGEN,
        rightMargin=MARGEN,
        topMargin=ALTO_ENCABEZADO + 8 * mm,
        bottomMargin=ALTO_PIE + 5 * mm,
        title=f"Estado de cuenta — {datos.curp}",
        subject="Estado de cuenta",
        author=AUTOR,
        creator=AUTOR,
    )
    historia: list = [
        _p("Estado de cuenta", _TITULO),
        _ficha(
            [("Nombre", datos.nombre), ("CURP", datos.curp), ("Fecha de corte", formato_fecha(datos.fecha_corte))],
            columnas=1,
        ),
        _p("Saldo deudor total", _SECCION),
        _p(formato_moneda(datos.saldo_deudor_total), _SALDO),
        Spacer(1, 1.5 * mm),
        _ficha([
            ("Capital insoluto", formato_moneda(datos.capital_insoluto)),
            ("Intereses vencidos", formato_moneda(datos.intereses_vencidos)),
            ("Moratorios", formato_moneda(datos.moratorios)),
        ], columnas=3),
        Spacer(1, 1 * mm),
        _p(
            f"Al {formato_fecha(datos.fecha_corte)}: capital insoluto, más intereses de cuotas vencidas no "
            "pagadas y moratorios a la fecha de corte.",
            _NOTA,
        ),
        *_aviso_omisiones(datos),
        _p("Condiciones del préstamo vigente", _SECCION),
        _condiciones(datos.vigente) if datos.vigente else _p("No tienes un préstamo vigente."),
        _p("Histórico de préstamos", _SECCION),
        _historico(datos.historico),
    ]
    for prestamo in datos.historico:
        historia += _detalle(prestamo)

    documento.build(historia, canvasmaker=CanvasNumerado)
    return buffer.getvalue()


_AVISO = ParagraphStyle("aviso", _NORMAL, fontSize=9, leading=12.5)
_AVISO_TITULO = ParagraphStyle("aviso_titulo", _NORMAL, fontName=FUENTE_NEGRITA, fontSize=11, leading=14,
                               textColor=GUINDA)


def _aviso_omisiones(datos: EstadoCuentaPdf) -> list:
    """A boxed notice naming each missing deduction, what it owes and how to put it right."""
    if not datos.omisiones:
        return []
    texto = (
        f"{datos.pagador.capitalize()} no realizó estos descuentos. Mientras no los pagues generan intereses "
        "moratorios: regularízalos en la Oficina Virtual (Prestaciones › Recuperación de crédito › "
        "Regularización), que te da el formato de pago por el total."
    )
    if datos.pension_suspendida:
        texto += (
            " Es posible que tu pensión se haya suspendido por falta del control de supervivencia anual: para "
            "reactivarla acude a la Subdelegación de Prestaciones del ISSSTE que te corresponde."
        )
    renglones = [[o.folio, _p(o.periodo, _CELDA), formato_moneda(o.pendiente), formato_moneda(o.moratorio)]
                 for o in datos.omisiones]
    tabla = _tabla(["Préstamo", "Periodo sin descuento", "No descontado", f"Moratorios al {formato_fecha(datos.fecha_corte)}"],
                   renglones, _escalar([26 * mm, 74 * mm, 32 * mm, 38 * mm]), numericas=(2, 3))
    caja = Table([[_p("Descuentos omitidos", _AVISO_TITULO)], [_p(texto, _AVISO)], [tabla]],
                 colWidths=[ANCHO_UTIL], hAlign="LEFT")
    caja.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), _FONDO_AVISO),
        ("LINEBEFORE", (0, 0), (0, -1), 3, _DORADO_AVISO),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
    ]))
    return [Spacer(1, 3 * mm), caja]


def _condiciones(prestamo: PrestamoPdf) -> Table:
    termino = formato_fecha(prestamo.fecha_termino) if prestamo.fecha_termino else SIN_DATO
    return _ficha([
        ("Folio", prestamo.folio),
        ("Tipo", prestamo.tipo),
        ("Importe otorgado", formato_moneda(prestamo.importe)),
        ("Tasa", formato_tasa(prestamo.tasa_anual)),
        ("Plazo", f"{prestamo.plazo} {prestamo.periodos}"),
        (prestamo.descuento.capitalize(), formato_moneda(prestamo.cuota)),
        ("Fecha de otorgamiento", formato_fecha(prestamo.fecha_otorgamiento)),
        (f"{prestamo.pagados.capitalize()} / por pagar", f"{prestamo.quincenas_pagadas} / {prestamo.quincenas_por_pagar}"),
        ("Fecha estimada de término", termino),
        ("Dependencia", prestamo.dependencia or SIN_DATO),
    ])


def _historico(prestamos: tuple[PrestamoPdf, ...]):
    if not prestamos:
        return _p("No hay préstamos registrados.")
    renglones = [
        [p.folio, _p(p.tipo, _CELDA), formato_moneda(p.importe), formato_fecha(p.fecha_otorgamiento), p.estado,
         formato_moneda(p.saldo)]
        for p in prestamos
    ]
    anchos = [23 * mm, 40 * mm, 26 * mm, 38 * mm, 24 * mm, 26 * mm]
    return _tabla(["Folio", "Tipo", "Importe", "Fecha de otorgamiento", "Estado", "Saldo"], renglones,
                  _escalar(anchos), numericas=(2, 5))


def _detalle(prestamo: PrestamoPdf) -> list:
    partes: list = [
        CondPageBreak(45 * mm),
        _p(f"Préstamo {prestamo.folio} — {prestamo.tipo} ({prestamo.estado})", _SECCION),
        _p(
            f"Importe otorgado {formato_moneda(prestamo.importe)} el {formato_fecha(prestamo.fecha_otorgamiento)}, "
            f"{formato_tasa(prestamo.tasa_anual)}, {prestamo.plazo} {prestamo.periodos} de {formato_moneda(prestamo.cuota)}.",
            _NOTA,
        ),
        *_subseccion("Movimientos"),
    ]
    if prestamo.movimientos:
        renglones = [
            [formato_fecha(m.fecha), _p(m.concepto, _CELDA), formato_moneda(m.importe), formato_moneda(m.moratorios),
             formato_moneda(m.interes), formato_moneda(m.capital)]
            for m in prestamo.movimientos
        ]
        anchos = _escalar([19 * mm, 66 * mm, 24 * mm, 22 * mm, 22 * mm, 24 * mm])
        partes.append(_tabla(["Fecha", "Concepto", "Importe", "Moratorios", "Interés", "Capital"], renglones,
                             anchos, numericas=(2, 3, 4, 5)))
    else:
        partes.append(_p("Sin movimientos registrados.", _NOTA))

    partes += _subseccion("Tabla de amortización")
    if prestamo.tabla:
        renglones = []
        extra = []
        for k, r in enumerate(prestamo.tabla, start=1):
            renglones.append([
                str(r.numero), r.quincena, formato_fecha(r.vencimiento), formato_moneda(r.cuota),
                formato_moneda(r.interes), formato_moneda(r.capital), formato_moneda(r.saldo), r.estado,
            ])
            if r.vencida:
                extra += [("TEXTCOLOR", (7, k), (7, k), GUINDA), ("FONT", (7, k), (7, k), FUENTE_NEGRITA)]
        anchos = _escalar([10 * mm, 49 * mm, 18 * mm, 18 * mm, 17 * mm, 18 * mm, 20 * mm, 18 * mm])
        partes.append(_tabla(["Núm.", prestamo.periodo.capitalize(), "Vencimiento", "Cuota", "Interés", "Capital", "Saldo", "Estado"],
                             renglones, anchos, numericas=(0, 3, 4, 5, 6),
                             extra=[("LEFTPADDING", (7, 0), (7, -1), 6), *extra]))
    else:
        partes.append(_p("Sin tabla de amortización.", _NOTA))
    return partes


def _escalar(anchos: list[float]) -> list[float]:
    """Stretch column widths to the usable width, keeping their proportions."""
    factor = ANCHO_UTIL / sum(anchos)
    return [a * factor for a in anchos]


# --- One-page letters: carta de liquidación, aviso de suspensión, constancia de no adeudo ---------------

_CUERPO = ParagraphStyle("cuerpo", _NORMAL, fontSize=11, leading=16.5, alignment=TA_JUSTIFY)
_FIRMA = ParagraphStyle("firma", _NORMAL, fontSize=10.5, leading=14, alignment=TA_CENTER)
_LUGAR = ParagraphStyle("lugar", _NORMAL, fontSize=10.5, leading=14, alignment=TA_RIGHT)
_TITULO_CARTA = ParagraphStyle("titulo_carta", _TITULO, alignment=TA_CENTER)
_DESTINATARIO = ParagraphStyle("destinatario", _NORMAL, fontName=FUENTE_NEGRITA, fontSize=11, leading=14.5)
# The seal sits just above the "documento emitido" line, at the same place on every letter.
Y_SELLO = ALTO_PIE + 10 * mm
ALTO_FIRMA = 14 * mm + 2 * mm + 14 * mm + 5 * mm  # "Atentamente", the line, the two lines below it

logger = logging.getLogger(__name__)


class _Hoja:
    """A one-page letter drawn top-down on the canvas: every block is placed below the previous one.

    Fixed pieces — institution header, place and date, the document's folio, signature, verification
    seal, the "documento emitido" line and the CAPP footer — are the same on every letter.
    """

    def __init__(self, *, titulo_pdf: str, asunto: str, emitida: date, folio: str):
        self.buffer = io.BytesIO()
        self.canvas = nuevo_canvas(self.buffer, titulo=titulo_pdf, asunto=asunto)
        self.titulo = titulo_pdf
        self.emitida = emitida
        self.y = dibujar_encabezado(self.canvas) - 12 * mm
        self.bloque(_p(f"Ciudad de México, a {formato_fecha(emitida)}", _LUGAR))
        if folio:
            self.bloque(Paragraph(f"Folio: <b>{escape(folio)}</b>", _LUGAR))
        self.y -= 8 * mm

    def bloque(self, flowable, espacio_despues: float = 0) -> None:
        _, alto = flowable.wrapOn(self.canvas, ANCHO_UTIL, self.y)
        self.y -= alto
        flowable.drawOn(self.canvas, MARGEN, self.y)
        self.y -= espacio_despues

    def firma(self, espacio_antes: float = 14 * mm) -> None:
        # A long name or dependencia takes lines from the blank above the signature, not from the seal.
        libre = self.y - (Y_SELLO + ALTO_SELLO + 4 * mm) - ALTO_FIRMA
        self.y -= max(2 * mm, min(espacio_antes, libre))
        self.bloque(_p("Atentamente", _FIRMA), 14 * mm)
        self.canvas.setStrokeColor(black)
        self.canvas.setLineWidth(0.6)
        self.canvas.line(ANCHO_PAGINA / 2 - 45 * mm, self.y, ANCHO_PAGINA / 2 + 45 * mm, self.y)
        self.y -= 2 * mm
        self.bloque(_p("Centro de Atención de Préstamos Personales (CAPP)", _FIRMA))
        self.bloque(_p("Instituto de Seguridad y Servicios Sociales de los Trabajadores del Estado", _FIRMA))

    def terminar(self, *, nota: str, sello: SelloVerificacion | None) -> bytes:
        canvas = self.canvas
        if self.y < Y_SELLO + ALTO_SELLO:
            logger.warning("El texto de «%s» llega hasta el sello de verificación.", self.titulo)
        if sello is not None:
            dibujar_sello(canvas, sello, y=Y_SELLO)
        canvas.setFillColor(GRIS_TEXTO)
        canvas.setFont(FUENTE, 7.5)
        canvas.drawString(MARGEN, ALTO_PIE + 4 * mm, f"Documento emitido en la Oficina Virtual el {formato_fecha(self.emitida)}. {nota}")
        dibujar_pie(canvas, pagina=1, total=1)
        canvas.showPage()
        canvas.save()
        return self.buffer.getvalue()


def _negritas(*valores: str) -> tuple[str, ...]:
    return tuple(f"<b>{escape(v)}</b>" for v in valores)


def render_carta_liquidacion(datos: CartaLiquidacion) -> bytes:
    hoja = _Hoja(titulo_pdf=f"Carta de liquidación — préstamo {datos.folio}", asunto="Carta de liquidación",
                 emitida=datos.emitida, folio=datos.folio_documento)
    hoja.bloque(Paragraph("Carta de liquidación", _TITULO_CARTA), 6 * mm)
    hoja.bloque(_p("A quien corresponda:", _CUERPO), 4 * mm)
    nombre, curp, folio = _negritas(datos.nombre, datos.curp, datos.folio)
    hoja.bloque(Paragraph(
        "El Instituto de Seguridad y Servicios Sociales de los Trabajadores del Estado (ISSSTE), por conducto "
        "del Centro de Atención de Préstamos Personales (CAPP), hace constar que el préstamo personal con "
        f"folio {folio}, a nombre de {nombre}, con CURP {curp}, fue pagado en su totalidad el "
        f"<b>{formato_fecha(datos.fecha_liquidacion)}</b> y no tiene adeudo pendiente.",
        _CUERPO,
    ), 6 * mm)
    hoja.bloque(_ficha([
        ("Folio del préstamo", datos.folio),
        ("Tipo de préstamo", datos.tipo),
        ("Importe otorgado", formato_moneda(datos.importe)),
        ("Fecha de otorgamiento", formato_fecha(datos.fecha_otorgamiento)),
        ("Fecha de liquidación", formato_fecha(datos.fecha_liquidacion)),
        ("Saldo a la fecha de liquidación", formato_moneda(Decimal("0.00"))),
    ]), 6 * mm)
    hoja.bloque(_p(
        "Se extiende la presente a solicitud de la persona interesada, para los fines legales que a sus "
        "intereses convengan.",
        _CUERPO,
    ))
    hoja.firma()
    return hoja.terminar(nota="Consérvalo como comprobante de la liquidación de tu préstamo.", sello=datos.sello)


def render_aviso_suspension(datos: AvisoSuspension) -> bytes:
    """Addressed to the dependencia's payroll office: stop deducting this loan from this quincena on."""
    hoja = _Hoja(titulo_pdf=f"Aviso de suspensión de descuentos — préstamo {datos.folio}",
                 asunto="Aviso de suspensión de descuentos", emitida=datos.emitido, folio=datos.folio_documento)
    hoja.bloque(Paragraph("Aviso de suspensión de descuentos", _TITULO_CARTA), 5 * mm)
    hoja.bloque(_p("Área de nómina (Recursos Humanos)", _DESTINATARIO))
    hoja.bloque(_p(datos.dependencia, _DESTINATARIO))
    hoja.bloque(_p("Presente", _CUERPO), 4 * mm)
    folio, quincena = _negritas(datos.folio, datos.primera_quincena_sin_descuento)
    hoja.bloque(Paragraph(
        "El Instituto de Seguridad y Servicios Sociales de los Trabajadores del Estado (ISSSTE), por conducto "
        "del Centro de Atención de Préstamos Personales (CAPP), le informa que el préstamo personal con folio "
        f"{folio} de la persona trabajadora que se indica fue liquidado en su totalidad el "
        f"<b>{formato_fecha(datos.fecha_liquidacion)}</b>. Le solicitamos <b>suspender su descuento vía nómina "
        f"a partir de</b> {quincena}, inclusive.",
        _CUERPO,
    ), 5 * mm)
    # Short values two to a row, names and the quincena across the page: it all fits above the seal.
    hoja.bloque(_ficha([("Nombre", datos.nombre), ("CURP", datos.curp), ("Dependencia", datos.dependencia)],
                       columnas=1, etiqueta=0.275))
    hoja.bloque(_ficha([
        ("Folio del préstamo", datos.folio),
        (datos.adjetivo.capitalize(), formato_moneda(datos.descuento)),
        ("RFC", datos.rfc or SIN_DATO),
        ("Fecha de liquidación", formato_fecha(datos.fecha_liquidacion)),
    ]))
    primero = "Primera" if datos.periodo == "quincena" else "Primer"
    hoja.bloque(_ficha([(f"{primero} {datos.periodo} sin descuento", datos.primera_quincena_sin_descuento)],
                       columnas=1, etiqueta=0.275), 4 * mm)
    hoja.bloque(_p(
        f"{datos.regla} Un descuento aplicado a partir de {'esa' if datos.periodo == 'quincena' else 'ese'} {datos.periodo} ya no abona a ningún adeudo: el ISSSTE "
        "lo registra como saldo a favor del trabajador para devolvérselo.",
        _NOTA,
    ))
    hoja.firma(espacio_antes=8 * mm)
    return hoja.terminar(nota="Entrégalo al área de nómina de tu dependencia.", sello=datos.sello)


# At most this many paid-off loans listed on a constancia, so it stays one page; the rest are counted.
MAXIMO_LIQUIDADOS = 5


def render_constancia_no_adeudo(datos: ConstanciaNoAdeudo) -> bytes:
    hoja = _Hoja(titulo_pdf=f"Constancia de no adeudo — {datos.curp}", asunto="Constancia de no adeudo",
                 emitida=datos.emitida, folio=datos.folio_documento)
    hoja.bloque(Paragraph("Constancia de no adeudo", _TITULO_CARTA), 6 * mm)
    hoja.bloque(_p("A quien corresponda:", _CUERPO), 4 * mm)
    nombre, curp = _negritas(datos.nombre, datos.curp)
    rfc = f" y RFC {_negritas(datos.rfc)[0]}" if datos.rfc else ""
    hoja.bloque(Paragraph(
        "El Instituto de Seguridad y Servicios Sociales de los Trabajadores del Estado (ISSSTE), por conducto "
        f"del Centro de Atención de Préstamos Personales (CAPP), hace constar que {nombre}, con CURP {curp}{rfc}, "
        f"<b>no tiene adeudo por préstamos personales</b> con este Instituto al <b>{formato_fecha(datos.emitida)}</b>: "
        "no tiene préstamos vigentes ni en cobranza.",
        _CUERPO,
    ), 6 * mm)
    if datos.liquidados:
        hoja.bloque(_p("Préstamos personales liquidados", _SUBSECCION))
        mostrados = datos.liquidados[:MAXIMO_LIQUIDADOS]
        renglones = [[p.folio, _p(p.tipo, _CELDA), formato_moneda(p.importe), formato_fecha(p.fecha_liquidacion)]
                     for p in mostrados]
        hoja.bloque(_tabla(["Folio", "Tipo", "Importe otorgado", "Fecha de liquidación"], renglones,
                           _escalar([30 * mm, 70 * mm, 35 * mm, 35 * mm]), numericas=(2,),
                           extra=[("LEFTPADDING", (3, 0), (3, -1), 10)]), 2 * mm)
        restantes = len(datos.liquidados) - len(mostrados)
        if restantes:
            hoja.bloque(_p(f"Y {restantes} préstamo(s) anterior(es), también liquidado(s).", _NOTA), 2 * mm)
        hoja.y -= 4 * mm
    else:
        hoja.bloque(_p("No registra préstamos personales con el Instituto.", _CUERPO), 6 * mm)
    hoja.bloque(_p(
        "Se extiende la presente a solicitud de la persona interesada, para los fines legales que a sus "
        "intereses convengan.",
        _CUERPO,
    ))
    hoja.firma(espacio_antes=10 * mm)
    return hoja.terminar(nota="Vale por la situación a esa fecha.", sello=datos.sello)
