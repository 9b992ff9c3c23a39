from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from fopi import documentos, services
from fopi.forms import FopiForm
from fopi.models import Fopi
from fopi.referencia import vigencia_para
from prestamos.acceso import derechohabiente_requerido, respuesta_pdf
from prestamos.models import Prestamo
from prestamos.selectors import vistas_prestamos


def _fopi_propio(request, pk: int) -> Fopi:
    return get_object_or_404(
        Fopi.objects.select_related("prestamo__derechohabiente"),
        pk=pk,
        prestamo__derechohabiente=request.derechohabiente,
    )


@derechohabiente_requerido
def fopi_lista(request):
    hoy = timezone.localdate()
    fopis = Fopi.objects.filter(prestamo__derechohabiente=request.derechohabiente).select_related("prestamo")
    filas = [(f, Fopi.Estado(f.estado_al(hoy)).label) for f in fopis]
    return render(request, "fopi/lista.html", {"filas": filas})


@derechohabiente_requerido
def fopi_nuevo(request):
    hoy = timezone.localdate()
    prestamos = list(
        Prestamo.objects.filter(derechohabiente=request.derechohabiente)
        .exclude(estado=Prestamo.Estado.LIQUIDADO)
        .select_related("dependencia")
    )
    vistas = {v.prestamo.folio: v for v in vistas_prestamos(prestamos, hoy)}
    vigencia = vigencia_para(hoy)
    datos = request.POST if request.method == "POST" else (request.GET if "tipo" in request.GET else None)
    form = FopiForm(datos, prestamos=prestamos, initial={"prestamo": prestamos[0].folio if prestamos else None})
    efecto = None
    if datos is not None and form.is_valid():
        vista = vistas[form.cleaned_data["prestamo"]]
        try:
            if request.method == "POST":
                fopi = services.fopi_emitir(
                    prestamo=vista.prestamo,
                    tipo=form.cleaned_data["tipo"],
                    importe=form.cleaned_data["importe"],
                    usuario=request.user,
                    hoy=hoy,
                    incluir_pendientes=form.cleaned_data["incluir_pendientes"],
                )
                return redirect("fopi_detalle", pk=fopi.pk)
            importe, _ = services.importe_para(
                tipo=form.cleaned_data["tipo"], posicion=vista.posicion, contexto=vista.contexto,
                hoy=hoy, importe=form.cleaned_data["importe"],
                incluir_pendientes=form.cleaned_data["incluir_pendientes"],
            )
            if form.cleaned_data["tipo"] == Fopi.Tipo.PARCIAL:
                efecto = services.efecto_parcial(
                    posicion=vista.posicion, contexto=vista.contexto, importe=importe, vigencia=vigencia
                )
        except ValidationError as error:
            form.add_error(None, error)
    liquidaciones = [(v, v.posicion.liquidacion(vigencia, v.contexto)) for v in vistas.values()]
    return render(
        request,
        "fopi/nuevo.html",
        {"form": form, "vigencia": vigencia, "liquidaciones": liquidaciones, "efecto": efecto, "prestamos": prestamos},
    )


@derechohabiente_requerido
def fopi_detalle(request, pk: int):
    fopi = _fopi_propio(request, pk)
    estado = Fopi.Estado(fopi.estado_al(timezone.localdate())).label
    return render(request, "fopi/detalle.html", {"fopi": fopi, "estado": estado})


@derechohabiente_requerido
def fopi_descargar(request, pk: int):
    fopi = _fopi_propio(request, pk)
    return respuesta_pdf(documentos.fopi_pdf(fopi), f"fopi-{fopi.referencia}.pdf")
