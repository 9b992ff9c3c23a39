"""The one way to read a loan's position and the context it is read in (docs/reglas.md, "Posición").

The ledger is the truth and `Prestamo.posicion` a cache of its replay: every reader here gives the
position the replay would give (tests/prestamos/test_posiciones.py proves it for each path). Services
that write money, pages, PDFs and the admin all read through this module; none builds a `Posicion`,
a `Contexto` or the moratorio parameters by hand.

- `posiciones(prestamos)`: from each loan's snapshot plus the movements booked after it, in one query;
  `movimientos=` when the caller already read the ledger (pages), `corte=` to restore only the
  installments due by that date (a remesa lote), `reproducir=True` to replay the whole ledger instead.
- `contextos(dependencia_ids, fecha)`: which periods each dependencia's remesas covered and the
  moratorio parameters in force on `fecha`. Services read the tables inside their transaction; pages
  pass `cache=True` and read them from the shared cache (cleared on commit by prestamos/signals.py), or
  call `contextos_y_entradas` to read other entries of theirs in the same round trip.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import orjson
from django.core.cache import cache as cache_compartida
from django.db import connections, router
from django.db.models import TextField
from django.db.models.functions import Cast

from oficina.replica import lee_de_primaria
from prestamos import instantanea
from prestamos.calculo import Periodo
from prestamos.cartera import Aplicacion, Condiciones, Contexto, ParametrosMora, Posicion
from prestamos.models import Movimiento, ParametroMora, Prestamo, Remesa

# --- terms and recorded allocations -----------------------------------------------------------------------


def condiciones(prestamo) -> Condiciones:
    """The terms of a `Prestamo` (or of a lote row with the same attributes, recuperacion.remesas)."""
    return Condiciones(
        principal=prestamo.importe,
        tasa_anual=prestamo.tasa_anual,
        plazo=prestamo.plazo,
        primer_periodo=Periodo.parse(prestamo.primera_quincena),
        fecha_otorgamiento=prestamo.fecha_otorgamiento,
    )


def aplicacion_de(movimiento: Movimiento) -> Aplicacion:
    return Aplicacion.de_json(movimiento.aplicacion, fecha_valor=movimiento.fecha_valor, importe=movimiento.importe)


# --- context: remesas arrived and moratorio parameters ----------------------------------------------------

CACHE_SEGUNDOS = 300
CLAVE_PARAMETROS = "prestamos:parametros-mora"


def clave_remesas(dependencia_id: int) -> str:
    return f"prestamos:remesas:{dependencia_id}"


def parametros_en(filas: Iterable[tuple[date, int, object]], fecha: date) -> ParametrosMora:
    """The parameters in force on `fecha`: the latest (vigente_desde, días, factor) row started by then."""
    vigentes = [f for f in filas if f[0] <= fecha]
    if not vigentes:
        return ParametrosMora()
    _, dias_gracia, factor = max(vigentes, key=lambda f: f[0])
    return ParametrosMora(dias_gracia=dias_gracia, factor=factor)


def _filas_parametros(*, cache: bool) -> list[tuple[date, int, object]]:
    filas = cache_compartida.get(CLAVE_PARAMETROS) if cache else None
    if filas is None:
        filas = list(ParametroMora.objects.order_by("vigente_desde").values_list("vigente_desde", "dias_gracia", "factor"))
        if cache and lee_de_primaria(ParametroMora):
            cache_compartida.set(CLAVE_PARAMETROS, filas, CACHE_SEGUNDOS)
    return filas


def parametros_mora(fecha: date) -> ParametrosMora:
    return parametros_en(_filas_parametros(cache=False), fecha)


def periodos_con_remesa(dependencia_ids: Iterable[int], *, cache: bool = False) -> dict[int, frozenset[Periodo]]:
    """Per dependencia, the periods for which a remesa of it has been loaded (absent: none)."""
    ids = set(dependencia_ids)
    resultado: dict[int, frozenset[Periodo]] = {}
    if cache and ids:
        claves = {clave_remesas(d): d for d in ids}
        for clave, codigos in cache_compartida.get_many(list(claves)).items():
            resultado[claves[clave]] = frozenset(Periodo.parse(q) for q in codigos)
        ids -= resultado.keys()
    if not ids:
        return resultado
    por_dependencia: dict[int, set[Periodo]] = defaultdict(set)
    # order_by(): the model's default ordering would add a join and a sort to the DISTINCT.
    filas = (
        Remesa.objects.filter(dependencia_id__in=ids, revertida=False)  # a reversed remesa never arrived
        .order_by().values_list("dependencia_id", "quincena").distinct()
    )
    for dependencia_id, periodo in filas:
        por_dependencia[dependencia_id].add(periodo)
    leidas = {d: frozenset(por_dependencia.get(d, ())) for d in ids}
    # Never what a late replica says: the commit that clears these keys may have come before it.
    if cache and lee_de_primaria(Remesa):
        cache_compartida.set_many({clave_remesas(d): sorted(str(q) for q in v) for d, v in leidas.items()}, CACHE_SEGUNDOS)
    resultado.update({d: v for d, v in leidas.items() if v})
    return resultado


def contextos(
    dependencia_ids: Iterable[int], fecha: date, *, cache: bool = False, mas: Iterable[Periodo] = ()
) -> dict[int, Contexto]:
    """The `Contexto` of each dependencia's loans on `fecha`; `mas`: periods to count as arrived too
    (the remesa being loaded, before it is committed)."""
    if cache:
        return contextos_y_entradas(dependencia_ids, fecha, (), mas=mas)[0]
    ids = set(dependencia_ids)
    return _contextos(ids, periodos_con_remesa(ids), _filas_parametros(cache=False), fecha, mas)


def contextos_y_entradas(
    dependencia_ids: Iterable[int], fecha: date, claves: Iterable[str], *, mas: Iterable[Periodo] = ()
) -> tuple[dict[int, Contexto], dict[str, object]]:
    """Pages: the contexts as `contextos(cache=True)` gives them, and the shared cache's entries under
    `claves` (those it holds), all in one round trip to the cache; what it lacks of the remesas and
    parameters is read from the tables (and stored) as `periodos_con_remesa` does."""
    ids = set(dependencia_ids)
    claves_remesas = {clave_remesas(d): d for d in ids}
    otras = [c for c in claves if c not in claves_remesas and c != CLAVE_PARAMETROS]
    leidas = cache_compartida.get_many([*claves_remesas, CLAVE_PARAMETROS, *otras])
    remesas = {
        claves_remesas[c]: frozenset(Periodo.parse(q) for q in codigos) for c, codigos in leidas.items() if c in claves_remesas
    }
    if faltan := ids - remesas.keys():
        remesas.update(periodos_con_remesa(faltan, cache=True))
    filas = leidas.get(CLAVE_PARAMETROS)
    if filas is None:
        filas = _filas_parametros(cache=True)
    return _contextos(ids, remesas, filas, fecha, mas), {c: leidas[c] for c in otras if c in leidas}


def _contextos(ids: set[int], remesas: dict[int, frozenset[Periodo]], filas, fecha: date, mas: Iterable[Periodo]):
    parametros = parametros_en(filas, fecha)
    # Every factor with its start: a day of delay is priced at the factor of that day (docs/reglas.md §6).
    factores = tuple((desde, Decimal(factor)) for desde, _, factor in sorted(filas, key=lambda f: f[0]))
    extra = frozenset(mas)
    return {
        d: Contexto(parametros=parametros, remesas=remesas.get(d, frozenset()) | extra, factores=factores) for d in ids
    }


def contexto(prestamo: Prestamo, fecha: date, *, cache: bool = False) -> Contexto:
    return contextos([prestamo.dependencia_id], fecha, cache=cache)[prestamo.dependencia_id]


# --- positions -------------------------------------------------------------------------------------------


def posiciones(
    prestamos: list,
    *,
    movimientos: dict[int, list[Movimiento]] | None = None,
    corte: date | None = None,
    reproducir: bool = False,
) -> dict[int, Posicion]:
    """The positions of `prestamos` (model instances or lote rows), keyed by loan id: the ledger read here
    (`_cargar`), the position rebuilt by the pure `reconstruir`.

    `movimientos`: each loan's whole ledger in id order, already read (pages save a query). `corte`: restore
    only the installments due by that date (the rest stay as stored until read, `Posicion.cuotas`).
    `reproducir`: ignore the snapshots and replay everything.
    """
    if movimientos is None:
        movimientos = _cargar(prestamos, reproducir=reproducir)
    return {
        p.pk: reconstruir(p, movimientos.get(p.pk, []), corte=corte, reproducir=reproducir) for p in prestamos
    }


def usa_instantanea(prestamo, posteriores: Iterable) -> bool:
    """Whether a loan's position starts from its snapshot: one of the current format, with no reversal
    booked after it (a reversal re-decides what came before it, so those loans are replayed whole)."""
    return instantanea.vigente(prestamo.posicion) and not any(_es_reversion(m) for m in posteriores)


def por_reproducir(prestamo, movimientos: list) -> list:
    """The movements `reconstruir` books on top of the snapshot: those after it, or all of them (a whole
    replay). The one rule, for this module and for pages that read the ledger themselves."""
    hasta = prestamo.posicion_hasta or 0
    posteriores = [m for m in movimientos if m.id > hasta]
    return posteriores if usa_instantanea(prestamo, posteriores) else movimientos


def reconstruir(prestamo, movimientos: list, *, corte: date | None = None, reproducir: bool = False) -> Posicion:
    """The position of one loan from its terms, its snapshot and `movimientos` (its ledger in id order: all
    of it, or at least what follows the snapshot). Pure: no database."""
    hasta = prestamo.posicion_hasta or 0
    if not reproducir and usa_instantanea(prestamo, (m for m in movimientos if m.id > hasta)):
        posicion = instantanea.restaurar(prestamo.posicion, condiciones(prestamo), corte=corte,
                                         al_corriente=prestamo.posicion_al_corriente)
        for movimiento in movimientos:
            if movimiento.id > hasta:
                posicion.registrar(aplicacion_de(movimiento))
    else:
        posicion = Posicion.derivar(condiciones(prestamo), (aplicacion_de(m) for m in vigentes(movimientos)))
    return liquidacion_historica(prestamo, posicion)


def _cargar(prestamos: list, *, reproducir: bool) -> dict[int, list[AsientoLeido]]:
    """What `reconstruir` needs of each loan's ledger, in one query (two when a reversal follows a snapshot)."""
    desde = {p.pk: 0 if reproducir or not instantanea.vigente(p.posicion) else (p.posicion_hasta or 0) for p in prestamos}
    movimientos: dict[int, list] = {p.pk: [] for p in prestamos}
    for movimiento in _movimientos_despues(desde):
        movimientos[movimiento.prestamo_id].append(movimiento)
    completos = [p for p in prestamos if desde[p.pk] and any(_es_reversion(m) for m in movimientos[p.pk])]
    if completos:
        for p in completos:
            movimientos[p.pk] = []
        for movimiento in _movimientos_despues({p.pk: 0 for p in completos}):
            movimientos[movimiento.prestamo_id].append(movimiento)
    return movimientos


