from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

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
