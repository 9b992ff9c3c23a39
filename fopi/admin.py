from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from fopi import selectors, services, spei
from fopi.models import AccionPago, AlertaSpei, AvisoCorreo, Banco, DevolucionPago, Fopi, PagoBancario
from oficina.admin_base import (
    AbrirConsolaMixin,
    RecientesFilter,
    SoloLecturaMixin,
    columna_fecha,
    columna_moneda,
    columna_prestamo,
    url_consola,
)
from prestamos import vista_previa
from prestamos.models import Prestamo


@admin.register(Banco)
class BancoAdmin(admin.ModelAdmin):
    list_display = ("nombre", "convenio", "activo", "orden")
    list_editable = ("activo", "orden")
    search_fields = ("nombre", "convenio")


@admin.register(Fopi)
class FopiAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    ruta_derechohabiente = ("prestamo", "derechohabiente_id")
    list_display = (
        "referencia", "clabe", "folio_prestamo", "tipo", "importe_moneda", "vigencia", "estado", "emitido", "abrir_consola",
    )
    list_filter = ("estado", "tipo")
    search_fields = ("=referencia", "=clabe", "=prestamo__folio", "=prestamo__derechohabiente__curp")
    list_select_related = ("prestamo",)
    show_full_result_count = False
    importe_moneda = columna_moneda("importe", "importe")

    @admin.display(description="préstamo", ordering="prestamo__folio")
    def folio_prestamo(self, obj):
        return obj.prestamo.folio


class AccionPagoInline(SoloLecturaMixin, admin.TabularInline):
    model = AccionPago
    fields = ("accion", "folio_prestamo", "motivo", "usuario", "cuando")
    readonly_fields = fields
    folio_prestamo = columna_prestamo
    extra = 0


