"""The ledger squared, loan by loan: what `python manage.py verificar_libro` checks after a restore.

Two facts every loan must keep (docs/reglas.md §9; tests/test_conservacion.py proves them over random
histories, this module checks them over a real database):

- the snapshot is the ledger: `posicion(p)` (snapshot + later movements) equals `posicion(p, reproducir=True)`;
- no centavo is created or lost: money received (not taken back by a reversal) = applied to moratorios,
  interest and capital + saldo a favor + refunded; and each movement's parts add up to its amount.

Loans are read in batches of `lote` by id, so memory is bounded by a batch whatever the portfolio's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from prestamos import posiciones
from prestamos.models import Movimiento, Prestamo

CERO = Decimal("0.00")


@dataclass(frozen=True)
class Diferencia:
    folio: str
    que: str


def _sumas(ids: list[int]) -> dict[int, dict[str, Decimal | int]]:
    """Per loan, over the movements a replay books (no reversal, nor what one reversed): received, applied,
    refunded; and how many of its rows' parts do not add up to their amount. Added here in Decimal, not in
    SQL: SQLite would add them as floats."""
    campos = ("prestamo_id", "id", "tipo", "importe", "moratorios", "interes", "capital", "excedente", "revierte_id")
    filas = list(Movimiento.objects.filter(prestamo_id__in=ids).order_by().values_list(*campos))
    revertidos = {f[-1] for f in filas if f[-1]}
    sumas: dict[int, dict] = defaultdict(lambda: {"recibido": CERO, "aplicado": CERO, "devuelto": CERO, "descuadrados": 0})
    for prestamo_id, pk, tipo, importe, moratorios, interes, capital, excedente, _ in filas:
        s = sumas[prestamo_id]
        if tipo != Movimiento.Tipo.DEVOLUCION and importe != moratorios + interes + capital + excedente:
            s["descuadrados"] += 1
        if tipo == Movimiento.Tipo.REVERSION or pk in revertidos:
            continue
        if tipo in Movimiento.RECIBIDOS:
            s["recibido"] += importe
            s["aplicado"] += moratorios + interes + capital
        elif tipo == Movimiento.Tipo.DEVOLUCION:
            s["devuelto"] += importe
    return sumas


def verificar_lote(prestamos: list[Prestamo]) -> Iterator[Diferencia]:
    reproducidas = posiciones.posiciones(prestamos, reproducir=True)
    try:
        guardadas = posiciones.posiciones(prestamos)
    except ValueError:  # a snapshot whose count does not fit its JSON (instantanea.plegar): find which, read the rest
        guardadas = {}
        for p in prestamos:
            try:
                guardadas[p.pk] = posiciones.posicion(p)
            except ValueError as exc:
                guardadas[p.pk] = exc
    sumas = _sumas([p.pk for p in prestamos])
    for p in prestamos:
        reproducida = reproducidas[p.pk]
        if isinstance(guardadas[p.pk], ValueError):
            yield Diferencia(p.folio, f"la instantánea no se puede leer: {guardadas[p.pk]}")
        elif guardadas[p.pk] != reproducida:
            yield Diferencia(p.folio, "la instantánea no es el libro: posición guardada ≠ reproducida")
        s = sumas.get(p.pk, {})
        if s.get("descuadrados"):
            yield Diferencia(p.folio, f"{s['descuadrados']} movimiento(s) cuyas partes no suman su importe")
        recibido, aplicado, devuelto = (s.get(c, CERO) for c in ("recibido", "aplicado", "devuelto"))
        if reproducida.excedentes < 0 or recibido != aplicado + reproducida.excedentes + devuelto:
            yield Diferencia(
                p.folio,
                f"no se conserva el dinero: recibido {recibido} ≠ aplicado {aplicado} + saldo a favor "
                f"{reproducida.excedentes} + devuelto {devuelto}",
            )


def verificar(*, lote: int = 500) -> Iterator[tuple[int, list[Diferencia]]]:
    """(loans checked in this batch, their differences), batch after batch over every loan by id."""
    ultimo = 0
    while True:
        prestamos = list(Prestamo.objects.filter(pk__gt=ultimo).order_by("pk")[:lote])
        if not prestamos:
            return
        yield len(prestamos), list(verificar_lote(prestamos))
        ultimo = prestamos[-1].pk
