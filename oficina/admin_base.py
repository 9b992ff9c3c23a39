"""Admin pieces every app uses (shared, so no app imports another's admin)."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from oficina.formatos import formato_fecha, formato_moneda


def columna_moneda(campo: str, descripcion: str):
    """A list column showing a Decimal field as money, "$25,000.00" (docs/reglas.md §2), sortable by the field.

    Use as a ModelAdmin attribute named "<field>_moneda": static/css/admin.css right-aligns those columns.
    """

    @admin.display(description=descripcion, ordering=campo)
    def columna(self, obj):
        valor = getattr(obj, campo)
        return "—" if valor is None else formato_moneda(valor)

    columna.__name__ = f"{campo}_moneda"
    return columna


def columna_periodo(campo: str, descripcion: str):
    """A list column showing a payroll period in words with its code in small print, "1ª quincena de junio de 2026
    (2026-Q11)" (docs/reglas.md §14): staff read the words and match the code. Sortable by the field."""

    @admin.display(description=descripcion, ordering=campo)
    def columna(self, obj):
        valor = getattr(obj, campo)
        if valor is None or valor == "":
            return "—"
        return format_html("{} <small>({})</small>", getattr(valor, "en_palabras", valor), valor)

    columna.__name__ = f"{campo}_periodo"
    return columna


def columna_fecha(campo: str, descripcion: str):
    """A list column showing a date as the portal writes it, 30/06/2026: a narrow column where space is short
    (the change forms keep the long form, "30 de junio de 2026")."""

    @admin.display(description=descripcion, ordering=campo)
    def columna(self, obj):
        valor = getattr(obj, campo)
        return "—" if valor is None else formato_fecha(valor)

    columna.__name__ = f"{campo}_corta"
    return columna


def url_consola(derechohabiente_id: int | None) -> str:
    """The CAPP console's page of a borrower ("" for none): the person's whole picture (docs/reglas.md §15)."""
    return reverse("admin:recuperacion_consola_detalle", args=[derechohabiente_id]) if derechohabiente_id else ""


# Field names whose models say them without accents or as code (verbose names the migrations own): the record's
# page says them as people do.
ETIQUETAS = {"prestamo": "préstamo", "fopi": "FOPI", "movimiento": "movimiento del libro"}


