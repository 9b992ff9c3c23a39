"""Applying a remesa: a dependencia's payroll deductions for one quincena (docs/reglas.md, "Remesas").

On PostgreSQL the rows are staged in a scratch table and the ordinary deductions (the loan up to date,
the amount exactly its installment) are applied set-based inside the database (recuperacion/en_bloque.py).
The rest, and every row on other databases, go through the payment engine in lotes: one query fetches a
lote's loans with their position snapshots (Prestamo.posicion), the engine runs in memory, and the writes
go back in bulk (prestamos/escritura.py) as rows built by the ledger's one writer (prestamos/libro.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import structlog
from django.db import connection, transaction
from django.utils import timezone

from oficina import metricas
from oficina.cronometro import Cronometro
from oficina.importacion.base import Progreso
from prestamos import escritura, libro, posiciones
from prestamos.calculo import Periodo
from prestamos.cartera import CERO, Contexto
from prestamos.correcciones import ResultadoReversion, revertir_movimientos
from prestamos.models import ArchivoAplicado, Dependencia, Movimiento, Prestamo, Remesa
from prestamos.selectors import ACTIVOS
from recuperacion import en_bloque, omisiones
from recuperacion.lotes import LOTE, prestamos_en_lote, sin_recolector
from recuperacion.models import Descuento
from recuperacion.omisiones import Avisos, revisar_prestamos

TIPO_ARCHIVO = "descuentos"
log = structlog.get_logger(__name__)


@dataclass
class ResultadoRemesa:
    aplicados: int = 0
    ya_cargados: int = 0
    total: Decimal = CERO
    omisiones: int = 0
    remesa: Remesa | None = None
    rapidas: int = 0  # applied set-based as ordinary deductions (recuperacion/en_bloque.py)


# --- remesas -------------------------------------------------------------------------------------------


@transaction.atomic
def remesa_cargar(
    *,
    dependencia: Dependencia,
    quincena: Periodo,
    descuentos: list[tuple[int, Decimal]] | None,
    archivo: str = "",
    sha256: str = "",
    usuario=None,
    progreso: Progreso | None = None,
    hoy: date | None = None,
    rapida: bool = True,
    tiempos: Cronometro | None = None,
) -> ResultadoRemesa:
    """Apply a remesa's deductions `(prestamo_id, importe)` as of the quincena's due date.

    `descuentos=None`: the rows are already staged in recuperacion/en_bloque.py's table (the importer
    copied the file there; PostgreSQL only). On PostgreSQL the ordinary deductions are applied set-based
    inside the database and the rest by the engine (`rapida=False`: every row by the engine, which the
    equivalence test compares against); on other databases every row goes through the engine in lotes.

    The dependencia row is locked first and the loaded keys are read after the lock: a second load of
    the same remesa started at the same time waits here and then finds every deduction already loaded.
    The unique (prestamo, quincena) constraint on Descuento is the backstop.
    """
    hoy = hoy or timezone.localdate()
    tiempos = tiempos if tiempos is not None else Cronometro()
    antes = dict(tiempos)  # a caller's Cronometro may hold earlier remesas' stages: only this one's are measured
    Dependencia.objects.select_for_update().get(pk=dependencia.pk)
    if en_bloque.disponible():
        resultado = _cargar_en_la_base(dependencia, quincena, descuentos, archivo, sha256, usuario, progreso, hoy,
                                       rapida, tiempos)
    elif descuentos is None:
        raise ValueError("Sin PostgreSQL, los descuentos se pasan como lista.")
    else:
        resultado = _cargar_en_memoria(dependencia, quincena, descuentos, archivo, sha256, usuario, progreso, hoy,
                                       tiempos)
    _medir(resultado, {etapa: s - antes.get(etapa, 0.0) for etapa, s in tiempos.items()})
    return resultado


def _medir(resultado: ResultadoRemesa, etapas: dict[str, float]) -> None:
    """Metrics and the log line of a remesa applied; counted once its transaction commits."""
    if resultado.remesa is None:
        return
    remesa_id, rapidas, motor = resultado.remesa.pk, resultado.rapidas, resultado.aplicados - resultado.rapidas
    transaction.on_commit(lambda: metricas.remesa_medir(rapidas=rapidas, motor=motor, etapas=etapas))
    log.info("remesa_aplicada", remesa_id=remesa_id, filas=resultado.aplicados, rapidas=rapidas,
             ya_cargadas=resultado.ya_cargados, omisiones=resultado.omisiones,
             etapas={etapa: round(s, 3) for etapa, s in etapas.items()})


def _nueva_remesa(dependencia, quincena, archivo, sha256, usuario, filas=0, total=CERO) -> Remesa:
    aplicado = ArchivoAplicado.objects.create(sha256=sha256, nombre=archivo[:255], tipo=TIPO_ARCHIVO, cargado_por=usuario)
    return Remesa.objects.create(
        dependencia=dependencia, quincena=str(quincena), archivo=archivo[:255], cargada_por=usuario,
        archivo_aplicado=aplicado, filas=filas, total=total,
    )


def _contextos(dependencia, quincena: Periodo, hoy: date) -> tuple[Contexto, Contexto]:
    """The remesa being loaded counts as arrived: an installment it leaves unpaid is missing at once.
    Money is applied in the context of its value date; missing deductions are reviewed as of today."""
    al_vencimiento = posiciones.contextos([dependencia.pk], quincena.vencimiento, mas=[quincena])[dependencia.pk]
    al_dia = posiciones.contextos([dependencia.pk], hoy, mas=[quincena])[dependencia.pk]
    return al_vencimiento, al_dia


def _cargar_en_la_base(dependencia, quincena, descuentos, archivo, sha256, usuario, progreso, hoy, rapida, tiempos):
    """PostgreSQL: the rows staged in a scratch table, the ordinary deductions applied by a few statements
    (recuperacion/en_bloque.py), the rest by the engine, missing deductions found by an anti-join."""
    with connection.cursor() as cursor:
        if descuentos is not None:
            with tiempos("preparación"):
                en_bloque.preparar(descuentos)
        with tiempos("ya cargados"):
            ya_cargados = en_bloque.marcar_cargados(cursor, dependencia_id=dependencia.pk, quincena=quincena)
            filas, total = en_bloque.totales(cursor)
        resultado = ResultadoRemesa(aplicados=filas, ya_cargados=ya_cargados)
        if not filas:
            return resultado
        remesa = _nueva_remesa(dependencia, quincena, archivo, sha256, usuario, filas, total)
        al_vencimiento, al_dia = _contextos(dependencia, quincena, hoy)
        avisos = Avisos(hoy)
        usuario_id = usuario.pk if usuario is not None else None
        with tiempos("bloqueo"):
            en_bloque.bloquear(cursor)
        with tiempos("clasificación"):
            llanas = en_bloque.clasificar(cursor, dependencia_id=dependencia.pk, quincena=quincena, hoy=hoy, rapida=rapida)
        with tiempos("vía rápida"):
            if llanas:
                en_bloque.aplicar(cursor, remesa_id=remesa.pk, quincena=quincena, origen=_origen(remesa),
                                  usuario_id=usuario_id, creado=timezone.now())
        if progreso:
            progreso(llanas, filas)
        with tiempos("motor"), sin_recolector():
            resto = en_bloque.por_el_motor(cursor)
            for inicio in range(0, len(resto), LOTE):
                _aplicar_lote(remesa, resto[inicio : inicio + LOTE], al_vencimiento, al_dia, avisos, usuario, hoy)
                if progreso:
                    progreso(llanas + min(inicio + LOTE, len(resto)), filas)
        with tiempos("detección"):
            faltan = en_bloque.sin_descuento(cursor, dependencia_id=dependencia.pk, quincena=quincena,
                                             remesa_id=remesa.pk, estados=ACTIVOS)
            _revisar_sin_descuento(dependencia, faltan, al_dia, avisos, hoy)
    resultado.total, resultado.remesa, resultado.rapidas = total, remesa, llanas
    resultado.omisiones = avisos.enviar_al_confirmar()
    return resultado


def _revisar_sin_descuento(dependencia, faltan: list[int], al_dia: Contexto, avisos: Avisos, hoy: date) -> None:
    activos = Prestamo.objects.filter(dependencia=dependencia, estado__in=ACTIVOS)
    for inicio in range(0, len(faltan), LOTE):
        revisar_prestamos(activos.filter(pk__in=faltan[inicio : inicio + LOTE]), al_dia, avisos, hoy)


def _cargar_en_memoria(dependencia, quincena, descuentos, archivo, sha256, usuario, progreso, hoy, tiempos):
    """Other databases (SQLite in development): every row through the engine, in lotes."""
    with tiempos("ya cargados"):
        cargados = set(
            Descuento.objects.filter(remesa__dependencia=dependencia, quincena=quincena, revertido=False).values_list(
                "prestamo_id", flat=True
            )
        )
        # In id order, so each lote is one index range of the loans table.
        nuevos = sorted((pk, importe) for pk, importe in descuentos if pk not in cargados)
    resultado = ResultadoRemesa(aplicados=len(nuevos), ya_cargados=len(descuentos) - len(nuevos))
    if not nuevos:
        return resultado
    remesa = _nueva_remesa(dependencia, quincena, archivo, sha256, usuario)
    al_vencimiento, al_dia = _contextos(dependencia, quincena, hoy)
    avisos = Avisos(hoy)
    with tiempos("motor"), sin_recolector():
        for inicio in range(0, len(nuevos), LOTE):
            resultado.total += _aplicar_lote(
                remesa, nuevos[inicio : inicio + LOTE], al_vencimiento, al_dia, avisos, usuario, hoy
            )
            if progreso:
                progreso(min(inicio + LOTE, len(nuevos)), len(nuevos))
    remesa.filas, remesa.total = len(nuevos), resultado.total
    remesa.save(update_fields=["filas", "total"])
    resultado.remesa = remesa
    # The loans this quincena's remesas left out: a missing deduction is detected now, not at the next
    # daily run. Not "left out of this file": a complementary remesa of a few rows would otherwise
    # re-examine every loan its dependencia's first remesa already paid.
    with tiempos("detección"):
        con_descuento = cargados.union(pk for pk, _ in nuevos)
        activos = Prestamo.objects.filter(dependencia=dependencia, estado__in=ACTIVOS)
        faltan = sorted(pk for pk in activos.values_list("pk", flat=True).iterator(chunk_size=LOTE * 10)
                        if pk not in con_descuento)
        _revisar_sin_descuento(dependencia, faltan, al_dia, avisos, hoy)
    resultado.omisiones = avisos.enviar_al_confirmar()
    return resultado


def _origen(remesa: Remesa) -> str:
    return f"Remesa {remesa.dependencia.clave} {remesa.quincena}"


def _aplicar_lote(
    remesa: Remesa,
    lote: list[tuple[int, Decimal]],
    al_vencimiento: Contexto,
    al_dia: Contexto,
    avisos: Avisos,
    usuario,
    hoy: date,
) -> Decimal:
    importes = dict(lote)
    # Locked in id order like every writer (libro.bloquear), so a bank payment on one of these loans waits.
    consulta = Prestamo.objects.filter(dependencia_id=remesa.dependencia_id)
    menor, mayor = lote[0][0], lote[-1][0]
    if mayor - menor < 2 * len(lote):
        # Dense ids (a full remesa): a range, as a 5,000-id IN list costs more to build than to run.
        consulta = consulta.filter(pk__range=(menor, mayor))
    else:
        consulta = consulta.filter(pk__in=importes)
    prestamos = [p for p in prestamos_en_lote(consulta.select_for_update()) if p.pk in importes]
    if len(prestamos) != len(importes):
        # Validated moments ago and loans are never deleted: refuse rather than drop a deduction.
        raise RuntimeError(f"{len(importes) - len(prestamos)} préstamo(s) de la remesa no se encontraron")
    periodo = Periodo.parse(remesa.quincena)
    fecha_valor = periodo.vencimiento
    # Only the installments due by the later of the value date and today are read or changed here
    # (allocation, estado, missing deductions); the rest of each schedule is written back as stored.
    leidas = posiciones.posiciones(prestamos, corte=max(fecha_valor, hoy))
    origen = _origen(remesa)
    usuario_id = usuario.pk if usuario is not None else None
    ahora = timezone.now()
    entradas = []
    for p in prestamos:
        posicion = leidas[p.pk]
        asientos = [libro.asiento(
            prestamo_id=p.pk,
            tipo=Movimiento.Tipo.DESCUENTO.value,
            aplicacion=posicion.aplicar(fecha_valor=fecha_valor, importe=importes[p.pk], contexto=al_vencimiento,
                                        periodo=periodo),
            origen=origen,
            usuario_id=usuario_id,
            creado=ahora,
        )]
        ajuste = libro.ajuste_por_redondeo(
            prestamo_id=p.pk, posicion=posicion, fecha=fecha_valor, contexto=al_vencimiento, creado=ahora
        )
        if ajuste is not None:
            asientos.append(ajuste)
        entradas.append((p, posicion, asientos))
    ids = libro.asentar_lote(entradas, hoy=hoy)
    escritura.insertar(
        Descuento,
        [
            {"remesa_id": remesa.pk, "prestamo_id": p.pk, "quincena": str(remesa.quincena),
             "importe": importes[p.pk], "movimiento_id": propios[0], "revertido": False}
            for (p, _, _), propios in zip(entradas, ids)
        ],
        con_id=False,
    )
    avisos.revisar(prestamos, leidas, al_dia)
    return sum(importes.values(), CERO)


# --- reversal (docs/reglas.md §9) --------------------------------------------------------------------------


@transaction.atomic
def remesa_revertir(*, sha256: str, motivo: str, usuario=None, hoy: date | None = None, rapida: bool = True,
                    tiempos: Cronometro | None = None) -> ResultadoReversion | None:
    """Reverse every deduction the file with these bytes applied; None when it is not loaded (never, or
    already reversed). Its rows stop counting as loaded and its quincena, if no other remesa of the
    dependencia covers it, is again awaiting its remesa: missing deductions are detected again.

    `rapida=False`: every deduction reversed by the engine and every active loan reviewed (what the
    equivalence test compares with); `tiempos`: seconds per stage."""
    hoy = hoy or timezone.localdate()
    tiempos = tiempos if tiempos is not None else Cronometro()
    archivo = ArchivoAplicado.objects.select_for_update().filter(
        sha256=sha256, tipo=TIPO_ARCHIVO, revertido__isnull=True
    ).order_by("pk").first()
    if archivo is None:
        return None
    remesas = list(archivo.remesas.select_related("dependencia"))
    # The dependencia's lock, as a load takes it: a remesa of it loading now waits for the reversal.
    for remesa in sorted(remesas, key=lambda r: r.dependencia_id):
        Dependencia.objects.select_for_update().get(pk=remesa.dependencia_id)
    with tiempos("descuentos"):
        descuentos = Descuento.objects.filter(remesa__in=remesas, revertido=False)
        movimiento_ids = list(descuentos.values_list("movimiento_id", flat=True))
        # First the remesa stops counting as arrived, so the later movements are re-decided without it.
        descuentos.update(revertido=True)
        for remesa in remesas:
            remesa.revertida = True
            remesa.save(update_fields=["revertida"])  # post_save clears the pages' cached remesas on commit
    resultado = revertir_movimientos(movimiento_ids=movimiento_ids, motivo=motivo, usuario=usuario, hoy=hoy,
                                     rapida=rapida, tiempos=tiempos)
    archivo.revertido, archivo.revertido_por, archivo.motivo_reversion = timezone.now(), usuario, motivo
    archivo.save(update_fields=["revertido", "revertido_por", "motivo_reversion"])
    with tiempos("detección"):
        for dependencia_id in sorted({r.dependencia_id for r in remesas}):
            avisos = Avisos(hoy)
            contexto = posiciones.contextos([dependencia_id], hoy)[dependencia_id]
            activos = Prestamo.objects.filter(dependencia_id=dependencia_id, estado__in=ACTIVOS)
            # Only the loans a review could change (omisiones.por_revisar); all of them without PostgreSQL.
            faltan = omisiones.por_revisar(dependencia_id=dependencia_id, contexto=contexto, hoy=hoy) if rapida else None
            if faltan is None:
                revisar_prestamos(activos, contexto, avisos, hoy)
            for inicio in range(0, len(faltan or ()), LOTE):
                revisar_prestamos(activos.filter(pk__in=faltan[inicio : inicio + LOTE]), contexto, avisos, hoy)
            avisos.enviar_al_confirmar()
    return resultado
