"""When the dependencia stops deducting a paid-off loan (docs/reglas.md §9, aviso de suspensión de descuentos).

The rule: the first quincena not to deduct is the first one whose due date is after the fecha de
liquidación. A payoff settles everything not yet due, so the quincena that contains it is not deducted
— unless the payoff falls on that quincena's due date: payroll was paid that day, and a loan settled by
its last payroll deduction has exactly that date as its fecha de liquidación, so only the next quincena
is to stop. Any deduction taken after the payoff anyway is the borrower's saldo a favor.

Pure functions of dates, so the aviso, its PDF and the staff list agree by construction.
"""

from __future__ import annotations

from datetime import date

from prestamos.calculo import Periodo, Quincena

REGLA = (
    "Primera quincena sin descuento: la primera quincena cuyo vencimiento (día 15 o último día del mes) "
    "es posterior a la fecha de liquidación."
)


def primera_quincena_sin_descuento(fecha_liquidacion: date, clase: type[Periodo] = Quincena) -> Periodo:
    """The first period (of the loan's kind: a pensioner's loan counts months) not to deduct."""
    periodo = clase.de_fecha(fecha_liquidacion)
    return periodo if periodo.vencimiento > fecha_liquidacion else periodo + 1


def liquidaciones_para(quincena: Quincena) -> tuple[date, date]:
    """The payoff dates [desde, hasta) whose first quincena without deduction is `quincena`.

    The quincena before's due date up to the day before this one's: a range a database index can serve.
    """
    return (quincena + (-1)).vencimiento, quincena.vencimiento
