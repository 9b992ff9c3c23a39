"""Loan mathematics: quincena calendar, amortization, moratorios (docs/reglas.md §4–§6).

Pure functions of Decimal and date, with no Django imports, so every rule of money lives in one place
that can be tested on its own. Money is Decimal and is rounded only through `round2`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import ClassVar

from oficina.dinero import round2
from oficina.formatos import nombre_mes

QUINCENAS_POR_ANIO = 24
DIAS_POR_ANIO = 360  # interest between dates counts actual days / 360 (docs/reglas.md §4)


# --- Payroll periods: quincenas and months ---------------------------------------------------------------
#
# A loan is repaid once per period of its payroll: a quincena for active workers, a month for pensioners
# (docs/reglas.md §4, §12). Both are one value object, `Periodo`, whose kind (the subclass) carries everything
# that differs: periods per year, the code letter, where a period starts and falls due, and the words the
# pages use. Nothing else in the code asks which kind it holds.

@dataclass(frozen=True)
class Palabras:
    """The words a borrower reads for one kind of period (docs/reglas.md §14): the one source pages, PDFs and
    e-mails take them from, so a pensioner's page cannot speak of quincenas or of a dependencia."""

    nombre: str  # "quincena", "mes"
    plural: str  # "quincenas", "meses"
    encabezado: str  # a table column: "Quincena", "Mes"
    la: str  # "la quincena", "el mes"
    de_la: str  # "de la quincena", "del mes"
    las: str  # "las quincenas", "los meses"
    esta: str  # "Esta quincena", "Este mes"
    estas: str  # "Estas quincenas", "Estos meses"
    sin_descuento: str  # "Quincenas sin descuento", "Meses sin descuento"
    en_espera: str  # "quincenas en espera de remesa", "meses en espera de remesa"
    pagador: str  # who deducts: "tu dependencia", "tu nómina de pensiones"
    descuento: str  # "tu descuento vía nómina", "tu descuento mensual"
    descuentos: str  # "tus descuentos vía nómina", "tus descuentos mensuales"
    talon: str  # the document showing the deduction: "tu talón de pago", "tu comprobante de pago de pensión"

    @property
    def Pagador(self) -> str:  # noqa: N802 (read in templates as {{ palabras.Pagador }})
        return self.pagador[:1].upper() + self.pagador[1:]


PALABRAS_QUINCENA = Palabras(
    nombre="quincena", plural="quincenas", encabezado="Quincena", la="la quincena", de_la="de la quincena",
    las="las quincenas",
    esta="Esta quincena", estas="Estas quincenas", sin_descuento="Quincenas sin descuento",
    en_espera="quincenas en espera de remesa", pagador="tu dependencia", descuento="tu descuento vía nómina",
    descuentos="tus descuentos vía nómina", talon="tu talón de pago",
)
PALABRAS_MES = Palabras(
    nombre="mes", plural="meses", encabezado="Mes", la="el mes", de_la="del mes", las="los meses", esta="Este mes", estas="Estos meses",
    sin_descuento="Meses sin descuento", en_espera="meses en espera de remesa", pagador="tu nómina de pensiones",
    descuento="tu descuento mensual", descuentos="tus descuentos mensuales",
    talon="tu comprobante de pago de pensión",
)


_CODIGO_PERIODO = re.compile(r"([0-9]{4})-([QM])([0-9]{2})")


