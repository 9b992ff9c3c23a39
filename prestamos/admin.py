from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from oficina.admin_base import (
    AbrirConsolaMixin,
    RecientesFilter,
    SoloLecturaMixin,
    columna_fecha,
    columna_moneda,
    columna_periodo,
    columna_prestamo,
    filtro_si_no,
    pedir_motivo,
)
from oficina.formatos import formato_moneda
from prestamos import correcciones, vista_previa
from prestamos.models import (
    ArchivoAplicado,
    Carga,
    Dependencia,
    Derechohabiente,
    Movimiento,
    ParametroMora,
    Prestamo,
    Remesa,
)


@admin.register(Dependencia)
class DependenciaAdmin(admin.ModelAdmin):
    list_display = ("clave", "nombre", "rfc")
    search_fields = ("clave", "nombre", "rfc")


class TieneCuentaFilter(admin.SimpleListFilter):
    title = "cuenta en la Oficina Virtual"
    parameter_name = "con_cuenta"

    def lookups(self, request, model_admin):
        return (("si", "Con cuenta"), ("no", "Sin cuenta"))

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.filter(usuario__isnull=False)
        if self.value() == "no":
            return queryset.filter(usuario__isnull=True)
        return queryset


@admin.register(Derechohabiente)
class DerechohabienteAdmin(AbrirConsolaMixin, admin.ModelAdmin):
    ruta_derechohabiente = ("pk",)
    list_display = (
        "curp", "nombre", "primer_apellido", "segundo_apellido", "dependencia", "tiene_cuenta", "abrir_consola",
    )
    list_filter = (TieneCuentaFilter, "dependencia")
    search_fields = ("=curp", "nombre", "primer_apellido", "segundo_apellido", "rfc")
    list_select_related = ("dependencia", "usuario")
    raw_id_fields = ("usuario",)
    autocomplete_fields = ("dependencia",)

    @admin.display(boolean=True, description="cuenta")
    def tiene_cuenta(self, obj):
        return obj.usuario_id is not None


class MontosDeMovimiento:
    """A movement's amounts as money, for the lists that show them."""

    importe_moneda = columna_moneda("importe", "importe recibido")
    moratorios_moneda = columna_moneda("moratorios", "a moratorios")
    interes_moneda = columna_moneda("interes", "a interés")
    capital_moneda = columna_moneda("capital", "a capital")
    excedente_moneda = columna_moneda("excedente", "excedente")


