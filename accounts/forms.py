from captcha.fields import CaptchaField
from django import forms
from django.urls import reverse
from django.utils.html import format_html

from accounts import services
from accounts.curp import validar_curp
from prestamos.models import Derechohabiente


class RegistroForm(forms.Form):
    """Extra registration fields (docs/reglas.md §3): allauth adds user name, e-mail and the password twice."""

    field_order = ["curp", "username", "email", "password1", "password2", "captcha"]

    curp = forms.CharField(
        label="CURP",
        max_length=40,
        help_text="Tus 18 caracteres, como aparecen en tu constancia de CURP.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    captcha = CaptchaField(
        label="Código de seguridad",
        help_text="Escribe los caracteres que ves en la imagen.",
        error_messages={"invalid": "El código de seguridad no coincide; escribe el de la nueva imagen."},
    )

    def clean_curp(self) -> str:
        curp = validar_curp(self.cleaned_data["curp"])
        derechohabiente = Derechohabiente.objects.filter(curp=curp).only("id", "usuario_id").first()
        if derechohabiente is None:
            raise forms.ValidationError(
                "Tu CURP no aparece en el padrón de derechohabientes con préstamo personal. "
                "Si crees que es un error, comunícate al CAPP.",
                code="fuera_de_padron",
            )
        if derechohabiente.usuario_id is not None:
            raise forms.ValidationError(
                format_html(
                    "Ya existe una cuenta registrada con esta CURP. Si olvidaste tu contraseña, "
                    '<a href="{}">recupérala aquí</a>.',
                    reverse("account_reset_password"),
                ),
                code="ya_registrada",
            )
        return curp

    def signup(self, request, user) -> None:
        """Called by allauth once the user exists: link the account to its padrón entry."""
        services.derechohabiente_vincular_usuario(curp=self.cleaned_data["curp"], usuario=user)
