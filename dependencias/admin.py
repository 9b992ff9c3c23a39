from django.contrib import admin

from dependencias.models import AccesoDependencia, UsuarioDependencia


@admin.register(UsuarioDependencia)
class UsuarioDependenciaAdmin(admin.ModelAdmin):
    list_display = ("usuario", "creado")
    filter_horizontal = ("dependencias",)
    autocomplete_fields = ()


@admin.register(AccesoDependencia)
class AccesoDependenciaAdmin(admin.ModelAdmin):
    list_display = ("fecha", "usuario", "dependencia", "accion", "detalle")
    list_filter = ("accion",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
