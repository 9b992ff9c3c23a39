"""What the borrower's pages show, built in a fixed number of queries however many loans and movements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.http import Http404

from prestamos import selectors as prestamos_selectors
from prestamos.calculo import Quincena, round2
from prestamos.cartera import CERO, Contexto, Cuota, Posicion
from prestamos.models import COLUMNAS_ESTADO_CUENTA, Dependencia, Derechohabiente, Movimiento, Prestamo, Remesa
from prestamos.services import posicion_de

ACTIVOS = (Prestamo.Estado.VIGENTE, Prestamo.Estado.EN_COBRANZA)


@dataclass(frozen=True)
class FilaTabla:
    numero: int
    quincena: Quincena
    cuota: Decimal
    interes: Decimal
    capital: Decimal
    saldo: Decimal
    pagado: Decimal
    estado: str  # Pagada, Parcial, Vencida, Por vencer

    @property
    def vencimiento(self) -> date:
        return self.quincena.vencimiento


@dataclass(frozen=True)
class Omision:
    """An installment whose payroll deduction is missing (SPEC §6)."""

    numero: int
    quincena: Quincena
    pendiente: Decimal
    moratorio: Decimal

    @property
    def total(self) -> Decimal:
        return self.pendiente + self.moratorio


@dataclass
class VistaPrestamo:
    prestamo: Prestamo
    posicion: Posicion
    contexto: Contexto
    hoy: date
    movimientos: list[Movimiento]
    saldo_deudor: Decimal = CERO
    estado: str = ""
    omisiones: list[Omision] = field(default_factory=list)

    @property
    def cuotas_pagadas(self) -> int:
        return self.posicion.cuotas_pagadas()

    @property
    def cuotas_por_pagar(self) -> int:
        return self.posicion.cuotas_por_pagar()

    @property
    def fecha_termino(self) -> date | None:
        return None if self.posicion.liquidado else self.posicion.fecha_termino()

    @property
    def liquidado(self) -> bool:
        return self.posicion.liquidado

    @property
    def en_cobranza(self) -> bool:
        return self.estado == Prestamo.Estado.EN_COBRANZA

    @property
    def estado_texto(self) -> str:
        return Prestamo.Estado(self.estado).label

    @property
    def capital_insoluto(self) -> Decimal:
        return CERO if self.liquidado else self.posicion.capital_insoluto

    @property
    def moratorios(self) -> Decimal:
        return CERO if self.liquidado else self.posicion.moratorios(self.hoy, self.contexto)

    @property
    def interes_vencido(self) -> Decimal:
        return CERO if self.liquidado else self.posicion.interes_vencido(self.hoy)

    def tabla(self) -> list[FilaTabla]:
        filas, restante = [], sum((c.capital for c in self.posicion.cuotas), CERO)
        for cuota in self.posicion.cuotas:
            restante -= cuota.capital
            filas.append(
                FilaTabla(
                    numero=cuota.numero,
                    quincena=cuota.quincena,
                    cuota=cuota.monto,
                    interes=cuota.interes,
                    capital=cuota.capital,
                    saldo=restante,
                    pagado=cuota.pagado,
                    estado=_estado_cuota(cuota, self.hoy),
                )
            )
        return filas

    def serie_saldo(self) -> list[tuple[date, Decimal]]:
        """Capital owed over time: at origination, after each movement, then as scheduled."""
        puntos = [(self.prestamo.fecha_otorgamiento, self.prestamo.importe)]
        saldo = self.prestamo.importe
        for movimiento in self.movimientos:
            saldo -= movimiento.capital
            puntos.append((movimiento.fecha_valor, saldo))
        return sorted(puntos, key=lambda p: p[0])


def _estado_cuota(cuota: Cuota, hoy: date) -> str:
    if cuota.pendiente == 0:
        return "Pagada"
    if cuota.vencimiento > hoy:
        return "Por vencer"
    return "Parcial" if cuota.pagado else "Vencida"


@dataclass
class EstadoCuenta:
    derechohabiente: Derechohabiente
    hoy: date
    prestamos: list[VistaPrestamo]

    @property
    def saldo_deudor_total(self) -> Decimal:
        return sum((v.saldo_deudor for v in self.prestamos), CERO)

    @property
    def vigente(self) -> VistaPrestamo | None:
        return next((v for v in self.prestamos if not v.liquidado), None)

    @property
    def omisiones(self) -> bool:
        return any(v.omisiones for v in self.prestamos)

    @property
    def en_cobranza(self) -> bool:
        return any(v.en_cobranza for v in self.prestamos)


def _vista(prestamo: Prestamo, movimientos: list[Movimiento], contexto: Contexto, hoy: date) -> VistaPrestamo:
    # From the snapshot (equal to the replay of `movimientos`, already read for the page's ledger table).
    posicion = posicion_de(prestamo, movimientos)
    vista = VistaPrestamo(prestamo=prestamo, posicion=posicion, contexto=contexto, hoy=hoy, movimientos=movimientos)
    vista.estado = posicion.estado(hoy)
    vista.saldo_deudor = posicion.saldo_deudor_total(hoy, contexto)
    if not posicion.liquidado:
        vista.omisiones = [
            Omision(c.numero, c.quincena, c.pendiente, posicion.moratorio_pendiente(c, hoy, contexto))
            for c in posicion.cuotas
            if posicion.es_omitida(c, hoy, contexto)
        ]
    return vista


def vistas_prestamos(prestamos: list[Prestamo], hoy: date) -> list[VistaPrestamo]:
    """Positions of several loans: one query for their movements; remesas and parameters from the cache.

    The movements are read with only the columns the pages show, which the ledger index carries
    (an index-only scan on PostgreSQL). The recorded allocation is needed only for the movements the
    position must replay — those after a loan's snapshot, or all of a loan without one — and those are
    normally none: when there are, one more query reads it for all of them.
    """
    if not prestamos:
        return []
    movimientos: dict[int, list[Movimiento]] = defaultdict(list)
    for m in Movimiento.objects.filter(prestamo__in=prestamos).only("prestamo_id", *COLUMNAS_ESTADO_CUENTA).order_by("id"):
        movimientos[m.prestamo_id].append(m)
    _leer_aplicaciones(
        [m for p in prestamos for m in movimientos[p.id] if not p.posicion or m.id > (p.posicion_hasta or 0)]
    )
    remesas, parametros = prestamos_selectors.contexto_para_paginas((p.dependencia_id for p in prestamos), hoy)
    return [
        _vista(
            p,
            movimientos[p.id],
            Contexto(parametros=parametros, remesas=remesas.get(p.dependencia_id, frozenset())),
            hoy,
        )
        for p in prestamos
    ]


def _leer_aplicaciones(movimientos: list[Movimiento]) -> None:
    if movimientos:
        aplicaciones = dict(Movimiento.objects.filter(id__in=[m.id for m in movimientos]).values_list("id", "aplicacion"))
        for m in movimientos:
            m.aplicacion = aplicaciones[m.id]


def estado_de_cuenta(*, derechohabiente: Derechohabiente, hoy: date) -> EstadoCuenta:
    prestamos = list(
        Prestamo.objects.filter(derechohabiente=derechohabiente)
        .select_related("dependencia")
        .order_by("-fecha_otorgamiento", "-folio")
    )
    return EstadoCuenta(derechohabiente=derechohabiente, hoy=hoy, prestamos=vistas_prestamos(prestamos, hoy))


def prestamo_del_derechohabiente(*, derechohabiente: Derechohabiente, folio: str, hoy: date) -> VistaPrestamo:
    """One of the borrower's own loans; anyone else's folio is a 404."""
    prestamo = (
        Prestamo.objects.filter(derechohabiente=derechohabiente, folio=folio)
        .select_related("dependencia", "derechohabiente")
        .first()
    )
    if prestamo is None:
        raise Http404("Préstamo no encontrado")
    return vistas_prestamos([prestamo], hoy)[0]


# --- Dependencias omisas (staff report) ------------------------------------------------------------------


@dataclass(frozen=True)
class FilaOmisa:
    dependencia: Dependencia
    remesas: int
    prestamos_esperados: int
    descuentos_recibidos: int
    importe_esperado: Decimal
    importe_recibido: Decimal

    @property
    def diferencia(self) -> Decimal:
        return self.importe_esperado - self.importe_recibido


def dependencias_omisas(quincena: Quincena) -> list[FilaOmisa]:
    """Dependencias that sent no remesa for `quincena`, or less than their active borrowers' cuotas.

    Expected: loans VIGENTE or EN_COBRANZA whose first quincena is on or before it (codes AAAA-Qnn sort
    as dates). Received: what that quincena's remesas applied. Three grouped queries in all.
    """
    codigo = str(quincena)
    esperado = {
        fila["dependencia_id"]: fila
        for fila in Prestamo.objects.filter(estado__in=ACTIVOS, primera_quincena__lte=codigo)
        .values("dependencia_id")
        .annotate(n=Count("id"), total=Sum("cuota"))
    }
    recibido = {
        fila["dependencia_id"]: fila
        for fila in Remesa.objects.filter(quincena=codigo)
        .values("dependencia_id")
        .annotate(remesas=Count("id"), n=Sum("filas"), total=Sum("total"))
    }
    dependencias = Dependencia.objects.in_bulk(esperado.keys() | recibido.keys())
    filas = []
    for pk, dependencia in dependencias.items():
        e, r = esperado.get(pk, {}), recibido.get(pk, {})
        fila = FilaOmisa(
            dependencia=dependencia,
            remesas=r.get("remesas", 0),
            prestamos_esperados=e.get("n", 0),
            descuentos_recibidos=r.get("n") or 0,
            # round2: SQLite sums decimals as floats (886.410000000000); PostgreSQL's are exact already.
            importe_esperado=round2(e.get("total") or CERO),
            importe_recibido=round2(r.get("total") or CERO),
        )
        if (fila.remesas == 0 and fila.prestamos_esperados) or fila.diferencia > 0:
            filas.append(fila)
    return sorted(filas, key=lambda f: (-f.diferencia, f.dependencia.clave))