@dataclass(frozen=True, order=True)
class Periodo:
    """A payroll period `AAAA-Xnn`; ordered within a kind (comparing a quincena with a month is an error)."""

    anio: int
    numero: int

    POR_ANIO: ClassVar[int] = 0
    LETRA: ClassVar[str] = ""
    NOMBRE: ClassVar[str] = ""  # "quincena", "mes"
    PLURAL: ClassVar[str] = ""
    ADJETIVO: ClassVar[str] = ""  # "descuento quincenal", "descuento mensual"
    ARTICULO: ClassVar[str] = ""  # "la quincena", "el mes"
    PAGADOS: ClassVar[str] = ""  # "quincenas pagadas", "meses pagados"
    INVALIDO: ClassVar[str] = "Periodo inválido"
    PALABRAS: ClassVar[Palabras]

    def __post_init__(self) -> None:
        if not 1 <= self.numero <= self.POR_ANIO:
            raise ValueError(f"El número de {self.NOMBRE} debe estar entre 1 y {self.POR_ANIO}, no {self.numero}.")
        if not 1 <= self.anio <= 9999:
            raise ValueError(f"Año de {self.NOMBRE} fuera de rango: {self.anio}.")

    @classmethod
    def parse(cls, codigo) -> Periodo:
        """Read a code strictly: codes come from employer files and must not be guessed at. `Periodo.parse`
        reads either kind; `Quincena.parse` and `Mes.parse` only their own."""
        if isinstance(codigo, Periodo):
            if cls is not Periodo and not isinstance(codigo, cls):
                raise ValueError(f"Se esperaba {cls.NOMBRE}, no {codigo.NOMBRE}: {codigo}.")
            return codigo  # already read (a model field gives Periodo values)
        periodo = _parse(codigo) if isinstance(codigo, str) else None  # a remesa parses one code a million times
        if periodo is None:
            ejemplo = "2026-Q12 o 2026-M06" if cls is Periodo else str(cls(2026, min(12, cls.POR_ANIO)))
            raise ValueError(f"{cls.INVALIDO}: {codigo!r}; el formato es {cls._formato()}, p. ej. {ejemplo}.")
        if cls is not Periodo and not isinstance(periodo, cls):
            raise ValueError(f"Se esperaba {cls.NOMBRE} ({cls._formato()}), no {periodo.NOMBRE}: {periodo}.")
        return periodo

    @classmethod
    def _formato(cls) -> str:
        return "AAAA-Qnn o AAAA-Mnn" if cls is Periodo else f"AAAA-{cls.LETRA}nn"

    def __str__(self) -> str:
        return f"{self.anio:04d}-{self.LETRA}{self.numero:02d}"

    def _indice(self) -> int:
        # Periods counted from year 0, so arithmetic across years is plain integer arithmetic.
        return self.anio * self.POR_ANIO + self.numero - 1

    def __add__(self, n: int) -> Periodo:
        if isinstance(n, bool) or not isinstance(n, int):
            return NotImplemented
        anio, resto = divmod(self._indice() + n, self.POR_ANIO)
        return type(self)(anio=anio, numero=resto + 1)

    def __sub__(self, otro):
        if isinstance(otro, Periodo):
            if type(otro) is not type(self):
                raise TypeError(f"No se restan {self.PLURAL} y {otro.PLURAL}.")
            return self._indice() - otro._indice()
        if isinstance(otro, bool) or not isinstance(otro, int):
            return NotImplemented
        return self + (-otro)

    @cached_property
    def en_palabras(self) -> str:
        """How people say it (docs/reglas.md §14): "1ª quincena de julio de 2026", "junio de 2026"."""
        raise NotImplementedError

    @cached_property
    def con_articulo(self) -> str:
        """Inside a sentence: "la 1ª quincena de julio de 2026", "junio de 2026"."""
        return self.en_palabras

    @cached_property
    def descripcion(self) -> str:
        """In words with its days where they help: "2ª quincena de junio de 2026, del 16 al 30 de junio"."""
        return self.en_palabras


@dataclass(frozen=True, order=True)
class Quincena(Periodo):
    """A half-month payroll period, `AAAA-Qnn`: Q(2m-1) is days 1–15 of month m, Q(2m) the rest."""

    POR_ANIO: ClassVar[int] = QUINCENAS_POR_ANIO
    LETRA: ClassVar[str] = "Q"
    NOMBRE: ClassVar[str] = "quincena"
    PLURAL: ClassVar[str] = "quincenas"
    ADJETIVO: ClassVar[str] = "descuento quincenal"
    ARTICULO: ClassVar[str] = "la"
    PAGADOS: ClassVar[str] = "quincenas pagadas"
    INVALIDO: ClassVar[str] = "Quincena inválida"
    PALABRAS: ClassVar[Palabras] = PALABRAS_QUINCENA

    @cached_property
    def en_palabras(self) -> str:
        return f"{'1ª' if self.numero % 2 else '2ª'} quincena de {nombre_mes(self._mes)} de {self.anio}"

    @cached_property
    def con_articulo(self) -> str:
        return f"la {self.en_palabras}"

    @cached_property
    def descripcion(self) -> str:
        return (f"{self.en_palabras}, del {self.inicio.day} al {self.vencimiento.day} de "
                f"{nombre_mes(self._mes)}")

    @classmethod
    def de_fecha(cls, d: date) -> Quincena:
        """The quincena that contains day `d`."""
        return cls(anio=d.year, numero=2 * (d.month - 1) + (1 if d.day <= 15 else 2))

    @property
    def _mes(self) -> int:
        return (self.numero + 1) // 2

    # Cached on the instance (a frozen dataclass's fields never change): the statement page and the
    # engine read them for every installment, and instances are shared through the caches below.
    @cached_property
    def inicio(self) -> date:
        return date(self.anio, self._mes, 1 if self.numero % 2 else 16)

    @cached_property
    def vencimiento(self) -> date:
        """Due date: day 15, or the last day of the month for the second quincena."""
        if self.numero % 2:
            return date(self.anio, self._mes, 15)
        return date(self.anio, self._mes, calendar.monthrange(self.anio, self._mes)[1])


