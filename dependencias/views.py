"""The dependencias' portal (docs/reglas.md §16): only its own dependencias, 404 for anything else."""

import csv as csv_modulo
import io
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dependencias import cedula
from dependencias.acceso import es_dependencia
from dependencias.models import AccesoDependencia, AcuseSuspension, UsuarioDependencia
from dependencias.recordatorios import tipo_periodo
from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.acceso import respuesta_pdf
from prestamos.models import Dependencia, Prestamo, Remesa
from recuperacion import documentos, selectors, verificacion
from recuperacion.models import AdeudoDependencia, AvisoOmision
from recuperacion.suspension import primera_quincena_sin_descuento


def _propias(request):
    if not es_dependencia(request.user):
        raise Http404
    return list(UsuarioDependencia.objects.get(usuario=request.user).dependencias.all())


def _dependencia(request, clave: str) -> Dependencia:
    for d in _propias(request):
        if d.clave == clave:
            return d
    raise Http404


def _periodos(dependencia: Dependencia):
    actual = tipo_periodo(dependencia.pk).de_fecha(timezone.localdate())
    return [actual, actual + 1]


def _periodo(dependencia: Dependencia, codigo: str):
    for p in _periodos(dependencia):
        if str(p) == codigo:
            return p
    raise Http404


@login_required
def inicio(request):
    dependencias = _propias(request)
    filas = [(d, _periodos(d), Remesa.objects.filter(dependencia=d).order_by("-cargada")[:20]) for d in dependencias]
    return render(request, "dependencias/inicio.html", {"dependencias": filas})


@login_required
def cedula_pagina(request, clave: str, periodo: str):
    dependencia = _dependencia(request, clave)
    p = _periodo(dependencia, periodo)
    cuantos, total = cedula.resumen(dependencia.pk, p)
    AccesoDependencia.objects.create(usuario=request.user, dependencia=dependencia,
                                     accion=AccesoDependencia.Accion.CEDULA, detalle=str(p))
    return render(request, "dependencias/cedula.html",
                  {"dependencia": dependencia, "periodo": p, "cuantos": cuantos, "total": total})


@login_required
def cedula_csv(request, clave: str, periodo: str):
    dependencia = _dependencia(request, clave)
    p = _periodo(dependencia, periodo)
    AccesoDependencia.objects.create(usuario=request.user, dependencia=dependencia,
                                     accion=AccesoDependencia.Accion.CEDULA_CSV, detalle=str(p))
    respuesta = StreamingHttpResponse(
        (t.encode() for t in cedula.csv(dependencia.clave, p, cedula.filas(dependencia.pk, p))),
        content_type="text/csv; charset=utf-8",
    )
    respuesta["Content-Disposition"] = f'attachment; filename="cedula_{dependencia.clave}_{p}.csv"'
    return respuesta


def claves_ajenas(contenido: bytes, permitidas: set[str]) -> list[str]:
    """Lines whose clave_dependencia is not one of the user's: any of them refuses the whole file."""
    try:
        lector = csv_modulo.reader(io.StringIO(contenido.decode("utf-8-sig")))
    except UnicodeDecodeError:
        return []  # the importer itself says the file is not UTF-8
    errores = []
    for linea, celdas in enumerate(lector, start=1):
        if linea == 1 or not celdas:
            continue
        clave = celdas[0].strip().upper()
        if clave not in permitidas:
            errores.append(f"Línea {linea}: la dependencia «{clave[:20]}» no es de las suyas.")
            if len(errores) >= 20:
                break
    return errores


