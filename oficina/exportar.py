"""CSV exports for staff, safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
INICIO_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def celda_segura(valor) -> str:
    """A leading quote keeps a would-be formula as text."""
    texto = str(valor)
    return "'" + texto if texto.startswith(INICIO_FORMULA) else texto


def respuesta_csv(*, nombre: str, encabezado: Iterable[str], filas: Iterable[Iterable]) -> HttpResponse:
    respuesta = HttpResponse(content_type="text/csv; charset=utf-8")
    respuesta["Content-Disposition"] = f'attachment; filename="{nombre}"'
    escritor = csv.writer(respuesta)
    escritor.writerow(encabezado)
    for fila in filas:
        escritor.writerow(celda_segura(v) for v in fila)
    return respuesta
