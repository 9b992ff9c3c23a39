from django.conf import settings
from django.db import models

from prestamos.calculo import Periodo, periodos_en_palabras
from prestamos.models import Movimiento, Prestamo


class Banco(models.Model):
    """An authorized bank, with the convenio under which it takes FOPI payments (staff maintain it)."""

    nombre = models.CharField("nombre", max_length=100, unique=True)
    convenio = models.CharField("convenio", max_length=30)
    activo = models.BooleanField("activo", default=True)
    orden = models.PositiveSmallIntegerField("orden", default=0)

    class Meta:
        ordering = ["orden", "nombre"]
        verbose_name = "banco autorizado"
        verbose_name_plural = "bancos autorizados"

    def __str__(self) -> str:
        return f"{self.nombre} (convenio {self.convenio})"


class Fopi(models.Model):
    """A payment slip: single use, valid until its vigencia; a new one cancels the loan's pending ones."""

    class Tipo(models.TextChoices):
        PARCIAL = "PARCIAL", "Pago parcial"
        LIQUIDACION = "LIQUIDACION", "Liquidación"
        REGULARIZACION = "REGULARIZACION", "Regularización"

    class Estado(models.TextChoices):
        PENDIENTE = "PENDIENTE", "Pendiente de pago"
        PAGADO = "PAGADO", "Pagado"
        VENCIDO = "VENCIDO", "Vencido"
        CANCELADO = "CANCELADO", "Cancelado"

    prestamo = models.ForeignKey(Prestamo, on_delete=models.PROTECT, related_name="fopis")
    secuencia = models.PositiveSmallIntegerField("secuencia")
    tipo = models.CharField("tipo", max_length=15, choices=Tipo.choices)
    importe = models.DecimalField("importe", max_digits=12, decimal_places=2)
    vigencia = models.DateField("vigencia")
    referencia = models.CharField("referencia bancaria", max_length=22, unique=True)
    # Written with the row on PostgreSQL, right after it elsewhere (fopi.services._clabe_libre): a deposit to it
    # names this FOPI. Once the 7-digit numbers run out, the CLABE of a FOPI dead for over a year passes to a new
    # one: the old row keeps it for the record, marked `clabe_reasignada`, and deposits go to the new one.
    clabe = models.CharField("CLABE para SPEI", max_length=18, null=True, editable=False, db_index=True)
    clabe_reasignada = models.BooleanField("CLABE reasignada a otro FOPI", default=False, editable=False)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.PENDIENTE)
    # What the borrower saw when issuing it (quincenas regularized, payoff at the vigencia...).
    detalle = models.JSONField("detalle", default=dict, blank=True)
    emitido = models.DateTimeField("emitido", auto_now_add=True)
    emitido_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    pagado_el = models.DateField("pagado el", null=True, blank=True)

    class Meta:
        ordering = ["-emitido", "-id"]
        verbose_name = "FOPI"
        verbose_name_plural = "FOPI"
        constraints = [
            # Numbers of FOPIs cancelled or expired unpaid are used again (fopi.services._secuencia_libre).
            models.UniqueConstraint(
                fields=["prestamo", "secuencia"],
                condition=models.Q(estado__in=["PENDIENTE", "PAGADO"]),
                name="fopi_secuencia_por_prestamo",
            ),
            models.CheckConstraint(condition=models.Q(importe__gt=0), name="fopi_importe_positivo"),
            # One FOPI holds a CLABE at a time; those it passed to a newer FOPI keep it as history.
            models.UniqueConstraint(
                fields=["clabe"], condition=models.Q(clabe_reasignada=False), name="fopi_clabe_unica_vigente"
            ),
        ]

    def __str__(self) -> str:
        return f"FOPI {self.referencia} ({self.get_tipo_display()})"

    @property
    def periodos(self) -> list[Periodo]:
        """The periods a REGULARIZACION FOPI pays, as the borrower saw them when issuing it (docs/reglas.md §13)."""
        return sorted(Periodo.parse(c) for c in (self.detalle or {}).get("quincenas", ()))

    @property
    def periodos_en_palabras(self) -> str:
        return periodos_en_palabras(self.periodos)

    def estado_al(self, hoy) -> str:
        """A pending FOPI past its vigencia is expired even before any job marks it."""
        if self.estado == self.Estado.PENDIENTE and self.vigencia < hoy:
            return self.Estado.VENCIDO
        return self.estado


