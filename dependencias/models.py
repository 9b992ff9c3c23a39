"""The payroll offices' users and what they download and upload (docs/reglas.md §16)."""

from django.conf import settings
from django.db import models

from prestamos.models import Dependencia


class UsuarioDependencia(models.Model):
    """A user of a dependencia's payroll office (or the pension payroll): a role apart from staff and
    borrowers that reaches only /dependencias/, with the staff's second factor."""

    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usuario_dependencia", verbose_name="usuario"
    )
    dependencias = models.ManyToManyField(Dependencia, related_name="usuarios_pagaduria", verbose_name="dependencias")
    creado = models.DateTimeField("creado", auto_now_add=True)

    class Meta:
        verbose_name = "usuario de dependencia"
        verbose_name_plural = "usuarios de dependencias"

    def __str__(self) -> str:
        return self.usuario.get_username()


class AccesoDependencia(models.Model):
    """Every download and upload of a dependencia user (docs/reglas.md §16)."""

    class Accion(models.TextChoices):
        CEDULA_CSV = "CEDULA_CSV", "Descargó la cédula (CSV)"
        CEDULA = "CEDULA", "Consultó la cédula"
        REMESA = "REMESA", "Cargó una remesa"
        AVISO_PDF = "AVISO_PDF", "Descargó un aviso de suspensión"

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dependencia = models.ForeignKey(Dependencia, on_delete=models.PROTECT, related_name="+")
    accion = models.CharField("acción", max_length=12, choices=Accion.choices)
    detalle = models.CharField("detalle", max_length=255, blank=True)
    fecha = models.DateTimeField("fecha", auto_now_add=True)

    class Meta:
        ordering = ["-fecha"]
        verbose_name = "acceso de dependencia"
        verbose_name_plural = "accesos de dependencias"


class AcuseSuspension(models.Model):
    """"Acusar recibo" of an aviso de suspensión de descuentos: who in the payroll office, and when."""

    prestamo = models.OneToOneField(
        "prestamos.Prestamo", on_delete=models.PROTECT, related_name="acuse_suspension", verbose_name="préstamo"
    )
    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    fecha = models.DateTimeField("acusado el", auto_now_add=True)

    class Meta:
        ordering = ["-fecha"]
        verbose_name = "acuse de aviso de suspensión"
        verbose_name_plural = "acuses de avisos de suspensión"


class RecordatorioRemesa(models.Model):
    """The e-mail of a remesa not received 5 days after its due date: once per dependencia and period."""

    dependencia = models.ForeignKey(Dependencia, on_delete=models.PROTECT, related_name="+")
    periodo = models.CharField("periodo", max_length=8)
    enviado = models.DateTimeField("enviado", auto_now_add=True)
    destinatarios = models.TextField("enviado a", blank=True)

    class Meta:
        ordering = ["-enviado"]
        verbose_name = "recordatorio de remesa"
        verbose_name_plural = "recordatorios de remesa"
        constraints = [models.UniqueConstraint(fields=["dependencia", "periodo"], name="recordatorio_unico")]
