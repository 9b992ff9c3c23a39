"""Acknowledgements with dates (docs/reglas.md §13): an aclaración received is answered within 10 business days
(Mexico's official holidays skipped, oficina/calendario.py), and the borrower is told that date at once; its
resolution is told too. Both are kept on the Avisos page (fopi.buzon), once per event.

The view that files an aclaración calls `aclaracion_recibida` (a second call is harmless: the notice is unique
per aclaración); `recuperacion.aclaraciones.avisar_resolucion` calls `aclaracion_resuelta` after its e-mail went.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from fopi import buzon
from fopi.models import AvisoCorreo
from oficina.calendario import dias_habiles_despues
from oficina.formatos import formato_fecha, formato_moneda
from recuperacion.models import Aclaracion

DIAS_HABILES_RESPUESTA = 10


def fecha_de_respuesta(presentada: date) -> date:
    return dias_habiles_despues(presentada, DIAS_HABILES_RESPUESTA)


def aclaracion_recibida(aclaracion: Aclaracion, *, hoy: date | None = None) -> AvisoCorreo | None:
    hoy = hoy or timezone.localdate()
    prestamo = aclaracion.prestamo
    titular = prestamo.derechohabiente
    periodo = getattr(aclaracion.quincena, "descripcion", str(aclaracion.quincena))
    return buzon.avisar(
        derechohabiente=titular, prestamo=prestamo, tipo=AvisoCorreo.Tipo.ACLARACION_RECIBIDA, objeto=aclaracion.pk,
        asunto=buzon.asunto_de(f"Recibimos tu aclaración {aclaracion.folio}"),
        cuerpo=buzon.texto_de(
            titular,
            f"Recibimos tu aclaración {aclaracion.folio} del préstamo {prestamo.folio}: un descuento de "
            f"{formato_moneda(aclaracion.importe)} de {periodo} que no aparece en tu estado de cuenta.",
            f"La revisamos con tu talón de pago y te responderemos a más tardar el {formato_fecha(fecha_de_respuesta(hoy))} "
            "(10 días hábiles). Mientras tanto no se te cobran moratorios por esa quincena si la aclaración procede.",
            "Consulta su estado en Aclaraciones:\n" + _enlace("aclaraciones"),
        ),
    )


def aclaracion_resuelta(aclaracion: Aclaracion, *, asunto: str, cuerpo: str) -> AvisoCorreo | None:
    """For the e-mail the resolution already sent (`recuperacion.aclaraciones.avisar_resolucion`): keep it on
    the Avisos page as sent."""
    prestamo = aclaracion.prestamo
    return buzon.registrar_correo(
        derechohabiente=prestamo.derechohabiente, prestamo=prestamo, tipo=AvisoCorreo.Tipo.ACLARACION_RESUELTA,
        objeto=aclaracion.pk, asunto=asunto, cuerpo=cuerpo,
    )


def _enlace(nombre: str) -> str:
    from django.conf import settings

    return settings.PORTAL_URL.rstrip("/") + reverse(nombre)
