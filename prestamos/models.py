from decimal import Decimal

from django.conf import settings
from django.db import models

from oficina.identidad import validar_curp
from prestamos.calculo import PALABRAS_MES, PALABRAS_QUINCENA, Palabras
from prestamos.campos import PeriodoField
from prestamos.validadores import validar_clave, validar_nombre, validar_rfc, validar_rfc_emisor


class Dependencia(models.Model):
    """An employer that deducts loan installments from its workers' pay."""

    clave = models.CharField("clave", max_length=20, unique=True, validators=[validar_clave])
    nombre = models.CharField("nombre", max_length=200)
    # The RFC that issues its payslips' CFDI (docs/reglas.md §18); optional column `rfc` of dependencias.csv.
    rfc = models.CharField("RFC", max_length=13, blank=True, validators=[validar_rfc_emisor])

    class Meta:
        ordering = ["clave"]
        verbose_name = "dependencia"
        verbose_name_plural = "dependencias"

    def __str__(self) -> str:
        return f"{self.clave} — {self.nombre}"


class Derechohabiente(models.Model):
    """A person in the padrón. Only people in the padrón can register, once (one account per CURP)."""

    class Tipo(models.TextChoices):
        TRABAJADOR = "TRABAJADOR", "Trabajador en activo"
        PENSIONADO = "PENSIONADO", "Pensionado"  # repaid monthly from the pension payroll, docs/reglas.md §12

    curp = models.CharField("CURP", max_length=18, unique=True, validators=[validar_curp])
    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices, default=Tipo.TRABAJADOR)
    nombre = models.CharField("nombre", max_length=120, validators=[validar_nombre])
    primer_apellido = models.CharField("primer apellido", max_length=120, validators=[validar_nombre])
    segundo_apellido = models.CharField("segundo apellido", max_length=120, blank=True, validators=[validar_nombre])
    rfc = models.CharField("RFC", max_length=13, blank=True, validators=[validar_rfc])
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

    @property
    def palabras(self) -> Palabras:
        """The words of this borrower's payroll period (docs/reglas.md §14): months for a pensioner."""
        return PALABRAS_MES if self.tipo == self.Tipo.PENSIONADO else PALABRAS_QUINCENA


class Prestamo(models.Model):
    """A personal loan. Its terms never change after loading; what happens to it is in its ledger."""

    class Tipo(models.TextChoices):
        ORDINARIO = "ORDINARIO", "Ordinario"
        ESPECIAL = "ESPECIAL", "Especial"
        BIENES_DURADEROS = "BIENES_DURADEROS", "Para adquisición de bienes duraderos"
        CONMEMORATIVO = "CONMEMORATIVO", "Conmemorativo"
        DAMNIFICADOS = "DAMNIFICADOS", "Para damnificados"

    class Estado(models.TextChoices):
        VIGENTE = "VIGENTE", "Vigente"
        EN_COBRANZA = "EN_COBRANZA", "En cobranza"
        LIQUIDADO = "LIQUIDADO", "Liquidado"

    folio = models.CharField("folio", max_length=11, unique=True)
    derechohabiente = models.ForeignKey(
        Derechohabiente, on_delete=models.PROTECT, related_name="prestamos", verbose_name="derechohabiente"
    )
    dependencia = models.ForeignKey(
        Dependencia, on_delete=models.PROTECT, related_name="prestamos", verbose_name="dependencia que descuenta"
    )
    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices)
    importe = models.DecimalField("importe otorgado", max_digits=12, decimal_places=2)
    tasa_anual = models.DecimalField("tasa anual (%)", max_digits=5, decimal_places=2)
    plazo = models.PositiveSmallIntegerField("plazo (periodos)")
    cuota = models.DecimalField("descuento por periodo", max_digits=12, decimal_places=2)
    fecha_otorgamiento = models.DateField("fecha de otorgamiento")
    # A quincena (active workers) or a month (pensioners): every period of the loan is of this kind.
    primera_quincena = PeriodoField("primer periodo")
    quincenas_pagadas_inicial = models.PositiveSmallIntegerField("periodos pagados al cargar", default=0)
    estado_inicial = models.CharField("estado al cargar", max_length=12, default="VIGENTE")
    # Kept current by the services that book money and by the daily detection; the ledger is the truth.
    estado = models.CharField("estado", max_length=12, choices=Estado.choices, default=Estado.VIGENTE, db_index=True)
    fecha_liquidacion = models.DateField("fecha de liquidación", null=True, blank=True)
    cargado = models.DateTimeField("cargado", auto_now_add=True)
    # A cache of the ledger replay (cartera.Posicion.a_json) including the movements up to id
    # `posicion_hasta`, so a remesa does not replay a million ledgers; later movements are replayed on top.
    posicion = models.JSONField("posición (caché)", null=True, blank=True, editable=False)
    posicion_hasta = models.BigIntegerField("posición hasta el movimiento", null=True, blank=True, editable=False)
    # Part of the snapshot (prestamos/instantanea.py, its one owner): how many installments after the JSON's
    # paid ones a remesa paid as scheduled set-based (libro.asentar_ordinarias) without rewriting the JSON.
    # A plain integer, no CHECK: adding it to a million loans is then instant (a CHECK would scan the table under
    # an exclusive lock); the writers keep it ≥ 0.
    posicion_al_corriente = models.IntegerField(
        "cuotas pagadas al corriente después de la posición", default=0, db_default=0, editable=False
    )

    class Meta:
        ordering = ["-fecha_otorgamiento", "-folio"]
        verbose_name = "préstamo"
        verbose_name_plural = "préstamos"
        permissions = [("condonar_moratorios", "Puede condonar moratorios")]
        indexes = [models.Index(fields=["dependencia", "estado"])]

    def __str__(self) -> str:
        return f"{self.folio} ({self.get_tipo_display()})"


