from django.apps import AppConfig


class PrestamosConfig(AppConfig):
    name = "prestamos"
    verbose_name = "Padrón y préstamos"
