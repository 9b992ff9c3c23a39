from django import forms

from fopi.models import Fopi
from oficina.campos import ImporteField


class FopiForm(forms.Form):
    """docs/reglas.md §2: posts `prestamo` (folio), `tipo` and, for PARCIAL, `importe`."""

    prestamo = forms.ChoiceField(label="Préstamo (folio)")
    tipo = forms.ChoiceField(label="Tipo de pago", choices=Fopi.Tipo.choices, widget=forms.RadioSelect)
    importe = ImporteField(
        label="Importe del pago parcial",
        required=False,
        help_text="Sólo para pago parcial: mínimo $100.00; p. ej. 1500, 1,500.00 o $1,500.50.",
    )

    # docs/reglas.md §10: a REGULARIZACION may also cover the installments still awaiting their remesa.
    incluir_pendientes = forms.BooleanField(
        label="Regularización: incluir también las quincenas vencidas en espera de remesa",
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    def __init__(self, *args, prestamos=(), tipos: dict[str, tuple[str, ...]] | None = None, con_en_espera: bool = True,
                 **kwargs):
        """`tipos`: the FOPI types each loan (by folio) can be paid with (fopi.selectors.tipos_para); only
        those are offered, so nobody is offered "Regularización" with nothing missing. None offers all.
        `con_en_espera`: some loan has installments awaiting their remesa; otherwise the box is not shown."""
        super().__init__(*args, **kwargs)
        if not con_en_espera:
            del self.fields["incluir_pendientes"]
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
        if datos.get("tipo") != Fopi.Tipo.REGULARIZACION or "incluir_pendientes" not in self.fields:
            datos["incluir_pendientes"] = False
        return datos
