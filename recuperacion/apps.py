from django.apps import AppConfig


class RecuperacionConfig(AppConfig):
    name = "recuperacion"
    verbose_name = "Recuperación de crédito"

    def ready(self) -> None:
        from prestamos.correcciones import movimientos_revertidos
        from recuperacion import devoluciones, importacion, metricas  # noqa: F401 — its file kind, its gauges

        movimientos_revertidos.connect(devoluciones._al_revertir, dispatch_uid="devoluciones_al_revertir")
