"""Clear the pages' cached remesas and moratorio parameters (prestamos/posiciones.py) when either changes.

After commit: a reader that came in between would otherwise cache the rows of a transaction that then
rolled back, or miss the clearing of one that had not yet committed.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from prestamos.models import ParametroMora, Remesa
from prestamos.posiciones import CLAVE_PARAMETROS, clave_remesas


@receiver([post_save, post_delete], sender=Remesa, dispatch_uid="prestamos_remesas_en_cache")
def _remesa_cambio(sender, instance: Remesa, **kwargs) -> None:
    clave = clave_remesas(instance.dependencia_id)
    transaction.on_commit(lambda: cache.delete(clave))


@receiver([post_save, post_delete], sender=ParametroMora, dispatch_uid="prestamos_parametros_en_cache")
def _parametros_cambio(sender, **kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(CLAVE_PARAMETROS))
