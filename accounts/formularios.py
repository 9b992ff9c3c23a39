"""allauth's forms in the portal's words (ACCOUNT_FORMS points here); kept apart from `accounts/forms.py`, which
allauth imports while building its SignupForm (see there).

allauth's Spanish catalogue speaks "usted" and Title Case ("¿Ha olvidado su contraseña?", "Nueva contraseña (de
nuevo)"); the portal speaks "tú", in sentence case. Each subclass only relabels: what the forms check is
allauth's.
"""

from allauth.account.forms import (
    AddEmailForm,
    ChangePasswordForm,
    ConfirmEmailVerificationCodeForm,
    ConfirmLoginCodeForm,
    LoginForm,
    ReauthenticateForm,
    RequestLoginCodeForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SetPasswordForm,
    SignupForm,
)
from allauth.mfa.base.forms import AuthenticateForm as AuthenticateFormMFA
from allauth.mfa.base.forms import ReauthenticateForm as ReauthenticateFormMFA
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.functional import lazy
from django.utils.translation import gettext

CORREO_INVALIDO = "Escribe un correo electrónico válido, por ejemplo nombre@ejemplo.com."
NO_COINCIDEN = "Las dos contraseñas no son iguales: escríbela igual en los dos campos."


def _ayuda_contrasena_nueva() -> str:
    """Django's validators' help, which says "Su contraseña…", in one sentence of ours (the minimum from settings)."""
    minimo = next(
        (v.min_length for v in password_validation.get_default_password_validators()
         if isinstance(v, password_validation.MinimumLengthValidator)),
        8,
    )
    return (
        f"Al menos {minimo} caracteres. Que no sea sólo números, ni una contraseña común, ni parecida a tu nombre de "
        "usuario o a tu correo."
    )


AYUDA_CONTRASENA_NUEVA = lazy(_ayuda_contrasena_nueva, str)()


class EnNuestrasPalabras:
    """Relabel a form's fields: `etiquetas` maps a field to (label, help text); None keeps what is there.

    Placeholders go: they repeat the label and vanish as soon as the person types, which is when an older
    borrower needs them.
    """

    etiquetas: dict[str, tuple[str | None, str | None]] = {}

    @property
    def contrasenas_borradas(self) -> bool:
        """Whether the page comes back with password fields emptied (they are never sent back to the browser):
        the form's error summary then says to type them again (docs/reglas.md §14)."""
        return bool(self.is_bound and self.errors and any(
            isinstance(campo.widget, forms.PasswordInput) and self.data.get(self.add_prefix(nombre))
            for nombre, campo in self.fields.items()
        ))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nombre, campo in self.fields.items():
            campo.widget.attrs.pop("placeholder", None)
            if isinstance(campo, forms.EmailField):
                campo.error_messages["invalid"] = CORREO_INVALIDO
            etiqueta, ayuda = self.etiquetas.get(nombre, (None, None))
            if etiqueta is not None:
                campo.label = etiqueta
            if ayuda is not None:
                campo.help_text = ayuda

    def clean(self):
        datos = super().clean()
        # allauth's "Debe escribir la misma contraseña cada vez." (PasswordVerificationMixin), in our words.
        if "password2" in self._errors:
            suyo = gettext("You must type the same password each time.")
            self._errors["password2"] = self.error_class(
                [NO_COINCIDEN if str(e.message) == suyo else e for e in self._errors["password2"].as_data()]
            )
        return datos


class FormularioEntrada(EnNuestrasPalabras, LoginForm):
    # The page has its own "¿Olvidaste tu contraseña?" link: no second one under the password.
    etiquetas = {
        "login": ("Usuario o correo electrónico", ""),
        "password": ("Contraseña", ""),
        "remember": ("Mantener mi sesión abierta en este equipo", "No lo marques en una computadora compartida."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What a phone should offer: the saved user name, no auto-capitalized first letter.
        self.fields["login"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})


class FormularioRegistro(EnNuestrasPalabras, SignupForm):
    """allauth's signup form (with RegistroForm's CURP and captcha) in the leaflet's words."""

    etiquetas = {
        "username": ("Nombre de usuario", "Inventa un nombre de usuario; lo usarás para iniciar sesión."),
        "email": ("Correo electrónico", "Ahí te enviaremos el código de verificación."),
        "password1": ("Contraseña", AYUDA_CONTRASENA_NUEVA),
        "password2": ("Confirma tu contraseña", ""),
    }


class FormularioCodigoCorreo(EnNuestrasPalabras, ConfirmEmailVerificationCodeForm):
    etiquetas = {"code": ("Código de verificación", "El código que te enviamos por correo.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "autocapitalize": "characters",
                                                 "spellcheck": "false"})


class FormularioPedirCodigoEntrada(EnNuestrasPalabras, RequestLoginCodeForm):
    etiquetas = {"email": ("Correo electrónico", "El de tu cuenta de la Oficina Virtual.")}


class FormularioCodigoEntrada(EnNuestrasPalabras, ConfirmLoginCodeForm):
    etiquetas = {"code": ("Código para entrar", "El código que te enviamos por correo.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "autocapitalize": "characters",
                                                 "spellcheck": "false"})


class FormularioRecuperarContrasena(EnNuestrasPalabras, ResetPasswordForm):
    etiquetas = {"email": ("Correo electrónico", "El que registraste en la Oficina Virtual.")}


class FormularioContrasenaNueva(EnNuestrasPalabras, ResetPasswordKeyForm):
    etiquetas = {
        "password1": ("Contraseña nueva", AYUDA_CONTRASENA_NUEVA),
        "password2": ("Confirma tu contraseña nueva", ""),
    }


class FormularioCambiarContrasena(EnNuestrasPalabras, ChangePasswordForm):
    etiquetas = {
        "oldpassword": ("Contraseña actual", ""),
        "password1": ("Contraseña nueva", AYUDA_CONTRASENA_NUEVA),
        "password2": ("Confirma tu contraseña nueva", ""),
    }


class FormularioPonerContrasena(EnNuestrasPalabras, SetPasswordForm):
    etiquetas = {
        "password1": ("Contraseña", AYUDA_CONTRASENA_NUEVA),
        "password2": ("Confirma tu contraseña", ""),
    }


class FormularioAgregarCorreo(EnNuestrasPalabras, AddEmailForm):
    etiquetas = {"email": ("Correo electrónico", "")}


class FormularioConfirmarContrasena(EnNuestrasPalabras, ReauthenticateForm):
    etiquetas = {"password": ("Contraseña", "")}


# The staff's second factor (allauth.mfa, MFA_FORMS).
CODIGO_APP = ("Código de seguridad", "Los 6 dígitos de tu app de autenticación, o un código de recuperación.")


class CodigoDeApp:
    """The code field as a phone should offer it: the digit keypad (recovery codes are digits too) and the
    code the phone's own authenticator or SMS offers to fill in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})


class FormularioSegundoFactor(CodigoDeApp, EnNuestrasPalabras, AuthenticateFormMFA):
    etiquetas = {"code": CODIGO_APP}


class FormularioConfirmarSegundoFactor(CodigoDeApp, EnNuestrasPalabras, ReauthenticateFormMFA):
    etiquetas = {"code": CODIGO_APP}


class FormularioActivarApp(CodigoDeApp, EnNuestrasPalabras, ActivateTOTPForm):
    etiquetas = {"code": ("Código de tu app", "Los 6 dígitos que muestra tu app para la Oficina Virtual.")}
