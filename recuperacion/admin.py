import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from oficina.admin_base import (
    AbrirConsolaMixin,
    SoloLecturaMixin,
    columna_moneda,
    columna_periodo,
    columna_prestamo,
    url_consola,
)
from oficina.exportar import respuesta_csv
from oficina.formatos import formato_fecha
from oficina.verificacion import agrupado
from prestamos.calculo import Periodo, Quincena
from prestamos.cartera import CERO
from prestamos.models import Prestamo
from recuperacion import aclaraciones, cfdi, consola, devoluciones
from recuperacion.formularios import ResolverAclaracionForm
from recuperacion.models import (
    Aclaracion,
    AdeudoDependencia,
    Atencion,
    AvisoOmision,
    CertificadoPAC,
    Consola,
    DeduccionPrestamo,
    DependenciaOmisa,
    Descuento,
    DocumentoVerificable,
    PrestamoPorSuspender,
    SolicitudDevolucion,
)
from recuperacion.selectors import FilaOmisa, dependencias_omisas
from recuperacion.suspension import liquidaciones_para, primera_quincena_sin_descuento


@admin.register(Descuento)
class DescuentoAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    ruta_derechohabiente = ("prestamo", "derechohabiente_id")
    list_display = ("folio", "curp", "quincena_periodo", "importe_moneda", "dependencia", "cargado")
    quincena_periodo = columna_periodo("quincena", "periodo")
    importe_moneda = columna_moneda("importe", "importe")
    search_fields = ("=prestamo__folio", "=prestamo__derechohabiente__curp")
    list_select_related = ("prestamo__derechohabiente", "remesa__dependencia")
    show_full_result_count = False  # a million rows per quincena: no COUNT(*) on every page
    change_list_template = "admin/recuperacion/descuento/change_list.html"

    @admin.display(description="folio", ordering="prestamo__folio")
    def folio(self, obj):
        return obj.prestamo.folio

    @admin.display(description="CURP")
    def curp(self, obj):
        return obj.prestamo.derechohabiente.curp

    @admin.display(description="dependencia")
    def dependencia(self, obj):
        return obj.remesa.dependencia.clave

    @admin.display(description="cargado")
    def cargado(self, obj):
        return obj.remesa.cargada


@admin.register(AvisoOmision)
class AvisoOmisionAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    ruta_derechohabiente = ("prestamo", "derechohabiente_id")
    folio_prestamo = columna_prestamo
    list_display = ("folio_prestamo", "quincena_periodo", "pendiente_moneda", "detectada", "correo", "enviado")
    pendiente_moneda = columna_moneda("pendiente", "pendiente")
    quincena_periodo = columna_periodo("quincena", "periodo")
    list_filter = ("quincena",)
    search_fields = ("=prestamo__folio", "=prestamo__derechohabiente__curp")
    list_select_related = ("prestamo",)
    show_full_result_count = False


# --- Dependencias omisas ---------------------------------------------------------------------------------

ENCABEZADO_CSV = (
    "clave", "dependencia", "quincena", "remesas", "prestamos_esperados", "descuentos_recibidos",
    "importe_esperado", "importe_recibido", "diferencia", "aclaraciones_procedentes", "adeudo_por_aclaraciones",
)


def omisas_csv(quincena: Quincena, filas: list[FilaOmisa]) -> HttpResponse:
    return respuesta_csv(
        nombre=f"dependencias-omisas-{quincena}.csv",
        encabezado=ENCABEZADO_CSV,
        filas=(
            (f.dependencia.clave, f.dependencia.nombre, quincena, f.remesas, f.prestamos_esperados,
             f.descuentos_recibidos, f.importe_esperado, f.importe_recibido, f.diferencia, f.aclaraciones,
             f.adeudo_aclaraciones)
            for f in filas
        ),
    )


