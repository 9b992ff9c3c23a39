"""The dependencias' portal (docs/reglas.md §16): only its own dependencias, 404 for anything else."""

import csv as csv_modulo
import io
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dependencias import cedula
from dependencias.acceso import es_dependencia
from dependencias.models import AccesoDependencia, AcuseSuspension, UsuarioDependencia
from dependencias.recordatorios import tipo_periodo
from oficina.importacion import ArchivoRechazado, Importador, importar_archivo
from prestamos import cargas
from prestamos.acceso import respuesta_pdf
from prestamos.calculo import Periodo
from prestamos.models import Carga, Dependencia, Prestamo, Remesa
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


UMBRAL_TRABAJADOR = 256 * 1024  # larger files go to the upload worker with progress, like the admin's


def leer_remesa(contenido: bytes, permitidas: set[str]) -> tuple[list[str], dict]:
    """The file's rows of other dependencias (any of them refuses the whole file), and what it deducts per
    (clave, periodo) and folio, to tell in words what was missing and what was paid in excess."""
    try:
        lector = csv_modulo.reader(io.StringIO(contenido.decode("utf-8-sig")))
    except UnicodeDecodeError:
        return [], {}  # the importer itself says the file is not UTF-8
    errores, importes = [], {}
    for linea, celdas in enumerate(lector, start=1):
        if linea == 1 or len(celdas) != 5:
            continue  # the header and malformed rows: the importer's own messages
        clave, periodo, folio, _curp, importe = (c.strip() for c in celdas)
        if clave.upper() not in permitidas:
            if len(errores) < 20:
                errores.append(f"Línea {linea}: la dependencia «{clave[:20]}» no es de las suyas.")
            continue
        try:
            # Read as the importer reads it: NaN, 30 digits or 1e9999999 would break the comparison below; the
            # importer refuses the row by line.
            importes.setdefault((clave.upper(), periodo), {})[folio] = Importador.importe(importe)
        except ValueError:
            continue
    return errores, importes


def comparar_con_cedula(dependencias, importes: dict) -> dict:
    """Before loading: the cédula's loans missing from the file and the rows above their installment."""
    por_clave = {d.clave: d for d in dependencias}
    faltan, exceso = [], []
    for (clave, codigo), filas_archivo in importes.items():
        try:
            periodo = Periodo.parse(codigo)
        except ValueError:
            continue
        for fila in cedula.filas(por_clave[clave].pk, periodo):
            importe = filas_archivo.get(fila.folio)
            if importe is None:
                faltan.append((clave, codigo, fila.folio, fila.importe))
            elif importe > fila.importe:
                exceso.append((clave, codigo, fila.folio, importe - fila.importe))
    return {"faltan": faltan[:500], "n_faltan": len(faltan), "exceso": exceso[:500], "n_exceso": len(exceso),
            "total_exceso": sum((e[3] for e in exceso), Decimal("0.00"))}


@login_required
def cargar_remesa(request):
    dependencias = _propias(request)
    contexto = {"dependencias": dependencias}
    if request.method == "POST":
        archivo = request.FILES.get("archivo")
        if archivo is None:
            contexto["errores"] = ["Elija el archivo de la remesa (CSV)."]
            return render(request, "dependencias/cargar_remesa.html", contexto)
        contenido = archivo.read()
        errores, importes = leer_remesa(contenido, {d.clave for d in dependencias})
        if errores:
            contexto["errores"] = ["No se cargó nada: el archivo tiene filas de otra dependencia.", *errores]
            return render(request, "dependencias/cargar_remesa.html", contexto)
        nombre = archivo.name[:200]
        for clave, periodo in importes or {("", ""): None}:
            dependencia = next((d for d in dependencias if d.clave == clave), dependencias[0])
            AccesoDependencia.objects.create(usuario=request.user, dependencia=dependencia,
                                             accion=AccesoDependencia.Accion.REMESA, detalle=f"{periodo} {nombre}")
        if len(contenido) > UMBRAL_TRABAJADOR:
            carga = cargas.carga_crear(archivo=ContentFile(contenido, name=nombre), usuario=request.user)
            return redirect("dependencias_carga", pk=carga.pk)
        comparacion = comparar_con_cedula(dependencias, importes)
        antes = set(Remesa.objects.filter(dependencia__in=dependencias).values_list("pk", flat=True))
        try:
            resumen = importar_archivo(contenido, nombre_archivo=nombre, usuario=request.user)
        except ArchivoRechazado as exc:  # the importer's refusal: all or nothing, messages by line
            contexto["errores"] = exc.mensaje().splitlines()[:60]
        else:
            contexto.update(comparacion, resumen=resumen, remesas=Remesa.objects.filter(
                dependencia__in=dependencias).exclude(pk__in=antes).select_related("dependencia"))
    return render(request, "dependencias/cargar_remesa.html", contexto)


@login_required
def carga(request, pk: int):
    """A large remesa loading in the worker: its progress, then its outcome (only the user's own uploads)."""
    _propias(request)
    carga = get_object_or_404(Carga, pk=pk, creada_por=request.user)
    hechas, total = cargas.progreso(carga.pk)
    remesas = Remesa.objects.filter(cargada_por=request.user, archivo=carga.nombre).select_related("dependencia")
    return render(request, "dependencias/carga.html", {
        "carga": carga, "hechas": hechas, "total": total, "errores": carga.errores.splitlines()[:60],
        "remesas": remesas if carga.estado == Carga.Estado.TERMINADA else [],
    })


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
