"""Form fields shared by every page (docs/reglas.md §14): an amount as people in Mexico write it."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

# What people type: 3000 · 3000.5 · 3,000 · 3,000.00 · $3,000.00 · "$ 3,000.00 " — a comma only between
# groups of three digits, a dot for the centavos, ASCII digits only (Decimal would also read "７０１").
_IMPORTE = re.compile(r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")


def leer_importe(texto: str) -> Decimal | None:
    """The Decimal an amount as typed means, or None when it is not one (`$1,234.5` → 1234.50)."""
    limpio = re.sub(r"\s+", "", texto or "")
    coincide = _IMPORTE.fullmatch(limpio)
    if coincide is None:
        return None
    # Two decimals written out, not quantized: exact for any number of digits (no context can overflow).
    enteros, centavos = coincide[1].replace(",", ""), (coincide[2] or "").ljust(2, "0")
    return Decimal(f"{enteros}.{centavos}")


class ImporteField(forms.Field):
    """An amount in pesos: takes what people type and gives a Decimal with two decimals; anything else gets a
    message with an example of what is accepted."""

    default_error_messages = {
        "invalid": "Escribe el importe en pesos, p. ej. 3000, 3,000.00 o $3,000.50.",
        "min_value": "El importe debe ser mayor que cero.",
        "max_value": "El importe es demasiado grande.",
    }

    def __init__(self, *, minimo: Decimal = Decimal("0.01"), maximo: Decimal = Decimal("9999999999.99"), **kwargs):
        self.minimo, self.maximo = minimo, maximo
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        texto = str(value).strip() if value is not None else ""
        if not texto:
            return None
        if len(texto) > 40:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        importe = leer_importe(texto)
        if importe is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if importe < self.minimo:
            raise forms.ValidationError(self.error_messages["min_value"], code="min_value")
        if importe > self.maximo:
            raise forms.ValidationError(self.error_messages["max_value"], code="max_value")
        return importe
