"""A loan's position and how money is applied to it (docs/reglas.md §5, §6). Pure: Decimal and date in, values out.

The position is never stored as truth: it is rebuilt from the loan's terms and its ledger, replaying each
movement's recorded application in the order they were booked (`Posicion.derivar`). A new payment is
allocated against the current position by `Posicion.aplicar`, whose result is what the ledger records,
so allocation is decided once, when money arrives, and replay never re-decides it.

Allocation order (one function, `aplicar`): the oldest unpaid installment due on or before the value date
first; inside it moratorios, then interés, then capital. What is left goes to capital ("abono a capital":
the cuota stays and the remaining installments are re-projected, so the term shortens); if what is left
covers the payoff, the loan is settled and anything beyond is kept as `excedente` to refund.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from prestamos.calculo import (
    Periodo,
    cuota_fija,
    interes_devengado,
    moratorio_por_tramos,
    proyectar,
    tabla_amortizacion,
)

CERO = Decimal("0.00")
CUOTAS_PARA_COBRANZA = 4
# A last deduction short by at most this much is written off, and the loan settles (docs/reglas.md §5).
AJUSTE_MAXIMO = Decimal("1.00")


_VENCIMIENTOS: dict[tuple[str, int, int], date] = {}


def _vencimiento(periodo: Periodo) -> date:
    # Needed for every installment of every loan in a remesa, and there are only a few hundred distinct
    # periods. Keyed by a plain tuple: hashing the dataclass itself runs Python code on every lookup.
    clave = (periodo.LETRA, periodo.anio, periodo.numero)
    vencimiento = _VENCIMIENTOS.get(clave)
    if vencimiento is None:
        vencimiento = _VENCIMIENTOS[clave] = periodo.vencimiento
    return vencimiento


@dataclass(frozen=True)
class Condiciones:
    """A loan's terms, fixed at origination."""

    principal: Decimal
    tasa_anual: Decimal
    plazo: int  # in periods of the first period's kind
    primer_periodo: Periodo  # a quincena or a month: the loan's periods are all of its kind
    fecha_otorgamiento: date

    @cached_property
    def cuota(self) -> Decimal:
        return cuota_fija(
            principal=self.principal, tasa_anual=self.tasa_anual, plazo=self.plazo, por_anio=self.primer_periodo.POR_ANIO
        )


@dataclass(frozen=True)
class ParametrosMora:
    """CAPP's parameters for missing deductions (stored in the database with their start dates)."""

    dias_gracia: int = 20
    factor: Decimal = Decimal("1.5")


@dataclass(frozen=True)
class Contexto:
    """What decides whether an unpaid installment is a missing deduction (docs/reglas.md §6)."""

    parametros: ParametrosMora = ParametrosMora()
    # Periods whose remesa from the loan's dependencia has been loaded.
    remesas: frozenset[Periodo] = frozenset()
    # Every moratorio factor with the day it holds from, in date order: each day of delay is priced at the
    # factor in force that day (docs/reglas.md §6). Empty: `parametros.factor` for every day.
    factores: tuple[tuple[date, Decimal], ...] = ()

    def tramos(self, desde: date, hasta: date) -> list[tuple[int, Decimal]]:
        """The days from `desde` to `hasta`, as (días, factor) stretches of one factor each."""
        if not self.factores:
            return [((hasta - desde).days, self.parametros.factor)]
        tramos = []
        factor = ParametrosMora.factor  # before the first parameter row: the default
        inicio = desde
        for vigente_desde, siguiente in self.factores:
            if vigente_desde > inicio:
                if vigente_desde >= hasta:
                    break
                tramos.append(((vigente_desde - inicio).days, factor))
                inicio = vigente_desde
            factor = siguiente
        tramos.append(((hasta - inicio).days, factor))
        return tramos


