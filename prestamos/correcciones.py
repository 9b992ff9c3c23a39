"""Corrections to the ledger (docs/reglas.md §9): reversals that re-decide what came after, waivers of
moratorios and refunds of saldo a favor. Each is a new, reasoned, audited entry; nothing is edited.

Reversal follows Fineract's "reverse and reprocess": every movement to reverse gets a REVERSION entry, and
so does every later movement of the same loan, which is then booked again (a new movement that names the
one it replaces, `reaplica`) with the allocation the engine decides now, as if the reversed money had never
arrived — so moratorios, missing deductions, the state and the snapshot all follow. The allocation order is
still the one `cartera.Posicion.aplicar` states. On PostgreSQL the ordinary case — a movement that paid one
installment as scheduled and is still its loan's last — is reversed set-based instead, with the same rows
(prestamos/reversion_en_bloque.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from oficina.cronometro import Cronometro
from oficina.formatos import formato_moneda
from prestamos import libro, posiciones, reversion_en_bloque
from prestamos.cartera import CERO, Posicion
from prestamos.models import Movimiento, Prestamo

LOTE = 2000

# Sent inside the reversal's transaction with `prestamo_ids` and `motivo`, after the ledger is corrected. The
# features that hold promises on a loan's money (a pending refund of its saldo a favor) correct them there, in
# the same transaction; the core cannot import them (docs/reglas.md §9).
movimientos_revertidos = Signal()


@dataclass
class ResultadoReversion:
    revertidos: int = 0  # movements the correction named
    reaplicados: int = 0  # later movements re-decided
    importe: Decimal = CERO  # money that no longer counts as received
    prestamos: list[int] = field(default_factory=list)


def revertir_movimientos(*, movimiento_ids: list[int], motivo: str, usuario=None, hoy: date | None = None,
                         rapida: bool = True, tiempos: Cronometro | None = None) -> ResultadoReversion:
    """Reverse these movements and re-decide every later movement of their loans. Runs in the caller's
    transaction (a file's reversal is all or nothing with the rest of its bookkeeping).

    On PostgreSQL the ordinary movements that are still their loan's last are reversed set-based
    (prestamos/reversion_en_bloque.py), the rest by the engine below; `rapida=False`: every one by the
    engine (what the equivalence test compares with). `tiempos`: seconds per stage, for the benchmark.
    """
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError("Escribe el motivo de la reversión.")
    hoy = hoy or timezone.localdate()
    tiempos = tiempos if tiempos is not None else Cronometro()
    resultado = ResultadoReversion()
    por_prestamo: dict[int, set[int]] = defaultdict(set)
    with tiempos("validación"):
        for inicio in range(0, len(movimiento_ids), LOTE):
            for pk, prestamo_id, tipo, revertido in Movimiento.objects.filter(
                id__in=movimiento_ids[inicio : inicio + LOTE]
            ).values_list("id", "prestamo_id", "tipo", "reversion"):
                if tipo not in Movimiento.RECIBIDOS or revertido is not None:
                    raise ValidationError(f"El movimiento {pk} no es dinero recibido vigente; no se puede revertir.")
                por_prestamo[prestamo_id].add(pk)
    ids = sorted(por_prestamo)
    motor = ids
    if rapida and ids and reversion_en_bloque.disponible():
        hechos, importe = reversion_en_bloque.revertir(
            por_prestamo, motivo=motivo, usuario_id=usuario.pk if usuario is not None else None,
            creado=timezone.now(), hoy=hoy, tiempos=tiempos,
        )
        resultado.revertidos, resultado.importe = len(hechos), importe
        motor = [pk for pk in ids if pk not in hechos]
    with tiempos("motor"):
        for inicio in range(0, len(motor), LOTE):
            _revertir_lote({pk: por_prestamo[pk] for pk in motor[inicio : inicio + LOTE]}, motivo, usuario, hoy,
                           resultado)
    resultado.prestamos = ids
    movimientos_revertidos.send(sender=ResultadoReversion, prestamo_ids=ids, motivo=motivo)
    return resultado


def _revertir_lote(objetivo: dict[int, set[int]], motivo: str, usuario, hoy: date, resultado: ResultadoReversion) -> None:
    # Locked in id order like every writer, so a payment or a remesa on these loans waits for the reversal.
    prestamos = libro.bloquear(objetivo)
    libros = posiciones.libros(prestamos)
    contextos = {}
    usuario_id = usuario.pk if usuario is not None else None
    ahora = timezone.now()
    entradas = []
    for prestamo in prestamos:
        reversiones, nuevos = [], []
        revertir = objetivo[prestamo.pk]
        vigentes = posiciones.vigentes(libros[prestamo.pk])
        primero = min(revertir)
        antes = [m for m in vigentes if m.id < primero]
        despues = [m for m in vigentes if m.id > primero and m.id not in revertir]
        posicion = Posicion.derivar(posiciones.condiciones(prestamo), (posiciones.aplicacion_de(m) for m in antes))
        posiciones.liquidacion_historica(prestamo, posicion)
        for m in [m for m in vigentes if m.id in revertir] + despues:
            reversiones.append(libro.asiento(
                prestamo_id=prestamo.pk, tipo=Movimiento.Tipo.REVERSION, aplicacion=posiciones.aplicacion_de(m),
                origen=f"Reversión: {m.origen}", motivo=motivo, usuario_id=usuario_id, creado=ahora, revierte_id=m.id,
            ))
            if m.id in revertir:
                resultado.revertidos += 1
                resultado.importe += m.importe
        for m in despues:
            aplicacion = _volver_a_decidir(prestamo, posicion, m, contextos)
            if aplicacion is not None:
                nuevos.append(libro.asiento(
                    prestamo_id=prestamo.pk, tipo=m.tipo, aplicacion=aplicacion, origen=m.origen, motivo=m.motivo,
                    usuario_id=m.registrado_por_id, creado=ahora, reaplica_id=m.id,
                ))
                resultado.reaplicados += 1
        # Reversals first, then the movements booked again: ids grow in that order, as a replay expects.
        # The snapshot covers the whole ledger, reversal entries included (a replay skips them).
        entradas.append((prestamo, posicion, reversiones + nuevos))
    libro.asentar_lote(entradas, hoy=hoy)


def _volver_a_decidir(prestamo: Prestamo, posicion: Posicion, m: Movimiento, contextos: dict):
    """Book `m`'s effect again on the corrected position: money as it arrived, corrections as they meant."""
    clave = (prestamo.dependencia_id, m.fecha_valor)
    if clave not in contextos:
        contextos[clave] = posiciones.contextos([prestamo.dependencia_id], m.fecha_valor)[prestamo.dependencia_id]
    contexto = contextos[clave]
    if m.tipo == Movimiento.Tipo.CONDONACION:
        return posicion.condonar(fecha=m.fecha_valor, contexto=contexto)
    if m.tipo == Movimiento.Tipo.AJUSTE:
        # Written off only if the last deduction is still short by at most 1.00 without the reversed money.
        return posicion.ajustar_redondeo(fecha=m.fecha_valor, contexto=contexto)
    original = posiciones.aplicacion_de(m)
    if m.tipo == Movimiento.Tipo.MORATORIO_DEVUELTO:
        return posicion.devolver_moratorios(fecha=m.fecha_valor, periodo=original.periodo)
    if m.tipo == Movimiento.Tipo.ABONO_SALDO:
        # The borrower moved their saldo a favor; without the reversed money there may be less of it.
        importe = min(m.importe, posicion.excedentes)
        if importe <= 0 or posicion.liquidado:
            return None
        return posicion.aplicar(fecha_valor=m.fecha_valor, importe=importe, contexto=contexto, de_saldo=True)
    if m.tipo == Movimiento.Tipo.DEVOLUCION:
        if m.importe > posicion.excedentes:
            raise ValidationError(
                f"El préstamo {prestamo.folio} ya devolvió {formato_moneda(m.importe)} de saldo a favor que, sin el "
                "dinero revertido, no existiría; resuélvelo con Supervisión antes de revertir."
            )
        return posicion.devolver(fecha=m.fecha_valor, importe=m.importe)
    return posicion.aplicar(fecha_valor=m.fecha_valor, importe=m.importe, contexto=contexto, periodo=original.periodo)


# --- waivers and refunds (one loan at a time, from the admin) -------------------------------------------


@transaction.atomic
def condonar_moratorios(*, prestamo: Prestamo, motivo: str, usuario, hoy: date | None = None) -> Movimiento:
    """Supervisión waives every moratorio the loan owes today; a CONDONACION entry records who and why."""
    motivo = motivo.strip()
    if not motivo:
        raise ValidationError("Escribe el motivo de la condonación.")
    hoy = hoy or timezone.localdate()
    (prestamo,) = libro.bloquear([prestamo.pk])
    posicion = posiciones.posicion(prestamo)
    aplicacion = posicion.condonar(fecha=hoy, contexto=posiciones.contexto(prestamo, hoy))
    if aplicacion is None:
        raise ValidationError(f"El préstamo {prestamo.folio} no debe moratorios hoy.")
    return _registrar(prestamo, posicion, Movimiento.Tipo.CONDONACION, aplicacion,
                      f"Condonación de moratorios por {usuario}", motivo, usuario, hoy)


@transaction.atomic
def devolver_saldo_a_favor(*, prestamo: Prestamo, importe: Decimal, clave_rastreo: str, usuario, hoy: date | None = None) -> Movimiento:
    """Record that saldo a favor was paid back by SPEI with tracking key `clave_rastreo`."""
    hoy = hoy or timezone.localdate()
    (prestamo,) = libro.bloquear([prestamo.pk])
    posicion = posiciones.posicion(prestamo)
    if not 0 < importe <= posicion.excedentes:
        raise ValidationError(
            f"El saldo a favor del préstamo {prestamo.folio} es {formato_moneda(posicion.excedentes)}; "
            f"no se pueden devolver {formato_moneda(importe)}."
        )
    aplicacion = posicion.devolver(fecha=hoy, importe=importe)
    return _registrar(prestamo, posicion, Movimiento.Tipo.DEVOLUCION, aplicacion,
                      f"Devolución por SPEI, clave de rastreo {clave_rastreo}", "", usuario, hoy)


def _registrar(prestamo, posicion, tipo, aplicacion, origen, motivo, usuario, hoy) -> Movimiento:
    return libro.asentar(prestamo, posicion, [libro.asiento(
        prestamo_id=prestamo.pk, tipo=tipo, aplicacion=aplicacion, origen=origen, motivo=motivo,
        usuario_id=usuario.pk if usuario is not None else None, creado=timezone.now(),
    )], hoy=hoy)[0]
