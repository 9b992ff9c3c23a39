from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from prestamos.models import Derechohabiente


class CurpYaRegistrada(PermissionDenied):
    pass


def derechohabiente_para_registro(*, curp: str, rfc: str) -> Derechohabiente | None:
    """The padrón entry whose CURP *and* RFC match what was typed, or None.

    A CURP is printed on many documents and proves nothing alone; the RFC con homoclave is the second fact
    only the borrower (and their payslip) knows.
    """
    derechohabiente = Derechohabiente.objects.filter(curp=curp).only("id", "rfc", "usuario_id").first()
    if derechohabiente is None or not derechohabiente.rfc or derechohabiente.rfc.strip().upper() != rfc:
        return None
    return derechohabiente


def derechohabiente_vincular_usuario(*, curp: str, rfc: str, usuario) -> None:
    """Bind a new account to the padrón entry of its CURP, once, and only if the RFC matches.

    The conditional UPDATE makes the link the arbiter when two registrations for one CURP race:
    only one finds `usuario` empty; the loser's account is removed.
    """
    if derechohabiente_para_registro(curp=curp, rfc=rfc) is None:
        vinculados = 0
    else:
        vinculados = Derechohabiente.objects.filter(curp=curp, usuario__isnull=True).update(usuario=usuario)
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
