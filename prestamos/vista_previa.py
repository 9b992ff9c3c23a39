"""What an act that moves money would do, shown to staff before they confirm it (docs/reglas.md §15). Nothing here
writes: applying a payment is allocated on a position held in memory; a file's reversal runs inside a savepoint
that is always rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Sum

from oficina.importacion import ArchivoRechazado, revertir_aplicado
from prestamos import posiciones
from prestamos.calculo import Periodo
from prestamos.cartera import CERO
from prestamos.models import ArchivoAplicado, Movimiento, Prestamo

PRESTAMOS_DETALLADOS = 20  # a remesa reverses thousands of loans: the first ones in detail, all in the totals


# --- applying money received ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CuotaAfectada:
    numero: int
    periodo: Periodo
    pagado: Decimal  # of this payment: moratorios, interest and capital
    pendiente: Decimal  # what the installment still owes after it

    @property
    def descripcion(self) -> str:
        return self.periodo.en_palabras

    @property
    def de_periodo(self) -> str:
        """"de la 1ª quincena de noviembre de 2026", "de junio de 2026"."""
        return f"de {self.periodo.con_articulo}"


@dataclass(frozen=True)
class VistaPreviaPago:
    prestamo: Prestamo
    importe: Decimal
    fecha_valor: date
    saldo_antes: Decimal
    saldo_despues: Decimal
    moratorios: Decimal
    interes: Decimal
    capital: Decimal
    abono_capital: Decimal
    excedente: Decimal
    liquida: bool
    cuotas: tuple[CuotaAfectada, ...]

    @property
    def queda_debiendo(self) -> CuotaAfectada | None:
        """The installment this payment leaves short, if it does ("quedará debiendo $26.08 de …")."""
        return next((c for c in self.cuotas if c.pendiente > 0), None)


def aplicacion_de_pago(*, prestamo: Prestamo, importe: Decimal, fecha_valor: date, hoy: date) -> VistaPreviaPago:
    """How `importe` with value date `fecha_valor` would be allocated on the loan now: the engine's own
    `Posicion.aplicar` on the position read from the ledger, never saved (the same call the payment's
    service makes under the loan's lock)."""
    posicion = posiciones.posicion(prestamo)
    contexto_hoy = posiciones.contexto(prestamo, hoy)
    saldo_antes = posicion.saldo_deudor_total(hoy, contexto_hoy)
    aplicacion = posicion.aplicar(
        fecha_valor=fecha_valor, importe=importe, contexto=posiciones.contexto(prestamo, fecha_valor)
    )
    cuotas = tuple(
        CuotaAfectada(
            numero=parte.numero,
            periodo=posicion.cuota_por_numero(parte.numero).periodo,
            pagado=parte.moratorio + parte.interes + parte.capital,
            pendiente=posicion.cuota_por_numero(parte.numero).pendiente,
        )
        for parte in aplicacion.cuotas
    )
    return VistaPreviaPago(
        prestamo=prestamo, importe=importe, fecha_valor=fecha_valor, saldo_antes=saldo_antes,
        saldo_despues=posicion.saldo_deudor_total(hoy, contexto_hoy), moratorios=aplicacion.moratorios,
        interes=aplicacion.interes, capital=aplicacion.capital, abono_capital=aplicacion.abono_capital,
        excedente=aplicacion.excedente, liquida=aplicacion.liquida, cuotas=cuotas,
    )


# --- reversing a file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrestamoRevertido:
    folio: str
    titular: str
    revertidos: int  # movements of this file undone
    importe: Decimal  # their money
    reaplicados: int  # later movements booked again
    saldo_antes: Decimal
    saldo_despues: Decimal


@dataclass
class VistaPreviaReversion:
    archivo: ArchivoAplicado
    error: str = ""
    detalle: dict[str, object] = field(default_factory=dict)  # the reversal's own summary (Resumen.detalle)
    prestamos_total: int = 0
    movimientos: int = 0
    importe: Decimal = CERO
    prestamos: list[PrestamoRevertido] = field(default_factory=list)

    @property
    def mas_prestamos(self) -> int:
        return self.prestamos_total - len(self.prestamos)


class _Deshacer(Exception):
    """Leaves the savepoint, rolling back everything the reversal wrote (and its on_commit e-mails)."""


def reversion(archivo: ArchivoAplicado, *, usuario, hoy: date) -> VistaPreviaReversion:
    """The file's reversal, run for real inside a savepoint and rolled back: what it would undo, loan by loan.
    The reversal's own locks are taken and released with the savepoint."""
    previa = VistaPreviaReversion(archivo=archivo)
    ultimo = Movimiento.objects.aggregate(ultimo=Max("id"))["ultimo"] or 0
    try:
        with transaction.atomic():
            try:
                resumen = revertir_aplicado(archivo, motivo="Vista previa", usuario=usuario)
            except ArchivoRechazado as exc:
                previa.error = " ".join(e.motivo for e in exc.errores)
                raise _Deshacer from exc
            previa.detalle = resumen.detalle
            nuevos = Movimiento.objects.filter(id__gt=ultimo)
            deshechos = nuevos.filter(tipo=Movimiento.Tipo.REVERSION, revierte__reaplicacion__isnull=True)
            por_prestamo = {
                fila["prestamo_id"]: fila
                for fila in deshechos.values("prestamo_id").annotate(n=Count("id"), importe=Sum("importe"))
            }
            reaplicados = dict(
                nuevos.filter(reaplica__isnull=False).values("prestamo_id").annotate(n=Count("id")).values_list("prestamo_id", "n")
            )
            previa.prestamos_total = len(por_prestamo)
            previa.movimientos = sum(f["n"] for f in por_prestamo.values())
            previa.importe = sum((f["importe"] for f in por_prestamo.values()), CERO)
            detallados = list(
                Prestamo.objects.filter(pk__in=sorted(por_prestamo)[:PRESTAMOS_DETALLADOS]).select_related("derechohabiente")
            )
            despues = {p.pk: _saldo(p, hoy) for p in detallados}
            raise _Deshacer
    except _Deshacer:
        pass
    if previa.error:
        return previa
    for prestamo in detallados:  # read again after the rollback: the position as it is now
        fila = por_prestamo[prestamo.pk]
        previa.prestamos.append(PrestamoRevertido(
            folio=prestamo.folio, titular=prestamo.derechohabiente.nombre_completo, revertidos=fila["n"],
            importe=fila["importe"], reaplicados=reaplicados.get(prestamo.pk, 0),
            saldo_antes=_saldo(Prestamo.objects.get(pk=prestamo.pk), hoy), saldo_despues=despues[prestamo.pk],
        ))
    return previa


def _saldo(prestamo: Prestamo, hoy: date) -> Decimal:
    return posiciones.posicion(prestamo).saldo_deudor_total(hoy, posiciones.contexto(prestamo, hoy))
