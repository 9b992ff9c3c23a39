"""Bank reference of a FOPI: "base 97 con fecha e importe condensados" (docs/reglas.md §7).

Layout, 22 digits: BASE (11-digit loan folio + 3-digit FOPI sequence), FFFF (condensed vigencia),
I (amount digit), the constant 2, DD (check digits). The bank validates DD at the counter; we validate
it again on import, and compare FFFF and I with the FOPI we issued.
Pure functions, no Django imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from prestamos.calculo import Periodo, Quincena

LONGITUD = 22
CONSTANTE = "2"
ANIO_BASE = 2013
PESOS_IMPORTE = (7, 3, 1)
PESOS_VERIFICADOR = (11, 13, 17, 19, 23)
DIAS_MINIMOS_VIGENCIA = 3

_DIGITOS = re.compile(r"[0-9]+")


def _suma_ponderada(digitos: str, pesos: tuple[int, ...]) -> int:
    # Weights repeat starting from the rightmost digit.
    return sum(int(d) * pesos[k % len(pesos)] for k, d in enumerate(reversed(digitos)))


def fecha_condensada(d: date) -> str:
    """The vigencia in 4 digits: every month counts as 31 days and every year as 372."""
    valor = (d.year - ANIO_BASE) * 372 + (d.month - 1) * 31 + (d.day - 1)
    if not 0 <= valor <= 9999:
        raise ValueError(f"La fecha {d.isoformat()} no cabe en la fecha condensada (2013-01-01 a 2039-11-18).")
    return f"{valor:04d}"


def fecha_de_condensada(codigo: str) -> date:
    """Inverse of `fecha_condensada`; not every code is a real day (e.g. 31 June)."""
    if _DIGITOS.fullmatch(codigo) is None or len(codigo) != 4:
        raise ValueError(f"Fecha condensada inválida: {codigo!r}.")
    anios, resto = divmod(int(codigo), 372)
    mes, dia = divmod(resto, 31)
    try:
        return date(ANIO_BASE + anios, mes + 1, dia + 1)
    except ValueError:
        raise ValueError(f"La fecha condensada {codigo} no corresponde a un día del calendario.") from None


def digito_importe(importe: Decimal) -> str:
    """One digit from the amount in centavos, so a payment of a different amount is noticed."""
    if not isinstance(importe, Decimal):
        raise TypeError(f"El importe debe ser Decimal, no {type(importe).__name__}")
    centavos = importe * 100
    if importe < 0 or centavos != centavos.to_integral_value():
        raise ValueError(f"Importe inválido para la referencia: {importe}.")
    return str(_suma_ponderada(str(int(centavos)), PESOS_IMPORTE) % 10)


def digitos_verificadores(cadena: str) -> str:
    """DD: weighted sum mod 97, plus one, two digits (01..97)."""
    if _DIGITOS.fullmatch(cadena) is None:
        raise ValueError(f"Solo se calculan dígitos verificadores sobre dígitos: {cadena!r}.")
    return f"{_suma_ponderada(cadena, PESOS_VERIFICADOR) % 97 + 1:02d}"


def construir_referencia(*, folio: str, secuencia: int, vigencia: date, importe: Decimal) -> str:
    """The 22-digit reference printed on the FOPI and read back from the bank's payment file."""
    if _DIGITOS.fullmatch(folio) is None or len(folio) != 11:
        raise ValueError(f"El folio del préstamo debe tener 11 dígitos: {folio!r}.")
    if isinstance(secuencia, bool) or not isinstance(secuencia, int) or not 1 <= secuencia <= 999:
        raise ValueError(f"La secuencia del FOPI debe estar entre 1 y 999, no {secuencia!r}.")
    cuerpo = f"{folio}{secuencia:03d}{fecha_condensada(vigencia)}{digito_importe(importe)}{CONSTANTE}"
    return cuerpo + digitos_verificadores(cuerpo)


def referencia_valida(referencia: str) -> bool:
    """22 digits, the constant 2 in its place, and check digits that match."""
    if not isinstance(referencia, str) or len(referencia) != LONGITUD or _DIGITOS.fullmatch(referencia) is None:
        return False
    return referencia[19] == CONSTANTE and referencia[20:] == digitos_verificadores(referencia[:20])


@dataclass(frozen=True)
class ReferenciaDesarmada:
    folio: str
    secuencia: int
    fecha_condensada: str
    vigencia: date
    digito_importe: str


def desarmar_referencia(referencia: str) -> ReferenciaDesarmada:
    """Split a valid reference into its parts, to find the FOPI a bank payment belongs to."""
    if not referencia_valida(referencia):
        raise ValueError(f"Referencia inválida (formato o dígitos verificadores): {referencia!r}.")
    return ReferenciaDesarmada(
        folio=referencia[:11],
        secuencia=int(referencia[11:14]),
        fecha_condensada=referencia[14:18],
        vigencia=fecha_de_condensada(referencia[14:18]),
        digito_importe=referencia[18],
    )


def coincide(*, referencia: str, vigencia: date, importe: Decimal) -> bool:
    """Whether a valid reference carries this vigencia and this amount's digit."""
    return (
        referencia_valida(referencia)
        and referencia[14:18] == fecha_condensada(vigencia)
        and referencia[18] == digito_importe(importe)
    )


def referencia_en_grupos(referencia: str) -> tuple[str, ...]:
    """Groups of four digits, as the FOPI prints them: easier to read aloud or type into a bank's app."""
    return tuple(referencia[k : k + 4] for k in range(0, len(referencia), 4))


def vigencia_para(hoy: date, clase: type[Periodo] = Quincena) -> date:
    """Due date of the current period of the loan's kind (quincena or month), or of the next one when
    fewer than 3 days remain to pay (docs/reglas.md §7, §12)."""
    periodo = clase.de_fecha(hoy)
    if periodo.vencimiento - hoy < timedelta(days=DIAS_MINIMOS_VIGENCIA):
        periodo += 1
    return periodo.vencimiento
