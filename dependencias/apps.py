from django.apps import AppConfig


class DependenciasConfig(AppConfig):
    name = "dependencias"
    verbose_name = "Portal de dependencias"
    default_auto_field = "django.db.models.BigAutoField"
