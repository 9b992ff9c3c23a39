from django.conf import settings
from django.db import models

from prestamos.campos import PeriodoField
from prestamos.models import Dependencia, Derechohabiente, Movimiento, Prestamo, Remesa


class Descuento(models.Model):
    """One payroll deduction received in a remesa, and the ledger entry that applied it."""

    remesa = models.ForeignKey(Remesa, on_delete=models.PROTECT, related_name="descuentos")
    prestamo = models.ForeignKey(Prestamo, on_delete=models.PROTECT, related_name="descuentos")
    quincena = PeriodoField("quincena")
    importe = models.DecimalField("importe", max_digits=12, decimal_places=2)
    movimiento = models.OneToOneField(Movimiento, on_delete=models.PROTECT, related_name="descuento")
    # Its file was reversed (docs/reglas.md §9): no longer counts as loaded, so the corrected row can be.
    revertido = models.BooleanField("revertido", default=False)

    class Meta:
        ordering = ["-quincena", "id"]
        verbose_name = "descuento"
        verbose_name_plural = "descuentos"
        constraints = [
            # A folio is deducted by one dependencia, so this is SPEC's (dependencia, quincena, folio) key:
            # the database's backstop against applying one deduction twice.
            models.UniqueConstraint(
                fields=["prestamo", "quincena"], condition=models.Q(revertido=False), name="descuento_unico_por_quincena"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quincena} {self.importe}"


class AvisoOmision(models.Model):
    """A missing deduction detected for a loan and quincena; the borrower is told once (docs/reglas.md §6)."""

    prestamo = models.ForeignKey(Prestamo, on_delete=models.PROTECT, related_name="avisos_omision")
    quincena = PeriodoField("quincena")
    pendiente = models.DecimalField("importe no cubierto", max_digits=12, decimal_places=2)
    detectada = models.DateField("detectada el")
    correo = models.EmailField("enviado a", blank=True)
    enviado = models.DateTimeField("enviado", null=True, blank=True)

    class Meta:
        ordering = ["-detectada", "id"]
        verbose_name = "aviso de descuento omitido"
        verbose_name_plural = "avisos de descuento omitido"
        constraints = [models.UniqueConstraint(fields=["prestamo", "quincena"], name="aviso_omision_unico")]

    def __str__(self) -> str:
        return f"{self.prestamo_id} {self.quincena}"


class DependenciaOmisa(Dependencia):
    """No table of its own: gives the "Dependencias omisas" report its place in the admin index."""

    class Meta:
        proxy = True
        verbose_name = "dependencia omisa"
        verbose_name_plural = "dependencias omisas"


class SolicitudDevolucion(models.Model):
    """A borrower asks for their saldo a favor back by SPEI (docs/reglas.md §9); Operación pays it and
    records the tracking key, which books a DEVOLUCION in the ledger."""

    class Estado(models.TextChoices):
        PENDIENTE = "PENDIENTE", "Pendiente de pago"
        PAGADA = "PAGADA", "Pagada"

    prestamo = models.ForeignKey(Prestamo, on_delete=models.PROTECT, related_name="devoluciones")
    importe = models.DecimalField("importe", max_digits=12, decimal_places=2)
    clabe = models.CharField("CLABE", max_length=18)
    titular = models.CharField("titular de la cuenta", max_length=120)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.PENDIENTE, db_index=True)
    solicitada = models.DateTimeField("solicitada", auto_now_add=True)
    clave_rastreo = models.CharField("clave de rastreo SPEI", max_length=30, blank=True)
    pagada = models.DateTimeField("pagada", null=True, blank=True)
    pagada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    movimiento = models.OneToOneField(Movimiento, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["estado", "solicitada"]
        verbose_name = "devolución de saldo a favor"
        verbose_name_plural = "devoluciones de saldo a favor"
        constraints = [
            models.UniqueConstraint(
                fields=["prestamo"], condition=models.Q(estado="PENDIENTE"), name="una_devolucion_pendiente_por_prestamo"
            ),
            models.CheckConstraint(condition=models.Q(importe__gt=0), name="devolucion_importe_positivo"),
        ]

    def __str__(self) -> str:
        return f"Devolución {self.prestamo_id} {self.importe} ({self.get_estado_display()})"
class DocumentoVerificable(models.Model):
    """A document others rely on, as issued: what the public verification page confirms (docs/reglas.md §9).

    One row per document, not per download: issuing the same document again (same `tipo` and `asunto`)
    returns this row, so every copy carries the same folio, code and date of issue.
    """

    class Tipo(models.TextChoices):
        CARTA_LIQUIDACION = "CARTA_LIQUIDACION", "Carta de liquidación"
        AVISO_SUSPENSION = "AVISO_SUSPENSION", "Aviso de suspensión de descuentos"
        CONSTANCIA_NO_ADEUDO = "CONSTANCIA_NO_ADEUDO", "Constancia de no adeudo"
        COMPROBANTE_PAGO = "COMPROBANTE_PAGO", "Comprobante de pago"

    tipo = models.CharField("tipo", max_length=24, choices=Tipo.choices)
    # What makes two issues the same document, e.g. "20000000001:2026-06-15" (loan and payoff date):
    # a loan paid off again on another date after a correction gets a new carta, not the old one.
    asunto = models.CharField("asunto", max_length=120)
    codigo = models.CharField("código de verificación", max_length=20, unique=True)
    # Set from the id once the row exists (one sequence for all kinds, no counter to lock); null only
    # inside the issuing transaction.
    folio = models.CharField("folio", max_length=24, unique=True, null=True, blank=True)
    derechohabiente = models.ForeignKey(
        Derechohabiente, on_delete=models.PROTECT, related_name="documentos", verbose_name="derechohabiente"
    )
    prestamo = models.ForeignKey(
        Prestamo, on_delete=models.PROTECT, null=True, blank=True, related_name="documentos", verbose_name="préstamo"
    )
    importe = models.DecimalField("importe", max_digits=12, decimal_places=2, null=True, blank=True)
    # The date the document attests: fecha de liquidación (carta, aviso), of the payment (comprobante).
    fecha_hecho = models.DateField("fecha que consta", null=True, blank=True)
    emitido = models.DateField("fecha de emisión")
    creado = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "documento verificable"
        verbose_name_plural = "documentos verificables"
        constraints = [models.UniqueConstraint(fields=["tipo", "asunto"], name="documento_unico_por_asunto")]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.folio}"


class PrestamoPorSuspender(Prestamo):
    """No table of its own: the admin's list of paid-off loans whose deduction the dependencia must stop."""

    class Meta:
        proxy = True
        verbose_name = "préstamo por dejar de descontar"
        verbose_name_plural = "préstamos por dejar de descontar"
