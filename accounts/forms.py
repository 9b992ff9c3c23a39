"""The registration fields allauth adds to its own signup form (ACCOUNT_SIGNUP_FORM_CLASS points here).

allauth imports this module while building its SignupForm, so this module cannot import allauth's forms
(an import cycle): the subclass of allauth's SignupForm that relabels its fields lives in
`accounts/formularios.py`.
"""

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from accounts import services
from oficina.identidad import validar_curp, validar_rfc


def mensaje_no_coincide() -> str:
    # One message whether the CURP is missing from the padrón or the RFC differs: the form must not tell
    # a stranger which CURPs are in the padrón.
    # The same words when the CURP's registration is closed by failed attempts: a stranger must not learn that
    # either, and its owner is sent to CAPP, who reopens it.
    # The CAPP's phone and e-mail as links (tel:, mailto:): on a phone, one tap calls.
    return format_html(
        "Los datos no coinciden con el padrón de derechohabientes. Revisa tu CURP y tu RFC con homoclave "
        "(como aparecen en tu talón de pago). Si son correctos, llama al CAPP: "
        '<a href="tel:{}">{}</a>, o escribe a <a href="mailto:{}">{}</a>. Por seguridad, tras '
        "{} intentos fallidos el registro de una CURP se cierra y sólo el CAPP puede reabrirlo.",
        settings.CAPP_TELEFONO_MARCAR, settings.CAPP_TELEFONO, settings.CAPP_CORREO, settings.CAPP_CORREO,
        services.INTENTOS_RFC_MAXIMOS,
    )


class RegistroForm(forms.Form):
    """Extra registration fields (docs/reglas.md §3): allauth adds user name, e-mail and the password twice.

    Order of the checks: the captcha first (while it is wrong nothing is said about the CURP and nothing is
    counted), then CURP and RFC against the padrón (each wrong RFC counts against the CURP), and only when both
    match whether the CURP already has an account.
    """

    field_order = ["curp", "rfc", "username", "email", "password1", "password2", "captcha"]

    curp = forms.CharField(
        label="CURP",
        max_length=40,
        help_text="Tus 18 caracteres, como aparecen en tu constancia de CURP.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    rfc = forms.CharField(
        label="RFC con homoclave",
        max_length=20,
        help_text="Tus 13 caracteres, como aparecen en tu talón de pago.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    captcha = CaptchaField(
        label="Código de seguridad",
        help_text="Escribe los caracteres que ves en la imagen.",
        error_messages={"invalid": "El código de seguridad no coincide; escribe el de la nueva imagen."},
    )

    def clean_curp(self) -> str:
        return validar_curp(self.cleaned_data["curp"])

    def clean_rfc(self) -> str:
        return validar_rfc(self.cleaned_data["rfc"])

    def clean(self):
        cleaned_data = super().clean()
        curp, rfc = cleaned_data.get("curp"), cleaned_data.get("rfc")
        if "captcha" in self.errors or not curp or not rfc:
            return cleaned_data
        derechohabiente = services.registro_comprobar(curp=curp, rfc=rfc).derechohabiente
        if derechohabiente is None:
            self.add_error(None, forms.ValidationError(mensaje_no_coincide(), code="no_coincide"))
        elif derechohabiente.usuario_id is not None:
            self.add_error(
                "curp",
                forms.ValidationError(
                    format_html(
                        "Ya existe una cuenta registrada con esta CURP. Si olvidaste tu contraseña, "
                        '<a href="{}">recupérala aquí</a>. Si tú no creaste esa cuenta, comunícate al CAPP '
                        "({}, {}) para recuperar tu CURP.",
                        reverse("account_reset_password"),
                        settings.CAPP_TELEFONO,
                        settings.CAPP_CORREO,
                    ),
                    code="ya_registrada",
                ),
            )
        return cleaned_data

    def signup(self, request, user) -> None:
        """Called by allauth once the user exists: bind the account to its padrón entry."""
        services.derechohabiente_vincular_usuario(
            curp=self.cleaned_data["curp"], rfc=self.cleaned_data["rfc"], usuario=user
        )
