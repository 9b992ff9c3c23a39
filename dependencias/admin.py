"""Supervisión creates the payroll offices' users here (docs/reglas.md §16), without any power over other
accounts: the form creates the account itself (no password: a one-time link to set one is shown)."""

from allauth.account.forms import default_token_generator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.http import int_to_base36

from dependencias.models import AccesoDependencia, AcuseSuspension, UsuarioDependencia


class NuevoUsuarioDependenciaForm(forms.ModelForm):
    nombre_usuario = forms.CharField(label="usuario", max_length=150)
    correo = forms.EmailField(label="correo")

    class Meta:
        model = UsuarioDependencia
        fields = ("nombre_usuario", "correo", "dependencias")

    def clean_nombre_usuario(self):
        nombre = self.cleaned_data["nombre_usuario"].strip()
        if get_user_model().objects.filter(username__iexact=nombre).exists():
            raise forms.ValidationError("Ya existe una cuenta con ese usuario.")
        return nombre


def enlace_contrasena(usuario) -> str:
    return reverse("account_reset_password_from_key", kwargs={
        "uidb36": int_to_base36(usuario.pk), "key": default_token_generator.make_token(usuario)})


@admin.register(UsuarioDependencia)
class UsuarioDependenciaAdmin(admin.ModelAdmin):
    list_display = ("usuario", "lista_dependencias", "creado")
    filter_horizontal = ("dependencias",)
    search_fields = ("usuario__username", "usuario__email")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("usuario").prefetch_related("dependencias")

    @admin.display(description="dependencias")
    def lista_dependencias(self, obj):
        return ", ".join(d.clave for d in obj.dependencias.all())

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NuevoUsuarioDependenciaForm
        else:
            kwargs["fields"] = ("dependencias",)
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("nombre_usuario", "correo", "dependencias") if obj is None else ("dependencias",)

    def save_model(self, request, obj, form, change):
        if not change:
            from allauth.account.models import EmailAddress

            correo = form.cleaned_data["correo"]
            cuenta = get_user_model().objects.create(username=form.cleaned_data["nombre_usuario"], email=correo)
            cuenta.set_unusable_password()
            cuenta.save()
            EmailAddress.objects.create(user=cuenta, email=correo, verified=True, primary=True)
            obj.usuario = cuenta
            messages.info(request, "Envíe a la pagaduría este enlace de un solo uso para fijar su contraseña: "
                                   f"{request.build_absolute_uri(enlace_contrasena(cuenta))}")
        super().save_model(request, obj, form, change)


@admin.register(AcuseSuspension)
class AcuseSuspensionAdmin(admin.ModelAdmin):
    list_display = ("prestamo", "usuario", "fecha")
    list_select_related = ("prestamo", "usuario")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccesoDependencia)
class AccesoDependenciaAdmin(admin.ModelAdmin):
    list_display = ("fecha", "usuario", "dependencia", "accion", "detalle")
    list_filter = ("accion",)
    list_select_related = ("usuario", "dependencia")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
