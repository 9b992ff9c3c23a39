"""What the borrower's payment pages show (docs/reglas.md §13): every payment received for their loans with its
state in words; each FOPI with its state; the FOPI types that apply to a loan; the authorized banks; the loan a
payment under review most likely belongs to."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q, QuerySet

from fopi.models import Banco, DevolucionPago, Fopi, PagoBancario
from fopi.referencia import LONGITUD
from oficina.formatos import formato_fecha, formato_moneda
from oficina.replica import lee_de_primaria
from prestamos.models import Derechohabiente, Prestamo
from prestamos.selectors import VistaPrestamo


def tipos_para(vista: VistaPrestamo) -> tuple[str, ...]:
    """The FOPI types a loan can be paid with today, in the form's order (docs/reglas.md §5–§7): a partial
    payment unless it is en cobranza; always its payoff; a regularization only when a deduction is missing."""
    if vista.liquidado:
        return ()
    tipos = [] if vista.en_cobranza else [Fopi.Tipo.PARCIAL]
    tipos.append(Fopi.Tipo.LIQUIDACION)
    if vista.omisiones:
        tipos.append(Fopi.Tipo.REGULARIZACION)
    return tuple(tipos)


CLAVE_BANCOS = "fopi:bancos-autorizados"
BANCOS_SEGUNDOS = 300


def bancos_autorizados() -> list[Banco]:
    """The banks that take FOPI payments, with their convenios, in the order staff set (page and PDF).

    Every pending FOPI's page and every PDF show them, and staff change them a few times a year: they are kept
    in the shared cache, cleared after commit whenever one is saved or deleted (fopi/signals.py), as the
    remesas the pages read (prestamos/signals.py). A row read from a replica is not cached.
    """
    bancos = cache.get(CLAVE_BANCOS)
    if bancos is None:
        bancos = list(Banco.objects.filter(activo=True))
        if lee_de_primaria(Banco):
            cache.set(CLAVE_BANCOS, bancos, BANCOS_SEGUNDOS)
    return bancos


def pagos_aplicados(derechohabiente: Derechohabiente) -> QuerySet[PagoBancario]:
    """Payments applied to the borrower's loans (automatically or by CAPP staff), newest first."""
    return (
        PagoBancario.objects.filter(prestamo__derechohabiente=derechohabiente, estado__in=PagoBancario.APLICADOS)
        .select_related("prestamo", "fopi", "movimiento")
        .order_by("-fecha_pago", "-id")
    )


def prestamo_sugerido(pago: PagoBancario) -> Prestamo | None:
    """The loan a payment under review most likely belongs to, for staff to confirm before applying it.

    Its FOPI's loan when it was matched to one; else the folio the reference starts with (a FOPI reference is the
    loan's 11-digit folio first, docs/reglas.md §7), even when its check digits are wrong — the usual typo; for a
    SPEI deposit to an unknown CLABE, the reference typed in its concept.
    """
    if pago.fopi_id is not None:
        return pago.fopi.prestamo
    candidatos = [pago.referencia]
    if pago.canal == PagoBancario.Canal.SPEI:
        candidatos += re.findall(rf"[0-9]{{{LONGITUD}}}", pago.concepto)
    folios = [c[:11] for c in candidatos if c and len(c) == LONGITUD and c.isascii() and c.isdigit()]
    if not folios:
        return None
    return Prestamo.objects.select_related("derechohabiente").filter(folio__in=folios).first()


# --- Who a payment belongs to ------------------------------------------------------------------------------
#
# A payment applied to a loan is that loan's borrower's, whatever FOPI it named (staff may apply it elsewhere).
# One not applied is its FOPI's loan's borrower's; one without a FOPI (a mistyped reference), the borrower whose
# loan folio its reference starts with (`prestamo_sugerido`'s rule). The query and the one-payment form below say
# the same; tests/fopi/test_mis_pagos.py holds them to it.


def _de(derechohabiente: Derechohabiente) -> Q:
    folios = list(Prestamo.objects.filter(derechohabiente=derechohabiente).values_list("folio", flat=True))
    sin_fopi = Q(pk__in=[])
    for folio in folios:
        sin_fopi |= Q(referencia__startswith=folio)
    return (
        Q(prestamo__derechohabiente=derechohabiente)
        | Q(prestamo__isnull=True, fopi__prestamo__derechohabiente=derechohabiente)
        | (Q(prestamo__isnull=True, fopi__isnull=True) & sin_fopi)
    )


