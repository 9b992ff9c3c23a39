from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from prestamos.models import Derechohabiente
from recuperacion import documentos, selectors
from recuperacion.grafica import grafica_saldo


def derechohabiente_requerido(vista):
    """Borrower pages: the logged-in account's padrón entry is `request.derechohabiente`."""

    @login_required
    @wraps(vista)
    def envoltura(request, *args, **kwargs):
        derechohabiente = Derechohabiente.objects.filter(usuario=request.user).select_related("dependencia").first()
        if derechohabiente is None:
            return render(request, "recuperacion/sin_padron.html", status=403)
        request.derechohabiente = derechohabiente
        return vista(request, *args, **kwargs)

    return envoltura


def _pdf(contenido: bytes, nombre: str) -> HttpResponse:
    respuesta = HttpResponse(contenido, content_type="application/pdf")
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    return respuesta


@derechohabiente_requerido
def recuperacion(request):
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate())
    return render(request, "recuperacion/inicio.html", {"estado": estado})


@derechohabiente_requerido
def estado_cuenta(request):
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate())
    vigente = estado.vigente
    contexto = {
        "estado": estado,
        "vigente": vigente,
        "grafica": grafica_saldo(vigente.serie_saldo()) if vigente else None,
    }
    return render(request, "recuperacion/estado_cuenta.html", contexto)


@derechohabiente_requerido
def estado_cuenta_pdf(request):
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate())
    return _pdf(documentos.estado_cuenta_pdf(estado), f"estado-de-cuenta-{estado.hoy:%Y%m%d}.pdf")


@derechohabiente_requerido
def prestamo(request, folio: str):
    vista = selectors.prestamo_del_derechohabiente(
        derechohabiente=request.derechohabiente, folio=folio, hoy=timezone.localdate()
    )
    contexto = {"vista": vista, "grafica": grafica_saldo(vista.serie_saldo())}
    return render(request, "recuperacion/prestamo.html", contexto)


@derechohabiente_requerido
def carta_liquidacion(request, folio: str):
    vista = selectors.prestamo_del_derechohabiente(
        derechohabiente=request.derechohabiente, folio=folio, hoy=timezone.localdate()
    )
    if not vista.liquidado:
        return render(request, "recuperacion/sin_carta.html", {"vista": vista}, status=404)
    return _pdf(documentos.carta_liquidacion_pdf(vista, hoy=timezone.localdate()), f"carta-liquidacion-{folio}.pdf")
