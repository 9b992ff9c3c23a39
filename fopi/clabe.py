"""CLABE, the 18-digit interbank account number SPEI transfers go to (docs/reglas.md §11).

Layout: 3-digit bank (646 = STP), 3-digit plaza (180), 11-digit account, 1 check digit. The account of a
FOPI is the 4-digit client prefix STP assigned us plus a 7-digit number unique to that FOPI, so every
FOPI has its own CLABE and a deposit names the FOPI it pays without a reference to type wrong.

`es_clabe_valida` is general (any bank's CLABE), so it also checks the CLABEs borrowers give for refunds.
Pure functions, no Django imports.
"""

from __future__ import annotations

import re

LONGITUD = 18
BANCO_STP = "646"
PLAZA_STP = "180"
PREFIJO_POR_OMISION = "2010"
# The 7 digits after the prefix: how many FOPIs one client prefix can give a CLABE to.
DIGITOS_NUMERO = 7
NUMERO_MAXIMO = 10**DIGITOS_NUMERO - 1
PESOS = (3, 7, 1)

# `[0-9]`, not `\d`: \d also matches Arabic-Indic and other scripts' digits, which int() would accept.
_DIGITOS = re.compile(r"[0-9]+")


def digito_verificador(digitos17: str) -> str:
    """Weights 3, 7, 1 repeating from the left, each product mod 10, summed; (10 − sum mod 10) mod 10."""
    if not isinstance(digitos17, str) or len(digitos17) != LONGITUD - 1 or _DIGITOS.fullmatch(digitos17) is None:
        raise ValueError(f"El dígito verificador de la CLABE se calcula sobre 17 dígitos: {digitos17!r}.")
    suma = sum(int(d) * PESOS[k % 3] % 10 for k, d in enumerate(digitos17))
    return str((10 - suma % 10) % 10)


def es_clabe_valida(texto: object) -> bool:
    """18 ASCII digits whose last one is the check digit of the other 17."""
    return (
        isinstance(texto, str)
        and len(texto) == LONGITUD
        and _DIGITOS.fullmatch(texto) is not None
        and texto[-1] == digito_verificador(texto[:-1])
    )


def clabe_para(numero: int, *, prefijo: str = PREFIJO_POR_OMISION) -> str:
    """The STP CLABE of FOPI number `numero` (1..9,999,999) under our 4-digit client prefix."""
    if isinstance(numero, bool) or not isinstance(numero, int) or not 0 < numero <= NUMERO_MAXIMO:
        raise ValueError(f"El número de la CLABE debe estar entre 1 y {NUMERO_MAXIMO:,}: {numero!r}.")
    if not isinstance(prefijo, str) or len(prefijo) != 4 or _DIGITOS.fullmatch(prefijo) is None:
        raise ValueError(f"El prefijo SPEI debe ser de 4 dígitos: {prefijo!r}.")
    cuerpo = f"{BANCO_STP}{PLAZA_STP}{prefijo}{numero:0{DIGITOS_NUMERO}d}"
    return cuerpo + digito_verificador(cuerpo)


def clabe_agrupada(clabe: str) -> tuple[str, ...]:
    """Bank, plaza, account and check digit: how a CLABE is read aloud and checked by eye."""
    return (clabe[:3], clabe[3:6], clabe[6:17], clabe[17:])