def libros(prestamos: list) -> dict[int, list[AsientoLeido]]:
    """Each loan's whole ledger in booking order, in one query."""
    resultado: dict[int, list[AsientoLeido]] = {p.pk: [] for p in prestamos}
    for movimiento in _movimientos_despues({p.pk: 0 for p in prestamos}):
        resultado[movimiento.prestamo_id].append(movimiento)
    return resultado


def liquidacion_historica(prestamo, posicion: Posicion) -> Posicion:
    """A loan loaded as LIQUIDADO from the institution's history has no ledger of its payoff here: its
    position takes the payoff date the file gave. (A payoff booked here lives in the ledger: reversing it
    must un-settle the loan, so the stored date is not used for those.)"""
    if prestamo.estado_inicial == Prestamo.Estado.LIQUIDADO and prestamo.fecha_liquidacion and not posicion.liquidado:
        posicion.fecha_liquidacion = prestamo.fecha_liquidacion
    return posicion


def vigentes(movimientos: list[Movimiento]) -> list[Movimiento]:
    """The movements a replay books: not reversal entries, nor the movements they reversed."""
    revertidos = {m.revierte_id for m in movimientos if m.revierte_id}
    return [m for m in movimientos if m.tipo != Movimiento.Tipo.REVERSION and m.id not in revertidos]


