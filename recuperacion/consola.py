"""The CAPP console (docs/reglas.md §10): a call-centre officer finds a borrower by CURP or folio and sees
exactly what the borrower sees — the same selectors and the same partial templates, rendered read only
inside the admin's frame — can issue a FOPI on the borrower's behalf and e-mail it, and records every call
or e-mail as an atención.

Access is by model permission, so the staff roles can grant it: `recuperacion.view_consola` to look,
`recuperacion.emitir_fopi_consola` to issue and e-mail FOPIs, `recuperacion.add_atencion` to record calls.
The views are mounted by `recuperacion.admin.ConsolaAdmin` (behind `admin_site.admin_view`: staff only,
never cached).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from fopi import documentos as documentos_fopi
from fopi import services as fopi_services
from fopi.forms import FopiForm
from fopi.models import Fopi, PagoBancario
from oficina.formatos import formato_fecha, formato_moneda
from prestamos.acceso import respuesta_pdf
from prestamos.models import Derechohabiente, Prestamo
from recuperacion import aclaraciones, documentos, selectors
from recuperacion.grafica import grafica_saldo
from recuperacion.models import Atencion, AvisoOmision, SolicitudDevolucion

logger = logging.getLogger(__name__)

PERMISO_VER = "recuperacion.view_consola"
PERMISO_FOPI = "recuperacion.emitir_fopi_consola"
PERMISO_ATENCION = "recuperacion.add_atencion"
PERMISO_RESOLVER_PAGO = "fopi.change_pagobancario"
RESULTADOS_MAXIMOS = 20

# The borrower's pages, in the order of the console's menu: (slug, title).
SECCIONES = (
    ("", "Recuperación de crédito"),
    ("estado-de-cuenta", "Estado de cuenta"),
    ("regularizacion", "Regularización"),
    ("fopi", "Formatos de pago (FOPI)"),
    ("pagos", "Pagos"),
    ("aclaraciones", "Aclaraciones"),
    ("avisos", "Avisos"),
    ("saldo-a-favor", "Saldo a favor"),
)
TITULOS = dict(SECCIONES)


@dataclass(frozen=True)
class EnlacesConsola:
    """Where the borrower's partial templates link to inside the console (`consola` in their context)."""

    pk: int

    def seccion(self, slug: str) -> str:
        if not slug:
            return reverse("admin:recuperacion_consola_detalle", args=[self.pk])
        return reverse("admin:recuperacion_consola_seccion", args=[self.pk, slug])

    @property
    def url_estado_cuenta(self) -> str:
        return self.seccion("estado-de-cuenta")

    @property
    def url_regularizacion(self) -> str:
        return self.seccion("regularizacion")

    @property
    def url_fopi(self) -> str:
        return self.seccion("fopi")

    @property
    def url_aclaraciones(self) -> str:
        return self.seccion("aclaraciones")

    @property
    def url_saldo_a_favor(self) -> str:
        return self.seccion("saldo-a-favor")

    @property
    def url_estado_cuenta_pdf(self) -> str:
        return reverse("admin:recuperacion_consola_estado_cuenta_pdf", args=[self.pk])


# --- search ------------------------------------------------------------------------------------------------

_CURP = re.compile(r"[A-Z][AEIOUX][A-Z]{2}[0-9]{6}[HM][A-Z]{5}[0-9A-Z][0-9]")
_FOLIO = re.compile(r"[0-9]{11}")
_REFERENCIA = re.compile(r"[0-9]{22}")
_ACLARACION = re.compile(r"ACL-[0-9]{10,12}")


def buscar(texto: str) -> tuple[list[Derechohabiente], bool]:
    """Borrowers matching `texto`, and whether it was an exact key (CURP, loan folio, FOPI reference or
    aclaración folio: at most one borrower, straight to their page). Otherwise a name search."""
    texto = " ".join(texto.split())
    clave = texto.upper()
    personas = Derechohabiente.objects.select_related("dependencia", "usuario")
    if _CURP.fullmatch(clave):
        return list(personas.filter(curp=clave)), True
    if _FOLIO.fullmatch(clave):
        return list(personas.filter(prestamos__folio=clave)), True
    if _REFERENCIA.fullmatch(clave):
        return list(personas.filter(prestamos__fopis__referencia=clave)), True
    if _ACLARACION.fullmatch(clave):
        return list(personas.filter(prestamos__aclaraciones__folio=clave)), True
    palabras = [p for p in texto.split() if len(p) >= 2]
    if not palabras or len(texto) < 3:
        return [], False
    consulta = Q()
    for palabra in palabras:
        consulta &= (
            Q(nombre__icontains=palabra)
            | Q(primer_apellido__icontains=palabra)
            | Q(segundo_apellido__icontains=palabra)
        )
    return list(
        personas.filter(consulta).order_by("primer_apellido", "segundo_apellido", "nombre")[:RESULTADOS_MAXIMOS]
    ), False


