from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from fopi import services as fopi_services
from fopi.models import Fopi
from prestamos.acceso import derechohabiente_requerido, respuesta_pdf
from recuperacion import devoluciones, documentos, selectors
from recuperacion.formularios import SolicitudDevolucionForm
from recuperacion.grafica import grafica_saldo
from recuperacion.models import SolicitudDevolucion


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
    return respuesta_pdf(documentos.estado_cuenta_pdf(estado), f"estado-de-cuenta-{estado.hoy:%Y%m%d}.pdf")


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
    return respuesta_pdf(documentos.carta_liquidacion_pdf(vista, hoy=timezone.localdate()), f"carta-liquidacion-{folio}.pdf")


@derechohabiente_requerido
def regularizacion(request):
    """Missing deductions per quincena and one button that issues the REGULARIZACION FOPI (docs/reglas.md §6)."""
    hoy = timezone.localdate()
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=hoy)
    if request.method == "POST":
        vista = next((v for v in estado.prestamos if v.prestamo.folio == request.POST.get("prestamo")), None)
        if vista is None:
            raise Http404("Préstamo no encontrado")
        try:
            fopi = fopi_services.fopi_emitir(
                prestamo=vista.prestamo, tipo=Fopi.Tipo.REGULARIZACION, usuario=request.user, hoy=hoy
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("regularizacion")
        return redirect("fopi_detalle", pk=fopi.pk)
    regularizaciones = [
        (v, fopi_services.regularizacion(posicion=v.posicion, contexto=v.contexto, hoy=hoy))
        for v in estado.prestamos
        if v.omisiones
    ]
    return render(request, "recuperacion/regularizacion.html", {"estado": estado, "regularizaciones": regularizaciones})


@derechohabiente_requerido
def saldo_a_favor(request):
    """Saldo a favor per loan and the request to have it paid back by SPEI (docs/reglas.md §9)."""
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate())
    formulario = SolicitudDevolucionForm(request.POST or None, prestamos=estado.con_saldo_a_favor)
    if request.method == "POST" and formulario.is_valid():
        try:
            devoluciones.devolucion_solicitar(
                prestamo=formulario.vista.prestamo,
                clabe=formulario.cleaned_data["clabe"],
                titular=formulario.cleaned_data["titular"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Recibimos tu solicitud. Te avisaremos por correo cuando hagamos la transferencia.")
            return redirect("saldo_a_favor")
    solicitudes = SolicitudDevolucion.objects.filter(prestamo__derechohabiente=request.derechohabiente).select_related("prestamo")
    return render(
        request,
        "recuperacion/saldo_a_favor.html",
        {"estado": estado, "formulario": formulario, "solicitudes": list(solicitudes)},
    )
