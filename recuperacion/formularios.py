"""Borrower forms of the section (field names are part of the contract, docs/reglas.md §2)."""

from django import forms


class SolicitudDevolucionForm(forms.Form):
    prestamo = forms.ChoiceField(label="Préstamo")
    clabe = forms.CharField(
        label="CLABE interbancaria (18 dígitos)",
        max_length=24,
        help_text="De una cuenta a tu nombre; la encuentras en tu estado de cuenta bancario o en la app de tu banco.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    titular = forms.CharField(label="Nombre del titular de la cuenta", max_length=120)

    def __init__(self, *args, prestamos, **kwargs):
        super().__init__(*args, **kwargs)
        self.vistas = {v.prestamo.folio: v for v in prestamos}
        self.fields["prestamo"].choices = [(folio, f"{folio}") for folio in self.vistas]
        self.vista = None

    def clean_prestamo(self):
        self.vista = self.vistas.get(self.cleaned_data["prestamo"])
        if self.vista is None:
            raise forms.ValidationError("Elige uno de tus préstamos con saldo a favor.")
        return self.cleaned_data["prestamo"]
