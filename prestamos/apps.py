from django.apps import AppConfig


class PrestamosConfig(AppConfig):
    name = "prestamos"
    verbose_name = "Padrón y préstamos"

    def ready(self) -> None:
        from prestamos import metricas, signals  # noqa: F401 — connects the cache-clearing receivers; gauges
        from prestamos.importacion import padron, prestamos  # noqa: F401 — registers their file kinds
