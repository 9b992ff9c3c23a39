from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from fopi.models import Fopi
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
    records the tracking key, which books a DEVOLUCION in the ledger. While pending, its owner may cancel it
    (a wrong CLABE, or one typed from a stolen session) and ask again (docs/reglas.md §3, rev. 3)."""

    class Estado(models.TextChoices):
        PENDIENTE = "PENDIENTE", "En trámite"
        PAGADA = "PAGADA", "Pagada"
        CANCELADA = "CANCELADA", "Cancelada"

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
    cancelada = models.DateTimeField("cancelada", null=True, blank=True)
    # Why the system changed it (a reversal took back the money it would pay), as the borrower was told.
    nota = models.TextField("nota", blank=True)

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


# --- Aclaraciones (docs/reglas.md §10) -------------------------------------------------------------------


class AlmacenPrivado(FileSystemStorage):
    """Uploaded evidence under MEDIA_ROOT (`DJANGO_MEDIA_ROOT`), never reachable by a public URL: only
    `recuperacion.views.talon_pagina` shows it (as page images, to its borrower and to staff) and
    `talon_aclaracion` hands the original to staff as a download. Nothing serves MEDIA_URL, and `url()`
    refuses, so no template can link a file here by mistake."""

    def __init__(self):
        super().__init__(file_permissions_mode=0o640, directory_permissions_mode=0o750)

    def url(self, name):
        raise ValueError("Los talones de las aclaraciones no tienen URL pública; se sirven por su vista.")


def almacen_privado() -> AlmacenPrivado:
    return AlmacenPrivado()


EXTENSIONES_TALON = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def ruta_talon(aclaracion: Aclaracion, nombre: str) -> str:
    """A random name with the extension of the type its content showed: the borrower's file name (which
    could be anything, `../../x.exe` included) is kept only as text, never on disk."""
    extension = EXTENSIONES_TALON[aclaracion.talon_tipo]
    return f"privado/aclaraciones/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


def ruta_cfdi(aclaracion: Aclaracion, nombre: str) -> str:
    """Like the talón: a random name, never the borrower's."""
    return f"privado/aclaraciones/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.xml"