def titular_de(pago: PagoBancario) -> Derechohabiente | None:
    """The borrower `pago` belongs to, by the rule above; None when no loan names it."""
    if pago.prestamo_id is not None:
        return Prestamo.objects.select_related("derechohabiente__usuario").get(pk=pago.prestamo_id).derechohabiente
    if pago.fopi_id is not None:
        return (
            Fopi.objects.select_related("prestamo__derechohabiente__usuario")
            .get(pk=pago.fopi_id)
            .prestamo.derechohabiente
        )
    folio = pago.referencia[:11]
    if len(pago.referencia) < 11 or not folio.isascii() or not folio.isdigit():
        return None
    prestamo = Prestamo.objects.select_related("derechohabiente__usuario").filter(folio=folio).first()
    return prestamo.derechohabiente if prestamo else None


def motivo_para_el_acreditado(pago: PagoBancario) -> str:
    """Why a payment waits, in the borrower's words (staff keep their own `motivo`), from the payment and its FOPI."""
    fopi = pago.fopi
    if fopi is None:
        causa = "no encontramos el formato de pago de la referencia que usaste"
    elif pago.importe != fopi.importe:
        causa = f"el importe no coincide con tu formato de pago ({formato_moneda(fopi.importe)})"
    elif pago.fecha_pago > fopi.vigencia:
        causa = f"llegó después de la vigencia de tu formato de pago ({formato_fecha(fopi.vigencia)})"
    elif fopi.estado == Fopi.Estado.CANCELADO:
        causa = "tu formato de pago ya estaba cancelado (generaste uno más reciente)"
    else:
        causa = "tu formato de pago ya estaba pagado"
    return f"{causa}; el CAPP lo aplicará o te lo devolverá"


# --- Mis pagos -----------------------------------------------------------------------------------------------


class EstadoPago(enum.Enum):
    """A payment's state as Mis pagos says it: its label and its CSS class."""

    APLICADO = ("Aplicado", "estado--pagado", "se aplicó a tu préstamo")
    EN_REVISION = ("En revisión", "estado--revision", "está en revisión")
    POR_DEVOLVER = ("Por devolver", "estado--revision", "te lo devolveremos")
    DEVUELTO = ("Devuelto", "estado--cancelado", "te lo devolvimos")

    def __init__(self, etiqueta: str, clase: str, frase: str):
        self.etiqueta = etiqueta
        self.clase = clase
        self.frase = frase  # "recibimos $500.00 el 20/07/2026: <frase>"


@dataclass(frozen=True)
class PagoVisto:
    pago: PagoBancario
    estado: EstadoPago
    explicacion: str = ""  # the reason it waits, or the refund's tracking key

    @property
    def canal(self) -> str:
        return "Transferencia SPEI" if self.pago.canal == PagoBancario.Canal.SPEI else f"Banco: {self.pago.banco}"


def _visto(pago: PagoBancario) -> PagoVisto:
    if pago.estado in PagoBancario.APLICADOS:
        return PagoVisto(pago, EstadoPago.APLICADO)
    if pago.estado == PagoBancario.Estado.DEVOLUCION:
        devolucion = getattr(pago, "devolucion", None)
        if devolucion is not None and devolucion.estado == DevolucionPago.Estado.PAGADA:
            return PagoVisto(pago, EstadoPago.DEVUELTO, f"Clave de rastreo {devolucion.clave_rastreo}")
        return PagoVisto(
            pago, EstadoPago.POR_DEVOLVER, "el CAPP te lo devolverá; te avisaremos con la clave de rastreo"
        )
    return PagoVisto(pago, EstadoPago.EN_REVISION, motivo_para_el_acreditado(pago))


def pagos_recibidos(derechohabiente: Derechohabiente) -> list[PagoVisto]:
    """Every payment received for the borrower's loans, applied or not, newest first (two queries)."""
    pagos = (
        PagoBancario.objects.filter(_de(derechohabiente))
        .exclude(estado=PagoBancario.Estado.REVERTIDO)  # its file was reversed: the corrected one loads it again
        .select_related("prestamo", "fopi", "devolucion")
        .order_by("-fecha_pago", "-id")
    )
    return [_visto(p) for p in pagos]


# --- A FOPI's state ------------------------------------------------------------------------------------------


class EstadoFopi(enum.Enum):
    """A FOPI's state as its page, the list and the PDF show it: its label and its CSS class."""

    PENDIENTE = ("Pendiente de pago", "estado--pendiente")
    PAGADO = ("Pagado", "estado--pagado")
    PAGADO_CON_DIFERENCIA = ("Pagado con diferencia", "estado--diferencia")
    VENCIDO = ("Vencido", "estado--vencido")
    CANCELADO = ("Cancelado", "estado--cancelado")

    def __init__(self, etiqueta: str, clase: str):
        self.etiqueta = etiqueta
        self.clase = clase

    @property
    def por_pagar(self) -> bool:
        """Only a pending FOPI shows how to pay it: a paid one would invite a second payment."""
        return self is EstadoFopi.PENDIENTE

    @property
    def marca(self) -> str:
        """What is printed across an old FOPI's PDF."""
        return {EstadoFopi.VENCIDO: "VENCIDO", EstadoFopi.CANCELADO: "CANCELADO"}.get(self, "")