@admin.register(DependenciaOmisa)
class DependenciaOmisaAdmin(SoloLecturaMixin, admin.ModelAdmin):
    """A report, not a list: its changelist is the per-quincena table (linked from the admin index)."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Default: the last quincena already due, the one whose remesas should have arrived.
        codigo = request.GET.get("quincena") or str(Quincena.de_fecha(timezone.localdate()) + (-1))
        try:
            quincena = Periodo.parse(codigo)  # a quincena, or a month for the pension payroll
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect(reverse("admin:recuperacion_dependenciaomisa_changelist"))
        filas = dependencias_omisas(quincena)
        if request.GET.get("formato") == "csv":
            return omisas_csv(quincena, filas)
        contexto = {
            **self.admin_site.each_context(request),
            "title": f"Dependencias omisas — {quincena.descripcion} ({quincena})",
            "opts": self.model._meta,
            "quincena": quincena,
            "filas": filas,
            "totales": {
                "esperado": sum((f.importe_esperado for f in filas), CERO),
                "recibido": sum((f.importe_recibido for f in filas), CERO),
                "diferencia": sum((f.diferencia for f in filas), CERO),
                "adeudo": sum((f.adeudo_aclaraciones for f in filas), CERO),
            },
        }
        return TemplateResponse(request, "admin/recuperacion/dependencias_omisas.html", contexto)


# --- Saldo a favor: refunds (docs/reglas.md §9) ----------------------------------------------------------


class SolicitudDevolucionForm(forms.ModelForm):
    """The tracking key is checked before the save: a refund that cannot be paid (cancelled, or a reversal
    took its money) is an error at the field, and the admin never also says "se cambió correctamente"."""

    def clean_clave_rastreo(self):
        clave = self.cleaned_data.get("clave_rastreo", "")
        if clave and "clave_rastreo" in self.changed_data:
            try:
                clave = devoluciones.devolucion_revisar(solicitud=self.instance, clave_rastreo=clave)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages)
        return clave


@admin.register(SolicitudDevolucion)
class SolicitudDevolucionAdmin(AbrirConsolaMixin, admin.ModelAdmin):
    """Operación's queue: export the pending refunds for the bank, then record each SPEI tracking key
    (typing it and saving marks the refund paid, books it in the ledger and e-mails the borrower)."""

    form = SolicitudDevolucionForm
    ruta_derechohabiente = ("prestamo", "derechohabiente_id")

    folio_prestamo = columna_prestamo
    list_display = (
        "folio_prestamo", "titular", "clabe", "importe_moneda", "estado", "solicitada", "clave_rastreo", "pagada",
        "abrir_consola",
    )
    importe_moneda = columna_moneda("importe", "importe")
    list_filter = ("estado",)
    search_fields = ("=prestamo__folio", "=prestamo__derechohabiente__curp", "=clave_rastreo")
    list_select_related = ("prestamo",)
    readonly_fields = ("prestamo", "importe_moneda", "clabe", "titular", "estado", "solicitada", "nota", "pagada",
                       "pagada_por", "movimiento")
    fields = ("prestamo", "importe_moneda", "clabe", "titular", "estado", "solicitada", "nota", "clave_rastreo", "pagada",
              "pagada_por", "movimiento")
    actions = ["exportar_pendientes"]

    def has_add_permission(self, request):
        return False  # the borrower asks from the portal

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A paid or cancelled request is shown, never saved again (a save of nothing would say it changed).
        return super().has_change_permission(request, obj) and (
            obj is None or obj.estado == SolicitudDevolucion.Estado.PENDIENTE
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.estado != SolicitudDevolucion.Estado.PENDIENTE:
            return self.fields
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if "clave_rastreo" in form.changed_data and obj.clave_rastreo:
            try:
                devoluciones.devolucion_pagar(solicitud=obj, clave_rastreo=obj.clave_rastreo, usuario=request.user)
            except ValidationError as exc:  # changed between the form's check and the locks: still one answer
                request.devolucion_fallida = True
                messages.error(request, " ".join(exc.messages))
            return
        # Nothing else of a request is edited here.

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "devolucion_fallida", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    # Operación's step towards paying them (the file for the bank), not a reading: those who record the payments.
    @admin.action(description="Exportar las pendientes (CSV para el banco)", permissions=["change"])
    def exportar_pendientes(self, request, queryset):
        pendientes = queryset.filter(estado=SolicitudDevolucion.Estado.PENDIENTE).select_related("prestamo__derechohabiente")
        return respuesta_csv(
            nombre=f"devoluciones-pendientes-{timezone.localdate():%Y%m%d}.csv",
            encabezado=("folio", "curp", "titular", "clabe", "importe", "solicitada"),
            filas=(
                (s.prestamo.folio, s.prestamo.derechohabiente.curp, s.titular, s.clabe, s.importe,
                 timezone.localtime(s.solicitada).date().isoformat())
                for s in pendientes
            ),
        )
# --- Préstamos por dejar de descontar (aviso de suspensión, docs/reglas.md §9) ------------------------------------


class QuincenaSinDescuentoFilter(admin.SimpleListFilter):
    """Loans whose first quincena without deduction is the one chosen: what a payroll office must stop now.

    The links offer the quincenas around today; any other `?quincena=AAAA-Qnn` works the same.
    """

    title = "primera quincena sin descuento"
    parameter_name = "quincena"

    def lookups(self, request, model_admin):
        actual = Quincena.de_fecha(timezone.localdate())
        return [(str(q), q.descripcion) for q in (actual + k for k in range(1, -5, -1))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            quincena = Periodo.parse(self.value())
        except ValueError as exc:
            messages.error(request, str(exc))
            return queryset.none()
        desde, hasta = liquidaciones_para(quincena)
        return queryset.filter(fecha_liquidacion__gte=desde, fecha_liquidacion__lt=hasta)


ENCABEZADO_SUSPENSION = (
    "clave_dependencia", "dependencia", "folio", "curp", "rfc", "nombre", "descuento_quincenal",
    "fecha_liquidacion", "primera_quincena_sin_descuento",
)


@admin.register(PrestamoPorSuspender)
class PrestamoPorSuspenderAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    """Every paid-off loan with the first quincena its dependencia must not deduct, newest payoff first;
    by dependencia and quincena it is the list to send each payroll office. Exported as CSV with the
    same filters."""

    list_display = (
        "folio", "curp", "nombre", "rfc", "clave_dependencia", "cuota_moneda", "liquidado_el", "primera_sin_descuento",
        "acuse",
    )
    list_display_links = None
    list_filter = (QuincenaSinDescuentoFilter, "dependencia")
    # The payroll office's "Acusar recibo" in its portal (dependencias.AcuseSuspension, docs/reglas.md §16).
    list_select_related = ("derechohabiente", "dependencia", "acuse_suspension__usuario")
    search_fields = ("=folio", "=derechohabiente__curp")
    ordering = ("-fecha_liquidacion", "folio")
    show_full_result_count = False
    list_per_page = 200
    change_list_template = "admin/recuperacion/prestamoporsuspender/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(estado=Prestamo.Estado.LIQUIDADO, fecha_liquidacion__isnull=False)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Préstamos por dejar de descontar", **(extra_context or {})})

    @admin.display(description="CURP")
    def curp(self, obj):
        return obj.derechohabiente.curp

    @admin.display(description="nombre")
    def nombre(self, obj):
        return obj.derechohabiente.nombre_completo

    @admin.display(description="RFC")
    def rfc(self, obj):
        return obj.derechohabiente.rfc

    @admin.display(description="dependencia", ordering="dependencia__clave")
    def clave_dependencia(self, obj):
        return obj.dependencia.clave

    cuota_moneda = columna_moneda("cuota", "descuento")

    @admin.display(description="liquidado el", ordering="fecha_liquidacion")
    def liquidado_el(self, obj):
        return obj.fecha_liquidacion

    @admin.display(description="primera quincena sin descuento")
    def primera_sin_descuento(self, obj):
        return primera_quincena_sin_descuento(obj.fecha_liquidacion, type(obj.primera_quincena)).descripcion

    @admin.display(description="acuse de la dependencia")
    def acuse(self, obj):
        acuse = getattr(obj, "acuse_suspension", None)
        if acuse is None:
            return "Sin acuse"
        return f"Acusado por {acuse.usuario} el {formato_fecha(timezone.localtime(acuse.fecha).date())}"

    def get_urls(self):
        csv = path("csv/", self.admin_site.admin_view(self.csv_view), name="recuperacion_prestamoporsuspender_csv")
        return [csv, *super().get_urls()]

    def csv_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        # The changelist's own filtering, so the file holds exactly the rows the page lists (all pages).
        lista = self.get_changelist_instance(request)
        filas = lista.get_queryset(request).iterator(chunk_size=2000)
        return respuesta_csv(
            nombre=_nombre_csv(request),
            encabezado=ENCABEZADO_SUSPENSION,
            filas=(
                (p.dependencia.clave, p.dependencia.nombre, p.folio, p.derechohabiente.curp, p.derechohabiente.rfc,
                 p.derechohabiente.nombre_completo, p.cuota, p.fecha_liquidacion.isoformat(),
                 str(primera_quincena_sin_descuento(p.fecha_liquidacion, type(p.primera_quincena))))
                for p in filas
            ),
        )


def _nombre_csv(request) -> str:
    partes = ["suspender-descuentos"]
    for parametro in ("dependencia__id__exact", "quincena"):
        valor = request.GET.get(parametro, "")
        if valor.replace("-", "").isalnum():
            partes.append(valor)
    return "-".join(partes) + ".csv"


# --- Documentos verificables -----------------------------------------------------------------------------


@admin.register(DocumentoVerificable)
class DocumentoVerificableAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    """What was issued, for CAPP staff answering "is this paper ours?" on the phone."""

    folio_prestamo = columna_prestamo
    list_display = ("folio", "tipo", "emitido", "derechohabiente", "folio_prestamo", "importe_moneda", "codigo_agrupado")
    importe_moneda = columna_moneda("importe", "importe")
    list_filter = ("tipo",)
    search_fields = ("=folio", "=codigo", "=derechohabiente__curp", "=prestamo__folio")
    list_select_related = ("derechohabiente", "prestamo")
    show_full_result_count = False

    @admin.display(description="código de verificación")
    def codigo_agrupado(self, obj):
        return agrupado(obj.codigo)


# --- Aclaraciones: Operación's queue (docs/reglas.md §10) -------------------------------------------------


class EstadoAclaracionFilter(admin.SimpleListFilter):
    """The queue opens on the cases still to resolve, oldest first; any state, or all, one click away."""

    title = "estado"
    parameter_name = "estado"
    ABIERTAS = "abiertas"
    TODAS = "todas"

    def lookups(self, request, model_admin):
        return [
            (self.ABIERTAS, "Por resolver (recibidas y en revisión)"),
            *Aclaracion.Estado.choices,
            (self.TODAS, "Todas"),
        ]

    def value(self):
        return super().value() or self.ABIERTAS

    def queryset(self, request, queryset):
        valor = self.value()
        if valor == self.ABIERTAS:
            return queryset.filter(estado__in=Aclaracion.ABIERTAS)
        if valor in Aclaracion.Estado.values:
            return queryset.filter(estado=valor)
        return queryset

    def choices(self, changelist):
        for valor, texto in self.lookup_choices:
            yield {
                "selected": self.value() == valor,
                "query_string": changelist.get_query_string({self.parameter_name: valor}),
                "display": texto,
            }


@admin.register(Aclaracion)
class AclaracionAdmin(AbrirConsolaMixin, admin.ModelAdmin):
    """Operación's queue of aclaraciones; each case opens on its resolve page (payslip, ledger and remesa
    side by side). Reading needs `view_aclaracion`; taking and resolving, `resolver_aclaracion`."""

    ruta_derechohabiente = ("prestamo", "derechohabiente_id")

    list_display = (
        "folio", "estado", "curp", "folio_prestamo", "quincena_periodo", "importe_moneda", "presentada", "revision_por",
        "resuelta_por", "abrir_consola",
    )
    importe_moneda = columna_moneda("importe", "importe")
    quincena_periodo = columna_periodo("quincena", "periodo")
    list_filter = (EstadoAclaracionFilter,)
    search_fields = ("=folio", "=prestamo__folio", "=prestamo__derechohabiente__curp")
    list_select_related = ("prestamo__derechohabiente", "revision_por", "resuelta_por")
    ordering = ("presentada", "id")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # borrowers file them from the portal

    def has_delete_permission(self, request, obj=None):
        return False  # a case is kept with its evidence

    def has_change_permission(self, request, obj=None):
        return False  # nothing is edited: a case is taken and resolved through its page

    @admin.display(description="CURP")
    def curp(self, obj):
        return obj.prestamo.derechohabiente.curp

    @admin.display(description="préstamo", ordering="prestamo__folio")
    def folio_prestamo(self, obj):
        return obj.prestamo.folio

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        hoy = timezone.localdate()
        puede_resolver = request.user.has_perm(aclaraciones.PERMISO_RESOLVER)
        formulario = ResolverAclaracionForm(request.POST if "resolver" in request.POST else None)
        if request.method == "POST":
            if not puede_resolver:
                raise PermissionDenied
            aclaracion = Aclaracion.objects.filter(pk=object_id).first()
            if aclaracion is None:
                return redirect("admin:recuperacion_aclaracion_changelist")
            try:
                if "tomar" in request.POST:
                    aclaraciones.aclaracion_tomar(aclaracion=aclaracion, usuario=request.user)
                    messages.success(request, f"Tomaste la aclaración {aclaracion.folio}: ahora está en revisión.")
                    return redirect(request.path)
                if formulario.is_valid():
                    datos = formulario.cleaned_data
                    resuelta = aclaraciones.aclaracion_resolver(
                        aclaracion=aclaracion, procedente=datos["dictamen"] == "PROCEDENTE",
                        respuesta=datos["respuesta"], importe=datos["importe"], usuario=request.user, hoy=hoy,
                    )
                    messages.success(
                        request, f"Aclaración {resuelta.folio} resuelta: {resuelta.get_estado_display()}. "
                        "Le avisamos por correo al derechohabiente.",
                    )
                    return redirect(request.path)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(request.path)
        exp = aclaraciones.expediente(pk=object_id, hoy=hoy)
        if formulario.is_bound is False:
            formulario = ResolverAclaracionForm(initial={"importe": exp.aclaracion.importe})
        contexto = {
            **self.admin_site.each_context(request),
            "title": f"Aclaración {exp.aclaracion.folio}",
            "opts": self.model._meta,
            "original": exp.aclaracion,
            "exp": exp,
            "formulario": formulario,
            "puede_resolver": puede_resolver,
            "url_consola": url_consola(exp.aclaracion.prestamo.derechohabiente_id),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/recuperacion/aclaracion/resolver.html", contexto)


@admin.register(AdeudoDependencia)
class AdeudoDependenciaAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    ruta_derechohabiente = ("prestamo", "derechohabiente_id")
    """Deductions dependencias took and never sent, recognised through aclaraciones: what each one owes."""

    folio_prestamo = columna_prestamo
    list_display = ("dependencia", "quincena_periodo", "folio_prestamo", "importe_moneda", "aclaracion", "registrado", "registrado_por")
    importe_moneda = columna_moneda("importe", "importe")
    quincena_periodo = columna_periodo("quincena", "periodo")
    list_filter = ("dependencia",)
    search_fields = ("=prestamo__folio", "=aclaracion__folio", "=quincena")
    list_select_related = ("dependencia", "prestamo", "aclaracion", "registrado_por")
    show_full_result_count = False


@admin.register(Atencion)
class AtencionAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    """Every call, visit and e-mail recorded from the console (they are recorded there, not here)."""

    list_display = ("fecha", "derechohabiente", "canal", "motivo", "usuario", "fopi")
    list_filter = ("canal", "motivo")
    search_fields = ("=derechohabiente__curp",)
    list_select_related = ("derechohabiente", "usuario", "fopi")
    show_full_result_count = False


# --- Consola del CAPP (docs/reglas.md §10) ---------------------------------------------------------------


@admin.register(Consola)
class ConsolaAdmin(admin.ModelAdmin):
    """Its changelist is the console's search; its pages are the borrower's, read only (recuperacion/consola.py)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def vista(funcion):
            def envoltura(request, *args, **kwargs):
                return funcion(request, self.admin_site, *args, **kwargs)

            return self.admin_site.admin_view(envoltura)

        nombre = "recuperacion_consola_"
        return [
            path("", vista(consola.vista_buscar), name=nombre + "changelist"),
            path("<int:pk>/", vista(consola.vista_seccion), name=nombre + "detalle"),
            path("<int:pk>/estado-de-cuenta.pdf", vista(consola.estado_cuenta_pdf), name=nombre + "estado_cuenta_pdf"),
            path("<int:pk>/fopi/emitir/", vista(consola.emitir_fopi), name=nombre + "emitir_fopi"),
            path("<int:pk>/fopi/<int:fopi>/pdf/", vista(consola.fopi_pdf), name=nombre + "fopi_pdf"),
            path("<int:pk>/fopi/<int:fopi>/enviar/", vista(consola.enviar_fopi), name=nombre + "enviar_fopi"),
            path("<int:pk>/atenciones/", vista(consola.registrar_atencion), name=nombre + "atencion"),
            path("<int:pk>/<slug:slug>/", vista(consola.vista_seccion), name=nombre + "seccion"),
        ]


