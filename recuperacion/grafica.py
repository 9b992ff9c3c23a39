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
    paso = next(
        int(m * 10**k) for k in range(12) for m in (1, 2, 2.5, 5) if -(-monto // int(m * 10**k)) <= 5
    )
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
