"""The dependencias' portal (docs/reglas.md §16): only its own dependencias, 404 for anything else."""

import csv as csv_modulo
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from dependencias import cedula
from dependencias.acceso import es_dependencia
from dependencias.models import AccesoDependencia, UsuarioDependencia
from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.calculo import Mes, Quincena
from prestamos.models import Dependencia, Prestamo, Remesa


def _propias(request):
    if not es_dependencia(request.user):
        raise Http404
    return list(UsuarioDependencia.objects.get(usuario=request.user).dependencias.all())


def _dependencia(request, clave: str) -> Dependencia:
    for d in _propias(request):
        if d.clave == clave:
            return d
    raise Http404


def _tipo_periodo(dependencia: Dependencia):
    """Months for the pension payroll, quincenas otherwise (by its loans' kind, docs/reglas.md §12)."""
    primera = Prestamo.objects.filter(dependencia=dependencia).values_list("primera_quincena", flat=True).first()
    return Mes if isinstance(primera, Mes) else Quincena


def _periodos(dependencia: Dependencia):
    actual = _tipo_periodo(dependencia).de_fecha(timezone.localdate())
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