class MovimientoInline(MontosDeMovimiento, SoloLecturaMixin, admin.TabularInline):
    model = Movimiento
    fields = (
        "fecha_valor", "tipo", "importe_moneda", "moratorios_moneda", "interes_moneda", "capital_moneda",
        "excedente_moneda", "origen", "registrado_por", "creado",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(Prestamo)
class PrestamoAdmin(AbrirConsolaMixin, SoloLecturaMixin, admin.ModelAdmin):
    # Fits 1280 px with the filters: the borrower's name over their CURP, the dependencia by its clave.
    list_display = (
        "folio", "titular", "tipo", "importe_moneda", "cuota_moneda", "estado", "clave_dependencia", "otorgado",
        "abrir_consola",
    )
    list_filter = ("estado", "tipo", "dependencia")
    search_fields = ("=folio", "=derechohabiente__curp", "derechohabiente__primer_apellido")
    list_select_related = ("derechohabiente", "dependencia")
    show_full_result_count = False
    inlines = [MovimientoInline]
    actions = ["condonar_moratorios"]
    readonly_fields = (
        "situacion", "tabla_amortizacion", "importe_otorgado", "tasa", "descuento", "primer_periodo", "estado_al_cargar",
    )
    fieldsets = (
        (None, {"fields": ("folio", "derechohabiente", "dependencia", "tipo", "estado", "fecha_liquidacion")}),
        ("Condiciones", {"fields": ("importe_otorgado", "tasa", "plazo", "descuento", "fecha_otorgamiento",
                                    "primer_periodo", "quincenas_pagadas_inicial", "estado_al_cargar")}),
        ("Situación al día de hoy", {"fields": ("situacion",)}),
        ("Tabla de amortización", {"classes": ("collapse",), "fields": ("tabla_amortizacion",)}),
    )

    importe_moneda = columna_moneda("importe", "importe otorgado")
    cuota_moneda = columna_moneda("cuota", "descuento")
    otorgado = columna_fecha("fecha_otorgamiento", "otorgado")

    @admin.display(description="derechohabiente", ordering="derechohabiente__primer_apellido")
    def titular(self, obj):
        return format_html("{}<small>{}</small>", obj.derechohabiente.nombre_completo, obj.derechohabiente.curp)

    @admin.display(description="dependencia", ordering="dependencia__clave")
    def clave_dependencia(self, obj):
        return format_html('<span title="{}">{}</span>', obj.dependencia.nombre, obj.dependencia.clave)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.readonly_fields)

    # The terms as people read them: money with "$", the rate with "%", the period in words.
    @admin.display(description="importe otorgado")
    def importe_otorgado(self, obj):
        return formato_moneda(obj.importe)

    @admin.display(description="descuento por periodo")
    def descuento(self, obj):
        return formato_moneda(obj.cuota)

    @admin.display(description="tasa anual")
    def tasa(self, obj):
        return f"{obj.tasa_anual} %"

    @admin.display(description="primer periodo")
    def primer_periodo(self, obj):
        return obj.primera_quincena.en_palabras

    @admin.display(description="estado al cargar")
    def estado_al_cargar(self, obj):
        return Prestamo.Estado(obj.estado_inicial).label if obj.estado_inicial in Prestamo.Estado.values else obj.estado_inicial

    def _vista(self, obj):
        if not hasattr(obj, "_vista_cache"):
            from prestamos.selectors import vistas_prestamos

            obj._vista_cache = vistas_prestamos([obj], timezone.localdate())[0]
        return obj._vista_cache

    @admin.action(description="Condonar moratorios (Supervisión)", permissions=["condonar"])
    def condonar_moratorios(self, request, queryset):
        """A ledger entry per loan waives every moratorio it owes today, with the reason typed (audited)."""

        def condonar(prestamo, motivo):
            correcciones.condonar_moratorios(prestamo=prestamo, motivo=motivo, usuario=request.user)

        return pedir_motivo(self, request, queryset, titulo="Condonar moratorios", accion="condonar_moratorios",
                            aplicar=condonar, hecho="Moratorios condonados")

    def has_condonar_permission(self, request):
        return request.user.has_perm("prestamos.condonar_moratorios")

    @admin.display(description="situación")
    def situacion(self, obj):
        v = self._vista(obj)
        return format_html(
            "Saldo deudor total: <strong>{}</strong> · capital insoluto {} · moratorios {} · "
            "quincenas pagadas {} / por pagar {} · estado {} · quincenas omitidas: {}",
            formato_moneda(v.saldo_deudor), formato_moneda(v.capital_insoluto), formato_moneda(v.moratorios),
            v.cuotas_pagadas, v.cuotas_por_pagar, v.estado_texto,
            ", ".join(str(o.periodo) for o in v.omisiones) or "ninguna",
        )

    @admin.display(description="tabla")
    def tabla_amortizacion(self, obj):
        filas = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (f.numero, f.periodo.descripcion, formato_moneda(f.cuota), formato_moneda(f.interes),
                 formato_moneda(f.capital), formato_moneda(f.saldo), f.estado.etiqueta)
                for f in self._vista(obj).tabla()
            ),
        )
        return format_html(
            "<table><thead><tr><th>Núm.</th><th>Quincena</th><th>Cuota</th><th>Interés</th><th>Capital</th>"
            "<th>Saldo</th><th>Estado</th></tr></thead><tbody>{}</tbody></table>",
            filas,
        )


@admin.register(Movimiento)
class MovimientoAdmin(AbrirConsolaMixin, MontosDeMovimiento, SoloLecturaMixin, admin.ModelAdmin):
    ruta_derechohabiente = ("prestamo", "derechohabiente_id")
    folio_prestamo = columna_prestamo
    list_display = (
        "folio_prestamo", "fecha_valor", "tipo", "importe_moneda", "moratorios_moneda", "interes_moneda", "capital_moneda",
        "excedente_moneda", "origen", "creado",
    )
    list_filter = ("tipo",)
    search_fields = ("=prestamo__folio", "=prestamo__derechohabiente__curp")
    list_select_related = ("prestamo",)
    date_hierarchy = "fecha_valor"
    show_full_result_count = False


