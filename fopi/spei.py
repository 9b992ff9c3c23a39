"""Deposits by SPEI transfer to a FOPI's CLABE (docs/reglas.md §11), recorded once per clave de rastreo.

A deposit to a FOPI's CLABE for its exact amount by its vigencia is applied at once, through the same
service as a bank's payment (`services.pago_registrar`); any other deposit waits in the same review queue
with its reason. Either way it is answered "confirmar": the money is ours to apply or to refund, never
bounced silently. The same notification delivered again (the bank retries until it reads our answer,
possibly while the first delivery is still running) is answered the same and records nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from fopi.clabe import es_clabe_valida
from fopi.models import Fopi, PagoBancario
from fopi.notificacion import Abono
from fopi.services import pago_registrar
from prestamos.calculo import formato_fecha
from prestamos.models import Prestamo

logger = logging.getLogger(__name__)

# After SPEI's evening cut-off a transfer carries the next operating day's date, which after a long
# weekend is several calendar days ahead. Later than this, the date is wrong: a person looks at it.
DIAS_ADELANTO_MAXIMO = 7

# The participants borrowers pay from most, by their SPEI code, so the review queue reads "BBVA MEXICO"
# rather than "40012"; any other shows its code.
INSTITUCIONES = {
    "40002": "BANAMEX",
    "40012": "BBVA MEXICO",
    "40014": "SANTANDER",
    "40021": "HSBC",
    "40030": "BAJIO",
    "40036": "INBURSA",
    "40044": "SCOTIABANK",
    "40058": "BANREGIO",
    "40072": "BANORTE",
    "40127": "AZTECA",
    "40137": "BANCOPPEL",
    "37166": "BANCO DEL BIENESTAR",
    "90638": "NU MEXICO",
    "90646": "STP",
    "90722": "MERCADO PAGO W",
}


@dataclass(frozen=True)
class Recepcion:
    pago: PagoBancario
    nuevo: bool  # False: this clave de rastreo had been recorded already


def nombre_institucion(codigo: str) -> str:
    return INSTITUCIONES.get(codigo, f"Institución SPEI {codigo}")


def motivo_sin_fopi(abono: Abono, fopi: Fopi | None, hoy: date) -> str:
    """Why a deposit cannot even be matched to a FOPI ('' when it names one, on a plausible date)."""
    if fopi is None:
        if not es_clabe_valida(abono.cuenta_beneficiario):
            return f"CLABE de destino inválida ({abono.cuenta_beneficiario})"
        return "No existe un FOPI con esta CLABE"
    if abono.fecha_operacion > hoy + timedelta(days=DIAS_ADELANTO_MAXIMO):
        return f"Fecha de operación futura ({formato_fecha(abono.fecha_operacion)})"
    return ""


def abono_recibir(*, abono: Abono, hoy: date | None = None) -> Recepcion:
    """Record a deposit notification; apply it when it pays its FOPI exactly and in time."""
    hoy = hoy or timezone.localdate()
    try:
        with transaction.atomic():
            return _recibir(abono, hoy)
    except IntegrityError:
        # Two deliveries of a deposit to an unknown CLABE (no loan row to queue on) both inserted: the
        # unique clave de rastreo made this one wait for the other and fail once it committed.
        existente = PagoBancario.objects.filter(clave_rastreo=abono.clave_rastreo).first()
        if existente is None:
            raise
        return _repetido(existente, abono)


def _recibir(abono: Abono, hoy: date) -> Recepcion:
    fopi = Fopi.objects.filter(clabe=abono.cuenta_beneficiario).first()
    if fopi is not None:
        # The loan row before the clave de rastreo is looked up: a second delivery of the same deposit
        # waits here until the first commits, then finds it below instead of applying it again.
        Prestamo.objects.select_for_update().only("pk").get(pk=fopi.prestamo_id)
    existente = PagoBancario.objects.filter(clave_rastreo=abono.clave_rastreo).first()
    if existente is not None:
        return _repetido(existente, abono)
    pago = pago_registrar(
        pago=PagoBancario(
            canal=PagoBancario.Canal.SPEI,
            banco=nombre_institucion(abono.institucion_ordenante),
            fecha_pago=abono.fecha_operacion,
            importe=abono.monto,
            fopi=fopi,
            motivo=motivo_sin_fopi(abono, fopi, hoy),
            clave_rastreo=abono.clave_rastreo,
            id_spei=abono.id,
            institucion_ordenante=abono.institucion_ordenante,
            nombre_ordenante=abono.nombre_ordenante,
            cuenta_ordenante=abono.cuenta_ordenante,
            cuenta_beneficiario=abono.cuenta_beneficiario,
            concepto=abono.concepto_pago,
        ),
        # The ledger books nothing in the future: a transfer dated the next operating day counts today.
        fecha_valor=min(abono.fecha_operacion, hoy),
    )
    logger.info("Abono SPEI %s por %s: %s %s", abono.clave_rastreo, abono.monto, pago.estado, pago.motivo)
    return Recepcion(pago, nuevo=True)


def _repetido(pago: PagoBancario, abono: Abono) -> Recepcion:
    if (pago.importe, pago.cuenta_beneficiario, pago.fecha_pago) != (
        abono.monto, abono.cuenta_beneficiario, abono.fecha_operacion
    ):
        # Not a retry: another transfer under a clave de rastreo we already have. Nothing is recorded
        # (SPEC: one deposit per clave de rastreo); the log tells operations to look at it with the bank.
        logger.error(
            "Clave de rastreo %s repetida con otros datos: registrada %s a %s el %s; llegó %s a %s el %s",
            abono.clave_rastreo, pago.importe, pago.cuenta_beneficiario, pago.fecha_pago,
            abono.monto, abono.cuenta_beneficiario, abono.fecha_operacion,
        )
    return Recepcion(pago, nuevo=False)
