"""A loan's rendered statement parts, kept in the shared cache (Redis in production) between requests.

The statement page's heaviest parts — the loan's terms, the balance chart, the movements and the
amortization table (`templates/recuperacion/_detalle_prestamo.html`) — depend only on the loan's row,
its ledger and the date. Each loan has one entry, keyed by its id, holding the HTML and the signature
(`firma`) of everything it was drawn from; an entry whose signature differs from the request's is
drawn again and replaces it. The signature holds:

- the loan's last movement id and its number of movements, as the page read them from the ledger in
  the same request: any new movement (a payment, a remesa's ordinary deductions written set-based, a
  reversal, a correction) changes them by itself, whoever wrote it (the ledger is append-only);
- the date: the rows' states (due, overdue), the chart's "today" and the installments paid by it;
- the loan row's terms and the snapshot pointer, and the dependencia's name the terms show;
- each payment row's comprobante (a payment applied later shows its link at once);
- the source of the templates and modules that draw the parts (a deploy never serves old markup).

Everything else on the page is drawn on every request from what the page reads: the figures that depend
on the remesas and moratorio parameters (saldo deudor, moratorios, notices), the borrower's name and
words, the history of loans. The caller reads the loans by owner first (`estado_de_cuenta`), so a
borrower can only ever ask for the entries of their own loans.
"""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from prestamos.selectors import SIN_LEER, VistaPrestamo
from recuperacion.grafica import grafica_saldo

PLANTILLA = "recuperacion/_detalle_prestamo.html"
# What the parts are drawn by: a change to any of these files makes every entry stale.
PLANTILLAS = (PLANTILLA, "recuperacion/_condiciones.html", "recuperacion/_grafica.html",
              "recuperacion/_movimientos.html", "recuperacion/_tabla.html")
MODULOS = ("recuperacion.partes", "recuperacion.grafica", "recuperacion.templatetags.tablas", "prestamos.selectors",
           "prestamos.cartera", "prestamos.calculo", "prestamos.posiciones", "prestamos.instantanea",
           "prestamos.templatetags.formato", "oficina.formatos")
# An entry lives a day at most: the date is in its signature, so yesterday's is never served; expiry
# frees the memory of loans nobody looks at again. The HTML is stored compressed (zlib, fastest level):
# ≈ 53 KB of markup for a 96-installment loan take ≈ 7 KB of Redis and of network per request.
SEGUNDOS = 24 * 3600


def clave(prestamo_id: int) -> str:
    return f"recuperacion:detalle:{prestamo_id}"


@lru_cache(maxsize=1)
def esquema() -> str:
    """Digest of the templates and modules that draw the parts, once per process."""
    import importlib

    digest = hashlib.blake2b(digest_size=12)
    rutas = [Path(settings.BASE_DIR) / "templates" / p for p in PLANTILLAS]
    rutas += [Path(importlib.import_module(m).__file__) for m in MODULOS]
    for ruta in rutas:
        digest.update(ruta.read_bytes())
    return digest.hexdigest()


def firma(vista: VistaPrestamo, comprobantes: dict[int, str]) -> tuple:
    """Everything the parts of `vista` are drawn from (see the module's docstring); equal → same HTML."""
    p = vista.prestamo
    movimientos = vista.movimientos
    return (
        esquema(),
        vista.hoy,
        max((m.id for m in movimientos), default=0),
        len(movimientos),
        (p.pk, p.folio, p.tipo, p.importe, p.tasa_anual, p.plazo, p.cuota, p.fecha_otorgamiento, p.primera_quincena,
         p.quincenas_pagadas_inicial, p.estado_inicial, p.fecha_liquidacion, p.posicion_hasta, p.dependencia_id,
         p.dependencia.nombre),
        tuple(sorted((m.id, comprobantes[m.id]) for m in movimientos if m.id in comprobantes)),
    )


def dibujar(vista: VistaPrestamo, comprobantes: dict[int, str]) -> str:
    """The parts drawn now, without the cache."""
    contexto = {"vista": vista, "grafica": grafica_saldo(vista.serie_saldo()), "comprobantes": comprobantes}
    return render_to_string(PLANTILLA, contexto)


def entrada(vista: VistaPrestamo):
    """The loan's cache entry: the one the page read with the remesas (`vistas_prestamos(entrada=clave)`),
    else read now."""
    if vista.entrada is not SIN_LEER:
        return vista.entrada
    return cache.get(clave(vista.prestamo.pk))


def detalle(vista: VistaPrestamo, comprobantes: dict[int, str]) -> SafeString:
    """The loan's parts from its cache entry when the entry's signature is this request's; else drawn
    and stored. `vista` must be one of the requesting borrower's own loans."""
    actual = firma(vista, comprobantes)
    entrada_ = entrada(vista)
    if entrada_ is not None and entrada_[0] == actual:
        return mark_safe(zlib.decompress(entrada_[1]).decode())
    html = dibujar(vista, comprobantes)
    cache.set(clave(vista.prestamo.pk), (actual, zlib.compress(html.encode(), 1)), SEGUNDOS)
    return mark_safe(html)
