import re
from decimal import Decimal

from django import forms

from fopi.models import Fopi


class FopiForm(forms.Form):
    """docs/reglas.md §2: posts `prestamo` (folio), `tipo` and, for PARCIAL, `importe`."""

    prestamo = forms.ChoiceField(label="Préstamo (folio)")
    tipo = forms.ChoiceField(label="Tipo de pago", choices=Fopi.Tipo.choices, widget=forms.RadioSelect)
    importe = forms.DecimalField(
        label="Importe del pago parcial",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Sólo para pago parcial: mínimo $100.00, con punto decimal (p. ej. 1500.00).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "Escribe el importe con números y punto decimal, p. ej. 1500.00.",
            "max_digits": "El importe es demasiado grande.",
            "max_decimal_places": "El importe admite hasta dos decimales.",
            "min_value": "El importe debe ser mayor que cero.",
        },
    )

    # docs/reglas.md §10: a REGULARIZACION may also cover the installments still awaiting their remesa.
    incluir_pendientes = forms.BooleanField(
        label="Regularización: incluir también las quincenas vencidas en espera de remesa",
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    def __init__(self, *args, prestamos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prestamo"].choices = [
            (p.folio, f"{p.folio} — {p.get_tipo_display()}") for p in prestamos
        ]
        self.fields["prestamo"].error_messages["invalid_choice"] = "Elige uno de tus préstamos vigentes."
        self.fields["tipo"].error_messages["invalid_choice"] = "Elige pago parcial, liquidación o regularización."

    def clean_importe(self):
        # Python's Decimal reads other scripts' digits ("７０１"): amounts take ASCII digits only.
        crudo = (self.data.get("importe") or "").strip()
        if crudo and not re.fullmatch(r"[0-9]{1,10}(\.[0-9]{1,2})?", crudo):
            raise forms.ValidationError("Escribe el importe con números y punto decimal, p. ej. 1500.00.")
        return self.cleaned_data.get("importe")

    def clean(self):
        datos = super().clean()
        if datos.get("tipo") == Fopi.Tipo.PARCIAL and datos.get("importe") is None and not self.has_error("importe"):
            self.add_error("importe", "Escribe el importe del pago parcial.")
        if datos.get("tipo") != Fopi.Tipo.PARCIAL:
            datos["importe"] = None
        if datos.get("tipo") != Fopi.Tipo.REGULARIZACION:
            datos["incluir_pendientes"] = False
        return datos