class Aclaracion(models.Model):
    """A borrower's payslip shows a deduction the statement lacks: the case, its evidence and its answer."""

    class Estado(models.TextChoices):
        RECIBIDA = "RECIBIDA", "Recibida"
        EN_REVISION = "EN_REVISION", "En revisión"
        PROCEDENTE = "PROCEDENTE", "Procedente"
        IMPROCEDENTE = "IMPROCEDENTE", "Improcedente"

    ABIERTAS = (Estado.RECIBIDA, Estado.EN_REVISION)

    # Set from the id once the row exists (`ACL-` + year + 6 digits), like the documents' folios.
    folio = models.CharField("folio", max_length=20, unique=True, null=True, blank=True)
    prestamo = models.ForeignKey(
        Prestamo, on_delete=models.PROTECT, related_name="aclaraciones", verbose_name="préstamo"
    )
    quincena = PeriodoField("quincena")
    importe = models.DecimalField("importe en el talón", max_digits=12, decimal_places=2)
    comentario = models.TextField("comentario", blank=True)
    # The payslip: a photo/PDF (`talon`), its CFDI's XML (`cfdi`, docs/reglas.md §18), or both.
    talon = models.FileField(
        "talón de pago", storage=almacen_privado, upload_to=ruta_talon, max_length=200, blank=True
    )
    talon_tipo = models.CharField("tipo de archivo (por su contenido)", max_length=20, blank=True)
    talon_nombre = models.CharField("nombre del archivo recibido", max_length=255, blank=True)
    talon_tamanio = models.PositiveIntegerField("tamaño (bytes)", default=0)
    talon_sha256 = models.CharField("SHA-256 del talón", max_length=64, blank=True)
    cfdi = models.FileField(
        "XML del recibo de nómina (CFDI)", storage=almacen_privado, upload_to=ruta_cfdi, max_length=200, blank=True
    )
    cfdi_uuid = models.CharField("UUID del CFDI", max_length=36, blank=True)
    # What was verified (recuperacion.cfdi.Verificacion.como_dict) and the rule's outcome, shown in words.
    cfdi_verificacion = models.JSONField("verificación del CFDI", default=dict, blank=True)
    estado = models.CharField("estado", max_length=12, choices=Estado.choices, default=Estado.RECIBIDA, db_index=True)
    presentada = models.DateTimeField("presentada", auto_now_add=True)
    presentada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="en revisión por",
    )
    revision_el = models.DateTimeField("en revisión desde", null=True, blank=True)
    importe_reconocido = models.DecimalField(
        "importe reconocido", max_digits=12, decimal_places=2, null=True, blank=True
    )
    respuesta = models.TextField("respuesta", blank=True)
    resuelta_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="resuelta por",
    )
    resuelta_el = models.DateTimeField("resuelta el", null=True, blank=True)
    movimiento = models.OneToOneField(
        Movimiento, on_delete=models.PROTECT, null=True, blank=True, related_name="aclaracion"
    )
    notificada = models.DateTimeField("respuesta enviada por correo", null=True, blank=True)

    class Meta:
        ordering = ["-presentada", "-id"]
        verbose_name = "aclaración"
        verbose_name_plural = "aclaraciones"
        permissions = [("resolver_aclaracion", "Puede revisar y resolver aclaraciones")]
        constraints = [
            # One open case per loan and quincena: a second click or a second tab files nothing new.
            models.UniqueConstraint(
                fields=["prestamo", "quincena"], condition=models.Q(estado__in=["RECIBIDA", "EN_REVISION"]),
                name="una_aclaracion_abierta_por_quincena",
            ),
            models.CheckConstraint(condition=models.Q(importe__gt=0), name="aclaracion_importe_positivo"),
        ]

    def __str__(self) -> str:
        return f"{self.folio or 'Aclaración'} ({self.get_estado_display()})"

    @property
    def abierta(self) -> bool:
        return self.estado in self.ABIERTAS

    @property
    def cfdi_comprobado(self) -> str:
        """What the CFDI's verification showed, in words (docs/reglas.md §18): "Sello de tu dependencia:
        válido · Timbre del SAT: válido · Periodo: 2ª quincena de junio de 2026"."""
        return " · ".join(f"{n}: {v}" for n, v in (self.cfdi_verificacion or {}).get("comprobaciones", []))

    @property
    def cfdi_motivos(self) -> list[str]:
        """Why the CFDI did not rule the case on its own (empty when it did)."""
        return list((self.cfdi_verificacion or {}).get("motivos", []))

    @property
    def talon_es_imagen(self) -> bool:
        return self.talon_tipo.startswith("image/")

    @cached_property
    def paginas_talon(self) -> range:
        """The numbers of the page images the payslip is shown as (`recuperacion.views.talon_pagina`)."""
        from recuperacion import talones

        if not self.talon:
            return range(0)
        with self.talon.open("rb") as archivo:
            return range(1, talones.paginas(archivo.read(), self.talon_tipo) + 1)


class AdeudoDependencia(models.Model):
    """A deduction a dependencia took from a payslip and never sent: an aclaración found procedente. The
    institute credited the borrower; the dependencia owes it (the "Dependencias omisas" report shows it)."""

    dependencia = models.ForeignKey(Dependencia, on_delete=models.PROTECT, related_name="adeudos")
    quincena = PeriodoField("quincena")
    prestamo = models.ForeignKey(Prestamo, on_delete=models.PROTECT, related_name="+", verbose_name="préstamo")
    importe = models.DecimalField("importe", max_digits=12, decimal_places=2)
    aclaracion = models.OneToOneField(Aclaracion, on_delete=models.PROTECT, related_name="adeudo")
    registrado = models.DateTimeField("registrado", auto_now_add=True)
    # Empty when the payslip's CFDI proved it on its own (docs/reglas.md §18).
    registrado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-quincena", "dependencia__clave"]
        verbose_name = "descuento adeudado por una dependencia"
        verbose_name_plural = "descuentos adeudados por dependencias"
        indexes = [models.Index(fields=["quincena", "dependencia"], name="adeudo_quincena_dependencia")]
        constraints = [models.CheckConstraint(condition=models.Q(importe__gt=0), name="adeudo_importe_positivo")]

    def __str__(self) -> str:
        return f"{self.dependencia_id} {self.quincena} {self.importe}"


# --- The payslip's CFDI (docs/reglas.md §18) -------------------------------------------------------------


class CertificadoPAC(models.Model):
    """A PAC's certificate, by its `NoCertificadoSAT`: what a TimbreFiscalDigital's SelloSAT is checked
    against. Kept by Supervisión (admin, or `python manage.py registrar_pac ARCHIVO.cer`)."""

    no_certificado = models.CharField("número de certificado (NoCertificadoSAT)", max_length=20, unique=True)
    rfc = models.CharField("RFC del PAC", max_length=13, blank=True)
    sujeto = models.CharField("titular", max_length=300, blank=True)
    vigente_desde = models.DateTimeField("vigente desde")
    vigente_hasta = models.DateTimeField("vigente hasta")
    certificado = models.BinaryField("certificado (DER)")
    registrado = models.DateTimeField("registrado", auto_now_add=True)

    class Meta:
        ordering = ["no_certificado"]
        verbose_name = "certificado de PAC"
        verbose_name_plural = "Certificados de PAC"

    def __str__(self) -> str:
        return f"{self.no_certificado} {self.sujeto}"


