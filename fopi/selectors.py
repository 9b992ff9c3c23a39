"""What the borrower's payment pages show: their applied payments, each with its receipt; the FOPI types that
apply to a loan; the authorized banks; the loan a payment under review most likely belongs to."""

import re

from django.db.models import QuerySet

from fopi.models import Banco, Fopi, PagoBancario
from fopi.referencia import LONGITUD
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


def bancos_autorizados() -> list[Banco]:
    """The banks that take FOPI payments, with their convenios, in the order staff set (page and PDF)."""
    return list(Banco.objects.filter(activo=True))


def pagos_aplicados(derechohabiente: Derechohabiente) -> QuerySet[PagoBancario]:
    """Payments applied to the borrower's loans (automatically or by CAPP staff), newest first."""
    return (
        PagoBancario.objects.filter(prestamo__derechohabiente=derechohabiente, estado__in=PagoBancario.APLICADOS)
        .select_related("prestamo", "fopi", "movimiento")
        .order_by("-fecha_pago", "-id")
    )


def pago_de_fopi(fopi: Fopi) -> PagoBancario | None:
    """The payment that paid `fopi`, when it is paid (its receipt is linked from the FOPI's page)."""
    if fopi.estado != Fopi.Estado.PAGADO:
        return None
    return fopi.pagos.filter(estado=PagoBancario.Estado.APLICADO).order_by("id").first()


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