@dataclass(slots=True)
class Cuota:
    """One installment of the current schedule, with what has been paid and charged on it.

    Slotted: a remesa builds one per installment of a million loans, and slots make that cheaper.
    """

    numero: int
    periodo: Periodo
    interes: Decimal
    capital: Decimal
    pagado_moratorio: Decimal = CERO
    pagado_interes: Decimal = CERO
    pagado_capital: Decimal = CERO
    moratorio_cargado: Decimal = CERO
    devengado_hasta: date | None = None  # moratorio charged up to this date (None: nothing yet)
    # Derived from the period once (a snapshot restore passes it in, from a cached calendar): it is
    # read for every installment of every loan in a remesa.
    vencimiento: date | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.vencimiento is None:
            self.vencimiento = _vencimiento(self.periodo)

    @property
    def monto(self) -> Decimal:
        return self.interes + self.capital

    @property
    def pendiente_interes(self) -> Decimal:
        return self.interes - self.pagado_interes

    @property
    def pendiente_capital(self) -> Decimal:
        return self.capital - self.pagado_capital

    @property
    def pendiente(self) -> Decimal:
        # Spelled out rather than through the two properties above: it is the engine's hottest read.
        return (self.interes - self.pagado_interes) + (self.capital - self.pagado_capital)

    @property
    def pagado(self) -> Decimal:
        return self.pagado_interes + self.pagado_capital

    @property
    def tocada(self) -> bool:
        return bool(self.pagado_moratorio or self.pagado_interes or self.pagado_capital)


@dataclass(frozen=True)
class AplicacionCuota:
    """The part of one payment applied to one installment."""

    numero: int
    moratorio_cargado: Decimal  # moratorio accrued and charged in this step
    moratorio: Decimal
    interes: Decimal
    capital: Decimal
    devengado_hasta: date | None


@dataclass(frozen=True)
class Aplicacion:
    """How one amount received was applied. What the ledger records of a movement."""

    fecha_valor: date
    importe: Decimal
    cuotas: tuple[AplicacionCuota, ...] = ()
    abono_capital: Decimal = CERO
    interes_devengado: Decimal = CERO  # payoff only: ordinary interest since the last due date
    excedente: Decimal = CERO  # beyond the payoff, or received after settlement: saldo a favor
    liquida: bool = False
    devuelto: Decimal = CERO  # saldo a favor paid back to the borrower (a DEVOLUCION, docs/reglas.md §9)
    # A payroll deduction's period (remesa or aclaración): a deduction for an installment already paid is
    # a pago en exceso, kept as saldo a favor (`exceso`), not sent to capital (docs/reglas.md §6).
    periodo: Periodo | None = None
    exceso: bool = False
    de_saldo: Decimal = CERO  # saldo a favor the borrower chose to apply to the loan ("Abonar a capital")
    # Moratorios paid on an installment whose deduction an aclaración proved on time: (número, importe)
    # each, back to saldo a favor (docs/reglas.md §10).
    moratorio_devuelto: tuple[tuple[int, Decimal], ...] = ()

    @property
    def moratorios(self) -> Decimal:
        return sum((c.moratorio for c in self.cuotas), CERO)

    @property
    def interes(self) -> Decimal:
        return sum((c.interes for c in self.cuotas), CERO) + self.interes_devengado

    @property
    def capital(self) -> Decimal:
        return sum((c.capital for c in self.cuotas), CERO) + self.abono_capital

    def a_json(self) -> dict:
        return {
            "cuotas": [
                [c.numero, str(c.moratorio_cargado), str(c.moratorio), str(c.interes), str(c.capital),
                 c.devengado_hasta.isoformat() if c.devengado_hasta else None]
                for c in self.cuotas
            ],
            "abono_capital": str(self.abono_capital),
            "interes_devengado": str(self.interes_devengado),
            "excedente": str(self.excedente),
            "liquida": self.liquida,
            **({"devuelto": str(self.devuelto)} if self.devuelto else {}),
            **({"periodo": str(self.periodo)} if self.periodo is not None else {}),
            **({"exceso": True} if self.exceso else {}),
            **({"de_saldo": str(self.de_saldo)} if self.de_saldo else {}),
            **({"moratorio_devuelto": [[n, str(m)] for n, m in self.moratorio_devuelto]}
               if self.moratorio_devuelto else {}),
        }

    @classmethod
    def de_json(cls, datos: dict, *, fecha_valor: date, importe: Decimal) -> Aplicacion:
        return cls(
            fecha_valor=fecha_valor,
            importe=importe,
            cuotas=tuple(
                AplicacionCuota(
                    numero=n,
                    moratorio_cargado=Decimal(mc),
                    moratorio=Decimal(m),
                    interes=Decimal(i),
                    capital=Decimal(c),
                    devengado_hasta=date.fromisoformat(h) if h else None,
                )
                for n, mc, m, i, c, h in datos["cuotas"]
            ),
            abono_capital=Decimal(datos["abono_capital"]),
            interes_devengado=Decimal(datos["interes_devengado"]),
            excedente=Decimal(datos["excedente"]),
            liquida=datos["liquida"],
            devuelto=Decimal(datos.get("devuelto", "0.00")),
            periodo=Periodo.parse(datos["periodo"]) if "periodo" in datos else None,
            exceso=datos.get("exceso", False),
            de_saldo=Decimal(datos.get("de_saldo", "0.00")),
            moratorio_devuelto=tuple((n, Decimal(m)) for n, m in datos.get("moratorio_devuelto", ())),
        )


