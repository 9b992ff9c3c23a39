"""allauth's SignupForm subclassed (ACCOUNT_FORMS["signup"]); kept apart from `accounts/forms.py`, which
allauth imports while building that very class (see there)."""

from allauth.account.forms import SignupForm


class FormularioRegistro(SignupForm):
    """allauth's signup form (with RegistroForm's CURP and captcha) in the leaflet's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        etiquetas = {
            "username": ("Nombre de usuario", "Inventa un nombre de usuario; lo usarás para iniciar sesión."),
            "email": ("Correo electrónico", "Ahí te enviaremos el código de verificación."),
            "password2": ("Confirma tu contraseña", ""),
        }
        for nombre, (etiqueta, ayuda) in etiquetas.items():
            if nombre in self.fields:
                self.fields[nombre].label = etiqueta
                self.fields[nombre].widget.attrs.pop("placeholder", None)
                if ayuda:
                    self.fields[nombre].help_text = ayuda
        for nombre in ("password1", "password2"):
            if nombre in self.fields:
                self.fields[nombre].widget.attrs.pop("placeholder", None)
