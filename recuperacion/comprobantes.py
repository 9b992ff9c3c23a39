"""The comprobante de pago as a verifiable document (docs/reglas.md §9, §11): registered here, where every document
others rely on is, and printed by fopi (`fopi.documentos.sellar_comprobante`, installed by recuperacion/apps.py).

One document per ledger movement: every download prints the same folio, code and date of issue.
"""

from django.utils import timezone

from fopi.models import PagoBancario
from oficina.verificacion_pdf import SelloVerificacion
from recuperacion.models import DocumentoVerificable
from recuperacion.verificacion import registrar_documento, sello_de


def sello_comprobante(pago: PagoBancario) -> SelloVerificacion:
    movimiento = pago.movimiento
    documento = registrar_documento(
        tipo=DocumentoVerificable.Tipo.COMPROBANTE_PAGO, asunto=f"movimiento:{movimiento.pk}",
        derechohabiente=pago.prestamo.derechohabiente, prestamo=pago.prestamo, importe=movimiento.importe,
        fecha_hecho=movimiento.fecha_valor, emitido=timezone.localdate(),
    )
    return sello_de(documento)
