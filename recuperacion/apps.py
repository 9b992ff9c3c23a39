from django.apps import AppConfig


class RecuperacionConfig(AppConfig):
    name = "recuperacion"
    verbose_name = "Recuperación de crédito"

    def ready(self) -> None:
        from fopi import documentos as fopi_documentos
        from prestamos.correcciones import movimientos_revertidos
        from recuperacion import comprobantes, devoluciones, importacion, metricas  # noqa: F401 — its file kind, its gauges

        movimientos_revertidos.connect(devoluciones._al_revertir, dispatch_uid="devoluciones_al_revertir")
        # fopi prints the comprobante; its verification code is registered here, with the other documents (§9).
        fopi_documentos.sellar_comprobante = comprobantes.sello_comprobante
