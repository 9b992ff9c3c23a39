"""The admin site the project uses (`admin.site`, through oficina.apps.AdminOficinaConfig): Django's, plus
one check every admin needs, ours and the third parties' alike.

Django's action handling filters `pk__in` with the raw POSTed selection: an empty value, a word or a number
beyond any id is a ValueError or OverflowError, a 500. Here a selection that is not a list of ids of the
model goes back to the list with a message, before the admin sees it.

Every list is titled by what it lists ("Pagos recibidos (banco y SPEI)"), not "Seleccione pago recibido para ver".
"""

from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.text import capfirst

SELECCION_INVALIDA = "Selecciona en la lista los registros a los que quieres aplicar la acción; no se cambió nada."


def seleccion_valida(modelo, valores: list[str]) -> bool:
    campo = modelo._meta.pk
    try:
        for valor in valores:
            campo.clean(valor, None)  # its type and the range the database stores
    except ValidationError:
        return False
    return True


class SitioAdmin(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        vista = super().admin_view(view, cacheable)
        modeladmin = getattr(view, "__self__", None)
        if not isinstance(modeladmin, admin.ModelAdmin) or view.__name__ != "changelist_view":
            return vista

        @wraps(vista)
        def lista(request, *args, **kwargs):
            seleccion = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) if request.method == "POST" else []
            if seleccion and not seleccion_valida(modeladmin.model, seleccion):
                messages.warning(request, SELECCION_INVALIDA)
                return HttpResponseRedirect(request.get_full_path())
            titulo = {"title": capfirst(modeladmin.model._meta.verbose_name_plural)}
            return vista(request, *args, **{**kwargs, "extra_context": {**titulo, **kwargs.get("extra_context", {})}})

        return lista
