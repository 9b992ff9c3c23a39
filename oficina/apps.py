from django.contrib.admin.apps import AdminConfig


class AdminOficinaConfig(AdminConfig):
    """django.contrib.admin with the project's site (oficina/admin_sitio.py) as `admin.site`."""

    default_site = "oficina.admin_sitio.SitioAdmin"

    def ready(self) -> None:
        super().ready()
        # The project's base app: count every query of every process (oficina.metricas); request log lines
        # without query strings (oficina.registro).
        from oficina import metricas, registro

        metricas.instalar()
        registro.instalar()
