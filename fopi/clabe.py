"""CLABE (the 18-digit Mexican interbank account number) check digit (docs/reglas.md §11). Pure."""

import re

PESOS = (3, 7, 1)
_CLABE = re.compile(r"[0-9]{18}")


def digito_verificador(diecisiete: str) -> str:
    """The 18th digit of a CLABE from its first 17: weights 3, 7, 1 from the left, each product mod 10."""
    if not re.fullmatch(r"[0-9]{17}", diecisiete):
        raise ValueError("Se esperan 17 dígitos.")
    suma = sum(int(d) * PESOS[k % 3] % 10 for k, d in enumerate(diecisiete))
    return str((10 - suma % 10) % 10)


def es_clabe_valida(texto: str) -> bool:
    return bool(_CLABE.fullmatch(texto)) and digito_verificador(texto[:17]) == texto[17]
