from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from fopi import selectors as fopi_selectors
from fopi import services as fopi_services
from fopi.models import Fopi
from oficina.calendario import dias_habiles_despues
from oficina.formatos import formato_fecha, formato_moneda
from oficina.limites import excede_limite
from oficina.replica import lectura_en_replica
from oficina.verificacion import agrupado, normalizar
from prestamos.acceso import derechohabiente_requerido, respuesta_pdf
from prestamos.models import Prestamo
from prestamos.selectors import ACTIVOS
from prestamos.services import prestamo_abonar_saldo
from recuperacion import aclaraciones as servicio_aclaraciones
from recuperacion import acuses, devoluciones, documentos, partes, selectors, talones, verificacion
from recuperacion.formularios import AclaracionForm, SolicitudDevolucionForm
from recuperacion.grafica import grafica_saldo
from recuperacion.models import EXTENSIONES_TALON, SolicitudDevolucion
from recuperacion.talones import LimiteDeTalon


@derechohabiente_requerido
@lectura_en_replica
def recuperacion(request):
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate())
    return render(request, "recuperacion/inicio.html", {"estado": estado})


@derechohabiente_requerido
@lectura_en_replica
def estado_cuenta(request):
    """The statement. The loan in force's terms, chart, movements and table come from the cache when its
    ledger, row and the date are those they were drawn from (recuperacion/partes.py); the rest is drawn now.
    The loans are read by owner first: a borrower only ever reaches their own loans' entries."""
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate(), con_partes=True)
    vigente = estado.vigente
    comprobantes = fopi_selectors.comprobantes([vigente] if vigente else [])
    contexto = {
        "estado": estado,
        "vigente": vigente,
        "detalle": partes.detalle(vigente, comprobantes) if vigente else None,
    }
    return render(request, "recuperacion/estado_cuenta.html", contexto)


@derechohabiente_requerido
@lectura_en_replica
def estado_cuenta_pdf(request):
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate())
    return respuesta_pdf(documentos.estado_cuenta_pdf(estado), f"estado-de-cuenta-{estado.hoy:%Y%m%d}.pdf")


@derechohabiente_requerido
@lectura_en_replica
def prestamo(request, folio: str):
    vista = selectors.prestamo_del_derechohabiente(
        derechohabiente=request.derechohabiente, folio=folio, hoy=timezone.localdate()
    )
    contexto = {"vista": vista, "grafica": grafica_saldo(vista.serie_saldo()), "comprobantes": fopi_selectors.comprobantes([vista])}
    return render(request, "recuperacion/prestamo.html", contexto)


@derechohabiente_requerido
@lectura_en_replica
def carta_liquidacion(request, folio: str):
    vista = selectors.prestamo_del_derechohabiente(
        derechohabiente=request.derechohabiente, folio=folio, hoy=timezone.localdate()
    )
    if not vista.liquidado:
        return render(request, "recuperacion/sin_carta.html", {"vista": vista}, status=404)
    documento = verificacion.emitir_carta_liquidacion(
        prestamo=vista.prestamo, fecha_liquidacion=vista.posicion.fecha_liquidacion, hoy=timezone.localdate()
    )
    return respuesta_pdf(documentos.carta_liquidacion_pdf(vista, documento), f"carta-liquidacion-{folio}.pdf")


@derechohabiente_requerido
@lectura_en_replica
def aviso_suspension(request, folio: str):
    """For the dependencia's payroll office: stop deducting this paid-off loan (docs/reglas.md §9)."""
    vista = selectors.prestamo_del_derechohabiente(
        derechohabiente=request.derechohabiente, folio=folio, hoy=timezone.localdate()
    )
    if not vista.liquidado:
        return render(request, "recuperacion/sin_aviso.html", {"vista": vista}, status=404)
    documento = verificacion.emitir_aviso_suspension(
        prestamo=vista.prestamo, fecha_liquidacion=vista.posicion.fecha_liquidacion, hoy=timezone.localdate()
    )
    return respuesta_pdf(documentos.aviso_suspension_pdf(vista, documento), f"aviso-suspension-descuentos-{folio}.pdf")