class MovimientoQuerySet(models.QuerySet):
    """The ledger is append-only: corrections are new entries, never edits or deletions."""

    def update(self, **kwargs):
        raise PermissionError("Los movimientos no se modifican; una corrección es una reversión (docs/reglas.md §9).")

    def delete(self):
        raise PermissionError("Los movimientos no se eliminan; una corrección es una reversión (docs/reglas.md §9).")

    def recibidos(self):
        """Money that came in (payroll, bank, SPEI, CAPP), as opposed to entries that move none or send it out."""
        return self.filter(tipo__in=Movimiento.RECIBIDOS)


# A loan's ledger in booking order, the way both of its readers ask for it: a remesa's "movements of
# these 5,000 loans after their snapshots" and the statement's "this borrower's movements". On PostgreSQL
# it also carries the columns the statement shows (`COLUMNAS_ESTADO_CUENTA`), so the statement reads a
# loan's ledger from one or two index pages (an index-only scan) instead of one heap page per movement:
# a remesa appends one movement per loan each quincena, so a loan's movements lie on 24 pages a year.
COLUMNAS_ESTADO_CUENTA = ("tipo", "fecha_valor", "importe", "moratorios", "interes", "capital", "excedente", "origen")
LIBRO_POR_PRESTAMO = models.Index(
    fields=["prestamo", "id"], include=list(COLUMNAS_ESTADO_CUENTA), name="movimiento_libro_prestamo"
)


