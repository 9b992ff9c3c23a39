"""Clear the cached authorized banks (fopi/selectors.py `bancos_autorizados`) when staff change one.

After commit, as prestamos/signals.py: a reader in between would otherwise cache the rows of a transaction that
then rolled back, or miss the clearing of one not yet committed.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fopi.models import Banco
from fopi.selectors import CLAVE_BANCOS


@receiver([post_save, post_delete], sender=Banco, dispatch_uid="fopi_bancos_en_cache")
def _banco_cambio(sender, **kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(CLAVE_BANCOS))
