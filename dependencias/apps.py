from django.apps import AppConfig


class DependenciasConfig(AppConfig):
    name = "dependencias"
    verbose_name = "Portal de dependencias"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from dependencias import acceso

        # Who is a payroll user, kept in the session at login (dependencias/acceso.py).
        user_logged_in.connect(acceso.marcar_al_entrar, dispatch_uid="dependencias.acceso.marcar_al_entrar")