class Movimiento(models.Model):
    class Tipo(models.TextChoices):
        APERTURA = "APERTURA", "Quincenas pagadas antes de la carga"
        DESCUENTO = "DESCUENTO", "Descuento vía nómina"
        PAGO = "PAGO", "Pago en banco (FOPI)"
        PAGO_CAPP = "PAGO_CAPP", "Pago aplicado por el CAPP"
        PAGO_SPEI = "PAGO_SPEI", "Transferencia SPEI (FOPI)"
        # A deduction the dependencia took from the payslip but never sent, recognised by CAPP (docs/reglas.md §10).
        ACLARACION = "ACLARACION", "Descuento reconocido por aclaración"
        # Corrections (docs/reglas.md §9): none of these is money received.
        REVERSION = "REVERSION", "Reversión"
        CONDONACION = "CONDONACION", "Condonación de moratorios"
        DEVOLUCION = "DEVOLUCION", "Devolución de saldo a favor"
        # The centavos a last deduction fell short by (at most 1.00), written off so the loan settles
        # (docs/reglas.md §5). No money: not among RECIBIDOS.
        AJUSTE = "AJUSTE", "Ajuste por redondeo"
        # Saldo a favor moved by the borrower's choice ("Abonar a capital"), and moratorios an aclaración proved
        # undue, moved back to saldo a favor (docs/reglas.md §6, §10). No money comes in or goes out.
        ABONO_SALDO = "ABONO_SALDO", "Saldo a favor abonado al préstamo"
        MORATORIO_DEVUELTO = "MORA_DEVUELTA", "Moratorios devueltos a saldo a favor"

    RECIBIDOS = (Tipo.APERTURA, Tipo.DESCUENTO, Tipo.PAGO, Tipo.PAGO_CAPP, Tipo.PAGO_SPEI, Tipo.ACLARACION)

    # Indexed by LIBRO_POR_PRESTAMO below, whose first column serves the foreign key too.
    prestamo = models.ForeignKey(Prestamo, on_delete=models.PROTECT, related_name="movimientos", db_index=False)
    tipo = models.CharField("tipo", max_length=16, choices=Tipo.choices)
    fecha_valor = models.DateField("fecha valor")
    importe = models.DecimalField("importe recibido", max_digits=12, decimal_places=2)
    moratorios = models.DecimalField("a moratorios", max_digits=12, decimal_places=2)
    interes = models.DecimalField("a interés", max_digits=12, decimal_places=2)
    capital = models.DecimalField("a capital", max_digits=12, decimal_places=2)
    excedente = models.DecimalField("excedente por devolver", max_digits=12, decimal_places=2)
    aplicacion = models.JSONField("aplicación por cuota")
    origen = models.CharField("origen", max_length=200)
    motivo = models.TextField("motivo", blank=True)
    # A REVERSION names the movement it cancels; each movement is reversed at most once (docs/reglas.md §9).
    # The three links below are empty on nearly every row: each is indexed only where it is set
    # (Meta), so a remesa's million rows add no entries to them (docs/performance.md).
    revierte = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversion", verbose_name="revierte a",
        db_index=False,
    )
    # A movement booked again after a reversal re-decided it names the one it replaces; the deduction or
    # bank payment that brought the money keeps pointing at the original.
    reaplica = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reaplicacion", verbose_name="reaplica a",
        db_index=False,
    )
    registrado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    creado = models.DateTimeField("registrado", auto_now_add=True)

    objects = MovimientoQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "movimiento"
        verbose_name_plural = "movimientos"
        indexes = [
            LIBRO_POR_PRESTAMO,
            models.Index(fields=["registrado_por"], condition=models.Q(registrado_por__isnull=False),
                         name="movimiento_registrado_por"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["revierte"], condition=models.Q(revierte__isnull=False),
                                    name="movimiento_revierte_una_vez"),
            models.UniqueConstraint(fields=["reaplica"], condition=models.Q(reaplica__isnull=False),
                                    name="movimiento_reaplica_una_vez"),
            models.CheckConstraint(
                condition=models.Q(importe__gt=0)
                & models.Q(moratorios__gte=0, interes__gte=0, capital__gte=0, excedente__gte=0),
                name="movimiento_importes_no_negativos",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.importe} ({self.fecha_valor})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Los movimientos no se modifican; una corrección es una reversión (docs/reglas.md §9).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Los movimientos no se eliminan; una corrección es una reversión (docs/reglas.md §9).")


class ParametroMora(models.Model):
    """Missing-deduction parameters (docs/reglas.md §6); each value holds from `vigente_desde` on."""

    vigente_desde = models.DateField("vigente desde", unique=True)
    dias_gracia = models.PositiveSmallIntegerField("días de gracia", default=20)
    factor = models.DecimalField("factor de tasa moratoria", max_digits=4, decimal_places=2, default=Decimal("1.50"))
    registrado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creado = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        ordering = ["-vigente_desde"]
        verbose_name = "parámetro de moratorios"
        verbose_name_plural = "parámetros de moratorios"

    def __str__(self) -> str:
        return f"Desde {self.vigente_desde:%d/%m/%Y}: {self.dias_gracia} días de gracia, factor {self.factor}"

    def clean(self):
        # Moratorios already charged were decided with the parameters then in force: a value may only
        # start tomorrow or later, never rewrite the past (docs/reglas.md §6).
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        if self.vigente_desde is not None and self.vigente_desde <= timezone.localdate():
            raise ValidationError(
                {"vigente_desde": "Un parámetro sólo puede regir a partir de mañana; los moratorios ya calculados no cambian."}
            )
        if self.factor is not None and not Decimal("1") <= self.factor <= Decimal("5"):
            raise ValidationError({"factor": "El factor de tasa moratoria debe estar entre 1.00 y 5.00."})
        if self.dias_gracia is not None and self.dias_gracia > 90:
            raise ValidationError({"dias_gracia": "El periodo de gracia no puede pasar de 90 días."})


class ArchivoAplicado(models.Model):
    """A file that moved money (a remesa, a bank's payments), so that it can be reversed as a whole.

    Known by the SHA-256 of its bytes: `importar --revertir FILE` finds what that very file applied.
    """

    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    nombre = models.CharField("archivo", max_length=255, blank=True)
    tipo = models.CharField("tipo", max_length=30)
    cargado = models.DateTimeField("cargado", auto_now_add=True)
    cargado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revertido = models.DateTimeField("revertido", null=True, blank=True)
    revertido_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    motivo_reversion = models.TextField("motivo de la reversión", blank=True)

    class Meta:
        ordering = ["-cargado"]
        verbose_name = "archivo aplicado"
        verbose_name_plural = "archivos aplicados"
        permissions = [("revertir_archivoaplicado", "Puede revertir lo que aplicó un archivo")]

    def __str__(self) -> str:
        return f"{self.nombre or self.sha256[:12]} ({self.tipo})"


class Remesa(models.Model):
    """One load of a dependencia's payroll deductions for one quincena (a complementary one adds another).

    A reversed remesa (its file reversed, docs/reglas.md §9) counts as never loaded.
    """

    dependencia = models.ForeignKey(Dependencia, on_delete=models.PROTECT, related_name="remesas")
    archivo_aplicado = models.ForeignKey(
        ArchivoAplicado, on_delete=models.PROTECT, null=True, blank=True, related_name="remesas"
    )
    revertida = models.BooleanField("revertida", default=False)
    quincena = PeriodoField("quincena")
    filas = models.PositiveIntegerField("filas aplicadas", default=0)
    total = models.DecimalField("total aplicado", max_digits=14, decimal_places=2, default=Decimal("0.00"))
    archivo = models.CharField("archivo", max_length=255, blank=True)
    cargada = models.DateTimeField("cargada", auto_now_add=True)
    cargada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-quincena", "dependencia__clave"]
        verbose_name = "remesa"
        verbose_name_plural = "remesas"
        indexes = [models.Index(fields=["dependencia", "quincena"])]

    def __str__(self) -> str:
        return f"{self.dependencia.clave} {self.quincena}"


class Carga(models.Model):
    """A data file uploaded by CAPP staff, loaded as a background job (large remesas take minutes)."""

    class Estado(models.TextChoices):
        EN_COLA = "EN_COLA", "En cola"
        PROCESANDO = "PROCESANDO", "Procesando"
        TERMINADA = "TERMINADA", "Terminada"
        RECHAZADA = "RECHAZADA", "Rechazada (no se cargó nada)"
        FALLIDA = "FALLIDA", "Falló (no se cargó nada)"

    archivo = models.FileField("archivo", upload_to="cargas/%Y/%m/")
    nombre = models.CharField("nombre del archivo", max_length=255)
    estado = models.CharField("estado", max_length=10, choices=Estado.choices, default=Estado.EN_COLA)
    resumen = models.TextField("resumen", blank=True)
    errores = models.TextField("errores", blank=True)
    creada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creada = models.DateTimeField("creada", auto_now_add=True)
    iniciada = models.DateTimeField("iniciada", null=True, blank=True)
    terminada = models.DateTimeField("terminada", null=True, blank=True)
    # Written by the job every few seconds from its own connection: a job without it for too long lost its
    # worker (prestamos.cargas.cargas_sin_latido_marcar).
    latido = models.DateTimeField("última señal del proceso", null=True, blank=True)
    intentos = models.PositiveSmallIntegerField("intentos", default=0)

    class Meta:
        ordering = ["-creada"]
        verbose_name = "carga de archivo"
        verbose_name_plural = "cargas de archivos"

    def __str__(self) -> str:
        return f"{self.nombre} ({self.get_estado_display()})"

    @property
    def en_curso(self) -> bool:
        return self.estado in (self.Estado.EN_COLA, self.Estado.PROCESANDO)