@derechohabiente_requerido
@lectura_en_replica
def constancia_no_adeudo(request):
    """Only with no loan in force; otherwise a page that says why (the link is not shown then)."""
    hoy = timezone.localdate()
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=hoy)
    if not estado.sin_adeudo:
        return render(request, "recuperacion/sin_constancia.html", {"estado": estado}, status=409)
    documento = verificacion.emitir_constancia_no_adeudo(derechohabiente=request.derechohabiente, hoy=hoy)
    return respuesta_pdf(documentos.constancia_no_adeudo_pdf(estado, documento), f"constancia-no-adeudo-{hoy:%Y%m%d}.pdf")


# --- Public verification of issued documents (no login) -------------------------------------------------

# Per client address and minute: plenty for someone checking a pile of papers, useless for guessing codes.
LIMITE_VERIFICACIONES = 30


def _limitada(vista):
    """Public pages anyone can hit: counted per client (429 past the limit), never cached, not indexed."""

    @never_cache
    def envoltura(request, *args, **kwargs):
        if excede_limite(request, accion="verificar", limite=LIMITE_VERIFICACIONES):
            respuesta = render(request, "verificar_limite.html", {"limite": LIMITE_VERIFICACIONES}, status=429)
            respuesta["Retry-After"] = "60"
        else:
            respuesta = vista(request, *args, **kwargs)
        respuesta["X-Robots-Tag"] = "noindex, nofollow"
        return respuesta

    return envoltura


@_limitada
def verificar(request, codigo: str):
    documento = verificacion.verificar(codigo)
    if documento is None:
        return render(request, "verificar.html", {"codigo": codigo}, status=404)
    return render(request, "verificar.html", {"documento": documento, "codigo": codigo})


@_limitada
def verificar_inicio(request):
    """A form for whoever types the code from the paper instead of scanning the QR."""
    texto = request.GET.get("codigo", "")
    if not texto:
        return render(request, "verificar_inicio.html")
    codigo = normalizar(texto)
    if codigo is None:
        return render(request, "verificar.html", {"codigo": texto}, status=404)
    return redirect("verificar", codigo=agrupado(codigo))


