from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from oficina.admin_base import SoloLecturaMixin
from oficina.exportar import respuesta_csv
from prestamos.calculo import Quincena
from prestamos.cartera import CERO
from recuperacion.models import AvisoOmision, DependenciaOmisa, Descuento
from recuperacion.selectors import FilaOmisa, dependencias_omisas


@admin.register(Descuento)
class DescuentoAdmin(SoloLecturaMixin, admin.ModelAdmin):
    list_display = ("folio", "curp", "quincena", "importe", "dependencia", "cargado")
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
class AvisoOmisionAdmin(SoloLecturaMixin, admin.ModelAdmin):
    list_display = ("prestamo", "quincena", "pendiente", "detectada", "correo", "enviado")
    list_filter = ("quincena",)
    search_fields = ("=prestamo__folio", "=prestamo__derechohabiente__curp")
    list_select_related = ("prestamo",)
    show_full_result_count = False


# --- Dependencias omisas ---------------------------------------------------------------------------------

ENCABEZADO_CSV = (
    "clave", "dependencia", "quincena", "remesas", "prestamos_esperados", "descuentos_recibidos",
    "importe_esperado", "importe_recibido", "diferencia",
)


def omisas_csv(quincena: Quincena, filas: list[FilaOmisa]) -> HttpResponse:
    return respuesta_csv(
        nombre=f"dependencias-omisas-{quincena}.csv",
        encabezado=ENCABEZADO_CSV,
        filas=(
            (f.dependencia.clave, f.dependencia.nombre, quincena, f.remesas, f.prestamos_esperados,
             f.descuentos_recibidos, f.importe_esperado, f.importe_recibido, f.diferencia)
            for f in filas
        ),
    )


@admin.register(DependenciaOmisa)
class DependenciaOmisaAdmin(SoloLecturaMixin, admin.ModelAdmin):
    """A report, not a list: its changelist is the per-quincena table (linked from the admin index)."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        # Default: the last quincena already due, the one whose remesas should have arrived.
        codigo = request.GET.get("quincena") or str(Quincena.de_fecha(timezone.localdate()) + (-1))
        try:
            quincena = Quincena.parse(codigo)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect(reverse("admin:recuperacion_dependenciaomisa_changelist"))
        filas = dependencias_omisas(quincena)
        if request.GET.get("formato") == "csv":
            return omisas_csv(quincena, filas)
        contexto = {
            **self.admin_site.each_context(request),
            "title": f"Dependencias omisas — quincena {quincena.descripcion}",
            "opts": self.model._meta,
            "quincena": quincena,
            "filas": filas,
            "totales": {
                "esperado": sum((f.importe_esperado for f in filas), CERO),
                "recibido": sum((f.importe_recibido for f in filas), CERO),
                "diferencia": sum((f.diferencia for f in filas), CERO),
            },
        }
        return TemplateResponse(request, "admin/recuperacion/dependencias_omisas.html", contexto)