@dataclass(frozen=True)
class VistaFopi:
    fopi: Fopi
    estado: EstadoFopi
    pago: PagoBancario | None = None  # the payment that paid it (its comprobante)
    recibidos: tuple[PagoVisto, ...] = ()  # other money received for it: late, another amount, a second payment
    reemplazo: Fopi | None = None  # the FOPI that cancelled it
    diferencia: Decimal = field(default=Decimal("0.00"))  # paid − importe, when staff applied another amount

    @property
    def falta(self) -> Decimal:
        return -self.diferencia if self.diferencia < 0 else Decimal("0.00")

    @property
    def sobra(self) -> Decimal:
        return self.diferencia if self.diferencia > 0 else Decimal("0.00")


def _vista_fopi(fopi: Fopi, pagos: list[PagoBancario], siguiente: Fopi | None, hoy: date) -> VistaFopi:
    pagado_con = (
        next((p for p in pagos if p.estado in PagoBancario.APLICADOS and p.prestamo_id == fopi.prestamo_id), None)
        if fopi.estado == Fopi.Estado.PAGADO
        else None
    )
    recibidos = tuple(_visto(p) for p in pagos if p is not pagado_con and p.estado != PagoBancario.Estado.REVERTIDO)
    estado = fopi.estado_al(hoy)
    if estado == Fopi.Estado.PAGADO:
        diferencia = (pagado_con.importe - fopi.importe) if pagado_con else Decimal("0.00")
        return VistaFopi(
            fopi,
            EstadoFopi.PAGADO_CON_DIFERENCIA if diferencia else EstadoFopi.PAGADO,
            pagado_con,
            recibidos,
            diferencia=diferencia,
        )
    if estado == Fopi.Estado.CANCELADO:
        return VistaFopi(fopi, EstadoFopi.CANCELADO, None, recibidos, reemplazo=siguiente)
    return VistaFopi(
        fopi, EstadoFopi.VENCIDO if estado == Fopi.Estado.VENCIDO else EstadoFopi.PENDIENTE, None, recibidos
    )


def marca_de(fopi: Fopi, *, hoy: date) -> str:
    """What its PDF prints across the page: `vistas_fopi`'s `estado.marca`, read from the FOPI alone (VENCIDO and
    CANCELADO are its own state at `hoy`; its payments only tell PAGADO from PAGADO_CON_DIFERENCIA, unmarked)."""
    estado = fopi.estado_al(hoy)
    if estado in (Fopi.Estado.VENCIDO, Fopi.Estado.CANCELADO):
        return EstadoFopi[estado].marca
    return ""


def vistas_fopi(fopis: list[Fopi], *, hoy: date) -> list[VistaFopi]:
    """`fopis` (with their loans) with their states, their payments and what replaced them, in two queries
    however many there are: one when none of them is cancelled (only a cancelled FOPI names its replacement)."""
    if not fopis:
        return []
    prestamo_ids = {f.prestamo_id for f in fopis if f.estado_al(hoy) == Fopi.Estado.CANCELADO}
    todos = (
        sorted(
            Fopi.objects.filter(prestamo_id__in=prestamo_ids).only("pk", "prestamo_id", "secuencia", "emitido"),
            key=lambda f: (f.prestamo_id, f.emitido, f.pk),
        )
        if prestamo_ids
        else []
    )
    siguiente = {a.pk: b for a, b in zip(todos, todos[1:]) if a.prestamo_id == b.prestamo_id}
    pagos: dict[int, list[PagoBancario]] = {f.pk: [] for f in fopis}
    por_pk = {f.pk: f for f in fopis}
    for pago in PagoBancario.objects.filter(fopi__in=fopis).select_related("devolucion").order_by("fecha_pago", "id"):
        pago.fopi = por_pk[pago.fopi_id]  # the FOPI in hand, not joined and built again
        pagos[pago.fopi_id].append(pago)
    return [_vista_fopi(f, pagos[f.pk], siguiente.get(f.pk), hoy) for f in fopis]


def comprobantes(vistas) -> dict[int, str]:
    """Movement id → its comprobante's URL, for the statement's payment rows (one query for all the loans shown)."""
    from django.urls import reverse

    # Only payment rows have one: a statement of payroll deductions alone reads nothing more.
    de_pago = {"PAGO", "PAGO_SPEI", "PAGO_CAPP"}
    ids = [m.id for v in vistas for m in v.movimientos if m.tipo in de_pago]
    if not ids:
        return {}
    filas = PagoBancario.objects.filter(movimiento_id__in=ids, estado__in=PagoBancario.APLICADOS).values_list(
        "movimiento_id", "pk"
    )
    return {movimiento: reverse("pago_comprobante", args=[pk]) for movimiento, pk in filas}
