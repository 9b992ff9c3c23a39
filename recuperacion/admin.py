import csv
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from prestamos.calculo import Quincena, round2
from prestamos.cartera import CERO
from prestamos.importacion import ArchivoRechazado, importar_archivo
from prestamos.importacion.base import INICIO_FORMULA
from prestamos.models import Dependencia, Prestamo, Remesa
from recuperacion.models import AvisoOmision, Descuento, DependenciaOmisa
from recuperacion.services import ACTIVOS


class SoloLectura:
    """Deductions and notices are records of what happened: never added or edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CargaForm(forms.Form):
    archivo = forms.FileField(label="Archivo CSV", help_text="dependencias, derechohabientes, préstamos, descuentos o pagos")


@admin.register(Descuento)
class DescuentoAdmin(SoloLectura, admin.ModelAdmin):
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

    def get_urls(self):
        carga = path("cargar/", self.admin_site.admin_view(self.cargar_archivo), name="recuperacion_cargar_archivo")
        return [carga, *super().get_urls()]

    def cargar_archivo(self, request):
        """Any data file, through the same entry point as `manage.py importar` (all or nothing)."""
        if not request.user.has_perm("recuperacion.view_descuento"):
            return HttpResponse(status=403)
        form = CargaForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            archivo = form.cleaned_data["archivo"]
            try:
                resumen = importar_archivo(archivo, usuario=request.user, nombre_archivo=archivo.name)
            except ArchivoRechazado as exc:
                for linea in exc.mensaje().splitlines():
                    messages.error(request, linea)
            else:
                messages.success(request, resumen.texto())
                return redirect("admin:recuperacion_cargar_archivo")
        contexto = {**self.admin_site.each_context(request), "form": form, "title": "Cargar archivo de datos"}
        return TemplateResponse(request, "admin/recuperacion/cargar_archivo.html", contexto)


@admin.register(AvisoOmision)
class AvisoOmisionAdmin(SoloLectura, admin.ModelAdmin):
    list_display = ("prestamo", "quincena", "pendiente", "detectada", "correo", "enviado")
    list_filter = ("quincena",)
    search_fields = ("=prestamo__folio", "=prestamo__derechohabiente__curp")
    list_select_related = ("prestamo",)
    show_full_result_count = False


# --- Dependencias omisas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilaOmisa:
    dependencia: Dependencia
    remesas: int
    prestamos_esperados: int
    descuentos_recibidos: int
    importe_esperado: Decimal
    importe_recibido: Decimal

    @property
    def diferencia(self) -> Decimal:
        return self.importe_esperado - self.importe_recibido


def dependencias_omisas(quincena: Quincena) -> list[FilaOmisa]:
    """Dependencias that sent no remesa for `quincena`, or less than their active borrowers' cuotas.

    Expected: loans VIGENTE or EN_COBRANZA whose first quincena is on or before it (codes AAAA-Qnn sort
    as dates). Received: what that quincena's remesas applied. Three grouped queries in all.
    """
    codigo = str(quincena)
    esperado = {
        fila["dependencia_id"]: fila
        for fila in Prestamo.objects.filter(estado__in=ACTIVOS, primera_quincena__lte=codigo)
        .values("dependencia_id")
        .annotate(n=Count("id"), total=Sum("cuota"))
    }
    recibido = {
        fila["dependencia_id"]: fila
        for fila in Remesa.objects.filter(quincena=codigo)
        .values("dependencia_id")
        .annotate(remesas=Count("id"), n=Sum("filas"), total=Sum("total"))
    }
    dependencias = Dependencia.objects.in_bulk(esperado.keys() | recibido.keys())
    filas = []
    for pk, dependencia in dependencias.items():
        e, r = esperado.get(pk, {}), recibido.get(pk, {})
        fila = FilaOmisa(
            dependencia=dependencia,
            remesas=r.get("remesas", 0),
            prestamos_esperados=e.get("n", 0),
            descuentos_recibidos=r.get("n") or 0,
            # round2: SQLite sums decimals as floats (886.410000000000); PostgreSQL's are exact already.
            importe_esperado=round2(e.get("total") or CERO),
            importe_recibido=round2(r.get("total") or CERO),
        )
        if (fila.remesas == 0 and fila.prestamos_esperados) or fila.diferencia > 0:
            filas.append(fila)
    return sorted(filas, key=lambda f: (-f.diferencia, f.dependencia.clave))


def celda_segura(valor) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula: a leading quote keeps it text."""
    texto = str(valor)
    return "'" + texto if texto.startswith(INICIO_FORMULA) else texto


ENCABEZADO_CSV = (
    "clave", "dependencia", "quincena", "remesas", "prestamos_esperados", "descuentos_recibidos",
    "importe_esperado", "importe_recibido", "diferencia",
)


def omisas_csv(quincena: Quincena, filas: list[FilaOmisa]) -> HttpResponse:
    respuesta = HttpResponse(content_type="text/csv; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="dependencias-omisas-{quincena}.csv"'
    escritor = csv.writer(respuesta)
    escritor.writerow(ENCABEZADO_CSV)
    for f in filas:
        escritor.writerow(
            celda_segura(v)
            for v in (
                f.dependencia.clave, f.dependencia.nombre, quincena, f.remesas, f.prestamos_esperados,
                f.descuentos_recibidos, f.importe_esperado, f.importe_recibido, f.diferencia,
            )
        )
    return respuesta


@admin.register(DependenciaOmisa)
class DependenciaOmisaAdmin(SoloLectura, admin.ModelAdmin):
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
