"""How amounts and dates are written for people (docs/reglas.md §2): templates, PDFs, e-mails and the admin all
format through here, so they look the same everywhere. Pure functions, no Django.

The package is also the project's FORMAT_MODULE_PATH (settings): `es/formats.py` holds the date formats Django
uses ahead of its own locale files.
"""

from datetime import date
from decimal import Decimal

from oficina.dinero import round2


def formato_moneda(importe: Decimal) -> str:
    """Mexican peso format: "$30,000.00", "-$1,234.56"."""
    valor = round2(importe)
    signo = "-" if valor < 0 else ""
    return f"{signo}${abs(valor):,.2f}"


def formato_fecha(d: date) -> str:
    """dd/mm/aaaa, as dates are written in Mexico."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


MESES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
    "diciembre",
)


def nombre_mes(mes: int) -> str:
    """"junio" for 6: month names as Mexicans write them in a sentence (lower case)."""
    return MESES[mes - 1]
