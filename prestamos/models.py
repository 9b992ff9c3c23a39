from django.conf import settings
from django.db import models


class Dependencia(models.Model):
    """An employer that deducts loan installments from its workers' pay."""

    clave = models.CharField("clave", max_length=20, unique=True)
    nombre = models.CharField("nombre", max_length=200)

    class Meta:
        ordering = ["clave"]
        verbose_name = "dependencia"
        verbose_name_plural = "dependencias"

    def __str__(self) -> str:
        return f"{self.clave} — {self.nombre}"


class Derechohabiente(models.Model):
    """A person in the padrón. Only people in the padrón can register, once (one account per CURP)."""

    curp = models.CharField("CURP", max_length=18, unique=True)
    nombre = models.CharField("nombre", max_length=120)
    primer_apellido = models.CharField("primer apellido", max_length=120)
    segundo_apellido = models.CharField("segundo apellido", max_length=120, blank=True)
    rfc = models.CharField("RFC", max_length=13, blank=True)
    dependencia = models.ForeignKey(
        Dependencia, on_delete=models.PROTECT, related_name="derechohabientes", verbose_name="dependencia"
    )
    # SET_NULL: removing an unverified account frees the CURP for a new registration.
    usuario = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derechohabiente",
        verbose_name="cuenta",
    )

    class Meta:
        ordering = ["primer_apellido", "segundo_apellido", "nombre"]
        verbose_name = "derechohabiente"
        verbose_name_plural = "derechohabientes"

    def __str__(self) -> str:
        return f"{self.nombre_completo} ({self.curp})"

    @property
    def nombre_completo(self) -> str:
        return " ".join(p for p in (self.nombre, self.primer_apellido, self.segundo_apellido) if p)