# --- what a page needs -------------------------------------------------------------------------------------


def _derechohabiente(pk: int) -> Derechohabiente:
    return get_object_or_404(Derechohabiente.objects.select_related("dependencia", "usuario"), pk=pk)


def _contexto(request, admin_site, derechohabiente: Derechohabiente, slug: str, **extra) -> dict:
    usuario = request.user
    return {
        **admin_site.each_context(request),
        "title": f"{derechohabiente.nombre_completo} — {TITULOS[slug]}",
        "opts": Derechohabiente._meta,
        "derechohabiente": derechohabiente,
        "consola": EnlacesConsola(derechohabiente.pk),
        "secciones": [(s, t, s == slug) for s, t in SECCIONES],
        "seccion": slug,
        "atenciones": list(derechohabiente.atenciones.select_related("usuario", "fopi")[:50]),
        "formulario_atencion": extra.pop("formulario_atencion", None) or AtencionForm(),
        "puede_registrar": usuario.has_perm(PERMISO_ATENCION),
        "puede_emitir": usuario.has_perm(PERMISO_FOPI),
        **extra,
    }


def _ver(request) -> None:
    if not request.user.has_perm(PERMISO_VER):
        raise PermissionDenied


def vista_buscar(request, admin_site):
    _ver(request)
    texto = request.GET.get("q", "").strip()[:100]
    resultados, exacto = buscar(texto) if texto else ([], False)
    if exacto and len(resultados) == 1:
        return redirect("admin:recuperacion_consola_detalle", resultados[0].pk)
    contexto = {
        **admin_site.each_context(request),
        "title": "Consola del CAPP",
        "opts": Derechohabiente._meta,
        "texto": texto,
        "resultados": resultados,
    }
    return TemplateResponse(request, "admin/consola/buscar.html", contexto)


def vista_seccion(request, admin_site, pk: int, slug: str = ""):
    """One of the borrower's pages, as the borrower sees it, read only."""
    _ver(request)
    if slug not in TITULOS:
        raise Http404("Sección no encontrada")
    return _pagina(request, admin_site, _derechohabiente(pk), slug)


def _pagina(request, admin_site, derechohabiente: Derechohabiente, slug: str, **extra):
    hoy = timezone.localdate()
    estado = selectors.estado_de_cuenta(derechohabiente=derechohabiente, hoy=hoy)
    extra["estado"] = estado
    extra["palabras"] = derechohabiente.palabras  # the borrower's words, as their own pages say them (§14)
    if slug == "estado-de-cuenta":
        extra["vigente"] = estado.vigente
        extra["grafica"] = grafica_saldo(estado.vigente.serie_saldo()) if estado.vigente else None
    elif slug == "fopi":
        extra = {**_pagina_fopi(derechohabiente, estado, hoy, extra.pop("formulario_fopi", None)), **extra}
    elif slug == "pagos":
        extra["pagos"] = pagos_de(derechohabiente)
        extra["puede_resolver_pagos"] = request.user.has_perm(PERMISO_RESOLVER_PAGO)
    elif slug == "aclaraciones":
        extra["aclaraciones"] = aclaraciones.aclaraciones_de(derechohabiente)
    elif slug == "avisos":
        extra["avisos_omision"] = list(
            AvisoOmision.objects.filter(prestamo__derechohabiente=derechohabiente).select_related("prestamo")
        )
    elif slug == "saldo-a-favor":
        extra["solicitudes"] = list(
            SolicitudDevolucion.objects.filter(prestamo__derechohabiente=derechohabiente).select_related("prestamo")
        )
    plantilla = f"admin/consola/{slug or 'seccion'}.html"
    return TemplateResponse(request, plantilla, _contexto(request, admin_site, derechohabiente, slug, **extra))


