"""Aclaraciones (docs/reglas.md §10): a borrower whose payslip shows a deduction the statement lacks files
a case with the payslip; Operación reviews it and resolves it.

- Procedente: the dependencia took the money and never sent it. The deduction enters the ledger through
  the one writer (`prestamos.services.prestamo_aplicar_pago`) as an ACLARACION with its quincena's due date
  as value date, as a remesa would have booked it, so it pays that installment without moratorios. The
  dependencia is recorded as owing it (`AdeudoDependencia`, shown in the "Dependencias omisas" report).
- Improcedente: nothing is booked; the staff's answer says why.

Either way the borrower is e-mailed once the resolution is committed. Each step records who and when, and
locks the case's row, so two officers cannot resolve the same case twice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from oficina.dinero import round2
from oficina.formatos import formato_fecha, formato_moneda
from prestamos import libro
from prestamos.calculo import Periodo, Quincena
from prestamos.models import Derechohabiente, Movimiento, Prestamo, Remesa
from prestamos.selectors import FilaTabla, VistaPrestamo, vistas_prestamos
from prestamos.services import prestamo_aplicar_pago, prestamo_devolver_moratorios
from recuperacion import acuses
from recuperacion import cfdi as cfdi_mod
from recuperacion.cfdi import Verificacion
from recuperacion.models import (
    EXTENSIONES_TALON,
    Aclaracion,
    AdeudoDependencia,
    CertificadoPAC,
    CfdiUsado,
    DeduccionPrestamo,
    Descuento,
)
from recuperacion.talones import Talon

logger = logging.getLogger(__name__)

QUINCENAS_RECLAMABLES = 24  # a year back; older cases go through CAPP by phone
MAXIMO_CUOTAS = 10  # the same bound as a remesa row (docs/reglas.md §9)
COMENTARIO_MAXIMO = 2000
PERMISO_VER = "recuperacion.view_aclaracion"
PERMISO_RESOLVER = "recuperacion.resolver_aclaracion"


def folio_de(presentada: date, numero: int) -> str:
    """`ACL-2026000123`: year filed and the case's number (one sequence, no counter to lock)."""
    return f"ACL-{presentada.year}{numero:06d}"


def quincenas_reclamables(hoy: date, clase: type[Periodo] = Quincena) -> list[Periodo]:
    """The periods already due a borrower may ask about, most recent first (months for a pensioner's loan)."""
    ultima = clase.de_fecha(hoy)
    if ultima.vencimiento > hoy:
        ultima = ultima - 1
    return [ultima - k for k in range(QUINCENAS_RECLAMABLES)]


# --- the borrower files ------------------------------------------------------------------------------------