PATRON_PRESTAMO = r"PR[EÉ]STAMO|CR[EÉ]DITO"


class DeduccionPrestamo(models.Model):
    """How a dependencia's payslips name the loan's deduction: a c_TipoDeduccion (none is specific to these
    loans; most use 004 "Otros") and a pattern on the deduction's Clave or Concepto."""

    dependencia = models.OneToOneField(
        Dependencia, on_delete=models.CASCADE, related_name="deduccion_prestamo", verbose_name="dependencia"
    )
    tipo_deduccion = models.CharField("TipoDeduccion", max_length=3, default="004")
    patron = models.CharField(
        "patrón de Clave o Concepto", max_length=200, default=PATRON_PRESTAMO,
        help_text="Expresión regular (sin distinguir mayúsculas) que encuentra el descuento del préstamo en la "
        "Clave o el Concepto de la deducción.",
    )

    class Meta:
        ordering = ["dependencia__clave"]
        verbose_name = "deducción del préstamo en el CFDI"
        verbose_name_plural = "deducciones del préstamo en el CFDI"

    def __str__(self) -> str:
        return f"{self.dependencia_id}: {self.tipo_deduccion} /{self.patron}/"


class CfdiUsado(models.Model):
    """A CFDI's UUID proves one deduction once: a second aclaración with it goes to Operación."""

    uuid = models.CharField("UUID", max_length=36, unique=True)
    aclaracion = models.ForeignKey(Aclaracion, on_delete=models.PROTECT, related_name="+")
    usado = models.DateTimeField("usado", auto_now_add=True)

    class Meta:
        verbose_name = "CFDI usado"
        verbose_name_plural = "CFDI usados"

    def __str__(self) -> str:
        return self.uuid


# --- Consola del CAPP ------------------------------------------------------------------------------------


class Consola(Derechohabiente):
    """No table of its own: the CAPP console's place in the admin index and its permissions."""

    class Meta:
        proxy = True
        verbose_name = "consola del CAPP"
        verbose_name_plural = "consola del CAPP"
        permissions = [
            ("emitir_fopi_consola", "Puede emitir y enviar por correo un FOPI a nombre de un derechohabiente"),
        ]


class Atencion(models.Model):
    """A call, visit or e-mail of CAPP with a borrower: who attended, when, by which channel and why."""

    class Canal(models.TextChoices):
        TELEFONO = "TELEFONO", "Teléfono"
        CORREO = "CORREO", "Correo electrónico"
        PRESENCIAL = "PRESENCIAL", "Presencial"

    class Motivo(models.TextChoices):
        SALDO = "SALDO", "Saldo y estado de cuenta"
        DESCUENTO = "DESCUENTO", "Descuento no reflejado (aclaración)"
        REGULARIZACION = "REGULARIZACION", "Regularización y moratorios"
        FOPI = "FOPI", "Formato de pago (FOPI)"
        PAGO = "PAGO", "Pago no aplicado"
        LIQUIDACION = "LIQUIDACION", "Liquidación y documentos"
        SALDO_A_FAVOR = "SALDO_A_FAVOR", "Saldo a favor y devoluciones"
        ACCESO = "ACCESO", "Acceso a la Oficina Virtual"
        OTRO = "OTRO", "Otro"

    derechohabiente = models.ForeignKey(
        Derechohabiente, on_delete=models.PROTECT, related_name="atenciones", verbose_name="derechohabiente"
    )
    fecha = models.DateTimeField("fecha", default=timezone.now)
    canal = models.CharField("canal", max_length=10, choices=Canal.choices)
    motivo = models.CharField("motivo", max_length=16, choices=Motivo.choices)
    nota = models.TextField("nota")
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="atendió"
    )
    fopi = models.ForeignKey(
        Fopi, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="FOPI enviado"
    )
    creada = models.DateTimeField("registrada", auto_now_add=True)

    class Meta:
        ordering = ["-fecha", "-id"]
        verbose_name = "atención"
        verbose_name_plural = "atenciones"

    def __str__(self) -> str:
        return f"{self.get_canal_display()}: {self.get_motivo_display()} ({self.fecha:%d/%m/%Y %H:%M})"
