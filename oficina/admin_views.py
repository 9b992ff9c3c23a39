from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from prestamos.importacion import ArchivoRechazado, importar_archivo

TAMANIO_MAXIMO = 200 * 1024 * 1024


class CargaForm(forms.Form):
    archivo = forms.FileField(
        label="Archivo CSV",
        help_text="dependencias, derechohabientes, préstamos, descuentos (remesa) o pagos bancarios; "
        "el tipo se reconoce por el encabezado.",
    )

    def clean_archivo(self):
        archivo = self.cleaned_data["archivo"]
        if archivo.size > TAMANIO_MAXIMO:
            raise forms.ValidationError("El archivo excede 200 MB; cárgalo con `manage.py importar`.")
        return archivo


def cargar_archivo(request):
    """CAPP staff load any data file through the same all-or-nothing entry point as the command."""
    if not request.user.has_perm("prestamos.add_remesa"):
        raise PermissionDenied
    form = CargaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        archivo = form.cleaned_data["archivo"]
        try:
            resumen = importar_archivo(archivo.read(), usuario=request.user, nombre_archivo=archivo.name)
        except ArchivoRechazado as rechazo:
            for linea in rechazo.mensaje().splitlines()[:200]:
                messages.error(request, linea)
        else:
            messages.success(request, resumen.texto())
            return redirect("admin_cargar_archivo")
    contexto = {**admin.site.each_context(request), "title": "Cargar archivo de datos", "form": form}
    return TemplateResponse(request, "admin/cargar_archivo.html", contexto)
