from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A portal account. A borrower's account is linked from its Derechohabiente (one per CURP)."""

    class Meta:
        verbose_name = "usuario"
        verbose_name_plural = "usuarios"
