import csv
import io
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify

from oficina.importacion.lector import importadores
from prestamos import cargas
from prestamos.models import Carga

TAMANIO_MAXIMO = 500 * 1024 * 1024


class CargaForm(forms.Form):
    archivo = forms.FileField(
        label="Archivo CSV",
        help_text="dependencias, derechohabientes, préstamos, descuentos (remesa) o pagos bancarios; "
        "el tipo se reconoce por el encabezado.",
    )

    def clean_archivo(self):
        archivo = self.cleaned_data["archivo"]
        if archivo.size > TAMANIO_MAXIMO:
            raise forms.ValidationError("El archivo excede 500 MB; cárgalo con `manage.py importar`.")
        return archivo


# What each kind of file is for and a row that loads (docs/reglas.md §8, §11, §12), by the importer's `tipo`. The
# columns themselves come from the importers, so this page can never offer a header they would refuse.
EJEMPLOS = {
    "dependencias": (
        "El catálogo de dependencias que descuentan por nómina (también la nómina de pensiones). La columna «rfc» es "
        "opcional: el RFC que emite los CFDI de sus recibos de nómina (docs/reglas.md §18).",
        [["SEP", "Secretaría de Educación Pública", "SEP850101AB1"], ["PENSIONES", "Nómina de pensiones del ISSSTE", ""]],
    ),
    "derechohabientes": (
        "El padrón: sólo una CURP que está aquí puede registrarse. La columna «tipo» es opcional: TRABAJADOR (si se "
        "omite) o PENSIONADO.",
        [["GAML850312MDFRPR02", "María Luisa", "García", "Martínez", "GAML850312AB4", "SEP", "TRABAJADOR"]],
    ),
    "préstamos": (
        "Los préstamos otorgados, con su estado al cargarlos. Para pensionados, los periodos son meses (AAAA-Mnn): "
        "usa el encabezado alterno, con «plazo» y «primer_periodo».",
        [["20260000001", "GAML850312MDFRPR02", "ORDINARIO", "30000.00", "11.50", "48", "2026-01-08", "2026-Q02",
          "VIGENTE", "0", ""]],
    ),
    "descuentos": (
        "La remesa de una dependencia: lo que descontó en una quincena (o un mes, en la nómina de pensiones).",
        [["SEP", "2026-Q12", "20260000001", "GAML850312MDFRPR02", "701.12"]],
    ),
    "pagos bancarios": (
        "El archivo de pagos de un banco: cada pago con la referencia del FOPI que se pagó.",
        [["BBVA México", "A1234567", "2026-07-20", "0002026000000101234567", "1426.08"]],
    ),
}


@dataclass(frozen=True)
class Formato:
    tipo: str
    descripcion: str
    encabezados: list[str]  # the header, and any other header the importer accepts
    ejemplo: list[list[str]]
    opcionales: tuple[str, ...]

    @property
    def slug(self) -> str:
        return slugify(self.tipo)

    @property
    def plantilla(self) -> str:
        return _csv([self.encabezados[0].split(","), *self.ejemplo])


def _csv(filas) -> str:
    salida = io.StringIO()
    csv.writer(salida, lineterminator="\n").writerows(filas)
    return salida.getvalue()


def formatos() -> list[Formato]:
    lista = []
    for clase in importadores():
        descripcion, ejemplo = EJEMPLOS.get(clase.tipo, ("", []))
        completo = ",".join(clase.columnas + clase.opcionales)
        encabezados = [completo]
        if clase.alias:  # the same columns by their other names (a pensioner's loans count months)
            inverso = {destino: origen for origen, destino in clase.alias.items()}
            encabezados.append(",".join(inverso.get(c, c) for c in clase.columnas + clase.opcionales))
        lista.append(Formato(clase.tipo, descripcion, encabezados, ejemplo, clase.opcionales))
    return lista


def plantilla(request, tipo: str):
    """A template CSV of one kind of file: its header and an example row, to fill in and upload."""
    _permitido(request)
    formato = next((f for f in formatos() if f.slug == tipo), None)
    if formato is None:
        raise Http404("No hay un tipo de archivo con ese nombre.")
    respuesta = HttpResponse(formato.plantilla.encode("utf-8"), content_type="text/csv; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="plantilla-{formato.slug}.csv"'
    return respuesta


def _permitido(request) -> None:
    if not request.user.has_perm("prestamos.add_carga"):
        raise PermissionDenied


def cargar_archivo(request):
    """CAPP staff upload any data file; it is loaded by a background job through the importer."""
    _permitido(request)
    form = CargaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        carga = cargas.carga_crear(archivo=form.cleaned_data["archivo"], usuario=request.user)
        return redirect("admin_carga", pk=carga.pk)
    contexto = {
        **admin.site.each_context(request),
        "title": "Cargar archivo de datos",
        "form": form,
        "recientes": Carga.objects.select_related("creada_por")[:10],
        "formatos": formatos(),
    }
    return TemplateResponse(request, "admin/cargar_archivo.html", contexto)


def carga(request, pk: int):
    """Progress of one upload; refreshes itself (no JavaScript) until the job ends."""
    _permitido(request)
    carga = get_object_or_404(Carga, pk=pk)
    hechas, total = cargas.progreso(carga.pk)
    contexto = {
        **admin.site.each_context(request),
        "title": f"Carga de {carga.nombre}",
        "carga": carga,
        "hechas": hechas,
        "total": total,
        "errores": carga.errores.splitlines(),
    }
    return TemplateResponse(request, "admin/carga.html", contexto)