@transaction.atomic
def aclaracion_presentar(
    *,
    prestamo: Prestamo,
    quincena: Quincena,
    importe: Decimal,
    talon: Talon | None = None,
    comentario: str = "",
    usuario=None,
    hoy: date | None = None,
    cfdi: XmlCfdi | None = None,
) -> Aclaracion:
    """File an aclaración with its checked payslip (photo/PDF, CFDI's XML, or both). Everything is validated
    before a file is stored. With a CFDI that proves the deduction the case is ruled at once (docs/reglas.md
    §15)."""
    if talon is None and cfdi is None:
        raise ValidationError("Adjunta tu talón de pago o el XML de tu recibo de nómina.")
    hoy = hoy or timezone.localdate()
    comentario = comentario.strip()
    # Locked so that two submissions for the same quincena (a double click) see each other.
    (prestamo,) = libro.bloquear([prestamo.pk])
    if prestamo.estado == Prestamo.Estado.LIQUIDADO:
        raise ValidationError(
            f"El préstamo {prestamo.folio} ya está liquidado; para aclarar un descuento comunícate al CAPP."
        )
    primera = prestamo.primera_quincena
    if type(quincena) is not type(primera) or quincena < primera or quincena.vencimiento > hoy:
        raise ValidationError(
            f"{quincena.descripcion[:1].upper()}{quincena.descripcion[1:]} no es {'un' if primera.ARTICULO == 'el' else 'una'} {primera.NOMBRE} ya "
            f"vencid{'o' if primera.ARTICULO == 'el' else 'a'} de tu préstamo {prestamo.folio} (su primer descuento "
            f"fue en {primera.descripcion})."
        )
    importe = round2(importe)
    if importe <= 0 or importe > MAXIMO_CUOTAS * prestamo.cuota:
        raise ValidationError(
            f"Escribe el importe del descuento tal como aparece en tu talón (tu descuento quincenal es de "
            f"{formato_moneda(prestamo.cuota)})."
        )
    if len(comentario) > COMENTARIO_MAXIMO:
        raise ValidationError(f"El comentario admite hasta {COMENTARIO_MAXIMO} caracteres.")
    previa = (
        prestamo.aclaraciones.filter(quincena=quincena, estado__in=[*Aclaracion.ABIERTAS, Aclaracion.Estado.PROCEDENTE])
        .order_by("-id")
        .first()
    )
    if previa is not None:
        if previa.abierta:
            raise ValidationError(
                f"Ya tienes la aclaración {previa.folio} en trámite para {quincena.con_articulo}; "
                "te avisaremos por correo cuando la resolvamos."
            )
        raise ValidationError(
            f"Ya reconocimos tu descuento de {quincena.con_articulo} (aclaración {previa.folio})."
        )
    aclaracion = Aclaracion(
        prestamo=prestamo, quincena=quincena, importe=importe, comentario=comentario, presentada_por=usuario
    )
    if talon is not None:
        aclaracion.talon_tipo, aclaracion.talon_nombre = talon.tipo, talon.nombre
        aclaracion.talon_tamanio, aclaracion.talon_sha256 = talon.tamanio, talon.sha256
    if cfdi is not None:
        aclaracion.cfdi_uuid = cfdi.verificacion.uuid
    try:
        with transaction.atomic():
            if talon is not None:
                archivo = ContentFile(talon.contenido, name=f"talon.{EXTENSIONES_TALON[talon.tipo]}")
                aclaracion.talon.save(archivo.name, archivo, save=False)
            if cfdi is not None:
                aclaracion.cfdi.save("cfdi.xml", ContentFile(cfdi.contenido), save=False)
            aclaracion.save()
            aclaracion.folio = folio_de(timezone.localdate(aclaracion.presentada), aclaracion.pk)
            aclaracion.save(update_fields=["folio"])
    except IntegrityError:
        _borrar_talon(aclaracion)
        raise ValidationError(f"Ya tienes una aclaración en trámite para {quincena.con_articulo}.")
    except BaseException:
        _borrar_talon(aclaracion)  # the row was not written: neither is the file
        raise
    if cfdi is not None:
        _aplicar_regla_cfdi(aclaracion, cfdi.verificacion, hoy=hoy)
    return aclaracion


def _borrar_talon(aclaracion: Aclaracion) -> None:
    for archivo in (aclaracion.talon, aclaracion.cfdi):
        if archivo.name:
            archivo.storage.delete(archivo.name)


# --- the payslip's CFDI (docs/reglas.md §18) ------------------------------------------------------------


@dataclass
class XmlCfdi:
    """The XML a borrower uploaded, once every cryptographic check passed (`recuperacion.cfdi.verificar`)."""

    contenido: bytes
    verificacion: Verificacion


def verificar_cfdi(contenido: bytes) -> XmlCfdi:
    """Verify with the configured trust store and the PAC registry; a refusal is a ValidationError."""
    almacen = cfdi_mod.cargar_almacen(getattr(settings, "CFDI_ALMACEN_AC", None) or cfdi_mod.ALMACEN_SAT)
    numeros = cfdi_mod.numeros_certificado_sat(contenido)
    certificados_pac = {
        c.no_certificado: cfdi_mod.cargar_certificado(bytes(c.certificado))
        for c in CertificadoPAC.objects.filter(no_certificado__in=numeros)
    }
    try:
        return XmlCfdi(contenido, cfdi_mod.verificar(contenido, almacen=almacen, certificados_pac=certificados_pac))
    except cfdi_mod.CfdiRechazado as error:
        raise ValidationError(str(error)) from None


