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


class IntentosRegistro(models.Model):
    """Failed RFC attempts at registration for one padrón CURP, whatever the client (docs/reglas.md §3, rev. 3).

    The RFC follows from the name and a check digit, so it can be guessed in about a thousand tries: at
    `services.INTENTOS_RFC_MAXIMOS` failures the CURP's registration closes until Supervisión reopens it
    (ReaperturaRegistro), which sets the count back to zero. Failures while closed still count, so CAPP sees
    how hard someone tried. Written only by accounts.services, under the lock of the padrón row.
    """

    derechohabiente = models.OneToOneField(
        "prestamos.Derechohabiente", on_delete=models.CASCADE, related_name="intentos_registro",
        verbose_name="derechohabiente",
    )
    fallidos = models.PositiveIntegerField("intentos fallidos", default=0)
    ultimo_fallido = models.DateTimeField("último intento fallido", null=True, blank=True)
    cerrado_desde = models.DateTimeField("registro cerrado desde", null=True, blank=True)

    class Meta:
        verbose_name = "intentos de registro"
        verbose_name_plural = "intentos de registro"

    def __str__(self) -> str:
        return f"{self.fallidos} intentos fallidos"

    @property
    def cerrado(self) -> bool:
        return self.cerrado_desde is not None


class ReaperturaRegistro(models.Model):
    """Audit of a CURP whose registration CAPP reopened after too many failed RFC attempts. Never edited."""

    derechohabiente = models.ForeignKey(
        "prestamos.Derechohabiente", on_delete=models.PROTECT, related_name="+", verbose_name="derechohabiente"
    )
    fallidos = models.PositiveIntegerField("intentos fallidos al reabrir")
    cerrado_desde = models.DateTimeField("estaba cerrado desde")
    por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="reabierto por"
    )
    cuando = models.DateTimeField("fecha", auto_now_add=True)
    motivo = models.TextField("motivo")

    class Meta:
        ordering = ("-cuando",)
        verbose_name = "reapertura de registro"
        verbose_name_plural = "reaperturas de registro"

    def __str__(self) -> str:
        return f"Registro reabierto ({self.cuando:%d/%m/%Y})"


class InicioSesion(models.Model):
    """A sign-in of an account, for "Mi cuenta" (docs/reglas.md §14): when, from which device and address, and the
    session it opened, so its owner can close the others. Kept for the last ones only (`sesiones.registrar`)."""

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inicios_sesion")
    cuando = models.DateTimeField("fecha", auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("dirección IP", null=True, blank=True)
    dispositivo = models.CharField("dispositivo", max_length=120, blank=True)
    sesion = models.CharField("sesión", max_length=40, blank=True, db_index=True)
    cerrada = models.DateTimeField("cerrada", null=True, blank=True)

    class Meta:
        ordering = ["-cuando"]
        verbose_name = "inicio de sesión"
        verbose_name_plural = "inicios de sesión"

    def __str__(self) -> str:
        return f"{self.usuario} {self.cuando:%d/%m/%Y %H:%M}"