@dataclass(frozen=True, order=True)
class Mes(Periodo):
    """A month of the pension payroll, `AAAA-Mnn`: the whole month, due on its last day."""

    POR_ANIO: ClassVar[int] = 12
    LETRA: ClassVar[str] = "M"
    NOMBRE: ClassVar[str] = "mes"
    PLURAL: ClassVar[str] = "meses"
    ADJETIVO: ClassVar[str] = "descuento mensual"
    ARTICULO: ClassVar[str] = "el"
    PAGADOS: ClassVar[str] = "meses pagados"
    INVALIDO: ClassVar[str] = "Mes inválido"
    PALABRAS: ClassVar[Palabras] = PALABRAS_MES

    @cached_property
    def en_palabras(self) -> str:
        return f"{nombre_mes(self.numero)} de {self.anio}"

    @classmethod
    def de_fecha(cls, d: date) -> Mes:
        return cls(anio=d.year, numero=d.month)

    @cached_property
    def inicio(self) -> date:
        return date(self.anio, self.numero, 1)

    @cached_property
    def vencimiento(self) -> date:
        return date(self.anio, self.numero, calendar.monthrange(self.anio, self.numero)[1])


_KINDS = {"Q": Quincena, "M": Mes}


def periodos_en_palabras(periodos) -> str:
    """A list of periods as one phrase (docs/reglas.md §14): "1ª quincena de mayo de 2026 y 2ª quincena de mayo de
    2026"; a run of three or more consecutive ones as its ends: "de mayo de 2026 a julio de 2026 (3 meses)"."""
    lista = sorted(periodos)
    if not lista:
        return ""
    if len(lista) <= 2:
        return " y ".join(p.en_palabras for p in lista)
    if lista[-1] - lista[0] == len(lista) - 1:
        return f"de {lista[0].con_articulo} a {lista[-1].con_articulo} ({len(lista)} {lista[0].PALABRAS.plural})"
    return ", ".join(p.en_palabras for p in lista[:-1]) + f" y {lista[-1].en_palabras}"


def periodo(codigo) -> Periodo:
    """The payroll period a code names (`AAAA-Qnn` or `AAAA-Mnn`), strictly; ValueError in Spanish otherwise."""
    return Periodo.parse(codigo)


@lru_cache(maxsize=4096)
def _parse(codigo: str) -> Periodo | None:
    coincidencia = _CODIGO_PERIODO.fullmatch(codigo.strip())
    if coincidencia is None:
        return None
    return _KINDS[coincidencia[2]](anio=int(coincidencia[1]), numero=int(coincidencia[3]))


# --- Amortization -------------------------------------------------------------------------------------


def tasa_periodica(tasa_anual: Decimal, por_anio: int = QUINCENAS_POR_ANIO) -> Decimal:
    """Per-period rate from an annual percentage (11.50 / 24 → 0.0047916…), for the cuota's formula only.

    It is a 28-digit approximation of a repeating decimal, slightly below the true rate: an installment's
    interest is computed by `interes_del_periodo`, never as saldo × this rate.
    """
    if not isinstance(tasa_anual, (Decimal, int)) or isinstance(tasa_anual, bool):
        raise TypeError(f"La tasa debe ser Decimal, no {type(tasa_anual).__name__}")
    return Decimal(tasa_anual) / 100 / por_anio


def interes_del_periodo(saldo: Decimal, tasa_anual: Decimal, por_anio: int = QUINCENAS_POR_ANIO) -> Decimal:
    """An installment's interest: saldo × tasa_anual / (100 × periods), divided last, so an exact half
    centavo is exact and rounds up (docs/reglas.md §5: 4,500.00 at 5 % → 9.375 → 9.38, not 9.37)."""
    return round2(saldo * tasa_anual / (100 * por_anio))


def cuota_fija(*, principal: Decimal, tasa_anual: Decimal, plazo: int, por_anio: int = QUINCENAS_POR_ANIO) -> Decimal:
    """Level (French) installment per period, so every deduction is the same amount."""
    if plazo < 1:
        raise ValueError(f"El plazo debe ser de al menos un periodo, no {plazo}.")
    i = tasa_periodica(tasa_anual, por_anio)
    if i == 0:
        return round2(principal / plazo)
    return round2(principal * i / (1 - (1 + i) ** -plazo))