def regla_cfdi(aclaracion: Aclaracion, v: Verificacion) -> tuple[Decimal | None, list[str]]:
    """docs/reglas.md §18: the amount the CFDI proves was withheld for this loan and period, and the reasons it
    cannot be ruled on automatically (empty when it can)."""
    prestamo = aclaracion.prestamo
    dependencia = prestamo.dependencia
    derechohabiente = prestamo.derechohabiente
    periodo = aclaracion.quincena
    motivos: list[str] = []
    if not v.pac_registrado:
        motivos.append(
            f"El certificado del PAC ({v.no_certificado_sat}) no está registrado: el timbre no se pudo verificar."
        )
    if not dependencia.rfc:
        motivos.append(f"La dependencia {dependencia.clave} no tiene RFC registrado.")
    elif v.emisor_rfc != dependencia.rfc.upper():
        motivos.append(f"El CFDI lo emitió el RFC {v.emisor_rfc}, que no es el de la dependencia ({dependencia.rfc}).")
    if v.receptor_rfc != (derechohabiente.rfc or "").upper() or v.receptor_curp != derechohabiente.curp.upper():
        motivos.append("El CFDI es de otra persona: el RFC o la CURP del receptor no son los del derechohabiente.")
    fechas = (v.fecha_inicial, v.fecha_final, v.fecha_pago)
    if not all(periodo.inicio <= f <= periodo.vencimiento for f in fechas):
        motivos.append(
            f"Las fechas de pago del CFDI ({formato_fecha(v.fecha_inicial)} a {formato_fecha(v.fecha_final)}, pagado "
            f"el {formato_fecha(v.fecha_pago)}) no son de {periodo.con_articulo}."
        )
    importe = None
    mapeo = DeduccionPrestamo.objects.filter(dependencia=dependencia).first()
    if mapeo is None:
        motivos.append(
            f"No está configurada la deducción del préstamo en el CFDI para la dependencia {dependencia.clave}."
        )
    else:
        patron = re.compile(mapeo.patron, re.IGNORECASE)
        candidatas = [
            d
            for d in v.deducciones
            if d.tipo == mapeo.tipo_deduccion and (patron.search(d.clave) or patron.search(d.concepto))
        ]
        if not candidatas:
            motivos.append(f"El CFDI no trae una deducción {mapeo.tipo_deduccion} del préstamo.")
        else:
            importe = round2(sum((d.importe for d in candidatas), Decimal(0)))
            if importe != prestamo.cuota:
                motivos.append(
                    f"La deducción del CFDI ({formato_moneda(importe)}) no es el {prestamo.primera_quincena.ADJETIVO} "
                    f"del préstamo ({formato_moneda(prestamo.cuota)})."
                )
    if CfdiUsado.objects.filter(uuid=v.uuid).exists():
        motivos.append(f"El CFDI {v.uuid} ya se usó en otra aclaración.")
    if Descuento.objects.filter(prestamo=prestamo, quincena=periodo, revertido=False).exists():
        motivos.append(f"La remesa de la dependencia ya trae el descuento de {periodo.con_articulo}.")
    return importe, motivos


def _aplicar_regla_cfdi(aclaracion: Aclaracion, v: Verificacion, *, hoy: date | None) -> None:
    importe, motivos = regla_cfdi(aclaracion, v)
    periodo_ok = not any("fechas de pago" in m for m in motivos)
    comprobaciones = [
        *v.comprobaciones,
        ("Periodo", aclaracion.quincena.en_palabras if periodo_ok else "no corresponde a la quincena reclamada"),
    ]
    aclaracion.cfdi_verificacion = {
        **v.como_dict(),
        "comprobaciones": [list(c) for c in comprobaciones],
        "motivos": motivos,
        "automatica": not motivos,
    }
    aclaracion.save(update_fields=["cfdi_verificacion"])
    if motivos:
        return  # Operación's queue, with what was verified
    CfdiUsado.objects.create(uuid=v.uuid, aclaracion=aclaracion)
    respuesta = (
        f"Retenido por tu dependencia y no enviado: tu recibo de nómina (CFDI {v.uuid}) prueba que te descontaron "
        f"{formato_moneda(importe)} en {aclaracion.quincena.con_articulo} y la remesa de tu dependencia no lo "
        f"trae. Lo aplicamos a tu préstamo con fecha {formato_fecha(aclaracion.quincena.vencimiento)}, el "
        "vencimiento de esa quincena, así que no te genera moratorios."
    )
    aclaracion_resolver(
        aclaracion=aclaracion, procedente=True, respuesta=respuesta, usuario=None, importe=importe, hoy=hoy
    )
    aclaracion.refresh_from_db()


def comprobaciones_cfdi(aclaracion: Aclaracion) -> str:
    return aclaracion.cfdi_comprobado


# --- Operación reviews and resolves ----------------------------------------------------------------------


def _abierta_bloqueada(aclaracion: Aclaracion) -> Aclaracion:
    aclaracion = (
        Aclaracion.objects.select_for_update(of=("self",))
        .select_related("prestamo__derechohabiente__usuario", "resuelta_por")
        .get(pk=aclaracion.pk)
    )
    if not aclaracion.abierta:
        quien = aclaracion.resuelta_por or "otra persona"
        raise ValidationError(
            f"La aclaración {aclaracion.folio} ya fue resuelta ({aclaracion.get_estado_display()}) por {quien}; "
            "recarga la página."
        )
    return aclaracion


