"""Reads that build what pages and services need, in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from prestamos.calculo import Quincena
from prestamos.cartera import Aplicacion, Condiciones, Contexto, ParametrosMora, Posicion
from prestamos.models import Movimiento, ParametroMora, Prestamo, Remesa


def parametros_mora(fecha: date) -> ParametrosMora:
    """The parameters in force on `fecha` (the latest row that started on or before it)."""
    fila = ParametroMora.objects.filter(vigente_desde__lte=fecha).order_by("-vigente_desde").first()
    if fila is None:
        return ParametrosMora()
    return ParametrosMora(dias_gracia=fila.dias_gracia, factor=fila.factor)


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
