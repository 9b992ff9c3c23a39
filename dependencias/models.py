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

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dependencia = models.ForeignKey(Dependencia, on_delete=models.PROTECT, related_name="+")
    accion = models.CharField("acción", max_length=12, choices=Accion.choices)
    detalle = models.CharField("detalle", max_length=255, blank=True)
    fecha = models.DateTimeField("fecha", auto_now_add=True)

    class Meta:
        ordering = ["-fecha"]
        verbose_name = "acceso de dependencia"
        verbose_name_plural = "accesos de dependencias"
