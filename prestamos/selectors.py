"""Reads that build what pages and services need, in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.core.cache import cache

from prestamos.calculo import Quincena
from prestamos.cartera import Aplicacion, Condiciones, Contexto, ParametrosMora, Posicion
from prestamos.models import Movimiento, ParametroMora, Prestamo, Remesa


def parametros_mora(fecha: date) -> ParametrosMora:
    """The parameters in force on `fecha` (the latest row that started on or before it)."""
    fila = ParametroMora.objects.filter(vigente_desde__lte=fecha).order_by("-vigente_desde").first()
    if fila is None:
        return ParametrosMora()
    return ParametrosMora(dias_gracia=fila.dias_gracia, factor=fila.factor)


# --- the same two reads for pages, from the shared cache ---------------------------------------------------
#
# Every borrower page needs which quincenas each dependencia's remesas covered and the moratorio
# parameters: two small tables that change a few times per quincena, read on every statement. Pages read
# them from the cache (Redis in production, shared by every node); a write of either table clears them
# once committed (prestamos/signals.py), and entries also expire after a few minutes in case a reader
# stored what it read just before such a commit. Services that apply money never use this: they read
# the tables themselves, inside their transaction.

CACHE_SEGUNDOS = 300
CLAVE_PARAMETROS = "prestamos:parametros-mora"


def clave_remesas(dependencia_id: int) -> str:
    return f"prestamos:remesas:{dependencia_id}"


def contexto_para_paginas(dependencia_ids: Iterable[int], fecha: date) -> tuple[dict[int, frozenset[Quincena]], ParametrosMora]:
    """`quincenas_con_remesa` and `parametros_mora(fecha)` as pages need them: one cache round trip."""
    claves = {clave_remesas(d): d for d in set(dependencia_ids)}
    guardado = cache.get_many([*claves, CLAVE_PARAMETROS])
    remesas = {claves[k]: frozenset(Quincena.parse(q) for q in v) for k, v in guardado.items() if k in claves}
    faltan = [d for k, d in claves.items() if k not in guardado]
    if faltan:
        leidas = quincenas_con_remesa(faltan)
        remesas.update(leidas)
        cache.set_many(
            {clave_remesas(d): sorted(str(q) for q in leidas.get(d, ())) for d in faltan}, CACHE_SEGUNDOS
        )
    filas = guardado.get(CLAVE_PARAMETROS)
    if filas is None:
        filas = [(f.vigente_desde, f.dias_gracia, f.factor) for f in ParametroMora.objects.order_by("vigente_desde")]
        cache.set(CLAVE_PARAMETROS, filas, CACHE_SEGUNDOS)
    vigentes = [f for f in filas if f[0] <= fecha]
    parametros = ParametrosMora(dias_gracia=vigentes[-1][1], factor=vigentes[-1][2]) if vigentes else ParametrosMora()
    return remesas, parametros


def quincenas_con_remesa(dependencia_ids: Iterable[int]) -> dict[int, frozenset[Quincena]]:
    por_dependencia: dict[int, set[Quincena]] = defaultdict(set)
    # order_by(): the model's default ordering would add a join and a sort to the DISTINCT.
    filas = (
        Remesa.objects.filter(dependencia_id__in=set(dependencia_ids))
        .order_by()
        .values_list("dependencia_id", "quincena")
        .distinct()
    )
    for dependencia_id, quincena in filas:
        por_dependencia[dependencia_id].add(Quincena.parse(quincena))
    return {k: frozenset(v) for k, v in por_dependencia.items()}


def condiciones(prestamo: Prestamo) -> Condiciones:
    return Condiciones(
        principal=prestamo.importe,
        tasa_anual=prestamo.tasa_anual,
        plazo=prestamo.plazo,
        primera_quincena=Quincena.parse(prestamo.primera_quincena),
        fecha_otorgamiento=prestamo.fecha_otorgamiento,
    )


def aplicacion_de(movimiento: Movimiento) -> Aplicacion:
    return Aplicacion.de_json(movimiento.aplicacion, fecha_valor=movimiento.fecha_valor, importe=movimiento.importe)


def posicion(prestamo: Prestamo, movimientos: Iterable[Movimiento] | None = None) -> Posicion:
    """The loan's position, replayed from its ledger (pass `movimientos` already fetched to save a query)."""
    if movimientos is None:
        movimientos = prestamo.movimientos.order_by("id")
    posicion = Posicion.derivar(condiciones(prestamo), (aplicacion_de(m) for m in movimientos))
    if prestamo.fecha_liquidacion and not posicion.liquidado:
        # Loaded as LIQUIDADO from the institution's history: no ledger of its payoff here.
        posicion.fecha_liquidacion = prestamo.fecha_liquidacion
    return posicion


def contexto(prestamo: Prestamo, fecha: date) -> Contexto:
    remesas = quincenas_con_remesa([prestamo.dependencia_id]).get(prestamo.dependencia_id, frozenset())
    return Contexto(parametros=parametros_mora(fecha), remesas=remesas)