@derechohabiente_requerido
def regularizacion(request):
    """Missing deductions per quincena, the installments still awaiting their remesa apart, and the buttons
    that issue the REGULARIZACION FOPI, with or without those (`incluir_pendientes`) (docs/reglas.md §6, §10)."""
    hoy = timezone.localdate()
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=hoy)
    if request.method == "POST":
        vista = next((v for v in estado.prestamos if v.prestamo.folio == request.POST.get("prestamo")), None)
        if vista is None:
            raise Http404("Préstamo no encontrado")
        try:
            fopi = fopi_services.fopi_emitir(
                prestamo=vista.prestamo, tipo=Fopi.Tipo.REGULARIZACION, usuario=request.user, hoy=hoy,
                incluir_pendientes=request.POST.get("incluir_pendientes") == "1",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("regularizacion")
        return redirect("fopi_detalle", pk=fopi.pk)
    return render(request, "recuperacion/regularizacion.html", {"estado": estado})


@derechohabiente_requerido
@reauthentication_required(allow_get=True)
def saldo_a_favor(request):
    """Saldo a favor per loan and the request to have it paid back by SPEI (docs/reglas.md §9).

    Sending a CLABE asks for the password again (docs/reglas.md §3, rev. 3): allauth keeps the POST while the
    borrower confirms it and then replays it here. A loan with a request in process offers no second form.
    """
    estado = selectors.estado_de_cuenta(derechohabiente=request.derechohabiente, hoy=timezone.localdate())
    solicitudes = list(
        SolicitudDevolucion.objects.filter(prestamo__derechohabiente=request.derechohabiente)
        .select_related("prestamo").order_by("-solicitada")
    )
    en_tramite = {s.prestamo_id for s in solicitudes if s.estado == SolicitudDevolucion.Estado.PENDIENTE}
    solicitables = [v for v in estado.con_saldo_a_favor if v.prestamo.pk not in en_tramite]
    formulario = SolicitudDevolucionForm(request.POST or None, prestamos=solicitables)
    if request.method == "POST" and formulario.is_valid():
        try:
            devoluciones.devolucion_solicitar(
                prestamo=formulario.vista.prestamo,
                clabe=formulario.cleaned_data["clabe"],
                titular=formulario.cleaned_data["titular"],
            )
        except ValidationError as error:
            # Each reason by its field (a wrong CLABE under the CLABE), not as a banner far from it.
            for mensaje in error.messages:
                campo = "clabe" if "CLABE" in mensaje else "titular" if "titular" in mensaje else None
                formulario.add_error(campo, mensaje)
        else:
            messages.success(request, "Recibimos tu solicitud. Te avisaremos por correo cuando hagamos la transferencia.")
            return redirect("saldo_a_favor")
    for solicitud in solicitudes:  # "En trámite": the date by which it will be paid, in business days
        solicitud.pagar_a_mas_tardar = dias_habiles_despues(
            timezone.localtime(solicitud.solicitada).date(), selectors.DIAS_HABILES_DEVOLUCION
        )
    abonables = [v for v in estado.con_saldo_a_favor if not v.liquidado and v.prestamo.pk not in en_tramite]
    return render(
        request,
        "recuperacion/saldo_a_favor.html",
        {"estado": estado, "formulario": formulario, "solicitudes": solicitudes, "abonables": abonables,
         "origenes": selectors.origenes_saldo_a_favor(estado.con_saldo_a_favor),
         "dias_devolucion": selectors.DIAS_HABILES_DEVOLUCION},
    )


@require_POST
@derechohabiente_requerido
def saldo_a_favor_abonar(request):
    """"Abonar a capital": the borrower applies their saldo a favor of one of their loans to it (docs/reglas.md §6).
    A folio that is not theirs is a 404."""
    prestamo = get_object_or_404(Prestamo, derechohabiente=request.derechohabiente, folio=request.POST.get("prestamo", ""))
    if prestamo.devoluciones.filter(estado=SolicitudDevolucion.Estado.PENDIENTE).exists():
        messages.error(request, "Ese saldo a favor tiene una devolución en trámite; cancélala primero si prefieres "
                                "abonarlo a tu préstamo.")
        return redirect("saldo_a_favor")
    try:
        movimiento = prestamo_abonar_saldo(prestamo=prestamo, usuario=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Abonamos {formato_moneda(movimiento.importe)} de tu saldo a favor a tu préstamo {prestamo.folio}: tu "
            "descuento no cambia y terminarás de pagar antes.",
        )
    return redirect("saldo_a_favor")


@require_POST
@derechohabiente_requerido
def saldo_a_favor_cancelar(request, pk: int):
    """The owner cancels a refund request still in process; any other request is a 404."""
    solicitud = get_object_or_404(SolicitudDevolucion, pk=pk, prestamo__derechohabiente=request.derechohabiente)
    try:
        devoluciones.devolucion_cancelar(solicitud=solicitud, usuario=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Cancelamos tu solicitud de devolución. Puedes solicitarla de nuevo con la CLABE correcta.")
    return redirect("saldo_a_favor")


# --- Aclaraciones (docs/reglas.md §10) --------------------------------------------------------------------


@never_cache
@derechohabiente_requerido
def aclaraciones(request):
    """The borrower's aclaraciones with their state and each answer."""
    lista = servicio_aclaraciones.aclaraciones_de(request.derechohabiente)
    return render(request, "recuperacion/aclaraciones.html", {"aclaraciones": lista})


@csrf_exempt  # checked below, once the upload handler is in place (Django's documented pattern)
def aclaracion_nueva(request):
    """File an aclaración. The size limit is enforced while the upload is read, before anything reads the
    body, so a 50 MB "payslip" is never kept (recuperacion/talones.py)."""
    try:
        request.upload_handlers.insert(0, LimiteDeTalon(request))
    except AttributeError:  # the body was already read (it cannot be, here); the form refuses it anyway
        pass
    return _aclaracion_nueva(request)


@csrf_protect
@never_cache
@derechohabiente_requerido
def _aclaracion_nueva(request):
    hoy = timezone.localdate()
    prestamos = list(
        Prestamo.objects.filter(derechohabiente=request.derechohabiente, estado__in=ACTIVOS)
        .order_by("-fecha_otorgamiento")
    )
    formulario = AclaracionForm(request.POST or None, request.FILES or None, prestamos=prestamos, hoy=hoy)
    if request.method == "POST" and formulario.is_valid():
        datos = formulario.cleaned_data
        try:
            aclaracion = servicio_aclaraciones.aclaracion_presentar(
                prestamo=datos["prestamo"], quincena=datos["quincena"], importe=datos["importe"],
                talon=datos["talon"], cfdi=datos["cfdi"], comentario=datos["comentario"], usuario=request.user,
                hoy=hoy,
            )
        except ValidationError as error:
            formulario.add_error(None, error)
        else:
            if aclaracion.estado == aclaracion.Estado.PROCEDENTE:
                # Ruled at once by its CFDI (docs/reglas.md §18); the e-mail with the answer is on its way.
                messages.success(
                    request,
                    f"Tu aclaración {aclaracion.folio} es procedente: {aclaracion.respuesta} "
                    f"({servicio_aclaraciones.comprobaciones_cfdi(aclaracion)}).",
                )
                return redirect("aclaraciones")
            acuses.aclaracion_recibida(aclaracion, hoy=hoy)  # the e-mail with the date of the answer (§13)
            messages.success(
                request,
                f"Recibimos tu aclaración {aclaracion.folio}. Te responderemos a más tardar el "
                f"{formato_fecha(acuses.fecha_de_respuesta(hoy))}; te avisaremos por correo cuando la resolvamos.",
            )
            return redirect("aclaraciones")
    return render(request, "recuperacion/aclaracion_nueva.html", {"formulario": formulario, "prestamos": prestamos})


@never_cache
@login_required
def talon_pagina(request, folio: str, pagina: int):
    """A page of the payslip as an image, to its borrower and to staff who review cases (404 for anyone
    else): a PDF's page drawn by poppler to PNG, a photo as the JPEG or PNG it was checked to be. Nobody's
    browser opens the PDF itself (docs/reglas.md §10)."""
    aclaracion = servicio_aclaraciones.aclaracion_con_talon_para(request.user, folio)
    if pagina not in aclaracion.paginas_talon:
        raise Http404("El talón no tiene esa página")
    with aclaracion.talon.open("rb") as archivo:
        contenido = archivo.read()
    if aclaracion.talon_es_imagen:
        imagen, tipo = contenido, aclaracion.talon_tipo
    else:
        try:
            imagen, tipo = talones.pagina_png(contenido, pagina), talones.PNG
        except talones.TalonIlegible:
            raise Http404("No pudimos mostrar esa página del talón") from None
    respuesta = HttpResponse(imagen, content_type=tipo)
    respuesta["Content-Disposition"] = f'inline; filename="talon-{aclaracion.folio}-{pagina}.{EXTENSIONES_TALON[tipo]}"'
    # Its own policy: an image, shown sandboxed (nothing in it may run, whatever its bytes also spell).
    respuesta["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return respuesta


@never_cache
@login_required
def talon_aclaracion(request, folio: str):
    """The original payslip, kept for the record: to staff who review cases only, and only as a download
    (never inline, never framed), whatever it holds. Never a public URL: files live under MEDIA_ROOT,
    which nothing serves."""
    aclaracion = servicio_aclaraciones.aclaracion_con_talon_para(request.user, folio, solo_personal=True)
    nombre = f"talon-{aclaracion.folio}.{EXTENSIONES_TALON[aclaracion.talon_tipo]}"
    respuesta = FileResponse(
        aclaracion.talon.open("rb"), as_attachment=True, filename=nombre, content_type="application/octet-stream"
    )
    respuesta["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return respuesta
