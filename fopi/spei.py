"""Deposits by SPEI transfer to a FOPI's CLABE (docs/reglas.md §11), recorded once per deposit.

A deposit is identified by (institución ordenante, clave de rastreo, fecha de operación): two banks may use
the same clave de rastreo, so the key alone names no transfer. A deposit to a FOPI's CLABE for its exact
amount by its vigencia is applied at once, through the same service as a bank's payment
(`services.pago_registrar`); any other deposit to a CLABE some FOPI had waits in the same review queue with
its reason. Either way it is answered "confirmar": the money is ours to apply or to refund. The same
notification delivered again (the bank retries until it reads our answer, possibly while the first
delivery is still running) is answered the same and records nothing.

Two deposits are answered "devolver", so the money goes back to its sender at once instead of waiting with
us, and each leaves an `AlertaSpei` for Operación: another transfer under the identity of one already
recorded (we cannot keep two under one key, and confirming it would lose it), and a CLABE no FOPI ever had.
The causes are STP's catalogue of devolution causes ("Catálogo de causas de devolución", STP's help centre,
article 360002797652): 1 "Cuenta inexistente", 13 "Beneficiario no reconoce el pago".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from fopi.clabe import es_clabe_valida
from fopi.models import AlertaSpei, Fopi, PagoBancario
from fopi.notificacion import Abono
from fopi.services import pago_registrar
from oficina.formatos import formato_fecha, formato_moneda
from prestamos import libro
from prestamos.models import Prestamo

log = structlog.get_logger(__name__)

# After SPEI's evening cut-off a transfer carries the next operating day's date, which after a long
# weekend is several calendar days ahead. Later than this, the date is wrong: a person looks at it.
DIAS_ADELANTO_MAXIMO = 7

CAUSA_CUENTA_INEXISTENTE = AlertaSpei.Causa.CUENTA_INEXISTENTE.value
CAUSA_BENEFICIARIO_NO_RECONOCE = AlertaSpei.Causa.BENEFICIARIO_NO_RECONOCE.value

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
    """What became of a notification, and so how it is answered: `devolver` holds STP's cause, else "confirmar"."""

    pago: PagoBancario | None  # the deposit recorded under this identity; None when returned for its CLABE
    nuevo: bool  # False: this deposit had been recorded already, or it is returned
    devolver: int | None = None


def resultado(recepcion: Recepcion) -> str:
    """The outcome as the metrics count it: devolver, revision (confirmed, waits for the CAPP), repetido (a
    redelivery, answered as the first) or confirmar (applied)."""
    if recepcion.devolver is not None:
        return "devolver"
    if not recepcion.nuevo:
        return "repetido"
    return "revision" if recepcion.pago.estado == PagoBancario.Estado.EN_REVISION else "confirmar"


def nombre_institucion(codigo: str) -> str:
    return INSTITUCIONES.get(codigo, f"Institución SPEI {codigo}")


def motivo_fecha(abono: Abono, hoy: date) -> str:
    """Why a deposit to a FOPI's CLABE cannot even be matched to it ('' when its date is plausible)."""
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
        # Two deliveries under one identity at once, to FOPIs of different loans (no common row to queue
        # on): the unique identity made this one wait for the other and fail once it committed.
        existente = _por_identidad(abono)
        if existente is None:
            raise
        return _repetido(existente, abono)


def _por_identidad(abono: Abono) -> PagoBancario | None:
    return PagoBancario.objects.filter(
        canal=PagoBancario.Canal.SPEI,
        institucion_ordenante=abono.institucion_ordenante,
        clave_rastreo=abono.clave_rastreo,
        fecha_pago=abono.fecha_operacion,
    ).first()


def _recibir(abono: Abono, hoy: date) -> Recepcion:
    # The FOPI that holds the CLABE now. A CLABE that passed to a newer FOPI still has a holder, so no
    # holder means no FOPI ever had it.
    fopi = Fopi.objects.filter(clabe=abono.cuenta_beneficiario, clabe_reasignada=False).first()
    if fopi is not None:
        # The loan row before the identity is looked up: a second delivery of the same deposit waits here
        # until the first commits, then finds it below instead of applying it again.
        libro.bloquear([fopi.prestamo_id], consulta=Prestamo.objects.only("pk"))
    existente = _por_identidad(abono)
    if existente is not None:
        return _repetido(existente, abono)
    if fopi is None:
        invalida = "" if es_clabe_valida(abono.cuenta_beneficiario) else " (no es una CLABE válida)"
        return _devolver(
            abono, CAUSA_CUENTA_INEXISTENTE, f"Ningún FOPI ha tenido la CLABE {abono.cuenta_beneficiario}{invalida}."
        )
    pago = pago_registrar(
        pago=PagoBancario(
            canal=PagoBancario.Canal.SPEI,
            banco=nombre_institucion(abono.institucion_ordenante),
            fecha_pago=abono.fecha_operacion,
            importe=abono.monto,
            fopi=fopi,
            motivo=motivo_fecha(abono, hoy),
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
    # By ids only (no amount, account or name): the operator follows pago_id and movimiento_id to the ledger.
    log.info("abono_spei_registrado", pago_id=pago.pk, fopi_id=fopi.pk, prestamo_id=fopi.prestamo_id,
             estado=pago.estado, movimiento_id=pago.movimiento_id)
    return Recepcion(pago, nuevo=True)


def _repetido(pago: PagoBancario, abono: Abono) -> Recepcion:
    """The same identity again: a redelivery when the money's data match (names and concept are only shown),
    otherwise another transfer, returned."""
    diferencias = [
        f"{nombre} {antes} → {ahora}"
        for nombre, antes, ahora in (
            ("importe", formato_moneda(pago.importe), formato_moneda(abono.monto)),
            ("CLABE", pago.cuenta_beneficiario, abono.cuenta_beneficiario),
            ("cuenta ordenante", pago.cuenta_ordenante, abono.cuenta_ordenante),
        )
        if antes != ahora
    ]
    if not diferencias:
        return Recepcion(pago, nuevo=False)
    motivo = (
        f"La clave de rastreo {abono.clave_rastreo} de {pago.banco} del {formato_fecha(abono.fecha_operacion)} ya "
        f"está registrada con otros datos: {'; '.join(diferencias)}."
    )
    return _devolver(abono, CAUSA_BENEFICIARIO_NO_RECONOCE, motivo, pago=pago)


def _devolver(abono: Abono, causa: int, motivo: str, *, pago: PagoBancario | None = None) -> Recepcion:
    """Answer "devolver" and leave the alert (once per distinct notification: retries find it)."""
    alerta, nueva = AlertaSpei.objects.get_or_create(
        institucion_ordenante=abono.institucion_ordenante,
        clave_rastreo=abono.clave_rastreo,
        fecha_operacion=abono.fecha_operacion,
        monto=abono.monto,
        cuenta_beneficiario=abono.cuenta_beneficiario,
        cuenta_ordenante=abono.cuenta_ordenante,
        defaults={
            "causa": causa, "motivo": motivo[:300], "pago": pago, "id_spei": abono.id,
            "nombre_ordenante": abono.nombre_ordenante, "concepto": abono.concepto_pago,
        },
    )
    if nueva:
        log.warning("abono_spei_devuelto", alerta_id=alerta.pk, causa=causa, pago_id=pago.pk if pago else None)
    return Recepcion(pago, nuevo=False, devolver=alerta.causa)