def pagos_de(derechohabiente: Derechohabiente) -> list[PagoBancario]:
    """Every payment received for the borrower's loans, newest first: applied, in review (by the loan its FOPI
    names, before anyone applied it), to be refunded or reversed ("transferí y no aparece")."""
    return list(
        PagoBancario.objects.filter(
            Q(prestamo__derechohabiente=derechohabiente) | Q(fopi__prestamo__derechohabiente=derechohabiente)
        ).select_related("fopi", "prestamo").order_by("-fecha_pago", "-id")
    )


def _pagina_fopi(derechohabiente, estado, hoy, formulario=None) -> dict:
    fopis = list(Fopi.objects.filter(prestamo__derechohabiente=derechohabiente).select_related("prestamo"))
    en_vigor = [v.prestamo for v in estado.prestamos if not v.liquidado]
    return {
        "filas": [(f, Fopi.Estado(f.estado_al(hoy)).label, f.estado_al(hoy) == Fopi.Estado.PENDIENTE) for f in fopis],
        "formulario_fopi": formulario
        or FopiForm(prestamos=en_vigor, initial={"prestamo": en_vigor[0].folio if en_vigor else None}),
        "en_vigor": en_vigor,
        "correo": _correo(derechohabiente),
    }


def _correo(derechohabiente: Derechohabiente) -> str:
    usuario = derechohabiente.usuario
    return usuario.email if usuario is not None and usuario.is_active else ""


def estado_cuenta_pdf(request, admin_site, pk: int):
    _ver(request)
    derechohabiente = _derechohabiente(pk)
    estado = selectors.estado_de_cuenta(derechohabiente=derechohabiente, hoy=timezone.localdate())
    return respuesta_pdf(
        documentos.estado_cuenta_pdf(estado), f"estado-de-cuenta-{derechohabiente.curp}-{estado.hoy:%Y%m%d}.pdf"
    )


def fopi_pdf(request, admin_site, pk: int, fopi: int):
    _ver(request)
    fopi = get_object_or_404(
        Fopi.objects.select_related("prestamo__derechohabiente"), pk=fopi, prestamo__derechohabiente_id=pk
    )
    return respuesta_pdf(documentos_fopi.fopi_pdf(fopi), f"fopi-{fopi.referencia}.pdf")


# --- Operación: a FOPI on the borrower's behalf, and e-mailed ---------------------------------------------


@require_POST
def emitir_fopi(request, admin_site, pk: int):
    """Issue a FOPI for the borrower (the same rules as the portal's form), recorded as issued by the officer."""
    _ver(request)
    if not request.user.has_perm(PERMISO_FOPI):
        raise PermissionDenied
    derechohabiente = _derechohabiente(pk)
    hoy = timezone.localdate()
    en_vigor = list(Prestamo.objects.filter(derechohabiente=derechohabiente).exclude(estado=Prestamo.Estado.LIQUIDADO))
    formulario = FopiForm(request.POST, prestamos=en_vigor)
    if formulario.is_valid():
        datos = formulario.cleaned_data
        prestamo = next(p for p in en_vigor if p.folio == datos["prestamo"])
        try:
            fopi = fopi_services.fopi_emitir(
                prestamo=prestamo,
                tipo=datos["tipo"],
                importe=datos["importe"],
                usuario=request.user,
                hoy=hoy,
                incluir_pendientes=datos["incluir_pendientes"],
            )
        except ValidationError as error:
            formulario.add_error(None, error)
        else:
            messages.success(
                request,
                f"FOPI emitido: {fopi.get_tipo_display()} por {formato_moneda(fopi.importe)}, "
                f"referencia {fopi.referencia}, "
                f"vigente hasta el {formato_fecha(fopi.vigencia)}.",
            )
            return redirect(EnlacesConsola(pk).url_fopi + f"#fopi-{fopi.pk}")
    return _pagina(request, admin_site, derechohabiente, "fopi", formulario_fopi=formulario)


@require_POST
def enviar_fopi(request, admin_site, pk: int, fopi: int):
    _ver(request)
    if not request.user.has_perm(PERMISO_FOPI):
        raise PermissionDenied
    fopi = get_object_or_404(
        Fopi.objects.select_related("prestamo__derechohabiente__usuario"), pk=fopi, prestamo__derechohabiente_id=pk
    )
    try:
        fopi_enviar_por_correo(fopi=fopi, usuario=request.user, hoy=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Enviamos el FOPI {fopi.referencia} a {_correo(fopi.prestamo.derechohabiente)}; "
            "quedó registrado como atención.",
        )
    return redirect(EnlacesConsola(pk).url_fopi + f"#fopi-{fopi.pk}")


