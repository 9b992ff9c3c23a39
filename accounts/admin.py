from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts import services
from accounts.models import IntentosRegistro, LiberacionCurp, ReaperturaRegistro, User
from oficina.admin_base import AbrirConsolaMixin, SoloLecturaMixin, filtro_si_no
from oficina.identidad import normalizar_curp
from prestamos.admin import DerechohabienteAdmin
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
class LiberacionCurpAdmin(AbrirConsolaMixin, admin.ModelAdmin):
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


class ReabrirRegistroForm(forms.ModelForm):
    curp = forms.CharField(label="CURP", max_length=40, help_text="La CURP cuyo registro se cerró por intentos fallidos.")

    class Meta:
        model = ReaperturaRegistro
        fields = ("motivo",)
        help_texts = {  # noqa: RUF012 - Django reads it once, never mutated
            "motivo": "Cómo acreditó su identidad quien pide reabrir (p. ej. identificación oficial y talón de pago "
            "revisados en el CAPP, folio de la atención)."
        }

    def clean_curp(self):
        curp = normalizar_curp(self.cleaned_data["curp"])
        derechohabiente = Derechohabiente.objects.filter(curp=curp).first()
        if derechohabiente is None:
            raise forms.ValidationError("Esa CURP no está en el padrón.")
        if not IntentosRegistro.objects.filter(derechohabiente=derechohabiente, cerrado_desde__isnull=False).exists():
            raise forms.ValidationError("El registro de esa CURP no está cerrado: su dueño puede registrarse ya.")
        self.derechohabiente = derechohabiente
        return curp

    def clean_motivo(self):
        motivo = self.cleaned_data["motivo"].strip()
        if not motivo:
            raise forms.ValidationError("Escribe el motivo.")
        return motivo


@admin.register(ReaperturaRegistro)
class ReaperturaRegistroAdmin(AbrirConsolaMixin, admin.ModelAdmin):
    """"Reabrir registro": after INTENTOS_RFC_MAXIMOS wrong RFCs a CURP cannot register until Supervisión,
    having checked who asks, reopens it here. Rows are the audit trail: added, never changed or deleted."""

    list_display = ("cuando", "derechohabiente", "fallidos", "cerrado_desde", "por")
    search_fields = ("derechohabiente__curp",)
    readonly_fields = ("cuando", "derechohabiente", "fallidos", "cerrado_desde", "por", "motivo")
    list_select_related = ("derechohabiente", "por")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ReabrirRegistroForm
            kwargs["fields"] = ["motivo"]
        return super().get_form(request, obj, **kwargs)

    def get_changeform_initial_data(self, request):
        return {**super().get_changeform_initial_data(request), "curp": request.GET.get("curp", "")}

    def get_fields(self, request, obj=None):
        return ["curp", "motivo"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        reapertura = services.registro_reabrir(
            derechohabiente=form.derechohabiente, por=request.user, motivo=form.cleaned_data["motivo"]
        )
        obj.pk, obj.cuando = reapertura.pk, reapertura.cuando
        obj.__dict__.update(
            {k: getattr(reapertura, k) for k in ("derechohabiente_id", "por_id", "fallidos", "cerrado_desde")}
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntentosRegistro)
class IntentosRegistroAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    """Failed RFC attempts per CURP (docs/reglas.md §3): the closed registrations are Supervisión's to reopen,
    with a reason, from here ("Reabrir registro"). Written only by registration; read here."""

    list_display = ("derechohabiente", "curp", "fallidos", "ultimo", "cerrado", "reabrir", "abrir_consola")
    list_filter = (filtro_si_no("cerrado_desde", "registro cerrado"),)
    search_fields = ("=derechohabiente__curp",)
    list_select_related = ("derechohabiente",)
    ordering = ("-ultimo_fallido",)
    show_full_result_count = False

    @admin.display(description="CURP", ordering="derechohabiente__curp")
    def curp(self, obj):
        return obj.derechohabiente.curp

    @admin.display(description="último intento fallido", ordering="ultimo_fallido")
    def ultimo(self, obj):
        return _fecha_hora(obj.ultimo_fallido) if obj.ultimo_fallido else "—"

    @admin.display(description="registro cerrado desde", ordering="cerrado_desde")
    def cerrado(self, obj):
        return _fecha_hora(obj.cerrado_desde) if obj.cerrado_desde else "No"

    @admin.display(description="reabrir")
    def reabrir(self, obj):
        if not obj.cerrado:
            return "—"
        url = f"{reverse('admin:accounts_reaperturaregistro_add')}?curp={obj.derechohabiente.curp}"
        return format_html('<a href="{}">Reabrir registro</a>', url)


def _fecha_hora(momento) -> str:
    return f"{timezone.localtime(momento):%d/%m/%Y %H:%M}"


@admin.display(description="intentos de registro")
def intentos_de_registro(derechohabiente) -> str:
    """For the padrón entry's page (prestamos.admin): failed RFC attempts and, when closed, the way to reopen."""
    intentos = IntentosRegistro.objects.filter(derechohabiente=derechohabiente).first() if derechohabiente.pk else None
    if intentos is None or not intentos.fallidos:
        return "Sin intentos fallidos"
    texto = f"{intentos.fallidos} intentos fallidos (el último: {_fecha_hora(intentos.ultimo_fallido)})"
    if not intentos.cerrado:
        return texto
    url = f"{reverse('admin:accounts_reaperturaregistro_add')}?curp={derechohabiente.curp}"
    return format_html(
        "{}. <strong>Registro cerrado</strong> desde el {}. <a href=\"{}\">Reabrir registro</a> "
        "(Supervisión, con motivo).",
        texto, _fecha_hora(intentos.cerrado_desde), url,
    )


# The padrón entry's page also shows its registration attempts. Registered here, by the app above the padrón
# (accounts builds on prestamos, never the reverse: the import-linter contract in pyproject.toml).
admin.site.unregister(Derechohabiente)


@admin.register(Derechohabiente)
class DerechohabienteConRegistroAdmin(DerechohabienteAdmin):
    readonly_fields = (*DerechohabienteAdmin.readonly_fields, intentos_de_registro)  # docs/reglas.md §3