# --- The payslip's CFDI (docs/reglas.md §18) -----------------------------------------------------------------


class CertificadoPACForm(forms.ModelForm):
    archivo = forms.FileField(label="Certificado del PAC (.cer)", help_text="El archivo .cer que publica el SAT.")

    class Meta:
        model = CertificadoPAC
        fields = ()

    def clean_archivo(self):
        try:
            datos = cfdi.datos_certificado_pac(self.cleaned_data["archivo"].read(64 * 1024))
        except cfdi.CfdiRechazado as error:
            raise forms.ValidationError(str(error)) from None
        if CertificadoPAC.objects.filter(no_certificado=datos["no_certificado"]).exists():
            raise forms.ValidationError(f"El certificado {datos['no_certificado']} ya está registrado.")
        return datos

    def save(self, commit=True):
        for campo, valor in self.cleaned_data["archivo"].items():
            setattr(self.instance, campo, valor)
        return super().save(commit)


@admin.register(CertificadoPAC)
class CertificadoPACAdmin(admin.ModelAdmin):
    """Supervisión keeps the PAC certificates a stamp's SelloSAT is checked against."""

    form = CertificadoPACForm
    list_display = ("no_certificado", "sujeto", "rfc", "vigente_desde", "vigente_hasta", "registrado")
    search_fields = ("no_certificado", "sujeto", "rfc")
    readonly_fields = ("no_certificado", "sujeto", "rfc", "vigente_desde", "vigente_hasta", "registrado")

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ("archivo",)

    def has_change_permission(self, request, obj=None):
        return False


class DeduccionPrestamoForm(forms.ModelForm):
    class Meta:
        model = DeduccionPrestamo
        fields = ("dependencia", "tipo_deduccion", "patron")

    def clean_tipo_deduccion(self):
        valor = self.cleaned_data["tipo_deduccion"].strip()
        if not (len(valor) == 3 and valor.isdigit()):
            raise forms.ValidationError("El TipoDeduccion del catálogo del SAT tiene 3 dígitos, p. ej. 004.")
        return valor

    def clean_patron(self):
        valor = self.cleaned_data["patron"].strip()
        try:
            re.compile(valor)
        except re.error:
            raise forms.ValidationError("El patrón no es una expresión regular válida.") from None
        return valor


@admin.register(DeduccionPrestamo)
class DeduccionPrestamoAdmin(admin.ModelAdmin):
    """How each dependencia's payslips name the loan's deduction (default: 004 and préstamo/crédito)."""

    form = DeduccionPrestamoForm
    list_display = ("dependencia", "tipo_deduccion", "patron")
    search_fields = ("dependencia__clave", "dependencia__nombre")
    autocomplete_fields = ("dependencia",)