class PagoBancario(models.Model):
    """Money received for a FOPI: a row of a bank's payments file or a SPEI deposit notification.

    Both channels share one review queue and the same staff actions. Money received always has a state
    and a reason.
    """

    class Canal(models.TextChoices):
        BANCO = "BANCO", "Ventanilla o banca (archivo del banco)"
        SPEI = "SPEI", "Transferencia SPEI"

    class Estado(models.TextChoices):
        APLICADO = "APLICADO", "Aplicado"
        EN_REVISION = "EN_REVISION", "En revisión"
        APLICADO_CAPP = "APLICADO_CAPP", "Aplicado por el CAPP"
        DEVOLUCION = "DEVOLUCION", "Marcado para devolución"
        REVERTIDO = "REVERTIDO", "Revertido (su archivo se revirtió)"

    APLICADOS = (Estado.APLICADO, Estado.APLICADO_CAPP)

    canal = models.CharField("canal", max_length=5, choices=Canal.choices, default=Canal.BANCO)
    # BANCO: the bank of the file. SPEI: the ordering institution (name when known, else its code).
    banco = models.CharField("banco", max_length=100)
    autorizacion = models.CharField("autorización", max_length=40, blank=True)
    fecha_pago = models.DateField("fecha de pago")
    referencia = models.CharField("referencia", max_length=40, blank=True)
    importe = models.DecimalField("importe", max_digits=12, decimal_places=2)
    estado = models.CharField("estado", max_length=14, choices=Estado.choices, db_index=True)
    motivo = models.CharField("motivo", max_length=200, blank=True)
    fopi = models.ForeignKey(Fopi, on_delete=models.PROTECT, null=True, blank=True, related_name="pagos")
    prestamo = models.ForeignKey(
        Prestamo, on_delete=models.PROTECT, null=True, blank=True, related_name="pagos_bancarios"
    )
    movimiento = models.OneToOneField(
        Movimiento, on_delete=models.PROTECT, null=True, blank=True, related_name="pago_bancario"
    )
    archivo = models.CharField("archivo", max_length=255, blank=True)
    archivo_aplicado = models.ForeignKey(
        "prestamos.ArchivoAplicado", on_delete=models.PROTECT, null=True, blank=True, related_name="pagos"
    )
    cargado = models.DateTimeField("cargado", auto_now_add=True)
    cargado_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # SPEI only: what the notification said (docs/reglas.md §11). The transfer is identified by the ordering
    # institution, the clave de rastreo and the operation date (`fecha_pago`): two banks may use the same key.
    clave_rastreo = models.CharField("clave de rastreo", max_length=30, null=True, blank=True, db_index=True)
    id_spei = models.CharField("id de la notificación", max_length=40, blank=True)
    institucion_ordenante = models.CharField("institución ordenante", max_length=10, blank=True)
    nombre_ordenante = models.CharField("nombre del ordenante", max_length=120, blank=True)
    cuenta_ordenante = models.CharField("cuenta del ordenante", max_length=20, blank=True)
    cuenta_beneficiario = models.CharField("CLABE de destino", max_length=20, blank=True)
    concepto = models.CharField("concepto de pago", max_length=120, blank=True)

    class Meta:
        ordering = ["-fecha_pago", "-id"]
        verbose_name = "pago recibido"
        verbose_name_plural = "pagos recibidos (banco y SPEI)"
        constraints = [
            # A bank's cumulative file or a second import of the same payment must not apply it twice.
            # Bank rows only (SPEI deposits are unique by clave de rastreo); a reversed payment no longer
            # counts as loaded, so the corrected file loads it again.
            models.UniqueConstraint(
                fields=["banco", "autorizacion"],
                condition=models.Q(canal="BANCO") & ~models.Q(estado="REVERTIDO"),
                name="pago_unico_por_autorizacion",
            ),
            models.CheckConstraint(condition=models.Q(importe__gt=0), name="pago_importe_positivo"),
            # One row per SPEI deposit: a redelivery, or two at once, of the same transfer cannot record it twice.
            models.UniqueConstraint(
                fields=["institucion_ordenante", "clave_rastreo", "fecha_pago"],
                condition=models.Q(canal="SPEI"),
                name="pago_spei_unico_por_identidad",
            ),
            # A SPEI deposit is known by its clave de rastreo (with its bank and date); a bank payment has none.
            models.CheckConstraint(
                condition=models.Q(canal="SPEI", clave_rastreo__isnull=False)
                | models.Q(canal="BANCO", clave_rastreo__isnull=True),
                name="pago_spei_con_clave_de_rastreo",
            ),
        ]

    def __str__(self) -> str:
        if self.canal == self.Canal.SPEI:
            return f"SPEI {self.clave_rastreo} {self.importe}"
        return f"{self.banco} {self.autorizacion} {self.importe}"

    @property
    def identificacion(self) -> str:
        """How staff and the borrower's receipt name the payment: authorization or SPEI tracking key."""
        if self.canal == self.Canal.SPEI:
            return f"Clave de rastreo {self.clave_rastreo}"
        return f"Autorización {self.autorizacion}"