def fopi_enviar_por_correo(*, fopi: Fopi, usuario, hoy: date) -> Atencion:
    """E-mail a pending FOPI (its PDF attached) to the borrower's address on file and record it as an
    atención (channel correo). Only a FOPI that can still be paid is sent."""
    derechohabiente = fopi.prestamo.derechohabiente
    correo = _correo(derechohabiente)
    if not correo:
        raise ValidationError(
            "El derechohabiente no tiene correo registrado en la Oficina Virtual: dicta la referencia por teléfono."
        )
    if fopi.estado_al(hoy) != Fopi.Estado.PENDIENTE:
        raise ValidationError(
            f"El FOPI {fopi.referencia} está {Fopi.Estado(fopi.estado_al(hoy)).label.lower()}: emite uno nuevo."
        )
    mensaje = EmailMessage(
        f"{settings.PORTAL_NOMBRE}: tu formato de pago (FOPI) {fopi.referencia}",
        (
            f"Hola, {derechohabiente.nombre}:\n\n"
            f"Como lo acordaste con el CAPP, te enviamos tu formato de pago de {fopi.get_tipo_display().lower()} del "
            f"préstamo {fopi.prestamo.folio}:\n\n"
            f"  Referencia bancaria: {fopi.referencia}\n"
            f"  Importe a pagar: {formato_moneda(fopi.importe)}\n"
            f"  Paga a más tardar el {formato_fecha(fopi.vigencia)}\n\n"
            "El PDF adjunto trae los bancos autorizados. Imprime dos copias. "
            "No pagues dos veces con el mismo formato.\n"
            f"También lo encuentras en la {settings.PORTAL_NOMBRE}, en Recuperación de crédito → "
            "Formato de pago (FOPI).\n\n"
            f"¿Dudas? Llama a ISSSTETEL {settings.CAPP_TELEFONO} o escribe a {settings.CAPP_CORREO}.\n"
        ),
        to=[correo],
    )
    mensaje.attach(f"fopi-{fopi.referencia}.pdf", documentos_fopi.fopi_pdf(fopi), "application/pdf")
    try:
        mensaje.send()
    except Exception:
        logger.exception("No se pudo enviar el FOPI %s", fopi.referencia)
        raise ValidationError("No se pudo enviar el correo; intenta de nuevo o dicta la referencia por teléfono.")
    return Atencion.objects.create(
        derechohabiente=derechohabiente,
        canal=Atencion.Canal.CORREO,
        motivo=Atencion.Motivo.FOPI,
        usuario=usuario,
        fopi=fopi,
        nota=f"Se envió el FOPI {fopi.referencia} ({fopi.get_tipo_display()}, {formato_moneda(fopi.importe)}, vigente "
        f"hasta el {formato_fecha(fopi.vigencia)}) a {correo}.",
    )


# --- atenciones --------------------------------------------------------------------------------------------


class AtencionForm(forms.ModelForm):
    class Meta:
        model = Atencion
        fields = ["canal", "motivo", "nota"]
        widgets = {"nota": forms.Textarea(attrs={"rows": 4})}
        labels = {"nota": "Nota (qué pidió y qué se le respondió)"}
        error_messages = {"nota": {"required": "Escribe una nota de la atención."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canal"].initial = Atencion.Canal.TELEFONO


@transaction.atomic
def atencion_registrar(*, derechohabiente: Derechohabiente, canal: str, motivo: str, nota: str, usuario) -> Atencion:
    atencion = Atencion(derechohabiente=derechohabiente, canal=canal, motivo=motivo, nota=nota.strip(), usuario=usuario)
    atencion.full_clean()
    atencion.save()
    return atencion


@require_POST
def registrar_atencion(request, admin_site, pk: int):
    _ver(request)
    if not request.user.has_perm(PERMISO_ATENCION):
        raise PermissionDenied
    derechohabiente = _derechohabiente(pk)
    formulario = AtencionForm(request.POST)
    slug = request.POST.get("seccion", "")
    slug = slug if slug in TITULOS else ""
    if formulario.is_valid():
        atencion_registrar(derechohabiente=derechohabiente, usuario=request.user, **formulario.cleaned_data)
        messages.success(request, "Atención registrada.")
        return redirect(EnlacesConsola(pk).seccion(slug) + "#atenciones")
    return _pagina(request, admin_site, derechohabiente, slug, formulario_atencion=formulario)
