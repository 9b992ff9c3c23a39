import logging
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from fopi import buzon, documentos, notificacion, selectors, services, spei
from fopi.clabe import clabe_agrupada
from fopi.forms import FopiForm
from fopi.models import Fopi
from fopi.referencia import referencia_en_grupos, vigencia_para
from oficina import metricas
from oficina.replica import lectura_en_replica
from prestamos.acceso import derechohabiente_requerido, respuesta_pdf
from prestamos.models import Prestamo
from prestamos.selectors import prestamos_de, vistas_prestamos

logger = logging.getLogger(__name__)


def _fopi_propio(request, pk: int) -> Fopi:
    fopi = get_object_or_404(
        Fopi.objects.select_related("prestamo"),
        pk=pk,
        prestamo__derechohabiente=request.derechohabiente,
    )
    # The loan's borrower is the one asking (the filter says so), already read for the request: not joined again.
    fopi.prestamo.derechohabiente = request.derechohabiente
    return fopi


@derechohabiente_requerido
@lectura_en_replica
def fopi_lista(request):
    hoy = timezone.localdate()
    fopis = list(Fopi.objects.filter(prestamo__derechohabiente=request.derechohabiente).select_related("prestamo"))
    return render(request, "fopi/lista.html", {"vistas": selectors.vistas_fopi(fopis, hoy=hoy)})


@derechohabiente_requerido
def fopi_nuevo(request):
    hoy = timezone.localdate()
    # The statement's read of the borrower's loans (fixed SQL on PostgreSQL, the same order): those not settled.
    prestamos = [p for p in prestamos_de(request.derechohabiente.pk) if p.estado != Prestamo.Estado.LIQUIDADO]
    vistas = {v.prestamo.folio: v for v in vistas_prestamos(prestamos, hoy)}
    vigencia = vigencia_para(hoy, type(prestamos[0].primera_quincena)) if prestamos else vigencia_para(hoy)
    # "Calcular qué hace mi pago" posts too (accion=calcular): a GET would put the CSRF token and the amount in
    # the address bar and the browser's history.
    datos = request.POST if request.method == "POST" else None
    calcular = datos is not None and datos.get("accion") == "calcular"
    form = FopiForm(
        datos,
        prestamos=prestamos,
        tipos={folio: selectors.tipos_para(v) for folio, v in vistas.items()},
        initial={"prestamo": prestamos[0].folio if prestamos else None},
        con_en_espera=any(
            services.regularizacion(posicion=v.posicion, contexto=v.contexto, hoy=hoy).en_espera
            for v in vistas.values()
        ),
    )
    efecto = None
    vista = None
    if datos is not None and form.is_valid():
        vista = vistas[form.cleaned_data["prestamo"]]
        try:
            if not calcular:
                fopi = services.fopi_emitir(
                    prestamo=vista.prestamo,
                    tipo=form.cleaned_data["tipo"],
                    importe=form.cleaned_data["importe"],
                    usuario=request.user,
                    hoy=hoy,
                    incluir_pendientes=form.cleaned_data.get("incluir_pendientes", False),
                )
                return redirect("fopi_detalle", pk=fopi.pk)
            importe, _ = services.importe_para(
                tipo=form.cleaned_data["tipo"],
                posicion=vista.posicion,
                contexto=vista.contexto,
                hoy=hoy,
                importe=form.cleaned_data["importe"],
                incluir_pendientes=form.cleaned_data.get("incluir_pendientes", False),
            )
            if form.cleaned_data["tipo"] == Fopi.Tipo.PARCIAL:
                efecto = services.efecto_parcial(
                    posicion=vista.posicion, contexto=vista.contexto, importe=importe, hoy=hoy, fecha_pago=vigencia
                )
        except ValidationError as error:
            form.add_error(None, error)
    liquidaciones = [(v, v.posicion.liquidacion(vigencia, v.contexto)) for v in vistas.values()]
    return render(
        request,
        "fopi/nuevo.html",
        {
            "form": form,
            "vigencia": vigencia,
            "liquidaciones": liquidaciones,
            "efecto": efecto,
            "vista": vista,
            "prestamos": prestamos,
        },
    )


