"""Documents others rely on, as issued, and what the public page says about a code (docs/reglas.md §9).

A carta de liquidación goes to a bank, an aviso de suspensión to a payroll office that has never seen the
portal, a constancia de no adeudo to another lender. Each is registered here when first issued and carries
a random code (`oficina.verificacion`) and a QR to `/verificar/<código>/`, so a forged or altered paper
is caught by whoever receives it.

Another kind of document registers itself the same way, e.g. the comprobante de pago in fopi:

    documento = registrar_documento(
        tipo=DocumentoVerificable.Tipo.COMPROBANTE_PAGO, asunto=f"movimiento:{movimiento.pk}",
        derechohabiente=prestamo.derechohabiente, prestamo=prestamo, importe=movimiento.importe,
        fecha_hecho=movimiento.fecha_valor, emitido=hoy,
    )
    sello = sello_de(documento)  # put it in the renderer's dataclass; draw it with oficina.verificacion_pdf
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from oficina.dinero import round2
from oficina.replica import en_primaria
from oficina.verificacion import agrupado, nombre_con_iniciales, normalizar, nuevo_codigo, url_verificacion
from oficina.verificacion_pdf import SelloVerificacion
from prestamos.models import Derechohabiente, Prestamo
from recuperacion.models import DocumentoVerificable

Tipo = DocumentoVerificable.Tipo

PREFIJOS = {
    Tipo.CARTA_LIQUIDACION: "CL",
    Tipo.AVISO_SUSPENSION: "ASD",
    Tipo.CONSTANCIA_NO_ADEUDO: "CNA",
    Tipo.COMPROBANTE_PAGO: "CP",
}
# What `fecha_hecho` means on the public page, for the kinds that record one.
ETIQUETAS_FECHA = {
    Tipo.CARTA_LIQUIDACION: "Fecha de liquidación",
    Tipo.AVISO_SUSPENSION: "Fecha de liquidación",
    Tipo.COMPROBANTE_PAGO: "Fecha del pago",
}
# Documents that attest a payoff stop holding if a correction (a reversed payment) un-settles the loan.
DE_LIQUIDACION = (Tipo.CARTA_LIQUIDACION, Tipo.AVISO_SUSPENSION)


def folio_de(tipo: str, emitido: date, numero: int) -> str:
    """`CL-2026000123`: kind, year of issue and the document's number (like the aclaraciones' ACL- folio)."""
    return f"{PREFIJOS[tipo]}-{emitido.year}{numero:06d}"


@en_primaria()  # decides whether to write: never from a late replica
def registrar_documento(
    *,
    tipo: str,
    asunto: str,
    derechohabiente: Derechohabiente,
    emitido: date,
    prestamo: Prestamo | None = None,
    importe: Decimal | None = None,
    fecha_hecho: date | None = None,
) -> DocumentoVerificable:
    """The document `tipo` about `asunto`, registered with a fresh code the first time it is issued.

    `asunto` names what the document is about, so that downloading it again prints the same folio,
    code and date of issue: a loan and its payoff date for a carta, a borrower and a day for a
    constancia, a ledger movement for a comprobante. The other fields are what the public page shows:
    the borrower (by name with initials), the loan or the amount, and the date the document attests.
    """
    existente = DocumentoVerificable.objects.filter(tipo=tipo, asunto=asunto).first()
    if existente is not None:
        return existente
    try:
        with transaction.atomic():
            documento = DocumentoVerificable.objects.create(
                tipo=tipo, asunto=asunto, codigo=nuevo_codigo(), derechohabiente=derechohabiente,
                prestamo=prestamo, importe=None if importe is None else round2(importe),
                fecha_hecho=fecha_hecho, emitido=emitido,
            )
            documento.folio = folio_de(tipo, emitido, documento.pk)
            documento.save(update_fields=["folio"])
    except IntegrityError:
        # The same document issued twice at once (a double click): the unique (tipo, asunto) keeps one,
        # and this request prints the one that won.
        return DocumentoVerificable.objects.get(tipo=tipo, asunto=asunto)
    return documento


def emitir_carta_liquidacion(*, prestamo: Prestamo, fecha_liquidacion: date, hoy: date) -> DocumentoVerificable:
    return registrar_documento(
        tipo=Tipo.CARTA_LIQUIDACION, asunto=f"{prestamo.folio}:{fecha_liquidacion.isoformat()}",
        derechohabiente=prestamo.derechohabiente, prestamo=prestamo, fecha_hecho=fecha_liquidacion, emitido=hoy,
    )


def emitir_aviso_suspension(*, prestamo: Prestamo, fecha_liquidacion: date, hoy: date) -> DocumentoVerificable:
    return registrar_documento(
        tipo=Tipo.AVISO_SUSPENSION, asunto=f"{prestamo.folio}:{fecha_liquidacion.isoformat()}",
        derechohabiente=prestamo.derechohabiente, prestamo=prestamo, fecha_hecho=fecha_liquidacion, emitido=hoy,
    )


def emitir_constancia_no_adeudo(*, derechohabiente: Derechohabiente, hoy: date) -> DocumentoVerificable:
    """One constancia per borrower and day: it attests the situation on the day it is issued."""
    return registrar_documento(
        tipo=Tipo.CONSTANCIA_NO_ADEUDO, asunto=f"{derechohabiente.curp}:{hoy.isoformat()}",
        derechohabiente=derechohabiente, fecha_hecho=hoy, emitido=hoy,
    )


def sello_de(documento: DocumentoVerificable) -> SelloVerificacion:
    """What a renderer needs to print the verification seal of `documento`."""
    return SelloVerificacion(codigo=agrupado(documento.codigo), url=url_verificacion(documento.codigo))


# --- The public page --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verificacion:
    """What /verificar/<código>/ may tell anyone holding the paper: enough to compare, nothing more."""

    tipo: str
    folio: str
    emitido: date
    titular: str  # "María L. S."
    prestamo: str | None  # loan folio
    importe: Decimal | None
    etiqueta_fecha: str | None
    fecha_hecho: date | None
    vigente: bool  # False: issued, but a later correction means it no longer holds


def verificar(texto: str) -> Verificacion | None:
    """The document whose code is `texto` (as typed, scanned or altered), or None: one query."""
    codigo = normalizar(texto)
    if codigo is None:
        return None
    documento = (
        DocumentoVerificable.objects.filter(codigo=codigo).select_related("derechohabiente", "prestamo").first()
    )
    if documento is None:
        return None
    d, p = documento.derechohabiente, documento.prestamo
    return Verificacion(
        tipo=documento.get_tipo_display(),
        folio=documento.folio,
        emitido=documento.emitido,
        titular=nombre_con_iniciales(d.nombre, d.primer_apellido, d.segundo_apellido),
        prestamo=p.folio if p else None,
        importe=documento.importe,
        etiqueta_fecha=ETIQUETAS_FECHA.get(documento.tipo) if documento.fecha_hecho else None,
        fecha_hecho=documento.fecha_hecho,
        vigente=_sigue_vigente(documento),
    )


def _sigue_vigente(documento: DocumentoVerificable) -> bool:
    if documento.tipo in DE_LIQUIDACION:
        p = documento.prestamo
        return p.estado == Prestamo.Estado.LIQUIDADO and p.fecha_liquidacion == documento.fecha_hecho
    return True
