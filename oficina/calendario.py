"""Business days of the federal government (docs/reglas.md §13): the dates the portal promises (an aclaración
answered in 10 business days, a refund paid) skip weekends and Mexico's official holidays (Ley Federal del
Trabajo, art. 74: 1 January, the first Monday of February, the third Monday of March, 1 May, 16 September, the
third Monday of November, 25 December and 1 October every six years), as the `holidays` library keeps them, so
no calendar is maintained by hand. Pure: no Django."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _feriados(anio: int) -> frozenset[date]:
    return frozenset(holidays.Mexico(years=anio))


def es_habil(dia: date) -> bool:
    return dia.weekday() < 5 and dia not in _feriados(dia.year)


def dias_habiles_despues(desde: date, dias: int) -> date:
    """The `dias`-th business day after `desde` (not counting `desde`): what "en 10 días hábiles" means."""
    if dias < 0:
        raise ValueError("Los días hábiles se cuentan hacia adelante.")
    dia = desde
    while dias:
        dia += timedelta(days=1)
        if es_habil(dia):
            dias -= 1
    return dia