def _es_reversion(movimiento: Movimiento) -> bool:
    return movimiento.tipo == Movimiento.Tipo.REVERSION


def posicion(prestamo: Prestamo, *, reproducir: bool = False) -> Posicion:
    return posiciones([prestamo], reproducir=reproducir)[prestamo.pk]


# What a replay, the engine and a reversal read of a ledger row: plain values, not model instances (a
# remesa's reversal reads every loan's whole ledger, 25 rows each), the allocation parsed by orjson.
CAMPOS_ASIENTO = (
    "id", "prestamo_id", "tipo", "fecha_valor", "importe", "aplicacion", "origen", "motivo", "registrado_por_id",
    "revierte_id",
)


class AsientoLeido:
    """A ledger row as read by `_movimientos_despues`: the attributes of a `Movimiento` those readers use."""

    __slots__ = CAMPOS_ASIENTO

    def __init__(self, valores):
        for nombre, valor in zip(CAMPOS_ASIENTO, valores):
            setattr(self, nombre, valor)
        self.aplicacion = orjson.loads(self.aplicacion)


def _movimientos_despues(desde: dict[int, int]) -> list[AsientoLeido]:
    """Movements of each loan with id greater than desde[loan], in id order."""
    if not desde:
        return []
    # The loans' own database: a page on the replica reads their ledger there too (oficina/replica.py).
    connection = connections[router.db_for_read(Movimiento)]
    if connection.vendor == "postgresql":
        # One (loan, id) range per loan on the (prestamo_id, id) index. Joining the loans table instead
        # (as the ORM would for prestamo__posicion_hasta) made PostgreSQL hash-join a sequential scan of
        # a million loans for every lote of a remesa: seconds per lote.
        columnas = ", ".join(f"m.{c}::text" if c == "aplicacion" else f"m.{c}" for c in CAMPOS_ASIENTO)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columnas} FROM unnest(%s::bigint[], %s::bigint[]) AS v(prestamo_id, hasta) "
                f"JOIN {Movimiento._meta.db_table} AS m ON m.prestamo_id = v.prestamo_id AND m.id > v.hasta "
                "ORDER BY m.id",
                [list(desde), list(desde.values())],
            )
            return [AsientoLeido(fila) for fila in cursor.fetchall()]
    minimo = min(desde.values())
    filas = (
        Movimiento.objects.using(connection.alias).filter(prestamo_id__in=desde, id__gt=minimo).order_by("id")
        .annotate(aplicacion_texto=Cast("aplicacion", TextField()))
        .values_list(*(c if c != "aplicacion" else "aplicacion_texto" for c in CAMPOS_ASIENTO))
    )
    return [AsientoLeido(f) for f in filas if f[0] > desde[f[1]]]
