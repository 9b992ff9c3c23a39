"""Loan mathematics: quincena calendar, amortization, moratorios, formatting (docs/reglas.md §4–§6).

Pure functions of Decimal and date, with no Django imports, so every rule of money lives in one place
that can be tested on its own. Money is Decimal and is rounded only through `round2`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

CENTAVO = Decimal("0.01")
QUINCENAS_POR_ANIO = 24
DIAS_POR_ANIO = 360  # interest between dates counts actual days / 360 (docs/reglas.md §4)


def round2(valor: Decimal) -> Decimal:
    """Round to centavos, half up: the only rounding rule for money in the project."""
    if type(valor) is Decimal:  # nearly every call, and pages format hundreds of amounts
        return valor.quantize(CENTAVO, rounding=ROUND_HALF_UP)
    # A float has already lost centavos (0.1 + 0.2 != 0.3), so it is refused rather than "fixed".
    if isinstance(valor, float) or isinstance(valor, bool) or not isinstance(valor, (Decimal, int)):
        raise TypeError(f"round2 requiere Decimal, no {type(valor).__name__}")
    return Decimal(valor).quantize(CENTAVO, rounding=ROUND_HALF_UP)


# --- Quincenas ----------------------------------------------------------------------------------------

_CODIGO_QUINCENA = re.compile(r"([0-9]{4})-Q([0-9]{2})")


@dataclass(frozen=True, order=True)
class Quincena:
    """A half-month payroll period, `AAAA-Qnn`: Q(2m-1) is days 1–15 of month m, Q(2m) the rest."""

    anio: int
    numero: int

    def __post_init__(self) -> None:
        if not 1 <= self.numero <= QUINCENAS_POR_ANIO:
            raise ValueError(f"El número de quincena debe estar entre 1 y 24, no {self.numero}.")
        if not 1 <= self.anio <= 9999:
            raise ValueError(f"Año de quincena fuera de rango: {self.anio}.")

    @classmethod
    def parse(cls, codigo: str | Quincena) -> Quincena:
        """Read `AAAA-Qnn` strictly: codes come from employer files and must not be guessed at."""
        if isinstance(codigo, cls):
            return codigo  # already read (a model field gives Quincena values)
        if cls is Quincena and isinstance(codigo, str):
            return _parse(codigo)  # a remesa parses the same code a million times
        return cls._parse(codigo)

    @classmethod
    def _parse(cls, codigo: str) -> Quincena:
        coincidencia = _CODIGO_QUINCENA.fullmatch(codigo.strip()) if isinstance(codigo, str) else None
        if coincidencia is None:
            raise ValueError(f"Quincena inválida: {codigo!r}; el formato es AAAA-Qnn, p. ej. 2026-Q12.")
        return cls(anio=int(coincidencia[1]), numero=int(coincidencia[2]))

    @classmethod
    def de_fecha(cls, d: date) -> Quincena:
        """The quincena that contains day `d`."""
        return cls(anio=d.year, numero=2 * (d.month - 1) + (1 if d.day <= 15 else 2))

    def __str__(self) -> str:
        return f"{self.anio:04d}-Q{self.numero:02d}"

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

    @cached_property
    def descripcion(self) -> str:
        return f"{self} ({formato_fecha(self.inicio)} – {formato_fecha(self.vencimiento)})"

    def _indice(self) -> int:
        # Quincenas counted from year 0, so arithmetic across years is plain integer arithmetic.
        return self.anio * QUINCENAS_POR_ANIO + self.numero - 1

    def __add__(self, n: int) -> Quincena:
        if isinstance(n, bool) or not isinstance(n, int):
            return NotImplemented
        anio, resto = divmod(self._indice() + n, QUINCENAS_POR_ANIO)
        return Quincena(anio=anio, numero=resto + 1)

    def __sub__(self, otro: int | Quincena) -> Quincena | int:
        if isinstance(otro, Quincena):
            return self._indice() - otro._indice()
        if isinstance(otro, bool) or not isinstance(otro, int):
            return NotImplemented
        return self + (-otro)


def periodo(codigo) -> Quincena:
    """The payroll period a code names (`AAAA-Qnn`), strictly; ValueError with a Spanish message otherwise."""
    return Quincena.parse(codigo)


@lru_cache(maxsize=4096)
def _parse(codigo: str) -> Quincena:
    # Errors are not cached (lru_cache does not keep exceptions), so a bad code always raises.
    return Quincena._parse(codigo)


# --- Amortization -------------------------------------------------------------------------------------


def tasa_quincenal(tasa_anual: Decimal) -> Decimal:
    """Per-quincena rate from an annual percentage (11.50 → 0.0047916…); unrounded, as the formula needs."""
    if not isinstance(tasa_anual, (Decimal, int)) or isinstance(tasa_anual, bool):
        raise TypeError(f"La tasa debe ser Decimal, no {type(tasa_anual).__name__}")
    return Decimal(tasa_anual) / 100 / QUINCENAS_POR_ANIO


def cuota_fija(*, principal: Decimal, tasa_anual: Decimal, plazo: int) -> Decimal:
    """Level (French) installment per quincena, so every deduction is the same amount."""
    if plazo < 1:
        raise ValueError(f"El plazo debe ser de al menos una quincena, no {plazo}.")
    i = tasa_quincenal(tasa_anual)
    if i == 0:
        return round2(principal / plazo)
    return round2(principal * i / (1 - (1 + i) ** -plazo))


@dataclass(frozen=True)
class Renglon:
    """One installment of an amortization table."""

    numero: int
    quincena: Quincena
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
    primera_quincena: Quincena,
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
    i = tasa_quincenal(tasa_anual)
    renglones: list[Renglon] = []
    numero = primer_numero
    while saldo > 0:
        interes = round2(saldo * i)
        quincena = primera_quincena + (numero - primer_numero)
        ultimo = numero == ultimo_numero or saldo + interes <= cuota
        pago = saldo + interes if ultimo else cuota
        capital = pago - interes
        renglones.append(
            Renglon(
                numero=numero,
                quincena=quincena,
                vencimiento=quincena.vencimiento,
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
    *, principal: Decimal, tasa_anual: Decimal, plazo: int, primera_quincena: Quincena
) -> list[Renglon]:
    """The schedule agreed at origination."""
    if isinstance(principal, Decimal) and isinstance(tasa_anual, Decimal) and isinstance(plazo, int):
        # Replaying a loan's ledger starts from its schedule, and many loans share their terms. Keyed by
        # the amounts' text, not their value, so 30000 and 30000.00 keep their own (equal) tables.
        return list(_tabla(str(principal), str(tasa_anual), plazo, primera_quincena))
    return _tabla_de(principal, tasa_anual, plazo, primera_quincena)


@lru_cache(maxsize=1024)
def _tabla(principal: str, tasa_anual: str, plazo: int, primera_quincena: Quincena) -> tuple[Renglon, ...]:
    return tuple(_tabla_de(Decimal(principal), Decimal(tasa_anual), plazo, primera_quincena))


def _tabla_de(principal, tasa_anual, plazo: int, primera_quincena: Quincena) -> list[Renglon]:
    return proyectar(
        saldo=principal,
        tasa_anual=tasa_anual,
        cuota=cuota_fija(principal=principal, tasa_anual=tasa_anual, plazo=plazo),
        primera_quincena=primera_quincena,
        primer_numero=1,
        ultimo_numero=plazo,
    )


# --- Interest between dates ---------------------------------------------------------------------------


def moratorio(*, importe_vencido: Decimal, tasa_anual: Decimal, factor: Decimal, dias: int) -> Decimal:
    """Late interest on an unpaid amount: tasa_moratoria = tasa_anual × factor, actual days / 360."""
    if dias <= 0:
        return round2(Decimal(0))
    tasa_moratoria = tasa_anual / 100 * factor
    return round2(importe_vencido * tasa_moratoria * dias / DIAS_POR_ANIO)


def interes_devengado(*, capital: Decimal, tasa_anual: Decimal, desde: date, hasta: date) -> Decimal:
    """Ordinary interest accrued between two dates, for a payoff between due dates (docs/reglas.md §5)."""
    dias = (hasta - desde).days
    if dias <= 0:
        return round2(Decimal(0))
    return round2(capital * tasa_anual / 100 * dias / DIAS_POR_ANIO)


# --- Formatting (templates and PDFs use these so amounts and dates look the same everywhere) -----------


def formato_moneda(importe: Decimal) -> str:
    """Mexican peso format: "$30,000.00", "-$1,234.56"."""
    valor = round2(importe)
    signo = "-" if valor < 0 else ""
    return f"{signo}${abs(valor):,.2f}"


def formato_fecha(d: date) -> str:
    """dd/mm/aaaa, as dates are written in Mexico."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
