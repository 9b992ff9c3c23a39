"""Admin pieces every app uses (shared, so no app imports another's admin)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse

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


def columna_fecha(campo: str, descripcion: str):
    """A list column showing a date as the portal writes it, 30/06/2026: a narrow column where space is short
    (the change forms keep the long form, "30 de junio de 2026")."""

    @admin.display(description=descripcion, ordering=campo)
    def columna(self, obj):
        valor = getattr(obj, campo)
        return "—" if valor is None else formato_fecha(valor)

    columna.__name__ = f"{campo}_corta"
    return columna


class SoloLecturaMixin:
    """The ledger and loan terms are never edited in the admin: corrections are new, audited entries."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def pedir_motivo(modeladmin, request, queryset, *, titulo: str, accion: str, aplicar, hecho: str):
    """An admin action that asks for the reason first (corrections are reasoned and audited), then runs
    `aplicar(obj, motivo)` for each selected object, each in its own transaction."""
    motivo = request.POST.get("motivo", "").strip()
    if "confirmar" not in request.POST or not motivo:
        if "confirmar" in request.POST:
            messages.error(request, "Escribe el motivo.")
        return TemplateResponse(request, "admin/motivo.html", {
            **modeladmin.admin_site.each_context(request),
            "title": titulo, "objetos": queryset, "accion": accion, "opts": modeladmin.model._meta,
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
