from django.contrib import admin

from prestamos.models import Dependencia, Derechohabiente


@admin.register(Dependencia)
class DependenciaAdmin(admin.ModelAdmin):
    list_display = ("clave", "nombre")
    search_fields = ("clave", "nombre")


class TieneCuentaFilter(admin.SimpleListFilter):
    title = "cuenta en la Oficina Virtual"
    parameter_name = "con_cuenta"

    def lookups(self, request, model_admin):
        return (("si", "Con cuenta"), ("no", "Sin cuenta"))

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.filter(usuario__isnull=False)
        if self.value() == "no":
            return queryset.filter(usuario__isnull=True)
        return queryset


@admin.register(Derechohabiente)
class DerechohabienteAdmin(admin.ModelAdmin):
    list_display = ("curp", "nombre", "primer_apellido", "segundo_apellido", "dependencia", "tiene_cuenta")
    list_filter = (TieneCuentaFilter, "dependencia")
    search_fields = ("=curp", "nombre", "primer_apellido", "segundo_apellido", "rfc")
    list_select_related = ("dependencia", "usuario")
    raw_id_fields = ("usuario",)
    autocomplete_fields = ("dependencia",)

    @admin.display(boolean=True, description="cuenta")
    def tiene_cuenta(self, obj):
        return obj.usuario_id is not None
