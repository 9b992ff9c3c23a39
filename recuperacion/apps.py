from django.apps import AppConfig


class RecuperacionConfig(AppConfig):
    name = "recuperacion"
    verbose_name = "Recuperación de crédito"

    def ready(self) -> None:
        from recuperacion import importacion  # noqa: F401 — registers its file kind