@transaction.atomic
def aclaracion_tomar(*, aclaracion: Aclaracion, usuario) -> Aclaracion:
    """An officer starts reviewing the case: the borrower sees "En revisión" (and who took it is recorded)."""
    aclaracion = _abierta_bloqueada(aclaracion)
    if aclaracion.estado == Aclaracion.Estado.RECIBIDA:
        aclaracion.estado = Aclaracion.Estado.EN_REVISION
        aclaracion.revision_por, aclaracion.revision_el = usuario, timezone.now()
        aclaracion.save(update_fields=["estado", "revision_por", "revision_el"])
    return aclaracion


@transaction.atomic
def aclaracion_resolver(
    *,
    aclaracion: Aclaracion,
    procedente: bool,
    respuesta: str,
    usuario,
    importe: Decimal | None = None,
    hoy: date | None = None,
) -> Aclaracion:
    """Resolve the case once. Procedente books the deduction (`importe`, by default the one claimed) as of
    its quincena's due date and records the dependencia's debt; Improcedente needs the answer's reason.

    The case's row is locked first: a second officer resolving the same case waits, then is refused.
    """
    respuesta = respuesta.strip()
    aclaracion = _abierta_bloqueada(aclaracion)
    prestamo = aclaracion.prestamo
    if procedente:
        importe = round2(importe if importe is not None else aclaracion.importe)
        if importe <= 0 or importe > MAXIMO_CUOTAS * prestamo.cuota:
            raise ValidationError(
                f"El importe reconocido debe ser mayor que cero y a lo más {MAXIMO_CUOTAS} descuentos quincenales "
                f"({formato_moneda(MAXIMO_CUOTAS * prestamo.cuota)})."
            )
        vencimiento = aclaracion.quincena.vencimiento
        respuesta = respuesta or (
            f"{aclaracion.quincena.PALABRAS.Pagador} te descontó {formato_moneda(importe)} en {aclaracion.quincena.con_articulo} y "
            f"no nos lo envió. Lo aplicamos a tu préstamo con fecha {formato_fecha(vencimiento)}, "
            "el vencimiento de esa "
            "quincena, así que no te genera moratorios."
        )
        aclaracion.movimiento = prestamo_aplicar_pago(
            prestamo=prestamo,
            importe=importe,
            fecha_valor=vencimiento,
            tipo=Movimiento.Tipo.ACLARACION,
            origen=f"Aclaración {aclaracion.folio}: descuento de la quincena {aclaracion.quincena}",
            usuario=usuario,
            motivo=respuesta,
            hoy=hoy,
            periodo=aclaracion.quincena,
        )
        # The deduction counts as made on time: moratorios the borrower paid for that period (regularizing it)
        # were never owed and go back to saldo a favor (docs/reglas.md §10).
        prestamo_devolver_moratorios(
            prestamo=prestamo, periodo=aclaracion.quincena, fecha=vencimiento, usuario=usuario,
            origen=f"Aclaración {aclaracion.folio}: moratorios de {aclaracion.quincena} devueltos a saldo a favor",
            motivo="El descuento se hizo a tiempo: los moratorios pagados por ese periodo no se debían.", hoy=hoy,
        )
        AdeudoDependencia.objects.create(
            dependencia_id=prestamo.dependencia_id,
            quincena=aclaracion.quincena,
            prestamo=prestamo,
            importe=importe,
            aclaracion=aclaracion,
            registrado_por=usuario,
        )
        if aclaracion.cfdi_uuid and usuario is not None:
            # A CFDI proves one deduction once, whoever ruled on it (docs/reglas.md §18).
            CfdiUsado.objects.get_or_create(uuid=aclaracion.cfdi_uuid, defaults={"aclaracion": aclaracion})
        aclaracion.estado, aclaracion.importe_reconocido = Aclaracion.Estado.PROCEDENTE, importe
    else:
        if len(respuesta) < 10:
            raise ValidationError("Escribe la respuesta para el derechohabiente: por qué no procede y qué puede hacer.")
        aclaracion.estado = Aclaracion.Estado.IMPROCEDENTE
    aclaracion.respuesta = respuesta
    aclaracion.resuelta_por, aclaracion.resuelta_el = usuario, timezone.now()
    if aclaracion.revision_por_id is None:
        aclaracion.revision_por, aclaracion.revision_el = usuario, aclaracion.resuelta_el
    aclaracion.save(
        update_fields=[
            "estado",
            "importe_reconocido",
            "respuesta",
            "resuelta_por",
            "resuelta_el",
            "revision_por",
            "revision_el",
            "movimiento",
        ]
    )
    transaction.on_commit(lambda: avisar_resolucion(aclaracion))
    return aclaracion


