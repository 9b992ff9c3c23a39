"""Template filters for money and dates in the es-MX form of docs/reglas.md §2 ($30,000.00, 30/06/2026)."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from oficina.formatos import formato_fecha, formato_moneda
from oficina.rutas import ruta as _ruta
from prestamos.calculo import Periodo

register = template.Library()


@register.simple_tag(name="ruta")
def ruta(nombre: str, *args) -> str:
    """`{% url %}` for positional arguments, remembered per process (oficina/rutas.py); escaped like it."""
    return _ruta(nombre, *args)


@register.filter
def moneda(valor) -> str:
    if valor is None or valor == "":
        return ""
    return formato_moneda(valor if isinstance(valor, Decimal) else Decimal(str(valor)))


@register.filter
def fecha(valor) -> str:
    if not valor:
        return ""
    if isinstance(valor, datetime):
        valor = timezone.localtime(valor).date() if timezone.is_aware(valor) else valor.date()
    return formato_fecha(valor) if isinstance(valor, date) else str(valor)


@register.filter
def periodo(valor) -> str:
    """A payroll period in words ("1ª quincena de julio de 2026", "junio de 2026"; docs/reglas.md §14), from a
    period or its code; the code is for staff and files only."""
    if not valor:
        return ""
    try:
        return Periodo.parse(valor).en_palabras
    except ValueError:
        return str(valor)


@register.filter
def tasa(valor) -> str:
    return f"{valor:.2f} % anual"
