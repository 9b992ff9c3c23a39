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

    def __init__(self, *args, prestamos=(), tipos: dict[str, tuple[str, ...]] | None = None, **kwargs):
        """`tipos`: the FOPI types each loan (by folio) can be paid with (fopi.selectors.tipos_para); only
        those are offered, so nobody is offered "Regularización" with nothing missing. None offers all."""
        super().__init__(*args, **kwargs)
        self.fields["prestamo"].choices = [
            (p.folio, f"{p.folio} — {p.get_tipo_display()}") for p in prestamos
        ]
        self.fields["prestamo"].error_messages["invalid_choice"] = "Elige uno de tus préstamos vigentes."
        self.tipos = tipos
        campo = self.fields["tipo"]
        if tipos is not None:
            # Only what applies is shown; any type still validates, so that one that does not apply gets a
            # sentence saying why (clean) rather than "elige una opción válida".
            ofrecidos = {t for por_prestamo in tipos.values() for t in por_prestamo}
            campo.widget.choices = [(valor, texto) for valor, texto in Fopi.Tipo.choices if valor in ofrecidos]
        nombres = [str(texto).lower() for _, texto in campo.widget.choices]
        campo.error_messages["invalid_choice"] = f"Elige {' o '.join(nombres)}."
        if len(campo.widget.choices) == 1:
            self.initial.setdefault("tipo", campo.widget.choices[0][0])

    def clean_importe(self):
        # Python's Decimal reads other scripts' digits ("７０１"): amounts take ASCII digits only.
        crudo = (self.data.get("importe") or "").strip()
        if crudo and not re.fullmatch(r"[0-9]{1,10}(\.[0-9]{1,2})?", crudo):
            raise forms.ValidationError("Escribe el importe con números y punto decimal, p. ej. 1500.00.")
        return self.cleaned_data.get("importe")

    def clean(self):
        datos = super().clean()
        folio, tipo = datos.get("prestamo"), datos.get("tipo")
        if self.tipos is not None and folio in self.tipos and tipo and tipo not in self.tipos[folio]:
            if tipo == Fopi.Tipo.REGULARIZACION:
                self.add_error("tipo", f"Tu préstamo {folio} está al corriente: no tiene descuentos omitidos que regularizar.")
            elif tipo == Fopi.Tipo.PARCIAL:
                self.add_error("tipo", f"Tu préstamo {folio} está en cobranza: sólo puedes regularizarlo completo o liquidarlo.")
            else:
                self.add_error("tipo", "Ese tipo de pago no aplica a este préstamo.")
        if datos.get("tipo") == Fopi.Tipo.PARCIAL and datos.get("importe") is None and not self.has_error("importe"):
            self.add_error("importe", "Escribe el importe del pago parcial.")
        if datos.get("tipo") != Fopi.Tipo.PARCIAL:
            datos["importe"] = None
        if datos.get("tipo") != Fopi.Tipo.REGULARIZACION:
            datos["incluir_pendientes"] = False
        return datos
