import enum
from dataclasses import dataclass
from datetime import timedelta

import structlog
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import IntentosRegistro, ReaperturaRegistro
from oficina import metricas
from oficina.identidad import normalizar_rfc
from prestamos.models import Derechohabiente

log = structlog.get_logger(__name__)


class CurpYaRegistrada(PermissionDenied):
    pass


# Failed RFC attempts per CURP after which its registration closes (docs/reglas.md §3, rev. 3).
INTENTOS_RFC_MAXIMOS = 5


class Resultado(enum.Enum):
    COINCIDE = "coincide"
    NO_COINCIDE = "no_coincide"  # CURP outside the padrón or wrong RFC: one answer for both
    CERRADO = "cerrado"  # too many failed attempts; the form says the same as NO_COINCIDE


@dataclass(frozen=True)
class Comprobacion:
    resultado: Resultado
    derechohabiente: Derechohabiente | None = None


def _rfc_coincide(derechohabiente: Derechohabiente, rfc: str) -> bool:
    return bool(derechohabiente.rfc) and normalizar_rfc(derechohabiente.rfc) == rfc


@transaction.atomic
def registro_comprobar(*, curp: str, rfc: str) -> Comprobacion:
    """Registration's identity check: the padrón entry whose CURP *and* RFC match what was typed.

    A CURP is printed on many documents and proves nothing alone; the RFC con homoclave is the second fact,
    but it can be guessed, so every wrong RFC counts against the CURP, whatever the client, and at
    INTENTOS_RFC_MAXIMOS the CURP's registration closes: then even the right RFC is refused.
    """
    # Locked: attempts for one CURP are taken one at a time, so no attempt is compared with the padrón
    # before the failures ahead of it are counted (concurrent guesses cannot slip past the limit).
    derechohabiente = (
        Derechohabiente.objects.select_for_update().filter(curp=curp).only("id", "rfc", "usuario_id").first()
    )
    if derechohabiente is None:
        return Comprobacion(Resultado.NO_COINCIDE)
    intentos = IntentosRegistro.objects.filter(derechohabiente=derechohabiente).first()
    cerrado = intentos is not None and intentos.cerrado
    coincide = _rfc_coincide(derechohabiente, rfc)
    if coincide and not cerrado:
        return Comprobacion(Resultado.COINCIDE, derechohabiente)
    if not coincide:
        ahora = timezone.now()
        intentos = intentos or IntentosRegistro(derechohabiente=derechohabiente)
        intentos.fallidos += 1
        intentos.ultimo_fallido = ahora
        if intentos.fallidos >= INTENTOS_RFC_MAXIMOS and not intentos.cerrado:
            intentos.cerrado_desde = ahora
            transaction.on_commit(metricas.REGISTROS_CERRADOS.inc)
            log.warning("registro_cerrado_por_curp", derechohabiente_id=derechohabiente.pk)
        intentos.save()
    return Comprobacion(Resultado.CERRADO if cerrado else Resultado.NO_COINCIDE)


@transaction.atomic
def registro_reabrir(*, derechohabiente: Derechohabiente, por, motivo: str) -> ReaperturaRegistro:
    """CAPP (Supervisión) reopens the registration of a CURP closed by failed RFC attempts, once it has
    checked who is asking; the count starts again from zero. Who, when, why and how many stay recorded."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise ValueError("El motivo es obligatorio.")
    # The same lock as the attempts: none is counted half-way through the reopening.
    Derechohabiente.objects.select_for_update().filter(pk=derechohabiente.pk).first()
    intentos = IntentosRegistro.objects.filter(derechohabiente=derechohabiente).first()
    if intentos is None or not intentos.cerrado:
        raise ValueError("El registro de esta CURP no está cerrado.")
    reapertura = ReaperturaRegistro.objects.create(
        derechohabiente=derechohabiente, fallidos=intentos.fallidos, cerrado_desde=intentos.cerrado_desde,
        por=por, motivo=motivo,
    )
    intentos.fallidos, intentos.cerrado_desde = 0, None
    intentos.save(update_fields=["fallidos", "cerrado_desde"])
    return reapertura


def derechohabiente_vincular_usuario(*, curp: str, rfc: str, usuario) -> None:
    """Bind a new account to the padrón entry of its CURP, once, and only if the RFC matches.

    The form's registro_comprobar already counted this attempt; this check does not count again. The
    conditional UPDATE makes the link the arbiter when two registrations for one CURP race: only one finds
    `usuario` empty; the loser's account is removed.
    """
    derechohabiente = Derechohabiente.objects.filter(curp=curp).only("id", "rfc").first()
    if derechohabiente is None or not _rfc_coincide(derechohabiente, rfc):
        vinculados = 0
    else:
        vinculados = Derechohabiente.objects.filter(pk=derechohabiente.pk, usuario__isnull=True).update(usuario=usuario)
    if vinculados != 1:
        usuario.delete()
        raise CurpYaRegistrada("Ya existe una cuenta registrada con esta CURP.")


def cuentas_sin_verificar_eliminar(*, dias: int, ahora=None) -> int:
    """Remove borrower accounts whose e-mail was not verified in time, freeing their CURP."""
    limite = (ahora or timezone.now()) - timedelta(days=dias)
    pendientes = get_user_model().objects.filter(
        is_staff=False,
        is_superuser=False,
        date_joined__lt=limite,
    ).exclude(emailaddress__verified=True)
    _, por_modelo = pendientes.delete()
    return por_modelo.get(get_user_model()._meta.label, 0)


@transaction.atomic
def curp_recuperar(*, derechohabiente: Derechohabiente, por, motivo: str):
    """CAPP gives a CURP back to its rightful owner: the account holding it is unbound and closed.

    The owner then registers again with CURP and RFC. Who, when and why stay in a LiberacionCurp row.
    """
    from accounts.models import LiberacionCurp

    motivo = (motivo or "").strip()
    if not motivo:
        raise ValueError("El motivo es obligatorio.")
    # Locked: a registration binding this CURP at the same moment must wait for the unbinding to end.
    derechohabiente = Derechohabiente.objects.select_for_update().get(pk=derechohabiente.pk)
    cuenta = derechohabiente.usuario
    if cuenta is None:
        raise ValueError("Esta CURP no tiene una cuenta vinculada.")
    derechohabiente.usuario = None
    derechohabiente.save(update_fields=["usuario"])
    # Inactive accounts cannot authenticate, so any open session of the other holder ends too.
    cuenta.is_active = False
    cuenta.save(update_fields=["is_active"])
    return LiberacionCurp.objects.create(
        derechohabiente=derechohabiente,
        cuenta=cuenta,
        cuenta_usuario=cuenta.get_username(),
        cuenta_correo=cuenta.email,
        por=por,
        motivo=motivo,
    )
