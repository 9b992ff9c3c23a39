"""The balance chart of a loan, drawn on the server as SVG (no JavaScript): geometry and words only, the
template (templates/recuperacion/_grafica.html) draws it. Every coordinate comes formatted from here (one
decimal, `coordenada`), so the template only prints strings: no filter, no arithmetic per mark.

What it says: how the capital owed came down with what was paid (solid line, up to today), how the schedule
takes the rest down to zero (dashed), where today is and when the loan is paid off; axes with amounts and
years. Its text alternative — one sentence and a small table — says the same for a screen reader and for
anyone who prefers to read the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from oficina.formatos import formato_fecha, formato_moneda
from prestamos.selectors import SerieSaldo

# Drawn for a phone: at 360 units wide the labels keep their size on a 375 px screen; CSS caps the width on
# a desktop, where they grow a little.
ANCHO, ALTO = 360, 236
IZQUIERDA, DERECHA, ARRIBA, ABAJO = 62, 14, 30, 32
MESES = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")


DECIMA = Decimal("0.1")


def coordenada(valor: float) -> str:
    """A coordinate with one decimal, as the template's `floatformat:'1u'` printed it (the float's shortest
    repr rounded half up: 62.25 → "62.3", where `f"{62.25:.1f}"` gives "62.2")."""
    return str(Decimal(repr(valor)).quantize(DECIMA, ROUND_HALF_UP))


@dataclass(frozen=True)
class Marca:
    posicion: float
    texto: str
    coordenada: str = field(init=False)  # `posicion` as the SVG prints it

    def __post_init__(self) -> None:
        object.__setattr__(self, "coordenada", coordenada(self.posicion))


@dataclass(frozen=True)
class FilaGrafica:
    fecha: str
    saldo: str
    que: str  # "Pagado", "Hoy", "Proyectado", …


@dataclass(frozen=True)
class Grafica:
    id: str
    ancho: int
    alto: int
    izquierda: int
    derecha: int  # x of the plot's right edge
    arriba: int
    abajo: int  # y of the plot's bottom edge (the zero line)
    pagado: str  # <polyline> points
    proyectado: str
    eje_x: tuple[Marca, ...]
    eje_y: tuple[Marca, ...]
    hoy: Marca | None  # x of today and its label ("" when it would run into the end's)
    fin: Marca  # x of the last due date (or of the payoff) and its label
    fin_y: str
    leyenda_hoy: str  # "Hoy: 01/12/2026"
    leyenda_fin: str  # "Fin: 15/12/2028, terminas de pagar" / "Liquidado el 31/12/2020"
    titulo: str
    descripcion: str
    filas: tuple[FilaGrafica, ...]

    # Where the labels and ticks sit around the plot (the template prints them as they are).
    @property
    def x_rotulo_y(self) -> int:  # the amounts' right edge, left of the plot
        return self.izquierda - 6

    @property
    def y_marca(self) -> int:  # the time ticks' lower end
        return self.abajo + 5

    @property
    def y_rotulo_x(self) -> int:  # the years' baseline, under the plot
        return self.abajo + 19

    @property
    def y_limite(self) -> int:  # the top of the "today" and "end" lines
        return self.arriba - 6

    @property
    def y_etiqueta(self) -> int:  # the baseline of "Hoy" and "Fin", above the plot
        return self.arriba - 10


def grafica_saldo(serie: SerieSaldo) -> Grafica | None:
    if len(serie.pagado) < 2 and not serie.proyectado:
        return None
    fin = serie.termino or serie.liquidado_el or serie.pagado[-1][0]
    inicio = serie.otorgado
    dias = max((fin - inicio).days, 1)
    tope, paso = _escala(serie.importe)
    derecha, abajo = ANCHO - DERECHA, ALTO - ABAJO

    def x(d: date) -> float:
        return IZQUIERDA + (derecha - IZQUIERDA) * min(max((d - inicio).days, 0), dias) / dias

    def y(saldo: Decimal) -> float:
        return abajo - float((abajo - ARRIBA) * saldo / tope)

    def puntos(serie_: tuple[tuple[date, Decimal], ...]) -> str:
        return " ".join(f"{x(d):.1f},{y(s):.1f}" for d, s in serie_)

    en_vigor = serie.termino is not None
    fin_ = Marca(x(fin), "Fin" if en_vigor else "Liquidado")
    hoy = None
    if en_vigor and inicio <= serie.hoy <= fin:
        # Both labels sit above the plot: "Hoy" gives way when today is too close to the end.
        hoy = Marca(x(serie.hoy), "Hoy" if fin_.posicion - x(serie.hoy) > 30 else "")
    return Grafica(
        id=f"grafica-{serie.folio}",
        ancho=ANCHO,
        alto=ALTO,
        izquierda=IZQUIERDA,
        derecha=derecha,
        arriba=ARRIBA,
        abajo=abajo,
        pagado=puntos(serie.pagado),
        proyectado=puntos(serie.proyectado),
        eje_x=tuple(Marca(x(d), texto) for d, texto in _marcas_de_tiempo(inicio, fin)),
        eje_y=tuple(Marca(y(Decimal(v)), f"${v:,}") for v in range(0, tope + 1, paso)),
        hoy=hoy,
        fin=fin_,
        fin_y=coordenada(y(Decimal(0))),
        leyenda_hoy=f"Hoy: {formato_fecha(serie.hoy)}",
        leyenda_fin=(
            f"Fin: {formato_fecha(fin)}, terminas de pagar" if en_vigor else f"Liquidado el {formato_fecha(fin)}"
        ),
        titulo=f"Saldo de capital del préstamo {serie.folio}",
        descripcion=_descripcion(serie),
        filas=_filas(serie),
    )


def _escala(importe: Decimal) -> tuple[int, int]:
    """The top of the amount axis and its step: the smallest round step ($5,000, $10,000, $25,000…) that needs
    at most five steps to reach the amount lent."""
    monto = max(int(-(-importe // 1)), 1)
    paso = next(int(m * 10**k) for k in range(12) for m in (1, 2, 2.5, 5) if -(-monto // int(m * 10**k)) <= 5)
    return -(-monto // paso) * paso, paso


def _marcas_de_tiempo(inicio: date, fin: date) -> list[tuple[date, str]]:
    """Years on the time axis (every second one for a long loan); months when the loan spans little more than a year."""
    anios = [date(a, 1, 1) for a in range(inicio.year + 1, fin.year + 1)]
    if len(anios) >= 2:
        salto = 1 if len(anios) <= 6 else 2
        return [(d, str(d.year)) for d in anios[::salto]]
    # A quarter apart while they fit (up to about 15 months), half a year apart beyond.
    salto = 3 if (fin - inicio).days <= 460 else 6
    marcas, mes, anio = [], inicio.month, inicio.year
    while True:
        mes += salto
        if mes > 12:
            mes, anio = mes - 12, anio + 1
        d = date(anio, mes, 1)
        if d >= fin:
            return marcas
        marcas.append((d, f"{MESES[mes - 1]} {anio}"))


def _descripcion(serie: SerieSaldo) -> str:
    otorgado = f"Recibiste {formato_moneda(serie.importe)} el {formato_fecha(serie.otorgado)}"
    if serie.termino is None:
        return f"{otorgado} y lo terminaste de pagar el {formato_fecha(serie.liquidado_el)}."
    hoy = serie.proyectado[0][1] if serie.proyectado else serie.pagado[-1][1]
    return (
        f"{otorgado}; hoy ({formato_fecha(serie.hoy)}) debes {formato_moneda(hoy)} de capital. Si cada "
        f"{serie.adjetivo} llega completo, terminas de pagar el {formato_fecha(serie.termino)}."
    )


def _saldo_al(serie: tuple[tuple[date, Decimal], ...], fecha: date) -> Decimal:
    """The balance on `fecha`: the last point on or before it (the balance falls on payment dates)."""
    saldo = serie[0][1]
    for d, s in serie:
        if d > fecha:
            break
        saldo = s
    return saldo


def _filas(serie: SerieSaldo) -> tuple[FilaGrafica, ...]:
    """The chart as a table: the loan, the end of each year, today and the payoff."""
    fin = serie.termino or serie.liquidado_el or serie.pagado[-1][0]
    filas = [FilaGrafica(formato_fecha(serie.otorgado), formato_moneda(serie.importe), "Préstamo otorgado")]
    for anio in range(serie.otorgado.year, fin.year):
        cierre = date(anio, 12, 31)
        if cierre <= serie.otorgado:
            continue
        if serie.termino is None or cierre < serie.hoy:
            filas.append(FilaGrafica(formato_fecha(cierre), formato_moneda(_saldo_al(serie.pagado, cierre)), "Pagado"))
        else:
            if serie.hoy <= cierre and not any(f.que == "Hoy" for f in filas):
                filas.append(FilaGrafica(formato_fecha(serie.hoy), formato_moneda(serie.proyectado[0][1]), "Hoy"))
            filas.append(
                FilaGrafica(formato_fecha(cierre), formato_moneda(_saldo_al(serie.proyectado, cierre)), "Proyectado")
            )
    if serie.termino is not None:
        if not any(f.que == "Hoy" for f in filas):
            filas.append(FilaGrafica(formato_fecha(serie.hoy), formato_moneda(serie.proyectado[0][1]), "Hoy"))
        filas.append(FilaGrafica(formato_fecha(serie.termino), formato_moneda(Decimal(0)), "Terminas de pagar"))
    else:
        filas.append(FilaGrafica(formato_fecha(fin), formato_moneda(Decimal(0)), "Liquidado"))
    return tuple(filas)


def svg(g: Grafica | None) -> str:
    """The chart's markup: what templates/recuperacion/_grafica.html drew, byte for byte, as one f-string
    per element (≈ 60 template variables and three loops were ≈ 0.3 ms of a borrower's first view). Text goes
    through `html.escape`, which is Django's `escape`; tests/recuperacion/test_partes_html.py compares it
    with the template it replaces."""
    if not g:
        return ""
    e = escape
    ejes = "".join(
        f'\n      <line x1="{g.izquierda}" x2="{g.derecha}" y1="{e(m.coordenada)}" y2="{e(m.coordenada)}"'
        f' class="grafica__guia{" grafica__guia--cero" if k == 0 else ""}"/>'
        f'\n      <text x="{g.x_rotulo_y}" y="{e(m.coordenada)}" dy="4" text-anchor="end">{e(m.texto)}</text>\n      '
        for k, m in enumerate(g.eje_y)
    )
    ejes += "\n      " + "".join(
        f'\n      <line x1="{e(m.coordenada)}" x2="{e(m.coordenada)}" y1="{g.abajo}" y2="{g.y_marca}" class="grafica__marca"/>'
        f'\n      <text x="{e(m.coordenada)}" y="{g.y_rotulo_x}" text-anchor="middle">{e(m.texto)}</text>\n      '
        for m in g.eje_x
    )
    proyectado = f'<polyline points="{e(g.proyectado)}" class="grafica__proyectado"/>' if g.proyectado else ""
    hoy = ""
    if g.hoy:
        hoy = (
            f'\n      <line x1="{e(g.hoy.coordenada)}" x2="{e(g.hoy.coordenada)}" y1="{g.y_limite}" y2="{g.abajo}"'
            ' class="grafica__hoy"/>\n      '
        )
        if g.hoy.texto:
            hoy += (
                f'<text x="{e(g.hoy.coordenada)}" y="{g.y_etiqueta}" text-anchor="middle"'
                f' class="grafica__etiqueta">{e(g.hoy.texto)}</text>'
            )
        hoy += "\n      "
    leyenda = (
        '<li><span class="grafica__muestra grafica__muestra--proyectado"></span>Saldo por pagar, si llega cada descuento</li>\n'
        f'    <li><span class="grafica__muestra grafica__muestra--hoy"></span>{e(g.leyenda_hoy)}</li>'
        if g.proyectado
        else ""
    )
    filas = "".join(
        f'<tr><td data-etiqueta="Fecha">{e(f.fecha)}</td><td class="num" data-etiqueta="Saldo de capital">{e(f.saldo)}</td>'
        f'<td data-etiqueta="Qué es">{e(f.que)}</td></tr>\n      '
        for f in g.filas
    )
    fin = g.fin.coordenada
    return (
        "\n\n"
        f'<figure class="grafica" aria-labelledby="{e(g.id)}-pie">\n'
        f'  <svg class="grafica__svg" viewBox="0 0 {g.ancho} {g.alto}" role="img"'
        f' aria-labelledby="{e(g.id)}-titulo {e(g.id)}-desc" focusable="false">\n'
        f'    <title id="{e(g.id)}-titulo">{e(g.titulo)}</title>\n'
        f'    <desc id="{e(g.id)}-desc">{e(g.descripcion)}</desc>\n'
        f'    <g class="grafica__ejes" aria-hidden="true">\n      {ejes}\n'
        "    </g>\n"
        f"    {proyectado}\n"
        f'    <polyline points="{e(g.pagado)}" class="grafica__pagado"/>\n'
        f'    <g aria-hidden="true">\n      {hoy}\n'
        f'      <line x1="{e(fin)}" x2="{e(fin)}" y1="{g.y_limite}" y2="{g.abajo}" class="grafica__limite"/>\n'
        f'      <text x="{e(fin)}" y="{g.y_etiqueta}" text-anchor="end" class="grafica__etiqueta">{e(g.fin.texto)}</text>\n'
        f'      <circle cx="{e(fin)}" cy="{e(g.fin_y)}" r="4.5" class="grafica__fin"/>\n'
        "    </g>\n"
        "  </svg>\n"
        '  <ul class="grafica__leyenda" aria-hidden="true">\n'
        '    <li><span class="grafica__muestra grafica__muestra--pagado"></span>Saldo con lo que ya pagaste</li>\n'
        f"    {leyenda}\n"
        f'    <li><span class="grafica__muestra grafica__muestra--fin"></span>{e(g.leyenda_fin)}</li>\n'
        "  </ul>\n"
        f'  <figcaption id="{e(g.id)}-pie">{e(g.descripcion)}</figcaption>\n'
        '  <details class="grafica__cifras">\n'
        "    <summary>Ver las cifras de la gráfica</summary>\n"
        f'    <div class="tabla-caja" tabindex="0" role="region" aria-label="{e(g.titulo)}">\n'
        '    <table class="apilada">\n'
        f"      <caption>{e(g.titulo)}</caption>\n"
        '      <thead><tr><th scope="col">Fecha</th><th scope="col" class="num">Saldo de capital</th>'
        '<th scope="col">Qué es</th></tr></thead>\n'
        f"      <tbody>\n      {filas}\n"
        "      </tbody>\n"
        "    </table>\n"
        "    </div>\n"
        "  </details>\n"
        "</figure>\n"
    )
