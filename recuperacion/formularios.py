"""Borrower forms of the section (field names are part of the contract, docs/reglas.md §2)."""

from django import forms

from oficina.campos import ImporteField
from prestamos.calculo import Periodo, Quincena
from recuperacion import talones
from recuperacion.aclaraciones import quincenas_reclamables, verificar_cfdi
from recuperacion.cfdi import TAMANIO_MAXIMO


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


class AclaracionForm(forms.Form):
    """docs/reglas.md §10 and §15: `prestamo`, `quincena`, `importe`, `talon` and/or `cfdi`, `comentario`."""

    prestamo = forms.ChoiceField(label="Préstamo")
    quincena = forms.ChoiceField(label="Quincena del descuento", help_text="La que aparece en tu talón de pago.")
    importe = ImporteField(
        label="Importe que te descontaron",
        help_text="Como aparece en tu talón de pago; p. ej. 701.12 o $1,250.00.",
        error_messages={"required": "Escribe el importe que te descontaron."},
    )
    talon = forms.FileField(
        label="Talón de pago (PDF, JPEG o PNG, máximo 5 MB)",
        required=False,
        help_text="El talón o recibo de nómina de esa quincena donde se ve el descuento: el PDF que descargas de "
        "tu portal de nómina o una foto legible.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}),
        error_messages={"empty": talones.VACIO},
    )
    cfdi = forms.FileField(
        label="XML de tu recibo de nómina (CFDI, opcional)",
        required=False,
        help_text="El archivo .xml que descargas junto con el PDF de tu recibo. Si lo adjuntas, comprobamos su sello "
        "y, si tu dependencia no envió el descuento, resolvemos tu aclaración en ese momento.",
        widget=forms.FileInput(attrs={"accept": "application/xml,text/xml,.xml"}),
        error_messages={"empty": "El archivo XML está vacío."},
    )
    comentario = forms.CharField(
        label="Comentario (opcional)",
        required=False,
        max_length=2000,
        help_text="Lo que quieras que sepamos, p. ej. si tu dependencia te dio alguna explicación.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, prestamos, hoy, **kwargs):
        super().__init__(*args, **kwargs)
        self.prestamos = {p.folio: p for p in prestamos}
        self.fields["prestamo"].choices = [(p.folio, f"{p.folio} — {p.get_tipo_display()}") for p in prestamos]
        self.fields["prestamo"].error_messages["invalid_choice"] = "Elige uno de tus préstamos vigentes."
        # The periods of the kinds of her loans: quincenas, and months if she has a pensioner's loan.
        clases = sorted({type(p.primera_quincena) for p in prestamos}, key=lambda c: c.POR_ANIO, reverse=True) or [Quincena]
        self.fields["quincena"].choices = [
            (str(q), q.descripcion) for clase in clases for q in quincenas_reclamables(hoy, clase)
        ]
        # A pensioner's form speaks of months and of her pension (docs/reglas.md §14).
        palabras = clases[0].PALABRAS
        self.fields["quincena"].label = f"{palabras.encabezado} del descuento"
        self.fields["quincena"].help_text = f"{palabras.la.capitalize()} que aparece en {palabras.talon}."
        self.fields["quincena"].error_messages["invalid_choice"] = (
            "Elige una de las quincenas de la lista." if palabras.nombre == "quincena" else "Elige uno de los meses de la lista."
        )
        if palabras.nombre != "quincena":
            self.fields["talon"].help_text = (
                f"Tu comprobante de pago de pensión de ese {palabras.nombre} donde se ve el descuento: el PDF que "
                "descargas o una foto legible."
            )
            self.fields["comentario"].help_text = "Lo que quieras que sepamos, p. ej. si te dieron alguna explicación."
            if "cfdi" in self.fields:
                self.fields["cfdi"].help_text = self.fields["cfdi"].help_text.replace(
                    "tu dependencia", "tu nómina de pensiones"
                )

    def clean_prestamo(self):
        return self.prestamos[self.cleaned_data["prestamo"]]

    def clean_quincena(self):
        return Periodo.parse(self.cleaned_data["quincena"])

    def clean_talon(self):
        archivo = self.cleaned_data["talon"]
        return talones.leer_talon(archivo) if archivo else None

    def clean_cfdi(self):
        """docs/reglas.md §18: read at most the size limit (a larger file is refused before being read), then
        every offline check; a refusal says which one failed."""
        archivo = self.cleaned_data["cfdi"]
        if not archivo:
            return None
        if archivo.size > TAMANIO_MAXIMO:
            raise forms.ValidationError(
                f"El XML pesa más de {TAMANIO_MAXIMO // (1024 * 1024)} MB; un recibo de nómina pesa unos KB."
            )
        contenido = archivo.read(TAMANIO_MAXIMO + 1)
        return verificar_cfdi(contenido)

    def clean(self):
        datos = super().clean()
        if not self.errors and not datos.get("talon") and not datos.get("cfdi"):
            raise forms.ValidationError("Adjunta tu talón de pago (PDF o foto) o el XML de tu recibo de nómina.")
        return datos


# --- CAPP staff (admin) ------------------------------------------------------------------------------------


class ResolverAclaracionForm(forms.Form):
    dictamen = forms.ChoiceField(
        label="Dictamen",
        choices=[("PROCEDENTE", "Procedente: aplicar el descuento"), ("IMPROCEDENTE", "Improcedente")],
        widget=forms.RadioSelect,
        error_messages={"required": "Elige procedente o improcedente."},
    )
    importe = ImporteField(
        label="Importe a aplicar (si procede)",
        required=False,
        help_text="El que muestra el talón; se aplica con fecha valor del vencimiento de la quincena.",
    )
    respuesta = forms.CharField(
        label="Respuesta para el derechohabiente",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Obligatoria si es improcedente: por qué y qué puede hacer. Se envía por correo.",
    )

    def clean(self):
        datos = super().clean()
        if datos.get("dictamen") == "IMPROCEDENTE" and len(datos.get("respuesta", "").strip()) < 10:
            self.add_error("respuesta", "Escribe la respuesta: por qué no procede y qué puede hacer.")
        return datos
