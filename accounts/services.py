from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from prestamos.models import Derechohabiente


class CurpYaRegistrada(PermissionDenied):
    pass


def derechohabiente_vincular_usuario(*, curp: str, usuario) -> None:
    """Link a new account to the padrón entry of its CURP, once.

    The conditional UPDATE makes the link the arbiter when two registrations for one CURP race:
    only one finds `usuario` empty; the loser's account is removed.
    """
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
