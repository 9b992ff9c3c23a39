from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A portal account. A borrower's account is linked from its Derechohabiente (one per CURP)."""

    class Meta:
        verbose_name = "usuario"
        verbose_name_plural = "usuarios"


class LiberacionCurp(models.Model):
    """Audit of a CURP given back by CAPP to its rightful owner (the other account closed). Never edited."""

    derechohabiente = models.ForeignKey(
        "prestamos.Derechohabiente", on_delete=models.PROTECT, related_name="+", verbose_name="derechohabiente"
    )
    # SET_NULL: the closed account may be removed later; its name and e-mail stay here as text.
    cuenta = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="cuenta cerrada",
    )
    cuenta_usuario = models.CharField("usuario de la cuenta cerrada", max_length=150)
    cuenta_correo = models.CharField("correo de la cuenta cerrada", max_length=254, blank=True)
    por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="realizada por"
    )
    cuando = models.DateTimeField("fecha", auto_now_add=True)
    motivo = models.TextField("motivo")

    class Meta:
        ordering = ["-cuando"]
        verbose_name = "recuperación de CURP"
        verbose_name_plural = "recuperaciones de CURP"

    def __str__(self) -> str:
        return f"{self.cuenta_usuario} → CURP liberada ({self.cuando:%d/%m/%Y})"