def avisar_resolucion(aclaracion: Aclaracion) -> None:
    """E-mail the borrower the answer; a failed send is logged (the portal shows the answer anyway)."""
    usuario = aclaracion.prestamo.derechohabiente.usuario
    if usuario is None or not usuario.is_active or not usuario.email:
        return
    contexto = {
        "portal": settings.PORTAL_NOMBRE,
        "nombre": aclaracion.prestamo.derechohabiente.nombre,
        "aclaracion": aclaracion,
        "quincena": aclaracion.quincena.con_articulo,
        "importe": formato_moneda(aclaracion.importe),
        "importe_reconocido": formato_moneda(aclaracion.importe_reconocido) if aclaracion.importe_reconocido else "",
        "enlace": settings.PORTAL_URL.rstrip("/") + reverse("aclaraciones"),
        "telefono": settings.CAPP_TELEFONO,
        "correo_capp": settings.CAPP_CORREO,
    }
    asunto = render_to_string("recuperacion/email/aclaracion_asunto.txt", contexto).strip()
    cuerpo = render_to_string("recuperacion/email/aclaracion_mensaje.txt", contexto)
    try:
        EmailMessage(asunto, cuerpo, to=[usuario.email]).send()
    except Exception:
        logger.exception("No se pudo avisar la resolución de la aclaración %s", aclaracion.folio)
        return
    Aclaracion.objects.filter(pk=aclaracion.pk).update(notificada=timezone.now())
    acuses.aclaracion_resuelta(aclaracion, asunto=asunto, cuerpo=cuerpo)  # kept on the Avisos page (§13)


# --- reading ---------------------------------------------------------------------------------------------


def aclaraciones_de(derechohabiente: Derechohabiente) -> list[Aclaracion]:
    """The borrower's cases, newest first: one query."""
    return list(Aclaracion.objects.filter(prestamo__derechohabiente=derechohabiente).select_related("prestamo"))


def aclaracion_con_talon_para(usuario, folio: str, *, solo_personal: bool = False) -> Aclaracion:
    """The case whose payslip `usuario` may see: their own, or any for staff who review cases (with
    `solo_personal`, the original file: staff only). Anyone else gets a 404, as for any object that is not
    theirs (docs/reglas.md §1)."""
    consulta = Aclaracion.objects.filter(folio=folio)
    if not (usuario.is_staff and usuario.has_perm(PERMISO_VER)):
        if solo_personal:
            raise Http404("Aclaración no encontrada")
        consulta = consulta.filter(prestamo__derechohabiente__usuario=usuario)
    aclaracion = consulta.first()
    if aclaracion is None or not aclaracion.talon:
        raise Http404("Aclaración no encontrada")
    return aclaracion


@dataclass
class Expediente:
    """What Operación sees side by side to resolve a case: the payslip (by its URL), the loan's ledger and
    the dependencia's remesa for that quincena (every load of it, and the row for this loan if any)."""

    aclaracion: Aclaracion
    vista: VistaPrestamo
    cuota: FilaTabla | None  # the installment of that quincena as the statement shows it
    remesas: list[Remesa]
    descuentos: list[Descuento]
    otras: list[Aclaracion]


def expediente(*, pk: int, hoy: date) -> Expediente:
    """A fixed number of queries whatever the loan's history."""
    aclaracion = get_object_or_404(
        Aclaracion.objects.select_related(
            "prestamo__derechohabiente",
            "prestamo__dependencia",
            "revision_por",
            "resuelta_por",
            "movimiento",
        ),
        pk=pk,
    )
    prestamo = aclaracion.prestamo
    [vista] = vistas_prestamos([prestamo], hoy)
    cuota = next((f for f in vista.tabla() if f.periodo == aclaracion.quincena), None)
    remesas = list(
        Remesa.objects.filter(dependencia_id=prestamo.dependencia_id, quincena=aclaracion.quincena)
        .select_related("cargada_por")
        .order_by("cargada")
    )
    descuentos = list(
        Descuento.objects.filter(prestamo=prestamo, quincena=aclaracion.quincena).select_related("remesa")
    )
    otras = list(prestamo.aclaraciones.exclude(pk=aclaracion.pk))
    return Expediente(aclaracion, vista, cuota, remesas, descuentos, otras)