@admin.register(ParametroMora)
class ParametroMoraAdmin(admin.ModelAdmin):
    """Editable by CAPP: a new row starts to hold on its date; past rows stay for the record."""

    list_display = ("vigente_desde", "dias_gracia", "factor", "registrado_por", "creado")
    fields = ("vigente_desde", "dias_gracia", "factor")

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Who may (Supervisión, docs/reglas.md §3), and also: a value that already holds stays as it was; only
        # one that starts in the future can be fixed.
        return super().has_change_permission(request, obj) and (obj is None or obj.vigente_desde > timezone.localdate())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.registrado_por = request.user
        super().save_model(request, obj, form, change)


@admin.register(Remesa)
class RemesaAdmin(SoloLecturaMixin, admin.ModelAdmin):
    list_display = ("dependencia", "quincena_periodo", "filas", "total_moneda", "cargada", "cargada_por", "archivo")
    list_filter = ("quincena", "dependencia")
    search_fields = ("=quincena", "dependencia__clave", "dependencia__nombre")
    list_select_related = ("dependencia", "cargada_por")
    total_moneda = columna_moneda("total", "total")
    quincena_periodo = columna_periodo("quincena", "periodo")


@admin.register(ArchivoAplicado)
class ArchivoAplicadoAdmin(SoloLecturaMixin, admin.ModelAdmin):
    """Files that moved money; Supervisión reverses one here (the same as `importar --revertir`)."""

    list_display = ("nombre", "tipo", "cargado", "cargado_por", "revertido", "revertido_por", "motivo_reversion")
    list_filter = ("tipo", filtro_si_no("revertido", "revertido"))
    search_fields = ("nombre", "=sha256")
    actions = ["revertir"]

    @admin.action(description="Revertir lo que aplicó este archivo (Supervisión)", permissions=["revertir"])
    def revertir(self, request, queryset):
        from oficina.importacion import ArchivoRechazado, revertir_aplicado

        def aplicar(archivo, motivo):
            try:
                revertir_aplicado(archivo, motivo=motivo, usuario=request.user)
            except ArchivoRechazado as exc:
                raise ValidationError([e.motivo for e in exc.errores])

        def previa(archivo):
            return vista_previa.reversion(archivo, usuario=request.user, hoy=timezone.localdate())

        return pedir_motivo(self, request, queryset, titulo="Revertir archivos", accion="revertir", aplicar=aplicar,
                            hecho="Archivo revertido", vista_previa=previa)

    def has_revertir_permission(self, request):
        return request.user.has_perm("prestamos.revertir_archivoaplicado")


class CargasRecientesFilter(RecientesFilter):
    CAMPO = "creada"


class CargaConErrorFilter(admin.SimpleListFilter):
    """Rejected (a line was wrong) or failed (the job broke): nothing of the file was loaded; someone must look."""

    title = "resultado"
    parameter_name = "error"
    CON_ERROR = (Carga.Estado.RECHAZADA, Carga.Estado.FALLIDA)

    def lookups(self, request, model_admin):
        return (("si", "Con error (no se cargó nada)"), ("no", "Sin error"))

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.filter(estado__in=self.CON_ERROR)
        if self.value() == "no":
            return queryset.exclude(estado__in=self.CON_ERROR)
        return queryset


@admin.register(Carga)
class CargaAdmin(SoloLecturaMixin, admin.ModelAdmin):
    """The uploads, as a list: "Cargas con error" on the desk is it filtered (failed or rejected, last 7 days).
    Each opens on its progress page, which lists the lines rejected and offers to retry."""

    list_display = ("nombre_enlace", "estado", "creada_por", "creada", "terminada")
    list_filter = (CargasRecientesFilter, CargaConErrorFilter, "estado")
    search_fields = ("nombre",)
    list_select_related = ("creada_por",)
    list_display_links = None
    show_full_result_count = False

    @admin.display(description="archivo", ordering="nombre")
    def nombre_enlace(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin_carga", args=[obj.pk]), obj.nombre or "(sin nombre)")
