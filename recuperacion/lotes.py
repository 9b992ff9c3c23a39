"""Reading a dependencia's loans a lote at a time, for the paths that walk a million of them (remesas,
the daily detection): plain rows instead of model instances, the collector paused."""

from __future__ import annotations

import gc
from contextlib import contextmanager

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast

LOTE = 5000
# What the engine needs of a loan, plus what the stored estado and the snapshot are compared with.
CAMPOS_PRESTAMO = (
    "id", "dependencia_id", "importe", "tasa_anual", "plazo", "primera_quincena", "fecha_otorgamiento",
    "estado", "estado_inicial", "fecha_liquidacion", "posicion", "posicion_hasta", "posicion_al_corriente",
)


@contextmanager
def sin_recolector():
    """Pause Python's cyclic garbage collector while lotes run.

    A lote allocates hundreds of thousands of small objects (installments, Decimals), which triggers
    collections, and each full collection walks every live object, including the whole file just parsed:
    with a million rows in memory that was a large share of the load. The engine's objects hold no
    reference cycles, so reference counting frees them anyway; the collector resumes afterwards.
    """
    activo = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if activo:
            gc.enable()


class PrestamoEnLote:
    """What a lote needs of a loan, read without building a model instance (a million per remesa).

    It has the attributes prestamos/posiciones.py reads from a Prestamo (terms, snapshot) and the ones
    `escritura.actualizar` writes back.
    """

    __slots__ = CAMPOS_PRESTAMO

    def __init__(self, valores):
        for nombre, valor in zip(CAMPOS_PRESTAMO, valores):
            setattr(self, nombre, valor)
        if self.posicion is not None:  # read as text (see prestamos_en_lote)
            self.posicion = orjson.loads(self.posicion)

    @property
    def pk(self) -> int:
        return self.id


def prestamos_en_lote(consulta, limite: int | None = None) -> list[PrestamoEnLote]:
    """The loans of `consulta` in id order (the first `limite` of them)."""
    # The snapshot comes as text and is parsed by orjson, twice as fast as the json module that
    # JSONField would use: a remesa parses a million of them.
    filas = consulta.order_by("pk").annotate(posicion_texto=Cast("posicion", TextField())).values_list(
        *(c if c != "posicion" else "posicion_texto" for c in CAMPOS_PRESTAMO)
    )
    return [PrestamoEnLote(v) for v in (filas[:limite] if limite else filas)]