class ComoSeLeeMixin:
    """A record's page as a clerk reads it: "Préstamo:", not "Prestamo:" (ETIQUETAS), and every amount that has a
    `<campo>_moneda` column (columna_moneda) shown as money, "$701.12", not "701.12"."""

    def get_form(self, request, obj=None, **kwargs):
        kwargs["labels"] = {**ETIQUETAS, **(kwargs.get("labels") or {})}
        if kwargs.get("fields") is not None:  # the money columns are shown, never edited
            kwargs["fields"] = [c for c in kwargs["fields"] if not (isinstance(c, str) and c.endswith("_moneda") and hasattr(self, c))]
        return super().get_form(request, obj, **kwargs)

    def _como_moneda(self, campos):
        return [f"{c}_moneda" if isinstance(c, str) and hasattr(self, f"{c}_moneda") else c for c in campos]

    def get_fields(self, request, obj=None):
        return self._como_moneda(super().get_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        return [(nombre, {**opciones, "fields": self._como_moneda(opciones["fields"])})
                for nombre, opciones in super().get_fieldsets(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        propios = list(super().get_readonly_fields(request, obj))
        return [*propios, *(c for c in self._como_moneda(propios) if c not in propios)]


@admin.display(description="préstamo", ordering="prestamo__folio")
def columna_prestamo(self, obj):
    """A list column with the loan's folio (the field's own header would read "Prestamo")."""
    return obj.prestamo.folio if obj.prestamo_id else "—"


class AbrirConsolaMixin(ComoSeLeeMixin):
    """"Abrir consola" from a record that belongs to a borrower: a list column (`abrir_consola`, add it to
    list_display where the list has room) and a link on the record's page, next to "Historial".

    `ruta_derechohabiente`: the attributes from the record to its borrower's id, e.g. ("prestamo",
    "derechohabiente_id"); list_select_related should load the objects on the way. Several routes may be
    given as a tuple of tuples: the first that reaches someone is used (a payment names its loan, or only
    its FOPI's).
    """

    ruta_derechohabiente: tuple = ("derechohabiente_id",)

    def derechohabiente_id(self, obj) -> int | None:
        rutas = self.ruta_derechohabiente
        for ruta in rutas if isinstance(rutas[0], tuple) else (rutas,):
            valor = obj
            for atributo in ruta:
                valor = getattr(valor, atributo, None)
                if valor is None:
                    break
            if valor is not None:
                return valor
        return None

    @admin.display(description="consola")
    def abrir_consola(self, obj):
        url = url_consola(self.derechohabiente_id(obj))
        return format_html('<a href="{}">Abrir consola</a>', url) if url else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        objeto = self.get_object(request, object_id) if object_id else None
        contexto = {"url_consola": url_consola(self.derechohabiente_id(objeto)) if objeto is not None else ""}
        return super().change_view(request, object_id, form_url, {**contexto, **(extra_context or {})})


class RecientesFilter(admin.SimpleListFilter):
    """Rows of the last `DIAS` days by a date-time field (`CAMPO`): what the desk counts as waiting."""

    CAMPO = "creada"
    DIAS = 7
    title = "fecha"
    parameter_name = "recientes"

    def lookups(self, request, model_admin):
        return [(str(self.DIAS), f"Últimos {self.DIAS} días")]

    def queryset(self, request, queryset):
        if self.value() == str(self.DIAS):
            return queryset.filter(**{f"{self.CAMPO}__gte": timezone.now() - timedelta(days=self.DIAS)})
        return queryset


def filtro_si_no(campo: str, titulo: str):
    """A list filter "Sí / No" for a field that is empty until something happens (reversed, closed): the
    admin's own says "Vacío / No vacío"."""

    class SiNoFilter(admin.SimpleListFilter):
        title = titulo
        parameter_name = campo

        def lookups(self, request, model_admin):
            return (("si", "Sí"), ("no", "No"))

        def queryset(self, request, queryset):
            if self.value() in ("si", "no"):
                return queryset.filter(**{f"{campo}__isnull": self.value() == "no"})
            return queryset

    SiNoFilter.__name__ = f"SiNo_{campo}"
    return SiNoFilter


class SoloLecturaMixin:
    """The ledger and loan terms are never edited in the admin: corrections are new, audited entries."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def pedir_motivo(modeladmin, request, queryset, *, titulo: str, accion: str, aplicar, hecho: str, vista_previa=None):
    """An admin action that asks for the reason first (corrections are reasoned and audited), then runs
    `aplicar(obj, motivo)` for each selected object, each in its own transaction.

    `vista_previa(obj)`: what the act would do to each object, shown on the page that asks for the reason
    (template `admin/vista_previa/<accion>.html`), so nothing moves money unseen (docs/reglas.md §15)."""
    motivo = request.POST.get("motivo", "").strip()
    if "confirmar" not in request.POST or not motivo:
        if "confirmar" in request.POST:
            messages.error(request, "Escribe el motivo.")
        previas = [vista_previa(obj) for obj in queryset] if vista_previa is not None else []
        return TemplateResponse(request, "admin/motivo.html", {
            **modeladmin.admin_site.each_context(request),
            "title": titulo, "objetos": queryset, "accion": accion, "opts": modeladmin.model._meta,
            "previas": previas, "plantilla_previa": f"admin/vista_previa/{accion}.html",
        })
    for obj in queryset:
        try:
            with transaction.atomic():
                aplicar(obj, motivo)
        except ValidationError as exc:
            messages.error(request, f"{obj}: {' '.join(exc.messages)}")
        else:
            messages.success(request, f"{hecho}: {obj}.")
    return None
