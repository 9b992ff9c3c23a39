"""A small server-rendered SVG of the balance over time: geometry only, the template draws it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from prestamos.calculo import formato_fecha, formato_moneda

ANCHO, ALTO, MARGEN = 600, 220, 40


@dataclass(frozen=True)
class Grafica:
    puntos: str  # "x,y x,y ..." for <polyline>
    ancho: int
    alto: int
    etiqueta_inicio: str
    etiqueta_fin: str
    maximo: str
    descripcion: str


def grafica_saldo(serie: list[tuple[date, Decimal]]) -> Grafica | None:
    if len(serie) < 2:
        return None
    inicio, fin = serie[0][0], serie[-1][0]
    dias = max((fin - inicio).days, 1)
    maximo = max(s for _, s in serie) or Decimal(1)
    puntos = []
    for fecha, saldo in serie:
        x = MARGEN + (ANCHO - 2 * MARGEN) * (fecha - inicio).days / dias
        y = ALTO - MARGEN - float((ALTO - 2 * MARGEN) * saldo / maximo)
        puntos.append(f"{x:.1f},{y:.1f}")
    return Grafica(
        puntos=" ".join(puntos),
        ancho=ANCHO,
        alto=ALTO,
        etiqueta_inicio=formato_fecha(inicio),
        etiqueta_fin=formato_fecha(fin),
        maximo=formato_moneda(maximo),
        descripcion=(
            f"Saldo de capital: {formato_moneda(serie[0][1])} el {formato_fecha(inicio)}, "
            f"{formato_moneda(serie[-1][1])} el {formato_fecha(fin)}."
        ),
    )
