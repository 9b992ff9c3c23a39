from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts import services
from accounts.curp import normalizar_curp
from accounts.models import LiberacionCurp, User
from prestamos.models import Derechohabiente


@admin.register(User)
class OficinaUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "first_name", "last_name", "derechohabiente__curp")


class RecuperarCurpForm(forms.ModelForm):
    curp = forms.CharField(label="CURP", max_length=40, help_text="La CURP que otra cuenta tiene registrada.")

    class Meta:
        model = LiberacionCurp
        fields = ["motivo"]
        help_texts = {
            "motivo": "Cómo acreditó su identidad quien es dueño de la CURP (p. ej. identificación oficial y talón "
            "de pago revisados en el CAPP, folio de la atención)."
        }

    def clean_curp(self):
        curp = normalizar_curp(self.cleaned_data["curp"])
        derechohabiente = Derechohabiente.objects.filter(curp=curp).select_related("usuario").first()
        if derechohabiente is None:
            raise forms.ValidationError("Esa CURP no está en el padrón.")
        if derechohabiente.usuario_id is None:
            raise forms.ValidationError("Esa CURP no tiene una cuenta vinculada: su dueño puede registrarse ya.")
        self.derechohabiente = derechohabiente
        return curp


@admin.register(LiberacionCurp)
class LiberacionCurpAdmin(admin.ModelAdmin):
    """"Recuperar CURP": CAPP unbinds a CURP from the account that holds it and closes that account, so the
    rightful owner can register. Rows are the audit trail: added, never changed or deleted."""

    list_display = ("cuando", "derechohabiente", "cuenta_usuario", "cuenta_correo", "por")
    search_fields = ("derechohabiente__curp", "cuenta_usuario", "cuenta_correo")
    readonly_fields = ("cuando", "derechohabiente", "cuenta", "cuenta_usuario", "cuenta_correo", "por", "motivo")
    list_select_related = ("derechohabiente", "por")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RecuperarCurpForm
            kwargs["fields"] = ["motivo"]
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["curp", "motivo"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        liberacion = services.curp_recuperar(
            derechohabiente=form.derechohabiente, por=request.user, motivo=form.cleaned_data["motivo"]
        )
        obj.pk, obj.cuando = liberacion.pk, liberacion.cuando
        obj.__dict__.update({k: getattr(liberacion, k) for k in ("derechohabiente_id", "cuenta_id", "por_id")})

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
