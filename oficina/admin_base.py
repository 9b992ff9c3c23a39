"""Admin pieces every app uses (shared, so no app imports another's admin)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse


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