@dataclass
class Posicion:
    """The state of one loan: its current schedule and what was paid on each installment."""

    condiciones: Condiciones
    # Private: a partly restored position holds here only the installments due by `_restaurada_hasta`.
    # Readers use `cuotas`, which completes the schedule first.
    _cuotas: list[Cuota] = field(default_factory=list)
    capital_pagado: Decimal = CERO
    fecha_liquidacion: date | None = None
    excedentes: Decimal = CERO  # saldo a favor: received beyond what was owed, less what was paid back
    ultima_fecha_valor: date | None = None
    # Each abono a capital (value date, amount), so the table can show due installments' balances as they
    # stood when they fell due (docs/reglas.md §9).
    abonos: list[tuple[date, Decimal]] = field(default_factory=list)
    # A position restored with `instantanea.restaurar(..., corte=)` holds as Cuota only the installments
    # due on or before `_restaurada_hasta`; the rest stay in `_por_restaurar` exactly as stored, until
    # something needs them (`completar`). Every method that reads beyond that date completes it first.
    _por_restaurar: list | None = field(default=None, repr=False, compare=False)
    _restaurada_hasta: date | None = field(default=None, repr=False, compare=False)
    # How many installments at the start of the schedule are known to be paid in full, so that
    # `vencidas_sin_pagar` need not check them again. Sound because what is paid on an installment only
    # grows (the ledger has no reversals) and re-projection, which replaces installments, lowers it.
    pagadas_al_inicio: int = field(default=0, repr=False, compare=False)

    @classmethod
    def nueva(cls, condiciones: Condiciones) -> Posicion:
        tabla = tabla_amortizacion(
            principal=condiciones.principal,
            tasa_anual=condiciones.tasa_anual,
            plazo=condiciones.plazo,
            primer_periodo=condiciones.primer_periodo,
        )
        return cls(condiciones, [Cuota(r.numero, r.periodo, r.interes, r.capital) for r in tabla])

    @classmethod
    def derivar(cls, condiciones: Condiciones, aplicaciones) -> Posicion:
        """Rebuild the position by replaying the ledger's recorded applications in booking order."""
        posicion = cls.nueva(condiciones)
        for aplicacion in aplicaciones:
            posicion.registrar(aplicacion)
        return posicion

    # --- the lazy tail left by a partial restore (prestamos/instantanea.py) ------------------------

    @property
    def cuotas(self) -> list[Cuota]:
        """The whole current schedule. Completes a partly restored position first, so a reader never
        sees only the installments that were due when it was restored."""
        self.completar()
        return self._cuotas

    def completar(self) -> None:
        """Restore the installments a partial restore left as stored; a no-op on a whole position."""
        if self._por_restaurar is None:
            return
        from prestamos.instantanea import restaurar_cuotas  # the codec imports this module

        por_restaurar, self._por_restaurar, self._restaurada_hasta = self._por_restaurar, None, None
        self._cuotas.extend(restaurar_cuotas(self.condiciones.primer_periodo, len(self._cuotas), por_restaurar))

    # --- reading -------------------------------------------------------------------------------

    @property
    def capital_insoluto(self) -> Decimal:
        return self.condiciones.principal - self.capital_pagado

    @property
    def liquidado(self) -> bool:
        return self.fecha_liquidacion is not None

    def cuota_por_numero(self, numero: int) -> Cuota:
        # Installment numbers are 1..n in list order; re-projection keeps them.
        if numero > len(self._cuotas):
            self.completar()
        return self._cuotas[numero - 1]

    def vencidas(self, fecha: date) -> list[Cuota]:
        """The installments due on or before `fecha`: a prefix, as the schedule is in due-date order."""
        # Consecutive quincenas from the first, and re-projection keeps them, so a binary search finds
        # the end of the prefix without reading the installments not yet due.
        if self._por_restaurar is not None and fecha > self._restaurada_hasta:
            self.completar()
        return self._cuotas[: bisect_right(self._cuotas, fecha, key=_vencimiento_de)]

    def vencidas_sin_pagar(self, fecha: date) -> list[Cuota]:
        # Read for every loan of a remesa three times: the installments known paid are skipped, and
        # `pendiente` is spelled out.
        vencidas = self.vencidas(fecha)
        k, n = self.pagadas_al_inicio, len(vencidas)
        while k < n and (c := vencidas[k]).interes == c.pagado_interes and c.capital == c.pagado_capital:
            k += 1
        self.pagadas_al_inicio = k
        return [c for c in vencidas[k:] if (c.interes - c.pagado_interes) + (c.capital - c.pagado_capital) > 0]

    def cuotas_pagadas(self) -> int:
        self.completar()
        return sum(1 for c in self.cuotas if c.pendiente == 0)

    def cuotas_por_pagar(self) -> int:
        self.completar()
        return sum(1 for c in self.cuotas if c.pendiente > 0)

    def fecha_termino(self) -> date | None:
        self.completar()
        return self.cuotas[-1].vencimiento if self.cuotas else None

    def es_omitida(self, cuota: Cuota, fecha: date, contexto: Contexto) -> bool:
        """A missing deduction at `fecha`: due, unpaid, and its remesa came without it or never came in time."""
        if cuota.pendiente <= 0 or cuota.vencimiento > fecha:
            return False
        if cuota.periodo in contexto.remesas:
            return True
        return fecha > cuota.vencimiento + timedelta(days=contexto.parametros.dias_gracia)

    def _moratorio_por_cargar(self, cuota: Cuota, fecha: date, contexto: Contexto) -> Decimal:
        """Moratorio accrued on the unpaid amount since it was last charged (or since the due date)."""
        if not self.es_omitida(cuota, fecha, contexto):
            return CERO
        desde = max(cuota.devengado_hasta or cuota.vencimiento, cuota.vencimiento)
        if fecha <= desde:
            return CERO
        return moratorio_por_tramos(
            importe_vencido=cuota.pendiente, tasa_anual=self.condiciones.tasa_anual, tramos=contexto.tramos(desde, fecha)
        )

    def moratorio_pendiente(self, cuota: Cuota, fecha: date, contexto: Contexto) -> Decimal:
        por_cargar = self._moratorio_por_cargar(cuota, fecha, contexto)
        return cuota.moratorio_cargado - cuota.pagado_moratorio + por_cargar

    def moratorios(self, fecha: date, contexto: Contexto) -> Decimal:
        return sum((self.moratorio_pendiente(c, fecha, contexto) for c in self.vencidas(fecha)), CERO)

    def interes_vencido(self, fecha: date) -> Decimal:
        return sum((c.pendiente_interes for c in self.vencidas(fecha)), CERO)

    def saldo_deudor_total(self, fecha: date, contexto: Contexto) -> Decimal:
        """Capital insoluto + interest of installments due and unpaid + moratorios accrued to `fecha`."""
        if self.liquidado:
            return CERO
        return self.capital_insoluto + self.interes_vencido(fecha) + self.moratorios(fecha, contexto)

    def ultimo_vencimiento(self, fecha: date) -> date:
        """The last installment due date on or before `fecha`, or the origination date."""
        vencidas = self.vencidas(fecha)
        return vencidas[-1].vencimiento if vencidas else self.condiciones.fecha_otorgamiento

    def _interes_al_dia(self, fecha: date) -> Decimal:
        return interes_devengado(
            capital=self.capital_insoluto,
            tasa_anual=self.condiciones.tasa_anual,
            desde=self.ultimo_vencimiento(fecha),
            hasta=fecha,
        )

    def liquidacion(self, fecha: date, contexto: Contexto) -> Decimal:
        """Payoff at `fecha`: saldo deudor total + ordinary interest accrued since the last due date."""
        if self.liquidado:
            return CERO
        return self.saldo_deudor_total(fecha, contexto) + self._interes_al_dia(fecha)

    def estado(self, fecha: date) -> str:
        if self.liquidado:
            return "LIQUIDADO"
        # Payments go to the oldest installment first, so the unpaid due ones are consecutive.
        if len(self.vencidas_sin_pagar(fecha)) >= CUOTAS_PARA_COBRANZA:
            return "EN_COBRANZA"
        return "VIGENTE"

    # --- writing -------------------------------------------------------------------------------

    def cuota_del_periodo(self, periodo: Periodo) -> Cuota | None:
        """The installment that falls due in `periodo`, if the schedule has one."""
        primero = self.condiciones.primer_periodo
        if type(periodo) is not type(primero):
            return None
        numero = periodo - primero + 1
        if numero < 1 or numero > len(self._cuotas) + len(self._por_restaurar or ()):
            return None
        return self.cuota_por_numero(numero)

    def aplicar(self, *, fecha_valor: date, importe: Decimal, contexto: Contexto, periodo: Periodo | None = None,
                de_saldo: bool = False) -> Aplicacion:
        """Allocate `importe` received with value date `fecha_valor`, record it and return the allocation.

        `periodo`: the period of a payroll deduction. When its installment had already been paid (by a
        FOPI, a bank or SPEI payment, an aclaración), what the deduction brings beyond the installments
        still due is a pago en exceso: saldo a favor, not capital (docs/reglas.md §6). `de_saldo`: the
        money is the borrower's saldo a favor, applied to the loan at their request.
        """
        if importe <= 0:
            raise ValueError("El importe a aplicar debe ser mayor que cero.")
        saldo = importe if de_saldo else CERO
        if self.liquidado:
            aplicacion = Aplicacion(fecha_valor=fecha_valor, importe=importe, excedente=importe, periodo=periodo,
                                    de_saldo=saldo)
            self.registrar(aplicacion)
            return aplicacion
        # Its installment was paid before its deduction came, by money valued after its due date (a
        # regularization, a late bank or SPEI payment, an aclaración): this deduction pays it a second time.
        # Money valued on or before the due date that reached it first is the ordinary flow, not a second payment.
        propia = self.cuota_del_periodo(periodo) if periodo is not None else None
        ya_pagada = (
            propia is not None and propia.pagado > 0
            and self.ultima_fecha_valor is not None and self.ultima_fecha_valor > propia.vencimiento
        )

        restante = importe
        partes: list[AplicacionCuota] = []
        # Money booked late with an earlier value date (a remesa loaded after the borrower paid at the
        # bank) still goes to the oldest unpaid installment the ledger has already reached.
        horizonte = max(fecha_valor, self.ultima_fecha_valor or fecha_valor)
        capital_antes = self.capital_insoluto
        for cuota in self.vencidas_sin_pagar(horizonte):
            if restante <= 0:
                break
            cargado = self._moratorio_por_cargar(cuota, fecha_valor, contexto)
            hasta = fecha_valor if self.es_omitida(cuota, fecha_valor, contexto) else cuota.devengado_hasta
            pagos = []
            for pendiente in (
                cuota.moratorio_cargado + cargado - cuota.pagado_moratorio,
                cuota.pendiente_interes,
                cuota.pendiente_capital,
            ):
                pago = min(restante, max(pendiente, CERO))
                pagos.append(pago)
                restante -= pago
            partes.append(AplicacionCuota(cuota.numero, cargado, *pagos, devengado_hasta=hasta))

        abono = interes_al_dia = excedente = CERO
        capital_restante = capital_antes - sum((p.capital for p in partes), CERO)
        # Money that covers exactly everything owed settles the loan, like money with something left over
        # (docs/reglas.md §5): the last installment paid to the centavo leaves no capital and nothing due.
        liquida = restante == 0 and capital_restante == 0
        exceso = False
        if restante > 0 and ya_pagada and capital_restante > 0:
            # The deduction's own installment was already paid: paid twice, the borrower's to decide.
            excedente, restante, exceso = restante, CERO, True
        if restante > 0:
            interes_al_dia = interes_devengado(
                capital=capital_antes,
                tasa_anual=self.condiciones.tasa_anual,
                desde=self.ultimo_vencimiento(horizonte),
                hasta=fecha_valor,
            )
            if restante >= capital_restante:
                # Enough to clear the capital: this is a payoff, so the ordinary interest accrued since
                # the last due date is paid first, then the capital; beyond that is kept for refund.
                interes_al_dia = min(interes_al_dia, restante)
                abono = min(restante - interes_al_dia, capital_restante)
                liquida = abono == capital_restante
                excedente = restante - interes_al_dia - abono
            else:
                abono, interes_al_dia = restante, CERO
        aplicacion = Aplicacion(
            fecha_valor=fecha_valor,
            importe=importe,
            cuotas=tuple(partes),
            abono_capital=abono,
            interes_devengado=interes_al_dia,
            excedente=excedente,
            liquida=liquida,
            periodo=periodo,
            exceso=exceso,
            de_saldo=saldo,
        )
        self.registrar(aplicacion)
        return aplicacion

    def devolver_moratorios(self, *, fecha: date, periodo: Periodo) -> Aplicacion | None:
        """An aclaración proved the deduction of `periodo` was taken on time: the moratorios the borrower
        paid on its installment (a regularization) go back to saldo a favor, and are no longer charged
        (docs/reglas.md §10). None when none were paid."""
        cuota = self.cuota_del_periodo(periodo)
        if cuota is None or cuota.pagado_moratorio <= 0:
            return None
        pagado = cuota.pagado_moratorio
        aplicacion = Aplicacion(fecha_valor=fecha, importe=pagado, excedente=pagado, periodo=periodo,
                                moratorio_devuelto=((cuota.numero, pagado),))
        self.registrar(aplicacion)
        return aplicacion

    def ajustar_redondeo(self, *, fecha: date, contexto: Contexto) -> Aplicacion | None:
        """Write off what a last deduction left unpaid when it is at most AJUSTE_MAXIMO (docs/reglas.md §5):
        the loan settles as of `fecha` and nobody is told a centavo is missing. No money comes in: the
        ledger books it as an "Ajuste por redondeo", allocated like a payment of what was owed.

        Only when the schedule's last installment is the one left unpaid and it is already due."""
        if self.liquidado:
            return None
        if self._por_restaurar is not None and fecha <= self._restaurada_hasta:
            return None  # the last installment is among those a partial restore left stored: due after `fecha`
        self.completar()
        sin_pagar = self.vencidas_sin_pagar(fecha)
        if [c.numero for c in sin_pagar] != [self._cuotas[-1].numero]:
            return None
        falta = self.liquidacion(fecha, contexto)
        if not CERO < falta <= AJUSTE_MAXIMO:
            return None
        aplicacion = self.aplicar(fecha_valor=fecha, importe=falta, contexto=contexto)
        assert aplicacion.liquida, "una liquidación exacta liquida el préstamo"
        return aplicacion

    def condonar(self, *, fecha: date, contexto: Contexto) -> Aplicacion | None:
        """Waive every moratorio owed at `fecha` (docs/reglas.md §9): recorded like a payment of them,
        but no money came in. Moratorios on what stays unpaid accrue again from `fecha`."""
        partes = []
        for cuota in self.vencidas_sin_pagar(fecha):
            cargado = self._moratorio_por_cargar(cuota, fecha, contexto)
            pendiente = cuota.moratorio_cargado + cargado - cuota.pagado_moratorio
            if pendiente > 0:
                hasta = fecha if self.es_omitida(cuota, fecha, contexto) else cuota.devengado_hasta
                partes.append(AplicacionCuota(cuota.numero, cargado, pendiente, CERO, CERO, devengado_hasta=hasta))
        if not partes:
            return None
        aplicacion = Aplicacion(
            fecha_valor=fecha, importe=sum((p.moratorio for p in partes), CERO), cuotas=tuple(partes)
        )
        self.registrar(aplicacion)
        return aplicacion

    def devolver(self, *, fecha: date, importe: Decimal) -> Aplicacion:
        """Pay saldo a favor back to the borrower (a refund by SPEI, docs/reglas.md §9)."""
        if not 0 < importe <= self.excedentes:
            raise ValueError("Sólo se devuelve el saldo a favor que existe.")
        aplicacion = Aplicacion(fecha_valor=fecha, importe=importe, devuelto=importe)
        self.registrar(aplicacion)
        return aplicacion

    def abrir(self, *, periodos_pagados: int) -> Aplicacion | None:
        """The opening entry of a loaded loan: its first installments, paid in full before the load."""
        if periodos_pagados <= 0:
            return None
        self.completar()
        pagadas = self.cuotas[:periodos_pagados]
        partes = tuple(AplicacionCuota(c.numero, CERO, CERO, c.interes, c.capital, None) for c in pagadas)
        aplicacion = Aplicacion(
            fecha_valor=pagadas[-1].vencimiento,
            importe=sum((c.monto for c in pagadas), CERO),
            cuotas=partes,
        )
        self.registrar(aplicacion)
        return aplicacion

    def registrar(self, aplicacion: Aplicacion) -> None:
        """Book an allocation already decided (a new one, or one replayed from the ledger)."""
        for parte in aplicacion.cuotas:
            cuota = self.cuota_por_numero(parte.numero)
            cuota.moratorio_cargado += parte.moratorio_cargado
            cuota.pagado_moratorio += parte.moratorio
            cuota.pagado_interes += parte.interes
            cuota.pagado_capital += parte.capital
            self.capital_pagado += parte.capital
            if parte.devengado_hasta and (cuota.devengado_hasta is None or parte.devengado_hasta > cuota.devengado_hasta):
                cuota.devengado_hasta = parte.devengado_hasta
        for numero, importe in aplicacion.moratorio_devuelto:
            cuota = self.cuota_por_numero(numero)
            cuota.pagado_moratorio -= importe
            cuota.moratorio_cargado -= importe
        self.excedentes += aplicacion.excedente - aplicacion.devuelto - aplicacion.de_saldo
        if aplicacion.devuelto or aplicacion.moratorio_devuelto:
            return  # money sent back out: nothing of the schedule changes, nor the last value date
        if self.ultima_fecha_valor is None or aplicacion.fecha_valor > self.ultima_fecha_valor:
            self.ultima_fecha_valor = aplicacion.fecha_valor
        if aplicacion.abono_capital:
            self.capital_pagado += aplicacion.abono_capital
            self.abonos.append((aplicacion.fecha_valor, aplicacion.abono_capital))
            self._reproyectar()
        if aplicacion.liquida:
            self.fecha_liquidacion = aplicacion.fecha_valor

    def _reproyectar(self) -> None:
        """After an abono a capital: same cuota on the lower balance, so the untouched tail shortens.

        Money only ever reaches installments already due, oldest first, so the touched installments are
        a prefix of the schedule and the untouched tail can be projected again from what remains.
        """
        self.completar()
        inicio = next((i for i, c in enumerate(self.cuotas) if not c.tocada), len(self.cuotas))
        self.pagadas_al_inicio = min(self.pagadas_al_inicio, inicio)
        pendiente_previo = sum((c.pendiente_capital for c in self.cuotas[:inicio]), CERO)
        saldo = self.capital_insoluto - pendiente_previo
        if inicio == len(self.cuotas):
            return
        primera = self.cuotas[inicio]
        resto = proyectar(
            saldo=saldo,
            tasa_anual=self.condiciones.tasa_anual,
            cuota=self.condiciones.cuota,
            primer_periodo=primera.periodo,
            primer_numero=primera.numero,
            ultimo_numero=self.condiciones.plazo,
        )
        self._cuotas[inicio:] = [Cuota(r.numero, r.periodo, r.interes, r.capital) for r in resto]


def _vencimiento_de(cuota: Cuota) -> date:
    return cuota.vencimiento