class ResolverPagoForm(forms.Form):
    accion = forms.ChoiceField(
        label="Acción",
        choices=[("aplicar", "Aplicar a un préstamo"), ("devolver", "Marcar para devolución")],
        widget=forms.RadioSelect,
    )
    folio = forms.CharField(label="Folio del préstamo (sólo para aplicar)", max_length=11, required=False)
    motivo = forms.CharField(label="Motivo", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    # Applying moves money: the first "Aplicar" shows what it will do; the confirmation sent from there carries
    # the folio it previewed, so a folio changed on the way is previewed again, never applied unseen.
    confirmar = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        datos = super().clean()
        if datos.get("accion") == "aplicar":
            folio = (datos.get("folio") or "").strip()
            prestamo = Prestamo.objects.filter(folio=folio).first()
            if prestamo is None:
                self.add_error("folio", "No existe un préstamo con ese folio.")
            datos["prestamo"] = prestamo
        return datos


@admin.register(PagoBancario)
class PagoBancarioAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    """Bank payments and SPEI deposits in one list; the review queue is it filtered by estado «En revisión»."""

    ruta_derechohabiente = (("prestamo", "derechohabiente_id"), ("fopi", "prestamo", "derechohabiente_id"))

    # Fits 1280 px with the filters: "Resolver" next to the date, bank and channel in one column, short dates,
    # the reason and the headers wrapped (static/css/admin.css), the authorization or tracking key as the link.
    list_display = (
        "fecha", "resolver", "banco_o_spei", "autorizacion_o_rastreo", "referencia_o_clabe", "importe_moneda", "estado",
        "motivo",
    )
    list_display_links = ("autorizacion_o_rastreo",)
    list_filter = ("estado", "canal", "banco")
    # A caller gives what they have: the CURP, the folio, the reference or CLABE, the tracking key, or the name on
    # the transfer ("transferí y no aparece").
    search_fields = (
        "=referencia", "=autorizacion", "=clave_rastreo", "=cuenta_beneficiario", "=prestamo__folio", "=fopi__prestamo__folio",
        "=prestamo__derechohabiente__curp", "=fopi__prestamo__derechohabiente__curp", "nombre_ordenante",
    )
    list_select_related = ("prestamo", "fopi__prestamo")
    inlines = [AccionPagoInline]
    show_full_result_count = False

    importe_moneda = columna_moneda("importe", "importe")
    fecha = columna_fecha("fecha_pago", "fecha")

    @admin.display(description="banco", ordering="banco")
    def banco_o_spei(self, obj):
        return f"SPEI · {obj.banco}" if obj.canal == PagoBancario.Canal.SPEI else obj.banco

    @admin.display(description="autorización / rastreo")
    def autorizacion_o_rastreo(self, obj):
        return obj.clave_rastreo if obj.canal == PagoBancario.Canal.SPEI else obj.autorizacion

    @admin.display(description="referencia / CLABE")
    def referencia_o_clabe(self, obj):
        return obj.cuenta_beneficiario if obj.canal == PagoBancario.Canal.SPEI else obj.referencia

    @admin.display(description="resolver")
    def resolver(self, obj):
        if obj.estado != PagoBancario.Estado.EN_REVISION:
            return "—"
        return format_html('<a href="{}">Resolver</a>', reverse("admin:fopi_pagobancario_resolver", args=[obj.pk]))

    def get_urls(self):
        propias = [
            path("<int:pk>/resolver/", self.admin_site.admin_view(self.resolver_view), name="fopi_pagobancario_resolver"),
        ]
        return propias + super().get_urls()

    def resolver_view(self, request, pk: int):
        if not request.user.has_perm("fopi.change_pagobancario"):
            raise PermissionDenied("Sin permiso para resolver pagos.")
        pago = get_object_or_404(PagoBancario.objects.select_related("fopi__prestamo__derechohabiente"), pk=pk)
        sugerido = selectors.prestamo_sugerido(pago)
        form = ResolverPagoForm(request.POST or None, initial={"folio": sugerido.folio if sugerido else ""})
        previa = None
        if request.method == "POST" and form.is_valid():
            datos = form.cleaned_data
            try:
                if datos["accion"] == "aplicar" and datos["confirmar"] != datos["prestamo"].folio:
                    # First what it will do, computed on the position in memory; the officer confirms from there.
                    hoy = timezone.localdate()
                    previa = vista_previa.aplicacion_de_pago(
                        prestamo=datos["prestamo"], importe=pago.importe, hoy=hoy,
                        fecha_valor=min(pago.fecha_pago, hoy),  # the value date pago_aplicar_a_prestamo books
                    )
                    form = ResolverPagoForm(initial={**datos, "folio": datos["prestamo"].folio, "confirmar": datos["prestamo"].folio})
                elif datos["accion"] == "aplicar":
                    services.pago_aplicar_a_prestamo(
                        pago=pago, prestamo=datos["prestamo"], usuario=request.user, motivo=datos["motivo"]
                    )
                    messages.success(request, f"Pago aplicado al préstamo {datos['prestamo'].folio}.")
                    return self._de_vuelta(request, pago)
                else:
                    services.pago_marcar_devolucion(pago=pago, usuario=request.user, motivo=datos["motivo"])
                    messages.success(request, "Pago marcado para devolución.")
                    return self._de_vuelta(request, pago)
            except ValidationError as error:
                form.add_error(None, error)
        contexto = {
            **self.admin_site.each_context(request),
            "title": f"Resolver pago {pago.banco} · {pago.identificacion}",
            "pago": pago,
            "sugerido": sugerido,
            "form": form,
            "previa": previa,
            "url_consola": url_consola(self.derechohabiente_id(pago)),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/fopi/resolver_pago.html", contexto)

    def _de_vuelta(self, request, pago):
        """Back where the officer came from: the borrower's console (its "Pagos") during a call, else the queue."""
        pago.refresh_from_db(fields=["prestamo"])
        derechohabiente_id = self.derechohabiente_id(pago)
        if request.GET.get("desde") == "consola" and derechohabiente_id:
            return redirect("admin:recuperacion_consola_seccion", derechohabiente_id, "pagos")
        return redirect("admin:fopi_pagobancario_changelist")

@admin.register(AvisoCorreo)
class AvisoCorreoAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    """What the borrowers were told by e-mail and when: CAPP answers "did I get…?" calls from here."""

    ruta_derechohabiente = ("derechohabiente_id",)

    folio_prestamo = columna_prestamo
    list_display = ("tipo", "asunto", "derechohabiente", "folio_prestamo", "correo", "creado", "enviado")
    list_filter = ("tipo",)
    search_fields = ("=prestamo__folio", "=derechohabiente__curp", "correo")
    list_select_related = ("prestamo", "derechohabiente")
    show_full_result_count = False


class AlertasRecientesFilter(RecientesFilter):
    CAMPO = "recibida"


@admin.register(AlertaSpei)
class AlertaSpeiAdmin(SoloLecturaMixin, admin.ModelAdmin):
    """SPEI deposits answered "devolver" (docs/reglas.md §11): the money went back to its sender and nothing was
    recorded, so this list is where Operación sees them, to follow each one with the bank."""

    list_display = (
        "recibida", "causa", "banco", "clave_rastreo", "fecha", "monto_moneda", "cuenta_beneficiario", "motivo",
    )
    list_filter = (AlertasRecientesFilter, "causa")
    search_fields = ("=clave_rastreo", "=cuenta_beneficiario", "=cuenta_ordenante", "nombre_ordenante")
    list_select_related = ("pago",)
    show_full_result_count = False

    monto_moneda = columna_moneda("monto", "monto")
    fecha = columna_fecha("fecha_operacion", "fecha de operación")

    @admin.display(description="banco ordenante", ordering="institucion_ordenante")
    def banco(self, obj):
        return spei.nombre_institucion(obj.institucion_ordenante)


class PagarDevolucionForm(forms.Form):
    clave_rastreo = forms.CharField(label="Clave de rastreo SPEI de la transferencia", max_length=30)
    cuenta = forms.CharField(
        label="CLABE a la que se transfirió", max_length=20, required=False,
        help_text="Sólo si no es la cuenta de origen del depósito SPEI (un pago en banco: la CLABE que dio el derechohabiente).",
    )


@admin.register(DevolucionPago)
class DevolucionPagoAdmin(SoloLecturaMixin, admin.ModelAdmin):
    """Operación's queue of money received but never applied that CAPP marked for refund (docs/reglas.md §13): each
    one is paid back by SPEI and recorded with its tracking key here. No ledger entry: it never was in the ledger."""

    list_display = ("creada", "registrar", "pago", "importe_moneda", "cuenta", "estado", "clave_rastreo", "pagada")
    list_filter = ("estado",)
    search_fields = ("=pago__clave_rastreo", "=pago__autorizacion", "=clave_rastreo", "=pago__fopi__prestamo__folio")
    list_select_related = ("pago",)
    show_full_result_count = False
    importe_moneda = columna_moneda("importe", "importe")

    @admin.display(description="registrar")
    def registrar(self, obj):
        if obj.estado != DevolucionPago.Estado.PENDIENTE:
            return "—"
        return format_html('<a href="{}">Registrar transferencia</a>', reverse("admin:fopi_devolucionpago_pagar", args=[obj.pk]))

    def get_urls(self):
        propias = [path("<int:pk>/pagar/", self.admin_site.admin_view(self.pagar_view), name="fopi_devolucionpago_pagar")]
        return propias + super().get_urls()

    def pagar_view(self, request, pk: int):
        if not request.user.has_perm("fopi.change_pagobancario"):
            raise PermissionDenied("Sin permiso para registrar devoluciones.")
        devolucion = get_object_or_404(DevolucionPago.objects.select_related("pago__fopi__prestamo"), pk=pk)
        form = PagarDevolucionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.devolucion_pago_pagar(
                    devolucion=devolucion, clave_rastreo=form.cleaned_data["clave_rastreo"],
                    cuenta=form.cleaned_data["cuenta"], usuario=request.user,
                )
                messages.success(request, "Devolución registrada; se avisó al derechohabiente.")
                return redirect("admin:fopi_devolucionpago_changelist")
            except ValidationError as error:
                form.add_error(None, error)
        contexto = {
            **self.admin_site.each_context(request),
            "title": f"Registrar la devolución de {devolucion.pago}",
            "pago": devolucion.pago,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/fopi/resolver_pago.html", contexto)
