from django.apps import AppConfig


class FopiConfig(AppConfig):
    name = "fopi"
    verbose_name = "FOPI y pagos bancarios"
