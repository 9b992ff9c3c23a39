"""Model fields for the loan domain's value objects, so they travel as objects, not strings."""

from django.core.exceptions import ValidationError
from django.db import models

from prestamos.calculo import periodo


class PeriodoField(models.CharField):
    """A payroll period (`AAAA-Qnn`) stored as its code, read back as a `Quincena`.

    Codes sort as dates within a kind (`primera_quincena__lte="2026-Q12"` works), and a lookup may be
    given the object or its code.
    """

    description = "Periodo de nómina (AAAA-Qnn)"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 8)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return None if value is None else periodo(value)

    def to_python(self, value):
        if value is None or value == "":
            return None if self.null else value
        try:
            return periodo(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def get_prep_value(self, value):
        return None if value is None else str(value)

    def value_to_string(self, obj):
        valor = self.value_from_object(obj)
        return "" if valor is None else str(valor)
