from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from prestamos.models import Derechohabiente


def derechohabiente_requerido(vista):
    """Borrower pages: the logged-in account's padrón entry becomes `request.derechohabiente`."""

    @login_required
    @wraps(vista)
    def envoltura(request, *args, **kwargs):
        derechohabiente = Derechohabiente.objects.filter(usuario=request.user).select_related("dependencia").first()
        if derechohabiente is None:
            return render(request, "recuperacion/sin_padron.html", status=403)
        request.derechohabiente = derechohabiente
        return vista(request, *args, **kwargs)

    return envoltura


def respuesta_pdf(contenido: bytes, nombre: str) -> HttpResponse:
    respuesta = HttpResponse(contenido, content_type="application/pdf")
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    return respuesta
