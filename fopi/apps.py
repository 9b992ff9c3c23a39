from django.apps import AppConfig


class FopiConfig(AppConfig):
    name = "fopi"
    verbose_name = "FOPI y pagos bancarios"

    def ready(self) -> None:
        from fopi import importacion, metricas  # noqa: F401 — registers its file kind and its gauges