@dataclass(frozen=True)
class Renglon:
    """One installment of an amortization table."""

    numero: int
    periodo: Periodo
    vencimiento: date
    saldo_inicial: Decimal
    cuota: Decimal
    interes: Decimal
    capital: Decimal
    saldo_final: Decimal


def proyectar(
    *,
    saldo: Decimal,
    tasa_anual: Decimal,
    cuota: Decimal,
    primer_periodo: Periodo,
    primer_numero: int,
    ultimo_numero: int,
) -> list[Renglon]:
    """Remaining installments from `primer_numero` on, for a saldo that may have had extra capital paid.

    The cuota stays and the term shortens (docs/reglas.md §5); the last row absorbs all rounding so the capital
    column always adds up to the saldo exactly.
    """
    if saldo < 0:
        raise ValueError(f"El saldo no puede ser negativo: {saldo}.")
    if primer_numero > ultimo_numero and saldo > 0:
        raise ValueError(f"El primer renglón ({primer_numero}) es posterior al último ({ultimo_numero}).")
    por_anio = primer_periodo.POR_ANIO
    renglones: list[Renglon] = []
    numero = primer_numero
    while saldo > 0:
        interes = interes_del_periodo(saldo, tasa_anual, por_anio)
        periodo = primer_periodo + (numero - primer_numero)
        ultimo = numero == ultimo_numero or saldo + interes <= cuota
        pago = saldo + interes if ultimo else cuota
        capital = pago - interes
        renglones.append(
            Renglon(
                numero=numero,
                periodo=periodo,
                vencimiento=periodo.vencimiento,
                saldo_inicial=saldo,
                cuota=pago,
                interes=interes,
                capital=capital,
                saldo_final=saldo - capital,
            )
        )
        saldo -= capital
        numero += 1
    return renglones


def tabla_amortizacion(
    *, principal: Decimal, tasa_anual: Decimal, plazo: int, primer_periodo: Periodo
) -> list[Renglon]:
    """The schedule agreed at origination, one row per period of the first period's kind."""
    if isinstance(principal, Decimal) and isinstance(tasa_anual, Decimal) and isinstance(plazo, int):
        # Replaying a loan's ledger starts from its schedule, and many loans share their terms. Keyed by
        # the amounts' text, not their value, so 30000 and 30000.00 keep their own (equal) tables.
        return list(_tabla(str(principal), str(tasa_anual), plazo, primer_periodo))
    return _tabla_de(principal, tasa_anual, plazo, primer_periodo)


@lru_cache(maxsize=1024)
def _tabla(principal: str, tasa_anual: str, plazo: int, primer_periodo: Periodo) -> tuple[Renglon, ...]:
    return tuple(_tabla_de(Decimal(principal), Decimal(tasa_anual), plazo, primer_periodo))


def _tabla_de(principal, tasa_anual, plazo: int, primer_periodo: Periodo) -> list[Renglon]:
    return proyectar(
        saldo=principal,
        tasa_anual=tasa_anual,
        cuota=cuota_fija(principal=principal, tasa_anual=tasa_anual, plazo=plazo, por_anio=primer_periodo.POR_ANIO),
        primer_periodo=primer_periodo,
        primer_numero=1,
        ultimo_numero=plazo,
    )


# --- Interest between dates ---------------------------------------------------------------------------


def moratorio(*, importe_vencido: Decimal, tasa_anual: Decimal, factor: Decimal, dias: int) -> Decimal:
    """Late interest on an unpaid amount: tasa_moratoria = tasa_anual × factor, actual days / 360."""
    return moratorio_por_tramos(importe_vencido=importe_vencido, tasa_anual=tasa_anual, tramos=[(dias, factor)])


def moratorio_por_tramos(*, importe_vencido: Decimal, tasa_anual: Decimal, tramos) -> Decimal:
    """Late interest over consecutive stretches of days, each at the factor in force then (docs/reglas.md §6):
    `tramos` is [(días, factor), …]; the stretches are added unrounded and rounded once."""
    dias_por_factor = sum((Decimal(dias) * factor for dias, factor in tramos if dias > 0), Decimal(0))
    if dias_por_factor <= 0:
        return round2(Decimal(0))
    return round2(importe_vencido * tasa_anual * dias_por_factor / (100 * DIAS_POR_ANIO))


def interes_devengado(*, capital: Decimal, tasa_anual: Decimal, desde: date, hasta: date) -> Decimal:
    """Ordinary interest accrued between two dates, for a payoff between due dates (docs/reglas.md §5)."""
    dias = (hasta - desde).days
    if dias <= 0:
        return round2(Decimal(0))
    return round2(capital * tasa_anual / 100 * dias / DIAS_POR_ANIO)