class AlertaSpei(models.Model):
    """A SPEI deposit answered "devolver" (docs/reglas.md §11): never recorded as money received, so Operación
    sees it here, with STP's cause, to follow it with the bank.

    Either another transfer under the identity (bank, clave de rastreo, date) of a deposit already recorded
    (`pago`), or a deposit to a CLABE no FOPI ever had. One row per distinct notification: the bank's retries
    of the same one find it.
    """

    class Causa(models.IntegerChoices):
        # STP's catalogue of devolution causes (fopi/spei.py cites it); only those this portal answers.
        CUENTA_INEXISTENTE = 1, "Cuenta inexistente"
        BENEFICIARIO_NO_RECONOCE = 13, "Beneficiario no reconoce el pago"

    recibida = models.DateTimeField("recibida", auto_now_add=True)
    causa = models.PositiveSmallIntegerField("causa de devolución", choices=Causa.choices)
    motivo = models.CharField("motivo", max_length=300)
    pago = models.ForeignKey(
        PagoBancario,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alertas",
        verbose_name="depósito registrado con la misma identidad",
    )
    id_spei = models.CharField("id de la notificación", max_length=40)
    fecha_operacion = models.DateField("fecha de operación")
    institucion_ordenante = models.CharField("institución ordenante", max_length=10)
    clave_rastreo = models.CharField("clave de rastreo", max_length=30, db_index=True)
    monto = models.DecimalField("monto", max_digits=12, decimal_places=2)
    cuenta_beneficiario = models.CharField("CLABE de destino", max_length=20)
    nombre_ordenante = models.CharField("nombre del ordenante", max_length=120, blank=True)
    cuenta_ordenante = models.CharField("cuenta del ordenante", max_length=20, blank=True)
    concepto = models.CharField("concepto de pago", max_length=120, blank=True)

    class Meta:
        ordering = ["-recibida", "-id"]
        verbose_name = "alerta SPEI"
        verbose_name_plural = "alertas SPEI"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "institucion_ordenante",
                    "clave_rastreo",
                    "fecha_operacion",
                    "monto",
                    "cuenta_beneficiario",
                    "cuenta_ordenante",
                ],
                name="alerta_spei_una_por_notificacion",
            ),
        ]

    def __str__(self) -> str:
        return f"SPEI {self.clave_rastreo} devuelto ({self.get_causa_display()})"


class AccionPago(models.Model):
    """Audit trail of what CAPP staff did with a payment under review: who, when and why."""

    class Accion(models.TextChoices):
        APLICAR = "APLICAR", "Aplicado a un préstamo"
        DEVOLVER = "DEVOLVER", "Marcado para devolución"

    pago = models.ForeignKey(PagoBancario, on_delete=models.PROTECT, related_name="acciones")
    accion = models.CharField("acción", max_length=10, choices=Accion.choices)
    prestamo = models.ForeignKey(Prestamo, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    motivo = models.TextField("motivo")
    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cuando = models.DateTimeField("cuándo", auto_now_add=True)

    class Meta:
        ordering = ["-cuando"]
        verbose_name = "acción sobre un pago"
        verbose_name_plural = "acciones sobre pagos"

    def __str__(self) -> str:
        return f"{self.get_accion_display()} por {self.usuario} ({self.cuando:%d/%m/%Y %H:%M})"


class DevolucionPago(models.Model):
    """Money received but never applied to a loan (a duplicate, a transfer nobody can match) that CAPP marked for
    refund (docs/reglas.md §13): Operación's queue until it is paid back by SPEI with its tracking key.

    Apart from `recuperacion.SolicitudDevolucion`, which pays back a saldo a favor: that money is in the ledger and
    its refund books a DEVOLUCION; this money never entered the ledger, so paying it back books nothing there.
    """

    class Estado(models.TextChoices):
        PENDIENTE = "PENDIENTE", "Por devolver"
        PAGADA = "PAGADA", "Devuelto"

    pago = models.OneToOneField(PagoBancario, on_delete=models.PROTECT, related_name="devolucion")
    importe = models.DecimalField("importe", max_digits=12, decimal_places=2)
    # Where the money goes back: a SPEI deposit to its ordering account; a bank payment, the CLABE Operación
    # gets from the borrower (blank until then).
    cuenta = models.CharField("cuenta de destino", max_length=20, blank=True)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.PENDIENTE, db_index=True)
    creada = models.DateTimeField("marcada el", auto_now_add=True)
    clave_rastreo = models.CharField("clave de rastreo SPEI", max_length=30, blank=True)
    pagada = models.DateTimeField("pagada el", null=True, blank=True)
    pagada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-creada", "-id"]
        verbose_name = "devolución de un pago no aplicado"
        verbose_name_plural = "devoluciones de pagos no aplicados"
        constraints = [
            models.CheckConstraint(condition=models.Q(importe__gt=0), name="devolucion_pago_importe_positivo")
        ]

    def __str__(self) -> str:
        return f"Devolución de {self.pago} ({self.get_estado_display()})"


