from django.apps import AppConfig


class RecuperacionConfig(AppConfig):
    name = "recuperacion"
    verbose_name = "Recuperación de crédito"
