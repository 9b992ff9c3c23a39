"""What the borrower's payment pages show: their applied payments, each with its receipt."""

from django.db.models import QuerySet

from fopi.models import Fopi, PagoBancario
from prestamos.models import Derechohabiente


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