@login_required
def cargar_remesa(request):
    dependencias = _propias(request)
    contexto = {"dependencias": dependencias}
    if request.method == "POST":
        archivo = request.FILES.get("archivo")
        if archivo is None:
            contexto["errores"] = ["Elija el archivo de la remesa (CSV)."]
        else:
            contenido = archivo.read()
            errores = claves_ajenas(contenido, {d.clave for d in dependencias})
            if errores:
                contexto["errores"] = ["No se cargó nada: el archivo tiene filas de otra dependencia.", *errores]
            else:
                antes = set(Remesa.objects.filter(dependencia__in=dependencias).values_list("pk", flat=True))
                try:
                    resumen = importar_archivo(contenido, nombre_archivo=archivo.name[:255], usuario=request.user)
                except ArchivoRechazado as exc:  # the importer's refusal: all or nothing, messages by line
                    contexto["errores"] = exc.mensaje().splitlines()[:60]
                else:
                    nuevas = Remesa.objects.filter(dependencia__in=dependencias).exclude(pk__in=antes)
                    for r in nuevas:
                        AccesoDependencia.objects.create(usuario=request.user, dependencia=r.dependencia,
                                                         accion=AccesoDependencia.Accion.REMESA,
                                                         detalle=f"{r.quincena} {archivo.name[:200]}")
                    contexto["resumen"] = resumen
                    contexto["remesas"] = nuevas
    return render(request, "dependencias/cargar_remesa.html", contexto)


# --- Descuentos omitidos y avisos de suspensión -----------------------------------------------------------

MESES_AVISOS = 6  # paid-off loans shown: those whose first period without deduction is in the last six months


@login_required
def descuentos_omitidos(request):
    dependencias = _propias(request)
    omisiones = (
        AvisoOmision.objects.filter(prestamo__dependencia__in=dependencias)
        .select_related("prestamo__dependencia", "prestamo__derechohabiente")
        .order_by("-quincena", "prestamo__folio")[:500]
    )
    adeudos = (
        AdeudoDependencia.objects.filter(dependencia__in=dependencias)
        .select_related("prestamo", "dependencia")
        .order_by("-quincena", "prestamo__folio")[:500]
    )
    return render(request, "dependencias/descuentos_omitidos.html", {"omisiones": omisiones, "adeudos": adeudos})


def _avisos(dependencias):
    desde = timezone.localdate() - timedelta(days=31 * MESES_AVISOS)
    prestamos = (
        Prestamo.objects.filter(dependencia__in=dependencias, estado=Prestamo.Estado.LIQUIDADO,
                                fecha_liquidacion__gte=desde)
        .select_related("dependencia", "derechohabiente", "acuse_suspension__usuario")
        .order_by("-fecha_liquidacion", "folio")
    )
    for p in prestamos:
        p.primera_sin_descuento = primera_quincena_sin_descuento(p.fecha_liquidacion, type(p.primera_quincena))
        p.acuse = getattr(p, "acuse_suspension", None)
    return prestamos


@login_required
def avisos_suspension(request):
    return render(request, "dependencias/avisos_suspension.html", {"avisos": _avisos(_propias(request))})


def _aviso(request, folio: str) -> Prestamo:
    for p in _avisos(_propias(request)):
        if p.folio == folio:
            return p
    raise Http404


@login_required
@require_POST
def acusar_recibo(request, folio: str):
    prestamo = _aviso(request, folio)
    AcuseSuspension.objects.get_or_create(prestamo=prestamo, defaults={"usuario": request.user})
    messages.success(request, f"Acuse de recibo registrado del aviso del préstamo {prestamo.folio}.")
    return redirect("dependencias_avisos")


@login_required
def aviso_pdf(request, folio: str):
    prestamo = _aviso(request, folio)
    hoy = timezone.localdate()
    vista = selectors.prestamo_del_derechohabiente(derechohabiente=prestamo.derechohabiente, folio=folio, hoy=hoy)
    documento = verificacion.emitir_aviso_suspension(
        prestamo=vista.prestamo, fecha_liquidacion=vista.posicion.fecha_liquidacion, hoy=hoy
    )
    AccesoDependencia.objects.create(usuario=request.user, dependencia=prestamo.dependencia,
                                     accion=AccesoDependencia.Accion.AVISO_PDF, detalle=folio)
    return respuesta_pdf(documentos.aviso_suspension_pdf(vista, documento), f"aviso-suspension-descuentos-{folio}.pdf")
