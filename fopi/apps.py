from django.apps import AppConfig


class FopiConfig(AppConfig):
    name = "fopi"
    verbose_name = "FOPI y pagos bancarios"

    def ready(self) -> None:
        from allauth.account.signals import email_added, email_changed

        from fopi import buzon, importacion, metricas, signals  # noqa: F401 — its file kind, gauges, cache clearing

        # allauth mails these notices itself; the Avisos page keeps them too (docs/reglas.md §13).
        email_changed.connect(buzon.correo_cambiado, dispatch_uid="buzon_correo_cambiado")
        email_added.connect(buzon.correo_agregado, dispatch_uid="buzon_correo_agregado")