class AvisoCorreo(models.Model):
    """A notice e-mailed to the borrower (docs/reglas.md §13): what the Avisos page lists, one row per notice.

    Recorded by `fopi.buzon`, whoever sends the e-mail, with the subject and the text as sent. The unique
    (tipo, objeto) key makes a second run, a retried request or a concurrent one find an event already told
    (notices without `objeto` are not deduplicated); `enviado` stays empty when there was no address or the
    send failed.
    """

    class Tipo(models.TextChoices):
        PAGO_APLICADO = "PAGO_APLICADO", "Pago aplicado"
        PAGO_EN_REVISION = "PAGO_EN_REVISION", "Pago en revisión"
        PAGO_POR_DEVOLVER = "PAGO_POR_DEVOLVER", "Pago por devolver"
        PAGO_DEVUELTO = "PAGO_DEVUELTO", "Pago devuelto"
        ACLARACION_RECIBIDA = "ACLARACION_RECIBIDA", "Aclaración recibida"
        ACLARACION_RESUELTA = "ACLARACION_RESUELTA", "Aclaración resuelta"
        DEVOLUCION = "DEVOLUCION", "Devolución de saldo a favor"
        DEVOLUCION_PAGADA = "DEVOLUCION_PAGADA", "Saldo a favor devuelto"
        DESCUENTO_OMITIDO = "DESCUENTO_OMITIDO", "Descuento omitido"
        FOPI_POR_VENCER = "FOPI_POR_VENCER", "FOPI por vencer sin pagar"
        PRESTAMO_LIQUIDADO = "PRESTAMO_LIQUIDADO", "Préstamo liquidado"
        CORREO = "CORREO", "Cambio en tu cuenta"

    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices)
    derechohabiente = models.ForeignKey(
        "prestamos.Derechohabiente", on_delete=models.PROTECT, related_name="avisos_correo"
    )
    # The pk of what the e-mail is about (a PagoBancario, Fopi, Prestamo, Aclaracion…, by `tipo`), when one
    # event must be told once.
    objeto = models.BigIntegerField("objeto", null=True, blank=True)
    prestamo = models.ForeignKey(
        Prestamo, on_delete=models.PROTECT, null=True, blank=True, related_name="avisos_correo"
    )
    asunto = models.CharField("asunto", max_length=200, blank=True)
    cuerpo = models.TextField("texto", blank=True)
    correo = models.EmailField("enviado a", blank=True)
    creado = models.DateTimeField("registrado", auto_now_add=True)
    enviado = models.DateTimeField("enviado", null=True, blank=True)

    class Meta:
        ordering = ["-creado", "-id"]
        verbose_name = "aviso por correo"
        verbose_name_plural = "avisos por correo"
        constraints = [models.UniqueConstraint(fields=["tipo", "objeto"], name="aviso_correo_unico_por_evento")]
        indexes = [models.Index(fields=["derechohabiente", "-creado"], name="aviso_por_derechohabiente")]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} ({self.objeto})"

    @property
    def titulo(self) -> str:
        """The subject without the portal's name in front: the Avisos page is already in the portal."""
        prefijo = f"{settings.PORTAL_NOMBRE} — "
        return self.asunto[len(prefijo) :] if self.asunto.startswith(prefijo) else self.asunto