@derechohabiente_requerido
@lectura_en_replica
def fopi_detalle(request, pk: int):
    fopi = _fopi_propio(request, pk)
    (vista,) = selectors.vistas_fopi([fopi], hoy=timezone.localdate())
    contexto = {
        "fopi": fopi,
        "vista": vista,
        "por_pagar": vista.estado.por_pagar,
        "clabe_grupos": clabe_agrupada(fopi.clabe) if fopi.clabe else (),
        "referencia_grupos": referencia_en_grupos(fopi.referencia),
        "bancos": selectors.bancos_autorizados() if vista.estado.por_pagar else (),
        "beneficiario": settings.SPEI_BENEFICIARIO,
    }
    return render(request, "fopi/detalle.html", contexto)


@derechohabiente_requerido
@lectura_en_replica
def fopi_descargar(request, pk: int):
    fopi = _fopi_propio(request, pk)
    marca = selectors.marca_de(fopi, hoy=timezone.localdate())
    return respuesta_pdf(documentos.fopi_pdf(fopi, marca=marca), f"fopi-{fopi.referencia}.pdf")


@derechohabiente_requerido
@lectura_en_replica
def pago_lista(request):
    """Mis pagos: every payment received for the borrower's loans, applied or not (docs/reglas.md §13)."""
    return render(request, "fopi/pagos.html", {"pagos": selectors.pagos_recibidos(request.derechohabiente)})


@derechohabiente_requerido
@lectura_en_replica
def avisos(request):
    """Every notice e-mailed to the borrower, newest first (docs/reglas.md §13)."""
    return render(request, "fopi/avisos.html", {"avisos": buzon.avisos_de(request.derechohabiente)})


@derechohabiente_requerido
@lectura_en_replica
def pago_comprobante(request, pk: int):
    pago = get_object_or_404(
        selectors.pagos_aplicados(request.derechohabiente).select_related("prestamo__derechohabiente"), pk=pk
    )
    return respuesta_pdf(documentos.comprobante_pdf(pago), f"comprobante-{documentos.folio_comprobante(pago)}.pdf")


def _respuesta_spei(datos: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(datos, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def spei_abonos(request):
    """The endpoint below, timed and counted by outcome (oficina.metricas, README "Operación")."""
    inicio = time.perf_counter()
    respuesta = _spei_abonos(request)
    resultado = getattr(respuesta, "resultado_spei", "rechazado")
    metricas.SPEI_AVISOS.labels(resultado).inc()
    metricas.SPEI_SEGUNDOS.labels(resultado).observe(time.perf_counter() - inicio)
    return respuesta


def _spei_abonos(request):
    """STP-style deposit notifications (docs/reglas.md §11). Signed by the bank, not by a browser: no CSRF token.

    Always answered in JSON: 403 for a bad or missing signature, 400 (with the reason) for a body that is
    not a notification; "confirmar" once the deposit is recorded, or when it had been already; "devolver" with
    STP's cause when it must go back to its sender (fopi/spei.py).
    """
    if request.method != "POST":
        respuesta = _respuesta_spei({"error": "Envía las notificaciones con POST."}, 405)
        respuesta["Allow"] = "POST"
        return respuesta
    try:
        cuerpo = request.body
    except RequestDataTooBig:
        return _respuesta_spei({"error": "La notificación es demasiado grande."}, 400)
    if not notificacion.firma_valida(cuerpo, request.headers.get("X-Firma", ""), settings.SPEI_SECRETO):
        if not settings.SPEI_SECRETO:
            logger.error("Notificación SPEI rechazada: SPEI_SECRETO no está configurado.")
        return _respuesta_spei({"error": "Firma inválida."}, 403)
    try:
        abono = notificacion.leer(cuerpo)
    except notificacion.NotificacionInvalida as error:
        return _respuesta_spei({"error": str(error)}, 400)
    recepcion = spei.abono_recibir(abono=abono)
    if recepcion.devolver is not None:
        respuesta = _respuesta_spei({"mensaje": "devolver", "id": recepcion.devolver})
    else:
        respuesta = _respuesta_spei({"mensaje": "confirmar"})
    respuesta.resultado_spei = spei.resultado(recepcion)
    return respuesta
